//===- EntryContexts.h - How each function is entered ------------*- C++ -*-===//
///
/// \file
/// The roles domain: the IRQLs a function may be entered at and the locks
/// held on entry, with the evidence (role typedef, registration, SAL
/// annotation) that notes cite. Strongest first: SAL IRQL annotations, then
/// the union of every role the function has.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_ANALYSIS_ENTRYCONTEXTS_H
#define IRQLCHECK_ANALYSIS_ENTRYCONTEXTS_H

#include "Contracts/ContractDB.h"
#include "Facts/Facts.h"

#include "llvm/ADT/StringMap.h"

namespace irqlcheck {

struct RoleEvidence {
  std::string Note; ///< "'F' is a DPC routine (declared as ...), which ..."
  Loc At;
  IrqlSet Irql = 0;
};

struct EntryHeld {
  std::string Key; ///< Lock path, `<CancelSpinLock>` for global locks.
  std::string Kind;
  bool Must = false;        ///< Held on entry in every role.
  bool MustRelease = false; ///< The function must release it.
};

struct EntryContext {
  /// IRQLs the function may be entered at; 0 when nothing says (then only
  /// what the function itself establishes is checked).
  IrqlSet Irql = 0;
  /// Called by the kernel: locks it returns holding are leaks.
  bool IsEntryRoutine = false;
  std::vector<RoleEvidence> Why;
  std::vector<EntryHeld> Held;

  const EntryHeld *held(const std::string &Key) const {
    for (const EntryHeld &H : Held)
      if (H.Key == Key)
        return &H;
    return nullptr;
  }
};

class EntryContexts {
public:
  void build(const std::vector<TUFacts> &TUs, const ContractDB &DB);
  /// The context of function \p Key; an empty context if it has none.
  const EntryContext &lookup(const std::string &Key) const;

private:
  void addRole(const std::string &Key, const std::string &Name,
               const Role &R, const std::string &How, const Loc &At);

  llvm::StringMap<EntryContext> Contexts;
  /// Roles seen per function, so each is counted once.
  llvm::StringMap<std::vector<std::string>> RolesOf;
};

} // namespace irqlcheck

#endif
