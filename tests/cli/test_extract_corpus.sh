#!/usr/bin/env bash
# Extracting the whole shared corpus: 31,030 articles out, none lost, none
# malformed, every field where the record had it.
. "$(dirname "$0")/lib.sh"
need_shared corpus/saudinewsnet.jsonl.gz
CORPUS=$KH_SHARED_DIR/corpus/saudinewsnet.jsonl.gz
expect_status 0 "extract corpus" -- "$KHABAR" extract "$CORPUS"
expect_grep "$WORK/err" "31030 articles written; 0 bad records skipped" "summary"
python3 - "$WORK/out" "$CORPUS" <<'PY' && ok || fail "corpus articles"
import gzip, json, re, sys, unicodedata
INVISIBLE = re.compile("[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
def clean(s):
    return " ".join(INVISIBLE.sub("", unicodedata.normalize("NFC", s)).split())
src = [json.loads(l) for l in gzip.open(sys.argv[2], "rt", encoding="utf-8")]
out = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(out) == len(src) == 31030, (len(out), len(src))
ids = set()
for s, a in zip(src, out):
    assert a["url"] == s["url"].strip() or " " in s["url"], (a["url"], s["url"])
    assert a["title"] == (clean(s["title"]) or None), (a["title"], s["title"])
    assert a["published"] == s["date_extracted"].replace(" ", "T"), (a["published"], s["date_extracted"])
    assert a["paragraphs"] or not s["content"].strip(), s["url"]
    ids.add(a["id"])
# Distinct URLs give distinct ids (the corpus repeats some URLs).
assert len(ids) == len({" ".join(s["url"].split()) for s in src}), (len(ids),)
print("corpus ok:", len(out), "articles,", len(ids), "distinct ids")
PY
finish
