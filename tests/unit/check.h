/* check.h — the smallest test harness that reports well.
 *
 * CHECK(cond) records a failure with file:line and the expression and goes on,
 * so one run shows every broken assertion. check_done() prints a summary and
 * returns the process exit status (0 when nothing failed). */
#ifndef KH_TEST_CHECK_H
#define KH_TEST_CHECK_H

#include <stddef.h>

void check_true(int ok, const char *expr, const char *file, int line);
void check_str(const char *got, const char *want, const char *expr, const char *file, int line);
void check_long(long got, long want, const char *expr, const char *file, int line);
int check_done(void);
/* Returns getenv(name) or NULL; skips the whole test (exit 77) when
 * `required` and the directory it names does not exist. */
const char *check_dir_env(const char *name, const char *subpath, int required);
/* Reads a whole file into a NUL-terminated buffer (caller frees); NULL on error. */
char *check_read_file(const char *path, size_t *len);

#define CHECK(cond) check_true(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(got, want) check_str((got), (want), #got, __FILE__, __LINE__)
#define CHECK_INT(got, want) check_long((long)(got), (long)(want), #got, __FILE__, __LINE__)

#endif
