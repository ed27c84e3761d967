/* cmd_serve.c — `khabar serve`: the index behind an HTTP JSON API and an
 * Arabic web page (docs/api.md).
 *
 * Threads: --threads of them, all alike, and libmicrohttpd runs on none of
 * its own (external polling, epoll). The threads take turns as the leader,
 * the one that waits for the sockets and runs libmicrohttpd: it accepts,
 * reads requests and writes answers. A request that needs the index is a
 * job: its connection is suspended and the job goes into one queue, first
 * come first served. The leader then leaves its place, takes the oldest
 * job itself and wakes an idle thread to lead; a thread that has answered
 * resumes the connection and, if nobody leads, runs libmicrohttpd itself to
 * send the answer and read what came meanwhile. Under load every thread
 * searches and the answers go out without a hand-over between threads.
 * Each thread keeps its own index handle (serve_index.c gives a thread
 * back the handle it used last).
 *
 * Why (measured in docs/api.md, "Leader/follower threads" and "How it
 * handles connections"):
 * - one thread per connection (MHD_USE_THREAD_PER_CONNECTION), the
 *   handles in a queue: the search code is the same, yet the CPU per
 *   request grew with the connections (0.96 ms at 1, 1.25 ms at 8, for the
 *   same 6.3 M instructions): 8 threads on 2 CPUs wake, preempt the
 *   running searches and wait for a handle;
 * - libmicrohttpd's thread pool (MHD_OPTION_THREAD_POOL_SIZE), or our own
 *   loops each fed its share of the connections: the cheapest, but a
 *   connection belongs to one loop for its life, so a slow search holds up
 *   the other requests of its loop while another loop idles: p99 at 8
 *   connections went over 10 ms (9.9-23 ms against 8.5-9.0 ms here);
 * - one libmicrohttpd thread for the network and --threads workers behind
 *   the queue, the previous design: the same order, but two hand-overs
 *   between threads per request (a wake-up, a context switch, futexes and
 *   libmicrohttpd's resume signal): 70-73% of the in-process rate where
 *   this design has 77-80%, measured side by side.
 *
 * This file does the HTTP side: routing on the raw request target (so ids
 * that are URLs survive percent-encoding), methods, limits, authentication,
 * and response headers. The handlers live in serve_api.c and serve_pages.c.
 *
 * SIGINT and SIGTERM stop it: their handler writes the signal's number to a
 * pipe that the main thread waits on, which then stops the threads (what is
 * queued is answered and sent) and the daemon, and frees everything. A handler
 * rather than sigwait(): a process-directed signal may be delivered to any
 * thread that does not block it, and libmicrohttpd's threads are not ours
 * to mask, so only a handler is sure to see it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "khabar.h"
#include "commands.h"
#include "serve.h"

static void serve_usage(FILE *out)
{
    fprintf(out,
        "usage: khabar serve [--index DIR] [--host ADDR] [--port N] [OPTIONS]\n"
        "\n"
        "Serves the index over HTTP: a JSON API (/api/search, /api/articles/ID,\n"
        "/api/sources, /api/stats, /healthz) and an Arabic web page at /.\n"
        "The server follows new commits, so an `ingest` running beside it shows\n"
        "up without a restart. SIGINT or SIGTERM stops it cleanly.\n"
        "\n"
        "Options:\n"
        "  -i, --index DIR            the index directory (default ./khabar-index)\n"
        "      --host ADDR            address to listen on (default 127.0.0.1: this\n"
        "                             machine only)\n"
        "  -p, --port N               port (default 8080; 0 picks a free one, printed)\n"
        "      --threads N            searches run at once, each on its own index handle\n"
        "                             (default: the CPUs this process may use, 2 to 64);\n"
        "                             more wait their turn\n"
        "      --max-clients N        open connections beyond N get 503 (default 256)\n"
        "      --max-body BYTES       largest POST body (default 8388608); larger: 413\n"
        "      --write-token-file F   enables POST /api/articles for requests carrying\n"
        "                             `Authorization: Bearer <the token in F>`; without\n"
        "                             it writes are off (403). Creates the index if absent.\n"
        "  -h, --help                 this help\n"
        "\n"
        "It prints the address to open, e.g. \"khabar serve: listening on\n"
        "http://127.0.0.1:8080/\", on standard output once it accepts requests.\n"
        "\n"
        "Example:\n"
        "  khabar serve --index news --port 8080\n"
        "  curl 'http://127.0.0.1:8080/api/search?q=%%D8%%A7%%D9%%84%%D9%%86%%D9%%81%%D8%%B7&limit=3'\n");
}

/* How long a request may wait in the queue (or a thread for an
 * index handle) before it is answered 503: far beyond a search's few
 * milliseconds, so only a server that is truly overrun refuses.
 * (Connections beyond --max-clients are refused at once.) */
#define POOL_WAIT_MS 5000

/* libmicrohttpd's memory for one connection: the request line and headers
 * must fit, and our own limit on a query string is 16 KiB (http_params.h),
 * which a longer one gets as a 400 naming it. Not more: libmicrohttpd
 * zeroes the whole of it before every request on the connection, which
 * at 128 KiB was 0.6% of the server's CPU (perf, wrk -c8). */
#define CONNECTION_MEMORY (32 * 1024)

/* ---- stopping ------------------------------------------------------------ */

/* The only global state of the server, as the signal handler needs it: the
 * write end of the stop pipe, set once before the handler is installed. */
static int stop_pipe_write = -1;

static void on_stop_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (write(stop_pipe_write, &b, 1) < 0) {
        /* the pipe is full: a stop is already pending */
    }
    errno = saved;
}

/* ---- per-request state --------------------------------------------------- */

typedef struct request_ctx {
    char *raw_uri;              /* the request target as sent: path?query */
    int started;                /* the first call of the handler happened */
    sbuf body;                  /* a POST body, as it arrives */
    int too_large;
    /* The request as a job for the search threads, while its connection
     * is suspended (see the top of this file). */
    struct MHD_Connection *conn;
    struct request_ctx *next;   /* in the queue */
    uint64_t queued_ms;
    int route;                  /* a route (enum route, below) */
    const char *tail;           /* into raw_uri */
    size_t tail_len;
    int is_post;
    http_params params;
    char *referer, *content_type;   /* copies of the headers the handlers read */
    int answered;               /* response holds the answer: send it */
    serve_response response;
} request_ctx;

/* libmicrohttpd calls this first with the target as sent, before it decodes
 * anything in place; what it returns becomes the request's context. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    request_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->raw_uri = strdup(uri ? uri : "/");
    sb_init(&ctx->body);
    response_init(&ctx->response);
    return ctx;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    request_ctx *ctx = *con_cls;
    if (ctx) {
        free(ctx->raw_uri);
        free(ctx->referer);
        free(ctx->content_type);
        sb_free(&ctx->body);
        response_clear(&ctx->response);
        free(ctx);
        *con_cls = NULL;
    }
}

/* The server's HTTP side: the search threads and their queue of requests,
 * oldest first. */
typedef struct http_server {
    server *s;
    struct MHD_Daemon *daemon;
    int mhd_epoll_fd;           /* libmicrohttpd's epoll set: readable when it has work */
    int wake_read, wake_write;  /* a pipe that ends the leader's wait: an answer
                                 * to send, or stopping */
    pthread_mutex_t mu;
    pthread_cond_t wake;        /* work for an idle thread, or stopping */
    request_ctx *head, *tail;
    int leader;                 /* a thread is in libmicrohttpd (waiting or running it) */
    int polling;                /* ... and waiting in poll(): wake it with the pipe */
    int resumed;                /* answers wait for a run of libmicrohttpd to be sent */
    unsigned idle;              /* threads asleep on `wake` */
    unsigned busy;              /* threads answering a request */
    int stopping;               /* no more requests are queued */
    pthread_t *workers;
    size_t n_workers;
} http_server;

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)c;
    (void)socket_context;
    http_server *h = cls;
    server *s = h->s;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&s->connections, 1);
    else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
        atomic_fetch_sub(&s->connections, 1);
}

/* ---- responses ----------------------------------------------------------- */

/* Queues r. (A HEAD request gets the same headers; libmicrohttpd leaves the
 * body out itself.) */
static enum MHD_Result send_response(struct MHD_Connection *c, serve_response *r)
{
    struct MHD_Response *resp;
    if (r->static_body)
        resp = MHD_create_response_from_buffer(r->static_len, (void *)r->static_body, MHD_RESPMEM_PERSISTENT);
    else if (r->body.failed)
        return MHD_NO;
    else {
        /* The body's buffer moves to libmicrohttpd, which free()s it. */
        resp = MHD_create_response_from_buffer(r->body.len, r->body.data, MHD_RESPMEM_MUST_FREE);
        if (resp)
            sb_init(&r->body);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    /* Our own pages may learn which results page an article was opened
     * from (for its "back to the results" link); other sites learn nothing. */
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    if (r->cache_seconds > 0) {
        char v[48];
        snprintf(v, sizeof v, "public, max-age=%d", r->cache_seconds);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, v);
    } else {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
    if (!strncmp(r->content_type, "text/html", 9))
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                                "form-action 'self'; frame-ancestors 'none'");
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r->location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    if (r->status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"khabar\"");
    if (r->retry_after > 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* Compares the token in constant time, so that timing does not tell an
 * attacker how many leading characters were right. */
static int token_matches(const char *want, const char *header)
{
    static const char prefix[] = "Bearer ";
    if (!header || strncasecmp(header, prefix, sizeof prefix - 1))
        return 0;
    const char *got = header + sizeof prefix - 1;
    size_t wl = strlen(want), gl = strlen(got);
    unsigned diff = (unsigned)(wl != gl);
    for (size_t i = 0; i < wl; i++)
        diff |= (unsigned char)want[i] ^ (unsigned char)(i < gl ? got[i] : 0);
    return diff == 0;
}

/* ---- routing ------------------------------------------------------------- */

typedef enum route {
    R_NONE,
    R_HOME,
    R_SEARCH_PAGE,
    R_ARTICLE_PAGE,
    R_STATIC,
    R_HEALTH,
    R_API_SEARCH,
    R_API_SOURCES,
    R_API_STATS,
    R_API_ARTICLE,
    R_API_ARTICLES,             /* POST a new article */
} route;

/* Which route serves path; *tail is what follows a prefix route's slash
 * (still percent-encoded). */
static route find_route(const char *path, size_t len, const char **tail, size_t *tail_len)
{
    static const struct {
        const char *path;
        route r;
        int prefix;
    } table[] = {
        {"/", R_HOME, 0},
        {"/search", R_SEARCH_PAGE, 0},
        {"/article/", R_ARTICLE_PAGE, 1},
        {"/static/", R_STATIC, 1},
        {"/healthz", R_HEALTH, 0},
        {"/api/search", R_API_SEARCH, 0},
        {"/api/sources", R_API_SOURCES, 0},
        {"/api/stats", R_API_STATS, 0},
        {"/api/articles", R_API_ARTICLES, 0},
        {"/api/articles/", R_API_ARTICLE, 1},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        size_t n = strlen(table[i].path);
        if (table[i].prefix ? len > n && !strncmp(path, table[i].path, n)
                            : len == n && !strncmp(path, table[i].path, n)) {
            *tail = path + n;
            *tail_len = len - n;
            return table[i].r;
        }
    }
    return R_NONE;
}

static int is_api(route r)
{
    return r == R_HEALTH || r >= R_API_SEARCH;
}

static void not_found(serve_response *r, int api, const char *what)
{
    if (api)
        response_error(r, 404, "not_found", what);
    else
        page_not_found(r, what);
}

static void bad_request(serve_response *r, int api, const char *detail)
{
    if (api)
        response_error(r, 400, "bad_request", detail);
    else
        page_error(r, 400, "طلب غير مفهوم", detail);
}

/* Handles a GET (or HEAD) once the route is known. */
static void handle_get(server *s, route rt, const char *tail, size_t tail_len, const http_params *params,
                       const char *referer, serve_response *r)
{
    char msg[HTTP_PARAM_MSG_MAX];
    char *id = NULL;
    if (rt == R_ARTICLE_PAGE || rt == R_API_ARTICLE || rt == R_STATIC) {
        if (http_decode(tail, tail_len, 0, &id, msg, sizeof msg) != 0) {
            bad_request(r, is_api(rt), msg);
            return;
        }
    }
    switch (rt) {
    case R_HOME: page_home(s, r); break;
    case R_SEARCH_PAGE: page_search(s, params, r); break;
    case R_ARTICLE_PAGE: page_article(s, id, referer, r); break;
    case R_STATIC: {
        /* Only the assets compiled into the binary: no file is ever opened,
         * so no path can reach outside them. */
        const serve_asset *a = asset_find(id);
        if (!a) {
            not_found(r, 0, "لا يوجد ملف بهذا الاسم");
            break;
        }
        r->content_type = a->content_type;
        r->static_body = a->data;
        r->static_len = a->len;
        r->cache_seconds = 300;
        break;
    }
    case R_HEALTH: api_health(s, r); break;
    case R_API_SEARCH: api_search(s, params, r); break;
    case R_API_SOURCES: api_sources(s, r); break;
    case R_API_STATS: api_stats(s, r); break;
    case R_API_ARTICLE: api_article(s, id, r); break;
    default: not_found(r, 1, "no such path"); break;
    }
    free(id);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    http_server *h = cls;
    server *s = h->s;
    request_ctx *ctx = *con_cls;
    if (!ctx) {
        ctx = on_uri(NULL, url, c);
        if (!ctx)
            return MHD_NO;
        *con_cls = ctx;
    }
    if (ctx->answered) {
        /* Resumed: a thread has the answer. */
        ctx->answered = 0;
        enum MHD_Result ok = send_response(c, &ctx->response);
        response_clear(&ctx->response);
        return ok;
    }
    const char *raw = ctx->raw_uri;
    const char *qmark = strchr(raw, '?');
    size_t path_len = qmark ? (size_t)(qmark - raw) : strlen(raw);
    const char *tail = NULL;
    size_t tail_len = 0;
    route rt = find_route(raw, path_len, &tail, &tail_len);
    int api = rt == R_NONE ? !strncmp(raw, "/api/", 5) : is_api(rt);
    int is_get = !strcmp(method, MHD_HTTP_METHOD_GET), is_head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
    int is_post = !strcmp(method, MHD_HTTP_METHOD_POST);

    serve_response r;
    response_init(&r);

    /* The first call comes with the headers. Only refusals that must not
     * read the body (too busy, no or wrong token, declared too large) answer
     * now: answering before the request is complete makes libmicrohttpd
     * close the connection, which is right for those and wasteful for the
     * rest, which answer at the last call so keep-alive is kept. */
    if (!ctx->started) {
        ctx->started = 1;
        if (atomic_load(&s->connections) > s->max_clients) {
            response_error(&r, 503, "unavailable", "too many open connections: try again in a moment");
            r.retry_after = 1;
        } else if (rt == R_API_ARTICLES && is_post) {
            const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
            const char *clen = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            if (!s->write_token)
                response_error(&r, 403, "forbidden",
                               "writes are off: start the server with --write-token-file to enable them");
            else if (!token_matches(s->write_token, auth))
                response_error(&r, 401, "unauthorized", "send the write token as 'Authorization: Bearer <token>'");
            else if (clen && strtoull(clen, NULL, 10) > s->max_body) {
                char detail[96];
                snprintf(detail, sizeof detail, "the body is over the limit of %zu bytes", s->max_body);
                response_error(&r, 413, "payload_too_large", detail);
            } else {
                return MHD_YES;
            }
        } else {
            return MHD_YES;
        }
        enum MHD_Result ok = send_response(c, &r);
        response_clear(&r);
        return ok;
    }

    /* A body, in pieces; a last call without data marks its end. Only a
     * POST keeps it; a body sent with a GET is read and dropped. */
    if (*upload_data_size) {
        if (rt == R_API_ARTICLES && is_post && !ctx->too_large) {
            if (ctx->body.len + *upload_data_size > s->max_body) {
                ctx->too_large = 1;
                sb_free(&ctx->body);
            } else {
                sb_putn(&ctx->body, upload_data, *upload_data_size);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }

    http_params params;
    char msg[HTTP_PARAM_MSG_MAX];
    if (rt == R_NONE) {
        not_found(&r, api, api ? "no such path: see docs/api.md" : "لا توجد صفحة بهذا العنوان");
    } else if (rt == R_API_ARTICLES ? !is_post : !(is_get || is_head)) {
        const char *allow = rt == R_API_ARTICLES ? "POST" : "GET, HEAD";
        char detail[96];
        snprintf(detail, sizeof detail, "%.16s is not allowed here (allowed: %s)", method, allow);
        response_error(&r, 405, "method_not_allowed", detail);
        r.allow = allow;
    } else if (http_params_parse(qmark ? qmark + 1 : "", qmark ? strlen(qmark + 1) : 0, &params, msg, sizeof msg)) {
        bad_request(&r, api, msg);
    } else if (rt == R_STATIC) {
        /* Compiled-in bytes: no index, answered at once. */
        handle_get(s, rt, tail, tail_len, &params, NULL, &r);
        http_params_free(&params);
    } else {
        /* To the queue. The connection is suspended first, so that the
         * resume cannot come before it; the headers the handlers need are
         * copied, as the answer is made outside libmicrohttpd. */
        const char *referer = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_REFERER);
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        ctx->conn = c;
        ctx->route = rt;
        ctx->tail = tail;
        ctx->tail_len = tail_len;
        ctx->is_post = is_post;
        ctx->params = params;
        ctx->referer = referer ? strdup(referer) : NULL;
        ctx->content_type = ct ? strdup(ct) : NULL;
        ctx->next = NULL;
        ctx->queued_ms = monotonic_ms();
        pthread_mutex_lock(&h->mu);
        if (!h->stopping) {
            MHD_suspend_connection(c);
            if (h->tail)
                h->tail->next = ctx;
            else
                h->head = ctx;
            h->tail = ctx;
            pthread_mutex_unlock(&h->mu);
            return MHD_YES;
        }
        pthread_mutex_unlock(&h->mu);
        http_params_free(&ctx->params);
        response_error(&r, 503, "unavailable", "the server is stopping");
    }
    enum MHD_Result ok = send_response(c, &r);
    response_clear(&r);
    return ok;
}

/* ---- the search threads ---------------------------------------------------- */

/* Answers a queued request into ctx->response (on a search thread). */
static void answer(server *s, request_ctx *ctx)
{
    serve_response *r = &ctx->response;
    if (monotonic_ms() - ctx->queued_ms >= POOL_WAIT_MS) {
        /* It waited as long as a search may: the server is overrun. */
        response_error(r, 503, "unavailable", "every search thread was busy for 5 s: try again in a moment");
        r->retry_after = 1;
    } else if (ctx->route == R_API_ARTICLES) {
        if (ctx->too_large) {
            char detail[96];
            snprintf(detail, sizeof detail, "the body is over the limit of %zu bytes", s->max_body);
            response_error(r, 413, "payload_too_large", detail);
        } else if (ctx->body.failed) {
            response_error(r, 500, "internal_error", "out of memory");
        } else {
            api_post_article(s, &ctx->params, ctx->content_type, ctx->body.data ? ctx->body.data : "", ctx->body.len,
                             r);
        }
    } else {
        handle_get(s, (route)ctx->route, ctx->tail, ctx->tail_len, &ctx->params, ctx->referer, r);
    }
    http_params_free(&ctx->params);
}

/* The leader's wait: until libmicrohttpd has something to do (a socket, a
 * resumed request, a connection timing out) or the server stops. */
static void wait_for_http(http_server *h)
{
    MHD_UNSIGNED_LONG_LONG ms;
    int timeout = -1;
    if (MHD_get_timeout(h->daemon, &ms) == MHD_YES)
        timeout = ms > 60000 ? 60000 : (int)ms;
    if (timeout == 0)
        return;
    struct pollfd fds[2] = {{.fd = h->mhd_epoll_fd, .events = POLLIN}, {.fd = h->wake_read, .events = POLLIN}};
    while (poll(fds, 2, timeout) < 0 && errno == EINTR)
        ;
    /* Drained even when it says stop: once h->stopping is set no thread
     * waits here again. */
    char buf[64];
    if (fds[1].revents)
        while (read(h->wake_read, buf, sizeof buf) > 0)
            ;
}

/* Ends the leader's wait (a pipe that is full has a wake-up pending). */
static void wake_leader(http_server *h)
{
    if (write(h->wake_write, "x", 1) < 0) {
        /* full: the leader wakes anyway */
    }
}

/* Runs libmicrohttpd as the leader: sends the answers of resumed requests
 * and reads new ones, which on_request queues; with may_wait and nothing
 * resumed, first waits for something to happen. Called with h->mu held
 * and no leader; returns with it held. */
static void lead(http_server *h, int may_wait)
{
    h->leader = 1;
    int wait = may_wait && !h->resumed;
    h->polling = wait;
    h->resumed = 0;
    pthread_mutex_unlock(&h->mu);
    if (wait) {
        wait_for_http(h);
        pthread_mutex_lock(&h->mu);
        h->polling = 0;
        h->resumed = 0;     /* the run below sends what was resumed so far */
        pthread_mutex_unlock(&h->mu);
    }
    MHD_run(h->daemon);
    pthread_mutex_lock(&h->mu);
    h->leader = 0;
}

/* Every thread runs this loop (see the top of this file), taking under
 * h->mu the first of: sending answers that wait to be sent, the oldest
 * queued request, the leader's place, or sleep until there is work. */
static void *worker_main(void *arg)
{
    http_server *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        request_ctx *ctx = h->head;
        if (h->resumed && !h->leader) {
            lead(h, 0);
        } else if (ctx) {
            h->head = ctx->next;
            if (!h->head)
                h->tail = NULL;
            /* Someone idle takes the next request, or the sockets while
             * this thread searches, unless no open connection can send
             * one meanwhile: then the wake-up would be wasted, and one
             * connection alone is served by one thread with no hand-over
             * at all. */
            if (h->idle && (h->head || (!h->leader && atomic_load(&h->s->connections) > h->busy + 1)))
                pthread_cond_signal(&h->wake);
            h->busy++;
            pthread_mutex_unlock(&h->mu);
            answer(h->s, ctx);
            ctx->answered = 1;
            MHD_resume_connection(ctx->conn);
            pthread_mutex_lock(&h->mu);
            h->busy--;
            /* Sent by this thread's next turn when there is no leader, by
             * the leader's run otherwise; a leader asleep in poll() must be
             * woken, as libmicrohttpd's own resume signal does not reach
             * it when it runs no thread. */
            h->resumed = 1;
            if (h->polling)
                wake_leader(h);
        } else if (h->stopping) {
            break;
        } else if (!h->leader) {
            lead(h, 1);
        } else {
            h->idle++;
            pthread_cond_wait(&h->wake, &h->mu);
            h->idle--;
        }
    }
    /* Stopping: wake any thread still asleep on h->wake, so that it sees
     * the stop too. */
    pthread_cond_broadcast(&h->wake);
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* ---- start-up ------------------------------------------------------------ */

static int parse_unsigned(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Reads the token: the file's first line, surrounding whitespace removed. */
static char *read_token(const char *path, char *msg, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(msg, cap, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char line[1024];
    char *got = fgets(line, sizeof line, f);
    fclose(f);
    if (!got) {
        snprintf(msg, cap, "%s: empty: put the write token on its first line", path);
        return NULL;
    }
    char *a = line, *z = line + strlen(line);
    while (*a == ' ' || *a == '\t')
        a++;
    while (z > a && (z[-1] == '\n' || z[-1] == '\r' || z[-1] == ' ' || z[-1] == '\t'))
        z--;
    if (z - a < 16) {
        snprintf(msg, cap, "%s: the token is shorter than 16 characters; use a long random one", path);
        return NULL;
    }
    *z = '\0';
    return strdup(a);
}

int cmd_serve(int argc, char **argv)
{
    static const struct option options[] = {
        {"index", required_argument, NULL, 'i'},
        {"host", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"threads", required_argument, NULL, 't'},
        {"max-clients", required_argument, NULL, 'm'},
        {"max-body", required_argument, NULL, 'b'},
        {"write-token-file", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = "khabar-index", *host = "127.0.0.1", *token_file = NULL;
    unsigned long long port = 8080, threads = 0, max_clients = 256, max_body = 8u << 20;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:p:h", options, NULL)) != -1) {
        unsigned long long *num = NULL, max = 0;
        const char *what = NULL;
        switch (c) {
        case 'i': dir = optarg; break;
        case 'H': host = optarg; break;
        case 'p': num = &port, max = 65535, what = "--port"; break;
        case 't': num = &threads, max = 256, what = "--threads"; break;
        case 'm': num = &max_clients, max = 100000, what = "--max-clients"; break;
        case 'b': num = &max_body, max = 1ull << 30, what = "--max-body"; break;
        case 'w': token_file = optarg; break;
        case 'h': serve_usage(stdout); return 0;
        default: serve_usage(stderr); return 2;
        }
        if (num && parse_unsigned(optarg, max, num) != 0) {
            fprintf(stderr, "khabar serve: %s needs a number up to %llu, not '%s'\n", what, max, optarg);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "khabar serve: unexpected argument '%s'\n\n", argv[optind]);
        serve_usage(stderr);
        return 2;
    }
    if (threads == 0) {
        size_t n = kh_cpu_count();
        threads = n < 2 ? 2 : n > 64 ? 64 : (unsigned long long)n;
    }
    if (max_clients == 0)
        max_clients = 1;

    server s;
    memset(&s, 0, sizeof s);
    s.index_dir = dir;
    s.max_body = (size_t)max_body;
    s.max_clients = (unsigned)max_clients;
    atomic_init(&s.connections, 0);
    char msg[512];
    if (token_file && !(s.write_token = read_token(token_file, msg, sizeof msg))) {
        fprintf(stderr, "khabar serve: --write-token-file %s\n", msg);
        return 2;
    }

    kh_error err;
    if (s.write_token) {
        /* Writes are on: an index that does not exist yet is created, so a
         * server can be fed from nothing. */
        kh_index_options io;
        kh_index_options_init(&io);
        io.writable = 1;
        io.create = 1;
        kh_index *w;
        kh_status st = kh_index_open(dir, &io, &w, &err);
        if (st == KH_OK)
            kh_index_close(w);
        else if (st != KH_ERR_LOCKED) {
            fprintf(stderr, "khabar serve: %s\n", err.message);
            free(s.write_token);
            return 1;
        }
    }
    if (pool_init(&s.pool, dir, (size_t)threads, POOL_WAIT_MS, &err) != KH_OK) {
        fprintf(stderr, "khabar serve: %s\n", err.message);
        free(s.write_token);
        return 1;
    }
    pthread_mutex_init(&s.write_mu, NULL);

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *ai = NULL;
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%llu", port);
    int rc = getaddrinfo(host, port_text, &hints, &ai);
    if (rc != 0) {
        fprintf(stderr, "khabar serve: --host %s: %s\n", host, gai_strerror(rc));
        pool_free(&s.pool);
        free(s.write_token);
        return 2;
    }

    int stop_pipe[2];
    if (pipe(stop_pipe) != 0) {
        fprintf(stderr, "khabar serve: pipe: %s\n", strerror(errno));
        freeaddrinfo(ai);
        pool_free(&s.pool);
        free(s.write_token);
        return 1;
    }
    stop_pipe_write = stop_pipe[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* libmicrohttpd without a thread of its own: the search threads take
     * turns running it (the top of this file). */
    http_server h = {.s = &s, .mhd_epoll_fd = -1, .wake_read = -1, .wake_write = -1};
    pthread_mutex_init(&h.mu, NULL);
    pthread_cond_init(&h.wake, NULL);
    int wake_pipe[2];
    if (pipe(wake_pipe) == 0) {
        for (int i = 0; i < 2; i++) {
            fcntl(wake_pipe[i], F_SETFL, fcntl(wake_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
        }
        h.wake_read = wake_pipe[0];
        h.wake_write = wake_pipe[1];
    }
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = h.wake_read < 0 ? NULL : MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, &h,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)max_clients + 64,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, &h,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &h,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, &h,
        MHD_OPTION_END);
    const union MHD_DaemonInfo *epoll_info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if (d && !epoll_info) {
        MHD_stop_daemon(d);
        d = NULL;
    }
    int started = d != NULL;
    if (started) {
        MHD_run(d);     /* it adds the listening socket to its epoll set on its first run */
        h.daemon = d;
        h.mhd_epoll_fd = epoll_info->epoll_fd;
        h.workers = calloc((size_t)threads, sizeof *h.workers);
        started = h.workers != NULL;
    }
    for (size_t i = 0; started && i < (size_t)threads; i++) {
        started = pthread_create(&h.workers[i], NULL, worker_main, &h) == 0;
        if (started)
            h.n_workers++;
    }
    char shown_host[64];
    snprintf(shown_host, sizeof shown_host, ai->ai_family == AF_INET6 ? "[%s]" : "%s", host);
    freeaddrinfo(ai);
    int exit_status = 0;
    if (!d) {
        fprintf(stderr, "khabar serve: cannot listen on %s port %llu (in use, or not an address of this machine?)\n",
                host, port);
        exit_status = 1;
    } else if (!started) {
        fprintf(stderr, "khabar serve: cannot start the search threads\n");
        exit_status = 1;
    } else {
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        unsigned bound = info ? info->port : (unsigned)port;
        kh_index_stats stats = {0};
        index_slot *slot = pool_checkout(&s.pool, NULL);
        if (slot) {
            kh_index_stats_get(slot->ix, &stats, NULL);
            pool_checkin(&s.pool, slot);
        }
        printf("khabar serve: listening on http://%s:%u/ (index %s: %zu articles; %u searches at once; writes %s)\n",
               shown_host, bound, dir, stats.articles, (unsigned)threads, s.write_token ? "on" : "off");
        fflush(stdout);

        unsigned char sig = 0;
        while (read(stop_pipe[0], &sig, 1) < 0 && errno == EINTR)
            ;
        fprintf(stderr, "khabar serve: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    /* Stopping: no request is queued from now on (a request that comes is
     * answered 503), the threads answer what is queued and resume those
     * connections, a last run of libmicrohttpd sends those answers, and
     * only then the daemon stops: libmicrohttpd must not be stopped with a
     * connection suspended. The pipe's byte is left unread, so every later
     * wait of a leader ends at once. */
    pthread_mutex_lock(&h.mu);
    h.stopping = 1;
    pthread_cond_broadcast(&h.wake);
    pthread_mutex_unlock(&h.mu);
    if (h.wake_write >= 0)
        wake_leader(&h);
    for (size_t i = 0; i < h.n_workers; i++)
        pthread_join(h.workers[i], NULL);
    if (d) {
        MHD_run(d);
        MHD_stop_daemon(d);
    }
    if (h.wake_read >= 0) {
        close(h.wake_read);
        close(h.wake_write);
    }
    free(h.workers);
    pthread_cond_destroy(&h.wake);
    pthread_mutex_destroy(&h.mu);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    pthread_mutex_destroy(&s.write_mu);
    pool_free(&s.pool);
    free(s.write_token);
    if (d)
        fprintf(stderr, "khabar serve: stopped\n");
    return exit_status;
}
