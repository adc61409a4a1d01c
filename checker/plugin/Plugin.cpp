//===- Plugin.cpp - irqlcheck as a clang plugin ---------------------------===//
///
/// \file
/// `clang -fplugin=IrqlCheck.so [-fplugin-arg-irqlcheck-ARG ...]` runs the
/// analysis on the TU being compiled and reports findings as clang warnings
/// and notes. ARGs: `enable=RULE,...`, `disable=RULE,...`, `rules=DIR`.
///
//===----------------------------------------------------------------------===//
#include "Driver/Program.h"
#include "Driver/Resources.h"
#include "Facts/Extractor.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "llvm/ADT/StringExtras.h"

#include <dlfcn.h>

using namespace clang;
using namespace irqlcheck;

namespace {

static std::string pluginPath() {
  Dl_info Info;
  if (dladdr(reinterpret_cast<void *>(&pluginPath), &Info) && Info.dli_fname)
    return Info.dli_fname;
  return {};
}

class IrqlCheckConsumer : public ASTConsumer {
public:
  IrqlCheckConsumer(CompilerInstance &CI, std::vector<std::string> Rules,
                    std::vector<std::string> RulesDirs)
      : CI(CI), Rules(std::move(Rules)), RulesDirs(std::move(RulesDirs)),
        Sal(recordSalMacros(CI.getPreprocessor())) {}

  void HandleTranslationUnit(ASTContext &Ctx) override {
    DiagnosticsEngine &D = CI.getDiagnostics();
    if (D.hasErrorOccurred())
      return;
    ContractDB DB;
    if (llvm::Error E = loadContracts(DB, shareDirFor(pluginPath()), RulesDirs)) {
      D.Report(D.getCustomDiagID(DiagnosticsEngine::Error,
                                 "irqlcheck: cannot load the contract "
                                 "database: %0"))
          << llvm::toString(std::move(E));
      return;
    }
    std::vector<TUFacts> TUs;
    TUs.push_back(extractFacts(Ctx, *Sal));
    unsigned Warn = D.getCustomDiagID(DiagnosticsEngine::Warning, "%0 [%1]");
    unsigned NoteID = D.getCustomDiagID(DiagnosticsEngine::Note, "%0");
    for (const Finding &F : analyseProgram(TUs, DB, Rules)) {
      D.Report(SourceLocation::getFromRawEncoding(F.At.Raw), Warn)
          << F.Message << F.Rule;
      for (const Note &N : F.Notes)
        D.Report(SourceLocation::getFromRawEncoding(N.At.Raw), NoteID)
            << N.Message;
    }
  }

private:
  CompilerInstance &CI;
  std::vector<std::string> Rules;
  std::vector<std::string> RulesDirs;
  std::shared_ptr<SalExpansions> Sal;
};

class IrqlCheckAction : public PluginASTAction {
protected:
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 llvm::StringRef) override {
    return std::make_unique<IrqlCheckConsumer>(CI, Rules, RulesDirs);
  }

  bool ParseArgs(const CompilerInstance &CI,
                 const std::vector<std::string> &Args) override {
    std::vector<std::string> Enable, Disable;
    DiagnosticsEngine &D = CI.getDiagnostics();
    for (const std::string &A : Args) {
      llvm::StringRef Key, Value;
      std::tie(Key, Value) = llvm::StringRef(A).split('=');
      llvm::SmallVector<llvm::StringRef, 8> Items;
      Value.split(Items, ',', -1, false);
      if (Key == "enable" || Key == "disable") {
        for (llvm::StringRef I : Items)
          (Key == "enable" ? Enable : Disable).push_back(I.str());
      } else if (Key == "rules") {
        RulesDirs.push_back(Value.str());
      } else {
        D.Report(D.getCustomDiagID(DiagnosticsEngine::Error,
                                   "irqlcheck: unknown plugin argument '%0' "
                                   "(expected enable=, disable= or rules=)"))
            << A;
        return false;
      }
    }
    std::string Error;
    Rules = selectRules(Enable, Disable, Error);
    if (!Error.empty()) {
      D.Report(D.getCustomDiagID(DiagnosticsEngine::Error, "irqlcheck: %0"))
          << Error;
      return false;
    }
    return true;
  }

  ActionType getActionType() override { return AddAfterMainAction; }

private:
  std::vector<std::string> Rules;
  std::vector<std::string> RulesDirs;
};

} // namespace

static FrontendPluginRegistry::Add<IrqlCheckAction>
    X("irqlcheck", "IRQL and spin lock checker for Windows kernel drivers");
