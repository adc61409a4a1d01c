//===- InterlockedRules.cpp - spinlock-irql-mix ---------------------------===//
///
/// \file
/// One spin lock used at two IRQLs (seeds 001 and 002). The ExInterlocked*
/// routines take the spin lock they are given with interrupts masked, so an
/// ISR or SynchCritSection routine (DIRQL) may call them, but only if that
/// lock is used by nobody else:
///
/// - (a) a lock passed to an ExInterlocked* routine at DIRQL and also
///   acquired with a Ke*SpinLock* routine anywhere: the Ke* holder runs with
///   device interrupts enabled, and an interrupt on its processor spins on
///   the lock forever. Reported once per lock, at the first such acquire;
/// - (b) a lock passed to ExInterlocked* routines both at DIRQL and at
///   <= DISPATCH_LEVEL: the seed allows sharing a lock between ExInterlocked
///   routines only at one IRQL. Reported once per lock, at the first call
///   below DIRQL.
///
/// Uses while the interrupt is not connected (InterruptConnection.h: before
/// IoConnectInterrupt, in AddDevice, ...) cannot meet the ISR and do not
/// count. Which routines are ExInterlocked ones, and which argument is
/// their lock, is data (`interlocked_lock:` in rules/*.yaml). Uses in
/// different functions are matched by the lock's object path, so only
/// locks with a program-wide name count: a global or a struct field, not a
/// local or what a parameter points to.
///
//===----------------------------------------------------------------------===//
#include "Rules/InterruptConnection.h"
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"

using namespace irqlcheck;

static constexpr llvm::StringLiteral RuleId = "spinlock-irql-mix";

/// Levels at which device interrupts are masked.
static constexpr IrqlSet AboveDispatch = IL_Dirql | IL_High;
static constexpr IrqlSet UpToDispatch = IL_Passive | IL_Apc | IL_Dispatch;

/// What an observation of this rule records.
enum UseKind {
  UK_KeAcquire,       ///< Acquired with a lock contract (Ke*SpinLock*).
  UK_InterlockedHigh, ///< Passed to an ExInterlocked routine at DIRQL.
  UK_InterlockedLow,  ///< Passed to one at <= DISPATCH_LEVEL.
};

/// A lock named the same in every function: no local (`x@12`) or
/// parameter (`$0`, `*$0`) in its path, resolved to one lock, and not one
/// of the global pseudo-locks (`<CancelSpinLock>`).
static bool programWide(const std::string &Key) {
  return isPreciseKey(Key) && !isFunctionLocalPath(Key) && Key[0] != '<';
}

namespace {

class SpinlockIrqlMixRule : public Rule {
  InterruptConnection Connection;

  void onCall(const RuleContext &Ctx, const CallFact &C, const Contract *K,
              const std::vector<LockOp> &Ops,
              const State &Before) const override {
    if (K && K->InterlockedLock >= 0) {
      observeInterlocked(Ctx, C, *K, Before);
      return;
    }
    for (const LockOp &Op : Ops) {
      if ((Op.Op != LockContract::LO_Acquire &&
           Op.Op != LockContract::LO_TryAcquire) ||
          Op.Global || !programWide(Op.Key) ||
          Connection.notConnectedAt(Ctx, C))
        continue;
      Observation O;
      O.Rule = RuleId.str();
      O.Key = Op.Key;
      O.Kind = UK_KeAcquire;
      O.Levels = Ctx.levels(Before);
      O.At = C.At;
      O.Text = Op.Display;
      O.Spelled = Op.Spelled;
      O.Function = Ctx.Function.Name;
      Ctx.Observed.push_back(std::move(O));
    }
  }

  /// Records the lock of an ExInterlocked call, once per side of
  /// DISPATCH_LEVEL it may run at, each with the evidence for that side.
  void observeInterlocked(const RuleContext &Ctx, const CallFact &C,
                          const Contract &K, const State &Before) const {
    if (size_t(K.InterlockedLock) >= C.Args.size())
      return;
    const ArgFact &A = C.Args[K.InterlockedLock];
    IrqlSet Levels = Ctx.levels(Before);
    if (!programWide(A.Pointee) || !Levels)
      return;
    for (auto [Kind, Side] : {std::pair{UK_InterlockedHigh, AboveDispatch},
                              std::pair{UK_InterlockedLow, UpToDispatch}}) {
      IrqlSet L = Levels & Side;
      if (!L ||
          (Kind == UK_InterlockedLow && Connection.notConnectedAt(Ctx, C)))
        continue;
      Observation O;
      O.Rule = RuleId.str();
      O.Key = A.Pointee;
      O.Kind = Kind;
      O.Levels = L;
      O.At = C.At;
      O.Text = A.Text;
      O.Spelled = spelledName(C, Ctx.DB);
      O.Function = Ctx.Function.Name;
      O.Why = Ctx.irqlNotes(Before, L);
      Ctx.Observed.push_back(std::move(O));
    }
  }

  void onProgram(const ProgramContext &, llvm::ArrayRef<Observation> All,
                 std::vector<Finding> &Out) const override {
    // Observations come sorted by rule, key and location: the first of a
    // kind for a lock is the first in source order.
    for (size_t I = 0; I < All.size();) {
      size_t E = I;
      while (E < All.size() && All[E].Rule == All[I].Rule &&
             All[E].Key == All[I].Key)
        ++E;
      if (All[I].Rule == RuleId)
        judgeLock(All.slice(I, E - I), Out);
      I = E;
    }
  }

  static const Observation *first(llvm::ArrayRef<Observation> Uses,
                                  UseKind Kind) {
    for (const Observation &O : Uses)
      if (O.Kind == Kind)
        return &O;
    return nullptr;
  }

  /// "passed to 'F' here at DIRQL", then why \p Use runs there.
  static std::vector<Note> useNotes(const Observation &Use) {
    std::vector<Note> Notes{
        {Use.At, "spin lock '" + Use.Text + "' is passed to '" + Use.Spelled +
                     "' here at " + describeLevels(Use.Levels)}};
    Notes.insert(Notes.end(), Use.Why.begin(), Use.Why.end());
    return Notes;
  }

  static void judgeLock(llvm::ArrayRef<Observation> Uses,
                        std::vector<Finding> &Out) {
    const Observation *High = first(Uses, UK_InterlockedHigh);
    if (!High)
      return; // Nothing uses it at DIRQL: any mix is allowed.

    if (const Observation *Ke = first(Uses, UK_KeAcquire))
      Out.push_back(
          {RuleId.str(), Ke->At,
           "spin lock '" + Ke->Text + "' is acquired with '" + Ke->Spelled +
               "', which leaves device interrupts enabled, but '" +
               High->Spelled + "' takes it at " + describeLevels(High->Levels) +
               "; an interrupt that arrives while it is held here spins on "
               "it forever",
           useNotes(*High)});

    const Observation *Low = first(Uses, UK_InterlockedLow);
    if (!Low)
      return;
    // Prefer a use at DIRQL elsewhere: a helper called both from the ISR
    // and from a DPC uses the lock at both IRQLs in one call.
    for (const Observation &O : Uses)
      if (O.Kind == UK_InterlockedHigh && !(O.At == Low->At)) {
        High = &O;
        break;
      }
    static constexpr llvm::StringLiteral Why =
        "; a spin lock that ExInterlocked routines use at DIRQL must be used "
        "only there, by the ISR and SynchCritSection routines";
    std::vector<Note> Notes = Low->Why;
    std::string Message;
    if (Low->At == High->At) {
      Notes.insert(Notes.end(), High->Why.begin(), High->Why.end());
      Message = "spin lock '" + Low->Text + "' is passed to '" + Low->Spelled +
                "' here both at " + describeLevels(Low->Levels) + " and at " +
                describeLevels(High->Levels);
    } else {
      for (Note &N : useNotes(*High))
        Notes.push_back(std::move(N));
      Message = "spin lock '" + Low->Text + "' is passed to '" + Low->Spelled +
                "' at " + describeLevels(Low->Levels) + " here, but '" +
                High->Spelled + "' takes it at " + describeLevels(High->Levels);
    }
    Out.push_back(
        {RuleId.str(), Low->At, Message + Why.str(), std::move(Notes)});
  }
};

} // namespace

void irqlcheck::addInterlockedRules(llvm::ArrayRef<std::string> Enabled,
                                    std::vector<std::unique_ptr<Rule>> &Out) {
  if (llvm::is_contained(Enabled, RuleId))
    Out.push_back(std::make_unique<SpinlockIrqlMixRule>());
}
