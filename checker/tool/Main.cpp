//===- Main.cpp - The irqlcheck command-line tool -------------------------===//
///
/// \file
/// Parses every TU (in parallel) into facts, or loads the facts the plugin
/// wrote for it (`FILE.facts`), then analyses them all together.
/// Exit status: 0 no findings, 1 findings, 2 an input could not be analysed
/// (the others are still analysed and reported).
///
//===----------------------------------------------------------------------===//
#include "Config.h"
#include "Driver/CompileDB.h"
#include "Driver/InputCheck.h"
#include "Driver/Program.h"
#include "Driver/Resources.h"
#include "Facts/Extractor.h"
#include "Facts/Serialize.h"
#include "Report/Reporter.h"
#include "Report/RuleDocs.h"
#include "Report/Sarif.h"
#include "Report/SourceCache.h"
#include "Rules/Rules.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace irqlcheck;
using namespace clang;
namespace cl = llvm::cl;

static cl::OptionCategory Category("irqlcheck options");
static cl::list<std::string> Files(cl::Positional, cl::desc("[FILE...]"),
                                   cl::cat(Category));
static cl::opt<std::string>
    BuildPath("p", cl::desc("Directory holding compile_commands.json (or the "
                            "file itself); with no FILE, every TU in it"),
              cl::value_desc("DIR"), cl::Prefix, cl::cat(Category));
static cl::list<std::string>
    ExtraArgs("extra-arg",
              cl::desc("Compiler argument appended for every TU (repeatable)"),
              cl::value_desc("ARG"), cl::cat(Category));
static cl::opt<unsigned>
    Jobs("j", cl::desc("TUs parsed in parallel (default: number of cores)"),
         cl::value_desc("N"), cl::init(0), cl::Prefix, cl::cat(Category));
static cl::opt<std::string>
    Format("format",
           cl::desc("Output format: text (the default) or sarif (SARIF 2.1.0)"),
           cl::value_desc("text|sarif"), cl::init("text"), cl::cat(Category));
static cl::opt<bool>
    NoSource("no-source",
             cl::desc("Text output without the source line and caret under "
                      "findings and notes"),
             cl::cat(Category));
static cl::opt<std::string>
    Progress("progress",
             cl::desc("'[N/M] FILE' on stderr per TU: auto (stderr is a "
                      "terminal, more than one TU; the default), always, never"),
             cl::value_desc("auto|always|never"), cl::init("auto"),
             cl::cat(Category));
static cl::opt<std::string>
    Explain("explain",
            cl::desc("Print the page of RULE (docs/rules/RULE.md) and exit"),
            cl::value_desc("RULE"), cl::cat(Category));
static cl::opt<std::string> Output("o", cl::desc("Write the findings to FILE"),
                                   cl::value_desc("FILE"), cl::Prefix,
                                   cl::cat(Category));
static cl::list<std::string>
    RulesDirs("rules",
              cl::desc("Extra contract files (a directory of *.yaml or one "
                       "file) layered over the built-in database"),
              cl::value_desc("DIR"), cl::cat(Category));
static cl::list<std::string> Enable("enable", cl::CommaSeparated,
                                    cl::desc("Run only these rules"),
                                    cl::value_desc("RULE,..."),
                                    cl::cat(Category));
static cl::list<std::string> Disable("disable", cl::CommaSeparated,
                                     cl::desc("Do not run these rules"),
                                     cl::value_desc("RULE,..."),
                                     cl::cat(Category));
static cl::opt<bool> ListRules("list-rules",
                               cl::desc("Print the rules and exit"),
                               cl::cat(Category));

/// --color. libLLVM registers a --color of its own (true/false, for its
/// WithColor) when the command line is first set up; irqlcheck's takes
/// auto|always|never like clang's and git's, so it replaces that one, and
/// is created only after it is gone (two options of one name abort).
static cl::opt<std::string> &colorOption() {
  if (cl::Option *Theirs = cl::getRegisteredOptions().lookup("color"))
    Theirs->removeArgument();
  static cl::opt<std::string> Color(
      "color",
      cl::desc("Colors in the text output: auto (stdout is a terminal; the "
               "default), always, never"),
      cl::value_desc("auto|always|never"), cl::init("auto"),
      cl::cat(Category));
  return Color;
}

static const char Overview[] =
    "irqlcheck: IRQL and spin lock checker for Windows kernel driver C "
    "source\n\n"
    "  irqlcheck [options] [FILE...] [-- COMPILER-ARGS...]\n\n"
    "FILEs are analysed together as one program. With no -p and no --, they\n"
    "are compiled with the embedded default: the mingw-w64 DDK headers,\n"
    "--target=x86_64-w64-mingw32 -fms-extensions, and irqlcheck's SAL\n"
    "header. `-- ARGS` replaces those flags.\n\n"
    "A FILE ending in .facts holds one TU's facts as the clang plugin wrote\n"
    "them (-fplugin-arg-irqlcheck-facts=FILE.facts): it is loaded, not\n"
    "compiled, and analysed with the other FILEs, so a build with any build\n"
    "system can be checked as a whole: irqlcheck build/*.facts\n\n"
    "Findings go to stdout (or -o FILE), clang style, each with its source\n"
    "line, then a one-line summary to stderr; --format sarif writes SARIF\n"
    "2.1.0 instead. --explain RULE shows what a rule finds and why.\n\n"
    "Exit status: 0 no findings, 1 findings reported, 2 an input could not\n"
    "be analysed (the others are still analysed and reported).\n";

static int fail(const llvm::Twine &Msg) {
  llvm::errs() << "irqlcheck: error: " << Msg << "\n";
  return 2;
}

namespace {
/// Keeps a TU's compiler errors (not its warnings) for the report.
class ErrorCollector : public TextDiagnosticPrinter {
public:
  ErrorCollector(llvm::raw_ostream &OS, DiagnosticOptions *Opts)
      : TextDiagnosticPrinter(OS, Opts) {}
  void HandleDiagnostic(DiagnosticsEngine::Level Level,
                        const Diagnostic &Info) override {
    if (Level != DiagnosticsEngine::Note)
      LastShown = Level >= DiagnosticsEngine::Error;
    if (!LastShown)
      return;
    TextDiagnosticPrinter::HandleDiagnostic(Level, Info);
  }

private:
  bool LastShown = false;
};

class FactsAction : public ASTFrontendAction {
public:
  explicit FactsAction(TUFacts &Out) : Out(Out) {}
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 llvm::StringRef) override {
    struct Consumer : ASTConsumer {
      TUFacts &Out;
      std::shared_ptr<SalExpansions> Sal;
      std::shared_ptr<PreprocessorFacts> PP;
      Consumer(TUFacts &Out, std::shared_ptr<SalExpansions> Sal,
               std::shared_ptr<PreprocessorFacts> PP)
          : Out(Out), Sal(std::move(Sal)), PP(std::move(PP)) {}
      void HandleTranslationUnit(ASTContext &Ctx) override {
        if (Ctx.getDiagnostics().hasErrorOccurred())
          return; // A TU that does not compile is reported, not analysed.
        Out = extractFacts(Ctx, *Sal, *PP);
      }
    };
    auto PP = std::make_shared<PreprocessorFacts>();
    watchPreprocessor(CI.getPreprocessor(), PP);
    return std::make_unique<Consumer>(
        Out, recordSalMacros(CI.getPreprocessor()), std::move(PP));
  }

private:
  TUFacts &Out;
};

struct FactsActionFactory : tooling::FrontendActionFactory {
  TUFacts &Out;
  explicit FactsActionFactory(TUFacts &Out) : Out(Out) {}
  std::unique_ptr<FrontendAction> create() override {
    return std::make_unique<FactsAction>(Out);
  }
};

struct TUResult {
  TUFacts Facts;
  std::string Errors; ///< Compiler errors, clang-formatted.
  std::string Failure; ///< Why the TU was not analysed; empty if it was.
};
} // namespace

static TUResult parseTU(const tooling::CompilationDatabase &DB,
                        const std::string &File) {
  TUResult R;
  R.Failure = checkSourceFile(File);
  if (!R.Failure.empty())
    return R;
  for (const tooling::CompileCommand &C : DB.getCompileCommands(File))
    if (!llvm::sys::fs::is_directory(C.Directory)) {
      R.Failure = "'" + File + "': its compile directory '" + C.Directory +
                  "' does not exist";
      return R;
    }
  // A file system of its own: the default one changes the process's working
  // directory for each compile command, which parallel TUs would race on.
  tooling::ClangTool Tool(DB, {File},
                          std::make_shared<PCHContainerOperations>(),
                          llvm::vfs::createPhysicalFileSystem());
  Tool.setPrintErrorMessage(false);
  // Builtin headers first, so a user's own -resource-dir still wins.
  Tool.appendArgumentsAdjuster(tooling::getInsertArgumentAdjuster(
      resourceDirArg().c_str(), tooling::ArgumentInsertPosition::BEGIN));
  // clang-cl (MSBuild) entries: the mingw-w64 DDK headers; before
  // --extra-arg, which can still override.
  Tool.appendArgumentsAdjuster(getClangClAdjuster());
  if (!ExtraArgs.empty())
    Tool.appendArgumentsAdjuster(tooling::getInsertArgumentAdjuster(
        std::vector<std::string>(ExtraArgs.begin(), ExtraArgs.end()),
        tooling::ArgumentInsertPosition::END));
  llvm::raw_string_ostream ErrOS(R.Errors);
  auto DiagOpts = llvm::makeIntrusiveRefCnt<DiagnosticOptions>();
  ErrorCollector Collector(ErrOS, DiagOpts.get());
  Tool.setDiagnosticConsumer(&Collector);
  FactsActionFactory Factory(R.Facts);
  int Status = Tool.run(&Factory);
  ErrOS.flush();
  unsigned Errors = Collector.getNumErrors();
  if (Errors)
    R.Failure = "'" + File + "' does not compile (" + std::to_string(Errors) +
                (Errors == 1 ? " error" : " errors") + "); not analysed";
  else if (Status != 0)
    R.Failure = "'" + File + "' could not be parsed; not analysed";
  if (!R.Failure.empty())
    R.Facts = TUFacts();
  return R;
}

/// A facts file the plugin wrote: loaded, not parsed; compiler flags do not
/// apply to it.
static TUResult loadFacts(const std::string &File) {
  TUResult R;
  llvm::Expected<TUFacts> Facts = readFactsFile(File);
  if (Facts)
    R.Facts = std::move(*Facts);
  else
    R.Failure = llvm::toString(Facts.takeError()) + "; not analysed";
  return R;
}

static bool isWhen(llvm::StringRef V) {
  return V == "auto" || V == "always" || V == "never";
}

/// --explain: the rule's page as shipped with the tool.
static int explain(llvm::StringRef Share, llvm::StringRef Id) {
  if (!isKnownRule(Id))
    return fail("unknown rule '" + Id + "' (see --list-rules)");
  llvm::Expected<std::string> Page = readRulePage(Share, Id);
  if (!Page)
    return fail(llvm::toString(Page.takeError()));
  llvm::outs() << *Page;
  return 0;
}

/// SARIF rule metadata: the catalogue's summary, and the descriptions and
/// help from each rule's page. A page that cannot be read (a broken
/// installation) leaves the summary in their place rather than no SARIF.
static std::vector<SarifRule> sarifRules(llvm::StringRef Share) {
  std::vector<SarifRule> Out;
  for (const RuleInfo &R : allRules()) {
    SarifRule S;
    S.Id = R.Id.str();
    S.Summary = R.Summary.str();
    llvm::Expected<std::string> Page = readRulePage(Share, R.Id);
    if (!Page) {
      llvm::consumeError(Page.takeError());
      Out.push_back(std::move(S));
      continue;
    }
    S.Description = pageSection(*Page, "");
    std::string Why = pageSection(*Page, "Why it matters");
    S.HelpText = S.Description + (Why.empty() ? "" : "\n\n" + Why) +
                 "\n\nThe whole page: irqlcheck --explain " + S.Id;
    S.HelpMarkdown = std::move(*Page);
    Out.push_back(std::move(S));
  }
  return Out;
}

/// The function a finding lies in: the nearest function defined above it
/// in the same file (C functions do not nest).
static FunctionLocator functionLocator(const std::vector<TUFacts> &Facts) {
  auto Defs = std::make_shared<std::vector<std::pair<Loc, std::string>>>();
  for (const TUFacts &TU : Facts)
    for (const FunctionFact &F : TU.Functions)
      if (F.HasBody && F.At.valid())
        Defs->push_back({F.At, F.Name});
  llvm::sort(*Defs);
  return [Defs](const Loc &At) -> std::string {
    auto It = std::upper_bound(
        Defs->begin(), Defs->end(), At,
        [](const Loc &L, const std::pair<Loc, std::string> &D) {
          return L < D.first;
        });
    if (It == Defs->begin() || std::prev(It)->first.File != At.File)
      return "";
    return std::prev(It)->second;
  };
}

int main(int argc, const char **argv) {
  llvm::sys::PrintStackTraceOnErrorSignal(argv[0]);
  // Everything after `--` is compiler arguments.
  std::vector<const char *> Own;
  std::vector<std::string> CompilerArgs;
  bool HaveCompilerArgs = false;
  for (int I = 0; I < argc; ++I) {
    if (!HaveCompilerArgs && llvm::StringRef(argv[I]) == "--") {
      HaveCompilerArgs = true;
      continue;
    }
    if (HaveCompilerArgs)
      CompilerArgs.push_back(argv[I]);
    else
      Own.push_back(argv[I]);
  }
  cl::HideUnrelatedOptions(Category);
  cl::opt<std::string> &Color = colorOption();
  cl::SetVersionPrinter([](llvm::raw_ostream &OS) {
    OS << "irqlcheck " << IRQLCHECK_VERSION << " (LLVM " LLVM_VERSION_STRING
       << ")\n";
  });
  // A bad option, an unknown rule name or a broken rules file is reported
  // and left out, and the inputs are still analysed with the rest: the
  // exit status is 2 in the end, and SARIF lists the errors.
  std::vector<std::string> ConfigErrors;
  auto configError = [&](const llvm::Twine &Msg) {
    ConfigErrors.push_back(Msg.str());
    fail(ConfigErrors.back());
  };
  std::string ParseErrors;
  llvm::raw_string_ostream ParseErrOS(ParseErrors);
  if (!cl::ParseCommandLineOptions(Own.size(), Own.data(), Overview,
                                   &ParseErrOS)) {
    ParseErrOS.flush();
    llvm::errs() << ParseErrors;
    llvm::SmallVector<llvm::StringRef, 4> Lines;
    llvm::StringRef(ParseErrors).split(Lines, '\n', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef L : Lines)
      ConfigErrors.push_back(L.trim().str());
    configError("bad command line (see --help); going on without what was "
                "not understood");
  }

  if (ListRules) {
    for (const RuleInfo &R : allRules())
      llvm::outs() << R.Id << ": " << R.Summary << "\n";
    return ConfigErrors.empty() ? 0 : 2;
  }
  if (Format != "text" && Format != "sarif") {
    configError("unknown --format '" + Format +
                "' (expected text or sarif); using text");
    Format = "text";
  }
  for (cl::opt<std::string> *O : {&Color, &Progress})
    if (!isWhen(*O)) {
      configError("unknown --" + O->ArgStr + " '" + *O +
                  "' (expected auto, always or never); using auto");
      *O = "auto";
    }

  static int Anchor;
  std::string Share = shareDirFor(
      llvm::sys::fs::getMainExecutable(argv[0], (void *)&Anchor));
  if (!Explain.empty())
    return std::max(explain(Share, Explain), ConfigErrors.empty() ? 0 : 2);

  std::string RuleError;
  std::vector<std::string> Enabled = selectRules(
      std::vector<std::string>(Enable.begin(), Enable.end()),
      std::vector<std::string>(Disable.begin(), Disable.end()), RuleError);
  if (!RuleError.empty())
    configError(RuleError + "; ignored");

  ContractDB Contracts;
  if (llvm::Error E = loadContracts(
          Contracts, Share,
          std::vector<std::string>(RulesDirs.begin(), RulesDirs.end()))) {
    // One "FILE:LINE:COL: error: ..." line per rules file in error.
    std::string Text = llvm::toString(std::move(E));
    llvm::errs() << Text << "\n";
    llvm::SmallVector<llvm::StringRef, 4> Lines;
    llvm::StringRef(Text).split(Lines, '\n', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef L : Lines)
      ConfigErrors.push_back(L.str());
    configError("the rules above are in error and left out; analysing with "
                "the rest");
  }

  // Which TUs, compiled how.
  std::unique_ptr<tooling::CompilationDatabase> DB;
  std::vector<std::string> Inputs(Files.begin(), Files.end());
  if (!BuildPath.empty()) {
    std::string Err;
    DB = loadCompileDatabase(BuildPath, Err);
    if (!DB) {
      configError("cannot load compilation database " + Err +
                  (Inputs.empty() ? "" : "; compiling the FILEs without it"));
      if (Inputs.empty())
        return 2;
    } else if (Inputs.empty()) {
      Inputs = DB->getAllFiles();
      llvm::sort(Inputs);
    }
  }
  if (!DB) {
    std::vector<std::string> Args =
        HaveCompilerArgs ? CompilerArgs : defaultCompilerArgs(Share);
    DB = std::make_unique<tooling::FixedCompilationDatabase>(".", Args);
  }
  if (Inputs.empty())
    return fail("no input files (give FILEs, or -p with a compilation "
                "database)");

  // Parse (or load facts) in parallel; results land in input order, so the
  // output does not depend on scheduling.
  std::vector<TUResult> Results(Inputs.size());
  bool ShowProgress =
      Progress == "always" ||
      (Progress == "auto" && Inputs.size() > 1 &&
       llvm::sys::Process::StandardErrIsDisplayed());
  {
    unsigned N = Jobs ? Jobs : llvm::hardware_concurrency().compute_thread_count();
    llvm::DefaultThreadPool Pool(llvm::hardware_concurrency(N));
    std::mutex ProgressMutex;
    size_t Done = 0;
    for (size_t I = 0; I < Inputs.size(); ++I)
      Pool.async([&, I] {
        Results[I] = llvm::StringRef(Inputs[I]).ends_with(FactsExtension)
                         ? loadFacts(Inputs[I])
                         : parseTU(*DB, Inputs[I]);
        if (ShowProgress) {
          std::lock_guard<std::mutex> Lock(ProgressMutex);
          llvm::errs() << "[" << ++Done << "/" << Inputs.size() << "] "
                       << Inputs[I] << "\n";
        }
      });
    Pool.wait();
  }

  std::vector<std::string> Failures;
  std::vector<TUFacts> Facts;
  for (TUResult &R : Results) {
    if (!R.Failure.empty()) {
      llvm::errs() << R.Errors;
      fail(R.Failure);
      Failures.push_back(R.Failure);
      continue;
    }
    Facts.push_back(std::move(R.Facts));
  }

  std::vector<Finding> Findings = analyseProgram(Facts, Contracts, Enabled);

  std::unique_ptr<llvm::raw_fd_ostream> File;
  if (!Output.empty()) {
    std::error_code EC;
    File = std::make_unique<llvm::raw_fd_ostream>(Output, EC);
    if (EC)
      return fail("cannot write '" + Output + "': " + EC.message());
  }
  llvm::raw_ostream &OS = File ? *File : llvm::outs();
  llvm::SmallString<256> Cwd;
  llvm::sys::fs::current_path(Cwd);
  SourceCache Sources;
  if (Format == "sarif") {
    SarifOptions Opts;
    Opts.ToolVersion = IRQLCHECK_VERSION;
    Opts.Rules = sarifRules(Share);
    Opts.SourceRoot = std::string(Cwd);
    Opts.Sources = &Sources;
    Opts.FunctionAt = functionLocator(Facts);
    Opts.Errors = ConfigErrors;
    llvm::append_range(Opts.Errors, Failures);
    renderSarif(OS, Findings, Opts);
  } else {
    std::string Prefix = std::string(Cwd) + "/";
    TextOptions Opts;
    Opts.DisplayPath = [&](const std::string &Path) {
      llvm::StringRef P(Path);
      if (P.consume_front(Prefix))
        return P.str();
      return Path;
    };
    Opts.Color = Color == "always" ||
                 (Color == "auto" && !File &&
                  llvm::sys::Process::StandardOutHasColors());
    Opts.ShowSource = !NoSource;
    Opts.Sources = &Sources;
    renderText(OS, Findings, Opts);
  }
  OS.flush();
  // The summary goes to stderr, as clang's "N warnings generated.": stdout
  // (or -o FILE) holds findings only, for tools that parse it.
  if (Format == "text" && !Findings.empty())
    llvm::errs() << summarize(Findings) << "\n";
  if (!Failures.empty() || !ConfigErrors.empty())
    return 2;
  return Findings.empty() ? 0 : 1;
}
