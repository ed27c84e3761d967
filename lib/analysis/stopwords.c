/* stopwords.c — khabar's Arabic stopword list.
 *
 * Written in ordinary spelling; the analyzer normalises each entry with its
 * own rules at creation, so the list cannot drift from the normaliser, and
 * adds the forms with an attached و or ف (وفي, فإن). The list is khabar's
 * own: function words only — prepositions, particles, conjunctions,
 * pronouns, demonstratives, relatives, auxiliaries, and the reporting verbs
 * and connectives that open news sentences. Deliberately absent: على, whose
 * normalised form علي is also the name Ali (the folding ى -> ي merges them,
 * and a name must stay searchable); and content words of any kind. */
#include "analysis/analysis.h"

const char *const kh_stopwords_ar[] = {
    /* prepositions and their pronoun forms */
    "في", "من", "إلى", "عن", "مع", "حتى", "منذ", "خلال", "بين", "عند", "لدى", "نحو",
    "ضد", "دون", "حول", "عبر", "تحت", "فوق", "أمام", "خلف", "بعد", "قبل", "أثناء", "ضمن",
    "لي", "عليه", "عليها", "عليهم", "إليه", "إليها", "إليهم", "منه", "منها", "منهم", "عنه",
    "عنها", "عنهم", "فيه", "فيها", "فيهم", "له", "لها", "لهم", "لنا", "لكم", "به", "بها",
    "بهم", "معه", "معها", "معهم", "بينما", "لدينا", "عليك", "إليك",
    /* conjunctions and particles */
    "ثم", "أو", "أم", "لكن", "لكنه", "ولكن", "بل", "لا", "لم", "لن", "ما", "أن", "إن",
    "قد", "لقد", "أنه", "أنها", "أنهم", "إنه", "إنها", "لأن", "كأن", "إذا", "إذ", "لو",
    "لولا", "كما", "كذلك", "أيضا", "حيث", "أما", "إلا", "غير", "سوى", "هل", "كي", "لكي",
    "حين", "عندما", "حينما", "كلما", "مثل", "كل", "بعض", "جميع", "أي", "أيا", "إما",
    "ليس", "ليست", "يا", "لما", "ممن", "مما", "عما", "فيما", "بما", "كيف", "متى", "أين",
    "لماذا", "ماذا", "إذن", "لذا", "لذلك", "هكذا", "فقط", "أكثر", "أقل", "جدا",
    "ذات", "تلقاء", "وفق", "وفقا", "إثر", "عقب", "لدن", "أنّ", "بأن", "بأنه", "بأنها",
    /* auxiliaries */
    "كان", "كانت", "كانوا", "يكون", "تكون", "يكن", "تكن", "أصبح", "أصبحت", "ظل", "ظلت",
    "مازال", "مايزال", "لايزال", "زال", "يزال", "تزال", "صار",
    /* pronouns */
    "هو", "هي", "هم", "هما", "هن", "أنا", "نحن", "أنت", "أنتم", "أنتما", "أنتن", "إياه",
    /* demonstratives and relatives */
    "هذا", "هذه", "هذان", "هاتان", "هؤلاء", "ذلك", "تلك", "أولئك", "ذاك", "هناك", "هنا",
    "هنالك", "الذي", "التي", "الذين", "اللذان", "اللتان", "اللذين", "اللتين", "اللواتي",
    "اللاتي", "اللائي",
    /* news connectives and reporting verbs */
    "قال", "قالت", "وقال", "أضاف", "أضافت", "أوضح", "أوضحت", "أشار", "أشارت", "يذكر",
    "يشار", "حسب", "بحسب", "وفيما", "وأضاف",
};
const size_t kh_stopwords_ar_count = sizeof kh_stopwords_ar / sizeof kh_stopwords_ar[0];

const char *const kh_stopwords_ar_not_prefixed[] = {
    "ولي",  /* ولي العهد, the crown prince (و + لي would otherwise qualify) */
};
const size_t kh_stopwords_ar_not_prefixed_count =
    sizeof kh_stopwords_ar_not_prefixed / sizeof kh_stopwords_ar_not_prefixed[0];
