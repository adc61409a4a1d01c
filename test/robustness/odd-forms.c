// Valid but unusual C: switch fall-through, recursion and mutual recursion
// through function pointers, a computed function pointer, macros that wrap the spin lock routines, K&R
// definitions, variadic functions, GNU statement expressions, functions
// with no body. Each gives the finding it should and nothing else.
// RUN: not %irqlcheck %s 2>&1 | FileCheck %s --implicit-check-not=warning:

#include <ntddk.h>

typedef struct _EXT { KSPIN_LOCK Lock; ULONG State; VOID (*Next)(struct _EXT *, ULONG); } EXT, *PEXT;

// Macros around the lock routines: the finding names what the user wrote.
#define LOCK_EXT(e, o)   KeAcquireSpinLock(&(e)->Lock, (o))
#define UNLOCK_EXT(e, o) KeReleaseSpinLock(&(e)->Lock, (o))
#define LOCKED_INCREMENT(e) ({ KIRQL _o; LOCK_EXT(e, &_o); (e)->State++; UNLOCK_EXT(e, _o); (e)->State; })

// Switch fall-through: the lock is released on both paths.
static ULONG FallThrough(PEXT ext, ULONG how)
{
    KIRQL old;
    LOCK_EXT(ext, &old);
    switch (how) {
    case 0:
        ext->State = 0;
        /* fall through */
    case 1:
        ext->State++;
        UNLOCK_EXT(ext, old);
        break;
    default:
        UNLOCK_EXT(ext, old);
        break;
    }
    return ext->State;
}

// Recursion through a function pointer, and mutual recursion.
static VOID Ping(PEXT ext, ULONG n);
static VOID Pong(PEXT ext, ULONG n) { if (n) Ping(ext, n - 1); }
static VOID Ping(PEXT ext, ULONG n) { ext->Next = Pong; if (n) ext->Next(ext, n - 1); }

// A computed function pointer: a table indexed at run time.
static VOID (*const PingPong[2])(PEXT, ULONG) = { Ping, Pong };

// K&R definition.
static ULONG KandR(ext, n)
    PEXT ext;
    ULONG n;
{
    return ext->State + n;
}

// Variadic.
static ULONG Sum(ULONG count, ...)
{
    va_list ap;
    ULONG total = 0, i;
    va_start(ap, count);
    for (i = 0; i < count; i++)
        total += va_arg(ap, ULONG);
    va_end(ap);
    return total;
}

// No body anywhere in the program: calls to it have no effect.
VOID ExternalHelper(PEXT ext);

KSERVICE_ROUTINE OddIsr;

BOOLEAN OddIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    PEXT ext = (PEXT)Context;
    // The statement expression's lock, in an ISR.
    // One finding: after the acquire the IRQL is DISPATCH_LEVEL, which the
    // release requires.
    // CHECK: odd-forms.c:[[@LINE+1]]:12: warning: calling 'KeAcquireSpinLock' requires IRQL <= DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
    return LOCKED_INCREMENT(ext) != 0;
}

DRIVER_DISPATCH OddDispatch;

NTSTATUS OddDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PEXT ext = (PEXT)DeviceObject->DeviceExtension;

    Ping(ext, 3);
    PingPong[ext->State & 1](ext, 2);
    (void)FallThrough(ext, Sum(2, 1u, 2u));
    (void)KandR(ext, 1);
    ExternalHelper(ext);
    (void)LOCKED_INCREMENT(ext);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
