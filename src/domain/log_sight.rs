//! What of the audit log a member reads. The log's readers are the members
//! who manage an account's users (`audit list`, `user history`); an event
//! records an order, a policy, the account's profile, a payment method or a
//! service as the command showed it, so a member reads it only where they
//! may read that thing directly, by the same rules the commands that show
//! it apply. Deny by default: an event of no kind listed here is the
//! operator's alone. Someone given only
//! the account-admin area of the customer area (004: "Permissions can
//! include access to ... Services · Domains · Billing · Support requests ·
//! Account administration") manages users, not billing.

use serde_json::Value;

use super::access::{authority, authorize, caps, Authority};
use super::audit::ACTIONS;
use super::licenses::LICENSE_READERS;
use super::orders::{sight, Sight};
use super::payments::PAYMENT_READERS;
use super::services::{visibility, Visibility};
use super::visibility::{knows_account, reads_own_name, shown_email};
use super::{Actor, Catalog, Ctx};
use crate::error::{Error, Result};
use crate::model::{Account, Capability};
use crate::store::Tx;

/// Every kind of event, by the start of its action, and what reading one
/// needs: an event of the first kind its action starts with is read only
/// by whoever `Reads` lets read that kind directly. Deny by default: an
/// action of [`ACTIONS`] no kind here takes in is read by no member (a
/// test fails on one), so a new kind of event is hidden until it is given
/// the rule of the command that shows what it records.
const KINDS: &[(&str, Reads)] = &[
    // The account as `account show` shows it: `init` records its profile
    // and owner, the others its profile or its partner's IP addresses
    // (`account ip list` asks the same).
    ("init", Reads::Authorized(caps::ACCOUNT_VIEW)),
    ("account.create", Reads::Authorized(caps::ACCOUNT_VIEW)),
    ("account.set", Reads::Authorized(caps::ACCOUNT_VIEW)),
    ("account.update", Reads::Authorized(caps::ACCOUNT_VIEW)),
    ("account.ip_", Reads::Authorized(caps::ACCOUNT_VIEW)),
    ("account.payment", Reads::AnyOf(&PAYMENT_READERS)),
    ("account.smarthost", Reads::AnyOf(&[caps::ACCOUNT_CONFIG])),
    // `address list`'s rule.
    ("account.address", Reads::Addresses),
    // Members' events are the log's own: every reader manages users.
    // Their courses and external access are recorded as changes of them.
    ("user.merge.order", Reads::EveryOrder),
    // An invitation a merge moved to the person kept, which the inviting
    // account still reads as it did (by the address it typed): that a
    // merge touched it is the operator's to know.
    ("user.merge.invitation", Reads::Never),
    ("user.", Reads::Always),
    ("external_admin.", Reads::Always),
    ("course.", Reads::Always),
    // Roles are listed to anyone with portal access (`role list`).
    ("role.", Reads::Always),
    // `policy list` and `cost-centre list` ask `account.view`.
    ("policy.", Reads::Authorized(caps::ACCOUNT_VIEW)),
    ("cost_centre.", Reads::Authorized(caps::ACCOUNT_VIEW)),
    // Delegations are listed to anyone who manages users (`order delegate
    // --list`), as every reader of the log does.
    ("order.delegate", Reads::Always),
    ("order.", Reads::EveryOrder),
    ("service.", Reads::EveryService),
    ("license.", Reads::AnyOf(&LICENSE_READERS)),
    // The operator's alone: the outbox, the settings and a whole apply.
    ("outbox.", Reads::Never),
    ("settings.", Reads::Never),
    ("apply", Reads::Never),
];

/// What reading a kind of event needs.
#[derive(Clone, Copy, PartialEq)]
enum Reads {
    /// Nothing more than reading the log.
    Always,
    /// Being the operator.
    Never,
    /// Seeing every order of the account (`order list`'s rule).
    EveryOrder,
    /// Seeing every service of the account (`service list`'s rule).
    EveryService,
    /// One of these capabilities in the account.
    AnyOf(&'static [Capability]),
    /// What `authorize` allows for this capability: held in the account,
    /// or through its parent partner where that counts.
    Authorized(Capability),
    /// Seeing the account's shipping addresses (`address list`'s rule).
    Addresses,
}

/// The reading rule of `action`: that of the first kind it starts with;
/// `None` for an action no kind takes in, which no member reads.
fn reads_of(action: &str) -> Option<Reads> {
    KINDS
        .iter()
        .find(|(start, _)| action.starts_with(start))
        .map(|(_, reads)| *reads)
}

/// The actions of the events in `account` that the actor may read: each
/// action of [`ACTIONS`] whose kind they may read. The log shows them
/// nothing else there, so an event of an action no kind takes in, or of
/// one this binary does not know, is read by no member.
pub(super) fn shown_actions(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<Vec<&'static str>> {
    // Each rule's answer once: several kinds share one (`account.view`).
    let mut answered: Vec<(Reads, bool)> = Vec::new();
    let mut shown = Vec::new();
    for action in ACTIONS {
        let Some(rule) = reads_of(action) else {
            continue;
        };
        let reads = match answered.iter().find(|(r, _)| *r == rule) {
            Some((_, reads)) => *reads,
            None => {
                let reads = reads_kind(tx, catalog, ctx, account, rule)?;
                answered.push((rule, reads));
                reads
            }
        };
        if reads {
            shown.push(*action);
        }
    }
    Ok(shown)
}

/// Whether the actor may read an event of `action` in `account`: what
/// `user history` keeps of the events it finds by their target.
pub(super) fn reads_action(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    action: &str,
) -> Result<bool> {
    match reads_of(action) {
        Some(reads) => reads_kind(tx, catalog, ctx, account, reads),
        None => Ok(matches!(ctx.actor, Actor::Operator(_))),
    }
}

/// Whether the actor sees every service of `account` (`service list`'s
/// rule): who may be told which services a member's departure moved, in
/// the log and in the change's answer alike.
pub(super) fn sees_every_service(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<bool> {
    reads_kind(tx, catalog, ctx, account, Reads::EveryService)
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
        Reads::Never => Ok(matches!(ctx.actor, Actor::Operator(_))),
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
        Reads::Authorized(cap) => match authorize(tx, catalog, ctx, account, cap) {
            Ok(_) => Ok(true),
            Err(e) => refused(e),
        },
        Reads::Addresses => {
            if reads_kind(
                tx,
                catalog,
                ctx,
                account,
                Reads::AnyOf(&[caps::ADDRESSES_USE]),
            )? {
                return Ok(true);
            }
            reads_kind(
                tx,
                catalog,
                ctx,
                account,
                Reads::Authorized(caps::ACCOUNT_VIEW),
            )
        }
    }
}

/// Whether the actor may read the own name of the member a recorded view
/// names, in `account`: as [`reads_own_name`] judges their membership
/// there now. A member no longer found by the recorded email, or no
/// longer in the account, is read by the invitation's name.
fn reads_recorded_name(
    tx: &dyn Tx,
    ctx: &Ctx,
    account: Option<&Account>,
    fields: &serde_json::Map<String, Value>,
) -> Result<bool> {
    if matches!(ctx.actor, Actor::Operator(_)) {
        return Ok(true);
    }
    let (Some(account), Some(email)) = (account, fields.get("email").and_then(Value::as_str))
    else {
        return Ok(false);
    };
    let Some(person) = tx.person_by_email(email)? else {
        return Ok(false);
    };
    match tx.membership_of(person.id, account.id)? {
        Some(m) => reads_own_name(tx, ctx, &person, &m),
        None => Ok(false),
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
    // A member recorded by someone who could see whom they duplicate or
    // were merged into reads, to whoever cannot, as `user show` shows it.
    for key in ["duplicate_of", "merged_into"] {
        if let Some(Value::String(other)) = fields.get_mut(key) {
            *other = shown_email(tx, ctx, other)?;
        }
    }
    // Someone invited who has a name of their own is recorded with both
    // names: a reader who may not read their own (as `user show` would
    // not show it now) reads the invitation's in its place.
    let hides_own = (fields.contains_key("invited_name") || fields.contains_key("invited_email"))
        && !reads_recorded_name(tx, ctx, account, fields)?;
    if hides_own {
        if let Some(invited) = fields.remove("invited_name") {
            fields.insert("name".to_string(), invited);
        }
        // Invited through an address merged into them, as the operator
        // recorded them: read by that address, as `user show` shows it.
        if let Some(typed) = fields.remove("invited_email") {
            fields.insert("email".to_string(), typed);
        }
    }
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
            Some(account) => sees_every_service(tx, catalog, ctx, account)?,
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
    use super::super::audit::ACTIONS;
    use super::super::testing::{ann_administers_the_customer_area, email, join, seeded};
    use super::super::{Actor, AuditFilter, NewOrder, NewPolicy, Portal};
    use super::{reads_of, KINDS};
    use crate::model::{Capability, Money, PaymentMethod};

    /// Deny by default: every action portalctl records has the rule of
    /// the command that shows what it records, so a new kind of event is
    /// not read by every reader of the log until someone thinks of it.
    #[test]
    fn every_recorded_action_has_a_reading_rule() {
        let without: Vec<&str> = ACTIONS
            .iter()
            .copied()
            .filter(|a| reads_of(a).is_none())
            .collect();
        assert!(
            without.is_empty(),
            "actions with no rule in log_sight's KINDS: {without:?}"
        );
        // And no rule is for a kind no event has (a misspelt start).
        for (start, _) in KINDS {
            assert!(
                ACTIONS.iter().any(|a| a.starts_with(start)),
                "`{start}` starts no action"
            );
        }
    }

    /// An event of an action this binary does not know (an older or a
    /// newer one's) is the operator's alone.
    #[test]
    fn an_event_of_an_unknown_action_is_read_by_no_member() {
        let mut p = seeded("portal");
        p.write(|w| {
            let account = w.tx.account_named("Acme")?.expect("Acme");
            w.record(super::super::audit::Change {
                action: "test.secret",
                account: Some(account),
                target: None,
                before: None,
                after: Some(serde_json::json!({ "secret": 1 }).into()),
            });
            Ok(())
        })
        .expect("recorded");
        let owner = read_by(&mut p, "owner@acme.test");
        assert!(!owner.iter().any(|a| a == "test.secret"), "{owner:?}");
        assert!(owner.iter().any(|a| a == "init"), "{owner:?}");
        let all: Vec<String> = p
            .audit_list(&AuditFilter::default())
            .expect("audit")
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(all.iter().any(|a| a == "test.secret"), "{all:?}");
    }

    /// A member who manages users but may not see the account (no
    /// `account.view`) reads none of its policies, cost centres or
    /// profile in the log, as `policy list`, `cost-centre list` and
    /// `account show` refuse them.
    #[test]
    fn managing_users_reads_no_policy_cost_centre_or_account_profile() {
        let mut p = seeded("portal");
        let caps: Vec<Capability> = ["portal.access", "users.manage", "users.view"]
            .iter()
            .map(|c| c.parse().expect("capability"))
            .collect();
        p.role_create("clerk", &caps, &"manages users".into(), Some("Acme"))
            .expect("role");
        join(&mut p, "clerk@acme.test", "clerk");
        p.policy_create(&NewPolicy {
            name: "Big".into(),
            threshold: "500.00".parse::<Money>().expect("amount"),
            approvers: vec![email("owner@acme.test")],
            ..NewPolicy::default()
        })
        .expect("policy");
        p.cost_centre_create("OPS", &"Operations".into(), None)
            .expect("cost centre");
        let hidden = ["init", "policy.create", "cost_centre.create"];
        let all = read_by(&mut p, "owner@acme.test");
        for action in hidden {
            assert!(all.iter().any(|a| a == action), "{action}: {all:?}");
        }
        let clerk = read_by(&mut p, "clerk@acme.test");
        for action in hidden {
            assert!(!clerk.iter().any(|a| a == action), "{action}: {clerk:?}");
        }
        assert!(clerk.iter().any(|a| a == "user.accept"), "{clerk:?}");
        // Nor the owner's `init` in their history.
        p.ctx.actor = Actor::Member(email("clerk@acme.test"));
        let history = p
            .member_history(&email("owner@acme.test"), None)
            .expect("history");
        assert!(history.iter().all(|h| h.action != "init"), "{history:?}");
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let history = p
            .member_history(&email("owner@acme.test"), None)
            .expect("history");
        assert!(history.iter().any(|h| h.action == "init"), "{history:?}");
    }

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
