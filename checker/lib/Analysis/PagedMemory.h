//===- PagedMemory.h - Where pageable data is --------------------*- C++ -*-===//
///
/// \file
/// Storage the kernel may page out: memory from a PagedPool allocation,
/// followed from the call through the variables and fields its pointer is
/// copied into, and globals placed in a PAGE* data section. Flow- and
/// context-insensitive: a field that ever holds paged pool memory holds it
/// everywhere (drivers give a field one pool for its life).
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_ANALYSIS_PAGEDMEMORY_H
#define IRQLCHECK_ANALYSIS_PAGEDMEMORY_H

#include "Contracts/ContractDB.h"
#include "Facts/Facts.h"

#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace irqlcheck {

class PagedMemory {
public:
  /// The allocation a paged pool pointer came from.
  struct Origin {
    Loc At;
    std::string Routine; ///< As written (`ExAllocatePoolWithTag`).
  };

  void build(const std::vector<TUFacts> &TUs, const ContractDB &DB);

  /// Where the memory that pointer storage \p Base (an object path in
  /// function \p FunctionKey's terms) points to was allocated from paged
  /// pool; null if it is not known to be paged pool.
  const Origin *pagedPointer(llvm::StringRef FunctionKey,
                             llvm::StringRef Base) const;
  /// The PAGE* global that object path \p Path is (part of), if any.
  const GlobalFact *pagedGlobal(llvm::StringRef Path) const;
  /// Every global in a PAGE* data section, in TU and source order.
  const std::vector<const GlobalFact *> &pagedGlobals() const {
    return Globals;
  }

private:
  /// Storage paths, locals and parameters prefixed with their function.
  llvm::StringMap<Origin> Paged;
  std::vector<const GlobalFact *> Globals;
  llvm::StringMap<const GlobalFact *> GlobalByKey;
};

} // namespace irqlcheck

#endif
