#include <ntddk.h>
typedef struct _DEVICE_EXTENSION { KSPIN_LOCK Lock; } DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_DISPATCH BadDispatch;
NTSTATUS BadDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    UNREFERENCED_PARAMETER(Irp);
#ifndef FIXED
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
#else
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    KeLowerIrql(old);
#endif
    return STATUS_SUCCESS;
}
