// irql-too-low: a call whose contract needs a higher IRQL than the caller may run at.
// RUN: not %irqlcheck --no-source %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: not %irqlcheck --no-source --disable=irql-too-low %s 2>&1 | FileCheck %s --check-prefix=DISABLED --implicit-check-not='[irql-too-low]' --implicit-check-not=warning: --implicit-check-not=note:
//
// CHECK lines expect every finding; with the rule disabled (DISABLED lines)
// only the other rules' findings remain.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    PDEVICE_OBJECT Self;
    KSPIN_LOCK Lock;
    KSPIN_LOCK StatsLock;
    KDPC Dpc;
    KDPC ThreadedDpc;
    KDPC CustomDpc;
    LIST_ENTRY Queue;
    PIO_WORKITEM WorkItem;
    PIO_WORKITEM FlushItem;
    ULONG Pending;
    ULONG Completed;
    BOOLEAN Removed;
    BOOLEAN Enabled;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// Helpers with SAL IRQL contracts of their own.
_IRQL_requires_(DISPATCH_LEVEL)
VOID FooDrainLocked(PDEVICE_EXTENSION ext);

_IRQL_requires_min_(DISPATCH_LEVEL)
VOID FooKickHardware(PDEVICE_EXTENSION ext);

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// Seed "Synchronization and threaded DPCs": a CustomThreadedDpc routine must
// not call KeAcquireSpinLockAtDpcLevel / KeReleaseSpinLockFromDpcLevel; it
// may run at PASSIVE_LEVEL. Registered at the bottom of the file.
VOID FooThreadedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    // CHECK: irql-too-low.c:[[@LINE+2]]:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE+437]]:5: note: 'FooThreadedDpc' is a threaded DPC routine (registered by KeInitializeThreadedDpc here), which runs at PASSIVE_LEVEL or DISPATCH_LEVEL
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Pending = 0;
    // CHECK: irql-too-low.c:[[@LINE+2]]:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE+433]]:5: note: 'FooThreadedDpc' is a threaded DPC routine (registered by KeInitializeThreadedDpc here), which runs at PASSIVE_LEVEL or DISPATCH_LEVEL
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}

// Same seed, queued spin locks. Declared with KDEFERRED_ROUTINE like every
// DPC routine, but registered as a threaded DPC: only the registration
// explains the PASSIVE_LEVEL.
KDEFERRED_ROUTINE FooThreadedQueuedDpc;

VOID FooThreadedQueuedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KLOCK_QUEUE_HANDLE lockHandle;

    // CHECK: irql-too-low.c:[[@LINE+2]]:5: warning: calling 'KeAcquireInStackQueuedSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE+419]]:5: note: 'FooThreadedQueuedDpc' is a threaded DPC routine (registered by KeInitializeThreadedDpc here), which runs at PASSIVE_LEVEL or DISPATCH_LEVEL
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&ext->Lock, &lockHandle);
    ext->Completed++;
    // CHECK: irql-too-low.c:[[@LINE+2]]:5: warning: calling 'KeReleaseInStackQueuedSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE+415]]:5: note: 'FooThreadedQueuedDpc' is a threaded DPC routine (registered by KeInitializeThreadedDpc here), which runs at PASSIVE_LEVEL or DISPATCH_LEVEL
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle);
}

// Seed "Calling support routines that use spin locks": AtDpcLevel below
// DISPATCH_LEVEL is a fatal error. A dispatch routine runs at PASSIVE_LEVEL.
DRIVER_DISPATCH FooDispatchCreate;

NTSTATUS FooDispatchCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    // CHECK: irql-too-low.c:[[@LINE+3]]:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE-7]]:17: note: 'FooDispatchCreate' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: irql-too-low.c:[[@LINE+431]]:5: note: 'FooDispatchCreate' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_CREATE] here), which runs at PASSIVE_LEVEL
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Pending++;
    // CHECK: irql-too-low.c:[[@LINE+3]]:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE-12]]:17: note: 'FooDispatchCreate' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: irql-too-low.c:[[@LINE+426]]:5: note: 'FooDispatchCreate' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_CREATE] here), which runs at PASSIVE_LEVEL
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// A work item runs at PASSIVE_LEVEL; a loop does not change that.
IO_WORKITEM_ROUTINE FooRetryWorker;

VOID FooRetryWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PLIST_ENTRY entry;
    PIRP irp;

    for (;;) {
        // CHECK: irql-too-low.c:[[@LINE+2]]:9: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
        // CHECK-NEXT: irql-too-low.c:[[@LINE-10]]:21: note: 'FooRetryWorker' is a work item routine (declared as IO_WORKITEM_ROUTINE), which runs at PASSIVE_LEVEL
        KeAcquireSpinLockAtDpcLevel(&ext->Lock);
        if (IsListEmpty(&ext->Queue)) {
            // CHECK: irql-too-low.c:[[@LINE+2]]:13: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
            // CHECK-NEXT: irql-too-low.c:[[@LINE-14]]:21: note: 'FooRetryWorker' is a work item routine (declared as IO_WORKITEM_ROUTINE), which runs at PASSIVE_LEVEL
            KeReleaseSpinLockFromDpcLevel(&ext->Lock);
            break;
        }
        entry = RemoveHeadList(&ext->Queue);
        // CHECK: irql-too-low.c:[[@LINE+2]]:9: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
        // CHECK-NEXT: irql-too-low.c:[[@LINE-20]]:21: note: 'FooRetryWorker' is a work item routine (declared as IO_WORKITEM_ROUTINE), which runs at PASSIVE_LEVEL
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);

        irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        IoCallDriver(ext->Self, irp);
    }
}

// A work item registered with IoQueueWorkItem (not declared with the
// typedef) calls a routine that needs DISPATCH_LEVEL or higher.
VOID FooFlushWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    // CHECK: irql-too-low.c:[[@LINE+2]]:5: warning: calling 'FooKickHardware' requires IRQL >= DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE+297]]:9: note: 'FooFlushWorker' is a work item routine (registered by IoQueueWorkItem here), which runs at PASSIVE_LEVEL
    FooKickHardware(ext);
}

// A completion routine may run at PASSIVE_LEVEL, APC_LEVEL or
// DISPATCH_LEVEL. "Not PASSIVE_LEVEL" still leaves APC_LEVEL.
NTSTATUS FooReadComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        // CHECK: irql-too-low.c:[[@LINE+2]]:9: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be APC_LEVEL here [irql-too-low]
        // CHECK-NEXT: irql-too-low.c:[[@LINE+352]]:9: note: 'FooReadComplete' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
        ext->Completed++;
        // CHECK: irql-too-low.c:[[@LINE+2]]:9: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be APC_LEVEL here [irql-too-low]
        // CHECK-NEXT: irql-too-low.c:[[@LINE+348]]:9: note: 'FooReadComplete' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    }
    return STATUS_CONTINUE_COMPLETION;
}

// Early return: only PASSIVE_LEVEL is filtered out, APC_LEVEL gets through.
NTSTATUS FooWriteComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
        return STATUS_CONTINUE_COMPLETION;
    }
    // CHECK: irql-too-low.c:[[@LINE+2]]:5: warning: calling 'FooDrainLocked' requires IRQL == DISPATCH_LEVEL, but IRQL may be APC_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE+336]]:9: note: 'FooWriteComplete' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
    FooDrainLocked(ext);
    return STATUS_CONTINUE_COMPLETION;
}

// SAL on the function itself: _IRQL_requires_max_(APC_LEVEL).
_IRQL_requires_max_(APC_LEVEL)
VOID FooResetStatistics(PDEVICE_EXTENSION ext)
{
    // CHECK: irql-too-low.c:[[@LINE+2]]:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE-3]]:6: note: 'FooResetStatistics' is annotated _IRQL_requires_max_(APC_LEVEL), so it runs at PASSIVE_LEVEL or APC_LEVEL
    KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
    ext->Completed = 0;
    // CHECK: irql-too-low.c:[[@LINE+2]]:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE-7]]:6: note: 'FooResetStatistics' is annotated _IRQL_requires_max_(APC_LEVEL), so it runs at PASSIVE_LEVEL or APC_LEVEL
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
}

// KeRaiseIrql / KeLowerIrql wrapping: the helper needs DISPATCH_LEVEL; it
// gets it inside the raise only.
DRIVER_DISPATCH FooDispatchCleanup;

NTSTATUS FooDispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    FooDrainLocked(ext); // no-warning
    KeLowerIrql(oldIrql);
    // CHECK: irql-too-low.c:[[@LINE+3]]:5: warning: calling 'FooDrainLocked' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE-11]]:17: note: 'FooDispatchCleanup' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: irql-too-low.c:[[@LINE+320]]:5: note: 'FooDispatchCleanup' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_CLEANUP] here), which runs at PASSIVE_LEVEL
    FooDrainLocked(ext);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// goto into the tail of a raised region: on the error path the IRQL was
// never raised (and the lock never taken).
DRIVER_DISPATCH FooDispatchWrite;

NTSTATUS FooDispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL oldIrql = PASSIVE_LEVEL;

    if (Irp->MdlAddress == NULL) {
        status = STATUS_INVALID_PARAMETER;
        goto done;
    }
    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    KeAcquireSpinLockAtDpcLevel(&ext->Lock); // no-warning
    ext->Pending++;
done:
    // CHECK: irql-too-low.c:[[@LINE+5]]:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE-17]]:17: note: 'FooDispatchWrite' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: irql-too-low.c:[[@LINE+292]]:5: note: 'FooDispatchWrite' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_WRITE] here), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: irql-too-low.c:[[@LINE+2]]:5: warning: releasing spin lock 'ext->Lock' that may not be held [spinlock-not-held]
    // DISABLED: irql-too-low.c:[[@LINE+1]]:5: warning: releasing spin lock 'ext->Lock' that may not be held [spinlock-not-held]
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    KeLowerIrql(oldIrql);

    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

// IoStartNextPacket needs DISPATCH_LEVEL; a dispatch routine runs at
// PASSIVE_LEVEL.
DRIVER_DISPATCH FooDispatchCancelAll;

NTSTATUS FooDispatchCancelAll(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    // CHECK: irql-too-low.c:[[@LINE+2]]:5: warning: calling 'IoStartNextPacket' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE-7]]:17: note: 'FooDispatchCancelAll' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
    IoStartNextPacket(DeviceObject, FALSE);
    return STATUS_SUCCESS;
}

// switch: one IOCTL case was copied from the DPC. Not declared with the
// typedef: the MajorFunction store makes it a dispatch routine.
NTSTATUS FooDispatchIoctl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL oldIrql;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case 0x220004:
        KeAcquireSpinLock(&ext->Lock, &oldIrql);
        ext->Pending = 0;
        KeReleaseSpinLock(&ext->Lock, oldIrql);
        break;
    case 0x220008:
        // CHECK: irql-too-low.c:[[@LINE+2]]:9: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
        // CHECK-NEXT: irql-too-low.c:[[@LINE+251]]:5: note: 'FooDispatchIoctl' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] here), which runs at PASSIVE_LEVEL
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
        ext->Completed = 0;
        // CHECK: irql-too-low.c:[[@LINE+2]]:9: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
        // CHECK-NEXT: irql-too-low.c:[[@LINE+247]]:5: note: 'FooDispatchIoctl' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] here), which runs at PASSIVE_LEVEL
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }

    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// Seed "Synchronization and threaded DPCs", the fix: ForDpc routines in a
// CustomThreadedDpc routine.
VOID FooThreadedForDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    oldIrql = KeAcquireSpinLockForDpc(&ext->Lock); // no-warning
    ext->Pending = 0;
    KeReleaseSpinLockForDpc(&ext->Lock, oldIrql); // no-warning
}

// Same seed: KeAcquireSpinLock / KeReleaseSpinLock may be called inside and
// outside a CustomThreadedDpc routine.
VOID FooThreadedClassic(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql); // no-warning
    ext->Pending = 0;
    KeReleaseSpinLock(&ext->Lock, oldIrql); // no-warning
}

// Same seed, queued: the ForDpc pair and the plain pair.
VOID FooThreadedQueuedForDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KLOCK_QUEUE_HANDLE lockHandle;
    KLOCK_QUEUE_HANDLE statsHandle;

    KeAcquireInStackQueuedSpinLockForDpc(&ext->Lock, &lockHandle); // no-warning
    ext->Pending = 0;
    KeReleaseInStackQueuedSpinLockForDpc(&lockHandle); // no-warning

    KeAcquireInStackQueuedSpinLock(&ext->StatsLock, &statsHandle); // no-warning
    ext->Completed = 0;
    KeReleaseInStackQueuedSpinLock(&statsHandle); // no-warning
}

// Seed "Guidelines for writing DPC routines": a DpcForIsr or CustomDpc
// routine runs at DISPATCH_LEVEL and may use the faster AtDpcLevel routines.
VOID FooCustomDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KLOCK_QUEUE_HANDLE lockHandle;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock); // no-warning
    ext->Pending = 0;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning

    KeAcquireInStackQueuedSpinLockAtDpcLevel(&ext->StatsLock, &lockHandle); // no-warning
    ext->Completed++;
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle); // no-warning
    FooDrainLocked(ext); // no-warning
}

// A DPC declared with the role typedef, trying the lock.
KDEFERRED_ROUTINE FooPollDpc;

VOID FooPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->Lock)) { // no-warning
        ext->Pending = 0;
        KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
    } else {
        KeInsertQueueDpc(Dpc, NULL, NULL);
    }
}

// KeAcquireSpinLock raises to DISPATCH_LEVEL: a second lock may then be
// taken with the AtDpcLevel routine.
DRIVER_DISPATCH FooDispatchClose;

NTSTATUS FooDispatchClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    KeAcquireSpinLockAtDpcLevel(&ext->StatsLock); // no-warning
    ext->Completed += ext->Pending;
    ext->Pending = 0;
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock); // no-warning
    FooDrainLocked(ext); // no-warning
    KeReleaseSpinLock(&ext->Lock, oldIrql);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// KeRaiseIrqlToDpcLevel in a loop of a work item, with a goto cleanup that
// stays inside the raised region.
IO_WORKITEM_ROUTINE FooStatsWorker;

VOID FooStatsWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;
    ULONG i;

    for (i = 0; i < 4; i++) {
        oldIrql = KeRaiseIrqlToDpcLevel();
        if (ext->Removed) {
            goto lower;
        }
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock); // no-warning
        ext->Completed = 0;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock); // no-warning
        FooKickHardware(ext); // no-warning
lower:
        KeLowerIrql(oldIrql);
    }
}

// Completion routine that checks the IRQL before choosing the routine.
NTSTATUS FooIoctlComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    if (KeGetCurrentIrql() == DISPATCH_LEVEL) {
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock); // no-warning
        ext->Completed++;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock); // no-warning
    } else {
        KeAcquireSpinLock(&ext->StatsLock, &oldIrql);
        ext->Completed++;
        KeReleaseSpinLock(&ext->StatsLock, oldIrql);
    }
    return STATUS_CONTINUE_COMPLETION;
}

// Completion routine with an early return below DISPATCH_LEVEL.
NTSTATUS FooFlushComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeGetCurrentIrql() < DISPATCH_LEVEL) {
        IoQueueWorkItem(ext->FlushItem, FooFlushWorker, DelayedWorkQueue, ext);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    FooDrainLocked(ext); // no-warning
    FooKickHardware(ext); // no-warning
    return STATUS_CONTINUE_COMPLETION;
}

// StartIo runs at DISPATCH_LEVEL.
DRIVER_STARTIO FooStartIo;

VOID FooStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock); // no-warning
    ext->Pending++;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
    FooKickHardware(ext); // no-warning
}

// A cancel routine runs at DISPATCH_LEVEL holding the cancel spin lock.
DRIVER_CANCEL FooCancel;

VOID FooCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock); // no-warning
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLockFromDpcLevel(&ext->Lock); // no-warning
    IoReleaseCancelSpinLock(Irp->CancelIrql);

    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

// _IRQL_requires_(DISPATCH_LEVEL) on the helper: AtDpcLevel is right there.
_Use_decl_annotations_
VOID FooDrainLocked(PDEVICE_EXTENSION ext)
{
    KeAcquireSpinLockAtDpcLevel(&ext->StatsLock); // no-warning
    ext->Completed += ext->Pending;
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock); // no-warning
}

//===--------------------------------------------------------------------===//
// Registrations
//===--------------------------------------------------------------------===//

VOID FooInitializeDpcs(PDEVICE_EXTENSION ext)
{
    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedDpc, ext);
    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedQueuedDpc, ext);
    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedForDpc, ext);
    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedClassic, ext);
    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedQueuedForDpc, ext);
    KeInitializeDpc(&ext->CustomDpc, FooCustomDpc, ext);
    KeInitializeDpc(&ext->Dpc, FooPollDpc, ext);
}

NTSTATUS FooSendDown(PDEVICE_EXTENSION ext, PDEVICE_OBJECT lower, PIRP Irp)
{
    IoCopyCurrentIrpStackLocationToNext(Irp);
    switch (IoGetCurrentIrpStackLocation(Irp)->MajorFunction) {
    case IRP_MJ_READ:
        IoSetCompletionRoutine(Irp, FooReadComplete, ext, TRUE, TRUE, TRUE);
        break;
    case IRP_MJ_WRITE:
        IoSetCompletionRoutine(Irp, FooWriteComplete, ext, TRUE, TRUE, TRUE);
        break;
    case IRP_MJ_FLUSH_BUFFERS:
        IoSetCompletionRoutine(Irp, FooFlushComplete, ext, TRUE, TRUE, TRUE);
        break;
    default:
        IoSetCompletionRoutine(Irp, FooIoctlComplete, ext, TRUE, TRUE, TRUE);
        break;
    }
    return IoCallDriver(lower, Irp);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    DriverObject->MajorFunction[IRP_MJ_CREATE] = FooDispatchCreate;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = FooDispatchClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = FooDispatchCleanup;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = FooDispatchWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = FooDispatchIoctl;
    DriverObject->DriverStartIo = FooStartIo;
    return STATUS_SUCCESS;
}

//===--------------------------------------------------------------------===//
// Fixed cases from Inputs/irql-too-low-fixme.c
//===--------------------------------------------------------------------===//

// KeInsertDeviceQueue needs DISPATCH_LEVEL; a dispatch routine runs at
// PASSIVE_LEVEL.
DRIVER_DISPATCH FooDispatchQueue;

NTSTATUS FooDispatchQueue(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    // CHECK: irql-too-low.c:[[@LINE+2]]:10: warning: calling 'KeInsertDeviceQueue' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE-5]]:17: note: 'FooDispatchQueue' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
    if (!KeInsertDeviceQueue(&DeviceObject->DeviceQueue,
                             &Irp->Tail.Overlay.DeviceQueueEntry)) {
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    }
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}

// A role given by _Function_class_: the note points at the function's name
// (the annotation is on the line before).
_Function_class_(DRIVER_DISPATCH)
NTSTATUS FooFunctionClassDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    // CHECK: irql-too-low.c:[[@LINE+2]]:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE-5]]:10: note: 'FooFunctionClassDispatch' is a dispatch routine (annotated _Function_class_(DRIVER_DISPATCH)), which runs at PASSIVE_LEVEL
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Pending++;
    // CHECK: irql-too-low.c:[[@LINE+2]]:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: irql-too-low.c:[[@LINE-9]]:10: note: 'FooFunctionClassDispatch' is a dispatch routine (annotated _Function_class_(DRIVER_DISPATCH)), which runs at PASSIVE_LEVEL
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// Clean: a switch on KeGetCurrentIrql() restricts the IRQL in its cases.
NTSTATUS FooSwitchComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    switch (KeGetCurrentIrql()) {
    case DISPATCH_LEVEL:
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock); // no-warning
        ext->Completed++;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock); // no-warning
        break;
    default:
        KeAcquireSpinLock(&ext->StatsLock, &oldIrql);
        ext->Completed++;
        KeReleaseSpinLock(&ext->StatsLock, oldIrql);
        break;
    }
    return STATUS_CONTINUE_COMPLETION;
}

// Clean: a KeGetCurrentIrql() test as the right operand of &&.
NTSTATUS FooAndComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (ext->Enabled && KeGetCurrentIrql() == DISPATCH_LEVEL) {
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock); // no-warning
        ext->Completed++;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock); // no-warning
    }
    return STATUS_CONTINUE_COMPLETION;
}

VOID FooRegisterCompletions(PDEVICE_EXTENSION ext, PIRP Irp)
{
    if (ext->Pending == 0) {
        IoSetCompletionRoutine(Irp, FooSwitchComplete, ext, TRUE, TRUE, TRUE);
    } else {
        IoSetCompletionRoutine(Irp, FooAndComplete, ext, TRUE, TRUE, TRUE);
    }
}
