/* stored.h — an article as stored in a segment, byte for byte.
 *
 * Together with the summary below, the record keeps everything `khabar
 * show` prints, so an article can be given back (and re-indexed by a merge)
 * without the original input. The fields the summary holds are not repeated:
 *
 *   3 strings: published_raw author lang
 *   varint n_captions, strings
 *   varint n_blocks, {u8 kind, string}...
 *   varint words
 *
 * A string is varint (length + 1) then the bytes; 0 means NULL. */
#ifndef KH_INDEX_STORED_H
#define KH_INDEX_STORED_H

#include <stddef.h>

#include "khabar.h"
#include "util/buf.h"

/* Appends the record of a to out. */
void kh_stored_encode(const kh_article *a, kh_buf *out);

/* Decodes a record into *out (initialised; cleared first); the summary's
 * fields (id, source, url, title, published) are left NULL for the caller
 * to fill. Strings are copied as stored (no cleaning). Returns KH_OK,
 * KH_ERR_CORRUPT when the record is malformed, KH_ERR_NOMEM. */
kh_status kh_stored_decode(const unsigned char *p, size_t len, kh_article *out);

/* Appends what kh_article_body gives for the record's article (its blocks'
 * text joined by blank lines) to out, without decoding the rest: what a
 * snippet is cut from. The record is checked exactly as kh_stored_decode
 * checks it. Returns KH_OK, KH_ERR_CORRUPT (out as it was), KH_ERR_NOMEM
 * (kh_buf_failed(out)). */
kh_status kh_stored_body(const unsigned char *p, size_t len, kh_buf *out);

/* The summary of an article: what a search hit shows, kept in its own small
 * chunks so that fetching ten hits does not decompress ten whole articles.
 * Five strings, same encoding: id source url title published. */
enum { KH_SUM_ID, KH_SUM_SOURCE, KH_SUM_URL, KH_SUM_TITLE, KH_SUM_PUBLISHED, KH_SUM_FIELDS };

typedef struct kh_summary {
    const char *s[KH_SUM_FIELDS];   /* point into the record; NULL when absent */
    size_t len[KH_SUM_FIELDS];      /* not NUL-terminated */
} kh_summary;

void kh_summary_encode(const kh_article *a, kh_buf *out);
/* Returns 0, or -1 when the record is malformed. */
int kh_summary_decode(const unsigned char *p, size_t len, kh_summary *out);

#endif
