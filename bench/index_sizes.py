#!/usr/bin/env python3
"""index_sizes.py SEGMENT.kseg... — where an index's bytes go.

Prints each section's size (summed over the segments), the inverted index
in bytes (POST + TDIC + DOCV, what the peers harness compares with Lucene's
postings, terms and norms), then, per field letter, the term dictionary, the
postings headers (block tables, one-block headers), the doc streams (their
full blocks packed in format 8) and the position streams (docs/index.md,
lib/index/postings.h, termdict.h; segment format 8, whose headers are those
of format 7).
"""
import collections
import struct
import sys


def varint(b, i):
    v = s = 0
    while True:
        x = b[i]
        i += 1
        v |= (x & 0x7F) << s
        s += 7
        if not x & 0x80:
            return v, i


def postings_header(b, post, df):
    """Skips the header of the postings list at b[post:] of a term in df
    documents; returns (start of its doc stream, doc stream length). A term
    in one document has a varint min_len and then one self-delimiting entry
    (delta << 1 | single [, n_positions << 1 | has_extra [, extra]]);
    otherwise docs_len, then max_tf << 1 | has_runs and min_len (one
    block) or the block table (16 bytes a block)."""
    if df == 1:
        _, p = varint(b, post)
        v, q = varint(b, p)
        if not v & 1:
            counts, q = varint(b, q)
            if counts & 1:
                _, q = varint(b, q)
        return p, q - p
    docs, p = varint(b, post)
    if df <= 128:
        _, p = varint(b, p)
        _, p = varint(b, p)
    else:
        p += (df + 127) // 128 * 16
    return p, docs


def sections(b):
    assert b[-8:] == b'KHABREND', 'not a segment file'
    toc_off, n, _ = struct.unpack('<QII', b[-24:-8])
    out = {}
    for i in range(n):
        sid, off, ln, _ = struct.unpack('<IQQI', b[toc_off + i * 24:toc_off + i * 24 + 24])
        out[struct.pack('<I', sid).decode()] = (off, ln)
    return out


def main():
    sec_total = collections.Counter()
    fields = collections.defaultdict(collections.Counter)
    for path in sys.argv[1:]:
        b = open(path, 'rb').read()
        sec = sections(b)
        for k, (_, ln) in sec.items():
            sec_total[k] += ln
        toff, _ = sec['TDIC']
        post, _ = sec['POST']
        n_terms, n_blocks = struct.unpack('<II', b[toff:toff + 8])
        i = toff + 8 + n_blocks * 12
        prev = b''
        for t in range(n_terms):
            start = i
            shared, i = varint(b, i)
            suffix, i = varint(b, i)
            term = prev[:shared] + b[i:i + suffix]
            i += suffix
            df, i = varint(b, i)
            plen, i = varint(b, i)
            f = fields[chr(term[0])]
            f['terms'] += 1
            f['dictionary'] += i - start
            p, docs = postings_header(b, post, df)
            f['headers'] += p - post
            f['docs'] += docs
            f['positions'] += plen - (p - post) - docs
            post += plen
            prev = term

    for k, v in sorted(sec_total.items()):
        print('%s %.2f MB' % (k, v / 1e6))
    print('total %.2f MB' % (sum(sec_total.values()) / 1e6))
    print('inverted index (POST+TDIC+DOCV) %d bytes' %
          (sec_total['POST'] + sec_total['TDIC'] + sec_total['DOCV']))
    print('field terms dictionary headers docs positions (MB)')
    for k, f in sorted(fields.items()):
        print(k, f['terms'], ' '.join('%.2f' % (f[x] / 1e6) for x in ('dictionary', 'headers', 'docs', 'positions')))


if __name__ == '__main__':
    main()
