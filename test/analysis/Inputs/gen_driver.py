#!/usr/bin/env python3
"""Writes a driver of FILES files with 30 functions each into DIR.

Each file has a DPC, a dispatch routine and two helper chains that cross
into the next file at every call: a DPC-level chain whose leaf takes a lock
with the AtDpcLevel routines, and a PASSIVE_LEVEL chain whose leaf calls
ZwClose. Dispatch routines of files 0, 3 and 7 (when they exist) also call
into the middle of a DPC-level chain: each of those reaches one leaf at
PASSIVE_LEVEL, giving two irql-too-low findings (acquire and release).
Prints the number of findings expected.
"""
import os
import sys

out, files = sys.argv[1], int(sys.argv[2])
depth = 14
buggy = [i for i in (0, 3, 7) if i < files]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "gen.h"), "w") as h:
    h.write("#include <ntddk.h>\n"
            "typedef struct _GEN_EXTENSION { KSPIN_LOCK Lock; HANDLE File; }"
            " GEN_EXTENSION, *PGEN_EXTENSION;\n")
    for i in range(files):
        for j in range(depth):
            h.write("VOID D_%d_%d(PGEN_EXTENSION Ext);\n" % (i, j))
            h.write("VOID P_%d_%d(PGEN_EXTENSION Ext);\n" % (i, j))
for i in range(files):
    nxt = (i + 1) % files
    src = ['#include "gen.h"', ""]
    src += ["KDEFERRED_ROUTINE Dpc_%d;" % i,
            "VOID Dpc_%d(PKDPC Dpc, PVOID Ctx, PVOID A1, PVOID A2)" % i,
            "{", "    D_%d_0((PGEN_EXTENSION)Ctx);" % i, "}", ""]
    src += ["DRIVER_DISPATCH Dispatch_%d;" % i,
            "NTSTATUS Dispatch_%d(PDEVICE_OBJECT Dev, PIRP Irp)" % i,
            "{", "    PGEN_EXTENSION ext = Dev->DeviceExtension;",
            "    P_%d_0(ext);" % i]
    if i in buggy:
        src.append("    D_%d_5(ext);" % i)
    src += ["    return STATUS_SUCCESS;", "}", ""]
    for j in range(depth):
        for kind in "DP":
            src.append("VOID %s_%d_%d(PGEN_EXTENSION Ext)" % (kind, i, j))
            src.append("{")
            if j + 1 < depth:
                src.append("    %s_%d_%d(Ext);" % (kind, nxt, j + 1))
            elif kind == "D":
                src.append("    KeAcquireSpinLockAtDpcLevel(&Ext->Lock);")
                src.append("    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);")
            else:
                src.append("    ZwClose(Ext->File);")
            src += ["}", ""]
    with open(os.path.join(out, "f%d.c" % i), "w") as f:
        f.write("\n".join(src))
print(2 * len(buggy))
