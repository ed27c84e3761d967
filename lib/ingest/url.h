/* url.h — the canonical form of a URL, for stable article ids.
 *
 * The same article reaches khabar under many spellings of its address:
 * http or https, upper-case host, a default port, a #fragment, tracking
 * parameters (utm_*, fbclid, gclid), Arabic path segments raw or
 * percent-encoded. The canonical form removes those differences so that all
 * of them derive the same id. It is for identity only, never shown. */
#ifndef KH_INGEST_URL_H
#define KH_INGEST_URL_H

/* Returns a newly allocated canonical form of url (caller frees), NULL when
 * memory runs out. Rules (docs/article.md): scheme dropped (http = https),
 * host lower-cased and "www." removed, default port removed, fragment
 * removed, utm_* / fbclid / gclid query parameters removed, percent-escapes
 * of non-ASCII bytes decoded, a trailing "/" on the path removed. */
char *kh_url_canonical(const char *url);

#endif
