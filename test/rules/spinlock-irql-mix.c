// spinlock-irql-mix: a spin lock that ExInterlocked routines use at DIRQL and that is also acquired with a Ke* spin lock routine or used by ExInterlocked routines at <= DISPATCH_LEVEL.
// RUN: not %irqlcheck --no-source %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: %irqlcheck --disable=spinlock-irql-mix %s | count 0
//
// CHECK lines expect every finding. Nothing here breaks another rule, so
// with this rule disabled the tool prints nothing and exits 0.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    PDEVICE_OBJECT Self;
    PKINTERRUPT Interrupt;
    KDPC Dpc;
    PIO_WORKITEM WorkItem;

    KSPIN_LOCK EventLock;       // (a) ISR + KeAcquireSpinLock
    LIST_ENTRY EventList;
    KSPIN_LOCK PoolLock;        // (a) ISR helper + KeAcquireSpinLockAtDpcLevel
    SINGLE_LIST_ENTRY FreePool;
    KSPIN_LOCK CountLock;       // (a) SynchCritSection + in-stack queued
    ULONG Count;
    KSPIN_LOCK RxLock;          // (b) ISR + DPC, both ExInterlocked
    LIST_ENTRY RxList;
    KSPIN_LOCK TxLock;          // (a) and (b): both findings
    LIST_ENTRY TxList;
    KSPIN_LOCK ShareLock;       // (b) one helper called from the ISR and a DPC
    LIST_ENTRY ShareList;

    KSPIN_LOCK IsrOnlyLock;     // clean: ISR and SynchCritSection only
    LIST_ENTRY IsrOnlyList;
    KSPIN_LOCK LowLock;         // clean: ExInterlocked and Ke*, <= DISPATCH_LEVEL
    LIST_ENTRY LowList;
    KSPIN_LOCK OtherLock;       // clean: a different lock than IsrOnlyLock
    ULONG Other;
    KSPIN_LOCK SListLock;       // clean: x64 S-list macros drop the lock
    SLIST_HEADER SList;
    KSPIN_LOCK ParamLock;       // FIXME: a lock reached through a parameter
    LIST_ENTRY ParamList;
    KSPIN_LOCK PrimeLock;       // clean: other uses before the interrupt is connected
    LIST_ENTRY PrimeList;
    KSPIN_LOCK LateLock;        // (b) a use after IoConnectInterrupt
    LIST_ENTRY LateList;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

KSPIN_LOCK g_StatsLock;         // (b) a global, ISR + dispatch routine
LARGE_INTEGER g_Bytes;

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// The ISR queues events with ExInterlockedInsertTailList (interrupts
// masked, DIRQL); a dispatch routine takes the same lock with
// KeAcquireSpinLock, which only raises to DISPATCH_LEVEL: the ISR can
// interrupt it on the same processor and spin forever (seed 001).
KSERVICE_ROUTINE FooIsr;
static VOID FooIsrRecycle(PDEVICE_EXTENSION ext, PSINGLE_LIST_ENTRY entry);
static VOID FooShareQueue(PDEVICE_EXTENSION ext, PLIST_ENTRY entry);
static VOID FooPushLocked(PLIST_ENTRY head, PLIST_ENTRY entry, PKSPIN_LOCK lock);

BOOLEAN FooIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)ServiceContext;
    static LIST_ENTRY events[4], tx[4], share[4], only[4], param[4];
    static SINGLE_LIST_ENTRY pool[4];
    static SLIST_ENTRY slist[4];
    LARGE_INTEGER n;

    ExInterlockedInsertTailList(&ext->EventList, &events[0], &ext->EventLock);
    FooIsrRecycle(ext, &pool[0]);
    (VOID)ExInterlockedRemoveHeadList(&ext->RxList, &ext->RxLock);
    ExInterlockedInsertHeadList(&ext->TxList, &tx[0], &ext->TxLock);
    FooShareQueue(ext, &share[0]);
    n.QuadPart = 1;
    ExInterlockedAddLargeInteger(&g_Bytes, n, &g_StatsLock);

    ExInterlockedInsertTailList(&ext->IsrOnlyList, &only[0], &ext->IsrOnlyLock); // no-warning
    ExInterlockedPushEntrySList(&ext->SList, &slist[0], &ext->SListLock); // no-warning
    FooPushLocked(&ext->ParamList, &param[0], &ext->ParamLock); // FIXME
    (VOID)ExInterlockedRemoveHeadList(&ext->PrimeList, &ext->PrimeLock);
    (VOID)ExInterlockedRemoveHeadList(&ext->LateList, &ext->LateLock);
    IoRequestDpc(ext->Self, NULL, ext);
    return TRUE;
}

NTSTATUS FooDispatchGetEvents(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    LARGE_INTEGER n;
    KIRQL oldIrql;

    // CHECK: spinlock-irql-mix.c:[[@LINE+4]]:5: warning: spin lock 'ext->EventLock' is acquired with 'KeAcquireSpinLock', which leaves device interrupts enabled, but 'ExInterlockedInsertTailList' takes it at DIRQL; an interrupt that arrives while it is held here spins on it forever [spinlock-irql-mix]
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-24]]:5: note: spin lock 'ext->EventLock' is passed to 'ExInterlockedInsertTailList' here at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-38]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+200]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    KeAcquireSpinLock(&ext->EventLock, &oldIrql);
    if (!IsListEmpty(&ext->EventList)) {
        RemoveHeadList(&ext->EventList);
    }
    KeReleaseSpinLock(&ext->EventLock, oldIrql);

    // A global lock: the ISR adds with it at DIRQL, this routine at
    // PASSIVE_LEVEL (seed 002: one IRQL per lock).
    n.QuadPart = 1;
    // CHECK: spinlock-irql-mix.c:[[@LINE+5]]:5: warning: spin lock 'g_StatsLock' is passed to 'ExInterlockedAddLargeInteger' at PASSIVE_LEVEL here, but 'ExInterlockedAddLargeInteger' takes it at DIRQL; a spin lock that ExInterlocked routines use at DIRQL must be used only there, by the ISR and SynchCritSection routines [spinlock-irql-mix]
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+215]]:5: note: 'FooDispatchGetEvents' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_READ] here), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-32]]:5: note: spin lock 'g_StatsLock' is passed to 'ExInterlockedAddLargeInteger' here at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-52]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+186]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    ExInterlockedAddLargeInteger(&g_Bytes, n, &g_StatsLock);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// A helper of the ISR pushes with the lock; the DPC takes it with
// KeAcquireSpinLockAtDpcLevel. The notes lead back to the ISR.
static VOID FooIsrRecycle(PDEVICE_EXTENSION ext, PSINGLE_LIST_ENTRY entry)
{
    ExInterlockedPushEntryList(&ext->FreePool, entry, &ext->PoolLock);
}

// Used by the ISR (through FooIsr) and by the DPC below: the same call
// runs at DIRQL and at DISPATCH_LEVEL.
static VOID FooShareQueue(PDEVICE_EXTENSION ext, PLIST_ENTRY entry)
{
    // CHECK: spinlock-irql-mix.c:[[@LINE+6]]:5: warning: spin lock 'ext->ShareLock' is passed to 'ExInterlockedInsertTailList' here both at DISPATCH_LEVEL and at DIRQL; a spin lock that ExInterlocked routines use at DIRQL must be used only there, by the ISR and SynchCritSection routines [spinlock-irql-mix]
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+52]]:5: note: 'FooShareQueue' is called with IRQL DISPATCH_LEVEL from 'FooDpcForIsr' here
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+151]]:5: note: 'FooDpcForIsr' is a DPC routine (registered by IoInitializeDpcRequest here), which runs at DISPATCH_LEVEL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-58]]:5: note: 'FooShareQueue' is called with IRQL DIRQL from 'FooIsr' here
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-76]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+162]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    ExInterlockedInsertTailList(&ext->ShareList, entry, &ext->ShareLock);
}

static VOID FooPushLocked(PLIST_ENTRY head, PLIST_ENTRY entry, PKSPIN_LOCK lock)
{
    ExInterlockedInsertTailList(head, entry, lock);
}

VOID FooDpcForIsr(PKDPC Dpc, PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    static LIST_ENTRY rx, tx, share;
    KLOCK_QUEUE_HANDLE h;

    // CHECK: spinlock-irql-mix.c:[[@LINE+5]]:5: warning: spin lock 'ext->PoolLock' is acquired with 'KeAcquireSpinLockAtDpcLevel', which leaves device interrupts enabled, but 'ExInterlockedPushEntryList' takes it at DIRQL; an interrupt that arrives while it is held here spins on it forever [spinlock-irql-mix]
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-28]]:5: note: spin lock 'ext->PoolLock' is passed to 'ExInterlockedPushEntryList' here at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-80]]:5: note: 'FooIsrRecycle' is called with IRQL DIRQL from 'FooIsr' here
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-95]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+143]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    KeAcquireSpinLockAtDpcLevel(&ext->PoolLock);
    PopEntryList(&ext->FreePool);
    KeReleaseSpinLockFromDpcLevel(&ext->PoolLock);

    // The ISR removes from RxList with the same lock at DIRQL (seed 002).
    // CHECK: spinlock-irql-mix.c:[[@LINE+5]]:5: warning: spin lock 'ext->RxLock' is passed to 'ExInterlockedInsertTailList' at DISPATCH_LEVEL here, but 'ExInterlockedRemoveHeadList' takes it at DIRQL; a spin lock that ExInterlocked routines use at DIRQL must be used only there, by the ISR and SynchCritSection routines [spinlock-irql-mix]
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+122]]:5: note: 'FooDpcForIsr' is a DPC routine (registered by IoInitializeDpcRequest here), which runs at DISPATCH_LEVEL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-89]]:11: note: spin lock 'ext->RxLock' is passed to 'ExInterlockedRemoveHeadList' here at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-105]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+133]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    ExInterlockedInsertTailList(&ext->RxList, &rx, &ext->RxLock);

    // TxLock: taken with a Ke routine, and used here by ExInterlocked at
    // DISPATCH_LEVEL: two findings, one of each kind.
    // CHECK: spinlock-irql-mix.c:[[@LINE+4]]:9: warning: spin lock 'ext->TxLock' is acquired with 'KeTryToAcquireSpinLockAtDpcLevel', which leaves device interrupts enabled, but 'ExInterlockedInsertHeadList' takes it at DIRQL; an interrupt that arrives while it is held here spins on it forever [spinlock-irql-mix]
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-96]]:5: note: spin lock 'ext->TxLock' is passed to 'ExInterlockedInsertHeadList' here at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-113]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+125]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->TxLock)) {
        KeReleaseSpinLockFromDpcLevel(&ext->TxLock);
    }
    // CHECK: spinlock-irql-mix.c:[[@LINE+5]]:5: warning: spin lock 'ext->TxLock' is passed to 'ExInterlockedInsertTailList' at DISPATCH_LEVEL here, but 'ExInterlockedInsertHeadList' takes it at DIRQL; a spin lock that ExInterlocked routines use at DIRQL must be used only there, by the ISR and SynchCritSection routines [spinlock-irql-mix]
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+106]]:5: note: 'FooDpcForIsr' is a DPC routine (registered by IoInitializeDpcRequest here), which runs at DISPATCH_LEVEL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-104]]:5: note: spin lock 'ext->TxLock' is passed to 'ExInterlockedInsertHeadList' here at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-121]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+117]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    ExInterlockedInsertTailList(&ext->TxList, &tx, &ext->TxLock);

    FooShareQueue(ext, &share);

    // FIXME: ParamLock is passed to ExInterlocked through a parameter
    // (`*$2` in FooPushLocked), which names no program-wide lock.
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&ext->ParamLock, &h);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&h);
}

// A SynchCritSection runs at DIRQL like the ISR; a work item takes its
// lock with an in-stack queued spin lock.
KSYNCHRONIZE_ROUTINE FooSyncCount;

BOOLEAN FooSyncCount(PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    ExInterlockedAddUlong(&ext->Count, 1, &ext->CountLock);
    (VOID)ExInterlockedRemoveHeadList(&ext->IsrOnlyList, &ext->IsrOnlyLock); // no-warning
    return TRUE;
}

IO_WORKITEM_ROUTINE FooCountWorker;

VOID FooCountWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KLOCK_QUEUE_HANDLE h;

    KeSynchronizeExecution(ext->Interrupt, FooSyncCount, ext);
    // CHECK: spinlock-irql-mix.c:[[@LINE+4]]:5: warning: spin lock 'ext->CountLock' is acquired with 'KeAcquireInStackQueuedSpinLock', which leaves device interrupts enabled, but 'ExInterlockedAddUlong' takes it at DIRQL; an interrupt that arrives while it is held here spins on it forever [spinlock-irql-mix]
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-14]]:5: note: spin lock 'ext->CountLock' is passed to 'ExInterlockedAddUlong' here at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-21]]:22: note: 'FooSyncCount' is a SynchCritSection routine (declared as KSYNCHRONIZE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-4]]:5: note: 'FooSyncCount' is a SynchCritSection routine (registered by KeSynchronizeExecution here), which runs at DIRQL
    KeAcquireInStackQueuedSpinLock(&ext->CountLock, &h);
    ext->Count = 0;
    KeReleaseInStackQueuedSpinLock(&h);
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// LowLock: ExInterlocked at PASSIVE_LEVEL (dispatch routine) and at
// DISPATCH_LEVEL (DPC), and KeAcquireSpinLock: all at <= DISPATCH_LEVEL,
// where the seed allows one lock to be shared.
KDEFERRED_ROUTINE FooLowDpc;

VOID FooLowDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    static LIST_ENTRY e;

    ExInterlockedInsertTailList(&ext->LowList, &e, &ext->LowLock); // no-warning
    // OtherLock is another field than IsrOnlyLock: no relation.
    KeAcquireSpinLockAtDpcLevel(&ext->OtherLock); // no-warning
    ext->Other++;
    KeReleaseSpinLockFromDpcLevel(&ext->OtherLock);
}

NTSTATUS FooDispatchLow(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    (VOID)ExInterlockedRemoveHeadList(&ext->LowList, &ext->LowLock); // no-warning
    KeAcquireSpinLock(&ext->LowLock, &oldIrql); // no-warning
    KeReleaseSpinLock(&ext->LowLock, oldIrql);
    // The S-list routine takes no lock on x64 (the macro drops it), so a
    // Ke acquire of SListLock is no mix.
    KeAcquireSpinLock(&ext->SListLock, &oldIrql); // no-warning
    KeReleaseSpinLock(&ext->SListLock, oldIrql);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// Initializing a lock is not using it. Before the interrupt is connected
// (AddDevice, StartDevice before IoConnectInterrupt) the ISR cannot run:
// filling its list there, with any routine, meets no ISR.
NTSTATUS FooAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    PDEVICE_EXTENSION ext;
    NTSTATUS status;
    static LIST_ENTRY prime[4];

    status = IoCreateDevice(DriverObject, sizeof(DEVICE_EXTENSION), NULL,
                            FILE_DEVICE_UNKNOWN, 0, FALSE, &fdo);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    ext = fdo->DeviceExtension;
    ext->Self = fdo;
    KeInitializeSpinLock(&ext->IsrOnlyLock); // no-warning
    KeInitializeSpinLock(&ext->EventLock);
    InitializeListHead(&ext->IsrOnlyList);
    KeInitializeSpinLock(&ext->PrimeLock);
    InitializeListHead(&ext->PrimeList);
    ExInterlockedInsertTailList(&ext->PrimeList, &prime[0], &ext->PrimeLock); // no-warning
    IoInitializeDpcRequest(fdo, FooDpcForIsr);
    KeInitializeDpc(&ext->Dpc, FooLowDpc, ext);
    return STATUS_SUCCESS;
}

NTSTATUS FooStartDevice(PDEVICE_EXTENSION ext, ULONG vector, KIRQL irql, KAFFINITY affinity)
{
    static LIST_ENTRY prime, late;
    NTSTATUS status;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->PrimeLock, &oldIrql); // no-warning
    InsertTailList(&ext->PrimeList, &prime);
    KeReleaseSpinLock(&ext->PrimeLock, oldIrql);
    status = IoConnectInterrupt(&ext->Interrupt, FooIsr, ext, NULL, vector, irql, irql,
                                LevelSensitive, TRUE, affinity, FALSE);
    if (NT_SUCCESS(status)) {
        // Connected: the ISR uses LateLock at DIRQL from now on.
        // CHECK: spinlock-irql-mix.c:[[@LINE+6]]:9: warning: spin lock 'ext->LateLock' is passed to 'ExInterlockedInsertTailList' at PASSIVE_LEVEL here, but 'ExInterlockedRemoveHeadList' takes it at DIRQL; a spin lock that ExInterlocked routines use at DIRQL must be used only there, by the ISR and SynchCritSection routines [spinlock-irql-mix]
        // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+12]]:23: note: 'FooStartDevice' is called with IRQL PASSIVE_LEVEL from 'FooDispatchPnp' here
        // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE+22]]:5: note: 'FooDispatchPnp' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_PNP] here), which runs at PASSIVE_LEVEL
        // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-221]]:11: note: spin lock 'ext->LateLock' is passed to 'ExInterlockedRemoveHeadList' here at DIRQL
        // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-247]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
        // CHECK-NEXT: spinlock-irql-mix.c:[[@LINE-9]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
        ExInterlockedInsertTailList(&ext->LateList, &late, &ext->LateLock);
    }
    return status;
}

NTSTATUS FooDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    NTSTATUS status = FooStartDevice(DeviceObject->DeviceExtension, 0, 5, 1);

    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    DriverObject->MajorFunction[IRP_MJ_READ] = FooDispatchGetEvents;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = FooDispatchLow;
    DriverObject->MajorFunction[IRP_MJ_PNP] = FooDispatchPnp;
    DriverObject->DriverExtension->AddDevice = FooAddDevice;
    KeInitializeSpinLock(&g_StatsLock);
    return STATUS_SUCCESS;
}
