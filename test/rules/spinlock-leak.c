// spinlock-leak: an entry routine that returns with a spin lock held on some path.
// RUN: not %irqlcheck --no-source --disable=isr-shared-state %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: %irqlcheck --disable=isr-shared-state,spinlock-leak %s | count 0
// (isr-shared-state is off: this fixture's DPCs and dispatch routines touch
// fields its ISR or SynchCritSection routines write, which that rule reports;
// see test/rules/isr-shared-state.c.)
//
// CHECK lines expect every finding. The file has no finding of another
// rule, so with this rule disabled the tool prints nothing and exits 0.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    PDEVICE_OBJECT Self;
    PKINTERRUPT Interrupt;
    KSPIN_LOCK Lock;
    KSPIN_LOCK StatsLock;
    KDPC Dpc;
    KDPC ThreadedDpc;
    PIO_WORKITEM WorkItem;
    LIST_ENTRY Queue;
    PIRP CurrentIrp;
    ULONG Pending;
    ULONG Completed;
    BOOLEAN Removed;
    BOOLEAN Stopping;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// Acquire and release wrappers: helpers without a role return holding the
// lock, or release the caller's lock; neither is a leak by itself.
static VOID FooLockQueue(PDEVICE_EXTENSION ext, PKIRQL oldIrql)
{
    KeAcquireSpinLock(&ext->Lock, oldIrql);
} // no-warning

static VOID FooUnlockQueue(PDEVICE_EXTENSION ext, KIRQL oldIrql)
{
    KeReleaseSpinLock(&ext->Lock, oldIrql);
}

_Acquires_lock_(ext->StatsLock)
_IRQL_requires_(DISPATCH_LEVEL)
VOID FooLockStats(PDEVICE_EXTENSION ext)
{
    KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
} // no-warning

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// An early return inside the locked region.
KDEFERRED_ROUTINE FooDpc;

VOID FooDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PIRP irp;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    irp = ext->CurrentIrp;
    if (irp == NULL) {
        // CHECK: spinlock-leak.c:[[@LINE+2]]:9: warning: 'FooDpc' returns with spin lock 'ext->Lock' held [spinlock-leak]
        // CHECK-NEXT: spinlock-leak.c:[[@LINE-4]]:5: note: spin lock 'ext->Lock' acquired here
        return;
    }
    ext->CurrentIrp = NULL;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);

    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

// goto fail from inside the locked region of a dispatch routine.
DRIVER_DISPATCH FooDispatchRead;

NTSTATUS FooDispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_PENDING;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    if (ext->Removed) {
        status = STATUS_DELETE_PENDING;
        goto fail;
    }
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    IoMarkIrpPending(Irp);
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    return STATUS_PENDING; // no-warning

fail:
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    // CHECK: spinlock-leak.c:[[@LINE+2]]:5: warning: 'FooDispatchRead' returns with spin lock 'ext->Lock' held [spinlock-leak]
    // CHECK-NEXT: spinlock-leak.c:[[@LINE-14]]:5: note: spin lock 'ext->Lock' acquired here
    return status;
}

// A cancel routine is entered holding the cancel spin lock and must
// release it with IoReleaseCancelSpinLock; this one never does.
DRIVER_CANCEL FooCancel;

VOID FooCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);

    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    // CHECK: spinlock-leak.c:[[@LINE+2]]:1: warning: 'FooCancel' returns with the cancel spin lock held [spinlock-leak]
    // CHECK-NEXT: spinlock-leak.c:[[@LINE-14]]:15: note: 'FooCancel' is a cancel routine (declared as DRIVER_CANCEL), which runs at DISPATCH_LEVEL, holding the cancel spin lock
}

// A cancel routine registered with IoSetCancelRoutine that releases the
// cancel spin lock on one path only.
VOID FooStartIoCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    if (ext->CurrentIrp == Irp) {
        ext->CurrentIrp = NULL;
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        return; // no-warning
    }
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    // CHECK: spinlock-leak.c:[[@LINE+2]]:1: warning: 'FooStartIoCancel' returns with the cancel spin lock held [spinlock-leak]
    // CHECK-NEXT: spinlock-leak.c:[[@LINE+330]]:5: note: 'FooStartIoCancel' is a cancel routine (registered by IoSetCancelRoutine here), which runs at DISPATCH_LEVEL, holding the cancel spin lock
}

// A return inside a loop body, between acquire and release.
IO_WORKITEM_ROUTINE FooDrainWorker;

VOID FooDrainWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PLIST_ENTRY entry;
    KIRQL oldIrql;

    for (;;) {
        KeAcquireSpinLock(&ext->Lock, &oldIrql);
        if (IsListEmpty(&ext->Queue)) {
            // CHECK: spinlock-leak.c:[[@LINE+2]]:13: warning: 'FooDrainWorker' returns with spin lock 'ext->Lock' held [spinlock-leak]
            // CHECK-NEXT: spinlock-leak.c:[[@LINE-3]]:9: note: spin lock 'ext->Lock' acquired here
            return;
        }
        entry = RemoveHeadList(&ext->Queue);
        KeReleaseSpinLock(&ext->Lock, oldIrql);
        IoCallDriver(ext->Self, CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry));
    }
}

// switch: one case returns without releasing the in-stack queued lock.
DRIVER_STARTIO FooStartIo;

VOID FooStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE lockHandle;

    KeAcquireInStackQueuedSpinLockAtDpcLevel(&ext->Lock, &lockHandle);
    switch (IoGetCurrentIrpStackLocation(Irp)->MajorFunction) {
    case IRP_MJ_READ:
    case IRP_MJ_WRITE:
        ext->CurrentIrp = Irp;
        break;
    default:
        Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        IoStartNextPacket(DeviceObject, FALSE);
        // CHECK: spinlock-leak.c:[[@LINE+2]]:9: warning: 'FooStartIo' returns with queued spin lock 'ext->Lock' held [spinlock-leak]
        // CHECK-NEXT: spinlock-leak.c:[[@LINE-11]]:5: note: queued spin lock 'ext->Lock' acquired here
        return;
    }
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle);
}

// Seed "Synchronization and threaded DPCs": a CustomThreadedDpc routine with
// the ForDpc routines, and an early return between them.
VOID FooThreadedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    oldIrql = KeAcquireSpinLockForDpc(&ext->StatsLock);
    if (ext->Completed == 0) {
        // CHECK: spinlock-leak.c:[[@LINE+2]]:9: warning: 'FooThreadedDpc' returns with spin lock 'ext->StatsLock' held [spinlock-leak]
        // CHECK-NEXT: spinlock-leak.c:[[@LINE-3]]:15: note: spin lock 'ext->StatsLock' acquired here
        return;
    }
    ext->Completed = 0;
    KeReleaseSpinLockForDpc(&ext->StatsLock, oldIrql);
}

// KeTryToAcquireSpinLockAtDpcLevel in an if: an early return on the path
// where it succeeded.
KDEFERRED_ROUTINE FooPollDpc;

VOID FooPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->StatsLock)) {
        ext->Completed++;
        if (ext->Completed < 100) {
            // CHECK: spinlock-leak.c:[[@LINE+2]]:13: warning: 'FooPollDpc' returns with spin lock 'ext->StatsLock' held [spinlock-leak]
            // CHECK-NEXT: spinlock-leak.c:[[@LINE-4]]:9: note: spin lock 'ext->StatsLock' acquired here
            return;
        }
        ext->Completed = 0;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    }
    KeInsertQueueDpc(Dpc, NULL, NULL);
}

// The lock taken by an acquire wrapper and never released, on one path.
DRIVER_DISPATCH FooDispatchWrite;

NTSTATUS FooDispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;
    NTSTATUS status = STATUS_PENDING;

    FooLockQueue(ext, &oldIrql);
    if (ext->Removed) {
        status = STATUS_DELETE_PENDING;
    } else {
        InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
        IoMarkIrpPending(Irp);
        FooUnlockQueue(ext, oldIrql);
    }
    if (status != STATUS_PENDING) {
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
    }
    // CHECK: spinlock-leak.c:[[@LINE+2]]:5: warning: 'FooDispatchWrite' may return with spin lock 'ext->Lock' held [spinlock-leak]
    // CHECK-NEXT: spinlock-leak.c:[[@LINE-13]]:5: note: spin lock 'ext->Lock' acquired here
    return status;
}

// A completion routine, registered below, that returns early holding the
// lock.
NTSTATUS FooReadComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Pending--;
    if (Irp->PendingReturned) {
        IoMarkIrpPending(Irp);
    }
    if (!NT_SUCCESS(Irp->IoStatus.Status)) {
        // CHECK: spinlock-leak.c:[[@LINE+2]]:9: warning: 'FooReadComplete' returns with spin lock 'ext->Lock' held [spinlock-leak]
        // CHECK-NEXT: spinlock-leak.c:[[@LINE-7]]:5: note: spin lock 'ext->Lock' acquired here
        return STATUS_CONTINUE_COMPLETION;
    }
    ext->Completed++;
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    return STATUS_CONTINUE_COMPLETION;
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// The fix of the first case: release before every return.
KDEFERRED_ROUTINE FooFixedDpc;

VOID FooFixedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PIRP irp;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    irp = ext->CurrentIrp;
    if (irp == NULL) {
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
        return; // no-warning
    }
    ext->CurrentIrp = NULL;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);

    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
} // no-warning

// goto cleanup that releases; the acquire and release through wrappers.
DRIVER_DISPATCH FooDispatchCreate;

NTSTATUS FooDispatchCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL oldIrql;

    FooLockQueue(ext, &oldIrql);
    if (ext->Removed) {
        status = STATUS_DELETE_PENDING;
        goto unlock;
    }
    ext->Pending++;
unlock:
    FooUnlockQueue(ext, oldIrql);

    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status; // no-warning
}

// A cancel routine that releases the cancel spin lock on every path.
DRIVER_CANCEL FooFixedCancel;

VOID FooFixedCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE lockHandle;

    if (ext->CurrentIrp == Irp) {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        return; // no-warning
    }
    IoReleaseCancelSpinLock(Irp->CancelIrql);

    KeAcquireInStackQueuedSpinLock(&ext->Lock, &lockHandle);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
} // no-warning

// A loop that releases before break and before return; a switch whose
// cases all release.
KDEFERRED_ROUTINE FooFixedDrainDpc;

VOID FooFixedDrainDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PLIST_ENTRY entry;
    PIRP irp;

    for (;;) {
        KeAcquireSpinLockAtDpcLevel(&ext->Lock);
        if (ext->Removed) {
            KeReleaseSpinLockFromDpcLevel(&ext->Lock);
            return; // no-warning
        }
        if (IsListEmpty(&ext->Queue)) {
            KeReleaseSpinLockFromDpcLevel(&ext->Lock);
            break;
        }
        entry = RemoveHeadList(&ext->Queue);
        irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        switch (IoGetCurrentIrpStackLocation(irp)->MajorFunction) {
        case IRP_MJ_READ:
            ext->Completed++;
            KeReleaseSpinLockFromDpcLevel(&ext->Lock);
            break;
        default:
            KeReleaseSpinLockFromDpcLevel(&ext->Lock);
            irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
            IoCompleteRequest(irp, IO_NO_INCREMENT);
            continue;
        }
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
} // no-warning

// Try-acquire with an early return when it fails; the stats lock taken by
// an annotated acquire wrapper and released here.
KDEFERRED_ROUTINE FooFixedPollDpc;

VOID FooFixedPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (!KeTryToAcquireSpinLockAtDpcLevel(&ext->Lock)) {
        KeInsertQueueDpc(Dpc, NULL, NULL);
        return; // no-warning
    }
    ext->Pending = 0;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);

    FooLockStats(ext);
    ext->Completed = 0;
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
} // no-warning

// An ISR and a SynchCritSection routine return holding the interrupt spin
// lock the system took for them: that is not theirs to release.
KSERVICE_ROUTINE FooIsr;
KSYNCHRONIZE_ROUTINE FooSynchReset;

BOOLEAN FooIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)ServiceContext;

    if (ext->Pending == 0) {
        return FALSE; // no-warning
    }
    ext->Pending--;
    IoRequestDpc(ext->Self, NULL, ext);
    return TRUE; // no-warning
}

BOOLEAN FooSynchReset(PVOID SynchronizeContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)SynchronizeContext;

    ext->Pending = 0;
    return TRUE; // no-warning
}

// A dispatch routine that takes the cancel spin lock and the interrupt
// spin lock and releases both, with an early return.
DRIVER_DISPATCH FooDispatchCleanup;

NTSTATUS FooDispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL cancelIrql;
    KIRQL interruptIrql;

    IoAcquireCancelSpinLock(&cancelIrql);
    if (ext->CurrentIrp == NULL) {
        IoReleaseCancelSpinLock(cancelIrql);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS; // no-warning
    }
    IoSetCancelRoutine(ext->CurrentIrp, NULL);
    IoReleaseCancelSpinLock(cancelIrql);

    interruptIrql = KeAcquireInterruptSpinLock(ext->Interrupt);
    ext->Pending = 0;
    KeReleaseInterruptSpinLock(ext->Interrupt, interruptIrql);
    KeSynchronizeExecution(ext->Interrupt, FooSynchReset, ext);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS; // no-warning
}

//===--------------------------------------------------------------------===//
// Registrations
//===--------------------------------------------------------------------===//

VOID FooQueueIrp(PDEVICE_EXTENSION ext, PIRP Irp)
{
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    IoSetCancelRoutine(Irp, FooStartIoCancel);
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->Lock, oldIrql);

    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedDpc, ext);
    IoQueueWorkItem(ext->WorkItem, FooDrainWorker, DelayedWorkQueue, ext);
}

NTSTATUS FooSendDown(PDEVICE_EXTENSION ext, PDEVICE_OBJECT lower, PIRP Irp)
{
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, FooReadComplete, ext, TRUE, TRUE, TRUE);
    return IoCallDriver(lower, Irp);
}

//===--------------------------------------------------------------------===//
// Fixed cases from Inputs/spinlock-leak-fixme.c
//===--------------------------------------------------------------------===//

// `if (KeTryToAcquireSpinLockAtDpcLevel(...)) { ... }` as the last
// statement of a void function, with no release. The closing brace is also
// reached by the failed try, so the lock "may" be held there.
KDEFERRED_ROUTINE FooPollLastDpc;

VOID FooPollLastDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->StatsLock)) {
        ext->Completed += ext->Pending;
        ext->Pending = 0;
    }
    // CHECK: spinlock-leak.c:[[@LINE+2]]:1: warning: 'FooPollLastDpc' may return with spin lock 'ext->StatsLock' held [spinlock-leak]
    // CHECK-NEXT: spinlock-leak.c:[[@LINE-5]]:9: note: spin lock 'ext->StatsLock' acquired here
}

// The closing brace is reached both by the `break` with the lock held and
// by the loop ending normally with it released: "may return".
KDEFERRED_ROUTINE FooBreakDpc;

VOID FooBreakDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    while (ext->Pending != 0) {
        KeAcquireSpinLockAtDpcLevel(&ext->Lock);
        if (ext->Stopping) {
            break;
        }
        ext->Pending--;
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    }
    // CHECK: spinlock-leak.c:[[@LINE+2]]:1: warning: 'FooBreakDpc' may return with spin lock 'ext->Lock' held [spinlock-leak]
    // CHECK-NEXT: spinlock-leak.c:[[@LINE-8]]:9: note: spin lock 'ext->Lock' acquired here
}

// A cancel routine that releases the cancel spin lock on one branch only,
// with the paths joining before the end: the note says why the cancel spin
// lock is held.
DRIVER_CANCEL FooCancelOneBranch;

VOID FooCancelOneBranch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    if (ext->CurrentIrp != Irp) {
        RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
        IoReleaseCancelSpinLock(Irp->CancelIrql);
    }
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    // CHECK: spinlock-leak.c:[[@LINE+2]]:1: warning: 'FooCancelOneBranch' may return with the cancel spin lock held [spinlock-leak]
    // CHECK-NEXT: spinlock-leak.c:[[@LINE-13]]:15: note: 'FooCancelOneBranch' is a cancel routine (declared as DRIVER_CANCEL), which runs at DISPATCH_LEVEL, holding the cancel spin lock
}

// The lock call written through a driver macro: the lock is named after
// the macro argument ('(ext)->Lock'), not after the macro.
#define LOCK_EXT(e, o) KeAcquireSpinLock(&(e)->Lock, (o))
#define UNLOCK_EXT(e, o) KeReleaseSpinLock(&(e)->Lock, (o))

DRIVER_DISPATCH FooDispatchReadMacro;

NTSTATUS FooDispatchReadMacro(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    LOCK_EXT(ext, &oldIrql);
    if (ext->Stopping) {
        // CHECK: spinlock-leak.c:[[@LINE+2]]:9: warning: 'FooDispatchReadMacro' returns with spin lock '(ext)->Lock' held [spinlock-leak]
        // CHECK-NEXT: spinlock-leak.c:[[@LINE-3]]:5: note: spin lock '(ext)->Lock' acquired here
        return STATUS_DELETE_PENDING;
    }
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    UNLOCK_EXT(ext, oldIrql);
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}
