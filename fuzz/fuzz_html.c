/* fuzz_html.c — the HTML extractor (through the reader, so that charset
 * detection, HTTP heads and chunked bodies are fuzzed too) on arbitrary
 * bytes.
 *
 * Beyond the sanitizers' "no crash, no bad access": the result is an
 * article whose every string is valid UTF-8 and non-empty, whose blocks are
 * non-empty, and which serialises to JSON; or a failure with a one-line
 * message that names the input. A broken invariant aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "khabar.h"
#include "util/utf8.h"

static void check_text(const char *s)
{
    if (!s)
        return;
    size_t len = strlen(s);
    if (len == 0 || !kh_utf8_valid(s, len, NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kh_extract_options opt;
    kh_extract_options_init(&opt);
    opt.format = KH_FORMAT_HTML;
    opt.url = "https://fuzz.example/a/b.html";
    opt.max_record_bytes = 1 << 20;
    kh_reader *r;
    kh_error err;
    if (kh_reader_open_memory(data, size, "fuzz.html", &opt, &r, &err) != KH_OK)
        abort();
    kh_article a;
    kh_article_init(&a);
    kh_status st;
    int n = 0;
    while ((st = kh_reader_next(r, &a, &err)) != KH_END) {
        if (++n > 1)
            abort();                    /* one page, one article */
        if (st != KH_OK) {
            if (strncmp(err.message, "fuzz.html", 9) != 0 || strchr(err.message, '\n'))
                abort();
            continue;
        }
        const char *fields[] = {a.id, a.source, a.url, a.title, a.published, a.published_raw, a.author, a.lang};
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            check_text(fields[i]);
        for (size_t i = 0; i < a.n_blocks; i++)
            check_text(a.blocks[i].text);
        for (size_t i = 0; i < a.n_captions; i++)
            check_text(a.captions[i]);
        if (!a.id)
            abort();
        char *json = kh_article_to_json(&a);
        if (!json)
            abort();
        free(json);
    }
    kh_article_clear(&a);
    kh_reader_close(r);
    return 0;
}
