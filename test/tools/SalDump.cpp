//===- SalDump.cpp - Print the SAL annotations irqlcheck reads ------------===//
///
/// \file
/// Test helper: `irqlcheck-sal-dump [--attributes-only] FILE -- COMPILER-ARGS`
/// prints, for every function the extractor describes, the Annotations it
/// read, one line per function. The analysis does not use every field yet
/// (lock annotations), so the lit tests check the facts themselves with
/// this. --attributes-only ignores the recorded macro expansions, to show
/// that either source alone gives the same facts.
///
//===----------------------------------------------------------------------===//
#include "Config.h"
#include "Driver/Resources.h"
#include "Facts/Extractor.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;
using namespace irqlcheck;

static void printLocks(llvm::raw_ostream &OS, llvm::StringRef Name,
                       const std::vector<SalLock> &Locks) {
  for (const SalLock &L : Locks)
    OS << " " << Name << "=" << L.Text << "->"
       << (L.Path.empty() ? "?" : L.Path);
}

static void print(llvm::raw_ostream &OS, const std::string &Name,
                  const Annotations &A, const Loc &At) {
  OS << Name << ":";
  if (A.Requires)
    OS << " requires=" << describeLevels(A.Requires);
  if (A.RequiresMax)
    OS << " max=" << describeLevels(A.RequiresMax);
  if (A.RequiresMin)
    OS << " min=" << describeLevels(A.RequiresMin);
  if (A.Raises)
    OS << " raises=" << describeLevels(A.Raises);
  if (A.SavesParam >= 0)
    OS << " saves=$" << A.SavesParam;
  if (A.RestoresParam >= 0)
    OS << " restores=$" << A.RestoresParam;
  if (!A.SavesGlobal.Kind.empty())
    OS << " saves_global=" << A.SavesGlobal.Kind << "@$" << A.SavesGlobal.Param;
  if (!A.RestoresGlobal.Kind.empty())
    OS << " restores_global=" << A.RestoresGlobal.Kind << "@$"
       << A.RestoresGlobal.Param;
  if (!A.FunctionClass.empty())
    OS << " class=" << A.FunctionClass;
  printLocks(OS, "acquires", A.AcquiresLock);
  printLocks(OS, "releases", A.ReleasesLock);
  printLocks(OS, "held", A.RequiresLockHeld);
  printLocks(OS, "not_held", A.RequiresLockNotHeld);
  if (At.valid())
    OS << " at=" << At.Line << ":" << At.Col;
  OS << "\n";
}

namespace {
class DumpAction : public ASTFrontendAction {
public:
  explicit DumpAction(bool AttributesOnly) : AttributesOnly(AttributesOnly) {}

private:
  bool AttributesOnly;
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 llvm::StringRef) override {
    struct Consumer : ASTConsumer {
      std::shared_ptr<SalExpansions> Sal;
      bool AttributesOnly;
      Consumer(std::shared_ptr<SalExpansions> Sal, bool AttributesOnly)
          : Sal(std::move(Sal)), AttributesOnly(AttributesOnly) {}
      void HandleTranslationUnit(ASTContext &Ctx) override {
        if (Ctx.getDiagnostics().hasErrorOccurred())
          return;
        TUFacts TU = extractFacts(Ctx, AttributesOnly ? SalExpansions() : *Sal,
                                  PreprocessorFacts());
        for (const FunctionFact &F : TU.Functions)
          print(llvm::outs(), F.Name, F.Sal, F.SalAt);
        for (const DeclFact &D : TU.Declarations)
          print(llvm::outs(), D.Name + " (declaration)", D.Sal, D.At);
      }
    };
    return std::make_unique<Consumer>(recordSalMacros(CI.getPreprocessor()),
                                      AttributesOnly);
  }
};
} // namespace

int main(int argc, const char **argv) {
  std::string Err;
  std::unique_ptr<tooling::FixedCompilationDatabase> DB =
      tooling::FixedCompilationDatabase::loadFromCommandLine(argc, argv, Err);
  bool AttributesOnly =
      argc == 3 && llvm::StringRef(argv[1]) == "--attributes-only";
  if (!DB || argc != 2 + AttributesOnly) {
    llvm::errs() << "usage: irqlcheck-sal-dump [--attributes-only] FILE -- "
                    "COMPILER-ARGS\n"
                 << Err;
    return 2;
  }
  tooling::ClangTool Tool(*DB, {argv[argc - 1]});
  Tool.appendArgumentsAdjuster(tooling::getInsertArgumentAdjuster(
      resourceDirArg().c_str(), tooling::ArgumentInsertPosition::BEGIN));
  struct Factory : tooling::FrontendActionFactory {
    bool AttributesOnly;
    explicit Factory(bool AttributesOnly) : AttributesOnly(AttributesOnly) {}
    std::unique_ptr<FrontendAction> create() override {
      return std::make_unique<DumpAction>(AttributesOnly);
    }
  } F(AttributesOnly);
  return Tool.run(&F);
}
