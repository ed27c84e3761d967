/* Tests of the JSON reader: arrays, JSON Lines, compression, the field names
 * of the common feed shapes, khabar's own JSON fed back in, and bad input
 * (malformed JSON with line/column, invalid UTF-8 with byte offset, bad
 * records skipped while good ones come out, truncated gzip, huge lines). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "khabar.h"

typedef struct outcome {
    int ok, bad;
    kh_article first;
    char last_error[KH_ERROR_MESSAGE_MAX];
    kh_status last_status;
} outcome;

static outcome run(const void *data, size_t len, size_t max_record)
{
    outcome o;
    memset(&o, 0, sizeof o);
    kh_article_init(&o.first);
    kh_extract_options opt;
    kh_extract_options_init(&opt);
    if (max_record)
        opt.max_record_bytes = max_record;
    kh_reader *r;
    kh_error err;
    if (kh_reader_open_memory(data, len, "feed", &opt, &r, &err) != KH_OK) {
        o.bad = -1;
        return o;
    }
    kh_article a;
    kh_article_init(&a);
    kh_status st;
    while ((st = kh_reader_next(r, &a, &err)) != KH_END) {
        if (st == KH_OK) {
            if (o.ok++ == 0) {
                o.first = a;
                kh_article_init(&a);
            }
        } else {
            o.bad++;
            o.last_status = st;
            snprintf(o.last_error, sizeof o.last_error, "%s", err.message);
        }
    }
    kh_article_clear(&a);
    kh_reader_close(r);
    return o;
}

static outcome run_str(const char *s) { return run(s, strlen(s), 0); }

static void test_saudinewsnet_shape(void)
{
    outcome o = run_str(
        "{\"source\": \"aawsat\", \"url\": \"http://aawsat.com/home/article/410826\", \"date_extracted\": "
        "\"2015-07-21 02:51:32\", \"title\": \"بريطانيا: أربعة محاور\", \"author\": \"لندن: رنيم حنوش\", "
        "\"content\": \"الفقرة الأولى.\\n\\n الفقرة الثانية.\\n \\n\"}\n");
    CHECK_INT(o.ok, 1);
    CHECK_INT(o.bad, 0);
    CHECK_STR(o.first.source, "aawsat");
    CHECK_STR(o.first.title, "بريطانيا: أربعة محاور");
    CHECK_STR(o.first.author, "لندن: رنيم حنوش");
    CHECK_STR(o.first.published, "2015-07-21T02:51:32");
    CHECK_STR(o.first.published_raw, "2015-07-21 02:51:32");
    CHECK_INT(o.first.n_blocks, 2);
    CHECK_STR(o.first.n_blocks ? o.first.blocks[1].text : NULL, "الفقرة الثانية.");
    kh_article_clear(&o.first);
}

static void test_feed_shapes(void)
{
    outcome o = run_str(
        "[{\"headline\": \"عنوان\", \"articleBody\": \"نص\", \"datePublished\": \"2025-03-22T09:30:00+02:00\","
        "  \"author\": [{\"name\": \"أ\"}, {\"name\": \"ب\"}], \"publisher\": {\"name\": \"وكالة\"},"
        "  \"link\": \"https://x.example/1\"},"
        " {\"title\": \"ثان\", \"text\": \"سطر\\nسطر آخر\", \"id\": 42}]");
    CHECK_INT(o.ok, 2);
    CHECK_STR(o.first.title, "عنوان");
    CHECK_STR(o.first.author, "أ، ب");
    CHECK_STR(o.first.source, "وكالة");
    CHECK_STR(o.first.url, "https://x.example/1");
    CHECK_STR(o.first.published, "2025-03-22T09:30:00+02:00");
    kh_article_clear(&o.first);
}

static void test_own_json_round_trip(void)
{
    kh_article a;
    kh_article_init(&a);
    kh_article_set(&a.title, "عنوان", strlen("عنوان"));
    kh_article_set(&a.published_raw, "الأحد 04 يناير 2026 - 09:36 م", strlen("الأحد 04 يناير 2026 - 09:36 م"));
    kh_article_set(&a.published, "2026-01-04T21:36:00", 19);
    kh_article_add_caption(&a, "تعليق", strlen("تعليق"));
    kh_article_add_block(&a, KH_BLOCK_PARAGRAPH, "فقرة أولى.", strlen("فقرة أولى."));
    kh_article_add_block(&a, KH_BLOCK_HEADING, "عنوان فرعي", strlen("عنوان فرعي"));
    kh_article_add_block(&a, KH_BLOCK_PARAGRAPH, "فقرة ثانية.", strlen("فقرة ثانية."));
    kh_article_finish(&a);
    char *json = kh_article_to_json(&a);
    outcome o = run_str(json);
    CHECK_INT(o.ok, 1);
    char *again = o.ok ? kh_article_to_json(&o.first) : NULL;
    CHECK_STR(again, json);   /* extract output fed back in comes out the same */
    free(json);
    free(again);
    kh_article_clear(&a);
    kh_article_clear(&o.first);
}

static void test_bad_records_are_skipped(void)
{
    outcome o = run_str(
        "{\"title\": \"أول\", \"content\": \"نص\"}\n"
        "{\"title\": \"مكسور\", \"content\": \n"
        "\n"
        "[1, 2]\n"
        "{\"author\": \"\", \"content\": \" \"}\n"
        "{\"title\": \"أخير\", \"content\": \"نص\"}\n");
    CHECK_INT(o.ok, 2);
    CHECK_INT(o.bad, 3);
    CHECK_STR(o.last_error, "feed:5: record has no title, no body and no URL");
    kh_article_clear(&o.first);

    o = run_str("{\"title\": \"أول\"}\n{\"title\": \"x\",, }\n");
    CHECK_INT(o.ok, 1);
    CHECK_INT(o.last_status, KH_ERR_PARSE);
    CHECK(strstr(o.last_error, "feed:2:15: malformed JSON") != NULL);
    kh_article_clear(&o.first);

    /* Invalid UTF-8 on line 2: the byte offset is the offset in the input. */
    o = run_str("{\"title\": \"أول\"}\n{\"title\": \"\xC3\x28\"}\n");
    CHECK_INT(o.ok, 1);
    CHECK_INT(o.last_status, KH_ERR_UTF8);
    CHECK_STR(o.last_error, "feed:2:12: invalid UTF-8 (byte 0xc3 at byte offset 31)");
    kh_article_clear(&o.first);
}

static void test_limits_and_empty(void)
{
    /* A 10 MB line with a 1 MB limit: skipped with a message; the next line is read. */
    size_t big = 10u << 20;
    char *s = malloc(big + 64);
    memcpy(s, "{\"title\": \"", 11);
    memset(s + 11, 'a', big);
    strcpy(s + 11 + big, "\"}\n{\"title\": \"ok\"}\n");
    outcome o = run(s, strlen(s), 1u << 20);
    CHECK_INT(o.ok, 1);
    CHECK_INT(o.bad, 1);
    CHECK_INT(o.last_status, KH_ERR_TOO_LARGE);
    CHECK(strstr(o.last_error, "feed:1: line longer than 1048576 bytes") != NULL);
    kh_article_clear(&o.first);
    /* ... and within the default limit it is an ordinary record. */
    o = run(s, strlen(s), 16u << 20);
    CHECK_INT(o.ok, 2);
    CHECK_INT(o.bad, 0);
    kh_article_clear(&o.first);
    free(s);

    o = run_str("");
    CHECK_INT(o.ok, 0);
    CHECK_INT(o.last_status, KH_ERR_EMPTY);
    o = run_str("[]");
    CHECK_INT(o.last_status, KH_ERR_EMPTY);
    o = run_str("[{\"title\": \"x\"}, ");
    CHECK_INT(o.last_status, KH_ERR_PARSE);
}

static void test_compressed(void)
{
    const char *jsonl = "{\"title\": \"أول\", \"content\": \"نص\"}\n{\"title\": \"ثان\", \"content\": \"نص\"}\n";
    size_t n = strlen(jsonl);

    /* gzip, two members back to back (as `cat a.gz b.gz` makes) */
    unsigned char gz[1024];
    size_t gz_len = 0;
    for (int member = 0; member < 2; member++) {
        z_stream z;
        memset(&z, 0, sizeof z);
        deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        z.next_in = (unsigned char *)jsonl;
        z.avail_in = (uInt)n;
        z.next_out = gz + gz_len;
        z.avail_out = (uInt)(sizeof gz - gz_len);
        CHECK_INT(deflate(&z, Z_FINISH), Z_STREAM_END);
        gz_len = sizeof gz - z.avail_out;
        deflateEnd(&z);
    }
    outcome o = run(gz, gz_len, 0);
    CHECK_INT(o.ok, 4);
    CHECK_INT(o.bad, 0);
    kh_article_clear(&o.first);

    /* Truncated: the records before the cut come out, then a clear error. */
    o = run(gz, gz_len / 2 + 5, 0);
    CHECK_INT(o.ok, 2);
    CHECK_INT(o.bad, 1);
    CHECK_INT(o.last_status, KH_ERR_TRUNCATED);
    CHECK(strstr(o.last_error, "gzip stream ends early") != NULL);
    kh_article_clear(&o.first);

    unsigned char zs[1024];
    size_t zs_len = ZSTD_compress(zs, sizeof zs, jsonl, n, 3);
    CHECK(!ZSTD_isError(zs_len));
    o = run(zs, zs_len, 0);
    CHECK_INT(o.ok, 2);
    kh_article_clear(&o.first);
    o = run(zs, zs_len - 4, 0);
    CHECK_INT(o.last_status, KH_ERR_TRUNCATED);
    kh_article_clear(&o.first);
}

int main(void)
{
    test_saudinewsnet_shape();
    test_feed_shapes();
    test_own_json_round_trip();
    test_bad_records_are_skipped();
    test_limits_and_empty();
    test_compressed();
    return check_done();
}
