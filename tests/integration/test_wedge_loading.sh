#!/usr/bin/env bash
# tests/integration/test_wedge_loading.sh - l2ad started while Redis still loads a 2M-key AOF (-LOADING): it waits, then consumes every lead once and /healthz turns 200.
#
# Wedge on the code this was written against: the connections count as up as soon as CLIENT ID
# answers (it does while loading), XGROUP CREATE and SCRIPT LOAD get -LOADING, nothing retries
# them and /healthz stays 503 for good; nothing is ever read.
# Observed there (de55f5c, 2M keys loading ~3.3 s): "after Redis finished loading: after 60 s there
# is no consumer group l2a at all: 0 results, 0 dead letters"; the log has group_create_failed and
# script_load_failed with "LOADING Redis is loading the dataset in memory". Fails in ~75 s.
. "$(dirname "$0")/daemon_lib.sh"

require_own_redis
REDIS_ARGS=(--enable-debug-command local)
start_redis --aof
N=2000
setup_leads "$N" 23

# ---- 2M filler keys, rewritten into the AOF's RDB base so that a restart loads them ---------------
rcli debug populate 2000000 filler >/dev/null
rcli bgrewriteaof >/dev/null
_rewritten() {
    [ "$(redis_info aof_rewrite_in_progress)" == 0 ] && [ "$(redis_info aof_rewrite_scheduled)" == 0 ]
}
wait_until 120 "the AOF rewrite" _rewritten
PORT=$(free_port)
daemon_config "$TEST_TMP/l2a.yaml" "$PORT" "daemon:" "  batch_size: 100"
stop_redis

# ---- Redis again, l2ad at once: it connects while the data set is still loading -----------------
# (redis-server 7.0.15 refuses PING with -LOADING too, so a plain _spawn_redis would wait it out)
spawned=$(now_ms)
_spawn_redis --loading-ok || fail "redis-server did not restart"
start_daemon l2ad "$TEST_TMP/l2a.yaml"
PID=$DAEMON_PID
started=$(now_ms)

# Until loading ends: was l2ad connected while Redis was loading, and what did /healthz say?
caught=0 loading_polls=0 bodies=""
deadline=$((started + 120000))
while :; do
    info=$(rcli info 2>/dev/null | tr -d '\r') || info=""
    if grep -qx 'loading:1' <<<"$info"; then
        loading_polls=$((loading_polls + 1))
        clients=$(sed -n 's/^connected_clients://p' <<<"$info")
        [ "${clients:-0}" -ge 2 ] && caught=1     # redis-cli itself plus l2ad
        health_poll "$PORT" 1
        [ "$HEALTH_CODE" != 503 ] || bodies+="$HEALTH_BODY"$'\n'
    elif grep -qx 'loading:0' <<<"$info"; then
        break
    fi
    [ "$(now_ms)" -lt "$deadline" ] || fail "Redis still loading 120 s after the restart"
    sleep 0.05
done
loaded=$(now_ms)
echo "Redis loaded $((loaded - spawned)) ms after its start, $((loaded - started)) ms after" \
    "l2ad's; $loading_polls polls saw loading:1; $(redis_errors LOADING) -LOADING replies sent" >&2
[ $((loaded - spawned)) -ge 1000 ] || fail "Redis loaded in $((loaded - spawned)) ms, under 1 s"
[ "$caught" == 1 ] ||
    fail "l2ad was never seen connected while Redis was loading: the restart tested nothing"

# ---- it waits out the loading by itself and consumes -----------------------------------------------
wait_drained 60 "after Redis finished loading"
wait_until 30 "/healthz 200 once Redis has loaded" _http_is "$PORT" 200
echo "consuming and done $(($(now_ms) - started)) ms after l2ad started" >&2
assert_recorded_once "$N" 0
assert_eq "$(leads_total "$PORT")" "$N" "leads counted in /metrics"

# While Redis loaded, /healthz said why it was not ready.
assert_unready_reason "$bodies" loading "/healthz while Redis was loading"

stop_daemon "$PID" l2ad
echo "ok [$TEST_NAME]"
