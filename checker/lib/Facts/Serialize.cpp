//===- Serialize.cpp - TU facts to and from a file ------------------------===//
///
/// \file
/// One write() and one read() per struct of Facts.h, with the fields in the
/// order of that file. Every key is required on reading: a missing one means
/// the file is not what this irqlcheck wrote. Reading also checks what the
/// analysis relies on without checking (block numbers, `$N` paths), so a
/// damaged or hand-made file is an error, never a crash.
///
//===----------------------------------------------------------------------===//
#include "Facts/Serialize.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <climits>
#include <cstdint>
#include <iterator>

namespace json = llvm::json;
using llvm::StringLiteral;
using llvm::StringRef;

// In the namespace of the facts types, so that the vector templates find the
// per-struct functions by argument-dependent lookup.
namespace irqlcheck {

static const char *const EventKinds[] = {"call",   "return", "store",
                                          "assign", "access", "copy"};

//===--- Writing ----------------------------------------------------------===//

/// JSON strings are UTF-8: text in another encoding (a Latin-1 string
/// literal as an argument) is stored with U+FFFD for the invalid bytes.
static json::Value write(const std::string &S) {
  return json::isUTF8(S) ? json::Value(S) : json::Value(json::fixUTF8(S));
}
template <typename T> static json::Value write(const std::vector<T> &V) {
  json::Array A;
  for (const T &E : V)
    A.push_back(write(E));
  return A;
}
/// Locations are written very often, hence an array, not an object.
static json::Value write(const Loc &L) {
  return json::Array{write(L.File), L.Line, L.Col};
}
static json::Value write(const std::pair<std::string, Loc> &P) {
  return json::Array{write(P.first), write(P.second)};
}
static json::Value write(const ArgFact &A) {
  return json::Object{{"pointee", write(A.Pointee)}, {"value", write(A.Value)},
                      {"text", write(A.Text)}, {"function", write(A.Function)},
                      {"base", write(A.Base)},
                      {"hasConst", A.HasConst}, {"const", A.Const}};
}
static json::Value write(const CallFact &C) {
  return json::Object{{"callee", write(C.Callee)},
                      {"through", write(C.Through)},
                      {"spelled", write(C.Spelled)},
                      {"macros", write(C.Macros)},
                      {"at", write(C.At)},
                      {"args", write(C.Args)},
                      {"resultTo", write(C.ResultTo)},
                      {"isBranchCondition", C.IsBranchCondition},
                      {"branchNegated", C.BranchNegated}};
}
static json::Value write(const StoreFact &S) {
  return json::Object{{"target", write(S.Target)},
                      {"path", write(S.Path)},
                      {"text", write(S.Text)},
                      {"macro", write(S.Macro)},
                      {"function", write(S.Function)},
                      {"at", write(S.At)}};
}
static json::Value write(const AssignFact &A) {
  return json::Object{{"target", write(A.Target)},
                      {"hasConst", A.HasConst},
                      {"const", A.Const}};
}
static json::Value write(const AccessFact &A) {
  return json::Object{{"path", write(A.Path)},
                      {"base", write(A.Base)},
                      {"text", write(A.Text)},
                      {"write", A.Write}};
}
static json::Value write(const CopyFact &C) {
  return json::Object{{"to", write(C.To)}, {"from", write(C.From)}};
}
/// Only the part of an event its kind uses.
static json::Value write(const Event &E) {
  json::Object O{{"kind", EventKinds[E.Kind]}, {"at", write(E.At)}};
  switch (E.Kind) {
  case Event::EK_Call:
    O["call"] = write(E.call());
    break;
  case Event::EK_Return:
    break;
  case Event::EK_Store:
    O["store"] = write(E.store());
    break;
  case Event::EK_Assign:
    O["assign"] = write(E.assign());
    break;
  case Event::EK_Access:
    O["access"] = write(E.access());
    break;
  case Event::EK_Copy:
    O["copy"] = write(E.copy());
    break;
  }
  return O;
}
static json::Value write(const Edge &E) {
  return json::Object{{"to", E.To}, {"filter", E.Filter}, {"branch", E.Branch}};
}
static json::Value write(const BlockFact &B) {
  return json::Object{{"events", write(B.Events)}, {"succs", write(B.Succs)}};
}
static json::Value write(const SalLock &L) {
  return json::Object{{"text", write(L.Text)}, {"path", write(L.Path)}};
}
static json::Value write(const SalGlobalIrql &G) {
  return json::Object{{"kind", write(G.Kind)}, {"param", G.Param}};
}
static json::Value write(const Annotations &A) {
  return json::Object{{"requires", A.Requires},
                      {"requiresMax", A.RequiresMax},
                      {"requiresMin", A.RequiresMin},
                      {"raises", A.Raises},
                      {"savesParam", A.SavesParam},
                      {"restoresParam", A.RestoresParam},
                      {"functionClass", write(A.FunctionClass)},
                      {"acquiresLock", write(A.AcquiresLock)},
                      {"releasesLock", write(A.ReleasesLock)},
                      {"requiresLockHeld", write(A.RequiresLockHeld)},
                      {"requiresLockNotHeld", write(A.RequiresLockNotHeld)},
                      {"savesGlobal", write(A.SavesGlobal)},
                      {"restoresGlobal", write(A.RestoresGlobal)}};
}
static json::Value write(const FunctionFact &F) {
  return json::Object{{"key", write(F.Key)},
                      {"name", write(F.Name)},
                      {"at", write(F.At)},
                      {"params", write(F.Params)},
                      {"declaredAs", write(F.DeclaredAs)},
                      {"sal", write(F.Sal)},
                      {"salAt", write(F.SalAt)},
                      {"section", write(F.Section)},
                      {"sectionBy", write(F.SectionBy)},
                      {"sectionAt", write(F.SectionAt)},
                      {"pagedCodeAt", write(F.PagedCodeAt)},
                      {"hasBody", F.HasBody},
                      {"linearized", F.Linearized},
                      {"blocks", write(F.Blocks)},
                      {"entryBlock", F.EntryBlock}};
}
static json::Value write(const DeclFact &D) {
  return json::Object{{"key", write(D.Key)},
                      {"name", write(D.Name)},
                      {"at", write(D.At)},
                      {"sal", write(D.Sal)},
                      {"declaredAs", write(D.DeclaredAs)},
                      {"section", write(D.Section)},
                      {"sectionBy", write(D.SectionBy)},
                      {"sectionAt", write(D.SectionAt)}};
}

static json::Value write(const GlobalFact &G) {
  return json::Object{{"key", write(G.Key)},
                      {"name", write(G.Name)},
                      {"at", write(G.At)},
                      {"section", write(G.Section)},
                      {"sectionBy", write(G.SectionBy)},
                      {"sectionAt", write(G.SectionAt)},
                      {"types", write(G.Types)}};
}

std::string factsToJSON(const TUFacts &TU) {
  json::Value V = json::Object{{"format", FactsFormat},
                               {"version", FactsVersion},
                               {"mainFile", write(TU.MainFile)},
                               {"functions", write(TU.Functions)},
                               {"declarations", write(TU.Declarations)},
                               {"globals", write(TU.Globals)}};
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  OS << V << '\n';
  return Out;
}

//===--- Reading ----------------------------------------------------------===//

static bool read(const json::Value &V, std::string &Out, json::Path P) {
  if (std::optional<StringRef> S = V.getAsString()) {
    Out = S->str();
    return true;
  }
  P.report("expected string");
  return false;
}
static bool read(const json::Value &V, bool &Out, json::Path P) {
  if (std::optional<bool> B = V.getAsBoolean()) {
    Out = *B;
    return true;
  }
  P.report("expected boolean");
  return false;
}
template <typename T>
static bool readInt(const json::Value &V, T &Out, int64_t Min, int64_t Max,
                    json::Path P) {
  std::optional<int64_t> I = V.getAsInteger();
  if (!I || *I < Min || *I > Max) {
    if (I)
      P.report("integer out of range");
    else
      P.report("expected integer");
    return false;
  }
  Out = static_cast<T>(*I);
  return true;
}
template <typename T>
static bool read(const json::Value &V, std::vector<T> &Out, json::Path P) {
  const json::Array *A = V.getAsArray();
  if (!A) {
    P.report("expected array");
    return false;
  }
  Out.resize(A->size());
  for (size_t I = 0; I < A->size(); ++I)
    if (!read((*A)[I], Out[I], P.index(I)))
      return false;
  return true;
}

/// The analysis turns the N of a `$N` (parameter N) back into a number, so
/// every `$` must be followed by one, and a small one. The extractor writes
/// `$` nowhere else.
static bool isObjectPath(StringRef S) {
  for (size_t I = S.find('$'); I != StringRef::npos; I = S.find('$', I + 1)) {
    size_t Digits = S.drop_front(I + 1).take_while(llvm::isDigit).size();
    if (Digits == 0 || Digits > 9)
      return false;
  }
  return true;
}

namespace {
/// The fields of one JSON object; every one is required.
class Fields {
public:
  Fields(const json::Value &V, json::Path P) : O(V.getAsObject()), P(P) {
    if (!O)
      P.report("expected object");
  }
  explicit operator bool() const { return O; }

  template <typename T> bool operator()(StringLiteral Key, T &Out) const {
    const json::Value *V = get(Key);
    return V && read(*V, Out, P.field(Key));
  }
  template <typename T>
  bool num(StringLiteral Key, T &Out, int64_t Min, int64_t Max) const {
    const json::Value *V = get(Key);
    return V && readInt(*V, Out, Min, Max, P.field(Key));
  }
  bool irql(StringLiteral Key, IrqlSet &Out) const {
    return num(Key, Out, 0, IL_All);
  }
  bool path(StringLiteral Key, std::string &Out) const {
    if (!(*this)(Key, Out))
      return false;
    if (isObjectPath(Out))
      return true;
    P.field(Key).report("invalid object path ('$' without a parameter number)");
    return false;
  }

private:
  const json::Value *get(StringLiteral Key) const {
    const json::Value *V = O->get(Key);
    if (!V)
      P.field(Key).report("missing field");
    return V;
  }

  const json::Object *O;
  json::Path P;
};
} // namespace

static bool read(const json::Value &V, Loc &L, json::Path P) {
  const json::Array *A = V.getAsArray();
  if (!A || A->size() != 3) {
    P.report("expected [file, line, column]");
    return false;
  }
  L.Raw = 0;
  return read((*A)[0], L.File, P.index(0)) &&
         readInt((*A)[1], L.Line, 0, UINT_MAX, P.index(1)) &&
         readInt((*A)[2], L.Col, 0, UINT_MAX, P.index(2));
}
static bool read(const json::Value &V, std::pair<std::string, Loc> &Out,
                 json::Path P) {
  const json::Array *A = V.getAsArray();
  if (!A || A->size() != 2) {
    P.report("expected [name, location]");
    return false;
  }
  return read((*A)[0], Out.first, P.index(0)) &&
         read((*A)[1], Out.second, P.index(1));
}
static bool read(const json::Value &V, ArgFact &A, json::Path P) {
  Fields F(V, P);
  return F && F.path("pointee", A.Pointee) && F.path("value", A.Value) &&
         F("text", A.Text) && F("function", A.Function) &&
         F.path("base", A.Base) && F("hasConst", A.HasConst) &&
         F.num("const", A.Const, INT64_MIN, INT64_MAX);
}
static bool read(const json::Value &V, CallFact &C, json::Path P) {
  Fields F(V, P);
  return F && F("callee", C.Callee) && F.path("through", C.Through) &&
         F("spelled", C.Spelled) &&
         F("macros", C.Macros) && F("at", C.At) && F("args", C.Args) &&
         F.path("resultTo", C.ResultTo) &&
         F("isBranchCondition", C.IsBranchCondition) &&
         F("branchNegated", C.BranchNegated);
}
static bool read(const json::Value &V, StoreFact &S, json::Path P) {
  Fields F(V, P);
  return F && F.path("target", S.Target) && F.path("path", S.Path) &&
         F("text", S.Text) && F("macro", S.Macro) &&
         F("function", S.Function) && F("at", S.At);
}
static bool read(const json::Value &V, Event::EventKind &K, json::Path P) {
  std::optional<StringRef> S = V.getAsString();
  for (size_t I = 0; S && I < std::size(EventKinds); ++I)
    if (*S == EventKinds[I]) {
      K = static_cast<Event::EventKind>(I);
      return true;
    }
  P.report("expected \"call\", \"return\", \"store\", \"assign\", "
           "\"access\" or \"copy\"");
  return false;
}
static bool read(const json::Value &V, AssignFact &A, json::Path P) {
  Fields F(V, P);
  return F && F.path("target", A.Target) && F("hasConst", A.HasConst) &&
         F.num("const", A.Const, INT64_MIN, INT64_MAX);
}
static bool read(const json::Value &V, AccessFact &A, json::Path P) {
  Fields F(V, P);
  return F && F.path("path", A.Path) && F.path("base", A.Base) &&
         F("text", A.Text) && F("write", A.Write);
}
static bool read(const json::Value &V, CopyFact &C, json::Path P) {
  Fields F(V, P);
  return F && F.path("to", C.To) && F.path("from", C.From);
}
static bool read(const json::Value &V, Event &E, json::Path P) {
  Fields F(V, P);
  if (!(F && F("kind", E.Kind) && F("at", E.At)))
    return false;
  switch (E.Kind) {
  case Event::EK_Call:
    return F("call", E.call());
  case Event::EK_Return:
    return true;
  case Event::EK_Store:
    return F("store", E.store());
  case Event::EK_Assign:
    return F("assign", E.assign());
  case Event::EK_Access:
    return F("access", E.access());
  case Event::EK_Copy:
    return F("copy", E.copy());
  }
  return false;
}
static bool read(const json::Value &V, Edge &E, json::Path P) {
  Fields F(V, P);
  return F && F.num("to", E.To, 0, UINT_MAX) && F.irql("filter", E.Filter) &&
         F.num("branch", E.Branch, 0, 2);
}
static bool read(const json::Value &V, BlockFact &B, json::Path P) {
  Fields F(V, P);
  return F && F("events", B.Events) && F("succs", B.Succs);
}
static bool read(const json::Value &V, SalLock &L, json::Path P) {
  Fields F(V, P);
  return F && F("text", L.Text) && F.path("path", L.Path);
}
static bool read(const json::Value &V, SalGlobalIrql &G, json::Path P) {
  Fields F(V, P);
  return F && F("kind", G.Kind) && F.num("param", G.Param, -1, INT_MAX);
}
static bool read(const json::Value &V, Annotations &A, json::Path P) {
  Fields F(V, P);
  return F && F.irql("requires", A.Requires) &&
         F.irql("requiresMax", A.RequiresMax) &&
         F.irql("requiresMin", A.RequiresMin) && F.irql("raises", A.Raises) &&
         F.num("savesParam", A.SavesParam, INT_MIN, INT_MAX) &&
         F.num("restoresParam", A.RestoresParam, INT_MIN, INT_MAX) &&
         F("functionClass", A.FunctionClass) &&
         F("acquiresLock", A.AcquiresLock) &&
         F("releasesLock", A.ReleasesLock) &&
         F("requiresLockHeld", A.RequiresLockHeld) &&
         F("requiresLockNotHeld", A.RequiresLockNotHeld) &&
         F("savesGlobal", A.SavesGlobal) &&
         F("restoresGlobal", A.RestoresGlobal);
}
static bool read(const json::Value &V, FunctionFact &Fn, json::Path P) {
  Fields F(V, P);
  if (!(F && F("key", Fn.Key) && F("name", Fn.Name) && F("at", Fn.At) &&
        F("params", Fn.Params) && F("declaredAs", Fn.DeclaredAs) &&
        F("sal", Fn.Sal) && F("salAt", Fn.SalAt) &&
        F("section", Fn.Section) && F("sectionBy", Fn.SectionBy) &&
        F("sectionAt", Fn.SectionAt) && F("pagedCodeAt", Fn.PagedCodeAt) &&
        F("hasBody", Fn.HasBody) && F("linearized", Fn.Linearized) &&
        F("blocks", Fn.Blocks) && F.num("entryBlock", Fn.EntryBlock, 0,
                                        UINT_MAX)))
    return false;
  // The dataflow indexes blocks by these numbers without checking.
  size_t N = Fn.Blocks.size();
  if (N && Fn.EntryBlock >= N) {
    P.field("entryBlock").report("no such block");
    return false;
  }
  for (size_t B = 0; B < N; ++B)
    for (size_t E = 0; E < Fn.Blocks[B].Succs.size(); ++E)
      if (Fn.Blocks[B].Succs[E].To >= N) {
        P.field("blocks").index(B).field("succs").index(E).field("to").report(
            "no such block");
        return false;
      }
  return true;
}
static bool read(const json::Value &V, DeclFact &D, json::Path P) {
  Fields F(V, P);
  return F && F("key", D.Key) && F("name", D.Name) && F("at", D.At) &&
         F("sal", D.Sal) && F("declaredAs", D.DeclaredAs) &&
         F("section", D.Section) && F("sectionBy", D.SectionBy) &&
         F("sectionAt", D.SectionAt);
}

static bool read(const json::Value &V, GlobalFact &G, json::Path P) {
  Fields F(V, P);
  return F && F("key", G.Key) && F("name", G.Name) && F("at", G.At) &&
         F("section", G.Section) && F("sectionBy", G.SectionBy) &&
         F("sectionAt", G.SectionAt) && F("types", G.Types);
}

/// json::parse recurses once per level of nesting. A facts file nests about
/// ten deep; refusing much deeper text first keeps a damaged file from
/// exhausting the stack.
static bool nestsAtMost(StringRef Text, unsigned Max) {
  unsigned Depth = 0;
  bool InString = false;
  for (size_t I = 0; I < Text.size(); ++I) {
    char C = Text[I];
    if (InString) {
      if (C == '\\')
        ++I;
      else if (C == '"')
        InString = false;
    } else if (C == '"') {
      InString = true;
    } else if (C == '[' || C == '{') {
      if (++Depth > Max)
        return false;
    } else if ((C == ']' || C == '}') && Depth) {
      --Depth;
    }
  }
  return true;
}

static llvm::Error inputError(StringRef Name, const llvm::Twine &Why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "'" + Name + "': " + Why);
}

llvm::Expected<TUFacts> factsFromJSON(StringRef Text, StringRef Name) {
  if (!nestsAtMost(Text, 64))
    return inputError(Name, "not a facts file (nested too deeply)");
  llvm::Expected<json::Value> V = json::parse(Text);
  if (!V)
    return inputError(Name, "not a facts file (not JSON: " +
                                llvm::toString(V.takeError()) + ")");
  const json::Object *O = V->getAsObject();
  std::optional<StringRef> Format = O ? O->getString("format") : std::nullopt;
  if (Format != StringRef(FactsFormat))
    return inputError(Name, llvm::Twine("not a facts file (no \"format\": \"") +
                                FactsFormat + "\")");
  std::optional<int64_t> Version = O->getInteger("version");
  if (Version != FactsVersion)
    return inputError(
        Name, "facts format version " +
                  (Version ? std::to_string(*Version) : std::string("?")) +
                  ", but this irqlcheck reads version " +
                  std::to_string(FactsVersion) +
                  " (write the facts again with the plugin of this version)");
  json::Path::Root Root;
  TUFacts TU;
  Fields F(*V, Root);
  if (F("mainFile", TU.MainFile) && F("functions", TU.Functions) &&
      F("declarations", TU.Declarations) && F("globals", TU.Globals))
    return std::move(TU);
  return inputError(Name, "invalid facts file: " +
                              llvm::toString(Root.getError()));
}

llvm::Expected<TUFacts> readFactsFile(StringRef Path) {
  if (!llvm::sys::fs::exists(Path))
    return inputError(Path, "no such file");
  if (llvm::sys::fs::is_directory(Path))
    return inputError(Path, "is a directory");
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Buf =
      llvm::MemoryBuffer::getFile(Path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!Buf)
    return inputError(Path, "cannot read: " + Buf.getError().message());
  return factsFromJSON((*Buf)->getBuffer(), Path);
}

llvm::Error writeFactsFile(StringRef Path, const TUFacts &TU) {
  auto Fail = [&](const llvm::Twine &Why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot write facts file '" + Path +
                                       "': " + Why);
  };
  // A unique name next to Path, renamed over it once complete: readers see
  // the old file or the new one, and parallel writers do not interleave.
  llvm::Expected<llvm::sys::fs::TempFile> Tmp =
      llvm::sys::fs::TempFile::create(Path + ".tmp-%%%%%%%%");
  if (!Tmp)
    return Fail(llvm::toString(Tmp.takeError()));
  std::string Error;
  {
    llvm::raw_fd_ostream OS(Tmp->FD, /*shouldClose=*/false);
    OS << factsToJSON(TU);
    OS.flush();
    if (OS.has_error()) {
      Error = OS.error().message();
      OS.clear_error();
    }
  }
  if (!Error.empty()) {
    llvm::consumeError(Tmp->discard());
    return Fail(Error);
  }
  if (llvm::Error E = Tmp->keep(Path))
    return Fail(llvm::toString(std::move(E)));
  return llvm::Error::success();
}

} // namespace irqlcheck
