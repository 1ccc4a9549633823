#!/usr/bin/env bash
# tests/integration/test_load_threads.sh - `l2a match` loads an accounts CSV on two threads
# (accounts.load_threads: 2, a second thread reading and parsing rows) into the same index as on
# one: the same decisions and the same warnings in the same order (skipped rows, duplicate ids
# across many batches of rows, a malformed row that ends the load), and the same exit status.
. "$(dirname "$0")/lib.sh"

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
cp "$SRC_DIR"/conf/l2a.yaml "$SRC_DIR"/conf/*.txt "$SRC_DIR"/conf/legal-forms.tsv "$TEST_TMP/"
grep -q '^  load_threads: 2$' "$TEST_TMP/l2a.yaml" || fail "conf/l2a.yaml: no 'load_threads: 2' line"
sed 's/^  load_threads: 2$/  load_threads: 1/' "$TEST_TMP/l2a.yaml" >"$TEST_TMP/one.yaml"
sed 's/^  load_threads: 2$/  load_threads: 2/' "$TEST_TMP/l2a.yaml" >"$TEST_TMP/two.yaml"

# 5,000 accounts (ten batches of the reader's 512 rows), every 97th id a repeat of an earlier
# one, a skipped row every 401 rows; leads naming some of them by domain and by name.
python3 - "$TEST_TMP" <<'PY'
import sys
d = sys.argv[1]
words = ["Acme", "Nordic", "Blue", "River", "Quantum", "Maple", "Delta", "Orbit", "Cedar", "Zenith"]
with open(f"{d}/accounts.csv", "w") as a, open(f"{d}/leads.jsonl", "w") as l:
    a.write("id,name,domains,type,country\n")
    for i in range(5000):
        acc = f"A{i // 97 if i % 97 == 96 else i}"
        name = f"{words[i % 10]} {words[(i // 10) % 10]} Labs {i}"
        a.write(f"{acc},{name},https://www.co{i}.example.com/,Customer,Germany\n")
        if i % 401 == 400:
            a.write(f"A{i}x,,nodomain.com,Prospect,France\n")
            a.write("short,row\n")
        if i % 7 == 0:
            l.write(f'{{"id":"L{i}","email":"jo@co{i}.example.com","company":"{name}"}}\n')
        if i % 11 == 0:
            l.write(f'{{"id":"N{i}","email":"jo@gmail.com","company":"{name} GmbH"}}\n')
PY
cp "$TEST_TMP/accounts.csv" "$TEST_TMP/broken.csv"
# The same rows with a notes column after the id: long (the reader copies such a row's fields one
# by one, not in one piece), quoted over two lines, or short.
python3 - "$TEST_TMP" <<'PY'
import sys
d = sys.argv[1]
with open(f"{d}/accounts.csv") as a, open(f"{d}/wide.csv", "w") as w:
    for i, line in enumerate(a):
        note = "notes" if i == 0 else "x" * 3000 if i % 3 == 0 else '"a, b\nc"' if i % 5 == 0 else "n"
        first, rest = line.split(",", 1)
        w.write(f"{first},{note},{rest}")
PY
printf 'Z1,"Quoted"x,z.com,Customer,Spain\nZ2,After,after.com,Customer,Spain\n' >>"$TEST_TMP/broken.csv"

# run NAME CONFIG ACCOUNTS: l2a match; NAME.out, NAME.err and NAME.rc in $TEST_TMP.
run() {
    local rc=0
    "$L2A" match --config "$2" --accounts "$3" --leads "$TEST_TMP/leads.jsonl" \
        >"$TEST_TMP/$1.out" 2>"$TEST_TMP/$1.err" || rc=$?
    echo "$rc" >"$TEST_TMP/$1.rc"
}

for threads in one two; do
    run "$threads" "$TEST_TMP/$threads.yaml" "$TEST_TMP/accounts.csv"
    run "$threads-broken" "$TEST_TMP/$threads.yaml" "$TEST_TMP/broken.csv"
    run "$threads-wide" "$TEST_TMP/$threads.yaml" "$TEST_TMP/wide.csv"
done

assert_eq "$(cat "$TEST_TMP/one.rc")" 0 "one thread: exit status"
assert_eq "$(cat "$TEST_TMP/two.rc")" 0 "two threads: exit status"
lines=$(wc -l <"$TEST_TMP/one.out")
[ "$lines" -gt 1000 ] || fail "one thread: $lines decisions, expected over 1,000"
cmp -s "$TEST_TMP/one.out" "$TEST_TMP/two.out" || fail "decisions differ between one and two threads"
cmp -s "$TEST_TMP/one.err" "$TEST_TMP/two.err" || fail "warnings differ between one and two threads"
assert_contains "$(cat "$TEST_TMP/two.err")" "accounts.csv:4972: account id 'A50' already on line 52 (the later row wins)" \
    "a duplicate id named with both lines"
assert_contains "$(cat "$TEST_TMP/two.err")" "empty name; skipped" "a skipped row"
assert_contains "$(cat "$TEST_TMP/two.err")" "row has 2 fields, header has 5; skipped" \
    "a short row"
dups=$(grep -c "already on line" "$TEST_TMP/two.err")
assert_eq "$dups" 51 "every repeated id warned about once"

assert_eq "$(cat "$TEST_TMP/two-wide.rc")" 0 "two threads, a notes column: exit status"
cmp -s "$TEST_TMP/one.out" "$TEST_TMP/two-wide.out" || fail "a notes column changed the decisions"
cmp -s "$TEST_TMP/one-wide.err" "$TEST_TMP/two-wide.err" ||
    fail "a notes column: warnings differ between one and two threads"

assert_eq "$(cat "$TEST_TMP/one-broken.rc")" 1 "one thread: a malformed row fails the load"
assert_eq "$(cat "$TEST_TMP/two-broken.rc")" 1 "two threads: a malformed row fails the load"
cmp -s "$TEST_TMP/one-broken.err" "$TEST_TMP/two-broken.err" ||
    fail "the malformed file's messages differ between one and two threads"
assert_contains "$(cat "$TEST_TMP/two-broken.err")" "broken.csv:5026: unexpected character after closing quote" \
    "the malformed row named"
echo "test_load_threads: ok"
