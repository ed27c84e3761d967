/* stored_chunks_dump.c — writes the raw article records of an index's
 * segments to one file (u32 length + bytes each; 0xFFFFFFFF between
 * segments), the input of bench/stored_chunks_options.c.
 *
 * cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -Ilib \
 *    bench/stored_chunks_dump.c build/libkhabar.a $(pkg-config --libs libutf8proc \
 *    jansson zlib libzstd libxml-2.0 libarchive) -lstemmer -lm -lpthread -o /tmp/dump
 * /tmp/dump INDEX_DIR seg_000001 seg_000002 OUT.bin */
#include <stdio.h>
#include <stdint.h>
#include "index/segment.h"
int main(int argc, char **argv) {
    FILE *o = fopen(argv[argc-1], "wb");
    for (int a = 2; a < argc - 1; a++) {
        kh_segment *s; kh_error err;
        if (kh_segment_open(argv[1], argv[a], 0, &s, &err) != KH_OK) { fprintf(stderr, "%s\n", err.message); return 1; }
        uint32_t mark = 0xFFFFFFFFu; fwrite(&mark, 4, 1, o); /* segment boundary */
        for (uint32_t d = 0; d < s->n_docs; d++) {
            const unsigned char *rec; size_t len;
            if (kh_chunks_get(&s->stored, d, &rec, &len, &err) != KH_OK) { fprintf(stderr, "%s\n", err.message); return 1; }
            uint32_t l = (uint32_t)len; fwrite(&l, 4, 1, o); fwrite(rec, 1, len, o);
        }
        kh_segment_close(s);
    }
    fclose(o); return 0;
}
