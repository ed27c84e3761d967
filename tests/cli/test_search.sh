#!/bin/bash
# test_search.sh — khabar search: output shapes, options, exit statuses.
set -u
K=${KHABAR:?KHABAR must name the khabar binary}
DATA=${KH_SOURCE_DIR:?}/tests/data/index
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
urls() { grep -o '"url":"[^"]*"' | sed 's/"url":"http:\/\/example.com\/news\///; s/"//' | tr '\n' ' '; }

"$K" ingest --index "$T/ix" --quiet "$DATA/feed" || fail "ingest"

# JSON: total, hits in rank order (title match first), facets
"$K" search --index "$T/ix" --json 'أسعار النفط' >"$T/out" || fail "search status"
grep -q '^{"total":2,"total_exact":true,"hits":\[{"id":"' "$T/out" || fail "json head: $(head -c 200 "$T/out")"
expect_eq "$(urls <"$T/out")" "1 2 " "ranking of 'أسعار النفط'"
grep -q '"facets":{"source":\[{"value":"aawsat","count":1},{"value":"alriyadh","count":1}\],"day":\[{"value":"2015-07-21","count":1},{"value":"2015-07-22","count":1}\]}' "$T/out" \
  || fail "facets: $(grep -o '"facets".*' "$T/out")"
grep -q '"highlights":\[\[' "$T/out" || fail "no highlights"

# phrase, field, negation, OR, prefix, date filters, sort, paging
expect_eq "$("$K" search --index "$T/ix" --json '"مجلس الوزراء"' | urls)" "4 " "phrase"
expect_eq "$("$K" search --index "$T/ix" --json 'مجلس الوزراء' | urls)" "4 5 " "proximity ranks the adjacent words first"
expect_eq "$("$K" search --index "$T/ix" --json 'title:الهلال' | urls)" "3 " "title:"
expect_eq "$("$K" search --index "$T/ix" --json --sort date 'النفط OR الهلال' | urls)" "3 2 1 " "OR sorted by date"
expect_eq "$("$K" search --index "$T/ix" --json --sort date 'السعودي -الهلال' | urls)" "2 " "negation"
expect_eq "$("$K" search --index "$T/ix" --json --sort date --from 2015-07-22 --to 2015-07-25 'النفط OR مجلس' | urls)" "4 2 " "--from/--to"
expect_eq "$("$K" search --index "$T/ix" --json --sort date 'published:2015-07-25.. الوزراء' | urls)" "5 4 " "published: range"
expect_eq "$("$K" search --index "$T/ix" --json --source SABQ 'الوزراء' | urls | wc -w)" "2" "--source"
expect_eq "$("$K" search --index "$T/ix" --json --sort date --limit 1 --offset 1 'النفط OR الهلال' | urls)" "2 " "paging"
expect_eq "$("$K" search --index "$T/ix" --json 'اقتصا*' | urls)" "2 " "prefix"

# human output marks matches; nothing found exits 1; bad queries exit 2 with a reason
"$K" search --index "$T/ix" 'الهلال' >"$T/out" || fail "human search"
grep -q '^1 result, showing 1–1' "$T/out" || fail "human header: $(head -n 1 "$T/out")"
grep -q '\[الهلال\]' "$T/out" || fail "human snippet does not mark the match"
"$K" search --index "$T/ix" --facets --sort date 'النفط OR الهلال' >"$T/out"
grep -q '^by source: alriyadh 2, aawsat 1$' "$T/out" || fail "human facets: $(grep '^by' "$T/out")"
grep -q '^by day: 2015-07-21 1, 2015-07-22 1, 2015-08-01 1$' "$T/out" || fail "human day facets: $(grep '^by day' "$T/out")"
# a short AND page is completed with partial matches, unless --strict
"$K" search --index "$T/ix" --json 'الهلال الميزانية' >"$T/out" || fail "relaxed search status"
grep -q '^{"total":0,' "$T/out" || fail "partial matches must not count: $(head -c 100 "$T/out")"
expect_eq "$(grep -o '"partial":true' "$T/out" | wc -l)" 2 "partial hits"
"$K" search --index "$T/ix" 'الهلال الميزانية' | grep -q 'some words missing' || fail "human output does not mark partial hits"
"$K" search --index "$T/ix" --strict --json 'الهلال الميزانية' >/dev/null
expect_eq "$?" 1 "--strict finds nothing"
"$K" search --index "$T/ix" 'كلمةغيرموجودة' >/dev/null
expect_eq "$?" 1 "no match"
"$K" search --index "$T/ix" '(النفط' 2>"$T/err" >/dev/null
expect_eq "$?" 2 "unbalanced parenthesis"
grep -q "never closed" "$T/err" || fail "parse error message: $(cat "$T/err")"
"$K" search --index "$T/ix" --json 'في من' >"$T/out"
grep -q '"note":"the query holds only stopwords' "$T/out" || fail "stopword note: $(cat "$T/out")"
"$K" search --index "$T/ix" --from 2015-02-30 النفط 2>/dev/null >/dev/null
expect_eq "$?" 2 "bad --from"
long=$(head -c 30000 /dev/urandom | base64 -w0 | head -c 10000)
"$K" search --index "$T/ix" "$long" >/dev/null 2>&1
[ $? -le 2 ] || fail "a 10,000-character query crashed"
"$K" search --index "$T/ix" '- * " : OR ( ) title: published:.. -"" ***' >/dev/null 2>&1
[ $? -le 2 ] || fail "an operator soup crashed"

[ $fails -eq 0 ] && echo "ok" || echo "$fails failure(s)"
exit $((fails > 0))
