/* reply_lines.h - the simplest RESP replies (a given status line, an integer, an array's length)
 * taken straight from hiredis's read buffer, without a reply object each; anything else is left
 * there for redisGetReply. For replies read by the thousand (a MULTI's +QUEUED, EXEC's +OK). */
#ifndef L2A_REPLY_LINES_H
#define L2A_REPLY_LINES_H

#include <stddef.h>

#include <hiredis/hiredis.h>

/* Takes the next reply when it is exactly line (with its CRLF, e.g. "+QUEUED\r\n"): 1 taken, 0
 * when it is another (left unread), -1 when the connection failed (c->errstr). Blocks until a
 * whole line has come. */
int reply_take_line(redisContext *c, const char *line, size_t len);
/* Takes the next reply's first line when it starts with type (':' an integer, '*' an array's
 * length) and holds a number: 1 with *n set, 0 otherwise (left unread), -1 as above. */
int reply_take_number(redisContext *c, char type, long long *n);

#endif
