#!/usr/bin/env python3
"""Runs the steps of a GitHub Actions workflow job locally, as far as they
can run here, and prints what each did.

    run_workflow.py WORKFLOW.yml WORKSPACE [--skip STEP_ID]...

`run` steps run with `bash -e` in WORKSPACE, in order, with the job's and
the step's env, a GITHUB_OUTPUT file per step, and the expressions
`${{ steps.ID.outputs.NAME }}` filled in. A step after a failed one runs
only if its `if` has always(). `uses` steps are not run: the line printed
names the action and its `with` inputs, and whether a file input exists.
Steps named by --skip (by id: e.g. the install step, whose package is not
here) are skipped. Exits 0; the job's result is the last line printed.
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

EXPR = re.compile(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}")


def main():
    workflow, ws = sys.argv[1], os.path.abspath(sys.argv[2])
    skip = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--skip"]
    with open(workflow) as f:
        wf = yaml.safe_load(f)
    # YAML 1.1 reads the key `on` as True.
    triggers = wf.get("on", wf.get(True))
    print("triggers: %s" % " ".join(sorted(triggers)))
    print("permissions: %s" % " ".join("%s=%s" % kv for kv in sorted(wf.get("permissions", {}).items())))
    outputs = {}
    failed = False
    for job_id, job in wf["jobs"].items():
        print("job %s: runs-on %s container %s" % (job_id, job["runs-on"], job.get("container")))
        for step in job["steps"]:
            name = step.get("name", step.get("uses"))
            cond = str(step.get("if", ""))
            if failed and "always()" not in cond:
                print("step '%s': skipped (an earlier step failed)" % name)
                continue
            if step.get("id") in skip:
                print("step '%s': skipped (--skip)" % name)
                continue
            if "uses" in step:
                inputs = step.get("with", {})
                shown = []
                for k, v in sorted(inputs.items()):
                    v = str(v)
                    exists = os.path.exists(os.path.join(ws, v))
                    shown.append("%s=%s%s" % (k, v, " (exists)" if exists else ""))
                print("step '%s': uses %s %s" % (name, step["uses"], " ".join(shown)))
                continue
            env = dict(os.environ)
            for scope in (wf.get("env", {}), job.get("env", {}), step.get("env", {})):
                for k, v in scope.items():
                    env[k] = EXPR.sub(lambda m: outputs.get(m.group(1), {}).get(m.group(2), ""), str(v))
            with tempfile.NamedTemporaryFile("r", suffix=".out") as out:
                env["GITHUB_OUTPUT"] = out.name
                run = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=ws, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     universal_newlines=True)
                values = dict(line.split("=", 1) for line in out.read().splitlines() if "=" in line)
            if "id" in step:
                outputs[step["id"]] = values
            print("step '%s': exit %d%s" % (name, run.returncode, "".join(
                " %s=%s" % kv for kv in sorted(values.items()))))
            for line in run.stdout.splitlines():
                print("  | " + line)
            failed = failed or run.returncode != 0
    print("job result: %s" % ("failure" if failed else "success"))


if __name__ == "__main__":
    main()
