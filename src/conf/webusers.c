/* webusers.c - the review page's users file and its yescrypt hashes (libcrypt). */
#include "webusers.h"

#include <crypt.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"

bool webusers_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > WEBUSERS_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = ascii_is_alnum((unsigned char)c) || c == '.' || c == '_' || c == '@' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

/* crypt_rn of password with setting (a hash or a salt): malloc'd output, or NULL. */
static char *hash_with(const char *password, const char *setting)
{
    struct crypt_data *cd = xcalloc(1, sizeof(*cd));
    const char *h = crypt_rn(password, setting, cd, (int)sizeof(*cd));
    char *out = h && h[0] != '*' ? xstrdup(h) : NULL;
    free(cd);
    return out;
}

char *webusers_hash(const char *password, char *err, size_t errlen)
{
    char *salt = crypt_gensalt_ra("$y$", 0, NULL, 0);
    if (!salt) {
        snprintf(err, errlen, "yescrypt salt: %s", strerror(errno));
        return NULL;
    }
    char *h = hash_with(password, salt);
    free(salt);
    if (!h)
        snprintf(err, errlen, "yescrypt hashing failed");
    return h;
}

bool webusers_same(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* The hash of name in the file into *hash (malloc'd; NULL when the name is not there). 0, or -1
 * with err set when the file cannot be read. */
static int find_hash(const char *path, const char *name, char **hash, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "web.users_file %s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, nlen = strlen(name);
    ssize_t len;
    *hash = NULL;
    while (!*hash && (len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if ((size_t)len > nlen + 1 && strncmp(line, name, nlen) == 0 && line[nlen] == ':' &&
            line[nlen + 1] == '$')
            *hash = xstrdup(line + nlen + 1);
    }
    free(line);
    fclose(f);
    return 0;
}

static char *decoy;            /* reachable until exit */

static void make_decoy(void)
{
    char err[128];
    decoy = webusers_hash("l2a decoy", err, sizeof(err));
}

/* A yescrypt hash of nothing anybody knows: what an unknown name is checked against, so that it
 * costs the same time. Made once, whatever thread asks first. */
static const char *decoy_hash(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    (void)pthread_once(&once, make_decoy);
    return decoy;
}

int webusers_check(const char *path, const char *name, const char *password, char *err,
                   size_t errlen)
{
    char *stored = NULL;
    if (!path || !*path || !name || !password)
        return 0;
    if (find_hash(path, name, &stored, err, errlen) != 0)
        return -1;
    const char *against = stored ? stored : decoy_hash();
    char *h = against ? hash_with(password, against) : NULL;
    int ok = stored && h && webusers_same(h, stored);
    free(h);
    free(stored);
    return ok;
}
