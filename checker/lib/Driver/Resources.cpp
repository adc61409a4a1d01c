//===- Resources.cpp - Where the data files and defaults are --------------===//
#include "Driver/Resources.h"

#include "Config.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace irqlcheck;

std::string irqlcheck::shareDirFor(llvm::StringRef BinaryPath) {
  // Resolve symlinks first: a link in /usr/local/bin to an unpacked prefix
  // must find that prefix's data, not /usr/local/share.
  llvm::SmallString<256> Real;
  if (llvm::sys::fs::real_path(BinaryPath, Real))
    Real = BinaryPath;
  // The tool is PREFIX/bin/irqlcheck; the plugin is
  // PREFIX/lib/irqlcheck/IrqlCheck.so. Both are relative to the binary, so
  // a prefix can be moved anywhere; nothing absolute is compiled in.
  llvm::StringRef Dir = llvm::sys::path::parent_path(Real);
  std::string First;
  for (int Up = 0; Up < 2 && !Dir.empty(); ++Up) {
    Dir = llvm::sys::path::parent_path(Dir);
    llvm::SmallString<256> P(Dir);
    llvm::sys::path::append(P, "share", "irqlcheck");
    if (First.empty())
      First = std::string(P);
    llvm::SmallString<256> Rules(P);
    llvm::sys::path::append(Rules, "rules");
    if (llvm::sys::fs::is_directory(Rules))
      return std::string(P);
  }
  // Not found: the nearest place, so that the error names where it looked.
  return First;
}

std::vector<std::string> irqlcheck::defaultCompilerArgs(llvm::StringRef Share) {
  std::string Sysroot = IRQLCHECK_MINGW_SYSROOT;
  llvm::SmallString<256> Sal(Share);
  llvm::sys::path::append(Sal, "include", "irqlcheck_sal.h");
  return {"--target=x86_64-w64-mingw32",
          "-fms-extensions",
          "-w",
          // mingw's intrin.h pulls in mm3dnow.h, whose #warning is noise.
          "-D_CLANG_DISABLE_CRT_DEPRECATION_WARNINGS",
          "-isystem", Sysroot + "/include",
          "-isystem", Sysroot + "/include/ddk",
          "-include", std::string(Sal)};
}

std::vector<std::string> irqlcheck::clCompatArgs() {
  std::string Sysroot = IRQLCHECK_MINGW_SYSROOT;
  // clang-cl has no -isystem of its own; its -imsvc dirs would come after
  // clang's builtin headers, whose intrin.h then conflicts with mingw's
  // setjmp.h. /clang: passes the gcc-style flag through, in front of them.
  return {"-fgnuc-version=4.2.1", "-D_CLANG_DISABLE_CRT_DEPRECATION_WARNINGS",
          "/clang:-isystem" + Sysroot + "/include",
          "/clang:-isystem" + Sysroot + "/include/ddk"};
}

std::string irqlcheck::resourceDirArg() {
  return std::string("-resource-dir=") + IRQLCHECK_CLANG_RESOURCE_DIR;
}

llvm::Error irqlcheck::loadBuiltinContracts(ContractDB &DB,
                                            llvm::StringRef Share) {
  llvm::SmallString<256> Builtin(Share);
  llvm::sys::path::append(Builtin, "rules");
  return DB.loadDirectory(Builtin);
}

llvm::Error irqlcheck::loadContractPath(ContractDB &DB, llvm::StringRef Path) {
  return llvm::sys::fs::is_regular_file(Path) ? DB.loadFile(Path)
                                              : DB.loadDirectory(Path);
}

llvm::Error irqlcheck::loadContracts(ContractDB &DB, llvm::StringRef Share,
                                     llvm::ArrayRef<std::string> Extra) {
  llvm::Error Errors = loadBuiltinContracts(DB, Share);
  for (const std::string &Path : Extra)
    Errors = llvm::joinErrors(std::move(Errors), loadContractPath(DB, Path));
  return llvm::joinErrors(std::move(Errors), DB.validate());
}
