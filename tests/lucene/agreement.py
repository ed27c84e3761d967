#!/usr/bin/env python3
"""Agreement of khabar's `light10` with Lucene 4.10's ArabicNormalizationFilter +
ArabicStemFilter on the most frequent words of the shared corpus.

usage: agreement.py KHABAR CORPUS.jsonl.gz JAVA_CLASSPATH OUT_DIR [N=20000] [MIN=99.0]

1. The corpus' title + content go through `khabar analyze --stemmer none`; the
   ORIGINAL column (the surface form as written) is counted: the N most
   frequent surface forms are "the words" (ties broken by the word, so the
   list is deterministic).
2. Each word goes through `khabar analyze --stemmer light10` and through
   LuceneArabic stem (KeywordTokenizer -> LowerCase -> ArabicNormalization ->
   ArabicStem).
3. Prints the share of words whose terms are identical (and the share of
   corpus tokens they cover), writes every disagreement to
   OUT_DIR/light10-disagreements.tsv, and exits 1 below MIN percent.
"""
import collections
import gzip
import json
import os
import subprocess
import sys


def corpus_text(path):
    with gzip.open(path, 'rt', encoding='utf-8') as f:
        for line in f:
            d = json.loads(line)
            yield (d.get('title') or '') + '\n' + (d.get('content') or '') + '\n'


def top_words(khabar, corpus, n):
    p = subprocess.Popen([khabar, 'analyze', '--stemmer', 'none', '-'],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    # Feed from a thread-free loop: write everything, then read. The corpus
    # fits in memory comfortably (~100 MB), and `analyze -` reads all input
    # before it writes anything.
    data = ''.join(corpus_text(corpus)).encode('utf-8')
    out, _ = p.communicate(data)
    if p.returncode != 0:
        sys.exit('khabar analyze failed on the corpus')
    counts = collections.Counter(line.rsplit(b'\t', 1)[1] for line in out.splitlines())
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [(w.decode('utf-8'), c) for w, c in ranked], total


def khabar_terms(khabar, words):
    text = '\n'.join(words) + '\n'
    data = text.encode('utf-8')
    starts = {}
    off = 0
    for i, w in enumerate(words):
        starts[off] = i
        off += len(w.encode('utf-8')) + 1
    out = subprocess.run([khabar, 'analyze', '--stemmer', 'light10', '-'], input=data,
                         stdout=subprocess.PIPE, check=True).stdout
    terms = [[] for _ in words]
    line_of = sorted(starts)
    import bisect
    for line in out.decode('utf-8').splitlines():
        term, start, _end, _orig = line.split('\t')
        k = bisect.bisect_right(line_of, int(start)) - 1
        terms[starts[line_of[k]]].append(term)
    return [' '.join(t) for t in terms]


def lucene_terms(classpath, words):
    data = ('\n'.join(words) + '\n').encode('utf-8')
    out = subprocess.run(['java', '-cp', classpath, 'LuceneArabic', 'stem'], input=data,
                         stdout=subprocess.PIPE, check=True).stdout.decode('utf-8')
    result = {}
    for line in out.split('\n'):
        if '\t' in line:
            w, t = line.split('\t', 1)
            result[w] = t
    return [result.get(w, '?') for w in words]


def main():
    khabar, corpus, classpath, out_dir = sys.argv[1:5]
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 20000
    minimum = float(sys.argv[6]) if len(sys.argv) > 6 else 99.0
    ranked, total_tokens = top_words(khabar, corpus, n)
    words = [w for w, _ in ranked]
    ours = khabar_terms(khabar, words)
    theirs = lucene_terms(classpath, words)
    agree = agree_tokens = covered = 0
    bad = []
    for (w, c), a, b in zip(ranked, ours, theirs):
        covered += c
        if a == b:
            agree += 1
            agree_tokens += c
        else:
            bad.append((w, c, a, b))
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'light10-disagreements.tsv'), 'w', encoding='utf-8') as f:
        f.write('word\tcount\tkhabar\tlucene\n')
        for w, c, a, b in bad:
            f.write(f'{w}\t{c}\t{a}\t{b}\n')
    pct = 100.0 * agree / len(words)
    print(f'light10 vs Lucene 4.10: {agree}/{len(words)} words agree = {pct:.2f}% '
          f'({100.0 * agree_tokens / covered:.2f}% of the {covered} corpus tokens they cover; '
          f'corpus has {total_tokens} tokens)')
    for w, c, a, b in bad[:25]:
        print(f'  differs: {w}\t(count {c})\tkhabar={a}\tlucene={b}')
    if pct < minimum:
        print(f'FAIL: agreement {pct:.2f}% is below {minimum}%')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
