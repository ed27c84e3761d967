/* analysis.h — the pieces of the analyzer, private to the library.
 *
 * The analyzer (analyzer.c) is a pipeline applied to each token, in this
 * order, because each step needs the previous one's output to be reliable:
 *
 *   1. tokenize   raw UTF-8 -> word spans with byte offsets (analyzer.c)
 *   2. normalize  span -> canonical letters (normalize.c)
 *   3. stopwords  the normalised form is looked up (stopwords.c), so a
 *                 stopword typed with diacritics or أ/ا variation still is one
 *   4. stem       normalised form -> term (stem.c, or libstemmer)
 *
 * docs/analysis.md gives the reason for every rule. */
#ifndef KH_ANALYSIS_ANALYSIS_H
#define KH_ANALYSIS_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

/* Longest term kept, in bytes. A longer token keeps its full offsets but its
 * term is cut at a code point boundary: nobody searches for 256-byte words,
 * and a bound keeps every buffer fixed-size. */
#define KH_TERM_MAX 240

/* What a character does to tokenization. */
typedef enum kh_char_class {
    KH_CC_SEPARATOR = 0,  /* ends a token: spaces, punctuation, symbols, invalid bytes */
    KH_CC_LETTER,         /* starts and continues a token */
    KH_CC_DIGIT,          /* starts and continues a token; may be joined by KH_CC_NUMSEP */
    KH_CC_MARK,           /* continues a token (harakat, accents); never starts one */
    KH_CC_IGNORABLE,      /* invisible (ZWNJ, bidi marks): skipped inside a token */
    KH_CC_NUMSEP          /* . , ٫ ٬ : part of a token only between two digits */
} kh_char_class;

kh_char_class kh_char_class_of(int32_t cp);

/* kh_char_class_of for the characters news text is made of, inline: the
 * tokenizer asks for the class of every character of every input. */
static inline kh_char_class kh_char_class_fast(int32_t cp)
{
    if ((cp >= 'a' && cp <= 'z') || (cp >= 0x0621 && cp <= 0x063A) || (cp >= 0x0641 && cp <= 0x064A))
        return KH_CC_LETTER;
    if (cp == ' ')
        return KH_CC_SEPARATOR;
    return kh_char_class_of(cp);
}

/* Normalisation choices that differ between stemmers. */
typedef struct kh_norm_profile {
    /* ؤ and ئ (and و/ي + combining hamza) become ء. Off for light10 and
     * snowball, which have their own conventions (see docs/analysis.md). */
    int fold_hamza_seats;
} kh_norm_profile;

/*
 * Appends the normalised form of the token s[0..len) (valid UTF-8) to
 * out[*out_len..cap), stopping before a code point that would not fit.
 * Returns the new length. Applies: NFKC of presentation forms, removal of
 * harakat/tatweel/Quranic marks, alef/yeh/teh-marbuta/Persian letter folding,
 * digits to ASCII, Latin case folding and accent stripping.
 */
size_t kh_normalize(const kh_norm_profile *p, const char *s, size_t len, char *out, size_t cap);

/* Stemmers working in place on a normalised UTF-8 word; return the new length. */
size_t kh_stem_light10(char *w, size_t len);
size_t kh_stem_light(char *w, size_t len);
/* kh_stem_light without moving bytes: the stem is w[*start .. *start + the
 * returned length). */
size_t kh_stem_light_span(const char *w, size_t len, size_t *start);
/* The hand-written root-initial stems the light stemmer never strips a
 * proclitic from (stem.c), exposed for the test that each is its own stem. */
extern const char *const kh_light_root_initial[];
extern const size_t kh_light_root_initial_count;

/* The stopword list as written (natural spelling, one entry per word). The
 * analyzer normalises it with its own profile and adds و/ف-prefixed forms. */
extern const char *const kh_stopwords_ar[];
extern const size_t kh_stopwords_ar_count;
/* Forms that the و/ف expansion must not produce because they are content
 * words (ولي as in ولي العهد). */
extern const char *const kh_stopwords_ar_not_prefixed[];
extern const size_t kh_stopwords_ar_not_prefixed_count;

/* Decodes one code point strictly: returns its length (1..4) and the code
 * point, or length 1 and cp = -1 for an invalid byte (so callers can treat
 * it as a separator and still advance). n > 0. */
static inline size_t kh_utf8_decode_strict(const unsigned char *s, size_t n, int32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    int32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = -1;
        return 1;
    }
    if (n < need) {
        *cp = -1;
        return 1;
    }
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = -1;
        return 1;
    }
    *cp = v;
    return need;
}

#endif
