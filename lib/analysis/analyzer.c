/* analyzer.c — the tokenizer and the per-token pipeline behind kh_analyzer.
 *
 * Hot-path shape: the analyzer runs over every indexed byte, so a token costs
 * one scan of its bytes plus, most of the time, one hash probe. Word
 * frequencies are Zipfian: a small cache from the surface form (the exact
 * bytes written) to its term and stopword flag answers most tokens without
 * normalising or stemming again. Nothing is allocated per token; the cache
 * lives in two fixed blocks allocated with the analyzer and is simply wiped
 * when full. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "analysis/analysis.h"
#include "khabar.h"
#include "util/error.h"
#include "util/utf8.h"

/* Bumped whenever any rule changes the terms produced for some text, so that
 * an index built by an older analyzer is refused instead of silently missing
 * words. */
#define KH_ANALYZER_VERSION 1

typedef enum stemmer_kind { STEM_LIGHT, STEM_SNOWBALL, STEM_LIGHT10, STEM_NONE } stemmer_kind;

static const char *const stemmer_names[] = {"light", "snowball", "light10", "none", NULL};

#define CACHE_SLOTS 65536            /* power of two */
#define CACHE_MAX_ENTRIES (CACHE_SLOTS / 2)
#define CACHE_ARENA_BYTES (1u << 21)
#define CACHE_MAX_KEY 64             /* longer surface forms are rare: not cached */

typedef struct cache_slot {
    uint32_t hash;
    uint32_t offset;     /* into arena: key bytes then term bytes */
    uint8_t key_len;
    uint8_t term_len;
    uint8_t stop;
    uint8_t used;
} cache_slot;

typedef struct stopword {
    const char *s;
    size_t len;
} stopword;

struct kh_analyzer {
    stemmer_kind kind;
    kh_norm_profile profile;
    struct sb_stemmer *snowball;
    char id[64];

    /* stopwords, normalised with this analyzer's profile, sorted */
    stopword *stops;
    size_t n_stops;
    char *stop_text;

    /* current input */
    const char *text;
    size_t len, pos;
    uint32_t position;

    /* the term of the last token when it did not come from the cache */
    char term[KH_TERM_MAX + 8];

    cache_slot *slots;
    char *arena;
    size_t arena_used, n_cached;
};

const char *const *kh_analyzer_stemmers(void)
{
    return stemmer_names;
}

static int stopword_cmp(const void *x, const void *y)
{
    const stopword *a = x, *b = y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    if (c)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

static int is_stopword(const kh_analyzer *a, const char *w, size_t len)
{
    stopword key = {w, len};
    return bsearch(&key, a->stops, a->n_stops, sizeof *a->stops, stopword_cmp) != NULL;
}

/* Normalises the list with this analyzer's profile (so a profile that keeps
 * ئ finds أولئك as written) and adds the و-/ف- forms. */
static kh_status build_stopwords(kh_analyzer *a)
{
    size_t max = kh_stopwords_ar_count * 3;
    a->stops = malloc(max * sizeof *a->stops);
    a->stop_text = malloc(max * (KH_TERM_MAX + 2));
    if (!a->stops || !a->stop_text)
        return KH_ERR_NOMEM;
    char *at = a->stop_text;
    size_t n = 0;
    static const char *const conj[] = {"", "و", "ف"};
    for (size_t i = 0; i < kh_stopwords_ar_count; i++) {
        char base[KH_TERM_MAX];
        const char *w = kh_stopwords_ar[i];
        size_t blen = kh_normalize(&a->profile, w, strlen(w), base, sizeof base);
        for (size_t c = 0; c < 3; c++) {
            size_t clen = strlen(conj[c]);
            memcpy(at, conj[c], clen);
            memcpy(at + clen, base, blen);
            size_t len = clen + blen;
            int excluded = 0;
            for (size_t x = 0; x < kh_stopwords_ar_not_prefixed_count; x++)
                if (strlen(kh_stopwords_ar_not_prefixed[x]) == len &&
                    memcmp(kh_stopwords_ar_not_prefixed[x], at, len) == 0)
                    excluded = 1;
            if (excluded)
                continue;
            a->stops[n].s = at;
            a->stops[n].len = len;
            n++;
            at += len;
        }
    }
    qsort(a->stops, n, sizeof *a->stops, stopword_cmp);
    a->n_stops = n;
    return KH_OK;
}

kh_status kh_analyzer_new(const char *stemmer, kh_analyzer **out, kh_error *err)
{
    if (!out)
        return kh_fail(err, KH_ERR_ARGUMENT, "kh_analyzer_new: out is NULL");
    *out = NULL;
    if (!stemmer)
        stemmer = KH_ANALYZER_DEFAULT_STEMMER;
    int kind = -1;
    for (int i = 0; stemmer_names[i]; i++)
        if (!strcmp(stemmer, stemmer_names[i]))
            kind = i;
    if (kind < 0)
        return kh_fail(err, KH_ERR_ARGUMENT,
                       "unknown stemmer '%s' (known: light, snowball, light10, none)", stemmer);

    kh_analyzer *a = calloc(1, sizeof *a);
    if (!a)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory creating an analyzer");
    a->kind = (stemmer_kind)kind;
    /* light10 stays faithful to Lucene (which keeps ؤ ئ); Snowball folds the
     * hamza seats its own way and must see them. */
    a->profile.fold_hamza_seats = a->kind == STEM_LIGHT || a->kind == STEM_NONE;
    snprintf(a->id, sizeof a->id, "khabar-ar/%d %s", KH_ANALYZER_VERSION, stemmer_names[kind]);

    a->slots = calloc(CACHE_SLOTS, sizeof *a->slots);
    a->arena = malloc(CACHE_ARENA_BYTES);
    kh_status st = a->slots && a->arena ? build_stopwords(a) : KH_ERR_NOMEM;
    if (st == KH_OK && a->kind == STEM_SNOWBALL) {
        a->snowball = sb_stemmer_new("arabic", "UTF_8");
        if (!a->snowball)
            st = KH_ERR_NOMEM; /* the algorithm is compiled in: only memory can fail */
    }
    if (st != KH_OK) {
        kh_analyzer_free(a);
        return kh_fail(err, st, "out of memory creating an analyzer");
    }
    *out = a;
    return KH_OK;
}

void kh_analyzer_free(kh_analyzer *a)
{
    if (!a)
        return;
    if (a->snowball)
        sb_stemmer_delete(a->snowball);
    free(a->stops);
    free(a->stop_text);
    free(a->slots);
    free(a->arena);
    free(a);
}

const char *kh_analyzer_id(const kh_analyzer *a)
{
    return a->id;
}

kh_status kh_analyzer_check_text(const char *text, size_t len, kh_error *err)
{
    size_t bad = 0;
    if (!kh_utf8_valid(text, len, &bad))
        return kh_fail(err, KH_ERR_UTF8, "invalid UTF-8 at byte %zu", bad);
    return KH_OK;
}

void kh_analyzer_start(kh_analyzer *a, const char *text, size_t len)
{
    a->text = text;
    a->len = text ? len : 0;
    a->pos = 0;
    a->position = 0;
}

/* Finds the end of the token starting at `start` (whose first character is a
 * letter or digit). Returns the end offset of its last letter, digit or mark,
 * and sets *resume to where scanning continues. */
static size_t scan_token(const unsigned char *u, size_t len, size_t start, size_t *resume)
{
    size_t pos = start, end = start;
    kh_char_class prev = KH_CC_SEPARATOR;
    while (pos < len) {
        unsigned char b = u[pos];
        /* The inner loop of the whole engine: a two-byte Arabic letter (lead
         * byte D8/D9, the letters ء..ي) is decided without decoding. */
        if ((b == 0xD8 || b == 0xD9) && pos + 1 < len) {
            int32_t cp = ((b & 0x1F) << 6) | (u[pos + 1] & 0x3F);
            if ((u[pos + 1] & 0xC0) == 0x80 &&
                ((cp >= 0x0621 && cp <= 0x063A) || (cp >= 0x0641 && cp <= 0x064A))) {
                pos += 2;
                end = pos;
                prev = KH_CC_LETTER;
                continue;
            }
        }
        int32_t cp;
        size_t k = kh_utf8_decode_strict(u + pos, len - pos, &cp);
        kh_char_class c = kh_char_class_fast(cp);
        if (c == KH_CC_LETTER || c == KH_CC_DIGIT || (c == KH_CC_MARK && pos > start)) {
            pos += k;
            end = pos;
            prev = c;
        } else if (c == KH_CC_IGNORABLE && pos > start) {
            pos += k;
        } else if (c == KH_CC_NUMSEP && prev == KH_CC_DIGIT && pos + k < len) {
            /* 3.5, ٣٫٥, 1,000: a separator between two digits belongs to the number */
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
    *resume = pos;
    return end;
}

/* Hashes eight bytes at a time: surface forms average ~11 bytes, and a
 * byte-at-a-time hash showed up in profiles. */
static uint64_t load_tail(const char *s, size_t n)
{
    uint64_t v = 0;
    memcpy(&v, s, n);
    return v;
}

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15u ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        h = (h ^ v) * 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
    }
    if (i < len) {
        h = (h ^ load_tail(s + i, len - i)) * 0xC4CEB9FE1A85EC53u;
        h ^= h >> 29;
    }
    return (uint32_t)h;
}

static int same_bytes(const char *a, const char *b, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return 0;
    }
    return i == len || load_tail(a + i, len - i) == load_tail(b + i, len - i);
}

/* Normalise, look up, stem: the term of surface[0..len) into a->term. */
static size_t analyze_word(kh_analyzer *a, const char *surface, size_t len, int *stop)
{
    size_t n = kh_normalize(&a->profile, surface, len, a->term, KH_TERM_MAX);
    *stop = is_stopword(a, a->term, n);
    switch (a->kind) {
    case STEM_LIGHT:
        return kh_stem_light(a->term, n);
    case STEM_LIGHT10:
        return kh_stem_light10(a->term, n);
    case STEM_SNOWBALL: {
        const sb_symbol *s = sb_stemmer_stem(a->snowball, (const sb_symbol *)a->term, (int)n);
        if (!s)
            return n; /* out of memory inside libstemmer: keep the unstemmed term */
        size_t m = (size_t)sb_stemmer_length(a->snowball);
        if (m > KH_TERM_MAX)
            m = KH_TERM_MAX;
        memcpy(a->term, s, m);
        return m;
    }
    case STEM_NONE:
        break;
    }
    return n;
}

int kh_analyzer_next_token(kh_analyzer *a, kh_token *tok)
{
    const unsigned char *u = (const unsigned char *)a->text;
    for (;;) {
        /* skip to the start of the next token */
        size_t pos = a->pos;
        while (pos < a->len) {
            if (u[pos] < 0x80) {
                kh_char_class c = kh_char_class_fast(u[pos]);
                if (c == KH_CC_LETTER || c == KH_CC_DIGIT)
                    break;
                pos++;
                continue;
            }
            int32_t cp;
            size_t k = kh_utf8_decode_strict(u + pos, a->len - pos, &cp);
            kh_char_class c = kh_char_class_fast(cp);
            if (c == KH_CC_LETTER || c == KH_CC_DIGIT)
                break;
            pos += k;
        }
        if (pos >= a->len) {
            a->pos = a->len;
            return 0;
        }
        size_t start = pos, resume;
        size_t end = scan_token(u, a->len, start, &resume);
        a->pos = resume;

        const char *surface = a->text + start;
        size_t slen = end - start;
        const char *term;
        size_t term_len;
        int stop;

        cache_slot *slot = NULL;
        uint32_t h = 0;
        if (slen <= CACHE_MAX_KEY) {
            h = hash_bytes(surface, slen);
            for (uint32_t i = h;; i++) {
                cache_slot *s = &a->slots[i & (CACHE_SLOTS - 1)];
                if (!s->used) {
                    slot = s;
                    break;
                }
                if (s->hash == h && s->key_len == slen &&
                    same_bytes(a->arena + s->offset, surface, slen)) {
                    slot = s;
                    break;
                }
            }
        }
        if (slot && slot->used) {
            term = a->arena + slot->offset + slot->key_len;
            term_len = slot->term_len;
            stop = slot->stop;
        } else {
            term_len = analyze_word(a, surface, slen, &stop);
            term = a->term;
            if (slot) {
                if (a->n_cached >= CACHE_MAX_ENTRIES ||
                    a->arena_used + slen + term_len > CACHE_ARENA_BYTES) {
                    /* Full: start over. The next few thousand tokens refill
                     * it with what is frequent now. */
                    memset(a->slots, 0, CACHE_SLOTS * sizeof *a->slots);
                    a->n_cached = 0;
                    a->arena_used = 0;
                    for (uint32_t i = h;; i++) {
                        slot = &a->slots[i & (CACHE_SLOTS - 1)];
                        if (!slot->used)
                            break;
                    }
                }
                slot->used = 1;
                slot->hash = h;
                slot->offset = (uint32_t)a->arena_used;
                slot->key_len = (uint8_t)slen;
                slot->term_len = (uint8_t)term_len;
                slot->stop = (uint8_t)stop;
                memcpy(a->arena + a->arena_used, surface, slen);
                memcpy(a->arena + a->arena_used + slen, term, term_len);
                a->arena_used += slen + term_len;
                a->n_cached++;
            }
        }
        if (term_len == 0)
            continue; /* only tatweel or marks: nothing to index, no position */

        tok->term = term;
        tok->term_len = term_len;
        tok->position = a->position++;
        tok->start = start;
        tok->end = end;
        tok->is_stopword = stop;
        return 1;
    }
}
