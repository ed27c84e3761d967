/* serve.h — the parts of `khabar serve` (src/cmd_serve.c, src/serve_*.c).
 *
 * cmd_serve.c owns the HTTP side (libmicrohttpd, routing, limits, signals);
 * the handlers here know nothing of HTTP libraries: they take decoded
 * parameters and fill a serve_response, which keeps them testable and lets
 * the same search feed the JSON API and the server-rendered pages. */
#ifndef KH_SERVE_H
#define KH_SERVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "khabar.h"
#include "http_params.h"
#include "serve_buf.h"

#define CT_JSON "application/json; charset=utf-8"
#define CT_HTML "text/html; charset=utf-8"
#define CT_TEXT "text/plain; charset=utf-8"

typedef struct serve_response {
    int status;
    const char *content_type;   /* static string, always with a charset for text */
    sbuf body;                  /* the body, unless static_body is set */
    const void *static_body;    /* an embedded asset: sent without copying */
    size_t static_len;
    const char *allow;          /* the Allow header of a 405 */
    const char *location;       /* the Location header of a redirect or 201 */
    int cache_seconds;          /* 0: Cache-Control: no-store */
    int retry_after;            /* seconds, for 503 */
} serve_response;

void response_init(serve_response *r);
void response_clear(serve_response *r);
/* A JSON error: {"error": code, "detail": detail}. */
void response_error(serve_response *r, int status, const char *code, const char *detail);

/* ---- one kh_index per running search (serve_index.c) ------------------- */

/* A kh_index serves one thread at a time, so the server keeps a small pool
 * of handles on the same directory: as many as searches may run at once
 * (--threads, the CPUs this process may use by default), which is also the number of
 * the server's search threads (cmd_serve.c), so a thread finds a handle
 * free. A thread gets back the handle it used last, whose memory its CPU's
 * caches may still hold. Should more threads ask than there are handles (the
 * main thread at start-up), they wait in one queue, first come first
 * served, and give up with a 503 after wait_ms.
 *
 * Each handle follows new commits: it is reopened when the server itself
 * committed (epoch) or, at most every RECHECK_MS, when another process may
 * have. */
typedef struct index_slot {
    kh_index *ix;
    int busy;
    uint64_t epoch;             /* the pool's epoch when last reopened */
    uint64_t checked_ms;        /* monotonic time of the last reopen */
    int reopen_failing;         /* the last reopen failed (logged once, not every 100 ms) */
    pthread_t user;             /* the thread that took it last, if has_user */
    int has_user;
} index_slot;

typedef struct pool_waiter pool_waiter;   /* a request queued for a handle */

typedef struct index_pool {
    pthread_mutex_t mu;
    char *dir;
    index_slot *slots;
    size_t n;
    uint64_t epoch;             /* bumped by every commit the server makes */
    pool_waiter *head, *tail;   /* requests waiting for a handle, oldest first */
    unsigned wait_ms;           /* how long one may wait before a 503 */
} index_pool;

/* n handles; a request waits at most wait_ms for one. */
kh_status pool_init(index_pool *p, const char *dir, size_t n, unsigned wait_ms, kh_error *err);
void pool_free(index_pool *p);
/* A handle, fresh as of the last commit, once one is free and every request
 * that asked before has had one; NULL and KH_ERR_LOCKED after waiting
 * wait_ms (the server answers 503), else NULL and the error of opening the
 * index. Return it with pool_checkin; never hold two at once. */
index_slot *pool_checkout(index_pool *p, kh_error *err);
void pool_checkin(index_pool *p, index_slot *s);
/* Tells every handle to reopen before its next use. */
void pool_bump(index_pool *p);

uint64_t monotonic_ms(void);
double monotonic_seconds(void);

/* ---- the server's shared state ----------------------------------------- */

typedef struct server {
    index_pool pool;
    const char *index_dir;
    char *write_token;          /* NULL: writes are off */
    size_t max_body;            /* bytes of a POST body */
    unsigned max_clients;       /* connections beyond this get 503 */
    atomic_uint connections;    /* open right now */
    pthread_mutex_t write_mu;   /* one writer at a time within the server */
} server;

/* ---- handlers (serve_api.c, serve_pages.c) ------------------------------ */

void api_search(server *s, const http_params *p, serve_response *r);
void api_article(server *s, const char *id, serve_response *r);
void api_sources(server *s, serve_response *r);
void api_stats(server *s, serve_response *r);
void api_health(server *s, serve_response *r);
/* body[0..len) in the format content_type names; p may carry url=. */
void api_post_article(server *s, const http_params *p, const char *content_type, const char *body, size_t len,
                      serve_response *r);

void page_home(server *s, serve_response *r);
void page_search(server *s, const http_params *p, serve_response *r);
/* referer: the request's Referer header or NULL; when it is one of this
 * server's result pages, the article links back to it. */
void page_article(server *s, const char *id, const char *referer, serve_response *r);
void page_not_found(serve_response *r, const char *what);
/* An HTML page saying what went wrong, with the search box to go on. */
void page_error(serve_response *r, int status, const char *title, const char *detail);

/* ---- embedded web assets (generated from web/ at build time) ------------- */

typedef struct serve_asset {
    const char *name;           /* "app.css": served as /static/app.css */
    const char *content_type;
    const unsigned char *data;
    size_t len;
} serve_asset;

extern const serve_asset serve_assets[];
extern const size_t serve_assets_count;

const serve_asset *asset_find(const char *name);

#endif
