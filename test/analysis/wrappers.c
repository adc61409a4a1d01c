// Lock and raise wrappers: a helper that returns holding a lock is an acquire
// wrapper; its effect is applied at each call, so pairing, leaks and double
// acquires are judged in the caller.
// RUN: not %irqlcheck --no-source %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    KIRQL OldIrql;
    LONG Count;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

static VOID AcquireDeviceLock(PDEVICE_EXTENSION Ext) { KeAcquireSpinLock(&Ext->Lock, &Ext->OldIrql); }
static VOID ReleaseDeviceLock(PDEVICE_EXTENSION Ext) { KeReleaseSpinLock(&Ext->Lock, Ext->OldIrql); }
static VOID AcquireLock(PKSPIN_LOCK Lock, PKIRQL Old) { KeAcquireSpinLock(Lock, Old); }
static VOID ReleaseLock(PKSPIN_LOCK Lock, KIRQL Old) { KeReleaseSpinLock(Lock, Old); }
static VOID RaiseToDispatch(PKIRQL Old) { KeRaiseIrql(DISPATCH_LEVEL, Old); }

DRIVER_DISPATCH PairedByWrappers;
NTSTATUS PairedByWrappers(PDEVICE_OBJECT D, PIRP Irp)   // no-warning
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    UNREFERENCED_PARAMETER(Irp);
    AcquireDeviceLock(ext);
    ext->Count++;
    ReleaseDeviceLock(ext);
    return STATUS_SUCCESS;
}

DRIVER_DISPATCH PairedThroughParameters;
NTSTATUS PairedThroughParameters(PDEVICE_OBJECT D, PIRP Irp)   // no-warning
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL old;
    UNREFERENCED_PARAMETER(Irp);
    AcquireLock(&ext->Lock, &old);
    ext->Count++;
    ReleaseLock(&ext->Lock, old);
    return STATUS_SUCCESS;
}

DRIVER_DISPATCH RaisedByHelper;
NTSTATUS RaisedByHelper(PDEVICE_OBJECT D, PIRP Irp)   // no-warning
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL old;
    UNREFERENCED_PARAMETER(Irp);
    RaiseToDispatch(&old);
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}

DRIVER_DISPATCH LeaksOnErrorPath;
NTSTATUS LeaksOnErrorPath(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    UNREFERENCED_PARAMETER(Irp);
    AcquireDeviceLock(ext);
    if (ext->Count < 0)
        // CHECK: wrappers.c:[[@LINE+2]]:9: warning: 'LeaksOnErrorPath' returns with spin lock 'Ext->Lock' held [spinlock-leak]
        // CHECK-NEXT: wrappers.c:[[@LINE-3]]:5: note: spin lock 'Ext->Lock' acquired here
        return STATUS_INVALID_DEVICE_STATE;
    ReleaseDeviceLock(ext);
    return STATUS_SUCCESS;
}

DRIVER_DISPATCH AcquiresTwice;
NTSTATUS AcquiresTwice(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL old;
    UNREFERENCED_PARAMETER(Irp);
    AcquireDeviceLock(ext);
    // CHECK: wrappers.c:[[@LINE+2]]:5: warning: acquiring spin lock 'ext->Lock' that is already held [spinlock-double-acquire]
    // CHECK-NEXT: wrappers.c:[[@LINE-2]]:5: note: spin lock 'ext->Lock' acquired here
    KeAcquireSpinLock(&ext->Lock, &old);
    // The path deadlocks above: what follows is not reported again.
    KeReleaseSpinLock(&ext->Lock, old);
    ReleaseDeviceLock(ext);
    return STATUS_SUCCESS;
}

KDEFERRED_ROUTINE WrongReleaseWrapper;
VOID WrongReleaseWrapper(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    PDEVICE_EXTENSION ext = Context;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    // CHECK: wrappers.c:[[@LINE+2]]:5: warning: spin lock 'ext->Lock' acquired with 'KeAcquireSpinLockAtDpcLevel' is released with 'ReleaseDeviceLock'; release it with 'KeReleaseSpinLockFromDpcLevel' [spinlock-release-mismatch]
    // CHECK-NEXT: wrappers.c:[[@LINE-2]]:5: note: spin lock 'ext->Lock' acquired here
    ReleaseDeviceLock(ext);
}
