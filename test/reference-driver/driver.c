/*
 * driver.c - DriverEntry, AddDevice, Unload, PnP and power for RefUart.
 *
 * Everything that runs only at PASSIVE_LEVEL during initialization and PnP
 * transitions is pageable. Pageable code never takes a spin lock itself and
 * never raises IRQL: it calls the resident helpers (RefTrackDevice,
 * RefFlushReadQueue, RefAbortTransmitForStop, KeSynchronizeExecution
 * routines) for that.
 */
#include "refdrv.h"

/* {6A3C2F1E-8B4D-4C1A-9E37-5D210B6F4490} */
const GUID GUID_DEVINTERFACE_REFUART = {
    0x6a3c2f1e, 0x8b4d, 0x4c1a, { 0x9e, 0x37, 0x5d, 0x21, 0x0b, 0x6f, 0x44, 0x90 }
};

/*
 * Driver-wide defaults. Read only by pageable code at PASSIVE_LEVEL (AddDevice
 * copies them into the device extension), so they live in a pageable data
 * section.
 */
#ifdef ALLOC_DATA_PRAGMA
#pragma data_seg("PAGEDATA")
#endif
REF_DRIVER_DEFAULTS RefDefaults = {
    { 115200, 8, REF_PARITY_NONE, 1, REF_LINE_FLAG_DTR },
    0,
    REF_DEFAULT_TX_STALL_TICKS
};
#ifdef REFDRV_BUG_SPINLOCK_IN_PAGED_MEMORY
KSPIN_LOCK RefGlobalLock = 0;
#endif
#ifdef ALLOC_DATA_PRAGMA
#pragma data_seg()
#endif

/* Resident driver-wide state: RefGlobalLock guards the device list. */
#ifndef REFDRV_BUG_SPINLOCK_IN_PAGED_MEMORY
KSPIN_LOCK RefGlobalLock = 0;
#endif
LIST_ENTRY RefGlobalDeviceList;
ULONG RefGlobalDeviceCount;

/* Service key path; the buffer is PagedPool, used at PASSIVE_LEVEL only. */
UNICODE_STRING RefRegistryPath;
static volatile LONG RefNextInstance;

static const WCHAR RefLogFilePrefix[] = L"\\SystemRoot\\Temp\\RefUart";

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS
RefForwardIrpSynchronously(_In_ PREF_DEVICE_EXTENSION DevExt, _Inout_ PIRP Irp);

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS
RefQueryRegistryUlong(_In_ HANDLE Key, _In_ PCWSTR ValueName, _Out_ PULONG Value);

_IRQL_requires_max_(PASSIVE_LEVEL)
static VOID
RefReadRegistryDefaults(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(PASSIVE_LEVEL)
static VOID
RefInitializeLogState(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS
RefParseResources(_Inout_ PREF_DEVICE_EXTENSION DevExt,
                  _In_ PCM_RESOURCE_LIST Raw,
                  _In_ PCM_RESOURCE_LIST Translated);

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS
RefProbeHardware(_In_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS
RefAllocateEventRecords(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(PASSIVE_LEVEL)
static VOID
RefReleaseHardware(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS
RefStartDevice(_Inout_ PREF_DEVICE_EXTENSION DevExt,
               _In_opt_ PCM_RESOURCE_LIST Raw,
               _In_opt_ PCM_RESOURCE_LIST Translated);

_IRQL_requires_max_(PASSIVE_LEVEL)
static VOID
RefStopDevice(_Inout_ PREF_DEVICE_EXTENSION DevExt);

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS
RefRemoveDevice(_Inout_ PREF_DEVICE_EXTENSION DevExt, _Inout_ PIRP Irp);

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS
RefPassDown(_In_ PREF_DEVICE_EXTENSION DevExt, _Inout_ PIRP Irp);

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, RefUnload)
#pragma alloc_text(PAGE, RefAddDevice)
#pragma alloc_text(PAGE, RefDispatchPnp)
#pragma alloc_text(PAGE, RefDispatchSystemControl)
#pragma alloc_text(PAGE, RefValidateLineControl)
#pragma alloc_text(PAGE, RefForwardIrpSynchronously)
#pragma alloc_text(PAGE, RefQueryRegistryUlong)
#pragma alloc_text(PAGE, RefReadRegistryDefaults)
#pragma alloc_text(PAGE, RefInitializeLogState)
#pragma alloc_text(PAGE, RefParseResources)
#pragma alloc_text(PAGE, RefProbeHardware)
#pragma alloc_text(PAGE, RefAllocateEventRecords)
#pragma alloc_text(PAGE, RefReleaseHardware)
#pragma alloc_text(PAGE, RefStartDevice)
#pragma alloc_text(PAGE, RefStopDevice)
#pragma alloc_text(PAGE, RefRemoveDevice)
#pragma alloc_text(PAGE, RefPassDown)
#endif

/* ------------------------------------------------------------------------ */
/* DriverEntry / Unload                                                     */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PAGED_CODE();

    KeInitializeSpinLock(&RefGlobalLock);
    InitializeListHead(&RefGlobalDeviceList);
    RefGlobalDeviceCount = 0;
    RefNextInstance = 0;

    /* Keep a copy of the service key path; only used at PASSIVE_LEVEL. */
    RefRegistryPath.Length = 0;
    RefRegistryPath.MaximumLength = RegistryPath->Length + sizeof(WCHAR);
    RefRegistryPath.Buffer = (PWCH)ExAllocatePoolWithTag(PagedPool,
                                                         RefRegistryPath.MaximumLength,
                                                         REF_POOL_TAG);
    if (RefRegistryPath.Buffer == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlCopyUnicodeString(&RefRegistryPath, RegistryPath);
    RefRegistryPath.Buffer[RefRegistryPath.Length / sizeof(WCHAR)] = UNICODE_NULL;

    DriverObject->MajorFunction[IRP_MJ_CREATE] = RefDispatchCreate;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = RefDispatchClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = RefDispatchCleanup;
    DriverObject->MajorFunction[IRP_MJ_READ] = RefDispatchRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = RefDispatchWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = RefDispatchDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_PNP] = RefDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = RefDispatchPower;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = RefDispatchSystemControl;
    DriverObject->DriverStartIo = RefStartIo;
    DriverObject->DriverExtension->AddDevice = RefAddDevice;
    DriverObject->DriverUnload = RefUnload;

    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
RefUnload(PDRIVER_OBJECT DriverObject)
{
    PAGED_CODE();
    UNREFERENCED_PARAMETER(DriverObject);

    /* PnP removed every device before the driver can be unloaded. */
    ASSERT(IsListEmpty(&RefGlobalDeviceList));

    if (RefRegistryPath.Buffer != NULL) {
        ExFreePoolWithTag(RefRegistryPath.Buffer, REF_POOL_TAG);
        RefRegistryPath.Buffer = NULL;
        RefRegistryPath.Length = 0;
        RefRegistryPath.MaximumLength = 0;
    }
}

/* ------------------------------------------------------------------------ */
/* Driver-wide device list (resident: takes RefGlobalLock)                  */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
VOID
RefTrackDevice(PREF_DEVICE_EXTENSION DevExt)
{
    KIRQL oldIrql;

    KeAcquireSpinLock(&RefGlobalLock, &oldIrql);
    InsertTailList(&RefGlobalDeviceList, &DevExt->GlobalLink);
    RefGlobalDeviceCount++;
    KeReleaseSpinLock(&RefGlobalLock, oldIrql);
}

_Use_decl_annotations_
VOID
RefUntrackDevice(PREF_DEVICE_EXTENSION DevExt)
{
    KIRQL oldIrql;

    KeAcquireSpinLock(&RefGlobalLock, &oldIrql);
    if (!IsListEmpty(&DevExt->GlobalLink)) {
        RemoveEntryList(&DevExt->GlobalLink);
        InitializeListHead(&DevExt->GlobalLink);
        RefGlobalDeviceCount--;
    }
    KeReleaseSpinLock(&RefGlobalLock, oldIrql);
}

_Use_decl_annotations_
ULONG
RefQueryDeviceCount(VOID)
{
    KIRQL oldIrql;
    ULONG count;

    KeAcquireSpinLock(&RefGlobalLock, &oldIrql);
    count = RefGlobalDeviceCount;
    KeReleaseSpinLock(&RefGlobalLock, oldIrql);
    return count;
}

/* ------------------------------------------------------------------------ */
/* AddDevice                                                                */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
NTSTATUS
RefValidateLineControl(const REF_LINE_CONTROL *LineControl)
{
    ULONG divisor;

    PAGED_CODE();

    if (LineControl->BaudRate == 0 || LineControl->BaudRate > REF_UART_CLOCK_HZ / 16) {
        return STATUS_INVALID_PARAMETER;
    }
    divisor = (REF_UART_CLOCK_HZ / 16) / LineControl->BaudRate;
    if (divisor == 0 || divisor > 0xFFFF) {
        return STATUS_INVALID_PARAMETER;
    }
    /* Reject rates that the divisor cannot hit within 3 %. */
    if ((REF_UART_CLOCK_HZ / 16) / divisor > LineControl->BaudRate + LineControl->BaudRate / 33 ||
        (REF_UART_CLOCK_HZ / 16) / divisor < LineControl->BaudRate - LineControl->BaudRate / 33) {
        return STATUS_INVALID_PARAMETER;
    }
    if (LineControl->DataBits < 5 || LineControl->DataBits > 8) {
        return STATUS_INVALID_PARAMETER;
    }
    if (LineControl->Parity > REF_PARITY_SPACE) {
        return STATUS_INVALID_PARAMETER;
    }
    if (LineControl->StopBits != 1 && LineControl->StopBits != 2) {
        return STATUS_INVALID_PARAMETER;
    }
    if ((LineControl->Flags & ~REF_LINE_FLAG_VALID) != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
static NTSTATUS
RefQueryRegistryUlong(HANDLE Key, PCWSTR ValueName, PULONG Value)
{
    UNICODE_STRING name;
    PKEY_VALUE_PARTIAL_INFORMATION info;
    ULONG infoLength;
    ULONG resultLength;
    NTSTATUS status;

    PAGED_CODE();

    *Value = 0;
    RtlInitUnicodeString(&name, ValueName);

    infoLength = FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data) + sizeof(ULONG);
    info = (PKEY_VALUE_PARTIAL_INFORMATION)ExAllocatePoolWithTag(PagedPool, infoLength, REF_POOL_TAG);
    if (info == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    status = ZwQueryValueKey(Key, &name, KeyValuePartialInformation, info, infoLength, &resultLength);
    if (NT_SUCCESS(status)) {
        if (info->Type == REG_DWORD && info->DataLength == sizeof(ULONG)) {
            RtlCopyMemory(Value, info->Data, sizeof(ULONG));
        } else {
            status = STATUS_OBJECT_TYPE_MISMATCH;
        }
    }

    ExFreePoolWithTag(info, REF_POOL_TAG);
    return status;
}

_Use_decl_annotations_
static VOID
RefReadRegistryDefaults(PREF_DEVICE_EXTENSION DevExt)
{
    OBJECT_ATTRIBUTES attributes;
    HANDLE key;
    ULONG value;
    REF_LINE_CONTROL lineControl;
    NTSTATUS status;

    PAGED_CODE();

    lineControl = RefDefaults.LineControl;
    DevExt->ReadTimeoutMs = RefDefaults.ReadTimeoutMs;
    DevExt->TxStallLimitTicks = RefDefaults.TxStallLimitTicks;

    /* Driver-wide overrides under the service key ... */
    InitializeObjectAttributes(&attributes, &RefRegistryPath,
                               OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    status = ZwOpenKey(&key, KEY_READ, &attributes);
    if (NT_SUCCESS(status)) {
        if (NT_SUCCESS(RefQueryRegistryUlong(key, L"DefaultBaudRate", &value))) {
            lineControl.BaudRate = value;
        }
        if (NT_SUCCESS(RefQueryRegistryUlong(key, L"DefaultReadTimeoutMs", &value))) {
            DevExt->ReadTimeoutMs = value;
        }
        ZwClose(key);
    }

    /* ... then per-device settings from the device's hardware key. */
    status = IoOpenDeviceRegistryKey(DevExt->Pdo, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &key);
    if (NT_SUCCESS(status)) {
        if (NT_SUCCESS(RefQueryRegistryUlong(key, L"BaudRate", &value))) {
            lineControl.BaudRate = value;
        }
        if (NT_SUCCESS(RefQueryRegistryUlong(key, L"DataBits", &value))) {
            lineControl.DataBits = (UCHAR)value;
        }
        if (NT_SUCCESS(RefQueryRegistryUlong(key, L"Parity", &value))) {
            lineControl.Parity = (UCHAR)value;
        }
        if (NT_SUCCESS(RefQueryRegistryUlong(key, L"StopBits", &value))) {
            lineControl.StopBits = (UCHAR)value;
        }
        if (NT_SUCCESS(RefQueryRegistryUlong(key, L"Rs485", &value)) && value != 0) {
            lineControl.Flags |= REF_LINE_FLAG_RS485;
        }
        if (NT_SUCCESS(RefQueryRegistryUlong(key, L"ReadTimeoutMs", &value))) {
            DevExt->ReadTimeoutMs = value;
        }
        if (NT_SUCCESS(RefQueryRegistryUlong(key, L"TxStallTicks", &value)) && value != 0) {
            DevExt->TxStallLimitTicks = value;
        }
        ZwClose(key);
    }

    if (!NT_SUCCESS(RefValidateLineControl(&lineControl))) {
        KdPrint(("RefUart: invalid line settings in the registry, using defaults\n"));
        lineControl = RefDefaults.LineControl;
    }

    /* The device is not visible yet: no lock needed. */
    DevExt->Config = lineControl;
    DevExt->ActiveConfig = lineControl;
}

_Use_decl_annotations_
static VOID
RefInitializeLogState(PREF_DEVICE_EXTENSION DevExt)
{
    PREF_LOG_STATE log = DevExt->LogState;
    ULONG instance = DevExt->InstanceNumber;
    WCHAR digits[10];
    ULONG count = 0;
    ULONG i;

    PAGED_CODE();

    RtlZeroMemory(log, sizeof(*log));
    log->File = NULL;
    log->FileName.Buffer = log->FileNameBuffer;
    log->FileName.Length = 0;
    log->FileName.MaximumLength = sizeof(log->FileNameBuffer);

    /* "\SystemRoot\Temp\RefUart<instance>.log" */
    RtlAppendUnicodeToString(&log->FileName, RefLogFilePrefix);
    do {
        digits[count++] = (WCHAR)(L'0' + instance % 10);
        instance /= 10;
    } while (instance != 0 && count < RTL_NUMBER_OF(digits));
    for (i = count; i > 0; i--) {
        if (log->FileName.Length + sizeof(WCHAR) <= log->FileName.MaximumLength) {
            log->FileName.Buffer[log->FileName.Length / sizeof(WCHAR)] = digits[i - 1];
            log->FileName.Length += sizeof(WCHAR);
        }
    }
    RtlAppendUnicodeToString(&log->FileName, L".log");
}

_Use_decl_annotations_
NTSTATUS
RefAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT fdo = NULL;
    PREF_DEVICE_EXTENSION devExt;
    NTSTATUS status;

    PAGED_CODE();

    status = IoCreateDevice(DriverObject,
                            sizeof(REF_DEVICE_EXTENSION),
                            NULL,
                            FILE_DEVICE_SERIAL_PORT,
                            FILE_DEVICE_SECURE_OPEN,
                            TRUE,
                            &fdo);
    if (!NT_SUCCESS(status)) {
        return status;
    }

    /* IoCreateDevice zeroes the extension. */
    devExt = (PREF_DEVICE_EXTENSION)fdo->DeviceExtension;
    devExt->Signature = REF_EXTENSION_SIGNATURE;
    devExt->Self = fdo;
    devExt->Pdo = PhysicalDeviceObject;
    devExt->InstanceNumber = (ULONG)InterlockedIncrement(&RefNextInstance) - 1;
    devExt->PnpState = RefPnpNotStarted;
    devExt->PreviousPnpState = RefPnpNotStarted;
    devExt->DevicePower = PowerDeviceD0;
    InitializeListHead(&devExt->GlobalLink);

    IoInitializeRemoveLock(&devExt->RemoveLock, REF_POOL_TAG, 0, 0);

    /* Lock storage lives in the (nonpaged) device extension. */
    KeInitializeSpinLock(&devExt->EventListLock);
    KeInitializeSpinLock(&devExt->ReadQueueLock);
    KeInitializeSpinLock(&devExt->StateLock);
    KeInitializeSpinLock(&devExt->LogListLock);
    InitializeListHead(&devExt->EventFreeList);
    InitializeListHead(&devExt->EventList);
    InitializeListHead(&devExt->ReadQueue);
    InitializeListHead(&devExt->LogList);

    KeInitializeEvent(&devExt->TxIdleEvent, NotificationEvent, TRUE);
    KeInitializeEvent(&devExt->WorkItemIdleEvent, NotificationEvent, TRUE);

    IoInitializeDpcRequest(fdo, RefDpcForIsr);
    KeInitializeDpc(&devExt->ErrorDpc, RefErrorDpc, devExt);
    KeInitializeThreadedDpc(&devExt->RxThreadedDpc, RefRxThreadedDpc, devExt);
    KeInitializeTimer(&devExt->WatchdogTimer);
    KeInitializeDpc(&devExt->WatchdogDpc, RefWatchdogDpc, devExt);

    devExt->WorkItem = IoAllocateWorkItem(fdo);
    if (devExt->WorkItem == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Fail;
    }

    /* Log file state is only used by the work item at PASSIVE_LEVEL. */
    devExt->LogState = (PREF_LOG_STATE)ExAllocatePoolWithTag(PagedPool, sizeof(REF_LOG_STATE), REF_POOL_TAG);
    if (devExt->LogState == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Fail;
    }
    RefInitializeLogState(devExt);

    RefReadRegistryDefaults(devExt);

    status = IoRegisterDeviceInterface(PhysicalDeviceObject, &GUID_DEVINTERFACE_REFUART, NULL,
                                       &devExt->InterfaceName);
    if (!NT_SUCCESS(status)) {
        goto Fail;
    }

    devExt->LowerDevice = IoAttachDeviceToDeviceStack(fdo, PhysicalDeviceObject);
    if (devExt->LowerDevice == NULL) {
        status = STATUS_NO_SUCH_DEVICE;
        goto Fail;
    }

    /*
     * Completing a packet from StartIo calls IoStartNextPacket; defer the
     * next StartIo call instead of recursing into it.
     */
    IoSetStartIoAttributes(fdo, TRUE, FALSE);

    /* Power IRPs are handled by resident code: DO_POWER_PAGABLE stays clear. */
    fdo->Flags |= DO_BUFFERED_IO;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;

    RefTrackDevice(devExt);
    return STATUS_SUCCESS;

Fail:
    if (devExt->InterfaceName.Buffer != NULL) {
        RtlFreeUnicodeString(&devExt->InterfaceName);
    }
    if (devExt->LogState != NULL) {
        ExFreePoolWithTag(devExt->LogState, REF_POOL_TAG);
        devExt->LogState = NULL;
    }
    if (devExt->WorkItem != NULL) {
        IoFreeWorkItem(devExt->WorkItem);
        devExt->WorkItem = NULL;
    }
    IoDeleteDevice(fdo);
    return status;
}

/* ------------------------------------------------------------------------ */
/* PnP                                                                      */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
NTSTATUS
RefSignalEventCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);

    if (Irp->PendingReturned) {
        KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    }
    /* The dispatch routine finishes the IRP. */
    return STATUS_MORE_PROCESSING_REQUIRED;
}

_Use_decl_annotations_
static NTSTATUS
RefForwardIrpSynchronously(PREF_DEVICE_EXTENSION DevExt, PIRP Irp)
{
    KEVENT event;
    NTSTATUS status;

    PAGED_CODE();

    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, RefSignalEventCompletion, &event, TRUE, TRUE, TRUE);

    status = IoCallDriver(DevExt->LowerDevice, Irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        status = Irp->IoStatus.Status;
    }
    return status;
}

_Use_decl_annotations_
static NTSTATUS
RefPassDown(PREF_DEVICE_EXTENSION DevExt, PIRP Irp)
{
    NTSTATUS status;

    PAGED_CODE();

    IoSkipCurrentIrpStackLocation(Irp);
    status = IoCallDriver(DevExt->LowerDevice, Irp);
    IoReleaseRemoveLock(&DevExt->RemoveLock, Irp);
    return status;
}

_Use_decl_annotations_
static NTSTATUS
RefParseResources(PREF_DEVICE_EXTENSION DevExt, PCM_RESOURCE_LIST Raw, PCM_RESOURCE_LIST Translated)
{
    PCM_PARTIAL_RESOURCE_LIST rawList;
    PCM_PARTIAL_RESOURCE_LIST list;
    PCM_PARTIAL_RESOURCE_DESCRIPTOR desc;
    PCM_PARTIAL_RESOURCE_DESCRIPTOR rawDesc;
    BOOLEAN haveRegisters = FALSE;
    BOOLEAN haveInterrupt = FALSE;
    ULONG i;

    PAGED_CODE();

    if (Raw->Count == 0 || Translated->Count == 0) {
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }
    rawList = &Raw->List[0].PartialResourceList;
    list = &Translated->List[0].PartialResourceList;
    if (rawList->Count != list->Count) {
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }

    for (i = 0; i < list->Count; i++) {
        desc = &list->PartialDescriptors[i];
        rawDesc = &rawList->PartialDescriptors[i];

        switch (desc->Type) {
        case CmResourceTypePort:
            if (haveRegisters || desc->u.Port.Length < REF_REGISTER_SPAN) {
                break;
            }
            if (desc->Flags & CM_RESOURCE_PORT_MEMORY) {
                /* I/O ports translated to memory space on this platform. */
                DevExt->Registers = (PUCHAR)MmMapIoSpace(desc->u.Port.Start, REF_REGISTER_SPAN, MmNonCached);
                if (DevExt->Registers == NULL) {
                    return STATUS_INSUFFICIENT_RESOURCES;
                }
                DevExt->RegistersMapped = TRUE;
                DevExt->PortIo = FALSE;
            } else {
                DevExt->Registers = (PUCHAR)(ULONG_PTR)desc->u.Port.Start.QuadPart;
                DevExt->RegistersMapped = FALSE;
                DevExt->PortIo = TRUE;
            }
            DevExt->RegisterSpan = REF_REGISTER_SPAN;
            haveRegisters = TRUE;
            KdPrint(("RefUart: registers at bus address %08lx\n", rawDesc->u.Port.Start.LowPart));
            break;

        case CmResourceTypeMemory:
            if (haveRegisters || desc->u.Memory.Length < REF_REGISTER_SPAN) {
                break;
            }
            DevExt->Registers = (PUCHAR)MmMapIoSpace(desc->u.Memory.Start, REF_REGISTER_SPAN, MmNonCached);
            if (DevExt->Registers == NULL) {
                return STATUS_INSUFFICIENT_RESOURCES;
            }
            DevExt->RegisterSpan = REF_REGISTER_SPAN;
            DevExt->RegistersMapped = TRUE;
            DevExt->PortIo = FALSE;
            haveRegisters = TRUE;
            break;

        case CmResourceTypeInterrupt:
            if (haveInterrupt) {
                break;
            }
            if (rawDesc->Type != CmResourceTypeInterrupt) {
                /* The raw and translated lists must describe the same resources. */
                return STATUS_DEVICE_CONFIGURATION_ERROR;
            }
            DevExt->InterruptVector = desc->u.Interrupt.Vector;
            DevExt->InterruptIrql = (KIRQL)desc->u.Interrupt.Level;
            DevExt->InterruptAffinity = desc->u.Interrupt.Affinity;
            DevExt->InterruptMode =
                (desc->Flags & CM_RESOURCE_INTERRUPT_LATCHED) ? Latched : LevelSensitive;
            DevExt->InterruptShared = (BOOLEAN)(desc->ShareDisposition == CmResourceShareShared);
            haveInterrupt = TRUE;
            KdPrint(("RefUart: raw interrupt level %u vector %u\n",
                     rawDesc->u.Interrupt.Level, rawDesc->u.Interrupt.Vector));
            break;

        default:
            break;
        }
    }

    if (!haveRegisters || !haveInterrupt) {
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
static NTSTATUS
RefProbeHardware(PREF_DEVICE_EXTENSION DevExt)
{
    LARGE_INTEGER settle;
    UCHAR lsr;

    PAGED_CODE();

    /* The interrupt is not connected yet: direct register access is safe. */
    RefWriteRegister(DevExt, REF_REG_IER, 0);
    RefWriteRegister(DevExt, REF_REG_MCR, 0);

    RefWriteRegister(DevExt, REF_REG_SCR, 0x5A);
    if (RefReadRegister(DevExt, REF_REG_SCR) != 0x5A) {
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }
    RefWriteRegister(DevExt, REF_REG_SCR, 0xA5);
    if (RefReadRegister(DevExt, REF_REG_SCR) != 0xA5) {
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    }

    RefWriteRegister(DevExt, REF_REG_FCR, REF_FCR_ENABLE | REF_FCR_RX_RESET | REF_FCR_TX_RESET);

    /* Give the FIFOs a millisecond to settle; we are at PASSIVE_LEVEL. */
    settle.QuadPart = REF_RELATIVE_MS(1);
    KeDelayExecutionThread(KernelMode, FALSE, &settle);

    lsr = RefReadRegister(DevExt, REF_REG_LSR);
    if ((lsr & REF_LSR_THR_EMPTY) == 0) {
        return STATUS_DEVICE_NOT_READY;
    }
    (VOID)RefReadRegister(DevExt, REF_REG_RBR);
    (VOID)RefReadRegister(DevExt, REF_REG_MSR);
    (VOID)RefReadRegister(DevExt, REF_REG_IIR);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
static NTSTATUS
RefAllocateEventRecords(PREF_DEVICE_EXTENSION DevExt)
{
    ULONG i;

    PAGED_CODE();

    /* The ISR takes these at DIRQL: nonpaged. */
    DevExt->EventRecords = (PREF_EVENT_RECORD)ExAllocatePoolWithTag(
        NonPagedPoolNx, sizeof(REF_EVENT_RECORD) * REF_EVENT_RECORD_COUNT, REF_POOL_TAG);
    if (DevExt->EventRecords == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlZeroMemory(DevExt->EventRecords, sizeof(REF_EVENT_RECORD) * REF_EVENT_RECORD_COUNT);

    /* Not shared with anyone until the interrupt is connected. */
    InitializeListHead(&DevExt->EventFreeList);
    InitializeListHead(&DevExt->EventList);
    for (i = 0; i < REF_EVENT_RECORD_COUNT; i++) {
        InsertTailList(&DevExt->EventFreeList, &DevExt->EventRecords[i].Link);
    }
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
static VOID
RefReleaseHardware(PREF_DEVICE_EXTENSION DevExt)
{
    PAGED_CODE();

    if (DevExt->EventRecords != NULL) {
        InitializeListHead(&DevExt->EventFreeList);
        InitializeListHead(&DevExt->EventList);
        ExFreePoolWithTag(DevExt->EventRecords, REF_POOL_TAG);
        DevExt->EventRecords = NULL;
    }
    if (DevExt->RegistersMapped && DevExt->Registers != NULL) {
        MmUnmapIoSpace(DevExt->Registers, DevExt->RegisterSpan);
    }
    DevExt->Registers = NULL;
    DevExt->RegistersMapped = FALSE;
    DevExt->PortIo = FALSE;
}

_Use_decl_annotations_
static NTSTATUS
RefStartDevice(PREF_DEVICE_EXTENSION DevExt, PCM_RESOURCE_LIST Raw, PCM_RESOURCE_LIST Translated)
{
    LARGE_INTEGER dueTime;
    NTSTATUS status;

    PAGED_CODE();

    if (Raw == NULL || Translated == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    status = RefParseResources(DevExt, Raw, Translated);
    if (!NT_SUCCESS(status)) {
        goto Fail;
    }

    status = RefProbeHardware(DevExt);
    if (!NT_SUCCESS(status)) {
        goto Fail;
    }

    status = RefAllocateEventRecords(DevExt);
    if (!NT_SUCCESS(status)) {
        goto Fail;
    }

    status = IoConnectInterrupt(&DevExt->Interrupt,
                                RefIsr,
                                DevExt,
                                NULL,
                                DevExt->InterruptVector,
                                DevExt->InterruptIrql,
                                DevExt->InterruptIrql,
                                DevExt->InterruptMode,
                                DevExt->InterruptShared,
                                DevExt->InterruptAffinity,
                                FALSE);
    if (!NT_SUCCESS(status)) {
        DevExt->Interrupt = NULL;
        goto Fail;
    }

    /* Program the UART and unmask its interrupts under the interrupt lock. */
    KeSynchronizeExecution(DevExt->Interrupt, RefSyncInitializeHardware, DevExt);

    RtlZeroMemory(&DevExt->Watchdog, sizeof(DevExt->Watchdog));
    InterlockedExchange(&DevExt->AcceptingRequests, 1);

    dueTime.QuadPart = REF_RELATIVE_MS(REF_WATCHDOG_PERIOD_MS);
    KeSetTimer(&DevExt->WatchdogTimer, dueTime, &DevExt->WatchdogDpc);

    status = IoSetDeviceInterfaceState(&DevExt->InterfaceName, TRUE);
    if (!NT_SUCCESS(status)) {
        KdPrint(("RefUart: IoSetDeviceInterfaceState failed %08x\n", status));
        RefStopDevice(DevExt);
        return status;
    }
    return STATUS_SUCCESS;

Fail:
    if (DevExt->Interrupt != NULL) {
        KeSynchronizeExecution(DevExt->Interrupt, RefSyncDisableInterrupts, DevExt);
        IoDisconnectInterrupt(DevExt->Interrupt);
        DevExt->Interrupt = NULL;
    }
    RefReleaseHardware(DevExt);
    return status;
}

_Use_decl_annotations_
static VOID
RefStopDevice(PREF_DEVICE_EXTENSION DevExt)
{
    LARGE_INTEGER timeout;
    NTSTATUS status;

    PAGED_CODE();

    if (DevExt->Interrupt == NULL) {
        return;
    }

    /* No new requests; StartIo fails whatever is still queued. */
    InterlockedExchange(&DevExt->AcceptingRequests, 0);

    /* Let the write in progress drain (the watchdog bounds it). */
    timeout.QuadPart = REF_RELATIVE_MS(REF_STOP_TX_DRAIN_MS);
    status = KeWaitForSingleObject(&DevExt->TxIdleEvent, Executive, KernelMode, FALSE, &timeout);
    if (status == STATUS_TIMEOUT) {
        RefAbortTransmitForStop(DevExt);
    }

    KeCancelTimer(&DevExt->WatchdogTimer);
    KeSynchronizeExecution(DevExt->Interrupt, RefSyncDisableInterrupts, DevExt);

    /* Wait for every DPC that may still touch the device, then re-cancel the
     * timer in case a watchdog pass re-armed it before it saw the flag. */
    KeFlushQueuedDpcs();
    KeCancelTimer(&DevExt->WatchdogTimer);

    KeWaitForSingleObject(&DevExt->WorkItemIdleEvent, Executive, KernelMode, FALSE, NULL);

    IoDisconnectInterrupt(DevExt->Interrupt);
    DevExt->Interrupt = NULL;

    RefFlushReadQueue(DevExt, NULL, STATUS_CANCELLED);
    RefReleaseHardware(DevExt);
}

_Use_decl_annotations_
static NTSTATUS
RefRemoveDevice(PREF_DEVICE_EXTENSION DevExt, PIRP Irp)
{
    PDEVICE_OBJECT fdo = DevExt->Self;
    PLIST_ENTRY entry;
    NTSTATUS status;

    PAGED_CODE();

    if (DevExt->PnpState != RefPnpSurpriseRemoved) {
        RefStopDevice(DevExt);
        if (DevExt->InterfaceName.Buffer != NULL) {
            IoSetDeviceInterfaceState(&DevExt->InterfaceName, FALSE);
        }
    }
    DevExt->PreviousPnpState = DevExt->PnpState;
    DevExt->PnpState = RefPnpDeleted;
    InterlockedExchange(&DevExt->AcceptingRequests, 0);

    /* Queued reads hold the remove lock: fail them before waiting for it. */
    RefFlushReadQueue(DevExt, NULL, STATUS_DELETE_PENDING);

    /* Wait for every request (and the work item) that holds the remove lock. */
    IoReleaseRemoveLockAndWait(&DevExt->RemoveLock, Irp);

    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoSkipCurrentIrpStackLocation(Irp);
    status = IoCallDriver(DevExt->LowerDevice, Irp);

    RefCloseLogFile(DevExt);
    while ((entry = ExInterlockedRemoveHeadList(&DevExt->LogList, &DevExt->LogListLock)) != NULL) {
        ExFreePoolWithTag(CONTAINING_RECORD(entry, REF_LOG_ENTRY, Link), REF_POOL_TAG);
    }

    RefUntrackDevice(DevExt);
    IoDetachDevice(DevExt->LowerDevice);
    DevExt->LowerDevice = NULL;

    if (DevExt->WorkItem != NULL) {
        IoFreeWorkItem(DevExt->WorkItem);
        DevExt->WorkItem = NULL;
    }
    if (DevExt->LogState != NULL) {
        ExFreePoolWithTag(DevExt->LogState, REF_POOL_TAG);
        DevExt->LogState = NULL;
    }
    if (DevExt->InterfaceName.Buffer != NULL) {
        RtlFreeUnicodeString(&DevExt->InterfaceName);
    }
    IoDeleteDevice(fdo);
    return status;
}

_Use_decl_annotations_
NTSTATUS
RefDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;

    PAGED_CODE();

    status = IoAcquireRemoveLock(&devExt->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        Irp->IoStatus.Status = status;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = RefForwardIrpSynchronously(devExt, Irp);
        if (NT_SUCCESS(status)) {
            status = RefStartDevice(devExt,
                                    stack->Parameters.StartDevice.AllocatedResources,
                                    stack->Parameters.StartDevice.AllocatedResourcesTranslated);
            if (NT_SUCCESS(status)) {
                devExt->PreviousPnpState = devExt->PnpState;
                devExt->PnpState = RefPnpStarted;
            }
        }
        Irp->IoStatus.Status = status;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        IoReleaseRemoveLock(&devExt->RemoveLock, Irp);
        return status;

    case IRP_MN_QUERY_STOP_DEVICE:
        devExt->PreviousPnpState = devExt->PnpState;
        devExt->PnpState = RefPnpStopPending;
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return RefPassDown(devExt, Irp);

    case IRP_MN_CANCEL_STOP_DEVICE:
        if (devExt->PnpState == RefPnpStopPending) {
            devExt->PnpState = devExt->PreviousPnpState;
        }
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return RefPassDown(devExt, Irp);

    case IRP_MN_STOP_DEVICE:
        RefStopDevice(devExt);
        devExt->PreviousPnpState = devExt->PnpState;
        devExt->PnpState = RefPnpStopped;
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return RefPassDown(devExt, Irp);

    case IRP_MN_QUERY_REMOVE_DEVICE:
        if (devExt->OpenCount != 0) {
            status = STATUS_DEVICE_BUSY;
            Irp->IoStatus.Status = status;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            IoReleaseRemoveLock(&devExt->RemoveLock, Irp);
            return status;
        }
        devExt->PreviousPnpState = devExt->PnpState;
        devExt->PnpState = RefPnpRemovePending;
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return RefPassDown(devExt, Irp);

    case IRP_MN_CANCEL_REMOVE_DEVICE:
        if (devExt->PnpState == RefPnpRemovePending) {
            devExt->PnpState = devExt->PreviousPnpState;
        }
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return RefPassDown(devExt, Irp);

    case IRP_MN_SURPRISE_REMOVAL:
        devExt->PreviousPnpState = devExt->PnpState;
        devExt->PnpState = RefPnpSurpriseRemoved;
        RefStopDevice(devExt);
        if (devExt->InterfaceName.Buffer != NULL) {
            IoSetDeviceInterfaceState(&devExt->InterfaceName, FALSE);
        }
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return RefPassDown(devExt, Irp);

    case IRP_MN_REMOVE_DEVICE:
        return RefRemoveDevice(devExt, Irp);

    default:
        return RefPassDown(devExt, Irp);
    }
}

_Use_decl_annotations_
NTSTATUS
RefDispatchSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    NTSTATUS status;

    PAGED_CODE();

    /* No WMI provider of our own: pass everything down. */
    status = IoAcquireRemoveLock(&devExt->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    return RefPassDown(devExt, Irp);
}

/* ------------------------------------------------------------------------ */
/* Power (resident: DO_POWER_PAGABLE is clear)                              */
/* ------------------------------------------------------------------------ */

_Use_decl_annotations_
NTSTATUS
RefPowerUpCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)Context;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);

    if (NT_SUCCESS(Irp->IoStatus.Status)) {
        devExt->DevicePower = PowerDeviceD0;
        if (devExt->Interrupt != NULL) {
            /* The bus restored power: reprogram the UART. */
            KeSynchronizeExecution(devExt->Interrupt, RefSyncInitializeHardware, devExt);
        }
        PoSetPowerState(DeviceObject, DevicePowerState, stack->Parameters.Power.State);
    }

    PoStartNextPowerIrp(Irp);
    IoReleaseRemoveLock(&devExt->RemoveLock, Irp);
    return STATUS_CONTINUE_COMPLETION;
}

_Use_decl_annotations_
NTSTATUS
RefDispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PREF_DEVICE_EXTENSION devExt = (PREF_DEVICE_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    DEVICE_POWER_STATE newState;
    NTSTATUS status;

    status = IoAcquireRemoveLock(&devExt->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        PoStartNextPowerIrp(Irp);
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }

    if (stack->MinorFunction == IRP_MN_SET_POWER &&
        stack->Parameters.Power.Type == DevicePowerState) {
        newState = stack->Parameters.Power.State.DeviceState;

        if (newState == PowerDeviceD0 && devExt->DevicePower != PowerDeviceD0) {
            /* Power up: the bus driver goes first, we restore on the way back. */
            IoMarkIrpPending(Irp);
            IoCopyCurrentIrpStackLocationToNext(Irp);
            IoSetCompletionRoutine(Irp, RefPowerUpCompletion, devExt, TRUE, TRUE, TRUE);
            PoCallDriver(devExt->LowerDevice, Irp);
            return STATUS_PENDING;
        }

        if (newState > devExt->DevicePower) {
            /* Power down: quiesce the UART before the bus removes power. */
            if (devExt->Interrupt != NULL) {
                KeSynchronizeExecution(devExt->Interrupt, RefSyncDisableInterrupts, devExt);
            }
            devExt->DevicePower = newState;
            PoSetPowerState(DeviceObject, DevicePowerState, stack->Parameters.Power.State);
        }
    }

    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    status = PoCallDriver(devExt->LowerDevice, Irp);
    IoReleaseRemoveLock(&devExt->RemoveLock, Irp);
    return status;
}
