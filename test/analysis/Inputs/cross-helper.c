// Helpers with no role of their own: fine or not depending on the file
// that calls them.
#include "cross.h"

// Called from the DPC only: the AtDpcLevel routines are right.
VOID DrainFifo(PCROSS_EXTENSION Ext)
{
    KeAcquireSpinLockAtDpcLevel(&Ext->FifoLock);
    Ext->Count = 0;
    KeReleaseSpinLockFromDpcLevel(&Ext->FifoLock);
}

// Called with the device lock held: it may neither wait nor take it again.
VOID LogState(PCROSS_EXTENSION Ext)
{
    KIRQL old;
    ZwClose(Ext->Log);
    KeAcquireSpinLock(&Ext->Lock, &old);
    KeReleaseSpinLock(&Ext->Lock, old);
}
