//===- LockRules.cpp - spin lock pairing, holding and leaking -------------===//
///
/// \file
/// spinlock-release-mismatch, spinlock-not-held, spinlock-double-acquire and
/// spinlock-leak. Locks untouched since entry are held iff the entry context
/// says so; in a function without a role that is unknown, and nothing that
/// depends on it is reported (it may be a lock wrapper).
///
//===----------------------------------------------------------------------===//
#include "Analysis/Dataflow.h"
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"

using namespace irqlcheck;

/// The lock as this call names it.
static LockState named(const LockOperand &Op, const Contract &K) {
  LockState L;
  L.Display = Op.Display;
  L.Kind = K.Lock.Kind;
  L.Global = !K.Lock.Global.empty();
  return L;
}

static std::vector<Note> acquiredHere(const LockState &L,
                                      const std::string &Name) {
  std::vector<Note> Out;
  if (L.Mask & LS_Held)
    for (const Acquisition &A : L.By)
      Out.push_back({A.At, Name + " acquired here"});
  return Out;
}

namespace {

class DoubleAcquireRule : public Rule {
  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *K,
              const State &Before) const override {
    if (!K || (K->Lock.Op != LockContract::LO_Acquire &&
               K->Lock.Op != LockContract::LO_TryAcquire))
      return;
    LockOperand Op = resolveLock(C, *K, Before);
    if (Op.Key.empty() || !Op.Precise)
      return;
    const LockState &L = lockState(Before, Op.Key);
    const EntryHeld *H = Ctx.Entry.held(Op.Key);
    bool EntryPart = (L.Mask & LS_AsEntry) && H;
    bool May = (L.Mask & LS_Held) || EntryPart;
    if (!May)
      return;
    bool Must = !(L.Mask & LS_Free) &&
                (!(L.Mask & LS_AsEntry) || (H && H->Must));
    std::string Name = describeLock(named(Op, *K));
    std::vector<Note> Notes = acquiredHere(L, Name);
    if (EntryPart)
      for (const RoleEvidence &W : Ctx.Entry.Why)
        Notes.push_back({W.At, W.Note + ", holding " + Name});
    Ctx.report("spinlock-double-acquire", C.At,
               "acquiring " + Name + " that " +
                   (Must ? "is already held" : "may already be held"),
               std::move(Notes));
  }
};

class NotHeldRule : public Rule {
  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *K,
              const State &Before) const override {
    if (!K || K->Lock.Op != LockContract::LO_Release)
      return;
    LockOperand Op = resolveLock(C, *K, Before);
    if (Op.Key.empty() || !Op.Precise)
      return; // A handle that took no lock here: see the mismatch rule.
    const LockState &L = lockState(Before, Op.Key);
    const EntryHeld *H = Ctx.Entry.held(Op.Key);
    // Only an entry routine's entry locks are known.
    bool Known = Ctx.Entry.IsEntryRoutine;
    bool May = (L.Mask & LS_Free) ||
               ((L.Mask & LS_AsEntry) && Known && !(H && H->Must));
    if (!May)
      return;
    bool Must = !(L.Mask & LS_Held) &&
                (!(L.Mask & LS_AsEntry) || (Known && !H));
    LockState Shown = named(Op, *K);
    if (Shown.Display.empty())
      Shown.Display = L.Display;
    std::string Name = describeLock(Shown);
    std::vector<Note> Notes;
    if (L.Mask & LS_Free)
      for (const Loc &At : L.ReleasedAt)
        Notes.push_back({At, Name + " released here"});
    Ctx.report("spinlock-not-held", C.At,
               "releasing " + Name + " that " +
                   (Must ? "is not held" : "may not be held"),
               std::move(Notes));
  }
};

class ReleaseMismatchRule : public Rule {
  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *K,
              const State &Before) const override {
    if (!K || K->Lock.Op != LockContract::LO_Release)
      return;
    LockOperand Op = resolveLock(C, *K, Before);
    std::string Spelled = spelledName(C, Ctx.DB);
    if (Op.Key.empty()) {
      reportWrongHandle(Ctx, C, *K, Op, Before, Spelled);
      return;
    }
    const LockState &L = lockState(Before, Op.Key);
    if (!(L.Mask & LS_Held))
      return;
    LockState Shown = named(Op, *K);
    if (Shown.Display.empty())
      Shown.Display = L.Display;
    Shown.Kind = L.Kind;
    std::string Name = describeLock(Shown);
    for (const Acquisition &A : L.By) {
      const Contract *AK = Ctx.DB.lookup(A.Routine);
      if (!AK || AK->Lock.ReleasedBy.empty() ||
          llvm::is_contained(AK->Lock.ReleasedBy, K->Name))
        continue;
      Ctx.report("spinlock-release-mismatch", C.At,
                 Name + " acquired with '" + A.Spelled +
                     "' is released with '" + Spelled + "'; release it with '" +
                     AK->Lock.ReleasedBy.front() + "'",
                 {{A.At, Name + " acquired here"}});
    }
  }

  /// `KeReleaseInStackQueuedSpinLock(&h2)` where the lock was taken with h1.
  static void reportWrongHandle(const RuleContext &Ctx, const CallFact &C,
                                const Contract &K, const LockOperand &Op,
                                const State &Before,
                                const std::string &Spelled) {
    if (Op.Handle.empty() || K.Lock.Handle < 0 ||
        size_t(K.Lock.Handle) >= C.Args.size())
      return;
    for (const auto &[Key, L] : Before.Locks) {
      if (!(L.Mask & LS_Held) || L.Handle.empty() || L.Handle == Op.Handle)
        continue;
      std::string Name = describeLock(L);
      std::string Given = C.Args[K.Lock.Handle].Text;
      Ctx.report("spinlock-release-mismatch", C.At,
                 "'" + Spelled + "' is given handle '" + Given + "', but " +
                     Name + " was acquired with another handle",
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
      Ctx.report("spinlock-leak", At,
                 "'" + Fn + "' " + (Must ? "returns" : "may return") +
                     " with " + Name + " held",
                 acquiredHere(L, Name));
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
      for (const RoleEvidence &W : Ctx.Entry.Why)
        Notes.push_back({W.At, W.Note + ", holding " + Name});
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
