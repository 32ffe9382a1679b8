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

use std::collections::HashMap;

use serde_json::Value;

use super::accounts::ensure_may_view;
use super::addresses::reads_addresses;
use super::audit::ACTIONS;
use super::cost_centres::reads_cost_centres;
use super::licenses::reads_licences;
use super::order_sight::{sight, Sight};
use super::partner_config::{reads_config, reads_ips};
use super::payments::reads_payment;
use super::policies::reads_policies;
use super::prices::reads_prices;
use super::services::{visibility, Visibility};
use super::visibility::{
    knows_account, reads_merge_in, reads_own_name, reads_own_name_on_invitation, shown_email,
};
use super::{Actor, Catalog, Ctx};
use crate::error::{Error, Result};
use crate::model::{Account, AuditEvent, Person};
use crate::store::Tx;
use crate::view::{AuditLogView, MemberEventView};

/// Every kind of event, by the start of its action, and what reading one
/// needs: an event of the first kind its action starts with is read only
/// by whoever `Reads` lets read that kind directly. Deny by default: an
/// action of [`ACTIONS`] no kind here takes in is read by no member (a
/// test fails on one), so a new kind of event is hidden until it is given
/// the rule of the command that shows what it records.
const KINDS: &[(&str, Reads)] = &[
    // The account as `account show` shows it: `init` records its profile
    // and owner, the others its profile.
    ("init", Reads::As(ensure_may_view)),
    ("account.create", Reads::As(ensure_may_view)),
    ("account.set", Reads::As(ensure_may_view)),
    ("account.update", Reads::As(ensure_may_view)),
    ("account.ip_", Reads::As(reads_ips)),
    ("account.payment", Reads::As(reads_payment)),
    ("account.smarthost", Reads::As(reads_config)),
    ("account.address", Reads::As(reads_addresses)),
    // Members' events are the log's own: every reader manages users.
    // Their courses and external access are recorded as changes of them.
    ("user.merge.order", Reads::EveryOrder),
    // A policy a merge passed on, as `policy list` shows it.
    ("user.merge.policy", Reads::As(reads_policies)),
    // An invitation a merge moved to the person kept, which the inviting
    // account still reads as it did (by the address it typed): that a
    // merge touched it is the operator's to know.
    ("user.merge.invitation", Reads::Never),
    ("user.", Reads::Always),
    ("external_admin.", Reads::Always),
    ("course.", Reads::Always),
    // Roles are listed to anyone with portal access (`role list`).
    ("role.", Reads::Always),
    ("policy.", Reads::As(reads_policies)),
    ("cost_centre.", Reads::As(reads_cost_centres)),
    // Delegations are listed to anyone who manages users (`order delegate
    // --list`), as every reader of the log does.
    ("order.delegate", Reads::Always),
    ("order.", Reads::EveryOrder),
    ("service.", Reads::EveryService),
    ("license.price_", Reads::As(reads_prices)),
    ("license.", Reads::As(reads_licences)),
    // The operator's alone: the outbox, the settings and a whole apply.
    ("outbox.", Reads::Never),
    ("settings.", Reads::Never),
    ("apply", Reads::Never),
];

/// A command's own test of whether the actor reads what it shows in an
/// account (`policy list`'s, `account ip list`'s, ...), refusing as the
/// command refuses: the log asks the very function the command does.
type Sees = fn(&dyn Tx, &Catalog, &Ctx, &Account) -> Result<()>;

/// What reading a kind of event needs.
#[derive(Clone, Copy)]
enum Reads {
    /// Nothing more than reading the log.
    Always,
    /// Being the operator.
    Never,
    /// Seeing every order of the account (`order list`'s rule).
    EveryOrder,
    /// Seeing every service of the account (`service list`'s rule).
    EveryService,
    /// What the command showing the thing allows.
    As(Sees),
}

/// The position in [`KINDS`] of the first kind `action` starts with.
fn kind_of(action: &str) -> Option<usize> {
    KINDS
        .iter()
        .position(|(start, _)| action.starts_with(start))
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
    // Each kind's answer once: several actions share one.
    let mut answered: Vec<(usize, bool)> = Vec::new();
    let mut shown = Vec::new();
    for action in ACTIONS {
        let Some(kind) = kind_of(action) else {
            continue;
        };
        let reads = match answered.iter().find(|(k, _)| *k == kind) {
            Some((_, reads)) => *reads,
            None => {
                let reads = reads_kind(tx, catalog, ctx, account, KINDS[kind].1)?;
                answered.push((kind, reads));
                reads
            }
        };
        if reads {
            shown.push(*action);
        }
    }
    Ok(shown)
}

/// Whether the reader reads each event's place in the log: its `seq` and
/// the hashes that chain it to the one before. Only the operator, who
/// alone checks the chain (`audit head`, `audit verify`). The positions
/// are one sequence over every account's events, so a member would count
/// by the gaps between the events they read those of accounts they may
/// not see, and learn by whether an event's `prev_hash` is the `hash` of
/// the one before it whether anything happened elsewhere in between
/// (findings D4). The time orders what a member reads.
pub(super) fn reads_places(ctx: &Ctx) -> bool {
    matches!(ctx.actor, Actor::Operator(_))
}

/// The events a reader was let read, as they read them: with their places
/// in the log, or without (see [`reads_places`]).
pub(super) fn log_as_read(ctx: &Ctx, events: Vec<AuditEvent>) -> AuditLogView {
    if reads_places(ctx) {
        AuditLogView::Chained(events)
    } else {
        AuditLogView::Unplaced(events.into_iter().map(MemberEventView::from).collect())
    }
}

/// The position of `e` in the log as the reader reads it: none to a
/// member (see [`reads_places`]).
pub(super) fn shown_seq(ctx: &Ctx, e: &AuditEvent) -> Option<i64> {
    reads_places(ctx).then_some(e.seq)
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

/// Decides, event by event, which events of an account a member reads
/// and as whom each event's actor reads: the one place `audit list` and
/// `user history` both ask. Answers are kept for one read.
#[derive(Default)]
pub(super) struct EventSight {
    /// Per account (by id) and kind (by position in [`KINDS`]), whether
    /// the reader reads it.
    kinds: Vec<(i64, usize, bool)>,
    /// Per actor, account (by id) and whether the event is one a parent
    /// partner makes in the account ([`made_by_partner`]), whether they
    /// acted through another.
    elsewhere: HashMap<(String, i64, bool), bool>,
}

impl EventSight {
    /// Whether the reader reads `e`, recorded in `account`: an event of a
    /// kind they may read directly (see [`KINDS`]) and, when its actor
    /// made it through another account ([`EventSight::made_elsewhere`]),
    /// or it is the operator's duplicate flag, about someone who had
    /// joined `account` by then. A change of a
    /// person made through one of their accounts (`user edit --name`,
    /// `flag-duplicate`) is recorded in each of their accounts, and an
    /// account that has only invited them knows them by its invitation
    /// alone, not by what is done to them elsewhere, nor by who does it.
    pub(super) fn reads(
        &mut self,
        tx: &dyn Tx,
        catalog: &Catalog,
        ctx: &Ctx,
        account: &Account,
        e: &AuditEvent,
    ) -> Result<bool> {
        if matches!(ctx.actor, Actor::Operator(_)) {
            return Ok(true);
        }
        let Some(of) = kind_of(&e.action) else {
            return Ok(false);
        };
        let answered = self
            .kinds
            .iter()
            .find(|(id, k, _)| *id == account.id && *k == of)
            .map(|(_, _, reads)| *reads);
        let kind = match answered {
            Some(reads) => reads,
            None => {
                let reads = reads_kind(tx, catalog, ctx, account, KINDS[of].1)?;
                self.kinds.push((account.id, of, reads));
                reads
            }
        };
        if !kind {
            return Ok(false);
        }
        // A merge's end of a membership is read by whoever reads the
        // merge there: where it is known, with `users.view` or as one of
        // the two people, as every other command answers.
        if e.action == "user.merge" {
            if let Some(dup) = merged_by(tx, e)? {
                return reads_merge_in(tx, ctx, &dup, account.id);
            }
        }
        // A duplicate flag, or a change of the person's own name or
        // profile, of someone the account had only invited is a change of
        // the person, not of its invitation (which shows neither): read,
        // as a change made through another account is, only where they
        // had joined by then, whoever made it (the operator, or a partner
        // admin through the person's own account; finding N10).
        if !persons_own(e) && !self.made_elsewhere(tx, account, e)? {
            return Ok(true);
        }
        // A service of the account handed back by a change made elsewhere
        // (its external admin cut off by their partner) is the account's
        // own change, whoever it was of: read, its actor as the rest of
        // such changes read.
        if e.action.starts_with("service.") {
            return Ok(true);
        }
        joined_then(tx, account, e)
    }

    /// Whether the reader reads the merge of `dup` in `account` (its own
    /// event, of no account, and what was recorded of `dup` there), as
    /// every read of a merge answers ([`reads_merge_in`]): the operator,
    /// and where `dup` or the person kept had joined by the merge. To an
    /// account that only invited the duplicate (or both of them), before
    /// the merge or after it (an invitation the person kept may since have
    /// taken up, or taken over), the merge is another account's.
    pub(super) fn reads_merge(
        &mut self,
        tx: &dyn Tx,
        ctx: &Ctx,
        dup: &Person,
        account: &Account,
    ) -> Result<bool> {
        reads_merge_in(tx, ctx, dup, account.id)
    }

    /// The actor of `e`, recorded in `account`, as the reader reads them:
    /// one who made it through another account is
    /// `another person you cannot see` to a reader who may not know them
    /// ([`shown_email`]), as every person the log names in passing is.
    pub(super) fn shown_actor(
        &mut self,
        tx: &dyn Tx,
        ctx: &Ctx,
        account: &Account,
        e: &AuditEvent,
    ) -> Result<String> {
        if self.made_elsewhere(tx, account, e)? {
            shown_email(tx, ctx, &e.actor)
        } else {
            Ok(e.actor.clone())
        }
    }

    /// Whether the actor of `e` acted through another account than
    /// `account`: a person found by the address recorded who has joined
    /// neither it nor, for what a partner does in its customer
    /// ([`made_by_partner`]), its partner. The operator acts in every
    /// account; an actor no longer found by that address is taken to have
    /// acted there.
    fn made_elsewhere(&mut self, tx: &dyn Tx, account: &Account, e: &AuditEvent) -> Result<bool> {
        let actor = e.actor.as_str();
        let by_partner = made_by_partner(&e.action);
        let key = (actor.to_string(), account.id, by_partner);
        if let Some(known) = self.elsewhere.get(&key) {
            return Ok(*known);
        }
        let Some(mut person) = tx.person_by_email(actor)? else {
            self.elsewhere.insert(key, false);
            return Ok(false);
        };
        // A merge moves the duplicate's memberships to the person kept,
        // who answers for what the duplicate did (as in `user history`).
        let mut joined = false;
        for _ in 0..MAX_MERGES {
            let partner = account.parent_id.filter(|_| by_partner);
            for id in std::iter::once(account.id).chain(partner) {
                joined |= tx
                    .membership_of(person.id, id)?
                    .is_some_and(|m| m.accepted_at.is_some());
            }
            match person.merged_into {
                Some(kept) if !joined => person = tx.person(kept)?,
                _ => break,
            }
        }
        let elsewhere = !joined;
        self.elsewhere.insert(key, elsewhere);
        Ok(elsewhere)
    }
}

/// Whether an event of `action` is one a parent partner's member makes in
/// its customer by acting on it: the customer's profile and addresses (as
/// [`MANAGED_BY_PARTNER`](super::access::MANAGED_BY_PARTNER) lets them),
/// and the seats it allocates there. A log says who acted on the account,
/// so such a member reads by address. Anything else recorded in the
/// customer with a partner's member as its actor (external access given
/// or ended, by `external-admin` or by a change of the member in the
/// partner) was decided in the partner, by someone the customer may not
/// know (findings C5).
fn made_by_partner(action: &str) -> bool {
    ["account.", "license."]
        .iter()
        .any(|kind| action.starts_with(kind))
}

/// Whether `e` changes the person rather than a membership: the
/// operator's duplicate flag, or, where the account knows them by the
/// name it invited them under (they have a login elsewhere), a duplicate
/// flag or an edit that leaves that name and changes only what is the
/// person's own (their name, their profile), which an invitation does not
/// show.
fn persons_own(e: &AuditEvent) -> bool {
    const PERSONS: &[&str] = &["name", "duplicate_of", "city", "country", "timezone"];
    if e.action == "user.flag_duplicate" && e.actor.starts_with("operator:") {
        return true;
    }
    let (Some(Value::Object(before)), Some(Value::Object(after))) = (&e.before, &e.after) else {
        return false;
    };
    let invited_as = before.get("invited_name").filter(|n| !n.is_null());
    if invited_as.is_none() || after.get("invited_name") != invited_as {
        return false;
    }
    match e.action.as_str() {
        "user.flag_duplicate" => true,
        "user.edit" => before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .all(|k| PERSONS.contains(&k.as_str())),
        _ => false,
    }
}

/// The duplicate of the merge that recorded `e` (a `user.merge` event of
/// an account, about the duplicate or about the person kept): its target
/// when the target was merged away then, else whoever was merged into the
/// target at that moment. `None` for a log that names neither any more.
fn merged_by(tx: &dyn Tx, e: &AuditEvent) -> Result<Option<Person>> {
    let Some(target) = e.target.as_deref() else {
        return Ok(None);
    };
    let Some(person) = tx.person_by_email(target)? else {
        return Ok(None);
    };
    let at_this_merge = |p: &Person| -> Result<bool> {
        Ok(p.merged_into.is_some()
            && tx
                .person_events(p.email.as_str())?
                .iter()
                .any(|m| m.action == "user.merge" && m.account.is_none() && m.at == e.at))
    };
    if at_this_merge(&person)? {
        return Ok(Some(person));
    }
    for dup in tx.people_by_id(&tx.merged_into(person.id)?)? {
        if dup.merged_into == Some(person.id) && at_this_merge(&dup)? {
            return Ok(Some(dup));
        }
    }
    Ok(None)
}

/// How many merges back an actor is followed to the person kept: far
/// more than anyone is merged, and an end to rows edited into a loop.
const MAX_MERGES: usize = 32;

/// Whether the member `e` is about had accepted their membership in
/// `account` when it was recorded: as the state it records says, or, for
/// an event that records none, as their membership says now.
fn joined_then(tx: &dyn Tx, account: &Account, e: &AuditEvent) -> Result<bool> {
    for state in [&e.before, &e.after].into_iter().flatten() {
        if let Some(accepted) = state.get("accepted_at") {
            return Ok(!accepted.is_null());
        }
    }
    let Some(person) = e
        .target
        .as_deref()
        .map(|t| tx.person_by_email(t))
        .transpose()?
        .flatten()
    else {
        return Ok(false);
    };
    Ok(tx
        .membership_of(person.id, account.id)?
        .and_then(|m| m.accepted_at)
        .is_some_and(|at| at <= e.at))
}

fn reads_kind(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    reads: Reads,
) -> Result<bool> {
    let refused = |e: Error| match e {
        Error::Denied(_) | Error::NotFound(_) => Ok(false),
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
        Reads::As(sees) => match sees(tx, catalog, ctx, account) {
            Ok(()) => Ok(true),
            Err(e) => refused(e),
        },
    }
}

/// Whether the actor may read the own name of the member a recorded view
/// names, in `account`: as [`reads_own_name`] judges their membership
/// there now, or, for a view recorded while they were invited, as it
/// judged the invitation (their later joining does not turn the name the
/// account typed into the one they had elsewhere). A member no longer
/// found by the recorded email, or no longer in the account, is read by
/// the invitation's name.
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
    let pending = fields.get("accepted_at").is_some_and(Value::is_null);
    match tx.membership_of(person.id, account.id)? {
        Some(_) if pending => reads_own_name_on_invitation(tx, ctx, &person, account.id),
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
    // So are the flags of someone invited, theirs as their name is (see
    // `member_view`).
    let pending = fields.get("accepted_at").is_some_and(Value::is_null);
    let flagged = ["duplicate_of", "merged_into"]
        .iter()
        .any(|key| fields.get(*key).is_some_and(|v| !v.is_null()));
    let hides_own = (fields.contains_key("invited_name")
        || fields.contains_key("invited_email")
        || (pending && flagged))
        && !reads_recorded_name(tx, ctx, account, fields)?;
    if hides_own && pending {
        for key in ["duplicate_of", "merged_into"] {
            if let Some(flag) = fields.get_mut(key) {
                *flag = Value::Null;
            }
        }
    }
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
    // its account; its policies, each only to who may list the policies
    // of its account (named as at the merge: one renamed since is left
    // out, which tells too little rather than too much).
    if let Some(passed) = fields.get_mut("passed_on").and_then(Value::as_object_mut) {
        if let Some(policies) = passed.get_mut("policies").and_then(Value::as_array_mut) {
            let mut kept = Vec::with_capacity(policies.len());
            for item in policies.drain(..) {
                let Some(name) = item.get("account").and_then(Value::as_str) else {
                    continue;
                };
                let Some(account) = tx.account_named(name)? else {
                    continue;
                };
                if reads_kind(tx, catalog, ctx, &account, Reads::As(reads_policies))? {
                    kept.push(item);
                }
            }
            *policies = kept;
            if policies.is_empty() {
                passed.remove("policies");
            }
        }
        if let Some(orders) = passed.get_mut("orders").and_then(Value::as_array_mut) {
            let mut kept = Vec::with_capacity(orders.len());
            for item in orders.drain(..) {
                // A merge recorded before orders were numbered per account
                // named each by its number alone, then its store key too.
                let account = match item.as_i64() {
                    Some(id) => match tx.order(id)? {
                        Some(order) => Some(tx.account(order.account_id)?),
                        None => None,
                    },
                    None => match item.get("account").and_then(Value::as_str) {
                        Some(name) => tx.account_named(name)?,
                        None => None,
                    },
                };
                let Some(account) = account else {
                    continue;
                };
                if reads_kind(tx, catalog, ctx, &account, Reads::EveryOrder)? {
                    kept.push(item);
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
    use super::super::members::MemberFilter;
    use super::super::order_list::OrderFilter;
    use super::super::people::PersonEdit;
    use super::super::testing::{
        add_account, ann_administers_the_customer_area, email, join, join_in, seeded,
    };
    use super::super::visibility::UNSEEN_PERSON;
    use super::super::{Actor, AuditFilter, Catalog, InviteRequest, NewOrder, NewPolicy, Portal};
    use super::{kind_of, reads_places, shown_seq, KINDS};
    use crate::model::{AccountKind, AuditEvent, Capability, Money, PaymentMethod};
    use crate::view::AuditLogView;

    /// Deny by default: every action portalctl records has the rule of
    /// the command that shows what it records, so a new kind of event is
    /// not read by every reader of the log until someone thinks of it.
    #[test]
    fn every_recorded_action_has_a_reading_rule() {
        let without: Vec<&str> = ACTIONS
            .iter()
            .copied()
            .filter(|a| kind_of(a).is_none())
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
            .audit_events(&AuditFilter::default())
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

    /// #15: what Acme does to its member is recorded in every account of
    /// theirs, but one that has only invited them reads none of it (not
    /// in its log, not in their history, not the flag on its invitation);
    /// once they have joined, such an event's actor is one the reader
    /// may not know.
    #[test]
    fn another_accounts_changes_are_not_read_where_the_person_is_only_invited() {
        let mut p = seeded("portal");
        add_account(&mut p, "Beta", AccountKind::Customer, None);
        join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
        join_in(&mut p, "una@acme.test", "user", Some("Acme"));
        p.ctx.actor = Actor::Member(email("bea@beta.test"));
        let invited = p
            .invite(&InviteRequest {
                email: Some(email("una@acme.test")),
                name: Some("Beta label".into()),
                role: Some("user".into()),
                account: Some("Beta".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let rename = PersonEdit {
            name: Some("Una Renamed".into()),
            ..PersonEdit::default()
        };
        p.edit_person(&email("una@acme.test"), Some("Acme"), &rename)
            .expect("edit");
        p.flag_duplicate(
            &email("una@acme.test"),
            &email("owner@acme.test"),
            Some("Acme"),
        )
        .expect("flag");
        p.ctx.actor = Actor::Operator("root".into());
        let in_beta = |events: Vec<AuditEvent>| -> Vec<(String, String)> {
            events
                .into_iter()
                .filter(|e| e.account.as_deref() == Some("Beta"))
                .map(|e| (e.actor, e.action))
                .collect()
        };
        let all = in_beta(p.audit_events(&AuditFilter::default()).expect("audit"));
        for action in ["user.edit", "user.flag_duplicate"] {
            let recorded = ("owner@acme.test".to_string(), action.to_string());
            assert!(all.contains(&recorded), "{action}: {all:?}");
        }
        p.ctx.actor = Actor::Member(email("bea@beta.test"));
        let beta = in_beta(p.audit_events(&AuditFilter::default()).expect("audit"));
        assert!(
            beta.iter()
                .all(|(_, action)| action != "user.edit" && action != "user.flag_duplicate"),
            "{beta:?}"
        );
        let history = p
            .member_history(&email("una@acme.test"), None)
            .expect("history");
        let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(actions, ["user.invite"]);
        let shown = p
            .member_show(&email("una@acme.test"), Some("Beta"))
            .expect("show");
        assert_eq!(shown.duplicate_of, None);
        let listed = p
            .member_list(&MemberFilter {
                account: Some("Beta".into()),
                ..MemberFilter::default()
            })
            .expect("list");
        assert!(
            listed.iter().all(|m| m.duplicate_of.is_none()),
            "{listed:?}"
        );

        // Joined, she is flagged there too; what Acme's owner does to her
        // now reads with its actor as someone Beta's admin cannot see.
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        p.accept(&invited.token, None).expect("accept");
        let shown = p
            .member_show(&email("una@acme.test"), Some("Beta"))
            .expect("show");
        assert_eq!(shown.duplicate_of.as_deref(), Some(UNSEEN_PERSON));
        // N7: what was done to her before she joined stays out for good.
        let history = p
            .member_history(&email("una@acme.test"), Some("Beta"))
            .expect("history");
        let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(actions, ["user.invite", "user.accept"]);
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        p.write(|w| {
            let account = w.tx.account_named("Beta")?.expect("Beta");
            w.record(super::super::audit::Change {
                action: "user.update",
                account: Some(account),
                target: Some("una@acme.test".into()),
                before: None,
                after: Some(serde_json::json!({ "accepted_at": "2026-01-01T00:00:00Z" }).into()),
            });
            Ok(())
        })
        .expect("recorded");
        p.ctx.actor = Actor::Member(email("bea@beta.test"));
        let beta = in_beta(p.audit_events(&AuditFilter::default()).expect("audit"));
        let unseen = (UNSEEN_PERSON.to_string(), "user.update".to_string());
        assert_eq!(beta.last(), Some(&unseen), "{beta:?}");
        let history = p
            .member_history(&email("una@acme.test"), Some("Beta"))
            .expect("history");
        let last = history.last().expect("a line");
        assert_eq!(
            (last.actor.as_str(), last.action.as_str()),
            (UNSEEN_PERSON, "user.update")
        );
        // Nor does asking for that actor find it.
        let asked = p
            .audit_events(&AuditFilter {
                actor: Some(Actor::Member(email("owner@acme.test"))),
                ..AuditFilter::default()
            })
            .expect("audit");
        assert!(asked.is_empty(), "{asked:?}");
    }

    /// The operator's duplicate flag of someone Beta has only invited is a
    /// change of the person, which Beta's invitation does not show: Beta
    /// reads no event of it (not one with no changes), before they join
    /// or after; one made after they joined reads as any change of them.
    #[test]
    fn the_operators_flag_of_an_invitee_is_read_only_where_they_had_joined() {
        let mut p = seeded("portal");
        add_account(&mut p, "Beta", AccountKind::Customer, None);
        join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
        join_in(&mut p, "una@acme.test", "user", Some("Acme"));
        p.ctx.actor = Actor::Member(email("bea@beta.test"));
        let invited = p
            .invite(&InviteRequest {
                email: Some(email("una@acme.test")),
                role: Some("user".into()),
                account: Some("Beta".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
        p.ctx.actor = Actor::Operator("root".into());
        p.flag_duplicate(
            &email("una@acme.test"),
            &email("owner@acme.test"),
            Some("Beta"),
        )
        .expect("flag");
        let flags_read = |p: &mut Portal| -> (usize, Vec<String>) {
            p.ctx.actor = Actor::Member(email("bea@beta.test"));
            let log = p
                .audit_events(&AuditFilter {
                    actions: vec!["user.flag_duplicate".into()],
                    ..AuditFilter::default()
                })
                .expect("audit");
            let history = p
                .member_history(&email("una@acme.test"), Some("Beta"))
                .expect("history");
            p.ctx.actor = Actor::Operator("root".into());
            let lines = history
                .iter()
                .filter(|h| h.action == "user.flag_duplicate")
                .map(|h| h.changes.join("; "))
                .collect();
            (log.len(), lines)
        };
        assert_eq!(flags_read(&mut p), (0, vec![]), "invited");
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        p.accept(&invited.token, None).expect("accept");
        assert_eq!(flags_read(&mut p), (0, vec![]), "joined since");
        p.ctx.actor = Actor::Operator("root".into());
        join_in(&mut p, "ola@acme.test", "user", Some("Acme"));
        p.flag_duplicate(
            &email("una@acme.test"),
            &email("ola@acme.test"),
            Some("Beta"),
        )
        .expect("flag again");
        let (logged, lines) = flags_read(&mut p);
        assert_eq!((logged, lines.len()), (1, 1), "{lines:?}");
    }

    /// A1: the merge is the operator's, and that of the accounts where the
    /// duplicate or the person kept had joined. An account that only
    /// invited the duplicate, before the merge or after it, reads none of
    /// it in the kept person's history once their invitation there takes
    /// the duplicate's over: only its own invitation and the takeover.
    #[test]
    fn an_account_that_only_invited_the_duplicate_reads_nothing_of_the_merge() {
        let mut p = seeded("portal");
        add_account(&mut p, "Beta", AccountKind::Customer, None);
        join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
        for who in ["fi", "fay", "una", "olive"] {
            join_in(&mut p, &format!("{who}@acme.test"), "user", Some("Acme"));
        }
        let invite = |p: &mut Portal, who: &str| {
            p.ctx.actor = Actor::Member(email("bea@beta.test"));
            p.invite(&InviteRequest {
                email: Some(email(who)),
                role: Some("user".into()),
                account: Some("Beta".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
        };
        let merge = |p: &mut Portal, dup: &str, into: &str| {
            p.ctx.actor = Actor::Member(email("owner@acme.test"));
            p.flag_duplicate(&email(dup), &email(into), Some("Acme"))
                .expect("flag");
            p.ctx.actor = Actor::Operator("root".into());
            p.merge(&email(dup), &email(into)).expect("merge");
        };
        // Merged before Beta invites both addresses, and after.
        merge(&mut p, "fi@acme.test", "fay@acme.test");
        invite(&mut p, "fi@acme.test");
        invite(&mut p, "fay@acme.test");
        invite(&mut p, "una@acme.test");
        merge(&mut p, "una@acme.test", "olive@acme.test");
        invite(&mut p, "olive@acme.test");
        for kept in ["fay@acme.test", "olive@acme.test"] {
            p.ctx.actor = Actor::Member(email("bea@beta.test"));
            let history = p.member_history(&email(kept), None).expect("history");
            let read: Vec<(&str, Option<&str>)> = history
                .iter()
                .map(|h| (h.action.as_str(), h.account.as_deref()))
                .collect();
            assert_eq!(
                read,
                [
                    ("user.invite", Some("Beta")),
                    ("user.invite.takeover", Some("Beta"))
                ],
                "{kept}: {history:?}"
            );
            // The operator, and Acme's owner, read the merge.
            for reader in [
                Actor::Operator("root".into()),
                Actor::Member(email("owner@acme.test")),
            ] {
                p.ctx.actor = reader;
                let history = p.member_history(&email(kept), None).expect("history");
                assert!(
                    history
                        .iter()
                        .any(|h| h.action == "user.merge" && h.account.is_none()),
                    "{kept}: {history:?}"
                );
            }
        }
    }

    /// A4, N3, N11: a merge is read where it is known, and nowhere else,
    /// by every read of it alike: `user list` (the duplicate's row and its
    /// `merged_into`), `user show` of the duplicate (the "merged into"
    /// refusal, else "not a member"), the kept person's `user history`
    /// (the merge's own event) and `audit list` (its end of a membership).
    /// Beta invited both addresses of one person, neither joining it; Gamma
    /// invited the duplicate alone, whose invitation the kept person took
    /// up after the merge; Acme invited the duplicate where the person kept
    /// had joined. Beta and Gamma read no merge; Acme does.
    #[test]
    fn a_merge_is_read_by_every_command_only_where_it_is_known() {
        let mut p = seeded("portal");
        for account in ["Beta", "Gamma"] {
            add_account(&mut p, account, AccountKind::Customer, None);
        }
        join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
        join_in(&mut p, "gus@gamma.test", "admin", Some("Gamma"));
        for who in ["una", "olive", "max", "fiona"] {
            join_in(&mut p, &format!("{who}@acme.test"), "user", Some("Acme"));
        }
        let invite = |p: &mut Portal, by: &str, who: &str, account: &str| {
            p.ctx.actor = Actor::Member(email(by));
            let invited = p
                .invite(&InviteRequest {
                    email: Some(email(who)),
                    role: Some("user".into()),
                    account: Some(account.into()),
                    ..InviteRequest::default()
                })
                .expect("invite");
            p.ctx.actor = Actor::Operator("root".into());
            invited.token
        };
        invite(&mut p, "bea@beta.test", "una@acme.test", "Beta");
        invite(&mut p, "bea@beta.test", "olive@acme.test", "Beta");
        let gammas = invite(&mut p, "gus@gamma.test", "max@acme.test", "Gamma");
        invite(&mut p, "owner@acme.test", "ivan@acme.test", "Acme");
        for (dup, kept) in [
            ("una@acme.test", "olive@acme.test"),
            ("max@acme.test", "fiona@acme.test"),
            ("ivan@acme.test", "fiona@acme.test"),
        ] {
            p.merge(&email(dup), &email(kept)).expect("merge");
        }
        // The person kept takes up Gamma's invitation after the merge.
        p.accept(&gammas, None).expect("accept");
        // (reader, duplicate, kept, whether the merge is theirs to read)
        let table = [
            ("root", "una@acme.test", "olive@acme.test", true),
            ("bea@beta.test", "una@acme.test", "olive@acme.test", false),
            ("owner@acme.test", "una@acme.test", "olive@acme.test", true),
            ("gus@gamma.test", "max@acme.test", "fiona@acme.test", false),
            ("owner@acme.test", "ivan@acme.test", "fiona@acme.test", true),
        ];
        for (reader, dup, kept, known) in table {
            p.ctx.actor = match reader {
                "root" => Actor::Operator("root".into()),
                member => Actor::Member(email(member)),
            };
            let account = match reader {
                "bea@beta.test" | "root" => "Beta",
                "gus@gamma.test" => "Gamma",
                _ => "Acme",
            };
            let case = format!("{reader} on {dup}");
            let listed = p
                .member_list(&MemberFilter {
                    account: Some(account.into()),
                    ..MemberFilter::default()
                })
                .expect("list");
            let row = listed.iter().find(|m| m.email == dup);
            if reader != "gus@gamma.test" {
                // Gamma's one membership is its invitation, which the
                // person kept took up: never the duplicate's row.
                assert_eq!(row.is_some(), known, "{case}: listed {listed:?}");
            }
            if let Some(row) = row {
                assert_eq!(row.merged_into.as_deref(), Some(kept), "{case}");
            }
            let shown = p
                .member_show(&email(dup), Some(account))
                .expect_err("merged away");
            assert_eq!(
                shown.to_string().contains("was merged into"),
                known,
                "{case}: {shown}"
            );
            let history = p
                .member_history(&email(kept), Some(account))
                .expect("history");
            assert_eq!(
                history.iter().any(|h| h.action == "user.merge"),
                known,
                "{case}: {history:?}"
            );
            let log = p
                .audit_events(&AuditFilter::default())
                .expect("audit")
                .into_iter()
                .any(|e| {
                    e.action == "user.merge"
                        && e.account.as_deref() == Some(account)
                        && e.target.as_deref() == Some(dup)
                });
            assert_eq!(log, known, "{case}: audit list");
        }
    }

    /// A8: a policy a merge passed on is read as `policy list` shows it:
    /// not by a member who manages users but sees only their assigned
    /// services, in the log nor in the merge's `passed_on`.
    #[test]
    fn a_policy_a_merge_passed_on_is_read_only_by_who_may_list_policies() {
        let mut p = seeded("portal");
        let caps: Vec<Capability> = [
            "portal.access", "account.view", "services.view_assigned", "users.view", "users.manage",
        ]
        .iter()
        .map(|c| c.parse().expect("capability"))
        .collect();
        p.role_create("hr2", &caps, &"HR helper".into(), Some("Acme"))
            .expect("role");
        join(&mut p, "hr@acme.test", "hr2");
        join(&mut p, "fiona@acme.test", "admin");
        join(&mut p, "max@acme.test", "admin");
        p.policy_create(&NewPolicy {
            name: "Secret over 50".into(),
            threshold: "50.00".parse::<Money>().expect("amount"),
            approvers: vec![email("fiona@acme.test")],
            ..NewPolicy::default()
        })
        .expect("policy");
        p.flag_duplicate(&email("fiona@acme.test"), &email("max@acme.test"), None)
            .expect("flag");
        p.merge(&email("fiona@acme.test"), &email("max@acme.test"))
            .expect("merge");
        let told = |p: &mut Portal, who: &str| -> String {
            p.ctx.actor = Actor::Member(email(who));
            let log = p.audit_events(&AuditFilter::default()).expect("audit");
            let history = p
                .member_history(&email("max@acme.test"), None)
                .expect("history");
            p.ctx.actor = Actor::Operator("root".into());
            format!("{log:?} {history:?}")
        };
        let owner = told(&mut p, "owner@acme.test");
        assert!(owner.contains("user.merge.policy"), "{owner}");
        assert!(owner.contains("policy=Secret over 50"), "{owner}");
        let hr = told(&mut p, "hr@acme.test");
        assert!(!hr.contains("Secret"), "{hr}");
        assert!(hr.contains("user.merge"), "{hr}");
    }

    /// Whether `start`'s kind of event records what `p`'s actor may read
    /// in Acme by the command showing it: by that command's answer, or,
    /// for the kinds listed in part (orders, services), by its listing
    /// all the operator's listing does.
    fn shown_by_command(p: &mut Portal, start: &str) -> bool {
        let acme = Some("Acme");
        let member = !matches!(p.ctx.actor, Actor::Operator(_));
        match start {
            "init" | "account.create" | "account.set" | "account.update" => {
                p.account_show(acme).is_ok()
            }
            "account.ip_" => p.ip_list(acme).is_ok(),
            "account.payment" => p.payment_show(acme).is_ok(),
            "account.smarthost" => p.account_show(acme).is_ok_and(|a| a.config.is_some()),
            "account.address" => p.address_list(acme).is_ok(),
            "policy." | "user.merge.policy" => p.policy_list(acme, None).is_ok(),
            "cost_centre." => p.cost_centre_list(acme).is_ok(),
            "license.price_" => p.price_list(acme).is_ok(),
            "license." => p.license_list(acme, None, None).is_ok(),
            // The log's own, to every reader: its readers manage users.
            "user." | "external_admin." | "course." | "role." | "order.delegate" => p
                .member_list(&MemberFilter {
                    account: acme.map(str::to_string),
                    ..MemberFilter::default()
                })
                .is_ok(),
            "user.merge.order" | "order." => {
                let all = OrderFilter {
                    account: acme.map(str::to_string),
                    ..OrderFilter::default()
                };
                let seen = p.order_list(&all).map(|o| o.len()).unwrap_or(0);
                let actor = std::mem::replace(&mut p.ctx.actor, Actor::Operator("root".into()));
                let every = p.order_list(&all).expect("orders").len();
                p.ctx.actor = actor;
                seen == every
            }
            "service." => {
                let seen = p.service_list(acme, None).map(|s| s.len()).unwrap_or(0);
                let actor = std::mem::replace(&mut p.ctx.actor, Actor::Operator("root".into()));
                let every = p.service_list(acme, None).expect("services").len();
                p.ctx.actor = actor;
                seen == every
            }
            // No command shows a merge's moving an invitation: the
            // inviting account reads the invitation as it was.
            "outbox." | "settings." | "apply" | "user.merge.invitation" => !member,
            other => panic!("no command shows what `{other}` records: add it here"),
        }
    }

    /// #8: every kind of event is read in the log exactly as the command
    /// that shows what it records lets the reader read that, for the
    /// owner, a member who manages users and sees only their assigned
    /// services (001's user: the account's basic details only), and one
    /// who manages users and may not see the account at all.
    #[test]
    fn each_kind_of_event_is_read_as_the_command_showing_it_allows() {
        let mut p = super::super::testing::seeded_as("portal", Some(AccountKind::Partner));
        let role = |names: &[&str]| -> Vec<Capability> {
            names
                .iter()
                .map(|c| c.parse().expect("capability"))
                .collect()
        };
        let hr2 = role(&[
            "portal.access", "account.view", "services.view_assigned", "users.view", "users.manage",
        ]);
        p.role_create("hr2", &hr2, &"HR helper".into(), Some("Acme"))
            .expect("role");
        let clerk = role(&["portal.access", "users.view", "users.manage"]);
        p.role_create("clerk", &clerk, &"manages users".into(), Some("Acme"))
            .expect("role");
        join(&mut p, "hr@acme.test", "hr2");
        join(&mut p, "clerk@acme.test", "clerk");
        p.service_add("Web hosting", None, None).expect("service");
        p.order_place(&NewOrder {
            description: "Confidential".into(),
            amount: "9999.00".parse::<Money>().expect("amount"),
            ..NewOrder::default()
        })
        .expect("order");
        let tx = p.gate.read(p.ctx.now).expect("read");
        let acme = tx.account_named("Acme").expect("read").expect("Acme");
        assert_eq!(
            acme.kind,
            AccountKind::Partner,
            "Acme is a partner: its config is read"
        );
        drop(tx);
        let mut checked = Vec::new();
        for who in ["owner@acme.test", "hr@acme.test", "clerk@acme.test"] {
            p.ctx.actor = Actor::Member(email(who));
            let read = {
                let tx = p.gate.read(p.ctx.now).expect("read");
                let catalog = Catalog::load(&*tx).expect("catalog");
                super::shown_actions(&*tx, &catalog, &p.ctx, &acme).expect("shown")
            };
            for action in ACTIONS {
                let kind = kind_of(action).expect("a kind");
                let start = KINDS[kind].0;
                let allowed = shown_by_command(&mut p, start);
                assert_eq!(
                    read.contains(action),
                    allowed,
                    "{who} reads `{action}` in the log unlike the command showing it"
                );
                checked.push((who, *action, allowed));
            }
        }
        // The HR helper reads neither policies, sites, IP addresses nor
        // prices, as the finding's commands refuse them.
        for action in [
            "policy.create", "account.address_add", "account.ip_add", "license.price_set",
            "account.smarthost_set",
        ] {
            assert!(
                checked.contains(&("hr@acme.test", action, false)),
                "{action}"
            );
            assert!(
                checked.contains(&("owner@acme.test", action, true)),
                "{action}"
            );
        }
        assert!(checked.contains(&("hr@acme.test", "init", true)));
    }

    /// The actions of the log `who` reads.
    fn read_by(p: &mut Portal, who: &str) -> Vec<String> {
        p.ctx.actor = Actor::Member(email(who));
        let events = p.audit_events(&AuditFilter::default()).expect("audit");
        p.ctx.actor = Actor::Operator("root".into());
        events.into_iter().map(|e| e.action).collect()
    }

    /// Acme's owner, with events of `Beta` (another account) between
    /// two of Acme's: the invitation and acceptance of `ann` in Acme, then
    /// three members joining Beta, then `ann`'s role changed.
    fn acme_with_beta_between() -> Portal {
        let mut p = seeded("portal");
        add_account(&mut p, "Beta", AccountKind::Customer, None);
        join_in(&mut p, "ann@acme.test", "user", Some("Acme"));
        for who in ["b1@beta.test", "b2@beta.test", "b3@beta.test"] {
            join_in(&mut p, who, "user", Some("Beta"));
        }
        p.set_role(&email("ann@acme.test"), "manager", Some("Acme"), None)
            .expect("set-role");
        p
    }

    /// The keys of each JSON object `items` serialize to.
    fn keys<T: serde::Serialize>(items: &[T]) -> Vec<String> {
        let json = serde_json::to_value(items).expect("json");
        let mut keys: Vec<String> = json
            .as_array()
            .expect("an array")
            .iter()
            .flat_map(|o| o.as_object().expect("an object").keys().cloned())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// Findings D4: the log's positions run over every account, so a
    /// member reads their account's events without them (nor the hashes
    /// chaining each to the one before, which would tell whether anything
    /// happened elsewhere in between); the operator reads them all.
    #[test]
    fn a_member_reads_no_place_in_the_log() {
        let mut p = acme_with_beta_between();
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let AuditLogView::Unplaced(read) = p.audit_list(&AuditFilter::default()).expect("log")
        else {
            panic!("a member reads the log with its places");
        };
        assert!(read.iter().any(|e| e.action == "user.set_role"), "{read:?}");
        assert!(read.iter().all(|e| e.account.as_deref() == Some("Acme")));
        let shown = keys(&read);
        for hidden in ["seq", "prev_hash", "hash"] {
            assert!(!shown.iter().any(|k| k == hidden), "{shown:?}");
        }
        let history = p
            .member_history(&email("ann@acme.test"), Some("Acme"))
            .expect("history");
        assert!(history.iter().all(|h| h.seq.is_none()), "{history:?}");
        assert!(!keys(&history).iter().any(|k| k == "seq"));

        p.ctx.actor = Actor::Operator("root".into());
        let AuditLogView::Chained(all) = p.audit_list(&AuditFilter::default()).expect("log") else {
            panic!("the operator reads the log without its places");
        };
        let seqs: Vec<i64> = all.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
        let history = p
            .member_history(&email("ann@acme.test"), Some("Acme"))
            .expect("history");
        assert!(history.iter().all(|h| h.seq.is_some()), "{history:?}");
    }

    /// The one rule every reading of an event asks: places are the
    /// operator's.
    #[test]
    fn only_the_operator_reads_places() {
        let mut p = acme_with_beta_between();
        let event = p
            .audit_events(&AuditFilter::default())
            .expect("log")
            .pop()
            .expect("an event");
        assert_eq!(shown_seq(&p.ctx, &event), Some(event.seq));
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        assert_eq!(shown_seq(&p.ctx, &event), None);
        assert!(!reads_places(&p.ctx));
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
            .audit_events(&AuditFilter {
                limit: Some(1),
                ..AuditFilter::default()
            })
            .expect("audit");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].target.as_deref(), Some("bill@acme.test"));
    }

    /// A partner's admin who, by a change of a member in the partner, ends
    /// that member's external access to a customer reads in the customer's
    /// log as a person its members cannot see, and asking for them by
    /// address finds none of it; their edit of the customer's profile,
    /// made on the customer, names them (findings C5).
    #[test]
    fn a_partner_side_change_reads_in_the_customer_without_its_actor() {
        let mut p = super::super::testing::seeded_as("portal", Some(AccountKind::Partner));
        add_account(&mut p, "Beta", AccountKind::Customer, Some("Acme"));
        join_in(&mut p, "adm2@acme.test", "admin", Some("Acme"));
        join_in(&mut p, "fiona@acme.test", "admin", Some("Acme"));
        join_in(&mut p, "bo@beta.test", "admin", Some("Beta"));
        p.external_admin_add("Beta", &email("fiona@acme.test"), "manager", None)
            .expect("external admin");
        p.ctx.actor = Actor::Member(email("adm2@acme.test"));
        p.set_role(&email("fiona@acme.test"), "user", Some("Acme"), None)
            .expect("set-role ends the external access");
        let phone = super::super::ProfileChange {
            phone: Some("555".into()),
            ..Default::default()
        };
        p.account_set(Some("Beta"), &phone).expect("profile");
        p.ctx.actor = Actor::Member(email("bo@beta.test"));
        let read = |p: &mut Portal, actor: Option<&str>| -> Vec<(String, String)> {
            let filter = AuditFilter {
                account: Some("Beta".into()),
                actor: actor.map(|a| Actor::Member(email(a))),
                ..AuditFilter::default()
            };
            let events = p.audit_events(&filter).expect("audit");
            events.into_iter().map(|e| (e.action, e.actor)).collect()
        };
        let all = read(&mut p, None);
        assert!(
            all.contains(&("external_admin.remove".into(), UNSEEN_PERSON.into())),
            "{all:?}"
        );
        assert!(
            all.contains(&("account.set".into(), "adm2@acme.test".into())),
            "{all:?}"
        );
        assert_eq!(
            read(&mut p, Some("adm2@acme.test")),
            vec![("account.set".to_string(), "adm2@acme.test".to_string())]
        );
        let history = p
            .member_history(&email("fiona@acme.test"), Some("Beta"))
            .expect("history");
        let ended = history
            .iter()
            .find(|e| e.action == "external_admin.remove")
            .expect("ended");
        assert_eq!(ended.actor, UNSEEN_PERSON);
    }
}
