/* date.h — internals of the date parser (lib/understand/date.c) that the
 * white-box unit test reaches; the parser itself is declared in khabar.h. */
#ifndef KH_UNDERSTAND_DATE_H
#define KH_UNDERSTAND_DATE_H

#include <stddef.h>

/* The parser compares words as bytes, so every vocabulary entry must be
 * written in folded form: letters only (ا for every alef, ه for ة, ي for ى,
 * lower-case ASCII, no diacritics or tatweel), words separated by one space,
 * each word short enough to be tokenized whole. Returns how many entries
 * break that rule and, when first_bad is not NULL, sets it to the first. */
size_t kh_date_vocabulary_check(const char **first_bad);

#endif
