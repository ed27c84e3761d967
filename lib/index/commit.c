/* commit.c — changing an index: adding and deleting articles, flushing
 * buffers into segments, committing, merging (docs/index.md: "A commit,
 * step by step"). Opening, reading and checking are in index.c. */
#include "index/index.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/file.h"
#include "index/merge.h"
#include "index/postings.h"
#include "util/error.h"

/* A commit that leaves more segments than this merges the smallest ones. */
#define MAX_SEGMENTS 10
/* Every this many adds, the pages of the segments' mappings are given
 * back (see release_lookup_pages). */
#define RELEASE_EVERY_ADDS 2048

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

/* kh_segment_each_key_doc's visit for deleting: marks doc pending and
 * counts it if it was not already. */
static int mark_key_doc(void *ctx, kh_segment *s, uint32_t doc)
{
    int r = mark_pending(s, doc);
    if (r < 0)
        return -1;
    *(size_t *)ctx += (size_t)r;
    return 0;
}

/* Deletes, in every segment (pending), the documents holding field+key (a
 * url is confirmed against the stored one: kh_segment_each_key_doc). */
static kh_status delete_term_in_segments(kh_index *ix, char field, const char *key, size_t *count,
                                         kh_error *err)
{
    size_t len = strlen(key);
    for (size_t i = 0; i < ix->n_segs; i++) {
        kh_status st = kh_segment_each_key_doc(ix->segs[i], field, key, len, 0, mark_key_doc, count, NULL, err);
        if (st != KH_OK)
            return st;
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
    kh_segment_drop_pages(s); /* what open's checks read: merge.h says why */
    s->committed = 0;
    s->pending = deleted;
    s->n_pending_deleted = (uint32_t)n_deleted;
    if ((st = kh_index_push_segment(ix, s, err)) != KH_OK)
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

/* Each add looks its id up in every segment (replace by id): a binary
 * search over the dictionary's blocks and a scan of one, in the mapped
 * file. Ids are random, so over many adds nearly every page of every
 * dictionary becomes resident in the writer, a share that grows with the
 * index (docs/index.md, "Scaling"). Giving the pages back now and then
 * (they stay in the page cache) keeps that share to what a few thousand
 * lookups touch; the next lookups fault the top of the search in again. */
static void release_lookup_pages(kh_index *ix)
{
    if (++ix->adds_since_release < RELEASE_EVERY_ADDS)
        return;
    ix->adds_since_release = 0;
    for (size_t i = 0; i < ix->n_segs; i++)
        kh_segment_drop_pages(ix->segs[i]);
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
    release_lookup_pages(ix);
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

/* Merges the segments picked[] into one at the postings level (merge.h):
 * nothing is analyzed again. The merged segment replaces them in ix->segs
 * (uncommitted). */
static kh_status merge_segments(kh_index *ix, const int *picked, kh_error *err)
{
    kh_segment **src = malloc((ix->n_segs + 1) * sizeof *src);
    if (!src)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < ix->n_segs; i++)
        if (picked[i])
            src[n++] = ix->segs[i];
    char name[32];
    snprintf(name, sizeof name, "seg_%06llu", (unsigned long long)ix->next_segment);
    uint32_t docs = 0;
    kh_status st = kh_merge_segments(ix->dir, name, src, n, &docs, err);
    free(src);
    kh_release_free_memory();
    kh_segment *merged = NULL;
    if (st == KH_OK && docs > 0) {
        ix->next_segment++;
        st = kh_segment_open(ix->dir, name, 0, &merged, err);
        if (st == KH_OK)
            kh_segment_drop_pages(merged);
    }
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
    kh_index_collect_garbage(ix);
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

/* Merges one adjacent run of segments, long enough to leave at most
 * MAX_SEGMENTS, chosen for the fewest live articles rewritten per segment it
 * removes. Adjacent, as Lucene's log merge policy does: the merged segment
 * takes the run's place, so articles keep the order they were added in
 * whatever merges happened, and equal scores are ranked the same way as in
 * an index built in one go (tests/cli/test_merge.sh relies on it). The cost
 * per segment removed favours a long run of small, recent segments over a
 * run that includes a large one, so a large segment is rewritten rarely
 * (a fixed run of n/2 + 1 always included the largest: bench/scale.sh). */
static kh_status merge_smallest(kh_index *ix, kh_error *err)
{
    size_t min_run = ix->n_segs - MAX_SEGMENTS + 1, best = 0, run = ix->n_segs;
    double best_cost = -1;
    for (size_t len = min_run < 2 ? 2 : min_run; len <= ix->n_segs; len++)
        for (size_t i = 0; i + len <= ix->n_segs; i++) {
            double live = 0;
            for (size_t j = i; j < i + len; j++)
                live += (double)live_docs(ix->segs[j]);
            double cost = live / (double)(len - 1);
            if (best_cost < 0 || cost < best_cost) {
                best_cost = cost;
                best = i;
                run = len;
            }
        }
    int *picked = calloc(ix->n_segs, sizeof *picked);
    if (!picked)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    for (size_t i = best; i < best + run; i++)
        picked[i] = 1;
    kh_status st = merge_segments(ix, picked, err);
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
