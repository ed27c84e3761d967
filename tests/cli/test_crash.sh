#!/bin/bash
# test_crash.sh — kill -9 an ingest at 20 random moments; each time the index
# must open, pass `khabar check`, and hold exactly a committed state: the
# articles of the last commit the ingest reported, or of the one it was
# completing when it died (killed after the rename, before the report).
set -u
K=${KHABAR:?KHABAR must name the khabar binary}
CORPUS=${KH_SHARED_DIR:-/nonexistent}/corpus/saudinewsnet.jsonl.gz
if [ ! -r "$CORPUS" ]; then
  echo "SKIP: $CORPUS not found (the shared corpus is needed for a large ingest)"
  exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
EVERY=1000
ROUNDS=${KH_CRASH_ROUNDS:-20}
zcat "$CORPUS" | head -n 8000 >"$T/corpus.jsonl"

# how long a whole ingest takes here, to spread the kills over it
# (and readers keep searching meanwhile, seeing ever newer commits)
start=$(date +%s%N)
"$K" ingest --index "$T/full" --quiet --commit-every $EVERY --commit-seconds 0 "$T/corpus.jsonl" &
writer=$!
prev=0 searches=0
while kill -0 $writer 2>/dev/null; do
  if [ -e "$T/full/MANIFEST" ]; then
    out=$("$K" search --index "$T/full" --json --limit 1 'السعودية' 2>&1)
    st=$?
    if [ $st -gt 1 ] || { [ $st -eq 1 ] && ! printf '%s' "$out" | grep -q '^{"total":0,'; }; then
      fail "a search during ingest failed ($st): $out"
      break
    fi
    n=$(printf '%s' "$out" | sed -n 's/^{"total":\([0-9]*\),.*/\1/p')
    [ "${n:-0}" -ge "$prev" ] || fail "a reader saw the index shrink: $prev then $n"
    prev=${n:-0}
    searches=$((searches + 1))
  fi
  sleep 0.2
done
wait $writer || fail "reference ingest"
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$searches searches ran during the reference ingest (last total $prev)"
total=$("$K" stats --index "$T/full" --json | sed 's/.*"articles":\([0-9]*\).*/\1/')
echo "reference ingest: $total articles in $full_ms ms"

for round in $(seq 1 "$ROUNDS"); do
  ix="$T/ix$round"
  delay_ms=$(( (RANDOM * 32768 + RANDOM) % (full_ms + 1) ))
  "$K" ingest --index "$ix" --verbose --commit-every $EVERY --commit-seconds 0 "$T/corpus.jsonl" 2>"$T/log" &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  last=$(grep -o 'committed after [0-9]*' "$T/log" | tail -n 1 | grep -o '[0-9]*$')
  last=${last:-0}
  next=$((last + EVERY)); [ $next -gt "$total" ] && next=$total
  if [ ! -e "$ix/MANIFEST" ]; then
    # killed before the empty first commit was written: nothing was ever committed
    [ "$last" = 0 ] || fail "round $round: commit reported but no manifest"
    echo "round $round: killed at ${delay_ms} ms, before the index existed"
    continue
  fi
  if ! "$K" check --index "$ix" >"$T/check" 2>&1; then
    fail "round $round (killed at ${delay_ms} ms): check failed: $(cat "$T/check")"
    continue
  fi
  got=$("$K" stats --index "$ix" --json | sed 's/.*"articles":\([0-9]*\).*/\1/')
  if [ "$got" != "$last" ] && [ "$got" != "$next" ]; then
    fail "round $round (killed at ${delay_ms} ms): $got articles, last commit reported $last"
  fi
  "$K" search --index "$ix" --json 'السعودية' >/dev/null 2>&1
  [ $? -le 1 ] || fail "round $round: search fails after the crash"
  # the writer's lock died with it: a new writer can continue (every 10th round: it is slow)
  if [ $((round % 10)) -ne 0 ]; then
    echo "round $round: killed at ${delay_ms} ms; $last articles reported committed; index holds $got"
    rm -rf "$ix"
    continue
  fi
  "$K" ingest --index "$ix" --quiet --commit-every 100000 "$T/corpus.jsonl" || fail "round $round: cannot resume"
  got=$("$K" stats --index "$ix" --json | sed 's/.*"articles":\([0-9]*\).*/\1/')
  [ "$got" = "$total" ] || fail "round $round: resumed ingest holds $got articles, want $total"
  echo "round $round: killed at ${delay_ms} ms; $last articles reported committed; index held a commit, resumed to $got"
  rm -rf "$ix"
done
[ $fails -eq 0 ] && echo "ok" || echo "$fails failure(s)"
exit $((fails > 0))
