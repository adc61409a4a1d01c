//===- Finding.h - A reported defect and its evidence ------------*- C++ -*-===//
#ifndef IRQLCHECK_REPORT_FINDING_H
#define IRQLCHECK_REPORT_FINDING_H

#include "Facts/Facts.h"

#include <string>
#include <vector>

namespace irqlcheck {

struct Note {
  Loc At;
  std::string Message;
};

/// How a finding is shown: `warning:` unless a project config says
/// otherwise (`severity:` in .irqlcheck.yaml). Notes do not fail the run.
enum class Severity { Note, Warning, Error };

struct Finding {
  std::string Rule;
  Loc At;
  std::string Message;
  std::vector<Note> Notes;
  Severity Level = Severity::Warning;
};

} // namespace irqlcheck

#endif
