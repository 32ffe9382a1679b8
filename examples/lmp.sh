#!/usr/bin/env bash
# The Licence Management Portal's Manage Access page (seed 000), end to end:
# new contacts with a permission level, what each level may do, duplicates
# reported to support and merged, and a contact who left the company.
#
#   PORTALCTL=target/debug/portalctl examples/lmp.sh
set -euo pipefail
portalctl=${PORTALCTL:-portalctl}
export PORTALCTL_DB=${PORTALCTL_DB:-$(mktemp -d)/lmp.db}
p() { "$portalctl" "$@"; }
# Runs a command that the portal's rules must refuse, and shows the refusal.
refused() { if p "$@" 2>&1; then echo "UNEXPECTED: allowed: $*" >&2; exit 1; fi; }

p init --preset lmp --account "Northwind Partners" --owner-email pat@northwind.test --owner-name "Pat Admin" >/dev/null

# "From the Partner > Manage Access page, click New Contact ... provide the
# new contact's information and set a Permission Level": an invitation email
# goes out (to the outbox), and the token is printed once.
contact() { # email name level
  token=$(p --json user invite --email "$1" --name "$2" --role "$3" --account "Northwind Partners" | sed -n 's/.*"token": "\(pinv_[0-9a-f]*\)".*/\1/p')
  p user accept "$token" >/dev/null
}
contact al@northwind.test "Al Allocator" partner-allocator
contact vi@northwind.test "Vi Viewer" partner-view-only
contact bo@northwind.test "Bo Banks" bank-details-only
p user invite --email ned@northwind.test --name "Ned New" --role partner-view-only >/dev/null
# "If you need to resend the invite, you can do so from the user's edit
# dropdown menu."
p user resend-invite ned@northwind.test >/dev/null
echo "Contacts:"
p user list

# "Partner Administrator ... modify the partner profile, edit shipping
# addresses, and purchase additional MDR Core, Cloud, or Complete licenses."
p --as pat@northwind.test account set --phone "+44 20 7946 0000" >/dev/null
p --as pat@northwind.test account address add --label HQ --line1 "1 Dock Road" --city London --postcode "E1 1AA" --country GB >/dev/null
p --as pat@northwind.test license purchase --product "MDR Complete" --seats 10 >/dev/null

# "Partner Allocator: Can add and manage customers; create, move from license
# to license, and edit. Can view, but not edit, the partner profile. Can use,
# but not edit, shipping addresses."
echo
echo "What the allocator may do:"
p --as al@northwind.test account create Contoso --kind customer --parent "Northwind Partners" >/dev/null
p --as al@northwind.test account create Fabrikam --kind customer --parent "Northwind Partners" >/dev/null
p --as al@northwind.test account set Contoso --phone "+44 161 496 0000" >/dev/null
p --as al@northwind.test license allocate --product "MDR Complete" --customer Contoso --seats 4 --ship-to HQ >/dev/null
p --as al@northwind.test license move --product "MDR Complete" --from Contoso --to Fabrikam --seats 1 >/dev/null
p --as al@northwind.test license list
refused --as al@northwind.test account set --phone "+44 0"
refused --as al@northwind.test account address add --label Depot --line1 "2 Quay" --city Leeds --postcode "LS1 1AA" --country GB

# "Partner View Only: Can only view pages within the LMP."
echo
echo "What the view-only contact may do:"
p --as vi@northwind.test account show >/dev/null && echo "vi@northwind.test sees the partner profile"
refused --as vi@northwind.test license purchase --product "MDR Core" --seats 1

# "Bank Details Only: Can view pages and change payment method."
echo
echo "What the bank-details contact may do:"
p --as bo@northwind.test account payment set --method direct-debit --iban GB82WEST12345698765432 >/dev/null
p --as bo@northwind.test account payment show
refused --as bo@northwind.test account set --phone "+44 0"

# "Manage Permission Level ... choose a new permission level for the contact,
# as well as edit their other details."
p user set-role vi@northwind.test partner-allocator >/dev/null
p user edit vi@northwind.test --name "Vi Vance" >/dev/null

# "Clicking Duplicate will inform our support team that you have created a
# duplicate contact, and we will merge them."
p settings set support-email support@lmp.test >/dev/null
contact al.smith@northwind.test "Al Smith" partner-view-only
p user flag-duplicate al.smith@northwind.test --of al@northwind.test >/dev/null
echo
echo "Mail for support:"
p outbox list | grep support@lmp.test
p --yes user merge al.smith@northwind.test --into al@northwind.test >/dev/null

# "Setting a user to Left the Company will set that users account's
# permission level to No LMP access, restricting their access from the LMP."
p --yes user left-company bo@northwind.test >/dev/null
echo
echo "After Bo left the company:"
p user show bo@northwind.test | grep -E "^(role|status)"
p can bo@northwind.test account.view || true
echo
echo "Contacts at the end:"
p user list
