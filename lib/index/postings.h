/* postings.h — the postings of one term in one segment, and a cursor on them.
 *
 * A term's postings list the documents that contain it, ascending, each with
 * its term frequency and its positions. They are cut into blocks of
 * KH_BLOCK_DOCS documents so that a cursor can jump over whole blocks
 * (advance) and a top-k search can skip blocks whose best possible score is
 * too low (block-max): each block records its last document, its largest
 * term frequency and its smallest document length, which bound the BM25 of
 * any document in it.
 *
 *   df == 1: varint min_len (the document's length), then the doc entry
 *            and the positions: the one entry delimits itself and gives
 *            max_tf and n_positions, which saves ~2 bytes on each of the
 *            many terms seen once (132,501 of 232,216 on the shared corpus:
 *            every id and url, 41% of the words)
 *   otherwise varint docs_len, then
 *   df <= KH_BLOCK_DOCS: varint (max_tf << 1 | has_runs), varint min_len
 *   df >  KH_BLOCK_DOCS: n_blocks x {u32 last_doc, u32 doc_off, u32 pos_off,
 *                                    u16 max_tf, u16 min_len}
 *   docs: per document varint ((doc - previous doc) << 1 | single), where
 *         previous starts at -1 and single means tf = n_positions = 1, the
 *         common case, which then takes no more bytes; otherwise
 *         varint (n_positions << 1 | has_extra) follows, and then, only
 *         when has_extra, varint (tf - n_positions): tf exceeds
 *         n_positions only for words weighted by the title or a heading
 *         (214,838 of 1,163,963 such entries on the shared corpus), so the
 *         flag saves a byte on the others (0.95 MB).
 *         Format 8: a full block (KH_BLOCK_DOCS documents) of a list with a
 *         block table (doc_off) is packed instead: a run (below) of the
 *         128 gaps doc - previous doc - 1 (previous: the last document of
 *         the block before, from the table, or -1), then 16 bytes, bit i
 *         (LSB first) set when document i is single, then for each
 *         document that is not, in order, varint (n_positions << 1 |
 *         has_extra) [varint (tf - n_positions)]. A reader decodes the
 *         block's documents at once (next() is then an index increment)
 *         and the counts when first asked for. The last, partial block and
 *         lists of df <= KH_BLOCK_DOCS keep the varint entries (a run
 *         holds exactly 128 values; a one-block list has no table to give
 *         its last document). On the shared corpus packing took the
 *         inverted index from 21,903,012 to 21,411,860 bytes
 *         (docs/index.md).
 *   positions: per block (pos_off), the values of its documents in order,
 *         per document the first position, then gaps to the next, cut
 *         into runs of KH_RUN_VALUES: first [varint runs], then each full
 *         run packed, then the values left (fewer than a run) as varints.
 *         The count of runs is written at the start of every block of a
 *         block table, and of a one-block list whose has_runs bit is set;
 *         a term seen once has n_positions / KH_RUN_VALUES runs, and a
 *         one-block list without has_runs none.
 *   a run: u8 width (0..32), u8 n_exceptions (0..128), then 128 values of
 *         `width` bits, least significant bit first (16 x width bytes),
 *         then per exception u8 index (< 128) and varint (value >> width):
 *         the value is the packed low bits | those high bits << width.
 *         The writer picks the width that makes the run smallest (Lucene's
 *         PFOR idea). A reader reaches a run's values directly (bit index
 *         x width), so a document's positions cost their own values plus
 *         the exceptions of their run, not the block's earlier values.
 *
 * The in-memory writer builds the doc stream as varint entries as documents
 * arrive, and positions as varints too; the flush (kh_postings_encode)
 * packs the full doc blocks and the position runs, and adds the block
 * table. A decoded block must fill its bytes exactly, its documents
 * ascend below the segment's n_docs and (with a table) end at the block's
 * last_doc, or the cursor reports damage.
 *
 * tf is the weighted term frequency (a word in the title counts more than in
 * the body, see docs/search.md); n_positions is the true count. Lengths in
 * the block table saturate at 65535, which keeps them lower bounds. */
#ifndef KH_INDEX_POSTINGS_H
#define KH_INDEX_POSTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "index/bytes.h"
#include "util/buf.h"

#define KH_BLOCK_DOCS 128
#define KH_RUN_VALUES 128
#define KH_BLOCK_ENTRY 16
#define KH_NO_DOC UINT32_MAX
/* More positions of one term in one document than this means damage. */
#define KH_MAX_POSITIONS (1u << 24)

/* The varints of one document entry (see above): head, then, unless the
 * head's low bit says single, counts = n_positions << 1 | has_extra, then
 * extra = tf - n_positions only when has_extra. Returns how many of the
 * three are written (1, 2 or 3). One definition for the three writers (the
 * in-memory buffer, merge, tests). */
static inline int kh_doc_entry_make(uint64_t delta, uint32_t npos, uint32_t tf, uint64_t v[3])
{
    int single = npos == 1 && tf == 1;
    v[0] = delta << 1 | (uint64_t)single;
    if (single)
        return 1;
    uint32_t extra = tf - npos;
    v[1] = (uint64_t)npos << 1 | (uint64_t)(extra != 0);
    v[2] = extra;
    return extra ? 3 : 2;
}

/* Reads one document entry of a doc stream (see above). */
static inline void kh_doc_entry_read(kh_cursor *c, uint64_t *delta, uint32_t *npos, uint32_t *tf)
{
    uint64_t v = kh_get_varint(c);
    *delta = v >> 1;
    if (v & 1) {
        *npos = *tf = 1;
        return;
    }
    uint64_t counts = kh_get_varint(c), n = counts >> 1;
    uint64_t extra = counts & 1 ? kh_get_varint(c) : 0;
    if (n > UINT32_MAX || extra > UINT32_MAX - n) {
        c->bad = 1;
        n = extra = 0;
    }
    *npos = (uint32_t)n;
    *tf = (uint32_t)(n + extra);
}

/* Appends the on-disk postings of one term to out, from the writer's doc
 * and position streams (positions as varints, see above). doc_len[d] is
 * document d's length. */
void kh_postings_encode(const unsigned char *docs, size_t docs_len, const unsigned char *pos,
                        size_t pos_len, uint32_t df, const uint32_t *doc_len, kh_buf *out);

typedef struct kh_postings {
    /* the term's data */
    uint32_t df, n_docs_segment;
    uint32_t n_blocks;
    const unsigned char *table;     /* NULL when one block */
    const unsigned char *docs, *pos;
    size_t docs_len, pos_len;
    uint32_t single_max_tf, single_min_len;

    /* where the cursor stands */
    uint32_t block;                 /* current block */
    int loaded;                     /* its documents are decoded below */
    uint32_t block_docs;            /* documents decoded (0 until loaded) */
    uint32_t index;                 /* documents of the block passed (current + 1) */
    uint32_t doc;                   /* current document, KH_NO_DOC at the end */
    int counts_loaded;              /* tf_of and npos_of hold the block's counts */
    const unsigned char *single_bits, *counts, *counts_end; /* where they are when not */
    uint32_t shallow;               /* block found by the last kh_postings_shallow */
    kh_cursor pc;                   /* positions, lazily advanced */
    uint32_t pc_index;              /* block index of the next document to read positions of */
    int pos_head;                   /* a block's positions start with the count of runs */
    int runs_known;                 /* runs read for this block */
    uint64_t runs_implicit;         /* runs when no count is written (df == 1) */
    uint64_t runs;                  /* packed runs of this block's positions */
    uint64_t pos_at;                /* block's position values before document pc_index */
    uint64_t run_next;              /* runs whose header pc has passed */
    uint64_t tail_at;               /* varints after the runs read so far */
    uint32_t run_w, run_n_exc;      /* the last run passed: width, exceptions, */
    const unsigned char *run_bits, *run_exc; /* and where they are */
    int bad;                        /* the data are malformed */

    /* the current block, its documents decoded whole when the cursor enters
     * it: next() is then an index increment and advance() a scan; the
     * counts of a packed block only when first asked for (an AND lands on
     * many documents of a frequent word and scores few). Last: init does
     * not clear them. */
    uint32_t doc_of[KH_BLOCK_DOCS];
    uint32_t tf_of[KH_BLOCK_DOCS];
    uint32_t npos_of[KH_BLOCK_DOCS];
} kh_postings;

/* Positions the cursor before the first document of postings p[0..len).
 * n_docs bounds the document numbers. Returns 0, or -1 if the header is
 * malformed. */
int kh_postings_init(kh_postings *c, const unsigned char *p, size_t len, uint32_t df,
                     uint32_t n_docs);

/* Moves to the next document; returns it (KH_NO_DOC at the end). */
uint32_t kh_postings_next(kh_postings *c);

/* Moves to the first document >= target (never backwards); returns it. */
uint32_t kh_postings_advance(kh_postings *c, uint32_t target);

/* Decodes the counts of the current block (see kh_postings_tf). Returns 0,
 * or -1 if they are damaged (the cursor is then bad and at its end). */
int kh_postings_load_counts(kh_postings *c);

/* The current document's term frequency and number of positions (0 when
 * there is no current document or the data are bad). */
static inline uint32_t kh_postings_tf(kh_postings *c)
{
    uint32_t i = c->index - 1;
    if (i >= c->block_docs || (!c->counts_loaded && kh_postings_load_counts(c) != 0))
        return 0;
    return c->tf_of[i];
}

static inline uint32_t kh_postings_npos(kh_postings *c)
{
    uint32_t i = c->index - 1;
    if (i >= c->block_docs || (!c->counts_loaded && kh_postings_load_counts(c) != 0))
        return 0;
    return c->npos_of[i];
}

/* Positions of the current document into out (room for kh_postings_npos). Returns
 * the number read (kh_postings_npos unless the data are bad). */
uint32_t kh_postings_positions(kh_postings *c, uint32_t *out);

/* Block-max data for the block holding the current document: its last
 * document (KH_NO_DOC-1 for a single block), largest tf, smallest length. */
void kh_postings_block_max(const kh_postings *c, uint32_t *last_doc, uint32_t *max_tf,
                           uint32_t *min_len);

/* Block-max data of the block that holds target or the first document
 * after it, without moving the cursor (targets must not decrease from one
 * call to the next). Returns 0, or -1 when no block reaches target. */
int kh_postings_shallow(kh_postings *c, uint32_t target, uint32_t *last_doc, uint32_t *max_tf,
                        uint32_t *min_len);

/* Term-wide bound: largest tf and smallest length over all blocks. */
void kh_postings_term_max(const kh_postings *c, uint32_t *max_tf, uint32_t *min_len);

#endif
