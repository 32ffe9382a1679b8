#!/usr/bin/env bash
# Seeding test accounts for a CI job: one fixture (ci-fixture.json, or
# the file given), applied before the tests run. `apply` is idempotent, so
# the job runs it on every build: the database then holds exactly the
# accounts, users, roles, services and policies the tests expect. The
# checks use exit codes only (`--quiet`), as a pipeline step would. It
# emails nobody: `--no-send` on every command that would queue an
# invitation, so `status` shows no mail pending.
#
#   PORTALCTL=target/debug/portalctl examples/ci-seed.sh [FIXTURE]
set -euo pipefail
portalctl=${PORTALCTL:-portalctl}
export PORTALCTL_DB=${PORTALCTL_DB:-$(mktemp -d)/ci.db}
fixture=${1:-$(dirname "$0")/ci-fixture.json}
p() { "$portalctl" "$@"; }

# Fail early on a fixture the format refuses, before touching the database.
p apply --dry-run "$fixture" >/dev/null

echo "First apply:"
p apply --no-send "$fixture"
echo
echo "Second apply (every build runs it):"
p apply --no-send "$fixture"
echo
echo "Test users:"
p user list --account "CI Partner"

# What the tests rely on, checked by exit code: 0 yes, 5 no.
p --quiet can buyer@ci.test orders.place --account "CI Partner"
if p --quiet can auditor@ci.test users.manage --account "CI Partner"; then
  echo "UNEXPECTED: the auditor may manage users" >&2
  exit 1
fi
# The invitee's token is for the tests to use; it is printed only here,
# and no email carries it.
token=$(p --json user resend-invite --no-send invitee@ci.test --account "CI Partner" | sed -n 's/.*"token": "\(pinv_[0-9a-f]*\)".*/\1/p')
test -n "$token"
echo
echo "Status (no mail pending):"
p status
echo
echo "Seeded $PORTALCTL_DB; an invitation token for the tests: ${token:0:5}..."
