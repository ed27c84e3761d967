/* text_page.c — a scraped article page in plain text, to an article.
 *
 * Scrapers that save Arabic news pages as text produce one layout, with
 * variations from outlet to outlet:
 *
 *     الشام الجديد                      masthead (the outlet)
 *     أكسيوس: لقاء سوري–إسرائيلي ...     headline
 *     الأحد 04 يناير 2026 - 09:36 م      dateline
 *     عمرو أحمد                          byline (or "كتب: X", "بقلم X"; optional)
 *     لقاء سوري–إسرائيلي                 image caption, often repeated (optional)
 *     paragraphs, with short subheadings between them
 *
 * The dateline is the anchor: the one line the date parser accepts whole.
 * What stands before it is masthead and headline; what follows is byline,
 * captions and body. Lines are classified by shape — length, final
 * punctuation, repetition — because that is all plain text keeps of the
 * page's markup. docs/article.md lists the rules with examples. */
#include <stdlib.h>
#include <string.h>

#include "ingest/formats.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"
#include "util/utf8.h"

/* How far into the page a dateline may stand (masthead, kicker, headline,
 * standfirst, byline come first at most). */
enum { DATELINE_SEARCH_LINES = 8, DATELINE_MAX_BYTES = 200 };
/* A subheading is short; a paragraph that happens to lack a full stop is
 * usually longer than this. */
enum { HEADING_MAX_WORDS = 15, HEADING_MAX_BYTES = 160 };
enum { NAME_MAX_WORDS = 4, CAPTION_MAX_WORDS = 20, TITLE_MAX_WORDS = 40 };

typedef struct line {
    char *text;           /* cleaned, NUL-terminated, never empty */
    size_t len;
    size_t words;
    int terminal;         /* ends like a sentence */
    int repeated;         /* the same text occurs on another line too */
} line;

typedef struct page {
    line *lines;
    size_t n;
} page;

static kh_status mark_repeats(page *p);

static void page_free(page *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->lines[i].text);
    free(p->lines);
}

static size_t count_words(const char *s)
{
    size_t n = 1;
    for (; *s; s++)
        n += (*s == ' ');
    return n;
}

/* Does the line end like a sentence (full stop, question or exclamation
 * mark, ellipsis, closing quote or bracket)? Headings and names do not. */
static int ends_terminal(const char *s, size_t len)
{
    static const char *const endings[] = {".", "!", "?", "\xD8\x9F" /* ؟ */, "\xE2\x80\xA6" /* … */,
                                          "\xC2\xBB" /* » */, "\"", "\xE2\x80\x9D" /* ” */, ")", NULL};
    for (const char *const *e = endings; *e; e++) {
        size_t el = strlen(*e);
        if (len >= el && !memcmp(s + len - el, *e, el))
            return 1;
    }
    return 0;
}

static int ends_with_colon(const line *l)
{
    return l->len && (l->text[l->len - 1] == ':');
}

static kh_status split_lines(const char *text, size_t len, page *p)
{
    size_t cap = 0;
    kh_buf b = KH_BUF_INIT;
    const char *s = text, *end = text + len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *line_end = nl ? nl : end;
        kh_buf_reset(&b);
        kh_text_clean(s, (size_t)(line_end - s), &b);
        s = nl ? nl + 1 : end;
        if (kh_buf_failed(&b))
            goto nomem;
        if (b.len == 0)
            continue;
        if (p->n == cap) {
            cap = cap ? cap * 2 : 32;
            line *grown = realloc(p->lines, cap * sizeof *grown);
            if (!grown)
                goto nomem;
            p->lines = grown;
        }
        line *l = &p->lines[p->n];
        l->len = b.len;
        l->words = count_words(b.data);
        l->terminal = ends_terminal(b.data, b.len);
        l->repeated = 0;
        if (!(l->text = kh_buf_detach(&b)))
            goto nomem;
        p->n++;
    }
    kh_buf_free(&b);
    return mark_repeats(p);
nomem:
    kh_buf_free(&b);
    return KH_ERR_NOMEM;
}

/* Returns the length of `prefix` if s starts with it followed by the end, a
 * space, or punctuation that separates a marker from a name (: / - – — |);
 * 0 otherwise. */
static size_t starts_with_word(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0)
        return 0;
    const char *next = s + n;
    if (*next == '\0' || *next == ' ' || *next == ':' || *next == '/' || *next == '-' || *next == '|' ||
        *next == '(' || !strncmp(next, "\xE2\x80\x93", 3) || !strncmp(next, "\xE2\x80\x94", 3))
        return n;
    return 0;
}

/* Byline markers, with and without hamza as scrapers write them. */
static const char *const BYLINE_PREFIXES[] = {
    "كتب", "كتبت", "بقلم", "إعداد", "اعداد", "حوار", "تقرير", "متابعة", "تحرير", "بواسطة", "By", "by", NULL};

/* If the line is a marked byline, returns where the name starts. */
static const char *byline_name(const line *l)
{
    for (const char *const *p = BYLINE_PREFIXES; *p; p++) {
        size_t n = starts_with_word(l->text, *p);
        if (!n)
            continue;
        const char *name = l->text + n;
        for (;;) {
            if (*name == ' ' || *name == ':' || *name == '-' || *name == '/' || *name == '|')
                name++;
            else if (!strncmp(name, "\xE2\x80\x93", 3) || !strncmp(name, "\xE2\x80\x94", 3))
                name += 3;   /* – — */
            else
                break;
        }
        if (*name && count_words(name) <= NAME_MAX_WORDS + 2)
            return name;
    }
    return NULL;
}

static int has_digit_or_colon(const line *l)
{
    for (size_t i = 0; i < l->len; i++) {
        char c = l->text[i];
        if ((c >= '0' && c <= '9') || c == ':')
            return 1;
        /* Arabic-Indic digits U+0660..U+0669 are D9 A0..D9 A9 */
        if ((unsigned char)c == 0xD9 && i + 1 < l->len && (unsigned char)l->text[i + 1] >= 0xA0 &&
            (unsigned char)l->text[i + 1] <= 0xA9)
            return 1;
    }
    return 0;
}

static int looks_like_name(const line *l)
{
    return l->words <= NAME_MAX_WORDS && !l->terminal && !has_digit_or_colon(l) &&
           strchr(l->text, ',') == NULL && strstr(l->text, "،") == NULL;
}

/* A dateline-style byline, "PLACE: NAME" (الرياض: عبد الهادي حبتور), as
 * pan-Arab dailies print it above the headline: one or two words before
 * the colon, a name of two to four words after it. Returns the name. */
static const char *located_byline_name(const line *l)
{
    const char *colon = strchr(l->text, ':');
    if (!colon || l->terminal || l->words > NAME_MAX_WORDS + 2)
        return NULL;
    size_t place_words = 1;
    for (const char *c = l->text; c < colon; c++)
        place_words += (*c == ' ');
    const char *name = colon + 1;
    while (*name == ' ')
        name++;
    line rest = {(char *)name, strlen(name), count_words(name), 0, 0};
    if (place_words > 2 || !*name || rest.words < 2 || !looks_like_name(&rest))
        return NULL;
    return name;
}

/* Scrapers keep image captions, often twice (alt text and figcaption). A
 * short line that occurs more than once on the page is a caption. Marking
 * repeats through a sorted index keeps a page of many lines O(n log n). */
static int compare_line_text(const void *x, const void *y)
{
    const line *a = *(const line *const *)x, *b = *(const line *const *)y;
    return strcmp(a->text, b->text);
}

static kh_status mark_repeats(page *p)
{
    if (p->n < 2)
        return KH_OK;
    line **order = malloc(p->n * sizeof *order);
    if (!order)
        return KH_ERR_NOMEM;
    for (size_t i = 0; i < p->n; i++)
        order[i] = &p->lines[i];
    qsort(order, p->n, sizeof *order, compare_line_text);
    for (size_t i = 1; i < p->n; i++)
        if (!strcmp(order[i - 1]->text, order[i]->text))
            order[i - 1]->repeated = order[i]->repeated = 1;
    free(order);
    return KH_OK;
}

static int occurs_again(const page *p, size_t i) { return p->lines[i].repeated; }

static int caption_hint(const line *l)
{
    static const char *const hints[] = {"صورة", "الصورة", "(صورة", "صور", "أرشيفية", "(أرشيفية)", NULL};
    for (const char *const *h = hints; *h; h++)
        if (starts_with_word(l->text, *h))
            return 1;
    return 0;
}

static int is_short(const line *l, size_t max_words) { return l->words <= max_words && !l->terminal; }

/* Site furniture that scrapers copy between paragraphs. */
static int is_furniture(const line *l)
{
    static const char *const lines[] = {"اقرأ أيضا", "اقرأ أيضًا", "اقرأ أيضاً", "إقرأ أيضا", "إقرأ أيضاً",
                                        "اقرأ ايضا", "شاهد أيضا", "شاهد أيضًا", "اقرأ المزيد", NULL};
    for (const char *const *f = lines; *f; f++)
        if (!strncmp(l->text, *f, strlen(*f)))
            return 1;
    return 0;
}

static int is_dateline(const line *l, kh_datetime *dt)
{
    return l->len <= DATELINE_MAX_BYTES && kh_date_parse(l->text, l->len, dt, NULL) == KH_OK;
}

static kh_status set_published(kh_article *a, const line *l, const kh_datetime *dt)
{
    char iso[32];
    size_t n = kh_datetime_format(dt, iso, sizeof iso);
    kh_status st = kh_article_set(&a->published, iso, n);
    return st != KH_OK ? st : kh_article_set(&a->published_raw, l->text, l->len);
}

/* The lines before the dateline: masthead, then optionally a section label,
 * the headline, a standfirst, and a byline (marked, or a bare name after a
 * headline too long to be one). */
static kh_status parse_header(const page *p, size_t end, kh_article *a, size_t *standfirst,
                              size_t *standfirst_end)
{
    const line *L = p->lines;
    kh_status st = KH_OK;
    *standfirst = *standfirst_end = 0;
    if (end == 0)
        return KH_OK;
    if (end == 1)
        return kh_article_set(&a->title, L[0].text, L[0].len);
    if (end == 2 && (byline_name(&L[1]) || (looks_like_name(&L[1]) && L[0].words > NAME_MAX_WORDS))) {
        /* headline and byline, no masthead */
        const char *name = byline_name(&L[1]);
        if ((st = kh_article_set(&a->title, L[0].text, L[0].len)) != KH_OK)
            return st;
        return name ? kh_article_set(&a->author, name, strlen(name)) : kh_article_set(&a->author, L[1].text, L[1].len);
    }
    if ((st = kh_article_set(&a->source, L[0].text, L[0].len)) != KH_OK)
        return st;
    size_t first = 1, last = end;     /* the rest: L[first..last) */
    const char *name = byline_name(&L[last - 1]);
    if (name && last - first >= 2) {
        if ((st = kh_article_set(&a->author, name, strlen(name))) != KH_OK)
            return st;
        last--;
    }
    /* A one- or two-word line over a longer one is a section label
     * (سياسة، اقتصاد، محليات), not a headline. */
    if (last - first >= 2 && is_short(&L[first], 2) && L[first + 1].words > L[first].words)
        first++;
    /* "PLACE: NAME" over a longer line is a byline, not the headline (a
     * short headline "عاجل: ..." has no longer line under it). */
    name = last - first >= 2 && !a->author ? located_byline_name(&L[first]) : NULL;
    if (name && L[first + 1].words > L[first].words) {
        if ((st = kh_article_set(&a->author, name, strlen(name))) != KH_OK)
            return st;
        first++;
    }
    /* A bare name after a headline too long to be one is a byline. */
    if (!a->author && last - first >= 2 && looks_like_name(&L[last - 1]) && L[first].words > NAME_MAX_WORDS) {
        if ((st = kh_article_set(&a->author, L[last - 1].text, L[last - 1].len)) != KH_OK)
            return st;
        last--;
    }
    *standfirst = first + 1;
    *standfirst_end = last;
    return kh_article_set(&a->title, L[first].text, L[first].len);
}

/* Some outlets end no paragraph with a full stop; there, a short line
 * without one is no sign of a subheading. A page is "punctuated" when most
 * of its long lines end like sentences. */
static int page_is_punctuated(const page *p, size_t from)
{
    size_t long_lines = 0, terminal = 0;
    for (size_t i = from; i < p->n; i++)
        if (p->lines[i].words > 8) {
            long_lines++;
            terminal += (size_t)p->lines[i].terminal;
        }
    return long_lines == 0 || terminal * 2 >= long_lines;
}

static int ends_with_question(const line *l)
{
    return (l->len >= 2 && !memcmp(l->text + l->len - 2, "\xD8\x9F", 2)) || (l->len && l->text[l->len - 1] == '?');
}

/* Is body line i a subheading? Short, not the last line, and either ending
 * with a colon, or a short question over a longer paragraph (ما القصة؟), or
 * lacking the final punctuation that the page's paragraphs have. */
static int is_heading(const page *p, size_t i, int punctuated)
{
    const line *l = &p->lines[i];
    if (i + 1 >= p->n || l->len > HEADING_MAX_BYTES || l->words > HEADING_MAX_WORDS || l->words < 2)
        return 0;
    if (ends_with_colon(l))
        return 1;
    if (ends_with_question(l))
        return l->words <= 10 && p->lines[i + 1].words > l->words * 2;
    if (l->terminal)
        return 0;
    return punctuated || l->words <= 6;
}

static kh_status parse_page(const page *p, kh_article *a)
{
    kh_status st = KH_OK;
    const line *L = p->lines;
    size_t n = p->n;
    kh_datetime dt;

    size_t d = n;  /* index of the dateline, n when there is none */
    for (size_t i = 0; i < n && i < DATELINE_SEARCH_LINES; i++)
        if (is_dateline(&L[i], &dt)) {
            d = i;
            break;
        }

    size_t body = 0;          /* first line after the header */
    size_t standfirst = 0, standfirst_end = 0;
    if (d < n) {
        if ((st = set_published(a, &L[d], &dt)) != KH_OK ||
            (st = parse_header(p, d, a, &standfirst, &standfirst_end)) != KH_OK)
            return st;
        body = d + 1;
    } else if (n >= 3 && is_short(&L[0], 6) && is_short(&L[1], TITLE_MAX_WORDS) && L[2].words > L[1].words) {
        /* No dateline: a short line over a headline over a longer line
         * reads as masthead, headline, body. */
        if ((st = kh_article_set(&a->source, L[0].text, L[0].len)) == KH_OK)
            st = kh_article_set(&a->title, L[1].text, L[1].len);
        body = 2;
    } else if (n >= 2 && L[0].words <= TITLE_MAX_WORDS) {
        st = kh_article_set(&a->title, L[0].text, L[0].len);
        body = 1;
    }
    if (st != KH_OK)
        return st;

    /* Byline after the dateline: marked ("كتب: X"), or a bare name that is
     * not a repeated caption. */
    if (!a->author && body < n) {
        const char *name = byline_name(&L[body]);
        if (name) {
            st = kh_article_set(&a->author, name, strlen(name));
            body++;
        } else if (d < n && body + 1 < n && looks_like_name(&L[body]) && !occurs_again(p, body) &&
                   !caption_hint(&L[body])) {
            st = kh_article_set(&a->author, L[body].text, L[body].len);
            body++;
        }
        if (st != KH_OK)
            return st;
    }

    /* Captions: short lines before the first paragraph. */
    while (body + 1 < n && is_short(&L[body], CAPTION_MAX_WORDS) && !ends_with_colon(&L[body]) &&
           (occurs_again(p, body) || caption_hint(&L[body]) || !is_short(&L[body + 1], HEADING_MAX_WORDS))) {
        if ((st = kh_article_add_caption(a, L[body].text, L[body].len)) != KH_OK)
            return st;
        body++;
    }

    for (size_t i = standfirst; i < standfirst_end && st == KH_OK; i++)
        st = kh_article_add_block(a, KH_BLOCK_PARAGRAPH, L[i].text, L[i].len);

    int punctuated = page_is_punctuated(p, body);
    for (size_t i = body; i < n && st == KH_OK; i++) {
        const line *l = &L[i];
        if (is_furniture(l))
            continue;
        if (is_short(l, CAPTION_MAX_WORDS) && occurs_again(p, i)) {
            st = kh_article_add_caption(a, l->text, l->len);  /* a caption repeated in the body */
            continue;
        }
        st = kh_article_add_block(a, is_heading(p, i, punctuated) ? KH_BLOCK_HEADING : KH_BLOCK_PARAGRAPH,
                                  l->text, l->len);
    }
    return st;
}

kh_status kh_text_page_parse(const char *text, size_t len, kh_article *a, kh_error *err)
{
    page p = {NULL, 0};
    kh_status st = split_lines(text, len, &p);
    if (st == KH_OK && p.n == 0)
        st = kh_fail(err, KH_ERR_EMPTY, "the page holds no text");
    else if (st == KH_OK)
        st = parse_page(&p, a);
    if (st == KH_ERR_NOMEM)
        kh_fail(err, st, "out of memory");
    if (st == KH_OK && !a->title && a->n_blocks == 0)
        st = kh_fail(err, KH_ERR_EMPTY, "found neither a headline nor a paragraph");
    page_free(&p);
    return st;
}
