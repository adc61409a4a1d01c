//===- DpcRules.cpp - wait-at-dispatch, stall-too-long --------------------===//
///
/// \file
/// What code at DISPATCH_LEVEL or above (DPCs, ISRs, code holding a spin
/// lock) must not do with its time: wait on a dispatcher object unless the
/// timeout is zero, delay the thread, or busy-wait for more than the
/// 100 microseconds the WDK allows a DPC. Which routines wait or stall, and
/// which argument is the timeout or the stall, is data (`wait:` and
/// `stall:` in rules/*.yaml).
///
//===----------------------------------------------------------------------===//
#include "Analysis/Dataflow.h"
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"

using namespace irqlcheck;

/// True if storage \p Path is zero on every path in \p S: it, or an object
/// it is part of (`c@3.Timeout` of `CONFIG c = {0}`), is known zero.
static bool knownZero(const State &S, llvm::StringRef Path) {
  for (;;) {
    if (std::optional<int64_t> V = S.known(Path.str()))
      return *V == 0;
    size_t Cut = Path.find_last_of(".[");
    if (Cut == llvm::StringRef::npos || Cut == 0)
      return false;
    Path = Path.take_front(Cut);
  }
}

WaitKind irqlcheck::classifyWait(const CallFact &C, const Contract *K,
                                 const State &S) {
  if (!K || !K->Wait.any())
    return WK_None;
  if (K->Wait.Always)
    return WK_Always;
  if (size_t(K->Wait.TimeoutArg) >= C.Args.size())
    return WK_Unknown;
  const ArgFact &A = C.Args[K->Wait.TimeoutArg];
  if (A.HasConst)
    return A.Const == 0 ? WK_Infinite : WK_Unknown;
  // `&t` with `t.QuadPart = C` (or `LARGE_INTEGER t = {0}`) on every path.
  if (!A.Pointee.empty()) {
    if (knownZero(S, A.Pointee))
      return WK_Zero;
    if (S.known(A.Pointee))
      return WK_NonZero;
  }
  return WK_Unknown;
}

namespace {

/// The levels >= DISPATCH_LEVEL a call may run at (none while the IRQL is
/// unknown).
IrqlSet dispatchOrAbove(const RuleContext &Ctx, const State &Before) {
  if (Before.Irql.Unknown)
    return 0;
  return Before.Irql.substitute(Ctx.Entry.Irql) & levelsAtLeast(IL_Dispatch);
}

class WaitAtDispatchRule : public Rule {
public:
  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *K,
              const std::vector<LockOp> &, const State &Before) const override {
    WaitKind W = classifyWait(C, K, Before);
    if (!blocksAtDispatch(W))
      return;
    IrqlSet Bad = dispatchOrAbove(Ctx, Before);
    if (!Bad)
      return;
    std::string Name = "'" + spelledName(C, Ctx.DB) + "'";
    std::string What, Fix = "queue a work item and wait there";
    switch (W) {
    case WK_Always:
      What = Name + " blocks the thread whatever its timeout";
      break;
    case WK_Infinite:
      What = Name + " waits with an infinite timeout (NULL)";
      break;
    case WK_NonZero:
      What = Name + " waits with a non-zero timeout";
      break;
    default:
      What = Name + " waits with a timeout not known to be zero";
      Fix = "poll with a zero timeout, or " + Fix;
      break;
    }
    Ctx.report("wait-at-dispatch", C.At,
               What + ", but IRQL may be " + describeLevels(Bad) +
                   " here, where a wait must not block; " + Fix,
               Ctx.irqlNotes(Before, Bad));
  }
};

class StallTooLongRule : public Rule {
public:
  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *K,
              const std::vector<LockOp> &, const State &Before) const override {
    if (!K || K->Stall.Arg < 0 || size_t(K->Stall.Arg) >= C.Args.size())
      return;
    // A constant, or a local variable holding one on every path; a value
    // the analysis cannot see is not judged.
    const ArgFact &A = C.Args[K->Stall.Arg];
    std::optional<int64_t> Us;
    if (A.HasConst)
      Us = A.Const;
    else if (!A.Value.empty())
      Us = Before.known(A.Value);
    if (!Us || *Us <= K->Stall.MaxAtDispatch)
      return;
    IrqlSet Bad = dispatchOrAbove(Ctx, Before);
    if (!Bad)
      return;
    Ctx.report("stall-too-long", C.At,
               "'" + spelledName(C, Ctx.DB) + "' stalls the processor for " +
                   std::to_string(*Us) + " microseconds, but IRQL may be " +
                   describeLevels(Bad) + " here, where at most " +
                   std::to_string(K->Stall.MaxAtDispatch) +
                   " are allowed; finish the work later in a timer DPC",
               Ctx.irqlNotes(Before, Bad));
  }
};

} // namespace

void irqlcheck::addDpcRules(llvm::ArrayRef<std::string> Enabled,
                            std::vector<std::unique_ptr<Rule>> &Out) {
  if (llvm::is_contained(Enabled, "wait-at-dispatch"))
    Out.push_back(std::make_unique<WaitAtDispatchRule>());
  if (llvm::is_contained(Enabled, "stall-too-long"))
    Out.push_back(std::make_unique<StallTooLongRule>());
}
