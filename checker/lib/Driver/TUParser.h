//===- TUParser.h - One TU's source to facts --------------------*- C++ -*-===//
///
/// \file
/// Compiles one TU as its compile command says (plus irqlcheck's own
/// adjustments) and extracts its facts, either from scratch or on top of a
/// preamble shared with other TUs (Driver/SharedPreamble.h).
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_DRIVER_TUPARSER_H
#define IRQLCHECK_DRIVER_TUPARSER_H

#include "Facts/Facts.h"

#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <memory>
#include <string>
#include <vector>

namespace clang::tooling {
class ClangTool;
} // namespace clang::tooling

namespace irqlcheck {

class SharedPreamble;

/// How every TU of a run is compiled.
struct ParseSettings {
  const clang::tooling::CompilationDatabase *DB = nullptr;
  /// --extra-arg: appended to every command.
  std::vector<std::string> ExtraArgs;
};

struct TUResult {
  TUFacts Facts;
  std::string Errors;  ///< Compiler errors, clang-formatted.
  std::string Failure; ///< Why the TU was not analysed; empty if it was.
  bool UsedPreamble = false;
};

/// Everything irqlcheck does to a compile command before clang sees it:
/// no output files, -fsyntax-only, clang's builtin headers, the mingw DDK
/// headers for clang-cl commands, then --extra-arg.
clang::tooling::ArgumentsAdjuster commandAdjuster(const ParseSettings &S);

/// A ClangTool for \p File alone, with commandAdjuster() and a file system
/// of its own (the default one changes the process's working directory for
/// each command, which parallel TUs would race on).
std::unique_ptr<clang::tooling::ClangTool>
makeTool(const ParseSettings &S, const std::string &File);

/// Parses \p File into facts; on top of \p Preamble, in place of the file's
/// own include block of \p IncludeBlock bytes, when it is given; else from
/// scratch. The result is the same either way.
TUResult parseTU(const ParseSettings &S, const std::string &File,
                 const SharedPreamble *Preamble = nullptr,
                 unsigned IncludeBlock = 0);

/// A facts file the plugin wrote: loaded, not parsed; compiler flags do not
/// apply to it.
TUResult loadFacts(const std::string &File);

struct ParseStats {
  double Seconds = 0;         ///< Wall time of the whole parse phase.
  double PreambleSeconds = 0; ///< Building preambles, summed over threads.
  size_t Preambles = 0;       ///< Preambles built and used.
  size_t OnPreamble = 0;      ///< TUs parsed on top of one.
  /// Heap held at the end of the phase that was not before it: the facts
  /// and errors of every TU (glibc's count; 0 elsewhere).
  size_t HeldBytes = 0;
};

/// Parses (or loads) every input, \p Jobs at a time, sharing preambles
/// unless \p Share is false. Results are in input order whatever the
/// schedule; \p Done runs (serialized) as each input is finished.
std::vector<TUResult> parseAll(const ParseSettings &S,
                               const std::vector<std::string> &Inputs,
                               unsigned Jobs, bool Share,
                               llvm::function_ref<void(size_t)> Done,
                               ParseStats &Stats);

} // namespace irqlcheck

#endif
