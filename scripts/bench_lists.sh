#!/usr/bin/env bash
# Benchmark: `user list` and `order list` (tables and `--json`) against the
# `sqlite3` shell printing the same join from the same database, in the
# same run: `-json` for `--json`, `-column` (aligned columns, as a table)
# and its default list mode for the tables. Each command runs RUNS times,
# the runs of all commands interleaved so that a busy machine slows them
# alike; the table gives the fastest wall-clock time of each (stdout to
# /dev/null) and its ratio to the shell's.
#
# The database is the 100,000-user apply's (scripts/bench_apply.sh): N
# users in one account "Acme Ltd", plus N/10 orders placed by its owner,
# half of them over the policy's threshold (pending).
#
#   scripts/bench_lists.sh                  # 1,000 and 100,000 users
#   LARGE=1 scripts/bench_lists.sh          # and 1,000,000 (slow to build)
#   SIZES="100000" RUNS=9 scripts/bench_lists.sh
#
# Prints a Markdown table; with WRITE=1 it also replaces the
# <!-- bench_lists --> table of BENCHMARKS.md. Needs sqlite3 and Python 3.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 100000"}
if [ "${LARGE:-0}" = 1 ]; then SIZES="$SIZES 1000000"; fi
RUNS=${RUNS:-5}
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 1; }
cargo build --release --quiet --bin portalctl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# An installed copy, as scripts/bench_commands.sh runs it.
PORTALCTL=$work/portalctl
cp "${CARGO_TARGET_DIR:-$PWD/target}/release/portalctl" "$PORTALCTL"
export PORTALCTL_NOW=2026-11-25T10:00:00Z

# What each list prints, as the shell prints it from the same join: the
# same fields for `--json`, the same columns for the tables, each list
# of names (grants, approvals) gathered per row by a subquery, as
# portalctl gathers it per page. Only an order's policy progress
# (`policies`), which the domain works out from the policy's rules,
# has no SQL counterpart and is left out of the shell's side.
USERS_JSON_SQL="SELECT p.email, p.name, a.name AS account, r.name AS role, m.status,
  (SELECT json_group_array(g.grant_name) FROM membership_grants g WHERE g.membership_id = m.id) AS grants,
  a.owner_id IS p.id AS owner, m.invited_at, m.accepted_at, m.city, m.country, m.timezone,
  x.name AS external_from, d.email AS duplicate_of
FROM memberships m JOIN people p ON p.id = m.person_id
  JOIN accounts a ON a.id = m.account_id JOIN roles r ON r.id = m.role_id
  LEFT JOIN accounts x ON x.id = m.external_from LEFT JOIN people d ON d.id = p.duplicate_of
WHERE a.name = 'Acme Ltd' ORDER BY p.email;"
USERS_TABLE_SQL="SELECT p.email, p.name, a.name AS account,
  r.name || CASE WHEN a.owner_id IS p.id THEN ' (owner)' ELSE '' END AS role, m.status,
  coalesce((SELECT group_concat(g.grant_name, ', ') FROM membership_grants g
            WHERE g.membership_id = m.id), '-') AS grants
FROM memberships m JOIN people p ON p.id = m.person_id
  JOIN accounts a ON a.id = m.account_id JOIN roles r ON r.id = m.role_id
WHERE a.name = 'Acme Ltd' ORDER BY p.email;"
ORDERS_JSON_SQL="SELECT o.id, a.name AS account, o.ref, p.email AS created_by, o.description,
  o.order_type AS type, printf('%d.%02d', o.amount / 100, o.amount % 100) AS amount,
  o.currency, c.code AS cost_centre, o.ship_to, o.status,
  (SELECT json_group_array(dp.email) FROM order_decisions d JOIN people dp ON dp.id = d.person_id
   WHERE d.order_id = o.id AND d.approved = 1) AS approvals,
  (SELECT dp.email FROM order_decisions d JOIN people dp ON dp.id = d.person_id
   WHERE d.order_id = o.id AND d.approved = 0) AS rejected_by,
  o.rejected_reason, o.cancelled_by, o.cancelled_reason, o.created_at, o.decided_at
FROM orders o JOIN accounts a ON a.id = o.account_id LEFT JOIN people p ON p.id = o.creator_id
  LEFT JOIN cost_centres c ON c.id = o.cost_centre_id
WHERE a.name = 'Acme Ltd' ORDER BY o.id;"
ORDERS_TABLE_SQL="SELECT o.id, p.email AS \"created by\", o.description,
  printf('%d.%02d %s', o.amount / 100, o.amount % 100, o.currency) AS amount, o.status,
  coalesce((SELECT group_concat(dp.email, ', ') FROM order_decisions d
            JOIN people dp ON dp.id = d.person_id
            WHERE d.order_id = o.id AND d.approved = 1), '-') AS approvals
FROM orders o JOIN accounts a ON a.id = o.account_id LEFT JOIN people p ON p.id = o.creator_id
WHERE a.name = 'Acme Ltd' ORDER BY o.id;"
pending="AND o.status = 'pending' ORDER BY"
PENDING_TABLE_SQL=${ORDERS_TABLE_SQL/ORDER BY/$pending}

table="| members | case | portalctl s | \`sqlite3\` s | vs \`sqlite3\` |
|---:|---|---:|---:|---:|"
for n in $SIZES; do
    python3 scripts/bench_fixture.py "$n" "$work/fixture.json" --orders
    db="$work/lists.db"
    rm -f "$db"*
    "$PORTALCTL" --db "$db" apply "$work/fixture.json" >/dev/null
    table+=$(python3 - "$n" "$RUNS" "$PORTALCTL" "$db" "$USERS_JSON_SQL" "$USERS_TABLE_SQL" \
        "$ORDERS_JSON_SQL" "$ORDERS_TABLE_SQL" "$PENDING_TABLE_SQL" <<'PY'
import subprocess, sys, time
n, runs, portalctl, db, users_json, users_table, orders_json, orders_table, pending_table = sys.argv[1:]
def ours(*args): return [portalctl, "--db", db, *args]
def shell(mode, sql): return (["sqlite3", *([mode] if mode else []), db], sql)
cases = [
    ("`--json user list --account \"Acme Ltd\"`", ours("--json", "user", "list", "--account", "Acme Ltd"), shell("-json", users_json), "-json"),
    ("`user list --account \"Acme Ltd\"` (table)", ours("user", "list", "--account", "Acme Ltd"), shell("-column", users_table), "-column"),
    ("`user list --account \"Acme Ltd\"` (table)", None, shell(None, users_table), "list mode"),
    ("`user list --limit 10`", ours("user", "list", "--account", "Acme Ltd", "--limit", "10"), shell("-column", users_table.replace(";", " LIMIT 10;")), "-column"),
    ("`--json order list`", ours("--json", "order", "list", "--account", "Acme Ltd"), shell("-json", orders_json), "-json"),
    ("`order list` (table)", ours("order", "list", "--account", "Acme Ltd"), shell("-column", orders_table), "-column"),
    ("`order list --status pending` (table)", ours("order", "list", "--account", "Acme Ltd", "--status", "pending"), shell("-column", pending_table), "-column"),
]
def run(cmd):
    argv, stdin = cmd if isinstance(cmd, tuple) else (cmd, None)
    t = time.perf_counter()
    subprocess.run(argv, input=stdin, text=True, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t
best = {}
for _ in range(int(runs)):
    for i, (_, mine, theirs, _) in enumerate(cases):
        for side, cmd in (("ours", mine), ("shell", theirs)):
            if cmd is not None:
                t = run(cmd)
                best[(i, side)] = min(best.get((i, side), t), t)
last_ours = None
for i, (name, mine, theirs, mode) in enumerate(cases):
    o = best.get((i, "ours"), last_ours)
    last_ours = o
    s = best[(i, "shell")]
    print(f"\n| {int(n):,} | {name}, against `sqlite3 {mode}` | {o:.3f} | {s:.3f} | {o / s:.2f} |", end="")
PY
)
done
echo "$table"
if [ "${WRITE:-0}" = 1 ]; then
    python3 scripts/benchmarks_md.py bench_lists "$table"
fi
