/* index.c — opening, writing and committing an index (see khabar.h and
 * docs/index.md). */
#include "index/index.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/file.h"
#include "index/postings.h"
#include "util/error.h"

#define DEFAULT_RAM (256u << 20)
/* A commit that leaves more segments than this merges the smallest ones. */
#define MAX_SEGMENTS 10
/* How often a reader retries when a commit replaced files under it. */
#define OPEN_RETRIES 20

void kh_index_options_init(kh_index_options *opt)
{
    memset(opt, 0, sizeof *opt);
}

static void close_segments(kh_index *ix)
{
    for (size_t i = 0; i < ix->n_segs; i++)
        kh_segment_close(ix->segs[i]);
    ix->n_segs = 0;
}

static kh_status push_segment(kh_index *ix, kh_segment *s, kh_error *err)
{
    if (ix->n_segs == ix->cap_segs) {
        size_t cap = ix->cap_segs ? ix->cap_segs * 2 : 16;
        kh_segment **p = realloc(ix->segs, cap * sizeof *p);
        if (!p)
            return kh_fail(err, KH_ERR_NOMEM, "out of memory");
        ix->segs = p;
        ix->cap_segs = cap;
    }
    ix->segs[ix->n_segs++] = s;
    return KH_OK;
}

/* Opens the segments m names. KH_ERR_NOT_FOUND means a file vanished (a
 * writer committed meanwhile): the caller rereads the manifest. */
static kh_status load_segments(kh_index *ix, const kh_manifest *m, kh_error *err)
{
    close_segments(ix);
    for (size_t i = 0; i < m->n_segments; i++) {
        kh_segment *s;
        kh_status st = kh_segment_open(ix->dir, m->segments[i].name, m->segments[i].del_gen, &s, err);
        if (st == KH_OK && s->n_docs != m->segments[i].docs) {
            st = kh_fail(err, KH_ERR_CORRUPT, "%s.kseg: holds %u articles, the manifest says %u",
                         s->name, s->n_docs, m->segments[i].docs);
            kh_segment_close(s);
        }
        if (st == KH_OK && (st = push_segment(ix, s, err)) != KH_OK)
            kh_segment_close(s);
        if (st != KH_OK) {
            close_segments(ix);
            return st;
        }
    }
    ix->generation = m->generation;
    ix->next_segment = m->next_segment;
    return KH_OK;
}

/* Reads the manifest and opens its segments, retrying while commits by a
 * concurrent writer remove files between the two steps. */
static kh_status load_commit(kh_index *ix, kh_manifest *m, kh_error *err)
{
    kh_status st = KH_OK;
    for (int attempt = 0; attempt < OPEN_RETRIES; attempt++) {
        st = kh_manifest_read(ix->dir, m, err);
        if (st != KH_OK)
            return st;
        kh_error e;
        kh_error_clear(&e);
        st = load_segments(ix, m, &e);
        if (st == KH_ERR_NOT_FOUND && (ix->writable || attempt == OPEN_RETRIES - 1))
            st = kh_fail(&e, KH_ERR_CORRUPT, "%s: a file named by the manifest is missing (%s)",
                         ix->dir, e.message);
        if (st != KH_ERR_NOT_FOUND) {
            if (st != KH_OK) {
                kh_manifest_free(m);
                if (err)
                    *err = e;
            }
            return st;
        }
        kh_manifest_free(m);
        usleep(1000u << (attempt < 6 ? attempt : 6));
    }
    return st;
}

static int file_is_referenced(const kh_index *ix, const char *name)
{
    for (size_t i = 0; i < ix->n_segs; i++) {
        const kh_segment *s = ix->segs[i];
        size_t n = strlen(s->name);
        if (strncmp(name, s->name, n) != 0)
            continue;
        if (!strcmp(name + n, ".kseg"))
            return 1;
        char del[48];
        snprintf(del, sizeof del, ".del.%llu", (unsigned long long)s->del_gen);
        if (s->del_gen > 0 && !strcmp(name + n, del))
            return 1;
    }
    return 0;
}

/* Removes segment and deletion files no commit refers to any more: those
 * replaced by a merge or a newer deletion generation, and the leftovers of a
 * writer that crashed. Readers that still have them mapped are unaffected. */
static void collect_garbage(kh_index *ix)
{
    DIR *d = opendir(ix->dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int ours = !strncmp(e->d_name, "seg_", 4) || !strcmp(e->d_name, KH_MANIFEST_FILE ".tmp");
        if (!ours || file_is_referenced(ix, e->d_name))
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", ix->dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

static kh_status new_analyzer(kh_index *ix, const char *stemmer, kh_error *err)
{
    kh_status st = kh_analyzer_new(stemmer && *stemmer ? stemmer : NULL, &ix->analyzer, err);
    if (st != KH_OK)
        return st;
    snprintf(ix->stemmer, sizeof ix->stemmer, "%s", stemmer ? stemmer : "");
    snprintf(ix->analyzer_id, sizeof ix->analyzer_id, "%s", kh_analyzer_id(ix->analyzer));
    return KH_OK;
}

static kh_status take_lock(kh_index *ix, kh_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", ix->dir, KH_LOCK_FILE);
    ix->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (ix->lock_fd < 0)
        return kh_fail(err, KH_ERR_IO, "%s: cannot open the lock file: %s", path, strerror(errno));
    if (flock(ix->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(ix->lock_fd);
        ix->lock_fd = -1;
        if (e == EWOULDBLOCK)
            return kh_fail(err, KH_ERR_LOCKED,
                           "%s: another process is writing this index (it holds %s); "
                           "wait for it to finish — readers may search meanwhile",
                           ix->dir, KH_LOCK_FILE);
        return kh_fail(err, KH_ERR_IO, "%s: cannot lock: %s", path, strerror(e));
    }
    return KH_OK;
}

/* threads > 1 (or 0 = as many as there are cores, up to 4) runs analysis on
 * worker threads (workers.h); 1 indexes in the caller's thread. */
static kh_status start_workers(kh_index *ix, const kh_index_options *opt, kh_error *err)
{
    long n = opt->threads;
    if (n == 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n > 4)
            n = 4;
    }
    if (n <= 1)
        return KH_OK;
    return kh_workers_start((size_t)n, ix->stemmer, &ix->workers, err);
}

kh_status kh_index_open(const char *dir, const kh_index_options *opt, kh_index **out,
                        kh_error *err)
{
    *out = NULL;
    kh_index_options defaults;
    if (!opt) {
        kh_index_options_init(&defaults);
        opt = &defaults;
    }
    if (!dir || !*dir)
        return kh_fail(err, KH_ERR_ARGUMENT, "no index directory given");
    if (opt->create && !opt->writable)
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: creating an index needs a writable open", dir);
    kh_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    ix->lock_fd = -1;
    ix->writable = opt->writable;
    ix->ram_limit = opt->ram_buffer_bytes ? opt->ram_buffer_bytes : DEFAULT_RAM;
    if (snprintf(ix->dir, sizeof ix->dir, "%s", dir) >= (int)sizeof ix->dir) {
        free(ix);
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: path too long", dir);
    }
    kh_status st = KH_OK;
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT || !opt->create) {
            st = errno == ENOENT ? kh_fail(err, KH_ERR_NOT_FOUND, "%s: no such index directory", dir)
                                 : kh_fail(err, KH_ERR_IO, "%s: %s", dir, strerror(errno));
            goto fail;
        }
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
            st = kh_fail(err, KH_ERR_IO, "%s: cannot create directory: %s", dir, strerror(errno));
            goto fail;
        }
    } else if (!S_ISDIR(sb.st_mode)) {
        st = kh_fail(err, KH_ERR_ARGUMENT, "%s: not a directory", dir);
        goto fail;
    }
    if (ix->writable && (st = take_lock(ix, err)) != KH_OK)
        goto fail;

    kh_manifest m;
    st = load_commit(ix, &m, err);
    if (st == KH_ERR_NOT_FOUND && opt->create) {
        /* a new index starts with an empty commit: a crash before the
         * first batch still leaves a valid, empty index */
        if ((st = new_analyzer(ix, opt->stemmer, err)) != KH_OK)
            goto fail;
        memset(&m, 0, sizeof m);
        m.generation = 1;
        m.next_segment = 1;
        snprintf(m.stemmer, sizeof m.stemmer, "%s", ix->stemmer);
        snprintf(m.analyzer, sizeof m.analyzer, "%s", ix->analyzer_id);
        if ((st = kh_manifest_write(dir, &m, err)) != KH_OK)
            goto fail;
        ix->generation = 1;
        ix->next_segment = 1;
        collect_garbage(ix);
        if ((st = start_workers(ix, opt, err)) != KH_OK)
            goto fail;
        *out = ix;
        return KH_OK;
    }
    if (st != KH_OK)
        goto fail;
    const char *want = opt->stemmer ? opt->stemmer : m.stemmer;
    if (opt->stemmer && strcmp(opt->stemmer, m.stemmer) != 0) {
        st = kh_fail(err, KH_ERR_MISMATCH, "%s: the index was built with stemmer '%s', not '%s'", dir,
                     m.stemmer[0] ? m.stemmer : "default", opt->stemmer);
        kh_manifest_free(&m);
        goto fail;
    }
    st = new_analyzer(ix, want, err);
    if (st == KH_OK && strcmp(ix->analyzer_id, m.analyzer) != 0)
        st = kh_fail(err, KH_ERR_MISMATCH,
                     "%s: the index was built by analyzer '%s', this build has '%s': rebuild the index",
                     dir, m.analyzer, ix->analyzer_id);
    kh_manifest_free(&m);
    if (st != KH_OK)
        goto fail;
    if (ix->writable)
        collect_garbage(ix);
    if (ix->writable && (st = start_workers(ix, opt, err)) != KH_OK)
        goto fail;
    *out = ix;
    return KH_OK;
fail:
    kh_index_close(ix);
    return st;
}

void kh_index_close(kh_index *ix)
{
    if (!ix)
        return;
    /* segments flushed after the last commit are not part of the index */
    for (size_t i = 0; i < ix->n_segs; i++) {
        if (!ix->segs[i]->committed) {
            char path[4200];
            snprintf(path, sizeof path, "%s/%s.kseg", ix->dir, ix->segs[i]->name);
            unlink(path);
        }
    }
    kh_workers_free(ix->workers);
    close_segments(ix);
    free(ix->segs);
    kh_segbuf_free(ix->buf);
    kh_analyzer_free(ix->analyzer);
    if (ix->lock_fd >= 0)
        close(ix->lock_fd); /* releases the flock */
    free(ix);
}

kh_status kh_index_reopen(kh_index *ix, kh_error *err)
{
    if (!ix)
        return kh_fail(err, KH_ERR_ARGUMENT, "no index");
    if (ix->writable)
        return KH_OK; /* a writer's view is its own last commit */
    kh_manifest m;
    kh_status st = kh_manifest_read(ix->dir, &m, err);
    if (st != KH_OK)
        return st;
    uint64_t gen = m.generation;
    int same_analyzer = !strcmp(m.analyzer, ix->analyzer_id);
    kh_manifest_free(&m);
    if (gen == ix->generation)
        return KH_OK;
    if (!same_analyzer)
        return kh_fail(err, KH_ERR_MISMATCH, "%s: the index was rebuilt by another analyzer", ix->dir);
    /* open the new commit beside the old one, then swap */
    kh_index tmp = *ix;
    tmp.segs = NULL;
    tmp.n_segs = tmp.cap_segs = 0;
    st = load_commit(&tmp, &m, err);
    if (st != KH_OK) {
        close_segments(&tmp);
        free(tmp.segs);
        return st;
    }
    kh_manifest_free(&m);
    close_segments(ix);
    free(ix->segs);
    ix->segs = tmp.segs;
    ix->n_segs = tmp.n_segs;
    ix->cap_segs = tmp.cap_segs;
    ix->generation = tmp.generation;
    ix->next_segment = tmp.next_segment;
    return KH_OK;
}

/* ---- writing ---- */

static int mark_pending(kh_segment *s, uint32_t doc)
{
    size_t n = (s->n_docs + 7) / 8;
    if (!s->pending) {
        s->pending = calloc(n ? n : 1, 1);
        if (!s->pending)
            return -1;
        if (s->del)
            memcpy(s->pending, s->del, n);
        s->n_pending_deleted = s->n_deleted;
    }
    if (!(s->pending[doc >> 3] >> (doc & 7) & 1)) {
        s->pending[doc >> 3] |= (uint8_t)(1u << (doc & 7));
        s->n_pending_deleted++;
        return 1;
    }
    return 0;
}

/* Deletes, in every segment (pending), the documents holding term. */
static kh_status delete_term_in_segments(kh_index *ix, char field, const char *key, size_t *count,
                                         kh_error *err)
{
    char term[1024];
    size_t len = strlen(key);
    if (len + 1 > sizeof term)
        return KH_OK; /* longer than anything indexed (terms are cut at 255 bytes) */
    term[0] = field;
    memcpy(term + 1, key, len);
    for (size_t i = 0; i < ix->n_segs; i++) {
        kh_segment *s = ix->segs[i];
        const unsigned char *p;
        size_t plen;
        uint32_t df;
        int found = kh_segment_lookup(s, term, len + 1, &df, &p, &plen);
        if (found < 0)
            return kh_fail(err, KH_ERR_CORRUPT, "%s: term dictionary damaged", s->file.name);
        if (!found)
            continue;
        kh_postings c;
        if (kh_postings_init(&c, p, plen, df, s->n_docs) != 0)
            return kh_fail(err, KH_ERR_CORRUPT, "%s: postings damaged", s->file.name);
        uint32_t d;
        while ((d = kh_postings_next(&c)) != KH_NO_DOC) {
            int r = mark_pending(s, d);
            if (r < 0)
                return kh_fail(err, KH_ERR_NOMEM, "out of memory");
            *count += (size_t)r;
        }
        if (c.bad)
            return kh_fail(err, KH_ERR_CORRUPT, "%s: postings damaged", s->file.name);
    }
    return KH_OK;
}

/* Opens a segment a flush just wrote and appends it, uncommitted, with the
 * deletions of its buffered articles as pending. Takes `deleted`. */
static kh_status adopt_segment(kh_index *ix, const char *name, uint8_t *deleted, size_t n_deleted,
                               kh_error *err)
{
    kh_segment *s;
    kh_status st = kh_segment_open(ix->dir, name, 0, &s, err);
    if (st != KH_OK) {
        free(deleted);
        return st;
    }
    s->committed = 0;
    s->pending = deleted;
    s->n_pending_deleted = (uint32_t)n_deleted;
    if ((st = push_segment(ix, s, err)) != KH_OK)
        kh_segment_close(s);
    return st;
}

static kh_status flush_workers(kh_index *ix, kh_error *err)
{
    size_t n = kh_workers_count(ix->workers), got = 0;
    kh_flushed *f = calloc(n, sizeof *f);
    if (!f)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    kh_status st = kh_workers_flush(ix->workers, ix->dir, &ix->next_segment, f, &got, err);
    for (size_t i = 0; i < got; i++) {
        if (st == KH_OK)
            st = adopt_segment(ix, f[i].name, f[i].deleted, f[i].n_deleted, err);
        else
            free(f[i].deleted);
    }
    free(f);
    return st;
}

static kh_status flush_buffer(kh_index *ix, kh_error *err)
{
    if (ix->workers)
        return flush_workers(ix, err);
    if (!ix->buf || kh_segbuf_docs(ix->buf) == 0)
        return KH_OK;
    char name[32];
    snprintf(name, sizeof name, "seg_%06llu", (unsigned long long)ix->next_segment);
    uint8_t *deleted = NULL;
    kh_status st = kh_segbuf_write(ix->buf, ix->dir, name, &deleted, err);
    if (st != KH_OK)
        return st;
    ix->next_segment++;
    if ((st = adopt_segment(ix, name, deleted, kh_segbuf_deleted(ix->buf), err)) != KH_OK)
        return st;
    kh_segbuf_free(ix->buf);
    ix->buf = NULL;
    return KH_OK;
}

kh_status kh_index_add(kh_index *ix, const kh_article *a, kh_error *err)
{
    if (!ix || !a)
        return kh_fail(err, KH_ERR_ARGUMENT, "no index or article");
    if (!ix->writable)
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: opened read-only", ix->dir);
    if (!a->id || !*a->id)
        return kh_fail(err, KH_ERR_ARGUMENT, "article has no id (call kh_article_finish)");
    size_t n = 0;
    kh_status st = delete_term_in_segments(ix, KH_FIELD_ID, a->id, &n, err);
    if (st != KH_OK)
        return st;
    if (ix->workers) {
        if ((st = kh_workers_add(ix->workers, a, err)) != KH_OK)
            return st;
        ix->dirty = 1;
        if (kh_workers_bytes(ix->workers) >= ix->ram_limit)
            return flush_buffer(ix, err);
        return KH_OK;
    }
    if (!ix->buf && !(ix->buf = kh_segbuf_new()))
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    kh_segbuf_delete_term(ix->buf, KH_FIELD_ID, a->id, strlen(a->id));
    if ((st = kh_segbuf_add(ix->buf, ix->analyzer, a, err)) != KH_OK)
        return st;
    ix->dirty = 1;
    if (kh_segbuf_bytes(ix->buf) >= ix->ram_limit)
        return flush_buffer(ix, err);
    return KH_OK;
}

kh_status kh_index_delete(kh_index *ix, const char *key, size_t *deleted, kh_error *err)
{
    if (deleted)
        *deleted = 0;
    if (!ix || !key)
        return kh_fail(err, KH_ERR_ARGUMENT, "no index or key");
    if (!ix->writable)
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: opened read-only", ix->dir);
    size_t n = 0;
    kh_status st = delete_term_in_segments(ix, KH_FIELD_ID, key, &n, err);
    if (st == KH_OK)
        st = delete_term_in_segments(ix, KH_FIELD_URL, key, &n, err);
    if (st != KH_OK)
        return st;
    if (ix->buf) {
        n += kh_segbuf_delete_term(ix->buf, KH_FIELD_ID, key, strlen(key));
        n += kh_segbuf_delete_term(ix->buf, KH_FIELD_URL, key, strlen(key));
    }
    if (ix->workers) {
        n += kh_workers_delete_term(ix->workers, KH_FIELD_ID, key, strlen(key));
        n += kh_workers_delete_term(ix->workers, KH_FIELD_URL, key, strlen(key));
    }
    if (n)
        ix->dirty = 1;
    if (deleted)
        *deleted = n;
    return KH_OK;
}

/* Writes the manifest of the current segment list as generation + 1. */
static kh_status write_manifest(kh_index *ix, kh_error *err)
{
    kh_manifest m;
    memset(&m, 0, sizeof m);
    m.generation = ix->generation + 1;
    m.next_segment = ix->next_segment;
    snprintf(m.stemmer, sizeof m.stemmer, "%s", ix->stemmer);
    snprintf(m.analyzer, sizeof m.analyzer, "%s", ix->analyzer_id);
    m.segments = calloc(ix->n_segs + 1, sizeof *m.segments);
    if (!m.segments)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < ix->n_segs; i++) {
        snprintf(m.segments[i].name, sizeof m.segments[i].name, "%s", ix->segs[i]->name);
        m.segments[i].docs = ix->segs[i]->n_docs;
        m.segments[i].del_gen = ix->segs[i]->del_gen;
    }
    m.n_segments = ix->n_segs;
    kh_status st = kh_manifest_write(ix->dir, &m, err);
    kh_manifest_free(&m);
    if (st == KH_OK)
        ix->generation++;
    return st;
}

/* Rebuilds the segments picked[] into one: their live articles are read
 * back from the stored records and analyzed again. Simple, and the stored
 * records are the source of truth; docs/index.md discusses the cost. The
 * merged segment replaces them in ix->segs (uncommitted). */
static kh_status merge_segments(kh_index *ix, const int *picked, kh_error *err)
{
    kh_segbuf *buf = kh_segbuf_new();
    if (!buf)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    kh_article a;
    kh_article_init(&a);
    kh_status st = KH_OK;
    for (size_t i = 0; i < ix->n_segs && st == KH_OK; i++) {
        if (!picked[i])
            continue;
        kh_segment *s = ix->segs[i];
        for (uint32_t d = 0; d < s->n_docs && st == KH_OK; d++) {
            if (kh_segment_is_deleted(s, d))
                continue;
            st = kh_segment_get_article(s, d, &a, err);
            if (st == KH_OK)
                st = kh_segbuf_add(buf, ix->analyzer, &a, err);
        }
    }
    kh_article_clear(&a);
    if (st != KH_OK) {
        kh_segbuf_free(buf);
        return st;
    }
    kh_segment *merged = NULL;
    if (kh_segbuf_docs(buf) > 0) {
        char name[32];
        snprintf(name, sizeof name, "seg_%06llu", (unsigned long long)ix->next_segment);
        uint8_t *deleted = NULL;
        st = kh_segbuf_write(buf, ix->dir, name, &deleted, err);
        free(deleted); /* nothing deleted: every article read was live */
        if (st == KH_OK) {
            ix->next_segment++;
            st = kh_segment_open(ix->dir, name, 0, &merged, err);
        }
    }
    kh_segbuf_free(buf);
    if (st != KH_OK)
        return st;
    size_t w = 0;
    int placed = 0;
    for (size_t i = 0; i < ix->n_segs; i++) {
        if (!picked[i]) {
            ix->segs[w++] = ix->segs[i];
            continue;
        }
        kh_segment_close(ix->segs[i]);
        if (!placed && merged) {
            merged->committed = 0;
            ix->segs[w++] = merged;
        }
        placed = 1;
    }
    ix->n_segs = w;
    return KH_OK;
}

/* Makes pending deletions and flushed segments part of a new commit. */
static kh_status publish(kh_index *ix, kh_error *err)
{
    for (size_t i = 0; i < ix->n_segs; i++) {
        kh_segment *s = ix->segs[i];
        if (!s->pending)
            continue;
        kh_status st = kh_segment_write_deletions(ix->dir, s, s->del_gen + 1, err);
        if (st != KH_OK)
            return st;
    }
    kh_status st = kh_fsync_dir(ix->dir, err);
    if (st != KH_OK)
        return st;
    /* the manifest refers to the new deletion generations */
    for (size_t i = 0; i < ix->n_segs; i++)
        if (ix->segs[i]->pending)
            ix->segs[i]->del_gen++;
    st = write_manifest(ix, err);
    if (st != KH_OK) {
        for (size_t i = 0; i < ix->n_segs; i++)
            if (ix->segs[i]->pending)
                ix->segs[i]->del_gen--;
        return st;
    }
    for (size_t i = 0; i < ix->n_segs; i++) {
        kh_segment *s = ix->segs[i];
        s->committed = 1;
        if (s->pending) {
            free(s->del);
            s->del = s->pending;
            s->pending = NULL;
            s->n_deleted = s->n_pending_deleted;
        }
    }
    ix->dirty = 0;
    collect_garbage(ix);
    return KH_OK;
}

static size_t live_docs(const kh_segment *s)
{
    uint32_t del = s->pending ? s->n_pending_deleted : s->n_deleted;
    return s->n_docs - del;
}

static kh_status merge_smallest(kh_index *ix, kh_error *err);

kh_status kh_index_commit(kh_index *ix, kh_error *err)
{
    if (!ix)
        return kh_fail(err, KH_ERR_ARGUMENT, "no index");
    if (!ix->writable)
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: opened read-only", ix->dir);
    if (!ix->dirty)
        return KH_OK;
    kh_status st = flush_buffer(ix, err);
    if (st != KH_OK)
        return st;
    /* drop segments whose every article is deleted */
    size_t w = 0;
    for (size_t i = 0; i < ix->n_segs; i++) {
        if (live_docs(ix->segs[i]) == 0)
            kh_segment_close(ix->segs[i]);
        else
            ix->segs[w++] = ix->segs[i];
    }
    ix->n_segs = w;
    st = publish(ix, err);
    /* too many segments: merge the smallest half into one, as another commit */
    while (st == KH_OK && ix->n_segs > MAX_SEGMENTS)
        st = merge_smallest(ix, err);
    return st;
}

static kh_status merge_smallest(kh_index *ix, kh_error *err)
{
    kh_status st;
    int *picked = calloc(ix->n_segs, sizeof *picked);
    size_t *order = malloc(ix->n_segs * sizeof *order);
    if (!picked || !order) {
        free(picked);
        free(order);
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < ix->n_segs; i++)
        order[i] = i;
    for (size_t i = 1; i < ix->n_segs; i++) /* insertion sort by live size */
        for (size_t j = i; j > 0 && live_docs(ix->segs[order[j]]) < live_docs(ix->segs[order[j - 1]]); j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (size_t i = 0; i < ix->n_segs / 2 + 1; i++)
        picked[order[i]] = 1;
    free(order);
    st = merge_segments(ix, picked, err);
    free(picked);
    if (st == KH_OK)
        st = publish(ix, err);
    return st;
}

kh_status kh_index_optimize(kh_index *ix, kh_error *err)
{
    kh_status st = kh_index_commit(ix, err);
    if (st != KH_OK)
        return st;
    size_t deleted = 0;
    for (size_t i = 0; i < ix->n_segs; i++)
        deleted += ix->segs[i]->n_deleted;
    if (ix->n_segs <= 1 && deleted == 0)
        return KH_OK;
    int *picked = calloc(ix->n_segs + 1, sizeof *picked);
    if (!picked)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < ix->n_segs; i++)
        picked[i] = 1;
    st = merge_segments(ix, picked, err);
    free(picked);
    if (st == KH_OK)
        st = publish(ix, err);
    return st;
}

/* ---- reading ---- */

kh_status kh_index_get(kh_index *ix, const char *key, kh_article *out, kh_error *err)
{
    if (!ix || !key || !out)
        return kh_fail(err, KH_ERR_ARGUMENT, "no index, key or article");
    const char fields[2] = {KH_FIELD_ID, KH_FIELD_URL};
    char term[1024];
    size_t len = strlen(key);
    if (len + 1 > sizeof term)
        return kh_fail(err, KH_ERR_NOT_FOUND, "no article with that id or url");
    memcpy(term + 1, key, len);
    for (int f = 0; f < 2; f++) {
        term[0] = fields[f];
        /* newest segments first: they hold the latest version */
        for (size_t i = ix->n_segs; i-- > 0;) {
            kh_segment *s = ix->segs[i];
            if (!s->committed)
                continue;
            const unsigned char *p;
            size_t plen;
            uint32_t df;
            int found = kh_segment_lookup(s, term, len + 1, &df, &p, &plen);
            if (found < 0)
                return kh_fail(err, KH_ERR_CORRUPT, "%s: term dictionary damaged", s->file.name);
            if (!found)
                continue;
            kh_postings c;
            if (kh_postings_init(&c, p, plen, df, s->n_docs) != 0)
                return kh_fail(err, KH_ERR_CORRUPT, "%s: postings damaged", s->file.name);
            uint32_t d;
            while ((d = kh_postings_next(&c)) != KH_NO_DOC)
                if (!kh_segment_is_deleted(s, d))
                    return kh_segment_get_article(s, d, out, err);
        }
    }
    return kh_fail(err, KH_ERR_NOT_FOUND, "no article with id or url '%s'", key);
}

static uint64_t file_size(const char *dir, const char *name)
{
    char path[4400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

kh_status kh_index_stats_get(kh_index *ix, kh_index_stats *out, kh_error *err)
{
    if (!ix || !out)
        return kh_fail(err, KH_ERR_ARGUMENT, "no index or stats");
    memset(out, 0, sizeof *out);
    out->generation = ix->generation;
    snprintf(out->analyzer, sizeof out->analyzer, "%s", ix->analyzer_id);
    out->bytes_total = file_size(ix->dir, KH_MANIFEST_FILE);
    for (size_t i = 0; i < ix->n_segs; i++) {
        kh_segment *s = ix->segs[i];
        if (!s->committed)
            continue;
        out->segments++;
        out->articles += s->n_docs - s->n_deleted;
        out->deleted += s->n_deleted;
        out->terms += s->n_terms;
        out->bytes_total += s->file.len;
        for (uint32_t k = 0; k < s->file.n; k++) {
            uint32_t id = s->file.toc[k].id;
            if (id == KH_SEC_STOR || id == KH_SEC_STIX || id == KH_SEC_SMIX || id == KH_SEC_SMRY)
                out->bytes_stored += s->file.toc[k].len;
            else
                out->bytes_postings += s->file.toc[k].len;
        }
        if (s->del_gen) {
            char name[64];
            snprintf(name, sizeof name, "%s.del.%llu", s->name, (unsigned long long)s->del_gen);
            out->bytes_total += file_size(ix->dir, name);
        }
    }
    return KH_OK;
}

kh_status kh_index_check(const char *dir, kh_error *err)
{
    kh_index_options opt;
    kh_index_options_init(&opt);
    kh_index *ix;
    kh_status st = kh_index_open(dir, &opt, &ix, err);
    if (st != KH_OK)
        return st;
    for (size_t i = 0; i < ix->n_segs && st == KH_OK; i++)
        st = kh_segment_check(ix->segs[i], err);
    kh_index_close(ix);
    return st;
}
