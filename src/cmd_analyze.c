/* cmd_analyze.c — `khabar analyze`: shows what the analyzer makes of a text,
 * token by token, with the byte offsets a highlighter would use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "khabar.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: khabar analyze [--stemmer NAME] [--json] [--replace-invalid] TEXT... | -\n"
            "\n"
            "Shows how khabar normalises, tokenises and stems text: the same analysis the\n"
            "index applies to articles and search applies to queries. One token a line:\n"
            "\n"
            "  TERM<TAB>START<TAB>END<TAB>ORIGINAL\n"
            "\n"
            "TERM is what gets indexed; START and END are byte offsets into the input\n"
            "(ORIGINAL = input[START..END), diacritics and tatweel included). Several TEXT\n"
            "arguments are joined with single spaces; '-' reads standard input instead.\n"
            "\n"
            "options:\n"
            "  --stemmer NAME     light (default: khabar's guarded light stemmer), snowball,\n"
            "                     light10 (Lucene's ArabicStemFilter), none\n"
            "  --json             one JSON object a line, with position and stopword flag\n"
            "  --no-stopwords     leave out stopwords (the index skips them, keeping positions)\n"
            "  --replace-invalid  treat invalid UTF-8 bytes as separators instead of failing\n"
            "  --id               print the analyzer's id (stored by an index) and exit\n"
            "\n"
            "examples:\n"
            "  khabar analyze 'والمفاوضات مع إسرائيلَ'\n"
            "  khabar analyze --stemmer snowball --json 'المفاوضات'\n"
            "  echo '«أكسيوس» ٢٠٢٦' | khabar analyze -\n"
            "\n"
            "exit status: 0 ok, 1 the input is not valid UTF-8 (the message gives the byte\n"
            "offset), 2 usage error (such as an unknown stemmer).\n"
            "See docs/analysis.md for every rule and the reasons for it.\n");
}

static char *read_stdin(size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, stdin);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    if (buf && ferror(stdin)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static void json_string(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

int cmd_analyze(int argc, char **argv)
{
    const char *stemmer = NULL;
    int json = 0, replace_invalid = 0, no_stopwords = 0, show_id = 0, from_stdin = 0;
    int first_text = argc;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(arg, "--stemmer")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "khabar analyze: --stemmer needs a name (light, snowball, light10, none)\n");
                return 2;
            }
            stemmer = argv[++i];
        } else if (!strncmp(arg, "--stemmer=", 10)) {
            stemmer = arg + 10;
        } else if (!strcmp(arg, "--json")) {
            json = 1;
        } else if (!strcmp(arg, "--replace-invalid")) {
            replace_invalid = 1;
        } else if (!strcmp(arg, "--no-stopwords")) {
            no_stopwords = 1;
        } else if (!strcmp(arg, "--id")) {
            show_id = 1;
        } else if (!strcmp(arg, "--")) {
            first_text = i + 1;
            break;
        } else if (!strcmp(arg, "-")) {
            from_stdin = 1;
        } else if (arg[0] == '-' && arg[1] == '-') {
            fprintf(stderr, "khabar analyze: unknown option '%s' (see khabar analyze --help)\n", arg);
            return 2;
        } else {
            first_text = i;
            break;
        }
    }

    kh_error err;
    kh_analyzer *an = NULL;
    if (kh_analyzer_new(stemmer, &an, &err) != KH_OK) {
        fprintf(stderr, "khabar analyze: %s\n", err.message);
        return err.status == KH_ERR_ARGUMENT ? 2 : 1;
    }
    if (show_id) {
        printf("%s\n", kh_analyzer_id(an));
        kh_analyzer_free(an);
        return 0;
    }

    char *text = NULL;
    size_t len = 0;
    if (from_stdin) {
        if (first_text < argc) {
            fprintf(stderr, "khabar analyze: give either TEXT or '-', not both\n");
            kh_analyzer_free(an);
            return 2;
        }
        text = read_stdin(&len);
        if (!text) {
            fprintf(stderr, "khabar analyze: cannot read standard input\n");
            kh_analyzer_free(an);
            return 1;
        }
    } else {
        if (first_text >= argc) {
            fprintf(stderr, "khabar analyze: no text given (TEXT or '-' for standard input)\n\n");
            usage(stderr);
            kh_analyzer_free(an);
            return 2;
        }
        for (int i = first_text; i < argc; i++)
            len += strlen(argv[i]) + 1;
        text = malloc(len + 1);
        if (!text) {
            fprintf(stderr, "khabar analyze: out of memory\n");
            kh_analyzer_free(an);
            return 1;
        }
        len = 0;
        for (int i = first_text; i < argc; i++) {
            size_t k = strlen(argv[i]);
            if (i > first_text)
                text[len++] = ' ';
            memcpy(text + len, argv[i], k);
            len += k;
        }
    }

    if (!replace_invalid && kh_analyzer_check_text(text, len, &err) != KH_OK) {
        fprintf(stderr, "khabar analyze: %s: %s (use --replace-invalid to treat bad bytes as separators)\n",
                from_stdin ? "<stdin>" : "TEXT", err.message);
        free(text);
        kh_analyzer_free(an);
        return 1;
    }

    kh_analyzer_start(an, text, len);
    kh_token t;
    while (kh_analyzer_next_token(an, &t)) {
        if (no_stopwords && t.is_stopword)
            continue;
        if (json) {
            fputs("{\"term\":", stdout);
            json_string(stdout, t.term, t.term_len);
            printf(",\"start\":%zu,\"end\":%zu,\"original\":", t.start, t.end);
            json_string(stdout, text + t.start, t.end - t.start);
            printf(",\"position\":%u,\"stopword\":%s}\n", (unsigned)t.position,
                   t.is_stopword ? "true" : "false");
        } else {
            fwrite(t.term, 1, t.term_len, stdout);
            printf("\t%zu\t%zu\t", t.start, t.end);
            fwrite(text + t.start, 1, t.end - t.start, stdout);
            fputc('\n', stdout);
        }
    }
    free(text);
    kh_analyzer_free(an);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "khabar analyze: cannot write output\n");
        return 1;
    }
    return 0;
}
