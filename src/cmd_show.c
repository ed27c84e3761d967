/* cmd_show.c — `khabar show`: print one stored article as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "khabar.h"
#include "commands.h"

static void show_usage(FILE *out)
{
    fprintf(out,
        "usage: khabar show [--index DIR] ID|URL...\n"
        "\n"
        "Prints each article whose id or url is given, whole, as one line of JSON in\n"
        "the shape of `khabar extract` (docs/article.md). Ids are shown by\n"
        "`khabar search`.\n"
        "\n"
        "Options:\n"
        "  -i, --index DIR   the index directory (default ./khabar-index)\n"
        "  -h, --help        this help\n"
        "\n"
        "Exit status: 0 all found, 1 some not found or an error, 2 usage error.\n"
        "\n"
        "Example:\n"
        "  khabar show --index news http://aawsat.com/home/article/410826\n");
}

int cmd_show(int argc, char **argv)
{
    static const cli_index_spec spec = {"show", show_usage, NULL, 0, "id or url"};
    const char *dir;
    int done = cli_index_args(argc, argv, &spec, &dir, NULL);
    if (done >= 0)
        return done;
    kh_error err;
    kh_index *ix;
    if (kh_index_open(dir, NULL, &ix, &err) != KH_OK) {
        fprintf(stderr, "khabar show: %s\n", err.message);
        return 1;
    }
    int status = 0;
    kh_article a;
    kh_article_init(&a);
    for (int i = optind; i < argc; i++) {
        if (kh_index_get(ix, argv[i], &a, &err) != KH_OK) {
            fprintf(stderr, "khabar show: %s\n", err.message);
            status = 1;
            continue;
        }
        char *json = kh_article_to_json(&a);
        if (!json) {
            fprintf(stderr, "khabar show: out of memory\n");
            status = 1;
            break;
        }
        puts(json);
        free(json);
    }
    kh_article_clear(&a);
    kh_index_close(ix);
    return status;
}
