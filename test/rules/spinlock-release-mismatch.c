// spinlock-release-mismatch: a spin lock released with a routine that does not pair with the routine that acquired it.
// RUN: not %irqlcheck --no-source --disable=isr-shared-state %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: not %irqlcheck --no-source --disable=isr-shared-state,spinlock-release-mismatch %s 2>&1 | FileCheck %s --check-prefix=DISABLED --implicit-check-not='[spinlock-release-mismatch]' --implicit-check-not=warning: --implicit-check-not=note:
// (isr-shared-state is off: this fixture's DPCs and dispatch routines touch
// fields its ISR or SynchCritSection routines write, which that rule reports;
// see test/rules/isr-shared-state.c.)
//
// CHECK lines expect every finding; with the rule disabled (DISABLED lines)
// only the other rules' findings remain.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    KSPIN_LOCK StatsLock;
    KDPC Dpc;
    KDPC ThreadedDpc;
    LIST_ENTRY Queue;
    PKINTERRUPT Interrupt;
    ULONG Pending;
    ULONG Completed;
    BOOLEAN Removed;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// Seed "Calling support routines that use spin locks": a lock taken with
// KeAcquireSpinLock and released with KeReleaseSpinLockFromDpcLevel leaves
// the caller at DISPATCH_LEVEL.
DRIVER_DISPATCH FooDispatchWrite;

NTSTATUS FooDispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Pending++;
    // CHECK: spinlock-release-mismatch.c:[[@LINE+2]]:5: warning: spin lock 'ext->Lock' acquired with 'KeAcquireSpinLock' is released with 'KeReleaseSpinLockFromDpcLevel'; release it with 'KeReleaseSpinLock' [spinlock-release-mismatch]
    // CHECK-NEXT: spinlock-release-mismatch.c:[[@LINE-3]]:5: note: spin lock 'ext->Lock' acquired here
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// The reverse: AtDpcLevel, then KeReleaseSpinLock with an IRQL that was
// never saved.
KDEFERRED_ROUTINE FooDpc;

VOID FooDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Completed++;
    // CHECK: spinlock-release-mismatch.c:[[@LINE+2]]:5: warning: spin lock 'ext->Lock' acquired with 'KeAcquireSpinLockAtDpcLevel' is released with 'KeReleaseSpinLock'; release it with 'KeReleaseSpinLockFromDpcLevel' [spinlock-release-mismatch]
    // CHECK-NEXT: spinlock-release-mismatch.c:[[@LINE-3]]:5: note: spin lock 'ext->Lock' acquired here
    KeReleaseSpinLock(&ext->Lock, DISPATCH_LEVEL);
}

// Queued vs. classic: a lock taken as an in-stack queued spin lock released
// with KeReleaseSpinLock (the example of Code Analysis warning C28108).
DRIVER_DISPATCH FooDispatchRead;

NTSTATUS FooDispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE lockHandle;

    KeAcquireInStackQueuedSpinLock(&ext->Lock, &lockHandle);
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    // CHECK: spinlock-release-mismatch.c:[[@LINE+2]]:5: warning: queued spin lock 'ext->Lock' acquired with 'KeAcquireInStackQueuedSpinLock' is released with 'KeReleaseSpinLock'; release it with 'KeReleaseInStackQueuedSpinLock' [spinlock-release-mismatch]
    // CHECK-NEXT: spinlock-release-mismatch.c:[[@LINE-3]]:5: note: queued spin lock 'ext->Lock' acquired here
    KeReleaseSpinLock(&ext->Lock, lockHandle.OldIrql);

    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}

// Seed "Synchronization and threaded DPCs": ForDpc vs. plain, both ways, in
// CustomThreadedDpc routines.
VOID FooThreadedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    oldIrql = KeAcquireSpinLockForDpc(&ext->Lock);
    ext->Completed++;
    // CHECK: spinlock-release-mismatch.c:[[@LINE+2]]:5: warning: spin lock 'ext->Lock' acquired with 'KeAcquireSpinLockForDpc' is released with 'KeReleaseSpinLock'; release it with 'KeReleaseSpinLockForDpc' [spinlock-release-mismatch]
    // CHECK-NEXT: spinlock-release-mismatch.c:[[@LINE-3]]:15: note: spin lock 'ext->Lock' acquired here
    KeReleaseSpinLock(&ext->Lock, oldIrql);
}

VOID FooThreadedStatsDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->StatsLock, &oldIrql);
    ext->Completed = 0;
    // CHECK: spinlock-release-mismatch.c:[[@LINE+2]]:5: warning: spin lock 'ext->StatsLock' acquired with 'KeAcquireSpinLock' is released with 'KeReleaseSpinLockForDpc'; release it with 'KeReleaseSpinLock' [spinlock-release-mismatch]
    // CHECK-NEXT: spinlock-release-mismatch.c:[[@LINE-3]]:5: note: spin lock 'ext->StatsLock' acquired here
    KeReleaseSpinLockForDpc(&ext->StatsLock, oldIrql);
}

// Same seed, queued: the ForDpc acquire with the plain queued release.
VOID FooThreadedQueuedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KLOCK_QUEUE_HANDLE lockHandle;

    KeAcquireInStackQueuedSpinLockForDpc(&ext->Lock, &lockHandle);
    ext->Completed++;
    // CHECK: spinlock-release-mismatch.c:[[@LINE+2]]:5: warning: queued spin lock 'ext->Lock' acquired with 'KeAcquireInStackQueuedSpinLockForDpc' is released with 'KeReleaseInStackQueuedSpinLock'; release it with 'KeReleaseInStackQueuedSpinLockForDpc' [spinlock-release-mismatch]
    // CHECK-NEXT: spinlock-release-mismatch.c:[[@LINE-3]]:5: note: queued spin lock 'ext->Lock' acquired here
    KeReleaseInStackQueuedSpinLock(&lockHandle);
}

// AtDpcLevel queued acquire, plain queued release, in a loop with a switch:
// only one case uses the wrong routine.
KDEFERRED_ROUTINE FooCompletionDpc;

VOID FooCompletionDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KLOCK_QUEUE_HANDLE lockHandle;
    PLIST_ENTRY entry;
    PIRP irp;

    for (;;) {
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&ext->Lock, &lockHandle);
        if (IsListEmpty(&ext->Queue)) {
            KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle); // no-warning
            break;
        }
        entry = RemoveHeadList(&ext->Queue);
        irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        switch (IoGetCurrentIrpStackLocation(irp)->MajorFunction) {
        case IRP_MJ_READ:
            KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle); // no-warning
            irp->IoStatus.Status = STATUS_SUCCESS;
            break;
        default:
            // CHECK: spinlock-release-mismatch.c:[[@LINE+2]]:13: warning: queued spin lock 'ext->Lock' acquired with 'KeAcquireInStackQueuedSpinLockAtDpcLevel' is released with 'KeReleaseInStackQueuedSpinLock'; release it with 'KeReleaseInStackQueuedSpinLockFromDpcLevel' [spinlock-release-mismatch]
            // CHECK-NEXT: spinlock-release-mismatch.c:[[@LINE-14]]:9: note: queued spin lock 'ext->Lock' acquired here
            KeReleaseInStackQueuedSpinLock(&lockHandle);
            irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
            break;
        }
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

// Wrong in-stack handle: the release is given a handle that no acquire
// filled in, so the lock stays held as well.
KDEFERRED_ROUTINE FooTypoHandleDpc;

VOID FooTypoHandleDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KLOCK_QUEUE_HANDLE lockHandle;
    KLOCK_QUEUE_HANDLE statsHandle;

    KeAcquireInStackQueuedSpinLockAtDpcLevel(&ext->Lock, &lockHandle);
    ext->Completed = ext->Pending;
    // CHECK: spinlock-release-mismatch.c:[[@LINE+2]]:5: warning: 'KeReleaseInStackQueuedSpinLockFromDpcLevel' is given handle 'statsHandle', but queued spin lock 'ext->Lock' was acquired with another handle [spinlock-release-mismatch]
    // CHECK-NEXT: spinlock-release-mismatch.c:[[@LINE-3]]:5: note: queued spin lock 'ext->Lock' acquired here
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&statsHandle);
    // CHECK: spinlock-release-mismatch.c:[[@LINE+4]]:1: warning: 'FooTypoHandleDpc' returns with queued spin lock 'ext->Lock' held [spinlock-leak]
    // CHECK-NEXT: spinlock-release-mismatch.c:[[@LINE-6]]:5: note: queued spin lock 'ext->Lock' acquired here
    // DISABLED: spinlock-release-mismatch.c:[[@LINE+2]]:1: warning: 'FooTypoHandleDpc' returns with queued spin lock 'ext->Lock' held [spinlock-leak]
    // DISABLED-NEXT: spinlock-release-mismatch.c:[[@LINE-8]]:5: note: queued spin lock 'ext->Lock' acquired here
}

// goto cleanup: the early exit releases with the wrong routine.
DRIVER_DISPATCH FooDispatchCleanup;

NTSTATUS FooDispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    if (ext->Removed) {
        // CHECK: spinlock-release-mismatch.c:[[@LINE+2]]:9: warning: spin lock 'ext->Lock' acquired with 'KeAcquireSpinLock' is released with 'KeReleaseSpinLockFromDpcLevel'; release it with 'KeReleaseSpinLock' [spinlock-release-mismatch]
        // CHECK-NEXT: spinlock-release-mismatch.c:[[@LINE-3]]:5: note: spin lock 'ext->Lock' acquired here
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
        status = STATUS_DELETE_PENDING;
        goto done;
    }
    ext->Pending = 0;
    KeReleaseSpinLock(&ext->Lock, oldIrql); // no-warning

done:
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

// Branch on KeGetCurrentIrql(): two acquires, one release that pairs with
// only one of them.
NTSTATUS FooReadComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    if (KeGetCurrentIrql() == DISPATCH_LEVEL) {
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
    } else {
        KeAcquireSpinLock(&ext->StatsLock, &oldIrql);
    }
    ext->Completed++;
    // CHECK: spinlock-release-mismatch.c:[[@LINE+2]]:5: warning: spin lock 'ext->StatsLock' acquired with 'KeAcquireSpinLock' is released with 'KeReleaseSpinLockFromDpcLevel'; release it with 'KeReleaseSpinLock' [spinlock-release-mismatch]
    // CHECK-NEXT: spinlock-release-mismatch.c:[[@LINE-4]]:9: note: spin lock 'ext->StatsLock' acquired here
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    return STATUS_CONTINUE_COMPLETION;
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// The fix of the first case.
DRIVER_DISPATCH FooDispatchFlush;

NTSTATUS FooDispatchFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Pending++;
    KeReleaseSpinLock(&ext->Lock, oldIrql); // no-warning

    ExAcquireSpinLock(&ext->StatsLock, &oldIrql);
    ext->Completed++;
    ExReleaseSpinLock(&ext->StatsLock, oldIrql); // no-warning

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// Seed "Guidelines for writing DPC routines": the AtDpcLevel pair in a DPC,
// classic and queued, nested.
KDEFERRED_ROUTINE FooTimerDpc;

VOID FooTimerDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KLOCK_QUEUE_HANDLE statsHandle;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&ext->StatsLock, &statsHandle);
    ext->Completed += ext->Pending;
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&statsHandle); // no-warning
    KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
}

// Seed "Synchronization and threaded DPCs": the ForDpc pairs, classic and
// queued, in a CustomThreadedDpc routine.
VOID FooThreadedFlushDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KLOCK_QUEUE_HANDLE statsHandle;
    KIRQL oldIrql;

    oldIrql = KeAcquireSpinLockForDpc(&ext->Lock);
    ext->Pending = 0;
    KeReleaseSpinLockForDpc(&ext->Lock, oldIrql); // no-warning

    KeAcquireInStackQueuedSpinLockForDpc(&ext->StatsLock, &statsHandle);
    ext->Completed = 0;
    KeReleaseInStackQueuedSpinLockForDpc(&statsHandle); // no-warning
}

// Two in-stack queued locks, each released through its own handle, in
// reverse order; then the first handle reused to take the same lock again.
DRIVER_DISPATCH FooDispatchReset;

NTSTATUS FooDispatchReset(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE lockHandle;
    KLOCK_QUEUE_HANDLE statsHandle;

    KeAcquireInStackQueuedSpinLock(&ext->Lock, &lockHandle);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&ext->StatsLock, &statsHandle);
    ext->Completed = 0;
    ext->Pending = 0;
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&statsHandle); // no-warning
    KeReleaseInStackQueuedSpinLock(&lockHandle); // no-warning

    KeAcquireInStackQueuedSpinLock(&ext->Lock, &lockHandle);
    InitializeListHead(&ext->Queue);
    KeReleaseInStackQueuedSpinLock(&lockHandle); // no-warning

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// goto cleanup where every path uses the matching routine; the lock is
// also reached through a local pointer.
DRIVER_DISPATCH FooDispatchCreate;

NTSTATUS FooDispatchCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PKSPIN_LOCK lock = &ext->Lock;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL oldIrql;

    KeAcquireSpinLock(lock, &oldIrql);
    if (ext->Removed) {
        status = STATUS_DELETE_PENDING;
        goto unlock;
    }
    ext->Pending++;
unlock:
    KeReleaseSpinLock(&ext->Lock, oldIrql); // no-warning

    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

// Branch on KeGetCurrentIrql() with a matching release in each branch.
NTSTATUS FooWriteComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    if (KeGetCurrentIrql() == DISPATCH_LEVEL) {
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
        ext->Completed++;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock); // no-warning
    } else {
        KeAcquireSpinLock(&ext->StatsLock, &oldIrql);
        ext->Completed++;
        KeReleaseSpinLock(&ext->StatsLock, oldIrql); // no-warning
    }
    return STATUS_CONTINUE_COMPLETION;
}

// A loop with continue and an early return; every exit from the locked
// region uses the pairing release.
KDEFERRED_ROUTINE FooDrainDpc;

VOID FooDrainDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PLIST_ENTRY entry;
    PIRP irp;

    for (;;) {
        KeAcquireSpinLockAtDpcLevel(&ext->Lock);
        if (ext->Removed) {
            KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
            return;
        }
        if (IsListEmpty(&ext->Queue)) {
            KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
            break;
        }
        entry = RemoveHeadList(&ext->Queue);
        irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(irp, NULL) == NULL) {
            InitializeListHead(entry);
            KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
            continue;
        }
        KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

// The cancel spin lock and the interrupt spin lock, each with its own
// release routine.
DRIVER_DISPATCH FooDispatchDeviceControl;

NTSTATUS FooDispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL cancelIrql;
    KIRQL interruptIrql;

    IoAcquireCancelSpinLock(&cancelIrql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(cancelIrql); // no-warning
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    IoReleaseCancelSpinLock(cancelIrql); // no-warning

    interruptIrql = KeAcquireInterruptSpinLock(ext->Interrupt);
    ext->Pending = 0;
    KeReleaseInterruptSpinLock(ext->Interrupt, interruptIrql); // no-warning

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

//===--------------------------------------------------------------------===//
// Registrations
//===--------------------------------------------------------------------===//

VOID FooInitializeDpcs(PDEVICE_EXTENSION ext)
{
    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedDpc, ext);
    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedStatsDpc, ext);
    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedQueuedDpc, ext);
    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedFlushDpc, ext);
}

NTSTATUS FooSendDown(PDEVICE_EXTENSION ext, PDEVICE_OBJECT lower, PIRP Irp)
{
    IoCopyCurrentIrpStackLocationToNext(Irp);
    if (IoGetCurrentIrpStackLocation(Irp)->MajorFunction == IRP_MJ_READ) {
        IoSetCompletionRoutine(Irp, FooReadComplete, ext, TRUE, TRUE, TRUE);
    } else {
        IoSetCompletionRoutine(Irp, FooWriteComplete, ext, TRUE, TRUE, TRUE);
    }
    return IoCallDriver(lower, Irp);
}
