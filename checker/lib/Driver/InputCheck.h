//===- InputCheck.h - Is a source file worth handing to clang? --*- C++ -*-===//
///
/// \file
/// Checks a source file before it is parsed, so that an input clang would
/// silently take as nothing (an empty file), choke on with an unhelpful
/// message (a binary or UTF-16 file), or block on forever (a FIFO) is
/// reported with the file and the reason instead.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_DRIVER_INPUTCHECK_H
#define IRQLCHECK_DRIVER_INPUTCHECK_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace irqlcheck {

/// Why \p Path cannot be read as a text input ("no such file", "is
/// empty", "is not a text file (a NUL byte at offset 12)", ...), or "" when
/// it is a readable regular file with more than white space in it. Opens
/// only regular files, so a FIFO or a device never blocks the caller.
std::string inputFileProblem(llvm::StringRef Path);

/// The same as an error for a source file, naming it: "'x.c': is empty;
/// not analysed"; "" when there is nothing wrong.
std::string checkSourceFile(llvm::StringRef Path);

} // namespace irqlcheck

#endif
