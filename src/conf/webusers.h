/* webusers.h - who may log in to the review page: the users file (web.users_file, one
 * "name:hash" line each) and its yescrypt hashes (libcrypt), made by `l2a web passwd`. */
#ifndef L2A_WEBUSERS_H
#define L2A_WEBUSERS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define WEBUSERS_NAME_MAX 64        /* bytes of a user name */
#define WEBUSERS_PASSWORD_MAX 1024  /* bytes of a password */

/* A name the file can hold: 1 to WEBUSERS_NAME_MAX letters, digits and . _ @ - */
bool webusers_name_ok(const char *name);

/* password hashed with yescrypt and a fresh random salt ("$y$j9T$..."): malloc'd, or NULL with
 * err set. Takes tens of milliseconds. */
char *webusers_hash(const char *password, char *err, size_t errlen);

/* Whether name may log in with password, by the users file at path: 1 yes; 0 no (unknown name,
 * wrong password, no file configured (path NULL), or an empty file); -1 with err set when the
 * file cannot be read. An unknown name costs one hash as a known one does, and the hashes are
 * compared whole, in time that does not depend on where they differ. Lines that are blank, start
 * with '#', or are not name:hash are skipped. Safe to call from several threads at once. */
int webusers_check(const char *path, const char *name, const char *password, char *err,
                   size_t errlen) MUSTCHECK;

/* Whether the strings are equal, compared in time that depends on their lengths only (hashes,
 * tokens). */
bool webusers_same(const char *a, const char *b);

#endif
