//===- CallGraph.h - Which program functions each call may reach -*- C++ -*-===//
///
/// \file
/// The program's call graph over the facts of every TU: a call reaches the
/// function it names when the program defines it, and a call through a
/// function pointer reaches every function the program stores into that
/// pointer's storage (`ext->Callback = OnDone; ... ext->Callback(ext)`).
/// The same stores resolve callbacks registered through a variable or field
/// (`KeInitializeDpc(&Dpc, ext->DpcRoutine, ext)`).
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_ANALYSIS_CALLGRAPH_H
#define IRQLCHECK_ANALYSIS_CALLGRAPH_H

#include "Facts/Facts.h"

#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace irqlcheck {

class CallGraph {
public:
  explicit CallGraph(const std::vector<TUFacts> &TUs);

  /// The definition of \p Key, or null when the program has none.
  const FunctionFact *function(const std::string &Key) const;
  /// The prototype of \p Key the facts keep (one with annotations, a role
  /// or a section), when the program has no definition of it.
  const DeclFact *declaration(const std::string &Key) const;
  /// Keys of the functions stored into storage \p Path anywhere.
  const std::vector<std::string> &storedIn(const std::string &Path) const;
  /// The functions an argument names: directly, or through its storage.
  std::vector<std::string> functionsIn(const ArgFact &A) const;
  /// The program functions call \p C may reach, in a stable order.
  std::vector<const FunctionFact *> callees(const CallFact &C) const;
  /// Every defined function, callees before callers where the graph has no
  /// cycle (so that one round of summaries mostly suffices).
  std::vector<const FunctionFact *> bottomUp() const;

private:
  std::vector<const FunctionFact *> All;
  llvm::StringMap<const FunctionFact *> ByKey;
  llvm::StringMap<const DeclFact *> Decls;
  llvm::StringMap<std::vector<std::string>> Stored;
};

} // namespace irqlcheck

#endif
