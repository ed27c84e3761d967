/* warc.h — the pieces of a WARC file (ISO 28500, WARC 1.0 and 1.1) and of
 * the HTTP messages its response records hold.
 *
 * A WARC file is a sequence of records, each a version line ("WARC/1.1"),
 * named header fields, a blank line, a block of exactly Content-Length bytes
 * and two CRLFs. Crawlers compress each record as its own gzip member, which
 * the byte source (source.c) undoes transparently; reader.c walks the
 * records over the decompressed stream with the functions here, which work
 * on bytes in memory and never allocate except where said. */
#ifndef KH_INGEST_WARC_H
#define KH_INGEST_WARC_H

#include <stddef.h>
#include <stdint.h>

#include "khabar.h"
#include "util/buf.h"

/* Finds the end of a header block (the blank line) in s[0..len). Returns
 * the length of the block including the blank line, or 0 when it is not
 * complete yet. Accepts CRLF and bare LF line ends. */
size_t kh_header_block_end(const char *s, size_t len);

/* The value of header field `name` (case-insensitive) in a header block,
 * trimmed; NULL when absent. *vlen receives its length. */
const char *kh_header_value(const char *block, size_t len, const char *name, size_t *vlen);

/* 1 if s starts a WARC record ("WARC/1.0", "WARC/1.1", "WARC/0.18" ...). */
int kh_warc_is_record_start(const char *s, size_t len);

/* Content-Length of a WARC header block: 1 and *out when present and
 * numeric, 0 otherwise. */
int kh_warc_content_length(const char *block, size_t len, uint64_t *out);

/* An HTTP response's head. */
typedef struct kh_http_head {
    int status;                 /* 200, 404 ... */
    const char *content_type;   /* points into the message; NULL if absent */
    size_t content_type_len;
    int chunked;                /* Transfer-Encoding: chunked */
    size_t head_len;            /* bytes of status line + headers + blank line */
} kh_http_head;

/* Parses the status line and headers of an HTTP/1.x response at the start
 * of s. Returns 1 and fills *out, or 0 when s does not start with a
 * complete HTTP response head. */
int kh_http_parse_head(const char *s, size_t len, kh_http_head *out);

/* 1 if an HTTP Content-Type names an HTML page (text/html,
 * application/xhtml+xml). */
int kh_http_is_html(const char *content_type, size_t len);

/* Undoes chunked transfer encoding: appends the payload of s[0..len) to
 * out. Returns KH_OK, or KH_ERR_TRUNCATED / KH_ERR_PARSE with *bad set to
 * the offset in s where the chunking broke (what was decoded before stays
 * in out). */
kh_status kh_http_dechunk(const char *s, size_t len, kh_buf *out, size_t *bad);

#endif
