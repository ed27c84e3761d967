/* test_utf8.c — kh_utf8_valid: hand-picked cases around its eight-byte fast
 * paths (ASCII, four two-byte letters), then random strings checked against
 * utf8proc's decoder, the reference. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "check.h"
#include "util/buf.h"
#include "util/text.h"
#include "util/utf8.h"

/* utf8proc's answer: the offset of the first invalid sequence, or len. */
static size_t reference_bad(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return i;
        i += (size_t)n;
    }
    return len;
}

static size_t bad_of(const char *s, size_t len)
{
    size_t bad = (size_t)-1;
    return kh_utf8_valid(s, len, &bad) ? len : bad;
}

static uint64_t state = 88172645463325252ULL;
static uint64_t next_random(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

int main(void)
{
    /* Arabic (two-byte letters) long enough for the eight-byte path */
    const char *arabic = "أكسيوس: المفاوضات مستمرة";
    CHECK_INT(bad_of(arabic, strlen(arabic)), strlen(arabic));
    /* an overlong two-byte ASCII (C0/C1 lead) in each lane of a word */
    for (size_t lane = 0; lane < 4; lane++) {
        unsigned char s[12] = {0xD8, 0xA7, 0xD9, 0x84, 0xD9, 0x85, 0xD8, 0xAF, 'x', 'y', 'z', 'w'};
        s[2 * lane] = 0xC1;
        CHECK_INT(bad_of((const char *)s, sizeof s), 2 * lane);
        s[2 * lane] = 0xD9;
        s[2 * lane + 1] = 0x41; /* continuation missing */
        CHECK_INT(bad_of((const char *)s, sizeof s), 2 * lane);
    }
    /* a lead byte as the last byte, a lone continuation, three- and
     * four-byte letters, a surrogate, beyond U+10FFFF */
    CHECK_INT(bad_of("\xD8\xA7\xD9\x84\xD9\x85\xD8", 7), 6);
    CHECK_INT(bad_of("abcdefg\x80", 8), 7);
    CHECK_INT(bad_of("\xE2\x80\xA6\xF0\x9F\x93\xB0 \xD8\xB9", 10), 10);
    CHECK_INT(bad_of("ab\xED\xA0\x80", 5), 2);
    CHECK_INT(bad_of("ab\xF4\x90\x80\x80", 6), 2);

    /* kh_text_clean on text cut inside an Arabic letter (a lead byte with
     * no continuation, found by fuzz_warc): no more bytes out than in */
    kh_buf cleaned = {0};
    kh_text_clean("\xD9\x85\xD8", 3, &cleaned);
    CHECK(cleaned.len <= 3);
    CHECK_INT(memcmp(cleaned.data, "\xD9\x85", 2), 0);
    kh_buf_free(&cleaned);

    /* random strings, biased towards two-byte letters and the bytes where
     * the rules change, against utf8proc */
    static const unsigned char pool[] = {0x20, 0x41, 0xD8, 0xD9, 0xDA, 0xDB, 0xA7, 0x84, 0x8A, 0xB9,
                                         0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE2, 0xED, 0xEF,
                                         0xF0, 0xF4, 0xF5, 0xFF, 0x00, 0x9F, 0xA0, 0x90, 0x8F};
    size_t mismatches = 0, valid = 0;
    for (long round = 0; round < 2000000; round++) {
        unsigned char s[48];
        size_t n = next_random() % sizeof s;
        for (size_t k = 0; k < n; k++) {
            uint64_t r = next_random();
            if (r % 3 == 0 && k + 1 < n) {
                s[k] = (unsigned char)(0xC2 + (r >> 8) % 30);
                s[++k] = (unsigned char)(0x80 + (r >> 16) % 64);
            } else {
                s[k] = (r >> 8) % 4 == 0 ? (unsigned char)(r >> 16) : pool[(r >> 16) % sizeof pool];
            }
        }
        size_t want = reference_bad(s, n);
        valid += want == n;
        if (bad_of((const char *)s, n) != want && mismatches++ < 3)
            CHECK_INT(bad_of((const char *)s, n), want);
    }
    CHECK_INT(mismatches, 0);
    CHECK(valid > 10000); /* the valid side was exercised too */
    return check_done();
}
