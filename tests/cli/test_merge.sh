#!/bin/bash
# test_merge.sh — a merged index answers exactly as one built in one go.
#
# Merging works on postings (lib/index/merge.c), not by analyzing the stored
# articles again, so it must reproduce what indexing would have produced.
# Each case ingests articles in many small commits (automatic merges along
# the way), replaces some, deletes others, and optimizes; the reference
# index gets the surviving articles, in the same order, in one commit.
# Then every query's --json answer (hits, scores, snippets, facets), the
# statistics and `khabar check` must agree. One writer thread, so that
# documents keep their input order in both indexes (ties in score are
# broken by document order).
#
# Part 1 runs on a generated corpus; part 2 on 3,000 articles of the shared
# corpus and 120 of its benchmark queries (skipped, exit 77, without it).
source "$(dirname "$0")/lib.sh"
K=$KHABAR

# gen N SEED: N articles of a small Arabic vocabulary, as JSON lines
gen() {
  awk -v n="$1" -v seed="$2" 'BEGIN {
    srand(seed)
    split("نفط أسعار الطاقة السعودية مجلس الوزراء الرياض جدة مكة الملك وزير التعليم الصحة " \
          "المستشفى الطلاب المدارس الاقتصاد السوق الأسهم البنك المركزي الرياضة الهلال النصر " \
          "المنتخب الأمطار الطقس الحج العمرة المطار الطيران النقل الطرق المرور الشرطة المحكمة " \
          "القضاء المياه الكهرباء الزراعة التمور الإسكان العقار الشباب الثقافة المعرض الكتاب", w, " ")
    nw = length(w)
    split("sabq okaz aawsat alriyadh", src, " ")
    split("محمد العلي|سارة الأحمد|فهد السالم||عبدالله الحربي", au, "|")
    for (i = 0; i < n; i++) {
      t = ""; for (k = 0; k < 3 + int(rand() * 4); k++) t = t (k ? " " : "") w[1 + int(rand() * nw)]
      c = ""; m = 10 + int(rand() * 60)
      for (k = 0; k < m; k++) c = c (k ? (rand() < 0.1 ? ". " : " ") : "") w[1 + int(rand() * rand() * nw)]
      a = au[1 + int(rand() * 5)]
      printf "{\"source\": \"%s\", \"url\": \"http://example.com/%d/%d\", \"date_extracted\": \"2015-0%d-%02d 10:00:00\", \"title\": \"%s\", \"author\": \"%s\", \"content\": \"%s\"}\n", \
        src[1 + int(rand() * 4)], seed, i, 1 + int(rand() * 9), 1 + int(rand() * 28), t, a, c
    }
  }'
}

url_of() { sed -n 's/.*"url": "\([^"]*\)".*/\1/p'; }

# same NAME INPUT QUERIES: builds $WORK/NAME-many (small commits, replacements,
# deletions, optimize) and $WORK/NAME-one (one commit) and compares them.
# Lines 1-5 mod 23 are re-ingested at the end, lines 0 mod 17 deleted by url.
same() {
  local name=$1 in=$2 queries=$3 many=$WORK/$1-many one=$WORK/$1-one
  awk 'NR % 23 == 5' "$in" >"$WORK/$name-again"
  awk 'NR % 17 == 0' "$in" | url_of >"$WORK/$name-gone"
  # the reference: survivors in input order, then the re-ingested copies
  awk 'NR % 17 != 0 && NR % 23 != 5' "$in" >"$WORK/$name-ref"
  awk 'NR % 23 == 5 && NR % 17 != 0' "$in" >>"$WORK/$name-ref"

  expect_status 0 "$name: ingest in small commits" -- \
    "$K" ingest -q --threads 1 --commit-every 37 --ram-buffer 1 --index "$many" "$in"
  expect_status 0 "$name: ingest again (replacing)" -- \
    "$K" ingest -q --threads 1 --commit-every 11 --index "$many" "$WORK/$name-again"
  expect_status 0 "$name: delete" -- xargs "$K" delete -q --index "$many" <"$WORK/$name-gone"
  "$K" stats --index "$many" >"$WORK/$name-before"
  expect_grep "$WORK/$name-before" "deleted" "$name: deletions pending before optimize"
  expect_status 0 "$name: optimize" -- "$K" optimize --index "$many"
  expect_grep "$WORK/out" "segments? -> 1," "$name: optimize leaves one segment"
  expect_status 0 "$name: one-go ingest" -- \
    "$K" ingest -q --threads 1 --commit-every 1000000 --commit-seconds 0 --index "$one" "$WORK/$name-ref"

  expect_status 0 "$name: check merged" -- "$K" check --index "$many"
  expect_status 0 "$name: check one-go" -- "$K" check --index "$one"
  "$K" stats --index "$many" | grep -v '^index:\|^size:' >"$WORK/$name-s1"
  "$K" stats --index "$one" | grep -v '^index:\|^size:' >"$WORK/$name-s2"
  if cmp -s "$WORK/$name-s1" "$WORK/$name-s2"; then ok; else
    fail "$name: stats differ: $(diff "$WORK/$name-s1" "$WORK/$name-s2" | head -5)"
  fi
  local n=0 differ=0 q
  while IFS= read -r q; do
    n=$((n + 1))
    "$K" search --json --facets -n 20 --index "$many" "$q" >"$WORK/a" 2>&1
    "$K" search --json --facets -n 20 --index "$one" "$q" >"$WORK/b" 2>&1
    if ! cmp -s "$WORK/a" "$WORK/b"; then
      differ=$((differ + 1))
      [ "$differ" -le 3 ] && echo "differs: $q" >&2
    fi
  done <"$queries"
  if [ "$differ" -eq 0 ] && [ "$n" -gt 0 ]; then ok; else
    fail "$name: $differ of $n queries answer differently"
  fi
  echo "$name: $n queries compared, $differ differ"
}

# ---- part 1: generated corpus ----
gen 600 7 >"$WORK/gen.jsonl"
{
  printf '%s\n' نفط "أسعار الطاقة" "مجلس OR الوزراء" '"مجلس الوزراء"' "الرياض -جدة" "title:الهلال" \
    "source:okaz" "author:العلي" "اقتص*" "(الحج OR العمرة) المطار" "published:2015-03-01..2015-05-31 الملك"
  printf '%s\n' الصحة المستشفى الطلاب المدارس الاقتصاد السوق الأسهم \
    البنك المركزي الرياضة النصر المنتخب الأمطار الطقس النقل الطرق المرور الشرطة المحكمة القضاء المياه \
    الكهرباء الزراعة التمور الإسكان العقار الشباب الثقافة المعرض الكتاب
} >"$WORK/gen-queries"
same gen "$WORK/gen.jsonl" "$WORK/gen-queries"

# ---- part 2: the shared corpus ----
if [ ! -e "$KH_SHARED_DIR/corpus/saudinewsnet.jsonl.gz" ] ||
   [ ! -e "$KH_SHARED_DIR/bench/peers/queries/latency.tsv" ]; then
  finish || exit 1
  echo "SKIP: part 2 needs $KH_SHARED_DIR/corpus and bench/peers/queries (part 1 passed)"
  exit 77
fi
zcat "$KH_SHARED_DIR/corpus/saudinewsnet.jsonl.gz" | head -n 3000 >"$WORK/corpus.jsonl"
cut -f4 "$KH_SHARED_DIR/bench/peers/queries/latency.tsv" | head -n 120 >"$WORK/corpus-queries"
same corpus "$WORK/corpus.jsonl" "$WORK/corpus-queries"
finish
