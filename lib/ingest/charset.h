/* charset.h — web page bytes to UTF-8.
 *
 * Arabic pages arrive in UTF-8, and older sites still in windows-1256 or
 * ISO-8859-6. The encoding is taken from the best evidence, in the order a
 * browser uses: a byte order mark, the HTTP Content-Type header (WARC
 * records carry it), a <meta charset> / http-equiv declaration in the first
 * bytes of the page, and when nothing is declared, detection: valid UTF-8 is
 * UTF-8, otherwise the two Arabic 8-bit code pages are told apart by the
 * bytes each of them leaves undefined or maps to Latin letters. */
#ifndef KH_INGEST_CHARSET_H
#define KH_INGEST_CHARSET_H

#include <stddef.h>

#include "khabar.h"
#include "util/buf.h"

/* Canonical name ("UTF-8", "WINDOWS-1256", "ISO-8859-6", "WINDOWS-1252",
 * "UTF-16LE", "UTF-16BE") of a declared charset label, or NULL when the
 * label is unknown. Labels are matched as the WHATWG Encoding standard
 * lists them (case-insensitive, surrounding spaces and quotes ignored); the
 * label need not be NUL-terminated. */
const char *kh_charset_canonical(const char *label, size_t len);

/* The charset parameter of a Content-Type value ("text/html; charset=x"),
 * canonical, or NULL. */
const char *kh_charset_from_content_type(const char *value, size_t len);

/* Scans the first bytes of an HTML page for <meta charset=...> or
 * <meta http-equiv="Content-Type" content="...charset=...">; canonical
 * name or NULL. */
const char *kh_charset_from_meta(const char *html, size_t len);

/* Guesses the encoding of undeclared bytes: "UTF-8" when they are valid
 * UTF-8, else "WINDOWS-1256" or "ISO-8859-6" by which fits Arabic text. */
const char *kh_charset_detect(const char *data, size_t len);

/*
 * Converts data[0..len) to UTF-8, appending to out. `declared` is the HTTP
 * header's charset (NULL when none). The encoding used is stored in *used
 * (static string). Bytes that are invalid in the chosen encoding become
 * U+FFFD, as browsers show them; the count is stored in *replaced (may be
 * NULL). A BOM is removed. Errors: KH_ERR_NOMEM, KH_ERR_FORMAT when iconv
 * lacks the encoding (message names it). The message does not name the
 * input (the caller adds it).
 */
kh_status kh_charset_to_utf8(const char *data, size_t len, const char *declared, kh_buf *out,
                             const char **used, size_t *replaced, kh_error *err);

#endif
