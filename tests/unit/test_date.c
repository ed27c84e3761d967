/* test_date.c — kh_date_parse and kh_datetime_format (docs/dates.md).
 *
 * Every input is copied into a heap block of exactly its length, without a
 * NUL, so that under AddressSanitizer a read past len is caught. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "khabar.h"
#include "understand/date.h"

/* The result as one comparable string: "2026-01-04" for a date alone,
 * "2026-01-04T21:36:00" with a time, plus "+03:00" with an offset. */
static void describe(const kh_datetime *dt, char *out, size_t cap)
{
    char iso[32];
    kh_datetime_format(dt, iso, sizeof iso);
    if (!dt->has_time && !dt->has_offset)
        iso[10] = '\0';
    snprintf(out, cap, "%s", iso);
}

static kh_status parse_exact(const char *text, size_t len, kh_datetime *dt, kh_error *err)
{
    char *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    memcpy(copy, text, len);
    kh_status st = kh_date_parse(copy, len, dt, err);
    free(copy);
    return st;
}

static void expect_ok_n(const char *text, size_t len, const char *want, int line)
{
    kh_datetime dt;
    kh_error err;
    kh_error_clear(&err);
    kh_status st = parse_exact(text, len, &dt, &err);
    if (st != KH_OK)
        fprintf(stderr, "%s:%d: unexpected failure: %s\n", __FILE__, line, err.message);
    char got[64];
    if (st == KH_OK)
        describe(&dt, got, sizeof got);
    else
        snprintf(got, sizeof got, "error %s", kh_status_name(st));
    check_str(got, want, text, __FILE__, line);
}

static void expect_fail_n(const char *text, size_t len, const char *fragment, int line)
{
    kh_datetime dt;
    kh_error err;
    kh_error_clear(&err);
    memset(&dt, 0x5A, sizeof dt);
    kh_status st = parse_exact(text, len, &dt, &err);
    check_long(st, KH_ERR_PARSE, text, __FILE__, line);
    check_long(err.status, KH_ERR_PARSE, "err.status", __FILE__, line);
    check_true(strstr(err.message, fragment) != NULL, fragment, __FILE__, line);
    if (!strstr(err.message, fragment))
        fprintf(stderr, "    message: %s\n", err.message);
    check_true(strchr(err.message, '\n') == NULL, "message is one line", __FILE__, line);
    /* A failure leaves a zeroed result, never a half-filled one. */
    check_true(dt.year == 0 && dt.month == 0 && dt.day == 0 && dt.has_time == 0 &&
                   dt.has_offset == 0,
               "result zeroed on failure", __FILE__, line);
    /* err may be NULL; the status must not change. */
    check_long(parse_exact(text, len, &dt, NULL), KH_ERR_PARSE, "same status with err = NULL",
               __FILE__, line);
}

#define OK(text, want) expect_ok_n((text), strlen(text), (want), __LINE__)
#define BAD(text, fragment) expect_fail_n((text), strlen(text), (fragment), __LINE__)
#define BAD_N(text, len, fragment) expect_fail_n((text), (len), (fragment), __LINE__)

static void test_seed_dateline(void)
{
    OK("الأحد 04 يناير 2026 - 09:36 م", "2026-01-04T21:36:00");

    /* The dateline as it sits in the shared corpus' seed article. */
    const char *dir = check_dir_env("KH_SHARED_DIR", "corpus/seed-article.txt", 0);
    if (!dir)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus/seed-article.txt", dir);
    size_t len = 0;
    char *text = check_read_file(path, &len);
    if (!text)
        return;
    int found = 0;
    for (char *line = text; line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
        kh_datetime dt;
        if (kh_date_parse(line, n, &dt, NULL) == KH_OK) {
            char got[64];
            describe(&dt, got, sizeof got);
            CHECK_STR(got, "2026-01-04T21:36:00");
            found++;
        }
        line += n + 1;
    }
    /* Exactly one line of the article is a date: the prose lines are refused. */
    CHECK_INT(found, 1);
    free(text);
}

static void test_egyptian_gulf_months(void)
{
    OK("04 يناير 2026", "2026-01-04");
    OK("04 فبراير 2026", "2026-02-04");
    OK("04 مارس 2026", "2026-03-04");
    OK("04 أبريل 2026", "2026-04-04");
    OK("04 ابريل 2026", "2026-04-04");
    OK("04 إبريل 2026", "2026-04-04");
    OK("04 مايو 2026", "2026-05-04");
    OK("04 يونيو 2026", "2026-06-04");
    OK("04 يونيه 2026", "2026-06-04");
    OK("04 يوليو 2026", "2026-07-04");
    OK("04 يوليه 2026", "2026-07-04");
    OK("04 أغسطس 2026", "2026-08-04");
    OK("04 اغسطس 2026", "2026-08-04");
    OK("04 سبتمبر 2026", "2026-09-04");
    OK("04 أكتوبر 2026", "2026-10-04");
    OK("04 اكتوبر 2026", "2026-10-04");
    OK("04 نوفمبر 2026", "2026-11-04");
    OK("04 ديسمبر 2026", "2026-12-04");
}

static void test_levantine_months(void)
{
    OK("5 كانون الثاني 2026", "2026-01-05");
    OK("5 شباط 2026", "2026-02-05");
    OK("5 آذار 2026", "2026-03-05");
    OK("5 اذار 2026", "2026-03-05");
    OK("5 نيسان 2026", "2026-04-05");
    OK("5 أيار 2026", "2026-05-05");
    OK("5 ايار 2026", "2026-05-05");
    OK("5 حزيران 2026", "2026-06-05");
    OK("5 تموز 2026", "2026-07-05");
    OK("5 آب 2026", "2026-08-05");
    OK("5 اب 2026", "2026-08-05");
    OK("5 أيلول 2026", "2026-09-05");
    OK("5 ايلول 2026", "2026-09-05");
    OK("5 تشرين الأول 2026", "2026-10-05");
    OK("5 تشرين الاول 2026", "2026-10-05");
    OK("5 تشرين الثاني 2026", "2026-11-05");
    OK("5 كانون الأول 2026", "2026-12-05");
    /* The double form, both orders and with parentheses. */
    OK("5 كانون الثاني/يناير 2026", "2026-01-05");
    OK("5 كانون الثاني / يناير 2026", "2026-01-05");
    OK("5 يناير/كانون الثاني 2026", "2026-01-05");
    OK("5 تشرين الأول (أكتوبر) 2026", "2026-10-05");
    OK("الاثنين 5 كانون الثاني/يناير 2026", "2026-01-05");
    BAD("5 كانون الثاني/فبراير 2026", "disagree");
}

static void test_maghreb_months(void)
{
    OK("12 جانفي 2025", "2025-01-12");
    OK("12 فيفري 2025", "2025-02-12");
    OK("12 مارس 2025", "2025-03-12");
    OK("12 أفريل 2025", "2025-04-12");
    OK("12 افريل 2025", "2025-04-12");
    OK("12 ماي 2025", "2025-05-12");
    OK("12 جوان 2025", "2025-06-12");
    OK("12 جويلية 2025", "2025-07-12");
    OK("12 جويليه 2025", "2025-07-12");
    OK("12 أوت 2025", "2025-08-12");
    OK("12 اوت 2025", "2025-08-12");
    OK("12 سبتمبر 2025", "2025-09-12");
    OK("12 أكتوبر 2025", "2025-10-12");
    OK("12 نوفمبر 2025", "2025-11-12");
    OK("12 ديسمبر 2025", "2025-12-12");
    OK("12 جويلية 2025 | 18:40", "2025-07-12T18:40:00");
    /* Moroccan forms. */
    OK("12 يوليوز 2025", "2025-07-12");
    OK("12 غشت 2025", "2025-08-12");
    OK("12 شتنبر 2025", "2025-09-12");
    OK("12 نونبر 2025", "2025-11-12");
    OK("12 دجنبر 2025", "2025-12-12");
}

static void test_weekdays(void)
{
    /* 2026-01-04 is a Sunday; the week runs to Saturday 2026-01-10. */
    OK("الأحد 04 يناير 2026", "2026-01-04");
    OK("الاحد، 04 يناير 2026", "2026-01-04");
    OK("الاثنين 05 يناير 2026", "2026-01-05");
    OK("الإثنين, 05 يناير 2026", "2026-01-05");
    OK("الثلاثاء 06 يناير 2026", "2026-01-06");
    OK("الأربعاء 07 يناير 2026", "2026-01-07");
    OK("الاربعاء 07 يناير 2026", "2026-01-07");
    OK("الخميس 08 يناير 2026", "2026-01-08");
    OK("الجمعة 09 يناير 2026", "2026-01-09");
    OK("الجمعه 09 يناير 2026", "2026-01-09");
    OK("السبت 10 يناير 2026", "2026-01-10");
    OK("يوم الأحد 04 يناير 2026", "2026-01-04");
    OK("السبت - 10 يناير 2026", "2026-01-10");
    BAD("الاثنين 04 يناير 2026", "does not match 2026-01-04, which is a Sunday");
    BAD("الأحد", "no digits");
    BAD("الأحد 2026", "expected a date after the weekday");
}

static void test_times(void)
{
    OK("04 يناير 2026 - 09:36 ص", "2026-01-04T09:36:00");
    OK("04 يناير 2026 - 09:36 م", "2026-01-04T21:36:00");
    OK("04 يناير 2026 - 12:05 ص", "2026-01-04T00:05:00");
    OK("04 يناير 2026 - 12:05 م", "2026-01-04T12:05:00");
    OK("04 يناير 2026 09:36 صباحًا", "2026-01-04T09:36:00");
    OK("04 يناير 2026 09:36 صباحا", "2026-01-04T09:36:00");
    OK("04 يناير 2026 09:36 مساءً", "2026-01-04T21:36:00");
    OK("04 يناير 2026 09:36 مساء", "2026-01-04T21:36:00");
    OK("04 يناير 2026 01:15 ظهرًا", "2026-01-04T13:15:00");
    OK("04 يناير 2026 12:15 ظهرا", "2026-01-04T12:15:00");
    OK("04 يناير 2026 03:15 عصرًا", "2026-01-04T15:15:00");
    OK("04 يناير 2026 09:36 AM", "2026-01-04T09:36:00");
    OK("04 يناير 2026 09:36 PM", "2026-01-04T21:36:00");
    OK("04 يناير 2026 9:36pm", "2026-01-04T21:36:00");
    OK("04 يناير 2026 09:36م", "2026-01-04T21:36:00");
    OK("04 يناير 2026 21:36", "2026-01-04T21:36:00");
    OK("04 يناير 2026 21:36:59", "2026-01-04T21:36:59");
    OK("04 يناير 2026 00:00", "2026-01-04T00:00:00");
    OK("04 يناير 2026 الساعة 9 مساءً", "2026-01-04T21:00:00");
    OK("04 يناير 2026 على الساعة 18:40", "2026-01-04T18:40:00");
    /* Every separator between date and time. */
    OK("04 يناير 2026 - 21:36", "2026-01-04T21:36:00");
    OK("04 يناير 2026 – 21:36", "2026-01-04T21:36:00");
    OK("04 يناير 2026 | 21:36", "2026-01-04T21:36:00");
    OK("04 يناير 2026، 21:36", "2026-01-04T21:36:00");
    OK("04 يناير 2026, 21:36", "2026-01-04T21:36:00");
    OK("04 يناير 2026 21:36", "2026-01-04T21:36:00");
    /* The time first. */
    OK("09:36 م - الأحد 04 يناير 2026", "2026-01-04T21:36:00");
    OK("21:36 | 04/01/2026", "2026-01-04T21:36:00");
    OK("09:36 ص 04 يناير 2026", "2026-01-04T09:36:00");
    /* Out of range. */
    BAD("04 يناير 2026 - 13:36 م", "not on a 12-hour clock");
    BAD("04 يناير 2026 - 00:36 ص", "not on a 12-hour clock");
    BAD("04 يناير 2026 24:00", "hour 24 does not exist");
    BAD("04 يناير 2026 21:60", "minute 60 does not exist");
    BAD("04 يناير 2026 21:36:60", "second 60 does not exist");
    BAD("04 يناير 2026 08:00 ظهرا", "not around noon");
    BAD("09:36 م", "a time without a date");
    BAD("09:36 م - كلام", "expected a date after the time");
}

static void test_era_and_hijri(void)
{
    OK("04 يناير 2026 م", "2026-01-04");
    OK("04 يناير 2026م", "2026-01-04");
    OK("04 يناير 2026 م - 09:36 م", "2026-01-04T21:36:00");
    OK("04 يناير 2026 ميلادي", "2026-01-04");
    OK("الأحد 15 رجب 1447 هـ الموافق 04 يناير 2026 م", "2026-01-04");
    OK("الأحد 15 رجب 1447هـ الموافق 04 يناير 2026م - 09:36 م", "2026-01-04T21:36:00");
    OK("الأحد 04 يناير 2026 م الموافق 15 رجب 1447 هـ", "2026-01-04");
    OK("04 يناير 2026 (15 رجب 1447 هـ)", "2026-01-04");
    OK("15 رجب 1447 هـ - 04 يناير 2026", "2026-01-04");
    OK("1447/07/15 هـ الموافق 2026/01/04 م", "2026-01-04");
    OK("15 جمادى الآخرة 1447 هـ الموافق 06 ديسمبر 2025 م", "2025-12-06");
    OK("15 ذو الحجة 1446 هـ الموافق 11 يونيو 2025", "2025-06-11");
    BAD("15 رجب 1447 هـ", "Hijri-only");
    BAD("الأحد 15 رجب 1447", "Hijri-only");
    BAD("15/07/1447 هـ", "Hijri-only");
    BAD("15 رجب 1447 م", "AD marker");
    BAD("04 يناير 2026 هـ", "Hijri marker");
    BAD("04 يناير 2026 الموافق 05 يناير 2026", "two Gregorian dates");
    BAD("04 يناير 2026 الموافق كلام", "expected a date after");
}

static void test_labels(void)
{
    OK("نشر في: 04 يناير 2026", "2026-01-04");
    OK("نُشر في: 04 يناير 2026", "2026-01-04");
    OK("نشر في 04 يناير 2026", "2026-01-04");
    OK("نشر بتاريخ 04 يناير 2026", "2026-01-04");
    OK("تاريخ النشر: 04 يناير 2026", "2026-01-04");
    OK("آخر تحديث: 04 يناير 2026 - 09:36 م", "2026-01-04T21:36:00");
    OK("اخر تحديث: 04/01/2026", "2026-01-04");
    OK("تم التحديث: 2026-01-04 21:36", "2026-01-04T21:36:00");
    OK("بتاريخ 04 يناير 2026", "2026-01-04");
    OK("Published: 2026-01-04T21:36:00Z", "2026-01-04T21:36:00+00:00");
    OK("published on 04/01/2026", "2026-01-04");
    OK("نشر في: ٥ كانون الثاني ٢٠٢٦، ١٠:١٥ صباحًا", "2026-01-05T10:15:00");
    OK("  نشر في:   الأحد 04 يناير 2026  ", "2026-01-04");
    OK("نشر يوم الأحد 04 يناير 2026", "2026-01-04");
    BAD("نشر في: 04 يناير 2026 | آخر تحديث: 05 يناير 2026", "trailing text after the date: '| آخر تحديث");
    BAD("نشر في:", "no digits");
    BAD("نشر في: 2026", "a lone number");
}

static void test_numeric(void)
{
    OK("2026/01/04", "2026-01-04");
    OK("04/01/2026", "2026-01-04");
    OK("4/1/2026", "2026-01-04");
    OK("2026-01-04", "2026-01-04");
    OK("04-01-2026", "2026-01-04");
    OK("04.01.2026", "2026-01-04");
    OK("2026.01.04", "2026-01-04");
    /* Ambiguous day/month: read the Arab-world way, day first. */
    OK("04/05/2026", "2026-05-04");
    OK("04/01/2026 - 21:36", "2026-01-04T21:36:00");
    OK("2026/01/04 09:36 م", "2026-01-04T21:36:00");
    OK("2015-07-21 02:51:32", "2015-07-21T02:51:32");
    BAD("01/13/2026", "month 13 does not exist");
    BAD("04/01/26", "the year must have 4 digits");
    BAD("2026/01-04", "no date");
    BAD("2026/01", "no date");
}

static void test_iso(void)
{
    OK("2026-01-04T21:36", "2026-01-04T21:36:00");
    OK("2026-01-04T21:36:00", "2026-01-04T21:36:00");
    OK("2026-01-04T21:36:00Z", "2026-01-04T21:36:00+00:00");
    OK("2026-01-04T21:36:00.123Z", "2026-01-04T21:36:00+00:00");
    OK("2026-01-04T21:36:00+03:00", "2026-01-04T21:36:00+03:00");
    OK("2026-01-04T21:36:00-05:00", "2026-01-04T21:36:00-05:00");
    OK("2026-01-04T21:36:00+0330", "2026-01-04T21:36:00+03:30");
    OK("2026-01-04T21:36+03", "2026-01-04T21:36:00+03:00");
    OK("2026-01-04 21:36:00 +0300", "2026-01-04T21:36:00+03:00");
    OK("2026-01-04T21:36:00.123456-00:30", "2026-01-04T21:36:00-00:30");
    BAD("2026-01-04T21:36:00+15:00", "trailing text");
    BAD("2026-01-04T", "trailing text");
}

static void test_zones(void)
{
    OK("04 يناير 2026 21:36 GMT", "2026-01-04T21:36:00+00:00");
    OK("04 يناير 2026 21:36 UTC", "2026-01-04T21:36:00+00:00");
    OK("04 يناير 2026 21:36 GMT+3", "2026-01-04T21:36:00+03:00");
    OK("04 يناير 2026 21:36 GMT-05:00", "2026-01-04T21:36:00-05:00");
    OK("04 يناير 2026 21:36 بتوقيت غرينتش", "2026-01-04T21:36:00+00:00");
    OK("04 يناير 2026 21:36 بتوقيت جرينتش", "2026-01-04T21:36:00+00:00");
    OK("04 يناير 2026 09:36 م بتوقيت مكة المكرمة", "2026-01-04T21:36:00+03:00");
    OK("04 يناير 2026 09:36 م (بتوقيت مكة المكرمة)", "2026-01-04T21:36:00+03:00");
    OK("04 يناير 2026 21:36 (ت.غ)", "2026-01-04T21:36:00+00:00");
    OK("04 يناير 2026 21:36 بالتوقيت المحلي", "2026-01-04T21:36:00");
    OK("09:36 م بتوقيت مكة - 04 يناير 2026", "2026-01-04T21:36:00+03:00");
    OK("Sun, 04 Jan 2026 21:36:00 +0300", "2026-01-04T21:36:00+03:00");
    OK("Sun, 04 Jan 2026 21:36:00 GMT", "2026-01-04T21:36:00+00:00");
    /* A minus sign followed by a date is a separator, not an offset. */
    OK("09:36 - 2026/01/04", "2026-01-04T09:36:00");
    OK("21:36 - 04-01-2026", "2026-01-04T21:36:00");
    BAD("04 يناير 2026 21:36 بتوقيت القاهرة", "unknown time zone 'القاهرة'");
    BAD("04 يناير 2026 21:36 GMT+", "malformed UTC offset");
    BAD("04 يناير 2026 GMT", "trailing text");
}

static void test_digit_systems(void)
{
    OK("٠٤ يناير ٢٠٢٦ - ٠٩:٣٦ م", "2026-01-04T21:36:00");
    OK("۰۴ يناير ۲۰۲۶ - ۰۹:۳۶ م", "2026-01-04T21:36:00");
    OK("٠4 يناير 2٠٢6", "2026-01-04");
    OK("٢٠٢٦/٠١/٠٤", "2026-01-04");
    OK("٢٠١٥-٠٧-٢١ ٠٢:٥١:٣٢", "2015-07-21T02:51:32");
}

static void test_noise_tolerated(void)
{
    OK("\xC2\xA0" "الأحد\xC2\xA0" "04 يناير 2026\xE2\x80\x8F - 09:36 م\xE2\x80\x8E", "2026-01-04T21:36:00");
    OK("الأحد\xE2\x80\x83" "04\xE2\x80\xAF" "يناير 2026", "2026-01-04");     /* em space, narrow NBSP */
    OK("\xE2\x80\x8F" "04 يـــنـــايـــر 2026", "2026-01-04");           /* RLM, tatweel */
    OK("04 يَنَايِر 2026", "2026-01-04");                                 /* harakat */
    OK("الجمعة ٩ يناير ٢٠٢٦\n", "2026-01-09");
    OK("Sunday 4 January, 2026", "2026-01-04");
    OK("January 4, 2026", "2026-01-04");
    OK("يناير 4، 2026", "2026-01-04");
    /* text is not NUL-terminated: only len bytes are read. */
    const char *longer = "04 يناير 2026 - 09:36 م";
    expect_ok_n(longer, strlen("04 يناير 2026"), "2026-01-04", __LINE__);
}

static void test_invalid_dates(void)
{
    BAD("31 أبريل 2025", "day 31 does not exist in April 2025");
    BAD("29 فبراير 2025", "day 29 does not exist in February 2025");
    OK("29 فبراير 2024", "2024-02-29");
    OK("29 فبراير 2000", "2000-02-29");
    BAD("29 فبراير 1900", "day 29 does not exist in February 1900");
    BAD("0 يناير 2026", "day 0 does not exist");
    BAD("32 يناير 2026", "day 32 does not exist");
    BAD("04 يناير 1899", "year 1899 is outside");
    BAD("04 يناير 2101", "year 2101 is outside");
    OK("31 ديسمبر 2100", "2100-12-31");
    OK("1 يناير 1900", "1900-01-01");
    BAD("04 فبرير 2026", "unknown month name 'فبرير'");
    BAD("04 يناير", "no year after 'يناير'");
    BAD("04 يناير 26", "expected a 4-digit year after 'يناير', found '26'");
    BAD("يناير 2026", "gives a month and a year but no day");
    BAD("2026/13/01", "month 13 does not exist");
    BAD("2026/02/30", "day 30 does not exist in February 2026");
    BAD("123 يناير 2026", "expected a day of one or two digits");
}

static void test_not_dates(void)
{
    BAD("", "empty");
    BAD("   \t ", "empty");
    BAD("2026", "a lone number");
    BAD("٢٠٢٦", "a lone number");
    BAD("كشف موقع «أكسيوس» الأمريكي، نقلًا عن مسؤول إسرائيلي، عن عقد لقاء مرتقب", "no date at 'كشف موقع");
    BAD("في خطوة لافتة أعلنت الحكومة", "no digits");
    BAD("«الأحد 04 يناير 2026»", "no date at '«الأحد");
    BAD("قتل 3 أشخاص في انفجار", "no date");
    BAD("اجتمع 40 وزيرا في 2026", "no date");
    BAD("الأحد 04 يناير 2026 - 09:36 م عمرو أحمد", "trailing text after the date: 'عمرو أحمد'");
    BAD("04 يناير 2026 وكان", "trailing text after the date: 'وكان'");
    BAD("04 يناير 2026 -", "trailing text after the date: '-'");
    BAD("04 يناير 2026 04 يناير 2026", "two Gregorian dates");
    BAD("من 04/01/2026 إلى 05/01/2026", "no date");

    /* Too long to be a dateline: refused before any parsing. */
    char long_line[600];
    memset(long_line, 'a', sizeof long_line);
    memcpy(long_line, "04 يناير 2026 ", strlen("04 يناير 2026 "));
    BAD_N(long_line, sizeof long_line, "too long");

    /* More tokens than a dateline has. */
    BAD("1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 "
        "1 1 1 1 1 1",
        "too many words");
}

static void test_bad_bytes(void)
{
    BAD("04 \xFF\xFE 2026", "invalid UTF-8 at byte 3");
    BAD("04 يناير 2026 \xC0\xAF", "invalid UTF-8");               /* overlong '/' */
    BAD("04 يناير 2026 \xED\xA0\x80", "invalid UTF-8");           /* surrogate */
    /* A multi-byte character cut at the end of the input. */
    const char *cut = "04 يناير";
    BAD_N(cut, strlen(cut) - 1, "invalid UTF-8 at byte");
    BAD_N("04 \xD9", 4, "invalid UTF-8 at byte 3");
    /* Embedded control characters, NUL included. */
    BAD_N("04 يناير\0 2026", strlen("04 يناير") + 6, "control character U+0000");
    BAD("04 يناير\x01 2026", "control character U+0001");
}

static void test_arguments(void)
{
    kh_datetime dt;
    kh_error err;
    kh_error_clear(&err);
    CHECK_INT(kh_date_parse(NULL, 0, &dt, &err), KH_ERR_PARSE);
    CHECK_INT(kh_date_parse(NULL, 3, &dt, &err), KH_ERR_ARGUMENT);
    CHECK_INT(kh_date_parse("2026/01/04", 10, NULL, &err), KH_ERR_ARGUMENT);
    CHECK_INT(kh_date_parse("2026/01/04", 10, &dt, NULL), KH_OK);
    CHECK_INT(dt.year, 2026);
    CHECK_INT(dt.month, 1);
    CHECK_INT(dt.day, 4);
    CHECK_INT(dt.has_time, 0);
    CHECK_INT(dt.has_offset, 0);

    /* Fields of a full result, not only its formatted form. */
    CHECK_INT(kh_date_parse("2026-01-04T21:36:05-03:30", 25, &dt, &err), KH_OK);
    CHECK_INT(dt.hour, 21);
    CHECK_INT(dt.minute, 36);
    CHECK_INT(dt.second, 5);
    CHECK_INT(dt.has_time, 1);
    CHECK_INT(dt.has_offset, 1);
    CHECK_INT(dt.offset_minutes, -210);
}

static void test_format(void)
{
    char buf[64];
    kh_datetime dt = {2026, 1, 4, 21, 36, 0, 1, 0, 0};
    CHECK_INT(kh_datetime_format(&dt, buf, sizeof buf), 19);
    CHECK_STR(buf, "2026-01-04T21:36:00");
    dt.has_offset = 1;
    dt.offset_minutes = 180;
    CHECK_INT(kh_datetime_format(&dt, buf, sizeof buf), 25);
    CHECK_STR(buf, "2026-01-04T21:36:00+03:00");
    dt.offset_minutes = -330;
    kh_datetime_format(&dt, buf, sizeof buf);
    CHECK_STR(buf, "2026-01-04T21:36:00-05:30");
    dt.offset_minutes = -30;
    kh_datetime_format(&dt, buf, sizeof buf);
    CHECK_STR(buf, "2026-01-04T21:36:00-00:30");
    dt.offset_minutes = 0;
    kh_datetime_format(&dt, buf, sizeof buf);
    CHECK_STR(buf, "2026-01-04T21:36:00+00:00");
    /* A date without a time is written at midnight. */
    kh_datetime day = {2026, 1, 4, 0, 0, 0, 0, 0, 0};
    kh_datetime_format(&day, buf, sizeof buf);
    CHECK_STR(buf, "2026-01-04T00:00:00");
    /* Exactly 32 bytes is enough; fewer is refused with an empty string. */
    CHECK_INT(kh_datetime_format(&dt, buf, 32), 25);
    CHECK_INT(kh_datetime_format(&dt, buf, 31), 0);
    CHECK_STR(buf, "");
    CHECK_INT(kh_datetime_format(&dt, NULL, 64), 0);
    CHECK_INT(kh_datetime_format(NULL, buf, sizeof buf), 0);
}

/* The parser compares vocabulary as bytes: an entry written with أ or ة
 * would silently never match. */
static void test_vocabulary_folded(void)
{
    const char *first_bad = NULL;
    size_t bad = kh_date_vocabulary_check(&first_bad);
    CHECK_INT(bad, 0);
    if (bad)
        fprintf(stderr, "    first unfolded entry: %s\n", first_bad);
}

int main(void)
{
    test_vocabulary_folded();
    test_seed_dateline();
    test_egyptian_gulf_months();
    test_levantine_months();
    test_maghreb_months();
    test_weekdays();
    test_times();
    test_era_and_hijri();
    test_labels();
    test_numeric();
    test_iso();
    test_zones();
    test_digit_systems();
    test_noise_tolerated();
    test_invalid_dates();
    test_not_dates();
    test_bad_bytes();
    test_arguments();
    test_format();
    return check_done();
}
