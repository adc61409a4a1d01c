// Its only finding is suppressed: exit 0 (suppress.test).
#include <ntddk.h>
KSPIN_LOCK Lock;
KSERVICE_ROUTINE Isr;
BOOLEAN Isr(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    // irqlcheck-suppress(irql-too-high): the ISR of a device that shares no data
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
