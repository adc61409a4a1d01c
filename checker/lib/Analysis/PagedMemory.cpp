//===- PagedMemory.cpp - Where pageable data is ---------------------------===//
#include "Analysis/PagedMemory.h"

#include "Analysis/Dataflow.h"

#include <deque>

using namespace irqlcheck;

/// A path unique in the program: locals are named per function.
static std::string qualify(llvm::StringRef FunctionKey, llvm::StringRef Path) {
  if (!isFunctionLocalPath(Path))
    return Path.str();
  return (FunctionKey + "/" + Path).str();
}

/// The global object path \p Path starts with (`g` for `g.f[2]`,
/// `file.c::g` for `file.c::g.f`).
static llvm::StringRef globalRoot(llvm::StringRef Path) {
  size_t Start = Path.rfind("::");
  Start = Start == llvm::StringRef::npos ? 0 : Start + 2;
  size_t End = Path.find_first_of(".[", Start);
  return Path.take_front(End);
}

void PagedMemory::build(const std::vector<TUFacts> &TUs,
                        const ContractDB &DB) {
  // Copies from -> to, and the storages allocations are assigned to.
  llvm::StringMap<std::vector<std::string>> CopiesFrom;
  std::deque<std::string> Work;
  for (const TUFacts &TU : TUs) {
    for (const GlobalFact &G : TU.Globals)
      if (isPageableSection(G.Section) &&
          GlobalByKey.try_emplace(G.Key, &G).second)
        Globals.push_back(&G);
    for (const FunctionFact &F : TU.Functions)
      for (const BlockFact &B : F.Blocks)
        for (const Event &E : B.Events) {
          if (E.Kind == Event::EK_Copy) {
            CopiesFrom[qualify(F.Key, E.copy().From)].push_back(
                qualify(F.Key, E.copy().To));
            continue;
          }
          if (E.Kind != Event::EK_Call || E.call().ResultTo.empty())
            continue;
          const Contract *K = contractFor(E.call(), DB);
          if (!K || K->Allocates.PoolArg < 0 ||
              size_t(K->Allocates.PoolArg) >= E.call().Args.size())
            continue;
          const ArgFact &Pool = E.call().Args[K->Allocates.PoolArg];
          if (!Pool.HasConst || !(Pool.Const & K->Allocates.PagedMask))
            continue;
          std::string To = qualify(F.Key, E.call().ResultTo);
          if (Paged.try_emplace(To, Origin{E.call().At, spelledName(E.call(), DB)})
                  .second)
            Work.push_back(To);
        }
  }
  // Each storage is reached once, from the first allocation that reaches
  // it: linear in the copies.
  while (!Work.empty()) {
    std::string From = std::move(Work.front());
    Work.pop_front();
    auto It = CopiesFrom.find(From);
    if (It == CopiesFrom.end())
      continue;
    Origin O = Paged.find(From)->second;
    for (const std::string &To : It->second)
      if (Paged.try_emplace(To, O).second)
        Work.push_back(To);
  }
}

const PagedMemory::Origin *
PagedMemory::pagedPointer(llvm::StringRef FunctionKey,
                          llvm::StringRef Base) const {
  if (Base.empty())
    return nullptr;
  auto It = Paged.find(qualify(FunctionKey, Base));
  return It == Paged.end() ? nullptr : &It->second;
}

const GlobalFact *PagedMemory::pagedGlobal(llvm::StringRef Path) const {
  auto It = GlobalByKey.find(globalRoot(Path));
  return It == GlobalByKey.end() ? nullptr : It->second;
}
