#!/usr/bin/env bash
# The seed page (../shared/corpus/seed-article.txt) comes out exactly as the
# foundation issue specifies.
. "$(dirname "$0")/lib.sh"
need_shared corpus/seed-article.txt
expect_status 0 "extract seed" -- "$KHABAR" extract --format text "$KH_SHARED_DIR/corpus/seed-article.txt"
python3 - "$WORK/out" <<'PY' && ok || fail "seed article fields"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, len(lines)
a = json.loads(lines[0])
assert a["source"] == "الشام الجديد", a["source"]
assert a["title"] == "أكسيوس: لقاء سوري–إسرائيلي في باريس غدًا لاستئناف التفاوض حول اتفاق أمني", a["title"]
assert a["published"] == "2026-01-04T21:36:00", a["published"]
assert a["published_raw"] == "الأحد 04 يناير 2026 - 09:36 م", a["published_raw"]
assert a["author"] == "عمرو أحمد", a["author"]
assert a["captions"] == ["لقاء سوري–إسرائيلي"], a["captions"]
assert a["headings"] == ["لقاء مرتقب بين مسؤولين من سوريا وإسرائيل",
                         "تصريحات مستشار الرئيس الفرنسي لشؤون الشرق الأوسط:"], a["headings"]
p = a["paragraphs"]
assert len(p) == 9, len(p)
assert p[0].startswith("كشف موقع «أكسيوس» الأمريكي") and p[8].startswith("جاء ذلك خلال مؤتمر صحفي"), p
assert p[3].startswith("أكد مستشار الرئيس الفرنسي") and p[4].startswith("وأشار المسؤول الفرنسي"), p
assert a["body"].split("\n\n")[1] == a["headings"][0]
assert a["lang"] == "ar" and a["words"] > 300
PY
finish
