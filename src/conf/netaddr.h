/* netaddr.h - network addresses of the config as pure string parsing: Redis URLs (redis://,
 * unix://, a socket path) and the HTTP endpoint's host:port. No sockets, no hiredis. */
#ifndef L2A_NETADDR_H
#define L2A_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Where a Redis server is. Strings owned (redis_addr_free). Exactly one of host and unix_path is
 * set, or neither in Sentinel mode (sentinels not empty: the master's host and port are asked of
 * the sentinels on every connect); user and password are NULL when there is none. */
typedef struct redis_addr {
    char *host;       /* TCP host name or address (IPv6 without brackets), or NULL */
    int port;         /* TCP port, default 6379 (0 for a unix socket) */
    char *unix_path;  /* absolute path of a unix socket, or NULL */
    char *user;       /* ACL user name (percent-decoded): AUTH user password; NULL = default */
    char *password;   /* AUTH password (percent-decoded), or NULL */
    int db;           /* SELECT index, default 0 */
    strvec sentinels;         /* Sentinel mode: "host:port" of each sentinel (redis.sentinels) */
    char *master_name;        /* the master's name at the sentinels (redis.master_name) */
    char *sentinel_password;  /* AUTH password for the sentinels, or NULL */
} redis_addr;

/* Parses a Redis address into *out (zeroed first; free with redis_addr_free, also after an error):
 *   redis://[[user]:password@]host[:port][/db]   host may be [IPv6]; user is the ACL user
 *   unix:///path/to.sock[?db=N][&password=P]
 *   /path/to.sock                                a bare absolute path is a unix socket
 * Returns 0, or -1 with a message in err. On success err is "" or holds a note the caller should
 * show. */
int redis_addr_parse(const char *url, redis_addr *out, char *err, size_t errlen) MUSTCHECK;
void redis_addr_free(redis_addr *a);
/* "host:port/db", "unix:/path/db" or "sentinel:NAME@host:port,host:port/db" for messages
 * (never the password). Writes into buf. */
const char *redis_addr_describe(const redis_addr *a, char *buf, size_t len);
/* Whether url is an address redis_addr_parse takes: 0, or -1 with the reason in err. */
int redis_addr_check(const char *url, char *err, size_t errlen) MUSTCHECK;

#define LISTEN_HOST_MAX 256     /* buffer sizes listen_addr_split needs at most */
#define LISTEN_PORT_MAX 8

/* Splits "host:port", ":port" (host "") or "[ipv6]:port" into host and port (0-65535, digits
 * only), written into the caller's buffers. 0, or -1 with "'ADDR': expected host:port ..." in
 * err. */
int listen_addr_split(const char *addr, char *host, size_t hostlen, char *port, size_t portlen,
                      char *err, size_t errlen) MUSTCHECK;
/* listen_addr_split without keeping the parts. */
int listen_addr_check(const char *addr, char *err, size_t errlen) MUSTCHECK;

#endif
