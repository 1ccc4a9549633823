#!/usr/bin/env bash
# tests/integration/test_daemon_two_workers.sh - two l2ad in one consumer group (one named by
# daemon.consumer, one by the default hostname:slot) share 20,000 leads: each lead is recorded
# exactly once, both did part of the work (their /metrics on two ports), pending ends empty.
. "$(dirname "$0")/daemon_lib.sh"

start_redis
P=$L2A_PREFIX
N=20000
gen_data "$TEST_TMP/data" 300 "$N" 17
write_config "$TEST_TMP/tools.yaml"
"$L2A" import-accounts --config "$TEST_TMP/tools.yaml" "$TEST_TMP/data/accounts.csv" >/dev/null

PORT1=$(free_port)
PORT2=$(free_port)
[ "$PORT1" != "$PORT2" ] || PORT2=$(free_port)
daemon_config "$TEST_TMP/w1.yaml" "$PORT1" "daemon:" "  consumer: \"worker-one\"" "  batch_size: 50"
daemon_config "$TEST_TMP/w2.yaml" "$PORT2" "daemon:" "  batch_size: 50"
start_daemon w1 "$TEST_TMP/w1.yaml"
PID1=$DAEMON_PID
start_daemon w2 "$TEST_TMP/w2.yaml"
PID2=$DAEMON_PID
wait_ready "$PORT1"
wait_ready "$PORT2"

"$L2A" push --config "$TEST_TMP/tools.yaml" "$TEST_TMP/data/leads.jsonl" >/dev/null
wait_group_idle 60

assert_eq "$(result_stats)" "$N 0" "result hashes, and hashes whose stream_id is not a stream entry"
assert_eq "$(acked_stats)" "$N 0" "acknowledged entries, and those without a result"
n1=$(leads_total "$PORT1")
n2=$(leads_total "$PORT2")
echo "worker-one recorded $n1, the other $n2" >&2
assert_eq "$((n1 + n2))" "$N" "leads recorded by the two workers together (each once)"
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || fail "one worker did nothing: $n1 and $n2"

consumers=$(rcli xinfo consumers "${P}leads" l2a | awk 'p { print; p = 0 } $0 == "name" { p = 1 }')
grep -qx worker-one <<<"$consumers" || fail "no consumer named by daemon.consumer: $consumers"
default=$(grep -v '^worker-one$' <<<"$consumers")
# the default name is stable across restarts: host and the first free slot on it (not the pid)
[[ "$default" =~ ^"$(hostname)":[0-9]+$ ]] || fail "default consumer name '$default', expected $(hostname):<slot>"
grep -q "event=ready consumer=$default " "$TEST_TMP/w2.log" || fail "w2 did not log its default name"

stop_daemon "$PID1" w1
stop_daemon "$PID2" w2
echo "ok [$TEST_NAME]"
