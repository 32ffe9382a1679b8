#!/usr/bin/env bash
# A month of orders through an approval policy: finance approves every
# order over £50, hardware over £500 needs two approvers, and orders under
# the threshold go through at once. Each working day of November two
# managers order; the approvers decide the next morning; at the end of
# the month, the report: what was approved, rejected (and why), what is
# still waiting, and who decided. PORTALCTL_NOW sets each day's clock, so
# the audit log reads as the month it was.
#
#   PORTALCTL=target/debug/portalctl examples/month-of-orders.sh
set -euo pipefail
portalctl=${PORTALCTL:-portalctl}
export PORTALCTL_DB=${PORTALCTL_DB:-$(mktemp -d)/orders.db}
p() { "$portalctl" "$@"; }
on() { # DAY HOUR COMMAND...: runs COMMAND at that time of November 2026
  local day=$1 hour=$2
  shift 2
  PORTALCTL_NOW=$(printf '2026-11-%02dT%02d:00:00Z' "$day" "$hour") p "$@"
}
join() { # email name role
  token=$(on 1 9 --json user invite "$1" --name "$2" --role "$3" | sed -n 's/.*"token": "\(pinv_[0-9a-f]*\)".*/\1/p')
  on 1 9 user accept "$token" >/dev/null
}

# The pending orders at 8 o'clock on DAY, one a line: ID AMOUNT TYPE (the
# amount in whole pounds), read from the JSON list.
pending_orders() {
  on "$1" 8 --json order list --status pending | awk '
    /^    "id":/ { id = $2; gsub(/[^0-9]/, "", id) }
    /^    "type":/ { type = $2; gsub(/[",]/, "", type) }
    /^    "amount":/ { amount = $2; gsub(/[",]/, "", amount); sub(/\..*/, "", amount) }
    /^    "status":/ { print id, amount, type }'
}

on 1 8 init --preset portal --account "Acme Ltd" --owner-email olive@acme.test --owner-name "Olive Owner" >/dev/null
join fiona@acme.test "Fiona Finance" admin
join max@acme.test "Max Manager" manager
join mo@acme.test "Mo Manager" manager
on 1 9 cost-centre create OPS --name Operations >/dev/null
on 1 9 cost-centre create FIN --name Finance >/dev/null
on 1 9 policy create --name "Finance over 50" --threshold 50 --approvers fiona@acme.test >/dev/null
on 1 9 policy create --name "Hardware over 500" --threshold 500 --order-type hardware --required-approvals 2 >/dev/null

placed=0
for day in $(seq 2 30); do
  weekday=$(date -u -d "2026-11-$day" +%u)
  [ "$weekday" -le 5 ] || continue
  # Yesterday's orders are decided first thing: Fiona rejects anything
  # over £400 that is not hardware and approves the rest; Olive is the
  # second approver hardware over £500 needs.
  pending_orders "$day" | while read -r id amount type; do
    if [ "$amount" -gt 400 ] && [ "$type" != hardware ]; then
      on "$day" 8 --as fiona@acme.test order reject "$id" --reason "over 400: needs a quote first" >/dev/null
    else
      on "$day" 8 --as fiona@acme.test order approve "$id" >/dev/null
    fi
  done
  pending_orders "$day" | while read -r id _ _; do
    on "$day" 9 --as olive@acme.test order approve "$id" >/dev/null
  done
  # The day's orders: amounts that vary over the month.
  for buyer in max mo; do
    placed=$((placed + 1))
    amount=$(( (day * 53 + ${#buyer} * 71) % 650 + 8 ))
    if [ $((day % 5)) -eq 0 ] && [ "$buyer" = max ]; then
      on "$day" 14 --as "$buyer@acme.test" order place --description "Switch for rack $day" \
        --amount "$((amount + 400)).00" --order-type hardware --cost-centre OPS >/dev/null
    else
      on "$day" 14 --as "$buyer@acme.test" order place --description "Supplies, day $day" \
        --amount "$amount.50" --cost-centre FIN >/dev/null
    fi
  done
done

count() { p --json order list --status "$1" | grep -c '"id":' || true; }
echo "November: $placed orders placed"
for status in approved rejected pending; do
  echo "  $status: $(count "$status")"
done
echo
echo "Rejected:"
p order list --status rejected
echo
echo "Why, as the buyer reads it:"
first=$(p --json order list --status rejected --limit 1 | awk '/^    "id":/ { gsub(/[^0-9]/, "", $2); print $2 }')
p --as max@acme.test order show "$first" | grep -E "^(id|status|rejected by|reason) "
echo
echo "Still waiting at the end of the month (the Pending Approvals view):"
p order list --status pending
echo
echo "Decisions in the audit log:"
on 30 18 audit list --action order.reject --since 2026-11-01 --until 2026-11-30
