#!/usr/bin/env python3
"""Runs the tasks of a VS Code tasks.json as VS Code would and applies their
problem matchers to the real output, then checks each problem against the
SARIF log of the same run.

    check_problem_matcher.py TASKS.json WORKSPACE FILE

${workspaceFolder} is WORKSPACE, ${file} is FILE; irqlcheck is found on PATH.
For every task: every diagnostic line of the output is matched by exactly
one matcher; each warning is a SARIF result (file, line, column, message,
rule), each note one of its related locations, each file-level error a SARIF
notification, and every SARIF result and related location is a problem.
Prints the problems, one a line, for FileCheck.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

# JavaScript regexp syntax that Python reads differently or not at all.
JS_ONLY = [r"(?<", r"\k<", r"\p{", r"\u", r"(?<=", r"(?<!"]


def fail(msg):
    print("check_problem_matcher: FAILED: " + msg)
    sys.exit(1)


def substitute(value, ws, file):
    return value.replace("${workspaceFolder}", ws).replace("${file}", file)


def compile_matchers(task):
    matchers = []
    for m in task["problemMatcher"]:
        pattern = m["pattern"]
        rx = pattern["regexp"]
        for bad in JS_ONLY:
            if bad in rx:
                fail("%s: regexp uses %r, which Python does not read as JS does" % (task["label"], bad))
        if m["fileLocation"][0] != "autoDetect":
            fail("%s: fileLocation %r" % (task["label"], m["fileLocation"]))
        matchers.append((re.compile(rx), pattern, m))
    return matchers


def resolve(path, ws):
    # fileLocation autoDetect: absolute as it is, else under the workspace.
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(ws, path))


def problems_of(output, matchers, ws):
    problems = []
    for line in output.splitlines():
        hits = [(rx.match(line), pattern, m) for rx, pattern, m in matchers]
        hits = [h for h in hits if h[0]]
        looks = re.search(r":\d+:\d+: (?:fatal )?(?:warning|error|note): |^irqlcheck: error: ", line)
        if len(hits) > 1:
            fail("line matched by %d matchers: %s" % (len(hits), line))
        if looks and not hits:
            fail("diagnostic line not matched: %s" % line)
        if not hits:
            continue
        mo, pattern, m = hits[0]
        group = lambda key: mo.group(pattern[key]) if key in pattern else None
        severity = group("severity") or m.get("severity")
        problems.append({
            "kind": pattern.get("kind", "location"),
            "file": resolve(group("file"), ws),
            "line": int(group("line")) if "line" in pattern else None,
            "column": int(group("column")) if "column" in pattern else None,
            "severity": severity,
            "message": group("message"),
            "code": group("code"),
        })
    return problems


def sarif_expectations(path):
    with open(path) as f:
        run = json.load(f)["runs"][0]
    bases = {k: v["uri"] for k, v in run.get("originalUriBaseIds", {}).items()}

    def where(loc):
        phys = loc["physicalLocation"]
        art = phys["artifactLocation"]
        uri = urllib.parse.urljoin(bases.get(art.get("uriBaseId"), ""), art["uri"])
        file = os.path.normpath(urllib.parse.unquote(urllib.parse.urlparse(uri).path))
        return file, phys["region"]["startLine"], phys["region"]["startColumn"]

    expected = []
    for r in run.get("results", []):
        expected.append(("warning",) + where(r["locations"][0]) + (r["message"]["text"], r["ruleId"]))
        for rel in r.get("relatedLocations", []):
            expected.append(("info",) + where(rel) + (rel["message"]["text"], None))
    notes = [n["message"]["text"] for inv in run.get("invocations", [])
             for n in inv.get("toolExecutionNotifications", [])]
    return expected, notes


def main():
    tasks_json, ws, file = sys.argv[1:4]
    ws, file = os.path.abspath(ws), os.path.abspath(file)
    with open(tasks_json) as f:
        tasks = json.load(f)["tasks"]
    if not tasks:
        fail("no tasks")
    for task in tasks:
        matchers = compile_matchers(task)
        cmd = [task["command"]] + [substitute(a, ws, file) for a in task["args"]]
        cwd = substitute(task.get("options", {}).get("cwd", ws), ws, file)
        run = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True)
        problems = problems_of(run.stdout, matchers, ws)
        with tempfile.TemporaryDirectory() as tmp:
            sarif = os.path.join(tmp, "out.sarif")
            subprocess.run(cmd + ["--format=sarif", "-o", sarif], cwd=cwd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            expected, notifications = sarif_expectations(sarif)

        print("task '%s': exit %d, %d problems" % (task["label"], run.returncode, len(problems)))
        located = [p for p in problems if p["kind"] == "location"]
        got = [(p["severity"], p["file"], p["line"], p["column"], p["message"], p["code"])
               for p in located if p["severity"] in ("warning", "info")]
        if sorted(got) != sorted(expected):
            missing = set(expected) - set(got)
            extra = set(got) - set(expected)
            fail("%s: problems differ from SARIF\n  missing: %s\n  extra: %s"
                 % (task["label"], sorted(missing), sorted(extra)))
        file_errors = [p for p in problems if p["kind"] == "file"]
        if len(file_errors) != len(notifications):
            fail("%s: %d file-level errors, %d SARIF notifications"
                 % (task["label"], len(file_errors), len(notifications)))
        failed_files = {p["file"] for p in file_errors}
        for p in located:
            if p["severity"] == "error" and p["file"] not in failed_files:
                fail("%s: compile error in a file irqlcheck did not report: %s" % (task["label"], p))
        for p in problems:
            where = os.path.relpath(p["file"], ws)
            if p["line"] is not None:
                where += ":%d:%d" % (p["line"], p["column"])
            print("  %s %s %s%s | %s" % (p["severity"], p["kind"], where,
                                         " [%s]" % p["code"] if p["code"] else "", p["message"]))


if __name__ == "__main__":
    main()
