//===- SharedPreamble.cpp - One precompiled preamble for many TUs ---------===//
#include "Driver/SharedPreamble.h"

#include "Facts/Serialize.h"

#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Basic/LangOptions.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/Serialization/ASTReader.h"
#include "clang/Serialization/ModuleManager.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace clang;
using namespace irqlcheck;

IncludeBlock irqlcheck::includeBlock(llvm::StringRef Text) {
  LangOptions LO;
  LO.C99 = LO.GNUMode = LO.MicrosoftExt = true;
  llvm::MemoryBufferRef Buf(Text, "");
  PreambleBounds B = ComputePreambleBounds(LO, Buf, 0);
  // With an invalid file location, a token's location is its offset. The
  // lexer needs the buffer's terminating NUL: it lexes the whole file, and
  // the preamble ends where a token starts at or past its bounds.
  Lexer L(SourceLocation(), LO, Text.begin(), Text.begin(), Text.end());
  auto Past = [&](const Token &T) {
    return T.is(tok::eof) || T.getLocation().getRawEncoding() >= B.Size;
  };
  auto Spelling = [&](const Token &T) {
    return Text.substr(T.getLocation().getRawEncoding(), T.getLength());
  };
  IncludeBlock Out;
  std::string Directives;
  int Depth = 0;
  Token T;
  L.LexFromRawLexer(T);
  while (!Past(T)) {
    if (!T.is(tok::hash) || !T.isAtStartOfLine())
      return {}; // Not a directive: ComputePreambleBounds stops before.
    Directives += '#';
    L.LexFromRawLexer(T);
    llvm::StringRef Word =
        T.is(tok::raw_identifier) ? T.getRawIdentifier() : llvm::StringRef();
    bool Include = Word == "include" || Word == "include_next" ||
                   Word == "import";
    if (Word.starts_with("if"))
      ++Depth;
    else if (Word == "endif")
      --Depth;
    // The rest of the directive's line.
    unsigned LineEnd = Directives.size(); // Replaced by the first token's end.
    bool First = true;
    while (!Past(T) && !T.isAtStartOfLine()) {
      Directives += ' ';
      Directives += Spelling(T);
      LineEnd = T.getLocation().getRawEncoding() + T.getLength();
      First = false;
      L.LexFromRawLexer(T);
    }
    if (First)
      return {}; // A lone `#`: rare enough not to be worth sharing.
    Directives += '\n';
    if (!Include || Depth != 0)
      continue;
    // Cut after the line's newline; a block comment running on past it
    // would be cut in two, so such a file shares nothing.
    llvm::StringRef Rest = Text.substr(LineEnd, B.Size - LineEnd);
    size_t NL = Rest.find('\n');
    if (NL == llvm::StringRef::npos || Rest.take_front(NL).contains("/*"))
      return {};
    Out.Size = LineEnd + NL + 1;
    Out.Directives = Directives;
  }
  return Out;
}

//===----------------------------------------------------------------------===//
// Building
//===----------------------------------------------------------------------===//

/// Calls \p F on every source location of \p Sal and \p PP, in one fixed
/// order: the order of the positions recorded and checked.
template <typename SalT, typename PPT, typename Fn>
static void forEachLocation(SalT &Sal, PPT &PP, Fn F) {
  for (auto &E : Sal)
    F(E.At);
  for (auto &L : PP.PagedCode)
    F(L);
  for (auto &A : PP.AllocText)
    F(A.second);
  for (auto &B : PP.BssSeg)
    F(B.second);
  for (auto &L : PP.UserHeaders)
    F(L);
}

namespace irqlcheck {
/// Watches the preprocessor while the preamble is built, with the same
/// recorders a TU parse uses.
class PreambleRecorder : public PreambleCallbacks {
public:
  explicit PreambleRecorder(SharedPreamble &Out) : Out(Out) {}

  void BeforeExecute(CompilerInstance &CI) override {
    Sal = recordSalMacros(CI.getPreprocessor());
    PP = std::make_shared<PreprocessorFacts>();
    watchPreprocessor(CI.getPreprocessor(), PP);
  }

  void AfterExecute(CompilerInstance &CI) override {
    SourceManager &SM = CI.getSourceManager();
    forEachLocation(*Sal, *PP, [&](SourceLocation At) {
      if (SM.getFileID(At) == SM.getMainFileID())
        OwnDirectives = true; // Would name the first file in all of them.
      PresumedLoc P = SM.getPresumedLoc(At);
      SharedPreamble::Position Pos;
      if (P.isValid())
        Pos = {P.getFilename(), P.getLine(), P.getColumn()};
      Out.Expected.push_back(std::move(Pos));
    });
    Out.Sal = std::move(*Sal);
    Out.PP = std::move(*PP);
  }

  bool OwnDirectives = false;

private:
  SharedPreamble &Out;
  std::shared_ptr<SalExpansions> Sal;
  std::shared_ptr<PreprocessorFacts> PP;
};
} // namespace irqlcheck

namespace irqlcheck {
class PreambleBuilder : public tooling::ToolAction {
public:
  PreambleBuilder(SharedPreamble &Out, unsigned Size)
      : Out(Out), Size(Size) {}

  bool runInvocation(std::shared_ptr<CompilerInvocation> Inv,
                     FileManager *Files,
                     std::shared_ptr<PCHContainerOperations> PCHOps,
                     DiagnosticConsumer *) override {
    if (Inv->getFrontendOpts().Inputs.size() != 1)
      return false;
    auto Main = Files->getBufferForFile(Inv->getFrontendOpts().Inputs[0].getFile());
    if (!Main)
      return false;
    // Counts errors: the preamble is not used if its headers do not
    // compile (the TUs' own parses then report them).
    DiagnosticConsumer Errors;
    IntrusiveRefCntPtr<DiagnosticsEngine> Diags =
        CompilerInstance::createDiagnostics(&Inv->getDiagnosticOpts(), &Errors,
                                            /*ShouldOwnClient=*/false);
    PreambleRecorder Recorder(Out);
    llvm::ErrorOr<PrecompiledPreamble> P = PrecompiledPreamble::Build(
        *Inv, Main->get(), PreambleBounds(Size, true), *Diags,
        Files->getVirtualFileSystemPtr(), PCHOps, /*StoreInMemory=*/true, "",
        Recorder);
    // Not when its headers do not compile, nor when its include block has
    // pragmas or annotations of its own.
    if (!P || Errors.getNumErrors() || Recorder.OwnDirectives)
      return false;
    Out.Pch.emplace(std::move(*P));
    return true;
  }

private:
  SharedPreamble &Out;
  unsigned Size;
};
} // namespace irqlcheck

std::shared_ptr<const SharedPreamble>
SharedPreamble::build(const ParseSettings &S, const std::string &File,
                      unsigned Size) {
  auto Out = std::make_shared<SharedPreamble>();
  PreambleBuilder Builder(*Out, Size);
  std::unique_ptr<tooling::ClangTool> Tool = makeTool(S, File);
  Tool->setPrintErrorMessage(false);
  IgnoringDiagConsumer Quiet;
  Tool->setDiagnosticConsumer(&Quiet);
  if (Tool->run(&Builder) != 0 || !Out->Pch)
    return nullptr;
  return Out;
}

void SharedPreamble::use(CompilerInvocation &CI,
                         IntrusiveRefCntPtr<llvm::vfs::FileSystem> &VFS,
                         llvm::MemoryBuffer *Main, unsigned Size) const {
  // As AddImplicitPreamble, whose byte-for-byte check of the block would
  // keep files with different comments apart; then skip this file's own
  // block, whatever its size.
  CI.getPreprocessorOpts().RetainRemappedFileBuffers = true;
  Pch->OverridePreamble(CI, VFS, Main);
  CI.getPreprocessorOpts().PrecompiledPreambleBytes = {Size, true};
}

bool SharedPreamble::replayInto(CompilerInstance &CI, SalExpansions &SalOut,
                                PreprocessorFacts &PPOut) const {
  PPOut.HeadersInPreamble = true;
  if (Expected.empty())
    return true;
  IntrusiveRefCntPtr<ASTReader> Reader = CI.getASTReader();
  if (!Reader)
    return false;
  serialization::ModuleFile *M = nullptr;
  for (serialization::ModuleFile &F : Reader->getModuleManager())
    if (F.Kind == serialization::MK_Preamble)
      M = &F;
  if (!M)
    return false;
  SourceManager &SM = CI.getSourceManager();
  SalExpansions NewSal = Sal;
  PreprocessorFacts NewPP = PP;
  bool Ok = true;
  size_t I = 0;
  forEachLocation(NewSal, NewPP, [&](SourceLocation &L) {
    L = Reader->TranslateSourceLocation(*M, L);
    PresumedLoc P = SM.getPresumedLoc(L);
    const Position &Want = Expected[I++];
    if (!P.isValid() || Want.File != P.getFilename() ||
        Want.Line != P.getLine() || Want.Col != P.getColumn())
      Ok = false;
  });
  if (!Ok)
    return false;
  // The headers come before the TU's own code: their records go first.
  auto Prepend = [](auto &Into, const auto &From) {
    Into.insert(Into.begin(), From.begin(), From.end());
  };
  Prepend(SalOut, NewSal);
  Prepend(PPOut.PagedCode, NewPP.PagedCode);
  Prepend(PPOut.AllocText, NewPP.AllocText);
  Prepend(PPOut.BssSeg, NewPP.BssSeg);
  Prepend(PPOut.UserHeaders, NewPP.UserHeaders);
  return true;
}

//===----------------------------------------------------------------------===//
// Grouping
//===----------------------------------------------------------------------===//

std::vector<PreambleGroup>
irqlcheck::groupByPreamble(const ParseSettings &S,
                           llvm::ArrayRef<std::string> Files) {
  std::vector<PreambleGroup> Groups;
  llvm::StringMap<size_t> ByKey;
  tooling::ArgumentsAdjuster Adjust = commandAdjuster(S);
  for (size_t I = 0; I < Files.size(); ++I) {
    auto Alone = [&] {
      Groups.emplace_back();
      Groups.back().Members.push_back(I);
    };
    if (llvm::StringRef(Files[I]).ends_with(FactsExtension)) {
      Alone();
      continue;
    }
    // Only regular files are read: a FIFO would block (parseTU reports it).
    if (!llvm::sys::fs::is_regular_file(Files[I])) {
      Alone();
      continue;
    }
    std::vector<tooling::CompileCommand> Cmds =
        S.DB->getCompileCommands(Files[I]);
    auto Text = llvm::MemoryBuffer::getFile(Files[I]);
    IncludeBlock Block;
    if (Text && Cmds.size() == 1)
      Block = includeBlock((*Text)->getBuffer());
    if (!Block.Size) {
      Alone();
      continue;
    }
    const tooling::CompileCommand &C = Cmds.front();
    std::string Key = C.Directory;
    Key += '\0';
    Key += llvm::sys::path::parent_path(Files[I]);
    for (const std::string &A : Adjust(C.CommandLine, C.Filename)) {
      if (A == C.Filename)
        continue;
      Key += '\0';
      Key += A;
    }
    Key += '\0';
    Key += Block.Directives;
    auto [It, New] = ByKey.try_emplace(Key, Groups.size());
    if (New)
      Groups.emplace_back();
    Groups[It->second].Members.push_back(I);
    Groups[It->second].Sizes.push_back(Block.Size);
  }
  for (PreambleGroup &G : Groups)
    if (G.Members.size() < 2)
      G.Sizes.clear(); // Building it would cost more than it saves.
  return Groups;
}
