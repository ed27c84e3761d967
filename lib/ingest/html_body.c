/* html_body.c — the main text of a news page.
 *
 * Three steps.
 *
 * 1. Cut the page into blocks: the text between block-level boundaries
 *    (p, div, li, headings, table cells, and <br>, with which older Arabic
 *    sites separate paragraphs). Boxes whose class or id marks them as
 *    comments, related lists, share bars, ads, sidebars or navigation are
 *    not entered at all; boxes of metadata (dates, bylines, tags) are
 *    entered but their blocks are flagged, never body. Each block knows its
 *    length, its commas (Arabic "،" and Latin ",") and how much of it is
 *    link text.
 *
 * 2. Score containers, in the manner of Arc90's readability: a paragraph of
 *    prose (at least 25 characters, mostly not links) gives points to its
 *    container, half to the next one up and a sixth to the one above that;
 *    templates' article classes (entry-content, itemprop=articleBody ...)
 *    add a bonus; a container's score is scaled by its share of non-link
 *    text. The best container wins, with those of its siblings that score
 *    close to it or are plain paragraphs of prose (a lead set apart from
 *    the body).
 *
 * 3. Keep the winner's blocks in order, minus what templates put inside
 *    article bodies: link lists, "اقرأ أيضا" lines, counters, share
 *    prompts, comment policies — and a dateline or byline standing at the
 *    top, which become metadata instead. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/html.h"
#include "util/text.h"
#include "util/utf8.h"

typedef enum { B_PARA, B_HEADING, B_CAPTION, B_TITLE } block_kind;

typedef struct hblock {
    xmlNode *elem;          /* innermost block element holding the text */
    block_kind kind;
    char *text;             /* as found, trimmed; cleaned by block_clean() when needed */
    size_t len;             /* bytes of text */
    int clean;              /* text has been cleaned */
    size_t chars;           /* code points */
    size_t link_bytes, raw_bytes;  /* non-space bytes inside links / in all */
    size_t commas;
    int in_meta;            /* inside a metadata box */
} hblock;

typedef struct walker {
    hblock *b;
    size_t n, cap;
    kh_buf cur;
    size_t cur_link, cur_raw;
    int link_depth, meta_depth;
    xmlNode *elem;
    block_kind kind;
    int failed;
    int too_deep;
} walker;

typedef struct cand {
    xmlNode *node;
    double score;
    size_t chars, link_chars;
    int scored, selected;
    int boxed;              /* its first text is a box label: "الأكثر قراءة", "حمّل التطبيق" */
} cand;

typedef struct scorer {
    cand *c;
    size_t n, cap;
    int failed;
} scorer;

static int is_block_tag(const xmlNode *n)
{
    static const char tags[] = "|p|div|li|td|th|blockquote|pre|section|article|ul|ol|dl|dt|dd|table|tr|tbody|"
                               "thead|tfoot|figure|header|main|center|address|h1|h2|h3|h4|h5|h6|hr|body|"
                               "fieldset|details|summary|caption|";
    if (!n->name)
        return 0;
    char key[16];
    size_t len = strlen((const char *)n->name);
    if (len + 3 > sizeof key)
        return 0;
    key[0] = '|';
    memcpy(key + 1, n->name, len);
    key[len + 1] = '|';
    key[len + 2] = '\0';
    return strstr(tags, key) != NULL;
}

static int heading_level(const xmlNode *n)
{
    const char *s = (const char *)n->name;
    if (s && s[0] == 'h' && s[1] >= '1' && s[1] <= '6' && !s[2])
        return s[1] - '0';
    return 0;
}

static int is_caption_box(const xmlNode *n)
{
    if (kh_html_is(n, "figcaption"))
        return 1;
    const char *cls = kh_html_attr(n, "class");
    if (!cls)
        return 0;
    if (strstr(cls, "caption") || strstr(cls, "Caption"))
        return 1;
    /* "img-cap", "photo_cap": the word "cap" alone */
    for (const char *p = cls; (p = strstr(p, "cap")); p += 3) {
        int start = p == cls || !((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z'));
        int end = !((p[3] >= 'a' && p[3] <= 'z') || (p[3] >= 'A' && p[3] <= 'Z'));
        if (start && end)
            return 1;
    }
    return 0;
}

static size_t non_space_bytes(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += !(*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r');
    return n;
}

/* Blocks are kept as found and cleaned only when they are looked at
 * closely (the candidates for the body, short labels): most of a page is
 * menus and lists that only need counting. */
static int block_clean(walker *w, hblock *b)
{
    if (b->clean)
        return b->len > 0;
    kh_buf clean = KH_BUF_INIT;
    kh_text_clean(b->text, b->len, &clean);
    if (kh_buf_failed(&clean)) {
        w->failed = 1;
        kh_buf_free(&clean);
        return 0;
    }
    free(b->text);
    b->len = clean.len;
    b->text = clean.data ? kh_buf_detach(&clean) : strdup("");
    b->clean = 1;
    if (!b->text) {
        w->failed = 1;
        b->len = 0;
    }
    return b->len > 0;
}

static int ascii_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'; }

static void push_block(walker *w, block_kind kind, xmlNode *elem, const char *raw, size_t raw_len,
                       size_t link, size_t raw_bytes)
{
    while (raw_len && ascii_space(*raw)) {
        raw++;
        raw_len--;
    }
    while (raw_len && ascii_space(raw[raw_len - 1]))
        raw_len--;
    if (raw_len == 0 || kh_text_is_blank(raw, raw_len))
        return;
    kh_buf clean = KH_BUF_INIT;
    kh_buf_append(&clean, raw, raw_len);
    if (kh_buf_failed(&clean)) {
        w->failed = 1;
        kh_buf_free(&clean);
        return;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        hblock *grown = realloc(w->b, cap * sizeof *grown);
        if (!grown) {
            w->failed = 1;
            kh_buf_free(&clean);
            return;
        }
        w->b = grown;
        w->cap = cap;
    }
    hblock *b = &w->b[w->n++];
    b->elem = elem;
    b->kind = kind;
    b->len = clean.len;
    b->text = kh_buf_detach(&clean);
    b->clean = 0;
    b->chars = 0;
    b->commas = 0;
    /* characters other than ASCII white space, and commas (Latin, Arabic) */
    for (size_t i = 0; i < b->len;) {
        int32_t cp;
        i += kh_utf8_decode((const unsigned char *)b->text + i, b->len - i, &cp);
        b->chars += !(cp < 0x80 && ascii_space((char)cp));
        b->commas += (cp == ',' || cp == 0x060C);
    }
    b->link_bytes = link;
    b->raw_bytes = raw_bytes;
    b->in_meta = w->meta_depth > 0;
}

static void flush(walker *w)
{
    if (w->cur.len)
        push_block(w, w->kind, w->elem, w->cur.data, w->cur.len, w->cur_link, w->cur_raw);
    kh_buf_reset(&w->cur);
    w->cur_link = w->cur_raw = 0;
}

/* A table of data (results, prices), as opposed to a table laid out as
 * a page: rows of short cells with no paragraphs, lists, breaks or nested
 * tables inside. */
static int cell_is_plain(const xmlNode *n, int depth)
{
    static const char *const blocks[] = {"p", "div", "ul", "ol", "br", "table", "h1", "h2", "h3", "blockquote",
                                         NULL};
    if (depth > 8)
        return 0;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        for (const char *const *b = blocks; *b; b++)
            if (kh_html_is(c, *b))
                return 0;
        if (!cell_is_plain(c, depth + 1))
            return 0;
    }
    return 1;
}

static int is_data_table(const xmlNode *table)
{
    size_t rows = 0;
    for (const xmlNode *sec = table->children; sec; sec = sec->next) {
        const xmlNode *first = kh_html_is(sec, "tr") ? sec : NULL;
        const xmlNode *list = first ? NULL : sec;
        if (!first && !(kh_html_is(sec, "tbody") || kh_html_is(sec, "thead") || kh_html_is(sec, "tfoot")))
            continue;
        for (const xmlNode *tr = first ? first : list->children; tr; tr = first ? NULL : tr->next) {
            if (!kh_html_is(tr, "tr"))
                continue;
            rows++;
            for (const xmlNode *td = tr->children; td; td = td->next)
                if ((kh_html_is(td, "td") || kh_html_is(td, "th")) && !cell_is_plain(td, 0))
                    return 0;
        }
    }
    return rows >= 2;
}

/* One block per row, cells joined by " | ". */
static void walk_data_table(walker *w, xmlNode *table)
{
    for (xmlNode *sec = table->children; sec; sec = sec->next) {
        xmlNode *rows = kh_html_is(sec, "tr") ? NULL : sec;
        for (xmlNode *tr = rows ? rows->children : sec; tr; tr = rows ? tr->next : NULL) {
            if (!kh_html_is(tr, "tr"))
                continue;
            kh_buf row = KH_BUF_INIT;
            for (xmlNode *td = tr->children; td; td = td->next) {
                if (!kh_html_is(td, "td") && !kh_html_is(td, "th"))
                    continue;
                if (row.len)
                    kh_buf_puts(&row, " | ");
                kh_html_text(td, &row);
            }
            if (row.len)
                push_block(w, B_PARA, tr, row.data, row.len, 0, non_space_bytes(row.data));
            w->failed |= kh_buf_failed(&row);
            kh_buf_free(&row);
        }
    }
}

static void walk(walker *w, xmlNode *n, int depth)
{
    if (depth > KH_HTML_MAX_DEPTH) {
        w->too_deep = 1;
        return;
    }
    if (w->failed)
        return;
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (!c->content)
                continue;
            const char *t = (const char *)c->content;
            kh_buf_puts(&w->cur, t);
            size_t nb = non_space_bytes(t);
            w->cur_raw += nb;
            if (w->link_depth)
                w->cur_link += nb;
            continue;
        }
        if (c->type != XML_ELEMENT_NODE || kh_html_is_invisible_tag(c))
            continue;
        kh_html_mark mark = kh_html_classify(c);
        if (mark == KH_HTML_JUNK)
            continue;
        if (kh_html_is(c, "br")) {
            flush(w);
            continue;
        }
        if (kh_html_is(c, "img") || kh_html_is(c, "picture"))
            continue;
        if (is_caption_box(c)) {
            flush(w);
            kh_buf cap = KH_BUF_INIT;
            kh_html_text(c, &cap);
            if (cap.len)
                push_block(w, B_CAPTION, c, cap.data, cap.len, 0, 0);
            w->failed |= kh_buf_failed(&cap);
            kh_buf_free(&cap);
            continue;
        }
        if (kh_html_is(c, "table") && is_data_table(c)) {
            flush(w);
            w->meta_depth += (mark == KH_HTML_META);
            walk_data_table(w, c);
            w->meta_depth -= (mark == KH_HTML_META);
            continue;
        }
        int meta = (mark == KH_HTML_META);
        w->meta_depth += meta;
        if (is_block_tag(c)) {
            flush(w);
            xmlNode *saved_elem = w->elem;
            block_kind saved_kind = w->kind;
            w->elem = c;
            int level = heading_level(c);
            if (level == 1)
                w->kind = B_TITLE;
            else if (level)
                w->kind = B_HEADING;
            else if (w->kind != B_TITLE && w->kind != B_HEADING)
                w->kind = B_PARA;
            walk(w, c, depth + 1);
            flush(w);
            w->elem = saved_elem;
            w->kind = saved_kind;
        } else {
            int link = kh_html_is(c, "a");
            w->link_depth += link;
            walk(w, c, depth + 1);
            w->link_depth -= link;
            /* Inline boxes that are metadata (a rel=author link) end their
             * own run of text, so the flag stays with their text alone. */
            if (meta)
                flush(w);
        }
        w->meta_depth -= meta;
    }
    w->failed |= kh_buf_failed(&w->cur);
}

/* ---- scoring ------------------------------------------------------------ */

static cand *entry(scorer *s, xmlNode *n)
{
    uintptr_t i = (uintptr_t)n->_private;
    if (i && i <= s->n && s->c[i - 1].node == n)
        return &s->c[i - 1];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 128;
        cand *grown = realloc(s->c, cap * sizeof *grown);
        if (!grown) {
            s->failed = 1;
            return NULL;
        }
        s->c = grown;
        s->cap = cap;
    }
    cand *c = &s->c[s->n++];
    memset(c, 0, sizeof *c);
    c->node = n;
    n->_private = (void *)(uintptr_t)s->n;
    return c;
}

/* A container's prior, before any paragraph votes: what its tag and
 * classes say. */
static double prior(const xmlNode *n)
{
    double p = 0;
    if (kh_html_is(n, "div") || kh_html_is(n, "article") || kh_html_is(n, "section"))
        p += 5;
    else if (kh_html_is(n, "td") || kh_html_is(n, "blockquote") || kh_html_is(n, "pre"))
        p += 3;
    else if (kh_html_is(n, "ul") || kh_html_is(n, "ol") || kh_html_is(n, "li") || kh_html_is(n, "dl"))
        p -= 3;
    if (kh_html_classify(n) == KH_HTML_CONTENT)
        p += 30;
    return p;
}

static void add_score(scorer *s, xmlNode *n, double points)
{
    if (!n || n->type != XML_ELEMENT_NODE)
        return;
    cand *c = entry(s, n);
    if (!c)
        return;
    if (!c->scored) {
        c->scored = 1;
        c->score = prior(n);
    }
    c->score += points;
}

static int is_paragraph_like(const xmlNode *n)
{
    return kh_html_is(n, "p") || kh_html_is(n, "li") || kh_html_is(n, "blockquote") || kh_html_is(n, "pre") ||
           kh_html_is(n, "dd") || kh_html_is(n, "dt") || heading_level(n);
}

static double link_density(const hblock *b) { return b->raw_bytes ? (double)b->link_bytes / (double)b->raw_bytes : 0; }

static double final_score(const cand *c)
{
    double ld = c->chars ? (double)c->link_chars / (double)c->chars : 0;
    return c->score * (1 - ld);
}

/* The share of the headline's words (3 bytes or more: Arabic words of two
 * letters are particles) that occur in text. A story repeats its
 * headline's terms; an app promotion or a newsletter box does not. */
static double title_overlap(const char *title, const char *text)
{
    if (!title)
        return 0;
    size_t words = 0, found = 0;
    for (const char *p = title; *p;) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        size_t len = (size_t)(e - p);
        if (len >= 6) {   /* three Arabic letters */
            words++;
            char word[128];
            if (len < sizeof word) {
                memcpy(word, p, len);
                word[len] = '\0';
                found += strstr(text, word) != NULL;
            }
        }
        p = e;
    }
    return words ? (double)found / (double)words : 0;
}

static void score_blocks(scorer *s, walker *w, const char *title)
{
    for (size_t i = 0; i < w->n && !s->failed; i++) {
        hblock *b = &w->b[i];
        if (b->in_meta || b->kind == B_CAPTION || b->kind == B_TITLE)
            continue;
        double ld = link_density(b);
        size_t link_chars = (size_t)(ld * (double)b->chars);
        int label = b->len <= 200 && block_clean(w, b) && b->len <= 80 &&
                    kh_html_is_furniture_text(b->text, b->len);
        for (xmlNode *a = b->elem; a && a->type == XML_ELEMENT_NODE; a = a->parent) {
            cand *c = entry(s, a);
            if (!c)
                return;
            if (c->chars == 0 && label)
                c->boxed = 1;
            c->chars += b->chars;
            c->link_chars += link_chars;
        }
        if (b->chars < 25 || ld > 0.5 || b->kind != B_PARA)
            continue;
        double points = 1 + (double)b->commas + (b->chars / 100 > 3 ? 3 : (double)(b->chars / 100));
        points *= 1 + title_overlap(title, b->text);
        xmlNode *target = is_paragraph_like(b->elem) ? b->elem->parent : b->elem;
        add_score(s, target, points);
        if (target) {
            add_score(s, target->parent, points / 2);
            if (target->parent)
                add_score(s, target->parent->parent, points / 6);
        }
    }
}

/* 1 if n or one of its near ancestors is a labelled box. */
static int in_labelled_box(scorer *s, const xmlNode *n)
{
    for (int up = 0; n && n->type == XML_ELEMENT_NODE && up < 4; up++, n = n->parent) {
        uintptr_t i = (uintptr_t)n->_private;
        if (i && i <= s->n && s->c[i - 1].node == n && s->c[i - 1].boxed)
            return 1;
    }
    return 0;
}

static cand *best(scorer *s)
{
    cand *top = NULL;
    double top_score = 0;
    for (size_t i = 0; i < s->n; i++) {
        cand *c = &s->c[i];
        if (!c->scored || kh_html_is(c->node, "html"))
            continue;
        double score = final_score(c) * (in_labelled_box(s, c->node) ? 0.1 : 1);
        if (!top || score > top_score) {
            top = c;
            top_score = score;
        }
    }
    return top;
}

/* Marks the winner and the siblings that belong with it. Adding entries
 * may move the array: top is not used after the loop starts. */
static void select_siblings(scorer *s, cand *top)
{
    top->selected = 1;
    xmlNode *top_node = top->node;
    xmlNode *parent = top_node->parent;
    if (!parent)
        return;
    double top_score = final_score(top);
    double threshold = top_score * 0.2 > 10 ? top_score * 0.2 : 10;
    for (xmlNode *sib = parent->children; sib; sib = sib->next) {
        if (sib->type != XML_ELEMENT_NODE || sib == top_node)
            continue;
        cand *c = entry(s, sib);
        if (!c)
            return;
        if (c->boxed)
            continue;
        if (c->scored && final_score(c) >= threshold) {
            c->selected = 1;
            continue;
        }
        if (kh_html_is(sib, "p") && c->chars > 0) {
            double ld = (double)c->link_chars / (double)c->chars;
            if (c->chars > 80 && ld < 0.25)
                c->selected = 1;
        }
    }
}

static int in_selection(scorer *s, const hblock *b, const xmlNode *stop)
{
    for (xmlNode *a = b->elem; a && a != stop; a = a->parent) {
        uintptr_t i = (uintptr_t)a->_private;
        if (i && i <= s->n && s->c[i - 1].node == a && s->c[i - 1].selected)
            return 1;
    }
    return 0;
}

/* A standfirst: the summary paragraph set under the headline, outside the
 * body's container ("article__subhead", "lead", "excerpt" ...). */
static int is_lead_box(const xmlNode *n)
{
    static const char *const words[] = {"subhead", "standfirst", "lead", "excerpt", "summary", "intro", "dek",
                                        "teaser", "sapo", "chapo", "subtitle", "brief", "abstract", NULL};
    for (int up = 0; n && n->type == XML_ELEMENT_NODE && up < 3; up++, n = n->parent) {
        const char *cls = kh_html_attr(n, "class");
        if (!cls)
            continue;
        for (const char *p = cls; *p;) {
            while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
                p++;
            const char *e = p;
            while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z'))
                e++;
            for (const char *const *w = words; *w && e > p; w++)
                if ((size_t)(e - p) == strlen(*w) && !strncasecmp(p, *w, (size_t)(e - p)))
                    return 1;
            p = e;
        }
    }
    return 0;
}

static void trim_name(char *s)
{
    size_t len = strlen(s);
    while (len && (s[len - 1] == ':' || s[len - 1] == ' ' || s[len - 1] == '-' || s[len - 1] == '.'))
        s[--len] = '\0';
}

static kh_status emit(walker *w, scorer *s, const xmlNode *top, const char *title, kh_article *a,
                      kh_html_body *body)
{
    const xmlNode *stop = top ? top->parent : NULL;
    size_t kept = 0;
    size_t *order = malloc((w->n + 1) * sizeof *order);
    if (!order)
        return KH_ERR_NOMEM;
    size_t n_order = 0;
    size_t lead = (size_t)-1;   /* a standfirst before the body, outside it */
    for (size_t i = 0; i < w->n; i++) {
        hblock *b = &w->b[i];
        if (b->kind == B_TITLE)
            continue;
        if (b->kind == B_CAPTION) {
            /* a photo's caption stands beside the text as often as in it:
             * take those of the region around the winner */
            int near = !top;
            for (const xmlNode *x = b->elem; x && !near; x = x->parent)
                near = (x == stop);
            if (near && !b->in_meta && kh_article_add_caption(a, b->text, b->len) != KH_OK)
                goto nomem;
            continue;
        }
        if (top && !in_selection(s, b, stop)) {
            if (n_order == 0 && lead == (size_t)-1 && b->kind == B_PARA && b->chars >= 60 &&
                link_density(b) < 0.25 && is_lead_box(b->elem) && block_clean(w, b))
                lead = i;
            continue;
        }
        if (!block_clean(w, b))
            continue;
        if (b->kind == B_CAPTION) {
            if (kh_article_add_caption(a, b->text, b->len) != KH_OK)
                goto nomem;
            continue;
        }
        int early = kept < 3;
        kh_datetime dt;
        if (early && !body->dateline && b->len <= 160 && kh_date_parse(b->text, b->len, &dt, NULL) == KH_OK) {
            if (!(body->dateline = strdup(b->text)))
                goto nomem;
            continue;
        }
        const char *name = early ? kh_html_byline_name(b->text) : NULL;
        if (name && !body->byline) {
            char *copy = strdup(name);
            if (!copy)
                goto nomem;
            trim_name(copy);
            if (kh_html_is_name(copy)) {
                body->byline = copy;
                continue;
            }
            free(copy);
        }
        if (b->in_meta)
            continue;
        if (!top && (b->chars < 25 && b->kind == B_PARA))
            continue;
        if (link_density(b) > 0.5 || kh_html_is_furniture_text(b->text, b->len))
            continue;
        if (title && kept == 0 && !strcmp(b->text, title))
            continue;
        int dup = 0;
        for (size_t k = 0; k < n_order && !dup && b->chars >= 40; k++)
            dup = !strcmp(w->b[order[k]].text, b->text);
        if (dup)
            continue;
        order[n_order++] = i;
        kept++;
    }
    /* A heading with no text after it introduced something that was left
     * out (a related list, the comments). */
    while (n_order && w->b[order[n_order - 1]].kind == B_HEADING)
        n_order--;
    if (lead != (size_t)-1 && n_order && strcmp(w->b[lead].text, w->b[order[0]].text) != 0 &&
        (!title || strcmp(w->b[lead].text, title) != 0)) {
        memmove(order + 1, order, n_order * sizeof *order);
        order[0] = lead;
        n_order++;
    }
    for (size_t k = 0; k < n_order; k++) {
        hblock *b = &w->b[order[k]];
        if (kh_article_add_block(a, b->kind == B_HEADING ? KH_BLOCK_HEADING : KH_BLOCK_PARAGRAPH, b->text,
                                 b->len) != KH_OK)
            goto nomem;
    }
    free(order);
    return KH_OK;
nomem:
    free(order);
    return KH_ERR_NOMEM;
}

kh_status kh_html_extract_body(xmlNode *root, const char *title, kh_article *a, kh_html_body *body)
{
    memset(body, 0, sizeof *body);
    walker w;
    memset(&w, 0, sizeof w);
    w.elem = root;
    w.kind = B_PARA;
    walk(&w, root, 0);
    flush(&w);
    body->too_deep = w.too_deep;
    scorer s = {NULL, 0, 0, 0};
    kh_status st = KH_OK;
    if (w.failed) {
        st = KH_ERR_NOMEM;
    } else {
        score_blocks(&s, &w, title);
        cand *top = s.failed ? NULL : best(&s);
        xmlNode *top_node = top ? top->node : NULL;
        if (top)
            select_siblings(&s, top);   /* may move the entries: top is stale after */
        if (s.failed)
            st = KH_ERR_NOMEM;
        else {
            body->main = top_node;
            st = emit(&w, &s, top_node, title, a, body);
        }
    }
    for (size_t i = 0; i < s.n; i++)
        s.c[i].node->_private = NULL;
    free(s.c);
    for (size_t i = 0; i < w.n; i++)
        free(w.b[i].text);
    free(w.b);
    kh_buf_free(&w.cur);
    return st;
}

void kh_html_body_clear(kh_html_body *body)
{
    free(body->dateline);
    free(body->byline);
    memset(body, 0, sizeof *body);
}
