// c.c: a different include block, parsed from scratch.
#include "drv.h"
#include <ntstrsafe.h>

VOID CUnderLock(VOID)
{
    KIRQL Old;
    KeAcquireSpinLock(&DrvLock, &Old);
    PassiveOnly();
    KeReleaseSpinLock(&DrvLock, Old);
}
