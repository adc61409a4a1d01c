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

// FIXME: missed leak. `if (KeTryToAcquireSpinLockAtDpcLevel(...)) { ... }`
// as the last statement of a void function, with no release: the
// try-acquire is lost (same cause as the first case of
// spinlock-not-held-fixme.c: an implicit-return event is appended to the
// condition's block after the call).
// The tool prints:
//   (nothing)
// It should print, at the closing brace:
//   warning: 'FooPollDpc' returns with spin lock 'ext->StatsLock' held [spinlock-leak]
//   note: spin lock 'ext->StatsLock' acquired here        (the KeTryToAcquireSpinLockAtDpcLevel)
// ("may return" would also be acceptable for the closing brace, which the
// failed-try path reaches too.)
KDEFERRED_ROUTINE FooPollDpc;

VOID FooPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->StatsLock)) {
        ext->Completed += ext->Pending;
        ext->Pending = 0;
    }
}

// FIXME: false positive with __try/__finally. clang builds no CFG for the
// function, the fallback linearizes it, and the `return` inside __try is
// seen before the release in __finally, which runs on that path too.
// The tool prints:
//   spinlock-leak-fixme.c:59:13: warning: 'FooGuardedDpc' returns with spin lock 'ext->Lock' held [spinlock-leak]
//   spinlock-leak-fixme.c:56:5: note: spin lock 'ext->Lock' acquired here
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

// FIXME: wrong message. The closing brace is reached both by the `break`
// with the lock held and by the loop ending normally with it released, so
// the lock is held on only some paths to that return: the message should
// be "may return" (docs/rules/spinlock-leak.md). Each CFG block that falls
// into the exit gets its own return event at the closing brace, and the
// one from the `break` block says "returns".
// The tool prints:
//   spinlock-leak-fixme.c:93:1: warning: 'FooBreakDpc' returns with spin lock 'ext->Lock' held [spinlock-leak]
//   spinlock-leak-fixme.c:86:9: note: spin lock 'ext->Lock' acquired here
// It should print:
//   warning: 'FooBreakDpc' may return with spin lock 'ext->Lock' held [spinlock-leak]
//   note: spin lock 'ext->Lock' acquired here
KDEFERRED_ROUTINE FooBreakDpc;

VOID FooBreakDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    while (ext->Pending != 0) {
        KeAcquireSpinLockAtDpcLevel(&ext->Lock);
        if (ext->Stopping) {
            break;
        }
        ext->Pending--;
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    }
}

// FIXME: missing evidence. A cancel routine that releases the cancel spin
// lock on one branch only, with the paths joining before the end: the
// "may return" warning has no note at all, so nothing says why the cancel
// spin lock is held (when the lock is never released, the note is there:
// see FooCancel in ../spinlock-leak.c).
// The tool prints:
//   spinlock-leak-fixme.c:116:1: warning: 'FooCancel' may return with the cancel spin lock held [spinlock-leak]
// It should print, after the warning:
//   note: 'FooCancel' is a cancel routine (declared as DRIVER_CANCEL), which runs at DISPATCH_LEVEL, holding the cancel spin lock
DRIVER_CANCEL FooCancel;

VOID FooCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    if (ext->CurrentIrp != Irp) {
        RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
        IoReleaseCancelSpinLock(Irp->CancelIrql);
    }
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

// FIXME: wrong lock name. When the lock call is written through a driver
// macro, the lock is named after the macro ('LOCK_EXT') instead of the
// lock expression. Affects every lock rule's messages and notes.
#define LOCK_EXT(e, o) KeAcquireSpinLock(&(e)->Lock, (o))
#define UNLOCK_EXT(e, o) KeReleaseSpinLock(&(e)->Lock, (o))

// The tool prints:
//   spinlock-leak-fixme.c:139:9: warning: 'FooDispatchRead' returns with spin lock 'LOCK_EXT' held [spinlock-leak]
//   spinlock-leak-fixme.c:137:5: note: spin lock 'LOCK_EXT' acquired here
// It should name the lock 'ext->Lock' (or '(ext)->Lock'):
//   warning: 'FooDispatchRead' returns with spin lock 'ext->Lock' held [spinlock-leak]
//   note: spin lock 'ext->Lock' acquired here
DRIVER_DISPATCH FooDispatchRead;

NTSTATUS FooDispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    LOCK_EXT(ext, &oldIrql);
    if (ext->Stopping) {
        return STATUS_DELETE_PENDING;
    }
    InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    UNLOCK_EXT(ext, oldIrql);
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}
