/* chunks.h — a store of per-document records, compressed in chunks.
 *
 * Records (stored.h) are appended in document order and packed into chunks.
 * A segment has two stores: the whole articles (the bulk of the index, read
 * by `show` and for every hit's snippet) and their summaries — id, title,
 * source, url, published — read for every hit of every search. Both are
 * read one record at a time, so both are written in kinds of chunk where
 * reading one record does not decompress a whole chunk.
 *
 * On disk a store is two sections: the index, n_chunks x {u32 first_doc,
 * u64 off, u32 compressed_len, u32 raw_len, u32 crc32}, and the data, the
 * chunks back to back. The CRC of each chunk is checked when first read.
 * raw_len is the size of the chunk's records, each varint length + bytes. A
 * chunk is one of two kinds, told apart by its first four bytes:
 *
 *   record chunk (the summaries): "KHRC", u32 n, u32 prefix_len, u32 end[n],
 *     prefix, frames. Each record is its own zstd frame
 *     (frames[end[i-1]..end[i]]), compressed against the prefix, a sample
 *     of the chunk's records kept raw, as a raw-content dictionary.
 *   dictionary chunk (the articles): "KHDG", u32 n_frames, u32 dict_len,
 *     {u32 first_record, u32 end}[n_frames], dict, frames. Each frame is
 *     one zstd frame of the records first_record[f] .. first_record[f+1]-1
 *     (each varint length + bytes, about KH_DICT_FRAME bytes raw),
 *     compressed against a zstd dictionary trained on the store's records
 *     (ZDICT); `dict` is that dictionary, itself a zstd frame (dict_len 0:
 *     none, for stores too small to train one). Reading a record
 *     decompresses one frame; the dictionary is decompressed and digested
 *     once per reader and chunk.
 *
 * Why these: a record alone compresses badly (no context), many records
 * together well but then one read decompresses them all. Measured on the
 * shared corpus's 97.7 MB of article records (bench/stored_chunks_options.c
 * over the records of the driver's two segments, zstd level 6, CPU times at
 * load 5-12, so ranges are wide): 256 KiB frames (the old store) 27.25 MB and
 * 200-290 us of decompression per record read; 16 KiB frames without a
 * dictionary 31.79 MB, 23 us; 32 KiB 30.62 MB; 16 KiB frames against a
 * 64 KiB dictionary trained on 1 MiB of records 28.52 MB including the
 * dictionaries, 35 us; against 112 KiB trained on 4 MiB 28.37 MB. Level 5
 * with a dictionary is 29.8 MB, level 3 29.3 MB. Record chunks (one
 * frame per record against a raw sample) were not measured for articles:
 * the 16 KiB frames alone already cost 31.79 MB, and a frame of one ~3 KB
 * record has still less context.
 *
 * Frames of 4 KiB (one or two articles; they were 16 KiB): against the
 * trained dictionary a small frame loses little context, and every search
 * hit decompresses its article's whole frame, half of a default search at
 * 16 KiB. With only KH_DICT_FRAME changed: on the driver's index
 * (bench/build-driver.sh, `index /tmp/khb/corpus.tsv`, bench/index_sizes.py)
 * STOR is 29.58 MB at 16 KiB, 29.78 at 8, 29.93 at 4; a default search
 * costs 5.24 M instructions at 16 KiB, 3.30 M at 4 (bench/
 * search_instructions.c under callgrind, the 1,000 latency queries, on a
 * `khabar ingest` of the corpus); indexing 3,000 articles 2.95 G
 * instructions at 16 KiB, 2.66 G at 8, 2.64 G at 4 (callgrind of the
 * driver's `index`): smaller inputs get smaller zstd tables.
 *
 * For the summaries (segment of 15,515 summaries, 2.99 MB raw): 4 KiB
 * frame chunks 1.03 MB and 28 us of decompression per record read; record
 * chunks with a 64 KiB prefix 1.47 MB and 0.6 us (a micro-benchmark, load
 * 8; docs/search.md has the effect on searches).
 *
 * A writer whose target is at most KH_CHUNK_RECORDS_MAX (the summaries') is
 * one whose records are small: it writes record chunks; a larger target is
 * the raw size of a dictionary chunk. A chunk is self-contained (a
 * dictionary chunk carries its dictionary), so a merge may copy it as it
 * is. A writer trains its dictionary once, on its first chunk's records,
 * and stores it in each of its chunks. The writer holds a chunk's records
 * raw until the chunk is full (16 MiB; counted in kh_chunks_bytes, so in
 * the indexing RAM budget). Training costs CPU (0.12-0.16 s for the
 * corpus's two segments at 1 MiB of samples each); the compressed copy
 * costs 23 KB per 16 MiB chunk (the driver's index: six chunks,
 * 23,474-23,481 bytes each).
 *
 * Level 3, not 6: compressing the articles is about a fifth of ingest CPU,
 * and with the dictionary, level 6 cost more than the 256 KiB chunks did.
 * Driver `index` of the shared corpus, builds interleaved, quiet machine
 * (load 2.2-2.4): level 6 3.28-3.78 s wall, 5.29-6.01 s user, index 53.5 MB;
 * level 3 2.68-3.28 s, 4.11-5.09 s user, 54.5 MB; levels 1 and 2 were no
 * faster and larger (57.4, 57.7 MB). */
#ifndef KH_INDEX_CHUNKS_H
#define KH_INDEX_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "khabar.h"
#include "util/buf.h"

/* The two stores' settings, shared by the writer (segbuf.c) and merges
 * (merge.c), so that a merged segment is written like a fresh one. */
#define KH_STORED_CHUNK (16u << 20)    /* raw bytes per dictionary chunk */
#define KH_STORED_LEVEL 3
#define KH_SUMMARY_CHUNK (4u << 10)
#define KH_SUMMARY_LEVEL 3

#define KH_CHUNK_ENTRY 24
#define KH_CHUNK_MAX_RAW (64u << 20)    /* a longer chunk is corrupt */
#define KH_CHUNK_RECORDS_MAX (16u << 10)/* targets up to this write record chunks */
#define KH_RECORD_CHUNK_RAW (2u << 20)  /* raw bytes of records per record chunk */
#define KH_RECORD_PREFIX_MAX (64u << 10)/* its dictionary (prefix) at most */
#define KH_DICT_FRAME (4u << 10)        /* raw bytes per frame of a dictionary chunk */
#define KH_DICT_MAX (64u << 10)         /* a trained dictionary at most */
#define KH_DICT_SAMPLE (1u << 20)       /* raw bytes of records it is trained on */
#define KH_DICT_MIN_RAW (64u << 10)     /* fewer raw bytes train no dictionary */

typedef struct kh_chunks_writer {
    size_t target;
    int level;              /* zstd compression level */
    kh_buf raw;             /* records of the open chunk */
    uint32_t first_doc, n_docs;
    kh_buf index, data;     /* finished chunks */
    void *cctx;             /* ZSTD_CCtx, reused */
    int records;            /* writes record chunks (see above) */
    void *cdict;            /* ZSTD_CDict of the trained dictionary, or NULL */
    kh_buf dict_frame;      /* the dictionary as stored: a zstd frame */
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

/* A dictionary chunk's dictionary as the reader keeps it. `mem` holds the
 * dictionary and, right behind it, room for one frame: a frame decompressed
 * there follows the dictionary in memory, and zstd then reads the
 * dictionary as the frame's own preceding text (a prefix) instead of as a
 * separate dictionary, which spares a memmove call for every match that
 * reaches into it (chunks.c, load_frame). */
typedef struct kh_chunk_dict {
    void *ddict;                        /* ZSTD_DDict, by reference to mem */
    unsigned char *mem;                 /* the dictionary, then KH_FRAME_ROOM bytes */
    size_t size;                        /* the dictionary's bytes at the start of mem */
} kh_chunk_dict;

/* Room for a frame behind its dictionary: frames are about KH_DICT_FRAME
 * bytes (records are not split, so a long one makes its frame longer); a
 * frame that does not fit is decompressed into the cache instead. */
#define KH_FRAME_ROOM (4 * KH_DICT_FRAME)

typedef struct kh_chunks {
    const unsigned char *index, *data;
    size_t n_chunks, data_len;
    uint32_t n_docs;
    const char *file;                   /* for messages */
    /* one decompressed chunk cache */
    size_t cached;                      /* chunk number + 1; 0 = none */
    unsigned char *cache;
    size_t cache_cap;
    size_t cached_frame;                /* which frame of a dictionary chunk the cache holds */
    void *dctx;                         /* ZSTD_DCtx, reused: creating one per read costs more than the read */
    kh_chunk_dict *dicts;               /* per chunk: its dictionary, digested when first needed */
    const unsigned char *frame;         /* the cached frame's bytes: in `cache`, or in the
                                         * room behind its chunk's dictionary */
    size_t frame_len;
    uint8_t *verified;                  /* per chunk: its CRC was checked already (lazily allocated) */
} kh_chunks;

/* Sets up a reader over the two sections; checks the index's shape. */
kh_status kh_chunks_open(kh_chunks *c, const unsigned char *index, size_t index_len,
                         const unsigned char *data, size_t data_len, uint32_t n_docs,
                         const char *file, kh_error *err);
void kh_chunks_close(kh_chunks *c);

/* Finds the record of doc. *rec points into the reader's memory (the cache,
 * or the room behind a dictionary) and stays valid until the next call.
 * Bounded memory: one decompressed frame (or record), plus one digested
 * dictionary per dictionary chunk read (its 64 KiB with KH_FRAME_ROOM
 * behind them, and zstd's tables; a segment of the shared corpus has three
 * such chunks). KH_ERR_CORRUPT when the chunk fails its checksum. */
kh_status kh_chunks_get(kh_chunks *c, uint32_t doc, const unsigned char **rec, size_t *len,
                        kh_error *err);

/* Verifies every chunk (checksum, decompression, record framing). */
kh_status kh_chunks_check(kh_chunks *c, kh_error *err);

#endif
