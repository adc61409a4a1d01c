// isr-shared-state: a field or global written by an ISR or SynchCritSection routine and read or written by other code without the interrupt spin lock.
// RUN: not %irqlcheck --no-source %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: %irqlcheck --disable=isr-shared-state %s | count 0
//
// CHECK lines expect every finding. Nothing here breaks another rule, so
// with this rule disabled the tool prints nothing and exits 0.

#include <ntddk.h>

typedef struct _ISR_STATS {
    ULONG Interrupts;
    ULONG Errors;
} ISR_STATS;

typedef struct _DEVICE_EXTENSION {
    PDEVICE_OBJECT Self;
    PKINTERRUPT Interrupt;
    PIO_WORKITEM WorkItem;
    KDPC TimerDpc;
    KTIMER Timer;

    // Written by the ISR (or its helpers, or SynchCritSection routines).
    ULONG RxCount;
    ULONG Pending;
    UCHAR Mode;
    ULONG LastStatus;
    ISR_STATS Stats;
    UCHAR Ring[64];
    ULONG Head;
    ULONG Shared;
    ULONG Late;
    ULONG Sampled;
    volatile LONG Hits;
    ULONG Snapshot;
    ULONG Armed;
    ULONG Overruns;
    ULONG Mask;
    UCHAR Lcr;

    // Never written at DIRQL.
    ULONG Config;       // read by the ISR only
    ULONG DpcRuns;      // a different field of the same struct
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// A SynchCritSection's context on its caller's stack.
typedef struct _SNAPSHOT {
    PDEVICE_EXTENSION Ext;
    ULONG RxCount;
    ULONG Overruns;
} SNAPSHOT, *PSNAPSHOT;

ULONG g_InterruptCount;

KSERVICE_ROUTINE FooIsr;
KSYNCHRONIZE_ROUTINE FooSyncSetMode;
KSYNCHRONIZE_ROUTINE FooSyncTakeRx;
KSYNCHRONIZE_ROUTINE FooSyncReset;
static VOID FooIsrLogStatus(PDEVICE_EXTENSION ext, ULONG status);
static VOID FooCountShared(PDEVICE_EXTENSION ext);
static VOID FooProgram(PDEVICE_EXTENSION ext, UCHAR lcr);

//===--------------------------------------------------------------------===//
// The ISR side
//===--------------------------------------------------------------------===//

BOOLEAN FooIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)ServiceContext;

    ext->RxCount++;
    ext->Pending |= 1;
    ext->Stats.Interrupts++;
    ext->Ring[ext->Head] = 0x55;
    ext->Head = (ext->Head + 1) % 64;
    ext->Late = 1;
    ext->Sampled++;
    ext->Snapshot = ext->RxCount;
    ext->Armed = 1;
    ext->Overruns++;
    ext->Mask = 0;
    ext->Lcr = 0;
    g_InterruptCount++;
    if (ext->Mode != 0 && ext->Config != 0) {
        FooIsrLogStatus(ext, 7);
    }
    FooCountShared(ext);
    InterlockedIncrement(&ext->Hits);
    IoRequestDpc(ext->Self, NULL, ext);
    return TRUE;
}

// A helper only the ISR calls: its write is at DIRQL too.
static VOID FooIsrLogStatus(PDEVICE_EXTENSION ext, ULONG status)
{
    ext->LastStatus = status;
}

// FIXME: called from the ISR and from the DPC, and the only code that
// writes Shared: the write is not surely at DIRQL, so it is not counted as
// the ISR's, and the race between the two callers is not reported.
static VOID FooCountShared(PDEVICE_EXTENSION ext)
{
    ext->Shared++;
}

BOOLEAN FooSyncSetMode(PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    ext->Mode = 2;
    FooProgram(ext, 3);
    return TRUE;
}

// Called from a SynchCritSection routine (DIRQL, interrupt spin lock held)
// and from FooStartDevice before the interrupt is connected: neither way
// in races with the ISR.
static VOID FooProgram(PDEVICE_EXTENSION ext, UCHAR lcr)
{
    ext->Lcr = lcr; // no-warning
}

BOOLEAN FooSyncTakeRx(PVOID Context)
{
    PSNAPSHOT snap = (PSNAPSHOT)Context;

    snap->RxCount = snap->Ext->RxCount;
    snap->Ext->RxCount = 0;
    // Overruns is touched outside the ISR only here, in the critical section.
    snap->Overruns = snap->Ext->Overruns; // no-warning
    snap->Ext->Overruns = 0;              // no-warning
    snap->Ext->Pending = 0;
    return TRUE;
}

BOOLEAN FooSyncReset(PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    ext->RxCount = 0;
    ext->Head = 0;
    return TRUE;
}

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// The DpcForIsr reads the ISR's counter directly instead of taking a
// snapshot in a SynchCritSection routine.
VOID FooDpcForIsr(PKDPC Dpc, PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    ISR_STATS stats;
    KIRQL irql;

    // CHECK: isr-shared-state.c:[[@LINE+5]]:9: warning: 'ext->RxCount' is read at DISPATCH_LEVEL without the interrupt spin lock, but 'FooIsr' writes it at DIRQL; read it in a SynchCritSection routine run by KeSynchronizeExecution, or under KeAcquireInterruptSpinLock [isr-shared-state]
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+207]]:5: note: 'FooDpcForIsr' is a DPC routine (registered by IoInitializeDpcRequest here), which runs at DISPATCH_LEVEL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-89]]:5: note: 'ext->RxCount' is written here at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-106]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+140]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    if (ext->RxCount != 0) {
        ext->DpcRuns++;
    }
    // A whole structure the ISR writes a field of.
    // CHECK: isr-shared-state.c:[[@LINE+5]]:13: warning: 'ext->Stats' is read at DISPATCH_LEVEL without the interrupt spin lock, but 'FooIsr' writes 'ext->Stats.Interrupts' at DIRQL; read it in a SynchCritSection routine run by KeSynchronizeExecution, or under KeAcquireInterruptSpinLock [isr-shared-state]
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+198]]:5: note: 'FooDpcForIsr' is a DPC routine (registered by IoInitializeDpcRequest here), which runs at DISPATCH_LEVEL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-96]]:5: note: 'ext->Stats.Interrupts' is written here at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-115]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+131]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    stats = ext->Stats;
    // The ISR writes the ring through a variable index.
    // CHECK: isr-shared-state.c:[[@LINE+5]]:9: warning: 'ext->Ring[0]' is read at DISPATCH_LEVEL without the interrupt spin lock, but 'FooIsr' writes 'ext->Ring[ext->Head]' at DIRQL; read it in a SynchCritSection routine run by KeSynchronizeExecution, or under KeAcquireInterruptSpinLock [isr-shared-state]
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+191]]:5: note: 'FooDpcForIsr' is a DPC routine (registered by IoInitializeDpcRequest here), which runs at DISPATCH_LEVEL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-102]]:5: note: 'ext->Ring[ext->Head]' is written here at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-122]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+124]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    if (ext->Ring[0] == 0x55) {
        ext->DpcRuns++;
    }
    // Written by a SynchCritSection routine only (the ISR reads it).
    // CHECK: isr-shared-state.c:[[@LINE+5]]:9: warning: 'ext->Mode' is read at DISPATCH_LEVEL without the interrupt spin lock, but 'FooSyncSetMode' writes it at DIRQL; read it in a SynchCritSection routine run by KeSynchronizeExecution, or under KeAcquireInterruptSpinLock [isr-shared-state]
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+182]]:5: note: 'FooDpcForIsr' is a DPC routine (registered by IoInitializeDpcRequest here), which runs at DISPATCH_LEVEL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-74]]:5: note: 'ext->Mode' is written here at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-130]]:22: note: 'FooSyncSetMode' is a SynchCritSection routine (declared as KSYNCHRONIZE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+84]]:9: note: 'FooSyncSetMode' is a SynchCritSection routine (registered by KeSynchronizeExecution here), which runs at DIRQL
    if (ext->Mode == 2) {
        ext->DpcRuns++;
    }
    FooCountShared(ext);
    // After the interrupt spin lock is released.
    irql = KeAcquireInterruptSpinLock(ext->Interrupt);
    ext->Late = 0;
    KeReleaseInterruptSpinLock(ext->Interrupt, irql);
    // CHECK: isr-shared-state.c:[[@LINE+5]]:5: warning: 'ext->Late' is written at DISPATCH_LEVEL without the interrupt spin lock, but 'FooIsr' writes it at DIRQL; write it in a SynchCritSection routine run by KeSynchronizeExecution, or under KeAcquireInterruptSpinLock [isr-shared-state]
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+169]]:5: note: 'FooDpcForIsr' is a DPC routine (registered by IoInitializeDpcRequest here), which runs at DISPATCH_LEVEL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-122]]:5: note: 'ext->Late' is written here at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-144]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+102]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    ext->Late = 2;
}

// A dispatch routine clears what the ISR sets: a lost update.
NTSTATUS FooDispatchReset(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    // CHECK: isr-shared-state.c:[[@LINE+5]]:5: warning: 'ext->Pending' is written at PASSIVE_LEVEL without the interrupt spin lock, but 'FooIsr' writes it at DIRQL; write it in a SynchCritSection routine run by KeSynchronizeExecution, or under KeAcquireInterruptSpinLock [isr-shared-state]
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+163]]:5: note: 'FooDispatchReset' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] here), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-139]]:5: note: 'ext->Pending' is written here at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-157]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+89]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    ext->Pending = 0;
    // CHECK: isr-shared-state.c:[[@LINE+5]]:33: warning: 'g_InterruptCount' is read at PASSIVE_LEVEL without the interrupt spin lock, but 'FooIsr' writes it at DIRQL; read it in a SynchCritSection routine run by KeSynchronizeExecution, or under KeAcquireInterruptSpinLock [isr-shared-state]
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+157]]:5: note: 'FooDispatchReset' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] here), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-134]]:5: note: 'g_InterruptCount' is written here at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-163]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+83]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    Irp->IoStatus.Information = g_InterruptCount;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// A work item reads what a helper of the ISR writes.
IO_WORKITEM_ROUTINE FooLogWorker;

VOID FooLogWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    // CHECK: isr-shared-state.c:[[@LINE+6]]:20: warning: 'ext->LastStatus' is read at PASSIVE_LEVEL without the interrupt spin lock, but 'FooIsrLogStatus' writes it at DIRQL; read it in a SynchCritSection routine run by KeSynchronizeExecution, or under KeAcquireInterruptSpinLock [isr-shared-state]
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-7]]:21: note: 'FooLogWorker' is a work item routine (declared as IO_WORKITEM_ROUTINE), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-139]]:5: note: 'ext->LastStatus' is written here at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-151]]:9: note: 'FooIsrLogStatus' is called with IRQL DIRQL from 'FooIsr' here
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-182]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+64]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    ext->DpcRuns = ext->LastStatus;
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// Through KeSynchronizeExecution: the SynchCritSection routine runs with
// the interrupt spin lock; its caller reads the snapshot from its own
// stack, which the ISR never touches.
KDEFERRED_ROUTINE FooTimerDpc;

VOID FooTimerDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    SNAPSHOT snap;
    KIRQL irql;
    ULONG sampled;

    snap.Ext = ext;
    snap.RxCount = 0;
    KeSynchronizeExecution(ext->Interrupt, FooSyncTakeRx, &snap);
    if (snap.RxCount != 0 || snap.Overruns != 0) { // no-warning
        ext->DpcRuns++;      // no-warning: a different field
    }
    // Under the interrupt spin lock (the IRQL is raised to DIRQL).
    irql = KeAcquireInterruptSpinLock(ext->Interrupt);
    sampled = ext->Sampled; // no-warning
    ext->Sampled = 0;       // no-warning
    KeReleaseInterruptSpinLock(ext->Interrupt, irql);
    // Interlocked operations are calls, atomic with respect to each other.
    if (InterlockedExchange(&ext->Hits, 0) > 10) { // no-warning
        KeSynchronizeExecution(ext->Interrupt, FooSyncSetMode, ext);
    }
}

// The ISR only reads Config: others may read and write it as they like.
NTSTATUS FooDispatchConfigure(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    ext->Config = 3; // no-warning
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// Initialization before the interrupt is connected: in AddDevice, in a
// helper called only before IoConnectInterrupt (from AddDevice and from
// the function that connects it), and in that function before the call.
static VOID FooResetCounters(PDEVICE_EXTENSION ext)
{
    ext->Head = 0;     // no-warning
    ext->Snapshot = 0; // no-warning
}

NTSTATUS FooStartDevice(PDEVICE_EXTENSION ext, ULONG vector, KIRQL irql, KAFFINITY affinity)
{
    NTSTATUS status;

    FooResetCounters(ext);
    ext->Armed = 0;    // no-warning
    FooProgram(ext, 3);
    status = IoConnectInterrupt(&ext->Interrupt, FooIsr, ext, NULL, vector, irql, irql,
                                LevelSensitive, TRUE, affinity, FALSE);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    // Connected: the ISR may run now. This write races with it...
    // CHECK: isr-shared-state.c:[[@LINE+6]]:5: warning: 'ext->Mask' is written at PASSIVE_LEVEL without the interrupt spin lock, but 'FooIsr' writes it at DIRQL; write it in a SynchCritSection routine run by KeSynchronizeExecution, or under KeAcquireInterruptSpinLock [isr-shared-state]
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+27]]:18: note: 'FooStartDevice' is called with IRQL PASSIVE_LEVEL from 'FooDispatchPnp' here
    // CHECK-NEXT: isr-shared-state.c:[[@LINE+65]]:5: note: 'FooDispatchPnp' is a dispatch routine (assigned to DriverObject->MajorFunction[IRP_MJ_PNP] here), which runs at PASSIVE_LEVEL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-230]]:5: note: 'ext->Mask' is written here at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-257]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    // CHECK-NEXT: isr-shared-state.c:[[@LINE-11]]:14: note: 'FooIsr' is an interrupt service routine (registered by IoConnectInterrupt here), which runs at DIRQL
    ext->Mask = 0xFF;
    // ...this one goes through the interrupt spin lock.
    KeSynchronizeExecution(ext->Interrupt, FooSyncReset, ext);
    return STATUS_SUCCESS;
}

// After IoDisconnectInterrupt no ISR runs.
VOID FooStopDevice(PDEVICE_EXTENSION ext)
{
    IoDisconnectInterrupt(ext->Interrupt);
    ext->Interrupt = NULL;
    ext->Armed = 0;    // no-warning
    ext->Head = 0;     // no-warning
}

NTSTATUS FooDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;

    if (sp->MinorFunction == IRP_MN_START_DEVICE) {
        status = FooStartDevice(ext, 0, 5, 1);
    } else if (sp->MinorFunction == IRP_MN_STOP_DEVICE) {
        FooStopDevice(ext);
    } else if (sp->MinorFunction == IRP_MN_REMOVE_DEVICE) {
        // FooStopDevice disconnected the interrupt on every path.
        FooStopDevice(ext);
        ext->Snapshot = 0; // no-warning
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

DRIVER_ADD_DEVICE FooAddDevice;

NTSTATUS FooAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    PDEVICE_EXTENSION ext;
    NTSTATUS status;

    status = IoCreateDevice(DriverObject, sizeof(DEVICE_EXTENSION), NULL,
                            FILE_DEVICE_UNKNOWN, 0, FALSE, &fdo);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    ext = fdo->DeviceExtension;
    ext->Self = fdo;
    ext->Armed = 0;        // no-warning
    FooResetCounters(ext);
    IoInitializeDpcRequest(fdo, FooDpcForIsr);
    KeInitializeDpc(&ext->TimerDpc, FooTimerDpc, ext);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = FooDispatchReset;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = FooDispatchConfigure;
    DriverObject->MajorFunction[IRP_MJ_PNP] = FooDispatchPnp;
    DriverObject->DriverExtension->AddDevice = FooAddDevice;
    return STATUS_SUCCESS;
}
