/* learned_yaml.h - learned facts as YAML (`l2a learned export` / `import`): a file readable in a
 * git review, read back with every error at file:line:column. */
#ifndef L2A_LEARNED_YAML_H
#define L2A_LEARNED_YAML_H

#include <stddef.h>

#include "learned.h"
#include "util.h"

/* A domain an account learned from a contact (learning.domains_from_contacts), for the export.
 * Strings borrowed. */
typedef struct learned_domain {
    const char *domain;
    const char *account_id;
    const char *lead_id;
    const char *at;
} learned_domain;

/* Writes the facts (sorted: always then never, by name, then domain or account) and the learned
 * domains (by domain; informational, import leaves them) as YAML to out. Sorts both arrays. */
void learned_yaml_write(learned_fact *facts, size_t n, learned_domain *domains, size_t nd,
                        strbuf *out);

/* A file read by learned_yaml_load: facts whose strings point into tree (owned). */
typedef struct learned_file {
    learned_fact *facts;     /* owned array */
    size_t n;
    size_t *line, *col;      /* owned: where each fact starts */
    struct ynode *tree;      /* owned */
} learned_file;

/* Reads and checks a whole file: a mapping with `facts:` (a list of mappings with kind always
 * or never, name, domain (required for always), account_id, and optional by, at, lead_id: non-empty
 * strings without tabs) and optionally `domains:` (ignored). 0, or -1 with
 * "file:line:column: message" in err. */
int learned_yaml_load(const char *path, learned_file *out, char *err, size_t errlen) MUSTCHECK;
void learned_file_free(learned_file *f);

#endif
