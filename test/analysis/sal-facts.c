// The Annotations the extractor reads: the same from irqlcheck's header
// (attributes and macros), from its attributes alone, and from empty SAL
// macros alone. Lock expressions are resolved to object paths.
// RUN: %sal_dump %s -- %ddk_flags -w -include %sal_header -I %S/Inputs > %t.both
// RUN: FileCheck %s --input-file=%t.both --implicit-check-not=Foo
// RUN: %sal_dump --attributes-only %s -- %ddk_flags -w -include %sal_header -I %S/Inputs > %t.attr
// RUN: diff %t.both %t.attr
// RUN: %sal_dump %s -- %ddk_flags -w -include %S/Inputs/empty_sal.h -I %S/Inputs > %t.empty
// RUN: diff %t.both %t.empty
// Without the expansions, empty macros leave nothing (the test can fail):
// RUN: %sal_dump --attributes-only %s -- %ddk_flags -w -include %S/Inputs/empty_sal.h -I %S/Inputs | FileCheck %s --check-prefix=NONE
// NONE-NOT: max=
// NONE-NOT: acquires=
#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    union {
        KSPIN_LOCK AnonLock;
        ULONG Flags;
    };
    struct {
        KSPIN_LOCK Inner;
    } Queue;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

KSPIN_LOCK g_FooLock, g_FooOtherLock;
static KSPIN_LOCK s_FooLock;
enum { FOO_LEVEL = 2 };

#include "sal-facts.h"

// Functions are listed first (definitions), then declarations.

// The annotations of the prototype, which has other parameter names.
// CHECK: FooWithDecl: max=DISPATCH_LEVEL saves=$1 acquires=*SpinLock->*$0 at=[[@LINE+3]]:6
_IRQL_requires_max_(DISPATCH_LEVEL)
_Acquires_lock_(*SpinLock)
VOID FooWithDecl(_Inout_ PKSPIN_LOCK SpinLock, _Out_ _IRQL_saves_ PKIRQL OldIrql);
_Use_decl_annotations_
VOID FooWithDecl(PKSPIN_LOCK L, PKIRQL O)
{
    KeAcquireSpinLock(L, O);
}

// A K&R definition.
// CHECK-NEXT: FooKnr: max=APC_LEVEL at=[[@LINE+2]]:5
_IRQL_requires_max_(APC_LEVEL)
int FooKnr(a, b) int a; int b;
{
    return a + b;
}

// Annotations inside the body belong to nobody.
// CHECK-NEXT: FooBody:{{$}}
VOID FooBody(VOID)
{
    _Analysis_assume_(TRUE);
}

// CHECK-NEXT: FooHeaderLocked (declaration): max=APC_LEVEL held=Ext->Lock->_DEVICE_EXTENSION::Lock at=4:6

// Lock expressions: parameters, what they point to, fields through a
// pointer (by struct tag, into anonymous and nested members), globals.
// CHECK-NEXT: FooLocks (declaration): acquires=Ext->Lock->_DEVICE_EXTENSION::Lock releases=Ext->AnonLock->_DEVICE_EXTENSION::AnonLock held=*Lock->*$1 held=g_FooLock->g_FooLock held=s_FooLock->{{.*}}sal-facts.c::s_FooLock held=Lock->$1 not_held=Ext->Queue.Inner->_DEVICE_EXTENSION::Queue.Inner not_held=(*Ext).Lock->*$0.Lock at=[[@LINE+4]]:6
_Acquires_lock_(Ext->Lock) _Releases_lock_(Ext->AnonLock)
_Requires_lock_held_(*Lock) _Requires_lock_held_(g_FooLock) _Requires_lock_held_(s_FooLock) _Requires_lock_held_(Lock)
_Requires_lock_not_held_(Ext->Queue.Inner) _Requires_lock_not_held_((*Ext).Lock)
VOID FooLocks(_Inout_ PDEVICE_EXTENSION Ext, _In_ PKSPIN_LOCK Lock);

// Names the extractor cannot resolve keep their text only.
// CHECK-NEXT: FooOpaqueLocks (declaration): acquires=_Global_cancel_spin_lock_->? releases=Ext->NoSuchField->? held=Ext[0]->? at=[[@LINE+2]]:6
_Acquires_lock_(_Global_cancel_spin_lock_) _Releases_lock_(Ext->NoSuchField) _Requires_lock_held_(Ext[0])
VOID FooOpaqueLocks(_In_ PDEVICE_EXTENSION Ext);

// Each lock once, however often it is named.
// CHECK-NEXT: FooTwice (declaration): acquires=*Lock->*$0 at=[[@LINE+2]]:6
_Acquires_lock_(*Lock) _Acquires_lock_(*Lock) _Acquires_lock_( * Lock )
VOID FooTwice(PKSPIN_LOCK Lock);

// The driver's own macro bringing SAL annotations.
// CHECK-NEXT: FooMacroAnnotated (declaration): requires=DISPATCH_LEVEL acquires=g_FooLock->g_FooLock acquires=g_FooOtherLock->g_FooOtherLock at=[[@LINE+1]]:21
FOO_DPC_HELPER VOID FooMacroAnnotated(VOID);

// IRQL arguments: names, numbers, casts, arithmetic, enumerators, the
// legacy and always_function spellings.
// CHECK-NEXT: FooLegacy (declaration): max=DISPATCH_LEVEL min=APC_LEVEL raises=DISPATCH_LEVEL at=[[@LINE+1]]:81
__drv_minIRQL(APC_LEVEL) __drv_maxIRQL(DISPATCH_LEVEL) __drv_raisesIRQL(2) VOID FooLegacy(VOID);
// CHECK-NEXT: FooRequiresLegacy (declaration): requires=DISPATCH_LEVEL at=[[@LINE+1]]:41
__drv_requiresIRQL(DISPATCH_LEVEL) VOID FooRequiresLegacy(VOID);
// CHECK-NEXT: FooCast (declaration): max=DISPATCH_LEVEL at=[[@LINE+1]]:51
_IRQL_requires_max_((KIRQL)(DISPATCH_LEVEL)) VOID FooCast(VOID);
// CHECK-NEXT: FooEnum (declaration): min=DISPATCH_LEVEL at=[[@LINE+1]]:37
_IRQL_requires_min_(FOO_LEVEL) VOID FooEnum(VOID);
// CHECK-NEXT: FooArith (declaration): max=DIRQL at=[[@LINE+1]]:42
_IRQL_requires_max_(HIGH_LEVEL - 1) VOID FooArith(VOID);
// CHECK-NEXT: FooHigh (declaration): max=HIGH_LEVEL at=[[@LINE+1]]:38
_IRQL_requires_max_(HIGH_LEVEL) VOID FooHigh(VOID);
// CHECK-NEXT: FooAlways (declaration): max=DISPATCH_LEVEL min=DISPATCH_LEVEL at=[[@LINE+1]]:92
_IRQL_always_function_min_(DISPATCH_LEVEL) _IRQL_always_function_max_(DISPATCH_LEVEL) VOID FooAlways(VOID);

// Parameter annotations belong to the parameter they precede, or follow
// before the next comma; IRQL annotations inside the list are the
// parameter's, not the function's.
// CHECK-NEXT: FooRestores (declaration): restores=$2 at=[[@LINE+1]]:6
VOID FooRestores(PVOID A, _In_ _IRQL_requires_max_(APC_LEVEL) PVOID B, _In_ _IRQL_restores_ KIRQL Old);
// CHECK-NEXT: FooSavesAfter (declaration): saves=$0 at=[[@LINE+1]]:6
VOID FooSavesAfter(PKIRQL Old _IRQL_saves_, int X);
// _IRQL_saves_ on the function is about its return value.
// CHECK-NEXT: FooSavesReturn (declaration): raises=DISPATCH_LEVEL at=[[@LINE+1]]:60
_IRQL_saves_ _IRQL_raises_(DISPATCH_LEVEL) KIRQL __stdcall FooSavesReturn(PKSPIN_LOCK Lock);

// Saved and restored through a parameter named in the annotation.
// CHECK-NEXT: FooSavesGlobal (declaration): saves_global=QueuedSpinLock@$1 at=[[@LINE+2]]:6
_IRQL_saves_global_(QueuedSpinLock, LockHandle)
VOID FooSavesGlobal(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle);
// CHECK-NEXT: FooRestoresGlobal (declaration): restores_global=QueuedSpinLock@$0 at=[[@LINE+2]]:6
_IRQL_restores_global_(QueuedSpinLock, LockHandle)
VOID FooRestoresGlobal(PKLOCK_QUEUE_HANDLE LockHandle);
// CHECK-NEXT: FooLegacyGlobal (declaration): saves_global=OldIrql@$0 restores_global=OldIrql@$-1 at=[[@LINE+1]]:83
__drv_savesIRQLGlobal(OldIrql, Irql) __drv_restoresIRQLGlobal(OldIrql, Nope) VOID FooLegacyGlobal(PKIRQL Irql);

// A trailing annotation belongs to the declarator before the comma.
// CHECK-NEXT: FooFirst (declaration): max=DISPATCH_LEVEL at=[[@LINE+2]]:6
// CHECK-NEXT: FooSecond (declaration): max=PASSIVE_LEVEL at=[[@LINE+1]]:93
VOID FooFirst(VOID) _IRQL_requires_max_(DISPATCH_LEVEL), _IRQL_requires_max_(PASSIVE_LEVEL) FooSecond(VOID);

// Not on a function: a typedef, a field, a disabled block.
typedef _IRQL_requires_max_(DISPATCH_LEVEL) VOID FOO_CALLBACK(VOID);
struct FooOps {
    _IRQL_requires_max_(PASSIVE_LEVEL) VOID (*Open)(VOID);
};
#if 0
_IRQL_requires_max_(PASSIVE_LEVEL)
#endif
VOID FooPlain(VOID);
