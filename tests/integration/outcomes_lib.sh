# tests/integration/outcomes_lib.sh - helpers for the outcome tests on top of daemon_lib.sh: the
# shipped config with a few keys changed, the events stream read back as lines, the 50-company
# create_account run (data, two workers, the counts it must end with).
#
# Usage, in tests/integration/test_outcomes_x.sh (run as `test_outcomes_x.sh BUILD_DIR`):
#   . "$(dirname "$0")/outcomes_lib.sh"
#   outcomes_start CSV_TEXT; shipped_config FILE HTTP_PORT [section.key=value ...]; push_json JSON...
#   events_dump; ev_count TYPE [field=value ...]; ev_dups; key_count PATTERN; outcome_stats
#   companies_start; start_workers "W1_KEYS" "W2_KEYS"; check_companies NCOMP NLEADS EMAILS NOLD
# shellcheck shell=bash disable=SC2034,SC2119  # globals for the tests that source this file
. "$(dirname "${BASH_SOURCE[0]}")/daemon_lib.sh"

# shipped_config FILE HTTP_PORT [section.key=value ...]: conf/l2a.yaml as shipped (its comments,
# rules and contact roles), pointed at the test server, prefix and port, the lists by absolute
# path, then the given one-line keys replaced. A key that is not in the file fails the test.
shipped_config() {
    local file=$1 port=$2
    shift 2
    python3 - "$SRC_DIR/conf/l2a.yaml" "$file" "redis.url=\"$REDIS_URL\"" \
        "redis.prefix=\"$L2A_PREFIX\"" "http.listen=\"127.0.0.1:$port\"" \
        "lists.freemail=\"$SRC_DIR/conf/freemail-domains.txt\"" \
        "lists.disposable=\"$SRC_DIR/conf/disposable-email-domains.txt\"" \
        "lists.legal_forms=\"$SRC_DIR/conf/legal-forms.tsv\"" "$@" <<'EOF' || fail "shipped_config"
import re, sys
src, dst, sets = sys.argv[1], sys.argv[2], {}
for a in sys.argv[3:]:
    k, v = a.split("=", 1)
    sets[k] = v
section, out, done = None, [], set()
for line in open(src, encoding="utf-8"):
    m = re.match(r"^([a-z_]+):", line)
    if m:
        section = m.group(1)
    m = re.match(r"^  ([a-z_]+):", line)
    key = m and "%s.%s" % (section, m.group(1))
    if key in sets and key not in done:
        line = "  %s: %s\n" % (m.group(1), sets[key])
        done.add(key)
    out.append(line)
missing = set(sets) - done
if missing:
    sys.exit("keys not in the shipped config: %s" % sorted(missing))
open(dst, "w", encoding="utf-8").write("".join(out))
EOF
    "$L2A" check-config "$file" >/dev/null || fail "shipped_config: $file is not valid"
}

# Every event of the prefix's events stream as one line of tab-separated field=value pairs, in
# stream order, into $TEST_TMP/events.tsv (also printed count). One server-side script.
EVENTS_LUA='
local out = {}
for _, e in ipairs(redis.call("XRANGE", KEYS[1], "-", "+")) do
  local f = {}
  for i = 1, #e[2], 2 do f[#f + 1] = e[2][i] .. "=" .. e[2][i + 1] end
  out[#out + 1] = table.concat(f, "\t")
end
return out'
events_dump() {
    rcli eval "$EVENTS_LUA" 1 "${L2A_PREFIX}events" >"$TEST_TMP/events.tsv"
    wc -l <"$TEST_TMP/events.tsv"
}

# ev_count TYPE [field=value ...]: events of that type carrying every given field=value (reads
# the last events_dump).
ev_count() {
    local t=$1
    shift
    awk -F'\t' -v t="type=$t" -v want="$(printf '%s\n' "$@")" '
        BEGIN { n = split(want, w, "\n"); if (want == "") n = 0 }
        { ok = 0; for (i = 1; i <= NF; i++) if ($i == t) ok = 1
          for (j = 1; j <= n && ok; j++) { hit = 0
              for (i = 1; i <= NF; i++) if ($i == w[j]) hit = 1
              ok = hit }
          c += ok }
        END { print c + 0 }' "$TEST_TMP/events.tsv"
}

# ev_dups: events that say the same thing twice (the same line once the time "at" is left out);
# prints them, nothing when every event is unique.
ev_dups() {
    sed 's/\tat=[^\t]*//' "$TEST_TMP/events.tsv" | sort | uniq -d
}

# Keys matching a pattern under the prefix (SCAN, server side).
COUNT_LUA='
local cursor, n = "0", 0
repeat
  local r = redis.call("SCAN", cursor, "MATCH", ARGV[1], "COUNT", 1000)
  cursor = r[1]
  n = n + #r[2]
until cursor == "0"
return n'
key_count() {
    rcli eval "$COUNT_LUA" 0 "${L2A_PREFIX}$1"
}

# push_json LINE...: the leads (JSON objects) appended to the input stream through `l2a push`.
push_json() {
    printf '%s\n' "$@" >"$TEST_TMP/push.jsonl"
    "$L2A" push --config "$TOOLS_CFG" "$TEST_TMP/push.jsonl" >/dev/null 2>&1 || fail "l2a push"
}

# gen_companies DIR NCOMP NLEADS FIRST SEED: leads of NCOMP companies that no account knows, each
# on its own corporate domain (a few on its mail. sub-domain), several people per company, some
# sending several leads (their email in other letter cases too), every company with one lead
# scoring above 100. DIR/first.jsonl holds the first FIRST leads (from the first half of the
# companies only), DIR/rest.jsonl the others, DIR/all.jsonl both; DIR/emails is the number of
# distinct (lower-cased) emails.
gen_companies() {
    mkdir -p "$1"
    python3 - "$@" <<'PY' || fail "gen_companies $*"
import json, random, sys
out = sys.argv[1]
ncomp, nleads, first, seed = (int(a) for a in sys.argv[2:6])
rng = random.Random(seed)
SYL = ["zor", "vex", "qui", "llon", "tam", "bri", "kor", "dell", "mar", "ost", "fen", "wick", "lum",
       "pex", "sal", "dra", "nov", "tur", "gri", "mont", "val", "ith", "bel", "dun", "rav", "ska"]
used, comps = set(), []
def word():
    while True:
        w = "".join(rng.choice(SYL) for _ in range(3))
        if w not in used and not any(w[:5] == u[:5] for u in used):
            used.add(w)
            return w
for c in range(ncomp):
    a, b = word(), word()
    people = ["%s.%s" % (rng.choice(["ana", "tom", "li", "omar", "eva", "raj", "kim", "sue"]), n)
              for n in rng.sample(["silva", "baker", "chen", "novak", "okafor", "ito", "berg",
                                   "haas", "lund", "moro", "ruiz", "kato"], 8)]
    comps.append({"name": "%s %s" % (a.capitalize(), b.capitalize()), "domain": "%s%s.com" % (a, b),
                  "people": people})
TITLES = ["VP Sales", "Software Engineer", "Procurement Lead", "Controller", "Marketing Manager",
          "CEO", "Analyst", ""]
def lead(i, c):
    p = rng.choice(c["people"])
    host = ("mail." if rng.random() < 0.05 else "") + c["domain"]
    email = "%s@%s" % (p, host)
    if rng.random() < 0.1:
        email = email.upper()
    company = c["name"] + rng.choice(["", "", " Inc."])
    return {"id": "00QO%06d" % i, "email": email, "company": company,
            "title": rng.choice(TITLES), "score": rng.randint(0, 100), "source": "Web"}
leads = [lead(i, rng.choice(comps[:ncomp // 2])) for i in range(first)]
leads += [lead(i, rng.choice(comps)) for i in range(first, nleads)]
for c in comps:    # one lead above advance_score per company, somewhere
    mine = [l for l in leads if l["email"].lower().endswith(c["domain"])]
    assert mine, c
    rng.choice(mine)["score"] = 150
emails = {l["email"].lower() for l in leads}
for name, part in (("first", leads[:first]), ("rest", leads[first:]), ("all", leads)):
    with open("%s/%s.jsonl" % (out, name), "w") as f:
        f.writelines(json.dumps(l) + "\n" for l in part)
open(out + "/emails", "w").write("%d\n" % len(emails))
PY
}

# Result hashes by outcome, and how many say account_created=1: "OUTCOME=N ... created=N".
OUTCOMES_LUA='
local cursor, by, created = "0", {}, 0
repeat
  local r = redis.call("SCAN", cursor, "MATCH", ARGV[1], "COUNT", 1000)
  cursor = r[1]
  for _, k in ipairs(r[2]) do
    local o, c = unpack(redis.call("HMGET", k, "outcome", "account_created"))
    o = o or "none"
    by[o] = (by[o] or 0) + 1
    if c == "1" then created = created + 1 end
  end
until cursor == "0"
local out = {}
for o, n in pairs(by) do out[#out + 1] = o .. "=" .. n end
table.sort(out)
out[#out + 1] = "created=" .. created
return out'
outcome_stats() {
    rcli eval "$OUTCOMES_LUA" 0 "${L2A_PREFIX}lead:*" | paste -sd' '
}

# check_companies NCOMP NLEADS EMAILS NOLD: after a create_account run of gen_companies' leads on
# top of NOLD imported accounts, exactly NCOMP new accounts (set, hashes, changes stream, events),
# one contact per distinct email, one opportunity per new account, one role per contact, one stage
# move per opportunity, every lead converted once, every event once.
check_companies() {
    local ncomp=$1 nleads=$2 emails=$3 nold=$4 p=$L2A_PREFIX
    assert_eq "$(result_stats)" "$nleads 0" "result hashes (and hashes not naming a stream entry)"
    assert_eq "$(outcome_stats)" \
        "account_created=$ncomp converted=$((nleads - ncomp)) created=$ncomp" \
        "results by outcome, and results that created their account"
    assert_eq "$(rcli scard "${p}accounts")" $((ncomp + nold)) "accounts in the set"
    assert_eq "$(rcli smembers "${p}accounts" | grep -c '^new:')" "$ncomp" "new accounts in the set"
    assert_eq "$(key_count 'account:new:*')" "$ncomp" "new account hashes"
    # an account per change (an import's entry lists many accounts)
    assert_eq "$(changes_accounts "${p}accounts:changes")" $((ncomp + nold)) \
        "accounts on the changes stream"
    assert_eq "$(key_count 'contact:*')" "$emails" "contacts (one per distinct email)"
    assert_eq "$(rcli hlen "${p}contacts:by_email")" "$emails" "email index entries"
    assert_eq "$(key_count 'opportunity:O-*')" "$ncomp" "opportunities"
    assert_eq "$(key_count 'opportunity:open:new:*')" "$ncomp" "open opportunities of new accounts"
    assert_eq "$(rcli get "${p}seq:opportunity")" "$ncomp" "opportunity ids drawn"
    local total=$((nleads + ncomp + ncomp + emails + ncomp))
    assert_eq "$(events_dump)" "$total" "events"
    assert_eq "$(ev_dups | head -n 3)" "" "events repeated"
    assert_eq "$(ev_count account.created)" "$ncomp" "account.created"
    assert_eq "$(grep -P '^type=account.created\t' "$TEST_TMP/events.tsv" |
                 grep -o 'account_id=[^	]*' | sort -u | wc -l)" "$ncomp" \
        "accounts created, distinct"
    assert_eq "$(ev_count opportunity.created)" "$ncomp" "opportunity.created"
    assert_eq "$(grep -P '^type=opportunity.created\t' "$TEST_TMP/events.tsv" |
                 grep -o 'account_id=[^	]*' | sort -u | grep -c '=new:')" "$ncomp" \
        "opportunities created, on distinct new accounts"
    assert_eq "$(ev_count lead.converted)" "$nleads" "lead.converted"
    assert_eq "$(ev_count lead.converted new_contact=1)" "$emails" "lead.converted as a new contact"
    assert_eq "$(ev_count contact_role.added)" "$emails" "contact_role.added"
    assert_eq "$(ev_count opportunity.stage_changed)" "$ncomp" "opportunity.stage_changed"
    assert_eq "$(ev_count lead.flagged)" 0 "lead.flagged"
}

# outcomes_start CSV_TEXT: start_redis, P (the prefix), TOOLS_CFG (a config for the l2a tools)
# and the accounts of CSV_TEXT imported.
outcomes_start() {
    start_redis
    P=$L2A_PREFIX
    TOOLS_CFG=$TEST_TMP/tools.yaml
    write_config "$TOOLS_CFG"
    printf '%s\n' "$1" >"$TEST_TMP/accounts.csv"
    "$L2A" import-accounts --config "$TOOLS_CFG" "$TEST_TMP/accounts.csv" >/dev/null 2>&1 ||
        fail "import-accounts"
}

# companies_start: outcomes_start with 3 accounts, then gen_companies' 2,000 leads of 50 companies
# in $TEST_TMP/data (first 600, then the rest); EMAILS is their number of distinct emails.
companies_start() {
    outcomes_start 'id,name,domains,type
001D,Initech Software,initech.com,Prospect
001C,Contoso Ltd,contoso.com,Customer
001G,Globex Corporation,globex.com,Prospect'
    gen_companies "$TEST_TMP/data" 50 2000 600 7
    EMAILS=$(cat "$TEST_TMP/data/emails")
}

# start_workers "W1_KEYS" "W2_KEYS": l2ad worker-1 and worker-2 (logs w1, w2; PORT1, PORT2, PID1,
# PID2) on the shipped config with create_account and opportunities, plus each one's
# space-separated section.key=value list; both ready.
start_workers() {
    PORT1=$(free_port)
    PORT2=$(free_port)
    [ "$PORT1" != "$PORT2" ] || PORT2=$(free_port)
    local w keys port
    for w in 1 2; do
        port=PORT$w
        keys=$1
        shift
        # shellcheck disable=SC2086  # the keys are one word each
        shipped_config "$TEST_TMP/w$w.yaml" "${!port}" no_match.policy=create_account \
            opportunities.enabled=true daemon.consumer="\"worker-$w\"" $keys
    done
    start_daemon w1 "$TEST_TMP/w1.yaml"
    PID1=$DAEMON_PID
    start_daemon w2 "$TEST_TMP/w2.yaml"
    PID2=$DAEMON_PID
    wait_ready "$PORT1"
    wait_ready "$PORT2"
}
