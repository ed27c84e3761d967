/* fuzz_analyzer.c — any bytes into the analyzer: no crash, and every token
 * keeps the promises of kh_token: offsets inside the input, in order, on
 * UTF-8 boundaries around valid UTF-8; positions 0, 1, 2 ...; a non-empty
 * valid UTF-8 term within KH_TERM_MAX; and the same answers whether the
 * cache is cold or warm. The first byte picks the stemmer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "khabar.h"
#include "util/utf8.h"


#define REQUIRE(cond) \
    do {              \
        if (!(cond))  \
            abort();  \
    } while (0)

#define MAX_TOKENS 4096

typedef struct seen {
    size_t start, end, term_len;
    uint32_t hash;
    int stop;
} seen;

static uint32_t fuzz_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static size_t run(kh_analyzer *a, const char *text, size_t len, seen *out)
{
    kh_token t;
    size_t n = 0, prev_end = 0;
    kh_analyzer_start(a, text, len);
    while (kh_analyzer_next_token(a, &t)) {
        REQUIRE(t.position == n);
        REQUIRE(t.start < t.end && t.end <= len && t.start >= prev_end);
        REQUIRE(kh_utf8_valid(text + t.start, t.end - t.start, NULL));
        REQUIRE(t.end == len || ((unsigned char)text[t.end] & 0xC0) != 0x80 ||
                !kh_utf8_valid(text + t.start, t.end - t.start + 1, NULL));
        REQUIRE(t.term_len > 0 && t.term_len <= KH_TERM_MAX);
        REQUIRE(kh_utf8_valid(t.term, t.term_len, NULL));
        REQUIRE(t.is_stopword == 0 || t.is_stopword == 1);
        if (n < MAX_TOKENS)
            out[n] = (seen){t.start, t.end, t.term_len, fuzz_hash(t.term, t.term_len), t.is_stopword};
        prev_end = t.end;
        n++;
    }
    REQUIRE(!kh_analyzer_next_token(a, &t)); /* stays at the end */
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *const *names = kh_analyzer_stemmers();
    const char *stemmer = names[data[0] % 4];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    /* One analyzer per stemmer for the whole run, as an indexer keeps one:
     * creating one per input would spend the time on setup, and a cache
     * that lives across inputs is what needs testing. */
    static kh_analyzer *analyzers[4];
    kh_analyzer **slot = &analyzers[data[0] % 4];
    if (!*slot)
        REQUIRE(kh_analyzer_new(stemmer, slot, NULL) == KH_OK);
    kh_analyzer *a = *slot;
    static seen first[MAX_TOKENS], second[MAX_TOKENS];
    size_t n1 = run(a, text, len, first);
    size_t n2 = run(a, text, len, second); /* warm cache now */
    REQUIRE(n1 == n2);
    size_t k = n1 < MAX_TOKENS ? n1 : MAX_TOKENS;
    REQUIRE(memcmp(first, second, k * sizeof first[0]) == 0);

    kh_error err;
    kh_status st = kh_analyzer_check_text(text, len, &err);
    REQUIRE(st == (kh_utf8_valid(text, len, NULL) ? KH_OK : KH_ERR_UTF8));
    return 0;
}
