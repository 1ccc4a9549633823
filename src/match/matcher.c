/* matcher.c - the engine's lifecycle and account index access: word lists, domain lists, account
 * loading, upserts and copies (engine.h). */
#include "matcher_impl.h"

#include <stdio.h>
#include <string.h>

static int load_domain_list(domain_set **out, const char *file, const strvec *add,
                            const strvec *remove, char *err, size_t errlen)
{
    *out = domain_set_new();
    if (file && *file && domain_set_load(*out, file, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < add->n; i++)
        domain_set_add(*out, add->v[i]);
    for (size_t i = 0; i < remove->n; i++)
        domain_set_remove(*out, remove->v[i]);
    return 0;
}

static int build_rules(matcher *m, char *err, size_t errlen)
{
    const engine_opts *c = m->cfg;
    m->rules = norm_rules_new();
    if (c->legal_forms_file && *c->legal_forms_file &&
        norm_rules_load_legal_forms(m->rules, c->legal_forms_file, err, errlen) != 0)
        return -1;
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

int matcher_init(matcher *m, const engine_opts *cfg, char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    m->cfg = cfg;
    m->sp.typo = cfg->w_typo;
    m->sp.prefix = cfg->w_prefix;
    if (build_rules(m, err, errlen) != 0)
        goto fail;
    if (load_domain_list(&m->freemail, cfg->freemail_file, &cfg->freemail_add,
                         &cfg->freemail_remove, err, errlen) != 0)
        goto fail;
    if (load_domain_list(&m->disposable, cfg->disposable_file, &cfg->disposable_add,
                         &cfg->disposable_remove, err, errlen) != 0)
        goto fail;
    index_init(&m->ix, m->rules, &cfg->label_prefixes, &cfg->label_suffixes);
    m->id = matcher_new_id();
    m->learned = learned_new();
    return 0;
fail:
    norm_rules_free(m->rules);
    domain_set_free(m->freemail);
    domain_set_free(m->disposable);
    memset(m, 0, sizeof(*m));
    return -1;
}

void matcher_release(matcher *m)
{
    if (!m->rules)
        return;
    index_free(&m->ix);
    learned_free(m->learned);
    if (matcher_thread_mem.matcher_id == m->id)
        matcher_thread_end();
    norm_rules_free(m->rules);
    domain_set_free(m->freemail);
    domain_set_free(m->disposable);
    memset(m, 0, sizeof(*m));
}

matcher *matcher_new(const engine_opts *opts, char *err, size_t errlen)
{
    matcher *m = xcalloc(1, sizeof(*m));
    if (matcher_init(m, opts, err, errlen) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

void matcher_free(matcher *m)
{
    if (!m)
        return;
    matcher_release(m);
    free(m);
}

const engine_opts *matcher_opts(const matcher *m)
{
    return m->cfg;
}

bool matcher_upsert_account(matcher *m, const account_rec *a)
{
    if (!a->id || !a->name)
        return false;
    (void)index_upsert(&m->ix, a);
    return true;
}

bool matcher_delete_account(matcher *m, const char *id)
{
    return index_delete(&m->ix, id);
}

bool matcher_has_account(const matcher *m, const char *id)
{
    return index_find(&m->ix, id) >= 0;
}

size_t matcher_accounts(const matcher *m)
{
    return m->ix.live;
}

bool matcher_account_target(const matcher *m, const char *id, outcome_account *out)
{
    long slot = id ? index_find(&m->ix, id) : -1;
    if (slot < 0)
        return false;
    const account *a = &m->ix.acc[slot];
    *out = (outcome_account){a->id, a->type, a->owner_id};
    return true;
}

bool matcher_learn(matcher *m, const learned_fact *f)
{
    return learned_put(m->learned, f);
}

bool matcher_unlearn(matcher *m, const learned_fact *f)
{
    return learned_del(m->learned, f);
}

size_t matcher_learned(const matcher *m)
{
    return learned_count(m->learned);
}

learned_fact matcher_learned_fact(const matcher *m, size_t i)
{
    return learned_get(m->learned, i);
}

void matcher_copy_learned(matcher *to, const matcher *from)
{
    for (size_t i = 0; i < learned_count(from->learned); i++) {
        learned_fact f = learned_get(from->learned, i);
        (void)learned_put(to->learned, &f);
    }
}
