// Helpers without a role are checked in the context of every caller that
// reaches them: IRQLs and held locks flow down the call graph, and each
// finding's notes give the shortest chain of calls back to a role.
// RUN: not %irqlcheck --no-source %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    KSPIN_LOCK StatsLock;
    LONG Count;
    HANDLE File;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

//===--- A helper shared by a DPC and a dispatch routine
static VOID ResetCounters(PDEVICE_EXTENSION Ext)
{
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock);            // BAD from Dispatch
    Ext->Count = 0;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);          // BAD from Dispatch
}
static VOID ResetDevice(PDEVICE_EXTENSION Ext) { ResetCounters(Ext); }

// The same helper, guarded by the IRQL: clean from both.
static VOID ResetCountersAnyIrql(PDEVICE_EXTENSION Ext)
{
    KIRQL old;
    if (KeGetCurrentIrql() == DISPATCH_LEVEL) {
        KeAcquireSpinLockAtDpcLevel(&Ext->Lock);
        Ext->Count = 0;
        KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
    } else {
        KeAcquireSpinLock(&Ext->Lock, &old);
        Ext->Count = 0;
        KeReleaseSpinLock(&Ext->Lock, old);
    }
}

// Only ever called at PASSIVE_LEVEL: clean.
static VOID CloseFile(PDEVICE_EXTENSION Ext) { ZwClose(Ext->File); }

// Called from the dispatch routine after it raised the IRQL.
static VOID CloseFileRaised(PDEVICE_EXTENSION Ext)
{
    ZwClose(Ext->File);                                 // BAD: DISPATCH_LEVEL
}

KDEFERRED_ROUTINE CountersDpc;
VOID CountersDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    ResetCounters((PDEVICE_EXTENSION)Context);
    ResetCountersAnyIrql((PDEVICE_EXTENSION)Context);
}

DRIVER_DISPATCH DispatchIoctl;
NTSTATUS DispatchIoctl(PDEVICE_OBJECT D, PIRP Irp)
{
    PDEVICE_EXTENSION ext = D->DeviceExtension;
    KIRQL old;
    ResetDevice(ext);
    ResetCountersAnyIrql(ext);
    CloseFile(ext);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    CloseFileRaised(ext);
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}

//===--- Locks held by a caller, taken again in a callee
static VOID BumpStats(PDEVICE_EXTENSION Ext)
{
    KeAcquireSpinLockAtDpcLevel(&Ext->StatsLock);       // BAD: held by StatsDpc
    Ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&Ext->StatsLock);
}
static VOID BumpOther(PDEVICE_EXTENSION Ext)
{
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock);            // clean: another lock
    Ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
}
static VOID Account(PDEVICE_EXTENSION Ext) { BumpStats(Ext); BumpOther(Ext); }

// The lock reaches the callee through a parameter.
static VOID TakeLock(PKSPIN_LOCK Lock)
{
    KeAcquireSpinLockAtDpcLevel(Lock);                  // BAD: held by StatsDpc
    KeReleaseSpinLockFromDpcLevel(Lock);
}

KDEFERRED_ROUTINE StatsDpc;
VOID StatsDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    PDEVICE_EXTENSION ext = Context;
    KeAcquireSpinLockAtDpcLevel(&ext->StatsLock);
    Account(ext);
    TakeLock(&ext->StatsLock);
    KeReleaseSpinLockFromDpcLevel(&ext->StatsLock);
    // The lock is released: the same calls are clean now.
    Account(ext);
}

// The cancel spin lock, held on entry to the cancel routine, reaches its
// helper.
static VOID CancelHelper(PIRP Irp)
{
    KIRQL old;
    IoAcquireCancelSpinLock(&old);                      // BAD: already held
    IoReleaseCancelSpinLock(old);
}
DRIVER_CANCEL OnCancel;
VOID OnCancel(PDEVICE_OBJECT D, PIRP Irp)
{
    CancelHelper(Irp);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
}

//===--- Recursion terminates, and still carries the IRQL
static VOID Walk(PDEVICE_EXTENSION Ext, int Depth);
static VOID WalkOther(PDEVICE_EXTENSION Ext, int Depth)
{
    if (Depth)
        Walk(Ext, Depth - 1);
    else
        ZwClose(Ext->File);                             // BAD: from a DPC
}
static VOID Walk(PDEVICE_EXTENSION Ext, int Depth)
{
    if (Depth)
        WalkOther(Ext, Depth - 1);
    if (Depth > 5)
        Walk(Ext, Depth / 2);
}
KDEFERRED_ROUTINE WalkDpc;
VOID WalkDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    Walk((PDEVICE_EXTENSION)Context, 4);
}

//===--- A SAL-annotated helper: its annotation, not its callers, fixes its
// IRQL; callers that break it are reported at the call.
_IRQL_requires_max_(PASSIVE_LEVEL)
static VOID AnnotatedClose(PDEVICE_EXTENSION Ext) { ZwClose(Ext->File); }

KDEFERRED_ROUTINE AnnotatedDpc;
VOID AnnotatedDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    AnnotatedClose((PDEVICE_EXTENSION)Context);         // BAD: DISPATCH_LEVEL
}

// Expected findings (line numbers refer to the code above).
// CHECK: {{^.*}}call-graph.c:17:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// CHECK-NEXT: {{^.*}}call-graph.c:21:50: note: 'ResetCounters' is called with IRQL PASSIVE_LEVEL from 'ResetDevice' here
// CHECK-NEXT: {{^.*}}call-graph.c:59:5: note: 'ResetDevice' is called with IRQL PASSIVE_LEVEL from 'DispatchIoctl' here
// CHECK-NEXT: {{^.*}}call-graph.c:54:17: note: 'DispatchIoctl' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
// CHECK: {{^.*}}call-graph.c:19:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// CHECK-NEXT: {{^.*}}call-graph.c:21:50: note: 'ResetCounters' is called with IRQL PASSIVE_LEVEL from 'ResetDevice' here
// CHECK-NEXT: {{^.*}}call-graph.c:59:5: note: 'ResetDevice' is called with IRQL PASSIVE_LEVEL from 'DispatchIoctl' here
// CHECK-NEXT: {{^.*}}call-graph.c:54:17: note: 'DispatchIoctl' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
// CHECK: {{^.*}}call-graph.c:44:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
// CHECK-NEXT: {{^.*}}call-graph.c:63:5: note: 'CloseFileRaised' is called with IRQL DISPATCH_LEVEL from 'DispatchIoctl' here
// CHECK-NEXT: {{^.*}}call-graph.c:62:5: note: IRQL raised to DISPATCH_LEVEL here
// CHECK: {{^.*}}call-graph.c:71:5: warning: acquiring spin lock 'Ext->StatsLock' that may already be held [spinlock-double-acquire]
// CHECK-NEXT: {{^.*}}call-graph.c:81:46: note: 'BumpStats' is called from 'Account' here, holding spin lock 'Ext->StatsLock'
// CHECK-NEXT: {{^.*}}call-graph.c:95:5: note: 'Account' is called from 'StatsDpc' here, holding spin lock 'ext->StatsLock'
// CHECK-NEXT: {{^.*}}call-graph.c:94:5: note: spin lock 'ext->StatsLock' acquired here
// CHECK: {{^.*}}call-graph.c:86:5: warning: acquiring spin lock 'Lock' that is already held [spinlock-double-acquire]
// CHECK-NEXT: {{^.*}}call-graph.c:96:5: note: 'TakeLock' is called from 'StatsDpc' here, holding spin lock 'ext->StatsLock'
// CHECK-NEXT: {{^.*}}call-graph.c:94:5: note: spin lock 'ext->StatsLock' acquired here
// CHECK: {{^.*}}call-graph.c:107:5: warning: acquiring the cancel spin lock that is already held [spinlock-double-acquire]
// CHECK-NEXT: {{^.*}}call-graph.c:113:5: note: 'CancelHelper' is called from 'OnCancel' here, holding the cancel spin lock
// CHECK-NEXT: {{^.*}}call-graph.c:110:15: note: 'OnCancel' is a cancel routine (declared as DRIVER_CANCEL), which runs at DISPATCH_LEVEL, holding the cancel spin lock
// CHECK: {{^.*}}call-graph.c:124:9: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
// CHECK-NEXT: {{^.*}}call-graph.c:129:9: note: 'WalkOther' is called with IRQL DISPATCH_LEVEL from 'Walk' here
// CHECK-NEXT: {{^.*}}call-graph.c:136:5: note: 'Walk' is called with IRQL DISPATCH_LEVEL from 'WalkDpc' here
// CHECK-NEXT: {{^.*}}call-graph.c:133:19: note: 'WalkDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
// CHECK: {{^.*}}call-graph.c:147:5: warning: calling 'AnnotatedClose' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
// CHECK-NEXT: {{^.*}}call-graph.c:144:19: note: 'AnnotatedDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
