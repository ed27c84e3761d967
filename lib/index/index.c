/* index.c — opening an index (the lock, the manifest, its segments), reopening,
 * closing, and reading: stored articles, statistics, checking. Changing it is
 * in commit.c (see khabar.h and docs/index.md). */
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
/* How often a reader retries when a commit replaced files under it. */
#define OPEN_RETRIES 20

void kh_index_options_init(kh_index_options *opt)
{
    memset(opt, 0, sizeof *opt);
}

void kh_index_close_segments(kh_index *ix)
{
    for (size_t i = 0; i < ix->n_segs; i++)
        kh_segment_close(ix->segs[i]);
    ix->n_segs = 0;
}

kh_status kh_index_push_segment(kh_index *ix, kh_segment *s, kh_error *err)
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
    kh_index_close_segments(ix);
    for (size_t i = 0; i < m->n_segments; i++) {
        kh_segment *s;
        kh_status st = kh_segment_open(ix->dir, m->segments[i].name, m->segments[i].del_gen, &s, err);
        if (st == KH_OK && s->n_docs != m->segments[i].docs) {
            st = kh_fail(err, KH_ERR_CORRUPT, "%s.kseg: holds %u articles, the manifest says %u",
                         s->name, s->n_docs, m->segments[i].docs);
            kh_segment_close(s);
        }
        if (st == KH_OK && (st = kh_index_push_segment(ix, s, err)) != KH_OK)
            kh_segment_close(s);
        if (st != KH_OK) {
            kh_index_close_segments(ix);
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
void kh_index_collect_garbage(kh_index *ix)
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
        n = (long)kh_cpu_count();
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
        kh_index_collect_garbage(ix);
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
        kh_index_collect_garbage(ix);
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
    kh_index_close_segments(ix);
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
        kh_index_close_segments(&tmp);
        free(tmp.segs);
        return st;
    }
    kh_manifest_free(&m);
    kh_index_close_segments(ix);
    free(ix->segs);
    ix->segs = tmp.segs;
    ix->n_segs = tmp.n_segs;
    ix->cap_segs = tmp.cap_segs;
    ix->generation = tmp.generation;
    ix->next_segment = tmp.next_segment;
    return KH_OK;
}

/* kh_segment_each_key_doc's visit for a lookup: the first live match. */
static int take_first(void *ctx, kh_segment *s, uint32_t doc)
{
    (void)s;
    *(uint32_t *)ctx = doc;
    return 1;
}

kh_status kh_index_get(kh_index *ix, const char *key, kh_article *out, kh_error *err)
{
    if (!ix || !key || !out)
        return kh_fail(err, KH_ERR_ARGUMENT, "no index, key or article");
    size_t len = strlen(key);
    static const char fields[2] = {KH_FIELD_ID, KH_FIELD_URL};
    for (int f = 0; f < 2; f++) {
        /* newest segments first: they hold the latest version */
        for (size_t i = ix->n_segs; i-- > 0;) {
            kh_segment *s = ix->segs[i];
            if (!s->committed)
                continue;
            uint32_t doc;
            int stopped;
            kh_status st = kh_segment_each_key_doc(s, fields[f], key, len, 1, take_first, &doc, &stopped, err);
            if (st != KH_OK)
                return st;
            if (stopped)
                return kh_segment_get_article(s, doc, out, err);
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
