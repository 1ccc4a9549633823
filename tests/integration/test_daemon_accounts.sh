#!/usr/bin/env bash
# tests/integration/test_daemon_accounts.sh - accounts imported, changed or deleted with
# `l2a import-accounts` while l2ad runs reach its index through l2a:accounts:changes: the next lead
# is matched to a new account, follows a changed website, and no longer matches a deleted one;
# change entries of every form (one account; a batch's many as fields; a batch's many as the
# two values of `op rows`, issue 11) are applied, a malformed one ignored.
. "$(dirname "$0")/daemon_lib.sh"

start_redis
P=$L2A_PREFIX
write_config "$TEST_TMP/tools.yaml"
printf '%s\n' "id,name,domains" "001ACME,Acme Robotics Inc.,acme-robotics.com" \
    "001BRW,Brightwater Foods,brightwater.example" >"$TEST_TMP/accounts.csv"
"$L2A" import-accounts --config "$TEST_TMP/tools.yaml" "$TEST_TMP/accounts.csv" >/dev/null

PORT=$(free_port)
daemon_config "$TEST_TMP/l2a.yaml" "$PORT"
start_daemon l2ad "$TEST_TMP/l2a.yaml"
PID=$DAEMON_PID
wait_ready "$PORT"
assert_eq "$(metric "$PORT" l2a_accounts_indexed)" 2 "accounts loaded"

# lead ID EMAIL COMPANY: pushed; waits for its result; DEC and ACC are its decision and account.
lead() {
    printf '{"id":"%s","email":"%s","company":"%s"}\n' "$1" "$2" "$3" >"$TEST_TMP/lead.jsonl"
    "$L2A" push --config "$TEST_TMP/tools.yaml" "$TEST_TMP/lead.jsonl" >/dev/null
    _recorded() { [ "$(rcli exists "${P}lead:$1")" == 1 ]; }
    wait_until 30 "the result of lead $1" _recorded "$1"
    DEC=$(rcli hget "${P}lead:$1" decision)
    ACC=$(rcli hget "${P}lead:$1" account_id)
}

_indexed() { [ "$(metric "$PORT" l2a_accounts_indexed)" == "$1" ] &&
    [ "$(metric "$PORT" l2a_account_changes_applied_total)" == "$2" ]; }

lead N1 kim@zephyrlabs.io "Zephyr Labs"
assert_eq "$DEC" no_match "before the account exists"

# ---- a new account -------------------------------------------------------------------------------------
echo "001ZEP,Zephyr Labs GmbH,https://www.zephyrlabs.io/" >>"$TEST_TMP/accounts.csv"
"$L2A" import-accounts --config "$TEST_TMP/tools.yaml" "$TEST_TMP/accounts.csv" >/dev/null
wait_until 10 "the new account in the index" _indexed 3 1
lead N2 kim@zephyrlabs.io "Zephyr Labs"
assert_eq "$DEC/$ACC" match/001ZEP "after the import"

# ---- a changed website: the old domain no longer leads to it, the new one does -----------------------------
sed -i 's#^001ZEP,.*#001ZEP,Zephyr Labs GmbH,zephyr.example#' "$TEST_TMP/accounts.csv"
"$L2A" import-accounts --config "$TEST_TMP/tools.yaml" "$TEST_TMP/accounts.csv" >/dev/null
wait_until 10 "the changed account in the index" _indexed 3 2
lead N3 kim@zephyr.example ""
assert_eq "$DEC/$ACC" match/001ZEP "the new website"
lead N4 kim@zephyrlabs.io ""
assert_eq "$DEC" no_match "the old website"

# ---- deleted ---------------------------------------------------------------------------------------------
grep -v '^001ZEP,' "$TEST_TMP/accounts.csv" >"$TEST_TMP/without.csv"
"$L2A" import-accounts --config "$TEST_TMP/tools.yaml" --delete-missing "$TEST_TMP/without.csv" >/dev/null
wait_until 10 "the deletion in the index" _indexed 2 3
lead N5 kim@zephyr.example "Zephyr Labs"
assert_eq "$DEC" no_match "after the deletion"

# ---- both entry forms on the stream (a rolling upgrade): `op upsert` of one account, fields in any
# order, and `op upserts` of a batch, each `id` field starting an account -------------------------------
rcli xadd "${P}accounts:changes" '*' op upsert domains old-form.example name "Old Form Ltd" \
    id 001OLD >/dev/null
rcli xadd "${P}accounts:changes" '*' op upserts id 001NA name "Batch Alpha AG" \
    domains alpha-batch.example id 001NB name "Batch Beta SA" domains beta-batch.example >/dev/null
wait_until 10 "both entry forms in the index" _indexed 5 6
lead N7 ann@old-form.example ""
assert_eq "$DEC/$ACC" match/001OLD "the one-account entry"
lead N8 ann@alpha-batch.example ""
assert_eq "$DEC/$ACC" match/001NA "the first account of a batch entry"
lead N9 ann@beta-batch.example ""
assert_eq "$DEC/$ACC" match/001NB "the second account of a batch entry (its own domain, not the first's)"
rcli xadd "${P}accounts:changes" '*' op delete id 001NA >/dev/null
rcli xadd "${P}accounts:changes" '*' op delete id 001NB >/dev/null
rcli xadd "${P}accounts:changes" '*' op delete id 001OLD >/dev/null
wait_until 10 "the stream-only accounts gone again" _indexed 2 9

# ---- `op rows` (issue 11): a batch's accounts in two values, items <length>:<bytes> -------------------
# by hand, then a malformed one (ignored, logged), then as `l2a import-accounts` writes one
rcli xadd "${P}accounts:changes" '*' op rows columns "2:id4:name7:domains" \
    rows "5:001RA10:Rows Alpha18:alpha-rows.example5:001RB9:Rows Beta17:beta-rows.example" >/dev/null
rcli xadd "${P}accounts:changes" '*' op rows columns "2:id4:name" rows "5:001RC9:Rows" >/dev/null
wait_until 10 "the accounts of an op rows entry in the index" _indexed 4 11
lead R1 ann@alpha-rows.example ""
assert_eq "$DEC/$ACC" match/001RA "the first account of an op rows entry"
lead R2 ann@beta-rows.example ""
assert_eq "$DEC/$ACC" match/001RB "the second account of an op rows entry (its own domain)"
assert_contains "$(cat "$TEST_TMP/l2ad.log")" "account_change_ignored op=rows" "a malformed op rows entry logged"
{ cat "$TEST_TMP/without.csv"; echo "001RD,Rows Delta,delta-rows.example"
  echo "001RE,Rows Epsilon,epsilon-rows.example"; } >"$TEST_TMP/rows.csv"
"$L2A" import-accounts --config "$TEST_TMP/tools.yaml" "$TEST_TMP/rows.csv" >/dev/null
assert_eq "$(rcli xrevrange "${P}accounts:changes" + - count 1 | sed -n 3p)" rows \
    "an import of two new accounts writes an op rows entry"
wait_until 10 "the imported accounts in the index" _indexed 6 13
lead R3 ann@epsilon-rows.example ""
assert_eq "$DEC/$ACC" match/001RE "an account the import announced in an op rows entry"
"$L2A" import-accounts --config "$TEST_TMP/tools.yaml" --delete-missing "$TEST_TMP/without.csv" >/dev/null
rcli xadd "${P}accounts:changes" '*' op delete id 001RA >/dev/null
rcli xadd "${P}accounts:changes" '*' op delete id 001RB >/dev/null
wait_until 10 "the op rows accounts gone again" _indexed 2 17

# ---- a restarted daemon loads the current accounts -----------------------------------------------------------
stop_daemon "$PID" l2ad
start_daemon l2ad2 "$TEST_TMP/l2a.yaml"
PID=$DAEMON_PID
wait_ready "$PORT"
assert_eq "$(metric "$PORT" l2a_accounts_indexed)" 2 "accounts loaded after the changes"
lead N6 bo@brightwater.example ""
assert_eq "$DEC/$ACC" match/001BRW "an account that never changed"
stop_daemon "$PID" l2ad2
echo "ok [$TEST_NAME]"
