/* score.h - weighted name similarity between a lead's and an account's name tokens. */
#ifndef L2A_SCORE_H
#define L2A_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCORE_MAX_TOKENS 32

/* A tokenised name with a rarity weight per token. Borrowed pointers. */
typedef struct name_view {
    const char *tok[SCORE_MAX_TOKENS];
    uint32_t len[SCORE_MAX_TOKENS];  /* strlen(tok[i]) */
    double w[SCORE_MAX_TOKENS];
    bool known[SCORE_MAX_TOKENS];   /* the word names some account: not read as a typo or prefix */
    uint32_t id[SCORE_MAX_TOKENS];  /* with by_id: the word's vocabulary id (UINT32_MAX: none), one
                                     * per distinct word, so that words are equal when ids are */
    bool by_id;
    size_t n;
    bool has_masks;                 /* lens and sums are set (name_view_masks): a lead's view, met
                                     * once per candidate, has them worked out once */
    uint64_t lens, sums;            /* the bits of its words' lengths and of its runs of 2-3 words' */
    bool has_totals;                /* wsum and all_known are set (name_view_masks) */
    bool all_known;                 /* every word is known */
    double wsum;                    /* 0 + w[0] + ... + w[n - 1], added in that order */
} name_view;

/* Works out v's lens and sums, wsum and all_known once (v's words set), for the views compared
 * many times. */
void name_view_masks(name_view *v);

/* A length as one bit of a mask (63 and over share the last). */
static inline uint64_t name_length_bit(size_t len)
{
    return 1ull << (len < 63 ? len : 63);
}

/* Adds word i's length (v->len[0..i] set) to masks lens and sums, as name_view_masks works them
 * out: for a view filled word by word, its masks in the same pass. */
static inline void name_masks_add(const name_view *v, size_t i, uint64_t *lens, uint64_t *sums)
{
    *lens |= name_length_bit(v->len[i]);
    if (i >= 1)
        *sums |= name_length_bit(v->len[i - 1] + v->len[i]);
    if (i >= 2)
        *sums |= name_length_bit(v->len[i - 2] + v->len[i - 1] + v->len[i]);
}

typedef struct score_params {
    double typo;     /* credit for a token pair within edit distance */
    double prefix;   /* credit for a 4+ char prefix of the other token */
} score_params;

/* What the alignment found, for the reason text. */
typedef struct score_explain {
    int exact;       /* lead tokens matched exactly */
    int joined;      /* matched as joined words ("onetrust" = "one trust") */
    int typo;        /* matched within edit distance */
    int prefix;      /* matched as prefix */
    int acronym;     /* the lead's one word is the account name's initials */
    int lead_extra;  /* lead tokens left unmatched */
    int acct_extra;  /* account tokens left unmatched */
} score_explain;

/* Weighted Dice similarity in [0,1]: 2 * sum(credit * weight of matched pairs) over the weights of
 * both names, a matched lead token taking its account token's weight (a misspelt word is not rare
 * just because it is misspelt). Typo and prefix matches are tried only for lead words that are not
 * `known` ("northeastern" is a real word, not a misspelt "northwestern"), and typos keep the first
 * letter. ex may be NULL. */
double name_similarity(const name_view *lead, const name_view *acct, const score_params *p,
                       score_explain *ex);

#endif
