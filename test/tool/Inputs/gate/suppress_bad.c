// Suppression comments irqlcheck cannot use: errors, exit 2; the findings
// are still reported (suppress.test).
#include <ntddk.h>
KSPIN_LOCK Lock;
KSERVICE_ROUTINE Isr;
BOOLEAN Isr(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    // irqlcheck-suppress(irql-too-hi): a misspelt rule suppresses nothing
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    // irqlcheck-suppress irql-too-high
    return TRUE;
}
// A stale one, far from any finding, is checked too:
// irqlcheck-suppress(spinlock-leak, no-such-rule)
