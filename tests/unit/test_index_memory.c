/* test_index_memory.c — a writer's memory does not grow with what it
 * reads or merges (docs/index.md, "Scaling").
 *
 * The process's peak resident memory is reset (/proc/self/clear_refs, 5)
 * before an operation and read after it (VmHWM), so the test measures the
 * operation's own peak, mapped file pages included, and fails when:
 *
 * - checking a section reads it all into resident memory: a 48 MB
 *   section, checked, may raise the peak by at most 16 MB (1.2 MB now;
 *   48 MB at ec631cd, where the CRC was computed over the mapping in one
 *   go, and so the writer's peak grew with its largest segment's postings);
 * - merging holds what it reads or writes: optimizing two segments with
 *   400,000 distinct terms (every article's id and url) may raise the peak
 *   by at most 20 MB (10 MB now; 38 MB at ec631cd, which built the merged
 *   dictionary in memory, copied it once more at the end, and released the
 *   sources' dictionary pages only as postings were written).
 *
 * The bounds are generous (a few times what a streaming writer uses) and
 * the sizes large enough that a writer holding what it reads exceeds them.
 * Skipped (77) where /proc/self/clear_refs cannot be written. Under
 * AddressSanitizer the merge's bound is not checked (see KH_ASAN). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "index/file.h"
#include "index/segment.h"
#include "index/index.h"
#include "khabar.h"

#define MB (1024L * 1024L)

/* Under AddressSanitizer freed memory sits in a quarantine instead of being
 * reused, so a merge's peak is the sanitizer's, not the writer's: the merge
 * then runs smaller and only its result is checked. */
#if defined(__SANITIZE_ADDRESS__)
#define KH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KH_ASAN 1
#endif
#endif
#ifdef KH_ASAN
#define MERGE_ARTICLES 20000
#else
#define MERGE_ARTICLES 100000
#endif

/* A field of /proc/self/status in kB, or -1. */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':') {
            v = strtol(line + n + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* Resets the peak to the current resident size; 0 on success. */
static int reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f)
        return -1;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static void remove_dir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static void test_section_check(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/big.kseg", dir);
    kh_error err;
    kh_sfile_writer w;
    CHECK_INT(kh_sfile_create(&w, path, KH_SEG_MAGIC, &err), KH_OK);
    kh_sfile_begin(&w, KH_SEC_POST);
    size_t piece = 1u << 20;
    unsigned char *buf = malloc(piece);
    CHECK(buf != NULL);
    if (!buf)
        return;
    for (size_t i = 0; i < piece; i++)
        buf[i] = (unsigned char)(i * 2654435761u >> 13);
    for (int k = 0; k < 48; k++) {
        buf[0] = (unsigned char)k;
        kh_sfile_write(&w, buf, piece);
    }
    free(buf);
    kh_sfile_end(&w);
    CHECK_INT(kh_sfile_finish(&w, &err), KH_OK);

    kh_sfile f;
    CHECK_INT(kh_sfile_open(&f, path, KH_SEG_MAGIC, &err), KH_OK);
    CHECK_INT(reset_peak(), 0);
    long before = status_kb("VmRSS");
    const unsigned char *p;
    size_t len;
    CHECK_INT(kh_sfile_section(&f, KH_SEC_POST, 1, &p, &len, &err), KH_OK);
    long grew = status_kb("VmHWM") - before;
    printf("checking a 48 MB section: peak +%ld kB\n", grew);
    CHECK_INT(len, 48 * MB);
    CHECK(before > 0 && grew < 16 * 1024);
    kh_sfile_close(&f);
    unlink(path);
}

static void test_merge(const char *dir)
{
    char ixdir[512];
    snprintf(ixdir, sizeof ixdir, "%s/ix", dir);
    kh_index_options opt;
    kh_index_options_init(&opt);
    opt.writable = 1;
    opt.create = 1;
    opt.threads = 1;
    kh_index *ix = NULL;
    kh_error err;
    CHECK_INT(kh_index_open(ixdir, &opt, &ix, &err), KH_OK);
    if (!ix)
        return;
    /* two segments of MERGE_ARTICLES articles, each with its own id and url terms */
    for (int seg = 0; seg < 2; seg++) {
        for (int i = 0; i < MERGE_ARTICLES; i++) {
            kh_article a;
            kh_article_init(&a);
            char id[64], url[128];
            unsigned h = (unsigned)(seg * MERGE_ARTICLES + i) * 2654435761u;
            snprintf(id, sizeof id, "%08x%08x%08x%08x", h, h ^ 0x5bd1e995u, h * 7u, (unsigned)i);
            snprintf(url, sizeof url, "https://example.com/news/%s.html", id);
            kh_article_set(&a.id, id, strlen(id));
            kh_article_set(&a.url, url, strlen(url));
            kh_article_set(&a.title, "خبر", strlen("خبر"));
            kh_article_set(&a.source, "sabq", 4);
            kh_article_add_block(&a, KH_BLOCK_PARAGRAPH, "أسعار النفط", strlen("أسعار النفط"));
            kh_status st = kh_index_add(ix, &a, &err);
            kh_article_clear(&a);
            if (st != KH_OK) {
                CHECK_INT(st, KH_OK);
                kh_index_close(ix);
                return;
            }
        }
        CHECK_INT(kh_index_commit(ix, &err), KH_OK);
    }
    CHECK_INT(reset_peak(), 0);
    long before = status_kb("VmRSS");
    CHECK_INT(kh_index_optimize(ix, &err), KH_OK);
    long grew = status_kb("VmHWM") - before;
    printf("optimizing 2 segments, %d articles: peak +%ld kB\n", 2 * MERGE_ARTICLES, grew);
#ifndef KH_ASAN
    CHECK(before > 0 && grew < 20 * 1024);
#endif
    CHECK_INT(ix->n_segs, 1);
    kh_index_close(ix);

    /* the streamed dictionary reads back: every id is found */
    kh_index *rd = NULL;
    CHECK_INT(kh_index_open(ixdir, NULL, &rd, &err), KH_OK);
    if (rd) {
        CHECK_INT(rd->n_segs, 1);
        CHECK_INT(rd->segs[0]->n_docs, 2 * MERGE_ARTICLES);
        kh_index_close(rd);
    }
}

int main(void)
{
    if (reset_peak() != 0) {
        printf("skipped: /proc/self/clear_refs cannot be written\n");
        return 77;
    }
    char dir[] = "/tmp/khabar-test-memory-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_section_check(dir);
    test_merge(dir);
    remove_dir(dir);
    return check_done();
}
