/* fuzz_reader.h — the loop the reader fuzz targets share: open the input as
 * FORMAT, read up to max_records records, and hand every article that comes
 * out to a target's own invariant check. */
#ifndef KH_FUZZ_READER_H
#define KH_FUZZ_READER_H

#include "khabar.h"

static inline void fuzz_each_article(const unsigned char *data, size_t size, kh_format format,
                                     int max_records, void (*check)(const kh_article *a))
{
    kh_extract_options opt;
    kh_extract_options_init(&opt);
    opt.format = format;
    opt.max_record_bytes = 1 << 20;
    kh_reader *r;
    kh_error err;
    if (kh_reader_open_memory(data, size, "fuzz", &opt, &r, &err) != KH_OK)
        return;
    kh_article a;
    kh_article_init(&a);
    kh_status st;
    int records = 0;
    while ((st = kh_reader_next(r, &a, &err)) != KH_END && records++ < max_records)
        if (st == KH_OK)
            check(&a);
    kh_article_clear(&a);
    kh_reader_close(r);
}

#endif
