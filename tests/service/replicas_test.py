#!/usr/bin/env python3
"""Three `chainbreak serve` replicas on one PostgreSQL: a bank entry added,
disabled, re-enabled or removed through one replica is honoured by the
others within 5 seconds, without rebuilds. Prints the propagation times
(median and max over the trials) for docs/BENCHMARKS.md.

usage: replicas_test.py CHAINBREAK POSTGRES_CONNINFO [TRIALS]"""
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service_support import Server, check, expect, main, token  # noqa: E402

BINARY, PG = sys.argv[1], sys.argv[2]
TRIALS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
LIMIT_S = 5.0


def wait_until(fn, limit):
    t0 = time.time()
    while time.time() - t0 < limit:
        if fn():
            return time.time() - t0
        time.sleep(0.01)
    return None


def run():
    loc = ["--db", PG]
    admin = token(BINARY, loc, "replica-admin", ["admin"])
    replicas = [Server(BINARY, loc + ["--follow-interval-ms", "200", "--threads", "1"]) for _ in range(3)]
    rng = random.Random(7)
    try:
        expect(replicas[0].base, "POST", "/v1/banks", 201, {"name": "shared"}, token=admin)
        add_times, disable_times = [], []
        for trial in range(TRIALS):
            value = "%064x" % rng.getrandbits(256)
            writer = replicas[trial % 3]
            readers = [r for r in replicas if r is not writer]

            def matched(r, want):
                got = expect(r.base, "GET", "/v1/lookup?signal=" + value, 200, token=admin)
                return (len(got["matches"]) == 1) == want

            t0 = time.time()
            ids = expect(writer.base, "POST", "/v1/banks/shared/entries", 201,
                         {"entries": [{"signal": value}]}, token=admin)["ids"]
            check(matched(writer, True), "the writer sees its own write at once")
            for r in readers:
                dt = wait_until(lambda: matched(r, True), LIMIT_S - (time.time() - t0))
                check(dt is not None, "trial %d: replica on port %d missed the new entry for 5 s" % (trial, r.port))
            add_times.append(time.time() - t0)

            t0 = time.time()
            expect(writer.base, "POST", "/v1/entries/%d/disable" % ids[0], 200, token=admin)
            for r in readers:
                dt = wait_until(lambda: matched(r, False), LIMIT_S - (time.time() - t0))
                check(dt is not None, "trial %d: replica on port %d still matched a disabled entry" % (trial, r.port))
            disable_times.append(time.time() - t0)

            # Removal (a tombstone) through another replica.
            other = readers[0]
            expect(other.base, "POST", "/v1/entries/%d/enable" % ids[0], 200, token=admin)
            check(wait_until(lambda: matched(writer, True), LIMIT_S) is not None, "re-enable propagated")
            expect(other.base, "DELETE", "/v1/entries/%d" % ids[0], 200, token=admin)
            check(wait_until(lambda: matched(writer, False), LIMIT_S) is not None, "removal propagated")

        # Every replica applied the same change sequence.
        seqs = [expect(r.base, "GET", "/v1/ready", 200)["seq"] for r in replicas]
        check(wait_until(lambda: len({expect(r.base, "GET", "/v1/ready", 200)["seq"] for r in replicas}) == 1,
                         LIMIT_S) is not None, "replicas converge on one change seq: %r" % seqs)
        print("propagation over %d trials (3 replicas, follow interval 200 ms):" % TRIALS)
        print("  add:     median %.3f s, max %.3f s" % (statistics.median(add_times), max(add_times)))
        print("  disable: median %.3f s, max %.3f s (the follower applies it and evicts the cached entry)" %
              (statistics.median(disable_times), max(disable_times)))
    finally:
        codes = [r.stop() for r in replicas]
    check(codes == [0, 0, 0], "replicas exited %r" % codes)


main(run)
