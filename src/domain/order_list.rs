//! `order list`: the accounts a member reads orders in, what they see in
//! each, and the pages of orders, in a fixed number of statements
//! whatever the accounts and rows (issue 11).

use std::collections::HashMap;

use super::cost_centres::no_cost_centre;
use super::order_sight::{seen_sights, sight, with_merged, Sight};
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

/// The accounts `order list` reads, each with what the actor sees of its
/// orders: the one named (refused as `--account` always was); else every
/// account where the actor may read orders, by name, which for a member
/// are only their own accounts (a partner's members see none of its
/// customers' orders). A member who may read orders in none of them is
/// refused as in the first of their accounts, naming what they lack.
fn listed_accounts(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    named: Option<&str>,
) -> Result<Vec<(Account, Sight)>> {
    super::visibility::listed_accounts_by(
        tx,
        ctx,
        named,
        |accounts| seen_sights(tx, catalog, ctx, accounts),
        |account| sight(tx, catalog, ctx, account),
        "listing orders needs `orders.place`, `orders.approve` or `billing.view` in some account",
    )
}

/// What `order list` reads of one account.
enum Listing {
    /// These orders (the limit is the caller's).
    Query(OrderQuery),
    /// None: the actor sees only their own, and asked for another's.
    Nothing,
    /// None: the creator or the cost centre named is not in the account;
    /// the refusal of each that is not.
    Missing {
        creator: Option<Error>,
        centre: Option<Error>,
    },
}

/// The orders of one account that `filter` selects and the actor sees,
/// `creator` and `centre` being what the filter's creator and cost
/// centre are in it (looked up once for every account listed).
fn list_query(
    tx: &dyn Tx,
    sight: Sight,
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
    let creators = match (sight, creator) {
        // Someone who sees only their own orders sees none of another's.
        (Sight::Own(own), Some(other)) if !own.contains(&other) => return Ok(Listing::Nothing),
        (Sight::Own(own), _) => own,
        (Sight::All, Some(creator)) => match merged.get(&creator) {
            Some(people) => people.clone(),
            None => {
                let people = with_merged(tx, creator)?;
                merged.insert(creator, people.clone());
                people
            }
        },
        (Sight::All, None) => Vec::new(),
    };
    Ok(Listing::Query(OrderQuery {
        status: filter.status,
        creators,
        cost_centre_id: centre,
        limit: None,
    }))
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
        for (account, sight) in seen {
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
            match list_query(&*tx, sight, filter, creator, centre, &mut merged)? {
                Listing::Query(query) => queries.push((account, query)),
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
            .map(|(account, query)| (account.id, query.clone()))
            .collect();
        let mut by_account: HashMap<i64, Vec<i64>> = HashMap::new();
        for (account, id) in tx.order_ids_in(&each, filter.limit)? {
            by_account.entry(account).or_default().push(id);
        }
        for (account, _) in queries {
            let ids = by_account.remove(&account.id).unwrap_or_default();
            for chunk in ids.chunks(super::members::MEMBER_PAGE) {
                let views = listed_views(
                    &*tx,
                    &catalog,
                    &account,
                    &tx.orders_by_id(chunk)?,
                    self.ctx.now,
                )?;
                if !views.is_empty() {
                    page(&views)?;
                }
            }
        }
        Ok(())
    }
}
