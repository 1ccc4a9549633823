/* inputs_impl.h - what the account reader (accounts_csv.c) and the lead reader (inputs.c) share:
 * records' char * members named in tables, reached through them. */
#ifndef L2A_INPUTS_IMPL_H
#define L2A_INPUTS_IMPL_H

#include <stddef.h>

/* A named char * member of a record, for table-driven get/set. */
struct field_def {
    const char *name;
    size_t len;               /* strlen(name) */
    size_t off;
};

static inline char **field_member(void *rec, const struct field_def *def)
{
    return (char **)((char *)rec + def->off);
}

#endif
