/*
 * queue.c - StartIo, the read IRP queue and the cancel routines of RefUart.
 *
 * Writes and line-control changes go through the I/O manager's device queue
 * (IoStartPacket / StartIo / IoStartNextPacket) and are cancelable only while
 * they wait in it. Reads wait in a driver-managed queue protected by the
 * classic executive spin lock ReadQueueLock; each queued read carries a
 * cancel routine and an optional deadline enforced by the watchdog timer.
 *
 * None of this file is pageable.
 */
#include "refdrv.h"

_IRQL_requires_(DISPATCH_LEVEL)
static VOID
RefFailStartIoPacket(_Inout_ PREF_DEVICE_EXTENSION DevExt, _Inout_ PIRP Irp, _In_ NTSTATUS Status);

_IRQL_requires_(DISPATCH_LEVEL)
static VOID
RefApplyLineControl(_Inout_ PREF_DEVICE_EXTENSION DevExt, _Inout_ PIRP Irp);

/* ------------------------------------------------------------------------ */
/* Read queue lock wrappers                                                 */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
VOID
RefLockReadQueue(PREF_DEVICE_EXTENSION DevExt, PKIRQL OldIrql)
{
    KeAcquireSpinLock(&DevExt->ReadQueueLock, OldIrql);
}

_Use_decl_annotations_
VOID
RefUnlockReadQueue(PREF_DEVICE_EXTENSION DevExt, KIRQL OldIrql)
{
    KeReleaseSpinLock(&DevExt->ReadQueueLock, OldIrql);
}

/* ------------------------------------------------------------------------ */
/* Read queue                                                               */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
VOID
RefCompleteRequest(PREF_DEVICE_EXTENSION DevExt, PIRP Irp, NTSTATUS Status, ULONG Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoReleaseRemoveLock(&DevExt->RemoveLock, Irp);
    IoCompleteRequest(Irp, IO_SERIAL_INCREMENT);
}

/*
 * Queue a read. Returns STATUS_PENDING (the IRP is marked pending and owned by
 * the queue) or STATUS_CANCELLED (the caller completes it).
 */
_Use_decl_annotations_
NTSTATUS
RefQueueReadIrp(PREF_DEVICE_EXTENSION DevExt, PIRP Irp, ULONG64 Deadline)
{
    KIRQL oldIrql;

    REF_IRP_DEADLINE(Irp) = (PVOID)(ULONG_PTR)Deadline;

    RefLockReadQueue(DevExt, &oldIrql);

    IoSetCancelRoutine(Irp, RefCancelQueuedRead);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        /* Cancelled before we queued it, and our cancel routine will not run. */
        RefUnlockReadQueue(DevExt, oldIrql);
        return STATUS_CANCELLED;
    }

    /*
     * Either not cancelled, or the cancel routine is already running and
     * will take the IRP off the queue: queue it in both cases.
     */
    IoMarkIrpPending(Irp);
    InsertTailList(&DevExt->ReadQueue, &Irp->Tail.Overlay.ListEntry);
    DevExt->ReadQueueDepth++;

    RefUnlockReadQueue(DevExt, oldIrql);
    return STATUS_PENDING;
}

/*
 * Take the oldest read that is not being cancelled. Called from the receive
 * path at PASSIVE_LEVEL (RefDispatchRead) and from the threaded DPC.
 */
_Use_decl_annotations_
PIRP
RefDequeueReadIrp(PREF_DEVICE_EXTENSION DevExt)
{
#ifndef REFDRV_BUG_IRQL_TOO_LOW
    KIRQL oldIrql;
#endif
    PLIST_ENTRY entry;
    PIRP irp = NULL;

#ifdef REFDRV_BUG_IRQL_TOO_LOW
    /* "The receive path always runs in a DPC": the fast variant. */
    KeAcquireSpinLockAtDpcLevel(&DevExt->ReadQueueLock);
#else
    KeAcquireSpinLock(&DevExt->ReadQueueLock, &oldIrql);
#endif

    while (!IsListEmpty(&DevExt->ReadQueue)) {
        entry = RemoveHeadList(&DevExt->ReadQueue);
        DevExt->ReadQueueDepth--;
        irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (IoSetCancelRoutine(irp, NULL) != NULL) {
            break;
        }
        /*
         * The cancel routine owns this IRP and will call RemoveEntryList on
         * it: leave the entry pointing at itself.
         */
        InitializeListHead(entry);
        irp = NULL;
    }

#ifdef REFDRV_BUG_IRQL_TOO_LOW
    KeReleaseSpinLockFromDpcLevel(&DevExt->ReadQueueLock);
#else
    KeReleaseSpinLock(&DevExt->ReadQueueLock, oldIrql);
#endif
    return irp;
}

_Use_decl_annotations_
VOID
RefRequeueReadIrpAtHead(PREF_DEVICE_EXTENSION DevExt, PIRP Irp)
{
    KIRQL oldIrql;

    RefLockReadQueue(DevExt, &oldIrql);
    IoSetCancelRoutine(Irp, RefCancelQueuedRead);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        RefUnlockReadQueue(DevExt, oldIrql);
        RefCompleteRequest(DevExt, Irp, STATUS_CANCELLED, 0);
        return;
    }
    InsertHeadList(&DevExt->ReadQueue, &Irp->Tail.Overlay.ListEntry);
    DevExt->ReadQueueDepth++;
    RefUnlockReadQueue(DevExt, oldIrql);
}

/*
 * Satisfy queued reads from the receive ring. Returns the number of reads
 * completed and the bytes they carried; the caller accounts for them.
 */
_Use_decl_annotations_
ULONG
RefServiceReadQueue(PREF_DEVICE_EXTENSION DevExt, PULONG BytesCompleted)
{
    REF_RX_QUERY_CONTEXT query;
    REF_RX_COPY_CONTEXT copy;
    PIO_STACK_LOCATION stack;
    PIRP irp;
    ULONG completed = 0;
    ULONG bytes = 0;
    ULONG pass;

    *BytesCompleted = 0;
    if (DevExt->Interrupt == NULL) {
        return 0;
    }

    for (pass = 0; pass < REF_MAX_READS_PER_PASS; pass++) {
        query.DevExt = DevExt;
        query.Available = 0;
        if (!KeSynchronizeExecution(DevExt->Interrupt, RefSyncQueryRx, &query)) {
            break;
        }

        irp = RefDequeueReadIrp(DevExt);
        if (irp == NULL) {
            break;
        }

        stack = IoGetCurrentIrpStackLocation(irp);
        copy.DevExt = DevExt;
        copy.Buffer = (PUCHAR)irp->AssociatedIrp.SystemBuffer;
        copy.Length = stack->Parameters.Read.Length;
        copy.Copied = 0;
        KeSynchronizeExecution(DevExt->Interrupt, RefSyncCopyRxData, &copy);

        if (copy.Copied == 0) {
            /* Purged between the query and the copy: keep the read. */
            RefRequeueReadIrpAtHead(DevExt, irp);
            break;
        }

        RefCompleteRequest(DevExt, irp, STATUS_SUCCESS, copy.Copied);
        completed++;
        bytes += copy.Copied;
    }

    *BytesCompleted = bytes;
    return completed;
}

/* Fail every queued read (of one file object, or all of them). */
_Use_decl_annotations_
ULONG
RefFlushReadQueue(PREF_DEVICE_EXTENSION DevExt, PFILE_OBJECT FileObject, NTSTATUS Status)
{
    LIST_ENTRY flushList;
    PLIST_ENTRY entry;
    PLIST_ENTRY next;
    PIRP irp;
    KIRQL oldIrql;
    ULONG count = 0;

    InitializeListHead(&flushList);

    RefLockReadQueue(DevExt, &oldIrql);
    for (entry = DevExt->ReadQueue.Flink; entry != &DevExt->ReadQueue; entry = next) {
        next = entry->Flink;
        irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        if (FileObject != NULL && IoGetCurrentIrpStackLocation(irp)->FileObject != FileObject) {
            continue;
        }
        if (IoSetCancelRoutine(irp, NULL) == NULL) {
            /* Being cancelled: the cancel routine completes it. */
            continue;
        }
        RemoveEntryList(entry);
        DevExt->ReadQueueDepth--;
        InsertTailList(&flushList, entry);
    }
    RefUnlockReadQueue(DevExt, oldIrql);

    /* Complete outside the lock. */
    while (!IsListEmpty(&flushList)) {
        entry = RemoveHeadList(&flushList);
        irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        RefCompleteRequest(DevExt, irp, Status, 0);
        count++;
    }
    return count;
}

/*
 * Complete the reads whose deadline has passed. Runs at DISPATCH_LEVEL only
 * (watchdog DPC, or RUN_WATCHDOG after KeRaiseIrql), so it uses the DPC-level
 * lock routines.
 */
_Use_decl_annotations_
ULONG
RefExpireReads(PREF_DEVICE_EXTENSION DevExt, ULONG64 Now)
{
    LIST_ENTRY expiredList;
    PLIST_ENTRY entry;
    PLIST_ENTRY next;
    PIRP irp;
    ULONG64 deadline;
    ULONG count = 0;

    InitializeListHead(&expiredList);

    KeAcquireSpinLockAtDpcLevel(&DevExt->ReadQueueLock);
    for (entry = DevExt->ReadQueue.Flink; entry != &DevExt->ReadQueue; entry = next) {
        next = entry->Flink;
        irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        deadline = (ULONG64)(ULONG_PTR)REF_IRP_DEADLINE(irp);
        if (deadline == 0 || Now < deadline) {
            continue;
        }
        if (IoSetCancelRoutine(irp, NULL) == NULL) {
            continue;
        }
        RemoveEntryList(entry);
        DevExt->ReadQueueDepth--;
        InsertTailList(&expiredList, entry);
    }
    KeReleaseSpinLockFromDpcLevel(&DevExt->ReadQueueLock);

    while (!IsListEmpty(&expiredList)) {
        entry = RemoveHeadList(&expiredList);
        irp = CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry);
        /* Serial semantics: a read timeout completes with what arrived (nothing). */
        RefCompleteRequest(DevExt, irp, STATUS_TIMEOUT, 0);
        count++;
    }
    return count;
}

/* ------------------------------------------------------------------------ */
/* Cancel routines                                                          */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
VOID
RefCancelQueuedRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE lockHandle;
    KIRQL oldIrql;

    /* We use our own queue lock, not the global cancel lock. */
    IoReleaseCancelSpinLock(Irp->CancelIrql);

    KeAcquireSpinLock(&devExt->ReadQueueLock, &oldIrql);
    if (!IsListEmpty(&Irp->Tail.Overlay.ListEntry)) {
        /* Still linked: a dequeuer did not get to it first. */
        RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
        devExt->ReadQueueDepth--;
    }
#ifdef REFDRV_BUG_IRQL_RESTORE_MISMATCH
    KeReleaseSpinLock(&devExt->ReadQueueLock, Irp->CancelIrql);
#else
    KeReleaseSpinLock(&devExt->ReadQueueLock, oldIrql);
#endif

    KeAcquireInStackQueuedSpinLock(&devExt->StateLock, &lockHandle);
    devExt->Stats.ReadsCancelled++;
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    RefCompleteRequest(devExt, Irp, STATUS_CANCELLED, 0);
}

/*
 * Cancel routine for packets queued with IoStartPacket. IoStartNextPacket
 * dequeues under the cancel spin lock, so the packet is either still in the
 * device queue or it is the current packet that StartIo declined because it
 * saw Irp->Cancel.
 */
_Use_decl_annotations_
VOID
RefCancelStartIoIrp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    BOOLEAN removed;
    KIRQL oldIrql;

    if (Irp == DeviceObject->CurrentIrp) {
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        RefCompleteRequest(devExt, Irp, STATUS_CANCELLED, 0);

        /* IoStartNextPacket wants DISPATCH_LEVEL; CancelIrql may be lower. */
        KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
        IoStartNextPacket(DeviceObject, TRUE);
        KeLowerIrql(oldIrql);
        return;
    }

    removed = KeRemoveEntryDeviceQueue(&DeviceObject->DeviceQueue,
                                       &Irp->Tail.Overlay.DeviceQueueEntry);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    if (removed) {
        RefCompleteRequest(devExt, Irp, STATUS_CANCELLED, 0);
    }
}

/* ------------------------------------------------------------------------ */
/* StartIo                                                                  */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
static VOID
RefFailStartIoPacket(PREF_DEVICE_EXTENSION DevExt, PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoReleaseRemoveLock(&DevExt->RemoveLock, Irp);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    IoStartNextPacket(DevExt->Self, TRUE);
}

_Use_decl_annotations_
static VOID
RefApplyLineControl(PREF_DEVICE_EXTENSION DevExt, PIRP Irp)
{
    PREF_LINE_CONTROL requested = (PREF_LINE_CONTROL)Irp->AssociatedIrp.SystemBuffer;
    KLOCK_QUEUE_HANDLE lockHandle;
    REF_LINE_CONTEXT line;

#ifdef REFDRV_BUG_PAGED_CODE_AT_DISPATCH_2
    /* StartIo is the only code that programs the UART: check once more. */
    if (!NT_SUCCESS(RefValidateLineControl(requested))) {
        RefFailStartIoPacket(DevExt, Irp, STATUS_INVALID_PARAMETER);
        return;
    }
#endif

    line.DevExt = DevExt;
    line.LineControl = *requested;
    KeSynchronizeExecution(DevExt->Interrupt, RefSyncSetLineControl, &line);

    /* StartIo owns ActiveConfig; Config is what the IOCTLs report. */
    DevExt->ActiveConfig = line.LineControl;
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&DevExt->StateLock, &lockHandle);
    DevExt->Config = line.LineControl;
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoReleaseRemoveLock(&DevExt->RemoveLock, Irp);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    IoStartNextPacket(DevExt->Self, TRUE);
}

_Use_decl_annotations_
VOID
RefStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    KIRQL cancelIrql;

    IoAcquireCancelSpinLock(&cancelIrql);
    if (Irp->Cancel) {
        /* RefCancelStartIoIrp is waiting for the cancel lock and completes it. */
        IoReleaseCancelSpinLock(cancelIrql);
        return;
    }
    /* Once the hardware owns it, the packet is bounded by the watchdog instead. */
    IoSetCancelRoutine(Irp, NULL);
    IoReleaseCancelSpinLock(cancelIrql);

    if (devExt->AcceptingRequests == 0 || devExt->Interrupt == NULL) {
        RefFailStartIoPacket(devExt, Irp, STATUS_DEVICE_NOT_READY);
        return;
    }

    switch (stack->MajorFunction) {
    case IRP_MJ_WRITE:
        devExt->Write.Buffer = (PUCHAR)Irp->AssociatedIrp.SystemBuffer;
        devExt->Write.Length = stack->Parameters.Write.Length;
        devExt->Write.Offset = 0;
        devExt->Write.Chunk = 0;
        KeClearEvent(&devExt->TxIdleEvent);
        if (!RefStartTxChunk(devExt)) {
            RefCompleteCurrentWrite(devExt, STATUS_DEVICE_NOT_READY, 0);
        }
        break;

    case IRP_MJ_DEVICE_CONTROL:
        if (stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_REFUART_SET_LINE_CONTROL) {
            RefApplyLineControl(devExt, Irp);
        } else {
            RefFailStartIoPacket(devExt, Irp, STATUS_INVALID_DEVICE_REQUEST);
        }
        break;

    default:
        RefFailStartIoPacket(devExt, Irp, STATUS_INVALID_DEVICE_REQUEST);
        break;
    }
}
