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

#endif
