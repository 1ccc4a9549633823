/* conf_keys.h - the configuration key table's types, shared by the table (conf_keys.c) and the
 * loader (conf.c); private to src/conf. */
#ifndef L2A_CONF_KEYS_H
#define L2A_CONF_KEYS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum key_type {
    KT_STR,         /* char *, non-empty */
    KT_PATH,        /* char *, non-empty, resolved against the config file's directory */
    KT_INT,         /* int in [min, max] */
    KT_DOUBLE,      /* double in [min, max] */
    KT_ENUM,        /* int: index of the value in `allowed` */
    KT_LIST,        /* strvec; entries from `allowed` (without repeats) when it is set */
    KT_MAP,         /* pair_list from a mapping of strings to strings */
    KT_RULES,       /* regex_list from a list of {pattern, replace} */
} key_type;

/* One configuration key: where it lives in the YAML and in struct conf, its type, default,
 * valid range or values, and whether a SIGHUP reload may change it. */
typedef struct conf_key {
    const char *section;
    const char *name;
    key_type type;
    size_t off;                     /* offsetof(conf, field) */
    bool reloadable;
    const char *def_str;            /* KT_STR, KT_PATH default (NULL allowed) */
    double def, min, max;           /* KT_INT, KT_DOUBLE default and range; KT_ENUM default */
    const char *const *allowed;     /* KT_ENUM names, KT_LIST allowed entries; NULL-terminated */
    const char *const *def_list;    /* KT_LIST default entries; NULL-terminated */
    int (*check)(const char *value, char *err, size_t errlen);  /* KT_STR syntax, or NULL */
    bool duration;                  /* KT_INT in milliseconds, also written "30s", "4h", "7d" */
} conf_key;

/* THE table: every key of the file, in the order `l2a check-config --engine-json` lists them. */
#define CONF_MAX_KEYS 160          /* room in per-load arrays; conf_keys.c asserts the table fits */
extern const conf_key conf_keys[];
extern const size_t conf_nkeys;

#endif
