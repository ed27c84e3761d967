/* serve_buf.c — growing buffer and JSON/HTML/URL escaping for `khabar serve`. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_buf.h"

void sb_init(sbuf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void sb_free(sbuf *b)
{
    free(b->data);
    sb_init(b);
}

int sb_reserve(sbuf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void sb_putn(sbuf *b, const char *s, size_t n)
{
    if (!sb_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sb_printf(sbuf *b, const char *fmt, ...)
{
    /* Formatted straight into the free space, which usually holds it: one
     * vsnprintf, not a measuring pass and a writing pass. */
    if (!sb_reserve(b, 64))
        return;
    size_t room = b->cap - b->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->data[b->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        if (!sb_reserve(b, (size_t)n))
            return;
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void sb_uint(sbuf *b, size_t v)
{
    char digits[24];
    size_t at = sizeof digits;
    do {
        digits[--at] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sb_putn(b, digits + at, sizeof digits - at);
}

/* Word-at-a-time tests on 8 bytes (the "has a zero byte" trick): whether
 * any byte of w is below 0x20, or equals byte c. Exact about whether there
 * is one, not about which; the escapers below then look byte by byte. Most
 * of what they escape is Arabic text, whose bytes need no escape, so a
 * block of 8 usually goes out whole. */
#define BYTES_ONES 0x0101010101010101ull
#define BYTES_HIGHS 0x8080808080808080ull

static inline uint64_t load8(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

static inline uint64_t has_byte(uint64_t w, unsigned char c)
{
    uint64_t x = w ^ (BYTES_ONES * c);
    return (x - BYTES_ONES) & ~x & BYTES_HIGHS;
}

static inline uint64_t has_control(uint64_t w)
{
    return (w - BYTES_ONES * 0x20) & ~w & BYTES_HIGHS;
}

void sb_json_strn(sbuf *b, const char *s, size_t n)
{
    sb_putn(b, "\"", 1);
    size_t from = 0; /* s[from..i) is copied verbatim in one go */
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w = load8(s + i);
            if (!(has_control(w) | has_byte(w, '"') | has_byte(w, '\\'))) {
                i += 8;
                continue;
            }
        }
        size_t end = i + 8 < n ? i + 8 : n;
        for (; i < end; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c >= 0x20 && c != '"' && c != '\\')
                continue;
            sb_putn(b, s + from, i - from);
            from = i + 1;
            switch (c) {
            case '"': sb_putn(b, "\\\"", 2); break;
            case '\\': sb_putn(b, "\\\\", 2); break;
            case '\n': sb_putn(b, "\\n", 2); break;
            case '\r': sb_putn(b, "\\r", 2); break;
            case '\t': sb_putn(b, "\\t", 2); break;
            default: {
                static const char hex[] = "0123456789abcdef";
                char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                sb_putn(b, e, 6);
                break;
            }
            }
        }
    }
    sb_putn(b, s + from, n - from);
    sb_putn(b, "\"", 1);
}

void sb_json_str(sbuf *b, const char *s)
{
    if (!s)
        sb_puts(b, "null");
    else
        sb_json_strn(b, s, strlen(s));
}

void sb_html_n(sbuf *b, const char *s, size_t n)
{
    size_t from = 0, i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w = load8(s + i);
            if (!(has_byte(w, '&') | has_byte(w, '<') | has_byte(w, '>') | has_byte(w, '"') | has_byte(w, '\''))) {
                i += 8;
                continue;
            }
        }
        size_t end = i + 8 < n ? i + 8 : n;
        for (; i < end; i++) {
            const char *rep;
            size_t len;
            switch (s[i]) {
            case '&': rep = "&amp;", len = 5; break;
            case '<': rep = "&lt;", len = 4; break;
            case '>': rep = "&gt;", len = 4; break;
            case '"': rep = "&quot;", len = 6; break;
            case '\'': rep = "&#39;", len = 5; break;
            default: continue;
            }
            sb_putn(b, s + from, i - from);
            from = i + 1;
            sb_putn(b, rep, len);
        }
    }
    sb_putn(b, s + from, n - from);
}

void sb_html(sbuf *b, const char *s)
{
    if (s)
        sb_html_n(b, s, strlen(s));
}

void sb_url(sbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            sb_putn(b, (const char *)&c, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            sb_putn(b, e, 3);
        }
    }
}
