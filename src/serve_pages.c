/* serve_pages.c — the server-rendered Arabic pages of `khabar serve`: home,
 * search results, article. They work without JavaScript; web/app.js only
 * adds search-as-you-type and keyboard shortcuts on top. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"
#include "serve_search.h"

static const char *const MONTHS[] = {"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
                                     "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"};
static const char *const WEEKDAYS[] = {"الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"};

/* 0 = Sunday (Sakamoto's method). */
static int weekday(int y, int m, int d)
{
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    if (m < 3)
        y -= 1;
    return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

/* "2015-07-21T10:00:00" → "الثلاثاء 21 يوليو 2015، 10:00" (the time only when
 * the source gave one, i.e. it is not midnight). with_weekday 0: "21 يوليو 2015". */
static void date_ar(sbuf *b, const char *iso, int with_weekday, int with_time)
{
    int y, mo, d, h = 0, mi = 0;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &mo, &d) != 3 || mo < 1 || mo > 12 || d < 1 || d > 31) {
        sb_html(b, iso ? iso : "");
        return;
    }
    if (with_weekday)
        sb_printf(b, "%s ", WEEKDAYS[weekday(y, mo, d)]);
    sb_printf(b, "%d %s %d", d, MONTHS[mo - 1], y);
    if (with_time && strlen(iso) >= 16 && sscanf(iso + 11, "%2d:%2d", &h, &mi) == 2 && (h || mi))
        sb_printf(b, "، %02d:%02d", h, mi);
}

/* Arabic counts agree with their noun: 1 and 2 have their own forms (given
 * whole), 3–10 take the plural, 11–99 the singular accusative, and whole
 * hundreds (100, 200, 1000...) or hundreds plus one or two the singular
 * genitive. */
typedef struct counted {
    const char *one, *two, *few, *many, *hundreds;
} counted;

static void count_ar(sbuf *b, size_t n, const counted *w)
{
    size_t r = n % 100;
    if (n == 1)
        sb_puts(b, w->one);
    else if (n == 2)
        sb_puts(b, w->two);
    else if (r >= 3 && r <= 10)
        sb_printf(b, "%zu %s", n, w->few);
    else if (n >= 100 && r <= 2)
        sb_printf(b, "%zu %s", n, w->hundreds);
    else
        sb_printf(b, "%zu %s", n, w->many);
}

static void count_results(sbuf *b, size_t n)
{
    static const counted results = {"نتيجة واحدة", "نتيجتان", "نتائج", "نتيجة", "نتيجة"};
    if (n == 0)
        sb_puts(b, "لا نتائج");
    else
        count_ar(b, n, &results);
}

static void page_head(sbuf *b, const char *title, const char *query)
{
    sb_puts(b, "<!doctype html>\n<html lang=\"ar\" dir=\"rtl\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    if (title) {
        sb_html(b, title);
        sb_puts(b, " — ");
    }
    sb_puts(b, "خبر: أرشيف الأخبار العربية</title>\n"
               "<link rel=\"stylesheet\" href=\"/static/app.css\">\n"
               "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n"
               "<script src=\"/static/app.js\" defer></script>\n</head>\n<body>\n"
               "<a class=\"skip\" href=\"#main\">تخطَّ إلى المحتوى</a>\n"
               "<header class=\"masthead\"><div class=\"wrap bar\">\n"
               "<a class=\"brand\" href=\"/\"><span class=\"logo\" aria-hidden=\"true\">خ</span>"
               "<span class=\"name\">خبر</span><span class=\"tagline\">أرشيف الأخبار العربية</span></a>\n"
               "<form class=\"search\" role=\"search\" action=\"/search\" method=\"get\">\n"
               "<label for=\"q\" class=\"sr\">ابحث في الأخبار</label>\n"
               "<input id=\"q\" name=\"q\" type=\"search\" dir=\"rtl\" autocomplete=\"off\" "
               "placeholder=\"ابحث… مثال: أسعار النفط\" aria-describedby=\"syntax-hint\" value=\"");
    sb_html(b, query);
    sb_puts(b, "\">\n<button type=\"submit\">بحث</button>\n"
               "<span id=\"syntax-hint\" class=\"sr\">اضغط / للانتقال إلى مربع البحث</span>\n"
               "</form>\n</div></header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

static void page_foot(sbuf *b)
{
    sb_puts(b, "</main>\n<footer class=\"site-foot\"><div class=\"wrap\">"
               "<p>خبر — محرك بحث في الأخبار العربية. "
               "<a href=\"/api/stats\">حالة الفهرس</a> · <a href=\"/api/search?q=%D8%A7%D9%84%D9%86%D9%81%D8%B7\">"
               "واجهة البرمجة (JSON)</a></p>"
               "<p class=\"keys\">لوحة المفاتيح: <kbd>/</kbd> البحث · <kbd>j</kbd> <kbd>k</kbd> التنقل بين "
               "النتائج · <kbd>Enter</kbd> فتح الخبر</p></div></footer>\n</body>\n</html>\n");
}

static void syntax_help(sbuf *b, int open)
{
    sb_printf(b, "<details class=\"help\"%s><summary>طريقة كتابة البحث</summary>\n", open ? " open" : "");
    sb_puts(b, "<table>\n"
               "<tr><td><code>أسعار النفط</code></td><td>الكلمتان معًا (تُطابق صيغ الكتابة: أ/إ/ا، ة/ه، ى/ي، "
               "التشكيل، «ال» التعريف)</td></tr>\n"
               "<tr><td><code>النفط OR الغاز</code></td><td>إحدى الكلمتين</td></tr>\n"
               "<tr><td><code>النفط -الذهب</code></td><td>دون كلمة</td></tr>\n"
               "<tr><td><code>\"مجلس الوزراء\"</code></td><td>العبارة بنصّها</td></tr>\n"
               "<tr><td><code>اقتصا*</code></td><td>كل كلمة تبدأ بهذه الحروف</td></tr>\n"
               "<tr><td><code>title:الهلال</code></td><td>في العنوان فقط (وكذلك <code>author:</code> للكاتب "
               "و<code>source:</code> للمصدر)</td></tr>\n"
               "<tr><td><code>published:2015-07-01..2015-07-31</code></td><td>بين تاريخين</td></tr>\n"
               "</table>\n</details>\n");
}

/* Appends "&key=value" for each set parameter of req except `skip`, and the
 * overrides, to build facet, sort and paging links that keep the rest. */
static void link_params(sbuf *b, const search_request *req, const char *skip1, const char *skip2)
{
    struct {
        const char *k, *v;
    } kv[] = {{"q", req->q}, {"source", req->source}, {"author", req->author}, {"from", req->from}, {"to", req->to},
              {"sort", req->sort == KH_SORT_DATE ? "date" : NULL}};
    int first = 1;
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        if (!kv[i].v || (skip1 && !strcmp(kv[i].k, skip1)) || (skip2 && !strcmp(kv[i].k, skip2)))
            continue;
        sb_printf(b, "%s%s=", first ? "" : "&amp;", kv[i].k);
        sb_url(b, kv[i].v);
        first = 0;
    }
}

static void article_href(sbuf *b, const char *id)
{
    sb_puts(b, "/article/");
    sb_url(b, id);
}

static void hit_html(sbuf *b, const kh_hit *h)
{
    sb_puts(b, "<li class=\"hit\"><article>\n<h2><a href=\"");
    article_href(b, h->id ? h->id : "");
    sb_puts(b, "\">");
    sb_html(b, h->title ? h->title : "(بلا عنوان)");
    sb_puts(b, "</a></h2>\n<p class=\"meta\">");
    if (h->source) {
        sb_puts(b, "<span class=\"src\">");
        sb_html(b, h->source);
        sb_puts(b, "</span>");
    }
    if (h->published) {
        sb_puts(b, "<time datetime=\"");
        sb_html(b, h->published);
        sb_puts(b, "\">");
        date_ar(b, h->published, 0, 0);
        sb_puts(b, "</time>");
    }
    sb_puts(b, "</p>\n");
    if (h->snippet && *h->snippet) {
        sb_puts(b, "<p class=\"snippet\">");
        html_snippet(b, h);
        sb_puts(b, "</p>\n");
    }
    sb_puts(b, "</article></li>\n");
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

/* The date facet: months, newest first; or, when the search is already
 * narrowed to within one month, that month's days. */
static void date_facet(sbuf *b, const search_request *req, const kh_search_result *res)
{
    if (res->n_by_day == 0)
        return;
    int one_month = req->from && req->to && !strncmp(req->from, req->to, 7);
    sb_printf(b, "<section class=\"facet\"><h3>%s</h3>\n<ul>\n", one_month ? "حسب اليوم" : "حسب الشهر");
    size_t shown = 0;
    for (size_t i = res->n_by_day; i-- > 0 && shown < 24;) {
        const char *day = res->by_day[i].value;
        int y, m, d;
        if (!day || sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
            continue;
        size_t count = res->by_day[i].count;
        char from[16], to[16];
        if (one_month) {
            snprintf(from, sizeof from, "%04d-%02d-%02d", y, m, d);
            snprintf(to, sizeof to, "%s", from);
        } else {
            /* sum the month's days (chronological order: they are adjacent) */
            while (i > 0 && !strncmp(res->by_day[i - 1].value, day, 7)) {
                i--;
                count += res->by_day[i].count;
            }
            snprintf(from, sizeof from, "%04d-%02d-01", y, m);
            snprintf(to, sizeof to, "%04d-%02d-%02d", y, m, days_in_month(y, m));
        }
        int active = req->from && req->to && !strcmp(req->from, from) && !strcmp(req->to, to);
        sb_puts(b, "<li><a href=\"/search?");
        link_params(b, req, "from", "to");
        sb_printf(b, "&amp;from=%s&amp;to=%s\"%s>", from, to, active ? " aria-current=\"true\"" : "");
        if (one_month)
            sb_printf(b, "%d %s", d, MONTHS[m - 1]);
        else
            sb_printf(b, "%s %d", MONTHS[m - 1], y);
        sb_printf(b, "</a><span class=\"n\">%zu</span></li>\n", count);
        shown++;
    }
    sb_puts(b, "</ul></section>\n");
}

static void source_facet(sbuf *b, const search_request *req, const kh_search_result *res, size_t max)
{
    if (res->n_by_source == 0)
        return;
    sb_puts(b, "<section class=\"facet\"><h3>حسب المصدر</h3>\n<ul>\n");
    for (size_t i = 0; i < res->n_by_source && i < max; i++) {
        const kh_facet *f = &res->by_source[i];
        int active = req->source && !strcmp(req->source, f->value);
        sb_puts(b, "<li><a href=\"/search?");
        link_params(b, req, "source", NULL);
        sb_puts(b, "&amp;source=");
        sb_url(b, f->value);
        sb_printf(b, "\"%s>", active ? " aria-current=\"true\"" : "");
        sb_html(b, f->value);
        sb_printf(b, "</a><span class=\"n\">%zu</span></li>\n", f->count);
    }
    sb_puts(b, "</ul></section>\n");
}

static void active_filters(sbuf *b, const search_request *req)
{
    if (!req->source && !req->from && !req->to && !req->author)
        return;
    sb_puts(b, "<ul class=\"filters\" aria-label=\"عوامل التصفية\">\n");
    if (req->source) {
        sb_puts(b, "<li>المصدر: <strong>");
        sb_html(b, req->source);
        sb_puts(b, "</strong> <a href=\"/search?");
        link_params(b, req, "source", NULL);
        sb_puts(b, "\" aria-label=\"إزالة تصفية المصدر\">✕</a></li>\n");
    }
    if (req->author) {
        sb_puts(b, "<li>الكاتب: <strong>");
        sb_html(b, req->author);
        sb_puts(b, "</strong> <a href=\"/search?");
        link_params(b, req, "author", NULL);
        sb_puts(b, "\" aria-label=\"إزالة تصفية الكاتب\">✕</a></li>\n");
    }
    if (req->from || req->to) {
        sb_puts(b, "<li>التاريخ: <strong>");
        if (req->from && req->to && !strcmp(req->from, req->to)) {
            date_ar(b, req->from, 0, 0);
        } else {
            if (req->from) {
                sb_puts(b, "من ");
                date_ar(b, req->from, 0, 0);
            }
            if (req->to) {
                sb_puts(b, req->from ? " إلى " : "حتى ");
                date_ar(b, req->to, 0, 0);
            }
        }
        sb_puts(b, "</strong> <a href=\"/search?");
        link_params(b, req, "from", "to");
        sb_puts(b, "\" aria-label=\"إزالة تصفية التاريخ\">✕</a></li>\n");
    }
    sb_puts(b, "</ul>\n");
}

static void pager(sbuf *b, const search_request *req, size_t total)
{
    if (total <= req->limit)
        return;
    size_t pages = (total + req->limit - 1) / req->limit;
    size_t max_page = (SEARCH_OFFSET_MAX / req->limit) + 1;
    if (pages > max_page)
        pages = max_page;
    size_t cur = req->offset / req->limit + 1;
    sb_puts(b, "<nav class=\"pager\" aria-label=\"الصفحات\"><ul>\n");
#define PAGE_LINK(pageno, label, extra)                                                                              \
    do {                                                                                                             \
        sb_puts(b, "<li><a href=\"/search?");                                                                         \
        link_params(b, req, NULL, NULL);                                                                             \
        if ((pageno) > 1)                                                                                            \
            sb_printf(b, "&amp;offset=%zu", ((pageno) - 1) * req->limit);                                           \
        if (req->limit != 10)                                                                                        \
            sb_printf(b, "&amp;limit=%zu", req->limit);                                                              \
        sb_printf(b, "\"%s>%s</a></li>\n", extra, label);                                                          \
    } while (0)
    if (cur > 1)
        PAGE_LINK(cur - 1, "→ السابق", " rel=\"prev\"");
    size_t lo = cur > 3 ? cur - 3 : 1, hi = lo + 6 > pages ? pages : lo + 6;
    for (size_t p = lo; p <= hi; p++) {
        char label[24];
        snprintf(label, sizeof label, "%zu", p);
        if (p == cur)
            sb_printf(b, "<li><span aria-current=\"page\">%zu</span></li>\n", p);
        else
            PAGE_LINK(p, label, "");
    }
    if (cur < pages)
        PAGE_LINK(cur + 1, "التالي ←", " rel=\"next\"");
#undef PAGE_LINK
    sb_puts(b, "</ul></nav>\n");
}

void page_error(serve_response *r, int status, const char *title, const char *detail)
{
    sb_free(&r->body);
    r->status = status;
    r->content_type = CT_HTML;
    r->static_body = NULL;
    sbuf *b = &r->body;
    page_head(b, title, NULL);
    sb_puts(b, "<div class=\"wrap\"><section class=\"notice error\" role=\"alert\">\n<h1>");
    sb_html(b, title);
    sb_puts(b, "</h1>\n");
    if (detail) {
        sb_puts(b, "<p class=\"detail\" dir=\"auto\">");
        sb_html(b, detail);
        sb_puts(b, "</p>\n");
    }
    sb_puts(b, "<p><a href=\"/\">العودة إلى الصفحة الرئيسية</a></p>\n</section>\n");
    syntax_help(b, status == 400);
    sb_puts(b, "</div>\n");
    page_foot(b);
}

void page_not_found(serve_response *r, const char *what)
{
    page_error(r, 404, "الصفحة غير موجودة", what);
}

/* The library's failure as a page: the query's fault (400) says how to
 * write it; being busy (503) asks to retry. */
static void search_failed(serve_response *r, kh_status st, const char *message)
{
    int status = status_for(st);
    if (status == 400)
        page_error(r, 400, "لم نفهم صيغة البحث", message);
    else if (status == 503) {
        page_error(r, 503, "الخادم مشغول الآن", "أعد المحاولة بعد لحظات.");
        r->retry_after = 1;
    } else
        page_error(r, status, "حدث خطأ في الخادم", message);
}

void page_search(server *s, const http_params *p, serve_response *r)
{
    search_request req;
    char msg[HTTP_PARAM_MSG_MAX];
    if (search_request_parse(p, 0, &req, msg, sizeof msg) != 0) {
        page_error(r, 400, "لم نفهم طلب البحث", msg);
        return;
    }
    int browsing = !req.q && !req.author;
    search_request run = req;
    if (browsing) {
        /* No words: the archive itself, newest first, narrowed by filters. */
        run.q = EVERY_DATED_ARTICLE;
        run.sort = KH_SORT_DATE;
    }
    kh_search_result *res;
    kh_error err;
    double took;
    kh_status st = run_search(s, &run, 1, 0, &res, &took, &err);
    if (st != KH_OK) {
        search_failed(r, st, err.message);
        return;
    }
    r->content_type = CT_HTML;
    sbuf *b = &r->body;
    page_head(b, req.q ? req.q : "أحدث الأخبار", req.q);
    sb_puts(b, "<div class=\"wrap\">\n");
    syntax_help(b, 0);
    sb_puts(b, "<div class=\"toolbar\">\n<p class=\"count\" role=\"status\">");
    if (browsing)
        sb_puts(b, "أحدث الأخبار · ");
    size_t full = 0; /* hits holding every word; partial ones follow them */
    while (full < res->n_hits && !res->hits[full].partial)
        full++;
    if (res->total == 0 && res->n_hits > 0)
        sb_puts(b, "لا يوجد خبر يضم كل الكلمات");
    else
        count_results(b, res->total);
    if (full)
        sb_printf(b, " · تعرض %zu–%zu", req.offset + 1, req.offset + full);
    sb_puts(b, "</p>\n");
    if (!browsing) {
        sb_puts(b, "<p class=\"sort\">الترتيب: ");
        sb_puts(b, "<a href=\"/search?");
        link_params(b, &req, "sort", NULL);
        sb_printf(b, "\"%s>الأكثر صلة</a> <a href=\"/search?", req.sort == KH_SORT_RELEVANCE ? " aria-current=\"true\"" : "");
        link_params(b, &req, "sort", NULL);
        sb_printf(b, "&amp;sort=date\"%s>الأحدث أولًا</a></p>\n", req.sort == KH_SORT_DATE ? " aria-current=\"true\"" : "");
    }
    sb_puts(b, "</div>\n");
    active_filters(b, &req);
    if (res->note) {
        sb_puts(b, "<p class=\"notice note\">");
        if (strstr(res->note, "only stopwords"))
            sb_puts(b, "كلمات البحث كلها من الكلمات الشائعة (مثل «في» و«من») التي لا يُبحث عنها؛ أضف كلمة مميزة.");
        else {
            sb_puts(b, "ملاحظة: <span dir=\"auto\">");
            sb_html(b, res->note);
            sb_puts(b, "</span>");
        }
        sb_puts(b, "</p>\n");
    }
    sb_puts(b, "<div class=\"layout\">\n<section class=\"results\" aria-label=\"النتائج\">\n");
    if (res->n_hits == 0) {
        sb_puts(b, "<div class=\"notice empty\" role=\"status\">\n<h1>لم نجد أخبارًا ");
        if (req.q) {
            sb_puts(b, "تطابق «<bdi>");
            sb_html(b, req.q);
            sb_puts(b, "</bdi>»");
        }
        sb_puts(b, "</h1>\n<ul>\n<li>تأكّد من كتابة الكلمات، أو جرّب كلمات أقل أو أعمّ.</li>\n"
                   "<li>استعمل <code>OR</code> بين الكلمات للبحث عن أيّ منها.</li>\n");
        if (req.source || req.from || req.to)
            sb_puts(b, "<li>أزل عوامل التصفية (المصدر أو التاريخ) لتوسيع البحث.</li>\n");
        if (res->total > 0 && req.offset >= res->total)
            sb_puts(b, "<li>هذه الصفحة بعد آخر النتائج: <a href=\"/search?q=\">ابدأ من جديد</a>.</li>\n");
        sb_puts(b, "</ul>\n</div>\n");
    } else {
        if (full) {
            sb_printf(b, "<ol class=\"hits\" start=\"%zu\">\n", req.offset + 1);
            for (size_t i = 0; i < full; i++)
                hit_html(b, &res->hits[i]);
            sb_puts(b, "</ol>\n");
        }
        if (full < res->n_hits) {
            /* The engine completed a short page with articles holding only
             * some of the words: said so, apart from the real matches. */
            sb_puts(b, "<section class=\"partial\" aria-labelledby=\"partial-title\">\n"
                       "<h2 id=\"partial-title\" class=\"section-title\">أخبار تضم بعض كلمات البحث فقط</h2>\n"
                       "<ol class=\"hits\">\n");
            for (size_t i = full; i < res->n_hits; i++)
                hit_html(b, &res->hits[i]);
            sb_puts(b, "</ol>\n</section>\n");
        }
        pager(b, &req, res->total);
    }
    sb_puts(b, "</section>\n");
    if (res->n_by_source || res->n_by_day) {
        sb_puts(b, "<aside class=\"facets\" aria-label=\"تضييق النتائج\">\n<details open><summary>تضييق النتائج</summary>\n");
        source_facet(b, &req, res, 20);
        date_facet(b, &req, res);
        sb_puts(b, "</details>\n</aside>\n");
    }
    sb_puts(b, "</div>\n</div>\n");
    page_foot(b);
    kh_search_result_free(res);
}

void page_home(server *s, serve_response *r)
{
    search_request req = {.q = EVERY_DATED_ARTICLE, .limit = 12, .sort = KH_SORT_DATE};
    kh_search_result *res;
    kh_error err;
    double took;
    kh_status st = run_search(s, &req, 1, 100000, &res, &took, &err); /* every source, to count them */
    if (st != KH_OK) {
        search_failed(r, st, err.message);
        return;
    }
    r->content_type = CT_HTML;
    sbuf *b = &r->body;
    page_head(b, NULL, NULL);
    /* "The archive holds N articles from M sources": the object takes the
     * accusative, the sources after من the genitive. */
    static const counted articles = {"خبرًا واحدًا", "خبرين", "أخبار", "خبرًا", "خبر"};
    static const counted sources = {"مصدر واحد", "مصدرين", "مصادر", "مصدرًا", "مصدر"};
    sb_puts(b, "<div class=\"wrap\">\n<section class=\"intro\">\n<h1>ابحث في أرشيف الأخبار</h1>\n<p>");
    sb_puts(b, "يضم الأرشيف ");
    count_ar(b, res->total, &articles);
    if (res->n_by_source) {
        sb_puts(b, " من ");
        count_ar(b, res->n_by_source, &sources);
    }
    sb_puts(b, ". ابحث بالكلمات أو بالعبارات، ورتّب النتائج حسب الصلة أو التاريخ.</p>\n</section>\n");
    syntax_help(b, 0);
    sb_puts(b, "<div class=\"layout\">\n<section class=\"results\" aria-labelledby=\"latest\">\n"
               "<h2 id=\"latest\" class=\"section-title\">أحدث الأخبار</h2>\n");
    if (res->n_hits == 0)
        sb_puts(b, "<div class=\"notice empty\" role=\"status\"><h1>الأرشيف فارغ</h1>"
                   "<p>لم تُضف أخبار بعد: استعمل <code dir=\"ltr\">khabar ingest</code> ثم حدّث الصفحة.</p></div>\n");
    else {
        sb_puts(b, "<ol class=\"hits\">\n");
        for (size_t i = 0; i < res->n_hits; i++)
            hit_html(b, &res->hits[i]);
        sb_puts(b, "</ol>\n<p class=\"more\"><a href=\"/search\">كل الأخبار حسب التاريخ ←</a></p>\n");
    }
    sb_puts(b, "</section>\n");
    if (res->n_by_source) {
        sb_puts(b, "<aside class=\"facets home\" aria-label=\"المصادر\">\n<details open><summary>المصادر</summary>\n");
        search_request none = {0};
        source_facet(b, &none, res, 12);
        sb_puts(b, "</details>\n</aside>\n");
    }
    sb_puts(b, "</div>\n</div>\n");
    page_foot(b);
    kh_search_result_free(res);
}

/* The path of a results page of this server named by a Referer header
 * ("http://host:port/search?q=..." → "/search?q=..."), or NULL. Only the
 * path is kept, so the link can never lead off the site. */
static const char *results_path(const char *referer)
{
    if (!referer)
        return NULL;
    const char *p = strstr(referer, "://");
    if (!p)
        return NULL;
    p = strchr(p + 3, '/');
    if (!p || strncmp(p, "/search", 7) || (p[7] && p[7] != '?'))
        return NULL;
    for (const char *c = p; *c; c++)
        if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
            return NULL; /* a browser sends it percent-encoded */
    return strlen(p) < 2048 ? p : NULL;
}

/* The words of a headline as an OR query: every ASCII character that is not
 * a letter or digit becomes a space (so no quote, colon, minus or bracket
 * can turn into query syntax), and the operator word OR is dropped. */
static char *related_query(const char *title)
{
    size_t n = strlen(title);
    char *q = malloc(n + 1);
    if (!q)
        return NULL;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = (unsigned char)title[i];
        int keep = c == 0 || c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        q[i] = keep ? (char)c : ' ';
    }
    for (char *p = strstr(q, "OR"); p; p = strstr(p + 2, "OR"))
        if ((p == q || p[-1] == ' ') && (p[2] == ' ' || p[2] == '\0'))
            p[0] = p[1] = ' ';
    return q;
}

/* "More on this": the articles closest to this one's headline, the article
 * itself left out. Best effort: on any failure the section is omitted. */
static void related_articles(server *s, const kh_article *a, sbuf *b)
{
    if (!a->title)
        return;
    char *q = related_query(a->title);
    if (!q)
        return;
    kh_search_options opt;
    kh_search_options_init(&opt);
    opt.limit = 12; /* room for the article itself and syndicated copies */
    opt.default_or = 1;
    opt.count_total = 0;
    opt.facets = 0;
    opt.snippets = 0;
    kh_error err;
    kh_search_result *res = NULL;
    index_slot *slot = pool_checkout(&s->pool, &err);
    kh_status st = slot ? kh_search(slot->ix, q, &opt, &res, &err) : KH_ERR_LOCKED;
    if (slot)
        pool_checkin(&s->pool, slot);
    free(q);
    if (st != KH_OK)
        return;
    size_t shown = 0;
    const char *titles[4];
    for (size_t i = 0; i < res->n_hits && shown < 4; i++) {
        const kh_hit *h = &res->hits[i];
        if (!h->id || (a->id && !strcmp(h->id, a->id)) || (h->title && !strcmp(h->title, a->title)))
            continue; /* itself, or a syndicated copy of it */
        int seen = 0;
        for (size_t k = 0; k < shown && h->title; k++)
            seen |= !strcmp(titles[k], h->title);
        if (seen)
            continue; /* one story published by several sources: list it once */
        titles[shown] = h->title ? h->title : "";
        if (!shown++)
            sb_puts(b, "<aside class=\"related\" aria-labelledby=\"related-title\">\n"
                       "<h2 id=\"related-title\" class=\"section-title\">أخبار ذات صلة</h2>\n<ul>\n");
        sb_puts(b, "<li><a href=\"");
        article_href(b, h->id);
        sb_puts(b, "\">");
        sb_html(b, h->title ? h->title : "(بلا عنوان)");
        sb_puts(b, "</a><span class=\"meta\">");
        if (h->source) {
            sb_puts(b, "<span class=\"src\">");
            sb_html(b, h->source);
            sb_puts(b, "</span>");
        }
        if (h->published) {
            sb_puts(b, "<time datetime=\"");
            sb_html(b, h->published);
            sb_puts(b, "\">");
            date_ar(b, h->published, 0, 0);
            sb_puts(b, "</time>");
        }
        sb_puts(b, "</span></li>\n");
    }
    if (shown)
        sb_puts(b, "</ul>\n</aside>\n");
    kh_search_result_free(res);
}

void page_article(server *s, const char *id, const char *referer, serve_response *r)
{
    kh_error err;
    index_slot *slot = pool_checkout(&s->pool, &err);
    if (!slot) {
        search_failed(r, err.status, err.message);
        return;
    }
    kh_article a;
    kh_article_init(&a);
    kh_status st = kh_index_get(slot->ix, id, &a, &err);
    pool_checkin(&s->pool, slot);
    if (st != KH_OK) {
        if (st == KH_ERR_NOT_FOUND)
            page_error(r, 404, "الخبر غير موجود", "لا يوجد في الأرشيف خبر بهذا المعرّف؛ ربما حُذف.");
        else
            search_failed(r, st, err.message);
        kh_article_clear(&a);
        return;
    }
    r->content_type = CT_HTML;
    sbuf *b = &r->body;
    page_head(b, a.title ? a.title : "خبر", NULL);
    sb_puts(b, "<div class=\"wrap narrow\">\n");
    const char *back = results_path(referer);
    if (back) {
        sb_puts(b, "<p class=\"back\"><a href=\"");
        sb_html(b, back);
        sb_puts(b, "\">→ العودة إلى النتائج</a></p>\n");
    }
    sb_puts(b, "<article class=\"story\"");
    if (a.lang && strcmp(a.lang, "ar")) {
        sb_puts(b, " lang=\"");
        sb_html(b, a.lang);
        sb_puts(b, "\" dir=\"auto\"");
    }
    sb_puts(b, ">\n<header>\n");
    if (a.source) {
        sb_puts(b, "<p class=\"kicker\"><a href=\"/search?source=");
        sb_url(b, a.source);
        sb_puts(b, "\">");
        sb_html(b, a.source);
        sb_puts(b, "</a></p>\n");
    }
    sb_puts(b, "<h1>");
    sb_html(b, a.title ? a.title : "(بلا عنوان)");
    sb_puts(b, "</h1>\n<p class=\"dateline\">");
    if (a.published) {
        sb_puts(b, "<time datetime=\"");
        sb_html(b, a.published);
        sb_puts(b, "\">");
        date_ar(b, a.published, 1, 1);
        sb_puts(b, "</time>");
    } else if (a.published_raw) {
        sb_html(b, a.published_raw);
    }
    if (a.words) {
        size_t minutes = (a.words + 199) / 200;
        sb_puts(b, "<span class=\"read\">");
        if (minutes <= 1)
            sb_puts(b, "دقيقة قراءة");
        else if (minutes == 2)
            sb_puts(b, "دقيقتا قراءة");
        else
            sb_printf(b, "%zu %s قراءة", minutes, minutes <= 10 ? "دقائق" : "دقيقة");
        sb_puts(b, "</span>");
    }
    sb_puts(b, "</p>\n");
    if (a.author) {
        sb_puts(b, "<p class=\"byline\">بقلم <a href=\"/search?author=");
        sb_url(b, a.author);
        sb_puts(b, "\">");
        sb_html(b, a.author);
        sb_puts(b, "</a></p>\n");
    }
    sb_puts(b, "</header>\n");
    for (size_t i = 0; i < a.n_captions; i++) {
        sb_puts(b, "<figure class=\"caption\"><figcaption>");
        sb_html(b, a.captions[i]);
        sb_puts(b, "</figcaption></figure>\n");
    }
    sb_puts(b, "<div class=\"body\">\n");
    for (size_t i = 0; i < a.n_blocks; i++) {
        const char *tag = a.blocks[i].kind == KH_BLOCK_HEADING ? "h2" : "p";
        sb_printf(b, "<%s>", tag);
        sb_html(b, a.blocks[i].text);
        sb_printf(b, "</%s>\n", tag);
    }
    if (a.n_blocks == 0)
        sb_puts(b, "<p class=\"notice\">لا يحفظ الأرشيف نص هذا الخبر.</p>\n");
    sb_puts(b, "</div>\n<footer class=\"story-foot\">\n");
    if (a.url && (!strncmp(a.url, "http://", 7) || !strncmp(a.url, "https://", 8))) {
        sb_puts(b, "<p><a class=\"original\" rel=\"noopener noreferrer\" href=\"");
        sb_html(b, a.url);
        sb_puts(b, "\">اقرأ الخبر في مصدره الأصلي</a></p>\n");
    }
    if (a.source) {
        sb_puts(b, "<p><a href=\"/search?source=");
        sb_url(b, a.source);
        sb_puts(b, "\">المزيد من ");
        sb_html(b, a.source);
        sb_puts(b, "</a></p>\n");
    }
    sb_puts(b, "</footer>\n</article>\n");
    related_articles(s, &a, b);
    sb_puts(b, "</div>\n");
    page_foot(b);
    kh_article_clear(&a);
}
