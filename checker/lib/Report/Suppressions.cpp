//===- Suppressions.cpp - In-source suppression of one finding ------------===//
#include "Report/Suppressions.h"
#include "Report/SourceCache.h"
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace irqlcheck;

static const char Marker[] = "irqlcheck-suppress";

/// Where the line's first comment starts (npos if none), skipping string
/// and character literals.
static size_t commentStart(llvm::StringRef Line) {
  char Quote = 0;
  for (size_t I = 0; I < Line.size(); ++I) {
    char C = Line[I];
    if (Quote) {
      if (C == '\\')
        ++I;
      else if (C == Quote)
        Quote = 0;
      continue;
    }
    if (C == '"' || C == '\'')
      Quote = C;
    else if (Line.substr(I).starts_with("//") ||
             Line.substr(I).starts_with("/*"))
      return I;
  }
  return llvm::StringRef::npos;
}

/// `#pragma warning(suppress: N N; disable: M)`: the suppress numbers, or
/// nullopt if the line is no such pragma.
static std::optional<std::vector<unsigned>> pragmaNumbers(llvm::StringRef L) {
  L = L.ltrim();
  if (!L.consume_front("#"))
    return std::nullopt;
  L = L.ltrim();
  if (!L.consume_front("pragma"))
    return std::nullopt;
  L = L.ltrim();
  if (!L.consume_front("warning"))
    return std::nullopt;
  L = L.ltrim();
  if (!L.consume_front("("))
    return std::nullopt;
  L = L.take_until([](char C) { return C == ')'; });
  std::optional<std::vector<unsigned>> Out;
  llvm::SmallVector<llvm::StringRef, 4> Specs;
  L.split(Specs, ';');
  for (llvm::StringRef Spec : Specs) {
    auto [Kind, List] = Spec.split(':');
    if (Kind.trim() != "suppress")
      continue;
    if (!Out)
      Out.emplace();
    llvm::SmallVector<llvm::StringRef, 4> Numbers;
    List.split(Numbers, ' ', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef N : Numbers) {
      N = N.trim(" \t,");
      unsigned V = 0;
      if (!N.getAsInteger(10, V))
        Out->push_back(V);
    }
  }
  return Out;
}

LineSuppression irqlcheck::parseSuppressionLine(llvm::StringRef Line) {
  LineSuppression S;
  if (std::optional<std::vector<unsigned>> P = pragmaNumbers(Line)) {
    S.Standalone = true;
    S.Numbers = std::move(*P);
    return S;
  }
  size_t Comment = commentStart(Line);
  if (Comment == llvm::StringRef::npos)
    return S;
  size_t At = Line.find(Marker, Comment);
  if (At == llvm::StringRef::npos)
    return S;
  S.Standalone = Line.take_front(Comment).trim().empty();
  llvm::StringRef Rest = Line.substr(At + sizeof(Marker) - 1);
  size_t Open = Rest.find_first_not_of(" \t");
  size_t Close = Rest.find(')');
  if (Open == llvm::StringRef::npos || Rest[Open] != '(' ||
      Close == llvm::StringRef::npos) {
    S.MalformedAt = At + 1;
    return S;
  }
  size_t Base = At + sizeof(Marker) - 1;
  size_t Pos = Open + 1;
  while (Pos <= Close) {
    size_t End = Rest.find_first_of(",)", Pos);
    llvm::StringRef Name = Rest.slice(Pos, End);
    size_t Lead = Name.size() - Name.ltrim().size();
    Name = Name.trim();
    if (!Name.empty()) {
      S.Rules.push_back(Name.str());
      S.RuleColumns.push_back(Base + Pos + Lead + 1);
    }
    Pos = End + 1;
  }
  if (S.Rules.empty())
    S.MalformedAt = At + 1;
  return S;
}

static bool covers(const LineSuppression &S, llvm::StringRef Rule) {
  if (llvm::is_contained(S.Rules, Rule))
    return true;
  for (unsigned N : S.Numbers)
    if (llvm::is_contained(rulesForCodeAnalysis(N), Rule))
      return true;
  return false;
}

bool Suppressions::suppresses(const Finding &F) {
  if (!F.At.valid())
    return false;
  std::optional<llvm::StringRef> Line = Sources.line(F.At.File, F.At.Line);
  if (!Line)
    return false;
  LineSuppression Own = parseSuppressionLine(*Line);
  if (!Own.Standalone && covers(Own, F.Rule))
    return true;
  for (unsigned L = F.At.Line - 1; L >= 1; --L) {
    std::optional<llvm::StringRef> Above = Sources.line(F.At.File, L);
    if (!Above)
      return false;
    LineSuppression S = parseSuppressionLine(*Above);
    if (!S.Standalone)
      return false;
    if (covers(S, F.Rule))
      return true;
  }
  return false;
}

std::vector<std::string> Suppressions::check(llvm::StringRef File,
                                             llvm::StringRef Shown) {
  std::vector<std::string> Out;
  for (unsigned L = 1;; ++L) {
    std::optional<llvm::StringRef> Line = Sources.line(File, L);
    if (!Line)
      break;
    if (!Line->contains(Marker))
      continue;
    LineSuppression S = parseSuppressionLine(*Line);
    std::string Where = (Shown + ":" + llvm::Twine(L) + ":").str();
    if (S.MalformedAt)
      Out.push_back(Where + std::to_string(S.MalformedAt) +
                    ": error: expected a rule list after '" + Marker +
                    "', as in " + Marker + "(spinlock-leak): reason");
    for (size_t I = 0; I < S.Rules.size(); ++I)
      if (!isKnownRule(S.Rules[I]))
        Out.push_back(Where + std::to_string(S.RuleColumns[I]) +
                      ": error: unknown rule '" + S.Rules[I] + "' in " +
                      Marker + " (see --list-rules)");
  }
  return Out;
}
