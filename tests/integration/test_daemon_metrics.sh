#!/usr/bin/env bash
# tests/integration/test_daemon_metrics.sh - /metrics beyond the lead counters: l2a_build_info,
# the process_* metrics, l2a_errors_total equal to the error lines logged, the timed-out command
# counter moving when Redis stalls past daemon.command_timeout_ms, and the last reload's outcome;
# the log: --verbose gives one line per lead, the ready line says where HTTP listens, and a
# JOURNAL_STREAM that is not stderr gives no journald <N> prefixes.
. "$(dirname "$0")/daemon_lib.sh"

require_own_redis
start_redis
setup_leads 200 31
PORT=$(free_port)
CFG=$TEST_TMP/l2a.yaml
daemon_config "$CFG" "$PORT" "daemon:" "  command_timeout_ms: 500" "  block_ms: 200"
JOURNAL_STREAM=1:2 start_daemon l2ad "$CFG" --verbose
PID=$DAEMON_PID
wait_ready "$PORT"
wait_group_idle 60
assert_eq "$(grep -c 'event=lead_decided ' "$TEST_TMP/l2ad.log")" 200 "--verbose: a line per lead"
grep -q "event=ready .* http=127.0.0.1:$PORT" "$TEST_TMP/l2ad.log" || fail "the ready line lacks http="
tr '\0' '\n' <"/proc/$PID/environ" | grep -qx 'JOURNAL_STREAM=1:2' || fail "JOURNAL_STREAM not set"
! grep -q '^<[0-9]>' "$TEST_TMP/l2ad.log" || fail "journald prefixes while stderr is a file"

body=$(curl -s -m 2 "http://127.0.0.1:$PORT/metrics")
version=$("$L2AD" --version | awk '{print $2}')
assert_contains "$body" "l2a_build_info{version=\"$version\"} 1" "build info"
for m in process_cpu_seconds_total process_start_time_seconds process_resident_memory_bytes \
    process_open_fds; do
    grep -qE "^$m [0-9.]+$" <<<"$body" || fail "no $m in /metrics"
done
[ "$(metric "$PORT" process_resident_memory_bytes)" -gt 1000000 ] || fail "resident memory under 1 MB"
assert_eq "$(metric "$PORT" l2a_config_last_reload_successful)" 1 "last reload ok before any"

# ---- Redis stalls longer than the command timeout: the timeouts are counted ------------------------
assert_eq "$(metric "$PORT" l2a_redis_commands_timed_out_total)" 0 "timeouts before the stall"
rcli client pause 2000 all >/dev/null
_timed_out() { [ "$(metric "$PORT" l2a_redis_commands_timed_out_total)" -ge 1 ]; }
wait_until 20 "a timed-out command counted" _timed_out
wait_ready "$PORT"

# ---- a refused reload: counted, the gauge says so, and it is an error line --------------------------
printf '%s\n' "  bogus_key: 1" >>"$CFG"
kill -HUP "$PID"
_refused() { [ "$(metric "$PORT" l2a_config_last_reload_successful)" == 0 ]; }
wait_until 20 "l2a_config_last_reload_successful 0" _refused

# l2a_errors_total is the number of error lines in the log
errors_logged() { grep -c 'level=error' "$TEST_TMP/l2ad.log" || true; }
_errors_match() { [ "$(metric "$PORT" l2a_errors_total)" == "$(errors_logged)" ]; }
wait_until 10 "l2a_errors_total = error lines ($(errors_logged))" _errors_match
[ "$(errors_logged)" -ge 1 ] || fail "no error line after a refused reload"
stop_daemon "$PID" l2ad
echo "ok [$TEST_NAME]"
