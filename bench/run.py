#!/usr/bin/env python3
"""irqlcheck against clang on the same files, in the same run.

Generates (or reuses) a corpus with gen_corpus.py, then measures wall time,
CPU time (user + system, all processes) and peak memory (the largest
resident set of any one process) of:

  clang -fsyntax-only   every TU, one at a time, and JOBS at a time
  clang --analyze       every TU, JOBS at a time
  irqlcheck             the whole program, -jJOBS: shared preambles (the
                        default), every TU from scratch
                        (--no-shared-preambles), and shared at -j1

clang gets the flags irqlcheck's embedded default gives every TU. The run
fails (exit 1) unless irqlcheck reports exactly the seeded defects, in both
of its modes, with byte-identical output.

  bench/run.py --lines 500000 [--seed 1] [--jobs 2] [--work DIR]
"""
import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class Measure:
    def __init__(self, name):
        self.name = name
        self.wall = self.cpu = 0.0
        self.rss_kb = 0
        self.failed = 0
        self.status = 0


def run_many(name, commands, jobs, cwd):
    """Runs each command (a list), `jobs` at a time; waits for all."""
    m = Measure(name)
    start = time.monotonic()
    running = {}
    pending = list(commands)
    while pending or running:
        while pending and len(running) < jobs:
            cmd = pending.pop(0)
            p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            running[p.pid] = p
        pid, status, ru = os.wait4(-1, 0)
        if pid not in running:
            continue
        del running[pid]
        m.cpu += ru.ru_utime + ru.ru_stime
        m.rss_kb = max(m.rss_kb, ru.ru_maxrss)
        if status != 0:
            m.failed += 1
    m.wall = time.monotonic() - start
    return m


def run_one(name, cmd, cwd, out_path, err_path):
    m = Measure(name)
    start = time.monotonic()
    with open(out_path, "w") as out, open(err_path, "w") as err:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
    m.wall = time.monotonic() - start
    m.cpu = ru.ru_utime + ru.ru_stime
    m.rss_kb = ru.ru_maxrss
    m.status = os.waitstatus_to_exitcode(status)
    return m


def clang_flags(irqlcheck):
    share = os.path.join(os.path.dirname(os.path.dirname(irqlcheck)),
                         "share", "irqlcheck")
    sysroot = "/usr/x86_64-w64-mingw32"
    return ["--target=x86_64-w64-mingw32", "-fms-extensions", "-w",
            "-D_CLANG_DISABLE_CRT_DEPRECATION_WARNINGS",
            "-isystem", sysroot + "/include",
            "-isystem", sysroot + "/include/ddk",
            "-include", os.path.join(share, "include", "irqlcheck_sal.h")]


def findings(path):
    got = []
    pat = re.compile(r"^([^ :]+:\d+):\d+: warning: .*\[([a-z-]+)\]$")
    for line in open(path):
        m = pat.match(line.rstrip("\n"))
        if m:
            got.append("%s: %s" % (m.group(1), m.group(2)))
    return sorted(got)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--work", default=None,
                    help="corpus directory (default: /tmp/irqlcheck-bench-SEED-LINES)")
    ap.add_argument("--irqlcheck", default=os.path.join(ROOT, "build", "bin", "irqlcheck"))
    ap.add_argument("--clang", default="clang-19")
    ap.add_argument("--quick", action="store_true",
                    help="skip the sequential clang run, --analyze and -j1")
    a = ap.parse_args()
    irq = os.path.abspath(a.irqlcheck)
    work = a.work or "/tmp/irqlcheck-bench-%d-%d" % (a.seed, a.lines)
    stamp = os.path.join(work, "sources.txt")
    if not os.path.exists(stamp):
        subprocess.check_call([sys.executable, os.path.join(HERE, "gen_corpus.py"),
                               "--seed", str(a.seed), "--lines", str(a.lines),
                               "--out", work])
    sources = open(stamp).read().split()
    total_lines = 0
    for d, _, fs in os.walk(work):
        for f in fs:
            if f.endswith((".c", ".h")):
                total_lines += sum(1 for _ in open(os.path.join(d, f)))
    expected = open(os.path.join(work, "expected.txt")).read().split("\n")
    expected = sorted(e for e in expected if e)
    print("corpus: %s: %d TUs, %d lines, %d seeded defects; jobs %d" % (
        work, len(sources), total_lines, len(expected), a.jobs))
    sys.stdout.flush()

    flags = clang_flags(irq)
    syntax = [[a.clang, "-fsyntax-only"] + flags + [s] for s in sources]
    analyze = [[a.clang, "--analyze", "-o", "/dev/null"] + flags + [s]
               for s in sources]
    rows = []
    if not a.quick:
        rows.append(run_many("clang -fsyntax-only -j1", syntax, 1, work))
    rows.append(run_many("clang -fsyntax-only -j%d" % a.jobs, syntax, a.jobs, work))
    sx = rows[-1]
    an = None
    if not a.quick:
        an = run_many("clang --analyze -j%d" % a.jobs, analyze, a.jobs, work)
        rows.append(an)
    irq_cmd = [irq, "--no-source", "--stats", "-j%d" % a.jobs] + sources
    shared = run_one("irqlcheck -j%d" % a.jobs, irq_cmd, work,
                     os.path.join(work, "shared.out"), os.path.join(work, "shared.err"))
    rows.append(shared)
    plain = run_one("irqlcheck -j%d --no-shared-preambles" % a.jobs,
                    irq_cmd + ["--no-shared-preambles"], work,
                    os.path.join(work, "plain.out"), os.path.join(work, "plain.err"))
    rows.append(plain)
    j1 = None
    if not a.quick and a.jobs > 1:
        j1 = run_one("irqlcheck -j1", [irq, "--no-source", "-j1"] + sources, work,
                     os.path.join(work, "j1.out"), os.path.join(work, "j1.err"))
        rows.append(j1)

    print("%-38s %9s %9s %9s" % ("", "wall s", "cpu s", "peak MB"))
    for r in rows:
        print("%-38s %9.2f %9.2f %9.0f%s" % (r.name, r.wall, r.cpu, r.rss_kb / 1024.0,
              "  (%d failed)" % r.failed if r.failed else ""))
    print("ratios:")
    print("  irqlcheck / clang -fsyntax-only (wall, -j%d): %.2f shared, %.2f plain"
          % (a.jobs, shared.wall / sx.wall, plain.wall / sx.wall))
    if an:
        print("  clang --analyze / irqlcheck (wall, -j%d):    %.1f" % (a.jobs, an.wall / shared.wall))
    if j1:
        print("  irqlcheck -j1 / -j%d (wall):                  %.2f" % (a.jobs, j1.wall / shared.wall))
    print("  irqlcheck peak / clang -fsyntax-only peak:    %.2f" % (shared.rss_kb / max(sx.rss_kb, 1)))
    held_mb = 0.0
    for line in open(os.path.join(work, "shared.err")):
        m = re.match(r"irqlcheck stats: facts held\s+([0-9.]+) MB", line)
        if m:
            held_mb = float(m.group(1))
    if held_mb:
        print("  (irqlcheck peak - facts held) / clang peak:   %.2f  (facts held %.0f MB)"
              % ((shared.rss_kb / 1024.0 - held_mb) / max(sx.rss_kb / 1024.0, 1), held_mb))
    print("irqlcheck --stats:")
    for line in open(os.path.join(work, "shared.err")):
        if line.startswith("irqlcheck stats:"):
            print("  " + line[len("irqlcheck stats: "):].rstrip())

    ok = True
    for r in rows:
        if r.failed:
            print("FAIL: %s: %d commands failed" % (r.name, r.failed))
            ok = False
    for r in (shared, plain) + ((j1,) if j1 else ()):
        if r.status != 1:
            print("FAIL: %s exited %d (expected 1: findings)" % (r.name, r.status))
            ok = False
    got = findings(os.path.join(work, "shared.out"))
    if got != expected:
        print("FAIL: irqlcheck's findings are not the seeded defects:")
        for e in sorted(set(expected) - set(got)):
            print("  missed:     " + e)
        for g in sorted(set(got) - set(expected)):
            print("  unexpected: " + g)
        ok = False
    for other in ["plain.out"] + (["j1.out"] if j1 else []):
        if open(os.path.join(work, other)).read() != open(os.path.join(work, "shared.out")).read():
            print("FAIL: %s differs from the shared-preamble run's output" % other)
            ok = False
    print("findings: %d of %d seeded defects, %s" % (
        len(set(got) & set(expected)), len(expected), "exactly" if ok else "NOT exactly"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
