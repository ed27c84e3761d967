/* index.h — the kh_index object, shared by lib/index and lib/search.
 *
 * An open index is its directory, the analyzer it was built with, and the
 * list of segments of its current commit. A writer adds a segment buffer
 * (segbuf.h) and, between commits, segments it flushed that no manifest
 * names yet (committed = 0); searches skip those and use each segment's
 * committed deletions only, so they always see exactly the last commit. */
#ifndef KH_INDEX_INDEX_H
#define KH_INDEX_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "index/manifest.h"
#include "index/segbuf.h"
#include "index/segment.h"
#include "index/workers.h"
#include "khabar.h"

#define KH_LOCK_FILE "LOCK"

struct kh_index {
    char dir[4096];
    int writable;
    int lock_fd;                    /* -1 for a reader */
    kh_analyzer *analyzer;
    char stemmer[64];
    char analyzer_id[128];
    uint64_t generation;
    uint64_t next_segment;
    kh_segment **segs;              /* committed ones first, in manifest order */
    size_t n_segs, cap_segs;
    kh_segbuf *buf;                 /* writer only; NULL until the first add */
    kh_workers *workers;            /* writer with threads > 1: they hold the buffers instead */
    size_t ram_limit;
    size_t adds_since_release;      /* kh_index_add calls since segment pages were given back */
    int dirty;                      /* changes since the last commit */
};

/* Shared by index.c and commit.c. */
void kh_index_close_segments(kh_index *ix);
kh_status kh_index_push_segment(kh_index *ix, kh_segment *s, kh_error *err);
/* Removes files no commit refers to (writer only). */
void kh_index_collect_garbage(kh_index *ix);

#endif
