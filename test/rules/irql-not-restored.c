// irql-not-restored: a function that returns at another IRQL than it was
// entered at, unless it raises on purpose.
// RUN: not %irqlcheck --no-source --enable=irql-not-restored %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    LONG Pending;
    KIRQL SavedIrql;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

//===--- Findings

// An early return skips the lowering.
DRIVER_DISPATCH FooDispatchFlush;
NTSTATUS FooDispatchFlush(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    if (ext->Pending == 0)
        return STATUS_SUCCESS;                  // BAD
    ext->Pending = 0;
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}

// Raised with the DPC-level shortcut and never lowered.
DRIVER_DISPATCH FooDispatchPoll;
NTSTATUS FooDispatchPoll(PDEVICE_OBJECT D, PIRP Irp)
{
    KIRQL old = KeRaiseIrqlToDpcLevel();
    UNREFERENCED_PARAMETER(old);
    return STATUS_SUCCESS;                      // BAD
}

// A DPC that lowers below DISPATCH_LEVEL and returns there.
KDEFERRED_ROUTINE FooDpc;
VOID FooDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    KeLowerIrql(PASSIVE_LEVEL);
}                                               // BAD

// A helper reached from a dispatch routine: raised on one path only.
static VOID FooMaybeRaise(PDEVICE_EXTENSION Ext)
{
    KIRQL old;
    if (Ext->Pending) {
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        Ext->SavedIrql = old;
    }
}                                               // BAD
DRIVER_DISPATCH FooDispatchRead;
NTSTATUS FooDispatchRead(PDEVICE_OBJECT D, PIRP Irp)
{
    FooMaybeRaise(D->DeviceExtension);
    KeLowerIrql(((PDEVICE_EXTENSION)D->DeviceExtension)->SavedIrql);
    return STATUS_SUCCESS;
}

// Raised through a raise wrapper, and the caller forgets to lower.
static VOID FooRaise(PDEVICE_EXTENSION Ext)
{
    KeRaiseIrql(DISPATCH_LEVEL, &Ext->SavedIrql);   // no-warning: a raise wrapper
}
DRIVER_DISPATCH FooDispatchWrite;
NTSTATUS FooDispatchWrite(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    FooRaise(ext);
    ext->Pending++;
    return STATUS_SUCCESS;                      // BAD
}

//===--- Clean look-alikes

// Raised and lowered on every path.
DRIVER_DISPATCH FooDispatchClean;
NTSTATUS FooDispatchClean(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    if (ext->Pending == 0) {
        KeLowerIrql(old);
        return STATUS_SUCCESS;
    }
    ext->Pending = 0;
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}

// Annotated: it raises on purpose.
_IRQL_raises_(DISPATCH_LEVEL)
static VOID FooRaiseAnnotated(PDEVICE_EXTENSION Ext, _Out_ PKIRQL Old)
{
    if (Ext->Pending)
        KeRaiseIrql(DISPATCH_LEVEL, Old);
    else
        KeRaiseIrql(DISPATCH_LEVEL, Old);
}

// The wrapper pair used as a pair.
static VOID FooLower(PDEVICE_EXTENSION Ext) { KeLowerIrql(Ext->SavedIrql); }
DRIVER_DISPATCH FooDispatchPaired;
NTSTATUS FooDispatchPaired(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL old;
    FooRaise(ext);
    ext->Pending++;
    FooLower(ext);
    FooRaiseAnnotated(ext, &old);
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}

// A DPC that raises to DISPATCH_LEVEL (where it already is) and returns.
KDEFERRED_ROUTINE FooDpcClean;
VOID FooDpcClean(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    KIRQL old = KeRaiseIrqlToDpcLevel();
    UNREFERENCED_PARAMETER(old);
}

// A lock left held is spinlock-leak's finding, not this rule's.
DRIVER_DISPATCH FooDispatchLeak;
NTSTATUS FooDispatchLeak(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&ext->Lock, &old);
    return STATUS_SUCCESS;
}

// Entered at an unknown IRQL (nothing calls or registers it): not judged.
VOID FooExported(PDEVICE_EXTENSION Ext)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
}

// Expected findings (line numbers refer to the code above).
// CHECK: {{^.*}}irql-not-restored.c:22:9: warning: 'FooDispatchFlush' returns at DISPATCH_LEVEL, but was entered at PASSIVE_LEVEL [irql-not-restored]
// CHECK-NEXT: {{^.*}}irql-not-restored.c:20:5: note: IRQL raised to DISPATCH_LEVEL here
// CHECK-NEXT: {{^.*}}irql-not-restored.c:15:17: note: 'FooDispatchFlush' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
// CHECK: {{^.*}}irql-not-restored.c:34:5: warning: 'FooDispatchPoll' returns at DISPATCH_LEVEL, but was entered at PASSIVE_LEVEL [irql-not-restored]
// CHECK-NEXT: {{^.*}}irql-not-restored.c:32:17: note: IRQL raised to DISPATCH_LEVEL here
// CHECK-NEXT: {{^.*}}irql-not-restored.c:29:17: note: 'FooDispatchPoll' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
// CHECK: {{^.*}}irql-not-restored.c:42:1: warning: 'FooDpc' returns at PASSIVE_LEVEL, but was entered at DISPATCH_LEVEL [irql-not-restored]
// CHECK-NEXT: {{^.*}}irql-not-restored.c:41:5: note: IRQL lowered to PASSIVE_LEVEL here
// CHECK-NEXT: {{^.*}}irql-not-restored.c:38:19: note: 'FooDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
// CHECK: {{^.*}}irql-not-restored.c:52:1: warning: 'FooMaybeRaise' may return at DISPATCH_LEVEL, but was entered at PASSIVE_LEVEL [irql-not-restored]
// CHECK-NEXT: {{^.*}}irql-not-restored.c:49:9: note: IRQL raised to DISPATCH_LEVEL here
// CHECK-NEXT: {{^.*}}irql-not-restored.c:56:5: note: 'FooMaybeRaise' is called with IRQL PASSIVE_LEVEL from 'FooDispatchRead' here
// CHECK-NEXT: {{^.*}}irql-not-restored.c:53:17: note: 'FooDispatchRead' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
// CHECK: {{^.*}}irql-not-restored.c:72:5: warning: 'FooDispatchWrite' returns at DISPATCH_LEVEL, but was entered at PASSIVE_LEVEL [irql-not-restored]
// CHECK-NEXT: {{^.*}}irql-not-restored.c:70:5: note: IRQL raised to DISPATCH_LEVEL by 'FooRaise' here
// CHECK-NEXT: {{^.*}}irql-not-restored.c:66:17: note: 'FooDispatchWrite' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
