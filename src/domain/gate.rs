//! The one write path. Every change to the database runs inside
//! [`Portal::write`]: it opens the write transaction, lets the command
//! change what it changes, and then, before anything is committed, has
//! the review (`review.rs`, where the rules are) check from the store's
//! [`Journal`] what the change did to anyone's access.
//!
//! Then it records the command's audit events, one per changed object,
//! dropping those whose before and after agree (inside
//! [`Portal::one_object`], that object's wait to become one), and
//! commits; a change of access that no event records is refused as a
//! defect. Commands cannot commit any other way: the store sits in
//! [`Gate`], whose reads hand out no commit.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;
use std::rc::Rc;

use super::access::Authority;
use super::audit::{record, Change};
use super::deciders::Now;
use super::review::{shortfalls_in, Review, Scope, Shortfalls};
use super::visibility::UNSEEN_PERSON;
use super::{Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, Need, Timestamp};
use crate::store::{Journal, Store, Tx};
use crate::view::MemberView;

/// Who owned each account whose ownership the running batch has moved,
/// as before the batch began; nothing outside a batch. A refusal inside
/// a batch rolls it all back, so its help names people as they still
/// are: the owner a file hands an account to is not its owner yet.
#[derive(Debug, Clone, Default)]
pub(crate) struct OwnersBefore(Rc<RefCell<Option<Owners>>>);

/// Accounts (ids) and who owned them (a person's id, if anyone).
type Owners = BTreeMap<i64, Option<i64>>;

impl OwnersBefore {
    /// Who owned `account` before the running batch, if it has moved the
    /// ownership: `Some(None)` for an account the batch made.
    pub(crate) fn moved(&self, account: &Account) -> Option<Option<i64>> {
        let moved = self.0.borrow();
        moved.as_ref()?.get(&account.id).copied()
    }

    /// Starts keeping them, unless an outer batch does; whether it did.
    fn begin(&self) -> bool {
        let mut moved = self.0.borrow_mut();
        let outer = moved.is_none();
        if outer {
            *moved = Some(BTreeMap::new());
        }
        outer
    }

    fn end(&self) {
        *self.0.borrow_mut() = None;
    }

    /// Notes, inside a batch, the owners a write just committed changed.
    fn note(&self, tx: &dyn Tx, journal: &Journal) -> Result<()> {
        let mut moved = self.0.borrow_mut();
        let Some(moved) = moved.as_mut() else {
            return Ok(());
        };
        for (id, before) in &journal.accounts {
            let was = before.as_ref().and_then(|a| a.owner_id);
            if before.is_none() || tx.account(*id)?.owner_id != was {
                moved.entry(*id).or_insert(was);
            }
        }
        Ok(())
    }
}

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

    /// Writes straight to the store, unreviewed and unrecorded: for tests
    /// that lay a state an older binary left, which the review would now
    /// refuse to make.
    #[cfg(test)]
    pub(crate) fn unreviewed<T>(&mut self, write: impl FnOnce(&dyn Tx) -> Result<T>) -> Result<T> {
        let tx = self.store.write()?;
        let done = write(&*tx)?;
        tx.commit()?;
        Ok(done)
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
    catalog: OnceCell<Rc<Catalog>>,
    changes: RefCell<Vec<Change>>,
    may_lose_admin: RefCell<BTreeSet<i64>>,
    acting: RefCell<Option<Actor>>,
    warnings: RefCell<Vec<String>>,
    notes: RefCell<Vec<String>>,
    baselines: RefCell<BTreeMap<i64, Shortfalls>>,
    minted: Cell<bool>,
}

impl Write<'_> {
    /// Notes that this write minted an invitation token (see
    /// `invitations::new_token`): whoever holds one becomes its invitee's
    /// member, so the gate must see it stored, in the store's journal, to
    /// review it as giving the invitee's access.
    pub(crate) fn minted_token(&self) {
        self.minted.set(true);
    }

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
    /// A warning given twice in one write (an order that several of
    /// its policies' shortfalls each bring up) is said once.
    pub(crate) fn warn(&self, message: String) {
        let mut warnings = self.warnings.borrow_mut();
        if !warnings.contains(&message) {
            warnings.push(message);
        }
    }

    /// Something the write did that the user may like to know though
    /// nothing needs their attention, such as mail queued on their behalf;
    /// handed to the caller (see [`Portal::take_notes`]) once the write
    /// commits.
    pub(crate) fn note(&self, message: String) {
        self.notes.borrow_mut().push(message);
    }

    /// Reads how `account` is short of deciders before this write changes
    /// anything there, for the gate to warn of only what the write adds.
    /// The gate otherwise reads the members as they were from its journal
    /// but the policies and pending orders as they are, which hides what a
    /// write that moves a policy's named approvers does (a merge): it is
    /// called before such a write's first change, and its first reading of
    /// an account is the one kept.
    pub(crate) fn baseline(&self, account: &Account) -> Result<()> {
        if self.baselines.borrow().contains_key(&account.id) {
            return Ok(());
        }
        let roster = Now::new(self.tx, self.catalog()?, account, self.ctx.now);
        let read = shortfalls_in(self.tx, &roster, account, Scope::Whole)?;
        self.baselines.borrow_mut().insert(account.id, read);
        Ok(())
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
    /// with the actor refused unless they hold `cap` there. Left out, it
    /// is resolved as every command's is (see
    /// [`super::visibility::resolve_account`]): a member who may do
    /// it in none of their accounts is refused as without the
    /// capability, not asked which account they mean.
    pub(crate) fn account(&self, named: Option<&str>, need: impl Into<Need>) -> Result<Account> {
        // An uninitialised database says so before anything else.
        self.catalog()?;
        let need = need.into();
        let account = super::visibility::resolve_account(self.tx, &self.ctx, named, None, |a| {
            self.authorize(a, need).map(|_| ())
        })?;
        self.authorize(&account, need)?;
        Ok(account)
    }

    /// The account a command about one of an account's objects acts in
    /// (see [`super::visibility::resolve_account_of`]): only one where
    /// `find` finds it for the actor to see and they hold `need` counts,
    /// and the actor is refused unless they hold `need` in the one picked.
    /// `find` must refuse where the actor may not see the object.
    pub(crate) fn account_of<T>(
        &self,
        named: Option<&str>,
        need: impl Into<Need>,
        object: super::visibility::Named<'_>,
        find: impl Fn(&Account) -> Result<T>,
    ) -> Result<Account> {
        self.catalog()?;
        let need = need.into();
        let account = super::visibility::resolve_account_of(
            self.tx,
            &self.ctx,
            named,
            Some(object),
            find,
            |a| self.authorize(a, need).map(|_| ()),
        )?;
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
        // A view names whom the member duplicates, or was merged into, as
        // the actor may read it (`shown_email`); the log keeps who it is,
        // and shows it only to whoever may see them (`log_sight`).
        let before = before.map(|b| self.recorded(b, after, true)).transpose()?;
        let after_whole = self.recorded(after, after, false)?;
        self.changed(
            action,
            account,
            after.email.clone(),
            before.as_deref(),
            &*after_whole,
        )
    }

    /// `view` as the log records it: with the person's own name beside the
    /// invitation's (see [`MemberView::invited_as`]); with the people it
    /// names in passing as they are, where the actor was shown
    /// [`UNSEEN_PERSON`] instead;
    /// as the write found them for a view from `before` it, as it leaves
    /// them otherwise. `after` is the view the write leaves, whose email
    /// finds the person if the write changed theirs.
    pub(crate) fn recorded<'v>(
        &self,
        view: &'v MemberView,
        after: &MemberView,
        before: bool,
    ) -> Result<Cow<'v, MemberView>> {
        // An invitation not yet accepted shows the person's flags only to
        // who may read their own name (`member_view`): the log keeps them.
        let unflagged = view.accepted_at.is_none() && view.duplicate_of.is_none();
        let unseen = |f: &Option<String>| f.as_deref() == Some(UNSEEN_PERSON);
        let hidden = |f: &Option<String>| unseen(f) || unflagged;
        if !hidden(&view.duplicate_of) && !hidden(&view.merged_into) && view.invited_as.is_none() {
            return Ok(Cow::Borrowed(view));
        }
        let mut whole = view.clone();
        // Someone invited who has a name of their own elsewhere: the log
        // keeps both names, each read by whoever may (`log_sight`). The
        // view was built when it says, so its names are as they were then.
        if let Some(names) = &view.invited_as {
            whole.name.clone_from(&names.own);
            whole.invited_name = Some(names.invited.clone());
        }
        if !hidden(&view.duplicate_of) && !hidden(&view.merged_into) {
            return Ok(Cow::Owned(whole));
        }
        let found = self.tx.person_by_email(&view.email)?;
        // An invitation known by an address merged into the person reads
        // as that address, whose row is not theirs: no flag is restored.
        if unflagged
            && !unseen(&view.merged_into)
            && found.as_ref().is_some_and(|p| p.merged_into.is_some())
        {
            return Ok(Cow::Owned(whole));
        }
        // The email may be the one this write changed.
        let person = match found {
            Some(p) => p,
            None => self
                .tx
                .person_by_email(&after.email)?
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("no person for a member's view")))?,
        };
        // An invitation's unflagged person with no flag now had none
        // before: only who may read their flags changes them.
        let flagless = unflagged && person.duplicate_of.is_none();
        let person = match before && !flagless {
            // Only a write that changed the person's row has it in its
            // journal, and only a hidden flag comes here: rarely read.
            true => match self.tx.journal().people.remove(&person.id) {
                Some(Some(was)) => was,
                _ => person,
            },
            false => person,
        };
        let email_of = |id: Option<i64>| -> Result<Option<String>> {
            id.map(|id| self.tx.person(id).map(|p| p.email.to_string()))
                .transpose()
        };
        if hidden(&view.duplicate_of) {
            whole.duplicate_of = email_of(person.duplicate_of)?;
        }
        if hidden(&view.merged_into) {
            // As `member_view` reads it: every merge flags whom it merges into.
            let merged = person
                .merged_into
                .filter(|_| person.merged_into == person.duplicate_of);
            whole.merged_into = email_of(merged)?;
        }
        Ok(Cow::Owned(whole))
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

    /// The notes of the writes so far, for the caller to show (see
    /// [`Write::note`]).
    pub(crate) fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
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
        let outer = self.ctx.owners_before.begin();
        let out = work(self);
        if outer {
            self.ctx.owners_before.end();
        }
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
        self.rehearse(command).map(|_| ())
    }

    /// As [`Portal::check`], keeping what the command would answer, so
    /// that a confirmation can name what it would do.
    pub(crate) fn rehearse<T>(
        &mut self,
        command: impl FnOnce(&mut Portal) -> Result<T>,
    ) -> Result<T> {
        let (kept, noted) = (self.warnings.len(), self.notes.len());
        let result = self.batch(false, command);
        self.warnings.truncate(kept);
        self.notes.truncate(noted);
        result
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
            notes: RefCell::default(),
            baselines: RefCell::default(),
            minted: Cell::new(false),
        };
        let out = change(&w)?;
        let ctx = Ctx {
            actor: w.acting.take().unwrap_or_else(|| w.ctx.actor.clone()),
            ..w.ctx.clone()
        };
        let journal = tx.take_journal();
        if w.minted.get() && journal.tokens.is_empty() {
            return Err(anyhow::anyhow!(
                "an invitation token was about to be minted without the gate's review"
            )
            .into());
        }
        // Judged by the catalog as the write leaves it: the one the
        // write read, unless it changed the catalog since.
        let catalog = if journal.is_empty() && journal.services.is_empty() {
            None
        } else {
            match w.catalog.take() {
                Some(catalog) if !journal.catalog => Some(catalog),
                _ => Some(Catalog::load(&*tx)?),
            }
        };
        if let (false, Some(catalog)) = (journal.is_empty(), &catalog) {
            let review = Review::new(&*tx, catalog, &ctx, &journal);
            review.check(&w.may_lose_admin.borrow())?;
            review.keep_services_within_access(&w)?;
            for warning in review.shortfalls(&w.baselines.borrow())? {
                w.warn(warning);
            }
        }
        let mut changes = w.changes.take();
        changes.retain(|c| c.before.is_none() || c.before != c.after);
        if let Some(catalog) = &catalog {
            super::services::review_holders(&*tx, catalog, &journal.services, &changes, ctx.now)?;
        }
        // Inside `one_object`, its objects' events wait to become one;
        // the innermost scope about an object takes its events first.
        let held: usize = self
            .held
            .iter_mut()
            .rev()
            .map(|scope| scope.hold(&ctx.actor, &mut changes))
            .sum();
        let recorded = changes.len() + held;
        record(&*tx, &ctx, changes)?;
        if recorded == 0 && changed_rows(&*tx, &journal)? {
            return Err(anyhow::anyhow!(
                "a change of access was about to be made without an audit event"
            )
            .into());
        }
        let (warnings, notes) = (w.warnings.take(), w.notes.take());
        drop(w);
        self.ctx.owners_before.note(&*tx, &journal)?;
        tx.commit()?;
        self.warnings.extend(warnings);
        self.notes.extend(notes);
        Ok(out)
    }
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
