/*
 * date.c — reading the dates Arabic news pages write (grammar: docs/dates.md).
 *
 * Two passes over a short, bounded input:
 *
 *  1. The tokenizer turns the text into numbers (Western, Arabic-Indic and
 *     Persian digits alike), words and single punctuation marks. Words are
 *     folded as they are read — alef forms to ا, ة to ه, ى/ی to ي, diacritics
 *     and tatweel dropped, ASCII lower-cased — so one table entry matches
 *     every spelling a site may use. Bidi marks are skipped; every Unicode
 *     space separates.
 *  2. A recursive-descent parser reads the grammar over those tokens. Each
 *     rule returns MATCH, NO_MATCH (position restored, another rule may try)
 *     or FAIL (the text is recognisably a date but wrong: the message says
 *     why, and nothing else is tried — we report rather than guess).
 *
 * Everything lives on the caller's stack: no allocation, no mutable globals,
 * so the function is reentrant. The input is validated as UTF-8 while it is
 * decoded and is never read past len (it need not be NUL-terminated). Prose
 * is refused in stages, as early as possible (see kh_date_parse).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "khabar.h"
#include "understand/date.h"
#include "util/error.h"
#include "util/text.h"
#include "util/utf8.h"

enum {
    /* The longest real dateline (label, weekday, Hijri and Gregorian dates,
     * time, zone) is about 160 bytes; anything much longer is prose, and
     * refusing it before looking keeps the text reader's line scan cheap. */
    DATE_MAX_BYTES = 400,
    /* More tokens than any dateline has; prose runs out of room quickly. */
    DATE_MAX_TOKENS = 48,
    /* Tokens read before deciding whether the text can start a date at all:
     * room for the longest label with its colons and "في", and what follows. */
    FIRST_LOOK_TOKENS = 10,
    /* Longest folded word we need to recognise, in bytes ("بالتوقيت" is 16). */
    WORD_MAX = 32,
    /* How much of the input a message quotes. */
    EXCERPT_MAX = 128,
    YEAR_MIN = 1900,
    YEAR_MAX = 2100
};

enum { NO_MATCH = 0, MATCH = 1, FAIL = -1 };

typedef enum { TOK_NUMBER, TOK_WORD, TOK_PUNCT } token_kind;

typedef struct {
    token_kind kind;
    int space_before;       /* whitespace separated it from the previous token */
    int value;              /* number's value (exact up to 9 digits), or punctuation code point */
    int digits;             /* number of digits of a number */
    size_t start, end;      /* bytes of the original text, for messages */
    size_t word_len;        /* folded length; WORD_MAX + 1 when too long to be a known word */
    char word[WORD_MAX];    /* folded word, not NUL-terminated */
} token;

typedef struct {
    const char *text;
    size_t len;
    kh_error *err;
    int quiet;              /* inside a speculative rule: do not write err */
    int n, pos;
    size_t scanned;         /* tokenizer: bytes read so far */
    int open;               /* tokenizer: index of the token being extended, or -1 */
    int space;              /* tokenizer: whitespace since the last token */
    token tok[DATE_MAX_TOKENS];
} parser;

/* One date as written: a Gregorian or Hijri day, with the weekday if given. */
typedef struct {
    int year, month, day;
    int hijri;
    int weekday;            /* 0 = Sunday .. 6 = Saturday; -1 when not written */
    int weekday_tok;        /* token index of the weekday, for messages */
    int numeric;            /* written in digits only (an ISO "T" may follow) */
    int first, last;        /* token span, for messages */
} date_unit;

/* ------------------------------------------------------------------------ */
/* Characters                                                                */
/* ------------------------------------------------------------------------ */

static int digit_value(int32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return cp - '0';
    if (cp >= 0x0660 && cp <= 0x0669)    /* Arabic-Indic */
        return cp - 0x0660;
    if (cp >= 0x06F0 && cp <= 0x06F9)    /* Persian (Extended Arabic-Indic) */
        return cp - 0x06F0;
    return -1;
}

/* Harakat, tanween, shadda, superscript alef, Quranic marks and tatweel:
 * decoration that never changes which word is meant ("صباحًا" = "صباحا",
 * "هـ" = "ه"). */
static int is_mark(int32_t cp)
{
    return (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || cp == 0x0640 ||
           (cp >= 0x06D6 && cp <= 0x06DC) || (cp >= 0x06DF && cp <= 0x06E4) ||
           cp == 0x06E7 || cp == 0x06E8 || (cp >= 0x06EA && cp <= 0x06ED);
}

/* The folded form of a letter, or 0 when cp is not a letter. Folding erases
 * the spelling differences sites disagree on (hamza seats, ta marbuta, alef
 * maqsura, Persian keyboard letters) and ASCII case. */
static int32_t fold_letter(int32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + ('a' - 'A');
    if (cp >= 'a' && cp <= 'z')
        return cp;
    switch (cp) {
    case 0x0622: case 0x0623: case 0x0625: case 0x0671:   /* آ أ إ ٱ */
        return 0x0627;                                    /* ا */
    case 0x0629:                                          /* ة */
        return 0x0647;                                    /* ه */
    case 0x0649: case 0x06CC:                             /* ى ی */
        return 0x064A;                                    /* ي */
    case 0x06A9:                                          /* ک */
        return 0x0643;                                    /* ك */
    case 0x06A4:                                          /* ڤ (Maghreb "ڤيفري") */
        return 0x0641;                                    /* ف */
    default:
        break;
    }
    if ((cp >= 0x0621 && cp <= 0x063A) || (cp >= 0x0641 && cp <= 0x064A) ||
        (cp >= 0x0671 && cp <= 0x06D3))
        return cp;
    return 0;
}

/* Punctuation, with the look-alikes sites use in place of the ASCII mark. */
static int32_t punct_code(int32_t cp)
{
    switch (cp) {
    case 0x060C:                                          /* Arabic comma */
        return ',';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2212:
        return '-';                                       /* hyphens, dashes, minus */
    default:
        return cp;
    }
}

/* Decodes one code point of s[0..len) (len > 0), refusing what is not
 * well-formed UTF-8 (bad lead or continuation bytes, overlong forms,
 * surrogates, > U+10FFFF, a sequence cut by the end of the input): returns
 * its length, or 0. The input is decoded once, here, rather than validated
 * in a separate pass, so refusing a prose line early skips the rest. */
static size_t decode_strict(const unsigned char *s, size_t len, int32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    int32_t min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, min = 0x10000;
    } else {
        return 0;
    }
    if (len <= need)
        return 0;
    int32_t v = c & (0x3F >> need);
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return need + 1;
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */
/* ------------------------------------------------------------------------ */

/* Copies text[start..end) into out for a message: whitespace runs become one
 * space, invisible marks are dropped (the message stays one line), and a long
 * span is cut at a character boundary and marked with "...", as is one that
 * runs into malformed UTF-8. cap >= 4. */
static void excerpt(const char *text, size_t start, size_t end, char *out, size_t cap)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t n = 0;
    int pending_space = 0;
    for (size_t i = start; i < end;) {
        int32_t cp;
        size_t k = decode_strict(u + i, end - i, &cp);
        if (k == 0) {
            /* Never copy malformed bytes into a message. */
            if (n + 4 <= cap) {
                memcpy(out + n, "...", 3);
                n += 3;
            }
            break;
        }
        if (kh_is_space(cp)) {
            pending_space = n > 0;
            i += k;
            continue;
        }
        if (kh_is_invisible(cp)) {
            i += k;
            continue;
        }
        size_t need = k + (pending_space ? 1 : 0);
        if (n + need + 4 > cap) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        if (pending_space)
            out[n++] = ' ';
        pending_space = 0;
        memcpy(out + n, text + i, k);
        n += k;
        i += k;
    }
    out[n] = '\0';
}

/* Records a failure (unless the parser is only probing) and returns FAIL.
 * The message is `date "<input>": <reason>`. */
__attribute__((format(printf, 2, 3)))
static int date_fail(parser *p, const char *fmt, ...)
{
    if (p->quiet || !p->err)
        return FAIL;
    char reason[KH_ERROR_MESSAGE_MAX];
    char whole[EXCERPT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    excerpt(p->text, 0, p->len, whole, sizeof whole);
    kh_fail(p->err, KH_ERR_PARSE, "date \"%s\": %s", whole, reason);
    return FAIL;
}

/* The original text of tokens first..last, for quoting in a message. */
static const char *span_text(const parser *p, int first, int last, char *out, size_t cap)
{
    out[0] = '\0';
    if (p->quiet || !p->err)
        return out;              /* no message will be written: do not build one */
    if (first < 0 || first >= p->n) {
        snprintf(out, cap, "(end)");
        return out;
    }
    if (last >= p->n)
        last = p->n - 1;
    if (last < first)
        last = first;
    excerpt(p->text, p->tok[first].start, p->tok[last].end, out, cap);
    return out;
}

/* The original text from token `first` to the end of the input. */
static const char *rest_text(const parser *p, int first, char *out, size_t cap)
{
    out[0] = '\0';
    if (p->quiet || !p->err || first < 0 || first >= p->n)
        return out;
    excerpt(p->text, p->tok[first].start, p->len, out, cap);
    return out;
}

static const char *const kh_month_english[13] = {
    "", "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"
};

static const char *const kh_weekday_english[7] = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"
};

/* ------------------------------------------------------------------------ */
/* Tokens                                                                    */
/* ------------------------------------------------------------------------ */

/* Reads tokens until there are `limit` of them or the text ends. Resumable:
 * kh_date_parse first reads a few tokens to reject prose cheaply, then the
 * rest. It pauses only where a new token would begin, so no token is cut. */
static int tokenize(parser *p, int limit)
{
    const unsigned char *u = (const unsigned char *)p->text;
    token *open = p->open >= 0 ? &p->tok[p->open] : NULL;
    size_t i = p->scanned;
    int status = MATCH;
    while (i < p->len) {
        int32_t cp;
        size_t at = i;
        size_t k = decode_strict(u + i, p->len - i, &cp);
        if (k == 0) {
            status = date_fail(p, "invalid UTF-8 at byte %zu", at);
            break;
        }
        i += k;
        /* Arabic letters and digits (U+0621..U+066F) are never space or
         * invisible: skip those checks for the bulk of the text. */
        int plain = cp >= 0x0621 && cp <= 0x066F;
        if (!plain && kh_is_space(cp)) {
            p->space = 1;
            open = NULL;
            continue;
        }
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
            status = date_fail(p, "control character U+%04X at byte %zu", (unsigned)cp, at);
            break;
        }
        if ((!plain && kh_is_invisible(cp)) || is_mark(cp)) {
            /* Transparent: "٢٠\u200F٢٦" is still one number. A mark belongs
             * to its word, so that a quoted "هـ" keeps its tatweel. */
            if (open && open->kind == TOK_WORD && is_mark(cp))
                open->end = i;
            continue;
        }

        int digit = digit_value(cp);
        int32_t letter = digit < 0 ? fold_letter(cp) : 0;
        token_kind kind = digit >= 0 ? TOK_NUMBER : letter ? TOK_WORD : TOK_PUNCT;
        if (!open || open->kind != kind || kind == TOK_PUNCT) {
            if (p->n == limit) {
                i = at;          /* pause before this token */
                if (limit == DATE_MAX_TOKENS)
                    status = date_fail(p, "too many words for a date");
                break;
            }
            open = &p->tok[p->n++];
            open->kind = kind;
            open->space_before = p->space;
            open->value = kind == TOK_PUNCT ? punct_code(cp) : 0;
            open->digits = 0;
            open->start = at;
            open->word_len = 0;
        }
        open->end = i;
        p->space = 0;
        if (kind == TOK_NUMBER) {
            if (open->digits < 9)
                open->value = open->value * 10 + digit;
            open->digits++;
        } else if (kind == TOK_WORD) {
            /* Folded letters are ASCII or 2-byte Arabic-script letters. */
            size_t k = letter < 0x80 ? 1 : 2;
            if (open->word_len <= WORD_MAX && open->word_len + k <= WORD_MAX) {
                char *w = open->word + open->word_len;
                if (k == 1) {
                    w[0] = (char)letter;
                } else {
                    w[0] = (char)(0xC0 | (letter >> 6));
                    w[1] = (char)(0x80 | (letter & 0x3F));
                }
                open->word_len += k;
            } else {
                open->word_len = WORD_MAX + 1;
            }
        } else {
            open = NULL;         /* each mark is its own token */
        }
    }
    p->scanned = i;
    p->open = open ? (int)(open - p->tok) : -1;
    return status;
}

static const token *tok_at(const parser *p, int i)
{
    return i >= 0 && i < p->n ? &p->tok[i] : NULL;
}

static const token *cur(const parser *p)
{
    return tok_at(p, p->pos);
}

static int is_num(const token *t, int min_digits, int max_digits)
{
    return t && t->kind == TOK_NUMBER && t->digits >= min_digits && t->digits <= max_digits;
}

static int is_punct(const token *t, int32_t c)
{
    return t && t->kind == TOK_PUNCT && t->value == c;
}

/* 1 when t is the word w[0..wlen). Vocabulary is written in folded form
 * (ا for every alef, ه for ة, ي for ى, no diacritics, lower-case ASCII: the
 * unit test checks this through kh_date_vocabulary_check), so comparing is
 * comparing bytes. */
static int word_eq_n(const token *t, const char *w, size_t wlen)
{
    return t && t->kind == TOK_WORD && t->word_len == wlen && memcmp(t->word, w, wlen) == 0;
}

static int word_eq(const token *t, const char *w)
{
    return word_eq_n(t, w, strlen(w));
}

/* How many tokens from index `at` spell `phrase` (words separated by one
 * space), or 0. */
static int phrase_at(const parser *p, int at, const char *phrase)
{
    int k = 0;
    for (const char *w = phrase;;) {
        const token *t = tok_at(p, at + k);
        /* Most entries differ from the token in their first letter. */
        if (!t || t->kind != TOK_WORD || t->word[0] != w[0] ||
            (t->word_len > 1 && t->word[1] != w[1]))
            return 0;
        size_t wl = 0;
        while (w[wl] && w[wl] != ' ')
            wl++;
        if (!word_eq_n(t, w, wl))
            return 0;
        k++;
        if (!w[wl])
            return k;
        w += wl + 1;
    }
}

/* Longest phrase of list[] at `at`: returns its token count (0: none) and
 * stores its index in *which. */
static int longest_phrase(const parser *p, int at, const char *const *list, size_t count,
                          size_t *which)
{
    int best = 0;
    const token *t = tok_at(p, at);
    if (!t || t->kind != TOK_WORD)
        return 0;
    for (size_t i = 0; i < count; i++) {
        int k = phrase_at(p, at, list[i]);
        if (k > best) {
            best = k;
            if (which)
                *which = i;
        }
    }
    return best;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Vocabulary                                                                */
/* ------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    int month;
    int hijri;
} month_name;

static const month_name kh_month_names[] = {
    /* Egypt, Sudan, the Gulf: the Latin names transliterated. */
    {"يناير", 1, 0}, {"فبراير", 2, 0}, {"مارس", 3, 0}, {"ابريل", 4, 0}, {"مايو", 5, 0},
    {"يونيو", 6, 0}, {"يونيه", 6, 0}, {"يوليو", 7, 0}, {"يوليه", 7, 0}, {"اغسطس", 8, 0},
    {"سبتمبر", 9, 0}, {"اكتوبر", 10, 0}, {"نوفمبر", 11, 0}, {"ديسمبر", 12, 0},
    /* The Levant and Iraq: the Syriac names. */
    {"كانون الثاني", 1, 0}, {"شباط", 2, 0}, {"اذار", 3, 0}, {"نيسان", 4, 0}, {"ايار", 5, 0},
    {"حزيران", 6, 0}, {"تموز", 7, 0}, {"اب", 8, 0}, {"ايلول", 9, 0}, {"تشرين الاول", 10, 0},
    {"تشرين الثاني", 11, 0}, {"كانون الاول", 12, 0},
    {"كانون ثاني", 1, 0}, {"تشرين اول", 10, 0}, {"تشرين ثاني", 11, 0}, {"كانون اول", 12, 0},
    /* Algeria and Tunisia: the French names. */
    {"جانفي", 1, 0}, {"فيفري", 2, 0}, {"افريل", 4, 0}, {"ماي", 5, 0}, {"جوان", 6, 0},
    {"جويليه", 7, 0}, {"اوت", 8, 0},
    /* Morocco: French-influenced forms of the Latin names. */
    {"يوليوز", 7, 0}, {"غشت", 8, 0}, {"شتنبر", 9, 0}, {"نونبر", 11, 0}, {"دجنبر", 12, 0},
    /* English, for bilingual pages and RSS-style dates. */
    {"january", 1, 0}, {"february", 2, 0}, {"march", 3, 0}, {"april", 4, 0}, {"may", 5, 0},
    {"june", 6, 0}, {"july", 7, 0}, {"august", 8, 0}, {"september", 9, 0},
    {"october", 10, 0}, {"november", 11, 0}, {"december", 12, 0},
    {"jan", 1, 0}, {"feb", 2, 0}, {"mar", 3, 0}, {"apr", 4, 0}, {"jun", 6, 0}, {"jul", 7, 0},
    {"aug", 8, 0}, {"sep", 9, 0}, {"sept", 9, 0}, {"oct", 10, 0}, {"nov", 11, 0}, {"dec", 12, 0},
    /* Hijri months: recognised so that a line giving both calendars can use
     * the Gregorian one, and a Hijri-only line is refused by name. */
    {"محرم", 1, 1}, {"صفر", 2, 1}, {"ربيع الاول", 3, 1}, {"ربيع الثاني", 4, 1},
    {"ربيع الاخر", 4, 1}, {"جمادي الاولي", 5, 1}, {"جمادي الاول", 5, 1},
    {"جمادي الاخره", 6, 1}, {"جمادي الاخر", 6, 1}, {"جمادي الثانيه", 6, 1}, {"رجب", 7, 1},
    {"شعبان", 8, 1}, {"رمضان", 9, 1}, {"شوال", 10, 1}, {"ذو القعده", 11, 1},
    {"ذي القعده", 11, 1}, {"ذو الحجه", 12, 1}, {"ذي الحجه", 12, 1},
};

/* The month name at token `at`: returns its token count (0: none). */
static int month_at(const parser *p, int at, const month_name **found)
{
    int best = 0;
    const token *t = tok_at(p, at);
    if (!t || t->kind != TOK_WORD)
        return 0;
    for (size_t i = 0; i < COUNT(kh_month_names); i++) {
        const char *name = kh_month_names[i].name;
        if (name[0] != t->word[0] || (t->word_len > 1 && name[1] != t->word[1]))
            continue;            /* cheap first-letter test before the full compare */
        int k = phrase_at(p, at, name);
        if (k > best) {
            best = k;
            *found = &kh_month_names[i];
        }
    }
    return best;
}

typedef struct {
    const char *name;
    int weekday;
} weekday_name;

static const weekday_name kh_weekday_names[] = {
    {"الاحد", 0}, {"الاثنين", 1}, {"الاتنين", 1}, {"الثلاثاء", 2}, {"الثلاثا", 2},
    {"الاربعاء", 3}, {"الاربعا", 3}, {"الخميس", 4}, {"الجمعه", 5}, {"السبت", 6},
    {"احد", 0}, {"اثنين", 1}, {"ثلاثاء", 2}, {"اربعاء", 3}, {"خميس", 4}, {"جمعه", 5}, {"سبت", 6},
    {"sunday", 0}, {"monday", 1}, {"tuesday", 2}, {"wednesday", 3}, {"thursday", 4},
    {"friday", 5}, {"saturday", 6},
    {"sun", 0}, {"mon", 1}, {"tue", 2}, {"tues", 2}, {"wed", 3}, {"thu", 4}, {"thur", 4},
    {"thurs", 4}, {"fri", 5}, {"sat", 6},
};

static int weekday_at(const parser *p, int at)
{
    const token *t = tok_at(p, at);
    if (!t || t->kind != TOK_WORD)
        return -1;
    for (size_t i = 0; i < COUNT(kh_weekday_names); i++)
        if (kh_weekday_names[i].name[0] == t->word[0] && word_eq(t, kh_weekday_names[i].name))
            return kh_weekday_names[i].weekday;
    return -1;
}

typedef enum { MERIDIEM_AM, MERIDIEM_PM, MERIDIEM_NOON } meridiem;

typedef struct {
    const char *name;
    meridiem kind;
} meridiem_name;

static const meridiem_name kh_meridiem_names[] = {
    {"ص", MERIDIEM_AM}, {"صباحا", MERIDIEM_AM}, {"صباح", MERIDIEM_AM},
    {"am", MERIDIEM_AM},
    {"م", MERIDIEM_PM}, {"مساء", MERIDIEM_PM}, {"مساءا", MERIDIEM_PM}, {"عصرا", MERIDIEM_PM},
    {"عصر", MERIDIEM_PM}, {"pm", MERIDIEM_PM},
    {"ظهرا", MERIDIEM_NOON}, {"ظهر", MERIDIEM_NOON},
};

static int meridiem_at(const parser *p, int at, meridiem *kind)
{
    const token *t = tok_at(p, at);
    if (!t || t->kind != TOK_WORD)
        return 0;
    for (size_t i = 0; i < COUNT(kh_meridiem_names); i++)
        if (word_eq(t, kh_meridiem_names[i].name)) {
            if (kind)
                *kind = kh_meridiem_names[i].kind;
            return 1;
        }
    return 0;
}

/* Labels that introduce a dateline; a trailing "في"/"بتاريخ" and colons are
 * handled separately so each label is listed once. */
static const char *const kh_date_labels[] = {
    "نشر", "نشرت", "نشر بتاريخ", "تم النشر", "تاريخ النشر", "وقت النشر",
    "اخر تحديث", "تاريخ اخر تحديث", "تم التحديث", "تاريخ التحديث", "التحديث", "تحديث",
    "محدث", "بتاريخ", "التاريخ", "تاريخ", "اضيف", "في",
    "published", "updated", "last updated", "posted", "date",
};

static const char *const kh_label_tails[] = {"في", "بتاريخ", "يوم في", "on", "at"};

/* Era markers after a year. */
static const char *const kh_era_ad[] = {"م", "ميلادي", "ميلاديه"};
static const char *const kh_era_hijri[] = {"ه", "هجري", "هجريه"};

/* Words that join a Hijri and a Gregorian date: "... هـ الموافق 04 يناير". */
static const char *const kh_date_links[] = {"الموافق", "موافق", "الموافق ل", "وفق"};

/* Words that may stand between a date and its time: "... 2026 الساعة 09:36". */
static const char *const kh_time_lead[] = {
    "الساعه", "في الساعه", "علي الساعه", "عند الساعه", "في تمام الساعه", "تمام الساعه",
    "at",
};

/* "Time of ...": introduces a place whose clock is meant. */
static const char *const kh_zone_lead[] = {"بتوقيت", "توقيت", "حسب توقيت", "بحسب توقيت"};

/* "Local time": true, but it gives no offset. */
static const char *const kh_local_time[] = {"بالتوقيت المحلي", "التوقيت المحلي"};

static const char *const kh_greenwich[] = {
    "غرينتش", "غرينيتش", "جرينتش", "جرينيتش", "قرينتش", "gmt", "utc",
};

/* Saudi Arabia keeps +03:00 all year (no daylight saving), so naming Mecca
 * or Riyadh time fixes the offset. Places whose offset changes with the
 * season (Cairo, Beirut, ...) are refused: we would have to guess. */
static const char *const kh_mecca_time[] = {
    "مكه", "مكه المكرمه", "الرياض", "السعوديه",
};

/* ------------------------------------------------------------------------ */
/* Calendar                                                                  */
/* ------------------------------------------------------------------------ */

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* 0 = Sunday (Sakamoto's method; valid for the Gregorian calendar). */
static int weekday_of(int y, int m, int d)
{
    static const int shift[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    if (m < 3)
        y -= 1;
    return (y + y / 4 - y / 100 + y / 400 + shift[m - 1] + d) % 7;
}

/* ------------------------------------------------------------------------ */
/* Grammar                                                                   */
/* ------------------------------------------------------------------------ */

static int skip_punct(parser *p, const char *marks)
{
    const token *t = cur(p);
    if (t && t->kind == TOK_PUNCT && t->value < 0x80 && t->value > 0 &&
        strchr(marks, (int)t->value)) {
        p->pos++;
        return 1;
    }
    return 0;
}

/* label := LABEL [":"] [TAIL] [":"] */
static void skip_label(parser *p)
{
    int k = longest_phrase(p, p->pos, kh_date_labels, COUNT(kh_date_labels), NULL);
    if (!k)
        return;
    p->pos += k;
    skip_punct(p, ":");
    p->pos += longest_phrase(p, p->pos, kh_label_tails, COUNT(kh_label_tails), NULL);
    skip_punct(p, ":");
}

/* The day of a named date, which must be written with one or two digits. */
static int take_day(parser *p, date_unit *u)
{
    const token *t = cur(p);
    if (!is_num(t, 1, 2)) {
        char s[EXCERPT_MAX];
        return date_fail(p, "expected a day of one or two digits at '%s'",
                         span_text(p, p->pos, p->pos, s, sizeof s));
    }
    u->day = t->value;
    p->pos++;
    return MATCH;
}

static int take_year(parser *p, date_unit *u, int after_first, int after_last)
{
    const token *t = cur(p);
    if (!is_num(t, 4, 4)) {
        char s[EXCERPT_MAX], at[EXCERPT_MAX];
        if (!t)
            return date_fail(p, "no year after '%s'",
                             span_text(p, after_first, after_last, s, sizeof s));
        return date_fail(p, "expected a 4-digit year after '%s', found '%s'",
                         span_text(p, after_first, after_last, s, sizeof s),
                         span_text(p, p->pos, p->pos, at, sizeof at));
    }
    u->year = t->value;
    p->pos++;
    return MATCH;
}

/* A month name, optionally doubled as the Levant writes it: "كانون الثاني/يناير"
 * or "كانون الثاني (يناير)". Both halves must name the same month. */
static int take_month(parser *p, date_unit *u)
{
    const month_name *m = NULL;
    int first = p->pos;
    int k = month_at(p, p->pos, &m);
    if (!k) {
        char s[EXCERPT_MAX];
        return date_fail(p, "unknown month name '%s'", span_text(p, p->pos, p->pos, s, sizeof s));
    }
    p->pos += k;
    u->month = m->month;
    u->hijri = m->hijri;

    const token *t = cur(p);
    if (is_punct(t, '/') || is_punct(t, '(')) {
        const month_name *m2 = NULL;
        int k2 = month_at(p, p->pos + 1, &m2);
        if (k2) {
            int paren = is_punct(t, '(');
            if (m2->month != m->month || m2->hijri != m->hijri) {
                char a[EXCERPT_MAX], b[EXCERPT_MAX];
                return date_fail(p, "the month names '%s' and '%s' disagree",
                                 span_text(p, first, first + k - 1, a, sizeof a),
                                 span_text(p, p->pos + 1, p->pos + k2, b, sizeof b));
            }
            p->pos += 1 + k2;
            if (paren) {
                if (!is_punct(cur(p), ')'))
                    return date_fail(p, "missing ')' after the month name");
                p->pos++;
            }
        }
    }
    return MATCH;
}

/* numeric := N SEP N SEP N, SEP one of / - . (the same twice); the year has 4
 * digits and comes first (YYYY/MM/DD) or last (DD/MM/YYYY). */
static int parse_numeric_date(parser *p, date_unit *u)
{
    const token *a = tok_at(p, p->pos), *s1 = tok_at(p, p->pos + 1), *b = tok_at(p, p->pos + 2),
                *s2 = tok_at(p, p->pos + 3), *c = tok_at(p, p->pos + 4);
    if (!(is_punct(s1, '/') || is_punct(s1, '-') || is_punct(s1, '.')) || !s2 ||
        s2->kind != TOK_PUNCT || s2->value != s1->value || !is_num(b, 1, 4) || !is_num(c, 1, 9))
        return NO_MATCH;
    char s[EXCERPT_MAX];
    if (a->digits == 4 && b->digits <= 2 && c->digits <= 2) {
        u->year = a->value, u->month = b->value, u->day = c->value;
    } else if (a->digits <= 2 && b->digits <= 2 && c->digits == 4) {
        u->day = a->value, u->month = b->value, u->year = c->value;
    } else {
        return date_fail(p, "numeric date '%s' is not YYYY/MM/DD or DD/MM/YYYY "
                            "(the year must have 4 digits)",
                         span_text(p, p->pos, p->pos + 4, s, sizeof s));
    }
    u->numeric = 1;
    p->pos += 5;
    return MATCH;
}

/* digits_first := numeric | DAY MONTH [","] YEAR */
static int parse_digits_first(parser *p, date_unit *u)
{
    int r = parse_numeric_date(p, u);
    if (r != NO_MATCH)
        return r;
    const token *next = tok_at(p, p->pos + 1);
    if (!next || next->kind != TOK_WORD || meridiem_at(p, p->pos + 1, NULL))
        return NO_MATCH;     /* "9 م" is a time, "2026" alone is nothing */
    if ((r = take_day(p, u)) != MATCH)
        return r;
    int month_first = p->pos;
    if ((r = take_month(p, u)) != MATCH)
        return r;
    int month_last = p->pos - 1;
    skip_punct(p, ",");
    return take_year(p, u, month_first, month_last);
}

/* month_first := MONTH DAY [","] YEAR ("يناير 4، 2026", "January 4, 2026") */
static int parse_month_first(parser *p, date_unit *u)
{
    const month_name *m = NULL;
    if (!month_at(p, p->pos, &m))
        return NO_MATCH;
    int month_first = p->pos;
    int r = take_month(p, u);
    if (r != MATCH)
        return r;
    char s[EXCERPT_MAX];
    if (is_num(cur(p), 4, 4))
        return date_fail(p, "'%s' gives a month and a year but no day",
                         span_text(p, month_first, p->pos, s, sizeof s));
    if ((r = take_day(p, u)) != MATCH)
        return r;
    skip_punct(p, ",");
    return take_year(p, u, month_first, p->pos - 1);
}

/* unit := ["يوم"] [WEEKDAY [","|"-"]] (digits_first | month_first) [ERA] */
static int parse_date_unit(parser *p, date_unit *u)
{
    int save = p->pos;
    char s[EXCERPT_MAX];
    memset(u, 0, sizeof *u);
    u->weekday = -1;
    u->first = p->pos;
    if (word_eq(cur(p), "يوم") && weekday_at(p, p->pos + 1) >= 0)
        p->pos++;
    int wd = weekday_at(p, p->pos);
    if (wd >= 0) {
        u->weekday = wd;
        u->weekday_tok = p->pos;
        p->pos++;
        skip_punct(p, ",-");
    }

    const token *t = cur(p);
    int r = t && t->kind == TOK_NUMBER ? parse_digits_first(p, u) : parse_month_first(p, u);
    if (r == FAIL)
        return FAIL;
    if (r == NO_MATCH) {
        if (u->weekday >= 0)
            return date_fail(p, "expected a date after the weekday '%s'",
                             span_text(p, u->weekday_tok, u->weekday_tok, s, sizeof s));
        p->pos = save;
        return NO_MATCH;
    }

    /* The era marker: "م" right after the year means AD (a "م" after a time
     * means PM — position decides); "هـ" marks a Hijri year. */
    t = cur(p);
    if (longest_phrase(p, p->pos, kh_era_ad, COUNT(kh_era_ad), NULL)) {
        if (u->hijri)
            return date_fail(p, "Hijri date '%s' carries the AD marker '%s'",
                             span_text(p, u->first, p->pos - 1, s, sizeof s), "م");
        p->pos++;
    } else if (longest_phrase(p, p->pos, kh_era_hijri, COUNT(kh_era_hijri), NULL)) {
        if (!u->hijri && !u->numeric)
            return date_fail(p, "Gregorian month in '%s' carries the Hijri marker 'هـ'",
                             span_text(p, u->first, p->pos - 1, s, sizeof s));
        u->hijri = 1;
        p->pos++;
    }
    u->last = p->pos - 1;

    if (u->hijri) {
        /* Not converted, so only checked for shape. */
        if (u->month < 1 || u->month > 12)
            return date_fail(p, "month %d does not exist", u->month);
        if (u->day < 1 || u->day > 30)
            return date_fail(p, "day %d does not exist in a Hijri month", u->day);
        return MATCH;
    }
    if (u->year < YEAR_MIN || u->year > YEAR_MAX)
        return date_fail(p, "year %d is outside the accepted range %d..%d", u->year, YEAR_MIN,
                         YEAR_MAX);
    if (u->month < 1 || u->month > 12)
        return date_fail(p, "month %d does not exist (numeric dates are read as day/month/year)",
                         u->month);
    if (u->day < 1 || u->day > days_in_month(u->year, u->month))
        return date_fail(p, "day %d does not exist in %s %d", u->day,
                         kh_month_english[u->month], u->year);
    return MATCH;
}

/* dates := unit [SEP] [LINK | "("] [unit [")"]]
 * At most one Gregorian and one Hijri date; the Gregorian one is the result. */
static int parse_dates(parser *p, date_unit *out)
{
    date_unit a, b;
    char s[EXCERPT_MAX], s2[EXCERPT_MAX];
    int r = parse_date_unit(p, &a);
    if (r != MATCH)
        return r;

    int have_b = 0;
    int save = p->pos;
    skip_punct(p, ",-|/");
    int linked = longest_phrase(p, p->pos, kh_date_links, COUNT(kh_date_links), NULL);
    p->pos += linked;
    int paren = skip_punct(p, "(");
    /* Without a linking word a second date is only a possibility (the text
     * may go on with a time), so probe it quietly. */
    int probing = !linked && !paren;
    int was_quiet = p->quiet;
    p->quiet = was_quiet || probing;
    r = parse_date_unit(p, &b);
    p->quiet = was_quiet;
    if (r == MATCH) {
        if (paren && !skip_punct(p, ")"))
            return date_fail(p, "missing ')' after '%s'", span_text(p, b.first, b.last, s, sizeof s));
        have_b = 1;
    } else if (r == FAIL && !probing) {
        return FAIL;
    } else if (!probing) {
        return date_fail(p, "expected a date after '%s'",
                         span_text(p, save, p->pos - 1, s, sizeof s));
    } else {
        p->pos = save;
    }

    if (!have_b) {
        if (a.hijri)
            return date_fail(p, "Hijri-only date '%s': Hijri dates are not converted to Gregorian",
                             span_text(p, a.first, a.last, s, sizeof s));
        *out = a;
    } else {
        if (a.hijri && b.hijri)
            return date_fail(p, "Hijri-only dates '%s' and '%s': Hijri dates are not converted "
                                "to Gregorian",
                             span_text(p, a.first, a.last, s, sizeof s),
                             span_text(p, b.first, b.last, s2, sizeof s2));
        if (!a.hijri && !b.hijri)
            return date_fail(p, "two Gregorian dates '%s' and '%s': which one is meant is unclear",
                             span_text(p, a.first, a.last, s, sizeof s),
                             span_text(p, b.first, b.last, s2, sizeof s2));
        *out = a.hijri ? b : a;
        if (a.weekday >= 0 && b.weekday >= 0 && a.weekday != b.weekday)
            return date_fail(p, "two different weekdays '%s' and '%s'",
                             span_text(p, a.weekday_tok, a.weekday_tok, s, sizeof s),
                             span_text(p, b.weekday_tok, b.weekday_tok, s2, sizeof s2));
        if (out->weekday < 0) {
            const date_unit *other = a.hijri ? &a : &b;
            out->weekday = other->weekday;
            out->weekday_tok = other->weekday_tok;
        }
    }

    /* A weekday that contradicts the date means one of them is wrong, and
     * we cannot tell which. */
    if (out->weekday >= 0) {
        int actual = weekday_of(out->year, out->month, out->day);
        if (actual != out->weekday)
            return date_fail(p, "weekday '%s' does not match %04d-%02d-%02d, which is a %s",
                             span_text(p, out->weekday_tok, out->weekday_tok, s, sizeof s),
                             out->year, out->month, out->day, kh_weekday_english[actual]);
    }
    return MATCH;
}

/* time := H ":" MM [":" SS ["." FRACTION]] [MERIDIEM] | H MERIDIEM */
static int parse_time(parser *p, kh_datetime *dt)
{
    const token *h = cur(p), *colon = tok_at(p, p->pos + 1), *m = tok_at(p, p->pos + 2);
    int first = p->pos;
    int hour, minute = 0, second = 0;
    if (!is_num(h, 1, 2))
        return NO_MATCH;
    if (is_punct(colon, ':') && is_num(m, 2, 2)) {
        hour = h->value;
        minute = m->value;
        p->pos += 3;
        if (is_punct(cur(p), ':') && is_num(tok_at(p, p->pos + 1), 2, 2)) {
            second = tok_at(p, p->pos + 1)->value;
            p->pos += 2;
            /* ISO fractional seconds: read and dropped (whole seconds kept). */
            const token *dot = cur(p), *frac = tok_at(p, p->pos + 1);
            if (is_punct(dot, '.') && !dot->space_before && is_num(frac, 1, 9) &&
                !frac->space_before)
                p->pos += 2;
        }
    } else if (meridiem_at(p, p->pos + 1, NULL)) {
        hour = h->value;         /* "9 مساءً": an hour alone needs its meridiem */
        p->pos += 1;
    } else {
        return NO_MATCH;
    }

    char s[EXCERPT_MAX], w[EXCERPT_MAX];
    meridiem mer;
    if (meridiem_at(p, p->pos, &mer)) {
        span_text(p, p->pos, p->pos, w, sizeof w);
        p->pos++;
        if (hour < 1 || hour > 12)
            return date_fail(p, "hour %d in '%s' is not on a 12-hour clock (1..12)", hour,
                             span_text(p, first, p->pos - 1, s, sizeof s));
        if (mer == MERIDIEM_AM) {
            hour = hour == 12 ? 0 : hour;
        } else if (mer == MERIDIEM_PM) {
            hour = hour == 12 ? 12 : hour + 12;
        } else {
            /* "ظهرًا" (around noon): 11 and 12 as written, 1..5 after noon. */
            if (hour >= 1 && hour <= 5)
                hour += 12;
            else if (hour != 11 && hour != 12)
                return date_fail(p, "hour %d is not around noon, as '%s' says", hour, w);
        }
    }
    if (hour > 23)
        return date_fail(p, "hour %d does not exist", hour);
    if (minute > 59)
        return date_fail(p, "minute %d does not exist", minute);
    if (second > 59)
        return date_fail(p, "second %d does not exist", second);
    dt->hour = hour;
    dt->minute = minute;
    dt->second = second;
    dt->has_time = 1;
    return MATCH;
}

/* The digits of an offset after its sign: hh:mm, hhmm, or (when `loose`, as
 * after "GMT") h or hh. Anything else, or out of range, is not an offset. */
static int parse_offset_digits(parser *p, int sign, int loose, kh_datetime *dt)
{
    const token *a = cur(p);
    int hours, minutes = 0, used;
    if (is_num(a, 1, 2) && is_punct(tok_at(p, p->pos + 1), ':') &&
        is_num(tok_at(p, p->pos + 2), 2, 2)) {
        hours = a->value;
        minutes = tok_at(p, p->pos + 2)->value;
        used = 3;
    } else if (is_num(a, 4, 4)) {
        hours = a->value / 100;
        minutes = a->value % 100;
        used = 1;
    } else if (is_num(a, 1, 2) && (loose || (sign > 0 && a->digits == 2))) {
        hours = a->value;
        used = 1;
    } else {
        return NO_MATCH;
    }
    /* Real offsets run from -12:00 to +14:00; allow ±14:00 either way. */
    if (minutes > 59 || hours * 60 + minutes > 14 * 60)
        return NO_MATCH;
    /* "- 2026/01/04" after a time is a separator and a date, not an offset. */
    const token *after = tok_at(p, p->pos + used);
    if (is_punct(after, '/') || is_punct(after, '-') || is_punct(after, '.') ||
        is_punct(after, ':'))
        return NO_MATCH;
    p->pos += used;
    dt->has_offset = 1;
    dt->offset_minutes = sign * (hours * 60 + minutes);
    return MATCH;
}

/* An optional "+3" after a zone name. */
static int parse_zone_suffix(parser *p, kh_datetime *dt)
{
    int sign = is_punct(cur(p), '+') ? 1 : is_punct(cur(p), '-') ? -1 : 0;
    if (!sign)
        return MATCH;
    p->pos++;
    if (parse_offset_digits(p, sign, 1, dt) != MATCH) {
        char s[EXCERPT_MAX];
        return date_fail(p, "malformed UTC offset at '%s'", span_text(p, p->pos, p->pos + 2, s, sizeof s));
    }
    return MATCH;
}

/* zone := "Z" | ("+"|"-") OFFSET | GMT [OFFSET] | "بتوقيت" PLACE | "بالتوقيت المحلي",
 * optionally in parentheses. Only after a time. */
static int parse_zone(parser *p, kh_datetime *dt)
{
    int save = p->pos;
    int paren = skip_punct(p, "(");
    const token *t = cur(p);
    char s[EXCERPT_MAX];
    int r = NO_MATCH;
    int k;
    if (word_eq(t, "z") && !t->space_before && !paren) {
        p->pos++;
        dt->has_offset = 1;
        dt->offset_minutes = 0;
        r = MATCH;
    } else if (is_punct(t, '+') || is_punct(t, '-')) {
        p->pos++;
        r = parse_offset_digits(p, is_punct(t, '+') ? 1 : -1, 0, dt);
    } else if ((k = longest_phrase(p, p->pos, kh_greenwich, COUNT(kh_greenwich), NULL))) {
        p->pos += k;
        dt->has_offset = 1;
        dt->offset_minutes = 0;
        r = parse_zone_suffix(p, dt);
    } else if ((k = longest_phrase(p, p->pos, kh_zone_lead, COUNT(kh_zone_lead), NULL))) {
        p->pos += k;
        if ((k = longest_phrase(p, p->pos, kh_greenwich, COUNT(kh_greenwich), NULL))) {
            p->pos += k;
            dt->has_offset = 1;
            dt->offset_minutes = 0;
            r = parse_zone_suffix(p, dt);
        } else if ((k = longest_phrase(p, p->pos, kh_mecca_time, COUNT(kh_mecca_time), NULL))) {
            p->pos += k;
            dt->has_offset = 1;
            dt->offset_minutes = 180;
            r = MATCH;
        } else {
            return date_fail(p, "unknown time zone '%s' (understood: GMT/UTC, numeric offsets, "
                                "Mecca/Riyadh time)",
                             span_text(p, p->pos, p->n - 1, s, sizeof s));
        }
    } else if ((k = longest_phrase(p, p->pos, kh_local_time, COUNT(kh_local_time), NULL))) {
        p->pos += k;
        r = MATCH;
    } else if (word_eq(t, "ت") && is_punct(tok_at(p, p->pos + 1), '.') &&
               word_eq(tok_at(p, p->pos + 2), "غ")) {
        p->pos += 3;             /* "ت.غ" = توقيت غرينتش */
        dt->has_offset = 1;
        dt->offset_minutes = 0;
        r = MATCH;
    }
    if (r == MATCH && paren && !skip_punct(p, ")"))
        r = NO_MATCH;
    if (r != MATCH)
        p->pos = save;
    return r;
}

/* line := [label] (time [zone] [SEP] dates [zone] | dates [SEP] [LEAD] [time [zone]]) */
static int parse_line(parser *p, kh_datetime *dt)
{
    char s[EXCERPT_MAX];
    date_unit g;
    skip_label(p);
    if (p->pos >= p->n)
        return date_fail(p, "a label with no date after it");

    int r = parse_time(p, dt);
    if (r == FAIL)
        return FAIL;
    if (r == MATCH) {
        int after_time = p->pos;
        if (parse_zone(p, dt) == FAIL)
            return FAIL;
        skip_punct(p, ",-|");
        r = parse_dates(p, &g);
        if (r == FAIL)
            return FAIL;
        if (r == NO_MATCH)
            return p->pos >= p->n
                       ? date_fail(p, "a time without a date")
                       : date_fail(p, "expected a date after the time, found '%s'",
                                   span_text(p, after_time, p->n - 1, s, sizeof s));
        if (!dt->has_offset && parse_zone(p, dt) == FAIL)
            return FAIL;
    } else {
        r = parse_dates(p, &g);
        if (r == FAIL)
            return FAIL;
        if (r == NO_MATCH) {
            if (p->n - p->pos == 1 && cur(p)->kind == TOK_NUMBER)
                return date_fail(p, "a lone number is not a date");
            return date_fail(p, "no date at '%s'", rest_text(p, p->pos, s, sizeof s));
        }
        int save = p->pos;
        skip_punct(p, ",-|");
        const token *t = cur(p);
        /* ISO 8601 joins date and time with "T": only after a numeric date. */
        if (g.numeric && p->pos == save && word_eq(t, "t") && !t->space_before)
            p->pos++;
        else
            p->pos += longest_phrase(p, p->pos, kh_time_lead, COUNT(kh_time_lead), NULL);
        r = parse_time(p, dt);
        if (r == FAIL)
            return FAIL;
        if (r == MATCH) {
            if (parse_zone(p, dt) == FAIL)
                return FAIL;
        } else {
            p->pos = save;
        }
    }
    if (p->pos < p->n)
        return date_fail(p, "trailing text after the date: '%s'", rest_text(p, p->pos, s, sizeof s));
    dt->year = g.year;
    dt->month = g.month;
    dt->day = g.day;
    return MATCH;
}

/* ------------------------------------------------------------------------ */
/* Vocabulary self-check                                                     */
/* ------------------------------------------------------------------------ */

static int is_folded_phrase(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s), word = 0;
    if (len == 0 || s[0] == ' ' || s[len - 1] == ' ')
        return 0;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        i += kh_utf8_decode(u + i, len - i, &cp);
        if (cp == ' ') {
            if (word == 0)
                return 0;        /* two spaces in a row */
            word = 0;
            continue;
        }
        if (fold_letter(cp) != cp)
            return 0;            /* not a letter, or not in folded form */
        char enc[4];
        word += kh_utf8_encode(cp, enc);
        if (word > WORD_MAX)
            return 0;
    }
    return 1;
}

static size_t check_list(const char *const *list, size_t count, const char **first_bad)
{
    size_t bad = 0;
    for (size_t i = 0; i < count; i++)
        if (!is_folded_phrase(list[i]) && bad++ == 0 && first_bad)
            *first_bad = list[i];
    return bad;
}

#define CHECK_LIST(a) check_list((a), COUNT(a), bad ? NULL : first_bad)

size_t kh_date_vocabulary_check(const char **first_bad)
{
    size_t bad = 0;
    for (size_t i = 0; i < COUNT(kh_month_names); i++)
        if (!is_folded_phrase(kh_month_names[i].name) && bad++ == 0 && first_bad)
            *first_bad = kh_month_names[i].name;
    for (size_t i = 0; i < COUNT(kh_weekday_names); i++)
        if (!is_folded_phrase(kh_weekday_names[i].name) && bad++ == 0 && first_bad)
            *first_bad = kh_weekday_names[i].name;
    for (size_t i = 0; i < COUNT(kh_meridiem_names); i++)
        if (!is_folded_phrase(kh_meridiem_names[i].name) && bad++ == 0 && first_bad)
            *first_bad = kh_meridiem_names[i].name;
    bad += CHECK_LIST(kh_date_labels);
    bad += CHECK_LIST(kh_label_tails);
    bad += CHECK_LIST(kh_era_ad);
    bad += CHECK_LIST(kh_era_hijri);
    bad += CHECK_LIST(kh_date_links);
    bad += CHECK_LIST(kh_time_lead);
    bad += CHECK_LIST(kh_zone_lead);
    bad += CHECK_LIST(kh_local_time);
    bad += CHECK_LIST(kh_greenwich);
    bad += CHECK_LIST(kh_mecca_time);
    return bad;
}

/* 1 when t is the first word of phrase. */
static int starts_phrase(const token *t, const char *phrase)
{
    if (phrase[0] != t->word[0] || (t->word_len > 1 && phrase[1] != t->word[1]))
        return 0;
    size_t wl = 0;
    while (phrase[wl] && phrase[wl] != ' ')
        wl++;
    return word_eq_n(t, phrase, wl);
}

/* Can the very first token begin a line of our grammar? A number, or the
 * first word of a label, weekday or month name. Most prose lines fail this
 * after one word. */
static int first_token_plausible(const parser *p)
{
    const token *t = tok_at(p, 0);
    if (!t || t->kind == TOK_NUMBER)
        return 1;
    if (t->kind != TOK_WORD)
        return 0;
    if (weekday_at(p, 0) >= 0 || word_eq(t, "يوم"))
        return 1;
    for (size_t i = 0; i < COUNT(kh_month_names); i++)
        if (starts_phrase(t, kh_month_names[i].name))
            return 1;
    for (size_t i = 0; i < COUNT(kh_date_labels); i++)
        if (starts_phrase(t, kh_date_labels[i]))
            return 1;
    return 0;
}

/* Can the first tokens (after a label) begin a date or a time? Lets prose
 * that happens to hold a digit be refused after reading a few tokens. */
static int can_start_date(parser *p)
{
    const month_name *m;
    skip_label(p);
    const token *t = cur(p);
    int yes = !t ? p->scanned < p->len     /* the label filled the first look */
                 : t->kind == TOK_NUMBER || weekday_at(p, p->pos) >= 0 ||
                       word_eq(t, "يوم") || month_at(p, p->pos, &m) > 0;
    if (!yes && t) {
        char s[EXCERPT_MAX];
        date_fail(p, "no date at '%s'", rest_text(p, p->pos, s, sizeof s));
    }
    p->pos = 0;
    return yes;
}

/* Any digit of the three systems? A date always has one, and most prose
 * lines have none: this is the cheap first rejection. */
static int has_digit(const char *text, size_t len)
{
    const unsigned char *u = (const unsigned char *)text;
    for (size_t i = 0; i < len; i++) {
        if (u[i] >= '0' && u[i] <= '9')
            return 1;
        if (i + 1 < len && ((u[i] == 0xD9 && u[i + 1] >= 0xA0 && u[i + 1] <= 0xA9) ||
                            (u[i] == 0xDB && u[i + 1] >= 0xB0 && u[i + 1] <= 0xB9)))
            return 1;
    }
    return 0;
}

kh_status kh_date_parse(const char *text, size_t len, kh_datetime *out, kh_error *err)
{
    if (!out)
        return kh_fail(err, KH_ERR_ARGUMENT, "kh_date_parse: out is NULL");
    memset(out, 0, sizeof *out);
    if (!text && len)
        return kh_fail(err, KH_ERR_ARGUMENT, "kh_date_parse: text is NULL");
    if (len > DATE_MAX_BYTES)
        return kh_fail(err, KH_ERR_PARSE, "not a date: %zu bytes is too long for a dateline "
                                          "(at most %d)", len, (int)DATE_MAX_BYTES);
    if (len == 0)
        return kh_fail(err, KH_ERR_PARSE, "not a date: the text is empty");

    parser p;
    p.text = text;
    p.len = len;
    p.err = err;
    p.quiet = 0;
    p.n = p.pos = 0;
    p.scanned = 0;
    p.open = -1;
    p.space = 1;
    char s[EXCERPT_MAX];

    /* Most lines a reader offers are prose. Refuse them as early as possible:
     * after one token when it cannot begin a date, after one byte scan when
     * there is no digit, after a few tokens when none can begin a date —
     * and build a message only when the caller asked for one. */
    if (tokenize(&p, 1) != MATCH)
        return KH_ERR_PARSE;
    if (p.n == 0)                /* nothing but whitespace and invisible marks */
        return kh_fail(err, KH_ERR_PARSE, "not a date: the text is empty");
    if (!first_token_plausible(&p)) {
        date_fail(&p, "no date at '%s'", rest_text(&p, 0, s, sizeof s));
        return KH_ERR_PARSE;
    }
    if (!has_digit(text, len)) {
        date_fail(&p, "no date: the text has no digits");
        return KH_ERR_PARSE;
    }
    if (tokenize(&p, FIRST_LOOK_TOKENS) != MATCH)
        return KH_ERR_PARSE;
    if (p.n > 0 && !can_start_date(&p))
        return KH_ERR_PARSE;
    if (tokenize(&p, DATE_MAX_TOKENS) != MATCH)
        return KH_ERR_PARSE;
    kh_datetime dt;
    memset(&dt, 0, sizeof dt);
    if (parse_line(&p, &dt) != MATCH)
        return KH_ERR_PARSE;
    *out = dt;
    return KH_OK;
}

size_t kh_datetime_format(const kh_datetime *dt, char *buf, size_t cap)
{
    if (!buf || cap == 0)
        return 0;
    buf[0] = '\0';
    if (!dt || cap < 32)
        return 0;
    int n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d", dt->year, dt->month, dt->day,
                     dt->has_time ? dt->hour : 0, dt->has_time ? dt->minute : 0,
                     dt->has_time ? dt->second : 0);
    if (n < 0 || (size_t)n >= cap)
        return strlen(buf);
    if (dt->has_offset) {
        /* long: -INT_MIN would overflow an int */
        long off = dt->offset_minutes;
        long mag = off < 0 ? -off : off;
        int m = snprintf(buf + n, cap - (size_t)n, "%c%02ld:%02ld", off < 0 ? '-' : '+',
                         mag / 60, mag % 60);
        if (m < 0 || (size_t)m >= cap - (size_t)n)
            return strlen(buf);
        n += m;
    }
    return (size_t)n;
}
