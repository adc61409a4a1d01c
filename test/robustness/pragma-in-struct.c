// A Microsoft pragma inside a struct body (a `}` gone missing before a
// `#pragma alloc_text`): clang rejects it, and the TU is reported as not
// compiling, with exit 2 and the other TU still analysed. clang 19 leaks
// the pragma's tokens there; in the sanitizer build that leak is
// suppressed by test/lsan.supp, which needs full stacks
// (fast_unwind_on_malloc=0), so without that entry this test fails there.
// Found by test/stress/stress.py (a mutated reference driver).
// RUN: env ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0" %irqlcheck --no-source %s %S/Inputs/other-tu.c > %t.out 2> %t.err; echo "exit=$?" >> %t.out
// RUN: FileCheck %s --check-prefix=OUT < %t.out
// RUN: FileCheck %s --check-prefix=ERR < %t.err
// OUT: other-tu.c:{{[0-9]+}}:5: warning: {{.*}}[irql-too-low]
// OUT: exit=2
// ERR: pragma-in-struct.c:[[@LINE+8]]:9: error: this pragma cannot appear in struct declaration
// ERR: irqlcheck: error: '{{.*}}pragma-in-struct.c' does not compile (1 error); not analysed
// ERR-NOT: LeakSanitizer

#include <ntddk.h>

struct Ext {
    KSPIN_LOCK Lock;
#pragma alloc_text(PAGE, Unload)
};

VOID Unload(PDRIVER_OBJECT Driver) { UNREFERENCED_PARAMETER(Driver); }
