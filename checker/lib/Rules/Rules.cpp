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

std::vector<Note> irqlcheck::roleNotes(const EntryContext &E, IrqlSet Levels) {
  std::vector<Note> Out;
  for (const RoleEvidence &W : E.Why)
    if (W.Irql & Levels)
      Out.push_back({W.At, W.Note});
  return Out;
}
