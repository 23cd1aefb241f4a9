#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Compare runs of the suite across kernels (or hosts): one report.

    scripts/kernel-report.py [--out DIR] [--require-kvm] [--failed TEXT]...
                             [--from] RESULTS.json...

Reads the results.json of each run (one column each, named by kernel,
vendor module and host), and writes DIR/report.md (for people) and
DIR/report.json (for machines, host/runner/kernel-report.schema.json); without
--out the Markdown goes to stdout.  The report has a table of tests x runs
with each status, and below it every subtest whose outcome differs between
runs, each with the run and its log line (file:line: text): a different
status; a different observed value (the same subtest line with another
outcome word at its end); only other numbers in the line (counts, which
may also vary from run to run: rounds done in a time); or present in
some runs only.

Exit status: 1 if any run had an unexpected result (FAIL, TIMEOUT, ERROR,
XPASS, an interrupted run, a non-zero exit status, or with --require-kvm a
run without usable KVM, or a run named by --failed, one that left no
results.json: "SPEC: why"), else 0: differences alone are information.
2 on bad input, with the file named.  Standard library only.
"""
import datetime
import importlib.util
import json
import os
import re
import sys

SCHEMA = "kvm-msrfilter-tests/kernel-report/1"
UNEXPECTED = ("FAIL", "TIMEOUT", "ERROR", "XPASS")
HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS_SCHEMA = os.path.join(HERE, "..", "host", "runner", "results.schema.json")


class BadInput(Exception):
    pass


def schema_checker():
    """json-schema-check.py's Checker: one validator for every schema."""
    spec = importlib.util.spec_from_file_location(
        "json_schema_check", os.path.join(HERE, "json-schema-check.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.Checker


def load_run(path, checker_cls, schema):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except json.JSONDecodeError as e:
        raise BadInput("%s:%d: not JSON: %s" % (path, e.lineno, e.msg))
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput("%s: %s" % (path, e))
    checker = checker_cls(schema)
    checker.check(schema, doc, "$")
    if checker.errors:
        raise BadInput("%s: not a results.json (host/runner/results.schema.json): %s"
                       % (path, "; ".join(checker.errors[:3])))
    return doc


# A subtest is known by its text with decimal numbers replaced by N and
# its final outcome word (": V", ": GP", ...) cut off: what remains names
# the check, what was replaced is the value the guest observed.
NUM = re.compile(r"(?<![0-9A-Za-z])[0-9]+(?![0-9A-Za-z])")
OUTCOME = re.compile(r": [^ :]{1,24}$")


# A guest check whose expectation came from the model's kernel-version
# table ends with this tag (x86/msr_vmx_lists.c): a difference between
# kernels there is expected and explained by the commit it names.
RULE = re.compile(r"\[kernel rule ([0-9a-f]{12})\]")


def subtest_key(name):
    key = NUM.sub("N", name)
    return OUTCOME.sub(": …", key)


def column_name(doc):
    h = doc["host"]
    return "%s %s %s" % (h["kernel"], h["kvm_module"], h.get("hostname") or h.get("cpu_model") or "?")


def unexpected_of(doc, require_kvm):
    why = []
    for t in doc["tests"]:
        if t["status"] in UNEXPECTED:
            why.append("%s %s%s" % (t["status"], t["name"],
                                    ": " + t["reason"] if t["reason"] else ""))
    if doc["interrupted_by"]:
        why.append("interrupted by %s" % doc["interrupted_by"])
    if doc["exit_status"] != 0 and not why:
        why.append("exit status %d" % doc["exit_status"])
    if require_kvm and not doc["host"]["kvm_usable"]:
        why.append("KVM not usable: %s" % doc["host"]["kvm_reason"])
    return why


def log_lines(path, doc):
    """{test name: {subtest line text: 'file:line: text'}} from the run's logs."""
    out = {}
    for t in doc["tests"]:
        where = None
        for d in (os.path.dirname(os.path.abspath(path)), doc["logdir"]):
            cand = os.path.join(d, t["log"])
            if os.path.isfile(cand):
                where = cand
                break
        found = out.setdefault(t["name"], {})
        if not where:
            continue
        rel = os.path.relpath(where)
        try:
            with open(where, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    line = line.rstrip("\n")
                    m = re.match(r"(PASS|FAIL|SKIP|XFAIL): (.*)$", line)
                    if m and m.group(2) not in found:
                        found[m.group(2)] = "%s:%d: %s" % (rel, n, line)
        except OSError:
            pass
    return out


def subtests_of(test):
    """{key: (status, name)}; a key seen twice gets ' [2]', ' [3]'..."""
    out = {}
    for s in test["subtests"]:
        key = subtest_key(s["name"])
        k, n = key, 1
        while k in out:
            n += 1
            k = "%s [%d]" % (key, n)
        out[k] = (s["status"], s["name"])
    return out


def compare(runs, logs):
    tests = []
    order = []
    for doc in runs:
        for t in doc["tests"]:
            if t["name"] not in order:
                order.append(t["name"])
    diffs = []
    for name in order:
        per = [next((t for t in doc["tests"] if t["name"] == name), None) for doc in runs]
        tests.append({"name": name, "statuses": [t["status"] if t else None for t in per]})
        subs = [subtests_of(t) if t else None for t in per]
        keys = []
        for s in subs:
            for k in s or ():
                if k not in keys:
                    keys.append(k)
        for k in keys:
            seen = [(s.get(k) if s is not None else None) for s in subs]
            present = [x for i, x in enumerate(seen) if subs[i] is not None]
            if all(x == present[0] for x in present) and present[0] is not None:
                continue
            if any(x is None for x in present):
                kind = "missing"
            elif len(set(x[0] for x in present)) > 1:
                kind = "status"
            elif len(set(NUM.sub("N", x[1]) for x in present)) > 1:
                kind = "value"
            else:
                kind = "count"
            entries = []
            for i, x in enumerate(seen):
                if x is None:
                    entries.append(None)
                    continue
                entries.append({"status": x[0], "name": x[1],
                                "log": logs[i].get(name, {}).get(x[1])})
            d = {"test": name, "subtest": k, "kind": kind, "runs": entries}
            rules = sorted(set(m for x in present if x for m in RULE.findall(x[1])))
            have = set(runs[i]["host"]["kvm_module"] for i, x in enumerate(seen) if x is not None)
            lack = set(runs[i]["host"]["kvm_module"] for i, x in enumerate(seen)
                       if x is None and subs[i] is not None)
            if rules and all(x is None or RULE.search(x[1]) for x in present):
                d["explained"] = ("the model's kernel-version table (doc/abi.md "
                                  "§11.3): %s" % ", ".join(rules))
            elif kind == "missing" and have and lack and not have & lack:
                # e.g. msr_nested's vmx: lines under kvm_intel, svm: under
                # kvm_amd: the guest checks what its CPU offers.
                d["explained"] = "vendor-specific: only on %s runs" % "/".join(sorted(have))
            diffs.append(d)
    return tests, diffs


def md_escape(s):
    return s.replace("|", "\\|")


def markdown(report):
    cols = [r["column"] for r in report["runs"]]
    out = ["# Kernel report", ""]
    out.append("%d run(s); generated %s; exit status %d."
               % (len(cols), report["generated"], report["exit_status"]))
    out.append("")
    for f in report["failed_runs"]:
        out.append("- **no results**: %s" % f)
    if report["failed_runs"]:
        out.append("")
    out.append("| run | kernel source | emulator | results | time | unexpected |")
    out.append("|---|---|---|---|---|---|")
    for r in report["runs"]:
        tot = r["totals"]
        counts = ", ".join("%d %s" % (tot[s], s) for s in
                           ("PASS", "FAIL", "SKIP", "XFAIL", "XPASS", "TIMEOUT", "ERROR") if tot[s])
        out.append("| %s | %s | %s | %s (%s) | %.0f s | %s |" % (
            md_escape(r["column"]), md_escape(r["kernel_source"] or "-"),
            md_escape(r["emulator"] or "-"), counts or "none",
            md_escape(r["file"]), r["duration_s"], md_escape("; ".join(r["unexpected"]) or "none")))
    out.append("")
    out.append("| test | " + " | ".join(md_escape(c) for c in cols) + " |")
    out.append("|---|" + "---|" * len(cols))
    for t in report["tests"]:
        out.append("| %s | %s |" % (md_escape(t["name"]),
                                      " | ".join(s or "-" for s in t["statuses"])))
    out.append("")
    order = {"status": 0, "missing": 1, "value": 2, "count": 3}
    diffs = sorted(report["differences"],
                   key=lambda d: ("explained" in d, order[d["kind"]]))
    nexp = sum(1 for d in diffs if "explained" in d)
    out.append("## Differences between runs (%d, %d of them expected)" % (len(diffs), nexp))
    out.append("")
    out.append("Kinds: status; missing (absent from some runs); value (another "
               "outcome); count (only numbers differ, e.g. rounds done in a time).  "
               "Expected: explained by the kernel version (the model's version "
               "table) or by the vendor the guest runs on; these come last.")
    out.append("")
    if not diffs:
        out.append("None: every subtest has the same status and value in every run.")
    vendor = {}
    for d in diffs:
        if d.get("explained", "").startswith("vendor-specific"):
            vendor[(d["test"], d["explained"])] = vendor.get((d["test"], d["explained"]), 0) + 1
    for (test, why), n in sorted(vendor.items()):
        out.append("- %s: %d subtest%s %s (expected: the guest checks the CPU it is given)"
                   % (test, n, "" if n == 1 else "s", why[len("vendor-specific: "):]))
    if vendor:
        out.append("")
    for d in diffs:
        if d.get("explained", "").startswith("vendor-specific"):
            continue
        out.append("### %s: %s (%s)" % (d["test"], d["subtest"], d["kind"]))
        out.append("")
        if "explained" in d:
            out.append("Expected, explained by %s." % d["explained"])
            out.append("")
        for col, e in zip(cols, d["runs"]):
            if e is None:
                out.append("- %s: absent" % col)
            else:
                out.append("- %s: %s `%s`" % (col, e["status"], e["log"] or
                                              "%s: %s (no log line found)" % (e["status"], e["name"])))
        out.append("")
    return "\n".join(out) + "\n"


def main(argv):
    out_dir = None
    require_kvm = False
    failed_runs = []
    files = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--out":
            if not args:
                print("kernel-report: --out needs a directory", file=sys.stderr)
                return 2
            out_dir = args.pop(0)
        elif a == "--failed":
            if not args:
                print("kernel-report: --failed needs a text", file=sys.stderr)
                return 2
            failed_runs.append(args.pop(0))
        elif a == "--require-kvm":
            require_kvm = True
        elif a == "--from":
            pass
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        elif a.startswith("-"):
            print("kernel-report: unknown option %s" % a, file=sys.stderr)
            return 2
        else:
            files.append(a)
    if not files and not failed_runs:
        print("usage: kernel-report.py [--out DIR] [--require-kvm] [--from] RESULTS.json...",
              file=sys.stderr)
        return 2
    try:
        with open(RESULTS_SCHEMA, encoding="utf-8") as f:
            schema = json.load(f)
        checker_cls = schema_checker()
        runs = [load_run(p, checker_cls, schema) for p in files]
    except BadInput as e:
        print("kernel-report: %s" % e, file=sys.stderr)
        return 2
    logs = [log_lines(p, d) for p, d in zip(files, runs)]
    tests, diffs = compare(runs, logs)
    run_entries = []
    for p, doc in zip(files, runs):
        h = doc["host"]
        run_entries.append({
            "column": column_name(doc), "file": p, "kernel": h["kernel"],
            "kernel_source": h.get("kernel_source"), "emulator": h.get("emulator"),
            "kvm_module": h["kvm_module"],
            "host": h.get("hostname"), "cpu_model": h["cpu_model"],
            "kvm_usable": h["kvm_usable"], "exit_status": doc["exit_status"],
            "duration_s": doc["duration_s"],
            "totals": doc["totals"], "unexpected": unexpected_of(doc, require_kvm)})
    # Runs of one kernel on one host are told apart by the KVM parameters
    # that differ between them (enable_apicv=N, ...), then by number.
    names = [r["column"] for r in run_entries]
    params = [doc["host"].get("kvm_params") or {} for doc in runs]
    for i, r in enumerate(run_entries):
        twins = [j for j, n in enumerate(names) if n == names[i]]
        if len(twins) < 2:
            continue
        keys = sorted({k for j in twins for k in params[j]})
        differ = [k for k in keys if len({params[j].get(k) for j in twins}) > 1]
        if differ:
            r["column"] += " " + ",".join("%s=%s" % (k.split(".", 1)[-1], params[i].get(k, "-"))
                                          for k in differ)
    names = [r["column"] for r in run_entries]
    for i, r in enumerate(run_entries):
        if names.count(r["column"]) > 1:
            r["column"] += " #%d" % (names[:i + 1].count(r["column"]))
    status = 1 if failed_runs or any(r["unexpected"] for r in run_entries) else 0
    report = {
        "schema": SCHEMA,
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exit_status": status, "failed_runs": failed_runs, "runs": run_entries, "tests": tests, "differences": diffs}
    md = markdown(report)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "report.json"), "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
            f.write("\n")
        with open(os.path.join(out_dir, "report.md"), "w", encoding="utf-8") as f:
            f.write(md)
        print("kernel-report: %s/report.md, %s/report.json: %d run(s), %d difference(s), %s"
              % (out_dir, out_dir, len(runs), len(diffs),
                 "unexpected results" if status else "nothing unexpected"))
    else:
        sys.stdout.write(md)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
