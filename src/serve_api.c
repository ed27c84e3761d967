/* serve_api.c — the JSON API of `khabar serve` (docs/api.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"
#include "serve_search.h"

/* The HTTP status for a library failure: the client's fault (400), the
 * server being busy (503), or the server's (500). */
int status_for(kh_status st)
{
    switch (st) {
    case KH_ERR_PARSE:
    case KH_ERR_ARGUMENT:
    case KH_ERR_TOO_LARGE:
    case KH_ERR_UTF8:
    case KH_ERR_EMPTY:
    case KH_ERR_FORMAT:
    case KH_ERR_TRUNCATED:
        return 400;
    case KH_ERR_NOT_FOUND:
        return 404;
    case KH_ERR_LOCKED:
        return 503;
    default:
        return 500;
    }
}

static const char *code_for(int status)
{
    switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 413: return "payload_too_large";
    case 415: return "unsupported_media_type";
    case 503: return "unavailable";
    default: return "internal_error";
    }
}

static void fail(serve_response *r, kh_status st, const char *detail)
{
    int status = status_for(st);
    response_error(r, status, code_for(status), detail);
    if (status == 503)
        r->retry_after = 1;
}

kh_status run_search(server *s, const search_request *req, int facets, size_t facet_limit, kh_search_result **out,
                     double *took_ms, kh_error *err)
{
    kh_search_options opt;
    kh_search_options_init(&opt);
    opt.limit = req->limit;
    opt.offset = req->offset;
    opt.sort = req->sort;
    opt.from = req->from;
    opt.to = req->to;
    opt.source = req->source;
    /* facets=0 lets the engine stop counting once the top hits are known
     * (MaxScore): faster, and `total` becomes a lower bound. */
    opt.facets = facets && !req->lean;
    opt.count_total = !req->lean;
    opt.relax = !req->strict;
    /* Cutting snippets means reading and re-analysing each hit's stored
     * text: about 90% of a search's CPU (docs/api.md); snippets=0 skips it
     * for a client that shows titles only. */
    opt.snippets = !req->no_snippets;
    if (facet_limit)
        opt.facet_limit = facet_limit;
    char *query = search_request_query(req);
    if (!query) {
        err->status = KH_ERR_NOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
        return KH_ERR_NOMEM;
    }
    index_slot *slot = pool_checkout(&s->pool, err);
    if (!slot) {
        free(query);
        return err->status;
    }
    double t0 = monotonic_seconds();
    kh_status st = kh_search(slot->ix, query, &opt, out, err);
    *took_ms = (monotonic_seconds() - t0) * 1000.0;
    pool_checkin(&s->pool, slot);
    free(query);
    return st;
}

/* "published:1900-01-01.." matches every dated article: the way to list the
 * archive (newest first) and count its sources with the public API, which
 * has no match-all query. Undated articles are left out. */
const char *const EVERY_DATED_ARTICLE = "published:1000-01-01..";

void json_facets(sbuf *b, const kh_facet *f, size_t n)
{
    sb_puts(b, "[");
    for (size_t i = 0; i < n; i++) {
        sb_puts(b, i ? ",{\"value\":" : "{\"value\":");
        sb_json_str(b, f[i].value);
        sb_puts(b, ",\"count\":");
        sb_uint(b, f[i].count);
        sb_puts(b, "}");
    }
    sb_puts(b, "]");
}

/* Escapes snippet text, gluing the cut marks "…" to their neighbouring word
 * with a no-break space so that a line never starts or ends with one alone. */
static void snippet_text(sbuf *b, const char *s, size_t n)
{
    static const char ell[] = "\xE2\x80\xA6"; /* … */
    size_t at = 0, i = 0;
    while (i + 3 <= n) {
        /* Every "…" starts with the byte 0xE2, which Arabic letters never
         * use: memchr skips from one candidate to the next. */
        const char *hit = memchr(s + i, 0xE2, n - 2 - i);
        if (!hit)
            break;
        i = (size_t)(hit - s);
        if (memcmp(s + i, ell, 3)) {
            i++;
            continue;
        }
        size_t lo = i, hi = i + 3;
        if (lo > at && s[lo - 1] == ' ')
            lo--;
        sb_html_n(b, s + at, lo - at);
        if (lo < i)
            sb_puts(b, "&#160;");
        sb_putn(b, ell, 3);
        if (hi < n && s[hi] == ' ') {
            sb_puts(b, "&#160;");
            hi++;
        }
        at = hi;
        i = hi;
    }
    sb_html_n(b, s + at, n - at);
}

void html_snippet(sbuf *b, const kh_hit *h)
{
    if (!h->snippet)
        return;
    size_t at = 0, len = strlen(h->snippet);
    for (size_t k = 0; k < h->n_highlights; k++) {
        const kh_highlight *x = &h->highlights[k];
        if (x->start < at || x->end > len || x->start >= x->end)
            continue;
        /* Matches separated only by spaces share one mark, so a matched
         * phrase reads as one highlight rather than a row of boxes. */
        size_t end = x->end;
        while (k + 1 < h->n_highlights) {
            const kh_highlight *y = &h->highlights[k + 1];
            size_t gap = end;
            while (gap < y->start && h->snippet[gap] == ' ')
                gap++;
            if (gap != y->start || y->end > len || y->start >= y->end)
                break;
            end = y->end;
            k++;
        }
        snippet_text(b, h->snippet + at, x->start - at);
        sb_puts(b, "<mark>");
        sb_html_n(b, h->snippet + x->start, end - x->start);
        sb_puts(b, "</mark>");
        at = end;
    }
    snippet_text(b, h->snippet + at, len - at);
}

void api_search(server *s, const http_params *p, serve_response *r)
{
    search_request req;
    char msg[HTTP_PARAM_MSG_MAX];
    if (search_request_parse(p, 1, &req, msg, sizeof msg) != 0) {
        response_error(r, 400, "bad_request", msg);
        return;
    }
    if (!req.q && !req.author) {
        response_error(r, 400, "bad_request", "q is missing: give a query, e.g. ?q=النفط");
        return;
    }
    kh_search_result *res;
    kh_error err;
    double took;
    kh_status st = run_search(s, &req, 1, 0, &res, &took, &err);
    if (st != KH_OK) {
        fail(r, st, err.message);
        return;
    }
    sbuf *b = &r->body;
    /* Numbers by sb_uint and one reused buffer for the snippets' HTML: the
     * server's own CPU per answer is what separates it from calling the
     * library in-process (docs/api.md, "Leader/follower threads"). */
    sb_reserve(b, 16384);
    sbuf html;
    sb_init(&html);
    sb_printf(b, "{\"total\":%zu,\"total_exact\":%s,\"offset\":%zu,\"limit\":%zu,\"took_ms\":%.3f,\"hits\":[",
              res->total, res->total_exact ? "true" : "false", req.offset, req.limit, took);
    for (size_t i = 0; i < res->n_hits; i++) {
        const kh_hit *h = &res->hits[i];
        sb_puts(b, i ? ",{\"id\":" : "{\"id\":");
        sb_json_str(b, h->id);
        sb_printf(b, ",\"score\":%.4f,\"title\":", h->score);
        sb_json_str(b, h->title);
        sb_puts(b, ",\"source\":");
        sb_json_str(b, h->source);
        sb_puts(b, ",\"published\":");
        sb_json_str(b, h->published);
        sb_puts(b, ",\"url\":");
        sb_json_str(b, h->url);
        sb_puts(b, ",\"snippet\":");
        sb_json_str(b, h->snippet);
        sb_puts(b, ",\"highlights\":[");
        for (size_t k = 0; k < h->n_highlights; k++) {
            sb_puts(b, k ? ",[" : "[");
            sb_uint(b, h->highlights[k].start);
            sb_puts(b, ",");
            sb_uint(b, h->highlights[k].end);
            sb_puts(b, "]");
        }
        /* The same snippet as safe HTML with <mark>: byte offsets are
         * awkward in JavaScript, whose strings count UTF-16 units. */
        sb_puts(b, h->partial ? "],\"partial\":true,\"snippet_html\":" : "],\"partial\":false,\"snippet_html\":");
        if (h->snippet) {
            html.len = 0;
            html_snippet(&html, h);
            if (html.failed)
                b->failed = 1;      /* out of memory: the answer is a 500 */
            sb_json_strn(b, html.data ? html.data : "", html.len);
        } else {
            sb_puts(b, "null");
        }
        sb_puts(b, "}");
    }
    sb_free(&html);
    sb_puts(b, "],\"facets\":{\"source\":");
    json_facets(b, res->by_source, res->n_by_source);
    sb_puts(b, ",\"day\":");
    json_facets(b, res->by_day, res->n_by_day);
    sb_puts(b, "},\"note\":");
    sb_json_str(b, res->note);
    sb_puts(b, "}\n");
    kh_search_result_free(res);
}

void api_article(server *s, const char *id, serve_response *r)
{
    kh_error err;
    index_slot *slot = pool_checkout(&s->pool, &err);
    if (!slot) {
        fail(r, err.status, err.message);
        return;
    }
    kh_article a;
    kh_article_init(&a);
    kh_status st = kh_index_get(slot->ix, id, &a, &err);
    pool_checkin(&s->pool, slot);
    if (st != KH_OK) {
        if (st == KH_ERR_NOT_FOUND)
            response_error(r, 404, "not_found", "no article has this id or url");
        else
            fail(r, st, err.message);
        kh_article_clear(&a);
        return;
    }
    char *json = kh_article_to_json(&a);
    kh_article_clear(&a);
    if (!json) {
        fail(r, KH_ERR_NOMEM, "out of memory");
        return;
    }
    sb_puts(&r->body, json);
    sb_puts(&r->body, "\n");
    free(json);
}

void api_sources(server *s, serve_response *r)
{
    search_request req = {.q = EVERY_DATED_ARTICLE, .limit = 1, .sort = KH_SORT_RELEVANCE};
    kh_search_result *res;
    kh_error err;
    double took;
    kh_status st = run_search(s, &req, 1, 100000, &res, &took, &err);
    if (st != KH_OK) {
        fail(r, st, err.message);
        return;
    }
    sb_puts(&r->body, "{\"sources\":");
    json_facets(&r->body, res->by_source, res->n_by_source);
    sb_printf(&r->body, ",\"articles\":%zu}\n", res->total);
    kh_search_result_free(res);
}

void api_stats(server *s, serve_response *r)
{
    kh_error err;
    index_slot *slot = pool_checkout(&s->pool, &err);
    if (!slot) {
        fail(r, err.status, err.message);
        return;
    }
    kh_index_stats st;
    kh_status rc = kh_index_stats_get(slot->ix, &st, &err);
    pool_checkin(&s->pool, slot);
    if (rc != KH_OK) {
        fail(r, rc, err.message);
        return;
    }
    sb_printf(&r->body,
              "{\"generation\":%llu,\"articles\":%zu,\"deleted\":%zu,\"segments\":%zu,\"terms\":%zu,"
              "\"bytes_total\":%llu,\"bytes_postings\":%llu,\"bytes_stored\":%llu,\"analyzer\":",
              (unsigned long long)st.generation, st.articles, st.deleted, st.segments, st.terms,
              (unsigned long long)st.bytes_total, (unsigned long long)st.bytes_postings,
              (unsigned long long)st.bytes_stored);
    sb_json_str(&r->body, st.analyzer);
    sb_printf(&r->body, ",\"writes\":%s}\n", s->write_token ? "true" : "false");
}

void api_health(server *s, serve_response *r)
{
    kh_error err;
    index_slot *slot = pool_checkout(&s->pool, &err);
    if (!slot) {
        fail(r, err.status, err.message);
        return;
    }
    kh_index_stats st;
    kh_status rc = kh_index_stats_get(slot->ix, &st, &err);
    pool_checkin(&s->pool, slot);
    if (rc != KH_OK) {
        fail(r, rc, err.message);
        return;
    }
    sb_printf(&r->body, "{\"status\":\"ok\",\"generation\":%llu,\"articles\":%zu}\n",
              (unsigned long long)st.generation, st.articles);
}

/* The reader format for a request's Content-Type (parameters such as
 * charset are ignored: the reader detects the encoding of HTML itself). */
static int format_for(const char *content_type, kh_format *out)
{
    if (!content_type)
        return -1;
    size_t n = strcspn(content_type, "; \t");
    static const struct {
        const char *type;
        kh_format format;
    } table[] = {
        {"application/json", KH_FORMAT_JSON}, {"application/x-ndjson", KH_FORMAT_JSON},
        {"application/jsonl", KH_FORMAT_JSON}, {"text/html", KH_FORMAT_HTML},
        {"text/plain", KH_FORMAT_TEXT},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strlen(table[i].type) == n && !strncasecmp(content_type, table[i].type, n)) {
            *out = table[i].format;
            return 0;
        }
    }
    return -1;
}

#define POST_ARTICLES_MAX 1000

void api_post_article(server *s, const http_params *p, const char *content_type, const char *body, size_t len,
                      serve_response *r)
{
    kh_extract_options xo;
    kh_extract_options_init(&xo);
    if (format_for(content_type, &xo.format) != 0) {
        response_error(r, 415, "unsupported_media_type",
                       "send application/json (an article or JSON Lines), text/html or text/plain");
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->items[i].key, "url")) {
            response_error(r, 400, "bad_request", "unknown parameter (POST /api/articles takes only url)");
            return;
        }
    }
    xo.url = http_params_get(p, "url");
    if (len == 0) {
        response_error(r, 400, "bad_request", "the body is empty: send an article");
        return;
    }
    kh_reader *rd;
    kh_error err;
    if (kh_reader_open_memory(body, len, "request body", &xo, &rd, &err) != KH_OK) {
        fail(r, err.status == KH_ERR_IO ? KH_ERR_ARGUMENT : err.status, err.message);
        return;
    }
    /* Read and check every record before taking the writer lock, so that a
     * bad request never leaves a half-added batch. */
    kh_article *arts = NULL;
    size_t n = 0;
    kh_status st = KH_OK;
    for (;;) {
        kh_article a;
        kh_article_init(&a);
        st = kh_reader_next(rd, &a, &err);
        if (st == KH_END) {
            st = KH_OK;
            break;
        }
        if (st == KH_OK && n == POST_ARTICLES_MAX) {
            kh_article_clear(&a);
            st = KH_ERR_TOO_LARGE;
            snprintf(err.message, sizeof err.message, "more than %d articles in one request", POST_ARTICLES_MAX);
            break;
        }
        if (st == KH_OK && xo.url && !a.url) {
            /* A text page does not carry its address; the url parameter
             * gives it, and the id is derived from it like any page's. */
            st = kh_article_set_verbatim(&a.url, xo.url, strlen(xo.url));
            free(a.id);
            a.id = NULL;
        }
        if (st == KH_OK && !a.id)
            st = kh_article_finish(&a);
        if (st != KH_OK) {
            kh_article_clear(&a);
            break;
        }
        kh_article *grown = realloc(arts, (n + 1) * sizeof *arts);
        if (!grown) {
            kh_article_clear(&a);
            st = KH_ERR_NOMEM;
            snprintf(err.message, sizeof err.message, "out of memory");
            break;
        }
        arts = grown;
        arts[n++] = a;
    }
    kh_reader_close(rd);
    if (st == KH_OK && n == 0) {
        st = KH_ERR_EMPTY;
        snprintf(err.message, sizeof err.message, "the body holds no article");
    }
    if (st == KH_OK) {
        pthread_mutex_lock(&s->write_mu);
        kh_index_options io;
        kh_index_options_init(&io);
        io.writable = 1;
        kh_index *w = NULL;
        kh_index_stats stats = {0};
        st = kh_index_open(s->index_dir, &io, &w, &err);
        if (st == KH_OK) {
            for (size_t i = 0; st == KH_OK && i < n; i++)
                st = kh_index_add(w, &arts[i], &err);
            if (st == KH_OK)
                st = kh_index_commit(w, &err);
            if (st == KH_OK)
                kh_index_stats_get(w, &stats, NULL);
            kh_index_close(w);
        }
        pthread_mutex_unlock(&s->write_mu);
        if (st == KH_OK) {
            pool_bump(&s->pool);
            r->status = 201;
            sb_printf(&r->body, "{\"added\":%zu,\"generation\":%llu,\"ids\":[", n,
                      (unsigned long long)stats.generation);
            for (size_t i = 0; i < n; i++) {
                if (i)
                    sb_puts(&r->body, ",");
                sb_json_str(&r->body, arts[i].id);
            }
            sb_puts(&r->body, "]}\n");
        } else if (st == KH_ERR_LOCKED) {
            snprintf(err.message, sizeof err.message,
                     "another process is writing this index (an ingest?): try again when it is done");
        }
    }
    if (st != KH_OK)
        fail(r, st, err.message);
    for (size_t i = 0; i < n; i++)
        kh_article_clear(&arts[i]);
    free(arts);
}
