/* rules.c - PCRE2 rules from config: compile with limits, JIT with fallback, test and rewrite. */
#include "rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULE_OPTIONS (PCRE2_UTF | PCRE2_CASELESS)

static void set_err(char *err, size_t errlen, size_t *erroffset, size_t off, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
    if (erroffset)
        *erroffset = off;
}

/* Match context carrying the limits that keep a hostile pattern from burning CPU. */
static pcre2_match_context *limits_context(void)
{
    pcre2_match_context *mctx = pcre2_match_context_create(NULL);
    if (!mctx) {
        fprintf(stderr, "l2a: out of memory (pcre2 match context)\n");
        abort();
    }
    pcre2_set_match_limit(mctx, RULE_MATCH_LIMIT);
    pcre2_set_depth_limit(mctx, RULE_DEPTH_LIMIT);
    return mctx;
}

int regex_rule_init(regex_rule *rule, const char *pattern, const char *replace,
                    char *err, size_t errlen, size_t *erroffset)
{
    memset(rule, 0, sizeof(*rule));
    size_t len = strlen(pattern);
    if (len > RULE_MAX_PATTERN_LEN) {
        char msg[96];
        snprintf(msg, sizeof(msg), "pattern is %zu bytes long, the limit is %d", len,
                 RULE_MAX_PATTERN_LEN);
        set_err(err, errlen, erroffset, RULE_MAX_PATTERN_LEN, msg);
        return -1;
    }
    int code = 0;
    PCRE2_SIZE off = 0;
    rule->code = pcre2_compile((PCRE2_SPTR)pattern, len, RULE_OPTIONS, &code, &off, NULL);
    if (!rule->code) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
            snprintf((char *)msg, sizeof(msg), "PCRE2 error %d", code);
        set_err(err, errlen, erroffset, off, (const char *)msg);
        return -1;
    }
    /* Under MemoryDenyWriteExecute the JIT cannot map executable memory: use the interpreter. */
    rule->jit = pcre2_jit_compile(rule->code, PCRE2_JIT_COMPLETE) == 0;
    rule->mctx = limits_context();
    rule->pattern = xstrdup(pattern);
    rule->replace = xstrdup(replace ? replace : "");
    return 0;
}

void regex_rule_free(regex_rule *rule)
{
    if (!rule)
        return;
    pcre2_code_free(rule->code);
    pcre2_match_context_free(rule->mctx);
    free(rule->pattern);
    free(rule->replace);
    memset(rule, 0, sizeof(*rule));
}

/* Length of a group name (letters, digits, underscore) at s. */
static size_t name_len(const char *s)
{
    size_t n = 0;
    while (isalnum((unsigned char)s[n]) || s[n] == '_')
        n++;
    return n;
}

/* Checks one group reference (digits or a name, n bytes at s) against the pattern. */
static int check_group(const regex_rule *rule, const char *s, size_t n, char *msg, size_t msglen)
{
    if (isdigit((unsigned char)s[0])) {
        unsigned long want = strtoul(s, NULL, 10);
        uint32_t have = 0;
        pcre2_pattern_info(rule->code, PCRE2_INFO_CAPTURECOUNT, &have);
        if (want > have) {
            snprintf(msg, msglen, "replacement refers to group %lu but the pattern has %u "
                     "group%s", want, (unsigned)have, have == 1 ? "" : "s");
            return -1;
        }
        return 0;
    }
    char name[64];
    snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), s);
    int num = pcre2_substring_number_from_name(rule->code, (PCRE2_SPTR)name);
    if (n >= sizeof(name) || (num < 0 && num != PCRE2_ERROR_NOUNIQUESUBSTRING)) {
        snprintf(msg, msglen, "replacement refers to unknown group name \"%.*s\"",
                 (int)(n < 40 ? n : 40), s);
        return -1;
    }
    return 0;
}

/* Checks the reference that follows a '$' (t points just after it); returns how many bytes it
 * uses, or -1 with a message. */
static long check_ref(const regex_rule *rule, const char *t, char *msg, size_t msglen)
{
    if (t[0] == '$')
        return 1;
    size_t brace = t[0] == '{';
    const char *s = t + brace;
    size_t n;
    if (*s == '*')                      /* $*MARK */
        n = 1 + name_len(s + 1);
    else if (isdigit((unsigned char)*s))
        n = strspn(s, "0123456789");
    else if (isalpha((unsigned char)*s) || *s == '_')
        n = name_len(s);
    else {
        snprintf(msg, msglen, "'$' in the replacement must be followed by a group number, a "
                              "group name or another '$'");
        return -1;
    }
    if (*s != '*' && check_group(rule, s, n, msg, msglen) < 0)
        return -1;
    if (brace && s[n] != '}') {
        snprintf(msg, msglen, "missing '}' in the replacement");
        return -1;
    }
    return (long)(brace * 2 + n);
}

int regex_rule_check_replace(const regex_rule *rule, char *err, size_t errlen,
                             size_t *erroffset)
{
    const char *t = rule->replace ? rule->replace : "";
    char msg[160];
    for (size_t i = 0; t[i]; i++) {
        if (t[i] != '$')
            continue;
        long used = check_ref(rule, t + i + 1, msg, sizeof(msg));
        if (used < 0) {
            set_err(err, errlen, erroffset, i, msg);
            return -1;
        }
        i += (size_t)used;
    }
    return 0;
}

bool regex_rule_test(const regex_rule *rule, const char *subject)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(rule->code, NULL);
    if (!md) {
        fprintf(stderr, "l2a: out of memory (pcre2 match data)\n");
        abort();
    }
    /* Any negative result (no match, match/depth limit, bad UTF-8 subject) counts as no match. */
    int rc = pcre2_match(rule->code, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0, 0, md,
                         rule->mctx);
    pcre2_match_data_free(md);
    return rc >= 0;
}

char *regex_rule_rewrite(const regex_rule *rule, const char *subject)
{
    size_t cap = strlen(subject) + strlen(rule->replace) + 64;
    char *out = xmalloc(cap);
    for (int attempt = 0; attempt < 2; attempt++) {
        PCRE2_SIZE outlen = cap;
        int rc = pcre2_substitute(rule->code, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0,
                                  PCRE2_SUBSTITUTE_OVERFLOW_LENGTH, NULL, rule->mctx,
                                  (PCRE2_SPTR)rule->replace, PCRE2_ZERO_TERMINATED,
                                  (PCRE2_UCHAR *)out, &outlen);
        if (rc == PCRE2_ERROR_NOMEMORY && attempt == 0) {
            cap = outlen + 1;          /* outlen is the length needed, terminator included */
            out = xrealloc(out, cap);
            continue;
        }
        if (rc <= 0)                   /* 0 = no match; < 0 = limit hit or error */
            break;
        return out;
    }
    free(out);
    return NULL;
}

void regex_list_free(regex_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        regex_rule_free(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

char *regex_list_rewrite(const regex_list *l, const char *subject, bool *changed)
{
    char *cur = xstrdup(subject);
    bool any = false;
    for (size_t i = 0; i < l->n; i++) {
        char *next = regex_rule_rewrite(&l->v[i], cur);
        if (next) {
            free(cur);
            cur = next;
            any = true;
        }
    }
    if (changed)
        *changed = any;
    return cur;
}

const regex_rule *regex_list_first_match(const regex_list *l, const char *subject)
{
    for (size_t i = 0; i < l->n; i++)
        if (regex_rule_test(&l->v[i], subject))
            return &l->v[i];
    return NULL;
}
