// Every kind of registration gives its callback a role, and so an IRQL:
// by a registering call, by assignment to a kernel field, and through a
// variable or field the function was stored in first. Each bad callback
// has a clean look-alike registered the same way.
// RUN: not %irqlcheck --no-source --disable=isr-shared-state %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    KDPC Dpc, Dpc2, ThreadedDpc, ThreadedDpc2;
    PKINTERRUPT Interrupt;
    PIO_WORKITEM WorkItem;
    WORK_QUEUE_ITEM ExWorkItem, ExWorkItem2;
    PKDEFERRED_ROUTINE DpcRoutine;
    VOID (*OnDone)(struct _DEVICE_EXTENSION *);
    HANDLE File;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

//===--- DIRQL: IoConnectInterrupt, IoConnectInterruptEx, KeSynchronizeExecution
BOOLEAN BadIsr(PKINTERRUPT I, PVOID Ctx)
{
    PDEVICE_EXTENSION ext = Ctx;
    KIRQL old;
    KeAcquireSpinLock(&ext->Lock, &old);                // BAD: DIRQL
    KeReleaseSpinLock(&ext->Lock, old);                 // back at DISPATCH_LEVEL
    return TRUE;
}
BOOLEAN BadIsrEx(PKINTERRUPT I, PVOID Ctx)
{
    ZwClose(((PDEVICE_EXTENSION)Ctx)->File);            // BAD: DIRQL
    return TRUE;
}
BOOLEAN GoodIsrEx(PKINTERRUPT I, PVOID Ctx)
{
    KeInsertQueueDpc(&((PDEVICE_EXTENSION)Ctx)->Dpc, NULL, NULL);
    return TRUE;
}
BOOLEAN BadSynch(PVOID Ctx)
{
    ZwClose(((PDEVICE_EXTENSION)Ctx)->File);            // BAD: DIRQL
    return TRUE;
}
BOOLEAN GoodSynch(PVOID Ctx)
{
    ((PDEVICE_EXTENSION)Ctx)->File = NULL;
    return TRUE;
}

//===--- DISPATCH_LEVEL: KeInitializeDpc, IoInitializeDpcRequest, StartIo
VOID BadDpc(PKDPC D, PVOID Ctx, PVOID A1, PVOID A2)
{
    ZwClose(((PDEVICE_EXTENSION)Ctx)->File);            // BAD: DISPATCH_LEVEL
}
VOID GoodDpc(PKDPC D, PVOID Ctx, PVOID A1, PVOID A2)
{
    PDEVICE_EXTENSION ext = Ctx;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}
VOID BadDpcForIsr(PKDPC D, PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    ZwClose(((PDEVICE_EXTENSION)Dev->DeviceExtension)->File); // BAD: DISPATCH_LEVEL
}
VOID BadStartIo(PDEVICE_OBJECT Dev, PIRP Irp)
{
    ZwClose(((PDEVICE_EXTENSION)Dev->DeviceExtension)->File); // BAD: DISPATCH_LEVEL
}

//===--- PASSIVE_LEVEL or DISPATCH_LEVEL: KeInitializeThreadedDpc
VOID BadThreadedDpc(PKDPC D, PVOID Ctx, PVOID A1, PVOID A2)
{
    PDEVICE_EXTENSION ext = Ctx;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);            // BAD: may be PASSIVE_LEVEL
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);          // BAD: may be PASSIVE_LEVEL
}
VOID GoodThreadedDpc(PKDPC D, PVOID Ctx, PVOID A1, PVOID A2)
{
    PDEVICE_EXTENSION ext = Ctx;
    KLOCK_QUEUE_HANDLE h;
    KeAcquireInStackQueuedSpinLockForDpc(&ext->Lock, &h);
    KeReleaseInStackQueuedSpinLockForDpc(&h);
}

//===--- PASSIVE_LEVEL: work items, system threads, dispatch, AddDevice
VOID BadWorkItem(PDEVICE_OBJECT Dev, PVOID Ctx)
{
    PDEVICE_EXTENSION ext = Ctx;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);            // BAD: PASSIVE_LEVEL
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);          // BAD: PASSIVE_LEVEL
}
VOID BadExWorker(PVOID Ctx)
{
    PDEVICE_EXTENSION ext = Ctx;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);            // BAD: PASSIVE_LEVEL
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);          // BAD: PASSIVE_LEVEL
}
VOID GoodExWorker(PVOID Ctx)
{
    ZwClose(((PDEVICE_EXTENSION)Ctx)->File);
}
VOID BadThread(PVOID Ctx)
{
    PDEVICE_EXTENSION ext = Ctx;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);            // BAD: PASSIVE_LEVEL
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);          // BAD: PASSIVE_LEVEL
}

//===--- <= DISPATCH_LEVEL: IoSetCompletionRoutine; cancel routines
NTSTATUS BadCompletion(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    ZwClose(((PDEVICE_EXTENSION)Ctx)->File);            // BAD: up to DISPATCH_LEVEL
    return STATUS_CONTINUE_COMPLETION;
}
NTSTATUS GoodCompletion(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    KeSetEvent((PKEVENT)Ctx, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}
VOID BadCancel(PDEVICE_OBJECT Dev, PIRP Irp)
{
    KIRQL old;
    KeAcquireSpinLock(&((PDEVICE_EXTENSION)Dev->DeviceExtension)->Lock, &old);
    KeReleaseSpinLock(&((PDEVICE_EXTENSION)Dev->DeviceExtension)->Lock, old);
}                                                       // BAD: cancel lock kept

//===--- Stored first, registered or called later
VOID BadStoredDpc(PKDPC D, PVOID Ctx, PVOID A1, PVOID A2)
{
    ZwClose(((PDEVICE_EXTENSION)Ctx)->File);            // BAD: DISPATCH_LEVEL
}
VOID BadLocalDpc(PKDPC D, PVOID Ctx, PVOID A1, PVOID A2)
{
    ZwClose(((PDEVICE_EXTENSION)Ctx)->File);            // BAD: DISPATCH_LEVEL
}
VOID BadOnDone(PDEVICE_EXTENSION Ext)
{
    ZwClose(Ext->File);                                 // BAD: called from a DPC
}
VOID CallsBack(PKDPC D, PVOID Ctx, PVOID A1, PVOID A2)
{
    PDEVICE_EXTENSION ext = Ctx;
    ext->OnDone(ext);
}
// Stored, but never registered nor called: no role, nothing to check.
VOID NeverRegistered(PKDPC D, PVOID Ctx, PVOID A1, PVOID A2)
{
    ZwClose(((PDEVICE_EXTENSION)Ctx)->File);
}

NTSTATUS BadDispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PDEVICE_EXTENSION ext = Dev->DeviceExtension;
    PKDEFERRED_ROUTINE unused = NeverRegistered;
    UNREFERENCED_PARAMETER(unused);
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);            // BAD: PASSIVE_LEVEL
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);          // BAD: PASSIVE_LEVEL
    IoSetCompletionRoutine(Irp, BadCompletion, ext, TRUE, TRUE, TRUE);
    IoSetCompletionRoutine(Irp, GoodCompletion, ext, TRUE, TRUE, TRUE);
    IoSetCancelRoutine(Irp, BadCancel);
    IoQueueWorkItem(ext->WorkItem, BadWorkItem, DelayedWorkQueue, ext);
    ExInitializeWorkItem(&ext->ExWorkItem, BadExWorker, ext);
    ExQueueWorkItem(&ext->ExWorkItem, DelayedWorkQueue);
    ExInitializeWorkItem(&ext->ExWorkItem2, GoodExWorker, ext);
    ExQueueWorkItem(&ext->ExWorkItem2, DelayedWorkQueue);
    KeSynchronizeExecution(ext->Interrupt, BadSynch, ext);
    KeSynchronizeExecution(ext->Interrupt, GoodSynch, ext);
    return STATUS_SUCCESS;
}

VOID GoodUnload(PDRIVER_OBJECT Drv)
{
    ZwClose(((PDEVICE_EXTENSION)Drv->DeviceObject->DeviceExtension)->File);
}

NTSTATUS GoodAddDevice(PDRIVER_OBJECT Drv, PDEVICE_OBJECT Pdo)
{
    PDEVICE_EXTENSION ext = Pdo->DeviceExtension;
    PKDEFERRED_ROUTINE routine = BadLocalDpc;
    HANDLE thread;
    IO_CONNECT_INTERRUPT_PARAMETERS params;

    ZwClose(ext->File);
    IoConnectInterrupt(&ext->Interrupt, BadIsr, ext, NULL, 0, 5, 5,
                       LevelSensitive, TRUE, 1, FALSE);
    RtlZeroMemory(&params, sizeof params);
    params.Version = CONNECT_FULLY_SPECIFIED;
    params.FullySpecified.ServiceRoutine = BadIsrEx;
    IoConnectInterruptEx(&params);
    params.LineBased.ServiceRoutine = GoodIsrEx;
    IoConnectInterruptEx(&params);
    KeInitializeDpc(&ext->Dpc, BadDpc, ext);
    KeInitializeDpc(&ext->Dpc2, GoodDpc, ext);
    IoInitializeDpcRequest(Pdo, BadDpcForIsr);
    KeInitializeThreadedDpc(&ext->ThreadedDpc, BadThreadedDpc, ext);
    KeInitializeThreadedDpc(&ext->ThreadedDpc2, GoodThreadedDpc, ext);
    PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL,
                         BadThread, ext);
    ext->DpcRoutine = BadStoredDpc;
    KeInitializeDpc(&ext->Dpc, ext->DpcRoutine, ext);
    KeInitializeDpc(&ext->Dpc2, routine, ext);
    ext->OnDone = BadOnDone;
    KeInitializeDpc(&ext->Dpc2, CallsBack, ext);
    return STATUS_SUCCESS;
}

DRIVER_INITIALIZE DriverEntry;
NTSTATUS DriverEntry(PDRIVER_OBJECT Drv, PUNICODE_STRING Path)
{
    Drv->MajorFunction[IRP_MJ_DEVICE_CONTROL] = BadDispatch;
    Drv->DriverStartIo = BadStartIo;
    Drv->DriverUnload = GoodUnload;
    Drv->DriverExtension->AddDevice = GoodAddDevice;
    return STATUS_SUCCESS;
}

// Expected findings (line numbers refer to the code above).
// CHECK: {{^.*}}registrations.c:24:5: warning: calling 'KeAcquireSpinLock' requires IRQL <= DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
// CHECK-NEXT: {{^.*}}registrations.c:183:5: note: 'BadIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
// CHECK: {{^.*}}registrations.c:30:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be DIRQL here [irql-too-high]
// CHECK-NEXT: {{^.*}}registrations.c:187:5: note: 'BadIsrEx' is an interrupt service routine (assigned to params.FullySpecified.ServiceRoutine here), which runs at DIRQL
// CHECK: {{^.*}}registrations.c:40:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be DIRQL here [irql-too-high]
// CHECK-NEXT: {{^.*}}registrations.c:165:5: note: 'BadSynch' is a SynchCritSection routine (registered by KeSynchronizeExecution here), which runs at DIRQL
// CHECK: {{^.*}}registrations.c:52:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
// CHECK-NEXT: {{^.*}}registrations.c:191:5: note: 'BadDpc' is a DPC routine (registered by KeInitializeDpc here), which runs at DISPATCH_LEVEL
// CHECK: {{^.*}}registrations.c:62:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
// CHECK-NEXT: {{^.*}}registrations.c:193:5: note: 'BadDpcForIsr' is a DPC routine (registered by IoInitializeDpcRequest here), which runs at DISPATCH_LEVEL
// CHECK: {{^.*}}registrations.c:66:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
// CHECK-NEXT: {{^.*}}registrations.c:210:5: note: 'BadStartIo' is a StartIo routine (assigned to Drv->DriverStartIo here), which runs at DISPATCH_LEVEL
// CHECK: {{^.*}}registrations.c:73:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// CHECK-NEXT: {{^.*}}registrations.c:194:5: note: 'BadThreadedDpc' is a threaded DPC routine (registered by KeInitializeThreadedDpc here), which runs at PASSIVE_LEVEL or DISPATCH_LEVEL
// CHECK: {{^.*}}registrations.c:74:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// CHECK-NEXT: {{^.*}}registrations.c:194:5: note: 'BadThreadedDpc' is a threaded DPC routine (registered by KeInitializeThreadedDpc here), which runs at PASSIVE_LEVEL or DISPATCH_LEVEL
// CHECK: {{^.*}}registrations.c:88:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// CHECK-NEXT: {{^.*}}registrations.c:160:5: note: 'BadWorkItem' is a work item routine (registered by IoQueueWorkItem here), which runs at PASSIVE_LEVEL
// CHECK: {{^.*}}registrations.c:89:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// CHECK-NEXT: {{^.*}}registrations.c:160:5: note: 'BadWorkItem' is a work item routine (registered by IoQueueWorkItem here), which runs at PASSIVE_LEVEL
// CHECK: {{^.*}}registrations.c:94:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// CHECK-NEXT: {{^.*}}registrations.c:161:5: note: 'BadExWorker' is a work item routine (registered by ExInitializeWorkItem here), which runs at PASSIVE_LEVEL
// CHECK: {{^.*}}registrations.c:95:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// CHECK-NEXT: {{^.*}}registrations.c:161:5: note: 'BadExWorker' is a work item routine (registered by ExInitializeWorkItem here), which runs at PASSIVE_LEVEL
// CHECK: {{^.*}}registrations.c:104:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// CHECK-NEXT: {{^.*}}registrations.c:196:5: note: 'BadThread' is a system thread start routine (registered by PsCreateSystemThread here), which runs at PASSIVE_LEVEL
// CHECK: {{^.*}}registrations.c:105:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// CHECK-NEXT: {{^.*}}registrations.c:196:5: note: 'BadThread' is a system thread start routine (registered by PsCreateSystemThread here), which runs at PASSIVE_LEVEL
// CHECK: {{^.*}}registrations.c:111:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be APC_LEVEL or DISPATCH_LEVEL here [irql-too-high]
// CHECK-NEXT: {{^.*}}registrations.c:157:5: note: 'BadCompletion' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
// CHECK: {{^.*}}registrations.c:124:1: warning: 'BadCancel' returns with the cancel spin lock held [spinlock-leak]
// CHECK-NEXT: {{^.*}}registrations.c:159:5: note: 'BadCancel' is a cancel routine (registered by IoSetCancelRoutine here), which runs at DISPATCH_LEVEL, holding the cancel spin lock
// CHECK: {{^.*}}registrations.c:129:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
// CHECK-NEXT: {{^.*}}registrations.c:199:5: note: 'BadStoredDpc' is a DPC routine (registered by KeInitializeDpc here), which runs at DISPATCH_LEVEL
// CHECK: {{^.*}}registrations.c:133:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
// CHECK-NEXT: {{^.*}}registrations.c:200:5: note: 'BadLocalDpc' is a DPC routine (registered by KeInitializeDpc here), which runs at DISPATCH_LEVEL
// CHECK: {{^.*}}registrations.c:137:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
// CHECK-NEXT: {{^.*}}registrations.c:142:5: note: 'BadOnDone' is called with IRQL DISPATCH_LEVEL from 'CallsBack' here
// CHECK-NEXT: {{^.*}}registrations.c:202:5: note: 'CallsBack' is a DPC routine (registered by KeInitializeDpc here), which runs at DISPATCH_LEVEL
// CHECK: {{^.*}}registrations.c:155:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// CHECK-NEXT: {{^.*}}registrations.c:209:5: note: 'BadDispatch' is a dispatch routine (assigned to Drv->MajorFunction[IRP_MJ_DEVICE_CONTROL] here), which runs at PASSIVE_LEVEL
// CHECK: {{^.*}}registrations.c:156:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// CHECK-NEXT: {{^.*}}registrations.c:209:5: note: 'BadDispatch' is a dispatch routine (assigned to Drv->MajorFunction[IRP_MJ_DEVICE_CONTROL] here), which runs at PASSIVE_LEVEL

// isr-shared-state is off in the RUN line: this fixture's DPCs read fields
// its SynchCritSection routines write, which that rule reports (see
// test/rules/isr-shared-state.c); the line numbers above must not move.
