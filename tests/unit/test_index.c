/* test_index.c — the on-disk index: commit, reopen, replace, delete, lock,
 * checksums, analyzer mismatch. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "index/index.h"
#include "khabar.h"

static char dir[256];
static int threads; /* 1: index in the caller's thread; 2: on worker threads */

static void make_article(kh_article *a, const char *id, const char *title, const char *body,
                         const char *source, const char *published)
{
    kh_article_init(a);
    kh_article_set(&a->id, id, strlen(id));
    kh_article_set(&a->title, title, strlen(title));
    kh_article_set(&a->source, source, strlen(source));
    kh_article_set(&a->published, published, strlen(published));
    char url[128];
    snprintf(url, sizeof url, "https://example.com/%s", id);
    kh_article_set(&a->url, url, strlen(url));
    kh_article_add_block(a, KH_BLOCK_PARAGRAPH, body, strlen(body));
}

static kh_index *open_writer(void)
{
    kh_index_options opt;
    kh_index_options_init(&opt);
    opt.writable = 1;
    opt.create = 1;
    opt.threads = threads;
    kh_index *ix = NULL;
    kh_error err;
    kh_status st = kh_index_open(dir, &opt, &ix, &err);
    if (st != KH_OK)
        fprintf(stderr, "open: %s\n", err.message);
    return ix;
}

static kh_index *open_reader(kh_status *st, kh_error *err)
{
    kh_index *ix = NULL;
    *st = kh_index_open(dir, NULL, &ix, err);
    return ix;
}

static void add(kh_index *ix, const char *id, const char *title, const char *body)
{
    kh_article a;
    make_article(&a, id, title, body, "aawsat", "2015-07-21T02:51:32");
    kh_error err;
    CHECK_INT(kh_index_add(ix, &a, &err), KH_OK);
    kh_article_clear(&a);
}

static size_t count_articles(void)
{
    kh_status st;
    kh_error err;
    kh_index *ix = open_reader(&st, &err);
    if (!ix)
        return (size_t)-1;
    kh_index_stats stats;
    kh_index_stats_get(ix, &stats, &err);
    kh_index_close(ix);
    return stats.articles;
}

static void flip_byte(const char *name, long offset_from_end)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDWR);
    CHECK(fd >= 0);
    off_t end = lseek(fd, 0, SEEK_END);
    unsigned char c;
    CHECK(pread(fd, &c, 1, end - offset_from_end) == 1);
    c ^= 0x40;
    CHECK(pwrite(fd, &c, 1, end - offset_from_end) == 1);
    close(fd);
}

static void copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = check_read_file(from, &len);
    CHECK(data != NULL);
    FILE *f = fopen(to, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    free(data);
}

static void run(void)
{
    snprintf(dir, sizeof dir, "/tmp/kh_test_index_%d_%d", (int)getpid(), threads);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);

    /* a new index is an empty commit */
    kh_index *w = open_writer();
    CHECK(w != NULL);
    CHECK_INT(count_articles(), 0);

    /* a second writer is refused, clearly */
    kh_index_options opt;
    kh_index_options_init(&opt);
    opt.writable = 1;
    kh_index *w2 = NULL;
    kh_error err;
    CHECK_INT(kh_index_open(dir, &opt, &w2, &err), KH_ERR_LOCKED);
    CHECK(strstr(err.message, "another process is writing") != NULL);
    CHECK(w2 == NULL);

    add(w, "a1", "بريطانيا: أربعة محاور لاستراتيجية جديدة", "حدد رئيس الوزراء البريطاني ملامح استراتيجية للتصدي للتطرف");
    add(w, "a2", "ارتفاع أسعار النفط", "ارتفعت أسعار النفط في الأسواق العالمية اليوم");
    /* not committed: readers see nothing */
    CHECK_INT(count_articles(), 0);
    CHECK_INT(kh_index_commit(w, &err), KH_OK);
    CHECK_INT(count_articles(), 2);

    /* the stored article comes back whole, by id and by url */
    kh_status st;
    kh_index *r = open_reader(&st, &err);
    CHECK_INT(st, KH_OK);
    kh_article got;
    kh_article_init(&got);
    CHECK_INT(kh_index_get(r, "a2", &got, &err), KH_OK);
    CHECK_STR(got.title, "ارتفاع أسعار النفط");
    CHECK_STR(got.source, "aawsat");
    CHECK_INT(got.n_blocks, 1);
    CHECK_STR(got.n_blocks ? got.blocks[0].text : NULL, "ارتفعت أسعار النفط في الأسواق العالمية اليوم");
    CHECK_INT(kh_index_get(r, "https://example.com/a1", &got, &err), KH_OK);
    CHECK_STR(got.id, "a1");
    CHECK_INT(kh_index_get(r, "nope", &got, &err), KH_ERR_NOT_FOUND);

    /* re-adding an id replaces it, in the buffer and across commits */
    add(w, "a1", "عنوان جديد", "نص جديد");
    add(w, "a3", "ثالث", "نص ثالث");
    add(w, "a3", "ثالث مكرر", "نص ثالث مكرر");
    CHECK_INT(kh_index_commit(w, &err), KH_OK);
    CHECK_INT(count_articles(), 3);
    /* the old reader still sees its commit, until it reopens */
    CHECK_INT(kh_index_get(r, "a1", &got, &err), KH_OK);
    CHECK_STR(got.title, "بريطانيا: أربعة محاور لاستراتيجية جديدة");
    CHECK_INT(kh_index_reopen(r, &err), KH_OK);
    CHECK_INT(kh_index_get(r, "a1", &got, &err), KH_OK);
    CHECK_STR(got.title, "عنوان جديد");
    CHECK_INT(kh_index_get(r, "a3", &got, &err), KH_OK);
    CHECK_STR(got.title, "ثالث مكرر");

    /* delete by id and by url */
    size_t n = 0;
    CHECK_INT(kh_index_delete(w, "a2", &n, &err), KH_OK);
    CHECK_INT(n, 1);
    CHECK_INT(kh_index_delete(w, "https://example.com/a3", &n, &err), KH_OK);
    CHECK_INT(n, 1);
    CHECK_INT(kh_index_delete(w, "missing", &n, &err), KH_OK);
    CHECK_INT(n, 0);
    CHECK_INT(kh_index_commit(w, &err), KH_OK);
    CHECK_INT(count_articles(), 1);

    /* optimize merges into one segment without deleted articles */
    add(w, "a4", "رابع", "نص رابع عن النفط");
    CHECK_INT(kh_index_commit(w, &err), KH_OK);
    CHECK_INT(kh_index_optimize(w, &err), KH_OK);
    kh_index_stats stats;
    CHECK_INT(kh_index_stats_get(w, &stats, &err), KH_OK);
    CHECK_INT(stats.segments, 1);
    CHECK_INT(stats.articles, 2);
    CHECK_INT(stats.deleted, 0);
    CHECK_INT(kh_index_check(dir, &err), KH_OK);

    /* uncommitted changes vanish with close */
    add(w, "a5", "خامس", "نص خامس");
    kh_index_close(w);
    CHECK_INT(count_articles(), 2);
    kh_index_close(r);

    /* another stemmer than the index's: mismatch */
    kh_index_options_init(&opt);
    opt.stemmer = "none";
    r = NULL;
    CHECK_INT(kh_index_open(dir, &opt, &r, &err), KH_ERR_MISMATCH);
    CHECK(r == NULL);

    /* damage: find the segment file, keep a copy, flip bytes, truncate */
    w = open_writer();
    CHECK(w != NULL && w->n_segs == 1);
    char seg[64], path[512], saved[600];
    snprintf(seg, sizeof seg, "%s.kseg", w && w->n_segs ? w->segs[0]->name : "x");
    kh_index_close(w);
    snprintf(path, sizeof path, "%s/%s", dir, seg);
    snprintf(saved, sizeof saved, "%s.saved", path);
    copy_file(path, saved);

    flip_byte(seg, 100); /* inside the sections or the table */
    r = open_reader(&st, &err);
    kh_status st2 = st == KH_OK ? kh_index_check(dir, &err) : st;
    CHECK_INT(st2, KH_ERR_CORRUPT);
    CHECK(strstr(err.message, seg) != NULL);
    kh_index_close(r);
    copy_file(saved, path);
    CHECK_INT(kh_index_check(dir, &err), KH_OK);

    /* a byte in the middle (postings or stored text) is caught by check */
    struct stat sb;
    stat(path, &sb);
    for (long at = 200; at < sb.st_size - 40; at += sb.st_size / 7) {
        flip_byte(seg, at);
        CHECK_INT(kh_index_check(dir, &err), KH_ERR_CORRUPT);
        CHECK(strstr(err.message, seg) != NULL);
        copy_file(saved, path);
    }

    CHECK(truncate(path, sb.st_size - 10) == 0);
    r = open_reader(&st, &err);
    CHECK_INT(st, KH_ERR_CORRUPT);
    CHECK(strstr(err.message, seg) != NULL);
    CHECK(r == NULL);
    copy_file(saved, path);

    /* the manifest is checked too */
    char mpath[512];
    snprintf(mpath, sizeof mpath, "%s/MANIFEST", dir);
    copy_file(mpath, saved);
    flip_byte("MANIFEST", 30);
    r = open_reader(&st, &err);
    CHECK_INT(st, KH_ERR_CORRUPT);
    CHECK(strstr(err.message, "MANIFEST") != NULL);
    copy_file(saved, mpath);
    CHECK_INT(kh_index_check(dir, &err), KH_OK);

    /* A stemmer name longer than the manifest's field, under a valid
     * checksum (a manifest from another build): refused, not cut short. */
    {
        FILE *f = fopen(mpath, "w");
        CHECK(f != NULL);
        char text[512];
        int n = snprintf(text, sizeof text, "khabar-index 1\ngeneration 1\nstemmer %0100d\nnext-segment 1\n", 7);
        uint32_t crc = (uint32_t)crc32_z(0, (const unsigned char *)text, (size_t)n);
        fprintf(f, "%scrc32 %08x\n", text, (unsigned)crc);
        fclose(f);
        r = open_reader(&st, &err);
        CHECK_INT(st, KH_ERR_CORRUPT);
        CHECK(strstr(err.message, "stemmer name too long on line 3") != NULL);
        copy_file(saved, mpath);
        CHECK_INT(kh_index_check(dir, &err), KH_OK);
    }

    /* no index at all */
    r = NULL;
    CHECK_INT(kh_index_open("/tmp/kh_no_such_index_dir", NULL, &r, &err), KH_ERR_NOT_FOUND);

    kh_article_clear(&got);
    system(cmd);
}

/* A tiny RAM budget: every add flushes a segment, replacements cross
 * segments, and commits merge the many small segments. */
static void run_tiny_buffer(void)
{
    snprintf(dir, sizeof dir, "/tmp/kh_test_index_tiny_%d_%d", (int)getpid(), threads);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
    kh_index_options opt;
    kh_index_options_init(&opt);
    opt.writable = opt.create = 1;
    opt.threads = threads;
    opt.ram_buffer_bytes = 1;
    kh_index *w = NULL;
    kh_error err;
    CHECK_INT(kh_index_open(dir, &opt, &w, &err), KH_OK);
    if (!w)
        return;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 20; i++) {
            char id[16], title[64];
            snprintf(id, sizeof id, "t%d", i);
            snprintf(title, sizeof title, "عنوان رقم %d في الجولة %d", i, round);
            add(w, id, title, "نص قصير عن الاقتصاد");
        }
        CHECK_INT(kh_index_commit(w, &err), KH_OK);
    }
    kh_index_stats st;
    CHECK_INT(kh_index_stats_get(w, &st, &err), KH_OK);
    CHECK_INT(st.articles, 20);
    CHECK(st.segments <= 10); /* commits merge when there are more */
    kh_article got;
    kh_article_init(&got);
    CHECK_INT(kh_index_get(w, "t7", &got, &err), KH_OK);
    CHECK_STR(got.title, "عنوان رقم 7 في الجولة 2");
    kh_article_clear(&got);
    kh_index_close(w);
    CHECK_INT(kh_index_check(dir, &err), KH_OK);
    system(cmd);
}

/* Terms are compared from a head kept inline beside the term's counts and
 * from the key store after it (segbuf.c), and articles travel to the
 * workers as packed copies (workers.c): long ids and words that differ only
 * past the head stay distinct, a word is cut at 254 bytes, and an article
 * with captions, headings and many blocks comes back whole. */
static size_t hits(kh_index *ix, const char *query)
{
    kh_search_options so;
    kh_search_options_init(&so);
    so.count_total = 1;
    kh_search_result *r = NULL;
    kh_error err;
    if (kh_search(ix, query, &so, &r, &err) != KH_OK)
        return (size_t)-1;
    size_t n = r->total;
    kh_search_result_free(r);
    return n;
}

/* A copy of segbuf.c's term hash: two words with the same hash, length and
 * first bytes are told apart only by the key bytes past the inline head. */
static uint32_t term_hash(char field, const char *text, size_t len)
{
    uint32_t h = 2166136261u;
    h = (h ^ (unsigned char)field) * 16777619u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 16777619u;
    return h ^ (h >> 15);
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Candidate i: prefix + eight letters drawn from i (splitmix64), so that
 * candidates differ all along their tails and collide like random hashes
 * (changing only the last few letters of FNV-1a input hardly ever does). */
static void candidate(const char *prefix, uint32_t i, char *out)
{
    uint64_t x = (uint64_t)i + 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    x ^= x >> 31;
    size_t plen = strlen(prefix);
    memcpy(out, prefix, plen);
    for (int k = 0; k < 8; k++, x /= 26)
        out[plen + k] = (char)('a' + x % 26);
    out[plen + 8] = '\0';
}

/* Finds two words, prefix + eight letters, whose body-field terms collide:
 * ~29 pairs are expected among 500,000 candidates. */
static int colliding_words(const char *prefix, char *w1, char *w2)
{
    const uint32_t n = 500000;
    uint64_t *v = malloc(n * sizeof *v);
    if (!v)
        return 0;
    char w[128];
    for (uint32_t i = 0; i < n; i++) {
        candidate(prefix, i, w);
        v[i] = (uint64_t)term_hash(KH_FIELD_TEXT, w, strlen(w)) << 32 | i;
    }
    qsort(v, n, sizeof *v, cmp_u64);
    int found = 0;
    for (uint32_t i = 1; i < n && !found; i++) {
        if (v[i] >> 32 == v[i - 1] >> 32) {
            candidate(prefix, (uint32_t)v[i - 1], w1);
            candidate(prefix, (uint32_t)v[i], w2);
            found = 1;
        }
    }
    free(v);
    return found;
}

static void run_long_keys(void)
{
    snprintf(dir, sizeof dir, "/tmp/kh_test_index_keys_%d_%d", (int)getpid(), threads);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
    kh_index *w = open_writer();
    CHECK(w != NULL);
    if (!w)
        return;
    /* 40 shared bytes, then the difference */
    const char *shared = "abcdefghijklmnopqrstuvwxyzabcdefghijklmn";
    char id[3][64], word[3][64], body[512];
    for (int i = 0; i < 3; i++) {
        snprintf(id[i], sizeof id[i], "%s-%d", shared, i);
        snprintf(word[i], sizeof word[i], "%sq%c", shared, 'a' + i);
    }
    char huge[400];
    memset(huge, 'z', 300);
    huge[300] = '\0';
    kh_error err;
    for (int i = 0; i < 3; i++) {
        kh_article a;
        snprintf(body, sizeof body, "%s %s", word[i], i == 0 ? huge : "");
        make_article(&a, id[i], "عنوان", body, "aawsat", "2015-07-21T02:51:32");
        kh_article_set(&a.author, "كاتب", strlen("كاتب"));
        kh_article_add_caption(&a, "صورة أولى", strlen("صورة أولى"));
        kh_article_add_caption(&a, "صورة ثانية", strlen("صورة ثانية"));
        for (int k = 0; k < 40; k++) {
            char text[64];
            snprintf(text, sizeof text, "فقرة %d من المقال %d", k, i);
            kh_article_add_block(&a, k % 10 ? KH_BLOCK_PARAGRAPH : KH_BLOCK_HEADING, text, strlen(text));
        }
        CHECK_INT(kh_index_add(w, &a, &err), KH_OK);
        kh_article_clear(&a);
    }
    add(w, id[1], "بديل", "نص بديل"); /* replaces id[1] only */
    CHECK_INT(kh_index_commit(w, &err), KH_OK);
    CHECK_INT(count_articles(), 3);
    CHECK_INT(hits(w, word[0]), 1);
    CHECK_INT(hits(w, word[1]), 0);
    CHECK_INT(hits(w, word[2]), 1);
    CHECK_INT(hits(w, shared), 0);
    /* same hash, same length, same head: only the tail tells them apart */
    char c1[128], c2[128];
    CHECK(colliding_words(shared, c1, c2));
    add(w, "collide-1", "عنوان", c1);
    add(w, "collide-2", "عنوان", c2);
    CHECK_INT(kh_index_commit(w, &err), KH_OK);
    CHECK_INT(hits(w, c1), 1);
    CHECK_INT(hits(w, c2), 1);
    /* the 300-byte word is indexed as its first 254 bytes, whichever is asked */
    huge[254] = '\0';
    CHECK_INT(hits(w, huge), 1);

    kh_article got;
    kh_article_init(&got);
    CHECK_INT(kh_index_get(w, id[2], &got, &err), KH_OK);
    CHECK_STR(got.id, id[2]);
    CHECK_STR(got.author, "كاتب");
    CHECK_INT(got.n_captions, 2);
    CHECK_STR(got.n_captions == 2 ? got.captions[1] : NULL, "صورة ثانية");
    CHECK_INT(got.n_blocks, 41);
    if (got.n_blocks == 41) {
        CHECK_STR(got.blocks[0].text, word[2]);
        CHECK_INT(got.blocks[1].kind, KH_BLOCK_HEADING);
        CHECK_STR(got.blocks[40].text, "فقرة 39 من المقال 2");
    }
    CHECK_INT(kh_index_get(w, id[1], &got, &err), KH_OK);
    CHECK_STR(got.title, "بديل");
    kh_article_clear(&got);

    size_t n = 0;
    CHECK_INT(kh_index_delete(w, id[0], &n, &err), KH_OK);
    CHECK_INT(n, 1);
    CHECK_INT(kh_index_commit(w, &err), KH_OK);
    CHECK_INT(hits(w, word[0]), 0);
    CHECK_INT(hits(w, word[2]), 1);
    kh_index_close(w);
    CHECK_INT(count_articles(), 4);
    CHECK_INT(kh_index_check(dir, &err), KH_OK);
    system(cmd);
}

/* Url terms are 64-bit hashes of the url (segment.h: kh_url_term): show and
 * delete by url, in the buffer and in segments, must find exactly the
 * article stored with that url, however long, and nothing for a url that
 * differs by a byte; the stored url is what decides (kh_segment_has_url). */
static void run_urls(void)
{
    snprintf(dir, sizeof dir, "/tmp/kh_test_index_urls_%d_%d", (int)getpid(), threads);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
    kh_index *w = open_writer();
    CHECK(w != NULL);
    if (!w)
        return;
    kh_error err;
    char long_url[1600], other[1600];
    memcpy(long_url, "https://example.com/", 20);
    for (size_t i = 20; i < sizeof long_url - 1; i++)
        long_url[i] = (char)('a' + i % 26);
    long_url[sizeof long_url - 1] = '\0';
    memcpy(other, long_url, sizeof other);
    other[sizeof other - 2] = '0'; /* differs in its last byte */
    const char *urls[3] = {long_url, "https://example.com/u2", "https://example.com/u3"};
    const char *ids[3] = {"u1", "u2", "u3"};
    for (int i = 0; i < 3; i++) {
        kh_article a;
        make_article(&a, ids[i], "عنوان", "نص عن النفط", "aawsat", "2015-07-21T02:51:32");
        kh_article_set(&a.url, urls[i], strlen(urls[i]));
        CHECK_INT(kh_index_add(w, &a, &err), KH_OK);
        kh_article_clear(&a);
    }
    /* in the buffer: a near miss deletes nothing, the url itself one */
    size_t n = 9;
    CHECK_INT(kh_index_delete(w, "https://example.com/u", &n, &err), KH_OK);
    CHECK_INT(n, 0);
    CHECK_INT(kh_index_delete(w, "https://example.com/u2", &n, &err), KH_OK);
    CHECK_INT(n, 1);
    CHECK_INT(kh_index_commit(w, &err), KH_OK);
    CHECK_INT(count_articles(), 2);

    kh_article got;
    kh_article_init(&got);
    CHECK_INT(kh_index_get(w, long_url, &got, &err), KH_OK);
    CHECK_STR(got.id, "u1");
    CHECK_INT(kh_index_get(w, other, &got, &err), KH_ERR_NOT_FOUND);
    CHECK_INT(kh_index_get(w, "https://example.com/u2", &got, &err), KH_ERR_NOT_FOUND);
    CHECK_INT(kh_index_get(w, "https://example.com/u3", &got, &err), KH_OK);
    CHECK_STR(got.id, "u3");
    kh_article_clear(&got);

    /* the check every url lookup makes, on a committed segment */
    CHECK(w->n_segs >= 1);
    for (size_t i = 0; i < w->n_segs; i++) {
        kh_segment *s = w->segs[i];
        for (uint32_t d = 0; d < s->n_docs; d++) {
            int same = -1;
            kh_summary sum;
            CHECK_INT(kh_segment_get_summary(s, d, &sum, &err), KH_OK);
            int is_long = sum.len[KH_SUM_URL] == strlen(long_url);
            CHECK_INT(kh_segment_has_url(s, d, long_url, strlen(long_url), &same, &err), KH_OK);
            CHECK_INT(same, is_long);
            CHECK_INT(kh_segment_has_url(s, d, other, strlen(other), &same, &err), KH_OK);
            CHECK_INT(same, 0);
        }
    }

    /* in segments: the near miss deletes nothing, the long url its article */
    CHECK_INT(kh_index_delete(w, other, &n, &err), KH_OK);
    CHECK_INT(n, 0);
    CHECK_INT(kh_index_delete(w, long_url, &n, &err), KH_OK);
    CHECK_INT(n, 1);
    CHECK_INT(kh_index_commit(w, &err), KH_OK);
    CHECK_INT(count_articles(), 1);
    /* merged, the hashed terms still find their articles */
    CHECK_INT(kh_index_optimize(w, &err), KH_OK);
    kh_article_init(&got);
    CHECK_INT(kh_index_get(w, "https://example.com/u3", &got, &err), KH_OK);
    CHECK_STR(got.id, "u3");
    kh_article_clear(&got);
    kh_index_close(w);
    CHECK_INT(kh_index_check(dir, &err), KH_OK);
    system(cmd);
}

int main(void)
{
    for (threads = 1; threads <= 2; threads++) {
        run();
        run_tiny_buffer();
        run_long_keys();
        run_urls();
    }
    return check_done();
}
