//===- InputCheck.cpp - Is a source file worth handing to clang? ----------===//
#include "Driver/InputCheck.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;
namespace fs = llvm::sys::fs;

/// "a FIFO", "a socket", ... for a file that is not a regular file.
static StringRef kindName(fs::file_type T) {
  switch (T) {
  case fs::file_type::directory_file:
    return "a directory";
  case fs::file_type::block_file:
    return "a block device";
  case fs::file_type::character_file:
    return "a character device";
  case fs::file_type::fifo_file:
    return "a FIFO";
  case fs::file_type::socket_file:
    return "a socket";
  default:
    return "a special file";
  }
}

std::string irqlcheck::inputFileProblem(StringRef Path) {
  fs::file_status St;
  if (std::error_code EC = fs::status(Path, St, /*Follow=*/true)) {
    if (EC != std::errc::no_such_file_or_directory)
      return "cannot read: " + EC.message();
    // A symbolic link whose target is gone says so, rather than that
    // the file the user can see in a listing does not exist.
    fs::file_status Link;
    if (!fs::status(Path, Link, /*Follow=*/false) &&
        Link.type() == fs::file_type::symlink_file)
      return "is a symbolic link to a missing file";
    return "no such file";
  }
  if (St.type() == fs::file_type::directory_file)
    return "is a directory";
  if (St.type() != fs::file_type::regular_file)
    return ("is " + kindName(St.type()) + ", not a regular file").str();

  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf = MemoryBuffer::getFile(
      Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!Buf)
    return "cannot read: " + Buf.getError().message();
  StringRef Text = (*Buf)->getBuffer();
  if (Text.find_first_not_of(" \t\r\n\f\v") == StringRef::npos)
    return "is empty";
  // Windows editors may save sources as UTF-16, which clang does not read.
  if (Text.starts_with("\xFF\xFE") || Text.starts_with("\xFE\xFF"))
    return "is UTF-16 text; clang reads UTF-8 only (convert it)";
  size_t Nul = Text.find('\0');
  if (Nul != StringRef::npos)
    return "is not a text file (a NUL byte at offset " + std::to_string(Nul) +
           ")";
  return "";
}

std::string irqlcheck::checkSourceFile(StringRef Path) {
  std::string Problem = inputFileProblem(Path);
  if (Problem.empty())
    return "";
  return ("'" + Path + "': " + Problem + "; not analysed").str();
}
