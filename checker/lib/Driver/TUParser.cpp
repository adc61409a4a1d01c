//===- TUParser.cpp - One TU's source to facts ----------------------------===//
#include "Driver/TUParser.h"
#include "Driver/CompileDB.h"
#include "Driver/InputCheck.h"
#include "Driver/Resources.h"
#include "Driver/SharedPreamble.h"
#include "Facts/Extractor.h"
#include "Facts/SalMacros.h"
#include "Facts/Serialize.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/VirtualFileSystem.h"

#include <atomic>
#include <malloc.h>
#include <chrono>
#include <condition_variable>
#include <mutex>

using namespace clang;
using namespace irqlcheck;

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
  FactsAction(TUFacts &Out, const SharedPreamble *Preamble, bool &Replayed)
      : Out(Out), Preamble(Preamble), Replayed(Replayed) {}

  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 llvm::StringRef) override {
    struct Consumer : ASTConsumer {
      FactsAction &A;
      CompilerInstance &CI;
      std::shared_ptr<SalExpansions> Sal;
      std::shared_ptr<PreprocessorFacts> PP;
      Consumer(FactsAction &A, CompilerInstance &CI,
               std::shared_ptr<SalExpansions> Sal,
               std::shared_ptr<PreprocessorFacts> PP)
          : A(A), CI(CI), Sal(std::move(Sal)), PP(std::move(PP)) {}
      void HandleTranslationUnit(ASTContext &Ctx) override {
        if (Ctx.getDiagnostics().hasErrorOccurred())
          return; // A TU that does not compile is reported, not analysed.
        if (A.Preamble && !A.Preamble->replayInto(CI, *Sal, *PP))
          return;
        A.Replayed = true;
        A.Out = extractFacts(Ctx, *Sal, *PP);
      }
    };
    auto PP = std::make_shared<PreprocessorFacts>();
    watchPreprocessor(CI.getPreprocessor(), PP);
    return std::make_unique<Consumer>(
        *this, CI, recordSalMacros(CI.getPreprocessor()), std::move(PP));
  }

private:
  TUFacts &Out;
  const SharedPreamble *Preamble;
  bool &Replayed;
};

/// Runs FactsAction, on top of the preamble when it matches the file.
class FactsTool : public tooling::ToolAction {
public:
  FactsTool(TUResult &Out, const SharedPreamble *Preamble,
            unsigned IncludeBlock)
      : Out(Out), Preamble(Preamble), IncludeBlock(IncludeBlock) {}

  bool runInvocation(std::shared_ptr<CompilerInvocation> Inv,
                     FileManager *Files,
                     std::shared_ptr<PCHContainerOperations> PCHOps,
                     DiagnosticConsumer *Diags) override {
    IntrusiveRefCntPtr<llvm::vfs::FileSystem> VFS =
        Files->getVirtualFileSystemPtr();
    IntrusiveRefCntPtr<FileManager> Own;
    std::unique_ptr<llvm::MemoryBuffer> Main;
    const SharedPreamble *Used = nullptr;
    if (Preamble && Inv->getFrontendOpts().Inputs.size() == 1) {
      if (auto B = Files->getBufferForFile(
              Inv->getFrontendOpts().Inputs[0].getFile()))
        Main = std::move(*B);
      if (Main && Main->getBufferSize() >= IncludeBlock) {
        Preamble->use(*Inv, VFS, Main.get(), IncludeBlock);
        Own = llvm::makeIntrusiveRefCnt<FileManager>(Files->getFileSystemOpts(),
                                                    VFS);
        Used = Preamble;
      }
    }
    FileManager &FM = Own ? *Own : *Files;
    CompilerInstance Compiler(std::move(PCHOps));
    Compiler.setInvocation(std::move(Inv));
    Compiler.setFileManager(&FM);
    Compiler.createDiagnostics(Diags, /*ShouldOwnClient=*/false);
    if (!Compiler.hasDiagnostics())
      return false;
    Compiler.createSourceManager(FM);
    // Not clang's "N errors generated." (the errors are reported with the
    // TU, and parallel TUs would interleave it).
    Compiler.setVerboseOutputStream(std::make_unique<llvm::raw_null_ostream>());
    bool Replayed = false;
    FactsAction Action(Out.Facts, Used, Replayed);
    bool Ok = Compiler.ExecuteAction(Action);
    Files->clearStatCache();
    Out.UsedPreamble = Used && Replayed;
    // Compile errors are reported as a parse from scratch words them.
    Retry = Used && !Replayed;
    return Ok;
  }

  /// The preamble did not fit this TU after all.
  bool Retry = false;

private:
  TUResult &Out;
  const SharedPreamble *Preamble;
  unsigned IncludeBlock;
};
} // namespace

tooling::ArgumentsAdjuster irqlcheck::commandAdjuster(const ParseSettings &S) {
  tooling::ArgumentsAdjuster A = tooling::combineAdjusters(
      tooling::getClangStripOutputAdjuster(),
      tooling::getClangSyntaxOnlyAdjuster());
  A = tooling::combineAdjusters(A,
                                tooling::getClangStripDependencyFileAdjuster());
  // Builtin headers first, so a user's own -resource-dir still wins.
  A = tooling::combineAdjusters(
      A, tooling::getInsertArgumentAdjuster(
             resourceDirArg().c_str(), tooling::ArgumentInsertPosition::BEGIN));
  // clang-cl (MSBuild) entries: the mingw-w64 DDK headers; before
  // --extra-arg, which can still override.
  A = tooling::combineAdjusters(A, getClangClAdjuster());
  if (!S.ExtraArgs.empty())
    A = tooling::combineAdjusters(
        A, tooling::getInsertArgumentAdjuster(
               S.ExtraArgs, tooling::ArgumentInsertPosition::END));
  return A;
}

std::unique_ptr<tooling::ClangTool>
irqlcheck::makeTool(const ParseSettings &S, const std::string &File) {
  auto Tool = std::make_unique<tooling::ClangTool>(
      *S.DB, std::vector<std::string>{File},
      std::make_shared<PCHContainerOperations>(),
      llvm::vfs::createPhysicalFileSystem());
  Tool->clearArgumentsAdjusters();
  Tool->appendArgumentsAdjuster(commandAdjuster(S));
  return Tool;
}

TUResult irqlcheck::parseTU(const ParseSettings &S, const std::string &File,
                            const SharedPreamble *Preamble,
                            unsigned IncludeBlock) {
  TUResult R;
  R.Failure = checkSourceFile(File);
  if (!R.Failure.empty())
    return R;
  for (const tooling::CompileCommand &C : S.DB->getCompileCommands(File))
    if (!llvm::sys::fs::is_directory(C.Directory)) {
      R.Failure = "'" + File + "': its compile directory '" + C.Directory +
                  "' does not exist";
      return R;
    }
  std::unique_ptr<tooling::ClangTool> Tool = makeTool(S, File);
  Tool->setPrintErrorMessage(false);
  llvm::raw_string_ostream ErrOS(R.Errors);
  auto DiagOpts = llvm::makeIntrusiveRefCnt<DiagnosticOptions>();
  ErrorCollector Collector(ErrOS, DiagOpts.get());
  Tool->setDiagnosticConsumer(&Collector);
  FactsTool Action(R, Preamble, IncludeBlock);
  int Status = Tool->run(&Action);
  ErrOS.flush();
  if (Action.Retry) {
    return parseTU(S, File, nullptr);
  }
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

TUResult irqlcheck::loadFacts(const std::string &File) {
  TUResult R;
  llvm::Expected<TUFacts> Facts = readFactsFile(File);
  if (Facts)
    R.Facts = std::move(*Facts);
  else
    R.Failure = llvm::toString(Facts.takeError()) + "; not analysed";
  return R;
}

namespace {
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point T) {
  return std::chrono::duration<double>(Clock::now() - T).count();
}

size_t heapInUse() {
#ifdef __GLIBC__
  return mallinfo2().uordblks;
#else
  return 0;
#endif
}

void trimHeap() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

/// One group's preamble, from when it is built until its last TU is done.
struct GroupState {
  std::mutex M;
  std::condition_variable Built;
  bool Ready = false;
  std::shared_ptr<const SharedPreamble> Preamble;
  std::atomic<size_t> Left{0};
};
} // namespace

std::vector<TUResult> irqlcheck::parseAll(
    const ParseSettings &S, const std::vector<std::string> &Inputs,
    unsigned Jobs, bool Share, llvm::function_ref<void(size_t)> Done,
    ParseStats &Stats) {
  Clock::time_point Start = Clock::now();
  size_t HeapBefore = heapInUse();
  std::vector<PreambleGroup> Groups;
  if (Share) {
    Groups = groupByPreamble(S, Inputs);
  } else {
    for (size_t I = 0; I < Inputs.size(); ++I)
      Groups.push_back({{I}, {}});
  }
  std::vector<GroupState> State(Groups.size());
  std::vector<TUResult> Results(Inputs.size());
  std::mutex StatsMutex;

  auto BuildPreamble = [&](size_t G) {
    Clock::time_point T = Clock::now();
    const std::string &First = Inputs[Groups[G].Members.front()];
    std::shared_ptr<const SharedPreamble> P =
        SharedPreamble::build(S, First, Groups[G].Sizes.front());
    {
      std::lock_guard<std::mutex> Lock(StatsMutex);
      Stats.PreambleSeconds += secondsSince(T);
      Stats.Preambles += P != nullptr;
    }
    std::lock_guard<std::mutex> Lock(State[G].M);
    State[G].Preamble = std::move(P);
    State[G].Ready = true;
    State[G].Built.notify_all();
  };
  auto ParseOne = [&](size_t G, size_t I, unsigned Size) {
    std::shared_ptr<const SharedPreamble> P;
    if (Groups[G].shared()) {
      std::unique_lock<std::mutex> Lock(State[G].M);
      State[G].Built.wait(Lock, [&] { return State[G].Ready; });
      P = State[G].Preamble;
    }
    Results[I] = llvm::StringRef(Inputs[I]).ends_with(FactsExtension)
                     ? loadFacts(Inputs[I])
                     : parseTU(S, Inputs[I], P.get(), Size);
    P.reset();
    if (--State[G].Left == 0 && Groups[G].shared()) {
      // Its last TU is done: free the preamble (tens of MB), and give the
      // memory its build used back, or the free pages left between the
      // facts add up to the peak. Not after plain parses: the next one
      // reuses their memory, and faulting it in again costs 20%.
      {
        std::lock_guard<std::mutex> Lock(State[G].M);
        State[G].Preamble.reset();
      }
      trimHeap();
    }
    std::lock_guard<std::mutex> Lock(StatsMutex);
    Stats.OnPreamble += Results[I].UsedPreamble;
    Done(I);
  };

  // The pool runs tasks in the order given: each group's preamble is built
  // one group ahead of its TUs, so no thread waits for one while another
  // builds it, and few preambles are alive at once.
  unsigned N = Jobs ? Jobs : llvm::hardware_concurrency().compute_thread_count();
  {
    llvm::DefaultThreadPool Pool(llvm::hardware_concurrency(N));
    size_t NextBuild = 0;
    auto BuildAhead = [&](size_t Upto) {
      for (; NextBuild < Groups.size() && NextBuild <= Upto; ++NextBuild)
        if (Groups[NextBuild].shared())
          Pool.async([&, G = NextBuild] { BuildPreamble(G); });
    };
    for (size_t G = 0; G < Groups.size(); ++G) {
      State[G].Left = Groups[G].Members.size();
      BuildAhead(G + 1);
      for (size_t M = 0; M < Groups[G].Members.size(); ++M)
        Pool.async([&, G, I = Groups[G].Members[M],
                    Size = Groups[G].shared() ? Groups[G].Sizes[M] : 0] {
          ParseOne(G, I, Size);
        });
    }
    Pool.wait();
  }
  Stats.Seconds = secondsSince(Start);
  size_t HeapAfter = heapInUse();
  Stats.HeldBytes = HeapAfter > HeapBefore ? HeapAfter - HeapBefore : 0;
  return Results;
}
