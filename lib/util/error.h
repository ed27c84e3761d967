/* error.h — filling a kh_error.
 *
 * kh_fail() is how every library function reports a failure: it records the
 * status and a printf-style message in err (when err is not NULL) and returns
 * the status, so a failure path is one line: `return kh_fail(err, ...)`. */
#ifndef KH_UTIL_ERROR_H
#define KH_UTIL_ERROR_H

#include "khabar.h"

kh_status kh_fail(kh_error *err, kh_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes err's message with "prefix: " (used to add an input's name). */
void kh_error_prefix(kh_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
