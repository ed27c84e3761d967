/* serve_inprocess.c — the baseline for bench/serve_bench.sh: the same
 * searches the server runs for GET /api/search?q=... (limit 10, exact
 * total, facets, snippets, partial completion: kh_search_options_init's
 * defaults, which are the API's), called in-process with THREADS threads,
 * each with its own kh_index handle, for SECONDS seconds.
 *
 * usage: serve_inprocess INDEX QUERIES.txt THREADS SECONDS [MODE]
 * MODE: "lean" is GET /api/search?...&facets=0 (no facets, no exact total);
 * "nosnippets" is GET /api/search?...&snippets=0.
 *
 * Like with like: before the clock starts, each thread runs every query
 * once, untimed, as the benchmark's server has been warmed by a pass of
 * wrk: a fresh handle checks the CRC of each stored chunk it first reads
 * and digests its dictionary, which would otherwise weigh on this side
 * only. What the server does beyond this program is HTTP and the JSON of
 * the answer (with each snippet a second time as HTML): callgrind counts
 * 5.72 M instructions per kh_search here and 6.29 M per request in the
 * server for the same 200 queries (docs/api.md).
 *
 * Prints one line: searches/s over the wall clock, CPU milliseconds (user +
 * sys of this process) per search, which a busy machine disturbs far less
 * than the wall clock, and the latency percentiles of single searches. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "khabar.h"

typedef struct worker {
    const char *dir;
    char **queries;
    size_t n_queries, start;
    double seconds;
    size_t done, failed_searches;
    double *lat;                /* milliseconds per search, up to cap */
    size_t cap;
    int failed;
    const char *mode;
    pthread_barrier_t *warm;    /* every thread warmed up: the clock starts */
    pthread_barrier_t *go;      /* the main thread has read the clocks */
} worker;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void *run(void *arg)
{
    worker *w = arg;
    kh_index *ix = NULL;
    kh_error err;
    if (kh_index_open(w->dir, NULL, &ix, &err) != KH_OK) {
        fprintf(stderr, "serve_inprocess: %s\n", err.message);
        w->failed = 1;
        ix = NULL;
    }
    kh_search_options opt;
    kh_search_options_init(&opt);
    if (!strcmp(w->mode, "lean")) {
        opt.facets = 0;
        opt.count_total = 0;
    } else if (!strcmp(w->mode, "nosnippets")) {
        opt.snippets = 0;
    }
    /* The untimed pass (a thread that failed to open still meets the
     * others at the barriers). */
    for (size_t k = 0; ix && k < w->n_queries; k++) {
        kh_search_result *r;
        if (kh_search(ix, w->queries[(w->start + k) % w->n_queries], &opt, &r, &err) == KH_OK)
            kh_search_result_free(r);
    }
    pthread_barrier_wait(w->warm);
    pthread_barrier_wait(w->go);
    if (!ix)
        return NULL;
    double end = now() + w->seconds;
    size_t i = w->start;
    for (;;) {
        double t0 = now();
        if (t0 >= end)
            break;
        kh_search_result *r;
        if (kh_search(ix, w->queries[i % w->n_queries], &opt, &r, &err) == KH_OK)
            kh_search_result_free(r);
        else
            w->failed_searches++;
        if (w->done < w->cap)
            w->lat[w->done] = (now() - t0) * 1000.0;
        w->done++;
        i++;
    }
    kh_index_close(ix);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: serve_inprocess INDEX QUERIES.txt THREADS SECONDS [lean|nosnippets]\n");
        return 2;
    }
    const char *mode = argc == 6 ? argv[5] : "default";
    if (strcmp(mode, "default") && strcmp(mode, "lean") && strcmp(mode, "nosnippets")) {
        fprintf(stderr, "serve_inprocess: unknown mode '%s'\n", mode);
        return 2;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    char **queries = NULL;
    size_t n = 0;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char **grown = realloc(queries, (n + 1) * sizeof *queries);
        if (!grown || !(grown[n] = strdup(line))) {
            fprintf(stderr, "serve_inprocess: out of memory\n");
            return 1;
        }
        queries = grown;
        n++;
    }
    fclose(f);
    int threads = atoi(argv[3]);
    double seconds = atof(argv[4]);
    if (n == 0 || threads < 1 || seconds <= 0) {
        fprintf(stderr, "serve_inprocess: need queries, THREADS >= 1 and SECONDS > 0\n");
        return 2;
    }
    worker *w = calloc((size_t)threads, sizeof *w);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    pthread_barrier_t warm, go;
    pthread_barrier_init(&warm, NULL, (unsigned)threads + 1);
    pthread_barrier_init(&go, NULL, (unsigned)threads + 1);
    for (int t = 0; t < threads; t++) {
        /* Each thread starts at its own place in the query list, as wrk's
         * threads do, so that they do not search the same thing in step. */
        w[t] = (worker){.dir = argv[1], .queries = queries, .n_queries = n, .start = (size_t)t * n / (size_t)threads,
                        .seconds = seconds, .cap = 1000000, .mode = mode, .warm = &warm, .go = &go};
        w[t].lat = malloc(w[t].cap * sizeof *w[t].lat);
        if (!w[t].lat || pthread_create(&tid[t], NULL, run, &w[t]) != 0) {
            fprintf(stderr, "serve_inprocess: cannot start thread %d\n", t);
            return 1;
        }
    }
    pthread_barrier_wait(&warm);
    double cpu0 = cpu_seconds(), wall0 = now();
    pthread_barrier_wait(&go);
    size_t total = 0, kept = 0, failed = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        if (w[t].failed)
            return 1;
        total += w[t].done;
        failed += w[t].failed_searches;
    }
    double cpu = cpu_seconds() - cpu0, wall = now() - wall0;
    double *all = malloc((total ? total : 1) * sizeof *all);
    for (int t = 0; t < threads; t++)
        for (size_t i = 0; i < w[t].done && i < w[t].cap; i++)
            all[kept++] = w[t].lat[i];
    if (kept == 0) {
        fprintf(stderr, "serve_inprocess: no search finished in %.1f s\n", seconds);
        return 1;
    }
    qsort(all, kept, sizeof *all, cmp);
    printf("inprocess %s threads=%d searches=%zu failed=%zu seconds=%.1f per_second=%.1f cpu_ms_per_search=%.3f "
           "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f\n",
           mode, threads, total, failed, wall, (double)total / wall, cpu * 1000.0 / (double)total, all[kept / 2],
           all[(size_t)((double)kept * 0.90)], all[(size_t)((double)kept * 0.99)]);
    for (int t = 0; t < threads; t++)
        free(w[t].lat);
    free(w);
    free(tid);
    pthread_barrier_destroy(&warm);
    pthread_barrier_destroy(&go);
    free(all);
    for (size_t i = 0; i < n; i++)
        free(queries[i]);
    free(queries);
    return 0;
}
