//===- Reporter.cpp - Ordering, filtering and rendering findings ----------===//
#include "Report/Reporter.h"
#include "Report/SourceCache.h"

#include "llvm/ADT/STLExtras.h"

#include <map>
#include <set>
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

llvm::StringRef irqlcheck::severityName(Severity S) {
  switch (S) {
  case Severity::Note:
    return "note";
  case Severity::Warning:
    return "warning";
  case Severity::Error:
    return "error";
  }
  return "warning";
}

namespace {
/// Prints one diagnostic line (and its source) with clang's colors: bold
/// location, bold magenta `warning:`, bold black `note:`, a bold warning
/// message, a bold green caret.
class LinePrinter {
public:
  LinePrinter(llvm::raw_ostream &OS, const TextOptions &Opts)
      : OS(OS), Opts(Opts) {}

  void print(const Loc &L, bool IsNote, llvm::StringRef Message,
             llvm::StringRef Rule, Severity Level = Severity::Warning) {
    if (L.valid()) {
      color(llvm::raw_ostream::SAVEDCOLOR, true);
      OS << Opts.DisplayPath(L.File) << ":" << L.Line << ":" << L.Col << ": ";
      reset();
    }
    if (IsNote) {
      color(llvm::raw_ostream::BLACK, true);
      OS << "note: ";
      reset();
      OS << Message << "\n";
    } else {
      // clang's colors: bold red errors, bold magenta warnings; a finding
      // made a note by the config is bold black like the evidence notes.
      color(Level == Severity::Error     ? llvm::raw_ostream::RED
            : Level == Severity::Warning ? llvm::raw_ostream::MAGENTA
                                         : llvm::raw_ostream::BLACK,
            true);
      OS << severityName(Level) << ": ";
      reset();
      color(llvm::raw_ostream::SAVEDCOLOR, true);
      OS << Message << " [" << Rule << "]";
      reset();
      OS << "\n";
    }
    if (Opts.ShowSource && L.valid())
      printSource(L);
  }

private:
  /// `   10 |     KeAcquireSpinLock(...);` then `      |     ^`: the
  /// number gutter is at least 4 wide, as in clang.
  void printSource(const Loc &L) {
    assert(Opts.Sources && "ShowSource needs a SourceCache");
    std::optional<llvm::StringRef> Text = Opts.Sources->line(L.File, L.Line);
    if (!Text)
      return;
    std::string Number = std::to_string(L.Line);
    size_t Width = std::max<size_t>(4, Number.size());
    OS.indent(Width - Number.size() + 1) << Number << " | "
                                         << expandTabs(*Text) << "\n";
    OS.indent(Width + 2) << "| ";
    OS.indent(displayColumn(*Text, L.Col));
    color(llvm::raw_ostream::GREEN, true);
    OS << "^";
    reset();
    OS << "\n";
  }

  void color(llvm::raw_ostream::Colors C, bool Bold) {
    if (Opts.Color)
      OS.changeColor(C, Bold);
  }
  void reset() {
    if (Opts.Color)
      OS.resetColor();
  }

  llvm::raw_ostream &OS;
  const TextOptions &Opts;
};
} // namespace

void irqlcheck::renderText(llvm::raw_ostream &OS,
                           const std::vector<Finding> &Findings,
                           const TextOptions &Options) {
  bool HadColors = OS.colors_enabled();
  OS.enable_colors(Options.Color);
  LinePrinter P(OS, Options);
  for (const Finding &F : Findings) {
    P.print(F.At, /*IsNote=*/false, F.Message, F.Rule, F.Level);
    for (const Note &N : F.Notes)
      P.print(N.At, /*IsNote=*/true, N.Message, "");
  }
  OS.enable_colors(HadColors);
}

static std::string plural(size_t N, llvm::StringRef Word) {
  return std::to_string(N) + " " + Word.str() + (N == 1 ? "" : "s");
}

std::string irqlcheck::summarize(const std::vector<Finding> &Findings) {
  if (Findings.empty())
    return "";
  std::map<std::string, size_t> PerRule;
  std::set<std::string> Files;
  for (const Finding &F : Findings) {
    ++PerRule[F.Rule];
    if (F.At.valid())
      Files.insert(F.At.File);
  }
  std::string S = plural(Findings.size(), "finding") + " in " +
                  plural(Files.size(), "file") + " (";
  bool First = true;
  for (const auto &[Rule, N] : PerRule) {
    S += (First ? "" : ", ") + Rule + ": " + std::to_string(N);
    First = false;
  }
  return S + ")";
}

std::string irqlcheck::summarize(const std::vector<Finding> &Findings,
                                 size_t Baselined, size_t Suppressed) {
  std::string Hidden;
  if (Baselined)
    Hidden = std::to_string(Baselined) + " in the baseline";
  if (Suppressed)
    Hidden += (Hidden.empty() ? "" : ", ") + std::to_string(Suppressed) +
              " suppressed in the source";
  if (Findings.empty())
    return Hidden.empty() ? "" : "no findings shown (" + Hidden + ")";
  std::string S = summarize(Findings);
  return Hidden.empty() ? S : S + "; not shown: " + Hidden;
}
