/* chunks.h — a store of per-document records, compressed in chunks.
 *
 * Records (stored.h) are appended in document order and packed into chunks.
 * A segment has two stores: the whole articles (256 KiB chunks at level 6:
 * the bulk of the index, read only by `show` and for snippets; measured on
 * the shared corpus, 19% smaller than 64 KiB at level 3) and their
 * summaries — id, title, source, url, published — read for every hit of
 * every search.
 *
 * On disk a store is two sections: the index, n_chunks x {u32 first_doc,
 * u64 off, u32 compressed_len, u32 raw_len, u32 crc32}, and the data, the
 * chunks back to back. The CRC of each chunk is checked when first read. A
 * chunk is one of two kinds, told apart by its first four bytes:
 *
 *   frame chunk: one zstd frame (its magic) of the records, each varint
 *     length + bytes. Compressing many records together is what makes zstd
 *     effective; reading one record decompresses the whole chunk.
 *   record chunk: "KHRC", u32 n, u32 prefix_len, u32 end[n], prefix,
 *     frames. Each record is its own zstd frame (frames[end[i-1]..end[i]]),
 *     compressed against the prefix, a sample of the chunk's records kept
 *     raw, as a raw-content dictionary. Reading a record decompresses only
 *     it. raw_len is the records' size as a frame chunk would hold them.
 *
 * A writer whose target is at most KH_CHUNK_RECORDS_MAX (the summaries'
 * 4 KiB) is one whose records are fetched one at a time: it writes record
 * chunks. Measured on the shared corpus (segment of 15,515 summaries, 2.99
 * MB raw): 4 KiB frame chunks 1.03 MB and 28 us of decompression per
 * record read; record chunks with a 64 KiB prefix 1.47 MB and 0.6 us (a
 * micro-benchmark, load 8; docs/search.md has the effect on searches).
 * Writing costs more: 13-26 us per summary compressed alone against 8-17
 * us per summary in 4 KiB chunks (4 runs of a micro-benchmark, load 14),
 * 0.15-0.3 s of CPU for the corpus's 31,030 summaries, over the workers.
 * A chunk is self-contained, so a merge may copy it as it is. */
#ifndef KH_INDEX_CHUNKS_H
#define KH_INDEX_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "khabar.h"
#include "util/buf.h"

/* The two stores' settings, shared by the writer (segbuf.c) and merges
 * (merge.c), so that a merged segment is written like a fresh one. */
#define KH_STORED_CHUNK (256u << 10)
#define KH_STORED_LEVEL 6
#define KH_SUMMARY_CHUNK (4u << 10)
#define KH_SUMMARY_LEVEL 3

#define KH_CHUNK_ENTRY 24
#define KH_CHUNK_MAX_RAW (64u << 20)    /* a longer chunk is corrupt */
#define KH_CHUNK_RECORDS_MAX (16u << 10)/* targets up to this write record chunks */
#define KH_RECORD_CHUNK_RAW (2u << 20)  /* raw bytes of records per record chunk */
#define KH_RECORD_PREFIX_MAX (64u << 10)/* its dictionary (prefix) at most */

typedef struct kh_chunks_writer {
    size_t target;
    int level;              /* zstd compression level */
    kh_buf raw;             /* records of the open chunk */
    uint32_t first_doc, n_docs;
    kh_buf index, data;     /* finished chunks */
    void *cctx;             /* ZSTD_CCtx, reused */
    int records;            /* writes record chunks (see above) */
    int failed;
} kh_chunks_writer;

void kh_chunks_writer_init(kh_chunks_writer *w, size_t target, int level);
/* Appends the record of the next document. */
void kh_chunks_add(kh_chunks_writer *w, const void *rec, size_t len);
/* Closes the open chunk; returns -1 if any step failed. */
int kh_chunks_flush(kh_chunks_writer *w);
void kh_chunks_writer_free(kh_chunks_writer *w);
/* Bytes held (for the RAM budget). */
size_t kh_chunks_bytes(const kh_chunks_writer *w);

typedef struct kh_chunks {
    const unsigned char *index, *data;
    size_t n_chunks, data_len;
    uint32_t n_docs;
    const char *file;                   /* for messages */
    /* one decompressed chunk cache */
    size_t cached;                      /* chunk number + 1; 0 = none */
    unsigned char *cache;
    size_t cache_len, cache_cap;
    void *dctx;                         /* ZSTD_DCtx, reused: creating one per read costs more than the read */
    uint8_t *verified;                  /* per chunk: its CRC was checked already (lazily allocated) */
} kh_chunks;

/* Sets up a reader over the two sections; checks the index's shape. */
kh_status kh_chunks_open(kh_chunks *c, const unsigned char *index, size_t index_len,
                         const unsigned char *data, size_t data_len, uint32_t n_docs,
                         const char *file, kh_error *err);
void kh_chunks_close(kh_chunks *c);

/* Finds the record of doc. *rec points into the cache and stays valid until
 * the next call. KH_ERR_CORRUPT when the chunk fails its checksum. */
kh_status kh_chunks_get(kh_chunks *c, uint32_t doc, const unsigned char **rec, size_t *len,
                        kh_error *err);

/* Verifies every chunk (checksum, decompression, record framing). */
kh_status kh_chunks_check(kh_chunks *c, kh_error *err);

#endif
