/* manifest.c — reading and writing the manifest (see manifest.h). */
#include "index/manifest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "index/file.h"
#include "util/buf.h"
#include "util/error.h"

void kh_manifest_free(kh_manifest *m)
{
    free(m->segments);
    memset(m, 0, sizeof *m);
}

kh_status kh_manifest_write(const char *dir, const kh_manifest *m, kh_error *err)
{
    kh_buf b = KH_BUF_INIT;
    kh_buf_printf(&b, "khabar-index %d\n", KH_INDEX_FORMAT);
    kh_buf_printf(&b, "generation %" PRIu64 "\n", m->generation);
    kh_buf_printf(&b, "stemmer %s\n", m->stemmer[0] ? m->stemmer : "-");
    kh_buf_printf(&b, "analyzer %s\n", m->analyzer);
    kh_buf_printf(&b, "next-segment %" PRIu64 "\n", m->next_segment);
    for (size_t i = 0; i < m->n_segments; i++)
        kh_buf_printf(&b, "segment %s docs %" PRIu32 " delgen %" PRIu64 "\n", m->segments[i].name,
                      m->segments[i].docs, m->segments[i].del_gen);
    uint32_t crc = (uint32_t)crc32_z(0, (const unsigned char *)b.data, b.len);
    kh_buf_printf(&b, "crc32 %08" PRIx32 "\n", crc);
    if (kh_buf_failed(&b)) {
        kh_buf_free(&b);
        return kh_fail(err, KH_ERR_NOMEM, "out of memory writing the manifest");
    }
    kh_status st = kh_write_atomic(dir, KH_MANIFEST_FILE, b.data, b.len, err);
    kh_buf_free(&b);
    return st;
}

/* Copies the rest of a "key value" line after the key into out. */
static int take_value(const char *line, size_t len, const char *key, char *out, size_t cap)
{
    size_t k = strlen(key);
    if (len < k + 1 || memcmp(line, key, k) != 0 || line[k] != ' ' || len - k - 1 >= cap)
        return -1;
    memcpy(out, line + k + 1, len - k - 1);
    out[len - k - 1] = '\0';
    return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
    if (!*s)
        return -1;
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    *v = x;
    return 0;
}

kh_status kh_manifest_read(const char *dir, kh_manifest *m, kh_error *err)
{
    memset(m, 0, sizeof *m);
    char path[4096];
    if (kh_path_join(path, sizeof path, dir, KH_MANIFEST_FILE) != 0)
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: path too long", dir);
    char *text;
    size_t len;
    kh_status st = kh_read_small_file(path, &text, &len, err);
    if (st == KH_ERR_NOT_FOUND)
        return kh_fail(err, st, "%s: no khabar index here (no %s)", dir, KH_MANIFEST_FILE);
    if (st != KH_OK)
        return st;
#define BAD(...)                                                              \
    do {                                                                      \
        st = kh_fail(err, KH_ERR_CORRUPT, KH_MANIFEST_FILE ": " __VA_ARGS__); \
        goto done;                                                            \
    } while (0)

    /* the checksum line covers everything before it */
    if (len < 16 || text[len - 1] != '\n' || memchr(text, '\0', len))
        BAD("truncated or damaged");
    size_t last = len - 1;
    while (last > 0 && text[last - 1] != '\n')
        last--;
    char value[256];
    if (take_value(text + last, len - 1 - last, "crc32", value, sizeof value) != 0)
        BAD("truncated (no checksum line)");
    char *end;
    unsigned long want = strtoul(value, &end, 16);
    if (*end || (uint32_t)crc32_z(0, (const unsigned char *)text, last) != (uint32_t)want)
        BAD("checksum mismatch");

    size_t line_no = 0, cap = 0;
    for (size_t at = 0; at < last;) {
        const char *line = text + at;
        const char *nl = memchr(line, '\n', last - at);
        size_t n = (size_t)(nl - line);
        at += n + 1;
        line_no++;
        uint64_t v;
        if (line_no == 1) {
            if (take_value(line, n, "khabar-index", value, sizeof value) != 0)
                BAD("not a khabar manifest");
            if (parse_u64(value, &v) != 0 || v != KH_INDEX_FORMAT) {
                st = kh_fail(err, KH_ERR_MISMATCH, "%s: index format %s, this build reads format %d",
                             dir, value, KH_INDEX_FORMAT);
                goto done;
            }
        } else if (take_value(line, n, "generation", value, sizeof value) == 0) {
            if (parse_u64(value, &m->generation) != 0)
                BAD("bad generation on line %zu", line_no);
        } else if (take_value(line, n, "next-segment", value, sizeof value) == 0) {
            if (parse_u64(value, &m->next_segment) != 0)
                BAD("bad next-segment on line %zu", line_no);
        } else if (take_value(line, n, "stemmer", value, sizeof value) == 0) {
            /* A name that does not fit is damage, not something to cut
             * short: a shortened name would pick another stemmer or none. */
            const char *name = strcmp(value, "-") ? value : "";
            size_t len = strlen(name);
            if (len >= sizeof m->stemmer)
                BAD("stemmer name too long on line %zu", line_no);
            memcpy(m->stemmer, name, len + 1);
        } else if (take_value(line, n, "analyzer", m->analyzer, sizeof m->analyzer) == 0) {
        } else if (take_value(line, n, "segment", value, sizeof value) == 0) {
            if (m->n_segments == cap) {
                cap = cap ? cap * 2 : 16;
                kh_manifest_segment *s = realloc(m->segments, cap * sizeof *s);
                if (!s) {
                    st = kh_fail(err, KH_ERR_NOMEM, "out of memory");
                    goto done;
                }
                m->segments = s;
            }
            kh_manifest_segment *s = &m->segments[m->n_segments];
            char name[64];
            unsigned long long docs, gen;
            int used = 0;
            if (sscanf(value, "%40s docs %llu delgen %llu%n", name, &docs, &gen, &used) != 3 ||
                (size_t)used != strlen(value) || strncmp(name, "seg_", 4) != 0 ||
                strlen(name) >= sizeof s->name || strchr(name, '/') || docs > UINT32_MAX)
                BAD("bad segment line %zu", line_no);
            snprintf(s->name, sizeof s->name, "%s", name);
            s->docs = (uint32_t)docs;
            s->del_gen = gen;
            m->n_segments++;
        } else {
            BAD("unknown line %zu", line_no);
        }
    }
    if (m->generation == 0 || !m->analyzer[0])
        BAD("incomplete");
    st = KH_OK;
done:
#undef BAD
    free(text);
    if (st != KH_OK)
        kh_manifest_free(m);
    return st;
}
