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

namespace clang {
class ASTContext;
}

namespace irqlcheck {

/// \p SalMacros: what recordSalMacros() saw while the TU was preprocessed,
/// so that SAL annotations are read even where the macros expand to
/// nothing.
TUFacts extractFacts(clang::ASTContext &Ctx, const SalExpansions &SalMacros);

} // namespace irqlcheck

#endif
