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

struct Finding {
  std::string Rule;
  Loc At;
  std::string Message;
  std::vector<Note> Notes;
};

} // namespace irqlcheck

#endif
