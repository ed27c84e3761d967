/* postings.c — encoding postings with a block table, and walking them. */
#include "index/postings.h"

#include <stddef.h>
#include <string.h>

static void put_u16(kh_buf *b, uint32_t v)
{
    if (v > 0xFFFF)
        v = 0xFFFF;
    unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    kh_buf_append(b, x, 2);
}

/* Appends one run of KH_RUN_VALUES values packed at the width that makes it
 * smallest, the values too wide for it kept as exceptions (postings.h). */
static void put_run(kh_buf *out, const uint32_t *v)
{
    /* size(w) = header + packed bits + each exception's index byte and the
     * varint of its high bits, from a count of the values by bit length */
    uint32_t by_bits[33] = {0}, max_bits = 0;
    for (uint32_t i = 0; i < KH_RUN_VALUES; i++) {
        uint32_t bits = v[i] ? 32 - (uint32_t)__builtin_clz(v[i]) : 0;
        by_bits[bits]++;
        max_bits = bits > max_bits ? bits : max_bits;
    }
    /* widths above max_bits only grow the run, and no value has more bits:
     * both loops stop there, the same choice for less work (with the doc
     * gaps packed too, the full 32 x 32 search made kh_postings_encode
     * 123.7 M instructions instead of 102.8 M indexing 3,000 articles) */
    uint32_t best_w = 32;
    size_t best = 2 + (size_t)KH_RUN_VALUES * 4;
    for (uint32_t w = 0; w < 32 && w <= max_bits; w++) {
        size_t size = 2 + (size_t)KH_RUN_VALUES / 8 * w;
        for (uint32_t bits = w + 1; bits <= max_bits; bits++)
            size += by_bits[bits] * (1 + (bits - w + 6) / 7);
        if (size < best) {
            best = size;
            best_w = w;
        }
    }
    uint32_t w = best_w, n_exc = 0;
    for (uint32_t i = 0; i < KH_RUN_VALUES; i++)
        n_exc += w < 32 && (v[i] >> w) != 0;
    unsigned char head[2] = {(unsigned char)w, (unsigned char)n_exc};
    kh_buf_append(out, head, 2);
    unsigned char packed[KH_RUN_VALUES * 4];
    memset(packed, 0, sizeof packed);
    uint64_t mask = w == 32 ? UINT32_MAX : ((uint64_t)1 << w) - 1;
    for (uint32_t i = 0; i < KH_RUN_VALUES; i++) {
        uint64_t bit = (uint64_t)i * w, x = (v[i] & mask) << (bit & 7);
        for (size_t b = bit >> 3; x; b++, x >>= 8)
            packed[b] |= (unsigned char)x;
    }
    kh_buf_append(out, packed, (size_t)KH_RUN_VALUES / 8 * w);
    for (uint32_t i = 0; i < KH_RUN_VALUES && n_exc; i++) {
        if (w < 32 && (v[i] >> w) != 0) {
            kh_buf_putc(out, (char)i);
            kh_put_varint(out, v[i] >> w);
        }
    }
}

/* Re-encodes the n position values at pc (varints) as a block's position
 * data: [varint n / KH_RUN_VALUES when with_count], the full runs packed,
 * the rest varints (postings.h). */
static void put_block_positions(kh_cursor *pc, uint64_t n, int with_count, kh_buf *out)
{
    uint64_t runs = n / KH_RUN_VALUES;
    if (with_count)
        kh_put_varint(out, runs);
    uint32_t v[KH_RUN_VALUES];
    for (uint64_t r = 0; r < runs; r++) {
        for (uint32_t i = 0; i < KH_RUN_VALUES; i++)
            v[i] = (uint32_t)kh_get_varint(pc);
        put_run(out, v);
    }
    const unsigned char *tail = pc->p;
    kh_skip_varints(pc, n - runs * KH_RUN_VALUES);
    kh_buf_append(out, tail, (size_t)(pc->p - tail));
}

void kh_postings_encode(const unsigned char *docs, size_t docs_len, const unsigned char *pos,
                        size_t pos_len, uint32_t df, const uint32_t *doc_len, kh_buf *out)
{
    kh_cursor dc = kh_cursor_make(docs, docs_len);
    kh_cursor pc = kh_cursor_make(pos, pos_len);
    int64_t prev = -1;
    if (df == 1) {
        /* its one entry says where it ends, what its tf is and how many
         * positions (so how many runs) follow */
        uint64_t delta;
        uint32_t npos, tf;
        kh_doc_entry_read(&dc, &delta, &npos, &tf);
        kh_put_varint(out, doc_len[delta - 1]);
        kh_buf_append(out, docs, docs_len);
        put_block_positions(&pc, npos, 0, out);
        return;
    }
    kh_buf packed = KH_BUF_INIT;
    if (df <= KH_BLOCK_DOCS) {
        uint32_t max_tf = 0, min_len = UINT32_MAX;
        uint64_t n_pos = 0;
        for (uint32_t i = 0; i < df; i++) {
            uint64_t delta;
            uint32_t npos, tf;
            kh_doc_entry_read(&dc, &delta, &npos, &tf);
            prev += (int64_t)delta;
            if (tf > max_tf)
                max_tf = tf;
            if (doc_len[prev] < min_len)
                min_len = doc_len[prev];
            n_pos += npos;
        }
        /* the flag rides on max_tf, mostly below 64: docs_len would grow a
         * byte more often (7,223 bytes against 15 on the shared corpus) */
        int has_runs = n_pos >= KH_RUN_VALUES;
        kh_put_varint(out, docs_len);
        kh_put_varint(out, (uint64_t)max_tf << 1 | (uint64_t)has_runs);
        kh_put_varint(out, min_len);
        kh_buf_append(out, docs, docs_len);
        put_block_positions(&pc, n_pos, has_runs, &packed);
    } else {
        /* one pass to find each block's boundaries in both streams; full
         * blocks of doc entries are rewritten packed (postings.h), so the
         * doc stream is built aside and written after the table */
        kh_buf doc_blocks = KH_BUF_INIT, table = KH_BUF_INIT, counts = KH_BUF_INIT;
        for (uint32_t start = 0; start < df; start += KH_BLOCK_DOCS) {
            uint32_t n = df - start < KH_BLOCK_DOCS ? df - start : KH_BLOCK_DOCS;
            uint32_t doc_off = (uint32_t)doc_blocks.len, pos_off = (uint32_t)packed.len;
            uint32_t max_tf = 0, min_len = UINT32_MAX;
            uint64_t n_pos = 0;
            const unsigned char *entries = dc.p;
            uint32_t gaps[KH_BLOCK_DOCS];
            unsigned char single[KH_BLOCK_DOCS / 8] = {0};
            counts.len = 0;
            for (uint32_t i = 0; i < n; i++) {
                uint64_t delta;
                uint32_t npos, tf;
                kh_doc_entry_read(&dc, &delta, &npos, &tf);
                prev += (int64_t)delta;
                if (tf > max_tf)
                    max_tf = tf;
                if (doc_len[prev] < min_len)
                    min_len = doc_len[prev];
                n_pos += npos;
                gaps[i] = (uint32_t)(delta - 1);
                uint64_t v[3];
                int nv = kh_doc_entry_make(delta, npos, tf, v);
                if (nv == 1)
                    single[i >> 3] |= (unsigned char)(1u << (i & 7));
                for (int k = 1; k < nv; k++)
                    kh_put_varint(&counts, v[k]);
            }
            if (n == KH_BLOCK_DOCS) {
                put_run(&doc_blocks, gaps);
                kh_buf_append(&doc_blocks, single, sizeof single);
                kh_buf_append(&doc_blocks, counts.data, counts.len);
            } else {
                kh_buf_append(&doc_blocks, entries, (size_t)(dc.p - entries));
            }
            if (kh_buf_failed(&counts))
                doc_blocks.failed = 1;
            put_block_positions(&pc, n_pos, 1, &packed);
            kh_put_u32(&table, (uint32_t)prev);
            kh_put_u32(&table, doc_off);
            kh_put_u32(&table, pos_off);
            put_u16(&table, max_tf);
            put_u16(&table, min_len);
        }
        if (kh_buf_failed(&doc_blocks) || kh_buf_failed(&table)) {
            out->failed = 1;
        } else {
            kh_put_varint(out, doc_blocks.len);
            kh_buf_append(out, table.data, table.len);
            kh_buf_append(out, doc_blocks.data, doc_blocks.len);
        }
        kh_buf_free(&doc_blocks);
        kh_buf_free(&table);
        kh_buf_free(&counts);
    }
    if (kh_buf_failed(&packed))
        out->failed = 1;
    else
        kh_buf_append(out, packed.data, packed.len);
    kh_buf_free(&packed);
}

static uint32_t get_u16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t last_doc_of(const kh_postings *c, uint32_t b)
{
    return kh_get_u32(c->table + (size_t)b * KH_BLOCK_ENTRY);
}

/* The first block from `from` on whose last document is >= target, or
 * n_blocks if none. Galloping, then binary search: a cursor mostly moves a
 * block or two, but a fresh one (proximity re-ranking opens one per
 * candidate) may jump across hundreds. */
static uint32_t find_block(const kh_postings *c, uint32_t from, uint32_t target)
{
    uint32_t lo = from, step = 1;
    while (lo < c->n_blocks && last_doc_of(c, lo) < target) {
        uint32_t next = lo + step;
        if (next >= c->n_blocks || last_doc_of(c, next) >= target) {
            /* the answer is in (lo, min(next, n_blocks)] */
            uint32_t hi = next < c->n_blocks ? next : c->n_blocks;
            lo++;
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (last_doc_of(c, mid) < target)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            return lo;
        }
        lo = next;
        step *= 2;
    }
    return lo;
}

static uint64_t load_le64(const unsigned char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

/* The KH_RUN_VALUES values of w bits at p (LSB first; 8 readable bytes
 * past the last) into out. Inlined with a constant w for each width (see
 * unpack), so that in a group of 8 values, which spans exactly w bytes,
 * every load offset and shift is a constant: the hottest loop of an AND
 * that decodes every block of a frequent word. */
static inline __attribute__((always_inline)) void unpack_width(const unsigned char *p,
                                                               uint32_t *out, uint32_t w)
{
    uint64_t mask = ((uint64_t)1 << w) - 1;
    for (uint32_t g = 0; g < KH_RUN_VALUES / 8; g++, p += w, out += 8) {
#define KH_UNPACK_ONE(k) out[k] = (uint32_t)(load_le64(p + ((k) * w >> 3)) >> ((k) * w & 7) & mask)
        KH_UNPACK_ONE(0);
        KH_UNPACK_ONE(1);
        KH_UNPACK_ONE(2);
        KH_UNPACK_ONE(3);
        KH_UNPACK_ONE(4);
        KH_UNPACK_ONE(5);
        KH_UNPACK_ONE(6);
        KH_UNPACK_ONE(7);
#undef KH_UNPACK_ONE
    }
}

static void unpack(const unsigned char *p, uint32_t *out, uint32_t w)
{
    switch (w) {
#define KH_UNPACK_CASE(n) case n: unpack_width(p, out, n); break;
    KH_UNPACK_CASE(1) KH_UNPACK_CASE(2) KH_UNPACK_CASE(3) KH_UNPACK_CASE(4)
    KH_UNPACK_CASE(5) KH_UNPACK_CASE(6) KH_UNPACK_CASE(7) KH_UNPACK_CASE(8)
    KH_UNPACK_CASE(9) KH_UNPACK_CASE(10) KH_UNPACK_CASE(11) KH_UNPACK_CASE(12)
    KH_UNPACK_CASE(13) KH_UNPACK_CASE(14) KH_UNPACK_CASE(15) KH_UNPACK_CASE(16)
    KH_UNPACK_CASE(17) KH_UNPACK_CASE(18) KH_UNPACK_CASE(19) KH_UNPACK_CASE(20)
    KH_UNPACK_CASE(21) KH_UNPACK_CASE(22) KH_UNPACK_CASE(23) KH_UNPACK_CASE(24)
    KH_UNPACK_CASE(25) KH_UNPACK_CASE(26) KH_UNPACK_CASE(27) KH_UNPACK_CASE(28)
    KH_UNPACK_CASE(29) KH_UNPACK_CASE(30) KH_UNPACK_CASE(31) KH_UNPACK_CASE(32)
#undef KH_UNPACK_CASE
    default:
        memset(out, 0, KH_RUN_VALUES * sizeof *out);
    }
}

/* Unpacks a run (postings.h) at c into out[0..KH_RUN_VALUES), exceptions
 * added, and moves c past it. Returns 0, or -1 if it is damaged. */
static int get_run(kh_cursor *c, uint32_t *out)
{
    const unsigned char *head = kh_get_bytes(c, 2);
    if (!head || head[0] > 32 || head[1] > KH_RUN_VALUES)
        return -1;
    uint32_t w = head[0], n_exc = head[1];
    size_t n_bytes = (size_t)KH_RUN_VALUES / 8 * w;
    const unsigned char *bits = kh_get_bytes(c, n_bytes);
    if (!bits)
        return -1;
    if ((size_t)(c->end - c->p) >= 8) {
        unpack(bits, out, w); /* the bytes after the run are the 8 of slack */
    } else {
        unsigned char padded[KH_RUN_VALUES * 4 + 8];
        memcpy(padded, bits, n_bytes);
        memset(padded + n_bytes, 0, 8);
        unpack(padded, out, w);
    }
    for (uint32_t k = 0; k < n_exc; k++) {
        const unsigned char *idx = kh_get_bytes(c, 1);
        uint64_t high = kh_get_varint(c);
        if (!idx || c->bad || *idx >= KH_RUN_VALUES || w == 32 || high > (UINT32_MAX >> w))
            return -1;
        out[*idx] |= (uint32_t)(high << w);
    }
    return 0;
}

/* Decodes the doc entries of block b into doc_of, tf_of and npos_of, and
 * puts the positions cursor at the block's start. Returns 0, or -1 if the
 * block is damaged: its entries must fill exactly its bytes, its documents
 * ascend below n_docs_segment, and (with a table) end at its last_doc. */
static int load_block(kh_postings *c, uint32_t b)
{
    c->block = b;
    c->loaded = 1;
    c->index = 0;
    c->pc_index = 0;
    c->pos_at = 0;
    c->runs_known = 0;
    c->run_next = 0;
    c->tail_at = 0;
    c->block_docs = 0;
    uint32_t first = b * KH_BLOCK_DOCS, n = c->df - first < KH_BLOCK_DOCS ? c->df - first : KH_BLOCK_DOCS;
    kh_cursor dc;
    uint64_t next_doc = 0; /* the previous document + 1 */
    if (!c->table) {
        dc = kh_cursor_make(c->docs, c->docs_len);
        c->pc = kh_cursor_make(c->pos, c->pos_len);
    } else {
        const unsigned char *e = c->table + (size_t)b * KH_BLOCK_ENTRY;
        uint32_t doc_off = kh_get_u32(e + 4), pos_off = kh_get_u32(e + 8);
        uint32_t doc_end = b + 1 < c->n_blocks ? kh_get_u32(e + KH_BLOCK_ENTRY + 4) : (uint32_t)c->docs_len;
        if (doc_off > doc_end || doc_end > c->docs_len || pos_off > c->pos_len)
            return -1;
        dc = kh_cursor_make(c->docs + doc_off, doc_end - doc_off);
        c->pc = kh_cursor_make(c->pos + pos_off, c->pos_len - pos_off);
        next_doc = b == 0 ? 0 : (uint64_t)kh_get_u32(e - KH_BLOCK_ENTRY) + 1;
    }
    if (c->table && n == KH_BLOCK_DOCS) {
        /* packed: the gaps (delta - 1) as a run, the single bitmap, then the
         * counts of the documents that are not single */
        uint32_t gaps[KH_RUN_VALUES];
        if (get_run(&dc, gaps) != 0)
            return -1;
        /* document = previous + 1 + gap, 8 at a time (the loop overhead was
         * as much as the sums); in 64 bits, so that no sum wraps */
        for (uint32_t i = 0; i < KH_BLOCK_DOCS; i += 8) {
#define KH_DOC_ONE(k) next_doc += gaps[i + (k)]; c->doc_of[i + (k)] = (uint32_t)next_doc++;
            KH_DOC_ONE(0) KH_DOC_ONE(1) KH_DOC_ONE(2) KH_DOC_ONE(3)
            KH_DOC_ONE(4) KH_DOC_ONE(5) KH_DOC_ONE(6) KH_DOC_ONE(7)
#undef KH_DOC_ONE
        }
        const unsigned char *single = kh_get_bytes(&dc, KH_BLOCK_DOCS / 8);
        if (!single || next_doc > c->n_docs_segment)
            return -1;
        /* the counts: when first asked for (kh_postings_load_counts) */
        c->single_bits = single;
        c->counts = dc.p;
        c->counts_end = dc.end;
        c->counts_loaded = 0;
        dc.p = dc.end;
    } else {
        c->counts_loaded = 1;
        for (uint32_t i = 0; i < n; i++) {
            /* kh_doc_entry_read, with the checks folded in */
            uint64_t v = kh_get_varint(&dc), delta = v >> 1;
            uint32_t npos = 1, tf = 1;
            if (!(v & 1)) {
                uint64_t counts = kh_get_varint(&dc), np = counts >> 1;
                uint64_t extra = counts & 1 ? kh_get_varint(&dc) : 0;
                if (np > KH_MAX_POSITIONS || extra > UINT32_MAX - np)
                    return -1;
                npos = (uint32_t)np;
                tf = (uint32_t)(np + extra);
            }
            /* delta >= 1 makes documents ascend */
            if (delta == 0 || delta > c->n_docs_segment)
                return -1;
            next_doc += delta - 1;
            if (next_doc >= c->n_docs_segment)
                return -1;
            c->doc_of[i] = (uint32_t)next_doc++;
            c->npos_of[i] = npos;
            c->tf_of[i] = tf;
        }
    }
    if (dc.bad || dc.p != dc.end || (c->table && c->doc_of[n - 1] != last_doc_of(c, b)))
        return -1;
    c->block_docs = n;
    return 0;
}

/* Marks the cursor damaged and at its end. */
static uint32_t fail(kh_postings *c)
{
    c->bad = 1;
    c->block_docs = 0;
    c->index = 1;
    return c->doc = KH_NO_DOC;
}

int kh_postings_load_counts(kh_postings *c)
{
    if (c->counts_loaded)
        return 0;
    if (c->bad || !c->loaded)
        return -1;
    /* all single, then the counts of the others, found by the zero bits;
     * they must fill the block's bytes exactly */
    kh_cursor dc = kh_cursor_make(c->counts, (size_t)(c->counts_end - c->counts));
    for (uint32_t i = 0; i < KH_BLOCK_DOCS; i++)
        c->npos_of[i] = c->tf_of[i] = 1;
    for (uint32_t half = 0; half < KH_BLOCK_DOCS / 64; half++) {
        for (uint64_t rest = ~load_le64(c->single_bits + 8 * half); rest; rest &= rest - 1) {
            uint32_t i = 64 * half + (uint32_t)__builtin_ctzll(rest);
            uint64_t counts = kh_get_varint(&dc), np = counts >> 1;
            uint64_t extra = counts & 1 ? kh_get_varint(&dc) : 0;
            if (np > KH_MAX_POSITIONS || extra > UINT32_MAX - np) {
                fail(c);
                return -1;
            }
            c->npos_of[i] = (uint32_t)np;
            c->tf_of[i] = (uint32_t)(np + extra);
        }
    }
    if (dc.bad || dc.p != dc.end) {
        fail(c);
        return -1;
    }
    c->counts_loaded = 1;
    return 0;
}

int kh_postings_init(kh_postings *c, const unsigned char *p, size_t len, uint32_t df,
                     uint32_t n_docs)
{
    /* the decoded block (doc_of..) is written by load_block before it is read */
    memset(c, 0, offsetof(kh_postings, doc_of));
    c->df = df;
    c->n_docs_segment = n_docs;
    kh_cursor h = kh_cursor_make(p, len);
    c->n_blocks = (df + KH_BLOCK_DOCS - 1) / KH_BLOCK_DOCS;
    if (df == 0 || df > n_docs)
        return -1;
    uint64_t docs_len;
    if (df == 1) {
        c->single_min_len = (uint32_t)kh_get_varint(&h);
        kh_cursor e = h;
        uint64_t delta;
        uint32_t npos, tf;
        kh_doc_entry_read(&e, &delta, &npos, &tf);
        if (h.bad || e.bad)
            return -1;
        c->single_max_tf = tf;
        c->runs_implicit = npos / KH_RUN_VALUES;
        docs_len = (uint64_t)(e.p - h.p);
    } else {
        docs_len = kh_get_varint(&h);
        c->pos_head = df > KH_BLOCK_DOCS;
    }
    if (df == 1) {
        /* read above */
    } else if (df <= KH_BLOCK_DOCS) {
        uint64_t v = kh_get_varint(&h);
        c->single_max_tf = (uint32_t)(v >> 1);
        c->pos_head = (int)(v & 1);
        c->single_min_len = (uint32_t)kh_get_varint(&h);
    } else {
        c->table = kh_get_bytes(&h, (size_t)c->n_blocks * KH_BLOCK_ENTRY);
    }
    if (h.bad || docs_len > (size_t)(h.end - h.p))
        return -1;
    c->docs = h.p;
    c->docs_len = (size_t)docs_len;
    c->pos = h.p + docs_len;
    c->pos_len = (size_t)(h.end - c->pos);
    /* before the first document: block 0, not decoded yet (a cursor opened
     * to advance() far decodes only the block it lands in) */
    c->doc = KH_NO_DOC;
    return 0;
}


/* Makes document i of the loaded block the current one. */
static uint32_t stand_at(kh_postings *c, uint32_t i)
{
    c->index = i + 1;
    return c->doc = c->doc_of[i];
}

uint32_t kh_postings_next(kh_postings *c)
{
    if (c->index < c->block_docs) /* the common case: the block is decoded */
        return stand_at(c, c->index);
    if (c->index > c->block_docs || c->bad)
        return KH_NO_DOC;
    uint32_t b = c->loaded ? c->block + 1 : c->block;
    if (b >= c->n_blocks) {
        c->index = c->block_docs + 1; /* stays at the end */
        return c->doc = KH_NO_DOC;
    }
    if (load_block(c, b) != 0)
        return fail(c);
    return stand_at(c, 0);
}

uint32_t kh_postings_advance(kh_postings *c, uint32_t target)
{
    if (c->index > 0 && c->index <= c->block_docs && c->doc >= target)
        return c->doc;
    if (c->index > c->block_docs || c->bad)
        return KH_NO_DOC;
    uint32_t b = c->block;
    if (c->table) {
        /* skip whole blocks that end before target */
        b = find_block(c, c->block, target);
        if (b >= c->n_blocks) { /* every document is before target */
            c->index = c->block_docs + 1;
            return c->doc = KH_NO_DOC;
        }
    }
    if ((!c->loaded || b != c->block) && load_block(c, b) != 0)
        return fail(c);
    /* a scan of the decoded block; with a table, its last document (checked
     * by load_block) is >= target */
    for (uint32_t i = c->index; i < c->block_docs; i++)
        if (c->doc_of[i] >= target)
            return stand_at(c, i);
    c->index = c->block_docs;
    uint32_t d;
    do
        d = kh_postings_next(c);
    while (d != KH_NO_DOC && d < target);
    return d;
}

/* Reads the header of the block's next run of positions at pc and moves pc
 * past the run (its bits and exceptions). Returns 0, or -1 if damaged. */
static int next_run(kh_postings *c)
{
    const unsigned char *head = kh_get_bytes(&c->pc, 2);
    if (!head || head[0] > 32 || head[1] > KH_RUN_VALUES)
        return -1;
    c->run_w = head[0];
    c->run_n_exc = head[1];
    c->run_bits = kh_get_bytes(&c->pc, (size_t)KH_RUN_VALUES / 8 * c->run_w);
    c->run_exc = c->pc.p;
    /* an exception is an index byte (< 128, so it ends a "varint" too) and
     * a varint */
    kh_skip_varints(&c->pc, 2 * (uint64_t)c->run_n_exc);
    if (c->pc.bad)
        return -1;
    c->run_next++;
    return 0;
}


/* Values lo..hi-1 of the current run into out[0..hi-lo), exceptions added.
 * Returns 0, or -1 if an exception is damaged. */
static int run_values(const kh_postings *c, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint32_t w = c->run_w;
    size_t n_bytes = (size_t)KH_RUN_VALUES / 8 * w;
    uint64_t mask = ((uint64_t)1 << w) - 1;
    for (uint32_t i = lo; i < hi; i++) {
        uint64_t bit = (uint64_t)i * w;
        size_t b = (size_t)(bit >> 3);
        uint64_t x = 0;
        if (b + 8 <= n_bytes) {
            x = load_le64(c->run_bits + b);
        } else {
            for (size_t k = 0; b + k < n_bytes; k++)
                x |= (uint64_t)c->run_bits[b + k] << (8 * k);
        }
        out[i - lo] = (uint32_t)(x >> (bit & 7) & mask);
    }
    kh_cursor e = kh_cursor_make(c->run_exc, (size_t)(c->pc.p - c->run_exc));
    for (uint32_t k = 0; k < c->run_n_exc; k++) {
        const unsigned char *idx = kh_get_bytes(&e, 1);
        uint64_t high = kh_get_varint(&e);
        if (!idx || e.bad || *idx >= KH_RUN_VALUES || w == 32 || high > (UINT32_MAX >> w))
            return -1;
        if (*idx >= lo && *idx < hi)
            out[*idx - lo] |= (uint32_t)(high << w);
    }
    return 0;
}

uint32_t kh_postings_positions(kh_postings *c, uint32_t *out)
{
    if (c->index == 0 || c->index > c->block_docs || c->bad)
        return 0;
    uint32_t want = c->index - 1;
    if (c->pc_index > want) /* positions of this doc were already read */
        return 0;
    if (kh_postings_load_counts(c) != 0)
        return 0;
    uint32_t npos = c->npos_of[want];
    for (; c->pc_index < want; c->pc_index++)
        c->pos_at += c->npos_of[c->pc_index];
    if (!c->runs_known) {
        c->runs = c->pos_head ? kh_get_varint(&c->pc) : c->runs_implicit;
        c->runs_known = 1;
        if (c->runs > KH_MAX_POSITIONS)
            goto bad;
    }
    /* values [at, end) of the block's: the first runs * KH_RUN_VALUES are
     * packed runs, the rest varints (postings.h) */
    uint64_t packed_end = c->runs * KH_RUN_VALUES, at = c->pos_at, end = at + npos;
    uint32_t k = 0;
    while (at < end && at < packed_end) {
        uint64_t r = at / KH_RUN_VALUES;
        while (c->run_next <= r)
            if (next_run(c) != 0)
                goto bad;
        uint32_t lo = (uint32_t)(at % KH_RUN_VALUES);
        uint32_t hi = end - at < KH_RUN_VALUES - lo ? lo + (uint32_t)(end - at) : KH_RUN_VALUES;
        if (run_values(c, lo, hi, out + k) != 0)
            goto bad;
        k += hi - lo;
        at += hi - lo;
    }
    if (at < end) {
        while (c->run_next < c->runs) /* to the varints after the runs */
            if (next_run(c) != 0)
                goto bad;
        kh_skip_varints(&c->pc, at - packed_end - c->tail_at);
        for (; at < end; at++)
            out[k++] = (uint32_t)kh_get_varint(&c->pc);
        c->tail_at = end - packed_end;
    }
    if (c->pc.bad)
        goto bad;
    /* the first position, then gaps */
    for (uint32_t i = 1; i < npos; i++)
        out[i] += out[i - 1];
    c->pos_at = end;
    c->pc_index++;
    return npos;
bad:
    c->bad = 1;
    return 0;
}

void kh_postings_block_max(const kh_postings *c, uint32_t *last_doc, uint32_t *max_tf,
                           uint32_t *min_len)
{
    if (!c->table) {
        *last_doc = KH_NO_DOC - 1;
        *max_tf = c->single_max_tf;
        *min_len = c->single_min_len;
        return;
    }
    const unsigned char *e = c->table + (size_t)c->block * KH_BLOCK_ENTRY;
    *last_doc = kh_get_u32(e);
    *max_tf = get_u16(e + 12);
    *min_len = get_u16(e + 14);
}

int kh_postings_shallow(kh_postings *c, uint32_t target, uint32_t *last_doc, uint32_t *max_tf,
                        uint32_t *min_len)
{
    if (!c->table) {
        *last_doc = KH_NO_DOC - 1;
        *max_tf = c->single_max_tf;
        *min_len = c->single_min_len;
        return 0;
    }
    uint32_t b = find_block(c, c->shallow > c->block ? c->shallow : c->block, target);
    if (b >= c->n_blocks)
        return -1;
    c->shallow = b;
    const unsigned char *e = c->table + (size_t)b * KH_BLOCK_ENTRY;
    *last_doc = kh_get_u32(e);
    *max_tf = get_u16(e + 12);
    *min_len = get_u16(e + 14);
    return 0;
}

void kh_postings_term_max(const kh_postings *c, uint32_t *max_tf, uint32_t *min_len)
{
    if (!c->table) {
        *max_tf = c->single_max_tf;
        *min_len = c->single_min_len;
        return;
    }
    uint32_t mt = 0, ml = UINT32_MAX;
    for (uint32_t b = 0; b < c->n_blocks; b++) {
        const unsigned char *e = c->table + (size_t)b * KH_BLOCK_ENTRY;
        uint32_t t = get_u16(e + 12), l = get_u16(e + 14);
        if (t > mt)
            mt = t;
        if (l < ml)
            ml = l;
    }
    *max_tf = mt;
    *min_len = ml;
}
