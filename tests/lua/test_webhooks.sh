#!/usr/bin/env bash
# tests/lua/test_webhooks.sh - the webhook Functions on a real redis-server: the events sender's
# lease (taken when free, renewed by its holder only, free again once it expires), the position
# stored only under the lease, and the overdue-alert claim (one worker at a time, taken over once
# stale, never again once sent, none for a closed alert); wrong-type keys and bad arguments fail
# with no write.
. "$(dirname "$0")/lua_lib.sh"

LEASE=${P}webhooks:events:lease
POS=${P}webhooks:events:pos
lease() { fcall "$FN_WEBHOOK_LEASE" 1 "$LEASE" "$1" "$2"; }
advance() { fcall "$FN_WEBHOOK_ADVANCE" 2 "$LEASE" "$POS" "$1" "$2"; }

# ---- lease and position ----------------------------------------------------------------------------
assert_eq "$(lease w1 300)" 1 "w1 takes the free lease"
assert_eq "$(lease w2 300)" 0 "w2 cannot while w1 holds it"
assert_eq "$(lease w1 300)" 1 "w1 renews it"
assert_eq "$(advance w1 1700000000000-3)" 1 "w1 stores its position"
assert_eq "$(rcli get "$POS")" 1700000000000-3 "the position"
expect_noop "w2 stores no position without the lease" 0 advance w2 1700000000000-9
sleep 0.4
assert_eq "$(rcli exists "$LEASE")" 0 "the lease expired"
assert_eq "$(lease w2 60000)" 1 "w2 takes the expired lease"
expect_noop "w1 stores no position once it lost the lease" 0 advance w1 1700000000000-5
assert_eq "$(advance w2 1700000000000-4)" 1 "w2 stores its position"
expect_fail_unchanged "a position that is not a stream id" "bad stream id" \
    "$FN_WEBHOOK_ADVANCE" 2 "$LEASE" "$POS" w2 "1-2; DEL x"
expect_fail_unchanged "a lease time that is not a number" "not a positive number" \
    "$FN_WEBHOOK_LEASE" 1 "$LEASE" w2 soon
wrong_key hash "${P}otherlease"
expect_fail_unchanged "a hash where the lease should be" WRONGTYPE \
    "$FN_WEBHOOK_LEASE" 1 "${P}otherlease" w2 300

# ---- overdue-alert claims -------------------------------------------------------------------------
ALERT=${P}alert:R1
claim() { fcall "$FN_WEBHOOK_SLA_CLAIM" 1 "$ALERT" "$1" 5000 "$2"; }
assert_eq "$(claim 1000 w1)" closed "no alert: nothing to claim"
rcli hset "$ALERT" lead_id R1 status open >/dev/null
assert_eq "$(claim 1000 w1)" mine "w1 claims the open alert"
assert_eq "$(rcli hget "$ALERT" sla_alert)" "claimed 1000 w1" "the claim"
expect_noop "w2 cannot while w1's claim is fresh" busy claim 5999 w2
assert_eq "$(claim 2000 w1)" mine "w1 claims again (its retry)"
assert_eq "$(claim 7000 w2)" mine "w2 takes over a claim 5 s old"
rcli hset "$ALERT" sla_alert sent:7100 >/dev/null
expect_noop "nobody once sent" sent claim 99999 w1
rcli hset "$ALERT" sla_alert "claimed 1 w9" status dismissed >/dev/null
expect_noop "nobody for a dismissed alert" closed claim 99999 w1
wrong_key string "${P}alert:R2"
expect_fail_unchanged "a string where the alert hash should be" WRONGTYPE \
    "$FN_WEBHOOK_SLA_CLAIM" 1 "${P}alert:R2" 1000 5000 w1
echo "ok [$TEST_NAME]"
