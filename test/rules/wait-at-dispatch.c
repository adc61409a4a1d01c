// wait-at-dispatch: a wait with a timeout not visibly zero, or a delay of the thread, at IRQL >= DISPATCH_LEVEL.
// RUN: not %irqlcheck --no-source %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// RUN: %irqlcheck --disable=wait-at-dispatch %s | count 0
//
// CHECK lines expect every finding. The file has no finding of another
// rule, so with this rule disabled the tool prints nothing and exits 0: a
// blocking wait above DISPATCH_LEVEL (an ISR) is this rule's finding only,
// never also irql-too-high's.

#include <ntifs.h>

#define FOO_RELATIVE_MS(ms) (-(LONGLONG)(ms) * 10 * 1000)

typedef struct _DEVICE_EXTENSION {
    PDEVICE_OBJECT Self;
    PKINTERRUPT Interrupt;
    KSPIN_LOCK Lock;
    KDPC TimerDpc;
    KTIMER Timer;
    KEVENT IdleEvent;
    KEVENT StopEvent;
    KMUTEX ConfigMutex;
    HANDLE Thread;
    PIO_WORKITEM WorkItem;
    ULONG Pending;
    BOOLEAN Stopping;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

//===--------------------------------------------------------------------===//
// Findings
//===--------------------------------------------------------------------===//

// Seed "Guidelines for writing DPC routines": a DpcForIsr runs at
// DISPATCH_LEVEL and cannot wait for a dispatcher object to be signaled.
VOID FooDpcForIsr(PKDPC Dpc, PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    // CHECK: wait-at-dispatch.c:[[@LINE+2]]:5: warning: 'KeWaitForSingleObject' waits with an infinite timeout (NULL), but IRQL may be DISPATCH_LEVEL here, where a wait must not block; queue a work item and wait there [wait-at-dispatch]
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE+270]]:5: note: 'FooDpcForIsr' is a DPC routine (registered by IoInitializeDpcRequest here), which runs at DISPATCH_LEVEL
    KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, NULL);
    IoStartNextPacket(DeviceObject, FALSE);
}

// The reference driver's seeded defect: a CustomTimerDpc "gives a
// finishing write a moment" with a 1 ms timeout instead of polling.
KDEFERRED_ROUTINE FooWatchdogDpc;

VOID FooWatchdogDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    LARGE_INTEGER timeout;

    timeout.QuadPart = FOO_RELATIVE_MS(1);
    // CHECK: wait-at-dispatch.c:[[@LINE+3]]:9: warning: 'KeWaitForSingleObject' waits with a non-zero timeout, but IRQL may be DISPATCH_LEVEL here, where a wait must not block; queue a work item and wait there [wait-at-dispatch]
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE-9]]:19: note: 'FooWatchdogDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE+254]]:5: note: 'FooWatchdogDpc' is a DPC routine (registered by KeInitializeDpc here), which runs at DISPATCH_LEVEL
    if (KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, &timeout) == STATUS_TIMEOUT) {
        ext->Pending++;
    }
}

// A helper with no role of its own, called from a DPC: its timeout is a
// parameter, not known to be zero. The notes lead back to the DPC.
static NTSTATUS FooWaitIdle(PDEVICE_EXTENSION ext, PLARGE_INTEGER timeout)
{
    // CHECK: wait-at-dispatch.c:[[@LINE+3]]:12: warning: 'KeWaitForSingleObject' waits with a timeout not known to be zero, but IRQL may be DISPATCH_LEVEL here, where a wait must not block; poll with a zero timeout, or queue a work item and wait there [wait-at-dispatch]
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE+13]]:5: note: 'FooWaitIdle' is called with IRQL DISPATCH_LEVEL from 'FooRetryDpc' here
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE+4]]:19: note: 'FooRetryDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    return KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, timeout);
}

KDEFERRED_ROUTINE FooRetryDpc;

VOID FooRetryDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    LARGE_INTEGER delay;

    delay.QuadPart = FOO_RELATIVE_MS(5);
    FooWaitIdle(ext, &delay);
}

// A dispatch routine runs at PASSIVE_LEVEL, but the spin lock raised the
// IRQL to DISPATCH_LEVEL before the wait.
DRIVER_DISPATCH FooDispatchFlush;

NTSTATUS FooDispatchFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KIRQL oldIrql;

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Stopping = TRUE;
    // CHECK: wait-at-dispatch.c:[[@LINE+2]]:5: warning: 'KeWaitForSingleObject' waits with an infinite timeout (NULL), but IRQL may be DISPATCH_LEVEL here, where a wait must not block; queue a work item and wait there [wait-at-dispatch]
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE-3]]:5: note: IRQL raised to DISPATCH_LEVEL here
    KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, NULL);
    KeReleaseSpinLock(&ext->Lock, oldIrql);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// An ISR runs at DIRQL: a delay and an infinite wait each give one finding
// (not also irql-too-high's "requires IRQL <= ...").
KSERVICE_ROUTINE FooIsr;

BOOLEAN FooIsr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)ServiceContext;
    LARGE_INTEGER settle;

    settle.QuadPart = 0;
    // CHECK: wait-at-dispatch.c:[[@LINE+2]]:5: warning: 'KeDelayExecutionThread' blocks the thread whatever its timeout, but IRQL may be DIRQL here, where a wait must not block; queue a work item and wait there [wait-at-dispatch]
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE-9]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    KeDelayExecutionThread(KernelMode, FALSE, &settle);
    // CHECK: wait-at-dispatch.c:[[@LINE+2]]:5: warning: 'KeWaitForMutexObject' waits with an infinite timeout (NULL), but IRQL may be DIRQL here, where a wait must not block; queue a work item and wait there [wait-at-dispatch]
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE-12]]:18: note: 'FooIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    KeWaitForMutexObject(&ext->ConfigMutex, Executive, KernelMode, FALSE, NULL);
    return TRUE;
}

// Several objects at once, and a thread handle with ZwWaitForSingleObject:
// waits too.
KDEFERRED_ROUTINE FooStopDpc;

VOID FooStopDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PVOID objects[2];

    objects[0] = &ext->IdleEvent;
    objects[1] = &ext->StopEvent;
    // CHECK: wait-at-dispatch.c:[[@LINE+2]]:5: warning: 'KeWaitForMultipleObjects' waits with an infinite timeout (NULL), but IRQL may be DISPATCH_LEVEL here, where a wait must not block; queue a work item and wait there [wait-at-dispatch]
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE-10]]:19: note: 'FooStopDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode, FALSE, NULL, NULL);
    // CHECK: wait-at-dispatch.c:[[@LINE+2]]:5: warning: 'ZwWaitForSingleObject' waits with an infinite timeout (NULL), but IRQL may be DISPATCH_LEVEL here, where a wait must not block; queue a work item and wait there [wait-at-dispatch]
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE-13]]:19: note: 'FooStopDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    ZwWaitForSingleObject(ext->Thread, FALSE, NULL);
}

// The timeout is zero on one path only, and overwritten by
// KeQuerySystemTime on another: neither wait is visibly a poll.
KDEFERRED_ROUTINE FooPollDpc;

VOID FooPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    LARGE_INTEGER timeout;

    if (ext->Stopping) {
        timeout.QuadPart = 0;
    } else {
        timeout.QuadPart = FOO_RELATIVE_MS(10);
    }
    // CHECK: wait-at-dispatch.c:[[@LINE+2]]:5: warning: 'KeWaitForSingleObject' waits with a timeout not known to be zero, but IRQL may be DISPATCH_LEVEL here, where a wait must not block; poll with a zero timeout, or queue a work item and wait there [wait-at-dispatch]
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE-13]]:19: note: 'FooPollDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, &timeout);

    timeout.QuadPart = 0;
    KeQuerySystemTime(&timeout);
    // CHECK: wait-at-dispatch.c:[[@LINE+2]]:5: warning: 'KeWaitForSingleObject' waits with a timeout not known to be zero, but IRQL may be DISPATCH_LEVEL here, where a wait must not block; poll with a zero timeout, or queue a work item and wait there [wait-at-dispatch]
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE-19]]:19: note: 'FooPollDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, &timeout);
}

// A work item runs at PASSIVE_LEVEL, but KeRaiseIrql raised it, and an
// in-stack queued spin lock raises it too.
IO_WORKITEM_ROUTINE FooSettleWorker;

VOID FooSettleWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    LARGE_INTEGER settle;
    KLOCK_QUEUE_HANDLE lockHandle;
    KIRQL oldIrql;

    settle.QuadPart = FOO_RELATIVE_MS(2);
    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    // CHECK: wait-at-dispatch.c:[[@LINE+2]]:5: warning: 'KeDelayExecutionThread' blocks the thread whatever its timeout, but IRQL may be DISPATCH_LEVEL here, where a wait must not block; queue a work item and wait there [wait-at-dispatch]
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE-2]]:5: note: IRQL raised to DISPATCH_LEVEL here
    KeDelayExecutionThread(KernelMode, FALSE, &settle);
    KeLowerIrql(oldIrql);

    KeAcquireInStackQueuedSpinLock(&ext->Lock, &lockHandle);
    // CHECK: wait-at-dispatch.c:[[@LINE+2]]:5: warning: 'KeWaitForSingleObject' waits with a non-zero timeout, but IRQL may be DISPATCH_LEVEL here, where a wait must not block; queue a work item and wait there [wait-at-dispatch]
    // CHECK-NEXT: wait-at-dispatch.c:[[@LINE-2]]:5: note: IRQL raised to DISPATCH_LEVEL here
    KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, &settle);
    KeReleaseInStackQueuedSpinLock(&lockHandle);
}

//===--------------------------------------------------------------------===//
// Clean look-alikes
//===--------------------------------------------------------------------===//

// The seed's fix: the DPC queues a work item; the work item runs at
// PASSIVE_LEVEL and may wait for as long as it likes.
IO_WORKITEM_ROUTINE FooStopWorker;

VOID FooStopWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    LARGE_INTEGER settle;

    KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, NULL); // no-warning
    settle.QuadPart = FOO_RELATIVE_MS(10);
    KeDelayExecutionThread(KernelMode, FALSE, &settle); // no-warning
    ZwWaitForSingleObject(ext->Thread, FALSE, NULL); // no-warning
}

// Polls with a zero timeout, written four ways, and in a loop: allowed at
// DISPATCH_LEVEL.
KDEFERRED_ROUTINE FooIdleDpc;

VOID FooIdleDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    LARGE_INTEGER noWait;
    LARGE_INTEGER zero = {0};
    LARGE_INTEGER none = {.QuadPart = 0};
    struct { LARGE_INTEGER Timeout; ULONG Tries; } poll = {0};
    ULONG spins = 0;

    noWait.QuadPart = 0; /* poll: never block in a DPC */
    if (KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, &noWait) == STATUS_TIMEOUT) { // no-warning
        IoQueueWorkItem(ext->WorkItem, FooStopWorker, DelayedWorkQueue, ext);
    }
    KeWaitForSingleObject(&ext->StopEvent, Executive, KernelMode, FALSE, &zero); // no-warning
    KeWaitForMutexObject(&ext->ConfigMutex, Executive, KernelMode, FALSE, &none); // no-warning
    KeWaitForSingleObject(&ext->StopEvent, Executive, KernelMode, FALSE, &poll.Timeout); // no-warning
    while (KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, &noWait) == STATUS_TIMEOUT) { // no-warning
        if (++spins > 4) {
            break;
        }
    }
}

// A helper that waits, called only from a dispatch routine.
static VOID FooWaitStopped(PDEVICE_EXTENSION ext)
{
    KeWaitForSingleObject(&ext->StopEvent, Executive, KernelMode, FALSE, NULL); // no-warning
}

// The wait comes after the lock is released (and before it is taken).
DRIVER_DISPATCH FooDispatchClose;

NTSTATUS FooDispatchClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    LARGE_INTEGER timeout;
    KIRQL oldIrql;

    FooWaitStopped(ext);
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ext->Stopping = TRUE;
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    timeout.QuadPart = FOO_RELATIVE_MS(100);
    KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, &timeout); // no-warning

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

// A helper shared by a DPC and a dispatch routine that waits only below
// DISPATCH_LEVEL, and polls otherwise.
static VOID FooDrain(PDEVICE_EXTENSION ext)
{
    LARGE_INTEGER zero;

    if (KeGetCurrentIrql() < DISPATCH_LEVEL) {
        KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, NULL); // no-warning
    } else {
        zero.QuadPart = 0;
        KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, &zero); // no-warning
    }
}

KDEFERRED_ROUTINE FooDrainDpc;

VOID FooDrainDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    FooDrain((PDEVICE_EXTENSION)Context);
}

DRIVER_DISPATCH FooDispatchCleanup;

NTSTATUS FooDispatchCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    FooDrain(DeviceObject->DeviceExtension);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

NTSTATUS FooAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    PDEVICE_EXTENSION ext;
    NTSTATUS status;

    status = IoCreateDevice(DriverObject, sizeof(DEVICE_EXTENSION), NULL,
                            FILE_DEVICE_UNKNOWN, 0, FALSE, &fdo);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    ext = fdo->DeviceExtension;
    ext->Self = fdo;
    IoInitializeDpcRequest(fdo, FooDpcForIsr);
    KeInitializeDpc(&ext->TimerDpc, FooWatchdogDpc, ext);
    return STATUS_SUCCESS;
}
