/* article.h — helpers of the article model shared inside lib/ingest. */
#ifndef KH_INGEST_ARTICLE_H
#define KH_INGEST_ARTICLE_H

#include "khabar.h"

/* The language the script of the text shows: "ar" when Arabic letters are
 * at least a third of the letters of the title and first two blocks, "en"
 * when there are Latin letters and no Arabic ones, NULL otherwise (no
 * letters, or a mix that says nothing). Static string; never allocates. */
const char *kh_article_script_lang(const kh_article *a);

#endif
