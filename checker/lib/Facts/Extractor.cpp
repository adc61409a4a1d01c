//===- Extractor.cpp - From a clang AST to plain facts --------------------===//
#include "Facts/Extractor.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExternalASTSource.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/PPCallbacks.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

using namespace clang;
using namespace irqlcheck;

namespace {

/// Keeps what PreprocessorFacts lists. Only live code reaches these
/// callbacks: an expansion or pragma in a skipped `#if` block is not seen.
class PreprocessorWatch : public PPCallbacks {
public:
  PreprocessorWatch(Preprocessor &PP, std::shared_ptr<PreprocessorFacts> Out)
      : SM(PP.getSourceManager()), LangOpts(PP.getLangOpts()),
        PagedCode(PP.getIdentifierInfo("PAGED_CODE")), Out(std::move(Out)) {}

  void MacroExpands(const Token &Name, const MacroDefinition &, SourceRange,
                    const MacroArgs *) override {
    // Also inside another macro (a driver's own prologue macro): the file
    // position is where that macro is used.
    if (Name.getIdentifierInfo() == PagedCode)
      Out->PagedCode.push_back(SM.getExpansionLoc(Name.getLocation()));
  }

  void FileChanged(SourceLocation Loc, FileChangeReason Reason,
                   SrcMgr::CharacteristicKind Kind, FileID) override {
    if (Reason == EnterFile && Kind == SrcMgr::C_User && Loc.isFileID() &&
        SM.getFileID(Loc) != SM.getMainFileID())
      Out->UserHeaders.push_back(Loc);
  }

  void PragmaDirective(SourceLocation Loc,
                       PragmaIntroducerKind Kind) override {
    // The pragma's handler has not read its tokens yet: lex the line raw.
    // `__pragma`/`_Pragma` have no line of their own; their functions are
    // then shown at the definition.
    if (Kind != PIK_HashPragma || !Loc.isFileID())
      return;
    auto [FID, Offset] = SM.getDecomposedLoc(Loc);
    bool Invalid = false;
    llvm::StringRef Buf = SM.getBufferData(FID, &Invalid);
    if (Invalid)
      return;
    Lexer L(SM.getLocForStartOfFile(FID), LangOpts, Buf.begin(),
            Buf.begin() + Offset, Buf.end());
    llvm::SmallVector<Token, 16> Toks;
    for (;;) {
      Token T;
      L.LexFromRawLexer(T);
      if (T.is(tok::eof) || (!Toks.empty() && T.isAtStartOfLine()))
        break;
      Toks.push_back(T);
    }
    // # pragma alloc_text ( SECTION , f , g )
    auto Ident = [&](size_t I, llvm::StringRef Want = {}) {
      return I < Toks.size() && Toks[I].is(tok::raw_identifier) &&
             (Want.empty() || Toks[I].getRawIdentifier() == Want);
    };
    if (Ident(1, "pragma") && Ident(2, "bss_seg")) {
      std::string Name;
      for (size_t I = 3; I < Toks.size(); ++I)
        if (Toks[I].is(tok::string_literal)) {
          Name = llvm::StringRef(Toks[I].getLiteralData(), Toks[I].getLength())
                     .trim('"')
                     .str();
          break;
        }
      Out->BssSeg.push_back({Name, Loc});
      return;
    }
    if (!Ident(1, "pragma") || !Ident(2, "alloc_text") || Toks.size() < 5 ||
        !Toks[3].is(tok::l_paren))
      return;
    for (size_t I = 5; I + 1 < Toks.size() && Toks[I].is(tok::comma); I += 2)
      if (Ident(I + 1))
        Out->AllocText.push_back({Toks[I + 1].getRawIdentifier().str(), Loc});
  }

private:
  SourceManager &SM;
  const LangOptions &LangOpts;
  const IdentifierInfo *PagedCode;
  std::shared_ptr<PreprocessorFacts> Out;
};

/// One SAL annotation written on one declaration, from an `annotate`
/// attribute or a macro expansion.
struct SalItem {
  SalKind Kind = SK_Requires;
  int Param = -1;              ///< The parameter annotated; -1: the function.
  std::string Text, Text2;     ///< The arguments (not for IRQL kinds).
  std::optional<int64_t> Irql; ///< IRQL kinds: the argument's value.
  SourceLocation At;           ///< File location of the annotation.
};

class FunctionExtractor {
public:
  FunctionExtractor(ASTContext &Ctx, const std::string &MainFile,
                    const SalMacroIndex &SalMacros, const PreprocessorFacts &PP)
      : Ctx(Ctx), SM(Ctx.getSourceManager()), MainFile(MainFile),
        SalMacros(SalMacros), PP(PP) {}

  Loc loc(SourceLocation L) const;
  std::string functionKey(const FunctionDecl *FD) const;
  Annotations annotations(const FunctionDecl *FD, Loc &At) const;
  /// The code section \p FD is placed in (Section), how (By) and where.
  void section(const FunctionDecl *FD, std::string &Section, std::string &By,
               Loc &At) const;
  std::vector<std::pair<std::string, Loc>>
  declaredAs(const FunctionDecl *FD) const;
  FunctionFact extract(const FunctionDecl *FD);

private:
  std::string objectPath(const Expr *E) const;
  std::string pointeePath(const Expr *E) const;
  std::string fieldKey(const Expr *E) const;
  std::string text(const Expr *E) const;
  std::string localName(const VarDecl *VD) const;
  std::vector<SalItem> salItems(const FunctionDecl *R) const;
  std::string lockPath(llvm::StringRef Text, const FunctionDecl *R) const;
  ArgFact arg(const Expr *E) const;
  void addCall(const CallExpr *CE, BlockFact &B);
  void addStmt(const Stmt *S, BlockFact &B);
  void setResult(const Expr *Rhs, const std::string &Path);
  bool memoryAccess(const Expr *E, std::string &Path, std::string &Base) const;
  std::string baseOf(const Expr *E) const;
  void addAccess(const Expr *E, bool Write, BlockFact &B);
  void addCopy(QualType ToType, const std::string &ToPath, const Expr *From,
               SourceLocation At, BlockFact &B);
  std::string localPath(const Expr *E, bool &Exact) const;
  bool constantValue(const Expr *E, int64_t &Out) const;
  void addAssign(const Expr *Lhs, const Expr *Value, SourceLocation At,
                 BlockFact &B);
  void collectConstantRoots(const Stmt *S);
  static const FunctionDecl *referencedFunction(const Expr *E);
  /// The macros whose expansion \p L is in, outermost first.
  std::vector<std::string> macrosAt(SourceLocation L) const;
  void linearize(const Stmt *S, BlockFact &B);

  ASTContext &Ctx;
  SourceManager &SM;
  const std::string &MainFile;
  const SalMacroIndex &SalMacros;
  const PreprocessorFacts &PP;
  const FunctionDecl *Current = nullptr;
  mutable llvm::StringMap<std::string> Absolute;
  std::string absolute(llvm::StringRef Name) const;
  /// Where each call's event is, so an assignment of its result can find it.
  llvm::DenseMap<const CallExpr *, std::pair<BlockFact *, unsigned>> CallPos;
  /// The local variables given a constant somewhere in the function: only
  /// their assignments can matter (any other variable is never known).
  llvm::StringSet<> ConstantRoots;
};

} // namespace

void irqlcheck::watchPreprocessor(Preprocessor &PP,
                                  std::shared_ptr<PreprocessorFacts> Out) {
  PP.addPPCallbacks(std::make_unique<PreprocessorWatch>(PP, std::move(Out)));
}

/// Paths are made absolute against the TU's working directory (a compile
/// database entry's `directory`), so that every TU names a file alike and
/// the tool can print it relative to where the user runs it.
static std::string absolutePath(FileManager &FM, llvm::StringRef Name) {
  llvm::SmallString<256> Path(Name);
  // The VFS knows the TU's directory; the process's cwd may differ.
  if (FM.getVirtualFileSystem().makeAbsolute(Path))
    FM.makeAbsolutePath(Path);
  llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  return std::string(Path);
}

std::string FunctionExtractor::absolute(llvm::StringRef Name) const {
  auto It = Absolute.find(Name);
  if (It != Absolute.end())
    return It->second;
  return Absolute[Name] = absolutePath(SM.getFileManager(), Name);
}

Loc FunctionExtractor::loc(SourceLocation L) const {
  Loc Out;
  if (L.isInvalid())
    return Out;
  SourceLocation F = SM.getFileLoc(L);
  PresumedLoc P = SM.getPresumedLoc(F);
  if (P.isInvalid())
    return Out;
  Out.File = absolute(P.getFilename());
  Out.Line = P.getLine();
  Out.Col = P.getColumn();
  Out.Raw = F.getRawEncoding();
  return Out;
}

std::string FunctionExtractor::functionKey(const FunctionDecl *FD) const {
  // Internal-linkage functions of different TUs are different functions.
  if (!FD->isExternallyVisible())
    return MainFile + "::" + FD->getNameAsString();
  return FD->getNameAsString();
}

std::string FunctionExtractor::localName(const VarDecl *VD) const {
  return VD->getNameAsString() + "@" +
         std::to_string(SM.getSpellingLineNumber(VD->getLocation()));
}

/// The name a struct type is known by in object paths: its tag, or the
/// typedef of an anonymous struct.
static std::string recordName(const RecordDecl *RD) {
  std::string Name = RD->getName().str();
  if (Name.empty())
    if (const TypedefNameDecl *TD = RD->getTypedefNameForAnonDecl())
      Name = TD->getName().str();
  return Name;
}

std::string FunctionExtractor::objectPath(const Expr *E) const {
  E = E->IgnoreParenImpCasts();
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
    if (!VD)
      return {};
    if (const auto *PVD = dyn_cast<ParmVarDecl>(VD))
      return "$" + std::to_string(PVD->getFunctionScopeIndex());
    if (VD->isStaticLocal())
      return Current->getNameAsString() + "::" + VD->getNameAsString();
    if (VD->hasGlobalStorage())
      return VD->isExternallyVisible()
                 ? VD->getNameAsString()
                 : MainFile + "::" + VD->getNameAsString();
    return localName(VD);
  }
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!FD)
      return {};
    std::string Base;
    if (ME->isArrow()) {
      // The lock's identity is the declaration it lives in: a field of any
      // object of that struct type, whatever pointer reaches it.
      QualType PT = ME->getBase()->getType()->getPointeeType();
      const RecordDecl *RD = PT.isNull() ? nullptr : PT->getAsRecordDecl();
      if (!RD)
        return {};
      Base = recordName(RD);
      if (Base.empty())
        return {};
      Base += "::";
    } else {
      Base = objectPath(ME->getBase());
      if (Base.empty())
        return {};
      if (!llvm::StringRef(Base).ends_with("::"))
        Base += ".";
    }
    if (FD->getName().empty()) // anonymous struct or union member
      return Base;
    return Base + FD->getName().str();
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_Deref)
      return pointeePath(UO->getSubExpr());
  if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E)) {
    const Expr *Base = AS->getBase()->IgnoreParenImpCasts();
    std::string B = Base->getType()->isArrayType() ? objectPath(Base)
                                                   : pointeePath(Base);
    if (B.empty())
      return {};
    Expr::EvalResult R;
    if (AS->getIdx()->EvaluateAsInt(R, Ctx))
      return B + "[" + std::to_string(R.Val.getInt().getExtValue()) + "]";
    return B + "[*]";
  }
  return {};
}

std::string FunctionExtractor::pointeePath(const Expr *E) const {
  E = E->IgnoreParenCasts();
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_AddrOf)
      return objectPath(UO->getSubExpr());
  if (E->getType()->isArrayType()) {
    std::string P = objectPath(E);
    return P.empty() ? P : P + "[0]";
  }
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
      if (!isa<ParmVarDecl>(VD) && VD->hasLocalStorage() && VD->getInit() &&
          VD->getInit()->getType()->isPointerType()) {
        // `PKSPIN_LOCK lock = &ext->Lock;`: the lock is what the
        // initializer points to.
        std::string P = pointeePath(VD->getInit());
        if (!P.empty())
          return P;
      }
  std::string P = objectPath(E);
  return P.empty() ? P : "*" + P;
}

std::string FunctionExtractor::fieldKey(const Expr *E) const {
  E = E->IgnoreParenImpCasts();
  if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E))
    return fieldKey(AS->getBase());
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    if (const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl())) {
      std::string R = recordName(FD->getParent());
      if (!R.empty())
        return R + "::" + FD->getName().str();
    }
  return objectPath(E);
}

std::string FunctionExtractor::text(const Expr *E) const {
  // The text as written, when it is one contiguous piece of a file (not a
  // driver macro's body, whose only file text is the macro's name).
  CharSourceRange R = Lexer::makeFileCharRange(
      CharSourceRange::getTokenRange(E->getSourceRange()), SM,
      Ctx.getLangOpts());
  std::string T;
  if (R.isValid())
    T = Lexer::getSourceText(R, SM, Ctx.getLangOpts()).str();
  if (T.empty() || T.size() > 120) {
    llvm::raw_string_ostream OS(T);
    T.clear();
    E->printPretty(OS, nullptr, Ctx.getPrintingPolicy());
  }
  llvm::StringRef S = llvm::StringRef(T).trim();
  // `&ext->Lock` names the lock `ext->Lock`; `&(ext->Lock)` too.
  if (S.consume_front("&")) {
    S = S.trim();
    if (S.starts_with("(") && S.ends_with(")"))
      S = S.drop_front().drop_back().trim();
  }
  return S.str();
}

const FunctionDecl *FunctionExtractor::referencedFunction(const Expr *E) {
  if (!E)
    return nullptr;
  E = E->IgnoreParenCasts();
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_AddrOf)
      E = UO->getSubExpr()->IgnoreParenCasts();
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<FunctionDecl>(DRE->getDecl());
  return nullptr;
}

ArgFact FunctionExtractor::arg(const Expr *E) const {
  ArgFact A;
  if (const FunctionDecl *FD = referencedFunction(E)) {
    A.Function = functionKey(FD);
    A.Text = FD->getNameAsString();
    return A;
  }
  if (E->getType()->isPointerType()) {
    A.Pointee = pointeePath(E);
    const Expr *P = E->IgnoreParenCasts();
    const auto *UO = dyn_cast<UnaryOperator>(P);
    if (UO && UO->getOpcode() == UO_AddrOf)
      A.Base = baseOf(UO->getSubExpr());
    else if (P->getType()->isArrayType())
      A.Base = baseOf(P);
    else
      A.Base = objectPath(P);
  }
  const Expr *Inner = E->IgnoreParenImpCasts();
  if (Inner->isLValue())
    A.Value = objectPath(Inner);
  // Integers, and null pointers (a NULL timeout is an infinite wait).
  A.HasConst = constantValue(E, A.Const);
  A.Text = text(E);
  return A;
}

std::vector<std::string> FunctionExtractor::macrosAt(SourceLocation L) const {
  std::vector<std::string> Inner;
  while (L.isMacroID()) {
    if (SM.isMacroArgExpansion(L)) {
      L = SM.getImmediateSpellingLoc(L);
      continue;
    }
    Inner.push_back(
        Lexer::getImmediateMacroName(L, SM, Ctx.getLangOpts()).str());
    L = SM.getImmediateExpansionRange(L).getBegin();
  }
  return {Inner.rbegin(), Inner.rend()};
}

void FunctionExtractor::addCall(const CallExpr *CE, BlockFact &B) {
  Event Ev;
  Ev.Kind = Event::EK_Call;
  CallFact &C = Ev.call();
  if (const FunctionDecl *FD = CE->getDirectCallee()) {
    C.Callee = functionKey(FD);
    C.Spelled = FD->getNameAsString();
  } else if (const Expr *Fn = CE->getCallee()) {
    const Expr *Ptr = Fn->IgnoreParenCasts();
    if (const auto *UO = dyn_cast<UnaryOperator>(Ptr))
      if (UO->getOpcode() == UO_Deref)
        Ptr = UO->getSubExpr()->IgnoreParenCasts();
    C.Through = objectPath(Ptr);
    C.Spelled = text(Ptr);
  }
  // The user wrote KeAcquireSpinLock, the AST calls
  // KeAcquireSpinLockRaiseToDpc.
  C.Macros = macrosAt(CE->getBeginLoc());
  C.At = loc(CE->getBeginLoc());
  for (const Expr *A : CE->arguments())
    C.Args.push_back(arg(A));
  CallPos[CE] = {&B, unsigned(B.Events.size())};
  B.Events.push_back(std::move(Ev));
}

void FunctionExtractor::setResult(const Expr *Rhs, const std::string &Path) {
  if (!Rhs || Path.empty())
    return;
  const auto *CE = dyn_cast<CallExpr>(Rhs->IgnoreParenCasts());
  if (!CE)
    return;
  auto It = CallPos.find(CE);
  if (It != CallPos.end())
    It->second.first->Events[It->second.second].call().ResultTo = Path;
}

/// The local variable storage \p E designates, named as objectPath()
/// does (`t@12`, `s@3.Timeout`, `a@5[2]`); empty if \p E is not in a
/// local variable (only those: their values cannot change behind the
/// function's back except through the calls it makes). Through a pointer
/// known to point into a local (`*(ULONG64 *)&t`, a pointer local
/// initialised with `&t`) the extent written is unknown: \p Exact is
/// cleared and the variable itself is named.
std::string FunctionExtractor::localPath(const Expr *E, bool &Exact) const {
  E = E->IgnoreParenImpCasts();
  auto ThroughPointer = [&](const Expr *Ptr) -> std::string {
    std::string P = pointeePath(Ptr);
    llvm::StringRef Root = llvm::StringRef(P).take_until(
        [](char C) { return C == '.' || C == '['; });
    if (P.empty() || P[0] == '*' || !Root.contains('@'))
      return {};
    Exact = false;
    return Root.str();
  };
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
    if (!VD || isa<ParmVarDecl>(VD) || !VD->hasLocalStorage())
      return {};
    return localName(VD);
  }
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!FD)
      return {};
    std::string Base = ME->isArrow() ? ThroughPointer(ME->getBase())
                                     : localPath(ME->getBase(), Exact);
    if (Base.empty() || !Exact || FD->getName().empty())
      return Base;
    // A member as large as its union is the whole union: `t.QuadPart = 0`
    // zeroes the LARGE_INTEGER a wait is then given as `&t`.
    const RecordDecl *RD = FD->getParent();
    if (RD->isUnion() && !RD->isInvalidDecl() && !FD->isBitField() &&
        !FD->getType()->isIncompleteType() &&
        Ctx.getTypeSize(FD->getType()) ==
            Ctx.getTypeSize(Ctx.getRecordType(RD)))
      return Base;
    return Base + "." + FD->getName().str();
  }
  if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E)) {
    const Expr *Base = AS->getBase()->IgnoreParenImpCasts();
    if (!Base->getType()->isArrayType())
      return ThroughPointer(Base);
    std::string B = localPath(Base, Exact);
    if (B.empty() || !Exact)
      return B;
    Expr::EvalResult R;
    if (AS->getIdx()->EvaluateAsInt(R, Ctx))
      if (std::optional<int64_t> I = R.Val.getInt().tryExtValue())
        return B + "[" + std::to_string(*I) + "]";
    return B + "[*]";
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_Deref)
      return ThroughPointer(UO->getSubExpr());
  return {};
}

/// The value \p E gives the whole object it initializes or is assigned to,
/// when it is a constant: an integer, a null pointer, an initializer list
/// of zeros (`{0}`), or a union's list that sets a member as large as the
/// union (`{.QuadPart = -10000}`).
bool FunctionExtractor::constantValue(const Expr *E, int64_t &Out) const {
  if (!E || E->isValueDependent())
    return false;
  E = E->IgnoreParens();
  // `(LARGE_INTEGER){0}`, read as an rvalue of its own type.
  if (const auto *CL = dyn_cast<CompoundLiteralExpr>(E->IgnoreParenImpCasts()))
    if (Ctx.hasSameUnqualifiedType(CL->getType(), E->getType()))
      return constantValue(CL->getInitializer(), Out);
  if (isa<ImplicitValueInitExpr>(E)) {
    Out = 0;
    return true;
  }
  if (const auto *IL = dyn_cast<InitListExpr>(E)) {
    if (IL->isSyntacticForm() && IL->getSemanticForm())
      IL = IL->getSemanticForm();
    const RecordDecl *RD = IL->getType()->getAsRecordDecl();
    if (RD && RD->isUnion() && !RD->isInvalidDecl() && IL->getNumInits() == 1)
      if (const FieldDecl *FD = IL->getInitializedFieldInUnion())
        if (!FD->isBitField() && !FD->getType()->isIncompleteType() &&
            Ctx.getTypeSize(FD->getType()) == Ctx.getTypeSize(IL->getType()))
          return constantValue(IL->getInit(0), Out);
    for (const Expr *I : IL->inits()) {
      int64_t V;
      if (!constantValue(I, V) || V != 0)
        return false;
    }
    if (IL->hasArrayFiller()) {
      int64_t V;
      if (!constantValue(IL->getArrayFiller(), V) || V != 0)
        return false;
    }
    Out = 0;
    return true;
  }
  if (E->getType()->isPointerType() &&
      E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull)) {
    Out = 0;
    return true;
  }
  Expr::EvalResult R;
  if (!E->getType()->isIntegralOrEnumerationType() ||
      !E->EvaluateAsInt(R, Ctx))
    return false;
  std::optional<int64_t> V = R.Val.getInt().tryExtValue();
  if (!V)
    return false;
  Out = *V;
  return true;
}

/// Records that \p Lhs now holds \p Value (null: a value not known, as
/// for `+=` or `++`), if \p Lhs is local storage.
/// Storage of type \p T can be given a known value (constantValue()).
static bool mayHoldConstant(QualType T) {
  return T->isIntegralOrEnumerationType() || T->isRecordType() ||
         T->isArrayType();
}

static llvm::StringRef rootOf(llvm::StringRef Path) {
  return Path.take_until([](char C) { return C == '.' || C == '['; });
}

void FunctionExtractor::collectConstantRoots(const Stmt *S) {
  if (!S)
    return;
  for (const Stmt *Child : S->children())
    collectConstantRoots(Child);
  int64_t V;
  if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
    bool Exact = true;
    if (BO->getOpcode() == BO_Assign && constantValue(BO->getRHS(), V)) {
      std::string P = localPath(BO->getLHS(), Exact);
      if (!P.empty() && Exact)
        ConstantRoots.insert(rootOf(P));
    }
  } else if (const auto *DS = dyn_cast<DeclStmt>(S)) {
    for (const Decl *D : DS->decls())
      if (const auto *VD = dyn_cast<VarDecl>(D))
        if (VD->hasLocalStorage() && constantValue(VD->getInit(), V))
          ConstantRoots.insert(localName(VD));
  }
}

/// The pointer storage dereferenced to reach lvalue \p E (`ext` for
/// `ext->Isr.Count`, `T::LogState` for `ext->LogState->Count`); empty when
/// \p E is a variable or part of one.
std::string FunctionExtractor::baseOf(const Expr *E) const {
  E = E->IgnoreParens();
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    return ME->isArrow() ? objectPath(ME->getBase()) : baseOf(ME->getBase());
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_Deref)
      return objectPath(UO->getSubExpr());
  if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E)) {
    const Expr *Base = AS->getBase()->IgnoreParenImpCasts();
    return Base->getType()->isArrayType() ? baseOf(Base) : objectPath(Base);
  }
  return {};
}

/// Whether lvalue \p E is memory the function does not own (a global, or
/// storage reached through a pointer), with its path and base.
bool FunctionExtractor::memoryAccess(const Expr *E, std::string &Path,
                                     std::string &Base) const {
  E = E->IgnoreParens();
  const Expr *Root = E;
  for (;;) {
    if (const auto *ME = dyn_cast<MemberExpr>(Root)) {
      if (ME->isArrow())
        break;
      Root = ME->getBase()->IgnoreParens();
    } else if (const auto *AS = dyn_cast<ArraySubscriptExpr>(Root)) {
      const Expr *B = AS->getBase()->IgnoreParenImpCasts();
      if (!B->getType()->isArrayType())
        break;
      Root = B;
    } else {
      break;
    }
  }
  if (const auto *DRE = dyn_cast<DeclRefExpr>(Root)) {
    const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
    if (!VD || !VD->hasGlobalStorage())
      return false;
  } else if (!isa<MemberExpr, ArraySubscriptExpr>(Root) &&
             !(isa<UnaryOperator>(Root) &&
               cast<UnaryOperator>(Root)->getOpcode() == UO_Deref)) {
    return false;
  }
  Path = objectPath(E);
  Base = baseOf(E);
  return !Path.empty() || !Base.empty();
}

void FunctionExtractor::addAccess(const Expr *E, bool Write, BlockFact &B) {
  Event Ev;
  Ev.Kind = Event::EK_Access;
  if (!memoryAccess(E, Ev.access().Path, Ev.access().Base))
    return;
  Ev.access().Write = Write;
  Ev.access().Text = text(E);
  Ev.At = loc(E->getBeginLoc());
  B.Events.push_back(std::move(Ev));
}

void FunctionExtractor::addCopy(QualType ToType, const std::string &ToPath,
                                const Expr *From, SourceLocation At,
                                BlockFact &B) {
  if (!From || ToPath.empty() || !ToType->isPointerType())
    return;
  const Expr *F = From->IgnoreParenCasts();
  if (!F->isLValue())
    return;
  Event Ev;
  Ev.Kind = Event::EK_Copy;
  Ev.copy().From = objectPath(F);
  if (Ev.copy().From.empty() || Ev.copy().From == ToPath)
    return; // UNREFERENCED_PARAMETER(p) is `(p) = (p)`.
  Ev.copy().To = ToPath;
  Ev.At = loc(At);
  B.Events.push_back(std::move(Ev));
}

void FunctionExtractor::addAssign(const Expr *Lhs, const Expr *Value,
                                  SourceLocation At, BlockFact &B) {
  // A whole variable that can never be known (a pointer: `irp = ...`, by
  // far the most common assignment) needs no event; a part of a variable
  // does, since it changes the whole.
  if (isa<DeclRefExpr>(Lhs->IgnoreParenImpCasts()) &&
      !mayHoldConstant(Lhs->getType()))
    return;
  bool Exact = true;
  Event Ev;
  Ev.Kind = Event::EK_Assign;
  Ev.assign().Target = localPath(Lhs, Exact);
  if (Ev.assign().Target.empty() ||
      !ConstantRoots.count(rootOf(Ev.assign().Target)))
    return;
  if (Exact)
    Ev.assign().HasConst = constantValue(Value, Ev.assign().Const);
  else
    Ev.assign().Target += "[*]"; // Some part of the variable, unknown.
  Ev.At = loc(At);
  B.Events.push_back(std::move(Ev));
}

void FunctionExtractor::addStmt(const Stmt *S, BlockFact &B) {
  if (const auto *CE = dyn_cast<CallExpr>(S)) {
    addCall(CE, B);
    return;
  }
  if (const auto *RS = dyn_cast<ReturnStmt>(S)) {
    Event Ev;
    Ev.Kind = Event::EK_Return;
    Ev.At = loc(RS->getBeginLoc());
    B.Events.push_back(std::move(Ev));
    return;
  }
  if (const auto *ICE = dyn_cast<ImplicitCastExpr>(S)) {
    if (ICE->getCastKind() == CK_LValueToRValue)
      addAccess(ICE->getSubExpr(), false, B);
    return;
  }
  if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
    if (!BO->isAssignmentOp())
      return;
    addAccess(BO->getLHS(), true, B);
    if (BO->getOpcode() == BO_Assign)
      addCopy(BO->getLHS()->getType(), objectPath(BO->getLHS()),
              BO->getRHS(), BO->getBeginLoc(), B);
    if (const FunctionDecl *FD = referencedFunction(BO->getRHS())) {
      Event Ev;
      Ev.Kind = Event::EK_Store;
      Ev.store().Target = fieldKey(BO->getLHS());
      Ev.store().Path = objectPath(BO->getLHS());
      Ev.store().Text = text(BO->getLHS());
      std::vector<std::string> Macros = macrosAt(BO->getBeginLoc());
      if (!Macros.empty())
        Ev.store().Macro = Macros.front();
      Ev.store().Function = functionKey(FD);
      Ev.store().At = loc(BO->getBeginLoc());
      B.Events.push_back(std::move(Ev));
      return;
    }
    setResult(BO->getRHS(), objectPath(BO->getLHS()));
    addAssign(BO->getLHS(),
              BO->getOpcode() == BO_Assign ? BO->getRHS() : nullptr,
              BO->getBeginLoc(), B);
    return;
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(S)) {
    if (UO->isIncrementDecrementOp()) {
      addAccess(UO->getSubExpr(), true, B);
      addAssign(UO->getSubExpr(), nullptr, UO->getBeginLoc(), B);
    }
    return;
  }
  if (const auto *DS = dyn_cast<DeclStmt>(S))
    for (const Decl *D : DS->decls())
      if (const auto *VD = dyn_cast<VarDecl>(D)) {
        if (!VD->hasLocalStorage())
          continue;
        // `PKDEFERRED_ROUTINE Routine = MyDpc;` is a store like any other.
        if (const FunctionDecl *FD = referencedFunction(VD->getInit())) {
          Event Ev;
          Ev.Kind = Event::EK_Store;
          Ev.store().Target = Ev.store().Path = localName(VD);
          Ev.store().Text = VD->getNameAsString();
          Ev.store().Function = functionKey(FD);
          Ev.store().At = loc(VD->getBeginLoc());
          B.Events.push_back(std::move(Ev));
          continue;
        }
        setResult(VD->getInit(), localName(VD));
        addCopy(VD->getType(), localName(VD), VD->getInit(),
                VD->getBeginLoc(), B);
        // An initializer is an assignment. (A variable declared without
        // one is never known: not even in a loop, whose head joins the
        // path from before the declaration.)
        if (!VD->getInit() || !mayHoldConstant(VD->getType()) ||
            !ConstantRoots.count(localName(VD)))
          continue;
        Event Ev;
        Ev.Kind = Event::EK_Assign;
        Ev.assign().Target = localName(VD);
        Ev.assign().HasConst = constantValue(VD->getInit(), Ev.assign().Const);
        Ev.At = loc(VD->getBeginLoc());
        B.Events.push_back(std::move(Ev));
      }
}

void FunctionExtractor::linearize(const Stmt *S, BlockFact &B) {
  if (!S)
    return;
  // Children first: the order in which C evaluates them.
  for (const Stmt *Child : S->children())
    linearize(Child, B);
  addStmt(S, B);
}

/// The IRQLs for which `KeGetCurrentIrql() Op Value` can be true
/// (WantTrue) or false.
static IrqlSet levelsSatisfying(BinaryOperatorKind Op, int64_t V,
                                bool WantTrue) {
  static const int64_t Lo[] = {0, 1, 2, 3, 15}, Hi[] = {0, 1, 2, 14, 31};
  IrqlSet Out = 0;
  for (unsigned I = 0; I < 5; ++I)
    for (int64_t X = Lo[I]; X <= Hi[I]; ++X) {
      bool R;
      switch (Op) {
      case BO_EQ: R = X == V; break;
      case BO_NE: R = X != V; break;
      case BO_LT: R = X < V; break;
      case BO_LE: R = X <= V; break;
      case BO_GT: R = X > V; break;
      case BO_GE: R = X >= V; break;
      default: return IL_All;
      }
      if (R == WantTrue) {
        Out |= IrqlSet(1u << I);
        break;
      }
    }
  return Out;
}

static bool isCurrentIrqlCall(const Expr *E) {
  const auto *CE = dyn_cast<CallExpr>(E->IgnoreParenCasts());
  const FunctionDecl *FD = CE ? CE->getDirectCallee() : nullptr;
  return FD && FD->getName() == "KeGetCurrentIrql";
}

static BinaryOperatorKind swapped(BinaryOperatorKind Op) {
  switch (Op) {
  case BO_LT: return BO_GT;
  case BO_GT: return BO_LT;
  case BO_LE: return BO_GE;
  case BO_GE: return BO_LE;
  default: return Op;
  }
}

FunctionFact FunctionExtractor::extract(const FunctionDecl *FD) {
  Current = FD;
  CallPos.clear();
  ConstantRoots.clear();
  collectConstantRoots(FD->getBody());
  FunctionFact F;
  F.Key = functionKey(FD);
  F.Name = FD->getNameAsString();
  F.At = loc(FD->getLocation());
  for (const ParmVarDecl *P : FD->parameters())
    F.Params.push_back(P->getNameAsString());
  F.DeclaredAs = declaredAs(FD);
  F.Sal = annotations(FD, F.SalAt);
  section(FD, F.Section, F.SectionBy, F.SectionAt);
  F.HasBody = true;
  Loc End = loc(FD->getBody()->getEndLoc());
  SourceLocation BodyBegin = SM.getExpansionLoc(FD->getBody()->getBeginLoc());
  SourceLocation BodyEnd = SM.getExpansionLoc(FD->getBody()->getEndLoc());
  for (SourceLocation L : PP.PagedCode)
    if (!SM.isBeforeInTranslationUnit(L, BodyBegin) &&
        SM.isBeforeInTranslationUnit(L, BodyEnd)) {
      F.PagedCodeAt = loc(L);
      break;
    }

  CFG::BuildOptions Opts;
  // Every expression is an element, once, in evaluation order: memory
  // accesses are the lvalue-to-rvalue conversions and assignments in it.
  Opts.setAllAlwaysAdd();
  std::unique_ptr<CFG> G =
      CFG::buildCFG(FD, FD->getBody(), &Ctx, Opts);
  if (!G) {
    // clang builds no CFG for __try/__finally: keep the events in source
    // order so calls are still checked, and say so in the facts.
    F.Linearized = true;
    F.Blocks.resize(1);
    linearize(FD->getBody(), F.Blocks[0]);
    Event Ret;
    Ret.Kind = Event::EK_Return;
    Ret.At = End;
    F.Blocks[0].Events.push_back(Ret);
    return F;
  }

  // One more block than the CFG: where falling off the end returns. Made
  // up front: the events below keep pointers into F.Blocks.
  const unsigned FallOff = G->getNumBlockIDs();
  F.Blocks.resize(FallOff + 1);
  Event FallOffReturn;
  FallOffReturn.Kind = Event::EK_Return;
  FallOffReturn.At = End;
  F.Blocks[FallOff].Events.push_back(FallOffReturn);
  F.EntryBlock = G->getEntry().getBlockID();
  const CFGBlock &Exit = G->getExit();
  // Visit in reverse post order so that a call's event exists before the
  // assignment of its result is seen.
  std::vector<const CFGBlock *> Order(G->begin(), G->end());
  llvm::sort(Order, [](const CFGBlock *A, const CFGBlock *B) {
    return A->getBlockID() > B->getBlockID();
  });
  for (const CFGBlock *CB : Order) {
    BlockFact &B = F.Blocks[CB->getBlockID()];
    for (const CFGElement &E : *CB)
      if (auto S = E.getAs<CFGStmt>())
        addStmt(S->getStmt(), B);

    // Falling off the end of the function: the edge goes to one synthetic
    // block that returns at the closing brace (branch edges keep their
    // conditions, so a try-acquire's success path is seen returning).
    bool EndsInReturn =
        !B.Events.empty() && B.Events.back().Kind == Event::EK_Return;
    if (CB->hasNoReturnElement())
      continue; // The path ends here (KeBugCheckEx).

    // Branches on KeGetCurrentIrql() restrict the IRQL along each edge;
    // branches on a call's result let try-acquires take effect on one side.
    IrqlSet TrueSet = IL_All, FalseSet = IL_All;
    bool TwoWay = CB->succ_size() == 2;
    if (const Expr *Cond = TwoWay ? dyn_cast_or_null<Expr>(
                                        CB->getTerminatorCondition())
                                  : nullptr) {
      Cond = Cond->IgnoreParenImpCasts();
      // The block that ends an `if (a && b)` evaluated b.
      while (const auto *BO = dyn_cast<BinaryOperator>(Cond)) {
        if (!BO->isLogicalOp())
          break;
        Cond = BO->getRHS()->IgnoreParenImpCasts();
      }
      bool Negated = false;
      for (;;) {
        if (const auto *UO = dyn_cast<UnaryOperator>(Cond)) {
          if (UO->getOpcode() != UO_LNot)
            break;
          Negated = !Negated;
          Cond = UO->getSubExpr()->IgnoreParenImpCasts();
          continue;
        }
        // `f(...) == TRUE`, `f(...) != FALSE`, `f(...) == FALSE`.
        const auto *BO = dyn_cast<BinaryOperator>(Cond);
        Expr::EvalResult R;
        if (BO && BO->isEqualityOp() &&
            isa<CallExpr>(BO->getLHS()->IgnoreParenImpCasts()) &&
            !isCurrentIrqlCall(BO->getLHS()) &&
            BO->getRHS()->EvaluateAsInt(R, Ctx)) {
          bool IsTrue = R.Val.getInt() != 0;
          if ((BO->getOpcode() == BO_EQ) != IsTrue)
            Negated = !Negated;
          Cond = BO->getLHS()->IgnoreParenImpCasts();
          continue;
        }
        break;
      }
      if (const auto *BO = dyn_cast<BinaryOperator>(Cond)) {
        Expr::EvalResult R;
        if (BO->isComparisonOp()) {
          if (isCurrentIrqlCall(BO->getLHS()) &&
              BO->getRHS()->EvaluateAsInt(R, Ctx)) {
            TrueSet = levelsSatisfying(BO->getOpcode(),
                                       R.Val.getInt().getExtValue(), true);
            FalseSet = levelsSatisfying(BO->getOpcode(),
                                        R.Val.getInt().getExtValue(), false);
          } else if (isCurrentIrqlCall(BO->getRHS()) &&
                     BO->getLHS()->EvaluateAsInt(R, Ctx)) {
            auto Op = swapped(BO->getOpcode());
            TrueSet = levelsSatisfying(Op, R.Val.getInt().getExtValue(), true);
            FalseSet =
                levelsSatisfying(Op, R.Val.getInt().getExtValue(), false);
          }
          if (Negated)
            std::swap(TrueSet, FalseSet);
        }
      } else if (const auto *CE = dyn_cast<CallExpr>(Cond)) {
        auto It = CallPos.find(CE);
        if (It != CallPos.end()) {
          CallFact &C = It->second.first->Events[It->second.second].call();
          C.IsBranchCondition = true;
          C.BranchNegated = Negated;
        }
      }
    }
    // switch (KeGetCurrentIrql()) { case DISPATCH_LEVEL: ... }
    const auto *Switch = dyn_cast_or_null<SwitchStmt>(CB->getTerminatorStmt());
    bool IrqlSwitch = Switch && isCurrentIrqlCall(Switch->getCond());
    unsigned Idx = 0;
    for (const CFGBlock::AdjacentBlock &Succ : CB->succs()) {
      ++Idx;
      const CFGBlock *SB = Succ.getReachableBlock();
      if (!SB)
        continue;
      Edge E;
      E.To = SB->getBlockID();
      if (SB == &Exit && !EndsInReturn)
        E.To = FallOff;
      if (TwoWay && !IrqlSwitch) {
        E.Branch = Idx == 1 ? 1 : 2;
        E.Filter = Idx == 1 ? TrueSet : FalseSet;
      }
      if (IrqlSwitch)
        if (const auto *Case = dyn_cast_or_null<CaseStmt>(SB->getLabel())) {
          Expr::EvalResult R;
          if (!Case->caseStmtIsGNURange() &&
              Case->getLHS()->EvaluateAsInt(R, Ctx))
            E.Filter = levelFromValue(R.Val.getInt().getExtValue());
        }
      B.Succs.push_back(E);
    }
  }
  return F;
}

std::vector<std::pair<std::string, Loc>>
FunctionExtractor::declaredAs(const FunctionDecl *FD) const {
  std::vector<std::pair<std::string, Loc>> Out;
  for (const FunctionDecl *R : FD->redecls()) {
    // Only a declaration that spells the typedef counts (clang gives later
    // redeclarations the same type), and the note should point at it.
    const TypeSourceInfo *TSI = R->getTypeSourceInfo();
    if (!TSI)
      continue;
    if (auto TL = TSI->getTypeLoc().getAsAdjusted<TypedefTypeLoc>()) {
      std::string Name = TL.getTypedefNameDecl()->getName().str();
      bool Seen = false;
      for (auto &P : Out)
        Seen |= P.first == Name;
      if (!Seen)
        Out.push_back({Name, loc(R->getLocation())});
    }
  }
  // Deterministic whatever the redeclaration chain's order: by position.
  llvm::sort(Out, [](const auto &A, const auto &B) { return A.second < B.second; });
  return Out;
}

void FunctionExtractor::section(const FunctionDecl *FD, std::string &Section,
                                std::string &By, Loc &At) const {
  // The latest declaration carries every attribute of the earlier ones.
  const FunctionDecl *Latest = FD->getMostRecentDecl();
  // clang places a function with both in the code_seg.
  if (const auto *CS = Latest->getAttr<CodeSegAttr>()) {
    Section = CS->getName().str();
    By = "__declspec(code_seg)";
    At = loc(CS->getLocation());
  } else if (const auto *SA = Latest->getAttr<SectionAttr>()) {
    Section = SA->getName().str();
    if (!SA->isImplicit()) {
      By = "__attribute__((section))";
      At = loc(SA->getLocation());
    } else if (SA->getLocation().isValid()) {
      By = "#pragma code_seg"; // the pragma in effect at the definition
      At = loc(SA->getLocation());
    } else {
      By = "#pragma alloc_text";
      // clang applies the last one before the definition.
      for (const auto &[Name, L] : PP.AllocText)
        if (Name == FD->getNameAsString() &&
            SM.isBeforeInTranslationUnit(L, FD->getLocation()))
          At = loc(L);
    }
  }
  if (!Section.empty() && !At.valid())
    At = loc(FD->getLocation());
}

static std::string annotationString(const Expr *E) {
  if (const auto *SL = dyn_cast<StringLiteral>(E->IgnoreParenImpCasts()))
    return SL->getString().str();
  return {};
}

std::vector<SalItem> FunctionExtractor::salItems(const FunctionDecl *R) const {
  std::vector<SalItem> Items;
  // Attributes written here only: a redeclaration inherits its predecessors'
  // attributes, but the macros are read where written, and both must agree
  // on which declaration carries what.
  auto FromAttr = [&](const AnnotateAttr *AA, int Param) {
    if (AA->isInherited() || AA->getAnnotation() != "irqlcheck" ||
        AA->args_size() < 1)
      return;
    std::optional<SalKind> K =
        salKindOfAnnotation(annotationString(AA->args_begin()[0]));
    if (!K)
      return;
    SalItem I;
    I.Kind = *K;
    I.Param = Param;
    I.At = SM.getExpansionLoc(AA->getLocation());
    Expr::EvalResult V;
    if (salTakesIrql(*K)) {
      const Expr *E = AA->args_size() > 1 ? AA->args_begin()[1] : nullptr;
      if (E && !E->isValueDependent() && E->EvaluateAsInt(V, Ctx))
        I.Irql = V.Val.getInt().getExtValue();
    } else {
      if (AA->args_size() > 1)
        I.Text = annotationString(AA->args_begin()[1]);
      if (AA->args_size() > 2)
        I.Text2 = annotationString(AA->args_begin()[2]);
    }
    Items.push_back(std::move(I));
  };
  for (const auto *AA : R->specific_attrs<AnnotateAttr>())
    FromAttr(AA, -1);
  // By position: K&R parameter declarations may come in another order.
  for (unsigned I = 0; I < R->getNumParams(); ++I)
    for (const auto *AA : R->getParamDecl(I)->specific_attrs<AnnotateAttr>())
      FromAttr(AA, int(I));

  // IRQL names left after macro expansion may be enumerators.
  auto Enumerator = [&](llvm::StringRef Name) -> std::optional<int64_t> {
    auto It = Ctx.Idents.find(Name);
    if (It == Ctx.Idents.end())
      return std::nullopt;
    for (const NamedDecl *ND : Ctx.getTranslationUnitDecl()->lookup(It->second))
      if (const auto *EC = dyn_cast<EnumConstantDecl>(ND))
        return EC->getInitVal().getExtValue();
    return std::nullopt;
  };
  const size_t FromAttrs = Items.size();
  for (const SalMacroIndex::Written &W : SalMacros.on(R)) {
    const SalExpansion &E = *W.Expansion;
    SalItem I;
    I.Kind = E.Kind;
    I.Param = W.Param;
    I.At = E.At;
    if (salTakesIrql(E.Kind)) {
      I.Irql = evaluateSalIrql(E.Irql, Enumerator);
    } else {
      if (E.Args.size() > 0)
        I.Text = E.Args[0];
      if (E.Args.size() > 1)
        I.Text2 = E.Args[1];
    }
    // With irqlcheck's header the same annotation also came as an attribute
    // at the same place: keep one (the attribute, which clang evaluated).
    bool Merged = false;
    for (size_t J = 0; J < FromAttrs && !Merged; ++J) {
      SalItem &A = Items[J];
      if (A.At == I.At && A.Kind == I.Kind && A.Param == I.Param &&
          (A.Text == I.Text || A.Text.empty() || I.Text.empty())) {
        if (!A.Irql)
          A.Irql = I.Irql;
        Merged = true;
      }
    }
    if (!Merged)
      Items.push_back(std::move(I));
  }
  // Source order, whatever order clang keeps attributes in; ties keep the
  // order found.
  std::vector<size_t> Order(Items.size());
  for (size_t J = 0; J < Order.size(); ++J)
    Order[J] = J;
  llvm::sort(Order, [&](size_t X, size_t Y) {
    SourceLocation A = Items[X].At, B = Items[Y].At;
    if (A != B) {
      if (A.isInvalid() || B.isInvalid())
        return B.isInvalid();
      if (SM.isBeforeInTranslationUnit(A, B))
        return true;
      if (SM.isBeforeInTranslationUnit(B, A))
        return false;
    }
    return X < Y;
  });
  std::vector<SalItem> Sorted;
  for (size_t J : Order)
    Sorted.push_back(std::move(Items[J]));
  return Sorted;
}

namespace {
/// Parses a SAL lock expression (`*Lock`, `Ext->Lock`, `(*Ext).Lock`,
/// `g_Dev.Lock`) against a declaration's parameters and the TU's globals,
/// naming storage the way FunctionExtractor::objectPath does.
class LockPathParser {
public:
  LockPathParser(ASTContext &Ctx, const FunctionDecl *R,
                 const std::string &MainFile)
      : Ctx(Ctx), R(R), MainFile(MainFile) {}

  std::string parse(llvm::StringRef Text) {
    if (!tokenize(Text))
      return {};
    std::optional<Value> V = unary();
    if (!V || P != Toks.size())
      return {};
    return V->Path;
  }

private:
  struct Value {
    std::string Path;
    QualType Type;
  };

  bool tokenize(llvm::StringRef S) {
    while (!S.empty()) {
      char C = S.front();
      if (llvm::isSpace(C)) {
        S = S.drop_front();
      } else if (llvm::isAlpha(C) || C == '_') {
        size_t N =
            S.find_if_not([](char X) { return llvm::isAlnum(X) || X == '_'; });
        Toks.push_back(S.take_front(N).str());
        S = S.drop_front(std::min(N, S.size()));
      } else if (S.starts_with("->")) {
        Toks.push_back("->");
        S = S.drop_front(2);
      } else if (llvm::StringRef("*.()").contains(C)) {
        Toks.push_back(std::string(1, C));
        S = S.drop_front();
      } else {
        return false;
      }
      if (Toks.size() > 64)
        return false;
    }
    return !Toks.empty();
  }

  bool accept(llvm::StringRef T) {
    if (P < Toks.size() && Toks[P] == T) {
      ++P;
      return true;
    }
    return false;
  }

  std::optional<std::string> identifier() {
    if (P < Toks.size() && (llvm::isAlpha(Toks[P][0]) || Toks[P][0] == '_'))
      return Toks[P++];
    return std::nullopt;
  }

  std::optional<Value> unary() {
    if (++Depth > 32)
      return std::nullopt;
    if (!accept("*"))
      return postfix();
    std::optional<Value> V = unary();
    if (!V)
      return std::nullopt;
    // As pointeePath: what a pointer points to, an array's first element.
    if (const ArrayType *AT = Ctx.getAsArrayType(V->Type))
      return Value{V->Path + "[0]", AT->getElementType()};
    QualType Pointee = V->Type->getPointeeType();
    if (Pointee.isNull())
      return std::nullopt;
    return Value{"*" + V->Path, Pointee};
  }

  std::optional<Value> postfix() {
    std::optional<Value> V = primary();
    while (V) {
      bool Arrow = accept("->");
      if (!Arrow && !accept("."))
        break;
      std::optional<std::string> Name = identifier();
      if (!Name)
        return std::nullopt;
      QualType RecordType = Arrow ? V->Type->getPointeeType() : V->Type;
      const RecordDecl *RD =
          RecordType.isNull() ? nullptr : RecordType->getAsRecordDecl();
      std::optional<QualType> FieldType = RD ? field(RD, *Name) : std::nullopt;
      if (!FieldType)
        return std::nullopt;
      if (Arrow) {
        // A field of any object of that struct type (objectPath's rule).
        std::string Tag = recordName(RD);
        if (Tag.empty())
          return std::nullopt;
        V = Value{Tag + "::" + *Name, *FieldType};
      } else {
        bool AfterTag = llvm::StringRef(V->Path).ends_with("::");
        V = Value{V->Path + (AfterTag ? "" : ".") + *Name, *FieldType};
      }
    }
    return V;
  }

  std::optional<Value> primary() {
    if (accept("(")) {
      std::optional<Value> V = unary();
      if (!V || !accept(")"))
        return std::nullopt;
      return V;
    }
    std::optional<std::string> Name = identifier();
    if (!Name)
      return std::nullopt;
    for (const ParmVarDecl *PV : R->parameters())
      if (PV->getName() == *Name)
        return Value{"$" + std::to_string(PV->getFunctionScopeIndex()),
                     PV->getType()};
    auto It = Ctx.Idents.find(*Name);
    if (It == Ctx.Idents.end())
      return std::nullopt;
    for (const NamedDecl *ND : Ctx.getTranslationUnitDecl()->lookup(It->second))
      if (const auto *VD = dyn_cast<VarDecl>(ND))
        if (VD->hasGlobalStorage())
          return Value{VD->isExternallyVisible() ? *Name
                                                 : MainFile + "::" + *Name,
                       VD->getType()};
    return std::nullopt;
  }

  /// The type of field \p Name of \p RD, looking into anonymous members.
  std::optional<QualType> field(const RecordDecl *RD, llvm::StringRef Name) {
    RD = RD->getDefinition();
    if (!RD || ++Depth > 32)
      return std::nullopt;
    for (const FieldDecl *FD : RD->fields()) {
      if (FD->getName() == Name)
        return FD->getType();
      if (FD->isAnonymousStructOrUnion())
        if (const RecordDecl *Inner = FD->getType()->getAsRecordDecl())
          if (std::optional<QualType> T = field(Inner, Name))
            return T;
    }
    return std::nullopt;
  }

  ASTContext &Ctx;
  const FunctionDecl *R;
  const std::string &MainFile;
  std::vector<std::string> Toks;
  size_t P = 0;
  unsigned Depth = 0;
};
} // namespace

std::string FunctionExtractor::lockPath(llvm::StringRef Text,
                                        const FunctionDecl *R) const {
  return LockPathParser(Ctx, R, MainFile).parse(Text);
}

/// The index of \p R's parameter called \p Name, or -1.
static int paramNamed(const FunctionDecl *R, llvm::StringRef Name) {
  for (const ParmVarDecl *P : R->parameters())
    if (!Name.empty() && P->getName() == Name)
      return int(P->getFunctionScopeIndex());
  return -1;
}

static void addLock(std::vector<SalLock> &Locks, SalLock L) {
  // The same lock on the prototype and the definition is one lock.
  for (const SalLock &Old : Locks)
    if (Old.Text == L.Text || (!L.Path.empty() && Old.Path == L.Path))
      return;
  Locks.push_back(std::move(L));
}

Annotations FunctionExtractor::annotations(const FunctionDecl *FD,
                                           Loc &At) const {
  Annotations A;
  for (const FunctionDecl *R : FD->redecls()) {
    for (const SalItem &I : salItems(R)) {
      const bool OnFunction = I.Param < 0;
      if (OnFunction && I.Kind != SK_UseDeclAnnotations && !At.valid())
        At = loc(R->getLocation());
      // IRQL and lock annotations are the function's; _IRQL_saves_ and
      // _IRQL_restores_ a parameter's (on the function they are about the
      // return value, which no contract field holds).
      std::optional<IrqlSet> Level;
      if (OnFunction && I.Irql)
        Level = levelFromValue(*I.Irql);
      switch (I.Kind) {
      case SK_Requires:
        if (Level)
          A.Requires |= *Level;
        break;
      case SK_RequiresMax:
        if (Level)
          A.RequiresMax = *Level;
        break;
      case SK_RequiresMin:
        if (Level)
          A.RequiresMin = *Level;
        break;
      case SK_Raises:
        if (Level)
          A.Raises = *Level;
        break;
      case SK_Saves:
        if (!OnFunction)
          A.SavesParam = I.Param;
        break;
      case SK_Restores:
        if (!OnFunction)
          A.RestoresParam = I.Param;
        break;
      case SK_SavesGlobal:
      case SK_RestoresGlobal: {
        if (I.Text.empty())
          break;
        SalGlobalIrql &G =
            I.Kind == SK_SavesGlobal ? A.SavesGlobal : A.RestoresGlobal;
        G.Kind = I.Text;
        G.Param = paramNamed(R, I.Text2);
        if (G.Param < 0)
          G.Param = I.Param;
        break;
      }
      case SK_FunctionClass:
        if (OnFunction && !I.Text.empty())
          A.FunctionClass = I.Text;
        break;
      case SK_AcquiresLock:
      case SK_ReleasesLock:
      case SK_RequiresLockHeld:
      case SK_RequiresLockNotHeld: {
        if (!OnFunction || I.Text.empty())
          break;
        std::vector<SalLock> &Locks =
            I.Kind == SK_AcquiresLock       ? A.AcquiresLock
            : I.Kind == SK_ReleasesLock     ? A.ReleasesLock
            : I.Kind == SK_RequiresLockHeld ? A.RequiresLockHeld
                                            : A.RequiresLockNotHeld;
        addLock(Locks, {I.Text, lockPath(I.Text, R)});
        break;
      }
      case SK_RequiresSame:
      case SK_DispatchType:
      case SK_UseDeclAnnotations:
        // Every redeclaration is read anyway; the others say nothing the
        // analysis uses.
        break;
      }
    }
  }
  return A;
}

/// Typedef names in \p T, through arrays and struct fields but not
/// pointers (what they point to is elsewhere), each once, outermost first.
static void typedefNames(ASTContext &Ctx, QualType T,
                         std::vector<std::string> &Out,
                         llvm::SmallPtrSetImpl<const RecordDecl *> &Seen) {
  for (;;) {
    if (const auto *TT = dyn_cast<TypedefType>(T.getTypePtr())) {
      std::string N = TT->getDecl()->getName().str();
      if (!llvm::is_contained(Out, N))
        Out.push_back(std::move(N));
    }
    if (const auto *AT = dyn_cast<ArrayType>(T.getTypePtr())) {
      T = AT->getElementType();
      continue;
    }
    if (const auto *RT = dyn_cast<RecordType>(T.getTypePtr())) {
      const RecordDecl *RD = RT->getDecl()->getDefinition();
      if (RD && Seen.insert(RD).second)
        for (const FieldDecl *F : RD->fields())
          typedefNames(Ctx, F->getType(), Out, Seen);
      return;
    }
    QualType Next = T.getSingleStepDesugaredType(Ctx);
    if (Next == T)
      return;
    T = Next;
  }
}

/// The data section a global definition is placed in, how and where.
static bool globalSection(const VarDecl *VD, const PreprocessorFacts &PP,
                          const SourceManager &SM, const FunctionExtractor &X,
                          GlobalFact &G) {
  if (const auto *SA = VD->getAttr<SectionAttr>()) {
    G.Section = SA->getName().str();
    if (!SA->isImplicit())
      G.SectionBy = llvm::StringRef(SA->getSpelling()) == "allocate"
                        ? "__declspec(allocate)"
                        : "__attribute__((section))";
    else if (VD->getType().isConstQualified())
      G.SectionBy = "#pragma const_seg";
    else if (VD->getInit())
      G.SectionBy = "#pragma data_seg";
    else
      G.SectionBy = "#pragma bss_seg";
    G.SectionAt = X.loc(SA->getLocation());
    return true;
  }
  if (VD->getInit() || VD->getType().isConstQualified())
    return false;
  // The last `#pragma bss_seg` before the definition, in its file.
  SourceLocation At = SM.getExpansionLoc(VD->getLocation());
  for (auto It = PP.BssSeg.rbegin(); It != PP.BssSeg.rend(); ++It) {
    if (SM.getFileID(It->second) != SM.getFileID(At) ||
        !SM.isBeforeInTranslationUnit(It->second, At))
      continue;
    if (It->first.empty())
      return false;
    G.Section = It->first;
    G.SectionBy = "#pragma bss_seg";
    G.SectionAt = X.loc(It->second);
    return true;
  }
  return false;
}

/// The TU's top-level declarations, in order, less those of the system
/// headers in a shared preamble, which nothing here looks at: reading all
/// of them back from the preamble would cost most of the TU's parse.
static std::vector<const Decl *> topLevelDecls(ASTContext &Ctx,
                                               const PreprocessorFacts &PP) {
  const TranslationUnitDecl *TU = Ctx.getTranslationUnitDecl();
  ExternalASTSource *Ext = Ctx.getExternalSource();
  if (!PP.HeadersInPreamble || !Ext)
    return std::vector<const Decl *>(TU->decls_begin(), TU->decls_end());
  // The preamble's user headers, by file; then what the TU itself parsed
  // (noload_decls: none of the preamble's, even those read back since).
  const SourceManager &SM = Ctx.getSourceManager();
  llvm::SmallVector<Decl *, 64> FromPreamble;
  llvm::DenseSet<FileID> Seen;
  for (SourceLocation L : PP.UserHeaders) {
    if (!SM.isLoadedSourceLocation(L))
      continue; // Included after the preamble: parsed by the TU.
    FileID FID = SM.getFileID(L);
    if (FID.isValid() && Seen.insert(FID).second)
      Ext->FindFileRegionDecls(FID, 0, SM.getFileIDSize(FID), FromPreamble);
  }
  // In the order they were parsed in; a file's own order breaks ties (the
  // declarations one macro expansion wrote).
  llvm::DenseSet<const Decl *> Unique;
  std::vector<std::pair<SourceLocation, const Decl *>> Sorted;
  for (const Decl *D : FromPreamble)
    if (D->getLexicalDeclContext() == TU && Unique.insert(D).second)
      Sorted.push_back({SM.getFileLoc(D->getLocation()), D});
  std::vector<size_t> Order(Sorted.size());
  for (size_t I = 0; I < Order.size(); ++I)
    Order[I] = I;
  llvm::sort(Order, [&](size_t A, size_t B) {
    if (SM.isBeforeInTranslationUnit(Sorted[A].first, Sorted[B].first))
      return true;
    if (SM.isBeforeInTranslationUnit(Sorted[B].first, Sorted[A].first))
      return false;
    return A < B;
  });
  std::vector<const Decl *> Out;
  for (size_t I : Order)
    Out.push_back(Sorted[I].second);
  for (const Decl *D : TU->noload_decls())
    if (Unique.insert(D).second)
      Out.push_back(D);
  return Out;
}

TUFacts irqlcheck::extractFacts(ASTContext &Ctx,
                                const SalExpansions &SalMacros,
                                const PreprocessorFacts &PP) {
  SourceManager &SM = Ctx.getSourceManager();
  TUFacts TU;
  if (OptionalFileEntryRef FE = SM.getFileEntryRefForID(SM.getMainFileID()))
    TU.MainFile = absolutePath(SM.getFileManager(), FE->getName());
  std::vector<const Decl *> TopLevel = topLevelDecls(Ctx, PP);
  SalMacroIndex Index(Ctx, SalMacros, TopLevel);
  FunctionExtractor X(Ctx, TU.MainFile, Index, PP);
  for (const Decl *D : TopLevel) {
    if (const auto *VD = dyn_cast<VarDecl>(D)) {
      if (VD->isInvalidDecl() || SM.isInSystemHeader(VD->getLocation()) ||
          VD->isThisDeclarationADefinition() == VarDecl::DeclarationOnly)
        continue;
      GlobalFact G;
      if (!globalSection(VD, PP, SM, X, G))
        continue;
      G.Name = VD->getNameAsString();
      G.Key = VD->isExternallyVisible() ? G.Name : TU.MainFile + "::" + G.Name;
      G.At = X.loc(VD->getLocation());
      llvm::SmallPtrSet<const RecordDecl *, 8> Seen;
      typedefNames(Ctx, VD->getType(), G.Types, Seen);
      TU.Globals.push_back(std::move(G));
      continue;
    }
    const auto *FD = dyn_cast<FunctionDecl>(D);
    if (!FD || FD->isInvalidDecl() || SM.isInSystemHeader(FD->getLocation()))
      continue;
    if (FD->doesThisDeclarationHaveABody()) {
      TU.Functions.push_back(X.extract(FD));
      continue;
    }
    if (FD->isThisDeclarationADefinition() || FD->getDefinition() ||
        FD->getPreviousDecl())
      continue; // Described by its definition or first declaration.
    DeclFact DF;
    Loc SalAt;
    DF.Sal = X.annotations(FD, SalAt);
    DF.DeclaredAs = X.declaredAs(FD);
    X.section(FD, DF.Section, DF.SectionBy, DF.SectionAt);
    if (!DF.Sal.any() && DF.DeclaredAs.empty() && DF.Section.empty())
      continue;
    DF.Key = X.functionKey(FD);
    DF.Name = FD->getNameAsString();
    DF.At = X.loc(FD->getLocation());
    TU.Declarations.push_back(std::move(DF));
  }
  return TU;
}
