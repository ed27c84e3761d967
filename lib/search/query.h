/* query.h — the query language, parsed into a tree (docs/search.md).
 *
 *   word            must appear (words are ANDed; with default_or, ORed)
 *   a OR b          either (OR binds tighter than the implicit AND:
 *                   `x a OR b y` is x AND (a OR b) AND y)
 *   -word, -"..."   must not appear
 *   "exact phrase"  the words in this order, next to each other
 *   prefix*         any word starting so (expanded to at most
 *                   KH_PREFIX_MAX_TERMS terms, the most frequent)
 *   (a b) OR c      grouping
 *   title:w  author:w  source:s     a word in one field (title:"..." too)
 *   published:2015-07-01..2015-08-01, published:2015-07-01.., published:..2015-08-01,
 *   published:2015-07-01            a date range (inclusive), only at the top level
 *
 * Words are analyzed exactly as the indexed text was, so the query matches
 * whatever spelling variants the analyzer folds together. A word that
 * analyzes to a stopword or to nothing is dropped from the query. */
#ifndef KH_SEARCH_QUERY_H
#define KH_SEARCH_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "khabar.h"

#define KH_PREFIX_MAX_TERMS 128
#define KH_QUERY_MAX_LEAVES 1024
#define KH_QUERY_MAX_DEPTH 32

typedef enum kh_qkind {
    KH_Q_TERM,      /* terms[0] in field */
    KH_Q_PHRASE,    /* terms[0..n) at relative positions qpos[] */
    KH_Q_PREFIX,    /* any term starting with terms[0] */
    KH_Q_AND,       /* every positive kid, no negated kid */
    KH_Q_OR,        /* any kid */
    KH_Q_EMPTY      /* dropped (stopwords only): AND and OR ignore it */
} kh_qkind;

typedef struct kh_qnode {
    kh_qkind kind;
    int negated;                /* as a kid of AND: must not match */
    char field;                 /* KH_FIELD_TEXT, _TITLE, _AUTHOR, _SOURCE */
    char **terms;               /* owned, NUL-terminated */
    uint32_t *qpos;             /* relative positions (phrases) */
    size_t n_terms;
    struct kh_qnode **kids;
    size_t n_kids;
    /* filled by kh_exec_prepare (exec.h) */
    double *idf;                /* per term, from the whole index's statistics */
    int is_prefix;              /* an OR of a prefix's expansions; terms[0] is the prefix */
} kh_qnode;

typedef struct kh_query {
    kh_qnode *root;             /* NULL when nothing is left to match */
    int64_t from, to;           /* published range from published:, INT64_MIN/MAX = open */
    int has_range;
    size_t n_leaves;
    int dropped_words;          /* words that analyzed to nothing/stopwords */
} kh_query;

/* Parses text with analyzer an. KH_ERR_PARSE with the byte offset for
 * malformed input, KH_ERR_TOO_LARGE beyond the limits above. *q is released
 * with kh_query_free even on failure. */
kh_status kh_query_parse(const char *text, size_t len, int default_or, kh_analyzer *an,
                         kh_query *q, kh_error *err);
void kh_query_free(kh_query *q);

/* Parses a date bound: "YYYY-MM-DD" or ISO 8601. An end bound without a
 * time means the end of that day. Returns 0 or -1. */
int kh_query_date(const char *s, size_t len, int is_end, int64_t *out);

#endif
