/*
 * refdrv.h - shared definitions for the RefUart reference driver.
 *
 * RefUart is a WDM function driver for a PCI UART with a 16550-compatible
 * register block (I/O port or memory BAR), one interrupt, a 16-byte receive
 * FIFO and a 16-byte transmit FIFO. Reads are queued in a driver-managed,
 * cancel-safe IRP queue and satisfied from a receive ring that the ISR fills;
 * writes and line-control changes are serialized through StartIo and
 * drained by the ISR from a transmit ring.
 *
 * Synchronization map (who may touch what, and how):
 *
 *   Isr.*                    RefIsr and KSYNCHRONIZE_ROUTINE routines only
 *                            (KeSynchronizeExecution / the interrupt lock).
 *   EventListLock            ExInterlocked*List only, and only from RefIsr
 *                            and SynchCritSection routines (one IRQL: DIRQL).
 *   ReadQueueLock            classic executive spin lock: ReadQueue,
 *                            ReadQueueDepth.
 *   StateLock                in-stack queued spin lock: Config, Stats,
 *                            ReadTimeoutMs.
 *   LogListLock              ExInterlocked*List only, at <= DISPATCH_LEVEL.
 *   RefGlobalLock            classic spin lock: RefGlobalDeviceList.
 *   Write, ActiveConfig      owned by the holder of the current StartIo
 *                            packet (StartIo, then DpcForIsr / watchdog).
 *   Watchdog                 RefWatchdogDpc only.
 *   LogState (PagedPool)     PASSIVE_LEVEL only (work item, PnP).
 *
 * Seeded defects for the irqlcheck test suite are compiled in only when a
 * REFDRV_BUG_<RULE> macro is defined; see BUGS.md.
 */
#ifndef REFDRV_H
#define REFDRV_H

#include <ntddk.h>

/*
 * SAL annotations that the mingw-w64 headers do not define. When irqlcheck's
 * compatibility header is force-included these are already defined (as
 * annotate attributes) and are left alone.
 */
#ifndef _Dispatch_type_
#define _Dispatch_type_(type)
#endif
#ifndef _Use_decl_annotations_
#define _Use_decl_annotations_
#endif

/*
 * The mingw-w64 DDK only advertises #pragma alloc_text / data_seg support for
 * MSVC; clang honours both pragmas with -fms-extensions.
 */
#if defined(__clang__) && !defined(ALLOC_PRAGMA)
#define ALLOC_PRAGMA 1
#endif
#if defined(__clang__) && !defined(ALLOC_DATA_PRAGMA)
#define ALLOC_DATA_PRAGMA 1
#endif

/* Object attribute helpers that the mingw-w64 ntdef.h leaves out (WDK values). */
#ifndef OBJ_CASE_INSENSITIVE
#define OBJ_CASE_INSENSITIVE 0x00000040L
#endif
#ifndef OBJ_KERNEL_HANDLE
#define OBJ_KERNEL_HANDLE 0x00000200L
#endif
#ifndef InitializeObjectAttributes
#define InitializeObjectAttributes(p, n, a, r, s) \
    do {                                          \
        (p)->Length = sizeof(OBJECT_ATTRIBUTES);  \
        (p)->RootDirectory = (r);                 \
        (p)->Attributes = (a);                    \
        (p)->ObjectName = (n);                    \
        (p)->SecurityDescriptor = (s);            \
        (p)->SecurityQualityOfService = NULL;     \
    } while (0)
#endif

/* ------------------------------------------------------------------------ */
/* Public interface (shared with the user-mode test tool)                   */
/* ------------------------------------------------------------------------ */

#define REF_IOCTL_INDEX 0x800

#define IOCTL_REFUART_GET_LINE_CONTROL \
    CTL_CODE(FILE_DEVICE_SERIAL_PORT, REF_IOCTL_INDEX + 0, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_REFUART_SET_LINE_CONTROL \
    CTL_CODE(FILE_DEVICE_SERIAL_PORT, REF_IOCTL_INDEX + 1, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_REFUART_GET_STATISTICS \
    CTL_CODE(FILE_DEVICE_SERIAL_PORT, REF_IOCTL_INDEX + 2, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_REFUART_CLEAR_STATISTICS \
    CTL_CODE(FILE_DEVICE_SERIAL_PORT, REF_IOCTL_INDEX + 3, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_REFUART_GET_MODEM_STATUS \
    CTL_CODE(FILE_DEVICE_SERIAL_PORT, REF_IOCTL_INDEX + 4, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_REFUART_SET_READ_TIMEOUT \
    CTL_CODE(FILE_DEVICE_SERIAL_PORT, REF_IOCTL_INDEX + 5, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_REFUART_PURGE \
    CTL_CODE(FILE_DEVICE_SERIAL_PORT, REF_IOCTL_INDEX + 6, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_REFUART_WAIT_TX_IDLE \
    CTL_CODE(FILE_DEVICE_SERIAL_PORT, REF_IOCTL_INDEX + 7, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_REFUART_RUN_WATCHDOG \
    CTL_CODE(FILE_DEVICE_SERIAL_PORT, REF_IOCTL_INDEX + 8, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_REFUART_GET_DRIVER_INFO \
    CTL_CODE(FILE_DEVICE_SERIAL_PORT, REF_IOCTL_INDEX + 9, METHOD_BUFFERED, FILE_ANY_ACCESS)

/* REF_LINE_CONTROL.Parity */
#define REF_PARITY_NONE  0
#define REF_PARITY_ODD   1
#define REF_PARITY_EVEN  2
#define REF_PARITY_MARK  3
#define REF_PARITY_SPACE 4

/* REF_LINE_CONTROL.Flags */
#define REF_LINE_FLAG_RS485    0x01 /* drive RTS only while transmitting */
#define REF_LINE_FLAG_LOOPBACK 0x02 /* internal loopback (diagnostics) */
#define REF_LINE_FLAG_DTR      0x04 /* assert DTR while open */
#define REF_LINE_FLAG_VALID    (REF_LINE_FLAG_RS485 | REF_LINE_FLAG_LOOPBACK | REF_LINE_FLAG_DTR)

typedef struct _REF_LINE_CONTROL {
    ULONG BaudRate;
    UCHAR DataBits; /* 5..8 */
    UCHAR Parity;   /* REF_PARITY_* */
    UCHAR StopBits; /* 1 or 2 */
    UCHAR Flags;    /* REF_LINE_FLAG_* */
} REF_LINE_CONTROL, *PREF_LINE_CONTROL;

typedef struct _REF_STATISTICS {
    ULONG64 BytesRead;
    ULONG64 BytesWritten;
    ULONG ReadsCompleted;
    ULONG WritesCompleted;
    ULONG ReadTimeouts;
    ULONG WriteTimeouts;
    ULONG ReadsCancelled;
    ULONG OverrunErrors;
    ULONG ParityErrors;
    ULONG FramingErrors;
    ULONG BreaksDetected;
    ULONG ModemStatusChanges;
    ULONG FifoResets;
    ULONG WatchdogTicks;
    /* Filled from the ISR's counters at query time. */
    ULONG InterruptCount;
    ULONG RxRingOverruns;
    ULONG EventRecordsQueued;
    ULONG EventRecordsDropped;
    ULONG EventRecordsPending;
} REF_STATISTICS, *PREF_STATISTICS;

typedef struct _REF_MODEM_STATUS {
    UCHAR ModemStatus;     /* MSR as read now */
    UCHAR LastIsrStatus;   /* MSR as last seen by the ISR */
    UCHAR ModemControl;    /* MCR shadow */
    UCHAR LineStatus;      /* LSR as read now */
} REF_MODEM_STATUS, *PREF_MODEM_STATUS;

typedef struct _REF_PURGE_RESULT {
    ULONG RxBytesDiscarded;
    ULONG ReadsCancelled;
} REF_PURGE_RESULT, *PREF_PURGE_RESULT;

typedef struct _REF_DRIVER_INFO {
    ULONG DeviceCount;
    ULONG InstanceNumber;
    ULONG RxRingSize;
    ULONG TxRingSize;
} REF_DRIVER_INFO, *PREF_DRIVER_INFO;

/* ------------------------------------------------------------------------ */
/* Hardware: 16550-compatible register block                                */
/* ------------------------------------------------------------------------ */

#define REF_REG_RBR 0 /* receive buffer (read, DLAB=0) */
#define REF_REG_THR 0 /* transmit holding (write, DLAB=0) */
#define REF_REG_DLL 0 /* divisor latch low (DLAB=1) */
#define REF_REG_IER 1 /* interrupt enable (DLAB=0) */
#define REF_REG_DLM 1 /* divisor latch high (DLAB=1) */
#define REF_REG_IIR 2 /* interrupt identification (read) */
#define REF_REG_FCR 2 /* FIFO control (write) */
#define REF_REG_LCR 3 /* line control */
#define REF_REG_MCR 4 /* modem control */
#define REF_REG_LSR 5 /* line status */
#define REF_REG_MSR 6 /* modem status */
#define REF_REG_SCR 7 /* scratch */
#define REF_REGISTER_SPAN 8

#define REF_IER_RX_DATA      0x01
#define REF_IER_TX_EMPTY     0x02
#define REF_IER_LINE_STATUS  0x04
#define REF_IER_MODEM_STATUS 0x08

#define REF_IIR_NO_INTERRUPT 0x01
#define REF_IIR_ID_MASK      0x0E
#define REF_IIR_MODEM_STATUS 0x00
#define REF_IIR_TX_EMPTY     0x02
#define REF_IIR_RX_DATA      0x04
#define REF_IIR_LINE_STATUS  0x06
#define REF_IIR_RX_TIMEOUT   0x0C

#define REF_FCR_ENABLE       0x01
#define REF_FCR_RX_RESET     0x02
#define REF_FCR_TX_RESET     0x04
#define REF_FCR_TRIGGER_8    0x80

#define REF_LCR_WORD_MASK    0x03
#define REF_LCR_STOP_2       0x04
#define REF_LCR_PARITY_EN    0x08
#define REF_LCR_PARITY_EVEN  0x10
#define REF_LCR_PARITY_STICK 0x20
#define REF_LCR_BREAK        0x40
#define REF_LCR_DLAB         0x80

#define REF_MCR_DTR          0x01
#define REF_MCR_RTS          0x02
#define REF_MCR_OUT2         0x08 /* routes the UART interrupt to the bus */
#define REF_MCR_LOOPBACK     0x10

#define REF_LSR_DATA_READY   0x01
#define REF_LSR_OVERRUN      0x02
#define REF_LSR_PARITY       0x04
#define REF_LSR_FRAMING      0x08
#define REF_LSR_BREAK        0x10
#define REF_LSR_THR_EMPTY    0x20
#define REF_LSR_TX_IDLE      0x40 /* transmitter shift register empty */
#define REF_LSR_ERROR_MASK   (REF_LSR_OVERRUN | REF_LSR_PARITY | REF_LSR_FRAMING | REF_LSR_BREAK)

#define REF_MSR_DELTA_MASK   0x0F
#define REF_MSR_CTS          0x10
#define REF_MSR_DSR          0x20
#define REF_MSR_RI           0x40
#define REF_MSR_DCD          0x80

#define REF_UART_CLOCK_HZ    1843200
#define REF_FIFO_DEPTH       16

/* ------------------------------------------------------------------------ */
/* Driver constants                                                         */
/* ------------------------------------------------------------------------ */

#define REF_POOL_TAG            'tUfR'
#define REF_EXTENSION_SIGNATURE 0x54524155 /* 'UART' */

#define REF_RX_RING_SIZE        4096
#define REF_TX_RING_SIZE        1024
#define REF_MAX_WRITE_LENGTH    (64 * 1024)
#define REF_MAX_READS_PER_PASS  32
#define REF_ISR_MAX_LOOPS       8
#define REF_EVENT_RECORD_COUNT  32
#define REF_EVENT_DRAIN_BATCH   8
#define REF_LOG_LINE_MAX        160

#define REF_WATCHDOG_PERIOD_MS     100
#define REF_DEFAULT_TX_STALL_TICKS 20   /* 2 s without transmitter progress */
#define REF_RS485_TURNAROUND_US    50   /* at most 100 us at DISPATCH_LEVEL */
#define REF_FIFO_RESET_STALL_US    2
#define REF_STOP_TX_DRAIN_MS       2000
#define REF_RECOVERY_TX_WAIT_MS    500

/* Relative timeouts for KeWaitForSingleObject / KeSetTimerEx (100 ns units). */
#define REF_RELATIVE_MS(ms) (-(LONGLONG)(ms) * 10 * 1000)
/* Interrupt time is in 100 ns units. */
#define REF_MS_TO_INTERRUPT_TIME(ms) ((ULONG64)(ms) * 10 * 1000)

#define REF_MIN(a, b) (((a) < (b)) ? (a) : (b))

/* REF_ISR_STATE.PendingEvents */
#define REF_EVT_RX         0x00000001
#define REF_EVT_TX_DONE    0x00000002
#define REF_EVT_LINE       0x00000004
#define REF_EVT_MODEM      0x00000008

/* ------------------------------------------------------------------------ */
/* Driver-private types                                                     */
/* ------------------------------------------------------------------------ */

typedef enum _REF_PNP_STATE {
    RefPnpNotStarted = 0,
    RefPnpStarted,
    RefPnpStopPending,
    RefPnpStopped,
    RefPnpRemovePending,
    RefPnpSurpriseRemoved,
    RefPnpDeleted
} REF_PNP_STATE;

/*
 * State shared with the ISR. Touched only by RefIsr (and the ISR helpers it
 * calls) and by KSYNCHRONIZE_ROUTINE routines run through
 * KeSynchronizeExecution; everyone else asks a SynchCritSection routine for
 * a snapshot.
 */
typedef struct _REF_ISR_STATE {
    BOOLEAN InterruptsEnabled;
    UCHAR Ier;                  /* IER shadow */
    UCHAR Mcr;                  /* MCR shadow */
    UCHAR Lcr;                  /* LCR shadow */
    UCHAR ModemStatus;          /* last MSR seen */
    UCHAR LineStatusAccum;      /* LSR error bits since the last snapshot */
    ULONG PendingEvents;        /* REF_EVT_* not yet taken by the DPC */
    ULONG InterruptCount;

    /* Receive ring: the ISR produces at RxHead, SynchCritSection routines consume. */
    ULONG RxHead;
    ULONG RxTail;
    ULONG RxCount;
    ULONG RxOverruns;
    UCHAR RxRing[REF_RX_RING_SIZE];

    /* Transmit ring: StartIo (through a SynchCritSection) produces, the ISR consumes. */
    ULONG TxHead;
    ULONG TxTail;
    ULONG TxCount;
    ULONG TxSequence;           /* bumped for every chunk handed to the ring */
    ULONG TxBytesSent;          /* for the watchdog's progress check */
    BOOLEAN TxOutstanding;      /* a chunk is owned by the hardware */
    BOOLEAN Rs485;              /* drop RTS when the transmitter drains */
    UCHAR TxRing[REF_TX_RING_SIZE];

    ULONG EventSequence;
    ULONG EventsQueued;
    ULONG EventsDropped;
} REF_ISR_STATE, *PREF_ISR_STATE;

/* A line-status event recorded by the ISR (preallocated, NonPagedPool). */
typedef struct _REF_EVENT_RECORD {
    LIST_ENTRY Link;
    ULONG Sequence;
    UCHAR LineStatus;
    UCHAR ModemStatus;
    USHORT Reserved;
    ULONG RxLevel;
    ULONG64 InterruptTime;
} REF_EVENT_RECORD, *PREF_EVENT_RECORD;

/* A copy of an event record, handed out of the SynchCritSection. */
typedef struct _REF_LINE_EVENT {
    ULONG Sequence;
    UCHAR Lsr;
    UCHAR Msr;
    ULONG Level;
    ULONG64 Timestamp;
} REF_LINE_EVENT, *PREF_LINE_EVENT;

/* Log entry queued by the error DPC for the work item (NonPagedPool). */
typedef struct _REF_LOG_ENTRY {
    LIST_ENTRY Link;
    ULONG Sequence;
    UCHAR LineStatus;
    UCHAR ModemStatus;
    USHORT Flags;
    ULONG RxLevel;
    ULONG64 Timestamp;
} REF_LOG_ENTRY, *PREF_LOG_ENTRY;

#define REF_LOG_FLAG_RECOVERY 0x0001

/* Per-device log file state: PagedPool, touched only at PASSIVE_LEVEL. */
typedef struct _REF_LOG_STATE {
    HANDLE File;
    BOOLEAN OpenFailed;
    ULONG LinesWritten;
    ULONG DroppedEntries;
    ULONG WriteErrors;
    UNICODE_STRING FileName;
    WCHAR FileNameBuffer[64];
    CHAR Line[REF_LOG_LINE_MAX];
} REF_LOG_STATE, *PREF_LOG_STATE;

/* The write in progress; owned by whoever owns DeviceObject->CurrentIrp. */
typedef struct _REF_WRITE_STATE {
    PUCHAR Buffer;
    ULONG Length;
    ULONG Offset;     /* bytes handed to the transmit ring so far */
    ULONG Chunk;      /* size of the chunk the hardware owns */
} REF_WRITE_STATE, *PREF_WRITE_STATE;

/* Private to RefWatchdogDpc. */
typedef struct _REF_WATCHDOG_STATE {
    ULONG LastTxSequence;
    ULONG LastTxBytesSent;
    ULONG StallTicks;
    ULONG LastInterruptCount;
    UCHAR LastModemStatus;
} REF_WATCHDOG_STATE, *PREF_WATCHDOG_STATE;

/* Read timeout bookkeeping kept in Irp->Tail.Overlay.DriverContext. */
#define REF_IRP_DEADLINE(Irp) ((Irp)->Tail.Overlay.DriverContext[0])

typedef struct _REF_DEVICE_EXTENSION {
    ULONG Signature;
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT Pdo;
    PDEVICE_OBJECT LowerDevice;
    ULONG InstanceNumber;
    LIST_ENTRY GlobalLink;               /* RefGlobalDeviceList, RefGlobalLock */
    IO_REMOVE_LOCK RemoveLock;
    REF_PNP_STATE PnpState;
    REF_PNP_STATE PreviousPnpState;
    DEVICE_POWER_STATE DevicePower;
    UNICODE_STRING InterfaceName;
    volatile LONG AcceptingRequests;
    volatile LONG OpenCount;

    /* Hardware resources (written at start/stop, read-only while started). */
    PUCHAR Registers;
    ULONG RegisterSpan;
    BOOLEAN PortIo;
    BOOLEAN RegistersMapped;
    PKINTERRUPT Interrupt;
    ULONG InterruptVector;
    KIRQL InterruptIrql;
    KINTERRUPT_MODE InterruptMode;
    BOOLEAN InterruptShared;
    KAFFINITY InterruptAffinity;

    /* Shared with the ISR: see REF_ISR_STATE. */
    REF_ISR_STATE Isr;

    /* ISR event records: ExInterlocked lists, used at DIRQL only. */
    KSPIN_LOCK EventListLock;
    LIST_ENTRY EventFreeList;
    LIST_ENTRY EventList;
    PREF_EVENT_RECORD EventRecords;

    /* Pending reads: classic spin lock. */
    KSPIN_LOCK ReadQueueLock;
    LIST_ENTRY ReadQueue;
    ULONG ReadQueueDepth;

    /* Write path (StartIo). */
    REF_WRITE_STATE Write;
    REF_LINE_CONTROL ActiveConfig;
    KEVENT TxIdleEvent;                  /* signalled while no write is active */

    /* Configuration and statistics: in-stack queued spin lock. */
    KSPIN_LOCK StateLock;
    REF_LINE_CONTROL Config;
    REF_STATISTICS Stats;
    ULONG ReadTimeoutMs;                 /* 0: reads wait forever */
    ULONG TxStallLimitTicks;             /* set in AddDevice, read-only after */

    /* Deferred work. */
    KDPC ErrorDpc;                       /* CustomDpc, queued by the ISR */
    KDPC RxThreadedDpc;                  /* CustomThreadedDpc */
    KTIMER WatchdogTimer;
    KDPC WatchdogDpc;                    /* CustomTimerDpc */
    REF_WATCHDOG_STATE Watchdog;
    PIO_WORKITEM WorkItem;
    KEVENT WorkItemIdleEvent;
    volatile LONG WorkItemQueued;
    volatile LONG RecoveryRequested;
    volatile LONG LogDropped;

    /* Log entries for the work item: ExInterlocked list, <= DISPATCH_LEVEL. */
    KSPIN_LOCK LogListLock;
    LIST_ENTRY LogList;
    PREF_LOG_STATE LogState;             /* PagedPool */
} REF_DEVICE_EXTENSION, *PREF_DEVICE_EXTENSION;

/* Driver-wide defaults; pageable, read at PASSIVE_LEVEL only. */
typedef struct _REF_DRIVER_DEFAULTS {
    REF_LINE_CONTROL LineControl;
    ULONG ReadTimeoutMs;
    ULONG TxStallLimitTicks;
} REF_DRIVER_DEFAULTS;

/* ------------------------------------------------------------------------ */
/* Contexts passed to KSYNCHRONIZE_ROUTINE routines (caller's stack)        */
/* ------------------------------------------------------------------------ */

typedef struct _REF_EVENT_SNAPSHOT {
    PREF_DEVICE_EXTENSION DevExt;
    ULONG Events;
    ULONG RxAvailable;
    UCHAR ModemStatus;
} REF_EVENT_SNAPSHOT, *PREF_EVENT_SNAPSHOT;

typedef struct _REF_RX_COPY_CONTEXT {
    PREF_DEVICE_EXTENSION DevExt;
    PUCHAR Buffer;
    ULONG Length;
    ULONG Copied;
} REF_RX_COPY_CONTEXT, *PREF_RX_COPY_CONTEXT;

typedef struct _REF_RX_QUERY_CONTEXT {
    PREF_DEVICE_EXTENSION DevExt;
    ULONG Available;
} REF_RX_QUERY_CONTEXT, *PREF_RX_QUERY_CONTEXT;

typedef struct _REF_TX_START_CONTEXT {
    PREF_DEVICE_EXTENSION DevExt;
    PUCHAR Buffer;
    ULONG Length;
    BOOLEAN Rs485;
    BOOLEAN Accepted;
} REF_TX_START_CONTEXT, *PREF_TX_START_CONTEXT;

typedef struct _REF_TX_CLAIM_CONTEXT {
    PREF_DEVICE_EXTENSION DevExt;
    BOOLEAN Abort;
    BOOLEAN Claimed;
    ULONG Residual;
} REF_TX_CLAIM_CONTEXT, *PREF_TX_CLAIM_CONTEXT;

typedef struct _REF_TX_SAMPLE_CONTEXT {
    PREF_DEVICE_EXTENSION DevExt;
    BOOLEAN Outstanding;
    ULONG Sequence;
    ULONG BytesSent;
    ULONG InterruptCount;
} REF_TX_SAMPLE_CONTEXT, *PREF_TX_SAMPLE_CONTEXT;

typedef struct _REF_LINE_CONTEXT {
    PREF_DEVICE_EXTENSION DevExt;
    REF_LINE_CONTROL LineControl;
} REF_LINE_CONTEXT, *PREF_LINE_CONTEXT;

typedef struct _REF_EVENT_DRAIN_CONTEXT {
    PREF_DEVICE_EXTENSION DevExt;
    ULONG Count;
    BOOLEAN More;
    REF_LINE_EVENT Events[REF_EVENT_DRAIN_BATCH];
} REF_EVENT_DRAIN_CONTEXT, *PREF_EVENT_DRAIN_CONTEXT;

typedef struct _REF_MODEM_QUERY_CONTEXT {
    PREF_DEVICE_EXTENSION DevExt;
    REF_MODEM_STATUS Status;
} REF_MODEM_QUERY_CONTEXT, *PREF_MODEM_QUERY_CONTEXT;

typedef struct _REF_ISR_COUNTERS_CONTEXT {
    PREF_DEVICE_EXTENSION DevExt;
    BOOLEAN Clear;
    ULONG InterruptCount;
    ULONG RxOverruns;
    ULONG EventsQueued;
    ULONG EventsDropped;
    ULONG EventsPending;
} REF_ISR_COUNTERS_CONTEXT, *PREF_ISR_COUNTERS_CONTEXT;

typedef struct _REF_PURGE_CONTEXT {
    PREF_DEVICE_EXTENSION DevExt;
    ULONG Discarded;
} REF_PURGE_CONTEXT, *PREF_PURGE_CONTEXT;

/* ------------------------------------------------------------------------ */
/* Register access (any IRQL; after IoConnectInterrupt only from the ISR    */
/* and SynchCritSection routines)                                           */
/* ------------------------------------------------------------------------ */

FORCEINLINE
UCHAR
RefReadRegister(_In_ PREF_DEVICE_EXTENSION DevExt, _In_ ULONG Offset)
{
    if (DevExt->PortIo) {
        return READ_PORT_UCHAR(DevExt->Registers + Offset);
    }
    return READ_REGISTER_UCHAR(DevExt->Registers + Offset);
}

FORCEINLINE
VOID
RefWriteRegister(_In_ PREF_DEVICE_EXTENSION DevExt, _In_ ULONG Offset, _In_ UCHAR Value)
{
    if (DevExt->PortIo) {
        WRITE_PORT_UCHAR(DevExt->Registers + Offset, Value);
    } else {
        WRITE_REGISTER_UCHAR(DevExt->Registers + Offset, Value);
    }
}

/* ------------------------------------------------------------------------ */
/* Globals (driver.c)                                                       */
/* ------------------------------------------------------------------------ */

extern const GUID GUID_DEVINTERFACE_REFUART;
extern REF_DRIVER_DEFAULTS RefDefaults;     /* PAGEDATA */
extern KSPIN_LOCK RefGlobalLock;
extern LIST_ENTRY RefGlobalDeviceList;
extern ULONG RefGlobalDeviceCount;
extern UNICODE_STRING RefRegistryPath;      /* PagedPool buffer */

/* ------------------------------------------------------------------------ */
/* driver.c: entry points, PnP, power                                       */
/* ------------------------------------------------------------------------ */

DRIVER_INITIALIZE DriverEntry;
DRIVER_ADD_DEVICE RefAddDevice;
DRIVER_UNLOAD RefUnload;

_Dispatch_type_(IRP_MJ_PNP)
_IRQL_requires_max_(PASSIVE_LEVEL)
DRIVER_DISPATCH RefDispatchPnp;

_Dispatch_type_(IRP_MJ_POWER)
_IRQL_requires_max_(DISPATCH_LEVEL)
DRIVER_DISPATCH RefDispatchPower;

_Dispatch_type_(IRP_MJ_SYSTEM_CONTROL)
_IRQL_requires_max_(PASSIVE_LEVEL)
DRIVER_DISPATCH RefDispatchSystemControl;

IO_COMPLETION_ROUTINE RefSignalEventCompletion;
IO_COMPLETION_ROUTINE RefPowerUpCompletion;

_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
RefValidateLineControl(_In_ const REF_LINE_CONTROL *LineControl);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
RefTrackDevice(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
RefUntrackDevice(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(DISPATCH_LEVEL)
ULONG
RefQueryDeviceCount(VOID);

/* ------------------------------------------------------------------------ */
/* dispatch.c: create/close/cleanup/read/write/device control               */
/* ------------------------------------------------------------------------ */

_Dispatch_type_(IRP_MJ_CREATE)
_IRQL_requires_max_(PASSIVE_LEVEL)
DRIVER_DISPATCH RefDispatchCreate;

_Dispatch_type_(IRP_MJ_CLOSE)
_IRQL_requires_max_(PASSIVE_LEVEL)
DRIVER_DISPATCH RefDispatchClose;

_Dispatch_type_(IRP_MJ_CLEANUP)
_IRQL_requires_max_(PASSIVE_LEVEL)
DRIVER_DISPATCH RefDispatchCleanup;

_Dispatch_type_(IRP_MJ_READ)
_IRQL_requires_max_(PASSIVE_LEVEL)
DRIVER_DISPATCH RefDispatchRead;

_Dispatch_type_(IRP_MJ_WRITE)
_IRQL_requires_max_(PASSIVE_LEVEL)
DRIVER_DISPATCH RefDispatchWrite;

_Dispatch_type_(IRP_MJ_DEVICE_CONTROL)
_IRQL_requires_max_(PASSIVE_LEVEL)
DRIVER_DISPATCH RefDispatchDeviceControl;

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
RefGetStatisticsSnapshot(_In_ PREF_DEVICE_EXTENSION DevExt, _Out_ PREF_STATISTICS Statistics);

_Requires_lock_held_(DevExt->StateLock)
_IRQL_requires_(DISPATCH_LEVEL)
VOID
RefCopyStatisticsLocked(_In_ PREF_DEVICE_EXTENSION DevExt, _Out_ PREF_STATISTICS Statistics);

/* ------------------------------------------------------------------------ */
/* interrupt.c: ISR, DpcForIsr, SynchCritSection routines                   */
/* ------------------------------------------------------------------------ */

KSERVICE_ROUTINE RefIsr;
IO_DPC_ROUTINE RefDpcForIsr;

KSYNCHRONIZE_ROUTINE RefSyncInitializeHardware;
KSYNCHRONIZE_ROUTINE RefSyncDisableInterrupts;
KSYNCHRONIZE_ROUTINE RefSyncTakeEvents;
KSYNCHRONIZE_ROUTINE RefSyncQueryRx;
KSYNCHRONIZE_ROUTINE RefSyncCopyRxData;
KSYNCHRONIZE_ROUTINE RefSyncPurgeRx;
KSYNCHRONIZE_ROUTINE RefSyncStartTransmit;
KSYNCHRONIZE_ROUTINE RefSyncClaimTxCompletion;
KSYNCHRONIZE_ROUTINE RefSyncSampleTxProgress;
KSYNCHRONIZE_ROUTINE RefSyncReleaseRts;
KSYNCHRONIZE_ROUTINE RefSyncSetLineControl;
KSYNCHRONIZE_ROUTINE RefSyncResetFifos;
KSYNCHRONIZE_ROUTINE RefSyncDrainEvents;
KSYNCHRONIZE_ROUTINE RefSyncGetModemStatus;
KSYNCHRONIZE_ROUTINE RefSyncIsrCounters;

_IRQL_requires_(DISPATCH_LEVEL)
BOOLEAN
RefStartTxChunk(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_(DISPATCH_LEVEL)
VOID
RefCompleteCurrentWrite(_Inout_ PREF_DEVICE_EXTENSION DevExt, _In_ NTSTATUS Status, _In_ ULONG Residual);

_IRQL_requires_max_(PASSIVE_LEVEL)
VOID
RefAbortTransmitForStop(_Inout_ PREF_DEVICE_EXTENSION DevExt);

/* ------------------------------------------------------------------------ */
/* queue.c: StartIo, read queue, cancel routines                            */
/* ------------------------------------------------------------------------ */

DRIVER_STARTIO RefStartIo;
DRIVER_CANCEL RefCancelQueuedRead;
DRIVER_CANCEL RefCancelStartIoIrp;

_IRQL_requires_max_(DISPATCH_LEVEL)
_IRQL_raises_(DISPATCH_LEVEL)
_Acquires_lock_(DevExt->ReadQueueLock)
VOID
RefLockReadQueue(_Inout_ PREF_DEVICE_EXTENSION DevExt, _Out_ _IRQL_saves_ PKIRQL OldIrql);

_IRQL_requires_(DISPATCH_LEVEL)
_Releases_lock_(DevExt->ReadQueueLock)
VOID
RefUnlockReadQueue(_Inout_ PREF_DEVICE_EXTENSION DevExt, _In_ _IRQL_restores_ KIRQL OldIrql);

_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS
RefQueueReadIrp(_Inout_ PREF_DEVICE_EXTENSION DevExt, _Inout_ PIRP Irp, _In_ ULONG64 Deadline);

_IRQL_requires_max_(DISPATCH_LEVEL)
PIRP
RefDequeueReadIrp(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
RefRequeueReadIrpAtHead(_Inout_ PREF_DEVICE_EXTENSION DevExt, _Inout_ PIRP Irp);

_IRQL_requires_max_(DISPATCH_LEVEL)
ULONG
RefServiceReadQueue(_Inout_ PREF_DEVICE_EXTENSION DevExt, _Out_ PULONG BytesCompleted);

_IRQL_requires_max_(DISPATCH_LEVEL)
ULONG
RefFlushReadQueue(_Inout_ PREF_DEVICE_EXTENSION DevExt, _In_opt_ PFILE_OBJECT FileObject, _In_ NTSTATUS Status);

_IRQL_requires_(DISPATCH_LEVEL)
ULONG
RefExpireReads(_Inout_ PREF_DEVICE_EXTENSION DevExt, _In_ ULONG64 Now);

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
RefCompleteRequest(_Inout_ PREF_DEVICE_EXTENSION DevExt, _Inout_ PIRP Irp, _In_ NTSTATUS Status, _In_ ULONG Information);

/* ------------------------------------------------------------------------ */
/* timer.c: CustomDpc, CustomThreadedDpc, CustomTimerDpc, work item         */
/* ------------------------------------------------------------------------ */

KDEFERRED_ROUTINE RefErrorDpc;
KDEFERRED_ROUTINE RefWatchdogDpc;

/*
 * Registered with KeInitializeThreadedDpc: runs at PASSIVE_LEVEL or at
 * DISPATCH_LEVEL, so it may not use the *AtDpcLevel / *FromDpcLevel routines.
 */
_IRQL_requires_max_(DISPATCH_LEVEL)
KDEFERRED_ROUTINE RefRxThreadedDpc;

IO_WORKITEM_ROUTINE RefMaintenanceWorkItem;

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
RefQueueMaintenance(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(PASSIVE_LEVEL)
VOID
RefCloseLogFile(_Inout_ PREF_DEVICE_EXTENSION DevExt);

#endif /* REFDRV_H */
