/* archive.c — zip and tar members through libarchive, streamed (see
 * archive.h). libarchive keeps its own state per `struct archive`, with no
 * globals, so separate readers may run in separate threads. */
#include "ingest/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/error.h"

struct kh_archive {
    struct archive *ar;
    kh_archive_pull pull;
    void *ctx;
    unsigned long members;
    int opened, ended;
};

static la_ssize_t read_cb(struct archive *ar, void *client, const void **buf)
{
    (void)ar;
    kh_archive *a = client;
    return a->pull(a->ctx, buf);
}

kh_status kh_archive_open(kh_archive_pull pull, void *ctx, kh_archive **out, kh_error *err)
{
    *out = NULL;
    kh_archive *a = calloc(1, sizeof *a);
    if (!a || !(a->ar = archive_read_new())) {
        free(a);
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    }
    a->pull = pull;
    a->ctx = ctx;
    archive_read_support_format_zip(a->ar);
    archive_read_support_format_tar(a->ar);
    archive_read_support_format_gnutar(a->ar);
    archive_read_support_filter_none(a->ar);
    *out = a;
    return KH_OK;
}

unsigned long kh_archive_members(const kh_archive *a) { return a->members; }

/* libarchive's message, made one line (some end with a newline). */
static const char *archive_message(kh_archive *a, char *buf, size_t cap)
{
    const char *msg = archive_error_string(a->ar);
    snprintf(buf, cap, "%s", msg ? msg : "unreadable");
    size_t n = strlen(buf);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
            buf[i] = ' ';
    while (n && buf[n - 1] == ' ')
        buf[--n] = '\0';
    return buf;
}

static kh_status archive_error(kh_archive *a, const char *member, kh_error *err)
{
    a->ended = 1;
    char text[256];
    const char *msg = archive_message(a, text, sizeof text);
    kh_status st = strstr(msg, "Truncated") || strstr(msg, "truncated") || strstr(msg, "Premature")
                       ? KH_ERR_TRUNCATED
                       : KH_ERR_CORRUPT;
    if (member)
        return kh_fail(err, st, "%s: damaged archive member: %s", member, msg);
    return kh_fail(err, st, "damaged archive after %lu member%s: %s", a->members, a->members == 1 ? "" : "s",
                   msg);
}

kh_status kh_archive_next(kh_archive *a, size_t limit, char **name, char **data, size_t *len, kh_error *err)
{
    *name = *data = NULL;
    *len = 0;
    if (a->ended)
        return KH_END;
    if (!a->opened) {
        a->opened = 1;
        if (archive_read_open(a->ar, a, NULL, read_cb, NULL) != ARCHIVE_OK) {
            a->ended = 1;
            char text[256];
            return kh_fail(err, KH_ERR_FORMAT, "not a zip or tar archive libarchive can read (%s)",
                           archive_message(a, text, sizeof text));
        }
    }
    for (;;) {
        struct archive_entry *e;
        int rc = archive_read_next_header(a->ar, &e);
        if (rc == ARCHIVE_EOF) {
            a->ended = 1;
            return KH_END;
        }
        if (rc < ARCHIVE_WARN)
            return archive_error(a, NULL, err);
        a->members++;
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        const char *path = archive_entry_pathname_utf8(e);
        if (!path)
            path = archive_entry_pathname(e);
        if (!(*name = strdup(path ? path : "?")))
            return kh_fail(err, KH_ERR_NOMEM, "out of memory");
        /* names go into one-line messages: no control characters */
        for (char *c = *name; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = '?';
        if (archive_entry_size_is_set(e) && archive_entry_size(e) > (la_int64_t)limit) {
            long long size = (long long)archive_entry_size(e);
            if (archive_read_data_skip(a->ar) != ARCHIVE_OK)
                return archive_error(a, *name, err);
            return kh_fail(err, KH_ERR_TOO_LARGE, "%s: member of %lld bytes is larger than the limit of %zu, "
                           "skipped", *name, size, limit);
        }
        kh_buf b = KH_BUF_INIT;
        char chunk[1 << 16];
        for (;;) {
            la_ssize_t n = archive_read_data(a->ar, chunk, sizeof chunk);
            if (n == 0)
                break;
            if (n < 0) {
                kh_buf_free(&b);
                return archive_error(a, *name, err);
            }
            if (b.len + (size_t)n > limit) {
                /* sizes can lie (streamed zip entries): count, stop holding */
                kh_buf_free(&b);
                if (archive_read_data_skip(a->ar) != ARCHIVE_OK)
                    return archive_error(a, *name, err);
                return kh_fail(err, KH_ERR_TOO_LARGE, "%s: member unpacks to more than the limit of %zu bytes, "
                               "skipped", *name, limit);
            }
            kh_buf_append(&b, chunk, (size_t)n);
        }
        if (kh_buf_failed(&b)) {
            kh_buf_free(&b);
            return kh_fail(err, KH_ERR_NOMEM, "out of memory");
        }
        *len = b.len;
        *data = b.data ? kh_buf_detach(&b) : strdup("");
        if (!*data)
            return kh_fail(err, KH_ERR_NOMEM, "out of memory");
        return KH_OK;
    }
}

void kh_archive_close(kh_archive *a)
{
    if (!a)
        return;
    archive_read_free(a->ar);
    free(a);
}
