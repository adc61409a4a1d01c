// SAL lock annotations feed the lock analysis: _Requires_lock_held_ holds
// the lock on entry; _Acquires_lock_/_Releases_lock_ on a function with no
// body in the program are its effect at each call. Read the same with
// irqlcheck's SAL header and with SAL macros that expand to nothing.
// RUN: not %irqlcheck --no-source %s > %t.attr 2>&1
// RUN: FileCheck %s --input-file=%t.attr --implicit-check-not=warning: --implicit-check-not=note:
// RUN: not %irqlcheck --no-source %s -- %ddk_flags -w -include %S/Inputs/empty_sal.h > %t.empty 2>&1
// RUN: diff %t.attr %t.empty
#include <ntddk.h>
typedef struct _DEVICE_EXTENSION { KSPIN_LOCK Lock; LONG Count; } DEVICE_EXTENSION, *PDEVICE_EXTENSION;

_Requires_lock_held_(Ext->Lock)
static VOID Bump(PDEVICE_EXTENSION Ext)
{
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock);   // BAD: already held
    Ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
}

// Defined in another TU: only its annotations are known here.
_Acquires_lock_(Ext->Lock) _IRQL_raises_(DISPATCH_LEVEL)
VOID LockDevice(PDEVICE_EXTENSION Ext);
_Releases_lock_(Ext->Lock)
VOID UnlockDevice(PDEVICE_EXTENSION Ext);

KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Ctx, PVOID A1, PVOID A2)
{
    PDEVICE_EXTENSION ext = Ctx;
    LockDevice(ext);
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);   // BAD: held by LockDevice
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}

KDEFERRED_ROUTINE Dpc2;
VOID Dpc2(PKDPC D, PVOID Ctx, PVOID A1, PVOID A2)
{
    PDEVICE_EXTENSION ext = Ctx;
    LockDevice(ext);
    ext->Count++;
    UnlockDevice(ext);
    UnlockDevice(ext);                          // BAD: not held
}

// Clean look-alikes: the annotated pair used as a pair, and a helper that
// requires the lock called with it held.
KDEFERRED_ROUTINE Dpc3;
VOID Dpc3(PKDPC D, PVOID Ctx, PVOID A1, PVOID A2)
{
    PDEVICE_EXTENSION ext = Ctx;
    LockDevice(ext);
    ext->Count++;
    UnlockDevice(ext);
}

_Requires_lock_held_(*Lock)
static VOID Touch(PKSPIN_LOCK Lock, PDEVICE_EXTENSION Ext) { Ext->Count++; }

KDEFERRED_ROUTINE Dpc4;
VOID Dpc4(PKDPC D, PVOID Ctx, PVOID A1, PVOID A2)
{
    PDEVICE_EXTENSION ext = Ctx;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    Touch(&ext->Lock, ext);
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}

// Expected findings (line numbers refer to the code above).
// CHECK: {{^.*}}sal-locks.c:15:5: warning: acquiring spin lock 'Ext->Lock' that is already held [spinlock-double-acquire]
// CHECK-NEXT: {{^.*}}sal-locks.c:13:13: note: 'Bump' is annotated _Requires_lock_held_(Ext->Lock)
// CHECK: {{^.*}}sal-locks.c:31:5: warning: acquiring spin lock 'ext->Lock' that is already held [spinlock-double-acquire]
// CHECK-NEXT: {{^.*}}sal-locks.c:30:5: note: spin lock 'ext->Lock' acquired here
// CHECK: {{^.*}}sal-locks.c:42:5: warning: releasing spin lock 'Ext->Lock' that is not held [spinlock-not-held]
// CHECK-NEXT: {{^.*}}sal-locks.c:41:5: note: spin lock 'Ext->Lock' released here
