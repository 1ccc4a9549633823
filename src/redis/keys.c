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
