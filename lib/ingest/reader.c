/* reader.c — from an input (file, stdin, memory) to a sequence of articles.
 *
 * The reader owns the input's bytes (through a kh_source, which undoes
 * compression), decides the format by content, cuts the input into records
 * (the whole input for a text page, a web page or a JSON array, a line for
 * JSON Lines) and hands each record to its extractor in formats.h. It is
 * also where bad input is caught and described: invalid UTF-8 with its byte
 * offset, malformed JSON with line and column, records over the size limit
 * — each reported for its record only, so that the good records still come
 * out.
 *
 * Containers (zip/tar archives, WARC files) are read as a stream of members;
 * each member becomes a child reader over memory, named "input: member", so
 * that it goes through the same detection as a file (and may itself be
 * gzip-compressed JSON Lines, or a page in windows-1256) and its messages
 * name it. The child lives until its articles are read, then the next
 * member is cut. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/archive.h"
#include "ingest/charset.h"
#include "ingest/formats.h"
#include "ingest/source.h"
#include "ingest/warc.h"
#include "util/error.h"
#include "util/utf8.h"

enum { READ_CHUNK = 1 << 16, DEFAULT_MAX_RECORD = 8 << 20 };
/* A JSON array must be parsed whole; allow it far more than one record. */
static const size_t MAX_WHOLE_INPUT = (size_t)1 << 30;
/* An archive inside an archive inside ... : a few levels are real (a
 * .jsonl.gz in a .tar), more is a trap. */
enum { MAX_NESTING = 3, WARC_HEADER_MAX = 1 << 16, URI_IN_MESSAGE_MAX = 200 };

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

    /* Containers. */
    int depth;                   /* 0 for an input, 1 for its members ... */
    int in_container;            /* a member: non-article content is skipped, not an error */
    char *owned_data;            /* a member's bytes, freed with the reader */
    char *hint_url, *hint_date;  /* what the container said about this member */
    const char *hint_charset;
    kh_reader *child;            /* the member being read */
    kh_archive *archive;
    unsigned long skipped;       /* records and members that are not articles */
    unsigned long warc_records;
};

const char *kh_format_name(kh_format f)
{
    switch (f) {
    case KH_FORMAT_AUTO: return "auto";
    case KH_FORMAT_TEXT: return "text";
    case KH_FORMAT_JSON: return "json";
    case KH_FORMAT_HTML: return "html";
    case KH_FORMAT_WARC: return "warc";
    case KH_FORMAT_ARCHIVE: return "archive";
    }
    return "unknown";
}

int kh_format_from_name(const char *name)
{
    for (int f = KH_FORMAT_AUTO; f <= KH_FORMAT_ARCHIVE; f++)
        if (!strcmp(name, kh_format_name((kh_format)f)))
            return f;
    return -1;
}

void kh_extract_options_init(kh_extract_options *opt)
{
    opt->format = KH_FORMAT_AUTO;
    opt->max_record_bytes = DEFAULT_MAX_RECORD;
    opt->url = NULL;
}

kh_format kh_reader_format(const kh_reader *r) { return r->format; }

unsigned long kh_reader_skipped(const kh_reader *r)
{
    return r->skipped + (r->child ? kh_reader_skipped(r->child) : 0);
}

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
    kh_reader_close(r->child);
    kh_archive_close(r->archive);
    kh_source_close(r->src);
    json_decref(r->array);
    free(r->buf);
    free(r->owned_data);
    free(r->hint_url);
    free(r->hint_date);
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

static int has_markup(const char *s, size_t len)
{
    static const char *const tags[] = {"<html", "<body", "<head", "<p>", "<div", "<title", "<meta",
                                       "<table", "<br", "<!doctype html", NULL};
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '<')
            continue;
        for (const char *const *t = tags; *t; t++) {
            size_t n = strlen(*t);
            if (i + n <= len && !strncasecmp(s + i, *t, n))
                return 1;
        }
    }
    return 0;
}

/* The format of an input from its first bytes: raw (as decompressed) for
 * the magic numbers, and from its first non-space character (text) for the
 * rest. Zip "PK\3\4", tar "ustar" at 257, "WARC/1.x", an HTTP response head
 * or markup for HTML, '[' or '{' for JSON, anything else a text page. */
static kh_format sniff(const char *raw, size_t raw_len, const char *text, size_t text_len)
{
    if (raw_len >= 4 && (!memcmp(raw, "PK\3\4", 4) || !memcmp(raw, "PK\5\6", 4)))
        return KH_FORMAT_ARCHIVE;
    if (raw_len >= 262 && !memcmp(raw + 257, "ustar", 5))
        return KH_FORMAT_ARCHIVE;
    if (kh_warc_is_record_start(raw, raw_len))
        return KH_FORMAT_WARC;
    if (raw_len >= 8 && !memcmp(raw, "HTTP/1.", 7))
        return KH_FORMAT_HTML;
    if (text[0] == '[' || text[0] == '{')
        return KH_FORMAT_JSON;
    if (text[0] == '<')
        return KH_FORMAT_HTML;
    /* An undeclared page in windows-1256 is not UTF-8; its markup says what
     * it is. (The last bytes may be a character cut by the window.) */
    size_t bad;
    if (!kh_utf8_valid(text, text_len, &bad) && bad + 4 < text_len && has_markup(text, text_len))
        return KH_FORMAT_HTML;
    if (has_markup(text, text_len < 512 ? text_len : 512))
        return KH_FORMAT_HTML;
    return KH_FORMAT_TEXT;
}

/* Decides the format from the first bytes (see sniff). */
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
        r->format = sniff(r->buf + r->pos, r->len - r->pos, r->buf + i, r->len - i);
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
    if (r->in_container && (!kh_utf8_valid(s, len, NULL) || memchr(s, '\0', len))) {
        r->skipped++;            /* an image or other binary member: not an article */
        return KH_END;
    }
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
        /* jansson rejects invalid UTF-8 too, so the line is validated only
         * when it fails: to report the byte offset rather than jansson's
         * "unable to decode byte". One scan fewer per record. */
        json_error_t je;
        json_t *record = json_loadb(s, len, JSON_ALLOW_NUL, &je);
        if (!record) {
            kh_status st = check_utf8(r, s, len, r->buf_offset + start, line, err);
            return st != KH_OK ? st : json_syntax_error(r, &je, line, err);
        }
        kh_status st = record_to_article(r, record, line, out, err);
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

/* ---- web pages ------------------------------------------------------------ */

static kh_status next_html(kh_reader *r, kh_article *out, kh_error *err)
{
    r->done = 1;
    kh_status st = slurp(r, r->opt.max_record_bytes, err);
    if (st != KH_OK)
        return st;
    const char *s = r->buf + r->pos;
    size_t len = r->len - r->pos;
    kh_html_hints hints = {r->hint_url ? r->hint_url : r->opt.url, r->hint_charset, r->hint_date};
    kh_buf dechunked = KH_BUF_INIT;
    kh_http_head head;
    /* A page saved with its HTTP response head (curl -i). */
    if (kh_http_parse_head(s, len, &head)) {
        if (head.status != 200)
            return kh_fail(err, KH_ERR_FORMAT, "%s: HTTP status %d, not a page", rname(r), head.status);
        if (head.content_type)
            hints.charset = kh_charset_from_content_type(head.content_type, head.content_type_len);
        s += head.head_len;
        len -= head.head_len;
        if (head.chunked) {
            size_t bad;
            if (kh_http_dechunk(s, len, &dechunked, &bad) != KH_OK && !kh_buf_failed(&dechunked)) {
                kh_buf_free(&dechunked);
                return kh_fail(err, KH_ERR_PARSE, "%s: broken chunked transfer encoding at byte offset %llu",
                               rname(r), (unsigned long long)(r->buf_offset + r->pos + head.head_len + bad));
            }
            if (kh_buf_failed(&dechunked)) {
                kh_buf_free(&dechunked);
                return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", rname(r));
            }
            s = dechunked.data ? dechunked.data : "";
            len = dechunked.len;
        }
    }
    st = kh_html_parse(s, len, &hints, out, err);
    kh_buf_free(&dechunked);
    if (st == KH_ERR_EMPTY && r->in_container) {
        r->skipped++;            /* a redirect stub or an empty page in a crawl */
        return KH_END;
    }
    if (st != KH_OK)
        kh_error_prefix(err, "%s", rname(r));
    return st;
}

/* ---- containers -------------------------------------------------------------- */

/* Starts a child reader over a member's bytes (data is taken over). */
static kh_status open_member(kh_reader *r, char *data, size_t len, const char *label, kh_format format,
                             const char *url, const char *charset, const char *date, kh_error *err)
{
    if (r->depth + 1 > MAX_NESTING) {
        free(data);
        return kh_fail(err, KH_ERR_FORMAT, "%s: containers nested more than %d deep, skipped", label,
                       MAX_NESTING);
    }
    kh_extract_options opt = r->opt;
    opt.format = format;
    opt.url = NULL;
    kh_source *src;
    kh_reader *c = NULL;
    kh_status st = kh_source_open_memory(data, len, label, &src, err);
    if (st == KH_OK)
        st = reader_new(src, &opt, &c, err);
    if (st != KH_OK) {
        free(data);
        return st;
    }
    c->owned_data = data;
    c->depth = r->depth + 1;
    c->in_container = 1;
    c->hint_charset = charset;
    if ((url && !(c->hint_url = strdup(url))) || (date && !(c->hint_date = strdup(date)))) {
        kh_reader_close(c);
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", label);
    }
    r->child = c;
    return KH_OK;
}

/* Appends "; <the source failure>" to a message about damage, when the
 * decompressor saw it too (its compressed offset helps), and forgets it. */
static const char *pending_note(kh_reader *r, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (r->pending.status != KH_OK) {
        const char *msg = r->pending.message;
        size_t nl = strlen(rname(r));
        if (!strncmp(msg, rname(r), nl) && !strncmp(msg + nl, ": ", 2))
            msg += nl + 2;    /* the input is named once, at the start */
        snprintf(buf, cap, "; %s", msg);
        kh_error_clear(&r->pending);
    }
    return buf;
}

/* Names that are never articles, whatever their bytes. */
static int skip_member_name(const char *name)
{
    static const char *const exts[] = {".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg",
                                       ".ico", ".woff", ".woff2", ".ttf", ".eot", ".pdf", ".mp4", ".mp3",
                                       ".map", ".avif", NULL};
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    if (!strncmp(name, "__MACOSX/", 9) || !strncmp(base, "._", 2) || !strcmp(base, ".DS_Store") || !*base)
        return 1;
    const char *dot = strrchr(base, '.');
    if (!dot)
        return 0;
    for (const char *const *e = exts; *e; e++)
        if (!strcasecmp(dot, *e))
            return 1;
    return 0;
}

static ssize_t archive_pull(void *ctx, const void **data)
{
    kh_reader *r = ctx;
    while (r->pos == r->len && !r->eof)
        if (fill(r, NULL) != KH_OK)
            return -1;
    if (r->pos == r->len)
        return 0;
    *data = r->buf + r->pos;
    size_t n = r->len - r->pos;
    r->pos = r->len;
    return (ssize_t)n;
}

/* Cuts the next member of a zip or tar into a child reader. */
static kh_status next_archive_member(kh_reader *r, kh_error *err)
{
    kh_status st;
    if (!r->archive && (st = kh_archive_open(archive_pull, r, &r->archive, err)) != KH_OK) {
        r->done = 1;
        return st;
    }
    for (;;) {
        char *name, *data;
        size_t len;
        st = kh_archive_next(r->archive, r->opt.max_record_bytes, &name, &data, &len, err);
        if (st == KH_END) {
            r->done = 1;
            free(name);
            kh_status pending = take_pending(r, err);
            return pending != KH_OK ? pending : KH_END;
        }
        if (st != KH_OK) {
            free(name);
            if (st != KH_ERR_TOO_LARGE) {
                r->done = 1;
                char note[KH_ERROR_MESSAGE_MAX + 8];
                if (err) {
                    kh_error inner = *err;
                    pending_note(r, note, sizeof note);
                    if (!note[0] && r->eof && r->pos == r->len && st != KH_ERR_FORMAT)
                        snprintf(note, sizeof note, "; the input ends there, at byte offset %llu: it was cut "
                                 "short", (unsigned long long)(r->buf_offset + r->len));
                    kh_fail(err, st, "%s: %s%s", rname(r), inner.message, note);
                }
                return st;
            }
            kh_error_prefix(err, "%s", rname(r));
            return st;
        }
        if (skip_member_name(name)) {
            r->skipped++;
            free(name);
            free(data);
            continue;
        }
        size_t label_len = strlen(rname(r)) + strlen(name) + 3;
        char *label = malloc(label_len);
        if (!label) {
            free(name);
            free(data);
            return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", rname(r));
        }
        snprintf(label, label_len, "%s: %s", rname(r), name);
        free(name);
        st = open_member(r, data, len, label, KH_FORMAT_AUTO, NULL, NULL, NULL, err);
        free(label);
        return st;
    }
}

/* Makes buf[pos..) hold at least n bytes unless the input ends first. */
static kh_status want_bytes(kh_reader *r, size_t n, kh_error *err)
{
    while (r->len - r->pos < n && !r->eof) {
        kh_status st = fill(r, err);
        if (st != KH_OK)
            return st;
    }
    return KH_OK;
}

/* Passes over n bytes without keeping them (a record that is not a page). */
static kh_status skip_bytes(kh_reader *r, uint64_t n, kh_error *err)
{
    while (n) {
        size_t have = r->len - r->pos;
        size_t take = have < n ? have : (size_t)n;
        r->pos += take;
        n -= take;
        if (!n)
            break;
        if (r->eof)
            return KH_ERR_TRUNCATED;
        kh_status st = fill(r, err);
        if (st != KH_OK)
            return st;
    }
    return KH_OK;
}

static int warc_type_is(const char *v, size_t vl, const char *type)
{
    return v && vl == strlen(type) && !strncasecmp(v, type, vl);
}

/* Turns one HTML response or resource record into a child reader; returns
 * KH_END (and counts it) when the record is not a page. block is taken
 * over. */
static kh_status warc_record_member(kh_reader *r, char *block, size_t len, int response, const char *label,
                                    const char *uri, const char *date, const char *warc_ct, size_t warc_ct_len,
                                    kh_error *err)
{
    const char *body = block;
    size_t body_len = len;
    const char *charset = NULL;
    kh_buf dechunked = KH_BUF_INIT;
    if (response) {
        kh_http_head head;
        if (!kh_http_parse_head(block, len, &head) || head.status != 200 ||
            (head.content_type && !kh_http_is_html(head.content_type, head.content_type_len))) {
            free(block);
            r->skipped++;
            return KH_END;
        }
        charset = kh_charset_from_content_type(head.content_type, head.content_type_len);
        body = block + head.head_len;
        body_len = len - head.head_len;
        if (head.chunked) {
            size_t bad;
            kh_status st = kh_http_dechunk(body, body_len, &dechunked, &bad);
            if (st != KH_OK && !kh_buf_failed(&dechunked)) {
                kh_buf_free(&dechunked);
                free(block);
                return kh_fail(err, KH_ERR_PARSE, "%s: broken chunked transfer encoding at byte %zu of the "
                               "HTTP body", label, bad);
            }
            free(block);
            if (kh_buf_failed(&dechunked))
                return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", label);
            size_t n = dechunked.len;
            char *data = dechunked.data ? kh_buf_detach(&dechunked) : strdup("");
            if (!data)
                return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", label);
            return open_member(r, data, n, label, KH_FORMAT_HTML, uri, charset, date, err);
        }
    } else if (!kh_http_is_html(warc_ct, warc_ct_len)) {
        free(block);
        r->skipped++;
        return KH_END;
    } else {
        charset = kh_charset_from_content_type(warc_ct, warc_ct_len);
    }
    memmove(block, body, body_len);
    block[body_len] = '\0';
    return open_member(r, block, body_len, label, KH_FORMAT_HTML, uri, charset, date, err);
}

/* Cuts the next HTML record of a WARC file into a child reader. */
static kh_status next_warc_member(kh_reader *r, kh_error *err)
{
    char note[KH_ERROR_MESSAGE_MAX + 8];
    for (;;) {
        kh_status st;
        /* records are followed by CRLF CRLF; be lenient about how many */
        for (;;) {
            while (r->pos < r->len && (r->buf[r->pos] == '\r' || r->buf[r->pos] == '\n'))
                r->pos++;
            if (r->pos < r->len || r->eof)
                break;
            if ((st = fill(r, err)) != KH_OK)
                return st;
        }
        if (r->pos == r->len) {
            r->done = 1;
            st = take_pending(r, err);
            return st != KH_OK ? st : KH_END;
        }
        size_t head_len;
        while (!(head_len = kh_header_block_end(r->buf + r->pos, r->len - r->pos)) && !r->eof &&
               r->len - r->pos < WARC_HEADER_MAX)
            if ((st = fill(r, err)) != KH_OK)
                return st;
        unsigned long long at = (unsigned long long)(r->buf_offset + r->pos);
        unsigned long no = r->warc_records + 1;
        if (!kh_warc_is_record_start(r->buf + r->pos, r->len - r->pos)) {
            r->done = 1;
            return kh_fail(err, KH_ERR_CORRUPT, "%s: record %lu at byte offset %llu: not a WARC record (no "
                           "\"WARC/1.x\" version line); the %lu record%s before it were read%s",
                           rname(r), no, at, no - 1, no == 2 ? "" : "s", pending_note(r, note, sizeof note));
        }
        if (!head_len) {
            r->done = 1;
            return kh_fail(err, KH_ERR_TRUNCATED, "%s: record %lu at byte offset %llu: the header is cut short%s",
                           rname(r), no, at, pending_note(r, note, sizeof note));
        }
        r->warc_records = no;
        const char *h = r->buf + r->pos;
        uint64_t length;
        if (!kh_warc_content_length(h, head_len, &length)) {
            r->done = 1;
            return kh_fail(err, KH_ERR_CORRUPT, "%s: record %lu at byte offset %llu: no valid Content-Length",
                           rname(r), no, at);
        }
        size_t tl, ul, dl, cl;
        const char *type = kh_header_value(h, head_len, "WARC-Type", &tl);
        const char *uri = kh_header_value(h, head_len, "WARC-Target-URI", &ul);
        const char *date = kh_header_value(h, head_len, "WARC-Date", &dl);
        const char *ct = kh_header_value(h, head_len, "Content-Type", &cl);
        int response = warc_type_is(type, tl, "response"), resource = warc_type_is(type, tl, "resource");
        /* copies: the buffer moves as more is read */
        if (uri && ul > 1 && uri[0] == '<' && uri[ul - 1] == '>') {   /* WARC 1.0 wrote <uri> */
            uri++;
            ul -= 2;
        }
        char uri_c[2048], date_c[64], ct_c[256];
        snprintf(uri_c, sizeof uri_c, "%.*s", uri ? (int)(ul < sizeof uri_c ? ul : sizeof uri_c - 1) : 0,
                 uri ? uri : "");
        snprintf(date_c, sizeof date_c, "%.*s", date ? (int)(dl < sizeof date_c ? dl : sizeof date_c - 1) : 0,
                 date ? date : "");
        snprintf(ct_c, sizeof ct_c, "%.*s", ct ? (int)(cl < sizeof ct_c ? cl : sizeof ct_c - 1) : 0, ct ? ct : "");
        r->pos += head_len;
        for (char *c = uri_c; *c; c++)          /* one-line messages */
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = '?';
        char label[KH_ERROR_MESSAGE_MAX / 2];
        if (*uri_c)
            snprintf(label, sizeof label, "%s: record %lu (%.*s)", rname(r), no, URI_IN_MESSAGE_MAX, uri_c);
        else
            snprintf(label, sizeof label, "%s: record %lu", rname(r), no);

        if (!(response || resource) || length > r->opt.max_record_bytes) {
            st = skip_bytes(r, length, err);
            if (st == KH_ERR_TRUNCATED) {
                r->done = 1;
                return kh_fail(err, st, "%s at byte offset %llu is cut short: its Content-Length is %llu bytes%s",
                               label, at, (unsigned long long)length, pending_note(r, note, sizeof note));
            }
            if (st != KH_OK)
                return st;
            if (response || resource)
                return kh_fail(err, KH_ERR_TOO_LARGE, "%s: %llu bytes is over the record limit of %zu, skipped "
                               "(raise it with --max-record-bytes)", label, (unsigned long long)length,
                               r->opt.max_record_bytes);
            r->skipped++;
            continue;
        }
        if ((st = want_bytes(r, (size_t)length, err)) != KH_OK)
            return st;
        if (r->len - r->pos < length) {
            size_t have = r->len - r->pos;
            r->pos = r->len;
            r->done = 1;
            return kh_fail(err, KH_ERR_TRUNCATED, "%s at byte offset %llu is cut short: its Content-Length is "
                           "%llu bytes, only %zu follow%s", label, at, (unsigned long long)length, have,
                           pending_note(r, note, sizeof note));
        }
        char *block = malloc((size_t)length + 1);
        if (!block)
            return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", label);
        memcpy(block, r->buf + r->pos, (size_t)length);
        block[length] = '\0';
        r->pos += (size_t)length;
        st = warc_record_member(r, block, (size_t)length, response, label, *uri_c ? uri_c : NULL,
                                *date_c ? date_c : NULL, *ct_c ? ct_c : NULL, strlen(ct_c), err);
        if (st == KH_END)
            continue;
        return st;
    }
}

kh_status kh_reader_next(kh_reader *r, kh_article *out, kh_error *err)
{
    kh_article_clear(out);
    kh_error_clear(err);
    kh_status st;
    for (;;) {
        if (r->child) {
            st = kh_reader_next(r->child, out, err);
            if (st != KH_END)
                return st;
            r->skipped += r->child->skipped;
            kh_reader_close(r->child);
            r->child = NULL;
        }
        if (r->done)
            return KH_END;
        if (!r->detected) {
            if ((st = detect(r, err)) != KH_OK) {
                r->done = 1;
                if (st == KH_ERR_EMPTY && r->in_container) {
                    r->skipped++;        /* an empty member */
                    return KH_END;
                }
                return st;
            }
            if (r->format == KH_FORMAT_TEXT)
                st = next_text(r, out, err);
            else if (r->format == KH_FORMAT_HTML)
                st = next_html(r, out, err);
            else if (r->format == KH_FORMAT_JSON)
                st = start_json(r, out, err);
            else
                st = KH_ERR_NOT_FOUND;   /* a container: cut its first member below */
        } else if (r->array) {
            st = next_json_array(r, out, err);
        } else if (r->format == KH_FORMAT_JSON) {
            st = next_json_line(r, out, err);
        } else {
            st = KH_ERR_NOT_FOUND;
        }
        if (st == KH_ERR_NOT_FOUND) {
            st = r->format == KH_FORMAT_WARC ? next_warc_member(r, err) : next_archive_member(r, err);
            if (st == KH_OK)
                continue;                /* read the member just opened */
            return st;
        }
        break;
    }
    if (st == KH_OK && (st = kh_article_finish(out)) != KH_OK)
        return kh_fail(err, st, "%s: out of memory", rname(r));
    if (st != KH_OK && st != KH_END)
        kh_article_clear(out);
    return st;
}
