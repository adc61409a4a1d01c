// goto-heavy cleanup code: the lock is released on every path through the
// common exit label (clean), except in the variant that jumps past it.
// RUN: not %irqlcheck %s 2>&1 | FileCheck %s --implicit-check-not=warning:

#include <ntddk.h>

typedef struct _EXT { KSPIN_LOCK Lock; ULONG State; PVOID Buffer; } EXT, *PEXT;

DRIVER_DISPATCH GotoDispatch;

NTSTATUS GotoDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PEXT ext = (PEXT)DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL old;

    ext->Buffer = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'otoG');
    if (ext->Buffer == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto done;
    }
    KeAcquireSpinLock(&ext->Lock, &old);
    if (ext->State == 1) {
        status = STATUS_DEVICE_BUSY;
        goto unlock;
    }
    if (ext->State == 2)
        goto unlock;
    ext->State = 1;
unlock:
    KeReleaseSpinLock(&ext->Lock, old);
done:
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

DRIVER_DISPATCH GotoLeak;

NTSTATUS GotoLeak(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PEXT ext = (PEXT)DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL old;

    KeAcquireSpinLock(&ext->Lock, &old);
    if (ext->State == 1) {
        status = STATUS_DEVICE_BUSY;
        goto done;   // skips the release
    }
    KeReleaseSpinLock(&ext->Lock, old);
done:
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    // CHECK: goto-cleanup.c:[[@LINE+1]]:5: warning: 'GotoLeak' may return with spin lock 'ext->Lock' held [spinlock-leak]
    return status;
}
