#!/usr/bin/env python3
"""html_eval.py — scores HTML article extraction on pages with known answers,
khabar side by side with Mozilla Readability and readability-lxml.

Each page DIR/NAME.html has DIR/NAME.expected.json with the expected title,
published, author, source, url, lang, captions and body (a list of blocks).
Every tool is run on the same pages in one run; for each the body is scored
by word tokens (precision, recall, F1 of the multiset of \\w+ tokens) and by
4-word shingles (the public article-extraction benchmark's measure), per page
and averaged over pages; metadata is scored field by field (exact match;
null expected and null given counts as right). Speed is pages per second of
extraction in CPU time (user + system, best of 3 runs, since the machines are
shared): khabar as the whole `khabar extract` process over ROUNDS copies of
the page list (process start, reading and JSON output included), the
references inside their own process (parse time only, start-up and file
reading left out).

usage: bench/html_eval.py [--khabar build/khabar] [--pages tests/data/html]
                          [--rounds 400] [--ref-rounds 5] [--only khabar]
                          [--json out.json] [--verbose]

Mozilla Readability runs when node and bench/html_readability/node_modules
(npm install --prefix bench/html_readability) are there; readability-lxml when
/usr/bin/python3 has the `readability` module (Debian python3-readability).
A reference that is missing is reported as such, not silently dropped.
"""
import argparse
import collections
import glob
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORD = re.compile(r"\w+")
FIELDS = ("title", "published", "author", "source", "url", "lang")
# Speed is CPU time (user + system), the best of REPEATS runs: the machines
# this runs on are shared, and wall time measures the neighbours too.
REPEATS = 3


def tokens(text):
    return WORD.findall(unicodedata.normalize("NFC", text or ""))


def prf(got, want):
    g, w = collections.Counter(got), collections.Counter(want)
    common = sum((g & w).values())
    p = common / sum(g.values()) if g else (1.0 if not w else 0.0)
    r = common / sum(w.values()) if w else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def shingles(toks, n=4):
    if len(toks) < n:
        return [tuple(toks)] if toks else []
    return [tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)]


def norm(s):
    return " ".join(unicodedata.normalize("NFC", s).split()) if isinstance(s, str) else s


def load_pages(pages_dir):
    pages = []
    for html in sorted(glob.glob(os.path.join(pages_dir, "*.html"))):
        exp = html[:-5] + ".expected.json"
        if os.path.exists(exp):
            with open(exp, encoding="utf-8") as f:
                pages.append((html, json.load(f)))
    return pages


def run_khabar(khabar, files, rounds):
    out = {}
    for f in files:
        p = subprocess.run([khabar, "extract", "-q", f], capture_output=True, text=True)
        lines = [l for l in p.stdout.splitlines() if l.strip()]
        a = json.loads(lines[0]) if lines else {}
        out[f] = {"title": a.get("title"), "published": a.get("published"), "author": a.get("author"),
                  "source": a.get("source"), "url": a.get("url"), "lang": a.get("lang"),
                  "text": a.get("body", ""), "error": p.stderr.strip() if not lines else None}
    args = [khabar, "extract", "-q"] + files * rounds
    best = None
    for _ in range(REPEATS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = cpu if best is None else min(best, cpu)
    return out, len(files) * rounds / best


def run_reference(cmd, files, rounds, env=None):
    p = subprocess.run(cmd + [str(rounds), str(REPEATS)] + files, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip()[-500:])
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    timing = lines[-1]
    out = {l["file"]: l for l in lines[:-1]}
    return out, timing["pages"] / timing["seconds"]


def readability_js(files, rounds, node_dir):
    if not shutil.which("node"):
        return None, "node is not installed (Debian nodejs)"
    modules = os.path.join(node_dir, "node_modules")
    if not os.path.isdir(os.path.join(modules, "@mozilla", "readability")):
        return None, f"npm modules missing: npm install --prefix {os.path.relpath(node_dir)}"
    env = dict(os.environ, NODE_PATH=modules)
    return run_reference(["node", os.path.join(HERE, "html_readability", "run.js")], files, rounds, env), None


def readability_lxml(files, rounds, node_dir):
    py = "/usr/bin/python3"
    if not os.path.exists(py) or subprocess.run([py, "-c", "import readability"],
                                                capture_output=True).returncode != 0:
        return None, "readability-lxml missing (Debian python3-readability)"
    return run_reference([py, os.path.join(HERE, "html_readability_lxml.py")], files, rounds), None


def score(pages, results):
    per_page = []
    meta_right = collections.Counter()
    meta_seen = collections.Counter()
    for html, exp in pages:
        got = results.get(html, {})
        want_toks = tokens("\n".join(exp["body"]))
        got_toks = tokens(got.get("text", ""))
        tp, tr, tf = prf(got_toks, want_toks)
        sp, sr, sf = prf(shingles(got_toks), shingles(want_toks))
        row = {"page": os.path.basename(html), "p": tp, "r": tr, "f1": tf, "shingle_f1": sf}
        for field in FIELDS:
            if field == "author":
                value = got.get("author", got.get("byline"))
            else:
                value = got.get(field, "n/a")
            if value == "n/a":
                continue
            meta_seen[field] += 1
            ok = norm(value) == norm(exp.get(field))
            meta_right[field] += ok
            row[field] = ok
        per_page.append(row)
    n = len(per_page)
    summary = {k: sum(r[k] for r in per_page) / n for k in ("p", "r", "f1", "shingle_f1")}
    summary["meta"] = {f: (meta_right[f], meta_seen[f]) for f in FIELDS if meta_seen[f]}
    return summary, per_page


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--khabar", default=os.path.join(ROOT, "build", "khabar"))
    ap.add_argument("--pages", default=os.path.join(ROOT, "tests", "data", "html"))
    ap.add_argument("--rounds", type=int, default=400, help="khabar passes over the pages for speed")
    ap.add_argument("--ref-rounds", type=int, default=5, help="reference passes over the pages for speed")
    ap.add_argument("--only", choices=["khabar"], help="score khabar alone")
    ap.add_argument("--node-dir", default=os.path.join(HERE, "html_readability"),
                    help="where npm installed @mozilla/readability and jsdom (its node_modules)")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--verbose", action="store_true", help="per-page scores")
    args = ap.parse_args()

    pages = load_pages(args.pages)
    if not pages:
        sys.exit(f"html_eval: no NAME.html with NAME.expected.json under {args.pages}")
    files = [p[0] for p in pages]
    tools = {}
    out, speed = run_khabar(args.khabar, files, args.rounds)
    tools["khabar"] = (out, speed)
    missing = {}
    if not args.only:
        for name, fn in (("Mozilla Readability", readability_js), ("readability-lxml", readability_lxml)):
            res, why = fn(files, args.ref_rounds, args.node_dir)
            if res:
                tools[name] = res
            else:
                missing[name] = why

    report = {"pages": len(pages), "tools": {}, "missing": missing}
    print(f"{len(pages)} pages from {os.path.relpath(args.pages, ROOT)}\n")
    print("| tool | body P | body R | body F1 | 4-shingle F1 | pages/s | title | published | author | source | url | lang |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, (res, speed) in tools.items():
        summary, per_page = score(pages, res)
        meta = summary["meta"]
        cells = [f"{meta[f][0]}/{meta[f][1]}" if f in meta else "–" for f in FIELDS]
        print(f"| {name} | {summary['p']:.3f} | {summary['r']:.3f} | {summary['f1']:.3f} | "
              f"{summary['shingle_f1']:.3f} | {speed:.0f} | " + " | ".join(cells) + " |")
        report["tools"][name] = {"summary": summary, "pages_per_second": speed, "per_page": per_page}
    for name, why in missing.items():
        print(f"| {name} | not run: {why} |")
    if args.verbose:
        for name, t in report["tools"].items():
            print(f"\n{name}:")
            for r in t["per_page"]:
                wrong = [f for f in FIELDS if r.get(f) is False]
                print(f"  {r['page']:28} P {r['p']:.3f} R {r['r']:.3f} F1 {r['f1']:.3f}"
                      + (f"  wrong: {', '.join(wrong)}" if wrong else ""))
    if "khabar" in report["tools"] and len(report["tools"]) > 1:
        k = report["tools"]["khabar"]
        others = [t for n, t in report["tools"].items() if n != "khabar"]
        best_f1 = max(t["summary"]["f1"] for t in others)
        fastest = max(t["pages_per_second"] for t in others)
        report["khabar_f1_margin"] = k["summary"]["f1"] - best_f1
        report["khabar_speedup"] = k["pages_per_second"] / fastest
        print(f"\nkhabar body F1 {k['summary']['f1']:.3f} vs best reference {best_f1:.3f}; "
              f"{report['khabar_speedup']:.0f}x the pages/s of the fastest reference")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
