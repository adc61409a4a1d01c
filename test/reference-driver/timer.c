/*
 * timer.c - deferred work of RefUart:
 *
 *   RefErrorDpc             CustomDpc (KeInitializeDpc), queued by the ISR
 *                           with KeInsertQueueDpc on line-status errors.
 *   RefRxThreadedDpc        CustomThreadedDpc (KeInitializeThreadedDpc),
 *                           queued by the DpcForIsr when data arrived. It can
 *                           run at PASSIVE_LEVEL or DISPATCH_LEVEL, so it uses
 *                           the *ForDpc lock routines (or the plain ones),
 *                           never the *AtDpcLevel / *FromDpcLevel ones.
 *   RefWatchdogDpc          CustomTimerDpc (KeInitializeTimer / KeSetTimer),
 *                           every REF_WATCHDOG_PERIOD_MS while started.
 *   RefMaintenanceWorkItem  IoQueueWorkItem: the PASSIVE_LEVEL part (waits,
 *                           file I/O, PagedPool log state).
 */
#include "refdrv.h"

_IRQL_requires_max_(PASSIVE_LEVEL)
static VOID
RefRecoverReceiver(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(PASSIVE_LEVEL)
static VOID
RefDrainLogList(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(PASSIVE_LEVEL)
static VOID
RefOpenLogFile(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(PASSIVE_LEVEL)
static VOID
RefWriteLogLine(_Inout_ PREF_DEVICE_EXTENSION DevExt, _In_ ULONG Length);

_IRQL_requires_max_(PASSIVE_LEVEL)
static ULONG
RefFormatLogEntry(_Out_writes_(Size) PCHAR Buffer, _In_ ULONG Size, _In_ ULONG Instance,
                  _In_ const REF_LOG_ENTRY *Entry);

_IRQL_requires_max_(PASSIVE_LEVEL)
static ULONG
RefFormatDropped(_Out_writes_(Size) PCHAR Buffer, _In_ ULONG Size, _In_ ULONG Instance, _In_ ULONG Dropped);

_IRQL_requires_max_(PASSIVE_LEVEL)
static VOID
RefAppendText(_Inout_updates_(Size) PCHAR Buffer, _In_ ULONG Size, _Inout_ PULONG Position, _In_z_ const CHAR *Text);

_IRQL_requires_max_(PASSIVE_LEVEL)
static VOID
RefAppendDecimal(_Inout_updates_(Size) PCHAR Buffer, _In_ ULONG Size, _Inout_ PULONG Position, _In_ ULONG64 Value);

_IRQL_requires_max_(PASSIVE_LEVEL)
static VOID
RefAppendHex8(_Inout_updates_(Size) PCHAR Buffer, _In_ ULONG Size, _Inout_ PULONG Position, _In_ UCHAR Value);

_IRQL_requires_max_(DISPATCH_LEVEL)
static BOOLEAN
RefQueueLogEntry(_Inout_ PREF_DEVICE_EXTENSION DevExt, _In_ const REF_LINE_EVENT *Event, _In_ USHORT Flags);

#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, RefMaintenanceWorkItem)
#pragma alloc_text(PAGE, RefDrainLogList)
#pragma alloc_text(PAGE, RefOpenLogFile)
#pragma alloc_text(PAGE, RefWriteLogLine)
#pragma alloc_text(PAGE, RefCloseLogFile)
#pragma alloc_text(PAGE, RefFormatLogEntry)
#pragma alloc_text(PAGE, RefFormatDropped)
#pragma alloc_text(PAGE, RefAppendText)
#pragma alloc_text(PAGE, RefAppendDecimal)
#pragma alloc_text(PAGE, RefAppendHex8)
#endif

/* ------------------------------------------------------------------------ */
/* Log entries (resident part)                                              */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
static BOOLEAN
RefQueueLogEntry(PREF_DEVICE_EXTENSION DevExt, const REF_LINE_EVENT *Event, USHORT Flags)
{
    PREF_LOG_ENTRY entry;

    entry = (PREF_LOG_ENTRY)ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(REF_LOG_ENTRY), REF_POOL_TAG);
    if (entry == NULL) {
        return FALSE;
    }
    entry->Sequence = Event->Sequence;
    entry->LineStatus = Event->Lsr;
    entry->ModemStatus = Event->Msr;
    entry->Flags = Flags;
    entry->RxLevel = Event->Level;
    entry->Timestamp = Event->Timestamp;

    /* LogListLock: ExInterlocked only, at <= DISPATCH_LEVEL. */
    ExInterlockedInsertTailList(&DevExt->LogList, &entry->Link, &DevExt->LogListLock);
    return TRUE;
}

_Use_decl_annotations_
VOID
RefQueueMaintenance(PREF_DEVICE_EXTENSION DevExt)
{
    if (InterlockedCompareExchange(&DevExt->WorkItemQueued, 1, 0) != 0) {
        /* Already queued: it will pick up our entries. */
        return;
    }
    if (!NT_SUCCESS(IoAcquireRemoveLock(&DevExt->RemoveLock, DevExt->WorkItem))) {
        /* Being removed: the remove path frees the entries. */
        InterlockedExchange(&DevExt->WorkItemQueued, 0);
        return;
    }
    KeClearEvent(&DevExt->WorkItemIdleEvent);
    IoQueueWorkItem(DevExt->WorkItem, RefMaintenanceWorkItem, DelayedWorkQueue, DevExt);
}

/* ------------------------------------------------------------------------ */
/* CustomDpc: line-status errors                                            */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
VOID
RefErrorDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeferredContext;
    REF_EVENT_DRAIN_CONTEXT drain;
    KLOCK_QUEUE_HANDLE lockHandle;
    ULONG overruns = 0;
    ULONG parity = 0;
    ULONG framing = 0;
    ULONG breaks = 0;
    BOOLEAN recover;
    ULONG i;
    UCHAR lsr;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);

    if (devExt->Interrupt == NULL) {
        return;
    }

    /* Copy the ISR's records out under the interrupt lock. */
    RtlZeroMemory(&drain, sizeof(drain));
    drain.DevExt = devExt;
    if (!KeSynchronizeExecution(devExt->Interrupt, RefSyncDrainEvents, &drain)) {
        return;
    }

    for (i = 0; i < drain.Count; i++) {
        lsr = drain.Events[i].Lsr;
        if ((lsr & REF_LSR_OVERRUN) != 0) {
            overruns++;
        }
        if ((lsr & REF_LSR_PARITY) != 0) {
            parity++;
        }
        if ((lsr & REF_LSR_FRAMING) != 0) {
            framing++;
        }
        if ((lsr & REF_LSR_BREAK) != 0) {
            breaks++;
        }

        /* Formatting and file I/O happen in the work item. */
        if (!RefQueueLogEntry(devExt, &drain.Events[i], 0)) {
#ifdef REFDRV_BUG_PAGED_DATA_AT_DISPATCH
            devExt->LogState->DroppedEntries++;
#else
            InterlockedIncrement(&devExt->LogDropped);
#endif
        }
    }

    /* An overrun burst means the receiver fell behind: reset it at PASSIVE_LEVEL. */
    recover = (BOOLEAN)(overruns >= REF_EVENT_DRAIN_BATCH / 2);

    KeAcquireInStackQueuedSpinLockAtDpcLevel(&devExt->StateLock, &lockHandle);
    devExt->Stats.OverrunErrors += overruns;
    devExt->Stats.ParityErrors += parity;
    devExt->Stats.FramingErrors += framing;
    devExt->Stats.BreaksDetected += breaks;
#ifdef REFDRV_BUG_SPINLOCK_LEAK
    if (recover && devExt->RecoveryRequested != 0) {
        /* A receiver reset is already on its way. */
        return;
    }
#endif
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle);

    if (recover) {
        InterlockedExchange(&devExt->RecoveryRequested, 1);
    }
    RefQueueMaintenance(devExt);

    if (drain.More) {
        /* More records than one batch: keep the DPC short and run again. */
        KeInsertQueueDpc(&devExt->ErrorDpc, NULL, NULL);
    }
}

/* ------------------------------------------------------------------------ */
/* CustomThreadedDpc: satisfy reads from the receive ring                   */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
VOID
RefRxThreadedDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeferredContext;
    KLOCK_QUEUE_HANDLE lockHandle;
    ULONG completed;
    ULONG bytes;
    ULONG depth;
    KIRQL oldIrql;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);

    if (devExt->Interrupt == NULL) {
        return;
    }

    /* Cheap check first: is anybody waiting for data? */
    oldIrql = KeAcquireSpinLockForDpc(&devExt->ReadQueueLock);
    depth = devExt->ReadQueueDepth;
    if (depth == 0) {
#ifdef REFDRV_BUG_SPINLOCK_RELEASE_MISMATCH
        KeReleaseSpinLock(&devExt->ReadQueueLock, oldIrql);
#else
        KeReleaseSpinLockForDpc(&devExt->ReadQueueLock, oldIrql);
#endif
        /* The bytes stay in the ring until a read arrives. */
        return;
    }
    KeReleaseSpinLockForDpc(&devExt->ReadQueueLock, oldIrql);

    /* Plain KeAcquireSpinLock inside: fine at either IRQL. */
    completed = RefServiceReadQueue(devExt, &bytes);
    if (completed == 0) {
        return;
    }

#ifdef REFDRV_BUG_IRQL_TOO_LOW_2
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&devExt->StateLock, &lockHandle);
#else
    KeAcquireInStackQueuedSpinLockForDpc(&devExt->StateLock, &lockHandle);
#endif
    devExt->Stats.ReadsCompleted += completed;
    devExt->Stats.BytesRead += bytes;
#ifdef REFDRV_BUG_IRQL_TOO_LOW_2
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle);
#else
    KeReleaseInStackQueuedSpinLockForDpc(&lockHandle);
#endif
}

/* ------------------------------------------------------------------------ */
/* CustomTimerDpc: watchdog                                                 */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
VOID
RefWatchdogDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeferredContext;
    REF_TX_SAMPLE_CONTEXT sample;
    REF_TX_CLAIM_CONTEXT claim;
    REF_LINE_EVENT carrierEvent;
    KLOCK_QUEUE_HANDLE lockHandle;
    LARGE_INTEGER noWait;
    LARGE_INTEGER dueTime;
    NTSTATUS waitStatus;
    ULONG stallLimit;
    ULONG expired;
    KIRQL oldIrql;
    UCHAR modemStatus;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);

    if (devExt->Interrupt == NULL || devExt->AcceptingRequests == 0) {
        /* Stopping: do not re-arm. */
        return;
    }

    /* 1. Read timeouts. */
    expired = RefExpireReads(devExt, KeQueryInterruptTime());

    /* 2. Transmit watchdog, only while a write is active. */
#ifdef REFDRV_BUG_WAIT_AT_DISPATCH
    noWait.QuadPart = REF_RELATIVE_MS(1);   /* give a finishing write a moment */
#else
    noWait.QuadPart = 0;                    /* poll: never block in a DPC */
#endif
    waitStatus = KeWaitForSingleObject(&devExt->TxIdleEvent, Executive, KernelMode, FALSE, &noWait);
    if (waitStatus == STATUS_TIMEOUT) {
        RtlZeroMemory(&sample, sizeof(sample));
        sample.DevExt = devExt;
        KeSynchronizeExecution(devExt->Interrupt, RefSyncSampleTxProgress, &sample);

#ifdef REFDRV_BUG_PAGED_DATA_AT_DISPATCH_2
        stallLimit = RefDefaults.TxStallLimitTicks;
#else
        stallLimit = devExt->TxStallLimitTicks;
#endif
        if (sample.Outstanding &&
            sample.Sequence == devExt->Watchdog.LastTxSequence &&
            sample.BytesSent == devExt->Watchdog.LastTxBytesSent) {
            devExt->Watchdog.StallTicks++;
            if (devExt->Watchdog.StallTicks >= stallLimit) {
                /* No progress (flow control, dead line): fail the write. */
                claim.DevExt = devExt;
                claim.Abort = TRUE;
                claim.Claimed = FALSE;
                claim.Residual = 0;
                KeSynchronizeExecution(devExt->Interrupt, RefSyncClaimTxCompletion, &claim);
                if (claim.Claimed) {
                    RefCompleteCurrentWrite(devExt, STATUS_IO_TIMEOUT, claim.Residual);
                }
                devExt->Watchdog.StallTicks = 0;
            }
        } else {
            devExt->Watchdog.StallTicks = 0;
        }
        devExt->Watchdog.LastTxSequence = sample.Sequence;
        devExt->Watchdog.LastTxBytesSent = sample.BytesSent;
    } else {
        devExt->Watchdog.StallTicks = 0;
        /* Idle transmitter: make sure RS-485 mode let go of the bus. */
        (VOID)KeSynchronizeExecution(devExt->Interrupt, RefSyncReleaseRts, devExt);
    }

    /* 3. Carrier detect, sampled under the interrupt spin lock. */
    oldIrql = KeAcquireInterruptSpinLock(devExt->Interrupt);
    modemStatus = devExt->Isr.ModemStatus;
    KeReleaseInterruptSpinLock(devExt->Interrupt, oldIrql);

    if (((modemStatus ^ devExt->Watchdog.LastModemStatus) & REF_MSR_DCD) != 0) {
        RtlZeroMemory(&carrierEvent, sizeof(carrierEvent));
        carrierEvent.Msr = modemStatus;
        carrierEvent.Timestamp = KeQueryInterruptTime();
        if (RefQueueLogEntry(devExt, &carrierEvent, 0)) {
            RefQueueMaintenance(devExt);
        } else {
            InterlockedIncrement(&devExt->LogDropped);
        }
    }
    devExt->Watchdog.LastModemStatus = modemStatus;

    /* 4. Statistics. */
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&devExt->StateLock, &lockHandle);
    devExt->Stats.WatchdogTicks++;
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle);

    if (expired != 0) {
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&devExt->StateLock, &lockHandle);
        devExt->Stats.ReadTimeouts += expired;
#ifndef REFDRV_BUG_SPINLOCK_NOT_HELD
        KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle);
#endif
    }
#ifdef REFDRV_BUG_SPINLOCK_NOT_HELD
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle);
#endif

    /* 5. Next tick (RefStopDevice cancels the timer). */
    dueTime.QuadPart = REF_RELATIVE_MS(REF_WATCHDOG_PERIOD_MS);
    KeSetTimer(&devExt->WatchdogTimer, dueTime, &devExt->WatchdogDpc);
}

/* ------------------------------------------------------------------------ */
/* Work item (PASSIVE_LEVEL)                                                */
/* ------------------------------------------------------------------------ */

/*
 * Receiver recovery after an overrun burst. Resident (it takes StateLock),
 * but it waits, so it runs only in the work item.
 */
_Use_decl_annotations_
static VOID
RefRecoverReceiver(PREF_DEVICE_EXTENSION DevExt)
{
    KLOCK_QUEUE_HANDLE lockHandle;
    REF_LINE_EVENT recoveryEvent;
    LARGE_INTEGER timeout;
    NTSTATUS status;

    /* Let the transmitter finish so the FIFO reset does not eat outgoing data. */
    timeout.QuadPart = REF_RELATIVE_MS(REF_RECOVERY_TX_WAIT_MS);
    status = KeWaitForSingleObject(&DevExt->TxIdleEvent, Executive, KernelMode, FALSE, &timeout);
    if (status == STATUS_TIMEOUT) {
        KdPrint(("RefUart: transmitter busy, resetting the receive FIFO only\n"));
    }

    /* RefStopDevice waits for this work item before disconnecting. */
    if (DevExt->Interrupt == NULL) {
        return;
    }
    KeSynchronizeExecution(DevExt->Interrupt, RefSyncResetFifos, DevExt);

    KeAcquireInStackQueuedSpinLock(&DevExt->StateLock, &lockHandle);
    DevExt->Stats.FifoResets++;
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    RtlZeroMemory(&recoveryEvent, sizeof(recoveryEvent));
    recoveryEvent.Timestamp = KeQueryInterruptTime();
    if (!RefQueueLogEntry(DevExt, &recoveryEvent, REF_LOG_FLAG_RECOVERY)) {
        InterlockedIncrement(&DevExt->LogDropped);
    }
}

_Use_decl_annotations_
static VOID
RefAppendText(PCHAR Buffer, ULONG Size, PULONG Position, const CHAR *Text)
{
    PAGED_CODE();

    while (*Text != '\0' && *Position + 1 < Size) {
        Buffer[(*Position)++] = *Text++;
    }
    Buffer[*Position] = '\0';
}

_Use_decl_annotations_
static VOID
RefAppendDecimal(PCHAR Buffer, ULONG Size, PULONG Position, ULONG64 Value)
{
    CHAR digits[21];
    ULONG count = 0;

    PAGED_CODE();

    do {
        digits[count++] = (CHAR)('0' + (Value % 10));
        Value /= 10;
    } while (Value != 0 && count < sizeof(digits));

    while (count > 0 && *Position + 1 < Size) {
        Buffer[(*Position)++] = digits[--count];
    }
    Buffer[*Position] = '\0';
}

_Use_decl_annotations_
static VOID
RefAppendHex8(PCHAR Buffer, ULONG Size, PULONG Position, UCHAR Value)
{
    static const CHAR hex[] = "0123456789abcdef";
    CHAR text[5];

    PAGED_CODE();

    text[0] = '0';
    text[1] = 'x';
    text[2] = hex[(Value >> 4) & 0xF];
    text[3] = hex[Value & 0xF];
    text[4] = '\0';
    RefAppendText(Buffer, Size, Position, text);
}

_Use_decl_annotations_
static ULONG
RefFormatLogEntry(PCHAR Buffer, ULONG Size, ULONG Instance, const REF_LOG_ENTRY *Entry)
{
    ULONG position = 0;

    PAGED_CODE();

    Buffer[0] = '\0';
    RefAppendText(Buffer, Size, &position, "refuart");
    RefAppendDecimal(Buffer, Size, &position, Instance);
    RefAppendText(Buffer, Size, &position, ": t=");
    RefAppendDecimal(Buffer, Size, &position, Entry->Timestamp / REF_MS_TO_INTERRUPT_TIME(1));
    RefAppendText(Buffer, Size, &position, "ms");

    if ((Entry->Flags & REF_LOG_FLAG_RECOVERY) != 0) {
        RefAppendText(Buffer, Size, &position, " receiver reset after overrun burst");
    } else if (Entry->LineStatus == 0) {
        RefAppendText(Buffer, Size, &position, " msr=");
        RefAppendHex8(Buffer, Size, &position, Entry->ModemStatus);
        RefAppendText(Buffer, Size, &position,
                      (Entry->ModemStatus & REF_MSR_DCD) ? " carrier detected" : " carrier lost");
    } else {
        RefAppendText(Buffer, Size, &position, " #");
        RefAppendDecimal(Buffer, Size, &position, Entry->Sequence);
        RefAppendText(Buffer, Size, &position, " lsr=");
        RefAppendHex8(Buffer, Size, &position, Entry->LineStatus);
        RefAppendText(Buffer, Size, &position, " msr=");
        RefAppendHex8(Buffer, Size, &position, Entry->ModemStatus);
        RefAppendText(Buffer, Size, &position, " rx=");
        RefAppendDecimal(Buffer, Size, &position, Entry->RxLevel);
        if ((Entry->LineStatus & REF_LSR_OVERRUN) != 0) {
            RefAppendText(Buffer, Size, &position, " overrun");
        }
        if ((Entry->LineStatus & REF_LSR_PARITY) != 0) {
            RefAppendText(Buffer, Size, &position, " parity");
        }
        if ((Entry->LineStatus & REF_LSR_FRAMING) != 0) {
            RefAppendText(Buffer, Size, &position, " framing");
        }
        if ((Entry->LineStatus & REF_LSR_BREAK) != 0) {
            RefAppendText(Buffer, Size, &position, " break");
        }
    }
    RefAppendText(Buffer, Size, &position, "\r\n");
    return position;
}

_Use_decl_annotations_
static ULONG
RefFormatDropped(PCHAR Buffer, ULONG Size, ULONG Instance, ULONG Dropped)
{
    ULONG position = 0;

    PAGED_CODE();

    Buffer[0] = '\0';
    RefAppendText(Buffer, Size, &position, "refuart");
    RefAppendDecimal(Buffer, Size, &position, Instance);
    RefAppendText(Buffer, Size, &position, ": ");
    RefAppendDecimal(Buffer, Size, &position, Dropped);
    RefAppendText(Buffer, Size, &position, " log entries dropped (out of memory)\r\n");
    return position;
}

_Use_decl_annotations_
static VOID
RefOpenLogFile(PREF_DEVICE_EXTENSION DevExt)
{
    PREF_LOG_STATE log = DevExt->LogState;
    OBJECT_ATTRIBUTES attributes;
    IO_STATUS_BLOCK ioStatus;
    NTSTATUS status;

    PAGED_CODE();

    InitializeObjectAttributes(&attributes, &log->FileName,
                               OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    status = ZwCreateFile(&log->File,
                          FILE_APPEND_DATA | SYNCHRONIZE,
                          &attributes,
                          &ioStatus,
                          NULL,
                          FILE_ATTRIBUTE_NORMAL,
                          FILE_SHARE_READ,
                          FILE_OPEN_IF,
                          FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE,
                          NULL,
                          0);
    if (!NT_SUCCESS(status)) {
        /* Do not retry on every error burst. */
        KdPrint(("RefUart: cannot open the log file: %08x\n", status));
        log->File = NULL;
        log->OpenFailed = TRUE;
    }
}

_Use_decl_annotations_
static VOID
RefWriteLogLine(PREF_DEVICE_EXTENSION DevExt, ULONG Length)
{
    PREF_LOG_STATE log = DevExt->LogState;
    IO_STATUS_BLOCK ioStatus;
    LARGE_INTEGER offset;
    NTSTATUS status;

    PAGED_CODE();

    if (log->File == NULL || Length == 0) {
        return;
    }
    offset.HighPart = -1;
    offset.LowPart = FILE_WRITE_TO_END_OF_FILE;
    status = ZwWriteFile(log->File, NULL, NULL, NULL, &ioStatus, log->Line, Length, &offset, NULL);
    if (NT_SUCCESS(status)) {
        log->LinesWritten++;
    } else {
        log->WriteErrors++;
    }
}

_Use_decl_annotations_
VOID
RefCloseLogFile(PREF_DEVICE_EXTENSION DevExt)
{
    PREF_LOG_STATE log = DevExt->LogState;

    PAGED_CODE();

    if (log != NULL && log->File != NULL) {
        ZwClose(log->File);
        log->File = NULL;
    }
}

_Use_decl_annotations_
static VOID
RefDrainLogList(PREF_DEVICE_EXTENSION DevExt)
{
    PREF_LOG_STATE log = DevExt->LogState;
    PREF_LOG_ENTRY logEntry;
    PLIST_ENTRY entry;
    ULONG length;
    LONG dropped;

    PAGED_CODE();

    if (log->File == NULL && !log->OpenFailed) {
        RefOpenLogFile(DevExt);
    }

    while ((entry = ExInterlockedRemoveHeadList(&DevExt->LogList, &DevExt->LogListLock)) != NULL) {
        logEntry = CONTAINING_RECORD(entry, REF_LOG_ENTRY, Link);
        length = RefFormatLogEntry(log->Line, sizeof(log->Line), DevExt->InstanceNumber, logEntry);
        RefWriteLogLine(DevExt, length);
        ExFreePoolWithTag(logEntry, REF_POOL_TAG);
    }

    dropped = InterlockedExchange(&DevExt->LogDropped, 0);
    if (dropped > 0) {
        log->DroppedEntries += (ULONG)dropped;
        length = RefFormatDropped(log->Line, sizeof(log->Line), DevExt->InstanceNumber, (ULONG)dropped);
        RefWriteLogLine(DevExt, length);
    }
}

_Use_decl_annotations_
VOID
RefMaintenanceWorkItem(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)Context;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(DeviceObject);

    if (InterlockedExchange(&devExt->RecoveryRequested, 0) != 0) {
        RefRecoverReceiver(devExt);
    }

    RefDrainLogList(devExt);

    /* Order matters: RefQueueMaintenance clears the event after winning the flag. */
    KeSetEvent(&devExt->WorkItemIdleEvent, IO_NO_INCREMENT, FALSE);
    InterlockedExchange(&devExt->WorkItemQueued, 0);
    IoReleaseRemoveLock(&devExt->RemoveLock, devExt->WorkItem);
}
