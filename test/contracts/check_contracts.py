#!/usr/bin/env python3
"""Keeps the contract database (rules/*.yaml) honest.

usage: check_contracts.py RULES_DIR MINGW_INCLUDE_DIR [--min N] [--readme FILE]

Checks, over the `functions` lists of every RULES_DIR/*.yaml:
  1. no function `name` is defined twice (a later file's entry would
     silently replace an earlier one); an alias is listed in one file only,
     and an alias that is also a name is listed in the file of that name
     (alternative expansions of one macro for different headers);
  2. at least N distinct names (default 200);
  3. every name and alias is declared (function or macro) in the mingw-w64
     DDK headers under MINGW_INCLUDE_DIR, unless the `name:` line carries
     one of the markers SCHEMA.md defines:
       "# not-in-mingw"          the WDK has it, mingw-w64 does not (and the
                                 marker is stale, an error, once it does);
       "# DMA_OPERATIONS member" a member of wdm.h's DMA_OPERATIONS;
  4. every entry with an IRQL requirement (irql min, max or exactly) quotes
     the documented requirement in a comment "MS docs: ..." on its lines;
  5. with --readme, README's "contracts for more than N DDIs" is true.
Prints "<count> distinct DDIs in <files> files" and exits 1 on any failure.
PyYAML comes with llvm-19-tools (the package that provides lit).
"""
import glob
import os
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit("check_contracts.py: PyYAML (python3-yaml) is required")

MARK_NOT_IN_MINGW = "not-in-mingw"
MARK_DMA = "DMA_OPERATIONS member"


def args():
    a = sys.argv[1:]
    opts = {"--min": "200", "--readme": None}
    pos = []
    while a:
        x = a.pop(0)
        if x in opts:
            opts[x] = a.pop(0)
        else:
            pos.append(x)
    if len(pos) != 2:
        sys.exit(__doc__)
    return pos[0], pos[1], int(opts["--min"]), opts["--readme"]


def entries(path):
    """(name, aliases, irql keys, lines of the entry, first line no)."""
    text = open(path).read()
    lines = text.split("\n")
    root = yaml.compose(text)
    if root is None:
        return
    for k, v in root.value:
        if k.value != "functions":
            continue
        for item in v.value:
            fields = {kn.value: vn for kn, vn in item.value}
            name = fields["name"].value
            aliases = [a.value for a in fields["aliases"].value] \
                if "aliases" in fields else []
            irql = [kn.value for kn, _ in fields["irql"].value] \
                if "irql" in fields else []
            first, last = item.start_mark.line, item.end_mark.line
            if item.end_mark.column == 0:
                last -= 1
            yield name, aliases, irql, lines[first:last + 1], first + 1


def comment(line):
    return line.split("#", 1)[1] if "#" in line else ""


def header_text(inc):
    files = glob.glob(os.path.join(inc, "ddk", "*.h"))
    files += glob.glob(os.path.join(inc, "psdk_inc", "*.h"))
    files += [os.path.join(inc, f) for f in ("intrin.h", "winnt.h")]
    return "\n".join(open(f, errors="replace").read() for f in files
                     if os.path.exists(f))


def main():
    rules, inc, minimum, readme = args()
    hdr = header_text(inc)
    if "DMA_OPERATIONS" not in hdr:
        sys.exit("%s: no mingw-w64 DDK headers here" % inc)
    dma = re.search(r"struct\s+_DMA_OPERATIONS\s*\{(.*?)\}", hdr, re.S)
    dma_members = set(re.findall(r"(\w+)\s*;", dma.group(1))) if dma else set()

    # Identifiers the headers call, declare or define as function-like,
    # and macro names.
    known = set(re.findall(r"\b(\w+)\s*\(", hdr))
    known |= set(re.findall(r"#\s*define\s+(\w+)", hdr))

    def declared(n):
        return n in known

    failures = []
    names = {}        # name -> file
    alias_files = {}  # alias -> set of files
    files = sorted(glob.glob(os.path.join(rules, "*.yaml")))
    for path in files:
        f = os.path.basename(path)
        for name, aliases, irql, lines, lineno in entries(path):
            where = "%s:%d" % (f, lineno)
            if name in names:
                failures.append("%s: '%s' is already defined in %s" %
                                (where, name, names[name]))
            names.setdefault(name, f)
            for a in aliases:
                alias_files.setdefault(a, set()).add(f)
            mark = comment(lines[0])
            if MARK_DMA in mark:
                member = name.split("::", 1)[-1]
                if not name.startswith("_DMA_OPERATIONS::") or \
                        member not in dma_members:
                    failures.append("%s: '%s' is marked '%s' but is not one"
                                    % (where, name, MARK_DMA))
            elif MARK_NOT_IN_MINGW in mark:
                for n in [name] + aliases:
                    if declared(n):
                        failures.append("%s: '%s' is marked '%s' but the "
                                        "headers declare it" %
                                        (where, n, MARK_NOT_IN_MINGW))
            else:
                for n in [name] + aliases:
                    if not declared(n):
                        failures.append(
                            "%s: '%s' is not declared in the mingw-w64 "
                            "headers (mark the entry '# %s' if only the "
                            "WDK has it)" % (where, n, MARK_NOT_IN_MINGW))
            if {"min", "max", "exactly"} & set(irql) and \
                    not any("MS docs:" in comment(l) for l in lines):
                failures.append("%s: '%s' has an IRQL requirement but no "
                                "'# MS docs: ...' comment" % (where, name))
    for a, fs in sorted(alias_files.items()):
        if len(fs) > 1:
            failures.append("alias '%s' is listed in several files: %s" %
                            (a, ", ".join(sorted(fs))))
        elif a in names and names[a] not in fs:
            failures.append("alias '%s' (%s) is also a name in %s" %
                            (a, next(iter(fs)), names[a]))
    if len(names) < minimum:
        failures.append("only %d distinct DDIs, expected at least %d" %
                        (len(names), minimum))
    if readme:
        m = re.search(r"contracts\s+for\s+more\s+than\s+(\d+)\s+DDIs",
                      open(readme).read())
        if not m:
            failures.append("%s: no 'contracts for more than N DDIs'" % readme)
        elif int(m.group(1)) > len(names):
            failures.append("%s says more than %s DDIs, there are %d" %
                            (readme, m.group(1), len(names)))
    print("%d distinct DDIs in %d files" % (len(names), len(files)))
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
