#!/usr/bin/env bash
# khabar extract on web pages: every test page under tests/data/html comes out
# exactly as its NAME.expected.json says (title, date, author, source, url,
# language, captions, body block by block); --url, --format, HTTP heads,
# encodings, and hostile pages.
. "$(dirname "$0")/lib.sh"
PAGES=$KH_SOURCE_DIR/tests/data/html

# Every page, each field exact.
for page in "$PAGES"/*.html; do
  name=$(basename "$page" .html)
  expect_status 0 "$name" -- "$KHABAR" extract -q "$page"
  python3 - "$WORK/out" "$PAGES/$name.expected.json" "$name" <<'PY' && ok || fail "$name: fields"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, len(lines)
got, want, name = json.loads(lines[0]), json.load(open(sys.argv[2], encoding="utf-8")), sys.argv[3]
for field in ("title", "published", "author", "source", "url", "lang", "captions"):
    assert got[field] == want[field], f"{name}: {field}: got {got[field]!r}, want {want[field]!r}"
blocks = got["body"].split("\n\n") if got["body"] else []
assert blocks == want["body"], f"{name}: body:\n" + "\n".join(
    f"{'=' if i < len(want['body']) and b == want['body'][i] else '!'} {b}" for i, b in enumerate(blocks))
assert got["id"] and got["words"] > 50
PY
done

# The references' known mistakes, named: none of these reach khabar's output.
"$KHABAR" extract -q "$PAGES"/*.html > "$WORK/all.jsonl"
python3 - "$WORK/all.jsonl" <<'PY' && ok || fail "reference mistakes"
import json, sys
arts = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(arts) == len(set(a["id"] for a in arts)) >= 13
for a in arts:
    body = a["body"]
    for bad in ("حمّل تطبيق", "متجر آبل", "مشاهدة", "التالي", "التعليقات المنشورة", "اقرأ أيضا",
                "اقرأ أيضًا", "جميع الحقوق محفوظة", "\u200f", "\u200e", "الأكثر قراءة"):
        assert bad not in body, (a["title"], bad)
    assert a["author"] != "منوعات" and not (a["author"] or "").startswith(("حوار", "كتب", "بقلم"))
    assert all(p == p.strip() and p for p in a["paragraphs"])
PY

# --url gives the address (and the id) when the page has no canonical link;
# a canonical link wins over it.
expect_status 0 "--url" -- "$KHABAR" extract -q --url "https://shorouk.example/sport/1234" "$PAGES/dateline-only.html"
expect_grep "$WORK/out" '"url":"https://shorouk.example/sport/1234"' "--url sets url"
expect_status 0 "--url vs canonical" -- "$KHABAR" extract -q --url "https://elsewhere.example/x" "$PAGES/wp-jannah.html"
expect_grep "$WORK/out" '"url":"https://nabdalwadi.example/2026/01/dates-exports/"' "canonical wins"
expect_status 2 "--url not absolute" -- "$KHABAR" extract --url "news/1" "$PAGES/wp-jannah.html"

# Format by content, not by name: a page saved as .txt, from stdin, gzip'd.
cp "$PAGES/wire-agency.html" "$WORK/page.txt"
expect_status 0 "html named .txt" -- "$KHABAR" extract -q "$WORK/page.txt"
expect_grep "$WORK/out" '"title":"مجلس الوزراء يقر مشروع قانون الاستثمار الجديد"' "detected as html"
"$KHABAR" extract -q - < "$PAGES/iso-8859-6.html" > "$WORK/stdin.jsonl" && ok || fail "stdin html"
grep -q '"title":"موسم قطف الزيتون ينطلق وسط توقعات بإنتاج وفير"' "$WORK/stdin.jsonl" && ok || fail "stdin iso-8859-6"
gzip -c "$PAGES/cp1256-old.html" > "$WORK/old.html.gz"
expect_status 0 "gzip'd windows-1256" -- "$KHABAR" extract -q "$WORK/old.html.gz"
expect_grep "$WORK/out" '"published":"2026-01-04T00:00:00"' "gzip'd page date"
# --format html forces it on a page that does not start with markup.
printf 'مقدمة قصيرة بلا وسوم\n<p>نص الفقرة الأولى من الخبر، وهي فقرة طويلة بما يكفي لتكون متن الخبر كله.</p>\n' > "$WORK/odd.txt"
expect_status 0 "--format html" -- "$KHABAR" extract -q --format html "$WORK/odd.txt"
expect_grep "$WORK/out" '"paragraphs":\[.*نص الفقرة الأولى' "forced html"

# A page saved with its HTTP head (curl -i), chunked, charset in the header.
python3 - "$PAGES/cp1256-undeclared.html" "$WORK/http.html" <<'PY'
import sys
body = open(sys.argv[1], "rb").read()
chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 700]), body[i:i + 700]) for i in range(0, len(body), 700))
head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=windows-1256\r\nTransfer-Encoding: chunked\r\n\r\n"
open(sys.argv[2], "wb").write(head + chunks + b"0\r\n\r\n")
PY
expect_status 0 "HTTP head, chunked" -- "$KHABAR" extract -q "$WORK/http.html"
expect_grep "$WORK/out" '"author":"حسن الزهراني"' "chunked page decoded"
printf 'HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<html><body><p>not here</p></body></html>' > "$WORK/404.html"
expect_status 1 "HTTP 404" -- "$KHABAR" extract "$WORK/404.html"
expect_grep "$WORK/err" "404.html: HTTP status 404, not a page" "404 message"

# Hostile pages: bounded, with a clear message or a clean article.
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
open(f"{w}/deep.html", "w").write("<html><body>" + "<div>" * 10000 + "<p>نص عميق جدا في الصفحة، فقرة طويلة بما يكفي لتعد نصا.</p>" + "</div>" * 10000 + "</body></html>")
open(f"{w}/empty.html", "w").write("<html><head><title></title></head><body><script>var x=1;</script></body></html>")
open(f"{w}/bytes.html", "wb").write(b"<html><body><h1>\xff\xfe\x00 title</h1><p>" + bytes(range(1, 256)) * 20 + b"</p></body></html>")
open(f"{w}/huge.html", "w").write("<html><body>" + "<p>" + "كلمة " * 2_000_000 + "</p></body></html>")
PY
expect_status 1 "10,000 nested elements" -- "$KHABAR" extract "$WORK/deep.html"
expect_grep "$WORK/err" "deep.html: found no article text above the nesting limit" "nesting message"
expect_status 1 "empty page" -- "$KHABAR" extract "$WORK/empty.html"
expect_grep "$WORK/err" "empty.html: found neither a headline nor article text" "empty page message"
"$KHABAR" extract "$WORK/bytes.html" > /dev/null 2> "$WORK/err"; st=$?
{ [ $st -le 1 ] && [ "$(wc -l < "$WORK/err")" -le 2 ]; } && ok || fail "invalid bytes: exit $st"
expect_status 1 "12 MB page" -- "$KHABAR" extract "$WORK/huge.html"
expect_grep "$WORK/err" "huge.html: input is larger than 8388608 bytes" "page size limit"

finish
