/* workers.c — parallel analysis and inversion (see workers.h). */
#include "index/workers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/segbuf.h"
#include "util/buf.h"
#include "util/error.h"

#define QUEUE_LEN 64

typedef struct worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;         /* signalled on every state change, both ways */
    kh_article *queue[QUEUE_LEN];   /* ring of owned copies */
    size_t head, count;
    int busy;                       /* an article is being indexed */
    int stop;
    /* a flush request, done by the worker; flush_name[0] = '\0' when none */
    char flush_dir[4096], flush_name[32], flushed_name[32];
    int flush_done;
    kh_status flush_status;
    kh_error flush_err;
    uint8_t *flush_deleted;
    size_t flush_n_deleted;

    kh_analyzer *analyzer;
    kh_segbuf *buf;
    size_t bytes;                   /* kh_segbuf_bytes after the last add */
    kh_status failed;               /* first failure, reported to the caller */
    kh_error fail_err;
} worker;

struct kh_workers {
    worker *w;
    size_t n;
};

/* ---- copying an article (the caller keeps its own) ---- */

/* The copy is packed in one allocation — the struct, the caption and block
 * arrays, then every string — and freed with one free(): a news article
 * has dozens of paragraphs, and a malloc per string in the caller's thread
 * and a free per string in the worker's (another thread's arena) showed in
 * the profile (perf: malloc/free ~4% of an ingest). */
typedef struct packer {
    char *next;
} packer;

static size_t str_size(const char *s) { return s ? strlen(s) + 1 : 0; }

static char *pack_str(packer *p, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = p->next;
    memcpy(d, s, n);
    p->next += n;
    return d;
}

static kh_article *copy_article(const kh_article *a)
{
    size_t n = sizeof(kh_article) + a->n_captions * sizeof(char *) + a->n_blocks * sizeof(kh_block);
    n += str_size(a->id) + str_size(a->source) + str_size(a->url) + str_size(a->title) +
         str_size(a->published) + str_size(a->published_raw) + str_size(a->author) +
         str_size(a->lang);
    for (size_t i = 0; i < a->n_captions; i++)
        n += str_size(a->captions[i]);
    for (size_t i = 0; i < a->n_blocks; i++)
        n += str_size(a->blocks[i].text);
    /* the struct and the arrays first, so that they are aligned */
    _Static_assert(sizeof(kh_article) % _Alignof(kh_block) == 0 &&
                       sizeof(char *) % _Alignof(kh_block) == 0,
                   "arrays after the struct stay aligned");
    kh_article *c = malloc(n);
    if (!c)
        return NULL;
    kh_article_init(c);
    char *arrays = (char *)(c + 1);
    c->captions = a->n_captions ? (char **)arrays : NULL;
    arrays += a->n_captions * sizeof(char *);
    c->blocks = a->n_blocks ? (kh_block *)arrays : NULL;
    arrays += a->n_blocks * sizeof(kh_block);
    packer p = {arrays};
    c->id = pack_str(&p, a->id);
    c->source = pack_str(&p, a->source);
    c->url = pack_str(&p, a->url);
    c->title = pack_str(&p, a->title);
    c->published = pack_str(&p, a->published);
    c->published_raw = pack_str(&p, a->published_raw);
    c->author = pack_str(&p, a->author);
    c->lang = pack_str(&p, a->lang);
    c->words = a->words;
    for (; c->n_captions < a->n_captions; c->n_captions++)
        c->captions[c->n_captions] = pack_str(&p, a->captions[c->n_captions]);
    for (; c->n_blocks < a->n_blocks; c->n_blocks++) {
        c->blocks[c->n_blocks].kind = a->blocks[c->n_blocks].kind;
        c->blocks[c->n_blocks].text = pack_str(&p, a->blocks[c->n_blocks].text);
    }
    return c;
}

/* Frees a packed copy: never kh_article_clear, its strings are not malloc'ed. */
static void free_article(kh_article *a) { free(a); }

/* ---- the worker thread ---- */

static void *run(void *arg)
{
    worker *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->stop && w->count == 0 && !w->flush_name[0])
            pthread_cond_wait(&w->changed, &w->lock);
        if (w->stop)
            break;
        if (w->count > 0) {
            kh_article *a = w->queue[w->head];
            w->head = (w->head + 1) % QUEUE_LEN;
            w->count--;
            w->busy = 1;
            pthread_cond_broadcast(&w->changed); /* room in the queue */
            pthread_mutex_unlock(&w->lock);

            kh_error err;
            kh_status st = KH_OK;
            if (!w->buf && !(w->buf = kh_segbuf_new()))
                st = kh_fail(&err, KH_ERR_NOMEM, "out of memory");
            if (st == KH_OK) {
                kh_segbuf_delete_term(w->buf, 'i', a->id, strlen(a->id));
                st = kh_segbuf_add(w->buf, w->analyzer, a, &err);
            }
            size_t bytes = w->buf ? kh_segbuf_bytes(w->buf) : 0;
            free_article(a);

            pthread_mutex_lock(&w->lock);
            w->bytes = bytes;
            if (st != KH_OK && w->failed == KH_OK) {
                w->failed = st;
                w->fail_err = err;
            }
            w->busy = 0;
            pthread_cond_broadcast(&w->changed);
            continue;
        }
        /* a flush: the queue is empty (the caller drained it first) */
        char dir[4096], name[32];
        memcpy(dir, w->flush_dir, sizeof dir);
        memcpy(name, w->flush_name, sizeof name);
        w->busy = 1;
        pthread_mutex_unlock(&w->lock);

        kh_error err;
        kh_error_clear(&err);
        uint8_t *deleted = NULL;
        size_t n_deleted = kh_segbuf_deleted(w->buf);
        kh_status st = kh_segbuf_write(w->buf, dir, name, &deleted, &err);
        if (st == KH_OK) {
            kh_segbuf_free(w->buf);
            w->buf = NULL;
            kh_release_free_memory();
        }

        pthread_mutex_lock(&w->lock);
        w->flush_status = st;
        w->flush_err = err;
        w->flush_deleted = deleted;
        w->flush_n_deleted = n_deleted;
        memcpy(w->flushed_name, name, sizeof name);
        w->flush_name[0] = '\0';
        w->flush_done = 1;
        w->bytes = 0;
        w->busy = 0;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* ---- the caller's side ---- */

kh_status kh_workers_start(size_t n, const char *stemmer, kh_workers **out, kh_error *err)
{
    *out = NULL;
    kh_workers *ws = calloc(1, sizeof *ws);
    if (!ws || !(ws->w = calloc(n, sizeof *ws->w))) {
        free(ws);
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        worker *w = &ws->w[i];
        kh_status st = kh_analyzer_new(stemmer && *stemmer ? stemmer : NULL, &w->analyzer, err);
        if (st != KH_OK) {
            kh_workers_free(ws);
            return st;
        }
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->changed, NULL);
        if (pthread_create(&w->thread, NULL, run, w) != 0) {
            pthread_mutex_destroy(&w->lock);
            pthread_cond_destroy(&w->changed);
            kh_analyzer_free(w->analyzer);
            w->analyzer = NULL;
            kh_workers_free(ws);
            return kh_fail(err, KH_ERR_NOMEM, "cannot start an indexing thread");
        }
        ws->n++;
    }
    *out = ws;
    return KH_OK;
}

void kh_workers_free(kh_workers *ws)
{
    if (!ws)
        return;
    for (size_t i = 0; i < ws->n; i++) {
        worker *w = &ws->w[i];
        pthread_mutex_lock(&w->lock);
        w->stop = 1;
        pthread_cond_broadcast(&w->changed);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
        for (size_t k = 0; k < w->count; k++)
            free_article(w->queue[(w->head + k) % QUEUE_LEN]);
        kh_segbuf_free(w->buf);
        kh_analyzer_free(w->analyzer);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->changed);
    }
    free(ws->w);
    free(ws);
}

size_t kh_workers_count(const kh_workers *ws) { return ws->n; }

static uint32_t hash_id(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h ^ (h >> 16);
}

kh_status kh_workers_add(kh_workers *ws, const kh_article *a, kh_error *err)
{
    worker *w = &ws->w[hash_id(a->id) % ws->n];
    kh_article *copy = copy_article(a);
    if (!copy)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory copying article %s", a->id);
    pthread_mutex_lock(&w->lock);
    while (w->count == QUEUE_LEN && w->failed == KH_OK)
        pthread_cond_wait(&w->changed, &w->lock);
    kh_status st = w->failed;
    if (st != KH_OK) {
        if (err)
            *err = w->fail_err;
        pthread_mutex_unlock(&w->lock);
        free_article(copy);
        return st;
    }
    w->queue[(w->head + w->count) % QUEUE_LEN] = copy;
    w->count++;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
    return KH_OK;
}

size_t kh_workers_bytes(kh_workers *ws)
{
    size_t total = 0;
    for (size_t i = 0; i < ws->n; i++) {
        pthread_mutex_lock(&ws->w[i].lock);
        total += ws->w[i].bytes;
        pthread_mutex_unlock(&ws->w[i].lock);
    }
    return total;
}

/* Waits until worker w has nothing queued and is idle; returns with its lock held. */
static void drain_locked(worker *w)
{
    pthread_mutex_lock(&w->lock);
    while (w->count > 0 || w->busy)
        pthread_cond_wait(&w->changed, &w->lock);
}

size_t kh_workers_delete_term(kh_workers *ws, char field, const char *key, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < ws->n; i++) {
        worker *w = &ws->w[i];
        drain_locked(w);
        if (w->buf)
            n += kh_segbuf_delete_term(w->buf, field, key, len);
        pthread_mutex_unlock(&w->lock);
    }
    return n;
}

kh_status kh_workers_flush(kh_workers *ws, const char *dir, uint64_t *next_segment, kh_flushed *out,
                           size_t *n_out, kh_error *err)
{
    *n_out = 0;
    kh_status st = KH_OK;
    /* drain everyone, then start every flush so they run in parallel */
    int *started = calloc(ws->n, sizeof *started);
    if (!started)
        return kh_fail(err, KH_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < ws->n; i++) {
        worker *w = &ws->w[i];
        drain_locked(w);
        if (w->failed != KH_OK && st == KH_OK) {
            st = w->failed;
            if (err)
                *err = w->fail_err;
        }
        if (st == KH_OK && w->buf && kh_segbuf_docs(w->buf) > 0) {
            snprintf(w->flush_dir, sizeof w->flush_dir, "%s", dir);
            snprintf(w->flush_name, sizeof w->flush_name, "seg_%06llu", (unsigned long long)(*next_segment)++);
            w->flush_done = 0;
            started[i] = 1;
            pthread_cond_broadcast(&w->changed);
        }
        pthread_mutex_unlock(&w->lock);
    }
    for (size_t i = 0; i < ws->n; i++) {
        if (!started[i])
            continue;
        worker *w = &ws->w[i];
        pthread_mutex_lock(&w->lock);
        while (!w->flush_done)
            pthread_cond_wait(&w->changed, &w->lock);
        if (w->flush_status != KH_OK) {
            if (st == KH_OK) {
                st = w->flush_status;
                if (err)
                    *err = w->flush_err;
            }
        } else {
            kh_flushed *f = &out[(*n_out)++];
            memcpy(f->name, w->flushed_name, sizeof f->name);
            f->deleted = w->flush_deleted;
            f->n_deleted = w->flush_n_deleted;
        }
        w->flush_deleted = NULL;
        pthread_mutex_unlock(&w->lock);
    }
    free(started);
    return st;
}
