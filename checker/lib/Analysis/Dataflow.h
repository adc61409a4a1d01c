//===- Dataflow.h - Per-function IRQL and lock-set dataflow ------*- C++ -*-===//
///
/// \file
/// Runs the state of Analysis/State.h over a function's fact CFG to a
/// fixpoint, once per function and independent of how it is entered; then
/// replays the blocks so that visitors (the rules) see the state before every
/// call and at every return, and substitute the entry context themselves.
///
/// Join policy: states are unions of possibilities (a lock may be held, an
/// IRQL may be DISPATCH_LEVEL); rules that need certainty ask for it
/// explicitly, and nothing is reported from an unknown IRQL or an
/// unresolvable lock expression (we prefer a missed bug to a false alarm).
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_ANALYSIS_DATAFLOW_H
#define IRQLCHECK_ANALYSIS_DATAFLOW_H

#include "Analysis/State.h"
#include "Contracts/ContractDB.h"
#include "Facts/Facts.h"

namespace irqlcheck {

/// One lock operation a call performs: from a DDI's contract, or from the
/// summary of a user function that wraps one (AcquireDeviceLock).
struct LockOp {
  LockContract::OpKind Op = LockContract::LO_None;
  std::string Key;     ///< Canonical path; empty if it cannot be resolved.
  std::string Display; ///< Source text.
  std::string Handle;  ///< Path of the in-stack queue handle, if any.
  bool Precise = true; ///< False for `[*]` elements and unresolved names.
  std::string Kind = "spin lock";
  bool Global = false;
  std::string Routine; ///< The DDI that really does it (for pairing).
  std::string Spelled; ///< What the user called.
  /// A wrapper that does it on some paths only: applied to the state, but
  /// rules do not judge it.
  bool Partial = false;
};

/// What a user function does to its caller's state, seen from its returns.
struct Summary {
  IrqlValue ExitIrql = IrqlValue::entry();
  /// Locks whose state differs from entry on some path to a return, keyed
  /// by the callee's path (`*$0` is what parameter 0 points to).
  std::map<std::string, LockState> Locks;
  /// IRQLs saved through pointer parameters (`*$1` = the saved IRQL).
  std::map<std::string, IrqlValue> Saves;
  bool empty() const {
    return ExitIrql == IrqlValue::entry() && Locks.empty() && Saves.empty();
  }
  bool operator==(const Summary &O) const {
    return ExitIrql == O.ExitIrql && Locks == O.Locks && Saves == O.Saves;
  }
};

using SummaryTable = std::map<std::string, Summary>;

/// Unresolved lock names (`?text`) and elements with a variable index name
/// no single lock: they are tracked but never judged.
bool isPreciseKey(const std::string &Key);

/// The state of lock \p Key in \p S (as on entry when not tracked).
const LockState &lockState(const State &S, const std::string &Key);

/// The contract of the callee of \p C: the function it names, or for a call
/// through a pointer the field it reads (`_DMA_OPERATIONS::MapTransfer`).
const Contract *contractFor(const CallFact &C, const ContractDB &DB);

/// The name to show for the callee of \p C: the outermost macro the user
/// wrote that expands to it (KeAcquireSpinLock), else the function.
std::string spelledName(const CallFact &C, const ContractDB &DB);

class AnalysisVisitor {
public:
  virtual ~AnalysisVisitor();
  /// Before call \p C; \p K is the callee's contract, if it has one, and
  /// \p Ops the lock operations the call performs.
  virtual void onCall(const CallFact &C, const Contract *K,
                      const std::vector<LockOp> &Ops, const State &Before) {}
  virtual void onReturn(const Loc &At, const State &S) {}
  /// At a read or write of memory the function does not own.
  virtual void onAccess(const AccessFact &A, const Loc &At, const State &S) {}
};

class FunctionAnalysis {
public:
  /// \p Summaries: effects of the user functions this one calls (may be
  /// null, or lack entries: such calls have no effect).
  FunctionAnalysis(const FunctionFact &F, const ContractDB &DB,
                   const SummaryTable *Summaries = nullptr);
  const FunctionFact &function() const { return F; }
  /// Computes the state at the entry of every block.
  void run();
  /// Walks every reachable block once with the fixpoint states.
  void replay(AnalysisVisitor &V) const;
  /// This function's effect on its callers (valid after run()).
  Summary summarize() const;
  /// The lock operations call \p C performs in state \p S.
  std::vector<LockOp> lockOps(const CallFact &C, const Contract *K,
                              const State &S) const;

private:
  void transferBlock(unsigned B, State &S, AnalysisVisitor *V) const;
  void transferCall(const CallFact &C, const Contract *K,
                    const std::vector<LockOp> &Ops, State &S) const;
  State edgeState(const State &Out, unsigned From, const Edge &E) const;
  const Summary *summaryFor(const CallFact &C) const;

  const FunctionFact &F;
  const ContractDB &DB;
  const SummaryTable *Summaries;
  std::vector<State> In;
};

} // namespace irqlcheck

#endif
