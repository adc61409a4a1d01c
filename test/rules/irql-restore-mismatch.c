// irql-restore-mismatch: the IRQL lowered, or a lock released, with an
// old-IRQL value that did not come from the matching raise or acquire.
// RUN: not %irqlcheck --no-source --enable=irql-restore-mismatch %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK ReadLock;
    KSPIN_LOCK WriteLock;
    KIRQL LockIrql;
    LONG Pending;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

//===--- Findings

// Two nested locks released with each other's saved IRQL.
DRIVER_DISPATCH FooDispatchSwap;
NTSTATUS FooDispatchSwap(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL readIrql, writeIrql;
    KeAcquireSpinLock(&ext->ReadLock, &readIrql);
    KeAcquireSpinLock(&ext->WriteLock, &writeIrql);
    ext->Pending++;
    KeReleaseSpinLock(&ext->WriteLock, readIrql);   // BAD
    KeReleaseSpinLock(&ext->ReadLock, writeIrql);   // BAD
    return STATUS_SUCCESS;
}

// A cancel routine releases the device lock with the cancel lock's IRQL.
DRIVER_CANCEL FooCancel;
VOID FooCancel(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL old;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&ext->ReadLock, &old);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->ReadLock, Irp->CancelIrql);   // BAD
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

// A raise ended with the IRQL an earlier lock saved.
DRIVER_DISPATCH FooDispatchWatchdog;
NTSTATUS FooDispatchWatchdog(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL lockIrql, raiseIrql;
    KeAcquireSpinLock(&ext->ReadLock, &lockIrql);
    ext->Pending = 0;
    KeReleaseSpinLock(&ext->ReadLock, lockIrql);
    KeRaiseIrql(DISPATCH_LEVEL, &raiseIrql);
    ext->Pending = 1;
    KeLowerIrql(lockIrql);                          // BAD
    return STATUS_SUCCESS;
}

// The saved IRQL kept in the device extension, released with a local.
DRIVER_DISPATCH FooDispatchField;
NTSTATUS FooDispatchField(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL old = PASSIVE_LEVEL;
    KeAcquireSpinLock(&ext->WriteLock, &ext->LockIrql);
    ext->Pending--;
    KeReleaseSpinLock(&ext->WriteLock, old);        // BAD
    return STATUS_SUCCESS;
}

//===--- Clean look-alikes

// Nested locks, each released with its own saved IRQL.
DRIVER_DISPATCH FooDispatchNested;
NTSTATUS FooDispatchNested(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL readIrql, writeIrql;
    KeAcquireSpinLock(&ext->ReadLock, &readIrql);
    KeAcquireSpinLock(&ext->WriteLock, &writeIrql);
    ext->Pending++;
    KeReleaseSpinLock(&ext->WriteLock, writeIrql);
    KeReleaseSpinLock(&ext->ReadLock, readIrql);
    return STATUS_SUCCESS;
}

// The saved IRQL kept in the device extension, released with it.
DRIVER_DISPATCH FooDispatchFieldClean;
NTSTATUS FooDispatchFieldClean(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KeAcquireSpinLock(&ext->WriteLock, &ext->LockIrql);
    ext->Pending--;
    KeReleaseSpinLock(&ext->WriteLock, ext->LockIrql);
    return STATUS_SUCCESS;
}

// A raise ended with its own saved IRQL, after a lock was done with.
DRIVER_DISPATCH FooDispatchRaise;
NTSTATUS FooDispatchRaise(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL lockIrql, raiseIrql;
    KeAcquireSpinLock(&ext->ReadLock, &lockIrql);
    KeReleaseSpinLock(&ext->ReadLock, lockIrql);
    KeRaiseIrql(DISPATCH_LEVEL, &raiseIrql);
    KeLowerIrql(raiseIrql);
    return STATUS_SUCCESS;
}

// The cancel routine done right: the cancel lock with its IRQL, the device
// lock with its own.
DRIVER_CANCEL FooCancelClean;
VOID FooCancelClean(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL old;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&ext->ReadLock, &old);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLock(&ext->ReadLock, old);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

// One variable reused for two locks taken one after the other.
DRIVER_DISPATCH FooDispatchReuse;
NTSTATUS FooDispatchReuse(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&ext->ReadLock, &old);
    KeReleaseSpinLock(&ext->ReadLock, old);
    KeAcquireSpinLock(&ext->WriteLock, &old);
    KeReleaseSpinLock(&ext->WriteLock, old);
    return STATUS_SUCCESS;
}

// Expected findings (line numbers refer to the code above).
// CHECK: {{^.*}}irql-restore-mismatch.c:24:5: warning: 'KeReleaseSpinLock' restores the IRQL in 'readIrql', but the acquire of spin lock 'ext->WriteLock' saved it in 'writeIrql' [irql-restore-mismatch]
// CHECK-NEXT: {{^.*}}irql-restore-mismatch.c:22:5: note: spin lock 'ext->WriteLock' acquired here, saving the IRQL to restore
// CHECK: {{^.*}}irql-restore-mismatch.c:25:5: warning: 'KeReleaseSpinLock' restores the IRQL in 'writeIrql', but the acquire of spin lock 'ext->ReadLock' saved it in 'readIrql' [irql-restore-mismatch]
// CHECK-NEXT: {{^.*}}irql-restore-mismatch.c:21:5: note: spin lock 'ext->ReadLock' acquired here, saving the IRQL to restore
// CHECK: {{^.*}}irql-restore-mismatch.c:38:5: warning: 'KeReleaseSpinLock' restores the IRQL in 'Irp->CancelIrql', but the acquire of spin lock 'ext->ReadLock' saved it in 'old' [irql-restore-mismatch]
// CHECK-NEXT: {{^.*}}irql-restore-mismatch.c:36:5: note: spin lock 'ext->ReadLock' acquired here, saving the IRQL to restore
// CHECK: {{^.*}}irql-restore-mismatch.c:53:5: warning: 'KeLowerIrql' restores 'lockIrql', the IRQL saved by the acquire of spin lock 'ext->ReadLock', not by a raise [irql-restore-mismatch]
// CHECK-NEXT: {{^.*}}irql-restore-mismatch.c:48:5: note: 'lockIrql' saved here
// CHECK: {{^.*}}irql-restore-mismatch.c:65:5: warning: 'KeReleaseSpinLock' restores the IRQL in 'old', but the acquire of spin lock 'ext->WriteLock' saved it in '_DEVICE_EXTENSION::LockIrql' [irql-restore-mismatch]
// CHECK-NEXT: {{^.*}}irql-restore-mismatch.c:63:5: note: spin lock 'ext->WriteLock' acquired here, saving the IRQL to restore
