// a.c: one comment above the include block.
#include "drv.h"

VOID APassive(VOID);
#pragma alloc_text(PAGE, APassive)

KSPIN_LOCK DrvLock;

VOID APassive(VOID)
{
    PAGED_CODE();
    PassiveOnly();
}

_IRQL_requires_(PASSIVE_LEVEL)
VOID ACallsDispatchOnly(VOID)
{
    AtDispatchOnly();
}

VOID AUnderLock(VOID)
{
    KIRQL Old;
    KeAcquireSpinLock(&DrvLock, &Old);
    PassiveOnly();
    PageableInline();
    KeReleaseSpinLock(&DrvLock, Old);
}
