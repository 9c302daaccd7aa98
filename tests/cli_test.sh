#!/usr/bin/env bash
# The `chainbreak hash` command-line contract (docs/CLI.md), end to end on
# the generated fixtures: output format and order, stdin and directory
# paths, error lines and exit status, JSON, exact hashes against coreutils.
#   usage: cli_test.sh path/to/chainbreak FIXTURES_DIR
set -euo pipefail
cb=$1
fx=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
hex64='^[0-9a-f]{64}$'

# TSV: one line per file, in input order, <hash>\t<quality>\t<path>.
"$cb" hash pdq "$fx/png-rgb8.png" "$fx/jpeg-420.jpg" >"$tmp/out" 2>"$tmp/err" || fail "exit status on good files"
[ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "expected 2 lines"
[ ! -s "$tmp/err" ] || fail "stderr not empty without a terminal: $(cat "$tmp/err")"
awk -F'\t' 'NF != 3 { exit 1 }' "$tmp/out" || fail "TSV lines must have 3 fields"
[ "$(cut -f3 "$tmp/out" | head -1)" = "$fx/png-rgb8.png" ] || fail "order or path field"
cut -f1 "$tmp/out" | grep -Eq "$hex64" || fail "hash field"
cut -f2 "$tmp/out" | grep -Eq '^[0-9]+$' || fail "quality field"

# A failing file: one error line on stderr, the others still hashed, exit 1.
set +e
"$cb" hash pdq "$fx/jpeg-420.jpg" "$fx/bad-truncated.jpg" "$tmp/missing.png" "$fx/png-rgb8.png" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "exit status with failures was $rc, want 1"
[ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "good files must still be hashed"
grep -q "^chainbreak: $fx/bad-truncated.jpg: .*JPEG" "$tmp/err" || fail "error line for truncated JPEG: $(cat "$tmp/err")"
grep -qx "chainbreak: $tmp/missing.png: No such file or directory" "$tmp/err" || fail "error line for missing file"
if "$cb" hash pdq "$fx/bad-bomb.png" >/dev/null 2>"$tmp/err"; then fail "bomb must fail"; fi
grep -q "^chainbreak: $fx/bad-bomb.png: PNG image is 60000x60000 = 3600000000 pixels, over the limit" "$tmp/err" ||
  fail "bomb must be refused from its header: $(cat "$tmp/err")"

# Directories are recursed in sorted order; --jobs 2 gives the same output.
mkdir -p "$tmp/tree/b" "$tmp/tree/a"
cp "$fx"/jpeg-*.jpg "$tmp/tree/b/"
cp "$fx"/png-*.png "$tmp/tree/a/"
cp "$fx"/gif-plain.gif "$tmp/tree/"
"$cb" hash pdq --jobs 1 "$tmp/tree" >"$tmp/j1"
"$cb" hash pdq --jobs 2 "$tmp/tree" >"$tmp/j2"
cmp -s "$tmp/j1" "$tmp/j2" || fail "--jobs 2 output differs from --jobs 1"
n=$(find "$tmp/tree" -type f | wc -l)
[ "$(wc -l <"$tmp/j1")" -eq "$n" ] || fail "directory recursion missed files"
cut -f3 "$tmp/j1" | sort -c || fail "directory output not in sorted order"

# "-" reads paths from standard input, one per line.
cut -f3 "$tmp/j1" | "$cb" hash pdq - >"$tmp/stdin"
cmp -s "$tmp/j1" "$tmp/stdin" || fail "paths from stdin"

# JSON: one object per line, with the same hashes.
"$cb" hash pdq --format json "$tmp/tree" >"$tmp/json"
jq -e -s 'length > 0 and all(.[]; .signal_type == "pdq" and (.hash | test("^[0-9a-f]{64}$")) and (.quality >= 0))' \
  "$tmp/json" >/dev/null || fail "JSON lines"
diff <(jq -r .hash "$tmp/json") <(cut -f1 "$tmp/j1") >/dev/null || fail "JSON and TSV hashes differ"

# --dihedral: the first field holds eight hashes, original first.
"$cb" hash pdq --dihedral "$fx/jpeg-420.jpg" >"$tmp/dih"
[ "$(cut -f1 "$tmp/dih" | tr ',' '\n' | grep -Ec "$hex64")" -eq 8 ] || fail "dihedral field"
[ "$(cut -f1 "$tmp/dih" | cut -d, -f1)" = "$("$cb" hash pdq "$fx/jpeg-420.jpg" | cut -f1)" ] || fail "dihedral original"

# Exact hashes agree with coreutils; the quality field is empty.
for algo in md5 sha1 sha256; do
  "$cb" hash $algo "$fx/jpeg-420.jpg" "$fx/bad-empty.jpg" >"$tmp/x"
  want=$(${algo}sum "$fx/jpeg-420.jpg" | cut -d' ' -f1)
  [ "$(head -1 "$tmp/x")" = "$want		$fx/jpeg-420.jpg" ] || fail "$algo line: $(head -1 "$tmp/x")"
  [ "$(sed -n 2p "$tmp/x" | cut -f1)" = "$(${algo}sum "$fx/bad-empty.jpg" | cut -d' ' -f1)" ] || fail "$algo of empty file"
done

# Options that cannot go together are refused.
if "$cb" hash pdq --fast --reference-io "$fx/jpeg-420.jpg" >/dev/null 2>&1; then fail "--fast with --reference-io"; fi
if "$cb" hash md5 --dihedral "$fx/jpeg-420.jpg" >/dev/null 2>&1; then fail "--dihedral with md5"; fi
echo "cli contract: ok"
