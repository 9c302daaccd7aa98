#!/usr/bin/python3
"""Effectiveness of the built-in payment rules on a labelled synthetic stream
(issue 6 targets, docs/PAYMENTS_REPORT.md): generates a stream with
chainbreak-gen-payments (a seed the rules were not tuned on), screens it with
`chainbreak pay screen` and the built-in rules, evaluates it with
bench/eval_payments.py and fails when any target is missed.

    effectiveness_test.py CHAINBREAK GENERATOR EVAL_SCRIPT
"""
import json
import os
import subprocess
import sys
import tempfile

cli, gen, evaluate = sys.argv[1:4]
args = ["--seed", "7", "--accounts", "200000", "--days", "30", "--episodes-per-typology", "600"]
with tempfile.TemporaryDirectory() as d:
    stream, decisions, summary = (os.path.join(d, n) for n in ("stream.jsonl", "decisions.jsonl", "summary.json"))
    with open(stream, "w") as f:
        subprocess.run([gen] + args, stdout=f, check=True)
    with open(stream) as fin, open(decisions, "w") as fout:
        subprocess.run([cli, "pay", "screen"], stdin=fin, stdout=fout, check=True)
    r = subprocess.run([sys.executable, evaluate, stream, decisions, "--json", summary], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("eval_payments.py failed: " + r.stderr)
    s = json.load(open(summary))
failed = [t for t in s["targets"] if not t["ok"]]
for t in s["targets"]:
    print("%-55s %-10s %8s  %s" % (t["target"], t["required"], t["measured"], "ok" if t["ok"] else "FAIL"))
if len(s["targets"]) < 7:
    sys.exit("expected 7 targets, got %d" % len(s["targets"]))
if failed:
    sys.exit("%d target(s) missed" % len(failed))
print("all %d targets met on %d payments (generator %s)" % (len(s["targets"]), s["lines"], " ".join(args)))
