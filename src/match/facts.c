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

static char *prefixed(const char *prefix, const char *s)
{
    size_t np = strlen(prefix), ns = strlen(s);
    char *out = xmalloc(np + ns + 1);
    memcpy(out, prefix, np);
    memcpy(out + np, s, ns + 1);
    return out;
}

/* The account a lead with no match would make: on its corporate email domain, else its
 * website's domain, else its company's letters; none for a junk company without a domain. */
static void new_account_facts(const lead *l, lead_facts *f)
{
    bool corporate = f->email_domain && !f->freemail && !f->disposable;
    const char *dom = corporate ? f->email_domain : f->web_domain;
    if (dom) {
        f->new_account_id = prefixed("new:", dom);
        f->new_account_domain = xstrdup(dom);
    } else {
        char *key = company_key(l->company);
        if (!f->company_junk && key[0])
            f->new_account_id = prefixed("new:", key);
        free(key);
    }
    if (f->new_account_id)
        f->new_account_name = xstrdup(!f->company_junk && l->company ? l->company : dom);
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
