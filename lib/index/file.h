/* file.h — durable writes and checksummed, sectioned files.
 *
 * Every binary file of an index (segments, deletion bitmaps) is a "sectioned
 * file": an 8-byte magic, then sections of bytes, then a table of contents
 * giving each section's id, offset, length and CRC32, then a fixed footer:
 *
 *     magic[8] | section... | toc: {u32 id, u64 off, u64 len, u32 crc}... |
 *     u64 toc_off | u32 n_sections | u32 toc_crc | "KHABREND"
 *
 * The footer is found from the end of the file, so a truncated file is
 * caught at open (its last 8 bytes are not "KHABREND", or the table does not
 * fit), and a flipped bit anywhere is caught by a section's CRC. Sections are
 * verified when a reader first asks for them (kh_sfile_section) — except
 * those the reader checks piecewise (stored articles carry a CRC per block),
 * which kh_index_check verifies whole.
 *
 * Files are written once under their final name and fsynced; they become
 * part of the index only when a manifest naming them is committed, so a
 * half-written file after a crash is never read, only garbage-collected. */
#ifndef KH_INDEX_FILE_H
#define KH_INDEX_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "khabar.h"

#define KH_SFILE_MAX_SECTIONS 16

/* Builds dir + "/" + name into out (cap bytes). Returns 0, or -1 if too long. */
int kh_path_join(char *out, size_t cap, const char *dir, const char *name);

/* fsyncs a directory so that a rename or a new file in it is durable. */
kh_status kh_fsync_dir(const char *dir, kh_error *err);

/* Writes data to dir/name atomically and durably: name.tmp is written and
 * fsynced, renamed over name, and the directory is fsynced. */
kh_status kh_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                          kh_error *err);

/* Reads a whole (small) file. *out is malloc'ed and NUL-terminated; caller
 * frees. KH_ERR_NOT_FOUND when it does not exist. */
kh_status kh_read_small_file(const char *path, char **out, size_t *len, kh_error *err);

/* ---- writing a sectioned file ---- */

typedef struct kh_sfile_writer {
    int fd;
    char path[4096];
    uint64_t off;                   /* bytes written so far */
    uint32_t n;                     /* sections finished */
    struct { uint32_t id; uint64_t off, len; uint32_t crc; } toc[KH_SFILE_MAX_SECTIONS];
    int open_section;               /* 1 while a section is being written */
    uint32_t crc;                   /* running CRC of the open section */
    int failed;                     /* a write failed; the error is in err_copy */
    kh_error err_copy;
} kh_sfile_writer;

/* Creates (truncating) path and writes the magic (exactly 8 bytes). */
kh_status kh_sfile_create(kh_sfile_writer *w, const char *path, const char magic[8], kh_error *err);
void kh_sfile_begin(kh_sfile_writer *w, uint32_t id);
/* Appends to the open section. Errors are sticky and reported by finish. */
void kh_sfile_write(kh_sfile_writer *w, const void *data, size_t len);
void kh_sfile_end(kh_sfile_writer *w);
/* Writes the table and footer, fsyncs and closes. On failure the partial
 * file is removed. */
kh_status kh_sfile_finish(kh_sfile_writer *w, kh_error *err);
/* Abandons the file (closes and removes it). */
void kh_sfile_abort(kh_sfile_writer *w);

/* ---- reading a sectioned file ---- */

typedef struct kh_sfile {
    const unsigned char *data;      /* the whole file, mapped read-only */
    size_t len;
    char name[256];                 /* file name for messages (no directory) */
    uint32_t n;
    struct { uint32_t id; uint64_t off, len; uint32_t crc; int verified; } toc[KH_SFILE_MAX_SECTIONS];
} kh_sfile;

/* Maps path and checks magic, footer and table of contents. Errors:
 * KH_ERR_NOT_FOUND (no such file), KH_ERR_CORRUPT (naming the file), KH_ERR_IO. */
kh_status kh_sfile_open(kh_sfile *f, const char *path, const char magic[8], kh_error *err);
void kh_sfile_close(kh_sfile *f);

/* Finds section id and, when verify, checks its CRC (once). */
kh_status kh_sfile_section(kh_sfile *f, uint32_t id, int verify, const unsigned char **data,
                           size_t *len, kh_error *err);

/* Section ids are four ASCII letters, readable in a hex dump. */
#define KH_SECTION_ID(a, b, c, d) \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

#endif
