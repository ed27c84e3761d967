/* article.c — the article model: building, deriving ids, serialising.
 *
 * Every string enters through kh_article_set / _add_block / _add_caption,
 * which clean it (util/text.c), so the rest of khabar can rely on the model's
 * invariants: NFC, collapsed whitespace, no empty strings (NULL instead), no
 * empty blocks, no duplicate captions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "khabar.h"
#include "ingest/article.h"
#include "ingest/url.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/utf8.h"

void kh_article_init(kh_article *a) { memset(a, 0, sizeof *a); }

void kh_article_clear(kh_article *a)
{
    free(a->id);
    free(a->source);
    free(a->url);
    free(a->title);
    free(a->published);
    free(a->published_raw);
    free(a->author);
    free(a->lang);
    for (size_t i = 0; i < a->n_captions; i++)
        free(a->captions[i]);
    free(a->captions);
    for (size_t i = 0; i < a->n_blocks; i++)
        free(a->blocks[i].text);
    free(a->blocks);
    kh_article_init(a);
}

/* Cleans text into a new string; *out = NULL when it cleans to nothing. */
static kh_status clean_copy(const char *text, size_t len, char **out)
{
    kh_buf b = KH_BUF_INIT;
    kh_text_clean(text, len, &b);
    if (kh_buf_failed(&b)) {
        kh_buf_free(&b);
        return KH_ERR_NOMEM;
    }
    if (b.len == 0) {
        kh_buf_free(&b);
        *out = NULL;
        return KH_OK;
    }
    *out = kh_buf_detach(&b);
    return KH_OK;
}

kh_status kh_article_set(char **field, const char *text, size_t len)
{
    char *copy = NULL;
    if (text && clean_copy(text, len, &copy) != KH_OK)
        return KH_ERR_NOMEM;
    free(*field);
    *field = copy;
    return KH_OK;
}

kh_status kh_article_set_verbatim(char **field, const char *text, size_t len)
{
    while (len && (*text == ' ' || (*text >= '\t' && *text <= '\r'))) {
        text++;
        len--;
    }
    while (len && (text[len - 1] == ' ' || (text[len - 1] >= '\t' && text[len - 1] <= '\r')))
        len--;
    char *copy = NULL;
    if (len && !(copy = strndup(text, len)))
        return KH_ERR_NOMEM;
    free(*field);
    *field = copy;
    return KH_OK;
}

kh_status kh_article_add_caption(kh_article *a, const char *text, size_t len)
{
    char *copy;
    if (clean_copy(text, len, &copy) != KH_OK)
        return KH_ERR_NOMEM;
    if (!copy)
        return KH_OK;
    for (size_t i = 0; i < a->n_captions; i++) {
        if (!strcmp(a->captions[i], copy)) {
            free(copy);
            return KH_OK;
        }
    }
    char **grown = realloc(a->captions, (a->n_captions + 1) * sizeof *grown);
    if (!grown) {
        free(copy);
        return KH_ERR_NOMEM;
    }
    a->captions = grown;
    a->captions[a->n_captions++] = copy;
    return KH_OK;
}

kh_status kh_article_add_block(kh_article *a, kh_block_kind kind, const char *text, size_t len)
{
    char *copy;
    if (clean_copy(text, len, &copy) != KH_OK)
        return KH_ERR_NOMEM;
    if (!copy)
        return KH_OK;
    /* Capacity is implicit: 8, then doubling at each power of two. Feeds
     * have articles with hundreds of paragraphs. */
    size_t n = a->n_blocks;
    if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
        kh_block *grown = realloc(a->blocks, (n ? n * 2 : 8) * sizeof *grown);
        if (!grown) {
            free(copy);
            return KH_ERR_NOMEM;
        }
        a->blocks = grown;
    }
    a->blocks[a->n_blocks].kind = kind;
    a->blocks[a->n_blocks].text = copy;
    a->n_blocks++;
    return KH_OK;
}

/* Words are whitespace-separated runs. Cleaned text has single spaces and
 * none at either end, so a non-empty string has one word more than spaces;
 * memchr finds the spaces faster than a byte loop. */
static size_t count_words(const char *s)
{
    if (!*s)
        return 0;
    size_t n = 1, len = strlen(s);
    for (const char *sp = s; (sp = memchr(sp, ' ', len - (size_t)(sp - s))) != NULL; sp++)
        n++;
    return n;
}

/* Language from the script of the text: the share of Arabic letters among
 * all letters. News pages mix in Latin names and digits, so a clear share
 * decides, and text without letters has no language. */
const char *kh_article_script_lang(const kh_article *a)
{
    /* A few hundred letters settle it; longer paragraphs need not be read. */
    enum { ENOUGH_LETTERS = 400 };
    size_t arabic = 0, latin = 0;
    const char *texts[3] = {a->title, a->n_blocks ? a->blocks[0].text : NULL,
                            a->n_blocks > 1 ? a->blocks[1].text : NULL};
    for (size_t t = 0; t < 3 && arabic + latin < ENOUGH_LETTERS; t++) {
        const unsigned char *s = (const unsigned char *)texts[t];
        if (!s)
            continue;
        size_t len = strlen((const char *)s);
        for (size_t i = 0; i < len && arabic + latin < ENOUGH_LETTERS;) {
            int32_t cp;
            i += kh_utf8_decode(s + i, len - i, &cp);
            if (kh_is_arabic(cp) && !(cp >= 0x660 && cp <= 0x669))
                arabic++;
            else if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
                latin++;
        }
    }
    if (arabic == 0 && latin == 0)
        return NULL;
    return arabic * 2 >= latin ? "ar" : (arabic == 0 ? "en" : NULL);
}

/* 64-bit FNV-1a: tiny, fast and well spread; ids need stability across runs
 * and machines, not cryptographic strength. */
static uint64_t fnv1a64(uint64_t h, const char *s)
{
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

kh_status kh_article_finish(kh_article *a)
{
    a->words = (a->title ? count_words(a->title) : 0);
    for (size_t i = 0; i < a->n_blocks; i++)
        a->words += count_words(a->blocks[i].text);

    if (!a->lang) {
        const char *lang = kh_article_script_lang(a);
        if (lang && !(a->lang = strdup(lang)))
            return KH_ERR_NOMEM;
    }
    if (!a->id) {
        uint64_t h = 0xcbf29ce484222325ULL;
        if (a->url) {
            char *canon = kh_url_canonical(a->url);
            if (!canon)
                return KH_ERR_NOMEM;
            h = fnv1a64(fnv1a64(h, "url\x1f"), canon);
            free(canon);
        } else {
            /* \x1f (unit separator) keeps ("ab","c") and ("a","bc") apart. */
            h = fnv1a64(h, "doc\x1f");
            h = fnv1a64(fnv1a64(h, a->source), "\x1f");
            h = fnv1a64(fnv1a64(h, a->title), "\x1f");
            h = fnv1a64(h, a->published ? a->published : a->published_raw);
        }
        char id[17];
        snprintf(id, sizeof id, "%016llx", (unsigned long long)h);
        if (!(a->id = strdup(id)))
            return KH_ERR_NOMEM;
    }
    return KH_OK;
}

char *kh_article_body(const kh_article *a)
{
    kh_buf b = KH_BUF_INIT;
    for (size_t i = 0; i < a->n_blocks; i++) {
        if (i)
            kh_buf_append(&b, "\n\n", 2);
        kh_buf_puts(&b, a->blocks[i].text);
    }
    return kh_buf_detach(&b);
}

static void json_field(kh_buf *b, const char *name, const char *value)
{
    kh_buf_printf(b, ",\"%s\":", name);
    if (value)
        kh_buf_json_string(b, value, strlen(value));
    else
        kh_buf_puts(b, "null");
}

static void json_blocks(kh_buf *b, const char *name, const kh_article *a, kh_block_kind kind)
{
    kh_buf_printf(b, ",\"%s\":[", name);
    int first = 1;
    for (size_t i = 0; i < a->n_blocks; i++) {
        if (a->blocks[i].kind != kind)
            continue;
        if (!first)
            kh_buf_putc(b, ',');
        first = 0;
        kh_buf_json_string(b, a->blocks[i].text, strlen(a->blocks[i].text));
    }
    kh_buf_putc(b, ']');
}

char *kh_article_to_json(const kh_article *a)
{
    kh_buf b = KH_BUF_INIT;
    kh_buf_puts(&b, "{\"id\":");
    if (a->id)
        kh_buf_json_string(&b, a->id, strlen(a->id));
    else
        kh_buf_puts(&b, "null");
    json_field(&b, "source", a->source);
    json_field(&b, "url", a->url);
    json_field(&b, "title", a->title);
    json_field(&b, "published", a->published);
    json_field(&b, "published_raw", a->published_raw);
    json_field(&b, "author", a->author);
    kh_buf_puts(&b, ",\"captions\":[");
    for (size_t i = 0; i < a->n_captions; i++) {
        if (i)
            kh_buf_putc(&b, ',');
        kh_buf_json_string(&b, a->captions[i], strlen(a->captions[i]));
    }
    kh_buf_putc(&b, ']');
    json_blocks(&b, "headings", a, KH_BLOCK_HEADING);
    json_blocks(&b, "paragraphs", a, KH_BLOCK_PARAGRAPH);
    kh_buf_puts(&b, ",\"body\":");
    kh_buf_putc(&b, '"');
    /* The body is the blocks joined by blank lines; escape block by block
     * rather than building the joined string first. */
    for (size_t i = 0; i < a->n_blocks; i++) {
        if (i)
            kh_buf_puts(&b, "\\n\\n");
        kh_buf_json_escape(&b, a->blocks[i].text, strlen(a->blocks[i].text));
    }
    kh_buf_putc(&b, '"');
    json_field(&b, "lang", a->lang);
    kh_buf_printf(&b, ",\"words\":%zu}", a->words);
    return kh_buf_detach(&b);
}
