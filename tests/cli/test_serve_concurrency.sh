#!/bin/bash
# test_serve_concurrency.sh — khabar serve under concurrent readers, writes
# through the API and an ingest beside it: every answer is a success (or a
# 503 while the other writer holds the lock), nothing is lost, and the
# server stops cleanly. Most useful in the sanitizer build.
set -u
K=${KHABAR:?KHABAR must name the khabar binary}
SRC=${KH_SOURCE_DIR:?}
if ! command -v curl >/dev/null; then
  echo "SKIP: curl is not installed (scripts/test-packages.txt)"
  exit 77
fi
T=$(mktemp -d)
source "$SRC/tests/cli/serve_lib.sh"
trap 'stop_servers; rm -rf "$T"' EXIT
fails=0
checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_eq() { checks=$((checks + 1)); [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }

"$K" ingest --index "$T/ix" --quiet "$SRC/tests/data/index/feed" || fail "ingest"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/token"
start_server c --index "$T/ix" --threads 4 --write-token-file "$T/token"
U=$URL_c
TOKEN=$(cat "$T/token")
queries=("$(enc 'النفط')" "$(enc 'الوزراء OR الهلال')" "$(enc '"مجلس الوزراء"')" "$(enc 'اقتصا*')" "$(enc 'خبر')")

reader() {
  for i in $(seq 1 40); do
    q=${queries[$((i % ${#queries[@]}))]}
    curl -s -o /dev/null -w '%{http_code}\n' "$U/api/search?q=$q&sort=date"
    curl -s -o /dev/null -w '%{http_code}\n' "$U/search?q=$q"
  done >"$T/reader.$1"
}
writer() {
  for i in $(seq 1 10); do
    n=$((100 + $1 * 10 + i))
    curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      --data "{\"source\":\"w$1\",\"url\":\"http://example.com/post/$n\",\"title\":\"خبر رقم $n\",\"content\":\"نص الخبر رقم $n عن النفط.\"}" \
      "$U/api/articles"
  done >"$T/writer.$1"
}
ingester() {
  for i in $(seq 1 5); do
    printf '{"source":"ing","url":"http://example.com/ingest/%s","title":"خبر مستورد %s","content":"نص مستورد عن النفط."}\n' "$i" "$i" >"$T/ing.$i.jsonl"
    until "$K" ingest --index "$T/ix" --quiet "$T/ing.$i.jsonl" 2>"$T/ing.err"; do
      grep -q 'another process' "$T/ing.err" || { echo "ingest: $(cat "$T/ing.err")"; break; }
      sleep 0.05
    done
  done
}
pids=()
for r in 1 2 3 4; do reader "$r" & pids+=($!); done
for w in 1 2; do writer "$w" & pids+=($!); done
ingester & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done

expect_eq "$(cat "$T"/reader.* | sort | uniq -c | awk '{print $2":"$1}' | tr '\n' ' ')" "200:320 " "every read answered 200"
# A POST that met the ingest's lock got 503; resend those until they land.
ok=$(cat "$T"/writer.* | grep -c '^201$')
busy=$(cat "$T"/writer.* | grep -c '^503$')
expect_eq "$((ok + busy))" 20 "every write answered 201 or 503"
for w in 1 2; do
  i=0
  while read -r code; do
    i=$((i + 1))
    [ "$code" = 503 ] || continue
    n=$((100 + w * 10 + i))
    for _ in $(seq 1 50); do
      c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        --data "{\"source\":\"w$w\",\"url\":\"http://example.com/post/$n\",\"title\":\"خبر رقم $n\",\"content\":\"نص الخبر رقم $n عن النفط.\"}" \
        "$U/api/articles")
      [ "$c" = 201 ] && break
      sleep 0.05
    done
  done <"$T/writer.$w"
done
# 5 articles, 20 posted, 5 ingested; the server follows the last commit
for _ in $(seq 1 40); do
  n=$(curl -s "$U/healthz" | sed -n 's/.*"articles":\([0-9]*\).*/\1/p')
  [ "$n" = 30 ] && break
  sleep 0.05
done
expect_eq "$n" 30 "nothing lost"
kill -TERM "$PID_c"
wait "$PID_c"
expect_eq "$?" 0 "clean stop after the load"
# a stop while requests are in flight: they finish or are cut, the server
# exits 0 through its own handler (not killed by the signal: status 143)
start_server d --index "$T/ix" --threads 2
for r in 1 2 3; do reader "$r" & done
sleep 0.3
kill -TERM "$PID_d"
wait "$PID_d"
expect_eq "$?" 0 "clean stop under load"
checks=$((checks + 1)); grep -q 'stopped' "$T/d.err" || fail "stop under load: $(cat "$T/d.err")"
wait
"$K" check --index "$T/ix" >/dev/null 2>&1 || fail "index check"
echo "$((checks - fails)) passed, $fails failed"
exit $((fails > 0))
