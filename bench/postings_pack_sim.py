#!/usr/bin/env python3
"""postings_pack_sim.py SEGMENT.kseg — what bit-packing would save.

Reads every postings list of a segment (format 7, postings.h) and compares
its doc and position streams (varints) with a simulated packed layout: each
full block of 128 doc deltas, and each run of 128 positions, packed at the
bit width that minimises its size, values above it kept as exceptions (one
byte of index + a varint of the high bits), 2 bytes of header; a full doc
block also pays 16 bytes of single-occurrence flags and keeps its counts as
varints; partial blocks stay varints. An estimate for choosing the work,
not an implementation.
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
n_terms, n_blocks = struct.unpack('<II', b[sec['TDIC']:sec['TDIC'] + 8])
i = sec['TDIC'] + 8 + n_blocks * 12
post = sec['POST']
cur_d = cur_p = new_d = new_p = 0
for t in range(n_terms):
    _, i = varint(b, i)
    sl, i = varint(b, i)
    i += sl
    df, i = varint(b, i)
    plen, i = varint(b, i)
    p, dl = postings_header(b, post, df)
    pp = p + dl
    cur_d += dl
    cur_p += post + plen - pp
    for start in range(0, df, 128):
        nb = min(128, df - start)
        deltas, extra, posv = [], 0, []
        for _ in range(nb):
            v, p = varint(b, p)
            deltas.append((v >> 1) - 1)
            npos = 1
            if not v & 1:
                counts, p = varint(b, p)
                npos = counts >> 1
                extra += vlen(counts)
                if counts & 1:
                    ex, p = varint(b, p)
                    extra += vlen(ex)
            for _ in range(npos):
                x, pp = varint(b, pp)
                posv.append(x)
        new_d += packed(deltas) + 16 + extra if nb == 128 else \
            sum(vlen((d + 1) << 1) for d in deltas) + extra
        for g in range(0, len(posv), 128):
            grp = posv[g:g + 128]
            new_p += packed(grp) if len(grp) == 128 else sum(vlen(x) for x in grp)
    post += plen
print('docs %.2f -> %.2f MB, positions %.2f -> %.2f MB' % (cur_d / 1e6, new_d / 1e6, cur_p / 1e6, new_p / 1e6))
