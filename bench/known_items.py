#!/usr/bin/env python3
"""known_items.py — khabar's known-item MRR@10 per variation type, the peers' way.

usage: bench/known_items.py DRIVER WORK_DIR [SHARED_DIR]

Indexes the peers' corpus TSV with DRIVER (bench/khabar_driver or any binary
speaking the harness's driver protocol), runs every kis_*.tsv set in AND mode
(and clean/mixed in OR mode) plus the 28 probes, and scores them with the
harness's own evaluation (bench.py's kis_eval, imported, not copied), so the
numbers are the ones run.sh would print for khabar. WORK_DIR receives the
index, the results and corpus.tsv (made by the harness's prep_corpus.py when
absent). Used to measure analyzer changes (docs/analysis.md): build one
driver per variant and run this for each.
"""
import os
import shutil
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
driver, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
shared = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, '..', '..', 'shared'))
peers = os.path.join(shared, 'bench', 'peers')
qdir = os.path.join(peers, 'queries')
sys.path.insert(0, peers)
import bench  # noqa: E402  (the harness: read_qrels, read_results, kis_eval)

TYPES = ['clean', 'mixed', 'al_strip', 'al_add', 'hamza', 'ta_marbuta', 'alef_maqsura',
         'tatweel', 'diacritics', 'prefix_drop']

os.makedirs(work, exist_ok=True)
corpus = os.path.join(work, 'corpus.tsv')
if not os.path.exists(corpus):
    subprocess.run([sys.executable, os.path.join(peers, 'prep_corpus.py'),
                    os.path.join(shared, 'corpus', 'saudinewsnet.jsonl.gz'), corpus,
                    os.path.join(work, 'corpus_stats.json')], check=True, stdout=subprocess.DEVNULL)

t0 = time.time()
index = os.path.join(work, 'index')
if os.path.exists(index):
    shutil.rmtree(index)
subprocess.run([driver, 'index', corpus, index], check=True, stdout=subprocess.DEVNULL)
probes_index = os.path.join(work, 'probes_index')
if os.path.exists(probes_index):
    shutil.rmtree(probes_index)
subprocess.run([driver, 'index', os.path.join(qdir, 'probes_corpus.tsv'), probes_index], check=True,
               stdout=subprocess.DEVNULL)
t_index = time.time() - t0

jobs = os.path.join(work, 'jobs.tsv')
with open(jobs, 'w') as f:
    for t in TYPES:
        f.write('kis_%s_and\tand\t1\t0\t10\t%s\n' % (t, os.path.join(qdir, 'kis_%s.tsv' % t)))
    for t in ('clean', 'mixed'):
        f.write('kis_%s_or\tor\t1\t0\t10\t%s\n' % (t, os.path.join(qdir, 'kis_%s.tsv' % t)))
pjobs = os.path.join(work, 'jobs_probes.tsv')
with open(pjobs, 'w') as f:
    f.write('probes\tor\t1\t0\t10\t%s\n' % os.path.join(qdir, 'probes.tsv'))
out = os.path.join(work, 'out')
if os.path.exists(out):
    shutil.rmtree(out)
subprocess.run([driver, 'search', index, out, jobs], check=True, stdout=subprocess.DEVNULL)
subprocess.run([driver, 'search', probes_index, out, pjobs], check=True, stdout=subprocess.DEVNULL)

print('load %s, index build %.0f s wall' % (open('/proc/loadavg').read().split()[0], t_index))
print('| set | n | MRR@10 | recall@10 | zero results |')
print('|---|---:|---:|---:|---:|')
names = ['kis_%s_and' % t for t in TYPES] + ['kis_clean_or', 'kis_mixed_or']
for name in names:
    t = name[4:].rsplit('_', 1)[0]
    r = bench.kis_eval(os.path.join(qdir, 'kis_%s.tsv' % t), os.path.join(out, name + '.res.tsv'))
    print('| %s | %d | %.3f | %.3f | %.1f%% |' % (name, r['n'], r['mrr10'], r['recall10'],
                                                   100 * r['zero_result_rate']))
rel = bench.read_qrels(os.path.join(qdir, 'probes.tsv'))
res = bench.read_results(os.path.join(out, 'probes.res.tsv'))
failed = [rel[q]['query'] for q in sorted(rel, key=int) if rel[q]['target'] not in res.get(q, [])]
print('probes: %d/%d%s' % (len(rel) - len(failed), len(rel), (' (failed: %s)' % ' '.join(failed)) if failed else ''))
