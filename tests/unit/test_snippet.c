/* test_snippet.c — what a search hit's snippet is cut from and how:
 * kh_stored_body (index/stored.h) gives exactly kh_article_body of what
 * kh_stored_decode gives, and refuses exactly the records it refuses;
 * kh_snippet_make (search/snippet.h) finds every query word and prefix,
 * whatever byte it starts with, and keeps every match of a long article. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "index/stored.h"
#include "search/snippet.h"

static char *dup(const char *s) { return s ? strdup(s) : NULL; }

static void make_article(kh_article *a, const char *author, const char *const *captions, size_t n_captions,
                         const char *const *blocks, size_t n_blocks)
{
    kh_article_init(a);
    a->published_raw = dup("الثلاثاء 21 يوليو 2015");
    a->author = dup(author);
    a->lang = dup("ar");
    a->n_captions = n_captions;
    a->captions = n_captions ? calloc(n_captions, sizeof *a->captions) : NULL;
    for (size_t i = 0; i < n_captions; i++)
        a->captions[i] = dup(captions[i]);
    a->n_blocks = n_blocks;
    a->blocks = n_blocks ? calloc(n_blocks, sizeof *a->blocks) : NULL;
    for (size_t i = 0; i < n_blocks; i++) {
        a->blocks[i].kind = i == 1 ? KH_BLOCK_HEADING : KH_BLOCK_PARAGRAPH;
        a->blocks[i].text = dup(blocks[i]);
    }
    a->words = 42;
}

/* Both readers on one record: same verdict, and the same text when valid;
 * on a refusal kh_stored_body leaves what out held before. */
static void same_as_decode(const unsigned char *rec, size_t len, const char *what)
{
    kh_article a;
    kh_article_init(&a);
    kh_status want = kh_stored_decode(rec, len, &a);
    kh_buf out = KH_BUF_INIT;
    kh_buf_puts(&out, "before|");
    kh_status got = kh_stored_body(rec, len, &out);
    if (got != want)
        fprintf(stderr, "  %s: kh_stored_body %d, kh_stored_decode %d\n", what, (int)got, (int)want);
    CHECK_INT(got, want);
    if (want == KH_OK) {
        char *body = kh_article_body(&a);
        kh_buf expect = KH_BUF_INIT;
        kh_buf_puts(&expect, "before|");
        kh_buf_puts(&expect, body);
        CHECK_INT(out.len, expect.len);
        CHECK(out.len == expect.len && !memcmp(out.data, expect.data, out.len));
        kh_buf_free(&expect);
        free(body);
    } else {
        CHECK_STR(out.data, "before|");
    }
    kh_buf_free(&out);
    kh_article_clear(&a);
}

static void test_stored_body(void)
{
    static const char *const caps[] = {"صورة من الاجتماع", "وزير المالية"};
    static const char *const three[] = {"ارتفعت أسعار النفط اليوم.", "السوق", "قال محللون إن الطلب تراجع."};
    static const char *const one[] = {"فقرة واحدة فقط"};
    struct {
        const char *author;
        size_t n_captions, n_blocks;
        const char *const *blocks;
    } cases[] = {{"حنوش", 2, 3, three}, {NULL, 0, 1, one}, {NULL, 0, 0, NULL}, {"x", 1, 3, three}};
    kh_buf rec = KH_BUF_INIT;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        kh_article a;
        make_article(&a, cases[k].author, caps, cases[k].n_captions, cases[k].blocks, cases[k].n_blocks);
        kh_buf_reset(&rec);
        kh_stored_encode(&a, &rec);
        kh_article_clear(&a);
        same_as_decode((const unsigned char *)rec.data, rec.len, "valid record");
        /* every truncation, and one byte too many */
        for (size_t cut = 0; cut < rec.len; cut++)
            same_as_decode((const unsigned char *)rec.data, cut, "truncated record");
        kh_buf_putc(&rec, 0);
        same_as_decode((const unsigned char *)rec.data, rec.len, "trailing byte");
        rec.len--;
        /* every byte replaced by bytes that break UTF-8, a NUL, a varint or
         * a block kind: the two readers must agree on each */
        static const unsigned char bad[] = {0x00, 0x02, 0x7F, 0x80, 0xC0, 0xFF};
        for (size_t at = 0; at < rec.len; at++)
            for (size_t b = 0; b < sizeof bad; b++) {
                unsigned char *copy = malloc(rec.len);
                memcpy(copy, rec.data, rec.len);
                copy[at] = bad[b];
                same_as_decode(copy, rec.len, "damaged byte");
                free(copy);
            }
    }
    kh_buf_free(&rec);
}

/* The snippet of text for the words' analyzed forms (terms first, then
 * prefixes): the highlighted strings, joined by '|'. */
static char *highlighted(kh_analyzer *an, const char *text, const char *const *words, size_t n_words,
                         const char *const *prefixes, size_t n_prefixes, size_t target, size_t *n_hl)
{
    const char *terms[16], *pre[16];
    char store[32][64];
    size_t used = 0;
    kh_hl_terms q = {terms, 0, pre, 0};
    for (size_t i = 0; i < n_words + n_prefixes; i++) {
        const char *w = i < n_words ? words[i] : prefixes[i - n_words];
        kh_token tok;
        kh_analyzer_start(an, w, strlen(w));
        if (!kh_analyzer_next_token(an, &tok) || tok.term_len >= sizeof store[0])
            return strdup("(no term)");
        memcpy(store[used], tok.term, tok.term_len);
        store[used][tok.term_len] = '\0';
        if (i < n_words)
            terms[q.n_terms++] = store[used++];
        else
            pre[q.n_prefixes++] = store[used++];
    }
    char *snippet;
    kh_highlight *hl;
    if (kh_snippet_make(an, text, strlen(text), &q, target, &snippet, &hl, n_hl) != KH_OK)
        return strdup("(failed)");
    kh_buf b = KH_BUF_INIT;
    for (size_t i = 0; i < *n_hl; i++) {
        if (i)
            kh_buf_putc(&b, '|');
        kh_buf_append(&b, snippet + hl[i].start, hl[i].end - hl[i].start);
    }
    free(snippet);
    free(hl);
    char *s = kh_buf_detach(&b);
    return s ? s : strdup("");
}

static void test_snippet_matches(void)
{
    kh_analyzer *an;
    kh_error err;
    if (kh_analyzer_new(NULL, &an, &err) != KH_OK) {
        CHECK(!"analyzer");
        return;
    }
    size_t n;
    /* query words starting with different bytes (Arabic letters, a Latin
     * word, a digit), each found: a first-byte filter that forgot one
     * would drop its highlights */
    const char *text = "ارتفعت أسعار النفط في السوق بعد قرار opec عام 2015 وقال خبراء";
    static const char *const words[] = {"النفط", "OPEC", "2015", "خبراء"};
    char *s = highlighted(an, text, words, 4, NULL, 0, 240, &n);
    CHECK_STR(s, "النفط|opec|2015|خبراء");
    free(s);
    /* a prefix, and a term that is also the start of a longer word */
    static const char *const prefix[] = {"اقتصا"};
    s = highlighted(an, "الاقتصاد والاقتصادية ونمو اقتصادي", NULL, 0, prefix, 1, 240, &n);
    CHECK_STR(s, "الاقتصاد|والاقتصادية|اقتصادي");
    free(s);
    /* no query word: a snippet without highlights */
    s = highlighted(an, text, NULL, 0, NULL, 0, 240, &n);
    CHECK_STR(s, "");
    CHECK_INT(n, 0);
    free(s);
    /* more matches than the list first holds (it grows): the window with
     * the most matches is the one after the single one, and every match in
     * it is highlighted */
    kh_buf long_text = KH_BUF_INIT;
    kh_buf_puts(&long_text, "النفط ");
    for (int i = 0; i < 300; i++)
        kh_buf_puts(&long_text, "كلمة أخرى هنا ");
    for (int i = 0; i < 100; i++)
        kh_buf_puts(&long_text, "نفط ");
    static const char *const oil[] = {"نفط"};
    s = highlighted(an, long_text.data, oil, 1, NULL, 0, 240, &n);
    CHECK_INT(n, 240 / strlen("نفط "));
    free(s);
    /* past the list's bound (4,096 matches) the rest is not looked at, so
     * the best window is among the first 4,096 */
    kh_buf_reset(&long_text);
    for (int i = 0; i < 5000; i++)
        kh_buf_puts(&long_text, i < 4096 ? "نفط كلمة " : "نفط ");
    s = highlighted(an, long_text.data, oil, 1, NULL, 0, 240, &n);
    CHECK_INT(n, (240 + 1) / strlen("نفط كلمة "));
    free(s);
    kh_buf_free(&long_text);
    kh_analyzer_free(an);
}

int main(void)
{
    test_stored_body();
    test_snippet_matches();
    return check_done();
}
