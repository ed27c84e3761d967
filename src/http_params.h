/* http_params.h — request parameters of `khabar serve`: the query string
 * split and percent-decoded, and the search parameters validated.
 *
 * Pure functions over bytes (no server, no index), so that the fuzz target
 * fuzz/fuzz_http_params.c drives exactly what the server runs. Every
 * failure comes back as -1 with a message meant for the client ("limit must
 * be a whole number from 1 to 100, not 'abc'"), which the server sends as
 * the `detail` of a 400 response. */
#ifndef KH_HTTP_PARAMS_H
#define KH_HTTP_PARAMS_H

#include <stddef.h>

#include "khabar.h"

#define HTTP_PARAMS_MAX 32             /* more parameters than this is an abuse */
#define HTTP_QUERY_STRING_MAX 16384    /* bytes of the raw query string */
#define HTTP_PARAM_MSG_MAX 256

typedef struct http_param {
    char *key, *value;                 /* decoded, NUL-terminated, valid UTF-8 */
} http_param;

typedef struct http_params {
    http_param items[HTTP_PARAMS_MAX];
    size_t n;
} http_params;

/* Decodes %XX escapes in s[0..len) (and '+' as a space when plus_is_space)
 * into a new string. Fails on a malformed escape, a NUL byte, or bytes that
 * are not UTF-8. Returns 0 and sets *out (caller frees), or -1 with msg. */
int http_decode(const char *s, size_t len, int plus_is_space, char **out, char *msg, size_t cap);

/* Splits a query string ("a=1&b=x%20y", without the '?') into *out. Empty
 * pieces ("a=1&&b=2") are skipped; a key without '=' has the value "". The
 * same key twice is an error, so that "?limit=5&limit=500" cannot mean two
 * things. Returns 0, or -1 with msg (and *out emptied). */
int http_params_parse(const char *qs, size_t len, http_params *out, char *msg, size_t cap);

/* The value of key, or NULL. An empty value counts as absent: HTML forms send
 * their empty fields ("from=&to="). */
const char *http_params_get(const http_params *p, const char *key);

void http_params_free(http_params *p);

/* The parameters of a search, from the API and from the web page alike. */
typedef struct search_request {
    const char *q;                     /* NULL when absent; points into the params */
    const char *from, *to;             /* "YYYY-MM-DD" or NULL */
    const char *source, *author;
    kh_sort sort;
    size_t limit, offset;
    int lean;                          /* facets=0: no facets, total may be a lower bound */
    int strict;                        /* strict=1: no partial matches after the full ones */
    int no_snippets;                   /* snippets=0: hits without snippets (most of a search's cost) */
} search_request;

#define SEARCH_LIMIT_MAX 100
#define SEARCH_OFFSET_MAX 10000
#define SEARCH_QUERY_MAX 4096          /* bytes of q */

/* Validates the search parameters of p. With `strict`, a parameter the API
 * does not know is an error (a typo such as "limt" should not be silently
 * ignored); the web page passes 0. Defaults: limit 10, offset 0, relevance.
 * Returns 0 or -1 with msg. */
int search_request_parse(const http_params *p, int strict, search_request *out, char *msg, size_t cap);

/* The query given to kh_search: q, with `author:"..."` appended when the
 * author parameter is set. Newly allocated; NULL when memory runs out. */
char *search_request_query(const search_request *r);

#endif
