//===- InterruptConnection.h - Is the ISR connected here? --------*- C++
//-*-===//
///
/// \file
/// Before IoConnectInterrupt(Ex) and after IoDisconnectInterrupt(Ex) no ISR
/// runs for the device, so what the driver does there cannot race with its
/// ISR or deadlock against it: the initialization of the ISR's state in
/// StartDevice and AddDevice, the teardown in RemoveDevice. Rules that judge
/// code against the ISR (isr-shared-state, spinlock-irql-mix) ask this
/// class whether an access or a call of the function being checked runs
/// only while the interrupt is not connected.
///
/// Per function, a may-analysis over its fact CFG: a call whose contract
/// says `interrupt: connect` sets "connected", `interrupt: disconnect` sets
/// "not connected", a call to a program function applies the states at that
/// function's returns. "As on entry" is resolved through the call graph: a
/// function that connects the interrupt itself is entered not connected
/// (connecting twice would be a defect of its own); otherwise each of its
/// roles must be marked `interrupt_not_connected` (AddDevice, DriverEntry)
/// or run above DISPATCH_LEVEL, and each call into it must be made above
/// DISPATCH_LEVEL, under the interrupt spin lock (synchronized with the ISR
/// anyway), or where the interrupt is not connected.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_RULES_INTERRUPTCONNECTION_H
#define IRQLCHECK_RULES_INTERRUPTCONNECTION_H

#include "Rules/Rules.h"

#include "llvm/ADT/DenseMap.h"

#include <map>
#include <string>
#include <vector>

namespace irqlcheck {

/// The key of the interrupt spin lock in lock states (roles.yaml `holds`,
/// the KeAcquireInterruptSpinLock contract's `global`).
inline constexpr llvm::StringLiteral InterruptSpinLockKey =
    "<InterruptSpinLock>";

/// The interrupt spin lock is held on every path in \p Locks, a state of a
/// function entered with \p Entry: taken there, or held on entry in every
/// context.
bool interruptLockHeld(const std::map<std::string, LockState> &Locks,
                       const EntryContext &Entry);

class InterruptConnection {
public:
  /// The access \p A (the AccessFact the replay hands a rule, inside
  /// Ctx.Function's facts) runs only while the interrupt is not connected.
  bool notConnectedAt(const RuleContext &Ctx, const AccessFact &A) const;
  /// The same for the call \p C of Ctx.Function.
  bool notConnectedAt(const RuleContext &Ctx, const CallFact &C) const;

private:
  uint8_t step(const RuleContext &Ctx, const Event &E, uint8_t S) const;
  uint8_t exitStates(const RuleContext &Ctx, const FunctionFact &F) const;
  const std::vector<uint8_t> &blockStates(const RuleContext &Ctx,
                                          const FunctionFact &F) const;
  const llvm::DenseMap<const void *, uint8_t> &
  eventStates(const RuleContext &Ctx, const FunctionFact &F) const;
  uint8_t stateBefore(const RuleContext &Ctx, const FunctionFact &F,
                      const AccessFact *Access, const CallFact *Call) const;
  bool notConnected(const RuleContext &Ctx, const FunctionFact &F,
                    uint8_t S) const;
  bool entersUnshared(const RuleContext &Ctx, const std::string &Key) const;
  bool computeEntersUnshared(const RuleContext &Ctx,
                             const std::string &Key) const;

  // Derived from the whole program on first use. A rule owns one for one
  // analysis of one program, so they never go stale.
  mutable std::map<const FunctionFact *, std::vector<uint8_t>> BlockStates;
  /// Per function: the state before each access and call, keyed by the
  /// address of its AccessFact or CallFact (looked up, never iterated).
  mutable std::map<const FunctionFact *, llvm::DenseMap<const void *, uint8_t>>
      EventStates;
  /// Per function: the connection states at its returns, "as on entry"
  /// standing for its caller's state.
  mutable std::map<const FunctionFact *, uint8_t> ExitStates;
  /// Per function: 1 if every way into it that is neither synchronized
  /// with the ISR nor above DISPATCH_LEVEL runs while the interrupt is not
  /// connected, 0 if not (or not known), 2 while being computed.
  mutable std::map<std::string, int> EntersUnshared;
};

} // namespace irqlcheck

#endif
