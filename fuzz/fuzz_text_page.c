/* Fuzz target: the scraped-text page reader (format forced to text), through
 * the public reader so that UTF-8 validation and size limits are covered.
 * Invariants checked on every article: cleaned fields are never empty and
 * hold no newline; blocks are never empty; captions are distinct. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_reader.h"
#include "khabar.h"

static void check_article(const kh_article *a)
{
    const char *fields[] = {a->source, a->title, a->author, a->published_raw};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i] && (fields[i][0] == '\0' || strchr(fields[i], '\n')))
            abort();
    for (size_t i = 0; i < a->n_blocks; i++)
        if (!a->blocks[i].text[0] || a->blocks[i].text[0] == ' ')
            abort();
    for (size_t i = 0; i < a->n_captions; i++)
        for (size_t j = i + 1; j < a->n_captions; j++)
            if (!strcmp(a->captions[i], a->captions[j]))
                abort();
    if (!a->id)
        abort();
    char *json = kh_article_to_json(a);
    free(json);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    fuzz_each_article(data, size, KH_FORMAT_TEXT, 4, check_article);
    return 0;
}
