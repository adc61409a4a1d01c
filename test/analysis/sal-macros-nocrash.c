// SAL macros in odd places or with odd arguments: no crash, and nothing
// attached that was not written on a function.
// RUN: %irqlcheck %s -- %ddk_flags -w -include %S/Inputs/empty_sal.h
// RUN: %sal_dump %s -- %ddk_flags -w -include %S/Inputs/empty_sal.h | FileCheck %s --implicit-check-not=Foo
#include <ntddk.h>

#define FOO_FN(x) x
#define FOO_SELF FOO_SELF

// Inside a body, in a nested declaration, in an expression.
VOID FooBody(VOID)
{
    _IRQL_requires_max_(PASSIVE_LEVEL) VOID FooNested(VOID);
    int x = 0 _IRQL_requires_max_(PASSIVE_LEVEL);
    (void)x;
}

// A K&R definition with annotations in its identifier list (nobody's) and
// parameter declarations (the parameter's).
// CHECK: FooBody:{{$}}
// CHECK-NEXT: FooKnr: saves=$0{{$}}
int FooKnr(a, _IRQL_restores_ b) int b; _IRQL_saves_ int a;
{
    return a + b;
}

// Arguments that are empty, not constants, or not expandable by hand: the
// annotation says nothing (implicit-check-not).
_IRQL_requires_(
  /* nothing */ )
VOID FooEmpty(VOID);
_IRQL_requires_max_(FOO_FN(2)) VOID FooFnLike(VOID);
_IRQL_requires_max_(FOO_SELF) VOID FooSelf(VOID);
_IRQL_requires_max_(1 / 0) VOID FooDivZero(VOID);
_IRQL_requires_max_(99999999999999999999999) VOID FooHuge(VOID);
_IRQL_requires_max_("PASSIVE") VOID FooString(VOID);
// CHECK-NEXT: FooNegative (declaration): max=PASSIVE_LEVEL at=[[@LINE+1]]:30
_IRQL_requires_max_(-1) VOID FooNegative(VOID);
_IRQL_saves_global_(, ) VOID FooEmptyGlobal(VOID);
_Acquires_lock_( ) VOID FooEmptyLock(PKSPIN_LOCK Lock);
// CHECK-NEXT: FooWeirdLock (declaration): acquires=Lock + 1->? acquires=*Lock->->? acquires=[Lock]->? at=[[@LINE+1]]:82
_Acquires_lock_(Lock + 1 ) _Acquires_lock_(*Lock->) _Acquires_lock_([Lock]) VOID FooWeirdLock(PKSPIN_LOCK Lock);

// In a parameter list that has no parameters.
VOID FooVoid(_IRQL_saves_ VOID);


// SAL names redefined by the driver: object-like, variadic.
#undef _IRQL_requires_max_
#define _IRQL_requires_max_
#undef _Acquires_lock_
#define _Acquires_lock_(...)
_IRQL_requires_max_ VOID FooObjectLike(VOID);
// CHECK-NEXT: FooVariadic (declaration): acquires=a, b->? at=[[@LINE+1]]:28
_Acquires_lock_(a, b) VOID FooVariadic(VOID);


// At the end of the file, on nothing.
_IRQL_requires_(DISPATCH_LEVEL) _Use_decl_annotations_
