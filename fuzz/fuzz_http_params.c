/* fuzz_http_params.c — khabar serve's request-parameter parsing
 * (src/http_params.c) and the escapers it renders with (src/serve_buf.c), on
 * arbitrary query strings.
 *
 * Beyond the sanitizers' "no crash, no out-of-bounds", checks the contract;
 * a broken invariant aborts:
 *   - a parsed query string has at most HTTP_PARAMS_MAX parameters, distinct
 *     non-empty keys, values that are NUL-free valid UTF-8;
 *   - a failure says why (a non-empty message) and leaves nothing behind;
 *   - an accepted search request is within its documented bounds (its
 *     switches 0 or 1, snippets=0 the only way to drop snippets), and the
 *     query built from it has balanced quotes once an author is added;
 *   - every decoded value, percent-encoded again by sb_url, decodes back to
 *     itself; sb_html leaves no markup character; sb_json_str no control
 *     character. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_params.h"
#include "serve_buf.h"

static void check_search(const http_params *p, int strict)
{
    search_request r;
    char msg[HTTP_PARAM_MSG_MAX] = "";
    if (search_request_parse(p, strict, &r, msg, sizeof msg) != 0) {
        if (!msg[0])
            abort();
        return;
    }
    if (r.limit < 1 || r.limit > SEARCH_LIMIT_MAX || r.offset > SEARCH_OFFSET_MAX)
        abort();
    if (r.sort != KH_SORT_RELEVANCE && r.sort != KH_SORT_DATE)
        abort();
    if (r.q && strlen(r.q) > SEARCH_QUERY_MAX)
        abort();
    const char *days[] = {r.from, r.to};
    for (int i = 0; i < 2; i++)
        if (days[i] && (strlen(days[i]) != 10 || days[i][4] != '-' || days[i][7] != '-'))
            abort();
    if (r.from && r.to && strcmp(r.from, r.to) > 0)
        abort();
    /* the switches are 0 or 1, and set only by their own parameter */
    const char *sn = http_params_get(p, "snippets");
    if (r.no_snippets != (sn && (!strcmp(sn, "0") || !strcmp(sn, "false"))))
        abort();
    if ((r.lean | r.strict) & ~1)
        abort();
    char *q = search_request_query(&r);
    if (!q)
        abort();
    if (r.author) {
        size_t quotes = 0;
        for (const char *s = q; *s; s++)
            quotes += *s == '"';
        if (quotes % 2 || !strstr(q, " author:\""))
            abort();
    } else if (strcmp(q, r.q ? r.q : "")) {
        abort();
    }
    free(q);
}

static void check_escapes(const char *value)
{
    sbuf b;
    sb_init(&b);
    sb_puts(&b, "v=");
    sb_url(&b, value);
    if (b.failed)
        abort();
    for (size_t i = 2; i < b.len; i++) {
        char c = b.data[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-_.~%", c)))
            abort();
    }
    if (b.len <= HTTP_QUERY_STRING_MAX) { /* longer ones are refused by design */
        http_params back;
        char msg[HTTP_PARAM_MSG_MAX];
        if (http_params_parse(b.data, b.len, &back, msg, sizeof msg) != 0)
            abort();
        if (back.n != 1 || strcmp(back.items[0].value, value))
            abort();
        http_params_free(&back);
    }
    sb_free(&b);

    sb_init(&b);
    sb_html(&b, value);
    if (b.data && strpbrk(b.data, "<>\"'"))
        abort();
    sb_free(&b);

    sb_init(&b);
    sb_json_str(&b, value);
    for (size_t i = 0; i < b.len; i++)
        if ((unsigned char)b.data[i] < 0x20)
            abort();
    if (b.len < 2 || b.data[0] != '"' || b.data[b.len - 1] != '"')
        abort();
    sb_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    http_params p;
    char msg[HTTP_PARAM_MSG_MAX] = "";
    if (http_params_parse((const char *)data, size, &p, msg, sizeof msg) != 0) {
        if (!msg[0] || p.n != 0)
            abort();
        return 0;
    }
    if (p.n > HTTP_PARAMS_MAX)
        abort();
    for (size_t i = 0; i < p.n; i++) {
        if (!p.items[i].key[0])
            abort();
        for (size_t k = 0; k < i; k++)
            if (!strcmp(p.items[i].key, p.items[k].key))
                abort();
        check_escapes(p.items[i].value);
    }
    check_search(&p, 0);
    check_search(&p, 1);
    http_params_free(&p);
    return 0;
}
