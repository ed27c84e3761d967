/* merge.h — merging segments at the postings level (docs/index.md, "Merging").
 *
 * The live documents of the source segments, in source order and then doc
 * order, become documents 0..n-1 of one new segment. Nothing is analyzed
 * again: the term dictionaries are merged in sorted order and each term's
 * postings are walked with the ordinary cursor, renumbered, and re-encoded
 * through kh_postings_encode, so the merged segment is what indexing the
 * same articles in one go would have written (same terms, frequencies,
 * positions, document values and stored records).
 *
 * Memory stays small whatever the segments' size: postings, stored articles,
 * summaries, document values and the term dictionary's entries are streamed
 * to the file (the entries through an unlinked scratch file until the
 * postings are done); what is held is one term's postings, the document
 * maps and lengths (8 bytes an article) and the dictionary's block index
 * (12 bytes per 32 terms). */
#ifndef KH_INDEX_MERGE_H
#define KH_INDEX_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "index/segment.h"
#include "khabar.h"

/* Writes dir/name.kseg (fsynced) from the live documents of src[0..n),
 * skipping each segment's committed deletions (kh_segment_is_deleted).
 * *n_docs receives the merged segment's document count; when it is 0 no
 * file is written. Damage found in a source is KH_ERR_CORRUPT naming it. */
kh_status kh_merge_segments(const char *dir, const char *name, kh_segment *const *src, size_t n,
                            uint32_t *n_docs, kh_error *err);

/* Gives the pages of s's mapping back to the system: they stay in the page
 * cache and fault in again when read. A segment's file is mapped, so every
 * page a merge (or the checks at open) reads would otherwise count in the
 * writer's resident memory until the segment is closed, and a writer's
 * memory must stay bounded by its RAM budget (docs/index.md, "Scaling"). */
void kh_segment_drop_pages(const kh_segment *s);

#endif
