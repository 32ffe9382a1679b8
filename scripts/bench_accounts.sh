#!/usr/bin/env bash
# Benchmark: `portalctl apply` of a file of N partner accounts, each with
# its owner, with and without a custom role made for each account, and a
# small command (`user show`) on the database each leaves. The baseline,
# measured in the same run, is the same file without the roles: what the
# roles add is what the catalog of many accounts' custom roles costs.
#
#   scripts/bench_accounts.sh                   # 500 and 2,000 accounts
#   SIZES="500 5000" scripts/bench_accounts.sh
#
# Prints a Markdown table; with WRITE=1 it also replaces the accounts
# section of BENCHMARKS.md. Needs Python 3.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"500 2000"}
cargo build --release --quiet --bin portalctl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PORTALCTL=$work/portalctl
cp target/release/portalctl "$PORTALCTL"
export PORTALCTL_NOW=2026-11-25T10:00:00Z

# The seconds a command takes, the median of three runs; `prepare` runs
# before each, untimed.
seconds() {
    local prepare=$1
    shift
    for _ in 1 2 3; do
        eval "$prepare"
        python3 -c '
import subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(f"{time.perf_counter() - start:.4f}")' "$@"
    done | sort -n | sed -n 2p
}
ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{a / b:.2f}' if b else '-')" "$1" "$2"; }

table="| accounts | case | seconds | vs the same without roles |
|---:|---|---:|---:|"
for n in $SIZES; do
    for roles in 0 1; do
        python3 - "$n" "$roles" "$work/f$roles.json" <<'PY'
import json, sys
n, roles, out = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3]
doc = {"preset": "portal", "roles": [], "accounts": []}
for i in range(n):
    owner = f"o{i}@a{i}.test"
    doc["accounts"].append({"name": f"Account {i}", "kind": "partner", "owner": owner,
                            "users": [{"email": owner, "name": f"Owner {i}", "role": "admin"}]})
    if roles:
        doc["roles"].append({"name": f"viewers-{i}", "description": "reads users",
                             "capabilities": ["account.view", "users.view"], "account": f"Account {i}"})
json.dump(doc, open(out, "w"))
PY
        db=$work/a$roles.db
        apply[$roles]=$(seconds "rm -f $db*" "$PORTALCTL" --db "$db" apply --no-send "$work/f$roles.json")
        show[$roles]=$(seconds ":" "$PORTALCTL" --db "$db" user show o$((n / 2))@a$((n / 2)).test)
    done
    table+="
| $n | \`apply\`, new database, no custom roles | ${apply[0]} | 1.00 |
| $n | \`apply\`, new database, a custom role in each account | ${apply[1]} | $(ratio "${apply[1]}" "${apply[0]}") |
| $n | \`user show\`, no custom roles | ${show[0]} | 1.00 |
| $n | \`user show\`, a custom role in each account | ${show[1]} | $(ratio "${show[1]}" "${show[0]}") |"
    rm -f "$work"/*.db*
done
echo "$table"
if [ "${WRITE:-0}" = 1 ]; then
    python3 scripts/benchmarks_md.py bench_accounts "$table"
fi
