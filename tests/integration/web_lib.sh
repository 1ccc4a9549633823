# shellcheck shell=bash
# tests/integration/web_lib.sh - helpers for the review page tests on top of outcomes_lib.sh: a
# daemon with web.listen and a users file, alerts made by the daemon itself (no_match.policy
# flag), and curl sessions that log in and post forms with or without the CSRF token.
#
# Usage, in tests/integration/test_web_x.sh (run as `test_web_x.sh BUILD_DIR`):
#   . "$(dirname "$0")/web_lib.sh"
#   web_start [LEAD_JSON...]         # WEB (base URL), USERS (file), PASSWORD (alice's), PID, PORT
#   web_login JAR NAME PASS          # prints the HTTP status of the login POST
#   web_csrf JAR PATH                # the CSRF token of the page at PATH
#   web_post JAR PATH FIELD=VALUE... # prints the status; the page in $TEST_TMP/body
# shellcheck disable=SC2034  # globals for the tests that source this file
. "$(dirname "${BASH_SOURCE[0]}")/outcomes_lib.sh"

# The accounts every web test has: two on acme.com (a review with two candidates), one elsewhere.
WEB_ACCOUNTS='id,name,domains,type,owner_id
001A,Acme Corp,acme.com,Prospect,005A
001B,Acme Holdings,acme.com,Prospect,005B
001D,Initech Software,initech.com,Customer,005D'

# web_start [LEAD_JSON...]: Redis, the accounts, alice's users-file line made by `l2a web passwd`,
# l2ad with the review page on a free port, and the leads pushed and processed.
web_start() {
    outcomes_start "$WEB_ACCOUNTS"
    PASSWORD="pw-$RANDOM-$RANDOM"
    USERS=$TEST_TMP/web-users
    printf '%s\n' "$PASSWORD" | "$L2A" web passwd alice >"$USERS" || fail "l2a web passwd"
    PORT=$(free_port)
    WEB_PORT=$(free_port)
    WEB="http://127.0.0.1:$WEB_PORT"
    CFG=$TEST_TMP/l2ad.yaml
    daemon_config "$CFG" "$PORT" "web:" "  listen: \"127.0.0.1:$WEB_PORT\"" \
        "  users_file: \"$USERS\"" "review:" "  sla: 1h" "no_match:" "  policy: flag"
    start_daemon d "$CFG"
    PID=$DAEMON_PID
    wait_ready "$PORT"
    if [ $# -gt 0 ]; then
        push_json "$@"
        wait_group_idle 20
    fi
}

# web_csrf JAR PATH: the value of the page's hidden csrf field (the login form's token too).
web_csrf() {
    curl -s -m 5 -b "$1" -c "$1" "$WEB$2" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' |
        head -n 1
}

# web_login JAR NAME PASS: the login form fetched, then posted; prints the status (303 = in);
# the page in $TEST_TMP/body, the headers in $TEST_TMP/headers.
web_login() {
    local token
    token=$(web_csrf "$1" /login)
    [ -n "$token" ] || fail "no login token on /login"
    curl -s -m 10 -o "$TEST_TMP/body" -D "$TEST_TMP/headers" -w '%{http_code}' -b "$1" -c "$1" \
        --data-urlencode "csrf=$token" --data-urlencode "user=$2" --data-urlencode "password=$3" \
        "$WEB/login"
}

# web_post JAR PATH FIELD=VALUE...: a form POST; prints the status, the page in $TEST_TMP/body
# and the headers in $TEST_TMP/headers.
web_post() {
    local jar=$1 path=$2 args=()
    shift 2
    for f in "$@"; do args+=(--data-urlencode "$f"); done
    curl -s -m 10 -o "$TEST_TMP/body" -D "$TEST_TMP/headers" -w '%{http_code}' -b "$jar" \
        -c "$jar" "${args[@]}" "$WEB$path"
}

# web_get JAR PATH: prints the status; the page in $TEST_TMP/body, the headers in
# $TEST_TMP/headers.
web_get() {
    curl -s -m 10 -o "$TEST_TMP/body" -D "$TEST_TMP/headers" -w '%{http_code}' -b "$1" -c "$1" \
        "$WEB$2"
}
