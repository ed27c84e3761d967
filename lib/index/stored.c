/* stored.c — article records (see stored.h). */
#include "index/stored.h"

#include <stdlib.h>
#include <string.h>

#include "index/bytes.h"
#include "util/utf8.h"

static void put_str(kh_buf *b, const char *s)
{
    if (!s) {
        kh_put_varint(b, 0);
        return;
    }
    size_t n = strlen(s);
    kh_put_varint(b, (uint64_t)n + 1);
    kh_buf_append(b, s, n);
}

void kh_stored_encode(const kh_article *a, kh_buf *out)
{
    const char *fields[3] = {a->published_raw, a->author, a->lang};
    for (int i = 0; i < 3; i++)
        put_str(out, fields[i]);
    kh_put_varint(out, a->n_captions);
    for (size_t i = 0; i < a->n_captions; i++)
        put_str(out, a->captions[i]);
    kh_put_varint(out, a->n_blocks);
    for (size_t i = 0; i < a->n_blocks; i++) {
        kh_buf_putc(out, (char)a->blocks[i].kind);
        put_str(out, a->blocks[i].text);
    }
    kh_put_varint(out, a->words);
}

/* Reads one string in place: *out points into the record (NULL for a NULL
 * string), not NUL-terminated. Returns 0, or -1 on corrupt data. Stored text
 * must be valid UTF-8 without NUL: a flipped bit that slipped past the
 * checksum must not reach the caller as invalid text. */
static int get_span(kh_cursor *c, const char **out, size_t *len)
{
    uint64_t n = kh_get_varint(c);
    *out = NULL;
    *len = 0;
    if (c->bad)
        return -1;
    if (n == 0)
        return 0;
    const unsigned char *p = kh_get_bytes(c, (size_t)(n - 1));
    if (!p || memchr(p, 0, (size_t)(n - 1)) || !kh_utf8_valid((const char *)p, (size_t)(n - 1), NULL))
        return -1;
    *out = (const char *)p;
    *len = (size_t)(n - 1);
    return 0;
}

/* One walk over a record serves both readers below, so that a record one
 * of them refuses the other refuses too: the walk does every check and
 * hands each part to a visitor. A callback returns 0 to go on or -2 when
 * out of memory; a NULL one is skipped. Strings are spans into the record
 * (s NULL for a NULL field), not NUL-terminated. */
typedef struct record_visitor {
    void *ctx;
    int (*field)(void *ctx, int i, const char *s, size_t n);    /* published_raw, author, lang */
    int (*captions)(void *ctx, size_t n);                       /* before the n captions */
    int (*caption)(void *ctx, const char *s, size_t n);
    int (*blocks)(void *ctx, size_t n);                         /* before the n blocks */
    int (*block)(void *ctx, kh_block_kind kind, const char *s, size_t n);
    void (*words)(void *ctx, size_t words);
} record_visitor;

/* Returns 0, -1 when the record is corrupt, or a callback's -2. */
static int walk_record(const unsigned char *p, size_t len, const record_visitor *v)
{
    kh_cursor c = kh_cursor_make(p, len);
    const char *s;
    size_t n_bytes;
    int rc;
    for (int i = 0; i < 3; i++) {
        if (get_span(&c, &s, &n_bytes) != 0)
            return -1;
        if (v->field && (rc = v->field(v->ctx, i, s, n_bytes)) != 0)
            return rc;
    }
    /* A count is checked against the record's length before anything is
     * allocated for it: each caption or block takes at least a byte. */
    uint64_t n = kh_get_varint(&c);
    if (c.bad || n > len)
        return -1;
    if (n > 0 && v->captions && (rc = v->captions(v->ctx, (size_t)n)) != 0)
        return rc;
    for (uint64_t i = 0; i < n; i++) {
        if (get_span(&c, &s, &n_bytes) != 0 || !s)
            return -1;
        if (v->caption && (rc = v->caption(v->ctx, s, n_bytes)) != 0)
            return rc;
    }
    n = kh_get_varint(&c);
    if (c.bad || n > len)
        return -1;
    if (n > 0 && v->blocks && (rc = v->blocks(v->ctx, (size_t)n)) != 0)
        return rc;
    for (uint64_t i = 0; i < n; i++) {
        const unsigned char *k = kh_get_bytes(&c, 1);
        if (!k || *k > KH_BLOCK_HEADING || get_span(&c, &s, &n_bytes) != 0 || !s)
            return -1;
        if (v->block && (rc = v->block(v->ctx, (kh_block_kind)*k, s, n_bytes)) != 0)
            return rc;
    }
    size_t words = (size_t)kh_get_varint(&c);
    if (c.bad || c.p != c.end)
        return -1;
    if (v->words)
        v->words(v->ctx, words);
    return 0;
}

/* A copy of s[0..n) with a NUL; NULL stays NULL. Returns 0 or -2. */
static int copy_span(const char *s, size_t n, char **out)
{
    *out = NULL;
    if (!s)
        return 0;
    char *t = malloc(n + 1);
    if (!t)
        return -2;
    memcpy(t, s, n);
    t[n] = '\0';
    *out = t;
    return 0;
}

/* ---- kh_stored_decode: the whole article ---------------------------------- */

static int decode_field(void *ctx, int i, const char *s, size_t n)
{
    kh_article *a = ctx;
    char **fields[3] = {&a->published_raw, &a->author, &a->lang};
    return copy_span(s, n, fields[i]);
}

static int decode_captions(void *ctx, size_t n)
{
    kh_article *a = ctx;
    a->captions = calloc(n, sizeof *a->captions);
    return a->captions ? 0 : -2;
}

static int decode_caption(void *ctx, const char *s, size_t n)
{
    kh_article *a = ctx;
    int rc = copy_span(s, n, &a->captions[a->n_captions]);
    if (rc == 0)
        a->n_captions++;
    return rc;
}

static int decode_blocks(void *ctx, size_t n)
{
    kh_article *a = ctx;
    a->blocks = calloc(n, sizeof *a->blocks);
    return a->blocks ? 0 : -2;
}

static int decode_block(void *ctx, kh_block_kind kind, const char *s, size_t n)
{
    kh_article *a = ctx;
    a->blocks[a->n_blocks].kind = kind;
    int rc = copy_span(s, n, &a->blocks[a->n_blocks].text);
    if (rc == 0)
        a->n_blocks++;
    return rc;
}

static void decode_words(void *ctx, size_t words)
{
    ((kh_article *)ctx)->words = words;
}

kh_status kh_stored_decode(const unsigned char *p, size_t len, kh_article *out)
{
    kh_article_clear(out);
    const record_visitor v = {out, decode_field, decode_captions, decode_caption, decode_blocks, decode_block,
                              decode_words};
    int rc = walk_record(p, len, &v);
    if (rc != 0) {
        kh_article_clear(out);
        return rc == -2 ? KH_ERR_NOMEM : KH_ERR_CORRUPT;
    }
    return KH_OK;
}

/* ---- kh_stored_body: the blocks' text only -------------------------------- */

typedef struct body_walk {
    kh_buf *out;
    size_t blocks;              /* appended so far */
} body_walk;

static int body_block(void *ctx, kh_block_kind kind, const char *s, size_t n)
{
    (void)kind;
    body_walk *w = ctx;
    /* joined as kh_article_body joins them */
    if (w->blocks++)
        kh_buf_append(w->out, "\n\n", 2);
    kh_buf_append(w->out, s, n);
    return 0;
}

kh_status kh_stored_body(const unsigned char *p, size_t len, kh_buf *out)
{
    size_t out_start = out->len;
    body_walk w = {out, 0};
    const record_visitor v = {&w, NULL, NULL, NULL, NULL, body_block, NULL};
    if (walk_record(p, len, &v) != 0) {
        out->len = out_start;
        if (out->data)
            out->data[out_start] = '\0'; /* kh_buf keeps its text NUL-terminated */
        return KH_ERR_CORRUPT;
    }
    return kh_buf_failed(out) ? KH_ERR_NOMEM : KH_OK;
}

void kh_summary_encode(const kh_article *a, kh_buf *out)
{
    put_str(out, a->id);
    put_str(out, a->source);
    put_str(out, a->url);
    put_str(out, a->title);
    put_str(out, a->published);
}

int kh_summary_decode(const unsigned char *p, size_t len, kh_summary *out)
{
    kh_cursor c = kh_cursor_make(p, len);
    for (int i = 0; i < KH_SUM_FIELDS; i++) {
        uint64_t n = kh_get_varint(&c);
        out->s[i] = NULL;
        out->len[i] = 0;
        if (c.bad)
            return -1;
        if (n == 0)
            continue;
        const unsigned char *b = kh_get_bytes(&c, (size_t)(n - 1));
        if (!b || !kh_utf8_valid((const char *)b, (size_t)(n - 1), NULL))
            return -1;
        out->s[i] = (const char *)b;
        out->len[i] = (size_t)(n - 1);
    }
    return c.p == c.end ? 0 : -1;
}
