/* commands.h — the khabar tool's subcommands.
 *
 * Each subcommand lives in src/cmd_NAME.c as `int cmd_NAME(int argc, char **argv)`
 * (argv[0] is the subcommand's name) and returns the process exit status:
 * 0 success, 1 some input was bad or nothing matched, 2 usage error.
 * The tool uses only the public API (include/khabar.h). */
#ifndef KH_TOOL_COMMANDS_H
#define KH_TOOL_COMMANDS_H

#include <stdio.h>

int cmd_extract(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_optimize(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* The options of the index commands (check, optimize, stats, show, delete):
 * -i/--index DIR (default ./khabar-index), -h/--help, and optionally one
 * boolean flag of the command's own. */
typedef struct cli_index_spec {
    const char *command;            /* for messages: "check" */
    void (*usage)(FILE *out);
    const char *flag;               /* long name of the command's flag ("quiet"), or NULL */
    char flag_letter;               /* its short form ('q') */
    const char *arguments;          /* NULL: none allowed; else what is required, e.g. "id or url" */
} cli_index_spec;

/* Parses argv per spec. Returns -1 to go on (*dir and *flag set, optind at
 * the first argument), or the exit status: 0 after --help, 2 on misuse. */
int cli_index_args(int argc, char **argv, const cli_index_spec *spec, const char **dir, int *flag);

#endif
