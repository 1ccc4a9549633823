/* normalize.h - company-name normalisation: Unicode folding, legal forms, abbreviations, tokens. */
#ifndef L2A_NORMALIZE_H
#define L2A_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bump.h"
#include "util.h"

/* Word lists that drive normalisation. Built once from config, then read-only (shared by threads
 * and by every lead). */
typedef struct norm_rules norm_rules;

norm_rules *norm_rules_new(void);
void norm_rules_free(norm_rules *r);
/* Loads ../shared/data/legal-forms.tsv format: header line "term<TAB>country_code<TAB>source",
 * then one term a line. Each term is folded like a name (norm_fold + punctuation rules below) into a
 * token sequence ("Sp. z o.o." -> "sp z oo", "S.A." -> "sa", "GmbH & Co. KG" -> "gmbh and co kg").
 * Returns 0 or -1 with "path:line: message" in err (unreadable file, header missing, no tab).
 *
 * Legal forms (norm_rules_add_legal_form too) are stored as folded token sequences, each also in
 * its camelCase-split form (names are split) and with abbreviations expanded (in whatever order
 * config adds abbreviations and legal forms). norm_rules_new already holds common forms (inc,
 * corp, co, company, ltd, limited, llc, plc, gmbh, ag, sa, sarl, bv, pty ...). Never legal
 * forms, even when listed: one-character terms and a built-in list of ordinary words that the ELF
 * list carries ("trust", "society", "association", "private", "district", "son", "uk" ...). */
int norm_rules_load_legal_forms(norm_rules *r, const char *path, char *err, size_t errlen) MUSTCHECK;
void norm_rules_add_legal_form(norm_rules *r, const char *term);
/* Whole-token abbreviation, both folded first: "intl" -> "international", "univ" -> "university".
 * The expansion may be several words; it is not expanded again. A later call for the same abbr
 * replaces the expansion. */
void norm_rules_add_abbrev(norm_rules *r, const char *abbr, const char *expansion);
/* Words dropped from names ("the", "of", "and", "de", "la" ...). */
void norm_rules_add_stopword(norm_rules *r, const char *word);
/* Regional qualifiers ("uk", "emea", "germany", "usa" ...): a trailing run of them, or any inside
 * parentheses or after " - ", is moved from tokens to qualifiers (see norm_name). */
void norm_rules_add_qualifier(norm_rules *r, const char *word);
/* Values of a company field that carry no evidence ("n/a", "self", "-", "student", "none" ...),
 * compared after folding and trimming punctuation/space. */
void norm_rules_add_junk(norm_rules *r, const char *value);

/* Unicode folding: NFKC compatibility + case fold + strip accents (utf8proc COMPAT|CASEFOLD|
 * STRIPMARK|COMPOSE), then letters utf8proc keeps: ß->ss, ø->o, æ->ae, œ->oe, ł->l, đ/ð->d, ı->i,
 * þ->th, ħ->h, ŧ->t. Invalid UTF-8 is read as Latin-1. NULL gives "". Returns malloc'd string
 * (caller frees). */
char *norm_fold(const char *utf8);

/* A normalised company name. All memory owned by the struct (norm_name_free). */
typedef struct norm_name {
    strvec tokens;      /* significant tokens in order: folded, abbreviations expanded, legal forms
                         * and stop words removed, qualifiers moved out */
    strvec qualifiers;  /* regional qualifiers that were moved out of tokens */
    char *joined_all;   /* tokens before stop-word removal concatenated ("businessonbot") */
    char *joined;       /* tokens concatenated without spaces ("dcstorm"), "" if none */
    char *acronym;      /* first character (code point) of each of `tokens`, so stop words are
                         * not included: "University of Calabar" -> "uc" */
    uint64_t *tok_hash; /* hash_bytes() of each of `tokens` and its length: set by
                         * norm_name_parse_bump (in its bump) when there are tokens, else NULL */
    uint32_t *tok_len;
    bool junk;          /* empty, junk value, or nothing left after normalisation */
} norm_name;

/* Steps, in order:
 * 1. NULL/blank/junk -> junk=true, no tokens.
 * 2. Split camelCase on the raw text ("ApolloGlobalManagement" -> "Apollo Global Management",
 *    "AdSpyglass" -> "Ad Spyglass"): before a capital that follows a lower-case letter and is
 *    followed by a letter ("GmbH", "SpA" stay whole), and before the last capital of a capital
 *    run followed by two lower-case letters ("XMLHttp" -> "XML Http", "PCs" stays). An
 *    all-capitals word stays whole ("AXDRAFT", "IBM"); letter/digit joins are not split ("3M").
 * 3. norm_fold (invalid UTF-8 read as Latin-1 first, camelCase split included).
 * 4. "&" -> " and "; apostrophes (' ’ ‘ ` ʼ) and dots deleted ("o'reilly" -> "oreilly", "s.a." ->
 *    "sa"); every other character that is not a Unicode letter or number is a separator. Text in
 *    parentheses (or brackets), after a dash with a space on either side (" - ", " – ") or
 *    after "," that consists only of qualifiers becomes qualifiers (not the segment of the first
 *    token, and not when nothing would be left).
 * 5. Tokens; abbreviations expanded token by token.
 * 6. Legal forms removed: repeatedly, the longest legal-form token sequence at the end of the
 *    name (also when followed only by qualifiers); never removes the last remaining token (nor the
 *    first: "Inc" and "Ltd Inc" keep "inc" / "ltd").
 * 7. Trailing qualifiers moved out (never the last remaining token).
 * 8. Stop words removed (never the last remaining token: "The" keeps "the").
 * joined and acronym are built from the final tokens; junk is also set when no token is left.
 * Returns 0; never fails on any input (bad UTF-8 included). */
int norm_name_parse(const norm_rules *r, const char *raw, norm_name *out);
void norm_name_free(norm_name *n);
/* Buffers that norm_name_parse_in keeps from one name to the next (one per thread: a parse
 * allocates its working space once, not per name). */
typedef struct norm_scratch norm_scratch;
norm_scratch *norm_scratch_new(void);
void norm_scratch_free(norm_scratch *s);
/* norm_name_parse working in scratch (NULL: in buffers of its own, as norm_name_parse). */
int norm_name_parse_in(const norm_rules *r, const char *raw, norm_name *out,
                       norm_scratch *scratch);
/* norm_name_parse_in with out's strings and arrays carved from b: they last as long as b's
 * blocks, and out is never passed to norm_name_free. */
void norm_name_parse_bump(const norm_rules *r, const char *raw, norm_name *out,
                          norm_scratch *scratch, bump *b);

bool norm_is_stopword(const norm_rules *r, const char *folded_token);
/* Step 1 alone: NULL, no letter or digit, or (folded, trimmed of non-alphanumerics at both ends)
 * in the junk set. */
bool norm_is_junk(const norm_rules *r, const char *raw);

#endif
