/* cmd_delete.c — `khabar delete`: remove articles from an index. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "khabar.h"
#include "commands.h"

static void delete_usage(FILE *out)
{
    fprintf(out,
        "usage: khabar delete [--index DIR] ID|URL...\n"
        "\n"
        "Deletes the articles whose id or url is given, in one atomic commit. The\n"
        "space they took is reclaimed when segments are merged (`khabar optimize`).\n"
        "\n"
        "Options:\n"
        "  -i, --index DIR   the index directory (default ./khabar-index)\n"
        "  -q, --quiet       no summary line\n"
        "  -h, --help        this help\n"
        "\n"
        "Exit status: 0 every key matched an article, 1 some did not or an error,\n"
        "2 usage error.\n"
        "\n"
        "Example:\n"
        "  khabar delete --index news 6f1c2a9e0b7d4c55\n");
}

int cmd_delete(int argc, char **argv)
{
    static const cli_index_spec spec = {"delete", delete_usage, "quiet", 'q', "id or url"};
    const char *dir;
    int quiet;
    int done = cli_index_args(argc, argv, &spec, &dir, &quiet);
    if (done >= 0)
        return done;
    kh_index_options opt;
    kh_index_options_init(&opt);
    opt.writable = 1;
    kh_error err;
    kh_index *ix;
    if (kh_index_open(dir, &opt, &ix, &err) != KH_OK) {
        fprintf(stderr, "khabar delete: %s\n", err.message);
        return 1;
    }
    int status = 0;
    size_t total = 0;
    for (int i = optind; i < argc; i++) {
        size_t n = 0;
        if (kh_index_delete(ix, argv[i], &n, &err) != KH_OK) {
            fprintf(stderr, "khabar delete: %s\n", err.message);
            kh_index_close(ix);
            return 1;
        }
        if (n == 0) {
            fprintf(stderr, "khabar delete: no article with id or url '%s'\n", argv[i]);
            status = 1;
        }
        total += n;
    }
    if (kh_index_commit(ix, &err) != KH_OK) {
        fprintf(stderr, "khabar delete: commit failed, nothing was deleted: %s\n", err.message);
        kh_index_close(ix);
        return 1;
    }
    if (!quiet)
        fprintf(stderr, "khabar delete: %zu article%s deleted\n", total, total == 1 ? "" : "s");
    kh_index_close(ix);
    return status;
}
