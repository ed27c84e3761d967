#!/usr/bin/env bash
# test_analyze_probes.sh — the 28 normalisation probes of the peer benchmark
# (../shared/bench/peers/queries/probes.tsv), checked at the term level with
# the default analyzer: every non-stopword term of the probe's query must be
# a term of its one-document corpus (probes_corpus.tsv). Until the index
# exists this is what "the query retrieves the document" comes down to.
set -u
: "${KHABAR:?KHABAR must name the built khabar tool}"
KH_SOURCE_DIR=${KH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
KH_SHARED_DIR=${KH_SHARED_DIR:-$KH_SOURCE_DIR/../shared}
q="$KH_SHARED_DIR/bench/peers/queries"
if [ ! -f "$q/probes.tsv" ] || [ ! -f "$q/probes_corpus.tsv" ]; then
  echo "SKIP: $q/probes.tsv not found"
  exit 77
fi
passed=0 failed=0
while IFS=$'\t' read -r qid target _rel query note; do
  doc=$(awk -F'\t' -v id="$target" '$1 == id { print $7 }' "$q/probes_corpus.tsv")
  doc_terms=$("$KHABAR" analyze --no-stopwords "$doc" | cut -f1)
  missing=""
  while IFS= read -r term; do
    [ -n "$term" ] || continue
    grep -qxF -- "$term" <<<"$doc_terms" || missing="$missing $term"
  done < <("$KHABAR" analyze --no-stopwords "$query" | cut -f1)
  if [ -z "$missing" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: probe $qid ($note): query '$query' term(s)$missing not in '$doc'" >&2
  fi
done <"$q/probes.tsv"
echo "$passed passed, $failed failed"
[ "$passed" -eq 28 ] && [ "$failed" -eq 0 ]
