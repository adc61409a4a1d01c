//===- Rules.cpp - The rule catalogue -------------------------------------===//
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"

using namespace irqlcheck;

Rule::~Rule() = default;

static const RuleInfo Catalogue[] = {
#define RULE(Id, Summary) {Id, Summary},
#include "Rules/Rules.def"
};

llvm::ArrayRef<RuleInfo> irqlcheck::allRules() { return Catalogue; }

bool irqlcheck::isKnownRule(llvm::StringRef Id) {
  return llvm::any_of(Catalogue, [&](const RuleInfo &R) { return R.Id == Id; });
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
