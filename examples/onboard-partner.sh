#!/usr/bin/env bash
# Onboarding a partner: its account and first administrator, a customer
# it manages, the partner's administrator made an external admin of that
# customer, and the customer's own first user, who will see only the
# service assigned to them.
#
#   PORTALCTL=target/debug/portalctl examples/onboard-partner.sh
set -euo pipefail
portalctl=${PORTALCTL:-portalctl}
export PORTALCTL_DB=${PORTALCTL_DB:-$(mktemp -d)/onboard.db}
p() { "$portalctl" "$@"; }
# Invites EMAIL with the rest of the arguments and accepts with the token
# printed once, as the invitee would from their email.
join() {
  token=$(p --json user invite "$@" | sed -n 's/.*"token": "\(pinv_[0-9a-f]*\)".*/\1/p')
  p user accept "$token" >/dev/null
}

# The distributor's own database; the partner is a new account in it.
p init --preset msp --account "Harbour IT" --owner-email hana@harbour.test --owner-name "Hana Harbour" >/dev/null

# 1. The partner account and its first administrator.
p account create "Contoso" --kind partner >/dev/null
join carla@contoso.test --name "Carla Contoso" --role msp-administrator --account Contoso
# She owns the account from now on: every capability, and nobody can
# demote her by mistake. --yes: a script has no terminal to confirm on.
p --yes user transfer-ownership --to carla@contoso.test --account Contoso >/dev/null
p account set --account Contoso --phone "+44 20 7946 0101" --website https://contoso.test >/dev/null

# 2. A customer the partner manages, and its first user.
p account create "Fabrikam" --kind customer --parent Contoso >/dev/null
join fred@fabrikam.test --name "Fred Fabrikam" --role msp-user --account Fabrikam

# 3. The partner's administrator manages the customer too: checked first,
#    as a script would, then granted.
if ! p --quiet can carla@contoso.test users.manage --account Fabrikam 2>/dev/null; then
  p external-admin add --customer Fabrikam --email carla@contoso.test --role msp-administrator >/dev/null
fi

# 4. From now on Carla acts herself, held to the portal's rules.
p --as carla@contoso.test service add --account Fabrikam --name "Broadband Fabrikam HQ" --kind broadband >/dev/null
p --as carla@contoso.test service assign --account Fabrikam "Broadband Fabrikam HQ" --to fred@fabrikam.test >/dev/null

echo "Accounts:"
p account list
echo
echo "Fabrikam's users:"
p user list --account Fabrikam
echo
echo "External administrators of Fabrikam:"
p external-admin list --customer Fabrikam
echo
echo "Can Carla manage Fabrikam's users?"
p can carla@contoso.test users.manage --account Fabrikam
echo
echo "What Fred sees:"
p --as fred@fabrikam.test service list
