/*
 * khabar.h — the public C API of khabar, an Arabic news engine.
 *
 * This is the only header a program embedding khabar includes. Everything
 * declared here is stable within a minor version; everything under lib/ is
 * private to the library.
 *
 * Conventions, true of every function below unless its comment says otherwise:
 *
 *  - Text is UTF-8. Lengths and offsets are in bytes.
 *  - Errors are values. A function that can fail returns a kh_status and, when
 *    given a non-NULL `kh_error *err`, fills it with the same status and a
 *    one-line human-readable message (no trailing newline) that names the
 *    input and the reason. Passing err = NULL is allowed. The library never
 *    prints, never calls exit(), and keeps no global mutable state: separate
 *    objects may be used from separate threads at the same time.
 *  - Ownership: a `kh_xxx_new`/`_open` result is owned by the caller and is
 *    released with the matching `_free`/`_close`, which accept NULL. Strings
 *    inside a struct filled by the library are owned by that struct and are
 *    released by its `_clear`/`_free` function.
 */
#ifndef KHABAR_H
#define KHABAR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KH_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------ */
/* Status and errors                                                          */
/* ------------------------------------------------------------------------ */

typedef enum kh_status {
    KH_OK = 0,
    KH_END,              /* no more items: not an error */
    KH_ERR_ARGUMENT,     /* the caller passed something invalid */
    KH_ERR_NOMEM,        /* allocation failed */
    KH_ERR_IO,           /* the operating system refused a read or write */
    KH_ERR_UTF8,         /* input is not valid UTF-8 (message gives the byte offset) */
    KH_ERR_PARSE,        /* input is malformed (message gives line/column or offset) */
    KH_ERR_FORMAT,       /* input is in a format this build cannot read */
    KH_ERR_TOO_LARGE,    /* input exceeds a configured limit */
    KH_ERR_EMPTY,        /* input holds nothing to work on */
    KH_ERR_TRUNCATED,    /* input ends in the middle of a compressed stream or record */
    KH_ERR_NOT_FOUND,    /* the thing asked for does not exist */
    KH_ERR_CORRUPT,      /* stored data failed a checksum or structural check */
    KH_ERR_LOCKED,       /* another writer holds the lock */
    KH_ERR_MISMATCH      /* incompatible versions (e.g. index built by another analyzer) */
} kh_status;

#define KH_ERROR_MESSAGE_MAX 512

typedef struct kh_error {
    kh_status status;
    char message[KH_ERROR_MESSAGE_MAX];
} kh_error;

/* Short stable name of a status, e.g. "parse" for KH_ERR_PARSE. Never NULL. */
const char *kh_status_name(kh_status status);

/* Resets err to KH_OK with an empty message. err may be NULL. */
void kh_error_clear(kh_error *err);

/* How many CPUs this process may run on: the CPUs of its affinity mask
 * (`taskset`, a container's cpuset), not every CPU the machine has. At
 * least 1; never fails (1 when the mask cannot be read). A CPU quota
 * (cgroup cpu.max) is not a mask and is not counted. The default of
 * kh_index_options.threads and of `khabar serve --threads` comes from it. */
size_t kh_cpu_count(void);

/* ------------------------------------------------------------------------ */
/* Dates                                                                      */
/* ------------------------------------------------------------------------ */

/* A calendar date and time as written in a source. Fields the text did not
 * give are zero and flagged: a date without a time has has_time = 0. */
typedef struct kh_datetime {
    int year, month, day;       /* Gregorian, month 1..12, day 1..31 */
    int hour, minute, second;   /* 24-hour clock */
    int has_time;               /* 1 when the text gave a time of day */
    int has_offset;             /* 1 when the text gave a UTC offset */
    int offset_minutes;         /* east of UTC, e.g. +180 for +03:00 */
} kh_datetime;

/*
 * Parses a date as Arabic news pages and feeds write it: datelines such as
 * "الأحد 04 يناير 2026 - 09:36 م", "نشر في: ٥ كانون الثاني ٢٠٢٦، ١٠:١٥ صباحًا",
 * "12 جويلية 2025 | 18:40", numeric "2026/01/04" and "04/01/2026", and the
 * machine forms "2015-07-21 02:51:32" and ISO 8601 with an offset.
 * See docs/dates.md for the full grammar.
 *
 * The whole of text[0..len) must be one date (surrounding whitespace and a
 * leading label such as "نشر في:" or "آخر تحديث:" are allowed); anything else
 * is a failure, never a guess. Returns KH_OK and fills *out, or KH_ERR_PARSE
 * with a message saying what was not understood. Does not allocate.
 */
kh_status kh_date_parse(const char *text, size_t len, kh_datetime *out, kh_error *err);

/* Writes dt as ISO 8601 "YYYY-MM-DDThh:mm:ss" (time 00:00:00 when absent),
 * followed by "+hh:mm"/"-hh:mm" when has_offset. buf needs 32 bytes; the
 * result is NUL-terminated. Returns the length written (0 if cap < 32). */
size_t kh_datetime_format(const kh_datetime *dt, char *buf, size_t cap);

/* ------------------------------------------------------------------------ */
/* The article model (docs/article.md)                                         */
/* ------------------------------------------------------------------------ */

typedef enum kh_block_kind {
    KH_BLOCK_PARAGRAPH = 0,
    KH_BLOCK_HEADING = 1
} kh_block_kind;

/* One block of an article's body, in reading order. */
typedef struct kh_block {
    kh_block_kind kind;
    char *text;                 /* owned; cleaned, never empty */
} kh_block;

/*
 * An article. Every string is cleaned text (NFC, whitespace runs collapsed,
 * trimmed, bidi controls removed) or NULL when unknown. Owned by the struct:
 * release with kh_article_clear().
 */
typedef struct kh_article {
    char *id;                   /* stable identifier (see docs/article.md) */
    char *source;               /* outlet name or feed's source code */
    char *url;
    char *title;
    char *published;            /* ISO 8601, see kh_datetime_format */
    char *published_raw;        /* the dateline exactly as written */
    char *author;
    char *lang;                 /* BCP 47 code: "ar", "en", ... */
    char **captions;            /* distinct captions, first-seen order */
    size_t n_captions;
    kh_block *blocks;           /* paragraphs and headings in reading order */
    size_t n_blocks;
    size_t words;               /* whitespace-separated words of title + body */
} kh_article;

/* Initialises an empty article (all NULL/0). */
void kh_article_init(kh_article *a);

/* Frees everything the article owns and re-initialises it. */
void kh_article_clear(kh_article *a);

/* Sets a string field (e.g. &a->title) to a cleaned copy of text[0..len).
 * Frees the previous value. A text that cleans to empty sets NULL.
 * Returns KH_OK or KH_ERR_NOMEM. */
kh_status kh_article_set(char **field, const char *text, size_t len);

/* Like kh_article_set, but keeps the bytes as they are apart from trimming
 * surrounding whitespace: for identifiers (id, url), which must not be
 * changed by Unicode normalisation. */
kh_status kh_article_set_verbatim(char **field, const char *text, size_t len);

/* Appends a cleaned caption unless empty or already present. */
kh_status kh_article_add_caption(kh_article *a, const char *text, size_t len);

/* Appends a cleaned block unless the text cleans to empty. */
kh_status kh_article_add_block(kh_article *a, kh_block_kind kind, const char *text, size_t len);

/* Fills the derived fields: `words` (counted over title and blocks), `lang`
 * when unset (from the script of the text), and `id` when unset — derived
 * from the canonical URL, or from source + title + published when there is
 * no URL (see docs/article.md). Call once the other fields are set. */
kh_status kh_article_finish(kh_article *a);

/* Returns the body: the blocks' text joined by a blank line ("\n\n").
 * Newly allocated (caller frees with free()), "" when there are no blocks,
 * NULL only when memory runs out. */
char *kh_article_body(const kh_article *a);

/* Serialises the article as one line of JSON (no trailing newline), in the
 * shape documented in docs/article.md. Newly allocated (caller frees with
 * free()), NULL only when memory runs out. */
char *kh_article_to_json(const kh_article *a);

/* ------------------------------------------------------------------------ */
/* Extraction: inputs to articles                                             */
/* ------------------------------------------------------------------------ */

typedef enum kh_format {
    KH_FORMAT_AUTO = 0,         /* decide by content */
    KH_FORMAT_TEXT,             /* one scraped article page per input */
    KH_FORMAT_JSON,             /* JSON array, JSON Lines, or khabar article JSON */
    KH_FORMAT_HTML,             /* one web page (any of UTF-8, windows-1256, ISO-8859-6),
                                 * optionally preceded by its HTTP response head */
    KH_FORMAT_WARC,             /* a WARC 1.0/1.1 file: each HTML response/resource record */
    KH_FORMAT_ARCHIVE           /* a .zip or .tar: each member, detected like a file */
} kh_format;

/* Short name ("auto", "text", "json", "html", "warc", "archive") and its
 * inverse (-1 when unknown). */
const char *kh_format_name(kh_format f);
int kh_format_from_name(const char *name);

typedef struct kh_extract_options {
    kh_format format;           /* KH_FORMAT_AUTO by default */
    size_t max_record_bytes;    /* a longer JSON line / text file / web page / archive member
                                 * is refused; 0 = default (8 MiB) */
    const char *url;            /* the address of a saved web page (relative links, id, source);
                                 * the page's canonical link wins. Not copied: must outlive the
                                 * reader. NULL by default; ignored for archive members and WARC
                                 * records, which carry their own */
} kh_extract_options;

/* Defaults: auto format, 8 MiB records, no URL. */
void kh_extract_options_init(kh_extract_options *opt);

/*
 * A reader turns one input (a file, or standard input) into articles. gzip-
 * and zstd-compressed input is decompressed transparently, detected by magic
 * bytes. The format is decided by content: zip and tar by their magic bytes,
 * WARC by its version line, HTML by its markup, JSON by its first character,
 * anything else is a text page. A member of an archive or a WARC record goes
 * through the same detection (an HTML member gives one article, a JSON Lines
 * member many), and messages about it name it: "pages.zip: a/b.html: ...",
 * "crawl.warc.gz: record 17 (https://...): ...".
 */
typedef struct kh_reader kh_reader;

/* Opens path ("-" means standard input; name_for_messages then is "<stdin>").
 * Fails with KH_ERR_IO (missing, unreadable, a directory) or KH_ERR_ARGUMENT.
 * *out is owned by the caller: kh_reader_close(). */
kh_status kh_reader_open(const char *path, const kh_extract_options *opt,
                         kh_reader **out, kh_error *err);

/* Opens an in-memory input; data must outlive the reader. `name` is used in
 * messages. */
kh_status kh_reader_open_memory(const void *data, size_t len, const char *name,
                                const kh_extract_options *opt, kh_reader **out,
                                kh_error *err);

/*
 * Reads the next article into *out (which must be initialised; its previous
 * content is cleared first).
 *   KH_OK    an article was read
 *   KH_END   the input is exhausted
 *   other    this record is bad: err says where (line, column, byte offset)
 *            and why. Call again to continue with the next record; after an
 *            error that ends the input (e.g. a truncated gzip stream) the
 *            next call returns KH_END.
 */
kh_status kh_reader_next(kh_reader *r, kh_article *out, kh_error *err);

/* The format chosen for this input (after auto-detection, which happens at
 * the first kh_reader_next). */
kh_format kh_reader_format(const kh_reader *r);

/* Records and members passed over so far because they are not articles:
 * WARC request/metadata records, non-HTML or non-200 responses, images and
 * stylesheets in an archive, empty or binary members. Not errors. */
unsigned long kh_reader_skipped(const kh_reader *r);

void kh_reader_close(kh_reader *r);

/* ------------------------------------------------------------------------ */
/* Analysis: normalisation, tokens with offsets, stopwords, stemming          */
/* (docs/analysis.md)                                                         */
/* ------------------------------------------------------------------------ */

/* One token. `term` points into the analyzer's own storage and stays valid
 * until the next kh_analyzer_next_token / kh_analyzer_start call. */
typedef struct kh_token {
    const char *term;           /* normalised (and stemmed) term, UTF-8, not NUL-terminated */
    size_t term_len;
    uint32_t position;          /* 0, 1, 2 ... counting every token, stopwords included */
    size_t start, end;          /* byte offsets of the original text: input[start..end) */
    int is_stopword;            /* 1: indexers skip it, but its position is kept */
} kh_token;

typedef struct kh_analyzer kh_analyzer;

/* Creates an analyzer. stemmer: "light" (khabar's guarded light stemmer),
 * "snowball" (Snowball's Arabic stemmer via libstemmer), "light10" (Larkey's
 * light10 exactly as Lucene's ArabicStemFilter does it), "none"
 * (normalisation only), or NULL for the default (KH_ANALYZER_DEFAULT_STEMMER,
 * chosen by measurement: docs/analysis.md). Fails with KH_ERR_ARGUMENT for an
 * unknown name (the message lists the known ones), KH_ERR_NOMEM. *out is owned
 * by the caller: kh_analyzer_free(). One analyzer is used by one thread at a
 * time; make one per thread. */
kh_status kh_analyzer_new(const char *stemmer, kh_analyzer **out, kh_error *err);

#define KH_ANALYZER_DEFAULT_STEMMER "light"

/* The stemmer names kh_analyzer_new accepts, NULL-terminated (static). */
const char *const *kh_analyzer_stemmers(void);

/* Frees the analyzer; NULL is allowed. Tokens read from it become invalid. */
void kh_analyzer_free(kh_analyzer *a);

/* Checks that text[0..len) is valid UTF-8, as kh_analyzer_start requires.
 * Returns KH_OK, or KH_ERR_UTF8 with a message giving the byte offset of the
 * first invalid sequence. (Given invalid bytes anyway, the analyzer does not
 * crash: it treats each invalid byte as a separator, like U+FFFD.) */
kh_status kh_analyzer_check_text(const char *text, size_t len, kh_error *err);

/* Name and version, stored by an index so that an index built with one
 * analyzer refuses to be searched with another. Owned by the analyzer. */
const char *kh_analyzer_id(const kh_analyzer *a);

/* Starts tokenizing text[0..len) (valid UTF-8; must stay alive while tokens
 * are read). Positions restart at 0. */
void kh_analyzer_start(kh_analyzer *a, const char *text, size_t len);

/* Reads the next token. Returns 1 and fills *tok, or 0 at the end. */
int kh_analyzer_next_token(kh_analyzer *a, kh_token *tok);

/* ------------------------------------------------------------------------ */
/* Index and search (docs/index.md, docs/search.md)                           */
/* ------------------------------------------------------------------------ */

/*
 * An index is a directory of immutable segments plus a manifest naming the
 * live ones. Any number of processes may read it; one process at a time may
 * write it (a lock file; a second writer gets KH_ERR_LOCKED). Readers see
 * the commit that was current when they opened (or last called
 * kh_index_reopen); a writer's own searches see its last commit, never its
 * uncommitted additions.
 *
 * A kh_index is used by one thread at a time.
 */
typedef struct kh_index kh_index;

typedef struct kh_index_options {
    int writable;               /* 1: take the writer lock (add/delete/commit/optimize) */
    int create;                 /* 1: create the directory and an empty index if absent */
    const char *stemmer;        /* analyzer for a new index (NULL: default); for an existing
                                 * index NULL means "whatever it was built with" and a
                                 * different name gives KH_ERR_MISMATCH */
    size_t ram_buffer_bytes;    /* writer: flush segments when buffered data exceed this;
                                 * 0 = default (256 MiB) */
    int threads;                /* writer: analysis threads; 0 = one per CPU this process may use
                                 * (kh_cpu_count, up to 4),
                                 * 1 = all in the caller's thread */
} kh_index_options;

/* Defaults: read-only, no create, default stemmer, 256 MiB, one thread per core. */
void kh_index_options_init(kh_index_options *opt);

/*
 * Opens the index in dir. Errors: KH_ERR_NOT_FOUND (no index there and not
 * create), KH_ERR_LOCKED (writable and another writer holds the lock),
 * KH_ERR_CORRUPT (a file failed its checksum or structure check; the message
 * names it), KH_ERR_MISMATCH (built by another analyzer or format version),
 * KH_ERR_IO. *out is owned by the caller: kh_index_close().
 */
kh_status kh_index_open(const char *dir, const kh_index_options *opt, kh_index **out,
                        kh_error *err);

/* Discards uncommitted changes, releases the lock, frees everything. */
void kh_index_close(kh_index *ix);

/* Reader: switches to the newest commit on disk (no-op when unchanged). */
kh_status kh_index_reopen(kh_index *ix, kh_error *err);

/*
 * Buffers an article for the next commit (writable index only). The article
 * must have an id (kh_article_finish gives it one). An article with the same
 * id already in the index, committed or buffered, is replaced at the commit.
 * The article is copied; the caller keeps ownership. Errors: KH_ERR_ARGUMENT
 * (read-only index, no id), KH_ERR_NOMEM, KH_ERR_IO (flushing a segment).
 */
kh_status kh_index_add(kh_index *ix, const kh_article *a, kh_error *err);

/* Deletes the article whose id or url is key (at the next commit). Sets
 * *deleted to the number of articles removed (0 when none matched). */
kh_status kh_index_delete(kh_index *ix, const char *key, size_t *deleted, kh_error *err);

/* Makes every change since the last commit durable and visible, atomically:
 * after a crash at any moment the index holds either the previous commit or
 * this one. May merge small segments. */
kh_status kh_index_commit(kh_index *ix, kh_error *err);

/* Commits, then merges every segment into one and drops deleted articles. */
kh_status kh_index_optimize(kh_index *ix, kh_error *err);

/* Fetches the stored article whose id or url is key into *out (initialised;
 * cleared first). KH_ERR_NOT_FOUND when there is none. */
kh_status kh_index_get(kh_index *ix, const char *key, kh_article *out, kh_error *err);

typedef struct kh_index_stats {
    uint64_t generation;        /* commit number */
    size_t articles;            /* live articles */
    size_t deleted;             /* deleted but not yet merged away */
    size_t segments;
    size_t terms;               /* sum over segments of distinct terms */
    uint64_t bytes_total;       /* every file of the index */
    uint64_t bytes_postings;    /* term dictionaries + postings + doc values */
    uint64_t bytes_stored;      /* compressed stored articles */
    char analyzer[128];         /* the analyzer id recorded in the manifest */
} kh_index_stats;

kh_status kh_index_stats_get(kh_index *ix, kh_index_stats *out, kh_error *err);

/*
 * Verifies every file of the index in dir: checksums of every section and
 * stored block, the structure of dictionaries and postings, and that the
 * manifest and the segments agree. Read-only; works while a writer runs.
 * KH_OK when everything is sound, else the first problem found (usually
 * KH_ERR_CORRUPT naming the file).
 */
kh_status kh_index_check(const char *dir, kh_error *err);

/* ---- search ------------------------------------------------------------ */

typedef enum kh_sort {
    KH_SORT_RELEVANCE = 0,
    KH_SORT_DATE = 1            /* newest first; undated articles last */
} kh_sort;

typedef struct kh_search_options {
    size_t limit;               /* hits to return (default 10) */
    size_t offset;              /* hits to skip, for paging (default 0) */
    kh_sort sort;
    int default_or;             /* 1: bare words are ORed instead of ANDed */
    const char *from, *to;      /* published range, inclusive: "YYYY-MM-DD" or ISO 8601; NULL = open */
    const char *source;         /* only articles of this source; NULL = all */
    int count_total;            /* 1 (default): `total` is exact. 0: stop counting when
                                 * the top hits are known; total is then a lower bound */
    int facets;                 /* 1 (default): compute facets (needs count_total) */
    int snippets;               /* 1 (default): cut highlighted snippets */
    size_t snippet_bytes;       /* target snippet length (default 240) */
    size_t facet_limit;         /* sources returned (default 20) */
    int relax;                  /* 1 (default): when fewer than offset + limit articles hold
                                 * every word of an AND query, complete the page with the
                                 * best articles holding some of them (kh_hit.partial) */
} kh_search_options;

void kh_search_options_init(kh_search_options *opt);

/* A highlighted span of a snippet: snippet[start..end) matched the query. */
typedef struct kh_highlight {
    size_t start, end;
} kh_highlight;

typedef struct kh_hit {
    char *id, *title, *source, *published, *url;   /* owned; NULL when absent */
    double score;
    char *snippet;              /* owned, cut from the stored text; NULL if not asked */
    kh_highlight *highlights;   /* owned; byte ranges within snippet, ascending */
    size_t n_highlights;
    int partial;                /* 1: holds only some of the words (see relax); such hits
                                 * follow every full match and are not counted in total */
} kh_hit;

typedef struct kh_facet {
    char *value;                /* owned: a source name, or a day "YYYY-MM-DD" */
    size_t count;
} kh_facet;

typedef struct kh_search_result {
    size_t total;               /* matching articles (a lower bound when !total_exact) */
    int total_exact;
    kh_hit *hits;
    size_t n_hits;
    kh_facet *by_source;        /* most frequent first */
    size_t n_by_source;
    kh_facet *by_day;           /* chronological */
    size_t n_by_day;
    char *note;                 /* owned; set when the query was degraded, e.g. "the query
                                 * holds only stopwords"; NULL otherwise */
} kh_search_result;

/*
 * Runs query (the language of docs/search.md) against the index's current
 * commit. opt may be NULL for defaults. *out is owned by the caller:
 * kh_search_result_free(). Errors: KH_ERR_PARSE (malformed query, the
 * message says where), KH_ERR_ARGUMENT (bad options, e.g. an invalid date),
 * KH_ERR_CORRUPT, KH_ERR_NOMEM. An empty or stopword-only query is not an
 * error: it matches nothing and sets `note`.
 */
kh_status kh_search(kh_index *ix, const char *query, const kh_search_options *opt,
                    kh_search_result **out, kh_error *err);

void kh_search_result_free(kh_search_result *r);

#ifdef __cplusplus
}
#endif

#endif /* KHABAR_H */
