//===- Extractor.cpp - From a clang AST to plain facts --------------------===//
#include "Facts/Extractor.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

using namespace clang;
using namespace irqlcheck;

namespace {

class FunctionExtractor {
public:
  FunctionExtractor(ASTContext &Ctx, const std::string &MainFile)
      : Ctx(Ctx), SM(Ctx.getSourceManager()), MainFile(MainFile) {}

  Loc loc(SourceLocation L) const;
  std::string functionKey(const FunctionDecl *FD) const;
  Annotations annotations(const FunctionDecl *FD, Loc &At) const;
  std::vector<std::pair<std::string, Loc>>
  declaredAs(const FunctionDecl *FD) const;
  FunctionFact extract(const FunctionDecl *FD);

private:
  std::string objectPath(const Expr *E) const;
  std::string pointeePath(const Expr *E) const;
  std::string fieldKey(const Expr *E) const;
  std::string text(const Expr *E) const;
  std::string localName(const VarDecl *VD) const;
  ArgFact arg(const Expr *E) const;
  void addCall(const CallExpr *CE, BlockFact &B);
  void addStmt(const Stmt *S, BlockFact &B);
  void setResult(const Expr *Rhs, const std::string &Path);
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
      Base = RD->getName().str();
      if (Base.empty())
        if (const TypedefNameDecl *TD = RD->getTypedefNameForAnonDecl())
          Base = TD->getName().str();
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
      const RecordDecl *RD = FD->getParent();
      std::string R = RD->getName().str();
      if (R.empty())
        if (const TypedefNameDecl *TD = RD->getTypedefNameForAnonDecl())
          R = TD->getName().str();
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
  if (E->getType()->isPointerType())
    A.Pointee = pointeePath(E);
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
  CallFact &C = Ev.Call;
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
    It->second.first->Events[It->second.second].Call.ResultTo = Path;
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
  Ev.Assign.Target = localPath(Lhs, Exact);
  if (Ev.Assign.Target.empty() ||
      !ConstantRoots.count(rootOf(Ev.Assign.Target)))
    return;
  if (Exact)
    Ev.Assign.HasConst = constantValue(Value, Ev.Assign.Const);
  else
    Ev.Assign.Target += "[*]"; // Some part of the variable, unknown.
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
  if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
    if (!BO->isAssignmentOp())
      return;
    if (const FunctionDecl *FD = referencedFunction(BO->getRHS())) {
      Event Ev;
      Ev.Kind = Event::EK_Store;
      Ev.Store.Target = fieldKey(BO->getLHS());
      Ev.Store.Path = objectPath(BO->getLHS());
      Ev.Store.Text = text(BO->getLHS());
      std::vector<std::string> Macros = macrosAt(BO->getBeginLoc());
      if (!Macros.empty())
        Ev.Store.Macro = Macros.front();
      Ev.Store.Function = functionKey(FD);
      Ev.Store.At = loc(BO->getBeginLoc());
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
    if (UO->isIncrementDecrementOp())
      addAssign(UO->getSubExpr(), nullptr, UO->getBeginLoc(), B);
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
          Ev.Store.Target = Ev.Store.Path = localName(VD);
          Ev.Store.Text = VD->getNameAsString();
          Ev.Store.Function = functionKey(FD);
          Ev.Store.At = loc(VD->getBeginLoc());
          B.Events.push_back(std::move(Ev));
          continue;
        }
        setResult(VD->getInit(), localName(VD));
        // An initializer is an assignment. (A variable declared without
        // one is never known: not even in a loop, whose head joins the
        // path from before the declaration.)
        if (!VD->getInit() || !mayHoldConstant(VD->getType()) ||
            !ConstantRoots.count(localName(VD)))
          continue;
        Event Ev;
        Ev.Kind = Event::EK_Assign;
        Ev.Assign.Target = localName(VD);
        Ev.Assign.HasConst = constantValue(VD->getInit(), Ev.Assign.Const);
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
  F.HasBody = true;
  Loc End = loc(FD->getBody()->getEndLoc());

  CFG::BuildOptions Opts;
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
          CallFact &C = It->second.first->Events[It->second.second].Call;
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

static std::string annotationString(const Expr *E) {
  if (const auto *SL = dyn_cast<StringLiteral>(E->IgnoreParenImpCasts()))
    return SL->getString().str();
  return {};
}

Annotations FunctionExtractor::annotations(const FunctionDecl *FD,
                                           Loc &At) const {
  Annotations A;
  auto Level = [&](const AnnotateAttr *AA) -> IrqlSet {
    if (AA->args_size() < 2)
      return 0;
    Expr::EvalResult R;
    if (!AA->args_begin()[1]->EvaluateAsInt(R, Ctx))
      return 0;
    return levelFromValue(R.Val.getInt().getExtValue());
  };
  for (const FunctionDecl *R : FD->redecls()) {
    for (const auto *AA : R->specific_attrs<AnnotateAttr>()) {
      if (AA->getAnnotation() != "irqlcheck" || AA->args_size() < 1)
        continue;
      std::string Kind = annotationString(AA->args_begin()[0]);
      std::string Arg =
          AA->args_size() > 1 ? annotationString(AA->args_begin()[1]) : "";
      if (!At.valid())
        At = loc(R->getLocation());
      if (Kind == "requires")
        A.Requires |= Level(AA);
      else if (Kind == "requires_max")
        A.RequiresMax = Level(AA);
      else if (Kind == "requires_min")
        A.RequiresMin = Level(AA);
      else if (Kind == "raises")
        A.Raises = Level(AA);
      else if (Kind == "function_class")
        A.FunctionClass = Arg;
      else if (Kind == "acquires_lock")
        A.AcquiresLock.push_back(Arg);
      else if (Kind == "releases_lock")
        A.ReleasesLock.push_back(Arg);
      else if (Kind == "requires_lock_held")
        A.RequiresLockHeld.push_back(Arg);
    }
    for (const ParmVarDecl *P : R->parameters())
      for (const auto *AA : P->specific_attrs<AnnotateAttr>()) {
        if (AA->getAnnotation() != "irqlcheck" || AA->args_size() < 1)
          continue;
        std::string Kind = annotationString(AA->args_begin()[0]);
        if (Kind == "saves")
          A.SavesParam = P->getFunctionScopeIndex();
        else if (Kind == "restores")
          A.RestoresParam = P->getFunctionScopeIndex();
      }
  }
  return A;
}

TUFacts irqlcheck::extractFacts(ASTContext &Ctx) {
  SourceManager &SM = Ctx.getSourceManager();
  TUFacts TU;
  if (OptionalFileEntryRef FE = SM.getFileEntryRefForID(SM.getMainFileID()))
    TU.MainFile = absolutePath(SM.getFileManager(), FE->getName());
  FunctionExtractor X(Ctx, TU.MainFile);
  for (const Decl *D : Ctx.getTranslationUnitDecl()->decls()) {
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
    if (!DF.Sal.any() && DF.DeclaredAs.empty())
      continue;
    DF.Key = X.functionKey(FD);
    DF.Name = FD->getNameAsString();
    DF.At = X.loc(FD->getLocation());
    TU.Declarations.push_back(std::move(DF));
  }
  return TU;
}
