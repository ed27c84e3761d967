/* warc.c — WARC record heads and HTTP messages, parsed in place.
 * See warc.h; the record walk itself is in reader.c. */
#include "ingest/warc.h"

#include <string.h>
#include <strings.h>

size_t kh_header_block_end(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\n')
            continue;
        /* a line end followed by an empty line (CRLF CRLF, LF LF, LF CRLF) */
        if (i + 1 < len && s[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && s[i + 1] == '\r' && s[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

const char *kh_header_value(const char *block, size_t len, const char *name, size_t *vlen)
{
    size_t nl = strlen(name);
    const char *end = block + len;
    for (const char *line = block; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            eol = end;
        if ((size_t)(eol - line) > nl && !strncasecmp(line, name, nl) && line[nl] == ':') {
            const char *v = line + nl + 1;
            const char *ve = eol;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            *vlen = (size_t)(ve - v);
            return v;
        }
        line = eol + 1;
    }
    *vlen = 0;
    return NULL;
}

int kh_warc_is_record_start(const char *s, size_t len)
{
    return len >= 6 && !memcmp(s, "WARC/", 5) && s[5] >= '0' && s[5] <= '9';
}

static int parse_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 19)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 1;
}

int kh_warc_content_length(const char *block, size_t len, uint64_t *out)
{
    size_t vl;
    const char *v = kh_header_value(block, len, "Content-Length", &vl);
    return v && parse_u64(v, vl, out);
}

int kh_http_parse_head(const char *s, size_t len, kh_http_head *out)
{
    memset(out, 0, sizeof *out);
    if (len < 12 || memcmp(s, "HTTP/", 5) != 0)
        return 0;
    const char *sp = memchr(s, ' ', len < 32 ? len : 32);
    if (!sp || (size_t)(sp - s) + 4 > len)
        return 0;
    int status = 0;
    for (int i = 1; i <= 3; i++) {
        char c = sp[i];
        if (c < '0' || c > '9')
            return 0;
        status = status * 10 + (c - '0');
    }
    size_t end = kh_header_block_end(s, len);
    if (!end)
        return 0;
    out->status = status;
    out->head_len = end;
    out->content_type = kh_header_value(s, end, "Content-Type", &out->content_type_len);
    size_t tl;
    const char *te = kh_header_value(s, end, "Transfer-Encoding", &tl);
    out->chunked = te && tl >= 7 && !strncasecmp(te + tl - 7, "chunked", 7);
    return 1;
}

int kh_http_is_html(const char *ct, size_t len)
{
    if (!ct)
        return 0;
    return (len >= 9 && !strncasecmp(ct, "text/html", 9)) ||
           (len >= 21 && !strncasecmp(ct, "application/xhtml+xml", 21));
}

kh_status kh_http_dechunk(const char *s, size_t len, kh_buf *out, size_t *bad)
{
    size_t i = 0;
    for (;;) {
        /* chunk size in hex, optional ";extensions", CRLF */
        size_t start = i;
        uint64_t size = 0;
        int digits = 0;
        while (i < len) {
            char c = s[i];
            int d = (c >= '0' && c <= '9') ? c - '0' : ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') ? (c | 0x20) - 'a' + 10 : -1;
            if (d < 0)
                break;
            if (size > (UINT64_MAX >> 4)) {
                *bad = start;
                return KH_ERR_PARSE;
            }
            size = size * 16 + (uint64_t)d;
            digits++;
            i++;
        }
        if (i >= len) {
            *bad = start;
            return KH_ERR_TRUNCATED;
        }
        if (!digits) {
            *bad = start;
            return KH_ERR_PARSE;
        }
        const char *eol = memchr(s + i, '\n', len - i);
        if (!eol) {
            *bad = start;
            return KH_ERR_TRUNCATED;
        }
        i = (size_t)(eol - s) + 1;
        if (size == 0)
            return KH_OK;          /* trailers, if any, carry nothing we need */
        if (size > len - i) {
            kh_buf_append(out, s + i, len - i);   /* keep what arrived */
            *bad = len;
            return KH_ERR_TRUNCATED;
        }
        kh_buf_append(out, s + i, (size_t)size);
        i += (size_t)size;
        if (i < len && s[i] == '\r')
            i++;
        if (i < len && s[i] == '\n')
            i++;
        if (i >= len)
            return KH_OK;          /* a last chunk without the zero chunk: take it */
    }
}
