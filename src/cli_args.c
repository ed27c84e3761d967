/* cli_args.c — the options every index command shares.
 *
 * check, optimize, stats, show and delete all take --index DIR and --help,
 * at most one flag of their own, and either no arguments or one or more
 * ids/urls; one parser keeps their behaviour and messages the same. */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"

int cli_index_args(int argc, char **argv, const cli_index_spec *spec, const char **dir, int *flag)
{
    struct option options[] = {
        {"index", required_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
        {NULL, 0, NULL, 0},
    };
    char optstring[8] = "i:h";
    if (spec->flag) {
        options[2] = (struct option){spec->flag, no_argument, NULL, spec->flag_letter};
        optstring[3] = spec->flag_letter;
    }
    *dir = "khabar-index";
    if (flag)
        *flag = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, optstring, options, NULL)) != -1) {
        if (c == 'i') {
            *dir = optarg;
        } else if (c == 'h') {
            spec->usage(stdout);
            return 0;
        } else if (spec->flag && c == spec->flag_letter && flag) {
            *flag = 1;
        } else {
            spec->usage(stderr);
            return 2;
        }
    }
    if (spec->arguments && optind >= argc) {
        fprintf(stderr, "khabar %s: no %s given\n\n", spec->command, spec->arguments);
        spec->usage(stderr);
        return 2;
    }
    if (!spec->arguments && optind < argc) {
        fprintf(stderr, "khabar %s: unexpected argument '%s'\n", spec->command, argv[optind]);
        return 2;
    }
    return -1;
}
