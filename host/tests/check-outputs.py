#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check that every output of one runner run tells the same story.

    check-outputs.py RUNDIR RC HUMAN-FILE NAME=STATUS...

RUNDIR is logs/<run>/ (results.json, results.tap, junit.xml), RC the
runner's exit status, HUMAN-FILE its stdout without -t (or '-' to skip
that check), and each NAME=STATUS an expected test status.  Checks:
results.json against host/runner/results.schema.json; the exit status rule
(1 iff some FAIL, TIMEOUT, ERROR or XPASS); the human lines; TAP13
numbering, directives and subtest blocks; JUnit structure, counts and the
element each status must produce.  Prints PASS:/FAIL: lines, exits 1 on
any FAIL.  Used by scripts/runner-selftest.sh.
"""
import importlib.util
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BAD = {"FAIL", "TIMEOUT", "ERROR", "XPASS"}
failed = False


def check(name, ok, why=""):
    global failed
    print("%s: outputs: %s%s" % ("PASS" if ok else "FAIL", name, "" if ok else " (%s)" % why))
    failed |= not ok


def schema_errors(doc):
    spec = importlib.util.spec_from_file_location(
        "jsc", os.path.join(TOP, "scripts", "json-schema-check.py"))
    jsc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(jsc)
    with open(os.path.join(TOP, "host", "runner", "results.schema.json")) as f:
        schema = json.load(f)
    c = jsc.Checker(schema)
    c.check(schema, doc, "$")
    return c.errors


def check_json(res, rc, want):
    errs = schema_errors(res)
    check("results.json matches the schema", not errs, "; ".join(errs[:3]))
    got = {t["name"]: t["status"] for t in res["tests"]}
    check("results.json statuses", all(got.get(n) == s for n, s in want.items()),
          "got %s, want %s" % (got, want))
    bad = any(s in BAD for s in got.values())
    check("exit status %d follows the statuses" % rc, rc == (1 if bad else 0) and
          res["exit_status"] == rc, "rc %d, results.json %d" % (rc, res["exit_status"]))
    for t in res["tests"]:
        names = [s["name"] for s in t["subtests"]]
        check("%s: subtest names unique" % t["name"], len(names) == len(set(names)))


def check_human(path, res):
    if path == "-":
        return
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    for t in res["tests"]:
        ok = any(re.match(r"^%s %s( \(.*\))?$" % (t["status"], re.escape(t["name"])), l)
                 for l in lines)
        check("human line for %s" % t["name"], ok, "no '%s %s ...'" % (t["status"], t["name"]))


def tap_directive(line):
    m = re.search(r"(?<!\\)# *(SKIP|TODO)\b", line)
    return m.group(1) if m else None


def check_tap(path, res):
    lines = open(path, encoding="utf-8").read().splitlines()
    check("TAP header", lines[:2] == ["TAP version 13", "1..%d" % len(res["tests"])],
          str(lines[:2]))
    tops = [l for l in lines if re.match(r"^(not )?ok \d+ - ", l)]
    check("TAP: one top-level line per test, numbered in order",
          [int(l.split()[1 if l.startswith("ok") else 2]) for l in tops] ==
          list(range(1, len(res["tests"]) + 1)), str(tops)[:300])
    by_name = {t["name"]: t for t in res["tests"]}
    i = 2
    for t in res["tests"]:
        sub = []
        while i < len(lines) and lines[i].startswith("    "):
            sub.append(lines[i][4:])
            i += 1
        top = lines[i]
        i += 1
        while i < len(lines) and lines[i].startswith("  ") and not lines[i].startswith("    "):
            i += 1          # YAML block
        name = t["name"]
        ok = not top.startswith("not ok")
        st = t["status"]
        want_ok = st in ("PASS", "SKIP", "XPASS")
        want_dir = {"SKIP": "SKIP", "XFAIL": "TODO", "XPASS": "TODO"}.get(st)
        check("TAP %s: ok/not ok and directive" % name,
              ok == want_ok and tap_directive(top) == want_dir and
              (" - %s" % name) in top, top)
        subs = t["subtests"]
        if not subs:
            check("TAP %s: no subtest block" % name, not sub, str(sub[:2]))
            continue
        nums = [int(re.match(r"(?:not )?ok (\d+) ", l).group(1)) for l in sub
                if re.match(r"(not )?ok \d+ ", l)]
        check("TAP %s: subtest block" % name,
              sub[0] == "# Subtest: " + name and sub[-1] == "1..%d" % len(subs) and
              nums == list(range(1, len(subs) + 1)), str(sub[:2] + sub[-1:]))
        lines_ok = True
        for s, l in zip(subs, [l for l in sub if re.match(r"(not )?ok \d+ ", l)]):
            d = tap_directive(l)
            if s["status"] == "PASS":
                lines_ok &= l.startswith("ok ") and d == ("TODO" if "known_failure" in s else None)
            elif s["status"] == "FAIL":
                lines_ok &= l.startswith("not ok ") and d == ("TODO" if "known_failure" in s else None)
            elif s["status"] == "SKIP":
                lines_ok &= l.startswith("ok ") and d == "SKIP"
            else:
                lines_ok &= l.startswith("not ok ") and d == "TODO"
        check("TAP %s: subtest lines match results.json" % name, lines_ok)
    check("TAP: nothing after the last test", i >= len(lines) or
          all(l.startswith("#") for l in lines[i:]), str(lines[i:i + 2]))


def check_junit(path, res):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        check("junit.xml is well-formed", False, str(e))
        return
    check("junit.xml is well-formed", True)
    suites = root.findall("testsuite")
    check("JUnit: <testsuites> with one <testsuite> per test", root.tag == "testsuites" and
          [s.get("name") for s in suites] == [t["name"] for t in res["tests"]])
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for s, t in zip(suites, res["tests"]):
        cases = s.findall("testcase")
        kinds = {"failures": 0, "errors": 0, "skipped": 0}
        for c in cases:
            children = [x.tag for x in c]
            kinds["failures"] += children.count("failure")
            kinds["errors"] += children.count("error")
            kinds["skipped"] += children.count("skipped")
        counts_ok = int(s.get("tests")) == len(cases) and \
            all(int(s.get(k)) == v for k, v in kinds.items())
        for k in total:
            total[k] += int(s.get(k))
        name = t["name"]
        sub_names = [c.get("name") for c in cases[:len(t["subtests"])]]
        check("JUnit %s: counts match its testcases" % name, counts_ok)
        check("JUnit %s: one testcase per subtest, in order" % name,
              sub_names == [x["name"] for x in t["subtests"]] and
              len(cases) - len(t["subtests"]) in (0, 1) and
              all(c.get("classname") == name for c in cases))
        st = t["status"]
        props = {p.get("name"): p.get("value") for p in s.iter("property")}
        want = {"FAIL": kinds["failures"] > 0 and not kinds["errors"],
                "TIMEOUT": kinds["failures"] > 0,
                "XPASS": kinds["failures"] > 0,
                "ERROR": kinds["errors"] > 0,
                "PASS": not kinds["failures"] and not kinds["errors"],
                "SKIP": not kinds["failures"] and not kinds["errors"] and kinds["skipped"] > 0,
                "XFAIL": not kinds["failures"] and not kinds["errors"] and kinds["skipped"] > 0}[st]
        check("JUnit %s: %s shows as %s" % (name, st, kinds), want and props.get("status") == st)
        out = s.find("system-out")
        check("JUnit %s: system-out has the reproducer or why not started" % name,
              out is not None and out.text and
              (out.text.startswith("$ ") if t["started"] else "not started" in out.text))
    check("JUnit: <testsuites> totals", all(int(root.get(k)) == v for k, v in total.items()),
          str(root.attrib))


def main():
    if len(sys.argv) < 4:
        print("usage: check-outputs.py RUNDIR RC HUMAN-FILE NAME=STATUS...", file=sys.stderr)
        return 2
    rundir, rc, human = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    want = dict(a.split("=", 1) for a in sys.argv[4:])
    with open(os.path.join(rundir, "results.json"), encoding="utf-8") as f:
        res = json.load(f)
    check_json(res, rc, want)
    check_human(human, res)
    check_tap(os.path.join(rundir, "results.tap"), res)
    check_junit(os.path.join(rundir, "junit.xml"), res)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
