/* html.h — internals shared by the HTML extractor's files.
 *
 * html.c parses the page and gathers the metadata; html_body.c finds the
 * main text. Both walk libxml2's tree with the helpers declared here, which
 * never allocate and bound their recursion (pages nest thousands deep). */
#ifndef KH_INGEST_HTML_H
#define KH_INGEST_HTML_H

#include <libxml/HTMLparser.h>
#include <stddef.h>

#include "khabar.h"
#include "util/buf.h"

/* Deeper subtrees are not walked: no article nests its text this deep, and
 * it keeps the recursion bounded on hostile pages. */
enum { KH_HTML_MAX_DEPTH = 160 };

/* The value of attribute `name` of element n (names are lower case after
 * libxml2's HTML parser), or NULL. Points into the tree: no copy. */
const char *kh_html_attr(const xmlNode *n, const char *name);

/* 1 if n is an element named tag. */
int kh_html_is(const xmlNode *n, const char *tag);

/* Appends the text of n's subtree (scripts and styles left out; a space at
 * each element boundary that would separate words on screen). */
void kh_html_text(const xmlNode *n, kh_buf *out);

/* Bytes of text under n, counted until past limit (then some value >
 * limit): a cheap "is this box small?". */
size_t kh_html_text_bytes_upto(const xmlNode *n, size_t limit);

/* How an element's class, id and role mark it. */
typedef enum kh_html_mark {
    KH_HTML_PLAIN = 0,
    KH_HTML_CONTENT,     /* article-body, entry-content, itemprop=articleBody ... */
    KH_HTML_META,        /* dates, bylines, tags, share bars: not body, but metadata may be there */
    KH_HTML_JUNK         /* comments, related lists, sidebars, ads, navigation, hidden */
} kh_html_mark;

kh_html_mark kh_html_classify(const xmlNode *n);

/* Elements never part of any text: script, style, forms, media ... */
int kh_html_is_invisible_tag(const xmlNode *n);

/* Lines that site templates put into article bodies ("اقرأ أيضا", view
 * counts, share prompts, "next" links, comment policies). text[len] must
 * be NUL. */
int kh_html_is_furniture_text(const char *text, size_t len);

/* Strips a byline marker ("كتب:", "بقلم", "إعداد:", "حوار:", "By") from the
 * start of text; returns the name's start or NULL when there is no marker. */
const char *kh_html_byline_name(const char *text);

/* 1 if text is plausible as a person's name (or a few names): short, no
 * digits, not a sentence. */
int kh_html_is_name(const char *text);

/* The body: what html_body.c found. */
typedef struct kh_html_body {
    xmlNode *main;            /* the chosen container, or NULL */
    char *dateline;           /* a date line found at the top of the body (owned) */
    char *byline;             /* a byline found there, marker removed (owned) */
    int too_deep;             /* some of the page nests deeper than KH_HTML_MAX_DEPTH */
} kh_html_body;

/* Finds the main text under root and appends its blocks and captions to a.
 * `title` (may be NULL) is dropped when it repeats as the first block.
 * Fills *body. Returns KH_OK or KH_ERR_NOMEM. */
kh_status kh_html_extract_body(xmlNode *root, const char *title, kh_article *a, kh_html_body *body);

void kh_html_body_clear(kh_html_body *body);

#endif
