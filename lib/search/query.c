/* query.c — a recursive-descent parser for the query language (query.h). */
#include "search/query.h"

#include <stdlib.h>
#include <string.h>

#include "index/segment.h"
#include "index/when.h"
#include "util/error.h"

typedef struct parser {
    const char *s;
    size_t len, i;
    kh_analyzer *an;
    kh_query *q;
    kh_error *err;
    int depth;
    int default_or;
    kh_status st;               /* first failure; parsing stops there */
} parser;

static kh_qnode *new_node(parser *p, kh_qkind kind)
{
    kh_qnode *n = calloc(1, sizeof *n);
    if (!n && p->st == KH_OK)
        p->st = kh_fail(p->err, KH_ERR_NOMEM, "out of memory parsing the query");
    if (n) {
        n->kind = kind;
        n->field = KH_FIELD_TEXT;
    }
    return n;
}

static void free_node(kh_qnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_terms; i++)
        free(n->terms[i]);
    free(n->terms);
    free(n->qpos);
    free(n->idf);
    for (size_t i = 0; i < n->n_kids; i++)
        free_node(n->kids[i]);
    free(n->kids);
    free(n);
}

void kh_query_free(kh_query *q)
{
    if (!q)
        return;
    free_node(q->root);
    q->root = NULL;
}

static int add_kid(parser *p, kh_qnode *parent, kh_qnode *kid)
{
    kh_qnode **k = realloc(parent->kids, (parent->n_kids + 1) * sizeof *k);
    if (!k) {
        free_node(kid);
        if (p->st == KH_OK)
            p->st = kh_fail(p->err, KH_ERR_NOMEM, "out of memory parsing the query");
        return -1;
    }
    parent->kids = k;
    parent->kids[parent->n_kids++] = kid;
    return 0;
}

static int add_term(parser *p, kh_qnode *n, const char *t, size_t len, uint32_t qpos)
{
    if (++p->q->n_leaves > KH_QUERY_MAX_LEAVES) {
        if (p->st == KH_OK)
            p->st = kh_fail(p->err, KH_ERR_TOO_LARGE, "query too long: more than %d words",
                            KH_QUERY_MAX_LEAVES);
        return -1;
    }
    char **terms = realloc(n->terms, (n->n_terms + 1) * sizeof *terms);
    uint32_t *qp = terms ? realloc(n->qpos, (n->n_terms + 1) * sizeof *qp) : NULL;
    char *copy = qp ? malloc(len + 1) : NULL;
    if (terms)
        n->terms = terms;
    if (qp)
        n->qpos = qp;
    if (!copy) {
        if (p->st == KH_OK)
            p->st = kh_fail(p->err, KH_ERR_NOMEM, "out of memory parsing the query");
        return -1;
    }
    memcpy(copy, t, len);
    copy[len] = '\0';
    n->terms[n->n_terms] = copy;
    n->qpos[n->n_terms] = qpos;
    n->n_terms++;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void skip_space(parser *p)
{
    while (p->i < p->len) {
        unsigned char c = (unsigned char)p->s[p->i];
        if (is_space((char)c))
            p->i++;
        else if (c == 0xC2 && p->i + 1 < p->len && (unsigned char)p->s[p->i + 1] == 0xA0)
            p->i += 2; /* no-break space, common in pasted text */
        else
            break;
    }
}

/* Analyzes text into a TERM, PHRASE (several words) or EMPTY node. */
static kh_qnode *analyzed(parser *p, const char *text, size_t len, char field, int phrase)
{
    kh_qnode *n = new_node(p, KH_Q_PHRASE);
    if (!n)
        return NULL;
    n->field = field;
    if (field == KH_FIELD_SOURCE) {
        /* sources are whole names, lowercased, not analyzed */
        char buf[256];
        size_t k = 0;
        for (size_t i = 0; i < len && k < sizeof buf; i++)
            buf[k++] = (text[i] >= 'A' && text[i] <= 'Z') ? (char)(text[i] + 32) : text[i];
        n->kind = k ? KH_Q_TERM : KH_Q_EMPTY;
        if (k)
            add_term(p, n, buf, k, 0);
        return n;
    }
    kh_analyzer_start(p->an, text, len);
    kh_token tok;
    int first = 1;
    uint32_t base = 0;
    while (kh_analyzer_next_token(p->an, &tok)) {
        if (tok.is_stopword || tok.term_len == 0)
            continue;
        if (first)
            base = tok.position;
        first = 0;
        if (add_term(p, n, tok.term, tok.term_len, tok.position - base) != 0)
            break;
    }
    (void)phrase;
    if (n->n_terms == 0) {
        n->kind = KH_Q_EMPTY;
        p->q->dropped_words++;
    } else if (n->n_terms == 1) {
        n->kind = KH_Q_TERM;
    }
    return n;
}

static kh_qnode *prefix_node(parser *p, const char *text, size_t len, char field)
{
    kh_qnode *n = new_node(p, KH_Q_PREFIX);
    if (!n)
        return NULL;
    n->field = field == KH_FIELD_SOURCE ? KH_FIELD_TEXT : field;
    kh_analyzer_start(p->an, text, len);
    kh_token tok;
    /* the first token, stopword or not: "في*" still means words starting so */
    if (kh_analyzer_next_token(p->an, &tok) && tok.term_len > 0)
        add_term(p, n, tok.term, tok.term_len, 0);
    if (n->n_terms == 0) {
        n->kind = KH_Q_EMPTY;
        p->q->dropped_words++;
    }
    return n;
}

int kh_query_date(const char *s, size_t len, int is_end, int64_t *out)
{
    int has_time;
    if (kh_when_parse(s, len, out, &has_time) != 0)
        return -1;
    if (is_end && !has_time)
        *out += 86399;
    return 0;
}

/* published:A..B, A.., ..B, or one day A. */
static kh_qnode *range_node(parser *p, const char *v, size_t len, size_t at)
{
    int64_t from = INT64_MIN, to = INT64_MAX;
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < len; i++)
        if (v[i] == '.' && v[i + 1] == '.') {
            dots = v + i;
            break;
        }
    int bad;
    if (dots) {
        size_t a = (size_t)(dots - v), b = len - a - 2;
        bad = (a && kh_query_date(v, a, 0, &from) != 0) || (b && kh_query_date(dots + 2, b, 1, &to) != 0) ||
              (!a && !b);
    } else {
        bad = kh_query_date(v, len, 0, &from) != 0 || kh_query_date(v, len, 1, &to) != 0;
    }
    if (bad) {
        p->st = kh_fail(p->err, KH_ERR_PARSE,
                        "query: bad date range at byte %zu (write published:YYYY-MM-DD..YYYY-MM-DD)", at);
        return NULL;
    }
    if (p->q->has_range) { /* two ranges: their intersection */
        if (from < p->q->from)
            from = p->q->from;
        if (to > p->q->to)
            to = p->q->to;
    }
    p->q->from = from;
    p->q->to = to;
    p->q->has_range = 1;
    kh_qnode *n = new_node(p, KH_Q_EMPTY);
    if (n)
        n->field = 'p'; /* marks a range, for the checks in parse_clause */
    return n;
}

static kh_qnode *parse_seq(parser *p, int closing);

static int field_of(const char *w, size_t n)
{
    struct { const char *name; char field; } fields[] = {
        {"title", KH_FIELD_TITLE}, {"author", KH_FIELD_AUTHOR}, {"source", KH_FIELD_SOURCE},
        {"published", 'p'}, {"date", 'p'}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        size_t k = strlen(fields[i].name);
        if (n == k) {
            size_t j = 0;
            while (j < k && (w[j] | 0x20) == fields[i].name[j])
                j++;
            if (j == k)
                return fields[i].field;
        }
    }
    return 0;
}

/* Reads a quoted phrase starting at the quote; an unterminated one runs to
 * the end of the query. */
static kh_qnode *parse_phrase(parser *p, char field)
{
    size_t start = ++p->i;
    while (p->i < p->len && p->s[p->i] != '"')
        p->i++;
    size_t end = p->i;
    if (p->i < p->len)
        p->i++;
    return analyzed(p, p->s + start, end - start, field, 1);
}

static kh_qnode *parse_unit(parser *p)
{
    skip_space(p);
    if (p->i >= p->len)
        return new_node(p, KH_Q_EMPTY);
    char c = p->s[p->i];
    if (c == '(') {
        size_t open = p->i++;
        if (++p->depth > KH_QUERY_MAX_DEPTH) {
            p->st = kh_fail(p->err, KH_ERR_TOO_LARGE, "query: parentheses nested too deep (at byte %zu)", open);
            return NULL;
        }
        kh_qnode *n = parse_seq(p, 1);
        p->depth--;
        if (!n)
            return NULL;
        if (p->i >= p->len || p->s[p->i] != ')') {
            free_node(n);
            p->st = kh_fail(p->err, KH_ERR_PARSE, "query: the parenthesis at byte %zu is never closed", open);
            return NULL;
        }
        p->i++;
        return n;
    }
    if (c == ')') {
        p->st = kh_fail(p->err, KH_ERR_PARSE, "query: unexpected ')' at byte %zu", p->i);
        return NULL;
    }
    if (c == '"')
        return parse_phrase(p, KH_FIELD_TEXT);
    size_t start = p->i;
    while (p->i < p->len && !is_space(p->s[p->i]) && p->s[p->i] != '(' && p->s[p->i] != ')' &&
           p->s[p->i] != '"')
        p->i++;
    const char *w = p->s + start;
    size_t n = p->i - start;
    char field = KH_FIELD_TEXT;
    const char *colon = memchr(w, ':', n);
    if (colon && colon > w) {
        int f = field_of(w, (size_t)(colon - w));
        if (f) {
            field = (char)f;
            n -= (size_t)(colon + 1 - w);
            w = colon + 1;
            if (field == 'p')
                return range_node(p, w, n, start);
            if (n == 0 && p->i < p->len && p->s[p->i] == '"')
                return parse_phrase(p, field);
        }
    }
    if (n > 1 && w[n - 1] == '*' && field != KH_FIELD_SOURCE)
        return prefix_node(p, w, n - 1, field);
    return analyzed(p, w, n, field, 0);
}

/* At "OR" followed by a separator? */
static int at_or(parser *p)
{
    size_t i = p->i;
    if (i + 2 > p->len || p->s[i] != 'O' || p->s[i + 1] != 'R')
        return 0;
    return i + 2 == p->len || is_space(p->s[i + 2]) || p->s[i + 2] == '(' || p->s[i + 2] == '"' ||
           p->s[i + 2] == '-';
}

static kh_qnode *parse_clause(parser *p)
{
    skip_space(p);
    int neg = 0;
    size_t at = p->i;
    if (p->i + 1 < p->len && p->s[p->i] == '-' && !is_space(p->s[p->i + 1])) {
        neg = 1;
        p->i++;
    }
    kh_qnode *unit = parse_unit(p);
    if (!unit)
        return NULL;
    kh_qnode *group = NULL;
    for (;;) {
        size_t save = p->i;
        skip_space(p);
        if (!at_or(p)) {
            p->i = save;
            break;
        }
        p->i += 2;
        skip_space(p);
        kh_qnode *next = p->i < p->len && p->s[p->i] != ')' ? parse_unit(p) : new_node(p, KH_Q_EMPTY);
        if (!next) {
            free_node(group ? group : unit);
            return NULL;
        }
        if (!group) {
            group = new_node(p, KH_Q_OR);
            if (!group || add_kid(p, group, unit) != 0) {
                free_node(unit);
                free_node(next);
                return NULL;
            }
        }
        if (add_kid(p, group, next) != 0) {
            free_node(group);
            return NULL;
        }
    }
    kh_qnode *n = group ? group : unit;
    int has_range = unit->field == 'p' && unit->kind == KH_Q_EMPTY;
    for (size_t k = 0; group && k < group->n_kids; k++)
        has_range |= group->kids[k]->field == 'p' && group->kids[k]->kind == KH_Q_EMPTY;
    if (has_range && (neg || group || p->depth > 0)) {
        free_node(n);
        p->st = kh_fail(p->err, KH_ERR_PARSE,
                        "query: a published: range must stand on its own at the top level (byte %zu)", at);
        return NULL;
    }
    n->negated = neg;
    return n;
}

/* Drops EMPTY kids; an OR that loses every kid becomes EMPTY. */
static kh_qnode *simplify(kh_qnode *n)
{
    if (n->kind != KH_Q_AND && n->kind != KH_Q_OR)
        return n;
    size_t w = 0;
    for (size_t i = 0; i < n->n_kids; i++) {
        kh_qnode *k = simplify(n->kids[i]);
        if (k->kind == KH_Q_EMPTY)
            free_node(k);
        else
            n->kids[w++] = k;
    }
    n->n_kids = w;
    if (w == 0) {
        n->kind = KH_Q_EMPTY;
        return n;
    }
    if (w == 1 && !n->kids[0]->negated) {
        kh_qnode *only = n->kids[0];
        only->negated = n->negated;
        n->n_kids = 0;
        free_node(n);
        return only;
    }
    return n;
}

static kh_qnode *parse_seq(parser *p, int closing)
{
    kh_qnode *seq = new_node(p, p->default_or ? KH_Q_OR : KH_Q_AND);
    if (!seq)
        return NULL;
    for (;;) {
        skip_space(p);
        if (p->i >= p->len || (closing && p->s[p->i] == ')'))
            break;
        kh_qnode *c = parse_clause(p);
        if (!c || add_kid(p, seq, c) != 0) {
            free_node(seq);
            return NULL;
        }
    }
    /* in OR mode, negated words still exclude: wrap as AND(OR(positives), -negatives) */
    if (seq->kind == KH_Q_OR) {
        size_t neg = 0;
        for (size_t i = 0; i < seq->n_kids; i++)
            neg += seq->kids[i]->negated;
        if (neg) {
            kh_qnode *and = new_node(p, KH_Q_AND);
            if (!and) {
                free_node(seq);
                return NULL;
            }
            size_t w = 0;
            for (size_t i = 0; i < seq->n_kids; i++) {
                if (seq->kids[i]->negated)
                    add_kid(p, and, seq->kids[i]);
                else
                    seq->kids[w++] = seq->kids[i];
            }
            seq->n_kids = w;
            add_kid(p, and, seq);
            return and;
        }
    }
    return seq;
}

kh_status kh_query_parse(const char *text, size_t len, int default_or, kh_analyzer *an,
                         kh_query *q, kh_error *err)
{
    memset(q, 0, sizeof *q);
    q->from = INT64_MIN;
    q->to = INT64_MAX;
    parser p = {text, len, 0, an, q, err, 0, default_or, KH_OK};
    kh_qnode *root = parse_seq(&p, 0);
    if (p.st == KH_OK && p.i < p.len) /* a stray ')' stopped the top level */
        p.st = kh_fail(err, KH_ERR_PARSE, "query: unexpected ')' at byte %zu", p.i);
    if (p.st != KH_OK) {
        free_node(root);
        return p.st;
    }
    root = simplify(root);
    if (root->kind == KH_Q_EMPTY) {
        free_node(root);
        root = NULL;
    }
    q->root = root;
    return KH_OK;
}
