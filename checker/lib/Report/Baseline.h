//===- Baseline.h - Hiding the findings of an earlier SARIF log --*- C++ -*-===//
///
/// \file
/// `--baseline OLD.sarif`: the findings an earlier run reported are not
/// reported again. They are recognised by their fingerprints
/// (partialFingerprints["irqlcheck/v2"], see Sarif.h), which leave out line
/// numbers and layout, so moving or reformatting old code does not bring
/// its findings back. The fingerprints are a multiset: a baseline with two
/// identical findings hides at most two.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_REPORT_BASELINE_H
#define IRQLCHECK_REPORT_BASELINE_H

#include "Report/Finding.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace irqlcheck {

class Baseline {
public:
  /// Reads the SARIF log \p Path. An error (naming the file) if it cannot
  /// be read, is not a SARIF log, has no irqlcheck run, or holds the
  /// fingerprints of another fingerprint version.
  static llvm::Expected<Baseline> load(llvm::StringRef Path);
  /// The same for a log already in memory; \p Name names it in errors.
  static llvm::Expected<Baseline> parse(llvm::StringRef Text,
                                        llvm::StringRef Name);

  /// Removes from \p Findings the ones the baseline holds, given their
  /// fingerprints \p Prints (same order); each baseline entry hides one
  /// finding, the first in output order. Returns how many were removed.
  size_t filter(std::vector<Finding> &Findings,
                const std::vector<std::string> &Prints) const;

  size_t size() const { return Entries; }

private:
  /// Fingerprint hash (without its `:N`) to how many findings had it.
  llvm::StringMap<unsigned> Counts;
  size_t Entries = 0;
};

} // namespace irqlcheck

#endif
