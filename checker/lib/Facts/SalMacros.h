//===- SalMacros.h - SAL annotations from macro expansions ------*- C++ -*-===//
///
/// \file
/// Real WDK headers define the SAL macros (`_IRQL_requires_max_`,
/// `_Acquires_lock_`, ...) as nothing under clang, so the AST never sees
/// them. The preprocessor does: a PPCallbacks records every expansion of a
/// SAL macro in the driver's own files, and SalMacroIndex later hands each
/// function declaration the expansions written on it, by position. With
/// irqlcheck's own header the same annotations also arrive as `annotate`
/// attributes; the extractor merges both.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_FACTS_SALMACROS_H
#define IRQLCHECK_FACTS_SALMACROS_H

#include "clang/Basic/SourceLocation.h"
#include "clang/Basic/TokenKinds.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/FunctionExtras.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clang {
class ASTContext;
class Decl;
class FunctionDecl;
class Preprocessor;
} // namespace clang

namespace irqlcheck {

/// What a SAL annotation says, whichever spelling it had (`__drv_maxIRQL`
/// and `_IRQL_requires_max_` are both SK_RequiresMax).
enum SalKind {
  SK_Requires,
  SK_RequiresMax,
  SK_RequiresMin,
  SK_Raises,
  SK_RequiresSame,
  SK_Saves,    ///< On a parameter (on the function: its return value).
  SK_Restores, ///< On a parameter.
  SK_SavesGlobal,
  SK_RestoresGlobal,
  SK_FunctionClass,
  SK_AcquiresLock,
  SK_ReleasesLock,
  SK_RequiresLockHeld,
  SK_RequiresLockNotHeld,
  SK_DispatchType,
  SK_UseDeclAnnotations,
};

/// The kind of a SAL macro name, if it is one irqlcheck reads.
std::optional<SalKind> salKindOfMacro(llvm::StringRef MacroName);
/// The kind of an `annotate("irqlcheck", KIND, ...)` attribute, whose KIND
/// strings irqlcheck_sal.h defines.
std::optional<SalKind> salKindOfAnnotation(llvm::StringRef Kind);
/// Kinds whose first argument is an IRQL.
bool salTakesIrql(SalKind K);

/// One token of an IRQL argument after object-like macros were expanded.
struct SalToken {
  clang::tok::TokenKind Kind = clang::tok::unknown;
  std::string Text;
};

/// One expansion of a SAL macro in a non-system file.
struct SalExpansion {
  SalKind Kind = SK_Requires;
  /// The macro name's file location (its outermost expansion, so a SAL
  /// macro inside the driver's own macro is placed where that one is used).
  clang::SourceLocation At;
  /// Each argument as written, with whitespace normalized as `#` would.
  std::vector<std::string> Args;
  /// For IRQL kinds: the first argument with object-like macros expanded
  /// (PASSIVE_LEVEL -> 0); empty when it could not be expanded.
  std::vector<SalToken> Irql;
};

using SalExpansions = std::vector<SalExpansion>;

/// Installs on \p PP a recorder of SAL macro expansions, which fills the
/// returned list while the TU is preprocessed. Call before parsing starts
/// (from CreateASTConsumer); read the list in HandleTranslationUnit.
std::shared_ptr<SalExpansions> recordSalMacros(clang::Preprocessor &PP);

/// Evaluates an IRQL argument: integer literals, parentheses, casts,
/// arithmetic; identifiers left after macro expansion go to \p Ident
/// (enumerators).
std::optional<int64_t> evaluateSalIrql(
    llvm::ArrayRef<SalToken> Tokens,
    llvm::function_ref<std::optional<int64_t>(llvm::StringRef)> Ident);

/// Which recorded expansions are written on which function declaration.
///
/// An annotation belongs to a top-level function declaration when it lies
/// after the end (the `;` or `}`) of the previous top-level declaration in
/// the same file and before the function's body or the end of its
/// declaration. Inside the parameter list it belongs to the parameter it
/// precedes (or follows, before the next comma).
class SalMacroIndex {
public:
  /// \p TopLevel: the TU's top-level declarations, in order (at least
  /// those of the files with expansions).
  SalMacroIndex(clang::ASTContext &Ctx, const SalExpansions &Expansions,
                llvm::ArrayRef<const clang::Decl *> TopLevel);
  ~SalMacroIndex();

  struct Written {
    const SalExpansion *Expansion;
    int Param; ///< The parameter it annotates; -1 for the function.
  };
  /// The annotations written on \p FD itself (not its redeclarations), in
  /// source order.
  std::vector<Written> on(const clang::FunctionDecl *FD) const;

private:
  struct FileIndex;
  clang::ASTContext &Ctx;
  /// By FileID; iterated only through lookups, so the order is irrelevant.
  llvm::DenseMap<clang::FileID, std::unique_ptr<FileIndex>> Files;
};

} // namespace irqlcheck

#endif
