/* termdict.c — front-coded term dictionary (see termdict.h). */
#include "index/termdict.h"

#include <string.h>

int kh_termdict_open(kh_termdict *d, const unsigned char *p, size_t len, size_t post_len,
                     uint32_t n_docs)
{
    memset(d, 0, sizeof *d);
    if (len < 8)
        return -1;
    d->n_terms = kh_get_u32(p);
    d->n_blocks = kh_get_u32(p + 4);
    d->n_docs = n_docs;
    d->post_len = post_len;
    uint64_t want_blocks = ((uint64_t)d->n_terms + KH_TERMS_PER_BLOCK - 1) / KH_TERMS_PER_BLOCK;
    if (d->n_blocks != want_blocks || (len - 8) / KH_TDIC_BLOCK_ENTRY < d->n_blocks)
        return -1;
    d->blocks = p + 8;
    d->data = d->blocks + (size_t)d->n_blocks * KH_TDIC_BLOCK_ENTRY;
    d->data_len = len - 8 - (size_t)d->n_blocks * KH_TDIC_BLOCK_ENTRY;
    uint32_t last_off = 0;
    uint64_t last_post = 0;
    for (uint32_t b = 0; b < d->n_blocks; b++) {
        const unsigned char *e = d->blocks + (size_t)b * KH_TDIC_BLOCK_ENTRY;
        uint32_t off = kh_get_u32(e);
        uint64_t post = kh_get_u64(e + 4);
        if ((b == 0 && (off != 0 || post != 0)) || (b > 0 && (off <= last_off || post < last_post)) ||
            off >= d->data_len || post > post_len)
            return -1;
        last_off = off;
        last_post = post;
    }
    return 0;
}

/* Reads the term after the current one within its block (or the block's
 * first term when it->left says a block was just entered). */
static int read_term(kh_term_iter *it, int first)
{
    kh_cursor *c = &it->c;
    uint64_t shared = kh_get_varint(c), suffix = kh_get_varint(c);
    if (c->bad || (first && shared != 0) || shared > it->len || shared + suffix > KH_TERM_KEY_MAX ||
        shared + suffix == 0) {
        it->bad = 1;
        return -1;
    }
    const unsigned char *s = kh_get_bytes(c, (size_t)suffix);
    uint64_t df = kh_get_varint(c), plen = kh_get_varint(c);
    if (!s || c->bad || df == 0 || df > it->d->n_docs || plen == 0) {
        it->bad = 1;
        return -1;
    }
    /* strictly ascending: the new term must sort after the old one */
    if (!first) {
        /* both share term[0..shared); compare the rest */
        size_t rest = it->len - (size_t)shared;
        size_t m = (size_t)suffix < rest ? (size_t)suffix : rest;
        int cmp = memcmp(s, it->term + shared, m);
        if (cmp < 0 || (cmp == 0 && (size_t)suffix <= rest)) {
            it->bad = 1;
            return -1;
        }
        it->post_off += it->post_len;
    }
    memcpy(it->term + shared, s, (size_t)suffix);
    it->len = (size_t)(shared + suffix);
    it->df = (uint32_t)df;
    it->post_len = plen;
    if (it->post_off > it->d->post_len || plen > it->d->post_len - it->post_off) {
        it->bad = 1;
        return -1;
    }
    return 1;
}

static int enter_block(kh_term_iter *it, uint32_t b)
{
    const kh_termdict *d = it->d;
    const unsigned char *e = d->blocks + (size_t)b * KH_TDIC_BLOCK_ENTRY;
    uint32_t off = kh_get_u32(e);
    uint32_t end = b + 1 < d->n_blocks ? kh_get_u32(e + KH_TDIC_BLOCK_ENTRY) : (uint32_t)d->data_len;
    it->block = b;
    it->c = kh_cursor_make(d->data + off, end - off);
    uint32_t first = b * KH_TERMS_PER_BLOCK;
    uint32_t count = d->n_terms - first < KH_TERMS_PER_BLOCK ? d->n_terms - first : KH_TERMS_PER_BLOCK;
    it->left = count - 1;
    it->len = 0;
    it->post_off = kh_get_u64(e + 4);
    it->post_len = 0;
    return read_term(it, 1);
}

int kh_term_iter_next(kh_term_iter *it)
{
    if (it->bad)
        return -1;
    if (it->left > 0) {
        it->left--;
        return read_term(it, 0);
    }
    if (it->block + 1 >= it->d->n_blocks)
        return 0;
    return enter_block(it, it->block + 1);
}

static int cmp_key(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na < nb ? -1 : na > nb);
}

int kh_term_iter_seek(kh_term_iter *it, const kh_termdict *d, const char *key, size_t len)
{
    memset(it, 0, sizeof *it);
    it->d = d;
    if (d->n_blocks == 0)
        return 0;
    /* the last block whose first term is <= key (block 0 if none) */
    uint32_t lo = 0, hi = d->n_blocks;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        kh_term_iter probe;
        memset(&probe, 0, sizeof probe);
        probe.d = d;
        if (enter_block(&probe, mid) < 0) {
            it->bad = 1;
            return -1;
        }
        if (cmp_key(probe.term, probe.len, key, len) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    int r = enter_block(it, lo);
    while (r == 1 && cmp_key(it->term, it->len, key, len) < 0)
        r = kh_term_iter_next(it);
    return r;
}

int kh_termdict_find(const kh_termdict *d, const char *key, size_t len, uint32_t *df,
                     uint64_t *post_off, uint64_t *post_len)
{
    kh_term_iter it;
    int r = kh_term_iter_seek(&it, d, key, len);
    if (r != 1)
        return r;
    if (it.len != len || memcmp(it.term, key, len) != 0)
        return 0;
    *df = it.df;
    *post_off = it.post_off;
    *post_len = it.post_len;
    return 1;
}

void kh_termdict_add(kh_termdict_writer *w, const char *term, size_t len, uint32_t df,
                     uint64_t post_len)
{
    if (len > KH_TERM_KEY_MAX)
        len = KH_TERM_KEY_MAX;
    size_t shared = 0;
    if (w->n_terms % KH_TERMS_PER_BLOCK == 0) {
        kh_put_u32(&w->index, (uint32_t)(w->data_taken + w->data.len));
        kh_put_u64(&w->index, w->post_off);
    } else {
        while (shared < len && shared < w->prev_len && term[shared] == w->prev[shared])
            shared++;
    }
    kh_put_varint(&w->data, shared);
    kh_put_varint(&w->data, len - shared);
    kh_buf_append(&w->data, term + shared, len - shared);
    kh_put_varint(&w->data, df);
    kh_put_varint(&w->data, post_len);
    memcpy(w->prev, term, len);
    w->prev_len = len;
    w->post_off += post_len;
    w->n_terms++;
}

void kh_termdict_finish(kh_termdict_writer *w, kh_buf *out)
{
    uint32_t n_blocks = (w->n_terms + KH_TERMS_PER_BLOCK - 1) / KH_TERMS_PER_BLOCK;
    kh_put_u32(out, w->n_terms);
    kh_put_u32(out, n_blocks);
    kh_buf_append(out, w->index.data, w->index.len);
    kh_buf_append(out, w->data.data, w->data.len);
    if (kh_buf_failed(&w->index) || kh_buf_failed(&w->data))
        out->failed = 1;
    kh_buf_free(&w->index);
    kh_buf_free(&w->data);
}

int kh_termdict_take_data(kh_termdict_writer *w, kh_buf *out)
{
    if (kh_buf_failed(&w->data))
        return -1;
    kh_buf_append(out, w->data.data, w->data.len);
    w->data_taken += w->data.len;
    kh_buf_reset(&w->data);
    return kh_buf_failed(out) ? -1 : 0;
}

int kh_termdict_finish_head(kh_termdict_writer *w, kh_buf *out)
{
    int failed = kh_buf_failed(&w->index) || kh_buf_failed(&w->data) || w->data.len > 0;
    uint32_t n_blocks = (w->n_terms + KH_TERMS_PER_BLOCK - 1) / KH_TERMS_PER_BLOCK;
    kh_put_u32(out, w->n_terms);
    kh_put_u32(out, n_blocks);
    kh_buf_append(out, w->index.data, w->index.len);
    kh_buf_free(&w->index);
    kh_buf_free(&w->data);
    return failed || kh_buf_failed(out) ? -1 : 0;
}
