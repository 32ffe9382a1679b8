//! Which orders of an account a member reads: every order (approvers,
//! billing viewers, the delegates of one who sees every order), only
//! their own (members who place orders, and any member with portal
//! access who placed some: the creator reads why their order was
//! rejected and may cancel it, whatever their role now), or none.
//! `order list`, `order show`, `order cancel`, every decision, the audit
//! log and a member's export ask this one rule.

use std::collections::BTreeSet;

use super::access::{authority, authorize, caps, Access, Authority};
use super::{Catalog, Ctx};
use crate::error::{Error, Result};
use crate::model::{Account, Order};
use crate::store::Tx;

/// Which orders of an account the actor may read.
pub(super) enum Sight {
    /// All of them: approvers, billing viewers and the operator.
    All,
    /// Only their own: members who may only place orders, and members
    /// with portal access who placed orders before their role stopped
    /// placing them (findings N5: article 001, "the order creator will
    /// see this"). An order placed by a duplicate since merged into them
    /// is theirs too, so these are the member and everyone merged into
    /// them.
    Own(Vec<i64>),
}

impl Sight {
    pub(super) fn sees(&self, order: &Order) -> bool {
        match self {
            Sight::All => true,
            Sight::Own(people) => order.creator_id.is_some_and(|c| people.contains(&c)),
        }
    }
}

/// A person and everyone merged into them: who placed "their" orders.
pub(super) fn with_merged(tx: &dyn Tx, person: i64) -> Result<Vec<i64>> {
    let mut people = tx.merged_into(person)?;
    people.push(person);
    Ok(people)
}

/// Which of `account`'s orders the actor sees, as `order list` and `order
/// show` show them (an export and an apply too): a test of each order,
/// made once per account.
pub(crate) fn orders_seen(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<impl Fn(&Order) -> bool> {
    let sight = match sight(tx, catalog, ctx, account) {
        Ok(sight) => Some(sight),
        Err(Error::Denied(_)) => None,
        Err(e) => return Err(e),
    };
    Ok(move |order: &Order| sight.as_ref().is_some_and(|s| s.sees(order)))
}

pub(super) fn sight(tx: &dyn Tx, catalog: &Catalog, ctx: &Ctx, account: &Account) -> Result<Sight> {
    match seen_sight(tx, catalog, ctx, account)? {
        Some(sight) => Ok(sight),
        None => authorize(
            tx,
            catalog,
            ctx,
            account,
            caps::ORDERS_PLACE.to("see orders"),
        )
        .map(|_| Sight::All),
    }
}

/// [`sight`] without its refusal: `None` where a member sees no order of
/// `account`. A list across accounts asks it of each, and building the
/// refusal (who could help, by what role) for each account the actor
/// sees nothing in made `order list` grow with the square of the
/// accounts (finding N12).
fn seen_sight(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<Option<Sight>> {
    let who = authority(tx, catalog, ctx, account)?;
    // A delegate stands in for an approver while a delegation holds, and
    // sees what the delegator sees: every order, when the delegator does
    // now. A delegation from someone who sees none (a named approver
    // whose role reads no orders, or a delegator since deactivated or
    // blocked) lends no sight: a delegation lends no more than its
    // delegator holds.
    if let Authority::Member { person, access } = &who {
        if access.holds(caps::PORTAL_ACCESS)
            && delegator_sees_all(tx, catalog, ctx, account, person.id)?
        {
            return Ok(Some(Sight::All));
        }
    }
    match who {
        Authority::Operator => Ok(Some(Sight::All)),
        Authority::Member { access, .. } if sees_all(&access) => Ok(Some(Sight::All)),
        Authority::Member { person, access } if access.holds(caps::ORDERS_PLACE) => {
            Ok(Some(Sight::Own(with_merged(tx, person.id)?)))
        }
        Authority::Member { person, access } if access.holds(caps::PORTAL_ACCESS) => {
            let people = with_merged(tx, person.id)?;
            let placed = tx.accounts_with_orders_by(&[account.id], &people)?;
            Ok((!placed.is_empty()).then_some(Sight::Own(people)))
        }
        // Cut off (deactivated, blocked, left): not even their own.
        Authority::Member { .. } => Ok(None),
        // Orders are no part of what a parent partner manages.
        Authority::Partner { .. } => authorize(
            tx,
            catalog,
            ctx,
            account,
            caps::ORDERS_PLACE.to("see orders"),
        )
        .map(|_| Some(Sight::All)),
    }
}

/// [`seen_sight`] of each of `accounts`, read together: the actor's seats
/// in all of them, the delegations to them in all of them and whom they
/// merged, a fixed number of statements whatever the number of accounts
/// (issue 11: five for each of 2,000 accounts made `order list` wait);
/// only a delegation that holds reads its delegator's seat.
pub(super) fn seen_sights(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    accounts: &[Account],
) -> Result<Vec<Option<Sight>>> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let Some((person, seats)) = super::access::seats(tx, catalog, ctx, accounts)? else {
        return Ok(accounts.iter().map(|_| Some(Sight::All)).collect());
    };
    // A delegation lends sight only where the seat itself does not see
    // every order already.
    let lent: Vec<i64> = accounts
        .iter()
        .zip(&seats)
        .filter(|(_, seat)| {
            seat.as_ref()
                .is_some_and(|a| a.holds(caps::PORTAL_ACCESS) && !sees_all(a))
        })
        .map(|(account, _)| account.id)
        .collect();
    let mut lending: BTreeSet<i64> = BTreeSet::new();
    if !lent.is_empty() {
        for d in tx.delegations_to_in(&lent, person.id, ctx.now)? {
            if lending.contains(&d.account_id) {
                continue;
            }
            let Some(membership) = tx.membership_of(d.delegator_id, d.account_id)? else {
                continue;
            };
            let Some(account) = accounts.iter().find(|a| a.id == d.account_id) else {
                continue;
            };
            if sees_all(&Access::of(tx, catalog, account, membership, ctx.now)?) {
                lending.insert(d.account_id);
            }
        }
    }
    // Where the seat reads no orders of its own but has portal access,
    // the orders the member placed there before are still theirs to read:
    // which accounts hold some is asked once for all of them.
    let placed_only: Vec<i64> = accounts
        .iter()
        .zip(&seats)
        .filter(|(account, seat)| {
            !lending.contains(&account.id)
                && seat.as_ref().is_some_and(|a| {
                    a.holds(caps::PORTAL_ACCESS) && !sees_all(a) && !a.holds(caps::ORDERS_PLACE)
                })
        })
        .map(|(account, _)| account.id)
        .collect();
    let mut merged: Option<Vec<i64>> = None;
    let placed: Vec<i64> = if placed_only.is_empty() {
        Vec::new()
    } else {
        let people = with_merged(tx, person.id)?;
        let placed = tx.accounts_with_orders_by(&placed_only, &people)?;
        merged = Some(people);
        placed
    };
    let mut sights = Vec::with_capacity(accounts.len());
    for (account, seat) in accounts.iter().zip(seats) {
        sights.push(match seat {
            None => None,
            Some(_) if lending.contains(&account.id) => Some(Sight::All),
            Some(access) if sees_all(&access) => Some(Sight::All),
            Some(access)
                if access.holds(caps::ORDERS_PLACE)
                    || (access.holds(caps::PORTAL_ACCESS) && placed.contains(&account.id)) =>
            {
                if merged.is_none() {
                    merged = Some(with_merged(tx, person.id)?);
                }
                merged.clone().map(Sight::Own)
            }
            Some(_) => None,
        });
    }
    Ok(sights)
}

/// For each of `accounts`, the people whose place as a named approver
/// of an order there lets the acting member read it, as `order show`
/// reads it (`order_names::named_on`): the member, while they have
/// access there, and each delegator covering them now who has access
/// too; none where no order (held by a policy that has not released
/// it) names any of them. `order list` lists those orders to a member
/// whose role reads no orders, or only their own (findings E3). A
/// fixed number of statements whatever the accounts: the seats, the
/// delegations and which accounts hold such orders are each read once.
pub(super) fn named_readers(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    accounts: &[Account],
) -> Result<Vec<Vec<i64>>> {
    let mut each: Vec<Vec<i64>> = accounts.iter().map(|_| Vec::new()).collect();
    let Some((person, seats)) = super::access::seats(tx, catalog, ctx, accounts)? else {
        return Ok(each);
    };
    let mut ids = Vec::new();
    for ((account, seat), people) in accounts.iter().zip(&seats).zip(each.iter_mut()) {
        if seat.as_ref().is_some_and(|a| a.holds(caps::PORTAL_ACCESS)) {
            people.push(person.id);
            ids.push(account.id);
        }
    }
    if ids.is_empty() {
        return Ok(each);
    }
    for d in tx.delegations_to_in(&ids, person.id, ctx.now)? {
        let Some(at) = accounts.iter().position(|a| a.id == d.account_id) else {
            continue;
        };
        let Some(membership) = tx.membership_of(d.delegator_id, d.account_id)? else {
            continue;
        };
        let lends =
            Access::of(tx, catalog, &accounts[at], membership, ctx.now)?.holds(caps::PORTAL_ACCESS);
        if lends && !each[at].contains(&d.delegator_id) {
            each[at].push(d.delegator_id);
        }
    }
    // Which of them any order names: one statement for them all.
    let asked: Vec<(i64, Vec<i64>, crate::model::OrderQuery)> = accounts
        .iter()
        .zip(&each)
        .filter(|(_, people)| !people.is_empty())
        .map(|(a, people)| (a.id, people.clone(), crate::model::OrderQuery::default()))
        .collect();
    let named: BTreeSet<i64> = tx
        .order_ids_naming(&asked, None)?
        .into_iter()
        .map(|(account, _)| account)
        .collect();
    for (account, people) in accounts.iter().zip(each.iter_mut()) {
        if !named.contains(&account.id) {
            people.clear();
        }
    }
    Ok(each)
}

/// Whether a member sees every order of their account: approvers and
/// billing viewers do.
fn sees_all(access: &Access) -> bool {
    access.holds(caps::ORDERS_APPROVE) || access.holds(caps::BILLING_VIEW)
}

/// Whether a delegation to `delegate` holds now in `account` from a
/// delegator who sees every order there now.
fn delegator_sees_all(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    delegate: i64,
) -> Result<bool> {
    for d in tx.delegations_to(account.id, delegate, ctx.now)? {
        let Some(membership) = tx.membership_of(d.delegator_id, account.id)? else {
            continue;
        };
        if sees_all(&Access::of(tx, catalog, account, membership, ctx.now)?) {
            return Ok(true);
        }
    }
    Ok(false)
}
