//! `order list`: the accounts a member reads orders in, what they see in
//! each, and the pages of orders, in a fixed number of statements
//! whatever the accounts and rows (issue 11).

use std::collections::HashMap;

use super::cost_centres::no_cost_centre;
use super::order_sight::{named_readers, seen_sights, sight, with_merged, Sight};
use super::orders::listed_views;
use super::{Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, Email, OrderQuery, OrderStatus};
use crate::store::Tx;
use crate::view::OrderView;

/// Filters of `order list`.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrderFilter {
    /// At most this many, the first in the list's order (`--limit`).
    pub limit: Option<u32>,
    /// Only this status (`pending` is the "Pending Approvals" view).
    pub status: Option<OrderStatus>,
    /// Only orders placed by this person.
    pub created_by: Option<Email>,
    /// Only orders on this cost centre.
    pub cost_centre: Option<String>,
    /// Which account.
    pub account: Option<String>,
}

/// What the actor reads of one account's orders.
struct Reading {
    /// By their role or their own orders, if anything.
    sight: Option<Sight>,
    /// The people whose place as a named approver of an order lets the
    /// actor read it (see [`named_readers`]); none where the sight reads
    /// every order already.
    named: Vec<i64>,
}

/// The accounts `order list` reads, each with what the actor reads of
/// its orders: the one named (refused as `--account` always was, unless
/// the actor is named to decide orders there); else every account where
/// the actor may read orders, or is named to decide some, by name,
/// which for a member are only their own accounts (a partner's members
/// see none of its customers' orders). A member who may read orders in
/// none of them is refused as in the first of their accounts, naming
/// what they lack.
fn listed_accounts(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    named: Option<&str>,
) -> Result<Vec<(Account, Reading)>> {
    let readers = |accounts: &[Account], sights: &[Option<Sight>]| {
        // Only where the role does not read every order already.
        let partial: Vec<Account> = accounts
            .iter()
            .zip(sights)
            .filter(|(_, s)| !matches!(s, Some(Sight::All)))
            .map(|(a, _)| a.clone())
            .collect();
        let mut found = named_readers(tx, catalog, ctx, &partial)?.into_iter();
        let mut each = Vec::with_capacity(accounts.len());
        for sight in sights {
            each.push(match sight {
                Some(Sight::All) => Vec::new(),
                _ => found.next().unwrap_or_default(),
            });
        }
        Ok::<_, Error>(each)
    };
    super::visibility::listed_accounts_by(
        tx,
        ctx,
        named,
        |accounts| {
            let sights = seen_sights(tx, catalog, ctx, accounts)?;
            let named = readers(accounts, &sights)?;
            Ok(sights
                .into_iter()
                .zip(named)
                .map(|(sight, named)| {
                    (sight.is_some() || !named.is_empty()).then_some(Reading { sight, named })
                })
                .collect())
        },
        |account| {
            let denied = match sight(tx, catalog, ctx, account) {
                Ok(seen) => {
                    let seen = Some(seen);
                    let named =
                        readers(std::slice::from_ref(account), std::slice::from_ref(&seen))?;
                    return Ok(Reading {
                        sight: seen,
                        named: named.into_iter().next().unwrap_or_default(),
                    });
                }
                Err(e @ Error::Denied(_)) => e,
                Err(e) => return Err(e),
            };
            let named = readers(std::slice::from_ref(account), &[None])?
                .into_iter()
                .next()
                .unwrap_or_default();
            if named.is_empty() {
                return Err(denied);
            }
            Ok(Reading { sight: None, named })
        },
        "listing orders needs `orders.place`, `orders.approve` or `billing.view` in some account",
    )
}

/// What `order list` reads of one account.
enum Listing {
    /// These orders (the limit is the caller's): those the sight reads,
    /// and those naming these people.
    Query {
        seen: Option<OrderQuery>,
        named: Option<(Vec<i64>, OrderQuery)>,
    },
    /// None: the actor sees only their own, and asked for another's.
    Nothing,
    /// None: the creator or the cost centre named is not in the account;
    /// the refusal of each that is not.
    Missing {
        creator: Option<Error>,
        centre: Option<Error>,
    },
}

/// The orders of one account that `filter` selects and the actor reads,
/// `creator` and `centre` being what the filter's creator and cost
/// centre are in it (looked up once for every account listed).
fn list_query(
    tx: &dyn Tx,
    reading: Reading,
    filter: &OrderFilter,
    creator: Option<Result<i64>>,
    centre: Option<Result<i64>>,
    merged: &mut HashMap<i64, Vec<i64>>,
) -> Result<Listing> {
    let absent = |found: Result<_>| match found {
        Ok(found) => Ok(Ok(found)),
        Err(e @ Error::NotFound(_)) => Ok(Err(e)),
        Err(e) => Err(e),
    };
    let creator = absent(creator.transpose())?;
    let centre = absent(centre.transpose())?;
    let (creator, centre) = match (creator, centre) {
        (Ok(creator), Ok(centre)) => (creator, centre),
        (creator, centre) => {
            return Ok(Listing::Missing {
                creator: creator.err(),
                centre: centre.err(),
            })
        }
    };
    let mut created_by = |creator: i64| -> Result<Vec<i64>> {
        Ok(match merged.get(&creator) {
            Some(people) => people.clone(),
            None => {
                let people = with_merged(tx, creator)?;
                merged.insert(creator, people.clone());
                people
            }
        })
    };
    let query = |creators: Vec<i64>| OrderQuery {
        status: filter.status,
        creators,
        cost_centre_id: centre,
        limit: None,
    };
    let seen = match (reading.sight, creator) {
        (None, _) => None,
        // Someone who sees only their own orders sees none of another's.
        (Some(Sight::Own(own)), Some(other)) if !own.contains(&other) => None,
        (Some(Sight::Own(own)), _) => Some(query(own)),
        (Some(Sight::All), Some(creator)) => Some(query(created_by(creator)?)),
        (Some(Sight::All), None) => Some(query(Vec::new())),
    };
    let named = match (reading.named.is_empty(), creator) {
        (true, _) => None,
        (false, Some(creator)) => Some((reading.named, query(created_by(creator)?))),
        (false, None) => Some((reading.named, query(Vec::new()))),
    };
    Ok(match (seen, named) {
        (None, None) => Listing::Nothing,
        (seen, named) => Listing::Query { seen, named },
    })
}

impl Portal {
    /// [`Portal::order_pages`], collected.
    #[cfg(test)]
    pub(crate) fn order_list(&mut self, filter: &OrderFilter) -> Result<Vec<OrderView>> {
        let mut views = Vec::new();
        self.order_pages(filter, &mut |page| {
            views.extend_from_slice(page);
            Ok(())
        })?;
        Ok(views)
    }

    /// Orders the actor may read: everything for approvers and billing
    /// viewers, their own for members who only place orders. In the
    /// account named, or else in every account where the actor may read
    /// orders (as `user list` lists every account whose users they may
    /// see), by account name; oldest first within an account. At most
    /// `filter.limit` in all, handed to `page` a page at a time (at most
    /// [`super::members::MEMBER_PAGE`] each, none empty, never two
    /// accounts in one). The store selects them, limit included, by index:
    /// one query of ids for every account, then one of each page's orders.
    pub(crate) fn order_pages(
        &mut self,
        filter: &OrderFilter,
        page: &mut dyn FnMut(&[OrderView]) -> Result<()>,
    ) -> Result<()> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let seen = listed_accounts(&*tx, &catalog, &self.ctx, filter.account.as_deref())?;
        let several = seen.len() > 1;
        let mut queries = Vec::new();
        // Across several accounts, one that lacks the creator or the cost
        // centre named only has none of the orders asked for: each is an
        // error only where no account has it, as in one account.
        let mut creator_nowhere = filter.created_by.is_some();
        let mut centre_nowhere = filter.cost_centre.is_some();
        // The creator and the cost centre are looked up once for every
        // account, so the list does not grow with the accounts it spans.
        let accounts: Vec<Account> = seen.iter().map(|(a, _)| a.clone()).collect();
        let mut creators = match &filter.created_by {
            Some(email) => Some(
                super::visibility::member_in_each(&*tx, &self.ctx, email, &accounts)?.into_iter(),
            ),
            None => None,
        };
        let centres: Option<HashMap<i64, i64>> = match &filter.cost_centre {
            Some(code) => {
                let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
                Some(
                    tx.cost_centres_by_code(&ids, code.trim())?
                        .into_iter()
                        .map(|c| (c.account_id, c.id))
                        .collect(),
                )
            }
            None => None,
        };
        // Whom the creator merged, read once whatever the accounts.
        let mut merged = HashMap::new();
        for (account, reading) in seen {
            let creator = creators
                .as_mut()
                .and_then(Iterator::next)
                .map(|found| found.map(|(p, _)| p.id));
            let centre = match (&centres, &filter.cost_centre) {
                (Some(centres), Some(code)) => Some(match centres.get(&account.id) {
                    Some(id) => Ok(*id),
                    None => Err(no_cost_centre(&account, code)),
                }),
                _ => None,
            };
            match list_query(&*tx, reading, filter, creator, centre, &mut merged)? {
                Listing::Query { seen, named } => queries.push((account, seen, named)),
                Listing::Nothing => {}
                Listing::Missing { creator, centre } if !several => {
                    if let Some(e) = creator.or(centre) {
                        return Err(e);
                    }
                }
                Listing::Missing { creator, centre } => {
                    creator_nowhere &= creator.is_some();
                    centre_nowhere &= centre.is_some();
                    continue;
                }
            }
            (creator_nowhere, centre_nowhere) = (false, false);
        }
        if let (true, Some(email)) = (creator_nowhere, &filter.created_by) {
            return Err(Error::not_found(format!(
                "`{email}` is not a member of any account whose orders you may see"
            ))
            .help("pass --account to look in one account"));
        }
        if let (true, Some(code)) = (centre_nowhere, &filter.cost_centre) {
            return Err(Error::not_found(format!(
                "no cost centre `{}` in any account whose orders you may see",
                code.trim()
            ))
            .help("`portalctl cost-centre list --account ACCOUNT` shows an account's"));
        }
        // One query of ids for every account, the limit its own, so that
        // the list grows with its rows, not with the accounts it spans.
        let each: Vec<(i64, OrderQuery)> = queries
            .iter()
            .filter_map(|(account, seen, _)| Some((account.id, seen.clone()?)))
            .collect();
        let mut by_account: HashMap<i64, Vec<i64>> = HashMap::new();
        for (account, id) in tx.order_ids_in(&each, filter.limit)? {
            by_account.entry(account).or_default().push(id);
        }
        // Those the actor reads as a named approver, by the approvers'
        // index: one statement more, only for a list that has them.
        let naming: Vec<(i64, Vec<i64>, OrderQuery)> = queries
            .iter()
            .filter_map(|(account, _, named)| {
                let (people, query) = named.clone()?;
                Some((account.id, people, query))
            })
            .collect();
        if !naming.is_empty() {
            for (account, id) in tx.order_ids_naming(&naming, filter.limit)? {
                by_account.entry(account).or_default().push(id);
            }
        }
        // Each statement kept to the limit alone; together, the first
        // `limit` of both, in the list's order.
        let mut left = filter
            .limit
            .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
        for (account, _, _) in queries {
            let mut ids = by_account.remove(&account.id).unwrap_or_default();
            ids.sort_unstable();
            ids.dedup();
            ids.truncate(left);
            left -= ids.len();
            for chunk in ids.chunks(super::members::MEMBER_PAGE) {
                let mut views = listed_views(
                    &*tx,
                    &catalog,
                    &account,
                    &tx.orders_by_id(chunk)?,
                    self.ctx.now,
                )?;
                super::orders::as_read(&*tx, &catalog, &self.ctx, &account, &mut views)?;
                if !views.is_empty() {
                    page(&views)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{email, join, seeded};
    use crate::domain::{Actor, DelegateRequest, NewOrder, NewPolicy};
    use crate::model::Money;

    fn money(text: &str) -> Money {
        text.parse().expect("an amount")
    }

    /// The ids `who` reads in `order list`, or the exit code of its
    /// refusal.
    fn listed(p: &mut Portal, who: &str, status: Option<OrderStatus>) -> Result<Vec<i64>, u8> {
        p.ctx.actor = Actor::Member(email(who));
        let filter = OrderFilter {
            status,
            ..OrderFilter::default()
        };
        let ids = p
            .order_list(&filter)
            .map(|v| v.into_iter().map(|o| o.id).collect());
        p.ctx.actor = Actor::Operator("root".into());
        ids.map_err(|e| e.exit_code())
    }

    /// Findings E3: a named approver whose role reads no orders, and
    /// their delegate, list exactly the orders they may decide, as
    /// `order show` and `order inbox` read them; a member named nowhere
    /// is still refused.
    #[test]
    fn a_named_approver_lists_the_orders_they_are_named_to_decide() {
        let mut p = seeded("portal");
        for (who, role) in [
            ("una@acme.test", "user"),
            ("fi@acme.test", "user"),
            ("ada@acme.test", "user"),
            ("max@acme.test", "manager"),
        ] {
            join(&mut p, who, role);
        }
        p.policy_create(&NewPolicy {
            name: "Big kit".into(),
            threshold: money("100.00"),
            approvers: vec![email("una@acme.test"), email("fi@acme.test")],
            required_approvals: Some(2),
            ..NewPolicy::default()
        })
        .expect("policy");
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let place = |p: &mut Portal, amount: &str| {
            p.order_place(&NewOrder {
                description: "Kit".into(),
                amount: money(amount),
                ..NewOrder::default()
            })
            .expect("order")
            .id
        };
        let small = place(&mut p, "20.00");
        let big = place(&mut p, "600.00");
        p.ctx.actor = Actor::Operator("root".into());
        assert_eq!(listed(&mut p, "una@acme.test", None), Ok(vec![big]));
        assert_eq!(
            listed(&mut p, "una@acme.test", Some(OrderStatus::Pending)),
            Ok(vec![big])
        );
        assert_eq!(listed(&mut p, "max@acme.test", None), Ok(vec![small, big]));
        // As `order show` and the inbox read them.
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        p.order_show(big).expect("una reads it");
        p.order_show(small).expect_err("not hers");
        let inbox: Vec<i64> = p
            .order_inbox(None, None)
            .expect("inbox")
            .into_iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(inbox, [big]);
        p.ctx.actor = Actor::Operator("root".into());
        // Her delegate reads what she reads, no more.
        assert_eq!(listed(&mut p, "ada@acme.test", None), Err(5));
        let until = p.now().plus(chrono::Duration::days(2)).expect("until");
        p.order_delegate(&DelegateRequest {
            to: email("ada@acme.test"),
            from: None,
            until,
            delegator: Some(email("una@acme.test")),
            account: None,
        })
        .expect("delegate");
        assert_eq!(listed(&mut p, "ada@acme.test", None), Ok(vec![big]));
        // Cut off, she reads none of them.
        p.deactivate(
            &email("fi@acme.test"),
            None,
            &crate::domain::Handover::Refuse,
        )
        .expect("deactivate");
        assert_eq!(listed(&mut p, "fi@acme.test", None), Err(5));
    }
}
