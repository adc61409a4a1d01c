//===- EntryContexts.cpp - How each function is entered -------------------===//
#include "Analysis/EntryContexts.h"
#include "Analysis/Dataflow.h"

#include "llvm/ADT/STLExtras.h"

#include <deque>

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
  if (!llvm::is_contained(C.Roles, R.Name))
    C.Roles.push_back(R.Name);
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
                          const ContractDB &DB, const CallGraph &CG) {
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
  auto NameOf = [&](const std::string &Key) { return nameOf(Key); };
  auto Stored = [&](const std::string &Field, const std::string &Fn,
                    const std::string &How, const Loc &At) {
    if (const FieldRegistration *FR = DB.fieldRegistration(Field))
      if (const Role *R = DB.role(FR->Role))
        addRole(Fn, NameOf(Fn), *R, How, At);
  };
  for (const TUFacts &TU : TUs)
    for (const FunctionFact &F : TU.Functions)
      for (const BlockFact &B : F.Blocks)
        for (const Event &E : B.Events) {
          if (E.Kind == Event::EK_Store) {
            Stored(E.store().Target, E.store().Function,
                   E.store().Macro.empty()
                       ? "assigned to " + E.store().Text + " here"
                       : "registered by " + E.store().Macro + " here",
                   E.store().At);
            continue;
          }
          if (E.Kind != Event::EK_Call)
            continue;
          const Contract *K = contractFor(E.call(), DB);
          if (!K)
            continue;
          const CallFact &C = E.call();
          // The callback may be named directly or read from storage the
          // program stored it in first.
          for (const Registration &Reg : K->Registers) {
            const Role *R = DB.role(Reg.Role);
            if (Reg.Arg >= C.Args.size() || !R)
              continue;
            for (const std::string &Fn : CG.functionsIn(C.Args[Reg.Arg]))
              addRole(Fn, NameOf(Fn), *R,
                      "registered by " + spelledName(C, DB) + " here", C.At);
          }
          const StoreContract &St = K->Stores;
          if (St.To >= 0 && St.Value >= 0 && size_t(St.To) < C.Args.size() &&
              size_t(St.Value) < C.Args.size())
            for (const std::string &Fn : CG.functionsIn(C.Args[St.Value]))
              Stored(C.Args[St.To].Pointee, Fn,
                     "registered by " + spelledName(C, DB) + " here", C.At);
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
    C.FixedBySal = true;
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
  // _Requires_lock_held_: the lock is held on entry, whoever calls.
  for (const TUFacts &TU : TUs)
    for (const FunctionFact &F : TU.Functions)
      for (const SalLock &L : F.Sal.RequiresLockHeld) {
        EntryContext &C = Contexts[F.Key];
        if (L.Path.empty() || C.held(L.Path))
          continue;
        EntryHeld H;
        H.Key = L.Path;
        H.Kind = "spin lock";
        H.Must = true;
        H.Note = "'" + F.Name + "' is annotated _Requires_lock_held_(" +
                 L.Text + ")";
        H.NoteAt = F.SalAt;
        C.Held.push_back(std::move(H));
      }
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

std::vector<const CallSite *>
EntryContexts::sitesInto(const std::string &Key) const {
  std::vector<const CallSite *> Out;
  auto It = Into.find(Key);
  if (It != Into.end())
    for (unsigned I : It->second)
      Out.push_back(&Sites[I]);
  return Out;
}

std::string EntryContexts::nameOf(const std::string &Key) const {
  auto It = Names.find(Key);
  if (It != Names.end())
    return It->second;
  size_t Colons = Key.rfind("::");
  return Colons == std::string::npos ? Key : Key.substr(Colons + 2);
}

/// A caller's lock path in the callee's terms: what an argument points to
/// becomes `*$N`; globals and struct fields are the same everywhere; the
/// caller's locals and parameters are not visible to the callee.
static std::string calleeLockKey(const std::string &Key, const CallFact &C) {
  for (size_t N = 0; N < C.Args.size(); ++N)
    if (C.Args[N].Pointee == Key)
      return "*$" + std::to_string(N);
  if (!isPreciseKey(Key) || Key[0] == '$' || Key.compare(0, 2, "*$") == 0 ||
      Key.find('@') != std::string::npos)
    return {};
  return Key;
}

static constexpr IrqlSet bitLevel(unsigned B) { return IrqlSet(1u << B); }

void EntryContexts::propagate(std::vector<CallSite> NewSites) {
  // A canonical order, so that ties between equally short paths do not
  // depend on the order of the input files.
  std::vector<unsigned> Order(NewSites.size());
  for (unsigned I = 0; I < Order.size(); ++I)
    Order[I] = I;
  llvm::sort(Order, [&](unsigned X, unsigned Y) {
    const CallSite &A = NewSites[X], &B = NewSites[Y];
    return std::tie(A.Call->At, A.Caller, A.Callee, X) <
           std::tie(B.Call->At, B.Caller, B.Callee, Y);
  });
  Sites.clear();
  for (unsigned I : Order)
    Sites.push_back(std::move(NewSites[I]));
  llvm::StringMap<std::vector<unsigned>> From;
  Into.clear();
  for (unsigned I = 0; I < Sites.size(); ++I) {
    From[Sites[I].Caller].push_back(I);
    Into[Sites[I].Callee].push_back(I);
  }
  std::vector<std::string> Keys;
  for (const auto &E : Contexts)
    Keys.push_back(E.getKey().str());
  llvm::sort(Keys);

  // IRQLs, over (function, level) pairs.
  std::deque<std::pair<std::string, unsigned>> Work;
  for (const std::string &Key : Keys)
    for (unsigned B = 0; B < 5; ++B)
      if (Contexts[Key].Irql & bitLevel(B))
        Work.push_back({Key, B});
  auto Arrive = [&](unsigned Site, unsigned B, bool Raised) {
    EntryContext &C = Contexts[Sites[Site].Callee];
    if (C.FixedBySal || (C.Irql & bitLevel(B)))
      return;
    C.Irql |= bitLevel(B);
    C.Via[B] = int(Site);
    C.ViaRaise[B] = Raised;
    Work.push_back({Sites[Site].Callee, B});
  };
  // Levels a caller establishes itself hold whoever calls it.
  for (unsigned I = 0; I < Sites.size(); ++I)
    if (!Sites[I].Irql.Unknown)
      for (unsigned B = 0; B < 5; ++B)
        if (Sites[I].Irql.Levels & bitLevel(B))
          Arrive(I, B, true);
  while (!Work.empty()) {
    auto [Fn, B] = Work.front();
    Work.pop_front();
    auto It = From.find(Fn);
    if (It == From.end())
      continue;
    for (unsigned I : It->second) {
      const IrqlValue &V = Sites[I].Irql;
      if (!V.Unknown && (V.EntryMask & bitLevel(B)))
        Arrive(I, B, false);
    }
  }

  // Held locks, over (function, lock) pairs.
  std::deque<std::pair<std::string, std::string>> LockWork;
  auto Hand = [&](unsigned Site, const std::string &CallerKey,
                  const std::string &Kind) {
    const CallSite &S = Sites[Site];
    std::string Key = calleeLockKey(CallerKey, *S.Call);
    EntryContext &C = Contexts[S.Callee];
    if (Key.empty() || C.held(Key))
      return;
    EntryHeld H;
    H.Key = Key;
    H.Kind = Kind;
    H.Site = int(Site);
    H.CallerKey = CallerKey;
    C.Held.push_back(std::move(H));
    LockWork.push_back({S.Callee, Key});
  };
  for (const std::string &Key : Keys)
    for (const EntryHeld &H : Contexts[Key].Held)
      LockWork.push_back({Key, H.Key});
  for (unsigned I = 0; I < Sites.size(); ++I)
    for (const auto &[Key, L] : Sites[I].Locks)
      if (L.Mask & LS_Held)
        Hand(I, Key, L.Kind);
  while (!LockWork.empty()) {
    auto [Fn, Key] = LockWork.front();
    LockWork.pop_front();
    auto It = From.find(Fn);
    if (It == From.end())
      continue;
    const EntryHeld *H = Contexts[Fn].held(Key);
    std::string Kind = H ? H->Kind : "spin lock";
    for (unsigned I : It->second) {
      // Untouched by the caller up to the call: still held.
      auto L = Sites[I].Locks.find(Key);
      if (L == Sites[I].Locks.end() || (L->second.Mask & LS_AsEntry))
        Hand(I, Key, Kind);
    }
  }
  computeMustHold(Into);
}

void EntryContexts::computeMustHold(
    const llvm::StringMap<std::vector<unsigned>> &Into) {
  // Surely held: every call site reaching the function holds it surely
  // and no role of the function lacks it. A greatest fixpoint: start from
  // "surely" and take it back where a site disproves it.
  for (auto &E : Contexts)
    for (EntryHeld &H : E.getValue().Held)
      if (H.Site >= 0)
        H.Must = !E.getValue().IsEntryRoutine;
  auto SurelyAt = [&](const CallSite &S, const std::string &Key) {
    const EntryContext &Caller = lookup(S.Caller);
    for (const auto &[K, L] : S.Locks) {
      if (calleeLockKey(K, *S.Call) != Key)
        continue;
      if (L.Mask == LS_Held)
        return true;
      const EntryHeld *H = Caller.held(K);
      if (L.Mask == LS_AsEntry && H && H->Must)
        return true;
    }
    for (const EntryHeld &H : Caller.Held)
      if (H.Must && !S.Locks.count(H.Key) &&
          calleeLockKey(H.Key, *S.Call) == Key)
        return true;
    return false;
  };
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (auto &E : Contexts)
      for (EntryHeld &H : E.getValue().Held) {
        if (H.Site < 0 || !H.Must)
          continue;
        auto It = Into.find(E.getKey());
        bool All = It != Into.end() &&
                   llvm::all_of(It->second, [&](unsigned I) {
                     return SurelyAt(Sites[I], H.Key);
                   });
        if (!All) {
          H.Must = false;
          Changed = true;
        }
      }
  }
}

std::vector<RoleEvidence> EntryContexts::explainIrql(const std::string &Key,
                                                     IrqlSet Levels) const {
  std::vector<RoleEvidence> Out;
  auto Add = [&](RoleEvidence E) {
    for (const RoleEvidence &O : Out)
      if (O.At == E.At && O.Note == E.Note)
        return;
    Out.push_back(std::move(E));
  };
  for (unsigned B = 0; B < 5; ++B) {
    if (!(Levels & bitLevel(B)))
      continue;
    std::string Fn = Key;
    // Shortest paths cannot be longer than the number of sites; the bound
    // only guards against a bug turning into a hang.
    for (size_t Hops = 0; Hops <= Sites.size(); ++Hops) {
      const EntryContext &C = lookup(Fn);
      if (C.Via[B] < 0) {
        for (const RoleEvidence &W : C.Why)
          if (W.Irql & bitLevel(B))
            Add(W);
        break;
      }
      const CallSite &S = Sites[C.Via[B]];
      Add({"'" + nameOf(Fn) + "' is called with IRQL " +
               describeLevels(bitLevel(B)) + " from '" + nameOf(S.Caller) +
               "' here",
           S.Call->At, bitLevel(B)});
      if (C.ViaRaise[B]) {
        if (S.IrqlChangedAt.valid())
          Add({"IRQL " + S.IrqlChange + " here", S.IrqlChangedAt,
               bitLevel(B)});
        break;
      }
      Fn = S.Caller;
    }
  }
  return Out;
}

std::string EntryContexts::describeHeld(const std::string &Key,
                                        const std::string &Lock) const {
  LockState Shown;
  Shown.Global = !Lock.empty() && Lock[0] == '<';
  if (const EntryHeld *H = lookup(Key).held(Lock))
    Shown.Kind = H->Kind;
  std::string Fn = Key, LockKey = Lock;
  for (size_t Hops = 0; Hops <= Sites.size(); ++Hops) {
    const EntryHeld *H = lookup(Fn).held(LockKey);
    if (!H || H->Site < 0)
      break;
    const CallSite &S = Sites[H->Site];
    auto L = S.Locks.find(H->CallerKey);
    if (L != S.Locks.end() && !L->second.Display.empty())
      return describeLock(L->second);
    Fn = S.Caller;
    LockKey = H->CallerKey;
  }
  return describeLock(Shown);
}

std::vector<RoleEvidence> EntryContexts::explainHeld(const std::string &Key,
                                                     const std::string &Lock,
                                                     std::string Name) const {
  std::vector<RoleEvidence> Out;
  std::string Fn = Key, LockKey = Lock;
  for (size_t Hops = 0; Hops <= Sites.size(); ++Hops) {
    const EntryContext &C = lookup(Fn);
    const EntryHeld *H = C.held(LockKey);
    if (!H)
      break;
    if (H->Site < 0 && !H->Note.empty()) {
      Out.push_back({H->Note, H->NoteAt, 0});
      break;
    }
    if (H->Site < 0) {
      for (const RoleEvidence &W : C.Why)
        Out.push_back({W.Note + ", holding " + Name, W.At, W.Irql});
      break;
    }
    const CallSite &S = Sites[H->Site];
    // Each caller's notes name the lock as that caller writes it.
    auto L = S.Locks.find(H->CallerKey);
    if (L != S.Locks.end() && !L->second.Display.empty())
      Name = describeLock(L->second);
    Out.push_back({"'" + nameOf(Fn) + "' is called from '" +
                       nameOf(S.Caller) + "' here, holding " + Name,
                   S.Call->At, 0});
    if (L != S.Locks.end() && (L->second.Mask & LS_Held)) {
      for (const Acquisition &A : L->second.By)
        Out.push_back({Name + " acquired here", A.At, 0});
      break;
    }
    Fn = S.Caller;
    LockKey = H->CallerKey;
  }
  return Out;
}
