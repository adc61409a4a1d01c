//===- FactsRoundTrip.cpp - Test helper: read a facts file, write it again ===//
///
/// \file
/// `facts-roundtrip IN OUT` reads IN and writes what it read to OUT. The
/// plugin writes IN, so IN and OUT being byte-identical shows that reading
/// loses nothing that writing records. A test helper, not installed: the
/// tool itself never writes facts.
///
//===----------------------------------------------------------------------===//
#include "Facts/Serialize.h"

#include "llvm/Support/raw_ostream.h"

using namespace irqlcheck;

int main(int argc, char **argv) {
  if (argc != 3) {
    llvm::errs() << "usage: facts-roundtrip IN OUT\n";
    return 2;
  }
  llvm::Expected<TUFacts> Facts = readFactsFile(argv[1]);
  if (!Facts) {
    llvm::errs() << "facts-roundtrip: " << llvm::toString(Facts.takeError())
                 << "\n";
    return 1;
  }
  if (llvm::Error E = writeFactsFile(argv[2], *Facts)) {
    llvm::errs() << "facts-roundtrip: " << llvm::toString(std::move(E)) << "\n";
    return 1;
  }
  return 0;
}
