/* test_search.c — the query language, ranking, filters, facets, snippets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "khabar.h"

static char dir[256];
static kh_index *ix;

typedef struct doc {
    const char *id, *title, *body, *source, *published, *author;
} doc;

/* p2 comes before p1 on purpose: the tie-break (lower doc first) would put
 * it first, so only proximity can rank p1 above it. */
static const doc docs[] = {
    {"n1", "ارتفاع أسعار النفط", "ارتفعت أسعار النفط في الأسواق العالمية اليوم بعد قرار أوبك", "aawsat",
     "2015-07-21T10:00:00", "رنيم حنوش"},
    {"n2", "الاقتصاد السعودي", "النفط مصدر رئيسي للدخل. وفي خبر آخر تراجعت الأسعار في سوق الأسهم", "alriyadh",
     "2015-07-22T08:30:00", NULL},
    {"n3", "كرة القدم", "فاز الهلال على النصر في مباراة الدوري السعودي", "alriyadh", "2015-08-01T20:00:00",
     "محمد العلي"},
    {"n4", "أخبار متفرقة", "أسعار الذهب مستقرة. وفي الطقس حر شديد. ومن جهة أخرى صدر تقرير عن النفط", "sabq",
     "2015-07-25T12:00:00", NULL},
    {"n5", "تقرير اقتصادي", "الاقتصادية والاقتصاد والمصارف", "aawsat", NULL, NULL},
    {"p2", "خبر أول", "مجلس عقد اجتماعا طويلا أمس الوزراء", "sabq", "2015-07-23T09:00:00", NULL},
    {"p1", "خبر ثان", "مجلس الوزراء عقد اجتماعا طويلا أمس", "sabq", "2015-07-23T09:00:00", NULL},
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
        const doc *d = &docs[i];
        kh_article a;
        kh_article_init(&a);
        kh_article_set(&a.id, d->id, strlen(d->id));
        kh_article_set(&a.title, d->title, strlen(d->title));
        kh_article_set(&a.source, d->source, strlen(d->source));
        if (d->published)
            kh_article_set(&a.published, d->published, strlen(d->published));
        if (d->author)
            kh_article_set(&a.author, d->author, strlen(d->author));
        char url[64];
        snprintf(url, sizeof url, "https://example.com/%s", d->id);
        kh_article_set(&a.url, url, strlen(url));
        kh_article_add_block(&a, KH_BLOCK_PARAGRAPH, d->body, strlen(d->body));
        CHECK_INT(kh_index_add(ix, &a, &err), KH_OK);
        kh_article_clear(&a);
        if (i == 2) /* two segments, so statistics must be summed across them */
            CHECK_INT(kh_index_commit(ix, &err), KH_OK);
    }
    CHECK_INT(kh_index_commit(ix, &err), KH_OK);
}

/* Runs query and returns the hit ids joined by commas ("" for none, "ERR:status"). */
static char last_ids[512];
static kh_search_result *last;

static const char *ids_opt(const char *query, const kh_search_options *opt)
{
    kh_search_result_free(last);
    last = NULL;
    kh_error err;
    kh_status st = kh_search(ix, query, opt, &last, &err);
    if (st != KH_OK) {
        snprintf(last_ids, sizeof last_ids, "ERR:%s", kh_status_name(st));
        return last_ids;
    }
    last_ids[0] = '\0';
    for (size_t i = 0; i < last->n_hits; i++) {
        if (i)
            strcat(last_ids, ",");
        strcat(last_ids, last->hits[i].id);
    }
    return last_ids;
}

/* Strict AND (no completion with partial matches) unless a test asks. */
static const char *ids(const char *query)
{
    kh_search_options o;
    kh_search_options_init(&o);
    o.relax = 0;
    return ids_opt(query, &o);
}

/* Sorted copy of the last ids, for queries whose order is not the point. */
static const char *sorted_last(void)
{
    char *parts[32];
    size_t n = 0;
    char copy[512];
    snprintf(copy, sizeof copy, "%s", last_ids);
    for (char *t = strtok(copy, ","); t && n < 32; t = strtok(NULL, ","))
        parts[n++] = t;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(parts[j], parts[j - 1]) < 0; j--) {
            char *t = parts[j];
            parts[j] = parts[j - 1];
            parts[j - 1] = t;
        }
    static char out[512];
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, parts[i]);
    }
    return out;
}

static const char *ids_sorted(const char *query)
{
    ids(query);
    return sorted_last();
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/kh_test_search_%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
    build();

    /* implicit AND; the title match ranks first */
    CHECK_STR(ids_sorted("أسعار النفط"), "n1,n2,n4");
    CHECK(!strncmp(ids("أسعار النفط"), "n1,", 3));
    CHECK_INT(last->total, 3);
    CHECK_INT(last->total_exact, 1);
    /* spelling variants fold: hamza, ta marbuta, the article */
    CHECK_STR(ids_sorted("اسعار نفط"), "n1,n2,n4");
    /* OR, and OR binding tighter than AND */
    CHECK_STR(ids_sorted("الذهب OR الهلال"), "n3,n4");
    CHECK_STR(ids_sorted("النفط الذهب OR الأسهم"), "n2,n4");
    CHECK_STR(ids_sorted("(الذهب OR الهلال) السعودي"), "n3");
    /* NOT */
    CHECK_STR(ids_sorted("النفط -الذهب"), "n1,n2");
    CHECK_STR(ids_sorted("-النفط -مجلس"), "n3,n5");
    /* phrases need the words in order and together */
    CHECK_STR(ids_sorted("\"أسعار النفط\""), "n1");
    CHECK_STR(ids_sorted("\"النفط أسعار\""), "");
    CHECK_STR(ids_sorted("\"مجلس الوزراء\""), "p1");
    CHECK_STR(ids_sorted("\"الأسواق العالمية\" -\"قرار أوبك\""), "");
    /* prefixes */
    CHECK_STR(ids_sorted("اقتصا*"), "n2,n5");
    CHECK_STR(ids_sorted("المصار*"), "n5");
    /* fields */
    CHECK_STR(ids_sorted("title:النفط"), "n1");
    CHECK_STR(ids_sorted("title:\"أسعار النفط\""), "n1");
    CHECK_STR(ids_sorted("source:ALRIYADH"), "n2,n3");
    CHECK_STR(ids_sorted("source:alriyadh النفط"), "n2");
    CHECK_STR(ids_sorted("author:حنوش"), "n1");
    /* dates: the range is inclusive, undated articles never match a range */
    CHECK_STR(ids_sorted("published:2015-07-21..2015-07-22"), "n1,n2");
    CHECK_STR(ids_sorted("النفط published:2015-07-22.."), "n2,n4");
    CHECK_STR(ids_sorted("published:..2015-07-21"), "n1");
    CHECK_STR(ids_sorted("published:2015-08-01"), "n3");
    CHECK_STR(ids("published:2015-13-01"), "ERR:parse");
    kh_search_options o;
    kh_search_options_init(&o);
    o.from = "2015-07-22";
    o.to = "2015-07-25";
    o.sort = KH_SORT_DATE;
    CHECK_STR(ids_opt("النفط", &o), "n4,n2");
    o.from = "yesterday";
    CHECK_STR(ids_opt("النفط", &o), "ERR:argument");
    kh_search_options_init(&o);
    o.source = "SABQ";
    CHECK_STR(ids_opt("النفط", &o), "n4");

    /* proximity: same words, same lengths; adjacent beats scattered */
    CHECK_STR(ids("مجلس الوزراء"), "p1,p2");
    CHECK(last->n_hits == 2 && last->hits[0].score > last->hits[1].score);

    /* sort by date, newest first, and paging */
    kh_search_options_init(&o);
    o.sort = KH_SORT_DATE;
    CHECK_STR(ids_opt("النفط", &o), "n4,n2,n1");
    o.limit = 1;
    o.offset = 1;
    CHECK_STR(ids_opt("النفط", &o), "n2");
    CHECK_INT(last->total, 3);
    o.offset = 5;
    CHECK_STR(ids_opt("النفط", &o), "");
    CHECK_INT(last->total, 3);

    /* facets: sources by count, days in order */
    ids("النفط OR السعودي");
    CHECK_INT(last->total, 4);
    CHECK_INT(last->n_by_source, 3);
    if (last->n_by_source == 3) {
        CHECK_STR(last->by_source[0].value, "alriyadh");
        CHECK_INT(last->by_source[0].count, 2);
        CHECK_STR(last->by_source[1].value, "aawsat");
        CHECK_STR(last->by_source[2].value, "sabq");
    }
    CHECK_INT(last->n_by_day, 4);
    if (last->n_by_day == 4) {
        CHECK_STR(last->by_day[0].value, "2015-07-21");
        CHECK_STR(last->by_day[3].value, "2015-08-01");
        CHECK_INT(last->by_day[3].count, 1);
    }

    /* the hit carries the stored fields and a snippet with exact highlights */
    ids("النفط العالمية");
    CHECK_INT(last->n_hits, 1);
    if (last->n_hits == 1) {
        kh_hit *h = &last->hits[0];
        CHECK_STR(h->title, "ارتفاع أسعار النفط");
        CHECK_STR(h->source, "aawsat");
        CHECK_STR(h->url, "https://example.com/n1");
        CHECK_STR(h->published, "2015-07-21T10:00:00");
        CHECK_STR(h->snippet, "ارتفعت أسعار النفط في الأسواق العالمية اليوم بعد قرار أوبك");
        CHECK_INT(h->n_highlights, 2);
        if (h->n_highlights == 2) {
            CHECK_INT(h->highlights[0].end - h->highlights[0].start, strlen("النفط"));
            CHECK(!memcmp(h->snippet + h->highlights[0].start, "النفط", strlen("النفط")));
            CHECK(!memcmp(h->snippet + h->highlights[1].start, "العالمية", strlen("العالمية")));
        }
    }

    /* a short page of an AND query is completed with partial matches, after
     * every full match; field words stay required */
    kh_search_options_init(&o);
    ids_opt("الهلال النفط", &o);
    CHECK_STR(sorted_last(), "n1,n2,n3,n4");
    CHECK_INT(last->total, 0);
    CHECK(last->n_hits == 4 && last->hits[0].partial && last->hits[3].partial);
    CHECK_STR(ids_opt("أسعار النفط العالمية", &o), "n1,n2,n4");
    CHECK_INT(last->total, 1);
    CHECK(last->n_hits == 3 && !last->hits[0].partial && last->hits[1].partial);
    ids_opt("source:alriyadh النفط الهلال", &o);
    CHECK_STR(sorted_last(), "n2,n3");
    CHECK_INT(last->total, 0);
    CHECK_STR(ids_opt("النفط الهلال -مباراة", &o), "n1,n2,n4");
    o.limit = 1;
    CHECK_STR(ids_opt("أسعار النفط العالمية", &o), "n1"); /* the page is full: nothing added */
    kh_search_options_init(&o);
    o.relax = 0;
    CHECK_STR(ids_opt("الهلال النفط", &o), "");

    /* queries that are not really queries get an answer, not a crash */
    CHECK_STR(ids(""), "");
    CHECK(last->note != NULL);
    CHECK_STR(ids("في من"), "");
    CHECK(last->note && strstr(last->note, "stopwords"));
    CHECK_STR(ids("((("), "ERR:parse");
    CHECK_STR(ids("النفط)"), "ERR:parse");
    CHECK_STR(ids("\"النفط"), "n1,n2,n4"); /* an open quote runs to the end */
    CHECK_STR(ids("- * \" : OR OR ( )"), "");
    char *longq = malloc(10001);
    for (int i = 0; i < 10000; i++)
        longq[i] = "اب ()\"-*:OR"[i % 11];
    longq[10000] = '\0';
    const char *r = ids(longq);
    CHECK(r != NULL);
    for (int i = 0; i < 10000; i++)
        longq[i] = i % 2 ? ' ' : 'a';
    ids(longq);
    CHECK(!strncmp(last_ids, "ERR:", 4) || last_ids[0] == '\0');
    free(longq);

    /* deleted articles disappear after the commit */
    kh_error err;
    size_t n;
    CHECK_INT(kh_index_delete(ix, "n4", &n, &err), KH_OK);
    CHECK_STR(ids_sorted("النفط"), "n1,n2,n4"); /* not yet committed */
    CHECK_INT(kh_index_commit(ix, &err), KH_OK);
    CHECK_STR(ids_sorted("النفط"), "n1,n2");

    /* top-k without an exact total (the pruned path) agrees on the hits */
    kh_search_options_init(&o);
    o.count_total = 0;
    o.facets = 0;
    o.default_or = 1;
    o.limit = 2;
    const char *pruned = ids_opt("النفط الهلال الذهب مجلس", &o);
    char pruned_copy[512];
    snprintf(pruned_copy, sizeof pruned_copy, "%s", pruned);
    o.count_total = 1;
    CHECK_STR(ids_opt("النفط الهلال الذهب مجلس", &o), pruned_copy);

    kh_search_result_free(last);
    kh_index_close(ix);
    system(cmd);
    return check_done();
}
