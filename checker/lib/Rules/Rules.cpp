//===- Rules.cpp - The rule catalogue -------------------------------------===//
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

using namespace irqlcheck;

Rule::~Rule() = default;

static const RuleInfo Catalogue[] = {
#define RULE(Id, Summary, CodeAnalysis) {Id, Summary, CodeAnalysis},
#include "Rules/Rules.def"
};

llvm::ArrayRef<RuleInfo> irqlcheck::allRules() { return Catalogue; }

bool irqlcheck::isKnownRule(llvm::StringRef Id) {
  return llvm::any_of(Catalogue, [&](const RuleInfo &R) { return R.Id == Id; });
}

std::vector<llvm::StringRef> irqlcheck::rulesForCodeAnalysis(unsigned Number) {
  std::vector<llvm::StringRef> Out;
  for (const RuleInfo &R : Catalogue) {
    llvm::SmallVector<llvm::StringRef, 4> Numbers;
    R.CodeAnalysis.split(Numbers, ' ', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef N : Numbers) {
      unsigned V = 0;
      if (!N.getAsInteger(10, V) && V == Number)
        Out.push_back(R.Id);
    }
  }
  return Out;
}

static std::vector<Note> asNotes(const std::vector<RoleEvidence> &Why) {
  std::vector<Note> Out;
  for (const RoleEvidence &W : Why)
    Out.push_back({W.At, W.Note});
  return Out;
}

std::vector<Note> RuleContext::whyIrql(IrqlSet Levels) const {
  return asNotes(Contexts.explainIrql(Function.Key, Levels));
}

std::vector<Note> RuleContext::irqlNotes(const State &S, IrqlSet Bad) const {
  std::vector<Note> Notes;
  if (S.Irql.EntryMask & Bad)
    Notes = whyIrql(Bad & S.Irql.EntryMask);
  if ((S.Irql.Levels & Bad) && S.IrqlChangedAt.valid())
    Notes.push_back({S.IrqlChangedAt, "IRQL " + S.IrqlChange + " here"});
  return Notes;
}

std::vector<Note> RuleContext::whyHeld(const std::string &Key,
                                       const std::string &Name) const {
  return asNotes(Contexts.explainHeld(Function.Key, Key, Name));
}

/// Fast mutexes and the like allow paging; only spin locks raise to
/// DISPATCH_LEVEL or above.
static bool isSpinLock(const std::string &Kind) {
  return llvm::StringRef(Kind).contains("spin lock");
}

namespace {
/// A spin lock held in some state, for messages, with its evidence.
struct HeldLock {
  std::string Name; ///< "spin lock 'ext->Lock'"
  bool Must = false; ///< Held on every path.
  std::vector<Note> Why;
};
} // namespace

/// A spin lock that may be held in \p S: one the function took, else one
/// it was handed (by its role, or by a caller unless \p SkipCallers).
static std::optional<HeldLock> heldSpinLock(const RuleContext &Ctx,
                                            const State &S, bool SkipCallers) {
  for (const auto &[Key, L] : S.Locks) {
    if (!(L.Mask & LS_Held) || !isSpinLock(L.Kind))
      continue;
    HeldLock H{describeLock(L), L.Mask == LS_Held, {}};
    for (const Acquisition &A : L.By)
      H.Why.push_back({A.At, H.Name + " acquired here"});
    return H;
  }
  for (const EntryHeld &E : Ctx.Entry.Held) {
    if (!isSpinLock(E.Kind) || (SkipCallers && E.Site >= 0) ||
        !(lockState(S, E.Key).Mask & LS_AsEntry))
      continue;
    HeldLock H{Ctx.Contexts.describeHeld(Ctx.Function.Key, E.Key),
               E.Must && lockState(S, E.Key).Mask == LS_AsEntry, {}};
    H.Why = Ctx.whyHeld(E.Key, H.Name);
    return H;
  }
  return std::nullopt;
}

std::optional<NoPagingReason>
irqlcheck::noPaging(const RuleContext &Ctx, const State &S, bool Inherited) {
  if (std::optional<HeldLock> L = heldSpinLock(Ctx, S, Inherited))
    return NoPagingReason{(L->Must ? "with " : "while ") + L->Name +
                              (L->Must ? " held" : " may be held"),
                          std::move(L->Why)};
  if (S.Irql.Unknown)
    return std::nullopt;
  IrqlSet EntryLevels = Inherited ? Ctx.Entry.ownLevels() : Ctx.Entry.Irql;
  IrqlSet FromEntry = S.Irql.EntryMask & EntryLevels & NoPaging;
  IrqlSet Raised = S.Irql.Levels & NoPaging;
  if (!(FromEntry | Raised))
    return std::nullopt;
  NoPagingReason R{"at " + describeLevels(FromEntry | Raised),
                   Ctx.whyIrql(FromEntry)};
  if (Raised && S.IrqlChangedAt.valid())
    R.Why.push_back({S.IrqlChangedAt, "IRQL " + S.IrqlChange + " here"});
  return R;
}
