#!/usr/bin/env bash
# tests/integration/test_acl_user.sh - every program as the Redis ACL user docs/redis-acl.md
# creates (its `ACL SETUSER` lines, run as they are): import-accounts, push, l2ad (a match, a
# review alert, a dead letter, /healthz 200, the intake, the review page), review list/show/resolve; passwords from a password_file
# and from $L2A_REDIS_PASSWORD. A wrong password: import-accounts and l2ad exit 1 at start with
# "AUTH refused". A password changed under a running l2ad: /healthz 503 saying WRONGPASS, and
# ready again by itself once the old one is back. l2ad as root without --allow-root exits 2.
. "$(dirname "$0")/daemon_lib.sh"

require_own_redis
start_redis
P=$L2A_PREFIX
[ "$P" == "l2a:" ] || fail "the doc's key patterns are for the prefix l2a:, not $P"
DOC=$SRC_DIR/docs/redis-acl.md

# ---- the users, from the doc -----------------------------------------------------------------------
# Each ACL SETUSER line with >PASSWORD replaced by pw-<user>.
mapfile -t LINES < <(grep '^ACL SETUSER ' "$DOC")
[ "${#LINES[@]}" -ge 5 ] || fail "expected 5 ACL SETUSER lines in $DOC, found ${#LINES[@]}"
for line in "${LINES[@]}"; do
    read -ra words <<<"$line"
    user=${words[2]}
    for i in "${!words[@]}"; do
        [ "${words[$i]}" != '>PASSWORD' ] || words[i]=">pw-$user"
    done
    assert_eq "$(rcli "${words[@]}")" OK "$line"
done
for user in l2ad l2a-import l2a-push l2a-review l2a-review-ro l2a-replay l2a-learned; do
    printf 'pw-%s\n' "$user" >"$TEST_TMP/pw-$user"
done

# user_config FILE USER [YAML...]: a config connecting as USER, its password from the file
# pw-USER next to it (a relative path), then the extra lines (sections other than redis).
user_config() {
    local file=$1 user=$2
    shift 2
    REDIS_URL="redis://$user@127.0.0.1:$REDIS_PORT" write_config "$file" \
        "  password_file: \"pw-$user\"" "$@"
}
# env_config FILE USER: a config connecting as USER without a password (it comes from the env).
env_config() {
    REDIS_URL="redis://$2@127.0.0.1:$REDIS_PORT" write_config "$1"
}
# as USER CMD...: runs l2a CMD... with USER's password in $L2A_REDIS_PASSWORD; RC, OUT, ERR.
as() {
    local user=$1
    shift
    RC=0
    OUT=$(L2A_REDIS_PASSWORD="pw-$user" "$L2A" "$@" 2>"$TEST_TMP/stderr") || RC=$?
    ERR=$(cat "$TEST_TMP/stderr")
}

# ---- import-accounts (password_file) and push (environment) ----------------------------------------
printf '%s\n' "id,name,domains,type" "001A,Acme Corp,acme.com,Prospect" \
    "001B,Acme Holdings,acme.com,Prospect" "001D,Initech Software,initech.com,Customer" \
    >"$TEST_TMP/accounts.csv"
user_config "$TEST_TMP/import.yaml" l2a-import
# import CSV [--delete-missing]: import-accounts as l2a-import, its password from the file.
import() {
    local rc=0
    "$L2A" import-accounts --config "$TEST_TMP/import.yaml" "$@" 2>"$TEST_TMP/stderr" || rc=$?
    assert_eq "$rc" 0 "import-accounts $* as l2a-import ($(cat "$TEST_TMP/stderr"))"
}
{ cat "$TEST_TMP/accounts.csv"; echo "001X,Gone Ltd,gone.example,Prospect"; } >"$TEST_TMP/more.csv"
import "$TEST_TMP/more.csv"
assert_eq "$(rcli scard "${P}accounts")" 4 "accounts imported"
assert_eq "$(rcli info errorstats | tr -d '\r' | grep '^errorstat_')" "" \
    "the first import (the library looked up and loaded) refused nothing"
import "$TEST_TMP/accounts.csv" --delete-missing
assert_eq "$(rcli scard "${P}accounts")" 3 "account deleted (--delete-missing)"

printf '%s\n' '{"id":"R1","email":"hal@newco.io","company":"NewCo Robotics","title":"CTO"}' \
    '{"id":"R4","email":"kit@initech.com","company":"Initech"}' >"$TEST_TMP/leads.jsonl"
env_config "$TEST_TMP/push.yaml" l2a-push
as l2a-push push --config "$TEST_TMP/push.yaml" "$TEST_TMP/leads.jsonl"
assert_eq "$RC" 0 "push as l2a-push ($ERR)"
rcli xadd "${P}leads" '*' json '{"id":"B1","email":' >/dev/null   # a dead letter to be

# ---- l2ad (password_file) ------------------------------------------------------------------------
PORT=$(free_port)
WPORT=$(free_port)
CFG=$TEST_TMP/l2ad.yaml
echo acl-token >"$TEST_TMP/tokens"
printf 'pw-alice\n' | "$L2A" web passwd alice >"$TEST_TMP/web-users" || fail "l2a web passwd"
LISTS=("lists:" "  freemail: \"$SRC_DIR/conf/freemail-domains.txt\""
    "  disposable: \"$SRC_DIR/conf/disposable-email-domains.txt\""
    "  legal_forms: \"$SRC_DIR/conf/legal-forms.tsv\"")
user_config "$CFG" l2ad "http:" "  listen: \"127.0.0.1:$PORT\"" "${LISTS[@]}" \
    "daemon:" "  claim_idle_ms: 1000" "  forget_consumers_ms: 1000" \
    "web:" "  listen: \"127.0.0.1:$WPORT\"" "  tokens_file: \"$TEST_TMP/tokens\"" \
    "  users_file: \"$TEST_TMP/web-users\""
start_daemon l2ad "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"
wait_group_idle 20
assert_eq "$(rcli hget "${P}lead:R4" account_id)" 001D "R4 matched as l2ad"
assert_eq "$(rcli hget "${P}alert:R1" status)" open "R1 flagged for review as l2ad"
assert_eq "$(rcli xlen "${P}leads:dead")" 1 "dead letter written as l2ad"
assert_eq "$(http_code "$PORT" /healthz)" 200 "/healthz"
# the periodic commands: the review gauges (ZCARD, ZRANGE) and forgetting a gone consumer (the
# forget_consumers function: XINFO CONSUMERS, XGROUP DELCONSUMER)
rcli xgroup createconsumer "${P}leads" l2a gone-worker >/dev/null
_metric_is() { [ "$(metric "$PORT" "$1")" == "$2" ]; }
wait_until 10 "l2a_review_open 1 in /metrics" _metric_is l2a_review_open 1
_forgotten() { ! rcli xinfo consumers "${P}leads" l2a | grep -qx gone-worker; }
wait_until 10 "the gone consumer forgotten" _forgotten
# the HTTP intake: MULTI, XADD, EXEC
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer acl-token" \
    --data-binary '{"id":"R6","email":"joe@initech.com","company":"Initech"}' \
    "http://127.0.0.1:$WPORT/v1/leads" || true)
assert_eq "$code" 202 "POST /v1/leads to l2ad as l2ad"
_r6() { [ "$(rcli hget "${P}lead:R6" account_id)" == 001D ]; }
wait_until 20 "R6 (from the intake) recorded" _r6
# the review page: a failed login and a login (INCR, EXPIRE, DEL, SET, GET), the list (ZCARD,
# ZRANGEBYSCORE, HGETALL), an alert linked to an account (HGETALL, FCALL of resolve: ZREM ...),
# logout (DEL)
curl -s -m 5 -o /dev/null -H "Authorization: Bearer acl-token" \
    --data-binary '{"id":"R7","email":"bob@acme.com"}' "http://127.0.0.1:$WPORT/v1/leads"
_r7() { [ "$(rcli hget "${P}alert:R7" status)" == open ]; }
wait_until 20 "R7 (a review) flagged" _r7
WEB="http://127.0.0.1:$WPORT"
JAR=$TEST_TMP/jar
web() { curl -s -m 10 -o "$TEST_TMP/body" -w '%{http_code}' -b "$JAR" -c "$JAR" "$@"; }
web_token() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$TEST_TMP/body" | head -n 1; }
for pass in wrong pw-alice; do
    web "$WEB/login" >/dev/null
    code=$(web --data-urlencode "csrf=$(web_token)" --data-urlencode user=alice \
        --data-urlencode "password=$pass" "$WEB/login")
done
assert_eq "$code" 303 "review page login as l2ad"
assert_eq "$(web "$WEB/")" 200 "review page list as l2ad"
assert_contains "$(cat "$TEST_TMP/body")" 'href="/alerts/R7"' "R7 on the page"
assert_eq "$(web "$WEB/alerts/R7")" 200 "R7's page as l2ad"
assert_eq "$(web --data-urlencode "csrf=$(web_token)" --data-urlencode link=001B \
    "$WEB/alerts/R7")" 303 "R7 linked from the page as l2ad"
assert_eq "$(rcli hget "${P}alert:R7" resolved_by)" alice "R7 resolved by alice"
web "$WEB/" >/dev/null
assert_eq "$(web --data-urlencode "csrf=$(web_token)" "$WEB/logout")" 303 "logout as l2ad"
! grep -E 'NOPERM|level=(error|warning)' "$TEST_TMP/l2ad.log" | grep -v lead_dead_lettered ||
    fail "l2ad logged errors as the ACL user"

# ---- review list, show, resolve (environment; read-only user for list and show) --------------------
env_config "$TEST_TMP/review.yaml" l2a-review
env_config "$TEST_TMP/review-ro.yaml" l2a-review-ro
as l2a-review-ro review list --config "$TEST_TMP/review-ro.yaml"
assert_eq "$RC" 0 "review list as l2a-review-ro ($ERR)"
assert_contains "$OUT" "R1 " "R1 listed"
as l2a-review-ro review show --config "$TEST_TMP/review-ro.yaml" R1
assert_eq "$RC" 0 "review show as l2a-review-ro ($ERR)"
as l2a-review-ro review resolve --config "$TEST_TMP/review-ro.yaml" R1 --account 001A --by ro
assert_eq "$RC" 1 "review resolve as l2a-review-ro refused"
as l2a-review review list --config "$TEST_TMP/review.yaml"
assert_eq "$RC" 0 "review list as l2a-review ($ERR)"
as l2a-review review resolve --config "$TEST_TMP/review.yaml" R1 --account 001A --by alice
assert_eq "$RC" 0 "review resolve as l2a-review ($ERR)"
assert_eq "$(rcli hget "${P}alert:R1" status)" resolved "R1 resolved"

# ---- replay (read-only user) -------------------------------------------------------------------------
user_config "$TEST_TMP/replay.yaml" l2a-replay "${LISTS[@]}"
RC=0
"$L2A" replay --config "$TEST_TMP/replay.yaml" >"$TEST_TMP/replay.txt" 2>"$TEST_TMP/stderr" || RC=$?
assert_eq "$RC" 0 "replay as l2a-replay ($(cat "$TEST_TMP/stderr"))"
assert_contains "$(cat "$TEST_TMP/stderr")" "accounts source=snapshot " "replay read l2ad's snapshot"
assert_contains "$(head -n 1 "$TEST_TMP/replay.txt")" "4 leads recorded since" "replay's leads (R7 too)"
# ---- learned list, forget ----------------------------------------------------------------------
env_config "$TEST_TMP/learned.yaml" l2a-learned
rcli hset "${P}learned" "$(printf 'never\t\tglobex\t001G')" '{"kind":"never","name":"globex","account_id":"001G"}' >/dev/null
as l2a-learned learned list --config "$TEST_TMP/learned.yaml"
assert_eq "$RC" 0 "learned list as l2a-learned ($ERR)"
assert_contains "$OUT" "never   'globex' -> not 001G" "the fact listed"
as l2a-learned learned forget --config "$TEST_TMP/learned.yaml" never globex 001G
assert_eq "$RC" 0 "learned forget as l2a-learned ($ERR)"

# ---- wrong passwords at start ----------------------------------------------------------------------
env_config "$TEST_TMP/import-env.yaml" l2a-import
RC=0
L2A_REDIS_PASSWORD=wrong "$L2A" import-accounts --config "$TEST_TMP/import-env.yaml" \
    "$TEST_TMP/accounts.csv" 2>"$TEST_TMP/stderr" || RC=$?
assert_eq "$RC" 1 "import-accounts with a wrong password"
assert_contains "$(cat "$TEST_TMP/stderr")" "AUTH refused for user 'l2a-import': WRONGPASS" \
    "import-accounts message"

PORT2=$(free_port)
mkdir "$TEST_TMP/bad"
printf 'wrong\n' >"$TEST_TMP/bad/pw-l2ad"   # the same config, but pw-l2ad next to it is wrong
sed -e "s|127.0.0.1:$PORT\"|127.0.0.1:$PORT2\"|" -e "s|127.0.0.1:$WPORT\"|127.0.0.1:$(free_port)\"|" \
    "$CFG" >"$TEST_TMP/bad/l2ad.yaml"
start_daemon bad "$TEST_TMP/bad/l2ad.yaml"
wait_exit "$DAEMON_PID" 15
assert_eq "$EXIT_RC" 1 "l2ad with a wrong password at start"
assert_contains "$(cat "$TEST_TMP/bad.log")" \
    "l2ad: redis: AUTH refused for user 'l2ad': WRONGPASS" "l2ad's message"
assert_log_clean bad

# ---- the password changed under the running l2ad, then restored ------------------------------------
assert_eq "$(rcli acl setuser l2ad resetpass '>rotated')" OK "password changed"
rcli client kill user l2ad >/dev/null
wait_unready_reason "$PORT" "AUTH refused for user 'l2ad': WRONGPASS" 15
assert_unready_reason "$UNREADY_BODY" "WRONGPASS" "/healthz after the password changed"
kill -0 "$PID" || fail "l2ad exited after its password changed (it should keep retrying)"
assert_eq "$(rcli acl setuser l2ad resetpass '>pw-l2ad')" OK "password restored"
wait_ready "$PORT"
printf '%s\n' '{"id":"R5","email":"amy@initech.com","company":"Initech"}' >"$TEST_TMP/leads.jsonl"
as l2a-push push --config "$TEST_TMP/push.yaml" "$TEST_TMP/leads.jsonl"
_recorded() { [ "$(rcli exists "${P}lead:R5")" == 1 ]; }
wait_until 20 "R5 recorded after the password came back" _recorded
stop_daemon "$PID" l2ad

# ---- root without --allow-root -------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
    RC=0
    "$L2AD" --config "$CFG" >"$TEST_TMP/root.log" 2>&1 || RC=$?
    assert_eq "$RC" 2 "l2ad as root without --allow-root"
    assert_contains "$(cat "$TEST_TMP/root.log")" "refusing to run as root" "root message"
else
    echo "not root: the --allow-root check is not exercised" >&2
fi
echo "PASS"
