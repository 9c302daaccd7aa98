#!/usr/bin/python3
"""Contract test of chainbreak-gen-payments (docs/PAYMENT_STREAMS.md).

    check_stream.py GENERATOR

Checks that a seed gives the same bytes twice and another seed different
bytes, that every line parses as the documented transaction format, that
lines are in time order with unique ids, and that the labels are consistent
(episodes numbered 1..n in time order, one actor per episode, the kind
matching the pattern, background lines without an episode).
"""
import json
import re
import subprocess
import sys
from collections import defaultdict

CHANNELS = {"p2p", "card", "bank_transfer", "remittance", "crypto", "gift_card", "wallet"}
BANDS = {"minor", "adult", "unknown"}
KIND_OF = {"sextortion_minor": "sextortion", "livestream_buyer": "livestream_buyer", "mule_inbound": "mule",
           "mule_onward": "mule"}
BACKGROUND = {"card_purchase", "bill_payment", "salary", "p2p_friends", "subscription", "wallet_topup",
              "gift_card_purchase", "teen_purchase", "allowance"}
LOOKALIKES = {"family_remittance", "teen_gaming", "teen_foreign_seller", "freelancer_instalments", "bill_split",
              "small_business", "new_landlord", "crypto_investor"}
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
AMOUNT = re.compile(r"^\d+\.\d{2}$")
ARGS = ["--accounts", "5000", "--days", "20", "--episodes-per-typology", "40", "--scale-benign", "0.5"]
errors = []


def fail(msg):
    errors.append(msg)
    if len(errors) > 20:
        report()


def report():
    for e in errors:
        print("FAIL:", e)
    sys.exit(1 if errors else 0)


def party(obj, where):
    if not isinstance(obj, dict):
        return fail("%s: not an object" % where)
    if not isinstance(obj.get("id"), str) or not obj["id"]:
        fail("%s.id" % where)
    if not re.match(r"^[A-Z]{2}$", str(obj.get("country"))):
        fail("%s.country %r" % (where, obj.get("country")))
    if obj.get("age_band") not in BANDS:
        fail("%s.age_band" % where)
    if not isinstance(obj.get("account_age_days"), int) or obj["account_age_days"] < 0:
        fail("%s.account_age_days" % where)


def check(text):
    ids, last_time = set(), ""
    episodes = defaultdict(list)
    kinds = defaultdict(set)
    for n, line in enumerate(text.splitlines(), 1):
        tx = json.loads(line)
        where = "line %d" % n
        for f in ("id", "time", "amount", "currency", "channel", "payer", "payee", "label"):
            if f not in tx:
                fail("%s: missing %s" % (where, f))
        if tx["id"] in ids:
            fail("%s: duplicate id" % where)
        ids.add(tx["id"])
        if not TIME.match(tx["time"]) or tx["time"] < last_time:
            fail("%s: time %s (previous %s)" % (where, tx["time"], last_time))
        last_time = tx["time"]
        if not AMOUNT.match(tx["amount"]) or float(tx["amount"]) <= 0:
            fail("%s: amount %r" % (where, tx["amount"]))
        if not re.match(r"^[A-Z]{3}$", tx["currency"]):
            fail("%s: currency" % where)
        if tx["channel"] not in CHANNELS:
            fail("%s: channel %r" % (where, tx["channel"]))
        party(tx["payer"], where + " payer")
        party(tx["payee"], where + " payee")
        for f in ("memo", "merchant_category", "wallet"):
            if f in tx and (not isinstance(tx[f], str) or not tx[f]):
                fail("%s: %s" % (where, f))
        if "wallet" in tx and tx["channel"] != "crypto":
            fail("%s: wallet outside crypto" % where)
        lab = tx["label"]
        p = lab.get("pattern")
        if p in BACKGROUND:
            if lab != {"kind": "benign", "pattern": p, "episode": None, "seq": None}:
                fail("%s: background label %r" % (where, lab))
            continue
        if p not in KIND_OF and p not in LOOKALIKES:
            fail("%s: unknown pattern %r" % (where, p))
            continue
        if lab.get("kind") != KIND_OF.get(p, "benign"):
            fail("%s: kind %r for pattern %s" % (where, lab.get("kind"), p))
        if not isinstance(lab.get("episode"), str):
            fail("%s: episode missing" % where)
            continue
        episodes[lab["episode"]].append((lab["seq"], tx))
        kinds[lab["kind"]].add(lab["episode"])
    for ep, items in episodes.items():
        seqs = [s for s, _ in items]
        if seqs != list(range(1, len(items) + 1)):
            fail("episode %s: seq %s" % (ep, seqs[:10]))
        kind = items[0][1]["label"]["kind"]
        if any(tx["label"]["kind"] != kind for _, tx in items):
            fail("episode %s: mixed kinds" % ep)
        if kind in ("sextortion", "livestream_buyer"):
            if len({tx["payer"]["id"] for _, tx in items}) != 1:
                fail("episode %s: more than one payer" % ep)
        if kind == "sextortion":
            if not 1 <= len(items) <= 8 or items[0][1]["payer"]["age_band"] == "adult":
                fail("episode %s: sextortion length %d or adult victim" % (ep, len(items)))
        if kind == "mule":
            roles = [tx["label"].get("role") for _, tx in items]
            mule = {tx["payee"]["id"] for _, tx in items if tx["label"].get("role") == "inbound"}
            senders = {tx["payer"]["id"] for _, tx in items if tx["label"].get("role") == "onward"}
            if set(roles) - {"inbound", "onward"} or len(mule) != 1 or not senders <= mule:
                fail("episode %s: mule roles %s" % (ep, roles))
            if [tx["label"]["pattern"] for _, tx in items] != ["mule_" + r for r in roles]:
                fail("episode %s: mule pattern and role disagree" % ep)
        elif any("role" in tx["label"] for _, tx in items):
            fail("episode %s: role outside a mule episode" % ep)
    for k in ("sextortion", "livestream_buyer", "mule", "benign"):
        if not kinds[k]:
            fail("no %s episode" % k)
    return len(ids)


def main():
    gen = sys.argv[1]
    run = lambda seed: subprocess.run([gen, "--seed", str(seed)] + ARGS, check=True, capture_output=True).stdout
    a, b, c = run(7), run(7), run(8)
    if a != b:
        fail("seed 7 gave different streams")
    if a == c:
        fail("seeds 7 and 8 gave the same stream")
    n = check(a.decode("utf-8"))
    if n < 10000:
        fail("only %d lines" % n)
    if subprocess.run([gen, "--seed", "1", "--accounts", "10"], capture_output=True).returncode != 2:
        fail("bad arguments did not exit 2")
    print("%d lines checked" % n)
    report()


if __name__ == "__main__":
    main()
