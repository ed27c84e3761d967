/* collect.c — keeping the best candidates of a query: the heap, the
 * thresholds that let most documents go unscored, MaxScore for OR,
 * block-max for AND, counting and facets (docs/search.md). */
#include "search/collect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* 1 if a ranks before b. Ties go to the lower (segment, doc), which keeps
 * results stable from one run to the next. */
int kh_collect_better(const kh_collector *c, const kh_cand *a, const kh_cand *b)
{
    if (c->sort == KH_SORT_DATE && a->published != b->published)
        return a->published > b->published;
    if (a->score != b->score)
        return a->score > b->score;
    if (a->seg != b->seg)
        return a->seg < b->seg;
    return a->doc < b->doc;
}

static void sift_down(kh_collector *c, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < c->n && kh_collect_better(c, &c->heap[w], &c->heap[l]))
            w = l;
        if (r < c->n && kh_collect_better(c, &c->heap[w], &c->heap[r]))
            w = r;
        if (w == i)
            return;
        kh_cand t = c->heap[i];
        c->heap[i] = c->heap[w];
        c->heap[w] = t;
        i = w;
    }
}

static void offer(kh_collector *c, const kh_cand *x)
{
    if (c->cap == 0)
        return;
    if (c->n < c->cap) {
        size_t i = c->n++;
        c->heap[i] = *x;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!kh_collect_better(c, &c->heap[p], &c->heap[i]))
                break;
            kh_cand t = c->heap[i];
            c->heap[i] = c->heap[p];
            c->heap[p] = t;
            i = p;
        }
        return;
    }
    if (kh_collect_better(c, x, &c->heap[0])) {
        c->heap[0] = *x;
        sift_down(c, 0);
    }
}

/* The score a new hit must beat to enter a full heap (relevance sort). */
static double threshold(const kh_collector *c)
{
    return c->n == c->cap && c->cap ? c->heap[0].score : -INFINITY;
}

static void note_score(kh_search_state *S, double score)
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
static double prune_threshold(const kh_search_state *S)
{
    double t = threshold(&S->top);
    if (S->kcap && S->kn == S->kcap && S->kheap[0] - S->max_boost > t)
        t = S->kheap[0] - S->max_boost;
    return t;
}

/* Offers a scored candidate to both heaps. */
static void offer_scored(kh_search_state *S, const kh_cand *c)
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

static int add_source_facet(kh_search_state *S, const char *name, size_t len, size_t count)
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
static void collect_maxscore(kh_search_state *S, kh_match *root, uint32_t seg_no, const uint8_t *allowed_src)
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
                kh_cand c = {kh_match_score(root), pub, seg_no, d};
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

/* The first document >= target that every cursor holds (KH_NO_DOC when
 * one runs out): the leapfrog of exec.c's AND, on the words' postings
 * directly (advance never moves a cursor back). The cursors are sorted rarest first, so the rarest proposes and
 * the others confirm. */
static uint32_t postings_and(kh_postings **p, size_t n, uint32_t target)
{
    size_t agreed = 0, i = 0;
    while (agreed < n) {
        /* a cursor just past a match (mostly the proposing one) steps to
         * its next document: advance would first look for target's block */
        uint32_t x = p[i]->doc != KH_NO_DOC && p[i]->doc + 1 == target ? kh_postings_next(p[i])
                                                                       : kh_postings_advance(p[i], target);
        if (x == KH_NO_DOC)
            return KH_NO_DOC;
        if (x > target) {
            target = x;
            agreed = 1;
        } else {
            agreed++;
        }
        i = i + 1 == n ? 0 : i + 1;
    }
    return target;
}

/* Block-max for a top-level AND of words (or a query of one word: an AND of
 * one) when the total need not be exact:
 * before looking for matches in a stretch of documents, the words' block
 * maxima are added up; a stretch where even that sum cannot beat the k-th
 * score is skipped without decoding it.
 *
 * This is the loop of the slowest queries (pairs of very frequent words,
 * where nearly every block can still beat the threshold and thousands of
 * documents match), so it works on the words' cursors directly rather than
 * through the matchers: the stretch's bound is computed once per stretch,
 * not once per match; a match's score is summed here, the document length
 * read and normalised once for all its words, in the order and with the
 * operations kh_match_score uses (the same bits); and a match that cannot
 * beat the threshold is counted but not offered to the heaps (where it
 * could not change the page: see prune_threshold). */
static void collect_blockmax_and(kh_search_state *S, kh_match *const *words, size_t n, uint32_t seg_no,
                                 const uint8_t *allowed_src)
{
    const kh_segment *s = words[0]->seg;
    kh_postings *stack_cur[16], **cur = stack_cur;
    if (n > 16 && !(cur = malloc(n * sizeof *cur))) {
        S->st = kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
        return;
    }
    int any_norm = 0;
    for (size_t i = 0; i < n; i++) {
        cur[i] = &words[i]->post;
        any_norm |= words[i]->length_norm;
    }
    int ranged = S->from != INT64_MIN || S->to != INT64_MAX;
    double theta = prune_threshold(S);
    int bounded = theta > -INFINITY; /* else every document may matter */
    uint32_t target = 0;
    /* the stretch [target, upto] whose bound was checked (or, while there
     * is no threshold, everything) */
    uint32_t upto = KH_NO_DOC - 1;
    int checked = !bounded;
    for (;;) {
        if (!checked || target > upto) {
            double bound = 0;
            upto = KH_NO_DOC - 1;
            for (size_t i = 0; i < n; i++) {
                uint32_t last, mt, ml;
                if (kh_postings_shallow(cur[i], target, &last, &mt, &ml) != 0)
                    goto done; /* a word has no document left */
                if (last < upto)
                    upto = last;
                bound += block_bound(words[i], mt, ml);
            }
            if (bound <= theta) {
                if (upto >= KH_NO_DOC - 1)
                    break;
                target = upto + 1;
                checked = 0;
                continue;
            }
            checked = 1;
        }
        uint32_t d = postings_and(cur, n, target);
        if (d == KH_NO_DOC)
            break;
        if (d > upto) { /* past the stretch whose bound was checked */
            target = d;
            checked = 0;
            continue;
        }
        target = d + 1;
        if (kh_segment_is_deleted(s, d))
            continue;
        int64_t pub = 0;
        if (ranged) {
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
        double norm = any_norm ? kh_bm25_norm(&S->stats, kh_segment_doc_len(s, d)) : 1.0;
        double score = 0;
        for (size_t i = 0; i < n; i++)
            score += kh_bm25_share(words[i]->idf, kh_postings_tf(cur[i]), words[i]->length_norm ? norm : 1.0);
        if (score <= theta)
            continue; /* it could enter neither heap in a way that changes the page */
        kh_cand c = {score, pub, seg_no, d};
        offer_scored(S, &c);
        theta = prune_threshold(S);
        if (!bounded && theta > -INFINITY) { /* from now on there is a bound to check */
            bounded = 1;
            checked = 0;
        }
    }
done:
    if (cur != stack_cur)
        free(cur);
}

static void collect_segment(kh_search_state *S, kh_match *root, uint32_t seg_no)
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
            collect_blockmax_and(S, root->kids, root->n_kids, seg_no, allowed);
            free(allowed);
            return;
        }
    }
    if (prune && root->kind == KH_Q_TERM && !root->negated) { /* one word: an AND of one */
        S->total_exact = 0;
        collect_blockmax_and(S, &root, 1, seg_no, allowed);
        free(allowed);
        return;
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
        kh_cand c = {0, pub, seg_no, d};
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

/* Evaluates root on every committed segment into S->top. */
kh_status kh_collect_all(kh_search_state *S, const kh_qnode *root)
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

void kh_collect_sort(const kh_collector *top, kh_cand *c, size_t n)
{
    for (size_t i = 1; i < n; i++) /* insertion sort keeps this simple; n is small */
        for (size_t j = i; j > 0 && kh_collect_better(top, &c[j], &c[j - 1]); j--) {
            kh_cand t = c[j];
            c[j] = c[j - 1];
            c[j - 1] = t;
        }
}
