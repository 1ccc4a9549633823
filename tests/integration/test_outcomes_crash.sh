#!/usr/bin/env bash
# tests/integration/test_outcomes_crash.sh - the two-worker create_account run of
# test_outcomes_two_workers with a kill -9: worker-1 is stopped (SIGSTOP) while blocked in its
# read, so the next leads are delivered to it and stay pending, then killed with SIGKILL while
# worker-2 carries on with the rest (new companies among them), then restarted under the same
# consumer name: it recovers its pending leads. The counts are the same: exactly 50 new accounts,
# one contact per distinct email, one opportunity per account, 50 account.created and 50
# opportunity.created, every lead converted once, every event once.
. "$(dirname "$0")/outcomes_lib.sh"

companies_start
# worker-1 blocks 10 s per read, so that it is inside one when stopped; nobody claims its
# entries (claim_idle_ms 60 s): only its restart can finish them.
KEYS="daemon.batch_size=50 daemon.max_in_flight=200 daemon.claim_idle_ms=60000"
start_workers "$KEYS daemon.block_ms=10000" "$KEYS"

# consumer_pending NAME: entries delivered to that consumer and not acknowledged.
consumer_pending() {
    rcli xinfo consumers "${P}leads" l2a | paste - - - - - - - - |
        awk -v c="$1" '$2 == c { print $4; f = 1 } END { if (!f) print 0 }'
}

# ---- the first 600 leads (25 companies), both workers --------------------------------------------
"$L2A" push --config "$TOOLS_CFG" "$TEST_TMP/data/first.jsonl" >/dev/null 2>&1
wait_group_idle 30
n1=$(leads_total "$PORT1")
[ "$n1" -gt 0 ] || fail "worker-1 took no lead before the kill"

# ---- worker-1 stopped inside its read; 200 leads in one transaction (it gets a whole batch), the
# other 1,200 pushed while it is killed and worker-2 works ---------------------------------------
kill -STOP "$PID1"
head -n 200 "$TEST_TMP/data/rest.jsonl" | python3 -c '
import sys
def cmd(*a):
    out = "*%d\r\n" % len(a)
    for x in a:
        b = x.encode()
        out += "$%d\r\n" % len(b) + x + "\r\n"
    return out
sys.stdout.write(cmd("MULTI"))
for line in sys.stdin:
    sys.stdout.write(cmd("XADD", sys.argv[1], "*", "json", line.rstrip("\n")))
sys.stdout.write(cmd("EXEC"))
' "${P}leads" | rcli --pipe >/dev/null
tail -n +201 "$TEST_TMP/data/rest.jsonl" >"$TEST_TMP/rest2.jsonl"
"$L2A" push --config "$TOOLS_CFG" "$TEST_TMP/rest2.jsonl" >/dev/null 2>&1 &
PUSH=$!
_w1_has_pending() { [ "$(consumer_pending worker-1)" -gt 0 ]; }
wait_until 10 "leads delivered to the stopped worker-1" _w1_has_pending
kill -9 "$PID1"
wait "$PID1" 2>/dev/null || true
HELD=$(consumer_pending worker-1)
AT_KILL=$(result_count)
wait "$PUSH" || fail "l2a push of the rest"
echo "worker-1 killed holding $HELD pending leads; $AT_KILL of 2000 results at the kill" >&2
[ "$AT_KILL" -lt 2000 ] || fail "every lead was recorded before the kill"

# worker-2 finishes everything but worker-1's leads
_only_held_left() { [ "$(group_lag)" == 0 ] && [ "$(pending_count)" == "$HELD" ]; }
wait_until 30 "worker-2 to finish all but worker-1's $HELD leads" _only_held_left
assert_eq "$(result_count)" $((2000 - HELD)) "results while worker-1 is down"

# ---- worker-1 restarted under its name: its pending leads first ---------------------------------
start_daemon w1b "$TEST_TMP/w1.yaml"
PID1=$DAEMON_PID
wait_ready "$PORT1"
wait_group_idle 30
assert_eq "$(consumer_pending worker-1)" 0 "worker-1's pending leads"
assert_eq "$(leads_total "$PORT1")" "$HELD" "the restarted worker-1 recorded the leads it held"

check_companies 50 2000 "$EMAILS" 3
assert_eq "$(rcli exists "${P}leads:dead")" 0 "no dead letters"

stop_daemon "$PID1" w1b
stop_daemon "$PID2" w2
assert_log_clean w1
echo "ok [$TEST_NAME]"
