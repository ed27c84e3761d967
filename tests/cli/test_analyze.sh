#!/usr/bin/env bash
# test_analyze.sh — `khabar analyze`: output format, offsets, options, errors.
set -u
: "${KHABAR:?KHABAR must name the built khabar tool}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAILED: $*" >&2; }

# same WANT DESCRIPTION -- command... : stdout must equal WANT exactly
same() {
  local want=$1 what=$2
  shift 3
  local got
  got=$("$@" 2>"$WORK/err")
  if [ "$got" = "$want" ]; then ok; else fail "$what: got [$got] want [$want]; stderr: $(head -c 300 "$WORK/err")"; fi
}
# status WANT DESCRIPTION -- command... : exit status, stderr kept in $WORK/err
status() {
  local want=$1 what=$2
  shift 3
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  if [ "$got" = "$want" ]; then ok; else fail "$what: exit $got, want $want"; fi
}
has() { if grep -qF -- "$2" "$1"; then ok; else fail "$3: '$2' not in $(head -c 300 "$1")"; fi; }
terms() { "$KHABAR" analyze "$@" | cut -f1 | tr '\n' ' '; }

TAB=$'\t'
# the TSV format: TERM START END ORIGINAL, offsets in bytes
same "اكسيوس${TAB}2${TAB}14${TAB}أكسيوس" "guillemets" -- "$KHABAR" analyze '«أكسيوس»'
same "كتاب${TAB}0${TAB}14${TAB}كـــتاب
في${TAB}15${TAB}21${TAB}فِي" "tatweel and harakat stay in ORIGINAL" -- "$KHABAR" analyze 'كـــتاب فِي'
# several TEXT arguments are joined with one space
same "axios${TAB}0${TAB}5${TAB}Axios
2026${TAB}6${TAB}14${TAB}٢٠٢٦" "joined arguments" -- "$KHABAR" analyze Axios ٢٠٢٦
# standard input
same "مفاوض${TAB}0${TAB}20${TAB}والمفاوضات" "stdin" -- sh -c "printf 'والمفاوضات\n' | \"$KHABAR\" analyze -"
# JSON lines with position and the stopword flag
same '{"term":"في","start":0,"end":6,"original":"فِي","position":0,"stopword":true}
{"term":"مدرس","start":7,"end":21,"original":"المدرسة","position":1,"stopword":false}' "json" -- "$KHABAR" analyze --json 'فِي المدرسة'
same "مدرس${TAB}7${TAB}21${TAB}المدرسة" "--no-stopwords" -- "$KHABAR" analyze --no-stopwords 'فِي المدرسة'
# the stemmers
same "مفاوض مفاوض مفاوض " "light probe" -- terms 'المفاوضات مفاوضات والمفاوضات'
same "له اير " "light10 is Lucene's" -- terms --stemmer light10 'الله إيران'
same "الله ايران " "light guards names" -- terms --stemmer light 'الله إيران'
same "مفاوض مفاوضا " "snowball as the library gives it" -- terms --stemmer=snowball 'المفاوضات مفاوضات'
same "المفاوضات " "none" -- terms --stemmer none 'المفاوضات'
same "khabar-ar/2 light" "--id" -- "$KHABAR" analyze --id
same "khabar-ar/2 snowball" "--id snowball" -- "$KHABAR" analyze --id --stemmer snowball

# help teaches: usage, the format, every stemmer, an example
status 0 "--help" -- "$KHABAR" analyze --help
for s in "TERM<TAB>START<TAB>END<TAB>ORIGINAL" light10 snowball "--json" "examples:" "exit status"; do
  has "$WORK/out" "$s" "--help mentions $s"
done
"$KHABAR" --help | grep -q "analyze" && ok || fail "khabar --help lists analyze"

# errors
status 2 "unknown stemmer" -- "$KHABAR" analyze --stemmer porter text
has "$WORK/err" "unknown stemmer 'porter'" "unknown stemmer message"
status 2 "unknown option" -- "$KHABAR" analyze --frobnicate text
status 2 "no text" -- "$KHABAR" analyze
printf 'abc \xff def' >"$WORK/bad"
status 1 "invalid UTF-8" -- sh -c "\"$KHABAR\" analyze - <\"$WORK/bad\""
has "$WORK/err" "invalid UTF-8 at byte 4" "invalid UTF-8 names the byte offset"
status 0 "--replace-invalid" -- sh -c "\"$KHABAR\" analyze --replace-invalid - <\"$WORK/bad\""
same "abc${TAB}0${TAB}3${TAB}abc
def${TAB}6${TAB}9${TAB}def" "invalid bytes become separators" -- sh -c "\"$KHABAR\" analyze --replace-invalid - <\"$WORK/bad\""
status 0 "empty stdin" -- sh -c "\"$KHABAR\" analyze - </dev/null"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
