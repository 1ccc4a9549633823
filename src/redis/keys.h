/* keys.h - names of every Redis key l2a uses, built from the configured prefix (docs/redis-schema.md). */
#ifndef L2A_KEYS_H
#define L2A_KEYS_H

#define L2A_GROUP "l2a"          /* consumer group on the input stream */

/* Each returns a malloc'd key name: prefix + suffix (+ id). */
char *key_leads(const char *prefix);            /* l2a:leads            input stream */
char *key_dead(const char *prefix);             /* l2a:leads:dead       dead letters */
char *key_lead(const char *prefix, const char *lead_id);       /* l2a:lead:<id> decision hash */
char *key_account(const char *prefix, const char *account_id); /* l2a:account:<id> hash */
char *key_accounts(const char *prefix);         /* l2a:accounts         set of account ids */
char *key_changes(const char *prefix);          /* l2a:accounts:changes stream of upserts/deletes */
char *key_events(const char *prefix);           /* l2a:events           stream for a CRM connector */
char *key_alert(const char *prefix, const char *lead_id);      /* l2a:alert:<id> review alert */
char *key_review_open(const char *prefix);      /* l2a:review:open      open alerts by created ms */

#endif
