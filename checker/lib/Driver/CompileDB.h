//===- CompileDB.h - compile_commands.json as users have them ---*- C++ -*-===//
///
/// \file
/// Loads a compile_commands.json (from a build directory or the file itself)
/// the way clangd and CMake's tooling read it, and tells clang-cl style
/// entries apart from gcc style ones.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_DRIVER_COMPILEDB_H
#define IRQLCHECK_DRIVER_COMPILEDB_H

#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/CompilationDatabase.h"

#include <memory>
#include <string>

namespace irqlcheck {

/// \p Path is a directory holding compile_commands.json, or the JSON file.
/// A relative `directory` is taken relative to the JSON file's directory,
/// and a relative `file` relative to its entry's `directory`, so every
/// command's directory and file are absolute. Response files (`@rsp`) are
/// expanded, the driver mode is inferred from the compiler's name (`cl.exe`
/// and `clang-cl` mean clang-cl syntax), and a FILE not in the database gets
/// the command of its nearest neighbour, as clangd does. Null and \p Err set
/// when the database cannot be read or has no entries; \p Err names the
/// JSON file and the reason ("'b/compile_commands.json': is empty").
std::unique_ptr<clang::tooling::CompilationDatabase>
loadCompileDatabase(llvm::StringRef Path, std::string &Err);

/// Whether \p Args (a whole command line, compiler first) is in clang-cl
/// syntax: `--driver-mode=cl`, or a compiler named cl or clang-cl.
bool isClangClCommand(const clang::tooling::CommandLineArguments &Args);

/// For clang-cl commands only: what an MSBuild/WDK command needs to compile
/// on Linux against the mingw-w64 DDK headers (\see clCompatArgs). Other
/// commands are left alone.
clang::tooling::ArgumentsAdjuster getClangClAdjuster();

} // namespace irqlcheck

#endif
