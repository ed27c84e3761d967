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

/* Where a proximity term's postings are in one segment (looked up once). */
typedef struct prox_loc {
    int found;
    uint32_t df;
    const unsigned char *p;
    size_t len;
} prox_loc;

/* The proximity boost of one candidate: for each pair of consecutive query
 * words, their closeness times the smaller idf. */
static double proximity_boost(kh_search_state *S, const kh_cand *c, const prox_term *terms, size_t nt,
                              const prox_loc *loc, uint32_t **pos, uint32_t *cap)
{
    const kh_segment *s = S->ix->segs[c->seg];
    uint32_t n[64];
    for (size_t t = 0; t < nt; t++) {
        n[t] = 0;
        kh_postings cur;
        if (!loc[t].found || kh_postings_init(&cur, loc[t].p, loc[t].len, loc[t].df, s->n_docs) != 0 ||
            kh_postings_advance(&cur, c->doc) != c->doc)
            continue;
        if (cur.npos > cap[t]) {
            uint32_t *q = realloc(pos[t], cur.npos * sizeof *q);
            if (!q)
                continue;
            pos[t] = q;
            cap[t] = cur.npos;
        }
        n[t] = kh_postings_positions(&cur, pos[t]);
    }
    double boost = 0;
    for (size_t t = 0; t + 1 < nt; t++) {
        if (!n[t] || !n[t + 1])
            continue;
        double w = terms[t].idf < terms[t + 1].idf ? terms[t].idf : terms[t + 1].idf;
        boost += w * pair_closeness(pos[t], n[t], pos[t + 1], n[t + 1]);
    }
    return boost;
}

/* Re-ranks the candidates (the best by BM25) by proximity, exactly for the
 * best `need`: candidates are visited best first, and the visit stops when
 * even the largest possible boost cannot lift the next one into the top
 * `need` (their order below that does not matter: they are not returned). */
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
    prox_loc *loc = calloc(n_segs * nt, sizeof *loc);
    uint8_t *looked = calloc(n_segs, 1);
    double *finals = malloc(n * sizeof *finals);
    uint32_t *pos[64] = {0}, cap[64] = {0};
    if (!loc || !looked || !finals) {
        free(loc);
        free(looked);
        free(finals);
        return; /* out of memory: BM25 order stands */
    }
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        if (done >= need) {
            /* the need-th best final score so far */
            double kth = -INFINITY;
            for (size_t r = 0; r < need; r++) { /* partial selection: need is small */
                size_t best = r;
                for (size_t q = r + 1; q < done; q++)
                    if (finals[q] > finals[best])
                        best = q;
                double t = finals[r];
                finals[r] = finals[best];
                finals[best] = t;
                kth = finals[r];
            }
            if (c[i].score + max_boost <= kth)
                break;
        }
        uint32_t sg = c[i].seg;
        if (!looked[sg]) {
            for (size_t t = 0; t < nt; t++) {
                char key[256];
                size_t len = strlen(terms[t].term);
                if (len > 254)
                    len = 254;
                key[0] = KH_FIELD_TEXT;
                memcpy(key + 1, terms[t].term, len);
                prox_loc *l = &loc[(size_t)sg * nt + t];
                l->found = kh_exec_lookup(&S->stats, S->ix->segs[sg], key, len + 1, &l->df, &l->p, &l->len) == 1;
            }
            looked[sg] = 1;
        }
        c[i].score += proximity_boost(S, &c[i], terms, nt, &loc[(size_t)sg * nt], pos, cap);
        finals[done++] = c[i].score;
    }
    for (size_t t = 0; t < nt; t++)
        free(pos[t]);
    free(loc);
    free(looked);
    free(finals);
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
