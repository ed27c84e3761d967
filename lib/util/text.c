#include "util/text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/utf8.h"

int kh_is_space(int32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

int kh_is_invisible(int32_t cp)
{
    if (cp < 0x20)
        return cp != '\t' && cp != '\n' && cp != '\r' && cp != '\v' && cp != '\f';
    return cp == 0x7F || (cp >= 0x80 && cp <= 0x9F && cp != 0x85) || cp == 0xAD ||
           cp == 0x061C ||                  /* ARABIC LETTER MARK */
           cp == 0x200B ||                  /* ZERO WIDTH SPACE */
           cp == 0x200E || cp == 0x200F ||  /* LRM, RLM */
           (cp >= 0x202A && cp <= 0x202E) || /* embeddings and overrides */
           (cp >= 0x2066 && cp <= 0x2069) || /* isolates */
           cp == 0xFEFF;                    /* BOM / ZWNBSP */
}

int kh_is_arabic(int32_t cp)
{
    return (cp >= 0x0600 && cp <= 0x06FF) || (cp >= 0x0750 && cp <= 0x077F) ||
           (cp >= 0x08A0 && cp <= 0x08FF) || (cp >= 0xFB50 && cp <= 0xFDFF) ||
           (cp >= 0xFE70 && cp <= 0xFEFC);
}

/* Could NFC change this text? Answering "no" quickly for the characters news
 * text is made of keeps utf8proc's full normalisation (several times slower
 * than a scan) off the hot path. The answer may be a false "yes", never a
 * false "no":
 *  - ASCII and Latin-1 are already composed.
 *  - Arabic harakat (fatha, tanween, shadda ...) have non-zero combining
 *    classes, so NFC reorders a run of them that is out of canonical order
 *    (kasra 32 typed before shadda 33 is fine; shadda before kasra is not),
 *    but they compose with nothing: the only Arabic marks that compose are
 *    madda and hamza above/below (U+0653..U+0655), after ا و ي ه ۂ ە ے.
 *  - Precomposed Arabic letters (أ إ آ ؤ ئ) are NFC-stable.
 *  - Anything else outside ASCII/Arabic that has a canonical decomposition,
 *    a combining class, or takes part in composition sends the text to
 *    utf8proc. */
static int nfc_may_change(const unsigned char *u, size_t len)
{
    int prev_ccc = 0;
    for (size_t i = 0; i < len;) {
        if (u[i] < 0x80) {
            prev_ccc = 0;
            i++;
            continue;
        }
        int32_t cp;
        i += kh_utf8_decode(u + i, len - i, &cp);
        if (cp < 0x300 || (cp >= 0x0620 && cp <= 0x064A)) {
            prev_ccc = 0;   /* composed already, or an Arabic letter (class 0) */
            continue;
        }
        const utf8proc_property_t *p = utf8proc_get_property(cp);
        int ccc = p->combining_class;
        if (cp >= 0x0600 && cp <= 0x06FF) {
            if (cp >= 0x0653 && cp <= 0x0655)
                return 1;
            if (ccc != 0 && ccc < prev_ccc)
                return 1;
            prev_ccc = ccc;
            continue;
        }
        if (ccc != 0 || (p->decomp_seqindex != UINT16_MAX && p->decomp_type == 0) ||
            p->comb_index != UINT16_MAX)
            return 1;
        prev_ccc = 0;
    }
    return 0;
}

void kh_text_clean(const char *s, size_t len, kh_buf *out)
{
    const unsigned char *u = (const unsigned char *)s;
    utf8proc_uint8_t *composed = NULL;

    if (nfc_may_change(u, len)) {
        utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &composed,
                                          UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        if (n >= 0) {
            u = composed;
            len = (size_t)n;
        } else {
            composed = NULL;   /* cannot happen on valid UTF-8; keep the text as is */
        }
    }

    if (kh_buf_reserve(out, len) != 0) {
        free(composed);
        return;
    }
    char *o = out->data + out->len;
    char *start = o;
    int pending_space = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = u[i];
        if (c < 0x80 && c > 0x20 && c != 0x7F) {
            if (pending_space && o != start)
                *o++ = ' ';
            pending_space = 0;
            *o++ = (char)c;
            i++;
            continue;
        }
        if (c >= 0xD8 && c <= 0xDB && i + 1 < len && (u[i + 1] & 0xC0) == 0x80 &&
            !(c == 0xD8 && u[i + 1] == 0x9C)) {
            /* U+0600..U+06FF, the bulk of Arabic text: never a space, and
             * invisible only for ARABIC LETTER MARK (D8 9C). A lead byte
             * without its continuation (text cut inside a letter) takes the
             * general path, which copies one byte: never more than the input. */
            if (pending_space && o != start)
                *o++ = ' ';
            pending_space = 0;
            *o++ = (char)c;
            *o++ = (char)u[i + 1];
            i += 2;
            continue;
        }
        int32_t cp;
        size_t n = kh_utf8_decode(u + i, len - i, &cp);
        if (kh_is_space(cp)) {
            pending_space = 1;
        } else if (!kh_is_invisible(cp)) {
            if (pending_space && o != start)
                *o++ = ' ';
            pending_space = 0;
            memcpy(o, u + i, n);
            o += n;
        }
        i += n;
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    free(composed);
}

int kh_text_is_blank(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        i += kh_utf8_decode(u + i, len - i, &cp);
        if (!kh_is_space(cp) && !kh_is_invisible(cp))
            return 0;
    }
    return 1;
}
