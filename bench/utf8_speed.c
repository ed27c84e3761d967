/* utf8_speed.c — kh_utf8_valid's throughput on Arabic news text held in the
 * CPU's caches (a 64 KiB slice of FILE, validated again and again), beside
 * a loop over utf8proc_iterate, the library reference, on the same bytes.
 *
 * build: cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -Iinclude -Ilib bench/utf8_speed.c \
 *          build/libkhabar.a $(pkg-config --libs libutf8proc) -o build/utf8_speed
 * usage: build/utf8_speed FILE   (e.g. build/bench/corpus.txt, which
 *        bench/analyzer_speed.sh writes) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <utf8proc.h>

#include "util/utf8.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int utf8proc_valid(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return 0;
        i += (size_t)n;
    }
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    static unsigned char text[64 << 10];
    size_t n = f ? fread(text, 1, sizeof text, f) : 0;
    if (f)
        fclose(f);
    while (n && (text[n - 1] & 0xC0) == 0x80) /* end on a whole character */
        n--;
    if (n)
        n--;
    if (!n || !kh_utf8_valid((const char *)text, n, NULL)) {
        fprintf(stderr, "%s: no valid UTF-8 text to measure\n", argv[1]);
        return 1;
    }
    const int rounds = 20000;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        long ok = 0;
        for (int r = 0; r < rounds; r++)
            ok += kh_utf8_valid((const char *)text, n, NULL);
        double t1 = now();
        for (int r = 0; r < rounds; r++)
            ok += utf8proc_valid(text, n);
        double t2 = now();
        printf("kh_utf8_valid %6.0f MB/s   utf8proc_iterate loop %6.0f MB/s   (%zu bytes x %d, %ld valid)\n",
               (double)n * rounds / (t1 - t0) / 1e6, (double)n * rounds / (t2 - t1) / 1e6, n, rounds, ok);
    }
    return 0;
}
