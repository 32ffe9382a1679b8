#!/usr/bin/env bash
# Benchmark: the small commands, which show or check one thing or make one
# change, against a baseline measured in the same run:
# examples/command_baseline.rs, a process that opens the same database
# with the same pragmas as portalctl and runs one indexed SELECT, or
# commits one INSERT in one transaction. `user invite` is also measured
# against the five rows an invitation is (person, membership, invitation,
# its email, the chained audit event) committed with no checks. Each is
# run RUNS times on a database of N members in one account (made by
# `portalctl apply`, as scripts/bench_apply.sh makes it), each command's
# run alternating with its baseline's so both see the same machine; the
# figures are the medians of a whole process's wall time, from its start
# to its exit (SQLite's checkpoint on close included), and of its CPU
# time.
#
#   scripts/bench_commands.sh                     # 1,000 and 100,000 members
#   SIZES="1000 1000000" RUNS=50 scripts/bench_commands.sh
#
# Prints a Markdown table; with WRITE=1 it also replaces the small-command
# section of BENCHMARKS.md. Needs Python 3.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 100000"}
RUNS=${RUNS:-100}
cargo build --release --quiet --bin portalctl --example command_baseline
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Both binaries run as installed copies, as `cargo install` or a package
# leaves them. The file the linker has just written sits in the page
# cache in small pieces, so each page of it a process touches is a fault
# of its own: measured, `user show` ran from the build tree takes 50 more
# page faults and about 1.5 ms more than the same file copied.
PORTALCTL=$work/portalctl
BASELINE=$work/command_baseline
cp target/release/portalctl "$PORTALCTL"
cp target/release/examples/command_baseline "$BASELINE"

# Runs a case RUNS times, each run of the command alternating with one of
# its baseline so that both see the same machine; `{}` in either command
# line stands for the run's number (fresh emails for the writes). The
# command must exit WANT (a refusal exits 5), the baseline 0. Prints the
# medians in ms: "WALL CPU BASE_WALL BASE_CPU", CPU being the process's
# user and system time (os.wait4), which other load on a shared machine
# disturbs less than the wall time.
cat >"$work/measure.py" <<'PY'
import os, statistics, subprocess, sys, time

runs, want = int(sys.argv[1]), int(sys.argv[2])
split = sys.argv.index("--", 3)
baseline, command = sys.argv[3:split], sys.argv[split + 1:]

def once(argv, want):
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != want:
        sys.exit(f"`{' '.join(argv)}` exited {code}, not {want}")
    return wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000

ours, theirs = [], []
for i in range(1, runs + 1):
    theirs.append(once([a.replace("{}", str(i)) for a in baseline], 0))
    ours.append(once([a.replace("{}", str(i)) for a in command], want))
med = lambda xs, k: statistics.median(x[k] for x in xs)
print(" ".join(f"{v:.2f}" for v in (med(ours, 0), med(ours, 1), med(theirs, 0), med(theirs, 1))))
PY
bench() {
    local want=$1 base_mode=$2 base_email=$3
    shift 3
    python3 "$work/measure.py" "$RUNS" "$want" "$BASELINE" "$db" "$base_mode" "$base_email" -- "$PORTALCTL" "$@"
}
ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{a / b:.2f}' if b else '-')" "$1" "$2"; }

table="| members | command | wall ms (median of $RUNS) | vs baseline | CPU ms | vs baseline |
|---:|---|---:|---:|---:|---:|"
for n in $SIZES; do
    python3 scripts/bench_fixture.py "$n" "$work/fixture.json"
    db="$work/portal.db"
    rm -f "$db"*
    export PORTALCTL_DB="$db" PORTALCTL_NOW=2026-11-25T10:00:00Z
    "$PORTALCTL" apply "$work/fixture.json" >/dev/null
    # A member in the middle of the table, neither first nor last.
    someone="u$(( n / 2 ))@acme.test"
    row() {
        local what=$1 out wall cpu base_wall base_cpu
        shift
        out=$(bench "$@")
        read -r wall cpu base_wall base_cpu <<<"$out"
        table+="
| $n | $what | $wall | $(ratio "$wall" "$base_wall") | $cpu | $(ratio "$cpu" "$base_cpu") |"
    }
    row "\`user show\`" 0 select "$someone" user show "$someone"
    row "\`can\` (yes)" 0 select "$someone" can "$someone" portal.access
    row "\`can\` (no, exit 5)" 5 select "$someone" can "$someone" users.manage
    row "\`account show\`" 0 select "$someone" account show "Acme Ltd"
    row "\`--as\` a user: \`order list\` refused (exit 5)" 5 select "$someone" --as "$someone" order list
    row "\`user invite --role user\` (baseline: one INSERT)" 0 insert "base{}-$n@acme.test" \
        user invite "new{}-$n@acme.test" --role user --account "Acme Ltd"
    row "\`user invite --role user\` (baseline: its five rows, no checks)" 0 invite "rows{}-$n@acme.test" \
        user invite "newer{}-$n@acme.test" --role user --account "Acme Ltd"
    unset PORTALCTL_DB PORTALCTL_NOW
    rm -f "$db"*
done
echo "$table"
if [ "${WRITE:-0}" = 1 ]; then
    python3 scripts/benchmarks_md.py bench_commands "$table"
fi
