#!/usr/bin/env python3
"""postings_pack_sim.py SEGMENT.kseg — what bit-packing the doc deltas would save.

Reads every postings list of a segment (format 7, postings.h) and compares
its doc stream (varints) with a simulated packed layout: each full block of
128 doc deltas packed at the bit width that minimises its size, values
above it kept as exceptions (one byte of index + a varint of the high
bits), 2 bytes of header; a full doc block also pays 16 bytes of
single-occurrence flags and keeps its counts as varints; partial blocks
stay varints. An estimate for choosing the work, not an implementation.
Positions are packed that way already (runs of 128, postings.h); the
simulation of them is gone with the varints it read. Format 8 packs the doc
deltas (postings.h; on the shared corpus the inverted index went from
21,903,012 to 21,411,860 bytes, docs/index.md), so this reads format 7
segments only (built by a khabar before that change), kept as the record of
the estimate.
"""
import struct
import sys

from index_sizes import postings_header, sections, varint


def vlen(v):
    n = 1
    while v >= 128:
        v >>= 7
        n += 1
    return n


def packed(vals):
    best = None
    top = max(vals).bit_length()
    for w in range(top + 1):
        ex = [v for v in vals if v >> w]
        if len(ex) > len(vals) // 4 + 1 and w < top:
            continue
        size = (len(vals) * w + 7) // 8 + sum(1 + vlen(v >> w) for v in ex) + 2
        best = size if best is None or size < best else best
    return best


b = open(sys.argv[1], 'rb').read()
sec = {k: off for k, (off, _) in sections(b).items()}
fmt = struct.unpack('<I', b[sec['META']:sec['META'] + 4])[0]
if fmt != 7:
    sys.exit('%s: segment format %d; this simulation reads format 7 (varint doc streams)' %
             (sys.argv[1], fmt))
n_terms, n_blocks = struct.unpack('<II', b[sec['TDIC']:sec['TDIC'] + 8])
i = sec['TDIC'] + 8 + n_blocks * 12
post = sec['POST']
cur_d = new_d = 0
for t in range(n_terms):
    _, i = varint(b, i)
    sl, i = varint(b, i)
    i += sl
    df, i = varint(b, i)
    plen, i = varint(b, i)
    p, dl = postings_header(b, post, df)
    cur_d += dl
    for start in range(0, df, 128):
        nb = min(128, df - start)
        deltas, extra = [], 0
        for _ in range(nb):
            v, p = varint(b, p)
            deltas.append((v >> 1) - 1)
            if not v & 1:
                counts, p = varint(b, p)
                extra += vlen(counts)
                if counts & 1:
                    ex, p = varint(b, p)
                    extra += vlen(ex)
        new_d += packed(deltas) + 16 + extra if nb == 128 else \
            sum(vlen((d + 1) << 1) for d in deltas) + extra
    post += plen
print('docs %.2f -> %.2f MB' % (cur_d / 1e6, new_d / 1e6))
