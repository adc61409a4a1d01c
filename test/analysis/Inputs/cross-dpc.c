// The DPC and the dispatch routine; the helper they share is in
// cross-helper.c.
#include "cross.h"

KDEFERRED_ROUTINE CrossDpc;
VOID CrossDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    PCROSS_EXTENSION ext = Context;
    DrainFifo(ext);
}

DRIVER_DISPATCH CrossDispatch;
NTSTATUS CrossDispatch(PDEVICE_OBJECT D, PIRP Irp)
{
    PCROSS_EXTENSION ext = D->DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&ext->Lock, &old);
    LogState(ext);
    KeReleaseSpinLock(&ext->Lock, old);
    return STATUS_SUCCESS;
}
