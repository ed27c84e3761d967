#include "ingest/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "util/error.h"

enum { RAW_CHUNK = 1 << 16 };

typedef enum { COMP_UNKNOWN, COMP_NONE, COMP_GZIP, COMP_ZSTD } compression;

struct kh_source {
    char *name;
    int fd;                     /* -1 for memory sources */
    int owns_fd;
    const unsigned char *mem;   /* memory source */
    size_t mem_len, mem_pos;

    unsigned char *raw;         /* compressed input window */
    size_t raw_len, raw_pos;
    uint64_t raw_consumed;      /* compressed bytes consumed before raw[0] */
    int raw_eof;

    compression comp;
    z_stream gz;
    int gz_ready;
    int gz_member_done;         /* last inflate ended a member exactly */
    ZSTD_DStream *zs;
    size_t zs_last;             /* last ZSTD_decompressStream hint; 0 = frame complete */
    int finished;
};

const char *kh_source_name(const kh_source *s) { return s->name; }

const char *kh_source_compression(const kh_source *s)
{
    return s->comp == COMP_GZIP ? "gzip" : s->comp == COMP_ZSTD ? "zstd" : NULL;
}

static kh_status source_new(const char *name, kh_source **out, kh_error *err)
{
    kh_source *s = calloc(1, sizeof *s);
    if (!s || !(s->name = strdup(name))) {
        free(s);
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", name);
    }
    s->fd = -1;
    *out = s;
    return KH_OK;
}

kh_status kh_source_open_path(const char *path, kh_source **out, kh_error *err)
{
    *out = NULL;
    int stdin_input = !strcmp(path, "-");
    kh_source *s = NULL;
    kh_status st = source_new(stdin_input ? "<stdin>" : path, &s, err);
    if (st != KH_OK)
        return st;
    if (stdin_input) {
        s->fd = STDIN_FILENO;
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->fd < 0) {
            st = kh_fail(err, KH_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
            kh_source_close(s);
            return st;
        }
        s->owns_fd = 1;
        struct stat sb;
        if (fstat(s->fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            st = kh_fail(err, KH_ERR_IO, "%s: is a directory, not a file", path);
            kh_source_close(s);
            return st;
        }
    }
    *out = s;
    return KH_OK;
}

kh_status kh_source_open_memory(const void *data, size_t len, const char *name,
                                kh_source **out, kh_error *err)
{
    *out = NULL;
    kh_source *s = NULL;
    kh_status st = source_new(name ? name : "<memory>", &s, err);
    if (st != KH_OK)
        return st;
    s->mem = data;
    s->mem_len = len;
    *out = s;
    return KH_OK;
}

/* Reads raw bytes into dst; 0 at end of input. */
static kh_status raw_read(kh_source *s, unsigned char *dst, size_t cap, size_t *got, kh_error *err)
{
    if (s->fd < 0) {
        size_t n = s->mem_len - s->mem_pos;
        if (n > cap)
            n = cap;
        memcpy(dst, s->mem + s->mem_pos, n);
        s->mem_pos += n;
        *got = n;
        return KH_OK;
    }
    for (;;) {
        ssize_t n = read(s->fd, dst, cap);
        if (n >= 0) {
            *got = (size_t)n;
            return KH_OK;
        }
        if (errno != EINTR)
            return kh_fail(err, KH_ERR_IO, "%s: read failed: %s", s->name, strerror(errno));
    }
}

/* Makes sure the raw window holds unread bytes unless the input is over. */
static kh_status raw_fill(kh_source *s, kh_error *err)
{
    if (s->raw_pos < s->raw_len || s->raw_eof)
        return KH_OK;
    if (!s->raw && !(s->raw = malloc(RAW_CHUNK)))
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", s->name);
    s->raw_consumed += s->raw_len;
    s->raw_len = s->raw_pos = 0;
    size_t got;
    kh_status st = raw_read(s, s->raw, RAW_CHUNK, &got, err);
    if (st != KH_OK)
        return st;
    s->raw_len = got;
    if (got == 0)
        s->raw_eof = 1;
    return KH_OK;
}

static kh_status detect(kh_source *s, kh_error *err)
{
    /* Gather up to 4 bytes for the magic numbers (a pipe may deliver fewer). */
    while (!s->raw_eof && s->raw_len - s->raw_pos < 4) {
        if (!s->raw && !(s->raw = malloc(RAW_CHUNK)))
            return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", s->name);
        size_t got;
        kh_status st = raw_read(s, s->raw + s->raw_len, RAW_CHUNK - s->raw_len, &got, err);
        if (st != KH_OK)
            return st;
        if (got == 0)
            s->raw_eof = 1;
        s->raw_len += got;
    }
    const unsigned char *m = s->raw + s->raw_pos;
    size_t have = s->raw_len - s->raw_pos;
    if (have >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        s->comp = COMP_GZIP;
        if (inflateInit2(&s->gz, 16 + MAX_WBITS) != Z_OK)
            return kh_fail(err, KH_ERR_NOMEM, "%s: cannot start gzip decoder", s->name);
        s->gz_ready = 1;
    } else if (have >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        s->comp = COMP_ZSTD;
        if (!(s->zs = ZSTD_createDStream()))
            return kh_fail(err, KH_ERR_NOMEM, "%s: cannot start zstd decoder", s->name);
        s->zs_last = 1;
    } else {
        s->comp = COMP_NONE;
    }
    return KH_OK;
}

/* The compressed input is used up. After a complete stream that is the end.
 * Otherwise the stream was cut short: the bytes decoded so far go out first
 * (produced > 0) and the truncation is reported by the next call, so that
 * every record before the damage is kept. */
static kh_status end_of_compressed(kh_source *s, int complete, size_t produced, const char *codec,
                                   kh_error *err)
{
    if (complete) {
        s->finished = 1;
        return KH_OK;
    }
    if (produced > 0)
        return KH_OK;
    s->finished = 1;
    return kh_fail(err, KH_ERR_TRUNCATED, "%s: %s stream ends early, at compressed byte %llu; the input was cut short",
                   s->name, codec, (unsigned long long)(s->raw_consumed + s->raw_pos));
}

static kh_status read_gzip(kh_source *s, unsigned char *buf, size_t cap, size_t *got, kh_error *err)
{
    size_t produced = 0;
    while (produced < cap) {
        kh_status st = raw_fill(s, err);
        if (st != KH_OK)
            return st;
        if (s->raw_pos == s->raw_len) {
            if ((st = end_of_compressed(s, s->gz_member_done, produced, "gzip", err)) != KH_OK)
                return st;
            break;
        }
        if (s->gz_member_done) {
            /* Another member follows; some writers pad with zeros: skip them. */
            while (s->raw_pos < s->raw_len && s->raw[s->raw_pos] == 0)
                s->raw_pos++;
            if (s->raw_pos == s->raw_len)
                continue;
            inflateReset(&s->gz);
            s->gz_member_done = 0;
        }
        s->gz.next_in = s->raw + s->raw_pos;
        s->gz.avail_in = (uInt)(s->raw_len - s->raw_pos);
        s->gz.next_out = buf + produced;
        s->gz.avail_out = (uInt)(cap - produced);
        int rc = inflate(&s->gz, Z_NO_FLUSH);
        size_t used = (s->raw_len - s->raw_pos) - s->gz.avail_in;
        produced = cap - s->gz.avail_out;
        s->raw_pos += used;
        if (rc == Z_STREAM_END) {
            s->gz_member_done = 1;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            s->finished = 1;
            return kh_fail(err, KH_ERR_CORRUPT, "%s: gzip data is damaged near compressed byte %llu: %s",
                           s->name, (unsigned long long)(s->raw_consumed + s->raw_pos),
                           s->gz.msg ? s->gz.msg : "inflate error");
        }
    }
    *got = produced;
    return KH_OK;
}

static kh_status read_zstd(kh_source *s, unsigned char *buf, size_t cap, size_t *got, kh_error *err)
{
    size_t produced = 0;
    while (produced < cap) {
        kh_status st = raw_fill(s, err);
        if (st != KH_OK)
            return st;
        if (s->raw_pos == s->raw_len) {
            if ((st = end_of_compressed(s, s->zs_last == 0, produced, "zstd", err)) != KH_OK)
                return st;
            break;
        }
        ZSTD_inBuffer in = {s->raw + s->raw_pos, s->raw_len - s->raw_pos, 0};
        ZSTD_outBuffer out = {buf + produced, cap - produced, 0};
        size_t rc = ZSTD_decompressStream(s->zs, &out, &in);
        s->raw_pos += in.pos;
        produced += out.pos;
        if (ZSTD_isError(rc)) {
            s->finished = 1;
            return kh_fail(err, KH_ERR_CORRUPT, "%s: zstd data is damaged near compressed byte %llu: %s",
                           s->name, (unsigned long long)(s->raw_consumed + s->raw_pos),
                           ZSTD_getErrorName(rc));
        }
        s->zs_last = rc;
    }
    *got = produced;
    return KH_OK;
}

kh_status kh_source_read(kh_source *s, void *buf, size_t cap, size_t *got, kh_error *err)
{
    *got = 0;
    if (s->finished || cap == 0)
        return KH_OK;
    if (s->comp == COMP_UNKNOWN) {
        kh_status st = detect(s, err);
        if (st != KH_OK)
            return st;
    }
    switch (s->comp) {
    case COMP_GZIP:
        return read_gzip(s, buf, cap, got, err);
    case COMP_ZSTD:
        return read_zstd(s, buf, cap, got, err);
    default:
        break;
    }
    if (s->raw_pos < s->raw_len) {  /* bytes read while detecting */
        size_t n = s->raw_len - s->raw_pos;
        if (n > cap)
            n = cap;
        memcpy(buf, s->raw + s->raw_pos, n);
        s->raw_pos += n;
        *got = n;
        return KH_OK;
    }
    kh_status st = raw_read(s, buf, cap, got, err);
    if (st == KH_OK && *got == 0)
        s->finished = 1;
    return st;
}

void kh_source_close(kh_source *s)
{
    if (!s)
        return;
    if (s->owns_fd)
        close(s->fd);
    if (s->gz_ready)
        inflateEnd(&s->gz);
    ZSTD_freeDStream(s->zs);
    free(s->raw);
    free(s->name);
    free(s);
}
