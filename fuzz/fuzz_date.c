/* fuzz_date.c — kh_date_parse on arbitrary bytes.
 *
 * Beyond "no crash, no out-of-bounds read" (the sanitizers' job), checks the
 * contract: only KH_OK or KH_ERR_PARSE; a success has every field in range and
 * formats to a string that parses back to the same moment; a failure leaves
 * a zeroed result and a one-line message. A broken invariant aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "khabar.h"

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static void check_ranges(const kh_datetime *dt)
{
    if (dt->year < 1900 || dt->year > 2100 || dt->month < 1 || dt->month > 12 || dt->day < 1 ||
        dt->day > days_in_month(dt->year, dt->month))
        abort();
    if (dt->has_time != 0 && dt->has_time != 1)
        abort();
    if (dt->hour < 0 || dt->hour > 23 || dt->minute < 0 || dt->minute > 59 || dt->second < 0 ||
        dt->second > 59)
        abort();
    if (!dt->has_time && (dt->hour || dt->minute || dt->second))
        abort();
    if (dt->has_offset != 0 && dt->has_offset != 1)
        abort();
    if (dt->has_offset && !dt->has_time)
        abort();
    if (dt->offset_minutes < -14 * 60 || dt->offset_minutes > 14 * 60 ||
        (!dt->has_offset && dt->offset_minutes))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kh_datetime dt;
    kh_error err;
    kh_error_clear(&err);
    kh_status st = kh_date_parse((const char *)data, size, &dt, &err);

    if (st != KH_OK) {
        if (st != KH_ERR_PARSE || err.status != KH_ERR_PARSE)
            abort();
        if (memchr(err.message, '\0', sizeof err.message) == NULL || strchr(err.message, '\n') ||
            err.message[0] == '\0')
            abort();
        static const kh_datetime zero;
        if (memcmp(&dt, &zero, sizeof dt) != 0)
            abort();
        return 0;
    }
    check_ranges(&dt);

    char iso[32];
    size_t n = kh_datetime_format(&dt, iso, sizeof iso);
    if (n != strlen(iso) || n != (dt.has_offset ? 25u : 19u))
        abort();

    /* The formatted form is itself a date the parser reads, to the same moment. */
    kh_datetime back;
    if (kh_date_parse(iso, n, &back, NULL) != KH_OK)
        abort();
    if (back.year != dt.year || back.month != dt.month || back.day != dt.day ||
        back.hour != dt.hour || back.minute != dt.minute || back.second != dt.second ||
        back.has_offset != dt.has_offset || back.offset_minutes != dt.offset_minutes)
        abort();

    /* Deterministic, and err = NULL is allowed. */
    kh_datetime again;
    if (kh_date_parse((const char *)data, size, &again, NULL) != KH_OK ||
        memcmp(&again, &dt, sizeof dt) != 0)
        abort();
    return 0;
}
