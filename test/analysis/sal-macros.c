// SAL annotations are read the same whether the SAL macros expand to
// irqlcheck's `annotate` attributes (its own header, in the embedded default)
// or to nothing, as the real WDK's sal.h defines them under clang
// (Inputs/empty_sal.h): the preprocessor's record of the expansions is
// attached to the declarations by position.
//
// The embedded default, then the same flags with empty SAL macros:
// RUN: not %irqlcheck --no-source %s > %t.attr 2>&1
// RUN: FileCheck %s --input-file=%t.attr --implicit-check-not=warning: --implicit-check-not=note:
// RUN: not %irqlcheck --no-source %s -- %ddk_flags -w -include %S/Inputs/empty_sal.h > %t.empty 2>&1
// RUN: FileCheck %s --input-file=%t.empty --implicit-check-not=warning: --implicit-check-not=note:
// RUN: diff %t.attr %t.empty
//
// The plugin, with empty SAL macros, with irqlcheck's header, and with the
// mingw headers' own (empty) SAL macros alone:
// RUN: %clang -fsyntax-only -fno-caret-diagnostics -fplugin=%plugin %ddk_flags -include %S/Inputs/empty_sal.h %s > %t.plugin-empty 2>&1
// RUN: FileCheck %s --input-file=%t.plugin-empty --implicit-check-not=warning: --implicit-check-not=note:
// RUN: %clang -fsyntax-only -fno-caret-diagnostics -fplugin=%plugin %ddk_flags -include %sal_header %s > %t.plugin-attr 2>&1
// RUN: diff %t.plugin-attr %t.plugin-empty
// RUN: %clang -fsyntax-only -fno-caret-diagnostics -fplugin=%plugin %ddk_flags %s > %t.plugin-mingw 2>&1
// RUN: diff %t.plugin-attr %t.plugin-mingw
#include <ntddk.h>

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK Lock;
    HANDLE LogFile;
    ULONG Count;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

// Helpers defined in another TU: only their annotations say what they need
// and what they do.
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID FooFlushLog(_In_ PDEVICE_EXTENSION Ext);

__drv_maxIRQL(PASSIVE_LEVEL)
VOID FooLegacyFlush(_In_ PDEVICE_EXTENSION Ext);

// The saved IRQL goes through the second parameter.
_IRQL_requires_max_(DISPATCH_LEVEL)
_IRQL_raises_(DISPATCH_LEVEL)
VOID FooRaise(_In_ PDEVICE_EXTENSION Ext, _Out_ _IRQL_saves_ PKIRQL OldIrql);

_IRQL_requires_(DISPATCH_LEVEL)
VOID FooLower(_In_ PDEVICE_EXTENSION Ext, _In_ _IRQL_restores_ KIRQL OldIrql);

// Defined below with _Use_decl_annotations_.
_IRQL_requires_(DISPATCH_LEVEL)
VOID FooCountLocked(_In_ PDEVICE_EXTENSION Ext);

_IRQL_requires_max_(APC_LEVEL)
VOID FooResetCount(_In_ PDEVICE_EXTENSION Ext);

// A function annotated _IRQL_requires_max_(PASSIVE_LEVEL), called from a DPC.
KDEFERRED_ROUTINE FooDpc;
VOID FooDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    PDEVICE_EXTENSION Ext = Context;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    // CHECK: sal-macros.c:[[@LINE+2]]:5: warning: calling 'FooFlushLog' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: sal-macros.c:[[@LINE-8]]:19: note: 'FooDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    FooFlushLog(Ext);
    // CHECK-NEXT: sal-macros.c:[[@LINE+2]]:5: warning: calling 'FooLegacyFlush' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: sal-macros.c:[[@LINE-11]]:19: note: 'FooDpc' is a DPC routine (declared as KDEFERRED_ROUTINE), which runs at DISPATCH_LEVEL
    FooLegacyFlush(Ext);
    FooCountLocked(Ext); // no-warning
}

// The saved IRQL is restored: back at PASSIVE_LEVEL after FooLower.
DRIVER_DISPATCH FooDispatch;
NTSTATUS FooDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION Ext = DeviceObject->DeviceExtension;
    KIRQL OldIrql;
    UNREFERENCED_PARAMETER(Irp);
    FooFlushLog(Ext); // no-warning
    FooRaise(Ext, &OldIrql);
    FooCountLocked(Ext); // no-warning
    FooLower(Ext, OldIrql);
    FooFlushLog(Ext); // no-warning
    FooResetCount(Ext); // no-warning
    // CHECK-NEXT: sal-macros.c:[[@LINE+2]]:5: warning: calling 'FooCountLocked' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
    // CHECK-NEXT: sal-macros.c:[[@LINE-13]]:17: note: 'FooDispatch' is a dispatch routine (declared as DRIVER_DISPATCH), which runs at PASSIVE_LEVEL
    FooCountLocked(Ext);
    return STATUS_SUCCESS;
}

// A function annotated _IRQL_requires_(DISPATCH_LEVEL): its body is checked
// at DISPATCH_LEVEL.
_IRQL_requires_(DISPATCH_LEVEL)
VOID FooDrain(PDEVICE_EXTENSION Ext)
{
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock); // no-warning
    Ext->Count = 0;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock); // no-warning
    // CHECK-NEXT: sal-macros.c:[[@LINE+2]]:5: warning: calling 'ZwClose' requires IRQL == PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: sal-macros.c:[[@LINE-6]]:6: note: 'FooDrain' is annotated _IRQL_requires_(DISPATCH_LEVEL), so it runs at DISPATCH_LEVEL
    ZwClose(Ext->LogFile);
}

// _Use_decl_annotations_: the prototype's annotation holds for the body, and
// the note points at the prototype, where it is written.
_Use_decl_annotations_
VOID FooCountLocked(PDEVICE_EXTENSION Ext)
{
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock); // no-warning
    Ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock); // no-warning
}

_Use_decl_annotations_
VOID FooResetCount(PDEVICE_EXTENSION Ext)
{
    // CHECK-NEXT: sal-macros.c:[[@LINE+2]]:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
    // CHECK-NEXT: sal-macros.c:[[@LINE-65]]:6: note: 'FooResetCount' is annotated _IRQL_requires_max_(APC_LEVEL), so it runs at PASSIVE_LEVEL or APC_LEVEL
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock);
    Ext->Count = 0;
    // CHECK-NEXT: sal-macros.c:[[@LINE+2]]:5: warning: calling 'KeReleaseSpinLockFromDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL or APC_LEVEL here [irql-too-low]
    // CHECK-NEXT: sal-macros.c:[[@LINE-69]]:6: note: 'FooResetCount' is annotated _IRQL_requires_max_(APC_LEVEL), so it runs at PASSIVE_LEVEL or APC_LEVEL
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
}

// _Function_class_ gives the role.
_Function_class_(KDEFERRED_ROUTINE)
VOID FooClassDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    PDEVICE_EXTENSION Ext = Context;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock); // no-warning
    Ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock); // no-warning
    // CHECK-NEXT: sal-macros.c:[[@LINE+2]]:5: warning: calling 'FooFlushLog' requires IRQL <= PASSIVE_LEVEL, but IRQL may be DISPATCH_LEVEL here [irql-too-high]
    // CHECK-NEXT: sal-macros.c:[[@LINE-10]]:6: note: 'FooClassDpc' is a DPC routine (annotated _Function_class_(KDEFERRED_ROUTINE)), which runs at DISPATCH_LEVEL
    FooFlushLog(Ext);
}

_Function_class_(DRIVER_DISPATCH)
NTSTATUS FooClassDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Irp);
    FooFlushLog(DeviceObject->DeviceExtension); // no-warning
    return STATUS_SUCCESS;
}

// The plugin built with ASan cannot be loaded into clang-19.
// UNSUPPORTED: asan
