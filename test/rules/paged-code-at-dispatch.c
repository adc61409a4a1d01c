// paged-code-at-dispatch: a pageable function called, directly or through calls, at IRQL >= DISPATCH_LEVEL or with a spin lock held.
// RUN: not %irqlcheck --no-source %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: not %irqlcheck --no-source --disable=paged-code-at-dispatch %s 2>&1 | FileCheck %s --check-prefix=DISABLED --implicit-check-not=warning:
// RUN: not %irqlcheck --no-source --extra-arg=-DDBG=1 %s 2>&1 | FileCheck %s --check-prefix=DBG
//
// CHECK lines expect every finding. With the rule disabled, irql-too-high
// reports the two calls to FooSaveConfig, whose _IRQL_requires_max_ it
// otherwise leaves to this rule (DISABLED lines). In a checked build
// (DBG=1) PAGED_CODE() expands to an IRQL check instead of nothing, and
// still makes its function pageable (DBG lines).

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    PDEVICE_OBJECT Self;
    KSPIN_LOCK Lock;
    FAST_MUTEX ConfigMutex;
    KDPC Dpc;
    KDPC ThreadedDpc;
    PIO_WORKITEM WorkItem;
    PIRP CurrentIrp;
    VOID (*OnError)(struct _DEVICE_EXTENSION *ext);
    ULONG Baud;
    ULONG Errors;
    BOOLEAN Removed;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// Pageable helpers, each made pageable one way: #pragma alloc_text, a
// #pragma code_seg block, __declspec(code_seg), or PAGED_CODE() alone.
NTSTATUS FooValidateBaud(PDEVICE_EXTENSION ext, ULONG baud);
VOID FooLogConfig(PDEVICE_EXTENSION ext);
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS FooSaveConfig(PDEVICE_EXTENSION ext);
VOID FooResetStatistics(PDEVICE_EXTENSION ext);

#pragma alloc_text(PAGE, FooValidateBaud)
#pragma alloc_text(PAGEFOO, FooLogConfig)
#pragma alloc_text(PAGE, FooSaveConfig)

NTSTATUS FooValidateBaud(PDEVICE_EXTENSION ext, ULONG baud)
{
    PAGED_CODE();
    return baud > 0 && baud <= 115200 ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

VOID FooLogConfig(PDEVICE_EXTENSION ext)
{
    DbgPrint("baud %lu\n", ext->Baud);
}

NTSTATUS FooSaveConfig(PDEVICE_EXTENSION ext)
{
    PAGED_CODE();
    FooLogConfig(ext);
    return STATUS_SUCCESS;
}

#pragma code_seg("PAGE")
VOID FooDumpRegisters(PDEVICE_EXTENSION ext)
{
    DbgPrint("errors %lu\n", ext->Errors);
}
#pragma code_seg()

__declspec(code_seg("PAGE"))
VOID FooTraceState(PDEVICE_EXTENSION ext)
{
    DbgPrint("removed %d\n", ext->Removed);
}

VOID FooResetStatistics(PDEVICE_EXTENSION ext)
{
    PAGED_CODE();
    ext->Errors = 0;
}

// Defined in another file; only the prototype says where it lives.
__declspec(code_seg("PAGE"))
VOID FooFlushLog(PDEVICE_EXTENSION ext);

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// A DPC runs at DISPATCH_LEVEL: no page fault can be served there.
KDEFERRED_ROUTINE FooDpc;

VOID FooDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    // CHECK: paged-code-at-dispatch.c:[[@LINE+3]]:21: warning: calling pageable function 'FooValidateBaud' at DISPATCH_LEVEL; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-57]]:1: note: 'FooValidateBaud' is pageable (placed in section PAGE by #pragma alloc_text)
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-8]]:19: note: 'FooDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    if (!NT_SUCCESS(FooValidateBaud(ext, ext->Baud))) {
        ext->Errors++;
    }
    // CHECK: paged-code-at-dispatch.c:[[@LINE+3]]:5: warning: calling pageable function 'FooDumpRegisters' at DISPATCH_LEVEL; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-41]]:9: note: 'FooDumpRegisters' is pageable (placed in section PAGE by #pragma code_seg)
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-14]]:19: note: 'FooDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    FooDumpRegisters(ext);
    // CHECK: paged-code-at-dispatch.c:[[@LINE+3]]:5: warning: calling pageable function 'FooFlushLog' at DISPATCH_LEVEL; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-25]]:12: note: 'FooFlushLog' is pageable (placed in section PAGE by __declspec(code_seg))
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-18]]:19: note: 'FooDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    FooFlushLog(ext);
}

// A dispatch routine runs at PASSIVE_LEVEL, but not while it holds a spin
// lock. The helper's own _IRQL_requires_max_(PASSIVE_LEVEL) is broken too;
// irql-too-high leaves this call to the more specific rule.
DRIVER_DISPATCH FooDispatchSetBaud;

NTSTATUS FooDispatchSetBaud(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;
    NTSTATUS status;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    // CHECK: paged-code-at-dispatch.c:[[@LINE+3]]:14: warning: calling pageable function 'FooSaveConfig' with spin lock 'ext->Lock' held; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-83]]:1: note: 'FooSaveConfig' is pageable (placed in section PAGE by #pragma alloc_text)
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-3]]:5: note: spin lock 'ext->Lock' acquired here
    status = FooSaveConfig(ext);
    // DISABLED: paged-code-at-dispatch.c:[[@LINE-1]]:14: warning: calling 'FooSaveConfig' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    KeReleaseSpinLock(&ext->Lock, oldIrql);

    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

// A resident helper with no role of its own, called from a DPC: its call is
// where resident code enters paged code.
static VOID FooRefreshConfig(PDEVICE_EXTENSION ext)
{
    // CHECK: paged-code-at-dispatch.c:[[@LINE+4]]:5: warning: calling pageable function 'FooTraceState' at DISPATCH_LEVEL; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-72]]:12: note: 'FooTraceState' is pageable (placed in section PAGE by __declspec(code_seg))
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE+9]]:5: note: 'FooRefreshConfig' is called with IRQL DISPATCH_LEVEL from 'FooRefreshDpc' here
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE+4]]:19: note: 'FooRefreshDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    FooTraceState(ext);
}

KDEFERRED_ROUTINE FooRefreshDpc;

VOID FooRefreshDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    FooRefreshConfig((PDEVICE_EXTENSION)Context);
}

// A resident helper called with a spin lock held.
static VOID FooClearLocked(PDEVICE_EXTENSION ext)
{
    ext->Removed = FALSE;
    // CHECK: paged-code-at-dispatch.c:[[@LINE+4]]:5: warning: calling pageable function 'FooResetStatistics' with queued spin lock 'ext->Lock' held; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-82]]:5: note: 'FooResetStatistics' is pageable (it uses PAGED_CODE())
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE+13]]:5: note: 'FooClearLocked' is called from 'FooDispatchClear' here, holding queued spin lock 'ext->Lock'
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE+11]]:5: note: queued spin lock 'ext->Lock' acquired here
    FooResetStatistics(ext);
}

DRIVER_DISPATCH FooDispatchClear;

NTSTATUS FooDispatchClear(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KLOCK_QUEUE_HANDLE lockHandle;

    KeAcquireInStackQueuedSpinLock(&ext->Lock, &lockHandle);
    FooClearLocked(ext);
    KeReleaseInStackQueuedSpinLock(&lockHandle);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// A helper called both with and without the lock: it may hold it.
static VOID FooApplyBaud(PDEVICE_EXTENSION ext)
{
    // CHECK: paged-code-at-dispatch.c:[[@LINE+4]]:5: warning: calling pageable function 'FooLogConfig' while spin lock 'ext->Lock' may be held; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-144]]:1: note: 'FooLogConfig' is pageable (placed in section PAGEFOO by #pragma alloc_text)
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE+14]]:5: note: 'FooApplyBaud' is called from 'FooDispatchApply' here, holding spin lock 'ext->Lock'
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE+12]]:5: note: spin lock 'ext->Lock' acquired here
    FooLogConfig(ext);
}

DRIVER_DISPATCH FooDispatchApply;

NTSTATUS FooDispatchApply(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    FooApplyBaud(ext);
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    FooApplyBaud(ext);
    KeReleaseSpinLock(&ext->Lock, oldIrql);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// StartIo runs at DISPATCH_LEVEL; PAGED_CODE() alone makes the helper
// pageable.
DRIVER_STARTIO FooStartIo;

VOID FooStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    ext->CurrentIrp = Irp;
    // CHECK: paged-code-at-dispatch.c:[[@LINE+3]]:5: warning: calling pageable function 'FooResetStatistics' at DISPATCH_LEVEL; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-141]]:5: note: 'FooResetStatistics' is pageable (it uses PAGED_CODE())
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-9]]:16: note: 'FooStartIo' is a StartIo routine (declared as DRIVER_STARTIO), which runs at DISPATCH_LEVEL
    FooResetStatistics(ext);
    // DBG: paged-code-at-dispatch.c:[[@LINE-1]]:5: warning: calling pageable function 'FooResetStatistics' at DISPATCH_LEVEL; it may be paged out [paged-code-at-dispatch]
    // DBG-NEXT: note: 'FooResetStatistics' is pageable (it uses PAGED_CODE())
}

// KeRaiseIrql to DISPATCH_LEVEL in a work item.
IO_WORKITEM_ROUTINE FooRaisedWorker;

VOID FooRaisedWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    // CHECK: paged-code-at-dispatch.c:[[@LINE+3]]:5: warning: calling pageable function 'FooLogConfig' at DISPATCH_LEVEL; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-194]]:1: note: 'FooLogConfig' is pageable (placed in section PAGEFOO by #pragma alloc_text)
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-3]]:5: note: IRQL raised to DISPATCH_LEVEL here
    FooLogConfig(ext);
    KeLowerIrql(oldIrql);
}

// A cancel routine is called holding the cancel spin lock.
DRIVER_CANCEL FooCancel;

VOID FooCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;

    // CHECK: paged-code-at-dispatch.c:[[@LINE+3]]:5: warning: calling pageable function 'FooDumpRegisters' with the cancel spin lock held; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-187]]:9: note: 'FooDumpRegisters' is pageable (placed in section PAGE by #pragma code_seg)
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-8]]:15: note: 'FooCancel' is a cancel routine (declared as DRIVER_CANCEL), which runs at DISPATCH_LEVEL, holding the cancel spin lock
    FooDumpRegisters(ext);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

// A routine registered as a DPC says with PAGED_CODE() that it is
// pageable: reported there.
VOID FooTimeoutDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    // CHECK: paged-code-at-dispatch.c:[[@LINE+2]]:5: warning: pageable function 'FooTimeoutDpc' is called at DISPATCH_LEVEL; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE+213]]:5: note: 'FooTimeoutDpc' is a DPC routine (registered by KeInitializeDpc here), which runs at DISPATCH_LEVEL
    PAGED_CODE();
    // DBG: paged-code-at-dispatch.c:[[@LINE-1]]:5: warning: pageable function 'FooTimeoutDpc' is called at DISPATCH_LEVEL; it may be paged out [paged-code-at-dispatch]
    ext->Errors++;
}

// A threaded DPC may run at DISPATCH_LEVEL; a pageable one with no
// PAGED_CODE() is reported at its name.
VOID FooThreadedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2);
#pragma alloc_text(PAGE, FooThreadedDpc)

// CHECK: paged-code-at-dispatch.c:[[@LINE+3]]:6: warning: pageable function 'FooThreadedDpc' is called at DISPATCH_LEVEL; it may be paged out [paged-code-at-dispatch]
// CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-3]]:1: note: 'FooThreadedDpc' is pageable (placed in section PAGE by #pragma alloc_text)
// CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE+201]]:5: note: 'FooThreadedDpc' is a threaded DPC routine (registered by KeInitializeThreadedDpc here), which runs at PASSIVE_LEVEL or DISPATCH_LEVEL
VOID FooThreadedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql); // no-warning: reported at entry
    ext->Baud = 9600;
    KeReleaseSpinLock(&ext->Lock, oldIrql);
}

// A pageable routine that takes a spin lock runs its own code at
// DISPATCH_LEVEL from there on.
VOID FooPagedClear(PDEVICE_EXTENSION ext);
#pragma alloc_text(PAGE, FooPagedClear)

VOID FooPagedClear(PDEVICE_EXTENSION ext)
{
    KIRQL oldIrql;

    PAGED_CODE();
    // CHECK: paged-code-at-dispatch.c:[[@LINE+2]]:5: warning: IRQL raised to DISPATCH_LEVEL in pageable function 'FooPagedClear'; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-8]]:1: note: 'FooPagedClear' is pageable (placed in section PAGE by #pragma alloc_text)
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Errors = 0;
    KeReleaseSpinLock(&ext->Lock, oldIrql);
}

// A chain of pageable functions entered at DISPATCH_LEVEL is reported once,
// at the call into it: FooSaveConfig's own call to FooLogConfig and its
// PAGED_CODE() follow from that call.
KDEFERRED_ROUTINE FooSaveDpc;

VOID FooSaveDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    // CHECK: paged-code-at-dispatch.c:[[@LINE+3]]:5: warning: calling pageable function 'FooSaveConfig' at DISPATCH_LEVEL; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-271]]:1: note: 'FooSaveConfig' is pageable (placed in section PAGE by #pragma alloc_text)
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-6]]:19: note: 'FooSaveDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    FooSaveConfig((PDEVICE_EXTENSION)Context);
    // DISABLED: paged-code-at-dispatch.c:[[@LINE-1]]:5: warning: calling 'FooSaveConfig' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
}

// A call through a function pointer reaches every function stored in it.
KDEFERRED_ROUTINE FooNotifyDpc;

VOID FooNotifyDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    // CHECK: paged-code-at-dispatch.c:[[@LINE+3]]:5: warning: calling pageable function 'FooLogConfig' at DISPATCH_LEVEL; it may be paged out [paged-code-at-dispatch]
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-286]]:1: note: 'FooLogConfig' is pageable (placed in section PAGEFOO by #pragma alloc_text)
    // CHECK-NEXT: paged-code-at-dispatch.c:[[@LINE-8]]:19: note: 'FooNotifyDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    ext->OnError(ext);
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// Dispatch routines run at PASSIVE_LEVEL: pageable helpers are fine before
// the lock is taken and after it is released (the routine itself stays
// resident: it takes a spin lock).
DRIVER_DISPATCH FooDispatchConfigure;

NTSTATUS FooDispatchConfigure(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;
    NTSTATUS status;

    status = FooValidateBaud(ext, 9600); // no-warning
    if (!NT_SUCCESS(status)) {
        goto complete;
    }
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Baud = 9600;
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    status = FooSaveConfig(ext); // no-warning
    FooDumpRegisters(ext); // no-warning
    FooTraceState(ext); // no-warning
    FooFlushLog(ext); // no-warning

complete:
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

// A fast mutex raises to APC_LEVEL only: paging still works.
IO_WORKITEM_ROUTINE FooConfigWorker;
#pragma alloc_text(PAGE, FooConfigWorker)

VOID FooConfigWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    PAGED_CODE();
    ExAcquireFastMutex(&ext->ConfigMutex);
    FooLogConfig(ext); // no-warning
    ExReleaseFastMutex(&ext->ConfigMutex);
    FooResetStatistics(ext); // no-warning
}

// The fix for FooPagedClear: the locked part moves to a resident helper
// ("Isolating pageable code" in the WDK documentation).
static VOID FooClearErrorsLocked(PDEVICE_EXTENSION ext)
{
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Errors = 0;
    KeReleaseSpinLock(&ext->Lock, oldIrql);
}

VOID FooPagedClearFixed(PDEVICE_EXTENSION ext);
#pragma alloc_text(PAGE, FooPagedClearFixed)

VOID FooPagedClearFixed(PDEVICE_EXTENSION ext)
{
    PAGED_CODE();
    FooClearErrorsLocked(ext); // no-warning
    FooResetStatistics(ext); // no-warning
}

// A DPC hands pageable work to a work item: passing the routine to
// IoQueueWorkItem registers it, it does not call it.
KDEFERRED_ROUTINE FooDeferDpc;

VOID FooDeferDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    IoQueueWorkItem(ext->WorkItem, FooConfigWorker, DelayedWorkQueue, ext); // no-warning
}

// A completion routine may run at DISPATCH_LEVEL; it calls the pageable
// helper only when it is at PASSIVE_LEVEL.
NTSTATUS FooConfigComplete(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
        FooLogConfig(ext); // no-warning
    } else {
        IoQueueWorkItem(ext->WorkItem, FooConfigWorker, DelayedWorkQueue, ext); // no-warning
    }
    return STATUS_CONTINUE_COMPLETION;
}

// Sections that are not PAGE*: INIT code is discarded after DriverEntry, not
// paged; LOCKEDCODE and .text are resident. PAGED_CODE() compiled out by #if
// 0 and PAGED_CODE_LOCKED() do not make a function pageable.
VOID FooRecordError(PDEVICE_EXTENSION ext);
#pragma alloc_text(LOCKEDCODE, FooRecordError)

VOID FooRecordError(PDEVICE_EXTENSION ext)
{
    ext->Errors++;
}

__declspec(code_seg(".text"))
VOID FooCountError(PDEVICE_EXTENSION ext)
{
    ext->Errors++;
}

VOID FooNoteError(PDEVICE_EXTENSION ext)
{
#if 0
    PAGED_CODE();
#endif
    ext->Errors++;
}

VOID FooLockedError(PDEVICE_EXTENSION ext)
{
    PAGED_CODE_LOCKED();
    ext->Errors++;
}

KDEFERRED_ROUTINE FooErrorDpc;

VOID FooErrorDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    FooRecordError(ext); // no-warning
    FooCountError(ext); // no-warning
    FooNoteError(ext); // no-warning
    FooLockedError(ext); // no-warning
}

// INIT code at PASSIVE_LEVEL, registering the DPCs.
DRIVER_INITIALIZE DriverEntry;
NTSTATUS FooInitialize(PDEVICE_EXTENSION ext);
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(INIT, FooInitialize)

NTSTATUS FooInitialize(PDEVICE_EXTENSION ext)
{
    KeInitializeDpc(&ext->Dpc, FooTimeoutDpc, ext);
    KeInitializeThreadedDpc(&ext->ThreadedDpc, FooThreadedDpc, ext);
    return FooValidateBaud(ext, 9600); // no-warning
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PAGED_CODE();
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = FooDispatchConfigure;
    return STATUS_SUCCESS;
}

// Pageable callers at PASSIVE_LEVEL.
IO_WORKITEM_ROUTINE FooClearWorker;

VOID FooClearWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    FooPagedClear((PDEVICE_EXTENSION)Context); // no-warning: the call is fine
    FooPagedClearFixed((PDEVICE_EXTENSION)Context); // no-warning
}

VOID FooSetCallbacks(PDEVICE_EXTENSION ext)
{
    ext->OnError = FooLogConfig;
}

NTSTATUS FooSendDown(PDEVICE_EXTENSION ext, PDEVICE_OBJECT lower, PIRP Irp)
{
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, FooConfigComplete, ext, TRUE, TRUE, TRUE);
    return IoCallDriver(lower, Irp);
}
