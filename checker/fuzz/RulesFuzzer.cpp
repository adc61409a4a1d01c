//===- RulesFuzzer.cpp - libFuzzer target for the contract loader ---------===//
///
/// \file
/// Feeds bytes to ContractDB::loadBuffer as one rules file, then to what
/// reads the loaded data back. Whatever the bytes, the loader must answer
/// with a database or an error, never crash, hang or touch memory it does
/// not own. Seed corpus: rules/*.yaml; dictionary: rules.dict.
///
//===----------------------------------------------------------------------===//
#include "Contracts/ContractDB.h"

#include <cstddef>
#include <cstdint>

using namespace irqlcheck;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef Text(reinterpret_cast<const char *>(Data), Size);
  ContractDB DB;
  if (llvm::Error E = DB.loadBuffer(Text, "fuzz.yaml")) {
    llvm::consumeError(std::move(E));
    return 0;
  }
  llvm::consumeError(DB.validate());
  // Read back what the analysis reads: contracts of routines the seeds
  // name, roles by name and by typedef.
  for (const char *Name : {"KeAcquireSpinLock", "KeRaiseIrql", "Foo"})
    if (const Contract *C = DB.lookup(Name)) {
      (void)C->Irql.requirementText();
      (void)C->Irql.allowed();
    }
  for (const Role &R : DB.roles()) {
    (void)DB.role(R.Name);
    for (const std::string &T : R.Typedefs)
      (void)DB.roleForTypedef(T);
  }
  return 0;
}
