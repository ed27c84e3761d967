/* source.h — a stream of input bytes, decompressed when needed.
 *
 * Readers never care whether a feed arrived as .jsonl, .jsonl.gz or
 * .jsonl.zst: the source looks at the first bytes (gzip 1f 8b, zstd
 * 28 b5 2f fd), not at the file name, and hands out plain bytes. gzip inputs
 * may hold several members (as `cat a.gz b.gz` and WARC files do). A stream
 * that ends early is reported as KH_ERR_TRUNCATED with the compressed byte
 * offset, after every byte that could be decoded has been handed out. */
#ifndef KH_INGEST_SOURCE_H
#define KH_INGEST_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "khabar.h"

typedef struct kh_source kh_source;

/* path "-" reads standard input. Fails with KH_ERR_IO naming the path
 * (missing, unreadable, a directory). */
kh_status kh_source_open_path(const char *path, kh_source **out, kh_error *err);

/* Reads from memory (not copied; must outlive the source). */
kh_status kh_source_open_memory(const void *data, size_t len, const char *name,
                                kh_source **out, kh_error *err);

/* Reads up to cap decompressed bytes into buf; *got = 0 only at the end. */
kh_status kh_source_read(kh_source *s, void *buf, size_t cap, size_t *got, kh_error *err);

/* The name used in messages: the path, or "<stdin>". */
const char *kh_source_name(const kh_source *s);

/* "gzip", "zstd" or NULL for plain input (known after the first read). */
const char *kh_source_compression(const kh_source *s);

void kh_source_close(kh_source *s);

#endif
