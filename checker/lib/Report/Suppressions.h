//===- Suppressions.h - In-source suppression of one finding -----*- C++ -*-===//
///
/// \file
/// Two ways to suppress one finding in the source, read from the file at
/// the finding's position when findings are reported (so they work for
/// facts inputs too):
///
/// - a comment `irqlcheck-suppress(RULE[, RULE...])`, optionally followed
///   by `: reason`. At the end of a line of code it covers that line; on a
///   line of its own it covers the next line.
/// - `#pragma warning(suppress: N ...)` with a Microsoft Code Analysis
///   number that maps to the rule (Rules.def); as in MSVC it covers the
///   next line.
///
/// Suppression lines directly above one another (comments of their own or
/// pragmas) all cover the line below the last; a blank line or any other
/// line in between ends them. A finding is covered when the line it is
/// reported at (its first line) is.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_REPORT_SUPPRESSIONS_H
#define IRQLCHECK_REPORT_SUPPRESSIONS_H

#include "Report/Finding.h"

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace irqlcheck {

class SourceCache;

/// The suppressions on one line of source.
struct LineSuppression {
  /// Nothing but a suppression comment or a `#pragma warning(suppress...)`:
  /// it covers the next line.
  bool Standalone = false;
  /// Rule IDs the comment names, as written (maybe unknown).
  std::vector<std::string> Rules;
  /// Columns (1-based) of each of Rules, for diagnostics.
  std::vector<unsigned> RuleColumns;
  /// Numbers the pragma suppresses.
  std::vector<unsigned> Numbers;
  /// `irqlcheck-suppress` not followed by a `(RULE, ...)` list: its column.
  unsigned MalformedAt = 0;
};

/// Parses \p Line for suppressions.
LineSuppression parseSuppressionLine(llvm::StringRef Line);

class Suppressions {
public:
  explicit Suppressions(SourceCache &Sources) : Sources(Sources) {}

  /// True if a suppression covers \p F.
  bool suppresses(const Finding &F);

  /// One error per unknown rule name or malformed suppression comment in
  /// \p File: `FILE:LINE:COL: error: ...` (the file as \p Shown names it).
  std::vector<std::string> check(llvm::StringRef File, llvm::StringRef Shown);

private:
  SourceCache &Sources;
};

} // namespace irqlcheck

#endif
