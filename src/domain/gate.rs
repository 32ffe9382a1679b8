//! The one write path. Every change to the database runs inside
//! [`Portal::write`]: it opens the write transaction, lets the command
//! change what it changes, and then, before anything is committed, checks
//! from the store's [`Journal`] what the change did to anyone's access:
//!
//! - a grant is one the catalog declares grantable on top of a role;
//! - access grows only through someone who holds it: a member acting with
//!   `--as` must hold, in that account (or, for a partner's customer, in
//!   the partner with `external_admins.manage` or `customers.manage`),
//!   every capability anyone gains. An invited member counts as holding
//!   what accepting will give them, so the invitation is checked against
//!   the inviter and accepting adds nothing;
//! - only the owner or the operator changes who owns an account;
//! - an account keeps an active member holding `users.manage` for good:
//!   one whose `users.manage` is time-bound (`--until`) does not count,
//!   since nothing would refuse its lapse;
//! - external access lasts only while its holder is active in the partner
//!   it comes from.
//!
//! Then it records the command's audit events, one per changed object,
//! dropping those whose before and after agree (inside
//! [`Portal::one_object`], that object's wait to become one), and
//! commits; a change of access that no event records is refused as a
//! defect. Commands cannot commit any other way: the store sits in
//! [`Gate`], whose reads hand out no commit.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::ops::Deref;

use super::access::{caps, Access, Authority};
use super::audit::{record, Change};
use super::deciders::{count, policy_eligible, take, Ability, Roster};
use super::delegations::ensure_delegations_given_by_holders;
use super::orders::pending_of;
use super::{resolve_account, Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, Capability, Grant, MemberStatus, Membership, Need, Timestamp};
use crate::store::{Journal, Store, Tx};
use crate::view::MemberView;

/// The store, reachable only through reads and [`Portal::write`].
pub(crate) struct Gate {
    store: Box<dyn Store>,
}

impl Gate {
    pub(crate) fn new(store: Box<dyn Store>) -> Gate {
        Gate { store }
    }

    /// Reads the database in one consistent transaction, with
    /// time-bound access as it stands at `now` (the command's clock).
    pub(crate) fn read(&mut self, now: Timestamp) -> Result<Reading<'_>> {
        self.store.set_moment(now);
        Ok(Reading(self.store.read()?))
    }
}

/// A read transaction: every read of the store, and no way to commit.
pub(crate) struct Reading<'s>(Box<dyn Tx + 's>);

impl<'s> Deref for Reading<'s> {
    type Target = dyn Tx + 's;
    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

/// What a command may use while it changes the database.
pub(crate) struct Write<'t> {
    /// The open write transaction.
    pub(crate) tx: &'t dyn Tx,
    /// The clock and the actor.
    pub(crate) ctx: Ctx,
    catalog: OnceCell<Catalog>,
    changes: RefCell<Vec<Change>>,
    may_lose_admin: RefCell<BTreeSet<i64>>,
    acting: RefCell<Option<Actor>>,
    warnings: RefCell<Vec<String>>,
}

impl Write<'_> {
    /// The catalog, loaded on first use (`init` writes it first).
    pub(crate) fn catalog(&self) -> Result<&Catalog> {
        if let Some(c) = self.catalog.get() {
            return Ok(c);
        }
        let loaded = Catalog::load(self.tx)?;
        Ok(self.catalog.get_or_init(|| loaded))
    }

    /// Records a change for the audit log; one with the same before and
    /// after is dropped.
    pub(crate) fn record(&self, change: Change) {
        self.changes.borrow_mut().push(change);
    }

    /// Something the write does that the user should hear about though it
    /// goes through, such as an order left without approvers; handed to
    /// the caller (see [`Portal::take_warnings`]) once the write commits.
    pub(crate) fn warn(&self, message: String) {
        self.warnings.borrow_mut().push(message);
    }

    /// Makes `actor` the one this write is judged and audited as: whoever
    /// accepts an invitation acts with its token, not with `--as`.
    pub(crate) fn act_as(&self, actor: Actor) {
        *self.acting.borrow_mut() = Some(actor);
    }

    /// Lets this write leave `account` without an active admin: ending
    /// someone's external access is never refused (see `external_admins`).
    pub(crate) fn may_leave_without_admin(&self, account: &Account) {
        self.may_lose_admin.borrow_mut().insert(account.id);
    }

    /// The account a command acts in (the one named, else the one meant),
    /// with the actor refused unless they hold `cap` there.
    pub(crate) fn account(&self, named: Option<&str>, need: impl Into<Need>) -> Result<Account> {
        // An uninitialised database says so before anything else.
        self.catalog()?;
        let account = resolve_account(self.tx, &self.ctx, named, None)?;
        self.authorize(&account, need)?;
        Ok(account)
    }

    /// Records the change of `target` in `account` from `before` (`None`:
    /// it is new) to `after`, both as the views the commands print.
    pub(crate) fn changed<T: serde::Serialize>(
        &self,
        action: &'static str,
        account: &Account,
        target: impl Into<String>,
        before: Option<&T>,
        after: &T,
    ) -> Result<()> {
        self.record(Change::of(action, account, target, before, after)?);
        Ok(())
    }

    /// Records the change of a member, named by their email.
    pub(crate) fn member_changed(
        &self,
        action: &'static str,
        account: &Account,
        before: Option<&MemberView>,
        after: &MemberView,
    ) -> Result<()> {
        self.changed(action, account, after.email.clone(), before, after)
    }

    /// The actor as a party to `account`, refused unless they hold `cap`.
    pub(crate) fn authorize(
        &self,
        account: &Account,
        need: impl Into<Need>,
    ) -> Result<Authority<'_>> {
        super::access::authorize(self.tx, self.catalog()?, &self.ctx, account, need)
    }
}

impl Portal {
    /// The warnings of the writes so far, for the caller to show: each
    /// write that committed may leave some (see [`Write::warn`]).
    pub(crate) fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// Runs `change` in one write transaction, checks what it did to
    /// anyone's access, records its audit events and commits. A refusal
    /// anywhere rolls everything back.
    pub(crate) fn write<T>(&mut self, change: impl FnOnce(&Write<'_>) -> Result<T>) -> Result<T> {
        self.run_write(change)
    }

    /// Runs `work` as one all-or-nothing batch: each write inside it is
    /// checked by the gate and audited as if it ran alone (but for the
    /// events [`Portal::one_object`] merges), and the whole commits only
    /// when `commit` and every write went through (`apply`; `apply
    /// --dry-run` rolls it back).
    pub(crate) fn batch<T>(
        &mut self,
        commit: bool,
        work: impl FnOnce(&mut Portal) -> Result<T>,
    ) -> Result<T> {
        self.gate.store.begin_batch()?;
        let out = work(self);
        let ended = self.gate.store.end_batch(commit && out.is_ok());
        let out = out?;
        ended?;
        Ok(out)
    }

    /// Runs a whole command with every write it makes checked by the gate
    /// and then rolled back, as one batch: whether it would go through, to
    /// know before asking someone to confirm it. What it returns and any
    /// warnings are dropped; a refusal is returned as the command's own.
    pub(crate) fn check<T>(
        &mut self,
        command: impl FnOnce(&mut Portal) -> Result<T>,
    ) -> Result<()> {
        let kept = self.warnings.len();
        let result = self.batch(false, command);
        self.warnings.truncate(kept);
        result.map(|_| ())
    }

    fn run_write<T>(&mut self, change: impl FnOnce(&Write<'_>) -> Result<T>) -> Result<T> {
        // Time-bound access is read as it stands now, by every read.
        self.gate.store.set_moment(self.ctx.now);
        let tx = self.gate.store.write()?;
        let mut w = Write {
            tx: &*tx,
            ctx: self.ctx.clone(),
            catalog: OnceCell::new(),
            changes: RefCell::default(),
            may_lose_admin: RefCell::default(),
            acting: RefCell::default(),
            warnings: RefCell::default(),
        };
        let out = change(&w)?;
        let ctx = Ctx {
            now: w.ctx.now,
            actor: w.acting.take().unwrap_or_else(|| w.ctx.actor.clone()),
        };
        let journal = tx.journal();
        if !journal.is_empty() {
            // Judged by the catalog as the write leaves it: the one the
            // write read, unless it changed the catalog since.
            let catalog = match w.catalog.take() {
                Some(catalog) if !journal.catalog => catalog,
                _ => Catalog::load(&*tx)?,
            };
            let review = Review::new(&*tx, &catalog, &ctx, &journal);
            review.check(&w.may_lose_admin.borrow())?;
            for warning in review.shortfalls()? {
                w.warn(warning);
            }
        }
        let mut changes = w.changes.take();
        changes.retain(|c| c.before.is_none() || c.before != c.after);
        // Inside `one_object`, its object's events wait to become one.
        let held = match &mut self.held {
            Some(held) => held.hold(&ctx.actor, &mut changes),
            None => 0,
        };
        let recorded = changes.len() + held;
        record(&*tx, &ctx, changes)?;
        if recorded == 0 && changed_rows(&*tx, &journal)? {
            return Err(anyhow::anyhow!(
                "a change of access was about to be made without an audit event"
            )
            .into());
        }
        let warnings = w.warnings.take();
        drop(w);
        tx.commit()?;
        self.warnings.extend(warnings);
        Ok(out)
    }
}

/// Whether a membership holds `users.manage` now and still holds it once
/// everything time-bound about it has lapsed.
fn lasting_admin(
    catalog: &Catalog,
    m: &Membership,
    grants: &[Grant],
    owner: bool,
    now: Timestamp,
) -> Result<bool> {
    let held = |m: Membership, at: Timestamp| -> Result<bool> {
        Ok(Access::from_parts(catalog, m, grants.to_vec(), owner, at)?.holds(caps::USERS_MANAGE))
    };
    let end = Timestamp::end_of_time();
    Ok(held(m.clone(), now)? && held(m.clone().in_force(end), end)?)
}

/// Whether any row in the journal differs from what it is now: a write
/// may rewrite a row with the values it had, which changes nothing.
fn changed_rows(tx: &dyn Tx, journal: &Journal) -> Result<bool> {
    for (id, before) in &journal.memberships {
        let now = (tx.membership(*id)?, tx.grants(*id)?);
        if before.as_ref() != Some(&now) {
            return Ok(true);
        }
    }
    for (id, before) in &journal.accounts {
        if before.as_ref() != Some(&tx.account(*id)?) {
            return Ok(true);
        }
    }
    for (id, before) in &journal.people {
        if before.as_ref() != Some(&tx.person(*id)?) {
            return Ok(true);
        }
    }
    for (id, before) in &journal.policies {
        if before.as_ref() != Some(&tx.policy(*id)?) {
            return Ok(true);
        }
    }
    for (id, before) in &journal.delegations {
        if before.as_ref() != Some(&tx.delegation(*id)?) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// How many missing capabilities a refusal names.
const SHOWN: usize = 5;

/// One member in one account: the unit whose access the gate compares.
type Seat = (i64, i64);

/// A membership as the gate weighs it, with its grants and owner flag.
#[derive(Clone)]
struct Standing {
    membership: Membership,
    grants: Vec<Grant>,
    owner: bool,
}

/// The gate's look at one write, before it commits. Nothing is written
/// while it looks, so what it reads is kept: a write of many members (a
/// fixture's) reads each seat once, not once per rule.
struct Review<'a> {
    tx: &'a dyn Tx,
    catalog: &'a Catalog,
    ctx: &'a Ctx,
    journal: &'a Journal,
    seats: OnceCell<BTreeSet<Seat>>,
    /// The journal's old membership rows, by the seat they were at.
    old_rows: OnceCell<HashMap<Seat, &'a (Membership, Vec<Grant>)>>,
    accounts: RefCell<HashMap<i64, Account>>,
    afters: RefCell<HashMap<Seat, Option<Standing>>>,
}

impl<'a> Review<'a> {
    fn check(&self, may_lose_admin: &BTreeSet<i64>) -> Result<()> {
        self.check_owners()?;
        // A delegation lends its delegator's deciding: the power of
        // `orders.approve`, given like any other access.
        let mut created = Vec::new();
        for (id, before) in &self.journal.delegations {
            if before.is_none() {
                created.push(self.tx.delegation(*id)?);
            }
        }
        ensure_delegations_given_by_holders(self.tx, self.catalog, self.ctx, &created)?;
        for seat in self.seats()? {
            let before = self.before(*seat)?;
            let after = self.after(*seat)?;
            self.ensure_grantable(before.as_ref(), after.as_ref())?;
            self.ensure_owner_role_is_the_owners(before.as_ref(), after.as_ref())?;
            let had = self.potential(before.as_ref())?;
            let mut has = self.potential(after.as_ref())?;
            if self.newly_named_approver(*seat)? && !has.contains(&caps::ORDERS_APPROVE) {
                has.push(caps::ORDERS_APPROVE);
            }
            let gained: Vec<Capability> = has.into_iter().filter(|c| !had.contains(c)).collect();
            self.ensure_actor_holds(*seat, &gained, (before.as_ref(), after.as_ref()))?;
            self.ensure_admin_remains(*seat, &before, &after, may_lose_admin)?;
            self.ensure_external_access_is_backed(after.as_ref())?;
        }
        Ok(())
    }

    fn new(tx: &'a dyn Tx, catalog: &'a Catalog, ctx: &'a Ctx, journal: &'a Journal) -> Self {
        Review {
            tx,
            catalog,
            ctx,
            journal,
            seats: OnceCell::new(),
            old_rows: OnceCell::new(),
            accounts: RefCell::default(),
            afters: RefCell::default(),
        }
    }

    /// Every (person, account) the write touched: memberships it changed,
    /// owners it moved, approvers it named or dropped.
    fn seats(&self) -> Result<&BTreeSet<Seat>> {
        if let Some(seats) = self.seats.get() {
            return Ok(seats);
        }
        let mut seats: BTreeSet<Seat> = BTreeSet::new();
        for (id, before) in &self.journal.memberships {
            if let Some((m, _)) = before {
                seats.insert((m.person_id, m.account_id));
            }
            let now = self.tx.membership(*id)?;
            let seat = (now.person_id, now.account_id);
            seats.insert(seat);
            // The seat's row as the write leaves it: kept for `after`.
            let standing = Standing {
                grants: self.tx.grants(now.id)?,
                owner: self.account(now.account_id)?.owner_id == Some(now.person_id),
                membership: now,
            };
            self.afters.borrow_mut().insert(seat, Some(standing));
        }
        for (id, before) in &self.journal.accounts {
            let now = self.account(*id)?;
            for person in [before.as_ref().and_then(|a| a.owner_id), now.owner_id]
                .into_iter()
                .flatten()
            {
                seats.insert((person, *id));
            }
        }
        for (id, before) in &self.journal.policies {
            let now = self.tx.policy(*id)?;
            let named = before.iter().flat_map(|p| &p.approvers);
            for person in now.approvers.iter().chain(named) {
                seats.insert((*person, now.account_id));
            }
        }
        Ok(self.seats.get_or_init(|| seats))
    }

    /// An account as the write leaves it.
    fn account(&self, id: i64) -> Result<Account> {
        if let Some(a) = self.accounts.borrow().get(&id) {
            return Ok(a.clone());
        }
        let a = self.tx.account(id)?;
        self.accounts.borrow_mut().insert(id, a.clone());
        Ok(a)
    }

    /// Only the owner or the operator changes who owns an account.
    fn check_owners(&self) -> Result<()> {
        for (id, before) in &self.journal.accounts {
            let Some(before) = before else { continue };
            let now = self.account(*id)?;
            if before.owner_id == now.owner_id {
                continue;
            }
            if let Actor::Member(email) = &self.ctx.actor {
                let actor = self.tx.person_by_email(email.as_str())?.map(|p| p.id);
                if actor.is_none() || actor != before.owner_id {
                    return Err(Error::denied(format!(
                        "only the owner of `{}` can change who owns it",
                        now.name
                    ))
                    .help("the owner can move it with `portalctl user transfer-ownership`"));
                }
            }
        }
        Ok(())
    }

    /// The account as it was before this write.
    fn account_before(&self, id: i64) -> Result<Option<Account>> {
        match self.journal.accounts.get(&id) {
            Some(before) => Ok(before.clone()),
            None => self.account(id).map(Some),
        }
    }

    /// The seat before this write: a changed membership's old row, an
    /// untouched one as it is, or none when this write created or moved it
    /// there.
    fn before(&self, seat: Seat) -> Result<Option<Standing>> {
        let (person, account) = seat;
        let owner = self
            .account_before(account)?
            .is_some_and(|a| a.owner_id == Some(person));
        let old_rows = self.old_rows.get_or_init(|| {
            self.journal
                .memberships
                .values()
                .flatten()
                .map(|row| ((row.0.person_id, row.0.account_id), row))
                .collect()
        });
        if let Some((m, grants)) = old_rows.get(&seat) {
            return Ok(Some(Standing {
                membership: m.clone(),
                grants: grants.clone(),
                owner,
            }));
        }
        Ok(match self.after(seat)? {
            Some(s) if !self.journal.memberships.contains_key(&s.membership.id) => {
                Some(Standing { owner, ..s })
            }
            _ => None,
        })
    }

    /// The seat as this write leaves it.
    fn after(&self, seat: Seat) -> Result<Option<Standing>> {
        if let Some(s) = self.afters.borrow().get(&seat) {
            return Ok(s.clone());
        }
        let (person, account) = seat;
        let owner = self.account(account)?.owner_id == Some(person);
        let standing = match self.tx.membership_of(person, account)? {
            Some(m) => Some(Standing {
                grants: self.tx.grants(m.id)?,
                membership: m,
                owner,
            }),
            None => None,
        };
        self.afters.borrow_mut().insert(seat, standing.clone());
        Ok(standing)
    }

    fn access<'c>(&'c self, s: &Standing, potential: bool) -> Result<Access<'c>> {
        let mut membership = s.membership.clone();
        // An invitation is checked when it is given: accepting it only
        // takes what the inviter was allowed to give.
        if potential && membership.status == MemberStatus::Invited {
            membership.status = MemberStatus::Active;
        }
        Access::from_parts(
            self.catalog,
            membership,
            s.grants.clone(),
            s.owner,
            self.ctx.now,
        )
    }

    /// What the seat holds, or will hold once its invitation is accepted.
    fn potential(&self, s: Option<&Standing>) -> Result<Vec<Capability>> {
        Ok(match s {
            Some(s) => self.access(s, true)?.capabilities(),
            None => Vec::new(),
        })
    }

    /// Being newly named an approver of a policy lets one decide its
    /// orders: that is `orders.approve` given.
    fn newly_named_approver(&self, (person, account): Seat) -> Result<bool> {
        for (id, before) in &self.journal.policies {
            let now = self.tx.policy(*id)?;
            let was = before
                .as_ref()
                .is_some_and(|p| p.approvers.contains(&person));
            if now.account_id == account && now.approvers.contains(&person) && !was {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Every grant the seat gains is one the catalog lets be granted on
    /// top of a role, whichever command made it. Grants held from before
    /// (a database older than the rule) may stay, and go with `revoke`.
    fn ensure_grantable(&self, before: Option<&Standing>, after: Option<&Standing>) -> Result<()> {
        let Some(after) = after else { return Ok(()) };
        for g in &after.grants {
            if before.is_none_or(|b| !b.grants.iter().any(|h| h.name == g.name)) {
                self.catalog.grantable(&g.name)?;
            }
        }
        Ok(())
    }

    /// Where the catalog reserves its owner role for the owner (it names
    /// what a former owner becomes), a seat whose role or ownership this
    /// write changed holds that role exactly when it owns the account,
    /// whichever command made the change: nobody keeps "full access to the
    /// client account" (004) without being its owner.
    fn ensure_owner_role_is_the_owners(
        &self,
        before: Option<&Standing>,
        after: Option<&Standing>,
    ) -> Result<()> {
        let (Some(reserved), Some(after)) = (self.catalog.reserved_owner_role(), after) else {
            return Ok(());
        };
        let weighed = |s: &Standing| (s.membership.role_id, s.owner);
        if before.map(weighed) == Some(weighed(after)) {
            return Ok(());
        }
        let holds = self.catalog.role(after.membership.role_id)?.name == reserved;
        if holds == after.owner {
            return Ok(());
        }
        let email = self.tx.person(after.membership.person_id)?.email;
        let account = self.account(after.membership.account_id)?.name;
        Err(if holds {
            Error::conflict(format!(
                "the `{reserved}` role is the owner's alone, and `{email}` does not own `{account}`"
            ))
            .help(match before {
                Some(_) => format!(
                    "give another role, or make them the owner with `portalctl user transfer-ownership --to {email}`"
                ),
                None => "give another role".to_string(),
            })
        } else {
            Error::conflict(format!(
                "the owner of `{account}` holds the `{reserved}` role; `{email}` cannot own it with another"
            ))
        })
    }

    /// A member acting with `--as` must hold everything anyone gains.
    fn ensure_actor_holds(
        &self,
        (person, account_id): Seat,
        gained: &[Capability],
        change: (Option<&Standing>, Option<&Standing>),
    ) -> Result<()> {
        let Actor::Member(email) = &self.ctx.actor else {
            return Ok(());
        };
        if gained.is_empty() {
            return Ok(());
        }
        let actor = self.tx.person_by_email(email.as_str())?;
        let account = self.account(account_id)?;
        let mut missing: Vec<Capability> = gained.to_vec();
        if let Some(actor) = &actor {
            for (place, through_partner) in
                std::iter::once((account_id, false)).chain(account.parent_id.map(|p| (p, true)))
            {
                let Some(standing) = self.before((actor.id, place))? else {
                    continue;
                };
                let held = self.access(&standing, false)?;
                if through_partner
                    && !held.holds(caps::EXTERNAL_ADMINS_MANAGE)
                    && !held.holds(caps::CUSTOMERS_MANAGE)
                {
                    continue;
                }
                missing.retain(|c| !held.holds(*c));
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let who = self.tx.person(person)?.email;
        let mut names: Vec<String> = missing.iter().map(|c| c.to_string()).collect();
        if names.len() > SHOWN {
            let more = names.len() - SHOWN;
            names.truncate(SHOWN);
            names.push(format!("{more} more"));
        }
        Err(Error::denied(format!(
            "`{email}` cannot give `{who}` {} in `{}`: it includes capabilities they do not hold ({})",
            self.given(change)?,
            account.name,
            names.join(", ")
        ))
        .help(format!(
            "only someone who holds `{}` there, such as the account's owner, can give it",
            missing[0]
        )))
    }

    /// What a change gave, in words: a role, grants, access back, or the
    /// ownership.
    fn given(&self, (before, after): (Option<&Standing>, Option<&Standing>)) -> Result<String> {
        let Some(after) = after else {
            return Ok("access".into());
        };
        let mut parts = Vec::new();
        let role = after.membership.role_id;
        let had_access = match before {
            Some(b) => !self.access(b, true)?.capabilities().is_empty(),
            None => false,
        };
        if !had_access || before.is_some_and(|b| b.membership.role_id != role) {
            parts.push(format!("role `{}`", self.catalog.role(role)?.name));
        }
        for g in &after.grants {
            if before.is_none_or(|b| !b.grants.iter().any(|h| h.name == g.name)) {
                parts.push(format!("`{}`", g.name));
            }
        }
        if after.owner && !before.is_some_and(|b| b.owner) {
            parts.push("the ownership".into());
        }
        if parts.is_empty() {
            parts.push("access back".into());
        }
        Ok(parts.join(" and "))
    }

    /// An account keeps an active member holding `users.manage`.
    fn ensure_admin_remains(
        &self,
        (person, account_id): Seat,
        before: &Option<Standing>,
        after: &Option<Standing>,
        may_lose_admin: &BTreeSet<i64>,
    ) -> Result<()> {
        // Time-bound access counts only while it lasts: an admin whose
        // `users.manage` lapses at T would leave the account without one
        // at T, with no write for this rule to refuse then. So the rule
        // asks for an admin for good: whoever holds `users.manage` now and
        // after everything time-bound has lapsed.
        let held = |s: &Option<Standing>| -> Result<bool> {
            Ok(match s {
                Some(s) => lasting_admin(
                    self.catalog, &s.membership, &s.grants, s.owner, self.ctx.now,
                )?,
                None => false,
            })
        };
        if !held(before)? || held(after)? || may_lose_admin.contains(&account_id) {
            return Ok(());
        }
        let account = self.account(account_id)?;
        for m in self.tx.memberships_in(account_id)? {
            if m.status != MemberStatus::Active {
                continue;
            }
            let grants = self.tx.grants(m.id)?;
            let owner = account.owner_id == Some(m.person_id);
            if lasting_admin(self.catalog, &m, &grants, owner, self.ctx.now)? {
                return Ok(());
            }
        }
        let who = self.tx.person(person)?.email;
        let lapses = after
            .as_ref()
            .and_then(|s| s.membership.next_lapse(&s.grants));
        let held_now = match after {
            Some(s) => self.access(s, false)?.holds(caps::USERS_MANAGE),
            None => false,
        };
        if let Some(at) = lapses.filter(|_| held_now) {
            return Err(Error::conflict(format!(
                "`{who}` is the last active member of `{}` holding `users.manage` for good, and it would lapse at {at}; an account must keep one",
                account.name
            ))
            .help("give the admin role without --until, or give another member an admin role first"));
        }
        Err(Error::conflict(format!(
            "`{who}` is the last active member of `{}` holding `users.manage`, and an account must keep one",
            account.name
        ))
        .help("give another member an admin role first"))
    }

    /// External access lasts only while its holder is an active member,
    /// with access, of the partner it comes from.
    fn ensure_external_access_is_backed(&self, after: Option<&Standing>) -> Result<()> {
        let Some(s) = after else { return Ok(()) };
        let m = &s.membership;
        let Some(partner) = m.external_from else {
            return Ok(());
        };
        if m.status != MemberStatus::Active {
            return Ok(());
        }
        let backed = match self.tx.membership_of(m.person_id, partner)? {
            Some(home) => {
                home.status == MemberStatus::Active && !self.catalog.role(home.role_id)?.blocking
            }
            None => false,
        };
        if backed {
            return Ok(());
        }
        let who = self.tx.person(m.person_id)?.email;
        Err(Error::conflict(format!(
            "`{who}` would keep access to `{}` from `{}` without being active there",
            self.tx.account(m.account_id)?.name,
            self.tx.account(partner)?.name
        )))
    }
}

/// The members of one account as the gate sees them, before or after the
/// write under review.
struct Seen<'r, 'a> {
    review: &'r Review<'a>,
    account: i64,
    before: bool,
    all: OnceCell<Vec<i64>>,
}

impl Seen<'_, '_> {
    fn standing(&self, person: i64) -> Result<Option<Standing>> {
        if self.before {
            self.review.before((person, self.account))
        } else {
            self.review.after((person, self.account))
        }
    }
}

impl Roster for Seen<'_, '_> {
    fn ability(&self, person: i64) -> Result<Ability> {
        Ok(match self.standing(person)? {
            Some(s) => Ability::of(&self.review.access(&s, false)?),
            None => Ability::default(),
        })
    }

    fn approvers(&self, except: &BTreeSet<i64>, enough: usize) -> Result<Vec<i64>> {
        if self.all.get().is_none() {
            let mut all = Vec::new();
            for m in self.review.tx.memberships_in(self.account)? {
                if self.ability(m.person_id)?.approves {
                    all.push(m.person_id);
                }
            }
            let _ = self.all.set(all);
        }
        Ok(take(self.all.get().map_or(&[][..], |a| a), except, enough))
    }
}

impl<'a> Review<'a> {
    /// What the write leaves short of approvers that was not before: an
    /// enabled policy with fewer eligible approvers than it requires, and
    /// a pending order that now falls back to the account's approvers, or
    /// that nobody eligible is left to decide. The write goes through; the
    /// caller hears it as warnings. Eligibility is judged when deciding,
    /// so the fallback itself needs nothing written.
    fn shortfalls(&self) -> Result<Vec<String>> {
        // Only a change in someone's ability to decide can leave a policy
        // or an order short. Most writes change none, and then nothing
        // here reads an account's members or orders.
        let mut accounts: BTreeSet<i64> = BTreeSet::new();
        for &(person, account) in self.seats()? {
            let seen = |before| Seen {
                review: self,
                account,
                before,
                all: OnceCell::new(),
            };
            if seen(true).ability(person)? != seen(false).ability(person)? {
                accounts.insert(account);
            }
        }
        let mut warnings = Vec::new();
        for id in accounts {
            let account = self.account(id)?;
            let seen = |before| Seen {
                review: self,
                account: id,
                before,
                all: OnceCell::new(),
            };
            let (was, now) = (seen(true), seen(false));
            for policy in self.tx.policies_in(id)?.iter().filter(|p| p.enabled) {
                let need = usize::try_from(policy.required_approvals).unwrap_or(usize::MAX);
                let had = policy_eligible(&was, policy, need)?;
                let has = policy_eligible(&now, policy, need)?;
                if had < need || has >= need {
                    continue;
                }
                let fallback = if policy.approvers.is_empty() {
                    "its orders can only be cancelled, or released by `portalctl policy edit` or `policy disable`"
                } else {
                    "its orders fall back to the account's approvers (holders of `orders.approve`)"
                };
                warnings.push(format!(
                    "policy `{}` in `{}` now has {} for {}; {fallback}",
                    policy.name,
                    account.name,
                    count(
                        has,
                        if policy.approvers.is_empty() {
                            "approver"
                        } else {
                            "eligible approver"
                        }
                    ),
                    count(need, "required approval"),
                ));
            }
            for order in self.tx.pending_orders_in(id)? {
                let before = pending_of(self.tx, &was, &order)?;
                let after = pending_of(self.tx, &now, &order)?;
                let stuck_before: Vec<i64> = before
                    .stuck(&was)?
                    .iter()
                    .map(|h| h.policy.policy_id)
                    .collect();
                for h in after.stuck(&now)? {
                    if !stuck_before.contains(&h.policy.policy_id) {
                        warnings.push(format!(
                            "order {} in `{}`: nobody eligible is left to give policy `{}` the {} it needs; cancel it (`portalctl order cancel {}`) or ease the policy (`portalctl policy edit`)",
                            order.id,
                            account.name,
                            h.policy.name,
                            count(usize::try_from(h.need()).unwrap_or(0), "approval"),
                            order.id
                        ));
                    }
                }
                for h in after
                    .holds
                    .iter()
                    .filter(|h| h.falls_back() && !h.satisfied())
                {
                    let fell = before
                        .holds
                        .iter()
                        .any(|b| b.policy.policy_id == h.policy.policy_id && b.falls_back());
                    if !fell {
                        warnings.push(format!(
                            "order {} in `{}` now falls back to the account's approvers: policy `{}` has too few eligible approvers left",
                            order.id, account.name, h.policy.name
                        ));
                    }
                }
            }
        }
        Ok(warnings)
    }
}
