#!/bin/sh
# index_ab.sh ROUNDS DRIVER... — indexes the shared corpus with each driver
# in turn, ROUNDS times, interleaved, so that a busy shared machine's load
# falls on every driver alike; one line per run with wall, user and sys
# time, peak RSS and the load average. Compare CPU (user + sys) medians.
#   bench/build-driver.sh build-a /tmp/a && bench/build-driver.sh build-b /tmp/b
#   bench/index_ab.sh 3 /tmp/a /tmp/b
# CORPUS (default /tmp/khb/corpus.tsv) is the peers' TSV of the corpus.
set -eu
rounds=$1
shift
corpus=${CORPUS:-/tmp/khb/corpus.tsv}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for i in $(seq "$rounds"); do
  for d in "$@"; do
    rm -rf "$dir/index"
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "$(basename "$d") %e s wall %U user %S sys %M KB load $load" \
      "$d" index "$corpus" "$dir/index" >/dev/null
  done
done
