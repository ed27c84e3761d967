/* Tests of the article model: cleaning, captions, blocks, ids, JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ingest/url.h"
#include "khabar.h"

static void test_cleaning(void)
{
    kh_article a;
    kh_article_init(&a);
    /* NBSP, tabs, newlines, RLM and a BOM disappear or collapse. */
    const char *messy = "  \xC2\xA0مرحبا\t\n  بالعالم\xE2\x80\x8F \xEF\xBB\xBF ";
    CHECK_INT(kh_article_set(&a.title, messy, strlen(messy)), KH_OK);
    CHECK_STR(a.title, "مرحبا بالعالم");
    /* Only spaces and NBSP: no value at all. */
    CHECK_INT(kh_article_set(&a.author, " \xC2\xA0 ", 4), KH_OK);
    CHECK(a.author == NULL);
    /* NFC: alef + combining hamza above (U+0627 U+0654) becomes U+0623. */
    CHECK_INT(kh_article_set(&a.source, "\xD8\xA7\xD9\x94", 4), KH_OK);
    CHECK_STR(a.source, "\xD8\xA3");
    /* Latin e + combining acute becomes é. */
    CHECK_INT(kh_article_set(&a.lang, "e\xCC\x81", 3), KH_OK);
    CHECK_STR(a.lang, "\xC3\xA9");
    kh_article_clear(&a);
    CHECK(a.title == NULL && a.source == NULL);
}

static void test_captions_and_blocks(void)
{
    kh_article a;
    kh_article_init(&a);
    CHECK_INT(kh_article_add_caption(&a, "صورة من الحدث", strlen("صورة من الحدث")), KH_OK);
    CHECK_INT(kh_article_add_caption(&a, " صورة  من الحدث ", strlen(" صورة  من الحدث ")), KH_OK);
    CHECK_INT(a.n_captions, 1);
    for (int i = 0; i < 20; i++) {
        char text[32];
        snprintf(text, sizeof text, "فقرة %d", i);
        CHECK_INT(kh_article_add_block(&a, i == 3 ? KH_BLOCK_HEADING : KH_BLOCK_PARAGRAPH, text, strlen(text)),
                  KH_OK);
    }
    CHECK_INT(kh_article_add_block(&a, KH_BLOCK_PARAGRAPH, "  \xC2\xA0 ", 5), KH_OK);
    CHECK_INT(a.n_blocks, 20);
    CHECK_STR(a.blocks[19].text, "فقرة 19");
    char *body = kh_article_body(&a);
    CHECK(body && !strncmp(body, "فقرة 0\n\nفقرة 1\n\n", strlen("فقرة 0\n\nفقرة 1\n\n")));
    free(body);
    kh_article_clear(&a);
}

static void test_ids(void)
{
    kh_article a, b;
    kh_article_init(&a);
    kh_article_init(&b);
    /* The same page under two spellings of its address gets one id. */
    const char *u1 = "https://www.Example.org/news/%D8%B3%D9%88%D8%B1%D9%8A%D8%A7/?utm_source=x#top";
    const char *u2 = "http://example.org/news/سوريا";
    kh_article_set(&a.url, u1, strlen(u1));
    kh_article_set(&b.url, u2, strlen(u2));
    kh_article_set(&a.title, "عنوان", strlen("عنوان"));
    CHECK_INT(kh_article_finish(&a), KH_OK);
    CHECK_INT(kh_article_finish(&b), KH_OK);
    CHECK(a.id && b.id && strlen(a.id) == 16);
    CHECK_STR(a.id, b.id);
    CHECK_STR(a.lang, "ar");
    CHECK_INT(a.words, 1);
    kh_article_clear(&a);
    kh_article_clear(&b);

    /* Without a URL: source + title + published; a different title differs. */
    kh_article_init(&a);
    kh_article_init(&b);
    kh_article_set(&a.title, "خبر أول", strlen("خبر أول"));
    kh_article_set(&b.title, "خبر ثان", strlen("خبر ثان"));
    kh_article_finish(&a);
    kh_article_finish(&b);
    CHECK(strcmp(a.id, b.id) != 0);
    char *first = strdup(a.id);
    kh_article_clear(&a);
    kh_article_set(&a.title, "خبر أول", strlen("خبر أول"));
    kh_article_finish(&a);
    CHECK_STR(a.id, first);   /* stable across runs */
    free(first);
    kh_article_clear(&a);
    kh_article_clear(&b);

    char *c = kh_url_canonical("HTTPS://News.Example.COM:443/a/b/?id=5&utm_medium=rss&fbclid=zz");
    CHECK_STR(c, "news.example.com/a/b?id=5");
    free(c);
    c = kh_url_canonical("http://example.com:8080/x%2Fy");
    CHECK_STR(c, "example.com:8080/x%2Fy");
    free(c);
}

static void test_json(void)
{
    kh_article a;
    kh_article_init(&a);
    kh_article_set(&a.id, "x1", 2);
    kh_article_set(&a.title, "قال \"نعم\"\\", strlen("قال \"نعم\"\\"));
    kh_article_add_block(&a, KH_BLOCK_PARAGRAPH, "أ", strlen("أ"));
    kh_article_add_block(&a, KH_BLOCK_HEADING, "ب:", strlen("ب:"));
    kh_article_add_block(&a, KH_BLOCK_PARAGRAPH, "ج", strlen("ج"));
    kh_article_finish(&a);
    char *json = kh_article_to_json(&a);
    CHECK_STR(json, "{\"id\":\"x1\",\"source\":null,\"url\":null,\"title\":\"قال \\\"نعم\\\"\\\\\","
                    "\"published\":null,\"published_raw\":null,\"author\":null,\"captions\":[],"
                    "\"headings\":[\"ب:\"],\"paragraphs\":[\"أ\",\"ج\"],\"body\":\"أ\\n\\nب:\\n\\nج\","
                    "\"lang\":\"ar\",\"words\":5}");
    free(json);
    kh_article_clear(&a);
}

int main(void)
{
    test_cleaning();
    test_captions_and_blocks();
    test_ids();
    test_json();
    return check_done();
}
