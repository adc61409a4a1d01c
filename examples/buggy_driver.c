/*
 * buggy_driver.c - a small WDM driver with the IRQL and spin lock mistakes
 * irqlcheck exists to catch. `scripts/quickstart.sh` runs irqlcheck on it;
 * each defect is marked BUG below. The clean, complete driver irqlcheck is
 * checked against is test/reference-driver/.
 */
#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK QueueLock;
    LIST_ENTRY PendingIrps;
    KDPC CompletionDpc;
    KDPC ThreadedDpc;
    PKINTERRUPT Interrupt;
    ULONG InterruptCount;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH BuggyRead;
KSERVICE_ROUTINE BuggyIsr;
KDEFERRED_ROUTINE BuggyCompletionDpc;
KDEFERRED_ROUTINE BuggyThreadedDpc;

/* BUG: a dispatch routine runs at PASSIVE_LEVEL; the AtDpcLevel routines
 * must only be called at DISPATCH_LEVEL. */
_Use_decl_annotations_
NTSTATUS BuggyRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    InsertTailList(&ext->PendingIrps, &Irp->Tail.Overlay.ListEntry);
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}

/* BUG: an ISR runs at DIRQL; KeAcquireSpinLock may only be called at
 * IRQL <= DISPATCH_LEVEL. */
_Use_decl_annotations_
BOOLEAN BuggyIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    PDEVICE_EXTENSION ext = Context;
    KIRQL oldIrql;

    UNREFERENCED_PARAMETER(Interrupt);
    KeAcquireSpinLock(&ext->QueueLock, &oldIrql);
    ext->InterruptCount++;
    KeReleaseSpinLock(&ext->QueueLock, oldIrql);
    KeInsertQueueDpc(&ext->CompletionDpc, NULL, NULL);
    return TRUE;
}

/* BUG: the lock is taken with KeAcquireSpinLock but released with
 * KeReleaseSpinLockFromDpcLevel, which does not restore the IRQL; and the
 * early return leaves the lock held. */
_Use_decl_annotations_
VOID BuggyCompletionDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = Context;
    PLIST_ENTRY entry;
    KIRQL oldIrql;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    KeAcquireSpinLock(&ext->QueueLock, &oldIrql);
    if (IsListEmpty(&ext->PendingIrps)) {
        return;
    }
    entry = RemoveHeadList(&ext->PendingIrps);
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
    IoCompleteRequest(CONTAINING_RECORD(entry, IRP, Tail.Overlay.ListEntry),
                      IO_NO_INCREMENT);
}

/* BUG: a threaded DPC may run at PASSIVE_LEVEL: it must use the ForDpc
 * routines, not the AtDpcLevel ones. */
_Use_decl_annotations_
VOID BuggyThreadedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = Context;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    ext->InterruptCount = 0;
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
}

static VOID InitializeExtension(PDEVICE_EXTENSION ext)
{
    KeInitializeSpinLock(&ext->QueueLock);
    InitializeListHead(&ext->PendingIrps);
    KeInitializeDpc(&ext->CompletionDpc, BuggyCompletionDpc, ext);
    KeInitializeThreadedDpc(&ext->ThreadedDpc, BuggyThreadedDpc, ext);
}

_Use_decl_annotations_
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT device;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(DEVICE_EXTENSION), NULL,
                            FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    InitializeExtension(device->DeviceExtension);
    DriverObject->MajorFunction[IRP_MJ_READ] = BuggyRead;
    return STATUS_SUCCESS;
}
