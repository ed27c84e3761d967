/* formats.h — the per-format extractors behind kh_reader.
 *
 * reader.c decides which format an input is and cuts it into records; each
 * function here turns one record into one article. They fill an initialised
 * article (without calling kh_article_finish) and report failures with a
 * message that does not repeat the input name (the reader adds it). */
#ifndef KH_INGEST_FORMATS_H
#define KH_INGEST_FORMATS_H

#include <jansson.h>
#include <stddef.h>

#include "khabar.h"

/* A scraped article page (text_page.c): masthead, headline, dateline,
 * byline, captions, then paragraphs and subheadings. text is valid UTF-8. */
kh_status kh_text_page_parse(const char *text, size_t len, kh_article *out, kh_error *err);

/* One JSON record (json_record.c): a feed item, a SaudiNewsNet record, or
 * khabar's own article JSON. */
kh_status kh_json_record_parse(json_t *record, kh_article *out, kh_error *err);

/* What the container of a web page knows about it (all may be NULL). */
typedef struct kh_html_hints {
    const char *url;            /* its address: --url, a WARC-Target-URI */
    const char *charset;        /* canonical charset from an HTTP header (charset.h) */
    const char *fallback_date;  /* a date used when the page shows none (WARC-Date) */
} kh_html_hints;

/* A web page (html.c): data[0..len) in any encoding charset.c knows. The
 * main text becomes the blocks, captions the captions, and the metadata
 * comes from the page's own evidence (see html.c). Errors: KH_ERR_EMPTY
 * (no headline and no text), KH_ERR_PARSE, KH_ERR_TOO_LARGE, KH_ERR_NOMEM. */
kh_status kh_html_parse(const char *data, size_t len, const kh_html_hints *hints, kh_article *out,
                        kh_error *err);

#endif
