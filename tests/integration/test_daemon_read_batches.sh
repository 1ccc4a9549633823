#!/usr/bin/env bash
# tests/integration/test_daemon_read_batches.sh - with a backlog and leads still in flight, l2ad
# reads whole batches: every XREADGROUP asks for daemon.batch_size entries (never the few that fit
# under max_in_flight at that moment, which would cost Redis a read and a call's overhead for a
# handful of leads), and every lead is still recorded once.
. "$(dirname "$0")/daemon_lib.sh"

start_redis
PORT=$(free_port)
CFG=$TEST_TMP/l2a.yaml
daemon_config "$CFG" "$PORT" "daemon:" "  batch_size: 100" "  max_in_flight: 150"
gen_data "$TEST_TMP/data" 300 2000 11
"$L2A" import-accounts --config "$CFG" "$TEST_TMP/data/accounts.csv" >/dev/null 2>&1
"$L2A" push --config "$CFG" "$TEST_TMP/data/leads.jsonl" >/dev/null 2>&1
redis-cli -p "$REDIS_PORT" monitor >"$TEST_TMP/monitor.txt" &
MON=$!
track_pid "$MON"
start_daemon l2ad "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"
wait_drained 60 "the backlog recorded"
kill "$MON"
stop_daemon "$PID" l2ad

counts=$(grep -o '"XREADGROUP" .*"COUNT" "[0-9]*"' "$TEST_TMP/monitor.txt" |
    sed 's/.*"COUNT" "\([0-9]*\)"/\1/' | sort | uniq -c | awk '{print $2 "x" $1}' | paste -sd' ')
full=$(grep -c '"XREADGROUP" .*"COUNT" "100"' "$TEST_TMP/monitor.txt" || true)
[ "$full" -ge 20 ] || fail "expected at least 20 reads of 100 for 2,000 leads, got $full ($counts)"
assert_eq "$counts" "100x$full" "the COUNT of every XREADGROUP (value x reads)"
assert_eq "$(result_count)" "$(grep -c '"id"' "$TEST_TMP/data/leads.jsonl")" "result hashes"
echo "ok [$TEST_NAME]"
