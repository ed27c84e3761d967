/* postings.c — encoding postings with a block table, and walking them. */
#include "index/postings.h"

#include <string.h>

static void put_u16(kh_buf *b, uint32_t v)
{
    if (v > 0xFFFF)
        v = 0xFFFF;
    unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    kh_buf_append(b, x, 2);
}

void kh_postings_encode(const unsigned char *docs, size_t docs_len, const unsigned char *pos,
                        size_t pos_len, uint32_t df, const uint32_t *doc_len, kh_buf *out)
{
    kh_cursor dc = kh_cursor_make(docs, docs_len);
    kh_cursor pc = kh_cursor_make(pos, pos_len);
    int64_t prev = -1;
    if (df == 1) {
        /* its one entry says where it ends and what its tf is */
        uint64_t delta;
        uint32_t npos, tf;
        kh_doc_entry_read(&dc, &delta, &npos, &tf);
        kh_put_varint(out, doc_len[delta - 1]);
        kh_buf_append(out, docs, docs_len);
        kh_buf_append(out, pos, pos_len);
        return;
    }
    kh_put_varint(out, docs_len);
    if (df <= KH_BLOCK_DOCS) {
        uint32_t max_tf = 0, min_len = UINT32_MAX;
        for (uint32_t i = 0; i < df; i++) {
            uint64_t delta;
            uint32_t npos, tf;
            kh_doc_entry_read(&dc, &delta, &npos, &tf);
            prev += (int64_t)delta;
            if (tf > max_tf)
                max_tf = tf;
            if (doc_len[prev] < min_len)
                min_len = doc_len[prev];
        }
        kh_put_varint(out, max_tf);
        kh_put_varint(out, min_len);
    } else {
        /* one pass to find each block's boundaries in both streams */
        for (uint32_t start = 0; start < df; start += KH_BLOCK_DOCS) {
            uint32_t n = df - start < KH_BLOCK_DOCS ? df - start : KH_BLOCK_DOCS;
            uint32_t doc_off = (uint32_t)(dc.p - docs), pos_off = (uint32_t)(pc.p - pos);
            uint32_t max_tf = 0, min_len = UINT32_MAX;
            for (uint32_t i = 0; i < n; i++) {
                uint64_t delta;
                uint32_t npos, tf;
                kh_doc_entry_read(&dc, &delta, &npos, &tf);
                prev += (int64_t)delta;
                if (tf > max_tf)
                    max_tf = tf;
                if (doc_len[prev] < min_len)
                    min_len = doc_len[prev];
                kh_skip_varints(&pc, npos);
            }
            kh_put_u32(out, (uint32_t)prev);
            kh_put_u32(out, doc_off);
            kh_put_u32(out, pos_off);
            put_u16(out, max_tf);
            put_u16(out, min_len);
        }
    }
    kh_buf_append(out, docs, docs_len);
    kh_buf_append(out, pos, pos_len);
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

/* Moves to the start of block b (which exists). */
static void enter_block(kh_postings *c, uint32_t b)
{
    c->block = b;
    c->index = 0;
    c->pc_index = 0;
    uint32_t first = b * KH_BLOCK_DOCS;
    c->block_docs = c->df - first < KH_BLOCK_DOCS ? c->df - first : KH_BLOCK_DOCS;
    if (!c->table) {
        c->dc = kh_cursor_make(c->docs, c->docs_len);
        c->pc = kh_cursor_make(c->pos, c->pos_len);
        c->doc = KH_NO_DOC; /* "previous" = -1, see next() */
        return;
    }
    const unsigned char *e = c->table + (size_t)b * KH_BLOCK_ENTRY;
    uint32_t doc_off = kh_get_u32(e + 4), pos_off = kh_get_u32(e + 8);
    uint32_t doc_end = b + 1 < c->n_blocks ? kh_get_u32(e + KH_BLOCK_ENTRY + 4) : (uint32_t)c->docs_len;
    if (doc_off > doc_end || doc_end > c->docs_len || pos_off > c->pos_len) {
        c->bad = 1;
        c->dc = kh_cursor_make(c->docs, 0);
        c->pc = kh_cursor_make(c->pos, 0);
        c->block_docs = 0;
        return;
    }
    c->dc = kh_cursor_make(c->docs + doc_off, doc_end - doc_off);
    c->pc = kh_cursor_make(c->pos + pos_off, c->pos_len - pos_off);
    c->doc = b == 0 ? KH_NO_DOC : kh_get_u32(e - KH_BLOCK_ENTRY);
}

int kh_postings_init(kh_postings *c, const unsigned char *p, size_t len, uint32_t df,
                     uint32_t n_docs)
{
    memset(c, 0, sizeof *c);
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
        docs_len = (uint64_t)(e.p - h.p);
    } else {
        docs_len = kh_get_varint(&h);
    }
    if (df == 1) {
        /* read above */
    } else if (df <= KH_BLOCK_DOCS) {
        c->single_max_tf = (uint32_t)kh_get_varint(&h);
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
    enter_block(c, 0);
    c->doc = KH_NO_DOC;
    c->index = 0;
    return c->bad ? -1 : 0;
}

/* Marks the cursor damaged and at its end. */
static uint32_t fail(kh_postings *c)
{
    c->bad = 1;
    c->index = c->block_docs + 1;
    return c->doc = KH_NO_DOC;
}

uint32_t kh_postings_next(kh_postings *c)
{
    if (c->index >= c->block_docs) {
        if (c->index > c->block_docs)
            return KH_NO_DOC;
        if (c->block + 1 >= c->n_blocks || c->bad) {
            c->index = c->block_docs + 1; /* stays at the end */
            return c->doc = KH_NO_DOC;
        }
        enter_block(c, c->block + 1);
        if (c->bad)
            return c->doc = KH_NO_DOC;
    }
    /* kh_doc_entry_read, with the checks folded in: this is the hottest loop
     * of a search */
    uint64_t v = kh_get_varint(&c->dc), delta = v >> 1;
    uint32_t npos = 1, tf = 1;
    if (!(v & 1)) {
        uint64_t counts = kh_get_varint(&c->dc), n = counts >> 1;
        uint64_t extra = counts & 1 ? kh_get_varint(&c->dc) : 0;
        if (n > KH_MAX_POSITIONS || extra > UINT32_MAX - n)
            return fail(c);
        npos = (uint32_t)n;
        tf = (uint32_t)(n + extra);
    }
    /* c->doc is the previous document, KH_NO_DOC standing for -1 (+1 wraps
     * to 0); delta >= 1 makes documents ascend */
    uint64_t doc = (uint64_t)(uint32_t)(c->doc + 1) + delta - 1;
    if (c->dc.bad || delta - 1 >= c->n_docs_segment || doc >= c->n_docs_segment)
        return fail(c);
    c->doc = (uint32_t)doc;
    c->npos = npos;
    c->tf = tf;
    c->npos_of[c->index++] = npos;
    return c->doc;
}

uint32_t kh_postings_advance(kh_postings *c, uint32_t target)
{
    if (c->index > 0 && c->index <= c->block_docs && c->doc != KH_NO_DOC && c->doc >= target)
        return c->doc;
    if (c->index > c->block_docs)
        return KH_NO_DOC;
    if (c->table) {
        /* skip whole blocks that end before target */
        uint32_t b = find_block(c, c->block, target);
        if (b >= c->n_blocks) { /* every document is before target */
            c->index = c->block_docs + 1;
            return c->doc = KH_NO_DOC;
        }
        if (b != c->block) {
            enter_block(c, b);
            if (c->bad)
                return c->doc = KH_NO_DOC;
        }
    }
    uint32_t d;
    do
        d = kh_postings_next(c);
    while (d != KH_NO_DOC && d < target);
    return d;
}

uint32_t kh_postings_positions(kh_postings *c, uint32_t *out)
{
    if (c->index == 0 || c->index > c->block_docs)
        return 0;
    uint32_t want = c->index - 1;
    uint64_t skip = 0;
    for (; c->pc_index < want; c->pc_index++)
        skip += c->npos_of[c->pc_index];
    kh_skip_varints(&c->pc, skip);
    if (c->pc_index > want) /* positions of this doc were already read */
        return 0;
    uint32_t p = 0;
    for (uint32_t k = 0; k < c->npos; k++) {
        uint64_t v = kh_get_varint(&c->pc);
        p = k == 0 ? (uint32_t)v : p + (uint32_t)v;
        out[k] = p;
    }
    c->pc_index++;
    if (c->pc.bad) {
        c->bad = 1;
        return 0;
    }
    return c->npos;
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
