// __try/__except/__finally: clang builds no CFG for __finally, so such a
// function is checked in source order; __except bodies are ordinary code.
// Calls inside are still checked and nothing crashes.
// RUN: not %irqlcheck %s 2>&1 | FileCheck %s --implicit-check-not=warning:

#include <ntddk.h>

typedef struct _EXT { KSPIN_LOCK Lock; ULONG State; } EXT, *PEXT;

KDEFERRED_ROUTINE SehDpc;

VOID SehDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    PEXT ext = (PEXT)Context;

    __try {
        KeAcquireSpinLockAtDpcLevel(&ext->Lock);
        ext->State++;
    } __finally {
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    }
}

DRIVER_DISPATCH SehDispatch;

NTSTATUS SehDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PEXT ext = (PEXT)DeviceObject->DeviceExtension;

    __try {
        ProbeForRead(Irp->UserBuffer, 4, 1);
        // CHECK: try-except.c:[[@LINE+1]]:9: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
        KeAcquireSpinLockAtDpcLevel(&ext->Lock);
        // CHECK: try-except.c:[[@LINE+1]]:9: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
        KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Irp->IoStatus.Status = GetExceptionCode();
    }
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
