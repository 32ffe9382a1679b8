#!/usr/bin/env bash
# Benchmark: `portalctl apply` loading N users into one account, against a
# baseline measured in the same run: examples/apply_baseline.rs, the least
# a program can do (parse the same JSON, insert each user's person and
# membership with prepared statements in one transaction, into the same
# schema). Both are timed as whole processes, JSON parsing included; peak
# memory is the maximum resident set size. Also: the baseline writing the
# audit event per user that `apply` must write (the floor of what apply
# promises), the naive way (the same rows as `apply` writes, person,
# membership and audit event, one transaction per user), a second no-op
# apply, and `export`. Each case's ratio is given against both baselines.
#
#   scripts/bench_apply.sh                 # 1,000 and 10,000 users
#   SIZES="10000 100000" scripts/bench_apply.sh
#   RUNS=5 scripts/bench_apply.sh          # the median of 5 rounds (3 by default)
#
# Prints a Markdown table; with WRITE=1 it also replaces the apply section
# of BENCHMARKS.md. Needs /usr/bin/time (GNU time) and Python 3.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000"}
PORTALCTL=target/release/portalctl
BASELINE=target/release/examples/apply_baseline
cargo build --release --quiet --bin portalctl --example apply_baseline
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

RUNS=${RUNS:-3}
# Records the seconds and peak KiB of a command as one sample of case $1.
measure() {
    local case=$1
    shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null
    echo "$case $(cat "$work/time")" >>"$work/samples"
}
# The median seconds and the median peak KiB of a case's samples, as "S KIB".
median() {
    python3 - "$1" "$work/samples" <<'PY'
import statistics, sys
case, path = sys.argv[1], sys.argv[2]
rows = [line.split()[1:] for line in open(path) if line.split()[0] == case]
print(*(statistics.median(float(r[i]) for r in rows) for i in (0, 1)))
PY
}
ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{a / b:.2f}' if b else '-')" "$1" "$2"; }
rate() { python3 -c "import sys; n, s = map(float, sys.argv[1:]); print(f'{n / s:,.0f}' if s else '-')" "$1" "$2"; }

table="| users | case | seconds (median of $RUNS) | users/s | vs baseline | vs audited baseline | peak MiB |
|---:|---|---:|---:|---:|---:|---:|"
for n in $SIZES; do
    python3 scripts/bench_fixture.py "$n" "$work/fixture.json"
    # The baseline's database: the same schema, account and roles, made by
    # portalctl itself.
    PORTALCTL_DB="$work/empty.db" PORTALCTL_NOW=2026-11-25T10:00:00Z \
        "$PORTALCTL" init --account "Acme Ltd" --owner-email olive@acme.test --owner-name "Olive Owner" >/dev/null
    # The naive way, on at most 2,000 users, scaled.
    naive_n=$(( n < 2000 ? n : 2000 ))
    python3 - "$naive_n" "$work/fixture.json" "$work/naive.json" <<'PY'
import json, sys
n, src, dst = int(sys.argv[1]), sys.argv[2], sys.argv[3]
doc = json.load(open(src))
doc["accounts"][0]["users"] = doc["accounts"][0]["users"][: n + 1]
json.dump(doc, open(dst, "w"))
PY
    rm -f "$work/samples"
    # Rounds of every case in turn, so that a disturbance of the shared
    # machine falls on all of them rather than on one.
    for _ in $(seq "$RUNS"); do
        cp "$work/empty.db" "$work/base.db"
        measure base "$BASELINE" "$work/base.db" "$work/fixture.json"
        cp "$work/empty.db" "$work/audited.db"
        measure audited "$BASELINE" "$work/audited.db" "$work/fixture.json" --audited
        cp "$work/empty.db" "$work/naive.db"
        measure naive "$BASELINE" "$work/naive.db" "$work/naive.json" --per-row --audited
        export PORTALCTL_DB="$work/apply.db" PORTALCTL_NOW=2026-11-25T10:00:00Z
        rm -f "$work"/apply.db*
        measure apply "$PORTALCTL" apply "$work/fixture.json"
        measure again "$PORTALCTL" apply "$work/fixture.json"
        measure export "$PORTALCTL" export
        unset PORTALCTL_DB PORTALCTL_NOW
        rm -f "$work"/base.db* "$work"/audited.db* "$work"/naive.db* "$work"/apply.db*
    done
    read -r base_s base_kb < <(median base)
    read -r audited_s _ < <(median audited)
    mib() { python3 -c "print(f'{$1 / 1024:.0f}')"; }
    row() { # case, seconds, KiB
        table+="
| $n | $1 | $(python3 -c "print(f'{$2:.2f}')") | $(rate "$n" "$2") | $(ratio "$base_s" "$2") | $(ratio "$audited_s" "$2") | $(mib "$3") |"
    }
    case_row() { # label, case
        local s kb
        read -r s kb < <(median "$2")
        if [ "$2" = naive ]; then
            s=$(python3 -c "print($s * $n / $naive_n)")
        fi
        row "$1" "$s" "$kb"
    }
    case_row "baseline: one transaction, prepared statements" base
    case_row "audited baseline: the same and one audit event per user, as \`apply\` writes" audited
    case_row "naive: the audited baseline's rows, one transaction per user (timed on $naive_n)" naive
    case_row "\`apply\`, new database" apply
    case_row "\`apply\` again, nothing to change" again
    case_row "\`export\`" export
    rm -f "$work"/*.db*
done
echo "$table"
if [ "${WRITE:-0}" = 1 ]; then
    python3 scripts/benchmarks_md.py bench_apply "$table"
fi
