/* keys.h - names of every Redis key l2a uses, built from the configured prefix (docs/redis-schema.md). */
#ifndef L2A_KEYS_H
#define L2A_KEYS_H

#include <stddef.h>

#include "util.h"

#define L2A_GROUP "l2a"          /* consumer group on the input stream */
#define L2A_ALERTS_GROUP "alerts" /* consumer group on l2a:events: the alerts webhook's senders */

/* Length caps (XADD MAXLEN ~) of the streams that are logs, not work queues; passed to the Redis
 * Functions as arguments. The input stream is never capped (docs/redis-schema.md). */
#define L2A_EVENTS_MAXLEN "1000000"   /* l2a:events: a CRM connector reads it as it goes */
#define L2A_CHANGES_MAXLEN "1000000"  /* l2a:accounts:changes: daemons read it from where their
                                       * index snapshot started */

/* Each returns a malloc'd key name: prefix + suffix (+ id). */
char *key_leads(const char *prefix);            /* l2a:leads            input stream */
char *key_dead(const char *prefix);             /* l2a:leads:dead       dead letters */
char *key_lead(const char *prefix, const char *lead_id);       /* l2a:lead:<id> decision hash */
char *key_account(const char *prefix, const char *account_id); /* l2a:account:<id> hash */
/* key_account's name appended to sb, with its NUL (many keys in one buffer), and where an
 * account key's id starts (the same for every id under one prefix). */
void key_account_append(strbuf *sb, const char *prefix, const char *account_id);
size_t key_account_id_at(const char *prefix);
char *key_accounts(const char *prefix);         /* l2a:accounts         set of account ids */
char *key_changes(const char *prefix);          /* l2a:accounts:changes stream of upserts/deletes */
char *key_account_digests(const char *prefix); /* l2a:accounts:digests  id -> digest of what the
                                                  * import wrote */
/* The account snapshot (docs/redis-schema.md "Account snapshot"): the pointer to the live
 * generation, the writers' lock, the generation counter, and one chunk ("<gen>:<n>"). */
char *key_snapshot(const char *prefix);         /* l2a:accounts:snapshot       hash */
char *key_snapshot_lock(const char *prefix);    /* l2a:accounts:snapshot:lock  string */
char *key_snapshot_seq(const char *prefix);     /* l2a:accounts:snapshot:seq   counter */
char *key_snapshot_chunk(const char *prefix, const char *gen_chunk); /* ...:snapshot:<gen>:<n> */
char *key_events(const char *prefix);           /* l2a:events           stream for a CRM connector */
char *key_alert(const char *prefix, const char *lead_id);      /* l2a:alert:<id> review alert */
char *key_review_open(const char *prefix);      /* l2a:review:open      open alerts by created ms */
char *key_events_lease(const char *prefix);    /* l2a:webhooks:events:lease  the events sender */
char *key_events_pos(const char *prefix);      /* l2a:webhooks:events:pos    last delivered id */
char *key_dead_ids(const char *prefix);         /* l2a:leads:dead:ids   entry id -> dead letter */
char *key_contact(const char *prefix, const char *contact_id); /* l2a:contact:<id> hash */
char *key_contacts_by_email(const char *prefix);               /* l2a:contacts:by_email hash */
char *key_account_contacts(const char *prefix, const char *account_id); /* set of contact ids */
char *key_opportunity(const char *prefix, const char *opportunity_id);  /* l2a:opportunity:<id> */
char *key_opportunity_open(const char *prefix, const char *account_id); /* the open one's id */
char *key_seq_opportunity(const char *prefix);  /* l2a:seq:opportunity  opportunity id counter */
/* The review page (l2ad, web.listen): a logged-in session by its cookie token, and the failed
 * login attempts of one user name from one client address ("name|address"). */
char *key_web_session(const char *prefix, const char *token);  /* l2a:web:session:<token> */
char *key_web_throttle(const char *prefix, const char *who);    /* l2a:web:throttle:<who> */
char *key_learned(const char *prefix);          /* l2a:learned          facts learned from reviews */
char *key_learned_domains(const char *prefix);  /* l2a:learned:domains  domains learned from
                                                 * contacts, with their evidence */

#endif
