#!/usr/bin/env bash
# The README's main command (`make demo`): runs khabar on the sample data in
# examples/ and, when ../shared is present, on the shared corpus.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
khabar=${KHABAR:-$root/build/khabar}
shared=${KH_SHARED_DIR:-$root/../shared}

echo "== khabar extract: the sample pages, HTML pages and feeds in examples/ (one article a line) =="
"$khabar" extract "$root"/examples/text/*.txt "$root"/examples/html/*.html "$root"/examples/feeds/* > "$root/build/examples.jsonl"
python3 - "$root/build/examples.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    a = json.loads(line)
    print(f"- {a['title']}")
    print(f"    source: {a['source']}   published: {a['published']}   author: {a['author']}")
    print(f"    {len(a['paragraphs'])} paragraphs, {len(a['headings'])} headings, "
          f"{len(a['captions'])} captions, {a['words']} words, id {a['id']}")
PY
echo "(full JSON in build/examples.jsonl)"

echo
echo "== khabar ingest + search: the same samples in an index (build/demo-index) =="
rm -rf "$root/build/demo-index"
"$khabar" ingest --index "$root/build/demo-index" "$root"/examples
# Spelled without hamza and with ه for ة, as readers often type: still found.
for q in 'الامم المتحده' 'محطه لتحليه المياه' '"معرض الكتاب"' 'source:marsad OR title:الهلال'; do
  echo
  echo "\$ khabar search --index build/demo-index $q"
  "$khabar" search --index "$root/build/demo-index" --limit 3 "$q" || true
done

if [ -f "$shared/corpus/seed-article.txt" ]; then
  echo
  echo "== khabar extract: the seed page, ../shared/corpus/seed-article.txt =="
  "$khabar" extract "$shared/corpus/seed-article.txt" | python3 -c '
import json, sys
a = json.loads(sys.stdin.readline())
a["body"] = a["body"][:120] + "..."
a["paragraphs"] = [p[:60] + "..." for p in a["paragraphs"]]
print(json.dumps(a, ensure_ascii=False, indent=2))'
fi
if [ -f "$shared/corpus/saudinewsnet.jsonl.gz" ]; then
  echo
  echo "== khabar extract: the shared corpus (31,030 articles) =="
  python3 - "$khabar" "$shared/corpus/saudinewsnet.jsonl.gz" "$root/build/saudinewsnet.jsonl" <<'PY'
import gzip, os, subprocess, sys, time
khabar, corpus, out = sys.argv[1:4]
t = time.perf_counter()
with open(out, "wb") as f:
    subprocess.run([khabar, "extract", corpus], stdout=f, check=False)
t = time.perf_counter() - t
raw = sum(len(l) for l in gzip.open(corpus, "rb")) / 1e6
print(f"{t:.2f} s for {raw:.1f} MB of JSON ({raw / t:.0f} MB/s); output in {os.path.relpath(out)}")
PY
  echo
  echo "== khabar ingest: the shared corpus into build/saudinewsnet-index =="
  rm -rf "$root/build/saudinewsnet-index"
  "$khabar" ingest --index "$root/build/saudinewsnet-index" "$shared/corpus/saudinewsnet.jsonl.gz"
  for q in 'وزارة الصحه' '"خادم الحرمين الشريفين" الرياض'; do
    echo
    echo "\$ khabar search --index build/saudinewsnet-index $q"
    "$khabar" search --index "$root/build/saudinewsnet-index" --limit 3 "$q" || true
  done
fi

echo
echo "== khabar serve: the archive behind the web page and the JSON API (docs/api.md) =="
serve_index="$root/build/demo-index"
"$khabar" stats --index "$root/build/saudinewsnet-index" >/dev/null 2>&1 && serve_index="$root/build/saudinewsnet-index"
echo "open http://127.0.0.1:${KH_PORT:-8080}/ in a browser (Ctrl-C stops the server)"
exec "$khabar" serve --index "$serve_index" --port "${KH_PORT:-8080}"
