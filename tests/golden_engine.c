/* golden_engine.c - the golden cases through the engine alone: linked to the engine library and
 * nothing else (no YAML, Redis or event loop), it reads the engine's options as JSON (what
 * `l2a check-config --engine-json` prints), the accounts CSV and the leads JSONL, and prints one
 * decision a line as `l2a match` does.
 * usage: golden_engine ENGINE.json ACCOUNTS.csv LEADS.jsonl */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

typedef enum opt_type { O_STR, O_INT, O_DOUBLE, O_ENUM, O_LIST, O_MAP, O_RULES } opt_type;

static const char *const policy_names[] = {"flag", "create_account", NULL};
static const char *const segment_names[] = {"flag", "drop", NULL};
static const char *const bool_names[] = {"false", "true", NULL};

/* Where each key of the JSON goes in engine_opts. */
typedef struct opt_field {
    const char *section, *name;
    opt_type type;
    size_t off;
    const char *const *names;       /* O_ENUM */
} opt_field;

#define F(sec, key, t, field) {sec, key, t, offsetof(engine_opts, field), NULL}
#define E(sec, key, field, n) {sec, key, O_ENUM, offsetof(engine_opts, field), n}
static const opt_field fields[] = {
    F("lists", "freemail", O_STR, freemail_file),
    F("lists", "disposable", O_STR, disposable_file),
    F("lists", "legal_forms", O_STR, legal_forms_file),
    F("lists", "freemail_add", O_LIST, freemail_add),
    F("lists", "freemail_remove", O_LIST, freemail_remove),
    F("lists", "disposable_add", O_LIST, disposable_add),
    F("lists", "disposable_remove", O_LIST, disposable_remove),
    F("domains", "aliases", O_MAP, domain_aliases),
    F("domains", "rewrites", O_RULES, domain_rewrites),
    F("accounts", "load_threads", O_INT, load_threads),
    F("domains", "label_prefixes", O_LIST, label_prefixes),
    F("domains", "label_suffixes", O_LIST, label_suffixes),
    F("domains", "generic_subdomains", O_LIST, generic_subdomains),
    F("names", "abbreviations", O_MAP, abbreviations),
    F("names", "stop_words", O_LIST, stop_words),
    F("names", "qualifiers", O_LIST, qualifiers),
    F("names", "junk", O_LIST, junk),
    F("names", "legal_forms", O_LIST, extra_legal_forms),
    F("names", "rewrites", O_RULES, name_rewrites),
    F("scoring", "typo", O_DOUBLE, w_typo),
    F("scoring", "prefix", O_DOUBLE, w_prefix),
    F("scoring", "acronym", O_DOUBLE, w_acronym),
    F("scoring", "domain", O_DOUBLE, domain_score),
    F("scoring", "label_bonus", O_DOUBLE, label_bonus),
    F("scoring", "max_candidates", O_INT, max_candidates),
    F("scoring", "max_postings", O_INT, max_postings),
    F("thresholds", "match", O_DOUBLE, t_match),
    F("thresholds", "match_freemail", O_DOUBLE, t_match_freemail),
    F("thresholds", "review", O_DOUBLE, t_review),
    F("thresholds", "margin", O_DOUBLE, t_margin),
    F("tie_breaks", "order", O_LIST, tie_breaks),
    F("tie_breaks", "type_order", O_LIST, type_order),
    E("no_match", "policy", policy, policy_names),
    E("no_match", "freemail", seg_freemail, segment_names),
    E("no_match", "junk_company", seg_junk, segment_names),
    E("no_match", "disposable", seg_disposable, segment_names),
    F("no_match", "new_account_type", O_STR, new_account_type),
    E("opportunities", "enabled", opp_enabled, bool_names),
    F("opportunities", "account_types", O_LIST, opp_account_types),
    F("opportunities", "stages", O_LIST, opp_stages),
    F("opportunities", "first_stage", O_STR, opp_first_stage),
    F("opportunities", "marketing_stages", O_LIST, opp_marketing_stages),
    F("opportunities", "advance_score", O_INT, opp_advance_score),
    E("learning", "enabled", learn_enabled, bool_names),
    E("learning", "domains_from_contacts", learn_domains, bool_names),
    F("contact_roles", "rules", O_RULES, role_rules),
    F("contact_roles", "default", O_STR, role_default),
};

#define AT(T, o, f) ((T *)(void *)((char *)(o) + (f)->off))

static int set_rules(regex_list *l, const json_t *v)
{
    l->v = calloc(json_array_size(v) + 1, sizeof(*l->v));
    size_t i;
    const json_t *r;
    json_array_foreach(v, i, r) {
        char err[256];
        size_t off;
        if (regex_rule_init(&l->v[l->n], json_string_value(json_object_get(r, "pattern")),
                            json_string_value(json_object_get(r, "replace")), err, sizeof(err),
                            &off) != 0) {
            fprintf(stderr, "golden_engine: rule: %s\n", err);
            return -1;
        }
        l->n++;
    }
    return 0;
}

static int set_field(engine_opts *o, const opt_field *f, const json_t *v)
{
    size_t i;
    const json_t *x;
    switch (f->type) {
    case O_STR:
        *AT(char *, o, f) = json_is_string(v) ? strdup(json_string_value(v)) : NULL;
        return 0;
    case O_INT:
        *AT(int, o, f) = (int)json_integer_value(v);
        return 0;
    case O_DOUBLE:
        *AT(double, o, f) = json_number_value(v);
        return 0;
    case O_ENUM:
        for (int k = 0; f->names[k]; k++)
            if (strcmp(f->names[k], json_string_value(v)) == 0)
                *AT(int, o, f) = k;
        return 0;
    case O_LIST:
        json_array_foreach(v, i, x) sv_push(AT(strvec, o, f), json_string_value(x));
        return 0;
    case O_MAP:
        AT(pair_list, o, f)->v = calloc(json_array_size(v) + 1, sizeof(str_pair));
        json_array_foreach(v, i, x) {
            str_pair *p = &AT(pair_list, o, f)->v[AT(pair_list, o, f)->n++];
            p->from = strdup(json_string_value(json_array_get(x, 0)));
            p->to = strdup(json_string_value(json_array_get(x, 1)));
        }
        return 0;
    case O_RULES:
        return set_rules(AT(regex_list, o, f), v);
    }
    return -1;
}

/* Every key of the JSON into o; a key the JSON lacks, or one this table lacks, is an error (so a
 * new engine option cannot slip past this runner). */
static int read_opts(const char *path, engine_opts *o)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        fprintf(stderr, "golden_engine: %s: %s\n", path, jerr.text);
        return -1;
    }
    int rc = 0;
    size_t seen = 0;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && rc == 0; i++) {
        const json_t *v = json_object_get(json_object_get(root, fields[i].section), fields[i].name);
        if (!v) {
            fprintf(stderr, "golden_engine: %s.%s missing\n", fields[i].section, fields[i].name);
            rc = -1;
        } else {
            rc = set_field(o, &fields[i], v);
            seen++;
        }
    }
    const char *sec;
    json_t *keys;
    size_t total = 0;
    json_object_foreach(root, sec, keys) total += json_object_size(keys);
    if (rc == 0 && total != seen) {
        fprintf(stderr, "golden_engine: %zu options in %s, this runner knows %zu\n", total, path,
                seen);
        rc = -1;
    }
    json_decref(root);
    return rc;
}

static void free_field(engine_opts *o, const opt_field *f)
{
    switch (f->type) {
    case O_STR:
        free(*AT(char *, o, f));
        break;
    case O_LIST:
        sv_free(AT(strvec, o, f));
        break;
    case O_MAP:
        for (size_t i = 0; i < AT(pair_list, o, f)->n; i++) {
            free(AT(pair_list, o, f)->v[i].from);
            free(AT(pair_list, o, f)->v[i].to);
        }
        free(AT(pair_list, o, f)->v);
        break;
    case O_RULES:
        regex_list_free(AT(regex_list, o, f));
        break;
    default:
        break;
    }
}

static void free_opts(engine_opts *o)
{
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        free_field(o, &fields[i]);
}

static int decide_file(const matcher *m, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    strbuf out;
    sb_init(&out);
    while ((len = getline(&line, &cap, f)) != -1) {
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)len)
            continue;
        decision d;
        matcher_decide_line(m, line, (size_t)len, lineno, &d);
        sb_reset(&out);
        decision_to_json(&d, &out);
        printf("%s\n", out.buf);
        decision_free(&d);
    }
    sb_free(&out);
    free(line);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: golden_engine ENGINE.json ACCOUNTS.csv LEADS.jsonl\n");
        return 2;
    }
    engine_opts opts;
    memset(&opts, 0, sizeof(opts));
    char err[512];
    int rc = 1;
    matcher *m = NULL;
    if (read_opts(argv[1], &opts) != 0)
        goto out;
    m = matcher_new(&opts, err, sizeof(err));
    if (!m || matcher_load_accounts_csv(m, argv[2], err, sizeof(err)) < 0)
        fprintf(stderr, "golden_engine: %s\n", err);
    else
        rc = decide_file(m, argv[3]) == 0 ? 0 : 1;
out:
    matcher_free(m);
    free_opts(&opts);
    return rc;
}
