//! Placing an order: what `order place` and a fixture's order are asked
//! for, who may place it and for whom, and the policies it matches when
//! placed.

use crate::domain::visibility::holds_need;

use super::access::{authorize, caps};
use super::cost_centres::find_cost_centre;
use super::decisions::{restore_decisions, restored_holds, Decided};
use super::gate::Write;
use super::order_sight::orders_seen;
use super::orders::{as_read, joined_in, order_view, with_deciders};
use super::{resolve_account, Actor, Portal};
use crate::error::{Error, Result};
use crate::model::{
    one_script_per_word, order_type_key, parse_order_type, references_look_alike, unseen, Account,
    Email, MatchedPolicy, Money, Order, OrderStatus, Paste, ShippingAddress, Text, Timestamp,
    MAX_ORDER_NUMBER,
};
use crate::view::OrderView;

/// What `order place` is asked to do.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewOrder {
    /// What is ordered.
    pub description: Text,
    /// The amount, in the account's currency.
    pub amount: Money,
    /// Order type, matched against policies' order types.
    pub order_type: Option<Text>,
    /// Cost centre code.
    pub cost_centre: Option<String>,
    /// External reference, unique within the account.
    pub reference: Option<Text>,
    /// Label of one of the account's shipping addresses (needs `addresses.use`).
    pub ship_to: Option<String>,
    /// Which account.
    pub account: Option<String>,
    /// The number the order takes; left out, the next one. A fixture
    /// names it to restore an order without a reference (`#N`), and keeps
    /// its other new orders clear of the numbers it names.
    pub number: Option<i64>,
}

/// Who placed an order a fixture restores (its `created_by`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placer {
    /// A member of the account.
    Member(Email),
    /// The operator, as the audit log names them (`operator:root`).
    Operator(String),
}

impl Placer {
    /// How orders and files name them: the email, or `operator:NAME`.
    pub(crate) fn name(&self) -> String {
        match self {
            Placer::Member(email) => email.to_string(),
            Placer::Operator(name) => name.clone(),
        }
    }
}

impl std::str::FromStr for Placer {
    type Err = Error;

    /// `operator:NAME` (what `order place` without `--as` records), or
    /// a member's email.
    fn from_str(s: &str) -> Result<Placer> {
        let s = s.trim();
        match s.strip_prefix("operator:") {
            Some(user) => {
                let user =
                    Text::parse("the operator's name", user)?.required("the operator's name")?;
                Ok(Placer::Operator(format!("operator:{user}")))
            }
            None => s.parse().map(Placer::Member),
        }
    }
}

/// An order's amount, as `order place` and a fixture's order take it:
/// more than 0.
pub(crate) fn order_amount(amount: Money) -> Result<Money> {
    if amount.minor() == 0 {
        return Err(Error::invalid("an order's amount must be more than 0"));
    }
    Ok(amount)
}

/// What an order is for, as `order place` and a fixture's order take it:
/// not empty.
pub(crate) fn order_description(description: &Text) -> Result<String> {
    description.required("the description")
}

/// An order's reference, when it has one: not empty. Whether it may
/// start with `#` depends on whether the order is placed now (see
/// [`place`]).
pub(crate) fn order_reference(reference: &Text) -> Result<String> {
    reference.required("the order reference")
}

/// Whether an order is placed now, or restored as it was placed before.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placing<'a> {
    /// `order place`: every rule of a new order holds.
    Now,
    /// [`Portal::order_restore`]: what was allowed when the order was
    /// placed, `at`, and no longer is for a new one, stays so; so does
    /// the copy of the address it was shipped to, `ship_to`, which may
    /// have been edited or removed since.
    Restored {
        at: Timestamp,
        ship_to: Option<&'a ShippingAddress>,
    },
}

/// Places `req` in `account` for `creator_id` (`None` for the operator),
/// named `creator`: every check of the order itself, the policies it
/// matches, and its event. Who may place it is the caller's to check.
fn place(
    w: &Write<'_>,
    account: &Account,
    req: &NewOrder,
    creator_id: Option<i64>,
    creator: String,
    placing: Placing<'_>,
    decided: Option<&Decided>,
) -> Result<OrderView> {
    let tx = w.tx;
    let catalog = w.catalog()?;
    let description = order_description(&req.description)?;
    let amount = order_amount(req.amount)?.in_currency(&account.currency)?;
    let order_type = req.order_type.as_ref().map(parse_order_type).transpose()?;
    let cost_centre = match &req.cost_centre {
        Some(code) => {
            let centre = find_cost_centre(tx, account, code)?;
            // An order placed before its cost centre was archived keeps it.
            if centre.archived_at.is_some() && matches!(placing, Placing::Now) {
                return Err(
                    Error::conflict(format!("cost centre `{}` is archived", centre.code))
                        .help("archived cost centres take no new orders"),
                );
            }
            Some(centre.id)
        }
        None => None,
    };
    let reference = req.reference.as_ref().map(order_reference).transpose()?;
    if let Some(r) = &reference {
        if r.starts_with('#') && matches!(placing, Placing::Now) {
            // A file reads `#N` as order N (see `export`), so a new
            // reference keeps clear of it. Older databases allowed one:
            // a file writes it with one more `#`, and a restore keeps it.
            return Err(Error::invalid(format!(
                "an order reference may not start with `#`, as `{r}` does"
            ))
            .help("`#N` names order N in a fixture; choose a reference without it"));
        }
        // An approver copies a reference from a list: one that reads as
        // another (`PO-1` and `PO-1` with a zero-width space) would have
        // them decide the wrong order. A restore (the operator's) keeps
        // one an older database let in, as it keeps a `#`.
        let hidden = r.chars().find_map(|c| unseen(c).map(|how| (c, how)));
        if let (Some((c, how)), Placing::Now) = (hidden, placing) {
            return Err(Error::invalid(format!(
                "the order reference `{r}` holds a character that {how} (U+{:04X})",
                u32::from(c)
            ))
            .help("type the reference with visible characters only"));
        }
        // A word mixing scripts (`PО-1001`, a Cyrillic `О`) reads as
        // another reference whatever the account holds.
        if matches!(placing, Placing::Now) {
            one_script_per_word("the order reference", r)?;
        }
        let seen = |held: &Order| -> Result<bool> {
            Ok(match &w.ctx.actor {
                Actor::Operator(_) => true,
                Actor::Member(_) => orders_seen(tx, catalog, &w.ctx, account)?(held),
            })
        };
        // Compared ignoring case (see migration 26): a reference typed
        // `po-1001` names `PO-1001`, so it may not be a second order's.
        // Named as typed. References are unique per account, so one an
        // order the actor does not see holds is refused too, but only as
        // taken: nothing of that order, not even that it is one.
        if let Some(held) = tx.order_by_reference(account.id, r)? {
            return Err(if seen(&held)? {
                Error::conflict(format!("`{}` already has an order `{r}`", account.name))
                    .help("references are compared ignoring case; choose another")
            } else {
                Error::conflict(format!(
                    "the order reference `{r}` is taken in `{}`",
                    account.name
                ))
                .help("references are unique in an account, ignoring case; choose another")
            });
        }
        // One that reads as a reference the account holds (`P0-1001`,
        // `ＰＯ-1001`, `PO‐1001` with a Unicode hyphen beside `PO-1001`) is
        // a decoy for an approver told to decide the other. Found by
        // index (migration 35); refused, as taken, to one who may not
        // see the order. A restore keeps two an older database holds.
        if matches!(placing, Placing::Now) {
            let alike = tx.orders_with_reference_like(account.id, r)?;
            if let Some(other) = alike.iter().find(|o| {
                o.reference
                    .as_deref()
                    .is_some_and(|o| references_look_alike(o, r))
            }) {
                let help = "a reference written with other characters that look the same (`0` as `O`, another script's letters, a Unicode dash) could be taken for it; choose one that reads differently";
                let held = other.reference.as_deref().unwrap_or_default();
                return Err(if seen(other)? {
                    Error::conflict(format!(
                        "the order reference `{r}` looks like `{held}`, order {} of `{}`",
                        other.number, account.name
                    ))
                    .help(help)
                } else {
                    Error::conflict(format!(
                        "the order reference `{r}` is not available in `{}`",
                        account.name
                    ))
                    .help(help)
                });
            }
        }
    }
    if let Some(number) = req.number {
        if !(1..=MAX_ORDER_NUMBER).contains(&number) {
            return Err(Error::invalid(format!(
                "an order's number is 1 to {MAX_ORDER_NUMBER}, not {number}"
            )));
        }
        if !tx.orders_numbered(&[account.id], number)?.is_empty() {
            return Err(Error::conflict(format!(
                "order {number} already exists in `{}`",
                account.name
            )));
        }
    }
    let policies = tx.policies_in(account.id)?;
    if let (Some(t), Placing::Now) = (order_type.as_deref(), placing) {
        // A type no policy names is most often a typo, and its order
        // slips past every policy kept for its type.
        // Read by their keys: a type an older version stored lower-cased
        // only is the type it reads as.
        let mut named: Vec<String> = policies
            .iter()
            .filter(|p| p.enabled)
            .filter_map(|p| p.order_type.as_deref().map(order_type_key))
            .collect();
        named.sort_unstable();
        named.dedup();
        if !named.is_empty() && !named.iter().any(|n| n == t) {
            let named: Vec<String> = named.iter().map(|n| format!("`{n}`")).collect();
            w.warn(format!(
                "no policy of `{}` is for orders of type `{t}`, so only its policies for every type hold this one; its policies name the types {}",
                account.name,
                named.join(", ")
            ));
        }
    }
    // A restore names the policies that held the order where they were
    // edited, disabled or enabled since: matching them now would hold it
    // otherwise than it was decided.
    let named_holds = decided
        .and_then(|d| d.held_by.as_deref())
        .filter(|_| matches!(placing, Placing::Restored { .. }));
    let mut matched: Vec<MatchedPolicy> = match named_holds {
        Some(holds) => restored_holds(tx, account, holds)?,
        None => policies
            .into_iter()
            .filter(|p| p.matches(amount, order_type.as_deref()))
            .map(MatchedPolicy::holding)
            .collect(),
    };
    let ship_to = match placing {
        Placing::Restored {
            ship_to: Some(copy),
            ..
        } => Some(copy.clone()),
        _ => req
            .ship_to
            .as_deref()
            .map(|label| super::addresses::ship_to(tx, catalog, &w.ctx, account, label))
            .transpose()?,
    };
    let approved_now = matched.is_empty();
    let placed_at = match placing {
        Placing::Now => w.ctx.now,
        Placing::Restored { at, .. } => at,
    };
    // Its account's next number, by index: a number counts only that
    // account's orders (findings D4).
    let number = match req.number {
        Some(n) => n,
        None => tx.last_order_number(account.id)? + 1,
    };
    if number > MAX_ORDER_NUMBER {
        // A file may have set the account's highest at the limit: a
        // number past it would not round-trip through `--json` or an
        // export.
        return Err(Error::conflict(format!(
            "every order number of `{}` up to {MAX_ORDER_NUMBER} is taken or passed, so no new order can be numbered",
            account.name
        )));
    }
    let mut order = Order {
        id: 0,
        number,
        account_id: account.id,
        reference,
        creator_id,
        creator,
        description,
        order_type,
        amount,
        currency: account.currency.clone(),
        cost_centre_id: cost_centre,
        ship_to,
        status: if approved_now {
            OrderStatus::Approved
        } else {
            OrderStatus::Pending
        },
        rejected_reason: None,
        cancelled_by: None,
        cancelled_reason: None,
        decided_at: approved_now.then_some(placed_at),
        created_at: placed_at,
    };
    order.id = tx.insert_order(&order)?;
    for m in &matched {
        tx.insert_matched_policy(order.id, m)?;
    }
    if let Some(decided) = decided.filter(|_| matches!(placing, Placing::Restored { .. })) {
        restore_decisions(tx, account, &mut order, &mut matched, decided)?;
    }
    let view = order_view(tx, account, &order)?;
    w.changed(
        "order.place",
        account,
        format!("order {}", order.number),
        None,
        &view,
    )?;
    Ok(view)
}

impl Portal {
    /// Places an order; needs `orders.place`. It matches every enabled
    /// policy whose threshold it exceeds (and whose type it has): with none
    /// it is approved at once, otherwise it waits for approvals.
    pub(crate) fn order_place(&mut self, req: &NewOrder) -> Result<OrderView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let places = holds_need(tx, catalog, &w.ctx, caps::ORDERS_PLACE);
            let account = resolve_account(tx, &w.ctx, req.account.as_deref(), None, places)?;
            let who = authorize(tx, catalog, &w.ctx, &account, caps::ORDERS_PLACE)?;
            let creator_id = who.person().map(|p| p.id);
            let view = place(
                w,
                &account,
                req,
                creator_id,
                w.ctx.actor.audit_name(),
                Placing::Now,
                None,
            )?;
            if view.status == OrderStatus::Pending {
                // "No order is ever stuck": one that cannot get the
                // approvals it needs from those who may decide it (its
                // placer not among them) is said so now, not first by a
                // later `order show`, in the words `order show` uses.
                let order = tx
                    .orders_numbered(&[account.id], view.id)?
                    .pop()
                    .ok_or_else(|| {
                        Error::Internal(anyhow::anyhow!("order {} was just placed", view.id))
                    })?;
                let mut shown = view.clone();
                let pending = with_deciders(tx, catalog, &account, &order, &mut shown, w.ctx.now)?;
                as_read(tx, catalog, &w.ctx, &account, std::slice::from_mut(&mut shown))?;
                if let Some(pending) = pending.filter(|p| !p.approvable()) {
                    // Told as `order show` tells it: a placer who may not
                    // see the policies reads neither them nor who decides.
                    w.warn(if shown.policies_hidden {
                        format!(
                            "order {} in `{}` cannot get enough approvals: ask an admin of `{}` to ease its approval policy, or cancel it (`{}`)",
                            shown.id,
                            account.name,
                            account.name,
                            Paste::new("order cancel")
                                .arg(shown.id)
                                .opt("--account", &account.name)
                        )
                    } else {
                        format!(
                            "order {} in `{}` cannot get enough approvals ({}), so it can be decided by {}",
                            shown.id,
                            account.name,
                            pending.shortages(),
                            shown.nobody_decides()
                        )
                    });
                }
                return Ok(shown);
            }
            let mut view = view;
            as_read(tx, catalog, &w.ctx, &account, std::slice::from_mut(&mut view))?;
            Ok(view)
        })
    }

    /// Restores an order already placed, in the name of who placed it: what
    /// an apply of an export does when its placer cannot place it now. An
    /// order stays in the portal when its creator leaves, is deactivated
    /// or loses `orders.place`, and one the operator placed has no member
    /// to place it again; a file must still be able to bring it back. Only
    /// the operator restores, since nobody else may place an order in
    /// another's name. A member placer must have joined the account (an
    /// invitation never accepted placed nothing); the order itself is
    /// checked as `order place` checks it, and matches the policies as
    /// one placed now, but for what was allowed when it was placed: its
    /// cost centre may have been archived since, and its reference may
    /// start with `#`, as older databases let it.
    ///
    /// It is restored as placed at `placed_at` (`None`: now), and with
    /// `decided` as it was decided too (see [`Decided`]): only a restore
    /// brings back what was decided, since a file decides no order.
    /// `ship_to` is the copy of the address it was placed with, kept as
    /// it was (`None`: `req`'s label, resolved as `order place` does).
    ///
    /// A refusal of who `placer` or `decided` name, or of what `decided`
    /// says, names the part at fault as a file names it, relative to the
    /// order (`.created_by`, `.decisions[1].by`; see
    /// [`restore_decisions`]), for the apply to join to the entry's path.
    pub(crate) fn order_restore(
        &mut self,
        req: &NewOrder,
        placer: &Placer,
        placed_at: Option<Timestamp>,
        decided: Option<&Decided>,
        ship_to: Option<&ShippingAddress>,
    ) -> Result<OrderView> {
        self.write(|w| {
            let tx = w.tx;
            // The operator's alone (refused below): any account may be meant.
            let account = resolve_account(tx, &w.ctx, req.account.as_deref(), None, |_| Ok(()))?;
            if let Actor::Member(me) = &w.ctx.actor {
                return Err(Error::denied(format!(
                    "`{me}` may place orders only as themselves, not as `{}`",
                    placer.name()
                )));
            }
            let creator_id = match placer {
                Placer::Operator(_) => None,
                Placer::Member(email) => Some(
                    joined_in(tx, email, &account, "placed no order there")
                        .map_err(|e| e.within(".created_by"))?,
                ),
            };
            place(
                w,
                &account,
                req,
                creator_id,
                placer.name(),
                Placing::Restored {
                    at: placed_at.unwrap_or(w.ctx.now),
                    ship_to,
                },
                decided,
            )
        })
    }
}
