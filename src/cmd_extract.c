/* cmd_extract.c — `khabar extract`: inputs to clean articles, one JSON a line. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "khabar.h"
#include "commands.h"

static void extract_usage(FILE *out)
{
    fprintf(out,
        "usage: khabar extract [--format F] [--url URL] [--max-record-bytes N] [--quiet] FILE... | -\n"
        "\n"
        "Reads Arabic news material and writes one clean article per line as JSON\n"
        "(JSON Lines) on standard output; the fields are described in docs/article.md.\n"
        "\n"
        "Inputs (the format is decided by content, not by file name):\n"
        "  text   a scraped article page: masthead, headline, dateline, byline,\n"
        "         image captions, then paragraphs and subheadings (one article)\n"
        "  json   a JSON array or JSON Lines of records: SaudiNewsNet records\n"
        "         (source, url, date_extracted, title, author, content), feed items\n"
        "         (headline, body/text, datePublished/date, link) or khabar's own\n"
        "         article JSON, so that extract output can be fed back in\n"
        "  html   a web page (UTF-8, windows-1256 or ISO-8859-6, declared or detected),\n"
        "         optionally with its HTTP response head: the main text only, with\n"
        "         title, date, author, site, canonical URL and language (docs/html.md)\n"
        "  warc   a WARC 1.0/1.1 crawl (.warc, .warc.gz): every HTML response record\n"
        "  archive a .zip, .tar or .tar.gz: every member, detected like a file\n"
        "  gzip- and zstd-compressed inputs are decompressed on the fly; - is stdin.\n"
        "\n"
        "Options:\n"
        "  -f, --format F           auto (default), text, json, html, warc or archive\n"
        "  -u, --url URL            the address of a saved web page (for relative links,\n"
        "                           the id and the source); its canonical link wins\n"
        "      --max-record-bytes N refuse a JSON line or text page larger than N bytes\n"
        "                           (default 8 MiB; suffixes K and M allowed)\n"
        "  -q, --quiet              no summary line on standard error\n"
        "  -h, --help               this help\n"
        "\n"
        "Bad input is reported on standard error as FILE:LINE:COLUMN: reason (or the\n"
        "byte offset), skipped, and counted; the good records are still written.\n"
        "Exit status: 0 all inputs read cleanly, 1 something was skipped, 2 usage error.\n"
        "\n"
        "Examples:\n"
        "  khabar extract ../shared/corpus/seed-article.txt\n"
        "  khabar extract examples/feed.jsonl.gz | head -n 1\n"
        "  khabar extract --url https://example.org/news/1 saved-page.html\n"
        "  khabar extract crawl.warc.gz pages.zip\n"
        "  curl -s https://example.org/feed.json | khabar extract --format json -\n");
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        return -1;
    if (*end == 'K' || *end == 'k')
        v <<= 10, end++;
    else if (*end == 'M' || *end == 'm')
        v <<= 20, end++;
    if (*end || v == 0)
        return -1;
    *out = (size_t)v;
    return 0;
}

int cmd_extract(int argc, char **argv)
{
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"url", required_argument, NULL, 'u'},
        {"max-record-bytes", required_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    kh_extract_options opt;
    kh_extract_options_init(&opt);
    int quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:u:qh", options, NULL)) != -1) {
        switch (c) {
        case 'f': {
            int f = kh_format_from_name(optarg);
            if (f < 0) {
                fprintf(stderr, "khabar extract: unknown format '%s' (use auto, text, json, html, warc or "
                        "archive)\n", optarg);
                return 2;
            }
            opt.format = (kh_format)f;
            break;
        }
        case 'm':
            if (parse_size(optarg, &opt.max_record_bytes) != 0) {
                fprintf(stderr, "khabar extract: --max-record-bytes needs a positive size, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'u':
            if (strncmp(optarg, "http://", 7) != 0 && strncmp(optarg, "https://", 8) != 0) {
                fprintf(stderr, "khabar extract: --url needs an absolute http(s) address, not '%s'\n", optarg);
                return 2;
            }
            opt.url = optarg;
            break;
        case 'q': quiet = 1; break;
        case 'h': extract_usage(stdout); return 0;
        default: extract_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "khabar extract: no input given (name files, or - for standard input)\n\n");
        extract_usage(stderr);
        return 2;
    }

    signal(SIGPIPE, SIG_IGN);  /* a closed pipe (| head) shows up as a write error */
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

    unsigned long articles = 0, bad = 0, failed_inputs = 0, skipped = 0;
    kh_article a;
    kh_article_init(&a);
    kh_error err;
    for (int i = optind; i < argc; i++) {
        kh_reader *r;
        if (kh_reader_open(argv[i], &opt, &r, &err) != KH_OK) {
            fprintf(stderr, "khabar extract: %s\n", err.message);
            failed_inputs++;
            continue;
        }
        kh_status st;
        while ((st = kh_reader_next(r, &a, &err)) != KH_END) {
            if (st != KH_OK) {
                fprintf(stderr, "khabar extract: %s\n", err.message);
                bad++;
                continue;
            }
            char *json = kh_article_to_json(&a);
            if (!json) {
                fprintf(stderr, "khabar extract: out of memory\n");
                kh_reader_close(r);
                kh_article_clear(&a);
                return 1;
            }
            fputs(json, stdout);
            putchar('\n');
            free(json);
            articles++;
            if (ferror(stdout))
                break;
        }
        skipped += kh_reader_skipped(r);
        kh_reader_close(r);
        if (ferror(stdout))
            break;
    }
    kh_article_clear(&a);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno != EPIPE)
            fprintf(stderr, "khabar extract: cannot write output: %s\n", strerror(errno));
        return 1;
    }
    if (!quiet) {
        fprintf(stderr, "khabar extract: %lu article%s written; %lu bad record%s skipped; %lu of %d input%s unreadable",
                articles, articles == 1 ? "" : "s", bad, bad == 1 ? "" : "s", failed_inputs, argc - optind,
                argc - optind == 1 ? "" : "s");
        /* archive members and WARC records that are not pages are no error */
        if (skipped)
            fprintf(stderr, "; %lu record%s or member%s not articles, passed over", skipped,
                    skipped == 1 ? "" : "s", skipped == 1 ? "" : "s");
        fputc('\n', stderr);
    }
    return (bad || failed_inputs) ? 1 : 0;
}
