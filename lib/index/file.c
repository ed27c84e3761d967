/* file.c — durable writes and checksummed, sectioned files (see file.h). */
#include "index/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "index/bytes.h"
#include "util/error.h"

static const char footer_magic[8] = {'K', 'H', 'A', 'B', 'R', 'E', 'N', 'D'};
#define FOOTER_BYTES 24
#define TOC_ENTRY_BYTES 24

int kh_path_join(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

kh_status kh_fsync_dir(const char *dir, kh_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return kh_fail(err, KH_ERR_IO, "%s: cannot open directory: %s", dir, strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc != 0 && e != EINVAL) /* some file systems cannot fsync a directory */
        return kh_fail(err, KH_ERR_IO, "%s: fsync: %s", dir, strerror(e));
    return KH_OK;
}

static kh_status write_all(int fd, const void *data, size_t len, const char *path, kh_error *err)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return kh_fail(err, KH_ERR_IO, "%s: write: %s", path, strerror(n < 0 ? errno : EIO));
        p += n;
        len -= (size_t)n;
    }
    return KH_OK;
}

kh_status kh_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                          kh_error *err)
{
    char path[4096], tmp[4200];
    if (kh_path_join(path, sizeof path, dir, name) != 0)
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: path too long", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return kh_fail(err, KH_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    kh_status st = write_all(fd, data, len, tmp, err);
    if (st == KH_OK && fsync(fd) != 0)
        st = kh_fail(err, KH_ERR_IO, "%s: fsync: %s", tmp, strerror(errno));
    close(fd);
    if (st == KH_OK && rename(tmp, path) != 0)
        st = kh_fail(err, KH_ERR_IO, "%s: rename to %s: %s", tmp, name, strerror(errno));
    if (st != KH_OK) {
        unlink(tmp);
        return st;
    }
    return kh_fsync_dir(dir, err);
}

kh_status kh_read_small_file(const char *path, char **out, size_t *len, kh_error *err)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return kh_fail(err, KH_ERR_NOT_FOUND, "%s: no such file", path);
        return kh_fail(err, KH_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    kh_buf b = KH_BUF_INIT;
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            kh_buf_free(&b);
            return kh_fail(err, KH_ERR_IO, "%s: read: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        kh_buf_append(&b, chunk, (size_t)n);
    }
    close(fd);
    kh_buf_putc(&b, '\0'); /* make an empty file a valid "" too */
    b.len--;
    if (kh_buf_failed(&b)) {
        kh_buf_free(&b);
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", path);
    }
    *len = b.len;
    *out = kh_buf_detach(&b);
    return KH_OK;
}

/* ---- writer ---- */

static void sw_raw(kh_sfile_writer *w, const void *data, size_t len)
{
    if (w->failed || len == 0)
        return;
    if (write_all(w->fd, data, len, w->path, &w->err_copy) != KH_OK) {
        w->failed = 1;
        return;
    }
    w->off += len;
}

kh_status kh_sfile_create(kh_sfile_writer *w, const char *path, const char magic[8], kh_error *err)
{
    memset(w, 0, sizeof *w);
    if (strlen(path) >= sizeof w->path)
        return kh_fail(err, KH_ERR_ARGUMENT, "%s: path too long", path);
    strcpy(w->path, path);
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0)
        return kh_fail(err, KH_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    sw_raw(w, magic, 8);
    return KH_OK;
}

void kh_sfile_begin(kh_sfile_writer *w, uint32_t id)
{
    if (w->n >= KH_SFILE_MAX_SECTIONS) {
        w->failed = 1;
        kh_fail(&w->err_copy, KH_ERR_ARGUMENT, "%s: too many sections", w->path);
        return;
    }
    w->toc[w->n].id = id;
    w->toc[w->n].off = w->off;
    w->crc = (uint32_t)crc32_z(0, NULL, 0);
    w->open_section = 1;
}

void kh_sfile_write(kh_sfile_writer *w, const void *data, size_t len)
{
    if (!w->open_section || w->failed)
        return;
    w->crc = (uint32_t)crc32_z(w->crc, data, len);
    sw_raw(w, data, len);
}

void kh_sfile_end(kh_sfile_writer *w)
{
    if (!w->open_section || w->failed)
        return;
    w->toc[w->n].len = w->off - w->toc[w->n].off;
    w->toc[w->n].crc = w->crc;
    w->n++;
    w->open_section = 0;
}

void kh_sfile_abort(kh_sfile_writer *w)
{
    if (w->fd >= 0) {
        close(w->fd);
        unlink(w->path);
    }
    w->fd = -1;
}

kh_status kh_sfile_finish(kh_sfile_writer *w, kh_error *err)
{
    kh_buf toc = KH_BUF_INIT;
    for (uint32_t i = 0; i < w->n; i++) {
        kh_put_u32(&toc, w->toc[i].id);
        kh_put_u64(&toc, w->toc[i].off);
        kh_put_u64(&toc, w->toc[i].len);
        kh_put_u32(&toc, w->toc[i].crc);
    }
    uint64_t toc_off = w->off;
    uint32_t toc_crc = (uint32_t)crc32_z(0, (const unsigned char *)(toc.data ? toc.data : ""), toc.len);
    kh_put_u64(&toc, toc_off);
    kh_put_u32(&toc, w->n);
    kh_put_u32(&toc, toc_crc);
    kh_buf_append(&toc, footer_magic, 8);
    if (kh_buf_failed(&toc)) {
        kh_buf_free(&toc);
        kh_sfile_abort(w);
        return kh_fail(err, KH_ERR_NOMEM, "%s: out of memory", w->path);
    }
    sw_raw(w, toc.data, toc.len);
    kh_buf_free(&toc);
    if (w->failed) {
        if (err)
            *err = w->err_copy;
        kh_status st = w->err_copy.status;
        kh_sfile_abort(w);
        return st;
    }
    if (fsync(w->fd) != 0) {
        kh_status st = kh_fail(err, KH_ERR_IO, "%s: fsync: %s", w->path, strerror(errno));
        kh_sfile_abort(w);
        return st;
    }
    close(w->fd);
    w->fd = -1;
    return KH_OK;
}

/* ---- reader ---- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

kh_status kh_sfile_open(kh_sfile *f, const char *path, const char magic[8], kh_error *err)
{
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", base_name(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return kh_fail(err, KH_ERR_NOT_FOUND, "%s: no such file", path);
        return kh_fail(err, KH_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return kh_fail(err, KH_ERR_IO, "%s: stat: %s", path, strerror(e));
    }
    size_t len = (size_t)st.st_size;
    if (len < 8 + FOOTER_BYTES) {
        close(fd);
        return kh_fail(err, KH_ERR_CORRUPT, "%s: truncated (%zu bytes)", f->name, len);
    }
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    int e = errno;
    close(fd);
    if (m == MAP_FAILED)
        return kh_fail(err, KH_ERR_IO, "%s: mmap: %s", path, strerror(e));
    f->data = m;
    f->len = len;
    const unsigned char *foot = f->data + len - FOOTER_BYTES;
    if (memcmp(f->data, magic, 8) != 0) {
        kh_sfile_close(f);
        return kh_fail(err, KH_ERR_CORRUPT, "%s: not a khabar index file of this kind/version (bad magic)",
                       base_name(path));
    }
    if (memcmp(foot + 16, footer_magic, 8) != 0) {
        kh_sfile_close(f);
        return kh_fail(err, KH_ERR_CORRUPT, "%s: truncated or damaged (no end marker)", base_name(path));
    }
    uint64_t toc_off = kh_get_u64(foot);
    uint32_t n = kh_get_u32(foot + 8), toc_crc = kh_get_u32(foot + 12);
    if (n > KH_SFILE_MAX_SECTIONS || toc_off < 8 ||
        toc_off + (uint64_t)n * TOC_ENTRY_BYTES != len - FOOTER_BYTES) {
        kh_sfile_close(f);
        return kh_fail(err, KH_ERR_CORRUPT, "%s: damaged table of contents", base_name(path));
    }
    const unsigned char *toc = f->data + toc_off;
    if ((uint32_t)crc32_z(0, toc, (size_t)n * TOC_ENTRY_BYTES) != toc_crc) {
        kh_sfile_close(f);
        return kh_fail(err, KH_ERR_CORRUPT, "%s: table of contents checksum mismatch", base_name(path));
    }
    f->n = n;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e2 = toc + (size_t)i * TOC_ENTRY_BYTES;
        f->toc[i].id = kh_get_u32(e2);
        f->toc[i].off = kh_get_u64(e2 + 4);
        f->toc[i].len = kh_get_u64(e2 + 12);
        f->toc[i].crc = kh_get_u32(e2 + 20);
        if (f->toc[i].off < 8 || f->toc[i].off > toc_off || f->toc[i].len > toc_off - f->toc[i].off) {
            kh_sfile_close(f);
            return kh_fail(err, KH_ERR_CORRUPT, "%s: section %u out of bounds", base_name(path), i);
        }
    }
    return KH_OK;
}

void kh_sfile_close(kh_sfile *f)
{
    if (f && f->data)
        munmap((void *)f->data, f->len);
    if (f) {
        f->data = NULL;
        f->len = 0;
    }
}

/* The CRC of a mapped section, read in 1 MB steps whose pages are given back
 * behind the reader (madvise: they stay in the page cache and fault in
 * again when used). A check reads every byte of a section once; without
 * this the postings of a merged segment, checked when the writer opens it,
 * became resident all at once, and a writer's peak memory grew with the
 * largest segment (docs/index.md, "Scaling": 756 MB at 1,000,000 articles). */
#define CRC_STEP (1u << 20)

static uint32_t section_crc(const unsigned char *p, size_t len)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uint32_t crc = (uint32_t)crc32_z(0, NULL, 0);
    for (size_t done = 0; done < len;) {
        size_t n = len - done < CRC_STEP ? len - done : CRC_STEP;
        crc = (uint32_t)crc32_z(crc, p + done, n);
        /* whole pages inside the step: those at its edges also hold bytes of others */
        uintptr_t start = ((uintptr_t)(p + done) + page - 1) & ~(page - 1);
        uintptr_t end = ((uintptr_t)(p + done + n)) & ~(page - 1);
        if (end > start)
            (void)madvise((void *)start, end - start, MADV_DONTNEED); /* advice: failure is harmless */
        done += n;
    }
    return crc;
}

kh_status kh_sfile_section(kh_sfile *f, uint32_t id, int verify, const unsigned char **data,
                           size_t *len, kh_error *err)
{
    for (uint32_t i = 0; i < f->n; i++) {
        if (f->toc[i].id != id)
            continue;
        const unsigned char *p = f->data + f->toc[i].off;
        if (verify && !f->toc[i].verified) {
            if (section_crc(p, (size_t)f->toc[i].len) != f->toc[i].crc)
                return kh_fail(err, KH_ERR_CORRUPT, "%s: checksum mismatch in section '%.4s'", f->name,
                               (const char *)&f->toc[i].id);
            f->toc[i].verified = 1;
        }
        *data = p;
        *len = (size_t)f->toc[i].len;
        return KH_OK;
    }
    return kh_fail(err, KH_ERR_CORRUPT, "%s: missing section '%.4s'", f->name, (const char *)&id);
}
