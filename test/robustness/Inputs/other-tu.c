#include <ntddk.h>

DRIVER_DISPATCH OtherDispatch;

NTSTATUS OtherDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKSPIN_LOCK lock = (PKSPIN_LOCK)DeviceObject->DeviceExtension;
    KeAcquireSpinLockAtDpcLevel(lock);
    KeReleaseSpinLockFromDpcLevel(lock);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
