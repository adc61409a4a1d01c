#!/usr/bin/env python3
"""Keeps docs/rules/ true to the tool.

For every rule `irqlcheck --list-rules` prints: docs/rules/<id>.md and
test/rules/<id>.c must exist; the page's bad example, run through irqlcheck,
must print exactly the output block shown after it (stdout and stderr, as a
terminal shows them); a complete fixed example must print nothing.
`check_rule_docs.py IRQLCHECK SRC --update` rewrites those output blocks.
"""
import os
import re
import subprocess
import sys
import tempfile

irqlcheck, src = os.path.abspath(sys.argv[1]), sys.argv[2]
# --update rewrites each page's output block with what the tool prints (run
# by hand after a change to the output format, then review the diff).
update = "--update" in sys.argv[3:]
rules = [line.split(":")[0] for line in
         subprocess.run([irqlcheck, "--list-rules"], check=True,
                        capture_output=True, text=True).stdout.splitlines()]
failures = []


def blocks(text, heading):
    """The ```c block and the ```text block that follow a heading."""
    part = text.split(heading, 1)[1] if heading in text else ""
    part = re.split(r"\n## ", part, 1)[0]
    code = re.search(r"```c\n(.*?)```", part, re.S)
    out = re.search(r"```text\n(.*?)```", part, re.S)
    return (code.group(1) if code else None, out.group(1) if out else None)


def run(code):
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "bad.c"), "w") as f:
            f.write(code)
        r = subprocess.run([irqlcheck, "bad.c"], cwd=d, capture_output=True,
                           text=True)
        return r.returncode, r.stdout + r.stderr


for rule in rules:
    page = os.path.join(src, "docs", "rules", rule + ".md")
    if not os.path.exists(os.path.join(src, "test", "rules", rule + ".c")):
        failures.append("%s: no test/rules/%s.c" % (rule, rule))
    if not os.path.exists(page):
        failures.append("%s: no docs/rules/%s.md" % (rule, rule))
        continue
    text = open(page).read()
    code, expected = blocks(text, "## Bad example")
    if code is None or expected is None:
        failures.append("%s: the bad example or its output is missing" % rule)
    else:
        status, got = run(code)
        if update and got != expected and status == 1:
            part = text.index("## Bad example")
            at = text.index("```text\n" + expected, part)
            text = text[:at] + "```text\n" + got + text[at + 8 + len(expected):]
            with open(page, "w") as f:
                f.write(text)
            print("updated", page)
            expected = got
        if got != expected or status != 1:
            failures.append("%s: the bad example prints (exit %d):\n%s"
                            "but the page says:\n%s" % (rule, status, got,
                                                        expected))
    fixed, _ = blocks(text, "## Fixed example")
    if fixed and "#include" in fixed:
        status, got = run(fixed)
        if got or status != 0:
            failures.append("%s: the fixed example prints (exit %d):\n%s" %
                            (rule, status, got))
    print("checked", rule)

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
