# shellcheck shell=bash
# tests/integration/daemon_lib.sh - helpers for the l2ad tests on top of lib.sh: configs, daemons
# started and stopped with bounded waits, /healthz and /metrics, Redis-side checks of the results.
#
# Usage, in tests/integration/test_daemon_x.sh (run as `test_daemon_x.sh BUILD_DIR`):
#   . "$(dirname "$0")/daemon_lib.sh"
#   start_redis; gen_data DIR NACC NLEADS; daemon_config CFG PORT [YAML...]
#   start_daemon NAME CFG          # sets DAEMON_PID; log in $TEST_TMP/NAME.log
#   wait_ready PORT; wait_until SECS WHAT CMD...; stop_daemon PID NAME (SIGTERM, exit 0 in 10 s)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

L2AD=$BUILD_DIR/l2ad
SRC_DIR=${L2A_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
GEN_DATA=$SRC_DIR/tests/integration/gen_data.py
[ -x "$L2AD" ] || fail "$L2AD not built"
# l2ad refuses to run as root without --allow-root; the suite may run as root (containers, CI).
L2AD_ROOT_ARGS=()
[ "$(id -u)" -ne 0 ] || L2AD_ROOT_ARGS=(--allow-root)

# Milliseconds on the monotonic-enough wall clock (for bounded waits and timings).
now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# within SECONDS CMD...: runs CMD every 50 ms until it succeeds (status 0) or SECONDS pass (1).
within() {
    local deadline=$(($(now_ms) + $1 * 1000))
    shift
    until "$@"; do
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

# wait_until SECONDS WHAT CMD...: runs CMD every 50 ms until it succeeds; fails naming WHAT after
# SECONDS.
wait_until() {
    local secs=$1 what=$2
    shift 2
    within "$secs" "$@" || fail "timed out after ${secs} s waiting for $what"
}

# gen_data DIR NACC NLEADS [SEED] [ID_PREFIX]: DIR/accounts.csv and DIR/leads.jsonl.
gen_data() {
    mkdir -p "$1"
    python3 "$GEN_DATA" "$@" || fail "gen_data.py $*"
}

# daemon_config FILE HTTP_PORT [YAML...]: a daemon config on the test server: http.listen on the
# port, the shipped lists by absolute path, then the extra lines (which must not repeat a section
# given here: redis, http, lists).
daemon_config() {
    local file=$1 port=$2
    shift 2
    write_config "$file" "http:" "  listen: \"127.0.0.1:$port\"" "lists:" \
        "  freemail: \"$SRC_DIR/conf/freemail-domains.txt\"" \
        "  disposable: \"$SRC_DIR/conf/disposable-email-domains.txt\"" \
        "  legal_forms: \"$SRC_DIR/conf/legal-forms.tsv\"" "$@"
}

# start_daemon NAME CFG [ARGS...]: l2ad in the background, stdout+stderr appended to
# $TEST_TMP/NAME.log; DAEMON_PID is its pid (cleanup kills it).
start_daemon() {
    local name=$1 cfg=$2
    shift 2
    "$L2AD" --config "$cfg" "${L2AD_ROOT_ARGS[@]}" "$@" >>"$TEST_TMP/$name.log" 2>&1 &
    DAEMON_PID=$!
    track_pid "$DAEMON_PID"
}

# wait_exit PID SECONDS: waits for PID to end; EXIT_RC is its status. Fails after SECONDS.
wait_exit() {
    local pid=$1 secs=$2
    wait_until "$secs" "process $pid to exit" _gone "$pid"
    EXIT_RC=0
    wait "$pid" 2>/dev/null || EXIT_RC=$?
}

_gone() {
    ! kill -0 "$1" 2>/dev/null
}

# stop_daemon PID NAME: SIGTERM, exit status 0 within 10 s, and a log free of sanitizer reports.
stop_daemon() {
    kill -TERM "$1"
    wait_exit "$1" 10
    [ "$EXIT_RC" -eq 0 ] || { tail -n 30 "$TEST_TMP/$2.log" >&2; fail "l2ad ($2) exited $EXIT_RC after SIGTERM"; }
    assert_log_clean "$2"
}

# assert_log_clean NAME: no sanitizer report and no crash in $TEST_TMP/NAME.log.
assert_log_clean() {
    if grep -qE 'Sanitizer|runtime error:|LeakSanitizer' "$TEST_TMP/$1.log"; then
        grep -E -A20 'Sanitizer|runtime error:' "$TEST_TMP/$1.log" | head -n 40 >&2
        fail "sanitizer report in $1.log"
    fi
}

# http_code PORT PATH: the status code of GET, 000 when nothing answers.
http_code() {
    curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1$2" || true
}

_http_is() {
    [ "$(http_code "$1" /healthz)" == "$2" ]
}

# wait_ready PORT: /healthz says 200 within 30 s.
wait_ready() {
    wait_until 30 "/healthz 200 on port $1" _http_is "$1" 200
}

# metric PORT LINE-PREFIX: the value of the first /metrics line starting with the prefix plus a
# space (e.g. 'l2a_leads_total{decision="match"}'); empty when absent.
# (awk reads to the end: leaving early would fail curl's write, and the pipeline, with status 23)
metric() {
    curl -s -m 2 "http://127.0.0.1:$1/metrics" |
        awk -v p="$2" '!seen && index($0, p " ") == 1 { print $2; seen = 1 }'
}

# Sum of l2a_leads_total over the decisions.
leads_total() {
    curl -s -m 2 "http://127.0.0.1:$1/metrics" |
        awk '/^l2a_leads_total\{/ { s += $2 } END { print s + 0 }'
}

# Entries the group has delivered and not acknowledged (XPENDING summary count).
pending_count() {
    rcli xpending "${L2A_PREFIX}leads" l2a | head -n 1
}

# The group's lag: entries not yet delivered to any consumer (XINFO GROUPS, Redis 7).
group_lag() {
    rcli xinfo groups "${L2A_PREFIX}leads" | awk 'p { print; exit } $0 == "lag" { p = 1 }'
}

# Every entry delivered and acknowledged: nothing left to do for the group.
_group_idle() {
    [ "$(group_lag)" == 0 ] && [ "$(pending_count)" == 0 ]
}

# wait_group_idle SECONDS: waits until every entry is delivered and acknowledged.
wait_group_idle() {
    wait_until "$1" "every entry delivered and acknowledged (lag 0, pending 0)" _group_idle
}

# Result hashes and how many of them name a stream_id that is not an entry of the input stream:
# prints "HASHES BAD". One server-side script: XRANGE the stream, SCAN the hashes.
RESULTS_LUA='
local ids = {}
for _, e in ipairs(redis.call("XRANGE", KEYS[1], "-", "+")) do ids[e[1]] = true end
local cursor, n, bad = "0", 0, 0
repeat
  local r = redis.call("SCAN", cursor, "MATCH", ARGV[1], "COUNT", 1000)
  cursor = r[1]
  for _, k in ipairs(r[2]) do
    n = n + 1
    local sid = redis.call("HGET", k, "stream_id")
    if not sid or not ids[sid] then bad = bad + 1 end
  end
until cursor == "0"
return {n, bad}'
result_stats() {
    rcli eval "$RESULTS_LUA" 1 "${L2A_PREFIX}leads" "${L2A_PREFIX}lead:*" | paste -sd' '
}

result_count() {
    result_stats | cut -d' ' -f1
}

# lead_hashes_json DECISIONS OUT: the result hashes of the decisions' leads (a JSONL file of
# `l2a match` output; leads without an id left out) as one JSON object, lead id -> fields.
LEAD_HASHES_LUA='local out = {}
for i, id in ipairs(ARGV) do
  local h = redis.call("HGETALL", KEYS[1] .. id)
  local o = {}
  for j = 1, #h, 2 do o[h[j]] = h[j + 1] end
  out[id] = o
end
return cjson.encode(out)'
lead_hashes_json() {
    local ids
    ids=$(python3 -c 'import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["lead_id"]: print(d["lead_id"])' "$1")
    # shellcheck disable=SC2086
    rcli eval "$LEAD_HASHES_LUA" 1 "${L2A_PREFIX}lead:" $ids >"$2"
}

# Every entry the group acknowledged (at or before last-delivered-id and not pending) has its
# result hash naming that entry, or is in the dead-letter stream: prints "ACKED MISSING".
ACKED_LUA='
local last = "0-0"
for _, g in ipairs(redis.call("XINFO", "GROUPS", KEYS[1])) do
  for i = 1, #g, 2 do if g[i] == "last-delivered-id" then last = g[i + 1] end end
end
local pend = {}
for _, p in ipairs(redis.call("XPENDING", KEYS[1], ARGV[1], "-", "+", 1000000)) do pend[p[1]] = true end
local dead = {}
if redis.call("EXISTS", KEYS[2]) == 1 then
  for _, e in ipairs(redis.call("XRANGE", KEYS[2], "-", "+")) do
    for i = 1, #e[2], 2 do if e[2][i] == "stream_id" then dead[e[2][i + 1]] = true end end
  end
end
local acked, missing = 0, 0
for _, e in ipairs(redis.call("XRANGE", KEYS[1], "-", last)) do
  if not pend[e[1]] then
    acked = acked + 1
    if not dead[e[1]] then
      local id
      for i = 1, #e[2], 2 do
        if e[2][i] == "json" then id = cjson.decode(e[2][i + 1]).id
        elseif e[2][i] == "id" then id = e[2][i + 1] end
      end
      local sid = id and redis.call("HGET", ARGV[2] .. id, "stream_id")
      if not sid then missing = missing + 1 end
    end
  end
end
return {acked, missing}'
acked_stats() {
    rcli eval "$ACKED_LUA" 2 "${L2A_PREFIX}leads" "${L2A_PREFIX}leads:dead" l2a "${L2A_PREFIX}lead:" |
        paste -sd' '
}

# setup_accounts NACC NLEADS SEED: gen_data's files in $TEST_TMP/data, $TEST_TMP/tools.yaml (a
# config for the l2a tools) and the accounts imported; the leads are not pushed.
setup_accounts() {
    gen_data "$TEST_TMP/data" "$1" "$2" "$3"
    write_config "$TEST_TMP/tools.yaml"
    "$L2A" import-accounts --config "$TEST_TMP/tools.yaml" "$TEST_TMP/data/accounts.csv" >/dev/null
}

# push_leads FILE: the JSONL leads appended to the input stream with $TEST_TMP/tools.yaml.
push_leads() {
    "$L2A" push --config "$TEST_TMP/tools.yaml" "$1" >/dev/null
}

# setup_leads N SEED: N generated leads (and 300 accounts) imported and pushed with
# $TEST_TMP/tools.yaml; the files in $TEST_TMP/data; BASE = the key count before any result.
setup_leads() {
    setup_accounts 300 "$1" "$2"
    "$L2A" push --config "$TEST_TMP/tools.yaml" "$TEST_TMP/data/leads.jsonl" >/dev/null
    BASE=$(dbsize)
}

# wait_mid_run WHAT LOW HIGH: waits (120 s at most) until LOW <= results (keys added since BASE)
# and fails if the run reached HIGH first: what comes next (WHAT) would not land mid-run.
# MID_AT is the count seen. (60 s was once too short for an ASan daemon's start and first results
# on a machine at load ~10.)
wait_mid_run() {
    local what=$1 low=$2 high=$3 deadline=$(($(now_ms) + 120000))
    while :; do
        MID_AT=$(($(dbsize) - BASE))
        [ "$MID_AT" -lt "$high" ] || fail "$MID_AT results before $what, past $high: not mid-run"
        [ "$MID_AT" -lt "$low" ] || return 0
        [ "$(now_ms)" -lt "$deadline" ] || fail "only $MID_AT results after 120 s (before $what)"
        sleep 0.01
    done
}

# Keys in the database: a cheap progress probe while a run goes (results = dbsize - baseline).
dbsize() {
    rcli dbsize
}

# ---- shared by the wedge tests (test_wedge_*.sh) and the crash test ----------------------------

# unready_says BODY NEEDLE: BODY is a not-ready /healthz answer naming its "state" and, case
# aside, NEEDLE (the Redis error behind it: OOM, LOADING, NOGROUP...).
unready_says() {
    case "$1" in *'"state"'*) ;; *) return 1 ;; esac
    grep -qi -- "$2" <<<"$1"
}

# health_poll PORT [MAX_SECS]: one GET /healthz (at most MAX_SECS, default 2); HEALTH_CODE is the
# status (000 when nothing answered in time), HEALTH_BODY the body, HEALTH_SECS the time taken.
health_poll() {
    local out
    rm -f "$TEST_TMP/healthz.body"
    out=$(curl -s -m "${2:-2}" -o "$TEST_TMP/healthz.body" -w '%{http_code} %{time_total}' \
        "http://127.0.0.1:$1/healthz" || true)
    HEALTH_CODE=${out% *}
    # shellcheck disable=SC2034  # read by the callers
    HEALTH_SECS=${out#* }
    HEALTH_BODY=$(cat "$TEST_TMP/healthz.body" 2>/dev/null || true)
}

# wait_unready_reason PORT NEEDLE SECS: polls /healthz up to SECS until it is 503 with a body
# unready_says accepts; UNREADY_BODY is the last 503 body seen (empty when none). Never fails:
# the caller asserts on UNREADY_BODY once the run's main outcome is checked.
wait_unready_reason() {
    local port=$1 needle=$2 deadline=$(($(now_ms) + $3 * 1000))
    UNREADY_BODY=""
    while [ "$(now_ms)" -lt "$deadline" ]; do
        health_poll "$port"
        if [ "$HEALTH_CODE" == 503 ]; then
            UNREADY_BODY=$HEALTH_BODY
            unready_says "$UNREADY_BODY" "$needle" && return 0
        fi
        sleep 0.1
    done
    return 0
}

# assert_unready_reason BODY NEEDLE WHAT: BODY (a 503 /healthz body) has a "state" and NEEDLE.
assert_unready_reason() {
    [ -n "$1" ] || fail "$3: /healthz never answered 503"
    unready_says "$1" "$2" || fail "$3: the 503 /healthz body has no \"state\" or no '$2': $1"
}

# wait_drained SECS WHAT: waits until every entry is delivered and acknowledged (lag 0, pending
# 0); after SECS fails naming WHAT with the counts reached (results, pending, lag, dead letters).
wait_drained() {
    within "$1" _group_idle && return 0
    group_exists || fail "$2: after $1 s there is no consumer group l2a at all: $(result_count)" \
        "results, $(dead_count) dead letters"
    fail "$2: not every entry delivered and acknowledged after $1 s: $(result_count)" \
        "results, $(pending_count) pending, lag $(group_lag), $(dead_count) dead letters"
}

# group_exists: the input stream has the consumer group l2a.
group_exists() {
    rcli xinfo groups "${L2A_PREFIX}leads" 2>/dev/null | grep -qx l2a
}

# Entries in the dead-letter stream (0 when it does not exist).
dead_count() {
    rcli xlen "${L2A_PREFIX}leads:dead"
}

# assert_recorded_once NGOOD NBAD: the end state of a run: NGOOD result hashes, each naming an
# entry of the input stream; every entry (NGOOD + NBAD) acknowledged with its result or dead
# letter; NBAD dead letters; nothing pending.
assert_recorded_once() {
    local ngood=$1 nbad=$2
    assert_eq "$(pending_count)" 0 "pending entries"
    assert_eq "$(result_stats)" "$ngood 0" \
        "result hashes, and hashes whose stream_id is not a stream entry"
    assert_eq "$(acked_stats)" "$((ngood + nbad)) 0" \
        "acknowledged entries, and those without a result or dead letter"
    assert_eq "$(dead_count)" "$nbad" "dead letters"
}

# watch_hsets: from now on every HSET on a key is logged to $TEST_TMP/hset.log (keyspace
# notifications, a background subscriber), so that a result hash written twice shows up twice.
# Needs a server of our own that stays up.
watch_hsets() {
    rcli config set notify-keyspace-events Eh >/dev/null
    stdbuf -oL redis-cli -p "$REDIS_PORT" subscribe "__keyevent@0__:hset" >"$TEST_TMP/hset.log" 2>&1 &
    track_pid $!
    wait_until 10 "the keyspace subscriber" _hsets_subscribed
}

_hsets_subscribed() {
    [ "$(rcli pubsub numsub "__keyevent@0__:hset" | tail -n 1)" == 1 ]
}

_hsets_seen() {
    [ "$(grep -c "^${L2A_PREFIX}lead:" "$TEST_TMP/hset.log")" -ge "$1" ]
}

# assert_hsets_once N: N HSETs of result hashes since watch_hsets, on N distinct keys.
assert_hsets_once() {
    wait_until 10 "$1 hset notifications" _hsets_seen "$1"
    grep "^${L2A_PREFIX}lead:" "$TEST_TMP/hset.log" | sort | uniq -d >"$TEST_TMP/twice.txt"
    [ ! -s "$TEST_TMP/twice.txt" ] ||
        fail "$(wc -l <"$TEST_TMP/twice.txt") result hashes written more than once, e.g. $(head -n 3 "$TEST_TMP/twice.txt" | tr '\n' ' ')"
    assert_eq "$(grep -c "^${L2A_PREFIX}lead:" "$TEST_TMP/hset.log")" "$1" "HSETs of result hashes"
}

# redis_info FIELD: one field of INFO (all default sections), empty when absent.
redis_info() {
    rcli info | tr -d '\r' | sed -n "s/^$1://p"
}

# redis_errors PREFIX: how many error replies of that kind (OOM, LOADING, NOGROUP...) the server
# sent since it started (INFO errorstats), 0 when none.
redis_errors() {
    local n
    n=$(rcli info errorstats | tr -d '\r' | sed -n "s/^errorstat_$1:count=\([0-9]*\).*/\1/p")
    echo "${n:-0}"
}
