#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *kh_status_name(kh_status status)
{
    switch (status) {
    case KH_OK: return "ok";
    case KH_END: return "end";
    case KH_ERR_ARGUMENT: return "argument";
    case KH_ERR_NOMEM: return "out of memory";
    case KH_ERR_IO: return "io";
    case KH_ERR_UTF8: return "utf8";
    case KH_ERR_PARSE: return "parse";
    case KH_ERR_FORMAT: return "format";
    case KH_ERR_TOO_LARGE: return "too large";
    case KH_ERR_EMPTY: return "empty";
    case KH_ERR_TRUNCATED: return "truncated";
    case KH_ERR_NOT_FOUND: return "not found";
    case KH_ERR_CORRUPT: return "corrupt";
    case KH_ERR_LOCKED: return "locked";
    case KH_ERR_MISMATCH: return "mismatch";
    }
    return "unknown";
}

void kh_error_clear(kh_error *err)
{
    if (!err)
        return;
    err->status = KH_OK;
    err->message[0] = '\0';
}

kh_status kh_fail(kh_error *err, kh_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->status = status;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

void kh_error_prefix(kh_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char old[KH_ERROR_MESSAGE_MAX];
    memcpy(old, err->message, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    size_t used = (size_t)n < sizeof err->message ? (size_t)n : sizeof err->message - 1;
    /* Append ": old" by hand: snprintf("%s: %s") trips -Wformat-truncation. */
    size_t room = sizeof err->message - used;
    if (room > 2) {
        err->message[used] = ':';
        err->message[used + 1] = ' ';
        size_t take = strlen(old);
        if (take > room - 3)
            take = room - 3;
        memcpy(err->message + used + 2, old, take);
        err->message[used + 2 + take] = '\0';
    }
}
