/* exec.c — matchers: document-at-a-time query evaluation (see exec.h). */
#include "search/exec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* ---- preparing: statistics and prefix expansion ---- */

static double idf_of(const kh_bm25 *st, double df)
{
    return log(1.0 + (st->n_docs - df + 0.5) / (df + 0.5));
}

static size_t make_key(char *key, size_t cap, char field, const char *term)
{
    size_t n = strlen(term);
    if (n + 1 > cap)
        n = cap - 1;
    key[0] = field;
    memcpy(key + 1, term, n);
    return n + 1;
}

int kh_exec_lookup(kh_bm25 *st, const kh_segment *s, const char *key, size_t len, uint32_t *df,
                   const unsigned char **postings, size_t *postings_len)
{
    for (size_t i = 0; st->cache && i < st->n_cached; i++) {
        kh_lookup *l = &st->cache[i];
        if (l->seg == s && l->key_len == len && !memcmp(l->key, key, len)) {
            *df = l->df;
            *postings = l->postings;
            *postings_len = l->postings_len;
            return l->found;
        }
    }
    int found = kh_segment_lookup(s, key, len, df, postings, postings_len);
    if (st->cache && st->n_cached < KH_LOOKUP_CACHE && len <= sizeof st->cache[0].key) {
        kh_lookup *l = &st->cache[st->n_cached++];
        l->seg = s;
        memcpy(l->key, key, len);
        l->key_len = len;
        l->found = found;
        l->df = found == 1 ? *df : 0;
        l->postings = found == 1 ? *postings : NULL;
        l->postings_len = found == 1 ? *postings_len : 0;
    }
    return found;
}

static double global_df(kh_index *ix, kh_bm25 *st, char field, const char *term)
{
    char key[256];
    size_t n = make_key(key, sizeof key, field, term);
    double df = 0;
    for (size_t i = 0; i < ix->n_segs; i++) {
        if (!ix->segs[i]->committed)
            continue;
        uint32_t d;
        const unsigned char *p;
        size_t len;
        if (kh_exec_lookup(st, ix->segs[i], key, n, &d, &p, &len) == 1)
            df += d; /* a damaged dictionary shows up when the matchers run */
    }
    return df;
}

typedef struct expansion {
    char *term;                 /* without the field letter */
    double df;
} expansion;

static int cmp_exp_term(const void *a, const void *b)
{
    return strcmp(((const expansion *)a)->term, ((const expansion *)b)->term);
}

static int cmp_exp_df(const void *a, const void *b)
{
    double x = ((const expansion *)a)->df, y = ((const expansion *)b)->df;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Turns a PREFIX node into an OR of its most frequent expansions. */
static kh_status expand_prefix(kh_index *ix, kh_qnode *n, const kh_bm25 *st, kh_error *err)
{
    char key[256];
    size_t klen = make_key(key, sizeof key, n->field, n->terms[0]);
    expansion *list = NULL;
    size_t count = 0, cap = 0;
    kh_status status = KH_OK;
    for (size_t i = 0; i < ix->n_segs && status == KH_OK; i++) {
        kh_segment *s = ix->segs[i];
        if (!s->committed)
            continue;
        size_t per_segment = 0;
        kh_term_iter it;
        for (int r = kh_term_iter_seek(&it, &s->dict, key, klen); r == 1 && per_segment < 100000;
             r = kh_term_iter_next(&it), per_segment++) {
            const char *term = it.term;
            size_t len = it.len;
            if (len < klen || memcmp(term, key, klen) != 0)
                break;
            if (count == cap) {
                cap = cap ? cap * 2 : 64;
                expansion *p = realloc(list, cap * sizeof *p);
                if (!p) {
                    status = kh_fail(err, KH_ERR_NOMEM, "out of memory expanding a prefix");
                    break;
                }
                list = p;
            }
            list[count].term = malloc(len);
            if (!list[count].term) {
                status = kh_fail(err, KH_ERR_NOMEM, "out of memory expanding a prefix");
                break;
            }
            memcpy(list[count].term, term + 1, len - 1);
            list[count].term[len - 1] = '\0';
            list[count].df = it.df;
            count++;
        }
    }
    /* merge the segments' lists: same term, summed df */
    size_t merged = 0;
    if (status == KH_OK && count) {
        qsort(list, count, sizeof *list, cmp_exp_term);
        for (size_t i = 0; i < count; i++) {
            if (merged && !strcmp(list[merged - 1].term, list[i].term)) {
                list[merged - 1].df += list[i].df;
                free(list[i].term);
            } else {
                list[merged++] = list[i];
            }
        }
        qsort(list, merged, sizeof *list, cmp_exp_df);
    } else {
        merged = count;
    }
    n->kind = KH_Q_OR;
    n->is_prefix = 1;
    for (size_t i = 0; i < merged; i++) {
        if (status != KH_OK || i >= KH_PREFIX_MAX_TERMS) {
            free(list[i].term);
            continue;
        }
        kh_qnode *k = calloc(1, sizeof *k);
        kh_qnode **kids = k ? realloc(n->kids, (n->n_kids + 1) * sizeof *kids) : NULL;
        k = kids ? k : (free(k), NULL);
        if (kids)
            n->kids = kids;
        if (k) {
            k->terms = malloc(sizeof *k->terms);
            k->qpos = calloc(1, sizeof *k->qpos);
            k->idf = malloc(sizeof *k->idf);
        }
        if (!k || !k->terms || !k->qpos || !k->idf) {
            if (k) {
                free(k->terms);
                free(k->qpos);
                free(k->idf);
                free(k);
            }
            free(list[i].term);
            status = kh_fail(err, KH_ERR_NOMEM, "out of memory expanding a prefix");
            continue;
        }
        k->kind = KH_Q_TERM;
        k->field = n->field;
        k->terms[0] = list[i].term;
        k->n_terms = 1;
        k->idf[0] = idf_of(st, list[i].df);
        n->kids[n->n_kids++] = k;
    }
    free(list);
    return status;
}

static kh_status prepare_node(kh_index *ix, kh_qnode *n, kh_bm25 *st, kh_error *err)
{
    if (n->kind == KH_Q_PREFIX)
        return expand_prefix(ix, n, st, err);
    if (n->n_terms && n->kind != KH_Q_OR) {
        n->idf = malloc(n->n_terms * sizeof *n->idf);
        if (!n->idf)
            return kh_fail(err, KH_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n->n_terms; i++)
            n->idf[i] = idf_of(st, global_df(ix, st, n->field, n->terms[i]));
    }
    for (size_t i = 0; i < n->n_kids; i++) {
        kh_status s = prepare_node(ix, n->kids[i], st, err);
        if (s != KH_OK)
            return s;
    }
    return KH_OK;
}

kh_status kh_exec_prepare(kh_index *ix, kh_query *q, kh_bm25 *stats, kh_error *err)
{
    double docs = 0, len = 0;
    for (size_t i = 0; i < ix->n_segs; i++) {
        if (!ix->segs[i]->committed)
            continue;
        docs += ix->segs[i]->n_docs;
        len += (double)ix->segs[i]->total_len;
    }
    stats->n_docs = docs;
    stats->avgdl = docs > 0 && len > 0 ? len / docs : 1.0;
    return q->root ? prepare_node(ix, q->root, stats, err) : KH_OK;
}

/* ---- scoring ---- */

double kh_bm25_term(const kh_bm25 *st, double idf, uint32_t tf, uint32_t dl, int length_norm)
{
    return kh_bm25_share(idf, tf, length_norm ? kh_bm25_norm(st, dl) : 1.0);
}

/* ---- building ---- */

static kh_match *new_match(kh_qkind kind, const kh_segment *s, const kh_bm25 *st)
{
    kh_match *m = calloc(1, sizeof *m);
    if (m) {
        m->kind = kind;
        m->seg = s;
        m->stats = st;
        m->pos_doc = KH_NO_DOC;
    }
    return m;
}

void kh_match_free(kh_match *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_kids; i++)
        kh_match_free(m->kids[i]);
    free(m->kids);
    free(m->pos);
    free(m);
}

static kh_match *build_term(char field, const char *term, double idf, const kh_segment *s,
                            kh_bm25 *st, int *oom)
{
    char key[256];
    size_t n = make_key(key, sizeof key, field, term);
    const unsigned char *p;
    size_t len;
    uint32_t df;
    int found = kh_exec_lookup(st, s, key, n, &df, &p, &len);
    if (found == 0)
        return NULL;
    kh_match *m = new_match(KH_Q_TERM, s, st);
    if (!m) {
        *oom = 1;
        return NULL;
    }
    if (found < 0 || kh_postings_init(&m->post, p, len, df, s->n_docs) != 0)
        m->post.bad = 1; /* reported by kh_match_bad after the search */
    m->idf = idf;
    m->length_norm = field == KH_FIELD_TEXT;
    m->cost = df;
    uint32_t max_tf, min_len;
    kh_postings_term_max(&m->post, &max_tf, &min_len);
    m->max_score = max_tf >= 0xFFFF ? idf * (KH_BM25_K1 + 1.0)
                                    : kh_bm25_term(st, idf, max_tf, min_len, m->length_norm);
    return m;
}

static int push_kid(kh_match *m, kh_match *k)
{
    kh_match **kids = realloc(m->kids, (m->n_kids + 1) * sizeof *kids);
    if (!kids)
        return -1;
    m->kids = kids;
    m->kids[m->n_kids++] = k;
    return 0;
}

static int cmp_cost(const void *a, const void *b)
{
    const kh_match *x = *(kh_match *const *)a, *y = *(kh_match *const *)b;
    if (x->negated != y->negated)
        return x->negated - y->negated; /* positive kids first */
    return x->cost < y->cost ? -1 : x->cost > y->cost;
}

kh_match *kh_match_build(const kh_qnode *n, const kh_segment *s, kh_bm25 *st, int *oom)
{
    kh_match *m = NULL;
    switch (n->kind) {
    case KH_Q_TERM:
        m = build_term(n->field, n->terms[0], n->idf ? n->idf[0] : 0, s, st, oom);
        break;
    case KH_Q_PHRASE:
        m = new_match(KH_Q_PHRASE, s, st);
        if (!m) {
            *oom = 1;
            return NULL;
        }
        m->qpos = n->qpos;
        m->cost = UINT64_MAX;
        for (size_t i = 0; i < n->n_terms; i++) {
            kh_match *k = build_term(n->field, n->terms[i], n->idf ? n->idf[i] : 0, s, st, oom);
            if (!k || push_kid(m, k) != 0) {
                if (k)
                    *oom = 1;
                kh_match_free(k);
                kh_match_free(m);
                return NULL;
            }
            m->max_score += k->max_score;
            if (k->cost < m->cost)
                m->cost = k->cost;
        }
        break;
    case KH_Q_AND:
    case KH_Q_OR: {
        m = new_match(n->kind, s, st);
        if (!m) {
            *oom = 1;
            return NULL;
        }
        size_t positives = 0;
        for (size_t i = 0; i < n->n_kids; i++) {
            kh_match *k = kh_match_build(n->kids[i], s, st, oom);
            int neg = n->kids[i]->negated;
            positives += !neg;
            if (!k) {
                if (*oom || (n->kind == KH_Q_AND && !neg)) {
                    kh_match_free(m);
                    return NULL; /* a required kid cannot match here */
                }
                continue;
            }
            k->negated = n->kind == KH_Q_AND && neg;
            if (push_kid(m, k) != 0) {
                *oom = 1;
                kh_match_free(k);
                kh_match_free(m);
                return NULL;
            }
        }
        if (n->kind == KH_Q_OR && m->n_kids == 0) {
            kh_match_free(m);
            return NULL;
        }
        if (m->n_kids > 1)
            qsort(m->kids, m->n_kids, sizeof *m->kids, cmp_cost);
        m->cost = n->kind == KH_Q_AND ? UINT64_MAX : 0;
        if (n->kind == KH_Q_AND && positives == 0)
            m->cost = s->n_docs;
        for (size_t i = 0; i < m->n_kids; i++) {
            kh_match *k = m->kids[i];
            if (k->negated)
                continue;
            m->max_score += k->max_score;
            if (n->kind == KH_Q_AND && k->cost < m->cost)
                m->cost = k->cost;
            if (n->kind == KH_Q_OR)
                m->cost += k->cost;
        }
        break;
    }
    default:
        return NULL;
    }
    return m;
}

/* ---- advancing ---- */

uint32_t kh_match_positions(kh_match *m, const uint32_t **out)
{
    if (m->pos_doc != m->doc) {
        m->n_pos = 0;
        if (kh_postings_npos(&m->post) > m->cap_pos) {
            uint32_t cap = kh_postings_npos(&m->post) * 2;
            uint32_t *p = realloc(m->pos, cap * sizeof *p);
            if (!p) {
                *out = m->pos;
                return 0;
            }
            m->pos = p;
            m->cap_pos = cap;
        }
        m->n_pos = kh_postings_positions(&m->post, m->pos);
        m->pos_doc = m->doc;
    }
    *out = m->pos;
    return m->n_pos;
}

static int has_pos(const uint32_t *p, uint32_t n, uint32_t want)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p[mid] < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && p[lo] == want;
}

/* The phrase's words stand at their relative positions somewhere in doc. */
static int phrase_matches(kh_match *m)
{
    const uint32_t *first;
    uint32_t n0 = kh_match_positions(m->kids[0], &first);
    for (uint32_t a = 0; a < n0; a++) {
        if (first[a] < m->qpos[0])
            continue;
        uint32_t start = first[a] - m->qpos[0];
        size_t k = 1;
        for (; k < m->n_kids; k++) {
            const uint32_t *p;
            uint32_t n = kh_match_positions(m->kids[k], &p);
            if (!has_pos(p, n, start + m->qpos[k]))
                break;
        }
        if (k == m->n_kids)
            return 1;
    }
    return 0;
}

static uint32_t advance_kid(kh_match *k, uint32_t target)
{
    if (k->started && (k->doc == KH_NO_DOC || k->doc >= target))
        return k->doc;
    return kh_match_advance(k, target);
}

/* Leapfrog: the first document >= d that kids[0..n) all match. Kids are
 * sorted rarest first, so the rarest one proposes and the others confirm. */
static uint32_t leapfrog(kh_match **kids, size_t n, uint32_t d)
{
    size_t agreed = 0, i = 0;
    while (agreed < n) {
        uint32_t x = advance_kid(kids[i], d);
        if (x == KH_NO_DOC)
            return KH_NO_DOC;
        if (x > d) {
            d = x;
            agreed = 1;
        } else {
            agreed++;
        }
        i = i + 1 == n ? 0 : i + 1;
    }
    return d;
}

/* AND: the positive kids (first, after sorting) all match, no negated one
 * does; with no positive kid, every document of the segment is a candidate. */
static uint32_t advance_and(kh_match *m, uint32_t target)
{
    size_t positives = 0;
    while (positives < m->n_kids && !m->kids[positives]->negated)
        positives++;
    uint32_t d = target;
    for (;;) {
        if (positives == 0) {
            if (d >= m->seg->n_docs)
                return KH_NO_DOC;
        } else if ((d = leapfrog(m->kids, positives, d)) == KH_NO_DOC) {
            return KH_NO_DOC;
        }
        int excluded = 0;
        for (size_t k = positives; k < m->n_kids && !excluded; k++)
            excluded = advance_kid(m->kids[k], d) == d;
        if (!excluded)
            return d;
        if (d >= KH_NO_DOC - 1)
            return KH_NO_DOC;
        d++;
    }
}

uint32_t kh_match_advance(kh_match *m, uint32_t target)
{
    if (m->started && (m->doc == KH_NO_DOC || m->doc >= target))
        return m->doc;
    m->started = 1;
    switch (m->kind) {
    case KH_Q_TERM:
        m->doc = kh_postings_advance(&m->post, target);
        break;
    case KH_Q_PHRASE: {
        uint32_t d = target;
        for (;;) {
            d = leapfrog(m->kids, m->n_kids, d);
            if (d == KH_NO_DOC)
                break;
            m->doc = d;
            if (phrase_matches(m))
                break;
            d++;
        }
        m->doc = d;
        break;
    }
    case KH_Q_AND:
        m->doc = advance_and(m, target);
        break;
    case KH_Q_OR: {
        uint32_t best = KH_NO_DOC;
        for (size_t i = 0; i < m->n_kids; i++) {
            uint32_t x = advance_kid(m->kids[i], target);
            if (x < best)
                best = x;
        }
        m->doc = best;
        break;
    }
    default:
        m->doc = KH_NO_DOC;
    }
    return m->doc;
}

double kh_match_score(kh_match *m)
{
    switch (m->kind) {
    case KH_Q_TERM:
        return kh_bm25_term(m->stats, m->idf, kh_postings_tf(&m->post), kh_segment_doc_len(m->seg, m->doc),
                            m->length_norm);
    case KH_Q_PHRASE:
    case KH_Q_AND:
    case KH_Q_OR: {
        double s = 0;
        for (size_t i = 0; i < m->n_kids; i++) {
            kh_match *k = m->kids[i];
            if (!k->negated && k->started && k->doc == m->doc)
                s += kh_match_score(k);
        }
        return s;
    }
    default:
        return 0;
    }
}

int kh_match_bad(const kh_match *m)
{
    if (!m)
        return 0;
    if (m->kind == KH_Q_TERM && m->post.bad)
        return 1;
    for (size_t i = 0; i < m->n_kids; i++)
        if (kh_match_bad(m->kids[i]))
            return 1;
    return 0;
}
