// A DPC that takes a lock through AcquireIt (defined in b.c) and returns
// without releasing it: a leak that only the two files together show.
#include <ntddk.h>

VOID AcquireIt(PKSPIN_LOCK Lock, PKIRQL Old);

KSPIN_LOCK DeviceLock;

KDEFERRED_ROUTINE MyDpc;
VOID MyDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    AcquireIt(&DeviceLock, &old);
}
