/* cmd_search.c — `khabar search`: query an index, print ranked articles. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "khabar.h"
#include "commands.h"

static void search_usage(FILE *out)
{
    fprintf(out,
        "usage: khabar search [--index DIR] [OPTIONS] QUERY...\n"
        "\n"
        "Finds articles in the index, best first (BM25 with title and headings\n"
        "weighted above the body, and a boost when the query's words stand together).\n"
        "Several QUERY arguments are joined with spaces.\n"
        "\n"
        "Query language (docs/search.md):\n"
        "  نفط أسعار                 both words (spelling variants match: أ/إ/ا, ة/ه, ى/ي,\n"
        "                            diacritics, tatweel, the article ال, light stemming)\n"
        "  نفط OR غاز                either word; OR binds tighter than the implied AND\n"
        "  نفط -ذهب                  without a word\n"
        "  \"مجلس الوزراء\"            the exact phrase\n"
        "  اقتصا*                    any word starting so\n"
        "  (نفط OR غاز) أسعار        grouping\n"
        "  title:نفط  author:حنوش  source:aawsat    one field only\n"
        "  published:2015-07-01..2015-07-31         a date range (either end may be empty)\n"
        "\n"
        "Options:\n"
        "  -i, --index DIR      the index directory (default ./khabar-index)\n"
        "  -n, --limit N        hits to show (default 10)\n"
        "      --offset N       hits to skip, for paging (default 0)\n"
        "      --from DATE      published on or after DATE (YYYY-MM-DD)\n"
        "      --to DATE        published on or before DATE (YYYY-MM-DD, inclusive)\n"
        "      --source S       only articles from source S\n"
        "      --sort ORDER     relevance (default) or date (newest first)\n"
        "      --or             bare words are ORed instead of ANDed\n"
        "      --strict         never complete a short page with articles holding only\n"
        "                       some of the words (by default they follow every full\n"
        "                       match, marked \"some words missing\"; not in the total)\n"
        "      --facets         also print counts by source and by day (always in --json)\n"
        "      --json           one JSON object: {\"total\", \"total_exact\", \"hits\":\n"
        "                       [{\"id\", \"score\", \"title\", \"source\", \"published\", \"url\",\n"
        "                       \"snippet\", \"highlights\": [[start, end], ...], \"partial\"}],\n"
        "                       \"facets\": {\"source\": [...], \"day\": [...]}, \"note\"}\n"
        "                       (highlights are byte offsets into snippet)\n"
        "  -h, --help           this help\n"
        "\n"
        "Matches in snippets are shown in bold on a terminal, else between [ and ].\n"
        "Exit status: 0 something was found, 1 nothing was or an error, 2 usage error.\n"
        "\n"
        "Examples:\n"
        "  khabar search --index news 'أسعار النفط'\n"
        "  khabar search --index news --sort date --from 2015-07-01 '\"مجلس الوزراء\"'\n"
        "  khabar search --index news --json --limit 3 'title:الهلال OR title:النصر'\n");
}

static void json_str(const char *s)
{
    if (!s) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        default:
            if (c < 0x20)
                printf("\\u%04x", c);
            else
                putchar(c);
        }
    }
    putchar('"');
}

static void print_facets_json(const kh_facet *f, size_t n)
{
    putchar('[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            putchar(',');
        fputs("{\"value\":", stdout);
        json_str(f[i].value);
        printf(",\"count\":%zu}", f[i].count);
    }
    putchar(']');
}

static void print_json(const kh_search_result *r)
{
    printf("{\"total\":%zu,\"total_exact\":%s,\"hits\":[", r->total, r->total_exact ? "true" : "false");
    for (size_t i = 0; i < r->n_hits; i++) {
        const kh_hit *h = &r->hits[i];
        if (i)
            putchar(',');
        fputs("{\"id\":", stdout);
        json_str(h->id);
        printf(",\"score\":%.4f,\"title\":", h->score);
        json_str(h->title);
        fputs(",\"source\":", stdout);
        json_str(h->source);
        fputs(",\"published\":", stdout);
        json_str(h->published);
        fputs(",\"url\":", stdout);
        json_str(h->url);
        fputs(",\"snippet\":", stdout);
        json_str(h->snippet);
        fputs(",\"highlights\":[", stdout);
        for (size_t k = 0; k < h->n_highlights; k++)
            printf("%s[%zu,%zu]", k ? "," : "", h->highlights[k].start, h->highlights[k].end);
        printf("],\"partial\":%s}", h->partial ? "true" : "false");
    }
    fputs("],\"facets\":{\"source\":", stdout);
    print_facets_json(r->by_source, r->n_by_source);
    fputs(",\"day\":", stdout);
    print_facets_json(r->by_day, r->n_by_day);
    fputs("},\"note\":", stdout);
    json_str(r->note);
    fputs("}\n", stdout);
}

static void print_snippet(const kh_hit *h, int tty)
{
    const char *on = tty ? "\033[1m" : "[", *off = tty ? "\033[0m" : "]";
    size_t at = 0;
    for (size_t k = 0; k < h->n_highlights; k++) {
        const kh_highlight *x = &h->highlights[k];
        if (x->start < at)
            continue;
        fwrite(h->snippet + at, 1, x->start - at, stdout);
        fputs(on, stdout);
        fwrite(h->snippet + x->start, 1, x->end - x->start, stdout);
        fputs(off, stdout);
        at = x->end;
    }
    fputs(h->snippet + at, stdout);
}

static void print_human(const kh_search_result *r, const kh_search_options *opt, int facets)
{
    int tty = isatty(1);
    if (r->note)
        printf("note: %s\n", r->note);
    if (r->n_hits == 0)
        printf("no results (%s%zu matching)\n", r->total_exact ? "" : "at least ", r->total);
    else if (r->total == 0)
        printf("no article holds every word; showing %zu–%zu of those holding some\n\n", opt->offset + 1,
               opt->offset + r->n_hits);
    else
        printf("%s%zu result%s, showing %zu–%zu\n\n", r->total_exact ? "" : "at least ", r->total,
               r->total == 1 ? "" : "s", opt->offset + 1, opt->offset + r->n_hits);
    for (size_t i = 0; i < r->n_hits; i++) {
        const kh_hit *h = &r->hits[i];
        printf("%zu. %s%s%s\n", opt->offset + i + 1, tty ? "\033[1m" : "", h->title ? h->title : "(untitled)",
               tty ? "\033[0m" : "");
        printf("   %s · %.10s · score %.2f%s\n", h->source ? h->source : "?", h->published ? h->published : "undated",
               h->score, h->partial ? " · some words missing" : "");
        if (h->url)
            printf("   %s\n", h->url);
        if (h->snippet && *h->snippet) {
            fputs("   ", stdout);
            print_snippet(h, tty);
            putchar('\n');
        }
        printf("   id: %s\n\n", h->id ? h->id : "?");
    }
    if (facets) {
        fputs("by source:", stdout);
        for (size_t i = 0; i < r->n_by_source; i++)
            printf(" %s %zu%s", r->by_source[i].value, r->by_source[i].count, i + 1 < r->n_by_source ? "," : "");
        fputs("\nby day:", stdout);
        for (size_t i = 0; i < r->n_by_day; i++)
            printf(" %s %zu%s", r->by_day[i].value, r->by_day[i].count, i + 1 < r->n_by_day ? "," : "");
        putchar('\n');
    }
}

static int parse_num(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v > 1000000)
        return -1;
    *out = (size_t)v;
    return 0;
}

int cmd_search(int argc, char **argv)
{
    static const struct option options[] = {
        {"index", required_argument, NULL, 'i'},
        {"limit", required_argument, NULL, 'n'},
        {"offset", required_argument, NULL, 'o'},
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {"source", required_argument, NULL, 's'},
        {"sort", required_argument, NULL, 'S'},
        {"or", no_argument, NULL, 'O'},
        {"strict", no_argument, NULL, 'X'},
        {"facets", no_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = "khabar-index";
    kh_search_options opt;
    kh_search_options_init(&opt);
    int json = 0, facets = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:n:h", options, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'n':
            if (parse_num(optarg, &opt.limit) != 0) {
                fprintf(stderr, "khabar search: --limit needs a number up to 1000000, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'o':
            if (parse_num(optarg, &opt.offset) != 0) {
                fprintf(stderr, "khabar search: --offset needs a number up to 1000000, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'F': opt.from = optarg; break;
        case 'T': opt.to = optarg; break;
        case 's': opt.source = optarg; break;
        case 'S':
            if (!strcmp(optarg, "relevance"))
                opt.sort = KH_SORT_RELEVANCE;
            else if (!strcmp(optarg, "date"))
                opt.sort = KH_SORT_DATE;
            else {
                fprintf(stderr, "khabar search: --sort is relevance or date, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'O': opt.default_or = 1; break;
        case 'X': opt.relax = 0; break;
        case 'a': facets = 1; break;
        case 'j': json = 1; break;
        case 'h': search_usage(stdout); return 0;
        default: search_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "khabar search: no query given\n\n");
        search_usage(stderr);
        return 2;
    }
    size_t qlen = 0;
    for (int i = optind; i < argc; i++)
        qlen += strlen(argv[i]) + 1;
    char *query = malloc(qlen + 1);
    if (!query)
        return 1;
    query[0] = '\0';
    for (int i = optind; i < argc; i++) {
        if (i > optind)
            strcat(query, " ");
        strcat(query, argv[i]);
    }
    kh_error err;
    kh_index *ix;
    kh_status st = kh_index_open(dir, NULL, &ix, &err);
    if (st != KH_OK) {
        fprintf(stderr, "khabar search: %s\n", err.message);
        free(query);
        return 1;
    }
    kh_search_result *r;
    st = kh_search(ix, query, &opt, &r, &err);
    free(query);
    if (st != KH_OK) {
        fprintf(stderr, "khabar search: %s\n", err.message);
        kh_index_close(ix);
        return st == KH_ERR_PARSE || st == KH_ERR_ARGUMENT || st == KH_ERR_TOO_LARGE ? 2 : 1;
    }
    if (json)
        print_json(r);
    else
        print_human(r, &opt, facets);
    int status = r->total > 0 || r->n_hits > 0 ? 0 : 1;
    kh_search_result_free(r);
    kh_index_close(ix);
    if (fflush(stdout) != 0)
        return 1;
    return status;
}
