// A TU with a compile error in one function is reported as not compiling
// (exit 2, the file named), and the other TUs are still analysed.
// RUN: %irqlcheck %s %S/Inputs/other-tu.c > %t.out 2> %t.err; echo "exit=$?" >> %t.out
// RUN: FileCheck %s --check-prefix=OUT < %t.out
// RUN: FileCheck %s --check-prefix=ERR < %t.err
// OUT: other-tu.c:{{[0-9]+}}:5: warning: calling 'KeAcquireSpinLockAtDpcLevel' requires IRQL == DISPATCH_LEVEL, but IRQL may be PASSIVE_LEVEL here [irql-too-low]
// OUT: exit=2
// ERR: compile-error.c:[[@LINE+12]]:{{[0-9]+}}: error:
// ERR: irqlcheck: error: '{{.*}}compile-error.c' does not compile (1 error); not analysed

#include <ntddk.h>

VOID Good(PKSPIN_LOCK Lock)
{
    KeInitializeSpinLock(Lock);
}

VOID Broken(PKSPIN_LOCK Lock)
{
    KeInitializeSpinLock(Lock, 42);
}
