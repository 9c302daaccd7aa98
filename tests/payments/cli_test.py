#!/usr/bin/env python3
"""CLI contract of `chainbreak pay`: one decision per input line in order,
error decisions naming the field, --state journal + replay, redress
subcommands and stats, --rules validation errors. usage: cli_test.py BIN RULES"""
import json
import os
import subprocess
import sys
import tempfile

BIN, RULES = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args, stdin=""):
    return subprocess.run([BIN, "pay"] + args, input=stdin, capture_output=True, text=True)


def tx(i, **kw):
    d = {"id": "t%d" % i, "time": "2026-03-01T12:%02d:00Z" % i, "amount": "50", "currency": "USD",
         "channel": "p2p", "payer": {"id": "kid", "country": "US", "age_band": "minor", "account_age_days": 100},
         "payee": {"id": "x1", "country": "NG", "age_band": "adult", "account_age_days": 2},
         "label": {"kind": "sextortion"}}
    d.update(kw)
    return json.dumps(d)


lines = [tx(1, amount="100"), tx(2, memo="please stop, delete the pictures"), '{"id":"bad","time":"x"}', "not json",
         tx(3, payer={"id": "kid", "country": "USA"})]
stream = "\n".join(lines) + "\n"
with tempfile.TemporaryDirectory() as d:
    r = run(["screen", "--rules", RULES], stream)
    check(r.returncode == 0, "screen exits 0: " + r.stderr)
    out = [json.loads(l) for l in r.stdout.splitlines()]
    check(len(out) == 5, "one decision per line")
    check([o["id"] for o in out] == ["t1", "t2", "bad", None, "t3"], "same order, ids (null when unreadable)")
    check(out[1]["decision"] == "block" and len(out[1]["reasons"]) >= 2, "plea memo on a repeat payment blocks")
    check(all(set(("rule", "typology", "weight", "source", "reason", "values")) <= set(x) for x in out[1]["reasons"]),
          "reasons carry rule, typology, weight, source, reason, values")
    check(out[2]["decision"] == "error" and out[2]["error"]["field"] == "time" and out[2]["line"] == 3, "error names field")
    check(out[4]["error"]["field"] == "payer.country", "nested field named")
    # Built-in rules = the file.
    r2 = run(["screen"], stream)
    check(r2.stdout == r.stdout, "built-in rules equal rules/payments.yaml")
    env = dict(os.environ, CHAINBREAK_PAY_RULES=os.path.join(d, "missing.yaml"))
    r3 = subprocess.run([BIN, "pay", "screen"], input=stream, capture_output=True, text=True, env=env)
    check(r3.returncode != 0 and "missing.yaml" in r3.stderr, "CHAINBREAK_PAY_RULES is read")
    bad = os.path.join(d, "bad.yaml")
    open(bad, "w").write("version: 1\ntypologies: [{id: a, alert: 1, hold: 2, block: 3}]\n"
                         "rules: [{id: r, typology: a, weight: 1, source: s, reason: r, when: [{feature: nope, op: eq, value: 1}]}]\n")
    r4 = run(["screen", "--rules", bad], stream)
    check(r4.returncode == 2 and "bad.yaml:3:" in r4.stderr and "unknown feature" in r4.stderr, "rules error with line: " + r4.stderr)
    # State, journal, replay, redress, stats.
    st = os.path.join(d, "state")
    r5 = run(["screen", "--rules", RULES, "--state", st], stream)
    check(r5.stdout == r.stdout, "--state gives the same decisions")
    check(os.path.exists(os.path.join(st, "journal.log")) and os.path.exists(os.path.join(st, "snapshot.bin")), "journal and snapshot")
    rr = run(["replay", "--state", st])
    check(rr.returncode == 0 and json.loads(rr.stdout)["identical"], "replay identical: " + rr.stdout + rr.stderr)
    held = [o["id"] for o in out if o["decision"] == "hold"]
    check(len(held) >= 1, "a hold to release")
    rel = run(["release", "--state", st, "--rules", RULES, "--tx", held[0], "--at", "2026-03-01T13:00:00Z", "--actor", "a1"])
    check(rel.returncode == 0, "release: " + rel.stderr)
    again = run(["release", "--state", st, "--rules", RULES, "--tx", held[0]])
    check(again.returncode == 2, "release twice is refused")
    ap = run(["appeal", "--state", st, "--rules", RULES, "--tx", "t2", "--outcome", "upheld"])
    check(ap.returncode == 0, "appeal: " + ap.stderr)
    sn = run(["snooze", "--state", st, "--rules", RULES, "--rule", "sx_memo_plea", "--entity", "kid", "--until", "+30d"])
    check(sn.returncode == 0, "snooze: " + sn.stderr)
    gr = run(["green", "--state", st, "--rules", RULES, "--entity", "kid"])
    check(gr.returncode == 0, "green: " + gr.stderr)
    s = run(["stats", "--state", st, "--rules", RULES])
    stats = json.loads(s.stdout)
    check(stats["released"] == 1 and stats["median_time_to_release_s"] == 3540, "stats: release and time to release")
    check(any(x["rule"] == "sx_minor_new_payee_joc" and x["released"] == 1 for x in stats["rules"]), "per-rule counters")
    r6 = run(["screen", "--rules", RULES, "--state", st], tx(9, id="t9") + "\n")
    check(json.loads(r6.stdout)["decision"] == "allow", "green-listed payer no longer held: " + r6.stdout)
    rr = run(["replay", "--state", st])
    check(rr.returncode == 0 and json.loads(rr.stdout)["redress"] == 4, "replay with redress: " + rr.stdout)
    other = os.path.join(d, "other.yaml")
    open(other, "w").write("version: 1\ntypologies: [{id: a, alert: 1, hold: 1, block: 3}]\n"
                           "rules: [{id: r, typology: a, weight: 1, source: s, reason: r, when: [{feature: tx.amount, op: ge, value: \"0\"}]}]\n")
    rr = run(["replay", "--state", st, "--rules", other])
    check(rr.returncode == 1 and "first_difference" in rr.stdout, "replay reports the first difference")

print("FAILED" if failures else "OK", len(failures))
sys.exit(1 if failures else 0)
