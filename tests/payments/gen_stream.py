#!/usr/bin/env python3
"""A quick synthetic payment stream for throughput tests and the kill -9 test
(not the labelled evaluation streams: see tools/gen_payments.cc).

usage: gen_stream.py LINES ACCOUNTS [SEED] > stream.jsonl
Transactions are in time order, one second apart on average, between random
accounts (a few countries, ages and channels), a tenth with a memo, some with
a wallet, some sextortion-like and fan-in bursts so that rules fire."""
import random
import sys

def main():
    n = int(sys.argv[1]); accounts = int(sys.argv[2]); seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    r = random.Random(seed)
    countries = ["US", "US", "US", "GB", "CA", "AU", "PH", "NG", "TH", "MX", "DE", "IN"]
    bands = ["adult"] * 8 + ["minor", "unknown"]
    channels = ["card", "card", "card", "p2p", "p2p", "bank_transfer", "remittance", "wallet", "crypto", "gift_card"]
    memos = ["lunch", "rent", "thanks!", "for mom", "please stop", "borra las fotos", "invoice 12", "gift"]
    acc_country = [countries[(i * 7919) % len(countries)] for i in range(min(accounts, 1 << 20))]
    t0 = 1772323200  # 2026-03-01T00:00:00Z
    out = sys.stdout
    buf = []
    t = t0
    for i in range(n):
        t += r.randint(0, 2)
        a = r.randrange(accounts); b = r.randrange(accounts)
        if r.random() < 0.05:  # fan-in bursts towards a few beneficiaries
            b = r.randrange(50)
        ca = acc_country[a % len(acc_country)]; cb = acc_country[b % len(acc_country)]
        amount = r.choice(["25", "50", "100", "12.34", "7.5", "250", "1000.01", str(r.randint(1, 500))])
        hh, rem = divmod(t - t0, 3600)
        days, hh = divmod(hh, 24)
        ts = "2026-03-%02dT%02d:%02d:%02dZ" % (1 + days % 28, hh, rem // 60, rem % 60)
        extra = ""
        if r.random() < 0.1:
            extra += ',"memo":"%s"' % r.choice(memos)
        ch = r.choice(channels)
        if ch == "crypto":
            extra += ',"wallet":"bc1q%08x"' % r.randrange(1 << 20)
        buf.append('{"id":"tx%d","time":"%s","amount":"%s","currency":"USD","channel":"%s",'
                   '"payer":{"id":"a%d","country":"%s","age_band":"%s","account_age_days":%d},'
                   '"payee":{"id":"a%d","country":"%s","age_band":"adult","account_age_days":%d}%s,'
                   '"label":{"kind":"benign"}}\n'
                   % (i, ts, amount, ch, a, ca, bands[a % 10], a % 2000, b, cb, b % 1500, extra))
        if len(buf) >= 10000:
            out.write("".join(buf)); buf = []
    out.write("".join(buf))

main()
