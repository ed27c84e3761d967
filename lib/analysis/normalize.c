/* normalize.c — character classes for the tokenizer and the folding of one
 * token to its canonical spelling. Every rule and its reason is listed in
 * docs/analysis.md; the comments here say why the code is shaped as it is. */
#include "analysis/analysis.h"

#include <string.h>

#include <utf8proc.h>

#include "util/text.h"
#include "util/utf8.h"

/* ASCII is decided by a table: it is most of what non-Arabic news holds and
 * the class of every character of every input is asked for. */
static const unsigned char ascii_class[128] = {
    ['0'] = KH_CC_DIGIT, ['1'] = KH_CC_DIGIT, ['2'] = KH_CC_DIGIT, ['3'] = KH_CC_DIGIT,
    ['4'] = KH_CC_DIGIT, ['5'] = KH_CC_DIGIT, ['6'] = KH_CC_DIGIT, ['7'] = KH_CC_DIGIT,
    ['8'] = KH_CC_DIGIT, ['9'] = KH_CC_DIGIT,
    ['.'] = KH_CC_NUMSEP, [','] = KH_CC_NUMSEP,
    ['A'] = KH_CC_LETTER, ['B'] = KH_CC_LETTER, ['C'] = KH_CC_LETTER, ['D'] = KH_CC_LETTER,
    ['E'] = KH_CC_LETTER, ['F'] = KH_CC_LETTER, ['G'] = KH_CC_LETTER, ['H'] = KH_CC_LETTER,
    ['I'] = KH_CC_LETTER, ['J'] = KH_CC_LETTER, ['K'] = KH_CC_LETTER, ['L'] = KH_CC_LETTER,
    ['M'] = KH_CC_LETTER, ['N'] = KH_CC_LETTER, ['O'] = KH_CC_LETTER, ['P'] = KH_CC_LETTER,
    ['Q'] = KH_CC_LETTER, ['R'] = KH_CC_LETTER, ['S'] = KH_CC_LETTER, ['T'] = KH_CC_LETTER,
    ['U'] = KH_CC_LETTER, ['V'] = KH_CC_LETTER, ['W'] = KH_CC_LETTER, ['X'] = KH_CC_LETTER,
    ['Y'] = KH_CC_LETTER, ['Z'] = KH_CC_LETTER,
    ['a'] = KH_CC_LETTER, ['b'] = KH_CC_LETTER, ['c'] = KH_CC_LETTER, ['d'] = KH_CC_LETTER,
    ['e'] = KH_CC_LETTER, ['f'] = KH_CC_LETTER, ['g'] = KH_CC_LETTER, ['h'] = KH_CC_LETTER,
    ['i'] = KH_CC_LETTER, ['j'] = KH_CC_LETTER, ['k'] = KH_CC_LETTER, ['l'] = KH_CC_LETTER,
    ['m'] = KH_CC_LETTER, ['n'] = KH_CC_LETTER, ['o'] = KH_CC_LETTER, ['p'] = KH_CC_LETTER,
    ['q'] = KH_CC_LETTER, ['r'] = KH_CC_LETTER, ['s'] = KH_CC_LETTER, ['t'] = KH_CC_LETTER,
    ['u'] = KH_CC_LETTER, ['v'] = KH_CC_LETTER, ['w'] = KH_CC_LETTER, ['x'] = KH_CC_LETTER,
    ['y'] = KH_CC_LETTER, ['z'] = KH_CC_LETTER,
};

kh_char_class kh_char_class_of(int32_t cp)
{
    if (cp < 0)
        return KH_CC_SEPARATOR;
    if (cp < 0x80)
        return (kh_char_class)ascii_class[cp];
    /* Arabic letters are the common case: answer them without a table walk. */
    if ((cp >= 0x0621 && cp <= 0x063A) || (cp >= 0x0641 && cp <= 0x064A))
        return KH_CC_LETTER;
    switch (cp) {
    case 0x066B: /* ARABIC DECIMAL SEPARATOR ٫ */
    case 0x066C: /* ARABIC THOUSANDS SEPARATOR ٬ */
        return KH_CC_NUMSEP;
    case 0x200C: /* ZWNJ: Persian writes it inside words */
    case 0x200D: /* ZWJ */
        return KH_CC_IGNORABLE;
    case 0xFDFA: /* ﷺ and ﷻ decompose to whole phrases with spaces: */
    case 0xFDFB: /* they are formulas, not words */
        return KH_CC_SEPARATOR;
    default:
        break;
    }
    if (kh_is_invisible(cp))
        return KH_CC_IGNORABLE;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: /* includes tatweel, removed by normalisation */
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: /* ² ½: NFKC turns them into digits */
        return KH_CC_LETTER;
    case UTF8PROC_CATEGORY_ND:
        return KH_CC_DIGIT;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return KH_CC_MARK;
    default:
        return KH_CC_SEPARATOR;
    }
}

#define ALEF 0x0627
#define HAMZA 0x0621
#define WAW 0x0648
#define YEH 0x064A
#define HEH 0x0647
#define KAF 0x0643

/* Maps one code point of the Arabic block; returns the replacement, 0 for
 * "delete", or cp itself. */
static int32_t map_arabic(const kh_norm_profile *p, int32_t cp)
{
    if ((cp >= 0x064B && cp <= 0x065F) || (cp >= 0x0610 && cp <= 0x061A) || cp == 0x0670 ||
        (cp >= 0x06D6 && cp <= 0x06ED && cp != 0x06DD && cp != 0x06DE && cp != 0x06E5 &&
         cp != 0x06E6 && cp != 0x06E9) ||
        cp == 0x0640)
        return 0; /* harakat, tanween, shadda, sukun, superscript alef, Quranic marks, tatweel */
    if (cp >= 0x0660 && cp <= 0x0669)
        return '0' + (cp - 0x0660);
    if (cp >= 0x06F0 && cp <= 0x06F9)
        return '0' + (cp - 0x06F0);
    switch (cp) {
    case 0x0622: case 0x0623: case 0x0625: /* آ أ إ */
    case 0x0671: case 0x0672: case 0x0673: case 0x0675: /* ٱ and the wavy-hamza alefs */
        return ALEF;
    case 0x0649: /* ى */
    case 0x06CC: /* Farsi yeh ی */
    case 0x06D2: /* yeh barree ے */
    case 0x06D3:
        return YEH;
    case 0x0629: /* ة */
    case 0x06C0: case 0x06C1: case 0x06C2: case 0x06C3: /* ۀ ہ ۂ ۃ */
    case 0x06D5: /* ە */
    case 0x06BE: /* ھ */
        return HEH;
    case 0x06A9: case 0x06AA: case 0x06AB: /* ک ڪ ګ */
        return KAF;
    case 0x0624: /* ؤ */
    case 0x0626: /* ئ */
        return p->fold_hamza_seats ? HAMZA : cp;
    default:
        return cp;
    }
}

static size_t put(char *out, size_t n, size_t cap, int32_t cp)
{
    char tmp[4];
    size_t k = kh_utf8_encode(cp, tmp);
    if (n + k > cap)
        return n;
    for (size_t i = 0; i < k; i++)
        out[n + i] = tmp[i];
    return n + k;
}

/* The code point ending out[0..n), or -1 (used by the combining-hamza rule). */
static int32_t last_cp(const char *out, size_t n)
{
    if (n == 0)
        return -1;
    size_t i = n - 1;
    while (i > 0 && ((unsigned char)out[i] & 0xC0) == 0x80)
        i--;
    int32_t cp;
    kh_utf8_decode((const unsigned char *)out + i, n - i, &cp);
    return cp;
}

static size_t normalize_cp(const kh_norm_profile *p, int32_t cp, char *out, size_t n, size_t cap,
                           int depth)
{
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        if (cp == ',')
            return n; /* thousands separator: 1,000 = 1000 (the decimal point stays) */
        return put(out, n, cap, cp);
    }
    if (cp >= 0x0600 && cp <= 0x06FF) {
        if (cp == 0x066B)
            return put(out, n, cap, '.'); /* ٣٫٥ = 3.5 */
        if (cp == 0x066C)
            return n; /* ٢٬٠٠٠ = 2000 */
        if (cp == 0x0654 || cp == 0x0655) {
            /* A decomposed hamza: on و/ي it makes ؤ/ئ, on alef it is dropped
             * like the precomposed أ/إ. */
            int32_t prev = last_cp(out, n);
            if ((prev == WAW || prev == YEH) && n >= 2) {
                n -= 2;
                return put(out, n, cap, p->fold_hamza_seats ? HAMZA : (prev == WAW ? 0x0624 : 0x0626));
            }
            return n;
        }
        int32_t m = map_arabic(p, cp);
        return m ? put(out, n, cap, m) : n;
    }
    if (kh_char_class_of(cp) == KH_CC_IGNORABLE)
        return n;
    /* Everything else: compatibility decomposition (NFKC's folding of
     * presentation forms, ligatures, full-width and super/subscript forms),
     * case folding and mark stripping in one utf8proc call, then the Arabic
     * rules on what comes out. */
    utf8proc_int32_t buf[24];
    int boundclass = 0;
    utf8proc_ssize_t k = utf8proc_decompose_char(
        cp, buf, 24,
        UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_DECOMPOSE, &boundclass);
    if (k < 0 || k > 24)
        return put(out, n, cap, cp);
    if (k == 1 && buf[0] == cp)
        return put(out, n, cap, cp);
    for (utf8proc_ssize_t i = 0; i < k; i++) {
        if (buf[i] == ' ' || kh_char_class_of(buf[i]) == KH_CC_SEPARATOR)
            continue; /* e.g. the space NFKC puts before an isolated haraka */
        if (depth < 2)
            n = normalize_cp(p, buf[i], out, n, cap, depth + 1);
    }
    return n;
}

/* The letters of U+0600..U+067F that map to themselves (ا..غ but ة,
 * ف..و, ي, and ء, which map_arabic keeps), as a bitmap indexed by their
 * two UTF-8 bytes read as one number minus 0xD880 (D8 80..BF is
 * U+0600..U+063F, D9 80..BF, from bit 0x100, U+0640..U+067F; the pairs
 * between, D8 C0 to D9 7F, are not characters and stay zero). Most of a word is
 * made of them, so the loops below test one bit per letter. */
static const uint64_t plain_letters[5] = {
    0x07FFFD8200000000u,
    0x0000000000000000u,
    0x0000000000000000u,
    0x0000000000000000u,
    0x00000000000005FEu,
};

static inline int is_plain(const unsigned char *u)
{
    unsigned i = ((unsigned)u[0] << 8 | u[1]) - 0xD880u;
    return i < 0x140 && (plain_letters[i >> 6] >> (i & 63) & 1);
}

/* Writes the two bytes of a code point of U+0600..U+07FF. */
static inline size_t put2(char *out, size_t n, int32_t cp)
{
    out[n] = (char)(0xC0 | (cp >> 6));
    out[n + 1] = (char)(0x80 | (cp & 0x3F));
    return n + 2;
}

/* The common changes inside the Arabic block, done without decoding through
 * normalize_cp: the same results as map_arabic for these code points (the
 * unit tests and the corpus digests check it). Returns -1 for "not handled
 * here", else the new output length. */
static inline long fast_arabic(const kh_norm_profile *p, int32_t cp, char *out, size_t n, size_t cap)
{
    int32_t to;
    switch (cp) {
    case 0x0629: /* ة */
        to = HEH;
        break;
    case 0x0622: case 0x0623: case 0x0625: /* آ أ إ */
        to = ALEF;
        break;
    case 0x0649: /* ى */
        to = YEH;
        break;
    case 0x0624: case 0x0626: /* ؤ ئ */
        to = p->fold_hamza_seats ? HAMZA : cp;
        break;
    case 0x0640: /* tatweel */
    case 0x064B: case 0x064C: case 0x064D: case 0x064E: case 0x064F: /* tanween, harakat */
    case 0x0650: case 0x0651: case 0x0652: /* kasra, shadda, sukun */
    case 0x0670: /* superscript alef */
        return (long)n;
    default:
        return -1;
    }
    return n + 2 <= cap ? (long)put2(out, n, to) : (long)n;
}

size_t kh_normalize(const kh_norm_profile *p, const char *s, size_t len, char *out, size_t cap)
{
    const unsigned char *u = (const unsigned char *)s;
    /* Most words need no change at all: while that holds nothing is written,
     * and the unchanged run is copied once. */
    size_t i = 0;
    while (i + 1 < len && is_plain(u + i))
        i += 2;
    if (i > cap)
        i = cap & ~(size_t)1; /* whole two-byte letters only */
    memcpy(out, s, i);
    size_t n = i;
    while (i < len) {
        if (i + 1 < len && (u[i] & 0xFE) == 0xD8 && (u[i + 1] & 0xC0) == 0x80) {
            if (n + 2 <= cap && is_plain(u + i)) {
                out[n++] = (char)u[i];
                out[n++] = (char)u[i + 1];
                i += 2;
                continue;
            }
            int32_t cp = ((u[i] & 0x1F) << 6) | (u[i + 1] & 0x3F);
            long m = fast_arabic(p, cp, out, n, cap);
            if (m >= 0) {
                n = (size_t)m;
                i += 2;
                continue;
            }
        }
        int32_t cp;
        i += kh_utf8_decode_strict(u + i, len - i, &cp);
        if (cp < 0)
            continue;
        n = normalize_cp(p, cp, out, n, cap, 0);
    }
    return n;
}
