#!/usr/bin/env bash
# Benchmark: the small commands, which show or check one thing or make one
# change, against a baseline measured in the same run:
# examples/command_baseline.rs, a process that opens the same database
# with the same pragmas as portalctl and runs one indexed SELECT, or
# commits one INSERT in one transaction. Each is run RUNS times on a
# database of N members in one account (made by `portalctl apply`, as
# scripts/bench_apply.sh makes it), each command's run alternating with
# its baseline's so both see the same machine; the figure is the median
# wall time of a whole process, from its start to its exit (which
# includes SQLite's checkpoint on close).
#
#   scripts/bench_commands.sh                     # 1,000 and 100,000 members
#   SIZES="1000 1000000" RUNS=50 scripts/bench_commands.sh
#
# Prints a Markdown table; with WRITE=1 it also replaces the small-command
# section of BENCHMARKS.md. Needs bash 5 (EPOCHREALTIME) and Python 3.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 100000"}
RUNS=${RUNS:-100}
PORTALCTL=target/release/portalctl
BASELINE=target/release/examples/command_baseline
cargo build --release --quiet --bin portalctl --example command_baseline
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Microseconds one command takes, start to exit; its output is dropped.
# The exit code is the caller's to check: a refusal is expected to fail.
elapsed() {
    local start=$EPOCHREALTIME code=0
    "$@" >/dev/null 2>&1 || code=$?
    local end=$EPOCHREALTIME
    echo "$(( ${end/./} - ${start/./} )) $code"
}

median() { python3 -c "import statistics, sys; print(round(statistics.median(map(int, sys.argv[1:])) / 1000, 2))" "$@"; }
ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{a / b:.2f}' if b else '-')" "$1" "$2"; }

# Runs a case RUNS times, alternating with its baseline; `{}` in either
# command stands for the run's number (fresh emails for the writes).
# Prints "COMMAND_MS BASELINE_MS".
bench() {
    local want=$1 base_mode=$2 base_email=$3
    shift 3
    local ours=() theirs=() i t code
    for i in $(seq 1 "$RUNS"); do
        read -r t code < <(elapsed "$BASELINE" "$db" "$base_mode" "${base_email//\{\}/$i}")
        [ "$code" = 0 ] || { echo "baseline failed: $base_mode $base_email" >&2; exit 1; }
        theirs+=("$t")
        local args=("${@//\{\}/$i}")
        read -r t code < <(elapsed "$PORTALCTL" "${args[@]}")
        [ "$code" = "$want" ] || { echo "\`portalctl $*\` exited $code, not $want" >&2; exit 1; }
        ours+=("$t")
    done
    echo "$(median "${ours[@]}") $(median "${theirs[@]}")"
}

table="| members | command | ms (median of $RUNS) | baseline ms | vs baseline |
|---:|---|---:|---:|---:|"
for n in $SIZES; do
    python3 - "$n" "$work/fixture.json" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
users = [{"email": "olive@acme.test", "name": "Olive Owner", "role": "admin"}]
users += [{"email": f"u{i}@acme.test", "name": f"User {i}", "role": "user"} for i in range(n)]
doc = {"preset": "portal", "accounts": [{"name": "Acme Ltd", "owner": "olive@acme.test", "users": users}]}
json.dump(doc, open(path, "w"))
PY
    db="$work/portal.db"
    rm -f "$db"*
    export PORTALCTL_DB="$db" PORTALCTL_NOW=2026-11-25T10:00:00Z
    "$PORTALCTL" apply "$work/fixture.json" >/dev/null
    # A member in the middle of the table, neither first nor last.
    someone="u$(( n / 2 ))@acme.test"
    row() {
        table+="
| $n | $1 | $2 | $3 | $(ratio "$2" "$3") |"
    }
    read -r ours theirs < <(bench 0 select "$someone" user show "$someone")
    row "\`user show\`" "$ours" "$theirs"
    read -r ours theirs < <(bench 0 select "$someone" can "$someone" portal.access)
    row "\`can\` (yes)" "$ours" "$theirs"
    read -r ours theirs < <(bench 5 select "$someone" can "$someone" users.manage)
    row "\`can\` (no, exit 5)" "$ours" "$theirs"
    read -r ours theirs < <(bench 0 select "$someone" account show "Acme Ltd")
    row "\`account show\`" "$ours" "$theirs"
    read -r ours theirs < <(bench 5 select "$someone" --as "$someone" order list)
    row "\`--as\` a user: \`order list\` refused (exit 5)" "$ours" "$theirs"
    read -r ours theirs < <(bench 0 insert "base{}-$n@acme.test" \
        user invite "new{}-$n@acme.test" --role user --account "Acme Ltd")
    row "\`user invite --role user\` (baseline: one INSERT)" "$ours" "$theirs"
    unset PORTALCTL_DB PORTALCTL_NOW
    rm -f "$db"*
done
echo "$table"
if [ "${WRITE:-0}" = 1 ]; then
    python3 - "$table" <<'PY'
import re, sys
table = sys.argv[1]
text = open("BENCHMARKS.md").read()
block = "<!-- bench_commands -->\n" + table + "\n<!-- /bench_commands -->"
new, n = re.subn(r"<!-- bench_commands -->.*?<!-- /bench_commands -->", block, text, flags=re.S)
if n == 0:
    raise SystemExit("BENCHMARKS.md has no <!-- bench_commands --> section")
open("BENCHMARKS.md", "w").write(new)
PY
fi
