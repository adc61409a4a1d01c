//===- InterruptConnection.cpp - Is the ISR connected here? --------------===//
#include "Rules/InterruptConnection.h"

#include <deque>

using namespace irqlcheck;

static constexpr IrqlSet UpToDispatch = IL_Passive | IL_Apc | IL_Dispatch;

/// Whether the interrupt may be connected, per path, relative to entry.
enum : uint8_t {
  CS_AsEntry = 1,
  CS_Connected = 2,
  CS_NotConnected = 4,
};

/// What a call does to the interrupt by its contract: connect, disconnect
/// or nothing.
static Contract::InterruptOpKind interruptOp(const Event &E,
                                             const ContractDB &DB) {
  if (E.Kind != Event::EK_Call)
    return Contract::IO_None;
  const Contract *K = contractFor(E.call(), DB);
  return K ? K->Interrupt : Contract::IO_None;
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

bool irqlcheck::interruptLockHeld(const std::map<std::string, LockState> &Locks,
                                  const EntryContext &Entry) {
  auto It = Locks.find(InterruptSpinLockKey.str());
  uint8_t Mask = It == Locks.end() ? uint8_t(LS_AsEntry) : It->second.Mask;
  if (!(Mask & (LS_AsEntry | LS_Held)) || (Mask & LS_Free))
    return false;
  if (!(Mask & LS_AsEntry))
    return true;
  const EntryHeld *H = Entry.held(InterruptSpinLockKey.str());
  return H && H->Must;
}

bool InterruptConnection::notConnectedAt(const RuleContext &Ctx,
                                         const AccessFact &A) const {
  return notConnected(Ctx, Ctx.Function,
                      stateBefore(Ctx, Ctx.Function, &A, nullptr));
}

bool InterruptConnection::notConnectedAt(const RuleContext &Ctx,
                                         const CallFact &C) const {
  return notConnected(Ctx, Ctx.Function,
                      stateBefore(Ctx, Ctx.Function, nullptr, &C));
}

/// The connection state after event \p E: a connect or disconnect DDI
/// sets it; a call to a program function does to it what that function
/// does on its way to its returns (a stop routine that disconnects).
uint8_t InterruptConnection::step(const RuleContext &Ctx, const Event &E,
                                  uint8_t S) const {
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
  for (const FunctionFact *Callee : Ctx.Graph.callees(E.call())) {
    uint8_t R = exitStates(Ctx, *Callee);
    Out |= (R & ~CS_AsEntry) | ((R & CS_AsEntry) ? S : 0);
  }
  return Out ? Out : S;
}

/// The states at the returns of \p F (what a call to it leaves).
uint8_t InterruptConnection::exitStates(const RuleContext &Ctx,
                                        const FunctionFact &F) const {
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
const std::vector<uint8_t> &
InterruptConnection::blockStates(const RuleContext &Ctx,
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

/// The connection state before each access and call of \p F.
const llvm::DenseMap<const void *, uint8_t> &
InterruptConnection::eventStates(const RuleContext &Ctx,
                                 const FunctionFact &F) const {
  auto It = EventStates.find(&F);
  if (It != EventStates.end())
    return It->second;
  llvm::DenseMap<const void *, uint8_t> Out;
  const std::vector<uint8_t> &In = blockStates(Ctx, F);
  for (size_t B = 0; B < F.Blocks.size(); ++B) {
    uint8_t S = In[B];
    for (const Event &E : F.Blocks[B].Events) {
      if (E.Kind == Event::EK_Access)
        Out[&E.access()] = S;
      else if (E.Kind == Event::EK_Call)
        Out[&E.call()] = S;
      S = step(Ctx, E, S);
    }
  }
  return EventStates[&F] = std::move(Out);
}

/// The connection state just before an event of \p F: the access at
/// \p Access (the replay hands rules the facts' own AccessFact), or the
/// call \p Call (by identity, else by position: a call site of a function
/// defined in a header may come from another TU's copy of it). 0 if it is
/// not found.
uint8_t InterruptConnection::stateBefore(const RuleContext &Ctx,
                                         const FunctionFact &F,
                                         const AccessFact *Access,
                                         const CallFact *Call) const {
  const llvm::DenseMap<const void *, uint8_t> &States = eventStates(Ctx, F);
  const void *Key = Access ? static_cast<const void *>(Access) : Call;
  auto It = States.find(Key);
  if (It != States.end())
    return It->second;
  if (!Call)
    return 0;
  for (const BlockFact &B : F.Blocks)
    for (const Event &E : B.Events)
      if (E.Kind == Event::EK_Call && E.call().At == Call->At &&
          E.call().Callee == Call->Callee)
        return States.lookup(&E.call());
  return 0;
}

/// Connection state \p S of function \p F is "not connected" on every
/// path, "as on entry" resolved by how \p F is entered.
bool InterruptConnection::notConnected(const RuleContext &Ctx,
                                       const FunctionFact &F, uint8_t S) const {
  if (!S || (S & CS_Connected))
    return false;
  return !(S & CS_AsEntry) || entersUnshared(Ctx, F.Key);
}

bool InterruptConnection::entersUnshared(const RuleContext &Ctx,
                                         const std::string &Key) const {
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
bool InterruptConnection::computeEntersUnshared(const RuleContext &Ctx,
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
    IrqlSet Levels = S->Irql.Unknown ? 0 : S->Irql.substitute(CallerEntry.Irql);
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
