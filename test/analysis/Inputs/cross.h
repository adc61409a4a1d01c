#include <ntddk.h>

typedef struct _CROSS_EXTENSION {
    KSPIN_LOCK Lock;
    KSPIN_LOCK FifoLock;
    LONG Count;
    HANDLE Log;
} CROSS_EXTENSION, *PCROSS_EXTENSION;

VOID DrainFifo(PCROSS_EXTENSION Ext);
VOID LogState(PCROSS_EXTENSION Ext);
