/* charset.c — declared or detected encodings, converted to UTF-8 with iconv
 * (glibc's iconv has CP1256 and ISO-8859-6). See charset.h for the order of
 * evidence. */
#include "ingest/charset.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "util/utf8.h"

/* How far into a page a <meta> declaration is looked for. The standard says
 * 1024 bytes; real Arabic pages put long <script> blocks before it. */
enum { META_SCAN_BYTES = 16384 };

static const struct {
    const char *label;
    const char *name;
} LABELS[] = {
    {"utf-8", "UTF-8"}, {"utf8", "UTF-8"}, {"unicode-1-1-utf-8", "UTF-8"},
    {"windows-1256", "WINDOWS-1256"}, {"cp1256", "WINDOWS-1256"}, {"x-cp1256", "WINDOWS-1256"},
    {"iso-8859-6", "ISO-8859-6"}, {"iso8859-6", "ISO-8859-6"}, {"iso_8859-6", "ISO-8859-6"},
    {"arabic", "ISO-8859-6"}, {"asmo-708", "ISO-8859-6"}, {"ecma-114", "ISO-8859-6"},
    {"iso-ir-127", "ISO-8859-6"}, {"csisolatinarabic", "ISO-8859-6"}, {"iso-8859-6-i", "ISO-8859-6"},
    {"iso-8859-1", "WINDOWS-1252"}, {"latin1", "WINDOWS-1252"}, {"windows-1252", "WINDOWS-1252"},
    {"us-ascii", "WINDOWS-1252"}, {"ascii", "WINDOWS-1252"},
    {"utf-16le", "UTF-16LE"}, {"utf-16", "UTF-16LE"}, {"utf-16be", "UTF-16BE"},
};

const char *kh_charset_canonical(const char *label, size_t len)
{
    while (len && (*label == ' ' || *label == '"' || *label == '\'' || *label == '\t')) {
        label++;
        len--;
    }
    while (len && (label[len - 1] == ' ' || label[len - 1] == '"' || label[len - 1] == '\'' ||
                   label[len - 1] == ';' || label[len - 1] == '\t'))
        len--;
    for (size_t i = 0; i < sizeof LABELS / sizeof LABELS[0]; i++)
        if (strlen(LABELS[i].label) == len && !strncasecmp(LABELS[i].label, label, len))
            return LABELS[i].name;
    return NULL;
}

/* Finds "charset" (any case) in s[0..len) and returns the canonical name of
 * the value after its '='. */
static const char *charset_param(const char *s, size_t len)
{
    for (size_t i = 0; i + 7 <= len; i++) {
        if (strncasecmp(s + i, "charset", 7) != 0)
            continue;
        size_t j = i + 7;
        while (j < len && (s[j] == ' ' || s[j] == '\t'))
            j++;
        if (j >= len || s[j] != '=')
            continue;
        j++;
        while (j < len && (s[j] == ' ' || s[j] == '"' || s[j] == '\''))
            j++;
        size_t k = j;
        while (k < len && s[k] != '"' && s[k] != '\'' && s[k] != ';' && s[k] != ' ' && s[k] != '>' &&
               s[k] != '/' && s[k] != ',')
            k++;
        return kh_charset_canonical(s + j, k - j);
    }
    return NULL;
}

const char *kh_charset_from_content_type(const char *value, size_t len)
{
    return value ? charset_param(value, len) : NULL;
}

const char *kh_charset_from_meta(const char *html, size_t len)
{
    if (len > META_SCAN_BYTES)
        len = META_SCAN_BYTES;
    for (size_t i = 0; i + 5 < len; i++) {
        if (html[i] != '<' || strncasecmp(html + i + 1, "meta", 4) != 0)
            continue;
        const char *end = memchr(html + i, '>', len - i);
        if (!end)
            return NULL;
        const char *name = charset_param(html + i, (size_t)(end - (html + i)));
        if (name)
            return name;
        i = (size_t)(end - html);
    }
    return NULL;
}

/* windows-1256 bytes that are Latin letters (French accents); Arabic text
 * read in ISO-8859-6 shows none of them... but ISO-8859-6 text read as
 * windows-1256 shows many: its common letters ي ى و ن م ل sit there. */
static int cp1256_latin(unsigned char c)
{
    return c == 0xE0 || c == 0xE2 || (c >= 0xE7 && c <= 0xEB) || c == 0xEE || c == 0xEF || c == 0xF4 ||
           c == 0xF9 || c == 0xFB || c == 0xFC;
}

/* Bytes ISO-8859-6 leaves undefined, plus its vowel marks (0xEB..0xF2),
 * which are rare in news text but where windows-1256 puts ى ي and others. */
static int iso_unlikely(unsigned char c)
{
    if (c >= 0xEB)
        return 1;
    return (c >= 0xA1 && c <= 0xA3) || (c >= 0xA5 && c <= 0xAB) || (c >= 0xAE && c <= 0xBA) ||
           (c >= 0xBC && c <= 0xBE) || c == 0xC0 || (c >= 0xDB && c <= 0xDF) || (c >= 0x80 && c <= 0x9F);
}

const char *kh_charset_detect(const char *data, size_t len)
{
    if (kh_utf8_valid(data, len, NULL))
        return "UTF-8";
    size_t bad_cp1256 = 0, bad_iso = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c < 0x80)
            continue;
        bad_cp1256 += cp1256_latin(c);
        bad_iso += iso_unlikely(c);
    }
    return bad_iso > bad_cp1256 ? "WINDOWS-1256" : "ISO-8859-6";
}

static const char REPLACEMENT[] = "\xEF\xBF\xBD";

/* UTF-8 in, UTF-8 out, invalid sequences replaced. */
static void copy_utf8(const char *s, size_t len, kh_buf *out, size_t *replaced)
{
    while (len) {
        size_t bad;
        if (kh_utf8_valid(s, len, &bad)) {
            kh_buf_append(out, s, len);
            return;
        }
        kh_buf_append(out, s, bad);
        kh_buf_append(out, REPLACEMENT, 3);
        (*replaced)++;
        s += bad + 1;
        len -= bad + 1;
    }
}

static kh_status convert(const char *from, const char *s, size_t len, kh_buf *out, size_t *replaced,
                         kh_error *err)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1)
        return kh_fail(err, KH_ERR_FORMAT, "this system's iconv cannot convert from %s", from);
    char *in = (char *)s;
    size_t in_left = len;
    while (in_left) {
        if (kh_buf_reserve(out, in_left * 2 + 16) != 0) {
            iconv_close(cd);
            return kh_fail(err, KH_ERR_NOMEM, "out of memory");
        }
        char *dst = out->data + out->len;
        size_t dst_left = out->cap - out->len - 1;
        size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
        out->len = (size_t)(dst - out->data);
        out->data[out->len] = '\0';
        if (rc != (size_t)-1 || errno == E2BIG)
            continue;
        /* EILSEQ (a byte the encoding leaves undefined) or EINVAL (a
         * sequence cut at the end): one replacement character per byte. */
        kh_buf_append(out, REPLACEMENT, 3);
        (*replaced)++;
        in++;
        in_left--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    iconv_close(cd);
    return KH_OK;
}

kh_status kh_charset_to_utf8(const char *data, size_t len, const char *declared, kh_buf *out,
                             const char **used, size_t *replaced, kh_error *err)
{
    size_t dummy = 0;
    if (!replaced)
        replaced = &dummy;
    *replaced = 0;
    const char *enc = NULL;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
        enc = "UTF-8";
        data += 3;
        len -= 3;
    } else if (len >= 2 && !memcmp(data, "\xFF\xFE", 2)) {
        enc = "UTF-16LE";
        data += 2;
        len -= 2;
    } else if (len >= 2 && !memcmp(data, "\xFE\xFF", 2)) {
        enc = "UTF-16BE";
        data += 2;
        len -= 2;
    }
    if (!enc)
        enc = declared;
    if (!enc)
        enc = kh_charset_from_meta(data, len);
    /* A page declared Latin-1 (a common template default) whose bytes are
     * Arabic is not Latin-1: detect instead. */
    /* One validation pass serves detection, the mislabel check and the copy. */
    size_t first_bad = 0;
    int valid = kh_utf8_valid(data, len, &first_bad);
    if (!enc || !strcmp(enc, "WINDOWS-1252"))
        enc = valid ? "UTF-8" : kh_charset_detect(data, len);
    /* Declared UTF-8 pages with a few bad bytes are still UTF-8; but a page
     * declared UTF-8 whose high bytes are mostly invalid was mislabelled. */
    if (!strcmp(enc, "UTF-8") && !valid) {
        size_t high = 0, valid_multi = 0;
        for (size_t i = 0; i < len;) {
            unsigned char c = (unsigned char)data[i];
            if (c < 0x80) {
                i++;
                continue;
            }
            high++;
            size_t bad;
            size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (i + n <= len && kh_utf8_valid(data + i, n, &bad)) {
                valid_multi++;
                i += n;
            } else {
                i++;
            }
        }
        if (valid_multi * 4 < high)
            enc = kh_charset_detect(data, len);
    }
    *used = enc;
    if (!strcmp(enc, "UTF-8")) {
        if (valid)
            kh_buf_append(out, data, len);
        else
            copy_utf8(data, len, out, replaced);
        return kh_buf_failed(out) ? kh_fail(err, KH_ERR_NOMEM, "out of memory") : KH_OK;
    }
    kh_status st = convert(enc, data, len, out, replaced, err);
    if (st == KH_OK && kh_buf_failed(out))
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    return st;
}
