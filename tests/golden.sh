#!/usr/bin/env bash
# golden.sh - runs one golden case (l2a match) and compares its decisions with expected.jsonl by lead.
# Usage: golden.sh L2A_BINARY CASE_DIR [GOLDEN_ENGINE]
# With GOLDEN_ENGINE (tests/golden_engine.c, linked to the engine alone) the decisions come from it,
# fed the case's engine options as `l2a check-config --engine-json` prints them, and must be
# byte-identical to l2a match's.
# CASE_DIR holds l2a.yaml, accounts.csv, leads.jsonl and expected.jsonl. For each expected object the
# actual decision of the same lead_id must have the same `decision`, and the same `account_id` and
# `rule` when the expected object has those keys. Exit 0 if all agree, 1 otherwise (2: usage).
set -euo pipefail

if [ $# -ne 2 ] && [ $# -ne 3 ]; then
    echo "usage: $0 L2A_BINARY CASE_DIR [GOLDEN_ENGINE]" >&2
    exit 2
fi
bin=$1
dir=${2%/}
engine_runner=${3:-}
for f in l2a.yaml accounts.csv leads.jsonl expected.jsonl; do
    if [ ! -f "$dir/$f" ]; then
        echo "golden: $dir/$f: missing" >&2
        exit 1
    fi
done

tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

rc=0
"$bin" match --config "$dir/l2a.yaml" --accounts "$dir/accounts.csv" --leads "$dir/leads.jsonl" \
    >"$tmp/actual.jsonl" 2>"$tmp/stderr" || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "golden: $(basename "$dir"): l2a match exited with status $rc" >&2
    cat "$tmp/stderr" >&2
    exit 1
fi

if [ -n "$engine_runner" ]; then
    "$bin" check-config --engine-json "$dir/l2a.yaml" >"$tmp/engine.json"
    "$engine_runner" "$tmp/engine.json" "$dir/accounts.csv" "$dir/leads.jsonl" >"$tmp/engine.jsonl" ||
        { echo "golden: $(basename "$dir"): golden_engine failed" >&2; exit 1; }
    cmp -s "$tmp/actual.jsonl" "$tmp/engine.jsonl" || {
        echo "golden: $(basename "$dir"): the engine alone decides differently from l2a match:" >&2
        diff "$tmp/actual.jsonl" "$tmp/engine.jsonl" | head -n 10 >&2
        exit 1
    }
    mv "$tmp/engine.jsonl" "$tmp/actual.jsonl"
fi

python3 - "$(basename "$dir")" "$dir/expected.jsonl" "$tmp/actual.jsonl" <<'PY'
# Compares expected and actual decisions by lead_id; prints one line per difference.
import json
import sys

name, expected_path, actual_path = sys.argv[1:4]
problems = []


def load(path, what):
    """Returns the JSON objects of a JSONL file, recording unparsable lines as problems."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                problems.append(f"{what} line {lineno}: invalid JSON: {e}")
                continue
            if not isinstance(obj, dict) or "lead_id" not in obj:
                problems.append(f"{what} line {lineno}: not an object with lead_id: {line.strip()}")
                continue
            rows.append(obj)
    return rows


def show(obj, keys):
    return " ".join(f"{k}={json.dumps(obj.get(k))}" for k in keys)


expected = load(expected_path, "expected")
actual = load(actual_path, "output")
by_lead = {}
for obj in actual:
    lead = str(obj["lead_id"])
    if lead in by_lead:
        problems.append(f"lead {lead}: more than one decision in the output")
    by_lead[lead] = obj
if len(actual) != len(expected):
    problems.append(f"count: expected {len(expected)} decisions, got {len(actual)}")

for exp in expected:
    lead = str(exp["lead_id"])
    got = by_lead.get(lead)
    if got is None:
        problems.append(f"lead {lead}: missing from the output")
        continue
    keys = [k for k in ("decision", "account_id", "rule") if k == "decision" or k in exp]
    if any(exp.get(k) != got.get(k) for k in keys):
        problems.append(f"lead {lead}: expected {show(exp, keys)} | got {show(got, keys)}"
                        f" | reason: {got.get('reason', '')}")

for p in problems:
    print(f"- {p}")
print(f"golden {name}: {len(expected)} expected, {len(actual)} decisions, {len(problems)} problems")
sys.exit(1 if problems else 0)
PY
