// wait-at-dispatch: cases the tool gets wrong. Not run by lit (no RUN line;
// it lives under Inputs/). When a case is fixed, move it to
// ../wait-at-dispatch.c.
//
// Reproduce: cd test/rules/Inputs && irqlcheck wait-at-dispatch-fixme.c
// The "prints" lines below are that command's output for each function.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KEVENT IdleEvent;
    BOOLEAN Stopping;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// FIXME: the timeout is zeroed through a pointer to it, or by
// RtlZeroMemory; only assignments to the variable itself (`t.QuadPart = 0`,
// `LARGE_INTEGER t = {0}`) are seen, so both polls are reported.
// The tool prints:
//   wait-at-dispatch-fixme.c:33:5: warning: 'KeWaitForSingleObject' waits with a timeout not known to be zero, but IRQL may be DISPATCH_LEVEL here, where a wait must not block; poll with a zero timeout, or queue a work item and wait there [wait-at-dispatch]
//   wait-at-dispatch-fixme.c:24:19: note: 'FooPointerPollDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
//   wait-at-dispatch-fixme.c:35:5: warning: 'KeWaitForSingleObject' waits with a timeout not known to be zero, but IRQL may be DISPATCH_LEVEL here, where a wait must not block; poll with a zero timeout, or queue a work item and wait there [wait-at-dispatch]
//   wait-at-dispatch-fixme.c:24:19: note: 'FooPointerPollDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
// It should print nothing.
KDEFERRED_ROUTINE FooPointerPollDpc;

VOID FooPointerPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    LARGE_INTEGER timeout;
    PLARGE_INTEGER pTimeout = &timeout;

    pTimeout->QuadPart = 0;
    KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, pTimeout);
    RtlZeroMemory(&timeout, sizeof(timeout));
    KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, &timeout);
}

// FIXME: a global timeout is never known: a zero-initialised global (or a
// const one) used for polling is reported.
// The tool prints:
//   wait-at-dispatch-fixme.c:52:5: warning: 'KeWaitForSingleObject' waits with a timeout not known to be zero, but IRQL may be DISPATCH_LEVEL here, where a wait must not block; poll with a zero timeout, or queue a work item and wait there [wait-at-dispatch]
//   wait-at-dispatch-fixme.c:46:19: note: 'FooGlobalPollDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
// It should print nothing.
static LARGE_INTEGER FooNoWait;

KDEFERRED_ROUTINE FooGlobalPollDpc;

VOID FooGlobalPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    KeWaitForSingleObject(&ext->IdleEvent, Executive, KernelMode, FALSE, &FooNoWait);
}

// FIXME: KeSetEvent with Wait = TRUE promises a wait right after the call
// (the caller must be at IRQL <= APC_LEVEL); the contract cannot say that
// the limit depends on an argument, so nothing is reported.
// It should print, at the KeSetEvent call:
//   warning: 'KeSetEvent' with Wait = TRUE must be followed by a wait, but IRQL may be DISPATCH_LEVEL here ...
KDEFERRED_ROUTINE FooSignalDpc;

VOID FooSignalDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;

    KeSetEvent(&ext->IdleEvent, IO_NO_INCREMENT, TRUE);
}
