#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Self-test of scripts/kernel-report.py on synthetic results.json files.

Run from the top of the tree; prints PASS:/FAIL: lines, exits 1 if any
check failed.  Each case writes runs (results.json plus the test's log
beside it, as the runner does), builds the report and checks its exit
status, its differences, and report.json against its schema.
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

TOP = os.getcwd()
REPORT = os.path.join(TOP, "scripts", "kernel-report.py")
SCHEMA_CHECK = os.path.join(TOP, "scripts", "json-schema-check.py")
REPORT_SCHEMA = os.path.join(TOP, "host", "runner", "kernel-report.schema.json")
RESULTS_SCHEMA = os.path.join(TOP, "host", "runner", "results.schema.json")
failed = False


def check(name, ok, detail=""):
    global failed
    if ok:
        print("PASS: kernel-report: %s" % name)
    else:
        print("FAIL: kernel-report: %s (%s)" % (name, detail))
        failed = True


def subtests(*pairs):
    return [{"status": s, "name": n} for s, n in pairs]


BASE_SUBTESTS = subtests(
    ("PASS", "msr_rules: no filter: rdmsr 0x10 (TSC): V"),
    ("PASS", "msr_sweep: window 0x0: read: 8192 indices as the model says"),
    ("PASS", "msr_rules: deny-all: filter installed"),
)


def run_doc(kernel, subs, status="PASS", kvm_usable=True):
    bad = status in ("FAIL", "TIMEOUT", "ERROR", "XPASS")
    totals = {k: 0 for k in ("PASS", "FAIL", "SKIP", "XFAIL", "XPASS", "TIMEOUT", "ERROR")}
    totals[status] = 1
    totals["selected"] = 1
    lines = {k: sum(1 for s in subs if s["status"] == k) for k in ("PASS", "FAIL", "SKIP", "XFAIL")}
    return {
        "schema": "kvm-msrfilter-tests/results/2", "started": "2026-12-03T00:00:00Z",
        "duration_s": 1.0, "srcdir": "/nonexistent", "config": "unittests.cfg",
        "logdir": "/nonexistent/logs", "suite_version": "test",
        "host": {"kernel": kernel, "hostname": "lab1", "kernel_source": "path: /k/" + kernel,
                 "cpu_vendor": "AuthenticAMD", "cpu_model": "model", "kvm_module": "kvm_amd",
                 "kvm_params": {}, "kvm_usable": kvm_usable,
                 "kvm_reason": None if kvm_usable else "no /dev/kvm",
                 "vmm": "auto", "accel": "kvm", "qemu_version": None, "timeout_factor": 1},
        "exit_status": 1 if bad else 0, "interrupted_by": None, "totals": totals,
        "tests": [{
            "name": "msr_rules", "index": 1, "status": status,
            "reason": "1 unexpected failure" if bad else None, "file": "msr_rules.flat",
            "groups": ["msrfilter"], "vmm": "kvmrun", "accel": "kvm", "log": "msr_rules.log",
            "command": "x", "started": True, "exit_status": 1 if bad else 0, "signal": None,
            "guest_exit_code": 1 if bad else 0, "timeout_s": 60, "timed_out": False,
            "duration_s": 1.0, "output_bytes": 10, "summary": None, "lines": lines,
            "known_failure": None, "subtests_dropped": 0, "subtests": subs}],
        "not_run": []}


def write_run(tmp, label, doc):
    d = os.path.join(tmp, label)
    os.makedirs(d)
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump(doc, f)
    with open(os.path.join(d, "msr_rules.log"), "w") as f:
        f.write("# reproducer\n")
        for s in doc["tests"][0]["subtests"]:
            f.write("%s: %s\n" % (s["status"], s["name"]))
    return os.path.join(d, "results.json")


def build(tmp, files, *opts):
    out = os.path.join(tmp, "report")
    p = subprocess.run([sys.executable, REPORT, "--out", out] + list(opts) + ["--from"] + files,
                       capture_output=True, text=True)
    report = None
    if os.path.exists(os.path.join(out, "report.json")):
        with open(os.path.join(out, "report.json")) as f:
            report = json.load(f)
        v = subprocess.run([sys.executable, SCHEMA_CHECK, REPORT_SCHEMA,
                            os.path.join(out, "report.json")], capture_output=True, text=True)
        check("report.json valid (%s)" % os.path.basename(tmp).split(".")[0], v.returncode == 0, v.stdout + v.stderr)
    return p, report


def case(name, docs, *opts):
    tmp = tempfile.mkdtemp(prefix=name + ".", dir=WORK)
    files = [write_run(tmp, "run%d" % i, d) for i, d in enumerate(docs)]
    for f in files:
        v = subprocess.run([sys.executable, SCHEMA_CHECK, RESULTS_SCHEMA, f],
                           capture_output=True, text=True)
        if v.returncode:
            check("%s: synthetic input valid" % name, False, v.stdout + v.stderr)
    return build(tmp, files, *opts) + (tmp,)


def main():
    a = run_doc("6.1.0-1-amd64", copy.deepcopy(BASE_SUBTESTS))

    p, r, _ = case("same", [a, run_doc("7.3.4-amd64", copy.deepcopy(BASE_SUBTESTS))])
    check("identical runs: exit 0", p.returncode == 0, p.stderr)
    check("identical runs: no difference", r is not None and r["differences"] == [],
          r and r["differences"])
    check("identical runs: one column per run, named by kernel, module and host",
          r is not None and [x["column"] for x in r["runs"]] ==
          ["6.1.0-1-amd64 kvm_amd lab1", "7.3.4-amd64 kvm_amd lab1"], r and r["runs"])

    # One kernel in two configurations (e.g. intel:7.3 and
    # intel:7.3:enable_apicv=0): the differing parameter names the column.
    on, off, again = (run_doc("7.3.4-amd64", copy.deepcopy(BASE_SUBTESTS)) for _ in range(3))
    on["host"]["kvm_params"] = {"kvm_intel.enable_apicv": "Y", "kvm.ignore_msrs": "N"}
    off["host"]["kvm_params"] = {"kvm_intel.enable_apicv": "N", "kvm.ignore_msrs": "N"}
    again["host"]["kvm_params"] = dict(on["host"]["kvm_params"])
    p, r, _ = case("params", [on, off, again])
    check("one kernel, two configurations: columns named by the parameter that differs",
          r is not None and [x["column"] for x in r["runs"]] ==
          ["7.3.4-amd64 kvm_amd lab1 enable_apicv=Y #1", "7.3.4-amd64 kvm_amd lab1 enable_apicv=N",
           "7.3.4-amd64 kvm_amd lab1 enable_apicv=Y #2"], r and r["runs"])

    subs = copy.deepcopy(BASE_SUBTESTS)
    subs[2]["status"] = "SKIP"
    p, r, _ = case("status", [a, run_doc("7.3.4-amd64", subs)])
    d = r["differences"] if r else []
    check("status difference: exit 0 (information, not failure)", p.returncode == 0, p.stderr)
    check("status difference: found, kind status, with log lines",
          len(d) == 1 and d[0]["kind"] == "status" and (d[0]["runs"][1] or {}).get("status") == "SKIP"
          and ((d[0]["runs"][1] or {}).get("log") or "").endswith(
              "msr_rules.log:4: SKIP: msr_rules: deny-all: filter installed"), d)

    subs = copy.deepcopy(BASE_SUBTESTS)
    subs[0]["name"] = "msr_rules: no filter: rdmsr 0x10 (TSC): GP"
    subs[1]["name"] = "msr_sweep: window 0x0: read: 8191 indices as the model says"
    p, r, tmp = case("value", [a, run_doc("7.3.4-amd64", subs)])
    d = r["differences"] if r else []
    check("value difference: exit 0", p.returncode == 0, p.stderr)
    check("value difference: an outcome (kind value) and a count (kind count)",
          [(x["kind"], (x["runs"][1] or {}).get("name")) for x in d] ==
          [("value", subs[0]["name"]), ("count", subs[1]["name"])], d)
    with open(os.path.join(tmp, "report", "report.md")) as f:
        md = f.read()
    check("value difference: the Markdown shows both values",
          "rdmsr 0x10 (TSC): GP" in md and "rdmsr 0x10 (TSC): V" in md, md[-400:])

    subs = copy.deepcopy(BASE_SUBTESTS)[:2]
    p, r, _ = case("missing", [a, run_doc("7.3.4-amd64", subs)])
    d = r["differences"] if r else []
    check("subtest missing in one run: kind missing",
          len(d) == 1 and d[0]["kind"] == "missing" and d[0]["runs"][1] is None, d)

    # The 6.1 vs 6.12 difference the model's version table predicts: lines
    # tagged "[kernel rule COMMIT]" are expected; an untagged one is not.
    old = copy.deepcopy(BASE_SUBTESTS) + subtests(
        ("PASS", "vmx: mask 0: VM-entry MSR-load list, LSTAR write denied [kernel rule "
                 "ac8d6cad3c7b]: L2 ran to its end (VMCALL)"))
    new = copy.deepcopy(BASE_SUBTESTS) + subtests(
        ("PASS", "vmx: mask 0: VM-entry MSR-load list, LSTAR write denied [kernel rule "
                 "653ea4489e69]: VM entry fails on entry 2 (exit reason 34)"))
    new[0]["name"] = "msr_rules: no filter: rdmsr 0x10 (TSC): GP"
    p, r, tmp = case("explained", [run_doc("6.1.0-1-amd64", old), run_doc("6.12.1-amd64", new)])
    d = r["differences"] if r else []
    exp = [x for x in d if "explained" in x]
    check("kernel-rule lines: expected and explained, by their commits",
          len(exp) == 2 and all("ac8d6cad3c7b" in x["explained"] or "653ea4489e69" in x["explained"]
                                for x in exp), d)
    check("an untagged difference stays unexplained",
          [x["kind"] for x in d if "explained" not in x] == ["value"], d)
    with open(os.path.join(tmp, "report", "report.md")) as f:
        md = f.read()
    check("kernel-rule lines: the Markdown counts and explains them",
          "(3, 2 of them expected)" in md and "Expected, explained by the model's kernel-version"
          in md, md[-600:])

    # Lines only one vendor's runs have (msr_nested's svm:/vmx: lines) are
    # expected, and the Markdown sums them up instead of listing each.
    amd = run_doc("7.3.4-amd64", copy.deepcopy(BASE_SUBTESTS) + subtests(
        ("PASS", "svm: mask 0: FS_BASE read: GP"), ("PASS", "svm: mask 0: LSTAR read: GP")))
    intel = run_doc("7.3.4-amd64", copy.deepcopy(BASE_SUBTESTS) + subtests(
        ("PASS", "vmx: mask 0: FS_BASE read: GP")))
    intel["host"]["kvm_module"] = "kvm_intel"
    p, r, tmp = case("vendor", [amd, intel])
    d = r["differences"] if r else []
    check("vendor-specific lines: expected, named by the vendor module",
          sorted(x.get("explained", "") for x in d) ==
          ["vendor-specific: only on kvm_amd runs"] * 2 + ["vendor-specific: only on kvm_intel runs"], d)
    with open(os.path.join(tmp, "report", "report.md")) as f:
        md = f.read()
    check("vendor-specific lines: summed up in the Markdown",
          "msr_rules: 2 subtests only on kvm_amd runs" in md and "### " not in md, md[-600:])

    subs = copy.deepcopy(BASE_SUBTESTS)
    subs[2]["status"] = "FAIL"
    p, r, _ = case("fail", [a, run_doc("7.3.4-amd64", subs, status="FAIL")])
    check("a FAIL: exit 1", p.returncode == 1, "status %d: %s" % (p.returncode, p.stderr))
    check("a FAIL: the run says why", r is not None and r["exit_status"] == 1 and
          r["runs"][1]["unexpected"] == ["FAIL msr_rules: 1 unexpected failure"] and
          r["runs"][0]["unexpected"] == [], r and r["runs"])

    nokvm = run_doc("7.3.4-amd64", copy.deepcopy(BASE_SUBTESTS), kvm_usable=False)
    p, r, _ = case("nokvm", [a, nokvm])
    check("no KVM: exit 0 without --require-kvm", p.returncode == 0, p.stderr)
    p, r, _ = case("nokvm-req", [a, nokvm], "--require-kvm")
    check("no KVM: exit 1 with --require-kvm", p.returncode == 1, p.stderr)

    p, r, _ = case("failed", [a], "--failed", "7.3: the nested VM stalled")
    check("a run without results (--failed): exit 1, listed",
          p.returncode == 1 and r is not None and r["failed_runs"] == ["7.3: the nested VM stalled"],
          "status %d: %s" % (p.returncode, r and r["failed_runs"]))

    tmp = tempfile.mkdtemp(prefix="bad.", dir=WORK)
    good = write_run(tmp, "good", a)
    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as f:
        f.write('{\n  "schema": \n')
    p = subprocess.run([sys.executable, REPORT, good, bad], capture_output=True, text=True)
    check("bad JSON: status 2, 'file:line: message'",
          p.returncode == 2 and (bad + ":3: ") in p.stderr, "status %d: %s" % (p.returncode, p.stderr))
    wrong = os.path.join(tmp, "wrong.json")
    with open(wrong, "w") as f:
        json.dump({"schema": "something else"}, f)
    p = subprocess.run([sys.executable, REPORT, good, wrong], capture_output=True, text=True)
    check("not a results.json: status 2, file named",
          p.returncode == 2 and (wrong + ": ") in p.stderr, "status %d: %s" % (p.returncode, p.stderr))
    missing = os.path.join(tmp, "nonexistent.json")
    p = subprocess.run([sys.executable, REPORT, missing], capture_output=True, text=True)
    check("missing file: status 2, file named",
          p.returncode == 2 and missing in p.stderr, "status %d: %s" % (p.returncode, p.stderr))
    return 1 if failed else 0


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="kernel-report-selftest.") as WORK:
        sys.exit(main())
