/*
 * LuceneArabic — the reference side of khabar's Lucene comparisons, run
 * against Debian's liblucene4.10-java (never vendored).
 *
 *   java LuceneArabic stem  < WORDS > WORD<TAB>TERM lines
 *       Each input line is one word. It goes through the chain the issue
 *       names: KeywordTokenizer (the word as one token) -> LowerCaseFilter ->
 *       ArabicNormalizationFilter -> ArabicStemFilter. No stop filter: the
 *       comparison is about normalisation and stemming. An input that gives
 *       no token prints an empty TERM.
 *
 *   java LuceneArabic speed FILE [REPS]
 *       Runs Lucene's full ArabicAnalyzer (StandardTokenizer included) over
 *       every line of FILE, REPS times (default 3, after one warm-up pass so
 *       the JIT has compiled the hot path), and prints the best pass's MB/s
 *       and tokens/s of thread CPU time, in the same shape as
 *       bench/analyzer_speed.
 */
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.apache.lucene.analysis.ar.ArabicNormalizationFilter;
import org.apache.lucene.analysis.ar.ArabicStemFilter;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LowerCaseFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.util.Version;

public class LuceneArabic {
    static final Version VERSION = Version.LUCENE_4_10_4;

    static Analyzer light10Chain() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String field, Reader reader) {
                Tokenizer source = new KeywordTokenizer(reader);
                TokenStream s = new LowerCaseFilter(VERSION, source);
                s = new ArabicNormalizationFilter(s);
                s = new ArabicStemFilter(s);
                return new TokenStreamComponents(source, s);
            }
        };
    }

    static void stem() throws IOException {
        Analyzer a = light10Chain();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        String word;
        while ((word = in.readLine()) != null) {
            StringBuilder term = new StringBuilder();
            try (TokenStream ts = a.tokenStream("f", new StringReader(word))) {
                CharTermAttribute t = ts.addAttribute(CharTermAttribute.class);
                ts.reset();
                if (ts.incrementToken())
                    term.append(t);
                ts.end();
            }
            out.print(word);
            out.print('\t');
            out.print(term);
            out.print('\n');
        }
        out.flush();
    }

    static void speed(String path, int reps) throws IOException {
        List<String> lines = Files.readAllLines(Paths.get(path), StandardCharsets.UTF_8);
        long bytes = Files.size(Paths.get(path));
        Analyzer a = new ArabicAnalyzer(VERSION);
        double best = Double.MAX_VALUE;
        long tokens = 0;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int r = -1; r < reps; r++) {
            long n = 0, sum = 0;
            long t0 = cpu.getCurrentThreadCpuTime();
            for (String line : lines) {
                try (TokenStream ts = a.tokenStream("f", new StringReader(line))) {
                    CharTermAttribute t = ts.addAttribute(CharTermAttribute.class);
                    ts.reset();
                    while (ts.incrementToken()) {
                        n++;
                        sum += t.length();
                    }
                    ts.end();
                }
            }
            double dt = (cpu.getCurrentThreadCpuTime() - t0) / 1e9;
            if (r >= 0 && dt < best)
                best = dt;
            tokens = n;
            if (sum == 0)
                System.err.println("no terms?");
        }
        System.out.printf("lucene   %-8s %8.1f MB/s %10.0f tokens/s  (%d tokens after stopwords, %.1f MB, best of %d)%n",
                          "4.10.4", bytes / 1e6 / best, tokens / best, tokens, bytes / 1e6, reps);
    }

    public static void main(String[] args) throws IOException {
        if (args.length >= 1 && args[0].equals("stem")) {
            stem();
        } else if (args.length >= 2 && args[0].equals("speed")) {
            speed(args[1], args.length > 2 ? Integer.parseInt(args[2]) : 3);
        } else {
            System.err.println("usage: LuceneArabic stem < WORDS | LuceneArabic speed FILE [REPS]");
            System.exit(2);
        }
    }
}
