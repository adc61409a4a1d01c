//===- LockRules.cpp - spin lock pairing, holding and leaking -------------===//
///
/// \file
/// spinlock-release-mismatch, spinlock-not-held, spinlock-double-acquire and
/// spinlock-leak. Locks untouched since entry are held iff the entry context
/// says so; in a function without a role that is unknown, and nothing that
/// depends on it is reported (it may be a lock wrapper). Lock operations
/// come from DDI contracts or from wrappers' summaries; a wrapper that does
/// its work on some paths only is not judged.
///
//===----------------------------------------------------------------------===//
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"

using namespace irqlcheck;

/// The lock as this call names it, for messages.
static std::string nameOf(const LockOp &Op, const LockState &Current) {
  LockState L;
  L.Display = Op.Display.empty() ? Current.Display : Op.Display;
  L.Kind = Op.Kind;
  L.Global = Op.Global;
  return describeLock(L);
}

static std::vector<Note> acquiredHere(const LockState &L,
                                      const std::string &Name) {
  std::vector<Note> Out;
  if (L.Mask & LS_Held)
    for (const Acquisition &A : L.By)
      Out.push_back({A.At, Name + " acquired here"});
  return Out;
}

/// How the function came to hold lock \p Key on entry.
static void addHoldingNotes(const RuleContext &Ctx, const std::string &Key,
                            const std::string &Name,
                            std::vector<Note> &Notes) {
  for (Note &N : Ctx.whyHeld(Key, Name))
    Notes.push_back(std::move(N));
}

static bool judged(const LockOp &Op, LockContract::OpKind Kind) {
  if (Op.Partial || Op.Key.empty())
    return false;
  if (Kind == LockContract::LO_Acquire)
    return Op.Op == LockContract::LO_Acquire ||
           Op.Op == LockContract::LO_TryAcquire;
  return Op.Op == Kind;
}

/// The function returns holding lock \p Key on every path: it is an
/// acquire wrapper, and its callers apply (and judge) the acquire.
static bool acquiresForCallers(const RuleContext &Ctx, const std::string &Key) {
  if (!Ctx.Own)
    return false;
  auto It = Ctx.Own->Locks.find(Key);
  return It != Ctx.Own->Locks.end() &&
         (It->second.Mask & (LS_Held | LS_Free | LS_AsEntry)) == LS_Held;
}

namespace {

class DoubleAcquireRule : public Rule {
  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *,
              const std::vector<LockOp> &Ops,
              const State &Before) const override {
    for (const LockOp &Op : Ops) {
      if (!judged(Op, LockContract::LO_Acquire) || !Op.Precise)
        continue;
      const LockState &L = lockState(Before, Op.Key);
      const EntryHeld *H = Ctx.Entry.held(Op.Key);
      bool EntryPart = (L.Mask & LS_AsEntry) && H;
      if (!(L.Mask & LS_Held) && !EntryPart)
        continue;
      // An acquire wrapper's callers judge the acquire at each call.
      if (!(L.Mask & LS_Held) && acquiresForCallers(Ctx, Op.Key))
        continue;
      bool Must = !(L.Mask & LS_Free) &&
                  (!(L.Mask & LS_AsEntry) || (H && H->Must));
      std::string Name = nameOf(Op, L);
      std::vector<Note> Notes = acquiredHere(L, Name);
      if (EntryPart)
        addHoldingNotes(Ctx, Op.Key, Name, Notes);
      Ctx.report("spinlock-double-acquire", C.At,
                 "acquiring " + Name + " that " +
                     (Must ? "is already held" : "may already be held"),
                 std::move(Notes));
    }
  }
};

class NotHeldRule : public Rule {
  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *,
              const std::vector<LockOp> &Ops,
              const State &Before) const override {
    for (const LockOp &Op : Ops) {
      // A handle that took no lock here: see the mismatch rule.
      if (!judged(Op, LockContract::LO_Release) || !Op.Precise)
        continue;
      const LockState &L = lockState(Before, Op.Key);
      const EntryHeld *H = Ctx.Entry.held(Op.Key);
      // Only an entry routine's entry locks are known.
      bool Known = Ctx.Entry.IsEntryRoutine;
      bool May = (L.Mask & LS_Free) ||
                 ((L.Mask & LS_AsEntry) && Known && !(H && H->Must));
      if (!May)
        continue;
      bool Must = !(L.Mask & LS_Held) &&
                  (!(L.Mask & LS_AsEntry) || (Known && !H));
      std::string Name = nameOf(Op, L);
      std::vector<Note> Notes;
      if (L.Mask & LS_Free)
        for (const Loc &At : L.ReleasedAt)
          Notes.push_back({At, Name + " released here"});
      Ctx.report("spinlock-not-held", C.At,
                 "releasing " + Name + " that " +
                     (Must ? "is not held" : "may not be held"),
                 std::move(Notes));
    }
  }
};

class ReleaseMismatchRule : public Rule {
  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *K,
              const std::vector<LockOp> &Ops,
              const State &Before) const override {
    // `KeReleaseInStackQueuedSpinLock(&h2)` where the lock was taken with h1.
    if (K && K->Lock.Op == LockContract::LO_Release && K->Lock.Handle >= 0 &&
        size_t(K->Lock.Handle) < C.Args.size() && !Ops.empty() &&
        Ops.front().Key.empty() && !Ops.front().Handle.empty())
      reportWrongHandle(Ctx, C, *K, Ops.front(), Before);

    for (const LockOp &Op : Ops) {
      if (!judged(Op, LockContract::LO_Release) || Op.Routine.empty())
        continue;
      const LockState &L = lockState(Before, Op.Key);
      if (!(L.Mask & LS_Held))
        continue;
      LockState Shown;
      Shown.Display = Op.Display.empty() ? L.Display : Op.Display;
      Shown.Kind = L.Kind;
      Shown.Global = L.Global;
      std::string Name = describeLock(Shown);
      for (const Acquisition &A : L.By) {
        const Contract *AK = Ctx.DB.lookup(A.Routine);
        if (!AK || AK->Lock.ReleasedBy.empty() ||
            llvm::is_contained(AK->Lock.ReleasedBy, Op.Routine))
          continue;
        Ctx.report("spinlock-release-mismatch", C.At,
                   Name + " acquired with '" + A.Spelled +
                       "' is released with '" + Op.Spelled +
                       "'; release it with '" + AK->Lock.ReleasedBy.front() +
                       "'",
                   {{A.At, Name + " acquired here"}});
      }
    }
  }

  static void reportWrongHandle(const RuleContext &Ctx, const CallFact &C,
                                const Contract &K, const LockOp &Op,
                                const State &Before) {
    for (const auto &[Key, L] : Before.Locks) {
      if (!(L.Mask & LS_Held) || L.Handle.empty() || L.Handle == Op.Handle)
        continue;
      std::string Name = describeLock(L);
      Ctx.report("spinlock-release-mismatch", C.At,
                 "'" + Op.Spelled + "' is given handle '" +
                     C.Args[K.Lock.Handle].Text + "', but " + Name +
                     " was acquired with another handle",
                 acquiredHere(L, Name));
      return;
    }
  }
};

class LeakRule : public Rule {
  void onReturn(const RuleContext &Ctx, const Loc &At,
                const State &S) const override {
    if (!Ctx.Entry.IsEntryRoutine)
      return;
    const std::string &Fn = Ctx.Function.Name;
    for (const auto &[Key, L] : S.Locks) {
      const EntryHeld *H = Ctx.Entry.held(Key);
      bool EntryPart = (L.Mask & LS_AsEntry) && H && H->MustRelease;
      if (!(L.Mask & LS_Held) && !EntryPart)
        continue;
      bool Must = !(L.Mask & LS_Free) &&
                  (!(L.Mask & LS_AsEntry) || (H && H->Must && H->MustRelease));
      std::string Name = describeLock(L);
      std::vector<Note> Notes = acquiredHere(L, Name);
      if (EntryPart)
        addHoldingNotes(Ctx, Key, Name, Notes);
      Ctx.report("spinlock-leak", At,
                 "'" + Fn + "' " + (Must ? "returns" : "may return") +
                     " with " + Name + " held",
                 std::move(Notes));
    }
    // Locks the function was handed and never touched.
    for (const EntryHeld &H : Ctx.Entry.Held) {
      if (!H.MustRelease || S.Locks.count(H.Key))
        continue;
      LockState L;
      L.Kind = H.Kind;
      L.Global = true;
      std::string Name = describeLock(L);
      std::vector<Note> Notes;
      addHoldingNotes(Ctx, H.Key, Name, Notes);
      Ctx.report("spinlock-leak", At,
                 "'" + Fn + "' " + (H.Must ? "returns" : "may return") +
                     " with " + Name + " held",
                 std::move(Notes));
    }
  }
};

} // namespace

void irqlcheck::addLockRules(llvm::ArrayRef<std::string> Enabled,
                             std::vector<std::unique_ptr<Rule>> &Out) {
  if (llvm::is_contained(Enabled, "spinlock-release-mismatch"))
    Out.push_back(std::make_unique<ReleaseMismatchRule>());
  if (llvm::is_contained(Enabled, "spinlock-not-held"))
    Out.push_back(std::make_unique<NotHeldRule>());
  if (llvm::is_contained(Enabled, "spinlock-double-acquire"))
    Out.push_back(std::make_unique<DoubleAcquireRule>());
  if (llvm::is_contained(Enabled, "spinlock-leak"))
    Out.push_back(std::make_unique<LeakRule>());
}
