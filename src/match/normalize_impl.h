/* normalize_impl.h - what normalize.c and normalize_rules.c share: the rules' layout and the
 * word helpers both use. Not for other modules. */
#ifndef L2A_NORMALIZE_IMPL_H
#define L2A_NORMALIZE_IMPL_H

#include <stdint.h>

#include "normalize.h"
#include "strmap.h"

#define LEGAL_MAX_TOKENS 16     /* longer legal forms are ignored */

/* Flags stored in norm_rules.words values; bits 4-7 hold the most tokens of a legal form that
 * ends with the word (WF_LEGAL_LEN_MAX: that many or more), bits 8+ (abbreviation index + 1).
 * WF_LEGAL_END: some legal form ends with the word (a name whose last token is not such a word
 * ends with no legal form). */
enum {
    WF_STOP = 1u,
    WF_QUAL = 2u,
    WF_MOVE = 4u,           /* per-token only: moved to qualifiers */
    WF_LEGAL_END = 8u,
};
#define WF_LEGAL_LEN_SHIFT 4
#define WF_LEGAL_LEN_MAX 15u
#define WF_ABBREV_SHIFT 8

/* Bits of the words' filter (norm_rules.word_filter): one for each value of a hash's top 16. */
#define WORD_FILTER_BITS 65536u

struct norm_rules {
    strmap *words;          /* folded word -> WF_* flags | (abbrev index + 1) << 8 */
    uint64_t word_filter[WORD_FILTER_BITS / 64];    /* bit (hash_bytes(w) >> 48) set for each
                                                     * word w of words: most words of a name are
                                                     * in no list, and are known so here */
    strvec expansions;      /* folded, space-joined expansions; owned */
    strmap *legal;          /* folded, space-joined legal-form token sequence -> token count */
    size_t legal_max;       /* longest legal form, in tokens */
    strmap *junk;           /* folded, trimmed junk values */
    size_t junk_max;        /* bytes of the longest of them */
};

/* The WF_* flags (and abbreviation) of folded word s[0..len), 0 for none. */
uint32_t norm_word_val(const norm_rules *r, const char *s, size_t len);
/* Whether a word hashed to hash (hash_bytes) may be in r->words: false when it is not. */
static inline bool norm_word_maybe(const norm_rules *r, uint64_t hash)
{
    uint32_t bit = (uint32_t)(hash >> 48);
    return r->word_filter[bit / 64] >> (bit % 64) & 1;
}
/* Folds s like a name (optionally camel-split first) and appends its tokens, space-joined, to
 * out. With r, abbreviations are expanded. */
void norm_fold_words(const norm_rules *r, const char *s, bool camel, strbuf *out);
/* norm_fold_words of s without abbreviations into out and with r's into expanded (either may be
 * NULL: not made), s folded once for both; returns how many camelCase splits it made. With
 * camel, when it splits nothing, nothing is made (the words are those without camel). */
size_t norm_fold_words_two(const norm_rules *r, const char *s, bool camel, strbuf *out,
                           strbuf *expanded);
/* Span of folded s left after trimming non-alphanumeric code points at both ends. */
void norm_trim_span(const char *s, size_t len, size_t *from, size_t *to);

#endif
