#!/usr/bin/env bash
# tests/integration/test_daemon_reload.sh - SIGHUP: a broken config (or a change to a restart-only
# key) is refused with file:line:column in the log and counted, the old config keeps running and
# leads are still processed; a good config that adds a domain alias applies to the next leads (a
# lead that was no_match becomes a match).
. "$(dirname "$0")/daemon_lib.sh"

start_redis
P=$L2A_PREFIX
printf '%s\n' "id,name,domains" "001ACME,Acme Robotics Inc.,https://www.acme-robotics.com/" \
    "001OTHER,Brightwater Foods,brightwater.example" >"$TEST_TMP/accounts.csv"
write_config "$TEST_TMP/tools.yaml"
"$L2A" import-accounts --config "$TEST_TMP/tools.yaml" "$TEST_TMP/accounts.csv" >/dev/null

PORT=$(free_port)
CFG=$TEST_TMP/l2a.yaml
daemon_config "$CFG" "$PORT" "daemon:" "  batch_size: 10"
cp "$CFG" "$TEST_TMP/good.yaml"
start_daemon l2ad "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"

# lead ID: an email on acmebrand.io, a brand of Acme's that no account's website shows
lead() {
    printf '{"id":"%s","email":"pat@acmebrand.io","first_name":"Pat"}\n' "$1" >"$TEST_TMP/$1.jsonl"
    "$L2A" push --config "$TEST_TMP/tools.yaml" "$TEST_TMP/$1.jsonl" >/dev/null
    _recorded() { [ "$(rcli exists "${P}lead:$1")" == 1 ]; }
    wait_until 30 "the result of lead $1" _recorded "$1"
}

lead L1
assert_eq "$(rcli hget "${P}lead:L1" decision)" no_match "decision before any reload"

# ---- a broken config: refused with file:line:column, old config kept ----------------------------------
printf '%s\n' "  bogus_key: 1" >>"$CFG"
line=$(wc -l <"$CFG")
kill -HUP "$PID"
_failed() { [ "$(metric "$PORT" l2a_config_reload_failures_total)" == "$1" ]; }
wait_until 10 "l2a_config_reload_failures_total 1" _failed 1
log=$(grep 'event=config_reload_failed' "$TEST_TMP/l2ad.log")
assert_contains "$log" "$CFG:$line:3: unknown key \\\"bogus_key\\\"" "reload failure logged with file:line:column"
assert_eq "$(metric "$PORT" l2a_config_reloads_total)" 0 "no reload applied"
assert_eq "$(http_code "$PORT" /healthz)" 200 "healthy after a refused reload"
lead L2
assert_eq "$(rcli hget "${P}lead:L2" decision)" no_match "decision after a refused reload (old config)"

# ---- a change to a restart-only key (http.listen): refused too -----------------------------------------
sed "s/127.0.0.1:$PORT/127.0.0.1:$(free_port)/" "$TEST_TMP/good.yaml" >"$CFG"
kill -HUP "$PID"
wait_until 10 "l2a_config_reload_failures_total 2" _failed 2
assert_contains "$(grep 'event=config_reload_failed' "$TEST_TMP/l2ad.log" | tail -n 1)" \
    "http.listen cannot change on reload" "restart-only key refused"

# ---- a good config with an alias: applied to the next leads --------------------------------------------
cp "$TEST_TMP/good.yaml" "$CFG"
printf '%s\n' "domains:" "  aliases:" '    "acmebrand.io": "acme-robotics.com"' >>"$CFG"
"$L2A" check-config "$CFG" >/dev/null || fail "the fixed config does not check"
kill -HUP "$PID"
_reloaded() { [ "$(metric "$PORT" l2a_config_reloads_total)" == 1 ]; }
wait_until 10 "l2a_config_reloads_total 1" _reloaded
grep -q 'event=config_reloaded' "$TEST_TMP/l2ad.log" || fail "no config_reloaded log line"
lead L3
assert_eq "$(rcli hget "${P}lead:L3" decision)" match "decision after the reload"
assert_eq "$(rcli hget "${P}lead:L3" account_id)" 001ACME "account after the reload"
assert_eq "$(metric "$PORT" l2a_config_reload_failures_total)" 2 "failures unchanged by a good reload"
assert_eq "$(metric "$PORT" l2a_accounts_indexed)" 2 "accounts kept across the reload"
assert_eq "$(rcli hget "${P}lead:L1" decision)" no_match "earlier results are not rewritten"

stop_daemon "$PID" l2ad
echo "ok [$TEST_NAME]"
