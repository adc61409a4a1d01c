//===- SalMacros.cpp - SAL annotations read from macro expansions ---------===//
#include "Facts/SalMacros.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Stmt.h"
#include "clang/AST/TypeLoc.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/MacroArgs.h"
#include "clang/Lex/MacroInfo.h"
#include "clang/Lex/PPCallbacks.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace clang;
using namespace irqlcheck;

std::optional<SalKind> irqlcheck::salKindOfMacro(llvm::StringRef Name) {
  // The names irqlcheck_sal.h redefines, so both ways of reading agree.
  return llvm::StringSwitch<std::optional<SalKind>>(Name)
      .Case("_IRQL_requires_", SK_Requires)
      .Case("__drv_requiresIRQL", SK_Requires)
      .Case("_IRQL_requires_max_", SK_RequiresMax)
      .Case("_IRQL_always_function_max_", SK_RequiresMax)
      .Case("__drv_maxIRQL", SK_RequiresMax)
      .Case("_IRQL_requires_min_", SK_RequiresMin)
      .Case("_IRQL_always_function_min_", SK_RequiresMin)
      .Case("__drv_minIRQL", SK_RequiresMin)
      .Case("_IRQL_raises_", SK_Raises)
      .Case("__drv_raisesIRQL", SK_Raises)
      .Case("_IRQL_requires_same_", SK_RequiresSame)
      .Case("_IRQL_saves_", SK_Saves)
      .Case("__drv_savesIRQL", SK_Saves)
      .Case("_IRQL_restores_", SK_Restores)
      .Case("__drv_restoresIRQL", SK_Restores)
      .Case("_IRQL_saves_global_", SK_SavesGlobal)
      .Case("__drv_savesIRQLGlobal", SK_SavesGlobal)
      .Case("_IRQL_restores_global_", SK_RestoresGlobal)
      .Case("__drv_restoresIRQLGlobal", SK_RestoresGlobal)
      .Case("_Function_class_", SK_FunctionClass)
      .Case("_Acquires_lock_", SK_AcquiresLock)
      .Case("_Acquires_exclusive_lock_", SK_AcquiresLock)
      .Case("_Releases_lock_", SK_ReleasesLock)
      .Case("_Releases_exclusive_lock_", SK_ReleasesLock)
      .Case("_Requires_lock_held_", SK_RequiresLockHeld)
      .Case("_Requires_lock_not_held_", SK_RequiresLockNotHeld)
      .Case("_Dispatch_type_", SK_DispatchType)
      .Case("_Use_decl_annotations_", SK_UseDeclAnnotations)
      .Default(std::nullopt);
}

std::optional<SalKind> irqlcheck::salKindOfAnnotation(llvm::StringRef Kind) {
  return llvm::StringSwitch<std::optional<SalKind>>(Kind)
      .Case("requires", SK_Requires)
      .Case("requires_max", SK_RequiresMax)
      .Case("requires_min", SK_RequiresMin)
      .Case("raises", SK_Raises)
      .Case("requires_same", SK_RequiresSame)
      .Case("saves", SK_Saves)
      .Case("restores", SK_Restores)
      .Case("saves_global", SK_SavesGlobal)
      .Case("restores_global", SK_RestoresGlobal)
      .Case("function_class", SK_FunctionClass)
      .Case("acquires_lock", SK_AcquiresLock)
      .Case("releases_lock", SK_ReleasesLock)
      .Case("requires_lock_held", SK_RequiresLockHeld)
      .Case("requires_lock_not_held", SK_RequiresLockNotHeld)
      .Case("dispatch_type", SK_DispatchType)
      .Default(std::nullopt);
}

bool irqlcheck::salTakesIrql(SalKind K) {
  return K == SK_Requires || K == SK_RequiresMax || K == SK_RequiresMin ||
         K == SK_Raises;
}

//===----------------------------------------------------------------------===//
// Recording
//===----------------------------------------------------------------------===//

namespace {
class SalRecorder : public PPCallbacks {
public:
  SalRecorder(Preprocessor &PP, std::shared_ptr<SalExpansions> Out)
      : PP(PP), SM(PP.getSourceManager()), Out(std::move(Out)) {}

  void MacroExpands(const Token &Name, const MacroDefinition &MD,
                    SourceRange Range, const MacroArgs *Args) override;

private:
  std::string spell(const Token *T) const;
  bool expand(llvm::ArrayRef<Token> Toks, std::vector<SalToken> &Into,
              llvm::SmallVectorImpl<const IdentifierInfo *> &Active) const;

  Preprocessor &PP;
  SourceManager &SM;
  std::shared_ptr<SalExpansions> Out;
};
} // namespace

void SalRecorder::MacroExpands(const Token &Name, const MacroDefinition &,
                               SourceRange, const MacroArgs *Args) {
  const IdentifierInfo *II = Name.getIdentifierInfo();
  if (!II)
    return;
  // This runs for every macro expansion of the TU: reject cheaply first.
  llvm::StringRef N = II->getName();
  if (N.size() < 12 || N[0] != '_')
    return;
  std::optional<SalKind> K = salKindOfMacro(N);
  if (!K)
    return;
  SourceLocation At = SM.getExpansionLoc(Name.getLocation());
  if (At.isInvalid() || SM.isInSystemHeader(At))
    return;
  SalExpansion E;
  E.Kind = *K;
  E.At = At;
  // No arguments when the macro is object-like, or when clang delays this
  // callback (it then drops them).
  if (Args) {
    for (unsigned I = 0, End = Args->getNumMacroArguments(); I < End; ++I)
      E.Args.push_back(spell(Args->getUnexpArgument(I)));
    if (salTakesIrql(*K) && Args->getNumMacroArguments() > 0) {
      const Token *First = Args->getUnexpArgument(0);
      llvm::SmallVector<const IdentifierInfo *, 4> Active;
      if (!expand(llvm::ArrayRef(First, MacroArgs::getArgLength(First)), E.Irql,
                  Active))
        E.Irql.clear();
    }
  }
  Out->push_back(std::move(E));
}

std::string SalRecorder::spell(const Token *T) const {
  // Like `#arg`: one space wherever the argument had white space.
  std::string S;
  for (; T->isNot(tok::eof); ++T) {
    if (!S.empty() && (T->hasLeadingSpace() || T->isAtStartOfLine()))
      S += ' ';
    S += PP.getSpelling(*T);
  }
  return S;
}

bool SalRecorder::expand(
    llvm::ArrayRef<Token> Toks, std::vector<SalToken> &Into,
    llvm::SmallVectorImpl<const IdentifierInfo *> &Active) const {
  // Only object-like macros, by hand: asking the preprocessor to pre-expand
  // an argument that an empty macro discards could report errors (or run
  // callbacks) that the compile itself never would.
  for (const Token &T : Toks) {
    if (Into.size() > 256)
      return false;
    const IdentifierInfo *II = T.getIdentifierInfo();
    const MacroInfo *MI = II ? PP.getMacroInfo(II) : nullptr;
    if (MI && !MI->isBuiltinMacro() && !llvm::is_contained(Active, II)) {
      if (MI->isFunctionLike() || Active.size() > 32)
        return false;
      Active.push_back(II);
      bool Ok = expand(MI->tokens(), Into, Active);
      Active.pop_back();
      if (!Ok)
        return false;
      continue;
    }
    Into.push_back({T.getKind(), PP.getSpelling(T)});
  }
  return true;
}

std::shared_ptr<SalExpansions> irqlcheck::recordSalMacros(Preprocessor &PP) {
  auto Out = std::make_shared<SalExpansions>();
  PP.addPPCallbacks(std::make_unique<SalRecorder>(PP, Out));
  return Out;
}

//===----------------------------------------------------------------------===//
// Evaluating IRQL arguments
//===----------------------------------------------------------------------===//

namespace {
/// Precedence climbing over the few operators an IRQL constant uses.
class IrqlEvaluator {
public:
  IrqlEvaluator(
      llvm::ArrayRef<SalToken> T,
      llvm::function_ref<std::optional<int64_t>(llvm::StringRef)> Ident)
      : T(T), Ident(Ident) {}

  std::optional<int64_t> run() {
    std::optional<int64_t> V = binary(0);
    if (!V || P != T.size())
      return std::nullopt;
    return V;
  }

private:
  static unsigned precedence(tok::TokenKind K) {
    switch (K) {
    case tok::star:
    case tok::slash:
    case tok::percent:
      return 6;
    case tok::plus:
    case tok::minus:
      return 5;
    case tok::lessless:
    case tok::greatergreater:
      return 4;
    case tok::amp:
      return 3;
    case tok::caret:
      return 2;
    case tok::pipe:
      return 1;
    default:
      return 0;
    }
  }
  bool at(tok::TokenKind K) const { return P < T.size() && T[P].Kind == K; }
  std::optional<int64_t> binary(unsigned MinPrec);
  std::optional<int64_t> unary();
  bool isCast() const;

  llvm::ArrayRef<SalToken> T;
  llvm::function_ref<std::optional<int64_t>(llvm::StringRef)> Ident;
  size_t P = 0;
  unsigned Depth = 0;
};
} // namespace

std::optional<int64_t> IrqlEvaluator::binary(unsigned MinPrec) {
  std::optional<int64_t> L = unary();
  while (L && P < T.size()) {
    tok::TokenKind Op = T[P].Kind;
    unsigned Prec = precedence(Op);
    if (!Prec || Prec <= MinPrec)
      break;
    ++P;
    std::optional<int64_t> R = binary(Prec);
    if (!R)
      return std::nullopt;
    int64_t A = *L, B = *R;
    switch (Op) {
    case tok::star:
      L = A * B;
      break;
    case tok::slash:
    case tok::percent:
      if (B == 0)
        return std::nullopt;
      L = Op == tok::slash ? A / B : A % B;
      break;
    case tok::plus:
      L = A + B;
      break;
    case tok::minus:
      L = A - B;
      break;
    case tok::lessless:
    case tok::greatergreater:
      if (B < 0 || B > 62)
        return std::nullopt;
      L = Op == tok::lessless ? A << B : A >> B;
      break;
    case tok::amp:
      L = A & B;
      break;
    case tok::caret:
      L = A ^ B;
      break;
    case tok::pipe:
      L = A | B;
      break;
    default:
      return std::nullopt;
    }
  }
  return L;
}

bool IrqlEvaluator::isCast() const {
  // `(KIRQL)2`, `(unsigned char)2`: type names, then an operand. A
  // parenthesized enumerator is not a cast.
  size_t I = P + 1;
  if (I >= T.size() || T[I].Kind == tok::r_paren)
    return false;
  for (; I < T.size() && T[I].Kind != tok::r_paren; ++I) {
    bool Keyword = tok::getKeywordSpelling(T[I].Kind) != nullptr;
    if (!Keyword && T[I].Kind != tok::identifier)
      return false;
    if (!Keyword && Ident(T[I].Text))
      return false;
  }
  return I + 1 < T.size();
}

std::optional<int64_t> IrqlEvaluator::unary() {
  if (P >= T.size() || ++Depth > 64)
    return std::nullopt;
  const SalToken &Tok = T[P];
  switch (Tok.Kind) {
  case tok::numeric_constant: {
    ++P;
    llvm::StringRef S = llvm::StringRef(Tok.Text).rtrim("uUlL");
    uint64_t V;
    if (S.getAsInteger(0, V))
      return std::nullopt;
    return int64_t(V);
  }
  case tok::identifier:
    ++P;
    return Ident(Tok.Text);
  case tok::minus:
  case tok::plus:
  case tok::tilde:
  case tok::exclaim: {
    ++P;
    std::optional<int64_t> V = unary();
    if (!V)
      return std::nullopt;
    if (Tok.Kind == tok::minus)
      return -*V;
    if (Tok.Kind == tok::tilde)
      return ~*V;
    if (Tok.Kind == tok::exclaim)
      return int64_t(*V == 0);
    return V;
  }
  case tok::l_paren: {
    if (isCast()) {
      while (!at(tok::r_paren))
        ++P;
      ++P;
      return unary();
    }
    ++P;
    std::optional<int64_t> V = binary(0);
    if (!V || !at(tok::r_paren))
      return std::nullopt;
    ++P;
    return V;
  }
  default:
    return std::nullopt;
  }
}

std::optional<int64_t> irqlcheck::evaluateSalIrql(
    llvm::ArrayRef<SalToken> Tokens,
    llvm::function_ref<std::optional<int64_t>(llvm::StringRef)> Ident) {
  if (Tokens.empty())
    return std::nullopt;
  return IrqlEvaluator(Tokens, Ident).run();
}

//===----------------------------------------------------------------------===//
// Attaching expansions to declarations
//===----------------------------------------------------------------------===//

struct SalMacroIndex::FileIndex {
  FileID FID;
  /// The expansions in this file, by offset.
  std::vector<std::pair<unsigned, const SalExpansion *>> Expansions;
  struct Span {
    unsigned Begin = 0, End = 0;
    /// Where the declaration statement ends: its `;` (after any trailing
    /// annotations) or a definition's `}`.
    unsigned StmtEnd = 0;
  };
  llvm::DenseMap<const Decl *, Span> Spans;
  std::vector<unsigned> StmtEnds; ///< Sorted.
};

/// The offset of the first \p Want (or \p OrWant) token at bracket depth 0
/// after the token at \p From and before \p Stop, lexing the file's text
/// raw.
static std::optional<unsigned> findTopLevel(const SourceManager &SM,
                                            const LangOptions &LO, FileID FID,
                                            unsigned From, unsigned Stop,
                                            tok::TokenKind Want,
                                            tok::TokenKind OrWant) {
  bool Invalid = false;
  llvm::StringRef Buf = SM.getBufferData(FID, &Invalid);
  if (Invalid || From >= Buf.size())
    return std::nullopt;
  Lexer L(SM.getLocForStartOfFile(FID), LO, Buf.begin(), Buf.begin() + From,
          Buf.end());
  Token Tok;
  L.LexFromRawLexer(Tok); // The declaration's own last token.
  int Depth = 0;
  for (unsigned N = 0; N < 4096; ++N) {
    L.LexFromRawLexer(Tok);
    if (Tok.is(tok::eof))
      return std::nullopt;
    unsigned Off = SM.getFileOffset(Tok.getLocation());
    if (Off >= Stop)
      return std::nullopt;
    switch (Tok.getKind()) {
    case tok::l_paren:
    case tok::l_square:
    case tok::l_brace:
      ++Depth;
      break;
    case tok::r_paren:
    case tok::r_square:
    case tok::r_brace:
      if (--Depth < 0)
        return std::nullopt;
      break;
    default:
      if (Depth == 0 && Tok.isOneOf(Want, OrWant))
        return Off;
    }
  }
  return std::nullopt;
}

SalMacroIndex::SalMacroIndex(ASTContext &Ctx, const SalExpansions &Expansions,
                             llvm::ArrayRef<const Decl *> TopLevel)
    : Ctx(Ctx) {
  if (Expansions.empty())
    return;
  const SourceManager &SM = Ctx.getSourceManager();
  for (const SalExpansion &E : Expansions) {
    auto [FID, Off] = SM.getDecomposedLoc(E.At);
    std::unique_ptr<FileIndex> &F = Files[FID];
    if (!F) {
      F = std::make_unique<FileIndex>();
      F->FID = FID;
    }
    F->Expansions.push_back({Off, &E});
  }
  // By offset; recording order (a pointer into one vector) breaks ties.
  for (auto &Entry : Files)
    llvm::sort(Entry.second->Expansions);

  // The top-level declarations of those files, in order.
  for (const Decl *D : TopLevel) {
    if (D->isImplicit() || D->getBeginLoc().isInvalid())
      continue;
    CharSourceRange R = SM.getExpansionRange(D->getSourceRange());
    auto [BFID, B] = SM.getDecomposedLoc(R.getBegin());
    auto It = Files.find(BFID);
    if (It == Files.end())
      continue;
    auto [EFID, E] = SM.getDecomposedLoc(R.getEnd());
    if (EFID != BFID || E < B)
      E = B;
    It->second->Spans[D] = {B, E, E};
  }
  const LangOptions &LO = Ctx.getLangOpts();
  for (auto &Entry : Files) {
    FileIndex &F = *Entry.second;
    std::vector<unsigned> Begins;
    for (auto &S : F.Spans)
      Begins.push_back(S.second.Begin);
    llvm::sort(Begins);
    for (auto &[D, S] : F.Spans) {
      const auto *FD = dyn_cast<FunctionDecl>(D);
      if (FD && FD->doesThisDeclarationHaveABody())
        continue; // Ends at its `}`.
      // Annotations after the declarator still belong to it: look for its
      // `;` (or the `,` before the next declarator of the group), but never
      // past where the next declaration begins (a declaration written by a
      // macro may bring its own `;`).
      auto Next = llvm::upper_bound(Begins, S.End);
      unsigned Stop = Next == Begins.end() ? ~0u : *Next;
      if (std::optional<unsigned> Semi =
              findTopLevel(SM, LO, F.FID, S.End, Stop, tok::semi, tok::comma))
        S.StmtEnd = *Semi;
    }
    for (auto &S : F.Spans)
      F.StmtEnds.push_back(S.second.StmtEnd);
    llvm::sort(F.StmtEnds);
  }
}

SalMacroIndex::~SalMacroIndex() = default;

std::vector<SalMacroIndex::Written>
SalMacroIndex::on(const FunctionDecl *FD) const {
  std::vector<Written> Out;
  if (Files.empty() || !FD->getLexicalDeclContext()->isTranslationUnit())
    return Out;
  const SourceManager &SM = Ctx.getSourceManager();
  FileID FID = SM.getFileID(SM.getExpansionLoc(FD->getBeginLoc()));
  auto FileIt = Files.find(FID);
  if (FileIt == Files.end())
    return Out;
  const FileIndex &F = *FileIt->second;
  auto SpanIt = F.Spans.find(FD);
  if (SpanIt == F.Spans.end())
    return Out;
  const FileIndex::Span &S = SpanIt->second;

  // The offset of \p L in this file, if it is in it.
  auto Offset = [&](SourceLocation L) -> std::optional<unsigned> {
    if (L.isInvalid())
      return std::nullopt;
    auto [LFID, Off] = SM.getDecomposedExpansionLoc(L);
    if (LFID != FID)
      return std::nullopt;
    return Off;
  };

  // After the previous declaration's end ...
  auto Prev = llvm::lower_bound(F.StmtEnds, S.Begin);
  std::optional<unsigned> After;
  if (Prev != F.StmtEnds.begin())
    After = *std::prev(Prev);
  // ... up to the body or the end of the declaration.
  unsigned Limit = S.StmtEnd;
  if (FD->doesThisDeclarationHaveABody())
    if (std::optional<unsigned> Body = Offset(FD->getBody()->getBeginLoc()))
      Limit = std::max(*Body, S.Begin);

  // Where parameter annotations are: between the parentheses of a
  // prototype, split at its top-level commas; or the parameter
  // declarations of a K&R definition, between `)` and the body.
  std::optional<unsigned> ListBegin, ListEnd;
  std::vector<std::pair<unsigned, int>> Slots; // Slot end -> parameter.
  FunctionTypeLoc FTL = FD->getFunctionTypeLoc();
  std::optional<unsigned> LParen, RParen;
  if (FTL) {
    LParen = Offset(FTL.getLParenLoc());
    RParen = Offset(FTL.getRParenLoc());
  }
  if (LParen && RParen && *LParen < *RParen) {
    const LangOptions &LO = Ctx.getLangOpts();
    const unsigned N = FD->getNumParams();
    for (unsigned I = 0; I < N; ++I) {
      const ParmVarDecl *P = FD->getParamDecl(I);
      std::optional<unsigned> End =
          Offset(SM.getExpansionRange(P->getSourceRange()).getEnd());
      if (!End)
        continue;
      if (FD->hasWrittenPrototype()) {
        std::optional<unsigned> Comma;
        if (I + 1 < N)
          Comma =
              findTopLevel(SM, LO, FID, *End, *RParen, tok::comma, tok::comma);
        End = I + 1 < N ? Comma.value_or(*End) : *RParen;
      }
      Slots.push_back({*End, int(I)});
    }
    llvm::sort(Slots);
    if (FD->hasWrittenPrototype()) {
      ListBegin = LParen;
      ListEnd = RParen;
    } else if (!Slots.empty()) {
      ListBegin = RParen;
      ListEnd = Limit;
    }
  }

  auto First =
      llvm::upper_bound(F.Expansions, After.value_or(0),
                        [](unsigned V, const auto &E) { return V < E.first; });
  if (!After)
    First = F.Expansions.begin();
  for (auto It = First; It != F.Expansions.end() && It->first <= Limit; ++It) {
    unsigned Off = It->first;
    int Param = -1;
    if (LParen && RParen && Off > *LParen && Off < *RParen &&
        !FD->hasWrittenPrototype())
      continue; // In a K&R identifier list.
    if (ListBegin && Off > *ListBegin && Off < *ListEnd) {
      auto Slot = llvm::partition_point(
          Slots, [&](const auto &E) { return E.first < Off; });
      if (Slot == Slots.end())
        continue; // In `(void)` or after the last parameter: nobody's.
      Param = Slot->second;
    }
    Out.push_back({It->second, Param});
  }
  return Out;
}
