#!/usr/bin/env bash
# tests/integration/test_wedge_group_destroyed.sh - XGROUP DESTROY mid-run: l2ad recreates the group and resumes by itself, every lead once, earlier dead letters not written twice.
#
# Wedge on the code this was written against: the next XREADGROUP gets -NOGROUP, the daemon only
# marks the group as not ready and never creates it again; nothing more is read.
# Observed there (de55f5c): "timed out after 30 s waiting for l2ad to create the consumer group
# again after XGROUP DESTROY"; the log has record_failed "NOGROUP No such key 'l2a:leads' or
# consumer group 'l2a'" for the leads in flight. Fails in ~31 s.
# shellcheck disable=SC2119  # start_redis takes an optional --aof
. "$(dirname "$0")/daemon_lib.sh"

start_redis
P=$L2A_PREFIX
N=10000
setup_accounts 300 "$N" 29

# Bad entries first in the stream, so they are dead-lettered long before the destroy.
rcli xadd "${P}leads" '*' json '{"id":"BAD1","email":' >/dev/null
rcli xadd "${P}leads" '*' email nobody@example.org company "No Id Flat" >/dev/null
rcli xadd "${P}leads" '*' json '["BAD3"]' >/dev/null
NBAD=3
push_leads "$TEST_TMP/data/leads.jsonl"
BASE=$(dbsize)
watch_hsets

PORT=$(free_port)
daemon_config "$TEST_TMP/l2a.yaml" "$PORT" "daemon:" "  batch_size: 100" "  max_in_flight: 500" \
    "  claim_idle_ms: 2000"
start_daemon l2ad "$TEST_TMP/l2a.yaml"
PID=$DAEMON_PID
wait_ready "$PORT"

# ---- the group goes away between 10% and 70% of the run ------------------------------------------
wait_mid_run "XGROUP DESTROY" $((N / 10)) $((N * 7 / 10))
assert_eq "$(dead_count)" "$NBAD" "dead letters before the destroy"
rcli xgroup destroy "${P}leads" l2a >/dev/null
destroyed=$(now_ms)
echo "group destroyed with $MID_AT+ of $N results" >&2

# ---- consumption resumes by itself ------------------------------------------------------------------
wait_until 30 "l2ad to create the consumer group again after XGROUP DESTROY" group_exists
wait_drained 90 "after the group was recreated"
echo "resumed and done $(($(now_ms) - destroyed)) ms after the destroy" >&2
wait_ready "$PORT"
assert_recorded_once "$N" "$NBAD"
assert_hsets_once "$N"
assert_eq "$(rcli xrange "${P}leads:dead" - + | grep -cx stream_id)" "$NBAD" \
    "dead letters (each bad entry once, none written again after the group came back)"

stop_daemon "$PID" l2ad
echo "ok [$TEST_NAME]"
