/* test_search_topk.c — the pruned top-k (MaxScore for OR, block-max for AND,
 * the page threshold with the proximity bound) returns exactly the hits and
 * scores of the exhaustive evaluation, on a few thousand generated articles
 * spread over several segments. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "khabar.h"

#define N_WORDS 300
#define N_DOCS 3000

static char words[N_WORDS][32];
static unsigned long long rng = 88172645463325252ull;

static unsigned next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

/* Zipf-like: low word numbers are much more frequent, like real text. */
static const char *pick_word(void)
{
    double u = (next_rand() % 1000000 + 1) / 1000001.0;
    int i = (int)(pow(u, 3.0) * N_WORDS);
    return words[i < N_WORDS ? i : N_WORDS - 1];
}

static void make_words(void)
{
    static const char *const letters[] = {"ب", "ت", "ج", "د", "ر", "س", "ش", "ص", "ط", "ع", "ف", "ق", "ك", "م", "ن", "ه"};
    for (int i = 0; i < N_WORDS; i++) {
        int n = i;
        words[i][0] = '\0';
        for (int k = 0; k < 4; k++) { /* four letters: distinct, never a stopword */
            strcat(words[i], letters[n % 16]);
            n = n / 16 + k + 1;
        }
    }
}

static void text(char *out, size_t cap, int n)
{
    out[0] = '\0';
    for (int i = 0; i < n && strlen(out) + 40 < cap; i++) {
        if (i)
            strcat(out, " ");
        strcat(out, pick_word());
    }
}

int main(void)
{
    make_words();
    char dir[128];
    snprintf(dir, sizeof dir, "/tmp/kh_test_topk_%d", (int)getpid());
    kh_index_options o;
    kh_index_options_init(&o);
    o.writable = o.create = 1;
    o.threads = 2;
    kh_index *ix;
    kh_error err;
    if (kh_index_open(dir, &o, &ix, &err) != KH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    static char body[8192], title[512];
    for (int d = 0; d < N_DOCS; d++) {
        kh_article a;
        kh_article_init(&a);
        char id[16];
        snprintf(id, sizeof id, "g%d", d);
        kh_article_set(&a.id, id, strlen(id));
        text(title, sizeof title, 3 + (int)(next_rand() % 6));
        kh_article_set(&a.title, title, strlen(title));
        text(body, sizeof body, 20 + (int)(next_rand() % 300));
        kh_article_add_block(&a, KH_BLOCK_PARAGRAPH, body, strlen(body));
        CHECK_INT(kh_index_add(ix, &a, &err), KH_OK);
        kh_article_clear(&a);
        if (d % 1000 == 999)
            CHECK_INT(kh_index_commit(ix, &err), KH_OK);
    }
    kh_index_stats st;
    kh_index_stats_get(ix, &st, &err);
    CHECK(st.segments >= 3);

    int compared = 0, mismatched = 0;
    for (int q = 0; q < 500; q++) {
        char query[256];
        text(query, sizeof query, 1 + (int)(next_rand() % 3));
        for (int mode = 0; mode < 2; mode++) {
            kh_search_options fast, full;
            kh_search_options_init(&fast);
            fast.default_or = mode;
            fast.count_total = 0;
            fast.facets = 0;
            fast.snippets = 0;
            fast.limit = 1 + (size_t)(q % 20);
            fast.offset = (size_t)(q % 3);
            full = fast;
            full.count_total = 1;
            kh_search_result *a = NULL, *b = NULL;
            CHECK_INT(kh_search(ix, query, &fast, &a, &err), KH_OK);
            CHECK_INT(kh_search(ix, query, &full, &b, &err), KH_OK);
            if (!a || !b)
                continue;
            compared++;
            int same = a->n_hits == b->n_hits;
            for (size_t i = 0; same && i < a->n_hits; i++)
                same = !strcmp(a->hits[i].id, b->hits[i].id) && a->hits[i].score == b->hits[i].score;
            if (!same && mismatched++ < 3) {
                fprintf(stderr, "pruned and exhaustive differ for %s query '%s'\n", mode ? "OR" : "AND", query);
                for (size_t i = 0; i < a->n_hits || i < b->n_hits; i++)
                    fprintf(stderr, "  %zu: %s %.9f | %s %.9f\n", i, i < a->n_hits ? a->hits[i].id : "-",
                            i < a->n_hits ? a->hits[i].score : 0, i < b->n_hits ? b->hits[i].id : "-",
                            i < b->n_hits ? b->hits[i].score : 0);
            }
            CHECK(b->total_exact);
            CHECK(a->total <= b->total);
            kh_search_result_free(a);
            kh_search_result_free(b);
        }
    }
    CHECK_INT(compared, 1000);
    CHECK_INT(mismatched, 0);
    kh_index_close(ix);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
    return check_done();
}
