//===- IrqlRules.cpp - irql-too-low, irql-too-high ------------------------===//
///
/// \file
/// A call whose contract bounds the IRQL, made where the IRQL may be outside
/// those bounds. The IRQL at the call is the function's symbolic IRQL with
/// the entry context substituted; nothing is reported while it is unknown.
///
//===----------------------------------------------------------------------===//
#include "Analysis/Dataflow.h"
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"

using namespace irqlcheck;

namespace {

class IrqlBoundRule : public Rule {
public:
  enum BoundKind { BK_Min, BK_Max };
  IrqlBoundRule(BoundKind Bound, llvm::StringRef Id) : Bound(Bound), Id(Id) {}

  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *K,
              const std::vector<LockOp> &, const State &Before) const override {
    if (!K || !K->Irql.hasRequirement() || Before.Irql.Unknown)
      return;
    const IrqlContract &I = K->Irql;
    IrqlSet Possible = Before.Irql.substitute(Ctx.Entry.Irql);
    IrqlSet Bad = 0;
    if (Bound == BK_Min && I.Min)
      Bad = Possible & ~levelsAtLeast(I.Min) & IL_All;
    if (Bound == BK_Max && I.Max)
      Bad = Possible & ~levelsAtMost(I.Max) & IL_All;
    // A blocking wait at DISPATCH_LEVEL or above is wait-at-dispatch's
    // finding, whatever the wait's own maximum: one bad call, one finding.
    // A zero-timeout wait above DISPATCH_LEVEL stays here.
    if (Bound == BK_Max && blocksAtDispatch(classifyWait(C, K, Before)))
      Bad &= ~levelsAtLeast(IL_Dispatch);
    if (!Bad)
      return;
    Ctx.report(Id, C.At,
               "calling '" + spelledName(C, Ctx.DB) + "' requires IRQL " +
                   I.requirementText() + ", but IRQL may be " +
                   describeLevels(Bad) + " here",
               Ctx.irqlNotes(Before, Bad));
  }

private:
  BoundKind Bound;
  llvm::StringRef Id;
};

} // namespace

void irqlcheck::addIrqlRules(llvm::ArrayRef<std::string> Enabled,
                             std::vector<std::unique_ptr<Rule>> &Out) {
  if (llvm::is_contained(Enabled, "irql-too-low"))
    Out.push_back(
        std::make_unique<IrqlBoundRule>(IrqlBoundRule::BK_Min, "irql-too-low"));
  if (llvm::is_contained(Enabled, "irql-too-high"))
    Out.push_back(std::make_unique<IrqlBoundRule>(IrqlBoundRule::BK_Max,
                                                  "irql-too-high"));
}
