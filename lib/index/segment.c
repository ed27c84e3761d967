/* segment.c — opening a segment file and reading from it (see segment.h). */
#include "index/segment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/postings.h"
#include "util/error.h"

static kh_status corrupt(kh_segment *s, kh_error *err, const char *what)
{
    return kh_fail(err, KH_ERR_CORRUPT, "%s: %s", s->file.name, what);
}

static kh_status parse_strtab(kh_segment *s, const unsigned char **p, const unsigned char *end,
                              kh_strtab *t, kh_error *err)
{
    if (end - *p < 4)
        return corrupt(s, err, "document values truncated");
    t->count = kh_get_u32(*p);
    *p += 4;
    if ((size_t)(end - *p) / 4 < (size_t)t->count + 1)
        return corrupt(s, err, "document values truncated");
    t->offsets = *p;
    *p += ((size_t)t->count + 1) * 4;
    uint32_t last = 0;
    for (uint32_t i = 0; i <= t->count; i++) {
        uint32_t o = kh_get_u32(t->offsets + (size_t)i * 4);
        if (o < last || (i == 0 && o != 0))
            return corrupt(s, err, "name table offsets out of order");
        last = o;
    }
    if ((size_t)(end - *p) < last)
        return corrupt(s, err, "name table truncated");
    t->bytes = (const char *)*p;
    t->bytes_len = last;
    *p += last;
    return KH_OK;
}

static kh_status load_deletions(kh_segment *s, const char *dir, uint64_t gen, kh_error *err)
{
    char file[64], path[4096];
    snprintf(file, sizeof file, "%s.del.%llu", s->name, (unsigned long long)gen);
    if (kh_path_join(path, sizeof path, dir, file) != 0)
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: path too long", dir);
    kh_sfile f;
    kh_status st = kh_sfile_open(&f, path, KH_DEL_MAGIC, err);
    if (st != KH_OK)
        return st;
    const unsigned char *p;
    size_t len;
    st = kh_sfile_section(&f, KH_SEC_BITS, 1, &p, &len, err);
    size_t want = (s->n_docs + 7) / 8;
    if (st == KH_OK && (len != 4 + want || kh_get_u32(p) != s->n_docs))
        st = kh_fail(err, KH_ERR_CORRUPT, "%s: deletion bitmap does not fit the segment", file);
    if (st == KH_OK) {
        s->del = malloc(want ? want : 1);
        if (!s->del)
            st = kh_fail(err, KH_ERR_NOMEM, "out of memory");
    }
    if (st == KH_OK) {
        memcpy(s->del, p + 4, want);
        s->n_deleted = 0;
        for (uint32_t d = 0; d < s->n_docs; d++)
            s->n_deleted += kh_segment_is_deleted(s, d);
        s->del_gen = gen;
    }
    kh_sfile_close(&f);
    return st;
}

kh_status kh_segment_open(const char *dir, const char *name, uint64_t del_gen, kh_segment **out,
                          kh_error *err)
{
    *out = NULL;
    kh_segment *s = calloc(1, sizeof *s);
    if (!s)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    snprintf(s->name, sizeof s->name, "%s", name);
    s->committed = 1;
    char file[64], path[4096];
    snprintf(file, sizeof file, "%s.kseg", name);
    if (kh_path_join(path, sizeof path, dir, file) != 0) {
        free(s);
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: path too long", dir);
    }
    kh_status st = kh_sfile_open(&s->file, path, KH_SEG_MAGIC, err);
    if (st != KH_OK) {
        free(s);
        return st;
    }
    const unsigned char *p;
    size_t len;
    /* META */
    if ((st = kh_sfile_section(&s->file, KH_SEC_META, 1, &p, &len, err)) != KH_OK)
        goto fail;
    if (len != 20) {
        st = corrupt(s, err, "segment header damaged");
        goto fail;
    }
    if (kh_get_u32(p) != KH_SEGMENT_FORMAT) {
        st = kh_fail(err, KH_ERR_MISMATCH, "%s: segment format %u, this build reads format %d: rebuild the index",
                     s->file.name, kh_get_u32(p), KH_SEGMENT_FORMAT);
        goto fail;
    }
    s->n_docs = kh_get_u32(p + 4);
    s->total_len = kh_get_u64(p + 8);
    s->n_terms = kh_get_u32(p + 16);

    /* TDIC (its blocks are checked as they are read) */
    if ((st = kh_sfile_section(&s->file, KH_SEC_POST, 1, &s->post, &s->post_len, err)) != KH_OK)
        goto fail;
    if ((st = kh_sfile_section(&s->file, KH_SEC_TDIC, 1, &p, &len, err)) != KH_OK)
        goto fail;
    if (kh_termdict_open(&s->dict, p, len, s->post_len, s->n_docs) != 0 || s->dict.n_terms != s->n_terms) {
        st = corrupt(s, err, "term dictionary damaged");
        goto fail;
    }

    /* DOCV */
    if ((st = kh_sfile_section(&s->file, KH_SEC_DOCV, 1, &p, &len, err)) != KH_OK)
        goto fail;
    {
        const unsigned char *end = p + len;
        if (len / 20 < s->n_docs) {
            st = corrupt(s, err, "document values truncated");
            goto fail;
        }
        s->doc_len = p;
        s->published = p + (size_t)s->n_docs * 4;
        s->source_ord = s->published + (size_t)s->n_docs * 8;
        s->author_ord = s->source_ord + (size_t)s->n_docs * 4;
        const unsigned char *q = s->author_ord + (size_t)s->n_docs * 4;
        if ((st = parse_strtab(s, &q, end, &s->sources, err)) != KH_OK ||
            (st = parse_strtab(s, &q, end, &s->authors, err)) != KH_OK)
            goto fail;
        if (q != end) {
            st = corrupt(s, err, "document values have trailing bytes");
            goto fail;
        }
    }

    /* stored articles and summaries: chunk indexes now, chunks when read */
    const uint32_t ids[2][2] = {{KH_SEC_STIX, KH_SEC_STOR}, {KH_SEC_SMIX, KH_SEC_SMRY}};
    kh_chunks *stores[2] = {&s->stored, &s->summaries};
    for (int k = 0; k < 2; k++) {
        const unsigned char *ix, *data;
        size_t ix_len, data_len;
        if ((st = kh_sfile_section(&s->file, ids[k][0], 1, &ix, &ix_len, err)) != KH_OK ||
            (st = kh_sfile_section(&s->file, ids[k][1], 0, &data, &data_len, err)) != KH_OK ||
            (st = kh_chunks_open(stores[k], ix, ix_len, data, data_len, s->n_docs, s->file.name,
                                 err)) != KH_OK)
            goto fail;
    }

    if (del_gen > 0 && (st = load_deletions(s, dir, del_gen, err)) != KH_OK)
        goto fail;
    *out = s;
    return KH_OK;
fail:
    kh_segment_close(s);
    return st;
}

void kh_segment_close(kh_segment *s)
{
    if (!s)
        return;
    kh_sfile_close(&s->file);
    kh_chunks_close(&s->stored);
    kh_chunks_close(&s->summaries);
    free(s->del);
    free(s->pending);
    free(s);
}

int kh_segment_lookup(const kh_segment *s, const char *term, size_t len, uint32_t *df,
                      const unsigned char **postings, size_t *postings_len)
{
    uint64_t off, plen;
    int r = kh_termdict_find(&s->dict, term, len, df, &off, &plen);
    if (r == 1) {
        *postings = s->post + off;
        *postings_len = (size_t)plen;
    }
    return r;
}

int64_t kh_segment_published(const kh_segment *s, uint32_t doc)
{
    return (int64_t)kh_get_u64(s->published + (size_t)doc * 8);
}

uint32_t kh_segment_source_ord(const kh_segment *s, uint32_t doc)
{
    return kh_get_u32(s->source_ord + (size_t)doc * 4);
}

const char *kh_strtab_get(const kh_strtab *t, uint32_t ord, size_t *len)
{
    if (ord >= t->count) {
        *len = 0;
        return "";
    }
    uint32_t a = kh_get_u32(t->offsets + (size_t)ord * 4), b = kh_get_u32(t->offsets + (size_t)ord * 4 + 4);
    *len = b - a;
    return t->bytes + a;
}

kh_status kh_segment_get_article(kh_segment *s, uint32_t doc, kh_article *out, kh_error *err)
{
    const unsigned char *rec;
    size_t len;
    kh_status st = kh_chunks_get(&s->stored, doc, &rec, &len, err);
    if (st != KH_OK)
        return st;
    st = kh_stored_decode(rec, len, out);
    if (st == KH_ERR_CORRUPT)
        return kh_fail(err, st, "%s: stored article %u is malformed", s->file.name, doc);
    if (st != KH_OK)
        return kh_fail(err, st, "out of memory");
    /* the fields kept once, in the summary */
    kh_summary sum;
    if ((st = kh_segment_get_summary(s, doc, &sum, err)) != KH_OK) {
        kh_article_clear(out);
        return st;
    }
    char **fields[KH_SUM_FIELDS] = {&out->id, &out->source, &out->url, &out->title, &out->published};
    for (int i = 0; i < KH_SUM_FIELDS; i++) {
        if (!sum.s[i])
            continue;
        *fields[i] = malloc(sum.len[i] + 1);
        if (!*fields[i]) {
            kh_article_clear(out);
            return kh_fail(err, KH_ERR_NOMEM, "out of memory");
        }
        memcpy(*fields[i], sum.s[i], sum.len[i]);
        (*fields[i])[sum.len[i]] = '\0';
    }
    return KH_OK;
}

kh_status kh_segment_get_body(kh_segment *s, uint32_t doc, kh_buf *out, kh_error *err)
{
    const unsigned char *rec;
    size_t len;
    kh_status st = kh_chunks_get(&s->stored, doc, &rec, &len, err);
    if (st != KH_OK)
        return st;
    st = kh_stored_body(rec, len, out);
    if (st == KH_ERR_CORRUPT)
        return kh_fail(err, st, "%s: stored article %u is malformed", s->file.name, doc);
    if (st != KH_OK)
        return kh_fail(err, st, "out of memory");
    return KH_OK;
}

kh_status kh_segment_get_summary(kh_segment *s, uint32_t doc, kh_summary *out, kh_error *err)
{
    const unsigned char *rec;
    size_t len;
    kh_status st = kh_chunks_get(&s->summaries, doc, &rec, &len, err);
    if (st != KH_OK)
        return st;
    if (kh_summary_decode(rec, len, out) != 0)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: summary of article %u is malformed", s->file.name, doc);
    return KH_OK;
}

void kh_url_term(const char *url, size_t len, char term[KH_URL_TERM_LEN])
{
    /* FNV-1a over 64 bits spreads the bytes; its low bits mix poorly, so a
     * multiply-xorshift round finishes it. Any fixed function would be
     * correct (lookups confirm the url); this one keeps collisions rare. */
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)url[i]) * 1099511628211ull;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    h ^= h >> 32;
    term[0] = KH_FIELD_URL;
    for (int i = 0; i < 8; i++)
        term[1 + i] = (char)(unsigned char)(h >> (56 - 8 * i));
}

kh_status kh_segment_has_url(kh_segment *s, uint32_t doc, const char *url, size_t len, int *same,
                             kh_error *err)
{
    kh_summary sum;
    *same = 0;
    kh_status st = kh_segment_get_summary(s, doc, &sum, err);
    if (st != KH_OK)
        return st;
    *same = sum.s[KH_SUM_URL] && sum.len[KH_SUM_URL] == len && !memcmp(sum.s[KH_SUM_URL], url, len);
    return KH_OK;
}

kh_status kh_segment_each_key_doc(kh_segment *s, char field, const char *key, size_t len, int live_only,
                                  kh_key_visit visit, void *ctx, int *stopped, kh_error *err)
{
    char term[1024];
    size_t term_len;
    if (stopped)
        *stopped = 0;
    if (field == KH_FIELD_URL) {
        kh_url_term(key, len, term);
        term_len = KH_URL_TERM_LEN;
    } else {
        if (len + 1 > sizeof term)
            return KH_OK; /* longer than anything indexed (terms are cut at 255 bytes) */
        term[0] = field;
        memcpy(term + 1, key, len);
        term_len = len + 1;
    }
    const unsigned char *p = NULL;
    size_t plen = 0;
    uint32_t df = 0;
    int found = kh_segment_lookup(s, term, term_len, &df, &p, &plen);
    if (found < 0)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: term dictionary damaged", s->file.name);
    if (!found)
        return KH_OK;
    kh_postings c;
    if (kh_postings_init(&c, p, plen, df, s->n_docs) != 0)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: postings damaged", s->file.name);
    uint32_t d;
    while ((d = kh_postings_next(&c)) != KH_NO_DOC) {
        if (live_only && kh_segment_is_deleted(s, d))
            continue;
        if (field == KH_FIELD_URL) {
            int same;
            kh_status st = kh_segment_has_url(s, d, key, len, &same, err);
            if (st != KH_OK)
                return st;
            if (!same)
                continue;
        }
        int r = visit(ctx, s, d);
        if (r < 0)
            return kh_fail(err, KH_ERR_NOMEM, "out of memory");
        if (r > 0) {
            if (stopped)
                *stopped = 1;
            return KH_OK;
        }
    }
    if (c.bad)
        return kh_fail(err, KH_ERR_CORRUPT, "%s: postings damaged", s->file.name);
    return KH_OK;
}

kh_status kh_segment_write_deletions(const char *dir, const kh_segment *s, uint64_t gen,
                                     kh_error *err)
{
    const uint8_t *bits = s->pending ? s->pending : s->del;
    char file[64], path[4096];
    snprintf(file, sizeof file, "%s.del.%llu", s->name, (unsigned long long)gen);
    if (kh_path_join(path, sizeof path, dir, file) != 0)
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: path too long", dir);
    kh_sfile_writer w;
    kh_status st = kh_sfile_create(&w, path, KH_DEL_MAGIC, err);
    if (st != KH_OK)
        return st;
    unsigned char n[4] = {(unsigned char)s->n_docs, (unsigned char)(s->n_docs >> 8),
                          (unsigned char)(s->n_docs >> 16), (unsigned char)(s->n_docs >> 24)};
    kh_sfile_begin(&w, KH_SEC_BITS);
    kh_sfile_write(&w, n, 4);
    if (bits)
        kh_sfile_write(&w, bits, (s->n_docs + 7) / 8);
    else
        for (uint32_t i = 0; i < (s->n_docs + 7) / 8; i++)
            kh_sfile_write(&w, "", 1);
    kh_sfile_end(&w);
    return kh_sfile_finish(&w, err);
}

kh_status kh_segment_check(kh_segment *s, kh_error *err)
{
    const unsigned char *p;
    size_t len;
    /* every section's checksum, including the ones open reads lazily */
    for (uint32_t i = 0; i < s->file.n; i++) {
        kh_status st = kh_sfile_section(&s->file, s->file.toc[i].id, 1, &p, &len, err);
        if (st != KH_OK)
            return st;
    }
    kh_status st = kh_chunks_check(&s->stored, err);
    if (st == KH_OK)
        st = kh_chunks_check(&s->summaries, err);
    if (st != KH_OK)
        return st;
    /* terms sorted and unique, postings walk to their end with df documents */
    uint32_t *positions = NULL;
    size_t cap = 0;
    kh_term_iter it;
    char prev[KH_TERM_KEY_MAX];
    size_t prev_len = 0, seen_terms = 0;
    int r = kh_term_iter_seek(&it, &s->dict, "", 0);
    for (; r == 1; r = kh_term_iter_next(&it), seen_terms++) {
        if (seen_terms > 0) {
            int c = memcmp(prev, it.term, prev_len < it.len ? prev_len : it.len);
            if (c > 0 || (c == 0 && prev_len >= it.len)) {
                free(positions);
                return corrupt(s, err, "terms out of order");
            }
        }
        memcpy(prev, it.term, it.len);
        prev_len = it.len;
        kh_postings c;
        uint32_t seen = 0;
        if (kh_postings_init(&c, s->post + it.post_off, (size_t)it.post_len, it.df, s->n_docs) != 0) {
            free(positions);
            return corrupt(s, err, "postings header damaged");
        }
        while (kh_postings_next(&c) != KH_NO_DOC) {
            uint32_t npos = kh_postings_npos(&c);
            if (npos > cap) {
                cap = npos * 2;
                uint32_t *q = realloc(positions, cap * sizeof *q);
                if (!q) {
                    free(positions);
                    return kh_fail(err, KH_ERR_NOMEM, "out of memory");
                }
                positions = q;
            }
            if (kh_postings_positions(&c, positions) != npos && npos)
                break;
            seen++;
        }
        if (c.bad || seen != it.df) {
            free(positions);
            return corrupt(s, err, "postings damaged");
        }
    }
    if (r < 0 || seen_terms != s->n_terms) {
        free(positions);
        return corrupt(s, err, "term dictionary damaged");
    }
    free(positions);
    return KH_OK;
}
