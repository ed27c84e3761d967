/* termdict.h — a segment's term dictionary: sorted, front-coded, in blocks.
 *
 * Terms are stored in sorted order in blocks of KH_TERMS_PER_BLOCK. Inside a
 * block each term is written as the length it shares with the previous term
 * plus the rest ("front coding"): sorted terms share long prefixes (every
 * term starts with its field letter, Arabic stems share roots), which
 * halves the dictionary. A fixed-size block index keeps lookup logarithmic:
 * binary search on the blocks' first terms, then a scan of at most one
 * block. This is the on-disk idea of Lucene's block tree, without the trie.
 *
 *   u32 n_terms, u32 n_blocks
 *   n_blocks x {u32 data_off, u64 post_off}     post_off: postings of the block's first term
 *   data: per term varint shared, varint suffix_len, suffix bytes,
 *         varint df, varint postings_len          (shared = 0 for a block's first term)
 *
 * Nothing read is trusted: lengths are bounded by the block, terms must
 * ascend, postings must lie inside the postings section. */
#ifndef KH_INDEX_TERMDICT_H
#define KH_INDEX_TERMDICT_H

#include <stddef.h>
#include <stdint.h>

#include "index/bytes.h"
#include "util/buf.h"

#define KH_TERMS_PER_BLOCK 32
#define KH_TERM_KEY_MAX 256         /* field letter + term, bytes */
#define KH_TDIC_BLOCK_ENTRY 12

typedef struct kh_termdict {
    uint32_t n_terms, n_blocks, n_docs;
    const unsigned char *blocks;    /* block index */
    const unsigned char *data;
    size_t data_len;
    size_t post_len;                /* size of the postings section */
} kh_termdict;

/* Sets up a reader over a TDIC section; checks the block index's shape.
 * Returns 0, or -1 when it is malformed. */
int kh_termdict_open(kh_termdict *d, const unsigned char *p, size_t len, size_t post_len,
                     uint32_t n_docs);

typedef struct kh_term_iter {
    const kh_termdict *d;
    uint32_t block, left;           /* current block; terms left in it after this one */
    kh_cursor c;
    char term[KH_TERM_KEY_MAX];     /* the current term (field letter first) */
    size_t len;
    uint32_t df;
    uint64_t post_off, post_len;
    int bad;
} kh_term_iter;

/* Moves to the first term >= key. Returns 1 (a term is current), 0 (none),
 * -1 (the dictionary is damaged). */
int kh_term_iter_seek(kh_term_iter *it, const kh_termdict *d, const char *key, size_t len);
/* Moves to the next term: 1, 0 at the end, -1 damaged. */
int kh_term_iter_next(kh_term_iter *it);

/* Exact lookup: 1 found (df, postings offset and length filled), 0 absent, -1 damaged. */
int kh_termdict_find(const kh_termdict *d, const char *key, size_t len, uint32_t *df,
                     uint64_t *post_off, uint64_t *post_len);

/* ---- writing ---- */

typedef struct kh_termdict_writer {
    kh_buf index, data;
    uint32_t n_terms;
    char prev[KH_TERM_KEY_MAX];
    size_t prev_len;
    uint64_t post_off;
    uint64_t data_taken;            /* data bytes already taken by kh_termdict_take_data */
} kh_termdict_writer;

/* Terms must come in strictly ascending order, each with its postings'
 * length (postings are laid out back to back in the same order). */
void kh_termdict_add(kh_termdict_writer *w, const char *term, size_t len, uint32_t df,
                     uint64_t post_len);
/* Appends the finished section to out and frees the writer's buffers. */
void kh_termdict_finish(kh_termdict_writer *w, kh_buf *out);

/* Streaming, for a writer whose dictionary would not fit its memory budget
 * (merge.c): the term data, which comes last in the section, may be taken
 * out as it grows — appended to out, the writer's copy emptied — and
 * stored elsewhere until the end; the block index (12 bytes per 32 terms)
 * stays. Once the last term is added and the rest taken,
 * kh_termdict_finish_head appends the section's head (counts and block
 * index) and frees the writer's buffers; the section is that head followed
 * by every byte taken, in order. Returns -1 if the writer ran out
 * of memory, else 0. */
int kh_termdict_take_data(kh_termdict_writer *w, kh_buf *out);
int kh_termdict_finish_head(kh_termdict_writer *w, kh_buf *out);

#endif
