/* test_titlematch.c — the headline step (lib/search/titlematch.c): among
 * syndicated near-copies, the article whose headline holds the query's words
 * as typed comes first; queries with syntax are left in BM25 order; pages
 * stay consistent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "khabar.h"

static char dir[256];
static kh_index *ix;

typedef struct doc {
    const char *id, *title, *body;
} doc;

/* In each pair the second article says the query's words more often in its
 * body, so BM25 puts it first; only the first has the headline as typed. */
static const doc docs[] = {
    {"t1", "مصر ترفع تأهبها لافتتاح قناة السويس الجديدة",
     "أعلنت السلطات حالة الاستعداد قبل الحفل الكبير."},
    {"t2", "تأهب أمني بمدن القناة استعدادا لحفل افتتاح قناة السويس الجديدة",
     "تأهب أمني في القناة. تأهب ثم تأهب قبل افتتاح قناة السويس. افتتاح قناة جديدة وتأهب."},
    {"m1", "صعوبة المنافسة في الدوري الانجليزي تدفع الأندية لإنفاق الملايين",
     "تنفق الأندية مبالغ كبيرة كل موسم على اللاعبين والمدربين والملاعب والرواتب والتذاكر والسفر والفنادق."},
    {"m2", "مورينيو: تشيلسي سيواجه منافسة أقوى على لقب الدوري الإنجليزي",
     "منافسة الدوري الإنجليزي أقوى. منافسة قوية في الدوري الإنجليزي. منافسة الدوري الإنجليزي ومنافسة اللقب."},
    {"x1", "خبر عن الطقس", "أجواء حارة على وسط المملكة"},
};
#define N_DOCS (sizeof docs / sizeof docs[0])

static void build(void)
{
    kh_index_options opt;
    kh_index_options_init(&opt);
    opt.writable = 1;
    opt.create = 1;
    kh_error err;
    if (kh_index_open(dir, &opt, &ix, &err) != KH_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        exit(1);
    }
    for (size_t i = 0; i < N_DOCS; i++) {
        kh_article a;
        kh_article_init(&a);
        kh_article_set(&a.id, docs[i].id, strlen(docs[i].id));
        kh_article_set(&a.title, docs[i].title, strlen(docs[i].title));
        kh_article_set(&a.source, "test", 4);
        kh_article_add_block(&a, KH_BLOCK_PARAGRAPH, docs[i].body, strlen(docs[i].body));
        CHECK_INT(kh_index_add(ix, &a, &err), KH_OK);
        kh_article_clear(&a);
    }
    CHECK_INT(kh_index_commit(ix, &err), KH_OK);
}

/* The hit ids of query, joined by commas, for a page (offset, limit). */
static const char *page_mode(const char *query, size_t offset, size_t limit, int default_or)
{
    static char out[1024];
    kh_search_options o;
    kh_search_options_init(&o);
    o.relax = 0;
    o.default_or = default_or;
    o.offset = offset;
    o.limit = limit;
    kh_search_result *r = NULL;
    kh_error err;
    if (kh_search(ix, query, &o, &r, &err) != KH_OK) {
        snprintf(out, sizeof out, "ERR: %s", err.message);
        return out;
    }
    out[0] = '\0';
    for (size_t i = 0; i < r->n_hits; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, r->hits[i].id);
    }
    kh_search_result_free(r);
    return out;
}

static const char *page(const char *query, size_t offset, size_t limit)
{
    return page_mode(query, offset, limit, 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/kh_test_titlematch_%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
    build();

    /* BM25 alone prefers the copy that repeats the words: the negated word
     * (which no article has) turns the headline step off */
    CHECK_STR(page("تأهبها لافتتاح قناة -زززز", 0, 10), "t2,t1");
    CHECK_STR(page("المنافسة في الدوري الانجليزي -زززز", 0, 10), "m2,m1");

    /* the headline holding the words as typed comes first */
    CHECK_STR(page("تأهبها لافتتاح قناة", 0, 10), "t1,t2");
    CHECK_STR(page("المنافسة في الدوري الانجليزي", 0, 10), "m1,m2");
    /* also typed with diacritics, tatweel or a variant hamza / ta marbuta */
    CHECK_STR(page("تأهُّبها لإفتتاح قنــاه", 0, 10), "t1,t2");

    /* a page of one shows the same first hit, and the next page the next */
    CHECK_STR(page("تأهبها لافتتاح قناة", 0, 1), "t1");
    CHECK_STR(page("تأهبها لافتتاح قناة", 1, 1), "t2");

    /* words joined by OR as the default (any word may match) are plain too */
    CHECK_STR(page_mode("تأهبها لافتتاح قناة -زززز", 0, 2, 1), "t2,t1");
    CHECK_STR(page_mode("تأهبها لافتتاح قناة", 0, 2, 1), "t1,t2");

    /* a written OR is syntax: left in BM25 order */
    char plain_or[256];
    snprintf(plain_or, sizeof plain_or, "%s", page("تأهبها OR لافتتاح", 0, 10));
    CHECK_STR(plain_or, page("تأهبها OR لافتتاح -زززز", 0, 10));

    kh_index_close(ix);
    system(cmd);
    return check_done();
}
