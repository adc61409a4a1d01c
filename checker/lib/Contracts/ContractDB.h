//===- ContractDB.h - Kernel API knowledge, loaded from rules/ ---*- C++ -*-===//
///
/// \file
/// The contract database: for each DDI its IRQL requirement and effect, the
/// lock it acquires or releases, the callbacks it registers, whether it
/// waits or stalls; the roles a
/// kernel callback can have; the fields whose assignment registers a
/// callback. All of it is data in `rules/*.yaml` (schema: rules/SCHEMA.md);
/// this file only gives it types.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_CONTRACTS_CONTRACTDB_H
#define IRQLCHECK_CONTRACTS_CONTRACTDB_H

#include "Domain/Irql.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace irqlcheck {

struct IrqlContract {
  IrqlSet Min = 0;        ///< Lowest allowed level (0: none).
  IrqlSet Max = 0;        ///< Highest allowed level (0: none).
  IrqlSet Raises = 0;     ///< Sets the IRQL to this level.
  int RaisesToArg = -1;   ///< Sets the IRQL to the value of this argument.
  bool SavesReturn = false; ///< Returns the IRQL before the call.
  int SavesToArg = -1;    ///< Stores the IRQL before the call in *arg.
  int RestoresArg = -1;   ///< Sets the IRQL to the value of this argument.
  int RestoresFromArg = -1; ///< Sets the IRQL to the value saved in *arg.
  bool ReturnsCurrent = false; ///< Returns the current IRQL.

  IrqlSet allowed() const {
    IrqlSet S = IL_All;
    if (Min)
      S &= levelsAtLeast(Min);
    if (Max)
      S &= levelsAtMost(Max);
    return S;
  }
  bool hasRequirement() const { return Min || Max; }
  /// "== DISPATCH_LEVEL", "<= APC_LEVEL", ">= DISPATCH_LEVEL", "between ...".
  std::string requirementText() const;
  bool changesIrql() const {
    return Raises || RaisesToArg >= 0 || RestoresArg >= 0 ||
           RestoresFromArg >= 0;
  }
};

struct LockContract {
  enum OpKind { LO_None, LO_Acquire, LO_TryAcquire, LO_Release };
  OpKind Op = LO_None;
  int Arg = -1;       ///< Argument pointing to the lock.
  int Handle = -1;    ///< Argument pointing to the in-stack queue handle.
  std::string Global; ///< A lock that is not an argument (the cancel lock).
  std::string Kind = "spin lock"; ///< Noun used in messages.
  /// For acquires: the release routines that pair with this acquire.
  std::vector<std::string> ReleasedBy;
};

/// The call stores argument Value into *argument To (InterlockedExchange-
/// Pointer, which IoSetCancelRoutine expands to).
struct StoreContract {
  int To = -1;
  int Value = -1;
};

/// The call waits on a dispatcher object or delays the thread
/// (`wait-at-dispatch`).
struct WaitContract {
  /// Argument pointing to the timeout (a LARGE_INTEGER; NULL waits
  /// forever). The call only reads it.
  int TimeoutArg = -1;
  /// Blocks whatever the timeout, even a zero one (KeDelayExecutionThread).
  bool Always = false;
  bool any() const { return TimeoutArg >= 0 || Always; }
};

/// The call busy-waits for a number of microseconds (`stall-too-long`).
struct StallContract {
  int Arg = -1;             ///< Argument giving the microseconds.
  int64_t MaxAtDispatch = 0; ///< Longest stall allowed at >= DISPATCH_LEVEL.
};

/// The call returns pool memory; it is pageable when the pool argument's
/// value has a bit of PagedMask set (POOL_TYPE: bit 0 is paged; POOL_FLAGS:
/// POOL_FLAG_PAGED).
struct AllocContract {
  int PoolArg = -1;
  int64_t PagedMask = 0;
};

/// Argument Arg points to lock storage that must be resident: a spin lock
/// is used at DISPATCH_LEVEL, where a page fault cannot be served.
struct ResidentContract {
  int Arg = -1;
  std::string What; ///< Noun for messages ("spin lock").
};

/// A type whose storage must be resident wherever it is (`KSPIN_LOCK`).
struct ResidentType {
  std::string Type;
  std::string What;
};

struct Registration {
  unsigned Arg = 0;
  std::string Role;
};

struct Contract {
  std::string Name;
  std::vector<std::string> Aliases; ///< Macros that expand to a call of Name.
  IrqlContract Irql;
  LockContract Lock;
  std::vector<Registration> Registers;
  StoreContract Stores;
  /// From a driver function's _Acquires_lock_/_Releases_lock_ annotations:
  /// lock paths in its own terms (`*$0`, `T::Lock`) and the annotation's
  /// text. Applied at calls when the program has no body to summarise.
  std::vector<std::pair<std::string, std::string>> SalAcquires, SalReleases;
  WaitContract Wait;
  StallContract Stall;
  AllocContract Allocates;
  ResidentContract Resident;
  /// An ExInterlocked* routine: the argument pointing to the spin lock it
  /// takes inside, with interrupts masked (`spinlock-irql-mix`); -1 if none.
  int InterlockedLock = -1;
  /// Connects or disconnects a device interrupt (IoConnectInterrupt,
  /// IoDisconnectInterrupt): before the one and after the other no ISR
  /// runs for that device (`isr-shared-state`, `spinlock-irql-mix`).
  enum InterruptOpKind { IO_None, IO_Connect, IO_Disconnect };
  InterruptOpKind Interrupt = IO_None;
  std::string File; ///< Rules file it came from.
};

struct HeldOnEntry {
  std::string Global;
  std::string Kind = "spin lock";
  /// The routine must release it before returning (a cancel routine and
  /// the cancel spin lock); otherwise the kernel releases it.
  bool MustRelease = false;
};

struct Role {
  std::string Name;
  std::string Description; ///< "a DPC routine"
  std::vector<std::string> Typedefs;
  IrqlSet Irql = 0;
  std::vector<HeldOnEntry> Holds;
  /// The device's interrupt cannot be connected yet while the role runs
  /// (AddDevice, DriverEntry): what it initializes is not shared with an
  /// ISR (`isr-shared-state`).
  bool InterruptNotConnected = false;
};

/// Assigning a function to this field registers it with a role.
struct FieldRegistration {
  std::string Field; ///< Object path, e.g. `_DRIVER_OBJECT::DriverUnload`.
  std::string Role;
};

class ContractDB {
public:
  /// Loads every `*.yaml` file of \p Dir, in name order. Later files and
  /// later directories override earlier entries of the same name. A file
  /// with an error is left out whole and the others are still loaded; the
  /// error names every file left out.
  llvm::Error loadDirectory(llvm::StringRef Dir);
  llvm::Error loadFile(llvm::StringRef Path);
  /// One rules file's text; \p Path names it in errors. Nothing of it is
  /// loaded when it has an error.
  llvm::Error loadBuffer(llvm::StringRef Text, llvm::StringRef Path);
  /// Checks cross references (roles named by registrations exist); every
  /// dangling one is in the error. The analysis ignores them.
  llvm::Error validate() const;

  const Contract *lookup(llvm::StringRef Function) const;
  /// Adds or replaces a contract (used for annotated user functions).
  void add(Contract C);
  const Role *role(llvm::StringRef Name) const;
  const Role *roleForTypedef(llvm::StringRef Typedef) const;
  const FieldRegistration *fieldRegistration(llvm::StringRef Path) const;
  /// True if \p Macro is a known spelling of a call to \p Function.
  bool isAliasOf(llvm::StringRef Macro, llvm::StringRef Function) const;

  size_t numContracts() const { return Contracts.size(); }
  const std::vector<Role> &roles() const { return Roles; }
  /// The resident type \p Type is (a typedef name), if any.
  const ResidentType *residentType(llvm::StringRef Type) const;

private:
  llvm::StringMap<Contract> Contracts;
  std::vector<Role> Roles;
  std::vector<FieldRegistration> Fields;
  std::vector<ResidentType> ResidentTypes;
};

} // namespace irqlcheck

#endif
