/* cmd_stats.c — `khabar stats`: what an index holds. */
#include <stdio.h>
#include <string.h>

#include "khabar.h"
#include "commands.h"

static void stats_usage(FILE *out)
{
    fprintf(out,
        "usage: khabar stats [--index DIR] [--json]\n"
        "\n"
        "Shows the index's current commit: articles (live and deleted), segments,\n"
        "distinct terms (summed over segments), sizes on disk — the inverted index\n"
        "(dictionary, postings with positions, per-article values) apart from the\n"
        "compressed stored articles — and the analyzer that built it.\n"
        "\n"
        "Options:\n"
        "  -i, --index DIR   the index directory (default ./khabar-index)\n"
        "      --json        one JSON object instead of text\n"
        "  -h, --help        this help\n"
        "\n"
        "Example:\n"
        "  khabar stats --index news\n");
}

int cmd_stats(int argc, char **argv)
{
    static const cli_index_spec spec = {"stats", stats_usage, "json", 'j', NULL};
    const char *dir;
    int json;
    int done = cli_index_args(argc, argv, &spec, &dir, &json);
    if (done >= 0)
        return done;
    kh_error err;
    kh_index *ix;
    if (kh_index_open(dir, NULL, &ix, &err) != KH_OK) {
        fprintf(stderr, "khabar stats: %s\n", err.message);
        return 1;
    }
    kh_index_stats s;
    if (kh_index_stats_get(ix, &s, &err) != KH_OK) {
        fprintf(stderr, "khabar stats: %s\n", err.message);
        kh_index_close(ix);
        return 1;
    }
    kh_index_close(ix);
    if (json) {
        printf("{\"generation\":%llu,\"articles\":%zu,\"deleted\":%zu,\"segments\":%zu,\"terms\":%zu,"
               "\"bytes_total\":%llu,\"bytes_index\":%llu,\"bytes_stored\":%llu,\"analyzer\":\"",
               (unsigned long long)s.generation, s.articles, s.deleted, s.segments, s.terms,
               (unsigned long long)s.bytes_total, (unsigned long long)s.bytes_postings,
               (unsigned long long)s.bytes_stored);
        for (const char *p = s.analyzer; *p; p++)
            if (*p == '"' || *p == '\\')
                printf("\\%c", *p);
            else if ((unsigned char)*p >= 0x20)
                putchar(*p);
        puts("\"}");
        return 0;
    }
    printf("index:     %s (commit %llu)\n", dir, (unsigned long long)s.generation);
    printf("articles:  %zu (+ %zu deleted, not yet merged away)\n", s.articles, s.deleted);
    printf("segments:  %zu\n", s.segments);
    printf("terms:     %zu\n", s.terms);
    printf("size:      %.1f MB total: %.1f MB inverted index, %.1f MB stored articles (zstd)\n",
           s.bytes_total / 1e6, s.bytes_postings / 1e6, s.bytes_stored / 1e6);
    printf("analyzer:  %s\n", s.analyzer);
    return 0;
}
