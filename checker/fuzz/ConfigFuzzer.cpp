//===- ConfigFuzzer.cpp - libFuzzer target for .irqlcheck.yaml ------------===//
///
/// \file
/// Feeds bytes to parseProjectConfig as one `.irqlcheck.yaml`, then reads
/// the parsed config back the way the tool does (rule selection and
/// severity per rule, the inline contracts loaded). Whatever the bytes, the
/// parser must answer with a config or an error, never crash, hang or touch
/// memory it does not own. Seeds: checker/fuzz/config-seeds; dictionary:
/// config.dict.
///
//===----------------------------------------------------------------------===//
#include "Contracts/ContractDB.h"
#include "Driver/ProjectConfig.h"
#include "Rules/Rules.h"

#include <cstddef>
#include <cstdint>

using namespace irqlcheck;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef Text(reinterpret_cast<const char *>(Data), Size);
  llvm::Expected<ProjectConfig> C = parseProjectConfig(Text, "fuzz/.irqlcheck.yaml");
  if (!C) {
    llvm::consumeError(C.takeError());
    return 0;
  }
  for (const RuleInfo &R : allRules()) {
    (void)C->enabled(R.Id);
    (void)C->severity(R.Id);
  }
  if (!C->ContractText.empty()) {
    ContractDB DB;
    llvm::consumeError(DB.loadBuffer(C->ContractText, C->File));
    llvm::consumeError(DB.validate());
  }
  return 0;
}
