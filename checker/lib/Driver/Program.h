//===- Program.h - Whole-program analysis over TU facts ----------*- C++ -*-===//
///
/// \file
/// Runs the analysis over the facts of any number of TUs together: the same
/// entry point serves the tool (many TUs) and the plugin (one TU).
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_DRIVER_PROGRAM_H
#define IRQLCHECK_DRIVER_PROGRAM_H

#include "Contracts/ContractDB.h"
#include "Facts/Facts.h"
#include "Report/Finding.h"

#include "llvm/ADT/ArrayRef.h"

#include <functional>
#include <string>
#include <vector>

namespace irqlcheck {

/// What analyseProgram did, for --stats. Seconds are wall time.
struct ProgramStats {
  double FunctionSeconds = 0; ///< Summaries and each function's dataflow.
  double ProgramSeconds = 0;  ///< Call graph, entry contexts, whole-program rules.
  size_t Functions = 0, CallEdges = 0, Locks = 0;
};

/// Which findings to keep (a project config's rule selection by file).
using FindingFilter = std::function<bool(const Finding &)>;

/// Analyses \p TUs with \p DB and the rules in \p EnabledRules; the result
/// is sorted and free of duplicates. \p Keep, if given, drops findings
/// before one rule's finding supersedes another's at the same place, so a
/// rule turned off for a file leaves the other's finding there.
std::vector<Finding> analyseProgram(const std::vector<TUFacts> &TUs,
                                    const ContractDB &DB,
                                    llvm::ArrayRef<std::string> EnabledRules,
                                    const FindingFilter &Keep = nullptr,
                                    ProgramStats *Stats = nullptr);

/// Rule selection: every rule, minus \p Disable, or only \p Enable when it
/// names a known rule. Unknown names are reported in \p Error and
/// otherwise ignored, so a typo in --enable still runs the rules (all of
/// them if it named no known one) rather than none.
std::vector<std::string> selectRules(llvm::ArrayRef<std::string> Enable,
                                     llvm::ArrayRef<std::string> Disable,
                                     std::string &Error);

} // namespace irqlcheck

#endif
