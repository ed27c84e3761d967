/* Tests of the HTML extractor on small pages written for each rule: the
 * title's site suffix, JSON-LD shapes, <time>, bylines and their markers,
 * labels that are not authors, language, relative canonical links, format
 * detection, and the text helpers. The full-size pages are in
 * tests/data/html (tests/cli/test_html.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ingest/html.h"
#include "khabar.h"

static const char PARA1[] = "<p>قال مسؤول في الوزارة اليوم إن الخطة الجديدة ستطبق على مراحل، تبدأ الأولى منها في "
                            "الربيع المقبل، وتشمل المدن الكبرى قبل أن تمتد إلى باقي المحافظات.</p>";
static const char PARA2[] = "<p>وأضاف أن الكلفة الإجمالية للخطة تبلغ نحو مئة مليون دينار، تمول من الموازنة العامة ومن "
                            "قروض ميسرة، وأن لجنة فنية ستتابع التنفيذ وترفع تقارير دورية.</p>";

static kh_status extract(const char *html, const char *url, kh_article *a, kh_format *format)
{
    kh_extract_options opt;
    kh_extract_options_init(&opt);
    opt.url = url;
    kh_reader *r;
    kh_error err;
    kh_article_init(a);
    if (kh_reader_open_memory(html, strlen(html), "<page>", &opt, &r, &err) != KH_OK)
        return err.status;
    kh_status st = kh_reader_next(r, a, &err);
    if (st != KH_OK)
        fprintf(stderr, "extract: %s\n", err.message);
    if (format)
        *format = kh_reader_format(r);
    kh_reader_close(r);
    return st;
}

static char *page(const char *head, const char *body)
{
    size_t n = strlen(head) + strlen(body) + strlen(PARA1) + strlen(PARA2) + 128;
    char *s = malloc(n);
    snprintf(s, n, "<html><head>%s</head><body>%s<div class=\"entry-content\">%s%s</div></body></html>", head,
             body, PARA1, PARA2);
    return s;
}

static void test_title_and_site(void)
{
    kh_article a;
    kh_format f;
    char *p = page("<title>خطة جديدة للنقل العام | جريدة المساء</title><meta property=\"og:site_name\" "
                   "content=\"جريدة المساء\">", "");
    CHECK_INT(extract(p, NULL, &a, &f), KH_OK);
    CHECK_INT(f, KH_FORMAT_HTML);
    CHECK_STR(a.title, "خطة جديدة للنقل العام");
    CHECK_STR(a.source, "جريدة المساء");
    CHECK_INT(a.n_blocks, 2);
    kh_article_clear(&a);
    free(p);
    /* "Site - headline" with the site unknown: the <h1> decides */
    p = page("<title>المساء - خطة جديدة للنقل العام</title>", "<h1>خطة جديدة للنقل العام</h1>");
    CHECK_INT(extract(p, NULL, &a, NULL), KH_OK);
    CHECK_STR(a.title, "خطة جديدة للنقل العام");
    CHECK_STR(a.source, "المساء");
    kh_article_clear(&a);
    free(p);
    /* a headline with a dash of its own keeps it when nothing says it is a site */
    p = page("<meta property=\"og:title\" content=\"أكسيوس: لقاء في باريس - تفاصيل جديدة عن المفاوضات\">"
             "<meta property=\"og:site_name\" content=\"الشام\">", "");
    CHECK_INT(extract(p, NULL, &a, NULL), KH_OK);
    CHECK_STR(a.title, "أكسيوس: لقاء في باريس - تفاصيل جديدة عن المفاوضات");
    kh_article_clear(&a);
    free(p);
}

static void test_json_ld(void)
{
    kh_article a;
    /* @graph, a raw newline inside a string, an Organization author */
    char *p = page("<script type=\"application/ld+json\">{\"@graph\":[{\"@type\":\"WebSite\",\"name\":\"الموقع\"},"
                   "{\"@type\":[\"NewsArticle\"],\"headline\":\"عنوان\n الخبر\",\"datePublished\":\"2026-01-05T10:00:00+03:00\","
                   "\"author\":[{\"@type\":\"Organization\",\"name\":\"الموقع\"},{\"@type\":\"Person\",\"name\":\"سعاد علي\"}]}]}"
                   "</script>", "");
    CHECK_INT(extract(p, NULL, &a, NULL), KH_OK);
    CHECK_STR(a.title, "عنوان الخبر");
    CHECK_STR(a.published, "2026-01-05T10:00:00+03:00");
    CHECK_STR(a.author, "سعاد علي");
    CHECK_STR(a.source, "الموقع");
    kh_article_clear(&a);
    free(p);
    /* malformed JSON-LD is ignored; <time datetime> gives the date */
    p = page("<script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", </script><title>خبر</title>",
             "<time datetime=\"2025-12-01T08:30:00Z\">1 ديسمبر</time>");
    CHECK_INT(extract(p, NULL, &a, NULL), KH_OK);
    CHECK_STR(a.published, "2025-12-01T08:30:00+00:00");
    CHECK_STR(a.published_raw, "2025-12-01T08:30:00Z");
    kh_article_clear(&a);
    free(p);
}

static void test_script_page(void)
{
    /* the text is drawn by scripts; JSON-LD articleBody still has it */
    const char *html = "<html><head><title>خبر | موقع</title><script type=\"application/ld+json\">{\"@type\":"
                       "\"NewsArticle\",\"headline\":\"خبر\",\"articleBody\":\"الفقرة الأولى من الخبر.\\n"
                       "الفقرة الثانية من الخبر.\"}</script></head><body><div id=\"app\"></div>"
                       "<script src=\"/app.js\"></script></body></html>";
    kh_article a;
    CHECK_INT(extract(html, NULL, &a, NULL), KH_OK);
    CHECK_INT(a.n_blocks, 2);
    CHECK_STR(a.n_blocks > 1 ? a.blocks[1].text : "", "الفقرة الثانية من الخبر.");
    kh_article_clear(&a);
}

static void test_bylines(void)
{
    kh_article a;
    /* a byline line at the top of the body: the name without its marker */
    char *p = malloc(4096);
    snprintf(p, 4096, "<html><body><h1>عنوان</h1><div class=\"story\"><p>كتب - محمود حسن:</p>%s%s</div></body></html>",
             PARA1, PARA2);
    CHECK_INT(extract(p, NULL, &a, NULL), KH_OK);
    CHECK_STR(a.author, "محمود حسن");
    CHECK_INT(a.n_blocks, 2);
    kh_article_clear(&a);
    /* a section label in an "author" box is not an author; rel=author is */
    snprintf(p, 4096, "<html><body><div class=\"post\"><h1>عنوان</h1><div class=\"post-author\"><a "
             "href=\"/category/variety/\">منوعات</a></div><span class=\"by\"><a rel=\"author\" href=\"/u/9\">ريم "
             "سالم</a></span><div class=\"text\">%s%s</div></div></body></html>", PARA1, PARA2);
    CHECK_INT(extract(p, NULL, &a, NULL), KH_OK);
    CHECK_STR(a.author, "ريم سالم");
    kh_article_clear(&a);
    /* an unmarked name beside the visible date is the byline; a one-word
     * label there is not */
    snprintf(p, 4096, "<html><body><h1>عنوان</h1><div><span>سارة القحطاني</span><span>14 يناير 2026</span></div>"
             "<div class=\"x\">%s%s</div></body></html>", PARA1, PARA2);
    CHECK_INT(extract(p, NULL, &a, NULL), KH_OK);
    CHECK_STR(a.author, "سارة القحطاني");
    CHECK_STR(a.published, "2026-01-14T00:00:00");
    kh_article_clear(&a);
    snprintf(p, 4096, "<html><body><h1>عنوان</h1><div><span>اقتصاد</span><span>منذ ساعتين</span><span>14 يناير 2026"
             "</span></div><div class=\"x\">%s%s</div></body></html>", PARA1, PARA2);
    CHECK_INT(extract(p, NULL, &a, NULL), KH_OK);
    CHECK(a.author == NULL);
    kh_article_clear(&a);
    /* a visible dateline in the body's first lines is the date, not text */
    snprintf(p, 4096, "<html><body><h1>عنوان</h1><div class=\"story\"><p>الاثنين 5 يناير 2026 - 10:15 ص</p>%s%s"
             "</div></body></html>", PARA1, PARA2);
    CHECK_INT(extract(p, NULL, &a, NULL), KH_OK);
    CHECK_STR(a.published, "2026-01-05T10:15:00");
    CHECK_STR(a.published_raw, "الاثنين 5 يناير 2026 - 10:15 ص");
    CHECK_INT(a.n_blocks, 2);
    kh_article_clear(&a);
    free(p);
}

static void test_lang_and_url(void)
{
    kh_article a;
    char *p = page("<link rel=\"canonical\" href=\"/news/42?utm_source=x\">", "");
    char *html = malloc(strlen(p) + 32);
    sprintf(html, "<!DOCTYPE html>%s", p);
    /* lang="en" from a template on an Arabic page: the script decides */
    char *en = strstr(html, "<html>");
    memcpy(en, "<html>", 6);
    CHECK_INT(extract(html, "https://paper.example/section/page.html", &a, NULL), KH_OK);
    CHECK_STR(a.url, "https://paper.example/news/42?utm_source=x");
    CHECK_STR(a.lang, "ar");
    CHECK_STR(a.source, "paper.example");
    kh_article_clear(&a);
    free(html);
    free(p);
    const char *english = "<html lang=\"en-GB\"><body><h1>Markets rally</h1><div class=\"article-body\"><p>Stocks "
                          "rose on Monday, led by banks and energy companies, as investors welcomed the data.</p>"
                          "</div></body></html>";
    CHECK_INT(extract(english, NULL, &a, NULL), KH_OK);
    CHECK_STR(a.lang, "en");
    kh_article_clear(&a);
}

static void test_detection(void)
{
    kh_extract_options opt;
    kh_extract_options_init(&opt);
    kh_reader *r;
    kh_error err;
    kh_article a;
    kh_article_init(&a);
    const char *warc = "WARC/1.1\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n";
    CHECK_INT(kh_reader_open_memory(warc, strlen(warc), "w", &opt, &r, &err), KH_OK);
    CHECK_INT(kh_reader_next(r, &a, &err), KH_END);
    CHECK_INT(kh_reader_format(r), KH_FORMAT_WARC);
    CHECK_INT(kh_reader_skipped(r), 1);
    kh_reader_close(r);
    const char zip_empty[22] = "PK\5\6";
    CHECK_INT(kh_reader_open_memory(zip_empty, sizeof zip_empty, "z", &opt, &r, &err), KH_OK);
    CHECK_INT(kh_reader_next(r, &a, &err), KH_END);
    CHECK_INT(kh_reader_format(r), KH_FORMAT_ARCHIVE);
    kh_reader_close(r);
    CHECK_STR(kh_format_name(KH_FORMAT_HTML), "html");
    CHECK_INT(kh_format_from_name("warc"), KH_FORMAT_WARC);
    CHECK_INT(kh_format_from_name("archive"), KH_FORMAT_ARCHIVE);
    CHECK_INT(kh_format_from_name("xml"), -1);
    kh_article_clear(&a);
}

static void test_helpers(void)
{
    CHECK(kh_html_is_furniture_text("اقرأ أيضًا: خبر آخر", strlen("اقرأ أيضًا: خبر آخر")));
    CHECK(kh_html_is_furniture_text("1٬234 مشاهدة", strlen("1٬234 مشاهدة")));
    CHECK(kh_html_is_furniture_text("التالي", strlen("التالي")));
    CHECK(!kh_html_is_furniture_text("شاركت الوزارة في المؤتمر", strlen("شاركت الوزارة في المؤتمر")));
    CHECK(!kh_html_is_furniture_text("التالية أسماء الفائزين", strlen("التالية أسماء الفائزين")));
    CHECK_STR(kh_html_byline_name("بقلم: أحمد يوسف"), "أحمد يوسف");
    CHECK_STR(kh_html_byline_name("حوار - سامية"), "سامية");
    CHECK_STR(kh_html_byline_name("By Jane Doe"), "Jane Doe");
    CHECK(kh_html_byline_name("كتابات") == NULL);
    CHECK(kh_html_is_name("سامي الأحمد"));
    CHECK(!kh_html_is_name("نشر في 12 يناير"));
    CHECK(!kh_html_is_name("هذه جملة طويلة جدا لا يمكن أن تكون اسما لأي كاتب في الصحيفة"));
}

int main(void)
{
    test_title_and_site();
    test_json_ld();
    test_script_page();
    test_bylines();
    test_lang_and_url();
    test_detection();
    test_helpers();
    return check_done();
}
