// spinlock-double-acquire: acquiring a spin lock that is already held on some path (self-deadlock).
// RUN: not %irqlcheck --no-source --disable=isr-shared-state %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: not %irqlcheck --no-source --disable=isr-shared-state,spinlock-double-acquire %s 2>&1 | FileCheck %s --check-prefix=DISABLED --implicit-check-not='[spinlock-double-acquire]' --implicit-check-not=warning:
// (isr-shared-state is off: this fixture's DPCs and dispatch routines touch
// fields its ISR or SynchCritSection routines write, which that rule reports;
// see test/rules/isr-shared-state.c.)
//
// CHECK lines expect every finding; with the rule disabled (DISABLED lines)
// only the other rules' warnings remain.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    KSPIN_LOCK StatsLock;
    KSPIN_LOCK QueueLocks[2];
    PKINTERRUPT Interrupt;
    KDPC Dpc;
    LIST_ENTRY Queue;
    ULONG Pending;
    ULONG Completed;
    BOOLEAN Busy;
    BOOLEAN Removed;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

typedef struct _CONTROLLER_EXTENSION {
    KSPIN_LOCK Lock;
    ULONG ActiveChannels;
} CONTROLLER_EXTENSION, *PCONTROLLER_EXTENSION;

KSPIN_LOCK FooGlobalListLock;
LIST_ENTRY FooGlobalList;

// An acquire wrapper: it returns holding the lock.
static VOID FooLockStats(PDEVICE_EXTENSION ext)
{
    KeAcquireSpinLockAtDpcLevel(&ext->StatsLock); // no-warning
}

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// The continue goes back to the top of the loop with the lock still held.
KDEFERRED_ROUTINE FooDpc;

VOID FooDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PLIST_ENTRY entry;
    PIRP irp;

    for (;;) {
        // CHECK: spinlock-double-acquire.c:[[@LINE+2]]:9: warning: acquiring spin lock 'ext->Lock' that may already be held [spinlock-double-acquire]
        // CHECK-NEXT: spinlock-double-acquire.c:[[@LINE+1]]:9: note: spin lock 'ext->Lock' acquired here
        KeAcquireSpinLockAtDpcLevel(&ext->Lock);
        if (IsListEmpty(&ext->Queue)) {
            KeReleaseSpinLockFromDpcLevel(&ext->Lock);
            break;
        }
        entry = RemoveHeadList(&ext->Queue);
        irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(irp, NULL) == NULL) {
            /* Being cancelled: the cancel routine completes it. */
            InitializeListHead(entry);
            continue;
        }
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);

        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

// goto retry with the lock still held.
KDEFERRED_ROUTINE FooRetryDpc;

VOID FooRetryDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

retry:
    // CHECK: spinlock-double-acquire.c:[[@LINE+2]]:5: warning: acquiring spin lock 'ext->Lock' that may already be held [spinlock-double-acquire]
    // CHECK-NEXT: spinlock-double-acquire.c:[[@LINE+1]]:5: note: spin lock 'ext->Lock' acquired here
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    if (ext->Busy) {
        ext->Pending++;
        goto retry;
    }
    ext->Busy = TRUE;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}

// A locked block copied into code that already holds the same lock,
// reached through another pointer of the same type.
DRIVER_DISPATCH FooDispatchClose;

NTSTATUS FooDispatchClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PDEVICE_EXTENSION devExt = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL oldIrql;
    KIRQL statsIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Pending = 0;
    // CHECK: spinlock-double-acquire.c:[[@LINE+2]]:5: warning: acquiring spin lock 'devExt->Lock' that is already held [spinlock-double-acquire]
    // CHECK-NEXT: spinlock-double-acquire.c:[[@LINE-3]]:5: note: spin lock 'devExt->Lock' acquired here
    KeAcquireSpinLock(&devExt->Lock, &statsIrql);
    devExt->Completed = 0;
    KeReleaseSpinLock(&devExt->Lock, statsIrql);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// Branch on KeGetCurrentIrql() whose else was lost: at DISPATCH_LEVEL the
// lock is taken twice.
NTSTATUS FooReadComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    if (KeGetCurrentIrql() == DISPATCH_LEVEL) {
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
    }
    // CHECK: spinlock-double-acquire.c:[[@LINE+2]]:5: warning: acquiring spin lock 'ext->StatsLock' that may already be held [spinlock-double-acquire]
    // CHECK-NEXT: spinlock-double-acquire.c:[[@LINE-3]]:9: note: spin lock 'ext->StatsLock' acquired here
    KeAcquireSpinLock(&ext->StatsLock, &oldIrql);
    ext->Completed++;
    KeReleaseSpinLock(&ext->StatsLock, oldIrql);
    return STATUS_CONTINUE_COMPLETION;
}

// A cancel routine is entered holding the cancel spin lock.
DRIVER_CANCEL FooCancel;

VOID FooCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL cancelIrql;

    // CHECK: spinlock-double-acquire.c:[[@LINE+2]]:5: warning: acquiring the cancel spin lock that is already held [spinlock-double-acquire]
    // CHECK-NEXT: spinlock-double-acquire.c:[[@LINE-7]]:15: note: 'FooCancel' is a cancel routine (declared as DRIVER_CANCEL), which runs at DISPATCH_LEVEL, holding the cancel spin lock
    IoAcquireCancelSpinLock(&cancelIrql);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    IoReleaseCancelSpinLock(Irp->CancelIrql);

    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

// In-stack queued: a second handle does not make it a second lock.
DRIVER_DISPATCH FooDispatchWrite;

NTSTATUS FooDispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE lockHandle;
    KLOCK_QUEUE_HANDLE queueHandle;

    KeAcquireInStackQueuedSpinLock(&ext->Lock, &lockHandle);
    ext->Pending++;
    // CHECK: spinlock-double-acquire.c:[[@LINE+2]]:5: warning: acquiring queued spin lock 'ext->Lock' that is already held [spinlock-double-acquire]
    // CHECK-NEXT: spinlock-double-acquire.c:[[@LINE-3]]:5: note: queued spin lock 'ext->Lock' acquired here
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&ext->Lock, &queueHandle);
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&queueHandle);
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}

// switch inside a loop: one case breaks out of the switch without
// releasing, and the next iteration takes the lock again.
IO_WORKITEM_ROUTINE FooGlobalListWorker;

VOID FooGlobalListWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;
    ULONG i;

    for (i = 0; i < 4; i++) {
        // CHECK: spinlock-double-acquire.c:[[@LINE+2]]:9: warning: acquiring spin lock 'FooGlobalListLock' that may already be held [spinlock-double-acquire]
        // CHECK-NEXT: spinlock-double-acquire.c:[[@LINE+1]]:9: note: spin lock 'FooGlobalListLock' acquired here
        KeAcquireSpinLock(&FooGlobalListLock, &oldIrql);
        switch (i) {
        case 0:
            InitializeListHead(&FooGlobalList);
            KeReleaseSpinLock(&FooGlobalListLock, oldIrql);
            break;
        case 1:
            ext->Pending = 0;
            break;
        default:
            KeReleaseSpinLock(&FooGlobalListLock, oldIrql);
            break;
        }
    }
    // The lock taken in case 1 may also still be held when the loop ends.
    // CHECK: spinlock-double-acquire.c:[[@LINE+3]]:1: warning: 'FooGlobalListWorker' may return with spin lock 'FooGlobalListLock' held [spinlock-leak]
    // CHECK-NEXT: spinlock-double-acquire.c:[[@LINE-16]]:9: note: spin lock 'FooGlobalListLock' acquired here
    // DISABLED: spinlock-double-acquire.c:[[@LINE+1]]:1: warning: 'FooGlobalListWorker' may return with spin lock 'FooGlobalListLock' held [spinlock-leak]
}

// Calling, with the lock held, a helper that takes the same lock.
KDEFERRED_ROUTINE FooStatsDpc;

VOID FooStatsDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
    ext->Completed++;
    // CHECK: spinlock-double-acquire.c:[[@LINE+2]]:5: warning: acquiring spin lock 'ext->StatsLock' that is already held [spinlock-double-acquire]
    // CHECK-NEXT: spinlock-double-acquire.c:[[@LINE-3]]:5: note: spin lock 'ext->StatsLock' acquired here
    FooLockStats(ext);
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
}

// A constant array index names the same element twice.
KDEFERRED_ROUTINE FooQueueDpc;

VOID FooQueueDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    KeAcquireSpinLockAtDpcLevel(&ext->QueueLocks[1]);
    // CHECK: spinlock-double-acquire.c:[[@LINE+2]]:5: warning: acquiring spin lock 'ext->QueueLocks[1]' that is already held [spinlock-double-acquire]
    // CHECK-NEXT: spinlock-double-acquire.c:[[@LINE-2]]:5: note: spin lock 'ext->QueueLocks[1]' acquired here
    KeAcquireSpinLockAtDpcLevel(&ext->QueueLocks[1]);
    ext->Pending = 0;
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLocks[1]);
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// The fix of the first case: release on every path out of the locked
// region.
KDEFERRED_ROUTINE FooFixedDpc;

VOID FooFixedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PLIST_ENTRY entry;
    PIRP irp;

    for (;;) {
        KeAcquireSpinLockAtDpcLevel(&ext->Lock); // no-warning
        if (IsListEmpty(&ext->Queue)) {
            KeReleaseSpinLockFromDpcLevel(&ext->Lock);
            break;
        }
        entry = RemoveHeadList(&ext->Queue);
        irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(irp, NULL) == NULL) {
            InitializeListHead(entry);
            KeReleaseSpinLockFromDpcLevel(&ext->Lock);
            continue;
        }
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);

        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

// goto retry after releasing.
KDEFERRED_ROUTINE FooFixedRetryDpc;

VOID FooFixedRetryDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

retry:
    KeAcquireSpinLockAtDpcLevel(&ext->Lock); // no-warning
    if (ext->Busy) {
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
        ext->Pending++;
        goto retry;
    }
    ext->Busy = TRUE;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}

// Nested locks: different fields, different array elements, the same field
// name in another structure type, and a global.
DRIVER_DISPATCH FooDispatchFlush;

NTSTATUS FooDispatchFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PCONTROLLER_EXTENSION controller = (PCONTROLLER_EXTENSION)ext->Dpc.DeferredContext;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    KeAcquireSpinLockAtDpcLevel(&ext->StatsLock); // no-warning
    KeAcquireSpinLockAtDpcLevel(&ext->QueueLocks[0]); // no-warning
    KeAcquireSpinLockAtDpcLevel(&ext->QueueLocks[1]); // no-warning
    KeAcquireSpinLockAtDpcLevel(&controller->Lock); // no-warning
    KeAcquireSpinLockAtDpcLevel(&FooGlobalListLock); // no-warning
    controller->ActiveChannels = 0;
    ext->Completed += ext->Pending;
    KeReleaseSpinLockFromDpcLevel(&FooGlobalListLock);
    KeReleaseSpinLockFromDpcLevel(&controller->Lock);
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLocks[1]);
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLocks[0]);
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    KeReleaseSpinLock(&ext->Lock, oldIrql);

    // Sequential use of the same lock.
    KeAcquireSpinLock(&ext->Lock, &oldIrql); // no-warning
    ext->Pending = 0;
    KeReleaseSpinLock(&ext->Lock, oldIrql);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// Branch on KeGetCurrentIrql() with one acquire in each branch.
NTSTATUS FooWriteComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql = DISPATCH_LEVEL;

    if (KeGetCurrentIrql() == DISPATCH_LEVEL) {
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock); // no-warning
        ext->Completed++;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    } else {
        KeAcquireSpinLock(&ext->StatsLock, &oldIrql); // no-warning
        ext->Completed++;
        KeReleaseSpinLock(&ext->StatsLock, oldIrql);
    }
    return STATUS_CONTINUE_COMPLETION;
}

// A cancel routine that releases the cancel spin lock first and then takes
// its own queue lock.
DRIVER_CANCEL FooFixedCancel;

VOID FooFixedCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE lockHandle;

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireInStackQueuedSpinLock(&ext->Lock, &lockHandle); // no-warning
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

// The interrupt spin lock from a DPC, which does not hold it; the wrapper
// used once, with its lock released afterwards.
KDEFERRED_ROUTINE FooDpcForIsr;

VOID FooDpcForIsr(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    oldIrql = KeAcquireInterruptSpinLock(ext->Interrupt); // no-warning
    ext->Pending = 0;
    KeReleaseInterruptSpinLock(ext->Interrupt, oldIrql);

    FooLockStats(ext); // no-warning
    ext->Completed++;
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);

}

// Spinning on KeTryToAcquireSpinLockAtDpcLevel: each failed try leaves the
// lock free.
KDEFERRED_ROUTINE FooSpinDpc;

VOID FooSpinDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    while (!KeTryToAcquireSpinLockAtDpcLevel(&ext->Lock)) { // no-warning
        YieldProcessor();
    }
    ext->Pending = 0;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}

//===--------------------------------------------------------------------===//
// Registrations
//===--------------------------------------------------------------------===//

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

//===--------------------------------------------------------------------===//
// Fixed cases from Inputs/irql-too-high-fixme.c
//===--------------------------------------------------------------------===//

// KeAcquireInterruptSpinLock in an ISR, which already holds the interrupt
// spin lock: a self-deadlock. Not an IRQL error (the routine may be called
// at IRQL <= DIRQL), so there is no irql-too-high finding.
KSERVICE_ROUTINE FooMsgIsr;

BOOLEAN FooMsgIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)ServiceContext;
    KIRQL oldIrql;

    // CHECK: spinlock-double-acquire.c:[[@LINE+2]]:15: warning: acquiring the interrupt spin lock that is already held [spinlock-double-acquire]
    // CHECK-NEXT: spinlock-double-acquire.c:[[@LINE-8]]:18: note: 'FooMsgIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL, holding the interrupt spin lock
    oldIrql = KeAcquireInterruptSpinLock(Interrupt);
    ext->Pending++;
    KeReleaseInterruptSpinLock(Interrupt, oldIrql);
    return TRUE;
}

// Same, in a SynchCritSection routine registered by KeSynchronizeExecution.
BOOLEAN FooSynchClearPending(PVOID SynchronizeContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)SynchronizeContext;
    KIRQL oldIrql;

    // CHECK: spinlock-double-acquire.c:[[@LINE+2]]:15: warning: acquiring the interrupt spin lock that is already held [spinlock-double-acquire]
    // CHECK-NEXT: spinlock-double-acquire.c:[[@LINE+9]]:5: note: 'FooSynchClearPending' is a SynchCritSection routine (registered by KeSynchronizeExecution here), which runs at DIRQL, holding the interrupt spin lock
    oldIrql = KeAcquireInterruptSpinLock(ext->Interrupt);
    ext->Pending = 0;
    KeReleaseInterruptSpinLock(ext->Interrupt, oldIrql);
    return TRUE;
}

VOID FooClearPending(PDEVICE_EXTENSION ext)
{
    KeSynchronizeExecution(ext->Interrupt, FooSynchClearPending, ext);
}
