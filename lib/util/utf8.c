#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

/* Four two-byte sequences (lead 0xC2..0xDF, then a continuation byte) in
 * the eight bytes of w, read little-endian. Arabic letters are all two-byte
 * sequences, so this is the validator's common case: news text checked
 * eight bytes at a time instead of one sequence at a time (measured:
 * docs/analysis.md, Speed). */
static inline int four_two_byte_sequences(uint64_t w)
{
    if ((w & 0xC0E0C0E0C0E0C0E0ULL) != 0x80C080C080C080C0ULL)
        return 0;
    /* a lead byte of 0xC0 or 0xC1 (an overlong ASCII) has its bits 1-4
     * clear: every lead must have one set; adding 0x7FFF to a 16-bit lane
     * below 0x8000 sets the lane's top bit exactly when the lane is not 0 */
    uint64_t leads = w & 0x001E001E001E001EULL;
    return ((leads + 0x7FFF7FFF7FFF7FFFULL) & 0x8000800080008000ULL) == 0x8000800080008000ULL;
}

int kh_utf8_valid(const char *str, size_t len, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* Most news text is Arabic, but markup, digits and JSON syntax are
         * ASCII: eight bytes at a time when they are all ASCII, or four
         * two-byte letters. */
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            if (four_two_byte_sequences(w)) {
                i += 8;
                continue;
            }
#endif
        }
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= len || (s[i + 1] & 0xC0) != 0x80)
                goto invalid;
            i += 2;
            continue;
        }
        size_t need;
        uint32_t min;
        if (c >= 0xE0 && c <= 0xEF) {
            need = 2; min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3; min = 0x10000;
        } else {
            goto invalid;
        }
        if (len - i <= need)
            goto invalid;
        uint32_t cp = c & (0x3F >> need);
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                goto invalid;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto invalid;
        i += need + 1;
    }
    return 1;
invalid:
    if (bad)
        *bad = i;
    return 0;
}

size_t kh_utf8_encode(int32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}
