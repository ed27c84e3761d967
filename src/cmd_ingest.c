/* cmd_ingest.c — `khabar ingest`: read inputs, index their articles. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "khabar.h"
#include "commands.h"

static void ingest_usage(FILE *out)
{
    fprintf(out,
        "usage: khabar ingest [--index DIR] [OPTIONS] INPUT...\n"
        "\n"
        "Reads articles from INPUTs (files, directories walked recursively, or - for\n"
        "standard input; every format `khabar extract` reads, gzip/zstd included) and\n"
        "adds them to the index in DIR, creating it if needed. An article whose id is\n"
        "already indexed replaces the old copy, so re-ingesting is safe.\n"
        "\n"
        "Work is committed every N articles and every S seconds, and at the end: each\n"
        "commit is atomic and durable, so if ingest is interrupted (even by kill -9 or\n"
        "a power cut) the index holds exactly the last commit. Only one ingest may\n"
        "write an index at a time; searches may run meanwhile.\n"
        "\n"
        "Options:\n"
        "  -i, --index DIR        the index directory (default ./khabar-index)\n"
        "  -f, --format F         auto (default), text, json, html, warc or archive\n"
        "  -n, --commit-every N   commit after every N articles (default 10000)\n"
        "      --commit-seconds S commit at least every S seconds (default 60; 0 = never)\n"
        "      --ram-buffer MB    write a segment when buffered data exceed MB (default 256);\n"
        "                         with it the writer's memory does not grow with the index\n"
        "  -j, --threads N        analysis threads (default: one per CPU this process may\n"
        "                         use, up to 4)\n"
        "      --stemmer NAME     analyzer for a new index: light (default), light10,\n"
        "                         snowball or none; an existing index keeps its own\n"
        "  -v, --verbose          report every commit on standard error\n"
        "  -q, --quiet            no progress and no summary\n"
        "  -h, --help             this help\n"
        "\n"
        "A progress line (articles, MB of text, rate, ETA) is shown when standard error\n"
        "is a terminal. Bad records are reported as FILE:LINE: reason, skipped and\n"
        "counted; the good ones are indexed.\n"
        "Exit status: 0 every input read cleanly, 1 something was skipped or failed,\n"
        "2 usage error.\n"
        "\n"
        "Examples:\n"
        "  khabar ingest --index news ../shared/corpus/saudinewsnet.jsonl.gz\n"
        "  khabar extract pages/ | khabar ingest --index news -\n"
        "  khabar ingest --index news --commit-every 1000 archive/2015/\n");
}

typedef struct inputs {
    char **paths;
    size_t n, cap;
} inputs;

static int push_path(inputs *in, const char *p)
{
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 64;
        char **q = realloc(in->paths, cap * sizeof *q);
        if (!q)
            return -1;
        in->paths = q;
        in->cap = cap;
    }
    if (!(in->paths[in->n] = strdup(p)))
        return -1;
    in->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the regular files under dir (sorted, hidden ones skipped). */
static int walk(inputs *in, const char *dir, int depth)
{
    if (depth > 64)
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "khabar ingest: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    inputs here = {0};
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            push_path(&here, path);
        }
    closedir(d);
    qsort(here.paths, here.n, sizeof *here.paths, cmp_str);
    int bad = 0;
    for (size_t i = 0; i < here.n; i++) {
        struct stat sb;
        if (stat(here.paths[i], &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode))
            bad |= walk(in, here.paths[i], depth + 1);
        else if (S_ISREG(sb.st_mode))
            push_path(in, here.paths[i]);
        free(here.paths[i]);
    }
    free(here.paths);
    return bad;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t article_bytes(const kh_article *a)
{
    size_t n = a->title ? strlen(a->title) : 0;
    for (size_t i = 0; i < a->n_blocks; i++)
        n += strlen(a->blocks[i].text);
    return n;
}

static void progress(unsigned long articles, double mb, double t0, double done_frac, int final)
{
    double el = now() - t0;
    double rate = el > 0 ? articles / el : 0;
    fprintf(stderr, "\r  %lu articles  %.1f MB  %.0f articles/s  %.1f MB/s", articles, mb, rate,
            el > 0 ? mb / el : 0);
    if (!final && done_frac > 0.01 && done_frac < 1) {
        double eta = el / done_frac - el;
        fprintf(stderr, "  ETA %d:%02d", (int)eta / 60, (int)eta % 60);
    }
    fprintf(stderr, "\033[K");
    if (final)
        fputc('\n', stderr);
}

static int parse_count(const char *s, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || *s == '-')
        return -1;
    *out = v;
    return 0;
}

int cmd_ingest(int argc, char **argv)
{
    static const struct option options[] = {
        {"index", required_argument, NULL, 'i'},
        {"format", required_argument, NULL, 'f'},
        {"commit-every", required_argument, NULL, 'n'},
        {"commit-seconds", required_argument, NULL, 's'},
        {"ram-buffer", required_argument, NULL, 'r'},
        {"stemmer", required_argument, NULL, 'S'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"threads", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = "khabar-index";
    int verbose = 0;
    kh_extract_options xopt;
    kh_extract_options_init(&xopt);
    kh_index_options iopt;
    kh_index_options_init(&iopt);
    iopt.writable = 1;
    iopt.create = 1;
    unsigned long every = 10000, seconds = 60, ram_mb = 0;
    int quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:f:n:qvj:h", options, NULL)) != -1) {
        switch (c) {
        case 'i': dir = optarg; break;
        case 'f': {
            int f = kh_format_from_name(optarg);
            if (f < 0) {
                fprintf(stderr, "khabar ingest: unknown format '%s' (use auto, text, json, html, warc or archive)\n", optarg);
                return 2;
            }
            xopt.format = (kh_format)f;
            break;
        }
        case 'n':
            if (parse_count(optarg, &every) != 0 || every == 0) {
                fprintf(stderr, "khabar ingest: --commit-every needs a positive number, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 's':
            if (parse_count(optarg, &seconds) != 0) {
                fprintf(stderr, "khabar ingest: --commit-seconds needs a number, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'r':
            if (parse_count(optarg, &ram_mb) != 0 || ram_mb == 0 || ram_mb > (1ul << 20)) {
                fprintf(stderr, "khabar ingest: --ram-buffer needs a size in MB, not '%s'\n", optarg);
                return 2;
            }
            iopt.ram_buffer_bytes = (size_t)ram_mb << 20;
            break;
        case 'S': iopt.stemmer = optarg; break;
        case 'q': quiet = 1; break;
        case 'v': verbose = 1; break;
        case 'j': {
            unsigned long t;
            if (parse_count(optarg, &t) != 0 || t == 0 || t > 64) {
                fprintf(stderr, "khabar ingest: --threads needs a number from 1 to 64, not '%s'\n", optarg);
                return 2;
            }
            iopt.threads = (int)t;
            break;
        }
        case 'h': ingest_usage(stdout); return 0;
        default: ingest_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "khabar ingest: no input given (name files or directories, or - for standard input)\n\n");
        ingest_usage(stderr);
        return 2;
    }
    inputs in = {0};
    int failed_inputs = 0;
    for (int i = optind; i < argc; i++) {
        struct stat sb;
        if (strcmp(argv[i], "-") != 0 && stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            failed_inputs |= walk(&in, argv[i], 0);
        else
            push_path(&in, argv[i]);
    }
    double total_bytes = 0, done_bytes = 0;
    for (size_t i = 0; i < in.n; i++) {
        struct stat sb;
        if (strcmp(in.paths[i], "-") != 0 && stat(in.paths[i], &sb) == 0)
            total_bytes += (double)sb.st_size;
    }

    kh_error err;
    kh_index *ix;
    kh_status st = kh_index_open(dir, &iopt, &ix, &err);
    if (st != KH_OK) {
        fprintf(stderr, "khabar ingest: %s\n", err.message);
        for (size_t i = 0; i < in.n; i++)
            free(in.paths[i]);
        free(in.paths);
        return st == KH_ERR_ARGUMENT ? 2 : 1;
    }
    int tty = !quiet && isatty(2);
    double t0 = now(), last_commit = t0, last_progress = 0;
    unsigned long articles = 0, bad = 0, since_commit = 0, commits = 0, passed_over = 0;
    double mb = 0;
    kh_article a;
    kh_article_init(&a);
    int fatal = 0;
    for (size_t i = 0; i < in.n && !fatal; i++) {
        kh_reader *r;
        if (kh_reader_open(in.paths[i], &xopt, &r, &err) != KH_OK) {
            fprintf(stderr, "%skhabar ingest: %s\n", tty ? "\r\033[K" : "", err.message);
            failed_inputs = 1;
            continue;
        }
        while ((st = kh_reader_next(r, &a, &err)) != KH_END) {
            if (st != KH_OK) {
                fprintf(stderr, "%skhabar ingest: %s\n", tty ? "\r\033[K" : "", err.message);
                bad++;
                continue;
            }
            if ((st = kh_index_add(ix, &a, &err)) != KH_OK) {
                if (st == KH_ERR_ARGUMENT) { /* this article only (e.g. no id) */
                    fprintf(stderr, "%skhabar ingest: %s: %s\n", tty ? "\r\033[K" : "", in.paths[i], err.message);
                    bad++;
                    continue;
                }
                fprintf(stderr, "%skhabar ingest: %s\n", tty ? "\r\033[K" : "", err.message);
                fatal = 1;
                break;
            }
            articles++;
            since_commit++;
            mb += article_bytes(&a) / 1e6;
            double t = now();
            if (since_commit >= every || (seconds && t - last_commit >= (double)seconds)) {
                if ((st = kh_index_commit(ix, &err)) != KH_OK) {
                    fprintf(stderr, "%skhabar ingest: commit failed: %s\n", tty ? "\r\033[K" : "", err.message);
                    fatal = 1;
                    break;
                }
                commits++;
                since_commit = 0;
                last_commit = t;
                if (verbose)
                    fprintf(stderr, "%skhabar ingest: committed after %lu articles\n", tty ? "\r\033[K" : "",
                            articles);
            }
            if (tty && t - last_progress > 0.25) {
                progress(articles, mb, t0, total_bytes > 0 ? done_bytes / total_bytes : 0, 0);
                last_progress = t;
            }
        }
        passed_over += kh_reader_skipped(r);
        kh_reader_close(r);
        if (strcmp(in.paths[i], "-") != 0) {
            struct stat sb;
            if (stat(in.paths[i], &sb) == 0)
                done_bytes += (double)sb.st_size;
        }
    }
    kh_article_clear(&a);
    if (!fatal) {
        if ((st = kh_index_commit(ix, &err)) != KH_OK) {
            fprintf(stderr, "%skhabar ingest: commit failed: %s\n", tty ? "\r\033[K" : "", err.message);
            fatal = 1;
        } else {
            commits++;
            if (verbose)
                fprintf(stderr, "khabar ingest: committed after %lu articles\n", articles);
        }
    }
    if (tty)
        progress(articles, mb, t0, 1, 1);
    kh_index_stats stats;
    if (!quiet && kh_index_stats_get(ix, &stats, &err) == KH_OK) {
        double el = now() - t0;
        fprintf(stderr,
                "khabar ingest: %lu article%s indexed from %zu input%s in %.1f s (%.1f MB of text, %.1f MB/s); "
                "%lu bad record%s skipped; %lu record%s or member%s not articles, passed over\n"
                "khabar ingest: %s now holds %zu articles in %zu segment%s (%.1f MB)%s\n",
                articles, articles == 1 ? "" : "s", in.n, in.n == 1 ? "" : "s", el, mb, el > 0 ? mb / el : 0,
                bad, bad == 1 ? "" : "s", passed_over, passed_over == 1 ? "" : "s", passed_over == 1 ? "" : "s",
                dir, stats.articles, stats.segments, stats.segments == 1 ? "" : "s",
                stats.bytes_total / 1e6, fatal ? " — the last batch was NOT committed" : "");
    }
    kh_index_close(ix);
    for (size_t i = 0; i < in.n; i++)
        free(in.paths[i]);
    free(in.paths);
    return (fatal || bad || failed_inputs) ? 1 : 0;
}
