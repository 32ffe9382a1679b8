#!/usr/bin/env bash
# An MSP partner portal (seed 002), end to end: partner details and config,
# external administrators on a customer's console, and the University's
# assigned courses for MSP administrators.
#
#   PORTALCTL=target/debug/portalctl examples/msp.sh
set -euo pipefail
portalctl=${PORTALCTL:-portalctl}
export PORTALCTL_DB=${PORTALCTL_DB:-$(mktemp -d)/msp.db}
p() { "$portalctl" "$@"; }
# Runs a command that the portal's rules must refuse, and shows the refusal.
refused() { if p "$@" 2>&1; then echo "UNEXPECTED: allowed: $*" >&2; exit 1; fi; }
join() { # email name role account
  token=$(p --json user invite --email "$1" --name "$2" --role "$3" --account "$4" | sed -n 's/.*"token": "\(pinv_[0-9a-f]*\)".*/\1/p')
  p user accept "$token" >/dev/null
}

p init --preset msp --account "Harbour MSP" --owner-email hana@harbour.test --owner-name "Hana Admin" >/dev/null
join max@harbour.test "Max Admin" msp-administrator "Harbour MSP"
join una@harbour.test "Una User" msp-user "Harbour MSP"

# "Configuring Your Account Details ... Access to this functionality is only
# available to MSP Administrators": IPs and the smarthost.
p --as max@harbour.test account ip add --inbound 203.0.113.10 --account "Harbour MSP" >/dev/null
p --as max@harbour.test account ip add --outbound 198.51.100.0/24 --account "Harbour MSP" >/dev/null
p --as max@harbour.test account smarthost set --account "Harbour MSP" smtp.harbour.test:25 >/dev/null
echo "An MSP user may not configure the account:"
refused --as una@harbour.test account smarthost set --account "Harbour MSP" evil.test

# "Log in to the customer's Administration Console using the account details
# provided when the account was created": the customer's console login holds
# external_admins.manage there, and adds partner administrators ("Add
# External Admin", steps 4 to 6, repeated for each administrator).
p account create "Client Co" --kind customer --parent "Harbour MSP" >/dev/null
join msp_clientco@client.test "Client Co console" msp-administrator "Client Co"
p --as msp_clientco@client.test external-admin add --customer "Client Co" --email max@harbour.test --role msp-administrator >/dev/null
# "Existing partner administrators can single sign-on to the customer's
# Administration Console and add further partner administrators".
p --as max@harbour.test external-admin add --customer "Client Co" --email hana@harbour.test --role msp-administrator >/dev/null
echo
echo "External administrators of Client Co:"
p external-admin list --customer "Client Co"

# "Details: Displays your account details, including contact information
# and billing contact ... Products and Prices: Displays your agreed
# contracted pricing." The vendor (the operator) sets the prices.
p --as max@harbour.test account set --account "Harbour MSP" --phone "+44 117 496 0000" --billing-contact billing@harbour.test >/dev/null
p license price set --product "Email Security" --price 2.40 --account "Harbour MSP" >/dev/null
p license price set --product "Archive" --price 0.95 --account "Harbour MSP" >/dev/null
echo
echo "Partner details:"
p --as una@harbour.test account show --account "Harbour MSP"
echo
echo "A partner's member may not set their own prices:"
refused --as max@harbour.test license price set --product "Archive" --price 0.01 --account "Harbour MSP"

# "The information you provide here will pre-populate into all customer RFIs."
echo
echo "Client Co's request for information:"
p --as max@harbour.test account rfi --customer "Client Co" --account "Harbour MSP"

# "Mimecast University ... a summary of any assigned courses and the progress
# to date. This functionality is only available to Managed Service Providers
# administrators."
p --as max@harbour.test course progress max@harbour.test "University Onboarding" --percent 60 --account "Harbour MSP" >/dev/null
p --as max@harbour.test course progress max@harbour.test "MSP Administrator Essentials" --completed --account "Harbour MSP" >/dev/null
echo
echo "Max's assigned courses:"
p user courses max@harbour.test --account "Harbour MSP"
echo
echo "Una's assigned courses (an MSP user):"
p user courses una@harbour.test --account "Harbour MSP"
