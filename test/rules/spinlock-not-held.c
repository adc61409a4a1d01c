// spinlock-not-held: a release of a spin lock that is not held on some path.
// RUN: not %irqlcheck --no-source %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: not %irqlcheck --no-source --disable=spinlock-not-held %s 2>&1 | FileCheck %s --check-prefix=DISABLED --implicit-check-not='[spinlock-not-held]' --implicit-check-not=warning:
//
// CHECK lines expect every finding; with the rule disabled (DISABLED lines)
// only the other rules' warnings remain.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    KSPIN_LOCK StatsLock;
    KDPC Dpc;
    LIST_ENTRY Queue;
    PIRP CurrentIrp;
    ULONG Pending;
    ULONG Completed;
    BOOLEAN Started;
    BOOLEAN Removed;
    BOOLEAN Stopping;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// A release wrapper: it has no role, so it may release a lock its caller
// holds.
static VOID FooUnlockQueue(PDEVICE_EXTENSION ext, KIRQL oldIrql)
{
    KeReleaseSpinLock(&ext->Lock, oldIrql); // no-warning
}

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// The early exit releases and falls through to the common release.
KDEFERRED_ROUTINE FooDpc;

VOID FooDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PIRP irp;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    irp = ext->CurrentIrp;
    if (irp == NULL) {
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
        /* missing: return; */
    }
    ext->CurrentIrp = NULL;
    // CHECK: spinlock-not-held.c:[[@LINE+2]]:5: warning: releasing spin lock 'ext->Lock' that may not be held [spinlock-not-held]
    // CHECK-NEXT: spinlock-not-held.c:[[@LINE-5]]:9: note: spin lock 'ext->Lock' released here
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);

    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

// A release with no acquire at all: code moved out of a locked region.
KDEFERRED_ROUTINE FooStatsDpc;

VOID FooStatsDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    ext->Completed += ext->Pending;
    ext->Pending = 0;
    // CHECK: spinlock-not-held.c:[[@LINE+1]]:5: warning: releasing spin lock 'ext->StatsLock' that is not held [spinlock-not-held]
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
}

// The same lock released twice, reached through two expressions.
DRIVER_DISPATCH FooDispatchClose;

NTSTATUS FooDispatchClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PKSPIN_LOCK lock = &ext->Lock;
    KIRQL oldIrql;

    KeAcquireSpinLock(lock, &oldIrql);
    ext->Pending = 0;
    KeReleaseSpinLock(lock, oldIrql);
    // The first release restored PASSIVE_LEVEL, hence irql-too-low as well.
    // CHECK: spinlock-not-held.c:[[@LINE+6]]:5: warning: calling 'KeReleaseSpinLock' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: spinlock-not-held.c:[[@LINE-13]]:17: note: 'FooDispatchClose' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: spinlock-not-held.c:[[@LINE+342]]:5: note: 'FooDispatchClose' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_CLOSE] here), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: spinlock-not-held.c:[[@LINE+3]]:5: warning: releasing spin lock 'ext->Lock' that is not held [spinlock-not-held]
    // CHECK-NEXT: spinlock-not-held.c:[[@LINE-6]]:5: note: spin lock 'ext->Lock' released here
    // DISABLED: spinlock-not-held.c:[[@LINE+1]]:5: warning: calling 'KeReleaseSpinLock' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    KeReleaseSpinLock(&ext->Lock, oldIrql);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// A cancel routine is entered holding the cancel spin lock and releases it
// once; the second release frees it under another processor.
DRIVER_CANCEL FooCancel;

VOID FooCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    // CHECK: spinlock-not-held.c:[[@LINE+2]]:5: warning: releasing the cancel spin lock that is not held [spinlock-not-held]
    // CHECK-NEXT: spinlock-not-held.c:[[@LINE-3]]:5: note: the cancel spin lock released here
    IoReleaseCancelSpinLock(Irp->CancelIrql);

    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

// A DPC is not a cancel routine: it does not hold the cancel spin lock.
KDEFERRED_ROUTINE FooTimeoutDpc;

VOID FooTimeoutDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PIRP irp = ext->CurrentIrp;

    if (irp != NULL && IoSetCancelRoutine(irp, NULL) != NULL) {
        ext->CurrentIrp = NULL;
        // CHECK: spinlock-not-held.c:[[@LINE+1]]:9: warning: releasing the cancel spin lock that is not held [spinlock-not-held]
        IoReleaseCancelSpinLock(irp->CancelIrql);
        irp->IoStatus.Status = STATUS_IO_TIMEOUT;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

// An in-stack queued lock released twice through its handle.
DRIVER_DISPATCH FooDispatchRead;

NTSTATUS FooDispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE lockHandle;
    NTSTATUS status = STATUS_PENDING;

    KeAcquireInStackQueuedSpinLock(&ext->Lock, &lockHandle);
    if (ext->Removed) {
        KeReleaseInStackQueuedSpinLock(&lockHandle);
        status = STATUS_DELETE_PENDING;
    } else {
        InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
        IoMarkIrpPending(Irp);
    }
    // On the early path the IRQL is PASSIVE_LEVEL again: irql-too-low too.
    // CHECK: spinlock-not-held.c:[[@LINE+6]]:5: warning: calling 'KeReleaseInStackQueuedSpinLock' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: spinlock-not-held.c:[[@LINE-18]]:17: note: 'FooDispatchRead' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: spinlock-not-held.c:[[@LINE+278]]:5: note: 'FooDispatchRead' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_READ] here), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: spinlock-not-held.c:[[@LINE+3]]:5: warning: releasing queued spin lock 'ext->Lock' that may not be held [spinlock-not-held]
    // CHECK-NEXT: spinlock-not-held.c:[[@LINE-11]]:9: note: queued spin lock 'ext->Lock' released here
    // DISABLED: spinlock-not-held.c:[[@LINE+1]]:5: warning: calling 'KeReleaseInStackQueuedSpinLock' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    if (status != STATUS_PENDING) {
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
    }
    return status;
}

// goto cleanup from before the acquire to the release.
KDEFERRED_ROUTINE FooStartDpc;

VOID FooStartDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (!ext->Started) {
        goto unlock;
    }
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Pending++;
unlock:
    // CHECK: spinlock-not-held.c:[[@LINE+1]]:5: warning: releasing spin lock 'ext->Lock' that may not be held [spinlock-not-held]
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}

// switch: one case releases and falls through to the common release.
KDEFERRED_ROUTINE FooCommandDpc;

VOID FooCommandDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    ULONG command = (ULONG)(ULONG_PTR)Arg1;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    switch (command) {
    case 1:
        ext->Pending = 0;
        break;
    case 2:
        ext->Removed = TRUE;
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
        /* falls through */
    default:
        ext->Completed++;
        break;
    }
    // CHECK: spinlock-not-held.c:[[@LINE+2]]:5: warning: releasing spin lock 'ext->Lock' that may not be held [spinlock-not-held]
    // CHECK-NEXT: spinlock-not-held.c:[[@LINE-7]]:9: note: spin lock 'ext->Lock' released here
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}

// KeTryToAcquireSpinLockAtDpcLevel in an if: the lock is held only when it
// returned TRUE.
KDEFERRED_ROUTINE FooPollDpc;

VOID FooPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->StatsLock)) {
        ext->Completed++;
    }
    // CHECK: spinlock-not-held.c:[[@LINE+1]]:5: warning: releasing spin lock 'ext->StatsLock' that may not be held [spinlock-not-held]
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
}

// A loop whose early release is followed by the release at the bottom of
// the same iteration, and a release after the loop.
KDEFERRED_ROUTINE FooDrainDpc;

VOID FooDrainDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PLIST_ENTRY entry;

    while (!ext->Removed) {
        KeAcquireSpinLockAtDpcLevel(&ext->Lock);
        if (IsListEmpty(&ext->Queue)) {
            KeReleaseSpinLockFromDpcLevel(&ext->Lock);
        } else {
            entry = RemoveHeadList(&ext->Queue);
            ext->Pending--;
        }
        // CHECK: spinlock-not-held.c:[[@LINE+2]]:9: warning: releasing spin lock 'ext->Lock' that may not be held [spinlock-not-held]
        // CHECK-NEXT: spinlock-not-held.c:[[@LINE-6]]:13: note: spin lock 'ext->Lock' released here
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    }
    // CHECK: spinlock-not-held.c:[[@LINE+2]]:5: warning: releasing spin lock 'ext->Lock' that is not held [spinlock-not-held]
    // CHECK-NEXT: spinlock-not-held.c:[[@LINE-3]]:9: note: spin lock 'ext->Lock' released here
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// The fix of the first case: return after the early release.
KDEFERRED_ROUTINE FooFixedDpc;

VOID FooFixedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PIRP irp;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    irp = ext->CurrentIrp;
    if (irp == NULL) {
        KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
        return;
    }
    ext->CurrentIrp = NULL;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning

    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

// A release in each branch; the lock reached through two different
// pointers to the same device extension type.
DRIVER_DISPATCH FooDispatchCreate;

NTSTATUS FooDispatchCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;
    NTSTATUS status;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    if (ext->Removed) {
        KeReleaseSpinLock(&((PDEVICE_EXTENSION)DeviceObject->DeviceExtension)->Lock, oldIrql); // no-warning
        status = STATUS_DELETE_PENDING;
    } else {
        ext->Pending++;
        KeReleaseSpinLock(&ext->Lock, oldIrql); // no-warning
        status = STATUS_SUCCESS;
    }

    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

// goto cleanup where every path to the release holds the lock.
KDEFERRED_ROUTINE FooFixedStartDpc;

VOID FooFixedStartDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (!ext->Started) {
        return;
    }
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    if (ext->Removed) {
        goto unlock;
    }
    ext->Pending++;
unlock:
    KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
}

// A cancel routine that releases the cancel spin lock exactly once on
// each path, then takes its own queue lock.
DRIVER_CANCEL FooFixedCancel;

VOID FooFixedCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    if (ext->CurrentIrp == Irp) {
        ext->CurrentIrp = NULL;
        IoReleaseCancelSpinLock(Irp->CancelIrql); // no-warning
    } else {
        IoReleaseCancelSpinLock(Irp->CancelIrql); // no-warning
        KeAcquireSpinLock(&ext->Lock, &oldIrql);
        RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
        KeReleaseSpinLock(&ext->Lock, oldIrql); // no-warning
    }

    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

// The cancel spin lock acquired and released by a dispatch routine, with
// an early return; the queue lock released by a wrapper.
DRIVER_DISPATCH FooDispatchWrite;

NTSTATUS FooDispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL cancelIrql;
    KIRQL oldIrql;

    IoAcquireCancelSpinLock(&cancelIrql);
    if (Irp->Cancel) {
        IoReleaseCancelSpinLock(cancelIrql); // no-warning
        Irp->IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_CANCELLED;
    }
    IoSetCancelRoutine(Irp, FooFixedCancel);
    IoReleaseCancelSpinLock(cancelIrql); // no-warning

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    FooUnlockQueue(ext, oldIrql); // no-warning

    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}

// KeTryToAcquireSpinLockAtDpcLevel in an if: released only on success, and
// the negated form with an early return.
KDEFERRED_ROUTINE FooFixedPollDpc;

VOID FooFixedPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->StatsLock)) {
        ext->Completed++;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock); // no-warning
    } else {
        KeInsertQueueDpc(Dpc, NULL, NULL);
    }

    if (!KeTryToAcquireSpinLockAtDpcLevel(&ext->Lock)) {
        KeInsertQueueDpc(Dpc, NULL, NULL);
        return;
    }
    ext->Pending = 0;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
}

// switch where every case releases once, with continue in a loop.
KDEFERRED_ROUTINE FooFixedCommandDpc;

VOID FooFixedCommandDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KLOCK_QUEUE_HANDLE lockHandle;
    ULONG i;

    for (i = 0; i < 8; i++) {
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&ext->Lock, &lockHandle);
        switch (ext->Pending) {
        case 0:
            KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle); // no-warning
            continue;
        case 1:
            ext->Pending = 0;
            KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle); // no-warning
            break;
        default:
            ext->Pending--;
            KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle); // no-warning
            break;
        }
        ext->Completed++;
    }
}

//===--------------------------------------------------------------------===//
// Registrations
//===--------------------------------------------------------------------===//

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    DriverObject->MajorFunction[IRP_MJ_CREATE] = FooDispatchCreate;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = FooDispatchClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = FooDispatchRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = FooDispatchWrite;
    return STATUS_SUCCESS;
}

//===--------------------------------------------------------------------===//
// Fixed cases from Inputs/spinlock-not-held-fixme.c (clean look-alikes)
//===--------------------------------------------------------------------===//

// `if (KeTryToAcquireSpinLockAtDpcLevel(...)) { ...; release; }` as the last
// statement of a void function.
KDEFERRED_ROUTINE FooPollLastDpc;

VOID FooPollLastDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->StatsLock)) {
        ext->Completed += ext->Pending;
        ext->Pending = 0;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock); // no-warning
    }
}

// The try-acquire compared with TRUE / FALSE instead of tested directly.
KDEFERRED_ROUTINE FooCompareDpc;

VOID FooCompareDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->StatsLock) == TRUE) {
        ext->Completed++;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock); // no-warning
    }
    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->Lock) == FALSE) {
        KeInsertQueueDpc(Dpc, NULL, NULL);
        return;
    }
    ext->Pending = 0;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
}

// The try-acquire as the right operand of &&.
KDEFERRED_ROUTINE FooStoppingDpc;

VOID FooStoppingDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (!ext->Stopping && KeTryToAcquireSpinLockAtDpcLevel(&ext->Lock)) {
        ext->Pending = 0;
        KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
    }
    ext->Completed = 0;
}

// One KLOCK_QUEUE_HANDLE variable reused for a second lock after the first
// was released: each release goes with the lock the handle holds then.
DRIVER_DISPATCH FooDispatchFlush;

NTSTATUS FooDispatchFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE lockHandle;

    KeAcquireInStackQueuedSpinLock(&ext->Lock, &lockHandle);
    ext->Pending = 0;
    KeReleaseInStackQueuedSpinLock(&lockHandle); // no-warning

    KeAcquireInStackQueuedSpinLock(&ext->StatsLock, &lockHandle);
    ext->Completed = 0;
    KeReleaseInStackQueuedSpinLock(&lockHandle); // no-warning

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS; // no-warning
}
