// spinlock-not-held: cases the tool gets wrong. Not run by lit (no RUN
// line; it lives under Inputs/). When a case is fixed, move it to
// ../spinlock-not-held.c.
//
// Reproduce: cd test/rules/Inputs && irqlcheck spinlock-not-held-fixme.c
// The "prints" lines below are that command's output for each function.
//
// All five are false positives on correct code.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    KSPIN_LOCK StatsLock;
    LIST_ENTRY Queue;
    ULONG Pending;
    ULONG Completed;
    BOOLEAN Stopping;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// FIXME: `if (KeTryToAcquireSpinLockAtDpcLevel(...)) { ...; release; }` as
// the last statement of a void function: the try-acquire is lost. The
// block that holds the condition also falls through to the function's end,
// so the extractor appends an implicit-return event after the call and the
// "last event of the block is the branch call" test fails. The same code
// followed by any statement is handled (see FooPollDpc in
// ../spinlock-leak.c, FooFixedPollDpc in ../spinlock-not-held.c).
// The tool prints:
//   spinlock-not-held-fixme.c:40:9: warning: releasing spin lock 'ext->StatsLock' that is not held [spinlock-not-held]
// It should print nothing.
KDEFERRED_ROUTINE FooPollDpc;

VOID FooPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->StatsLock)) {
        ext->Completed += ext->Pending;
        ext->Pending = 0;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    }
}

// FIXME: the try-acquire's result kept in a local and tested later.
// The tool prints:
//   spinlock-not-held-fixme.c:58:9: warning: releasing spin lock 'ext->StatsLock' that is not held [spinlock-not-held]
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

// FIXME: the try-acquire compared with FALSE / TRUE instead of tested
// directly.
// The tool prints:
//   spinlock-not-held-fixme.c:77:9: warning: releasing spin lock 'ext->StatsLock' that is not held [spinlock-not-held]
//   spinlock-not-held-fixme.c:84:5: warning: releasing spin lock 'ext->Lock' that is not held [spinlock-not-held]
// It should print nothing: both releases follow a successful try.
KDEFERRED_ROUTINE FooCompareDpc;

VOID FooCompareDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->StatsLock) == TRUE) {
        ext->Completed++;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    }
    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->Lock) == FALSE) {
        KeInsertQueueDpc(Dpc, NULL, NULL);
        return;
    }
    ext->Pending = 0;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}

// FIXME: the try-acquire as the right operand of &&.
// The tool prints:
//   spinlock-not-held-fixme.c:100:9: warning: releasing spin lock 'ext->Lock' that is not held [spinlock-not-held]
// It should print nothing: the release is reached only when the try
// succeeded.
KDEFERRED_ROUTINE FooStoppingDpc;

VOID FooStoppingDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (!ext->Stopping && KeTryToAcquireSpinLockAtDpcLevel(&ext->Lock)) {
        ext->Pending = 0;
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    }
    ext->Completed = 0;
}

// FIXME: one KLOCK_QUEUE_HANDLE variable reused for a second lock after
// the first was released. The release through the handle is resolved to
// the first lock that was ever taken with it (ext->Lock, already free)
// instead of the one it now holds (ext->StatsLock): a false "not held" and
// a false spinlock-leak.
// The tool prints:
//   spinlock-not-held-fixme.c:129:5: warning: releasing queued spin lock 'ext->Lock' that is not held [spinlock-not-held]
//   spinlock-not-held-fixme.c:125:5: note: queued spin lock 'ext->Lock' released here
//   spinlock-not-held-fixme.c:133:5: warning: 'FooDispatchFlush' returns with queued spin lock 'ext->StatsLock' held [spinlock-leak]
//   spinlock-not-held-fixme.c:127:5: note: queued spin lock 'ext->StatsLock' acquired here
// It should print nothing.
DRIVER_DISPATCH FooDispatchFlush;

NTSTATUS FooDispatchFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE lockHandle;

    KeAcquireInStackQueuedSpinLock(&ext->Lock, &lockHandle);
    ext->Pending = 0;
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    KeAcquireInStackQueuedSpinLock(&ext->StatsLock, &lockHandle);
    ext->Completed = 0;
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
