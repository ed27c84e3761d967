/* analyzer.c — the tokenizer and the per-token pipeline behind kh_analyzer.
 *
 * Hot-path shape: the analyzer runs over every indexed byte, so a token costs
 * one scan of its bytes (a word at a time for an Arabic word between spaces,
 * else a table load per character, no decoding) plus, most of the time, one
 * cache-line probe. Word frequencies are Zipfian: a cache from the surface
 * form (the exact bytes written) to its term and stopword flag answers 95% of
 * the corpus' tokens without normalising or stemming again. The tokenizer
 * runs a few tokens ahead of the lookups and prefetches
 * their cache lines, so memory latency overlaps the scanning. Nothing is
 * allocated per token; the cache is one fixed block allocated with the
 * analyzer, and all state lives in the analyzer (one per thread). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include <libstemmer.h>

#include "analysis/analysis.h"
#include "khabar.h"
#include "util/error.h"
#include "util/utf8.h"

/* Bumped whenever any rule changes the terms produced for some text, so that
 * an index built by an older analyzer is refused instead of silently missing
 * words. */
#define KH_ANALYZER_VERSION 2

typedef enum stemmer_kind { STEM_LIGHT, STEM_SNOWBALL, STEM_LIGHT10, STEM_NONE } stemmer_kind;

static const char *const stemmer_names[] = {"light", "snowball", "light10", "none", NULL};

/* The surface cache, from the surface form (the bytes written) to its term
 * and stopword flag, in two tables, both 2-way set-associative with the key
 * and the term inline in the entry (a separate key arena cost a second
 * memory miss per token):
 *
 * - short keys, up to SHORT_KEY = 16 bytes (96% of the corpus' tokens, all
 *   Arabic words of up to eight letters) with a term of up to 15 bytes
 *   (all but 0.1% of them): 32-byte entries, the key zero-padded to 16
 *   bytes so that a lookup compares two words, no length and no loop. The
 *   two ways of a set share one 64-byte line, so a lookup touches one line.
 *   131,072 sets x 2 ways = 262,144 entries, 8 MiB.
 * - longer keys (up to 55 bytes with their term): 64-byte entries, the key
 *   then the term; 8,192 sets x 2 ways, 1 MiB.
 *
 * A miss costs normalising and stemming (~700 instructions): the corpus has
 * 282,000 distinct forms, and one table of 131,072 64-byte entries (8 MiB)
 * missed 621,737 of its 9,020,854 tokens (6.9%); these two tables miss
 * 434,133 (4.8%), and 16 + 2 MiB 363,044 without being faster. The block comes from mmap, so an analyzer that reads a few
 * words (a query) touches a few pages. A full set replaces its less used
 * way, so frequent forms stay while the Zipfian tail streams through; there
 * is no global wipe. */
#define SHORT_KEY 16
#define SHORT_TERM 15
#define SHORT_SETS_LOG2 17
#define LONG_SETS_LOG2 13
#define CACHE_ENTRY_BYTES 56         /* long entries: key then term; longer pairs are not cached */

typedef struct short_entry {
    char key[SHORT_KEY];  /* zero-padded; key[0] == 0: empty (no token starts with a NUL) */
    char term[SHORT_TERM];
    uint8_t meta;         /* term length (bits 0-3), stopword (bit 4), uses (bits 5-7) */
} short_entry;

_Static_assert(sizeof(short_entry) == 32, "two entries a cache line");

typedef struct cache_entry {
    uint32_t hash;
    uint8_t key_len;     /* 0: empty (a token is never empty) */
    uint8_t term_len;
    uint8_t stop;
    uint8_t uses;        /* hit count up to USES_CAP, halved when the other way is replaced */
    char bytes[CACHE_ENTRY_BYTES];
} cache_entry;

_Static_assert(sizeof(cache_entry) == 64, "one cache line per entry");

/* The use count stops at 7: the replacement only compares the two ways'
 * counts, and a frequent form's line is then no longer written on every hit
 * (a written line must go back to memory when it leaves the caches). On the
 * corpus, misses 715,292 with a cap of 255, 715,686 with 15, 717,339 with 7
 * (analyzer_speed digest with a miss counter). */
#define USES_CAP 7

/* Stopwords are found by hash (on cache misses only; a binary search of
 * ~600 forms with memcmp showed up in profiles). */
#define STOP_SLOTS 2048              /* power of two, > 2 x the ~600 forms */

typedef struct stopword {
    const char *s;
    size_t len;
} stopword;

/* What the tokenizer needs to know of a character, as bits so that the
 * inner loop tests one byte. */
enum {
    TC_CONTINUES = 1,   /* letter, digit or mark: part of a token */
    TC_STARTS = 2,      /* letter or digit: may start a token */
    TC_DIGIT = 4,
    TC_IGNORABLE = 8,   /* skipped inside a token */
    TC_NUMSEP = 16,     /* part of a token between two digits */
    TC_TWO_BYTES = 128, /* class2 only: a valid two-byte sequence (else an invalid lead byte) */
};

#ifndef LOOKAHEAD
#define LOOKAHEAD 8          /* power of two; 4 and 8 measured best */
#endif

/* A token found by the tokenizer, not yet looked up. */
typedef struct scanned {
    size_t start, end;
    /* A surface of up to SHORT_KEY bytes: its bytes as two words, zero-padded
     * (the key the lookup compares without a loop). A longer one: w0 is its
     * last partial word (same_key's tail). */
    uint64_t w0, w1;
    uint64_t hash;       /* valid when the surface is shorter than CACHE_ENTRY_BYTES */
    /* 1: end is the end of the run of non-ASCII bytes the token starts, and
     * the run's characters were not classified (scan_run): a cache hit proves
     * it one token, a miss has it scanned character by character. */
    uint32_t unchecked;
} scanned;

struct kh_analyzer {
    stemmer_kind kind;
    kh_norm_profile profile;
    struct sb_stemmer *snowball;
    char id[64];

    /* Character classes of every one- and two-byte UTF-8 sequence
     * (U+0000..U+07FF: ASCII, Latin-1, the Arabic block and its supplement),
     * filled from kh_char_class_of at creation so that they cannot differ
     * from it. Two-byte entries are indexed by (lead - 0xC2) * 256 + second
     * byte; a second byte that is not a continuation byte gives 0 without
     * TC_TWO_BYTES: the lead byte alone is invalid, a separator. So a
     * character of the Arabic block costs two loads and no decoding. */
    uint8_t class1[128];
    uint8_t class2[30 * 256];
    /* The class of every two-byte letter, digit or mark (the characters a
     * token runs on), indexed by its two bytes loaded as one 16-bit number;
     * 0 for any other pair of bytes. The inner loop then needs no check of
     * the lead byte and one test per character. 64 KiB, of which Arabic
     * text touches a few cache lines. */
    uint8_t *pair_class;

    /* stopwords, normalised with this analyzer's profile */
    stopword *stops;
    size_t n_stops;
    size_t stop_max_len;               /* longer words are not looked up */
    char *stop_text;
    uint16_t stop_slots[STOP_SLOTS];   /* index + 1 into stops, 0 = empty */

    /* current input */
    const char *text;
    size_t len, pos;
    uint32_t position;

    /* The tokenizer runs LOOKAHEAD tokens ahead: a token is scanned, hashed
     * and its cache set prefetched that many tokens before it is looked up,
     * so the memory latency of the lookups overlaps the scanning (one token
     * ahead was not enough: the lookup still waited on memory). */
    scanned ahead[LOOKAHEAD];
    unsigned ahead_first, ahead_count;
    int scan_done;

    /* the term of the last token when it did not come from the cache */
    char term[KH_TERM_MAX + 8];

    short_entry *short_cache; /* 2 << SHORT_SETS_LOG2 entries, in cache_block */
    cache_entry *long_cache;  /* 2 << LONG_SETS_LOG2 entries, after them */
    void *cache_block;
    size_t cache_block_bytes;
};

const char *const *kh_analyzer_stemmers(void)
{
    return stemmer_names;
}

/* Loads the n < 8 bytes at s as the low bytes of a word (the rest zero),
 * without a call to memcpy: a byte loop the compiler unrolls. */
static inline uint64_t load_partial(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)(unsigned char)s[i] << (8 * i);
    return v;
}

static inline uint64_t load_word(const char *s)
{
    uint64_t v;
    memcpy(&v, s, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* The last len % 8 bytes of s[0..len) as a little-endian word. When eight
 * bytes starting there are readable (limit is the end of the readable
 * buffer), one load and a mask instead of a byte loop. */
static inline uint64_t load_tail(const char *s, size_t len, const char *limit)
{
    size_t i = len & ~(size_t)7, r = len & 7;
    if (r == 0)
        return 0;
    if ((size_t)(limit - (s + i)) >= 8)
        return load_word(s + i) & (~(uint64_t)0 >> (64 - 8 * r));
    return load_partial(s + i, r);
}

/* The first n <= 8 bytes of a word loaded by load_word. */
static const uint64_t first_bytes[9] = {
    0, 0xFFu, 0xFFFFu, 0xFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFFFu, 0xFFFFFFFFFFFFu, 0xFFFFFFFFFFFFFFu,
    ~(uint64_t)0,
};

/* Hashes eight bytes at a time: surface forms average ~11 bytes. The cache
 * set is taken from the top bits, which depend on every input bit. */
static inline uint64_t hash_words(const char *s, size_t len, uint64_t tail)
{
    uint64_t h = 0x9E3779B97F4A7C15u ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        h = (h ^ load_word(s + i)) * 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
    }
    if (len & 7) {
        h = (h ^ tail) * 0xC4CEB9FE1A85EC53u;
        h ^= h >> 29;
    }
    return h;
}

/* The hash of a surface of len <= SHORT_KEY bytes given as two zero-padded
 * words: two multiplications, no loop and no branch on the length. The
 * rotation brings the bits of the first product that depend on all of w0
 * down, so that the second product's top bits (the cache set) depend on
 * every bit of both words. */
static inline uint64_t hash_short(size_t len, uint64_t w0, uint64_t w1)
{
    uint64_t h = (0x9E3779B97F4A7C15u ^ len ^ w0) * 0xFF51AFD7ED558CCDu;
    h = (h << 32 | h >> 32) ^ w1;
    return h * 0xC4CEB9FE1A85EC53u;
}

static uint32_t hash_bytes(const char *s, size_t len)
{
    return (uint32_t)hash_words(s, len, load_partial(s + (len & ~(size_t)7), len & 7));
}

/* key[0..len) (inside a cache entry, so its 8-byte loads stay in the entry)
 * equals s[0..len), whose last partial word is tail. */
static inline int same_key(const char *key, const char *s, size_t len, uint64_t tail)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8)
        if (load_word(key + i) != load_word(s + i))
            return 0;
    if (i == len)
        return 1;
    return (load_word(key + i) & (~(uint64_t)0 >> (64 - 8 * (len - i)))) == tail;
}

static int is_stopword(const kh_analyzer *a, const char *w, size_t len)
{
    if (len > a->stop_max_len)
        return 0; /* most content words: no hash to compute */
    for (uint32_t i = hash_bytes(w, len);; i++) {
        uint16_t k = a->stop_slots[i & (STOP_SLOTS - 1)];
        if (k == 0)
            return 0;
        const stopword *sw = &a->stops[k - 1];
        if (sw->len == len && memcmp(sw->s, w, len) == 0)
            return 1;
    }
}

/* Normalises the list with this analyzer's profile (so a profile that keeps
 * ئ finds أولئك as written) and adds the و-/ف- forms. */
static kh_status build_stopwords(kh_analyzer *a)
{
    size_t max = kh_stopwords_ar_count * 3;
    if (max >= STOP_SLOTS / 2)
        return KH_ERR_NOMEM; /* cannot happen with the list as written */
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
            int excluded = is_stopword(a, at, len); /* already there (أن and إن are both ان) */
            for (size_t x = 0; x < kh_stopwords_ar_not_prefixed_count; x++)
                if (strlen(kh_stopwords_ar_not_prefixed[x]) == len &&
                    memcmp(kh_stopwords_ar_not_prefixed[x], at, len) == 0)
                    excluded = 1;
            if (excluded)
                continue;
            a->stops[n].s = at;
            a->stops[n].len = len;
            n++;
            if (len > a->stop_max_len)
                a->stop_max_len = len;
            for (uint32_t h = hash_bytes(at, len);; h++)
                if (a->stop_slots[h & (STOP_SLOTS - 1)] == 0) {
                    a->stop_slots[h & (STOP_SLOTS - 1)] = (uint16_t)n;
                    break;
                }
            at += len;
        }
    }
    a->n_stops = n;
    return KH_OK;
}

static uint8_t token_class(int32_t cp)
{
    switch (kh_char_class_of(cp)) {
    case KH_CC_LETTER:
        return TC_CONTINUES | TC_STARTS;
    case KH_CC_DIGIT:
        return TC_CONTINUES | TC_STARTS | TC_DIGIT;
    case KH_CC_MARK:
        return TC_CONTINUES;
    case KH_CC_IGNORABLE:
        return TC_IGNORABLE;
    case KH_CC_NUMSEP:
        return TC_NUMSEP;
    case KH_CC_SEPARATOR:
        break;
    }
    return 0;
}

/* Two bytes as one number, in the machine's byte order: one load. */
static inline uint16_t pair_index(const unsigned char *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static void build_class_tables(kh_analyzer *a)
{
    for (int32_t cp = 0; cp < 0x80; cp++)
        a->class1[cp] = token_class(cp);
    for (int32_t cp = 0x80; cp < 0x800; cp++) {
        uint8_t c = token_class(cp) | TC_TWO_BYTES;
        a->class2[((cp >> 6) - 2) * 256 + 0x80 + (cp & 0x3F)] = c;
        if (c & TC_CONTINUES)
            a->pair_class[pair_index((unsigned char[2]){0xC0 | (cp >> 6), 0x80 | (cp & 0x3F)})] = c;
    }
}

/* The cache block comes straight from mmap: zeroed lazily by the kernel, so
 * an analyzer that reads a few words (a query) touches a few pages. It is
 * aligned to 2 MiB and asked to be backed by huge pages: every lookup lands
 * on a random line of 9 MiB, 2,304 pages of 4 KiB, so with small pages the
 * prefetch of a set often waits for a page walk. */
#define HUGE_PAGE ((size_t)2 << 20)

static int cache_alloc(kh_analyzer *a)
{
    size_t short_bytes = ((size_t)2 << SHORT_SETS_LOG2) * sizeof(short_entry);
    size_t bytes = short_bytes + ((size_t)2 << LONG_SETS_LOG2) * sizeof(cache_entry);
    size_t mapped = bytes + HUGE_PAGE;
    char *p = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    a->cache_block = p;
    a->cache_block_bytes = mapped;
    char *aligned = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
#if defined(MADV_HUGEPAGE) && !defined(NO_HUGE)
    (void)madvise(aligned, bytes, MADV_HUGEPAGE); /* a hint: without it, only slower */
#endif
    a->short_cache = (short_entry *)aligned;
    a->long_cache = (cache_entry *)(aligned + short_bytes);
    return 1;
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
    a->pair_class = calloc(1, 65536);
    if (!a->pair_class) {
        free(a);
        return kh_fail(err, KH_ERR_NOMEM, "out of memory creating an analyzer");
    }
    build_class_tables(a);

    kh_status st = cache_alloc(a) ? build_stopwords(a) : KH_ERR_NOMEM;
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
    if (a->cache_block)
        munmap(a->cache_block, a->cache_block_bytes);
    free(a->pair_class);
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
    a->ahead_first = a->ahead_count = 0;
    a->scan_done = 0;
}

/* The tokenizer class of the character at u[pos] (pos < len) and its length
 * in bytes. One- and two-byte sequences (all of Arabic and Latin-1) come from
 * the tables without decoding; longer ones, and invalid bytes (separators),
 * are decoded. */
static inline uint8_t class_at(const kh_analyzer *a, const unsigned char *u, size_t pos, size_t len,
                               size_t *k)
{
    unsigned char b = u[pos];
    if (b < 0x80) {
        *k = 1;
        return a->class1[b];
    }
    if ((unsigned)(b - 0xC2) <= 0xDF - 0xC2 && pos + 1 < len) {
        uint8_t c = a->class2[(b - 0xC2) * 256 + u[pos + 1]];
        *k = 1 + (c >> 7);
        return c & (uint8_t)~TC_TWO_BYTES;
    }
    int32_t cp;
    *k = kh_utf8_decode_strict(u + pos, len - pos, &cp);
    return token_class(cp);
}

/* Finds the end of the token whose first character, of class first, ends at
 * pos. Returns the end offset of its last letter, digit or mark, and sets
 * *resume to where scanning continues. */
static inline size_t scan_token(const kh_analyzer *a, const unsigned char *u, size_t len,
                                size_t pos, uint8_t first, size_t *resume)
{
    size_t end = pos;
    uint8_t prev = first;
    const uint8_t *pair_class = a->pair_class;
    while (pos < len) {
        /* The inner loop of the whole engine: a run of two-byte letters and
         * marks (all of Arabic) is one table load and test per character.
         * The class of the run's last character (needed only to join digits
         * across a separator) is looked up again after the run rather than
         * carried through it. */
        size_t run = pos;
        /* two characters a round: one bounds test for both */
        while (run + 3 < len) {
            uint8_t c1 = pair_class[pair_index(u + run)];
            uint8_t c2 = pair_class[pair_index(u + run + 2)];
            if (!c1)
                goto run_end;
            if (!c2) {
                run += 2;
                goto run_end;
            }
            run += 4;
        }
        if (run + 1 < len && pair_class[pair_index(u + run)])
            run += 2;
    run_end:
        if (run != pos) {
            prev = pair_class[pair_index(u + run - 2)];
            pos = end = run;
            if (pos >= len)
                break;
        }
        if (u[pos] == ' ') {
            pos++; /* the usual end of a word: a separator, and scanning resumes after it */
            break;
        }
        size_t k;
        uint8_t c = class_at(a, u, pos, len, &k);
        if (c & TC_CONTINUES) {
            pos += k;
            end = pos;
            prev = c;
        } else if (c & TC_IGNORABLE) {
            pos += k; /* invisible: inside the token, not part of its span's end */
        } else if ((c & TC_NUMSEP) && (prev & TC_DIGIT) && pos + k < len) {
            /* 3.5, ٣٫٥, 1,000: a separator between two digits belongs to the number */
            size_t k2;
            if (!(class_at(a, u, pos + k, len, &k2) & TC_DIGIT))
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

/* Normalise, look up, stem: the term of surface[0..len), stored in a->term
 * from *term_start. Returns the term's length. */
static size_t analyze_word(kh_analyzer *a, const char *surface, size_t len, int *stop,
                           size_t *term_start)
{
    size_t n = kh_normalize(&a->profile, surface, len, a->term, KH_TERM_MAX);
    *stop = is_stopword(a, a->term, n);
    *term_start = 0;
    switch (a->kind) {
    case STEM_LIGHT:
        return kh_stem_light_span(a->term, n, term_start);
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

/* The cache sets of a hash: its top bits, which depend on all of it. */
static inline short_entry *short_set(const kh_analyzer *a, uint64_t hash)
{
    return &a->short_cache[(size_t)(hash >> (64 - SHORT_SETS_LOG2)) * 2];
}

static inline cache_entry *long_set(const kh_analyzer *a, uint64_t hash)
{
    return &a->long_cache[(size_t)(hash >> (64 - LONG_SETS_LOG2)) * 2];
}

/* Sets t's key words and hash from its surface t->start..t->end, and
 * prefetches its cache set. */
static inline void key_of(const kh_analyzer *a, scanned *t)
{
    const char *surface = a->text + t->start;
    size_t slen = t->end - t->start;
    if (slen <= SHORT_KEY) {
        if ((size_t)(a->text + a->len - surface) >= 16) {
            t->w0 = load_word(surface) & first_bytes[slen < 8 ? slen : 8];
            t->w1 = load_word(surface + 8) & first_bytes[slen > 8 ? slen - 8 : 0];
        } else { /* near the end of the text: no read past it */
            t->w0 = load_partial(surface, slen < 8 ? slen : 8);
            t->w1 = slen > 8 ? load_partial(surface + 8, slen - 8) : 0;
        }
        t->hash = hash_short(slen, t->w0, t->w1);
        __builtin_prefetch(short_set(a, t->hash));
    } else if (slen < CACHE_ENTRY_BYTES) {
        t->w0 = load_tail(surface, slen, a->text + a->len);
        t->hash = hash_words(surface, slen, t->w0);
        const cache_entry *set = long_set(a, t->hash);
        __builtin_prefetch(&set[0]);
        __builtin_prefetch(&set[1]);
    }
}

/* The end of the token in u[pos..run_end) when the run ends with one or two
 * two-byte separators the tables know (a word followed by ، » ؟ ؛ or »،
 * before the space: 5.3% of the corpus' tokens): where they start, if a
 * two-byte letter, digit or mark is before them; else 0. A separator ends
 * the token whatever follows it. */
static size_t before_separators(const kh_analyzer *a, const unsigned char *u, size_t pos, size_t run_end)
{
    size_t end = run_end;
    for (int i = 0; i < 2 && end - pos >= 4; i++) {
        unsigned lead = u[end - 2];
        if (lead - 0xC2u > 0xDFu - 0xC2u || a->class2[(lead - 0xC2u) * 256 + u[end - 1]] != TC_TWO_BYTES)
            break;
        end -= 2;
    }
    return end != run_end && (a->pair_class[pair_index(u + end - 2)] & TC_CONTINUES) ? end : 0;
}

/* The token starting at pos with a two-byte letter, when it is probably the
 * whole run of non-ASCII bytes from pos (92% of the corpus' tokens: an
 * Arabic word between spaces or ASCII punctuation): finds the run's end a
 * word at a time instead of classifying every character, and takes its
 * key from the words it loaded. Returns 0, leaving the token to scan_token,
 * when the run is longer than SHORT_KEY, when its last character (after
 * up to two two-byte separators such as ، and ») is not a two-byte letter,
 * digit or mark, or when the ASCII byte after it would not end a token (a
 * Latin letter or digit, or . or , after a digit). What it does not check
 * is that the run holds no separator or invisible character before that: a
 * cache hit proves it (the cache holds only whole tokens' surfaces, and
 * what follows the run's token ends it), and on a miss the lookup scans the
 * run (next_token). */
static inline int scan_run(kh_analyzer *a, const unsigned char *u, size_t len, size_t pos,
                           scanned *t)
{
    const uint64_t high_bits = 0x8080808080808080u;
    uint64_t w0 = load_word((const char *)u + pos), w1 = load_word((const char *)u + pos + 8);
    uint64_t ascii0 = ~w0 & high_bits, ascii1 = ~w1 & high_bits;
    size_t n;
    if (ascii0)
        n = (size_t)__builtin_ctzll(ascii0) >> 3;
    else if (ascii1)
        n = 8 + ((size_t)__builtin_ctzll(ascii1) >> 3);
    else if (pos + 16 == len || u[pos + 16] < 0x80)
        n = 16;
    else
        return 0;
    /* n >= 2: the run starts with a two-byte letter */
    size_t run_end = pos + n, end = run_end;
    uint8_t last = a->pair_class[pair_index(u + end - 2)];
    if (last & TC_CONTINUES) {
        if (run_end < len) {
            uint8_t next = a->class1[u[run_end]];
            if (next != 0 && !(next == TC_NUMSEP && !(last & TC_DIGIT)))
                return 0;
        }
    } else {
        end = before_separators(a, u, pos, run_end);
        if (end == 0)
            return 0;
        n = end - pos;
    }
    size_t resume = run_end + (run_end < len && u[run_end] == ' '); /* after the usual separator */
    t->start = pos;
    t->end = end;
    t->w0 = w0 & first_bytes[n < 8 ? n : 8];
    t->w1 = w1 & first_bytes[n > 8 ? n - 8 : 0];
    t->hash = hash_short(n, t->w0, t->w1);
    t->unchecked = 1;
    a->pos = resume;
    __builtin_prefetch(short_set(a, t->hash));
    return 1;
}

/* Scans the next token after a->pos into *t, hashes it and prefetches its
 * cache set. Returns 0 at the end of the text. */
static inline int scan_next(kh_analyzer *a, scanned *t)
{
    const unsigned char *u = (const unsigned char *)a->text;
    const size_t len = a->len;
    size_t pos = a->pos, k;
    uint8_t first;
    for (;;) {
        if (pos >= len) {
            a->pos = len;
            return 0;
        }
        /* spaces and two-byte letters first: they are most of the text */
        if (u[pos] == ' ') {
            pos++;
            continue;
        }
        if (pos + 1 < len) {
            first = a->pair_class[pair_index(u + pos)];
            if (first & TC_STARTS) {
                if (pos + 16 <= len && scan_run(a, u, len, pos, t))
                    return 1;
                k = 2;
                break;
            }
        }
        first = class_at(a, u, pos, len, &k);
        if (first & TC_STARTS)
            break;
        pos += k;
    }
    t->start = pos;
    t->end = scan_token(a, u, len, pos + k, first, &a->pos);
    t->unchecked = 0;
    key_of(a, t);
    return 1;
}

/* The long-table entry of set holding the surface of t (slen bytes), or
 * NULL. */
static inline cache_entry *find_long(cache_entry *set, const scanned *t, const char *surface,
                                     size_t slen)
{
    const uint32_t h = (uint32_t)t->hash;
    for (int way = 0; way < 2; way++)
        if (set[way].hash == h && set[way].key_len == slen &&
            same_key(set[way].bytes, surface, slen, t->w0))
            return &set[way];
    return NULL;
}

/* The use count stops at USES_CAP; the survivor of a replacement ages. */
#define META_USES_SHIFT 5
#define META_STOP 16u
#define META_TERM_LEN 15u

/* Stores t's surface and its term in the less used way of its set (an empty
 * one first); the survivor's use count is halved, so a form that was
 * frequent once does not stay forever. */
static void cache_insert(kh_analyzer *a, const scanned *t, const char *term, size_t term_len, int stop)
{
    const char *surface = a->text + t->start;
    size_t slen = t->end - t->start;
    if (slen <= SHORT_KEY) {
        if (term_len > SHORT_TERM)
            return; /* 0.1% of the corpus' tokens (بريطانيا): not cached */
        short_entry *set = short_set(a, t->hash), *victim;
        unsigned uses0 = set[0].meta >> META_USES_SHIFT, uses1 = set[1].meta >> META_USES_SHIFT;
        if (set[0].key[0] == 0) {
            victim = &set[0];
        } else if (set[1].key[0] == 0) {
            victim = &set[1];
        } else if (uses1 <= uses0) {
            victim = &set[1];
            set[0].meta = (uint8_t)((set[0].meta & 31u) | (uses0 >> 1) << META_USES_SHIFT);
        } else {
            victim = &set[0];
            set[1].meta = (uint8_t)((set[1].meta & 31u) | (uses1 >> 1) << META_USES_SHIFT);
        }
        memset(victim->key, 0, SHORT_KEY);
        memcpy(victim->key, surface, slen);
        memcpy(victim->term, term, term_len);
        victim->meta = (uint8_t)(term_len | (stop ? META_STOP : 0));
        return;
    }
    if (slen + term_len > CACHE_ENTRY_BYTES)
        return;
    cache_entry *set = long_set(a, t->hash), *victim;
    if (set[0].key_len == 0) {
        victim = &set[0];
    } else if (set[1].key_len == 0) {
        victim = &set[1];
    } else if (set[1].uses <= set[0].uses) {
        victim = &set[1];
        set[0].uses >>= 1;
    } else {
        victim = &set[0];
        set[1].uses >>= 1;
    }
    victim->hash = (uint32_t)t->hash;
    victim->key_len = (uint8_t)slen;
    victim->term_len = (uint8_t)term_len;
    victim->stop = (uint8_t)stop;
    victim->uses = 0;
    memcpy(victim->bytes, surface, slen);
    memcpy(victim->bytes + slen, term, term_len);
}

/* A cache miss: the term of t's surface by the whole pipeline, then cached.
 * Out of line: it runs for one token in ten, and inlined it made the hit
 * path save and restore more registers. */
__attribute__((noinline)) static size_t analyze_and_cache(kh_analyzer *a, const scanned *t,
                                                          const char **term, int *stop)
{
    size_t term_start;
    size_t term_len = analyze_word(a, a->text + t->start, t->end - t->start, stop, &term_start);
    *term = a->term + term_start;
    cache_insert(a, t, *term, term_len, *stop);
    return term_len;
}

/* scan_run's guess for t, not proved by the cache: classify the run's
 * characters. Returns 1 if it was one token; else t becomes the token it
 * starts with, rehashed, and scanning restarts after it, since the tokens
 * scanned after t started at the wrong place (rare: a miss whose run is not
 * one token, such as a word with a separator and no space after it). */
__attribute__((noinline)) static int check_run(kh_analyzer *a, scanned *t)
{
    const unsigned char *u = (const unsigned char *)a->text;
    size_t resume;
    size_t end = scan_token(a, u, a->len, t->start + 2, a->pair_class[pair_index(u + t->start)], &resume);
    t->unchecked = 0;
    if (end == t->end)
        return 1;
    t->end = end;
    a->pos = resume;
    a->ahead_count = 0;
    a->scan_done = 0;
    key_of(a, t);
    return 0;
}

int kh_analyzer_next_token(kh_analyzer *a, kh_token *tok)
{
    for (;;) {
        while (a->ahead_count < LOOKAHEAD && !a->scan_done) {
            if (scan_next(a, &a->ahead[(a->ahead_first + a->ahead_count) & (LOOKAHEAD - 1)]))
                a->ahead_count++;
            else
                a->scan_done = 1;
        }
        if (a->ahead_count == 0)
            return 0;
        /* the slot is not refilled before the next call */
        scanned *cur = &a->ahead[a->ahead_first];
        a->ahead_first = (a->ahead_first + 1) & (LOOKAHEAD - 1);
        a->ahead_count--;

        const char *term;
        size_t term_len;
        int stop;
        for (;;) {
            size_t slen = cur->end - cur->start;
            if (slen <= SHORT_KEY) {
                /* both padded words compared whatever the length: no loop,
                 * one branch a way */
                short_entry *set = short_set(a, cur->hash), *e = NULL;
                if (((load_word(set[0].key) ^ cur->w0) | (load_word(set[0].key + 8) ^ cur->w1)) == 0)
                    e = &set[0];
                else if (((load_word(set[1].key) ^ cur->w0) | (load_word(set[1].key + 8) ^ cur->w1)) == 0)
                    e = &set[1];
                if (e) {
                    unsigned meta = e->meta;
                    term = e->term;
                    term_len = meta & META_TERM_LEN;
                    stop = (meta & META_STOP) != 0;
                    if (meta >> META_USES_SHIFT < USES_CAP)
                        e->meta = (uint8_t)(meta + (1u << META_USES_SHIFT));
                    break;
                }
            } else if (slen < CACHE_ENTRY_BYTES) {
                cache_entry *hit = find_long(long_set(a, cur->hash), cur, a->text + cur->start, slen);
                if (hit) {
                    term = hit->bytes + hit->key_len;
                    term_len = hit->term_len;
                    stop = hit->stop;
                    if (hit->uses < USES_CAP)
                        hit->uses++;
                    break;
                }
            }
            if (!cur->unchecked || check_run(a, cur)) {
                term_len = analyze_and_cache(a, cur, &term, &stop);
                break;
            }
        }
        if (term_len == 0)
            continue; /* only tatweel or marks: nothing to index, no position */

        tok->term = term;
        tok->term_len = term_len;
        tok->position = a->position++;
        tok->start = cur->start;
        tok->end = cur->end;
        tok->is_stopword = stop;
        return 1;
    }
}
