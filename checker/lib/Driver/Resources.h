//===- Resources.h - Where the data files and defaults are -------*- C++ -*-===//
#ifndef IRQLCHECK_DRIVER_RESOURCES_H
#define IRQLCHECK_DRIVER_RESOURCES_H

#include "Contracts/ContractDB.h"

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace irqlcheck {

/// The `share/irqlcheck` of the prefix holding \p BinaryPath (symlinks
/// resolved): PREFIX/bin/irqlcheck and PREFIX/lib/irqlcheck/IrqlCheck.so
/// both give PREFIX/share/irqlcheck, in the build tree and when installed.
std::string shareDirFor(llvm::StringRef BinaryPath);

/// The embedded default compiler flags: the mingw-w64 DDK headers, the
/// x86_64-w64-mingw32 target, MS extensions, warnings off, and irqlcheck's
/// SAL compatibility header.
std::vector<std::string> defaultCompilerArgs(llvm::StringRef ShareDir);

/// Appended to a clang-cl command (an MSBuild/WDK compile_commands.json
/// entry) so that it compiles on Linux: the mingw-w64 DDK headers as system
/// directories after the entry's own `/I` ones (the WDK paths of a Windows
/// machine do not exist here), `-fgnuc-version=4.2.1` (without it mingw's
/// _mingw.h defines `__attribute__` away and clang's intrinsics break), and
/// no warning from mingw's mm3dnow.h. The entry's target
/// (x86_64-pc-windows-msvc), `/D`, `/I`, `/kernel` are kept.
std::vector<std::string> clCompatArgs();

/// `-resource-dir=...` so that a tool outside clang's bin dir finds clang's
/// builtin headers.
std::string resourceDirArg();

/// Loads the built-in contracts, then each of \p Extra over them, and
/// checks the result. A file with an error is left out and named in the
/// error; all the others are loaded.
llvm::Error loadContracts(ContractDB &DB, llvm::StringRef ShareDir,
                          llvm::ArrayRef<std::string> Extra);
/// The two kinds of layer loadContracts() stacks, for callers with layers
/// of their own between them: the built-in files, and one rules file or
/// directory. Neither checks cross references (ContractDB::validate).
llvm::Error loadBuiltinContracts(ContractDB &DB, llvm::StringRef ShareDir);
llvm::Error loadContractPath(ContractDB &DB, llvm::StringRef Path);

} // namespace irqlcheck

#endif
