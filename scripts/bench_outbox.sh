#!/usr/bin/env bash
# Benchmark: `portalctl outbox send` delivering 1,000 pending invitations to
# a local SMTP server (tests/smtp_server.py, aiosmtpd, on 127.0.0.1).
#
# Figures on one machine mean little alone, so the same run also measures a
# baseline: Python's smtplib pushing as many messages of the same size to
# the same server over one connection, with no database at all. The ratio
# portalctl / baseline is what to compare between runs and machines; the
# gap is what two short transactions per email (claim with a minted token,
# then settle with its audit event) cost on top of SMTP itself.
#
#   scripts/bench_outbox.sh            # 1,000 invitations, release build
#   N=200 scripts/bench_outbox.sh      # fewer
#
# Needs Python with aiosmtpd (`.ci/run` installs it; PORTALCTL_TEST_PYTHON
# names another Python). Only loopback traffic; the server stops at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000}
PYTHON=${PORTALCTL_TEST_PYTHON:-python3}
PORTALCTL=${PORTALCTL:-target/release/portalctl}
if [ ! -x "$PORTALCTL" ]; then
    cargo build --release --quiet
fi
"$PYTHON" -c 'import aiosmtpd' 2>/dev/null || {
    echo "needs Python's aiosmtpd: run .ci/run or python3 -m pip install aiosmtpd" >&2
    exit 1
}

work=$(mktemp -d)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Starts a counting server in $1; sets server_pid and port. (Not run in a
# command substitution, which would wait for the server to exit.)
start_server() {
    mkdir -p "$1"
    "$PYTHON" tests/smtp_server.py --dir "$1" --discard >/dev/null 2>&1 &
    server_pid=$!
    for _ in $(seq 1 300); do
        [ -s "$1/port" ] && break
        sleep 0.05
    done
    port=$(cat "$1/port")
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}

now() { "$PYTHON" -c 'import time; print(time.perf_counter())'; }

export PORTALCTL_DB=$work/bench.db
unset PORTALCTL_AS PORTALCTL_NOW PORTALCTL_SMTP
"$PORTALCTL" --quiet init --account "Bench Ltd" --owner-email owner@bench.test
"$PORTALCTL" --quiet settings set mail-from "Bench Portal <portal@bench.test>"
echo "queueing $N invitations..." >&2
for i in $(seq 1 "$N"); do
    "$PORTALCTL" --quiet user invite --email "user$i@bench.test" --name "User $i" --role user
done
# The size of one email as the server will see it, for the baseline.
size=$("$PORTALCTL" --json outbox send --to-dir "$work/sample" --limit 1 >/dev/null \
    && wc -c <"$work/sample/outbox-1.eml")

# Baseline: smtplib, one connection, N messages of that size.
start_server "$work/baseline"
baseline=$("$PYTHON" - "$port" "$N" "$size" <<'EOF'
import smtplib, sys, time
port, n, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
body = ("x" * 70 + "\r\n") * (size // 72 + 1)
start = time.perf_counter()
with smtplib.SMTP("127.0.0.1", port) as s:
    for i in range(n):
        msg = f"From: portal@bench.test\r\nTo: user{i}@bench.test\r\nSubject: Invitation\r\n\r\n{body}"
        s.sendmail("portal@bench.test", [f"user{i}@bench.test"], msg)
print(n / (time.perf_counter() - start))
EOF
)
stop_server

# portalctl: the N - 1 invitations still pending.
start_server "$work/portalctl"
start=$(now)
sent=$("$PORTALCTL" --json outbox send --smtp "smtp://127.0.0.1:$port" |
    "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["sent"])')
end=$(now)
stop_server
[ "$sent" -eq $((N - 1)) ] || {
    echo "expected $((N - 1)) emails sent, got $sent" >&2
    exit 1
}

"$PYTHON" - "$sent" "$start" "$end" "$baseline" "$size" <<'EOF'
import sys
sent, start, end, baseline, size = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
rate = sent / (end - start)
print(f"| case | messages/s | vs baseline |")
print(f"|---|---:|---:|")
print(f"| baseline: smtplib, one connection, no database ({size} B messages) | {baseline:,.0f} | 1.00 |")
print(f"| `outbox send` of {sent:,} invitations | {rate:,.0f} | {rate / baseline:.2f} |")
EOF
