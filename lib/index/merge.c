/* merge.c — merging segments without analyzing again (see merge.h).
 *
 * The merged file's sections come in the order they can be produced with
 * little memory: document values, the two stores, postings with the
 * dictionary, and META last (it counts the terms, known only at the end).
 * Readers find sections by the table of contents, so the order is free. */
#include "index/merge.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "index/bytes.h"
#include "index/file.h"
#include "index/postings.h"
#include "index/termdict.h"
#include "util/buf.h"
#include "util/error.h"

/* Postings go to the file in pieces of about this size: one write per
 * term would be millions of system calls. */
#define WRITE_BATCH (1u << 20)
/* Pages of a source read this far behind are given back (merge.h). */
#define RELEASE_STEP (1u << 20)

typedef struct merger {
    const char *dir, *name;         /* the merged segment: dir/name.kseg */
    kh_segment *const *src;
    size_t n;
    uint32_t **map;                 /* per source: new doc number, KH_NO_DOC if deleted */
    uint32_t n_docs;
    uint64_t total_len;
    uint32_t *doc_len;              /* merged lengths, for kh_postings_encode */
    uint32_t n_terms;
    kh_sfile_writer w;
    kh_error *err;
} merger;

static kh_status corrupt(const kh_segment *s, kh_error *err, const char *what)
{
    return kh_fail(err, KH_ERR_CORRUPT, "%s: %s", s->file.name, what);
}

static kh_status nomem(kh_error *err)
{
    return kh_fail(err, KH_ERR_NOMEM, "out of memory while merging segments");
}

/* Appends to the open section. Never with nothing: zlib's crc32 of a NULL
 * buffer is its initial value, so an empty kh_buf (data NULL) handed to
 * kh_sfile_write would restart the section's checksum. */
static void put(merger *m, const void *data, size_t len)
{
    if (len > 0)
        kh_sfile_write(&m->w, data, len);
}

/* ---- resident memory ---- */

/* Drops the whole pages inside [p, p + len) from the process. */
static void drop_range(const unsigned char *p, size_t len)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1), end = ((uintptr_t)p + len) & ~(page - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_DONTNEED); /* advice: failure is harmless */
}

void kh_segment_drop_pages(const kh_segment *s)
{
    drop_range(s->file.data, s->file.len);
}

/* A source area read front to back: what lies behind the reader is dropped
 * every RELEASE_STEP bytes. */
typedef struct reading {
    const unsigned char *done;      /* dropped up to here */
} reading;

static void read_upto(reading *r, const unsigned char *p)
{
    if (p > r->done && (size_t)(p - r->done) >= RELEASE_STEP) {
        drop_range(r->done, (size_t)(p - r->done));
        r->done = p;
    }
}

/* ---- document numbers ---- */

static kh_status build_maps(merger *m)
{
    if (!(m->map = calloc(m->n ? m->n : 1, sizeof *m->map)))
        return nomem(m->err);
    uint64_t next = 0;
    for (size_t i = 0; i < m->n; i++) {
        const kh_segment *s = m->src[i];
        if (!(m->map[i] = malloc((s->n_docs ? s->n_docs : 1) * sizeof **m->map)))
            return nomem(m->err);
        for (uint32_t d = 0; d < s->n_docs; d++) {
            if (kh_segment_is_deleted(s, d)) {
                m->map[i][d] = KH_NO_DOC;
                continue;
            }
            if (next >= UINT32_MAX - 1)
                return kh_fail(m->err, KH_ERR_TOO_LARGE, "merged segment would exceed %u documents",
                               UINT32_MAX - 1);
            m->map[i][d] = (uint32_t)next++;
        }
    }
    m->n_docs = (uint32_t)next;
    if (!(m->doc_len = malloc((next ? next : 1) * sizeof *m->doc_len)))
        return nomem(m->err);
    for (size_t i = 0; i < m->n; i++)
        for (uint32_t d = 0; d < m->src[i]->n_docs; d++)
            if (m->map[i][d] != KH_NO_DOC) {
                uint32_t len = kh_segment_doc_len(m->src[i], d);
                m->doc_len[m->map[i][d]] = len;
                m->total_len += len;
            }
    return KH_OK;
}

/* ---- document values ---- */

/* The merged source or author table: names interned in order of first use,
 * as the in-memory writer does, so ordinals match a one-go build. */
typedef struct names {
    kh_buf bytes;
    uint32_t *end;                  /* end offset of each name */
    uint32_t count, cap;
    uint32_t *slots;                /* open addressing: ordinal + 1 */
    size_t n_slots;
    int failed;
} names;

static uint32_t name_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h ^ (h >> 15);
}

static const char *name_at(const names *t, uint32_t o, size_t *len)
{
    uint32_t start = o ? t->end[o - 1] : 0;
    *len = t->end[o] - start;
    return t->bytes.data + start;
}

static int names_grow(names *t)
{
    size_t n = t->n_slots ? t->n_slots * 2 : 64;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->n_slots; i++) {
        if (!t->slots[i])
            continue;
        size_t len;
        const char *s = name_at(t, t->slots[i] - 1, &len);
        size_t j = name_hash(s, len) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n;
    return 0;
}

static uint32_t names_intern(names *t, const char *s, size_t len)
{
    if ((size_t)t->count * 2 >= t->n_slots && names_grow(t) != 0) {
        t->failed = 1;
        return KH_NO_ORD;
    }
    size_t mask = t->n_slots - 1, i = name_hash(s, len) & mask;
    for (; t->slots[i]; i = (i + 1) & mask) {
        size_t l;
        const char *o = name_at(t, t->slots[i] - 1, &l);
        if (l == len && !memcmp(o, s, len))
            return t->slots[i] - 1;
    }
    if (t->count == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 64;
        uint32_t *e = realloc(t->end, cap * sizeof *e);
        if (!e) {
            t->failed = 1;
            return KH_NO_ORD;
        }
        t->end = e;
        t->cap = cap;
    }
    kh_buf_append(&t->bytes, s, len);
    t->end[t->count] = (uint32_t)t->bytes.len;
    t->slots[i] = ++t->count;
    return t->count - 1;
}

static void names_free(names *t)
{
    kh_buf_free(&t->bytes);
    free(t->end);
    free(t->slots);
}

/* Writes the ordinals of one table (0 sources, 1 authors) for every merged
 * document, interning the names into *t. */
static kh_status write_ordinals(merger *m, int k, names *t, kh_buf *out)
{
    kh_buf_reset(out);
    for (size_t i = 0; i < m->n && !t->failed; i++) {
        const kh_segment *s = m->src[i];
        const kh_strtab *tab = k ? &s->authors : &s->sources;
        const unsigned char *ords = k ? s->author_ord : s->source_ord;
        uint32_t *to = malloc((tab->count ? tab->count : 1) * sizeof *to);
        if (!to)
            return nomem(m->err);
        for (uint32_t o = 0; o < tab->count; o++)
            to[o] = KH_NO_ORD; /* not met yet */
        for (uint32_t d = 0; d < s->n_docs; d++) {
            if (m->map[i][d] == KH_NO_DOC)
                continue;
            uint32_t o = kh_get_u32(ords + (size_t)d * 4), merged = KH_NO_ORD;
            if (o != KH_NO_ORD) {
                if (o >= tab->count) {
                    free(to);
                    return corrupt(s, m->err, "document values name a missing source or author");
                }
                if (to[o] == KH_NO_ORD) {
                    size_t len;
                    const char *name = kh_strtab_get(tab, o, &len);
                    to[o] = names_intern(t, name, len);
                }
                merged = to[o];
            }
            kh_put_u32(out, merged);
            if (out->len >= WRITE_BATCH && !kh_buf_failed(out)) {
                put(m, out->data, out->len);
                kh_buf_reset(out);
            }
        }
        free(to);
    }
    if (t->failed || kh_buf_failed(out))
        return nomem(m->err);
    put(m, out->data, out->len);
    return KH_OK;
}

static void write_names(merger *m, const names *t, kh_buf *out)
{
    kh_buf_reset(out);
    kh_put_u32(out, t->count);
    kh_put_u32(out, 0);
    for (uint32_t o = 0; o < t->count; o++)
        kh_put_u32(out, t->end[o]);
    kh_buf_append(out, t->bytes.data, t->bytes.len);
    put(m, out->data, out->len);
}

static kh_status write_docv(merger *m)
{
    kh_buf out = KH_BUF_INIT;
    names tab[2];
    memset(tab, 0, sizeof tab);
    kh_sfile_begin(&m->w, KH_SEC_DOCV);
    for (uint32_t d = 0; d < m->n_docs; d++)
        kh_put_u32(&out, m->doc_len[d]);
    put(m, out.data, out.len);
    kh_buf_reset(&out);
    /* written in pieces: 8 bytes an article would be 8 MB held at 1,000,000 */
    for (size_t i = 0; i < m->n; i++) {
        for (uint32_t d = 0; d < m->src[i]->n_docs; d++) {
            if (m->map[i][d] != KH_NO_DOC)
                kh_buf_append(&out, m->src[i]->published + (size_t)d * 8, 8);
            if (out.len >= WRITE_BATCH && !kh_buf_failed(&out)) {
                put(m, out.data, out.len);
                kh_buf_reset(&out);
            }
        }
    }
    put(m, out.data, out.len);
    kh_status st = KH_OK;
    if (kh_buf_failed(&out))
        st = nomem(m->err);
    for (int k = 0; k < 2 && st == KH_OK; k++)
        st = write_ordinals(m, k, &tab[k], &out);
    if (st == KH_OK) {
        write_names(m, &tab[0], &out);
        write_names(m, &tab[1], &out);
        if (kh_buf_failed(&out) || tab[0].bytes.failed || tab[1].bytes.failed)
            st = nomem(m->err);
    }
    kh_sfile_end(&m->w);
    names_free(&tab[0]);
    names_free(&tab[1]);
    kh_buf_free(&out);
    return st;
}

/* ---- stored articles and summaries ----
 *
 * A source chunk whose documents are all live is copied as it is (its
 * checksum checked): chunks are self-contained (chunks.h), and decompressing
 * and compressing again would cost most of the merge. The live records of a
 * chunk with deletions go through an ordinary chunk writer, so they are
 * packed as a flush packs them, in whatever chunk kind chunks.c writes; its
 * finished chunks are moved to the file as they come, renumbered. */

typedef struct store_out {
    kh_chunks_writer cw;
    uint32_t run_first;             /* merged number of cw's document 0 */
    kh_buf index;                   /* the merged store's chunk index */
    uint64_t off;                   /* data bytes written */
} store_out;

static void put_chunk_entry(store_out *o, uint32_t first, uint32_t clen, uint32_t rlen, uint32_t crc)
{
    kh_put_u32(&o->index, first);
    kh_put_u64(&o->index, o->off);
    kh_put_u32(&o->index, clen);
    kh_put_u32(&o->index, rlen);
    kh_put_u32(&o->index, crc);
    o->off += clen;
}

/* Moves the writer's finished chunks to the file. */
static kh_status store_drain(merger *m, store_out *o)
{
    kh_chunks_writer *w = &o->cw;
    if (w->failed || kh_buf_failed(&w->index) || kh_buf_failed(&w->data))
        return nomem(m->err);
    for (size_t e = 0; e + KH_CHUNK_ENTRY <= w->index.len; e += KH_CHUNK_ENTRY) {
        const unsigned char *p = (const unsigned char *)w->index.data + e;
        put_chunk_entry(o, o->run_first + kh_get_u32(p), kh_get_u32(p + 12), kh_get_u32(p + 16),
                        kh_get_u32(p + 20));
    }
    put(m, w->data.data, w->data.len);
    o->run_first += w->first_doc; /* the open chunk's first document */
    w->first_doc = 0;
    kh_buf_reset(&w->index);
    kh_buf_reset(&w->data);
    return KH_OK;
}

static kh_status store_flush(merger *m, store_out *o)
{
    if (kh_chunks_flush(&o->cw) != 0)
        return nomem(m->err);
    return store_drain(m, o);
}

static kh_status copy_chunk(merger *m, store_out *o, const kh_segment *s, const kh_chunks *c,
                            size_t ch, uint32_t new_first)
{
    const unsigned char *e = c->index + ch * KH_CHUNK_ENTRY;
    uint64_t off = kh_get_u64(e + 4);
    uint32_t clen = kh_get_u32(e + 12), rlen = kh_get_u32(e + 16), crc = kh_get_u32(e + 20);
    if ((uint32_t)crc32_z(0, c->data + off, clen) != crc)
        return corrupt(s, m->err, "a stored chunk fails its checksum");
    put_chunk_entry(o, new_first, clen, rlen, crc);
    put(m, c->data + off, clen);
    return KH_OK;
}

static kh_status copy_records(merger *m, store_out *o, size_t i, kh_chunks *c, uint32_t first,
                              uint32_t end)
{
    for (uint32_t d = first; d < end; d++) {
        if (m->map[i][d] == KH_NO_DOC)
            continue;
        const unsigned char *rec;
        size_t len;
        kh_status st = kh_chunks_get(c, d, &rec, &len, m->err);
        if (st != KH_OK)
            return st;
        if (o->cw.n_docs == 0 && o->cw.first_doc == 0)
            o->run_first = m->map[i][d];
        kh_chunks_add(&o->cw, rec, len);
        if (o->cw.data.len >= RELEASE_STEP && (st = store_drain(m, o)) != KH_OK)
            return st;
    }
    return KH_OK;
}

/* Writes store k (0 articles, 1 summaries): its data section, then its index. */
static kh_status write_store(merger *m, int k)
{
    store_out o;
    memset(&o, 0, sizeof o);
    /* repacked records get the settings of a flushed segment (chunks.h) */
    kh_chunks_writer_init(&o.cw, k ? KH_SUMMARY_CHUNK : KH_STORED_CHUNK, k ? KH_SUMMARY_LEVEL : KH_STORED_LEVEL);
    kh_status st = KH_OK;
    kh_sfile_begin(&m->w, k ? KH_SEC_SMRY : KH_SEC_STOR);
    for (size_t i = 0; i < m->n && st == KH_OK; i++) {
        kh_segment *s = m->src[i];
        kh_chunks *c = k ? &s->summaries : &s->stored;
        reading rd = {c->data};
        for (size_t ch = 0; ch < c->n_chunks && st == KH_OK; ch++) {
            read_upto(&rd, c->data + kh_get_u64(c->index + ch * KH_CHUNK_ENTRY + 4));
            uint32_t first = kh_get_u32(c->index + ch * KH_CHUNK_ENTRY);
            uint32_t end = ch + 1 < c->n_chunks ? kh_get_u32(c->index + (ch + 1) * KH_CHUNK_ENTRY)
                                                : c->n_docs;
            uint32_t live = 0;
            for (uint32_t d = first; d < end; d++)
                live += m->map[i][d] != KH_NO_DOC;
            if (live == 0)
                continue;
            if (live < end - first) {
                st = copy_records(m, &o, i, c, first, end);
                continue;
            }
            if ((st = store_flush(m, &o)) == KH_OK)
                st = copy_chunk(m, &o, s, c, ch, m->map[i][first]);
        }
        drop_range(c->data, c->data_len);
    }
    if (st == KH_OK)
        st = store_flush(m, &o);
    kh_sfile_end(&m->w);
    if (st == KH_OK && kh_buf_failed(&o.index))
        st = nomem(m->err);
    if (st == KH_OK) {
        kh_sfile_begin(&m->w, k ? KH_SEC_SMIX : KH_SEC_STIX);
        put(m, o.index.data, o.index.len);
        kh_sfile_end(&m->w);
    }
    kh_chunks_writer_free(&o.cw);
    kh_buf_free(&o.index);
    return st;
}

/* ---- postings ---- */

typedef struct term_src {
    kh_term_iter it;
    int live;                       /* it has a current term */
    reading post, dict;             /* both are read in term order */
} term_src;

static int cmp_term(const kh_term_iter *a, const kh_term_iter *b)
{
    int c = memcmp(a->term, b->term, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len < b->len ? -1 : a->len > b->len);
}

/* The merged dictionary's term data, parked in a scratch file while the
 * postings are written. A section is written in one piece and TDIC puts
 * its counts first, so the dictionary can only follow POST once complete;
 * held in memory it was the merge's largest allocation, growing with the
 * index (about 20 bytes a term, 2 `i`/`u` terms an article: tens of MB at
 * 1,000,000 articles, twice while kh_termdict_finish copied it). The file
 * is unlinked as soon as it is open, so nothing is left behind by a crash
 * (and its name starts with the segment's, so garbage collection would
 * remove it if the unlink were missed); its pages are the page cache's,
 * not the writer's. */
typedef struct spill {
    int fd;
    uint64_t len;
    char path[4096];
} spill;

static kh_status spill_open(merger *m, spill *sp)
{
    char file[96];
    sp->len = 0;
    snprintf(file, sizeof file, "%s.tdic.tmp", m->name);
    if (kh_path_join(sp->path, sizeof sp->path, m->dir, file) != 0)
        return kh_fail(m->err, KH_ERR_ARGUMENT, "%s: path too long", m->dir);
    sp->fd = open(sp->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (sp->fd < 0)
        return kh_fail(m->err, KH_ERR_IO, "%s: cannot create: %s", sp->path, strerror(errno));
    (void)unlink(sp->path); /* if it fails, garbage collection removes the file */
    return KH_OK;
}

static void spill_close(spill *sp)
{
    if (sp->fd >= 0)
        close(sp->fd);
    sp->fd = -1;
}

/* Moves the writer's term data to the file. */
static kh_status spill_take(merger *m, spill *sp, kh_termdict_writer *tw, kh_buf *scratch)
{
    kh_buf_reset(scratch);
    if (kh_termdict_take_data(tw, scratch) != 0)
        return nomem(m->err);
    for (size_t done = 0; done < scratch->len;) {
        ssize_t n = write(sp->fd, scratch->data + done, scratch->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return kh_fail(m->err, KH_ERR_IO, "%s: write: %s", sp->path, n < 0 ? strerror(errno) : "no progress");
        done += (size_t)n;
    }
    sp->len += scratch->len;
    return KH_OK;
}

/* Appends the parked term data to the open section. */
static kh_status spill_copy(merger *m, spill *sp, kh_buf *scratch)
{
    kh_buf_reset(scratch);
    if (kh_buf_reserve(scratch, WRITE_BATCH) != 0)
        return nomem(m->err);
    for (uint64_t off = 0; off < sp->len;) {
        size_t want = sp->len - off < WRITE_BATCH ? (size_t)(sp->len - off) : WRITE_BATCH;
        ssize_t n = pread(sp->fd, scratch->data, want, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return kh_fail(m->err, KH_ERR_IO, "%s: read: %s", sp->path, n < 0 ? strerror(errno) : "file shrank");
        put(m, scratch->data, (size_t)n);
        off += (uint64_t)n;
    }
    return KH_OK;
}

/* Scratch of one term's merge: the writer's doc and position streams
 * (postings.h), rebuilt with the new document numbers. */
typedef struct term_out {
    kh_buf docs, pos;
    uint32_t df, prev;              /* prev: last new doc, KH_NO_DOC as -1 */
    uint32_t *p;                    /* positions of one document */
    size_t p_cap;
} term_out;

/* Appends source i's postings of its current term, renumbered. */
static kh_status append_postings(merger *m, size_t i, const kh_term_iter *it, term_out *t)
{
    const kh_segment *s = m->src[i];
    kh_postings c;
    if (kh_postings_init(&c, s->post + it->post_off, (size_t)it->post_len, it->df, s->n_docs) != 0)
        return corrupt(s, m->err, "postings damaged");
    for (uint32_t d; (d = kh_postings_next(&c)) != KH_NO_DOC;) {
        uint32_t nd = m->map[i][d];
        if (nd == KH_NO_DOC)
            continue;
        uint32_t npos = kh_postings_npos(&c), tf = kh_postings_tf(&c);
        if (npos > KH_MAX_POSITIONS)
            return corrupt(s, m->err, "postings damaged");
        if (npos > t->p_cap) {
            size_t cap = t->p_cap ? t->p_cap : 64;
            while (cap < npos)
                cap *= 2;
            uint32_t *p = realloc(t->p, cap * sizeof *p);
            if (!p)
                return nomem(m->err);
            t->p = p;
            t->p_cap = cap;
        }
        if (kh_postings_positions(&c, t->p) != npos)
            return corrupt(s, m->err, "positions damaged");
        /* postings.h's doc entry */
        uint64_t v[3];
        int n = kh_doc_entry_make((uint32_t)(nd - t->prev), npos, tf, v);
        for (int k = 0; k < n; k++)
            kh_put_varint(&t->docs, v[k]);
        for (uint32_t k = 0; k < npos; k++)
            kh_put_varint(&t->pos, k ? t->p[k] - t->p[k - 1] : t->p[0]);
        t->prev = nd;
        t->df++;
    }
    if (c.bad)
        return corrupt(s, m->err, "postings damaged");
    return KH_OK;
}

static kh_status write_postings(merger *m)
{
    term_src *src = calloc(m->n ? m->n : 1, sizeof *src);
    if (!src)
        return nomem(m->err);
    kh_status st = KH_OK;
    for (size_t i = 0; i < m->n && st == KH_OK; i++) {
        int r = kh_term_iter_seek(&src[i].it, &m->src[i]->dict, "", 0);
        if (r < 0)
            st = corrupt(m->src[i], m->err, "term dictionary damaged");
        src[i].live = r == 1;
        src[i].post.done = m->src[i]->post;
        src[i].dict.done = m->src[i]->dict.data;
    }
    kh_termdict_writer tw;
    memset(&tw, 0, sizeof tw);
    term_out t;
    memset(&t, 0, sizeof t);
    kh_buf batch = KH_BUF_INIT, dict = KH_BUF_INIT;
    char key[KH_TERM_KEY_MAX];
    spill sp = {.fd = -1};
    if (st == KH_OK)
        st = spill_open(m, &sp);
    kh_sfile_begin(&m->w, KH_SEC_POST);
    while (st == KH_OK) {
        /* the smallest current term; a handful of sources, so a linear scan */
        size_t best = m->n;
        for (size_t i = 0; i < m->n; i++)
            if (src[i].live && (best == m->n || cmp_term(&src[i].it, &src[best].it) < 0))
                best = i;
        if (best == m->n)
            break;
        size_t len = src[best].it.len;
        memcpy(key, src[best].it.term, len);
        kh_buf_reset(&t.docs);
        kh_buf_reset(&t.pos);
        t.df = 0;
        t.prev = KH_NO_DOC;
        for (size_t i = best; i < m->n && st == KH_OK; i++) {
            if (!src[i].live || src[i].it.len != len || memcmp(src[i].it.term, key, len) != 0)
                continue;
            st = append_postings(m, i, &src[i].it, &t);
            int r = kh_term_iter_next(&src[i].it);
            if (r < 0 && st == KH_OK)
                st = corrupt(m->src[i], m->err, "term dictionary damaged");
            src[i].live = r == 1;
            /* per term, not per written batch: a dictionary of terms with
             * short postings (ids, urls) is read much faster than postings
             * are written */
            if (src[i].live) {
                read_upto(&src[i].post, m->src[i]->post + src[i].it.post_off);
                read_upto(&src[i].dict, src[i].it.c.p);
            }
        }
        if (st != KH_OK || t.df == 0) /* every document holding it was deleted */
            continue;
        if (kh_buf_failed(&t.docs) || kh_buf_failed(&t.pos)) {
            st = nomem(m->err);
            break;
        }
        size_t before = batch.len;
        kh_postings_encode((const unsigned char *)t.docs.data, t.docs.len,
                           (const unsigned char *)t.pos.data, t.pos.len, t.df, m->doc_len, &batch);
        kh_termdict_add(&tw, key, len, t.df, batch.len - before);
        m->n_terms++;
        if (tw.data.len >= WRITE_BATCH && (st = spill_take(m, &sp, &tw, &dict)) != KH_OK)
            break;
        if (batch.len >= WRITE_BATCH) {
            if (kh_buf_failed(&batch))
                st = nomem(m->err);
            put(m, batch.data, batch.len);
            kh_buf_reset(&batch);
        }
    }
    if (st == KH_OK && kh_buf_failed(&batch))
        st = nomem(m->err);
    put(m, batch.data, batch.len);
    kh_sfile_end(&m->w);
    if (st == KH_OK)
        st = spill_take(m, &sp, &tw, &dict);
    kh_buf_reset(&dict);
    if (kh_termdict_finish_head(&tw, &dict) != 0 && st == KH_OK) /* frees the writer's buffers */
        st = nomem(m->err);
    if (st == KH_OK && sp.len > UINT32_MAX) /* the block index's offsets are 32-bit */
        st = kh_fail(m->err, KH_ERR_TOO_LARGE, "merged term dictionary would exceed 4 GB");
    if (st == KH_OK) {
        kh_sfile_begin(&m->w, KH_SEC_TDIC);
        put(m, dict.data, dict.len);
        st = spill_copy(m, &sp, &dict);
        kh_sfile_end(&m->w);
    }
    spill_close(&sp);
    kh_buf_free(&batch);
    kh_buf_free(&dict);
    kh_buf_free(&t.docs);
    kh_buf_free(&t.pos);
    free(t.p);
    free(src);
    return st;
}

/* ---- the whole ---- */

static kh_status write_meta(merger *m)
{
    kh_buf out = KH_BUF_INIT;
    kh_put_u32(&out, KH_SEGMENT_FORMAT);
    kh_put_u32(&out, m->n_docs);
    kh_put_u64(&out, m->total_len);
    kh_put_u32(&out, m->n_terms);
    kh_status st = kh_buf_failed(&out) ? nomem(m->err) : KH_OK;
    kh_sfile_begin(&m->w, KH_SEC_META);
    put(m, out.data, out.len);
    kh_sfile_end(&m->w);
    kh_buf_free(&out);
    return st;
}

kh_status kh_merge_segments(const char *dir, const char *name, kh_segment *const *src, size_t n,
                            uint32_t *n_docs, kh_error *err)
{
    *n_docs = 0;
    merger m;
    memset(&m, 0, sizeof m);
    m.dir = dir;
    m.name = name;
    m.src = src;
    m.n = n;
    m.err = err;
    kh_status st = build_maps(&m);
    char file[64], path[4096];
    snprintf(file, sizeof file, "%s.kseg", name);
    if (st == KH_OK && m.n_docs > 0) {
        if (kh_path_join(path, sizeof path, dir, file) != 0)
            st = kh_fail(err, KH_ERR_ARGUMENT, "%s: path too long", dir);
        else
            st = kh_sfile_create(&m.w, path, KH_SEG_MAGIC, err);
        if (st == KH_OK) {
            if ((st = write_docv(&m)) == KH_OK && (st = write_store(&m, 0)) == KH_OK &&
                (st = write_store(&m, 1)) == KH_OK && (st = write_postings(&m)) == KH_OK)
                st = write_meta(&m);
            if (st == KH_OK)
                st = kh_sfile_finish(&m.w, err);
            else
                kh_sfile_abort(&m.w);
        }
    }
    if (st == KH_OK)
        *n_docs = m.n_docs;
    if (m.map)
        for (size_t i = 0; i < n; i++)
            free(m.map[i]);
    free(m.map);
    free(m.doc_len);
    return st;
}
