/* Tests of the scraped-text page reader: the seed page and varied layouts
 * written for these tests (bylines, no byline, captions or none, headings
 * with and without a colon, datelines of the three month-name families). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "khabar.h"

static kh_status extract_one(const char *text, kh_article *a)
{
    kh_reader *r;
    kh_extract_options opt;
    kh_extract_options_init(&opt);
    opt.format = KH_FORMAT_TEXT;
    kh_error err;
    kh_article_init(a);
    if (kh_reader_open_memory(text, strlen(text), "<test>", &opt, &r, &err) != KH_OK)
        return err.status;
    kh_status st = kh_reader_next(r, a, &err);
    if (st != KH_OK)
        fprintf(stderr, "extract: %s\n", err.message);
    CHECK_INT(kh_reader_next(r, &(kh_article){0}, &err), KH_END);  /* one article per page */
    kh_reader_close(r);
    return st;
}

static size_t count_kind(const kh_article *a, kh_block_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_blocks; i++)
        n += a->blocks[i].kind == kind;
    return n;
}

static const char *nth_kind(const kh_article *a, kh_block_kind kind, size_t k)
{
    for (size_t i = 0; i < a->n_blocks; i++)
        if (a->blocks[i].kind == kind && k-- == 0)
            return a->blocks[i].text;
    return NULL;
}

static void test_seed_page(void)
{
    const char *shared = check_dir_env("KH_SHARED_DIR", "corpus/seed-article.txt", 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus/seed-article.txt", shared ? shared : "../shared");
    char *text = check_read_file(path, NULL);
    if (!text) {
        printf("SKIP: seed page test (%s not found)\n", path);
        return;
    }
    kh_article a;
    CHECK_INT(extract_one(text, &a), KH_OK);
    CHECK_STR(a.source, "الشام الجديد");
    CHECK_STR(a.title, "أكسيوس: لقاء سوري–إسرائيلي في باريس غدًا لاستئناف التفاوض حول اتفاق أمني");
    CHECK_STR(a.published, "2026-01-04T21:36:00");
    CHECK_STR(a.published_raw, "الأحد 04 يناير 2026 - 09:36 م");
    CHECK_STR(a.author, "عمرو أحمد");
    CHECK_INT(a.n_captions, 1);
    CHECK_STR(a.n_captions ? a.captions[0] : NULL, "لقاء سوري–إسرائيلي");
    CHECK_INT(count_kind(&a, KH_BLOCK_HEADING), 2);
    CHECK_STR(nth_kind(&a, KH_BLOCK_HEADING, 0), "لقاء مرتقب بين مسؤولين من سوريا وإسرائيل");
    CHECK_STR(nth_kind(&a, KH_BLOCK_HEADING, 1), "تصريحات مستشار الرئيس الفرنسي لشؤون الشرق الأوسط:");
    CHECK_INT(count_kind(&a, KH_BLOCK_PARAGRAPH), 9);
    CHECK(!strncmp(nth_kind(&a, KH_BLOCK_PARAGRAPH, 0), "كشف موقع «أكسيوس» الأمريكي", 20));
    CHECK(!strncmp(nth_kind(&a, KH_BLOCK_PARAGRAPH, 8), "جاء ذلك خلال مؤتمر صحفي", 20));
    /* Reading order: paragraph, heading, three paragraphs, heading, ... */
    CHECK_INT(a.n_blocks, 11);
    CHECK_INT(a.blocks[1].kind, KH_BLOCK_HEADING);
    CHECK_INT(a.blocks[5].kind, KH_BLOCK_HEADING);
    CHECK_STR(a.lang, "ar");
    CHECK(a.id && strlen(a.id) == 16);
    kh_article_clear(&a);
    free(text);
}

static void test_marked_byline_and_caption(void)
{
    const char *page =
        "بوابة الخليج\n"
        "\n"
        "انطلاق أعمال القمة الخليجية في الدوحة بمشاركة القادة\n"
        "آخر تحديث: 09 ديسمبر 2025 | 19:05\n"
        "كتب: خالد المري\n"
        "صورة أرشيفية من قمة سابقة\n"
        "\n"
        "انطلقت اليوم في العاصمة القطرية الدوحة أعمال القمة الخليجية الخامسة والأربعين، بحضور قادة دول مجلس التعاون.\n"
        "\n"
        "ملفات على الطاولة\n"
        "\n"
        "وتناقش القمة ملفات التكامل الاقتصادي والأمن الإقليمي ومشروع السكك الحديدية الخليجية.\n"
        "\xC2\xA0\n"
        "ومن المنتظر أن يصدر في ختام القمة بيان مشترك يتضمن قرارات القادة.\n";
    kh_article a;
    CHECK_INT(extract_one(page, &a), KH_OK);
    CHECK_STR(a.source, "بوابة الخليج");
    CHECK_STR(a.title, "انطلاق أعمال القمة الخليجية في الدوحة بمشاركة القادة");
    CHECK_STR(a.published, "2025-12-09T19:05:00");
    CHECK_STR(a.author, "خالد المري");
    CHECK_INT(a.n_captions, 1);
    CHECK_STR(a.n_captions ? a.captions[0] : NULL, "صورة أرشيفية من قمة سابقة");
    CHECK_INT(count_kind(&a, KH_BLOCK_HEADING), 1);
    CHECK_STR(nth_kind(&a, KH_BLOCK_HEADING, 0), "ملفات على الطاولة");
    CHECK_INT(count_kind(&a, KH_BLOCK_PARAGRAPH), 3);
    kh_article_clear(&a);
}

static void test_no_byline_no_caption_levantine(void)
{
    const char *page =
        "جريدة المدى\n"
        "وزارة الكهرباء تعلن خطة لتقليل ساعات القطع خلال الصيف\n"
        "الأربعاء، ٢ تموز ٢٠٢٥ - ٠٨:٣٠ مساءً\n"
        "أعلنت وزارة الكهرباء خطة جديدة لتقليل ساعات القطع المبرمج خلال أشهر الصيف، تعتمد على إدخال محطات جديدة للخدمة.\n"
        "وقال المتحدث باسم الوزارة إن الخطة تشمل صيانة خطوط النقل الرئيسية قبل ذروة الأحمال.\n";
    kh_article a;
    CHECK_INT(extract_one(page, &a), KH_OK);
    CHECK_STR(a.source, "جريدة المدى");
    CHECK_STR(a.title, "وزارة الكهرباء تعلن خطة لتقليل ساعات القطع خلال الصيف");
    CHECK_STR(a.published, "2025-07-02T20:30:00");
    CHECK_STR(a.published_raw, "الأربعاء، ٢ تموز ٢٠٢٥ - ٠٨:٣٠ مساءً");
    CHECK(a.author == NULL);
    CHECK_INT(a.n_captions, 0);
    CHECK_INT(count_kind(&a, KH_BLOCK_HEADING), 0);
    CHECK_INT(count_kind(&a, KH_BLOCK_PARAGRAPH), 2);
    kh_article_clear(&a);
}

static void test_byline_before_dateline_maghreb(void)
{
    const char *page =
        "هسبريس اليوم\n"
        "الحكومة تصادق على مشروع قانون المالية للسنة المقبلة\n"
        "بقلم: مريم العلوي\n"
        "الخميس 16 أكتوبر 2025 - 22:10\n"
        "صادق مجلس الحكومة، اليوم الخميس، على مشروع قانون المالية للسنة المقبلة، الذي يتوقع نموًا بنسبة 4.6 في المئة.\n"
        "أبرز الإجراءات:\n"
        "ويتضمن المشروع إجراءات لدعم القدرة الشرائية وتوسيع التغطية الصحية.\n";
    kh_article a;
    CHECK_INT(extract_one(page, &a), KH_OK);
    CHECK_STR(a.source, "هسبريس اليوم");
    CHECK_STR(a.title, "الحكومة تصادق على مشروع قانون المالية للسنة المقبلة");
    CHECK_STR(a.author, "مريم العلوي");
    CHECK_STR(a.published, "2025-10-16T22:10:00");
    CHECK_STR(nth_kind(&a, KH_BLOCK_HEADING, 0), "أبرز الإجراءات:");
    CHECK_INT(count_kind(&a, KH_BLOCK_PARAGRAPH), 2);
    kh_article_clear(&a);
}

static void test_no_dateline(void)
{
    const char *page =
        "عاجل: زلزال بقوة 5 درجات يضرب جنوب البلاد\n"
        "\n"
        "ضرب زلزال بقوة خمس درجات على مقياس ريختر مناطق في جنوب البلاد فجر اليوم، دون أنباء عن إصابات.\n"
        "وقال مركز الرصد الزلزالي إن مركز الهزة كان على عمق عشرة كيلومترات.\n";
    kh_article a;
    CHECK_INT(extract_one(page, &a), KH_OK);
    CHECK_STR(a.title, "عاجل: زلزال بقوة 5 درجات يضرب جنوب البلاد");
    CHECK(a.source == NULL);
    CHECK(a.published == NULL);
    CHECK_INT(count_kind(&a, KH_BLOCK_PARAGRAPH), 2);
    kh_article_clear(&a);
}

static void test_repeated_caption_in_body_and_furniture(void)
{
    const char *page =
        "المشهد\n"
        "افتتاح مستشفى جديد للأطفال في عمّان\n"
        "2025/11/03 - 10:00 ص\n"
        "افتتح وزير الصحة مستشفى جديدًا للأطفال في عمّان يضم مئتي سرير وأقسامًا متخصصة للعناية المركزة.\n"
        "مبنى المستشفى الجديد\n"
        "مبنى المستشفى الجديد\n"
        "اقرأ أيضًا: ارتفاع عدد المستشفيات الخاصة\n"
        "وأكد الوزير أن المستشفى سيبدأ استقبال المرضى مطلع الشهر المقبل.\n";
    kh_article a;
    CHECK_INT(extract_one(page, &a), KH_OK);
    CHECK_STR(a.published, "2025-11-03T10:00:00");
    CHECK_INT(a.n_captions, 1);
    CHECK_STR(a.n_captions ? a.captions[0] : NULL, "مبنى المستشفى الجديد");
    CHECK_INT(a.n_blocks, 2);
    CHECK_INT(count_kind(&a, KH_BLOCK_PARAGRAPH), 2);
    kh_article_clear(&a);
}

static void test_section_label_and_bare_byline_before_dateline(void)
{
    const char *page =
        "النهار العربي\n"
        "اقتصاد\n"
        "البنك المركزي يرفع سعر الفائدة ربع نقطة لمواجهة التضخم\n"
        "سلمى حداد\n"
        "الاثنين 3 نوفمبر 2025 - 13:00\n"
        "رفع البنك المركزي سعر الفائدة الرئيسي بمقدار ربع نقطة مئوية، في خطوة قال إنها تهدف إلى كبح التضخم.\n"
        "ما الذي يعنيه القرار للمقترضين؟\n"
        "يعني القرار ارتفاع كلفة القروض العقارية والاستهلاكية خلال الأشهر المقبلة، بحسب محللين تحدثوا للصحيفة.\n";
    kh_article a;
    CHECK_INT(extract_one(page, &a), KH_OK);
    CHECK_STR(a.source, "النهار العربي");
    CHECK_STR(a.title, "البنك المركزي يرفع سعر الفائدة ربع نقطة لمواجهة التضخم");
    CHECK_STR(a.author, "سلمى حداد");
    CHECK_STR(a.published, "2025-11-03T13:00:00");
    CHECK_INT(count_kind(&a, KH_BLOCK_HEADING), 1);
    CHECK_STR(nth_kind(&a, KH_BLOCK_HEADING, 0), "ما الذي يعنيه القرار للمقترضين؟");
    CHECK_INT(count_kind(&a, KH_BLOCK_PARAGRAPH), 2);
    kh_article_clear(&a);
}

static void test_title_and_byline_without_masthead(void)
{
    const char *page =
        "تراجع أسعار النفط مع ارتفاع المخزونات الأمريكية\n"
        "كتب/ أحمد سمير\n"
        "2025/05/14 08:15\n"
        "تراجعت أسعار النفط في تعاملات اليوم بعد بيانات أظهرت ارتفاع المخزونات الأمريكية.\n";
    kh_article a;
    CHECK_INT(extract_one(page, &a), KH_OK);
    CHECK(a.source == NULL);
    CHECK_STR(a.title, "تراجع أسعار النفط مع ارتفاع المخزونات الأمريكية");
    CHECK_STR(a.author, "أحمد سمير");
    CHECK_STR(a.published, "2025-05-14T08:15:00");
    kh_article_clear(&a);
}

static void test_unpunctuated_page(void)
{
    /* This outlet ends no paragraph with a full stop: a short paragraph is
     * not taken for a subheading, a two-word line still is. */
    const char *page =
        "صوت الجنوب\n"
        "افتتاح طريق ساحلي جديد يربط ثلاث محافظات\n"
        "الأحد 7 سبتمبر 2025\n"
        "افتتحت وزارة النقل اليوم طريقًا ساحليًا جديدًا بطول 120 كيلومترًا يربط ثلاث محافظات جنوبية\n"
        "وقال الوزير إن الطريق سيختصر زمن الرحلة إلى النصف\n"
        "تفاصيل المشروع\n"
        "وبلغت كلفة المشروع نحو 90 مليون دولار بتمويل من صندوق التنمية وشاركت فيه شركات محلية\n";
    kh_article a;
    CHECK_INT(extract_one(page, &a), KH_OK);
    CHECK_INT(count_kind(&a, KH_BLOCK_HEADING), 1);
    CHECK_STR(nth_kind(&a, KH_BLOCK_HEADING, 0), "تفاصيل المشروع");
    CHECK_INT(count_kind(&a, KH_BLOCK_PARAGRAPH), 3);
    kh_article_clear(&a);
}

static void test_located_byline_over_headline_and_double_calendar(void)
{
    const char *page =
        "الشرق الأوسط\n\n"
        "الرياض: عبد الهادي حبتور\n\n"
        "السعودية تطلق برنامجًا لتمويل المشروعات الصغيرة بقيمة 5 مليارات ريال\n\n"
        "نشر: 14:30-29 أكتوبر 2025 م ـ 06 جمادى الأولى 1447 هـ\n\n"
        "أطلقت المملكة العربية السعودية، الأربعاء، برنامجًا جديدًا لتمويل المنشآت الصغيرة والمتوسطة بقيمة خمسة مليارات ريال.\n\n"
        "ويهدف البرنامج إلى تسهيل حصول رواد الأعمال على التمويل بشروط ميسرة.\n";
    kh_article a;
    CHECK_INT(extract_one(page, &a), KH_OK);
    CHECK_STR(a.source, "الشرق الأوسط");
    CHECK_STR(a.author, "عبد الهادي حبتور");
    CHECK_STR(a.title, "السعودية تطلق برنامجًا لتمويل المشروعات الصغيرة بقيمة 5 مليارات ريال");
    CHECK_STR(a.published, "2025-10-29T14:30:00");
    CHECK_INT(count_kind(&a, KH_BLOCK_PARAGRAPH), 2);
    kh_article_clear(&a);

    /* A short "label: headline" stays the headline. */
    const char *urgent =
        "عاجل: زلزال يضرب جنوب تركيا\n"
        "الاثنين 6 أكتوبر 2025 - 04:10 ص\n"
        "ضرب زلزال بقوة 6 درجات جنوب تركيا فجر اليوم، وفق هيئة الكوارث.\n";
    CHECK_INT(extract_one(urgent, &a), KH_OK);
    CHECK_STR(a.title, "عاجل: زلزال يضرب جنوب تركيا");
    CHECK(a.author == NULL);
    kh_article_clear(&a);
}

static void test_bad_pages(void)
{
    kh_article a;
    CHECK_INT(extract_one("", &a), KH_ERR_EMPTY);
    CHECK_INT(extract_one(" \n\xC2\xA0\n\t\n", &a), KH_ERR_EMPTY);
    CHECK_INT(extract_one("عنوان\n\xFF\xFE نص\n", &a), KH_ERR_UTF8);
    kh_article_clear(&a);
}

int main(void)
{
    test_seed_page();
    test_marked_byline_and_caption();
    test_no_byline_no_caption_levantine();
    test_byline_before_dateline_maghreb();
    test_no_dateline();
    test_repeated_caption_in_body_and_furniture();
    test_section_label_and_bare_byline_before_dateline();
    test_title_and_byline_without_masthead();
    test_unpunctuated_page();
    test_located_byline_over_headline_and_double_calendar();
    test_bad_pages();
    return check_done();
}
