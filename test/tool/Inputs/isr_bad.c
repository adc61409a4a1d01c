#include <ntddk.h>
KSPIN_LOCK DeviceLock;
KSERVICE_ROUTINE Isr;
BOOLEAN Isr(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    KeAcquireSpinLock(&DeviceLock, &old);
    KeReleaseSpinLock(&DeviceLock, old);
    return TRUE;
}
