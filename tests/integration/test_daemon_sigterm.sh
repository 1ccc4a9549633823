#!/usr/bin/env bash
# tests/integration/test_daemon_sigterm.sh - SIGTERM in the middle of 20,000 leads: l2ad drains and
# exits 0 within 10 s; every entry it acknowledged has its result hash, none is left pending; a
# restarted daemon finishes the rest. SIGTERM while blocked in a long XREADGROUP exits at once;
# SIGTERM while Redis stalls exits 0 too, and what it read is claimed by the next daemon.
. "$(dirname "$0")/daemon_lib.sh"

start_redis
P=$L2A_PREFIX
N=20000
setup_leads "$N" 23

PORT=$(free_port)
CFG=$TEST_TMP/l2a.yaml
daemon_config "$CFG" "$PORT" "daemon:" "  batch_size: 200" "  max_in_flight: 1000" "  block_ms: 20000"
start_daemon first "$CFG"
PID=$DAEMON_PID

# ---- SIGTERM between 10% and 80% ----------------------------------------------------------------------
wait_mid_run SIGTERM $((N / 10)) $((N * 8 / 10))
n=$MID_AT
t0=$(now_ms)
kill -TERM "$PID"
wait_exit "$PID" 10
echo "SIGTERM with $n+ results: exit $EXIT_RC after $(($(now_ms) - t0)) ms" >&2
assert_eq "$EXIT_RC" 0 "exit status after SIGTERM"
assert_log_clean first
grep -q 'event=draining' "$TEST_TMP/first.log" || fail "no draining log line"
grep -q 'event=stopped in_flight=0' "$TEST_TMP/first.log" || fail "stopped with leads in flight"

read -r results bad <<<"$(result_stats)"
[ "$results" -lt "$N" ] || fail "the run finished before SIGTERM"
assert_eq "$bad" 0 "hashes whose stream_id is not a stream entry"
assert_eq "$(pending_count)" 0 "entries left pending by the drain"
assert_eq "$(acked_stats)" "$results 0" "acknowledged entries (= results), and those without a result"

# ---- a new daemon finishes the rest ----------------------------------------------------------------------
start_daemon second "$CFG"
PID=$DAEMON_PID
wait_group_idle 60
assert_eq "$(result_stats)" "$N 0" "result hashes after the restart"
assert_eq "$(acked_stats)" "$N 0" "acknowledged entries, and those without a result"
assert_eq "$(leads_total "$PORT")" "$((N - results))" "leads recorded by the second daemon"

# ---- idle, blocked in XREADGROUP BLOCK 20000: SIGTERM unblocks it ---------------------------------------------
wait_ready "$PORT"
_blocked() { rcli client list | grep 'cmd=xreadgroup' | grep -q 'flags=b'; }
wait_until 10 "the reader blocked in XREADGROUP" _blocked
t0=$(now_ms)
stop_daemon "$PID" second
ms=$(($(now_ms) - t0))
[ "$ms" -lt 3000 ] || fail "SIGTERM while blocked took $ms ms (block_ms is 20000)"

# ---- SIGTERM while Redis stalls (CLIENT PAUSE WRITE) with leads in flight: exit 0 within 10 s (the
# command timeout gives up on them); they stay pending and another consumer claims them ---------------
M=10000
gen_data "$TEST_TMP/more" 300 "$M" 23 00S
daemon_config "$CFG" "$PORT" "daemon:" "  batch_size: 200" "  max_in_flight: 1000" \
    "  command_timeout_ms: 3000" "  claim_idle_ms: 1000"
start_daemon third "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"
BASE=$(dbsize)
"$L2A" push --config "$TEST_TMP/tools.yaml" "$TEST_TMP/more/leads.jsonl" >/dev/null
_some() { [ $(($(dbsize) - BASE)) -ge 200 ]; }
wait_until 30 "the first results of the third daemon" _some
rcli client pause 15000 write >/dev/null
[ $(($(dbsize) - BASE)) -lt "$M" ] && [ "$(pending_count)" -gt 0 ] ||
    fail "Redis paused after the third daemon's run: nothing in flight"
t0=$(now_ms)
kill -TERM "$PID"
wait_exit "$PID" 10
echo "SIGTERM while Redis is paused: exit $EXIT_RC after $(($(now_ms) - t0)) ms, $(pending_count) pending" >&2
rcli client unpause >/dev/null
assert_eq "$EXIT_RC" 0 "exit status after SIGTERM with Redis paused"
assert_log_clean third
[ "$(rcli xlen "${P}leads")" == $((N + M)) ] || fail "input stream length"
start_daemon fourth "$CFG"
PID=$DAEMON_PID
wait_group_idle 60
assert_eq "$(result_stats)" "$((N + M)) 0" "result hashes after the claim"
assert_eq "$(acked_stats)" "$((N + M)) 0" "acknowledged entries, and those without a result"
stop_daemon "$PID" fourth
echo "ok [$TEST_NAME]"
