#!/bin/sh
# `chainbreak report cybertip|dsa` contract: XML on standard output, the
# submit sequence against the fake, errors and exit statuses; reports from a
# stored case (--case), the case made by a real `chainbreak serve` (skipped
# without curl).
# usage: report_cli_test.sh CHAINBREAK FAKE_CYBERTIP
set -u
CB=$1
FAKE=$2
T=$(mktemp -d)
FAKE_PID=
SERVE_PID=
cleanup() {
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
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

# 7. report cybertip --case: usage errors and an unknown case (exit 2).
WHO="--reporter-name Synthetic_Hotline --reporter-email reports@example.org"
"$CB" report cybertip > /dev/null 2> "$T/err"
[ $? -eq 2 ] || fail "neither --input nor --case should exit 2"
grep -q 'exactly one of --input and --case' "$T/err" || fail "message: $(cat "$T/err")"
"$CB" report cybertip --input "$T/report.json" --case 1 > /dev/null 2> "$T/err"
[ $? -eq 2 ] || fail "--input with --case should exit 2"
"$CB" report cybertip --case 1 --data "$T/data" > /dev/null 2> "$T/err"
[ $? -eq 2 ] || fail "--case without a reporter should exit 2"
grep -q 'needs --reporter-name and --reporter-email' "$T/err" || fail "message: $(cat "$T/err")"
"$CB" report cybertip --case 1 --data "$T/nodata" $WHO > /dev/null 2> "$T/err"
[ $? -eq 1 ] || fail "--case without a database should exit 1"
"$CB" token create reviewer-1 --role reviewer --data "$T/data" > "$T/reviewer.token" || fail "token create"
"$CB" report cybertip --case 999 --data "$T/data" $WHO > "$T/out" 2> "$T/err"
[ $? -eq 2 ] || fail "an unknown case should exit 2"
grep -q 'no case 999' "$T/err" || fail "unknown case message: $(cat "$T/err")"
[ -s "$T/out" ] && fail "an unknown case printed something"

# 8. A case made by serve from a report with an uploaded (random, synthetic)
# file, assessed through the API; then exported and submitted by the CLI.
if command -v curl > /dev/null; then
  "$CB" serve --data "$T/data" --listen 127.0.0.1:0 --no-payments 2> "$T/serve.err" &
  SERVE_PID=$!
  for _ in $(seq 50); do grep -q listening "$T/serve.err" && break; sleep 0.2; done
  SP=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$T/serve.err")
  [ -n "$SP" ] || fail "serve did not start: $(cat "$T/serve.err")"
  head -c 5000 /dev/urandom > "$T/clip.bin"
  CMD5=$(md5sum "$T/clip.bin" | cut -d' ' -f1)
  curl -sf -o /dev/null -F category=csam -F url=https://example.net/synthetic/cli \
    -F "file=@$T/clip.bin;type=video/mp4" "http://127.0.0.1:$SP/v1/reports" || fail "report upload"
  AUTH="Authorization: Bearer $(cat "$T/reviewer.token")"
  CASE=$(curl -sf -H "$AUTH" "http://127.0.0.1:$SP/v1/cases" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
  [ -n "$CASE" ] || fail "no case from the report"
  "$CB" report cybertip --case "$CASE" --data "$T/data" $WHO > /dev/null 2> "$T/err"
  [ $? -eq 2 ] || fail "a case not assessed should exit 2"
  grep -q 'not assessed illegal' "$T/err" || fail "not assessed message: $(cat "$T/err")"
  for move in '{"to":"triage"}' '{"to":"assessed","assessment":"illegal_baseline"}'; do
    curl -sf -o /dev/null -H "$AUTH" -H 'Content-Type: application/json' -d "$move" \
      "http://127.0.0.1:$SP/v1/cases/$CASE/transition" || fail "transition $move"
  done
  kill "$SERVE_PID" && wait "$SERVE_PID"
  SERVE_PID=

  "$CB" report cybertip --case "$CASE" --data "$T/data" $WHO > "$T/case.xml" || fail "case export exit $?"
  grep -q "<cybertipCase caseId=\"$CASE\">" "$T/case.xml" || fail "export root: $(head -3 "$T/case.xml")"
  grep -q '<url>https://example.net/synthetic/cli</url>' "$T/case.xml" || fail "export url"
  grep -q "<originalFileHash hashType=\"MD5\">$CMD5</originalFileHash>" "$T/case.xml" || fail "export MD5"
  grep -q '<fileViewedByEsp>false</fileViewedByEsp>' "$T/case.xml" || fail "not revealed: fileViewedByEsp false"
  grep -q '<lastName>Synthetic_Hotline</lastName>' "$T/case.xml" || fail "reporter name"

  "$CB" report cybertip --case "$CASE" --data "$T/data" $WHO --submit "http://127.0.0.1:$PORT" --user esp \
    --password-file "$T/pw" > "$T/case-submit.out" || fail "case submit exit $?"
  RID=$(sed -n 's/^reportId	\([0-9]*\)$/\1/p' "$T/case-submit.out")
  [ -n "$RID" ] || fail "no reportId: $(cat "$T/case-submit.out")"
  grep -q "^fileId	[0-9a-f]*	$CMD5	evidence-[0-9]*$" "$T/case-submit.out" \
    || fail "fileId line: $(cat "$T/case-submit.out")"
  curl -sf -u esp:pw "http://127.0.0.1:$PORT/_fake/report/$RID" > "$T/held.json" || fail "fake report $RID"
  grep -q "\"md5\":\"$CMD5\"" "$T/held.json" || fail "the fake did not receive the file: $(cat "$T/held.json")"
  grep -q '"state":"finished"' "$T/held.json" || fail "the fake's report is not finished"
  # One report per case: a second submission is refused, naming the first.
  "$CB" report cybertip --case "$CASE" --data "$T/data" $WHO --submit "http://127.0.0.1:$PORT" --user esp \
    --password-file "$T/pw" --retake > /dev/null 2> "$T/err"
  [ $? -eq 2 ] || fail "a second submission of case $CASE should exit 2"
  grep -q "already reported to NCMEC (report $RID)" "$T/err" || fail "second submission: $(cat "$T/err")"
  if command -v sqlite3 > /dev/null; then
    for action in case.cybertip_export case.cybertip_submit case.cybertip_submitted evidence.export; do
      [ "$(sqlite3 "$T/data/chainbreak.db" "select count(*) from audit_log where action='$action' and actor='cli'")" = 1 ] \
        || fail "no single $action audit entry by cli"
    done
  fi
else
  echo "report cybertip --case with a served case: skipped (no curl)"
fi
echo "report CLI contract: ok"
