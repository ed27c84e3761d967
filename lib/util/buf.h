/* buf.h — a growable byte buffer, always NUL-terminated.
 *
 * The one string builder of the library (in the spirit of Redis' sds, but a
 * plain struct): append bytes, formatted text or JSON-escaped strings, then
 * either read b.data in place or take ownership with kh_buf_detach(). After
 * an allocation failure the buffer is marked failed, further appends are
 * ignored, and kh_buf_failed() reports it — so a long chain of appends needs
 * one check at the end, not one per call. */
#ifndef KH_UTIL_BUF_H
#define KH_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct kh_buf {
    char *data;     /* NULL until the first append; NUL-terminated after */
    size_t len;
    size_t cap;
    int failed;     /* an allocation failed */
} kh_buf;

#define KH_BUF_INIT {NULL, 0, 0, 0}

int kh_buf_reserve(kh_buf *b, size_t extra);          /* 0 on success, -1 on failure */
void kh_buf_append(kh_buf *b, const void *data, size_t len);
void kh_buf_puts(kh_buf *b, const char *s);
void kh_buf_putc(kh_buf *b, char c);
void kh_buf_printf(kh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s[0..len) as a JSON string literal, quotes included. s must be
 * valid UTF-8 (the library only ever holds validated text). */
void kh_buf_json_string(kh_buf *b, const char *s, size_t len);
/* The same without the quotes: for a string written in pieces. */
void kh_buf_json_escape(kh_buf *b, const char *s, size_t len);
static inline int kh_buf_failed(const kh_buf *b) { return b->failed; }
void kh_buf_reset(kh_buf *b);                         /* len = 0, keeps memory */
void kh_buf_free(kh_buf *b);
/* Returns the data (caller frees; "" for an empty buffer) and resets b;
 * NULL if an append had failed. */
char *kh_buf_detach(kh_buf *b);

/* Gives the allocator's free memory back to the system, after a step that
 * freed much (a flushed segment buffer, a merge). Why: glibc keeps what a
 * thread freed in that thread's arena, and raises its mmap threshold after
 * the first large free, so the next buffers come from the arenas too; an
 * ingest with --ram-buffer 64 then held 150 MB at its peak, 128 MB with
 * this (docs/index.md, "Scaling"). A no-op where the C library has no
 * malloc_trim. */
void kh_release_free_memory(void);

#endif
