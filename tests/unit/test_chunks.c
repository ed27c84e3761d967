/* test_chunks.c — the compressed record stores (index/chunks.h): every
 * record reads back byte for byte, alone and in any order, in both kinds of
 * chunk, with and without a trained dictionary; check() passes on what the
 * writer wrote and a damaged chunk is refused, never read out of bounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "check.h"
#include "index/bytes.h"
#include "index/chunks.h"

/* Record i: words drawn from a small vocabulary (so that a dictionary has
 * something to learn), of a length that varies with i. */
static void make_record(kh_buf *b, uint32_t i)
{
    static const char *const words[] = {"النفط", "أسعار", "الرياض", "مجلس", "الوزراء", "الهلال",
                                        "المملكة", "الاقتصاد", "وزارة", "الصحة", "التعليم", "جدة"};
    uint32_t x = i * 2654435761u + 1;
    kh_buf_reset(b);
    kh_buf_printf(b, "record %u:", i);
    size_t n = 20 + i % 400;
    for (size_t k = 0; k < n; k++) {
        x = x * 1103515245u + 12345u;
        kh_buf_putc(b, ' ');
        kh_buf_puts(b, words[(x >> 16) % (sizeof words / sizeof words[0])]);
    }
}

typedef struct store {
    kh_chunks_writer w;
    uint32_t n;
} store;

static void write_store(store *s, size_t target, int level, uint32_t n)
{
    kh_chunks_writer_init(&s->w, target, level);
    kh_buf rec = KH_BUF_INIT;
    for (uint32_t i = 0; i < n; i++) {
        make_record(&rec, i);
        kh_chunks_add(&s->w, rec.data, rec.len);
    }
    CHECK(kh_chunks_flush(&s->w) == 0);
    kh_buf_free(&rec);
    s->n = n;
}

/* Reads every record, in an order that jumps between chunks and frames. */
static int read_all(kh_chunks *c, uint32_t n)
{
    kh_buf want = KH_BUF_INIT;
    int bad = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = (uint32_t)(((uint64_t)k * 7919u) % n);
        const unsigned char *rec;
        size_t len;
        kh_error err;
        make_record(&want, i);
        if (kh_chunks_get(c, i, &rec, &len, &err) != KH_OK || len != want.len || memcmp(rec, want.data, len))
            bad++;
    }
    kh_buf_free(&want);
    return bad;
}

static kh_status open_store(kh_chunks *c, const store *s, const unsigned char *data)
{
    kh_error err;
    return kh_chunks_open(c, (const unsigned char *)s->w.index.data, s->w.index.len, data, s->w.data.len,
                          s->n, "test", &err);
}

static void test_dictionary_chunks(void)
{
    /* 3,000 records of about 2.7 KB: several chunks of 2 MiB, frames of 16
     * KiB, one dictionary trained on the first chunk and kept in each */
    store s;
    write_store(&s, 2u << 20, KH_STORED_LEVEL, 3000);
    const unsigned char *data = (const unsigned char *)s.w.data.data;
    size_t n_chunks = s.w.index.len / KH_CHUNK_ENTRY;
    CHECK(n_chunks >= 3);
    for (size_t i = 0; i < n_chunks; i++) {
        const unsigned char *chunk = data + kh_get_u64((const unsigned char *)s.w.index.data + i * KH_CHUNK_ENTRY + 4);
        CHECK(!memcmp(chunk, "KHDG", 4));
        CHECK(kh_get_u32(chunk + 4) > 10);  /* frames */
        CHECK(kh_get_u32(chunk + 8) > 0);   /* a dictionary */
        CHECK_INT(kh_get_u32(chunk + 8), kh_get_u32(data + 8)); /* the same one */
    }
    kh_chunks c;
    kh_error err;
    CHECK(open_store(&c, &s, data) == KH_OK);
    CHECK_INT(read_all(&c, s.n), 0);
    CHECK(kh_chunks_check(&c, &err) == KH_OK);
    kh_chunks_close(&c);

    /* a first chunk too small to train on has no dictionary; the writer
     * trains one on the next */
    store plain;
    kh_chunks_writer_init(&plain.w, 2u << 20, KH_STORED_LEVEL);
    kh_buf rec = KH_BUF_INIT;
    for (uint32_t i = 0; i < 3000; i++) {
        make_record(&rec, i);
        kh_chunks_add(&plain.w, rec.data, rec.len);
        if (i == 10)
            CHECK(kh_chunks_flush(&plain.w) == 0);
    }
    CHECK(kh_chunks_flush(&plain.w) == 0);
    kh_buf_free(&rec);
    const unsigned char *pd = (const unsigned char *)plain.w.data.data;
    CHECK_INT(kh_get_u32(pd + 8), 0);
    CHECK(kh_get_u32(pd + kh_get_u64((const unsigned char *)plain.w.index.data + KH_CHUNK_ENTRY + 4) + 8) > 0);
    plain.n = 3000;
    CHECK(open_store(&c, &plain, pd) == KH_OK);
    CHECK_INT(read_all(&c, plain.n), 0);
    CHECK(kh_chunks_check(&c, &err) == KH_OK);
    kh_chunks_close(&c);
    kh_chunks_writer_free(&plain.w);

    /* damage: each must be refused by get or check, never crash */
    unsigned char *copy = malloc(s.w.data.len);
    unsigned char *ix = (unsigned char *)s.w.index.data;
    uint32_t clen0 = kh_get_u32(ix + 12);
    static const size_t spots[] = {4, 8, 12, 16, 20, 100, 3000};
    for (size_t k = 0; k < sizeof spots / sizeof spots[0]; k++) {
        memcpy(copy, data, s.w.data.len);
        copy[spots[k]] ^= 0x5A;
        uint32_t saved = kh_get_u32(ix + 20);
        /* a matching checksum, so that the damage reaches the parser */
        uint32_t crc = (uint32_t)crc32_z(0, copy, clen0);
        ix[20] = (unsigned char)crc, ix[21] = (unsigned char)(crc >> 8), ix[22] = (unsigned char)(crc >> 16),
        ix[23] = (unsigned char)(crc >> 24);
        CHECK(open_store(&c, &s, copy) == KH_OK);
        int refused = kh_chunks_check(&c, &err) != KH_OK;
        kh_chunks_close(&c);
        CHECK(open_store(&c, &s, copy) == KH_OK);
        int failed_reads = read_all(&c, s.n);
        kh_chunks_close(&c);
        /* the header (kind, frame count, dictionary length, first frame):
         * every read of the chunk fails; deeper (the frame table, the
         * dictionary, a frame) zstd may decompress to other bytes of the
         * same length, which the record parsers downstream refuse; what
         * must hold is that nothing reads out of bounds (the ASan build) */
        if (spots[k] < 20)
            CHECK(refused && failed_reads > 0);
        ix[20] = (unsigned char)saved, ix[21] = (unsigned char)(saved >> 8), ix[22] = (unsigned char)(saved >> 16),
        ix[23] = (unsigned char)(saved >> 24);
    }
    /* without the fixed checksum, the chunk is refused by its CRC */
    memcpy(copy, data, s.w.data.len);
    copy[50] ^= 1;
    CHECK(open_store(&c, &s, copy) == KH_OK);
    const unsigned char *r;
    size_t len;
    CHECK(kh_chunks_get(&c, 0, &r, &len, &err) == KH_ERR_CORRUPT);
    kh_chunks_close(&c);
    free(copy);
    kh_chunks_writer_free(&s.w);
}

/* Record i of a store where every 50th record is long (about 36 KB): the
 * frames that hold one are larger than the room behind the dictionary
 * (KH_FRAME_ROOM) and are decompressed into the cache instead; reading in a
 * jumping order goes back and forth between the two places. */
static void make_mixed_record(kh_buf *b, uint32_t i)
{
    make_record(b, i);
    for (uint32_t k = 0; i % 50 == 7 && k < 3000; k++)
        kh_buf_puts(b, k % 3 ? " الاقتصاد" : " مجلس");
}

static void test_frames_beyond_the_room(void)
{
    store s;
    kh_chunks_writer_init(&s.w, 2u << 20, KH_STORED_LEVEL);
    kh_buf rec = KH_BUF_INIT, want = KH_BUF_INIT;
    s.n = 2000;
    size_t longest = 0;
    for (uint32_t i = 0; i < s.n; i++) {
        make_mixed_record(&rec, i);
        longest = rec.len > longest ? rec.len : longest;
        kh_chunks_add(&s.w, rec.data, rec.len);
    }
    CHECK(kh_chunks_flush(&s.w) == 0);
    CHECK(longest > KH_FRAME_ROOM);
    const unsigned char *data = (const unsigned char *)s.w.data.data;
    CHECK(kh_get_u32(data + 8) > 0);    /* the first chunk has a dictionary */
    kh_chunks c;
    kh_error err;
    CHECK(open_store(&c, &s, data) == KH_OK);
    int bad = 0;
    for (uint32_t k = 0; k < 2 * s.n; k++) {
        uint32_t i = (uint32_t)(((uint64_t)k * 7919u) % s.n);
        if (k % 3 == 0)
            i = (i / 50) * 50 + 7;      /* a long record every third read */
        const unsigned char *r;
        size_t len;
        make_mixed_record(&want, i);
        if (kh_chunks_get(&c, i, &r, &len, &err) != KH_OK || len != want.len || memcmp(r, want.data, len))
            bad++;
    }
    CHECK_INT(bad, 0);
    CHECK(kh_chunks_check(&c, &err) == KH_OK);
    kh_chunks_close(&c);
    kh_buf_free(&rec);
    kh_buf_free(&want);
    kh_chunks_writer_free(&s.w);
}

static void test_small_store(void)
{
    /* a few records (an article posted alone): no dictionary, one frame */
    store s;
    write_store(&s, KH_STORED_CHUNK, KH_STORED_LEVEL, 3);
    const unsigned char *data = (const unsigned char *)s.w.data.data;
    CHECK(!memcmp(data, "KHDG", 4));
    CHECK_INT(kh_get_u32(data + 4), 1);
    CHECK_INT(kh_get_u32(data + 8), 0);
    kh_chunks c;
    kh_error err;
    CHECK(open_store(&c, &s, data) == KH_OK);
    CHECK_INT(read_all(&c, s.n), 0);
    CHECK(kh_chunks_check(&c, &err) == KH_OK);
    const unsigned char *r;
    size_t len;
    CHECK(kh_chunks_get(&c, 3, &r, &len, &err) == KH_ERR_ARGUMENT);
    kh_chunks_close(&c);
    kh_chunks_writer_free(&s.w);
}

static void test_record_chunks(void)
{
    store s;
    write_store(&s, KH_SUMMARY_CHUNK, KH_SUMMARY_LEVEL, 2000);
    const unsigned char *data = (const unsigned char *)s.w.data.data;
    CHECK(!memcmp(data, "KHRC", 4));
    kh_chunks c;
    kh_error err;
    CHECK(open_store(&c, &s, data) == KH_OK);
    CHECK_INT(read_all(&c, s.n), 0);
    CHECK(kh_chunks_check(&c, &err) == KH_OK);
    kh_chunks_close(&c);
    kh_chunks_writer_free(&s.w);
}

int main(void)
{
    test_dictionary_chunks();
    test_frames_beyond_the_room();
    test_small_store();
    test_record_chunks();
    return check_done();
}
