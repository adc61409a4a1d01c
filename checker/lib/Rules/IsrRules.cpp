//===- IsrRules.cpp - isr-shared-state ------------------------------------===//
///
/// \file
/// State an ISR shares with the rest of the driver. The ISR and the
/// SynchCritSection routines run at DIRQL holding the interrupt spin lock;
/// any other code that touches what they write must do so inside the same
/// critical section (a SynchCritSection routine run by
/// KeSynchronizeExecution, or KeAcquireInterruptSpinLock), or it races with
/// the ISR: it reads half-updated state, or its own write is lost.
///
/// Two sides, matched by object path over the whole program:
///
/// - the ISR side: writes in code whose IRQL is surely above DISPATCH_LEVEL
///   (the ISR, SynchCritSection routines, helpers only they call, code
///   after KeAcquireInterruptSpinLock);
/// - the other side: reads and writes where the IRQL may be DISPATCH_LEVEL
///   or lower and the interrupt spin lock is not surely held.
///
/// A path touched on the other side and written on the ISR side is
/// reported once, at its first such access in source order, with the first
/// ISR-side write as the evidence. Interlocked operations are calls, not
/// accesses, so they never race. Code that runs while the interrupt is not
/// connected (InterruptConnection.h: before IoConnectInterrupt(Ex), after
/// IoDisconnectInterrupt(Ex), AddDevice, ...) is not the other side.
///
//===----------------------------------------------------------------------===//
#include "Rules/InterruptConnection.h"
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"

using namespace irqlcheck;

static constexpr llvm::StringLiteral RuleId = "isr-shared-state";
static constexpr IrqlSet UpToDispatch = IL_Passive | IL_Apc | IL_Dispatch;

enum AccessKind {
  AK_IsrWrite, ///< A write on the ISR side.
  AK_Read,     ///< An unsynchronized read on the other side.
  AK_Write,    ///< An unsynchronized write on the other side.
};

/// Storage named the same in every function: no local (`x@12`) or
/// parameter (`$0`) in its path. Elements of one array are one object:
/// `Ring[3]` and `Ring[i]` are both `Ring[*]`.
static std::string sharedKey(const std::string &Path) {
  if (Path.empty() || isFunctionLocalPath(Path))
    return {};
  std::string Out;
  for (size_t I = 0; I < Path.size(); ++I) {
    Out += Path[I];
    if (Path[I] != '[')
      continue;
    size_t Close = Path.find(']', I);
    if (Close == std::string::npos)
      return {};
    Out += "*]";
    I = Close;
  }
  return Out;
}

/// \p A names \p B or an object inside it (`T::Isr` covers `T::Isr.Count`).
static bool covers(llvm::StringRef A, llvm::StringRef B) {
  return B.starts_with(A) &&
         (B.size() == A.size() || B[A.size()] == '.' || B[A.size()] == '[');
}

static bool overlap(const std::string &A, const std::string &B) {
  return covers(A, B) || covers(B, A);
}

namespace {

class IsrSharedStateRule : public Rule {
  InterruptConnection Connection;

  void onAccess(const RuleContext &Ctx, const AccessFact &A, const Loc &At,
                const State &S) const override {
    std::string Key = sharedKey(A.Path);
    IrqlSet Levels = Ctx.levels(S);
    if (Key.empty() || !Levels)
      return;
    Observation O;
    O.Rule = RuleId.str();
    O.Key = Key;
    O.At = At;
    O.Text = A.Text;
    O.Function = Ctx.Function.Name;
    if (!(Levels & UpToDispatch)) {
      if (!A.Write)
        return; // What the ISR side only reads, others may read too.
      O.Kind = AK_IsrWrite;
      O.Levels = Levels;
      O.Why = Ctx.irqlNotes(S, Levels);
      Ctx.Observed.push_back(std::move(O));
      return;
    }
    if (interruptLockHeld(S.Locks, Ctx.Entry) ||
        Connection.notConnectedAt(Ctx, A))
      return;
    O.Kind = A.Write ? AK_Write : AK_Read;
    O.Levels = Levels & UpToDispatch;
    O.Why = Ctx.irqlNotes(S, O.Levels);
    Ctx.Observed.push_back(std::move(O));
  }

  //===--- Judging -------------------------------------------------------===//

  void onProgram(const ProgramContext &, llvm::ArrayRef<Observation> All,
                 std::vector<Finding> &Out) const override {
    std::vector<const Observation *> IsrWrites;
    for (const Observation &O : All)
      if (O.Rule == RuleId && O.Kind == AK_IsrWrite)
        IsrWrites.push_back(&O);
    if (IsrWrites.empty())
      return;
    // Observations are sorted by rule, key and location: the first other-
    // side access of a key is the first in source order.
    for (size_t I = 0; I < All.size();) {
      size_t E = I;
      while (E < All.size() && All[E].Rule == All[I].Rule &&
             All[E].Key == All[I].Key)
        ++E;
      if (All[I].Rule == RuleId)
        judgeKey(All.slice(I, E - I), IsrWrites, Out);
      I = E;
    }
  }

  static void judgeKey(llvm::ArrayRef<Observation> Uses,
                       llvm::ArrayRef<const Observation *> IsrWrites,
                       std::vector<Finding> &Out) {
    const Observation *Other = nullptr;
    for (const Observation &O : Uses)
      if (O.Kind != AK_IsrWrite) {
        Other = &O;
        break;
      }
    if (!Other)
      return;
    const Observation *W = nullptr;
    for (const Observation *C : IsrWrites)
      if (overlap(C->Key, Other->Key) && (!W || C->At < W->At))
        W = C;
    if (W)
      report(*Other, *W, Out);
  }

  static void report(const Observation &O, const Observation &W,
                     std::vector<Finding> &Out) {
    const char *Verb = O.Kind == AK_Write ? "write" : "read";
    // Name what the ISR side writes when it is not plainly the same
    // storage: a part of it, or maybe another element of the array.
    bool Same = O.Key == W.Key && O.Key.find("[*]") == std::string::npos;
    std::string Written = Same ? "it" : "'" + W.Text + "'";
    std::vector<Note> Notes = O.Why;
    Notes.push_back({W.At, "'" + W.Text + "' is written here at " +
                               describeLevels(W.Levels)});
    Notes.insert(Notes.end(), W.Why.begin(), W.Why.end());
    Out.push_back(
        {RuleId.str(), O.At,
         "'" + O.Text + "' is " + (O.Kind == AK_Write ? "written" : "read") +
             " at " + describeLevels(O.Levels) +
             " without the interrupt spin lock, but '" + W.Function +
             "' writes " + Written + " at " + describeLevels(W.Levels) + "; " +
             Verb +
             " it in a SynchCritSection routine run by "
             "KeSynchronizeExecution, or under KeAcquireInterruptSpinLock",
         std::move(Notes)});
  }
};

} // namespace

void irqlcheck::addIsrRules(llvm::ArrayRef<std::string> Enabled,
                            std::vector<std::unique_ptr<Rule>> &Out) {
  if (llvm::is_contained(Enabled, RuleId))
    Out.push_back(std::make_unique<IsrSharedStateRule>());
}
