/* serve_buf.h — a growing byte buffer and the escapers the server writes
 * JSON, HTML and URLs with. Part of `khabar serve` (src/serve_*.c). */
#ifndef KH_SERVE_BUF_H
#define KH_SERVE_BUF_H

#include <stddef.h>
#include <string.h>

/* An append-only buffer. Allocation failure is sticky: `failed` is set, later
 * appends do nothing, and the caller checks once at the end instead of after
 * every append. */
typedef struct sbuf {
    char *data;
    size_t len, cap;
    int failed;
} sbuf;

void sb_init(sbuf *b);
void sb_free(sbuf *b);
/* Makes room for extra more bytes (and the terminating NUL) in one step:
 * 1, or 0 once the buffer has failed. */
int sb_reserve(sbuf *b, size_t extra);
void sb_putn(sbuf *b, const char *s, size_t n);
/* Inline, so that the length of a literal is known when compiling. */
static inline void sb_puts(sbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}
void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* v in decimal, without printf (the search answer writes dozens). */
void sb_uint(sbuf *b, size_t v);
/* A JSON string literal with quotes; NULL gives `null`. */
void sb_json_str(sbuf *b, const char *s);
void sb_json_strn(sbuf *b, const char *s, size_t n);
/* Text escaped for HTML content and double-quoted attributes. */
void sb_html(sbuf *b, const char *s);
void sb_html_n(sbuf *b, const char *s, size_t n);
/* Percent-encodes s for a query-string value (UTF-8 bytes escaped). */
void sb_url(sbuf *b, const char *s);

#endif
