//===- Irql.cpp - The IRQL domain -----------------------------------------===//
#include "Domain/Irql.h"

#include "llvm/ADT/StringSwitch.h"

namespace irqlcheck {

static const char *const LevelNames[] = {"PASSIVE_LEVEL", "APC_LEVEL",
                                         "DISPATCH_LEVEL", "DIRQL",
                                         "HIGH_LEVEL"};

IrqlSet levelFromValue(int64_t V) {
  if (V <= 0)
    return IL_Passive;
  if (V == 1)
    return IL_Apc;
  if (V == 2)
    return IL_Dispatch;
  if (V < 15)
    return IL_Dirql;
  return IL_High;
}

std::optional<IrqlSet> parseLevel(llvm::StringRef Name) {
  auto L = llvm::StringSwitch<IrqlSet>(Name)
               .Case("PASSIVE_LEVEL", IL_Passive)
               .Case("APC_LEVEL", IL_Apc)
               .Case("DISPATCH_LEVEL", IL_Dispatch)
               .Case("DIRQL", IL_Dirql)
               .Case("HIGH_LEVEL", IL_High)
               .Default(0);
  if (!L)
    return std::nullopt;
  return L;
}

IrqlSet levelsAtMost(IrqlSet Level) {
  // Level is a single bit: every lower bit and itself.
  return IrqlSet((Level << 1) - 1) & IL_All;
}

IrqlSet levelsAtLeast(IrqlSet Level) {
  return IrqlSet(~(Level - 1)) & IL_All;
}

std::string describeLevels(IrqlSet S) {
  std::string Out;
  for (unsigned I = 0; I < 5; ++I) {
    if (!(S & (1u << I)))
      continue;
    if (!Out.empty())
      Out += " or ";
    Out += LevelNames[I];
  }
  return Out;
}

std::string IrqlValue::str() const {
  if (Unknown)
    return "unknown";
  std::string Out;
  if (EntryMask)
    Out = EntryMask == IL_All ? "entry"
                              : "entry&{" + describeLevels(EntryMask) + "}";
  if (Levels)
    Out += (Out.empty() ? "" : " | ") + describeLevels(Levels);
  return Out.empty() ? "none" : Out;
}

} // namespace irqlcheck
