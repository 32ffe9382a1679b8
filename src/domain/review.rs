//! The gate's review of one write, before it commits (see `gate.rs`):
//! from the store's [`Journal`], what the write did to anyone's access,
//! checked against these rules:
//!
//! - a grant is one the catalog declares grantable on top of a role, and
//!   a role one the catalog has or one made for the member's account;
//! - access grows only through someone who holds it: a member acting with
//!   `--as` must hold, in that account (or, for a partner's customer, in
//!   the partner with `external_admins.manage` or `customers.manage`),
//!   every capability anyone gains. An invited member counts as holding
//!   what accepting will give them, so the invitation is checked against
//!   the inviter and accepting adds nothing;
//! - only the owner or the operator changes who owns an account;
//! - the owner's membership of what they own stays active, for good: no
//!   write ends it (an `external-admin remove`, or the end of external
//!   access that a change in the partner brings), and none leaves it
//!   ending by itself (`--until`), since nothing could refuse that lapse
//!   when it came;
//! - a new email for someone hands whoever reads it all they hold: a
//!   member changing another's must hold all of it, and never the email
//!   of an account's owner;
//! - a person's own row (name, email, duplicate flag) shows in all their
//!   accounts: a member changes another's only where they manage users in
//!   every one of them;
//! - an account keeps an active member holding `users.manage` for good:
//!   one whose `users.manage` is time-bound (`--until`) does not count,
//!   since nothing would refuse its lapse;
//! - external access lasts only while its holder is active in the partner
//!   it comes from, and gives no more than they hold there.
//!
//! And, once the write goes through, what it left short of approvers.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use super::access::{authority, caps, Access};
use super::deciders::{count, policy_eligible, take, Ability, Hold, Roster};
use super::delegations::ensure_delegations_given_by_holders;
use super::gate::Write;
use super::orders::pending_of;
use super::people::{manages_every_account, manages_them_once_joined};
use super::policies::short_policy_warning;
use super::visibility::known_address;
use super::{Actor, Catalog, Ctx};
use crate::error::{Error, Result};
use crate::model::{
    Account, AccountKind, Capability, Email, Grant, MemberStatus, Membership, Order, Paste,
    Timestamp,
};
use crate::store::{Journal, Tx};

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
pub(super) struct Review<'a> {
    tx: &'a dyn Tx,
    catalog: &'a Catalog,
    ctx: &'a Ctx,
    journal: &'a Journal,
    seats: OnceCell<BTreeSet<Seat>>,
    /// The seats the write minted an invitation token for (read with
    /// `seats`).
    minted: OnceCell<BTreeSet<Seat>>,
    /// The journal's old membership rows, by the seat they were at.
    old_rows: OnceCell<HashMap<Seat, &'a (Membership, Vec<Grant>)>>,
    accounts: RefCell<HashMap<i64, Account>>,
    /// Shared, not copied: every rule reads the seats of a write of
    /// thousands of members.
    afters: RefCell<HashMap<Seat, Option<Rc<Standing>>>>,
}

impl<'a> Review<'a> {
    pub(super) fn check(&self, may_lose_admin: &BTreeSet<i64>) -> Result<()> {
        self.check_owners()?;
        self.check_new_emails()?;
        self.check_people()?;
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
            let (before, after) = (before.as_deref(), after.as_deref());
            self.ensure_owner_stays(before, after)?;
            self.ensure_owner_keeps_role(before, after)?;
            if let Some(after) = after {
                super::external_admins::ensure_external_admin_keeps_access(
                    self.tx, self.catalog, &after.membership,
                )?;
            }
            self.ensure_grantable(before, after)?;
            self.ensure_role_serves(before, after)?;
            self.ensure_owner_role_is_the_owners(before, after)?;
            // A token minted gives its holder the invitee's whole access,
            // whatever the membership held before (an expired or pending
            // invitation reads the same after a resend).
            let given_from = match self.token_minted(*seat)? {
                true => None,
                false => before,
            };
            self.ensure_actor_holds(*seat, (given_from, after))?;
            self.ensure_admin_remains(*seat, before, after, may_lose_admin)?;
            self.ensure_external_access_is_backed(*seat, before, after)?;
        }
        Ok(())
    }

    /// Ends the service assignments of each member the write touched
    /// with their access: where their access now runs out (a role lapsing
    /// to the blocking role, external access with an end), or ends at
    /// another moment than before, their services follow it, each a
    /// `service.assign` event (see `services::end_with_access`). Every
    /// command that moves when access ends comes through here, so none
    /// can leave a service with someone from the moment they hold
    /// nothing. A warning says how many end, naming no service.
    pub(super) fn keep_services_within_access(&self, w: &Write<'_>) -> Result<()> {
        for seat in self.seats()? {
            let Some(after) = self.after(*seat)? else {
                continue;
            };
            let ends_of = |s: &Standing| {
                super::services::access_ends(
                    self.tx, self.catalog, &s.membership, s.owner, self.ctx.now,
                )
            };
            let ends = ends_of(&after)?;
            let ended = match self.before(*seat)? {
                Some(before) => ends_of(&before)?,
                None => None,
            };
            if ends == ended || after.membership.status != MemberStatus::Active {
                continue;
            }
            let account = self.account(seat.1)?;
            let sooner =
                super::services::end_with_access(w, &account, &after.membership, ended, ends)?;
            if let (Some(end), true) = (ends, sooner > 0) {
                let who = self.tx.person(seat.0)?.email;
                let place = match super::visibility::knows_account(
                    self.tx, self.catalog, self.ctx, &account,
                )? {
                    true => format!("`{}`", account.name),
                    false => "an account you cannot see".to_string(),
                };
                w.warn(format!(
                    "{} assigned to `{who}` in {place} {} unassigned at {end}, when their access ends",
                    count(sooner, "service"),
                    if sooner == 1 { "is" } else { "are" },
                ));
            }
        }
        Ok(())
    }

    pub(super) fn new(
        tx: &'a dyn Tx,
        catalog: &'a Catalog,
        ctx: &'a Ctx,
        journal: &'a Journal,
    ) -> Self {
        Review {
            tx,
            catalog,
            ctx,
            journal,
            seats: OnceCell::new(),
            minted: OnceCell::new(),
            old_rows: OnceCell::new(),
            accounts: RefCell::default(),
            afters: RefCell::default(),
        }
    }

    /// Every (person, account) the write touched: memberships it changed
    /// or minted an invitation token for, owners it moved, approvers it
    /// named or dropped.
    fn seats(&self) -> Result<&BTreeSet<Seat>> {
        if let Some(seats) = self.seats.get() {
            return Ok(seats);
        }
        // Every membership the write changed or minted a token for, read
        // as the write leaves it in one go: a run of joiners is thousands.
        let ids: BTreeSet<i64> = (self.journal.memberships.keys())
            .chain(&self.journal.tokens)
            .copied()
            .collect();
        let ids: Vec<i64> = ids.into_iter().collect();
        // The rows stay where they were read, found by an index of ids:
        // moving thousands of them into a map cost more than reading them.
        let mut now: Vec<Option<(Membership, Vec<Grant>)>> = (self.tx)
            .memberships_with_grants(&ids)?
            .into_iter()
            .map(Some)
            .collect();
        let at: HashMap<i64, usize> = (now.iter().enumerate())
            .filter_map(|(i, row)| row.as_ref().map(|(m, _)| (m.id, i)))
            .collect();
        let mut minted: BTreeSet<Seat> = BTreeSet::new();
        for id in &self.journal.tokens {
            if let Some(Some((m, _))) = at.get(id).map(|i| &now[*i]) {
                minted.insert((m.person_id, m.account_id));
            }
        }
        let mut seats = minted.clone();
        let _ = self.minted.set(minted);
        self.afters.borrow_mut().reserve(at.len());
        for (id, before) in &self.journal.memberships {
            if let Some((m, _)) = before {
                seats.insert((m.person_id, m.account_id));
            }
            let Some((now, grants)) = at.get(id).and_then(|i| now[*i].take()) else {
                continue;
            };
            let seat = (now.person_id, now.account_id);
            seats.insert(seat);
            // The seat's row as the write leaves it: kept for `after`.
            let standing = Standing {
                grants,
                owner: self.account(now.account_id)?.owner_id == Some(now.person_id),
                membership: now,
            };
            self.afters
                .borrow_mut()
                .insert(seat, Some(Rc::new(standing)));
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

    /// Whether the write minted an invitation token for the seat's
    /// membership. Whoever holds the token becomes that member, so it
    /// gives all the invitation gives, as a new invitation does: a member
    /// resending an invitation (pending, expired or revoked) must hold all
    /// of it, though the membership may read the same after.
    fn token_minted(&self, seat: Seat) -> Result<bool> {
        // Read once with the seats: a run of invitations asks this of
        // each of its thousands of seats.
        self.seats()?;
        Ok(self
            .minted
            .get()
            .is_some_and(|minted| minted.contains(&seat)))
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
                self.ensure_partner_agrees(&now, actor)?;
            }
        }
        Ok(())
    }

    /// A partner's member who owns a customer (as its external admin)
    /// cannot be offboarded by the partner until the ownership moves
    /// (`ensure_owner_stays`). So the customer's own members may not
    /// hand them the ownership: only someone active in the partner they
    /// come from (its member who already owns the customer) or the
    /// operator ties a partner's employee to a customer, never the
    /// customer alone, who could so pin the partner's staff.
    fn ensure_partner_agrees(&self, now: &Account, actor: Option<i64>) -> Result<()> {
        let Some(owner) = now.owner_id else {
            return Ok(());
        };
        let Some(partner) = self
            .tx
            .membership_of(owner, now.id)?
            .and_then(|m| m.external_from)
        else {
            return Ok(());
        };
        let in_partner = match actor {
            Some(actor) => self
                .tx
                .membership_of(actor, partner)?
                .is_some_and(|m| m.status == MemberStatus::Active),
            None => false,
        };
        if in_partner {
            return Ok(());
        }
        let who = self.tx.person(owner)?.email;
        Err(Error::conflict(format!(
            "`{who}` is an external admin of `{}`, not one of its own members: its ownership stays with its own members",
            now.name
        ))
        .help(
            "a partner's member who owned it could not be offboarded by their partner; transfer it to a member of the account",
        ))
    }

    /// A person's new email is their whole access given to whoever reads
    /// that address. `user edit` refuses it first in words that name only
    /// what the actor sees; this holds any other write to the same rule.
    fn check_new_emails(&self) -> Result<()> {
        let Actor::Member(actor) = &self.ctx.actor else {
            return Ok(());
        };
        for (id, before) in &self.journal.people {
            let Some(before) = before else { continue };
            let now = self.tx.person(*id)?;
            // Their own address is theirs to change.
            if before.email == now.email || before.email == *actor {
                continue;
            }
            for m in self.tx.memberships_of(*id)? {
                let seat = (*id, m.account_id);
                let (before, after) = (self.before(seat)?, self.after(seat)?);
                if before.as_ref().is_some_and(|s| s.owner) {
                    return Err(Error::denied(format!(
                        "only the owner of `{}` or the operator changes the owner's email",
                        self.account(m.account_id)?.name
                    )));
                }
                // All the seat would hold active: a deactivated member's
                // role and grants come back with `user activate`.
                let held = match &before {
                    Some(s) => {
                        let mut active = Standing::clone(s);
                        active.membership.status = MemberStatus::Active;
                        self.access(&active, false)?.capabilities()
                    }
                    None => Vec::new(),
                };
                if let Some(by) = self.actor_standings(seat.1)? {
                    let change = (before.as_deref(), after.as_deref());
                    self.ensure_held_at(seat, self.ctx.now, held, &by, change)?;
                }
            }
        }
        Ok(())
    }

    /// A person's row (name, email, duplicate flag) shows in every
    /// account of theirs, so a member changes it only where they manage
    /// users in each (for the name and flag, each they have joined, and
    /// they must have joined one): the rule `user edit` and `user
    /// flag-duplicate` apply first in their own words, held here for any
    /// write. Their own name
    /// and email are theirs to change; their own duplicate flag is not,
    /// since it asks support to hand their access to another.
    fn check_people(&self) -> Result<()> {
        self.check_no_self_duplicates()?;
        let Actor::Member(actor) = &self.ctx.actor else {
            return Ok(());
        };
        for (id, before) in &self.journal.people {
            let Some(before) = before else { continue };
            let now = self.tx.person(*id)?;
            if *before == now {
                continue;
            }
            let merge_fields_kept =
                before.duplicate_of == now.duplicate_of && before.merged_into == now.merged_into;
            if merge_fields_kept && (before.email == *actor || now.email == *actor) {
                continue;
            }
            // An email hands over every invitation of theirs as well; a
            // name or flag answers to the accounts they joined (see
            // `people`).
            let (tx, catalog, ctx, email) = (self.tx, self.catalog, self.ctx, &before.email);
            if !merge_fields_kept {
                manages_them_once_joined(tx, catalog, ctx, email, *id, "duplicate flag")?;
            } else if before.email != now.email {
                manages_every_account(tx, catalog, ctx, email, *id, "email")?;
            } else {
                manages_them_once_joined(tx, catalog, ctx, email, *id, "name")?;
            }
        }
        Ok(())
    }

    /// Nobody is flagged a duplicate of, or merged into, themselves, by
    /// anyone: every list would name them their own duplicate and no
    /// copy of the database could be made. Whichever path writes the
    /// flag (an address bound to its person through an invitation reads
    /// as another) stops here.
    fn check_no_self_duplicates(&self) -> Result<()> {
        for id in self.journal.people.keys() {
            let now = self.tx.person(*id)?;
            if now.duplicate_of == Some(*id) || now.merged_into == Some(*id) {
                return Err(Error::invalid(format!(
                    "`{}` cannot be a duplicate of themselves",
                    now.email
                )));
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
    fn before(&self, seat: Seat) -> Result<Option<Rc<Standing>>> {
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
            return Ok(Some(Rc::new(Standing {
                membership: m.clone(),
                grants: grants.clone(),
                owner,
            })));
        }
        Ok(match self.after(seat)? {
            Some(s) if !self.journal.memberships.contains_key(&s.membership.id) => {
                match s.owner == owner {
                    true => Some(s),
                    false => Some(Rc::new(Standing {
                        owner,
                        ..Standing::clone(&s)
                    })),
                }
            }
            _ => None,
        })
    }

    /// The seat as this write leaves it.
    fn after(&self, seat: Seat) -> Result<Option<Rc<Standing>>> {
        if let Some(s) = self.afters.borrow().get(&seat) {
            return Ok(s.clone());
        }
        let (person, account) = seat;
        let owner = self.account(account)?.owner_id == Some(person);
        let standing = match self.tx.membership_of(person, account)? {
            Some(m) => Some(Rc::new(Standing {
                grants: self.tx.grants(m.id)?,
                membership: m,
                owner,
            })),
            None => None,
        };
        self.afters.borrow_mut().insert(seat, standing.clone());
        Ok(standing)
    }

    fn access<'c>(&'c self, s: &Standing, potential: bool) -> Result<Access<'c>> {
        self.access_at(s, potential, self.ctx.now)
    }

    /// What `s` holds at `at`, from now on, once what lapses before then
    /// has lapsed.
    fn access_at<'c>(&'c self, s: &Standing, potential: bool, at: Timestamp) -> Result<Access<'c>> {
        let mut membership = s.membership.clone().in_force(at);
        // An invitation is checked when it is given: accepting it only
        // takes what the inviter was allowed to give.
        if potential && membership.status == MemberStatus::Invited {
            membership.status = MemberStatus::Active;
        }
        Access::from_parts(
            self.tx,
            self.catalog,
            membership,
            s.grants.clone(),
            s.owner,
            at,
        )
    }

    /// What the seat holds at `at`, or will hold once its invitation is
    /// accepted.
    fn potential(&self, s: Option<&Standing>, at: Timestamp) -> Result<Vec<Capability>> {
        Ok(match s {
            Some(s) => self.access_at(s, true, at)?.capabilities(),
            None => Vec::new(),
        })
    }

    /// What the write gives the seat at `at`: what it holds then after
    /// the write and did not hold then before.
    fn gained_at(
        &self,
        (before, after): (Option<&Standing>, Option<&Standing>),
        at: Timestamp,
    ) -> Result<Vec<Capability>> {
        let had = self.potential(before, at)?;
        let mut has = self.potential(after, at)?;
        has.retain(|c| !had.contains(c));
        Ok(has)
    }

    /// Being newly named an approver of a policy lets one decide its
    /// orders: that is `orders.approve` given.
    fn newly_named_approver(&self, seat: Seat) -> Result<bool> {
        Ok(!self.newly_named_by(seat)?.is_empty())
    }

    /// The policies (names) of the seat's account that this write made
    /// name the seat's person as an approver.
    fn newly_named_by(&self, (person, account): Seat) -> Result<Vec<String>> {
        let mut named = Vec::new();
        for (id, before) in &self.journal.policies {
            let now = self.tx.policy(*id)?;
            let was = before
                .as_ref()
                .is_some_and(|p| p.approvers.contains(&person));
            if now.account_id == account && now.approvers.contains(&person) && !was {
                named.push(now.name);
            }
        }
        Ok(named)
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

    /// The owner cannot be deactivated or marked as left, by any command:
    /// ownership moves only by an explicit transfer. A membership the
    /// owner holds as an external admin would otherwise end with a change
    /// in its partner (see `external_admins`), so the rule is kept here,
    /// where every write passes. Time-bound access would end with no write
    /// to refuse, so the owner's cannot be time-bound either. A state the
    /// write did not change (from before this rule) is left to be put
    /// right, not held against an unrelated write.
    fn ensure_owner_stays(
        &self,
        before: Option<&Standing>,
        after: Option<&Standing>,
    ) -> Result<()> {
        let Some(after) = after.filter(|s| s.owner) else {
            return Ok(());
        };
        let m = &after.membership;
        let ends = m.status != MemberStatus::Active;
        let lapses = m.external_until;
        if !ends && lapses.is_none() {
            return Ok(());
        }
        let unchanged = before.is_some_and(|b| {
            b.owner
                && b.membership.status == m.status
                && b.membership.external_until == m.external_until
        });
        if unchanged {
            return Ok(());
        }
        let who = self.tx.person(m.person_id)?.email;
        let account = self.account(m.account_id)?;
        if !super::knows_account(self.tx, self.catalog, self.ctx, &account)? {
            return Err(Error::conflict(format!(
                "`{who}` owns an account and this would end their access to it; the owner's access cannot end"
            ))
            .help(unnamed_move_first(self.ctx, &who)));
        }
        let name = &account.name;
        let help = move_ownership_first(self.ctx, &who, name);
        Err(match (ends, lapses) {
            (false, Some(at)) => Error::conflict(format!(
                "`{who}` owns `{name}`, and the owner's access cannot be time-bound: this would end it at {at}"
            ))
            .help({
                // An apply takes no --until: the file's field says it.
                let without = match self.ctx.in_file {
                    Some(_) => "with no `until`",
                    None => "without --until",
                };
                match before.is_some_and(|b| b.owner) {
                    true => format!("give it for good ({without}), or {help}"),
                    false => format!("give `{who}` access to `{name}` for good ({without}) first"),
                }
            }),
            _ => Error::conflict(format!(
                "`{who}` owns `{name}` and cannot lose access to it: this would leave them {} there",
                m.status
            ))
            .help(help),
        })
    }

    /// The owner's role stays as it is while they own the account, by
    /// any command (`external-admin add` of the owner gives a role too):
    /// ownership, and with it the role, moves only by a transfer, which
    /// changes the owner as it changes roles.
    fn ensure_owner_keeps_role(
        &self,
        before: Option<&Standing>,
        after: Option<&Standing>,
    ) -> Result<()> {
        let (Some(before), Some(after)) = (before, after) else {
            return Ok(());
        };
        let role = |s: &Standing| {
            let m = &s.membership;
            (m.role_id, m.role_until, m.role_after)
        };
        if !(before.owner && after.owner) || role(before) == role(after) {
            return Ok(());
        }
        let m = &after.membership;
        let email = self.tx.person(m.person_id)?.email;
        let account = self.account(m.account_id)?;
        // A cascade from a partner may reach an account the actor may
        // not know of: it is not named to them.
        if !super::knows_account(self.tx, self.catalog, self.ctx, &account)? {
            return Err(Error::conflict(format!(
                "`{email}` owns an account and this would change their role there; the owner's role cannot change"
            ))
            .help(unnamed_move_first(self.ctx, &email)));
        }
        Err(owner_cannot_be(
            self.ctx, &email, &account.name, "given another role",
        ))
    }

    /// A role given in an account is one of the catalog's or one made for
    /// that account, whichever command gives it; another account's role
    /// reads as unknown, as resolving its name does.
    fn ensure_role_serves(
        &self,
        before: Option<&Standing>,
        after: Option<&Standing>,
    ) -> Result<()> {
        let Some(after) = after else { return Ok(()) };
        let m = &after.membership;
        let held = |s: &Standing| [Some(s.membership.role_id), s.membership.role_after];
        for id in held(after).into_iter().flatten() {
            if before.is_some_and(|b| held(b).contains(&Some(id))) {
                continue;
            }
            let role = self.catalog.role(self.tx, id)?;
            if !role.serves(m.account_id) {
                return Err(Error::invalid(format!("unknown role `{}`", role.name))
                    .help("`portalctl role list` shows the roles"));
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
        let weighed = |s: &Standing| (s.membership.role_id, s.membership.role_after, s.owner);
        if before.map(weighed) == Some(weighed(after)) {
            return Ok(());
        }
        let holds = self.catalog.role(self.tx, after.membership.role_id)?.name == reserved;
        // A role that lapses to the owner's would hand it over by itself.
        let lapses_to = match after.membership.role_after {
            Some(role) => self.catalog.role(self.tx, role)?.name == reserved,
            None => false,
        };
        if lapses_to && !after.owner {
            let email = self.tx.person(after.membership.person_id)?.email;
            let account = self.account(after.membership.account_id)?.name;
            return Err(Error::conflict(format!(
                "the `{reserved}` role is the owner's alone, and `{email}` does not own `{account}`: no role lapses to it"
            ))
            .help("give another role to hold once this one lapses"));
        }
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
                    "give another role, or make them the owner with `{}`",
                    Paste::new("user transfer-ownership").opt("--to", &email)
                ),
                None => "give another role".to_string(),
            })
        } else {
            Error::conflict(format!(
                "the owner of `{account}` holds the `{reserved}` role; `{email}` cannot own it with another"
            ))
        })
    }

    /// A member acting with `--as` must hold everything anyone gains, for
    /// as long as it is given. Access changes only when something of it
    /// lapses, so the gains are weighed now and at each moment something
    /// of the seat's, or of the actor's own, lapses: a role that lapses to
    /// a higher one, a time-bound role or grant lengthened or made
    /// lasting, or a lasting role given by a member whose own access ends
    /// gives at that moment what the actor does not hold then.
    fn ensure_actor_holds(
        &self,
        seat: Seat,
        change: (Option<&Standing>, Option<&Standing>),
    ) -> Result<()> {
        let Some(held) = self.actor_standings(seat.1)? else {
            return Ok(());
        };
        let now = self.ctx.now;
        let mut moments: Vec<Timestamp> = [change.0, change.1]
            .into_iter()
            .flatten()
            .chain(held.iter().map(|s| &**s))
            .flat_map(lapses)
            .filter(|at| *at > now)
            .collect();
        moments.push(now);
        moments.sort_unstable();
        moments.dedup();
        // A place as a policy's approver has no end: it gives deciding
        // at every moment the seat's own access does not.
        let named = self.newly_named_approver(seat)?;
        // What the seat holds for good both before and after the change
        // was given for good by someone who could: that it comes back
        // sooner, as a time-bound role ends sooner, gives nothing. So the
        // same end reached in steps (a longer end, then a shorter one)
        // is judged as when asked at once.
        let end = Timestamp::end_of_time();
        let kept = self.potential(change.0, end)?;
        let kept: Vec<Capability> = self
            .potential(change.1, end)?
            .into_iter()
            .filter(|c| kept.contains(c))
            .collect();
        for at in moments {
            let mut gained = self.gained_at(change, at)?;
            if at > now {
                gained.retain(|c| !kept.contains(c));
            }
            if named
                && !gained.contains(&caps::ORDERS_APPROVE)
                && !self
                    .potential(change.1, at)?
                    .contains(&caps::ORDERS_APPROVE)
            {
                gained.push(caps::ORDERS_APPROVE);
            }
            self.ensure_held_at(seat, at, gained, &held, change)?;
        }
        Ok(())
    }

    /// The acting member's standing in the account, and in its partner
    /// where that lets them manage the partner's customers, as before
    /// this write; `None` for the operator, who may give anything.
    fn actor_standings(&self, account_id: i64) -> Result<Option<Vec<Rc<Standing>>>> {
        let Actor::Member(email) = &self.ctx.actor else {
            return Ok(None);
        };
        let account = self.account(account_id)?;
        let mut held = Vec::new();
        if let Some(actor) = self.tx.person_by_email(email.as_str())? {
            for (place, through_partner) in
                std::iter::once((account_id, false)).chain(account.parent_id.map(|p| (p, true)))
            {
                let Some(standing) = self.before((actor.id, place))? else {
                    continue;
                };
                if through_partner {
                    let there = self.access(&standing, false)?;
                    if !there.holds(caps::EXTERNAL_ADMINS_MANAGE)
                        && !there.holds(caps::CUSTOMERS_MANAGE)
                    {
                        continue;
                    }
                }
                held.push(standing);
            }
        }
        Ok(Some(held))
    }

    /// The address a refusal names the person of a seat by: the one the
    /// account knows them by to the actor ([`known_address`]), so that an
    /// invitation a merge moved to the person kept is refused at the
    /// address the account typed, not the kept person's own.
    fn seat_address(&self, person: i64, account_id: i64) -> Result<String> {
        let p = self.tx.person(person)?;
        match self.tx.membership_of(person, account_id)? {
            Some(m) => known_address(self.tx, self.ctx, &p, &m),
            None => Ok(p.email.to_string()),
        }
    }

    /// Refuses the write unless the actor, standing as `held`, holds at
    /// `at` each of `gained`, which the seat gains then.
    fn ensure_held_at(
        &self,
        (person, account_id): Seat,
        at: Timestamp,
        mut gained: Vec<Capability>,
        held: &[Rc<Standing>],
        change: (Option<&Standing>, Option<&Standing>),
    ) -> Result<()> {
        for standing in held {
            let there = self.access_at(standing, false, at)?;
            gained.retain(|c| !there.holds(*c));
        }
        let (Some(first), Actor::Member(email)) = (gained.first(), &self.ctx.actor) else {
            return Ok(());
        };
        let who = self.seat_address(person, account_id)?;
        let given = self.given((person, account_id), change)?;
        let account = self.account(account_id)?.name;
        let names = shown(&gained);
        Err(if at == self.ctx.now {
            Error::denied(format!(
                "`{email}` cannot give `{who}` {given} in `{account}`: it includes capabilities they do not hold ({names})"
            ))
            .help(format!(
                "only someone who holds `{first}` there, such as the account's owner, can give it"
            ))
        } else {
            // Only a place as a policy's approver, which has no end.
            let lasting = self.gained_at(change, at)?.is_empty();
            Error::denied(format!(
                "`{email}` cannot give `{who}` {given} in `{account}`: from {at} it includes capabilities they do not hold then ({names})"
            ))
            .help(if lasting {
                format!("a member gives only what they hold, for as long as they hold it, and a policy's approver stays one: ask someone who holds `{first}` for good")
            } else {
                format!("a member gives only what they hold, for as long as they hold it: let it end by {at}, or ask someone who holds `{first}` for good")
            })
        })
    }

    /// What a change gave, in words: a role, grants, access back, the
    /// ownership, or the deciding of a policy's orders as its named
    /// approver.
    fn given(
        &self,
        seat: Seat,
        (before, after): (Option<&Standing>, Option<&Standing>),
    ) -> Result<String> {
        let named: Vec<String> = self
            .newly_named_by(seat)?
            .iter()
            .map(|name| format!("policy `{name}`"))
            .collect();
        let named = (!named.is_empty())
            .then(|| format!("the deciding of the orders of {}", named.join(", ")));
        let Some(after) = after else {
            return Ok(named.unwrap_or_else(|| "access".into()));
        };
        // An invitation that took over one known by another address (a
        // merged-away one the actor does not read as merged) gives what
        // one to a new address would: telling it as a resend would tell
        // the actor the two addresses are one person.
        let readdressed = self.before(seat)?.is_some_and(|b| {
            b.membership.accepted_at.is_none()
                && b.membership.invited_email != after.membership.invited_email
        });
        let before = before.filter(|_| !readdressed);
        let mut parts = Vec::new();
        let role = after.membership.role_id;
        let had_access = match before {
            Some(b) => !self.access(b, true)?.capabilities().is_empty(),
            None => false,
        };
        if !had_access || before.is_some_and(|b| b.membership.role_id != role) {
            parts.push(format!("role `{}`", self.catalog.role(self.tx, role)?.name));
        }
        // Access given back (an activation) gives back the grants kept
        // with it too: they are as much what it gives as the role.
        for g in &after.grants {
            if !had_access || before.is_none_or(|b| !b.grants.iter().any(|h| h.name == g.name)) {
                parts.push(format!("`{}`", g.name));
            }
        }
        if after.owner && !before.is_some_and(|b| b.owner) {
            parts.push("the ownership".into());
        }
        parts.extend(named);
        if parts.is_empty() {
            parts.push("access back".into());
        }
        let given = parts.join(" and ");
        // A token for an invitation that was there already (a resend).
        if self.token_minted(seat)? && self.before(seat)?.is_some() && !readdressed {
            return Ok(format!("a new invitation token for {given}"));
        }
        Ok(given)
    }

    /// An account keeps an active member holding `users.manage`.
    fn ensure_admin_remains(
        &self,
        (person, account_id): Seat,
        before: Option<&Standing>,
        after: Option<&Standing>,
        may_lose_admin: &BTreeSet<i64>,
    ) -> Result<()> {
        // Time-bound access counts only while it lasts: an admin whose
        // `users.manage` lapses at T would leave the account without one
        // at T, with no write for this rule to refuse then. So the rule
        // asks for an admin for good: whoever holds `users.manage` now and
        // after everything time-bound has lapsed.
        let held = |s: Option<&Standing>| -> Result<bool> {
            Ok(match s {
                Some(s) => lasting_admin(
                    self.tx, self.catalog, &s.membership, &s.grants, s.owner, self.ctx.now,
                )?,
                None => false,
            })
        };
        if !held(before)? || held(after)? || may_lose_admin.contains(&account_id) {
            return Ok(());
        }
        let account = self.account(account_id)?;
        // Those who hold it once everything time-bound has lapsed, found
        // by index, oldest first, a few at a time: reading every member
        // made a file demoting thousands of admins take time growing with
        // the square of the account.
        let holding = super::access::holding(
            self.tx,
            self.catalog,
            caps::USERS_MANAGE,
            account.id,
            account.owner_id,
        )?;
        let mut limit = 8;
        loop {
            let found =
                self.tx
                    .active_holders(account_id, &holding, Timestamp::end_of_time(), limit)?;
            for m in &found {
                let grants = self.tx.grants(m.id)?;
                let owner = account.owner_id == Some(m.person_id);
                let m = m.clone().in_force(self.ctx.now);
                if lasting_admin(self.tx, self.catalog, &m, &grants, owner, self.ctx.now)? {
                    return Ok(());
                }
            }
            if found.len() < limit {
                break;
            }
            limit = limit.saturating_mul(8);
        }
        let who = self.seat_address(person, account_id)?;
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

    /// External access is a partner's member's on a customer, and gives
    /// no more than they hold in the partner: an external admin is one of
    /// the partner's administrators (002: "add further partner
    /// administrators"), not a way to raise a partner's user above what
    /// the partner gave them. So it lasts only while its holder is an
    /// active member of the partner, with access, holding every
    /// capability it gives, for as long as it lasts. Checked at the
    /// external seat when it changes, and at the partner seat when it
    /// changes.
    fn ensure_external_access_is_backed(
        &self,
        (person, account): Seat,
        before: Option<&Standing>,
        after: Option<&Standing>,
    ) -> Result<()> {
        if let Some(s) = after {
            if let Some(partner) = s.membership.external_from {
                // Adding, or raising, someone the actor may not see in the
                // partner: why it cannot be done would tell what they hold
                // there, so it reads as any address they cannot add, once
                // an external admin as before (findings C4).
                match self.ensure_backed(&s.membership, partner) {
                    Err(Error::Conflict(_)) if !self.sees_users_of(&self.account(partner)?)? => {
                        let who = self.tx.person(person)?.email;
                        let partner = self.account(partner)?.name;
                        return Err(super::external_admins::not_addable(&who, &partner));
                    }
                    backed => backed?,
                }
            }
        }
        // A partner seat the write changed (a role, its end, a grant) may
        // back less, now or later, than the access it gave on customers.
        let changed_partner_seat =
            before.is_some() && self.account(account)?.kind == AccountKind::Partner;
        if changed_partner_seat {
            for m in self.tx.memberships_of(person)? {
                if m.external_from == Some(account) {
                    self.ensure_backed(&m, account)?;
                }
            }
        }
        Ok(())
    }

    /// Refuses the external membership `m` unless its holder's membership
    /// of `partner` backs all it gives (see above), now and at every moment
    /// until it ends at which something of either lapses: a partner
    /// administrator until T is backing only until T, as a member gives
    /// only what they hold for as long as they hold it.
    fn ensure_backed(&self, m: &Membership, partner: i64) -> Result<()> {
        if m.status != MemberStatus::Active {
            return Ok(());
        }
        let now = self.ctx.now;
        let (customer, partner) = (self.account(m.account_id)?, self.account(partner)?);
        let who = self.seat_address(m.person_id, m.account_id)?;
        let home = self
            .tx
            .membership_of(m.person_id, partner.id)?
            .filter(|home| home.status == MemberStatus::Active);
        let unbacked = || {
            Error::conflict(format!(
                "`{who}` would keep access to `{}` from `{}` without being active there",
                customer.name, partner.name
            ))
        };
        let Some(home) = home else {
            return Err(unbacked());
        };
        let (home_grants, grants) = (self.tx.grants(home.id)?, self.tx.grants(m.id)?);
        let mut moments: Vec<Timestamp> = home
            .lapses(&home_grants)
            .chain(m.lapses(&grants))
            .filter(|at| *at > now && m.external_until.is_none_or(|end| *at < end))
            .collect();
        moments.push(now);
        moments.sort_unstable();
        moments.dedup();
        for at in moments {
            let given = Access::of(self.tx, self.catalog, &customer, m.clone().in_force(at), at)?;
            let held = Access::of(
                self.tx,
                self.catalog,
                &partner,
                home.clone().in_force(at),
                at,
            )?;
            let missing = held.uncovered(&given);
            if missing.is_empty() {
                continue;
            }
            if at == now && !held.holds(caps::PORTAL_ACCESS) {
                return Err(unbacked());
            }
            let role = &self.catalog.role(self.tx, m.role_id)?.name;
            let (from, then) = if at == now {
                (String::new(), "")
            } else {
                (format!("from {at} "), " then")
            };
            // Which capabilities they lack in the partner tells their role
            // there: said only to whoever may see the partner's users (a
            // customer's own admin may not).
            let lacking = match self.sees_users_of(&partner)? {
                true => format!(" ({})", shown(&missing)),
                false => String::new(),
            };
            return Err(Error::conflict(format!(
                "`{who}`'s role `{role}` on `{}` would {from}give capabilities they do not hold in `{}`{then}{lacking}",
                customer.name,
                partner.name,
            ))
            .help(if at == now {
                format!(
                    "an external admin holds no more on a customer than in its partner: give them that role in `{}` first, or a lesser one on `{}`",
                    partner.name, customer.name
                )
            } else {
                format!(
                    "an external admin holds no more on a customer than in its partner, for as long as they hold it there: let it end by {at} (`--until`), or give them that role in `{}` for good",
                    partner.name
                )
            }));
        }
        Ok(())
    }

    /// Whether the actor may see `account`'s users: the operator, or a
    /// member who holds `users.view` or `users.manage` there.
    fn sees_users_of(&self, account: &Account) -> Result<bool> {
        match authority(self.tx, self.catalog, self.ctx, account) {
            Ok(who) => Ok(who.holds(caps::USERS_VIEW) || who.holds(caps::USERS_MANAGE)),
            Err(Error::Denied(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// The refusal of what would demote, deactivate or mark as left the
/// owner `email` of `account`: ownership moves only by a transfer. The
/// command's own check before the gate's says it in the same words.
pub(super) fn owner_cannot_be(ctx: &Ctx, email: &Email, account: &str, what: &str) -> Error {
    Error::conflict(format!("`{email}` owns `{account}` and cannot be {what}"))
        .help(move_ownership_first(ctx, email, account))
}

/// What the actor does about the owner rule: the ownership of `account`
/// moves first, by `user transfer-ownership`, which only its owner
/// `owner` or the operator may run (see `transfer_ownership`). An actor
/// who may not is told whom to ask, rather than handed a command that
/// would refuse them. Inside an apply, the file's field moves it: its
/// account's `owner`, in a file applied before this change (an apply
/// moves an account's ownership before that account's own entries, not
/// before an earlier account's).
pub(super) fn move_ownership_first(ctx: &Ctx, owner: &Email, account: &str) -> String {
    let listed = ctx
        .in_file
        .as_ref()
        .and_then(|accounts| accounts.get(account));
    let step = match listed {
        Some(i) => format!(
            "first name someone else as its owner in `accounts[{i}].owner` and apply that, then this change"
        ),
        None => format!(
            "run `{}`",
            Paste::new("user transfer-ownership --to EMAIL").opt("--account", account)
        ),
    };
    match (&ctx.actor, listed) {
        (Actor::Member(me), _) if me != owner => format!(
            "the ownership of `{account}` must move first, and only its owner `{owner}` or the operator (without --as) can move it: ask them to {step}"
        ),
        (_, Some(i)) => format!(
            "move the ownership of `{account}` to someone else first: name them in `accounts[{i}].owner` and apply that, then this change"
        ),
        (_, None) => format!(
            "move the ownership of `{account}` to someone else first with `{}`",
            Paste::new("user transfer-ownership --to EMAIL").opt("--account", account)
        ),
    }
}

/// [`move_ownership_first`] for an account the actor may not know of,
/// which it does not name.
fn unnamed_move_first(ctx: &Ctx, owner: &Email) -> String {
    let how = match ctx.in_file {
        Some(_) => "by naming another owner for the account in a file applied first",
        None => "with `portalctl user transfer-ownership`",
    };
    format!(
        "the ownership must move first, and only its owner `{owner}` or the operator (without --as) can move it, {how}"
    )
}

/// Capabilities a refusal names, the first `SHOWN` of them.
fn shown(capabilities: &[Capability]) -> String {
    let mut names: Vec<String> = capabilities.iter().map(|c| c.to_string()).collect();
    if names.len() > SHOWN {
        let more = names.len() - SHOWN;
        names.truncate(SHOWN);
        names.push(format!("{more} more"));
    }
    names.join(", ")
}

/// The members of one account as the gate sees them, before or after the
/// write under review.
struct Seen<'r, 'a> {
    review: &'r Review<'a>,
    account: i64,
    before: bool,
    /// The members of the account whose ability the write changed: the
    /// only ones the store's index, which reads the account as the write
    /// leaves it, may misjudge as they were before.
    changed: &'r BTreeSet<i64>,
    /// The approvers found so far, how many candidates the index was asked
    /// for to find them, and whether that was all of them.
    found: RefCell<Option<(Vec<i64>, usize, bool)>>,
}

impl Seen<'_, '_> {
    fn standing(&self, person: i64) -> Result<Option<Rc<Standing>>> {
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
        // Found from the holding side, a few at a time, as
        // `deciders::Now` finds them: walking every member made a change
        // to one plain user of a large account take time growing with it.
        // The index reads the account as the write leaves it; those whose
        // ability the write changed, and the owner, are judged as this
        // side sees them, so each may take a place the index gave.
        let owner = match self.before {
            true => self.review.account_before(self.account)?,
            false => Some(self.review.account(self.account)?),
        }
        .and_then(|a| a.owner_id);
        let extra = self.changed.len() + 1;
        let mut limit = enough
            .saturating_add(except.len())
            .saturating_add(extra)
            .saturating_add(1);
        let holding = super::access::holding(
            self.review.tx,
            self.review.catalog,
            caps::ORDERS_APPROVE,
            self.account,
            None,
        )?;
        loop {
            if let Some((found, asked, complete)) = &*self.found.borrow() {
                let taken = take(found, except, enough);
                if *complete || taken.len() >= enough {
                    return Ok(taken);
                }
                limit = limit.max(asked.saturating_mul(8));
            }
            let held = (self.review.tx)
                .active_holders(self.account, &holding, self.review.ctx.now, limit)?;
            let complete = held.len() < limit;
            let candidates: BTreeSet<i64> = (held.iter().map(|m| m.person_id))
                .chain(self.changed.iter().copied())
                .chain(owner)
                .collect();
            let mut found = Vec::new();
            for person in candidates {
                if self.ability(person)?.approves {
                    found.push(person);
                }
            }
            *self.found.borrow_mut() = Some((found, limit, complete));
        }
    }
}

impl<'a> Review<'a> {
    /// What the write leaves short of approvers that was not before: an
    /// enabled policy with fewer eligible approvers than it requires, and
    /// a pending order that now falls back to the account's approvers, or
    /// that nobody eligible is left to decide. The write goes through; the
    /// caller hears it as warnings. Eligibility is judged when deciding,
    /// so the fallback itself needs nothing written.
    ///
    /// "Before" is read from the journal (the members as they were), with
    /// the policies and orders as the write leaves them; an account in
    /// `baselines` was read whole before the write changed anything (see
    /// [`super::gate::Write::baseline`]), for a write that changes the
    /// policies or orders themselves, such as a merge passing a named
    /// approver's place on.
    pub(super) fn shortfalls(&self, baselines: &BTreeMap<i64, Shortfalls>) -> Result<Vec<String>> {
        // Only a change in someone's ability to decide can leave a policy
        // or an order short. Most writes change none, and then nothing
        // here reads an account's members or orders.
        let mut changed: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
        // The accounts where someone gained or lost `orders.approve`: who
        // the account's approvers are changed there.
        let mut approvers_changed = BTreeSet::new();
        let none = BTreeSet::new();
        for &(person, account) in self.seats()? {
            let seen = |before| Seen {
                review: self,
                account,
                before,
                changed: &none,
                found: RefCell::default(),
            };
            let (was, is) = (seen(true).ability(person)?, seen(false).ability(person)?);
            if was != is {
                changed.entry(account).or_default().insert(person);
                if was.approves != is.approves {
                    approvers_changed.insert(account);
                }
            }
        }
        let accounts: BTreeSet<i64> = (baselines.keys().chain(changed.keys())).copied().collect();
        let mut warnings = Vec::new();
        for id in accounts {
            let account = self.account(id)?;
            let seen = |before| Seen {
                review: self,
                account: id,
                before,
                changed: changed.get(&id).unwrap_or(&none),
                found: RefCell::default(),
            };
            // Where the account's approvers are as they were, only what
            // names someone whose access changed can be left short: a
            // change to one plain member reads the policies and orders
            // naming them, by index, not every pending order (findings
            // C6). A baseline was read whole, so its account is too.
            // Where they changed, only the policies the change leaves
            // with too few approvers to spare are read for orders (each
            // policy's approvers counted by index, no further than it
            // could need): walking every pending order made changing one
            // approver of a busy account take seconds (issue 11).
            let naming = changed.get(&id).unwrap_or(&none);
            let tight;
            let scope = if baselines.contains_key(&id) {
                Scope::Whole
            } else if approvers_changed.contains(&id) {
                tight = tight_policies(self.tx, &seen(false), &account)?;
                Scope::Held {
                    naming,
                    policies: &tight,
                }
            } else {
                Scope::Naming(naming)
            };
            let read;
            let before = match baselines.get(&id) {
                Some(baseline) => baseline,
                None => {
                    read = shortfalls_in(self.tx, &seen(true), &account, scope)?;
                    &read
                }
            };
            let after = shortfalls_in(self.tx, &seen(false), &account, scope)?;
            // An order line names the order, its policy and how far it is
            // from approval: only for whoever may see the order (findings
            // A#17); anyone else hears how many there are.
            let mut hidden = BTreeSet::new();
            // A policy line names the policy and its approvers' count:
            // only for whoever may see the account's policies.
            let sees_policies = match self.ctx.actor {
                Actor::Operator(_) => true,
                Actor::Member(_) => super::access::authorize_whole_account(
                    self.tx, self.catalog, self.ctx, &account, "see approval policies",
                )
                .is_ok(),
            };
            // A customer the actor may not know of is not named to them:
            // it reads as an account that does not exist everywhere else.
            let place = match self.ctx.actor {
                Actor::Member(_)
                    if !super::visibility::knows_account(
                        self.tx, self.catalog, self.ctx, &account,
                    )? =>
                {
                    "in an account you cannot see".to_string()
                }
                _ => format!("in `{}` that you cannot see", account.name),
            };
            let mut hidden_policies = 0;
            for (short, warning) in after.0 {
                let Some(warning) = warning.filter(|_| !before.has(short)) else {
                    continue;
                };
                if let (Short::Policy(_), false) = (short, sees_policies) {
                    hidden_policies += 1;
                    continue;
                }
                if let Short::Stuck(order, _) | Short::FallsBack(order, _) = short {
                    if !self.sees_order(&account, order)? {
                        hidden.insert(order);
                        continue;
                    }
                }
                warnings.push(warning);
            }
            if hidden_policies > 0 {
                warnings.push(format!(
                    "{hidden_policies} approval {} {place} {} left short of eligible approvers; someone who sees its policies can check them (`portalctl policy list`)",
                    if hidden_policies == 1 { "policy" } else { "policies" },
                    if hidden_policies == 1 { "is" } else { "are" }
                ));
            }
            if !hidden.is_empty() {
                warnings.push(format!(
                    "{} {place} {} left short of eligible approvers; someone who sees its orders can check them (`portalctl order list --status pending`)",
                    count(hidden.len(), "pending order"),
                    if hidden.len() == 1 { "is" } else { "are" }
                ));
            }
        }
        Ok(warnings)
    }

    /// Whether the actor may see order `id` of `account` once the write
    /// is done, as `order show` judges it.
    fn sees_order(&self, account: &Account, id: i64) -> Result<bool> {
        if let Actor::Operator(_) = self.ctx.actor {
            return Ok(true);
        }
        let Some(order) = self.tx.order(id)? else {
            return Ok(false);
        };
        super::order_names::sees_order(self.tx, self.catalog, self.ctx, account, &order)
    }
}

/// One way an account can be short of deciders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Short {
    /// An enabled policy with fewer eligible approvers than it requires.
    Policy(i64),
    /// A pending order (id) that nobody eligible is left to give a policy
    /// (id) the approvals it needs.
    Stuck(i64, i64),
    /// A pending order (id) that a policy (id) naming approvers holds,
    /// left to the account's approvers.
    FallsBack(i64, i64),
}

/// How an account is short of deciders at one moment, each shortfall with
/// the warning it gives when a write brings it about (`None`: one that is
/// no news, such as a fallback for a policy already satisfied).
#[derive(Debug, Clone, Default)]
pub(super) struct Shortfalls(Vec<(Short, Option<String>)>);

impl Shortfalls {
    fn has(&self, short: Short) -> bool {
        self.0.iter().any(|(s, _)| *s == short)
    }
}

/// Which of an account's policies and pending orders [`shortfalls_in`]
/// reads.
#[derive(Debug, Clone, Copy)]
pub(super) enum Scope<'s> {
    /// All of them.
    Whole,
    /// Only the policies naming one of these people as an approver, and
    /// the pending orders held by a policy naming one of them (found by
    /// index): all a change of these people's access can leave short
    /// while who holds `orders.approve` stays as it was, since the rest
    /// are decided by others, or by the account's approvers.
    Naming(&'s BTreeSet<i64>),
    /// Every policy, the pending orders [`Scope::Naming`] reads, and the
    /// pending orders held by `policies` (found by index on the policy):
    /// all a change of who holds `orders.approve` can leave stuck, when
    /// `policies` are those [`tight_policies`] finds after it.
    Held {
        /// The people whose ability the change touched.
        naming: &'s BTreeSet<i64>,
        /// The policies whose orders may have been left stuck.
        policies: &'s BTreeSet<i64>,
    },
}

/// How many people of a policy's approvers an order may leave out beyond
/// its creator without their approval counting toward that policy: an
/// approval counts for every open policy its giver may decide, so only
/// the second person of a delegated decision, or someone who approved
/// before the policy became theirs to decide, is left out uncounted.
const UNCOUNTED: usize = 2;

/// The policies of `account` (enabled or not: a disabled one may still
/// hold orders) whose pending orders a change of the account's approvers
/// may have left stuck, with its members as `roster` sees them after the
/// change. An order is stuck when fewer people may still approve it for
/// a policy than the approvals it still needs; those who may are the
/// policy's eligible approvers (its named ones with access, and the
/// account's approvers it falls back to) less the order's creator and
/// those who decided it, whose approvals already count toward what it
/// needs. So a policy with at least its required approvals, one for the
/// creator and [`UNCOUNTED`] more eligible approvers leaves none of its
/// orders stuck, and is not read further. Each policy's approvers are
/// counted by index, no further than that.
fn tight_policies(tx: &dyn Tx, roster: &dyn Roster, account: &Account) -> Result<BTreeSet<i64>> {
    let mut tight = BTreeSet::new();
    for policy in tx.policies_in(account.id)? {
        let required = usize::try_from(policy.required_approvals).unwrap_or(usize::MAX);
        let spare = required.saturating_add(1 + UNCOUNTED);
        let named: BTreeSet<i64> = policy.approvers.iter().copied().collect();
        let mut eligible = 0;
        for person in &named {
            if roster.ability(*person)?.access {
                eligible += 1;
            }
        }
        if eligible < spare {
            eligible += roster.approvers(&named, spare - eligible)?.len();
        }
        if eligible < spare {
            tight.insert(policy.id);
        }
    }
    Ok(tight)
}

/// How `account` is short of deciders with its members as `roster` sees
/// them and its policies and pending orders (those `scope` reads) as they
/// are in `tx` now.
pub(super) fn shortfalls_in(
    tx: &dyn Tx,
    roster: &dyn Roster,
    account: &Account,
    scope: Scope<'_>,
) -> Result<Shortfalls> {
    let mut found = Vec::new();
    let in_scope = |approvers: &[i64]| match scope {
        Scope::Whole | Scope::Held { .. } => true,
        Scope::Naming(people) => approvers.iter().any(|p| people.contains(p)),
    };
    let policies = tx.policies_in(account.id)?;
    for policy in policies
        .iter()
        .filter(|p| p.enabled && in_scope(&p.approvers))
    {
        let need = usize::try_from(policy.required_approvals).unwrap_or(usize::MAX);
        let has = policy_eligible(roster, policy, need)?;
        if has < need {
            found.push((
                Short::Policy(policy.id),
                Some(short_policy_warning(policy, account, has, need)),
            ));
        }
    }
    let orders = match scope {
        Scope::Whole => tx.pending_orders_in(account.id)?,
        // An account without a pending order has none naming anyone:
        // one probe, where a file's run of 10,000 new members would ask
        // for each of them (a tenth of such an apply).
        Scope::Naming(_) | Scope::Held { .. } if !tx.has_pending_orders(account.id)? => Vec::new(),
        Scope::Naming(people) | Scope::Held { naming: people, .. } => {
            let mut orders: Vec<Order> = Vec::new();
            for person in people {
                orders.extend(tx.pending_orders_naming(account.id, *person)?);
            }
            if let Scope::Held { policies, .. } = scope {
                for policy in policies {
                    orders.extend(tx.pending_orders_held_by(account.id, *policy)?);
                }
            }
            orders.sort_by_key(|o| o.id);
            orders.dedup_by_key(|o| o.id);
            orders
        }
    };
    for order in orders {
        let pending = pending_of(tx, roster, &order)?;
        // One warning an order, however many policies hold it, which
        // each policy's shortfall carries: a change that brings about any
        // of them gives it once (the gate drops a warning given twice).
        let stuck = pending.stuck();
        let warning =
            (!stuck.is_empty()).then(|| pending.stuck_warning(order.number, &account.name));
        for h in stuck {
            found.push((Short::Stuck(order.id, h.policy.policy_id), warning.clone()));
        }
        // An order nobody can approve falls back to nobody: the account's
        // approvers may not decide it either, so its one warning is the
        // stuck one, whichever of its policies would fall back (findings
        // A8: each stuck order was also told the account's approvers may
        // now decide it). Unstuck later, its fallback is news then.
        if !pending.approvable() {
            continue;
        }
        // A satisfied policy waits for nobody: no news that it would
        // fall back.
        let news = |h: &Hold| !h.satisfied();
        let falling: Vec<&Hold> = pending.holds.iter().filter(|h| h.falls_back()).collect();
        let named: Vec<String> = (falling.iter().filter(|h| news(h)))
            .map(|h| format!("`{}`", h.policy.name))
            .collect();
        let warning = match named.as_slice() {
            [] => None,
            [one] => Some(format!("policy {one} has")),
            _ => Some(format!(
                "policies {} have",
                crate::view::capped(&named, crate::view::POLICIES_NAMED)
            )),
        }
        .map(|which| {
            format!(
                "order {} in `{}` now falls back to the account's approvers: {which} too few eligible approvers left",
                order.number, account.name
            )
        });
        for h in falling {
            let warning = warning.clone().filter(|_| news(h));
            found.push((Short::FallsBack(order.id, h.policy.policy_id), warning));
        }
    }
    Ok(Shortfalls(found))
}

/// Each moment at which something of `s` lapses: its role, its external
/// access, or one of its grants.
fn lapses(s: &Standing) -> impl Iterator<Item = Timestamp> + '_ {
    s.membership.lapses(&s.grants)
}

/// Whether a membership holds `users.manage` now and still holds it once
/// everything time-bound about it has lapsed.
fn lasting_admin(
    tx: &dyn Tx,
    catalog: &Catalog,
    m: &Membership,
    grants: &[Grant],
    owner: bool,
    now: Timestamp,
) -> Result<bool> {
    let held = |m: Membership, at: Timestamp| -> Result<bool> {
        Ok(
            Access::from_parts(tx, catalog, m, grants.to_vec(), owner, at)?
                .holds(caps::USERS_MANAGE),
        )
    };
    let end = Timestamp::end_of_time();
    Ok(held(m.clone(), now)? && held(m.clone().in_force(end), end)?)
}
