#!/usr/bin/env python3
"""Validates SARIF files the way the test suite requires.

Usage: validate_sarif.py VALIDATOR FILE...

VALIDATOR is Microsoft's `sarif-multitool` (npm @microsoft/sarif-multitool,
installed by scripts/setup.sh). For each FILE, `sarif-multitool validate`
must report no error and no warning other than the expected ones below; it
exits 0 whatever it finds, so its report is read instead. The file must
also conform to the SARIF 2.1.0 JSON schema that ships in the validator's
package: the validator passes some schema violations (an unknown `level`
value) without a word. Prints the validator's report; exits 1 on any
problem.
"""
import glob
import json
import os
import re
import subprocess
import sys

# irqlcheck has no public home page for tool.driver.informationUri.
EXPECTED = [("warning", "SARIF2005", "informationUri")]


def fail(msg):
    print("validate_sarif: " + msg)
    sys.exit(1)


def expected(level, rule, text):
    return any(level == l and rule == r and word in text
               for l, r, word in EXPECTED)


def main():
    if len(sys.argv) < 3:
        fail("usage: validate_sarif.py VALIDATOR FILE...")
    validator, files = sys.argv[1], sys.argv[2:]
    if not os.path.exists(validator):
        fail("no SARIF validator at %s; run scripts/setup.sh (it installs "
             "@microsoft/sarif-multitool into tools/sarif-validator)" %
             validator)
    root = os.path.dirname(os.path.dirname(os.path.realpath(validator)))
    schemas = glob.glob(os.path.join(root, "sarif-multitool-*",
                                     "sarif-2.1.0.json"))
    if not schemas:
        fail("no sarif-2.1.0.json beside the validator in %s" % root)
    try:
        import jsonschema
    except ImportError:
        fail("python module jsonschema missing (Debian: python3-jsonschema)")
    with open(schemas[0]) as f:
        schema = json.load(f)
    checker = jsonschema.validators.validator_for(schema)(schema)

    problems = 0
    for path in files:
        run = subprocess.run([validator, "validate", path],
                             capture_output=True, text=True)
        report = run.stdout + run.stderr
        print(report.rstrip())
        if run.returncode != 0:
            print("FAIL: the validator exited with %d" % run.returncode)
            problems += 1
        if "Analysis completed successfully" not in report:
            print("FAIL: the validator did not complete")
            problems += 1
        for m in re.finditer(r": (error|warning) (\w+): (.*)", report):
            if not expected(*m.groups()):
                print("FAIL: %s %s" % (m.group(1), m.group(2)))
                problems += 1
        try:
            with open(path) as f:
                log = json.load(f)
        except ValueError as e:
            print("FAIL: not JSON: %s" % e)
            problems += 1
            continue
        for e in checker.iter_errors(log):
            where = "/".join(str(p) for p in e.absolute_path)
            print("FAIL: schema: %s at %s" % (e.message, where))
            problems += 1
    if problems:
        sys.exit(1)
    print("validate_sarif: %d file(s) valid" % len(files))


main()
