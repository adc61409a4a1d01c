#!/usr/bin/env python3
"""Prints the parts of an irqlcheck SARIF log that tests check, one per
line, read from their exact places in the log (a misplaced or misnamed key
is a KeyError, not a silent pass):

  tool NAME VERSION rules=N
  rule INDEX ID | SHORT | FULL | help.text FIRST LINE | markdown=yes/no
  base ID URI
  run executionSuccessful=BOOL notifications=N
  notshown baseline=N suppressedInSource=N   (only with --baseline or
                                              suppressions)
  notification LEVEL TEXT
  result RULEID ruleIndex=ok|WRONG(N) level=LEVEL
    at LOCATION
    message TEXT
    related ID LOCATION | MESSAGE
    flow LOCATION [essential] | MESSAGE
    fingerprint KEY VALUE
    baselineState STATE   (only with --baseline)

LOCATION is `[BASE]uri:startLine:startColumn-endColumn`.
Usage: sarif_view.py FILE [--fingerprints]   (the latter: only
`LOCATION FINGERPRINT` per result)
"""
import json
import sys


def loc(l):
    p = l["physicalLocation"]
    a, r = p["artifactLocation"], p["region"]
    base = "[%s]" % a["uriBaseId"] if "uriBaseId" in a else ""
    end = "-%d" % r["endColumn"] if "endColumn" in r else ""
    return "%s%s:%d:%d%s" % (base, a["uri"], r["startLine"],
                             r["startColumn"], end)


log = json.load(open(sys.argv[1]))
assert log["version"] == "2.1.0"
run, = log["runs"]
results = run["results"]
if "--fingerprints" in sys.argv:
    for res in results:
        for k, v in sorted(res["partialFingerprints"].items()):
            print(loc(res["locations"][0]), k, v)
    sys.exit(0)

driver = run["tool"]["driver"]
print("tool", driver["name"], driver["version"], "rules=%d" % len(driver["rules"]))
for i, r in enumerate(driver["rules"]):
    print("rule", i, r["id"], "|", r["shortDescription"]["text"], "|",
          r["fullDescription"]["text"], "|",
          r["help"]["text"].splitlines()[0], "| markdown=%s" %
          ("yes" if r["help"].get("markdown") else "no"))
for k, v in sorted(run["originalUriBaseIds"].items()):
    print("base", k, v["uri"])
inv, = run["invocations"]
notes = inv.get("toolExecutionNotifications", [])
print("run executionSuccessful=%s notifications=%d" %
      (inv["executionSuccessful"], len(notes)))
if "properties" in run:
    h = run["properties"]["irqlcheckNotShown"]
    print("notshown baseline=%d suppressedInSource=%d" %
          (h["baseline"], h["suppressedInSource"]))
for n in notes:
    print("notification", n["level"], n["message"]["text"])
for res in results:
    # ruleIndex must point at the rule named by ruleId.
    index_ok = driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    print("result", res["ruleId"],
          "ruleIndex=" + ("ok" if index_ok else "WRONG(%d)" % res["ruleIndex"]),
          "level=" + res["level"])
    loc0, = res["locations"]
    print("  at", loc(loc0))
    print("  message", res["message"]["text"])
    for rel in res.get("relatedLocations", []):
        print("  related", rel["id"], loc(rel), "|", rel["message"]["text"])
    for flow in res.get("codeFlows", []):
        for tf in flow["threadFlows"]:
            for tl in tf["locations"]:
                imp = " essential" if tl.get("importance") == "essential" else ""
                print("  flow", loc(tl["location"]) + imp, "|",
                      tl["location"]["message"]["text"])
    for k, v in sorted(res["partialFingerprints"].items()):
        print("  fingerprint", k, v)
    if "baselineState" in res:
        print("  baselineState", res["baselineState"])
