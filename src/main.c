/* main.c — the khabar command line: finds the subcommand and runs it. */
#include <stdio.h>
#include <string.h>

#include "khabar.h"
#include "commands.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"extract", cmd_extract, "turn scraped pages and JSON feeds into clean articles (JSONL)"},
    {"analyze", cmd_analyze, "show how text is normalised, tokenised and stemmed"},
    {"ingest", cmd_ingest, "index articles from files, directories or stdin (creates the index)"},
    {"search", cmd_search, "search an index: ranked articles with highlighted snippets"},
    {"show", cmd_show, "print a stored article (JSON) by id or url"},
    {"delete", cmd_delete, "delete articles by id or url"},
    {"stats", cmd_stats, "what an index holds: articles, segments, terms, sizes, analyzer"},
    {"check", cmd_check, "verify every checksum and structure of an index"},
    {"optimize", cmd_optimize, "merge an index into one segment, dropping deleted articles"},
    {"serve", cmd_serve, "serve an index over HTTP: JSON API and an Arabic web page"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "khabar %s — an Arabic news engine\n"
            "\n"
            "usage: khabar COMMAND [OPTIONS] [ARGS]\n"
            "\n"
            "commands:\n",
            KH_VERSION_STRING);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "Run 'khabar COMMAND --help' for a command's options and examples.\n"
            "Documentation: docs/ in the source tree (start with docs/architecture.md).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(name, "--version") || !strcmp(name, "version")) {
        printf("khabar %s\n", KH_VERSION_STRING);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "khabar: unknown command '%s'\n\n", name);
    usage(stderr);
    return 2;
}
