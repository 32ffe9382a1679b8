#!/usr/bin/env bash
# The Moodle Partner portal's user accounts (seed 003), end to end: one role
# per user, courses that follow the role, and a timezone from the user's
# city and country.
#
#   PORTALCTL=target/debug/portalctl examples/moodle.sh
set -euo pipefail
portalctl=${PORTALCTL:-portalctl}
export PORTALCTL_DB=${PORTALCTL_DB:-$(mktemp -d)/moodle.db}
p() { "$portalctl" "$@"; }
# Runs a command that the portal's rules must refuse, and shows the refusal.
refused() { if p "$@" 2>&1; then echo "UNEXPECTED: allowed: $*" >&2; exit 1; fi; }

p init --preset moodle --account "Moodle Partner GmbH" --owner-email pia@partner.test --owner-name "Pia Principal" --owner-city Munich --owner-country DE >/dev/null

# "Your request must include: type of change (add, delete, modify), user's
# name, user's email address, user's city and country (to ensure timezone is
# set correctly), role". The principal, an officer of the company, asks.
add() { # email name city country role
  token=$(p --as pia@partner.test --json user invite --email "$1" --name "$2" --city "$3" --country "$4" --role "$5" | sed -n 's/.*"token": "\(pinv_[0-9a-f]*\)".*/\1/p')
  p user accept "$token" >/dev/null
}
add fin@partner.test "Fin Fischer" "San Francisco" US financial
add mia@partner.test "Mia Marketing" Wellington NZ marketing
add sam@partner.test "Sam Staff" Kyiv UA staff
echo "Users and their timezones:"
for who in pia fin mia sam; do
  echo "$who@partner.test $(p user show $who@partner.test | sed -n 's/^timezone *//p')"
done
# A timezone must be one of the given country's.
refused user invite --email x@partner.test --name X --city Perth --country AU --timezone Europe/London --role staff

# "All users are enrolled in the following courses ... Only users with a
# Principal, Financial or Marketing role are enrolled in Clients and Invoices."
echo
echo "Sam's courses (staff):"
p user courses sam@partner.test
echo
echo "Fin's courses (financial):"
p user courses fin@partner.test

# "Partner portal roles - each user is assigned only 1 role": nothing is
# granted on top of a role, so a change of rights is a change of role.
echo
refused user grant sam@partner.test invoices.manage
# "Staff ... Does not have access to the Clients and Invoices area", and
# cannot ask for changes to users.
refused --as sam@partner.test user invite --email y@partner.test --name Y --city Leeds --country GB --role staff

# Progress on a course: Sam records his own, the principal records Mia's.
p --as sam@partner.test course progress sam@partner.test "Moodle Products" --percent 40 >/dev/null
p --as pia@partner.test course progress mia@partner.test "Marketing Support" --completed >/dev/null

# Modify: Sam moves to marketing and joins Clients and Invoices.
p --as pia@partner.test user set-role sam@partner.test marketing >/dev/null
echo
echo "Sam's courses after moving to marketing:"
p user courses sam@partner.test
# Delete: Fin leaves; their enrolments end, and the history keeps them.
p --as pia@partner.test --yes user left-company fin@partner.test >/dev/null
echo
echo "Fin's course history after leaving:"
p user courses fin@partner.test --history
