// DDI contracts from the area files of rules/ (sync, kernel, memory, io,
// registry-files, rtl, process-object, dma) at the wrong IRQL, next to
// look-alikes that are fine.
// RUN: not %irqlcheck --no-source %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:

#include <ntddk.h>
#include <ntstrsafe.h>

typedef struct _DEVICE_EXTENSION {
    KEVENT Event;
    ERESOURCE Resource;
    FAST_MUTEX Mutex;
    KSPIN_LOCK Lock;
    KDPC Dpc;
    HANDLE File;
    PFILE_OBJECT FileObject;
    PDEVICE_OBJECT Lower;
    PDMA_ADAPTER Adapter;
    PVOID Buffer;
    ULONG Length;
    WCHAR Name[32];
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

//===--------------------------------------------------------------------===//
// A DPC runs at DISPATCH_LEVEL.
//===--------------------------------------------------------------------===//
KDEFERRED_ROUTINE CtDpc;

VOID CtDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    PMDL mdl;
    PVOID p;

    // Registry and file handles: PASSIVE_LEVEL only.
    // CHECK: ddi-irql.c:[[@LINE+2]]:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: ddi-irql.c:{{[0-9]+}}:19: note: 'CtDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    ZwClose(ext->File);
    // Executive resources: APC_LEVEL at most.
    // CHECK: ddi-irql.c:[[@LINE+2]]:5: warning: calling 'ExAcquireResourceExclusiveLite' requires IRQL <= APC_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: ddi-irql.c:{{[0-9]+}}:19: note: 'CtDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    ExAcquireResourceExclusiveLite(&ext->Resource, TRUE);
    ExReleaseResourceLite(&ext->Resource); // no-warning: <= DISPATCH_LEVEL
    // Safe string functions: PASSIVE_LEVEL.
    // CHECK: ddi-irql.c:[[@LINE+2]]:5: warning: calling 'RtlStringCbPrintfW' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: ddi-irql.c:{{[0-9]+}}:19: note: 'CtDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    RtlStringCbPrintfW(ext->Name, sizeof(ext->Name), L"%u", ext->Length);
    // Building a synchronous IOCTL IRP: APC_LEVEL at most.
    // CHECK: ddi-irql.c:[[@LINE+2]]:5: warning: calling 'IoBuildDeviceIoControlRequest' requires IRQL <= APC_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: ddi-irql.c:{{[0-9]+}}:19: note: 'CtDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    IoBuildDeviceIoControlRequest(0, ext->Lower, NULL, 0, NULL, 0, FALSE,
                                  &ext->Event, NULL);
    // CHECK: ddi-irql.c:[[@LINE+2]]:5: warning: calling 'KeFlushQueuedDpcs' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: ddi-irql.c:{{[0-9]+}}:19: note: 'CtDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    KeFlushQueuedDpcs();

    // Fine at DISPATCH_LEVEL.
    KeSetEvent(&ext->Event, IO_NO_INCREMENT, FALSE);
    (void)KeReadStateEvent(&ext->Event);
    p = ExAllocatePoolWithTag(NonPagedPool, 64, 'tseT');
    mdl = IoAllocateMdl(p, 64, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(mdl);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(p, 'tseT');
    ObReferenceObject(ext->FileObject);
    ObDereferenceObject(ext->FileObject);
    (void)KeQueryPerformanceCounter(NULL);
    (void)PsGetCurrentProcessId();
}

//===--------------------------------------------------------------------===//
// An ISR runs at DIRQL.
//===--------------------------------------------------------------------===//
KSERVICE_ROUTINE CtIsr;

BOOLEAN CtIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    LARGE_INTEGER zero;

    // Macro spellings are reported as written. Even a zero-timeout poll
    // needs <= DISPATCH_LEVEL (a blocking wait is wait-at-dispatch's).
    zero.QuadPart = 0;
    // CHECK: ddi-irql.c:[[@LINE+2]]:5: warning: calling 'KeWaitForMutexObject' requires IRQL <= DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
    // CHECK-NEXT: ddi-irql.c:{{[0-9]+}}:18: note: 'CtIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    KeWaitForMutexObject(&ext->Event, Executive, KernelMode, FALSE, &zero);
    // CHECK: ddi-irql.c:[[@LINE+2]]:5: warning: calling 'ObDereferenceObject' requires IRQL <= DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
    // CHECK-NEXT: ddi-irql.c:{{[0-9]+}}:18: note: 'CtIsr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    ObDereferenceObject(ext->FileObject);

    // Fine at any IRQL.
    KeInsertQueueDpc(&ext->Dpc, NULL, NULL);
    KeStallExecutionProcessor(10);
    (void)KeGetCurrentProcessorNumberEx(NULL);
    return TRUE;
}

//===--------------------------------------------------------------------===//
// A dispatch routine runs at PASSIVE_LEVEL.
//===--------------------------------------------------------------------===//
DRIVER_DISPATCH CtDispatch;

NTSTATUS CtDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;
    KIRQL oldIrql;
    PDMA_OPERATIONS ops = ext->Adapter->DmaOperations;

    // A controller object is allocated at DISPATCH_LEVEL only.
    // CHECK: ddi-irql.c:[[@LINE+2]]:5: warning: calling 'IoAllocateController' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: ddi-irql.c:{{[0-9]+}}:17: note: 'CtDispatch' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
    IoAllocateController(NULL, DeviceObject, NULL, NULL);

    // A fast mutex raises to APC_LEVEL: no paged-pool-only or PASSIVE_LEVEL
    // routine until it is released.
    ExAcquireFastMutex(&ext->Mutex);
    // CHECK: ddi-irql.c:[[@LINE+2]]:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be APC_LEVEL here [irql-too-high]
    // CHECK-NEXT: ddi-irql.c:[[@LINE-2]]:5: note: IRQL raised to APC_LEVEL here
    ZwClose(ext->File);
    ExReleaseFastMutex(&ext->Mutex); // no-warning: at APC_LEVEL
    ZwClose(ext->File); // no-warning: back at PASSIVE_LEVEL

    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    // CHECK: ddi-irql.c:[[@LINE+2]]:5: warning: calling 'ExReleaseFastMutexUnsafe' requires IRQL <= APC_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: ddi-irql.c:[[@LINE-2]]:5: note: IRQL raised to DISPATCH_LEVEL here
    ExReleaseFastMutexUnsafe(&ext->Mutex);
    KeReleaseSpinLock(&ext->Lock, oldIrql);

    // Fine at PASSIVE_LEVEL.
    KeFlushQueuedDpcs();
    RtlStringCbPrintfW(ext->Name, sizeof(ext->Name), L"%u", ext->Length);
    ExAcquireResourceExclusiveLite(&ext->Resource, TRUE);
    ExReleaseResourceLite(&ext->Resource);

    // DMA_OPERATIONS routines are called through the adapter's table; the
    // contract is the field's.
    // CHECK: ddi-irql.c:[[@LINE+2]]:5: warning: calling 'ops->AllocateAdapterChannel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: ddi-irql.c:{{[0-9]+}}:17: note: 'CtDispatch' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
    ops->AllocateAdapterChannel(ext->Adapter, DeviceObject, 1, NULL, NULL);
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    ops->FreeAdapterChannel(ext->Adapter); // no-warning: at DISPATCH_LEVEL
    ext->Adapter->DmaOperations->FreeMapRegisters(ext->Adapter, NULL, 1); // no-warning
    KeReleaseSpinLock(&ext->Lock, oldIrql);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
