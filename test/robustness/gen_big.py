"""Write long.c (one function of 10,000 statements) and deep.c (blocks
nested 200 deep (clang allows 256)) into the directory given, each ending in one irql-too-low
finding in a dispatch routine."""
import os
import sys

out = sys.argv[1]
head = """#include <ntddk.h>
typedef struct _EXT { KSPIN_LOCK Lock; ULONG V[16]; } EXT, *PEXT;
DRIVER_DISPATCH Big;
NTSTATUS Big(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PEXT ext = (PEXT)DeviceObject->DeviceExtension;
    KIRQL old;
"""
tail = """    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
"""
with open(os.path.join(out, "long.c"), "w") as f:
    f.write(head)  # 7 lines
    for i in range(9998):  # lines 8..10005
        if i % 100 == 0:
            f.write("    KeAcquireSpinLock(&ext->Lock, &old); ext->V[%d] = %d; "
                    "KeReleaseSpinLock(&ext->Lock, old);\n" % (i % 16, i))
        else:
            f.write("    ext->V[%d] += %d;\n" % (i % 16, i))
    f.write(tail)  # the acquire is line 10006
with open(os.path.join(out, "deep.c"), "w") as f:
    f.write(head.replace("Big", "Deep"))
    for i in range(200):
        f.write("    " * 1 + "if (ext->V[%d] != %d) {\n" % (i % 16, i))
    f.write(tail.split("    IoCompleteRequest")[0])
    f.write("    }\n" * 200)
    f.write("    IoCompleteRequest(Irp, IO_NO_INCREMENT);\n    return STATUS_SUCCESS;\n}\n")
