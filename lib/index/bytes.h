/* bytes.h — the byte-level vocabulary of the index files.
 *
 * Integers on disk are either little-endian fixed width (where a reader must
 * jump straight to them: tables, headers) or LEB128 varints (where they are
 * read in sequence: postings, stored records). A reader never trusts a
 * length it read: every varint read is bounded by the end of its buffer, and
 * running past the end sets a sticky `bad` flag that the caller checks once,
 * like kh_buf's `failed`. */
#ifndef KH_INDEX_BYTES_H
#define KH_INDEX_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"

static inline void kh_put_u32(kh_buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    kh_buf_append(b, x, 4);
}

static inline void kh_put_u64(kh_buf *b, uint64_t v)
{
    kh_put_u32(b, (uint32_t)v);
    kh_put_u32(b, (uint32_t)(v >> 32));
}

static inline uint32_t kh_get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t kh_get_u64(const unsigned char *p)
{
    return (uint64_t)kh_get_u32(p) | (uint64_t)kh_get_u32(p + 4) << 32;
}

static inline void kh_put_varint(kh_buf *b, uint64_t v)
{
    unsigned char x[10];
    size_t n = 0;
    while (v >= 0x80) {
        x[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    x[n++] = (unsigned char)v;
    kh_buf_append(b, x, n);
}

/* A bounded cursor over bytes read from disk. */
typedef struct kh_cursor {
    const unsigned char *p, *end;
    int bad;                    /* set when a read ran past `end` or was malformed */
} kh_cursor;

static inline kh_cursor kh_cursor_make(const void *p, size_t len)
{
    kh_cursor c = {(const unsigned char *)p, (const unsigned char *)p + len, 0};
    return c;
}

static inline uint64_t kh_get_varint(kh_cursor *c)
{
    if (c->p < c->end && *c->p < 0x80) /* one byte: most doc deltas and position gaps */
        return *c->p++;
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (c->p >= c->end) {
            c->bad = 1;
            return 0;
        }
        unsigned char x = *c->p++;
        v |= (uint64_t)(x & 0x7F) << shift;
        if (!(x & 0x80))
            return v;
    }
    c->bad = 1;
    return 0;
}

/* Skips n varints. Only their last bytes (high bit clear) need counting,
 * eight bytes at a time: skipping the positions of a block's earlier
 * documents is most of what reading one document's positions costs. */
static inline void kh_skip_varints(kh_cursor *c, uint64_t n)
{
    const unsigned char *p = c->p;
    while (n >= 8 && c->end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t last = ~w & 0x8080808080808080ull; /* a byte that ends a varint */
        uint64_t k = (uint64_t)__builtin_popcountll(last);
        if (k >= n) /* the n-th ends inside these bytes: count them one by one */
            break;
        n -= k;
        p += 8;
    }
    while (n > 0 && p < c->end)
        n -= !(*p++ & 0x80);
    if (n > 0)
        c->bad = 1;
    c->p = p;
}

/* Reads n raw bytes; returns a pointer to them, or NULL (and bad) if short. */
static inline const unsigned char *kh_get_bytes(kh_cursor *c, size_t n)
{
    if ((size_t)(c->end - c->p) < n) {
        c->bad = 1;
        c->p = c->end;
        return NULL;
    }
    const unsigned char *r = c->p;
    c->p += n;
    return r;
}

#endif
