#!/usr/bin/env bash
# The approval flow of a business portal (seed 001), end to end:
# a manager orders a router, finance must approve anything over £50.
#
#   PORTALCTL=target/debug/portalctl examples/approvals.sh
set -euo pipefail
portalctl=${PORTALCTL:-portalctl}
export PORTALCTL_DB=${PORTALCTL_DB:-$(mktemp -d)/approvals.db}

"$portalctl" init --preset portal --account "Acme Ltd" --owner-email olive@acme.test --owner-name "Olive Owner" >/dev/null

join() { # email name role: invite, then accept with the token printed once
  token=$("$portalctl" --json user invite --email "$1" --name "$2" --role "$3" | sed -n 's/.*"token": "\(pinv_[0-9a-f]*\)".*/\1/p')
  "$portalctl" user accept "$token" >/dev/null
}
join fiona@acme.test "Fiona Finance" admin
join max@acme.test "Max Manager" manager
join una@acme.test "Una User" user

"$portalctl" policy create --name "Finance approval for orders over 50" --threshold 50 --approvers fiona@acme.test >/dev/null
"$portalctl" --as max@acme.test order place --description "Router" --amount 60.00 --type hardware >/dev/null
"$portalctl" --as max@acme.test order place --description "Cable" --amount 12.50 >/dev/null

echo "Pending approvals:"
"$portalctl" order list --status pending
"$portalctl" --as fiona@acme.test order approve 1 >/dev/null
echo
echo "After Fiona's approval:"
"$portalctl" order list

"$portalctl" service add --name "Broadband London" --kind broadband >/dev/null
"$portalctl" service assign "Broadband London" --to una@acme.test >/dev/null
echo
echo "What Una sees:"
"$portalctl" --as una@acme.test service list
