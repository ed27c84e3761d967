/* snippet.h — a short extract of an article around what the query found.
 *
 * The stored text is analyzed again at query time, with the index's own
 * analyzer, so every token comes with its byte offsets in the original
 * text; tokens whose term is one of the query's are the matches. The
 * snippet is the window of about `target` bytes holding the most distinct
 * query terms (then the most matches), widened to whole words, with "…" where
 * it cuts the text, and the matches' byte ranges within it. Storing offsets
 * in the index would make it larger for every article to save work on ten. */
#ifndef KH_SEARCH_SNIPPET_H
#define KH_SEARCH_SNIPPET_H

#include <stddef.h>

#include "khabar.h"

/* What to highlight: exact terms and term prefixes (analyzed forms). */
typedef struct kh_hl_terms {
    const char **terms;
    size_t n_terms;
    const char **prefixes;
    size_t n_prefixes;
} kh_hl_terms;

/* Cuts the snippet of text[0..len). *out is malloc'ed (caller frees), *hl
 * too (NULL when there is no match). Returns KH_OK or KH_ERR_NOMEM. */
kh_status kh_snippet_make(kh_analyzer *an, const char *text, size_t len, const kh_hl_terms *q,
                          size_t target, char **out, kh_highlight **hl, size_t *n_hl);

#endif
