#!/usr/bin/env bash
# Throughput of `khabar extract` on the shared corpus, one core.
#
#   bench/extract.sh [REPS]        (default 5 repetitions; median reported)
#
# Measures the gzip-compressed corpus as shipped and the same JSON Lines
# uncompressed (so decompression is separated from extraction), and reports
# MB/s of uncompressed input per second of CPU time (user + sys) and wall
# time, and the peak RSS. Output goes to /dev/null so that the terminal is
# not measured.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
khabar=${KHABAR:-$root/build/khabar}
shared=${KH_SHARED_DIR:-$root/../shared}
corpus=$shared/corpus/saudinewsnet.jsonl.gz
reps=${1:-5}
[ -f "$corpus" ] || { echo "SKIP: $corpus not found"; exit 0; }
[ -x "$khabar" ] || { echo "build first: make build"; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
zcat "$corpus" > "$work/corpus.jsonl"
mb=$(stat -c %s "$work/corpus.jsonl" | awk '{printf "%.1f", $1 / 1e6}')

echo "khabar extract throughput — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: SaudiNewsNet, 31,030 articles, $mb MB of JSON Lines ($(stat -c %s "$corpus" | awk '{printf "%.1f", $1/1e6}') MB gzip)"
echo
echo "| input | wall s | CPU s | MB/s (CPU) | MB/s (wall) | peak RSS MB |"
echo "|---|---|---|---|---|---|"
for input in "$corpus" "$work/corpus.jsonl"; do
  for i in $(seq "$reps"); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/t.$i" "$khabar" extract -q "$input" > /dev/null
  done
  cat "$work"/t.* | sort -n | awk -v mb="$mb" -v name="$(basename "$input")" '
    { wall[NR] = $1; cpu[NR] = $2 + $3; rss[NR] = $4 }
    END {
      n = NR; m = int((n + 1) / 2)
      # median by wall time (rows are sorted by wall)
      printf "| %s | %.2f | %.2f | %.0f | %.0f | %.1f |\n", name, wall[m], cpu[m], mb / cpu[m], mb / wall[m], rss[m] / 1024
    }'
  rm -f "$work"/t.*
done
echo
echo "command: bench/extract.sh $reps"
