#!/usr/bin/env bash
# tests/integration/test_wedge_oom_start.sh - l2ad started while Redis is over maxmemory (noeviction): /healthz 503 naming OOM, then consumes by itself once memory is raised.
#
# Wedge on the code this was written against: XGROUP CREATE is refused with -OOM (even though the
# group exists), the failure is logged once and never retried, so after maxmemory is raised the
# daemon still reads nothing and /healthz stays 503.
# Observed there (de55f5c): "after maxmemory was raised: not every entry delivered and acknowledged
# after 60 s: 0 results, 0 pending, lag 2000, 0 dead letters"; the log has one group_create_failed
# "OOM command not allowed when used memory > 'maxmemory'." and nothing after it. Fails in ~82 s.
# shellcheck disable=SC2119  # start_redis takes an optional --aof
. "$(dirname "$0")/daemon_lib.sh"

require_own_redis
start_redis
P=$L2A_PREFIX
N=2000
setup_leads "$N" 31
watch_hsets
rcli xgroup create "${P}leads" l2a 0 >/dev/null

# ---- over maxmemory before l2ad starts ---------------------------------------------------------------
used=$(redis_info used_memory)
rcli config set maxmemory-policy noeviction >/dev/null
rcli config set maxmemory $((used - 256 * 1024)) >/dev/null
[ "$(rcli set probe 1 2>&1)" != OK ] || fail "a write still succeeds below used_memory $used"

PORT=$(free_port)
daemon_config "$TEST_TMP/l2a.yaml" "$PORT" "daemon:" "  batch_size: 100"
start_daemon l2ad "$TEST_TMP/l2a.yaml"
PID=$DAEMON_PID
_refused() { [ "$(redis_errors OOM)" -gt 1 ]; }   # the probe above was one
wait_until 30 "l2ad to get an -OOM reply" _refused
wait_until 30 "/healthz 503 while Redis is over maxmemory" _http_is "$PORT" 503
wait_unready_reason "$PORT" OOM 20
over_body=$UNREADY_BODY
# Entries it read while over maxmemory stay pending under its name: none recorded, none acked,
# none dead-lettered (a refused write is retried, not counted as a delivery).
assert_eq "$(rcli --scan --pattern "${P}lead:*" | wc -l)" 0 "results recorded while over maxmemory"
assert_eq "$(rcli xlen "${P}leads:dead")" 0 "dead letters while over maxmemory"

# ---- memory raised: it consumes by itself ------------------------------------------------------------
rcli config set maxmemory 0 >/dev/null
raised=$(now_ms)
wait_drained 60 "after maxmemory was raised"
wait_until 30 "/healthz 200 after maxmemory was raised" _http_is "$PORT" 200
echo "consuming and done $(($(now_ms) - raised)) ms after maxmemory was raised" >&2
assert_recorded_once "$N" 0
assert_hsets_once "$N"
assert_eq "$(leads_total "$PORT")" "$N" "leads counted in /metrics"

assert_unready_reason "$over_body" OOM "/healthz while Redis was over maxmemory"
# (the body is read whole first: `curl | grep -q` fails under pipefail when grep stops early)
metrics_body=$(curl -s -m 2 "http://127.0.0.1:$PORT/metrics")
grep -qE '^l2a_daemon_state[ {]' <<<"$metrics_body" ||
    fail "no l2a_daemon_state gauge in /metrics"

stop_daemon "$PID" l2ad
echo "ok [$TEST_NAME]"
