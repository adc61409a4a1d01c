// spinlock-release-mismatch: cases the tool gets wrong. Not run by lit (no
// RUN line; it lives under Inputs/). When a case is fixed, move it to
// ../spinlock-release-mismatch.c.
//
// Reproduce: cd test/rules/Inputs && irqlcheck spinlock-release-mismatch-fixme.c
// The "prints" lines below are that command's output for each function.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    LIST_ENTRY Queue;
    ULONG Pending;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// FIXME: queued vs. classic, in the direction classic acquire -> queued
// release, is not reported. KeReleaseInStackQueuedSpinLock is given a
// handle that no acquire filled in while 'ext->Lock', taken with
// KeAcquireSpinLock, is held; the tool only reports the leak that follows.
// The wrong-handle check only looks at held locks that were taken through
// a handle.
// The tool prints:
//   spinlock-release-mismatch-fixme.c:42:5: warning: 'FooDispatchWrite' returns with spin lock 'ext->Lock' held [spinlock-leak]
//   spinlock-release-mismatch-fixme.c:37:5: note: spin lock 'ext->Lock' acquired here
// It should also print, at the KeReleaseInStackQueuedSpinLock call, a
// spinlock-release-mismatch finding such as
//   warning: 'KeReleaseInStackQueuedSpinLock' is given handle 'lockHandle', but spin lock 'ext->Lock' was acquired with 'KeAcquireSpinLock'; release it with 'KeReleaseSpinLock' [spinlock-release-mismatch]
//   note: spin lock 'ext->Lock' acquired here
DRIVER_DISPATCH FooDispatchWrite;

NTSTATUS FooDispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE lockHandle;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}

// FIXME (minor, message and evidence): a mismatch through a release
// wrapper names the wrapper as the release routine and gives no note for
// the release inside it, so the message reads as if 'FooUnlockFromDpc'
// were a DDI.
static VOID FooUnlockFromDpc(PDEVICE_EXTENSION ext)
{
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}

// The tool prints:
//   spinlock-release-mismatch-fixme.c:70:5: warning: spin lock 'ext->Lock' acquired with 'KeAcquireSpinLock' is released with 'FooUnlockFromDpc'; release it with 'KeReleaseSpinLock' [spinlock-release-mismatch]
//   spinlock-release-mismatch-fixme.c:68:5: note: spin lock 'ext->Lock' acquired here
// It should name the routine that really releases the lock and where:
//   warning: spin lock 'ext->Lock' acquired with 'KeAcquireSpinLock' is released with 'KeReleaseSpinLockFromDpcLevel' (through 'FooUnlockFromDpc'); release it with 'KeReleaseSpinLock' [spinlock-release-mismatch]
//   note: spin lock 'ext->Lock' acquired here
//   note: spin lock 'ext->Lock' released here          (the call in FooUnlockFromDpc)
DRIVER_DISPATCH FooDispatchClose;

NTSTATUS FooDispatchClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Pending = 0;
    FooUnlockFromDpc(ext);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
