/* sample.h - shared by the files of the CMake example driver. */
#include <ntddk.h>

typedef struct _SAMPLE_EXTENSION {
    KSPIN_LOCK Lock;
    ULONG Count;
} SAMPLE_EXTENSION, *PSAMPLE_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
KSERVICE_ROUTINE SampleIsr;
