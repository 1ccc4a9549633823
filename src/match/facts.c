/* facts.c - a lead's facts as the engine reads them (effective domains, free-mail, disposable,
 * junk company, the new account it would make): the one place they are derived. */
#include "evidence.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Letters and digits of the folded company ("Acme Widgets, Inc." -> "acmewidgetsinc"). */
static char *company_key(const char *company)
{
    char *f = norm_fold(company ? company : "");
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)f; *p; p++)
        if (isalnum(*p) || *p >= 0x80)
            f[k++] = (char)*p;
    f[k] = '\0';
    return f;
}

/* The account a lead with no match would make: on its corporate email domain, else its
 * website's domain, else its company's letters; none for a junk company without a domain. Its
 * domain (or NULL) and name into dom and name; returns its key (the domain, or the folded company
 * in *folded, which the caller frees), NULL for none. */
static const char *new_account_key(const lead_evidence *ev, const char **dom, const char **name,
                                   char **folded)
{
    const lead *l = ev->l;
    bool corporate = ev->email_reg && !ev->freemail && !ev->disposable;
    *dom = corporate ? ev->email_reg : ev->web_reg;
    *name = !ev->name.junk && l->company ? l->company : *dom;
    *folded = NULL;
    if (*dom)
        return *dom;
    if (ev->name.junk)
        return NULL;
    *folded = company_key(l->company);
    return (*folded)[0] ? *folded : NULL;
}

/* The facts' strings are copied into one allocation (out->strings): "new:<key>" first, then
 * each of the others that is set. */
void evidence_facts(lead_evidence *ev, lead_facts *out)
{
    memset(out, 0, sizeof(*out));
    out->freemail = ev->freemail;
    out->disposable = ev->disposable;
    out->company_junk = ev->name.junk;
    const char *dom, *name;
    char *folded;
    const char *key = new_account_key(ev, &dom, &name, &folded);
    const char *src[] = {ev->email_reg ? ev->email_addr : NULL, ev->email_reg, ev->web_reg,
                         ev->name_key, key ? dom : NULL, key ? name : NULL};
    char **dst[] = {&out->email, &out->email_domain, &out->web_domain, &out->name_key,
                    &out->new_account_domain, &out->new_account_name};
    size_t len[ARRAY_LEN(src)], nk = key ? strlen(key) + 1 : 0, need = nk ? 4 + nk : 0;
    for (size_t i = 0; i < ARRAY_LEN(src); i++)
        need += len[i] = src[i] ? strlen(src[i]) + 1 : 0;
    char *at = out->strings = need ? xmalloc(need) : NULL;
    if (nk) {
        out->new_account_id = memcpy(at, "new:", 4);
        memcpy(at + 4, key, nk);
        at += 4 + nk;
    }
    for (size_t i = 0; i < ARRAY_LEN(src); i++)
        if (len[i]) {
            *dst[i] = memcpy(at, src[i], len[i]);
            at += len[i];
        }
    free(folded);
}

void matcher_lead_facts(const matcher *m, const lead *l, lead_facts *out)
{
    lead_evidence ev;
    evidence_read_lead(m, l, &ev);
    evidence_facts(&ev, out);
    evidence_free(&ev);
}
