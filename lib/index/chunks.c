/* chunks.c — compressed record store (see chunks.h). */
#include "index/chunks.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "index/bytes.h"
#include "util/error.h"

void kh_chunks_writer_init(kh_chunks_writer *w, size_t target, int level)
{
    memset(w, 0, sizeof *w);
    w->target = target;
    w->level = level;
}

int kh_chunks_flush(kh_chunks_writer *w)
{
    if (w->n_docs == 0)
        return w->failed ? -1 : 0;
    if (!w->cctx && !(w->cctx = ZSTD_createCCtx()))
        w->failed = 1;
    size_t bound = ZSTD_compressBound(w->raw.len);
    if (!w->failed && kh_buf_reserve(&w->data, bound) != 0)
        w->failed = 1;
    if (!w->failed) {
        size_t n = ZSTD_compressCCtx(w->cctx, w->data.data + w->data.len, bound, w->raw.data,
                                     w->raw.len, w->level);
        if (ZSTD_isError(n)) {
            w->failed = 1;
        } else {
            uint32_t crc = (uint32_t)crc32_z(0, (const unsigned char *)w->data.data + w->data.len, n);
            kh_put_u32(&w->index, w->first_doc);
            kh_put_u64(&w->index, w->data.len);
            kh_put_u32(&w->index, (uint32_t)n);
            kh_put_u32(&w->index, (uint32_t)w->raw.len);
            kh_put_u32(&w->index, crc);
            w->data.len += n;
        }
    }
    w->first_doc += w->n_docs;
    w->n_docs = 0;
    kh_buf_reset(&w->raw);
    if (kh_buf_failed(&w->index) || kh_buf_failed(&w->raw))
        w->failed = 1;
    return w->failed ? -1 : 0;
}

void kh_chunks_add(kh_chunks_writer *w, const void *rec, size_t len)
{
    kh_put_varint(&w->raw, len);
    kh_buf_append(&w->raw, rec, len);
    w->n_docs++;
    if (w->raw.len >= w->target)
        kh_chunks_flush(w);
}

void kh_chunks_writer_free(kh_chunks_writer *w)
{
    int level = w->level;
    size_t target = w->target;
    kh_buf_free(&w->raw);
    kh_buf_free(&w->index);
    kh_buf_free(&w->data);
    ZSTD_freeCCtx(w->cctx);
    kh_chunks_writer_init(w, target, level);
}

size_t kh_chunks_bytes(const kh_chunks_writer *w)
{
    return w->raw.cap + w->index.cap + w->data.cap;
}

kh_status kh_chunks_open(kh_chunks *c, const unsigned char *index, size_t index_len,
                         const unsigned char *data, size_t data_len, uint32_t n_docs,
                         const char *file, kh_error *err)
{
    memset(c, 0, sizeof *c);
    c->index = index;
    c->data = data;
    c->data_len = data_len;
    c->n_docs = n_docs;
    c->file = file;
    if (index_len % KH_CHUNK_ENTRY != 0)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk index has a bad size", file);
    c->n_chunks = index_len / KH_CHUNK_ENTRY;
    /* chunks must start at 0, ascend, and lie inside the data */
    uint64_t expect_off = 0;
    for (size_t i = 0; i < c->n_chunks; i++) {
        const unsigned char *e = index + i * KH_CHUNK_ENTRY;
        uint32_t first = kh_get_u32(e);
        uint64_t off = kh_get_u64(e + 4);
        uint32_t clen = kh_get_u32(e + 12);
        if ((i == 0 && first != 0) || (i > 0 && first <= kh_get_u32(e - KH_CHUNK_ENTRY)) ||
            first >= n_docs || off != expect_off || clen > data_len - off)
            return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk index entry %zu is damaged", file, i);
        expect_off = off + clen;
    }
    if (expect_off != data_len || (n_docs > 0 && c->n_chunks == 0))
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunks do not cover the data", file);
    return KH_OK;
}

void kh_chunks_close(kh_chunks *c)
{
    ZSTD_freeDCtx(c->dctx);
    free(c->verified);
    free(c->cache);
    memset(c, 0, sizeof *c);
}

static kh_status load_chunk(kh_chunks *c, size_t i, kh_error *err)
{
    if (c->cached == i + 1)
        return KH_OK;
    const unsigned char *e = c->index + i * KH_CHUNK_ENTRY;
    uint64_t off = kh_get_u64(e + 4);
    uint32_t clen = kh_get_u32(e + 12), rlen = kh_get_u32(e + 16), crc = kh_get_u32(e + 20);
    const unsigned char *src = c->data + off;
    /* a chunk's checksum is checked once per open: the mapping is read-only */
    if (!c->verified)
        c->verified = calloc(c->n_chunks, 1);
    if (!c->verified || !c->verified[i]) {
        if ((uint32_t)crc32_z(0, src, clen) != crc)
            return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu fails its checksum", c->file, i);
        if (c->verified)
            c->verified[i] = 1;
    }
    if (rlen > KH_CHUNK_MAX_RAW)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu is implausibly large", c->file, i);
    if (c->cache_cap < rlen + 1) {
        unsigned char *p = realloc(c->cache, rlen + 1);
        if (!p)
            return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", c->file);
        c->cache = p;
        c->cache_cap = rlen + 1;
    }
    c->cached = 0;
    if (!c->dctx && !(c->dctx = ZSTD_createDCtx()))
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", c->file);
    size_t n = ZSTD_decompressDCtx(c->dctx, c->cache, rlen, src, clen);
    if (ZSTD_isError(n) || n != rlen)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu does not decompress", c->file, i);
    c->cache_len = n;
    c->cached = i + 1;
    return KH_OK;
}

kh_status kh_chunks_get(kh_chunks *c, uint32_t doc, const unsigned char **rec, size_t *len,
                        kh_error *err)
{
    if (doc >= c->n_docs || c->n_chunks == 0)
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: no document %u", c->file, doc);
    /* the last chunk whose first_doc <= doc */
    size_t lo = 0, hi = c->n_chunks;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (kh_get_u32(c->index + mid * KH_CHUNK_ENTRY) <= doc)
            lo = mid;
        else
            hi = mid;
    }
    kh_status st = load_chunk(c, lo, err);
    if (st != KH_OK)
        return st;
    kh_cursor cur = kh_cursor_make(c->cache, c->cache_len);
    uint32_t first = kh_get_u32(c->index + lo * KH_CHUNK_ENTRY);
    for (uint32_t d = first;; d++) {
        uint64_t n = kh_get_varint(&cur);
        const unsigned char *p = cur.bad ? NULL : kh_get_bytes(&cur, (size_t)n);
        if (!p)
            return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu is malformed", c->file, lo);
        if (d == doc) {
            *rec = p;
            *len = (size_t)n;
            return KH_OK;
        }
    }
}

kh_status kh_chunks_check(kh_chunks *c, kh_error *err)
{
    uint32_t doc = 0;
    for (size_t i = 0; i < c->n_chunks; i++) {
        kh_status st = load_chunk(c, i, err);
        if (st != KH_OK)
            return st;
        uint32_t first = kh_get_u32(c->index + i * KH_CHUNK_ENTRY);
        uint32_t next = i + 1 < c->n_chunks ? kh_get_u32(c->index + (i + 1) * KH_CHUNK_ENTRY) : c->n_docs;
        kh_cursor cur = kh_cursor_make(c->cache, c->cache_len);
        for (doc = first; doc < next; doc++) {
            uint64_t n = kh_get_varint(&cur);
            if (cur.bad || !kh_get_bytes(&cur, (size_t)n))
                return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu is malformed", c->file, i);
        }
        if (cur.p != cur.end)
            return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu has trailing bytes", c->file, i);
    }
    return KH_OK;
}
