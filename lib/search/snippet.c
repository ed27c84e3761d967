/* snippet.c — choosing and cutting a snippet (see snippet.h). */
#include "search/snippet.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define MAX_MATCHES 4096

typedef struct match {
    size_t start, end;
    size_t which;               /* index of the query term (prefixes after terms) */
} match;

/* The query's words as the token loop wants them: lengths computed once,
 * not per token (strlen of every query term for each of an article's ~300
 * tokens was a tenth of the snippet's cost), and the bytes a matching term
 * can start with, so that most tokens are turned away by one table load. */
typedef struct hl_index {
    const kh_hl_terms *q;
    size_t *len;                /* n_terms term lengths, then n_prefixes prefix lengths */
    unsigned char can_start[256];
} hl_index;

static int hl_index_init(hl_index *x, const kh_hl_terms *q)
{
    size_t n_kinds = q->n_terms + q->n_prefixes;
    x->q = q;
    x->len = malloc((n_kinds ? n_kinds : 1) * sizeof *x->len);
    if (!x->len)
        return -1;
    memset(x->can_start, 0, sizeof x->can_start);
    for (size_t i = 0; i < n_kinds; i++) {
        const char *w = i < q->n_terms ? q->terms[i] : q->prefixes[i - q->n_terms];
        x->len[i] = strlen(w);
        if (x->len[i] == 0 && i >= q->n_terms) /* an empty prefix starts every term */
            memset(x->can_start, 1, sizeof x->can_start);
        else if (x->len[i] > 0)
            x->can_start[(unsigned char)w[0]] = 1;
    }
    return 0;
}

/* The first query term equal to t, else the first prefix t starts with
 * (its index after the terms'), else -1. An empty t can only equal an
 * empty term or start with an empty prefix, which the loops still find. */
static long term_index(const hl_index *x, const char *t, size_t len)
{
    const kh_hl_terms *q = x->q;
    if (len > 0 && !x->can_start[(unsigned char)t[0]])
        return -1;
    for (size_t i = 0; i < q->n_terms; i++)
        if (x->len[i] == len && !memcmp(q->terms[i], t, len))
            return (long)i;
    for (size_t i = 0; i < q->n_prefixes; i++) {
        size_t n = x->len[q->n_terms + i];
        if (n <= len && !memcmp(q->prefixes[i], t, n))
            return (long)(q->n_terms + i);
    }
    return -1;
}

static int is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Moves a cut point back to a space (not below floor), or at least to a
 * UTF-8 character boundary. */
static size_t snap_back(const char *t, size_t at, size_t floor)
{
    for (size_t i = at; i > floor; i--)
        if (t[i - 1] == ' ' || t[i - 1] == '\n')
            return i - 1;
    while (at > 0 && is_cont((unsigned char)t[at]))
        at--;
    return at < floor ? floor : at;
}

static size_t snap_forward(const char *t, size_t len, size_t at, size_t ceiling)
{
    for (size_t i = at; i < ceiling; i++)
        if (t[i] == ' ' || t[i] == '\n')
            return i + 1;
    while (at < len && is_cont((unsigned char)t[at]))
        at++;
    return at > ceiling ? ceiling : at;
}

kh_status kh_snippet_make(kh_analyzer *an, const char *text, size_t len, const kh_hl_terms *q,
                          size_t target, char **out, kh_highlight **hl, size_t *n_hl)
{
    *out = NULL;
    *hl = NULL;
    *n_hl = 0;
    if (target < 16)
        target = 16;
    hl_index terms;
    if (hl_index_init(&terms, q) != 0)
        return KH_ERR_NOMEM;
    /* most articles hold a few matches: grow the list as they come, up to
     * MAX_MATCHES, instead of allocating the most for every snippet */
    size_t n = 0, cap = 0;
    match *m = NULL;
    kh_analyzer_start(an, text, len);
    kh_token tok;
    while (n < MAX_MATCHES && kh_analyzer_next_token(an, &tok)) {
        long w = term_index(&terms, tok.term, tok.term_len);
        if (w >= 0 && tok.end <= len && tok.start < tok.end) {
            if (n == cap) {
                size_t grown = cap ? 2 * cap : 32;
                if (grown > MAX_MATCHES)
                    grown = MAX_MATCHES;
                match *p = realloc(m, grown * sizeof *m);
                if (!p) {
                    free(m);
                    free(terms.len);
                    return KH_ERR_NOMEM;
                }
                m = p;
                cap = grown;
            }
            m[n].start = tok.start;
            m[n].end = tok.end;
            m[n].which = (size_t)w;
            n++;
        }
    }
    free(terms.len);
    /* the window with the most distinct terms, then the most matches */
    size_t best_i = 0, best_j = 0, best_distinct = 0, best_count = 0;
    size_t n_kinds = q->n_terms + q->n_prefixes;
    unsigned char *seen = calloc(n_kinds + 1, 1);
    if (!seen) {
        free(m);
        return KH_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        memset(seen, 0, n_kinds + 1);
        size_t distinct = 0, j = i;
        while (j < n && m[j].end - m[i].start <= target) {
            if (!seen[m[j].which]) {
                seen[m[j].which] = 1;
                distinct++;
            }
            j++;
        }
        if (j == i)
            j = i + 1; /* one match longer than the target still counts */
        if (distinct > best_distinct || (distinct == best_distinct && j - i > best_count)) {
            best_distinct = distinct;
            best_count = j - i;
            best_i = i;
            best_j = j;
        }
    }
    free(seen);

    size_t ws = 0, we = 0, start, end;
    if (n > 0) {
        ws = m[best_i].start;
        we = m[best_j - 1].end;
    }
    if (we - ws >= target) {
        start = ws;
        end = we;
    } else {
        size_t slack = target - (we - ws);
        start = n > 0 ? (ws > slack / 3 ? ws - slack / 3 : 0) : 0;
        end = start + target + (n > 0 ? 0 : 0);
        if (end < we)
            end = we;
        if (end > len) {
            end = len;
            start = end > target ? end - target : 0;
            if (start > ws)
                start = ws;
        }
    }
    if (start > 0)
        start = snap_forward(text, len, start, n > 0 ? ws : len);
    if (end < len)
        end = snap_back(text, end, n > 0 ? we : start);

    kh_buf b = KH_BUF_INIT;
    size_t lead = 0;
    /* room for the marks and the cut text at once, not byte by byte */
    kh_buf_reserve(&b, strlen("… ") + (end > start ? end - start : 0) + strlen(" …"));
    if (start > 0) {
        kh_buf_puts(&b, "… ");
        lead = b.len;
    }
    if (!kh_buf_failed(&b)) {
        for (size_t i = start; i < end; i++)
            b.data[b.len++] = text[i] == '\n' ? ' ' : text[i];
        b.data[b.len] = '\0';
    }
    while (b.len > lead && b.data[b.len - 1] == ' ')
        b.len--;
    size_t body_len = b.len;
    if (end < len)
        kh_buf_puts(&b, " …");
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += m[i].start >= start && m[i].end <= end;
    kh_highlight *h = count ? malloc(count * sizeof *h) : NULL;
    if (kh_buf_failed(&b) || (count && !h)) {
        kh_buf_free(&b);
        free(h);
        free(m);
        return KH_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (m[i].start >= start && m[i].end <= end && m[i].end - start + lead <= body_len) {
            h[k].start = m[i].start - start + lead;
            h[k].end = m[i].end - start + lead;
            k++;
        }
    }
    free(m);
    *out = kh_buf_detach(&b);
    if (!*out) {
        free(h);
        return KH_ERR_NOMEM;
    }
    *hl = k ? h : (free(h), NULL);
    *n_hl = k;
    return KH_OK;
}
