#!/usr/bin/env bash
# tests/integration/test_outcomes_two_workers.sh - two l2ad in one group, no_match.policy
# create_account and opportunities on, 2,000 leads from 50 companies no account knows (one
# corporate domain each, several people each, repeated emails in other letter cases): exactly 50
# new accounts, one contact per distinct email, one opportunity per new account (type Prospect =
# no_match.new_account_type), 50 account.created and 50 opportunity.created, every event once,
# both workers busy.
. "$(dirname "$0")/outcomes_lib.sh"

start_redis
P=$L2A_PREFIX
TOOLS_CFG=$TEST_TMP/tools.yaml
write_config "$TOOLS_CFG"
cat >"$TEST_TMP/accounts.csv" <<'CSV'
id,name,domains,type
001D,Initech Software,initech.com,Prospect
001C,Contoso Ltd,contoso.com,Customer
001G,Globex Corporation,globex.com,Prospect
CSV
"$L2A" import-accounts --config "$TOOLS_CFG" "$TEST_TMP/accounts.csv" >/dev/null 2>&1
gen_companies "$TEST_TMP/data" 50 2000 600 7
EMAILS=$(cat "$TEST_TMP/data/emails")

PORT1=$(free_port)
PORT2=$(free_port)
[ "$PORT1" != "$PORT2" ] || PORT2=$(free_port)
for w in 1 2; do
    port=PORT$w
    shipped_config "$TEST_TMP/w$w.yaml" "${!port}" no_match.policy=create_account \
        opportunities.enabled=true daemon.consumer="\"worker-$w\"" daemon.batch_size=20 \
        daemon.max_in_flight=200
done
start_daemon w1 "$TEST_TMP/w1.yaml"
PID1=$DAEMON_PID
start_daemon w2 "$TEST_TMP/w2.yaml"
PID2=$DAEMON_PID
wait_ready "$PORT1"
wait_ready "$PORT2"

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
