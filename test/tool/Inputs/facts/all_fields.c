// Every kind of fact at least once, so that the round-trip test covers every
// field of a facts file: SAL annotations of all kinds, role typedefs,
// _Function_class_, a static function, IRQL branches, a try-acquire
// condition, a stored callback and a call through it, constants, __try/__finally (linearized),
// assignments to locals (constant, not constant, through a pointer, a
// declaration), a string literal that is not UTF-8, code sections (a
// definition's and a prototype's), PAGED_CODE(), globals in data sections,
// memory accesses and pointer copies.
#include <ntddk.h>

typedef struct _EXT { KSPIN_LOCK Lock; PKDEFERRED_ROUTINE Callback; WORK_QUEUE_ITEM Item; KEVENT Event; } EXT, *PEXT;

static VOID Worker(PVOID Context) { UNREFERENCED_PARAMETER(Context); }

_IRQL_requires_min_(DISPATCH_LEVEL) _IRQL_requires_max_(HIGH_LEVEL)
_Requires_lock_held_(Ext->Lock)
VOID InOtherFile(PEXT Ext);

VOID Paged(PEXT Ext);
#pragma alloc_text(PAGE, Paged)
VOID Paged(PEXT Ext)
{
    PAGED_CODE();
    UNREFERENCED_PARAMETER(Ext);
}

__declspec(code_seg("PAGE")) VOID PagedInOtherFile(PEXT Ext);

KDEFERRED_ROUTINE Dpc;
_Function_class_(KDEFERRED_ROUTINE)
VOID Dpc(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    PEXT Ext = (PEXT)Context;
    UNREFERENCED_PARAMETER(D);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    if (!KeTryToAcquireSpinLockAtDpcLevel(&Ext->Lock))
        return;
    InOtherFile(Ext);
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
    PagedInOtherFile(Ext);
}

_IRQL_raises_(DISPATCH_LEVEL) _Acquires_lock_(Ext->Lock)
static VOID Lock(PEXT Ext, _IRQL_saves_ PKIRQL Old)
{
    KeAcquireSpinLock(&Ext->Lock, Old);
}

_Releases_lock_(Ext->Lock) _Requires_lock_not_held_(*Other)
static VOID Unlock(PEXT Ext, _IRQL_restores_ KIRQL Old, PKSPIN_LOCK Other)
{
    KeReleaseSpinLock(&Ext->Lock, Old);
    UNREFERENCED_PARAMETER(Other);
}

_IRQL_requires_(PASSIVE_LEVEL)
VOID Work(PEXT Ext, PKDPC KDpc)
{
    KIRQL old;
    LARGE_INTEGER timeout = {0};
    ULONG tries;
    if (KeGetCurrentIrql() >= DISPATCH_LEVEL)
        return;
    timeout.QuadPart = -10000;
    for (tries = 0; tries < 3; tries++)
        KeWaitForSingleObject(&Ext->Event, Executive, KernelMode, FALSE, &timeout);
    KeQuerySystemTime(&timeout);
    Ext->Callback = Dpc;
    Ext->Callback(KDpc, Ext, NULL, NULL);
    ExInitializeWorkItem(&Ext->Item, Worker, Ext);
    KeInitializeDpc(KDpc, Dpc, Ext);
    old = KeRaiseIrqlToDpcLevel();
    KeLowerIrql(old);
    Paged(Ext);
}

KSERVICE_ROUTINE IsrInOtherFile;

_IRQL_requires_max_(APC_LEVEL)
VOID Guarded(PEXT Ext)
{
    KIRQL old;
    Lock(Ext, &old);
    __try {
        DbgPrint("café %d\n", 42);
    } __finally {
        Unlock(Ext, old, NULL);
    }
}

_IRQL_saves_global_(QueuedSpinLock, Handle)
VOID SaveGlobal(PKLOCK_QUEUE_HANDLE Handle);
_IRQL_restores_global_(QueuedSpinLock, Handle)
VOID RestoreGlobal(PKLOCK_QUEUE_HANDLE Handle);

#pragma data_seg("PAGEDATA")
EXT PagedExt = {0};
#pragma data_seg()
#pragma bss_seg("PAGEBSS")
ULONG PagedCounter;
#pragma bss_seg()

VOID Touch(PEXT Ext)
{
    PEXT copy = Ext;
    PagedCounter++;
    copy->Callback = PagedExt.Callback;
}
