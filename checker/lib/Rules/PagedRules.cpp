//===- PagedRules.cpp - paged-code-at-dispatch ----------------------------===//
///
/// \file
/// Pageable code (a PAGE* section, or PAGED_CODE() in the body) run at IRQL
/// >= DISPATCH_LEVEL or under a spin lock, where a page fault cannot be
/// served. Each way into a pageable function is reported once, where it
/// happens:
///
/// - a call to it from a state at DISPATCH_LEVEL or above, or holding a spin
///   lock (also in a resident helper that merely inherits that state from
///   its callers: the helper's call is where resident code enters paged
///   code);
/// - its own role or annotation running it at DISPATCH_LEVEL or above (a
///   pageable DPC routine), reported at its PAGED_CODE() if it has one,
///   else at its name;
/// - a raise to DISPATCH_LEVEL or above inside it (a spin lock it takes),
///   reported at the raise: the rest of its code then runs there.
///
/// A pageable function reached that way is then at DISPATCH_LEVEL itself;
/// what it inherits from its callers is not reported again at its own
/// calls or at its PAGED_CODE(): fixing the call into it fixes those.
///
//===----------------------------------------------------------------------===//
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"

#include <optional>

using namespace irqlcheck;

static constexpr llvm::StringLiteral RuleId = "paged-code-at-dispatch";

namespace {

/// A pageable function and the evidence that it is.
struct Pageable {
  std::string Name;
  std::string Section, SectionBy;
  Loc SectionAt, PagedCodeAt;

  static std::optional<Pageable> of(const FunctionFact &F) {
    if (!F.pageable())
      return std::nullopt;
    return Pageable{F.Name, F.Section, F.SectionBy, F.SectionAt,
                    F.PagedCodeAt};
  }
  static std::optional<Pageable> of(const DeclFact &D) {
    if (!D.pageable())
      return std::nullopt;
    return Pageable{D.Name, D.Section, D.SectionBy, D.SectionAt, Loc()};
  }

  /// The section says more than PAGED_CODE(), which is only a check.
  Note why() const {
    if (isPageableSection(Section))
      return {SectionAt, "'" + Name + "' is pageable (placed in section " +
                             Section + " by " + SectionBy + ")"};
    return {PagedCodeAt, "'" + Name + "' is pageable (it uses PAGED_CODE())"};
  }
};

class PagedCodeRule : public Rule {
  void onFunction(const RuleContext &Ctx) const override {
    std::optional<Pageable> P = Pageable::of(Ctx.Function);
    if (!P)
      return;
    IrqlSet Bad = Ctx.Entry.ownLevels() & NoPaging;
    if (!Bad)
      return;
    std::vector<Note> Notes;
    Loc At = P->PagedCodeAt.valid() ? P->PagedCodeAt : Ctx.Function.At;
    if (isPageableSection(P->Section))
      Notes.push_back(P->why());
    for (Note &N : Ctx.whyIrql(Bad))
      Notes.push_back(std::move(N));
    Ctx.report(RuleId, At,
               "pageable function '" + P->Name + "' is called at " +
                   describeLevels(Bad) + "; it may be paged out",
               std::move(Notes));
  }

  void onReturn(const RuleContext &Ctx, const Loc &,
                const State &S) const override {
    reportOwnRaise(Ctx, S);
  }

  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *,
              const std::vector<LockOp> &, const State &Before) const override {
    reportOwnRaise(Ctx, Before);
    std::optional<Pageable> P = pageableCallee(Ctx, C);
    if (!P)
      return;
    // In a pageable function, what it inherits from its callers was
    // reported at the calls into it.
    std::optional<NoPagingReason> R =
        noPaging(Ctx, Before, Ctx.Function.pageable());
    if (!R)
      return;
    std::vector<Note> Notes{P->why()};
    llvm::append_range(Notes, R->Why);
    Ctx.report(RuleId, C.At,
               "calling pageable function '" + P->Name + "' " + R->When +
                   "; it may be paged out",
               std::move(Notes));
  }

  /// A pageable function running its own code at DISPATCH_LEVEL or above
  /// after it raised the IRQL. Every later event sees the same raise; the
  /// reporter keeps one finding per raise.
  static void reportOwnRaise(const RuleContext &Ctx, const State &S) {
    // Levels its own role gives it are reported once, at its entry.
    IrqlSet Raised = S.Irql.Levels & NoPaging & ~Ctx.Entry.ownLevels();
    // A raise, not a restore to a level an earlier raise set.
    if (S.Irql.Unknown || !Raised || !S.IrqlChangedAt.valid() ||
        !llvm::StringRef(S.IrqlChange).starts_with("raised"))
      return;
    std::optional<Pageable> P = Pageable::of(Ctx.Function);
    if (!P)
      return;
    Ctx.report(RuleId, S.IrqlChangedAt,
               "IRQL " + S.IrqlChange + " in pageable function '" + P->Name +
                   "'; it may be paged out",
               {P->why()});
  }

  /// The first pageable function \p C may call: a definition (also through
  /// a function pointer), else a prototype with a PAGE* section.
  static std::optional<Pageable> pageableCallee(const RuleContext &Ctx,
                                                const CallFact &C) {
    std::vector<const FunctionFact *> Callees = Ctx.Graph.callees(C);
    for (const FunctionFact *F : Callees)
      if (std::optional<Pageable> P = Pageable::of(*F))
        return P;
    if (Callees.empty() && !C.Callee.empty())
      if (const DeclFact *D = Ctx.Graph.declaration(C.Callee))
        return Pageable::of(*D);
    return std::nullopt;
  }
};

} // namespace

void irqlcheck::addPagedRules(llvm::ArrayRef<std::string> Enabled,
                              std::vector<std::unique_ptr<Rule>> &Out) {
  if (llvm::is_contained(Enabled, RuleId))
    Out.push_back(std::make_unique<PagedCodeRule>());
}
