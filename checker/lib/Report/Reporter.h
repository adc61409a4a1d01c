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
#include <vector>

namespace irqlcheck {

/// Sorts and removes duplicates.
void normalizeFindings(std::vector<Finding> &Findings);

/// Renders clang-style text: `path:line:col: warning: message [rule]`, then
/// one `note:` line per piece of evidence.
void renderText(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
                const std::function<std::string(const std::string &)> &Path);

} // namespace irqlcheck

#endif
