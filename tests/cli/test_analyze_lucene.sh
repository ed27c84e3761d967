#!/usr/bin/env bash
# test_analyze_lucene.sh — `light10` must agree with Lucene 4.10's
# ArabicNormalizationFilter + ArabicStemFilter on >= 99% of the 20,000 most
# frequent words of the shared corpus (issue 3). Needs ../shared, a JDK and
# Debian's liblucene4.10-java (scripts/test-packages.txt); skips visibly
# without them. The Java side is compiled here, into the build directory.
set -euo pipefail
: "${KHABAR:?KHABAR must name the built khabar tool}"
KH_SOURCE_DIR=${KH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
KH_SHARED_DIR=${KH_SHARED_DIR:-$KH_SOURCE_DIR/../shared}
KH_BUILD_DIR=${KH_BUILD_DIR:-$(mktemp -d)}

corpus="$KH_SHARED_DIR/corpus/saudinewsnet.jsonl.gz"
[ -f "$corpus" ] || { echo "SKIP: $corpus not found"; exit 77; }
for tool in java javac python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not found (install default-jdk-headless)"; exit 77; }
done
jar() {  # the first Lucene 4.10 jar named $1 in the usual places
  { ls /usr/share/java/"$1"-4.10*.jar /usr/share/java/"$1"4.jar 2>/dev/null || true; } | head -n1
}
core=$(jar lucene-core) analyzers=$(jar lucene-analyzers-common)
if [ -z "$core" ] || [ -z "$analyzers" ]; then
  echo "SKIP: Lucene 4.10 jars not found in /usr/share/java (install liblucene4.10-java)"
  exit 77
fi

out="$KH_BUILD_DIR/lucene"
mkdir -p "$out/classes"
javac -nowarn -encoding UTF-8 -d "$out/classes" -cp "$core:$analyzers" \
  "$KH_SOURCE_DIR/tests/lucene/LuceneArabic.java" 2>"$out/javac.log" || { cat "$out/javac.log"; exit 1; }
python3 "$KH_SOURCE_DIR/tests/lucene/agreement.py" "$KHABAR" "$corpus" \
  "$out/classes:$core:$analyzers" "$out" 20000 99.0
