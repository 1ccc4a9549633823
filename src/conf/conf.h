/* conf.h - the YAML configuration: one table drives parsing, defaults, validation and reload. */
#ifndef L2A_CONF_H
#define L2A_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "engine_opts.h"
#include "util.h"

/* The whole configuration. Every pointer is owned by the conf (conf_free). Paths are resolved
 * relative to the directory of the config file. */
typedef struct conf {
    char *path;                     /* the file it was loaded from */
    unsigned *key_line;             /* per key of the table: where the file set it (0 = default);
                                     * owned, used to point reload errors at the line */
    unsigned *key_col;

    /* redis: */
    char *redis_url;                /* redis.url, default "redis://127.0.0.1:6379" (restart) */
    char *key_prefix;               /* redis.prefix, default "l2a:" (restart) */
    char *redis_password_file;      /* redis.password_file: the AUTH password when the URL has
                                     * none; default NULL (restart) */
    char *redis_user;               /* redis.user: the ACL user when redis.url names none (and in
                                     * Sentinel mode); default NULL = the default user (restart) */
    strvec redis_sentinels;         /* redis.sentinels: "host:port" of each Sentinel; not empty =
                                     * the master is asked of them (excludes redis.url) (restart) */
    char *redis_master_name;        /* redis.master_name: the master's name at the sentinels */
    char *redis_sentinel_password;  /* redis.sentinel_password: AUTH for the sentinels, or NULL */
    char *redis_sentinel_password_file;  /* redis.sentinel_password_file: the same from a file */

    /* daemon: */
    char *consumer;                 /* daemon.consumer, default NULL = "hostname:pid" (restart) */
    int batch_size;                 /* daemon.batch_size, default 100, 1..10000 */
    int block_ms;                   /* daemon.block_ms, default 1000, 1..60000 */
    int max_in_flight;              /* daemon.max_in_flight, default 1000 */
    int command_timeout_ms;         /* daemon.command_timeout_ms, default 5000 */
    int claim_idle_ms;              /* daemon.claim_idle_ms, default 60000 */
    int max_deliveries;             /* daemon.max_deliveries, default 5 */
    int max_entry_bytes;            /* daemon.max_entry_bytes, default 65536 */
    int max_field_bytes;            /* daemon.max_field_bytes, default 4096 */
    int max_entry_fields;           /* daemon.max_entry_fields, default 64 */
    int forget_consumers_ms;        /* daemon.forget_consumers_ms, default 3600000 */
    char *http_listen;              /* http.listen, default "127.0.0.1:9108" (restart) */

    /* web: the review page and the HTTP intake (off unless web.listen is set) */
    char *web_listen;               /* web.listen, default NULL = no web listener (restart) */
    char *web_url;                  /* web.url: the page's address as people reach it, for links
                                     * in alerts; default NULL = "http://" + web.listen */
    char *web_users_file;           /* web.users_file: "name:yescrypt-hash" lines; NULL or empty
                                     * file = nobody can log in */
    char *web_tokens_file;          /* web.tokens_file: intake bearer tokens, one a line */

    /* review: */
    int review_sla_ms;              /* review.sla, default 4h: an open alert older is overdue */

    /* webhooks (docs/operations.md "Webhooks"): off while no URL is set */
    char *alerts_webhook_url;       /* alerts.webhook_url: Slack-compatible incoming webhook */
    char *alerts_webhook_url_file;  /* alerts.webhook_url_file: a file holding it (a secret) */
    char *events_webhook_url;       /* events.webhook_url: every l2a:events entry, signed */
    char *events_webhook_url_file;  /* events.webhook_url_file: a file holding it */
    char *events_secret_file;       /* events.secret_file: the HMAC-SHA256 key (needed with a URL) */
    int webhook_timeout_ms;         /* webhooks.timeout, default 10s: one POST's whole time */
    int webhook_retry_min_ms;       /* webhooks.retry_min, default 1s: first retry delay, doubled */
    int webhook_retry_max_ms;       /* webhooks.retry_max, default 5m: longest retry delay */
    int webhook_lease_ms;           /* webhooks.lease, default 30s: the events sender's lease, and
                                     * how long an alert claim lasts before another worker may
                                     * take it over (at least webhooks.timeout + 5s) */

    /* accounts: l2ad's account snapshot in Redis (docs/redis-schema.md "Account snapshot") */
    int accounts_snapshot;          /* accounts.snapshot, default true: start from it, write it */
    int snapshot_after_changes;     /* accounts.snapshot_after_changes, default 100000: account
                                     * changes after the snapshot that make a worker rewrite it */

    engine_opts eng;                /* lists: ... contact_roles: the engine's keys */
} conf;

/* Loads and validates path into *out (fully initialised on success; zeroed on failure, so that
 * conf_free on it is a harmless no-op: never pass a conf that still owns memory). Unknown keys,
 * wrong types, out-of-range values, bad regexes, a redis.url hiredis cannot use and an http.listen
 * that is not host:port fail with "file:line:column: message" in err.
 * A YAML null (`key:` or `key: ~`) means the key's default. On success out->path is the file's
 * absolute path and the lists.* file names are already resolved (absolute). Returns 0 or -1. */
int conf_load(const char *path, conf *out, char *err, size_t errlen) MUSTCHECK;
/* Whether every file the config names (lists.*) is there, readable and not a directory: 0, or -1
 * with "file:line:column: lists.freemail: cannot read PATH: reason" in err (line 1, column 1 for
 * a key left at its default). conf_load does not check (the Redis tools need no lists); whatever
 * builds an engine from the config (l2ad, l2a match, l2a check-config) calls this first. */
int conf_check_files(const conf *c, char *err, size_t errlen) MUSTCHECK;
/* Fills *out with every default (as if loading an empty file; path NULL, file names relative). */
void conf_defaults(conf *out);
void conf_free(conf *c);
/* Resolves a path from the config relative to the config file's directory (malloc'd); an
 * absolute p, or a conf without path, gives a copy of p. NULL for a NULL p. */
char *conf_resolve_path(const conf *c, const char *p);

/* Whether new_c may replace old_c on a SIGHUP reload: false, with "file: section.key cannot
 * change on reload; restart l2ad to apply it" in err, when the first key the table marks as
 * restart-only (redis.url, redis.prefix, daemon.consumer, http.listen) differs. */
bool conf_reload_compatible(const conf *old_c, const conf *new_c, char *err, size_t errlen);
/* The engine's keys of c (lists ... contact_roles) as a JSON object {section: {key: value}}: enums
 * by name, maps as [[from, to], ...], rules as [{pattern, replace}, ...]. malloc'd. What a tool
 * linked to the engine alone reads instead of the YAML (tests/golden_engine.c). */
char *conf_engine_json(const conf *c);
/* Whether the table lets section.name change on reload (false for unknown keys). */
bool conf_key_reloadable(const char *section, const char *name);

#endif
