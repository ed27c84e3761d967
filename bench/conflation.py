#!/usr/bin/env python3
"""Which stemmer should be khabar's default? Term-level conflation and a small
BM25 known-item run on the peer benchmark's query sets, for every stemmer.

usage: bench/conflation.py KHABAR [SHARED_DIR] [STEMMERS]
  KHABAR      the built khabar tool (its `analyze` command does all analysis,
              so this measures exactly what the index will see)
  SHARED_DIR  default: ../shared next to the repository
  STEMMERS    comma-separated, default none,light10,snowball,light

For each known-item query set shared/bench/peers/queries/kis_*.tsv (columns:
qid, target doc id, relevant ids, query, note; doc id = 0-based line of the
corpus .jsonl.gz, as in prep_corpus.py) and each stemmer:

  conflation  mean over queries of the fraction of the query's non-stopword
              terms that are terms of its target article (title + content)
  all-terms   share of queries whose every term is in the target article
              (what an AND query needs to find it at all)
  MRR@10, R@10  BM25 (k1 1.2, b 0.75) over title + content, OR of the query
              terms, every document of the corpus scored; the target or an
              exact duplicate (relevant ids) counts as found

Conflation alone rewards over-stemming (a stemmer that maps everything to one
term scores 100%); the BM25 columns charge for it, since over-conflated terms
lose their discriminating power. The default is chosen on both.
"""
import bisect
import collections
import gzip
import json
import math
import os
import subprocess
import sys
import tempfile
import time


def load_corpus(path):
    docs = []
    with gzip.open(path, 'rt', encoding='utf-8') as f:
        for line in f:
            d = json.loads(line)
            docs.append((d.get('title') or '') + '\n' + (d.get('content') or ''))
    return docs


def load_queries(qdir):
    sets = {}
    for name in sorted(os.listdir(qdir)):
        if not (name.startswith('kis_') and name.endswith('.tsv')):
            continue
        rows = []
        with open(os.path.join(qdir, name), encoding='utf-8') as f:
            for line in f:
                qid, target, rel, query, _note = line.rstrip('\n').split('\t')
                rows.append((int(target), {int(x) for x in rel.split(',')}, query))
        sets[name[:-4]] = rows
    return sets


def analyze_lines(khabar, stemmer, texts, want=None):
    """Yields (line index, term) for the non-stopword tokens of each text
    (texts are joined by newlines; a newline inside a text is a space)."""
    starts = []
    with tempfile.NamedTemporaryFile('wb', delete=False) as tmp:
        off = 0
        for t in texts:
            b = t.replace('\n', ' ').encode('utf-8') + b'\n'
            starts.append(off)
            off += len(b)
            tmp.write(b)
        path = tmp.name
    try:
        with open(path, 'rb') as inp:
            p = subprocess.Popen([khabar, 'analyze', '--stemmer', stemmer, '--no-stopwords', '-'],
                                 stdin=inp, stdout=subprocess.PIPE)
            line_no = 0
            next_start = starts[1] if len(starts) > 1 else 1 << 62
            for raw in p.stdout:
                term, start, _ = raw.split(b'\t', 2)
                s = int(start)
                if s >= next_start:
                    line_no = bisect.bisect_right(starts, s) - 1
                    next_start = starts[line_no + 1] if line_no + 1 < len(starts) else 1 << 62
                yield line_no, term
            if p.wait() != 0:
                sys.exit(f'khabar analyze --stemmer {stemmer} failed')
    finally:
        os.unlink(path)


def evaluate(khabar, stemmer, docs, sets):
    # queries: all sets in one call
    flat = [(name, i, q) for name, rows in sets.items() for i, (_, _, q) in enumerate(rows)]
    qterms = [[] for _ in flat]
    for line, term in analyze_lines(khabar, stemmer, [q for _, _, q in flat]):
        qterms[line].append(term)
    vocab = {t for ts in qterms for t in ts}
    targets = {rows[i][0] for name, rows in sets.items() for i in range(len(rows))}

    # corpus: document lengths, df and tf of the query vocabulary, and the
    # full term sets of the target articles
    doc_len = [0] * len(docs)
    tf = collections.defaultdict(dict)         # term -> {doc: count}
    target_terms = collections.defaultdict(set)
    for d, term in analyze_lines(khabar, stemmer, docs):
        doc_len[d] += 1
        if term in vocab:
            row = tf[term]
            row[d] = row.get(d, 0) + 1
        if d in targets:
            target_terms[d].add(term)

    n = len(docs)
    avg = sum(doc_len) / n
    k1, b = 1.2, 0.75
    results = {}
    for qi, (name, i, _q) in enumerate(flat):
        target, rel, _ = sets[name][i]
        terms = qterms[qi]
        r = results.setdefault(name, {'n': 0, 'conf': 0.0, 'all': 0, 'rr': 0.0, 'hit': 0})
        r['n'] += 1
        if not terms:
            continue
        present = sum(1 for t in terms if t in target_terms[target])
        r['conf'] += present / len(terms)
        r['all'] += present == len(terms)
        scores = collections.defaultdict(float)
        for t in set(terms):
            postings = tf.get(t)
            if not postings:
                continue
            idf = math.log(1 + (n - len(postings) + 0.5) / (len(postings) + 0.5))
            for d, c in postings.items():
                scores[d] += idf * c * (k1 + 1) / (c + k1 * (1 - b + b * doc_len[d] / avg))
        top = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        for rank, (d, _) in enumerate(top, 1):
            if d in rel:
                r['rr'] += 1 / rank
                r['hit'] += 1
                break
    return results


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    khabar = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    shared = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, '..', '..', 'shared')
    stemmers = (sys.argv[3] if len(sys.argv) > 3 else 'none,light10,snowball,light').split(',')
    t0 = time.time()
    docs = load_corpus(os.path.join(shared, 'corpus', 'saudinewsnet.jsonl.gz'))
    sets = load_queries(os.path.join(shared, 'bench', 'peers', 'queries'))
    table = {s: evaluate(khabar, s, docs, sets) for s in stemmers}

    print(f'{len(docs)} documents; BM25 over title + content; {time.time() - t0:.0f} s\n')
    for metric, key, scale in (('conflation (mean fraction of query terms in the target)', 'conf', 1),
                               ('all query terms in the target', 'all', 1),
                               ('MRR@10 (BM25, OR)', 'rr', 1),
                               ('recall@10 (BM25, OR)', 'hit', 1)):
        print(f'### {metric}\n')
        print('| set | queries | ' + ' | '.join(stemmers) + ' |')
        print('|---|---:|' + '---:|' * len(stemmers))
        totals = collections.Counter()
        count = 0
        for name in sets:
            nq = table[stemmers[0]][name]['n']
            count += nq
            cells = []
            for s in stemmers:
                v = table[s][name][key]
                totals[s] += v
                cells.append(f'{v / nq:.3f}')
            print(f'| {name} | {nq} | ' + ' | '.join(cells) + ' |')
        print('| **all** | %d | ' % count + ' | '.join(f'**{totals[s] / count:.3f}**' for s in stemmers) + ' |\n')
    _ = scale
    return 0


if __name__ == '__main__':
    sys.exit(main())
