/* learned_yaml.c - writing learned facts as sorted YAML and reading them back, checked, with the
 * position of every error (conf_yaml.c's tree). */
#include "learned_yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_yaml.h"

/* ---- writing ---- */

static int str_cmp(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int fact_cmp(const void *pa, const void *pb)
{
    const learned_fact *a = pa, *b = pb;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = str_cmp(a->name, b->name);
    if (!c)
        c = str_cmp(a->domain, b->domain);
    return c ? c : str_cmp(a->account_id, b->account_id);
}

static int domain_cmp(const void *pa, const void *pb)
{
    const learned_domain *a = pa, *b = pb;
    return str_cmp(a->domain, b->domain);
}

/* "    key: "value"\n" (JSON string escapes are YAML double-quoted escapes), when value is set. */
static void put_field(strbuf *out, bool first, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    sb_appendf(out, "%s%s: ", first ? "  - " : "    ", key);
    sb_append_json_str(out, value);
    sb_putc(out, '\n');
}

void learned_yaml_write(learned_fact *facts, size_t n, learned_domain *domains, size_t nd,
                        strbuf *out)
{
    qsort(facts, n, sizeof(*facts), fact_cmp);
    qsort(domains, nd, sizeof(*domains), domain_cmp);
    sb_append(out, "# Facts l2a learned from review decisions (l2a learned export; docs/learning.md).\n"
                   "# always: the company (as the engine normalises it) at that corporate email\n"
                   "# domain is that account; never: that account is not the company's (for leads\n"
                   "# from that domain; without a domain: for leads without a corporate one).\n");
    sb_append(out, n ? "facts:\n" : "facts: []\n");
    for (size_t i = 0; i < n; i++) {
        const learned_fact *f = &facts[i];
        put_field(out, true, "kind", learned_kind_name(f->kind));
        put_field(out, false, "name", f->name);
        put_field(out, false, "domain", f->domain);
        put_field(out, false, "account_id", f->account_id);
        put_field(out, false, "by", f->by);
        put_field(out, false, "at", f->at);
        put_field(out, false, "lead_id", f->lead_id);
    }
    if (!nd)
        return;
    sb_append(out, "# Domains accounts learned from contacts (learning.domains_from_contacts):\n"
                   "# shown for review; import leaves them (l2a learned forget domain DOMAIN).\n"
                   "domains:\n");
    for (size_t i = 0; i < nd; i++) {
        put_field(out, true, "domain", domains[i].domain);
        put_field(out, false, "account_id", domains[i].account_id);
        put_field(out, false, "lead_id", domains[i].lead_id);
        put_field(out, false, "at", domains[i].at);
    }
}

/* ---- reading ---- */

typedef struct reader {
    const char *file;
    char *err;
    size_t errlen;
} reader;

#define fail_at(r, node, ...) \
    conf_yaml_errorf((r)->err, (r)->errlen, (r)->file, (node)->line, (node)->col, __VA_ARGS__)

/* One key/value pair of a fact mapping into f. 0 or -1. */
static int read_pair(const reader *r, const ynode *key, const ynode *val, learned_fact *f,
                     bool *has_kind)
{
    size_t k = 0;
    while (k < LEARNED_NFIELDS && strcmp(key->value, learned_field_names[k]) != 0)
        k++;
    if (k == LEARNED_NFIELDS)
        return fail_at(r, key, "unknown key '%s' (kind, name, domain, account_id, by, at, "
                               "lead_id)", key->value);
    if (val->type != YN_SCALAR || val->null || !val->value[0])
        return fail_at(r, val, "%s: expected a non-empty text", key->value);
    if (strchr(val->value, '\t'))
        return fail_at(r, val, "%s: a tab is not allowed", key->value);
    if (k > 0) {
        *learned_fact_field(f, k) = val->value;
        return 0;
    }
    if (learned_kind_parse(val->value, &f->kind) != 0)
        return fail_at(r, val, "kind: '%s' is not always or never", val->value);
    *has_kind = true;
    return 0;
}

static int read_fact(const reader *r, const ynode *m, learned_fact *f)
{
    memset(f, 0, sizeof(*f));
    if (m->type != YN_MAP)
        return fail_at(r, m, "a fact must be a mapping (kind, name, ...)");
    bool has_kind = false;
    for (size_t i = 0; i + 1 < m->n; i += 2)
        if (read_pair(r, m->kids[i], m->kids[i + 1], f, &has_kind) != 0)
            return -1;
    const char *missing = !has_kind ? "kind" : !f->name ? "name" : !f->account_id ? "account_id"
                          : f->kind == LEARNED_ALWAYS && !f->domain ? "domain" : NULL;
    if (missing)
        return fail_at(r, m, "this %s fact has no %s", has_kind ? learned_kind_name(f->kind)
                                                                 : "", missing);
    return 0;
}

static int read_root(const reader *r, const ynode *root, learned_file *out)
{
    if (!root || root->type != YN_MAP)
        return conf_yaml_errorf(r->err, r->errlen, r->file, root ? root->line : 1,
                                root ? root->col : 1, "expected a mapping with facts:");
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const char *k = root->kids[i]->value;
        if (strcmp(k, "facts") != 0 && strcmp(k, "domains") != 0)
            return fail_at(r, root->kids[i], "unknown key '%s' (facts, domains)", k);
    }
    const ynode *facts = conf_yaml_get(root, "facts");
    if (!facts)
        return fail_at(r, root, "no facts: list");
    if (facts->type != YN_SEQ && !(facts->type == YN_SCALAR && facts->null))
        return fail_at(r, facts, "facts: expected a list");
    size_t n = facts->type == YN_SEQ ? facts->n : 0;
    out->facts = xcalloc(n + 1, sizeof(*out->facts));
    out->line = xcalloc(n + 1, sizeof(size_t));
    out->col = xcalloc(n + 1, sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        if (read_fact(r, facts->kids[i], &out->facts[i]) != 0)
            return -1;
        out->line[i] = facts->kids[i]->line;
        out->col[i] = facts->kids[i]->col;
        out->n++;
    }
    return 0;
}

int learned_yaml_load(const char *path, learned_file *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    reader r = {path, err, errlen};
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        err_set(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    int rc = conf_yaml_parse(path, text, len, &out->tree, err, errlen);
    free(text);
    if (rc == 0)
        rc = read_root(&r, out->tree, out);
    if (rc != 0)
        learned_file_free(out);
    return rc;
}

void learned_file_free(learned_file *f)
{
    free(f->facts);
    free(f->line);
    free(f->col);
    conf_yaml_free(f->tree);
    memset(f, 0, sizeof(*f));
}
