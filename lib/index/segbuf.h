/* segbuf.h — the writer's in-memory segment, flushed to disk as one file.
 *
 * Articles added to an index are analyzed at once and accumulate here as an
 * inverted index in memory: a hash table from term to its growing doc and
 * position streams (already in the on-disk encoding, postings.h), the
 * per-document values, and the compressed stored records. When the buffer
 * outgrows its RAM budget, or at a commit, kh_segbuf_write() sorts the terms
 * and writes a segment file; the buffer is then discarded.
 *
 * Articles buffered here can be deleted again before they reach the disk (a
 * re-added id replaces the earlier copy): they are marked in a bitmap that
 * becomes the new segment's first deletion file. */
#ifndef KH_INDEX_SEGBUF_H
#define KH_INDEX_SEGBUF_H

#include <stddef.h>
#include <stdint.h>

#include "khabar.h"

typedef struct kh_segbuf kh_segbuf;

/* Returns a new, empty buffer or NULL when memory runs out. */
kh_segbuf *kh_segbuf_new(void);
void kh_segbuf_free(kh_segbuf *b);

/* Analyzes a with an and buffers it as the next document. a must have an id. */
kh_status kh_segbuf_add(kh_segbuf *b, kh_analyzer *an, const kh_article *a, kh_error *err);

/* Marks deleted every buffered document holding the exact term field+key
 * (field: a KH_FIELD_ letter). Returns how many were newly deleted. */
size_t kh_segbuf_delete_term(kh_segbuf *b, char field, const char *key, size_t len);

size_t kh_segbuf_docs(const kh_segbuf *b);
size_t kh_segbuf_deleted(const kh_segbuf *b);
/* Approximate memory held, in bytes. */
size_t kh_segbuf_bytes(const kh_segbuf *b);

/* Writes dir/name.kseg (fsynced). *deleted receives a malloc'ed copy of the
 * deletion bitmap ((docs + 7) / 8 bytes) when some buffered document was
 * deleted, else NULL. */
kh_status kh_segbuf_write(kh_segbuf *b, const char *dir, const char *name, uint8_t **deleted,
                          kh_error *err);

#endif
