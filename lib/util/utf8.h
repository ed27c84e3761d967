/* utf8.h — UTF-8 validation and decoding.
 *
 * Input from outside is validated once, at the edge (the readers); everything
 * inside the library may then assume well-formed UTF-8. */
#ifndef KH_UTIL_UTF8_H
#define KH_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Returns 1 if s[0..len) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF). Otherwise returns 0 and, when bad is
 * not NULL, sets *bad to the byte offset of the first invalid sequence. */
int kh_utf8_valid(const char *s, size_t len, size_t *bad);

/* Decodes the code point at s[0..len) (len > 0, s valid UTF-8); stores it in
 * *cp and returns the sequence length (1..4). */
static inline size_t kh_utf8_decode(const unsigned char *s, size_t len, int32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80 || len < 2) {
        *cp = c;
        return 1;
    }
    if (c < 0xE0) {
        *cp = ((c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0 || len < 4) {
        if (len < 3) {
            *cp = c;
            return 1;
        }
        *cp = ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    *cp = ((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    return 4;
}

/* Encodes cp into out (4 bytes of room); returns the length written. */
size_t kh_utf8_encode(int32_t cp, char *out);

#endif
