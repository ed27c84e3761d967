/* stem.c — the two light stemmers khabar implements itself.
 *
 * Both work in place on a normalised UTF-8 word. Affixes are matched as
 * bytes: UTF-8 is self-synchronising, so a byte suffix that is a whole
 * encoded string is also a code point suffix. Lengths in the guards are in
 * code points (letters), as the algorithms define them. */
#include "analysis/analysis.h"

#include <stdint.h>
#include <string.h>

/* Code points in w[0..len): bytes that are not continuation bytes
 * (10xxxxxx), counted eight at a time. */
static size_t letters(const char *w, size_t len)
{
    size_t continuation = 0, i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, w + i, 8);
        /* one bit per continuation byte, at bit 7: bit 7 set, bit 6 clear */
        uint64_t c = (v & ~(v << 1) & 0x8080808080808080u) >> 7;
        continuation += (size_t)((c * 0x0101010101010101u) >> 56); /* sum of the bytes */
    }
    for (; i < len; i++)
        continuation += ((unsigned char)w[i] & 0xC0) == 0x80;
    return len - continuation;
}

/* Affixes are a few bytes long: a byte loop that stops at the first
 * difference beats a call to memcmp. It runs backwards because an Arabic
 * letter's first byte (D8/D9) is shared by half the alphabet and its last
 * byte tells it apart. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
    for (size_t i = n; i-- > 0;)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static inline int starts_with(const char *w, size_t len, const char *affix, size_t alen)
{
    return len >= alen && same_bytes(w, affix, alen);
}

static inline int ends_with(const char *w, size_t len, const char *affix, size_t alen)
{
    return len >= alen && same_bytes(w + len - alen, affix, alen);
}

/* ------------------------------------------------------------------------ */
/* light10, as Lucene's ArabicStemmer implements it (Larkey, Ballesteros and
 * Connell 2007): at most one prefix from a fixed list, tried in list order,
 * then each suffix of a fixed list once, in list order. A prefix or suffix
 * is removed only when at least two letters remain, and the lone و only from
 * a word of four letters or more. Kept exactly so, mistakes included (الله ->
 * له): it is the reference the agreement test compares with. */

typedef struct affix {
    const char *s;
    size_t bytes;
    size_t letters;
} affix;

#define AFFIX(str, n) {str, sizeof(str) - 1, n}

static const affix light10_prefixes[] = {
    AFFIX("ال", 2), AFFIX("وال", 3), AFFIX("بال", 3), AFFIX("كال", 3),
    AFFIX("فال", 3), AFFIX("لل", 2), AFFIX("و", 1),
};

static const affix light10_suffixes[] = {
    AFFIX("ها", 2), AFFIX("ان", 2), AFFIX("ات", 2), AFFIX("ون", 2), AFFIX("ين", 2),
    AFFIX("يه", 2), AFFIX("ية", 2), AFFIX("ه", 1), AFFIX("ة", 1), AFFIX("ي", 1),
};

size_t kh_stem_light10(char *w, size_t len)
{
    size_t n = letters(w, len);
    for (size_t i = 0; i < sizeof light10_prefixes / sizeof light10_prefixes[0]; i++) {
        const affix *a = &light10_prefixes[i];
        int long_enough = a->letters == 1 ? n >= 4 : n >= a->letters + 2;
        if (long_enough && starts_with(w, len, a->s, a->bytes)) {
            memmove(w, w + a->bytes, len - a->bytes);
            len -= a->bytes;
            n -= a->letters;
            break;
        }
    }
    for (size_t i = 0; i < sizeof light10_suffixes / sizeof light10_suffixes[0]; i++) {
        const affix *a = &light10_suffixes[i];
        if (n >= a->letters + 2 && ends_with(w, len, a->s, a->bytes)) {
            len -= a->bytes;
            n -= a->letters;
        }
    }
    return len;
}

/* ------------------------------------------------------------------------ */
/* light: khabar's guarded light stemmer (docs/analysis.md, "The default
 * stemmer"). light10's affixes plus the pronoun suffixes and the stacked
 * clitics news text uses (وبال, ولل ...), with guards measured on the corpus
 * so that short words and names survive: a stem keeps at least three letters
 * (four before the -ان/-ين/-ون endings that most often end names: ايران,
 * لبنان, سلمان, البحرين), and a short list of protected words is never
 * touched. */

static const affix light_prefixes[] = {
    /* longest first: the first match wins */
    AFFIX("وبال", 4), AFFIX("وكال", 4), AFFIX("فبال", 4), AFFIX("وال", 3), AFFIX("فال", 3),
    AFFIX("بال", 3), AFFIX("كال", 3), AFFIX("ولل", 3), AFFIX("فلل", 3), AFFIX("لل", 2),
    AFFIX("ال", 2),
};

/* The suffix rules (strip_suffixes, written out there as tests on the
 * last letters):
 * - object pronouns and possessives, one at most, when three letters
 *   remain: هما كما هم هن كم ها; after one of them a word-final ت (not of
 *   ات) was a ة and goes too (حكومتها = حكومة + ها);
 * - then each of these once, in this order, when the letters in brackets
 *   remain: ات (3), ان ين ون (4), يه (3), ه (3), ي (3). */

/* Normalised words the stemmer leaves alone: frequent names whose letters
 * look like affixes. Names the length guards
 * already protect (ايران, جده) need no entry. */
static const affix light_protected[] = {
    AFFIX("الله", 4), AFFIX("عرفه", 4),
};

/* Both protected words are four two-byte letters: one length test and
 * two eight-byte compares (is_protected runs up to three times a word). */
static int is_protected(const char *w, size_t len)
{
    _Static_assert(sizeof light_protected / sizeof light_protected[0] == 2, "two 8-byte words");
    if (len != 8)
        return 0;
    return same_bytes(w, light_protected[0].s, 8) || same_bytes(w, light_protected[1].s, 8);
}

/* Single-letter proclitics: و and ف (and), ب (with, in), ل (for, to), ك (like).
 * They are written attached to the next word (بمدرسة, لتحلية, وطالبة), and
 * a query that leaves one out must still meet the article. Nothing in the
 * letters tells the clitic from a root letter (وزير, بيان, لبنان, كتاب,
 * فريق), so the rule is guarded: it removes at most two, one at a time, each
 * only when three letters remain, and never from a word whose stem (the
 * suffix rules applied) is one of the frequent root-initial stems below. The
 * same function runs on queries and articles, so a word that loses a root
 * letter loses it on both sides (برنامج -> رنامج everywhere); the list is for
 * the words that would then meet a different word (وزارة -> زار "visited",
 * واضح -> اضح, فيصل -> يصل "arrives") and for frequent stems whose longer
 * forms would otherwise part from them (وطن / وطني). docs/analysis.md has
 * the measurements. */
/* KH_LIGHT_CLITICS and CLITIC_MIN_REST are overridden with -D only to
 * measure variants (docs/analysis.md). */
#ifndef KH_LIGHT_CLITICS
#define KH_LIGHT_CLITICS "وبلفك"
#endif
#ifndef CLITIC_MIN_REST
#define CLITIC_MIN_REST 3
#endif
#define CLITIC_MAX 2

/* Normalised stems (what the suffix rules leave) that begin with a root
 * letter looking like a proclitic: frequent news words and names, written by
 * hand, sorted bytewise for a binary search. Every entry is its own stem (a
 * unit test checks both). */
const char *const kh_light_root_initial[] = {
    "باب", "بارز", "باريس", "باق", "باكست", "بحث", "بحر", "بحرين",
    "بدء", "بدا", "بدل", "برامج", "برنامج", "بريطانيا", "بشار",
    "بشر", "بطاق", "بطال", "بطل", "بطول", "بعث", "بغداد", "بقاء",
    "بكر", "بلاد", "بلد", "بلغ", "بناء", "بنت", "بندر", "بنك",
    "بواب", "بورص", "بيء", "بيان", "بيت", "بيروت", "بيع", "بيوت",
    "فءه", "فاءز", "فارس", "فارق", "فاطم", "فتح", "فتر", "فحص",
    "فراس", "فرص", "فرع", "فرنسا", "فريق", "فصل", "فضل", "فعال",
    "فقر", "فكر", "فلسط", "فندق", "فنون", "فني", "فهد", "فواز",
    "فوز", "فيصل", "فيلم", "كاس", "كامل", "كبار", "كبير", "كتاب",
    "كتب", "كره", "كشف", "كفاء", "كلف", "كلم", "كلي", "كمال", "كمي",
    "كندا", "كهرباء", "كوريا", "كويت", "كيان", "لاءح", "لاجء",
    "لازم", "لاعب", "لبنان", "لجن", "لحظ", "لحوم", "لغه", "لقاء",
    "لقب", "لندن", "لواء", "لون", "ليبيا", "ليل", "واج", "واحد",
    "واد", "وارد", "واسع", "واشنطن", "واصل", "واضح", "وافق",
    "واقع", "والد", "وثيق", "وجه", "وجود", "وحد", "ورق", "وزار",
    "وزراء", "وزن", "وزير", "وساءل", "وسط", "وسيل", "وصف", "وصول",
    "وضع", "وطن", "وظاءف", "وظيف", "وعد", "وفا", "وفد", "وفق", "وقت",
    "وقف", "وقود", "وكال", "وكيل", "ولا", "ولد", "ولي", "وليد",
};
const size_t kh_light_root_initial_count =
    sizeof kh_light_root_initial / sizeof kh_light_root_initial[0];

/* Compares w[0..len) (letters, never a zero byte) with the string r, as
 * strcmp would order them. */
static int compare_word(const char *w, size_t len, const char *r)
{
    for (size_t i = 0; i < len; i++) {
        if (w[i] != r[i]) /* also at r's end: its 0 is below any letter byte */
            return (unsigned char)w[i] < (unsigned char)r[i] ? -1 : 1;
    }
    return r[len] == '\0' ? 0 : -1;
}

static int is_root_initial(const char *w, size_t len)
{
#ifdef KH_NO_ROOT_LIST /* measurement switch (docs/analysis.md) */
    (void)w, (void)len;
#else
    /* the list is sorted bytewise (a unit test checks it) */
    size_t lo = 0, hi = kh_light_root_initial_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_word(w, len, kh_light_root_initial[mid]);
        if (c == 0)
            return 1;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
#endif
    return 0;
}

/* Does w begin with a letter of KH_LIGHT_CLITICS (all two-byte letters)? */
static int starts_with_clitic(const char *w, size_t len)
{
    static const char clitics[] = KH_LIGHT_CLITICS;
    if (len < 2)
        return 0;
    for (size_t i = 0; i + 1 < sizeof clitics; i += 2)
        if (w[0] == clitics[i] && w[1] == clitics[i + 1])
            return 1;
    return 0;
}

/* The two bytes of the letter at w[i], as one number: every affix below is
 * Arabic letters, two bytes each, so affixes are matched a letter at a
 * time with one compare. */
static inline unsigned letter_at(const char *w, size_t i)
{
    return (unsigned)(unsigned char)w[i] << 8 | (unsigned char)w[i + 1];
}

static inline unsigned last_letter(const char *w, size_t len)
{
    return len >= 2 ? letter_at(w, len - 2) : 0;
}

/* w ends with the letters l1 l2 */
static inline int ends2(const char *w, size_t len, unsigned l1, unsigned l2)
{
    return len >= 4 && letter_at(w, len - 2) == l2 && letter_at(w, len - 4) == l1;
}

#define L_ALEF 0xD8A7u  /* ا */
#define L_BEH 0xD8A8u   /* ب */
#define L_TEH 0xD8AAu   /* ت */
#define L_FEH 0xD981u   /* ف */
#define L_KAF 0xD983u   /* ك */
#define L_LAM 0xD984u   /* ل */
#define L_MEEM 0xD985u  /* م */
#define L_NOON 0xD986u  /* ن */
#define L_HEH 0xD987u   /* ه */
#define L_WAW 0xD988u   /* و */
#define L_YEH 0xD98Au   /* ي */

/* The pronoun and suffix rules (above): the length of w[0..len) (n
 * letters) without its suffixes; *n is updated. A switch on the last letter
 * and a straight run of tests: loops over tables of affixes were a third of
 * a cache miss's cost. The pronouns differ in their last two letters, so at
 * most one can match; the suffixes are each tried once, in order, each on
 * what the previous ones left. */
static size_t strip_suffixes(const char *w, size_t len, size_t *n_letters)
{
    size_t n = *n_letters;
    size_t p = 0; /* letters of the pronoun found */
    switch (last_letter(w, len)) {
    case L_ALEF: /* هما كما ها */
        if (len >= 6 && letter_at(w, len - 4) == L_MEEM) {
            unsigned l = letter_at(w, len - 6);
            p = l == L_HEH || l == L_KAF ? 3 : 0;
        } else if (len >= 4 && letter_at(w, len - 4) == L_HEH) {
            p = 2;
        }
        break;
    case L_MEEM: /* هم كم */
        if (len >= 4) {
            unsigned l = letter_at(w, len - 4);
            p = l == L_HEH || l == L_KAF ? 2 : 0;
        }
        break;
    case L_NOON: /* هن */
        p = len >= 4 && letter_at(w, len - 4) == L_HEH ? 2 : 0;
        break;
    default:
        break;
    }
    if (p && n >= p + 3) {
        len -= 2 * p;
        n -= p;
        /* a ت left behind (not of ات) was a ة */
        if (n >= 4 && last_letter(w, len) == L_TEH && !ends2(w, len, L_ALEF, L_TEH)) {
            len -= 2;
            n--;
        }
    }
    /* ات (3 letters left), ان ين ون (4), يه (3), ه (3), ي (3) */
    if (n >= 5 && ends2(w, len, L_ALEF, L_TEH))
        len -= 4, n -= 2;
    if (n >= 6 && ends2(w, len, L_ALEF, L_NOON))
        len -= 4, n -= 2;
    if (n >= 6 && ends2(w, len, L_YEH, L_NOON))
        len -= 4, n -= 2;
    if (n >= 6 && ends2(w, len, L_WAW, L_NOON))
        len -= 4, n -= 2;
    if (n >= 5 && ends2(w, len, L_YEH, L_HEH))
        len -= 4, n -= 2;
    if (n >= 4 && last_letter(w, len) == L_HEH)
        len -= 2, n -= 1;
    if (n >= 4 && last_letter(w, len) == L_YEH)
        len -= 2, n -= 1;
    *n_letters = n;
    return len;
}

/* The prefix of light_prefixes that w begins with, or NULL. The prefixes
 * differ in their first two letters, so at most one matches: which one is
 * decided by a switch instead of trying the eleven in turn. */
static const affix *light_prefix_of(const char *w, size_t len)
{
    if (len < 4)
        return NULL;
    unsigned second = letter_at(w, 2);
    int i = -1;
    switch (letter_at(w, 0)) {
    case L_ALEF:
        i = second == L_LAM ? 10 : -1; /* ال */
        break;
    case L_WAW:
        i = second == L_BEH ? 0 : second == L_KAF ? 1 : second == L_ALEF ? 3 : second == L_LAM ? 7 : -1;
        break;
    case L_FEH:
        i = second == L_BEH ? 2 : second == L_ALEF ? 4 : second == L_LAM ? 8 : -1;
        break;
    case L_BEH:
        i = second == L_ALEF ? 5 : -1; /* بال */
        break;
    case L_KAF:
        i = second == L_ALEF ? 6 : -1; /* كال */
        break;
    case L_LAM:
        i = second == L_LAM ? 9 : -1; /* لل */
        break;
    default:
        break;
    }
    if (i < 0 || !starts_with(w, len, light_prefixes[i].s, light_prefixes[i].bytes))
        return NULL;
    return &light_prefixes[i];
}

size_t kh_stem_light(char *w, size_t len)
{
    size_t start;
    size_t n = kh_stem_light_span(w, len, &start);
    memmove(w, w + start, n);
    return n;
}

size_t kh_stem_light_span(const char *word, size_t len, size_t *start)
{
    *start = 0;
    if (is_protected(word, len))
        return len;
    const char *w = word;
    size_t n = letters(w, len);
    const affix *a = light_prefix_of(w, len);
    if (a && n >= a->letters + 2) {
        /* the stem starts after the prefix: no bytes move */
        w += a->bytes;
        *start = a->bytes;
        len -= a->bytes;
        n -= a->letters;
    }
    /* The suffix pass of the last root-initial test, when the loop stops on
     * it: it is the pass the result needs, on the same letters. */
    size_t stem_len = 0;
    int have_stem = 0;
    for (int stripped = 0; stripped < CLITIC_MAX && n >= 1 + CLITIC_MIN_REST &&
                           starts_with_clitic(w, len) && !is_protected(w, len);
         stripped++) {
        size_t m = n;
        size_t sl = strip_suffixes(w, len, &m);
        if (is_root_initial(w, sl)) {
            stem_len = sl, have_stem = 1;
            break;
        }
        w += 2;
        *start += 2;
        len -= 2;
        n--;
    }
    if (is_protected(w, len))
        return len;
    /* عبدالله and its kind end in ه that is not a suffix */
    static const char allah[] = "الله";
    if (ends_with(w, len, allah, sizeof allah - 1))
        return len;
    if (have_stem)
        return stem_len;
    return strip_suffixes(w, len, &n);
}
