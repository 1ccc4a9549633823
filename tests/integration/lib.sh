# tests/integration/lib.sh - shared harness for integration tests: a throwaway redis-server, assertions, cleanup.
#
# Usage, in tests/integration/test_x.sh (run as `test_x.sh BUILD_DIR`):
#   . "$(dirname "$0")/lib.sh"      # sets BUILD_DIR, L2A, TEST_TMP, traps EXIT
#   REDIS_ARGS=(--opt value)        # optional: extra redis-server arguments, for every start
#   start_redis [--aof]             # exports REDIS_PORT, REDIS_URL, REDIS_DIR, L2A_PREFIX; rcli works
#   write_config FILE [YAML...]     # a config with redis.url and redis.prefix (plus any extra lines)
#   restart_redis / stop_redis / kill_redis
#   track_pid PID                   # a background process that cleanup must kill
#   fail MSG; assert_eq ACTUAL EXPECTED MSG; assert_contains TEXT NEEDLE MSG
#
# L2A_TEST_REDIS_URL=redis://host:port[/db] (or a unix socket path) uses an already running server
# instead: nothing is started or flushed, keys get a prefix of their own (L2A_PREFIX), and tests
# that need to restart or kill Redis call require_own_redis, which skips them (exit 77).
# L2A_TEST_KEEP=1 keeps the temp dir (redis.log, inputs) for a look after a failure.
set -euo pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
L2A=$BUILD_DIR/l2a
export BUILD_DIR L2A
TEST_NAME=$(basename "$0" .sh)
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/l2a-$TEST_NAME.XXXXXX")
export TEST_TMP

REDIS_PID=""
REDIS_AOF=no
REDIS_ARGS=()     # extra redis-server arguments a test sets before start_redis
REDIS_EXTERNAL=""
_L2A_PIDS=()

# l2a_run ARGS...: one call of $L2A; OUT gets its stdout, ERR its stderr, RC its exit status.
l2a_run() {
    RC=0
    OUT=$("$L2A" "$@" 2>"$TEST_TMP/stderr") || RC=$?
    ERR=$(cat "$TEST_TMP/stderr")
}

fail() {
    echo "FAIL [$TEST_NAME]: $*" >&2
    exit 1
}

# assert_eq ACTUAL EXPECTED MSG
assert_eq() {
    [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"
}

# assert_contains TEXT NEEDLE MSG
assert_contains() {
    case "$1" in
    *"$2"*) ;;
    *) fail "$3: '$2' not found in '$1'" ;;
    esac
}

track_pid() {
    _L2A_PIDS+=("$1")
}

# A free loopback TCP port (the kernel picks it; start_redis retries if it is taken meanwhile).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# redis-cli against the test server; raw output (one element a line).
rcli() {
    if [ -n "$REDIS_EXTERNAL" ]; then
        case "$REDIS_URL" in
        /*) redis-cli -s "$REDIS_URL" "$@" ;;
        unix://*) fail "rcli: use a bare socket path, not unix://, in L2A_TEST_REDIS_URL" ;;
        *) redis-cli --no-auth-warning -u "$REDIS_URL" "$@" ;;
        esac
    else
        redis-cli -p "$REDIS_PORT" "$@"
    fi
}

# Starts redis-server on REDIS_PORT in REDIS_DIR; 0 once PING answers, 1 if it died or never did.
# With --loading-ok, 0 already when PING is refused with -LOADING (the data set still loading).
_spawn_redis() {
    local reply loading_ok=${1:-}
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly "$REDIS_AOF" \
        --dir "$REDIS_DIR" --daemonize no "${REDIS_ARGS[@]}" >>"$REDIS_DIR/redis.log" 2>&1 &
    REDIS_PID=$!
    for _ in $(seq 1 100); do
        if ! kill -0 "$REDIS_PID" 2>/dev/null; then
            wait "$REDIS_PID" 2>/dev/null || true
            REDIS_PID=""
            return 1
        fi
        reply=$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null || true)
        [ "$reply" == "PONG" ] && return 0
        [ -n "$loading_ok" ] && [[ "$reply" == LOADING* ]] && return 0
        sleep 0.05
    done
    kill -9 "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
    return 1
}

# start_redis [--aof]: a fresh server (or L2A_TEST_REDIS_URL's). Exports REDIS_PORT, REDIS_URL,
# REDIS_DIR and L2A_PREFIX (the key prefix tests must use, "l2a:" on a server of our own).
start_redis() {
    [ "${1:-}" == "--aof" ] && REDIS_AOF=yes
    if [ -n "${L2A_TEST_REDIS_URL:-}" ]; then
        REDIS_EXTERNAL=1
        REDIS_URL=$L2A_TEST_REDIS_URL
        L2A_PREFIX="l2atest:$$:$RANDOM:"
        export REDIS_URL L2A_PREFIX
        [ "$(rcli ping)" == "PONG" ] || fail "L2A_TEST_REDIS_URL=$REDIS_URL does not answer PING"
        return 0
    fi
    command -v redis-server >/dev/null || fail "redis-server not found (scripts/deps installs it)"
    REDIS_DIR=$TEST_TMP/redis
    mkdir -p "$REDIS_DIR"
    for _ in 1 2 3 4 5; do
        REDIS_PORT=$(free_port)
        if _spawn_redis; then
            REDIS_URL=redis://127.0.0.1:$REDIS_PORT
            L2A_PREFIX="l2a:"
            export REDIS_PORT REDIS_URL REDIS_DIR L2A_PREFIX
            return 0
        fi
    done
    tail -n 20 "$REDIS_DIR/redis.log" >&2 || true
    fail "redis-server did not start"
}

# Stops our server cleanly (SHUTDOWN: the AOF, if on, is flushed), SIGKILL after 10 s.
stop_redis() {
    [ -n "$REDIS_PID" ] || return 0
    redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    for _ in $(seq 1 200); do
        kill -0 "$REDIS_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill -9 "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
}

# SIGKILL, no shutdown: what a crash looks like.
kill_redis() {
    require_own_redis
    [ -n "$REDIS_PID" ] || return 0
    kill -9 "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
}

# Stops (if running) and starts again on the same port and dir (with --aof, the data survives).
restart_redis() {
    require_own_redis
    stop_redis
    _spawn_redis || { tail -n 20 "$REDIS_DIR/redis.log" >&2; fail "redis-server did not restart"; }
}

require_own_redis() {
    if [ -n "$REDIS_EXTERNAL" ]; then
        echo "SKIP [$TEST_NAME]: needs a redis-server of its own (L2A_TEST_REDIS_URL is set)" >&2
        exit 77
    fi
}

# write_config FILE [LINE...]: a config naming the test server and prefix; extra YAML lines are
# appended as they are (e.g. "daemon:" "  batch_size: 10").
write_config() {
    local file=$1
    shift
    {
        echo "redis:"
        echo "  url: \"$REDIS_URL\""
        echo "  prefix: \"$L2A_PREFIX\""
        for line in "$@"; do echo "$line"; done
    } >"$file"
}

# Kills what the test started, removes the temp dir (kept with L2A_TEST_KEEP=1 and shown on failure).
cleanup() {
    local rc=$1
    for pid in "${_L2A_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${_L2A_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$REDIS_EXTERNAL" ] && [ -n "${L2A_PREFIX:-}" ]; then
        rcli --scan --pattern "${L2A_PREFIX}*" 2>/dev/null | while read -r key; do
            rcli del "$key" >/dev/null 2>&1 || true
        done
    fi
    stop_redis
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -f "$TEST_TMP/redis/redis.log" ]; then
        echo "---- last lines of redis.log" >&2
        tail -n 10 "$TEST_TMP/redis/redis.log" >&2 || true
    fi
    if [ -n "${L2A_TEST_KEEP:-}" ]; then
        echo "kept $TEST_TMP" >&2
    else
        rm -rf "$TEST_TMP"
    fi
}
trap 'cleanup $?' EXIT

# The accounts an `op rows` entry of STREAM carries (the Nth newest entry, default 1), one line per
# account: its fields "name=value" in column order, empty ones left out, separated by "|"
# (docs/redis-schema.md: `columns` and `rows`, items "<length>:<bytes>").
rows_entry() { # STREAM [N]
    rcli xrevrange "$1" + - count "${2:-1}" | awk -v n="${2:-1}" '/^[0-9]+-[0-9]+$/ { e++; next } e == n' |
        python3 -c '
import sys
lines = sys.stdin.buffer.read().split(b"\n")
f = dict(zip(lines[0::2], lines[1::2]))
assert f.get(b"op") == b"rows", f
def items(v):
    out, i = [], 0
    while i < len(v):
        j = v.index(b":", i)
        n = int(v[i:j])
        out.append(v[j + 1:j + 1 + n])
        i = j + 1 + n
    return out
cols, vals = items(f[b"columns"]), items(f[b"rows"])
assert len(vals) % len(cols) == 0, (cols, vals)
for a in range(0, len(vals), len(cols)):
    print("|".join((c + b"=" + v).decode() for c, v in zip(cols, vals[a:a + len(cols)]) if v))'
}

# The number of accounts announced on STREAM (l2a:accounts:changes): an `id` field each in the
# upsert/upserts/delete entries, and the rows of each `op rows` entry.
changes_accounts() { # STREAM
    rcli xrange "$1" - + | python3 -c '
import sys
lines = sys.stdin.buffer.read().split(b"\n")
def items(v):
    n, i = 0, 0
    while i < len(v):
        j = v.index(b":", i)
        i = j + 1 + int(v[i:j])
        n += 1
    return n
count, i = 0, 0
while i < len(lines):
    if lines[i] == b"columns" and i + 3 < len(lines) and lines[i + 2] == b"rows":
        count += items(lines[i + 3]) // items(lines[i + 1])
        i += 4
        continue
    count += lines[i] == b"id"
    i += 1
print(count)'
}
