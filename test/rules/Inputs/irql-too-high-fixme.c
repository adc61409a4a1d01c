// irql-too-high: cases the tool gets wrong. Not run by lit (no RUN line; it
// lives under Inputs/). When a case is fixed, move it to ../irql-too-high.c.
//
// Reproduce: cd test/rules/Inputs && irqlcheck irql-too-high-fixme.c
// The "prints" lines below are that command's output for each function.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KDPC ErrorDpc;
    PDEVICE_OBJECT LowerDevice;
    PKINTERRUPT Interrupt;
    KSPIN_LOCK Lock;
    HANDLE LogFile;
    PVOID Buffer;
    PIRP PendingIrp;
    ULONG Pending;
    BOOLEAN Stopping;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS FooSaveSettings(PDEVICE_EXTENSION ext);

// FIXME: wrong note. The IRQL is raised by the acquire at the top and
// restored only on the `if` path; on the `else` path the lock is still
// held at the call. The note points at the release on the other path
// ("IRQL restored here") instead of the acquire. (The spinlock-leak
// finding is correct.)
// The tool prints:
//   irql-too-high-fixme.c:51:5: warning: calling 'FooSaveSettings' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
//   irql-too-high-fixme.c:47:9: note: IRQL restored here
//   irql-too-high-fixme.c:52:5: warning: 'FooDispatchStop' may return with spin lock 'ext->Lock' held [spinlock-leak]
//   irql-too-high-fixme.c:44:5: note: spin lock 'ext->Lock' acquired here
// It should print, for the irql-too-high warning, the note
//   irql-too-high-fixme.c:44:5: note: IRQL raised to DISPATCH_LEVEL here
// (line 44 is the KeAcquireSpinLock).
DRIVER_DISPATCH FooDispatchStop;

NTSTATUS FooDispatchStop(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    if (ext->Stopping) {
        ext->Pending = 0;
        KeReleaseSpinLock(&ext->Lock, oldIrql);
    } else {
        ext->Stopping = TRUE;
    }
    FooSaveSettings(ext);
    return STATUS_SUCCESS;
}

// FIXME: SPEC section 4 lists "PagedPool allocation" for irql-too-high, and
// docs/rules/irql-too-high.md says paged pool may only be allocated up to
// APC_LEVEL; the contract in rules/ddi.yaml is `max: DISPATCH_LEVEL` for
// ExAllocatePoolWithTag whatever the pool type, so a DPC that allocates
// paged pool is not reported (the ZwWriteFile next to it is).
// The tool prints:
//   irql-too-high-fixme.c:77:5: warning: calling 'ZwWriteFile' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
//   irql-too-high-fixme.c:66:19: note: 'FooLogDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
// It should also print, at the ExAllocatePoolWithTag call:
//   warning: calling 'ExAllocatePoolWithTag' with PagedPool requires IRQL <= APC_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
//   note: 'FooLogDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
KDEFERRED_ROUTINE FooLogDpc;

VOID FooLogDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    IO_STATUS_BLOCK iosb;

    ext->Buffer = ExAllocatePoolWithTag(PagedPool, 512, 'gLoF');
    if (ext->Buffer == NULL) {
        return;
    }
    ZwWriteFile(ext->LogFile, NULL, NULL, NULL, &iosb, ext->Buffer, 512, NULL, NULL);
}

// FIXME: the IRQL of a helper without a role is not taken from its call
// sites (SPEC section 5; listed as a known limitation in
// docs/rules/irql-too-high.md). Seed "Calling support routines that use
// spin locks" through one call: FooCountInterrupt is only called from an
// ISR and takes an executive spin lock.
// The tool prints:
//   (nothing)
// It should print, at the KeAcquireSpinLock in FooCountInterrupt:
//   warning: calling 'KeAcquireSpinLock' requires IRQL <= DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
//   note: 'FooMsiIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
//   note: function 'FooCountInterrupt' called here from 'FooMsiIsr'
static VOID FooCountInterrupt(PDEVICE_EXTENSION ext)
{
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Pending++;
    KeReleaseSpinLock(&ext->Lock, oldIrql);
}

KSERVICE_ROUTINE FooMsiIsr;

BOOLEAN FooMsiIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    FooCountInterrupt((PDEVICE_EXTENSION)ServiceContext);
    return TRUE;
}

// FIXME: same limitation the other way round: the dispatch routine holds a
// spin lock (DISPATCH_LEVEL) when it calls a helper that calls a
// PASSIVE_LEVEL-only routine.
// The tool prints:
//   (nothing)
// It should print, at the FooSaveSettings call in FooPersist:
//   warning: calling 'FooSaveSettings' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
//   note: IRQL raised to DISPATCH_LEVEL here            (the KeAcquireSpinLock in FooDispatchSetInfo)
//   note: function 'FooPersist' called here from 'FooDispatchSetInfo'
static VOID FooPersist(PDEVICE_EXTENSION ext)
{
    FooSaveSettings(ext);
}

DRIVER_DISPATCH FooDispatchSetInfo;

NTSTATUS FooDispatchSetInfo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Pending = 0;
    FooPersist(ext);
    KeReleaseSpinLock(&ext->Lock, oldIrql);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
