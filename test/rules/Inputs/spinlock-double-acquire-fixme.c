// spinlock-double-acquire: cases the tool gets wrong. Not run by lit (no
// RUN line; it lives under Inputs/). When a case is fixed, move it to
// ../spinlock-double-acquire.c.
//
// Reproduce: cd test/rules/Inputs && irqlcheck spinlock-double-acquire-fixme.c
// The "prints" lines below are that command's output for each function.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    LIST_ENTRY Queue;
    ULONG Pending;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// A helper that takes and releases the queue lock itself.
static VOID FooBumpPending(PDEVICE_EXTENSION ext)
{
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Pending++;
    KeReleaseSpinLock(&ext->Lock, oldIrql);
}

// FIXME: calling, with the lock held, a helper that takes and releases the
// same lock is not reported: the self-deadlock the rule page calls "the
// most common way to self-deadlock". The page lists it as a known
// limitation, but the tool already applies callee summaries (a helper that
// only acquires, like FooLockStats in ../spinlock-double-acquire.c, is
// reported at the call), so the acquire-then-release helper is the
// inconsistent case: its net effect on the lock is nothing, and the locks
// held by the caller are not checked against the acquires inside it.
// The tool prints:
//   (nothing)
// It should print, at the FooBumpPending call:
//   warning: acquiring spin lock 'ext->Lock' that is already held [spinlock-double-acquire]
//   note: spin lock 'ext->Lock' acquired here        (the KeAcquireSpinLockAtDpcLevel above the call)
//   (ideally with a note at the KeAcquireSpinLock inside FooBumpPending)
KDEFERRED_ROUTINE FooDpc;

VOID FooDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PLIST_ENTRY entry;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    if (!IsListEmpty(&ext->Queue)) {
        entry = RemoveHeadList(&ext->Queue);
        FooBumpPending(ext);
    }
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}
