// stall-too-long: cases the tool gets wrong. Not run by lit (no RUN line;
// it lives under Inputs/). When a case is fixed, move it to
// ../stall-too-long.c.
//
// Reproduce: cd test/rules/Inputs && irqlcheck stall-too-long-fixme.c
// The "prints" lines below are that command's output for each function.

#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    PUCHAR Port;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// FIXME: stalls are judged one call at a time: ten stalls of 50
// microseconds in a loop keep the processor for 500 and are not reported.
// The tool prints nothing.
// It should print, at the KeStallExecutionProcessor call:
//   warning: 'KeStallExecutionProcessor' stalls the processor for 50 microseconds 10 times, ...
KDEFERRED_ROUTINE FooBitBangDpc;

VOID FooBitBangDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PDEVICE_EXTENSION ext = (PDEVICE_EXTENSION)Context;
    ULONG bit;

    for (bit = 0; bit < 10; bit++) {
        WRITE_PORT_UCHAR(ext->Port, (UCHAR)bit);
        KeStallExecutionProcessor(50);
    }
}

// FIXME: constants do not flow into callees: a helper that stalls for its
// parameter, called from a DPC with 500, is not reported.
// The tool prints nothing.
// It should print, at the KeStallExecutionProcessor call in FooStall:
//   warning: 'KeStallExecutionProcessor' stalls the processor for 500 microseconds, but IRQL may be DISPATCH_LEVEL here, ...
//   note: 'FooStall' is called with IRQL DISPATCH_LEVEL from 'FooResetDpc' here
static VOID FooStall(PDEVICE_EXTENSION ext, ULONG us)
{
    WRITE_PORT_UCHAR(ext->Port, 0);
    KeStallExecutionProcessor(us);
}

KDEFERRED_ROUTINE FooResetDpc;

VOID FooResetDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    FooStall((PDEVICE_EXTENSION)Context, 500);
}
