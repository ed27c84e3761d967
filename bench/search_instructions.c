/* search_instructions.c — searches to count under callgrind: one untimed
 * warm-up pass over the queries (it digests dictionaries, checks chunk CRCs
 * and fills the analyzer's cache, as a long-running server has done), then
 * PASSES measured passes inside measured(), so that
 *
 *   valgrind --tool=callgrind --toggle-collect=measured \
 *       ./search_instructions INDEX QUERIES 1 default
 *
 * counts the instructions of the searches alone; divide by the number of
 * queries for a search's cost. Instruction counts do not depend on the
 * machine's load, which wall-clock timings on the shared machine do.
 *
 * QUERIES: one query a line (e.g. `cut -f4 latency.tsv`). MODE: `default`
 * (the API's default search: 10 hits with snippets, facets, total) or
 * `nosnippets`.
 *
 * cc -O2 -g -std=c17 -D_POSIX_C_SOURCE=200809L -Iinclude bench/search_instructions.c \
 *    build/libkhabar.a $(pkg-config --libs libutf8proc jansson zlib libzstd libxml-2.0 libarchive) \
 *    -lstemmer -lm -lpthread -o search_instructions */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "khabar.h"

static void one_pass(kh_index *ix, char *const *queries, size_t n, const kh_search_options *opt)
{
    for (size_t i = 0; i < n; i++) {
        kh_search_result *r;
        kh_error err;
        if (kh_search(ix, queries[i], opt, &r, &err) != KH_OK) {
            fprintf(stderr, "query %zu: %s\n", i + 1, err.message);
            continue;
        }
        kh_search_result_free(r);
    }
}

/* noinline: the names callgrind's --toggle-collect looks for */
__attribute__((noinline)) static void warm_up(kh_index *ix, char *const *q, size_t n, const kh_search_options *opt)
{
    one_pass(ix, q, n, opt);
}

__attribute__((noinline)) void measured(kh_index *ix, char *const *q, size_t n, const kh_search_options *opt,
                                        int passes)
{
    for (int p = 0; p < passes; p++)
        one_pass(ix, q, n, opt);
}

int main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[4], "default") && strcmp(argv[4], "nosnippets"))) {
        fprintf(stderr, "usage: search_instructions INDEX QUERIES PASSES default|nosnippets\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    char line[16384], **queries = NULL;
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char **grown = realloc(queries, (n + 1) * sizeof *queries);
        if (!grown || !(grown[n] = strdup(line))) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        queries = grown;
        n++;
    }
    fclose(f);
    kh_index *ix;
    kh_error err;
    if (kh_index_open(argv[1], NULL, &ix, &err) != KH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    kh_search_options opt;
    kh_search_options_init(&opt);
    opt.snippets = strcmp(argv[4], "nosnippets") != 0;
    warm_up(ix, queries, n, &opt);
    measured(ix, queries, n, &opt, atoi(argv[3]));
    kh_index_close(ix);
    for (size_t i = 0; i < n; i++)
        free(queries[i]);
    free(queries);
    printf("%zu queries, %d measured passes\n", n, atoi(argv[3]));
    return 0;
}
