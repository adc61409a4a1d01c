/*
 * interrupt.c - ISR, DpcForIsr and SynchCritSection routines for RefUart.
 *
 * Everything in REF_ISR_STATE is touched only here: by RefIsr (and the ISR
 * helpers it calls) and by KSYNCHRONIZE_ROUTINE routines that other code runs
 * through KeSynchronizeExecution. The ISR never takes an executive spin
 * lock; the only lock it uses besides the interrupt lock is EventListLock,
 * through the ExInterlocked list routines, and that lock is used by nobody
 * but the ISR and the SynchCritSection routines.
 *
 * None of this file is pageable.
 */
#include "refdrv.h"

/* ISR helpers: run at DIRQL, from RefIsr or a SynchCritSection routine. */
static VOID RefIsrReceive(_Inout_ PREF_DEVICE_EXTENSION DevExt);
static BOOLEAN RefIsrTransmit(_Inout_ PREF_DEVICE_EXTENSION DevExt);
static VOID RefIsrRecordLineEvent(_Inout_ PREF_DEVICE_EXTENSION DevExt, _In_ UCHAR LineStatus);
static VOID RefProgramLineControl(_Inout_ PREF_DEVICE_EXTENSION DevExt, _In_ const REF_LINE_CONTROL *LineControl);
static UCHAR RefModemControlFor(_In_ const REF_LINE_CONTROL *LineControl);

_IRQL_requires_(DISPATCH_LEVEL)
static VOID
RefHandleTxDone(_Inout_ PREF_DEVICE_EXTENSION DevExt);

/* ------------------------------------------------------------------------ */
/* ISR                                                                      */
/* ------------------------------------------------------------------------ */

static VOID
RefIsrReceive(PREF_DEVICE_EXTENSION DevExt)
{
    ULONG budget = 2 * REF_FIFO_DEPTH;
    UCHAR lsr;
    UCHAR data;

    lsr = RefReadRegister(DevExt, REF_REG_LSR);
    while ((lsr & REF_LSR_DATA_READY) != 0 && budget-- != 0) {
        data = RefReadRegister(DevExt, REF_REG_RBR);
        if (DevExt->Isr.RxCount < REF_RX_RING_SIZE) {
            DevExt->Isr.RxRing[DevExt->Isr.RxHead] = data;
            DevExt->Isr.RxHead = (DevExt->Isr.RxHead + 1) % REF_RX_RING_SIZE;
            DevExt->Isr.RxCount++;
        } else {
            /* Nobody is reading: drop the byte and count it. */
            DevExt->Isr.RxOverruns++;
        }
        lsr = RefReadRegister(DevExt, REF_REG_LSR);
    }
}

/*
 * Refill the transmit FIFO from the ring. Returns TRUE when the ring was
 * already empty on a THR-empty interrupt, i.e. the chunk the hardware owned
 * has been handed to the shift register completely.
 */
static BOOLEAN
RefIsrTransmit(PREF_DEVICE_EXTENSION DevExt)
{
    ULONG n;

    if (DevExt->Isr.TxCount == 0) {
        if ((DevExt->Isr.Ier & REF_IER_TX_EMPTY) != 0) {
            DevExt->Isr.Ier &= (UCHAR)~REF_IER_TX_EMPTY;
            RefWriteRegister(DevExt, REF_REG_IER, DevExt->Isr.Ier);
        }
        return DevExt->Isr.TxOutstanding;
    }

    for (n = 0; n < REF_FIFO_DEPTH && DevExt->Isr.TxCount != 0; n++) {
        RefWriteRegister(DevExt, REF_REG_THR, DevExt->Isr.TxRing[DevExt->Isr.TxTail]);
        DevExt->Isr.TxTail = (DevExt->Isr.TxTail + 1) % REF_TX_RING_SIZE;
        DevExt->Isr.TxCount--;
        DevExt->Isr.TxBytesSent++;
    }
    return FALSE;
}

static VOID
RefIsrRecordLineEvent(PREF_DEVICE_EXTENSION DevExt, UCHAR LineStatus)
{
    PLIST_ENTRY entry;
    PREF_EVENT_RECORD record;

    /* EventListLock is used only at DIRQL (here and in RefSyncDrainEvents). */
    entry = ExInterlockedRemoveHeadList(&DevExt->EventFreeList, &DevExt->EventListLock);
    if (entry == NULL) {
        DevExt->Isr.EventsDropped++;
        return;
    }

    record = CONTAINING_RECORD(entry, REF_EVENT_RECORD, Link);
    record->Sequence = ++DevExt->Isr.EventSequence;
    record->LineStatus = LineStatus;
    record->ModemStatus = DevExt->Isr.ModemStatus;
    record->RxLevel = DevExt->Isr.RxCount;
    record->InterruptTime = KeQueryInterruptTime();

    ExInterlockedInsertTailList(&DevExt->EventList, entry, &DevExt->EventListLock);
    DevExt->Isr.EventsQueued++;
}

_Use_decl_annotations_
BOOLEAN
RefIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)ServiceContext;
    ULONG events = 0;
    ULONG loops = 0;
    UCHAR iir;
    UCHAR lsr;
#ifdef REFDRV_BUG_IRQL_TOO_HIGH_2
    KIRQL oldIrql;
    BOOLEAN readersWaiting;
#endif

    UNREFERENCED_PARAMETER(Interrupt);

    iir = RefReadRegister(devExt, REF_REG_IIR);
    if ((iir & REF_IIR_NO_INTERRUPT) != 0) {
        /* Shared, level-triggered line: not our interrupt. */
        return FALSE;
    }

    if (!devExt->Isr.InterruptsEnabled) {
        /* Raced with RefSyncDisableInterrupts: silence the UART. */
        RefWriteRegister(devExt, REF_REG_IER, 0);
        return TRUE;
    }

    do {
        switch (iir & REF_IIR_ID_MASK) {
        case REF_IIR_LINE_STATUS:
            lsr = RefReadRegister(devExt, REF_REG_LSR);
            devExt->Isr.LineStatusAccum |= (UCHAR)(lsr & REF_LSR_ERROR_MASK);
            RefIsrRecordLineEvent(devExt, lsr);
            events |= REF_EVT_LINE;
            break;

        case REF_IIR_RX_DATA:
        case REF_IIR_RX_TIMEOUT:
            RefIsrReceive(devExt);
            events |= REF_EVT_RX;
            break;

        case REF_IIR_TX_EMPTY:
            if (RefIsrTransmit(devExt)) {
                events |= REF_EVT_TX_DONE;
#ifdef REFDRV_BUG_IRQL_TOO_HIGH
                /* Wake RefMaintenanceWorkItem / WAIT_TX_IDLE callers early. */
                KeSetEvent(&devExt->TxIdleEvent, IO_NO_INCREMENT, FALSE);
#endif
            }
            break;

        case REF_IIR_MODEM_STATUS:
        default:
            devExt->Isr.ModemStatus = RefReadRegister(devExt, REF_REG_MSR);
            events |= REF_EVT_MODEM;
            break;
        }
        iir = RefReadRegister(devExt, REF_REG_IIR);
    } while ((iir & REF_IIR_NO_INTERRUPT) == 0 && ++loops < REF_ISR_MAX_LOOPS);

    devExt->Isr.InterruptCount++;

#ifdef REFDRV_BUG_IRQL_TOO_HIGH_2
    if ((events & REF_EVT_RX) != 0) {
        /* Do not bother the DPC when no reader is waiting. */
        KeAcquireSpinLock(&devExt->ReadQueueLock, &oldIrql);
        readersWaiting = (BOOLEAN)(devExt->ReadQueueDepth != 0);
        KeReleaseSpinLock(&devExt->ReadQueueLock, oldIrql);
        if (!readersWaiting) {
            events &= ~REF_EVT_RX;
        }
    }
#endif

    devExt->Isr.PendingEvents |= events;

    if ((events & REF_EVT_LINE) != 0) {
        /* CustomDpc: error accounting and logging. */
        KeInsertQueueDpc(&devExt->ErrorDpc, NULL, NULL);
    }
    if ((events & (REF_EVT_RX | REF_EVT_TX_DONE | REF_EVT_MODEM)) != 0) {
        IoRequestDpc(devExt->Self, devExt->Self->CurrentIrp, NULL);
    }
    return TRUE;
}

/* ------------------------------------------------------------------------ */
/* SynchCritSection routines (DIRQL, interrupt spin lock held)              */
/* ------------------------------------------------------------------------ */

static UCHAR
RefModemControlFor(const REF_LINE_CONTROL *LineControl)
{
    UCHAR mcr = REF_MCR_OUT2;

    if ((LineControl->Flags & REF_LINE_FLAG_DTR) != 0) {
        mcr |= REF_MCR_DTR;
    }
    if ((LineControl->Flags & REF_LINE_FLAG_RS485) == 0) {
        /* Full duplex: RTS stays asserted. In RS-485 mode it follows TX. */
        mcr |= REF_MCR_RTS;
    }
    if ((LineControl->Flags & REF_LINE_FLAG_LOOPBACK) != 0) {
        mcr |= REF_MCR_LOOPBACK;
    }
    return mcr;
}

static VOID
RefProgramLineControl(PREF_DEVICE_EXTENSION DevExt, const REF_LINE_CONTROL *LineControl)
{
    ULONG divisor = (REF_UART_CLOCK_HZ / 16) / LineControl->BaudRate;
    UCHAR lcr;

    lcr = (UCHAR)((LineControl->DataBits - 5) & REF_LCR_WORD_MASK);
    if (LineControl->StopBits == 2) {
        lcr |= REF_LCR_STOP_2;
    }
    switch (LineControl->Parity) {
    case REF_PARITY_ODD:
        lcr |= REF_LCR_PARITY_EN;
        break;
    case REF_PARITY_EVEN:
        lcr |= REF_LCR_PARITY_EN | REF_LCR_PARITY_EVEN;
        break;
    case REF_PARITY_MARK:
        lcr |= REF_LCR_PARITY_EN | REF_LCR_PARITY_STICK;
        break;
    case REF_PARITY_SPACE:
        lcr |= REF_LCR_PARITY_EN | REF_LCR_PARITY_EVEN | REF_LCR_PARITY_STICK;
        break;
    default:
        break;
    }

    RefWriteRegister(DevExt, REF_REG_LCR, (UCHAR)(lcr | REF_LCR_DLAB));
    RefWriteRegister(DevExt, REF_REG_DLL, (UCHAR)(divisor & 0xFF));
    RefWriteRegister(DevExt, REF_REG_DLM, (UCHAR)((divisor >> 8) & 0xFF));
    RefWriteRegister(DevExt, REF_REG_LCR, lcr);
    DevExt->Isr.Lcr = lcr;
}

_Use_decl_annotations_
BOOLEAN
RefSyncInitializeHardware(PVOID SynchronizeContext)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)SynchronizeContext;

    RefWriteRegister(devExt, REF_REG_IER, 0);
    RefProgramLineControl(devExt, &devExt->ActiveConfig);

    RefWriteRegister(devExt, REF_REG_FCR,
                     REF_FCR_ENABLE | REF_FCR_RX_RESET | REF_FCR_TX_RESET | REF_FCR_TRIGGER_8);
    KeStallExecutionProcessor(REF_FIFO_RESET_STALL_US);

    devExt->Isr.RxHead = 0;
    devExt->Isr.RxTail = 0;
    devExt->Isr.RxCount = 0;
    devExt->Isr.LineStatusAccum = 0;
    devExt->Isr.PendingEvents = 0;

    devExt->Isr.Mcr = RefModemControlFor(&devExt->ActiveConfig);
    devExt->Isr.Rs485 = (BOOLEAN)((devExt->ActiveConfig.Flags & REF_LINE_FLAG_RS485) != 0);
    RefWriteRegister(devExt, REF_REG_MCR, devExt->Isr.Mcr);

    /* Clear anything latched while the UART was unpowered or unconfigured. */
    (VOID)RefReadRegister(devExt, REF_REG_LSR);
    (VOID)RefReadRegister(devExt, REF_REG_RBR);
    (VOID)RefReadRegister(devExt, REF_REG_IIR);
    devExt->Isr.ModemStatus = RefReadRegister(devExt, REF_REG_MSR);

    devExt->Isr.Ier = REF_IER_RX_DATA | REF_IER_LINE_STATUS | REF_IER_MODEM_STATUS;
    if (devExt->Isr.TxCount != 0) {
        devExt->Isr.Ier |= REF_IER_TX_EMPTY;
    }
    devExt->Isr.InterruptsEnabled = TRUE;
    RefWriteRegister(devExt, REF_REG_IER, devExt->Isr.Ier);
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN
RefSyncDisableInterrupts(PVOID SynchronizeContext)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)SynchronizeContext;

    devExt->Isr.InterruptsEnabled = FALSE;
    devExt->Isr.Ier = 0;
    RefWriteRegister(devExt, REF_REG_IER, 0);
    devExt->Isr.Mcr &= (UCHAR)~REF_MCR_OUT2;
    RefWriteRegister(devExt, REF_REG_MCR, devExt->Isr.Mcr);
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN
RefSyncTakeEvents(PVOID SynchronizeContext)
{
    PREF_EVENT_SNAPSHOT snapshot = (PREF_EVENT_SNAPSHOT)SynchronizeContext;
    PREF_DEVICE_EXTENSION devExt = snapshot->DevExt;

    snapshot->Events = devExt->Isr.PendingEvents;
    devExt->Isr.PendingEvents = 0;
    snapshot->RxAvailable = devExt->Isr.RxCount;
    snapshot->ModemStatus = devExt->Isr.ModemStatus;
    return (BOOLEAN)(snapshot->Events != 0);
}

_Use_decl_annotations_
BOOLEAN
RefSyncQueryRx(PVOID SynchronizeContext)
{
    PREF_RX_QUERY_CONTEXT query = (PREF_RX_QUERY_CONTEXT)SynchronizeContext;

    query->Available = query->DevExt->Isr.RxCount;
    return (BOOLEAN)(query->Available != 0);
}

_Use_decl_annotations_
BOOLEAN
RefSyncCopyRxData(PVOID SynchronizeContext)
{
    PREF_RX_COPY_CONTEXT copy = (PREF_RX_COPY_CONTEXT)SynchronizeContext;
    PREF_DEVICE_EXTENSION devExt = copy->DevExt;
    ULONG total;
    ULONG first;

    total = REF_MIN(copy->Length, devExt->Isr.RxCount);
    first = REF_MIN(total, REF_RX_RING_SIZE - devExt->Isr.RxTail);

    RtlCopyMemory(copy->Buffer, &devExt->Isr.RxRing[devExt->Isr.RxTail], first);
    if (total > first) {
        RtlCopyMemory(copy->Buffer + first, &devExt->Isr.RxRing[0], total - first);
    }

    devExt->Isr.RxTail = (devExt->Isr.RxTail + total) % REF_RX_RING_SIZE;
    devExt->Isr.RxCount -= total;
    copy->Copied = total;
    return (BOOLEAN)(total != 0);
}

_Use_decl_annotations_
BOOLEAN
RefSyncPurgeRx(PVOID SynchronizeContext)
{
    PREF_PURGE_CONTEXT purge = (PREF_PURGE_CONTEXT)SynchronizeContext;
    PREF_DEVICE_EXTENSION devExt = purge->DevExt;

    purge->Discarded = devExt->Isr.RxCount;
    devExt->Isr.RxHead = 0;
    devExt->Isr.RxTail = 0;
    devExt->Isr.RxCount = 0;

    RefWriteRegister(devExt, REF_REG_FCR, REF_FCR_ENABLE | REF_FCR_RX_RESET | REF_FCR_TRIGGER_8);
    KeStallExecutionProcessor(REF_FIFO_RESET_STALL_US);
    (VOID)RefReadRegister(devExt, REF_REG_LSR);
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN
RefSyncStartTransmit(PVOID SynchronizeContext)
{
    PREF_TX_START_CONTEXT start = (PREF_TX_START_CONTEXT)SynchronizeContext;
    PREF_DEVICE_EXTENSION devExt = start->DevExt;
    ULONG first;

    start->Accepted = FALSE;
    if (!devExt->Isr.InterruptsEnabled || devExt->Isr.TxOutstanding ||
        start->Length == 0 || start->Length > REF_TX_RING_SIZE - devExt->Isr.TxCount) {
        return FALSE;
    }

    first = REF_MIN(start->Length, REF_TX_RING_SIZE - devExt->Isr.TxHead);
    RtlCopyMemory(&devExt->Isr.TxRing[devExt->Isr.TxHead], start->Buffer, first);
    if (start->Length > first) {
        RtlCopyMemory(&devExt->Isr.TxRing[0], start->Buffer + first, start->Length - first);
    }
    devExt->Isr.TxHead = (devExt->Isr.TxHead + start->Length) % REF_TX_RING_SIZE;
    devExt->Isr.TxCount += start->Length;
    devExt->Isr.TxSequence++;
    devExt->Isr.TxOutstanding = TRUE;
    devExt->Isr.Rs485 = start->Rs485;

    if (devExt->Isr.Rs485 && (devExt->Isr.Mcr & REF_MCR_RTS) == 0) {
        /* Take the bus before the first start bit. */
        devExt->Isr.Mcr |= REF_MCR_RTS;
        RefWriteRegister(devExt, REF_REG_MCR, devExt->Isr.Mcr);
    }

    /* Prime the FIFO; the THR-empty interrupt keeps it fed. */
    if ((RefReadRegister(devExt, REF_REG_LSR) & REF_LSR_THR_EMPTY) != 0) {
        (VOID)RefIsrTransmit(devExt);
    }
    devExt->Isr.Ier |= REF_IER_TX_EMPTY;
    RefWriteRegister(devExt, REF_REG_IER, devExt->Isr.Ier);

    start->Accepted = TRUE;
    return TRUE;
}

/*
 * Decide, atomically with the ISR, who completes the chunk the hardware owns:
 * the DpcForIsr (the ring drained) or the watchdog / stop path (Abort).
 */
_Use_decl_annotations_
BOOLEAN
RefSyncClaimTxCompletion(PVOID SynchronizeContext)
{
    PREF_TX_CLAIM_CONTEXT claim = (PREF_TX_CLAIM_CONTEXT)SynchronizeContext;
    PREF_DEVICE_EXTENSION devExt = claim->DevExt;

    claim->Claimed = FALSE;
    claim->Residual = 0;

    if (!devExt->Isr.TxOutstanding) {
        return FALSE;
    }

    if (claim->Abort) {
        claim->Residual = devExt->Isr.TxCount;
        devExt->Isr.TxCount = 0;
        devExt->Isr.TxHead = 0;
        devExt->Isr.TxTail = 0;
        devExt->Isr.Ier &= (UCHAR)~REF_IER_TX_EMPTY;
        RefWriteRegister(devExt, REF_REG_IER, devExt->Isr.Ier);
        RefWriteRegister(devExt, REF_REG_FCR, REF_FCR_ENABLE | REF_FCR_TX_RESET | REF_FCR_TRIGGER_8);
    } else if (devExt->Isr.TxCount != 0) {
        return FALSE;
    }

    devExt->Isr.TxOutstanding = FALSE;
    claim->Claimed = TRUE;
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN
RefSyncSampleTxProgress(PVOID SynchronizeContext)
{
    PREF_TX_SAMPLE_CONTEXT sample = (PREF_TX_SAMPLE_CONTEXT)SynchronizeContext;
    PREF_DEVICE_EXTENSION devExt = sample->DevExt;

    sample->Outstanding = devExt->Isr.TxOutstanding;
    sample->Sequence = devExt->Isr.TxSequence;
    sample->BytesSent = devExt->Isr.TxBytesSent;
    sample->InterruptCount = devExt->Isr.InterruptCount;
    return sample->Outstanding;
}

/* RS-485: drop RTS once the last stop bit has left the shift register. */
_Use_decl_annotations_
BOOLEAN
RefSyncReleaseRts(PVOID SynchronizeContext)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)SynchronizeContext;

    if (!devExt->Isr.Rs485 || devExt->Isr.TxOutstanding || devExt->Isr.TxCount != 0 ||
        (devExt->Isr.Mcr & REF_MCR_RTS) == 0) {
        /* Nothing to release, or a new chunk already owns the bus. */
        return TRUE;
    }
    if ((RefReadRegister(devExt, REF_REG_LSR) & REF_LSR_TX_IDLE) == 0) {
        return FALSE;
    }
    devExt->Isr.Mcr &= (UCHAR)~REF_MCR_RTS;
    RefWriteRegister(devExt, REF_REG_MCR, devExt->Isr.Mcr);
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN
RefSyncSetLineControl(PVOID SynchronizeContext)
{
    PREF_LINE_CONTEXT line = (PREF_LINE_CONTEXT)SynchronizeContext;
    PREF_DEVICE_EXTENSION devExt = line->DevExt;

    RefProgramLineControl(devExt, &line->LineControl);
    devExt->Isr.Rs485 = (BOOLEAN)((line->LineControl.Flags & REF_LINE_FLAG_RS485) != 0);
    devExt->Isr.Mcr = RefModemControlFor(&line->LineControl);
    if (!devExt->Isr.InterruptsEnabled) {
        devExt->Isr.Mcr &= (UCHAR)~REF_MCR_OUT2;
    }
    RefWriteRegister(devExt, REF_REG_MCR, devExt->Isr.Mcr);
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN
RefSyncResetFifos(PVOID SynchronizeContext)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)SynchronizeContext;
    UCHAR fcr = REF_FCR_ENABLE | REF_FCR_RX_RESET | REF_FCR_TRIGGER_8;

    if (!devExt->Isr.TxOutstanding && devExt->Isr.TxCount == 0) {
        fcr |= REF_FCR_TX_RESET;
    }
    RefWriteRegister(devExt, REF_REG_FCR, fcr);
    KeStallExecutionProcessor(REF_FIFO_RESET_STALL_US);
    (VOID)RefReadRegister(devExt, REF_REG_LSR);
    devExt->Isr.LineStatusAccum = 0;
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN
RefSyncDrainEvents(PVOID SynchronizeContext)
{
    PREF_EVENT_DRAIN_CONTEXT drain = (PREF_EVENT_DRAIN_CONTEXT)SynchronizeContext;
    PREF_DEVICE_EXTENSION devExt = drain->DevExt;
    PREF_EVENT_RECORD record;
    PLIST_ENTRY entry;

    drain->Count = 0;
    while (drain->Count < REF_EVENT_DRAIN_BATCH) {
        entry = ExInterlockedRemoveHeadList(&devExt->EventList, &devExt->EventListLock);
        if (entry == NULL) {
            break;
        }
        record = CONTAINING_RECORD(entry, REF_EVENT_RECORD, Link);
        drain->Events[drain->Count].Sequence = record->Sequence;
        drain->Events[drain->Count].Lsr = record->LineStatus;
        drain->Events[drain->Count].Msr = record->ModemStatus;
        drain->Events[drain->Count].Level = record->RxLevel;
        drain->Events[drain->Count].Timestamp = record->InterruptTime;
        drain->Count++;
        ExInterlockedInsertTailList(&devExt->EventFreeList, entry, &devExt->EventListLock);
    }
    drain->More = (BOOLEAN)(drain->Count == REF_EVENT_DRAIN_BATCH);
    return (BOOLEAN)(drain->Count != 0);
}

_Use_decl_annotations_
BOOLEAN
RefSyncGetModemStatus(PVOID SynchronizeContext)
{
    PREF_MODEM_QUERY_CONTEXT query = (PREF_MODEM_QUERY_CONTEXT)SynchronizeContext;
    PREF_DEVICE_EXTENSION devExt = query->DevExt;
    UCHAR msr;

    msr = RefReadRegister(devExt, REF_REG_MSR);
    /* Reading MSR clears its delta bits: keep the ISR's copy current. */
    query->Status.LastIsrStatus = devExt->Isr.ModemStatus;
    devExt->Isr.ModemStatus = msr;
    query->Status.ModemStatus = msr;
    query->Status.ModemControl = devExt->Isr.Mcr;
    query->Status.LineStatus = (UCHAR)(RefReadRegister(devExt, REF_REG_LSR) | devExt->Isr.LineStatusAccum);
    devExt->Isr.LineStatusAccum = 0;
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN
RefSyncIsrCounters(PVOID SynchronizeContext)
{
    PREF_ISR_COUNTERS_CONTEXT counters = (PREF_ISR_COUNTERS_CONTEXT)SynchronizeContext;
    PREF_DEVICE_EXTENSION devExt = counters->DevExt;
    PLIST_ENTRY entry;

    /* Records the ISR queued that RefErrorDpc has not drained yet. */
    counters->EventsPending = 0;
    for (entry = devExt->EventList.Flink; entry != &devExt->EventList; entry = entry->Flink) {
        counters->EventsPending++;
    }

    counters->InterruptCount = devExt->Isr.InterruptCount;
    counters->RxOverruns = devExt->Isr.RxOverruns;
    counters->EventsQueued = devExt->Isr.EventsQueued;
    counters->EventsDropped = devExt->Isr.EventsDropped;
    if (counters->Clear) {
        devExt->Isr.InterruptCount = 0;
        devExt->Isr.RxOverruns = 0;
        devExt->Isr.EventsQueued = 0;
        devExt->Isr.EventsDropped = 0;
    }
    return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Transmit path helpers (DISPATCH_LEVEL: StartIo, DpcForIsr, watchdog)     */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
BOOLEAN
RefStartTxChunk(PREF_DEVICE_EXTENSION DevExt)
{
    REF_TX_START_CONTEXT start;
    ULONG remaining = DevExt->Write.Length - DevExt->Write.Offset;

    if (remaining == 0 || DevExt->Interrupt == NULL) {
        return FALSE;
    }

    start.DevExt = DevExt;
    start.Buffer = DevExt->Write.Buffer + DevExt->Write.Offset;
    start.Length = REF_MIN(remaining, REF_TX_RING_SIZE);
    start.Rs485 = (BOOLEAN)((DevExt->ActiveConfig.Flags & REF_LINE_FLAG_RS485) != 0);
    start.Accepted = FALSE;

    KeSynchronizeExecution(DevExt->Interrupt, RefSyncStartTransmit, &start);
    if (!start.Accepted) {
        return FALSE;
    }
    DevExt->Write.Chunk = start.Length;
    DevExt->Write.Offset += start.Length;
    return TRUE;
}

_Use_decl_annotations_
VOID
RefCompleteCurrentWrite(PREF_DEVICE_EXTENSION DevExt, NTSTATUS Status, ULONG Residual)
{
    PIRP irp = DevExt->Self->CurrentIrp;
    KLOCK_QUEUE_HANDLE lockHandle;
    ULONG sent;

    if (irp == NULL) {
        return;
    }

    sent = (Residual <= DevExt->Write.Offset) ? DevExt->Write.Offset - Residual : 0;
    DevExt->Write.Buffer = NULL;
    DevExt->Write.Length = 0;
    DevExt->Write.Offset = 0;
    DevExt->Write.Chunk = 0;

    KeAcquireInStackQueuedSpinLockAtDpcLevel(&DevExt->StateLock, &lockHandle);
    DevExt->Stats.BytesWritten += sent;
    if (NT_SUCCESS(Status)) {
        DevExt->Stats.WritesCompleted++;
    } else if (Status == STATUS_IO_TIMEOUT) {
        DevExt->Stats.WriteTimeouts++;
    }
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle);

    irp->IoStatus.Status = Status;
    irp->IoStatus.Information = sent;
    IoReleaseRemoveLock(&DevExt->RemoveLock, irp);
    IoCompleteRequest(irp, IO_SERIAL_INCREMENT);

    KeSetEvent(&DevExt->TxIdleEvent, IO_NO_INCREMENT, FALSE);
    IoStartNextPacket(DevExt->Self, TRUE);
}

/*
 * Called by pageable stop code when the transmitter did not drain in time.
 * Resident, because it raises to DISPATCH_LEVEL to complete the packet the
 * same way the DPCs do.
 */
_Use_decl_annotations_
VOID
RefAbortTransmitForStop(PREF_DEVICE_EXTENSION DevExt)
{
    REF_TX_CLAIM_CONTEXT claim;
    KIRQL oldIrql;

    claim.DevExt = DevExt;
    claim.Abort = TRUE;
    claim.Claimed = FALSE;
    claim.Residual = 0;
    KeSynchronizeExecution(DevExt->Interrupt, RefSyncClaimTxCompletion, &claim);
    if (!claim.Claimed) {
        return;
    }

    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    RefCompleteCurrentWrite(DevExt, STATUS_CANCELLED, claim.Residual);
    KeLowerIrql(oldIrql);
}

_Use_decl_annotations_
static VOID
RefHandleTxDone(PREF_DEVICE_EXTENSION DevExt)
{
    REF_TX_CLAIM_CONTEXT claim;

    claim.DevExt = DevExt;
    claim.Abort = FALSE;
    claim.Claimed = FALSE;
    claim.Residual = 0;
    KeSynchronizeExecution(DevExt->Interrupt, RefSyncClaimTxCompletion, &claim);
    if (!claim.Claimed) {
        /* The watchdog aborted this chunk first, or a stale TX_DONE. */
        return;
    }

    if (DevExt->Write.Offset < DevExt->Write.Length) {
        if (RefStartTxChunk(DevExt)) {
            return;
        }
        RefCompleteCurrentWrite(DevExt, STATUS_DEVICE_NOT_READY, 0);
        return;
    }

    if ((DevExt->ActiveConfig.Flags & REF_LINE_FLAG_RS485) != 0) {
        /* Half duplex: release the bus once the last stop bit is out. */
        if (!KeSynchronizeExecution(DevExt->Interrupt, RefSyncReleaseRts, DevExt)) {
#ifdef REFDRV_BUG_STALL_TOO_LONG
            /* One full character time at 19200 baud. */
            KeStallExecutionProcessor(500);
#else
            KeStallExecutionProcessor(REF_RS485_TURNAROUND_US);
#endif
            /* Still shifting (slow baud rate): the watchdog releases RTS. */
            (VOID)KeSynchronizeExecution(DevExt->Interrupt, RefSyncReleaseRts, DevExt);
        }
    }

    RefCompleteCurrentWrite(DevExt, STATUS_SUCCESS, 0);
}

/* ------------------------------------------------------------------------ */
/* DpcForIsr                                                                */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
VOID
RefDpcForIsr(PKDPC Dpc, PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    REF_EVENT_SNAPSHOT snapshot;
    KLOCK_QUEUE_HANDLE lockHandle;
    BOOLEAN rxPending;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(Context);

    if (devExt->Interrupt == NULL) {
        return;
    }

    snapshot.DevExt = devExt;
    snapshot.Events = 0;
    snapshot.RxAvailable = 0;
    snapshot.ModemStatus = 0;
    KeSynchronizeExecution(devExt->Interrupt, RefSyncTakeEvents, &snapshot);

#ifdef REFDRV_BUG_ISR_SHARED_STATE
    /* Peek at the ring directly: cheaper than another SynchCritSection. */
    rxPending = (BOOLEAN)(devExt->Isr.RxCount != 0);
#else
    rxPending = (BOOLEAN)(snapshot.RxAvailable != 0);
#endif

    if (rxPending) {
        /* Copying into read IRPs is done by the threaded DPC. */
        KeInsertQueueDpc(&devExt->RxThreadedDpc, NULL, NULL);
    }

    if ((snapshot.Events & REF_EVT_TX_DONE) != 0) {
        RefHandleTxDone(devExt);
    }

    if ((snapshot.Events & REF_EVT_MODEM) != 0) {
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&devExt->StateLock, &lockHandle);
        devExt->Stats.ModemStatusChanges++;
        KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle);
    }
}
