#!/usr/bin/env python3
"""Generate a synthetic Windows driver corpus for the irqlcheck benchmark.

Deterministic from --seed and --lines: many drivers, each with a header and
several files (DriverEntry/AddDevice/PnP, dispatch routines, DPCs and a timer,
an ISR with its DpcForIsr and a SynchCritSection routine, a lock-protected
queue, and worker files whose helper chains cross files), with roles
registered the ways real drivers do (MajorFunction table, AddDevice,
KeInitializeDpc, IoInitializeDpcRequest, IoConnectInterrupt,
KeSynchronizeExecution), spin locks taken several ways, and pageable code
(#pragma alloc_text + PAGED_CODE).

Some drivers get one seeded defect each, of five kinds, reached through a
helper chain where the kind allows. The defects are listed in
expected.txt as `FILE:LINE: RULE`, which the runner compares with what
irqlcheck reports.

  gen_corpus.py --seed 1 --lines 500000 --out DIR
"""
import argparse
import os
import random
import sys

DEFECT_KINDS = ["irql-too-high", "spinlock-double-acquire",
                "paged-code-at-dispatch", "spinlock-leak", "irql-too-low"]


class File:
    def __init__(self, name):
        self.name = name
        self.lines = []

    def add(self, text=""):
        for l in text.split("\n"):
            self.lines.append(l)

    def line(self):
        """The number the next line gets."""
        return len(self.lines) + 1


class Driver:
    def __init__(self, rng, index, workers, chain, defect):
        self.rng = rng
        self.p = "D%d" % index  # Prefix of every global name.
        self.dir = "drv%03d" % index
        self.workers = workers   # Number of worker files.
        self.chain = chain       # Depth of each helper chain.
        self.defect = defect     # One of DEFECT_KINDS, or None.
        self.files = []
        self.expected = []

    # -- pieces ---------------------------------------------------------
    def header(self):
        p = self.p
        h = File("%s.h" % p.lower())
        h.add("""/*
 * %(p)s: a synthetic WDM driver for the irqlcheck benchmark.
 */
#ifndef %(p)s_H
#define %(p)s_H

#include <ntddk.h>

#if defined(__clang__) && !defined(ALLOC_PRAGMA)
#define ALLOC_PRAGMA 1
#endif

#define %(p)s_TAG '%(tag)s'
#define %(p)s_RING 64

typedef struct _%(p)s_RECORD {
    LIST_ENTRY Link;
    ULONG Id;
    ULONG Length;
    ULONG Flags;
    UCHAR Data[32];
} %(p)s_RECORD, *P%(p)s_RECORD;

typedef struct _%(p)s_EXTENSION {
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT Lower;
    PKINTERRUPT Interrupt;
    KSPIN_LOCK QueueLock;
    KSPIN_LOCK StatsLock;
    LIST_ENTRY Queue;
    ULONG QueueDepth;
    ULONG Completed;
    ULONG Errors;
    ULONG Ring[%(p)s_RING];
    ULONG RingHead;
    ULONG IsrStatus;
    ULONG IsrCount;
    KDPC Dpc;
    KDPC TimerDpc;
    KTIMER Timer;
    KEVENT Idle;
    BOOLEAN Started;
} %(p)s_EXTENSION, *P%(p)s_EXTENSION;
""" % {"p": p, "tag": p[:4].ljust(4, "x")[::-1]})
        h.add("DRIVER_INITIALIZE DriverEntry;")
        h.add("DRIVER_ADD_DEVICE %sAddDevice;" % p)
        h.add("DRIVER_UNLOAD %sUnload;" % p)
        for d in ["Create", "Close", "Read", "Write", "Control", "Pnp"]:
            h.add("_Dispatch_type_(IRP_MJ_%s) DRIVER_DISPATCH %sDispatch%s;" % (
                {"Create": "CREATE", "Close": "CLOSE", "Read": "READ",
                 "Write": "WRITE", "Control": "DEVICE_CONTROL",
                 "Pnp": "PNP"}[d], p, d))
        h.add("KDEFERRED_ROUTINE %sDpc;" % p)
        h.add("KDEFERRED_ROUTINE %sTimerDpc;" % p)
        h.add("IO_DPC_ROUTINE %sDpcForIsr;" % p)
        h.add("KSERVICE_ROUTINE %sIsr;" % p)
        h.add("KSYNCHRONIZE_ROUTINE %sSynchReset;" % p)
        h.add("")
        h.add("NTSTATUS %sStartDevice(P%s_EXTENSION Ext);" % (p, p))
        h.add("_IRQL_requires_max_(PASSIVE_LEVEL)")
        h.add("NTSTATUS %sLoadSettings(P%s_EXTENSION Ext);" % (p, p))
        h.add("VOID %sQueuePush(P%s_EXTENSION Ext, P%s_RECORD Rec);" % (p, p, p))
        h.add("P%s_RECORD %sQueuePop(P%s_EXTENSION Ext);" % (p, p, p))
        h.add("VOID %sQueuePopAtDpc(P%s_EXTENSION Ext);" % (p, p))
        for w in range(self.workers):
            for c in range(self.chain):
                h.add("ULONG %sWork%d_%d(P%s_EXTENSION Ext, ULONG Value);" % (
                    p, w, c, p))
        h.add("VOID %sPageableWork(P%s_EXTENSION Ext);" % (p, p))
        h.add("VOID %sLockedTouch(P%s_EXTENSION Ext);" % (p, p))
        h.add("VOID %sDefectLeaf(P%s_EXTENSION Ext);" % (p, p))
        h.add("")
        h.add("#endif")
        return h

    def prologue(self, f, what):
        f.add("/*\n * %s/%s - %s.\n */\n#include \"%s.h\"\n" % (
            self.dir, f.name, what, self.p.lower()))

    def filler(self, f, name, lock=True, calls=(), local=()):
        """An ordinary worker: loops, branches on the device's state, a
        record, maybe a lock, calls to the file's other workers (as real
        code has, and as clang's analyzer follows)."""
        p, r = self.p, self.rng
        f.add("static ULONG %s(P%s_EXTENSION Ext, ULONG Seed)" % (name, p))
        f.add("{")
        f.add("    ULONG i;\n    ULONG acc = Seed;\n    %s_RECORD rec;" % p)
        if lock:
            f.add("    KIRQL oldIrql;")
        f.add("")
        f.add("    RtlZeroMemory(&rec, sizeof(rec));")
        for k in range(r.randint(3, 5)):
            # Not IsrStatus/IsrCount: the ISR writes those (a real race).
            field = r.choice(["QueueDepth", "Completed", "Errors", "RingHead"])
            f.add("    if (Ext->%s %s %d) {" % (field, r.choice(["<", ">", "==", "!="]),
                                               r.randint(0, 64)))
            f.add("        rec.Flags |= 0x%x;" % (1 << r.randint(0, 15)))
            if r.random() < 0.5:
                f.add("        acc += Ext->Ring[(acc + %d) %% %s_RING];" % (k, p))
            f.add("    } else if ((Seed & 0x%x) != 0) {" % (1 << r.randint(0, 15)))
            f.add("        rec.Length = acc ^ 0x%x;" % r.randint(1, 65535))
            f.add("    }")
        for c in local:
            f.add("    if ((acc & 0x%x) != 0) {" % (1 << r.randint(0, 7)))
            f.add("        acc += %s(Ext, acc + %d);" % (c, r.randint(1, 9)))
            f.add("    }")
        f.add("    for (i = 0; i < %d; ++i) {" % r.randint(4, 32))
        f.add("        acc = acc * %d + i;" % r.randint(3, 97))
        f.add("        rec.Data[i %% sizeof(rec.Data)] = (UCHAR)(acc >> %d);" % r.randint(1, 8))
        f.add("    }")
        f.add("    switch (acc %% %d) {" % r.randint(3, 6))
        for c in range(3):
            f.add("    case %d:\n        rec.Flags |= 0x%x;\n        break;" % (
                c, 1 << r.randint(0, 7)))
        f.add("    default:\n        rec.Flags = 0;\n        break;\n    }")
        if lock:
            f.add("    KeAcquireSpinLock(&Ext->StatsLock, &oldIrql);")
            f.add("    Ext->Ring[Ext->RingHead %% %s_RING] = acc;" % p)
            f.add("    Ext->RingHead++;")
            f.add("    KeReleaseSpinLock(&Ext->StatsLock, oldIrql);")
        for c in calls:
            f.add("    acc += %s(Ext, acc);" % c)
        f.add("    return acc + rec.Flags + rec.Length;")
        f.add("}")
        f.add("")

    def fillers(self, f, count, calls=()):
        names = []
        for i in range(count):
            n = "%s%sFill%d" % (self.p, f.name.split(".")[0].capitalize(), i)
            local = self.rng.sample(names, 1) if names and self.rng.random() < 0.3 else []
            self.filler(f, n, lock=self.rng.random() < 0.5,
                        calls=[c for c in calls if self.rng.random() < 0.5],
                        local=local)
            names.append(n)
        return names

    # -- files ----------------------------------------------------------
    def init_file(self, fill):
        p = self.p
        f = File("init.c")
        self.prologue(f, "DriverEntry, AddDevice, Unload, PnP")
        f.add("#ifdef ALLOC_PRAGMA")
        f.add("#pragma alloc_text(INIT, DriverEntry)")
        f.add("#pragma alloc_text(PAGE, %sAddDevice)" % p)
        f.add("#pragma alloc_text(PAGE, %sUnload)" % p)
        f.add("#pragma alloc_text(PAGE, %sLoadSettings)" % p)
        f.add("#pragma alloc_text(PAGE, %sPageableWork)" % p)
        f.add("#endif\n")
        names = self.fillers(f, fill)
        f.add("""NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->MajorFunction[IRP_MJ_CREATE] = %(p)sDispatchCreate;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = %(p)sDispatchClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = %(p)sDispatchRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = %(p)sDispatchWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = %(p)sDispatchControl;
    DriverObject->MajorFunction[IRP_MJ_PNP] = %(p)sDispatchPnp;
    DriverObject->DriverExtension->AddDevice = %(p)sAddDevice;
    DriverObject->DriverUnload = %(p)sUnload;
    return STATUS_SUCCESS;
}

NTSTATUS
%(p)sAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    P%(p)s_EXTENSION ext;
    NTSTATUS status;

    PAGED_CODE();
    status = IoCreateDevice(DriverObject, sizeof(%(p)s_EXTENSION), NULL,
                            FILE_DEVICE_UNKNOWN, 0, FALSE, &fdo);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    ext = (P%(p)s_EXTENSION)fdo->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->Self = fdo;
    KeInitializeSpinLock(&ext->QueueLock);
    KeInitializeSpinLock(&ext->StatsLock);
    InitializeListHead(&ext->Queue);
    KeInitializeEvent(&ext->Idle, NotificationEvent, TRUE);
    KeInitializeDpc(&ext->Dpc, %(p)sDpc, ext);
    KeInitializeTimer(&ext->Timer);
    KeInitializeDpc(&ext->TimerDpc, %(p)sTimerDpc, ext);
    IoInitializeDpcRequest(fdo, %(p)sDpcForIsr);
    ext->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (ext->Lower == NULL) {
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    status = %(p)sLoadSettings(ext);
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return status;
}

VOID
%(p)sUnload(PDRIVER_OBJECT DriverObject)
{
    PAGED_CODE();
    UNREFERENCED_PARAMETER(DriverObject);
}

NTSTATUS
%(p)sLoadSettings(P%(p)s_EXTENSION Ext)
{
    HANDLE key = NULL;
    PAGED_CODE();
    Ext->QueueDepth = 0;
    if (key != NULL) {
        ZwClose(key);
    }
    return STATUS_SUCCESS;
}

VOID
%(p)sPageableWork(P%(p)s_EXTENSION Ext)
{
    PAGED_CODE();
    Ext->Errors = 0;
}

NTSTATUS
%(p)sStartDevice(P%(p)s_EXTENSION Ext)
{
    NTSTATUS status;
    LARGE_INTEGER due;

    status = IoConnectInterrupt(&Ext->Interrupt, %(p)sIsr, Ext, NULL, 0,
                                (KIRQL)5, (KIRQL)5, LevelSensitive, TRUE,
                                1, FALSE);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    due.QuadPart = -10000000LL;
    KeSetTimer(&Ext->Timer, due, &Ext->TimerDpc);
    Ext->Started = TRUE;
    return STATUS_SUCCESS;
}
""" % {"p": p})
        return f

    def dispatch_file(self, fill):
        p = self.p
        f = File("dispatch.c")
        self.prologue(f, "IRP dispatch routines")
        f.add("#ifdef ALLOC_PRAGMA")
        f.add("#pragma alloc_text(PAGE, %sDispatchCreate)" % p)
        f.add("#pragma alloc_text(PAGE, %sDispatchClose)" % p)
        f.add("#endif\n")
        calls = ["%sWork%d_0" % (p, w) for w in range(self.workers)]
        names = self.fillers(f, fill, calls)
        for d in ["Create", "Close"]:
            f.add("""NTSTATUS
%(p)sDispatch%(d)s(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PAGED_CODE();
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
""" % {"p": p, "d": d})
        for d in ["Read", "Write", "Control"]:
            f.add("NTSTATUS\n%sDispatch%s(PDEVICE_OBJECT DeviceObject, PIRP Irp)\n{"
                  % (p, d))
            f.add("    P%s_EXTENSION ext = (P%s_EXTENSION)DeviceObject->DeviceExtension;"
                  % (p, p))
            f.add("    P%s_RECORD rec;\n    ULONG acc = 0;\n" % p)
            for n in names[:3]:
                f.add("    acc += %s(ext, %d);" % (n, self.rng.randint(1, 99)))
            for c in calls:
                f.add("    acc += %s(ext, acc);" % c)
            f.add("    rec = (P%s_RECORD)ExAllocatePoolWithTag(NonPagedPool, sizeof(*rec), %s_TAG);"
                  % (p, p))
            f.add("    if (rec != NULL) {\n        rec->Id = acc;\n        %sQueuePush(ext, rec);\n    }"
                  % p)
            if d == "Control" and self.defect == "irql-too-low":
                f.add("    %sQueuePopAtDpc(ext);" % p)
                self.expected.append((f, f.line() - 1, "irql-too-low"))
            f.add("    Irp->IoStatus.Status = STATUS_SUCCESS;")
            f.add("    Irp->IoStatus.Information = acc;")
            f.add("    IoCompleteRequest(Irp, IO_NO_INCREMENT);")
            f.add("    return STATUS_SUCCESS;\n}\n")
        f.add("""NTSTATUS
%(p)sDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    P%(p)s_EXTENSION ext = (P%(p)s_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;

    if (stack->MinorFunction == IRP_MN_START_DEVICE) {
        status = %(p)sStartDevice(ext);
    }
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(ext->Lower, Irp);
}
""" % {"p": p})
        return f

    def queue_file(self, fill):
        p = self.p
        f = File("queue.c")
        self.prologue(f, "the request queue, under QueueLock")
        self.fillers(f, fill)
        f.add("""VOID
%(p)sQueuePush(P%(p)s_EXTENSION Ext, P%(p)s_RECORD Rec)
{
    KIRQL oldIrql;
    KeAcquireSpinLock(&Ext->QueueLock, &oldIrql);
    InsertTailList(&Ext->Queue, &Rec->Link);
    Ext->QueueDepth++;
    KeReleaseSpinLock(&Ext->QueueLock, oldIrql);
}

P%(p)s_RECORD
%(p)sQueuePop(P%(p)s_EXTENSION Ext)
{
    KIRQL oldIrql;
    PLIST_ENTRY entry = NULL;
    KeAcquireSpinLock(&Ext->QueueLock, &oldIrql);
    if (!IsListEmpty(&Ext->Queue)) {
        entry = RemoveHeadList(&Ext->Queue);
        Ext->QueueDepth--;
    }
    KeReleaseSpinLock(&Ext->QueueLock, oldIrql);
    return entry ? CONTAINING_RECORD(entry, %(p)s_RECORD, Link) : NULL;
}

VOID
%(p)sLockedTouch(P%(p)s_EXTENSION Ext)
{
    KIRQL oldIrql;
    KeAcquireSpinLock(&Ext->QueueLock, &oldIrql);
    Ext->Completed++;
    KeReleaseSpinLock(&Ext->QueueLock, oldIrql);
}
""" % {"p": p})
        f.add("_IRQL_requires_(DISPATCH_LEVEL)\nVOID\n%sQueuePopAtDpc(P%s_EXTENSION Ext)\n{"
              % (p, p))
        f.add("    KeAcquireSpinLockAtDpcLevel(&Ext->QueueLock);")
        f.add("    if (!IsListEmpty(&Ext->Queue)) {")
        f.add("        RemoveHeadList(&Ext->Queue);\n        Ext->QueueDepth--;\n    }")
        if self.defect == "spinlock-leak":
            f.add("    if (Ext->QueueDepth > 1000) {")
            f.add("        return;")
            f.add("    }")
        f.add("    KeReleaseSpinLockFromDpcLevel(&Ext->QueueLock);\n}\n")
        return f

    def dpc_file(self, fill):
        p = self.p
        f = File("dpc.c")
        self.prologue(f, "DPC and timer DPC")
        calls = ["%sWork%d_0" % (p, w) for w in range(self.workers)]
        names = self.fillers(f, fill, calls)
        f.add("VOID\n%sDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)\n{" % p)
        f.add("    P%s_EXTENSION ext = (P%s_EXTENSION)Context;" % (p, p))
        f.add("    ULONG acc = 0;")
        f.add("    UNREFERENCED_PARAMETER(Dpc);\n    UNREFERENCED_PARAMETER(Arg1);\n    UNREFERENCED_PARAMETER(Arg2);")
        for n in names[:2]:
            f.add("    acc += %s(ext, %d);" % (n, self.rng.randint(1, 99)))
        f.add("    %sQueuePopAtDpc(ext);" % p)
        if self.defect == "paged-code-at-dispatch":
            f.add("    %sPageableWork(ext);" % p)
            self.expected.append((f, f.line() - 1, "paged-code-at-dispatch"))
        f.add("    ext->Completed += acc;")
        if self.defect == "spinlock-leak":
            # QueuePopAtDpc's early return: reported where its caller returns.
            self.expected.append((f, f.line(), "spinlock-leak"))
        f.add("}\n")
        f.add("VOID\n%sTimerDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)\n{" % p)
        f.add("    P%s_EXTENSION ext = (P%s_EXTENSION)Context;" % (p, p))
        f.add("    ULONG acc = 0;")
        f.add("    UNREFERENCED_PARAMETER(Dpc);\n    UNREFERENCED_PARAMETER(Arg1);\n    UNREFERENCED_PARAMETER(Arg2);")
        for c in calls:
            f.add("    acc += %s(ext, acc);" % c)
        f.add("    %sLockedTouch(ext);" % p)
        f.add("    ext->Errors += acc & 1;\n}\n")
        return f

    def isr_file(self, fill):
        p = self.p
        f = File("isr.c")
        self.prologue(f, "ISR, DpcForIsr, SynchCritSection")
        self.fillers(f, fill)
        f.add("""BOOLEAN
%(p)sIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    P%(p)s_EXTENSION ext = (P%(p)s_EXTENSION)Context;
    UNREFERENCED_PARAMETER(Interrupt);
    ext->IsrStatus = 1;
    ext->IsrCount++;
    IoRequestDpc(ext->Self, NULL, ext);
    return TRUE;
}

BOOLEAN
%(p)sSynchReset(PVOID Context)
{
    P%(p)s_EXTENSION ext = (P%(p)s_EXTENSION)Context;
    ext->IsrStatus = 0;
    ext->IsrCount = 0;
    return TRUE;
}

VOID
%(p)sDpcForIsr(PKDPC Dpc, PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    P%(p)s_EXTENSION ext = (P%(p)s_EXTENSION)Context;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSynchronizeExecution(ext->Interrupt, %(p)sSynchReset, ext);
    %(p)sLockedTouch(ext);
    KeInsertQueueDpc(&ext->Dpc, NULL, NULL);
}
""" % {"p": p})
        return f

    def worker_file(self, w, fill):
        """Worker w: its chain's links alternate between this file and the
        next worker's, so each chain crosses files."""
        p = self.p
        f = File("work%d.c" % w)
        self.prologue(f, "helper chain %d" % w)
        self.fillers(f, fill)
        return f

    def chain_link(self, f, w, c):
        p = self.p
        last = c == self.chain - 1
        f.add("ULONG\n%sWork%d_%d(P%s_EXTENSION Ext, ULONG Value)\n{" % (p, w, c, p))
        f.add("    ULONG v = Value * %d + %d;" % (self.rng.randint(2, 9), c))
        if not last:
            f.add("    v ^= %sWork%d_%d(Ext, v >> 1);" % (p, w, c + 1))
        elif w == 0 and self.defect == "irql-too-high":
            # Reached from the timer DPC at DISPATCH_LEVEL.
            f.add("    %sDefectLeaf(Ext);" % p)
        elif w == 0 and self.defect == "spinlock-double-acquire":
            f.add("    {\n        KIRQL oldIrql;")
            f.add("        KeAcquireSpinLock(&Ext->QueueLock, &oldIrql);")
            f.add("        %sLockedTouch(Ext);" % p)
            f.add("        KeReleaseSpinLock(&Ext->QueueLock, oldIrql);\n    }")
        else:
            f.add("    if (v & 1) {\n        InterlockedIncrement((volatile LONG *)&Ext->Completed);\n    }")
        f.add("    return v;\n}\n")

    def generate(self, fill):
        hdr = self.header()
        files = [self.init_file(fill), self.dispatch_file(fill),
                 self.queue_file(fill), self.dpc_file(fill),
                 self.isr_file(fill)]
        workers = [self.worker_file(w, fill) for w in range(self.workers)]
        for w in range(self.workers):
            for c in range(self.chain):
                self.chain_link(workers[(w + c) % self.workers], w, c)
        # The defect's leaf, in its own place at the end of the last worker.
        leaf = workers[-1]
        leaf.add("VOID\n%sDefectLeaf(P%s_EXTENSION Ext)\n{" % (self.p, self.p))
        leaf.add("    HANDLE h = (HANDLE)Ext->Self;")
        if self.defect == "irql-too-high":
            leaf.add("    ZwClose(h);")
            self.expected.append((leaf, leaf.line() - 1, "irql-too-high"))
        leaf.add("    UNREFERENCED_PARAMETER(h);\n}\n")
        if self.defect == "spinlock-double-acquire":
            # Reported where the lock is taken the second time, in the callee.
            q = files[2]
            start = q.lines.index("%sLockedTouch(P%s_EXTENSION Ext)" % (self.p, self.p))
            at = next(i for i in range(start, len(q.lines))
                      if "KeAcquireSpinLock(" in q.lines[i])
            self.expected.append((q, at + 1, "spinlock-double-acquire"))
        self.files = [hdr] + files + workers


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lines", type=int, required=True,
                    help="approximate total number of lines")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    total = 0
    expected = []
    sources = []
    i = 0
    while total < a.lines:
        # Every third driver is clean; the others get one defect each.
        defect = None if i % 3 == 2 else DEFECT_KINDS[(i - i // 3) % len(DEFECT_KINDS)]
        d = Driver(rng, i, workers=rng.randint(2, 4), chain=rng.randint(3, 6),
                   defect=defect)
        d.generate(fill=rng.randint(12, 22))
        ddir = os.path.join(a.out, d.dir)
        os.makedirs(ddir, exist_ok=True)
        for f in d.files:
            with open(os.path.join(ddir, f.name), "w") as out:
                out.write("\n".join(f.lines) + "\n")
            total += len(f.lines)
            if f.name.endswith(".c"):
                sources.append(os.path.join(d.dir, f.name))
        for f, line, rule in d.expected:
            expected.append("%s/%s:%d: %s" % (d.dir, f.name, line, rule))
        i += 1
    with open(os.path.join(a.out, "expected.txt"), "w") as out:
        out.write("\n".join(sorted(expected)) + "\n")
    with open(os.path.join(a.out, "sources.txt"), "w") as out:
        out.write("\n".join(sources) + "\n")
    print("%d drivers, %d TUs, %d lines, %d seeded defects" % (
        i, len(sources), total, len(expected)))


if __name__ == "__main__":
    sys.exit(main())
