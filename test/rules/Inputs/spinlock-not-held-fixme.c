// spinlock-not-held: cases the tool gets wrong. Not run by lit (no RUN
// line; it lives under Inputs/). When a case is fixed, move it to
// ../spinlock-not-held.c.
//
// Reproduce: cd test/rules/Inputs && irqlcheck spinlock-not-held-fixme.c
// The "prints" lines below are that command's output for each function.
//
// A false positive on correct code.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    KSPIN_LOCK StatsLock;
    LIST_ENTRY Queue;
    ULONG Pending;
    ULONG Completed;
    BOOLEAN Stopping;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// FIXME: the try-acquire's result kept in a local and tested later.
// The tool prints:
//   spinlock-not-held-fixme.c:35:9: warning: releasing spin lock 'ext->StatsLock' that is not held [spinlock-not-held]
// It should print nothing: the release is under `if (locked)`.
KDEFERRED_ROUTINE FooLockedFlagDpc;

VOID FooLockedFlagDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    BOOLEAN locked;

    locked = KeTryToAcquireSpinLockAtDpcLevel(&ext->StatsLock);
    if (locked) {
        ext->Completed++;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    }
    ext->Pending = 0;
}
