/* fuzz_warc.c — the container readers (WARC records with their HTTP heads
 * and chunked bodies; zip and tar members through libarchive) on arbitrary
 * bytes, detected by content as `khabar extract` does.
 *
 * Invariants: the reader ends (KH_END) after a bounded number of calls,
 * every article it gives has an id and valid UTF-8, every failure has a
 * one-line message naming the input (and the record or member). A broken
 * invariant aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "khabar.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kh_extract_options opt;
    kh_extract_options_init(&opt);
    opt.max_record_bytes = 1 << 20;   /* members over 1 MiB are refused: bounded memory */
    /* the first byte chooses: detection, or WARC forced, or archive forced */
    if (size > 0) {
        opt.format = data[0] == 'W' ? KH_FORMAT_WARC : data[0] == 'Z' ? KH_FORMAT_ARCHIVE : KH_FORMAT_AUTO;
        if (opt.format != KH_FORMAT_AUTO) {
            data++;
            size--;
        }
    }
    kh_reader *r;
    kh_error err;
    if (kh_reader_open_memory(data, size, "fuzz.warc", &opt, &r, &err) != KH_OK)
        abort();
    kh_article a;
    kh_article_init(&a);
    kh_status st;
    size_t calls = 0;
    while ((st = kh_reader_next(r, &a, &err)) != KH_END) {
        if (++calls > size + 16)
            abort();                    /* every call consumes input or ends it */
        if (st != KH_OK) {
            if (strncmp(err.message, "fuzz.warc", 9) != 0 || strchr(err.message, '\n'))
                abort();
            continue;
        }
        if (!a.id || (a.title && !kh_utf8_valid(a.title, strlen(a.title), NULL)))
            abort();
    }
    kh_article_clear(&a);
    kh_reader_close(r);
    return 0;
}
