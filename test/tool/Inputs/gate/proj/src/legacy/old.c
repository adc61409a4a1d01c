// config.test: a directory with a config of its own, which wins.
#include <ntddk.h>
typedef VOID BOARD_CALLBACK(PVOID Context);
void BoardPoke(void);
KSPIN_LOCK Lock;
BOARD_CALLBACK OnBoard;
VOID OnBoard(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    BoardPoke();
}
KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID C, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(D); UNREFERENCED_PARAMETER(C);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    KeStallExecutionProcessor(500);
    KeAcquireSpinLockAtDpcLevel(&Lock);
}
DRIVER_DISPATCH Read;
NTSTATUS Read(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject); UNREFERENCED_PARAMETER(Irp);
    KeAcquireSpinLockAtDpcLevel(&Lock);
    KeReleaseSpinLockFromDpcLevel(&Lock);
    return STATUS_SUCCESS;
}
