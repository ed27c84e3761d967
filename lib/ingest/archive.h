/* archive.h — members of .zip and .tar archives, through libarchive.
 *
 * The archive is read as a stream (the reader hands it bytes already freed
 * of gzip/zstd compression, so .tar.gz is a tar here), one member at a
 * time; a member is returned whole, in memory, up to a size limit, so that
 * it can go through the same content detection as a file. A member over the
 * limit is skipped without being held (a zip bomb costs time, not memory). */
#ifndef KH_INGEST_ARCHIVE_H
#define KH_INGEST_ARCHIVE_H

#include <stddef.h>
#include <sys/types.h>

#include "khabar.h"

typedef struct kh_archive kh_archive;

/* Gives the archive its next bytes: sets *data and returns their count, 0
 * at the end, -1 on failure. The bytes must stay valid until the next call. */
typedef ssize_t (*kh_archive_pull)(void *ctx, const void **data);

/* Starts reading an archive (zip or tar) from pull. *out is owned by the
 * caller: kh_archive_close(). Errors: KH_ERR_NOMEM. */
kh_status kh_archive_open(kh_archive_pull pull, void *ctx, kh_archive **out, kh_error *err);

/*
 * Reads the next regular file. On KH_OK, *name (its path in the archive)
 * and *data (its bytes, NUL-terminated, *len long) are newly allocated and
 * owned by the caller (free()). Directories, links and devices are passed
 * over. Returns KH_END after the last member; KH_ERR_TOO_LARGE for a member
 * over `limit` bytes (skipped; *name is still set, call again); KH_ERR_FORMAT
 * when the input is no archive libarchive knows; KH_ERR_CORRUPT or
 * KH_ERR_TRUNCATED when it is damaged (the archive ends there). Messages
 * give the member and what libarchive said; they do not name the input.
 */
kh_status kh_archive_next(kh_archive *a, size_t limit, char **name, char **data, size_t *len, kh_error *err);

/* Number of members read or skipped so far. */
unsigned long kh_archive_members(const kh_archive *a);

void kh_archive_close(kh_archive *a);

#endif
