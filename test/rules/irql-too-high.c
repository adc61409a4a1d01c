// irql-too-high: a call whose contract has a maximum IRQL below the IRQL the caller may run at.
// RUN: not %irqlcheck --no-source --disable=isr-shared-state %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: %irqlcheck --disable=isr-shared-state,irql-too-high %s | count 0
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
    KDPC ErrorDpc;
    PIO_WORKITEM WorkItem;
    PDEVICE_OBJECT LowerDevice;
    PIRP PendingIrp;
    HANDLE LogFile;
    LIST_ENTRY Queue;
    PULONG StatusRegister;
    ULONG Pending;
    ULONG Errors;
    BOOLEAN Removed;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// Helpers with SAL contracts: registry and paged work at PASSIVE_LEVEL,
// event logging with paged buffers at APC_LEVEL or below.
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS FooSaveSettings(PDEVICE_EXTENSION ext);

_IRQL_requires_max_(APC_LEVEL)
VOID FooLogError(PDEVICE_EXTENSION ext, NTSTATUS status);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID FooUpdateStats(PDEVICE_EXTENSION ext);

_IRQL_requires_max_(HIGH_LEVEL)
VOID FooTrace(ULONG event);

// Lock wrappers: the acquire wrapper raises its caller's IRQL, the release
// wrapper restores it.
static VOID FooLockQueue(PDEVICE_EXTENSION ext, PKIRQL oldIrql)
{
    KeAcquireSpinLock(&ext->Lock, oldIrql); // no-warning
}

static VOID FooUnlockQueue(PDEVICE_EXTENSION ext, KIRQL oldIrql)
{
    KeReleaseSpinLock(&ext->Lock, oldIrql); // no-warning
}

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// Seed "Calling support routines that use spin locks": an ISR runs at DIRQL
// holding the interrupt spin lock and must not call KeAcquireSpinLock.
KSERVICE_ROUTINE FooIsr;

BOOLEAN FooIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)ServiceContext;
    KIRQL oldIrql;

    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'KeAcquireSpinLock' requires IRQL <= DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE-8]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Pending++;
    KeReleaseSpinLock(&ext->Lock, oldIrql); // no-warning: the acquire set DISPATCH_LEVEL
    return TRUE;
}

// Same seed: nor may a SynchCritSection routine (DIRQL), here registered by
// KeSynchronizeExecution, take an executive spin lock, queued or not.
BOOLEAN FooSynchResetQueue(PVOID SynchronizeContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)SynchronizeContext;
    KLOCK_QUEUE_HANDLE lockHandle;

    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'KeAcquireInStackQueuedSpinLock' requires IRQL <= DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE+357]]:5: note: 'FooSynchResetQueue' is a SynchCritSection routine (registered by KeSynchronizeExecution here), which runs at DIRQL
    KeAcquireInStackQueuedSpinLock(&ext->Lock, &lockHandle);
    InitializeListHead(&ext->Queue);
    KeReleaseInStackQueuedSpinLock(&lockHandle);
    return TRUE;
}

// A SynchCritSection routine declared with KSYNCHRONIZE_ROUTINE, using the
// AtDpcLevel routines: they need exactly DISPATCH_LEVEL.
KSYNCHRONIZE_ROUTINE FooSynchCountError;

BOOLEAN FooSynchCountError(PVOID SynchronizeContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)SynchronizeContext;

    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE-7]]:22: note: 'FooSynchCountError' is a SynchCritSection routine (declared as KSYNCHRONIZE_ROUTINE), which runs at DIRQL
    KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
    ext->Errors++;
    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE-11]]:22: note: 'FooSynchCountError' is a SynchCritSection routine (declared as KSYNCHRONIZE_ROUTINE), which runs at DIRQL
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    return TRUE;
}

// An ISR connected with IoConnectInterrupt that queues a work item itself
// instead of a DPC.
BOOLEAN FooLineIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)ServiceContext;

    if (READ_REGISTER_ULONG(ext->StatusRegister) == 0) {
        return FALSE;
    }
    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'IoQueueWorkItem' requires IRQL <= DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE+246]]:18: note: 'FooLineIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    IoQueueWorkItem(ext->WorkItem, NULL, DelayedWorkQueue, ext);
    FooTrace(1); // no-warning
    return TRUE;
}

// An ISR that forwards an IRP itself: IoCallDriver is for IRQL <=
// DISPATCH_LEVEL.
KSERVICE_ROUTINE FooForwardIsr;

BOOLEAN FooForwardIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)ServiceContext;

    if (ext->PendingIrp == NULL) {
        return FALSE;
    }
    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'IoCallDriver' requires IRQL <= DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE-10]]:18: note: 'FooForwardIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    IoCallDriver(ext->LowerDevice, ext->PendingIrp);
    ext->PendingIrp = NULL;
    return TRUE;
}

// A dispatch routine runs at PASSIVE_LEVEL, but KeAcquireSpinLock raised
// the IRQL to DISPATCH_LEVEL before the registry write.
DRIVER_DISPATCH FooDispatchSetSettings;

NTSTATUS FooDispatchSetSettings(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;
    NTSTATUS status;

    status = FooSaveSettings(ext); // no-warning
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Pending = 0;
    // CHECK: irql-too-high.c:[[@LINE+2]]:14: warning: calling 'FooSaveSettings' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE-3]]:5: note: IRQL raised to DISPATCH_LEVEL here
    status = FooSaveSettings(ext);
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    status = FooSaveSettings(ext); // no-warning

    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

// The acquire wrapper raised the IRQL before the registry write.
DRIVER_DISPATCH FooDispatchShutdown;

NTSTATUS FooDispatchShutdown(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    FooLockQueue(ext, &oldIrql);
    ext->Removed = TRUE;
    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'FooSaveSettings' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE-3]]:5: note: IRQL raised to DISPATCH_LEVEL by 'FooLockQueue' here
    FooSaveSettings(ext);
    FooUnlockQueue(ext, oldIrql);
    FooSaveSettings(ext); // no-warning

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// KeRaiseIrql / KeLowerIrql wrapping.
DRIVER_DISPATCH FooDispatchFlush;

NTSTATUS FooDispatchFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    FooUpdateStats(ext); // no-warning
    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'FooLogError' requires IRQL <= APC_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE-3]]:5: note: IRQL raised to DISPATCH_LEVEL here
    FooLogError(ext, STATUS_SUCCESS);
    KeLowerIrql(oldIrql);
    FooLogError(ext, STATUS_SUCCESS); // no-warning

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// Raised to SYNCH_LEVEL (a device level on x64), then an executive lock.
DRIVER_DISPATCH FooDispatchQuery;

NTSTATUS FooDispatchQuery(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;
    KIRQL lockIrql;

    oldIrql = KeRaiseIrqlToSynchLevel();
    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'KeAcquireSpinLock' requires IRQL <= DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE-2]]:15: note: IRQL raised to DIRQL here
    KeAcquireSpinLock(&ext->StatsLock, &lockIrql);
    Irp->IoStatus.Information = ext->Errors;
    KeReleaseSpinLock(&ext->StatsLock, lockIrql);
    KeLowerIrql(oldIrql);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// A DPC runs at DISPATCH_LEVEL.
KDEFERRED_ROUTINE FooErrorDpc;

VOID FooErrorDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    FooUpdateStats(ext); // no-warning
    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'FooLogError' requires IRQL <= APC_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE-8]]:19: note: 'FooErrorDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    FooLogError(ext, STATUS_DEVICE_DATA_ERROR);
}

// A CustomDpc routine registered with KeInitializeDpc (not declared with
// the typedef) also runs at DISPATCH_LEVEL.
VOID FooTimeoutDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql); // no-warning
    ext->Errors++;
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'FooSaveSettings' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE+308]]:5: note: 'FooTimeoutDpc' is a DPC routine (registered by KeInitializeDpc here), which runs at DISPATCH_LEVEL
    FooSaveSettings(ext);
}

// Zw* file routines need PASSIVE_LEVEL; nonpaged pool is fine at
// DISPATCH_LEVEL.
KDEFERRED_ROUTINE FooLogDpc;

VOID FooLogDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    IO_STATUS_BLOCK ioStatus;
    PVOID buffer;

    buffer = ExAllocatePoolWithTag(NonPagedPool, 512, 'gLoF'); // no-warning
    if (buffer == NULL) {
        return;
    }
    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'ZwWriteFile' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE-13]]:19: note: 'FooLogDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    ZwWriteFile(ext->LogFile, NULL, NULL, NULL, &ioStatus, buffer, 512, NULL, NULL);
    ExFreePoolWithTag(buffer, 'gLoF'); // no-warning
}

// StartIo runs at DISPATCH_LEVEL.
DRIVER_STARTIO FooStartIo;

VOID FooStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    if (ext->Removed) {
        // CHECK: irql-too-high.c:[[@LINE+2]]:9: warning: calling 'FooSaveSettings' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
        // CHECK-NEXT: irql-too-high.c:[[@LINE-8]]:16: note: 'FooStartIo' is a StartIo routine (declared as DRIVER_STARTIO), which runs at DISPATCH_LEVEL
        FooSaveSettings(ext);
        Irp->IoStatus.Status = STATUS_DELETE_PENDING;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        IoStartNextPacket(DeviceObject, FALSE);
        return;
    }
    FooUpdateStats(ext); // no-warning
}

// A cancel routine runs at DISPATCH_LEVEL until it releases the cancel
// spin lock, which restores the IRQL saved in Irp->CancelIrql.
DRIVER_CANCEL FooCancel;

VOID FooCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'FooLogError' requires IRQL <= APC_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE-8]]:15: note: 'FooCancel' is a cancel routine (declared as DRIVER_CANCEL), which runs at DISPATCH_LEVEL
    FooLogError(ext, STATUS_CANCELLED);
    IoReleaseCancelSpinLock(Irp->CancelIrql);

    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

// A completion routine may run at PASSIVE_LEVEL, APC_LEVEL or
// DISPATCH_LEVEL; "<= APC_LEVEL" still allows APC_LEVEL.
NTSTATUS FooSettingsComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeGetCurrentIrql() <= APC_LEVEL) {
        // CHECK: irql-too-high.c:[[@LINE+2]]:9: warning: calling 'FooSaveSettings' requires IRQL <= PASSIVE_LEVEL, but IRQL may be APC_LEVEL here [irql-too-high]
        // CHECK-NEXT: irql-too-high.c:[[@LINE+248]]:9: note: 'FooSettingsComplete' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
        FooSaveSettings(ext);
        FooLogError(ext, Irp->IoStatus.Status); // no-warning
    }
    return STATUS_CONTINUE_COMPLETION;
}

// A loop with the lock held across a call that needs PASSIVE_LEVEL.
IO_WORKITEM_ROUTINE FooRetryWorker;

VOID FooRetryWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;
    ULONG retries;

    for (retries = 0; retries < 3; retries++) {
        KeAcquireSpinLock(&ext->Lock, &oldIrql);
        if (IsListEmpty(&ext->Queue)) {
            KeReleaseSpinLock(&ext->Lock, oldIrql);
            break;
        }
        // CHECK: irql-too-high.c:[[@LINE+2]]:9: warning: calling 'FooSaveSettings' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
        // CHECK-NEXT: irql-too-high.c:[[@LINE-6]]:9: note: IRQL raised to DISPATCH_LEVEL here
        FooSaveSettings(ext);
        KeReleaseSpinLock(&ext->Lock, oldIrql);
    }
}

// switch on the minor function, with a spin lock held in one case.
DRIVER_DISPATCH FooDispatchPnp;

NTSTATUS FooDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL oldIrql;

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = IoConnectInterrupt(&ext->Interrupt, FooLineIsr, ext, NULL,
                                    5, 5, 5, LevelSensitive, TRUE, 1, FALSE);
        break;
    case IRP_MN_SURPRISE_REMOVAL:
        KeAcquireSpinLock(&ext->Lock, &oldIrql);
        ext->Removed = TRUE;
        // CHECK: irql-too-high.c:[[@LINE+2]]:9: warning: calling 'FooSaveSettings' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
        // CHECK-NEXT: irql-too-high.c:[[@LINE-3]]:9: note: IRQL raised to DISPATCH_LEVEL here
        FooSaveSettings(ext);
        KeReleaseSpinLock(&ext->Lock, oldIrql);
        break;
    default:
        break;
    }

    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

// SAL on the function itself.
_IRQL_requires_(DISPATCH_LEVEL)
VOID FooCompleteQueueLocked(PDEVICE_EXTENSION ext)
{
    // CHECK: irql-too-high.c:[[@LINE+2]]:5: warning: calling 'FooLogError' requires IRQL <= APC_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: irql-too-high.c:[[@LINE-3]]:6: note: 'FooCompleteQueueLocked' is annotated _IRQL_requires_(DISPATCH_LEVEL), so it runs at DISPATCH_LEVEL
    FooLogError(ext, STATUS_CANCELLED);
    FooUpdateStats(ext); // no-warning
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// The seed's fix: the ISR needs no lock of its own for state it shares with
// its SynchCritSection routines; code below DIRQL reaches that state through
// KeSynchronizeExecution.
KSERVICE_ROUTINE FooQuietIsr;
KSYNCHRONIZE_ROUTINE FooSynchTakePending;

BOOLEAN FooQuietIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)ServiceContext;

    ext->Pending++;
    FooTrace(2); // no-warning
    IoRequestDpc(ext->Self, NULL, ext); // no-warning
    return TRUE;
}

BOOLEAN FooSynchTakePending(PVOID SynchronizeContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)SynchronizeContext;

    ext->Pending = 0;
    FooTrace(3); // no-warning
    return TRUE;
}

// A DPC may take executive spin locks (DISPATCH_LEVEL is the maximum) and
// synchronize with the ISR.
KDEFERRED_ROUTINE FooDpcForIsr;

VOID FooDpcForIsr(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;
    KLOCK_QUEUE_HANDLE lockHandle;

    KeAcquireSpinLock(&ext->Lock, &oldIrql); // no-warning
    ext->Pending = 0;
    KeReleaseSpinLock(&ext->Lock, oldIrql); // no-warning
    KeAcquireInStackQueuedSpinLock(&ext->StatsLock, &lockHandle); // no-warning
    ext->Errors = 0;
    KeReleaseInStackQueuedSpinLock(&lockHandle); // no-warning
    KeSynchronizeExecution(ext->Interrupt, FooSynchTakePending, ext); // no-warning
    KeSynchronizeExecution(ext->Interrupt, FooSynchResetQueue, ext);
    IoQueueWorkItem(ext->WorkItem, FooRetryWorker, DelayedWorkQueue, ext); // no-warning
}

// The interrupt spin lock taken below DIRQL, from a DPC.
KDEFERRED_ROUTINE FooTimerDpc;

VOID FooTimerDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    oldIrql = KeAcquireInterruptSpinLock(ext->Interrupt); // no-warning
    ext->Pending = 0;
    KeReleaseInterruptSpinLock(ext->Interrupt, oldIrql);
    FooUpdateStats(ext); // no-warning
}

// A dispatch routine: PASSIVE_LEVEL calls before the acquire and after the
// release, an early return that releases first, and a goto to a cleanup
// label outside the locked region.
DRIVER_DISPATCH FooDispatchWrite;

NTSTATUS FooDispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL oldIrql;

    status = FooSaveSettings(ext); // no-warning
    if (!NT_SUCCESS(status)) {
        goto complete;
    }
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    if (ext->Removed) {
        KeReleaseSpinLock(&ext->Lock, oldIrql);
        FooLogError(ext, STATUS_DELETE_PENDING); // no-warning
        status = STATUS_DELETE_PENDING;
        goto complete;
    }
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    FooSaveSettings(ext); // no-warning
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;

complete:
    FooLogError(ext, status); // no-warning
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

// A loop that releases the lock before the PASSIVE_LEVEL call.
IO_WORKITEM_ROUTINE FooDrainWorker;

VOID FooDrainWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PLIST_ENTRY entry;
    KIRQL oldIrql;

    for (;;) {
        KeAcquireSpinLock(&ext->Lock, &oldIrql);
        if (IsListEmpty(&ext->Queue)) {
            KeReleaseSpinLock(&ext->Lock, oldIrql);
            break;
        }
        entry = RemoveHeadList(&ext->Queue);
        KeReleaseSpinLock(&ext->Lock, oldIrql);
        FooSaveSettings(ext); // no-warning
        FooLogError(ext, STATUS_SUCCESS); // no-warning
    }
    FooSaveSettings(ext); // no-warning
}

// A completion routine that does the PASSIVE_LEVEL work only at
// PASSIVE_LEVEL and defers it otherwise.
NTSTATUS FooWriteComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
        FooSaveSettings(ext); // no-warning
        FooLogError(ext, Irp->IoStatus.Status); // no-warning
    } else {
        IoQueueWorkItem(ext->WorkItem, FooDrainWorker, DelayedWorkQueue, ext); // no-warning
    }
    return STATUS_CONTINUE_COMPLETION;
}

// KeRaiseIrql / KeLowerIrql around DISPATCH_LEVEL work only.
_IRQL_requires_max_(APC_LEVEL)
VOID FooFlushStatistics(PDEVICE_EXTENSION ext)
{
    KIRQL oldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    FooUpdateStats(ext); // no-warning
    KeLowerIrql(oldIrql);
    FooLogError(ext, STATUS_SUCCESS); // no-warning
}

// _IRQL_requires_max_(DISPATCH_LEVEL): the executive spin lock routines are
// fine up to there.
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID FooResetQueue(PDEVICE_EXTENSION ext)
{
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql); // no-warning
    InitializeListHead(&ext->Queue);
    KeReleaseSpinLock(&ext->Lock, oldIrql); // no-warning
    FooUpdateStats(ext); // no-warning
}

//===--------------------------------------------------------------------===//
// Registrations
//===--------------------------------------------------------------------===//

VOID FooInitializeDpcs(PDEVICE_EXTENSION ext)
{
    KeInitializeDpc(&ext->Dpc, FooTimeoutDpc, ext);
}

NTSTATUS FooSendDown(PDEVICE_EXTENSION ext, PDEVICE_OBJECT lower, PIRP Irp)
{
    IoCopyCurrentIrpStackLocationToNext(Irp);
    if (IoGetCurrentIrpStackLocation(Irp)->MajorFunction == IRP_MJ_WRITE) {
        IoSetCompletionRoutine(Irp, FooWriteComplete, ext, TRUE, TRUE, TRUE);
    } else {
        IoSetCompletionRoutine(Irp, FooSettingsComplete, ext, TRUE, TRUE, TRUE);
    }
    return IoCallDriver(lower, Irp);
}

//===--------------------------------------------------------------------===//
// Fixed cases from Inputs/irql-too-high-fixme.c
//===--------------------------------------------------------------------===//

// KeInitializeDpc may be called at any IRQL: an ISR that prepares the DPC
// it queues is clean.
VOID FooIsrErrorDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2);

KSERVICE_ROUTINE FooErrorIsr;

BOOLEAN FooErrorIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)ServiceContext;

    KeInitializeDpc(&ext->ErrorDpc, FooIsrErrorDpc, ext); // no-warning
    KeInsertQueueDpc(&ext->ErrorDpc, NULL, NULL); // no-warning
    return TRUE;
}

VOID FooIsrErrorDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    ext->Pending = 0;
}
