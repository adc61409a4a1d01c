//===- ContractDB.cpp - Loading rules/*.yaml ------------------------------===//
#include "Contracts/ContractDB.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLTraits.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace irqlcheck;
using llvm::yaml::IO;
using llvm::yaml::MappingTraits;

namespace {
/// An IRQL level name in YAML; parsed and checked by ScalarTraits.
struct LevelName {
  IrqlSet Level = 0;
};
/// What a rules file holds.
struct RulesFile {
  std::vector<Role> Roles;
  std::vector<Contract> Functions;
  std::vector<FieldRegistration> Fields;
  std::vector<ResidentType> ResidentTypes;
};
} // namespace

LLVM_YAML_IS_FLOW_SEQUENCE_VECTOR(LevelName)
LLVM_YAML_IS_SEQUENCE_VECTOR(Role)
LLVM_YAML_IS_SEQUENCE_VECTOR(Contract)
LLVM_YAML_IS_SEQUENCE_VECTOR(FieldRegistration)
LLVM_YAML_IS_SEQUENCE_VECTOR(Registration)
LLVM_YAML_IS_SEQUENCE_VECTOR(HeldOnEntry)
LLVM_YAML_IS_SEQUENCE_VECTOR(ResidentType)

namespace llvm {
namespace yaml {

template <> struct ScalarTraits<LevelName> {
  static void output(const LevelName &, void *, raw_ostream &) {}
  static StringRef input(StringRef S, void *, LevelName &L) {
    auto Parsed = parseLevel(S);
    if (!Parsed)
      return "unknown IRQL level (expected PASSIVE_LEVEL, APC_LEVEL, "
             "DISPATCH_LEVEL, DIRQL or HIGH_LEVEL)";
    L.Level = *Parsed;
    return {};
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

template <> struct ScalarEnumerationTraits<LockContract::OpKind> {
  static void enumeration(IO &Io, LockContract::OpKind &V) {
    Io.enumCase(V, "acquire", LockContract::LO_Acquire);
    Io.enumCase(V, "try_acquire", LockContract::LO_TryAcquire);
    Io.enumCase(V, "release", LockContract::LO_Release);
  }
};

static void mapLevel(IO &Io, const char *Key, IrqlSet &Out) {
  std::optional<LevelName> L;
  Io.mapOptional(Key, L);
  if (L)
    Out = L->Level;
}

template <> struct ScalarEnumerationTraits<Contract::InterruptOpKind> {
  static void enumeration(IO &Io, Contract::InterruptOpKind &V) {
    Io.enumCase(V, "connect", Contract::IO_Connect);
    Io.enumCase(V, "disconnect", Contract::IO_Disconnect);
  }
};

template <> struct MappingTraits<IrqlContract> {
  static void mapping(IO &Io, IrqlContract &C) {
    IrqlSet Exactly = 0;
    mapLevel(Io, "exactly", Exactly);
    mapLevel(Io, "min", C.Min);
    mapLevel(Io, "max", C.Max);
    if (Exactly)
      C.Min = C.Max = Exactly;
    mapLevel(Io, "raises", C.Raises);
    Io.mapOptional("raises_to_arg", C.RaisesToArg, -1);
    Io.mapOptional("saves_return", C.SavesReturn, false);
    Io.mapOptional("saves_to_arg", C.SavesToArg, -1);
    Io.mapOptional("restores_arg", C.RestoresArg, -1);
    Io.mapOptional("restores_from_arg", C.RestoresFromArg, -1);
    Io.mapOptional("returns_current", C.ReturnsCurrent, false);
  }
  static std::string validate(IO &, IrqlContract &C) {
    if (C.Min && C.Max && C.Min > C.Max)
      return "'min' is above 'max'";
    return {};
  }
};

template <> struct MappingTraits<LockContract> {
  static void mapping(IO &Io, LockContract &C) {
    Io.mapRequired("op", C.Op);
    Io.mapOptional("arg", C.Arg, -1);
    Io.mapOptional("handle", C.Handle, -1);
    Io.mapOptional("global", C.Global, std::string());
    Io.mapOptional("kind", C.Kind, std::string("spin lock"));
    Io.mapOptional("released_by", C.ReleasedBy);
  }
  static std::string validate(IO &, LockContract &C) {
    if (C.Arg < 0 && C.Handle < 0 && C.Global.empty())
      return "a lock needs 'arg', 'handle' or 'global'";
    if (C.Op != LockContract::LO_Release && C.ReleasedBy.empty())
      return "an acquire needs 'released_by'";
    return {};
  }
};

template <> struct MappingTraits<Registration> {
  static void mapping(IO &Io, Registration &R) {
    Io.mapRequired("arg", R.Arg);
    Io.mapRequired("role", R.Role);
  }
};

template <> struct MappingTraits<StoreContract> {
  static void mapping(IO &Io, StoreContract &S) {
    Io.mapRequired("to", S.To);
    Io.mapRequired("value", S.Value);
  }
};

template <> struct MappingTraits<WaitContract> {
  static void mapping(IO &Io, WaitContract &W) {
    Io.mapOptional("timeout_arg", W.TimeoutArg, -1);
    Io.mapOptional("always", W.Always, false);
  }
  static std::string validate(IO &, WaitContract &W) {
    if (!W.any())
      return "a wait needs 'timeout_arg' or 'always: true'";
    return {};
  }
};

template <> struct MappingTraits<StallContract> {
  static void mapping(IO &Io, StallContract &S) {
    Io.mapRequired("arg", S.Arg);
    Io.mapRequired("max_at_dispatch", S.MaxAtDispatch);
  }
  static std::string validate(IO &, StallContract &S) {
    if (S.Arg < 0 || S.MaxAtDispatch < 0)
      return "'arg' and 'max_at_dispatch' cannot be negative";
    return {};
  }
};

template <> struct MappingTraits<AllocContract> {
  static void mapping(IO &Io, AllocContract &A) {
    Io.mapRequired("pool_arg", A.PoolArg);
    Io.mapRequired("paged_mask", A.PagedMask);
  }
  static std::string validate(IO &, AllocContract &A) {
    if (A.PoolArg < 0 || A.PagedMask <= 0)
      return "'pool_arg' cannot be negative and 'paged_mask' must be positive";
    return {};
  }
};

template <> struct MappingTraits<ResidentContract> {
  static void mapping(IO &Io, ResidentContract &R) {
    Io.mapRequired("arg", R.Arg);
    Io.mapRequired("what", R.What);
  }
  static std::string validate(IO &, ResidentContract &R) {
    if (R.Arg < 0)
      return "'arg' cannot be negative";
    return {};
  }
};

template <> struct MappingTraits<ResidentType> {
  static void mapping(IO &Io, ResidentType &R) {
    Io.mapRequired("type", R.Type);
    Io.mapRequired("what", R.What);
  }
};

template <> struct MappingTraits<HeldOnEntry> {
  static void mapping(IO &Io, HeldOnEntry &H) {
    Io.mapRequired("global", H.Global);
    Io.mapOptional("kind", H.Kind, std::string("spin lock"));
    Io.mapOptional("must_release", H.MustRelease, false);
  }
};

template <> struct MappingTraits<Role> {
  static void mapping(IO &Io, Role &R) {
    Io.mapRequired("name", R.Name);
    Io.mapRequired("description", R.Description);
    Io.mapOptional("typedefs", R.Typedefs);
    std::vector<LevelName> Levels;
    Io.mapRequired("irql", Levels);
    for (const LevelName &L : Levels)
      R.Irql |= L.Level;
    Io.mapOptional("holds", R.Holds);
    Io.mapOptional("interrupt_not_connected", R.InterruptNotConnected, false);
  }
  static std::string validate(IO &, Role &R) {
    if (!R.Irql)
      return "role '" + R.Name + "' needs at least one IRQL";
    return {};
  }
};

template <> struct MappingTraits<Contract> {
  static void mapping(IO &Io, Contract &C) {
    Io.mapRequired("name", C.Name);
    Io.mapOptional("aliases", C.Aliases);
    Io.mapOptional("irql", C.Irql);
    std::optional<LockContract> Lock;
    Io.mapOptional("lock", Lock);
    if (Lock)
      C.Lock = *Lock;
    Io.mapOptional("registers", C.Registers);
    std::optional<StoreContract> Stores;
    Io.mapOptional("stores", Stores);
    if (Stores)
      C.Stores = *Stores;
    std::optional<WaitContract> Wait;
    Io.mapOptional("wait", Wait);
    if (Wait)
      C.Wait = *Wait;
    std::optional<StallContract> Stall;
    Io.mapOptional("stall", Stall);
    if (Stall)
      C.Stall = *Stall;
    std::optional<AllocContract> Allocates;
    Io.mapOptional("allocates", Allocates);
    if (Allocates)
      C.Allocates = *Allocates;
    std::optional<ResidentContract> Resident;
    Io.mapOptional("resident", Resident);
    if (Resident)
      C.Resident = *Resident;
    Io.mapOptional("interlocked_lock", C.InterlockedLock, -1);
    Io.mapOptional("interrupt", C.Interrupt, Contract::IO_None);
  }
  static std::string validate(IO &, Contract &C) {
    if (C.InterlockedLock < -1)
      return "'interlocked_lock' cannot be negative";
    return {};
  }
};

template <> struct MappingTraits<FieldRegistration> {
  static void mapping(IO &Io, FieldRegistration &F) {
    Io.mapRequired("field", F.Field);
    Io.mapRequired("role", F.Role);
  }
};

template <> struct MappingTraits<RulesFile> {
  static void mapping(IO &Io, RulesFile &F) {
    Io.mapOptional("roles", F.Roles);
    Io.mapOptional("functions", F.Functions);
    Io.mapOptional("fields", F.Fields);
    Io.mapOptional("resident_types", F.ResidentTypes);
  }
};

} // namespace yaml
} // namespace llvm

std::string IrqlContract::requirementText() const {
  if (Min && Min == Max)
    return "== " + describeLevels(Min);
  if (Min && Max)
    return "between " + describeLevels(Min) + " and " + describeLevels(Max);
  if (Min)
    return ">= " + describeLevels(Min);
  return "<= " + describeLevels(Max);
}

static void collectDiag(const llvm::SMDiagnostic &D, void *Ctx) {
  std::string &Out = *static_cast<std::string *>(Ctx);
  if (!Out.empty())
    return; // The first error is the useful one.
  llvm::raw_string_ostream OS(Out);
  OS << D.getFilename() << ":" << D.getLineNo() << ":" << (D.getColumnNo() + 1)
     << ": error: " << D.getMessage();
}

llvm::Error ContractDB::loadFile(llvm::StringRef Path) {
  auto Buf = llvm::MemoryBuffer::getFile(Path);
  if (!Buf)
    return llvm::createStringError(Buf.getError(),
                                   "%s: error: cannot read rules file: %s",
                                   Path.str().c_str(),
                                   Buf.getError().message().c_str());
  return loadBuffer((*Buf)->getBuffer(), Path);
}

llvm::Error ContractDB::loadBuffer(llvm::StringRef Text,
                                   llvm::StringRef Path) {
  std::string Diag;
  RulesFile F;
  llvm::yaml::Input In(llvm::MemoryBufferRef(Text, Path), nullptr, collectDiag,
                       &Diag);
  In >> F;
  if (In.error())
    return llvm::createStringError(
        In.error(), Diag.empty() ? (Path + ": error: malformed rules file").str()
                                 : Diag);
  // Neither is an error to the YAML reader, and both would silently leave
  // contracts out: an empty file, and what follows a second `---`, which is
  // never read. In this order: nextDocument() steps past the end of a
  // stream with no document (a crash), and a file that defines something
  // has one.
  if (F.Roles.empty() && F.Functions.empty() && F.Fields.empty() &&
      F.ResidentTypes.empty())
    return llvm::createStringError(
        std::errc::invalid_argument,
        "%s: error: defines nothing (no functions, roles, fields or "
        "resident_types)",
        Path.str().c_str());
  if (In.nextDocument())
    return llvm::createStringError(
        std::errc::invalid_argument,
        "%s: error: more than one YAML document ('---'); a rules file holds "
        "one",
        Path.str().c_str());
  for (Role &R : F.Roles) {
    auto It = llvm::find_if(Roles, [&](const Role &O) { return O.Name == R.Name; });
    if (It != Roles.end())
      *It = std::move(R);
    else
      Roles.push_back(std::move(R));
  }
  for (Contract &C : F.Functions) {
    C.File = Path.str();
    std::string Name = C.Name;
    Contracts[Name] = std::move(C);
  }
  for (FieldRegistration &FR : F.Fields)
    Fields.push_back(std::move(FR));
  for (ResidentType &RT : F.ResidentTypes) {
    auto It = llvm::find_if(ResidentTypes, [&](const ResidentType &O) {
      return O.Type == RT.Type;
    });
    if (It != ResidentTypes.end())
      *It = std::move(RT);
    else
      ResidentTypes.push_back(std::move(RT));
  }
  return llvm::Error::success();
}

llvm::Error ContractDB::loadDirectory(llvm::StringRef Dir) {
  std::error_code EC;
  std::vector<std::string> Files;
  for (llvm::sys::fs::directory_iterator I(Dir, EC), E; I != E && !EC;
       I.increment(EC))
    if (llvm::sys::path::extension(I->path()) == ".yaml")
      Files.push_back(I->path());
  if (EC)
    return llvm::createStringError(EC, "%s: error: cannot read rules directory: %s",
                                   Dir.str().c_str(), EC.message().c_str());
  if (Files.empty())
    return llvm::createStringError(std::errc::no_such_file_or_directory,
                                   "%s: error: no *.yaml rules files",
                                   Dir.str().c_str());
  llvm::sort(Files);
  // One broken file does not keep the others out.
  llvm::Error Errors = llvm::Error::success();
  for (const std::string &F : Files)
    Errors = llvm::joinErrors(std::move(Errors), loadFile(F));
  return Errors;
}

llvm::Error ContractDB::validate() const {
  llvm::Error Errors = llvm::Error::success();
  std::vector<std::string> Keys;
  for (const auto &E : Contracts)
    Keys.push_back(E.getKey().str());
  llvm::sort(Keys);
  for (const std::string &K : Keys) {
    const Contract &C = Contracts.find(K)->second;
    for (const Registration &R : C.Registers)
      if (!role(R.Role))
        Errors = llvm::joinErrors(
            std::move(Errors),
            llvm::createStringError(
                std::errc::invalid_argument,
                "%s: error: function '%s' registers unknown role '%s'",
                C.File.c_str(), C.Name.c_str(), R.Role.c_str()));
  }
  for (const FieldRegistration &F : Fields)
    if (!role(F.Role))
      Errors = llvm::joinErrors(
          std::move(Errors),
          llvm::createStringError(std::errc::invalid_argument,
                                  "error: field '%s' names unknown role '%s'",
                                  F.Field.c_str(), F.Role.c_str()));
  return Errors;
}

const Contract *ContractDB::lookup(llvm::StringRef Function) const {
  auto It = Contracts.find(Function);
  return It == Contracts.end() ? nullptr : &It->second;
}

void ContractDB::add(Contract C) {
  std::string Name = C.Name;
  Contracts[Name] = std::move(C);
}

const Role *ContractDB::role(llvm::StringRef Name) const {
  for (const Role &R : Roles)
    if (R.Name == Name)
      return &R;
  return nullptr;
}

const Role *ContractDB::roleForTypedef(llvm::StringRef Typedef) const {
  for (const Role &R : Roles)
    if (llvm::is_contained(R.Typedefs, Typedef))
      return &R;
  return nullptr;
}

const FieldRegistration *
ContractDB::fieldRegistration(llvm::StringRef Path) const {
  for (const FieldRegistration &F : Fields)
    if (F.Field == Path)
      return &F;
  return nullptr;
}

bool ContractDB::isAliasOf(llvm::StringRef Macro,
                           llvm::StringRef Function) const {
  const Contract *C = lookup(Function);
  return C && llvm::is_contained(C->Aliases, Macro);
}

const ResidentType *ContractDB::residentType(llvm::StringRef Type) const {
  for (const ResidentType &R : ResidentTypes)
    if (R.Type == Type)
      return &R;
  return nullptr;
}
