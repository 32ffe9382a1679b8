//! Orders and their approval: which policies an order matches, who may
//! approve or reject it, and when it is decided.

use std::collections::{BTreeSet, HashMap};

use super::access::{authority, caps, denial, Authority};
use super::deciders::{Ability, Cached, Now, Pending, Roster, SHOWN_DECIDERS};
use super::delegations::{could_decide, covering, route, Covering};
use super::gate::Write;
use super::order_names::{find_named_order, no_order, OrderName};
use super::order_sight::orders_seen;
use super::{member_in, Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{
    Account, Email, MatchedPolicy, Order, OrderDecision, OrderDetails, OrderStatus, Paste, Person,
    Text, Timestamp,
};
use crate::store::Tx;
use crate::view::{DeciderView, DecisionView, OrderView, PolicyProgress};

pub(super) fn order_view(tx: &dyn Tx, account: &Account, o: &Order) -> Result<OrderView> {
    let mut views = order_views(tx, account, std::slice::from_ref(o))?;
    views
        .pop()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("order {} has no view", o.number)))
}

/// The views of orders of one account, read together: a few statements
/// for a page of a list, whatever its length, and none per order.
pub(super) fn order_views(
    tx: &dyn Tx,
    account: &Account,
    orders: &[Order],
) -> Result<Vec<OrderView>> {
    views_of(tx, account, orders, None)
}

/// A page of `order list`: [`order_views`], each also saying whether it is
/// stuck (a pending order nobody left may decide), worked out for the
/// whole page at once.
pub(super) fn listed_views(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    orders: &[Order],
    now: Timestamp,
) -> Result<Vec<OrderView>> {
    views_of(tx, account, orders, Some((catalog, now)))
}

/// [`order_views`], and with `stuck` each order's `stuck` too.
fn views_of(
    tx: &dyn Tx,
    account: &Account,
    orders: &[Order],
    stuck: Option<(&Catalog, Timestamp)>,
) -> Result<Vec<OrderView>> {
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    let details = tx.order_details(&ids)?;
    let people: Vec<i64> = orders
        .iter()
        .filter_map(|o| o.creator_id)
        .chain(details.iter().flat_map(|d| {
            d.decisions
                .iter()
                .flat_map(|d| std::iter::once(d.person_id).chain(d.on_behalf_of))
        }))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let emails: HashMap<i64, String> = tx
        .people_by_id(&people)?
        .into_iter()
        .map(|p| (p.id, p.email.to_string()))
        .collect();
    // Approvals count once per person as they are now: one given by a
    // person since merged into another is that one's.
    let kept = kept_people(
        tx,
        details
            .iter()
            .flat_map(|d| {
                d.approval_counts
                    .iter()
                    .map(|(_, who)| *who)
                    .chain(decision_people(&d.decisions))
            })
            .chain(orders.iter().filter_map(|o| o.creator_id)),
    )?;
    let stuck = match stuck {
        Some((catalog, now)) => {
            let roster = Now::new(tx, catalog, account, now);
            Some(stuck_among(roster, orders, &details, &kept)?)
        }
        None => None,
    };
    let centres: HashMap<i64, String> = if orders.iter().any(|o| o.cost_centre_id.is_some()) {
        tx.cost_centres_in(account.id)?
            .into_iter()
            .map(|c| (c.id, c.code))
            .collect()
    } else {
        HashMap::new()
    };
    orders
        .iter()
        .zip(details)
        .map(|(o, d)| {
            let mut view = view_of(account, o, d, &emails, &kept, &centres)?;
            view.stuck = stuck.as_ref().map(|s| s.contains(&o.id));
            Ok(view)
        })
        .collect()
}

/// The pending orders among `orders` (their `details`, people as `kept`
/// has them now) that nobody left may decide, as [`pending_of`] would say
/// of each: the account's members read once for them all, each person's
/// ability once and its approvers once (see [`Cached`]).
fn stuck_among(
    roster: Now<'_>,
    orders: &[Order],
    details: &[OrderDetails],
    kept: &Kept,
) -> Result<BTreeSet<i64>> {
    let mut held = Vec::new();
    for (o, d) in orders.iter().zip(details) {
        if o.status != OrderStatus::Pending {
            continue;
        }
        let decisions: Vec<OrderDecision> = d
            .decisions
            .iter()
            .map(|x| OrderDecision {
                person_id: kept.of(x.person_id),
                on_behalf_of: x.on_behalf_of.map(|p| kept.of(p)),
                ..x.clone()
            })
            .collect();
        let counts: Vec<(i64, i64)> = d
            .approval_counts
            .iter()
            .map(|(policy, who)| (*policy, kept.of(*who)))
            .collect();
        held.push((o, decisions, counts, &d.policies));
    }
    // Each question `Pending::of` asks of the approvers wants at most the
    // approvals a policy requires, leaving out at most its named
    // approvers and the order's creator and deciders.
    let enough = held
        .iter()
        .flat_map(|(_, decisions, _, policies)| {
            let excluded = decision_people(decisions).count().saturating_add(1);
            policies.iter().map(move |m| {
                usize::try_from(m.required_approvals.max(0))
                    .unwrap_or(usize::MAX)
                    .saturating_add(m.approvers.len())
                    .saturating_add(excluded)
            })
        })
        .max()
        .unwrap_or(0);
    let roster = Cached::new(roster, enough);
    let mut stuck = BTreeSet::new();
    for (o, decisions, counts, policies) in held {
        let creator = o.creator_id.map(|id| kept.of(id));
        if !Pending::of(&roster, policies, &decisions, &counts, creator)?.approvable() {
            stuck.insert(o.id);
        }
    }
    Ok(stuck)
}

fn view_of(
    account: &Account,
    o: &Order,
    d: OrderDetails,
    emails: &HashMap<i64, String>,
    kept: &Kept,
    centres: &HashMap<i64, String>,
) -> Result<OrderView> {
    let email = |id: i64| -> Result<String> {
        emails
            .get(&id)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("no person with id {id}")))
    };
    let decisions = d.decisions;
    let counts = d.approval_counts;
    let approvals = decisions
        .iter()
        .filter(|d| d.approved)
        .map(|d| email(d.person_id))
        .collect::<Result<_>>()?;
    let rejected_by = decisions
        .iter()
        .find(|d| !d.approved)
        .map(|d| email(d.person_id))
        .transpose()?;
    let decision_views = decisions
        .iter()
        .map(|d| {
            Ok(DecisionView {
                by: email(d.person_id)?,
                on_behalf_of: d.on_behalf_of.map(email).transpose()?,
                approved: d.approved,
                at: d.at,
            })
        })
        .collect::<Result<_>>()?;
    // While it waits, an approval its creator gave before becoming one
    // with a merged duplicate who placed it counts no more (see
    // `Pending::of`).
    let creator = o
        .creator_id
        .filter(|_| o.status == OrderStatus::Pending)
        .map(|c| kept.of(c));
    let policies = d
        .policies
        .iter()
        .map(|m| {
            let approvals = counts
                .iter()
                .filter(|(p, _)| *p == m.policy_id)
                .map(|(_, who)| kept.of(*who))
                .filter(|who| Some(*who) != creator)
                .collect::<BTreeSet<_>>()
                .len() as i64;
            PolicyProgress {
                name: m.name.clone(),
                required_approvals: m.required_approvals,
                approvals,
                satisfied: approvals >= m.required_approvals,
                released: m.released_at.is_some(),
                stuck: None,
                ease: None,
            }
        })
        .collect();
    let cost_centre = o.cost_centre_id.and_then(|id| centres.get(&id).cloned());
    Ok(OrderView {
        id: o.number,
        account: account.name.clone(),
        reference: o.reference.clone(),
        created_by: o
            .creator_id
            .map(email)
            .transpose()?
            .unwrap_or_else(|| o.creator.clone()),
        description: o.description.clone(),
        order_type: o.order_type.clone(),
        amount: o.amount.shown_in(&o.currency),
        currency: o.currency.clone(),
        cost_centre,
        ship_to: o.ship_to.clone(),
        status: o.status,
        approvals,
        rejected_by,
        decisions: decision_views,
        rejected_reason: o.rejected_reason.clone(),
        cancelled_by: o.cancelled_by.clone(),
        cancelled_reason: o.cancelled_reason.clone(),
        policies,
        policies_hidden: false,
        stuck: None,
        deciders: None,
        more_deciders: None,
        delegates: None,
        could_decide: None,
        could_decide_more: None,
        created_at: o.created_at,
        decided_at: o.decided_at,
    })
}

/// How the policies hold a pending order now. Whoever decided it, and
/// whoever placed it, is the person they are now: the approvals of people
/// merged into one count as that one's, once.
pub(super) fn pending_of(tx: &dyn Tx, roster: &dyn Roster, o: &Order) -> Result<Pending> {
    let decisions = tx.decisions(o.id)?;
    let counts = tx.approval_counts(o.id)?;
    let kept = kept_people(
        tx,
        o.creator_id
            .into_iter()
            .chain(decision_people(&decisions))
            .chain(counts.iter().map(|(_, who)| *who)),
    )?;
    let decisions: Vec<OrderDecision> = decisions
        .into_iter()
        .map(|d| OrderDecision {
            person_id: kept.of(d.person_id),
            on_behalf_of: d.on_behalf_of.map(|p| kept.of(p)),
            ..d
        })
        .collect();
    let counts: Vec<(i64, i64)> = counts
        .into_iter()
        .map(|(policy, who)| (policy, kept.of(who)))
        .collect();
    Pending::of(
        roster,
        &tx.matched_policies(o.id)?,
        &decisions,
        &counts,
        o.creator_id.map(|id| kept.of(id)),
    )
}

/// Approves the pending orders whose policies all have their approvals
/// (or released them), after a change to the policies that hold them
/// (`policy edit`/`disable`, by hand or by a fixture); `orders` are the
/// orders the change touched, each with its view from before it. Records
/// each as `order.release` (approved by the change) or `order.reevaluate`
/// (still pending, held differently). Returns the ids of those approved.
///
/// Releasing an order decides it, so every write that re-evaluates orders
/// comes through here and meets the same rule first (see
/// [`ensure_may_release`]): a member who may not decide an order cannot
/// approve it by changing its policies.
pub(super) fn reevaluate(
    w: &Write<'_>,
    account: &Account,
    orders: &[(Order, OrderView)],
) -> Result<Vec<i64>> {
    let tx = w.tx;
    let catalog = w.catalog()?;
    let roster = Now::new(tx, catalog, account, w.ctx.now);
    let mut held = Vec::new();
    for (order, before) in orders {
        held.push((order, before, pending_of(tx, &roster, order)?));
    }
    let releasing: Vec<&Order> = held
        .iter()
        .filter(|(_, _, pending)| pending.satisfied())
        .map(|(order, _, _)| *order)
        .collect();
    ensure_may_release(w, account, &releasing)?;
    let mut released = Vec::new();
    for (order, before, pending) in held {
        let mut order = order.clone();
        let release = pending.satisfied();
        if release {
            order.status = OrderStatus::Approved;
            order.decided_at = Some(w.ctx.now);
            tx.update_order(&order)?;
            released.push(order.number);
        } else {
            if !pending.approvable() {
                w.warn(pending.stuck_warning(order.number, &account.name));
            }
        }
        let after = order_view(tx, account, &order)?;
        w.changed(
            if release {
                "order.release"
            } else {
                "order.reevaluate"
            },
            account,
            format!("order {}", order.number),
            Some(before),
            &after,
        )?;
    }
    Ok(released)
}

/// Refuses a member a write that would release (approve) `releasing`
/// where they may not decide them: an order they placed (or a person
/// merged into them did), since nobody decides their own order, or any
/// order at all without `orders.approve` in the account, since a change
/// that approves orders gives its maker the deciding of them. The operator
/// may always: no order is ever stuck, and the operator (or an approver
/// who did not place it) can still disable or ease any policy. The orders
/// the actor cannot see are counted, not named.
fn ensure_may_release(w: &Write<'_>, account: &Account, releasing: &[&Order]) -> Result<()> {
    if releasing.is_empty() {
        return Ok(());
    }
    let tx = w.tx;
    let catalog = w.catalog()?;
    let Actor::Member(email) = &w.ctx.actor else {
        return Ok(());
    };
    let (person, approves) = match authority(tx, catalog, &w.ctx, account) {
        Ok(Authority::Operator) => return Ok(()),
        Ok(Authority::Member { person, access }) => {
            (Some(person.id), access.holds(caps::ORDERS_APPROVE))
        }
        Ok(Authority::Partner { .. }) | Err(Error::Denied(_)) => (None, false),
        Err(e) => return Err(e),
    };
    let seen = orders_seen(tx, catalog, &w.ctx, account)?;
    let kept = kept_people(tx, releasing.iter().filter_map(|o| o.creator_id))?;
    let own: Vec<&Order> = releasing
        .iter()
        .filter(|o| person.is_some() && o.creator_id.map(|c| kept.of(c)) == person)
        .copied()
        .collect();
    let (refused, why, help) = if !approves {
        (
            releasing.to_vec(),
            "; deciding orders needs `orders.approve`, which they do not hold there",
            "someone who holds `orders.approve` there, or the operator (without --as), can make this change".to_string(),
        )
    } else if !own.is_empty() {
        let cancel = match own.as_slice() {
            [one] => format!(
                "order {} first (`{}`)",
                one.number,
                Paste::new("order cancel")
                    .arg(one.number)
                    .opt("--account", &account.name)
            ),
            _ => "those orders first (`portalctl order cancel ID`)".to_string(),
        };
        (
            own,
            ", which they placed; nobody decides their own order",
            format!(
                "another approver, or the operator (without --as), can make this change; or cancel {cancel}"
            ),
        )
    } else {
        return Ok(());
    };
    let named: Vec<i64> = refused
        .iter()
        .filter(|o| seen(o))
        .map(|o| o.number)
        .collect();
    Err(Error::denied(format!(
        "`{email}` may not make this change in `{}`: it would release (approve) {}{why}",
        account.name,
        orders_named(&named),
    ))
    .help(help))
}

/// `views` of orders of `account` as the actor reads them: every
/// command that answers with orders (show, place, approve, reject,
/// cancel, list, inbox) answers through here. A reader whose role does
/// not read the account's approval policies (a creator made `user`, a
/// named approver or their delegate) reads each order and why it was
/// decided (001: "the order creator will see this"), but neither the
/// policies' names nor who may decide them, which `policy show` and
/// `user list` refuse them (findings E9; att14).
pub(super) fn as_read(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    views: &mut [OrderView],
) -> Result<()> {
    match super::policies::reads_policies(tx, catalog, ctx, account) {
        Ok(()) => Ok(()),
        Err(Error::Denied(_)) => {
            views.iter_mut().for_each(OrderView::hide_policies);
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// "order 4", "orders 4 and 7", "orders 4, 7 and 9": the orders of a
/// refusal the reader sees. Orders they cannot see are neither named nor
/// counted (a refusal names nothing its reader could not see); only when
/// the reader sees none of them is it said that there are some, which
/// the refusal itself cannot help telling.
fn orders_named(ids: &[i64]) -> String {
    match ids.split_last() {
        None => "pending orders they cannot see".to_string(),
        Some((last, [])) => format!("order {last}"),
        Some((last, rest)) => {
            let rest: Vec<String> = rest.iter().map(i64::to_string).collect();
            format!("orders {} and {last}", rest.join(", "))
        }
    }
}

pub(crate) use crate::model::MAX_ORDER_NUMBER;

impl Portal {
    /// One order, with who approved it and why it was rejected; a pending
    /// one also says who may decide it right now (at most
    /// [`SHOWN_DECIDERS`] of them, and whether there are others).
    pub(crate) fn order_show(&mut self, name: impl Into<OrderName>) -> Result<OrderView> {
        let name = name.into();
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let (order, account) = find_named_order(
            &*tx,
            &catalog,
            &self.ctx,
            &name,
            caps::ORDERS_PLACE.to("see orders"),
        )?;
        let mut view = order_view(&*tx, &account, &order)?;
        with_deciders(&*tx, &catalog, &account, &order, &mut view, self.ctx.now)?;
        with_could_decide(&*tx, &order, &mut view)?;
        as_read(
            &*tx,
            &catalog,
            &self.ctx,
            &account,
            std::slice::from_mut(&mut view),
        )?;
        Ok(view)
    }

    /// Approves an order (`reject: None`) or rejects it with a reason.
    /// Only a member can decide (`--as`), never on their own order, and
    /// only while they may decide it (see `deciders`): a named approver of
    /// a policy it is held by, or an account approver where that policy
    /// names nobody or its named approvers fall short. An approval counts
    /// toward every such policy; one rejection rejects the order.
    pub(crate) fn order_decide(
        &mut self,
        name: impl Into<OrderName>,
        reject: Option<&Text>,
    ) -> Result<OrderView> {
        let name = name.into();
        let verb = if reject.is_some() {
            "reject"
        } else {
            "approve"
        };
        super::access::ensure_member(&self.ctx, &format!("`order {verb}`"))?;
        let reason = reject.map(|r| r.required("the reason")).transpose()?;
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let need = caps::ORDERS_APPROVE.to(if reject.is_some() {
                "reject orders"
            } else {
                "approve orders"
            });
            let (mut order, account) = find_named_order(tx, catalog, &w.ctx, &name, need)?;
            // The store key for its rows; the number for what is said.
            let id = order.id;
            let number = order.number;
            let (person, access) = match authority(tx, catalog, &w.ctx, &account)? {
                Authority::Member { person, access } => (person, access),
                Authority::Operator => {
                    return Err(anyhow::anyhow!("the operator cannot decide orders").into())
                }
                // `authority` answers for members of the account only.
                Authority::Partner { .. } => {
                    return Err(
                        anyhow::anyhow!("a partner cannot decide a customer's orders").into(),
                    )
                }
            };
            let ability = Ability::of(&access);
            let matched = tx.matched_policies(id)?;
            let named = matched
                .iter()
                .any(|m| m.released_at.is_none() && m.approvers.contains(&person.id));
            // Delegations to them that hold now: they may decide for
            // those delegators.
            let covering = covering(tx, account.id, person.id, w.ctx.now)?;
            // Being named, or covering for someone, stands in for
            // `orders.approve`.
            if !(ability.approves || ((named || !covering.is_empty()) && ability.access)) {
                // One they may neither decide nor see is no order to them.
                if !orders_seen(tx, catalog, &w.ctx, &account)?(&order) {
                    return Err(no_order(&name.key));
                }
                let decision = access.decide(caps::ORDERS_APPROVE);
                return Err(denial(
                    tx,
                    catalog,
                    person.email.as_str(),
                    &account,
                    need,
                    &decision,
                    &w.ctx,
                )?);
            }
            if order.status != OrderStatus::Pending {
                return Err(Error::conflict(format!(
                    "order {number} is already {}",
                    order.status
                )));
            }
            // A merged duplicate's orders are the kept person's own.
            if order.creator_id.map(|id| kept_person(tx, id)).transpose()? == Some(person.id) {
                return Err(Error::conflict(format!(
                    "`{}` placed order {number}; nobody approves their own order",
                    person.email
                )));
            }
            // A merged duplicate's decisions are the kept person's own.
            let decisions = tx.decisions(id)?;
            let kept = kept_people(tx, decision_people(&decisions))?;
            if let Some(earlier) = decided_by(&decisions, &kept, person.id) {
                let who = person.email.to_string();
                return Err(already_decided(tx, (&who, person.id), earlier, &kept, number)?);
            }
            let roster = Now::new(tx, catalog, &account, w.ctx.now);
            let pending = pending_of(tx, &roster, &order)?;
            let Some(route) = route(&roster, &pending, person.id, ability, &covering)? else {
                // One of its approvers, for themselves or for whom they
                // cover, is told why nobody decides it: it cannot get the
                // approvals it needs, so an approval would lead nowhere.
                let mut theirs = !pending.eligible(person.id, ability).is_empty();
                for Covering { d, .. } in &covering {
                    theirs = theirs
                        || !pending
                            .eligible(d.delegator_id, roster.ability(d.delegator_id)?)
                            .is_empty();
                }
                if theirs && !pending.approvable() {
                    return Err(cannot_be_approved(&order, &account, &pending));
                }
                // Covering for someone whose decision is made already.
                for Covering { d, .. } in &covering {
                    if let Some(earlier) = decided_by(&decisions, &kept, d.delegator_id) {
                        let delegator = tx.person(d.delegator_id)?.email.to_string();
                        return Err(already_decided(
                            tx,
                            (&delegator, d.delegator_id),
                            earlier,
                            &kept,
                            number,
                        )?
                        .help("a delegate decides for them only what they have not decided"));
                    }
                }
                // Covering for someone who may decide it, through a
                // delegation that does not lend on it (see `lent`).
                for c in &covering {
                    let delegator = c.d.delegator_id;
                    let Some(setter) = c.setter else { continue };
                    if pending
                        .eligible(delegator, roster.ability(delegator)?)
                        .is_empty()
                        || !c.lent(&roster, &pending)?.is_empty()
                    {
                        continue;
                    }
                    let creator = order.creator_id.map(|p| kept_person(tx, p)).transpose()?;
                    let why = match c.setter_took_part(&pending) {
                        true if creator == Some(setter) => "placed the order, and a delegation never lends deciding on an order its setter placed or decided",
                        true => "decided the order, and a delegation never lends deciding on an order its setter placed or decided",
                        false => "may not decide the order themselves, and a delegation set for another lends only the deciding its setter holds",
                    };
                    return Err(Error::denied(format!(
                        "`{}` may not decide order {number} for `{}`: `{}` set that delegation and {why}",
                        person.email,
                        tx.person(delegator)?.email,
                        tx.person(setter)?.email
                    ))
                    .help(format!(
                        "`{}` says who may decide it",
                        Paste::new("order show")
                            .arg(number)
                            .opt("--account", &account.name)
                    )));
                }
                return Err(not_an_approver(&person, number, &matched));
            };
            // Who could decide it at this moment, kept with the decision
            // (`order show` of the decided order lists them).
            let could = could_decide(tx, &roster, account.id, &pending, w.ctx.now, SHOWN_DECIDERS)?;
            let toward = route.toward;
            let before = order_view(tx, &account, &order)?;
            let mine = OrderDecision {
                person_id: person.id,
                on_behalf_of: route.on_behalf_of,
                approved: reason.is_none(),
                reason: reason.clone(),
                at: w.ctx.now,
            };
            tx.insert_decision(id, &mine)?;
            tx.record_deciders(id, person.id, &could)?;
            if reason.is_some() {
                order.status = OrderStatus::Rejected;
                order.rejected_reason = reason;
                order.decided_at = Some(w.ctx.now);
            } else {
                for policy in toward {
                    tx.count_approval(id, person.id, policy)?;
                }
                if pending_of(tx, &roster, &order)?.satisfied() {
                    order.status = OrderStatus::Approved;
                    order.decided_at = Some(w.ctx.now);
                }
            }
            tx.update_order(&order)?;
            let mut after = order_view(tx, &account, &order)?;
            with_could_decide(tx, &order, &mut after)?;
            w.changed(
                if reject.is_some() {
                    "order.reject"
                } else {
                    "order.approve"
                },
                &account,
                format!("order {number}"),
                Some(&before),
                &after,
            )?;
            // Left pending, it says who decides next; the event records
            // the order alone.
            with_deciders(tx, catalog, &account, &order, &mut after, w.ctx.now)?;
            as_read(tx, catalog, &w.ctx, &account, std::slice::from_mut(&mut after))?;
            Ok(after)
        })
    }

    /// Cancels a pending order: by its creator (the kept person, or the
    /// operator who placed it), by anyone who may decide it now, or by the
    /// operator. It then takes no decisions; what was decided stays.
    pub(crate) fn order_cancel(
        &mut self,
        name: impl Into<OrderName>,
        reason: Option<&Text>,
    ) -> Result<OrderView> {
        let name = name.into();
        let reason = reason.map(|r| r.required("the reason")).transpose()?;
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let (mut order, account) = find_named_order(
                tx,
                catalog,
                &w.ctx,
                &name,
                caps::ORDERS_PLACE.to("see orders"),
            )?;
            let number = order.number;
            if order.status != OrderStatus::Pending {
                return Err(Error::conflict(format!(
                    "order {number} is already {}",
                    order.status
                ))
                .help("only a pending order can be cancelled"));
            }
            if let Authority::Member { person, access } = authority(tx, catalog, &w.ctx, &account)? {
                let creator = order.creator_id.map(|p| kept_person(tx, p)).transpose()?;
                let roster = Now::new(tx, catalog, &account, w.ctx.now);
                // One that cannot get its approvals is decided by nobody,
                // yet any of its approvers may clear it away.
                let decides = || -> Result<bool> {
                    let covering = covering(tx, account.id, person.id, w.ctx.now)?;
                    let pending = pending_of(tx, &roster, &order)?;
                    let ability = Ability::of(&access);
                    Ok(route(&roster, &pending, person.id, ability, &covering)?.is_some()
                        || (!pending.approvable()
                            && !pending.eligible(person.id, ability).is_empty()))
                };
                if creator != Some(person.id) && !decides()? {
                    return Err(Error::denied(format!(
                        "`{}` may not cancel order {number}: only its creator or someone who may decide it can",
                        person.email
                    ))
                    .help(format!(
                        "`{}` says who may decide it",
                        Paste::new("order show")
                            .arg(number)
                            .opt("--account", &account.name)
                    )));
                }
            }
            let before = order_view(tx, &account, &order)?;
            order.status = OrderStatus::Cancelled;
            order.cancelled_by = Some(w.ctx.actor.audit_name());
            order.cancelled_reason = reason;
            order.decided_at = Some(w.ctx.now);
            tx.update_order(&order)?;
            let mut after = order_view(tx, &account, &order)?;
            w.changed(
                "order.cancel",
                &account,
                format!("order {number}"),
                Some(&before),
                &after,
            )?;
            as_read(tx, w.catalog()?, &w.ctx, &account, std::slice::from_mut(&mut after))?;
            Ok(after)
        })
    }
}

/// The decision of `person` (a kept person) on an order: made by them or
/// by a person merged into them, or made for either by a delegate.
fn decided_by<'d>(
    decisions: &'d [OrderDecision],
    kept: &Kept,
    person: i64,
) -> Option<&'d OrderDecision> {
    decisions.iter().find(|d| {
        kept.of(d.person_id) == person || d.on_behalf_of.map(|p| kept.of(p)) == Some(person)
    })
}

/// "`who` already approved order N", saying as whom when a person since
/// merged into them decided it, through whom when a delegate decided for
/// them, or for whom when they decided as a delegate.
fn already_decided(
    tx: &dyn Tx,
    (who, whom): (&str, i64),
    earlier: &OrderDecision,
    kept: &Kept,
    number: i64,
) -> Result<Error> {
    let what = if earlier.approved {
        "approved"
    } else {
        "rejected"
    };
    let by = tx.person(earlier.person_id)?.email.to_string();
    let how = if kept.of(earlier.person_id) == whom {
        let mut how = String::new();
        if by != who {
            how.push_str(&format!(" as `{by}`, since merged into them"));
        }
        if let Some(d) = earlier.on_behalf_of {
            how.push_str(&format!(" on behalf of `{}`", tx.person(d)?.email));
        }
        how
    } else {
        format!(" through `{by}`, on their behalf")
    };
    Ok(Error::conflict(format!(
        "`{who}` already {what} order {number}{how}"
    )))
}

/// Adds to a decided order's view who could decide it when it was decided,
/// as recorded with the decision that decided it. An order approved at
/// once, released by a policy change, cancelled, or decided before
/// portalctl recorded this, gets nothing.
fn with_could_decide(tx: &dyn Tx, order: &Order, view: &mut OrderView) -> Result<()> {
    let decisive = match order.status {
        OrderStatus::Rejected => tx.decisions(order.id)?.into_iter().find(|d| !d.approved),
        OrderStatus::Approved => tx
            .decisions(order.id)?
            .into_iter()
            .filter(|d| d.approved)
            .max_by_key(|d| d.at),
        _ => None,
    };
    let Some(d) = decisive.filter(|d| Some(d.at) == order.decided_at) else {
        return Ok(());
    };
    let Some(recorded) = tx.recorded_deciders(order.id, d.person_id)? else {
        return Ok(());
    };
    let email = |id: i64| -> Result<String> { Ok(tx.person(id)?.email.to_string()) };
    view.could_decide = Some(
        recorded
            .deciders
            .iter()
            .map(|(p, on_behalf_of)| {
                Ok(DeciderView {
                    email: email(*p)?,
                    on_behalf_of: on_behalf_of.map(email).transpose()?,
                })
            })
            .collect::<Result<_>>()?,
    );
    view.could_decide_more = Some(recorded.more);
    Ok(())
}

/// Where merges lead: each person read by [`kept_people`] to the person
/// they are now (the one kept at the end of their merges).
struct Kept(HashMap<i64, i64>);

impl Kept {
    /// The person `id` is now; itself when unmerged or not read.
    fn of(&self, id: i64) -> i64 {
        self.0.get(&id).copied().unwrap_or(id)
    }
}

/// The people `ids` are now, merges followed to the one kept: read
/// together, one statement, and one more per step of a merge chain.
fn kept_people(tx: &dyn Tx, ids: impl IntoIterator<Item = i64>) -> Result<Kept> {
    let asked: BTreeSet<i64> = ids.into_iter().collect();
    // Each person's next step, `None` for one kept.
    let mut next: HashMap<i64, Option<i64>> = HashMap::new();
    let mut ask: Vec<i64> = asked.iter().copied().collect();
    // Each merge retires one person into a live one, so chains are
    // short; the bound only guards against a damaged file.
    for _ in 0..64 {
        if ask.is_empty() {
            break;
        }
        for p in tx.people_by_id(&ask)? {
            next.insert(p.id, p.merged_into);
        }
        for id in &ask {
            next.entry(*id).or_insert(None);
        }
        ask = next
            .values()
            .flatten()
            .filter(|id| !next.contains_key(id))
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
    }
    let mut kept = HashMap::new();
    for id in asked {
        let mut at = id;
        let mut steps = 0;
        while let Some(Some(n)) = next.get(&at) {
            at = *n;
            steps += 1;
            if steps > 64 {
                return Err(anyhow::anyhow!("the merges of person {id} form a loop").into());
            }
        }
        kept.insert(id, at);
    }
    Ok(Kept(kept))
}

/// The person `email`, who joined `account`: one of its members, or
/// someone merged away since, whose membership there ended or moved to
/// the person kept. Who a restored order names as its creator or a
/// decider, and a restored policy as an approver; `did` says what someone
/// who never joined did not do.
pub(super) fn joined_in(tx: &dyn Tx, email: &Email, account: &Account, did: &str) -> Result<i64> {
    let merged = tx
        .person_by_email(email.as_str())?
        .filter(|p| p.merged_into.is_some());
    let (id, membership) = match merged {
        Some(person) => {
            let membership = match tx.membership_of(person.id, account.id)? {
                Some(own) => Some(own),
                None => tx.membership_of(kept_person(tx, person.id)?, account.id)?,
            };
            let membership = membership.ok_or_else(|| {
                Error::not_found(format!("`{email}` is not a member of `{}`", account.name))
            })?;
            (person.id, membership)
        }
        None => {
            // Only the operator restores, and they know everyone by the
            // person's own address, whenever it is.
            let ctx = Ctx::new(Timestamp::end_of_time(), Actor::Operator(String::new()));
            let (person, membership) = member_in(tx, &ctx, email, account)?;
            (person.id, membership)
        }
    };
    if membership.accepted_at.is_none() {
        return Err(Error::conflict(format!(
            "`{email}` never joined `{}`, so {did}",
            account.name
        )));
    }
    Ok(id)
}

/// The person a (possibly merged) person is now.
pub(super) fn kept_person(tx: &dyn Tx, id: i64) -> Result<i64> {
    Ok(kept_people(tx, [id])?.of(id))
}

/// Everyone who made, or was represented in, `decisions`.
fn decision_people(decisions: &[OrderDecision]) -> impl Iterator<Item = i64> + '_ {
    decisions
        .iter()
        .flat_map(|d| std::iter::once(d.person_id).chain(d.on_behalf_of))
}

/// Marks which policies of a pending order's view cannot get the
/// approvals they still need, as `pending` holds it.
fn mark_stuck(view: &mut OrderView, pending: &Pending) {
    let account = view.account.clone();
    for p in view.policies.iter_mut().filter(|p| !p.released) {
        let stuck = pending
            .holds
            .iter()
            .find(|h| h.policy.name == p.name && h.stuck());
        p.stuck = Some(stuck.is_some());
        p.ease = stuck.map(|h| h.ease(&account));
    }
}

/// Says of a pending order who may decide it now, a delegate among them
/// (said to decide for their delegator in `delegates`), or that nobody
/// may and what moves it on: the very answer the inbox and `order
/// approve` act on, for `order show`, and for `order place` and `order
/// approve` of an order left pending, which say who decides next. Gives
/// back how the pending order stands.
pub(super) fn with_deciders(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    order: &Order,
    view: &mut OrderView,
    now: Timestamp,
) -> Result<Option<Pending>> {
    if order.status != OrderStatus::Pending {
        view.stuck = Some(false);
        return Ok(None);
    }
    let roster = Now::new(tx, catalog, account, now);
    let pending = pending_of(tx, &roster, order)?;
    let could = could_decide(tx, &roster, account.id, &pending, now, SHOWN_DECIDERS)?;
    let email = |id: i64| -> Result<String> { Ok(tx.person(id)?.email.to_string()) };
    let mut deciders = Vec::new();
    let mut delegates = Vec::new();
    for (person, delegator) in could.deciders {
        deciders.push(email(person)?);
        if let Some(d) = delegator {
            delegates.push(DeciderView {
                email: email(person)?,
                on_behalf_of: Some(email(d)?),
            });
        }
    }
    mark_stuck(view, &pending);
    view.stuck = Some(!pending.approvable());
    view.deciders = Some(deciders);
    view.more_deciders = Some(could.more);
    view.delegates = Some(delegates);
    Ok(Some(pending))
}

/// The refusal of a decision on an order that cannot get the approvals it
/// needs, with what moves it on instead.
fn cannot_be_approved(order: &Order, account: &Account, pending: &Pending) -> Error {
    Error::conflict(format!(
        "order {} cannot get enough approvals ({}), so nobody may decide it",
        order.number,
        pending.shortages()
    ))
    .help(pending.moves_on(order.number, &account.name))
}

fn not_an_approver(person: &Person, number: i64, matched: &[MatchedPolicy]) -> Error {
    let names: Vec<String> = matched
        .iter()
        .filter(|m| m.released_at.is_none())
        .map(|m| format!("`{}`", m.name))
        .collect();
    let why = if names.is_empty() {
        "it matched no approval policy".to_string()
    } else {
        format!(
            "the policies that hold it ({}) name other approvers, or have the approvals you could give",
            names.join(", ")
        )
    };
    Error::denied(format!(
        "`{}` is not an approver of order {number}: {why}",
        person.email
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{email, join, seeded};
    use super::*;
    use crate::domain::order_list::OrderFilter;
    use crate::domain::order_placing::{NewOrder, Placer};
    use crate::domain::Actor;
    use crate::model::Money;

    /// Findings D4: one sequence for the whole database let a member who
    /// placed two orders count, by the gap between their numbers, the
    /// orders other accounts placed in between. Each account numbers its
    /// own, 1, 2, 3 ..., the next past the highest it holds (a restored
    /// number 7 makes the next 8), found by index rather than counted.
    #[test]
    fn each_account_numbers_its_own_orders_whatever_another_places() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "admin");
        super::super::testing::add_account(
            &mut p,
            "Beta",
            crate::model::AccountKind::Partner,
            None,
        );
        let place = |p: &mut Portal, account: &str, number: Option<i64>| {
            p.order_place(&NewOrder {
                description: "Desk".into(),
                amount: "10.00".parse::<Money>().expect("amount"),
                account: Some(account.into()),
                number,
                ..NewOrder::default()
            })
            .expect("order")
            .id
        };
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        let first = place(&mut p, "Acme", None);
        p.ctx.actor = Actor::Operator("root".into());
        let beta: Vec<i64> = (0..3).map(|_| place(&mut p, "Beta", None)).collect();
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        let second = place(&mut p, "Acme", None);
        assert_eq!((first, second), (1, 2), "ann learns nothing of Beta's");
        assert_eq!(beta, [1, 2, 3]);
        // A number restored past the highest: the next follows it, in
        // that account alone.
        p.ctx.actor = Actor::Operator("root".into());
        assert_eq!(place(&mut p, "Beta", Some(7)), 7);
        assert_eq!(place(&mut p, "Beta", None), 8);
        assert_eq!(place(&mut p, "Acme", None), 3);
        // One an account holds already is refused; another's is free.
        let taken = p
            .order_place(&NewOrder {
                description: "Desk".into(),
                amount: "10.00".parse::<Money>().expect("amount"),
                account: Some("Beta".into()),
                number: Some(2),
                ..NewOrder::default()
            })
            .expect_err("Beta has an order 2");
        assert_eq!(taken.exit_code(), 4, "{taken}");
        assert_eq!(place(&mut p, "Acme", Some(8)), 8);
        // The audit log names each by its account's number.
        let placed: Vec<(Option<String>, Option<String>)> = p
            .audit_events(&crate::domain::AuditFilter::default())
            .expect("log")
            .into_iter()
            .filter(|e| e.action == "order.place")
            .map(|e| (e.account, e.target))
            .collect();
        assert!(placed.contains(&(Some("Acme".into()), Some("order 1".into()))));
        assert!(placed.contains(&(Some("Beta".into()), Some("order 8".into()))));
    }

    /// An order of a type no policy names, where policies name types, is
    /// placed with a warning naming the types they name: most often it
    /// is a typo, and its order slips past the policies kept for its type.
    #[test]
    fn an_order_type_no_policy_names_is_placed_with_a_warning() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "manager");
        p.policy_create(&crate::domain::NewPolicy {
            name: "Hardware".into(),
            threshold: "500.00".parse::<Money>().expect("amount"),
            order_type: Some("hardware".into()),
            ..crate::domain::NewPolicy::default()
        })
        .expect("policy");
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        let mut place = |order_type: &str| {
            let placed = p
                .order_place(&NewOrder {
                    description: "Server".into(),
                    amount: "900.00".parse::<Money>().expect("amount"),
                    order_type: Some(order_type.into()),
                    ..NewOrder::default()
                })
                .expect("placed");
            (placed.status, p.take_warnings())
        };
        let (status, warnings) = place("hardwre");
        assert_eq!(status, OrderStatus::Approved, "no policy held it");
        assert_eq!(
            warnings,
            ["no policy of `Acme` is for orders of type `hardwre`, so only its policies for every type hold this one; its policies name the types `hardware`"]
        );
        let (status, warnings) = place("hardware");
        assert_eq!((status, warnings), (OrderStatus::Pending, vec![]));
    }

    /// Findings C3: a type that reads as a policy's is that type, however
    /// it is typed (full-width, upper case), so its policy holds it; one
    /// that only looks like it (a Cyrillic `а` in `hardwаre`) is refused
    /// as a name would be, and nothing is placed.
    #[test]
    fn an_order_type_that_reads_as_a_policy_s_is_held_by_it_or_refused() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "manager");
        // The policy itself typed in full-width letters: kept by its key.
        let policy = p
            .policy_create(&crate::domain::NewPolicy {
                name: "Hardware".into(),
                threshold: "500.00".parse::<Money>().expect("amount"),
                order_type: Some("ＨＡＲＤＷＡＲＥ".into()),
                required_approvals: Some(1),
                ..crate::domain::NewPolicy::default()
            })
            .expect("policy");
        assert_eq!(policy.order_type.as_deref(), Some("hardware"));
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        let mut place = |order_type: &str| {
            p.order_place(&NewOrder {
                description: "Server".into(),
                amount: "900.00".parse::<Money>().expect("amount"),
                order_type: Some(order_type.into()),
                ..NewOrder::default()
            })
        };
        for typed in ["ｈａｒｄｗａｒｅ", "HARDWARE", "Ｈardware"] {
            let placed = place(typed).expect("placed");
            assert_eq!(placed.status, OrderStatus::Pending, "{typed}");
            assert_eq!(placed.order_type.as_deref(), Some("hardware"), "{typed}");
            assert_eq!(placed.policies.len(), 1, "{typed}");
            assert_eq!(placed.policies[0].name, "Hardware", "{typed}");
        }
        for typed in ["hardw\u{430}re", "ｈａｒｄｗ\u{430}ｒｅ", "\u{29c}ardware"] {
            let err = place(typed).expect_err(typed);
            assert_eq!(err.exit_code(), 2, "{typed}: {err}");
        }
        p.ctx.actor = Actor::Operator("root".into());
        let orders = p.order_list(&OrderFilter::default()).expect("orders");
        assert_eq!(orders.len(), 3, "the refused placed nothing");
    }

    /// A type an older version stored lower-cased only (full-width, as
    /// typed) is matched by its key: the policy holds it still.
    #[test]
    fn a_type_stored_before_the_fold_matches_by_its_key() {
        let policy = crate::model::Policy {
            id: 1,
            account_id: 1,
            name: "Hardware".into(),
            threshold: "500.00".parse::<Money>().expect("amount"),
            order_type: Some("ｈａｒｄｗａｒｅ".into()),
            approvers: Vec::new(),
            required_approvals: 1,
            enabled: true,
            created_at: "2026-11-25T10:00:00Z".parse().expect("time"),
        };
        let amount = "900.00".parse::<Money>().expect("amount");
        assert!(policy.matches(amount, Some("hardware")));
        assert!(policy.matches(amount, Some("ｈａｒｄｗａｒｅ")));
        assert!(!policy.matches(amount, Some("hardw\u{430}re")));
        assert!(!policy.matches(amount, None));
    }

    /// Findings A10: an order held by twenty policies that nobody but its
    /// placer could approve is warned of in one sentence for their shared
    /// cause, naming three policies and a command for each, "and 17
    /// others", not twenty of each.
    #[test]
    fn the_warning_of_an_order_stuck_on_many_policies_names_a_few() {
        let mut p = seeded("portal");
        for i in 0..20 {
            p.policy_create(&crate::domain::NewPolicy {
                name: format!("P{i:02}").as_str().into(),
                threshold: "10.00".parse::<Money>().expect("amount"),
                ..crate::domain::NewPolicy::default()
            })
            .expect("policy");
        }
        p.take_warnings();
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        p.order_place(&NewOrder {
            description: "Server".into(),
            amount: "60.00".parse::<Money>().expect("amount"),
            ..NewOrder::default()
        })
        .expect("placed");
        let warnings = p.take_warnings();
        let edit = "`portalctl policy edit P0X --account Acme --approvers EMAIL`";
        let commands = ["P00", "P01", "P02"]
            .map(|n| edit.replace("P0X", n))
            .join(", ");
        assert_eq!(
            warnings,
            [format!(
                "order 1 in `Acme` cannot get enough approvals (policies `P00`, `P01`, `P02`, and 17 others each need 1 approval and nobody may give it), so it can be decided by nobody: cancel it (`portalctl order cancel 1 --account Acme`), or ease its policies (name an approver who may decide each: {commands}, and 17 others)"
            )]
        );
    }

    /// An order twenty policies hold, that a change of access leaves
    /// nobody to decide, and a policy edit then re-evaluates, is warned of
    /// once each time, in the words of `order place`: its cause once,
    /// three policies and their commands, "and 17 others", not a line per
    /// policy.
    #[test]
    fn an_order_a_change_leaves_stuck_on_many_policies_gives_one_warning() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "admin");
        for i in 0..20 {
            p.policy_create(&crate::domain::NewPolicy {
                name: format!("P{i:02}").as_str().into(),
                threshold: "10.00".parse::<Money>().expect("amount"),
                ..crate::domain::NewPolicy::default()
            })
            .expect("policy");
        }
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        p.order_place(&NewOrder {
            description: "Server".into(),
            amount: "60.00".parse::<Money>().expect("amount"),
            ..NewOrder::default()
        })
        .expect("placed");
        assert_eq!(p.take_warnings(), Vec::<String>::new(), "ann decides it");
        p.ctx.actor = Actor::Operator("root".into());
        let edit = "`portalctl policy edit P0X --account Acme --approvers EMAIL`";
        let stuck = |first: &str| {
            let commands = [first, "P01", "P02"]
                .map(|n| edit.replace("P0X", n))
                .join(", ");
            vec![format!(
                "order 1 in `Acme` cannot get enough approvals (policies `{first}`, `P01`, `P02`, and 17 others each need 1 approval and nobody may give it); cancel it (`portalctl order cancel 1 --account Acme`), or ease its policies (name an approver who may decide each: {commands}, and 17 others)"
            )]
        };
        p.set_role(&email("ann@acme.test"), "user", None, None)
            .expect("set-role");
        assert_eq!(p.take_warnings(), stuck("P00"));
        p.policy_edit(&crate::domain::PolicyEdit {
            name: "P00".into(),
            new_name: Some("P00b".into()),
            ..crate::domain::PolicyEdit::default()
        })
        .expect("edit");
        assert_eq!(p.take_warnings(), stuck("P00b"));
    }

    /// An order that five policies naming one approver hold, who then
    /// is deactivated, falls back to the account's approvers: one warning
    /// for the order, naming three of its policies and "2 others".
    #[test]
    fn an_order_falling_back_on_many_policies_gives_one_warning() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "admin");
        join(&mut p, "max@acme.test", "manager");
        for i in 0..5 {
            p.policy_create(&crate::domain::NewPolicy {
                name: format!("P{i:02}").as_str().into(),
                threshold: "10.00".parse::<Money>().expect("amount"),
                approvers: vec![email("ann@acme.test")],
                ..crate::domain::NewPolicy::default()
            })
            .expect("policy");
        }
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        p.order_place(&NewOrder {
            description: "Server".into(),
            amount: "60.00".parse::<Money>().expect("amount"),
            ..NewOrder::default()
        })
        .expect("placed");
        p.take_warnings();
        p.ctx.actor = Actor::Operator("root".into());
        p.deactivate(
            &email("ann@acme.test"),
            None,
            &crate::domain::Handover::Refuse,
        )
        .expect("deactivate");
        let about: Vec<String> = p
            .take_warnings()
            .into_iter()
            .filter(|w| w.starts_with("order 1 "))
            .collect();
        assert_eq!(
            about,
            ["order 1 in `Acme` now falls back to the account's approvers: policies `P00`, `P01`, `P02`, and 2 others have too few eligible approvers left"]
        );
    }

    /// Findings A8: orders held by a policy naming one approver and by
    /// one needing two of the account's approvers, whose named approver
    /// is deactivated, can no longer be approved: each gets the one
    /// warning that says so, not also that the account's approvers may
    /// now decide it; an order the second policy does not hold falls back.
    #[test]
    fn a_stuck_order_is_not_also_said_to_fall_back() {
        let mut p = seeded("portal");
        join(&mut p, "fin@acme.test", "admin");
        join(&mut p, "max@acme.test", "manager");
        p.policy_create(&crate::domain::NewPolicy {
            name: "Finance".into(),
            threshold: "50.00".parse::<Money>().expect("amount"),
            approvers: vec![email("fin@acme.test")],
            ..crate::domain::NewPolicy::default()
        })
        .expect("policy");
        p.policy_create(&crate::domain::NewPolicy {
            name: "Hardware".into(),
            threshold: "500.00".parse::<Money>().expect("amount"),
            order_type: Some("hardware".into()),
            required_approvals: Some(2),
            ..crate::domain::NewPolicy::default()
        })
        .expect("policy");
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let place = |p: &mut Portal, kind: Option<&str>| {
            p.order_place(&NewOrder {
                description: "Server".into(),
                amount: "600.00".parse::<Money>().expect("amount"),
                order_type: kind.map(Into::into),
                ..NewOrder::default()
            })
            .expect("placed")
        };
        place(&mut p, None);
        for _ in 0..3 {
            place(&mut p, Some("hardware"));
        }
        p.take_warnings();
        p.ctx.actor = Actor::Operator("root".into());
        p.deactivate(
            &email("fin@acme.test"),
            None,
            &crate::domain::Handover::Refuse,
        )
        .expect("deactivate");
        let about: Vec<String> = p
            .take_warnings()
            .into_iter()
            .filter(|w| w.starts_with("order "))
            .collect();
        let stuck = |id: i64| {
            "order ID in `Acme` cannot get enough approvals (policy `Hardware` needs 2 approvals and only 1 person may give them); cancel it (`portalctl order cancel ID --account Acme`), or ease its policy (`portalctl policy edit Hardware --account Acme --required-approvals 1`, or name more approvers)"
                .replace("ID", &id.to_string())
        };
        assert_eq!(
            about,
            [
                "order 1 in `Acme` now falls back to the account's approvers: policy `Finance` has too few eligible approvers left".to_string(),
                stuck(2),
                stuck(3),
                stuck(4),
            ]
        );
    }

    /// An order placed where nobody may decide it (its placer is the
    /// account's only approver) is placed with a warning in the words
    /// `order show` uses, whose commands name the policy to ease.
    #[test]
    fn an_order_nobody_can_decide_is_placed_with_a_warning_naming_its_policy() {
        let mut p = seeded("portal");
        p.policy_create(&crate::domain::NewPolicy {
            name: "Big one".into(),
            threshold: "10.00".parse::<Money>().expect("amount"),
            ..crate::domain::NewPolicy::default()
        })
        .expect("policy");
        p.take_warnings();
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let place = |p: &mut Portal| {
            let placed = p
                .order_place(&NewOrder {
                    description: "Server".into(),
                    amount: "60.00".parse::<Money>().expect("amount"),
                    ..NewOrder::default()
                })
                .expect("placed");
            (placed.status, p.take_warnings())
        };
        let (status, warnings) = place(&mut p);
        assert_eq!(status, OrderStatus::Pending);
        assert_eq!(
            warnings,
            ["order 1 in `Acme` cannot get enough approvals (policy `Big one` needs 1 approval and nobody may give it), so it can be decided by nobody: cancel it (`portalctl order cancel 1 --account Acme`), or ease its policy (name an approver who may decide it: `portalctl policy edit 'Big one' --account Acme --approvers EMAIL`)"]
        );
        p.ctx.actor = Actor::Operator("root".into());
        join(&mut p, "ann@acme.test", "admin");
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let (status, warnings) = place(&mut p);
        assert_eq!(
            (status, warnings),
            (OrderStatus::Pending, vec![]),
            "ann may decide it"
        );
    }

    /// A desk of 10.00 ordered with `reference`.
    fn place(p: &mut Portal, reference: &str) -> Result<OrderView> {
        p.order_place(&NewOrder {
            description: "Desk".into(),
            amount: "10.00".parse::<Money>().expect("amount"),
            // A reference that is no one line of text is refused as the
            // command line refuses it, before the order is placed.
            reference: Some(reference.parse()?),
            ..NewOrder::default()
        })
    }

    /// A reference is its account's whatever its letters' case: a second
    /// order may not take it in another, and either spelling finds it.
    #[test]
    fn a_reference_taken_in_another_case_is_refused_and_either_case_finds_it() {
        let mut p = seeded("portal");
        let placed = place(&mut p, "PO-7").expect("placed");
        for again in ["PO-7", "po-7", " Po-7 "] {
            let err = place(&mut p, again).expect_err("taken");
            assert_eq!(err.exit_code(), 4, "{err}");
            assert_eq!(
                err.to_string(),
                format!("`Acme` already has an order `{}`", again.trim())
            );
        }
        assert_eq!(p.order_show("po-7").expect("found").id, placed.id);
        assert_eq!(p.order_show("PO-7").expect("found").id, placed.id);
        // Other letters are another reference.
        assert_ne!(place(&mut p, "PO-7a").expect("placed").id, placed.id);
    }

    /// Case aside in every script, as names compare, not only ASCII's:
    /// `æø-9` is `ÆØ-9`'s, and `réf-1`, typed composed or not, `RÉF-1`'s.
    #[test]
    fn a_reference_is_its_accounts_whatever_the_case_of_a_letter_past_ascii() {
        let mut p = seeded("portal");
        for (held, others) in [
            ("ÆØ-9", &["æø-9", "Æø-9"][..]),
            ("RÉF-1", &["réf-1", "re\u{301}f-1", "RE\u{301}F-1"][..]),
            ("ΣΑΣ-2", &["σας-2", "σασ-2"][..]),
        ] {
            let placed = place(&mut p, held).expect("placed");
            for &again in others {
                let err = place(&mut p, again).expect_err("taken");
                assert_eq!(err.exit_code(), 4, "{again}: {err}");
                assert_eq!(p.order_show(again).expect("found").id, placed.id, "{again}");
            }
        }
    }

    /// A file may number an order up to 2^53 - 1, the largest number
    /// every JSON reader keeps; the next order would be numbered past it,
    /// which no export could bring back, so it is refused, and nothing is
    /// written.
    #[test]
    fn no_order_is_numbered_past_the_largest_number() {
        let mut p = seeded("portal");
        let order = |number: Option<i64>| NewOrder {
            description: "Desk".into(),
            amount: "10.00".parse::<Money>().expect("amount"),
            number,
            ..NewOrder::default()
        };
        let last = p
            .order_restore(
                &order(Some(MAX_ORDER_NUMBER)),
                &Placer::Operator("root".into()),
                None,
                None,
                None,
            )
            .expect("the largest number");
        assert_eq!(last.id, MAX_ORDER_NUMBER);
        let head = p.audit_head().expect("head");
        let err = p.order_place(&order(None)).expect_err("no number left");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert_eq!(p.audit_head().expect("head"), head, "nothing written");
        assert_eq!(
            p.order_list(&OrderFilter::default()).expect("list").len(),
            1
        );
    }

    /// A new reference shows every character it holds: one with a
    /// zero-width space, joiner, soft hyphen or combining mark would read
    /// as another in a list an approver copies from.
    #[test]
    fn a_new_reference_holding_a_character_that_shows_as_nothing_is_refused() {
        let mut p = seeded("portal");
        for hidden in [
            '\u{200B}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{034F}', '\u{0301}',
        ] {
            let err = place(&mut p, &format!("PO-1{hidden}")).expect_err("refused");
            assert_eq!(err.exit_code(), 2, "{err}");
            assert!(
                err.to_string()
                    .ends_with(&format!("shows as nothing (U+{:04X})", u32::from(hidden))),
                "{err}"
            );
        }
        // Blank ones that are no space read as a plain space, or as
        // nothing where none is.
        for blank in ['\u{115F}', '\u{2800}'] {
            let err = place(&mut p, &format!("PO{blank}1")).expect_err("refused");
            assert!(
                err.to_string().ends_with(&format!(
                    "shows as blank space (U+{:04X})",
                    u32::from(blank)
                )),
                "{err}"
            );
        }
        assert!(p
            .order_list(&OrderFilter::default())
            .expect("list")
            .is_empty());
        for shown in ["PO-1", "PO-ü", "Bestellung 7", "注文-1"] {
            place(&mut p, shown).expect("every character shows");
        }
        // A space of another kind is a plain one, as in every text: the
        // reference is `PO 1`, and another so written is that one.
        let placed = place(&mut p, "PO\u{A0}1").expect("a space");
        assert_eq!(placed.reference.as_deref(), Some("PO 1"));
        let again = place(&mut p, "PO\u{3000}1").expect_err("taken");
        assert_eq!(again.exit_code(), 4, "{again}");
    }

    #[test]
    fn order_pages_cross_pages_in_order_and_stop_at_the_limit() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "manager");
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        let placed: Vec<i64> = ["A", "B", "C", "D", "E"]
            .into_iter()
            .map(|what| {
                p.order_place(&NewOrder {
                    description: what.into(),
                    amount: "10.00".parse::<Money>().expect("amount"),
                    ..NewOrder::default()
                })
                .expect("order")
                .id
            })
            .collect();
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let mut pages = |filter: &OrderFilter| {
            let mut pages: Vec<Vec<i64>> = Vec::new();
            p.order_pages(filter, &mut |page| {
                pages.push(page.iter().map(|o| o.id).collect());
                Ok(())
            })
            .expect("orders");
            pages
        };
        let all = pages(&OrderFilter::default());
        assert!(all.len() > 1, "{all:?} crosses pages");
        assert_eq!(all.concat(), placed);
        let first = pages(&OrderFilter {
            limit: Some(3),
            ..OrderFilter::default()
        });
        assert_eq!(first.concat(), placed[..3]);
    }

    fn money(text: &str) -> Money {
        text.parse().expect("valid amount")
    }

    /// Acme and Beta, each with a policy over 50.00 and a cost centre of
    /// its own (`ACM`, `BET`). ann administers both; max manages Acme
    /// (and so reads all of its orders) and is a plain user of Beta (and
    /// so reads none of its); una is a plain user of both. Orders, each
    /// account numbering its own: 1 pending and 2 approved in Beta, placed
    /// by ann; 1 pending and 2 approved in Acme, placed by max.
    fn acme_and_beta() -> Portal {
        let mut p = seeded("portal");
        super::super::testing::add_account(
            &mut p,
            "Beta",
            crate::model::AccountKind::Partner,
            None,
        );
        for (who, role, account) in [
            ("ann@acme.test", "admin", "Acme"),
            ("ann@acme.test", "admin", "Beta"),
            ("max@acme.test", "manager", "Acme"),
            ("max@acme.test", "user", "Beta"),
            ("una@acme.test", "user", "Acme"),
            ("una@acme.test", "user", "Beta"),
        ] {
            let invited = p
                .invite(&crate::domain::InviteRequest {
                    email: Some(email(who)),
                    role: Some(role.into()),
                    account: Some(account.into()),
                    ..crate::domain::InviteRequest::default()
                })
                .expect("invite");
            p.accept(&invited.token, None).expect("accept");
        }
        for (account, centre) in [("Acme", "ACM"), ("Beta", "BET")] {
            p.policy_create(&crate::domain::NewPolicy {
                name: "Over 50".into(),
                threshold: money("50.00"),
                account: Some(account.into()),
                ..crate::domain::NewPolicy::default()
            })
            .expect("policy");
            p.cost_centre_create(centre, &"Centre".into(), Some(account))
                .expect("cost centre");
        }
        for (n, (who, account, amount)) in [
            ("ann@acme.test", "Beta", "60.00"),
            ("max@acme.test", "Acme", "60.00"),
            ("ann@acme.test", "Beta", "10.00"),
            ("max@acme.test", "Acme", "10.00"),
        ]
        .into_iter()
        .enumerate()
        {
            p.ctx.actor = Actor::Member(email(who));
            let placed = p
                .order_place(&NewOrder {
                    description: "Router".into(),
                    amount: money(amount),
                    cost_centre: Some(if account == "Acme" { "ACM" } else { "BET" }.into()),
                    account: Some(account.into()),
                    ..NewOrder::default()
                })
                .expect("order");
            // Each account numbers its own: Beta's 1 and 2, Acme's 1 and 2.
            assert_eq!(placed.id, i64::try_from(n / 2).expect("small") + 1);
        }
        p.ctx.actor = Actor::Operator("root".into());
        p
    }

    /// `order list` as `who` (the operator when `None`): each order's
    /// number and account.
    fn listed(p: &mut Portal, who: Option<&str>, filter: OrderFilter) -> Vec<(i64, String)> {
        p.ctx.actor = who.map_or_else(
            || Actor::Operator("root".into()),
            |w| Actor::Member(email(w)),
        );
        let listed = p.order_list(&filter).expect("orders");
        p.ctx.actor = Actor::Operator("root".into());
        listed.into_iter().map(|o| (o.id, o.account)).collect()
    }

    fn in_accounts(orders: &[(i64, &str)]) -> Vec<(i64, String)> {
        orders.iter().map(|(id, a)| (*id, a.to_string())).collect()
    }

    #[test]
    fn a_list_without_an_account_spans_every_account_the_actor_reads_orders_in() {
        let mut p = acme_and_beta();
        let pending = || OrderFilter {
            status: Some(OrderStatus::Pending),
            ..OrderFilter::default()
        };
        // By account name, then oldest first.
        let everything = in_accounts(&[(1, "Acme"), (2, "Acme"), (1, "Beta"), (2, "Beta")]);
        assert_eq!(listed(&mut p, None, OrderFilter::default()), everything);
        assert_eq!(
            listed(&mut p, Some("ann@acme.test"), OrderFilter::default()),
            everything
        );
        assert_eq!(
            listed(&mut p, None, pending()),
            in_accounts(&[(1, "Acme"), (1, "Beta")])
        );
        // max reads Acme's orders and nothing of Beta's.
        assert_eq!(
            listed(&mut p, Some("max@acme.test"), OrderFilter::default()),
            in_accounts(&[(1, "Acme"), (2, "Acme")])
        );
        assert_eq!(
            listed(&mut p, Some("max@acme.test"), pending()),
            in_accounts(&[(1, "Acme")])
        );
        // The limit counts across accounts.
        let limited = |limit| OrderFilter {
            limit: Some(limit),
            ..OrderFilter::default()
        };
        assert_eq!(listed(&mut p, None, limited(3)), everything[..3]);
        assert_eq!(listed(&mut p, None, limited(1)), everything[..1]);
        // --account still reads that account alone.
        let beta = OrderFilter {
            account: Some("Beta".into()),
            ..OrderFilter::default()
        };
        assert_eq!(
            listed(&mut p, None, beta.clone()),
            in_accounts(&[(1, "Beta"), (2, "Beta")])
        );
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let err = p.order_list(&beta).expect_err("max reads no order of Beta");
        assert_eq!(err.exit_code(), 5, "{err}");
    }

    #[test]
    fn a_list_across_accounts_filters_by_a_creator_or_cost_centre_of_some_of_them() {
        let mut p = acme_and_beta();
        let by = |created_by: Option<&str>, cost_centre: Option<&str>| OrderFilter {
            created_by: created_by.map(email),
            cost_centre: cost_centre.map(str::to_string),
            ..OrderFilter::default()
        };
        assert_eq!(
            listed(&mut p, None, by(Some("max@acme.test"), None)),
            in_accounts(&[(1, "Acme"), (2, "Acme")])
        );
        assert_eq!(
            listed(&mut p, None, by(None, Some("BET"))),
            in_accounts(&[(1, "Beta"), (2, "Beta")])
        );
        assert_eq!(
            listed(&mut p, None, by(Some("max@acme.test"), Some("BET"))),
            Vec::new()
        );
        // A creator or cost centre of none of them is not there, as in one.
        let mut refused = |filter: OrderFilter| {
            let err = p.order_list(&filter).expect_err("refused");
            (err.exit_code(), err.to_string())
        };
        assert_eq!(
            refused(by(Some("nobody@acme.test"), None)),
            (
                3,
                "`nobody@acme.test` is not a member of any account whose orders you may see".into()
            )
        );
        assert_eq!(
            refused(by(None, Some("NOPE"))),
            (
                3,
                "no cost centre `NOPE` in any account whose orders you may see".into()
            )
        );
        // As max, Beta is none of his: its cost centre is as unknown as
        // in one account.
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let err = p
            .order_list(&by(None, Some("BET")))
            .expect_err("no such centre in Acme");
        assert_eq!(
            (err.exit_code(), err.to_string()),
            (3, "no cost centre `BET` in `Acme`".into())
        );
    }

    #[test]
    fn a_member_who_reads_orders_in_none_of_their_accounts_is_refused_for_their_own() {
        let mut p = acme_and_beta();
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let err = p
            .order_list(&OrderFilter::default())
            .expect_err("una reads no orders");
        assert_eq!(err.exit_code(), 5, "{err}");
        let message = err.to_string();
        assert!(message.contains("`Acme`"), "{message}");
        assert!(message.contains("orders.place"), "{message}");
        assert!(!message.contains("Beta"), "{message}");
    }

    /// Acme with the admins ann, bob and cat, the manager max, policy
    /// "Two admins" over 50 needing `required` approvals, and max's order
    /// of 60.00 under it; its id.
    fn two_admins(required: i64) -> (Portal, i64) {
        let mut p = seeded("portal");
        for who in ["ann@acme.test", "bob@acme.test", "cat@acme.test"] {
            join(&mut p, who, "admin");
        }
        join(&mut p, "max@acme.test", "manager");
        p.policy_create(&crate::domain::NewPolicy {
            name: "Two admins".into(),
            threshold: money("50.00"),
            required_approvals: Some(required),
            ..crate::domain::NewPolicy::default()
        })
        .expect("policy");
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let id = p
            .order_place(&NewOrder {
                description: "Rack".into(),
                amount: money("60.00"),
                ..NewOrder::default()
            })
            .expect("order")
            .id;
        p.ctx.actor = Actor::Operator("root".into());
        (p, id)
    }

    fn decide(p: &mut Portal, who: &str, id: i64) -> Result<OrderView> {
        p.ctx.actor = Actor::Member(email(who));
        let out = p.order_decide(id, None);
        p.ctx.actor = Actor::Operator("root".into());
        out
    }

    fn approvals(p: &mut Portal, id: i64) -> (OrderStatus, i64) {
        let order = p.order_show(id).expect("order");
        (order.status, order.policies[0].approvals)
    }

    #[test]
    fn an_approval_by_a_merged_duplicate_is_the_kept_persons_own() {
        let (mut p, id) = two_admins(2);
        decide(&mut p, "ann@acme.test", id).expect("ann approves");
        p.merge(&email("ann@acme.test"), &email("bob@acme.test"))
            .expect("merge");
        let head = p.audit_head().expect("head");
        let err = decide(&mut p, "bob@acme.test", id).expect_err("twice by one person");
        assert_eq!(err.exit_code(), 4, "{err}");
        let said = err.to_string();
        assert!(
            said.contains("`bob@acme.test` already approved order"),
            "{said}"
        );
        assert!(said.contains("as `ann@acme.test`"), "{said}");
        assert_eq!(p.audit_head().expect("head"), head);
        assert_eq!(approvals(&mut p, id), (OrderStatus::Pending, 1));
        // bob is no longer among those who may decide it.
        let deciders = p.order_show(id).expect("order").deciders.expect("pending");
        assert_eq!(deciders, vec!["owner@acme.test", "cat@acme.test"]);
        // A genuinely different person's approval counts.
        let done = decide(&mut p, "cat@acme.test", id).expect("cat approves");
        assert_eq!(done.status, OrderStatus::Approved);
    }

    #[test]
    fn approvals_given_before_a_merge_count_once_for_the_kept_person() {
        let (mut p, id) = two_admins(3);
        decide(&mut p, "ann@acme.test", id).expect("ann approves");
        decide(&mut p, "bob@acme.test", id).expect("bob approves");
        assert_eq!(approvals(&mut p, id), (OrderStatus::Pending, 2));
        p.merge(&email("ann@acme.test"), &email("bob@acme.test"))
            .expect("merge");
        assert_eq!(approvals(&mut p, id), (OrderStatus::Pending, 1));
        decide(&mut p, "cat@acme.test", id).expect("cat approves");
        assert_eq!(approvals(&mut p, id), (OrderStatus::Pending, 2));
        decide(&mut p, "owner@acme.test", id).expect("the owner approves");
        assert_eq!(approvals(&mut p, id), (OrderStatus::Approved, 3));
    }

    #[test]
    fn an_approval_stops_counting_once_a_merge_makes_the_order_the_approvers_own() {
        let (mut p, id) = two_admins(2);
        decide(&mut p, "ann@acme.test", id).expect("ann approves");
        assert_eq!(approvals(&mut p, id), (OrderStatus::Pending, 1));
        // max placed it; merged into ann, it is ann's own.
        p.merge(&email("max@acme.test"), &email("ann@acme.test"))
            .expect("merge");
        assert_eq!(approvals(&mut p, id), (OrderStatus::Pending, 0));
        decide(&mut p, "bob@acme.test", id).expect("bob approves");
        assert_eq!(approvals(&mut p, id), (OrderStatus::Pending, 1));
        let done = decide(&mut p, "cat@acme.test", id).expect("cat approves");
        assert_eq!(done.status, OrderStatus::Approved);
    }

    #[test]
    fn a_placer_sees_and_cancels_the_orders_of_a_duplicate_merged_into_them() {
        let (mut p, _) = two_admins(1);
        let caps: Vec<crate::model::Capability> = ["portal.access", "account.view", "orders.place"]
            .iter()
            .map(|c| c.parse().expect("capability"))
            .collect();
        p.role_create("placer", &caps, &"places orders".into(), Some("Acme"))
            .expect("role");
        join(&mut p, "pat@acme.test", "placer");
        join(&mut p, "pat2@acme.test", "placer");
        p.ctx.actor = Actor::Member(email("pat2@acme.test"));
        let theirs = p
            .order_place(&NewOrder {
                description: "Chair".into(),
                amount: money("60.00"),
                ..NewOrder::default()
            })
            .expect("order")
            .id;
        p.ctx.actor = Actor::Member(email("pat@acme.test"));
        assert!(p
            .order_list(&OrderFilter::default())
            .expect("list")
            .is_empty());
        assert_eq!(
            p.order_show(theirs).expect_err("not hers yet").exit_code(),
            3
        );
        p.ctx.actor = Actor::Operator("root".into());
        p.merge(&email("pat2@acme.test"), &email("pat@acme.test"))
            .expect("merge");
        // Now hers: listed, shown, hers to cancel, and hers by `--created-by`.
        p.ctx.actor = Actor::Member(email("pat@acme.test"));
        let ids = |views: Vec<OrderView>| views.iter().map(|v| v.id).collect::<Vec<_>>();
        assert_eq!(
            ids(p.order_list(&OrderFilter::default()).expect("list")),
            [theirs]
        );
        p.order_show(theirs).expect("shown");
        p.ctx.actor = Actor::Operator("root".into());
        let mine = OrderFilter {
            created_by: Some(email("pat@acme.test")),
            ..OrderFilter::default()
        };
        assert_eq!(ids(p.order_list(&mine).expect("list")), [theirs]);
        p.ctx.actor = Actor::Member(email("pat@acme.test"));
        let done = p.order_cancel(theirs, None).expect("cancelled");
        assert_eq!(done.status, OrderStatus::Cancelled);
    }

    /// `two_admins(1)`, and max's second order, rejected by ann "too
    /// dear", and one of the operator's; then max, their creator, made a
    /// plain user, whose role places no orders. The pending, rejected and
    /// operator's order.
    fn creator_made_user() -> (Portal, [i64; 3]) {
        let (mut p, pending) = two_admins(1);
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let rejected = p
            .order_place(&NewOrder {
                description: "Desk".into(),
                amount: money("70.00"),
                ..NewOrder::default()
            })
            .expect("order")
            .id;
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        p.order_decide(rejected, Some(&"too dear".into()))
            .expect("rejected");
        p.ctx.actor = Actor::Operator("root".into());
        let others = p
            .order_place(&NewOrder {
                description: "Chair".into(),
                amount: money("10.00"),
                ..NewOrder::default()
            })
            .expect("order")
            .id;
        p.set_role(&email("max@acme.test"), "user", None, None)
            .expect("made a user");
        (p, [pending, rejected, others])
    }

    /// Findings N5: article 001, "the order creator will see this" (the
    /// reason), and the README's "`order cancel`: by its creator".
    #[test]
    fn a_creator_whose_role_places_no_orders_reads_and_cancels_their_own() {
        let (mut p, [pending, rejected, others]) = creator_made_user();
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let ids = |views: Vec<OrderView>| views.iter().map(|v| v.id).collect::<Vec<_>>();
        assert_eq!(
            ids(p.order_list(&OrderFilter::default()).expect("list")),
            [pending, rejected]
        );
        let shown = p.order_show(rejected).expect("shown");
        assert_eq!(shown.rejected_reason.as_deref(), Some("too dear"));
        // Only their own: another's reads as a number nobody has.
        assert_eq!(p.order_show(others).expect_err("not his").exit_code(), 3);
        let done = p.order_cancel(pending, None).expect("cancelled");
        assert_eq!(done.status, OrderStatus::Cancelled);
        // A plain user who placed nothing is refused as before, told what
        // would let them see orders.
        p.ctx.actor = Actor::Operator("root".into());
        join(&mut p, "una@acme.test", "user");
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let err = p.order_list(&OrderFilter::default()).expect_err("refused");
        assert_eq!(err.exit_code(), 5);
        assert!(err.to_string().contains("orders.place"), "{err}");
        assert_eq!(p.order_show(rejected).expect_err("refused").exit_code(), 5);
    }

    /// Findings E9: a creator whose role no longer reads the approval
    /// policies reads their pending order's progress as counts, not the
    /// policies' names nor who may decide it.
    #[test]
    fn a_creator_who_may_not_see_policies_reads_only_counts() {
        let (mut p, [pending, ..]) = creator_made_user();
        let full = p.order_show(pending).expect("the operator's");
        assert!(full.deciders.as_ref().is_some_and(|d| !d.is_empty()));
        assert!(full.policies.iter().all(|x| !x.name.is_empty()));
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let shown = p.order_show(pending).expect("his own");
        assert_eq!(shown.policies.len(), full.policies.len());
        assert!(
            shown.policies.iter().all(|x| x.name.is_empty()),
            "{shown:?}"
        );
        assert_eq!(shown.deciders, None);
        assert_eq!(shown.delegates, None);
        let text = crate::output::Fields::fields(&shown)
            .iter()
            .map(|(k, v)| format!("{k} {v}\n"))
            .collect::<String>();
        assert!(!text.contains("ann@") && !text.contains("owner@"), "{text}");
        assert!(text.contains("an approval policy: 0 of"), "{text}");
    }

    /// A creator cut off from the account reads none of their orders.
    #[test]
    fn a_creator_cut_off_reads_and_cancels_none_of_their_orders() {
        let max = email("max@acme.test");
        let cuts: [fn(&mut Portal, &Email) -> Result<crate::view::MemberView>; 3] = [
            |p, who| p.deactivate(who, None, &crate::domain::Handover::Refuse),
            |p, who| p.left_company(who, None, &crate::domain::Handover::Refuse),
            |p, who| p.set_role(who, "no-access", None, None),
        ];
        for cut in cuts {
            let (mut p, [pending, rejected, _]) = creator_made_user();
            cut(&mut p, &max).expect("cut off");
            p.ctx.actor = Actor::Member(max.clone());
            let listed = p.order_list(&OrderFilter::default());
            assert_eq!(listed.expect_err("refused").exit_code(), 5);
            assert_eq!(p.order_show(rejected).expect_err("refused").exit_code(), 5);
            assert_eq!(
                p.order_cancel(pending, None)
                    .expect_err("refused")
                    .exit_code(),
                5
            );
        }
    }

    #[test]
    fn a_merge_of_someone_who_decided_nothing_leaves_the_approvals_counting() {
        let (mut p, id) = two_admins(2);
        join(&mut p, "dup@acme.test", "user");
        decide(&mut p, "ann@acme.test", id).expect("ann approves");
        p.merge(&email("dup@acme.test"), &email("bob@acme.test"))
            .expect("merge");
        let done = decide(&mut p, "bob@acme.test", id).expect("bob approves");
        assert_eq!(done.status, OrderStatus::Approved);
        assert_eq!(approvals(&mut p, id), (OrderStatus::Approved, 2));
    }
}
