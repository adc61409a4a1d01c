/* isr.c - the ISR of the CMake example, with one defect for irqlcheck. */
#include "sample.h"

/* BUG: an ISR runs at DIRQL; KeAcquireSpinLock may only be called at
 * IRQL <= DISPATCH_LEVEL (an ISR synchronizes with KeAcquireInterruptSpinLock
 * or KeSynchronizeExecution). */
_Use_decl_annotations_
BOOLEAN SampleIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    PSAMPLE_EXTENSION ext = Context;
    KIRQL oldIrql;

    UNREFERENCED_PARAMETER(Interrupt);
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Count++;
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    return TRUE;
}
