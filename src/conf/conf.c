/* conf.c - the configuration loader: YAML tree to struct conf by the key table, defaults,
 * validation and reload. */
#include "conf.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_keys.h"
#include "conf_yaml.h"
#include "netaddr.h"

#define keys conf_keys              /* the table (conf_keys.c) */
#define NKEYS conf_nkeys

/* Field of key k inside conf c, as a T. */
#define FIELD(T, c, k) ((T *)(void *)((char *)(c) + (k)->off))
#define CFIELD(T, c, k) ((const T *)(const void *)((const char *)(c) + (k)->off))

/* State of one load. where[i] borrows the YAML value that set keys[i] (NULL = default). */
typedef struct load_ctx {
    const char *file;
    char *err;
    size_t errlen;
    conf *c;
    const ynode *where[CONF_MAX_KEYS];
} load_ctx;

#define fail_at(lc, node, ...) conf_yaml_errorf((lc)->err, (lc)->errlen, (lc)->file, \
                                                (node)->line, (node)->col, __VA_ARGS__)

/* ---- per-type operations ---- */

static void pairs_free(pair_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].from);
        free(l->v[i].to);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void key_free(const conf_key *k, conf *c)
{
    switch (k->type) {
    case KT_STR:
    case KT_PATH:
        free(*FIELD(char *, c, k));
        *FIELD(char *, c, k) = NULL;
        break;
    case KT_LIST:
        sv_free(FIELD(strvec, c, k));
        break;
    case KT_MAP:
        pairs_free(FIELD(pair_list, c, k));
        break;
    case KT_RULES:
        regex_list_free(FIELD(regex_list, c, k));
        break;
    default:
        break;
    }
}

/* Sets the key's default. The field must hold nothing owned (fresh or after key_free). */
static void key_default(const conf_key *k, conf *c)
{
    switch (k->type) {
    case KT_STR:
    case KT_PATH:
        *FIELD(char *, c, k) = k->def_str ? xstrdup(k->def_str) : NULL;
        break;
    case KT_INT:
    case KT_ENUM:
        *FIELD(int, c, k) = (int)k->def;
        break;
    case KT_DOUBLE:
        *FIELD(double, c, k) = k->def;
        break;
    case KT_LIST:
        sv_init(FIELD(strvec, c, k));
        for (const char *const *d = k->def_list; d && *d; d++)
            sv_push(FIELD(strvec, c, k), *d);
        break;
    default:                        /* maps and rule lists start empty */
        break;
    }
}

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool list_eq(const strvec *a, const strvec *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0)
            return false;
    return true;
}

static bool pairs_eq(const pair_list *a, const pair_list *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!str_eq(a->v[i].from, b->v[i].from) || !str_eq(a->v[i].to, b->v[i].to))
            return false;
    return true;
}

static bool rules_eq(const regex_list *a, const regex_list *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!str_eq(a->v[i].pattern, b->v[i].pattern) || !str_eq(a->v[i].replace, b->v[i].replace))
            return false;
    return true;
}

static bool key_equal(const conf_key *k, const conf *a, const conf *b)
{
    switch (k->type) {
    case KT_STR:
    case KT_PATH:
        return str_eq(*CFIELD(char *, a, k), *CFIELD(char *, b, k));
    case KT_INT:
    case KT_ENUM:
        return *CFIELD(int, a, k) == *CFIELD(int, b, k);
    case KT_DOUBLE:
        return *CFIELD(double, a, k) == *CFIELD(double, b, k);
    case KT_LIST:
        return list_eq(CFIELD(strvec, a, k), CFIELD(strvec, b, k));
    case KT_MAP:
        return pairs_eq(CFIELD(pair_list, a, k), CFIELD(pair_list, b, k));
    case KT_RULES:
        return rules_eq(CFIELD(regex_list, a, k), CFIELD(regex_list, b, k));
    }
    return false;
}

/* ---- parsing one value ---- */

/* "a, b, c" from a NULL-terminated list (for messages). Caller frees. */
static char *join_names(const char *const *names)
{
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; names[i]; i++)
        sb_appendf(&sb, "%s%s", i ? ", " : "", names[i]);
    return sb_take(&sb);
}

static int parse_str(load_ctx *lc, const conf_key *k, const ynode *v)
{
    if (v->type != YN_SCALAR)
        return fail_at(lc, v, "expected a string for %s.%s", k->section, k->name);
    if (!*v->value)
        return fail_at(lc, v, "%s.%s must not be empty", k->section, k->name);
    char msg[300];
    if (k->check && k->check(v->value, msg, sizeof(msg)) != 0)
        return fail_at(lc, v, "%s.%s: %s", k->section, k->name, msg);
    *FIELD(char *, lc->c, k) = xstrdup(v->value);
    return 0;
}

static int parse_int(load_ctx *lc, const conf_key *k, const ynode *v)
{
    char *end = NULL;
    errno = 0;
    long long x = 0;
    if (k->duration) {
        if (v->type != YN_SCALAR || duration_ms_parse(v->value, &x) < 0)
            return fail_at(lc, v, "expected a duration for %s.%s (milliseconds, or e.g. 90s, 30m, "
                           "4h, 2d)", k->section, k->name);
    } else if (v->type != YN_SCALAR || !(x = strtoll(v->value, &end, 10), end != v->value) ||
               *end || errno == ERANGE) {
        return fail_at(lc, v, "expected an integer for %s.%s", k->section, k->name);
    }
    if ((double)x < k->min || (double)x > k->max)
        return fail_at(lc, v, "%s.%s must be between %.0f and %.0f (got %lld)", k->section,
                       k->name, k->min, k->max, x);
    *FIELD(int, lc->c, k) = (int)x;
    return 0;
}

static int parse_double(load_ctx *lc, const conf_key *k, const ynode *v)
{
    char *end = NULL;
    double x = v->type == YN_SCALAR ? strtod(v->value, &end) : 0;
    if (v->type != YN_SCALAR || end == v->value || *end || !isfinite(x))
        return fail_at(lc, v, "expected a number for %s.%s", k->section, k->name);
    if (x < k->min || x > k->max)
        return fail_at(lc, v, "%s.%s must be between %g and %g (got %s)", k->section, k->name,
                       k->min, k->max, v->value);
    *FIELD(double, lc->c, k) = x;
    return 0;
}

/* Index of s in the NULL-terminated names, or -1. */
static int name_index(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

static int bad_value(load_ctx *lc, const conf_key *k, const ynode *v)
{
    char *names = join_names(k->allowed);
    fail_at(lc, v, "bad value \"%s\" for %s.%s: expected one of %s", v->value, k->section,
            k->name, names);
    free(names);
    return -1;
}

static int parse_enum(load_ctx *lc, const conf_key *k, const ynode *v)
{
    if (v->type != YN_SCALAR)
        return fail_at(lc, v, "expected a string for %s.%s", k->section, k->name);
    int i = name_index(k->allowed, v->value);
    if (i < 0)
        return bad_value(lc, k, v);
    *FIELD(int, lc->c, k) = i;
    return 0;
}

static int parse_list(load_ctx *lc, const conf_key *k, const ynode *v)
{
    strvec *sv = FIELD(strvec, lc->c, k);
    sv_init(sv);
    if (v->type != YN_SEQ)
        return fail_at(lc, v, "expected a list of strings for %s.%s", k->section, k->name);
    for (size_t i = 0; i < v->n; i++) {
        const ynode *item = v->kids[i];
        if (item->type != YN_SCALAR || item->null)
            return fail_at(lc, item, "expected a list of strings for %s.%s", k->section,
                           k->name);
        if (!*item->value)
            return fail_at(lc, item, "empty string in %s.%s", k->section, k->name);
        if (k->allowed && name_index(k->allowed, item->value) < 0)
            return bad_value(lc, k, item);
        if (k->allowed && sv_contains(sv, item->value))
            return fail_at(lc, item, "\"%s\" appears twice in %s.%s", item->value, k->section,
                           k->name);
        sv_push(sv, item->value);
    }
    return 0;
}

static int parse_map(load_ctx *lc, const conf_key *k, const ynode *v)
{
    pair_list *l = FIELD(pair_list, lc->c, k);
    if (v->type != YN_MAP)
        return fail_at(lc, v, "expected a map of strings to strings for %s.%s", k->section,
                       k->name);
    l->v = xcalloc(v->n / 2 + 1, sizeof(*l->v));
    for (size_t i = 0; i + 1 < v->n; i += 2) {
        const ynode *key = v->kids[i], *val = v->kids[i + 1];
        if (!*key->value)
            return fail_at(lc, key, "empty key in %s.%s", k->section, k->name);
        if (val->type != YN_SCALAR || val->null)
            return fail_at(lc, val, "expected a map of strings to strings for %s.%s",
                           k->section, k->name);
        l->v[l->n].from = xstrdup(key->value);
        l->v[l->n].to = xstrdup(val->value);
        l->n++;
    }
    return 0;
}

/* Reads the pattern and replace scalars of one rule mapping into *pat and *rep (borrowed). */
static int rule_fields(load_ctx *lc, const conf_key *k, size_t idx, const ynode *item,
                       const ynode **pat, const ynode **rep)
{
    *pat = *rep = NULL;
    if (item->type != YN_MAP)
        return fail_at(lc, item, "expected a list of {pattern, replace} mappings for %s.%s",
                       k->section, k->name);
    for (size_t i = 0; i + 1 < item->n; i += 2) {
        const ynode *key = item->kids[i], *val = item->kids[i + 1];
        const ynode **slot = !strcmp(key->value, "pattern")   ? pat
                             : (!strcmp(key->value, "replace") || !strcmp(key->value, "role")) ? rep
                                                              : NULL;
        if (!slot)
            return fail_at(lc, key, "unknown key \"%s\" in %s.%s[%zu] (expected pattern, "
                           "replace)", key->value, k->section, k->name, idx);
        if (val->type != YN_SCALAR || (val->null && slot == pat))
            return fail_at(lc, val, "expected a string for %s.%s[%zu].%s", k->section,
                           k->name, idx, key->value);
        *slot = val;
    }
    if (!*pat || !*rep)
        return fail_at(lc, item, "%s.%s[%zu] needs both \"pattern\" and \"replace\"",
                       k->section, k->name, idx);
    return 0;
}

static int parse_rules(load_ctx *lc, const conf_key *k, const ynode *v)
{
    regex_list *l = FIELD(regex_list, lc->c, k);
    if (v->type != YN_SEQ)
        return fail_at(lc, v, "expected a list of {pattern, replace} mappings for %s.%s",
                       k->section, k->name);
    l->v = xcalloc(v->n + 1, sizeof(*l->v));
    for (size_t i = 0; i < v->n; i++) {
        const ynode *pat, *rep;
        char msg[256];
        size_t off = 0;
        if (rule_fields(lc, k, i, v->kids[i], &pat, &rep) < 0)
            return -1;
        const char *replace = rep->null ? "" : rep->value;
        if (regex_rule_init(&l->v[l->n], pat->value, replace, msg, sizeof(msg), &off) < 0)
            return fail_at(lc, pat, "bad regex in %s.%s[%zu]: %s at offset %zu of the pattern",
                           k->section, k->name, i, msg, off);
        l->n++;
        if (regex_rule_check_replace(&l->v[l->n - 1], msg, sizeof(msg), &off) < 0)
            return fail_at(lc, rep, "bad replacement in %s.%s[%zu]: %s (at offset %zu)",
                           k->section, k->name, i, msg, off);
    }
    return 0;
}

/* Replaces the key's value in lc->c with the YAML value v (null = the default). */
static int parse_key(load_ctx *lc, const conf_key *k, const ynode *v)
{
    key_free(k, lc->c);
    if (v->type == YN_SCALAR && v->null) {
        key_default(k, lc->c);
        return 0;
    }
    switch (k->type) {
    case KT_STR:
    case KT_PATH:
        return parse_str(lc, k, v);
    case KT_INT:
        return parse_int(lc, k, v);
    case KT_DOUBLE:
        return parse_double(lc, k, v);
    case KT_ENUM:
        return parse_enum(lc, k, v);
    case KT_LIST:
        return parse_list(lc, k, v);
    case KT_MAP:
        return parse_map(lc, k, v);
    case KT_RULES:
        return parse_rules(lc, k, v);
    }
    return -1;
}

/* ---- walking the tree with the table ---- */

/* Index of section.name in the table (name NULL: first key of the section), or -1. */
static long find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (!strcmp(keys[i].section, section) && (!name || !strcmp(keys[i].name, name)))
            return (long)i;
    return -1;
}

/* Valid names for messages: the keys of section, or every section when section is NULL. */
static char *valid_names(const char *section)
{
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < NKEYS; i++) {
        if (section ? strcmp(keys[i].section, section) != 0
                    : (long)i != find_key(keys[i].section, NULL))
            continue;
        sb_appendf(&sb, "%s%s", sb.len ? ", " : "", section ? keys[i].name : keys[i].section);
    }
    return sb_take(&sb);
}

static int unknown_key(load_ctx *lc, const ynode *key, const char *section)
{
    char *names = valid_names(section);
    if (section)
        fail_at(lc, key, "unknown key \"%s\" in section \"%s\" (valid keys: %s)", key->value,
                section, names);
    else
        fail_at(lc, key, "unknown key \"%s\" at top level (valid sections: %s)", key->value,
                names);
    free(names);
    return -1;
}

static int walk_section(load_ctx *lc, const char *section, const ynode *m)
{
    if (m->type == YN_SCALAR && m->null)
        return 0;                   /* "section:" with nothing under it = defaults */
    if (m->type != YN_MAP)
        return fail_at(lc, m, "expected a mapping for section \"%s\"", section);
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        long idx = find_key(section, m->kids[i]->value);
        if (idx < 0)
            return unknown_key(lc, m->kids[i], section);
        lc->where[idx] = m->kids[i + 1];
        if (parse_key(lc, &keys[idx], m->kids[i + 1]) < 0)
            return -1;
    }
    return 0;
}

static int walk_root(load_ctx *lc, const ynode *root)
{
    if (!root || (root->type == YN_SCALAR && root->null))
        return 0;                   /* empty file = defaults */
    if (root->type != YN_MAP)
        return fail_at(lc, root, "expected a mapping of sections at the top level");
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const ynode *key = root->kids[i];
        if (find_key(key->value, NULL) < 0)
            return unknown_key(lc, key, NULL);
        if (walk_section(lc, key->value, root->kids[i + 1]) < 0)
            return -1;
    }
    return 0;
}

/* ---- rules across keys ---- */

/* Fails when lo > hi; points at whichever of the two keys the file set (lo first). */
static int check_le(load_ctx *lc, const char *section, const char *lo_name, double lo,
                    const char *hi_name, double hi)
{
    if (lo <= hi)
        return 0;
    const ynode *at = lc->where[find_key(section, lo_name)];
    if (!at)
        at = lc->where[find_key(section, hi_name)];
    ynode top = {.line = 1, .col = 1};
    return fail_at(lc, at ? at : &top, "%s.%s (%g) must not be greater than %s.%s (%g)",
                   section, lo_name, lo, section, hi_name, hi);
}

/* Fails when a stage named by key `name` is not one of opportunities.stages. */
static int check_stage(load_ctx *lc, const char *name, const char *stage)
{
    if (sv_contains(&lc->c->eng.opp_stages, stage))
        return 0;
    const ynode *at = lc->where[find_key("opportunities", name)];
    if (!at)
        at = lc->where[find_key("opportunities", "stages")];
    ynode top = {.line = 1, .col = 1};
    return fail_at(lc, at ? at : &top, "opportunities.%s: \"%s\" is not one of opportunities.stages",
                   name, stage);
}

static int check_stages(load_ctx *lc)
{
    const conf *c = lc->c;
    if (check_stage(lc, "first_stage", c->eng.opp_first_stage) < 0)
        return -1;
    for (size_t i = 0; i < c->eng.opp_marketing_stages.n; i++)
        if (check_stage(lc, "marketing_stages", c->eng.opp_marketing_stages.v[i]) < 0)
            return -1;
    return 0;
}

/* The YAML value that set section.name, NULL when the key is absent or null (its default). */
static const ynode *given(const load_ctx *lc, const char *section, const char *name)
{
    const ynode *v = lc->where[find_key(section, name)];
    return v && !(v->type == YN_SCALAR && v->null) ? v : NULL;
}

/* Sentinel mode: every sentinel is host:port, a master name goes with it, and redis.url is not set
 * beside it (which of the two would win is a guess the file should not leave to us). */
static int check_sentinels(load_ctx *lc)
{
    const conf *c = lc->c;
    const ynode *list = given(lc, "redis", "sentinels");
    const ynode *name = given(lc, "redis", "master_name");
    const ynode *url = given(lc, "redis", "url");
    char msg[256];
    if (!list || !c->redis_sentinels.n) {
        if (name)
            return fail_at(lc, name, "redis.master_name needs redis.sentinels");
        return 0;
    }
    for (size_t i = 0; i < list->n; i++)
        if (listen_addr_check(list->kids[i]->value, msg, sizeof(msg)) != 0 ||
            !*list->kids[i]->value || list->kids[i]->value[0] == ':')
            return fail_at(lc, list->kids[i], "redis.sentinels: '%s': expected host:port",
                           list->kids[i]->value);
    if (url)
        return fail_at(lc, url, "redis.url and redis.sentinels exclude each other: with sentinels "
                       "the master's address is asked of them (remove redis.url or set it to ~)");
    if (!name)
        return fail_at(lc, list, "redis.sentinels needs redis.master_name");
    return 0;
}

static int check_cross(load_ctx *lc)
{
    const conf *c = lc->c;
    if (check_stages(lc) < 0 || check_sentinels(lc) < 0)
        return -1;
    if (check_le(lc, "thresholds", "review", c->eng.t_review, "match", c->eng.t_match) < 0 ||
        check_le(lc, "thresholds", "match", c->eng.t_match, "match_freemail", c->eng.t_match_freemail) < 0 ||
        check_le(lc, "daemon", "max_field_bytes", c->max_field_bytes, "max_entry_bytes",
                 c->max_entry_bytes) < 0)
        return -1;
    return 0;
}

/* ---- public ---- */

void conf_defaults(conf *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < NKEYS; i++)
        key_default(&keys[i], out);
}

void conf_free(conf *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < NKEYS; i++)
        key_free(&keys[i], c);
    free(c->path);
    free(c->key_line);
    free(c->key_col);
    memset(c, 0, sizeof(*c));
}

char *conf_resolve_path(const conf *c, const char *p)
{
    if (!p)
        return NULL;
    const char *slash = c && c->path ? strrchr(c->path, '/') : NULL;
    if (p[0] == '/' || !slash)
        return xstrdup(p);
    strbuf sb;
    sb_init(&sb);
    sb_appendf(&sb, "%.*s/%s", (int)(slash - c->path), c->path, p);
    return sb_take(&sb);
}

/* Replaces every KT_PATH value by its resolution against c->path. */
static void resolve_paths(conf *c)
{
    for (size_t i = 0; i < NKEYS; i++) {
        char **p = FIELD(char *, c, &keys[i]);
        if (keys[i].type != KT_PATH || !*p)
            continue;
        char *abs = conf_resolve_path(c, *p);
        free(*p);
        *p = abs;
    }
}

/* Remembers where each key was set, for messages after the load (reload refusals). */
static void keep_locations(const load_ctx *lc, conf *c)
{
    c->key_line = xcalloc(NKEYS, sizeof(*c->key_line));
    c->key_col = xcalloc(NKEYS, sizeof(*c->key_col));
    for (size_t i = 0; i < NKEYS; i++) {
        if (!lc->where[i])
            continue;
        c->key_line[i] = (unsigned)lc->where[i]->line;
        c->key_col[i] = (unsigned)lc->where[i]->col;
    }
}

int conf_load(const char *path, conf *out, char *err, size_t errlen)
{
    conf c;
    load_ctx lc = {.file = path, .err = err, .errlen = errlen, .c = &c};
    ynode *root = NULL;
    size_t len = 0;
    int rc = -1;
    conf_defaults(&c);
    memset(out, 0, sizeof(*out));
    char *text = read_file(path, &len);                 /* owned, freed below */
    if (!text) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        goto fail;
    }
    if (conf_yaml_parse(path, text, len, &root, err, errlen) < 0)
        goto fail;
    if (walk_root(&lc, root) < 0 || check_cross(&lc) < 0)
        goto fail;
    c.path = path_absolute(path);
    resolve_paths(&c);
    keep_locations(&lc, &c);
    *out = c;
    memset(&c, 0, sizeof(c));
    rc = 0;
fail:
    conf_free(&c);
    conf_yaml_free(root);
    free(text);
    return rc;
}

bool conf_reload_compatible(const conf *old_c, const conf *new_c, char *err, size_t errlen)
{
    for (size_t i = 0; i < NKEYS; i++) {
        const conf_key *k = &keys[i];
        if (k->reloadable || key_equal(k, old_c, new_c))
            continue;
        const char *file = new_c->path ? new_c->path : "config";
        if (new_c->key_line && new_c->key_line[i])
            snprintf(err, errlen, "%s:%u:%u: %s.%s cannot change on reload; restart l2ad to apply it",
                     file, new_c->key_line[i], new_c->key_col[i], k->section, k->name);
        else
            snprintf(err, errlen, "%s: %s.%s (now its default) cannot change on reload; restart "
                     "l2ad to apply it", file, k->section, k->name);
        return false;
    }
    return true;
}

int conf_check_files(const conf *c, char *err, size_t errlen)
{
    for (size_t i = 0; i < NKEYS; i++) {
        const char *file = keys[i].type == KT_PATH ? *CFIELD(char *, c, &keys[i]) : NULL;
        char msg[512];
        if (!file || file_check_readable(file, msg, sizeof(msg)) == 0)
            continue;
        bool set = c->key_line && c->key_line[i];
        snprintf(err, errlen, "%s:%u:%u: %s.%s%s: cannot read %s", c->path ? c->path : "config",
                 set ? c->key_line[i] : 1, set ? c->key_col[i] : 1, keys[i].section,
                 keys[i].name, set ? "" : " (default)", msg);
        return -1;
    }
    return 0;
}

bool conf_key_reloadable(const char *section, const char *name)
{
    long i = find_key(section, name);
    return i >= 0 && keys[i].reloadable;
}

/* ---- the engine's options as JSON (for tools that link the engine alone) ---- */

static bool engine_key(const conf_key *k)
{
    return k->off >= offsetof(conf, eng) && k->off < offsetof(conf, eng) + sizeof(engine_opts);
}

static json_t *key_json(const conf_key *k, const conf *c)
{
    json_t *a;
    switch (k->type) {
    case KT_STR:
    case KT_PATH:
        return *CFIELD(char *, c, k) ? json_string(*CFIELD(char *, c, k)) : json_null();
    case KT_INT:
        return json_integer(*CFIELD(int, c, k));
    case KT_ENUM:
        return json_string(k->allowed[*CFIELD(int, c, k)]);
    case KT_DOUBLE:
        return json_real(*CFIELD(double, c, k));
    case KT_LIST:
        a = json_array();
        for (size_t i = 0; i < CFIELD(strvec, c, k)->n; i++)
            json_array_append_new(a, json_string(CFIELD(strvec, c, k)->v[i]));
        return a;
    case KT_MAP:
        a = json_array();      /* pairs in order: [[from, to], ...] */
        for (size_t i = 0; i < CFIELD(pair_list, c, k)->n; i++)
            json_array_append_new(a, json_pack("[ss]", CFIELD(pair_list, c, k)->v[i].from,
                                               CFIELD(pair_list, c, k)->v[i].to));
        return a;
    case KT_RULES:
        a = json_array();
        for (size_t i = 0; i < CFIELD(regex_list, c, k)->n; i++)
            json_array_append_new(a, json_pack("{ssss}", "pattern",
                                               CFIELD(regex_list, c, k)->v[i].pattern, "replace",
                                               CFIELD(regex_list, c, k)->v[i].replace));
        return a;
    }
    return json_null();
}

char *conf_engine_json(const conf *c)
{
    json_t *root = json_object();
    for (size_t i = 0; i < NKEYS; i++) {
        const conf_key *k = &keys[i];
        if (!engine_key(k))
            continue;
        json_t *sec = json_object_get(root, k->section);
        if (!sec) {
            sec = json_object();
            json_object_set_new(root, k->section, sec);
        }
        json_object_set_new(sec, k->name, key_json(k, c));
    }
    char *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(root);
    return out;
}
