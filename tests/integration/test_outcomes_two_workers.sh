#!/usr/bin/env bash
# tests/integration/test_outcomes_two_workers.sh - two l2ad in one group, no_match.policy
# create_account and opportunities on, 2,000 leads from 50 companies no account knows (one
# corporate domain each, several people each, repeated emails in other letter cases): exactly 50
# new accounts, one contact per distinct email, one opportunity per new account (type Prospect =
# no_match.new_account_type), 50 account.created and 50 opportunity.created, every event once,
# both workers busy.
. "$(dirname "$0")/outcomes_lib.sh"

companies_start
start_workers "daemon.batch_size=20 daemon.max_in_flight=200" \
    "daemon.batch_size=20 daemon.max_in_flight=200"

"$L2A" push --config "$TOOLS_CFG" "$TEST_TMP/data/all.jsonl" >/dev/null 2>&1
wait_group_idle 60

check_companies 50 2000 "$EMAILS" 3
n1=$(leads_total "$PORT1")
n2=$(leads_total "$PORT2")
echo "worker-1 recorded $n1 leads, worker-2 $n2; $EMAILS distinct emails" >&2
assert_eq "$((n1 + n2))" 2000 "leads recorded by the two workers together"
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || fail "one worker did nothing: $n1 and $n2"

stop_daemon "$PID1" w1
stop_daemon "$PID2" w2
echo "ok [$TEST_NAME]"
