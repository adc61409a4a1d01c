//===- EntryContexts.cpp - How each function is entered -------------------===//
#include "Analysis/EntryContexts.h"
#include "Analysis/Dataflow.h"

#include "llvm/ADT/STLExtras.h"

using namespace irqlcheck;

void EntryContexts::addRole(const std::string &Key, const std::string &Name,
                            const Role &R, const std::string &How,
                            const Loc &At) {
  std::vector<std::string> &Seen = RolesOf[Key];
  std::string Tag = R.Name + "|" + How;
  if (llvm::is_contained(Seen, Tag))
    return;
  Seen.push_back(Tag);
  EntryContext &C = Contexts[Key];
  C.IsEntryRoutine = true;
  C.Irql |= R.Irql;
  C.Why.push_back({"'" + Name + "' is " + R.Description + " (" +
                       How + "), which runs at " + describeLevels(R.Irql),
                   At, R.Irql});
  // A lock is held on entry for sure only if every role holds it.
  size_t NumRoles = Seen.size();
  for (const HeldOnEntry &H : R.Holds) {
    std::string LockKey = "<" + H.Global + ">";
    if (EntryHeld *E = const_cast<EntryHeld *>(C.held(LockKey))) {
      E->MustRelease |= H.MustRelease;
      continue;
    }
    C.Held.push_back({LockKey, H.Kind, NumRoles == 1, H.MustRelease});
  }
  for (EntryHeld &E : C.Held)
    if (!llvm::any_of(R.Holds, [&](const HeldOnEntry &H) {
          return "<" + H.Global + ">" == E.Key;
        }))
      E.Must = false;
}

void EntryContexts::build(const std::vector<TUFacts> &TUs,
                          const ContractDB &DB) {
  llvm::StringMap<std::string> Names;
  auto Declared = [&](const std::string &Key, const std::string &Name,
                      const std::vector<std::pair<std::string, Loc>> &As,
                      const Annotations &Sal, const Loc &SalAt) {
    Names[Key] = Name;
    for (const auto &[Typedef, At] : As)
      if (const Role *R = DB.roleForTypedef(Typedef))
        addRole(Key, Name, *R, "declared as " + Typedef, At);
    if (!Sal.FunctionClass.empty())
      if (const Role *R = DB.roleForTypedef(Sal.FunctionClass))
        addRole(Key, Name, *R,
                "annotated _Function_class_(" + Sal.FunctionClass + ")", SalAt);
  };
  for (const TUFacts &TU : TUs) {
    for (const FunctionFact &F : TU.Functions)
      Declared(F.Key, F.Name, F.DeclaredAs, F.Sal, F.SalAt);
    for (const DeclFact &D : TU.Declarations)
      Declared(D.Key, D.Name, D.DeclaredAs, D.Sal, D.At);
  }

  // Registrations: a callback passed to a registering DDI, or stored in a
  // field the kernel calls through.
  auto NameOf = [&](const std::string &Key) {
    auto It = Names.find(Key);
    if (It != Names.end())
      return It->second;
    size_t Colons = Key.rfind("::");
    return Colons == std::string::npos ? Key : Key.substr(Colons + 2);
  };
  auto Stored = [&](const std::string &Field, const std::string &Fn,
                    const Loc &At) {
    if (const FieldRegistration *FR = DB.fieldRegistration(Field))
      if (const Role *R = DB.role(FR->Role)) {
        size_t Colons = Field.rfind("::");
        std::string Short =
            Colons == std::string::npos ? Field : Field.substr(Colons + 2);
        addRole(Fn, NameOf(Fn), *R, "stored in " + Short + " here", At);
      }
  };
  for (const TUFacts &TU : TUs)
    for (const FunctionFact &F : TU.Functions)
      for (const BlockFact &B : F.Blocks)
        for (const Event &E : B.Events) {
          if (E.Kind == Event::EK_Store) {
            Stored(E.Store.Target, E.Store.Function, E.Store.At);
            continue;
          }
          if (E.Kind != Event::EK_Call || E.Call.Callee.empty())
            continue;
          const Contract *K = DB.lookup(E.Call.Callee);
          if (!K)
            continue;
          const CallFact &C = E.Call;
          for (const Registration &Reg : K->Registers) {
            if (Reg.Arg >= C.Args.size() || C.Args[Reg.Arg].Function.empty())
              continue;
            if (const Role *R = DB.role(Reg.Role)) {
              std::string By = spelledName(C, DB);
              addRole(C.Args[Reg.Arg].Function, NameOf(C.Args[Reg.Arg].Function),
                      *R, "registered by " + By + " here", C.At);
            }
          }
          const StoreContract &St = K->Stores;
          if (St.To >= 0 && St.Value >= 0 && size_t(St.To) < C.Args.size() &&
              size_t(St.Value) < C.Args.size() &&
              !C.Args[St.Value].Function.empty())
            Stored(C.Args[St.To].Pointee, C.Args[St.Value].Function, C.At);
        }

  // SAL IRQL annotations are the strongest evidence: they replace the roles'
  // IRQLs (roles still say the function is an entry routine).
  auto Annotated = [&](const std::string &Key, const std::string &Name,
                       const Annotations &Sal, const Loc &At) {
    IrqlSet S = Sal.Requires;
    if (!S && (Sal.RequiresMax || Sal.RequiresMin)) {
      S = IL_All;
      if (Sal.RequiresMax)
        S &= levelsAtMost(Sal.RequiresMax);
      if (Sal.RequiresMin)
        S &= levelsAtLeast(Sal.RequiresMin);
    }
    if (!S)
      return;
    EntryContext &C = Contexts[Key];
    C.Irql = S;
    C.Why.clear();
    std::string How;
    if (Sal.Requires)
      How = "_IRQL_requires_(" + describeLevels(Sal.Requires) + ")";
    if (!Sal.Requires && Sal.RequiresMin)
      How = "_IRQL_requires_min_(" + describeLevels(Sal.RequiresMin) + ")";
    if (!Sal.Requires && Sal.RequiresMax)
      How += (How.empty() ? "" : " ") + std::string("_IRQL_requires_max_(") +
             describeLevels(Sal.RequiresMax) + ")";
    C.Why.push_back({"'" + Name + "' is annotated " + How + ", so it runs at " +
                         describeLevels(S),
                     At, S});
  };
  for (const TUFacts &TU : TUs) {
    for (const FunctionFact &F : TU.Functions)
      Annotated(F.Key, F.Name, F.Sal, F.SalAt);
    for (const DeclFact &D : TU.Declarations)
      Annotated(D.Key, D.Name, D.Sal, D.At);
  }
}

const EntryContext &EntryContexts::lookup(const std::string &Key) const {
  static const EntryContext None;
  auto It = Contexts.find(Key);
  return It == Contexts.end() ? None : It->second;
}
