/* khabar_driver.c — khabar in the peers benchmark (../shared/bench/peers).
 *
 * Speaks the harness's driver protocol (common.py):
 *   khabar_driver version
 *   khabar_driver index CORPUS.tsv INDEX_DIR     build an index from the TSV
 *   khabar_driver search INDEX_DIR OUT_DIR JOBS.tsv
 * Each article's id is the corpus row id, so result lists name corpus ids.
 * Latency is measured around one kh_search call: parsing, top-k retrieval
 * and fetching the stored title/url/date of the k hits, like the peers.
 * Built by bench/build-driver.sh against the library (public API only). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "khabar.h"

/* Undoes PostgreSQL COPY escaping in place (\\ \t \n \r). */
static size_t unescape(char *s, size_t len)
{
    size_t w = 0;
    for (size_t r = 0; r < len; r++) {
        if (s[r] == '\\' && r + 1 < len) {
            char c = s[++r];
            s[w++] = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
        } else {
            s[w++] = s[r];
        }
    }
    return w;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_index(const char *corpus, const char *dir)
{
    FILE *f = fopen(corpus, "r");
    if (!f) {
        fprintf(stderr, "%s: %s\n", corpus, strerror(errno));
        return 1;
    }
    kh_index_options opt;
    kh_index_options_init(&opt);
    opt.writable = 1;
    opt.create = 1;
    kh_error err;
    kh_index *ix;
    if (kh_index_open(dir, &opt, &ix, &err) != KH_OK) {
        fprintf(stderr, "%s\n", err.message);
        fclose(f);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t count = 0;
    kh_article a;
    kh_article_init(&a);
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        char *field[7];
        size_t flen[7];
        int k = 0;
        char *p = line;
        for (; k < 7; k++) {
            char *tab = k < 6 ? strchr(p, '\t') : NULL;
            field[k] = p;
            flen[k] = tab ? (size_t)(tab - p) : strlen(p);
            if (k < 6 && !tab)
                break;
            if (tab)
                p = tab + 1;
        }
        if (k < 7)
            continue;
        for (int i = 0; i < 7; i++)
            flen[i] = unescape(field[i], flen[i]);
        kh_article_clear(&a);
        kh_article_set(&a.id, field[0], flen[0]);
        kh_article_set(&a.source, field[1], flen[1]);
        kh_article_set(&a.url, field[2], flen[2]);
        kh_article_set(&a.published, field[3], flen[3]);
        kh_article_set(&a.author, field[4], flen[4]);
        kh_article_set(&a.title, field[5], flen[5]);
        /* paragraphs are the content's lines */
        const char *c = field[6], *end = field[6] + flen[6];
        while (c < end) {
            const char *nl = memchr(c, '\n', (size_t)(end - c));
            size_t len = nl ? (size_t)(nl - c) : (size_t)(end - c);
            kh_article_add_block(&a, KH_BLOCK_PARAGRAPH, c, len);
            c += len + 1;
        }
        if (kh_index_add(ix, &a, &err) != KH_OK) {
            fprintf(stderr, "article %.*s: %s\n", (int)flen[0], field[0], err.message);
            continue;
        }
        count++;
    }
    kh_article_clear(&a);
    free(line);
    fclose(f);
    if (kh_index_commit(ix, &err) != KH_OK) {
        fprintf(stderr, "commit: %s\n", err.message);
        kh_index_close(ix);
        return 1;
    }
    kh_index_stats st;
    kh_index_stats_get(ix, &st, &err);
    kh_index_close(ix);
    printf("{\"articles\": %zu, \"segments\": %zu, \"index_mb\": %.1f, \"postings_mb\": %.1f, \"stored_mb\": %.1f}\n",
           count, st.segments, st.bytes_total / 1e6, st.bytes_postings / 1e6, st.bytes_stored / 1e6);
    return 0;
}

typedef struct query {
    char *qid, *text;
} query;

static query *read_queries(const char *path, size_t *nq)
{
    FILE *f = fopen(path, "r");
    *nq = 0;
    if (!f)
        return NULL;
    query *q = NULL;
    size_t cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t n;
    while ((n = getline(&line, &lcap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        char *cols[4];
        char *p = line;
        int k = 0;
        for (; k < 4 && p; k++) {
            cols[k] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        if (k < 4)
            continue;
        if (*nq == cap) {
            cap = cap ? cap * 2 : 1024;
            q = realloc(q, cap * sizeof *q);
        }
        q[*nq].qid = strdup(cols[0]);
        q[*nq].text = strdup(cols[3]);
        (*nq)++;
    }
    free(line);
    fclose(f);
    return q;
}

/* mkdir -p */
static void make_dirs(const char *path)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    mkdir(p, 0755);
}

static int do_search(const char *dir, const char *out, const char *jobs)
{
    kh_error err;
    kh_index *ix;
    if (kh_index_open(dir, NULL, &ix, &err) != KH_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    make_dirs(out);
    FILE *jf = fopen(jobs, "r");
    if (!jf) {
        fprintf(stderr, "%s: %s\n", jobs, strerror(errno));
        kh_index_close(ix);
        return 1;
    }
    char line[4096];
    while (fgets(line, sizeof line, jf)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char name[256], mode[16], qpath[2048];
        int passes, warmup, k;
        if (sscanf(line, "%255[^\t]\t%15[^\t]\t%d\t%d\t%d\t%2047[^\t]", name, mode, &passes, &warmup, &k, qpath) != 6)
            continue;
        size_t nq;
        query *qs = read_queries(qpath, &nq);
        kh_search_options opt;
        kh_search_options_init(&opt);
        opt.limit = (size_t)k;
        opt.default_or = !strcmp(mode, "or");
        /* KHABAR_EXACT=1 counts every match (no top-k pruning): for checking
         * that pruning does not change the hits */
        opt.count_total = getenv("KHABAR_EXACT") != NULL;
        /* AND mode is strict AND, like the peers'; KHABAR_RELAX=1 completes short
         * pages with partial matches, as `khabar search` does by default */
        opt.relax = getenv("KHABAR_RELAX") != NULL;
        opt.facets = 0;
        opt.snippets = 0;
        double *lat = malloc((nq + 1) * (size_t)(passes > 0 ? passes : 1) * sizeof *lat);
        kh_search_result **last = calloc(nq + 1, sizeof *last);
        int errors = 0;
        for (int pass = -(warmup ? 1 : 0); pass < passes; pass++) {
            for (size_t i = 0; i < nq; i++) {
                kh_search_result *r = NULL;
                double t0 = now();
                kh_status st = kh_search(ix, qs[i].text, &opt, &r, &err);
                double t1 = now();
                if (st != KH_OK && pass == passes - 1)
                    errors++;
                if (pass >= 0)
                    lat[(size_t)pass * nq + i] = t1 - t0;
                if (pass == passes - 1) {
                    last[i] = r;
                } else {
                    kh_search_result_free(r);
                }
            }
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.res.tsv", out, name);
        FILE *rf = fopen(path, "w");
        for (size_t i = 0; rf && i < nq; i++) {
            fprintf(rf, "%s\t", qs[i].qid);
            for (size_t h = 0; last[i] && h < last[i]->n_hits; h++)
                fprintf(rf, "%s%s", h ? "," : "", last[i]->hits[h].id);
            fputc('\t', rf);
            for (size_t h = 0; last[i] && h < last[i]->n_hits; h++)
                fprintf(rf, "%s%.6g", h ? "," : "", last[i]->hits[h].score);
            fputc('\n', rf);
            kh_search_result_free(last[i]);
        }
        if (rf)
            fclose(rf);
        snprintf(path, sizeof path, "%s/%s.lat.json", out, name);
        FILE *lf = fopen(path, "w");
        if (lf) {
            fputs("{\"passes\": [", lf);
            for (int p = 0; p < passes; p++) {
                fputs(p ? ", [" : "[", lf);
                for (size_t i = 0; i < nq; i++)
                    fprintf(lf, "%s%.9f", i ? ", " : "", lat[(size_t)p * nq + i]);
                fputc(']', lf);
            }
            fprintf(lf, "], \"errors\": %d}\n", errors);
            fclose(lf);
        }
        for (size_t i = 0; i < nq; i++) {
            free(qs[i].qid);
            free(qs[i].text);
        }
        free(qs);
        free(lat);
        free(last);
    }
    fclose(jf);
    kh_index_close(ix);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "version")) {
        kh_analyzer *an;
        kh_error err;
        if (kh_analyzer_new(NULL, &an, &err) == KH_OK) {
            printf("khabar %s (%s), BM25 + proximity, title x6\n", KH_VERSION_STRING, kh_analyzer_id(an));
            kh_analyzer_free(an);
        }
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "index"))
        return do_index(argv[2], argv[3]);
    if (argc == 5 && !strcmp(argv[1], "search"))
        return do_search(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: khabar_driver version | index CORPUS.tsv DIR | search DIR OUT JOBS.tsv\n");
    return 2;
}
