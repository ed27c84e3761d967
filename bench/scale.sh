#!/bin/bash
# scale.sh — how ingest time, peak memory, index size and query latency grow
# from the shared corpus (31,030 articles) to 1,000,000 (issue #4).
#
# usage: bench/scale.sh [BUILD_DIR] [WORK_DIR]
#   BUILD_DIR  a build of khabar (default: build); its libkhabar.a is used
#              for the query driver
#   WORK_DIR   scratch space for the indexes (default /tmp/khabar-scale);
#              each index is deleted after it is measured
# environment:
#   RUNS    "ARTICLES:RAM_MB ..." (default "31030:256 100000:256 300000:256
#           1000000:256 1000000:64")
#   PASSES  query passes for the latencies (default 3; the median is kept)
#
# Articles beyond the corpus are the corpus again, copy r's urls ending in
# "?copy=r" so that ids (a hash of the canonical url) and url terms differ.
# They are generated on the fly and piped into `khabar ingest -` with its
# defaults (--ram-buffer as given, commits every 10,000 articles and 60 s,
# one thread per core up to 4): nothing the size of the input is stored.
# Prints one Markdown table row per run (docs/index.md, "Scaling").
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
work=${2:-/tmp/khabar-scale}
shared=${KH_SHARED_DIR:-$here/../../shared}
corpus=$shared/corpus/saudinewsnet.jsonl.gz
queries=$shared/bench/peers/queries/latency.tsv
runs=${RUNS:-31030:256 100000:256 300000:256 1000000:256 1000000:64}
passes=${PASSES:-3}
K=$build/khabar
for f in "$corpus" "$queries" "$K" "$build/libkhabar.a"; do
  [ -e "$f" ] || { echo "scale.sh: $f not found" >&2; exit 1; }
done
mkdir -p "$work"

# the query driver of the peers benchmark, built against this build's library
driver=$work/khabar_driver
cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
   -I"$here/../include" "$here/khabar_driver.c" "$build/libkhabar.a" \
   $(pkg-config --libs libutf8proc jansson zlib libzstd libxml-2.0 libarchive libmicrohttpd) \
   -lstemmer -lm -lpthread -o "$driver"
printf 'latency\tand\t%d\t1\t10\t%s\n' "$passes" "$queries" >"$work/jobs.tsv"

# articles N: the first N articles of the repeated corpus, as JSON lines
articles() {
  local n=$1 total
  total=$(zcat "$corpus" | wc -l)
  for ((r = 0; r * total < n; r++)); do
    if [ "$r" -eq 0 ]; then zcat "$corpus"; else
      zcat "$corpus" | sed "s/\(\"url\": \"[^\"]*\)\"/\1?copy=$r\"/"
    fi
  done | head -n "$n"
}

echo "| articles | --ram-buffer | ingest wall | ingest CPU | peak RSS | index | segments | query p50 | query p99 | load |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for run in $runs; do
  n=${run%%:*} ram=${run##*:}
  ix=$work/ix-$n-$ram
  rm -rf "$ix"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  articles "$n" | /usr/bin/time -v -o "$work/time-$n-$ram.txt" \
    "$K" ingest -q --ram-buffer "$ram" --index "$ix" - >"$work/ingest-$n-$ram.log" 2>&1 || {
    echo "scale.sh: ingest of $n articles failed:" >&2
    tail -5 "$work/ingest-$n-$ram.log" >&2
    exit 1
  }
  t=$work/time-$n-$ram.txt
  wall=$(awk -F': ' '/Elapsed/ { n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s }' "$t")
  cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$t")
  rss=$(awk -F': ' '/Maximum resident/ { print $2 }' "$t")
  size=$(du -sb "$ix" | cut -f1)
  segs=$(ls "$ix" | grep -c '\.kseg$')
  got=$("$K" stats --index "$ix" --json | sed 's/.*"articles":\([0-9]*\).*/\1/')
  [ "$got" = "$n" ] || { echo "scale.sh: index holds $got articles, not $n" >&2; exit 1; }
  rm -rf "$work/out"
  "$driver" search "$ix" "$work/out" "$work/jobs.tsv" >/dev/null
  lat=$(python3 - "$work/out/latency.lat.json" <<'PY'
import json, statistics, sys
def pct(s, p):
    k = (len(s) - 1) * p / 100; f = int(k); c = min(f + 1, len(s) - 1)
    return s[f] + (s[c] - s[f]) * (k - f)
d = json.load(open(sys.argv[1]))
rows = [(pct(sorted(l), 50), pct(sorted(l), 99)) for l in d['passes']]
print("%.2f ms | %.2f ms" % tuple(statistics.median(r[i] for r in rows) * 1e3 for i in range(2)))
PY
)
  printf '| %s | %s MB | %.0f s | %.0f s | %.0f MB | %.0f MB | %s | %s | %s |\n' \
    "$n" "$ram" "$wall" "$cpu" "$((rss / 1024))" "$((size / 1000000))" "$segs" "$lat" "$load"
  rm -rf "$ix"
done
