//===- Reporter.h - Ordering, filtering and rendering findings ---*- C++ -*-===//
///
/// \file
/// The only place findings are ordered and printed: sorted by position, then
/// rule, then message, duplicates (a header function analysed in several
/// TUs) removed, so the output never depends on parse order or threads.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_REPORT_REPORTER_H
#define IRQLCHECK_REPORT_REPORTER_H

#include "Report/Finding.h"

#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>
#include <vector>

namespace irqlcheck {

class SourceCache;

/// `note`, `warning` or `error`: the text output's word and SARIF's level.
llvm::StringRef severityName(Severity S);

/// Sorts and removes duplicates.
void normalizeFindings(std::vector<Finding> &Findings);

/// How renderText() prints.
struct TextOptions {
  /// How a file name is shown (e.g. relative to the working directory).
  std::function<std::string(const std::string &)> DisplayPath;
  /// ANSI colors, as clang uses them.
  bool Color = false;
  /// Under each finding and note, the source line and a caret under the
  /// column, as clang prints them; needs \c Sources.
  bool ShowSource = true;
  SourceCache *Sources = nullptr;
};

/// Renders clang-style text: `path:line:col: warning: message [rule]`, then
/// one `note:` line per piece of evidence, each followed by its source line
/// and caret when asked.
void renderText(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
                const TextOptions &Options);

/// One line that sums \p Findings up, e.g. `3 findings in 2 files
/// (irql-too-low: 2, spinlock-leak: 1)`: rules in alphabetical order, files
/// counted by the findings' own positions. Empty when there are none.
std::string summarize(const std::vector<Finding> &Findings);

/// The same, followed by what was not shown: `...; not shown: 2 in the
/// baseline, 1 suppressed in the source`, or `no findings shown (2 in the
/// baseline)` when nothing was. Empty when there is nothing at all.
std::string summarize(const std::vector<Finding> &Findings, size_t Baselined,
                      size_t Suppressed);

} // namespace irqlcheck

#endif
