/* fuzz_index_files.c — a damaged segment file must give an error, never a
 * crash or an out-of-bounds read.
 *
 * The input is a segment file (seeds: real ones). Checksums would reject
 * almost every mutation at once, so the harness first recomputes them (the
 * stored chunks' too) when the table of contents is intact: the mutated
 * bytes then reach the dictionary, postings, doc values and stored-chunk
 * parsers (including a dictionary chunk's trained dictionary), which must
 * defend themselves by structure alone. The file is written into an index
 * directory with a manifest naming it, then opened, searched, fetched from
 * and checked. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "khabar.h"

static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* Recomputes the CRC of every stored chunk whose index entry (in section
 * `index_id`) points inside its data section (`data_id`), so that mutated
 * chunk bytes reach the chunk parsers (chunks.c) instead of stopping at the
 * checksum. */
static void fix_chunk_checksums(uint8_t *d, uint64_t toc, uint32_t n, uint32_t index_id, uint32_t data_id)
{
    uint8_t *ix = NULL, *data = NULL;
    uint64_t ix_len = 0, data_len = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = d + toc + i * 24;
        uint64_t off = get64(e + 4), sl = get64(e + 12);
        if (off > toc || sl > toc - off)
            continue;
        if (get32(e) == index_id)
            ix = d + off, ix_len = sl;
        else if (get32(e) == data_id)
            data = d + off, data_len = sl;
    }
    if (!ix || !data)
        return;
    for (uint64_t k = 0; k + 24 <= ix_len; k += 24) {
        uint64_t off = get64(ix + k + 4);
        uint32_t clen = get32(ix + k + 12);
        if (off <= data_len && clen <= data_len - off)
            put32(ix + k + 20, (uint32_t)crc32(0, data + off, clen));
    }
}

/* Recomputes stored-chunk, section and TOC checksums in place when the
 * layout allows; returns the document count from META (0 if unknown). */
static uint32_t fix_checksums(uint8_t *d, size_t len)
{
    if (len < 32 || memcmp(d + len - 8, "KHABREND", 8) != 0)
        return 0;
    uint64_t toc = get64(d + len - 24);
    uint32_t n = get32(d + len - 16);
    if (n > 16 || toc > len || toc + (uint64_t)n * 24 != len - 24)
        return 0;
    fix_chunk_checksums(d, toc, n, 0x58495453u /* STIX */, 0x524F5453u /* STOR */);
    fix_chunk_checksums(d, toc, n, 0x58494D53u /* SMIX */, 0x59524D53u /* SMRY */);
    uint32_t docs = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = d + toc + i * 24;
        uint64_t off = get64(e + 4), sl = get64(e + 12);
        if (off > toc || sl > toc - off)
            continue;
        put32(e + 20, (uint32_t)crc32(0, d + off, (uInt)sl));
        if (get32(e) == 0x4154454Du && sl >= 8) /* "META" */
            docs = get32(d + off + 4);
    }
    put32(d + len - 12, (uint32_t)crc32(0, d + toc, (uInt)(n * 24)));
    return docs;
}

static char dir[64];

static void write_file(const char *name, const void *data, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, len, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/kh_fuzz_files_%d", (int)getpid());
        char cmd[128];
        snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
        if (system(cmd) != 0)
            abort();
    }
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    uint32_t docs = fix_checksums(copy, size);
    write_file("seg_000001.kseg", copy, size);
    free(copy);

    /* the analyzer id must match this build's, or open stops at the manifest */
    kh_analyzer *an;
    if (kh_analyzer_new(NULL, &an, NULL) != KH_OK)
        abort();
    char manifest[512];
    int n = snprintf(manifest, sizeof manifest,
                     "khabar-index 1\ngeneration 2\nstemmer -\nanalyzer %s\nnext-segment 2\n"
                     "segment seg_000001 docs %u delgen 0\n",
                     kh_analyzer_id(an), docs);
    kh_analyzer_free(an);
    n += snprintf(manifest + n, sizeof manifest - (size_t)n, "crc32 %08lx\n",
                  (unsigned long)crc32(0, (const uint8_t *)manifest, (uInt)n));
    write_file("MANIFEST", manifest, (size_t)n);

    kh_index *ix;
    if (kh_index_open(dir, NULL, &ix, NULL) == KH_OK) {
        static const char *const queries[] = {"النفط", "\"أسعار النفط\"", "اس*", "النفط OR الهلال -مجلس",
                                              "source:aawsat", "published:2015-01-01..2016-01-01"};
        for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
            kh_search_result *r;
            if (kh_search(ix, queries[i], NULL, &r, NULL) == KH_OK)
                kh_search_result_free(r);
        }
        kh_article a;
        kh_article_init(&a);
        kh_index_get(ix, "d0", &a, NULL);
        kh_article_clear(&a);
        kh_index_close(ix);
        kh_index_check(dir, NULL);
    }
    return 0;
}
