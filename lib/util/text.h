/* text.h — cleaning text for the article model.
 *
 * Every string khabar stores goes through kh_text_clean(): Unicode NFC (so
 * that the same word is always the same bytes), invisible bidi controls and
 * zero-width junk removed (scrapers copy them out of RTL pages), and every
 * run of whitespace — including NBSP and the other Unicode spaces — collapsed
 * to one ASCII space, trimmed at both ends. */
#ifndef KH_UTIL_TEXT_H
#define KH_UTIL_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Appends the cleaned form of s[0..len) (valid UTF-8) to out. */
void kh_text_clean(const char *s, size_t len, kh_buf *out);

/* 1 if cp is whitespace for khabar's purposes (ASCII and Unicode spaces). */
int kh_is_space(int32_t cp);

/* 1 if cp is invisible formatting that cleaning removes (bidi marks and
 * embeddings, BOM, zero-width space, soft hyphen, C0/C1 controls). */
int kh_is_invisible(int32_t cp);

/* 1 if s[0..len) holds nothing but whitespace and invisible characters. */
int kh_text_is_blank(const char *s, size_t len);

/* 1 if cp is in an Arabic-script block (letters, marks, digits, punctuation,
 * presentation forms). */
int kh_is_arabic(int32_t cp);

#endif
