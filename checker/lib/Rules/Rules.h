//===- Rules.h - Rules turn analysis states into findings --------*- C++ -*-===//
///
/// \file
/// A rule watches the states the dataflow replays (before each call, at each
/// return), substitutes the function's entry context and reports findings.
/// Rules hold no state of their own; message text lives only here.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_RULES_RULES_H
#define IRQLCHECK_RULES_RULES_H

#include "Analysis/CallGraph.h"
#include "Analysis/Dataflow.h"
#include "Analysis/EntryContexts.h"
#include "Analysis/PagedMemory.h"
#include "Analysis/State.h"
#include "Contracts/ContractDB.h"
#include "Report/Finding.h"

#include "llvm/ADT/StringRef.h"

#include <memory>
#include <optional>
#include <vector>

namespace irqlcheck {

struct RuleInfo {
  llvm::StringRef Id;
  llvm::StringRef Summary;
  /// Microsoft Code Analysis warning numbers for the same defect,
  /// space-separated, the closest first; empty if there is none.
  llvm::StringRef CodeAnalysis;
};

/// Every rule, in catalogue order.
llvm::ArrayRef<RuleInfo> allRules();
bool isKnownRule(llvm::StringRef Id);
/// The rules Code Analysis warning \p Number maps to (none for a number
/// that is not one of theirs, such as a compiler warning).
std::vector<llvm::StringRef> rulesForCodeAnalysis(unsigned Number);

/// One use of a lock or a field, kept by a whole-program rule during the
/// per-function pass and judged once every function has been seen (a lock
/// taken one way in an ISR and another way elsewhere).
struct Observation {
  std::string Rule; ///< The rule that made it.
  std::string Key;  ///< What it is about: a lock or field object path.
  int Kind = 0;     ///< Rule-defined.
  IrqlSet Levels = 0; ///< IRQLs it may happen at.
  bool Synchronized = false; ///< Rule-defined (e.g. under the interrupt lock).
  Loc At;
  std::string Text;     ///< The lock or field as written there.
  std::string Spelled;  ///< The routine called, if any.
  std::string Function; ///< Name of the function it is in.
  std::string Message;  ///< A finding composed when observed, if any.
  std::vector<Note> Why; ///< Evidence for Levels/Synchronized.
};

/// What a rule sees of the whole program once every function is done.
struct ProgramContext {
  const ContractDB &DB;
  const PagedMemory &Paged;
};

/// What a rule sees of the function being checked.
struct RuleContext {
  const FunctionFact &Function;
  const EntryContext &Entry;
  const EntryContexts &Contexts;
  const CallGraph &Graph;
  const ContractDB &DB;
  const PagedMemory &Paged;
  /// The function's own effect on its callers (null if none).
  const Summary *Own;
  std::vector<Finding> &Out;
  std::vector<Observation> &Observed;

  /// The IRQLs the function may be at in \p S (none if not known).
  IrqlSet levels(const State &S) const {
    return S.Irql.Unknown ? 0 : S.Irql.substitute(Entry.Irql);
  }

  /// Notes explaining why the function may run at \p Levels: the chain of
  /// calls back to a role, an annotation or a raise.
  std::vector<Note> whyIrql(IrqlSet Levels) const;
  /// Notes explaining why the IRQL may be in \p Bad in state \p S: why
  /// the function runs there (whyIrql) and the raise in it, if any.
  std::vector<Note> irqlNotes(const State &S, IrqlSet Bad) const;
  /// Notes explaining why lock \p Key (called \p Name) is held on entry.
  std::vector<Note> whyHeld(const std::string &Key,
                            const std::string &Name) const;

  void report(llvm::StringRef Rule, const Loc &At, std::string Message,
              std::vector<Note> Notes) const {
    Out.push_back({Rule.str(), At, std::move(Message), std::move(Notes)});
  }
};

class Rule {
public:
  virtual ~Rule();
  /// Once per function, before its calls and returns.
  virtual void onFunction(const RuleContext &Ctx) const {}
  virtual void onCall(const RuleContext &Ctx, const CallFact &C,
                      const Contract *K, const std::vector<LockOp> &Ops,
                      const State &Before) const {}
  virtual void onReturn(const RuleContext &Ctx, const Loc &At,
                        const State &S) const {}
  virtual void onAccess(const RuleContext &Ctx, const AccessFact &A,
                        const Loc &At, const State &S) const {}
  /// Once, after every function, with every rule's observations sorted by
  /// rule, key and location: a rule judges those it made.
  virtual void onProgram(const ProgramContext &P,
                         llvm::ArrayRef<Observation> All,
                         std::vector<Finding> &Out) const {}
};

/// Levels at which no page fault can be served.
inline constexpr IrqlSet NoPaging = IL_Dispatch | IL_Dirql | IL_High;

/// Why a page fault could not be served in state \p S: a spin lock may be
/// held, or the IRQL may be DISPATCH_LEVEL or above. With \p Inherited (a
/// pageable function: what its callers hand it is reported at the calls
/// into it), only its own locks, raises and role count.
struct NoPagingReason {
  std::string When; ///< "with spin lock 'l' held", "at DISPATCH_LEVEL"
  std::vector<Note> Why;
};
std::optional<NoPagingReason> noPaging(const RuleContext &Ctx, const State &S,
                                       bool Inherited);

/// How a call to a routine with a `wait:` contract waits, in state \p S.
enum WaitKind {
  WK_None,     ///< Not a wait.
  WK_Zero,     ///< A timeout visibly zero: a poll, allowed at DISPATCH_LEVEL.
  WK_Infinite, ///< A NULL timeout.
  WK_NonZero,  ///< A timeout known to be non-zero.
  WK_Unknown,  ///< A timeout not known to be zero.
  WK_Always,   ///< Blocks whatever the timeout (KeDelayExecutionThread).
};
WaitKind classifyWait(const CallFact &C, const Contract *K, const State &S);

/// True if wait-at-dispatch owns the levels >= DISPATCH_LEVEL of this call:
/// irql-too-high leaves them to it, so one bad wait is one finding.
inline bool blocksAtDispatch(WaitKind W) {
  return W != WK_None && W != WK_Zero;
}

/// The rule families, each in its own file.
void addIrqlRules(llvm::ArrayRef<std::string> Enabled,
                  std::vector<std::unique_ptr<Rule>> &Out);
void addLockRules(llvm::ArrayRef<std::string> Enabled,
                  std::vector<std::unique_ptr<Rule>> &Out);
void addIrqlRestoreRules(llvm::ArrayRef<std::string> Enabled,
                         std::vector<std::unique_ptr<Rule>> &Out);
void addPagedRules(llvm::ArrayRef<std::string> Enabled,
                   std::vector<std::unique_ptr<Rule>> &Out);
void addDpcRules(llvm::ArrayRef<std::string> Enabled,
                 std::vector<std::unique_ptr<Rule>> &Out);
void addPagedDataRules(llvm::ArrayRef<std::string> Enabled,
                       std::vector<std::unique_ptr<Rule>> &Out);
void addInterlockedRules(llvm::ArrayRef<std::string> Enabled,
                         std::vector<std::unique_ptr<Rule>> &Out);
void addIsrRules(llvm::ArrayRef<std::string> Enabled,
                 std::vector<std::unique_ptr<Rule>> &Out);

} // namespace irqlcheck

#endif
