/* serve_index.c — the pool of index handles behind `khabar serve`, and the
 * small helpers every handler shares (responses, clocks, assets). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve.h"

/* How stale a handle may be before it looks for a commit made by another
 * process (an `ingest` beside the server). Reading the manifest costs a
 * small file read, so not on every request. */
#define RECHECK_MS 100

uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A request waiting for a handle: it sleeps on its own condition until
 * pool_checkin hands it one, so a freed handle wakes exactly the oldest
 * waiter rather than every thread racing for it. Lives on the waiter's
 * stack. */
struct pool_waiter {
    pthread_cond_t cond;
    index_slot *slot;           /* set by pool_checkin: the handle is ours */
    pool_waiter *next;
};

kh_status pool_init(index_pool *p, const char *dir, size_t n, unsigned wait_ms, kh_error *err)
{
    memset(p, 0, sizeof *p);
    p->dir = strdup(dir);
    p->slots = calloc(n, sizeof *p->slots);
    if (!p->dir || !p->slots) {
        free(p->dir);
        free(p->slots);
        if (err) {
            err->status = KH_ERR_NOMEM;
            snprintf(err->message, sizeof err->message, "out of memory");
        }
        return KH_ERR_NOMEM;
    }
    p->n = n;
    p->wait_ms = wait_ms;
    pthread_mutex_init(&p->mu, NULL);
    /* Open one handle now, so that a missing or broken index is reported at
     * start-up rather than on the first request. */
    kh_status st = kh_index_open(dir, NULL, &p->slots[0].ix, err);
    if (st != KH_OK) {
        pool_free(p);
        return st;
    }
    p->slots[0].checked_ms = monotonic_ms();
    return KH_OK;
}

void pool_free(index_pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        kh_index_close(p->slots[i].ix);
    free(p->slots);
    free(p->dir);
    if (p->n)
        pthread_mutex_destroy(&p->mu);
    memset(p, 0, sizeof *p);
}

/* A free handle, preferring the one this thread used last, then one
 * already open; NULL when all are busy. Called with p->mu held. */
static index_slot *take_free(index_pool *p)
{
    index_slot *s = NULL;
    pthread_t self = pthread_self();
    for (size_t i = 0; i < p->n && !s; i++)
        if (!p->slots[i].busy && p->slots[i].ix && p->slots[i].has_user && pthread_equal(p->slots[i].user, self))
            s = &p->slots[i];
    for (size_t i = 0; i < p->n && !s; i++)
        if (!p->slots[i].busy && p->slots[i].ix)
            s = &p->slots[i];
    for (size_t i = 0; i < p->n && !s; i++)
        if (!p->slots[i].busy)
            s = &p->slots[i];
    if (s)
        s->busy = 1;
    return s;
}

/* Queues w and sleeps until a handle is handed over or wait_ms pass.
 * Called with p->mu held; returns with it held. */
static index_slot *wait_for_slot(index_pool *p, pool_waiter *w)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &attr);
    pthread_condattr_destroy(&attr);
    w->slot = NULL;
    w->next = NULL;
    if (p->tail)
        p->tail->next = w;
    else
        p->head = w;
    p->tail = w;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += p->wait_ms / 1000;
    until.tv_nsec += (long)(p->wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (!w->slot) {
        if (pthread_cond_timedwait(&w->cond, &p->mu, &until) != 0 && !w->slot) {
            /* Timed out, and no handle came meanwhile: leave the queue. */
            pool_waiter **at = &p->head, *prev = NULL;
            while (*at != w) {
                prev = *at;
                at = &(*at)->next;
            }
            *at = w->next;
            if (p->tail == w)
                p->tail = prev;
            break;
        }
    }
    pthread_cond_destroy(&w->cond);
    return w->slot;
}

index_slot *pool_checkout(index_pool *p, kh_error *err)
{
    pthread_mutex_lock(&p->mu);
    /* Someone already waiting goes first, even if a handle is free this
     * instant (it is already promised to them). */
    index_slot *s = p->head ? NULL : take_free(p);
    pool_waiter w;
    if (!s)
        s = wait_for_slot(p, &w);
    if (s) {
        s->user = pthread_self();
        s->has_user = 1;
    }
    uint64_t epoch = p->epoch;
    pthread_mutex_unlock(&p->mu);
    if (!s) {
        if (err) {
            err->status = KH_ERR_LOCKED;
            snprintf(err->message, sizeof err->message,
                     "every index handle was busy for %u ms: try again in a moment", p->wait_ms);
        }
        return NULL;
    }
    uint64_t now = monotonic_ms();
    if (!s->ix) {
        kh_status st = kh_index_open(p->dir, NULL, &s->ix, err);
        if (st != KH_OK) {
            pool_checkin(p, s);
            return NULL;
        }
        s->epoch = epoch;
        s->checked_ms = now;
    } else if (s->epoch != epoch || now - s->checked_ms >= RECHECK_MS) {
        kh_error e;
        /* A failed reopen (say, a commit half-removed by a crash) keeps the
         * previous view, which is still consistent: serve that. */
        if (kh_index_reopen(s->ix, &e) != KH_OK) {
            if (!s->reopen_failing)
                fprintf(stderr, "khabar serve: reopening the index: %s (serving the previous commit)\n", e.message);
            s->reopen_failing = 1;
        } else {
            s->reopen_failing = 0;
        }
        s->epoch = epoch;
        s->checked_ms = now;
    }
    return s;
}

void pool_checkin(index_pool *p, index_slot *s)
{
    pthread_mutex_lock(&p->mu);
    pool_waiter *w = p->head;
    if (w) {
        /* Straight to the oldest waiter: the handle stays busy. */
        p->head = w->next;
        if (!p->head)
            p->tail = NULL;
        w->slot = s;
        pthread_cond_signal(&w->cond);
    } else {
        s->busy = 0;
    }
    pthread_mutex_unlock(&p->mu);
}

void pool_bump(index_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->epoch++;
    pthread_mutex_unlock(&p->mu);
}

void response_init(serve_response *r)
{
    memset(r, 0, sizeof *r);
    r->status = 200;
    r->content_type = CT_JSON;
    sb_init(&r->body);
}

void response_clear(serve_response *r)
{
    sb_free(&r->body);
    response_init(r);
}

void response_error(serve_response *r, int status, const char *code, const char *detail)
{
    sb_free(&r->body);
    r->status = status;
    r->content_type = CT_JSON;
    r->static_body = NULL;
    sb_puts(&r->body, "{\"error\":");
    sb_json_str(&r->body, code);
    sb_puts(&r->body, ",\"detail\":");
    sb_json_str(&r->body, detail);
    sb_puts(&r->body, "}\n");
}

const serve_asset *asset_find(const char *name)
{
    for (size_t i = 0; i < serve_assets_count; i++)
        if (!strcmp(serve_assets[i].name, name))
            return &serve_assets[i];
    return NULL;
}
