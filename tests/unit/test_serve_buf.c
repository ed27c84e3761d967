/* test_serve_buf.c — the server's escapers (src/serve_buf.c) against the
 * plainest byte-by-byte versions of the same rules, on random text and at
 * every length and alignment around their 8-byte blocks, and sb_uint and
 * sb_printf against snprintf. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "serve_buf.h"

static void reference_json(sbuf *b, const char *s, size_t n)
{
    sb_putn(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[8];
        if (c == '"')
            sb_putn(b, "\\\"", 2);
        else if (c == '\\')
            sb_putn(b, "\\\\", 2);
        else if (c == '\n')
            sb_putn(b, "\\n", 2);
        else if (c == '\r')
            sb_putn(b, "\\r", 2);
        else if (c == '\t')
            sb_putn(b, "\\t", 2);
        else if (c < 0x20) {
            snprintf(e, sizeof e, "\\u%04x", c);
            sb_putn(b, e, 6);
        } else
            sb_putn(b, (const char *)&c, 1);
    }
    sb_putn(b, "\"", 1);
}

static void reference_html(sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': sb_puts(b, "&amp;"); break;
        case '<': sb_puts(b, "&lt;"); break;
        case '>': sb_puts(b, "&gt;"); break;
        case '"': sb_puts(b, "&quot;"); break;
        case '\'': sb_puts(b, "&#39;"); break;
        default: sb_putn(b, s + i, 1); break;
        }
    }
}

/* A byte as the escapers meet it: mostly the UTF-8 of Arabic letters, some
 * ASCII, and now and then one of the bytes they escape, or any byte. */
static unsigned char random_byte(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    unsigned r = (unsigned)(*state >> 33);
    static const char special[] = "\"\\\n\r\t&<>'\x01\x1f\x7f ";
    switch (r % 8) {
    case 0: return (unsigned char)special[(r >> 3) % (sizeof special - 1)];
    case 1: return (unsigned char)(r >> 3);
    case 2: case 3: return (unsigned char)('a' + (r >> 3) % 26);
    default: return (unsigned char)(0x80 + (r >> 3) % 0x40 + ((r >> 9) & 1) * 0x58);  /* 0x80-0xbf, 0xd8-0xf7 */
    }
}

static int same(const sbuf *a, const sbuf *b)
{
    return a->len == b->len && (a->len == 0 || !memcmp(a->data, b->data, a->len));
}

int main(void)
{
    uint64_t state = 42;
    char text[64];
    size_t json_bad = 0, html_bad = 0, cases = 0;
    for (int round = 0; round < 4000; round++) {
        size_t n = (size_t)round % 41;
        size_t off = (size_t)(round / 41) % 8; /* alignment of the 8-byte loads */
        for (size_t i = 0; i < n; i++)
            text[off + i] = (char)random_byte(&state);
        sbuf got, want;
        sb_init(&got);
        sb_init(&want);
        sb_json_strn(&got, text + off, n);
        reference_json(&want, text + off, n);
        json_bad += !same(&got, &want);
        sb_free(&got);
        sb_free(&want);
        sb_html_n(&got, text + off, n);
        reference_html(&want, text + off, n);
        html_bad += !same(&got, &want);
        sb_free(&got);
        sb_free(&want);
        cases++;
    }
    CHECK_INT(json_bad, 0);
    CHECK_INT(html_bad, 0);
    CHECK(cases == 4000);

    /* Every byte value alone, and after 7 and 8 harmless bytes (the last
     * byte of a block, the first of the next). */
    for (int c = 0; c < 256; c++) {
        for (size_t pad = 0; pad <= 8; pad += 7) {
            memset(text, 'x', sizeof text);
            text[pad] = (char)c;
            sbuf got, want;
            sb_init(&got);
            sb_init(&want);
            sb_json_strn(&got, text, 16);
            reference_json(&want, text, 16);
            CHECK(same(&got, &want));
            sb_free(&got);
            sb_free(&want);
            sb_html_n(&got, text, 16);
            reference_html(&want, text, 16);
            CHECK(same(&got, &want));
            sb_free(&got);
            sb_free(&want);
        }
    }

    /* sb_uint and sb_printf, whose text may or may not fit the free space. */
    static const size_t numbers[] = {0, 7, 10, 99, 1000, 4294967295u, (size_t)-1};
    for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++) {
        char want[32];
        snprintf(want, sizeof want, "%zu", numbers[k]);
        sbuf b;
        sb_init(&b);
        sb_uint(&b, numbers[k]);
        CHECK_STR(b.data, want);
        sb_free(&b);
    }
    sbuf b;
    sb_init(&b);
    char want[1200] = "";
    for (int k = 0; k < 40; k++) {
        sb_printf(&b, "%d:%.3f:%s,", k, k / 7.0, k % 5 ? "" : "a rather longer piece of text than the rest");
        char piece[96];
        snprintf(piece, sizeof piece, "%d:%.3f:%s,", k, k / 7.0, k % 5 ? "" : "a rather longer piece of text than the rest");
        strcat(want, piece);
    }
    CHECK_STR(b.data, want);
    CHECK_INT(b.len, strlen(want));
    sb_free(&b);
    return check_done();
}
