#!/bin/sh
# `chainbreak report cybertip|dsa` contract: XML on standard output, the
# submit sequence against the fake, errors and exit statuses.
# usage: report_cli_test.sh CHAINBREAK FAKE_CYBERTIP
set -u
CB=$1
FAKE=$2
T=$(mktemp -d)
FAKE_PID=
cleanup() {
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$T/report.json" <<'JSON'
{
  "report": {
    "incidentSummary": {
      "incidentType": "Child Pornography (possession, manufacture, and distribution)",
      "incidentDateTime": "2024-01-15T14:30:00Z"
    },
    "internetDetails": [{"webPageIncident": {"url": ["https://example.com/a?b=1&c=2"]}}],
    "reporter": {"reportingPerson": {"email": ["reports@example.com"]}},
    "additionalInfo": "synthetic <test>"
  },
  "files": [{"fileViewedByEsp": true, "publiclyAvailable": false, "industryClassification": "A2"}]
}
JSON
head -c 3000 /dev/urandom > "$T/synthetic-test-file.bin"

# 1. XML to standard output.
"$CB" report cybertip --input "$T/report.json" > "$T/out.xml" || fail "report cybertip exit $?"
grep -q '<incidentType>Child Pornography (possession, manufacture, and distribution)</incidentType>' "$T/out.xml" \
  || fail "incidentType missing"
grep -q '<url>https://example.com/a?b=1&amp;c=2</url>' "$T/out.xml" || fail "url not escaped"
grep -q '<additionalInfo>synthetic &lt;test&gt;</additionalInfo>' "$T/out.xml" || fail "additionalInfo not escaped"

# 2. Invalid input: exit 2 naming the field.
sed 's/"A2"/"C9"/' "$T/report.json" > "$T/bad.json"
"$CB" report cybertip --input "$T/bad.json" > /dev/null 2> "$T/err"
[ $? -eq 2 ] || fail "invalid file details should exit 2"
grep -q 'file 1: industryClassification must be A1, A2, B1 or B2' "$T/err" || fail "message: $(cat "$T/err")"

# 3. Submit to the fake.
"$FAKE" --port 0 --user esp --password pw > "$T/fake.out" &
FAKE_PID=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q listening "$T/fake.out" && break; sleep 0.2; done
PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$T/fake.out")
[ -n "$PORT" ] || fail "fake did not start"
printf 'pw\n' > "$T/pw"
"$CB" report cybertip --input "$T/report.json" --file "$T/synthetic-test-file.bin" \
  --submit "http://127.0.0.1:$PORT" --user esp --password-file "$T/pw" > "$T/submit.out" \
  || fail "submit exit $?"
grep -q "^reportId	100001$" "$T/submit.out" || fail "no reportId: $(cat "$T/submit.out")"
MD5=$(md5sum "$T/synthetic-test-file.bin" | cut -d' ' -f1)
grep -q "^fileId	[0-9a-f]*	$MD5	$T/synthetic-test-file.bin$" "$T/submit.out" || fail "fileId line: $(cat "$T/submit.out")"

# 4. Wrong password: exit 1, nothing created.
printf 'nope\n' > "$T/pw2"
"$CB" report cybertip --input "$T/report.json" --file "$T/synthetic-test-file.bin" \
  --submit "http://127.0.0.1:$PORT" --user esp --password-file "$T/pw2" > /dev/null 2> "$T/err"
[ $? -eq 1 ] || fail "bad password should exit 1"
grep -q 'responseCode 2000' "$T/err" || fail "bad password message: $(cat "$T/err")"
grep -q 'nope' "$T/err" && fail "the password leaked into a message"

# 5. dsa without a database: exit 1 with a reason.
"$CB" report dsa --decision 1 --data "$T/nodata" > /dev/null 2> "$T/err"
[ $? -eq 1 ] || fail "dsa without database should exit 1"
grep -q 'no database' "$T/err" || fail "dsa message: $(cat "$T/err")"
# 6. dsa for a stored decision (the row is written with sqlite3 into a
# database the CLI created; skipped without the sqlite3 tool).
if command -v sqlite3 > /dev/null; then
  "$CB" token create t1 --role admin --data "$T/data" > /dev/null || fail "token create"
  sqlite3 "$T/data/chainbreak.db" "insert into decisions(time_us,content_id,outcome,signals_json,matches_json,
    rules_json,automated,actor,detail_json) values (1718000000000000,'upload-7','hold','[]',
    '[{\"bank\":\"industry\",\"signal_type\":\"pdq\",\"distance\":4,\"classification\":\"A1\"}]',
    '[{\"id\":1,\"name\":\"hold-csam\",\"action\":\"hold\"}]',1,'t1','')" || fail "sqlite3 insert"
  "$CB" report dsa --decision 1 --data "$T/data" --puid-prefix acme- > "$T/dsa.json" || fail "report dsa exit $?"
  grep -q '"puid": "acme-1"' "$T/dsa.json" || fail "puid: $(cat "$T/dsa.json")"
  grep -q '"DECISION_VISIBILITY_CONTENT_DISABLED"' "$T/dsa.json" || fail "hold -> disabled"
  grep -q '"application_date": "2024-06-10"' "$T/dsa.json" || fail "application_date"
  grep -q '"automated_decision": "AUTOMATED_DECISION_FULLY"' "$T/dsa.json" || fail "automated_decision"
  [ "$(sqlite3 "$T/data/chainbreak.db" "select count(*) from audit_log where action='decision.export'")" = 1 ] \
    || fail "the export is not in the audit log"
  "$CB" report dsa --decision 2 --data "$T/data" > /dev/null 2>&1
  [ $? -eq 2 ] || fail "unknown decision should exit 2"
else
  echo "report dsa with a stored decision: skipped (no sqlite3)"
fi
echo "report CLI contract: ok"
