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

static void joinLock(LockState &Into, const LockState &From) {
  Into.Mask |= From.Mask;
  mergeSites(Into.By, From.By);
  mergeSites(Into.ReleasedAt, From.ReleasedAt);
  if (Into.Handle.empty())
    Into.Handle = From.Handle;
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
  }
  for (const auto &[Key, V] : O.Saved)
    if (!Saved.count(Key))
      Saved.emplace(Key, SavedIrql{IrqlValue::unknown(), V.At});
  return !(*this == Old);
}

std::string State::str() const {
  if (!Reachable)
    return "unreachable";
  std::string Out = "irql=" + Irql.str();
  for (const auto &[Key, L] : Locks)
    Out += " " + Key + ":" + std::to_string(L.Mask);
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

LockOperand irqlcheck::resolveLock(const CallFact &C, const Contract &K,
                                   const State &S) {
  LockOperand Op;
  const LockContract &L = K.Lock;
  if (!L.Global.empty()) {
    Op.Key = "<" + L.Global + ">";
    return Op;
  }
  if (L.Handle >= 0 && size_t(L.Handle) < C.Args.size())
    Op.Handle = C.Args[L.Handle].Pointee;
  if (L.Arg >= 0 && size_t(L.Arg) < C.Args.size()) {
    const ArgFact &A = C.Args[L.Arg];
    Op.Display = A.Text;
    Op.Key = A.Pointee;
    if (Op.Key.empty()) {
      Op.Key = "?" + A.Text;
      Op.Precise = false;
    }
    if (Op.Key.find("[*]") != std::string::npos)
      Op.Precise = false;
    return Op;
  }
  // Released through its in-stack handle: find the lock taken with it.
  for (const auto &[Key, LS] : S.Locks)
    if (!Op.Handle.empty() && LS.Handle == Op.Handle) {
      Op.Key = Key;
      Op.Display = LS.Display;
      Op.Precise = Key[0] != '?' && Key.find("[*]") == std::string::npos;
      return Op;
    }
  return Op;
}

std::string irqlcheck::spelledName(const CallFact &C, const ContractDB &DB) {
  for (const std::string &M : C.Macros)
    if (DB.isAliasOf(M, C.Callee))
      return M;
  return C.Spelled.empty() ? C.Callee : C.Spelled;
}

FunctionAnalysis::FunctionAnalysis(const FunctionFact &F, const ContractDB &DB)
    : F(F), DB(DB) {}

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

static void applyAcquire(State &S, const LockOperand &Op, const Contract &K,
                         const std::string &Spelled, const Loc &At) {
  if (Op.Key.empty())
    return;
  LockState &L = S.Locks[Op.Key];
  L.Mask = LS_Held;
  L.Display = Op.Display;
  L.Kind = K.Lock.Kind;
  L.Global = !K.Lock.Global.empty();
  L.Handle = Op.Handle;
  L.By = {Acquisition{K.Name, Spelled, At}};
  L.ReleasedAt.clear();
}

void FunctionAnalysis::transferCall(const CallFact &C, State &S) const {
  const Contract *K = C.Callee.empty() ? nullptr : DB.lookup(C.Callee);
  if (!K)
    return;
  std::string Spelled = spelledName(C, DB);
  IrqlValue Before = S.Irql;

  // Lock effect. A try-acquire that decides a branch takes effect on the
  // edge where it succeeded (edgeState).
  const LockContract &L = K->Lock;
  if (L.Op == LockContract::LO_Acquire) {
    applyAcquire(S, resolveLock(C, *K, S), *K, Spelled, C.At);
  } else if (L.Op == LockContract::LO_Release) {
    LockOperand Op = resolveLock(C, *K, S);
    if (!Op.Key.empty()) {
      LockState &LS = S.Locks[Op.Key];
      LS.Mask = LS_Free;
      if (LS.Display.empty())
        LS.Display = Op.Display;
      LS.Kind = L.Kind;
      LS.Global = !L.Global.empty();
      LS.By.clear();
      LS.ReleasedAt = {C.At};
    }
  }

  // IRQL effect.
  const IrqlContract &I = K->Irql;
  auto Save = [&](const std::string &Path) {
    if (!Path.empty())
      S.Saved[Path] = SavedIrql{Before, C.At};
  };
  if (I.SavesReturn)
    Save(C.ResultTo);
  if (I.SavesToArg >= 0 && size_t(I.SavesToArg) < C.Args.size())
    Save(C.Args[I.SavesToArg].Pointee);
  auto SetIrql = [&](IrqlValue V, std::string What) {
    S.Irql = V;
    S.IrqlChangedAt = C.At;
    S.IrqlChange = std::move(What);
  };
  if (I.Raises) {
    SetIrql(IrqlValue::exactly(I.Raises),
            "raised to " + describeLevels(I.Raises));
  } else if (I.RaisesToArg >= 0 && size_t(I.RaisesToArg) < C.Args.size()) {
    IrqlValue V = irqlOfArg(C.Args[I.RaisesToArg], S, false);
    SetIrql(V, V.Unknown || V.EntryMask ? "raised"
                                        : "raised to " + describeLevels(V.Levels));
  } else if (I.RestoresArg >= 0 && size_t(I.RestoresArg) < C.Args.size()) {
    SetIrql(irqlOfArg(C.Args[I.RestoresArg], S, false), "restored");
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
    const CallFact &C = B.Events.back().Call;
    const Contract *K = C.Callee.empty() ? nullptr : DB.lookup(C.Callee);
    bool Succeeded = (E.Branch == 1) != C.BranchNegated;
    if (K && C.IsBranchCondition &&
        K->Lock.Op == LockContract::LO_TryAcquire && Succeeded)
      applyAcquire(S, resolveLock(C, *K, S), *K, spelledName(C, DB), C.At);
  }
  return S;
}

void FunctionAnalysis::transferBlock(unsigned BI, State &S,
                                     AnalysisVisitor *V) const {
  for (const Event &E : F.Blocks[BI].Events) {
    switch (E.Kind) {
    case Event::EK_Call:
      if (V)
        V->onCall(E.Call, E.Call.Callee.empty() ? nullptr
                                                : DB.lookup(E.Call.Callee),
                  S);
      transferCall(E.Call, S);
      break;
    case Event::EK_Return:
      if (V)
        V->onReturn(E.At, S);
      break;
    case Event::EK_Store:
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
