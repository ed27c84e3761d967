#!/usr/bin/env bash
# serve_ab.sh — two or more builds of `khabar serve` side by side, for
# changes too small for the noise between separate bench/serve_bench.sh
# runs: each round runs serve_inprocess with 2 threads, then each build in
# turn as a fresh server warmed by 2 s of wrk at one connection and
# measured by `wrk -t2 -c8 -dSECONDS --latency`, and prints one line per
# run with the paired ratio to that round's in-process rate.
#
# usage: bench/serve_ab.sh BUILD_DIR ROUNDS SECONDS NAME=KHABAR [NAME=KHABAR ...]
#   (KHABAR may carry options for `serve` after the binary, in quotes)
#   e.g. bench/serve_ab.sh build 3 5 old=/tmp/khabar-old new=build/khabar
#        bench/serve_ab.sh build 3 5 "a=build/khabar --max-clients 64" b=build/khabar
# BUILD_DIR must hold what bench/serve_bench.sh leaves in BUILD_DIR/bench
# (the index, the query files, the wrk script and serve_inprocess): run it
# once first. C=connections (default 8) and WT=wrk threads (default 2) may
# be set in the environment.
set -euo pipefail
build=${1:?usage: bench/serve_ab.sh BUILD_DIR ROUNDS SECONDS NAME=KHABAR ...}
rounds=${2:?rounds}
seconds=${3:?seconds}
shift 3
[ $# -ge 1 ] || { echo "serve_ab: name at least one build, NAME=path/to/khabar" >&2; exit 2; }
work=$build/bench
for f in serve-index/MANIFEST serve-queries.txt serve-wrk.lua serve_inprocess; do
  [ -e "$work/$f" ] || { echo "serve_ab: no $work/$f: run bench/serve_bench.sh $build first" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "serve_ab: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
ticks=$(getconf CLK_TCK)
pid=
trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; wait 2>/dev/null' EXIT

for round in $(seq 1 "$rounds"); do
  out=$("$work/serve_inprocess" "$work/serve-index" "$work/serve-queries.txt" 2 "$seconds" default)
  base=$(sed -n 's/.* per_second=\([0-9.]*\).*/\1/p' <<<"$out")
  echo "round=$round case=inprocess-t2 rps=$base cpu_ms=$(sed -n 's/.* cpu_ms_per_search=\([0-9.]*\).*/\1/p' <<<"$out") load=$(cut -d' ' -f1 /proc/loadavg)"
  for named in "$@"; do
    name=${named%%=*}
    read -r -a bin <<<"${named#*=}"     # the binary, then options of its own for `serve`
    "${bin[0]}" serve "${bin[@]:1}" --index "$work/serve-index" --port 0 --threads 2 >"$work/serve-ab.out" 2>"$work/serve-ab.err" &
    pid=$!
    url=
    for _ in $(seq 1 100); do
      url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve-ab.out" 2>/dev/null || true)
      [ -n "$url" ] && break
      sleep 0.1
    done
    [ -n "$url" ] || { echo "serve_ab: $name did not start: $(cat "$work/serve-ab.err")" >&2; exit 1; }
    wrk -t1 -c1 -d2s -s "$work/serve-wrk.lua" "$url" >/dev/null
    cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    o=$(wrk -t"${WT:-2}" -c"${C:-8}" -d"${seconds}s" --latency -s "$work/serve-wrk.lua" "$url")
    cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
    n=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$o")
    rps=$(sed -n 's/^Requests\/sec: *//p' <<<"$o")
    echo "round=$round case=$name rps=$rps ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN{printf "%.1f%%", 100 * a / b}')" \
      "p99=$(awk '$1 == "99%" {print $2}' <<<"$o")" \
      "cpu_ms=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$n" -v t="$ticks" 'BEGIN{printf "%.3f", (b - a) * 1000 / t / n}')" \
      "$(grep -E 'Non-2xx|Socket errors' <<<"$o" | tr -s ' ' || true)"
  done
done
