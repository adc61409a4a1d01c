//===- Facts.h - What one translation unit tells the analysis ----*- C++ -*-===//
///
/// \file
/// Plain data extracted from a TU's AST: for every function definition a
/// small control-flow graph whose blocks hold only the events the analysis
/// cares about (calls, returns, function pointers stored in fields,
/// assignments to locals). It
/// carries no clang pointers, so the ASTs can be freed, TUs parsed in
/// parallel, and facts of many TUs analysed together (SPEC section 8).
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_FACTS_FACTS_H
#define IRQLCHECK_FACTS_FACTS_H

#include "Domain/Irql.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

namespace irqlcheck {

/// A source position: file as clang names it, 1-based line and column.
struct Loc {
  std::string File;
  unsigned Line = 0;
  unsigned Col = 0;
  /// clang's SourceLocation encoding, meaningful only inside the process
  /// that parsed the TU (the plugin maps findings back to clang with it).
  uint64_t Raw = 0;

  bool valid() const { return Line != 0; }
  bool operator<(const Loc &O) const {
    return std::tie(File, Line, Col) < std::tie(O.File, O.Line, O.Col);
  }
  bool operator==(const Loc &O) const {
    return File == O.File && Line == O.Line && Col == O.Col;
  }
};

/// What the analysis knows about one argument of a call.
///
/// Object paths are canonical names of storage, the same in every function:
/// `g` (global), `T::f.g` (field f.g of any struct T reached through a
/// pointer), `x@L` (local x declared at line L), `$N` (parameter N),
/// `*P` (what path P points to when that is not known), `P[3]`, `P[*]`.
struct ArgFact {
  /// The storage the argument points to (`&ext->Lock` -> `T::Lock`).
  std::string Pointee;
  /// The storage the argument reads, when it is an lvalue (`old` -> `old@7`).
  std::string Value;
  /// Source text, with a leading `&` removed.
  std::string Text;
  /// A function named by the argument (a callback being registered).
  std::string Function;
  /// The pointer storage dereferenced to reach the pointee (`&log->Lock`
  /// -> `log@9`, `ext->LogState` -> `T::LogState`), where that memory came
  /// from (`spinlock-in-paged-memory`).
  std::string Base;
  bool HasConst = false;
  int64_t Const = 0;
};

/// True for an object path that names storage of one function: a local
/// (`x@12`, `s@3.f`), a parameter (`$0`), or what one points to (`*$0`).
/// Globals (`g`, `file::g`, static locals `f::g`) and fields reached through
/// pointers (`T::f`) are named the same in every function; a file name
/// with `@` or `$` in it does not make them local.
inline bool isFunctionLocalPath(llvm::StringRef Path) {
  Path = Path.ltrim('*');
  if (Path.starts_with("$"))
    return true;
  return !Path.contains("::") && Path.contains('@');
}

struct CallFact {
  /// Key of the callee: its name, or `file::name` for a static function.
  /// Empty for calls through function pointers.
  std::string Callee;
  /// For a call through a function pointer: the storage it is read from
  /// (`T::Callback`, `fn@12`), so functions stored there are its callees.
  std::string Through;
  /// The name as the user wrote it: the outermost macro at the call when
  /// that macro expands to the call (KeAcquireSpinLock), else the callee.
  std::string Spelled;
  std::vector<std::string> Macros; ///< Macro names at the call, outermost first.
  Loc At;
  std::vector<ArgFact> Args;
  /// Storage the call's result is assigned to (`old = KeRaiseIrqlToDpcLevel()`).
  std::string ResultTo;
  /// The call is the condition of the branch that ends its block (`if
  /// (KeTryToAcquireSpinLockAtDpcLevel(...))`); Negated for `if (!f(...))`.
  bool IsBranchCondition = false;
  bool BranchNegated = false;
};

/// A function stored into a field or variable (`DriverObject->DriverUnload =
/// Unload`): a registration when the target is a role-bearing field.
struct StoreFact {
  /// The assigned field as `STRUCT_TAG::field` whatever the object (what
  /// registrations name), else the object path of the storage.
  std::string Target;
  /// The object path of the storage (`params@12.FullySpecified.Routine`),
  /// matched against the paths a registration or a call later reads.
  std::string Path;
  std::string Text; ///< The assigned expression as written.
  /// The macro the store was written through (ExInitializeWorkItem).
  std::string Macro;
  std::string Function;
  Loc At;
};

/// An assignment to a local variable or a part of one (`t.QuadPart = 0;`,
/// `LARGE_INTEGER t = {0};`, `n += 2;`): what the value of that storage is
/// known to be afterwards, e.g. whether a wait's timeout is visibly zero.
struct AssignFact {
  /// The object path of the storage written. A member that fills its whole
  /// union (`LARGE_INTEGER::QuadPart`) names the union itself.
  std::string Target;
  /// The value is a known constant (else the assignment makes it unknown).
  bool HasConst = false;
  int64_t Const = 0;
};

/// A read or write of memory the function does not own: a global, or
/// storage reached through a pointer (`ext->Isr.Count`, `*p`, `buf[i]`).
/// Locals are not listed; neither are accesses made by a callee
/// (`InterlockedIncrement(&ext->Count)` is a call).
struct AccessFact {
  /// The object path of the storage (`T::Isr.Count`, `g.f`, `*log@9`).
  std::string Path;
  /// The pointer storage dereferenced to reach it (`T::LogState` for
  /// `ext->LogState->Count`, `log@9`); empty for a global itself.
  std::string Base;
  std::string Text; ///< As written.
  bool Write = false;
};

/// A pointer copied between two named storages (`log = ext->LogState;`,
/// `ext->Buffer = p;`): where the memory it points to came from follows.
struct CopyFact {
  std::string To, From; ///< Object paths.
};

struct Event {
  enum EventKind { EK_Call, EK_Return, EK_Store, EK_Assign, EK_Access,
                   EK_Copy };
  EventKind Kind = EK_Call;
  Loc At;            ///< EK_Return: the return statement or closing brace;
                     ///< EK_Assign, EK_Access, EK_Copy: the expression.

  /// The payload of Kind; an empty one for any other kind. Writing through
  /// a non-const accessor makes the payload that one.
  const CallFact &call() const { return get<CallFact>(); }
  const StoreFact &store() const { return get<StoreFact>(); }
  const AssignFact &assign() const { return get<AssignFact>(); }
  const AccessFact &access() const { return get<AccessFact>(); }
  const CopyFact &copy() const { return get<CopyFact>(); }
  CallFact &call() { return set<CallFact>(); }
  StoreFact &store() { return set<StoreFact>(); }
  AssignFact &assign() { return set<AssignFact>(); }
  AccessFact &access() { return set<AccessFact>(); }
  CopyFact &copy() { return set<CopyFact>(); }

private:
  // One payload, not one of each kind: the facts of a large program are
  // mostly events.
  std::variant<std::monostate, CallFact, StoreFact, AssignFact, AccessFact,
               CopyFact>
      Payload;
  template <typename T> const T &get() const {
    if (const T *P = std::get_if<T>(&Payload))
      return *P;
    static const T Empty;
    return Empty;
  }
  template <typename T> T &set() {
    if (!std::holds_alternative<T>(Payload))
      Payload.template emplace<T>();
    return std::get<T>(Payload);
  }
};

struct Edge {
  unsigned To = 0;
  /// IRQLs for which this edge can be taken (branches on KeGetCurrentIrql()).
  IrqlSet Filter = IL_All;
  /// For a two-way branch: 1 on the edge taken when the condition is true,
  /// 2 on the edge taken when it is false, 0 otherwise.
  uint8_t Branch = 0;
};

struct BlockFact {
  std::vector<Event> Events;
  std::vector<Edge> Succs;
};

/// A lock named by a SAL lock annotation (`_Acquires_lock_(Ext->Lock)`).
struct SalLock {
  std::string Text; ///< The argument as written (white space normalized).
  /// The lock as an object path in the function's own terms, as in ArgFact:
  /// `$N`, `*$N`, `T::f` (through a pointer), a global. Empty when the text
  /// names nothing the extractor can see (SAL pseudo-locks such as
  /// `_Global_cancel_spin_lock_`, or forms it does not parse).
  std::string Path;
};

/// `_IRQL_saves_global_(Kind, Param)` / `_IRQL_restores_global_`: the IRQL
/// is saved to (restored from) storage of kind \c Kind reached through a
/// parameter (`QueuedSpinLock` through `LockHandle`).
struct SalGlobalIrql {
  std::string Kind; ///< Empty: no such annotation.
  int Param = -1;   ///< The parameter it names; -1 if none matches.
};

/// SAL annotations of a function (any of its declarations), read the same
/// whether the SAL macros expand to irqlcheck's `annotate` attributes or to
/// nothing (real WDK headers under clang).
struct Annotations {
  IrqlSet Requires = 0;     ///< _IRQL_requires_: exact set
  IrqlSet RequiresMax = 0;  ///< _IRQL_requires_max_
  IrqlSet RequiresMin = 0;  ///< _IRQL_requires_min_
  IrqlSet Raises = 0;       ///< _IRQL_raises_
  int SavesParam = -1;      ///< parameter marked _IRQL_saves_
  int RestoresParam = -1;   ///< parameter marked _IRQL_restores_
  SalGlobalIrql SavesGlobal;   ///< _IRQL_saves_global_
  SalGlobalIrql RestoresGlobal; ///< _IRQL_restores_global_
  std::string FunctionClass; ///< _Function_class_(NAME)
  /// _Acquires_lock_, _Releases_lock_, _Requires_lock_held_,
  /// _Requires_lock_not_held_: each lock once, in source order.
  std::vector<SalLock> AcquiresLock, ReleasesLock, RequiresLockHeld,
      RequiresLockNotHeld;
  bool any() const {
    return Requires || RequiresMax || RequiresMin || Raises ||
           SavesParam >= 0 || RestoresParam >= 0 ||
           !SavesGlobal.Kind.empty() || !RestoresGlobal.Kind.empty() ||
           !FunctionClass.empty() || !AcquiresLock.empty() ||
           !ReleasesLock.empty() || !RequiresLockHeld.empty() ||
           !RequiresLockNotHeld.empty();
  }
};

/// True for a PAGE* code section ("PAGE", "PAGEUART"; any case), which the
/// kernel may page out. INIT (discarded after DriverEntry) and .text are
/// resident while the driver runs.
inline bool isPageableSection(const std::string &Section) {
  return llvm::StringRef(Section).starts_with_insensitive("PAGE");
}

struct FunctionFact {
  std::string Key;  ///< Name, or `file::name` when static.
  std::string Name; ///< As declared.
  Loc At;           ///< The definition's name.
  std::vector<std::string> Params;
  /// Role typedefs the function is declared with (`KDEFERRED_ROUTINE F;`),
  /// with where.
  std::vector<std::pair<std::string, Loc>> DeclaredAs;
  Annotations Sal;
  /// The name of the declaration the function annotations are written on
  /// (the definition's, else the nearest redeclaration's).
  Loc SalAt;
  /// The code section the source puts the function in, if any ("PAGE"),
  /// how ("#pragma alloc_text", "#pragma code_seg", "__declspec(code_seg)",
  /// "__attribute__((section))") and where.
  std::string Section;
  std::string SectionBy;
  Loc SectionAt;
  /// The first PAGED_CODE() in the body, if any.
  Loc PagedCodeAt;
  bool HasBody = false;
  /// The body could not be turned into a CFG (e.g. __try/__finally): the
  /// events are in source order in one block, and branches are not seen.
  bool Linearized = false;
  std::vector<BlockFact> Blocks;
  unsigned EntryBlock = 0;

  /// Its code may be paged out: a PAGE* section, or it says so with
  /// PAGED_CODE().
  bool pageable() const {
    return isPageableSection(Section) || PagedCodeAt.valid();
  }
};

/// A declaration without a body that carries SAL annotations, a role or a
/// code section, so that calls to it are checked against them (a prototype
/// of a function in another TU).
struct DeclFact {
  std::string Key;
  std::string Name;
  Loc At;
  Annotations Sal;
  std::vector<std::pair<std::string, Loc>> DeclaredAs;
  /// As in FunctionFact; only attributes reach a prototype (`#pragma
  /// alloc_text` names the definition, in the definition's TU).
  std::string Section;
  std::string SectionBy;
  Loc SectionAt;

  bool pageable() const { return isPageableSection(Section); }
};

/// A global variable the source places in a named data section
/// (`#pragma data_seg/bss_seg/const_seg`, `__declspec(allocate)`,
/// `__attribute__((section))`): whether it is pageable data, and whether
/// it holds storage that must be resident.
struct GlobalFact {
  std::string Key; ///< As object paths name it: `g`, or `file::g` if static.
  std::string Name;
  Loc At;
  std::string Section, SectionBy;
  Loc SectionAt;
  /// Typedef names in its type, through arrays and struct fields
  /// (`KSPIN_LOCK`), each once, in order.
  std::vector<std::string> Types;
};

struct TUFacts {
  std::string MainFile;
  std::vector<FunctionFact> Functions;
  std::vector<DeclFact> Declarations;
  std::vector<GlobalFact> Globals;
};

} // namespace irqlcheck

#endif
