/* matcher.c - building the matching engine from config: word lists, domain lists, account loading. */
#include "matcher.h"

#include <stdio.h>
#include <string.h>

static int load_domain_list(domain_set **out, const conf *cfg, const char *file,
                            const strvec *add, const strvec *remove, char *err, size_t errlen)
{
    *out = domain_set_new();
    if (file && *file) {
        char *path = conf_resolve_path(cfg, file);
        int rc = domain_set_load(*out, path, err, errlen);
        free(path);
        if (rc != 0)
            return -1;
    }
    for (size_t i = 0; i < add->n; i++)
        domain_set_add(*out, add->v[i]);
    for (size_t i = 0; i < remove->n; i++)
        domain_set_remove(*out, remove->v[i]);
    return 0;
}

static int build_rules(matcher *m, char *err, size_t errlen)
{
    const conf *c = m->cfg;
    m->rules = norm_rules_new();
    if (c->legal_forms_file && *c->legal_forms_file) {
        char *path = conf_resolve_path(c, c->legal_forms_file);
        int rc = norm_rules_load_legal_forms(m->rules, path, err, errlen);
        free(path);
        if (rc != 0)
            return -1;
    }
    for (size_t i = 0; i < c->extra_legal_forms.n; i++)
        norm_rules_add_legal_form(m->rules, c->extra_legal_forms.v[i]);
    for (size_t i = 0; i < c->abbreviations.n; i++)
        norm_rules_add_abbrev(m->rules, c->abbreviations.v[i].from, c->abbreviations.v[i].to);
    for (size_t i = 0; i < c->stop_words.n; i++)
        norm_rules_add_stopword(m->rules, c->stop_words.v[i]);
    for (size_t i = 0; i < c->qualifiers.n; i++)
        norm_rules_add_qualifier(m->rules, c->qualifiers.v[i]);
    for (size_t i = 0; i < c->junk.n; i++)
        norm_rules_add_junk(m->rules, c->junk.v[i]);
    return 0;
}

int matcher_init(matcher *m, const conf *cfg, char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    m->cfg = cfg;
    m->sp.typo = cfg->w_typo;
    m->sp.prefix = cfg->w_prefix;
    if (build_rules(m, err, errlen) != 0)
        goto fail;
    if (load_domain_list(&m->freemail, cfg, cfg->freemail_file, &cfg->freemail_add,
                         &cfg->freemail_remove, err, errlen) != 0)
        goto fail;
    if (load_domain_list(&m->disposable, cfg, cfg->disposable_file, &cfg->disposable_add,
                         &cfg->disposable_remove, err, errlen) != 0)
        goto fail;
    index_init(&m->ix, m->rules, &cfg->label_prefixes, &cfg->label_suffixes);
    m->scratch = match_scratch_new();
    return 0;
fail:
    norm_rules_free(m->rules);
    domain_set_free(m->freemail);
    domain_set_free(m->disposable);
    memset(m, 0, sizeof(*m));
    return -1;
}

void matcher_free(matcher *m)
{
    if (!m->rules)
        return;
    index_free(&m->ix);
    match_scratch_free(m->scratch);
    norm_rules_free(m->rules);
    domain_set_free(m->freemail);
    domain_set_free(m->disposable);
    memset(m, 0, sizeof(*m));
}

static void add_account(account_rec *a, void *ctx)
{
    matcher *m = ctx;
    (void)index_upsert(&m->ix, a);
    account_rec_free(a);
}

static void warn_account(const char *msg, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "<4>l2a: %s\n", msg);
}

long matcher_load_accounts_csv(matcher *m, const char *path, char *err, size_t errlen)
{
    return accounts_read_csv(path, add_account, warn_account, m, err, errlen);
}
