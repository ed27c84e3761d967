/* serve_inprocess.c — the baseline for bench/serve_bench.sh: the same
 * searches the server runs for GET /api/search?q=... (limit 10, exact
 * total, facets, snippets), called in-process with THREADS threads, each
 * with its own kh_index handle, for SECONDS seconds.
 *
 * usage: serve_inprocess INDEX QUERIES.txt THREADS SECONDS [lean]
 * "lean" is GET /api/search?...&facets=0: no facets, no exact total.
 * Prints: "inprocess threads=N searches=S seconds=T per_second=R p50_ms=.. p99_ms=..". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "khabar.h"

typedef struct worker {
    const char *dir;
    char **queries;
    size_t n_queries, start;
    double seconds;
    size_t done;
    double *lat;                /* milliseconds per search, up to cap */
    size_t cap;
    int failed, lean;
} worker;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
    worker *w = arg;
    kh_index *ix;
    kh_error err;
    if (kh_index_open(w->dir, NULL, &ix, &err) != KH_OK) {
        fprintf(stderr, "serve_inprocess: %s\n", err.message);
        w->failed = 1;
        return NULL;
    }
    kh_search_options opt;
    kh_search_options_init(&opt);
    if (w->lean) {
        opt.facets = 0;
        opt.count_total = 0;
    }
    double end = now() + w->seconds;
    size_t i = w->start;
    for (;;) {
        double t0 = now();
        if (t0 >= end)
            break;
        kh_search_result *r;
        if (kh_search(ix, w->queries[i % w->n_queries], &opt, &r, &err) == KH_OK)
            kh_search_result_free(r);
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
        fprintf(stderr, "usage: serve_inprocess INDEX QUERIES.txt THREADS SECONDS [lean]\n");
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
        queries = realloc(queries, (n + 1) * sizeof *queries);
        queries[n++] = strdup(line);
    }
    fclose(f);
    int threads = atoi(argv[3]);
    double seconds = atof(argv[4]);
    worker *w = calloc((size_t)threads, sizeof *w);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    for (int t = 0; t < threads; t++) {
        w[t] = (worker){.dir = argv[1], .queries = queries, .n_queries = n, .start = (size_t)t * n / (size_t)threads,
                        .seconds = seconds, .cap = 1000000, .lean = argc == 6 && !strcmp(argv[5], "lean")};
        w[t].lat = malloc(w[t].cap * sizeof *w[t].lat);
        pthread_create(&tid[t], NULL, run, &w[t]);
    }
    size_t total = 0, kept = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        if (w[t].failed)
            return 1;
        total += w[t].done;
    }
    double *all = malloc(total * sizeof *all);
    for (int t = 0; t < threads; t++)
        for (size_t i = 0; i < w[t].done && i < w[t].cap; i++)
            all[kept++] = w[t].lat[i];
    qsort(all, kept, sizeof *all, cmp);
    printf("inprocess%s threads=%d searches=%zu seconds=%.1f per_second=%.0f p50_ms=%.3f p99_ms=%.3f\n", argc == 6 ? " lean" : "", threads, total,
           seconds, (double)total / seconds, all[kept / 2], all[(size_t)((double)kept * 0.99)]);
    return 0;
}
