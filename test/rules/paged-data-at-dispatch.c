// paged-data-at-dispatch: pageable data touched at IRQL >= DISPATCH_LEVEL or with a spin lock held.
// RUN: not %irqlcheck --no-source %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: %irqlcheck --disable=paged-data-at-dispatch %s | count 0
//
// CHECK lines expect every finding. The file has no finding of another
// rule, so with this rule disabled the tool prints nothing and exits 0.

#include <ntddk.h>

typedef struct _FOO_LOG {
    ULONG Dropped;
    ULONG Written;
    WCHAR Name[64];
} FOO_LOG, *PFOO_LOG;

typedef struct _FOO_CONFIG {
    ULONG RetryLimit;
    ULONG TimeoutMs;
} FOO_CONFIG;

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    KDPC Dpc;
    KDPC OtherDpc;
    PFOO_LOG Log;          // PagedPool: PASSIVE_LEVEL only
    PFOO_LOG FastLog;      // NonPagedPoolNx
    PULONG Counters;       // PagedPool, through a local first
    ULONG Retries;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// Defaults read while the driver is configured, at PASSIVE_LEVEL.
#pragma data_seg("PAGEDATA")
FOO_CONFIG FooDefaults = { 3, 1000 };
#pragma data_seg()

#pragma bss_seg("PAGEBSS")
ULONG FooPagedCounter;
#pragma bss_seg()

// Resident: the default data section.
FOO_CONFIG FooResidentDefaults = { 3, 1000 };

KDEFERRED_ROUTINE FooDpc;
KDEFERRED_ROUTINE FooOtherDpc;
DRIVER_DISPATCH FooDispatchIoctl;

_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS FooStart(PDEVICE_EXTENSION ext)
{
    PULONG counters;

    KeInitializeSpinLock(&ext->Lock);
    KeInitializeDpc(&ext->Dpc, FooDpc, ext);
    KeInitializeDpc(&ext->OtherDpc, FooOtherDpc, ext);
    ext->Log = (PFOO_LOG)ExAllocatePoolWithTag(PagedPool, sizeof(FOO_LOG), 'gLoF');
    ext->FastLog = (PFOO_LOG)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(FOO_LOG), 'gLoF');
    counters = (PULONG)ExAllocatePoolWithTag(PagedPool, 16 * sizeof(ULONG), 'tCoF');
    if (ext->Log == NULL || ext->FastLog == NULL || counters == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    ext->Counters = counters;
    // Clean: PagedPool memory and paged globals at PASSIVE_LEVEL.
    ext->Log->Dropped = 0;
    counters[0] = FooDefaults.RetryLimit;
    FooPagedCounter = 0;
    return STATUS_SUCCESS;
}

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// The reference driver's defect: a DPC counts dropped log entries in the
// PagedPool log state. One finding per function and object: the second
// access to ext->Log is not repeated.
VOID FooDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    // CHECK: paged-data-at-dispatch.c:[[@LINE+4]]:5: warning: writing 'ext->Log->Dropped', in paged pool, at DISPATCH_LEVEL; it may be paged out [paged-data-at-dispatch]
    // CHECK-NEXT: paged-data-at-dispatch.c:55:26: note: allocated from paged pool by 'ExAllocatePoolWithTag' here
    // CHECK-NEXT: paged-data-at-dispatch.c:43:19: note: 'FooDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    // CHECK-NEXT: paged-data-at-dispatch.c:53:5: note: 'FooDpc' is a DPC routine (registered by KeInitializeDpc here), which runs at DISPATCH_LEVEL
    ext->Log->Dropped++;
    ext->Log->Written = 0;
}

// Followed through a local and a field: `counters` was copied into
// ext->Counters, then into `c` here. A paged global read in the same DPC.
VOID FooOtherDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PULONG c = ext->Counters;

    // CHECK: paged-data-at-dispatch.c:[[@LINE+4]]:5: warning: writing 'c[1]', in paged pool, at DISPATCH_LEVEL; it may be paged out [paged-data-at-dispatch]
    // CHECK-NEXT: paged-data-at-dispatch.c:57:24: note: allocated from paged pool by 'ExAllocatePoolWithTag' here
    // CHECK-NEXT: paged-data-at-dispatch.c:44:19: note: 'FooOtherDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    // CHECK-NEXT: paged-data-at-dispatch.c:54:5: note: 'FooOtherDpc' is a DPC routine (registered by KeInitializeDpc here), which runs at DISPATCH_LEVEL
    c[1] = 0;
    // CHECK: paged-data-at-dispatch.c:[[@LINE+4]]:20: warning: reading 'FooDefaults.TimeoutMs', in pageable section PAGEDATA, at DISPATCH_LEVEL; it may be paged out [paged-data-at-dispatch]
    // CHECK-NEXT: paged-data-at-dispatch.c:32:9: note: 'FooDefaults' is placed in section PAGEDATA by #pragma data_seg here
    // CHECK-NEXT: paged-data-at-dispatch.c:44:19: note: 'FooOtherDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    // CHECK-NEXT: paged-data-at-dispatch.c:54:5: note: 'FooOtherDpc' is a DPC routine (registered by KeInitializeDpc here), which runs at DISPATCH_LEVEL
    ext->Retries = FooDefaults.TimeoutMs;
}

// Under a spin lock at PASSIVE_LEVEL entry: the IRQL is DISPATCH_LEVEL
// while the lock is held. A bss_seg global and the paged log.
_IRQL_requires_(PASSIVE_LEVEL)
VOID FooResetUnderLock(PDEVICE_EXTENSION ext)
{
    KIRQL old;

    KeAcquireSpinLock(&ext->Lock, &old);
    // CHECK: paged-data-at-dispatch.c:[[@LINE+3]]:5: warning: writing 'FooPagedCounter', in pageable section PAGEBSS, with spin lock 'ext->Lock' held; it may be paged out [paged-data-at-dispatch]
    // CHECK-NEXT: paged-data-at-dispatch.c:36:1: note: 'FooPagedCounter' is placed in section PAGEBSS by #pragma bss_seg here
    // CHECK-NEXT: paged-data-at-dispatch.c:[[@LINE-3]]:5: note: spin lock 'ext->Lock' acquired here
    FooPagedCounter = 0;
    // CHECK: paged-data-at-dispatch.c:[[@LINE+3]]:5: warning: writing 'ext->Log->Written', in paged pool, with spin lock 'ext->Lock' held; it may be paged out [paged-data-at-dispatch]
    // CHECK-NEXT: paged-data-at-dispatch.c:55:26: note: allocated from paged pool by 'ExAllocatePoolWithTag' here
    // CHECK-NEXT: paged-data-at-dispatch.c:[[@LINE-7]]:5: note: spin lock 'ext->Lock' acquired here
    ext->Log->Written = 0;
    KeReleaseSpinLock(&ext->Lock, old);
}

// Through a helper: it has no role, its caller holds the lock.
static VOID FooCountDrop(PDEVICE_EXTENSION ext)
{
    // CHECK: paged-data-at-dispatch.c:[[@LINE+4]]:5: warning: writing 'ext->Log->Dropped', in paged pool, with spin lock 'ext->Lock' held; it may be paged out [paged-data-at-dispatch]
    // CHECK-NEXT: paged-data-at-dispatch.c:55:26: note: allocated from paged pool by 'ExAllocatePoolWithTag' here
    // CHECK-NEXT: paged-data-at-dispatch.c:[[@LINE+13]]:5: note: 'FooCountDrop' is called from 'FooDispatchIoctl' here, holding spin lock 'ext->Lock'
    // CHECK-NEXT: paged-data-at-dispatch.c:[[@LINE+11]]:5: note: spin lock 'ext->Lock' acquired here
    ext->Log->Dropped++;
}

NTSTATUS FooDispatchIoctl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL old;

    // Clean: a dispatch routine runs at PASSIVE_LEVEL.
    ext->Log->Written++;
    KeAcquireSpinLock(&ext->Lock, &old);
    FooCountDrop(ext);
    KeReleaseSpinLock(&ext->Lock, old);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// Nonpaged pool and resident globals at DISPATCH_LEVEL; reading the
// pointer to the paged log (it lives in the nonpaged extension) and
// passing it on without touching what it points to.
KDEFERRED_ROUTINE FooCleanDpc;

VOID FooCleanDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PFOO_LOG log = ext->Log;

    ext->FastLog->Dropped++;
    ext->Retries = FooResidentDefaults.RetryLimit;
    if (log != NULL)
        InterlockedIncrement((PLONG)&ext->Retries);
}

// Paged data at PASSIVE_LEVEL after the spin lock is released, and in a
// work item.
_IRQL_requires_(PASSIVE_LEVEL)
VOID FooAfterLock(PDEVICE_EXTENSION ext)
{
    KIRQL old;
    ULONG limit;

    KeAcquireSpinLock(&ext->Lock, &old);
    ext->Retries = 0;
    KeReleaseSpinLock(&ext->Lock, old);
    limit = FooDefaults.RetryLimit;
    ext->Log->Written = limit;
}

IO_WORKITEM_ROUTINE FooWorkItem;

VOID FooWorkItem(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    ext->Log->Name[0] = L'\0';
    ext->Counters[2]++;
    FooPagedCounter++;
}

// A local buffer from PagedPool freed at PASSIVE_LEVEL; a NonPagedPool
// buffer used under the lock.
_IRQL_requires_(PASSIVE_LEVEL)
VOID FooScratch(PDEVICE_EXTENSION ext)
{
    PULONG paged = (PULONG)ExAllocatePoolWithTag(PagedPool, 64, 'rcoF');
    PULONG fast = (PULONG)ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'rcoF');
    KIRQL old;

    if (paged == NULL || fast == NULL)
        return;
    paged[0] = 1;
    KeAcquireSpinLock(&ext->Lock, &old);
    fast[0] = 1;
    KeReleaseSpinLock(&ext->Lock, old);
    ExFreePoolWithTag(paged, 'rcoF');
    ExFreePoolWithTag(fast, 'rcoF');
}
