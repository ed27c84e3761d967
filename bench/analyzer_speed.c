/* analyzer_speed.c — analyzer throughput on one core.
 *
 * usage: analyzer_speed FILE [STEMMER] [REPS]
 *
 * Reads FILE (one document a line, e.g. the corpus' title + content), then
 * analyses every line REPS times (default 3) with a fresh analyzer per rep,
 * as an indexer would, and prints the best rep's MB/s and tokens/s. Reading
 * the file is not timed; the cache starts empty in every rep. Time is the
 * thread's CPU time, not wall time: on a shared machine wall time measures
 * the neighbours. Built and run by bench/analyzer_speed.sh. */
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

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: analyzer_speed FILE [STEMMER] [REPS]\n");
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
