//===- Program.cpp - Whole-program analysis over TU facts -----------------===//
#include "Driver/Program.h"
#include "Analysis/CallGraph.h"
#include "Analysis/Dataflow.h"
#include "Analysis/EntryContexts.h"
#include "Report/Reporter.h"
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <chrono>
#include <map>
#include <set>

using namespace irqlcheck;

namespace {
/// Hands every replayed state to every enabled rule.
class RuleDispatcher : public AnalysisVisitor {
public:
  RuleDispatcher(const RuleContext &Ctx,
                 const std::vector<std::unique_ptr<Rule>> &Rules)
      : Ctx(Ctx), Rules(Rules) {}
  void onCall(const CallFact &C, const Contract *K,
              const std::vector<LockOp> &Ops, const State &Before) override {
    for (const auto &R : Rules)
      R->onCall(Ctx, C, K, Ops, Before);
  }
  void onReturn(const Loc &At, const State &S) override {
    for (const auto &R : Rules)
      R->onReturn(Ctx, At, S);
  }
  void onAccess(const AccessFact &A, const Loc &At, const State &S) override {
    for (const auto &R : Rules)
      R->onAccess(Ctx, A, At, S);
  }

private:
  const RuleContext &Ctx;
  const std::vector<std::unique_ptr<Rule>> &Rules;
};

/// Records the state before every call to a program function.
/// Also notes every lock acquired, for --stats.
class CallSiteCollector : public AnalysisVisitor {
public:
  CallSiteCollector(const FunctionFact &F, const CallGraph &CG,
                    std::vector<CallSite> &Out, llvm::StringSet<> &Locks)
      : F(F), CG(CG), Out(Out), Locks(Locks) {}
  void onCall(const CallFact &C, const Contract *,
              const std::vector<LockOp> &Ops, const State &Before) override {
    for (const FunctionFact *Callee : CG.callees(C))
      Out.push_back({F.Key, Callee->Key, &C, Before.Irql, Before.IrqlChangedAt,
                     Before.IrqlChange, Before.Locks});
    for (const LockOp &Op : Ops)
      if (Op.Op == LockContract::LO_Acquire && !Op.Key.empty())
        Locks.insert(Op.Key);
  }

private:
  const FunctionFact &F;
  const CallGraph &CG;
  std::vector<CallSite> &Out;
  llvm::StringSet<> &Locks;
};

/// Adds the seconds since it was made (or last added) to a counter.
class PhaseTimer {
public:
  double lap() {
    auto Now = std::chrono::steady_clock::now();
    double S = std::chrono::duration<double>(Now - Start).count();
    Start = Now;
    return S;
  }

private:
  std::chrono::steady_clock::time_point Start =
      std::chrono::steady_clock::now();
};
} // namespace

/// Lowest and highest level of a set.
static IrqlSet lowest(IrqlSet S) { return S & IrqlSet(-S); }
static IrqlSet highest(IrqlSet S) {
  IrqlSet H = 0;
  for (IrqlSet B = 1; B <= IL_High; B <<= 1)
    if (S & B)
      H = B;
  return H;
}

/// A user function's SAL annotations are its contract for its callers.
static void addAnnotatedContract(ContractDB &DB, const std::string &Key,
                                 const Annotations &Sal) {
  if (DB.lookup(Key))
    return; // A DDI's own contract wins over a redeclaration.
  Contract C;
  C.Name = Key;
  IrqlContract &I = C.Irql;
  if (Sal.Requires) {
    I.Min = lowest(Sal.Requires);
    I.Max = highest(Sal.Requires);
  }
  if (Sal.RequiresMax)
    I.Max = Sal.RequiresMax;
  if (Sal.RequiresMin)
    I.Min = Sal.RequiresMin;
  I.Raises = Sal.Raises;
  I.SavesToArg = Sal.SavesParam;
  I.RestoresArg = Sal.RestoresParam;
  for (const SalLock &L : Sal.AcquiresLock)
    if (!L.Path.empty())
      C.SalAcquires.push_back({L.Path, L.Text});
  for (const SalLock &L : Sal.ReleasesLock)
    if (!L.Path.empty())
      C.SalReleases.push_back({L.Path, L.Text});
  if (!I.hasRequirement() && !I.changesIrql() && I.SavesToArg < 0 &&
      C.SalAcquires.empty() && C.SalReleases.empty())
    return;
  DB.add(std::move(C));
}

/// What every user function does to its callers' IRQL and locks, into
/// \p Table.
static void summarizeFunctions(const CallGraph &CG, const ContractDB &DB,
                               SummaryTable &Table) {
  std::vector<const FunctionFact *> Order = CG.bottomUp();
  // Summaries only grow towards a fixpoint; the bound stops pathological
  // recursion from costing more than a few passes.
  for (unsigned Round = 0; Round < 4; ++Round) {
    bool Changed = false;
    for (const FunctionFact *F : Order) {
      FunctionAnalysis A(*F, DB, &Table);
      A.run();
      Summary S = A.summarize();
      auto It = Table.find(F->Key);
      if (S.empty()) {
        if (It != Table.end()) {
          Table.erase(It);
          Changed = true;
        }
        continue;
      }
      if (It == Table.end() || !(It->second == S)) {
        Table[F->Key] = std::move(S);
        Changed = true;
      }
    }
    if (!Changed)
      return;
  }
}

/// A pageable function usually carries `_IRQL_requires_max_`, which a call
/// to it at DISPATCH_LEVEL breaks too. The paged-code-at-dispatch finding
/// says more (where the code was made pageable), so irql-too-high does not
/// repeat it at the same call.
static void dropSupersededFindings(std::vector<Finding> &Findings) {
  std::set<Loc> Paged;
  for (const Finding &F : Findings)
    if (F.Rule == "paged-code-at-dispatch")
      Paged.insert(F.At);
  llvm::erase_if(Findings, [&](const Finding &F) {
    return F.Rule == "irql-too-high" && Paged.count(F.At);
  });
}

std::vector<Finding>
irqlcheck::analyseProgram(const std::vector<TUFacts> &TUs,
                          const ContractDB &BaseDB,
                          llvm::ArrayRef<std::string> EnabledRules,
                          const FindingFilter &Keep, ProgramStats *Stats) {
  ProgramStats Ignored;
  ProgramStats &St = Stats ? *Stats : Ignored;
  PhaseTimer Timer;
  ContractDB DB = BaseDB;
  for (const TUFacts &TU : TUs) {
    for (const FunctionFact &F : TU.Functions)
      addAnnotatedContract(DB, F.Key, F.Sal);
    for (const DeclFact &D : TU.Declarations)
      addAnnotatedContract(DB, D.Key, D.Sal);
  }

  CallGraph CG(TUs);
  EntryContexts Contexts;
  Contexts.build(TUs, DB, CG);
  PagedMemory Paged;
  Paged.build(TUs, DB);

  std::vector<std::unique_ptr<Rule>> Rules;
  addIrqlRules(EnabledRules, Rules);
  addIrqlRestoreRules(EnabledRules, Rules);
  addLockRules(EnabledRules, Rules);
  addPagedRules(EnabledRules, Rules);
  addPagedDataRules(EnabledRules, Rules);
  addDpcRules(EnabledRules, Rules);
  addInterlockedRules(EnabledRules, Rules);
  addIsrRules(EnabledRules, Rules);

  St.ProgramSeconds += Timer.lap();
  SummaryTable Summaries;
  summarizeFunctions(CG, DB, Summaries);

  // Each function is analysed relative to its entry; its calls to other
  // program functions then carry its IRQL and locks into them. The
  // analyses are run again for the rules rather than kept: all of them at
  // once would hold a state per block of the whole program.
  std::vector<const FunctionFact *> Functions;
  std::vector<CallSite> Sites;
  llvm::StringSet<> Locks;
  for (const TUFacts &TU : TUs)
    for (const FunctionFact &F : TU.Functions) {
      Functions.push_back(&F);
      FunctionAnalysis A(F, DB, &Summaries);
      A.run();
      CallSiteCollector Collect(F, CG, Sites, Locks);
      A.replay(Collect);
    }
  St.Functions = Functions.size();
  St.CallEdges = Sites.size();
  St.Locks = Locks.size();
  St.FunctionSeconds += Timer.lap();
  Contexts.propagate(std::move(Sites));
  St.ProgramSeconds += Timer.lap();

  std::vector<Finding> Findings;
  std::vector<Observation> Observed;
  for (const FunctionFact *FP : Functions) {
    const FunctionFact &F = *FP;
    FunctionAnalysis A(F, DB, &Summaries);
    A.run();
    auto Own = Summaries.find(F.Key);
    RuleContext Ctx{F,
                    Contexts.lookup(F.Key),
                    Contexts,
                    CG,
                    DB,
                    Paged,
                    Own == Summaries.end() ? nullptr : &Own->second,
                    Findings,
                    Observed};
    for (const auto &R : Rules)
      R->onFunction(Ctx);
    RuleDispatcher D(Ctx, Rules);
    A.replay(D);
  }
  St.FunctionSeconds += Timer.lap();
  // Observations are made in TU order; judge them in source order so the
  // evidence a finding picks does not depend on the command line.
  llvm::sort(Observed, [](const Observation &A, const Observation &B) {
    return std::tie(A.Rule, A.Key, A.At, A.Kind, A.Function, A.Spelled) <
           std::tie(B.Rule, B.Key, B.At, B.Kind, B.Function, B.Spelled);
  });
  ProgramContext PCtx{DB, Paged};
  for (const auto &R : Rules)
    R->onProgram(PCtx, Observed, Findings);
  if (Keep)
    llvm::erase_if(Findings, [&](const Finding &F) { return !Keep(F); });
  dropSupersededFindings(Findings);
  normalizeFindings(Findings);
  St.ProgramSeconds += Timer.lap();
  return Findings;
}

std::vector<std::string>
irqlcheck::selectRules(llvm::ArrayRef<std::string> Enable,
                       llvm::ArrayRef<std::string> Disable,
                       std::string &Error) {
  std::vector<std::string> Unknown, Enabled;
  for (llvm::ArrayRef<std::string> List : {Enable, Disable})
    for (const std::string &Id : List)
      if (!isKnownRule(Id))
        Unknown.push_back("'" + Id + "'");
  for (const std::string &Id : Enable)
    if (isKnownRule(Id))
      Enabled.push_back(Id);
  if (!Unknown.empty())
    Error = (Unknown.size() == 1 ? "unknown rule " : "unknown rules ") +
            llvm::join(Unknown, ", ") + " (see --list-rules)";
  std::vector<std::string> Out;
  for (const RuleInfo &R : allRules()) {
    std::string Id = R.Id.str();
    if (!Enabled.empty() && !llvm::is_contained(Enabled, Id))
      continue;
    if (llvm::is_contained(Disable, Id))
      continue;
    Out.push_back(Id);
  }
  return Out;
}
