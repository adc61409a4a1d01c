// What the files of this driver share: their include block. The SAL
// annotations and PAGED_CODE below are read while the shared preamble is
// built, then replayed into each file.
#pragma once
#include <ntddk.h>

_IRQL_requires_max_(PASSIVE_LEVEL)
VOID PassiveOnly(VOID);

_IRQL_requires_(DISPATCH_LEVEL)
VOID AtDispatchOnly(VOID);

static __inline VOID PageableInline(VOID)
{
    PAGED_CODE();
}

extern KSPIN_LOCK DrvLock;
