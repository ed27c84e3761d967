/* test_postings.c — postings encoded from the writer's streams and walked
 * back with the cursor: every document, tf and position, advance() to any
 * target (block jumps), shallow(), the one-document layout, positions in
 * packed runs (widths 0 and 32, exceptions, runs then varints), skipping
 * varints, packed doc blocks, and damaged input (an error, never a crash). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "index/postings.h"

#define N_DOCS 20000

typedef struct plist {
    uint32_t df;
    uint32_t doc[4096], tf[4096], npos[4096];
    uint32_t *pos[4096];
} plist;

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* The writer's streams (postings.h): per document varint (delta << 1 |
 * single) [+ npos << 1 | has_extra [+ tf - npos]]; per document its
 * positions, first then gaps. */
static void streams(const plist *l, kh_buf *docs, kh_buf *pos)
{
    int64_t prev = -1;
    for (uint32_t i = 0; i < l->df; i++) {
        uint64_t delta = (uint64_t)((int64_t)l->doc[i] - prev);
        int single = l->tf[i] == 1 && l->npos[i] == 1;
        kh_put_varint(docs, delta << 1 | (uint64_t)single);
        if (!single) { /* written here by hand, not by kh_doc_entry_make, to test it */
            uint32_t extra = l->tf[i] - l->npos[i];
            kh_put_varint(docs, (uint64_t)l->npos[i] << 1 | (extra != 0));
            if (extra)
                kh_put_varint(docs, extra);
        }
        for (uint32_t k = 0; k < l->npos[i]; k++)
            kh_put_varint(pos, k ? l->pos[i][k] - l->pos[i][k - 1] : l->pos[i][0]);
        prev = l->doc[i];
    }
}

static void make(plist *l, uint32_t df, uint32_t max_gap, uint32_t max_npos)
{
    l->df = df;
    uint32_t d = next_rand() % 5;
    for (uint32_t i = 0; i < df; i++) {
        l->doc[i] = d;
        d += 1 + next_rand() % max_gap;
        l->npos[i] = 1 + (next_rand() % 4 == 0 ? next_rand() % max_npos : 0);
        l->tf[i] = l->npos[i] + (next_rand() % 3 == 0 ? 6 : 0); /* a title occurrence */
        l->pos[i] = malloc(l->npos[i] * sizeof *l->pos[i]);
        uint32_t p = next_rand() % 300;
        for (uint32_t k = 0; k < l->npos[i]; k++) {
            l->pos[i][k] = p;
            p += 1 + next_rand() % (k % 7 == 0 ? 20000 : 50); /* some gaps need 3 bytes */
        }
    }
}

static void drop(plist *l)
{
    for (uint32_t i = 0; i < l->df; i++)
        free(l->pos[i]);
}

static uint32_t doc_len[N_DOCS];

static void encode(const plist *l, kh_buf *out)
{
    kh_buf docs = KH_BUF_INIT, pos = KH_BUF_INIT;
    streams(l, &docs, &pos);
    kh_postings_encode((const unsigned char *)docs.data, docs.len, (const unsigned char *)pos.data,
                       pos.len, l->df, doc_len, out);
    kh_buf_free(&docs);
    kh_buf_free(&pos);
}

static int same_positions(kh_postings *c, const plist *l, uint32_t i)
{
    uint32_t got[4096];
    uint32_t n = kh_postings_positions(c, got);
    return n == l->npos[i] && !memcmp(got, l->pos[i], n * sizeof *got);
}

static void walk_all(const plist *l, const kh_buf *enc)
{
    kh_postings c;
    CHECK_INT(kh_postings_init(&c, (const unsigned char *)enc->data, enc->len, l->df, N_DOCS), 0);
    uint32_t i = 0, bad = 0;
    for (uint32_t d; (d = kh_postings_next(&c)) != KH_NO_DOC; i++) {
        bad += i >= l->df || d != l->doc[i] || kh_postings_tf(&c) != l->tf[i] || kh_postings_npos(&c) != l->npos[i];
        /* positions of every third document only: the others are skipped */
        if (i < l->df && i % 3 == 2)
            bad += !same_positions(&c, l, i);
    }
    CHECK_INT(bad, 0);
    CHECK_INT(i, l->df);
    CHECK(!c.bad);
    uint32_t max_tf = 0, min_len = UINT32_MAX, got_tf, got_len;
    for (i = 0; i < l->df; i++) {
        max_tf = l->tf[i] > max_tf ? l->tf[i] : max_tf;
        min_len = doc_len[l->doc[i]] < min_len ? doc_len[l->doc[i]] : min_len;
    }
    kh_postings_term_max(&c, &got_tf, &got_len);
    CHECK_INT(got_tf, max_tf);
    CHECK_INT(got_len, min_len > 0xFFFF && l->df > KH_BLOCK_DOCS ? 0xFFFF : min_len);
}

/* advance() to increasing random targets, from a fresh cursor each round,
 * against a linear search; shallow() must name a block that holds the
 * answer. */
static void walk_advance(const plist *l, const kh_buf *enc)
{
    uint32_t bad = 0;
    for (int round = 0; round < 20; round++) {
        kh_postings c;
        kh_postings_init(&c, (const unsigned char *)enc->data, enc->len, l->df, N_DOCS);
        uint32_t target = 0, j = 0;
        while (target < N_DOCS + 10) {
            uint32_t last, mt, ml;
            int sh = kh_postings_shallow(&c, target, &last, &mt, &ml);
            while (j < l->df && l->doc[j] < target)
                j++;
            uint32_t want = j < l->df ? l->doc[j] : KH_NO_DOC;
            uint32_t got = kh_postings_advance(&c, target);
            bad += got != want;
            if (want != KH_NO_DOC) {
                bad += sh != 0 || last < want;
                if (round % 2 == 0)
                    bad += !same_positions(&c, l, j);
            }
            if (got == KH_NO_DOC)
                break;
            target = got + 1 + next_rand() % (round < 10 ? 40 : 3000);
        }
    }
    CHECK_INT(bad, 0);
}

static void test_lists(void)
{
    for (uint32_t d = 0; d < N_DOCS; d++)
        doc_len[d] = 20 + next_rand() % 2000;
    doc_len[7] = 70000; /* saturates the block table's 16 bits */
    struct { uint32_t df, gap, npos; } shapes[] = {
        {1, 5, 1}, {1, 5, 40}, {2, 100, 3}, {128, 50, 5}, {129, 50, 5},
        {1000, 15, 30}, {4000, 4, 200}, {300, 60, 1},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        static plist l;
        make(&l, shapes[s].df, shapes[s].gap, shapes[s].npos);
        kh_buf enc = KH_BUF_INIT;
        encode(&l, &enc);
        walk_all(&l, &enc);
        walk_advance(&l, &enc);
        kh_buf_free(&enc);
        drop(&l);
    }
}

/* A term seen once takes no docs_len and no max_tf: its header is only the
 * document's length. */
static void test_one_document(void)
{
    static plist l;
    l.df = 1;
    l.doc[0] = 300;
    l.tf[0] = l.npos[0] = 1;
    uint32_t p = 9;
    l.pos[0] = &p;
    doc_len[300] = 1000;
    kh_buf enc = KH_BUF_INIT;
    encode(&l, &enc);
    /* varint 1000 (2 bytes), varint (301 << 1 | 1) (2 bytes), position 9 */
    CHECK_INT(enc.len, 5);
    kh_postings c;
    CHECK_INT(kh_postings_init(&c, (const unsigned char *)enc.data, enc.len, 1, N_DOCS), 0);
    uint32_t tf, len;
    kh_postings_term_max(&c, &tf, &len);
    CHECK_INT(tf, 1);
    CHECK_INT(len, 1000);
    CHECK_INT(kh_postings_advance(&c, 300), 300);
    uint32_t got[4];
    CHECK_INT(kh_postings_positions(&c, got), 1);
    CHECK_INT(got[0], 9);
    CHECK_INT(kh_postings_next(&c), KH_NO_DOC);
    /* every truncation is refused or ends the walk, without reading past */
    for (size_t cut = 0; cut < enc.len; cut++) {
        unsigned char *part = malloc(cut ? cut : 1);
        memcpy(part, enc.data, cut);
        kh_postings t;
        if (kh_postings_init(&t, part, cut, 1, N_DOCS) == 0) {
            while (kh_postings_next(&t) != KH_NO_DOC)
                kh_postings_positions(&t, got);
        }
        free(part);
    }
    /* a document number past the segment is damage */
    CHECK(kh_postings_init(&c, (const unsigned char *)enc.data, enc.len, 1, 200) != 0 ||
          (kh_postings_next(&c) == KH_NO_DOC && c.bad));
    kh_buf_free(&enc);
}

/* Walks every document and its positions; returns whether all matched and
 * the cursor stayed sound. */
static int walk_ok(const plist *l, const kh_buf *enc)
{
    kh_postings c;
    if (kh_postings_init(&c, (const unsigned char *)enc->data, enc->len, l->df, N_DOCS) != 0)
        return 0;
    uint32_t i = 0;
    int ok = 1;
    for (uint32_t d; (d = kh_postings_next(&c)) != KH_NO_DOC; i++)
        ok &= i < l->df && d == l->doc[i] && same_positions(&c, l, i);
    return ok && i == l->df && !c.bad;
}

/* Walks damaged postings to their end, reading every position: any result,
 * but no read outside the buffer (ASan) and no endless loop. */
static void walk_damaged(const unsigned char *p, size_t len, uint32_t df)
{
    static uint32_t got[KH_MAX_POSITIONS / 256];
    kh_postings c;
    if (kh_postings_init(&c, p, len, df, N_DOCS) != 0)
        return;
    for (uint32_t d, n = 0; (d = kh_postings_next(&c)) != KH_NO_DOC && n <= df; n++)
        if (kh_postings_npos(&c) <= sizeof got / sizeof got[0])
            kh_postings_positions(&c, got);
}

/* One document with n positions: the values of its position stream are
 * gap[0], gap[1], ... (positions are their sums, wrapping at 32 bits). */
static void one_doc(plist *l, uint32_t n, const uint32_t *gap)
{
    l->df = 1;
    l->doc[0] = 5;
    l->npos[0] = l->tf[0] = n;
    l->pos[0] = malloc(n * sizeof *l->pos[0]);
    for (uint32_t k = 0; k < n; k++)
        l->pos[0][k] = k ? l->pos[0][k - 1] + gap[k] : gap[0];
}

/* Positions in runs of 128 packed at one bit width (postings.h): width 0,
 * width 32, exceptions, runs followed by varints, and damage. */
static void test_runs(void)
{
    static plist l;
    static uint32_t gap[512];
    doc_len[5] = 1000;
    /* all gaps 0: two runs at width 0, 2 bytes each; the header is varint
     * 1000 (2), the entry (6 << 1: 1 byte, 256 << 1: 2 bytes) */
    memset(gap, 0, sizeof gap);
    one_doc(&l, 256, gap);
    kh_buf enc = KH_BUF_INIT;
    encode(&l, &enc);
    CHECK_INT(enc.len, 9);
    CHECK_INT(((unsigned char *)enc.data)[5], 0);
    CHECK(walk_ok(&l, &enc));
    kh_buf_free(&enc);
    drop(&l);

    /* full 32-bit values: width 32, no exceptions, 2 + 512 bytes */
    for (int k = 0; k < 128; k++)
        gap[k] = next_rand() << 8 | 0x80000000u;
    one_doc(&l, 128, gap);
    encode(&l, &enc);
    CHECK_INT(enc.len, 5 + 2 + 512);
    CHECK_INT(((unsigned char *)enc.data)[5], 32);
    CHECK_INT(((unsigned char *)enc.data)[6], 0);
    CHECK(walk_ok(&l, &enc));
    kh_buf_free(&enc);
    drop(&l);

    /* small gaps and 3 huge ones: exceptions; then 72 varints after the
     * run (200 values) */
    for (int k = 0; k < 200; k++)
        gap[k] = 1 + next_rand() % 3;
    gap[0] = 17;
    gap[40] = 1u << 20;
    gap[41] = 0xFFFFFFF0u;
    gap[127] = 300;
    one_doc(&l, 200, gap);
    encode(&l, &enc);
    unsigned char *e = (unsigned char *)enc.data;
    CHECK_INT(e[5], 2);  /* width 2 fits 0..3 */
    CHECK_INT(e[6], 4);  /* 17, 1 << 20, 0xFFFFFFF0 and 300 */
    CHECK(walk_ok(&l, &enc));
    /* every truncation and every byte changed: errors, never a crash */
    for (size_t cut = 0; cut < enc.len; cut++) {
        unsigned char *part = malloc(cut ? cut : 1);
        memcpy(part, enc.data, cut);
        walk_damaged(part, cut, 1);
        free(part);
    }
    for (size_t at = 0; at < enc.len; at++) {
        unsigned char *copy = malloc(enc.len);
        for (int x = 1; x < 256; x += 37) {
            memcpy(copy, enc.data, enc.len);
            copy[at] ^= (unsigned char)x;
            walk_damaged(copy, enc.len, 1);
        }
        free(copy);
    }
    /* the damage the decoder must name: width over 32, more exceptions than
     * values, an exception index past the run, an exception's varint that
     * runs into the next one (the list of exceptions no longer parses) */
    size_t at[4] = {5, 6, 7 + 32, 7 + 32 + 1};
    unsigned char val[4] = {33, 129, 128, 0xFF};
    for (int k = 0; k < 4; k++) {
        unsigned char *copy = malloc(enc.len);
        memcpy(copy, enc.data, enc.len);
        copy[at[k]] = val[k];
        kh_postings c;
        uint32_t got[256];
        int refused = kh_postings_init(&c, copy, enc.len, 1, N_DOCS) != 0;
        if (!refused) {
            CHECK_INT(kh_postings_next(&c), 5);
            CHECK_INT(kh_postings_positions(&c, got), 0);
            CHECK(c.bad);
        }
        free(copy);
    }
    kh_buf_free(&enc);
    drop(&l);

    /* many documents, many positions: block runs, their counts, and the
     * varints after them, in one-block and block-table lists, walked whole
     * and damaged */
    struct { uint32_t df, gap, npos; } shapes[] = {{100, 50, 300}, {128, 3, 400}, {700, 20, 90}};
    for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
        make(&l, shapes[sh].df, shapes[sh].gap, shapes[sh].npos);
        encode(&l, &enc);
        CHECK(walk_ok(&l, &enc));
        unsigned char *copy = malloc(enc.len);
        for (int round = 0; round < 300; round++) {
            memcpy(copy, enc.data, enc.len);
            copy[next_rand() % enc.len] ^= (unsigned char)(1 + next_rand() % 255);
            walk_damaged(copy, enc.len, l.df);
            walk_damaged(copy, next_rand() % enc.len, l.df);
        }
        free(copy);
        kh_buf_free(&enc);
        drop(&l);
    }
}

/* Walks postings to their end, positions too; returns 1 if the damage was
 * reported (init refused or the cursor ended bad). */
static int damage_reported(const unsigned char *p, size_t len, uint32_t df, uint32_t n_docs)
{
    static uint32_t got[KH_MAX_POSITIONS / 256];
    kh_postings c;
    if (kh_postings_init(&c, p, len, df, n_docs) != 0)
        return 1;
    for (uint32_t d, n = 0; (d = kh_postings_next(&c)) != KH_NO_DOC && n <= df; n++)
        if (kh_postings_npos(&c) <= sizeof got / sizeof got[0])
            kh_postings_positions(&c, got);
    return c.bad;
}

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 128) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Full doc blocks of a block-table list are packed (postings.h): a run of
 * the gaps, the single bitmap, the other counts. Walked whole, by advance,
 * then damaged: every truncation and every byte changed end the walk
 * without a read outside the buffer, and the damage the decoder must name
 * is named: width over 32, an exception index past the run, documents
 * past the segment, a packed gap changed (the block no longer ends at its
 * table's last document). */
static void test_packed_blocks(void)
{
    static plist l;
    /* 2 full blocks and 44 documents of varints; gaps mostly 1..4 with a
     * few of 2000 (exceptions), tf and n_positions mixed */
    make(&l, 300, 4, 6);
    uint32_t d = 3;
    for (uint32_t i = 0; i < l.df; i++) {
        l.doc[i] = d;
        d += i % 50 == 17 ? 2000 : 1 + next_rand() % 4;
    }
    kh_buf enc = KH_BUF_INIT;
    encode(&l, &enc);
    CHECK(walk_ok(&l, &enc));
    walk_advance(&l, &enc);
    const unsigned char *e = (const unsigned char *)enc.data;
    kh_cursor h = kh_cursor_make(e, enc.len);
    uint64_t docs_len = kh_get_varint(&h);
    size_t run = varint_len(docs_len) + 3 * KH_BLOCK_ENTRY; /* block 0's doc run */
    uint32_t w = e[run], n_exc = e[run + 1];
    CHECK_INT(w, 2);      /* gaps - 1 are 0..3 */
    CHECK_INT(n_exc, 3);  /* the gaps of 2000 after 17, 67 and 117 */
    CHECK_INT(e[run + 2 + 16 * w], 18); /* the gap after document 17 */
    /* the same documents as varints would take more */
    kh_buf docs = KH_BUF_INIT, pos = KH_BUF_INIT;
    streams(&l, &docs, &pos);
    CHECK(docs_len < docs.len);
    kh_buf_free(&docs);
    kh_buf_free(&pos);

    unsigned char *copy = malloc(enc.len);
    for (size_t cut = 0; cut < enc.len; cut++) {
        unsigned char *part = malloc(cut ? cut : 1);
        memcpy(part, enc.data, cut);
        walk_damaged(part, cut, l.df);
        free(part);
    }
    uint32_t missed = 0;
    for (size_t at = 0; at < enc.len; at++) {
        for (int x = 1; x < 256; x += 37) {
            memcpy(copy, enc.data, enc.len);
            copy[at] ^= (unsigned char)x;
            walk_damaged(copy, enc.len, l.df);
        }
    }
    /* one bit of block 0's packed gaps changed moves its last document (a
     * change of several bits may cancel out) */
    for (size_t at = run + 2; at < run + 2 + 16 * w; at++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, enc.data, enc.len);
            copy[at] ^= (unsigned char)(1u << bit);
            missed += !damage_reported(copy, enc.len, l.df, N_DOCS);
        }
    }
    CHECK_INT(missed, 0);
    size_t at[2] = {run, run + 2 + 16 * w};
    unsigned char val[2] = {33, 128};
    for (int k = 0; k < 2; k++) {
        memcpy(copy, enc.data, enc.len);
        copy[at[k]] = val[k];
        CHECK(damage_reported(copy, enc.len, l.df, N_DOCS));
    }
    /* documents past the segment: the same list read as a smaller one */
    CHECK(damage_reported(e, enc.len, l.df, l.doc[100]));
    CHECK(!damage_reported(e, enc.len, l.df, l.doc[l.df - 1] + 1));
    free(copy);
    kh_buf_free(&enc);
    drop(&l);
}

static void test_skip_varints(void)
{
    kh_buf b = KH_BUF_INIT;
    uint64_t v[3000];
    for (int i = 0; i < 3000; i++) {
        uint32_t r = next_rand();
        v[i] = r % 5 == 0 ? (uint64_t)r << 20 : r % 3 == 0 ? r % 20000 : r % 100;
        kh_put_varint(&b, v[i]);
    }
    uint32_t bad = 0;
    for (int n = 0; n < 2999; n += 1 + n / 50) {
        kh_cursor c = kh_cursor_make(b.data, b.len);
        kh_skip_varints(&c, (uint64_t)n);
        bad += c.bad || kh_get_varint(&c) != v[n];
    }
    CHECK_INT(bad, 0);
    kh_cursor c = kh_cursor_make(b.data, b.len);
    kh_skip_varints(&c, 3001); /* more than there are */
    CHECK(c.bad);
    CHECK(c.p == c.end);
    kh_buf_free(&b);
}

int main(void)
{
    test_lists();
    test_one_document();
    test_runs();
    test_packed_blocks();
    test_skip_varints();
    return check_done();
}
