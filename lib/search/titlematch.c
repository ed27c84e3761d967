/* titlematch.c — the last re-ranking step: among the best few hits, the
 * article whose headline holds the query's words, as the reader typed them,
 * comes first (docs/search.md: Ranking).
 *
 * Why: news is syndicated. The same story runs in five papers under nearly
 * the same headline, and BM25 with proximity scores those copies within a
 * few percent of each other, often in the wrong order for a reader who
 * pastes words from one particular headline. What separates them is the
 * exact wording: «المنافسة في الدوري الانجليزي» against «منافسة ... الإنجليزي»,
 * «ووصول أول سفينة» against «وصول أول سفينة». The stemmed terms the index holds
 * cannot see that difference (both sides stem alike), so this step compares
 * the normalised surface forms (diacritics, tatweel, hamza, ta marbuta and
 * alef maqsura folded, but clitics and the article kept) of the query's words
 * with those of each candidate's headline, and the stems as well, so that a
 * query typed with a variant spelling still prefers the headline that
 * carries its words in order.
 *
 * It only re-orders the best KH_TITLE_WINDOW hits (whose headlines a results
 * page shows anyway), by adding to each a boost of at most TITLE_BOOST of the
 * best score: which articles make the best 10 never changes, only their
 * order, and the same window is used whatever page is asked for, so pages
 * stay consistent. */
#include "search/collect.h"

#include <string.h>

#include "analysis/analysis.h"
#include "index/chunks.h"
#include "index/stored.h"
#include "util/error.h"

/* The boost for a headline matching the whole query (surface forms, stems,
 * and the words in order), as a fraction of the best hit's score; measured
 * on the harness's known-item sets (docs/search.md). */
#define TITLE_BOOST 0.5
#define TITLE_MAX_WORDS 64
#define TITLE_MAX_BYTES 4096

/* The words of a query or headline. Their bytes live in one small buffer,
 * so that the two sets fit on the stack and a search touches no fresh
 * memory for them. */
typedef struct tm_word {
    const char *stem, *surface;     /* into the owning tm_words' bytes */
    size_t stem_len, surface_len;
    uint32_t position;
    int stop;
} tm_word;

typedef struct tm_words {
    tm_word w[TITLE_MAX_WORDS];
    size_t n;
    char bytes[TITLE_MAX_BYTES];
    size_t used;
} tm_words;

/* The tokens of text (stopwords marked): stem, normalised surface, position.
 * Stops at TITLE_MAX_WORDS words or when the bytes run out: a headline is
 * far shorter, and a longer query is compared on its first words. */
static void tm_analyze(kh_analyzer *an, const char *text, size_t len, tm_words *out)
{
    static const kh_norm_profile surface_profile = {1};
    kh_token tok;
    out->n = out->used = 0;
    kh_analyzer_start(an, text, len);
    while (out->n < TITLE_MAX_WORDS && kh_analyzer_next_token(an, &tok)) {
        size_t room = sizeof out->bytes - out->used;
        if (tok.term_len + KH_TERM_MAX > room)
            break;
        tm_word *w = &out->w[out->n++];
        char *p = out->bytes + out->used;
        memcpy(p, tok.term, tok.term_len);
        w->stem = p;
        w->stem_len = tok.term_len;
        w->surface = p + tok.term_len;
        w->surface_len = kh_normalize(&surface_profile, text + tok.start, tok.end - tok.start, p + tok.term_len,
                                      KH_TERM_MAX);
        out->used += tok.term_len + w->surface_len;
        w->position = tok.position;
        w->stop = tok.is_stopword;
    }
}

/* The query's positive words of the all-text field, in order; 0 when the
 * query has anything else (negation, fields, prefixes), which this step
 * leaves alone. AND and OR nodes both pass here; a written OR is caught
 * later, as a raw word the parsed query does not have. */
static int plain_terms(const kh_qnode *n, const char **out, size_t *count)
{
    if (!n || n->negated || n->is_prefix || n->field != KH_FIELD_TEXT)
        return 0;
    if (n->kind == KH_Q_TERM || n->kind == KH_Q_PHRASE) {
        for (size_t i = 0; i < n->n_terms; i++) {
            if (*count == TITLE_MAX_WORDS)
                return 0;
            out[(*count)++] = n->terms[i];
        }
        return 1;
    }
    if (n->kind != KH_Q_AND && n->kind != KH_Q_OR)
        return 0;
    for (size_t i = 0; i < n->n_kids; i++)
        if (!plain_terms(n->kids[i], out, count))
            return 0;
    return 1;
}

static int has_surface(const tm_words *t, const tm_word *q)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->w[i].surface_len == q->surface_len && memcmp(t->w[i].surface, q->surface, q->surface_len) == 0)
            return 1;
    return 0;
}

/* 1 when the headline holds the query's stems at the same relative
 * positions (stopwords in between counted, as in a phrase query). */
static int has_sequence(const tm_words *q, const tm_words *t)
{
    size_t first = 0;
    while (first < q->n && q->w[first].stop)
        first++;
    if (first == q->n)
        return 0;
    const tm_word *q0 = &q->w[first];
    for (size_t i = 0; i < t->n; i++) {
        const tm_word *t0 = &t->w[i];
        if (t0->stop || t0->stem_len != q0->stem_len || memcmp(t0->stem, q0->stem, q0->stem_len))
            continue;
        size_t k = first + 1, j = i + 1;
        for (; k < q->n && j < t->n; k++, j++) {
            while (k < q->n && q->w[k].stop)
                k++;
            while (j < t->n && t->w[j].stop)
                j++;
            if (k == q->n || j == t->n)
                break;
            const tm_word *a = &q->w[k], *b = &t->w[j];
            if (b->position - t0->position != a->position - q0->position || b->stem_len != a->stem_len ||
                memcmp(b->stem, a->stem, a->stem_len))
                break;
        }
        if (k == q->n)
            return 1;
    }
    return 0;
}

/* 1 when the headline holds all the query's words as typed (normalised
 * surface forms, stopwords included), one after another. */
static int has_surface_run(const tm_words *q, const tm_words *t)
{
    for (size_t i = 0; i + q->n <= t->n; i++) {
        size_t k = 0;
        while (k < q->n && t->w[i + k].surface_len == q->w[k].surface_len &&
               memcmp(t->w[i + k].surface, q->w[k].surface, q->w[k].surface_len) == 0)
            k++;
        if (k == q->n)
            return 1;
    }
    return 0;
}

/* How well a headline matches, from 0 to 1: half for the share of the
 * query's words found as typed, a quarter for its stems in phrase order, a
 * quarter for the words as typed in one run. Measured (docs/search.md): the
 * share of stems found adds nothing once the surface forms count, and
 * stopwords count, because «وأفراد من طاقمها» is not «وأفراد طاقمها». */
static double title_match(const tm_words *q, const tm_words *t)
{
    size_t found = 0;
    for (size_t i = 0; i < q->n; i++)
        found += has_surface(t, &q->w[i]);
    return 0.5 * (double)found / (double)q->n + 0.25 * has_sequence(q, t) + 0.25 * has_surface_run(q, t);
}

kh_status kh_title_rerank(kh_search_state *S, kh_cand *c, size_t n, const char *query)
{
    if (n > KH_TITLE_WINDOW)
        n = KH_TITLE_WINDOW;
    const char *terms[TITLE_MAX_WORDS];
    size_t n_terms = 0;
    if (n < 2 || !plain_terms(S->q.root, terms, &n_terms) || n_terms == 0)
        return KH_OK;
    tm_words qw, tw, *q = &qw, *t = &tw;
    tm_analyze(S->ix->analyzer, query, strlen(query), q);
    /* the raw words must be the parsed query's words, one for one; else the
     * query held syntax this step does not interpret */
    size_t k = 0;
    int same = 1;
    for (size_t i = 0; same && i < q->n; i++) {
        if (q->w[i].stop)
            continue;
        same = k < n_terms && strlen(terms[k]) == q->w[i].stem_len &&
               memcmp(terms[k], q->w[i].stem, q->w[i].stem_len) == 0;
        k++;
    }
    same = same && k == n_terms;
    if (!same)
        return KH_OK;
    /* first copy the records (the chunk cache holds one chunk at a time),
     * then decode each copy once: for the headline here, and for the page */
    for (size_t i = 0; i < n; i++) {
        kh_segment *seg = S->ix->segs[c[i].seg];
        const unsigned char *rec;
        size_t len;
        kh_status st = kh_chunks_get(&seg->summaries, c[i].doc, &rec, &len, S->err);
        if (st != KH_OK)
            return st;
        S->title_rec[i].seg = c[i].seg;
        S->title_rec[i].doc = c[i].doc;
        S->title_rec[i].off = S->title_recs.len;
        S->title_rec[i].len = len;
        kh_buf_append(&S->title_recs, rec, len);
    }
    if (S->title_recs.failed)
        return KH_OK; /* out of memory: the order stands */
    double scale = TITLE_BOOST * c[0].score;
    for (size_t i = 0; i < n; i++) {
        kh_summary *sum = &S->title_rec[i].sum;
        if (kh_summary_decode((const unsigned char *)S->title_recs.data + S->title_rec[i].off, S->title_rec[i].len,
                              sum) != 0)
            return kh_fail(S->err, KH_ERR_CORRUPT, "%s: summary of article %u is malformed",
                           S->ix->segs[c[i].seg]->file.name, c[i].doc);
        tm_analyze(S->ix->analyzer, sum->s[KH_SUM_TITLE] ? sum->s[KH_SUM_TITLE] : "", sum->len[KH_SUM_TITLE], t);
        c[i].score += scale * title_match(q, t);
    }
    S->n_title_rec = n;
    kh_collect_sort(&S->top, c, n);
    return KH_OK;
}

int kh_title_summary(const kh_search_state *S, const kh_cand *c, kh_summary *out)
{
    if (S->title_recs.failed)
        return 0;
    for (size_t i = 0; i < S->n_title_rec; i++)
        if (S->title_rec[i].seg == c->seg && S->title_rec[i].doc == c->doc) {
            *out = S->title_rec[i].sum;
            return 1;
        }
    return 0;
}
