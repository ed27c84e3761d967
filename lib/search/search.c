/* search.c — kh_search: parse, match every segment, keep the top hits,
 * re-rank them by proximity, count facets, cut snippets (docs/search.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/index.h"
#include "index/when.h"
#include "search/exec.h"
#include "search/query.h"
#include "search/snippet.h"
#include "util/error.h"

/* Hits re-ranked by proximity: at least this many of the best by BM25. */
#define RERANK_DEPTH 100
/* Weight of a pair of query words found next to each other, in order,
 * relative to the idf of the rarer one (docs/search.md). */
#define PROX_ADJACENT 1.0
#define PROX_NEAR 0.25
#define PROX_NEAR_WINDOW 8

void kh_search_options_init(kh_search_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->limit = 10;
    opt->sort = KH_SORT_RELEVANCE;
    opt->count_total = 1;
    opt->facets = 1;
    opt->snippets = 1;
    opt->snippet_bytes = 240;
    opt->facet_limit = 20;
    opt->relax = 1;
}

static void hit_clear(kh_hit *h)
{
    free(h->id);
    free(h->title);
    free(h->source);
    free(h->published);
    free(h->url);
    free(h->snippet);
    free(h->highlights);
}

void kh_search_result_free(kh_search_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_hits; i++)
        hit_clear(&r->hits[i]);
    free(r->hits);
    for (size_t i = 0; i < r->n_by_source; i++)
        free(r->by_source[i].value);
    free(r->by_source);
    for (size_t i = 0; i < r->n_by_day; i++)
        free(r->by_day[i].value);
    free(r->by_day);
    free(r->note);
    free(r);
}

/* ---- the top-k collector: a binary heap with the worst hit on top ---- */

typedef struct cand {
    double score;
    int64_t published;
    uint32_t seg, doc;
} cand;

typedef struct collector {
    cand *heap;
    size_t n, cap;
    kh_sort sort;
} collector;

/* 1 if a ranks before b. Ties go to the lower (segment, doc), which keeps
 * results stable from one run to the next. */
static int better(const collector *c, const cand *a, const cand *b)
{
    if (c->sort == KH_SORT_DATE && a->published != b->published)
        return a->published > b->published;
    if (a->score != b->score)
        return a->score > b->score;
    if (a->seg != b->seg)
        return a->seg < b->seg;
    return a->doc < b->doc;
}

static void sift_down(collector *c, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < c->n && better(c, &c->heap[w], &c->heap[l]))
            w = l;
        if (r < c->n && better(c, &c->heap[w], &c->heap[r]))
            w = r;
        if (w == i)
            return;
        cand t = c->heap[i];
        c->heap[i] = c->heap[w];
        c->heap[w] = t;
        i = w;
    }
}

static void offer(collector *c, const cand *x)
{
    if (c->cap == 0)
        return;
    if (c->n < c->cap) {
        size_t i = c->n++;
        c->heap[i] = *x;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!better(c, &c->heap[p], &c->heap[i]))
                break;
            cand t = c->heap[i];
            c->heap[i] = c->heap[p];
            c->heap[p] = t;
            i = p;
        }
        return;
    }
    if (better(c, x, &c->heap[0])) {
        c->heap[0] = *x;
        sift_down(c, 0);
    }
}

/* The score a new hit must beat to enter a full heap (relevance sort). */
static double threshold(const collector *c)
{
    return c->n == c->cap && c->cap ? c->heap[0].score : -INFINITY;
}

/* ---- per-search state ---- */
struct search;
static double prune_threshold(const struct search *S);
static void note_score(struct search *S, double score);


typedef struct search {
    kh_index *ix;
    const kh_search_options *opt;
    kh_query q;
    kh_bm25 stats;
    int64_t from, to;
    char source[256];
    int has_source;
    collector top;
    /* the best `want` BM25 scores so far (min-heap): a document whose BM25
     * plus the largest proximity boost cannot reach the want-th of them
     * cannot be on the page, whatever the re-ranking does */
    double *kheap;
    size_t kn, kcap;
    double max_boost;
    size_t total;
    int total_exact;
    /* facets */
    size_t *source_counts;          /* per segment: allocated per segment */
    struct { char *name; size_t count; } *src_facet;
    size_t n_src_facet;
    int32_t *days;                  /* day number of every dated match */
    size_t n_days, cap_days;
    kh_error *err;
    kh_status st;
} search;

static void note_score(search *S, double score)
{
    if (S->kcap == 0)
        return;
    double *h = S->kheap;
    if (S->kn < S->kcap) {
        size_t i = S->kn++;
        h[i] = score;
        while (i > 0 && h[(i - 1) / 2] > h[i]) {
            double t = h[i];
            h[i] = h[(i - 1) / 2];
            h[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
        return;
    }
    if (score <= h[0])
        return;
    h[0] = score;
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < S->kn && h[l] < h[m])
            m = l;
        if (r < S->kn && h[r] < h[m])
            m = r;
        if (m == i)
            break;
        double t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* The score a document must beat to matter (relevance sort). */
static double prune_threshold(const search *S)
{
    double t = threshold(&S->top);
    if (S->kcap && S->kn == S->kcap && S->kheap[0] - S->max_boost > t)
        t = S->kheap[0] - S->max_boost;
    return t;
}

/* Offers a scored candidate to both heaps. */
static void offer_scored(search *S, const cand *c)
{
    offer(&S->top, c);
    note_score(S, c->score);
}

static int source_matches(const kh_segment *s, uint32_t ord, const char *want)
{
    size_t len;
    const char *name = kh_strtab_get(&s->sources, ord, &len);
    if (strlen(want) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char a = name[i], b = want[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (char)(b + 32);
        if (a != b)
            return 0;
    }
    return 1;
}

static int add_source_facet(search *S, const char *name, size_t len, size_t count)
{
    for (size_t i = 0; i < S->n_src_facet; i++)
        if (strlen(S->src_facet[i].name) == len && !memcmp(S->src_facet[i].name, name, len)) {
            S->src_facet[i].count += count;
            return 0;
        }
    void *p = realloc(S->src_facet, (S->n_src_facet + 1) * sizeof *S->src_facet);
    if (!p)
        return -1;
    S->src_facet = p;
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, name, len);
    copy[len] = '\0';
    S->src_facet[S->n_src_facet].name = copy;
    S->src_facet[S->n_src_facet].count = count;
    S->n_src_facet++;
    return 0;
}

/* MaxScore for a top-level OR of terms when the total need not be exact:
 * kids sorted by their score bound; those whose bounds together cannot beat
 * the current k-th score are "non-essential": they never propose a
 * candidate, and are only probed for candidates that might still make it. */
static void collect_maxscore(search *S, kh_match *root, uint32_t seg_no, const uint8_t *allowed_src)
{
    const kh_segment *s = root->seg;
    size_t n = root->n_kids;
    /* the kids by ascending bound (insertion sort: few kids); root->kids keeps
     * its order, in which the final score is summed, so that the score is
     * bit for bit the one the exhaustive evaluation computes */
    kh_match **k = malloc(n * sizeof *k);
    if (!k) {
        S->st = kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
        return;
    }
    memcpy(k, root->kids, n * sizeof *k);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && k[j]->max_score < k[j - 1]->max_score; j--) {
            kh_match *t = k[j];
            k[j] = k[j - 1];
            k[j - 1] = t;
        }
    double *cum = malloc(n * sizeof *cum);
    if (!cum) {
        free(k);
        S->st = kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        cum[i] = k[i]->max_score + (i ? cum[i - 1] : 0);
    size_t essential = 0;
    double theta = prune_threshold(S);
    while (essential < n && cum[essential] <= theta)
        essential++;
    for (size_t i = essential; i < n; i++)
        kh_match_advance(k[i], 0);
    while (essential < n) {
        uint32_t d = KH_NO_DOC;
        for (size_t i = essential; i < n; i++)
            if (k[i]->doc < d)
                d = k[i]->doc;
        if (d == KH_NO_DOC)
            break;
        int ok = !kh_segment_is_deleted(s, d);
        int64_t pub = 0;
        if (ok && (S->from != INT64_MIN || S->to != INT64_MAX)) {
            pub = kh_segment_published(s, d);
            ok = pub != KH_UNDATED && pub >= S->from && pub <= S->to;
        }
        if (ok && allowed_src) {
            uint32_t o = kh_segment_source_ord(s, d);
            ok = o < s->sources.count && allowed_src[o];
        }
        if (ok) {
            S->total++;
            double score = 0;
            for (size_t i = essential; i < n; i++)
                if (k[i]->doc == d)
                    score += kh_match_score(k[i]);
            for (size_t i = essential; i-- > 0;) {
                if (score + cum[i] <= theta)
                    break;
                if (kh_match_advance(k[i], d) == d)
                    score += kh_match_score(k[i]);
            }
            if (score > theta) {
                root->doc = d; /* every kid at d has been reached: sum in canonical order */
                cand c = {kh_match_score(root), pub, seg_no, d};
                offer_scored(S, &c);
                theta = prune_threshold(S);
                while (essential < n && cum[essential] <= theta)
                    essential++;
            }
        }
        for (size_t i = essential; i < n; i++)
            if (k[i]->doc == d)
                kh_match_advance(k[i], d + 1);
    }
    free(cum);
    free(k);
}

/* The BM25 bound of a term within a block. */
static double block_bound(const kh_match *k, uint32_t max_tf, uint32_t min_len)
{
    if (max_tf >= 0xFFFF)
        return k->idf * (KH_BM25_K1 + 1.0);
    return kh_bm25_term(k->stats, k->idf, max_tf, min_len, k->length_norm);
}

/* Block-max for a top-level AND of words when the total need not be exact:
 * before looking for a match in a stretch of documents, the words' block
 * maxima are added up; a stretch where even that sum cannot beat the k-th
 * score is skipped without decoding it. */
static void collect_blockmax_and(search *S, kh_match *root, uint32_t seg_no, const uint8_t *allowed_src)
{
    const kh_segment *s = root->seg;
    uint32_t target = 0;
    for (;;) {
        uint32_t upto = KH_NO_DOC - 1;
        if (S->top.n == S->top.cap && S->top.cap) {
            double theta = prune_threshold(S), bound = 0;
            int ended = 0;
            for (size_t i = 0; i < root->n_kids && !ended; i++) {
                kh_match *k = root->kids[i];
                uint32_t last, mt, ml;
                if (kh_postings_shallow(&k->post, target, &last, &mt, &ml) != 0) {
                    ended = 1;
                    break;
                }
                if (last < upto)
                    upto = last;
                bound += block_bound(k, mt, ml);
            }
            if (ended)
                return;
            if (bound <= theta) {
                if (upto >= KH_NO_DOC - 1)
                    return;
                target = upto + 1;
                continue;
            }
        }
        uint32_t d = kh_match_advance(root, target);
        if (d == KH_NO_DOC)
            return;
        if (d > upto) { /* past the stretch whose bound was checked */
            target = d;
            continue;
        }
        target = d + 1;
        if (kh_segment_is_deleted(s, d))
            continue;
        int64_t pub = 0;
        if (S->from != INT64_MIN || S->to != INT64_MAX) {
            pub = kh_segment_published(s, d);
            if (pub == KH_UNDATED || pub < S->from || pub > S->to)
                continue;
        }
        if (allowed_src) {
            uint32_t o = kh_segment_source_ord(s, d);
            if (!(o < s->sources.count && allowed_src[o]))
                continue;
        }
        S->total++;
        cand c = {kh_match_score(root), pub, seg_no, d};
        offer_scored(S, &c);
    }
}

static void collect_segment(search *S, kh_match *root, uint32_t seg_no)
{
    const kh_segment *s = root->seg;
    uint8_t *allowed = NULL;
    if (S->has_source) {
        allowed = calloc(s->sources.count + 1, 1);
        if (!allowed) {
            S->st = kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
            return;
        }
        int any = 0;
        for (uint32_t o = 0; o < s->sources.count; o++)
            any |= allowed[o] = (uint8_t)source_matches(s, o, S->source);
        if (!any) {
            free(allowed);
            return;
        }
    }
    const kh_search_options *opt = S->opt;
    int prune = !opt->count_total && !opt->facets && opt->sort == KH_SORT_RELEVANCE;
    if (prune && root->kind == KH_Q_OR && !root->negated) {
        int terms_only = 1;
        for (size_t i = 0; i < root->n_kids; i++)
            terms_only &= root->kids[i]->kind == KH_Q_TERM;
        if (terms_only) {
            S->total_exact = 0;
            collect_maxscore(S, root, seg_no, allowed);
            free(allowed);
            return;
        }
    }
    if (prune && root->kind == KH_Q_AND && !root->negated && root->n_kids > 0) {
        int terms_only = 1;
        for (size_t i = 0; i < root->n_kids; i++)
            terms_only &= root->kids[i]->kind == KH_Q_TERM && !root->kids[i]->negated;
        if (terms_only) {
            S->total_exact = 0;
            collect_blockmax_and(S, root, seg_no, allowed);
            free(allowed);
            return;
        }
    }
    size_t *src_counts = NULL;
    if (opt->facets) {
        src_counts = calloc(s->sources.count + 1, sizeof *src_counts);
        if (!src_counts) {
            free(allowed);
            S->st = kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
            return;
        }
    }
    int ranged = S->from != INT64_MIN || S->to != INT64_MAX;
    int need_date = ranged || opt->facets || opt->sort == KH_SORT_DATE;
    for (uint32_t d = kh_match_advance(root, 0); d != KH_NO_DOC; d = kh_match_advance(root, d + 1)) {
        if (kh_segment_is_deleted(s, d))
            continue;
        int64_t pub = need_date ? kh_segment_published(s, d) : 0;
        if (ranged && (pub == KH_UNDATED || pub < S->from || pub > S->to))
            continue;
        uint32_t ord = allowed || src_counts ? kh_segment_source_ord(s, d) : 0;
        if (allowed && !(ord < s->sources.count && allowed[ord]))
            continue;
        S->total++;
        if (src_counts)
            src_counts[ord < s->sources.count ? ord : s->sources.count]++;
        if (opt->facets && pub != KH_UNDATED) {
            if (S->n_days == S->cap_days) {
                size_t cap = S->cap_days ? S->cap_days * 2 : 1024;
                int32_t *p = realloc(S->days, cap * sizeof *p);
                if (!p) {
                    S->st = kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
                    break;
                }
                S->days = p;
                S->cap_days = cap;
            }
            S->days[S->n_days++] = (int32_t)(pub >= 0 ? pub / 86400 : -((-pub + 86399) / 86400));
        }
        cand c = {0, pub, seg_no, d};
        if (opt->sort == KH_SORT_RELEVANCE && S->top.n == S->top.cap && S->top.cap &&
            root->max_score <= prune_threshold(S))
            continue; /* cannot matter: counted, not even scored */
        c.score = kh_match_score(root);
        if (opt->sort == KH_SORT_RELEVANCE)
            offer_scored(S, &c);
        else
            offer(&S->top, &c);
    }
    if (src_counts) {
        for (uint32_t o = 0; o < s->sources.count && S->st == KH_OK; o++) {
            if (!src_counts[o])
                continue;
            size_t len;
            const char *name = kh_strtab_get(&s->sources, o, &len);
            if (add_source_facet(S, name, len, src_counts[o]) != 0)
                S->st = kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
        }
        free(src_counts);
    }
    free(allowed);
}

/* ---- proximity re-ranking ---- */

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
    const cand *a = x, *b = y;
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
static double proximity_boost(search *S, const cand *c, const prox_term *terms, size_t nt,
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
static void rerank_by_proximity(search *S, cand *c, size_t n, size_t need)
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

/* ---- results ---- */

static char *dup_n(const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void gather_hl(const kh_qnode *n, kh_hl_terms *h, size_t cap)
{
    if (!n || n->negated)
        return;
    if (n->is_prefix) {
        if (h->n_prefixes < cap && n->n_terms)
            h->prefixes[h->n_prefixes++] = n->terms[0];
        return;
    }
    if ((n->kind == KH_Q_TERM || n->kind == KH_Q_PHRASE) &&
        (n->field == KH_FIELD_TEXT || n->field == KH_FIELD_TITLE))
        for (size_t i = 0; i < n->n_terms && h->n_terms < cap; i++)
            h->terms[h->n_terms++] = n->terms[i];
    for (size_t i = 0; i < n->n_kids; i++)
        gather_hl(n->kids[i], h, cap);
}

static kh_status fill_hit(search *S, const cand *c, kh_hit *h, const kh_hl_terms *hl)
{
    kh_segment *s = S->ix->segs[c->seg];
    kh_summary sum;
    kh_status st = kh_segment_get_summary(s, c->doc, &sum, S->err);
    if (st != KH_OK)
        return st;
    h->score = c->score;
    h->id = dup_n(sum.s[KH_SUM_ID], sum.len[KH_SUM_ID]);
    h->source = dup_n(sum.s[KH_SUM_SOURCE], sum.len[KH_SUM_SOURCE]);
    h->url = dup_n(sum.s[KH_SUM_URL], sum.len[KH_SUM_URL]);
    h->title = dup_n(sum.s[KH_SUM_TITLE], sum.len[KH_SUM_TITLE]);
    h->published = dup_n(sum.s[KH_SUM_PUBLISHED], sum.len[KH_SUM_PUBLISHED]);
    if (!S->opt->snippets)
        return KH_OK;
    kh_article a;
    kh_article_init(&a);
    st = kh_segment_get_article(s, c->doc, &a, S->err);
    if (st != KH_OK)
        return st;
    char *body = kh_article_body(&a);
    if (!body) {
        kh_article_clear(&a);
        return kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
    }
    const char *text = *body ? body : (a.title ? a.title : "");
    st = kh_snippet_make(S->ix->analyzer, text, strlen(text), hl, S->opt->snippet_bytes, &h->snippet,
                         &h->highlights, &h->n_highlights);
    free(body);
    kh_article_clear(&a);
    if (st != KH_OK)
        return kh_fail(S->err, st, "out of memory cutting a snippet");
    return KH_OK;
}

static int cmp_src_facet(const void *x, const void *y)
{
    const kh_facet *a = x, *b = y;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    return strcmp(a->value, b->value);
}

static int cmp_i32(const void *x, const void *y)
{
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    return a < b ? -1 : a > b;
}

static kh_status build_facets(search *S, kh_search_result *r)
{
    if (S->n_src_facet) {
        r->by_source = calloc(S->n_src_facet, sizeof *r->by_source);
        if (!r->by_source)
            return kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < S->n_src_facet; i++) {
            r->by_source[i].value = S->src_facet[i].name;
            r->by_source[i].count = S->src_facet[i].count;
            S->src_facet[i].name = NULL;
        }
        r->n_by_source = S->n_src_facet;
        qsort(r->by_source, r->n_by_source, sizeof *r->by_source, cmp_src_facet);
        size_t limit = S->opt->facet_limit ? S->opt->facet_limit : 20;
        while (r->n_by_source > limit)
            free(r->by_source[--r->n_by_source].value);
    }
    if (S->n_days) {
        qsort(S->days, S->n_days, sizeof *S->days, cmp_i32);
        size_t distinct = 1;
        for (size_t i = 1; i < S->n_days; i++)
            distinct += S->days[i] != S->days[i - 1];
        r->by_day = calloc(distinct, sizeof *r->by_day);
        if (!r->by_day)
            return kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < S->n_days;) {
            size_t j = i;
            while (j < S->n_days && S->days[j] == S->days[i])
                j++;
            char day[11];
            kh_when_day((int64_t)S->days[i] * 86400, day);
            kh_facet *f = &r->by_day[r->n_by_day++];
            f->value = dup_n(day, strlen(day));
            f->count = j - i;
            if (!f->value)
                return kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
            i = j;
        }
    }
    return KH_OK;
}

static kh_status set_note(kh_search_result *r, const char *note, kh_error *err)
{
    r->note = dup_n(note, strlen(note));
    return r->note ? KH_OK : kh_fail(err, KH_ERR_NOMEM, "out of memory");
}

/* Evaluates root on every committed segment into S->top. */
static kh_status collect_all(search *S, const kh_qnode *root)
{
    for (size_t i = 0; i < S->ix->n_segs && S->st == KH_OK; i++) {
        kh_segment *s = S->ix->segs[i];
        if (!s->committed)
            continue;
        int oom = 0;
        kh_match *m = kh_match_build(root, s, &S->stats, &oom);
        if (oom) {
            kh_match_free(m);
            return kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
        }
        if (!m)
            continue;
        collect_segment(S, m, (uint32_t)i);
        int bad = kh_match_bad(m);
        kh_match_free(m);
        if (bad && S->st == KH_OK)
            S->st = kh_fail(S->err, KH_ERR_CORRUPT, "%s: postings are damaged (run khabar check)",
                            s->file.name);
    }
    return S->st;
}

static void sort_cands(const collector *top, cand *c, size_t n)
{
    for (size_t i = 1; i < n; i++) /* insertion sort keeps this simple; n is small */
        for (size_t j = i; j > 0 && better(top, &c[j], &c[j - 1]); j--) {
            cand t = c[j];
            c[j] = c[j - 1];
            c[j - 1] = t;
        }
}

/*
 * Completes a short page of an AND query: when fewer than `want` articles
 * hold every word, the best articles holding only some of them follow,
 * marked partial. A reader who misremembers one word, or whose spelling
 * keeps a clitic the analyzer does not fold (وبرنامج for برنامج), still
 * finds the article, after every full match. Negated words still exclude.
 * Replaces S->top.heap by the combined list; *n_full receives how many of
 * its entries are full matches.
 */
static kh_status complete_page(search *S, size_t want, size_t *n_full)
{
    const kh_qnode *root = S->q.root;
    *n_full = S->top.n;
    /* only plain text words become optional; field words (source:, title:,
     * author:) and negations stay required */
    size_t optional = 0;
    for (size_t i = 0; i < root->n_kids; i++)
        optional += !root->kids[i]->negated && root->kids[i]->field == KH_FIELD_TEXT;
    if (optional < 2)
        return KH_OK;
    const kh_qnode **kids = malloc(2 * root->n_kids * sizeof *kids + sizeof *kids);
    if (!kids)
        return kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
    kh_qnode any, wrap;
    memset(&any, 0, sizeof any);
    memset(&wrap, 0, sizeof wrap);
    any.kind = KH_Q_OR;
    any.kids = (kh_qnode **)kids;
    for (size_t i = 0; i < root->n_kids; i++)
        if (!root->kids[i]->negated && root->kids[i]->field == KH_FIELD_TEXT)
            kids[any.n_kids++] = root->kids[i];
    const kh_qnode *or_root = &any;
    if (optional < root->n_kids) { /* AND(OR(optional words), the required ones) */
        wrap.kind = KH_Q_AND;
        wrap.kids = (kh_qnode **)kids + root->n_kids;
        wrap.kids[wrap.n_kids++] = &any;
        for (size_t i = 0; i < root->n_kids; i++)
            if (root->kids[i]->negated || root->kids[i]->field != KH_FIELD_TEXT)
                wrap.kids[wrap.n_kids++] = root->kids[i];
        or_root = &wrap;
    }
    /* a second collection, without facets or exact counts */
    collector full = S->top;
    size_t saved_total = S->total;
    int saved_exact = S->total_exact;
    const kh_search_options *saved_opt = S->opt;
    kh_search_options relaxed = *saved_opt;
    relaxed.facets = 0;
    relaxed.count_total = 0;
    S->opt = &relaxed;
    S->top.n = 0;
    S->top.cap = want + full.n > RERANK_DEPTH ? want + full.n : RERANK_DEPTH;
    S->top.heap = malloc(S->top.cap * sizeof *S->top.heap);
    S->kn = 0;
    kh_status st = S->top.heap ? collect_all(S, or_root)
                               : kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
    free(kids);
    S->opt = saved_opt;
    S->total = saved_total;
    S->total_exact = saved_exact;
    if (st != KH_OK) {
        free(S->top.heap);
        S->top = full;
        return st;
    }
    cand *partial = S->top.heap;
    size_t n_partial = S->top.n;
    rerank_by_proximity(S, partial, n_partial, want + full.n);
    sort_cands(&S->top, partial, n_partial);
    cand *all = malloc((full.n + n_partial + 1) * sizeof *all);
    if (!all) {
        free(partial);
        S->top = full;
        return kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
    }
    memcpy(all, full.heap, full.n * sizeof *all);
    size_t n = full.n;
    for (size_t i = 0; i < n_partial && n < want; i++) {
        int dup = 0;
        for (size_t k = 0; k < full.n && !dup; k++)
            dup = full.heap[k].seg == partial[i].seg && full.heap[k].doc == partial[i].doc;
        if (!dup)
            all[n++] = partial[i];
    }
    free(partial);
    free(full.heap);
    S->top = full;
    S->top.heap = all;
    S->top.n = n;
    return KH_OK;
}

static kh_status run(search *S, const char *query, kh_search_result *r)
{
    const kh_search_options *opt = S->opt;
    kh_status st = kh_query_parse(query, strlen(query), opt->default_or, S->ix->analyzer, &S->q, S->err);
    if (st != KH_OK)
        return st;
    if (S->q.has_range) {
        if (S->q.from > S->from)
            S->from = S->q.from;
        if (S->q.to < S->to)
            S->to = S->q.to;
    }
    int filtered = S->q.has_range || S->from != INT64_MIN || S->to != INT64_MAX || S->has_source;
    kh_qnode all; /* AND with no kids: every article, for filter-only queries */
    memset(&all, 0, sizeof all);
    all.kind = KH_Q_AND;
    const kh_qnode *root = S->q.root;
    if (!root) {
        if (!filtered) {
            const char *why = S->q.dropped_words ? "the query holds only stopwords or punctuation: nothing to search for"
                                                 : "empty query: nothing to search for";
            return set_note(r, why, S->err);
        }
        root = &all;
    }
    kh_lookup cache[KH_LOOKUP_CACHE];
    S->stats.cache = cache;
    S->stats.n_cached = 0;
    if ((st = kh_exec_prepare(S->ix, &S->q, &S->stats, S->err)) != KH_OK)
        return st;
    size_t want = opt->offset + opt->limit;
    if (want < opt->offset) /* overflow */
        return kh_fail(S->err, KH_ERR_ARGUMENT, "offset + limit too large");
    size_t depth = want;
    if (opt->sort == KH_SORT_RELEVANCE && depth < RERANK_DEPTH && depth > 0)
        depth = RERANK_DEPTH;
    S->top.cap = depth;
    S->top.sort = opt->sort;
    S->top.heap = depth ? malloc(depth * sizeof *S->top.heap) : NULL;
    if (depth && !S->top.heap)
        return kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
    S->total_exact = 1;
    if (opt->sort == KH_SORT_RELEVANCE && want > 0) {
        S->kcap = want;
        S->kheap = malloc(want * sizeof *S->kheap);
        if (!S->kheap)
            return kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
        prox_term terms[64];
        size_t nt = 0;
        gather_prox_terms(S->q.root, terms, &nt, 64);
        for (size_t t = 0; t + 1 < nt; t++)
            S->max_boost += PROX_ADJACENT * (terms[t].idf < terms[t + 1].idf ? terms[t].idf : terms[t + 1].idf);
    }
    if ((st = collect_all(S, root)) != KH_OK)
        return st;

    /* best first, proximity applied, then the requested page */
    if (opt->sort == KH_SORT_RELEVANCE && S->q.root)
        rerank_by_proximity(S, S->top.heap, S->top.n, want);
    sort_cands(&S->top, S->top.heap, S->top.n);
    size_t n_full = S->top.n;
    if (S->top.n < want && opt->relax && opt->sort == KH_SORT_RELEVANCE && !opt->default_or && S->q.root &&
        S->q.root->kind == KH_Q_AND && (st = complete_page(S, want, &n_full)) != KH_OK)
        return st;
    cand *c = S->top.heap;
    size_t n = S->top.n;
    r->total = S->total;
    r->total_exact = S->total_exact;
    if (n > opt->offset) {
        size_t count = n - opt->offset < opt->limit ? n - opt->offset : opt->limit;
        r->hits = calloc(count, sizeof *r->hits);
        if (!r->hits)
            return kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
        const char *terms[256], *prefixes[64];
        kh_hl_terms hl = {terms, 0, prefixes, 0};
        gather_hl(S->q.root, &hl, 64);
        for (size_t i = 0; i < count; i++) {
            st = fill_hit(S, &c[opt->offset + i], &r->hits[i], &hl);
            r->hits[i].partial = opt->offset + i >= n_full;
            r->n_hits = i + 1;
            if (st != KH_OK)
                return st;
        }
    }
    if (opt->facets && (st = build_facets(S, r)) != KH_OK)
        return st;
    if (S->q.dropped_words && !r->note)
        return set_note(r, "some words were left out: stopwords or punctuation", S->err);
    return KH_OK;
}

kh_status kh_search(kh_index *ix, const char *query, const kh_search_options *opt,
                    kh_search_result **out, kh_error *err)
{
    *out = NULL;
    kh_search_options defaults;
    if (!opt) {
        kh_search_options_init(&defaults);
        opt = &defaults;
    }
    if (!ix || !query)
        return kh_fail(err, KH_ERR_ARGUMENT, "no index or query");
    search S;
    memset(&S, 0, sizeof S);
    S.ix = ix;
    S.opt = opt;
    S.err = err;
    S.from = INT64_MIN;
    S.to = INT64_MAX;
    if (opt->from && kh_query_date(opt->from, strlen(opt->from), 0, &S.from) != 0)
        return kh_fail(err, KH_ERR_ARGUMENT, "bad --from date '%s' (write YYYY-MM-DD)", opt->from);
    if (opt->to && kh_query_date(opt->to, strlen(opt->to), 1, &S.to) != 0)
        return kh_fail(err, KH_ERR_ARGUMENT, "bad --to date '%s' (write YYYY-MM-DD)", opt->to);
    if (opt->source) {
        if (strlen(opt->source) >= sizeof S.source)
            return kh_fail(err, KH_ERR_ARGUMENT, "source name too long");
        strcpy(S.source, opt->source);
        S.has_source = 1;
    }
    kh_search_result *r = calloc(1, sizeof *r);
    if (!r)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    kh_status st = run(&S, query, r);
    kh_query_free(&S.q);
    free(S.top.heap);
    free(S.kheap);
    free(S.days);
    for (size_t i = 0; i < S.n_src_facet; i++)
        free(S.src_facet[i].name);
    free(S.src_facet);
    if (st != KH_OK) {
        kh_search_result_free(r);
        return st;
    }
    size_t full_hits = 0;
    for (size_t i = 0; i < r->n_hits; i++)
        full_hits += !r->hits[i].partial;
    if (!r->total_exact && r->total < full_hits)
        r->total = full_hits;
    *out = r;
    return KH_OK;
}
