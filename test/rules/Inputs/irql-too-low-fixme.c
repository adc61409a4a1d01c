// irql-too-low: cases the tool gets wrong. Not run by lit (no RUN line; it
// lives under Inputs/). When a case is fixed, move it to ../irql-too-low.c.
//
// Reproduce: cd test/rules/Inputs && irqlcheck irql-too-low-fixme.c
// The "prints" lines below are that command's output for each function.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    PDEVICE_OBJECT Self;
    KSPIN_LOCK Lock;
    KSPIN_LOCK StatsLock;
    KDPC ThreadedDpc;
    ULONG Pending;
    ULONG Completed;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// FIXME: the IRQL read into a local first (`irql = KeGetCurrentIrql();`)
// and then tested is not followed. Correct code is reported.
// The tool prints:
//   irql-too-low-fixme.c:33:9: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
//   irql-too-low-fixme.c:71:5: note: 'FooLocalIrqlComplete' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
//   irql-too-low-fixme.c:35:9: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
//   irql-too-low-fixme.c:71:5: note: 'FooLocalIrqlComplete' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
// It should print nothing: both calls are under `irql == DISPATCH_LEVEL`.
NTSTATUS FooLocalIrqlComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL irql = KeGetCurrentIrql();
    KIRQL oldIrql;

    if (irql == DISPATCH_LEVEL) {
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
        ext->Completed++;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    } else {
        KeAcquireSpinLock(&ext->StatsLock, &oldIrql);
        ext->Completed++;
        KeReleaseSpinLock(&ext->StatsLock, oldIrql);
    }
    return STATUS_CONTINUE_COMPLETION;
}

// FIXME: the IRQL of a helper without a role is not taken from its call
// sites (SPEC section 5: "otherwise the IRQLs of the call sites that reach
// it"; docs/rules/irql-too-low.md lists it as a known limitation). Seed
// "Synchronization and threaded DPCs" through one call: FooResetLocked is
// only called from a CustomThreadedDpc routine, which may run at
// PASSIVE_LEVEL.
// The tool prints:
//   (nothing)
// It should print, at both calls in FooResetLocked:
//   warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
//   note: 'FooThreadedDpc' is a threaded DPC routine (registered by KeInitializeThreadedDpc here), which runs at PASSIVE_LEVEL or DISPATCH_LEVEL
//   note: function 'FooResetLocked' called here from 'FooThreadedDpc'
static VOID FooResetLocked(PDEVICE_EXTENSION ext)
{
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Pending = 0;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}

VOID FooThreadedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    FooResetLocked((PDEVICE_EXTENSION)Context);
}

VOID FooRegister(PDEVICE_EXTENSION ext, PIRP Irp)
{
    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedDpc, ext);
    IoSetCompletionRoutine(Irp, FooLocalIrqlComplete, ext, TRUE, TRUE, TRUE);
}
