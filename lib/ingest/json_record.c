/* json_record.c — one JSON record to one article.
 *
 * Feeds name the same things differently: SaudiNewsNet has title/content/
 * date_extracted, schema.org has headline/articleBody/datePublished, RSS-like
 * exports have link/pubDate/description, and khabar's own output has
 * paragraphs/headings/body. Each article field has an ordered list of names
 * to look for; the first present, non-empty one wins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/formats.h"
#include "util/buf.h"
#include "util/error.h"

static const char *const ID_KEYS[] = {"id", NULL};
static const char *const SOURCE_KEYS[] = {"source", "site_name", "publisher", "site", NULL};
static const char *const URL_KEYS[] = {"url", "link", "canonical_url", NULL};
static const char *const TITLE_KEYS[] = {"title", "headline", NULL};
static const char *const AUTHOR_KEYS[] = {"author", "authors", "byline", "creator", NULL};
static const char *const LANG_KEYS[] = {"lang", "language", "inLanguage", NULL};
/* date_extracted (when the crawler fetched the page) comes last: the best
 * evidence of the publication time when a feed has nothing better. */
static const char *const DATE_KEYS[] = {"published", "datePublished", "date_published", "published_at",
                                        "pubDate", "date", "date_extracted", NULL};
static const char *const TEXT_KEYS[] = {"content", "articleBody", "body", "text", "description", NULL};
static const char *const CAPTION_KEYS[] = {"captions", "caption", "image_caption", NULL};

/* Appends the text of a JSON value to b: a string as is, a number in
 * decimal, an object by its "name" (schema.org Person/Organization), an
 * array as its items joined by "، ". Returns 1 if anything was appended. */
static int append_value_text(kh_buf *b, json_t *v)
{
    size_t before = b->len;
    if (json_is_string(v)) {
        kh_buf_append(b, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        kh_buf_printf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        kh_buf_printf(b, "%.17g", json_real_value(v));
    } else if (json_is_object(v)) {
        json_t *name = json_object_get(v, "name");
        if (json_is_string(name))
            kh_buf_append(b, json_string_value(name), json_string_length(name));
    } else if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            size_t mark = b->len;
            if (b->len > before)
                kh_buf_puts(b, "، ");
            if (!append_value_text(b, item)) {
                b->len = mark;
                if (b->data)
                    b->data[mark] = '\0';
            }
        }
    }
    return b->len > before;
}

/* Finds the first key with a non-empty value; its text goes to b (reset
 * first). Returns the key found, or NULL. */
static const char *first_text(json_t *rec, const char *const *keys, kh_buf *b)
{
    for (; *keys; keys++) {
        json_t *v = json_object_get(rec, *keys);
        if (!v)
            continue;
        kh_buf_reset(b);
        if (append_value_text(b, v))
            return *keys;
    }
    return NULL;
}

static kh_status set_from(json_t *rec, const char *const *keys, char **field, kh_buf *b)
{
    if (!first_text(rec, keys, b))
        return KH_OK;
    return kh_article_set(field, b->data, b->len);
}

/* Identifiers are kept byte for byte: NFC could change a URL's path. */
static kh_status set_verbatim_from(json_t *rec, const char *const *keys, char **field, kh_buf *b)
{
    if (!first_text(rec, keys, b))
        return KH_OK;
    return kh_article_set_verbatim(field, b->data, b->len);
}

/* A body given as one string: one paragraph per line (blank lines and
 * lines of spaces separate nothing). */
static kh_status add_lines(kh_article *a, const char *s, size_t len)
{
    const char *end = s + len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *line_end = nl ? nl : end;
        kh_status st = kh_article_add_block(a, KH_BLOCK_PARAGRAPH, s, (size_t)(line_end - s));
        if (st != KH_OK)
            return st;
        s = nl ? nl + 1 : end;
    }
    return KH_OK;
}

/* Is s[0..len) the next heading of `headings` (at *next)? Headings are
 * matched in order, so that a paragraph with a heading's text stays one. */
static int is_next_heading(json_t *headings, size_t *next, const char *s, size_t len)
{
    json_t *h = json_array_get(headings, *next);
    if (json_is_string(h) && json_string_length(h) == len && !memcmp(json_string_value(h), s, len)) {
        (*next)++;
        return 1;
    }
    return 0;
}

/* The body, from khabar's own shape when present (body split at blank lines,
 * blocks found in "headings" being headings), then a "paragraphs" array,
 * then the first text field. */
static kh_status set_body(json_t *rec, kh_article *a, kh_buf *b)
{
    json_t *body = json_object_get(rec, "body");
    json_t *headings = json_object_get(rec, "headings");
    json_t *paragraphs = json_object_get(rec, "paragraphs");
    kh_status st = KH_OK;
    if (json_is_string(body) && (json_is_array(headings) || json_is_array(paragraphs))) {
        const char *s = json_string_value(body), *end = s + json_string_length(body);
        size_t next_heading = 0;
        while (s < end && st == KH_OK) {
            const char *sep = strstr(s, "\n\n");
            const char *block_end = sep && sep < end ? sep : end;
            size_t len = (size_t)(block_end - s);
            int heading = json_is_array(headings) && is_next_heading(headings, &next_heading, s, len);
            st = kh_article_add_block(a, heading ? KH_BLOCK_HEADING : KH_BLOCK_PARAGRAPH, s, len);
            s = block_end == end ? end : block_end + 2;
        }
        return st;
    }
    if (json_is_array(paragraphs) && json_array_size(paragraphs) > 0) {
        size_t i;
        json_t *p;
        json_array_foreach(paragraphs, i, p) {
            if (json_is_string(p) &&
                (st = kh_article_add_block(a, KH_BLOCK_PARAGRAPH, json_string_value(p),
                                           json_string_length(p))) != KH_OK)
                return st;
        }
        return KH_OK;
    }
    const char *key = first_text(rec, TEXT_KEYS, b);
    return key ? add_lines(a, b->data, b->len) : KH_OK;
}

static kh_status set_captions(json_t *rec, kh_article *a)
{
    for (const char *const *key = CAPTION_KEYS; *key; key++) {
        json_t *v = json_object_get(rec, *key);
        if (json_is_string(v))
            return kh_article_add_caption(a, json_string_value(v), json_string_length(v));
        if (json_is_array(v)) {
            size_t i;
            json_t *item;
            json_array_foreach(v, i, item) {
                kh_status st = KH_OK;
                if (json_is_string(item))
                    st = kh_article_add_caption(a, json_string_value(item), json_string_length(item));
                if (st != KH_OK)
                    return st;
            }
            return KH_OK;
        }
    }
    return KH_OK;
}

/* published_raw is the text as written; published its ISO form when the
 * date parser understands it. A date it does not understand is kept raw
 * rather than guessed. khabar's own JSON carries both. */
static kh_status set_dates(json_t *rec, kh_article *a, kh_buf *b)
{
    kh_status st = KH_OK;
    json_t *raw = json_object_get(rec, "published_raw");
    if (json_is_string(raw) &&
        (st = kh_article_set(&a->published_raw, json_string_value(raw), json_string_length(raw))) != KH_OK)
        return st;
    const char *key = first_text(rec, DATE_KEYS, b);
    if (!key)
        return KH_OK;
    if (!a->published_raw && (st = kh_article_set(&a->published_raw, b->data, b->len)) != KH_OK)
        return st;
    kh_datetime dt;
    if (kh_date_parse(b->data, b->len, &dt, NULL) == KH_OK) {
        char iso[32];
        size_t n = kh_datetime_format(&dt, iso, sizeof iso);
        return kh_article_set(&a->published, iso, n);
    }
    return KH_OK;
}

kh_status kh_json_record_parse(json_t *rec, kh_article *a, kh_error *err)
{
    if (!json_is_object(rec))
        return kh_fail(err, KH_ERR_PARSE, "record is a JSON %s, not an object",
                       json_is_array(rec) ? "array" : json_is_string(rec) ? "string" : "scalar");
    kh_buf b = KH_BUF_INIT;
    kh_status st = KH_OK;
    if (st == KH_OK) st = set_verbatim_from(rec, ID_KEYS, &a->id, &b);
    if (st == KH_OK) st = set_from(rec, SOURCE_KEYS, &a->source, &b);
    if (st == KH_OK) st = set_verbatim_from(rec, URL_KEYS, &a->url, &b);
    if (st == KH_OK) st = set_from(rec, TITLE_KEYS, &a->title, &b);
    if (st == KH_OK) st = set_from(rec, AUTHOR_KEYS, &a->author, &b);
    if (st == KH_OK) st = set_from(rec, LANG_KEYS, &a->lang, &b);
    if (st == KH_OK) st = set_dates(rec, a, &b);
    if (st == KH_OK) st = set_captions(rec, a);
    if (st == KH_OK) st = set_body(rec, a, &b);
    int failed = kh_buf_failed(&b);
    kh_buf_free(&b);
    if (st != KH_OK || failed)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    /* A record whose page the crawler could not read (no title, no text) is
     * still an article when its URL says which page it was: it can be
     * looked up and re-fetched. Without even a URL there is nothing. */
    if (!a->title && a->n_blocks == 0 && !a->url)
        return kh_fail(err, KH_ERR_EMPTY, "record has no title, no body and no URL");
    return KH_OK;
}
