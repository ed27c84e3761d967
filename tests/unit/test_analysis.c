/* test_analysis.c — the analyzer: tokens, offsets, normalisation, stopwords,
 * stemmers, and the probes of issue 3 that must hold with the default. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "check.h"
#include "khabar.h"

/* The terms of text, space-separated; stopwords are prefixed with '!'. */
static const char *terms(kh_analyzer *a, const char *text)
{
    static char out[8192];
    size_t n = 0;
    kh_token t;
    kh_analyzer_start(a, text, strlen(text));
    out[0] = '\0';
    while (kh_analyzer_next_token(a, &t)) {
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%s%.*s", n ? " " : "",
                              t.is_stopword ? "!" : "", (int)t.term_len, t.term);
        if (n >= sizeof out)
            break;
    }
    return out;
}

static kh_analyzer *make(const char *stemmer)
{
    kh_analyzer *a = NULL;
    kh_error err;
    kh_status st = kh_analyzer_new(stemmer, &a, &err);
    CHECK_INT(st, KH_OK);
    if (!a) {
        fprintf(stderr, "cannot create analyzer %s: %s\n", stemmer ? stemmer : "(default)", err.message);
        exit(1);
    }
    return a;
}

/* Each line of the issue's probe list: every form must give the same terms. */
static void same_terms(kh_analyzer *a, const char *const *forms, size_t n)
{
    char first[1024];
    snprintf(first, sizeof first, "%s", terms(a, forms[0]));
    CHECK(first[0] != '\0');
    for (size_t i = 1; i < n; i++) {
        const char *got = terms(a, forms[i]);
        if (strcmp(got, first) != 0)
            fprintf(stderr, "probe: '%s' -> '%s' but '%s' -> '%s'\n", forms[0], first, forms[i], got);
        CHECK_STR(got, first);
    }
}

#define SAME(a, ...)                                                                    \
    do {                                                                                \
        static const char *const forms_[] = {__VA_ARGS__};                              \
        same_terms((a), forms_, sizeof forms_ / sizeof forms_[0]);                     \
    } while (0)

static void test_issue_probes(void)
{
    kh_analyzer *a = make(NULL);
    SAME(a, "المفاوضات", "مفاوضات", "والمفاوضات");
    SAME(a, "إسرائيل", "اسرائيل", "إسرائيلَ");
    SAME(a, "مدرسة", "مدرسه");
    SAME(a, "مستشفى", "مستشفي");
    SAME(a, "غدًا", "غدا");
    SAME(a, "٢٠٢٦", "2026", "۲۰۲۶");
    SAME(a, "كـــتاب", "كتاب", "کتاب");
    SAME(a, "علی", "علي");
    SAME(a, "ﻻعب", "لاعب");
    SAME(a, "Axios", "axios");

    kh_token t;
    const char *g = "«أكسيوس»";
    kh_analyzer_start(a, g, strlen(g));
    CHECK(kh_analyzer_next_token(a, &t));
    CHECK_INT(t.start, 2);  /* « is two bytes */
    CHECK_INT(t.end, 14);   /* six two-byte letters */
    CHECK_INT(t.term_len, strlen("اكسيوس"));
    CHECK(memcmp(t.term, "اكسيوس", t.term_len) == 0);
    CHECK(!kh_analyzer_next_token(a, &t));
    kh_analyzer_free(a);
}

/* The 28 probes of ../shared/bench/peers/queries/probes.tsv as pairs of
 * (document word, query word) that must give the same term. Copied here so
 * the test runs anywhere; test_analysis_corpus checks the file itself. */
static void test_peer_probes(void)
{
    kh_analyzer *a = make(NULL);
    SAME(a, "مُفَاوَضَات", "مفاوضات");
    SAME(a, "محمّد", "محمد");
    SAME(a, "إسرائيل", "اسرائيل");
    SAME(a, "أمريكا", "امريكا");
    SAME(a, "آثار", "اثار");
    SAME(a, "الحكومة", "الحكومه");
    SAME(a, "مستشفى", "مستشفي");
    SAME(a, "السـعـودية", "السعودية");
    SAME(a, "2026", "٢٠٢٦", "۲۰۲۶");
    SAME(a, "المفاوضات", "مفاوضات");
    SAME(a, "والمفاوضات", "مفاوضات");
    SAME(a, "بالرياض", "الرياض");
    SAME(a, "للسعودية", "السعودية");
    SAME(a, "المعلمون", "معلم");
    SAME(a, "سياراتهم", "سيارات");
    SAME(a, "الاتفاقيات", "اتفاقية");
    SAME(a, "دول", "دولة");
    SAME(a, "ﺍﻟﺴﻌﻮﺩﻳﺔ", "السعودية");
    SAME(a, "كتاب", "کتاب");
    SAME(a, "علي", "علی");
    kh_analyzer_free(a);
}

static void test_tokens_and_offsets(void)
{
    kh_analyzer *a = make("none");
    const char *text = "قال: «مرحبا» COVID-19، و٣٫٥% من 1,000 G20؟";
    kh_analyzer_start(a, text, strlen(text));
    kh_token t;
    static const struct {
        const char *term;
        const char *original;
        int stop;
    } want[] = {
        {"قال", "قال", 1},   {"مرحبا", "مرحبا", 0}, {"covid", "COVID", 0}, {"19", "19", 0},
        {"و3.5", "و٣٫٥", 0}, {"من", "من", 1},       {"1000", "1,000", 0},  {"g20", "G20", 0},
    };
    size_t i = 0;
    while (kh_analyzer_next_token(a, &t)) {
        if (i < sizeof want / sizeof want[0]) {
            CHECK_INT(t.term_len, strlen(want[i].term));
            CHECK(t.term_len == strlen(want[i].term) && memcmp(t.term, want[i].term, t.term_len) == 0);
            CHECK_INT(t.end - t.start, strlen(want[i].original));
            CHECK(memcmp(text + t.start, want[i].original, t.end - t.start) == 0);
            CHECK_INT(t.position, i);
            CHECK_INT(t.is_stopword, want[i].stop);
        }
        i++;
    }
    CHECK_INT(i, sizeof want / sizeof want[0]);

    /* Diacritics and tatweel stay inside the original span; a trailing
     * invisible mark does not. */
    const char *v = "مُحَمَّد\xE2\x80\x8F كـتـاب";
    kh_analyzer_start(a, v, strlen(v));
    CHECK(kh_analyzer_next_token(a, &t));
    CHECK_INT(t.start, 0);
    CHECK_INT(t.end, strlen("مُحَمَّد"));
    CHECK(kh_analyzer_next_token(a, &t));
    CHECK_INT(t.start, strlen("مُحَمَّد\xE2\x80\x8F "));
    CHECK_INT(t.end, strlen(v));
    CHECK(!kh_analyzer_next_token(a, &t));
    CHECK(!kh_analyzer_next_token(a, &t)); /* stays at the end */

    /* a token of nothing but tatweel is no token and takes no position */
    CHECK_STR(terms(a, "ـــ كتاب"), "كتاب");
    /* ZWNJ inside a word joins, bidi marks are not terms */
    CHECK_STR(terms(a, "می\xE2\x80\x8Cخواهم"), "ميخواهم");
    /* number separators only between digits */
    CHECK_STR(terms(a, "2026. ,5 3.5.7"), "2026 5 3.5.7");
    /* Latin accents and case */
    CHECK_STR(terms(a, "Café ÉCOLE ﬁnal"), "cafe ecole final");
    /* presentation forms and ligatures (NFKC) */
    CHECK_STR(terms(a, "ﷲ ﻟﻠﻪ"), "الله لله");
    /* ﷺ is a formula, not a word */
    CHECK_STR(terms(a, "محمد ﷺ قال"), "محمد !قال");
    /* empty and separator-only input */
    CHECK_STR(terms(a, ""), "");
    CHECK_STR(terms(a, " ،؛؟«»… "), "");
    kh_analyzer_free(a);
}

static void test_normalization(void)
{
    kh_analyzer *a = make("none");
    CHECK_STR(terms(a, "أحمد إبراهيم آمال ٱلله"), "احمد ابراهيم امال الله");
    CHECK_STR(terms(a, "مُسْتَشْفَىً ٰ"), "مستشفي");
    CHECK_STR(terms(a, "هدى جامعة"), "هدي جامعه");
    CHECK_STR(terms(a, "١٢٣٤٥٦٧٨٩٠ ۱۲۳۴۵۶۷۸۹۰"), "1234567890 1234567890");
    CHECK_STR(terms(a, "ک ی ہ ۀ ە ھ"), "ك ي ه ه ه ه");
    /* ؤ and ئ: the hamza seats fold to ء, so مسؤول = مسئول */
    CHECK_STR(terms(a, "مسؤول مسئول"), "مسءول مسءول");
    /* decomposed hamza on waw gives the same as the precomposed letter */
    CHECK_STR(terms(a, "مسو\xD9\x94ول"), "مسءول");
    kh_analyzer_free(a);

    /* light10 keeps ؤ ئ as Lucene does */
    a = make("light10");
    CHECK_STR(terms(a, "رئيس"), "رئيس");
    kh_analyzer_free(a);
}

static void test_stopwords(void)
{
    kh_analyzer *a = make(NULL);
    /* normalised before the lookup: diacritics, hamza and ى forms still match */
    CHECK_STR(terms(a, "فِي إلى الى وفي فإن وهذا"), "!في !الي !الي !وفي !فان !هذا");
    /* on the same position scale */
    kh_token t;
    kh_analyzer_start(a, "ذهب إلى المدرسة", strlen("ذهب إلى المدرسة"));
    CHECK(kh_analyzer_next_token(a, &t) && t.position == 0 && !t.is_stopword);
    CHECK(kh_analyzer_next_token(a, &t) && t.position == 1 && t.is_stopword);
    CHECK(kh_analyzer_next_token(a, &t) && t.position == 2 && !t.is_stopword);
    /* على is not a stopword: its normalised form is the name علي */
    CHECK_STR(terms(a, "على علي"), "علي علي");
    /* ولي (ولي العهد) is not و + لي */
    CHECK_STR(terms(a, "ولي لي"), "ولي !لي");
    kh_analyzer_free(a);
}

static void test_stemmers(void)
{
    kh_analyzer *l10 = make("light10");
    /* faithful to Lucene, including its known over-stripping */
    CHECK_STR(terms(l10, "الله إيران والمعلمين ومعلم كتابها"), "له اير معلم معلم كتاب");
    CHECK_STR(terms(l10, "وزارة"), "زار");
    kh_analyzer_free(l10);

    kh_analyzer *light = make("light");
    CHECK_STR(terms(light, "الله إيران لبنان سلمان البحرين عبدالله"),
              "الله ايران لبنان سلمان بحرين عبدالله");
    CHECK_STR(terms(light, "والمعلمين للمعلمين وبالمدرسة حكومتها الحكومات"),
              "معلم معلم مدرس حكوم حكوم");
    CHECK_STR(terms(light, "وزارة"), "وزار");
    CHECK_STR(terms(light, "قانون مليون بيتها"), "قانون مليون بيت");

    /* single-letter proclitics و ف ب ل ك: a query without one meets the
     * article with it, stacked ones too */
    CHECK_STR(terms(light, "لتحلية تحلية ولمدرسة بمدرسة كمدرسة مدرسة"),
              "تحل تحل مدرس مدرس مدرس مدرس");
    CHECK_STR(terms(light, "وطالبة طالبة وبطلاقة بطلاقة طلاقة ويزور يزور فقال"),
              "طالب طالب طلاق طلاق طلاق يزور يزور !قال");
    CHECK_STR(terms(light, "برنامج البرنامج وبرنامج وبعدم عدم"), "برنامج برنامج برنامج عدم عدم");
    /* not from hand-listed root-initial stems (a root letter, not a clitic),
     * however prefixed */
    CHECK_STR(terms(light, "وزارة ووزارة الوزارة وزير الوزير ووزير بوجود وجود"),
              "وزار وزار وزار وزير وزير وزير وجود وجود");
    CHECK_STR(terms(light, "بيان لبنان كتاب فريق فيصل واضح وطني الوطني وطن"),
              "بيان لبنان كتاب فريق فيصل واضح وطن وطن وطن");
    /* not when fewer than three letters would remain, not from الله */
    CHECK_STR(terms(light, "وصل بحث ولد لله ولي"), "وصل بحث ولد لله ولي");
    CHECK_STR(terms(light, "وعبدالله عبدالله"), "عبدالله عبدالله");
    /* every listed root-initial stem is its own stem, so the list can match */
    for (size_t i = 0; i < kh_light_root_initial_count; i++) {
        char w[64];
        size_t n = strlen(kh_light_root_initial[i]);
        memcpy(w, kh_light_root_initial[i], n);
        size_t m = kh_stem_light(w, n);
        if (m != n || memcmp(w, kh_light_root_initial[i], n) != 0)
            CHECK_STR(kh_light_root_initial[i], "(its own stem)");
        if (i > 0 && strcmp(kh_light_root_initial[i - 1], kh_light_root_initial[i]) >= 0)
            CHECK_STR(kh_light_root_initial[i], "(sorted after the previous entry)");
    }
    CHECK_INT((int)kh_light_root_initial_count, 143);
    kh_analyzer_free(light);

    kh_analyzer *sb = make("snowball");
    /* Snowball, as the library gives it (normalised first) */
    CHECK_STR(terms(sb, "المفاوضات"), "مفاوض");
    kh_analyzer_free(sb);
}

static void test_api(void)
{
    kh_analyzer *a = NULL;
    kh_error err;
    CHECK_INT(kh_analyzer_new("porter", &a, &err), KH_ERR_ARGUMENT);
    CHECK(a == NULL);
    CHECK(strstr(err.message, "porter") != NULL);
    CHECK_INT(kh_analyzer_new("none", NULL, NULL), KH_ERR_ARGUMENT);

    kh_analyzer *d = make(NULL), *l = make("light"), *s = make("snowball");
    CHECK_STR(kh_analyzer_id(d), kh_analyzer_id(l));
    CHECK(strcmp(kh_analyzer_id(l), kh_analyzer_id(s)) != 0);
    CHECK(strstr(kh_analyzer_id(s), "snowball") != NULL);
    const char *const *names = kh_analyzer_stemmers();
    CHECK_STR(names[0], "light");
    CHECK_STR(names[4], NULL);
    kh_analyzer_free(d);
    kh_analyzer_free(l);
    kh_analyzer_free(s);
    kh_analyzer_free(NULL);

    CHECK_INT(kh_analyzer_check_text("abc", 3, &err), KH_OK);
    CHECK_INT(kh_analyzer_check_text("ab\xC3(", 4, &err), KH_ERR_UTF8);
    CHECK_STR(err.message, "invalid UTF-8 at byte 2");
}

/* Invalid bytes, given anyway, are separators; offsets stay on boundaries. */
static void test_invalid_bytes(void)
{
    kh_analyzer *a = make(NULL);
    const char bad[] = "ab\xFF" "cd\xD8" "كتاب\xE2\x82";
    kh_analyzer_start(a, bad, sizeof bad - 1);
    kh_token t;
    CHECK(kh_analyzer_next_token(a, &t) && t.start == 0 && t.end == 2);
    CHECK(kh_analyzer_next_token(a, &t) && t.start == 3 && t.end == 5);
    CHECK(kh_analyzer_next_token(a, &t) && t.start == 6 && t.end == 14);
    CHECK(!kh_analyzer_next_token(a, &t));
    kh_analyzer_free(a);
}

/* The cache must never change an answer: analyse many distinct words (more
 * than the cache holds, so entries are evicted and loaded again), twice, and
 * compare with the uncached pipeline (normalise + stem) every time. Long
 * words (22 bytes) and short ones (14 bytes) live in different tables. */
static int cache_mismatches(kh_analyzer *a, int short_words, int distinct, int *checked)
{
    static const char *const letters[] = {"ب", "ت", "س", "ك", "م", "ل", "ن", "ر",
                                          "ع", "ف", "ق", "ح", "ج", "د", "ش", "ص"};
    const kh_norm_profile profile = {.fold_hamza_seats = 1};
    char word[64], want[KH_TERM_MAX];
    int mismatches = 0;
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < distinct; i++) {
            if (short_words)
                snprintf(word, sizeof word, "%s%s%s%s%sون", letters[i % 16], letters[(i / 16) % 16],
                         letters[(i / 256) % 16], letters[(i / 4096) % 16], letters[(i / 65536) % 16]);
            else
                snprintf(word, sizeof word, "وال%s%s%s%s%s%sات", letters[i % 8], letters[(i / 8) % 8],
                         letters[(i / 64) % 8], letters[(i / 512) % 8], letters[(i / 4096) % 8],
                         letters[(i / 32768) % 8]);
            size_t n = kh_normalize(&profile, word, strlen(word), want, sizeof want);
            n = kh_stem_light(want, n);
            kh_token t;
            kh_analyzer_start(a, word, strlen(word));
            if (!kh_analyzer_next_token(a, &t) || t.term_len != n || memcmp(t.term, want, n) != 0)
                mismatches++;
            (*checked)++;
        }
    return mismatches;
}

static void test_cache_consistency(void)
{
    kh_analyzer *a = make(NULL);
    int checked = 0;
    /* 262,144 long words: 16 times the long table's 16,384 entries */
    CHECK_INT(cache_mismatches(a, 0, 262144, &checked), 0);
    /* 524,288 short words: twice the short table's 262,144 entries */
    CHECK_INT(cache_mismatches(a, 1, 524288, &checked), 0);
    CHECK_INT(checked, 2 * 262144 + 2 * 524288);

    /* a term longer than the cap is cut on a code point boundary */
    char longw[2001];
    for (int i = 0; i < 1000; i++)
        memcpy(longw + 2 * i, "ب", 2);
    longw[2000] = '\0';
    kh_token t;
    kh_analyzer_start(a, longw, 2000);
    CHECK(kh_analyzer_next_token(a, &t));
    CHECK_INT(t.end, 2000);
    CHECK(t.term_len <= KH_TERM_MAX && t.term_len % 2 == 0);
    kh_analyzer_free(a);
}

/* The tokenizer as docs/analysis.md states it, one decoded character at a
 * time: the reference for the table-driven tokenizer and its shortcuts
 * (runs of two-byte letters, a run of non-ASCII bytes taken whole when the
 * cache knows it). Fills starts/ends; returns the number of tokens. */
static size_t reference_tokens(const char *text, size_t len, size_t *starts, size_t *ends, size_t max)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t n = 0, pos = 0;
    while (pos < len) {
        int32_t cp;
        size_t k = kh_utf8_decode_strict(u + pos, len - pos, &cp);
        kh_char_class c = kh_char_class_of(cp);
        if (c != KH_CC_LETTER && c != KH_CC_DIGIT) {
            pos += k;
            continue;
        }
        size_t start = pos, end = pos + k;
        kh_char_class prev = c;
        pos += k;
        while (pos < len) {
            k = kh_utf8_decode_strict(u + pos, len - pos, &cp);
            c = kh_char_class_of(cp);
            if (c == KH_CC_LETTER || c == KH_CC_DIGIT || c == KH_CC_MARK) {
                pos += k;
                end = pos;
                prev = c;
            } else if (c == KH_CC_IGNORABLE) {
                pos += k;
            } else if (c == KH_CC_NUMSEP && prev == KH_CC_DIGIT && pos + k < len) {
                int32_t next;
                size_t k2 = kh_utf8_decode_strict(u + pos + k, len - pos - k, &next);
                if (kh_char_class_of(next) != KH_CC_DIGIT)
                    break;
                pos += k + k2;
                end = pos;
            } else {
                break;
            }
        }
        if (n < max) {
            starts[n] = start;
            ends[n] = end;
        }
        n++;
    }
    return n;
}

/* Random texts made of words the cache will know, separators that are not
 * ASCII (، « » …), invisible characters, digits and number separators,
 * Latin letters, marks, invalid bytes, with and without spaces: one
 * analyzer, warm after the first texts, must give the reference's spans
 * and the uncached pipeline's terms. A run of non-ASCII bytes that equals
 * a cached word except for what follows it (كتاب، كتاب‌ كتاب٣.5) is where a
 * shortcut would go wrong. */
static void test_tokenizer_against_reference(void)
{
    static const char *const pieces[] = {
        "كتاب", "كتاب", "كتاب٣", "كتاب１", "كتاب\u200c", "كتاب،", "والمدرسة", "في", "الاتفاقيات", "مستشفى", "إسرائيلَ", "كـــتاب",
        "بالبرنامج", "ﻻعب", "،", "؛", "؟", "«", "»", "…", "\u200c", "\u200f", "\u00ad",
        "٣", "٫", "٬", "3", ".", ",", "１", "a", "Z", "é", "ـ", "َ", "\xD8", "\xFF", "\xE2\x82",
        "\xF0\x9F\x98\x80", "ﷺ", "-", ":", " ", " ", " ", " ", " ",
    };
    const size_t n_pieces = sizeof pieces / sizeof pieces[0];
    kh_analyzer *a = make(NULL);
    const kh_norm_profile profile = {.fold_hamza_seats = 1};
    static size_t want_start[256], want_end[256];
    char text[1024], want[KH_TERM_MAX + 8];
    uint32_t seed = 12345;
    int span_mismatches = 0, term_mismatches = 0;
    size_t tokens = 0;
    for (int i = 0; i < 40000; i++) {
        size_t len = 0, count = 1 + (size_t)(i % 24);
        for (size_t p = 0; p < count; p++) {
            seed = seed * 1103515245u + 12345u;
            const char *piece = pieces[(seed >> 16) % n_pieces];
            size_t plen = strlen(piece);
            memcpy(text + len, piece, plen);
            len += plen;
        }
        size_t n = reference_tokens(text, len, want_start, want_end, 256);
        kh_analyzer_start(a, text, len);
        kh_token t;
        size_t got = 0, position = 0;
        while (kh_analyzer_next_token(a, &t)) {
            /* a token of tatweel and marks only has no term and no position */
            while (got < n && kh_normalize(&profile, text + want_start[got],
                                           want_end[got] - want_start[got], want, KH_TERM_MAX) == 0)
                got++;
            if (got >= n || t.start != want_start[got] || t.end != want_end[got] ||
                t.position != position) {
                span_mismatches++;
                break;
            }
            size_t wn = kh_normalize(&profile, text + t.start, t.end - t.start, want, KH_TERM_MAX);
            wn = kh_stem_light(want, wn);
            if (t.term_len != wn || memcmp(t.term, want, wn) != 0)
                term_mismatches++;
            got++;
            position++;
            tokens++;
        }
        while (got < n && kh_normalize(&profile, text + want_start[got], want_end[got] - want_start[got],
                                       want, KH_TERM_MAX) == 0)
            got++;
        if (got != n)
            span_mismatches++;
    }
    CHECK_INT(span_mismatches, 0);
    CHECK_INT(term_mismatches, 0);
    CHECK(tokens > 100000); /* the texts are not all separators */
    kh_analyzer_free(a);
}

int main(void)
{
    test_issue_probes();
    test_peer_probes();
    test_tokens_and_offsets();
    test_normalization();
    test_stopwords();
    test_stemmers();
    test_api();
    test_invalid_bytes();
    test_cache_consistency();
    test_tokenizer_against_reference();
    return check_done();
}
