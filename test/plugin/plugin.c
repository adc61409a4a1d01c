// The clang plugin reports the tool's findings as clang diagnostics.
// RUN: %clang -fsyntax-only -fno-caret-diagnostics -fplugin=%plugin %ddk_flags -include %sal_header %s 2>&1 | FileCheck %s --implicit-check-not=warning: --implicit-check-not=note:
// It also runs during a real -c compile, which still produces the object.
// RUN: rm -f %t.o && %clang -c -o %t.o -fplugin=%plugin %ddk_flags -include %sal_header %s 2>&1 | FileCheck %s --check-prefix=OBJ
// RUN: test -f %t.o
// OBJ: warning: {{.*}}[irql-too-high]
// Plugin arguments select rules.
// RUN: %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-irqlcheck-disable=irql-too-high,spinlock-leak %ddk_flags -include %sal_header %s 2>&1 | count 0
// RUN: not %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-irqlcheck-enable=no-such-rule %ddk_flags %s 2>&1 | FileCheck %s --check-prefix=BADRULE
// BADRULE: error: irqlcheck: unknown rule 'no-such-rule' (see --list-rules)
// RUN: not %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-irqlcheck-colour=blue %ddk_flags %s 2>&1 | FileCheck %s --check-prefix=BADARG
// BADARG: error: irqlcheck: unknown plugin argument 'colour=blue' (expected enable=, disable=, rules= or facts=PATH)
#include <ntddk.h>

KSPIN_LOCK DeviceLock;

KSERVICE_ROUTINE Isr;
BOOLEAN Isr(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    // CHECK: plugin.c:[[@LINE+2]]:5: warning: calling 'KeAcquireSpinLock' requires IRQL <= DISPATCH_LEVEL, but IRQL may be DIRQL here [irql-too-high]
    // CHECK: plugin.c:[[@LINE-7]]:18: note: 'Isr' is an interrupt service routine (declared as KSERVICE_ROUTINE), which runs at DIRQL
    KeAcquireSpinLock(&DeviceLock, &old);
    KeReleaseSpinLock(&DeviceLock, old);
    return TRUE;
}

KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A1, PVOID A2)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(D);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KeAcquireSpinLock(&DeviceLock, &old);
    if (A1 == NULL)
        // CHECK: plugin.c:[[@LINE+2]]:9: warning: 'Dpc' returns with spin lock 'DeviceLock' held [spinlock-leak]
        // CHECK: plugin.c:[[@LINE-3]]:5: note: spin lock 'DeviceLock' acquired here
        return;
    KeReleaseSpinLock(&DeviceLock, old);
}

// The plugin built with ASan cannot be loaded into clang-19.
// UNSUPPORTED: asan
