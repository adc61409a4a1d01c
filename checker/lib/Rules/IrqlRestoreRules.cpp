//===- IrqlRestoreRules.cpp - irql-not-restored, irql-restore-mismatch ----===//
///
/// \file
/// A function must leave at the IRQL it was entered at, and each lowering
/// must restore the value its own raise or acquire saved. Raise wrappers
/// (every path returns raised, or annotated _IRQL_raises_) are exempt:
/// their callers inherit the raised IRQL through the summary and are
/// judged instead. A return with a lock possibly held, or whose IRQL a lock
/// routine set last, is left to the lock rules, which name the cause.
///
//===----------------------------------------------------------------------===//
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"

using namespace irqlcheck;

/// A storage path as the user wrote it: `oldIrql@300` is `oldIrql`.
static std::string shownPath(const std::string &Path) {
  return Path.substr(0, Path.find('@'));
}

namespace {

class NotRestoredRule : public Rule {
  void onReturn(const RuleContext &Ctx, const Loc &At,
                const State &S) const override {
    const IrqlValue &V = S.Irql;
    IrqlSet Entry = Ctx.Entry.Irql;
    if (V.Unknown || !Entry || Ctx.Function.Sal.Raises)
      return;
    if (!Ctx.Entry.IsEntryRoutine && Ctx.Own && !Ctx.Own->ExitIrql.Unknown &&
        !Ctx.Own->ExitIrql.EntryMask && Ctx.Own->ExitIrql.Levels)
      return; // A raise wrapper.
    if (S.IrqlChangedByLock)
      return;
    for (const auto &[Key, L] : S.Locks)
      if (L.Mask & LS_Held)
        return;
    // Entered at E, it may leave at any of (E & mask) | levels.
    IrqlSet BadEntry = 0, Exits = 0;
    bool Always = true;
    for (IrqlSet E = IL_Passive; E <= IL_High; E <<= 1) {
      if (!(Entry & E))
        continue;
      IrqlSet Out = V.substitute(E);
      if (Out & ~E) {
        BadEntry |= E;
        Exits |= Out & ~E;
        Always &= !(Out & E);
      }
    }
    if (!BadEntry)
      return;
    std::vector<Note> Notes;
    if (S.IrqlChangedAt.valid())
      Notes.push_back({S.IrqlChangedAt, "IRQL " + S.IrqlChange + " here"});
    for (Note &N : Ctx.whyIrql(BadEntry))
      Notes.push_back(std::move(N));
    Ctx.report("irql-not-restored", At,
               "'" + Ctx.Function.Name + "' " +
                   (Always ? "returns" : "may return") + " at " +
                   describeLevels(Exits) + ", but was entered at " +
                   describeLevels(BadEntry),
               std::move(Notes));
  }
};

class RestoreMismatchRule : public Rule {
  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *K,
              const std::vector<LockOp> &Ops,
              const State &Before) const override {
    if (!K || K->Irql.RestoresArg < 0 ||
        size_t(K->Irql.RestoresArg) >= C.Args.size())
      return;
    const ArgFact &A = C.Args[K->Irql.RestoresArg];
    if (A.Value.empty() || A.HasConst)
      return;
    std::string Routine = spelledName(C, Ctx.DB);
    if (K->Lock.Op == LockContract::LO_Release) {
      // Releasing a lock with another acquire's saved IRQL.
      if (Ops.empty() || Ops.front().Key.empty())
        return;
      const LockOp &Op = Ops.front();
      const LockState &L = lockState(Before, Op.Key);
      if (L.Mask != LS_Held || L.SavedIn.empty() || L.SavedIn == "?" ||
          L.SavedIn == A.Value)
        return;
      // A wrong release routine, or an acquire of a lock held on entry
      // (a self-deadlock), is reported by the lock rules.
      if (Ctx.Entry.held(Op.Key))
        return;
      for (const Acquisition &Acq : L.By) {
        const Contract *AK = Ctx.DB.lookup(Acq.Routine);
        if (AK && !AK->Lock.ReleasedBy.empty() &&
            !llvm::is_contained(AK->Lock.ReleasedBy, Op.Routine))
          return;
      }
      std::string Name = describeLock(L);
      std::vector<Note> Notes;
      for (const Acquisition &Acq : L.By)
        Notes.push_back({Acq.At, Name + " acquired here, saving the IRQL "
                                        "to restore"});
      Ctx.report("irql-restore-mismatch", C.At,
                 "'" + Routine + "' restores the IRQL in '" + A.Text +
                     "', but the acquire of " + Name + " saved it in '" +
                     shownPath(L.SavedIn) + "'",
                 std::move(Notes));
      return;
    }
    if (K->Lock.Op != LockContract::LO_None)
      return;
    // Lowering to a value a spin lock acquire saved: the end of a raise
    // must use the raise's own saved IRQL.
    auto It = Before.Saved.find(A.Value);
    if (It == Before.Saved.end() || It->second.ByLock.empty() ||
        It->second.ByLock == "?")
      return;
    const LockState &L = lockState(Before, It->second.ByLock);
    std::string Name = describeLock(L);
    Ctx.report("irql-restore-mismatch", C.At,
               "'" + Routine + "' restores '" + A.Text +
                   "', the IRQL saved by the acquire of " + Name +
                   ", not by a raise",
               {{It->second.At, "'" + A.Text + "' saved here"}});
  }
};

} // namespace

void irqlcheck::addIrqlRestoreRules(llvm::ArrayRef<std::string> Enabled,
                                    std::vector<std::unique_ptr<Rule>> &Out) {
  if (llvm::is_contained(Enabled, "irql-not-restored"))
    Out.push_back(std::make_unique<NotRestoredRule>());
  if (llvm::is_contained(Enabled, "irql-restore-mismatch"))
    Out.push_back(std::make_unique<RestoreMismatchRule>());
}
