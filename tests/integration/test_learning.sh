#!/usr/bin/env bash
# tests/integration/test_learning.sh - decisions that teach the matcher (docs/learning.md), with
# two l2ad workers running: a review resolved to an account makes the next lead with the same
# company and corporate domain match it with a reason naming the reviewer, on the other running
# worker and on a worker started afterwards; a dismissed review excludes the rejected candidate;
# with learning.domains_from_contacts a name match teaches the account its domain, so a later
# lead matches by domain; `l2a learned list/export/import/forget` show, restore and undo it all.
. "$(dirname "$0")/outcomes_lib.sh"

outcomes_start 'id,name,domains,type
001A,Acme Corp,acme.com,Prospect
001B,Acme Holdings,acme.com,Prospect
001S,Stark Industries,stark.com,Prospect
001W,Wayne Enterprises,,Prospect'

keys="no_match.policy=flag learning.domains_from_contacts=true"
start_workers "$keys" "$keys"     # w1, w2: PORT1, PORT2, PID1, PID2
CFG=$TEST_TMP/w1.yaml
TODAY=$(date -u +%F)

h() { rcli hget "$P$1" "$2"; }
# decided ID DECISION ACCOUNT RULE: the lead's result hash says so.
decided() {
    assert_eq "$(h "lead:$1" decision)/$(h "lead:$1" account_id)/$(h "lead:$1" rule)" "$2/$3/$4" \
        "$1 decision ($(h "lead:$1" reason))"
}

# ---- always: a review resolved to an account ----------------------------------------------------
push_json '{"id":"A1","email":"bob@acme.com","company":"Acme"}' \
    '{"id":"N1","email":"tony@sil.io","company":"Stark Industrial"}' \
    '{"id":"W1","email":"bruce@wayne-ent.com","company":"Wayne Enterprises Inc."}'
wait_group_idle 20
decided A1 review "" domain+name
decided N1 review "" name
l2a_run review resolve --config "$CFG" A1 --account 001B --by ann
assert_eq "$RC" 0 "resolve A1 ($ERR)"
# A1 proves acme at acme.com is 001B, and that acme is not 001A (the best candidate, rejected)
assert_eq "$(rcli hlen "${P}learned")" 2 "two facts learned from A1: $(rcli hkeys "${P}learned")"
assert_contains "$(rcli hget "${P}learned" "$(printf 'never\tacme.com\tacme\t001A')")" '"lead_id":"A1"' \
    "A1's rejected best candidate"
l2a_run review resolve --config "$CFG" N1 --dismiss --by ann
assert_eq "$RC" 0 "dismiss N1 ($ERR)"
assert_eq "$(rcli hlen "${P}learned")" 3 "A1's two facts + never (N1)"
assert_contains "$(rcli hget "${P}learned" "$(printf 'always\tacme.com\tacme')")" '"account_id":"001B"' \
    "the always fact"
assert_contains "$(rcli hget "${P}learned" "$(printf 'never\tsil.io\tstark industrial\t001S')")" '"by":"ann"' \
    "the never fact"

# the worker still running follows: w1 stops, w2 alone decides the next leads
stop_daemon "$PID1" w1
sleep 0.5   # the change reaches w2's follower (it blocks at most daemon.block_ms)
leads=()
for i in 1 2 3; do
    leads+=("{\"id\":\"A2-$i\",\"email\":\"p$i@acme.com\",\"company\":\"ACME\"}")
    leads+=("{\"id\":\"N2-$i\",\"email\":\"q$i@sil.io\",\"company\":\"Stark Industrial\"}")
done
# the never fact holds for leads of that name from that domain: not for a free-mail one
leads+=('{"id":"N2-g","email":"vision@gmail.com","company":"Stark Industrial"}')
push_json "${leads[@]}"
wait_group_idle 20
decided N2-g match 001S name
for i in 1 2 3; do
    decided "A2-$i" match 001B learned
    assert_contains "$(h "lead:A2-$i" reason)" "learned from a review by ann on $TODAY of lead A1" \
        "A2-$i reason"
    assert_eq "$(h "lead:N2-$i" decision)" no_match "N2-$i: the rejected candidate is excluded"
    assert_contains "$(h "lead:N2-$i" reason)" \
        "account 'Stark Industries' (001S) excluded for this company: learned from a review by ann" \
        "N2-$i reason"
done

# ---- domains from contacts -----------------------------------------------------------------------
decided W1 match 001W name+label
assert_eq "$(h account:001W domains)" wayne-ent.com "001W learned its domain"
assert_eq "$(h lead:W1 learned_domain)" wayne-ent.com "W1's result names the learned domain"
assert_contains "$(h learned:domains wayne-ent.com)" '"lead_id":"W1"' "the evidence"
events_dump >/dev/null
assert_eq "$(ev_count account.domain_learned lead_id=W1 account_id=001W domain=wayne-ent.com)" 1 \
    "account.domain_learned event"
sleep 0.5
push_json '{"id":"W2","email":"alfred@wayne-ent.com","company":"WE Corp"}'
wait_group_idle 20
decided W2 match 001W domain

# ---- a worker started now loads what was learned --------------------------------------------------
start_daemon w1b "$TEST_TMP/w1.yaml"
PID1=$DAEMON_PID
wait_ready "$PORT1"
# shellcheck disable=SC2153  # start_workers set PID2
stop_daemon "$PID2" w2
grep -q 'accounts_loaded.*learned=3' "$TEST_TMP/w1b.log" || fail "w1b did not load 3 facts: $(grep accounts_loaded "$TEST_TMP/w1b.log")"
push_json '{"id":"A3","email":"zoe@acme.com","company":"Acme Inc."}'
wait_group_idle 20
decided A3 match 001B learned

# ---- l2a replay decides with the learned facts too: the leads they decided are unchanged ---------
l2a_run replay --config "$CFG" --json
assert_eq "$RC" 0 "replay ($ERR)"
assert_contains "$ERR" "l2a replay: learned facts=3 skipped=0" "replay read the facts"
for id in A2-1 A2-2 A2-3 N2-1 N2-2 N2-3 A3; do
    ! grep -q "\"lead_id\":\"$id\"" <<<"$OUT" || fail "replay says $id changed: $(grep "\"$id\"" <<<"$OUT")"
done
# A1, decided before anyone reviewed it, would now match the account the review chose
assert_contains "$(grep '"lead_id":"A1"' <<<"$OUT")" '"account_id":"001B"' "A1 under the learned facts"

# ---- list, export, forget, import ----------------------------------------------------------------
l2a_run learned list --config "$CFG"
assert_eq "$RC" 0 "learned list ($ERR)"
assert_contains "$OUT" "always  'acme' at acme.com -> 001B  (by ann, $TODAY, lead A1)" "list: always"
assert_contains "$OUT" "never   'stark industrial' at sil.io -> not 001S  (by ann, $TODAY, lead N1)" "list: never"
assert_contains "$OUT" "domain  wayne-ent.com -> 001W  (from lead W1, $TODAY)" "list: domain"
l2a_run learned export --config "$CFG"
assert_eq "$RC" 0 "learned export ($ERR)"
printf '%s\n' "$OUT" >"$TEST_TMP/learned.yaml"
assert_contains "$OUT" $'  - kind: "always"\n    name: "acme"\n    domain: "acme.com"\n    account_id: "001B"' \
    "export: the always fact as YAML"

l2a_run learned forget --config "$CFG" always acme acme.com
assert_eq "$RC/$OUT" "0/forgot always 'acme' acme.com" "forget always ($ERR)"
l2a_run learned forget --config "$CFG" never "stark industrial" 001S sil.io
assert_eq "$RC" 0 "forget never ($ERR)"
l2a_run learned forget --config "$CFG" never acme 001A acme.com
assert_eq "$RC" 0 "forget never acme ($ERR)"
l2a_run learned forget --config "$CFG" domain wayne-ent.com
assert_eq "$RC" 0 "forget domain ($ERR)"
assert_eq "$(h account:001W domains)" "" "the learned domain is off the account"
l2a_run learned forget --config "$CFG" never "stark industrial" 001S sil.io
assert_eq "$RC" 1 "forgetting it twice: exit 1"
assert_contains "$ERR" "nothing learned as never 'stark industrial' 001S sil.io" "forgetting twice: why"
assert_eq "$(rcli hlen "${P}learned")" 0 "nothing learned left"
sleep 0.5
push_json '{"id":"A4","email":"amy@acme.com","company":"Acme"}' \
    '{"id":"N4","email":"rhodey@sil.io","company":"Stark Industrial"}' \
    '{"id":"W4","email":"lucius@wayne-ent.com","company":"WE Corp"}'
wait_group_idle 20
decided A4 review "" domain+name
decided N4 review "" name
decided W4 no_match "" none
# resolving without the engine's lists (a config whose list files do not resolve) teaches nothing
l2a_run review resolve --config "$TOOLS_CFG" N4 --dismiss --by bob
assert_eq "$RC" 0 "resolve N4 without the lists ($ERR)"
assert_contains "$ERR" "this resolution teaches nothing (pass --config FILE)" "without lists: said"
assert_eq "$(rcli hlen "${P}learned")" 0 "without lists: nothing learned"

# a bad file: the error's position, nothing imported
printf 'facts:\n  - kind: always\n    name: acme\n    account_id: 001B\n' >"$TEST_TMP/bad.yaml"
l2a_run learned import --config "$CFG" "$TEST_TMP/bad.yaml"
assert_eq "$RC" 1 "import of a bad file: exit 1"
assert_contains "$ERR" "bad.yaml:2:5: this always fact has no domain" "bad file: where and why"
printf 'facts:\n  - kind: never\n    name: Stark Industrial Inc\n    account_id: 001S\n' >"$TEST_TMP/bad2.yaml"
l2a_run learned import --config "$CFG" "$TEST_TMP/bad2.yaml"
assert_eq "$RC" 1 "import of a name not in normal form: exit 1"
assert_contains "$ERR" "bad2.yaml:2:5: name 'Stark Industrial Inc' is not as the engine normalises it ('stark industrial')" \
    "not in normal form: where and why"
assert_eq "$(rcli hlen "${P}learned")" 0 "nothing imported from bad files"

l2a_run learned import --config "$CFG" "$TEST_TMP/learned.yaml"
assert_eq "$RC/$OUT" "0/imported 3 of 3 facts" "import the export ($ERR)"
l2a_run learned export --config "$CFG"
assert_eq "$(grep -v '^#' <<<"$OUT")" "$(grep -v '^#' "$TEST_TMP/learned.yaml" | sed '/^domains:/,$d')" \
    "export after import = the facts exported before"
sleep 0.5
push_json '{"id":"A5","email":"max@acme.com","company":"Acme"}'
wait_group_idle 20
decided A5 match 001B learned

stop_daemon "$PID1" w1b
echo "ok [$TEST_NAME]"
