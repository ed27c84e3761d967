/* proximity.c — re-ranking the best hits by how close the query's words
 * stand in them (docs/search.md: Ranking). */
#include "search/collect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Weight of a pair of query words found next to each other, in order,
 * relative to the idf of the rarer one; a near pair counts a quarter. */
#define PROX_ADJACENT 1.0
#define PROX_NEAR 0.25
#define PROX_NEAR_WINDOW 8

typedef struct prox_term {
    const char *term;
    double idf;
} prox_term;

/* The query's positive words of the all-text field, in query order. */
static void gather_prox_terms(const kh_qnode *n, prox_term *out, size_t *count, size_t cap)
{
    if (!n || n->negated)
        return;
    if ((n->kind == KH_Q_TERM || n->kind == KH_Q_PHRASE) && n->field == KH_FIELD_TEXT) {
        for (size_t i = 0; i < n->n_terms && *count < cap; i++) {
            out[*count].term = n->terms[i];
            out[*count].idf = n->idf ? n->idf[i] : 0;
            (*count)++;
        }
        return;
    }
    if (n->kind == KH_Q_AND)
        for (size_t i = 0; i < n->n_kids; i++)
            gather_prox_terms(n->kids[i], out, count, cap);
}

/* Closeness of two sorted position lists: 1 if some b follows some a within
 * 1..3 positions (in order, stopwords between allowed), PROX_NEAR if they
 * are within PROX_NEAR_WINDOW either way, else 0. */
static double pair_closeness(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
    double best = 0;
    uint32_t j = 0;
    for (uint32_t i = 0; i < na; i++) {
        while (j < nb && b[j] + PROX_NEAR_WINDOW < a[i])
            j++;
        for (uint32_t k = j; k < nb && b[k] <= a[i] + PROX_NEAR_WINDOW; k++) {
            if (b[k] > a[i] && b[k] - a[i] <= 3)
                return PROX_ADJACENT;
            best = PROX_NEAR;
        }
    }
    return best;
}

static int cmp_cand_score(const void *x, const void *y)
{
    const kh_cand *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->seg != b->seg)
        return a->seg < b->seg ? -1 : 1;
    return a->doc < b->doc ? -1 : a->doc > b->doc;
}

/* One proximity word's postings in one segment: looked up once, walked
 * forward by a cursor that the candidates share. */
typedef struct prox_cursor {
    int found;                  /* the word is in the segment */
    int open;                   /* post is initialised */
    uint32_t df;
    const unsigned char *p;
    size_t len;
    uint32_t last;              /* the last document asked for */
    kh_postings post;
} prox_cursor;

/* The positions of word cursor pc in document doc into *pos (grown to
 * *cap); 0 when the word is not there. The cursor only moves forward, so a
 * document before the last one asked for reopens it. */
static uint32_t word_positions(prox_cursor *pc, const kh_segment *s, uint32_t doc, uint32_t **pos, uint32_t *cap)
{
    if (!pc->found)
        return 0;
    if (!pc->open || doc < pc->last) {
        if (kh_postings_init(&pc->post, pc->p, pc->len, pc->df, s->n_docs) != 0) {
            pc->found = 0;
            return 0;
        }
        pc->open = 1;
    }
    pc->last = doc;
    if (kh_postings_advance(&pc->post, doc) != doc)
        return 0;
    if (kh_postings_npos(&pc->post) > *cap) {
        uint32_t *q = realloc(*pos, kh_postings_npos(&pc->post) * sizeof *q);
        if (!q)
            return 0;
        *pos = q;
        *cap = kh_postings_npos(&pc->post);
    }
    return kh_postings_positions(&pc->post, *pos);
}

/* The proximity boost of one candidate: for each pair of consecutive query
 * words, their closeness times the smaller idf. */
static double proximity_boost(const kh_segment *s, uint32_t doc, const prox_term *terms, size_t nt,
                              prox_cursor *cur, uint32_t **pos, uint32_t *cap)
{
    uint32_t n[64];
    for (size_t t = 0; t < nt; t++)
        n[t] = word_positions(&cur[t], s, doc, &pos[t], &cap[t]);
    double boost = 0;
    for (size_t t = 0; t + 1 < nt; t++) {
        if (!n[t] || !n[t + 1])
            continue;
        double w = terms[t].idf < terms[t + 1].idf ? terms[t].idf : terms[t + 1].idf;
        boost += w * pair_closeness(pos[t], n[t], pos[t + 1], n[t + 1]);
    }
    return boost;
}

/* Adds x to the min-heap h of the best (at most) cap values, which holds n. */
static void heap_keep_best(double *h, size_t n, size_t cap, double x)
{
    size_t i;
    if (n < cap) {
        for (i = n; i > 0 && h[(i - 1) / 2] > x; i = (i - 1) / 2)
            h[i] = h[(i - 1) / 2];
        h[i] = x;
        return;
    }
    if (x <= h[0])
        return;
    for (i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        double v = x;
        if (l < n && h[l] < v)
            m = l, v = h[l];
        if (r < n && h[r] < v)
            m = r;
        if (m == i)
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = x;
}

typedef struct doc_ref {
    uint32_t seg, doc;
    size_t at;                  /* index into the candidates */
} doc_ref;

static int cmp_doc_ref(const void *x, const void *y)
{
    const doc_ref *a = x, *b = y;
    if (a->seg != b->seg)
        return a->seg < b->seg ? -1 : 1;
    return a->doc < b->doc ? -1 : a->doc > b->doc;
}

/* Re-ranks the candidates (the best by BM25) by proximity, exactly for the
 * best `need`: candidates are visited best first, and the visit stops when
 * even the largest possible boost cannot lift the next one into the top
 * `need` (their order below that does not matter: they are not returned).
 *
 * The boosts are computed ahead of the visit, `need` candidates at a time,
 * in document order: each word then has one cursor per segment that only
 * moves forward, and candidates in the same block of a word's postings
 * share its decoding, where a fresh cursor per candidate decoded the block
 * from its start each time (the cost of the slowest three-word queries).
 * A boost computed beyond the point where the visit stops is dropped, so
 * the scores are the ones the one-by-one visit gave. */
void kh_proximity_rerank(kh_search_state *S, kh_cand *c, size_t n, size_t need)
{
    prox_term terms[64];
    size_t nt = 0;
    gather_prox_terms(S->q.root, terms, &nt, 64);
    if (nt < 2 || n == 0 || need == 0)
        return;
    qsort(c, n, sizeof *c, cmp_cand_score);
    double max_boost = 0;
    for (size_t t = 0; t + 1 < nt; t++)
        max_boost += PROX_ADJACENT * (terms[t].idf < terms[t + 1].idf ? terms[t].idf : terms[t + 1].idf);
    size_t n_segs = S->ix->n_segs;
    prox_cursor *cur = malloc(n_segs * nt * sizeof *cur);
    uint8_t *looked = calloc(n_segs, 1);
    double *finals = malloc(n * sizeof *finals);
    double *boosts = malloc(n * sizeof *boosts);
    doc_ref *batch = malloc(n * sizeof *batch);
    uint32_t *pos[64] = {0}, cap[64] = {0};
    if (!cur || !looked || !finals || !boosts || !batch) {
        free(cur);
        free(looked);
        free(finals);
        free(boosts);
        free(batch);
        return; /* out of memory: BM25 order stands */
    }
    /* finals: the best `need` final scores so far, a min-heap, so that the
     * need-th best is finals[0] (a selection over every final score at each
     * step cost more than the boosts on 100-candidate queries) */
    size_t done = 0, ready = 0;
    for (size_t i = 0; i < n; i++) {
        if (done >= need && c[i].score + max_boost <= finals[0])
            break;
        if (i == ready) { /* the next batch, in document order */
            size_t m = need;
            if (m > n - ready)
                m = n - ready;
            for (size_t k = 0; k < m; k++)
                batch[k] = (doc_ref){c[ready + k].seg, c[ready + k].doc, ready + k};
            qsort(batch, m, sizeof *batch, cmp_doc_ref);
            for (size_t k = 0; k < m; k++) {
                uint32_t sg = batch[k].seg;
                prox_cursor *sc = &cur[(size_t)sg * nt];
                if (!looked[sg]) {
                    for (size_t t = 0; t < nt; t++) {
                        char key[256];
                        size_t len = strlen(terms[t].term);
                        if (len > 254)
                            len = 254;
                        key[0] = KH_FIELD_TEXT;
                        memcpy(key + 1, terms[t].term, len);
                        sc[t].open = 0;
                        sc[t].found = kh_exec_lookup(&S->stats, S->ix->segs[sg], key, len + 1, &sc[t].df,
                                                     &sc[t].p, &sc[t].len) == 1;
                    }
                    looked[sg] = 1;
                }
                boosts[batch[k].at] = proximity_boost(S->ix->segs[sg], batch[k].doc, terms, nt, sc, pos, cap);
            }
            ready += m;
        }
        c[i].score += boosts[i];
        heap_keep_best(finals, done < need ? done : need, need, c[i].score);
        done++;
    }
    for (size_t t = 0; t < nt; t++)
        free(pos[t]);
    free(cur);
    free(looked);
    free(finals);
    free(boosts);
    free(batch);
}

double kh_proximity_max_boost(const kh_qnode *root)
{
    prox_term terms[64];
    size_t nt = 0;
    double boost = 0;
    gather_prox_terms(root, terms, &nt, 64);
    for (size_t t = 0; t + 1 < nt; t++)
        boost += PROX_ADJACENT * (terms[t].idf < terms[t + 1].idf ? terms[t].idf : terms[t + 1].idf);
    return boost;
}
