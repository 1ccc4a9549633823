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

/* "new:<key>", then the new account's domain (dom, or none) and its name, in one allocation:
 * new_account_id owns it, the other two point into it. */
static void new_account_strings(lead_facts *f, const char *key, const char *dom, const char *name)
{
    size_t nk = strlen(key), nd = dom ? strlen(dom) + 1 : 0, nn = strlen(name) + 1;
    char *p = xmalloc(4 + nk + 1 + nd + nn);
    f->new_account_id = p;
    memcpy(p, "new:", 4);
    memcpy(p + 4, key, nk + 1);
    p += 4 + nk + 1;
    if (dom) {
        f->new_account_domain = memcpy(p, dom, nd);
        p += nd;
    }
    f->new_account_name = memcpy(p, name, nn);
}

/* The account a lead with no match would make: on its corporate email domain, else its
 * website's domain, else its company's letters; none for a junk company without a domain. */
static void new_account_facts(const lead *l, lead_facts *f)
{
    bool corporate = f->email_domain && !f->freemail && !f->disposable;
    const char *dom = corporate ? f->email_domain : f->web_domain;
    const char *name = !f->company_junk && l->company ? l->company : dom;
    if (dom) {
        new_account_strings(f, dom, dom, name);
    } else if (!f->company_junk) {
        char *key = company_key(l->company);
        if (key[0])
            new_account_strings(f, key, NULL, name);
        free(key);
    }
}

void evidence_facts(lead_evidence *ev, lead_facts *out)
{
    memset(out, 0, sizeof(*out));
    if (ev->email_reg) {
        out->email_domain = str_take(&ev->email_reg);
        out->email = str_take(&ev->email_addr);
    }
    out->web_domain = str_take(&ev->web_reg);
    out->freemail = ev->freemail;
    out->disposable = ev->disposable;
    out->company_junk = ev->name.junk;
    out->name_key = str_take(&ev->name_key);
    new_account_facts(ev->l, out);
}

void matcher_lead_facts(const matcher *m, const lead *l, lead_facts *out)
{
    lead_evidence ev;
    evidence_read_lead(m, l, &ev);
    evidence_facts(&ev, out);
    evidence_free(&ev);
}
