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
#include "Driver/ProjectConfig.h"
#include "Driver/Resources.h"
#include "Driver/TUParser.h"
#include "Facts/Serialize.h"
#include "Report/Baseline.h"
#include "Report/Reporter.h"
#include "Report/RuleDocs.h"
#include "Report/Sarif.h"
#include "Report/SourceCache.h"
#include "Report/Suppressions.h"
#include "Rules/Rules.h"

#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <optional>
#include <set>

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
static cl::opt<bool> NoSharedPreambles(
    "no-shared-preambles",
    cl::desc("Parse every TU from scratch instead of sharing one precompiled "
             "preamble among TUs with the same leading #include block and "
             "flags (same findings, slower)"),
    cl::cat(Category));
static cl::opt<std::string>
    BaselinePath("baseline",
                 cl::desc("Do not report the findings of this earlier SARIF "
                          "output (matched by fingerprint)"),
                 cl::value_desc("OLD.sarif"), cl::cat(Category));
static cl::opt<std::string>
    ConfigPath("config",
               cl::desc("Use this project config for every file instead of "
                        "each file's nearest .irqlcheck.yaml"),
               cl::value_desc("FILE"), cl::cat(Category));
static cl::opt<bool> NoConfig("no-config",
                              cl::desc("Read no .irqlcheck.yaml"),
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

/// --stats replaces libLLVM's --stats (its statistics counters, which a
/// release build does not keep), as --color does.
static cl::opt<bool> &statsOption() {
  if (cl::Option *Theirs = cl::getRegisteredOptions().lookup("stats"))
    Theirs->removeArgument();
  static cl::opt<bool> Stats(
      "stats",
      cl::desc("Print the time of each phase (parse, per-function analysis, "
               "whole-program phase, output), the memory the facts hold and "
               "the program's size to stderr"),
      cl::cat(Category));
  return Stats;
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
    "Gating existing code: --baseline OLD.sarif reports only findings that\n"
    "are not in OLD.sarif (an earlier --format sarif run); a comment\n"
    "irqlcheck-suppress(RULE): reason, or #pragma warning(suppress: N) with\n"
    "the rule's Code Analysis number, suppresses one finding; the nearest\n"
    ".irqlcheck.yaml above each file selects rules, severities and\n"
    "contracts. See docs/integrations.md.\n\n"
    "Exit status: 0 no findings, 1 findings reported (not counting notes),\n"
    "2 an input could not be analysed (the others are still analysed and\n"
    "reported) or a config, baseline or suppression comment is bad.\n";

static int fail(const llvm::Twine &Msg) {
  llvm::errs() << "irqlcheck: error: " << Msg << "\n";
  return 2;
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
    for (llvm::StringRef N : llvm::split(R.CodeAnalysis, ' '))
      if (!N.empty())
        S.CodeAnalysis.push_back(("C" + N).str());
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

/// --stats: where the time went, and how big the program was.
static void printStats(const ParseStats &P, const ProgramStats &A, size_t TUs,
                       size_t Failed, size_t Findings, double OutputSeconds) {
  llvm::raw_ostream &OS = llvm::errs();
  auto Line = [&](llvm::StringRef Name, double Seconds, llvm::StringRef Note) {
    OS << llvm::format("irqlcheck stats: %-22s %8.3f s", Name.str().c_str(),
                       Seconds);
    if (!Note.empty())
      OS << "  (" << Note << ")";
    OS << "\n";
  };
  Line("parse", P.Seconds,
       std::to_string(P.Preambles) + " shared preambles built in " +
           llvm::formatv("{0:f3}", P.PreambleSeconds).str() + " s, " +
           std::to_string(P.OnPreamble) + " TUs parsed on them");
  Line("per-function analysis", A.FunctionSeconds, "");
  Line("whole-program phase", A.ProgramSeconds, "");
  Line("output", OutputSeconds, "");
  if (P.HeldBytes)
    OS << llvm::format("irqlcheck stats: %-22s %8.1f MB\n", (const char *)"facts held",
                       P.HeldBytes / 1048576.0);
  OS << "irqlcheck stats: " << TUs << " TUs (" << Failed << " not analysed), "
     << A.Functions << " functions, " << A.CallEdges << " call edges, "
     << A.Locks << " locks, " << Findings << " findings\n";
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
  cl::opt<bool> &Stats = statsOption();
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
  // Errors already worded (libLLVM's, or "FILE:LINE:COL: error: ..."):
  // printed as they are, and each line kept.
  auto wordedErrors = [&](llvm::StringRef Text) {
    llvm::errs() << Text;
    if (!Text.ends_with("\n"))
      llvm::errs() << "\n";
    llvm::SmallVector<llvm::StringRef, 4> Lines;
    Text.split(Lines, '\n', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef L : Lines)
      ConfigErrors.push_back(L.trim().str());
  };
  std::string ParseErrors;
  llvm::raw_string_ostream ParseErrOS(ParseErrors);
  if (!cl::ParseCommandLineOptions(Own.size(), Own.data(), Overview,
                                   &ParseErrOS)) {
    ParseErrOS.flush();
    wordedErrors(ParseErrors);
    configError("bad command line (see --help); going on without what was "
                "not understood");
  }

  if (ListRules) {
    for (const RuleInfo &R : allRules()) {
      llvm::outs() << R.Id << ": " << R.Summary;
      if (!R.CodeAnalysis.empty())
        llvm::outs() << " (Code Analysis: C"
                     << llvm::join(llvm::split(R.CodeAnalysis, ' '), ", C")
                     << ")";
      llvm::outs() << "\n";
    }
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

  if (!ConfigPath.empty() && NoConfig) {
    configError("--config and --no-config exclude each other; using --config");
    NoConfig = false;
  }
  std::optional<Baseline> Base;
  if (!BaselinePath.empty()) {
    llvm::Expected<Baseline> B = Baseline::load(BaselinePath);
    if (B)
      Base = std::move(*B);
    else
      configError(llvm::toString(B.takeError()) +
                  "; showing every finding");
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

  // Project configs: every input's, before anything is parsed, since their
  // contracts are the whole program's. Then the contracts: built-in,
  // configs', --rules (the command line wins).
  ProjectConfigs Configs(ConfigPath, NoConfig);
  auto fileErrors = [&](llvm::Error E) {
    wordedErrors(llvm::toString(std::move(E)));
  };
  bool BadConfig = false;
  for (const std::string &In : Inputs)
    if (llvm::Expected<const ProjectConfig *> C = Configs.forFile(In); !C) {
      fileErrors(C.takeError());
      BadConfig = true;
    }
  if (BadConfig)
    configError("the project configs above are in error; their files are "
                "analysed with the defaults");
  ContractDB Contracts;
  if (llvm::Error E = loadContractLayers(
          Contracts, Share, Configs.all(),
          std::vector<std::string>(RulesDirs.begin(), RulesDirs.end()))) {
    fileErrors(std::move(E));
    configError("the rules above are in error and left out; analysing with "
                "the rest");
  }

  // Parse (or load facts) in parallel; results land in input order, so the
  // output does not depend on scheduling.
  bool ShowProgress =
      Progress == "always" ||
      (Progress == "auto" && Inputs.size() > 1 &&
       llvm::sys::Process::StandardErrIsDisplayed());
  ParseSettings Settings;
  Settings.DB = DB.get();
  Settings.ExtraArgs.assign(ExtraArgs.begin(), ExtraArgs.end());
  ParseStats PStats;
  size_t Finished = 0;
  std::vector<TUResult> Results = parseAll(
      Settings, Inputs, Jobs, !NoSharedPreambles,
      [&](size_t I) {
        ++Finished;
        if (ShowProgress)
          llvm::errs() << "[" << Finished << "/" << Inputs.size() << "] "
                       << Inputs[I] << "\n";
      },
      PStats);

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

  ProgramStats AStats;
  // A config's rule selection applies to the findings in its files, unless
  // --enable chose the rules outright; its severities to all of them.
  std::vector<Finding> Findings = analyseProgram(
      Facts, Contracts, Enabled, [&](const Finding &F) {
        if (!Enable.empty())
          return true;
        const ProjectConfig *C = Configs.forFileOrNull(F.At.File);
        return !C || C->enabled(F.Rule);
      },
      &AStats);
  for (Finding &F : Findings)
    if (const ProjectConfig *C = Configs.forFileOrNull(F.At.File))
      if (std::optional<Severity> S = C->severity(F.Rule))
        F.Level = *S;
  if (llvm::Error E = Configs.takeError())
    fileErrors(std::move(E));
  auto OutputStart = std::chrono::steady_clock::now();

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
  std::string Prefix = std::string(Cwd) + "/";
  auto DisplayPath = [&](const std::string &Path) {
    llvm::StringRef P(Path);
    if (P.consume_front(Prefix))
      return P.str();
    return Path;
  };

  // In-source suppressions: checked in every file with code or findings
  // (an unknown rule name is an error, not a silent no-op), then applied.
  {
    std::set<std::string> Files;
    for (const TUFacts &TU : Facts)
      for (const FunctionFact &F : TU.Functions)
        if (F.HasBody && F.At.valid())
          Files.insert(F.At.File);
    for (const Finding &F : Findings)
      if (F.At.valid())
        Files.insert(F.At.File);
    Suppressions Supp(Sources);
    for (const std::string &File : Files)
      for (const std::string &E : Supp.check(File, DisplayPath(File)))
        wordedErrors(E);
  }
  size_t Suppressed = 0, Baselined = 0;
  {
    Suppressions Supp(Sources);
    size_t Before = Findings.size();
    llvm::erase_if(Findings,
                   [&](const Finding &F) { return Supp.suppresses(F); });
    Suppressed = Before - Findings.size();
  }
  FunctionLocator FunctionAt = functionLocator(Facts);
  if (Base)
    Baselined = Base->filter(
        Findings, fingerprintFindings(Findings, Sources, FunctionAt));

  if (Format == "sarif") {
    SarifOptions Opts;
    Opts.ToolVersion = IRQLCHECK_VERSION;
    Opts.Rules = sarifRules(Share);
    Opts.SourceRoot = std::string(Cwd);
    Opts.Sources = &Sources;
    Opts.FunctionAt = FunctionAt;
    Opts.Errors = ConfigErrors;
    llvm::append_range(Opts.Errors, Failures);
    Opts.HasBaseline = Base.has_value();
    Opts.Baselined = Baselined;
    Opts.Suppressed = Suppressed;
    renderSarif(OS, Findings, Opts);
  } else {
    TextOptions Opts;
    Opts.DisplayPath = DisplayPath;
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
  if (Format == "text") {
    std::string Summary = summarize(Findings, Baselined, Suppressed);
    if (!Summary.empty())
      llvm::errs() << Summary << "\n";
  }
  if (Stats)
    printStats(PStats, AStats, Results.size(), Failures.size(), Findings.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             OutputStart)
                   .count());
  if (!Failures.empty() || !ConfigErrors.empty())
    return 2;
  // Findings the config made notes are shown but do not fail the run.
  return llvm::any_of(Findings,
                      [](const Finding &F) {
                        return F.Level != Severity::Note;
                      })
             ? 1
             : 0;
}
