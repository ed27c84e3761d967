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

/* Reads one string as a copy; returns 0 on success (NULL stays NULL), -1 on
 * corrupt data, -2 out of memory. */
static int get_str(kh_cursor *c, char **out)
{
    const char *p;
    size_t n;
    *out = NULL;
    if (get_span(c, &p, &n) != 0)
        return -1;
    if (!p)
        return 0;
    char *s = malloc(n + 1);
    if (!s)
        return -2;
    memcpy(s, p, n);
    s[n] = '\0';
    *out = s;
    return 0;
}

kh_status kh_stored_decode(const unsigned char *p, size_t len, kh_article *out)
{
    kh_article_clear(out);
    kh_cursor c = kh_cursor_make(p, len);
    char **fields[3] = {&out->published_raw, &out->author, &out->lang};
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++)
        rc = get_str(&c, fields[i]);
    uint64_t n = rc == 0 ? kh_get_varint(&c) : 0;
    if (rc == 0 && (c.bad || n > len))
        rc = -1;
    if (rc == 0 && n > 0) {
        out->captions = calloc((size_t)n, sizeof *out->captions);
        if (!out->captions)
            rc = -2;
        for (uint64_t i = 0; i < n && rc == 0; i++) {
            rc = get_str(&c, &out->captions[i]);
            if (rc == 0 && !out->captions[i])
                rc = -1;
            if (rc == 0 || out->captions[i])
                out->n_captions++;
        }
    }
    n = rc == 0 ? kh_get_varint(&c) : 0;
    if (rc == 0 && (c.bad || n > len))
        rc = -1;
    if (rc == 0 && n > 0) {
        out->blocks = calloc((size_t)n, sizeof *out->blocks);
        if (!out->blocks)
            rc = -2;
        for (uint64_t i = 0; i < n && rc == 0; i++) {
            const unsigned char *k = kh_get_bytes(&c, 1);
            if (!k || *k > KH_BLOCK_HEADING) {
                rc = -1;
                break;
            }
            out->blocks[i].kind = (kh_block_kind)*k;
            rc = get_str(&c, &out->blocks[i].text);
            if (rc == 0 && !out->blocks[i].text)
                rc = -1;
            if (rc == 0 || out->blocks[i].text)
                out->n_blocks++;
        }
    }
    if (rc == 0) {
        out->words = (size_t)kh_get_varint(&c);
        if (c.bad || c.p != c.end)
            rc = -1;
    }
    if (rc != 0) {
        kh_article_clear(out);
        return rc == -2 ? KH_ERR_NOMEM : KH_ERR_CORRUPT;
    }
    return KH_OK;
}

kh_status kh_stored_body(const unsigned char *p, size_t len, kh_buf *out)
{
    /* The walk and the checks are kh_stored_decode's, field by field, so
     * that a record one refuses the other refuses too; only the blocks'
     * text is kept, appended as kh_article_body joins it. */
    size_t out_start = out->len;
    kh_cursor c = kh_cursor_make(p, len);
    const char *s;
    size_t n_bytes;
    for (int i = 0; i < 3; i++)
        if (get_span(&c, &s, &n_bytes) != 0)
            goto corrupt;
    uint64_t n = kh_get_varint(&c);
    if (c.bad || n > len)
        goto corrupt;
    for (uint64_t i = 0; i < n; i++)
        if (get_span(&c, &s, &n_bytes) != 0 || !s)
            goto corrupt;
    n = kh_get_varint(&c);
    if (c.bad || n > len)
        goto corrupt;
    for (uint64_t i = 0; i < n; i++) {
        const unsigned char *k = kh_get_bytes(&c, 1);
        if (!k || *k > KH_BLOCK_HEADING || get_span(&c, &s, &n_bytes) != 0 || !s)
            goto corrupt;
        if (i)
            kh_buf_append(out, "\n\n", 2);
        kh_buf_append(out, s, n_bytes);
    }
    kh_get_varint(&c); /* words */
    if (c.bad || c.p != c.end)
        goto corrupt;
    return kh_buf_failed(out) ? KH_ERR_NOMEM : KH_OK;
corrupt:
    out->len = out_start;
    if (out->data)
        out->data[out_start] = '\0'; /* kh_buf keeps its text NUL-terminated */
    return KH_ERR_CORRUPT;
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
