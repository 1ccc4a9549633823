#!/usr/bin/env bash
# tests/integration/test_wedge_alias_new_account.sh - a lead on an aliased brand domain (brand.com -> parent.com) makes account new:parent.com, decided by l2ad or resolved with --new-account: one account per company.
#
# Wedge on the code this was written against: `l2a review resolve --new-account` works out the
# lead's domain itself, without the aliases, and creates new:brand.com, a second account for a
# company l2ad files under parent.com (its next leads never match the resolved account).
# Observed there (de55f5c): the daemon's part passes; then "B1's account after resolve
# --new-account: expected 'new:parent.com', got 'new:brand.com'". Fails in ~2 s.
. "$(dirname "$0")/outcomes_lib.sh"

ACCOUNTS='id,name,domains,type
001X,Unrelated Corp,unrelated.example,Customer'
ALIAS='{"brand.com": "parent.com"}'

h() { rcli hget "$P$1" "$2"; }

# new_accounts: the ids under new: in the accounts set, one line.
new_accounts() {
    rcli smembers "${P}accounts" | grep '^new:' | sort | paste -sd' '
}

# brand_lead ID NAME: a lead of the company from NAME@brand.com, pushed and waited for.
brand_lead() {
    push_json "{\"id\":\"$1\",\"email\":\"$2@brand.com\",\"company\":\"Zephyr Quill Works\"}"
    wait_drained 30 "$2@brand.com"
}

# next_lead ID NAME: the company's next lead matches the one account it has, new:parent.com, and
# the run so far is recorded once (2 leads).
next_lead() {
    brand_lead "$1" "$2"
    assert_eq "$(h "lead:$1" decision)" match "$1, the company's next lead"
    assert_eq "$(h "lead:$1" account_id)" new:parent.com "$1's account"
    assert_eq "$(new_accounts)" new:parent.com "accounts for the company"
    assert_eq "$(rcli exists "${P}account:new:brand.com")" 0 "no account on the brand's own domain"
    assert_recorded_once 2 0
}

# brand_daemon NAME POLICY: l2ad on the shipped config with the alias and the no-match policy.
brand_daemon() {
    PORT=$(free_port)
    shipped_config "$TEST_TMP/$1.yaml" "$PORT" domains.aliases="$ALIAS" no_match.policy="$2"
    start_daemon "$1" "$TEST_TMP/$1.yaml"
    PID=$DAEMON_PID
    wait_ready "$PORT"
}

# ---- create_account: l2ad decides ----------------------------------------------------------------
outcomes_start "$ACCOUNTS"
brand_daemon create create_account
brand_lead A1 alice
assert_eq "$(h lead:A1 outcome)" account_created "A1 outcome"
assert_eq "$(h lead:A1 account_id)" new:parent.com "A1's new account (the alias's target)"
assert_eq "$(h account:new:parent.com domains)" parent.com "new account's domain"
next_lead A2 carol
stop_daemon "$PID" create

# ---- flag, then `l2a review resolve --new-account`, on a prefix of its own ------------------------
L2A_PREFIX="${L2A_PREFIX%:}flag:"
P=$L2A_PREFIX
write_config "$TOOLS_CFG"
"$L2A" import-accounts --config "$TOOLS_CFG" "$TEST_TMP/accounts.csv" >/dev/null 2>&1 ||
    fail "import-accounts"
brand_daemon flag flag
brand_lead B1 bob
assert_eq "$(h lead:B1 outcome)" flagged "B1 outcome"
assert_eq "$(h alert:B1 status)" open "B1's alert"
out=$("$L2A" review resolve --config "$TEST_TMP/flag.yaml" B1 --new-account --by tester 2>&1) ||
    fail "review resolve B1 --new-account: $out"
assert_eq "$(h lead:B1 account_id)" new:parent.com "B1's account after resolve --new-account"
assert_eq "$(new_accounts)" new:parent.com "accounts created for the company"
assert_eq "$(h account:new:parent.com domains)" parent.com "resolved account's domain"

# the company's next lead finds that account (l2ad follows the account changes)
next_lead B2 dan
stop_daemon "$PID" flag
echo "ok [$TEST_NAME]"
