/* search.c — kh_search: parse, match every segment, keep the top hits,
 * re-rank them by proximity, count facets, cut snippets (docs/search.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/index.h"
#include "index/when.h"
#include "search/collect.h"
#include "search/exec.h"
#include "search/query.h"
#include "search/snippet.h"
#include "util/error.h"

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

/* Fills hit h of candidate c. body is scratch space for the article's text,
 * reused from hit to hit so that cutting ten snippets allocates it once. */
static kh_status fill_hit(kh_search_state *S, const kh_cand *c, kh_hit *h, const kh_hl_terms *hl, kh_buf *body)
{
    kh_segment *s = S->ix->segs[c->seg];
    kh_summary sum;
    kh_status st = KH_OK;
    if (!kh_title_summary(S, c, &sum) && (st = kh_segment_get_summary(s, c->doc, &sum, S->err)) != KH_OK)
        return st;
    h->score = c->score;
    h->id = dup_n(sum.s[KH_SUM_ID], sum.len[KH_SUM_ID]);
    h->source = dup_n(sum.s[KH_SUM_SOURCE], sum.len[KH_SUM_SOURCE]);
    h->url = dup_n(sum.s[KH_SUM_URL], sum.len[KH_SUM_URL]);
    h->title = dup_n(sum.s[KH_SUM_TITLE], sum.len[KH_SUM_TITLE]);
    h->published = dup_n(sum.s[KH_SUM_PUBLISHED], sum.len[KH_SUM_PUBLISHED]);
    if (!S->opt->snippets)
        return KH_OK;
    /* only the body: the rest of the stored article is not shown */
    kh_buf_reset(body);
    if ((st = kh_segment_get_body(s, c->doc, body, S->err)) != KH_OK)
        return st;
    /* An article without body text gets its snippet from the title, up to
     * a NUL as the C string of it always did. sum is still valid: it points
     * into the summaries' cache (or the title step's copies), which reading
     * the body from the other store does not touch. */
    const char *text = body->data;
    size_t text_len = body->len;
    if (text_len == 0) {
        const char *title = sum.s[KH_SUM_TITLE], *nul = title ? memchr(title, 0, sum.len[KH_SUM_TITLE]) : NULL;
        text = title ? title : "";
        text_len = !title ? 0 : nul ? (size_t)(nul - title) : sum.len[KH_SUM_TITLE];
    }
    st = kh_snippet_make(S->ix->analyzer, text, text_len, hl, S->opt->snippet_bytes, &h->snippet,
                         &h->highlights, &h->n_highlights);
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

static kh_status build_facets(kh_search_state *S, kh_search_result *r)
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

/*
 * Completes a short page of an AND query: when fewer than `want` articles
 * hold every word, the best articles holding only some of them follow,
 * marked partial. A reader who misremembers one word, or whose spelling
 * keeps a clitic the analyzer does not fold (وبرنامج for برنامج), still
 * finds the article, after every full match. Negated words still exclude.
 * Replaces S->top.heap by the combined list; *n_full receives how many of
 * its entries are full matches.
 */
static kh_status complete_page(kh_search_state *S, size_t want, size_t *n_full)
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
    kh_collector full = S->top;
    size_t saved_total = S->total;
    int saved_exact = S->total_exact;
    const kh_search_options *saved_opt = S->opt;
    kh_search_options relaxed = *saved_opt;
    relaxed.facets = 0;
    relaxed.count_total = 0;
    S->opt = &relaxed;
    S->top.n = 0;
    S->top.cap = want + full.n > KH_RERANK_DEPTH ? want + full.n : KH_RERANK_DEPTH;
    S->top.heap = malloc(S->top.cap * sizeof *S->top.heap);
    S->kn = 0;
    kh_status st = S->top.heap ? kh_collect_all(S, or_root)
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
    kh_cand *partial = S->top.heap;
    size_t n_partial = S->top.n;
    kh_proximity_rerank(S, partial, n_partial, want + full.n);
    kh_collect_sort(&S->top, partial, n_partial);
    kh_cand *all = malloc((full.n + n_partial + 1) * sizeof *all);
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

static kh_status run(kh_search_state *S, const char *query, kh_search_result *r)
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
    if (opt->sort == KH_SORT_RELEVANCE && depth < KH_RERANK_DEPTH && depth > 0)
        depth = KH_RERANK_DEPTH;
    S->top.cap = depth;
    S->top.sort = opt->sort;
    S->top.heap = depth ? malloc(depth * sizeof *S->top.heap) : NULL;
    if (depth && !S->top.heap)
        return kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
    S->total_exact = 1;
    /* the headline step (titlematch.c) re-orders the best KH_TITLE_WINDOW,
     * so at least that many must be exact, whatever the page size */
    size_t exact = want > 0 && want < KH_TITLE_WINDOW ? KH_TITLE_WINDOW : want;
    if (opt->sort == KH_SORT_RELEVANCE && want > 0) {
        S->kcap = exact;
        S->kheap = malloc(exact * sizeof *S->kheap);
        if (!S->kheap)
            return kh_fail(S->err, KH_ERR_NOMEM, "out of memory");
        S->max_boost = kh_proximity_max_boost(S->q.root);
    }
    if ((st = kh_collect_all(S, root)) != KH_OK)
        return st;

    /* best first, proximity applied, then the requested page */
    if (opt->sort == KH_SORT_RELEVANCE && S->q.root)
        kh_proximity_rerank(S, S->top.heap, S->top.n, exact);
    kh_collect_sort(&S->top, S->top.heap, S->top.n);
    if (opt->sort == KH_SORT_RELEVANCE && S->q.root &&
        (st = kh_title_rerank(S, S->top.heap, S->top.n, query)) != KH_OK)
        return st;
    size_t n_full = S->top.n;
    if (S->top.n < want && opt->relax && opt->sort == KH_SORT_RELEVANCE && !opt->default_or && S->q.root &&
        S->q.root->kind == KH_Q_AND && (st = complete_page(S, want, &n_full)) != KH_OK)
        return st;
    kh_cand *c = S->top.heap;
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
        kh_buf body = KH_BUF_INIT;
        for (size_t i = 0; i < count; i++) {
            st = fill_hit(S, &c[opt->offset + i], &r->hits[i], &hl, &body);
            r->hits[i].partial = opt->offset + i >= n_full;
            r->n_hits = i + 1;
            if (st != KH_OK)
                break;
        }
        kh_buf_free(&body);
        if (st != KH_OK)
            return st;
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
    kh_search_state S;
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
    kh_buf_free(&S.title_recs);
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
