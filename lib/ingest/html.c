/* html.c — a web page to an article: decoding, parsing, metadata.
 *
 * The bytes are decoded to UTF-8 first (charset.c), then parsed with
 * libxml2's HTML parser, which repairs tag soup the way browsers do. The
 * body comes from html_body.c; the metadata is gathered here, each field
 * from the best evidence the page offers, in this order:
 *
 *   title      JSON-LD headline; the <h1> when og:title or <title> contains
 *              it; og:title; <title>; the <h1>. The site-name suffix
 *              ("... | الموقع", "... - Site") is removed.
 *   published  JSON-LD datePublished; article:published_time and similar
 *              <meta>; <time datetime> (itemprop=datePublished first) near
 *              the headline; a visible dateline the date parser accepts
 *              whole; the caller's fallback (a WARC record's date).
 *   author     JSON-LD author (a person, not the publisher); <meta
 *              name=author>; a byline box (class author/byline, rel=author,
 *              itemprop=author) near the headline; a byline line at the
 *              top of the body ("كتب:", "بقلم" ...); an unmarked name of two
 *              to four words beside the visible date. Category and tag
 *              links are never authors.
 *   source     og:site_name; JSON-LD publisher; application-name; the
 *              suffix removed from the title; the host of the URL.
 *   url        <link rel=canonical>; og:url; JSON-LD url; the caller's URL.
 *   lang       the page's lang / og:locale / inLanguage, overruled by the
 *              script of the text when they disagree (templates say "en"
 *              on Arabic pages). */
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/charset.h"
#include "ingest/article.h"
#include "ingest/formats.h"
#include "ingest/html.h"
#include "util/error.h"
#include "util/text.h"
#include "util/utf8.h"

enum { MAX_H1 = 8, MAX_TIMES = 16, LD_MAX_DEPTH = 10, VISIBLE_MAX_TEXT = 240 };

typedef struct meta {
    kh_buf title_tag, og_title, ld_headline;
    kh_buf site, ld_publisher, ld_org, app_name;
    kh_buf canonical, og_url, ld_url;
    kh_buf meta_author, ld_author;
    kh_buf ld_date, meta_date;
    kh_buf lang;
    kh_buf ld_body;            /* JSON-LD articleBody: the text of pages built by scripts */
    int ld_article_seen;
    xmlNode *h1[MAX_H1];
    size_t n_h1;
    xmlNode *times[MAX_TIMES];
    size_t n_times;
    xmlNode *html, *body;
} meta;

#define META_BUFS(m) {&(m)->title_tag, &(m)->og_title, &(m)->ld_headline, &(m)->site, &(m)->ld_publisher, \
                     &(m)->ld_org, &(m)->app_name, &(m)->canonical, &(m)->og_url, &(m)->ld_url,         \
                     &(m)->meta_author, &(m)->ld_author, &(m)->ld_date, &(m)->meta_date, &(m)->lang,  \
                     &(m)->ld_body}

static void meta_free(meta *m)
{
    kh_buf *b[] = META_BUFS(m);
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
        kh_buf_free(b[i]);
}

static int meta_failed(meta *m)
{
    kh_buf *b[] = META_BUFS(m);
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
        if (kh_buf_failed(b[i]))
            return 1;
    return 0;
}

/* Sets b to the cleaned text unless b already holds something. */
static void set_once(kh_buf *b, const char *text, size_t len)
{
    if (b->len || !text)
        return;
    kh_text_clean(text, len, b);
}

static void set_once_str(kh_buf *b, const char *text)
{
    if (text)
        set_once(b, text, strlen(text));
}

/* ---- JSON-LD ---------------------------------------------------------- */

static int type_is(json_t *type, const char *const *names)
{
    if (json_is_array(type)) {
        size_t i;
        json_t *t;
        json_array_foreach(type, i, t) if (type_is(t, names)) return 1;
        return 0;
    }
    if (!json_is_string(type))
        return 0;
    const char *s = json_string_value(type);
    const char *colon = strrchr(s, ':');   /* "schema:NewsArticle" */
    const char *slash = strrchr(s, '/');   /* "http://schema.org/NewsArticle" */
    if (slash && (!colon || slash > colon))
        colon = slash;
    if (colon)
        s = colon + 1;
    for (; *names; names++)
        if (!strcmp(s, *names))
            return 1;
    return 0;
}

static const char *const ARTICLE_TYPES[] = {
    "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
    "OpinionNewsArticle", "BackgroundNewsArticle", "LiveBlogPosting", "Report", "ReviewNewsArticle",
    "AskPublicQuestionArticle", "SatiricalArticle", "ScholarlyArticle", "TechArticle", "SocialMediaPosting",
    NULL};
static const char *const ORG_TYPES[] = {"Organization", "NewsMediaOrganization", "WebSite", NULL};

static const char *ld_string(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_array(v) && json_array_size(v) > 0)
        v = json_array_get(v, 0);
    if (json_is_object(v)) {
        json_t *id = json_object_get(v, "@id");
        if (!json_is_string(id))
            id = json_object_get(v, "url");
        v = id;
    }
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *ld_name(json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_object(v)) {
        json_t *n = json_object_get(v, "name");
        if (json_is_array(n) && json_array_size(n))
            n = json_array_get(n, 0);
        return json_is_string(n) ? json_string_value(n) : NULL;
    }
    return NULL;
}

/* Authors: a name, a Person, or an array of either, joined by "، ". An
 * Organization author is the outlet, not a byline. */
static void ld_authors(kh_buf *out, json_t *v)
{
    if (out->len)
        return;
    json_t *one = v;
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    for (size_t i = 0; i < n && i < 6; i++) {
        if (json_is_array(v))
            one = json_array_get(v, i);
        if (json_is_object(one) && type_is(json_object_get(one, "@type"), ORG_TYPES))
            continue;
        const char *name = ld_name(one);
        if (!name)
            continue;
        kh_buf clean = KH_BUF_INIT;
        kh_text_clean(name, strlen(name), &clean);
        if (clean.len && kh_html_is_name(clean.data)) {
            if (out->len)
                kh_buf_puts(out, "، ");
            kh_buf_append(out, clean.data, clean.len);
        }
        out->failed |= clean.failed;
        kh_buf_free(&clean);
    }
}

static void ld_visit(meta *m, json_t *v, int depth)
{
    if (depth > LD_MAX_DEPTH)
        return;
    if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) ld_visit(m, item, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    json_t *graph = json_object_get(v, "@graph");
    if (graph)
        ld_visit(m, graph, depth + 1);
    json_t *type = json_object_get(v, "@type");
    if (type_is(type, ARTICLE_TYPES) && !m->ld_article_seen) {
        m->ld_article_seen = 1;
        const char *headline = ld_string(v, "headline");
        set_once_str(&m->ld_headline, headline ? headline : ld_string(v, "name"));
        const char *date = ld_string(v, "datePublished");
        set_once_str(&m->ld_date, date ? date : ld_string(v, "dateCreated"));
        ld_authors(&m->ld_author, json_object_get(v, "author"));
        json_t *pub = json_object_get(v, "publisher");
        if (json_is_array(pub))
            pub = json_array_get(pub, 0);
        set_once_str(&m->ld_publisher, ld_name(pub));
        const char *url = ld_string(v, "url");
        set_once_str(&m->ld_url, url ? url : ld_string(v, "mainEntityOfPage"));
        set_once_str(&m->lang, ld_string(v, "inLanguage"));
        json_t *body = json_object_get(v, "articleBody");
        if (json_is_string(body) && !m->ld_body.len)   /* kept raw: its line breaks are paragraphs */
            kh_buf_append(&m->ld_body, json_string_value(body), json_string_length(body));
    } else if (type_is(type, ORG_TYPES)) {
        set_once_str(&m->ld_org, ld_name(v));
    }
    /* A WebPage may hold the article as mainEntity. */
    json_t *main_entity = json_object_get(v, "mainEntity");
    if (json_is_object(main_entity) || json_is_array(main_entity))
        ld_visit(m, main_entity, depth + 1);
}

static void read_json_ld(meta *m, const xmlNode *script)
{
    kh_buf text = KH_BUF_INIT;
    for (const xmlNode *c = script->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            kh_buf_puts(&text, (const char *)c->content);
    if (!kh_buf_failed(&text) && text.len) {
        /* Templates paste raw newlines and tabs into JSON strings, which
         * JSON forbids; outside strings they are whitespace anyway. */
        for (size_t i = 0; i < text.len; i++)
            if ((unsigned char)text.data[i] < 0x20)
                text.data[i] = ' ';
        json_t *doc = json_loadb(text.data, text.len, JSON_DISABLE_EOF_CHECK, NULL);
        if (doc)
            ld_visit(m, doc, 0);
        json_decref(doc);
    }
    kh_buf_free(&text);
}

/* ---- the first pass: head, meta, JSON-LD, headings, <time> -------------- */

static void read_meta_tag(meta *m, const xmlNode *n)
{
    const char *key = kh_html_attr(n, "property");
    if (!key)
        key = kh_html_attr(n, "name");
    if (!key)
        key = kh_html_attr(n, "itemprop");
    const char *content = kh_html_attr(n, "content");
    if (!key || !content || !*content)
        return;
    static const char *const date_keys[] = {
        "article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
        "publish-date", "publish_date", "date", "dc.date.issued", "dcterms.created", "dc.date",
        "sailthru.date", "parsely-pub-date", "article.published", "cxenseparse:recs:publishtime", NULL};
    static const char *const author_keys[] = {"author", "article:author", "dc.creator", "parsely-author",
                                              "sailthru.author", "byl", NULL};
    if (!strcasecmp(key, "og:title") || !strcasecmp(key, "twitter:title"))
        set_once_str(&m->og_title, content);
    else if (!strcasecmp(key, "og:site_name"))
        set_once_str(&m->site, content);
    else if (!strcasecmp(key, "application-name"))
        set_once_str(&m->app_name, content);
    else if (!strcasecmp(key, "og:url"))
        set_once_str(&m->og_url, content);
    else if (!strcasecmp(key, "og:locale") || !strcasecmp(key, "content-language") ||
             !strcasecmp(key, "language") || !strcasecmp(key, "inlanguage"))
        set_once_str(&m->lang, content);
    for (const char *const *k = date_keys; *k; k++)
        if (!strcasecmp(key, *k))
            set_once_str(&m->meta_date, content);
    for (const char *const *k = author_keys; *k; k++)
        if (!strcasecmp(key, *k) && strncmp(content, "http", 4) != 0)
            set_once_str(&m->meta_author, content);
}

static void first_pass(meta *m, xmlNode *n, int depth, int junk)
{
    if (depth > KH_HTML_MAX_DEPTH)
        return;
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !c->name)
            continue;
        const char *name = (const char *)c->name;
        int child_junk = junk;
        if (!strcmp(name, "html")) {
            m->html = c;
            const char *lang = kh_html_attr(c, "lang");
            if (!lang)
                lang = kh_html_attr(c, "xml:lang");
            set_once_str(&m->lang, lang);
        } else if (!strcmp(name, "body")) {
            m->body = c;
        } else if (!strcmp(name, "head")) {
            /* walked for its title, meta, link and JSON-LD */
        } else if (!strcmp(name, "title")) {
            if (!m->title_tag.len) {
                kh_buf t = KH_BUF_INIT;
                kh_html_text(c, &t);
                set_once(&m->title_tag, t.data, t.len);
                kh_buf_free(&t);
            }
            continue;
        } else if (!strcmp(name, "meta")) {
            read_meta_tag(m, c);
            continue;
        } else if (!strcmp(name, "link")) {
            const char *rel = kh_html_attr(c, "rel");
            if (rel && !strcasecmp(rel, "canonical"))
                set_once_str(&m->canonical, kh_html_attr(c, "href"));
            continue;
        } else if (!strcmp(name, "script")) {
            const char *type = kh_html_attr(c, "type");
            if (type && !strcasecmp(type, "application/ld+json"))
                read_json_ld(m, c);
            continue;
        } else if (kh_html_is_invisible_tag(c)) {
            continue;
        } else if (!junk && kh_html_classify(c) == KH_HTML_JUNK) {
            child_junk = 1;
        }
        if (!child_junk && !strcmp(name, "h1") && m->n_h1 < MAX_H1)
            m->h1[m->n_h1++] = c;
        if (!child_junk && !strcmp(name, "time") && m->n_times < MAX_TIMES)
            m->times[m->n_times++] = c;
        first_pass(m, c, depth + 1, child_junk);
    }
}

/* ---- title ---------------------------------------------------------------- */

/* memmem and strcasestr are GNU extensions; these are the portable few
 * lines we need. */
static int has_bytes(const char *hay, size_t hl, const char *needle, size_t nl)
{
    for (size_t i = 0; i + nl <= hl; i++)
        if (!memcmp(hay + i, needle, nl))
            return 1;
    return 0;
}

static int has_word_ci(const char *hay, const char *needle)
{
    size_t nl = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, nl))
            return 1;
    return 0;
}

static int same_site(const char *part, size_t len, const char *site)
{
    if (!site || !*site || !len)
        return 0;
    size_t sl = strlen(site);
    if (sl == len && !strncasecmp(part, site, len))
        return 1;
    /* "الجزيرة نت" vs "الجزيرة", "Hespress" vs "هسبريس - Hespress" */
    if (len >= 4 && sl >= 4) {
        if (sl > len ? has_bytes(site, sl, part, len) : has_bytes(part, len, site, sl))
            return 1;
    }
    return 0;
}

static size_t words_in(const char *s, size_t len)
{
    size_t n = 0;
    int in = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ')
            in = 0;
        else if (!in) {
            in = 1;
            n++;
        }
    }
    return n;
}

static const char *const TITLE_SEPARATORS[] = {" | ", " - ", " – ", " — ", " :: ", " « ", " » ", " · ",
                                               " • ", " ـ ", " || ", NULL};

/* Removes a site name from either end of a title, in place. When the site
 * is unknown, a short last part after a separator is taken to be it and is
 * stored in *guessed_site (a copy). */
static void strip_site(char *title, const char *site, char **guessed_site)
{
    for (int round = 0; round < 2; round++) {
        size_t len = strlen(title);
        const char *best_sep = NULL;
        size_t best_sep_len = 0;
        for (const char *const *sep = TITLE_SEPARATORS; *sep; sep++) {
            size_t sl = strlen(*sep);
            for (const char *p = title; (p = strstr(p, *sep)); p += sl)
                if (!best_sep || p > best_sep) {
                    best_sep = p;
                    best_sep_len = sl;
                }
        }
        if (!best_sep)
            return;
        const char *right = best_sep + best_sep_len;
        size_t right_len = (size_t)(title + len - right), left_len = (size_t)(best_sep - title);
        int strip = same_site(right, right_len, site);
        if (!strip && (!site || !*site) && words_in(right, right_len) <= 3 && words_in(title, left_len) >= 3) {
            strip = 1;
            if (guessed_site && !*guessed_site)
                *guessed_site = strndup(right, right_len);
        }
        if (strip) {
            title[left_len] = '\0';
            continue;
        }
        /* "Site | headline" */
        const char *first = NULL;
        size_t first_len = 0;
        for (const char *const *sep = TITLE_SEPARATORS; *sep; sep++) {
            const char *p = strstr(title, *sep);
            if (p && (!first || p < first)) {
                first = p;
                first_len = strlen(*sep);
            }
        }
        if (first && same_site(title, (size_t)(first - title), site)) {
            memmove(title, first + first_len, strlen(first + first_len) + 1);
            continue;
        }
        return;
    }
}

static char *node_text(const xmlNode *n)
{
    kh_buf raw = KH_BUF_INIT, clean = KH_BUF_INIT;
    kh_html_text(n, &raw);
    if (raw.len)
        kh_text_clean(raw.data, raw.len, &clean);
    kh_buf_free(&raw);
    if (kh_buf_failed(&clean)) {
        kh_buf_free(&clean);
        return NULL;
    }
    return kh_buf_detach(&clean);
}

static int contains_text(const kh_buf *hay, const char *needle)
{
    return hay->len && *needle && strstr(hay->data, needle) != NULL;
}

/* Pages without an <h1> show their headline in a titled box (class
 * "newstitle", "headline", an <h2>). Returns 1 when such a box's text is
 * exactly text. */
static int shown_as_heading(const xmlNode *n, const char *text, int depth)
{
    if (depth > KH_HTML_MAX_DEPTH)
        return 0;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || kh_html_is_invisible_tag(c))
            continue;
        const char *cls = kh_html_attr(c, "class");
        if (kh_html_is(c, "h2") || kh_html_is(c, "h3") ||
            (cls && (has_word_ci(cls, "title") || has_word_ci(cls, "headline")))) {
            char *t = node_text(c);
            int same = t && !strcmp(t, text);
            free(t);
            if (same)
                return 1;
            continue;
        }
        if (shown_as_heading(c, text, depth + 1))
            return 1;
    }
    return 0;
}

/* "Site - headline" or "headline | Site" with the site unknown: the part
 * the page shows as its heading is the headline, the other the site. */
static char *split_by_heading(const char *title, const xmlNode *body, char **guessed_site)
{
    for (const char *const *sep = TITLE_SEPARATORS; *sep; sep++) {
        const char *p = strstr(title, *sep);
        if (!p || strstr(p + 1, *sep))
            continue;   /* one separator, two parts */
        char *left = strndup(title, (size_t)(p - title));
        char *right = strdup(p + strlen(*sep));
        char *found = NULL;
        if (left && right) {
            if (shown_as_heading(body, right, 0)) {
                found = right;
                right = NULL;
                *guessed_site = left;
                left = NULL;
            } else if (shown_as_heading(body, left, 0)) {
                found = left;
                left = NULL;
                *guessed_site = right;
                right = NULL;
            }
        }
        free(left);
        free(right);
        if (found)
            return found;
    }
    return NULL;
}

/* "headline | Site" or "Site - headline" around a known headline: the
 * site's name (a new string), or NULL. */
static char *site_around(const char *title, const char *headline)
{
    const char *at = title ? strstr(title, headline) : NULL;
    if (!at)
        return NULL;
    for (const char *const *sep = TITLE_SEPARATORS; *sep; sep++) {
        size_t sl = strlen(*sep), hl = strlen(headline);
        if (at == title && !strncmp(at + hl, *sep, sl) && at[hl + sl])
            return strdup(at + hl + sl);
        if (at[hl] == '\0' && (size_t)(at - title) > sl && !strncmp(at - sl, *sep, sl))
            return strndup(title, (size_t)(at - title) - sl);
    }
    return NULL;
}

/* The headline: see the comment at the top. Returns a new string or NULL. */
static char *choose_title(meta *m, const char *site, char **guessed_site, xmlNode **h1_out)
{
    char *h1 = NULL;
    *h1_out = NULL;
    for (size_t i = 0; i < m->n_h1; i++) {
        char *t = node_text(m->h1[i]);
        if (!t || !*t) {
            free(t);
            continue;
        }
        if (contains_text(&m->og_title, t) || contains_text(&m->title_tag, t) ||
            contains_text(&m->ld_headline, t)) {
            free(h1);
            h1 = t;
            *h1_out = m->h1[i];
            break;
        }
        if (!h1) {
            h1 = t;
            *h1_out = m->h1[i];
        } else {
            free(t);
        }
    }
    const char *from = NULL;
    if (m->ld_headline.len)
        from = m->ld_headline.data;
    else if (h1 && (contains_text(&m->og_title, h1) || contains_text(&m->title_tag, h1))) {
        if (!site && !*guessed_site)
            *guessed_site = site_around(m->title_tag.len ? m->title_tag.data : m->og_title.data, h1);
        return h1;
    }
    else if (m->og_title.len)
        from = m->og_title.data;
    else if (m->title_tag.len)
        from = m->title_tag.data;
    if (!from)
        return h1;
    if (!h1 && !site && m->body && !*guessed_site) {
        char *shown = split_by_heading(from, m->body, guessed_site);
        if (shown)
            return shown;
    }
    free(h1);
    char *title = strdup(from);
    if (title)
        strip_site(title, site, guessed_site);
    return title;
}

/* ---- visible evidence near the headline ----------------------------------- */

typedef struct visible {
    char *date_raw;        /* a dateline or <time> value */
    char *time_attr;       /* a <time datetime> */
    char *author;
    int want_date, want_author;   /* only what better evidence did not give */
    xmlNode *date_node;    /* the element the visible date was read from */
} visible;

static int is_author_box(const xmlNode *n)
{
    const char *cls = kh_html_attr(n, "class"), *rel = kh_html_attr(n, "rel"), *ip = kh_html_attr(n, "itemprop");
    if (ip && !strcasecmp(ip, "author"))
        return 1;
    if (rel && strstr(rel, "author"))
        return 1;
    if (!cls || !(has_word_ci(cls, "author") || has_word_ci(cls, "byline") || has_word_ci(cls, "writer") ||
                  has_word_ci(cls, "reporter")))
        return 0;
    /* the writer's job title, bio or picture beside the name */
    return !(has_word_ci(cls, "title") || has_word_ci(cls, "bio") || has_word_ci(cls, "desc") ||
             has_word_ci(cls, "job") || has_word_ci(cls, "position") || has_word_ci(cls, "avatar"));
}

/* A link into a category, section or tag listing: a label, never a name. */
static int is_label_link(const xmlNode *n)
{
    for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
        if (!kh_html_is(n, "a"))
            continue;
        const char *href = kh_html_attr(n, "href"), *rel = kh_html_attr(n, "rel");
        if (rel && (strstr(rel, "tag") || strstr(rel, "category")))
            return 1;
        return href && (strstr(href, "/category/") || strstr(href, "/section/") || strstr(href, "/tag/") ||
                        strstr(href, "/topics/") || strstr(href, "/categories/") || strstr(href, "/cat/"));
    }
    return 0;
}

static int has_label_link(const xmlNode *n, int depth)
{
    if (depth > 6)
        return 0;
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && (is_label_link(c) || has_label_link(c, depth + 1)))
            return 1;
    return 0;
}

static int try_date_text(const char *s, size_t len)
{
    kh_datetime dt;
    return len && len <= 160 && kh_date_parse(s, len, &dt, NULL) == KH_OK;
}

/* Looks at a short piece of visible text for a dateline or a byline, whole
 * or in parts separated by "|", "•" or "·" (meta lines often hold both). */
static void scan_segments(visible *v, const char *text, int author_box)
{
    if (v->want_date && !v->date_raw && try_date_text(text, strlen(text))) {
        v->date_raw = strdup(text);   /* "نشر في: 12 جويلية 2025 | 18:40" is one date */
        return;
    }
    const char *s = text;
    while (*s) {
        const char *end = s;
        size_t sep = 0;
        while (*end) {
            if (*end == '|') { sep = 1; break; }
            if (!strncmp(end, "•", 3) || !strncmp(end, "·", 2)) { sep = (*end == (char)0xC2) ? 2 : 3; break; }
            end++;
        }
        size_t len = (size_t)(end - s);
        while (len && *s == ' ') { s++; len--; }
        while (len && s[len - 1] == ' ') len--;
        if (len) {
            if (v->want_date && !v->date_raw && try_date_text(s, len))
                v->date_raw = strndup(s, len);
            else if (v->want_author && !v->author) {
                char *piece = strndup(s, len);
                if (piece) {
                    const char *name = kh_html_byline_name(piece);
                    if (!name && author_box)
                        name = piece;
                    if (name) {
                        char *copy = strdup(name);
                        size_t cl = copy ? strlen(copy) : 0;
                        while (cl && (copy[cl - 1] == ':' || copy[cl - 1] == ' ' || copy[cl - 1] == '-'))
                            copy[--cl] = '\0';
                        if (copy && kh_html_is_name(copy))
                            v->author = copy;
                        else
                            free(copy);
                    }
                    free(piece);
                }
            }
        }
        s = *end ? end + sep : end;
    }
}

static void visible_walk(visible *v, xmlNode *n, const xmlNode *skip, int depth)
{
    if (depth > KH_HTML_MAX_DEPTH || ((v->date_raw || !v->want_date) && (v->author || !v->want_author) &&
                                       (v->time_attr || !v->want_date)))
        return;
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || c == skip || kh_html_is_invisible_tag(c))
            continue;
        kh_html_mark mark = kh_html_classify(c);
        if (mark == KH_HTML_JUNK || kh_html_is(c, "h1"))
            continue;
        if (v->want_date && kh_html_is(c, "time")) {
            const char *dt = kh_html_attr(c, "datetime");
            if (dt && *dt && !v->time_attr)
                v->time_attr = strdup(dt);
        }
        int author_box = is_author_box(c) && !is_label_link(c) && !has_label_link(c, 0);
        if ((mark == KH_HTML_META || author_box || kh_html_is(c, "time") || kh_html_is(c, "span") ||
             kh_html_is(c, "p") || kh_html_is(c, "div") || kh_html_is(c, "li") || kh_html_is(c, "a")) &&
            kh_html_text_bytes_upto(c, VISIBLE_MAX_TEXT * 2) <= VISIBLE_MAX_TEXT * 2) {
            kh_buf raw = KH_BUF_INIT;
            kh_html_text(c, &raw);
            if (raw.len && raw.len <= VISIBLE_MAX_TEXT * 2) {
                kh_buf clean = KH_BUF_INIT;
                kh_text_clean(raw.data, raw.len, &clean);
                if (clean.len && clean.len <= VISIBLE_MAX_TEXT && !kh_buf_failed(&clean) &&
                    !(kh_html_is(c, "a") && is_label_link(c)))
                {
                    int had_date = v->date_raw != NULL;
                    scan_segments(v, clean.data, author_box);
                    if (!had_date && v->date_raw)
                        v->date_node = c;
                }
                kh_buf_free(&clean);
            }
            kh_buf_free(&raw);
        }
        visible_walk(v, c, skip, depth + 1);
    }
}

/* Words of times and counters that stand beside dates in meta lines and
 * are not names ("منذ ساعتين", "قراءة 3 دقائق"). */
static int is_meta_phrase(const char *text)
{
    static const char *const words[] = {"منذ", "دقيقة", "دقائق", "دقيقتان", "ساعة", "ساعات", "ساعتين", "يوم",
                                        "أيام", "قراءة", "تعليق", "تعليقات", "مشاهدة", "آخر تحديث", "تحديث",
                                        "نشر", "حجم الخط", "طباعة", NULL};
    for (const char *const *w = words; *w; w++)
        if (strstr(text, *w))
            return 1;
    return 0;
}

/* An unmarked byline: a name of two to four words standing in the same
 * meta line as the visible date ("سارة القحطاني · 14 يناير 2026"), not a
 * link into a section, not a time or counter. One word is not taken: that
 * is how section labels («اقتصاد», «منوعات») look. */
static char *name_beside_date(const xmlNode *date_node, const char *site)
{
    const xmlNode *line = date_node ? date_node->parent : NULL;
    if (!line || line->type != XML_ELEMENT_NODE)
        return NULL;
    for (const xmlNode *c = line->children; c; c = c->next) {
        if (c == date_node || c->type != XML_ELEMENT_NODE || kh_html_is(c, "time") || is_label_link(c) ||
            has_label_link(c, 0) || kh_html_classify(c) == KH_HTML_JUNK)
            continue;
        char *t = node_text(c);
        if (t) {
            size_t words = words_in(t, strlen(t));
            if (words >= 2 && words <= 4 && kh_html_is_name(t) && !is_meta_phrase(t) &&
                !same_site(t, strlen(t), site))
                return t;
        }
        free(t);
    }
    return NULL;
}

static xmlNode *common_ancestor(xmlNode *a, xmlNode *b)
{
    for (xmlNode *x = a; x; x = x->parent)
        for (xmlNode *y = b; y; y = y->parent)
            if (x == y)
                return x;
    return NULL;
}

/* ---- putting it together -------------------------------------------------- */

static char *resolve_url(const char *href, const char *base)
{
    if (!href || !*href)
        return NULL;
    xmlChar *abs = xmlBuildURI((const xmlChar *)href, (const xmlChar *)base);
    if (!abs)
        return NULL;
    char *out = NULL;
    if (!strncasecmp((const char *)abs, "http://", 7) || !strncasecmp((const char *)abs, "https://", 8))
        out = strdup((const char *)abs);
    xmlFree(abs);
    return out;
}

static kh_status set_date(kh_article *a, const char *raw, int *done)
{
    if (*done || !raw || !*raw)
        return KH_OK;
    kh_datetime dt;
    size_t len = strlen(raw);
    if (kh_date_parse(raw, len, &dt, NULL) != KH_OK) {
        if (!a->published_raw)
            return kh_article_set(&a->published_raw, raw, len);
        return KH_OK;
    }
    char iso[32];
    size_t n = kh_datetime_format(&dt, iso, sizeof iso);
    kh_status st = kh_article_set(&a->published, iso, n);
    if (st == KH_OK)
        st = kh_article_set(&a->published_raw, raw, len);
    *done = 1;
    return st;
}

static kh_status set_lang(kh_article *a, const kh_buf *declared)
{
    /* The script outranks the declaration: Arabic sites often keep a
     * theme's lang="en". */
    const char *script = kh_article_script_lang(a);
    if (script && !strcmp(script, "ar"))
        return kh_article_set(&a->lang, "ar", 2);
    if (!declared->len)
        return KH_OK;
    char code[9];
    size_t n = 0;
    for (const char *s = declared->data; *s && n < sizeof code - 1; s++) {
        char c = *s;
        if (c == '-' || c == '_' || c == ' ')
            break;
        if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
            return KH_OK;
        code[n++] = (char)(c | 0x20);
    }
    return n >= 2 ? kh_article_set(&a->lang, code, n) : KH_OK;
}

static kh_status fill_article(meta *m, xmlNode *root, const kh_html_hints *hints, kh_article *a, int *too_deep)
{
    kh_status st = KH_OK;
    /* source first: the title's suffix is removed by comparing with it */
    const char *site = m->site.len ? m->site.data
                     : m->ld_publisher.len ? m->ld_publisher.data
                     : m->ld_org.len ? m->ld_org.data
                     : m->app_name.len ? m->app_name.data : NULL;
    char *guessed_site = NULL;
    xmlNode *h1 = NULL;
    char *title = choose_title(m, site, &guessed_site, &h1);
    if (title && (st = kh_article_set(&a->title, title, strlen(title))) != KH_OK)
        goto out;
    if (!site)
        site = guessed_site;

    /* url */
    const char *base = hints && hints->url ? hints->url : NULL;
    char *url = resolve_url(m->canonical.len ? m->canonical.data : NULL, base);
    if (!url)
        url = resolve_url(m->og_url.len ? m->og_url.data : NULL, base);
    if (!url)
        url = resolve_url(m->ld_url.len ? m->ld_url.data : NULL, base);
    if (!url && base)
        url = strdup(base);
    if (url) {
        st = kh_article_set_verbatim(&a->url, url, strlen(url));
        free(url);
        if (st != KH_OK)
            goto out;
    }
    if (site) {
        st = kh_article_set(&a->source, site, strlen(site));
    } else if (a->url) {
        /* the host, without "www." */
        const char *h = strstr(a->url, "://");
        h = h ? h + 3 : a->url;
        if (!strncmp(h, "www.", 4))
            h += 4;
        size_t hl = strcspn(h, "/:?#");
        st = kh_article_set(&a->source, h, hl);
    }
    if (st != KH_OK)
        goto out;

    /* body */
    kh_html_body body;
    st = kh_html_extract_body(root, a->title, a, &body);
    *too_deep = body.too_deep;
    if (st != KH_OK)
        goto out;
    /* A page whose text is drawn by scripts shows nothing to read; its
     * JSON-LD may still carry the text. */
    if (a->n_blocks == 0 && m->ld_body.len) {
        const char *p = m->ld_body.data, *end = p + m->ld_body.len;
        while (p < end && st == KH_OK) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *line_end = nl ? nl : end;
            st = kh_article_add_block(a, KH_BLOCK_PARAGRAPH, p, (size_t)(line_end - p));
            p = nl ? nl + 1 : end;
        }
        if (st != KH_OK) {
            kh_html_body_clear(&body);
            goto out;
        }
    }

    /* visible evidence: the region holding the headline and the text,
     * looked for only when the page's data did not say */
    int author_known = m->ld_author.len || (m->meta_author.len && kh_html_is_name(m->meta_author.data) &&
                                            !same_site(m->meta_author.data, m->meta_author.len, site));
    visible v = {NULL, NULL, NULL, !(m->ld_date.len || m->meta_date.len), !author_known, NULL};
    xmlNode *area = NULL;
    if (h1 && body.main) {
        area = common_ancestor(h1, body.main);
        if (area == m->body || area == m->html)
            area = NULL;
    }
    if (!area && body.main)
        area = body.main->parent;
    if (!area && h1)
        area = h1->parent;
    if (area)
        visible_walk(&v, area, body.main, 0);
    /* Table layouts put the date in the next row or cell: widen the region
     * a little, never to the whole page. */
    for (int up = 0; area && v.want_date && !v.date_raw && !v.time_attr && up < 3; up++) {
        xmlNode *wider = area->parent;
        if (!wider || wider == m->body || wider == m->html || wider->type != XML_ELEMENT_NODE)
            break;
        visible_walk(&v, wider, area, 0);
        area = wider;
    }
    if (body.main && ((v.want_date && !v.date_raw) || (v.want_author && !v.author))) {
        /* the top of the container itself (its meta boxes) */
        visible w = {NULL, NULL, NULL, v.want_date, v.want_author, NULL};
        visible_walk(&w, body.main, NULL, 0);
        if (!v.date_raw) { v.date_raw = w.date_raw; w.date_raw = NULL; v.date_node = w.date_node; }
        if (!v.author) { v.author = w.author; w.author = NULL; }
        if (!v.time_attr) { v.time_attr = w.time_attr; w.time_attr = NULL; }
        free(w.date_raw); free(w.author); free(w.time_attr);
    }

    /* published */
    int dated = 0;
    const char *time_itemprop = NULL;
    for (size_t i = 0; i < m->n_times && !time_itemprop; i++) {
        const char *ip = kh_html_attr(m->times[i], "itemprop");
        if (ip && !strcasecmp(ip, "datePublished"))
            time_itemprop = kh_html_attr(m->times[i], "datetime");
    }
    if (st == KH_OK) st = set_date(a, m->ld_date.len ? m->ld_date.data : NULL, &dated);
    if (st == KH_OK) st = set_date(a, m->meta_date.len ? m->meta_date.data : NULL, &dated);
    if (st == KH_OK) st = set_date(a, time_itemprop, &dated);
    if (st == KH_OK) st = set_date(a, v.time_attr, &dated);
    if (st == KH_OK) st = set_date(a, body.dateline, &dated);
    if (st == KH_OK) st = set_date(a, v.date_raw, &dated);
    if (st == KH_OK && hints) st = set_date(a, hints->fallback_date, &dated);

    /* author */
    const char *author = NULL;
    if (m->ld_author.len)
        author = m->ld_author.data;
    else if (m->meta_author.len && kh_html_is_name(m->meta_author.data) &&
             !same_site(m->meta_author.data, m->meta_author.len, site))
        author = m->meta_author.data;
    else if (v.author && !same_site(v.author, strlen(v.author), site))
        author = v.author;
    else if (body.byline)
        author = body.byline;
    char *beside = NULL;
    if (!author && v.want_author) {
        /* the date may come from the page's data; find the visible one to
         * look beside it */
        if (!v.date_node && area) {
            visible w = {NULL, NULL, NULL, 1, 0, NULL};
            visible_walk(&w, area, NULL, 0);
            v.date_node = w.date_node;
            free(w.date_raw);
            free(w.time_attr);
            free(w.author);
        }
        author = beside = name_beside_date(v.date_node, site);
    }
    if (st == KH_OK && author) {
        const char *name = kh_html_byline_name(author);
        st = kh_article_set(&a->author, name ? name : author, strlen(name ? name : author));
    }
    if (st == KH_OK)
        st = set_lang(a, &m->lang);
    free(v.date_raw);
    free(v.author);
    free(v.time_attr);
    free(beside);
    kh_html_body_clear(&body);
out:
    free(title);
    free(guessed_site);
    return st;
}

kh_status kh_html_parse(const char *data, size_t len, const kh_html_hints *hints, kh_article *a, kh_error *err)
{
    if (len > (size_t)0x7fffffff)
        return kh_fail(err, KH_ERR_TOO_LARGE, "page of %zu bytes is too large to parse", len);
    xmlInitParser();   /* once per process; safe to call again and from threads */
    kh_buf utf8 = KH_BUF_INIT;
    const char *used = NULL;
    kh_status st = KH_OK;
    const char *declared = hints && hints->charset ? hints->charset : NULL;
    const char *text = data;
    size_t text_len = len;
    /* Most pages are UTF-8 and say so (or say nothing): parse them in
     * place rather than copy them. */
    int in_place = !(len >= 2 && ((unsigned char)data[0] == 0xEF || (unsigned char)data[0] == 0xFF ||
                                  (unsigned char)data[0] == 0xFE)) &&
                   (!declared || !strcmp(declared, "UTF-8")) && kh_utf8_valid(data, len, NULL);
    if (in_place && !declared) {
        const char *meta_cs = kh_charset_from_meta(data, len);
        in_place = !meta_cs || !strcmp(meta_cs, "UTF-8") || !strcmp(meta_cs, "WINDOWS-1252");
    }
    if (!in_place) {
        st = kh_charset_to_utf8(data, len, declared, &utf8, &used, NULL, err);
        if (st != KH_OK) {
            kh_buf_free(&utf8);
            return st;
        }
        text = utf8.data;
        text_len = utf8.len;
    }
    if (text_len == 0) {
        kh_buf_free(&utf8);
        return kh_fail(err, KH_ERR_EMPTY, "empty page");
    }
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (!ctxt) {
        kh_buf_free(&utf8);
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    }
    /* Errors are not printed (NOERROR/NOWARNING): tag soup is normal, and
     * the parser repairs it (RECOVER). NONET: never fetch anything. */
    xmlDoc *doc = htmlCtxtReadMemory(ctxt, text, (int)text_len, hints ? hints->url : NULL, "UTF-8",
                                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                         HTML_PARSE_NONET | HTML_PARSE_COMPACT);
    htmlFreeParserCtxt(ctxt);
    kh_buf_free(&utf8);
    if (!doc)
        return kh_fail(err, KH_ERR_PARSE, "not an HTML page (the parser found no document)");
    xmlNode *root = xmlDocGetRootElement(doc);
    meta m;
    memset(&m, 0, sizeof m);
    int too_deep = 0;
    if (root)
        first_pass(&m, (xmlNode *)doc, 0, 0);   /* it walks children: start above the root */
    if (meta_failed(&m))
        st = kh_fail(err, KH_ERR_NOMEM, "out of memory");
    else if (root)
        st = fill_article(&m, m.body ? m.body : root, hints, a, &too_deep) == KH_OK
                 ? KH_OK
                 : kh_fail(err, KH_ERR_NOMEM, "out of memory");
    meta_free(&m);
    xmlFreeDoc(doc);
    if (st == KH_OK && !a->title && a->n_blocks == 0)
        st = too_deep ? kh_fail(err, KH_ERR_PARSE, "found no article text above the nesting limit (elements "
                                "nested more than %d deep are not read)", (int)KH_HTML_MAX_DEPTH)
                      : kh_fail(err, KH_ERR_EMPTY, "found neither a headline nor article text in the page");
    return st;
}
