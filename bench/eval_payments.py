#!/usr/bin/python3
"""Effectiveness of a payment screener on a synthetic labelled stream (issue 6).

    bench/eval_payments.py STREAM.jsonl DECISIONS.jsonl [--out REPORT.md] [--json SUMMARY.json]
                           [--title TEXT]

STREAM is chainbreak-gen-payments output (ground truth in each line's "label",
docs/PAYMENT_STREAMS.md); DECISIONS has one line per stream line, same order:
{"id","decision":"allow"|"hold"|"block"|"error","score","reasons":[...]}.
A payment is "stopped" when held or blocked. Prints a Markdown report: per
typology, episode recall and how many payments into an episode the first stop
comes; false stops on benign payments overall, per pattern and per look-alike
episode; block precision; and the issue's targets with pass or FAIL.
Python 3 standard library only.
"""
import argparse
import json
import statistics
import sys
from collections import Counter, defaultdict

HARMFUL = ("sextortion", "livestream_buyer", "mule")
# Issue 6 targets: stopped by this payment (mules: by this onward transfer).
TARGET_BY = {"sextortion": 2, "livestream_buyer": 5, "mule": 3}
TARGET_SHARE = {"sextortion": 0.90, "livestream_buyer": 0.80, "mule": 0.80}
BENIGN_MAX = 0.005
BLOCK_PRECISION_MIN = 0.8
BACKGROUND = {"card_purchase", "bill_payment", "salary", "p2p_friends", "subscription", "wallet_topup",
              "gift_card_purchase", "teen_purchase", "allowance"}


def label_of(line):
    """The label object; fast path for the generator's layout (label last)."""
    i = line.rfind('"label":')
    if i >= 0:
        try:
            return json.loads(line[i + 8:line.rstrip().rfind("}")]), None
        except ValueError:
            pass
    obj = json.loads(line)
    return obj.get("label"), obj


class Episode:
    __slots__ = ("kind", "pattern", "n", "onward", "first_stop", "first_stop_onward", "blocked", "amount",
                 "stopped_amount")

    def __init__(self, kind, pattern):
        self.kind, self.pattern = kind, pattern
        self.n = self.onward = 0
        self.first_stop = self.first_stop_onward = None
        self.blocked = False
        self.amount = self.stopped_amount = 0.0


def evaluate(stream, decisions):
    episodes = {}
    benign = defaultdict(Counter)  # pattern -> Counter(total, hold, block, error)
    harmful_tx = Counter()
    decisions_count = Counter()
    blocks_harmful = blocks_total = holds_harmful = holds_total = mismatched = 0
    lines = 0
    for sline, dline in zip(stream, decisions):
        lines += 1
        label, obj = label_of(sline)
        d = json.loads(dline)
        dec = d.get("decision")
        decisions_count[dec] += 1
        if obj is None and not sline.startswith('{"id":"%s"' % d.get("id")):
            obj = json.loads(sline)
        if obj is not None and obj.get("id") != d.get("id"):
            mismatched += 1
        stopped = dec in ("hold", "block")
        kind = (label or {}).get("kind", "benign")
        harmful = kind in HARMFUL
        if dec == "block":
            blocks_total += 1
            blocks_harmful += harmful
        elif dec == "hold":
            holds_total += 1
            holds_harmful += harmful
        ep_id = (label or {}).get("episode")
        if harmful:
            harmful_tx[kind] += 1
            harmful_tx[kind + ":" + dec] += 1
        else:
            c = benign[label.get("pattern", "?") if label else "?"]
            c["total"] += 1
            c[dec] += 1
        if ep_id is None:
            continue
        ep = episodes.get(ep_id)
        if ep is None:
            ep = episodes[ep_id] = Episode(kind, label.get("pattern"))
        ep.n += 1
        if label.get("role") == "onward":
            ep.onward += 1
        amount = float((obj or json.loads(sline)).get("amount", 0)) if harmful else 0.0
        ep.amount += amount
        if stopped:
            ep.stopped_amount += amount
            ep.blocked |= dec == "block"
            if ep.first_stop is None:
                ep.first_stop = ep.n
                # Mules: the onward transfer this stop prevents or is.
                ep.first_stop_onward = ep.onward if label.get("role") == "onward" else ep.onward + 1
    extra = sum(1 for _ in decisions) + sum(1 for _ in stream)
    return dict(episodes=episodes, benign=benign, harmful_tx=harmful_tx, decisions=decisions_count,
                blocks_harmful=blocks_harmful, blocks_total=blocks_total, holds_harmful=holds_harmful,
                holds_total=holds_total, lines=lines, mismatched=mismatched, unpaired=extra)


def pct(x):
    return "%.1f%%" % (100.0 * x) if x is not None else "n/a"


def pct2(x):
    return "%.2f%%" % (100.0 * x) if x is not None else "n/a"


def harmful_rows(r):
    rows, summary = [], {}
    for kind in HARMFUL:
        eps = [e for e in r["episodes"].values() if e.kind == kind]
        if not eps:
            continue
        by = TARGET_BY[kind]
        if kind == "mule":
            ok = [e for e in eps if e.first_stop is not None and (e.first_stop_onward <= by or e.onward < by)]
            positions = [e.first_stop_onward for e in eps if e.first_stop is not None]
        else:
            ok = [e for e in eps if e.first_stop is not None and (e.first_stop <= by)]
            positions = [e.first_stop for e in eps if e.first_stop is not None]
        stopped = [e for e in eps if e.first_stop is not None]
        hist = Counter(min(p, 9) for p in positions)
        dist = " ".join("%s:%d" % ("9+" if k == 9 else k, hist[k]) for k in sorted(hist))
        amount = sum(e.amount for e in eps)
        summary[kind] = dict(episodes=len(eps), recall=len(stopped) / len(eps), by_target=len(ok) / len(eps),
                             median_first_stop=statistics.median(positions) if positions else None,
                             blocked_episodes=sum(e.blocked for e in eps) / len(eps),
                             money_stopped=sum(e.stopped_amount for e in eps) / amount if amount else None,
                             transactions=r["harmful_tx"][kind])
        s = summary[kind]
        unit = "onward transfer" if kind == "mule" else "payment"
        rows.append("| %s | %d | %d | %s | %s (by %s %d) | %s | %s | %s | %s |" % (
            kind, s["episodes"], s["transactions"], pct(s["recall"]), pct(s["by_target"]), unit, by,
            s["median_first_stop"] if s["median_first_stop"] is not None else "n/a", dist or "-",
            pct(s["blocked_episodes"]), pct(s["money_stopped"])))
    return rows, summary


def benign_rows(r):
    rows, per = [], {}
    total = Counter()
    for pattern in sorted(r["benign"], key=lambda p: (p in BACKGROUND, p)):
        c = r["benign"][pattern]
        total.update(c)
        stopped = c["hold"] + c["block"]
        eps = [e for e in r["episodes"].values() if e.kind == "benign" and e.pattern == pattern]
        ep_rate = sum(e.first_stop is not None for e in eps) / len(eps) if eps else None
        per[pattern] = dict(transactions=c["total"], held=c["hold"], blocked=c["block"],
                            rate=stopped / c["total"] if c["total"] else 0.0, episodes=len(eps), episode_rate=ep_rate)
        rows.append("| %s%s | %d | %d | %d | %s | %s |" % (
            pattern, "" if pattern in BACKGROUND else " (look-alike)", c["total"], c["hold"], c["block"],
            pct2(per[pattern]["rate"]), pct2(ep_rate) + " of %d" % len(eps) if eps else "-"))
    stopped = total["hold"] + total["block"]
    overall = stopped / total["total"] if total["total"] else 0.0
    rows.append("| **all benign** | %d | %d | %d | **%s** | |" % (total["total"], total["hold"], total["block"],
                                                                   pct2(overall)))
    return rows, per, overall


def report(r, title):
    out = ["# %s" % title, ""]
    dec = r["decisions"]
    out.append("%d payments; decisions: %s. Errors: %d. Id mismatches: %d.%s" % (
        r["lines"], ", ".join("%s %d" % (k, dec[k]) for k in ("allow", "hold", "block", "error") if dec[k]),
        dec["error"], r["mismatched"],
        " **Line counts differ: %d unpaired lines.**" % r["unpaired"] if r["unpaired"] else ""))
    out += ["", "## Harmful typologies", "",
            "A payment is stopped when held or blocked. Position = payment of the episode (mules: onward transfer) "
            "at which the first stop comes.", "",
            "| typology | episodes | payments | recall | stopped by target | median position | positions | "
            "episodes with a block | money stopped |",
            "|---|---|---|---|---|---|---|---|---|"]
    rows, summary = harmful_rows(r)
    out += rows
    out += ["", "## Benign payments: false holds and blocks", "",
            "| pattern | payments | held | blocked | stopped | look-alike episodes stopped |",
            "|---|---|---|---|---|---|"]
    rows, per, overall = benign_rows(r)
    out += rows
    bp = r["blocks_harmful"] / r["blocks_total"] if r["blocks_total"] else None
    hp = r["holds_harmful"] / r["holds_total"] if r["holds_total"] else None
    out += ["", "Block precision (blocked payments in harmful episodes / all blocks): %s of %d blocks. "
            "Hold precision: %s of %d holds." % (pct(bp), r["blocks_total"], pct(hp), r["holds_total"]), ""]
    targets = []
    for kind in HARMFUL:
        if kind in summary:
            s = summary[kind]["by_target"]
            targets.append(("%s stopped by %s %d" % (kind, "onward transfer" if kind == "mule" else "payment",
                                                     TARGET_BY[kind]), ">= %s" % pct(TARGET_SHARE[kind]), pct(s),
                            s >= TARGET_SHARE[kind]))
    targets.append(("benign stopped, all", "<= 0.50%", pct2(overall), overall <= BENIGN_MAX))
    worst = max(((p, v["rate"]) for p, v in per.items() if p not in BACKGROUND), key=lambda x: x[1], default=None)
    if worst:
        targets.append(("benign stopped, worst look-alike (%s)" % worst[0], "<= 0.50%", pct2(worst[1]),
                        worst[1] <= BENIGN_MAX))
    targets.append(("block precision", ">= 80%", pct(bp), bp is not None and bp >= BLOCK_PRECISION_MIN))
    targets.append(("error decisions", "0", str(dec["error"]), dec["error"] == 0))
    out += ["## Targets (issue 6)", "", "| target | required | measured | |", "|---|---|---|---|"]
    out += ["| %s | %s | %s | %s |" % (n, req, got, "pass" if ok else "**FAIL**") for n, req, got, ok in targets]
    summary_json = dict(lines=r["lines"], decisions=dict(dec), harmful=summary, benign=per, benign_rate=overall,
                        block_precision=bp, hold_precision=hp,
                        targets=[dict(target=n, required=req, measured=got, ok=ok) for n, req, got, ok in targets])
    return "\n".join(out) + "\n", summary_json


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stream")
    ap.add_argument("decisions")
    ap.add_argument("--out", help="also write the Markdown report here")
    ap.add_argument("--json", help="write a machine-readable summary here")
    ap.add_argument("--title", default="Payment screening effectiveness")
    a = ap.parse_args()
    with open(a.stream, encoding="utf-8") as s, open(a.decisions, encoding="utf-8") as d:
        r = evaluate(s, d)
    text, summary = report(r, a.title)
    sys.stdout.write(text)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
    return 1 if r["unpaired"] or r["mismatched"] else 0


if __name__ == "__main__":
    sys.exit(main())
