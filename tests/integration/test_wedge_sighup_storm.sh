#!/usr/bin/env bash
# tests/integration/test_wedge_sighup_storm.sh - 100 SIGHUPs within a second to l2ad (15,000 accounts) mid-stream: /healthz answers within 2 s throughout, reloads coalesce, every lead recorded once.
#
# Wedge on the code this was written against: libevent runs the signal callback once per signal
# caught, and each reload rebuilds the matcher and re-indexes every account on the event loop, so
# 100 SIGHUPs are 100 reloads back to back: the loop (HTTP, Redis replies) is blocked for seconds.
# Observed there (de55f5c): every poll in the 10 s after the storm timed out ("/healthz failed or
# took over 2 s during the SIGHUP storm (time since the storm:code): 2700ms:000 4900ms:000 ...";
# 97 to 100 config_reloaded lines, ~0.5 s each). Fails in ~45 s (the drain waits for the reloads).
# shellcheck disable=SC2119  # start_redis takes an optional --aof
. "$(dirname "$0")/daemon_lib.sh"

start_redis
N=20000
HUPS=100
POLL_MS=10000          # /healthz polled this long from the first SIGHUP
MAX_RELOADS=10         # allowed at least this many reloads ("far fewer than 100") ...
MAX_RELOADS_CAP=40     # ... and more only as far as the reloads' own length explains, up to this
# Longest a /healthz answer may take. One reload of 15,000 accounts holds the loop ~0.3 s here and
# up to ~1 s on a busy machine: with a stand-in fix that coalesced the SIGHUPs (a reload 300 ms
# after the first), the slowest poll was 0.54 s in one run and just over 1 s in another.
HEALTH_LIMIT_S=2
setup_accounts 15000 "$N" 47
push_leads "$TEST_TMP/data/leads.jsonl"
BASE=$(dbsize)

PORT=$(free_port)
daemon_config "$TEST_TMP/l2a.yaml" "$PORT" "daemon:" "  batch_size: 100"
start_daemon l2ad "$TEST_TMP/l2a.yaml"
PID=$DAEMON_PID
wait_ready "$PORT"
assert_eq "$(metric "$PORT" l2a_accounts_indexed)" 15000 "accounts indexed"

# ---- the storm, mid-stream ---------------------------------------------------------------------
wait_mid_run "the SIGHUP storm" $((N / 20)) $((N / 2))
# Spread over ~0.9 s, in the background while /healthz is polled: signals sent back to back while
# l2ad is off the CPU merge into one pending SIGHUP (the kernel does not queue them).
storm=$(now_ms)
python3 -c 'import os, signal, sys, time
t0 = time.monotonic()
for i in range(int(sys.argv[2])):
    time.sleep(max(0.0, t0 + 0.009 * i - time.monotonic()))
    os.kill(int(sys.argv[1]), signal.SIGHUP)
print(int((time.monotonic() - t0) * 1000))' "$PID" "$HUPS" >"$TEST_TMP/storm.ms" &
SENDER=$!
track_pid "$SENDER"

# ---- /healthz throughout: every answer within HEALTH_LIMIT_S --------------------------------------------------
polls=0 bad="" max_secs=0
while [ $(($(now_ms) - storm)) -lt "$POLL_MS" ]; do
    health_poll "$PORT" "$HEALTH_LIMIT_S"
    polls=$((polls + 1))
    [ "$HEALTH_CODE" == 200 ] || bad+=" $((($(now_ms) - storm) / 100))00ms:$HEALTH_CODE"
    max_secs=$(awk -v a="$max_secs" -v b="$HEALTH_SECS" 'BEGIN { print (b > a ? b : a) }')
    sleep 0.1
done
during=$(($(dbsize) - BASE - MID_AT))
wait "$SENDER" || fail "sending the SIGHUPs"
sent_in=$(cat "$TEST_TMP/storm.ms")
echo "$HUPS SIGHUPs sent in ${sent_in} ms; $polls /healthz polls in ${POLL_MS} ms, slowest" \
    "${max_secs} s; $during keys written meanwhile" >&2
[ "$sent_in" -lt 1500 ] || fail "sending $HUPS SIGHUPs took ${sent_in} ms, not about a second"
[ -z "$bad" ] ||
    fail "/healthz failed or took over $HEALTH_LIMIT_S s during the SIGHUP storm (time since the storm:code):$bad"

# ---- it kept consuming, the reloads coalesced, every lead once --------------------------------------
[ "$during" -gt 0 ] || fail "nothing recorded in the ${POLL_MS} ms after the storm"
wait_drained 120 "after the SIGHUP storm"
reloads=$(grep -c 'event=config_reloaded' "$TEST_TMP/l2ad.log" || true)
# Coalesced means one reload pending at most behind the running one: the one running when the
# storm began, one per reload time over the storm, the last pending one. So the bound follows the
# shortest reload (a faster load allows more: a clean-clone run saw 11 reloads of ~80 ms over 0.9 s), and is never
# above MAX_RELOADS_CAP.
shortest_ms=$(awk '/event=config_reloaded/ { for (i = 1; i <= NF; i++) if ($i ~ /^seconds=/) {
        ms = substr($i, 9) * 1000; if (min == "" || ms < min) min = ms } }
    END { print (min == "" || min < 10) ? 10 : int(min) }' "$TEST_TMP/l2ad.log")
max_reloads=$((2 + sent_in / shortest_ms + 1))
[ "$max_reloads" -ge "$MAX_RELOADS" ] || max_reloads=$MAX_RELOADS
[ "$max_reloads" -le "$MAX_RELOADS_CAP" ] || max_reloads=$MAX_RELOADS_CAP
echo "$reloads config_reloaded lines for $HUPS SIGHUPs (shortest reload ${shortest_ms} ms," \
    "allowed 1..$max_reloads)" >&2
if [ "$reloads" -lt 1 ] || [ "$reloads" -gt "$max_reloads" ]; then
    fail "$reloads reloads for $HUPS SIGHUPs (expected 1..$max_reloads: coalesced)"
fi
assert_eq "$(metric "$PORT" l2a_config_reload_failures_total)" 0 "reloads refused"
assert_recorded_once "$N" 0
assert_eq "$(http_code "$PORT" /healthz)" 200 "/healthz after the storm"

stop_daemon "$PID" l2ad
echo "ok [$TEST_NAME]"
