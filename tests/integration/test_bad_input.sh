#!/usr/bin/env bash
# tests/integration/test_bad_input.sh - bad input gets a clear error, nothing is lost, nothing is
# silently changed: a CSV that is not UTF-8 (l2a match, l2a import-accounts) is refused with
# file:line and read with --encoding; duplicate account ids are warned about with both lines and
# counted once; l2a push skips a byte order mark and refuses a line over daemon.max_entry_bytes; JSON
# errors are said in l2a's words; flat stream entries with a NUL byte or bytes that are not UTF-8
# are recorded invalid with the reason (dead-lettered when the id itself is bad); a lead id sent
# again with other fields is counted in l2a_leads_repeated_total (a resend of the same is not).
. "$(dirname "$0")/daemon_lib.sh"

start_redis
P=$L2A_PREFIX
CFG=$TEST_TMP/l2a.yaml
PORT=$(free_port)
daemon_config "$CFG" "$PORT" "daemon:" "  max_entry_bytes: 1024" "  max_field_bytes: 1024"

# run ARGS...: runs l2a; OUT gets stderr, STDOUT stdout, RC the exit status.
run() {
    RC=0
    STDOUT=$("$L2A" "$@" 2>"$TEST_TMP/stderr") || RC=$?
    OUT=$(cat "$TEST_TMP/stderr")
}

# is_utf8 FILE: the file decodes as UTF-8.
is_utf8() {
    python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1"
}

# ---- a Windows-1252 export: refused with file:line unless --encoding names it -----------------
printf 'id,name,domains\n001SG,Soci\xe9t\xe9 G\xe9n\xe9rale,societegenerale.fr\n002,Acme,acme.com\n' \
    >"$TEST_TMP/cp1252.csv"
echo '{"id":"L1","email":"jo@societegenerale.fr","company":"Société Générale"}' >"$TEST_TMP/one.jsonl"
run match --config "$CFG" --accounts "$TEST_TMP/cp1252.csv" --leads "$TEST_TMP/one.jsonl"
assert_eq "$RC" 1 "match of a cp1252 CSV without --encoding"
assert_contains "$OUT" "cp1252.csv:2: not valid UTF-8 (byte 0xE9 in field 2)" "match: file:line"
assert_contains "$OUT" "--encoding" "match: the hint names --encoding"
assert_eq "$STDOUT" "" "no decision from a refused accounts file"

run match --config "$CFG" --accounts "$TEST_TMP/cp1252.csv" --encoding windows-1252 \
    --leads "$TEST_TMP/one.jsonl"
assert_eq "$RC" 0 "match with --encoding windows-1252 ($OUT)"
assert_contains "$STDOUT" "account name 'Société Générale'" "the converted name, in UTF-8"
printf '%s\n' "$STDOUT" >"$TEST_TMP/out.jsonl"
is_utf8 "$TEST_TMP/out.jsonl" || fail "decisions are not UTF-8"
run match --config "$CFG" --accounts "$TEST_TMP/cp1252.csv" --encoding latin1 \
    --leads "$TEST_TMP/one.jsonl"
assert_contains "$STDOUT" '"decision":"match","account_id":"001SG"' "match with --encoding latin1"

run match --config "$CFG" --accounts "$TEST_TMP/cp1252.csv" --encoding no-such-thing \
    --leads "$TEST_TMP/one.jsonl"
assert_eq "$RC" 2 "an unknown encoding is a usage error"
assert_contains "$OUT" "--encoding no-such-thing: unknown encoding" "unknown encoding message"

printf 'id,name\n001,Acme\x81\n' >"$TEST_TMP/undefined.csv"   # 0x81 has no character in cp1252
run match --config "$CFG" --accounts "$TEST_TMP/undefined.csv" --encoding cp1252 \
    --leads "$TEST_TMP/one.jsonl"
assert_eq "$RC" 1 "a byte the encoding does not define"
assert_contains "$OUT" "undefined.csv:2: byte 0x81 is not valid cp1252" "bad byte for the encoding"

printf 'id,name\n001,Ac\0me\n' >"$TEST_TMP/nul.csv"
run match --config "$CFG" --accounts "$TEST_TMP/nul.csv" --leads "$TEST_TMP/one.jsonl"
assert_eq "$RC" 1 "a NUL byte in a CSV"
assert_contains "$OUT" "nul.csv:2: NUL byte in field 2" "NUL byte message"

# the bad byte on the third line of a quoted, multi-line field: that line is named
printf 'id,name,notes\n001,Acme,"one\ntwo\nthr\xe9e"\n' >"$TEST_TMP/multiline.csv"
run match --config "$CFG" --accounts "$TEST_TMP/multiline.csv" --leads "$TEST_TMP/one.jsonl"
assert_contains "$OUT" "multiline.csv:4: not valid UTF-8 (byte 0xE9 in field 3)" \
    "the line of the bad byte inside a multi-line field"

# import-accounts: the same (it streams: rows before the bad one are imported, and it says so)
printf 'id,name\n003,Good First\n004,Bad\xe9\n' >"$TEST_TMP/late.csv"
run import-accounts --config "$CFG" "$TEST_TMP/late.csv"
assert_eq "$RC" 1 "import of a file that is not UTF-8"
assert_contains "$OUT" "l2a: import-accounts: $TEST_TMP/late.csv:3: not valid UTF-8 (byte 0xE9 in field 2)" \
    "import: file:line"
assert_contains "$OUT" "l2a: before the error, imported 0 accounts" "import: what was done (the rows before were still queued)"
assert_eq "$(rcli exists "${P}account:004")" 0 "the bad row is not imported"
run import-accounts --config "$CFG" --encoding nope "$TEST_TMP/cp1252.csv"
assert_eq "$RC" 2 "import: unknown encoding"
run import-accounts --config "$CFG" --encoding windows-1252 "$TEST_TMP/cp1252.csv"
assert_eq "$RC" 0 "import with --encoding ($OUT)"
assert_eq "$(rcli hget "${P}account:001SG" name)" "Société Générale" "imported name in UTF-8"

# ---- duplicate account ids: both lines named, the later row wins, counted once ------------------
printf 'id,name,domains\n010,Old Name,dup.com\n011,Other,other.com\n010,New Name,dup.com\n' \
    >"$TEST_TMP/dup.csv"
echo '{"id":"L2","email":"a@dup.com"}' >"$TEST_TMP/dup.jsonl"
run match --config "$CFG" --accounts "$TEST_TMP/dup.csv" --leads "$TEST_TMP/dup.jsonl"
assert_eq "$RC" 0 "match with a duplicate id"
assert_contains "$OUT" "dup.csv:4: account id '010' already on line 2 (the later row wins)" \
    "match warns with both lines"
assert_contains "$STDOUT" "account 'New Name'" "the later row wins offline"
run import-accounts --config "$CFG" "$TEST_TMP/dup.csv"
assert_eq "$RC" 0 "import with a duplicate id"
assert_contains "$OUT" "dup.csv:4: account id '010' already on line 2 (the later row wins)" \
    "import warns with both lines"
assert_contains "$OUT" "imported 2 accounts: 2 new, 0 updated, 0 unchanged, 0 deleted (1 row repeated" \
    "import counts the id once"
assert_eq "$(rcli hget "${P}account:010" name)" "New Name" "the later row wins in Redis"
printf 'id,name,domains\n010,Newer,dup.com\n011,Other,other.com\n010,Newer,dup.com\n' \
    >"$TEST_TMP/dup2.csv"
run import-accounts --config "$CFG" "$TEST_TMP/dup2.csv"
assert_contains "$OUT" "imported 2 accounts: 0 new, 1 updated, 1 unchanged, 0 deleted" \
    "an id updated then repeated unchanged counts once, as updated"

# ---- JSONL: a byte order mark is skipped; errors in l2a's words ---------------------------------
printf '\xef\xbb\xbf{"id":"B1","email":"a@dup.com"}\n{"id":"B2","email":\n{"id":"B3","company":"a\\u0000b"}\n{"id":"B4","company":"Soci\xe9t\xe9"}\n' \
    >"$TEST_TMP/bom.jsonl"
run match --config "$CFG" --accounts "$TEST_TMP/dup.csv" --leads "$TEST_TMP/bom.jsonl"
assert_contains "$(sed -n 1p <<<"$STDOUT")" '"lead_id":"B1","decision":"match"' "BOM skipped offline"
assert_contains "$(sed -n 2p <<<"$STDOUT")" '"reason":"line 2: invalid JSON at column 19: ' \
    "an error at the end of a line is on that line"
assert_contains "$(sed -n 3p <<<"$STDOUT")" 'a string holds a NUL character' "NUL in l2a's words"
assert_contains "$(sed -n 4p <<<"$STDOUT")" 'not valid UTF-8 (the file must be UTF-8): byte 0xe9' \
    "bad UTF-8 in l2a's words"
case $STDOUT in *JSON_ALLOW_NUL* | *"at line 2"* | *"unable to decode"*) fail "jansson's words: $STDOUT" ;; esac

# ---- push: BOM skipped, a line over daemon.max_entry_bytes refused, the others pushed ----------
big=$(printf 'x%.0s' $(seq 1 1100))
printf '\xef\xbb\xbf{"id":"P1","email":"p1@dup.com"}\n{"id":"P2","company":"%s"}\n{"id":"P3","email":"p3@dup.com"}\n' \
    "$big" >"$TEST_TMP/push.jsonl"
run push --config "$CFG" "$TEST_TMP/push.jsonl"
assert_eq "$RC" 1 "push with a line over the limit exits non-zero"
assert_contains "$OUT" "push.jsonl:2: the lead is 1128 bytes, over daemon.max_entry_bytes 1024; not pushed" \
    "the refused line is named"
assert_contains "$OUT" "pushed 2 leads" "the other lines are pushed"
assert_eq "$(rcli xlen "${P}leads")" 2 "two entries"
assert_eq "$(rcli xrange "${P}leads" - + count 1 | sed -n 3p)" '{"id":"P1","email":"p1@dup.com"}' \
    "the BOM is not pushed"
run push --config "$CFG" --flat "$TEST_TMP/push.jsonl"
assert_eq "$RC" 1 "push --flat refuses the long line too"
assert_contains "$OUT" "push.jsonl:2: the lead is" "push --flat: the refused line"
assert_eq "$(rcli xlen "${P}leads")" 4 "four entries"

# ---- the daemon: flat entries with a NUL byte or bytes that are not UTF-8 ----------------------
start_daemon l2ad "$CFG"
PID=$DAEMON_PID
wait_ready "$PORT"
# xadd_raw FIELD VALUE ...: XADD over raw RESP (values in Python bytes syntax); prints the id.
xadd_raw() {
    python3 - "$REDIS_PORT" "${P}leads" "$@" <<'PY'
import ast, socket, sys
args = [b"XADD", sys.argv[2].encode(), b"*"] + [ast.literal_eval("b'" + a + "'") for a in sys.argv[3:]]
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
reply = s.recv(100)
assert reply.startswith(b"$"), reply
print(reply.split(b"\r\n")[1].decode())
PY
}
xadd_raw id N1 email 'n1\x00x@dup.com' company Dup >/dev/null || fail "XADD N1"
xadd_raw id N2 email n2@dup.com company 'Soci\xe9t\xe9' >/dev/null || fail "XADD N2"
xadd_raw id N3 email 'n3\x00@dup.com' company 'Soci\xe9t\xe9' >/dev/null || fail "XADD N3"
xadd_raw id N4 email n4@dup.com utm_note '\xff\x00 ignored' >/dev/null || fail "XADD N4"
dead_id=$(xadd_raw id 'N5\x00tail' email n5@dup.com) || fail "XADD N5"
dead_json=$(xadd_raw json '{"id":"N6"}\x00{"id":"N7"}') || fail "XADD N6"
wait_group_idle 30
for id in N1 N2 N3; do
    assert_eq "$(rcli hget "${P}lead:$id" decision)" invalid "decision of $id"
done
assert_eq "$(rcli hget "${P}lead:N1" reason)" "field 'email' holds a NUL byte (at offset 2)" "reason N1"
assert_eq "$(rcli hget "${P}lead:N2" reason)" \
    "field 'company' is not valid UTF-8 (byte 0xE9 at offset 4)" "reason N2"
assert_eq "$(rcli hget "${P}lead:N3" reason)" "field 'email' holds a NUL byte (at offset 2) (and 1 more field)" \
    "reason N3"
assert_eq "$(rcli hget "${P}lead:N4" decision)" match "an unknown field's bytes are ignored, as the field is"
assert_eq "$(rcli hexists "${P}lead:N5" decision)" 0 "no result for the lead whose id holds a NUL"
rcli xrange "${P}leads:dead" - + >"$TEST_TMP/dead.txt"
grep -A1 -x error "$TEST_TMP/dead.txt" | grep -qx "field 'id' holds a NUL byte (at offset 2)" ||
    fail "dead letter of the id with a NUL: $(cat "$TEST_TMP/dead.txt")"
grep -A1 -x error "$TEST_TMP/dead.txt" | grep -qx "field 'json' holds a NUL byte (at offset 11)" ||
    fail "dead letter of the json field with a NUL: $(cat "$TEST_TMP/dead.txt")"
grep -qx "$dead_id" "$TEST_TMP/dead.txt" || fail "the dead letter names entry $dead_id"
grep -qx "$dead_json" "$TEST_TMP/dead.txt" || fail "the dead letter names entry $dead_json"
events=$(rcli xrange "${P}events" - + | paste -sd' ')
for id in N1 N2 N3; do
    assert_contains "$events" "type lead.invalid lead_id $id" "lead.invalid event of $id"
done
assert_eq "$(metric "$PORT" 'l2a_leads_total{decision="invalid"}')" 3 "metric invalid leads"
assert_eq "$(acked_stats)" "$(($(rcli xlen "${P}leads") - 0)) 0" "every entry acknowledged with a trace"

# ---- a lead id again with other fields: counted, logged, the first result kept ------------------
assert_eq "$(metric "$PORT" l2a_leads_repeated_total)" 0 "P1 and P3 pushed twice, the same: a resend"
rcli xadd "${P}leads" '*' id N2 email other@dup.com company Dup >/dev/null
wait_group_idle 30
assert_eq "$(metric "$PORT" l2a_leads_repeated_total)" 1 "a lead id again with other fields"
assert_eq "$(rcli hget "${P}lead:N2" decision)" invalid "the first result is kept"
grep 'event=lead_repeated' "$TEST_TMP/l2ad.log" | grep -q "lead:N2" || fail "no lead_repeated log line"
stop_daemon "$PID" l2ad
echo "ok [$TEST_NAME]"
