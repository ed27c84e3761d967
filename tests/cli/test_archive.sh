#!/usr/bin/env bash
# khabar extract on .zip, .tar and .tar.gz: every member goes through the same
# content detection as a file (an HTML member is one article, a JSON Lines
# member many, a .jsonl.gz member is decompressed), images and stylesheets are
# passed over and counted, messages name the member, a zip bomb is refused.
. "$(dirname "$0")/lib.sh"
PAGES=$KH_SOURCE_DIR/tests/data/html
EX=$KH_SOURCE_DIR/examples

python3 - "$PAGES" "$EX" "$WORK" <<'PY'
import gzip, io, sys, tarfile, zipfile
pages, ex, w = sys.argv[1:4]
members = {
    "site/a/wp-jannah.html": open(f"{pages}/wp-jannah.html", "rb").read(),
    "site/b/old-1256.htm": open(f"{pages}/cp1256-old.html", "rb").read(),
    "feeds/saudi.jsonl": open(f"{ex}/feeds/saudi-style.jsonl", "rb").read(),
    "feeds/wire.jsonl.gz": open(f"{ex}/feeds/agency-wire.jsonl.gz", "rb").read(),
    "site/style.css": b"body { color: red }\n",
    "site/logo.png": b"\x89PNG\r\n\x1a\n" + bytes(300),
    "site/empty.html": b"",
    "site/broken.html": b"<html><body><script>1</script></body></html>",
    "feeds/bad.jsonl": b'{"title": "a"}\n{"title": "b" "x"}\n',
}
with zipfile.ZipFile(f"{w}/pages.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("site/", b"")
    for name, data in members.items():
        z.writestr(name, data)
for mode, name in (("w", "pages.tar"), ("w:gz", "pages.tar.gz")):
    with tarfile.open(f"{w}/{name}", mode) as t:
        for n, data in members.items():
            info = tarfile.TarInfo(n)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
# a zip bomb: one member that inflates to 64 MiB
with zipfile.ZipFile(f"{w}/bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("bomb.html", b"<p>" + b"\0" * (64 << 20))
    z.writestr("after.html", open(f"{pages}/dateline-only.html", "rb").read())
# a zip cut in the middle
data = open(f"{w}/pages.zip", "rb").read()
open(f"{w}/cut.zip", "wb").write(data[: len(data) * 9 // 10])
# a zip inside a tar inside a zip inside a tar: too deep
inner = open(f"{w}/pages.zip", "rb").read()
for level in range(4):
    buf = io.BytesIO()
    if level % 2 == 0:
        with tarfile.open(fileobj=buf, mode="w") as t:
            info = tarfile.TarInfo(f"level{level}.tar"); info.size = len(inner); t.addfile(info, io.BytesIO(inner))
    else:
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(f"level{level}.zip", inner)
    inner = buf.getvalue()
open(f"{w}/nested.tar", "wb").write(inner)
PY

# 2 pages + 3 SaudiNewsNet records + 1 wire record + 1 good line of bad.jsonl
# = 7 articles; the stylesheet, the image, the empty page and the page
# without text are passed over (not errors: crawls are full of them).
for f in pages.zip pages.tar pages.tar.gz; do
  expect_status 1 "$f" -- "$KHABAR" extract "$WORK/$f"
  expect_grep "$WORK/err" "7 articles written; 1 bad record skipped; 0 of 1 input unreadable; 4 records or members not articles, passed over" "$f summary"
  expect_grep "$WORK/err" "$f: feeds/bad.jsonl:2:17: malformed JSON" "$f: the member is named"
  python3 - "$WORK/out" <<'PY' && ok || fail "$f articles"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert a[0]["title"] == "ارتفاع صادرات التمور الأردنية بنسبة 18% خلال العام الماضي", a[0]["title"]
assert a[1]["title"] == "افتتاح أول محطة لتحلية مياه البحر بالطاقة الشمسية في المحافظة"
assert len(a) == 7 and a[5]["id"] == "wire-2026-0042" and a[6]["title"] == "a", [x["id"] for x in a]
PY
done
expect_status 1 "--format archive" -- "$KHABAR" extract -q --format archive "$WORK/pages.tar.gz"
[ "$(wc -l < "$WORK/out")" -eq 7 ] && ok || fail "--format archive: 7 articles"
expect_status 1 "--format archive on a page" -- "$KHABAR" extract --format archive "$PAGES/wp-jannah.html"
expect_grep "$WORK/err" "wp-jannah.html: not a zip or tar archive" "not an archive"

# The bomb is refused without holding it; the next member still comes out.
expect_status 1 "zip bomb" -- "$KHABAR" extract "$WORK/bomb.zip"
expect_grep "$WORK/err" "bomb.zip: bomb.html: member of 67108867 bytes is larger than the limit of 8388608, skipped" "bomb message"
expect_grep "$WORK/out" '"author":"كريم بن عمر"' "member after the bomb"

# A cut zip: what was read stays, the damage is reported once.
"$KHABAR" extract "$WORK/cut.zip" > "$WORK/out" 2> "$WORK/err"; st=$?
[ $st -eq 1 ] && ok || fail "cut zip: exit $st"
expect_grep "$WORK/err" "cut.zip: .*damaged archive.*; the input ends there, at byte offset [0-9]+: it was cut short" "cut zip message"
[ "$(wc -l < "$WORK/out")" -ge 1 ] && ok || fail "cut zip: the members before the cut"

# Containers nested too deep are refused by name.
expect_status 1 "nested" -- "$KHABAR" extract "$WORK/nested.tar"
expect_grep "$WORK/err" "containers nested more than 3 deep, skipped" "nesting message"

finish
