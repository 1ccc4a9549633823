/* keys.c - Redis key names from the configured prefix. */
#include "keys.h"

#include "util.h"

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
    return join(prefix, "account:", account_id);
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
