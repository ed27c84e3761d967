/* Fuzz target: the JSON reader (arrays, JSON Lines, khabar's own JSON, and
 * gzip/zstd when the bytes happen to start with their magic numbers).
 * Every article that comes out must serialise to JSON that reads back to the
 * same serialisation (the round trip `khabar extract` promises). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_reader.h"
#include "khabar.h"

static void round_trip(const kh_article *a)
{
    char *json = kh_article_to_json(a);
    if (!json)
        abort();
    kh_reader *r;
    kh_error err;
    kh_extract_options opt;
    kh_extract_options_init(&opt);
    opt.format = KH_FORMAT_JSON;
    if (kh_reader_open_memory(json, strlen(json), "round-trip", &opt, &r, &err) != KH_OK)
        abort();
    kh_article b;
    kh_article_init(&b);
    if (kh_reader_next(r, &b, &err) != KH_OK)
        abort();
    char *again = kh_article_to_json(&b);
    if (!again || strcmp(json, again) != 0)
        abort();
    free(again);
    free(json);
    kh_article_clear(&b);
    kh_reader_close(r);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    fuzz_each_article(data, size, KH_FORMAT_JSON, 64, round_trip);
    return 0;
}
