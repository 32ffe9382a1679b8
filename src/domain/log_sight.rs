//! What of the audit log a member reads. The log's readers are the members
//! who manage an account's users (`audit list`, `user history`); an event
//! records an order, a payment method or a service as the command showed
//! it, so a member reads it only where they may read that thing directly,
//! by the same rules the commands that show it apply. Someone given only
//! the account-admin area of the customer area (004: "Permissions can
//! include access to ... Services · Domains · Billing · Support requests ·
//! Account administration") manages users, not billing.

use serde_json::Value;

use super::access::{authority, caps, Authority};
use super::licenses::LICENSE_READERS;
use super::orders::{sight, Sight};
use super::payments::PAYMENT_READERS;
use super::services::{visibility, Visibility};
use super::visibility::knows_account;
use super::{Catalog, Ctx};
use crate::error::{Error, Result};
use crate::model::{Account, Capability};
use crate::store::Tx;

/// Kinds of events, by the start of their action, and what reading one
/// needs: an event of the first kind its action starts with is read only
/// by whoever `Reads` lets read that kind directly.
const KINDS: &[(&str, Reads)] = &[
    // Delegations are listed to anyone who manages users (`order delegate
    // --list`), as every reader of the log does.
    ("order.delegate", Reads::Always),
    ("order.", Reads::EveryOrder),
    // A merge's event for each pending order it made decidable by the
    // person kept.
    ("user.merge.order", Reads::EveryOrder),
    ("service.", Reads::EveryService),
    ("account.payment", Reads::AnyOf(&PAYMENT_READERS)),
    ("account.smarthost", Reads::AnyOf(&[caps::ACCOUNT_CONFIG])),
    (
        "account.address",
        Reads::AnyOf(&[caps::ADDRESSES_USE, caps::ADDRESSES_EDIT]),
    ),
    ("license.", Reads::AnyOf(&LICENSE_READERS)),
];

/// What reading a kind of event needs.
#[derive(Clone, Copy)]
enum Reads {
    /// Nothing more than reading the log.
    Always,
    /// Seeing every order of the account (`order list`'s rule).
    EveryOrder,
    /// Seeing every service of the account (`service list`'s rule).
    EveryService,
    /// One of these capabilities in the account.
    AnyOf(&'static [Capability]),
}

/// The starts of the actions of the events in `account` that the actor
/// may not read (none for the operator).
pub(super) fn hidden_actions(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<Vec<&'static str>> {
    let mut hidden = Vec::new();
    for (start, reads) in KINDS {
        if !reads_kind(tx, catalog, ctx, account, *reads)? {
            hidden.push(*start);
        }
    }
    Ok(hidden)
}

fn reads_kind(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    reads: Reads,
) -> Result<bool> {
    let refused = |e: Error| match e {
        Error::Denied(_) => Ok(false),
        e => Err(e),
    };
    match reads {
        Reads::Always => Ok(true),
        Reads::EveryOrder => match sight(tx, catalog, ctx, account) {
            Ok(seen) => Ok(matches!(seen, Sight::All)),
            Err(e) => refused(e),
        },
        Reads::EveryService => match visibility(tx, catalog, ctx, account) {
            Ok(seen) => Ok(seen == Visibility::All),
            Err(e) => refused(e),
        },
        Reads::AnyOf(needed) => match authority(tx, catalog, ctx, account) {
            Ok(Authority::Operator) => Ok(true),
            Ok(who) => Ok(needed.iter().any(|c| who.holds(*c))),
            Err(e) => refused(e),
        },
    }
}

/// Leaves out of a recorded state (an event's `before` or `after`) what
/// the actor may not know: the orders a merge passed on, unless the actor
/// sees every order of their account; the customers whose external access it ended,
/// unless the actor may know each customer, and the services a departure
/// handed over, unless the actor sees every service of `account` (the
/// event's; `None` when it is no longer to be found, which shows none).
pub(super) fn left_out_unknown(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: Option<&Account>,
    state: &mut Value,
) -> Result<()> {
    let Some(fields) = state.as_object_mut() else {
        return Ok(());
    };
    // A merge's `passed_on` names the pending orders it made decidable by
    // the person kept, by number: each only to who sees every order of
    // its account.
    if let Some(passed) = fields.get_mut("passed_on").and_then(Value::as_object_mut) {
        if let Some(orders) = passed.get_mut("orders").and_then(Value::as_array_mut) {
            let mut kept = Vec::with_capacity(orders.len());
            for id in orders.drain(..) {
                let Some(order) = id.as_i64().map(|id| tx.order(id)).transpose()?.flatten() else {
                    continue;
                };
                let account = tx.account(order.account_id)?;
                if reads_kind(tx, catalog, ctx, &account, Reads::EveryOrder)? {
                    kept.push(id);
                }
            }
            *orders = kept;
            if orders.is_empty() {
                passed.remove("orders");
            }
        }
        if passed.is_empty() {
            fields.remove("passed_on");
        }
    }
    if fields.contains_key("services_handed_over") {
        let sees_all = match account {
            Some(account) => reads_kind(tx, catalog, ctx, account, Reads::EveryService)?,
            None => false,
        };
        if !sees_all {
            fields.remove("services_handed_over");
            fields.remove("services_reassigned_to");
        }
    }
    let Some(ended) = fields
        .get_mut("external_ended")
        .and_then(Value::as_array_mut)
    else {
        return Ok(());
    };
    let had = ended.len();
    let mut kept = Vec::with_capacity(had);
    for entry in ended.drain(..) {
        let known = match entry.get("customer").and_then(Value::as_str) {
            Some(name) => match tx.account_named(name)? {
                Some(customer) => knows_account(tx, catalog, ctx, &customer)?,
                None => false,
            },
            None => false,
        };
        if known {
            kept.push(entry);
        }
    }
    let emptied = kept.is_empty() && had > 0;
    *ended = kept;
    if emptied {
        // As if it had ended none: nothing of it is left to show.
        fields.remove("external_ended");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{ann_administers_the_customer_area, email, join};
    use super::super::{Actor, AuditFilter, NewOrder, Portal};
    use crate::model::{Money, PaymentMethod};

    /// The actions of the log `who` reads.
    fn read_by(p: &mut Portal, who: &str) -> Vec<String> {
        p.ctx.actor = Actor::Member(email(who));
        let events = p.audit_list(&AuditFilter::default()).expect("audit");
        p.ctx.actor = Actor::Operator("root".into());
        events.into_iter().map(|e| e.action).collect()
    }

    /// 004: account administration is its own area, apart from services
    /// and billing: managing users reads the log of members, not of
    /// orders, payment details or services.
    #[test]
    fn the_log_shows_what_the_reader_may_read_directly() {
        let mut p = ann_administers_the_customer_area();
        join(&mut p, "bill@acme.test", "member");
        p.service_add("Web hosting", None, None).expect("service");
        p.payment_set(None, PaymentMethod::Invoice, None)
            .expect("payment");
        p.order_place(&NewOrder {
            description: "Confidential".into(),
            amount: "9999.00".parse::<Money>().expect("amount"),
            ..NewOrder::default()
        })
        .expect("order");
        let hidden = ["service.add", "account.payment_set", "order.place"];
        let all = read_by(&mut p, "owner@acme.test");
        for action in hidden {
            assert!(all.iter().any(|a| a == action), "{action}: {all:?}");
        }
        let ann = read_by(&mut p, "ann@acme.test");
        for action in hidden {
            assert!(!ann.iter().any(|a| a == action), "{action}: {ann:?}");
        }
        assert!(ann.iter().any(|a| a == "user.accept"), "{ann:?}");
        // Given the billing and services areas, she reads those too.
        p.grant(
            &email("ann@acme.test"),
            &["billing".into(), "services".into()],
            None,
            None,
        )
        .expect("grant");
        let ann = read_by(&mut p, "ann@acme.test");
        for action in hidden {
            assert!(ann.iter().any(|a| a == action), "{action}: {ann:?}");
        }
    }

    /// A limit counts the events the reader reads: the hidden ones are
    /// left out by the query, not after it.
    #[test]
    fn a_limit_counts_only_what_the_reader_reads() {
        let mut p = ann_administers_the_customer_area();
        join(&mut p, "bill@acme.test", "member");
        for name in ["A", "B", "C"] {
            p.service_add(name, None, None).expect("service");
        }
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        let events = p
            .audit_list(&AuditFilter {
                limit: Some(1),
                ..AuditFilter::default()
            })
            .expect("audit");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].target.as_deref(), Some("bill@acme.test"));
    }
}
