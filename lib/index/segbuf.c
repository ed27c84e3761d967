/* segbuf.c — the in-memory segment (see segbuf.h). */
#include "index/segbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/bytes.h"
#include "index/chunks.h"
#include "index/file.h"
#include "index/postings.h"
#include "index/segment.h"
#include "index/stored.h"
#include "index/termdict.h"
#include "index/when.h"
#include "util/error.h"

/* How much one occurrence counts towards a document's term frequency in the
 * all-text field: a word of the title says more about the article than a
 * word of the body (docs/search.md explains the choice of numbers). */
#define WEIGHT_TITLE 6
#define WEIGHT_HEADING 2
#define WEIGHT_BODY 1
#define WEIGHT_CAPTION 1
/* Positions left empty between pieces of text (title, each block), so that
 * a phrase never matches across the end of one block and the next. */
#define PIECE_GAP 16

/* chunks.h sets and explains the two stores' sizes and levels. Level 5 for the
 * whole articles would save ~0.35 CPU-s per ingest of the shared corpus
 * (of ~6) for a store 0.8 MB larger, which the 55.5 MB budget cannot spare
 * once the summary store's own changes are in — docs/index.md, "Indexing
 * on several cores". */
#define POSTINGS_WRITE_BATCH (1u << 20)

/* A small growable byte vector; a segment buffer has hundreds of thousands
 * of them, so it is 16 bytes, not a kh_buf. */
typedef struct bvec {
    unsigned char *p;
    uint32_t len, cap;
} bvec;

/* A term is split in two by how often it is touched. Inversion was bound by
 * cache misses (perf annotate: the slot, the term and its key bytes, a third
 * each), so everything one occurrence needs — the key to compare, the
 * current document's counts, the position stream — is in one 64-byte,
 * line-aligned bterm, with the key's head inline: a lookup touches the slot
 * and this one line. What only a document's end and the flush need is in
 * the parallel array of bterm_cold. */
#define KEY_INLINE 27
/* Terms longer than this are cut, consistently: absurdly long "words". */
#define TERM_MAX 254
typedef struct bterm {
    uint32_t cur_doc;               /* doc being accumulated; UINT32_MAX = none */
    uint32_t cur_npos, cur_tf, cur_last_pos;
    bvec pos;
    uint32_t key_off;               /* in keys: field letter + term (all of it) */
    uint8_t key_len;                /* up to TERM_MAX + the field letter */
    char key_head[KEY_INLINE];      /* its first bytes, compared without touching keys */
} bterm;
_Static_assert(sizeof(bterm) == 64, "one cache line per term");

/* An occurrence waiting in the batch (see flush_batch). */
#define BATCH 16
typedef struct pending {
    uint32_t hash, pos, weight, off, len;
    char field;
} pending;

typedef struct bterm_cold {
    bvec docs;
    uint32_t df;
    uint32_t last_doc;              /* last doc written to `docs`; UINT32_MAX = none */
} bterm_cold;

/* A string set with an index per string: terms, and the interned source and
 * author names. Open addressing, power-of-two table of term numbers + 1. */
typedef struct strmap {
    uint32_t *slots;
    size_t n_slots;
} strmap;

struct kh_segbuf {
    kh_buf keys;                    /* term bytes */
    bterm *terms;                   /* 64-byte aligned */
    bterm_cold *cold;
    size_t n_terms, cap_terms;
    uint64_t *term_slots;           /* see term_get */
    size_t n_term_slots;
    uint32_t *touched;              /* terms of the current document */
    pending batch[BATCH];
    size_t n_batch;
    char batch_text[BATCH * TERM_MAX]; /* their terms' bytes */
    size_t n_touched, cap_touched;

    /* per document */
    uint32_t n_docs;
    kh_buf doc_len, published, source_ord, author_ord;  /* little-endian arrays */
    kh_buf urls, url_end;           /* the urls, end offsets (u32): url terms are hashes */
    kh_buf deleted;                 /* bitmap */
    size_t n_deleted;
    uint64_t total_len;

    /* interned names */
    kh_buf names;                   /* bytes of the names */
    struct { uint32_t off, len; } *name_list[2];
    size_t n_names[2], cap_names[2];
    strmap name_map[2];

    kh_chunks_writer stored, summaries;
    kh_buf scratch;
    size_t vec_bytes;               /* memory held by the term vectors */
    int failed;
};

/* ---- hashing and the string maps ---- */

static uint32_t hash_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h ^ (h >> 15);
}

static int map_grow(strmap *m, size_t used, uint32_t (*hash_of)(void *, uint32_t), void *ctx)
{
    if (m->n_slots && used * 2 < m->n_slots)
        return 0;
    size_t n = m->n_slots ? m->n_slots * 2 : 1024;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < m->n_slots; i++) {
        if (!m->slots[i])
            continue;
        size_t j = hash_of(ctx, m->slots[i] - 1) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->n_slots = n;
    return 0;
}

/* ---- vectors ---- */

static int bvec_grow(kh_segbuf *b, bvec *v, size_t extra)
{
    if ((size_t)v->len + extra <= v->cap)
        return 0;
    size_t cap = v->cap ? v->cap : 8;
    while (cap < (size_t)v->len + extra)
        cap *= 2;
    if (cap > UINT32_MAX)
        return -1;
    unsigned char *p = realloc(v->p, cap);
    if (!p)
        return -1;
    b->vec_bytes += cap - v->cap;
    v->p = p;
    v->cap = (uint32_t)cap;
    return 0;
}

static void bvec_varint(kh_segbuf *b, bvec *v, uint64_t x)
{
    if (bvec_grow(b, v, 10) != 0) {
        b->failed = 1;
        return;
    }
    while (x >= 0x80) {
        v->p[v->len++] = (unsigned char)(x | 0x80);
        x >>= 7;
    }
    v->p[v->len++] = (unsigned char)x;
}

/* ---- public ---- */

kh_segbuf *kh_segbuf_new(void)
{
    kh_segbuf *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    kh_chunks_writer_init(&b->stored, KH_STORED_CHUNK, KH_STORED_LEVEL);
    kh_chunks_writer_init(&b->summaries, KH_SUMMARY_CHUNK, KH_SUMMARY_LEVEL);
    return b;
}

void kh_segbuf_free(kh_segbuf *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n_terms; i++) {
        free(b->cold[i].docs.p);
        free(b->terms[i].pos.p);
    }
    free(b->terms);
    free(b->cold);
    free(b->term_slots);
    free(b->touched);
    kh_buf_free(&b->keys);
    kh_buf_free(&b->doc_len);
    kh_buf_free(&b->published);
    kh_buf_free(&b->source_ord);
    kh_buf_free(&b->author_ord);
    kh_buf_free(&b->urls);
    kh_buf_free(&b->url_end);
    kh_buf_free(&b->deleted);
    kh_buf_free(&b->names);
    for (int k = 0; k < 2; k++) {
        free(b->name_list[k]);
        free(b->name_map[k].slots);
    }
    kh_chunks_writer_free(&b->stored);
    kh_chunks_writer_free(&b->summaries);
    kh_buf_free(&b->scratch);
    free(b);
}

size_t kh_segbuf_docs(const kh_segbuf *b) { return b->n_docs; }
size_t kh_segbuf_deleted(const kh_segbuf *b) { return b->n_deleted; }

size_t kh_segbuf_bytes(const kh_segbuf *b)
{
    return b->vec_bytes + b->keys.cap + b->cap_terms * (sizeof(bterm) + sizeof(bterm_cold)) +
           b->n_term_slots * 8 + kh_chunks_bytes(&b->stored) + kh_chunks_bytes(&b->summaries) +
           b->doc_len.cap * 6 + b->urls.cap + b->url_end.cap;
}

/* The term table: open addressing over (hash << 32 | term number + 1), so a
 * probe compares hashes without touching the term itself. */
static int term_table_grow(kh_segbuf *b)
{
    size_t n = b->n_term_slots ? b->n_term_slots * 2 : 4096;
    uint64_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < b->n_term_slots; i++) {
        uint64_t v = b->term_slots[i];
        if (!v)
            continue;
        size_t j = (size_t)(v >> 32) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = v;
    }
    free(b->term_slots);
    b->term_slots = slots;
    b->n_term_slots = n;
    return 0;
}

static uint32_t term_hash(char field, const char *text, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a over the field letter and the text */
    h = (h ^ (unsigned char)field) * 16777619u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 16777619u;
    return h ^ (h >> 15);
}

static int term_is(const kh_segbuf *b, const bterm *t, char field, const char *text, size_t len)
{
    if (t->key_len != len + 1 || t->key_head[0] != field)
        return 0;
    size_t head = len < KEY_INLINE - 1 ? len : KEY_INLINE - 1;
    if (memcmp(t->key_head + 1, text, head) != 0)
        return 0;
    return len == head || !memcmp(b->keys.data + t->key_off + KEY_INLINE, text + head, len - head);
}

static int terms_grow(kh_segbuf *b)
{
    size_t cap = b->cap_terms ? b->cap_terms * 2 : 4096;
    /* aligned_alloc has no realloc: copy (doubling keeps this rare) */
    bterm *t = aligned_alloc(64, cap * sizeof *t);
    bterm_cold *c = realloc(b->cold, cap * sizeof *c);
    if (c)
        b->cold = c;
    if (!t || !c) {
        free(t);
        return -1;
    }
    if (b->n_terms)
        memcpy(t, b->terms, b->n_terms * sizeof *t);
    free(b->terms);
    b->terms = t;
    b->cap_terms = cap;
    return 0;
}

/* Finds or creates the term field+text (len <= TERM_MAX) whose term_hash
 * is h; returns its number or -1. */
static long term_find(kh_segbuf *b, char field, const char *text, size_t len, uint32_t h, int create)
{
    if (b->n_term_slots == 0 && (!create || term_table_grow(b) != 0))
        return -1;
    size_t mask = b->n_term_slots - 1, i = h & mask;
    for (uint64_t v; (v = b->term_slots[i]) != 0; i = (i + 1) & mask) {
        if ((uint32_t)(v >> 32) == h && term_is(b, &b->terms[(uint32_t)v - 1], field, text, len))
            return (long)(uint32_t)v - 1;
    }
    if (!create)
        return -1;
    if (b->n_terms == b->cap_terms && terms_grow(b) != 0)
        return -1;
    bterm *t = &b->terms[b->n_terms];
    memset(t, 0, sizeof *t);
    t->key_off = (uint32_t)b->keys.len;
    t->key_len = (uint8_t)(len + 1);
    t->cur_doc = UINT32_MAX;
    t->key_head[0] = field;
    memcpy(t->key_head + 1, text, len < KEY_INLINE - 1 ? len : KEY_INLINE - 1);
    bterm_cold *c = &b->cold[b->n_terms];
    memset(c, 0, sizeof *c);
    c->last_doc = UINT32_MAX;
    kh_buf_putc(&b->keys, field);
    kh_buf_append(&b->keys, text, len);
    if (kh_buf_failed(&b->keys))
        return -1;
    b->term_slots[i] = (uint64_t)h << 32 | (uint64_t)(b->n_terms + 1);
    b->n_terms++;
    if (b->n_terms * 2 >= b->n_term_slots && term_table_grow(b) != 0)
        return -1;
    return (long)b->n_terms - 1;
}

static long term_get(kh_segbuf *b, char field, const char *text, size_t len, int create)
{
    if (len > TERM_MAX)
        len = TERM_MAX;
    return term_find(b, field, text, len, term_hash(field, text, len), create);
}

/* Records one occurrence of term id at pos in the current document. */
static void occurrence_of(kh_segbuf *b, long id, uint32_t pos, uint32_t weight)
{
    if (id < 0) {
        b->failed = 1;
        return;
    }
    bterm *t = &b->terms[id];
    if (t->cur_doc != b->n_docs) {
        if (b->n_touched == b->cap_touched) {
            size_t cap = b->cap_touched ? b->cap_touched * 2 : 1024;
            uint32_t *p = realloc(b->touched, cap * sizeof *p);
            if (!p) {
                b->failed = 1;
                return;
            }
            b->touched = p;
            b->cap_touched = cap;
        }
        b->touched[b->n_touched++] = (uint32_t)id;
        t->cur_doc = b->n_docs;
        t->cur_npos = 0;
        t->cur_tf = 0;
        t->cur_last_pos = 0;
    }
    /* positions ascend within a field; a repeat (never expected) is kept as a gap of 0 */
    uint32_t gap = t->cur_npos == 0 ? pos : (pos >= t->cur_last_pos ? pos - t->cur_last_pos : 0);
    bvec_varint(b, &t->pos, gap);
    if (t->cur_npos == 0 || pos > t->cur_last_pos)
        t->cur_last_pos = pos;
    t->cur_npos++;
    t->cur_tf += weight;
}

static void add_occurrence(kh_segbuf *b, char field, const char *term, size_t len, uint32_t pos,
                           uint32_t weight)
{
    occurrence_of(b, term_get(b, field, term, len, 1), pos, weight);
}

/* Indexes the batched occurrences. The term table is far larger than the
 * caches, so a lookup one at a time waits for memory twice (slot, term);
 * looking up a batch in passes — prefetch every slot, then every term the
 * slots point to, then do the work — lets those misses overlap. The
 * prefetches are only hints: the last pass looks everything up afresh, so
 * a term created earlier in the batch is found. */
static void flush_batch(kh_segbuf *b)
{
    size_t n = b->n_batch;
    long cand[BATCH];
    if (b->n_term_slots) {
        size_t mask = b->n_term_slots - 1;
        for (size_t i = 0; i < n; i++)
            __builtin_prefetch(&b->term_slots[b->batch[i].hash & mask]);
        for (size_t i = 0; i < n; i++) {
            uint64_t v = b->term_slots[b->batch[i].hash & mask];
            cand[i] = v && (uint32_t)(v >> 32) == b->batch[i].hash ? (long)(uint32_t)v - 1 : -1;
            if (cand[i] >= 0)
                __builtin_prefetch(&b->terms[cand[i]]);
        }
    } else {
        for (size_t i = 0; i < n; i++)
            cand[i] = -1;
    }
    for (size_t i = 0; i < n; i++) {
        /* the position stream's end, a few occurrences ahead */
        if (i + 4 < n && cand[i + 4] >= 0) {
            const bterm *ahead = &b->terms[cand[i + 4]];
            __builtin_prefetch(ahead->pos.p + ahead->pos.len, 1);
        }
        const pending *o = &b->batch[i];
        occurrence_of(b, term_find(b, o->field, b->batch_text + o->off, o->len, o->hash, 1), o->pos,
                      o->weight);
    }
    b->n_batch = 0;
}

static void batch_add(kh_segbuf *b, char field, const char *term, size_t len, uint32_t pos,
                      uint32_t weight)
{
    if (len > TERM_MAX)
        len = TERM_MAX;
    if (b->n_batch == BATCH)
        flush_batch(b);
    pending *o = &b->batch[b->n_batch];
    o->off = (uint32_t)(b->n_batch * TERM_MAX);
    memcpy(b->batch_text + o->off, term, len);
    o->len = (uint32_t)len;
    o->hash = term_hash(field, term, len);
    o->pos = pos;
    o->weight = weight;
    o->field = field;
    b->n_batch++;
}

/* Analyzes one piece of text into the all-text field (and the title field);
 * returns the position after its last token. */
static uint32_t add_piece(kh_segbuf *b, kh_analyzer *an, const char *text, uint32_t base,
                          uint32_t weight, int is_title, uint32_t *doc_len)
{
    if (!text)
        return base;
    kh_analyzer_start(an, text, strlen(text));
    kh_token tok;
    uint32_t end = base;
    while (kh_analyzer_next_token(an, &tok)) {
        uint32_t pos = base + tok.position;
        end = pos + 1;
        if (tok.is_stopword || tok.term_len == 0)
            continue;
        batch_add(b, KH_FIELD_TEXT, tok.term, tok.term_len, pos, weight);
        if (is_title)
            batch_add(b, KH_FIELD_TITLE, tok.term, tok.term_len, pos, 1);
        (*doc_len)++;
    }
    flush_batch(b);
    return end;
}

typedef struct name_ctx {
    kh_segbuf *b;
    int k;
} name_ctx;

static uint32_t name_hash(void *ctx, uint32_t o)
{
    name_ctx *c = ctx;
    return hash_bytes(c->b->names.data + c->b->name_list[c->k][o].off, c->b->name_list[c->k][o].len);
}

/* Interns a source (k = 0) or author (k = 1) name; returns its ordinal. */
static uint32_t intern_name(kh_segbuf *b, int k, const char *s)
{
    if (!s)
        return KH_NO_ORD;
    size_t len = strlen(s);
    uint32_t h = hash_bytes(s, len);
    strmap *m = &b->name_map[k];
    name_ctx ctx = {b, k};
    if (map_grow(m, b->n_names[k], name_hash, &ctx) != 0) {
        b->failed = 1;
        return KH_NO_ORD;
    }
    size_t mask = m->n_slots - 1, i = h & mask;
    while (m->slots[i]) {
        uint32_t o = m->slots[i] - 1;
        if (b->name_list[k][o].len == len && !memcmp(b->names.data + b->name_list[k][o].off, s, len))
            return o;
        i = (i + 1) & mask;
    }
    if (b->n_names[k] == b->cap_names[k]) {
        size_t cap = b->cap_names[k] ? b->cap_names[k] * 2 : 64;
        void *p = realloc(b->name_list[k], cap * sizeof *b->name_list[k]);
        if (!p) {
            b->failed = 1;
            return KH_NO_ORD;
        }
        b->name_list[k] = p;
        b->cap_names[k] = cap;
    }
    uint32_t o = (uint32_t)b->n_names[k]++;
    b->name_list[k][o].off = (uint32_t)b->names.len;
    b->name_list[k][o].len = (uint32_t)len;
    kh_buf_append(&b->names, s, len);
    m->slots[i] = o + 1;
    return o;
}

static void bitmap_set(kh_buf *bm, uint32_t doc)
{
    ((unsigned char *)bm->data)[doc >> 3] |= (unsigned char)(1u << (doc & 7));
}

static int bitmap_get(const kh_buf *bm, uint32_t doc)
{
    return ((const unsigned char *)bm->data)[doc >> 3] >> (doc & 7) & 1;
}

/* Whether buffered document doc was added with this url. */
static int doc_has_url(const kh_segbuf *b, uint32_t doc, const char *url, size_t len)
{
    const unsigned char *end = (const unsigned char *)b->url_end.data;
    uint32_t from = doc ? kh_get_u32(end + (size_t)(doc - 1) * 4) : 0;
    uint32_t to = kh_get_u32(end + (size_t)doc * 4);
    return to - from == len && !memcmp(b->urls.data + from, url, len);
}

size_t kh_segbuf_delete_term(kh_segbuf *b, char field, const char *key, size_t len)
{
    char url_term[KH_URL_TERM_LEN];
    int by_url = field == KH_FIELD_URL;
    long id;
    if (by_url) { /* the term is a hash: check each document's own url */
        kh_url_term(key, len, url_term);
        id = term_get(b, field, url_term + 1, KH_URL_TERM_LEN - 1, 0);
    } else {
        id = term_get(b, field, key, len, 0);
    }
    if (id < 0)
        return 0;
    const bterm_cold *t = &b->cold[id];
    size_t n = 0;
    kh_cursor c = kh_cursor_make(t->docs.p, t->docs.len);
    uint32_t doc = UINT32_MAX;
    for (uint32_t i = 0; i < t->df; i++) {
        uint64_t delta;
        uint32_t npos, tf;
        kh_doc_entry_read(&c, &delta, &npos, &tf);
        doc += (uint32_t)delta;
        if (by_url && !doc_has_url(b, doc, key, len))
            continue;
        if (!bitmap_get(&b->deleted, doc)) {
            bitmap_set(&b->deleted, doc);
            n++;
        }
    }
    b->n_deleted += n;
    return n;
}

/* Lowercases ASCII letters: source codes are matched without case. */
static void ascii_lower(kh_buf *out, const char *s)
{
    kh_buf_reset(out);
    for (; *s; s++)
        kh_buf_putc(out, (*s >= 'A' && *s <= 'Z') ? (char)(*s + 32) : *s);
}

kh_status kh_segbuf_add(kh_segbuf *b, kh_analyzer *an, const kh_article *a, kh_error *err)
{
    if (!a->id || !*a->id)
        return kh_fail(err, KH_ERR_ARGUMENT, "article has no id");
    if (b->n_docs >= UINT32_MAX - 1)
        return kh_fail(err, KH_ERR_TOO_LARGE, "segment buffer is full");
    uint32_t doc_len = 0, pos = 0;
    b->n_touched = 0;

    pos = add_piece(b, an, a->title, pos, WEIGHT_TITLE, 1, &doc_len) + PIECE_GAP;
    for (size_t i = 0; i < a->n_blocks; i++)
        pos = add_piece(b, an, a->blocks[i].text, pos,
                        a->blocks[i].kind == KH_BLOCK_HEADING ? WEIGHT_HEADING : WEIGHT_BODY, 0,
                        &doc_len) + PIECE_GAP;
    for (size_t i = 0; i < a->n_captions; i++)
        pos = add_piece(b, an, a->captions[i], pos, WEIGHT_CAPTION, 0, &doc_len) + PIECE_GAP;

    if (a->author) {
        kh_analyzer_start(an, a->author, strlen(a->author));
        kh_token tok;
        while (kh_analyzer_next_token(an, &tok))
            if (!tok.is_stopword && tok.term_len)
                add_occurrence(b, KH_FIELD_AUTHOR, tok.term, tok.term_len, tok.position, 1);
    }
    if (a->source) {
        ascii_lower(&b->scratch, a->source);
        if (b->scratch.len)
            add_occurrence(b, KH_FIELD_SOURCE, b->scratch.data, b->scratch.len, 0, 1);
    }
    add_occurrence(b, KH_FIELD_ID, a->id, strlen(a->id), 0, 1);
    if (a->url) {
        char url_term[KH_URL_TERM_LEN];
        kh_url_term(a->url, strlen(a->url), url_term);
        add_occurrence(b, KH_FIELD_URL, url_term + 1, KH_URL_TERM_LEN - 1, 0, 1);
        kh_buf_append(&b->urls, a->url, strlen(a->url));
    }
    kh_put_u32(&b->url_end, (uint32_t)b->urls.len);

    /* the document's entry in every term it touched */
    uint32_t doc = b->n_docs;
    for (size_t i = 0; i < b->n_touched; i++) {
        bterm *t = &b->terms[b->touched[i]];
        bterm_cold *c = &b->cold[b->touched[i]];
        /* postings.h's doc entry; last_doc UINT32_MAX acts as -1 */
        uint64_t delta = (uint32_t)(doc - c->last_doc), v[3];
        int n = kh_doc_entry_make(delta, t->cur_npos, t->cur_tf, v);
        for (int k = 0; k < n; k++)
            bvec_varint(b, &c->docs, v[k]);
        c->last_doc = doc;
        c->df++;
        t->cur_doc = UINT32_MAX;
    }

    int64_t when = KH_UNDATED;
    int has_time;
    if (a->published && kh_when_parse(a->published, strlen(a->published), &when, &has_time) != 0)
        when = KH_UNDATED;
    kh_put_u32(&b->doc_len, doc_len);
    kh_put_u64(&b->published, (uint64_t)when);
    kh_put_u32(&b->source_ord, intern_name(b, 0, a->source));
    kh_put_u32(&b->author_ord, intern_name(b, 1, a->author));
    if ((doc & 7) == 0)
        kh_buf_putc(&b->deleted, 0);
    b->total_len += doc_len;

    kh_buf_reset(&b->scratch);
    kh_stored_encode(a, &b->scratch);
    kh_chunks_add(&b->stored, b->scratch.data, b->scratch.len);
    kh_buf_reset(&b->scratch);
    kh_summary_encode(a, &b->scratch);
    kh_chunks_add(&b->summaries, b->scratch.data, b->scratch.len);
    b->n_docs++;

    if (b->failed || kh_buf_failed(&b->doc_len) || kh_buf_failed(&b->published) ||
        kh_buf_failed(&b->source_ord) || kh_buf_failed(&b->author_ord) ||
        kh_buf_failed(&b->deleted) || kh_buf_failed(&b->urls) || kh_buf_failed(&b->url_end) || kh_buf_failed(&b->scratch) || kh_buf_failed(&b->names) ||
        b->stored.failed || b->summaries.failed) {
        b->failed = 1;
        return kh_fail(err, KH_ERR_NOMEM, "out of memory while indexing article %s", a->id);
    }
    return KH_OK;
}

/* ---- flushing ---- */

static int cmp_terms(const void *x, const void *y, void *ctx)
{
    const kh_segbuf *b = ctx;
    const bterm *s = &b->terms[*(const uint32_t *)x], *t = &b->terms[*(const uint32_t *)y];
    size_t n = s->key_len < t->key_len ? s->key_len : t->key_len;
    int c = memcmp(b->keys.data + s->key_off, b->keys.data + t->key_off, n);
    if (c)
        return c;
    return s->key_len < t->key_len ? -1 : s->key_len > t->key_len;
}

/* qsort has no context argument in C17; a tiny merge sort does. */
static void sort_terms(uint32_t *a, uint32_t *tmp, size_t n, const kh_segbuf *b)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_terms(a, tmp, h, b);
    sort_terms(a + h, tmp, n - h, b);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_terms(&a[j], &a[i], (void *)b) < 0 ? a[j++] : a[i++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static void write_names(kh_sfile_writer *w, const kh_segbuf *b, int k, kh_buf *tmp)
{
    kh_buf_reset(tmp);
    kh_put_u32(tmp, (uint32_t)b->n_names[k]);
    uint32_t off = 0;
    for (size_t i = 0; i < b->n_names[k]; i++) {
        kh_put_u32(tmp, off);
        off += b->name_list[k][i].len;
    }
    kh_put_u32(tmp, off);
    for (size_t i = 0; i < b->n_names[k]; i++)
        kh_buf_append(tmp, b->names.data + b->name_list[k][i].off, b->name_list[k][i].len);
    kh_sfile_write(w, tmp->data, tmp->len);
}

kh_status kh_segbuf_write(kh_segbuf *b, const char *dir, const char *name, uint8_t **deleted,
                          kh_error *err)
{
    *deleted = NULL;
    if (b->failed)
        return kh_fail(err, KH_ERR_NOMEM, "segment buffer is incomplete after an allocation failure");
    if (kh_chunks_flush(&b->stored) != 0 || kh_chunks_flush(&b->summaries) != 0)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory compressing stored articles");
    char file[64], path[4096];
    snprintf(file, sizeof file, "%s.kseg", name);
    if (kh_path_join(path, sizeof path, dir, file) != 0)
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: path too long", dir);

    uint32_t *order = malloc((b->n_terms + 1) * sizeof *order);
    uint32_t *tmp = malloc((b->n_terms + 1) * sizeof *tmp);
    if (!order || !tmp) {
        free(order);
        free(tmp);
        return kh_fail(err, KH_ERR_NOMEM, "out of memory sorting terms");
    }
    for (size_t i = 0; i < b->n_terms; i++)
        order[i] = (uint32_t)i;
    sort_terms(order, tmp, b->n_terms, b);
    free(tmp);

    kh_sfile_writer w;
    kh_status st = kh_sfile_create(&w, path, KH_SEG_MAGIC, err);
    if (st != KH_OK) {
        free(order);
        return st;
    }
    kh_buf out = KH_BUF_INIT, dict = KH_BUF_INIT;

    kh_sfile_begin(&w, KH_SEC_META);
    kh_put_u32(&out, KH_SEGMENT_FORMAT);
    kh_put_u32(&out, b->n_docs);
    kh_put_u64(&out, b->total_len);
    kh_put_u32(&out, (uint32_t)b->n_terms);
    kh_sfile_write(&w, out.data, out.len);
    kh_sfile_end(&w);

    kh_sfile_begin(&w, KH_SEC_DOCV);
    kh_sfile_write(&w, b->doc_len.data, b->doc_len.len);
    kh_sfile_write(&w, b->published.data, b->published.len);
    kh_sfile_write(&w, b->source_ord.data, b->source_ord.len);
    kh_sfile_write(&w, b->author_ord.data, b->author_ord.len);
    write_names(&w, b, 0, &out);
    write_names(&w, b, 1, &out);
    kh_sfile_end(&w);

    /* postings, term by term in sorted order, and the dictionary beside them */
    const uint32_t *lens = (const uint32_t *)b->doc_len.data;
    uint32_t *lens_copy = NULL;
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    lens_copy = malloc(b->n_docs * sizeof *lens_copy);
    for (uint32_t d = 0; lens_copy && d < b->n_docs; d++)
        lens_copy[d] = kh_get_u32((const unsigned char *)b->doc_len.data + d * 4);
    lens = lens_copy;
#endif
    kh_termdict_writer tw;
    memset(&tw, 0, sizeof tw);
    /* Postings are gathered into `out` and written in ~1 MiB pieces: most
     * terms' lists are a few bytes, and one write(2) (plus one CRC call) per
     * term cost more CPU than encoding them (perf: 6% of an ingest). */
    kh_sfile_begin(&w, KH_SEC_POST);
    kh_buf_reset(&out);
    for (size_t i = 0; i < b->n_terms; i++) {
        const bterm *t = &b->terms[order[i]];
        const bterm_cold *c = &b->cold[order[i]];
        size_t before = out.len;
        kh_postings_encode(c->docs.p, c->docs.len, t->pos.p, t->pos.len, c->df, lens, &out);
        kh_termdict_add(&tw, b->keys.data + t->key_off, t->key_len, c->df, out.len - before);
        if (out.len >= POSTINGS_WRITE_BATCH) {
            kh_sfile_write(&w, out.data, out.len);
            kh_buf_reset(&out);
        }
    }
    kh_sfile_write(&w, out.data, out.len);
    free(lens_copy);
    kh_sfile_end(&w);
    kh_termdict_finish(&tw, &dict);

    kh_sfile_begin(&w, KH_SEC_TDIC);
    kh_sfile_write(&w, dict.data, dict.len);
    kh_sfile_end(&w);
    free(order);

    const kh_chunks_writer *stores[2] = {&b->stored, &b->summaries};
    const uint32_t ids[2][2] = {{KH_SEC_STIX, KH_SEC_STOR}, {KH_SEC_SMIX, KH_SEC_SMRY}};
    for (int k = 0; k < 2; k++) {
        kh_sfile_begin(&w, ids[k][0]);
        kh_sfile_write(&w, stores[k]->index.data, stores[k]->index.len);
        kh_sfile_end(&w);
        kh_sfile_begin(&w, ids[k][1]);
        kh_sfile_write(&w, stores[k]->data.data, stores[k]->data.len);
        kh_sfile_end(&w);
    }
    int oom = kh_buf_failed(&out) || kh_buf_failed(&dict);
    kh_buf_free(&out);
    kh_buf_free(&dict);
    if (oom) {
        kh_sfile_abort(&w);
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", path);
    }
    st = kh_sfile_finish(&w, err);
    if (st != KH_OK)
        return st;
    if (b->n_deleted > 0) {
        size_t n = (b->n_docs + 7) / 8;
        *deleted = malloc(n ? n : 1);
        if (!*deleted)
            return kh_fail(err, KH_ERR_NOMEM, "out of memory");
        memcpy(*deleted, b->deleted.data, n);
    }
    return KH_OK;
}
