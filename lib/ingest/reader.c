/* reader.c — from an input (file, stdin, memory) to a sequence of articles.
 *
 * The reader owns the input's bytes (through a kh_source, which undoes
 * compression), decides the format by content, cuts the input into records
 * (the whole input for a text page or a JSON array, a line for JSON Lines)
 * and hands each record to its extractor in formats.h. It is also where bad
 * input is caught and described: invalid UTF-8 with its byte offset,
 * malformed JSON with line and column, records over the size limit — each
 * reported for its record only, so that the good records still come out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/formats.h"
#include "ingest/source.h"
#include "util/error.h"
#include "util/utf8.h"

enum { READ_CHUNK = 1 << 16, DEFAULT_MAX_RECORD = 8 << 20 };
/* A JSON array must be parsed whole; allow it far more than one record. */
static const size_t MAX_WHOLE_INPUT = (size_t)1 << 30;

struct kh_reader {
    kh_source *src;
    kh_extract_options opt;
    kh_format format;
    int detected;
    int done;

    /* Buffered decompressed input: buf[pos..len) is unread, buf[0] is at
     * offset buf_offset of the whole input. */
    char *buf;
    size_t len, pos, cap;
    uint64_t buf_offset;
    int eof;
    /* A source failure (truncated or damaged compressed data, a read error)
     * ends the input, but the records decoded before it still come out:
     * the failure waits here and is reported where the input would end. */
    kh_error pending;
    unsigned long line_no;       /* lines consumed so far (JSON Lines) */
    unsigned long records;       /* records seen so far */

    json_t *array;               /* a JSON array being walked */
    size_t array_index;
};

const char *kh_format_name(kh_format f)
{
    switch (f) {
    case KH_FORMAT_AUTO: return "auto";
    case KH_FORMAT_TEXT: return "text";
    case KH_FORMAT_JSON: return "json";
    }
    return "unknown";
}

int kh_format_from_name(const char *name)
{
    for (int f = KH_FORMAT_AUTO; f <= KH_FORMAT_JSON; f++)
        if (!strcmp(name, kh_format_name((kh_format)f)))
            return f;
    return -1;
}

void kh_extract_options_init(kh_extract_options *opt)
{
    opt->format = KH_FORMAT_AUTO;
    opt->max_record_bytes = DEFAULT_MAX_RECORD;
}

kh_format kh_reader_format(const kh_reader *r) { return r->format; }

static kh_status reader_new(kh_source *src, const kh_extract_options *opt, kh_reader **out, kh_error *err)
{
    kh_reader *r = calloc(1, sizeof *r);
    if (!r) {
        kh_source_close(src);
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    }
    r->src = src;
    if (opt)
        r->opt = *opt;
    else
        kh_extract_options_init(&r->opt);
    if (r->opt.max_record_bytes == 0)
        r->opt.max_record_bytes = DEFAULT_MAX_RECORD;
    r->format = r->opt.format;
    *out = r;
    return KH_OK;
}

kh_status kh_reader_open(const char *path, const kh_extract_options *opt, kh_reader **out, kh_error *err)
{
    *out = NULL;
    if (!path)
        return kh_fail(err, KH_ERR_ARGUMENT, "no input path given");
    kh_source *src;
    kh_status st = kh_source_open_path(path, &src, err);
    return st != KH_OK ? st : reader_new(src, opt, out, err);
}

kh_status kh_reader_open_memory(const void *data, size_t len, const char *name,
                                const kh_extract_options *opt, kh_reader **out, kh_error *err)
{
    *out = NULL;
    kh_source *src;
    kh_status st = kh_source_open_memory(data, len, name, &src, err);
    return st != KH_OK ? st : reader_new(src, opt, out, err);
}

void kh_reader_close(kh_reader *r)
{
    if (!r)
        return;
    kh_source_close(r->src);
    json_decref(r->array);
    free(r->buf);
    free(r);
}

static const char *rname(const kh_reader *r) { return kh_source_name(r->src); }

/* Reads more input into the buffer, keeping buf[pos..len). Sets eof at the
 * end. A source error ends the input and is kept in r->pending; only a
 * failure to allocate is returned. */
static kh_status fill(kh_reader *r, kh_error *err)
{
    if (r->eof)
        return KH_OK;
    if (r->pos > 0 && r->pos == r->len) {
        r->buf_offset += r->len;
        r->pos = r->len = 0;
    } else if (r->pos > r->cap / 2) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->buf_offset += r->pos;
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->cap - r->len < READ_CHUNK) {
        size_t cap = r->cap ? r->cap * 2 : 2 * READ_CHUNK;
        char *grown = realloc(r->buf, cap + 1);
        if (!grown)
            return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", rname(r));
        r->buf = grown;
        r->cap = cap;
    }
    size_t got;
    kh_status st = kh_source_read(r->src, r->buf + r->len, r->cap - r->len, &got, &r->pending);
    if (st != KH_OK) {
        r->eof = 1;
        return KH_OK;
    }
    if (got == 0)
        r->eof = 1;
    r->len += got;
    r->buf[r->len] = '\0';
    return KH_OK;
}

/* Returns the source failure that ended the input, once; KH_OK if none. */
static kh_status take_pending(kh_reader *r, kh_error *err)
{
    kh_status st = r->pending.status;
    if (st != KH_OK) {
        if (err)
            *err = r->pending;
        kh_error_clear(&r->pending);
    }
    return st;
}

/* Reads the rest of the input into the buffer (for formats parsed whole). */
static kh_status slurp(kh_reader *r, size_t limit, kh_error *err)
{
    while (!r->eof) {
        kh_status st = fill(r, err);
        if (st != KH_OK)
            return st;
        if (r->len - r->pos > limit)
            return kh_fail(err, KH_ERR_TOO_LARGE, "%s: input is larger than %zu bytes (the limit for "
                           "a record parsed whole; raise it with --max-record-bytes)", rname(r), limit);
    }
    return take_pending(r, err);
}

/* Line and column (1-based, column in bytes) of offset `at` in s. */
static void line_col(const char *s, size_t at, unsigned long *line, unsigned long *col)
{
    *line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < at; i++)
        if (s[i] == '\n') {
            (*line)++;
            line_start = i + 1;
        }
    *col = (unsigned long)(at - line_start + 1);
}

static kh_status check_utf8(const kh_reader *r, const char *s, size_t len, uint64_t base,
                            unsigned long first_line, kh_error *err)
{
    size_t bad;
    if (kh_utf8_valid(s, len, &bad))
        return KH_OK;
    unsigned long line, col;
    line_col(s, bad, &line, &col);
    return kh_fail(err, KH_ERR_UTF8, "%s:%lu:%lu: invalid UTF-8 (byte 0x%02x at byte offset %llu)",
                   rname(r), first_line + line - 1, col, (unsigned char)s[bad],
                   (unsigned long long)(base + bad));
}

static int is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Decides the format from the first bytes: JSON starts with '[' or '{'
 * (after an optional BOM and whitespace); anything else is a text page. */
static kh_status detect(kh_reader *r, kh_error *err)
{
    r->detected = 1;
    while (!r->eof && r->len - r->pos < 4096) {
        kh_status st = fill(r, err);
        if (st != KH_OK)
            return st;
    }
    size_t i = r->pos;
    if (r->len - i >= 3 && !memcmp(r->buf + i, "\xEF\xBB\xBF", 3))
        i += 3;
    while (i < r->len && is_json_space(r->buf[i]))
        i++;
    if (i == r->len && r->pending.status != KH_OK)
        return take_pending(r, err);
    if (i == r->len)
        return kh_fail(err, KH_ERR_EMPTY, "%s: empty input (%s)", rname(r),
                       r->len ? "only whitespace" : "0 bytes");
    if (r->format == KH_FORMAT_AUTO)
        r->format = (r->buf[i] == '[' || r->buf[i] == '{') ? KH_FORMAT_JSON : KH_FORMAT_TEXT;
    return KH_OK;
}

static kh_status json_syntax_error(const kh_reader *r, const json_error_t *je, unsigned long line_base,
                                   kh_error *err)
{
    return kh_fail(err, KH_ERR_PARSE, "%s:%lu:%d: malformed JSON: %s", rname(r),
                   line_base + (unsigned long)(je->line > 0 ? je->line : 1) - 1,
                   je->column > 0 ? je->column : 1, je->text);
}

static kh_status next_text(kh_reader *r, kh_article *out, kh_error *err)
{
    r->done = 1;
    kh_status st = slurp(r, r->opt.max_record_bytes, err);
    if (st != KH_OK)
        return st;
    const char *s = r->buf + r->pos;
    size_t len = r->len - r->pos;
    if ((st = check_utf8(r, s, len, r->buf_offset + r->pos, 1, err)) != KH_OK)
        return st;
    const char *nul = memchr(s, '\0', len);
    if (nul)
        return kh_fail(err, KH_ERR_FORMAT, "%s: binary data (a NUL byte at byte offset %llu), not a text page",
                       rname(r), (unsigned long long)(r->buf_offset + r->pos + (size_t)(nul - s)));
    st = kh_text_page_parse(s, len, out, err);
    if (st != KH_OK)
        kh_error_prefix(err, "%s", rname(r));
    return st;
}

static kh_status record_to_article(kh_reader *r, json_t *record, unsigned long line, kh_article *out,
                                   kh_error *err)
{
    r->records++;
    kh_status st = kh_json_record_parse(record, out, err);
    if (st != KH_OK) {
        if (line)
            kh_error_prefix(err, "%s:%lu", rname(r), line);
        else
            kh_error_prefix(err, "%s: record %lu", rname(r), r->records);
    }
    return st;
}

static kh_status next_json_array(kh_reader *r, kh_article *out, kh_error *err)
{
    if (r->array_index >= json_array_size(r->array)) {
        r->done = 1;
        return KH_END;
    }
    json_t *record = json_array_get(r->array, r->array_index++);
    return record_to_article(r, record, 0, out, err);
}

/* Skips the rest of an over-long line without keeping it. */
static kh_status skip_line(kh_reader *r, kh_error *err)
{
    for (;;) {
        char *nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
        if (nl) {
            r->pos = (size_t)(nl - r->buf) + 1;
            return KH_OK;
        }
        r->pos = r->len;
        if (r->eof)
            return KH_OK;
        kh_status st = fill(r, err);
        if (st != KH_OK)
            return st;
    }
}

static kh_status next_json_line(kh_reader *r, kh_article *out, kh_error *err)
{
    for (;;) {
        /* Find a complete line, reading more as needed. */
        size_t scanned = r->pos;
        char *nl;
        while (!(nl = memchr(r->buf + scanned, '\n', r->len - scanned))) {
            if (r->len - r->pos > r->opt.max_record_bytes) {
                unsigned long line = ++r->line_no;
                kh_status st = skip_line(r, err);
                if (st != KH_OK)
                    return st;
                return kh_fail(err, KH_ERR_TOO_LARGE, "%s:%lu: line longer than %zu bytes, skipped "
                               "(the record size limit; raise it with --max-record-bytes)",
                               rname(r), line, r->opt.max_record_bytes);
            }
            if (r->eof)
                break;
            size_t rel = r->len - r->pos;
            kh_status st = fill(r, err);
            if (st != KH_OK)
                return st;
            scanned = r->pos + rel;
        }
        size_t start = r->pos;
        size_t end = nl ? (size_t)(nl - r->buf) : r->len;
        if (!nl && (start == end || r->pending.status != KH_OK)) {
            /* The end; a last line without its newline is kept unless the
             * input was cut short, in which case it is the damaged part. */
            r->done = 1;
            r->pos = r->len;
            kh_status st = take_pending(r, err);
            return st != KH_OK ? st : KH_END;
        }
        r->pos = nl ? end + 1 : end;
        unsigned long line = ++r->line_no;
        const char *s = r->buf + start;
        size_t len = end - start;
        if (len > r->opt.max_record_bytes)
            return kh_fail(err, KH_ERR_TOO_LARGE, "%s:%lu: line longer than %zu bytes, skipped "
                           "(the record size limit; raise it with --max-record-bytes)",
                           rname(r), line, r->opt.max_record_bytes);
        size_t i = 0;
        if (line == 1 && len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
            i = 3;
        while (i < len && is_json_space(s[i]))
            i++;
        if (i == len)
            continue;                         /* blank lines separate nothing */
        kh_status st = check_utf8(r, s, len, r->buf_offset + start, line, err);
        if (st != KH_OK)
            return st;
        json_error_t je;
        json_t *record = json_loadb(s, len, JSON_ALLOW_NUL, &je);
        if (!record)
            return json_syntax_error(r, &je, line, err);
        st = record_to_article(r, record, line, out, err);
        json_decref(record);
        return st;
    }
}

static kh_status start_json(kh_reader *r, kh_article *out, kh_error *err)
{
    size_t i = r->pos;
    if (r->len - i >= 3 && !memcmp(r->buf + i, "\xEF\xBB\xBF", 3))
        i += 3;
    while (i < r->len && is_json_space(r->buf[i]))
        i++;
    if (i < r->len && r->buf[i] == '[') {
        r->done = 1;                          /* until the array is loaded */
        kh_status st = slurp(r, MAX_WHOLE_INPUT, err);
        if (st != KH_OK)
            return st;
        const char *s = r->buf + r->pos;
        size_t len = r->len - r->pos;
        if ((st = check_utf8(r, s, len, r->buf_offset + r->pos, 1, err)) != KH_OK)
            return st;
        json_error_t je;
        json_t *doc = json_loadb(s, len, JSON_ALLOW_NUL, &je);
        if (!doc)
            return json_syntax_error(r, &je, 1, err);
        r->array = doc;
        free(r->buf);                         /* the tree holds everything now */
        r->buf = NULL;
        r->len = r->pos = r->cap = 0;
        if (json_array_size(doc) == 0)
            return kh_fail(err, KH_ERR_EMPTY, "%s: the JSON array holds no records", rname(r));
        r->done = 0;
        return next_json_array(r, out, err);
    }
    return next_json_line(r, out, err);
}

kh_status kh_reader_next(kh_reader *r, kh_article *out, kh_error *err)
{
    kh_article_clear(out);
    kh_error_clear(err);
    if (r->done)
        return KH_END;
    kh_status st;
    if (!r->detected) {
        if ((st = detect(r, err)) != KH_OK) {
            r->done = 1;
            return st;
        }
        if (r->format == KH_FORMAT_TEXT)
            st = next_text(r, out, err);
        else
            st = start_json(r, out, err);
    } else if (r->array) {
        st = next_json_array(r, out, err);
    } else {
        st = next_json_line(r, out, err);
    }
    if (st == KH_OK && (st = kh_article_finish(out)) != KH_OK)
        return kh_fail(err, st, "%s: out of memory", rname(r));
    if (st != KH_OK && st != KH_END)
        kh_article_clear(out);
    return st;
}
