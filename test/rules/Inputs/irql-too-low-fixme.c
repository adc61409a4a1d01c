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
    BOOLEAN Enabled;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// FIXME: a switch on KeGetCurrentIrql() does not restrict the IRQL in its
// cases (only two-way if/else branches do). Correct code is reported.
// The tool prints:
//   irql-too-low-fixme.c:35:9: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
//   irql-too-low-fixme.c:193:9: note: 'FooSwitchComplete' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
//   irql-too-low-fixme.c:37:9: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
//   irql-too-low-fixme.c:193:9: note: 'FooSwitchComplete' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
// It should print nothing: the AtDpcLevel calls are only reached in
// `case DISPATCH_LEVEL:`.
NTSTATUS FooSwitchComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    switch (KeGetCurrentIrql()) {
    case DISPATCH_LEVEL:
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
        ext->Completed++;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
        break;
    default:
        KeAcquireSpinLock(&ext->StatsLock, &oldIrql);
        ext->Completed++;
        KeReleaseSpinLock(&ext->StatsLock, oldIrql);
        break;
    }
    return STATUS_CONTINUE_COMPLETION;
}

// FIXME: the IRQL read into a local first (`irql = KeGetCurrentIrql();`)
// and then tested is not followed. Correct code is reported.
// The tool prints:
//   irql-too-low-fixme.c:63:9: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
//   irql-too-low-fixme.c:196:9: note: 'FooLocalIrqlComplete' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
//   irql-too-low-fixme.c:65:9: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
//   irql-too-low-fixme.c:196:9: note: 'FooLocalIrqlComplete' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
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

// FIXME: a KeGetCurrentIrql() test as the right operand of && is ignored
// (as the left operand it works). Correct code is reported.
// The tool prints:
//   irql-too-low-fixme.c:87:9: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
//   irql-too-low-fixme.c:199:9: note: 'FooAndComplete' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
//   irql-too-low-fixme.c:89:9: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
//   irql-too-low-fixme.c:199:9: note: 'FooAndComplete' is an I/O completion routine (registered by IoSetCompletionRoutine here), which runs at PASSIVE_LEVEL or APC_LEVEL or DISPATCH_LEVEL
// It should print nothing: the block only runs at DISPATCH_LEVEL.
NTSTATUS FooAndComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (ext->Enabled && KeGetCurrentIrql() == DISPATCH_LEVEL) {
        KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
        ext->Completed++;
        KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    }
    return STATUS_CONTINUE_COMPLETION;
}

// FIXME: KeInsertDeviceQueue needs DISPATCH_LEVEL (docs/rules/irql-too-low.md
// names it with IoStartNextPacket as "checked the same way"), but rules/
// has no contract for it: a dispatch routine calling it at PASSIVE_LEVEL
// is not reported. (IoStartNextPacket is checked now; see
// FooDispatchCancelAll in ../irql-too-low.c.)
// The tool prints:
//   (nothing)
// It should print, at the KeInsertDeviceQueue call:
//   warning: calling 'KeInsertDeviceQueue' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
//   note: 'FooDispatchQueue' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
DRIVER_DISPATCH FooDispatchQueue;

NTSTATUS FooDispatchQueue(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (!KeInsertDeviceQueue(&DeviceObject->DeviceQueue,
                             &Irp->Tail.Overlay.DeviceQueueEntry)) {
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    }
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
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

// FIXME: a role given by _Function_class_ yields a note with no location:
// the note line has no "path:line:col: " (every other role note has one).
// The tool prints:
//   irql-too-low-fixme.c:157:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
//   note: 'FooFunctionClassDispatch' is a dispatch routine (annotated _Function_class_(DRIVER_DISPATCH)), which runs at PASSIVE_LEVEL
//   irql-too-low-fixme.c:159:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
//   note: 'FooFunctionClassDispatch' is a dispatch routine (annotated _Function_class_(DRIVER_DISPATCH)), which runs at PASSIVE_LEVEL
// It should print the notes as
//   irql-too-low-fixme.c:153:10: note: 'FooFunctionClassDispatch' is a dispatch routine (annotated _Function_class_(DRIVER_DISPATCH)), which runs at PASSIVE_LEVEL
// (line 153 is the function's name; the annotation is on the line before).
_Function_class_(DRIVER_DISPATCH)
NTSTATUS FooFunctionClassDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Pending++;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// FIXME (minor, note location): with the annotation on the prototype and
// _Use_decl_annotations_ on the definition, the "annotated to run at" note
// points at the definition, where no IRQL annotation is written, instead
// of at the annotated declaration (FooResetStatistics's prototype below).
_IRQL_requires_max_(APC_LEVEL)
VOID FooResetStatistics(PDEVICE_EXTENSION ext);

// The tool prints:
//   irql-too-low-fixme.c:183:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
//   irql-too-low-fixme.c:181:6: note: 'FooResetStatistics' is annotated _IRQL_requires_max_(APC_LEVEL), so it runs at PASSIVE_LEVEL or APC_LEVEL
//   irql-too-low-fixme.c:185:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
//   irql-too-low-fixme.c:181:6: note: 'FooResetStatistics' is annotated _IRQL_requires_max_(APC_LEVEL), so it runs at PASSIVE_LEVEL or APC_LEVEL
// It should point the two notes at the annotated prototype,
// irql-too-low-fixme.c:171:6.
_Use_decl_annotations_
VOID FooResetStatistics(PDEVICE_EXTENSION ext)
{
    KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
    ext->Completed = 0;
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
}

VOID FooRegister(PDEVICE_EXTENSION ext, PIRP Irp)
{
    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedDpc, ext);
    switch (ext->Pending) {
    case 0:
        IoSetCompletionRoutine(Irp, FooSwitchComplete, ext, TRUE, TRUE, TRUE);
        break;
    case 1:
        IoSetCompletionRoutine(Irp, FooLocalIrqlComplete, ext, TRUE, TRUE, TRUE);
        break;
    default:
        IoSetCompletionRoutine(Irp, FooAndComplete, ext, TRUE, TRUE, TRUE);
        break;
    }
}
