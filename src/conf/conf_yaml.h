/* conf_yaml.h - private to the conf module: YAML text to a small node tree that keeps positions. */
#ifndef L2A_CONF_YAML_H
#define L2A_CONF_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define CONF_YAML_MAX_DEPTH 32          /* deeper nesting is refused */

typedef enum ynode_type {
    YN_SCALAR,
    YN_SEQ,
    YN_MAP,
} ynode_type;

/* One YAML node. A mapping's kids alternate key, value (keys are always scalars, never repeated).
 * The node owns value, kids and every kid. */
typedef struct ynode {
    ynode_type type;
    size_t line;                    /* 1-based, where the node starts (libyaml's start mark) */
    size_t col;                     /* 1-based */
    char *value;                    /* scalar text (NUL-free); NULL for sequences and mappings */
    bool null;                      /* plain scalar "", "~", "null", "Null" or "NULL" */
    struct ynode **kids;
    size_t n;                       /* number of kids (twice the pairs in a mapping) */
} ynode;

/* Parses len bytes of text into *root: NULL for a stream without a document. Refuses aliases,
 * several documents, non-scalar or duplicate mapping keys and NUL bytes in scalars. On error
 * returns -1 with "file:line:column: message" in err (file is only used for messages). */
int conf_yaml_parse(const char *file, const char *text, size_t len, ynode **root,
                    char *err, size_t errlen) MUSTCHECK;
void conf_yaml_free(ynode *n);

/* Writes "file:line:column: message" into err (truncated to errlen). Returns -1. */
int conf_yaml_errorf(char *err, size_t errlen, const char *file, size_t line, size_t col,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Value of key in mapping m, or NULL. */
const ynode *conf_yaml_get(const ynode *m, const char *key);

#endif
