/* chunks.c — compressed record store (see chunks.h). */
#include "index/chunks.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY   /* ZSTD_createDDict_byReference: see kh_chunk_dict */
#include <zstd.h>
/* ZDICT_trainFromBuffer_fastCover with fixed parameters: the plain
 * ZDICT_trainFromBuffer searches over parameters, about twice the CPU for
 * the same store size (bench/stored_chunks_options.c on the corpus's two
 * segments, 112 KiB dictionaries from 4 MiB of records each: 0.74 s and
 * 28.53 MB against 0.37-0.41 s and 28.37 MB, load 5). */
#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>

#include "index/bytes.h"
#include "util/error.h"

static const unsigned char record_magic[4] = {'K', 'H', 'R', 'C'};
static const unsigned char dict_magic[4] = {'K', 'H', 'D', 'G'};

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

/* Trains the writer's dictionary on records spread evenly over the open
 * chunk (rec/len, n of them), and keeps it as a CDict and as the zstd frame
 * stored in each chunk. Leaves w->cdict NULL when there is too little to
 * train on or training fails: the chunk is then written without one. */
static void train_dictionary(kh_chunks_writer *w, const unsigned char **rec, const size_t *len, uint32_t n)
{
    if (w->raw.len < KH_DICT_MIN_RAW || n < 8)
        return;
    size_t every = w->raw.len / KH_DICT_SAMPLE + 1; /* one record in `every` */
    kh_buf sample = KH_BUF_INIT;
    size_t *sizes = malloc((n / every + 1) * sizeof *sizes);
    unsigned n_samples = 0;
    for (uint32_t i = 0; sizes && i < n; i += (uint32_t)every) {
        kh_buf_append(&sample, rec[i], len[i]);
        sizes[n_samples++] = len[i];
    }
    /* a dictionary of a sixteenth of the records, for small stores */
    size_t cap = w->raw.len / 16 < KH_DICT_MAX ? w->raw.len / 16 : KH_DICT_MAX;
    unsigned char *dict = malloc(cap);
    size_t dict_len = 0;
    if (sizes && dict && !kh_buf_failed(&sample)) {
        ZDICT_fastCover_params_t p;
        memset(&p, 0, sizeof p);
        p.k = 200; /* segment size and dmer size: fastCover's defaults' middle, fixed */
        p.d = 8;
        p.steps = 1;
        p.splitPoint = 1.0;
        p.zParams.compressionLevel = w->level;
        dict_len = ZDICT_trainFromBuffer_fastCover(dict, cap, sample.data, sizes, n_samples, p);
        if (ZDICT_isError(dict_len))
            dict_len = 0;
    }
    if (dict_len > 0) {
        size_t bound = ZSTD_compressBound(dict_len);
        if (kh_buf_reserve(&w->dict_frame, bound) == 0) {
            size_t got = ZSTD_compressCCtx(w->cctx, w->dict_frame.data, bound, dict, dict_len, w->level);
            if (!ZSTD_isError(got)) {
                w->dict_frame.len = got;
                w->cdict = ZSTD_createCDict(dict, dict_len, w->level);
            }
        }
        if (!w->cdict)
            kh_buf_free(&w->dict_frame);
    }
    free(dict);
    free(sizes);
    kh_buf_free(&sample);
}

/* Appends the open chunk's records (w->raw) to w->data as a dictionary
 * chunk: frames of about KH_DICT_FRAME raw bytes, whole records each. */
static int write_dict_chunk(kh_chunks_writer *w)
{
    const unsigned char **rec = malloc(w->n_docs * sizeof *rec);
    size_t *len = malloc(w->n_docs * sizeof *len), *at = malloc((w->n_docs + 1) * sizeof *at);
    int ok = rec && len && at;
    kh_cursor cur = kh_cursor_make(w->raw.data, w->raw.len);
    for (uint32_t i = 0; ok && i < w->n_docs; i++) {
        at[i] = (size_t)(cur.p - (const unsigned char *)w->raw.data);
        len[i] = (size_t)kh_get_varint(&cur);
        rec[i] = kh_get_bytes(&cur, len[i]);
        ok = rec[i] != NULL;
    }
    if (ok)
        at[w->n_docs] = w->raw.len;
    if (ok && !w->cdict)
        train_dictionary(w, rec, len, w->n_docs);
    /* the frames' first records */
    uint32_t n_frames = 0;
    uint32_t *first = ok ? malloc(w->n_docs * sizeof *first) : NULL;
    ok = ok && first;
    for (uint32_t i = 0; ok && i < w->n_docs;) {
        first[n_frames++] = i;
        uint32_t j = i + 1;
        while (j < w->n_docs && at[j] - at[i] < KH_DICT_FRAME)
            j++;
        i = j;
    }
    size_t start = w->data.len, table = start + 12;
    if (ok) {
        kh_buf_append(&w->data, dict_magic, 4);
        kh_put_u32(&w->data, n_frames);
        kh_put_u32(&w->data, (uint32_t)w->dict_frame.len);
        for (uint32_t f = 0; f < n_frames; f++) {
            kh_put_u32(&w->data, first[f]);
            kh_put_u32(&w->data, 0); /* end, filled below */
        }
        kh_buf_append(&w->data, w->dict_frame.data, w->dict_frame.len);
        ok = !kh_buf_failed(&w->data);
    }
    size_t frames = w->data.len;
    for (uint32_t f = 0; ok && f < n_frames; f++) {
        size_t b = at[first[f]], e = at[f + 1 < n_frames ? first[f + 1] : w->n_docs];
        size_t bound = ZSTD_compressBound(e - b);
        if (kh_buf_reserve(&w->data, bound) != 0) {
            ok = 0;
            break;
        }
        unsigned char *dst = (unsigned char *)w->data.data + w->data.len;
        const unsigned char *src = (const unsigned char *)w->raw.data + b;
        size_t n = w->cdict ? ZSTD_compress_usingCDict(w->cctx, dst, bound, src, e - b, w->cdict)
                            : ZSTD_compressCCtx(w->cctx, dst, bound, src, e - b, w->level);
        if (ZSTD_isError(n) || w->data.len + n - frames > UINT32_MAX) {
            ok = 0;
            break;
        }
        w->data.len += n;
        put_u32_at((unsigned char *)w->data.data + table + (size_t)f * 8 + 4, (uint32_t)(w->data.len - frames));
    }
    free(first);
    free(rec);
    free(len);
    free(at);
    if (!ok)
        w->data.len = start;
    return ok ? 0 : -1;
}

int kh_chunks_flush(kh_chunks_writer *w)
{
    if (w->n_docs == 0)
        return w->failed ? -1 : 0;
    if (!w->cctx && !(w->cctx = ZSTD_createCCtx()))
        w->failed = 1;
    size_t start = w->data.len;
    if (!w->failed && (w->records ? write_record_chunk(w) : write_dict_chunk(w)) != 0)
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
    kh_buf_free(&w->dict_frame);
    ZSTD_freeCCtx(w->cctx);
    ZSTD_freeCDict(w->cdict);
    kh_chunks_writer_init(w, target, level);
}

size_t kh_chunks_bytes(const kh_chunks_writer *w)
{
    return w->raw.cap + w->index.cap + w->data.cap + w->dict_frame.cap;
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
    for (size_t i = 0; c->dicts && i < c->n_chunks; i++) {
        ZSTD_freeDDict(c->dicts[i].ddict);
        free(c->dicts[i].mem);
    }
    free(c->dicts);
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

static int is_dict_chunk(const unsigned char *src, uint32_t clen)
{
    return clen >= 4 && !memcmp(src, dict_magic, 4);
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

/* A dictionary chunk's header, checked for shape. */
typedef struct dict_chunk {
    uint32_t n_frames, dict_len;
    const unsigned char *table, *dict, *frames;
    size_t frames_len;
} dict_chunk;

static kh_status parse_dict_chunk(kh_chunks *c, size_t i, const unsigned char *src, uint32_t clen,
                                  dict_chunk *d, kh_error *err)
{
    d->n_frames = clen >= 12 ? kh_get_u32(src + 4) : 0;
    d->dict_len = clen >= 12 ? kh_get_u32(src + 8) : 0;
    if (d->n_frames == 0 || d->n_frames > (clen - 12) / 8 ||
        d->dict_len > clen - 12 - (size_t)d->n_frames * 8 || kh_get_u32(src + 12) != 0)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu has a damaged header", c->file, i);
    d->table = src + 12;
    d->dict = d->table + (size_t)d->n_frames * 8;
    d->frames = d->dict + d->dict_len;
    d->frames_len = clen - 12 - (size_t)d->n_frames * 8 - d->dict_len;
    return KH_OK;
}

/* The dictionary of dictionary chunk i, digested on first use; NULL (and
 * KH_OK) when the chunk has none. */
static kh_status chunk_dict(kh_chunks *c, size_t i, const dict_chunk *d, kh_chunk_dict **out, kh_error *err)
{
    *out = NULL;
    if (d->dict_len == 0)
        return KH_OK;
    if (!c->dicts && !(c->dicts = calloc(c->n_chunks, sizeof *c->dicts)))
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", c->file);
    kh_chunk_dict *cd = &c->dicts[i];
    if (cd->ddict) {
        *out = cd;
        return KH_OK;
    }
    unsigned long long size = ZSTD_getFrameContentSize(d->dict, d->dict_len);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size == 0 || size > KH_DICT_MAX)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu has a damaged dictionary", c->file, i);
    unsigned char *mem = malloc((size_t)size + KH_FRAME_ROOM);
    if (!mem)
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", c->file);
    size_t got = ZSTD_decompress(mem, (size_t)size, d->dict, d->dict_len);
    if (ZSTD_isError(got) || got != size) {
        free(mem);
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu has a damaged dictionary", c->file, i);
    }
    cd->ddict = ZSTD_createDDict_byReference(mem, (size_t)size);
    if (!cd->ddict) {
        free(mem);
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", c->file);
    }
    cd->mem = mem;
    cd->size = (size_t)size;
    *out = cd;
    return KH_OK;
}

/* Decompresses frame f of dictionary chunk i (verified) into the cache. */
static kh_status load_frame(kh_chunks *c, size_t i, const dict_chunk *d, uint32_t f, kh_error *err)
{
    if (c->cached == i + 1 && c->cached_frame == f)
        return KH_OK;
    uint32_t b = f ? kh_get_u32(d->table + (size_t)(f - 1) * 8 + 4) : 0;
    uint32_t e = kh_get_u32(d->table + (size_t)f * 8 + 4);
    uint32_t rlen = kh_get_u32(c->index + i * KH_CHUNK_ENTRY + 16);
    unsigned long long size = b <= e && e <= d->frames_len ? ZSTD_getFrameContentSize(d->frames + b, e - b)
                                                           : ZSTD_CONTENTSIZE_ERROR;
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > rlen ||
        size > KH_CHUNK_MAX_RAW)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu, frame %u is damaged", c->file, i, f);
    kh_chunk_dict *cd;
    kh_status st = chunk_dict(c, i, d, &cd, err);
    if (st != KH_OK)
        return st;
    /* Behind the dictionary when the frame fits there (see kh_chunk_dict):
     * zstd finds the output contiguous with the dictionary it was given
     * and keeps it as a prefix: 3.7% fewer instructions and 4-11% less
     * CPU per default search (docs/index.md, "right behind its
     * dictionary"). */
    unsigned char *dst = cd && size + 1 <= KH_FRAME_ROOM ? cd->mem + cd->size : NULL;
    if (!dst) {
        if ((st = grow_cache(c, (size_t)size + 1, err)) != KH_OK)
            return st;
        dst = c->cache;
    }
    if (!c->dctx && !(c->dctx = ZSTD_createDCtx()))
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", c->file);
    c->cached = 0;
    size_t got = cd ? ZSTD_decompress_usingDDict(c->dctx, dst, (size_t)size, d->frames + b, e - b, cd->ddict)
                    : ZSTD_decompressDCtx(c->dctx, dst, (size_t)size, d->frames + b, e - b);
    if (ZSTD_isError(got) || got != size)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu, frame %u does not decompress", c->file, i,
                       f);
    c->frame = dst;
    c->frame_len = got;
    c->cached = i + 1;
    c->cached_frame = f;
    return KH_OK;
}

/* Record k of dictionary chunk i (verified). */
static kh_status dict_record(kh_chunks *c, size_t i, const unsigned char *src, uint32_t clen, uint32_t k,
                             const unsigned char **rec, size_t *len, kh_error *err)
{
    dict_chunk d;
    kh_status st = parse_dict_chunk(c, i, src, clen, &d, err);
    if (st != KH_OK)
        return st;
    /* the last frame whose first record is <= k */
    uint32_t lo = 0, hi = d.n_frames;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (kh_get_u32(d.table + (size_t)mid * 8) <= k)
            lo = mid;
        else
            hi = mid;
    }
    if ((st = load_frame(c, i, &d, lo, err)) != KH_OK)
        return st;
    kh_cursor cur = kh_cursor_make(c->frame, c->frame_len);
    for (uint32_t r = kh_get_u32(d.table + (size_t)lo * 8);; r++) {
        uint64_t n = kh_get_varint(&cur);
        const unsigned char *p = cur.bad ? NULL : kh_get_bytes(&cur, (size_t)n);
        if (!p)
            return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu is malformed", c->file, i);
        if (r == k) {
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
    if (is_dict_chunk(src, clen))
        return dict_record(c, lo, src, clen, k, rec, len, err);
    return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu is of no known kind", c->file, lo);
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
        if (!is_dict_chunk(src, clen))
            return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu is of no known kind", c->file, i);
        /* frames whose first records ascend from 0, each holding exactly
         * the records up to the next one's, back to back to the end, whose
         * sizes add up to the index's raw_len */
        dict_chunk d;
        if ((st = parse_dict_chunk(c, i, src, clen, &d, err)) != KH_OK)
            return st;
        uint64_t raw = 0;
        for (uint32_t f = 0; f < d.n_frames; f++) {
            uint32_t from = kh_get_u32(d.table + (size_t)f * 8);
            uint32_t to = f + 1 < d.n_frames ? kh_get_u32(d.table + (size_t)(f + 1) * 8) : next - first;
            if (to <= from || to > next - first)
                return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu, frame %u has a bad record range",
                               c->file, i, f);
            if ((st = load_frame(c, i, &d, f, err)) != KH_OK)
                return st;
            kh_cursor cur = kh_cursor_make(c->frame, c->frame_len);
            for (uint32_t r = from; r < to; r++) {
                uint64_t n = kh_get_varint(&cur);
                if (cur.bad || !kh_get_bytes(&cur, (size_t)n))
                    return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu is malformed", c->file, i);
            }
            if (cur.p != cur.end)
                return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu has trailing bytes", c->file, i);
            raw += c->frame_len;
        }
        if (kh_get_u32(d.table + (size_t)(d.n_frames - 1) * 8 + 4) != d.frames_len ||
            raw != kh_get_u32(e + 16))
            return kh_fail(err, KH_ERR_CORRUPT, "%s: stored chunk %zu has trailing bytes", c->file, i);
    }
    return KH_OK;
}
