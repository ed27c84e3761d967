/* commands.h — the khabar tool's subcommands.
 *
 * Each subcommand lives in src/cmd_NAME.c as `int cmd_NAME(int argc, char **argv)`
 * (argv[0] is the subcommand's name) and returns the process exit status:
 * 0 success, 1 some input was bad or nothing matched, 2 usage error.
 * The tool uses only the public API (include/khabar.h). */
#ifndef KH_TOOL_COMMANDS_H
#define KH_TOOL_COMMANDS_H

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

#endif
