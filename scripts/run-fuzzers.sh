#!/usr/bin/env bash
# Runs every fuzz target in BUILD_DIR/fuzz for SECONDS each, starting from
# the seed corpus in fuzz/corpus/NAME (when present). A crash fails the run
# and leaves the reproducer in build-fuzz/crashes/.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/crashes"
status=0
for target in "$build"/fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  work="$build/fuzz-corpus/$name"
  mkdir -p "$work"
  seeds=()
  [ -d "$root/fuzz/corpus/$name" ] && seeds+=("$root/fuzz/corpus/$name")
  echo "fuzz: $name for ${seconds}s"
  if ! "$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$build/crashes/$name-" -print_final_stats=0 \
        "$work" "${seeds[@]}" >"$build/$name.log" 2>&1; then
    echo "fuzz: $name FAILED; log: $build/$name.log" >&2
    tail -n 40 "$build/$name.log" >&2
    status=1
  else
    echo "fuzz: $name ok ($(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$build/$name.log" | tail -n1) runs)"
  fi
done
exit $status
