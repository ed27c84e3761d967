#!/usr/bin/python3
"""readability-lxml (Debian python3-readability) over saved pages, for
bench/html_eval.py. usage: html_readability_lxml.py ROUNDS REPEATS FILE...
Prints one JSON line per page, then {"seconds": S, "pages": N}: the CPU
seconds of the best of REPEATS timings of ROUNDS passes over all files
(parse time only)."""
import json
import sys
import time

import lxml.html
from readability import Document

BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre", "section",
          "article", "table", "ul", "ol", "figcaption", "figure", "br", "td", "th", "dd", "dt"}


def block_text(el, out):
    """Text with a line break at each block boundary."""
    if isinstance(el.tag, str) and el.tag in BLOCKS:
        out.append("\n")
    if el.text:
        out.append(el.text)
    for child in el:
        block_text(child, out)
        if child.tail:
            out.append(child.tail)
    if isinstance(el.tag, str) and el.tag in BLOCKS:
        out.append("\n")
    return out


def extract(raw):
    doc = Document(raw)
    summary = doc.summary(html_partial=True)
    title = doc.short_title()
    text = "".join(block_text(lxml.html.fromstring(summary), [])) if summary.strip() else ""
    return {"title": title or None, "byline": None, "published": None, "text": text}


def main():
    rounds = int(sys.argv[1])
    repeats = int(sys.argv[2])
    files = sys.argv[3:]
    pages = [open(f, "rb").read() for f in files]
    for f, raw in zip(files, pages):
        r = extract(raw)
        r["file"] = f
        print(json.dumps(r, ensure_ascii=False))
    best = None
    for _ in range(repeats):
        t0 = time.process_time()
        n = 0
        for _ in range(rounds):
            for raw in pages:
                extract(raw)
                n += 1
        cpu = time.process_time() - t0
        best = cpu if best is None else min(best, cpu)
    print(json.dumps({"seconds": best, "pages": n}))


if __name__ == "__main__":
    main()
