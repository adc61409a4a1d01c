// A lock-acquire wrapper: its callers return holding the lock.
#include <ntddk.h>

VOID AcquireIt(PKSPIN_LOCK Lock, PKIRQL Old)
{
    KeAcquireSpinLock(Lock, Old);
}
