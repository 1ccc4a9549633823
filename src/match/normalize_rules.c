/* normalize_rules.c - the word lists that drive name normalisation (normalize.h): legal forms,
 * stopwords, qualifiers, abbreviations and junk values, built once from config. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize_impl.h"
#include "strmap.h"

/* Always-on legal forms, added even when no file is loaded. */
static const char *const builtin_legal[] = {
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "llp",
    "lp", "plc", "gmbh", "ag", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "ab", "as", "oy",
    "kk", "pty", "pvt", "pte", "bhd", "sdn", "sa rl", "ab publ",
};

/* Terms of the legal-form list that are ordinary words in names (or regional qualifiers): never
 * treated as legal forms ("OneTrust", "National Trust", "Royal Society", "Acme UK"). */
static const char *const legal_deny[] = {
    "trust", "society", "association", "private", "multi", "bund", "canton", "cantone", "kanton",
    "commune", "comune", "gemeinde", "district", "distretto", "bezirk", "etat", "partnership",
    "cooperation", "undivided", "son", "up", "is", "ok", "per", "tu", "eu", "ent", "ngo", "vat",
    "uk",
};

/* Sets word's value in r->words (and its bit in the filter). */
static void word_put(norm_rules *r, const char *word, uint32_t v)
{
    uint32_t bit = (uint32_t)(hash_bytes(word, strlen(word)) >> 48);
    r->word_filter[bit / 64] |= (uint64_t)1 << (bit % 64);
    strmap_put(r->words, word, v);
}

static void put_legal(norm_rules *r, const char *key)
{
    if (strlen(key) < 2)
        return;
    for (size_t i = 0; i < ARRAY_LEN(legal_deny); i++)
        if (strcmp(key, legal_deny[i]) == 0)
            return;
    size_t ntok = 1;
    for (const char *p = key; *p; p++)
        ntok += *p == ' ';
    if (ntok > LEGAL_MAX_TOKENS)
        return;
    strmap_put(r->legal, key, (uint32_t)ntok);
    if (ntok > r->legal_max)
        r->legal_max = ntok;
    const char *last = strrchr(key, ' ');
    last = last ? last + 1 : key;
    size_t n = strlen(last);
    uint32_t v = norm_word_val(r, last, n);
    uint32_t had = v >> WF_LEGAL_LEN_SHIFT & WF_LEGAL_LEN_MAX;
    uint32_t most = ntok < WF_LEGAL_LEN_MAX ? (uint32_t)ntok : WF_LEGAL_LEN_MAX;
    if (most > had)
        v = (v & ~(WF_LEGAL_LEN_MAX << WF_LEGAL_LEN_SHIFT)) | most << WF_LEGAL_LEN_SHIFT;
    word_put(r, last, v | WF_LEGAL_END);
}

norm_rules *norm_rules_new(void)
{
    norm_rules *r = xcalloc(1, sizeof(*r));
    r->words = strmap_new();
    sv_init(&r->expansions);
    r->legal = strmap_new();
    r->junk = strmap_new();
    for (size_t i = 0; i < ARRAY_LEN(builtin_legal); i++)
        put_legal(r, builtin_legal[i]);
    return r;
}

void norm_rules_free(norm_rules *r)
{
    if (!r)
        return;
    strmap_free(r->words);
    sv_free(&r->expansions);
    strmap_free(r->legal);
    strmap_free(r->junk);
    free(r);
}

/* The term as written and camel-split, each without and with abbreviations expanded: the
 * split's keys are the unsplit's when it splits nothing (then they are not made again). */
void norm_rules_add_legal_form(norm_rules *r, const char *term)
{
    strbuf key, expanded;
    sb_init(&key);
    sb_init(&expanded);
    for (int camel = 0; camel < 2; camel++) {
        sb_reset(&key);
        sb_reset(&expanded);
        if (norm_fold_words_two(r, term, camel, &key, &expanded) == 0 && camel)
            break;
        if (key.len)
            put_legal(r, key.buf);
        if (expanded.len)
            put_legal(r, expanded.buf);
    }
    sb_free(&key);
    sb_free(&expanded);
}

/* Tokens of a header/data line: returns -1 with err set when the line has no tab. */
static int legal_line(norm_rules *r, const char *path, size_t lineno, char *line, char *err,
                      size_t errlen)
{
    size_t n = strlen(line);
    if (n && line[n - 1] == '\r')
        line[--n] = '\0';
    if (n == 0)
        return 0;
    char *tab = strchr(line, '\t');
    if (!tab) {
        snprintf(err, errlen, "%s:%zu: expected term<TAB>country_code<TAB>source", path, lineno);
        return -1;
    }
    *tab = '\0';
    if (lineno == 1) {
        if (strcmp(line, "term") == 0)
            return 0;
        snprintf(err, errlen, "%s:1: expected header line \"term<TAB>country_code<TAB>source\"",
                 path);
        return -1;
    }
    if (*line)
        norm_rules_add_legal_form(r, line);
    return 0;
}

int norm_rules_load_legal_forms(norm_rules *r, const char *path, char *err, size_t errlen)
{
    int rc = -1;
    char *data = read_file(path, NULL);     /* owned here */
    if (!data) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    size_t lineno = 0;
    for (char *line = data; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (legal_line(r, path, ++lineno, line, err, errlen) < 0)
            goto out;
        line = nl ? nl + 1 : NULL;
    }
    if (lineno == 0) {
        snprintf(err, errlen, "%s:1: empty file, expected a header line", path);
        goto out;
    }
    rc = 0;
out:
    free(data);
    return rc;
}

/* Folds word to a single key; false (and nothing in key) when it has no token. */
static bool word_key(const char *word, strbuf *key)
{
    sb_reset(key);
    if (word)
        norm_fold_words(NULL, word, false, key);
    return key->len > 0;
}

static void add_word_flag(norm_rules *r, const char *word, uint32_t flag)
{
    strbuf key;
    sb_init(&key);
    if (word_key(word, &key))
        word_put(r, key.buf, norm_word_val(r, key.buf, key.len) | flag);
    sb_free(&key);
}

void norm_rules_add_stopword(norm_rules *r, const char *word)
{
    add_word_flag(r, word, WF_STOP);
}

void norm_rules_add_qualifier(norm_rules *r, const char *word)
{
    add_word_flag(r, word, WF_QUAL);
}

/* Re-adds every legal form containing the token abbr with abbreviations expanded, so that legal
 * forms still match names whose tokens were expanded (whatever order config added them in). */
static void legal_expand_abbrev(norm_rules *r, const char *abbr)
{
    strvec hits;                    /* copies of matching keys */
    sv_init(&hits);
    size_t pos = 0, alen = strlen(abbr);
    const char *key;
    uint32_t v;
    while (strmap_next(r->legal, &pos, &key, &v)) {
        for (const char *p = key; (p = strstr(p, abbr)) != NULL; p++) {
            bool left = p == key || p[-1] == ' ';
            bool right = p[alen] == '\0' || p[alen] == ' ';
            if (left && right) {
                sv_push(&hits, key);
                break;
            }
        }
    }
    strbuf out;
    sb_init(&out);
    for (size_t i = 0; i < hits.n; i++) {
        sb_reset(&out);
        norm_fold_words(r, hits.v[i], false, &out);
        if (out.len)
            put_legal(r, out.buf);
    }
    sb_free(&out);
    sv_free(&hits);
}

void norm_rules_add_abbrev(norm_rules *r, const char *abbr, const char *expansion)
{
    strbuf key, exp;
    sb_init(&key);
    sb_init(&exp);
    if (!word_key(abbr, &key) || !word_key(expansion, &exp) || strcmp(key.buf, exp.buf) == 0)
        goto out;
    uint32_t v = norm_word_val(r, key.buf, key.len);
    if (v >> WF_ABBREV_SHIFT) {             /* redefinition: replace the expansion */
        size_t idx = (v >> WF_ABBREV_SHIFT) - 1;
        free(r->expansions.v[idx]);
        r->expansions.v[idx] = sb_take(&exp);
    } else {
        sv_push_owned(&r->expansions, sb_take(&exp));
        v |= (uint32_t)r->expansions.n << WF_ABBREV_SHIFT;
        word_put(r, key.buf, v);
    }
    legal_expand_abbrev(r, key.buf);
out:
    sb_free(&key);
    sb_free(&exp);
}

void norm_rules_add_junk(norm_rules *r, const char *value)
{
    char *f = norm_fold(value);     /* owned here */
    size_t a, b;
    norm_trim_span(f, strlen(f), &a, &b);
    if (b > a) {
        f[b] = '\0';
        strmap_put(r->junk, f + a, 1);
        if (b - a > r->junk_max)
            r->junk_max = b - a;
    }
    free(f);
}

