#!/usr/bin/env bash
# The `chainbreak bank` and `chainbreak match` command-line contract
# (docs/CLI.md), end to end in a temporary data directory (SQLite) or, with
# a second argument, a PostgreSQL database:
#   bank create/list/show/import/export/disable/enable/set/remove,
#   match pdq --bank (allowlist suppression, disable, removal at once),
#   match sha256 --bank, match pdq --hashes (output contract, --stats,
#   --strict, --jobs), against brute-force expectations computed here.
#   usage: bank_cli_test.sh path/to/chainbreak path/to/chainbreak-gen-fixtures
#          path/to/chainbreak-gen-hashes [postgresql://...]
set -euo pipefail
cb=$1
gen=$2
genh=$3
db=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export CHAINBREAK_DATA="$tmp/data"
loc=()
[ -z "$db" ] || loc=(--db "$db")
bank() { "$cb" bank "${loc[@]}" "$@"; }
match() { "$cb" match "$@" "${loc[@]}"; }

"$gen" sample "$tmp/img" >/dev/null
"$cb" hash pdq "$tmp/img" >"$tmp/hashes"
h1=$(sed -n 1p "$tmp/hashes" | cut -f1)  # sample-01.jpg
h2=$(sed -n 2p "$tmp/hashes" | cut -f1)  # sample-02.png

bank create known --description "synthetic test list" >/dev/null
bank create allow --allowlist >/dev/null
if bank create known >/dev/null 2>"$tmp/err"; then fail "duplicate bank name accepted"; fi
grep -q "known" "$tmp/err" || fail "duplicate bank error must name the bank"
bank list | grep -q "^known	0	31	no	yes" || fail "bank list: $(bank list)"
# --data may come before or after the action.
"$cb" bank create elsewhere --data "$tmp/other" >/dev/null
"$cb" bank --data "$tmp/other" list | grep -q "^elsewhere	" || fail "--data before the action"
[ -s "$tmp/other/chainbreak.db" ] || fail "--data after the action must create DIR/chainbreak.db"

# Import: malformed lines are reported with file, line and field; --strict
# writes nothing; the default skips and counts.
printf '%s\tsample-01\tclassification=B1\n# a comment\nnothex\n%s\tsample-02\n' "$h1" "$h2" >"$tmp/list.txt"
if bank import known "$tmp/list.txt" --strict 2>"$tmp/err"; then fail "--strict import with a bad line must fail"; fi
grep -q "^chainbreak: $tmp/list.txt:3: " "$tmp/err" || fail "error must name file and line: $(cat "$tmp/err")"
[ "$(bank show known --format json | jq .entries)" = 0 ] || fail "--strict must write nothing"
set +e
bank import known "$tmp/list.txt" --source-org example-hotline 2>"$tmp/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "import with a skipped line must exit 1, got $rc"
grep -q "imported 2 entries into known.*skipped 1 malformed" "$tmp/err" || fail "import summary: $(cat "$tmp/err")"
[ "$(bank show known --format json | jq .entries)" = 2 ] || fail "two entries expected"

# match pdq --bank: both listed images match at distance 0, the others not.
match pdq --bank known "$tmp/img" >"$tmp/m"
[ "$(grep -c $'\tknown\t' "$tmp/m")" -ge 2 ] || fail "matches: $(cat "$tmp/m")"
grep -q "^$tmp/img/sample-01.jpg	known	[0-9]*	0	match	sample-01	B1	$h1$" "$tmp/m" || fail "match line: $(cat "$tmp/m")"
# Every reported distance is the true one (brute force on the hashes here).
awk -F'\t' '{print $1, $4, $8}' "$tmp/m" >"$tmp/fields"
while read -r path dist hash; do
  want=$(python3 -c "import sys; print(min(bin(int(sys.argv[1],16)^int(h,16)).count('1') for h in sys.argv[2:]))" \
    "$hash" "$h1" "$h2")
  [ "$dist" = "$want" ] || fail "distance for $path: $dist, want $want"
done <"$tmp/fields"

# Allowlist: the same picture in an allowlist bank suppresses the match.
echo "$h1" | bank import allow - 2>/dev/null
match pdq --bank known "$tmp/img/sample-01.jpg" >"$tmp/m"
grep -q "	allow	.*	allowlisted	" "$tmp/m" || fail "allowlist match not reported"
grep -q "	known	.*	suppressed	" "$tmp/m" || fail "known match not suppressed: $(cat "$tmp/m")"
match pdq --bank known "$tmp/img/sample-02.png" | grep -q "	match	" || fail "unrelated match must not be suppressed"

# Disable (at once), enable, threshold setting.
bank disable known >/dev/null
match pdq --bank known "$tmp/img/sample-02.png" >"$tmp/m"
[ ! -s "$tmp/m" ] || fail "disabled bank still matches"
bank enable known >/dev/null
bank disable known --until +1h >/dev/null
[ -z "$(match pdq --bank known "$tmp/img/sample-02.png")" ] || fail "disabled-until bank still matches"
bank enable known >/dev/null
bank set known --threshold 0 >/dev/null
[ "$(bank show known --format json | jq .threshold)" = 0 ] || fail "threshold not set"
bank set known --threshold 31 >/dev/null

# Disabling one entry takes effect at once; enabling brings it back.
id1=$(match pdq --bank known "$tmp/img/sample-01.jpg" | awk -F'\t' '$2=="known"{print $3; exit}')
[ -n "$id1" ] || fail "sample-01 must match in known"
bank disable known --entry "$id1" >/dev/null
[ -z "$(match pdq --bank known "$tmp/img/sample-01.jpg" | awk -F'\t' -v id="$id1" '$2=="known" && $3==id')" ] ||
  fail "disabled entry still matches"
bank enable known --entry "$id1" >/dev/null
[ -n "$(match pdq --bank known "$tmp/img/sample-01.jpg" | awk -F'\t' -v id="$id1" '$2=="known" && $3==id')" ] ||
  fail "re-enabled entry does not match"
if bank disable allow --entry "$id1" 2>/dev/null; then fail "an entry of another bank must be refused"; fi

# Removing an entry takes effect at once.
id2=$(match pdq --bank known "$tmp/img/sample-02.png" | awk -F'\t' '$5=="match"{print $3; exit}')
[ -n "$id2" ] || fail "sample-02 must match before removal"
bank remove known --entry "$id2" >/dev/null
[ -z "$(match pdq --bank known "$tmp/img/sample-02.png" | awk -F'\t' -v id="$id2" '$3==id')" ] || fail "removed entry matches"
if bank remove known --entry 999999 2>/dev/null; then fail "removing an unknown entry must fail"; fi

# Export round trip: plain and hma-csv re-import to the same live values.
bank export known -o "$tmp/known.txt" 2>/dev/null
bank create copy >/dev/null
bank import copy "$tmp/known.txt" 2>/dev/null
diff <(bank export known 2>/dev/null | cut -f1 | sort) <(bank export copy 2>/dev/null | cut -f1 | sort) ||
  fail "plain export/import round trip"
bank export known --format hma-csv -o "$tmp/known.csv" 2>/dev/null
bank create copy2 >/dev/null
bank import copy2 "$tmp/known.csv" --format hma-csv 2>/dev/null
diff <(bank export known 2>/dev/null | cut -f1 | sort) <(bank export copy2 2>/dev/null | cut -f1 | sort) ||
  fail "hma-csv export/import round trip"

# Deletions in a list: by hash and by external id.
bank create dels >/dev/null
printf '%s\tkeep\n%s\tgone-by-id\n' "$h1" "$h2" | bank import dels - 2>/dev/null
[ "$(bank show dels --format json | jq .entries)" = 2 ] || fail "two entries before deletions"
printf -- '-\tgone-by-id\n' | bank import dels - 2>"$tmp/err"
grep -q "deleted 1" "$tmp/err" || fail "deletion by external id: $(cat "$tmp/err")"
printf -- '-%s\n' "$h1" | bank import dels - 2>"$tmp/err"
grep -q "deleted 1" "$tmp/err" || fail "deletion by hash: $(cat "$tmp/err")"
[ "$(bank show dels --format json | jq .entries)" = 0 ] || fail "deletions must leave no live entry"
[ "$(bank show dels --format json | jq .removed_entries)" = 2 ] || fail "deletions are tombstones"

# Exact digests.
bank create files >/dev/null
sha256sum "$tmp/img/sample-03.webp" | cut -d' ' -f1 | bank import files - --type sha256 2>/dev/null
match sha256 --bank files "$tmp/img" >"$tmp/m"
[ "$(wc -l <"$tmp/m")" = 1 ] && grep -q "^$tmp/img/sample-03.webp	files	" "$tmp/m" || fail "sha256 match: $(cat "$tmp/m")"

# Unknown bank: usage error.
if match pdq --bank nosuch "$tmp/img" 2>"$tmp/err"; then fail "unknown bank accepted"; fi
grep -q "no bank named 'nosuch'" "$tmp/err" || fail "unknown bank message"
bank remove copy >/dev/null
bank list | grep -q "^copy	" && fail "removed bank still listed"

# match pdq --hashes: contract and exactness against a brute-force check.
"$genh" 3000 200 7 "$tmp/l.txt" "$tmp/q.txt"
"$cb" match pdq --hashes "$tmp/l.txt" -t 31 --stats --jobs 1 "$tmp/q.txt" >"$tmp/o1" 2>"$tmp/s1"
grep -Eq '^stats build_s=[0-9.]+ query_s=[0-9.]+ queries=200 matches=[0-9]+$' "$tmp/s1" || fail "stats line: $(cat "$tmp/s1")"
"$cb" match pdq --hashes "$tmp/l.txt" -t 31 --jobs 2 "$tmp/q.txt" >"$tmp/o2"
cmp -s "$tmp/o1" "$tmp/o2" || fail "--jobs 2 output differs"
python3 - "$tmp/l.txt" "$tmp/q.txt" "$tmp/o1" <<'EOF' || fail "match --hashes differs from brute force"
import sys
lst = [int(l, 16) for l in open(sys.argv[1])]
qs = [int(l, 16) for l in open(sys.argv[2])]
want = [f"{qi}\t{li}\t{bin(q ^ h).count('1')}" for qi, q in enumerate(qs)
        for li, h in enumerate(lst) if bin(q ^ h).count('1') <= 31]
got = open(sys.argv[3]).read().split("\n")[:-1]
if got != want or len(want) < 50:
    sys.exit(f"got {len(got)} lines, want {len(want)}")
EOF
printf 'xyz\n' >>"$tmp/q.txt"
if "$cb" match pdq --hashes "$tmp/l.txt" --strict "$tmp/q.txt" >"$tmp/o3" 2>"$tmp/err"; then fail "--strict"; fi
[ ! -s "$tmp/o3" ] || fail "--strict must print no matches"
grep -q "^chainbreak: $tmp/q.txt:201: " "$tmp/err" || fail "--strict error line: $(cat "$tmp/err")"
if [ -n "$db" ]; then
  [ ! -e "$tmp/data/chainbreak.db" ] || fail "--db given but a SQLite database was created"
else
  [ -s "$tmp/data/chainbreak.db" ] || fail "no SQLite database in the data directory"
fi
[ -s "$tmp/data/index/bank-1.pdq" ] || fail "no index snapshot written"
echo "bank and match CLI contract: ok (${db:-SQLite in $CHAINBREAK_DATA})"
