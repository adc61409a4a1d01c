// spinlock-leak: cases the tool gets wrong. Not run by lit (no RUN line; it
// lives under Inputs/). When a case is fixed, move it to ../spinlock-leak.c.
//
// Reproduce: cd test/rules/Inputs && irqlcheck spinlock-leak-fixme.c
// The "prints" lines below are that command's output for each function.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    KSPIN_LOCK StatsLock;
    LIST_ENTRY Queue;
    PIRP CurrentIrp;
    ULONG Pending;
    ULONG Completed;
    BOOLEAN Stopping;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// FIXME: false positive with __try/__finally. clang builds no CFG for the
// function, the fallback linearizes it, and the `return` inside __try is
// seen before the release in __finally, which runs on that path too.
// The tool prints:
//   spinlock-leak-fixme.c:35:13: warning: 'FooGuardedDpc' returns with spin lock 'ext->Lock' held [spinlock-leak]
//   spinlock-leak-fixme.c:32:5: note: spin lock 'ext->Lock' acquired here
// It should print nothing.
KDEFERRED_ROUTINE FooGuardedDpc;

VOID FooGuardedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    __try {
        if (ext->Stopping) {
            return;
        }
        ext->Pending = 0;
    } __finally {
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    }
}
