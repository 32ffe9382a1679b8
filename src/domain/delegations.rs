//! Delegation of deciding orders ("out of office", issue 14) and the
//! approver's inbox.
//!
//! A delegation lets its delegate decide, from `--from` (inclusive) until
//! `--until` (exclusive), to the second, the orders its delegator could
//! decide at that moment. It lends only the delegator's own deciding: what
//! they may decide directly (as an approver, or a named one), never what
//! someone else delegated to them, so a delegation is not passed on. The
//! delegate never decides their own order, and a decision made for a
//! delegator counts as the delegator's: neither of them decides that order
//! again, so the same approver is never counted twice.
//!
//! Who may set one: a member, for their own deciding; the operator, for
//! anyone (`--for`); a member who holds `users.manage` and `orders.approve`
//! in the account, for another member (the write gate checks the
//! `orders.approve`: what the delegate gains must be held by whoever gives
//! it, unless it is the delegator lending their own).
//!
//! Nor does a delegation lend deciding on an order placed, or already
//! decided, by whoever set it up: an admin who lends the owner's deciding
//! to a user would otherwise have that user approve the admin's own
//! order, which the admin may not. Its delegator is judged by the order
//! already (they never decide their own), its setter here, by the person
//! recorded when it was set (`setter_id`; the operator is none).

use super::access::{authorize, caps, Access, Authority};
use super::deciders::{Ability, Now, Pending, Roster};
use super::orders::{kept_person, pending_of};
use super::visibility::{listed_accounts, subject_accounts};
use super::{member_in, resolve_account, Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{
    Account, Delegation, Email, MemberStatus, Membership, Order, Paste, Person, RecordedDeciders,
    Timestamp,
};
use crate::store::Tx;
use crate::view::{DelegationView, InboxView, PolicyProgress};

/// What `order delegate` is asked to set.
#[derive(Debug, Clone)]
pub(crate) struct DelegateRequest {
    /// Who may decide for the delegator.
    pub to: Email,
    /// From when (default: now).
    pub from: Option<Timestamp>,
    /// Until when (exclusive).
    pub until: Timestamp,
    /// The delegator, when not the acting member (`--for`).
    pub delegator: Option<Email>,
    /// Which account.
    pub account: Option<String>,
}

/// How someone may decide a pending order now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Route {
    /// The delegator they decide it for; `None`: for themselves.
    pub on_behalf_of: Option<i64>,
    /// The policies (ids) the decision counts toward.
    pub toward: Vec<i64>,
}

/// A delegation to someone that holds now, with its setter as the person
/// they are now: a merged duplicate's setting is the kept person's.
#[derive(Debug, Clone)]
pub(super) struct Covering {
    /// The delegation.
    pub d: Delegation,
    /// Who set it, the kept person; `None`: the operator, or unknown.
    pub setter: Option<i64>,
}

impl Covering {
    /// The policies of the order `pending` describes that this delegation
    /// lends its delegate deciding for (see [`lent`]).
    pub(super) fn lent(&self, roster: &dyn Roster, pending: &Pending) -> Result<Vec<i64>> {
        lent(roster, self.setter, self.d.delegator_id, pending)
    }

    /// Whether its setter placed or decided the order `pending`
    /// describes, so that it lends nothing on it.
    pub(super) fn setter_took_part(&self, pending: &Pending) -> bool {
        self.setter.is_some_and(|s| pending.excluded.contains(&s))
    }
}

/// The delegations to `delegate` in the account that hold at `at`, each
/// with its setter as they are now.
pub(super) fn covering(
    tx: &dyn Tx,
    account_id: i64,
    delegate: i64,
    at: Timestamp,
) -> Result<Vec<Covering>> {
    tx.delegations_to(account_id, delegate, at)?
        .into_iter()
        .map(|d| {
            let setter = setter_of(tx, &d)?;
            Ok(Covering { d, setter })
        })
        .collect()
}

/// Who set `d`, as the person they are now (a merged duplicate's is the
/// kept person); `None` for the operator or a setter not known.
pub(super) fn setter_of(tx: &dyn Tx, d: &Delegation) -> Result<Option<i64>> {
    d.setter_id.map(|s| kept_person(tx, s)).transpose()
}

/// The policies (ids) of the order `pending` describes that a delegation
/// of `delegator`'s deciding, set by `setter` (as the person they are now;
/// `None`: the operator), lends its delegate deciding for: those the
/// delegator may decide (see [`Pending::may_decide`]), but
/// - none on an order its setter placed or decided: whoever sets a
///   delegation for another would otherwise have its delegate decide, for
///   the delegator, an order the setter may not decide themselves
///   (`pending.excluded` holds exactly those people: the creator and
///   whoever decided, or was decided for);
/// - set for someone else, none unless its setter could decide every one
///   of them themselves: a member gives only what they hold, and holding
///   `orders.approve` (which setting one for another needs) is not being
///   among a policy's named approvers. Not the part the setter could
///   decide either: a decision for the delegator is the delegator's one
///   decision on the order, so it would leave the rest to nobody.
pub(super) fn lent(
    roster: &dyn Roster,
    setter: Option<i64>,
    delegator: i64,
    pending: &Pending,
) -> Result<Vec<i64>> {
    let mut toward = pending.may_decide(delegator, roster.ability(delegator)?);
    match setter {
        None => {}
        Some(s) if pending.excluded.contains(&s) => toward.clear(),
        Some(s) if s == delegator => {}
        Some(s) => {
            let own = pending.eligible(s, roster.ability(s)?);
            if !toward.iter().all(|p| own.contains(p)) {
                toward.clear();
            }
        }
    }
    Ok(toward)
}

/// How `person` (with `ability`) may decide the order `pending` describes:
/// for themselves if they may, else for the first delegator among
/// `covering` (the delegations to them that hold now, oldest first) who
/// may, through a delegation that lends on this order (see [`lent`]). A
/// delegator's deciding is judged from their own standing alone. The one
/// judgement of who may decide what, for whom: deciding, cancelling, the
/// inbox and `order show`'s deciders (see [`could_decide`]) all ask it,
/// so that with two delegations to the same person they all name the
/// same delegator.
pub(super) fn route(
    roster: &dyn Roster,
    pending: &Pending,
    person: i64,
    ability: Ability,
    covering: &[Covering],
) -> Result<Option<Route>> {
    let direct = pending.may_decide(person, ability);
    if !direct.is_empty() {
        return Ok(Some(Route {
            on_behalf_of: None,
            toward: direct,
        }));
    }
    if !ability.access || pending.excluded.contains(&person) {
        return Ok(None);
    }
    for c in covering {
        let d = &c.d;
        if without_access(roster, d)?.is_some() {
            continue;
        }
        let toward = c.lent(roster, pending)?;
        if !toward.is_empty() {
            return Ok(Some(Route {
                on_behalf_of: Some(d.delegator_id),
                toward,
            }));
        }
    }
    Ok(None)
}

/// Who could decide the order `pending` describes at `at`: up to `limit`
/// people, those who may decide it themselves first (see
/// [`Pending::deciders`]), then the delegates who hold a delegation from
/// one of them, each for the delegator [`route`] gives them; and whether
/// there are more.
pub(super) fn could_decide(
    tx: &dyn Tx,
    roster: &dyn Roster,
    account_id: i64,
    pending: &Pending,
    at: Timestamp,
    limit: usize,
) -> Result<RecordedDeciders> {
    let (people, mut more) = pending.deciders(roster, limit)?;
    let mut deciders: Vec<(i64, Option<i64>)> = people.iter().map(|p| (*p, None)).collect();
    for p in &people {
        for d in tx.delegations_from(account_id, *p, at)? {
            let e = d.delegate_id;
            if !d.holds_at(at) || deciders.iter().any(|(x, _)| *x == e) {
                continue;
            }
            // Whom they decide for is whom deciding would record: with
            // two delegations to them, not always `p`.
            let covering = covering(tx, account_id, e, at)?;
            let Some(Route {
                on_behalf_of: Some(delegator),
                ..
            }) = route(roster, pending, e, roster.ability(e)?, &covering)?
            else {
                continue;
            };
            if deciders.len() >= limit {
                more = true;
                break;
            }
            deciders.push((e, Some(delegator)));
        }
    }
    Ok(RecordedDeciders { deciders, more })
}

fn email_of(tx: &dyn Tx, id: i64) -> Result<String> {
    Ok(tx.person(id)?.email.to_string())
}

/// An end of a delegation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    /// Whose deciding it lends.
    Delegator,
    /// Who decides through it.
    Delegate,
}

/// The end of `d` (delegator first) that has no access in `roster`, if
/// any. Deciding through a delegation needs both ends to be active
/// members with portal access, so while one is not, it lends nothing:
/// the inbox, deciding, `order show`'s deciders and `order delegate
/// --list` all judge it here, so they cannot disagree.
pub(super) fn without_access(roster: &dyn Roster, d: &Delegation) -> Result<Option<End>> {
    if !roster.ability(d.delegator_id)?.access {
        return Ok(Some(End::Delegator));
    }
    if !roster.ability(d.delegate_id)?.access {
        return Ok(Some(End::Delegate));
    }
    Ok(None)
}

/// A delegation as `order delegate` prints it, its state at `now`.
pub(super) fn delegation_view(
    tx: &dyn Tx,
    account: &Account,
    d: &Delegation,
    now: Timestamp,
) -> Result<DelegationView> {
    delegation_view_in(tx, &*Catalog::load(tx)?, account, d, now)
}

/// [`delegation_view`] with the catalog already loaded, for a list.
pub(super) fn delegation_view_in(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    d: &Delegation,
    now: Timestamp,
) -> Result<DelegationView> {
    let state = if d.ended_by.is_some() || d.ends_at <= now {
        "ended"
    } else {
        // One that is to come is judged by the members as they are now
        // too: a leaver's delegation would lend nothing when it starts.
        match without_access(&Now::new(tx, catalog, account, now), d)? {
            Some(End::Delegator) => "delegator-without-access",
            Some(End::Delegate) => "delegate-without-access",
            None if d.starts_at > now => "upcoming",
            None => "active",
        }
    };
    Ok(DelegationView {
        account: account.name.clone(),
        delegator: email_of(tx, d.delegator_id)?,
        delegate: email_of(tx, d.delegate_id)?,
        from: d.starts_at,
        until: d.ends_at,
        state,
        created_by: d.created_by.clone(),
        ended_by: d.ended_by.clone(),
    })
}

/// The account a delegation command acts in: the one named, else the one
/// of the delegator named (or of the acting member). The operator who
/// names no delegator is told that first: which account is meant depends
/// on whose deciding it is, so asking for --account would be the wrong
/// question.
///
/// Only an account where the actor may speak for the delegator and
/// `act` lets them is meant (see [`resolve_account`]).
fn account_of(
    tx: &dyn Tx,
    ctx: &Ctx,
    named: Option<&str>,
    delegator_named: Option<&Email>,
    act: impl Fn(&Account, &Person, Membership) -> Result<()>,
) -> Result<Account> {
    let subject = match (&ctx.actor, delegator_named) {
        (_, Some(named)) => named,
        (Actor::Member(me), None) => me,
        (Actor::Operator(_), None) => return Err(no_delegator_named()),
    };
    let catalog = Catalog::load(tx)?;
    resolve_account(tx, ctx, named, Some(subject), |account| {
        let (person, membership) = delegator(tx, &catalog, ctx, account, delegator_named)?;
        act(account, &person, membership)
    })
}

/// Refuses a delegator who decides no orders in `account`: they have no
/// deciding to lend. A member delegating their own lacks the right to
/// (exit 5); the operator, or a member setting one for another, is
/// refused by a rule about the delegator (exit 4), as for a delegator
/// without access.
fn ensure_decides(
    tx: &dyn Tx,
    ctx: &Ctx,
    account: &Account,
    person: &Person,
    approves: bool,
) -> Result<()> {
    let named = tx
        .policies_in(account.id)?
        .iter()
        .any(|p| p.enabled && p.approvers.contains(&person.id));
    if approves || named {
        return Ok(());
    }
    let why = format!(
        "`{}` decides no orders in `{}`: they neither hold `orders.approve` nor are a named approver of a policy",
        person.email, account.name
    );
    let err = match &ctx.actor {
        Actor::Member(me) if *me == person.email => Error::denied(why),
        _ => Error::conflict(why),
    };
    Err(err.help("only someone who may decide orders can delegate it"))
}

/// The command that ends `delegator`'s delegation to `delegate`, as
/// `actor` would paste it: with their `--as`, `--for` unless they are the
/// delegator (the operator always names one), and the account, so it runs
/// as it is.
fn end_command(actor: &Actor, delegator: &Email, delegate: &Email, account: &str) -> String {
    let (me, for_whom) = match actor {
        Actor::Member(me) if me == delegator => (Some(me), None),
        Actor::Member(me) => (Some(me), Some(delegator)),
        Actor::Operator(_) => (None, Some(delegator)),
    };
    Paste::new("")
        .opt_some("--as", me)
        .words("order delegate --end")
        .opt("--to", delegate)
        .opt_some("--for", for_whom)
        .opt("--account", account)
        .to_string()
}

/// The person who sets a delegation as `actor`: a member's person; none
/// for the operator, who acts as no person.
fn setter_id(tx: &dyn Tx, actor: &Actor) -> Result<Option<i64>> {
    match actor {
        Actor::Member(me) => Ok(tx.person_by_email(me.as_str())?.map(|p| p.id)),
        Actor::Operator(_) => Ok(None),
    }
}

/// Who a delegation is recorded as set by, as `created_by` and
/// `setter_id`: `named`, or else the actor. A member names only
/// themselves: naming another would pin on them a delegation they did not
/// set, and keep their orders out of its reach.
fn setter(tx: &dyn Tx, actor: &Actor, named: Option<&Email>) -> Result<(String, Option<i64>)> {
    let Some(named) = named else {
        return Ok((actor.audit_name(), setter_id(tx, actor)?));
    };
    if let Actor::Member(me) = actor {
        if me != named {
            return Err(member_names_another_setter(me, named));
        }
    }
    match tx.person_by_email(named.as_str())? {
        Some(p) => Ok((p.email.to_string(), Some(p.id))),
        None => Err(Error::not_found(format!(
            "no one is `{named}`, who would have set the delegation"
        ))),
    }
}

/// A member named someone else as a delegation's setter.
pub(super) fn member_names_another_setter(me: &Email, named: &Email) -> Error {
    Error::denied(format!(
        "`{me}` may set a delegation only as themselves, not as `{named}`"
    ))
    .help("only the operator restores a delegation as set by someone else")
}

/// The operator acted with no --for.
fn no_delegator_named() -> Error {
    Error::invalid("the operator names whose deciding is delegated: pass --for EMAIL")
        .help("or act as the delegator with --as")
}

/// The delegator a command is about, with the actor allowed to speak for
/// them: a member for themselves; for another member, only someone who
/// holds `users.manage` in the account, or the operator, who must name
/// one.
fn delegator(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    named: Option<&Email>,
) -> Result<(Person, Membership)> {
    match (&ctx.actor, named) {
        (Actor::Operator(_), None) => Err(no_delegator_named()),
        (Actor::Member(me), Some(other)) if other != me => {
            authorize(
                tx,
                catalog,
                ctx,
                account,
                caps::USERS_MANAGE.to("set or end another member's delegations"),
            )?;
            member_in(tx, ctx, other, account)
        }
        (Actor::Operator(_), Some(other)) => member_in(tx, ctx, other, account),
        // A member cut off from the account (deactivated, blocked, gone)
        // holds nothing there: setting or ending their own delegations is
        // refused as every other order command refuses them, so that one
        // kept for when access returns is left to an admin to end.
        (Actor::Member(_), _) => match authorize(
            tx,
            catalog,
            ctx,
            account,
            caps::PORTAL_ACCESS.to("set or end their delegations"),
        )? {
            Authority::Member { person, access } => Ok((*person, access.membership.clone())),
            Authority::Operator | Authority::Partner { .. } => {
                Err(anyhow::anyhow!("a member acts as a member").into())
            }
        },
    }
}

/// The account's delegations that hold or are to come which the actor
/// may see, by start: all of them for the operator and members who hold
/// `orders.approve` or `users.manage`; a member's own (given or held) for
/// anyone else. `order delegate --list` shows these, and `export` writes
/// them.
pub(super) fn visible_delegations(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<Vec<Delegation>> {
    // Reading even one's own needs access: a cut-off member reads none.
    let own = match authorize(
        tx,
        catalog,
        ctx,
        account,
        caps::PORTAL_ACCESS.to("read delegations"),
    )? {
        Authority::Member { person, access }
            if !access.holds(caps::ORDERS_APPROVE) && !access.holds(caps::USERS_MANAGE) =>
        {
            Some(person.id)
        }
        _ => None,
    };
    Ok(tx
        .delegations_in(account.id, ctx.now)?
        .into_iter()
        .filter(|d| own.is_none_or(|p| d.delegator_id == p || d.delegate_id == p))
        .collect())
}

/// Whether `order delegate` could set `d` again now: its delegator an
/// active member with access who decides orders, its delegate an active
/// member with access. One who left or lost their access is no part of
/// what the delegation does now, so `export` leaves it out.
pub(super) fn could_delegate_again(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    d: &Delegation,
    now: Timestamp,
) -> Result<bool> {
    let roster = Now::new(tx, catalog, account, now);
    if without_access(&roster, d)?.is_some() {
        return Ok(false);
    }
    let named = tx
        .policies_in(account.id)?
        .iter()
        .any(|p| p.enabled && p.approvers.contains(&d.delegator_id));
    Ok(roster.ability(d.delegator_id)?.approves || named)
}

/// What a membership may do about approvals now.
fn ability_of(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    m: Membership,
    at: Timestamp,
) -> Result<Ability> {
    Ok(Ability::of(&Access::of(tx, catalog, account, m, at)?))
}

impl Portal {
    /// Lets `req.to` decide, from `req.from` until `req.until`, the orders
    /// the delegator could decide. Both must be active members of the
    /// account with portal access, and the delegator must decide some
    /// orders: hold `orders.approve`, or be named by an enabled policy.
    /// It starts now or later: a delegation backdated would say someone
    /// could decide for another when they could not.
    pub(crate) fn order_delegate(&mut self, req: &DelegateRequest) -> Result<DelegationView> {
        self.delegate_from(req, false, None)
    }

    /// [`Portal::order_delegate`] as a file describes it: recorded as set
    /// by `set_by` when named, so that a copy keeps out its setter's
    /// orders as the original does; only the operator names someone other
    /// than themselves. With `restore` it restores one that started before
    /// now, as it is kept elsewhere: what the operator's apply of an export
    /// does for one that still holds. The operator's alone, as other
    /// restores are: a member delegates from now on.
    pub(crate) fn order_delegate_set_by(
        &mut self,
        req: &DelegateRequest,
        restore: bool,
        set_by: Option<&Email>,
    ) -> Result<DelegationView> {
        if let (true, Actor::Member(me)) = (restore, &self.ctx.actor) {
            return Err(Error::denied(format!(
                "`{me}` may not restore a delegation that started before now"
            ))
            .help("only the operator's apply restores one; a delegation starts now or later"));
        }
        self.delegate_from(req, restore, set_by)
    }

    /// [`Portal::order_delegate_set_by`] once a restore is allowed.
    fn delegate_from(
        &mut self,
        req: &DelegateRequest,
        restore: bool,
        set_by: Option<&Email>,
    ) -> Result<DelegationView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let now = w.ctx.now;
            let decides = |account: &Account, person: &Person, m: Membership| {
                let approves = ability_of(tx, catalog, account, m, now)?.approves;
                ensure_decides(tx, &w.ctx, account, person, approves)
            };
            let account = account_of(
                tx,
                &w.ctx,
                req.account.as_deref(),
                req.delegator.as_ref(),
                decides,
            )?;
            let (from_person, from_m) =
                delegator(tx, catalog, &w.ctx, &account, req.delegator.as_ref())?;
            let from = req.from.unwrap_or(now);
            if req.until <= now {
                return Err(Error::invalid(format!(
                    "--until {} has passed: it is {now}",
                    req.until
                )));
            }
            if from < now && !restore {
                return Err(Error::invalid(format!(
                    "--from {from} has passed: it is {now}"
                ))
                .help("leave --from out to start now; a delegation cannot start in the past"));
            }
            if req.until <= from {
                return Err(Error::invalid(format!(
                    "--until {} is not after --from {from}",
                    req.until
                ))
                .help("a delegation holds from --from (inclusive) until --until (exclusive)"));
            }
            let from_status = from_m.status;
            let from_ability = ability_of(tx, catalog, &account, from_m, now)?;
            if from_status != MemberStatus::Active || !from_ability.access {
                return Err(Error::conflict(format!(
                    "`{}` is not an active member of `{}` with access, so has no deciding to delegate",
                    from_person.email, account.name
                )));
            }
            ensure_decides(tx, &w.ctx, &account, &from_person, from_ability.approves)?;
            let (to_person, to_m) = member_in(tx, &w.ctx, &req.to, &account)?;
            if to_person.id == from_person.id {
                return Err(Error::conflict(format!(
                    "`{}` cannot delegate to themselves",
                    from_person.email
                ))
                .help("name another member of the account with --to"));
            }
            let to_status = to_m.status;
            if to_status != MemberStatus::Active
                || !ability_of(tx, catalog, &account, to_m, now)?.access
            {
                return Err(Error::conflict(format!(
                    "`{}` is not an active member of `{}` with access, so cannot decide for anyone",
                    to_person.email, account.name
                )));
            }
            for d in tx.delegations_from(account.id, from_person.id, now)? {
                if d.delegate_id == to_person.id && d.starts_at < req.until && from < d.ends_at {
                    return Err(Error::conflict(format!(
                        "`{}` already delegates to `{}` from {} until {}",
                        from_person.email, to_person.email, d.starts_at, d.ends_at
                    ))
                    .help(format!(
                        "end it first: `{}`",
                        end_command(&w.ctx.actor, &from_person.email, &to_person.email, &account.name)
                    )));
                }
            }
            let (created_by, setter_id) = setter(tx, &w.ctx.actor, set_by)?;
            let mut d = Delegation {
                id: 0,
                account_id: account.id,
                delegator_id: from_person.id,
                delegate_id: to_person.id,
                starts_at: from,
                ends_at: req.until,
                created_by,
                setter_id,
                created_at: now,
                ended_by: None,
            };
            d.id = tx.insert_delegation(&d)?;
            let view = delegation_view(tx, &account, &d, now)?;
            w.changed(
                "order.delegate",
                &account,
                format!("{} to {}", view.delegator, view.delegate),
                None,
                &view,
            )?;
            Ok(view)
        })
    }

    /// Ends now the delegator's delegations that hold or are to come: the
    /// one to `to`, or all of them.
    pub(crate) fn order_delegate_end(
        &mut self,
        to: Option<&Email>,
        delegator_named: Option<&Email>,
        account: Option<&str>,
    ) -> Result<Vec<DelegationView>> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let now = w.ctx.now;
            let account = account_of(tx, &w.ctx, account, delegator_named, |_, _, _| Ok(()))?;
            let (from_person, _) = delegator(tx, catalog, &w.ctx, &account, delegator_named)?;
            let to_id = to
                .map(|e| member_in(tx, &w.ctx, e, &account).map(|(p, _)| p.id))
                .transpose()?;
            let open: Vec<Delegation> = tx
                .delegations_from(account.id, from_person.id, now)?
                .into_iter()
                .filter(|d| to_id.is_none_or(|t| d.delegate_id == t))
                .collect();
            if open.is_empty() {
                let whom = to.map(|e| format!(" to `{e}`")).unwrap_or_default();
                return Err(Error::not_found(format!(
                    "no delegation from `{}`{whom} holds or is to come in `{}`",
                    from_person.email, account.name
                ))
                .help("`portalctl order delegate --list` shows them"));
            }
            let mut ended = Vec::new();
            for d in open {
                let before = delegation_view(tx, &account, &d, now)?;
                tx.end_delegation(d.id, now, &w.ctx.actor.audit_name())?;
                let after = delegation_view(tx, &account, &tx.delegation(d.id)?, now)?;
                w.changed(
                    "order.delegate.end",
                    &account,
                    format!("{} to {}", after.delegator, after.delegate),
                    Some(&before),
                    &after,
                )?;
                ended.push(after);
            }
            Ok(ended)
        })
    }

    /// The delegations that hold or are to come, by account and start, in
    /// the account named or else in every account the actor may read
    /// them in: all of an account's for the operator and members who hold
    /// `orders.approve` or `users.manage` there; a member's own (given or
    /// held) for anyone else.
    pub(crate) fn order_delegations(
        &mut self,
        account: Option<&str>,
    ) -> Result<Vec<DelegationView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let accounts = listed_accounts(
            &*tx,
            &self.ctx,
            account,
            |account| visible_delegations(&*tx, &catalog, &self.ctx, account),
            "reading delegations needs access to some account",
        )?;
        let mut views = Vec::new();
        for (account, delegations) in accounts {
            for d in &delegations {
                views.push(delegation_view_in(
                    &*tx, &catalog, &account, d, self.ctx.now,
                )?);
            }
        }
        Ok(views)
    }

    /// The pending orders a member may decide now, oldest first: their own
    /// to decide, or a delegator's they cover, in the account named or
    /// else in every account of theirs the actor may see them in. A member
    /// reads their own inbox (`--as`); the operator names the member
    /// (`member`).
    #[cfg(test)]
    pub(crate) fn order_inbox(
        &mut self,
        member: Option<&Email>,
        account: Option<&str>,
    ) -> Result<Vec<InboxView>> {
        self.order_inbox_first(member, account, None)
    }

    /// [`Portal::order_inbox`], its first `limit` orders (all for
    /// `None`): each account's are read a page at a time, by index, and
    /// no further than the first `limit` that wait for the member, so
    /// `--limit 1` costs the same in an account of thousands of pending
    /// orders as in one of three (findings C6).
    pub(crate) fn order_inbox_first(
        &mut self,
        member: Option<&Email>,
        account: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<InboxView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let email =
            match (&self.ctx.actor, member) {
                (Actor::Member(me), None) => me.clone(),
                (Actor::Member(me), Some(e)) if e == me => me.clone(),
                (Actor::Member(me), Some(_)) => {
                    return Err(Error::denied(format!(
                        "`{me}` may not read another member's inbox"
                    ))
                    .help("a member reads their own with --as; the operator names one with --for"))
                }
                (Actor::Operator(_), Some(e)) => e.clone(),
                (Actor::Operator(_), None) => return Err(Error::invalid(
                    "`order inbox` is a member's: pass --as EMAIL, or --for EMAIL as the operator",
                )),
            };
        let mut inbox = Vec::new();
        // Only ever one's own inbox: read while one has access at all.
        let reads = super::visibility::holds_need(&*tx, &catalog, &self.ctx, caps::PORTAL_ACCESS);
        for account in subject_accounts(&*tx, &self.ctx, account, &email, reads)? {
            inbox.extend(inbox_in(
                &*tx, &catalog, &self.ctx, &account, &email, limit,
            )?);
        }
        // Each account's are in order already; oldest first across them.
        inbox.sort_by_key(|o| o.created_at);
        Ok(super::first(inbox, limit))
    }
}

/// The pending orders of `account` that `email` may decide at `now`, the
/// first `limit` of them (all for `None`).
fn inbox_in(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    email: &Email,
    limit: Option<u32>,
) -> Result<Vec<InboxView>> {
    let now = ctx.now;
    // A member reads their own inbox: in an account they are no member of
    // (`--account`), they are refused as every other command refuses them
    // (exit 5), not told they are not found (findings C12). One cut off
    // there is still a member, and reads an empty inbox.
    if let Actor::Member(_) = ctx.actor {
        super::access::authority(tx, catalog, ctx, account)?;
    }
    let (person, membership) = member_in(tx, ctx, email, account)?;
    let ability = ability_of(tx, catalog, account, membership, now)?;
    if !ability.access {
        return Ok(Vec::new());
    }
    // Policies are named as `order show` names them to the reader (see
    // `orders::as_read`): not to one whose role does not read them.
    let hides_policies = match super::policies::reads_policies(tx, catalog, ctx, account) {
        Ok(()) => false,
        Err(Error::Denied(_)) => true,
        Err(e) => return Err(e),
    };
    let covering = covering(tx, account.id, person.id, now)?;
    let roster = Now::new(tx, catalog, account, now);
    // An account approver, or one covering for one, may decide any
    // pending order; anyone else only those whose policies name them or a
    // delegator they cover, found by index.
    let mut approves_any = ability.approves;
    for c in &covering {
        approves_any = approves_any || roster.ability(c.d.delegator_id)?.approves;
    }
    let mut candidates = if approves_any {
        Candidates::Pages {
            account: account.id,
            after: 0,
            page: limit.map(|n| n.max(1)),
        }
    } else {
        let mut found: Vec<Order> = Vec::new();
        for p in std::iter::once(person.id).chain(covering.iter().map(|c| c.d.delegator_id)) {
            for o in tx.pending_orders_naming(account.id, p)? {
                if !found.iter().any(|f| f.id == o.id) {
                    found.push(o);
                }
            }
        }
        found.sort_by_key(|o| o.id);
        Candidates::Read(found.into_iter())
    };
    let wanted = limit.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let mut inbox = Vec::new();
    while inbox.len() < wanted {
        let Some(order) = candidates.next(tx)? else {
            break;
        };
        let pending = pending_of(tx, &roster, &order)?;
        let Some(route) = route(&roster, &pending, person.id, ability, &covering)? else {
            continue;
        };
        let policies = pending
            .holds
            .iter()
            .filter(|h| route.toward.contains(&h.policy.policy_id))
            .map(|h| PolicyProgress {
                name: if hides_policies {
                    String::new()
                } else {
                    h.policy.name.clone()
                },
                required_approvals: h.policy.required_approvals,
                approvals: h.approvals,
                satisfied: h.approvals >= h.policy.required_approvals,
                // The holds leave out the policies that released it.
                released: false,
                stuck: None,
                ease: None,
            })
            .collect();
        inbox.push(InboxView {
            id: order.number,
            reference: order.reference.clone(),
            account: account.name.clone(),
            created_by: match order.creator_id {
                Some(id) => email_of(tx, id)?,
                None => order.creator.clone(),
            },
            description: order.description.clone(),
            amount: order.amount.shown_in(&order.currency),
            currency: order.currency.clone(),
            policies,
            on_behalf_of: route.on_behalf_of.map(|d| email_of(tx, d)).transpose()?,
            created_at: order.created_at,
        });
    }
    Ok(inbox)
}

/// The pending orders an inbox weighs, oldest first.
enum Candidates {
    /// Those already read: the orders naming the member or a delegator
    /// they cover, no more than they could decide.
    Read(std::vec::IntoIter<Order>),
    /// Every pending order of the account, read by index a page at a
    /// time from after order `after`: an approver may decide any, and
    /// an inbox asked for its first few reads no more pages than those
    /// take. Each page is twice the last (no pages for `None`: all at
    /// once), so a member whose first orders they may not decide (their
    /// own) costs a few statements, not one per order.
    Pages {
        account: i64,
        after: i64,
        page: Option<u32>,
    },
    /// A page read, then the pages after it.
    Paged(std::vec::IntoIter<Order>, i64, i64, Option<u32>),
    /// No more.
    Done,
}

impl Candidates {
    /// The next order to weigh.
    fn next(&mut self, tx: &dyn Tx) -> Result<Option<Order>> {
        loop {
            match self {
                Candidates::Read(orders) => return Ok(orders.next()),
                Candidates::Done => return Ok(None),
                Candidates::Paged(orders, account, after, page) => {
                    if let Some(order) = orders.next() {
                        *after = order.id;
                        return Ok(Some(order));
                    }
                    *self = match *page {
                        // All were read at once.
                        None => Candidates::Done,
                        Some(n) => Candidates::Pages {
                            account: *account,
                            after: *after,
                            page: Some(n.saturating_mul(2).min(PAGE_MOST)),
                        },
                    };
                }
                Candidates::Pages {
                    account,
                    after,
                    page,
                } => {
                    let (account, after, page) = (*account, *after, *page);
                    let orders = match page {
                        Some(n) => tx.pending_orders_after(account, after, n)?,
                        None => tx.pending_orders_in(account)?,
                    };
                    // A page shorter than asked for was the last.
                    let last = page.is_none_or(|n| orders.len() < n as usize);
                    *self = if orders.is_empty() {
                        Candidates::Done
                    } else if last {
                        Candidates::Paged(orders.into_iter(), account, after, None)
                    } else {
                        Candidates::Paged(orders.into_iter(), account, after, page)
                    };
                }
            }
        }
    }
}

/// The most pending orders an inbox page reads at once.
const PAGE_MOST: u32 = 512;

/// The gate's rule for delegations a write creates: lending deciding is
/// giving `orders.approve`'s power, which only the delegator (lending
/// their own), the operator, or a member holding `orders.approve` in the
/// account may give, and only for as long as they hold it: a member
/// whose own `orders.approve` lapses at T may not lend another's
/// deciding past T, as they may not give a role past T (see `review.rs`).
pub(super) fn ensure_delegations_given_by_holders(
    w_tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    created: &[Delegation],
) -> Result<()> {
    let Actor::Member(email) = &ctx.actor else {
        return Ok(());
    };
    let Some(actor) = w_tx.person_by_email(email.as_str())? else {
        return Ok(());
    };
    for d in created {
        if d.delegator_id == actor.id {
            continue;
        }
        let account = w_tx.account(d.account_id)?;
        let lacks = match w_tx.membership_of(actor.id, account.id)? {
            Some(m) => {
                first_moment_without_approve(w_tx, catalog, &account, m, ctx.now, d.ends_at)?
            }
            None => Some(ctx.now),
        };
        let Some(at) = lacks else { continue };
        let (delegate, delegator) = (
            email_of(w_tx, d.delegate_id)?,
            email_of(w_tx, d.delegator_id)?,
        );
        return Err(if at == ctx.now {
            Error::denied(format!(
                "`{email}` cannot let `{delegate}` decide `{delegator}`'s orders in `{}`: it gives `orders.approve`, which they do not hold",
                account.name
            ))
            .help("the delegator, the account's owner or another holder of `orders.approve` can set it")
        } else {
            Error::denied(format!(
                "`{email}` cannot let `{delegate}` decide `{delegator}`'s orders in `{}` until {}: it gives `orders.approve`, which they do not hold from {at}",
                account.name, d.ends_at
            ))
            .help(format!(
                "a member gives only what they hold, for as long as they hold it: let it end by {at}, or ask someone who holds `orders.approve` for good"
            ))
        });
    }
    Ok(())
}

/// The first moment from `now` until `until` at which `m` does not hold
/// `orders.approve`, if any. What a member holds changes only when
/// something of theirs lapses, so those moments are the only ones to look
/// at after `now`.
fn first_moment_without_approve(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    m: Membership,
    now: Timestamp,
    until: Timestamp,
) -> Result<Option<Timestamp>> {
    let grants = tx.grants(m.id)?;
    let mut moments: Vec<Timestamp> = m
        .lapses(&grants)
        .filter(|at| *at > now && *at < until)
        .collect();
    moments.push(now);
    moments.sort_unstable();
    for at in moments {
        let then = Access::of(tx, catalog, account, m.clone().in_force(at), at)?;
        if !then.holds(caps::ORDERS_APPROVE) {
            return Ok(Some(at));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{add_account, email, join, seeded};
    use crate::domain::{NewOrder, NewPolicy};
    use crate::model::Money;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("a time")
    }

    const T1: &str = "2026-11-26T09:00:00Z";
    const T2: &str = "2026-11-27T17:00:00Z";

    /// Acme with manager ann (places orders), user eve, and a policy
    /// holding orders over 50 for any approver; ann's order of 60 waits.
    fn acme() -> (Portal, i64) {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "manager");
        join(&mut p, "eve@acme.test", "user");
        p.policy_create(&NewPolicy {
            name: "Over 50".into(),
            threshold: "50.00".parse::<Money>().expect("amount"),
            order_type: None,
            approvers: Vec::new(),
            required_approvals: None,
            account: None,
        })
        .expect("policy");
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        let order = p
            .order_place(&NewOrder {
                description: "Router".into(),
                amount: "60.00".parse::<Money>().expect("amount"),
                ..NewOrder::default()
            })
            .expect("order");
        p.ctx.actor = Actor::Operator("root".into());
        (p, order.id)
    }

    fn away(p: &mut Portal, delegator: &str, delegate: &str) -> Result<DelegationView> {
        p.ctx.actor = Actor::Member(email(delegator));
        p.order_delegate(&DelegateRequest {
            to: email(delegate),
            from: Some(at(T1)),
            until: at(T2),
            delegator: None,
            account: None,
        })
    }

    /// A delegation starts now or later: one backdated would say its
    /// delegate could decide when they could not. Only the operator
    /// restores one that started before now (an export of one that holds).
    #[test]
    fn a_delegation_starts_now_or_later_unless_the_operator_restores_it() {
        let (mut p, _) = acme();
        p.ctx.now = at(T1);
        let backdated = DelegateRequest {
            to: email("eve@acme.test"),
            from: Some(at("2026-11-26T08:59:59Z")),
            until: at(T2),
            delegator: Some(email("owner@acme.test")),
            account: None,
        };
        let err = p.order_delegate(&backdated).expect_err("backdated");
        assert_eq!(err.exit_code(), 2, "{err}");
        assert!(err.to_string().contains("has passed"), "{err}");
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let mine = DelegateRequest {
            delegator: None,
            ..backdated.clone()
        };
        let err = p
            .order_delegate_set_by(&mine, true, None)
            .expect_err("a member's");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(p.order_delegate(&mine).is_err());
        let from_now = DelegateRequest {
            from: Some(at(T1)),
            ..mine
        };
        assert_eq!(
            p.order_delegate(&from_now).expect("from now").state,
            "active"
        );
        p.ctx.actor = Actor::Operator("root".into());
        let restored = DelegateRequest {
            to: email("ann@acme.test"),
            ..backdated
        };
        let v = p
            .order_delegate_set_by(&restored, true, None)
            .expect("the operator's");
        assert_eq!(v.from, at("2026-11-26T08:59:59Z"));
    }

    /// In a database of several accounts, the operator who leaves out
    /// --for is told to name the delegator, not asked for --account first.
    #[test]
    fn the_operator_is_asked_for_the_delegator_before_the_account() {
        let (mut p, _) = acme();
        add_account(&mut p, "Beta", crate::model::AccountKind::Customer, None);
        let asked = |p: &mut Portal| {
            p.order_delegate(&DelegateRequest {
                to: email("eve@acme.test"),
                from: None,
                until: at(T2),
                delegator: None,
                account: None,
            })
            .expect_err("no --for")
        };
        let err = asked(&mut p);
        assert_eq!(err.exit_code(), 2, "{err}");
        assert!(err.to_string().contains("pass --for EMAIL"), "{err}");
        let err = p
            .order_delegate_end(None, None, None)
            .expect_err("no --for");
        assert!(err.to_string().contains("pass --for EMAIL"), "{err}");
    }

    /// A delegation made twice is refused with the command that ends the
    /// first as its refused actor would paste it: their `--as`, and `--for`
    /// wherever the actor is not the delegator.
    #[test]
    fn a_duplicate_delegation_s_help_names_who_ends_it() {
        let (mut p, _) = acme();
        join(&mut p, "fin@acme.test", "admin");
        away(&mut p, "fin@acme.test", "eve@acme.test").expect("first");
        let err = away(&mut p, "fin@acme.test", "eve@acme.test").expect_err("twice");
        assert_eq!(
            err.help_text(),
            Some("end it first: `portalctl --as fin@acme.test order delegate --end --to eve@acme.test --account Acme`"),
            "{err}"
        );
        p.ctx.actor = Actor::Operator("root".into());
        let err = p
            .order_delegate(&DelegateRequest {
                to: email("eve@acme.test"),
                from: Some(at(T1)),
                until: at(T2),
                delegator: Some(email("fin@acme.test")),
                account: None,
            })
            .expect_err("twice");
        assert_eq!(
            err.help_text(),
            Some("end it first: `portalctl order delegate --end --to eve@acme.test --for fin@acme.test --account Acme`"),
            "{err}"
        );
    }

    /// Scripts read `policies` from the inbox as from `order show`: each
    /// a policy's progress, not a bare name.
    #[test]
    fn the_inbox_gives_each_policy_with_its_progress_as_order_show_does() {
        let (mut p, id) = acme();
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let inbox = p.order_inbox(None, None).expect("inbox");
        let mut shown = p.order_show(id).expect("show").policies;
        // Whether a policy is stuck is `order show`'s alone.
        for policy in &mut shown {
            policy.stuck = None;
            policy.ease = None;
        }
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].policies, shown);
        assert_eq!(inbox[0].policies[0].name, "Over 50");
        assert_eq!(inbox[0].policies[0].required_approvals, 1);
        assert_eq!(inbox[0].policies[0].approvals, 0);
        assert!(!inbox[0].policies[0].satisfied);
    }

    #[test]
    fn a_delegate_decides_from_the_start_until_just_before_the_end() {
        let (mut p, id) = acme();
        away(&mut p, "owner@acme.test", "eve@acme.test").expect("delegate");
        p.ctx.actor = Actor::Member(email("eve@acme.test"));
        for (now, holds) in [
            ("2026-11-26T08:59:59Z", false),
            (T1, true),
            ("2026-11-27T16:59:59Z", true),
            (T2, false),
            ("2026-11-27T17:00:01Z", false),
        ] {
            p.ctx.now = at(now);
            let inbox = p.order_inbox(None, None).expect("inbox");
            assert_eq!(inbox.len(), usize::from(holds), "at {now}");
            if holds {
                assert_eq!(inbox[0].on_behalf_of.as_deref(), Some("owner@acme.test"));
                // Eve's own role reads no policies: their names are not
                // hers to read, as `order show` gives them (att14).
                assert_eq!(inbox[0].policies[0].name, "");
            } else {
                let err = p
                    .order_decide(id, None)
                    .expect_err("not while it does not hold");
                assert_eq!(err.exit_code(), 5, "{err}");
            }
        }
        p.ctx.now = at(T1);
        let v = p.order_decide(id, None).expect("approve for the owner");
        assert_eq!(v.approvals, vec!["eve@acme.test".to_string()]);
        assert_eq!(
            v.decisions[0].on_behalf_of.as_deref(),
            Some("owner@acme.test")
        );
        // Who could decide it is not Eve's to read (her role reads no
        // policies); the operator reads it recorded.
        assert_eq!(v.could_decide, None);
        p.ctx.actor = Actor::Operator("root".into());
        let could = p
            .order_show(id)
            .expect("show")
            .could_decide
            .expect("recorded");
        assert!(could
            .iter()
            .any(|d| d.email == "eve@acme.test"
                && d.on_behalf_of.as_deref() == Some("owner@acme.test")));
    }

    /// Someone who decides no orders has none to lend: refused as a rule
    /// about them (exit 4) to whoever names them, and as a right they
    /// lack (exit 5) to themselves.
    #[test]
    fn a_delegator_who_decides_nothing_is_refused_by_who_asks() {
        let (mut p, _) = acme();
        let req = DelegateRequest {
            to: email("ann@acme.test"),
            from: Some(at(T1)),
            until: at(T2),
            delegator: Some(email("eve@acme.test")),
            account: None,
        };
        let err = p.order_delegate(&req).expect_err("the operator's");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(err.to_string().contains("decides no orders"), "{err}");
        let err = away(&mut p, "eve@acme.test", "ann@acme.test").expect_err("her own");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(err.to_string().contains("decides no orders"), "{err}");
    }

    /// A delegation ended before it began lends for no time: it is not
    /// listed, and a second `--end` finds nothing to end.
    #[test]
    fn a_delegation_ended_before_it_began_is_gone() {
        let (mut p, _) = acme();
        away(&mut p, "owner@acme.test", "eve@acme.test").expect("delegate");
        let ended = p
            .order_delegate_end(None, None, None)
            .expect("end the upcoming one");
        assert_eq!(ended.len(), 1);
        assert!(p.order_delegations(None).expect("list").is_empty());
        let err = p
            .order_delegate_end(None, None, None)
            .expect_err("nothing left to end");
        assert_eq!(err.exit_code(), 3, "{err}");
    }

    /// The gate: lending someone else's deciding gives `orders.approve`'s
    /// power, which a member who manages users but does not approve cannot
    /// give.
    #[test]
    fn only_a_holder_of_orders_approve_sets_a_delegation_for_another() {
        let mut p = crate::domain::testing::ann_administers_the_customer_area();
        join(&mut p, "bob@acme.test", "member");
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        let req = DelegateRequest {
            to: email("bob@acme.test"),
            from: None,
            until: at(T2),
            delegator: Some(email("owner@acme.test")),
            account: None,
        };
        let err = p.order_delegate(&req).expect_err("ann does not approve");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(err.to_string().contains("orders.approve"), "{err}");
        p.ctx.actor = Actor::Operator("root".into());
        p.order_delegate(&req).expect("the operator may");
    }

    /// A member gives only what they hold, for as long as they hold it:
    /// an admin until T1 may not lend the owner's deciding past T1, nor
    /// name anyone (themselves included) a policy's approver, a place
    /// with no end. Lent until T1 it is theirs to lend, and a lasting
    /// admin gives all three.
    #[test]
    fn a_time_bound_approver_gives_deciding_only_until_their_own_ends() {
        let (mut p, _) = acme();
        join(&mut p, "ted@acme.test", "user");
        join(&mut p, "fin@acme.test", "admin");
        p.set_role(&email("ted@acme.test"), "admin", None, Some(at(T1)))
            .expect("ted is admin until T1");
        let lend = |to: &str, until: &str| DelegateRequest {
            to: email(to),
            from: None,
            until: at(until),
            delegator: Some(email("owner@acme.test")),
            account: None,
        };
        let name = |policy: &str, approver: &str| NewPolicy {
            name: policy.into(),
            threshold: "5.00".parse::<Money>().expect("amount"),
            order_type: None,
            approvers: vec![email(approver)],
            required_approvals: None,
            account: None,
        };
        let events = |p: &mut Portal| {
            p.ctx.actor = Actor::Operator("root".into());
            p.audit_head().expect("head").seq
        };
        let before = events(&mut p);
        let as_ted = |p: &mut Portal| p.ctx.actor = Actor::Member(email("ted@acme.test"));
        as_ted(&mut p);
        let refused = [
            p.order_delegate(&lend("eve@acme.test", T2)).map(|_| ()),
            p.policy_create(&name("Self", "ted@acme.test")).map(|_| ()),
            p.policy_create(&name("Eve's", "eve@acme.test")).map(|_| ()),
        ];
        for (k, result) in refused.into_iter().enumerate() {
            let err = result.expect_err("past ted's own deciding");
            assert_eq!(err.exit_code(), 5, "{k}: {err}");
            assert!(
                err.to_string().contains(&format!("from {}", at(T1))),
                "{k}: {err}"
            );
        }
        assert_eq!(events(&mut p), before, "nothing was written");
        as_ted(&mut p);
        p.order_delegate(&lend("eve@acme.test", T1))
            .expect("lent until ted's own deciding ends");
        p.ctx.actor = Actor::Member(email("fin@acme.test"));
        p.order_delegate(&lend("ted@acme.test", T2))
            .expect("a lasting admin lends it");
        p.policy_create(&name("Self", "ted@acme.test"))
            .expect("a lasting admin names ted");
        p.policy_create(&name("Eve's", "eve@acme.test"))
            .expect("a lasting admin names eve");
    }

    /// The owner's deciding lent to `to` from T1 until T2, set by `by`
    /// (`--for owner`, or the owner's own with `by` the owner).
    fn owner_away(p: &mut Portal, by: &str, to: &str) -> Result<DelegationView> {
        p.ctx.actor = Actor::Member(email(by));
        p.order_delegate(&DelegateRequest {
            to: email(to),
            from: Some(at(T1)),
            until: at(T2),
            delegator: Some(email("owner@acme.test")),
            account: None,
        })
    }

    /// Places an order of 60 as `who`.
    fn place_as(p: &mut Portal, who: &str) -> i64 {
        p.ctx.actor = Actor::Member(email(who));
        p.order_place(&NewOrder {
            description: "Laptop".into(),
            amount: "60.00".parse::<Money>().expect("amount"),
            ..NewOrder::default()
        })
        .expect("order")
        .id
    }

    /// Who `order show` says may decide `id` now, delegates with whom
    /// they decide for.
    fn shown_deciders(p: &mut Portal, id: i64) -> (Vec<String>, Vec<(String, Option<String>)>) {
        p.ctx.actor = Actor::Operator("root".into());
        let v = p.order_show(id).expect("show");
        let delegates = v
            .delegates
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.email, d.on_behalf_of))
            .collect();
        (v.deciders.unwrap_or_default(), delegates)
    }

    /// The attack: admin fiona places an order, lends the owner's deciding
    /// to user una, and una approves fiona's order for the owner. A
    /// delegation never lends deciding on its setter's orders: una may
    /// not decide it, her inbox leaves it out, and `order show` does not
    /// name her. The same delegation still lends the owner's deciding on
    /// anyone else's order.
    #[test]
    fn a_delegation_never_lends_deciding_on_its_setter_s_own_order() {
        let (mut p, anns) = acme();
        join(&mut p, "fiona@acme.test", "admin");
        join(&mut p, "una@acme.test", "user");
        let fionas = place_as(&mut p, "fiona@acme.test");
        owner_away(&mut p, "fiona@acme.test", "una@acme.test").expect("fiona lends it");
        p.ctx.now = at(T1);
        let before = {
            p.ctx.actor = Actor::Operator("root".into());
            p.audit_head().expect("head").seq
        };

        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let inbox: Vec<i64> = p
            .order_inbox(None, None)
            .expect("inbox")
            .iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(inbox, vec![anns], "only ann's order is una's to decide");
        let err = p
            .order_decide(fionas, None)
            .expect_err("not fiona's own order");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(
            err.to_string()
                .contains("`fiona@acme.test` set that delegation and placed the order"),
            "{err}"
        );
        let (deciders, delegates) = shown_deciders(&mut p, fionas);
        assert!(
            !deciders.contains(&"una@acme.test".to_string()),
            "{deciders:?}"
        );
        assert!(delegates.is_empty(), "{delegates:?}");
        p.ctx.actor = Actor::Operator("root".into());
        assert_eq!(p.audit_head().expect("head").seq, before, "nothing written");

        // Anyone else's order, the delegation lends the owner's deciding on.
        let (deciders, delegates) = shown_deciders(&mut p, anns);
        assert!(
            deciders.contains(&"una@acme.test".to_string()),
            "{deciders:?}"
        );
        assert_eq!(
            delegates,
            vec![(
                "una@acme.test".to_string(),
                Some("owner@acme.test".to_string())
            )]
        );
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let v = p
            .order_decide(anns, None)
            .expect("ann's order, for the owner");
        assert_eq!(
            v.decisions[0].on_behalf_of.as_deref(),
            Some("owner@acme.test")
        );
    }

    /// An admin holding `orders.approve` may lend the owner's deciding,
    /// but only what they could decide themselves: not a policy that names
    /// the owner alone. Una, lent the owner's deciding by fiona, is refused
    /// an order only the owner may decide, and one whose policies fiona
    /// could decide only some of.
    #[test]
    fn a_delegation_set_for_another_lends_only_what_its_setter_could_decide() {
        let (mut p, _) = acme();
        join(&mut p, "fiona@acme.test", "admin");
        join(&mut p, "una@acme.test", "user");
        p.policy_create(&NewPolicy {
            name: "Owner only".into(),
            threshold: "10.00".parse::<Money>().expect("amount"),
            order_type: Some("special".into()),
            approvers: vec![email("owner@acme.test")],
            required_approvals: None,
            account: None,
        })
        .expect("policy");
        let special = |p: &mut Portal, amount: &str| {
            p.ctx.actor = Actor::Member(email("ann@acme.test"));
            p.order_place(&NewOrder {
                description: "Special".into(),
                amount: amount.parse::<Money>().expect("amount"),
                order_type: Some("special".into()),
                ..NewOrder::default()
            })
            .expect("order")
            .id
        };
        // Only "Owner only" matches 40; both match 60.
        let owners = special(&mut p, "40.00");
        let both = special(&mut p, "60.00");
        owner_away(&mut p, "fiona@acme.test", "una@acme.test").expect("fiona lends it");
        p.ctx.now = at(T1);
        let head = |p: &mut Portal| {
            p.ctx.actor = Actor::Operator("root".into());
            p.audit_head().expect("head").seq
        };
        let before = head(&mut p);

        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let err = p
            .order_decide(owners, None)
            .expect_err("fiona may not decide it");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(
            err.to_string().contains(
                "`fiona@acme.test` set that delegation and may not decide the order themselves"
            ),
            "{err}"
        );
        let (deciders, delegates) = shown_deciders(&mut p, owners);
        assert_eq!(deciders, vec!["owner@acme.test".to_string()]);
        assert!(delegates.is_empty(), "{delegates:?}");
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let inbox: Vec<i64> = (p.order_inbox(None, None).expect("inbox").iter())
            .map(|o| o.id)
            .collect();
        assert!(!inbox.contains(&owners), "{inbox:?}");
        assert_eq!(head(&mut p), before, "nothing written");

        // Of an order both policies match, fiona could decide only one:
        // una's decision would be the owner's one decision on it, leaving
        // the owner's policy to nobody, so none is lent; the owner decides.
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let err = p.order_decide(both, None).expect_err("not all of it");
        assert_eq!(err.exit_code(), 5, "{err}");
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let v = p.order_decide(both, None).expect("the owner's own");
        assert_eq!(v.status, crate::model::OrderStatus::Approved);
    }

    /// A delegation the owner sets herself lends her deciding on fiona's
    /// order: only the setter's orders are out of its reach.
    #[test]
    fn the_delegator_s_own_delegation_reaches_an_admin_s_order() {
        let (mut p, _) = acme();
        join(&mut p, "fiona@acme.test", "admin");
        join(&mut p, "una@acme.test", "user");
        let fionas = place_as(&mut p, "fiona@acme.test");
        owner_away(&mut p, "owner@acme.test", "una@acme.test").expect("the owner's own");
        p.ctx.now = at(T1);
        let (_, delegates) = shown_deciders(&mut p, fionas);
        assert!(
            delegates.contains(&(
                "una@acme.test".to_string(),
                Some("owner@acme.test".to_string())
            )),
            "{delegates:?}"
        );
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        assert!(p
            .order_inbox(None, None)
            .expect("inbox")
            .iter()
            .any(|o| o.id == fionas));
        let v = p.order_decide(fionas, None).expect("for the owner");
        assert_eq!(
            v.decisions[0].on_behalf_of.as_deref(),
            Some("owner@acme.test")
        );
    }

    /// Nor on an order its setter decided already: once fiona approved an
    /// order needing two approvals, the delegation she set does not let
    /// una add the owner's.
    #[test]
    fn a_delegation_never_lends_deciding_on_an_order_its_setter_decided() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "manager");
        join(&mut p, "fiona@acme.test", "admin");
        join(&mut p, "una@acme.test", "user");
        p.policy_create(&NewPolicy {
            name: "Two".into(),
            threshold: "50.00".parse::<Money>().expect("amount"),
            order_type: None,
            approvers: Vec::new(),
            required_approvals: Some(2),
            account: None,
        })
        .expect("policy");
        let anns = place_as(&mut p, "ann@acme.test");
        p.ctx.actor = Actor::Member(email("fiona@acme.test"));
        p.order_decide(anns, None).expect("fiona approves");
        owner_away(&mut p, "fiona@acme.test", "una@acme.test").expect("fiona lends it");
        p.ctx.now = at(T1);
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        assert!(p.order_inbox(None, None).expect("inbox").is_empty());
        let err = p.order_decide(anns, None).expect_err("fiona decided it");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(err.to_string().contains("and decided the order"), "{err}");
        let (_, delegates) = shown_deciders(&mut p, anns);
        assert!(delegates.is_empty(), "{delegates:?}");
    }

    /// The operator acts as no person: a delegation they set has no
    /// setter, and lends the delegator's deciding on any order.
    #[test]
    fn the_operator_s_delegation_has_no_setter_to_keep_out() {
        let (mut p, _) = acme();
        join(&mut p, "fiona@acme.test", "admin");
        join(&mut p, "una@acme.test", "user");
        let fionas = place_as(&mut p, "fiona@acme.test");
        p.ctx.actor = Actor::Operator("root".into());
        p.order_delegate(&DelegateRequest {
            to: email("una@acme.test"),
            from: Some(at(T1)),
            until: at(T2),
            delegator: Some(email("owner@acme.test")),
            account: None,
        })
        .expect("the operator's");
        p.ctx.now = at(T1);
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        p.order_decide(fionas, None).expect("for the owner");
    }

    /// A delegator who lost access lends nothing: deciding is judged from
    /// their standing when the delegate decides.
    #[test]
    fn a_delegator_without_access_lends_nothing() {
        let (mut p, id) = acme();
        join(&mut p, "fin@acme.test", "admin");
        away(&mut p, "fin@acme.test", "eve@acme.test").expect("delegate");
        p.ctx.actor = Actor::Operator("root".into());
        p.deactivate(
            &email("fin@acme.test"),
            None,
            &crate::domain::Handover::Refuse,
        )
        .expect("deactivate");
        p.ctx.actor = Actor::Member(email("eve@acme.test"));
        p.ctx.now = at(T1);
        assert!(p.order_inbox(None, None).expect("inbox").is_empty());
        let err = p
            .order_decide(id, None)
            .expect_err("fin decides nothing now");
        assert_eq!(err.exit_code(), 5, "{err}");
    }

    /// A delegate sees the orders their delegator sees, no more: an
    /// approver's delegate reads every order while the approver may, a
    /// named approver's whose role reads none reads none through them.
    #[test]
    fn a_delegation_lends_the_sight_of_orders_its_delegator_has() {
        let (mut p, id) = acme();
        join(&mut p, "fin@acme.test", "admin");
        join(&mut p, "uma@acme.test", "user");
        p.policy_create(&NewPolicy {
            name: "Uma signs".into(),
            threshold: "5000.00".parse::<Money>().expect("amount"),
            order_type: None,
            approvers: vec![email("uma@acme.test")],
            required_approvals: None,
            account: None,
        })
        .expect("policy");
        let eve_reads = |p: &mut Portal| {
            p.ctx.actor = Actor::Member(email("eve@acme.test"));
            p.ctx.now = at(T1);
            let shown = p.order_show(id).map(|o| o.id).map_err(|e| e.exit_code());
            p.ctx.actor = Actor::Operator("root".into());
            shown
        };
        away(&mut p, "uma@acme.test", "eve@acme.test").expect("uma away");
        // As to uma, named to decide none of them, it is no order to eve.
        p.ctx.actor = Actor::Member(email("uma@acme.test"));
        let uma_reads = p.order_show(id).map(|o| o.id).map_err(|e| e.exit_code());
        assert_eq!(uma_reads, Err(3));
        assert_eq!(eve_reads(&mut p), uma_reads, "uma reads no orders");
        away(&mut p, "fin@acme.test", "eve@acme.test").expect("fin away");
        assert_eq!(eve_reads(&mut p), Ok(id), "fin reads every order");
        p.deactivate(
            &email("fin@acme.test"),
            None,
            &crate::domain::Handover::Refuse,
        )
        .expect("deactivate");
        assert_eq!(eve_reads(&mut p), uma_reads, "fin reads none now");
    }

    /// The list judges a delegation as deciding through it does: a
    /// delegate who left lends nothing, and is listed so, not `active`.
    #[test]
    fn a_delegate_who_left_is_listed_as_lending_nothing() {
        let (mut p, id) = acme();
        away(&mut p, "owner@acme.test", "eve@acme.test").expect("delegate");
        p.ctx.now = at(T1);
        p.ctx.actor = Actor::Operator("root".into());
        let states = |p: &mut Portal| -> Vec<&'static str> {
            p.order_delegations(None)
                .expect("list")
                .iter()
                .map(|d| d.state)
                .collect()
        };
        assert_eq!(states(&mut p), vec!["active"]);
        p.left_company(
            &email("eve@acme.test"),
            None,
            &crate::domain::Handover::Refuse,
        )
        .expect("left");
        assert_eq!(states(&mut p), vec!["delegate-without-access"]);
        p.ctx.actor = Actor::Member(email("eve@acme.test"));
        let err = p.order_decide(id, None).expect_err("eve decides nothing");
        assert_eq!(err.exit_code(), 5, "{err}");
    }

    /// Whom each of `members` may decide order `id` for, as their inbox
    /// says (`Some(None)`: for themselves), beside what `order show`
    /// says of them: one judgement, so the two agree for everyone.
    #[track_caller]
    fn inbox_agrees_with_show(p: &mut Portal, id: i64, members: &[&str]) {
        let (deciders, delegates) = shown_deciders(p, id);
        for who in members {
            let inbox = p.order_inbox(Some(&email(who)), None).expect("inbox");
            let listed = inbox
                .iter()
                .find(|o| o.id == id)
                .map(|o| o.on_behalf_of.clone());
            let shown = match delegates.iter().find(|(e, _)| e == who) {
                Some((_, d)) => Some(d.clone()),
                None => deciders.iter().any(|d| d == who).then_some(None),
            };
            assert_eq!(listed, shown, "{who}: inbox against `order show`");
        }
    }

    /// Findings N#2: a named approver whose role reads no orders (bob, a
    /// `user`) lends their deciding like any other: the inbox and `order
    /// show` offered bob's order to his delegate, and `order approve`
    /// then refused them as lacking `orders.approve`. The delegate finds
    /// it, reads it and decides it for bob; the same once bob's admin
    /// role lapsed back to `user`.
    #[test]
    fn a_named_approver_s_delegate_decides_what_they_could() {
        let (mut p, _) = acme();
        join(&mut p, "bob@acme.test", "user");
        join(&mut p, "cat@acme.test", "admin");
        p.policy_create(&NewPolicy {
            approvers: vec![email("bob@acme.test"), email("cat@acme.test")],
            required_approvals: Some(2),
            ..crate::domain::testing::policy_over("Bob and Cat", "50.00")
        })
        .expect("policy");
        let id = place_as(&mut p, "ann@acme.test");
        p.ctx.actor = Actor::Operator("root".into());
        let until = at("2026-11-26T12:00:00Z");
        p.set_role(&email("bob@acme.test"), "admin", None, Some(until))
            .expect("admin until");
        away(&mut p, "bob@acme.test", "eve@acme.test").expect("bob away");
        let everyone = [
            "owner@acme.test", "ann@acme.test", "bob@acme.test", "cat@acme.test", "eve@acme.test",
        ];
        // While bob is an admin, and once he is a `user` again.
        for now in [T1, "2026-11-26T13:00:00Z"] {
            p.ctx.now = at(now);
            inbox_agrees_with_show(&mut p, id, &everyone);
            let (_, delegates) = shown_deciders(&mut p, id);
            assert_eq!(
                delegates,
                vec![("eve@acme.test".into(), Some("bob@acme.test".into()))],
                "{now}"
            );
            p.ctx.actor = Actor::Member(email("eve@acme.test"));
            assert_eq!(p.order_show(id).expect("eve reads it").id, id, "{now}");
        }
        p.ctx.actor = Actor::Member(email("eve@acme.test"));
        let decided = p.order_decide(id, None).expect("eve approves for bob");
        assert_eq!(decided.decisions[0].by, "eve@acme.test");
        assert_eq!(
            decided.decisions[0].on_behalf_of.as_deref(),
            Some("bob@acme.test")
        );
    }

    /// Findings A#12: with two delegations to max, `order show` named one
    /// delegator while the inbox and the decision used the other. All
    /// three ask [`route`]: the oldest delegation that lends on it.
    #[test]
    fn two_delegations_to_one_person_name_one_delegator_everywhere() {
        let (mut p, _) = acme();
        join(&mut p, "gus@acme.test", "admin");
        join(&mut p, "max@acme.test", "manager");
        join(&mut p, "fiona@acme.test", "admin");
        p.policy_create(&NewPolicy {
            required_approvals: Some(2),
            ..crate::domain::testing::policy_over("Two", "10.00")
        })
        .expect("policy");
        away(&mut p, "gus@acme.test", "max@acme.test").expect("gus away");
        away(&mut p, "owner@acme.test", "max@acme.test").expect("owner away");
        let id = place_as(&mut p, "fiona@acme.test");
        p.ctx.now = at(T1);
        let (_, delegates) = shown_deciders(&mut p, id);
        assert_eq!(
            delegates,
            vec![("max@acme.test".into(), Some("gus@acme.test".into()))]
        );
        inbox_agrees_with_show(
            &mut p,
            id,
            &["max@acme.test", "owner@acme.test", "gus@acme.test"],
        );
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let decided = p.order_decide(id, None).expect("max approves");
        assert_eq!(
            decided.decisions[0].on_behalf_of.as_deref(),
            Some("gus@acme.test")
        );
    }
}
