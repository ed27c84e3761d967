/* chunks.c — compressed record store (see chunks.h). */
#include "index/chunks.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "index/bytes.h"
#include "util/error.h"

static const unsigned char record_magic[4] = {'K', 'H', 'R', 'C'};

void kh_chunks_writer_init(kh_chunks_writer *w, size_t target, int level)
{
    memset(w, 0, sizeof *w);
    w->target = target;
    w->level = level;
    w->records = target <= KH_CHUNK_RECORDS_MAX;
}

static void put_u32_at(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16),
    p[3] = (unsigned char)(v >> 24);
}

/* Appends the open chunk's records (w->raw) to w->data as a record chunk. */
static int write_record_chunk(kh_chunks_writer *w)
{
    kh_buf prefix = KH_BUF_INIT;
    const unsigned char **rec = malloc(w->n_docs * sizeof *rec);
    size_t *len = malloc(w->n_docs * sizeof *len);
    int ok = rec && len;
    kh_cursor cur = kh_cursor_make(w->raw.data, w->raw.len);
    for (uint32_t i = 0; ok && i < w->n_docs; i++) {
        len[i] = (size_t)kh_get_varint(&cur);
        rec[i] = kh_get_bytes(&cur, len[i]);
        ok = rec[i] != NULL;
    }
    /* The prefix: records spread evenly over the chunk, so that it holds
     * what they share (sources, url stems, frequent title words), about a
     * sixteenth of the chunk. Its first byte is 0, so zstd can never take
     * it for a dictionary with entropy tables (they start with a magic). */
    size_t want = w->raw.len / 16 < KH_RECORD_PREFIX_MAX ? w->raw.len / 16 : KH_RECORD_PREFIX_MAX;
    kh_buf_append(&prefix, "", 1);
    if (ok && want > 0) {
        size_t every = w->raw.len / want; /* one record in `every` */
        for (uint32_t i = 0; i < w->n_docs && prefix.len < want; i += (uint32_t)every) {
            size_t n = len[i] < want - prefix.len ? len[i] : want - prefix.len;
            kh_buf_append(&prefix, rec[i], n);
        }
    }
    ZSTD_CDict *cd = ok && !kh_buf_failed(&prefix) ? ZSTD_createCDict(prefix.data, prefix.len, w->level) : NULL;
    ok = ok && cd;
    size_t start = w->data.len;
    size_t table = start + 12;
    if (ok) {
        kh_buf_append(&w->data, record_magic, 4);
        kh_put_u32(&w->data, w->n_docs);
        kh_put_u32(&w->data, (uint32_t)prefix.len);
        for (uint32_t i = 0; i < w->n_docs; i++)
            kh_put_u32(&w->data, 0); /* ends, filled below */
        kh_buf_append(&w->data, prefix.data, prefix.len);
        ok = !kh_buf_failed(&w->data);
    }
    size_t frames = w->data.len;
    for (uint32_t i = 0; ok && i < w->n_docs; i++) {
        size_t bound = ZSTD_compressBound(len[i]);
        if (kh_buf_reserve(&w->data, bound) != 0) {
            ok = 0;
            break;
        }
        size_t n = ZSTD_compress_usingCDict(w->cctx, w->data.data + w->data.len, bound, rec[i], len[i], cd);
        if (ZSTD_isError(n) || w->data.len + n - frames > UINT32_MAX) {
            ok = 0;
            break;
        }
        w->data.len += n;
        put_u32_at((unsigned char *)w->data.data + table + (size_t)i * 4, (uint32_t)(w->data.len - frames));
    }
    ZSTD_freeCDict(cd);
    kh_buf_free(&prefix);
    free(rec);
    free(len);
    if (!ok)
        w->data.len = start;
    return ok ? 0 : -1;
}

/* Appends the open chunk's records to w->data as one zstd frame. */
static int write_frame_chunk(kh_chunks_writer *w)
{
    size_t bound = ZSTD_compressBound(w->raw.len);
    if (kh_buf_reserve(&w->data, bound) != 0)
        return -1;
    size_t n = ZSTD_compressCCtx(w->cctx, w->data.data + w->data.len, bound, w->raw.data, w->raw.len,
                                 w->level);
    if (ZSTD_isError(n))
        return -1;
    w->data.len += n;
    return 0;
}

int kh_chunks_flush(kh_chunks_writer *w)
{
    if (w->n_docs == 0)
        return w->failed ? -1 : 0;
    if (!w->cctx && !(w->cctx = ZSTD_createCCtx()))
        w->failed = 1;
    size_t start = w->data.len;
    if (!w->failed && (w->records ? write_record_chunk(w) : write_frame_chunk(w)) != 0)
        w->failed = 1;
    if (!w->failed) {
        size_t n = w->data.len - start;
        uint32_t crc = (uint32_t)crc32_z(0, (const unsigned char *)w->data.data + start, n);
        kh_put_u32(&w->index, w->first_doc);
        kh_put_u64(&w->index, start);
        kh_put_u32(&w->index, (uint32_t)n);
        kh_put_u32(&w->index, (uint32_t)w->raw.len);
        kh_put_u32(&w->index, crc);
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
    if (w->raw.len >= (w->records ? KH_RECORD_CHUNK_RAW : w->target))
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

/* Checks chunk i's CRC, once per open: the mapping is read-only. */
static kh_status verify_chunk(kh_chunks *c, size_t i, const unsigned char *src, uint32_t clen,
                              kh_error *err)
{
    if (!c->verified)
        c->verified = calloc(c->n_chunks, 1);
    if (c->verified && c->verified[i])
        return KH_OK;
    if ((uint32_t)crc32_z(0, src, clen) != kh_get_u32(c->index + i * KH_CHUNK_ENTRY + 20))
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu fails its checksum", c->file, i);
    if (c->verified)
        c->verified[i] = 1;
    return KH_OK;
}

static int is_record_chunk(const unsigned char *src, uint32_t clen)
{
    return clen >= 4 && !memcmp(src, record_magic, 4);
}

static kh_status grow_cache(kh_chunks *c, size_t want, kh_error *err)
{
    if (c->cache_cap >= want)
        return KH_OK;
    unsigned char *p = realloc(c->cache, want);
    if (!p)
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", c->file);
    c->cache = p;
    c->cache_cap = want;
    return KH_OK;
}

/* Decompresses record k of record chunk i (verified) into the cache. */
static kh_status get_record(kh_chunks *c, size_t i, const unsigned char *src, uint32_t clen, uint32_t k,
                            const unsigned char **rec, size_t *len, kh_error *err)
{
    uint32_t n = clen >= 12 ? kh_get_u32(src + 4) : 0, plen = clen >= 12 ? kh_get_u32(src + 8) : 0;
    if (n == 0 || n > (clen - 12) / 4 || k >= n || plen > clen - 12 - (size_t)n * 4)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu has a damaged header", c->file, i);
    const unsigned char *table = src + 12, *prefix = table + (size_t)n * 4, *frames = prefix + plen;
    size_t frames_len = clen - 12 - (size_t)n * 4 - plen;
    uint32_t b = k ? kh_get_u32(table + (size_t)(k - 1) * 4) : 0, e = kh_get_u32(table + (size_t)k * 4);
    unsigned long long size = b <= e && e <= frames_len ? ZSTD_getFrameContentSize(frames + b, e - b)
                                                        : ZSTD_CONTENTSIZE_ERROR;
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > KH_CHUNK_MAX_RAW)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu, record %u is damaged", c->file, i, k);
    kh_status st = grow_cache(c, (size_t)size + 1, err);
    if (st != KH_OK)
        return st;
    if (!c->dctx && !(c->dctx = ZSTD_createDCtx()))
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", c->file);
    c->cached = 0; /* the cache now holds one record, not chunk i */
    size_t got = ZSTD_decompress_usingDict(c->dctx, c->cache, (size_t)size, frames + b, e - b, prefix, plen);
    if (ZSTD_isError(got) || got != size)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu, record %u does not decompress", c->file,
                       i, k);
    *rec = c->cache;
    *len = got;
    return KH_OK;
}

/* Decompresses frame chunk i (verified) into the cache. */
static kh_status load_frame_chunk(kh_chunks *c, size_t i, const unsigned char *src, uint32_t clen,
                                  kh_error *err)
{
    if (c->cached == i + 1)
        return KH_OK;
    uint32_t rlen = kh_get_u32(c->index + i * KH_CHUNK_ENTRY + 16);
    if (rlen > KH_CHUNK_MAX_RAW)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu is implausibly large", c->file, i);
    kh_status st = grow_cache(c, (size_t)rlen + 1, err);
    if (st != KH_OK)
        return st;
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

/* Record k of a frame chunk's records (in the cache). */
static kh_status frame_record(kh_chunks *c, size_t i, uint32_t k, const unsigned char **rec, size_t *len,
                              kh_error *err)
{
    kh_cursor cur = kh_cursor_make(c->cache, c->cache_len);
    for (uint32_t d = 0;; d++) {
        uint64_t n = kh_get_varint(&cur);
        const unsigned char *p = cur.bad ? NULL : kh_get_bytes(&cur, (size_t)n);
        if (!p)
            return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu is malformed", c->file, i);
        if (d == k) {
            *rec = p;
            *len = (size_t)n;
            return KH_OK;
        }
    }
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
    const unsigned char *e = c->index + lo * KH_CHUNK_ENTRY;
    const unsigned char *src = c->data + kh_get_u64(e + 4);
    uint32_t clen = kh_get_u32(e + 12), k = doc - kh_get_u32(e);
    kh_status st = verify_chunk(c, lo, src, clen, err);
    if (st != KH_OK)
        return st;
    if (is_record_chunk(src, clen))
        return get_record(c, lo, src, clen, k, rec, len, err);
    if ((st = load_frame_chunk(c, lo, src, clen, err)) != KH_OK)
        return st;
    return frame_record(c, lo, k, rec, len, err);
}

kh_status kh_chunks_check(kh_chunks *c, kh_error *err)
{
    for (size_t i = 0; i < c->n_chunks; i++) {
        const unsigned char *e = c->index + i * KH_CHUNK_ENTRY;
        const unsigned char *src = c->data + kh_get_u64(e + 4);
        uint32_t clen = kh_get_u32(e + 12), first = kh_get_u32(e);
        uint32_t next = i + 1 < c->n_chunks ? kh_get_u32(e + KH_CHUNK_ENTRY) : c->n_docs;
        kh_status st = verify_chunk(c, i, src, clen, err);
        if (st != KH_OK)
            return st;
        if (is_record_chunk(src, clen)) {
            /* exactly the chunk's documents, frames back to back to the end */
            uint32_t n = clen >= 12 ? kh_get_u32(src + 4) : 0;
            if (n != next - first)
                return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu holds %u records, not %u", c->file,
                               i, n, next - first);
            for (uint32_t k = 0; k < n; k++) {
                const unsigned char *rec;
                size_t len;
                if ((st = get_record(c, i, src, clen, k, &rec, &len, err)) != KH_OK)
                    return st;
            }
            size_t tail = 12 + (size_t)n * 4 + kh_get_u32(src + 8) + kh_get_u32(src + 12 + (size_t)(n - 1) * 4);
            if (tail != clen)
                return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu has trailing bytes", c->file, i);
            continue;
        }
        if ((st = load_frame_chunk(c, i, src, clen, err)) != KH_OK)
            return st;
        kh_cursor cur = kh_cursor_make(c->cache, c->cache_len);
        for (uint32_t doc = first; doc < next; doc++) {
            uint64_t n = kh_get_varint(&cur);
            if (cur.bad || !kh_get_bytes(&cur, (size_t)n))
                return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu is malformed", c->file, i);
        }
        if (cur.p != cur.end)
            return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu has trailing bytes", c->file, i);
    }
    return KH_OK;
}
