/* analyzer_speed.c — analyzer throughput on one core.
 *
 * usage: analyzer_speed FILE [STEMMER] [REPS]
 *        analyzer_speed FILE STEMMER digest|dump
 *
 * Reads FILE (one document a line, e.g. the corpus' title + content), then
 * analyses every line REPS times (default 3) with a fresh analyzer per rep,
 * as an indexer would, and prints the best rep's MB/s and tokens/s. Reading
 * the file is not timed; the cache starts empty in every rep. Time is the
 * thread's CPU time, not wall time: on a shared machine wall time measures
 * the neighbours. Built and run by bench/analyzer_speed.sh.
 *
 * "digest" prints one hash of every token of FILE (term bytes, offsets,
 * position, stopword flag, line by line) and "dump" prints the tokens
 * themselves: a speed change must leave both byte-identical, since the
 * analyzer's id, stored in indexes, promises the same terms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "khabar.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* FNV-1a, 64 bits: a digest to compare runs, not a hash table's hash. */
static unsigned long long fnv(unsigned long long h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001B3ull;
    return h;
}

/* One untimed pass; every token is hashed (digest) or printed (dump). */
static int check_pass(const char *text, size_t size, const char *stemmer, int dump)
{
    kh_analyzer *a;
    kh_error err;
    if (kh_analyzer_new(stemmer, &a, &err) != KH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    unsigned long long h = 0xCBF29CE484222325ull, tokens = 0, lines = 0;
    for (const char *line = text, *stop = text + size; line < stop; lines++) {
        const char *nl = memchr(line, '\n', (size_t)(stop - line));
        size_t len = nl ? (size_t)(nl - line) : (size_t)(stop - line);
        kh_analyzer_start(a, line, len);
        kh_token t;
        while (kh_analyzer_next_token(a, &t)) {
            unsigned long long v[5] = {lines, t.position, t.start, t.end, (unsigned)t.is_stopword};
            tokens++;
            if (dump) {
                printf("%llu\t%llu\t%llu\t%llu\t%llu\t%.*s\n", v[0], v[1], v[2], v[3], v[4],
                       (int)t.term_len, t.term);
            } else {
                h = fnv(h, v, sizeof v);
                h = fnv(h, &t.term_len, sizeof t.term_len);
                h = fnv(h, t.term, t.term_len);
            }
        }
        line += len + 1;
    }
    if (!dump)
        printf("khabar %-8s digest %016llx  (%llu tokens, %llu lines)\n", stemmer, h, tokens, lines);
    kh_analyzer_free(a);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: analyzer_speed FILE [STEMMER] [REPS | digest | dump]\n");
        return 2;
    }
    const char *stemmer = argc > 2 ? argv[2] : NULL;
    int reps = argc > 3 ? atoi(argv[3]) : 3;
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(f);
    /* before the UTF-8 check: invalid bytes must be digested too */
    if (argc > 3 && (!strcmp(argv[3], "digest") || !strcmp(argv[3], "dump"))) {
        int rc = check_pass(text, (size_t)size, stemmer, argv[3][1] == 'u');
        free(text);
        return rc;
    }

    kh_error err;
    if (kh_analyzer_check_text(text, (size_t)size, &err) != KH_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], err.message);
        return 1;
    }

    double best = 1e30;
    unsigned long long tokens = 0, stops = 0;
    for (int r = 0; r < reps; r++) {
        kh_analyzer *a;
        if (kh_analyzer_new(stemmer, &a, &err) != KH_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 2;
        }
        tokens = stops = 0;
        unsigned long long checksum = 0;
        double t0 = now();
        for (char *line = text, *stop = text + size; line < stop;) {
            char *nl = memchr(line, '\n', (size_t)(stop - line));
            size_t len = nl ? (size_t)(nl - line) : (size_t)(stop - line);
            kh_analyzer_start(a, line, len);
            kh_token t;
            while (kh_analyzer_next_token(a, &t)) {
                tokens++;
                stops += (unsigned)t.is_stopword;
                checksum += t.term_len;
            }
            line += len + 1;
        }
        double dt = now() - t0;
        if (dt < best)
            best = dt;
        if (checksum == 0)
            fprintf(stderr, "no terms?\n");
        kh_analyzer_free(a);
    }
    printf("khabar %-8s %8.1f MB/s %10.0f tokens/s  (%llu tokens, %.1f%% stopwords, %.1f MB, best of %d)\n",
           stemmer ? stemmer : "default", (double)size / 1e6 / best, (double)tokens / best, tokens,
           100.0 * (double)stops / (double)(tokens ? tokens : 1), (double)size / 1e6, reps);
    free(text);
    return 0;
}
