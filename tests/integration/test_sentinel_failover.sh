#!/usr/bin/env bash
# tests/integration/test_sentinel_failover.sh - l2ad follows a Redis failover under Sentinel, all
# real processes on loopback: one master, one replica, three redis-sentinel, two l2ad in Sentinel
# mode (redis.sentinels, no redis.url) on the create_account run of outcomes_lib (100 new
# companies), and 20,000 leads pushed by a producer that asks the sentinels for the master and
# follows each batch with WAIT 1 (push_wait.py). The master is killed (kill -9) while the daemons
# are mid-run and the producer mid-push; the sentinels promote the replica; the daemons go there
# without a restart. The old master is started again at once and turned into the new master's
# replica by the sentinels (until then the producer's WAIT 1 waits: the new master has no
# replica). The sentinels ask for a password (requirepass), which l2a reads from
# redis.sentinel_password_file; l2a logs in to the master as an ACL user (redis.user). At the end every lead is recorded exactly once (result hashes, accounts, contacts,
# opportunities, events: check_companies), nothing is pending, both /healthz say ok; then, with
# the old master resynced as a replica, nothing changes. Last, a graceful SENTINEL FAILOVER
# demotes the live master under the daemons, and 300 more leads are recorded once on the new one.
# Prints the time from the kill to the first lead recorded on the new master.
. "$(dirname "$0")/outcomes_lib.sh"

[ -z "${L2A_TEST_REDIS_URL:-}" ] || { echo "SKIP [$TEST_NAME]: needs servers of its own" >&2; exit 77; }
command -v redis-sentinel >/dev/null || fail "redis-sentinel not found (scripts/deps installs it)"
NLEADS=20000
NCOMP=100

# ---- master (lib.sh's server), replica, accounts ------------------------------------------------
# l2ad and the l2a tools in Sentinel mode log in as the ACL user l2ad (redis.user, password_file);
# the user is in every server's configuration (ACLs are not replicated)
RPW=redis-$RANDOM$RANDOM
REDIS_ARGS=(--user l2ad on ">$RPW" '~*' '&*' '+@all')
outcomes_start 'id,name,domains,type
001D,Initech Software,initech.com,Prospect
001C,Contoso Ltd,contoso.com,Customer
001G,Globex Corporation,globex.com,Prospect'
MASTER_PORT=$REDIS_PORT
MASTER_PID=$REDIS_PID
REPLICA_PORT=$(free_port)
mkdir -p "$TEST_TMP/replica"
redis-server --port "$REPLICA_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$TEST_TMP/replica" --replicaof 127.0.0.1 "$MASTER_PORT" "${REDIS_ARGS[@]}" \
    >>"$TEST_TMP/replica/redis.log" 2>&1 &
track_pid $!

# info_on PORT FIELD: one INFO field of the server on PORT (empty when it does not answer).
info_on() {
    redis-cli -p "$1" info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}
_link_up() { [ "$(info_on "$1" master_link_status)" == up ]; }
wait_until 20 "the replica in sync" _link_up "$REPLICA_PORT"

# ---- three sentinels, with a password (redis.sentinel_password_file) -----------------------------
SPW=sentinel-$RANDOM$RANDOM
printf '%s\n' "$SPW" >"$TEST_TMP/sentinel-password"
export L2A_SENTINEL_PASSWORD=$SPW     # for push_wait.py
# scli PORT ARGS...: redis-cli to a sentinel
scli() {
    redis-cli -p "$1" -a "$SPW" --no-auth-warning "${@:2}"
}
SENTINELS=()
for i in 1 2 3; do
    port=$(free_port)
    mkdir -p "$TEST_TMP/s$i"
    cat >"$TEST_TMP/s$i/sentinel.conf" <<CONF
port $port
bind 127.0.0.1
dir $TEST_TMP/s$i
sentinel monitor mymaster 127.0.0.1 $MASTER_PORT 2
sentinel down-after-milliseconds mymaster 1000
sentinel failover-timeout mymaster 5000
sentinel parallel-syncs mymaster 1
requirepass $SPW
sentinel sentinel-pass $SPW
CONF
    redis-sentinel "$TEST_TMP/s$i/sentinel.conf" >>"$TEST_TMP/s$i/sentinel.log" 2>&1 &
    track_pid $!
    SENTINELS+=("127.0.0.1:$port")
done
# sentinel_field PORT FIELD: a field of SENTINEL MASTER mymaster on that sentinel.
sentinel_field() {
    scli "$1" sentinel master mymaster 2>/dev/null | paste - - | awk -v f="$2" '$1 == f { print $2 }'
}
_sentinels_know() {
    local s
    for s in "${SENTINELS[@]}"; do
        [ "$(sentinel_field "${s##*:}" num-other-sentinels)" == 2 ] || return 1
        [ "$(sentinel_field "${s##*:}" num-slaves)" == 1 ] || return 1
    done
}
wait_until 30 "three sentinels that know each other and the replica" _sentinels_know

# ---- the tools and two daemons in Sentinel mode -------------------------------------------------
LIST=$(printf '"%s",' "${SENTINELS[@]}")
SENT_KEYS="redis.url=~ redis.sentinels=[${LIST%,}] redis.master_name=mymaster"
SENT_KEYS+=" redis.sentinel_password_file=\"$TEST_TMP/sentinel-password\""
printf '%s\n' "$RPW" >"$TEST_TMP/redis-password"
SENT_KEYS+=" redis.user=l2ad redis.password_file=\"$TEST_TMP/redis-password\""
# the l2a tools through the sentinels: a config without redis.url
shipped_config "$TEST_TMP/tools-sentinel.yaml" "$(free_port)" $SENT_KEYS
"$L2A" review list --config "$TEST_TMP/tools-sentinel.yaml" >/dev/null ||
    fail "l2a review list through the sentinels"
gen_companies "$TEST_TMP/data" "$NCOMP" "$NLEADS" 0 11
EMAILS=$(cat "$TEST_TMP/data/emails")
KEYS="daemon.batch_size=100 daemon.max_in_flight=400 daemon.claim_idle_ms=5000 $SENT_KEYS"
start_workers "$KEYS" "$KEYS"
assert_contains "$(cat "$TEST_TMP/w1.log")" "redis_master_resolved" "worker-1 asked the sentinels"
BASE=$(dbsize)

# ---- push 20,000 leads with WAIT 1; kill -9 the master mid-run ----------------------------------
SLIST=$(IFS=,; echo "${SENTINELS[*]}")
python3 "$SRC_DIR/tests/integration/push_wait.py" "$SLIST" mymaster "${P}leads" \
    "$TEST_TMP/data/all.jsonl" 200 0.02 >"$TEST_TMP/push.out" 2>"$TEST_TMP/push.err" &
PUSH=$!
track_pid "$PUSH"
wait_mid_run "the kill" 4000 $((NLEADS * 3 / 4))
REPLICA_KEYS=$(redis-cli -p "$REPLICA_PORT" dbsize)
kill -9 "$MASTER_PID"
KILLED_AT=$(now_ms)
wait "$MASTER_PID" 2>/dev/null || true
REDIS_PID=""
AT_KILL=$(redis-cli -p "$REPLICA_PORT" dbsize)
echo "master killed with ~$MID_AT results written; the replica had $AT_KILL keys" >&2

# first lead recorded on the new master: its key count grows (only l2ad adds keys; the producer's
# XADDs go to the existing stream)
_promoted_and_recording() {
    [ "$(redis-cli -p "$REPLICA_PORT" role 2>/dev/null | head -n 1)" == master ] &&
        [ "$(redis-cli -p "$REPLICA_PORT" dbsize)" -gt "$AT_KILL" ]
}
wait_until 30 "a lead recorded on the promoted replica" _promoted_and_recording
FIRST_MS=$(($(now_ms) - KILLED_AT))
echo "failover: kill -9 of the master to the first lead recorded on the new master: $FIRST_MS ms" >&2
REDIS_PORT=$REPLICA_PORT     # rcli and the helpers read the new master from now on

# Every sentinel names the promoted replica before the old master comes back: a sentinel still on
# the old configuration enforces it, and would make the promoted replica a replica of the empty old
# master (a clean-clone run saw that full resync, and the old master never turned replica).
_sentinels_follow() {
    local s
    for s in "${SENTINELS[@]}"; do
        [ "$(sentinel_field "${s##*:}" port)" == "$REPLICA_PORT" ] || return 1
    done
}
wait_until 30 "every sentinel naming the promoted replica" _sentinels_follow

# the old master back, empty, on its port: the sentinels make it the new master's replica
REDIS_DIR=$TEST_TMP/old-master
mkdir -p "$REDIS_DIR"
OLD_PORT=$MASTER_PORT
REDIS_PORT=$OLD_PORT
_spawn_redis || fail "the old master did not start again"
track_pid "$REDIS_PID"
REDIS_PID=""
REDIS_PORT=$REPLICA_PORT
# In sync: the node the first sentinel names is a master and the other its replica with the link
# up. Normally the old master is the replica; on a loaded machine the sentinels may have failed
# over again meanwhile (the old master, in sync, promoted back), which the checks below allow.
_pair_in_sync() {
    local addr other=$OLD_PORT
    addr=$(scli "${SENTINELS[0]##*:}" sentinel get-master-addr-by-name mymaster 2>/dev/null | tail -n 1)
    [ "$addr" == "$OLD_PORT" ] && other=$REPLICA_PORT
    [ "$(info_on "$addr" role)" == master ] && [ "$(info_on "$other" role)" == slave ] &&
        [ "$(info_on "$other" master_port)" == "$addr" ] && _link_up "$other"
}
# What the nodes and the sentinels said, for a failure of the wait above.
_failover_state() {
    local port s
    for port in "$OLD_PORT" "$REPLICA_PORT"; do
        echo "port $port: role $(info_on "$port" role), master_port $(info_on "$port" master_port), link $(info_on "$port" master_link_status)"
    done
    for s in "${SENTINELS[@]}"; do
        echo "sentinel $s names port $(sentinel_field "${s##*:}" port)"
    done
    echo "---- old master's log (restarted)"
    tail -n 25 "$TEST_TMP/old-master/redis.log"
    echo "---- promoted replica's log"
    tail -n 25 "$TEST_TMP/replica/redis.log"
    for s in 1 2 3; do
        echo "---- sentinel $s's log"
        tail -n 15 "$TEST_TMP/s$s/sentinel.log"
    done
}
within 40 _pair_in_sync ||
    fail "timed out after 40 s waiting for the old master turned into a replica and in sync: $(_failover_state)"
echo "old master back and in sync $((($(now_ms) - KILLED_AT) / 1000)) s after the kill" >&2

# follow_master: REDIS_PORT (rcli, the helpers) = the master the first sentinel names now. On a
# loaded machine the sentinels may fail over again (a master slow to answer PING for 1 s looks
# down); the checks below hold whichever node is the master.
follow_master() {
    local addr
    addr=$(scli "${SENTINELS[0]##*:}" sentinel get-master-addr-by-name mymaster | tail -n 1)
    [ -n "$addr" ] || fail "the sentinels name no master"
    REDIS_PORT=$addr
    OTHER_PORT=$OLD_PORT
    [ "$REDIS_PORT" != "$OLD_PORT" ] || OTHER_PORT=$REPLICA_PORT
    [ "$(info_on "$REDIS_PORT" role)" == master ] || fail "port $REDIS_PORT: not the master"
}

# ---- every lead recorded once, nothing pending, both ready --------------------------------------
wait "$PUSH" || fail "the producer: $(tail -n 3 "$TEST_TMP/push.err")"
follow_master
echo "producer: $(cat "$TEST_TMP/push.out") ($(grep -c 'sent again' "$TEST_TMP/push.err" || true) batches sent again)" >&2
wait_group_idle 60
wait_ready "$PORT1"
wait_ready "$PORT2"
check_companies "$NCOMP" "$NLEADS" "$EMAILS" 3
assert_eq "$(pending_count)" 0 "pending entries"
assert_eq "$(acked_stats | cut -d' ' -f2)" 0 "acknowledged entries without a result"
assert_eq "$(rcli exists "${P}leads:dead")" 0 "no dead letters"
# (after a further switch of the sentinels the daemons may still be on their way: wait for them)
_l2ad_user() {
    local addr
    addr=$(scli "${SENTINELS[0]##*:}" sentinel get-master-addr-by-name mymaster | tail -n 1)
    redis-cli -p "${addr:-0}" client list 2>/dev/null | grep -q ' user=l2ad '
}
within 20 _l2ad_user || fail "no connection of the daemons logged in as l2ad: $(rcli client list)"
for w in w1 w2; do
    assert_contains "$(cat "$TEST_TMP/$w.log")" "redis_master_changed" "$w followed the failover"
    assert_contains "$(cat "$TEST_TMP/$w.log")" "event=redis_switch_master" \
        "$w heard the sentinels' +switch-master"
done
kill -0 "$PID1" && kill -0 "$PID2" || fail "a daemon exited"

# ---- the old master, a replica now: nothing changes ---------------------------------------------
KEYS_NOW=$(dbsize)
LEN_NOW=$(rcli xlen "${P}events")
sleep 3
follow_master
_same_on_other() {
    _link_up "$OTHER_PORT" && [ "$(redis-cli -p "$OTHER_PORT" dbsize)" == "$KEYS_NOW" ]
}
within 30 _same_on_other ||
    fail "the replica's copy: $(redis-cli -p "$OTHER_PORT" dbsize) keys, role $(info_on "$OTHER_PORT" role), link $(info_on "$OTHER_PORT" master_link_status); the master $(dbsize) keys, $KEYS_NOW before"
assert_eq "$(dbsize)" "$KEYS_NOW" "keys on the master after the old one is back"
assert_eq "$(rcli xlen "${P}events")" "$LEN_NOW" "events after the old master is back"
assert_eq "$(info_on "$OTHER_PORT" role)" slave "the other node's role"
[ "$REDIS_PORT" == "$REPLICA_PORT" ] ||
    echo "note: the sentinels failed over again (load); the checks held on the old master" >&2
wait_ready "$PORT1"
wait_ready "$PORT2"
"$L2A" review list --config "$TEST_TMP/tools-sentinel.yaml" >/dev/null ||
    fail "l2a review list through the sentinels after the failover"

# ---- a graceful failover (SENTINEL FAILOVER): the live master demoted under the daemons, which
# may get READONLY or UNBLOCKED on their connections; 300 more leads recorded on the new master --
BEFORE=$REDIS_PORT
scli "${SENTINELS[0]##*:}" sentinel failover mymaster >/dev/null || fail "SENTINEL FAILOVER"
_moved_on() {
    local addr
    addr=$(scli "${SENTINELS[0]##*:}" sentinel get-master-addr-by-name mymaster | tail -n 1)
    [ -n "$addr" ] && [ "$addr" != "$BEFORE" ] && [ "$(info_on "$addr" role)" == master ]
}
wait_until 30 "the sentinels to name another master" _moved_on
follow_master
head -n 300 "$TEST_TMP/data/all.jsonl" | sed 's/"id": "00QO/"id": "00QX/' >"$TEST_TMP/extra.jsonl"
python3 "$SRC_DIR/tests/integration/push_wait.py" "$SLIST" mymaster "${P}leads" \
    "$TEST_TMP/extra.jsonl" 100 >/dev/null 2>>"$TEST_TMP/push.err" || fail "the producer, again"
follow_master
_all_recorded() { [ "$(result_count)" == "$((NLEADS + 300))" ] && [ "$(pending_count)" == 0 ]; }
within 60 _all_recorded || fail "after the graceful failover: $(result_count) results, $(pending_count) pending; groups: $(rcli xinfo groups "${P}leads" | paste -sd' '); stream: $(rcli xinfo stream "${P}leads" | head -n 12 | paste -sd' '); healthz: $(curl -s "http://127.0.0.1:$PORT1/healthz") $(curl -s "http://127.0.0.1:$PORT2/healthz")"
assert_eq "$(result_stats)" "$((NLEADS + 300)) 0" "result hashes after the graceful failover"
events_dump >/dev/null
assert_eq "$(ev_count lead.converted)" "$((NLEADS + 300))" "lead.converted after it"
assert_eq "$(ev_dups | head -n 3)" "" "events repeated"
assert_eq "$(pending_count)" 0 "pending entries"
for w in w1 w2; do
    assert_contains "$(cat "$TEST_TMP/$w.log")" "port=$REDIS_PORT" "$w moved to the new master"
done

stop_daemon "$PID1" w1
stop_daemon "$PID2" w2
echo "ok [$TEST_NAME] kill_to_first_record_ms=$FIRST_MS"
