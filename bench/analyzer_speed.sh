#!/usr/bin/env bash
# analyzer_speed.sh — analyzer throughput on one core, khabar next to Lucene.
#
# usage: bench/analyzer_speed.sh [BUILD_DIR=build] [REPS=3]
#
# Writes the corpus' title + content (one article a line, ~99 MB) to
# BUILD_DIR/bench/corpus.txt once, then runs in one go, on that same file:
#   - bench/analyzer_speed.c (compiled here against BUILD_DIR/libkhabar.a)
#     for every stemmer; a fresh analyzer (cold cache) per rep
#   - Lucene 4.10's ArabicAnalyzer (StandardTokenizer, LowerCase, stop words,
#     ArabicNormalization, ArabicStem) via tests/lucene/LuceneArabic.java, when
#     a JDK and liblucene4.10-java are installed; one warm-up pass first
# Both pin themselves to one CPU with taskset when it is available.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
reps=${2:-3}
shared=${KH_SHARED_DIR:-$root/../shared}
work="$build/bench"
mkdir -p "$work"
corpus="$work/corpus.txt"
if [ ! -s "$corpus" ]; then
  python3 - "$shared/corpus/saudinewsnet.jsonl.gz" "$corpus" <<'PY'
import gzip, json, sys
with gzip.open(sys.argv[1], 'rt', encoding='utf-8') as f, open(sys.argv[2], 'w', encoding='utf-8') as o:
    for line in f:
        d = json.loads(line)
        t = (d.get('title') or '') + ' ' + (d.get('content') or '')
        o.write(t.replace('\n', ' ').replace('\r', ' ') + '\n')
PY
fi
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -I"$root/include" "$root/bench/analyzer_speed.c" \
  "$build/libkhabar.a" $(pkg-config --libs libutf8proc) -lstemmer -lm -o "$work/analyzer_speed"
for s in light light10 snowball none; do
  "${pin[@]}" "$work/analyzer_speed" "$corpus" "$s" "$reps"
done

core=$( { ls /usr/share/java/lucene-core-4.10*.jar 2>/dev/null || true; } | head -n1)
analyzers=$( { ls /usr/share/java/lucene-analyzers-common-4.10*.jar 2>/dev/null || true; } | head -n1)
if command -v javac >/dev/null && [ -n "$core" ] && [ -n "$analyzers" ]; then
  mkdir -p "$work/classes"
  javac -nowarn -encoding UTF-8 -d "$work/classes" -cp "$core:$analyzers" \
    "$root/tests/lucene/LuceneArabic.java" 2>/dev/null
  "${pin[@]}" java -cp "$work/classes:$core:$analyzers" LuceneArabic speed "$corpus" "$reps"
else
  echo "lucene: skipped (needs a JDK and liblucene4.10-java)"
fi
