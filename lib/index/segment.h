/* segment.h — one immutable segment: the unit the index is made of.
 *
 * A segment holds a batch of articles numbered 0..n_docs-1 (its "doc
 * numbers") in one sectioned file (file.h), seg_NNNNNN.kseg:
 *
 *   META  u32 format, u32 n_docs, u64 total_len (sum of doc lengths),
 *         u32 n_terms
 *   TDIC  the term dictionary, sorted bytewise and front-coded (termdict.h).
 *         A term is a field letter followed by the analyzed term: 'b' all
 *         text (title, headings, captions, body), 't' title, 'a' author,
 *         's' source (whole, lowercased), 'i' id, 'u' url: for a url, not
 *         the url itself but a 64-bit hash of it (kh_url_term), 8 bytes,
 *         which a lookup confirms against the stored summary's url.
 *   POST  postings, one run per term (see postings.h)
 *   DOCV  per-document values: u32 len[n], i64 published[n] (seconds, local
 *         time as written; INT64_MIN = undated), u32 source_ord[n],
 *         u32 author_ord[n] (UINT32_MAX = none), then the source and author
 *         string tables: u32 count, u32 offsets[count + 1], bytes.
 *   STIX, STOR  the stored articles (chunks.h, records: stored.h)
 *   SMIX, SMRY  their summaries (id, source, url, title, published)
 *
 * Deletions live beside it in seg_NNNNNN.del.G (G = generation), a sectioned
 * file with one section BITS = {u32 n_docs, bitmap}. The manifest says which
 * generation is current. */
#ifndef KH_INDEX_SEGMENT_H
#define KH_INDEX_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "index/bytes.h"
#include "index/chunks.h"
#include "index/stored.h"
#include "index/termdict.h"
#include "index/file.h"
#include "khabar.h"

#define KH_SEGMENT_FORMAT 8
#define KH_SEG_MAGIC "KHSEG\0\0\1"
#define KH_DEL_MAGIC "KHDEL\0\0\1"
#define KH_SEC_META KH_SECTION_ID('M', 'E', 'T', 'A')
#define KH_SEC_TDIC KH_SECTION_ID('T', 'D', 'I', 'C')
#define KH_SEC_POST KH_SECTION_ID('P', 'O', 'S', 'T')
#define KH_SEC_DOCV KH_SECTION_ID('D', 'O', 'C', 'V')
#define KH_SEC_STIX KH_SECTION_ID('S', 'T', 'I', 'X')
#define KH_SEC_STOR KH_SECTION_ID('S', 'T', 'O', 'R')
#define KH_SEC_SMIX KH_SECTION_ID('S', 'M', 'I', 'X')
#define KH_SEC_SMRY KH_SECTION_ID('S', 'M', 'R', 'Y')
#define KH_SEC_BITS KH_SECTION_ID('B', 'I', 'T', 'S')

#define KH_UNDATED INT64_MIN
#define KH_NO_ORD UINT32_MAX

/* Field letters of the term dictionary. */
enum {
    KH_FIELD_TEXT = 'b',
    KH_FIELD_TITLE = 't',
    KH_FIELD_AUTHOR = 'a',
    KH_FIELD_SOURCE = 's',
    KH_FIELD_ID = 'i',
    KH_FIELD_URL = 'u'
};

/* A string table of DOCV (sources or authors). */
typedef struct kh_strtab {
    uint32_t count;
    const unsigned char *offsets;   /* count + 1 little-endian u32 */
    const char *bytes;
    size_t bytes_len;
} kh_strtab;

typedef struct kh_segment {
    char name[32];                  /* "seg_000001" */
    kh_sfile file;
    uint32_t n_docs;
    uint64_t total_len;
    uint32_t n_terms;
    kh_termdict dict;
    const unsigned char *post;
    size_t post_len;
    const unsigned char *doc_len;   /* u32[n_docs] */
    const unsigned char *published; /* i64[n_docs] */
    const unsigned char *source_ord, *author_ord;
    kh_strtab sources, authors;
    kh_chunks stored, summaries;

    /* deletions: `del` is the committed bitmap searches use (NULL = none);
     * a writer edits `pending` (a copy) and commits it as generation del_gen + 1 */
    uint8_t *del;
    uint32_t n_deleted;
    uint64_t del_gen;
    uint8_t *pending;
    uint32_t n_pending_deleted;
    int committed;                  /* 0: flushed by a writer, not yet in a manifest */
} kh_segment;

/* Opens dir/NAME.kseg and, when del_gen > 0, dir/NAME.del.<del_gen>.
 * Sections other than stored articles are verified here. *out is owned by
 * the caller: kh_segment_close(). */
kh_status kh_segment_open(const char *dir, const char *name, uint64_t del_gen, kh_segment **out,
                          kh_error *err);
void kh_segment_close(kh_segment *s);

/* Verifies what open does not: the stored-article section and every chunk,
 * and walks every postings list. */
kh_status kh_segment_check(kh_segment *s, kh_error *err);

static inline int kh_segment_is_deleted(const kh_segment *s, uint32_t doc)
{
    return s->del && (s->del[doc >> 3] >> (doc & 7) & 1);
}

/* The term of a url: the field letter, then a 64-bit hash of the whole url,
 * big-endian so that the dictionary's byte order is the hash's order. A url
 * term was the url itself, ~33 bytes in the dictionary for every article
 * (1.0 MB of the shared corpus's 2.5 MB), only to be looked up by `show`
 * and `delete`; 8 bytes name it as well, and a lookup then compares the
 * candidate's stored url (kh_segment_has_url), so two urls that share a
 * hash still never stand for each other. */
#define KH_URL_TERM_LEN 9
void kh_url_term(const char *url, size_t len, char term[KH_URL_TERM_LEN]);

/* Sets *same to whether article `doc` of s was stored with exactly this
 * url. KH_ERR_CORRUPT when its summary cannot be read. */
kh_status kh_segment_has_url(kh_segment *s, uint32_t doc, const char *url, size_t len, int *same,
                             kh_error *err);

/* Calls visit(ctx, s, doc) for each document of s that holds `key` (len
 * bytes) as its id (field KH_FIELD_ID) or its url (KH_FIELD_URL), in
 * document order; with live_only, documents deleted by a commit are
 * skipped. A url's term is a hash (kh_url_term), so each candidate's
 * stored url is compared with key first: two urls that share a hash never
 * stand for each other. visit returns 0 to go on, 1 to stop (then *stopped
 * is set, when stopped is not NULL) or -1 when out of memory
 * (KH_ERR_NOMEM). KH_ERR_CORRUPT when the dictionary, the postings or a
 * candidate's summary cannot be read. The one lookup by key that deletes
 * (commit.c) and the one that reads (kh_index_get) share it. */
typedef int (*kh_key_visit)(void *ctx, kh_segment *s, uint32_t doc);
kh_status kh_segment_each_key_doc(kh_segment *s, char field, const char *key, size_t len, int live_only,
                                  kh_key_visit visit, void *ctx, int *stopped, kh_error *err);

/* Looks a term (field letter + term) up: 1 found (*df and the postings
 * filled), 0 absent, -1 the dictionary is damaged. */
int kh_segment_lookup(const kh_segment *s, const char *term, size_t len, uint32_t *df,
                      const unsigned char **postings, size_t *postings_len);

static inline uint32_t kh_segment_doc_len(const kh_segment *s, uint32_t doc)
{
    return kh_get_u32(s->doc_len + (size_t)doc * 4);
}
int64_t kh_segment_published(const kh_segment *s, uint32_t doc);
uint32_t kh_segment_source_ord(const kh_segment *s, uint32_t doc);
/* String of an ordinal in a table ("" for KH_NO_ORD). */
const char *kh_strtab_get(const kh_strtab *t, uint32_t ord, size_t *len);

/* Reads stored article `doc` into *out (initialised). KH_ERR_CORRUPT when
 * its chunk fails the checksum or does not decode. */
kh_status kh_segment_get_article(kh_segment *s, uint32_t doc, kh_article *out, kh_error *err);

/* Appends the body of stored article `doc` (kh_article_body of what
 * kh_segment_get_article gives) to out: for snippets, which need nothing
 * else, so no field is copied or allocated and the summary is not read
 * again. Same checks and errors as kh_segment_get_article. */
kh_status kh_segment_get_body(kh_segment *s, uint32_t doc, kh_buf *out, kh_error *err);

/* Reads the summary of `doc`; pointers stay valid until the next call. */
kh_status kh_segment_get_summary(kh_segment *s, uint32_t doc, kh_summary *out, kh_error *err);

/* Writes the segment's pending deletions as NAME.del.<gen> (durable). */
kh_status kh_segment_write_deletions(const char *dir, const kh_segment *s, uint64_t gen,
                                     kh_error *err);

#endif
