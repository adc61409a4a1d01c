// In-source suppressions (suppress.test): each ISR calls KeAcquireSpinLock,
// irql-too-high (Code Analysis C28121), with one way of suppressing it or
// a look-alike that must not.
#include <ntddk.h>
KSPIN_LOCK Lock;
KSERVICE_ROUTINE PragmaAbove;
BOOLEAN PragmaAbove(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
#pragma warning(suppress: 28121)
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
KSERVICE_ROUTINE PragmaWrongNumber;
BOOLEAN PragmaWrongNumber(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
#pragma warning(suppress: 28120)
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
KSERVICE_ROUTINE PragmaTwoAbove;
BOOLEAN PragmaTwoAbove(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
#pragma warning(suppress: 28121)

    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
KSERVICE_ROUTINE PragmaDisable;
BOOLEAN PragmaDisable(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
#pragma warning(disable: 28121)
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
KSERVICE_ROUTINE PragmaList;
BOOLEAN PragmaList(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
#pragma warning(suppress: 4100 28121; disable: 4201)
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
KSERVICE_ROUTINE CommentTrailing;
BOOLEAN CommentTrailing(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    KeAcquireSpinLock(&Lock, &old); // irqlcheck-suppress(irql-too-high): held for two instructions
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
KSERVICE_ROUTINE CommentAbove;
BOOLEAN CommentAbove(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    // irqlcheck-suppress(irql-too-high): reviewed
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
KSERVICE_ROUTINE CommentWrongRule;
BOOLEAN CommentWrongRule(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    // irqlcheck-suppress(spinlock-leak): not this one
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
KSERVICE_ROUTINE CommentTwoRules;
BOOLEAN CommentTwoRules(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    /* irqlcheck-suppress(spinlock-leak, irql-too-high) */
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
KSERVICE_ROUTINE Stacked;
BOOLEAN Stacked(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    // irqlcheck-suppress(irql-too-high): the first of two
#pragma warning(suppress: 28167)
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
KSERVICE_ROUTINE TrailingOnLineAbove;
BOOLEAN TrailingOnLineAbove(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    (void)0; // irqlcheck-suppress(irql-too-high)
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
KSERVICE_ROUTINE InString;
BOOLEAN InString(PKINTERRUPT Interrupt, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    DbgPrint("// irqlcheck-suppress(irql-too-high)\n");
    KeAcquireSpinLock(&Lock, &old);
    KeReleaseSpinLock(&Lock, old);
    return TRUE;
}
