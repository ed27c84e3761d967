/* collect.h — gathering the best hits of a query (lib/search internals).
 *
 * A search (search.c) evaluates its query on every segment and keeps the
 * best candidates in a collector, a binary heap with the worst on top
 * (collect.c); the best are then re-ranked by proximity (proximity.c) and
 * turned into hits. kh_search_state is the one search's working state,
 * shared by those three files. */
#ifndef KH_SEARCH_COLLECT_H
#define KH_SEARCH_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "index/index.h"
#include "index/stored.h"
#include "util/buf.h"
#include "search/exec.h"
#include "search/query.h"

/* Hits re-ranked by proximity: at least this many of the best by BM25. */
#define KH_RERANK_DEPTH 100
/* Hits re-ordered by how well their headline matches the query's words. */
#define KH_TITLE_WINDOW 10

typedef struct kh_cand {
    double score;
    int64_t published;
    uint32_t seg, doc;
} kh_cand;

typedef struct kh_collector {
    kh_cand *heap;              /* the best so far, the worst on top */
    size_t n, cap;
    kh_sort sort;
} kh_collector;

typedef struct kh_search_state {
    kh_index *ix;
    const kh_search_options *opt;
    kh_query q;
    kh_bm25 stats;
    int64_t from, to;
    char source[256];
    int has_source;
    kh_collector top;
    /* the best `want` BM25 scores so far (min-heap): a document whose BM25
     * plus the largest proximity boost cannot reach the want-th of them
     * cannot be on the page, whatever the re-ranking does */
    double *kheap;
    size_t kn, kcap;
    double max_boost;
    size_t total;
    int total_exact;
    /* facets */
    struct { char *name; size_t count; } *src_facet;
    size_t n_src_facet;
    int32_t *days;                  /* day number of every dated match */
    size_t n_days, cap_days;
    /* the summary records the headline step read (titlematch.c), copied
     * into title_recs and decoded, so that the page's hits do not read them
     * again (sum points into title_recs once all are copied) */
    struct { uint32_t seg, doc; size_t off, len; kh_summary sum; } title_rec[KH_TITLE_WINDOW];
    size_t n_title_rec;
    kh_buf title_recs;
    kh_error *err;
    kh_status st;
} kh_search_state;

/* 1 if a ranks before b in the collector's order. */
int kh_collect_better(const kh_collector *c, const kh_cand *a, const kh_cand *b);

/* Evaluates root on every committed segment into S->top (and S->total, the
 * facets). Returns S->st. */
kh_status kh_collect_all(kh_search_state *S, const kh_qnode *root);

/* Sorts candidates best first, in the collector's order. */
void kh_collect_sort(const kh_collector *top, kh_cand *c, size_t n);

/* The largest boost proximity can add to a document's score for this query. */
double kh_proximity_max_boost(const kh_qnode *root);

/* Re-ranks candidates (the best by BM25) by proximity, exactly for the best
 * `need` (proximity.c). */
void kh_proximity_rerank(kh_search_state *S, kh_cand *c, size_t n, size_t need);

/* Re-orders the best min(n, KH_TITLE_WINDOW) of c (sorted best first, the
 * exact best of the collection) by headline match with query, the raw text
 * S->q was parsed from (titlematch.c). Plain queries only: others are left
 * as they are. The summaries read are kept in S (kh_title_summary). Fails
 * only when a stored summary cannot be read (the error in S->err); out of
 * memory leaves the order as it was. */
kh_status kh_title_rerank(kh_search_state *S, kh_cand *c, size_t n, const char *query);

/* The summary of candidate c if the headline step read it: 1 and *out
 * filled (pointing into S->title_recs), else 0. */
int kh_title_summary(const kh_search_state *S, const kh_cand *c, kh_summary *out);

#endif
