//===- CallGraph.cpp - Which program functions each call may reach --------===//
#include "Analysis/CallGraph.h"

#include "llvm/ADT/STLExtras.h"

#include <set>

using namespace irqlcheck;

CallGraph::CallGraph(const std::vector<TUFacts> &TUs) {
  auto AddStore = [&](const std::string &Path, const std::string &Fn) {
    if (Path.empty())
      return;
    std::vector<std::string> &Fns = Stored[Path];
    if (!llvm::is_contained(Fns, Fn))
      Fns.push_back(Fn);
  };
  for (const TUFacts &TU : TUs)
    for (const FunctionFact &F : TU.Functions) {
      All.push_back(&F);
      ByKey.try_emplace(F.Key, &F);
      for (const BlockFact &B : F.Blocks)
        for (const Event &E : B.Events)
          if (E.Kind == Event::EK_Store) {
            AddStore(E.store().Target, E.store().Function);
            AddStore(E.store().Path, E.store().Function);
          }
    }
  // Prototypes of functions defined nowhere in the program; one that
  // names a section wins over one that does not.
  for (const TUFacts &TU : TUs)
    for (const DeclFact &D : TU.Declarations) {
      if (ByKey.count(D.Key))
        continue;
      auto [It, New] = Decls.try_emplace(D.Key, &D);
      if (!New && It->second->Section.empty())
        It->second = &D;
    }
  for (auto &Entry : Stored)
    llvm::sort(Entry.second);
}

const FunctionFact *CallGraph::function(const std::string &Key) const {
  auto It = ByKey.find(Key);
  return It == ByKey.end() ? nullptr : It->second;
}

const DeclFact *CallGraph::declaration(const std::string &Key) const {
  auto It = Decls.find(Key);
  return It == Decls.end() ? nullptr : It->second;
}

const std::vector<std::string> &
CallGraph::storedIn(const std::string &Path) const {
  static const std::vector<std::string> None;
  auto It = Path.empty() ? Stored.end() : Stored.find(Path);
  return It == Stored.end() ? None : It->second;
}

std::vector<std::string> CallGraph::functionsIn(const ArgFact &A) const {
  if (!A.Function.empty())
    return {A.Function};
  return storedIn(A.Value);
}

std::vector<const FunctionFact *>
CallGraph::callees(const CallFact &C) const {
  std::vector<const FunctionFact *> Out;
  if (!C.Callee.empty()) {
    if (const FunctionFact *F = function(C.Callee))
      Out.push_back(F);
    return Out;
  }
  for (const std::string &Key : storedIn(C.Through))
    if (const FunctionFact *F = function(Key))
      Out.push_back(F);
  return Out;
}

std::vector<const FunctionFact *> CallGraph::bottomUp() const {
  std::vector<const FunctionFact *> Order;
  std::set<const FunctionFact *> Seen;
  auto CalleesOf = [&](const FunctionFact *F) {
    std::vector<const FunctionFact *> Out;
    for (const BlockFact &B : F->Blocks)
      for (const Event &E : B.Events)
        if (E.Kind == Event::EK_Call)
          for (const FunctionFact *G : callees(E.call()))
            Out.push_back(G);
    std::reverse(Out.begin(), Out.end());
    return Out;
  };
  // Iterative DFS post-order: deep helper chains must not overflow the stack.
  for (const FunctionFact *Root : All) {
    if (!Seen.insert(Root).second)
      continue;
    std::vector<std::pair<const FunctionFact *,
                          std::vector<const FunctionFact *>>>
        Stack;
    Stack.push_back({Root, CalleesOf(Root)});
    while (!Stack.empty()) {
      auto &[F, Pending] = Stack.back();
      if (Pending.empty()) {
        Order.push_back(F);
        Stack.pop_back();
        continue;
      }
      const FunctionFact *Next = Pending.back();
      Pending.pop_back();
      if (Seen.insert(Next).second)
        Stack.push_back({Next, CalleesOf(Next)});
    }
  }
  return Order;
}
