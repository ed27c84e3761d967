#!/bin/bash
# test_ingest.sh — khabar ingest/show/delete/stats/check/optimize on small data.
set -u
K=${KHABAR:?KHABAR must name the khabar binary}
DATA=${KH_SOURCE_DIR:?}/tests/data/index
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
count() { "$K" stats --index "$1" --json | sed 's/.*"articles":\([0-9]*\).*/\1/'; }

# every command teaches with --help
for c in ingest search show delete stats check optimize; do
  "$K" $c --help >"$T/help" 2>&1 || fail "$c --help exit status"
  grep -q "usage: khabar $c" "$T/help" || fail "$c --help has no usage line"
done

# a directory is walked; the index is created
"$K" ingest --index "$T/ix" --quiet "$DATA/feed"
expect_eq "$?" 0 "ingest status"
expect_eq "$(count "$T/ix")" 5 "articles after ingest"

# re-ingesting replaces, never duplicates
"$K" ingest --index "$T/ix" --quiet "$DATA/feed/a.jsonl"
expect_eq "$(count "$T/ix")" 5 "articles after re-ingest"

# a bad record is reported and skipped, the good one goes in, status 1
"$K" ingest --index "$T/ix" "$DATA/bad/mixed.jsonl" 2>"$T/err"
expect_eq "$?" 1 "ingest status with a bad record"
grep -q "mixed.jsonl:2" "$T/err" || fail "bad record not reported with file:line"
grep -q "1 bad record skipped" "$T/err" || fail "summary does not count the bad record"
expect_eq "$(count "$T/ix")" 6 "articles after the mixed file"

# a directory with something that is not an article: reported, the rest indexed
mkdir -p "$T/mixed/sub"
cp "$DATA/feed/b.jsonl" "$T/mixed/sub/"
head -c 3000 /dev/urandom >"$T/mixed/noise.bin"
"$K" ingest --index "$T/ix3" "$T/mixed" 2>"$T/err"
expect_eq "$?" 1 "ingest status with an unreadable file"
grep -q "noise.bin" "$T/err" || fail "the bad file is not named: $(cat "$T/err")"
expect_eq "$(count "$T/ix3")" 2 "articles from the mixed directory"

# standard input
"$K" extract --quiet "$DATA/feed/b.jsonl" | "$K" ingest --index "$T/ix2" --quiet -
expect_eq "$(count "$T/ix2")" 2 "articles from stdin"

# show by url; by id from the output
"$K" show --index "$T/ix" http://example.com/news/3 >"$T/show" || fail "show by url"
grep -q '"title":"الهلال يفوز على النصر"' "$T/show" || fail "show prints the wrong article"
id=$(sed 's/^{"id":"\([^"]*\)".*/\1/' "$T/show")
"$K" show --index "$T/ix" "$id" | grep -q '"url":"http://example.com/news/3"' || fail "show by id"
"$K" show --index "$T/ix" nope 2>/dev/null
expect_eq "$?" 1 "show of a missing id"

# delete
"$K" delete --index "$T/ix" --quiet "$id" http://example.com/news/4
expect_eq "$?" 0 "delete status"
expect_eq "$(count "$T/ix")" 4 "articles after delete"
"$K" delete --index "$T/ix" --quiet "$id" 2>/dev/null
expect_eq "$?" 1 "deleting a missing article"

# a second writer is refused while the lock is held
if command -v flock >/dev/null; then
  flock "$T/ix/LOCK" sleep 3 &
  sleep 0.5
  "$K" ingest --index "$T/ix" --quiet "$DATA/feed" 2>"$T/err"
  expect_eq "$?" 1 "second writer status"
  grep -q "another process is writing" "$T/err" || fail "no clear message for the second writer: $(cat "$T/err")"
  "$K" search --index "$T/ix" --json النفط >/dev/null || fail "a reader is blocked by the writer lock"
  wait
fi

# optimize drops deleted articles into one segment; check passes
"$K" optimize --index "$T/ix" >/dev/null || fail "optimize"
"$K" stats --index "$T/ix" --json | grep -q '"deleted":0,"segments":1,' || fail "optimize left $("$K" stats --index "$T/ix" --json)"
"$K" check --index "$T/ix" >/dev/null || fail "check of a sound index"

# damage is found and named
seg=$(ls "$T/ix" | grep '\.kseg$' | head -n 1)
printf '\x00\x01\x02\x03' | dd of="$T/ix/$seg" bs=1 seek=300 conv=notrunc status=none
"$K" check --index "$T/ix" 2>"$T/err"
expect_eq "$?" 1 "check of a damaged index"
grep -q "$seg" "$T/err" || fail "check does not name the damaged file: $(cat "$T/err")"
truncate -s 100 "$T/ix/$seg"
"$K" search --index "$T/ix" النفط >/dev/null 2>"$T/err"
expect_eq "$?" 1 "search on a truncated segment"
grep -q "$seg" "$T/err" || fail "search does not name the truncated file: $(cat "$T/err")"

# a segment of an older format (META's format field rewritten to 7, its
# checksums recomputed): refused with a clear error naming the file
"$K" ingest --index "$T/old" --quiet "$DATA/feed/a.jsonl"
old=$(cd "$T/old" && ls seg_*.kseg | head -n 1)
python3 - "$T/old/$old" <<'PY'
import struct, sys, zlib
path = sys.argv[1]
d = bytearray(open(path, 'rb').read())
toc_off, n, _ = struct.unpack('<QII', d[-24:-8])
for i in range(n):
    e = toc_off + 24 * i
    sid, off, ln, _ = struct.unpack('<IQQI', d[e:e + 24])
    if struct.pack('<I', sid) == b'META':
        d[off:off + 4] = struct.pack('<I', 7)
        d[e + 20:e + 24] = struct.pack('<I', zlib.crc32(d[off:off + ln]))
d[-12:-8] = struct.pack('<I', zlib.crc32(d[toc_off:toc_off + 24 * n]))
open(path, 'wb').write(d)
PY
"$K" search --index "$T/old" النفط >/dev/null 2>"$T/err"
expect_eq "$?" 1 "search on a segment of format 7"
grep -q "$old: segment format 7, this build reads format 8: rebuild the index" "$T/err" ||
  fail "format 7 segment: $(cat "$T/err")"

# no index
"$K" search --index "$T/none" النفط 2>"$T/err"
expect_eq "$?" 1 "search without an index"
grep -q "no such index" "$T/err" || fail "missing index message: $(cat "$T/err")"

[ $fails -eq 0 ] && echo "ok" || echo "$fails failure(s)"
exit $((fails > 0))
