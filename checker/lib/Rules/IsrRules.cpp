//===- IsrRules.cpp - isr-shared-state ------------------------------------===//
///
/// \file
/// State an ISR shares with the rest of the driver. The ISR and the
/// SynchCritSection routines run at DIRQL holding the interrupt spin lock;
/// any other code that touches what they write must do so inside the same
/// critical section (a SynchCritSection routine run by
/// KeSynchronizeExecution, or KeAcquireInterruptSpinLock), or it races with
/// the ISR: it reads half-updated state, or its own write is lost.
///
/// Two sides, matched by object path over the whole program:
///
/// - the ISR side: writes in code whose IRQL is surely above DISPATCH_LEVEL
///   (the ISR, SynchCritSection routines, helpers only they call, code
///   after KeAcquireInterruptSpinLock);
/// - the other side: reads and writes where the IRQL may be DISPATCH_LEVEL
///   or lower and the interrupt spin lock is not surely held.
///
/// A path touched on the other side and written on the ISR side is
/// reported once, at its first such access in source order, with the first
/// ISR-side write as the evidence. Interlocked operations are calls, not
/// accesses, so they never race. Code that runs while the interrupt cannot
/// be connected is not the other side: before IoConnectInterrupt(Ex) and
/// after IoDisconnectInterrupt(Ex) in the function that calls them, in
/// roles marked `interrupt_not_connected` (AddDevice, DriverEntry), and in
/// helpers called only from such places.
///
//===----------------------------------------------------------------------===//
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"

#include <deque>
#include <map>

using namespace irqlcheck;

static constexpr llvm::StringLiteral RuleId = "isr-shared-state";
static constexpr IrqlSet UpToDispatch = IL_Passive | IL_Apc | IL_Dispatch;
/// The key of the interrupt spin lock in lock states (roles.yaml `holds`,
/// the KeAcquireInterruptSpinLock contract's `global`).
static constexpr llvm::StringLiteral InterruptLock = "<InterruptSpinLock>";

enum AccessKind {
  AK_IsrWrite, ///< A write on the ISR side.
  AK_Read,     ///< An unsynchronized read on the other side.
  AK_Write,    ///< An unsynchronized write on the other side.
};

/// Whether the interrupt may be connected, per path, relative to entry.
enum : uint8_t {
  CS_AsEntry = 1,
  CS_Connected = 2,
  CS_NotConnected = 4,
};

/// Storage named the same in every function: no local (`x@12`) or
/// parameter (`$0`) in its path. Elements of one array are one object:
/// `Ring[3]` and `Ring[i]` are both `Ring[*]`.
static std::string sharedKey(const std::string &Path) {
  if (Path.empty() || Path.find('@') != std::string::npos ||
      Path.find('$') != std::string::npos)
    return {};
  std::string Out;
  for (size_t I = 0; I < Path.size(); ++I) {
    Out += Path[I];
    if (Path[I] != '[')
      continue;
    size_t Close = Path.find(']', I);
    if (Close == std::string::npos)
      return {};
    Out += "*]";
    I = Close;
  }
  return Out;
}

/// \p A names \p B or an object inside it (`T::Isr` covers `T::Isr.Count`).
static bool covers(llvm::StringRef A, llvm::StringRef B) {
  return B.starts_with(A) &&
         (B.size() == A.size() || B[A.size()] == '.' || B[A.size()] == '[');
}

static bool overlap(const std::string &A, const std::string &B) {
  return covers(A, B) || covers(B, A);
}

/// What a call does to the interrupt by its contract: connect, disconnect
/// or nothing.
static Contract::InterruptOpKind interruptOp(const Event &E,
                                             const ContractDB &DB) {
  if (E.Kind != Event::EK_Call)
    return Contract::IO_None;
  const Contract *K = contractFor(E.Call, DB);
  return K ? K->Interrupt : Contract::IO_None;
}

namespace {

class IsrSharedStateRule : public Rule {
  // Facts derived from the whole program on first use. The rule object
  // lives for one analysis of one program, so they never go stale.
  mutable std::map<const FunctionFact *, std::vector<uint8_t>> BlockStates;
  /// Per function: the connection states at its returns, "as on entry"
  /// standing for its caller's state.
  mutable std::map<const FunctionFact *, uint8_t> ExitStates;
  /// Per function: 1 if every way into it that is neither synchronized
  /// with the ISR nor above DISPATCH_LEVEL runs while the interrupt is not
  /// connected, 0 if not (or not known), 2 while being computed.
  mutable std::map<std::string, int> EntersUnshared;

  void onAccess(const RuleContext &Ctx, const AccessFact &A, const Loc &At,
                const State &S) const override {
    std::string Key = sharedKey(A.Path);
    IrqlSet Levels = Ctx.levels(S);
    if (Key.empty() || !Levels)
      return;
    Observation O;
    O.Rule = RuleId.str();
    O.Key = Key;
    O.At = At;
    O.Text = A.Text;
    O.Function = Ctx.Function.Name;
    if (!(Levels & UpToDispatch)) {
      if (!A.Write)
        return; // What the ISR side only reads, others may read too.
      O.Kind = AK_IsrWrite;
      O.Levels = Levels;
      O.Why = Ctx.irqlNotes(S, Levels);
      Ctx.Observed.push_back(std::move(O));
      return;
    }
    if (interruptLockHeld(S, Ctx.Entry) ||
        notConnected(Ctx, Ctx.Function,
                     stateBefore(Ctx, Ctx.Function, &A, nullptr)))
      return;
    O.Kind = A.Write ? AK_Write : AK_Read;
    O.Levels = Levels & UpToDispatch;
    O.Why = Ctx.irqlNotes(S, O.Levels);
    Ctx.Observed.push_back(std::move(O));
  }

  /// The interrupt spin lock is held on every path in \p Locks (a state
  /// of a function entered with \p Entry): taken there, or held on entry
  /// in every context.
  static bool interruptLockHeld(const std::map<std::string, LockState> &Locks,
                                const EntryContext &Entry) {
    auto It = Locks.find(InterruptLock.str());
    uint8_t Mask = It == Locks.end() ? uint8_t(LS_AsEntry) : It->second.Mask;
    if (!(Mask & (LS_AsEntry | LS_Held)) || (Mask & LS_Free))
      return false;
    if (!(Mask & LS_AsEntry))
      return true;
    const EntryHeld *H = Entry.held(InterruptLock.str());
    return H && H->Must;
  }
  static bool interruptLockHeld(const State &S, const EntryContext &Entry) {
    return interruptLockHeld(S.Locks, Entry);
  }

  //===--- Is the interrupt connected here? -----------------------------===//

  /// The connection state after event \p E: a connect or disconnect DDI
  /// sets it; a call to a program function does to it what that function
  /// does on its way to its returns (a stop routine that disconnects).
  uint8_t step(const RuleContext &Ctx, const Event &E, uint8_t S) const {
    switch (interruptOp(E, Ctx.DB)) {
    case Contract::IO_Connect:
      return CS_Connected;
    case Contract::IO_Disconnect:
      return CS_NotConnected;
    case Contract::IO_None:
      break;
    }
    if (E.Kind != Event::EK_Call)
      return S;
    uint8_t Out = 0;
    for (const FunctionFact *Callee : Ctx.Graph.callees(E.Call)) {
      uint8_t R = exitStates(Ctx, *Callee);
      Out |= (R & ~CS_AsEntry) | ((R & CS_AsEntry) ? S : 0);
    }
    return Out ? Out : S;
  }

  uint8_t exitStates(const RuleContext &Ctx, const FunctionFact &F) const {
    auto It = ExitStates.find(&F);
    if (It != ExitStates.end())
      return It->second;
    ExitStates[&F] = CS_AsEntry; // Recursion: no effect.
    const std::vector<uint8_t> &In = blockStates(Ctx, F);
    uint8_t Out = 0;
    for (size_t B = 0; B < F.Blocks.size(); ++B) {
      uint8_t S = In[B];
      for (const Event &E : F.Blocks[B].Events) {
        if (E.Kind == Event::EK_Return)
          Out |= S;
        S = step(Ctx, E, S);
      }
    }
    return ExitStates[&F] = Out;
  }

  /// The connection state at the entry of each block of \p F.
  const std::vector<uint8_t> &blockStates(const RuleContext &Ctx,
                                          const FunctionFact &F) const {
    auto It = BlockStates.find(&F);
    if (It != BlockStates.end())
      return It->second;
    std::vector<uint8_t> In(F.Blocks.size(), 0);
    if (!F.Blocks.empty()) {
      In[F.EntryBlock] = CS_AsEntry;
      std::deque<unsigned> Work{F.EntryBlock};
      while (!Work.empty()) {
        unsigned B = Work.front();
        Work.pop_front();
        uint8_t S = In[B];
        for (const Event &E : F.Blocks[B].Events)
          S = step(Ctx, E, S);
        for (const Edge &Succ : F.Blocks[B].Succs)
          if ((In[Succ.To] | S) != In[Succ.To]) {
            In[Succ.To] |= S;
            Work.push_back(Succ.To);
          }
      }
    }
    return BlockStates[&F] = std::move(In);
  }

  /// The connection state just before an event of \p F: the access at
  /// \p Access (the replay hands rules the facts' own AccessFact), or the
  /// call \p Call (matched by identity, else by position, since a header
  /// function's call site may come from another TU's copy of it). 0 if it
  /// is not found.
  uint8_t stateBefore(const RuleContext &Ctx, const FunctionFact &F,
                      const AccessFact *Access, const CallFact *Call) const {
    const std::vector<uint8_t> &In = blockStates(Ctx, F);
    for (int Pass = 0; Pass < 2; ++Pass)
      for (size_t B = 0; B < F.Blocks.size(); ++B) {
        uint8_t S = In[B];
        for (const Event &E : F.Blocks[B].Events) {
          if (Access && &E.Access == Access)
            return S;
          if (Call && E.Kind == Event::EK_Call &&
              (Pass == 0
                   ? &E.Call == Call
                   : E.Call.At == Call->At && E.Call.Callee == Call->Callee))
            return S;
          S = step(Ctx, E, S);
        }
      }
    return 0;
  }

  /// \p F calls a connect routine itself (a wrapper's callers do not
  /// count: its connect is one call among their other work).
  static bool callsConnect(const FunctionFact &F, const ContractDB &DB) {
    for (const BlockFact &B : F.Blocks)
      for (const Event &E : B.Events)
        if (interruptOp(E, DB) == Contract::IO_Connect)
          return true;
    return false;
  }

  /// Connection state \p S of function \p F is "not connected" on every
  /// path, "as on entry" resolved by how \p F is entered.
  bool notConnected(const RuleContext &Ctx, const FunctionFact &F,
                    uint8_t S) const {
    if (!S || (S & CS_Connected))
      return false;
    return !(S & CS_AsEntry) || entersUnshared(Ctx, F.Key);
  }

  bool entersUnshared(const RuleContext &Ctx, const std::string &Key) const {
    auto It = EntersUnshared.find(Key);
    if (It != EntersUnshared.end())
      return It->second == 1;
    EntersUnshared[Key] = 2; // Recursion: not known, so not unshared.
    bool Result = computeEntersUnshared(Ctx, Key);
    EntersUnshared[Key] = Result;
    return Result;
  }

  /// Function \p Key is entered while the interrupt is not connected,
  /// except where it is entered synchronized with the ISR anyway: it
  /// connects the interrupt itself (connecting twice would be a defect of
  /// its own), or each of its roles is marked `interrupt_not_connected` or
  /// runs above DISPATCH_LEVEL (the ISR, SynchCritSection routines), and
  /// each call into it is made above DISPATCH_LEVEL, under the interrupt
  /// spin lock, or where the interrupt is not connected.
  bool computeEntersUnshared(const RuleContext &Ctx,
                             const std::string &Key) const {
    const FunctionFact *F = Ctx.Graph.function(Key);
    if (F && callsConnect(*F, Ctx.DB))
      return true;
    const EntryContext &E = Ctx.Contexts.lookup(Key);
    std::vector<const CallSite *> Sites = Ctx.Contexts.sitesInto(Key);
    if (E.Roles.empty() && Sites.empty())
      return false;
    for (const std::string &Name : E.Roles) {
      const Role *R = Ctx.DB.role(Name);
      if (!R || (!R->InterruptNotConnected && (R->Irql & UpToDispatch)))
        return false;
    }
    for (const CallSite *S : Sites) {
      const EntryContext &CallerEntry = Ctx.Contexts.lookup(S->Caller);
      IrqlSet Levels =
          S->Irql.Unknown ? 0 : S->Irql.substitute(CallerEntry.Irql);
      if ((Levels && !(Levels & UpToDispatch)) ||
          interruptLockHeld(S->Locks, CallerEntry))
        continue;
      const FunctionFact *Caller = Ctx.Graph.function(S->Caller);
      if (!Caller || !notConnected(Ctx, *Caller,
                                   stateBefore(Ctx, *Caller, nullptr, S->Call)))
        return false;
    }
    return true;
  }

  //===--- Judging -------------------------------------------------------===//

  void onProgram(llvm::ArrayRef<Observation> All,
                 std::vector<Finding> &Out) const override {
    std::vector<const Observation *> IsrWrites;
    for (const Observation &O : All)
      if (O.Rule == RuleId && O.Kind == AK_IsrWrite)
        IsrWrites.push_back(&O);
    if (IsrWrites.empty())
      return;
    // Observations are sorted by rule, key and location: the first other-
    // side access of a key is the first in source order.
    for (size_t I = 0; I < All.size();) {
      size_t E = I;
      while (E < All.size() && All[E].Rule == All[I].Rule &&
             All[E].Key == All[I].Key)
        ++E;
      if (All[I].Rule == RuleId)
        judgeKey(All.slice(I, E - I), IsrWrites, Out);
      I = E;
    }
  }

  static void judgeKey(llvm::ArrayRef<Observation> Uses,
                       llvm::ArrayRef<const Observation *> IsrWrites,
                       std::vector<Finding> &Out) {
    const Observation *Other = nullptr;
    for (const Observation &O : Uses)
      if (O.Kind != AK_IsrWrite) {
        Other = &O;
        break;
      }
    if (!Other)
      return;
    const Observation *W = nullptr;
    for (const Observation *C : IsrWrites)
      if (overlap(C->Key, Other->Key) && (!W || C->At < W->At))
        W = C;
    if (W)
      report(*Other, *W, Out);
  }

  static void report(const Observation &O, const Observation &W,
                     std::vector<Finding> &Out) {
    const char *Verb = O.Kind == AK_Write ? "write" : "read";
    std::string Written = O.Key == W.Key ? "it" : "'" + W.Text + "'";
    std::vector<Note> Notes = O.Why;
    Notes.push_back({W.At, "'" + W.Text + "' is written here at " +
                               describeLevels(W.Levels)});
    Notes.insert(Notes.end(), W.Why.begin(), W.Why.end());
    Out.push_back(
        {RuleId.str(), O.At,
         "'" + O.Text + "' is " + (O.Kind == AK_Write ? "written" : "read") +
             " at " + describeLevels(O.Levels) +
             " without the interrupt spin lock, but '" + W.Function +
             "' writes " + Written + " at " + describeLevels(W.Levels) + "; " +
             Verb +
             " it in a SynchCritSection routine run by "
             "KeSynchronizeExecution, or under KeAcquireInterruptSpinLock",
         std::move(Notes)});
  }
};

} // namespace

void irqlcheck::addIsrRules(llvm::ArrayRef<std::string> Enabled,
                            std::vector<std::unique_ptr<Rule>> &Out) {
  if (llvm::is_contained(Enabled, RuleId))
    Out.push_back(std::make_unique<IsrSharedStateRule>());
}
