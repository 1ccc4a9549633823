/* label_core.c - the core of a domain label ("teaminvo" -> "invo"): hyphens dropped, one
 * configured prefix and suffix stripped; and a plain domain's label read off the domain. */
#include "index.h"

#include <stdlib.h>
#include <string.h>

/* Length of the configured prefix that s starts with when 3+ characters remain, else 0. A prefix
 * whose first byte differs is passed over before its length is taken. */
static size_t prefix_len(const char *s, size_t len, const strvec *prefixes)
{
    for (size_t i = 0; prefixes && i < prefixes->n; i++) {
        if (prefixes->v[i][0] && prefixes->v[i][0] != s[0])
            continue;
        size_t pl = strlen(prefixes->v[i]);
        if (strncmp(s, prefixes->v[i], pl) == 0 && len >= pl + 3)
            return pl;
    }
    return 0;
}

/* Length of s[0..len) without the first configured suffix it ends with when 3+ characters
 * remain: only the suffixes ending with its last byte are tried (label_suffix_by_last). */
static size_t without_suffix(const account_index *ix, const char *s, size_t len)
{
    const uint32_t *at = ix->label_suffix_by_last;
    unsigned char last = (unsigned char)s[len - 1];
    for (uint32_t k = at[last]; k < at[last + 1]; k++) {
        uint32_t i = at[257 + k];
        size_t sl = ix->label_suffix_len[i];
        if (len >= sl + 3 && memcmp(s + len - sl, ix->label_suffixes->v[i], sl) == 0)
            return len - sl;
    }
    return len;
}

/* The core of label[0..len) into core (len + 1 bytes): hyphens dropped, then a prefix and a
 * suffix stripped (the lists read only when some prefix starts, or some suffix ends, with the
 * label's first or last byte: label_edge). */
void index_label_core_into(const account_index *ix, const char *label, size_t len, char *core)
{
    size_t n = 0;
    if (!memchr(label, '-', len)) {         /* most labels: copied whole */
        memcpy(core, label, len);
        n = len;
    } else {
        for (size_t i = 0; i < len; i++)
            if (label[i] != '-')
                core[n++] = label[i];
    }
    core[n] = '\0';
    size_t skip = ix->label_edge[(unsigned char)core[0]] & LABEL_PREFIX_FIRST
                      ? prefix_len(core, n, ix->label_prefixes)
                      : 0;
    if (n > skip && ix->label_edge[(unsigned char)core[n - 1]] & LABEL_SUFFIX_LAST)
        n = without_suffix(ix, core + skip, n - skip);
    else
        n -= skip;
    if (skip)
        memmove(core, core + skip, n);
    core[n] = '\0';
}

char *index_label_core(const account_index *ix, const char *label)
{
    size_t len = strlen(label);
    char *core = xmalloc(len + 1);
    index_label_core_into(ix, label, len, core);
    return core;
}

/* Length of the label of a registrable domain (as website_registrable returns it) read off the
 * domain itself, or 0 when domain_label must be asked: a domain of [a-z0-9.-] with no A-label
 * ("xn--") normalises to itself and, being registrable, is its own registrable domain (libpsl
 * reads public suffixes from the left), so its label is what precedes the first dot. */
size_t index_plain_label_len(const char *reg)
{
    size_t i = 0, first_dot = SIZE_MAX;
    for (;; i++) {
        char c = reg[i];
        if (c == 'x' && (i == 0 || reg[i - 1] == '.') && strncmp(reg + i, "xn--", 4) == 0)
            return 0;
        if (c == '\0')
            break;
        if (c == '.' && first_dot == SIZE_MAX)
            first_dot = i;
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
            return 0;
    }
    return first_dot == SIZE_MAX ? i : first_dot;
}
