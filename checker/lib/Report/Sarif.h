//===- Sarif.h - SARIF 2.1.0 output ------------------------------*- C++ -*-===//
///
/// \file
/// Renders findings as one SARIF 2.1.0 run: rule metadata for every rule,
/// one result per finding with its notes as relatedLocations and as a
/// codeFlow (the evidence in order, ending at the finding), and
/// partialFingerprints that survive edits elsewhere in the file. The layout
/// is described in docs/output.md.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_REPORT_SARIF_H
#define IRQLCHECK_REPORT_SARIF_H

#include "Report/Finding.h"

#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>
#include <vector>

namespace irqlcheck {

class SourceCache;

/// The partialFingerprints key of irqlcheck's fingerprint. v2 hashes the
/// offending construct's text across lines (v1: the offending line's).
inline constexpr const char *FingerprintKey = "irqlcheck/v2";

/// Rule metadata for `tool.driver.rules`.
struct SarifRule {
  std::string Id;
  std::string Summary;      ///< shortDescription: the Rules.def summary.
  std::string Description;  ///< fullDescription: the page's introduction.
  std::string HelpText;     ///< help.text
  std::string HelpMarkdown; ///< help.markdown: the whole page (may be empty).
  /// Microsoft Code Analysis warnings for the same defect ("C28121"):
  /// properties.microsoftCodeAnalysis, when there are any.
  std::vector<std::string> CodeAnalysis;
};

/// Names the function a position lies in (empty if none is known).
using FunctionLocator = std::function<std::string(const Loc &)>;

struct SarifOptions {
  std::string ToolVersion;
  /// In catalogue order; a result's ruleIndex is its position here.
  std::vector<SarifRule> Rules;
  /// Absolute directory that `%SRCROOT%` stands for (the working
  /// directory): files under it get URIs relative to it, others absolute
  /// `file://` URIs.
  std::string SourceRoot;
  SourceCache *Sources = nullptr;
  FunctionLocator FunctionAt;
  /// Inputs that could not be analysed: toolExecutionNotifications, and
  /// the run's executionSuccessful is false.
  std::vector<std::string> Errors;
  /// --baseline was given: each result is `baselineState: new`, and the
  /// run's properties count the findings hidden by it and by suppressions.
  bool HasBaseline = false;
  size_t Baselined = 0;
  size_t Suppressed = 0;
};

/// The fingerprint of each finding (same order): a hash of the rule, the
/// enclosing function, the file's name, the text of the offending construct
/// (from the finding's column to the end of its statement or argument,
/// across lines) without white space or comments, and the names the
/// message quotes (callee, lock), then `:N` counting equal hashes in order.
/// Line numbers are left out, so lines inserted or removed elsewhere, and
/// reformatting the construct, do not change it.
std::vector<std::string> fingerprintFindings(const std::vector<Finding> &Findings,
                                             SourceCache &Sources,
                                             const FunctionLocator &FunctionAt);

/// Writes the SARIF log for \p Findings (already normalized) to \p OS.
void renderSarif(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
                 const SarifOptions &Options);

/// \p Path as a URI reference: unreserved characters and `/` as they are,
/// every other byte percent-encoded.
std::string uriEncode(llvm::StringRef Path);

} // namespace irqlcheck

#endif
