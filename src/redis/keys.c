/* keys.c - Redis key names from the configured prefix. */
#include "keys.h"

#include <string.h>

#include "util.h"

#define ACCOUNT_KEY "account:" /* an account hash: prefix, this, its id */

static char *join(const char *prefix, const char *suffix, const char *id)
{
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, prefix);
    sb_append(&sb, suffix);
    if (id)
        sb_append(&sb, id);
    return sb_take(&sb);
}

char *key_leads(const char *prefix)
{
    return join(prefix, "leads", NULL);
}

char *key_dead(const char *prefix)
{
    return join(prefix, "leads:dead", NULL);
}

char *key_lead(const char *prefix, const char *lead_id)
{
    return join(prefix, "lead:", lead_id);
}

char *key_account(const char *prefix, const char *account_id)
{
    return join(prefix, ACCOUNT_KEY, account_id);
}

/* Room made once and the three parts copied in: an import appends a key for every account. */
void key_account_append(strbuf *sb, const char *prefix, const char *account_id)
{
    size_t np = strlen(prefix), nk = sizeof(ACCOUNT_KEY) - 1, ni = strlen(account_id) + 1;
    sb_reserve(sb, np + nk + ni);
    char *p = sb->buf + sb->len;
    memcpy(p, prefix, np);
    memcpy(p + np, ACCOUNT_KEY, nk);
    memcpy(p + np + nk, account_id, ni); /* its NUL too */
    sb->len += np + nk + ni;
    sb->buf[sb->len] = '\0';
}

size_t key_account_id_at(const char *prefix)
{
    return strlen(prefix) + sizeof(ACCOUNT_KEY) - 1;
}

char *key_accounts(const char *prefix)
{
    return join(prefix, "accounts", NULL);
}

char *key_changes(const char *prefix)
{
    return join(prefix, "accounts:changes", NULL);
}

char *key_account_digests(const char *prefix)
{
    return join(prefix, "accounts:digests", NULL);
}

char *key_snapshot(const char *prefix)
{
    return join(prefix, "accounts:snapshot", NULL);
}

char *key_snapshot_lock(const char *prefix)
{
    return join(prefix, "accounts:snapshot:lock", NULL);
}

char *key_snapshot_seq(const char *prefix)
{
    return join(prefix, "accounts:snapshot:seq", NULL);
}

char *key_snapshot_chunk(const char *prefix, const char *gen_chunk)
{
    return join(prefix, "accounts:snapshot:", gen_chunk);
}

char *key_events(const char *prefix)
{
    return join(prefix, "events", NULL);
}

char *key_alert(const char *prefix, const char *lead_id)
{
    return join(prefix, "alert:", lead_id);
}

char *key_review_open(const char *prefix)
{
    return join(prefix, "review:open", NULL);
}

char *key_events_lease(const char *prefix)
{
    return join(prefix, "webhooks:events:lease", NULL);
}

char *key_events_pos(const char *prefix)
{
    return join(prefix, "webhooks:events:pos", NULL);
}

char *key_dead_ids(const char *prefix)
{
    return join(prefix, "leads:dead:ids", NULL);
}

char *key_contact(const char *prefix, const char *contact_id)
{
    return join(prefix, "contact:", contact_id);
}

char *key_contacts_by_email(const char *prefix)
{
    return join(prefix, "contacts:by_email", NULL);
}

char *key_account_contacts(const char *prefix, const char *account_id)
{
    return join(prefix, "account_contacts:", account_id);
}

char *key_opportunity(const char *prefix, const char *opportunity_id)
{
    return join(prefix, "opportunity:", opportunity_id);
}

char *key_opportunity_open(const char *prefix, const char *account_id)
{
    return join(prefix, "opportunity:open:", account_id);
}

char *key_seq_opportunity(const char *prefix)
{
    return join(prefix, "seq:opportunity", NULL);
}

char *key_web_session(const char *prefix, const char *token)
{
    return join(prefix, "web:session:", token);
}

char *key_web_throttle(const char *prefix, const char *who)
{
    return join(prefix, "web:throttle:", who);
}

char *key_learned(const char *prefix)
{
    return join(prefix, "learned", NULL);
}

char *key_learned_domains(const char *prefix)
{
    return join(prefix, "learned:domains", NULL);
}
