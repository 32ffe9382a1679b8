#!/usr/bin/env bash
# A hosting customer area's User management (seed 004), end to end: invite
# with an email and permissions, manage access by area, and hand the
# account's ownership over.
#
#   PORTALCTL=target/debug/portalctl examples/customer-area.sh
set -euo pipefail
portalctl=${PORTALCTL:-portalctl}
export PORTALCTL_DB=${PORTALCTL_DB:-$(mktemp -d)/customer-area.db}
p() { "$portalctl" "$@"; }
# Runs a command that the portal's rules must refuse, and shows the refusal.
refused() { if p "$@" 2>&1; then echo "UNEXPECTED: allowed: $*" >&2; exit 1; fi; }
token_of() { sed -n 's/.*"token": "\(pinv_[0-9a-f]*\)".*/\1/p'; }

p init --preset customer-area --account "Fjord Web AS" --owner-email owen@fjord.test --owner-name "Owen Owner" >/dev/null

# "Enter the email address of the user, Select the desired permissions,
# Click Send invitation": no name and no role are needed.
token=$(p --as owen@fjord.test --json user invite --email ada@fjord.test --grant account-admin | token_of)
# The name comes with the acceptance.
p user accept "$token" --name "Ada Admin" >/dev/null
token=$(p --as owen@fjord.test --json user invite --email bill@fjord.test --grant billing,support | token_of)
p user accept "$token" >/dev/null
# "If the user already has an existing user account, they can gain access to
# the account using their existing login credentials."
p account create "Fjord Shop AS" --kind customer >/dev/null
p user invite --email ada@fjord.test --account "Fjord Shop AS" --grant services | grep "^login"
echo "Users:"
p user list --account "Fjord Web AS"

# "Permissions can include access to Services, Domains, Billing, Support
# requests, Account administration."
echo
for cap in billing.payment domains.manage; do
  echo "bill@fjord.test $cap: $({ p can bill@fjord.test $cap --account "Fjord Web AS" || true; } | sed -n 's/^reason *//p')"
done
# Ada administers users, but gives no more than she holds ("Only grant
# access to users who need access").
p --as ada@fjord.test user edit bill@fjord.test --name "Bill Payer" >/dev/null
refused --as ada@fjord.test user grant bill@fjord.test domains --account "Fjord Web AS"
# "I cannot invite new users: Check that you have the necessary
# administrator rights for the account."
refused --as bill@fjord.test user invite --email cy@fjord.test --account "Fjord Web AS"

# "The user is not receiving the invitation: Ask the user to check their junk
# mail or spam folder", then send a new one.
p --as ada@fjord.test user invite --email dan@fjord.test --account "Fjord Web AS" >/dev/null
p --as ada@fjord.test user resend-invite dan@fjord.test --account "Fjord Web AS" >/dev/null
echo
echo "Invitations waiting in the outbox:"
p outbox list --pending

# "Account owners always have full access to the client account": the
# owner role is the owner's alone, and moves with the ownership.
refused user set-role ada@fjord.test owner --account "Fjord Web AS"
p --as owen@fjord.test --yes user transfer-ownership --to ada@fjord.test --account "Fjord Web AS" >/dev/null
echo
echo "After Owen handed the account to Ada:"
p user list --account "Fjord Web AS"
