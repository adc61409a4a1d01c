//===- State.h - The abstract state at a program point -----------*- C++ -*-===//
///
/// \file
/// The product of the IRQL domain, the held-lock domain, the saved-IRQL
/// variables and the constants known in local variables, relative to the
/// function's entry (locks "as on entry" are neither known held nor known
/// free until the entry context is known).
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_ANALYSIS_STATE_H
#define IRQLCHECK_ANALYSIS_STATE_H

#include "Domain/Irql.h"
#include "Facts/Facts.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace irqlcheck {

/// Possible states of one lock, as a set: join keeps every possibility, so
/// "held on some path" and "held on every path" stay distinguishable.
enum : uint8_t {
  LS_AsEntry = 1, ///< Untouched since entry: held iff held on entry.
  LS_Held = 2,
  LS_Free = 4,
};

/// Where and how a lock was taken.
struct Acquisition {
  std::string Routine; ///< Contract name, for pairing with its release.
  std::string Spelled; ///< As written, for messages.
  Loc At;
  bool operator==(const Acquisition &O) const {
    return Routine == O.Routine && At == O.At;
  }
  bool operator<(const Acquisition &O) const {
    return std::tie(At, Routine) < std::tie(O.At, O.Routine);
  }
};

struct LockState {
  uint8_t Mask = LS_AsEntry;
  std::string Display; ///< Source text naming the lock.
  std::string Kind = "spin lock";
  bool Global = false;     ///< A lock with no argument (the cancel lock).
  std::string Handle;      ///< In-stack queue handle it was taken with.
  std::vector<Acquisition> By; ///< Acquisitions that may hold it.
  std::vector<Loc> ReleasedAt; ///< Releases that may have freed it.
  std::string ReleasedWith;    ///< Routine of the last release, if any.
  /// Where its acquire saved the previous IRQL (`old@12`); "?" when paths
  /// disagree. The release must restore that value.
  std::string SavedIn;
  /// Released on some path while it could still be the caller's lock: the
  /// function is a release wrapper (an acquire-release pair inside the
  /// function leaves the caller's state unchanged).
  bool ReleasedEntryLock = false;

  bool operator==(const LockState &O) const {
    return Mask == O.Mask && Handle == O.Handle && By == O.By &&
           ReleasedAt == O.ReleasedAt && SavedIn == O.SavedIn &&
           ReleasedEntryLock == O.ReleasedEntryLock;
  }
};

struct SavedIrql {
  IrqlValue Value;
  Loc At;
  /// The lock whose acquire saved it, if one did ("?" when paths disagree):
  /// lowering the IRQL to it is not the end of a raise.
  std::string ByLock;
  bool operator==(const SavedIrql &O) const {
    return Value == O.Value && ByLock == O.ByLock;
  }
};

struct State {
  bool Reachable = false;
  IrqlValue Irql = IrqlValue::entry();
  /// The last change of IRQL on some path here, for notes.
  Loc IrqlChangedAt;
  std::string IrqlChange; ///< "raised to DISPATCH_LEVEL"
  /// That change was a spin lock routine's: its pairing is the lock
  /// rules' business.
  bool IrqlChangedByLock = false;
  std::map<std::string, LockState> Locks;
  std::map<std::string, SavedIrql> Saved;
  /// Local storage whose value is the same constant on every path here
  /// (`t@12` -> 0 after `t.QuadPart = 0;`): a must-analysis, so a join
  /// keeps only what both sides agree on.
  std::map<std::string, int64_t> Known;

  static State entry() {
    State S;
    S.Reachable = true;
    return S;
  }
  /// Joins \p O into this state; returns true if this state changed.
  bool join(const State &O);
  bool operator==(const State &O) const {
    return Reachable == O.Reachable && Irql == O.Irql && Locks == O.Locks &&
           Saved == O.Saved && Known == O.Known;
  }
  std::string str() const;
  /// The constant in storage \p Path, if known here.
  std::optional<int64_t> known(const std::string &Path) const {
    auto It = Known.find(Path);
    if (It == Known.end())
      return std::nullopt;
    return It->second;
  }
};

/// Describes a lock for messages: "spin lock 'ext->Lock'", "the cancel spin
/// lock".
std::string describeLock(const LockState &L);

} // namespace irqlcheck

#endif
