#include <ntddk.h>
KSPIN_LOCK Lock;
KSERVICE_ROUTINE Isr;
KSERVICE_ROUTINE OtherIsr;
BOOLEAN Isr(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
BOOLEAN OtherIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
