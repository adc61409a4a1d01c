/*
 * dispatch.c - create, close, cleanup, read, write and device control for
 * RefUart.
 *
 * All of these are called by the I/O manager at PASSIVE_LEVEL on behalf of a
 * user-mode caller. Create and close are pageable; the others take spin
 * locks and stay resident.
 */
#include "refdrv.h"

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS
RefSetLineControlIoctl(_Inout_ PREF_DEVICE_EXTENSION DevExt, _Inout_ PIRP Irp, _In_ ULONG InputLength);

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS
RefGetStatisticsIoctl(_In_ PREF_DEVICE_EXTENSION DevExt, _Out_ PVOID Buffer, _In_ ULONG OutputLength,
                      _Out_ PULONG_PTR Information);

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS
RefClearStatisticsIoctl(_Inout_ PREF_DEVICE_EXTENSION DevExt, _Out_ PVOID Buffer, _In_ ULONG OutputLength,
                        _Out_ PULONG_PTR Information);

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS
RefPurgeIoctl(_Inout_ PREF_DEVICE_EXTENSION DevExt, _Out_ PVOID Buffer, _In_ ULONG OutputLength,
              _Out_ PULONG_PTR Information);

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, RefDispatchCreate)
#pragma alloc_text(PAGE, RefDispatchClose)
#endif

static NTSTATUS
RefCompleteIrp(_Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/* ------------------------------------------------------------------------ */
/* Statistics helpers                                                       */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
VOID
RefCopyStatisticsLocked(PREF_DEVICE_EXTENSION DevExt, PREF_STATISTICS Statistics)
{
    RtlCopyMemory(Statistics, &DevExt->Stats, sizeof(REF_STATISTICS));
}

_Use_decl_annotations_
VOID
RefGetStatisticsSnapshot(PREF_DEVICE_EXTENSION DevExt, PREF_STATISTICS Statistics)
{
    KLOCK_QUEUE_HANDLE lockHandle;

    KeAcquireInStackQueuedSpinLock(&DevExt->StateLock, &lockHandle);
    RefCopyStatisticsLocked(DevExt, Statistics);
    KeReleaseInStackQueuedSpinLock(&lockHandle);
}

/* ------------------------------------------------------------------------ */
/* Create / close / cleanup                                                 */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
NTSTATUS
RefDispatchCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    NTSTATUS status;

    PAGED_CODE();

    status = IoAcquireRemoveLock(&devExt->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        return RefCompleteIrp(Irp, status, 0);
    }

    if (devExt->AcceptingRequests == 0) {
        status = STATUS_DEVICE_NOT_READY;
    } else {
        InterlockedIncrement(&devExt->OpenCount);
        status = STATUS_SUCCESS;
    }

    IoReleaseRemoveLock(&devExt->RemoveLock, Irp);
    return RefCompleteIrp(Irp, status, 0);
}

_Use_decl_annotations_
NTSTATUS
RefDispatchClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;

    PAGED_CODE();

    /* Cleanup already failed this handle's reads. */
    InterlockedDecrement(&devExt->OpenCount);
    return RefCompleteIrp(Irp, STATUS_SUCCESS, 0);
}

_Use_decl_annotations_
NTSTATUS
RefDispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    KLOCK_QUEUE_HANDLE lockHandle;
    ULONG cancelled;
    NTSTATUS status;

    status = IoAcquireRemoveLock(&devExt->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        return RefCompleteIrp(Irp, status, 0);
    }

    cancelled = RefFlushReadQueue(devExt, stack->FileObject, STATUS_CANCELLED);
    if (cancelled != 0) {
        KeAcquireInStackQueuedSpinLock(&devExt->StateLock, &lockHandle);
        devExt->Stats.ReadsCancelled += cancelled;
        KeReleaseInStackQueuedSpinLock(&lockHandle);
    }

    IoReleaseRemoveLock(&devExt->RemoveLock, Irp);
    return RefCompleteIrp(Irp, STATUS_SUCCESS, 0);
}

/* ------------------------------------------------------------------------ */
/* Read / write                                                             */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
NTSTATUS
RefDispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    KLOCK_QUEUE_HANDLE lockHandle;
    ULONG timeoutMs;
    ULONG64 deadline;
    ULONG completed;
    ULONG bytes;
    NTSTATUS status;

    status = IoAcquireRemoveLock(&devExt->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        return RefCompleteIrp(Irp, status, 0);
    }

    if (devExt->AcceptingRequests == 0) {
        IoReleaseRemoveLock(&devExt->RemoveLock, Irp);
        return RefCompleteIrp(Irp, STATUS_DEVICE_NOT_READY, 0);
    }
    if (stack->Parameters.Read.Length == 0) {
        IoReleaseRemoveLock(&devExt->RemoveLock, Irp);
        return RefCompleteIrp(Irp, STATUS_SUCCESS, 0);
    }

    KeAcquireInStackQueuedSpinLock(&devExt->StateLock, &lockHandle);
    timeoutMs = devExt->ReadTimeoutMs;
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    deadline = 0;
    if (timeoutMs != 0) {
        deadline = KeQueryInterruptTime() + REF_MS_TO_INTERRUPT_TIME(timeoutMs);
    }

    status = RefQueueReadIrp(devExt, Irp, deadline);
    if (status != STATUS_PENDING) {
        RefCompleteRequest(devExt, Irp, status, 0);
        return status;
    }

    /* Bytes may already be waiting in the ring: serve them now. */
    completed = RefServiceReadQueue(devExt, &bytes);
    if (completed != 0) {
        KeAcquireInStackQueuedSpinLock(&devExt->StateLock, &lockHandle);
        devExt->Stats.ReadsCompleted += completed;
        devExt->Stats.BytesRead += bytes;
        KeReleaseInStackQueuedSpinLock(&lockHandle);
    }
    return STATUS_PENDING;
}

_Use_decl_annotations_
NTSTATUS
RefDispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG length = stack->Parameters.Write.Length;
    NTSTATUS status;

    status = IoAcquireRemoveLock(&devExt->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        return RefCompleteIrp(Irp, status, 0);
    }

    if (devExt->AcceptingRequests == 0) {
        status = STATUS_DEVICE_NOT_READY;
    } else if (length == 0) {
        status = STATUS_SUCCESS;
    } else if (length > REF_MAX_WRITE_LENGTH) {
        status = STATUS_INVALID_PARAMETER;
    } else {
        /* StartIo owns it from here; the remove lock is released on completion. */
        IoMarkIrpPending(Irp);
        IoStartPacket(DeviceObject, Irp, NULL, RefCancelStartIoIrp);
        return STATUS_PENDING;
    }

    IoReleaseRemoveLock(&devExt->RemoveLock, Irp);
    return RefCompleteIrp(Irp, status, 0);
}

/* ------------------------------------------------------------------------ */
/* Device control                                                           */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
static NTSTATUS
RefSetLineControlIoctl(PREF_DEVICE_EXTENSION DevExt, PIRP Irp, ULONG InputLength)
{
    REF_LINE_CONTROL requested;
    REF_LINE_CONTROL current;
    KLOCK_QUEUE_HANDLE lockHandle;
    NTSTATUS status = STATUS_SUCCESS;

    if (InputLength < sizeof(REF_LINE_CONTROL)) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    RtlCopyMemory(&requested, Irp->AssociatedIrp.SystemBuffer, sizeof(requested));

#ifndef REFDRV_BUG_PAGED_CODE_AT_DISPATCH
    status = RefValidateLineControl(&requested);
    if (!NT_SUCCESS(status)) {
        return status;
    }
#endif

    KeAcquireInStackQueuedSpinLock(&DevExt->StateLock, &lockHandle);
#ifdef REFDRV_BUG_PAGED_CODE_AT_DISPATCH
    /* Validate while the current settings cannot change under us. */
    status = RefValidateLineControl(&requested);
#endif
    current = DevExt->Config;
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (RtlCompareMemory(&current, &requested, sizeof(requested)) == sizeof(requested)) {
        /* Nothing to change: no need to wait for the writes ahead of us. */
        return STATUS_SUCCESS;
    }

    /* Serialize with writes: StartIo programs the UART between packets. */
    IoMarkIrpPending(Irp);
    IoStartPacket(DevExt->Self, Irp, NULL, RefCancelStartIoIrp);
    return STATUS_PENDING;
}

_Use_decl_annotations_
static NTSTATUS
RefGetStatisticsIoctl(PREF_DEVICE_EXTENSION DevExt, PVOID Buffer, ULONG OutputLength, PULONG_PTR Information)
{
    REF_ISR_COUNTERS_CONTEXT counters;
    REF_STATISTICS stats;
    ULONG pending = 0;
#ifdef REFDRV_BUG_SPINLOCK_IRQL_MIX
    PLIST_ENTRY entry;
    KIRQL oldIrql;
#endif

    *Information = 0;
    if (OutputLength < sizeof(REF_STATISTICS)) {
        return STATUS_BUFFER_TOO_SMALL;
    }

    RtlZeroMemory(&counters, sizeof(counters));
    counters.DevExt = DevExt;
    counters.Clear = FALSE;
    KeSynchronizeExecution(DevExt->Interrupt, RefSyncIsrCounters, &counters);

    RefGetStatisticsSnapshot(DevExt, &stats);
    stats.InterruptCount = counters.InterruptCount;
    stats.RxRingOverruns = counters.RxOverruns;
    stats.EventRecordsQueued = counters.EventsQueued;
    stats.EventRecordsDropped = counters.EventsDropped;

#ifdef REFDRV_BUG_SPINLOCK_IRQL_MIX
    /* Count the undrained line events under the list's own lock. */
    KeAcquireSpinLock(&DevExt->EventListLock, &oldIrql);
    for (entry = DevExt->EventList.Flink; entry != &DevExt->EventList; entry = entry->Flink) {
        pending++;
    }
    KeReleaseSpinLock(&DevExt->EventListLock, oldIrql);
#else
    pending = counters.EventsPending;
#endif
    stats.EventRecordsPending = pending;

    RtlCopyMemory(Buffer, &stats, sizeof(stats));
    *Information = sizeof(stats);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
static NTSTATUS
RefClearStatisticsIoctl(PREF_DEVICE_EXTENSION DevExt, PVOID Buffer, ULONG OutputLength, PULONG_PTR Information)
{
    REF_ISR_COUNTERS_CONTEXT counters;
    REF_STATISTICS previous;
    KLOCK_QUEUE_HANDLE lockHandle;

    *Information = 0;

    RtlZeroMemory(&counters, sizeof(counters));
    counters.DevExt = DevExt;
    counters.Clear = TRUE;
    KeSynchronizeExecution(DevExt->Interrupt, RefSyncIsrCounters, &counters);

    /* Hand back the values we clear, atomically with the clear. */
    KeAcquireInStackQueuedSpinLock(&DevExt->StateLock, &lockHandle);
#ifdef REFDRV_BUG_SPINLOCK_DOUBLE_ACQUIRE
    RefGetStatisticsSnapshot(DevExt, &previous);
#else
    RefCopyStatisticsLocked(DevExt, &previous);
#endif
    RtlZeroMemory(&DevExt->Stats, sizeof(DevExt->Stats));
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    previous.InterruptCount = counters.InterruptCount;
    previous.RxRingOverruns = counters.RxOverruns;
    previous.EventRecordsQueued = counters.EventsQueued;
    previous.EventRecordsDropped = counters.EventsDropped;
    previous.EventRecordsPending = counters.EventsPending;

    if (OutputLength >= sizeof(REF_STATISTICS)) {
        RtlCopyMemory(Buffer, &previous, sizeof(previous));
        *Information = sizeof(previous);
    }
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
static NTSTATUS
RefPurgeIoctl(PREF_DEVICE_EXTENSION DevExt, PVOID Buffer, ULONG OutputLength, PULONG_PTR Information)
{
    REF_PURGE_CONTEXT purge;
    REF_PURGE_RESULT result;
    KLOCK_QUEUE_HANDLE lockHandle;
    ULONG cancelled;

    *Information = 0;

    purge.DevExt = DevExt;
    purge.Discarded = 0;
    KeSynchronizeExecution(DevExt->Interrupt, RefSyncPurgeRx, &purge);

    cancelled = RefFlushReadQueue(DevExt, NULL, STATUS_CANCELLED);
    if (cancelled != 0) {
        KeAcquireInStackQueuedSpinLock(&DevExt->StateLock, &lockHandle);
        DevExt->Stats.ReadsCancelled += cancelled;
        KeReleaseInStackQueuedSpinLock(&lockHandle);
    }

    if (OutputLength >= sizeof(REF_PURGE_RESULT)) {
        result.RxBytesDiscarded = purge.Discarded;
        result.ReadsCancelled = cancelled;
        RtlCopyMemory(Buffer, &result, sizeof(result));
        *Information = sizeof(result);
    }
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
RefDispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
    ULONG inLength = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG outLength = stack->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    ULONG_PTR information = 0;
    KLOCK_QUEUE_HANDLE lockHandle;
    REF_MODEM_QUERY_CONTEXT modem;
    REF_DRIVER_INFO driverInfo;
    LARGE_INTEGER timeout;
    KIRQL queueIrql;
    KIRQL oldIrql;
    ULONG value;
    ULONG depth;
    ULONG expired;
    NTSTATUS status;

    status = IoAcquireRemoveLock(&devExt->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        return RefCompleteIrp(Irp, status, 0);
    }

    if (code != IOCTL_REFUART_GET_DRIVER_INFO &&
        (devExt->AcceptingRequests == 0 || devExt->Interrupt == NULL)) {
        IoReleaseRemoveLock(&devExt->RemoveLock, Irp);
        return RefCompleteIrp(Irp, STATUS_DEVICE_NOT_READY, 0);
    }

    switch (code) {
    case IOCTL_REFUART_GET_LINE_CONTROL:
        if (outLength < sizeof(REF_LINE_CONTROL)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        KeAcquireInStackQueuedSpinLock(&devExt->StateLock, &lockHandle);
        RtlCopyMemory(buffer, &devExt->Config, sizeof(REF_LINE_CONTROL));
        KeReleaseInStackQueuedSpinLock(&lockHandle);
        information = sizeof(REF_LINE_CONTROL);
        status = STATUS_SUCCESS;
        break;

    case IOCTL_REFUART_SET_LINE_CONTROL:
        status = RefSetLineControlIoctl(devExt, Irp, inLength);
        if (status == STATUS_PENDING) {
            /* StartIo completes it and releases the remove lock. */
            return STATUS_PENDING;
        }
        break;

    case IOCTL_REFUART_GET_STATISTICS:
        status = RefGetStatisticsIoctl(devExt, buffer, outLength, &information);
        break;

    case IOCTL_REFUART_CLEAR_STATISTICS:
        status = RefClearStatisticsIoctl(devExt, buffer, outLength, &information);
        break;

    case IOCTL_REFUART_GET_MODEM_STATUS:
        if (outLength < sizeof(REF_MODEM_STATUS)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        RtlZeroMemory(&modem, sizeof(modem));
        modem.DevExt = devExt;
        KeSynchronizeExecution(devExt->Interrupt, RefSyncGetModemStatus, &modem);
        RtlCopyMemory(buffer, &modem.Status, sizeof(REF_MODEM_STATUS));
        information = sizeof(REF_MODEM_STATUS);
        status = STATUS_SUCCESS;
        break;

    case IOCTL_REFUART_SET_READ_TIMEOUT:
        if (inLength < sizeof(ULONG)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        value = *(PULONG)buffer;
        if (value > 60 * 60 * 1000) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        KeAcquireInStackQueuedSpinLock(&devExt->StateLock, &lockHandle);
        devExt->ReadTimeoutMs = value;
        KeReleaseInStackQueuedSpinLock(&lockHandle);
        status = STATUS_SUCCESS;
        break;

    case IOCTL_REFUART_PURGE:
        status = RefPurgeIoctl(devExt, buffer, outLength, &information);
        break;

    case IOCTL_REFUART_WAIT_TX_IDLE:
        if (inLength < sizeof(ULONG)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        value = *(PULONG)buffer;
        if (value > 60 * 1000) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        /* PASSIVE_LEVEL, no lock held: a real wait is fine here. */
        timeout.QuadPart = REF_RELATIVE_MS(value);
        status = KeWaitForSingleObject(&devExt->TxIdleEvent, Executive, KernelMode, FALSE, &timeout);
        status = (status == STATUS_SUCCESS) ? STATUS_SUCCESS : STATUS_IO_TIMEOUT;
        break;

    case IOCTL_REFUART_RUN_WATCHDOG:
        /* Apply read timeouts now instead of at the next watchdog tick. */
        KeAcquireSpinLock(&devExt->ReadQueueLock, &queueIrql);
        depth = devExt->ReadQueueDepth;
        KeReleaseSpinLock(&devExt->ReadQueueLock, queueIrql);

        expired = 0;
        if (depth != 0) {
            /* RefExpireReads runs at DISPATCH_LEVEL, as in the watchdog DPC. */
            KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
            expired = RefExpireReads(devExt, KeQueryInterruptTime());
#ifdef REFDRV_BUG_IRQL_NOT_RESTORED
            if (expired == 0) {
                /* Nothing timed out: finish early. */
                Irp->IoStatus.Status = STATUS_SUCCESS;
                Irp->IoStatus.Information = 0;
                IoReleaseRemoveLock(&devExt->RemoveLock, Irp);
                IoCompleteRequest(Irp, IO_NO_INCREMENT);
                return STATUS_SUCCESS;
            }
#endif
#ifdef REFDRV_BUG_IRQL_RESTORE_MISMATCH_2
            KeLowerIrql(queueIrql);
#else
            KeLowerIrql(oldIrql);
#endif
        }

        if (expired != 0) {
            KeAcquireInStackQueuedSpinLock(&devExt->StateLock, &lockHandle);
            devExt->Stats.ReadTimeouts += expired;
            KeReleaseInStackQueuedSpinLock(&lockHandle);
        }
        if (outLength >= sizeof(ULONG)) {
            *(PULONG)buffer = expired;
            information = sizeof(ULONG);
        }
        status = STATUS_SUCCESS;
        break;

    case IOCTL_REFUART_GET_DRIVER_INFO:
        if (outLength < sizeof(REF_DRIVER_INFO)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        driverInfo.DeviceCount = RefQueryDeviceCount();
        driverInfo.InstanceNumber = devExt->InstanceNumber;
        driverInfo.RxRingSize = REF_RX_RING_SIZE;
        driverInfo.TxRingSize = REF_TX_RING_SIZE;
        RtlCopyMemory(buffer, &driverInfo, sizeof(driverInfo));
        information = sizeof(driverInfo);
        status = STATUS_SUCCESS;
        break;

    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }

    IoReleaseRemoveLock(&devExt->RemoveLock, Irp);
    return RefCompleteIrp(Irp, status, information);
}
