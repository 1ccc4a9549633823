/* engine_opts.h - what the engine is built from: lists, domain and name rules, scoring,
 * thresholds, tie-breaks and the outcome rules (filled from the YAML config by src/conf/). */
#ifndef L2A_ENGINE_OPTS_H
#define L2A_ENGINE_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "rules.h"
#include "util.h"

typedef enum no_match_policy {
    NO_MATCH_FLAG = 0,
    NO_MATCH_CREATE_ACCOUNT,
} no_match_policy;

/* What happens to a no-match lead of a segment (free-mail, junk company, disposable). */
typedef enum segment_action {
    SEGMENT_FLAG = 0,               /* an alert in the review queue, never a new account */
    SEGMENT_DROP,                   /* marked in the result, no conversion, no alert */
} segment_action;

/* One "from -> to" pair (domain aliases, name abbreviations). Strings owned. */
typedef struct str_pair {
    char *from;
    char *to;
} str_pair;

typedef struct pair_list {
    str_pair *v;
    size_t n;
} pair_list;

/* The engine's options. Every pointer is owned by whoever filled it (conf_free for a loaded
 * config). List file names are used as given: the config resolves them first. */
typedef struct engine_opts {
    /* lists: */
    char *freemail_file;            /* lists.freemail, default "freemail-domains.txt" */
    char *disposable_file;          /* lists.disposable, default "disposable-email-domains.txt" */
    char *legal_forms_file;         /* lists.legal_forms, default "legal-forms.tsv" */
    strvec freemail_add;            /* lists.freemail_add */
    strvec freemail_remove;         /* lists.freemail_remove */
    strvec disposable_add;          /* lists.disposable_add */
    strvec disposable_remove;       /* lists.disposable_remove */

    /* domains: */
    pair_list domain_aliases;       /* domains.aliases: map "brand.com": "parent.com" */
    regex_list domain_rewrites;     /* domains.rewrites: [{pattern, replace}] on the lead's host */
    int load_threads;               /* accounts.load_threads: 2 reads an accounts CSV on a
                                     * second thread, both parse its rows, this one indexes them */
    strvec label_prefixes;          /* domains.label_prefixes: "try", "get", "team" ... */
    strvec label_suffixes;          /* domains.label_suffixes: "hq", "inc", "group" ... */
    strvec generic_subdomains;      /* domains.generic_subdomains: "mail", "corp", "hq" ...: an
                                     * email host under one of these (or under a 2-letter label)
                                     * speaks for the whole registrable domain */

    /* names: */
    pair_list abbreviations;        /* names.abbreviations: map "intl": "international" */
    strvec stop_words;              /* names.stop_words */
    strvec qualifiers;              /* names.qualifiers */
    strvec junk;                    /* names.junk */
    strvec extra_legal_forms;       /* names.legal_forms: added to the legal-forms file */
    regex_list name_rewrites;       /* names.rewrites: [{pattern, replace}] on the raw name */

    /* scoring: */
    double w_typo;                  /* scoring.typo, default 0.9: credit for a 1-2 edit token */
    double w_prefix;                /* scoring.prefix, default 0.8: credit for an abbreviation prefix */
    double w_acronym;               /* scoring.acronym, default 0.8: below thresholds.match, so an acronym alone
                                     * is a review, not a match */
    double domain_score;            /* scoring.domain, default 0.97 */
    double label_bonus;             /* scoring.label_bonus, default 0.05: name + domain label agree */
    int max_candidates;             /* scoring.max_candidates, default 5 (in decisions) */
    int max_postings;               /* scoring.max_postings, default 20000: skip tokens commoner */

    /* thresholds: */
    double t_match;                 /* thresholds.match, default 0.9 */
    double t_match_freemail;        /* thresholds.match_freemail, default 0.95 */
    double t_review;                /* thresholds.review, default 0.75 */
    double t_margin;                /* thresholds.margin, default 0.05: best - second needed */

    /* tie_breaks: */
    strvec tie_breaks;              /* tie_breaks.order: of "spelling", "parent", "child",
                                     * "type", "last_activity", "employees"; default spelling,
                                     * parent, type, last_activity */
    strvec type_order;              /* tie_breaks.type_order: default Customer, Prospect, Partner */

    /* no_match: */
    no_match_policy policy;         /* no_match.policy: "flag" (default) or "create_account" */
    segment_action seg_freemail;    /* no_match.freemail: flag (default) | drop */
    segment_action seg_junk;        /* no_match.junk_company: flag (default) | drop */
    segment_action seg_disposable;  /* no_match.disposable: drop (default) | flag; any decision */
    char *new_account_type;         /* no_match.new_account_type, default "Prospect" */

    /* opportunities: */
    int opp_enabled;                /* opportunities.enabled: false (default) | true */
    strvec opp_account_types;       /* opportunities.account_types: types that get a new
                                     * Acquisition opportunity, default [Prospect] */
    strvec opp_stages;              /* opportunities.stages, in order */
    char *opp_first_stage;          /* opportunities.first_stage, default "Marketing Qualified" */
    strvec opp_marketing_stages;    /* opportunities.marketing_stages: stages a lead score can
                                     * move on, default [Marketing Qualified] */
    int opp_advance_score;          /* opportunities.advance_score: a buying-group member's lead
                                     * score above it moves the opportunity out of a marketing
                                     * stage; 0 = never. Default 100 */

    /* learning: */
    int learn_enabled;              /* learning.enabled: true (default): resolutions record what
                                     * they prove and the engine consults it before scoring */
    int learn_domains;              /* learning.domains_from_contacts: false (default) | true: a
                                     * lead matched by name on a new corporate domain adds that
                                     * domain to its account */

    /* contact_roles: */
    regex_list role_rules;          /* contact_roles.rules: [{pattern, role}] on the title */
    char *role_default;             /* contact_roles.default, default "Influencer" */
} engine_opts;

#endif
