//===- CompileDB.cpp - compile_commands.json as users have them -----------===//
#include "Driver/CompileDB.h"
#include "Driver/InputCheck.h"
#include "Driver/Resources.h"

#include "clang/Driver/ToolChain.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/VirtualFileSystem.h"

using namespace clang;
using namespace clang::tooling;

namespace {
/// Absolute, without `.` and `..`.
std::string normalized(llvm::StringRef Base, llvm::StringRef Path) {
  llvm::SmallString<256> Out;
  if (llvm::sys::path::is_absolute(Path)) {
    Out = Path;
  } else {
    Out = Base;
    llvm::sys::path::append(Out, Path);
  }
  llvm::sys::path::remove_dots(Out, /*remove_dot_dot=*/true);
  return std::string(Out);
}

/// The JSON database with every directory and file made absolute.
class ResolvedDatabase : public CompilationDatabase {
public:
  ResolvedDatabase(const CompilationDatabase &Base, llvm::StringRef DbDir) {
    for (CompileCommand C : Base.getAllCompileCommands()) {
      C.Directory = normalized(DbDir, C.Directory);
      C.Filename = normalized(C.Directory, C.Filename);
      ByFile[C.Filename].push_back(All.size());
      All.push_back(std::move(C));
    }
  }
  std::vector<CompileCommand>
  getCompileCommands(llvm::StringRef FilePath) const override {
    llvm::SmallString<256> Cwd;
    llvm::sys::fs::current_path(Cwd);
    std::vector<CompileCommand> Out;
    auto It = ByFile.find(normalized(Cwd, FilePath));
    if (It != ByFile.end())
      for (size_t I : It->second)
        Out.push_back(All[I]);
    return Out;
  }
  std::vector<std::string> getAllFiles() const override {
    std::vector<std::string> Out;
    for (const auto &E : ByFile)
      Out.push_back(E.getKey().str());
    llvm::sort(Out);
    return Out;
  }
  std::vector<CompileCommand> getAllCompileCommands() const override {
    return All;
  }

private:
  std::vector<CompileCommand> All;
  llvm::StringMap<std::vector<size_t>> ByFile;
};
} // namespace

std::unique_ptr<CompilationDatabase>
irqlcheck::loadCompileDatabase(llvm::StringRef Path, std::string &Err) {
  llvm::SmallString<256> Json(Path);
  if (llvm::sys::fs::is_directory(Path))
    llvm::sys::path::append(Json, "compile_commands.json");
  std::string Shown = ("'" + Json + "': ").str();
  // Missing, empty, binary or unreadable: said plainly, not as a JSON
  // syntax error.
  std::string Problem = inputFileProblem(Json);
  if (!Problem.empty()) {
    Err = Shown + Problem;
    return nullptr;
  }
  if (std::error_code EC = llvm::sys::fs::make_absolute(Json)) {
    Err = Shown + EC.message();
    return nullptr;
  }
  std::unique_ptr<CompilationDatabase> Base = JSONCompilationDatabase::loadFromFile(
      Json, Err, JSONCommandLineSyntax::AutoDetect);
  if (!Base) {
    Err = Shown + llvm::StringRef(Err).rtrim(".").str();
    return nullptr;
  }
  if (Base->getAllCompileCommands().empty()) {
    Err = Shown + "has no entries";
    return nullptr;
  }
  auto Resolved = std::make_unique<ResolvedDatabase>(
      *Base, llvm::sys::path::parent_path(Json));
  // What clang's own JSON plugin wraps a directory's database in.
  return inferTargetAndDriverMode(inferMissingCompileCommands(
      expandResponseFiles(std::move(Resolved), llvm::vfs::getRealFileSystem())));
}

bool irqlcheck::isClangClCommand(const CommandLineArguments &Args) {
  if (Args.empty())
    return false;
  // The last --driver-mode wins, as in clang's driver.
  for (const std::string &A : llvm::reverse(Args)) {
    llvm::StringRef Mode(A);
    if (Mode.consume_front("--driver-mode="))
      return Mode == "cl";
  }
  // A Windows path to cl.exe keeps its backslashes on Linux: its name is
  // after the last separator of either kind.
  llvm::StringRef Name(Args[0]);
  Name = Name.substr(Name.find_last_of("/\\") + 1);
  return driver::ToolChain::getTargetAndModeFromProgramName(Name).DriverMode ==
         llvm::StringRef("--driver-mode=cl");
}

ArgumentsAdjuster irqlcheck::getClangClAdjuster() {
  return [](const CommandLineArguments &Args, llvm::StringRef File) {
    if (!isClangClCommand(Args))
      return Args;
    return getInsertArgumentAdjuster(clCompatArgs(),
                                     ArgumentInsertPosition::END)(Args, File);
  };
}
