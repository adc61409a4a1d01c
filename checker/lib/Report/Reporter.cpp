//===- Reporter.cpp - Ordering, filtering and rendering findings ----------===//
#include "Report/Reporter.h"

#include "llvm/ADT/STLExtras.h"

#include <tuple>

using namespace irqlcheck;

static bool notesLess(const std::vector<Note> &A, const std::vector<Note> &B) {
  return std::lexicographical_compare(
      A.begin(), A.end(), B.begin(), B.end(), [](const Note &X, const Note &Y) {
        return std::tie(X.At, X.Message) < std::tie(Y.At, Y.Message);
      });
}

void irqlcheck::normalizeFindings(std::vector<Finding> &Findings) {
  llvm::sort(Findings, [](const Finding &A, const Finding &B) {
    if (std::tie(A.At, A.Rule, A.Message) != std::tie(B.At, B.Rule, B.Message))
      return std::tie(A.At, A.Rule, A.Message) <
             std::tie(B.At, B.Rule, B.Message);
    return notesLess(A.Notes, B.Notes);
  });
  // The same defect seen through several TUs or entry contexts: keep the
  // first, whose notes sort first.
  Findings.erase(std::unique(Findings.begin(), Findings.end(),
                             [](const Finding &A, const Finding &B) {
                               return A.At == B.At && A.Rule == B.Rule &&
                                      A.Message == B.Message;
                             }),
                 Findings.end());
}

static void renderLoc(llvm::raw_ostream &OS, const Loc &L,
                      const std::function<std::string(const std::string &)> &Path) {
  if (L.valid())
    OS << Path(L.File) << ":" << L.Line << ":" << L.Col << ": ";
}

void irqlcheck::renderText(
    llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
    const std::function<std::string(const std::string &)> &Path) {
  for (const Finding &F : Findings) {
    renderLoc(OS, F.At, Path);
    OS << "warning: " << F.Message << " [" << F.Rule << "]\n";
    for (const Note &N : F.Notes) {
      renderLoc(OS, N.At, Path);
      OS << "note: " << N.Message << "\n";
    }
  }
}
