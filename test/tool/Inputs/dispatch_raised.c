#include <ntddk.h>
typedef struct _DEVICE_EXTENSION { KSPIN_LOCK Lock; } DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_DISPATCH GoodDispatch;
NTSTATUS GoodDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL old;
    UNREFERENCED_PARAMETER(Irp);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}
