/* html_dom.c — reading libxml2's HTML tree: attributes, text, and what an
 * element's class names say about it.
 *
 * Templates name their boxes in English whatever the language of the page
 * ("entry-content", "related-posts", "comments-area", "share-buttons"), so
 * class and id words are the cheapest strong evidence of what a box is.
 * Words are matched whole after splitting at '-', '_' and spaces, so that
 * "tagdiv" is not "tag" and "adsbygoogle" is listed by itself. */
#include <string.h>
#include <strings.h>

#include "ingest/html.h"
#include "util/text.h"
#include "util/utf8.h"

const char *kh_html_attr(const xmlNode *n, const char *name)
{
    if (!n || n->type != XML_ELEMENT_NODE)
        return NULL;
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        if (strcasecmp((const char *)a->name, name) != 0)
            continue;
        if (a->children && a->children->type == XML_TEXT_NODE && a->children->content)
            return (const char *)a->children->content;
        return "";
    }
    return NULL;
}

int kh_html_is(const xmlNode *n, const char *tag)
{
    return n && n->type == XML_ELEMENT_NODE && n->name && !strcmp((const char *)n->name, tag);
}

/* 1 if n is an element whose name is one of `names`, written "|a|b|c|".
 * One strstr over the list costs less than a strcmp per name, and this runs
 * for every element several times. */
static int name_in(const xmlNode *n, const char *names)
{
    if (!n || n->type != XML_ELEMENT_NODE || !n->name)
        return 0;
    char key[16];
    size_t len = strlen((const char *)n->name);
    if (len + 3 > sizeof key)
        return 0;
    key[0] = '|';
    memcpy(key + 1, n->name, len);
    key[len + 1] = '|';
    key[len + 2] = '\0';
    return strstr(names, key) != NULL;
}

int kh_html_is_invisible_tag(const xmlNode *n)
{
    return name_in(n, "|script|style|noscript|template|iframe|object|embed|svg|canvas|form|button|input|"
                      "select|textarea|option|head|title|meta|link|video|audio|map|dialog|");
}

static int is_inline(const xmlNode *n)
{
    return name_in(n, "|a|span|b|strong|em|i|u|font|small|big|sup|sub|mark|abbr|cite|q|time|label|bdi|bdo|s|"
                      "ins|del|code|var|kbd|nobr|");
}

static void text_rec(const xmlNode *n, kh_buf *out, int depth)
{
    if (depth > KH_HTML_MAX_DEPTH)
        return;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content)
                kh_buf_puts(out, (const char *)c->content);
        } else if (c->type == XML_ELEMENT_NODE && !kh_html_is_invisible_tag(c)) {
            int spaced = !is_inline(c);
            if (spaced)
                kh_buf_putc(out, ' ');
            text_rec(c, out, depth + 1);
            if (spaced)
                kh_buf_putc(out, ' ');
        }
    }
}

void kh_html_text(const xmlNode *n, kh_buf *out)
{
    if (n)
        text_rec(n, out, 0);
}

/* ---- classification by class, id, role, itemprop ----------------------- */

/* Whole class names of article containers in common templates (WordPress
 * themes, Drupal, the large Arabic outlets' own CMSs). */
static const char *const CONTENT_CLASSES[] = {
    "entry-content", "post-content", "article-body", "article-content", "story-body", "articlebody",
    "article-text", "post-body", "news-content", "the-content", "td-post-content", "field-name-body",
    "article__body", "content-body", "story-content", "news-text", "article_body", "wysiwyg",
    "post-entry", "single-content", "news-body", "article-details-body", "details-body", NULL};

/* Words that condemn a box whatever else its class says. */
static const char JUNK_STRONG[] =
    "|comment|comments|disqus|related|relatedposts|share|sharing|sharer|social|widget|widgets|"
    "newsletter|subscribe|subscription|cookie|cookies|consent|gdpr|ad|ads|adv|advert|adverts|"
    "advertisement|adsbygoogle|sponsor|sponsored|promo|promotion|outbrain|taboola|popup|modal|"
    "breadcrumb|breadcrumbs|pagination|pager|mostread|popular|trending|recommended|poll|banner|"
    "download|rating|ratings|reactions|";

/* Words that condemn a box unless it also says it is the article. */
static const char JUNK_WEAK[] =
    "|nav|navbar|navigation|menu|footer|sidebar|masthead|search|login|print|tags|tag|keywords|more|"
    "also|readmore|topics|toolbar|aside|bio|";

/* Words of boxes that hold metadata: not body, but a date or byline may be
 * there. */
static const char META_WORDS[] =
    "|meta|byline|author|authors|writer|date|time|published|posted|timestamp|category|categories|"
    "views|counter|header|dateline|info|";

static const char POSITIVE[] =
    "|content|article|entry|post|story|body|text|single|articlebody|";

static int word_in_list(const char *w, size_t len, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == len && !strncasecmp(*list, w, len))
            return 1;
    return 0;
}

/* 1 if w[0..len), lower-cased, is one of the words of list ("|a|b|"). */
static int word_in(const char *w, size_t len, const char *list)
{
    char key[40];
    if (len + 3 > sizeof key)
        return 0;
    key[0] = '|';
    for (size_t i = 0; i < len; i++)
        key[i + 1] = (char)((w[i] >= 'A' && w[i] <= 'Z') ? w[i] | 0x20 : w[i]);
    key[len + 1] = '|';
    key[len + 2] = '\0';
    return strstr(list, key) != NULL;
}

static int whole_class_in(const char *cls, const char *const *list)
{
    if (!cls)
        return 0;
    const char *s = cls;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        const char *e = s;
        while (*e && *e != ' ' && *e != '\t' && *e != '\n')
            e++;
        if (e > s && word_in_list(s, (size_t)(e - s), list))
            return 1;
        s = e;
    }
    return 0;
}

typedef struct word_flags {
    int junk_strong, junk_weak, meta, positive;
} word_flags;

static void scan_words(const char *s, word_flags *f)
{
    if (!s)
        return;
    while (*s) {
        while (*s && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            s++;
        const char *e = s;
        while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9'))
            e++;
        size_t len = (size_t)(e - s);
        if (len) {
            f->junk_strong |= word_in(s, len, JUNK_STRONG);
            f->junk_weak |= word_in(s, len, JUNK_WEAK);
            f->meta |= word_in(s, len, META_WORDS);
            f->positive |= word_in(s, len, POSITIVE);
        }
        s = e;
    }
}

static int is_hidden(const xmlNode *n)
{
    if (kh_html_attr(n, "hidden"))
        return 1;
    const char *style = kh_html_attr(n, "style");
    if (style) {
        /* "display: none" and "visibility:hidden", any spacing */
        char compact[128];
        size_t k = 0;
        for (const char *s = style; *s && k + 1 < sizeof compact; s++)
            if (*s != ' ' && *s != '\t')
                compact[k++] = (char)(*s | 0x20);
        compact[k] = '\0';
        if (strstr(compact, "display:none") || strstr(compact, "visibility:hidden"))
            return 1;
    }
    return 0;
}

/* Counts the bytes of text under n, stopping once past limit. */
static size_t text_bytes_upto(const xmlNode *n, size_t limit, size_t acc, int depth);

size_t kh_html_text_bytes_upto(const xmlNode *n, size_t limit) { return text_bytes_upto(n, limit, 0, 0); }

static size_t text_bytes_upto(const xmlNode *n, size_t limit, size_t acc, int depth)
{
    if (depth > KH_HTML_MAX_DEPTH)
        return acc;
    for (const xmlNode *c = n->children; c && acc <= limit; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content)
            acc += strlen((const char *)c->content);
        else if (c->type == XML_ELEMENT_NODE && !kh_html_is_invisible_tag(c))
            acc = text_bytes_upto(c, limit, acc, depth + 1);
    }
    return acc;
}

/* Metadata boxes are small. A big box whose class merely mentions "header"
 * or "info" ("container--sticky-header") is a page wrapper. */
enum { META_BOX_MAX_BYTES = 600 };

static kh_html_mark classify(const xmlNode *n);

/* Every walk asks this of every element, so the answer is kept in the
 * node's `extra` field, which libxml2 uses only for its XML text reader,
 * never for trees from the HTML parser: bit 3 = known, bits 0..2 = mark. */
kh_html_mark kh_html_classify(const xmlNode *n)
{
    if (!n || n->type != XML_ELEMENT_NODE)
        return KH_HTML_PLAIN;
    if (n->extra & 0x8)
        return (kh_html_mark)(n->extra & 0x7);
    kh_html_mark m = classify(n);
    ((xmlNode *)n)->extra = (unsigned short)(0x8 | m);
    return m;
}

static kh_html_mark classify(const xmlNode *n)
{
    if (name_in(n, "|body|html|main|"))
        return KH_HTML_PLAIN;
    if (is_hidden(n))
        return KH_HTML_JUNK;
    const char *cls = kh_html_attr(n, "class"), *id = kh_html_attr(n, "id");
    const char *itemprop = kh_html_attr(n, "itemprop"), *role = kh_html_attr(n, "role");
    if ((itemprop && !strcasecmp(itemprop, "articleBody")) || whole_class_in(cls, CONTENT_CLASSES) ||
        whole_class_in(id, CONTENT_CLASSES))
        return KH_HTML_CONTENT;
    if (name_in(n, "|nav|aside|footer|menu|"))
        return KH_HTML_JUNK;
    if (role && (!strcasecmp(role, "navigation") || !strcasecmp(role, "complementary") ||
                 !strcasecmp(role, "contentinfo") || !strcasecmp(role, "banner") || !strcasecmp(role, "search")))
        return KH_HTML_JUNK;
    word_flags f = {0, 0, 0, 0};
    scan_words(cls, &f);
    scan_words(id, &f);
    int article_tag = kh_html_is(n, "article");
    if (f.junk_strong && !article_tag)
        return KH_HTML_JUNK;
    if (f.junk_weak && !f.positive && !article_tag)
        return KH_HTML_JUNK;
    if ((kh_html_is(n, "header") || kh_html_is(n, "address") || (f.meta && !article_tag)) &&
        text_bytes_upto(n, META_BOX_MAX_BYTES, 0, 0) <= META_BOX_MAX_BYTES)
        return KH_HTML_META;
    const char *rel = kh_html_attr(n, "rel");
    if (itemprop && (!strcasecmp(itemprop, "author") || !strcasecmp(itemprop, "datePublished")))
        return KH_HTML_META;
    if (rel && (strstr(rel, "author") || strstr(rel, "tag") || strstr(rel, "category")))
        return KH_HTML_META;
    return KH_HTML_PLAIN;
}

/* ---- text patterns --------------------------------------------------------- */

static size_t count_words(const char *s, size_t len)
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

static int has_digit(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= '0' && c <= '9')
            return 1;
        if (c == 0xD9 && i + 1 < len && (unsigned char)s[i + 1] >= 0xA0 && (unsigned char)s[i + 1] <= 0xA9)
            return 1;
        if (c == 0xDB && i + 1 < len && (unsigned char)s[i + 1] >= 0xB0 && (unsigned char)s[i + 1] <= 0xB9)
            return 1;
    }
    return 0;
}

static int starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && !memcmp(s, prefix, n);
}

/* s is NUL-terminated (kh_html_is_furniture_text's contract). */
static int contains(const char *s, size_t len, const char *needle)
{
    (void)len;
    return strstr(s, needle) != NULL;
}

int kh_html_is_furniture_text(const char *s, size_t len)
{
    /* Lines that start a template box. Kept short so that a paragraph that
     * happens to begin with one of these words is not lost: see the word
     * limits below. */
    static const char *const openers[] = {
        "اقرأ أيضا", "اقرأ أيضًا", "اقرأ أيضاً", "إقرأ أيضا", "إقرأ أيضاً", "اقرأ ايضا", "اقرأ كذلك",
        "اقرأ المزيد", "إقرأ المزيد", "طالع أيضا", "طالع أيضًا", "طالع أيضاً", "شاهد أيضا", "شاهد أيضًا",
        "شاهد أيضاً", "مواضيع ذات صلة", "أخبار ذات صلة", "مقالات ذات صلة", "ذات صلة", "الأكثر قراءة",
        "الأكثر مشاهدة", "اقرأ التالي", "الخبر التالي", "المقال التالي", "الخبر السابق", "المقال السابق",
        "التالي", "السابق", "شارك", "مشاركة", "تابعونا", "تابعوا", "لمتابعة", "انضم إلى", "انضموا",
        "اشترك", "حمل تطبيق", "حمّل تطبيق", "حمل التطبيق", "حمّل التطبيق", "نزّل تطبيق", "نزل تطبيق",
        "تحميل تطبيق", "التعليقات", "تعليقات", "أضف تعليق", "اترك تعليق", "اترك تعليقا", "اترك تعليقاً",
        "الوسوم", "وسوم", "الكلمات المفتاحية", "كلمات مفتاحية", "كلمات دالة", "إعلان", "مساحة إعلانية",
        "عدد المشاهدات", "عدد القراءات", "المشاهدات", "آخر تحديث", "تاريخ النشر", "نشر في", "مشاهدة",
        "Read more", "Read also", "Share", "Advertisement", "Comments", NULL};
    static const char *const inside[] = {
        "جميع الحقوق محفوظة", "حقوق النشر محفوظة", "الآراء الواردة", "التعليقات المنشورة",
        "لا تعبر عن رأي", "لا تعبّر عن رأي", "لا تعبر بالضرورة", "سياسة التعليقات", "شروط الاستخدام",
        "سياسة الخصوصية", "متجر آبل", "جوجل بلاي", "Google Play", "App Store", "ملفات تعريف الارتباط", NULL};
    size_t words = count_words(s, len);
    if (words <= 30)
        for (const char *const *o = openers; *o; o++)
            if (starts_with(s, len, *o)) {
                size_t n = strlen(*o);
                /* "شارك" must be the word, not the start of "شاركت". */
                if (n == len || s[n] == ' ' || s[n] == ':' || s[n] == '.' ||
                    (n + 1 < len && (unsigned char)s[n] == 0xD8 && (unsigned char)s[n + 1] == 0x8C)) /* ، */
                    return 1;
            }
    if (words <= 45)
        for (const char *const *o = inside; *o; o++)
            if (contains(s, len, *o))
                return 1;
    /* "1,234 مشاهدة", "قراءة 523": a counter */
    if (words <= 4 && has_digit(s, len) &&
        (contains(s, len, "مشاهدة") || contains(s, len, "قراءة") || contains(s, len, "views") ||
         contains(s, len, "تعليق")))
        return 1;
    return 0;
}

static const char *const BYLINE_MARKERS[] = {
    "كتب", "كتبت", "كتبه", "بقلم", "إعداد", "اعداد", "حوار", "تقرير", "متابعة", "تحرير", "بواسطة",
    "الكاتب", "الكاتبة", "المحرر", "مراسل", "By", "by", "BY", NULL};

const char *kh_html_byline_name(const char *text)
{
    while (*text == ' ')
        text++;
    for (const char *const *m = BYLINE_MARKERS; *m; m++) {
        size_t n = strlen(*m);
        if (strncmp(text, *m, n) != 0)
            continue;
        const char *p = text + n;
        /* the marker must be a whole word: "كتب:" or "كتب -" or "بقلم " */
        if (*p != ' ' && *p != ':' && *p != '-' && strncmp(p, "ـ", 2) != 0 && strncmp(p, "–", 3) != 0)
            continue;
        for (;;) {
            if (*p == ' ' || *p == ':' || *p == '-' || *p == '/')
                p++;
            else if (!strncmp(p, "ـ", 2))
                p += 2;
            else if (!strncmp(p, "–", 3) || !strncmp(p, "—", 3))
                p += 3;
            else
                break;
        }
        return *p ? p : NULL;
    }
    return NULL;
}

int kh_html_is_name(const char *text)
{
    size_t len = strlen(text);
    if (len == 0 || len > 100 || has_digit(text, len))
        return 0;
    size_t words = count_words(text, len);
    if (words == 0 || words > 7)
        return 0;
    if (strchr(text, '|') || strchr(text, '@') || strstr(text, "http") || strstr(text, "؟") || strchr(text, '?'))
        return 0;
    /* A full stop ends a sentence, except after an abbreviated title:
     * "د. علي", "أ.د. سامي", "Dr. Jane" (at most two letters before it). */
    for (const char *dot = strchr(text, '.'); dot; dot = strchr(dot + 1, '.')) {
        const char *start = dot;
        while (start > text && start[-1] != ' ' && start[-1] != '.')
            start--;
        size_t letters = 0;
        for (const char *p = start; p < dot; p++)
            letters += ((unsigned char)*p & 0xC0) != 0x80;
        if (letters == 0 || letters > 2 || dot[1] == '\0')
            return 0;
    }
    return 1;
}
