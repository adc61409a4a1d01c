//===- EntryContexts.h - How each function is entered ------------*- C++ -*-===//
///
/// \file
/// The roles domain: the IRQLs a function may be entered at and the locks
/// held on entry, with the evidence that notes cite. Where they come from,
/// strongest first: SAL IRQL annotations (which fix the IRQL), the roles
/// the function has (role typedefs, _Function_class_, registrations), and
/// the call sites that reach it: a caller's IRQL and held locks at a call
/// flow into the callee, transitively (SPEC section 5).
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_ANALYSIS_ENTRYCONTEXTS_H
#define IRQLCHECK_ANALYSIS_ENTRYCONTEXTS_H

#include "Analysis/CallGraph.h"
#include "Analysis/State.h"
#include "Contracts/ContractDB.h"
#include "Facts/Facts.h"

#include "llvm/ADT/StringMap.h"

namespace irqlcheck {

/// One piece of evidence, as a note: "'F' is a DPC routine (...)".
struct RoleEvidence {
  std::string Note;
  Loc At;
  IrqlSet Irql = 0;
};

/// A call from one program function to another, with the caller's state
/// just before it (relative to the caller's entry).
struct CallSite {
  std::string Caller;
  std::string Callee;
  const CallFact *Call = nullptr;
  IrqlValue Irql;
  Loc IrqlChangedAt;
  std::string IrqlChange;
  std::map<std::string, LockState> Locks;
};

struct EntryHeld {
  std::string Key; ///< Lock path, `<CancelSpinLock>` for global locks.
  std::string Kind;
  bool Must = false;        ///< Held on entry in every context.
  bool MustRelease = false; ///< The function must release it.
  /// The call site that hands it over held (-1: a role does), and the
  /// lock's key in that caller.
  int Site = -1;
  std::string CallerKey;
  /// Why, when an annotation (not a role) says it is held.
  std::string Note;
  Loc NoteAt;
};

struct EntryContext {
  /// IRQLs the function may be entered at; 0 when nothing says (then only
  /// what the function itself establishes is checked).
  IrqlSet Irql = 0;
  /// Called by the kernel: locks it returns holding are leaks.
  bool IsEntryRoutine = false;
  /// Names of the roles it has (rules/roles.yaml), each once.
  std::vector<std::string> Roles;
  /// Its IRQL is fixed by a SAL annotation: callers do not widen it.
  bool FixedBySal = false;
  std::vector<RoleEvidence> Why;
  std::vector<EntryHeld> Held;
  /// Per level (bit index): the call site it first arrived through, -1
  /// for a role or annotation; and whether that caller raised to it.
  int Via[5] = {-1, -1, -1, -1, -1};
  bool ViaRaise[5] = {};

  /// The entry levels its own roles or annotations give it, not a caller.
  IrqlSet ownLevels() const {
    IrqlSet Out = 0;
    for (unsigned B = 0; B < 5; ++B)
      if ((Irql & (1u << B)) && Via[B] < 0)
        Out |= IrqlSet(1u << B);
    return Out;
  }

  const EntryHeld *held(const std::string &Key) const {
    for (const EntryHeld &H : Held)
      if (H.Key == Key)
        return &H;
    return nullptr;
  }
};

class EntryContexts {
public:
  /// Roles and annotations.
  void build(const std::vector<TUFacts> &TUs, const ContractDB &DB,
             const CallGraph &CG);
  /// Adds what the calls between program functions imply. Breadth-first,
  /// so the path recorded for each level or lock is a shortest one.
  void propagate(std::vector<CallSite> Sites);
  /// The context of function \p Key; an empty context if it has none.
  const EntryContext &lookup(const std::string &Key) const;
  /// The calls between program functions that reach \p Key (after
  /// propagate()), in source order.
  std::vector<const CallSite *> sitesInto(const std::string &Key) const;

  /// Why function \p Key may run at \p Levels: for each level the chain of
  /// calls back to the role, annotation or raise it comes from.
  std::vector<RoleEvidence> explainIrql(const std::string &Key,
                                        IrqlSet Levels) const;
  /// Lock \p Lock held on entry to \p Key as the nearest caller that
  /// names it writes it ("spin lock 'ext->Lock'").
  std::string describeHeld(const std::string &Key,
                           const std::string &Lock) const;
  /// Why lock \p Lock is held on entry to \p Key; \p Name describes it.
  std::vector<RoleEvidence> explainHeld(const std::string &Key,
                                        const std::string &Lock,
                                        std::string Name) const;

private:
  void addRole(const std::string &Key, const std::string &Name,
               const Role &R, const std::string &How, const Loc &At);
  std::string nameOf(const std::string &Key) const;
  void computeMustHold(const llvm::StringMap<std::vector<unsigned>> &Into);

  llvm::StringMap<EntryContext> Contexts;
  /// Roles seen per function, so each is counted once.
  llvm::StringMap<std::vector<std::string>> RolesOf;
  llvm::StringMap<std::string> Names;
  std::vector<CallSite> Sites;
  /// Indices into Sites of the calls that reach each function.
  llvm::StringMap<std::vector<unsigned>> Into;
};

} // namespace irqlcheck

#endif
