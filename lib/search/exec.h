/* exec.h — evaluating a parsed query on one segment.
 *
 * Each query node becomes a matcher over one segment's doc numbers, all
 * sharing one operation, advance(target): move to the first matching
 * document >= target. Term matchers walk postings (skipping whole blocks);
 * AND leapfrogs its kids from the rarest up and rejects documents a negated
 * kid matches; OR takes the smallest of its kids; a phrase is an AND whose
 * documents must also have the words at consecutive positions. This is
 * document-at-a-time evaluation: memory stays constant whatever the number
 * of matches, and any matcher can be skipped forward cheaply.
 *
 * Scores are BM25 (k1 = 1.2, b = 0.75) summed over the matching terms, with
 * statistics (document count, average length, document frequency) of the
 * whole index, so a document's score does not depend on which segment holds
 * it. Each matcher also knows an upper bound of its score, which lets the
 * top-k search skip documents that cannot enter the top (search.c). */
#ifndef KH_SEARCH_EXEC_H
#define KH_SEARCH_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "index/index.h"
#include "index/postings.h"
#include "search/query.h"

#define KH_BM25_K1 1.2
#define KH_BM25_B 0.75

/* One remembered dictionary lookup: a query looks each of its terms up in
 * each segment three times (statistics, matching, proximity), and the
 * dictionary walk is a visible part of a 0.1 ms query. */
typedef struct kh_lookup {
    const kh_segment *seg;
    char key[256];
    size_t key_len;
    int found;                  /* kh_segment_lookup's answer */
    uint32_t df;
    const unsigned char *postings;
    size_t postings_len;
} kh_lookup;

#define KH_LOOKUP_CACHE 64

typedef struct kh_bm25 {
    double n_docs;              /* documents in the index, deleted included (like df) */
    double avgdl;
    kh_lookup *cache;           /* KH_LOOKUP_CACHE entries, owned by the caller; may be NULL */
    size_t n_cached;
} kh_bm25;

/* kh_segment_lookup through the search's cache. */
int kh_exec_lookup(kh_bm25 *st, const kh_segment *s, const char *key, size_t len, uint32_t *df,
                   const unsigned char **postings, size_t *postings_len);

typedef struct kh_match {
    kh_qkind kind;              /* TERM, PHRASE, AND, OR; AND without positive kids = all */
    int negated;
    int started;
    uint32_t doc;               /* current document, KH_NO_DOC at the end */
    const kh_segment *seg;
    const kh_bm25 *stats;
    /* TERM */
    kh_postings post;
    double idf;
    int length_norm;            /* 0 for the short fields (title, author, source) */
    uint32_t *pos;              /* positions of `doc`, loaded on demand */
    uint32_t n_pos, cap_pos, pos_doc;
    /* PHRASE, AND, OR */
    struct kh_match **kids;
    size_t n_kids;
    uint32_t *qpos;             /* PHRASE: each kid's offset in the phrase */
    double max_score;           /* upper bound of score() */
    uint64_t cost;              /* about how many documents it visits */
} kh_match;

/* Computes every term's idf over the index's committed segments, and
 * expands prefixes into their most frequent terms. Fills *stats. */
kh_status kh_exec_prepare(kh_index *ix, kh_query *q, kh_bm25 *stats, kh_error *err);

/* Builds the matcher of node n on segment s; NULL when it cannot match
 * there (or memory ran out: *oom is then set). */
kh_match *kh_match_build(const kh_qnode *n, const kh_segment *s, kh_bm25 *stats, int *oom);
void kh_match_free(kh_match *m);

/* First matching document >= target (KH_NO_DOC at the end). */
uint32_t kh_match_advance(kh_match *m, uint32_t target);

/* Score of the current document (m->doc). */
double kh_match_score(kh_match *m);

/* BM25 of one term occurrence count. */
double kh_bm25_term(const kh_bm25 *st, double idf, uint32_t tf, uint32_t dl, int length_norm);

/* kh_bm25_term in two steps, for a loop that scores several words of one
 * document: the length normalisation (1 for the short fields), computed once
 * per document, then each word's share. The operations are kh_bm25_term's,
 * in its order, so the score is the same bit for bit (the pruned top-k must
 * return exactly the exhaustive evaluation's scores). */
static inline double kh_bm25_norm(const kh_bm25 *st, uint32_t dl)
{
    return 1.0 - KH_BM25_B + KH_BM25_B * (double)dl / st->avgdl;
}

static inline double kh_bm25_share(double idf, uint32_t tf, double norm)
{
    return idf * (double)tf * (KH_BM25_K1 + 1.0) / ((double)tf + KH_BM25_K1 * norm);
}

/* Positions of a TERM matcher's current document (cached per document). */
uint32_t kh_match_positions(kh_match *m, const uint32_t **out);

/* 1 if a matcher (or a kid) hit damaged postings. */
int kh_match_bad(const kh_match *m);

#endif
