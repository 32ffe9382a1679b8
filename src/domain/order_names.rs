//! How a command line names an order: by its number or its reference,
//! within one account or any the actor sees (`order show PO-2`), and
//! the refusals that tell the actor no more than `order show` would.

use super::access::authorize;
use super::deciders::{Now, Roster};
use super::delegations::without_access;
use super::order_sight::{orders_seen, sight};
use super::visibility::actor_accounts;
use super::{find_account, knows_account, Actor, Catalog, Ctx};
use crate::error::{Error, Result};
use crate::model::{reveal, Account, Need, Order, OrderKey, Timestamp};
use crate::store::Tx;

/// Which order a command names (`order show`, `approve`, `reject`,
/// `cancel`): its number or its reference, as typed, and the account to
/// look in when one is given (`--account`). An order's id converts into
/// one, for callers that hold the order already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderName {
    /// The number or reference.
    pub key: OrderKey,
    /// Only an order of this account, by name.
    pub account: Option<String>,
}

impl From<i64> for OrderName {
    fn from(id: i64) -> OrderName {
        OrderName {
            key: OrderKey::Number(id),
            account: None,
        }
    }
}

/// Unit tests name orders as a command line types them: `"PO-2"`, `"#7"`.
#[cfg(test)]
impl From<&str> for OrderName {
    fn from(typed: &str) -> OrderName {
        OrderName {
            key: typed.parse().expect("an order key"),
            account: None,
        }
    }
}

/// How many orders the refusal of an ambiguous reference lists.
const ORDERS_NAMED: usize = 6;

/// The order `name` names, and its account: the one resolver of every
/// command that takes an order, so that a number and a reference are
/// found alike and refused alike.
///
/// Only orders the actor sees count (see [`sees_order`]): an order they
/// cannot see is refused as "no order" whether it exists or not, by number
/// or by reference, and is never named among the candidates of an
/// ambiguous reference. A member who may see no orders at all is refused
/// first as `need` is (see [`ensure_some_order_seen`]). A number and a
/// reference are each unique only within an account (each account numbers
/// its own orders, so that a number tells nothing of other accounts'),
/// so one that orders of several accounts the actor sees carry is
/// refused (exit 2) with their numbers and accounts, until `--account`
/// picks one; digits alone, which may be a number or a reference, are
/// refused the same way when the two readings are different orders (`#N`
/// is always the number).
pub(super) fn find_named_order(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    name: &OrderName,
    need: Need,
) -> Result<(Order, Account)> {
    // The account named first, as `order list --account` reads it: one
    // the actor is no member of is refused as such, whether or not they
    // may see orders elsewhere.
    let within = name
        .account
        .as_deref()
        .map(|a| find_account(tx, ctx, a))
        .transpose()?;
    ensure_some_order_seen(tx, catalog, ctx, need, within.as_ref())?;
    let by_number = match name.key.number() {
        Some(n) => seen_among(tx, catalog, ctx, within.as_ref(), |ids| {
            tx.orders_numbered(ids, n)
        })?,
        None => Vec::new(),
    };
    let by_reference = match name.key.reference() {
        Some(r) => seen_among(tx, catalog, ctx, within.as_ref(), |ids| {
            tx.orders_with_reference(ids, r)
        })?,
        None => Vec::new(),
    };
    match (by_number.as_slice(), by_reference.as_slice()) {
        ([], []) => Err(no_order(&name.key)),
        ([], [only]) | ([only], []) => Ok(only.clone()),
        ([found], [same]) if same.0.id == found.0.id => Ok(found.clone()),
        ([numbered], others) => {
            let n = numbered.0.number;
            let typed = name.key.reference().unwrap_or_default();
            let others: Vec<_> = others
                .iter()
                .filter(|o| o.0.id != numbered.0.id)
                .cloned()
                .collect();
            let other = match others.as_slice() {
                [(o, _)] => format!("`#{}` for the other", o.number),
                _ => "another's number for it".to_string(),
            };
            Err(Error::invalid(format!(
                "`{typed}` names more than one order: {} by its number, and {} by reference",
                orders_in_accounts(std::slice::from_ref(numbered)),
                orders_in_accounts(&others)
            ))
            .help(format!("write `#{n}` for order {n}, or {other}")))
        }
        (several, []) => {
            // Numbers are per account (findings D4): order N of each
            // account the actor sees, as a reference several carry.
            let n = several[0].0.number;
            Err(
                Error::invalid(format!("order {n} names orders in several accounts")).help(
                    format!("it names {}: pass --account", orders_in_accounts(several)),
                ),
            )
        }
        (numbered, others) if !numbered.is_empty() => {
            let typed = name.key.reference().unwrap_or_default();
            let others: Vec<_> = others
                .iter()
                .filter(|o| !numbered.iter().any(|n| n.0.id == o.0.id))
                .cloned()
                .collect();
            Err(Error::invalid(format!(
                "`{typed}` names more than one order: {} by number, and {} by reference",
                orders_in_accounts(numbered),
                orders_in_accounts(&others)
            ))
            .help("pass --account, and write `#N` for an order's number"))
        }
        (_, several) => {
            let reference = name.key.reference().unwrap_or_default();
            // Two of one account an older database holds, equal but for
            // case, and the spelling typed is neither (see migration 26).
            if several
                .iter()
                .all(|o| o.0.account_id == several[0].0.account_id)
            {
                let spelled: Vec<String> = several
                    .iter()
                    .map(|(o, _)| {
                        let r = reveal(o.reference.as_deref().unwrap_or_default());
                        format!("`{r}` (order {})", o.number)
                    })
                    .collect();
                return Err(Error::invalid(format!(
                    "reference `{}` names more than one order in `{}`: {}",
                    reveal(reference),
                    several[0].1.name,
                    spelled.join(", ")
                ))
                .help("type the reference exactly as one of them is spelled, or name the order by its number"));
            }
            Err(Error::invalid(format!(
                "reference `{reference}` names orders in several accounts"
            ))
            .help(format!(
                "it names {}: pass --account",
                orders_in_accounts(several)
            )))
        }
    }
}

/// The orders `find` reads among the accounts' ids given it that the
/// actor sees, oldest first: in `within`, when given; else in every
/// account for the operator, and in the acting member's own accounts
/// (the only ones where a member sees orders: a partner's members see
/// none of its customers'). Each account numbers its own orders and
/// keeps its own references, so several may have an order `n` or `X`.
fn seen_among(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    within: Option<&Account>,
    find: impl FnOnce(&[i64]) -> Result<Vec<Order>>,
) -> Result<Vec<(Order, Account)>> {
    let accounts = match (within, &ctx.actor) {
        (Some(account), _) => vec![account.clone()],
        (None, Actor::Operator(_)) => tx.accounts()?,
        (None, Actor::Member(_)) => actor_accounts(tx, ctx)?,
    };
    let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
    let mut seen = Vec::new();
    for order in find(&ids)? {
        let Some(account) = accounts.iter().find(|a| a.id == order.account_id) else {
            continue;
        };
        if sees_order(tx, catalog, ctx, account, &order)? {
            seen.push((order, account.clone()));
        }
    }
    Ok(seen)
}

/// Whether the actor may see `order` of `account`: they may know the
/// account exists (see [`knows_account`]), and they see the order (see
/// [`orders_seen`]) or are named to decide it. Someone else's order, to a
/// member who sees only their own, is as unknown as one nobody placed.
pub(super) fn sees_order(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    order: &Order,
) -> Result<bool> {
    Ok(knows_account(tx, catalog, ctx, account)?
        && (orders_seen(tx, catalog, ctx, account)?(order)
            || named_on(tx, catalog, ctx, account, order)?))
}

/// "order 3 in `Acme` and order 9 in `Beta`", naming at most
/// [`ORDERS_NAMED`].
fn orders_in_accounts(orders: &[(Order, Account)]) -> String {
    let mut named: Vec<String> = orders
        .iter()
        .take(ORDERS_NAMED)
        .map(|(o, a)| format!("order {} in `{}`", o.number, a.name))
        .collect();
    if orders.len() > ORDERS_NAMED {
        named.push(format!("{} more", orders.len() - ORDERS_NAMED));
    }
    match named.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Whether the acting member is a named approver of a policy the order is
/// held by, or covers one through a delegation that holds now: they may
/// decide it, so they see it (`order inbox` lists it). A delegate decides
/// what their delegator could (findings N#2: the inbox and `order show`
/// offered such an order to the delegate, whom `order approve` then did
/// not let find it); a delegator without access lends nothing.
fn named_on(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    order: &Order,
) -> Result<bool> {
    let Actor::Member(email) = &ctx.actor else {
        return Ok(false);
    };
    let Some(person) = tx.person_by_email(email.as_str())? else {
        return Ok(false);
    };
    let matched = tx.matched_policies(order.id)?;
    stands_for_named(tx, catalog, account, person.id, ctx.now, |p| {
        matched
            .iter()
            .any(|m| m.released_at.is_none() && m.approvers.contains(&p))
    })
}

/// Whether `person` decides in `account`, at `now`, for an approver that
/// `named` picks: as that approver, or covering one through a delegation
/// that holds. The one rule by which being named gives sight of orders
/// (`order show`, `approve`, `reject`, `cancel`): a policy keeps the
/// approvers it names when they lose access, but someone cut off from
/// the account (deactivated, blocked, left, external access ended) holds
/// no capability there, and so no sight through a name either (findings
/// N6: `order show` printed, to a deactivated approver, the orders
/// `order list` refused her).
fn stands_for_named(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    person: i64,
    now: Timestamp,
    named: impl Fn(i64) -> bool,
) -> Result<bool> {
    let roster = Now::new(tx, catalog, account, now);
    if !roster.ability(person)?.access {
        return Ok(false);
    }
    if named(person) {
        return Ok(true);
    }
    for d in tx.delegations_to(account.id, person, now)? {
        if named(d.delegator_id) && without_access(&roster, &d)?.is_none() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Refuses, as `need` is refused in the first of their accounts, a member
/// who may see orders in none of them and is named to decide none: the
/// refusal they get for any order number, so that it tells nothing of
/// which numbers are taken. With `within`, of that account alone.
fn ensure_some_order_seen(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    need: Need,
    within: Option<&Account>,
) -> Result<()> {
    let Actor::Member(email) = &ctx.actor else {
        return Ok(());
    };
    let Some(person) = tx.person_by_email(email.as_str())? else {
        return Ok(());
    };
    let mut memberships = tx.memberships_of(person.id)?;
    if let Some(within) = within {
        memberships.retain(|m| m.account_id == within.id);
    }
    for m in &memberships {
        let policies = tx.policies_in(m.account_id)?;
        let named = |p: i64| policies.iter().any(|policy| policy.approvers.contains(&p));
        let account = tx.account(m.account_id)?;
        if stands_for_named(tx, catalog, &account, person.id, ctx.now, named)? {
            return Ok(());
        }
    }
    let mut blind = None;
    for m in memberships {
        let account = tx.account(m.account_id)?;
        match sight(tx, catalog, ctx, &account) {
            Ok(_) => return Ok(()),
            Err(Error::Denied(_)) => {
                blind.get_or_insert(account);
            }
            Err(e) => return Err(e),
        }
    }
    match blind {
        Some(account) => authorize(tx, catalog, ctx, &account, need).map(drop),
        None => Ok(()),
    }
}

/// The answer for an order that is not there, or not there for the actor,
/// in the words it was asked for: `no order 7`, ``no order `PO-2` ``.
pub(super) fn no_order(key: &OrderKey) -> Error {
    Error::not_found(format!("no order {key}")).help("`portalctl order list` shows them")
}

/// The resolver every order command uses ([`find_named_order`]): orders
/// named by number or by reference, as the actor sees them.
#[cfg(test)]
mod named_order_tests {
    use super::super::testing::{add_account, email, join, seeded};
    use super::*;
    use crate::domain::order_list::OrderFilter;
    use crate::domain::{Handover, InviteRequest, NewOrder, NewPolicy, Portal};
    use crate::model::Email;
    use crate::model::{caps, AccountKind};
    use crate::model::{Money, OrderStatus, Text};

    /// The operator places an order of 10.00 in `account` with `reference`;
    /// its number.
    fn place_in(p: &mut Portal, account: &str, reference: &str) -> i64 {
        p.order_place(&NewOrder {
            description: "Desk".into(),
            amount: "10.00".parse::<Money>().expect("amount"),
            reference: Some(reference.into()),
            account: Some(account.into()),
            ..NewOrder::default()
        })
        .expect("order")
        .id
    }

    /// Acme and Beta, where `ann` administers both, `max` manages Acme
    /// only (and so sees all of Acme's orders and none of Beta's), and
    /// `bea` of Acme holds only `orders.place` (and so sees only her own).
    /// Orders, each account numbering its own: 1 `PO-1` and 2 `PO-2` in
    /// Acme; 1 `PO-2`, 2 `PO-9` and 3, whose reference `1` is also the
    /// number of each account's first order, in Beta.
    fn two_accounts() -> Portal {
        let mut p = seeded("portal");
        crate::domain::testing::add_account(&mut p, "Beta", AccountKind::Partner, None);
        p.role_create(
            "buyer",
            &[caps::ORDERS_PLACE],
            &Text::default(),
            Some("Acme"),
        )
        .expect("role");
        for (who, role, account) in [
            ("ann@acme.test", "admin", "Acme"),
            ("ann@acme.test", "admin", "Beta"),
            ("max@acme.test", "manager", "Acme"),
            ("bea@acme.test", "buyer", "Acme"),
        ] {
            let invited = p
                .invite(&InviteRequest {
                    email: Some(email(who)),
                    role: Some(role.into()),
                    account: Some(account.into()),
                    ..InviteRequest::default()
                })
                .expect("invite");
            p.accept(&invited.token, None).expect("accept");
        }
        let placed = [
            place_in(&mut p, "Acme", "PO-1"),
            place_in(&mut p, "Acme", "PO-2"),
            place_in(&mut p, "Beta", "PO-2"),
            place_in(&mut p, "Beta", "PO-9"),
            place_in(&mut p, "Beta", "1"),
        ];
        assert_eq!(placed, [1, 2, 1, 2, 3]);
        p
    }

    fn as_member(p: &mut Portal, who: &str) {
        p.ctx.actor = Actor::Member(email(who));
    }

    /// The number of the order `name` names to the actor.
    fn shown(p: &mut Portal, name: impl Into<OrderName>) -> i64 {
        p.order_show(name).expect("an order").id
    }

    /// The number and account of the order `name` names to the actor.
    fn shown_in(p: &mut Portal, name: impl Into<OrderName>) -> (i64, String) {
        let order = p.order_show(name).expect("an order");
        (order.id, order.account)
    }

    fn of(number: i64, account: &str) -> (i64, String) {
        (number, account.to_string())
    }

    /// The refusal of `order show` of `name`: exit code, message, help.
    fn refused(p: &mut Portal, name: impl Into<OrderName>) -> (u8, String, String) {
        let err = p.order_show(name).expect_err("refused");
        let help = err.help_text().unwrap_or_default().to_string();
        (err.exit_code(), err.to_string(), help)
    }

    fn in_account(typed: &str, account: &str) -> OrderName {
        OrderName {
            account: Some(account.into()),
            ..OrderName::from(typed)
        }
    }

    #[test]
    fn a_number_names_the_order_of_that_number_in_its_account() {
        let mut p = two_accounts();
        // Only Beta has an order 3.
        assert_eq!(shown_in(&mut p, 3), of(3, "Beta"));
        assert_eq!(shown_in(&mut p, "#3"), of(3, "Beta"));
        assert_eq!(shown_in(&mut p, in_account("#2", "Beta")), of(2, "Beta"));
        assert_eq!(shown_in(&mut p, in_account("2", "acme")), of(2, "Acme"));
        // Not in the account named: no such order there.
        let (code, said, _) = refused(&mut p, in_account("3", "Acme"));
        assert_eq!((code, said.as_str()), (3, "no order 3"));
        // Both accounts have an order 2: the operator sees every account,
        // and ann both, so it is refused as a reference of both would be.
        for who in [None, Some("ann@acme.test")] {
            if let Some(who) = who {
                as_member(&mut p, who);
            }
            for typed in ["#2", "2"] {
                let (code, said, help) = refused(&mut p, typed);
                assert_eq!(code, 2, "{who:?}: {said}");
                assert_eq!(said, "order 2 names orders in several accounts");
                assert_eq!(
                    help,
                    "it names order 2 in `Acme` and order 2 in `Beta`: pass --account"
                );
            }
        }
        // max sees Acme's orders only: its order 2 is the one, and
        // Beta's order 3 is no order to him.
        as_member(&mut p, "max@acme.test");
        assert_eq!(shown_in(&mut p, 2), of(2, "Acme"));
        assert_eq!(refused(&mut p, 3).1, "no order 3");
    }

    #[test]
    fn a_reference_names_the_one_order_the_actor_sees_with_it() {
        let mut p = two_accounts();
        assert_eq!(shown_in(&mut p, "PO-1"), of(1, "Acme"));
        assert_eq!(shown_in(&mut p, "PO-9"), of(2, "Beta"));
        // Case aside, as references are compared (migration 26).
        assert_eq!(shown_in(&mut p, "po-9"), of(2, "Beta"));
        assert_eq!(refused(&mut p, "PO-99").0, 3);
        // max sees Acme's orders only, so Beta's `PO-2` is not in his way.
        as_member(&mut p, "max@acme.test");
        assert_eq!(shown_in(&mut p, "PO-2"), of(2, "Acme"));
        // And `1` is Acme's order 1 to him: Beta's order 1 and reference
        // `1` are not his to see.
        assert_eq!(shown_in(&mut p, "1"), of(1, "Acme"));
    }

    #[test]
    fn a_reference_of_several_visible_accounts_is_refused_until_one_is_picked() {
        let mut p = two_accounts();
        for who in [None, Some("ann@acme.test")] {
            if let Some(who) = who {
                as_member(&mut p, who);
            }
            let (code, said, help) = refused(&mut p, "PO-2");
            assert_eq!(code, 2, "{who:?}: {said}");
            assert_eq!(said, "reference `PO-2` names orders in several accounts");
            assert_eq!(
                help,
                "it names order 2 in `Acme` and order 1 in `Beta`: pass --account"
            );
            assert_eq!(shown_in(&mut p, in_account("PO-2", "Beta")), of(1, "Beta"));
            assert_eq!(shown_in(&mut p, in_account("PO-2", "acme")), of(2, "Acme"));
            assert_eq!(shown_in(&mut p, 3), of(3, "Beta"));
            // Digits that are orders' numbers and another's reference.
            let (code, said, help) = refused(&mut p, "1");
            assert_eq!(code, 2, "{who:?}: {said}");
            assert_eq!(
                said,
                "`1` names more than one order: order 1 in `Acme` and order 1 in `Beta` by number, and order 3 in `Beta` by reference"
            );
            assert_eq!(help, "pass --account, and write `#N` for an order's number");
            // In one account, one order's number and another's reference.
            let (code, said, help) = refused(&mut p, in_account("1", "Beta"));
            assert_eq!(code, 2, "{who:?}: {said}");
            assert_eq!(
                said,
                "`1` names more than one order: order 1 in `Beta` by its number, and order 3 in `Beta` by reference"
            );
            assert_eq!(help, "write `#1` for order 1, or `#3` for the other");
            assert_eq!(shown_in(&mut p, in_account("#1", "Beta")), of(1, "Beta"));
            assert_eq!(shown_in(&mut p, in_account("#3", "Beta")), of(3, "Beta"));
            assert_eq!(shown_in(&mut p, in_account("1", "Acme")), of(1, "Acme"));
        }
    }

    #[test]
    fn a_reference_the_actor_cannot_see_is_refused_as_one_nobody_has() {
        let mut p = two_accounts();
        // max is in Acme only; bea sees only her own orders (none), so
        // not the operator's `PO-1` of her own account either.
        for (who, hidden) in [
            ("max@acme.test", &["PO-9", "##PO-404"][..]),
            ("bea@acme.test", &["PO-9", "PO-1", "##PO-404"][..]),
        ] {
            as_member(&mut p, who);
            let unknown = refused(&mut p, "PO-404");
            assert_eq!(unknown.0, 3, "{who}: {unknown:?}");
            for &hidden in hidden {
                let (code, said, help) = refused(&mut p, hidden);
                // `##X` is the reference `#X`.
                let reference = hidden.strip_prefix('#').filter(|r| r.starts_with('#'));
                let reference = reference.unwrap_or(hidden);
                assert_eq!(
                    (code, said, help.as_str()),
                    (3, format!("no order `{reference}`"), unknown.2.as_str()),
                    "{who}: {hidden}"
                );
            }
            // And so is its number (Beta's order 3, the only one).
            assert_eq!(refused(&mut p, 3).1, "no order 3", "{who}");
        }
        // Naming an account they are not in is refused as ever, whatever
        // it holds.
        as_member(&mut p, "max@acme.test");
        let beta = refused(&mut p, in_account("PO-9", "Beta"));
        let nowhere = refused(&mut p, in_account("PO-9", "Gamma"));
        assert_eq!(beta.0, 5);
        assert_eq!(
            (beta.1.replace("Beta", "?"), beta.2),
            (nowhere.1.replace("Gamma", "?"), nowhere.2)
        );
    }

    /// E1: a new reference that reads as one its account holds is
    /// refused (exit 4), naming the order only to one who sees it; one
    /// mixing scripts in a word is refused (exit 2); another account's
    /// look-alike is no concern of this one.
    #[test]
    fn a_reference_that_looks_like_a_held_one_is_refused_as_its_reader_may_know() {
        let mut p = two_accounts();
        let place = |p: &mut Portal, account: &str, reference: &str| {
            p.order_place(&NewOrder {
                description: "Desk".into(),
                amount: "10.00".parse::<Money>().expect("amount"),
                reference: Some(reference.into()),
                account: Some(account.into()),
                ..NewOrder::default()
            })
        };
        for decoy in [
            "P0-1", "ＰＯ-1", "РО-1", "PO\u{2010}1", "PO-l", "P0-I",
            // att14: superscript digits, an em dash.
            "PO-\u{B9}", "PO\u{2014}1",
        ] {
            let err = place(&mut p, "Acme", decoy).expect_err(decoy);
            assert_eq!(
                (err.exit_code(), err.to_string()),
                (
                    4,
                    format!("the order reference `{decoy}` looks like `PO-1`, order 1 of `Acme`")
                ),
            );
        }
        as_member(&mut p, "bea@acme.test");
        let err = place(&mut p, "Acme", "P0-1").expect_err("unseen");
        assert_eq!(
            (err.exit_code(), err.to_string()),
            (
                4,
                "the order reference `P0-1` is not available in `Acme`".to_string()
            )
        );
        let err = place(&mut p, "Acme", "P\u{41E}-7").expect_err("mixed");
        assert_eq!(err.exit_code(), 2, "{err}");
        // `PO-9` is Beta's: Acme may hold its look-alike.
        assert!(place(&mut p, "Acme", "P0-9").is_ok());
        assert!(place(&mut p, "Acme", "PO-12").is_ok());
    }

    #[test]
    fn an_unknown_order_is_not_found_by_number_or_reference() {
        let mut p = two_accounts();
        assert_eq!(refused(&mut p, 99).1, "no order 99");
        assert_eq!(refused(&mut p, "99").1, "no order 99");
        assert_eq!(refused(&mut p, "PO-99").1, "no order `PO-99`");
        assert_eq!(refused(&mut p, "PO-99").0, 3);
    }

    #[test]
    fn orders_are_decided_and_cancelled_by_reference() {
        let mut p = two_accounts();
        p.policy_create(&NewPolicy {
            name: "Over 50".into(),
            threshold: "50.00".parse::<Money>().expect("amount"),
            account: Some("Acme".into()),
            ..NewPolicy::default()
        })
        .expect("policy");
        as_member(&mut p, "max@acme.test");
        for reference in ["PO-20", "PO-21"] {
            p.order_place(&NewOrder {
                description: "Rack".into(),
                amount: "60.00".parse::<Money>().expect("amount"),
                reference: Some(reference.into()),
                ..NewOrder::default()
            })
            .expect("order");
        }
        as_member(&mut p, "ann@acme.test");
        let approved = p.order_decide("PO-20", None).expect("approved");
        // Acme's third and fourth orders, whatever Beta holds.
        assert_eq!((approved.id, approved.status), (3, OrderStatus::Approved));
        let ambiguous = p.order_decide("PO-2", None).expect_err("two accounts");
        assert_eq!(ambiguous.exit_code(), 2, "{ambiguous}");
        as_member(&mut p, "max@acme.test");
        let cancelled = p.order_cancel("PO-21", None).expect("cancelled");
        assert_eq!(
            (cancelled.id, cancelled.status),
            (4, OrderStatus::Cancelled)
        );
        // bea cannot see max's order: to her it is no order at all.
        as_member(&mut p, "bea@acme.test");
        let err = p.order_cancel("PO-20", None).expect_err("not hers");
        assert_eq!(
            (err.exit_code(), err.to_string().as_str()),
            (3, "no order `PO-20`")
        );
    }

    /// A way of cutting `who` off from `account`, as an admin would, at
    /// the moment given.
    type CutOff = fn(&mut Portal, &Email, Timestamp);

    /// `who`, a named approver in `account` with no sight of orders by
    /// her role, sees the orders her policy holds; once cut off from the
    /// account she sees none of them, placed before or after, and every
    /// order command refuses her as `order list` does (exit 5): being
    /// named gives no sight or right to someone without access there
    /// (findings N6). Each command answers as `show` does: `code` is 5
    /// (refused as `order list` is) for one who sees orders nowhere, 3
    /// ("no order") for one who still sees orders of another account.
    fn cut_off_approver_sees_and_decides_nothing(
        mut p: Portal,
        (account, who): (&str, &str),
        cut_off: CutOff,
        what: &str,
        code: u8,
    ) {
        let who = email(who);
        p.policy_create(&NewPolicy {
            name: "Finance".into(),
            threshold: "50.00".parse().expect("amount"),
            approvers: vec![who.clone()],
            account: Some(account.into()),
            ..NewPolicy::default()
        })
        .expect("policy");
        let place = |p: &mut Portal, reference: &str| {
            p.ctx.actor = Actor::Operator("root".into());
            p.order_place(&NewOrder {
                description: "Legal fees".into(),
                amount: "75.00".parse::<Money>().expect("amount"),
                reference: Some(reference.into()),
                account: Some(account.into()),
                ..NewOrder::default()
            })
            .expect("order")
            .id
        };
        let before = place(&mut p, "PO-1");
        as_member(&mut p, who.as_str());
        assert_eq!(shown(&mut p, before), before, "{what}: named, she sees it");
        p.ctx.actor = Actor::Operator("root".into());
        let at = p.ctx.now;
        cut_off(&mut p, &who, at);
        p.ctx.now = at.plus(chrono::Duration::days(2)).expect("later");
        let after = place(&mut p, "PO-2");
        as_member(&mut p, who.as_str());
        for id in [before, after] {
            let reason = Text::from("no");
            let answers = [
                ("show", p.order_show(id).map(drop)),
                ("approve", p.order_decide(id, None).map(drop)),
                ("reject", p.order_decide(id, Some(&reason)).map(drop)),
                ("cancel", p.order_cancel(id, None).map(drop)),
            ];
            for (command, answer) in answers {
                let err = answer.expect_err(&format!("{what}: order {command} {id} refused"));
                assert_eq!(err.exit_code(), code, "{what}: order {command} {id}: {err}");
            }
        }
        match p.order_list(&OrderFilter::default()) {
            Ok(listed) => assert!(
                code == 3 && !listed.iter().any(|o| o.id == before || o.id == after),
                "{what}: order list shows them"
            ),
            Err(err) => assert_eq!(err.exit_code(), 5, "{what}: order list: {err}"),
        }
        let inbox = p.order_inbox(None, None).map(|i| i.len()).unwrap_or(0);
        assert_eq!(inbox, 0, "{what}: her inbox offers nothing");
        p.ctx.actor = Actor::Operator("root".into());
        assert_eq!(
            p.order_show(before).expect("order").status,
            OrderStatus::Pending,
            "{what}: nothing decided"
        );
    }

    #[test]
    fn an_approver_cut_off_from_the_account_sees_no_order_her_policy_holds() {
        let endings: [(&str, CutOff); 3] = [
            ("deactivated", |p, who, _| {
                p.deactivate(who, Some("Acme"), &Handover::default())
                    .map(drop)
                    .expect("deactivate")
            }),
            ("blocked", |p, who, _| {
                p.set_role(who, "no-access", Some("Acme"), None)
                    .map(drop)
                    .expect("block")
            }),
            ("left the company", |p, who, _| {
                p.left_company(who, Some("Acme"), &Handover::default())
                    .map(drop)
                    .expect("left")
            }),
        ];
        for (what, cut_off) in endings {
            let mut p = seeded("portal");
            join(&mut p, "fiona@acme.test", "user");
            let fiona = ("Acme", "fiona@acme.test");
            cut_off_approver_sees_and_decides_nothing(p, fiona, cut_off, what, 5);
        }
    }

    /// An MSP administrator named on a customer's policy through her
    /// external access (as `msp-user` there, which sees no orders): when
    /// that access ends, by its time or by its removal, so does her sight.
    #[test]
    fn an_external_admin_whose_access_ended_sees_no_order_of_the_customer() {
        let endings: [(&str, CutOff); 3] = [
            ("external access lapsed", |p, who, at| {
                let until = at.plus(chrono::Duration::days(1)).expect("until");
                p.external_admin_add("Client Co", who, "msp-user", Some(until))
                    .map(drop)
                    .expect("until")
            }),
            ("external access removed", |p, who, _| {
                p.external_admin_remove("Client Co", who)
                    .map(drop)
                    .expect("remove")
            }),
            ("deactivated in the partner", |p, who, _| {
                p.deactivate(who, Some("Acme"), &Handover::default())
                    .map(drop)
                    .expect("deactivate")
            }),
        ];
        for (what, cut_off) in endings {
            let mut p = seeded("msp");
            join(&mut p, "ada@acme.test", "msp-administrator");
            add_account(&mut p, "Client Co", AccountKind::Customer, Some("Acme"));
            p.external_admin_add("Client Co", &email("ada@acme.test"), "msp-user", None)
                .expect("external admin");
            // She still sees her own partner's orders, unless cut off there.
            let code = if what.contains("partner") { 5 } else { 3 };
            let ada = ("Client Co", "ada@acme.test");
            cut_off_approver_sees_and_decides_nothing(p, ada, cut_off, what, code);
        }
    }
}
