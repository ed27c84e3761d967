#!/usr/bin/env bash
# khabar extract on WARC crawls: .warc and .warc.gz (one gzip member per
# record, as crawlers write them), HTML responses to articles, everything
# else passed over and counted; damaged and truncated files keep the records
# before the damage and say where it is.
. "$(dirname "$0")/lib.sh"
PAGES=$KH_SOURCE_DIR/tests/data/html

python3 - "$PAGES" "$WORK" <<'PY'
import gzip, sys
pages, out = sys.argv[1], sys.argv[2]

def record(kind, uri, block, ctype, date="2026-01-12T08:00:00Z", version="1.1"):
    head = (f"WARC/{version}\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{abs(hash((kind, uri))):032x}>\r\n"
            f"WARC-Date: {date}\r\n" + (f"WARC-Target-URI: {uri}\r\n" if uri else "") +
            f"Content-Type: {ctype}\r\nContent-Length: {len(block)}\r\n\r\n").encode()
    return head + block + b"\r\n\r\n"

def http(body, ctype="text/html; charset=utf-8", status="200 OK", chunked=False):
    if chunked:
        body = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 900]), body[i:i + 900])
                        for i in range(0, len(body), 900)) + b"0\r\n\r\n"
    te = b"Transfer-Encoding: chunked\r\n" if chunked else b""
    return b"HTTP/1.1 " + status.encode() + b"\r\nContent-Type: " + ctype.encode() + b"\r\n" + te + b"\r\n" + body

def page(name):
    return open(f"{pages}/{name}.html", "rb").read()

records = [
    record("warcinfo", None, b"software: test-crawler/1.0\r\nformat: WARC File Format 1.1\r\n", "application/warc-fields"),
    record("request", "https://nabdalwadi.example/2026/01/dates-exports/", b"GET /2026/01/dates-exports/ HTTP/1.1\r\nHost: nabdalwadi.example\r\n\r\n", "application/http; msgtype=request"),
    record("response", "https://nabdalwadi.example/2026/01/dates-exports/", http(page("wp-jannah")), "application/http; msgtype=response"),
    record("response", "https://dunes.example/news.php?id=5521", http(page("cp1256-undeclared"), "text/html; charset=windows-1256", chunked=True), "application/http; msgtype=response"),
    record("response", "https://dunes.example/missing", http(b"<html><body>not found</body></html>", status="404 Not Found"), "application/http; msgtype=response"),
    record("response", "https://dunes.example/logo.png", http(b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png"), "application/http; msgtype=response"),
    record("resource", "https://shorouk.example/sport/1234", page("dateline-only"), "text/html"),
    record("response", "https://agency.example/ar/news/7785", http(page("wire-agency").replace(b'<div class="newsdate">2026/01/07 13:45</div>', b"")), "application/http; msgtype=response", date="2026-01-07T12:00:00Z"),
    record("metadata", "https://agency.example/ar/news/7785", b"via: https://agency.example/ar/\r\n", "application/warc-fields"),
]
open(f"{out}/crawl.warc", "wb").write(b"".join(records))
with open(f"{out}/crawl.warc.gz", "wb") as f:
    for r in records:
        f.write(gzip.compress(r))
# cut in the middle of the record holding the resource (record 7)
whole = open(f"{out}/crawl.warc.gz", "rb").read()
members = [gzip.compress(r) for r in records]
cut = sum(len(m) for m in members[:6]) + len(members[6]) // 2
open(f"{out}/cut.warc.gz", "wb").write(whole[:cut])
# an uncompressed file whose record 4 is garbage
plain = b"".join(records[:3]) + b"GARBAGE that is not a record\r\n\r\n" + b"".join(records[3:])
open(f"{out}/damaged.warc", "wb").write(plain)
# a WARC 1.0 record with <uri>
open(f"{out}/old.warc", "wb").write(record("response", "<https://old.example/a>", http(page("section-author")),
                                           "application/http; msgtype=response", version="1.0"))
PY

for f in crawl.warc crawl.warc.gz; do
  expect_status 0 "$f" -- "$KHABAR" extract "$WORK/$f"
  expect_grep "$WORK/err" "4 articles written; 0 bad records skipped; 0 of 1 input unreadable; 5 records or members not articles, passed over" "$f summary"
  python3 - "$WORK/out" <<'PY' && ok || fail "$f articles"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert [x["url"] for x in a] == ["https://nabdalwadi.example/2026/01/dates-exports/",
                                 "https://dunes.example/news.php?id=5521",
                                 "https://shorouk.example/sport/1234",
                                 "https://agency.example/ar/news/7785"], [x["url"] for x in a]
assert a[0]["author"] == "ليلى العمري" and a[0]["published"] == "2026-01-05T07:12:44+00:00"
assert a[1]["author"] == "حسن الزهراني" and a[1]["title"] == "مهرجان التراث الشعبي يختتم فعالياته بحضور جماهيري كبير"
assert a[2]["published"] == "2025-07-12T18:40:00"
# no date on the page: the record's WARC-Date
assert a[3]["published"] == "2026-01-07T12:00:00+00:00" and a[3]["published_raw"] == "2026-01-07T12:00:00Z", a[3]
assert a[3]["source"] == "وكالة الأنباء الوطنية" and a[3]["id"] != a[0]["id"]
PY
done
expect_status 0 "--format warc" -- "$KHABAR" extract -q --format warc "$WORK/crawl.warc.gz"
[ "$(wc -l < "$WORK/out")" -eq 4 ] && ok || fail "--format warc: 4 articles"

# Truncated: the records before the cut come out, the cut is located.
expect_status 1 "truncated warc.gz" -- "$KHABAR" extract "$WORK/cut.warc.gz"
[ "$(wc -l < "$WORK/out")" -eq 2 ] && ok || fail "truncated: 2 articles before the cut"
expect_grep "$WORK/err" "cut.warc.gz: record 7 \(https://shorouk.example/sport/1234\) at byte offset [0-9]+ is cut short: its Content-Length is [0-9]+ bytes, only [0-9]+ follow; gzip stream ends early, at compressed byte [0-9]+" "truncated message"

# Damaged: a non-record where record 4 should start.
expect_status 1 "damaged warc" -- "$KHABAR" extract "$WORK/damaged.warc"
[ "$(wc -l < "$WORK/out")" -eq 1 ] && ok || fail "damaged: 1 article before the damage"
offset=$(python3 -c "import sys; d=open(sys.argv[1],'rb').read(); print(d.index(b'GARBAGE'))" "$WORK/damaged.warc")
expect_grep "$WORK/err" "damaged.warc: record 4 at byte offset $offset: not a WARC record" "damage offset"

# WARC 1.0 wrote the target URI in angle brackets.
expect_status 0 "WARC 1.0" -- "$KHABAR" extract -q "$WORK/old.warc"
expect_grep "$WORK/out" '"url":"https://old.example/a"' "WARC 1.0 uri"

# A gzip Content-Encoding inside the response is undone like a gzip file.
python3 - "$PAGES" "$WORK" <<'PY'
import gzip, sys
body = gzip.compress(open(f"{sys.argv[1]}/dateline-only.html", "rb").read())
http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n\r\n" + body
rec = (f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://g.example/1\r\n"
       f"Content-Length: {len(http)}\r\n\r\n").encode() + http + b"\r\n\r\n"
open(f"{sys.argv[2]}/gz-body.warc", "wb").write(rec)
PY
expect_status 0 "gzip content-encoding" -- "$KHABAR" extract -q "$WORK/gz-body.warc"
expect_grep "$WORK/out" '"author":"كريم بن عمر"' "gzip body decoded"

# Errors inside a record name the record.
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><script>x</script></body></html>"
rec = (b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://empty.example/p\r\nContent-Length: %d\r\n\r\n" % len(block)) + block + b"\r\n\r\n"
open(f"{w}/one.warc", "wb").write(rec)
PY
expect_status 0 "empty page record" -- "$KHABAR" extract "$WORK/one.warc"
expect_grep "$WORK/err" "0 articles written; 0 bad records skipped; 0 of 1 input unreadable; 1 record or member not articles" "empty page passed over"

finish
