#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int passed, failed;

void check_true(int ok, const char *expr, const char *file, int line)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, expr);
}

void check_str(const char *got, const char *want, const char *expr, const char *file, int line)
{
    if ((got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0)) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "%s:%d: FAILED: %s\n    got:  %s%s%s\n    want: %s%s%s\n", file, line, expr,
            got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
            want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
}

void check_long(long got, long want, const char *expr, const char *file, int line)
{
    if (got == want) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "%s:%d: FAILED: %s\n    got:  %ld\n    want: %ld\n", file, line, expr, got, want);
}

int check_done(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

const char *check_dir_env(const char *name, const char *subpath, int required)
{
    const char *dir = getenv(name);
    if (!required)
        return dir;
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", subpath ? subpath : "");
    if (!dir || stat(path, &st) != 0) {
        printf("SKIP: %s not found (set %s)\n", path, name);
        exit(77);
    }
    return dir;
}

char *check_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2 + 1);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}
