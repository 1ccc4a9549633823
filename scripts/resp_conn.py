"""scripts/resp_conn.py - a plain RESP2 connection to Redis for the project's Python scripts (no
client library to install): commands encoded, replies read as bytes, lists, None, or a
RedisError. Imported by scripts in this directory (their own directory is on sys.path)."""
import socket


class RedisError(Exception):
    """An error reply."""


def command(args):
    """One command as RESP; each argument bytes or str."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """A connection to 127.0.0.1:port (or host)."""

    def __init__(self, port, host="127.0.0.1"):
        self.sock = socket.create_connection((host, port))
        self.buf = self.sock.makefile("rb")

    def send(self, *args):
        self.sock.sendall(command(args))

    def reply(self):
        """The next reply; an error reply is returned as a RedisError, not raised."""
        line = self.buf.readline()
        if not line:
            raise OSError("Redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind in (b"+", b":"):
            return rest
        if kind == b"-":
            return RedisError(rest.decode(errors="replace"))
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.buf.read(n + 2)[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise OSError("unexpected reply %r" % line)

    def call(self, *args):
        """Sends a command and returns its reply; an error reply is raised."""
        self.send(*args)
        r = self.reply()
        if isinstance(r, RedisError):
            raise r
        return r

    def close(self):
        self.buf.close()
        self.sock.close()
