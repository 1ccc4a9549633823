#!/usr/bin/env bash
# tests/integration/test_match_threads.sh - `l2a match --threads N` decides the leads on N threads
# and writes exactly what one thread writes: the same decisions in input order, blank lines
# skipped, bad lines decided invalid with their own line numbers, from a file or stdin; more leads
# than the chunks of 256 lines the threads take and the ring of chunks in flight holds. A write
# error on stdout and a bad --threads value fail as with one thread.
. "$(dirname "$0")/lib.sh"

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
CONF=$SRC_DIR/conf/l2a.yaml

# 600 accounts; 7,002 lines of leads (about 30 chunks): by domain, by name, free-mail, a blank or
# whitespace-only line every 13 lines, a bad JSON line every 97 (some with a readable id), CRLF
# line ends every 5, a byte order mark on line 1 and a last line without a line end.
python3 - "$TEST_TMP" <<'PY'
import sys
d = sys.argv[1]
words = ["Acme", "Nordic", "Blue", "River", "Quantum", "Maple", "Delta", "Orbit", "Cedar", "Zenith"]
with open(f"{d}/accounts.csv", "w") as a:
    a.write("id,name,domains,type,country\n")
    for i in range(600):
        a.write(f"A{i},{words[i % 10]} {words[(i // 10) % 10]} Labs {i},co{i}.example.com,Customer,Germany\n")
lines = []
for i in range(7002):
    if i % 13 == 5:
        lines.append(["", "   ", "\t", " \r"][i % 4])
    elif i % 97 == 7:
        lines.append([f'{{"id":"BAD{i}","email":', "not json at all", f'{{"id": "X{i}", "company": "x"'][i % 3])
    else:
        k = i % 600
        name = f"{words[k % 10]} {words[(k // 10) % 10]} Labs {k}"
        email = [f"jo@co{k}.example.com", "jo@gmail.com", f"jo@other{i}.example.org"][i % 3]
        lines.append(f'{{"id":"L{i}","email":"{email}","company":"{name}"}}')
with open(f"{d}/leads.jsonl", "wb") as l:
    l.write(b"\xef\xbb\xbf")
    for i, s in enumerate(lines):
        l.write(s.encode() + (b"" if i == len(lines) - 1 else b"\r\n" if i % 5 == 0 else b"\n"))
PY

# run NAME ARGS...: l2a match on the leads file with ARGS; NAME.out, NAME.err, NAME.rc.
run() {
    local name=$1 rc=0
    shift
    "$L2A" match --config "$CONF" --accounts "$TEST_TMP/accounts.csv" "$@" \
        >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" || rc=$?
    echo "$rc" >"$TEST_TMP/$name.rc"
}

run one --leads "$TEST_TMP/leads.jsonl" --threads 1
assert_eq "$(cat "$TEST_TMP/one.rc")" 0 "one thread: exit status"
leads=$(grep -cv '^[[:space:]]*$' "$TEST_TMP/leads.jsonl")
assert_eq "$(wc -l <"$TEST_TMP/one.out")" "$leads" "one decision per non-blank line"
assert_contains "$(sed -n 1p "$TEST_TMP/one.out")" '"lead_id":"L0"' "line 1's byte order mark skipped"
assert_contains "$(cat "$TEST_TMP/one.out")" '"lead_id":"L7001"' "the last line, without a line end"
assert_contains "$(grep '"BAD6603"' "$TEST_TMP/one.out")" 'line 6604: ' \
    "a bad line's number counts the blank lines"
[ "$(grep -c '"decision":"invalid"' "$TEST_TMP/one.out")" -gt 60 ] || fail "too few invalid lines"
[ "$(grep -c '"decision":"match"' "$TEST_TMP/one.out")" -gt 1000 ] || fail "too few matches"

for threads in 2 3 8; do
    run "t$threads" --leads "$TEST_TMP/leads.jsonl" --threads "$threads"
    assert_eq "$(cat "$TEST_TMP/t$threads.rc")" 0 "$threads threads: exit status"
    cmp -s "$TEST_TMP/one.out" "$TEST_TMP/t$threads.out" ||
        fail "$threads threads: decisions differ from one thread's"
    assert_eq "$(cat "$TEST_TMP/t$threads.err")" "" "$threads threads: nothing on stderr"
done
run default --leads "$TEST_TMP/leads.jsonl"
cmp -s "$TEST_TMP/one.out" "$TEST_TMP/default.out" || fail "the default thread count: decisions differ"

rc=0
"$L2A" match --config "$CONF" --accounts "$TEST_TMP/accounts.csv" --leads - --threads 3 \
    <"$TEST_TMP/leads.jsonl" >"$TEST_TMP/stdin.out" || rc=$?
assert_eq "$rc" 0 "3 threads from stdin: exit status"
cmp -s "$TEST_TMP/one.out" "$TEST_TMP/stdin.out" || fail "3 threads from stdin: decisions differ"

printf '' >"$TEST_TMP/empty.jsonl"
run empty --leads "$TEST_TMP/empty.jsonl" --threads 3
assert_eq "$(cat "$TEST_TMP/empty.rc"):$(wc -c <"$TEST_TMP/empty.out")" "0:0" "no leads, 3 threads"

if [ -w /dev/full ]; then
    for threads in 1 3; do
        rc=0
        "$L2A" match --config "$CONF" --accounts "$TEST_TMP/accounts.csv" \
            --leads "$TEST_TMP/leads.jsonl" --threads "$threads" >/dev/full 2>/dev/null || rc=$?
        assert_eq "$rc" 1 "$threads threads: a write error on stdout"
    done
fi

for bad in 0 65 2x ""; do
    l2a_run match --config "$CONF" --accounts "$TEST_TMP/accounts.csv" \
        --leads "$TEST_TMP/leads.jsonl" --threads "$bad"
    assert_eq "$RC" 2 "--threads '$bad': usage error"
    assert_contains "$ERR" "--threads: expected a whole number from 1 to 64, got '$bad'" \
        "--threads '$bad': the message"
done
echo "test_match_threads: ok"
