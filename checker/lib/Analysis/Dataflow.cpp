//===- Dataflow.cpp - Per-function IRQL and lock-set dataflow -------------===//
#include "Analysis/Dataflow.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <deque>

using namespace irqlcheck;

AnalysisVisitor::~AnalysisVisitor() = default;

static constexpr size_t MaxSites = 4;

/// Sorted union, keeping at most MaxSites entries so loops terminate.
template <typename T>
static void mergeSites(std::vector<T> &Into, const std::vector<T> &From) {
  for (const T &X : From)
    if (!llvm::is_contained(Into, X))
      Into.push_back(X);
  llvm::sort(Into);
  if (Into.size() > MaxSites)
    Into.resize(MaxSites);
}

/// Joins two "where" strings: equal or one-sided stays, a conflict is "?".
static void joinWhere(std::string &Into, const std::string &From) {
  if (Into.empty())
    Into = From;
  else if (!From.empty() && From != Into)
    Into = "?";
}

static void joinLock(LockState &Into, const LockState &From) {
  Into.Mask |= From.Mask;
  joinWhere(Into.SavedIn, From.SavedIn);
  mergeSites(Into.By, From.By);
  mergeSites(Into.ReleasedAt, From.ReleasedAt);
  if (Into.Handle.empty())
    Into.Handle = From.Handle;
  if (Into.ReleasedWith.empty())
    Into.ReleasedWith = From.ReleasedWith;
  Into.ReleasedEntryLock |= From.ReleasedEntryLock;
  if (Into.Display.empty())
    Into.Display = From.Display;
}

bool State::join(const State &O) {
  if (!O.Reachable)
    return false;
  if (!Reachable) {
    *this = O;
    return true;
  }
  State Old = *this;
  Irql = Irql.join(O.Irql);
  if (!IrqlChangedAt.valid()) {
    IrqlChangedAt = O.IrqlChangedAt;
    IrqlChange = O.IrqlChange;
    IrqlChangedByLock = O.IrqlChangedByLock;
  }
  for (auto &[Key, L] : Locks) {
    auto It = O.Locks.find(Key);
    if (It == O.Locks.end())
      L.Mask |= LS_AsEntry;
    else
      joinLock(L, It->second);
  }
  for (const auto &[Key, L] : O.Locks)
    if (!Locks.count(Key)) {
      LockState Copy = L;
      Copy.Mask |= LS_AsEntry;
      Locks.emplace(Key, Copy);
    }
  for (auto &[Key, V] : Saved) {
    auto It = O.Saved.find(Key);
    V.Value = It == O.Saved.end() ? IrqlValue::unknown()
                                  : V.Value.join(It->second.Value);
    if (It != O.Saved.end())
      joinWhere(V.ByLock, It->second.ByLock);
  }
  for (const auto &[Key, V] : O.Saved)
    if (!Saved.count(Key))
      Saved.emplace(Key, SavedIrql{IrqlValue::unknown(), V.At});
  for (auto It = Known.begin(); It != Known.end();) {
    auto OIt = O.Known.find(It->first);
    if (OIt == O.Known.end() || OIt->second != It->second)
      It = Known.erase(It);
    else
      ++It;
  }
  return !(*this == Old);
}

std::string State::str() const {
  if (!Reachable)
    return "unreachable";
  std::string Out = "irql=" + Irql.str();
  for (const auto &[Key, L] : Locks)
    Out += " " + Key + ":" + std::to_string(L.Mask);
  for (const auto &[Path, V] : Known)
    Out += " " + Path + "=" + std::to_string(V);
  return Out;
}

std::string irqlcheck::describeLock(const LockState &L) {
  if (L.Global || L.Display.empty())
    return "the " + L.Kind;
  return L.Kind + " '" + L.Display + "'";
}

const LockState &irqlcheck::lockState(const State &S, const std::string &Key) {
  static const LockState AsEntry;
  auto It = S.Locks.find(Key);
  return It == S.Locks.end() ? AsEntry : It->second;
}

bool irqlcheck::isPreciseKey(const std::string &Key) {
  return !Key.empty() && Key[0] != '?' && Key.find("[*]") == std::string::npos;
}

/// The lock a DDI call names, resolved against the current state.
static LockOp contractLockOp(const CallFact &C, const Contract &K,
                             const State &S) {
  LockOp Op;
  const LockContract &L = K.Lock;
  Op.Op = L.Op;
  Op.Kind = L.Kind;
  Op.Routine = K.Name;
  if (!L.Global.empty()) {
    Op.Key = "<" + L.Global + ">";
    Op.Global = true;
    return Op;
  }
  if (L.Handle >= 0 && size_t(L.Handle) < C.Args.size())
    Op.Handle = C.Args[L.Handle].Pointee;
  if (L.Arg >= 0 && size_t(L.Arg) < C.Args.size()) {
    const ArgFact &A = C.Args[L.Arg];
    Op.Display = A.Text;
    Op.Key = A.Pointee.empty() ? "?" + A.Text : A.Pointee;
    Op.Precise = isPreciseKey(Op.Key);
    return Op;
  }
  // Released through its in-stack handle: the lock taken with it, the one
  // it may hold now first (a handle can be reused for another lock).
  const std::string *Found = nullptr;
  for (const auto &[Key, LS] : S.Locks)
    if (!Op.Handle.empty() && LS.Handle == Op.Handle &&
        (!Found || (LS.Mask & LS_Held)))
      Found = &Key;
  if (Found) {
    Op.Key = *Found;
    Op.Display = S.Locks.find(*Found)->second.Display;
    Op.Precise = isPreciseKey(*Found);
  }
  return Op;
}

/// A callee's path in the caller's terms: `*$N...` becomes what argument N
/// points to; the callee's locals and parameters themselves do not survive.
static std::string substitute(const std::string &Path, const CallFact &C,
                              std::string *Display = nullptr) {
  if (Path.empty() || Path[0] == '$' || Path.find('@') != std::string::npos)
    return {};
  if (Path.compare(0, 2, "*$") != 0)
    return Path;
  size_t End = 2;
  while (End < Path.size() && isdigit(static_cast<unsigned char>(Path[End])))
    ++End;
  unsigned N = std::stoul(Path.substr(2, End - 2));
  if (N >= C.Args.size() || C.Args[N].Pointee.empty())
    return {};
  if (Display && End == Path.size())
    *Display = C.Args[N].Text;
  return C.Args[N].Pointee + Path.substr(End);
}

const Contract *irqlcheck::contractFor(const CallFact &C,
                                      const ContractDB &DB) {
  if (!C.Callee.empty())
    return DB.lookup(C.Callee);
  return C.Through.empty() ? nullptr : DB.lookup(C.Through);
}

std::string irqlcheck::spelledName(const CallFact &C, const ContractDB &DB) {
  for (const std::string &M : C.Macros)
    if (DB.isAliasOf(M, C.Callee))
      return M;
  return C.Spelled.empty() ? C.Callee : C.Spelled;
}

FunctionAnalysis::FunctionAnalysis(const FunctionFact &F, const ContractDB &DB,
                                   const SummaryTable *Summaries)
    : F(F), DB(DB), Summaries(Summaries) {}

/// The IRQL value an argument denotes: a constant, or a saved IRQL.
static IrqlValue irqlOfArg(const ArgFact &A, const State &S, bool Pointee) {
  if (!Pointee && A.HasConst)
    return IrqlValue::exactly(levelFromValue(A.Const));
  const std::string &Path = Pointee ? A.Pointee : A.Value;
  auto It = Path.empty() ? S.Saved.end() : S.Saved.find(Path);
  if (It == S.Saved.end())
    return IrqlValue::unknown();
  return It->second.Value;
}

const Summary *FunctionAnalysis::summaryFor(const CallFact &C) const {
  if (!Summaries || C.Callee.empty())
    return nullptr;
  auto It = Summaries->find(C.Callee);
  return It == Summaries->end() ? nullptr : &It->second;
}

std::vector<LockOp> FunctionAnalysis::lockOps(const CallFact &C,
                                              const Contract *K,
                                              const State &S) const {
  std::vector<LockOp> Ops;
  if (K && K->Lock.Op != LockContract::LO_None) {
    Ops.push_back(contractLockOp(C, *K, S));
    Ops.back().Spelled = spelledName(C, DB);
    return Ops;
  }
  const Summary *Sum = summaryFor(C);
  if (!Sum && K) {
    // No body in the program: its _Acquires_lock_/_Releases_lock_ say.
    auto Annotated = [&](const std::pair<std::string, std::string> &Lock,
                         LockContract::OpKind Kind) {
      LockOp Op;
      Op.Op = Kind;
      Op.Key = substitute(Lock.first, C, &Op.Display);
      if (Op.Display.empty())
        Op.Display = lockState(S, Op.Key).Display;
      if (Op.Display.empty())
        Op.Display = Lock.second;
      Op.Precise = isPreciseKey(Op.Key);
      Op.Spelled = C.Spelled;
      if (!Op.Key.empty())
        Ops.push_back(std::move(Op));
    };
    for (const auto &L : K->SalAcquires)
      Annotated(L, LockContract::LO_Acquire);
    for (const auto &L : K->SalReleases)
      Annotated(L, LockContract::LO_Release);
  }
  if (!Sum)
    return Ops;
  for (const auto &[CalleeKey, L] : Sum->Locks) {
    LockOp Op;
    Op.Key = substitute(CalleeKey, C, &Op.Display);
    if (Op.Key.empty())
      continue;
    // Name the lock as the caller does when it can.
    if (Op.Display.empty())
      Op.Display = lockState(S, Op.Key).Display;
    if (Op.Display.empty())
      Op.Display = L.Display;
    Op.Handle = substitute(L.Handle, C);
    Op.Precise = isPreciseKey(Op.Key);
    Op.Kind = L.Kind;
    Op.Global = L.Global;
    Op.Spelled = C.Spelled;
    uint8_t Effect = L.Mask & (LS_Held | LS_Free);
    if (Effect == LS_Held) {
      Op.Op = LockContract::LO_Acquire;
      Op.Routine = L.By.empty() ? std::string() : L.By.front().Routine;
    } else if (Effect == LS_Free) {
      Op.Op = LockContract::LO_Release;
      Op.Routine = L.ReleasedWith;
    } else {
      continue; // Acquires on some paths, releases on others.
    }
    Op.Partial = L.Mask & LS_AsEntry;
    Ops.push_back(std::move(Op));
  }
  return Ops;
}

/// Applies one lock operation of call \p C to \p S.
static void applyLockOp(State &S, const LockOp &Op, const Loc &At) {
  if (Op.Key.empty())
    return;
  LockState &L = S.Locks[Op.Key];
  uint8_t Before = L.Mask;
  std::vector<Acquisition> PrevBy = L.By;
  std::vector<Loc> PrevReleased = L.ReleasedAt;
  if (!Op.Display.empty())
    L.Display = Op.Display;
  L.Kind = Op.Kind;
  L.Global = Op.Global;
  if (Op.Op == LockContract::LO_Acquire ||
      Op.Op == LockContract::LO_TryAcquire) {
    L.Mask = LS_Held;
    L.Handle = Op.Handle;
    L.SavedIn.clear();
    L.By = {Acquisition{Op.Routine, Op.Spelled, At}};
    L.ReleasedAt.clear();
  } else if (Op.Op == LockContract::LO_Release) {
    if (Before & LS_AsEntry)
      L.ReleasedEntryLock = true;
    L.Mask = LS_Free;
    L.By.clear();
    L.ReleasedAt = {At};
    L.ReleasedWith = Op.Routine;
  }
  if (Op.Partial) {
    // The wrapper leaves the lock alone on some paths.
    L.Mask |= Before;
    mergeSites(L.By, PrevBy);
    mergeSites(L.ReleasedAt, PrevReleased);
  }
}

/// The variable a path is part of: `t@12` for `t@12.u.LowPart`.
static llvm::StringRef rootOf(llvm::StringRef Path) {
  return Path.take_until([](char C) { return C == '.' || C == '['; });
}

/// Forgets what is known of \p Path, of the storage inside it and of the
/// storage it is inside; of the whole variable when \p Path is
/// (`a@3[*]`, an element with a variable index) or when \p WholeVariable.
static void forgetKnown(State &S, llvm::StringRef Path,
                        bool WholeVariable = false) {
  WholeVariable |= Path.contains("[*]");
  llvm::StringRef Root = rootOf(Path);
  auto Overlaps = [&](llvm::StringRef K) {
    if (WholeVariable)
      return rootOf(K) == Root;
    llvm::StringRef Short = K.size() < Path.size() ? K : Path;
    llvm::StringRef Long = K.size() < Path.size() ? Path : K;
    return Long.starts_with(Short) &&
           (Long.size() == Short.size() || Long[Short.size()] == '.' ||
            Long[Short.size()] == '[');
  };
  for (auto It = S.Known.begin(); It != S.Known.end();)
    It = Overlaps(It->first) ? S.Known.erase(It) : std::next(It);
}

/// A call may write the whole of any variable its pointer arguments point
/// into (`&t`, `&s.f`, an array), except a wait's timeout, which it only
/// reads: a polling loop keeps its zero timeout.
static void forgetWrittenBy(const CallFact &C, const Contract *K, State &S) {
  for (size_t I = 0; I < C.Args.size() && !S.Known.empty(); ++I) {
    if (K && K->Wait.TimeoutArg == int(I))
      continue;
    if (!C.Args[I].Pointee.empty())
      forgetKnown(S, C.Args[I].Pointee, /*WholeVariable=*/true);
  }
}

void FunctionAnalysis::transferCall(const CallFact &C, const Contract *K,
                                    const std::vector<LockOp> &Ops,
                                    State &S) const {
  for (const LockOp &Op : Ops) {
    if (Op.Op == LockContract::LO_TryAcquire)
      continue;
    // Acquiring a lock this function certainly holds spins forever: the
    // path ends here (and reports nothing more than the deadlock).
    if (Op.Op == LockContract::LO_Acquire && !Op.Partial && Op.Precise &&
        lockState(S, Op.Key).Mask == LS_Held) {
      S.Reachable = false;
      return;
    }
    applyLockOp(S, Op, C.At);
  }

  IrqlValue Before = S.Irql;
  auto SetIrql = [&](IrqlValue V, std::string What) {
    S.Irql = V;
    S.IrqlChangedAt = C.At;
    S.IrqlChange = std::move(What);
    S.IrqlChangedByLock = !Ops.empty();
  };
  const Summary *Sum = summaryFor(C);
  if (!K || (!K->Irql.changesIrql() && !K->Irql.SavesReturn &&
             K->Irql.SavesToArg < 0)) {
    // A user function without an IRQL contract: its summary says.
    if (!Sum)
      return;
    for (const auto &[CalleePath, V] : Sum->Saves) {
      std::string Path = substitute(CalleePath, C);
      if (!Path.empty())
        S.Saved[Path] = SavedIrql{V.compose(Before), C.At};
    }
    if (Sum->ExitIrql != IrqlValue::entry()) {
      IrqlValue V = Sum->ExitIrql.compose(Before);
      SetIrql(V, V.Unknown || V.EntryMask
                     ? "changed by '" + C.Spelled + "'"
                     : "raised to " + describeLevels(V.Levels) + " by '" +
                           C.Spelled + "'");
    }
    return;
  }

  const IrqlContract &I = K->Irql;
  auto Save = [&](const std::string &Path) {
    if (!Path.empty())
      S.Saved[Path] = SavedIrql{Before, C.At};
  };
  std::string SavedTo;
  if (I.SavesReturn)
    SavedTo = C.ResultTo;
  if (I.SavesToArg >= 0 && size_t(I.SavesToArg) < C.Args.size())
    SavedTo = C.Args[I.SavesToArg].Pointee;
  Save(SavedTo);
  // An acquire's saved IRQL belongs to that lock: its release must restore
  // it (irql-restore-mismatch).
  if (!SavedTo.empty() && K->Lock.Op == LockContract::LO_Acquire &&
      !Ops.empty() && !Ops.front().Key.empty()) {
    S.Locks[Ops.front().Key].SavedIn = SavedTo;
    S.Saved[SavedTo].ByLock = Ops.front().Key;
  }
  if (I.Raises) {
    SetIrql(IrqlValue::exactly(I.Raises),
            "raised to " + describeLevels(I.Raises));
  } else if (I.RaisesToArg >= 0 && size_t(I.RaisesToArg) < C.Args.size()) {
    IrqlValue V = irqlOfArg(C.Args[I.RaisesToArg], S, false);
    SetIrql(V, V.Unknown || V.EntryMask
                   ? "raised"
                   : "raised to " + describeLevels(V.Levels));
  } else if (I.RestoresArg >= 0 && size_t(I.RestoresArg) < C.Args.size()) {
    IrqlValue V = irqlOfArg(C.Args[I.RestoresArg], S, false);
    SetIrql(V, C.Args[I.RestoresArg].HasConst
                   ? "lowered to " + describeLevels(V.Levels)
                   : "restored");
  } else if (I.RestoresFromArg >= 0 &&
             size_t(I.RestoresFromArg) < C.Args.size()) {
    SetIrql(irqlOfArg(C.Args[I.RestoresFromArg], S, true), "restored");
  }
}

State FunctionAnalysis::edgeState(const State &Out, unsigned From,
                                  const Edge &E) const {
  State S = Out;
  if (E.Filter != IL_All)
    S.Irql = S.Irql.refine(E.Filter);
  const BlockFact &B = F.Blocks[From];
  if (E.Branch && !B.Events.empty() &&
      B.Events.back().Kind == Event::EK_Call) {
    // Only the last call of a block can be its branch condition.
    const CallFact &C = B.Events.back().call();
    if (!C.IsBranchCondition || (E.Branch == 1) == C.BranchNegated)
      return S;
    const Contract *K = contractFor(C, DB);
    for (const LockOp &Op : lockOps(C, K, S))
      if (Op.Op == LockContract::LO_TryAcquire)
        applyLockOp(S, Op, C.At);
  }
  return S;
}

void FunctionAnalysis::transferBlock(unsigned BI, State &S,
                                     AnalysisVisitor *V) const {
  for (const Event &E : F.Blocks[BI].Events) {
    if (!S.Reachable)
      return;
    switch (E.Kind) {
    case Event::EK_Call: {
      const Contract *K = contractFor(E.call(), DB);
      std::vector<LockOp> Ops = lockOps(E.call(), K, S);
      if (V)
        V->onCall(E.call(), K, Ops, S);
      transferCall(E.call(), K, Ops, S);
      forgetWrittenBy(E.call(), K, S);
      break;
    }
    case Event::EK_Return:
      if (V)
        V->onReturn(E.At, S);
      break;
    case Event::EK_Access:
      if (V)
        V->onAccess(E.access(), E.At, S);
      break;
    case Event::EK_Store:
    case Event::EK_Copy:
      break;
    case Event::EK_Assign:
      forgetKnown(S, E.assign().Target);
      if (E.assign().HasConst &&
          !llvm::StringRef(E.assign().Target).contains("[*]"))
        S.Known[E.assign().Target] = E.assign().Const;
      break;
    }
  }
}

void FunctionAnalysis::run() {
  In.assign(F.Blocks.size(), State());
  if (F.Blocks.empty())
    return;
  In[F.EntryBlock] = State::entry();
  std::deque<unsigned> Work{F.EntryBlock};
  std::vector<bool> Queued(F.Blocks.size(), false);
  Queued[F.EntryBlock] = true;
  // The domain is finite (masks, capped site lists), so this terminates; the
  // cap only guards against a bug turning into a hang.
  size_t Budget = 64 * F.Blocks.size() + 64;
  while (!Work.empty() && Budget--) {
    unsigned B = Work.front();
    Work.pop_front();
    Queued[B] = false;
    State S = In[B];
    transferBlock(B, S, nullptr);
    for (const Edge &E : F.Blocks[B].Succs) {
      if (In[E.To].join(edgeState(S, B, E)) && !Queued[E.To]) {
        Queued[E.To] = true;
        Work.push_back(E.To);
      }
    }
  }
}

void FunctionAnalysis::replay(AnalysisVisitor &V) const {
  // Block order is the CFG's, which follows the source: deterministic.
  for (unsigned B = F.Blocks.size(); B-- > 0;) {
    if (!In[B].Reachable)
      continue;
    State S = In[B];
    transferBlock(B, S, &V);
  }
}

Summary FunctionAnalysis::summarize() const {
  // The join of the states at every return.
  struct Collector : AnalysisVisitor {
    State Exit;
    void onReturn(const Loc &, const State &S) override { Exit.join(S); }
  } C;
  replay(C);
  Summary Sum;
  if (!C.Exit.Reachable)
    return Sum; // Never returns.
  Sum.ExitIrql = C.Exit.Irql;
  for (const auto &[Key, L] : C.Exit.Locks) {
    // Free at exit is an effect only if it may have been the caller's lock.
    bool Releases = (L.Mask & LS_Free) && L.ReleasedEntryLock;
    if ((L.Mask & LS_Held) || Releases) {
      LockState Effect = L;
      if (!Releases && (L.Mask & LS_Free))
        Effect.Mask = (L.Mask & ~LS_Free) | LS_AsEntry;
      Sum.Locks.emplace(Key, Effect);
    }
  }
  for (const auto &[Path, V] : C.Exit.Saved)
    if (Path.compare(0, 2, "*$") == 0)
      Sum.Saves.emplace(Path, V.Value);
  return Sum;
}
