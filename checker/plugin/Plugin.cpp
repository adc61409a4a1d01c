//===- Plugin.cpp - irqlcheck as a clang plugin ---------------------------===//
///
/// \file
/// `clang -fplugin=IrqlCheck.so [-fplugin-arg-irqlcheck-ARG ...]` runs the
/// analysis on the TU being compiled and reports findings as clang warnings
/// and notes. ARGs: `enable=RULE,...`, `disable=RULE,...`, `rules=DIR`, and
/// `facts=PATH`, which also writes the TU's facts to PATH, so that a build
/// with any build system leaves behind what `irqlcheck *.facts` needs to
/// analyse the whole driver (the plugin alone sees one TU).
///
//===----------------------------------------------------------------------===//
#include "Driver/Program.h"
#include "Driver/Resources.h"
#include "Facts/Extractor.h"
#include "Facts/Serialize.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

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
                    std::vector<std::string> RulesDirs, std::string FactsPath)
      : CI(CI), Rules(std::move(Rules)), RulesDirs(std::move(RulesDirs)),
        FactsPath(std::move(FactsPath)),
        Sal(recordSalMacros(CI.getPreprocessor())),
        PP(std::make_shared<PreprocessorFacts>()) {
    watchPreprocessor(CI.getPreprocessor(), PP);
  }

  void HandleTranslationUnit(ASTContext &Ctx) override {
    DiagnosticsEngine &D = CI.getDiagnostics();
    if (D.hasErrorOccurred()) {
      // No facts from a TU that does not compile; nor stale ones from an
      // earlier compile, which a whole-program run would silently use.
      if (!FactsPath.empty())
        llvm::sys::fs::remove(FactsPath);
      return;
    }
    std::vector<TUFacts> TUs;
    TUs.push_back(extractFacts(Ctx, *Sal, *PP));
    // File names in facts are absolute (the extractor makes them so), so a
    // later run from anywhere prints them alike.
    if (!FactsPath.empty()) {
      if (llvm::Error E = writeFactsFile(FactsPath, TUs.front()))
        D.Report(D.getCustomDiagID(DiagnosticsEngine::Error, "irqlcheck: %0"))
            << llvm::toString(std::move(E));
    }
    ContractDB DB;
    if (llvm::Error E = loadContracts(DB, shareDirFor(pluginPath()), RulesDirs)) {
      D.Report(D.getCustomDiagID(DiagnosticsEngine::Error,
                                 "irqlcheck: cannot load the contract "
                                 "database: %0"))
          << llvm::toString(std::move(E));
      return;
    }
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
  std::string FactsPath;
  std::shared_ptr<SalExpansions> Sal;
  std::shared_ptr<PreprocessorFacts> PP;
};

class IrqlCheckAction : public PluginASTAction {
protected:
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 llvm::StringRef) override {
    return std::make_unique<IrqlCheckConsumer>(CI, Rules, RulesDirs,
                                               FactsPath);
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
      } else if (Key == "facts") {
        if (Value.empty()) {
          D.Report(D.getCustomDiagID(DiagnosticsEngine::Error,
                                     "irqlcheck: plugin argument 'facts=' "
                                     "needs a path"));
          return false;
        }
        FactsPath = Value.str();
      } else {
        D.Report(D.getCustomDiagID(
            DiagnosticsEngine::Error,
            "irqlcheck: unknown plugin argument '%0' (expected enable=, "
            "disable=, rules= or facts=PATH)"))
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
  std::string FactsPath;
};

} // namespace

static FrontendPluginRegistry::Add<IrqlCheckAction>
    X("irqlcheck", "IRQL and spin lock checker for Windows kernel drivers");
