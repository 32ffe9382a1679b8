#!/usr/bin/env bash
# Offboarding a leaver: their services go to a colleague in the same
# step that removes their access, nothing is deleted (the audit log and
# their orders keep their name), and a check confirms they can do nothing.
#
#   PORTALCTL=target/debug/portalctl examples/offboard-leaver.sh [EMAIL SUCCESSOR]
set -euo pipefail
portalctl=${PORTALCTL:-portalctl}
export PORTALCTL_DB=${PORTALCTL_DB:-$(mktemp -d)/offboard.db}
p() { "$portalctl" "$@"; }
leaver=${1:-max@acme.test}
successor=${2:-una@acme.test}

# A portal with people, services and orders (examples/demo.json).
p apply "$(dirname "$0")/demo.json" >/dev/null

echo "Services before $leaver leaves:"
p service list --account "Acme Ltd"

# Refused without somewhere for the services to go: the leaver's
# services would be left unassigned without anyone deciding it.
if p --yes user left-company "$leaver" 2>/dev/null; then
  echo "UNEXPECTED: left without a handover" >&2
  exit 1
fi
# The one step: blocking role, status `left`, services to the successor.
# --yes because a script has no terminal to confirm on.
p --yes user left-company "$leaver" --reassign-to "$successor" >/dev/null

echo
echo "Services after:"
p service list --account "Acme Ltd"
echo
echo "$leaver now:"
p user show "$leaver"
echo
echo "Can $leaver still log in?"
p can "$leaver" portal.access || true
echo
echo "What the audit log says:"
p audit list --action user.left_company
