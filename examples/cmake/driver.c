/* driver.c - DriverEntry of the CMake example: connects the ISR of isr.c. */
#include "sample.h"

_Use_decl_annotations_
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT device;
    PSAMPLE_EXTENSION ext;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    status = IoCreateDevice(DriverObject, sizeof(SAMPLE_EXTENSION), NULL,
                            FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    ext = device->DeviceExtension;
    KeInitializeSpinLock(&ext->Lock);
    ext->Count = 0;
    return STATUS_SUCCESS;
}
