//===- Extractor.h - From a clang AST to plain facts -------------*- C++ -*-===//
///
/// \file
/// Turns every function defined outside system headers into a FunctionFact:
/// its clang::CFG reduced to the events the analysis needs. Knows nothing of
/// contracts or rules: what a call does is decided later, from the data.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_FACTS_EXTRACTOR_H
#define IRQLCHECK_FACTS_EXTRACTOR_H

#include "Facts/Facts.h"
#include "Facts/SalMacros.h"

#include "clang/Basic/SourceLocation.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace clang {
class ASTContext;
class Preprocessor;
} // namespace clang

namespace irqlcheck {

/// What the preprocessor sees and the AST does not keep.
struct PreprocessorFacts {
  /// Every expansion of PAGED_CODE, in order. It expands to nothing in
  /// free builds (the mingw-w64 and WDK headers alike), leaving no
  /// statement behind, so only the preprocessor can tell it was there.
  std::vector<clang::SourceLocation> PagedCode;
  /// `#pragma alloc_text(SECTION, f, ...)`: each function named, with the
  /// pragma. clang keeps the section on the definition, not the place.
  std::vector<std::pair<std::string, clang::SourceLocation>> AllocText;
  /// `#pragma bss_seg("NAME")` (NAME empty: back to the default), in
  /// order. clang applies it to no declaration: C's `int g;` is only a
  /// tentative definition when the pragma is seen.
  std::vector<std::pair<std::string, clang::SourceLocation>> BssSeg;
  /// The start of each inclusion of a header that is not a system header,
  /// in order.
  std::vector<clang::SourceLocation> UserHeaders;
  /// Set when the TU was parsed on a shared preamble: the top-level
  /// declarations of these UserHeaders (the preamble's) are then looked up
  /// by file, so that the system headers' thousands of declarations are
  /// never read from the preamble.
  bool HeadersInPreamble = false;
};

/// Records into \p Out while \p PP preprocesses the TU: call it before
/// parsing starts (in CreateASTConsumer).
void watchPreprocessor(clang::Preprocessor &PP,
                       std::shared_ptr<PreprocessorFacts> Out);

/// \p SalMacros: what recordSalMacros() saw while the TU was preprocessed,
/// so that SAL annotations are read even where the macros expand to
/// nothing; \p PP: what watchPreprocessor() saw.
TUFacts extractFacts(clang::ASTContext &Ctx, const SalExpansions &SalMacros,
                     const PreprocessorFacts &PP);

} // namespace irqlcheck

#endif
