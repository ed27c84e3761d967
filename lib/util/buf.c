#include "util/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
/* glibc's own malloc, under the name glibc also exports it by */
extern void *__libc_malloc(size_t size);
#endif

int kh_buf_reserve(kh_buf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *data = realloc(b->data, cap);
    if (!data) {
        b->failed = 1;
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

void kh_buf_append(kh_buf *b, const void *data, size_t len)
{
    if (kh_buf_reserve(b, len) != 0)
        return;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void kh_buf_puts(kh_buf *b, const char *s) { kh_buf_append(b, s, strlen(s)); }

void kh_buf_putc(kh_buf *b, char c) { kh_buf_append(b, &c, 1); }

void kh_buf_printf(kh_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || kh_buf_reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void kh_buf_json_escape(kh_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    /* Worst case every byte becomes \u00XX: reserve once, then write raw. */
    if (kh_buf_reserve(b, len * 6) != 0)
        return;
    char *o = b->data + b->len;
    for (size_t i = 0; i < len; i++) {
        /* Most text needs no escape: copy eight bytes at a time while none
         * of them is a control character, a quote or a backslash (SWAR:
         * the high bit of each byte of `special` flags such a byte). */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
            uint64_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');
            uint64_t special = ((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) | ((slash - ones) & ~slash);
            if (special & highs)
                break;
            memcpy(o, s + i, 8);
            o += 8;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\t': *o++ = 't'; break;
        case '\r': *o++ = 'r'; break;
        default:
            *o++ = 'u'; *o++ = '0'; *o++ = '0';
            *o++ = hex[c >> 4]; *o++ = hex[c & 15];
        }
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

void kh_buf_json_string(kh_buf *b, const char *s, size_t len)
{
    kh_buf_putc(b, '"');
    kh_buf_json_escape(b, s, len);
    kh_buf_putc(b, '"');
}

void kh_buf_reset(kh_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
}

void kh_buf_free(kh_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

char *kh_buf_detach(kh_buf *b)
{
    if (b->failed) {
        kh_buf_free(b);
        return NULL;
    }
    char *data = b->data ? b->data : strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return data;
}

void kh_release_free_memory(void)
{
#ifdef __GLIBC__
    /* Only when glibc's allocator is the one in use. A sanitizer or a
     * preloaded allocator (jemalloc, tcmalloc) replaces malloc, glibc's
     * arenas are then never set up, and trimming them crashed under
     * AddressSanitizer. Without a replacement, malloc is glibc's, whose
     * __libc_malloc is the same function. (volatile: a compiler may fold
     * the comparison of two distinct functions' addresses to false.) */
    void *(*volatile in_use)(size_t) = malloc;
    void *(*volatile glibc_malloc)(size_t) = __libc_malloc;
    if (in_use == glibc_malloc)
        malloc_trim(0);
#endif
}
