/* conf_keys.c - every configuration key: section, name, type, field, default, range, reload. */
#include "conf.h"
#include "conf_keys.h"
#include "netaddr.h"

_Static_assert(sizeof(no_match_policy) == sizeof(int), "KT_ENUM fields are stored as int");
_Static_assert(sizeof(segment_action) == sizeof(int), "KT_ENUM fields are stored as int");

static const char *const tie_break_names[] = {"spelling", "parent", "child", "type", "last_activity",
                                              "employees", NULL};
static const char *const tie_break_default[] = {"spelling", "parent", "type", "last_activity", NULL};
static const char *const type_order_default[] = {"Customer", "Prospect", "Partner", NULL};
static const char *const generic_subdomains_default[] = {
    "mail", "mail1", "mail2", "email", "smtp", "mx", "corp", "hq", "head", "office", "staff",
    "employees", "global", "intl", "int", "apac", "emea", "latam", "amer", "americas", "europe",
    "asia", "nam", "eur", "us", "usa", "uk", "web", "www", "my", "alumni", "students", "student",
    "exchange", "owa", "sales", "marketing", "support", "info", "hr", "it", "dev", "eng",
    "engineering", "research", "finance", "legal", "ops", NULL};
static const char *const policy_names[] = {"flag", "create_account", NULL};
static const char *const segment_names[] = {"flag", "drop", NULL};
static const char *const bool_names[] = {"false", "true", NULL};
static const char *const stages_default[] = {"Marketing Qualified", "Sales Accepted", "Discovery",
                                             "Proposal", "Negotiation", "Closed Won",
                                             "Closed Lost", NULL};
static const char *const marketing_stages_default[] = {"Marketing Qualified", NULL};
static const char *const opp_account_types_default[] = {"Prospect", NULL};

#define RELOAD true                 /* a SIGHUP reload applies the new value */
#define RESTART false               /* changing it needs a restart; a reload refuses it */

#define KEY(sec, key, t, field, rl) .section = sec, .name = key, .type = t, \
                                    .off = offsetof(conf, field), .reloadable = rl
#define K_STR(sec, key, field, d, rl) {KEY(sec, key, KT_STR, field, rl), .def_str = d}
#define K_ADDR(sec, key, field, d, fn, rl) {KEY(sec, key, KT_STR, field, rl), .def_str = d, \
                                            .check = fn}
#define K_PATH(sec, key, field, d, rl) {KEY(sec, key, KT_PATH, field, rl), .def_str = d}
#define K_INT(sec, key, field, d, lo, hi, rl) \
    {KEY(sec, key, KT_INT, field, rl), .def = d, .min = lo, .max = hi}
#define K_DUR(sec, key, field, d, lo, hi, rl) \
    {KEY(sec, key, KT_INT, field, rl), .def = d, .min = lo, .max = hi, .duration = true}
#define K_DBL(sec, key, field, d, rl) {KEY(sec, key, KT_DOUBLE, field, rl), .def = d, .max = 1}
#define K_ENUM(sec, key, field, names, d, rl) \
    {KEY(sec, key, KT_ENUM, field, rl), .allowed = names, .def = d}
#define K_LIST(sec, key, field, ok, d, rl) \
    {KEY(sec, key, KT_LIST, field, rl), .allowed = ok, .def_list = d}
#define K_MAP(sec, key, field, rl) {KEY(sec, key, KT_MAP, field, rl)}
#define K_RULES(sec, key, field, rl) {KEY(sec, key, KT_RULES, field, rl)}

/* THE table: every key of the file. Keep conf.h, conf/l2a.yaml and the README in step. */
const conf_key conf_keys[] = {
    K_ADDR("redis", "url", redis_url, "redis://127.0.0.1:6379", redis_addr_check, RESTART),
    K_STR("redis", "prefix", key_prefix, "l2a:", RESTART),
    K_PATH("redis", "password_file", redis_password_file, NULL, RESTART),
    K_STR("redis", "user", redis_user, NULL, RESTART),
    K_LIST("redis", "sentinels", redis_sentinels, NULL, NULL, RESTART),
    K_STR("redis", "master_name", redis_master_name, NULL, RESTART),
    K_STR("redis", "sentinel_password", redis_sentinel_password, NULL, RESTART),
    K_PATH("redis", "sentinel_password_file", redis_sentinel_password_file, NULL, RESTART),
    K_STR("daemon", "consumer", consumer, NULL, RESTART),
    K_INT("daemon", "batch_size", batch_size, 100, 1, 10000, RELOAD),
    K_INT("daemon", "block_ms", block_ms, 1000, 1, 60000, RELOAD),
    K_INT("daemon", "max_in_flight", max_in_flight, 1000, 1, 1000000, RELOAD),
    K_INT("daemon", "command_timeout_ms", command_timeout_ms, 5000, 100, 600000, RELOAD),
    K_INT("daemon", "claim_idle_ms", claim_idle_ms, 60000, 1000, 86400000, RELOAD),
    K_INT("daemon", "max_deliveries", max_deliveries, 5, 1, 1000, RELOAD),
    K_INT("daemon", "max_entry_bytes", max_entry_bytes, 65536, 1024, 16777216, RELOAD),
    K_INT("daemon", "max_field_bytes", max_field_bytes, 4096, 64, 16777216, RELOAD),
    K_INT("daemon", "max_entry_fields", max_entry_fields, 64, 1, 100000, RELOAD),
    K_INT("daemon", "forget_consumers_ms", forget_consumers_ms, 3600000, 1000, 2147483647, RELOAD),
    K_ADDR("http", "listen", http_listen, "127.0.0.1:9108", listen_addr_check, RESTART),
    K_ADDR("web", "listen", web_listen, NULL, listen_addr_check, RESTART),
    K_STR("web", "url", web_url, NULL, RELOAD),
    K_PATH("web", "users_file", web_users_file, NULL, RELOAD),
    K_PATH("web", "tokens_file", web_tokens_file, NULL, RELOAD),
    K_DUR("review", "sla", review_sla_ms, 14400000, 1000, 2147483647, RELOAD),
    K_STR("alerts", "webhook_url", alerts_webhook_url, NULL, RELOAD),
    K_PATH("alerts", "webhook_url_file", alerts_webhook_url_file, NULL, RELOAD),
    K_STR("events", "webhook_url", events_webhook_url, NULL, RELOAD),
    K_PATH("events", "webhook_url_file", events_webhook_url_file, NULL, RELOAD),
    K_PATH("events", "secret_file", events_secret_file, NULL, RELOAD),
    K_DUR("webhooks", "timeout", webhook_timeout_ms, 10000, 100, 600000, RELOAD),
    K_DUR("webhooks", "retry_min", webhook_retry_min_ms, 1000, 10, 3600000, RELOAD),
    K_DUR("webhooks", "retry_max", webhook_retry_max_ms, 300000, 10, 86400000, RELOAD),
    K_DUR("webhooks", "lease", webhook_lease_ms, 30000, 1000, 3600000, RELOAD),
    K_PATH("lists", "freemail", eng.freemail_file, "freemail-domains.txt", RELOAD),
    K_PATH("lists", "disposable", eng.disposable_file, "disposable-email-domains.txt", RELOAD),
    K_PATH("lists", "legal_forms", eng.legal_forms_file, "legal-forms.tsv", RELOAD),
    K_LIST("lists", "freemail_add", eng.freemail_add, NULL, NULL, RELOAD),
    K_LIST("lists", "freemail_remove", eng.freemail_remove, NULL, NULL, RELOAD),
    K_LIST("lists", "disposable_add", eng.disposable_add, NULL, NULL, RELOAD),
    K_LIST("lists", "disposable_remove", eng.disposable_remove, NULL, NULL, RELOAD),
    K_MAP("domains", "aliases", eng.domain_aliases, RELOAD),
    K_RULES("domains", "rewrites", eng.domain_rewrites, RELOAD),
    K_INT("accounts", "load_threads", eng.load_threads, 2, 1, 2, RELOAD),
    K_ENUM("accounts", "snapshot", accounts_snapshot, bool_names, 1, RELOAD),
    K_INT("accounts", "snapshot_after_changes", snapshot_after_changes, 100000, 1, 1000000000,
          RELOAD),
    K_LIST("domains", "label_prefixes", eng.label_prefixes, NULL, NULL, RELOAD),
    K_LIST("domains", "label_suffixes", eng.label_suffixes, NULL, NULL, RELOAD),
    K_LIST("domains", "generic_subdomains", eng.generic_subdomains, NULL, generic_subdomains_default,
           RELOAD),
    K_MAP("names", "abbreviations", eng.abbreviations, RELOAD),
    K_LIST("names", "stop_words", eng.stop_words, NULL, NULL, RELOAD),
    K_LIST("names", "qualifiers", eng.qualifiers, NULL, NULL, RELOAD),
    K_LIST("names", "junk", eng.junk, NULL, NULL, RELOAD),
    K_LIST("names", "legal_forms", eng.extra_legal_forms, NULL, NULL, RELOAD),
    K_RULES("names", "rewrites", eng.name_rewrites, RELOAD),
    K_DBL("scoring", "typo", eng.w_typo, 0.9, RELOAD),
    K_DBL("scoring", "prefix", eng.w_prefix, 0.8, RELOAD),
    K_DBL("scoring", "acronym", eng.w_acronym, 0.8, RELOAD),
    K_DBL("scoring", "domain", eng.domain_score, 0.97, RELOAD),
    K_DBL("scoring", "label_bonus", eng.label_bonus, 0.05, RELOAD),
    K_INT("scoring", "max_candidates", eng.max_candidates, 5, 1, 100, RELOAD),
    K_INT("scoring", "max_postings", eng.max_postings, 20000, 1, 2147483647, RELOAD),
    K_DBL("thresholds", "match", eng.t_match, 0.9, RELOAD),
    K_DBL("thresholds", "match_freemail", eng.t_match_freemail, 0.95, RELOAD),
    K_DBL("thresholds", "review", eng.t_review, 0.75, RELOAD),
    K_DBL("thresholds", "margin", eng.t_margin, 0.05, RELOAD),
    K_LIST("tie_breaks", "order", eng.tie_breaks, tie_break_names, tie_break_default, RELOAD),
    K_LIST("tie_breaks", "type_order", eng.type_order, NULL, type_order_default, RELOAD),
    K_ENUM("no_match", "policy", eng.policy, policy_names, NO_MATCH_FLAG, RELOAD),
    K_ENUM("no_match", "freemail", eng.seg_freemail, segment_names, SEGMENT_FLAG, RELOAD),
    K_ENUM("no_match", "junk_company", eng.seg_junk, segment_names, SEGMENT_FLAG, RELOAD),
    K_ENUM("no_match", "disposable", eng.seg_disposable, segment_names, SEGMENT_DROP, RELOAD),
    K_STR("no_match", "new_account_type", eng.new_account_type, "Prospect", RELOAD),
    K_ENUM("opportunities", "enabled", eng.opp_enabled, bool_names, 0, RELOAD),
    K_LIST("opportunities", "account_types", eng.opp_account_types, NULL, opp_account_types_default,
           RELOAD),
    K_LIST("opportunities", "stages", eng.opp_stages, NULL, stages_default, RELOAD),
    K_STR("opportunities", "first_stage", eng.opp_first_stage, "Marketing Qualified", RELOAD),
    K_LIST("opportunities", "marketing_stages", eng.opp_marketing_stages, NULL,
           marketing_stages_default, RELOAD),
    K_INT("opportunities", "advance_score", eng.opp_advance_score, 100, 0, 1000000000, RELOAD),
    K_ENUM("learning", "enabled", eng.learn_enabled, bool_names, 1, RELOAD),
    K_ENUM("learning", "domains_from_contacts", eng.learn_domains, bool_names, 0, RELOAD),
    K_RULES("contact_roles", "rules", eng.role_rules, RELOAD),
    K_STR("contact_roles", "default", eng.role_default, "Influencer", RELOAD),
};

const size_t conf_nkeys = ARRAY_LEN(conf_keys);
_Static_assert(ARRAY_LEN(conf_keys) <= CONF_MAX_KEYS, "raise CONF_MAX_KEYS");
