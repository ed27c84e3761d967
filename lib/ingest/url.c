#include "ingest/url.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Appends s[0..len), decoding %XX escapes of bytes >= 0x80 (non-ASCII text
 * that one site encodes and another writes raw). ASCII escapes such as %2F
 * keep their meaning and are left alone, upper-cased for consistency. */
static void append_decoded(kh_buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len) {
            int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                int byte = hi * 16 + lo;
                if (byte >= 0x80) {
                    kh_buf_putc(b, (char)byte);
                } else {
                    kh_buf_putc(b, '%');
                    kh_buf_putc(b, (char)toupper((unsigned char)s[i + 1]));
                    kh_buf_putc(b, (char)toupper((unsigned char)s[i + 2]));
                }
                i += 2;
                continue;
            }
        }
        kh_buf_putc(b, s[i]);
    }
}

static int is_tracking_param(const char *p, size_t len)
{
    const char *eq = memchr(p, '=', len);
    size_t name_len = eq ? (size_t)(eq - p) : len;
    return (name_len >= 4 && !strncmp(p, "utm_", 4)) ||
           (name_len == 6 && !strncmp(p, "fbclid", 6)) ||
           (name_len == 5 && !strncmp(p, "gclid", 5));
}

char *kh_url_canonical(const char *url)
{
    kh_buf b = KH_BUF_INIT;
    const char *s = url;
    while (*s == ' ')
        s++;
    const char *end = s + strlen(s);
    while (end > s && end[-1] == ' ')
        end--;
    const char *hash = memchr(s, '#', (size_t)(end - s));
    if (hash)
        end = hash;

    const char *sep = strstr(s, "://");
    if (sep && sep < end) {
        const char *host = sep + 3;
        const char *host_end = host;
        while (host_end < end && *host_end != '/' && *host_end != '?')
            host_end++;
        const char *port = memchr(host, ':', (size_t)(host_end - host));
        const char *name_end = port ? port : host_end;
        if (name_end - host > 4 && !strncasecmp(host, "www.", 4))
            host += 4;
        for (const char *p = host; p < name_end; p++)
            kh_buf_putc(&b, (char)tolower((unsigned char)*p));
        size_t port_len = port ? (size_t)(host_end - port) : 0;
        if (port && !(port_len == 3 && !memcmp(port, ":80", 3)) &&
            !(port_len == 4 && !memcmp(port, ":443", 4)))
            kh_buf_append(&b, port, (size_t)(host_end - port));
        s = host_end;
    }

    const char *query = memchr(s, '?', (size_t)(end - s));
    const char *path_end = query ? query : end;
    if (path_end > s && path_end[-1] == '/')
        path_end--;
    append_decoded(&b, s, (size_t)(path_end - s));

    if (query) {
        int first = 1;
        const char *p = query + 1;
        while (p < end) {
            const char *amp = memchr(p, '&', (size_t)(end - p));
            const char *param_end = amp ? amp : end;
            if (param_end > p && !is_tracking_param(p, (size_t)(param_end - p))) {
                kh_buf_putc(&b, first ? '?' : '&');
                first = 0;
                append_decoded(&b, p, (size_t)(param_end - p));
            }
            p = param_end + 1;
        }
    }
    return kh_buf_detach(&b);
}
