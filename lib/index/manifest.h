/* manifest.h — the list of live segments, the one file a commit switches.
 *
 * The manifest is small UTF-8 text, readable with `cat`:
 *
 *     khabar-index 1
 *     generation 7
 *     stemmer light10
 *     analyzer khabar-ar/1 light10
 *     next-segment 12
 *     segment seg_000009 docs 5000 delgen 2
 *     segment seg_000011 docs 120 delgen 0
 *     crc32 1a2b3c4d
 *
 * The last line is the CRC32 of every byte before it. A commit writes the
 * new manifest to MANIFEST.tmp, fsyncs it, renames it over MANIFEST and
 * fsyncs the directory (file.h: kh_write_atomic): rename is atomic, so
 * whoever opens the index sees the old commit or the new one, whole. */
#ifndef KH_INDEX_MANIFEST_H
#define KH_INDEX_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "khabar.h"

#define KH_MANIFEST_FILE "MANIFEST"
#define KH_INDEX_FORMAT 1

typedef struct kh_manifest_segment {
    char name[32];
    uint32_t docs;
    uint64_t del_gen;               /* 0: no deletions */
} kh_manifest_segment;

typedef struct kh_manifest {
    uint64_t generation;
    uint64_t next_segment;
    char stemmer[64];               /* "" = the default */
    char analyzer[128];
    kh_manifest_segment *segments;  /* owned */
    size_t n_segments;
} kh_manifest;

/* Reads dir/MANIFEST into *m (released with kh_manifest_free). Errors:
 * KH_ERR_NOT_FOUND (no index in dir), KH_ERR_CORRUPT, KH_ERR_MISMATCH (a
 * format this build does not know). */
kh_status kh_manifest_read(const char *dir, kh_manifest *m, kh_error *err);

/* Writes m as dir/MANIFEST atomically and durably. */
kh_status kh_manifest_write(const char *dir, const kh_manifest *m, kh_error *err);

void kh_manifest_free(kh_manifest *m);

#endif
