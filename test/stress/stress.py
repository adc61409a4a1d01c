#!/usr/bin/env python3
"""Stress irqlcheck with inputs nobody wrote by hand; it must never crash
or hang.

Two kinds of input, alternating, from one seeded RNG (a run is repeatable):
  csmith  a random C program from Debian's csmith (runtime headers from
          libcsmith-dev in /usr/include/csmith), compiled either with the
          host's flags (`-- -I/usr/include/csmith`) or with irqlcheck's
          default DDK flags plus that -I;
  refdrv  the reference driver with random lines of its sources deleted or
          duplicated (it still includes ntddk.h, and the files left intact
          compile, so the analysis, not only the parser, sees broken
          programs);
  rules   the reference driver as shipped, with --rules giving the kernel
          routines it calls contracts of random shape: argument indexes
          that are negative or far past the last argument, levels that
          contradict each other, locks released by anything (one file per
          routine, so that a contract the loader rejects leaves the
          others in).

Each run must end within --timeout seconds with exit status 0, 1 or 2
(findings or an input reported as not analysable are fine); a signal, a
sanitizer report or a timeout is a failure, and its input is kept under
--work/failures/ with the command that shows it. A sanitizer build's
reports abort (ASAN_OPTIONS/UBSAN_OPTIONS are set so, unless given): their
default exit status, 1, would pass for "findings". A leak report is
checked again with full stacks (fast_unwind_on_malloc=0; libclang-cpp has
no frame pointers) against test/lsan.supp, LLVM's known leaks: a leak that
is one of those is counted as such, not as a failure.

  stress.py --irqlcheck build/bin/irqlcheck --seed 1 --count 200
  stress.py --irqlcheck build/bin/irqlcheck --seed 7 --time-budget 600
"""
import argparse
import glob
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LSAN_SUPPRESSIONS = os.path.join(HERE, "..", "lsan.supp")
REFDRV = os.path.join(HERE, "..", "reference-driver")
CSMITH_INCLUDE = "/usr/include/csmith"
SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:")


def csmith_input(rng, workdir, irqlcheck):
    """A csmith program and the command that analyses it."""
    seed = rng.randrange(2**31)
    src = os.path.join(workdir, "csmith_%d.c" % seed)
    # Mostly small programs, some large: the call graph and the dataflow
    # get odd shapes from a few functions already, and each run is quick.
    funcs = rng.choice([4, 8, 8, 16, 32])
    # In workdir: csmith also writes a platform.info where it runs.
    subprocess.run(["csmith", "--seed", str(seed), "--max-funcs", str(funcs),
                    "-o", src], check=True, stdout=subprocess.DEVNULL,
                   cwd=workdir)
    if rng.random() < 0.5:
        cmd = [irqlcheck, "--no-source", src, "--", "-I" + CSMITH_INCLUDE, "-w"]
    else:
        cmd = [irqlcheck, "--no-source", "--extra-arg=-I" + CSMITH_INCLUDE, src]
    return "csmith seed %d" % seed, [src], cmd


def refdrv_input(rng, workdir, irqlcheck):
    """The reference driver with random lines deleted or duplicated."""
    d = os.path.join(workdir, "refdrv_%d" % rng.randrange(2**31))
    os.makedirs(d)
    names = sorted(os.path.basename(p) for p in
                   glob.glob(os.path.join(REFDRV, "*.[ch]")))
    for n in names:
        shutil.copy(os.path.join(REFDRV, n), d)
    victims = rng.sample(names, rng.randint(1, 2))
    what = []
    for n in victims:
        path = os.path.join(d, n)
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(lines))
            if rng.random() < 0.5:
                what.append("%s:-%d" % (n, i + 1))
                del lines[i]
            else:
                what.append("%s:+%d" % (n, i + 1))
                lines.insert(i, lines[i])
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(lines)
    srcs = [os.path.join(d, n) for n in names if n.endswith(".c")]
    cmd = [irqlcheck, "--no-source", "-j1"] + srcs
    return "refdrv " + " ".join(what), [d], cmd


# Routines the reference driver calls, and values that are odd for them.
RULES_NAMES = """KeAcquireSpinLock KeReleaseSpinLock KeAcquireSpinLockAtDpcLevel
KeReleaseSpinLockFromDpcLevel KeAcquireSpinLockForDpc KeReleaseSpinLockForDpc
KeAcquireInStackQueuedSpinLock KeReleaseInStackQueuedSpinLock
KeAcquireInStackQueuedSpinLockAtDpcLevel
KeReleaseInStackQueuedSpinLockFromDpcLevel KeSynchronizeExecution
IoAcquireCancelSpinLock IoReleaseCancelSpinLock IoSetCancelRoutine
IoAcquireRemoveLock IoReleaseRemoveLock IoCompleteRequest IoStartNextPacket
KeWaitForSingleObject KeStallExecutionProcessor KeInitializeSpinLock
ExAllocatePoolWithTag ExFreePoolWithTag KeSetEvent KeRaiseIrql KeLowerIrql
KeInsertQueueDpc KeInitializeDpc IoConnectInterrupt IoConnectInterruptEx
IoDisconnectInterrupt IoInitializeDpcRequest KeInitializeTimer KeSetTimer
ExInterlockedInsertTailList ExInterlockedRemoveHeadList""".split()
RULES_INTS = [-2, -1, 0, 1, 2, 3, 7, 99, 2**31 - 1, -2**31]
RULES_LEVELS = ["PASSIVE_LEVEL", "APC_LEVEL", "DISPATCH_LEVEL", "DIRQL",
                "HIGH_LEVEL"]
RULES_ROLES = ["dpc", "isr", "synch-crit-section", "cancel", "threaded-dpc",
               "no-such-role"]


def random_contract(rng, name):
    """One contract of random shape for NAME, as rules YAML."""
    n = lambda: rng.choice(RULES_INTS)
    out = ["functions:", "  - name: %s" % name]
    irql = ["%s: %d" % (k, n()) for k in
            ("raises_to_arg", "saves_to_arg", "restores_arg",
             "restores_from_arg") if rng.random() < 0.3]
    irql += ["%s: %s" % (k, rng.choice(RULES_LEVELS)) for k in
             ("min", "max", "raises") if rng.random() < 0.3]
    irql += ["%s: true" % k for k in ("saves_return", "returns_current")
             if rng.random() < 0.2]
    if irql:
        out.append("    irql: {%s}" % ", ".join(irql))
    if rng.random() < 0.4:
        op = rng.choice(["acquire", "release", "try_acquire"])
        lock = ["op: %s" % op, "arg: %d" % n()]
        if rng.random() < 0.4:
            lock.append("handle: %d" % n())
        if op == "acquire" and rng.random() < 0.5:
            lock.append("released_by: [%s]" % rng.choice(RULES_NAMES))
        if rng.random() < 0.2:
            lock = ["op: %s" % op, "global: CancelSpinLock"]
        out.append("    lock: {%s}" % ", ".join(lock))
    if rng.random() < 0.2:
        out.append("    registers: [{arg: %d, role: %s}]" %
                   (abs(n()), rng.choice(RULES_ROLES)))
    for key, fmt in (("stores", "{to: %d, value: %d}"),
                     ("wait", "{timeout_arg: %d}"),
                     ("stall", "{arg: %d, max_at_dispatch: %d}"),
                     ("allocates", "{pool_arg: %d, paged_mask: %d}"),
                     ("resident", "{arg: %d, what: thing}"),
                     ("interlocked_lock", "%d")):
        if rng.random() < 0.15:
            out.append("    %s: %s" % (key, fmt % tuple(
                n() for _ in range(fmt.count("%d")))))
    if rng.random() < 0.1:
        out.append("    interrupt: %s" % rng.choice(["connect", "disconnect"]))
    return "\n".join(out) + "\n"


def rules_input(rng, workdir, irqlcheck):
    """The reference driver with contracts of random shape."""
    d = os.path.join(workdir, "rules_%d" % rng.randrange(2**31))
    os.makedirs(d)
    names = rng.sample(RULES_NAMES, rng.randint(3, len(RULES_NAMES)))
    for i, name in enumerate(names):
        with open(os.path.join(d, "%02d.yaml" % i), "w") as f:
            f.write(random_contract(rng, name))
    srcs = sorted(glob.glob(os.path.join(os.path.abspath(REFDRV), "*.c")))
    cmd = [irqlcheck, "--no-source", "-j1", "--rules=" + d] + srcs
    return "rules %s" % os.path.basename(d), [d], cmd


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--irqlcheck", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=0,
                    help="inputs to run (0: until --time-budget is spent)")
    ap.add_argument("--time-budget", type=float, default=0,
                    help="seconds; no new input starts after that")
    ap.add_argument("--timeout", type=float, default=20,
                    help="seconds one irqlcheck run may take")
    ap.add_argument("--kinds", default="csmith,refdrv,rules")
    ap.add_argument("--work", help="directory for inputs (default: a temp dir)")
    args = ap.parse_args()
    if not args.count and not args.time_budget:
        ap.error("give --count or --time-budget (or both)")
    if not os.access(args.irqlcheck, os.X_OK):
        ap.error("no irqlcheck at %s" % args.irqlcheck)
    kinds = {"csmith": csmith_input, "refdrv": refdrv_input,
             "rules": rules_input}
    makers = [kinds[k] for k in args.kinds.split(",")]
    if csmith_input in makers and (not shutil.which("csmith") or
                                   not os.path.isdir(CSMITH_INCLUDE)):
        sys.exit("stress: needs csmith and libcsmith-dev (scripts/setup.sh "
                 "installs them)")

    os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    os.environ.setdefault("UBSAN_OPTIONS",
                          "halt_on_error=1:abort_on_error=1:print_stacktrace=1")
    os.environ.setdefault("LSAN_OPTIONS", "suppressions=" +
                          os.path.abspath(LSAN_SUPPRESSIONS))
    work = os.path.abspath(args.work or
                           tempfile.mkdtemp(prefix="irqlcheck-stress-"))
    os.makedirs(work, exist_ok=True)
    failures_dir = os.path.join(work, "failures")
    rng = random.Random(args.seed)
    start = time.monotonic()
    statuses, failures, slowest, n = {}, [], (0.0, ""), 0
    while True:
        if args.count and n >= args.count:
            break
        if args.time_budget and time.monotonic() - start >= args.time_budget:
            break
        make = makers[n % len(makers)]
        n += 1
        what, files, cmd = make(rng, work, os.path.abspath(args.irqlcheck))
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=args.timeout)
            status, err = p.returncode, p.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            status, err = "timeout", ""
        if "ERROR: LeakSanitizer" in err:
            # Known leaks of LLVM's only match on full stacks; run again so.
            full = dict(os.environ)
            full["ASAN_OPTIONS"] += ":fast_unwind_on_malloc=0"
            try:
                q = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, env=full,
                                   timeout=args.timeout * 10)
                qerr = q.stderr.decode("utf-8", "replace")
                if q.returncode in (0, 1, 2) and not any(
                        r in qerr for r in SANITIZER_REPORTS):
                    status, err = "%s, known LLVM leak" % p.returncode, ""
            except subprocess.TimeoutExpired:
                pass
        took = time.monotonic() - t0
        slowest = max(slowest, (took, what))
        key = "%s %s" % (what.split()[0], status)
        statuses[key] = statuses.get(key, 0) + 1
        if status in (0, 1, 2) and any(r in err for r in SANITIZER_REPORTS):
            status = "sanitizer"
        if status not in (0, 1, 2) and not str(status).endswith("leak"):
            keep = os.path.join(failures_dir, "%d" % n)
            os.makedirs(keep, exist_ok=True)
            for f in files:
                (shutil.copytree if os.path.isdir(f) else shutil.copy)(
                    f, os.path.join(keep, os.path.basename(f)))
            with open(os.path.join(keep, "command"), "w") as f:
                f.write(" ".join(shlex.quote(c) for c in cmd) + "\n")
            failures.append((what, status, keep))
            print("stress: FAIL (%s) %s: kept in %s\n%s" %
                  (status, what, keep, err[-4000:]), flush=True)
        else:
            for f in files:
                (shutil.rmtree if os.path.isdir(f) else os.remove)(f)
    took = time.monotonic() - start
    print("stress: %d inputs in %.0f s (seed %d), exit statuses (kind status: "
          "count) %s, slowest "
          "%.1f s (%s), %d failures" %
          (n, took, args.seed,
           ", ".join("%s: %d" % kv for kv in sorted(statuses.items())),
           slowest[0], slowest[1], len(failures)))
    if not args.work and not failures:
        shutil.rmtree(work)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
