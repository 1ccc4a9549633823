/* resp.h - building Redis commands in the Redis protocol (RESP) by hand: for commands sent
 * pre-formatted, with no per-argument copy (the import's batches, l2ad's record_leads calls). */
#ifndef L2A_RESP_H
#define L2A_RESP_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* "<mark><n>\r\n" appended to sb: an array's header (mark '*') or a bulk string's ('$'). */
void resp_len(strbuf *sb, char mark, size_t n);

/* s (n bytes) appended to sb as one argument (a bulk string). */
void resp_arg(strbuf *sb, const char *s, size_t n);

/* The NUL-terminated s appended to sb as one argument. */
void resp_str(strbuf *sb, const char *s);

/* The number n appended to sb as one argument, in decimal. */
void resp_num(strbuf *sb, size_t n);

/* A command's array header for argc arguments and its name, appended to sb. */
void resp_head(strbuf *sb, size_t argc, const char *cmd);

/* Reads back one argument resp_arg wrote at *p (before end): *s and *n get its bytes, *p moves
 * past it. false, *p unmoved, when no whole argument starts there. */
bool resp_next_arg(const char **p, const char *end, const char **s, size_t *n);

#endif
