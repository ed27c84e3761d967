/* workers.h — indexing on several cores.
 *
 * With threads > 1 a writer hands each added article to one of N worker
 * threads, each with its own analyzer and its own in-memory segment
 * (segbuf.h); analysis and inversion, the bulk of indexing, then run in
 * parallel while the caller reads the next input. An article goes to the
 * worker chosen by a hash of its id, so a re-added id always meets its
 * earlier buffered copy in the same buffer and replaces it there.
 *
 * The caller's thread keeps everything else: the segment list, deletions in
 * flushed segments, commits. It talks to the workers only at barriers —
 * before a flush, a delete, a commit or close — when every queue is drained
 * and every worker idle, so no segment or buffer is ever shared while in
 * use. Each flush writes one segment per worker, in parallel. */
#ifndef KH_INDEX_WORKERS_H
#define KH_INDEX_WORKERS_H

#include <stddef.h>
#include <stdint.h>

#include "khabar.h"

typedef struct kh_workers kh_workers;

/* Starts n workers, each with an analyzer for stemmer. */
kh_status kh_workers_start(size_t n, const char *stemmer, kh_workers **out, kh_error *err);
/* Stops and frees them; buffered articles are dropped. NULL is fine. */
void kh_workers_free(kh_workers *w);

/* Queues a copy of a (must have an id). Blocks while that worker's queue is
 * full. Fails only with KH_ERR_NOMEM, or with a worker's earlier failure. */
kh_status kh_workers_add(kh_workers *w, const kh_article *a, kh_error *err);

/* Memory held by the workers' buffers (approximate, bytes). */
size_t kh_workers_bytes(kh_workers *w);

/* Waits for every queue to drain, then deletes the buffered articles
 * holding field+key (see kh_segbuf_delete_term); returns how many. */
size_t kh_workers_delete_term(kh_workers *w, char field, const char *key, size_t len);

/* A segment written by a flush. */
typedef struct kh_flushed {
    char name[32];
    uint8_t *deleted;               /* malloc'ed bitmap or NULL (segbuf.h) */
    size_t n_deleted;
} kh_flushed;

/* Waits for the queues to drain, then each worker with articles writes its
 * buffer as dir/<name>.kseg, names taken from *next_segment upward (which
 * is advanced). out receives up to n entries (n = number of workers);
 * *n_out how many were written. */
kh_status kh_workers_flush(kh_workers *w, const char *dir, uint64_t *next_segment, kh_flushed *out,
                           size_t *n_out, kh_error *err);

size_t kh_workers_count(const kh_workers *w);

#endif
