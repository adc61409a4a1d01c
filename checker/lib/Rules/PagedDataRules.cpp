//===- PagedDataRules.cpp - paged-data-at-dispatch, spinlock-in-paged-memory ===//
///
/// \file
/// Data the kernel may page out (PagedMemory: PagedPool allocations followed
/// through copies, globals in PAGE* data sections):
///
/// - `paged-data-at-dispatch`: touched at IRQL >= DISPATCH_LEVEL or under a
///   spin lock, where a page fault cannot be served. Reported once per
///   function and paged object, at its first such access.
/// - `spinlock-in-paged-memory`: lock storage there. A global of a resident
///   type (KSPIN_LOCK, or a struct holding one) in a PAGE* section is
///   reported at its definition; a lock initialized (`resident:` contract)
///   on paged pool memory or in such a global, at the initialization.
///
/// As paged-code-at-dispatch does, a pageable function reports only the
/// levels it is at by its own role or raise: a call into it at
/// DISPATCH_LEVEL is that rule's finding, and fixing it fixes the rest.
///
//===----------------------------------------------------------------------===//
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"

using namespace irqlcheck;

static constexpr llvm::StringLiteral DataRule = "paged-data-at-dispatch";
static constexpr llvm::StringLiteral LockRule = "spinlock-in-paged-memory";

static const char *const MustBeResident =
    "storage must be resident (a device or controller extension, or "
    "nonpaged pool)";

static Note sectionNote(const GlobalFact &G) {
  return {G.SectionAt, "'" + G.Name + "' is placed in section " + G.Section +
                           " by " + G.SectionBy + " here"};
}

static Note originNote(const PagedMemory::Origin &O) {
  return {O.At, "allocated from paged pool by '" + O.Routine + "' here"};
}

/// The resident type global \p G is or holds, if any.
static const ResidentType *residentTypeOf(const GlobalFact &G,
                                          const ContractDB &DB) {
  for (const std::string &T : G.Types)
    if (const ResidentType *R = DB.residentType(T))
      return R;
  return nullptr;
}

namespace {

class PagedDataRule : public Rule {
  void onAccess(const RuleContext &Ctx, const AccessFact &A, const Loc &At,
                const State &S) const override {
    std::string Key, Where;
    Note Origin;
    if (const PagedMemory::Origin *O =
            Ctx.Paged.pagedPointer(Ctx.Function.Key, A.Base)) {
      Key = A.Base;
      Where = "in paged pool";
      Origin = originNote(*O);
    } else if (const GlobalFact *G =
                   A.Base.empty() ? Ctx.Paged.pagedGlobal(A.Path) : nullptr) {
      Key = G->Key;
      Where = "in pageable section " + G->Section;
      Origin = sectionNote(*G);
    } else {
      return;
    }

    std::optional<NoPagingReason> R =
        noPaging(Ctx, S, Ctx.Function.pageable());
    if (!R)
      return;
    std::vector<Note> Notes{Origin};
    llvm::append_range(Notes, R->Why);
    Observation Obs;
    Obs.Rule = DataRule.str();
    Obs.Key = Ctx.Function.Key + "\n" + Key;
    Obs.At = At;
    Obs.Message = std::string(A.Write ? "writing" : "reading") + " '" +
                  A.Text + "', " + Where + ", " + R->When +
                  "; it may be paged out";
    Obs.Why = std::move(Notes);
    Ctx.Observed.push_back(std::move(Obs));
  }

  /// The first access per function and paged object.
  void onProgram(const ProgramContext &, llvm::ArrayRef<Observation> All,
                 std::vector<Finding> &Out) const override {
    const std::string *Last = nullptr;
    for (const Observation &O : All) {
      if (O.Rule != DataRule || (Last && *Last == O.Key))
        continue;
      Last = &O.Key;
      Out.push_back({DataRule.str(), O.At, O.Message, O.Why});
    }
  }
};

class PagedLockRule : public Rule {
  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *K,
              const std::vector<LockOp> &, const State &) const override {
    if (!K || K->Resident.Arg < 0 ||
        size_t(K->Resident.Arg) >= C.Args.size())
      return;
    const ArgFact &A = C.Args[K->Resident.Arg];
    std::string Prefix = "'" + spelledName(C, Ctx.DB) + "' initializes " +
                         K->Resident.What + " '" + A.Text + "' ";
    std::string Suffix = "; " + K->Resident.What + " " + MustBeResident;
    if (const PagedMemory::Origin *O =
            Ctx.Paged.pagedPointer(Ctx.Function.Key, A.Base)) {
      Ctx.report(LockRule, C.At, Prefix + "in paged pool" + Suffix,
                 {originNote(*O)});
      return;
    }
    // A global of a resident type is reported at its definition.
    const GlobalFact *G =
        A.Base.empty() ? Ctx.Paged.pagedGlobal(A.Pointee) : nullptr;
    if (G && !residentTypeOf(*G, Ctx.DB))
      Ctx.report(LockRule, C.At,
                 Prefix + "in pageable section " + G->Section + Suffix,
                 {sectionNote(*G)});
  }

  void onProgram(const ProgramContext &P, llvm::ArrayRef<Observation>,
                 std::vector<Finding> &Out) const override {
    for (const GlobalFact *G : P.Paged.pagedGlobals()) {
      const ResidentType *R = residentTypeOf(*G, P.DB);
      if (!R)
        continue;
      std::string What =
          G->Types.front() == R->Type
              ? R->What + " '" + G->Name + "' is"
              : "'" + G->Name + "' holds a " + R->What + " (" + R->Type +
                    ") and is";
      Out.push_back({LockRule.str(), G->At,
                     What + " in pageable section " + G->Section + "; " +
                         R->What + " " + MustBeResident,
                     {sectionNote(*G)}});
    }
  }
};

} // namespace

void irqlcheck::addPagedDataRules(llvm::ArrayRef<std::string> Enabled,
                                  std::vector<std::unique_ptr<Rule>> &Out) {
  if (llvm::is_contained(Enabled, DataRule))
    Out.push_back(std::make_unique<PagedDataRule>());
  if (llvm::is_contained(Enabled, LockRule))
    Out.push_back(std::make_unique<PagedLockRule>());
}
