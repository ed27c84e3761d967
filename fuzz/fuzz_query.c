/* fuzz_query.c — any bytes as a query: parse, search, snippets; never crash.
 *
 * A small index is built once in a temporary directory (the only state kept
 * across inputs); each input runs as an AND and as an OR query, and the
 * results are checked for internal consistency. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "khabar.h"

static kh_index *ix;

static void build(void)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/kh_fuzz_query_%d", (int)getpid());
    kh_index_options opt;
    kh_index_options_init(&opt);
    opt.writable = 1;
    opt.create = 1;
    if (kh_index_open(dir, &opt, &ix, NULL) != KH_OK)
        abort();
    static const char *const texts[][3] = {
        {"ارتفاع أسعار النفط", "ارتفعت أسعار النفط في الأسواق العالمية اليوم بعد قرار أوبك", "aawsat"},
        {"الهلال يفوز", "فاز الهلال على النصر في مباراة الدوري السعودي", "alriyadh"},
        {"مجلس الوزراء", "وافق مجلس الوزراء على الميزانية الجديدة للعام المقبل", "sabq"},
    };
    for (size_t i = 0; i < 3; i++) {
        kh_article a;
        kh_article_init(&a);
        char id[8];
        snprintf(id, sizeof id, "d%zu", i);
        kh_article_set(&a.id, id, strlen(id));
        kh_article_set(&a.title, texts[i][0], strlen(texts[i][0]));
        kh_article_set(&a.source, texts[i][2], strlen(texts[i][2]));
        kh_article_set(&a.published, "2015-07-21T10:00:00", 19);
        kh_article_add_block(&a, KH_BLOCK_PARAGRAPH, texts[i][1], strlen(texts[i][1]));
        if (kh_index_add(ix, &a, NULL) != KH_OK)
            abort();
        kh_article_clear(&a);
    }
    if (kh_index_commit(ix, NULL) != KH_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ix)
        build();
    char *q = malloc(size + 1);
    if (!q)
        return 0;
    memcpy(q, data, size);
    q[size] = '\0';
    for (int mode = 0; mode < 2; mode++) {
        kh_search_options opt;
        kh_search_options_init(&opt);
        opt.default_or = mode;
        kh_search_result *r = NULL;
        kh_error err;
        if (kh_search(ix, q, &opt, &r, &err) != KH_OK)
            continue;
        size_t full = 0;
        for (size_t i = 0; i < r->n_hits; i++) {
            if (i > 0 && r->hits[i - 1].partial && !r->hits[i].partial)
                abort(); /* partial matches only follow the full ones */
            full += !r->hits[i].partial;
        }
        if (full > r->total || r->n_hits > opt.limit)
            abort();
        for (size_t i = 0; i < r->n_hits; i++) {
            const kh_hit *h = &r->hits[i];
            size_t len = h->snippet ? strlen(h->snippet) : 0;
            for (size_t k = 0; k < h->n_highlights; k++)
                if (h->highlights[k].start >= h->highlights[k].end || h->highlights[k].end > len)
                    abort();
        }
        kh_search_result_free(r);
    }
    free(q);
    return 0;
}
