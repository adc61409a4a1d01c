//===- RuleDocs.h - The rule pages shipped with the tool ---------*- C++ -*-===//
///
/// \file
/// docs/rules/<id>.md is copied to share/irqlcheck/docs/rules/ in the build
/// tree and installed there, so `--explain` and the SARIF rule metadata read
/// the same page wherever the tool was moved to (found relative to the
/// executable, like the contracts).
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_REPORT_RULEDOCS_H
#define IRQLCHECK_REPORT_RULEDOCS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace irqlcheck {

/// `<ShareDir>/docs/rules/<Id>.md`.
std::string rulePagePath(llvm::StringRef ShareDir, llvm::StringRef Id);

/// The page of rule \p Id, or an error naming the file that is missing.
llvm::Expected<std::string> readRulePage(llvm::StringRef ShareDir,
                                         llvm::StringRef Id);

/// The text of a page's section as plain paragraphs: \p Heading empty is
/// the introduction (between the `# title` and the first `## `), else the
/// section `## <Heading>`. Lines of a paragraph are joined into one, list
/// items keep their own lines, code blocks are kept as they are;
/// paragraphs are separated by a blank line. Empty if there is no such
/// section.
std::string pageSection(llvm::StringRef Markdown, llvm::StringRef Heading);

} // namespace irqlcheck

#endif
