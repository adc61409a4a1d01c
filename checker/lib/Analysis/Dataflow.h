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

/// The lock a lock routine call names, resolved against the current state.
struct LockOperand {
  std::string Key;     ///< Canonical path; empty if it cannot be resolved.
  std::string Display; ///< Source text.
  std::string Handle;  ///< Path of the in-stack queue handle, if any.
  bool Precise = true; ///< False for `[*]` elements and unresolved names.
};

/// Resolves the lock operand of call \p C to lock routine \p K in \p S.
LockOperand resolveLock(const CallFact &C, const Contract &K, const State &S);

/// The state of lock \p Key in \p S (as on entry when not tracked).
const LockState &lockState(const State &S, const std::string &Key);

/// The name to show for the callee of \p C: the outermost macro the user
/// wrote that expands to it (KeAcquireSpinLock), else the function.
std::string spelledName(const CallFact &C, const ContractDB &DB);

class AnalysisVisitor {
public:
  virtual ~AnalysisVisitor();
  /// Before call \p C; \p K is the callee's contract, if it has one.
  virtual void onCall(const CallFact &C, const Contract *K,
                      const State &Before) {}
  virtual void onReturn(const Loc &At, const State &S) {}
};

class FunctionAnalysis {
public:
  FunctionAnalysis(const FunctionFact &F, const ContractDB &DB);
  /// Computes the state at the entry of every block.
  void run();
  /// Walks every reachable block once with the fixpoint states.
  void replay(AnalysisVisitor &V) const;

private:
  void transferBlock(unsigned B, State &S, AnalysisVisitor *V) const;
  void transferCall(const CallFact &C, State &S) const;
  State edgeState(const State &Out, unsigned From, const Edge &E) const;

  const FunctionFact &F;
  const ContractDB &DB;
  std::vector<State> In;
};

} // namespace irqlcheck

#endif
