/* rules.h - PCRE2 rules from config: compile with limits, test and rewrite, JIT with fallback. */
#ifndef L2A_RULES_H
#define L2A_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define RULE_MAX_PATTERN_LEN 1024     /* longest pattern accepted from config */
#define RULE_MATCH_LIMIT 100000       /* pcre2_set_match_limit: ~1 ms worst case here */
#define RULE_DEPTH_LIMIT 10000        /* pcre2_set_depth_limit */

/* One compiled regex rule. `replace` is a PCRE2 substitution template ($1 ...) or a plain value
 * (e.g. a contact role) depending on where the rule is used. Owns every pointer. */
typedef struct regex_rule {
    char *pattern;
    char *replace;
    pcre2_code *code;
    bool jit;                 /* JIT compiled; false when refused (MemoryDenyWriteExecute) */
    pcre2_match_context *mctx; /* match and depth limits; owned, read-only while matching */
} regex_rule;

/* Compiles pattern (UTF, case-insensitive) with the length limit, tries JIT and silently falls back
 * to the interpreter. On failure returns -1, with PCRE2's message and the 0-based offset in the
 * pattern in err / *erroffset. */
int regex_rule_init(regex_rule *rule, const char *pattern, const char *replace,
                    char *err, size_t errlen, size_t *erroffset) MUSTCHECK;
void regex_rule_free(regex_rule *rule);

/* Checks that rule->replace is a valid substitution template for rule->pattern: every "$n",
 * "${n}", "$name" or "${name}" names a group the pattern has ("$$" is a literal '$'). On failure
 * returns -1 with a message in err and the 0-based offset in the template in *erroffset. */
int regex_rule_check_replace(const regex_rule *rule, char *err, size_t errlen,
                             size_t *erroffset) MUSTCHECK;

/* True when the rule matches subject (match and depth limits applied; hitting a limit = no match). */
bool regex_rule_test(const regex_rule *rule, const char *subject);

/* If the rule matches subject, returns the malloc'd result of substituting `replace` for the first
 * match (PCRE2_SUBSTITUTE_EXTENDED off, so "$1" syntax); otherwise NULL. */
char *regex_rule_rewrite(const regex_rule *rule, const char *subject);

/* A list of rules. */
typedef struct regex_list {
    regex_rule *v;
    size_t n;
} regex_list;

void regex_list_free(regex_list *l);
/* Applies every rule in order, each to the previous result. Returns malloc'd result (a copy of
 * subject when nothing matched); *changed tells whether any rule applied. */
char *regex_list_rewrite(const regex_list *l, const char *subject, bool *changed);
/* First rule matching subject, or NULL. */
const regex_rule *regex_list_first_match(const regex_list *l, const char *subject);

#endif
