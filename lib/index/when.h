/* when.h — published dates as numbers.
 *
 * The index keeps each article's publication time as seconds since
 * 1970-01-01 of the local time the source wrote (a UTC offset, when given,
 * is not applied): a newsroom asking for "articles of 4 January" means the
 * date printed on them, and the facet "by day" counts those dates. */
#ifndef KH_INDEX_WHEN_H
#define KH_INDEX_WHEN_H

#include <stddef.h>
#include <stdint.h>

/* Parses "YYYY-MM-DD", optionally followed by "T" or " " and "hh:mm" or
 * "hh:mm:ss", optionally followed by "Z" or "+hh:mm"/"-hh:mm" (ignored).
 * Sets *has_time. Returns 0, or -1 when s[0..len) is not such a date. */
int kh_when_parse(const char *s, size_t len, int64_t *seconds, int *has_time);

/* Writes the day of seconds as "YYYY-MM-DD" (out: 11 bytes). */
void kh_when_day(int64_t seconds, char out[11]);

#endif
