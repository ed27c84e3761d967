/* Tests of charset.c: labels, declarations, detection of the two Arabic
 * 8-bit code pages, conversion with replacement of invalid bytes. */
#include <string.h>

#include "check.h"
#include "ingest/charset.h"

/* "الخبر الأول في المدينة" in windows-1256 and in ISO-8859-6 */
static const char CP1256[] = "\xC7\xE1\xCE\xC8\xD1 \xC7\xE1\xC3\xE6\xE1 \xDD\xED \xC7\xE1\xE3\xCF\xED\xE4\xC9";
static const char ISO6[] = "\xC7\xE4\xCE\xC8\xD1 \xC7\xE4\xC3\xE8\xE4 \xE1\xEA \xC7\xE4\xE5\xCF\xEA\xE6\xC9";
static const char UTF8[] = "الخبر الأول في المدينة";

static void convert(const char *in, size_t len, const char *declared, const char *want_enc, const char *want)
{
    kh_buf out = KH_BUF_INIT;
    const char *used = NULL;
    kh_error err;
    CHECK_INT(kh_charset_to_utf8(in, len, declared, &out, &used, NULL, &err), KH_OK);
    CHECK_STR(used, want_enc);
    CHECK_STR(out.data ? out.data : "", want);
    kh_buf_free(&out);
}

int main(void)
{
    CHECK_STR(kh_charset_canonical("Windows-1256", 12), "WINDOWS-1256");
    CHECK_STR(kh_charset_canonical(" \"cp1256\" ", 10), "WINDOWS-1256");
    CHECK_STR(kh_charset_canonical("ISO-8859-6", 10), "ISO-8859-6");
    CHECK_STR(kh_charset_canonical("arabic", 6), "ISO-8859-6");
    CHECK_STR(kh_charset_canonical("UTF8", 4), "UTF-8");
    CHECK(kh_charset_canonical("klingon", 7) == NULL);

    const char *ct = "text/html; charset=windows-1256";
    CHECK_STR(kh_charset_from_content_type(ct, strlen(ct)), "WINDOWS-1256");
    CHECK(kh_charset_from_content_type("text/html", 9) == NULL);
    const char *m1 = "<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-6\">";
    CHECK_STR(kh_charset_from_meta(m1, strlen(m1)), "ISO-8859-6");
    const char *m2 = "<!doctype html><meta name=viewport content=x><meta charset='utf-8'>";
    CHECK_STR(kh_charset_from_meta(m2, strlen(m2)), "UTF-8");
    CHECK(kh_charset_from_meta("<p>charset=utf-8</p>", 20) == NULL);

    CHECK_STR(kh_charset_detect(UTF8, strlen(UTF8)), "UTF-8");
    CHECK_STR(kh_charset_detect(CP1256, strlen(CP1256)), "WINDOWS-1256");
    CHECK_STR(kh_charset_detect(ISO6, strlen(ISO6)), "ISO-8859-6");

    /* undeclared, declared by header, declared by meta, BOM */
    convert(CP1256, strlen(CP1256), NULL, "WINDOWS-1256", UTF8);
    convert(ISO6, strlen(ISO6), NULL, "ISO-8859-6", UTF8);
    convert(ISO6, strlen(ISO6), "ISO-8859-6", "ISO-8859-6", UTF8);
    convert("\xEF\xBB\xBF" "abc", 6, "WINDOWS-1256", "UTF-8", "abc");
    /* a template's Latin-1 default on Arabic bytes is overruled */
    convert(CP1256, strlen(CP1256), "WINDOWS-1252", "WINDOWS-1256", UTF8);

    /* a UTF-8 page with one stray byte keeps its encoding, the byte becomes U+FFFD */
    kh_buf out = KH_BUF_INIT;
    const char *used;
    size_t replaced;
    kh_error err;
    CHECK_INT(kh_charset_to_utf8("خبر \xFF عاجل", strlen("خبر \xFF عاجل"), "UTF-8", &out, &used, &replaced, &err), KH_OK);
    CHECK_STR(used, "UTF-8");
    CHECK_STR(out.data, "خبر \xEF\xBF\xBD عاجل");
    CHECK_INT(replaced, 1);
    kh_buf_free(&out);
    /* bytes ISO-8859-6 leaves undefined become U+FFFD */
    CHECK_INT(kh_charset_to_utf8("\xC7\xA1", 2, "ISO-8859-6", &out, &used, &replaced, &err), KH_OK);
    CHECK_STR(out.data, "ا\xEF\xBF\xBD");
    CHECK_INT(replaced, 1);
    kh_buf_free(&out);
    return check_done();
}
