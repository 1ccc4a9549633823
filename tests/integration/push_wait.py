#!/usr/bin/env python3
"""push_wait.py - a producer that does not lose its own XADDs across a Redis failover.

Usage: push_wait.py SENTINELS MASTER_NAME STREAM LEADS.jsonl [BATCH] [PAUSE_S]
SENTINELS is "host:port,host:port,..." ($L2A_SENTINEL_PASSWORD, when set, is their AUTH
password). The master is asked of the sentinels (and checked with
ROLE); each batch of XADD ... json LINE is followed by WAIT 1 1000. While WAIT says 0 replicas
have the batch (after a failover the new master has none until the old one is back as its
replica) the producer WAITs again on the same connection, as long as the sentinels still name
that node; a batch whose connection broke, that an error refused, or whose node the sentinels no
longer name is sent again to the master they name then: a lead XADDed twice is
harmless, l2a records a lead id once. Prints "batches=N resent=N waits=N" at the end.
Plain sockets and RESP, no client library.
"""
import os
import socket
import sys
import time

SENTINEL_PASSWORD = os.environ.get("L2A_SENTINEL_PASSWORD")


class RedisError(Exception):
    pass


class Conn:
    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def send(self, *cmds):
        out = []
        for args in cmds:
            out.append(b"*%d\r\n" % len(args))
            for a in args:
                b = a if isinstance(a, bytes) else str(a).encode()
                out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise OSError("connection closed")
                self.buf += chunk
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise OSError("bad reply %r" % line)

    def call(self, *args):
        self.send(args)
        r = self.reply()
        if isinstance(r, RedisError):
            raise r
        return r

    def close(self):
        self.sock.close()


def ask_sentinel(sentinel, name):
    """The master's [host, port] that one sentinel names (None when it knows none)."""
    host, port = sentinel.rsplit(":", 1)
    c = Conn(host, int(port), 0.2)
    try:
        if SENTINEL_PASSWORD:
            c.call("AUTH", SENTINEL_PASSWORD)
        return c.call("SENTINEL", "get-master-addr-by-name", name)
    finally:
        c.close()


def master(sentinels, name):
    """The master's Conn, or None while no sentinel names one that says it is the master."""
    for s in sentinels:
        try:
            addr = ask_sentinel(s, name)
            if not addr:
                continue
            m = Conn(addr[0], int(addr[1]), 2.0)
            if m.call("ROLE")[0] == "master":
                return m
            m.close()
        except (OSError, RedisError):
            continue
    return None


def still_master(conn, sentinels, name):
    """Whether the sentinels still name the node conn is connected to (a master cut off from the
    others keeps taking writes that its replacement will never have)."""
    here = conn.sock.getpeername()[:2]
    for s in sentinels:
        try:
            addr = ask_sentinel(s, name)
        except (OSError, RedisError):
            continue
        return bool(addr) and (addr[0], int(addr[1])) == (here[0], here[1])
    return True     # no sentinel answers: nothing says otherwise


def main():
    sentinels, name, stream, path = sys.argv[1].split(","), sys.argv[2], sys.argv[3], sys.argv[4]
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else 250
    pause = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    lines = [l.rstrip("\n") for l in open(path, encoding="utf-8") if l.strip()]
    conn, i, batches, resent, waits = None, 0, 0, 0, 0
    deadline = time.time() + 120
    while i < len(lines):
        if time.time() > deadline:
            sys.exit("push_wait: gave up at lead %d of %d" % (i, len(lines)))
        part = lines[i:i + batch]
        try:
            if conn is None:
                conn = master(sentinels, name)
                if conn is None:
                    time.sleep(0.1)
                    continue
            conn.send(*[("XADD", stream, "*", "json", l) for l in part], ("WAIT", 1, 1000))
            replies = [conn.reply() for _ in range(len(part) + 1)]
            errors = [r for r in replies if isinstance(r, RedisError)]
            if errors:
                raise errors[0]
            while replies[-1] < 1 and time.time() < deadline:
                waits += 1
                if not still_master(conn, sentinels, name):
                    raise RedisError("the sentinels name another master now")
                replies[-1] = conn.call("WAIT", 1, 1000)
            if replies[-1] < 1:
                continue
            i += len(part)
            batches += 1
            time.sleep(pause)
        except (OSError, RedisError) as e:
            print("push_wait: batch at lead %d sent again: %s" % (i, e), file=sys.stderr)
            resent += 1
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.05)
    print("batches=%d resent=%d waits=%d" % (batches, resent, waits))


if __name__ == "__main__":
    main()
