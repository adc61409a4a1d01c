//===- Irql.h - The IRQL domain ----------------------------------*- C++ -*-===//
///
/// \file
/// IRQLs as a set of the five levels the analysis distinguishes, and the
/// symbolic IRQL value the per-function dataflow computes: a function is
/// analysed once, relative to "the IRQL it was entered at", and the concrete
/// entry IRQLs are substituted later (SPEC section 8).
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_DOMAIN_IRQL_H
#define IRQLCHECK_DOMAIN_IRQL_H

#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <optional>
#include <string>

namespace irqlcheck {

/// A set of IRQLs, one bit per level, ordered from low to high.
using IrqlSet = uint8_t;
enum : IrqlSet {
  IL_Passive = 1,
  IL_Apc = 2,
  IL_Dispatch = 4,
  IL_Dirql = 8,
  IL_High = 16,
  IL_All = 31,
};

/// The level a numeric KIRQL value falls in (x64 numbering: 0, 1, 2, device
/// levels 3..14, 15 and above HIGH_LEVEL).
IrqlSet levelFromValue(int64_t V);
/// Parses PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL, DIRQL, HIGH_LEVEL.
std::optional<IrqlSet> parseLevel(llvm::StringRef Name);
/// Levels at or below / at or above a single level.
IrqlSet levelsAtMost(IrqlSet Level);
IrqlSet levelsAtLeast(IrqlSet Level);
/// "PASSIVE_LEVEL or DISPATCH_LEVEL".
std::string describeLevels(IrqlSet S);

/// The IRQL at a program point, relative to the function's entry IRQL:
/// the set (EntryIrql & EntryMask) | Levels. Unknown when the analysis lost
/// track (e.g. a non-constant KeRaiseIrql argument); nothing is reported
/// from an unknown IRQL.
struct IrqlValue {
  IrqlSet EntryMask = 0;
  IrqlSet Levels = 0;
  bool Unknown = false;

  static IrqlValue entry() { return {IL_All, 0, false}; }
  static IrqlValue exactly(IrqlSet S) { return {0, S, false}; }
  static IrqlValue unknown() { return {0, 0, true}; }

  /// The concrete set once the entry IRQLs are known.
  IrqlSet substitute(IrqlSet Entry) const {
    return (Entry & EntryMask) | Levels;
  }
  /// Keeps only the levels in \p Filter (a branch on KeGetCurrentIrql()).
  IrqlValue refine(IrqlSet Filter) const {
    if (Unknown)
      return *this;
    return {IrqlSet(EntryMask & Filter), IrqlSet(Levels & Filter), false};
  }
  IrqlValue join(const IrqlValue &O) const {
    if (Unknown || O.Unknown)
      return unknown();
    return {IrqlSet(EntryMask | O.EntryMask), IrqlSet(Levels | O.Levels),
            false};
  }
  /// Replaces "the entry IRQL" in this value by \p Outer, a value of the
  /// caller (used when applying a callee's summary at a call site).
  IrqlValue compose(const IrqlValue &Outer) const {
    if (Unknown || (EntryMask && Outer.Unknown))
      return unknown();
    if (!EntryMask)
      return *this;
    return exactly(Levels).join(Outer.refine(EntryMask));
  }
  bool operator==(const IrqlValue &O) const {
    return EntryMask == O.EntryMask && Levels == O.Levels &&
           Unknown == O.Unknown;
  }
  bool operator!=(const IrqlValue &O) const { return !(*this == O); }
  std::string str() const;
};

} // namespace irqlcheck

#endif
