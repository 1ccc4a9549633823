#!/usr/bin/env bash
# tests/integration/test_intake.sh - POST /v1/leads on l2ad's web listener (with an empty
# users_file): 202 and the stream ids for one lead and for an array, each lead one `json` entry
# as `l2a push` writes it; 401 without a valid token, 400 for a body that is not JSON, 413 over the
# body limit, for a lead over daemon.max_entry_bytes and for 1,001 leads, with nothing added;
# a lead that is JSON but invalid is accepted and recorded `invalid`; 503 while Redis is down;
# tokens re-read on SIGHUP; the metrics count requests by code and leads accepted.
. "$(dirname "$0")/daemon_lib.sh"

start_redis
P=$L2A_PREFIX
PORT=$(free_port)
WPORT=$(free_port)
CFG=$TEST_TMP/l2a.yaml
printf '# intake tokens\n\n  tok-one  \ntok-two\r\n' >"$TEST_TMP/tokens"
: >"$TEST_TMP/users"
daemon_config "$CFG" "$PORT" "daemon:" "  consumer: \"intake-test\"" "  max_entry_bytes: 2048" "  max_field_bytes: 1024" \
    "web:" "  listen: \"127.0.0.1:$WPORT\"" "  users_file: \"$TEST_TMP/users\"" \
    "  tokens_file: \"$TEST_TMP/tokens\""
setup_accounts 50 10 3
start_daemon l2ad "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"
URL=http://127.0.0.1:$WPORT/v1/leads

# post TOKEN BODY-FILE: CODE is the status, BODY the answer (curl -d @file keeps the bytes).
post() {
    local auth=()
    [ -z "$1" ] || auth=(-H "Authorization: $1")
    CODE=$(curl -s -m 10 -o "$TEST_TMP/answer" -w '%{http_code}' "${auth[@]}" \
        -H 'Content-Type: application/json' --data-binary "@$2" "$URL" || true)
    BODY=$(cat "$TEST_TMP/answer" 2>/dev/null || true)
}
xlen() { rcli xlen "${P}leads"; }

# ---- one lead: 202, its id, the entry exactly as l2a push writes it ----------------------------
printf '  {"id":"IN1","email":"ann@%s","company":"Acme","score":0.1}\n' "example.org" >"$TEST_TMP/one.json"
post "Bearer tok-one" "$TEST_TMP/one.json"
assert_eq "$CODE" 202 "one lead"
[[ "$BODY" =~ ^\{\"accepted\":1,\"ids\":\[\"([0-9]+-[0-9]+)\"\]\}$ ]] || fail "one lead: answer '$BODY'"
ID1=${BASH_REMATCH[1]}
assert_eq "$(rcli xrange "${P}leads" "$ID1" "$ID1" | tail -n 2 | paste -sd' ')" \
    'json {"id":"IN1","email":"ann@example.org","company":"Acme","score":0.1}' \
    "the entry: one json field holding the object as sent"

# ---- an array: every element as written, ids in order --------------------------------------------
cat >"$TEST_TMP/array.json" <<'EOF'
[ {"id":"IN2","company":"a \"quoted\" [name], {x}"},
  {"id":"IN3","email":"bo@example.net","tags":[1,{"k":"]"}]} ,{"id":"IN4","score":45,"n":"\\"}
]
EOF
post "bearer tok-two" "$TEST_TMP/array.json"
assert_eq "$CODE" 202 "an array of 3"
ids=$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert a["accepted"]==3; print(" ".join(a["ids"]))' "$TEST_TMP/answer") ||
    fail "array answer: $BODY"
got=$(for id in $ids; do rcli xrange "${P}leads" "$id" "$id" | tail -n 1; done)
assert_eq "$got" '{"id":"IN2","company":"a \"quoted\" [name], {x}"}
{"id":"IN3","email":"bo@example.net","tags":[1,{"k":"]"}]}
{"id":"IN4","score":45,"n":"\\"}' "each element stored as written, in order"
assert_eq "$(xlen)" 4 "entries after the two requests"

# ---- refusals: nothing added -------------------------------------------------------------------
post "" "$TEST_TMP/one.json"
assert_eq "$CODE" 401 "no Authorization header"
assert_contains "$BODY" '"error":' "401 says why"
post "Bearer tok-thre" "$TEST_TMP/one.json"
assert_eq "$CODE" 401 "a wrong token"
post "Bearer tok-one-" "$TEST_TMP/one.json"
assert_eq "$CODE" 401 "a token longer than a good one"
post "Bearer # intake tokens" "$TEST_TMP/one.json"
assert_eq "$CODE" 401 "a comment line of the file is no token"
post "Bearer tok-one extra" "$TEST_TMP/one.json"
assert_eq "$CODE" 401 "a good token followed by more"
post "Basic dG9rLW9uZQ==" "$TEST_TMP/one.json"
assert_eq "$CODE" 401 "another scheme"
printf '{"id":"IN9",' >"$TEST_TMP/bad.json"
post "Bearer tok-one" "$TEST_TMP/bad.json"
assert_eq "$CODE" 400 "a body that is not JSON"
assert_contains "$BODY" "not JSON" "400 says why"
printf '{"id":"IN9","company":"Caf\xe9"}' >"$TEST_TMP/latin1.json"
post "Bearer tok-one" "$TEST_TMP/latin1.json"
assert_eq "$CODE" 400 "a body that is not UTF-8"
printf '[]' >"$TEST_TMP/empty.json"
post "Bearer tok-one" "$TEST_TMP/empty.json"
assert_eq "$CODE" 400 "an empty array"
python3 -c 'import json; print(json.dumps([{"id": "M%d" % i} for i in range(1001)]))' >"$TEST_TMP/1001.json"
post "Bearer tok-one" "$TEST_TMP/1001.json"
assert_eq "$CODE" 413 "1,001 leads"
assert_contains "$BODY" "1001 leads, over the limit of 1000" "413 for 1,001 says why"
python3 -c 'import json; print(json.dumps([{"id": "S1"}, {"id": "S2", "title": "x" * 3000}]))' >"$TEST_TMP/big.json"
post "Bearer tok-one" "$TEST_TMP/big.json"
assert_eq "$CODE" 413 "a lead over daemon.max_entry_bytes"
assert_contains "$BODY" "lead 2 is 3" "413 names the lead"
head -c 5000000 /dev/zero | tr '\0' ' ' >"$TEST_TMP/huge.json"
echo '{"id":"H1"}' >>"$TEST_TMP/huge.json"
post "Bearer tok-one" "$TEST_TMP/huge.json"
assert_eq "$CODE" 413 "a body over the listener's limit"
assert_eq "$(xlen)" 4 "nothing added by the refused requests"
CODE=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer tok-one" "$URL")
assert_eq "$CODE" 405 "GET /v1/leads"

# ---- JSON but not a valid lead: accepted, then recorded invalid (or dead-lettered: no id) -------
printf '[{"id":"IN5","email":"x at example.org"},{"id":"IN6","email":true},{"email":"no@id.org"}]' \
    >"$TEST_TMP/invalid.json"
post "Bearer tok-one" "$TEST_TMP/invalid.json"
assert_eq "$CODE" 202 "JSON leads that are not valid"
assert_eq "$(xlen)" 7 "entries"
_recorded() { [ "$(rcli hget "${P}lead:IN5" decision)" != "" ] && [ "$(dead_count)" == 2 ] && [ "$(pending_count)" == 0 ] &&
    [ "$(group_lag)" == 0 ]; }
wait_until 20 "the invalid leads recorded" _recorded
assert_eq "$(rcli hget "${P}lead:IN5" decision)" invalid "a lead without a usable email or company"
assert_eq "$(rcli hget "${P}lead:IN1" decision) $(rcli hget "${P}lead:IN3" decision)" \
    "no_match no_match" "the valid leads recorded"
assert_eq "$(result_count)" 5 "a result for every lead with an id (IN1-IN5)"
assert_eq "$(dead_count)" 2 "a lead with a field of the wrong type, and one without id: dead letters"

# ---- tokens re-read on SIGHUP -------------------------------------------------------------------
echo "tok-new" >"$TEST_TMP/tokens"
kill -HUP "$PID"
_reloaded() { [ "$(metric "$PORT" l2a_config_reloads_total)" == 1 ]; }
wait_until 10 "the reload" _reloaded
printf '{"id":"IN7"}' >"$TEST_TMP/seven.json"
post "Bearer tok-one" "$TEST_TMP/seven.json"
assert_eq "$CODE" 401 "a token removed from the file, after SIGHUP"
post "Bearer tok-new" "$TEST_TMP/seven.json"
assert_eq "$CODE" 202 "a token added to the file, after SIGHUP"
rm "$TEST_TMP/tokens"
kill -HUP "$PID"
_refused_reload() { [ "$(metric "$PORT" l2a_config_reload_failures_total)" == 1 ]; }
wait_until 10 "the reload refused (web.tokens_file cannot be read)" _refused_reload
grep -q 'config_reload_failed error=".*web.tokens_file: cannot read' "$TEST_TMP/l2ad.log" ||
    fail "the refused reload does not name web.tokens_file"
post "Bearer tok-new" "$TEST_TMP/seven.json"
assert_eq "$CODE" 202 "a tokens file gone: the reload is refused and the tokens read before kept"

# ---- a client that leaves before Redis answers: the lead is still added, l2ad stays well -----------
before=$(xlen)
rcli client pause 1500 write >/dev/null
printf '{"id":"IN8"}' >"$TEST_TMP/eight.json"
curl -s -m 0.3 -o /dev/null -H "Authorization: Bearer tok-new" --data-binary "@$TEST_TMP/eight.json" \
    "$URL" || true
_added() { [ "$(xlen)" == $((before + 1)) ]; }
wait_until 10 "the lead of the client gone" _added
post "Bearer tok-new" "$TEST_TMP/seven.json"
assert_eq "$CODE" 202 "the next request after a client left"
before=$((before + 2))

# ---- Redis refuses (OOM): 503, nothing added -----------------------------------------------------
rcli config set maxmemory 1 >/dev/null
post "Bearer tok-new" "$TEST_TMP/array.json"
rcli config set maxmemory 0 >/dev/null
assert_eq "$CODE" 503 "Redis refusing the writes"
assert_contains "$BODY" "nothing added" "503 says nothing was added"
assert_eq "$(xlen)" "$before" "nothing added by a refused transaction"

# ---- metrics ------------------------------------------------------------------------------------
assert_eq "$(metric "$PORT" 'l2a_intake_requests_total{code="202"}')" 7 "202 answers counted (also to the client gone)"
assert_eq "$(metric "$PORT" 'l2a_intake_requests_total{code="401"}')" 7 "401 answers counted"
assert_eq "$(metric "$PORT" 'l2a_intake_requests_total{code="400"}')" 3 "400 answers counted"
assert_eq "$(metric "$PORT" 'l2a_intake_requests_total{code="413"}')" 2 "413 answers counted (evhttp's own not)"
assert_eq "$(metric "$PORT" 'l2a_intake_requests_total{code="503"}')" 1 "503 answers counted"
assert_eq "$(metric "$PORT" l2a_intake_leads_total)" 11 "leads accepted (IN8 too: its client left)"

# ---- Redis gone: 503 --------------------------------------------------------------------------------
if [ -z "${L2A_TEST_REDIS_URL:-}" ]; then
    stop_redis
    _refused() { post "Bearer tok-new" "$TEST_TMP/seven.json"; [ "$CODE" == 503 ]; }
    wait_until 10 "503 with Redis stopped" _refused
    assert_contains "$BODY" "not reachable" "503 says Redis is not reachable"
    restart_redis
fi

stop_daemon "$PID" l2ad
echo "PASS [$TEST_NAME]"
