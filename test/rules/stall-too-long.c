// stall-too-long: KeStallExecutionProcessor for more than 100 microseconds at IRQL >= DISPATCH_LEVEL.
// RUN: not %irqlcheck --no-source --disable=isr-shared-state %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: %irqlcheck --disable=isr-shared-state,stall-too-long %s | count 0
// (isr-shared-state is off: this fixture's DPCs and dispatch routines touch
// fields its ISR or SynchCritSection routines write, which that rule reports;
// see test/rules/isr-shared-state.c.)
//
// CHECK lines expect every finding. The file has no finding of another
// rule, so with this rule disabled the tool prints nothing and exits 0.

#include <ntddk.h>

#define FOO_RESET_STALL_US      250
#define FOO_TURNAROUND_US       50

typedef struct _DEVICE_EXTENSION {
    PDEVICE_OBJECT Self;
    PKINTERRUPT Interrupt;
    KSPIN_LOCK Lock;
    KDPC TimerDpc;
    PUCHAR Port;
    ULONG Pending;
    ULONG StallUs;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// Seed "Guidelines for writing DPC routines": a DPC routine that calls
// KeStallExecutionProcessor must not stall for more than 100 microseconds.
// The reference driver's seeded defect: 500 for an RS-485 turnaround.
KDEFERRED_ROUTINE FooTxDoneDpc;

VOID FooTxDoneDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    WRITE_PORT_UCHAR(ext->Port, 0);
    // CHECK: stall-too-long.c:[[@LINE+2]]:5: warning: 'KeStallExecutionProcessor' stalls the processor for 500 microseconds, but IRQL may be DISPATCH_LEVEL here, where at most 100 are allowed; finish the work later in a timer DPC [stall-too-long]
    // CHECK-NEXT: stall-too-long.c:[[@LINE-8]]:19: note: 'FooTxDoneDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    KeStallExecutionProcessor(500);
    WRITE_PORT_UCHAR(ext->Port, 1);
}

// An ISR runs at DIRQL, above DISPATCH_LEVEL: the limit holds there too.
KSERVICE_ROUTINE FooIsr;

BOOLEAN FooIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)ServiceContext;

    WRITE_PORT_UCHAR(ext->Port, 0x80);
    // CHECK: stall-too-long.c:[[@LINE+2]]:5: warning: 'KeStallExecutionProcessor' stalls the processor for 200 microseconds, but IRQL may be DIRQL here, where at most 100 are allowed; finish the work later in a timer DPC [stall-too-long]
    // CHECK-NEXT: stall-too-long.c:[[@LINE-8]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    KeStallExecutionProcessor(200);
    ext->Pending++;
    return TRUE;
}

// A SynchCritSection routine (DIRQL, registered by KeSynchronizeExecution)
// with the stall in a macro.
BOOLEAN FooSynchResetFifo(PVOID SynchronizeContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)SynchronizeContext;

    WRITE_PORT_UCHAR(ext->Port, 0x06);
    // CHECK: stall-too-long.c:[[@LINE+2]]:5: warning: 'KeStallExecutionProcessor' stalls the processor for 250 microseconds, but IRQL may be DIRQL here, where at most 100 are allowed; finish the work later in a timer DPC [stall-too-long]
    // CHECK-NEXT: stall-too-long.c:[[@LINE+34]]:5: note: 'FooSynchResetFifo' is a SynchCritSection routine (registered by KeSynchronizeExecution here), which runs at DIRQL
    KeStallExecutionProcessor(FOO_RESET_STALL_US);
    return TRUE;
}

// A helper with no role, called from a timer DPC registered with
// KeInitializeDpc; the stall is a local variable holding a constant.
static VOID FooPulseLine(PDEVICE_EXTENSION ext)
{
    ULONG pulseUs = 150;

    WRITE_PORT_UCHAR(ext->Port, 1);
    // CHECK: stall-too-long.c:[[@LINE+3]]:5: warning: 'KeStallExecutionProcessor' stalls the processor for 150 microseconds, but IRQL may be DISPATCH_LEVEL here, where at most 100 are allowed; finish the work later in a timer DPC [stall-too-long]
    // CHECK-NEXT: stall-too-long.c:[[@LINE+10]]:5: note: 'FooPulseLine' is called with IRQL DISPATCH_LEVEL from 'FooTimerDpc' here
    // CHECK-NEXT: stall-too-long.c:[[@LINE+125]]:5: note: 'FooTimerDpc' is a DPC routine (registered by KeInitializeDpc here), which runs at DISPATCH_LEVEL
    KeStallExecutionProcessor(pulseUs);
    WRITE_PORT_UCHAR(ext->Port, 0);
}

VOID FooTimerDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    FooPulseLine(ext);
}

// A dispatch routine runs at PASSIVE_LEVEL, but holds a spin lock here.
DRIVER_DISPATCH FooDispatchReset;

NTSTATUS FooDispatchReset(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    KeSynchronizeExecution(ext->Interrupt, FooSynchResetFifo, ext);
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    WRITE_PORT_UCHAR(ext->Port, 0xFF);
    // CHECK: stall-too-long.c:[[@LINE+2]]:5: warning: 'KeStallExecutionProcessor' stalls the processor for 1000 microseconds, but IRQL may be DISPATCH_LEVEL here, where at most 100 are allowed; finish the work later in a timer DPC [stall-too-long]
    // CHECK-NEXT: stall-too-long.c:[[@LINE-3]]:5: note: IRQL raised to DISPATCH_LEVEL here
    KeStallExecutionProcessor(1000);
    KeReleaseSpinLock(&ext->Lock, oldIrql);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// The reference driver's fix: 50 microseconds, and exactly the limit.
KDEFERRED_ROUTINE FooTurnaroundDpc;

VOID FooTurnaroundDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    ULONG limitUs = 100;

    KeStallExecutionProcessor(FOO_TURNAROUND_US); // no-warning
    WRITE_PORT_UCHAR(ext->Port, 0);
    KeStallExecutionProcessor(limitUs); // no-warning
    KeStallExecutionProcessor(2); // no-warning
}

// A helper that stalls long, called only at PASSIVE_LEVEL.
static VOID FooPowerUpDelay(PDEVICE_EXTENSION ext)
{
    WRITE_PORT_UCHAR(ext->Port, 0x01);
    KeStallExecutionProcessor(500); // no-warning
}

// PASSIVE_LEVEL: long stalls are wasteful but allowed; after the lock is
// released too.
DRIVER_DISPATCH FooDispatchCreate;

NTSTATUS FooDispatchCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    FooPowerUpDelay(ext);
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Pending = 0;
    KeStallExecutionProcessor(20); // no-warning
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    KeStallExecutionProcessor(500); // no-warning

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// The stall is long only on a path where the IRQL is below DISPATCH_LEVEL.
static VOID FooSettle(PDEVICE_EXTENSION ext)
{
    if (KeGetCurrentIrql() < DISPATCH_LEVEL) {
        KeStallExecutionProcessor(400); // no-warning
    } else {
        KeStallExecutionProcessor(40); // no-warning
    }
}

KDEFERRED_ROUTINE FooSettleDpc;

VOID FooSettleDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    FooSettle((PDEVICE_EXTENSION)Context);
}

// A value the analysis cannot see is not judged (here it comes from the
// device extension); one reassigned on a path is not known either.
KDEFERRED_ROUTINE FooConfiguredDpc;

VOID FooConfiguredDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    ULONG us = 500;

    KeStallExecutionProcessor(ext->StallUs); // no-warning
    if (ext->Pending) {
        us = ext->StallUs;
    }
    KeStallExecutionProcessor(us); // no-warning
}

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
    KeInitializeDpc(&ext->TimerDpc, FooTimerDpc, ext);
    return STATUS_SUCCESS;
}
