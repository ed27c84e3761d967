/* serve_search.h — what the JSON API and the HTML pages of `khabar serve`
 * share: running a search, rendering facets and highlighted snippets. */
#ifndef KH_SERVE_SEARCH_H
#define KH_SERVE_SEARCH_H

#include "serve.h"

/* Runs req on a pooled index handle; facet_limit 0 = the library default.
 * *took_ms is the time inside kh_search. KH_ERR_LOCKED: every handle busy. */
kh_status run_search(server *s, const search_request *req, int facets, size_t facet_limit, kh_search_result **out,
                     double *took_ms, kh_error *err);

/* The HTTP status for a library status (400, 404, 503 or 500). */
int status_for(kh_status st);

extern const char *const EVERY_DATED_ARTICLE;

void json_facets(sbuf *b, const kh_facet *f, size_t n);
/* The hit's snippet as HTML, matches in <mark>. */
void html_snippet(sbuf *b, const kh_hit *h);

#endif
