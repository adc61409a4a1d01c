// spinlock-in-paged-memory: spin lock storage that is not resident: in a PAGE* data section, or initialized on PagedPool memory.
// RUN: not %irqlcheck --no-source %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: %irqlcheck --disable=spinlock-in-paged-memory %s | count 0
//
// CHECK lines expect every finding. The file has no finding of another
// rule, so with this rule disabled the tool prints nothing and exits 0.

#include <ntddk.h>

typedef struct _FOO_SHARED {
    KSPIN_LOCK Lock;
    LIST_ENTRY List;
} FOO_SHARED, *PFOO_SHARED;

typedef struct _FOO_CONFIG {
    ULONG RetryLimit;
    ULONG TimeoutMs;
} FOO_CONFIG;

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;            // resident: the device extension
    PFOO_SHARED Shared;         // PagedPool (the bug below)
    PFOO_SHARED Resident;       // NonPagedPoolNx
    FAST_MUTEX ConfigMutex;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// The reference driver's defect: a driver-wide lock defined inside the
// PAGEDATA region with the paged defaults.
#pragma data_seg("PAGEDATA")
FOO_CONFIG FooDefaults = { 3, 1000 };
// CHECK: spinlock-in-paged-memory.c:[[@LINE+2]]:12: warning: spin lock 'FooGlobalLock' is in pageable section PAGEDATA; spin lock storage must be resident (a device or controller extension, or nonpaged pool) [spinlock-in-paged-memory]
// CHECK-NEXT: spinlock-in-paged-memory.c:33:9: note: 'FooGlobalLock' is placed in section PAGEDATA by #pragma data_seg here
KSPIN_LOCK FooGlobalLock = 0;
// A struct holding a spin lock.
// CHECK: spinlock-in-paged-memory.c:[[@LINE+2]]:12: warning: 'FooPagedShared' holds a spin lock (KSPIN_LOCK) and is in pageable section PAGEDATA; spin lock storage must be resident (a device or controller extension, or nonpaged pool) [spinlock-in-paged-memory]
// CHECK-NEXT: spinlock-in-paged-memory.c:33:9: note: 'FooPagedShared' is placed in section PAGEDATA by #pragma data_seg here
FOO_SHARED FooPagedShared = {0};
#pragma data_seg()

// Uninitialized: bss_seg; an array of locks; a fast mutex.
#pragma bss_seg("PAGEBSS")
// CHECK: spinlock-in-paged-memory.c:[[@LINE+2]]:12: warning: spin lock 'FooLockArray' is in pageable section PAGEBSS; spin lock storage must be resident (a device or controller extension, or nonpaged pool) [spinlock-in-paged-memory]
// CHECK-NEXT: spinlock-in-paged-memory.c:45:1: note: 'FooLockArray' is placed in section PAGEBSS by #pragma bss_seg here
KSPIN_LOCK FooLockArray[4];
// CHECK: spinlock-in-paged-memory.c:[[@LINE+2]]:12: warning: fast mutex 'FooPagedMutex' is in pageable section PAGEBSS; fast mutex storage must be resident (a device or controller extension, or nonpaged pool) [spinlock-in-paged-memory]
// CHECK-NEXT: spinlock-in-paged-memory.c:45:1: note: 'FooPagedMutex' is placed in section PAGEBSS by #pragma bss_seg here
FAST_MUTEX FooPagedMutex;
#pragma bss_seg()

// __declspec(allocate) names the section directly.
#pragma section("PAGEX", read, write)
// CHECK: spinlock-in-paged-memory.c:[[@LINE+2]]:42: warning: spin lock 'FooDeclspecLock' is in pageable section PAGEX; spin lock storage must be resident (a device or controller extension, or nonpaged pool) [spinlock-in-paged-memory]
// CHECK-NEXT: spinlock-in-paged-memory.c:58:12: note: 'FooDeclspecLock' is placed in section PAGEX by __declspec(allocate) here
__declspec(allocate("PAGEX")) KSPIN_LOCK FooDeclspecLock = 0;

// A lock initialized on PagedPool memory, followed through a field.
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS FooStart(PDEVICE_EXTENSION ext)
{
    PFOO_SHARED shared;

    KeInitializeSpinLock(&ext->Lock);
    ExInitializeFastMutex(&ext->ConfigMutex);
    ext->Shared = (PFOO_SHARED)ExAllocatePoolWithTag(PagedPool, sizeof(FOO_SHARED), 'hSoF');
    ext->Resident = (PFOO_SHARED)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(FOO_SHARED), 'hSoF');
    if (ext->Shared == NULL || ext->Resident == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    // CHECK: spinlock-in-paged-memory.c:[[@LINE+2]]:5: warning: 'KeInitializeSpinLock' initializes spin lock 'ext->Shared->Lock' in paged pool; spin lock storage must be resident (a device or controller extension, or nonpaged pool) [spinlock-in-paged-memory]
    // CHECK-NEXT: spinlock-in-paged-memory.c:68:32: note: allocated from paged pool by 'ExAllocatePoolWithTag' here
    KeInitializeSpinLock(&ext->Shared->Lock);
    KeInitializeSpinLock(&ext->Resident->Lock);

    // Through a local; a paged global that is not of a lock type.
    shared = (PFOO_SHARED)ExAllocatePoolWithTag(PagedPool, sizeof(FOO_SHARED), 'hSoF');
    if (shared == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    // CHECK: spinlock-in-paged-memory.c:[[@LINE+2]]:5: warning: 'KeInitializeSpinLock' initializes spin lock 'shared->Lock' in paged pool; spin lock storage must be resident (a device or controller extension, or nonpaged pool) [spinlock-in-paged-memory]
    // CHECK-NEXT: spinlock-in-paged-memory.c:78:27: note: allocated from paged pool by 'ExAllocatePoolWithTag' here
    KeInitializeSpinLock(&shared->Lock);
    // CHECK: spinlock-in-paged-memory.c:[[@LINE+2]]:5: warning: 'KeInitializeSpinLock' initializes spin lock '(PKSPIN_LOCK)&FooDefaults.RetryLimit' in pageable section PAGEDATA; spin lock storage must be resident (a device or controller extension, or nonpaged pool) [spinlock-in-paged-memory]
    // CHECK-NEXT: spinlock-in-paged-memory.c:33:9: note: 'FooDefaults' is placed in section PAGEDATA by #pragma data_seg here
    KeInitializeSpinLock((PKSPIN_LOCK)&FooDefaults.RetryLimit);
    ExFreePoolWithTag(shared, 'hSoF');
    return STATUS_SUCCESS;
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// Resident globals: default data section, INIT-free names, a paged
// section holding no lock, a section that is not PAGE*.
KSPIN_LOCK FooResidentLock = 0;
#pragma data_seg("NONPAGED")
KSPIN_LOCK FooNamedResidentLock = 0;
#pragma data_seg()
#pragma data_seg("PAGEDATA")
ULONG FooPagedCounter = 0;
PKSPIN_LOCK FooPagedPointerToLock = &FooResidentLock;   // the pointer is paged, the lock is not
#pragma data_seg()

// Locks initialized in nonpaged pool, in the extension, on the stack of
// a local (not pool), and a paged buffer that holds no lock.
_IRQL_requires_(PASSIVE_LEVEL)
VOID FooInitResident(PDEVICE_EXTENSION ext)
{
    PFOO_SHARED shared = (PFOO_SHARED)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(FOO_SHARED), 'hSoF');
    PULONG pagedBuffer = (PULONG)ExAllocatePoolWithTag(PagedPool, 64, 'fBoF');

    KeInitializeSpinLock(&FooResidentLock);
    KeInitializeSpinLock(&FooNamedResidentLock);
    KeInitializeSpinLock(&ext->Lock);
    if (shared != NULL) {
        KeInitializeSpinLock(&shared->Lock);
        ExFreePoolWithTag(shared, 'hSoF');
    }
    if (pagedBuffer != NULL) {
        pagedBuffer[0] = 0;
        ExFreePoolWithTag(pagedBuffer, 'fBoF');
    }
    FooPagedCounter = 1;
}
