/* http_params.c — query-string decoding and search-parameter validation for
 * `khabar serve` (see http_params.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_params.h"

static int failf(char *msg, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(char *msg, size_t cap, const char *fmt, ...)
{
    if (msg && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, cap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Offset of the first byte that does not belong to well-formed UTF-8
 * (no overlongs, no surrogates, nothing above U+10FFFF), or len. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return i;
        }
        if (len - i <= n)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= n; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return i;
        i += n + 1;
    }
    return len;
}

int http_decode(const char *s, size_t len, int plus_is_space, char **out, char *msg, size_t cap)
{
    *out = NULL;
    char *d = malloc(len + 1);
    if (!d)
        return failf(msg, cap, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (len - i < 3 || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0) {
                free(d);
                return failf(msg, cap, "malformed percent-escape at byte %zu (write %%XX with two hex digits)", i);
            }
            c = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') {
            free(d);
            return failf(msg, cap, "a NUL byte is not allowed (byte %zu)", i);
        }
        d[n++] = c;
    }
    d[n] = '\0';
    size_t bad = utf8_invalid_at((const unsigned char *)d, n);
    if (bad < n) {
        free(d);
        return failf(msg, cap, "not valid UTF-8 (decoded byte %zu)", bad);
    }
    *out = d;
    return 0;
}

void http_params_free(http_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].key);
        free(p->items[i].value);
    }
    p->n = 0;
}

int http_params_parse(const char *qs, size_t len, http_params *out, char *msg, size_t cap)
{
    out->n = 0;
    if (len > HTTP_QUERY_STRING_MAX)
        return failf(msg, cap, "the query string is %zu bytes, over the limit of %d", len, HTTP_QUERY_STRING_MAX);
    size_t at = 0;
    while (at < len) {
        const char *piece = qs + at;
        const char *amp = memchr(piece, '&', len - at);
        size_t plen = amp ? (size_t)(amp - piece) : len - at;
        at += plen + 1;
        if (plen == 0)
            continue;
        const char *eq = memchr(piece, '=', plen);
        size_t klen = eq ? (size_t)(eq - piece) : plen;
        if (klen == 0) {
            http_params_free(out);
            return failf(msg, cap, "a parameter without a name");
        }
        if (out->n == HTTP_PARAMS_MAX) {
            http_params_free(out);
            return failf(msg, cap, "more than %d parameters", HTTP_PARAMS_MAX);
        }
        char *key, *value;
        char sub[HTTP_PARAM_MSG_MAX];
        if (http_decode(piece, klen, 1, &key, sub, sizeof sub) != 0) {
            http_params_free(out);
            return failf(msg, cap, "parameter name: %s", sub);
        }
        const char *v = eq ? eq + 1 : piece + plen;
        if (http_decode(v, (size_t)(piece + plen - v), 1, &value, sub, sizeof sub) != 0) {
            http_params_free(out);
            int r = failf(msg, cap, "parameter '%.40s': %s", key, sub);
            free(key);
            return r;
        }
        for (size_t i = 0; i < out->n; i++) {
            if (!strcmp(out->items[i].key, key)) {
                int r = failf(msg, cap, "parameter '%.40s' is given twice", key);
                free(key);
                free(value);
                http_params_free(out);
                return r;
            }
        }
        out->items[out->n].key = key;
        out->items[out->n].value = value;
        out->n++;
    }
    return 0;
}

const char *http_params_get(const http_params *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->items[i].key, key))
            return p->items[i].value[0] ? p->items[i].value : NULL;
    return NULL;
}

/* A whole decimal number in [min, max], no sign, no spaces, no leading '+'. */
static int parse_count(const char *s, size_t min, size_t max, size_t *out)
{
    if (!*s || strlen(s) > 9)
        return -1;
    size_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (size_t)(*p - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* YYYY-MM-DD naming a real day of the Gregorian calendar. */
static int valid_day(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

static const char *const known_keys[] = {"q",     "from",  "to",     "source", "author",   "sort",
                                         "limit", "offset", "facets", "strict", "snippets"};

/* Clips a value for quoting in a message without cutting a UTF-8 sequence. */
static int clip(const char *s, int max)
{
    int n = 0;
    while (s[n] && n < max)
        n++;
    while (n > 0 && s[n] && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* A switch: "1"/"true" or "0"/"false". Returns 0 and sets *on, or -1. */
static int parse_switch(const char *v, int *on)
{
    if (!strcmp(v, "1") || !strcmp(v, "true"))
        *on = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "false"))
        *on = 0;
    else
        return -1;
    return 0;
}

int search_request_parse(const http_params *p, int strict, search_request *out, char *msg, size_t cap)
{
    memset(out, 0, sizeof *out);
    out->limit = 10;
    out->sort = KH_SORT_RELEVANCE;
    if (strict) {
        for (size_t i = 0; i < p->n; i++) {
            size_t k = 0;
            while (k < sizeof known_keys / sizeof known_keys[0] && strcmp(known_keys[k], p->items[i].key))
                k++;
            if (k == sizeof known_keys / sizeof known_keys[0])
                return failf(msg, cap, "unknown parameter '%.*s' (known: q, from, to, source, author, sort, limit, offset, facets, strict, snippets)",
                             clip(p->items[i].key, 40), p->items[i].key);
        }
    }
    out->q = http_params_get(p, "q");
    if (out->q && strlen(out->q) > SEARCH_QUERY_MAX)
        return failf(msg, cap, "q is %zu bytes, over the limit of %d", strlen(out->q), SEARCH_QUERY_MAX);
    const char *v;
    if ((v = http_params_get(p, "limit")) && parse_count(v, 1, SEARCH_LIMIT_MAX, &out->limit) != 0)
        return failf(msg, cap, "limit must be a whole number from 1 to %d, not '%.*s'", SEARCH_LIMIT_MAX, clip(v, 40), v);
    if ((v = http_params_get(p, "offset")) && parse_count(v, 0, SEARCH_OFFSET_MAX, &out->offset) != 0)
        return failf(msg, cap, "offset must be a whole number from 0 to %d, not '%.*s'", SEARCH_OFFSET_MAX, clip(v, 40), v);
    if ((v = http_params_get(p, "sort"))) {
        if (!strcmp(v, "relevance"))
            out->sort = KH_SORT_RELEVANCE;
        else if (!strcmp(v, "date"))
            out->sort = KH_SORT_DATE;
        else
            return failf(msg, cap, "sort must be 'relevance' or 'date', not '%.*s'", clip(v, 40), v);
    }
    int on;
    if ((v = http_params_get(p, "facets"))) {
        if (parse_switch(v, &on) != 0)
            return failf(msg, cap, "facets must be 1 or 0, not '%.*s'", clip(v, 40), v);
        out->lean = !on;
    }
    if ((v = http_params_get(p, "strict"))) {
        if (parse_switch(v, &on) != 0)
            return failf(msg, cap, "strict must be 1 or 0, not '%.*s'", clip(v, 40), v);
        out->strict = on;
    }
    if ((v = http_params_get(p, "snippets"))) {
        if (parse_switch(v, &on) != 0)
            return failf(msg, cap, "snippets must be 1 or 0, not '%.*s'", clip(v, 40), v);
        out->no_snippets = !on;
    }
    out->from = http_params_get(p, "from");
    if (out->from && !valid_day(out->from))
        return failf(msg, cap, "from must be a day written YYYY-MM-DD, not '%.*s'", clip(out->from, 40), out->from);
    out->to = http_params_get(p, "to");
    if (out->to && !valid_day(out->to))
        return failf(msg, cap, "to must be a day written YYYY-MM-DD, not '%.*s'", clip(out->to, 40), out->to);
    if (out->from && out->to && strcmp(out->from, out->to) > 0)
        return failf(msg, cap, "from (%s) is after to (%s)", out->from, out->to);
    out->source = http_params_get(p, "source");
    if (out->source && strlen(out->source) > 200)
        return failf(msg, cap, "source is longer than 200 bytes");
    out->author = http_params_get(p, "author");
    if (out->author && strlen(out->author) > 200)
        return failf(msg, cap, "author is longer than 200 bytes");
    return 0;
}

char *search_request_query(const search_request *r)
{
    const char *q = r->q ? r->q : "";
    size_t qlen = strlen(q);
    if (!r->author)
        return strdup(q);
    /* The author's name becomes a phrase in the byline field. Quotes inside
     * it would end the phrase, so they become spaces; an unterminated quote
     * in q is closed first, or it would swallow the author clause. */
    size_t quotes = 0;
    for (const char *s = q; *s; s++)
        quotes += *s == '"';
    size_t alen = strlen(r->author);
    char *out = malloc(qlen + alen + 16);
    if (!out)
        return NULL;
    char *w = out;
    memcpy(w, q, qlen);
    w += qlen;
    if (quotes % 2)
        *w++ = '"';
    memcpy(w, " author:\"", 9);
    w += 9;
    for (size_t i = 0; i < alen; i++)
        *w++ = r->author[i] == '"' ? ' ' : r->author[i];
    *w++ = '"';
    *w = '\0';
    return out;
}
