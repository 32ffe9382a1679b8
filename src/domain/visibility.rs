//! What the actor may learn exists. Every account and person a command
//! names is found here, so that a member refused in an account they cannot
//! see gets the same answer whether it exists or not, and a person outside
//! the accounts whose users they may view is as unknown as one who never
//! was. The operator sees everything.

use std::collections::HashMap;

use super::access::{authority, authorize, caps, Access};
use super::held_names::one_spelling;
use super::{Actor, Catalog, Ctx};
use crate::error::{Error, Result};
use crate::model::{Account, AccountKind, Email, MemberStatus, Membership, Need, Paste, Person};
use crate::store::Tx;

/// How many accounts a "which one?" error names.
const ACCOUNTS_NAMED: usize = 6;

/// The account named (compared without case). A member finds only the
/// accounts they may know exist (see [`knows_account`]); any other name,
/// taken or not, is refused alike (exit 5), in the words asked.
pub(crate) fn find_account(tx: &dyn Tx, ctx: &Ctx, name: &str) -> Result<Account> {
    find_customer_reached(tx, ctx, name, &[])
}

/// The account named, for a command that reaches a partner's customers
/// through one of `reach` held in the partner (allocating licences, the
/// RFI, external admins): a member of the partner who holds one finds its
/// customers too, as does one who manages them. Otherwise as
/// [`find_account`].
pub(crate) fn find_customer_reached(
    tx: &dyn Tx,
    ctx: &Ctx,
    name: &str,
    reach: &[Need],
) -> Result<Account> {
    let name = name.trim();
    let found = tx.account_named(name)?;
    // Checked once the actor may know the account, so that a refusal
    // names no account they may not.
    let one = |account: Account| -> Result<Account> {
        one_spelling(tx, "account", account.id, name, &account.name)?;
        Ok(account)
    };
    let Actor::Member(email) = &ctx.actor else {
        return found.map(one).unwrap_or_else(|| {
            Err(Error::not_found(format!("no account `{name}`"))
                .help("`portalctl account list` shows the accounts"))
        });
    };
    if let Some(account) = found {
        if let Some(me) = tx.person_by_email(email.as_str())? {
            if tx.membership_of(me.id, account.id)?.is_some() {
                return one(account);
            }
            if let Some(parent) = account.parent_id {
                // Only a member of the parent can reach it from there, so
                // nobody else pays for reading the catalog.
                if tx.membership_of(me.id, parent)?.is_some()
                    && partner_reaches(tx, &*Catalog::load(tx)?, ctx, parent, reach)?
                {
                    return one(account);
                }
            }
        }
    }
    Err(unreached(tx, ctx, email, name, reach)?)
}

/// The refusal of a member who finds no customer by `name`. One who
/// belongs to a single partner and may not do there what `reach` lets
/// them is told so, as for any name; anyone else is told they are not a
/// member of the account named.
fn unreached(tx: &dyn Tx, ctx: &Ctx, email: &Email, name: &str, reach: &[Need]) -> Result<Error> {
    let refusal = not_a_member(email, name);
    let (Some(&need), Some(me)) = (reach.first(), tx.person_by_email(email.as_str())?) else {
        return Ok(refusal);
    };
    let mut partners = Vec::new();
    for m in tx.memberships_of(me.id)? {
        let account = tx.account(m.account_id)?;
        if account.kind == AccountKind::Partner {
            partners.push(account);
        }
    }
    let [partner] = partners.as_slice() else {
        return Ok(refusal);
    };
    let catalog = Catalog::load(tx)?;
    if partner_reaches(tx, &catalog, ctx, partner.id, reach)? {
        return Ok(refusal);
    }
    match authorize(tx, &catalog, ctx, partner, need) {
        Ok(_) => Ok(refusal),
        Err(e @ Error::Denied(_)) => Ok(e),
        Err(e) => Err(e),
    }
}

/// Whether the actor may know that `account` exists: the operator; a
/// member of it, whatever their standing; a member of its partner who
/// sees the partner's customers (as `account list` shows them). To
/// anyone else a refusal about it reads as one about an account that
/// does not exist.
pub(crate) fn knows_account(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<bool> {
    match authority(tx, catalog, ctx, account) {
        Ok(_) => return Ok(true),
        Err(Error::Denied(_)) => {}
        Err(e) => return Err(e),
    }
    match account.parent_id {
        Some(parent) => partner_reaches(tx, catalog, ctx, parent, &[]),
        None => Ok(false),
    }
}

/// Whether the actor, in the partner `parent`, sees its customers
/// ([`Authority::sees_customers`]) or holds one of `reach`.
fn partner_reaches(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    parent: i64,
    reach: &[Need],
) -> Result<bool> {
    match authority(tx, catalog, ctx, &tx.account(parent)?) {
        Ok(who) => Ok(who.sees_customers() || reach.iter().any(|n| who.holds(n.cap))),
        Err(Error::Denied(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The person an invitation to `email` bound to, where the actor knows
/// that invitation by that address (an account where they hold
/// `users.view`, which invited it, before it is accepted): someone merged
/// into another, or invited at an address merged into them, whom
/// [`find_person`] alone calls no user, since the person the address
/// binds to is not the actor's to know otherwise. A command naming a
/// person by an address its account invited ([`shown_email`]'s other
/// half) finds them here, as it finds anyone else invited there.
pub(crate) fn invitee_known_as(tx: &dyn Tx, ctx: &Ctx, email: &Email) -> Result<Option<Person>> {
    let Actor::Member(me) = &ctx.actor else {
        return Ok(None);
    };
    let catalog = Catalog::load(tx)?;
    for m in tx.memberships_invited_as(email.as_str())? {
        if m.accepted_at.is_none()
            && views_users(tx, &catalog, ctx, me, &tx.account(m.account_id)?)?
        {
            return Ok(Some(tx.person(m.person_id)?));
        }
    }
    Ok(None)
}

/// The refusal of a member in an account they do not belong to; the name
/// is the one asked for, so the refusal reads the same whether the account
/// exists or not.
pub(crate) fn not_a_member(email: &Email, account: &str) -> Error {
    Error::denied(format!("`{email}` is not a member of `{account}`"))
        .help("act as a member of that account, or pass the right --account")
}

/// A person the command names without an account to look in (a merge, the
/// original of a duplicate). A member finds themselves and the people of
/// the accounts whose users they may view; anyone else is "no user", as
/// is a retired duplicate whose kept person the member could not see.
pub(crate) fn find_person(tx: &dyn Tx, ctx: &Ctx, email: &Email) -> Result<Person> {
    let unknown = || {
        Error::not_found(format!("no user `{email}`"))
            .help("`portalctl user list` shows the users you may see")
    };
    let person = tx.person_by_email(email.as_str())?.ok_or_else(unknown)?;
    let sees = |p: &Person| sees_person(tx, ctx, p);
    match person.merged_into {
        None if sees(&person)? => Ok(person),
        None => Err(unknown()),
        Some(kept) => {
            let kept = tx.person(kept)?;
            if !sees(&kept)? {
                return Err(unknown());
            }
            Err(merged(tx, ctx, (email, &person), &kept)?.unwrap_or_else(unknown))
        }
    }
}

/// The membership of the person `email` in `account`, looked up once the
/// actor is authorized there: whoever is not in the account reads alike,
/// "not a member", whether they exist elsewhere or not at all. A
/// membership is found by the address the account knows it by to the
/// actor ([`known_address`]) alone: every command that names a member
/// finds them here.
pub(crate) fn member_in(
    tx: &dyn Tx,
    ctx: &Ctx,
    email: &Email,
    account: &Account,
) -> Result<(Person, Membership)> {
    Sought::read(tx, email, false)?.in_account(tx, ctx, account)
}

/// [`member_in`] of each of `accounts`, in order: what the address is,
/// where it was typed and the person's seats are read once for them all,
/// so that a list across accounts looks the person up once (issue 11).
pub(crate) fn member_in_each(
    tx: &dyn Tx,
    ctx: &Ctx,
    email: &Email,
    accounts: &[Account],
) -> Result<Vec<Result<(Person, Membership)>>> {
    let sought = Sought::read(tx, email, true)?;
    Ok(accounts
        .iter()
        .map(|account| sought.in_account(tx, ctx, account))
        .collect())
}

/// What [`member_in`] reads of an address whatever the account.
struct Sought<'a> {
    email: &'a Email,
    person: Option<Person>,
    /// The memberships an invitation typed this address for, where it
    /// is no live person's own.
    invited: Vec<Membership>,
    /// Whom the person was merged into.
    kept: Option<Person>,
    /// Every seat of the person and of whom they were merged into, when
    /// read for many accounts; else each is read as asked.
    seats: Option<Vec<Membership>>,
}

impl<'a> Sought<'a> {
    fn read(tx: &dyn Tx, email: &'a Email, many: bool) -> Result<Sought<'a>> {
        let person = tx.person_by_email(email.as_str())?;
        // An address the account typed, bound to someone else's login.
        let invited = if person.as_ref().is_none_or(|p| p.merged_into.is_some()) {
            tx.memberships_invited_as(email.as_str())?
        } else {
            Vec::new()
        };
        let kept = match person.as_ref().and_then(|p| p.merged_into) {
            Some(kept) => Some(tx.person(kept)?),
            None => None,
        };
        let seats = match many {
            true => {
                let mut seats = Vec::new();
                for p in person.iter().chain(&kept) {
                    seats.extend(tx.memberships_of(p.id)?);
                }
                Some(seats)
            }
            false => None,
        };
        Ok(Sought {
            email,
            person,
            invited,
            kept,
            seats,
        })
    }

    fn seat(&self, tx: &dyn Tx, person: i64, account: i64) -> Result<Option<Membership>> {
        match &self.seats {
            Some(seats) => Ok(seats
                .iter()
                .find(|m| m.person_id == person && m.account_id == account)
                .cloned()),
            None => tx.membership_of(person, account),
        }
    }

    fn in_account(
        &self,
        tx: &dyn Tx,
        ctx: &Ctx,
        account: &Account,
    ) -> Result<(Person, Membership)> {
        let email = self.email;
        let absent =
            || Error::not_found(format!("`{email}` is not a member of `{}`", account.name));
        // Whoever an invitation to this address, merged away, bound to is
        // known to the account by that address alone until they accept:
        // the person as the account reads them, at that address.
        if let Some(m) = self.invited.iter().find(|m| m.account_id == account.id) {
            let person = Person {
                email: email.clone(),
                ..tx.person(m.person_id)?
            };
            return Ok((person, m.clone()));
        }
        let person = self.person.as_ref().ok_or_else(absent)?;
        if let Some(kept) = &self.kept {
            // Naming the kept person helps only someone who can see them here:
            // where the merge is known ([`reads_merge_in`]). Where it is not,
            // the account knows two invitations, not one person: the
            // duplicate's, which the merge ended, is no longer there.
            let here = self.seat(tx, person.id, account.id)?.is_some()
                || self.seat(tx, kept.id, account.id)?.is_some();
            return Err(match here && reads_merge_in(tx, ctx, person, account.id)? {
                true => merged(tx, ctx, (email, person), kept)?.unwrap_or_else(absent),
                false => absent(),
            });
        }
        let membership = self.seat(tx, person.id, account.id)?.ok_or_else(absent)?;
        // Known by the address its invitation went to, the person's own
        // finds nothing there: it would tell the two are one.
        if known_address(tx, ctx, person, &membership)? != person.email.as_str() {
            return Err(absent());
        }
        Ok((person.clone(), membership))
    }
}

/// The address `person`'s membership `m` is known by in its account, to
/// the actor: until the person accepts, the one its invitation went to
/// where that bound to their login through another
/// ([`Membership::invited_email`]: an address merged into them, typed by
/// someone who could not see the merge), unless the actor may know the
/// person otherwise ([`reads_own_name`]: the operator, the person, a
/// member who sees them where they joined); else the person's own. What
/// `user list|show` show, and the one address [`member_in`] (every
/// command naming a member), [`accounts_seeing`] and `user invite`'s
/// "already a member" find the membership by: another would tell the
/// inviting account who the address was merged into.
pub(crate) fn known_address(
    tx: &dyn Tx,
    ctx: &Ctx,
    person: &Person,
    m: &Membership,
) -> Result<String> {
    match &m.invited_email {
        Some(typed) if m.accepted_at.is_none() && !reads_own_name(tx, ctx, person, m)? => {
            Ok(typed.clone())
        }
        _ => Ok(person.email.to_string()),
    }
}

/// The refusal of `email`, the address of `dup`, merged into `kept`: "was
/// merged into" with a help naming the person kept now (`kept` itself, or
/// whom `kept` was merged into in turn, followed as far as the actor may
/// know each merge), so that one step reaches a live address without
/// naming one they may not. The one place that refusal is made, so it
/// asks the rule itself ([`sees_merge`]): to an actor who may not read the
/// merge there is none (`None`), and the caller answers as for an address
/// nobody has.
pub(crate) fn merged(
    tx: &dyn Tx,
    ctx: &Ctx,
    (email, dup): (&Email, &Person),
    kept: &Person,
) -> Result<Option<Error>> {
    if !sees_merge(tx, ctx, dup, kept)? {
        return Ok(None);
    }
    let mut now = kept.clone();
    for _ in 0..MAX_MERGES {
        let Some(next) = now.merged_into else { break };
        let next = tx.person(next)?;
        if next.id == kept.id || !sees_merge(tx, ctx, &now, &next)? {
            break;
        }
        now = next;
    }
    let told = match now.id == kept.id {
        true => format!("`{email}` was merged into `{}`", kept.email),
        false => format!(
            "`{email}` was merged into `{}`, since merged into `{}`",
            kept.email, now.email
        ),
    };
    Ok(Some(
        Error::conflict(told).help(format!("use `{}` instead", now.email)),
    ))
}

/// How many merges a refusal follows to the person kept now: far more
/// than anyone is merged, and an end to rows edited into a loop.
const MAX_MERGES: usize = 32;

/// Whether the actor may know that `dup` was merged into `kept`: the
/// operator, and a member who reads the merge ([`reads_merge_in`]) in an
/// account of either of them. The one rule every refusal naming the
/// person kept asks, as every list asks it: knowing the person kept
/// elsewhere (an account they joined after the merge, one that only
/// invited `dup`, one where the reader manages users but may not view
/// them) tells nothing of the merge.
pub(crate) fn sees_merge(tx: &dyn Tx, ctx: &Ctx, dup: &Person, kept: &Person) -> Result<bool> {
    if matches!(ctx.actor, Actor::Operator(_)) {
        return Ok(true);
    }
    let mut accounts: Vec<i64> = Vec::new();
    let mut at = Some(dup.clone());
    for _ in 0..MAX_MERGES {
        let Some(person) = at else { break };
        accounts.extend(tx.memberships_of(person.id)?.iter().map(|m| m.account_id));
        if person.id == kept.id {
            break;
        }
        at = match person.merged_into {
            Some(next) => Some(tx.person(next)?),
            None => None,
        };
    }
    accounts.sort_unstable();
    accounts.dedup();
    for account_id in accounts {
        if reads_merge_in(tx, ctx, dup, account_id)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the merge of `dup` (a person merged away) is known in the
/// account `account_id`: where `dup` had joined it, or the person kept had
/// by the merge (their membership there accepted no later than it; a
/// membership the merge moved from `dup` keeps `dup`'s acceptance). An
/// account where neither had joined then knows two invitations, or one,
/// and the merge, the operator's joining of two people, is not its to
/// read, in any list, view, log line or refusal: nor once the person kept
/// accepts its invitation afterwards. The one rule every read of a merge
/// asks ([`reads_merge_in`]).
pub(crate) fn merge_known_in(tx: &dyn Tx, dup: &Person, account_id: i64) -> Result<bool> {
    if tx
        .membership_of(dup.id, account_id)?
        .is_some_and(|m| m.accepted_at.is_some())
    {
        return Ok(true);
    }
    let merge = tx
        .person_events(dup.email.as_str())?
        .into_iter()
        .filter(|e| e.action == "user.merge" && e.account.is_none())
        .max_by_key(|e| e.seq);
    // Each merge moves the kept person's memberships on: whoever holds
    // the account's membership now answers for it.
    let mut next = dup.merged_into;
    for _ in 0..MAX_MERGES {
        let Some(id) = next else { break };
        let holder = tx.person(id)?;
        if let Some(m) = tx.membership_of(id, account_id)? {
            let (Some(accepted), Some(merge)) = (m.accepted_at, &merge) else {
                return Ok(m.accepted_at.is_some());
            };
            if accepted != merge.at {
                return Ok(accepted < merge.at);
            }
            // Accepted in the merge's second: the log's order decides.
            for email in [&dup.email, &holder.email] {
                let events = tx.target_events(email.as_str(), account_id, merge.seq)?;
                // A member's state, or the owner `init` recorded.
                let joined_before = events.iter().any(|e| {
                    e.after.as_ref().is_some_and(|a| {
                        [a, &a["owner"]]
                            .iter()
                            .any(|m| m.get("accepted_at").is_some_and(|at| !at.is_null()))
                    })
                });
                if joined_before {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
        next = holder.merged_into;
    }
    Ok(false)
}

/// Whether the actor reads the merge of `dup` in the account
/// `account_id`: the operator everywhere, a member where it is known
/// ([`merge_known_in`]) and they may know who is there: they hold
/// `users.view` there, or are one of the people merged. One who only
/// manages users (`users.manage` without `users.view`) learns of no
/// merge through an answer naming its addresses.
pub(crate) fn reads_merge_in(
    tx: &dyn Tx,
    ctx: &Ctx,
    dup: &Person,
    account_id: i64,
) -> Result<bool> {
    let Actor::Member(me) = &ctx.actor else {
        return Ok(true);
    };
    if !merge_known_in(tx, dup, account_id)? {
        return Ok(false);
    }
    let catalog = Catalog::load(tx)?;
    if views_users(tx, &catalog, ctx, me, &tx.account(account_id)?)? {
        return Ok(true);
    }
    // The people the merge joined read it as their own.
    let mut at = dup.clone();
    for _ in 0..MAX_MERGES {
        if at.email == *me {
            return Ok(true);
        }
        match at.merged_into {
            Some(next) => at = tx.person(next)?,
            None => break,
        }
    }
    Ok(at.email == *me)
}

/// Whether the membership `person` holds in `account_id` is gone to the
/// actor: the person was merged away by a merge the actor does not read
/// there ([`reads_merge_in`]), which ended the invitation or moved it on.
/// Every read of an account's members (`user list`, `export`, the
/// comparison of a member's file with the database) leaves such a
/// membership out alike, so that none tells the merge apart.
pub(crate) fn gone_by_unread_merge(
    tx: &dyn Tx,
    ctx: &Ctx,
    person: &Person,
    account_id: i64,
) -> Result<bool> {
    Ok(person.merged_into.is_some() && !reads_merge_in(tx, ctx, person, account_id)?)
}

/// What a view shows of a person it names only in passing (whom a member
/// is flagged a duplicate of, or was merged into) to an actor who may not
/// know that person: that there is someone, not who.
pub(crate) const UNSEEN_PERSON: &str = "another person you cannot see";

/// The email of a person a view names in passing, as the actor may read
/// it: the email itself where they may know the person (see
/// [`find_person`]), else [`UNSEEN_PERSON`], so that a view keeps saying a
/// flag exists without naming whom.
pub(crate) fn shown_email(tx: &dyn Tx, ctx: &Ctx, email: &str) -> Result<String> {
    if matches!(ctx.actor, Actor::Operator(_)) {
        return Ok(email.to_string());
    }
    let Some(person) = tx.person_by_email(email)? else {
        return Ok(UNSEEN_PERSON.to_string());
    };
    if sees_person(tx, ctx, &person)? || invitee_known_as(tx, ctx, &person.email)?.is_some() {
        return Ok(email.to_string());
    }
    // Someone an account of theirs invited at another address (one
    // merged into the person) is known there by that address alone.
    if let Actor::Member(me) = &ctx.actor {
        let catalog = Catalog::load(tx)?;
        for m in tx.memberships_of(person.id)? {
            let Some(typed) = m.invited_email.as_ref().filter(|_| m.accepted_at.is_none()) else {
                continue;
            };
            if views_users(tx, &catalog, ctx, me, &tx.account(m.account_id)?)? {
                return Ok(typed.clone());
            }
        }
    }
    Ok(UNSEEN_PERSON.to_string())
}

/// Whether the actor may know `person`: the operator always; a member for
/// themselves and for the people of accounts where they hold `users.view`.
/// A membership the person has not accepted whose invitation went to
/// another address ([`Membership::invited_email`]) does not count: its
/// account knows someone by that address, not this person.
pub(crate) fn sees_person(tx: &dyn Tx, ctx: &Ctx, person: &Person) -> Result<bool> {
    sees_person_through(tx, ctx, person, |m| {
        m.accepted_at.is_some() || m.invited_email.is_none()
    })
}

/// Whether the actor may read the person's own name on their membership
/// `m`: anyone who sees the member, once `m` is accepted; before, whoever
/// may know the person ([`sees_person`]) through a membership the person
/// accepted, themselves, and the operator. An invitation is not the
/// person's say: to everyone else the account knows them only by what
/// its invitation gave ([`Membership::invited_name`]).
pub(crate) fn reads_own_name(
    tx: &dyn Tx,
    ctx: &Ctx,
    person: &Person,
    m: &Membership,
) -> Result<bool> {
    if m.accepted_at.is_some() {
        return Ok(true);
    }
    sees_person_through(tx, ctx, person, |m| m.accepted_at.is_some())
}

/// Whether the actor may read the person's own name on their invitation
/// to `account_id` as it stood before they accepted it, as
/// [`reads_own_name`] judged it then: that acceptance left out, so that
/// an account keeps reading in its own log the name it invited them
/// under, not the one they brought from elsewhere by joining.
pub(crate) fn reads_own_name_on_invitation(
    tx: &dyn Tx,
    ctx: &Ctx,
    person: &Person,
    account_id: i64,
) -> Result<bool> {
    sees_person_through(tx, ctx, person, |m| {
        m.accepted_at.is_some() && m.account_id != account_id
    })
}

/// Whether the actor may read the person's own name anywhere: the
/// person, the operator, or whoever may know them through a membership
/// they accepted.
pub(crate) fn reads_persons_own_name(tx: &dyn Tx, ctx: &Ctx, person: &Person) -> Result<bool> {
    sees_person_through(tx, ctx, person, |m| m.accepted_at.is_some())
}

/// [`sees_person`], through the person's memberships that `counts`.
fn sees_person_through(
    tx: &dyn Tx,
    ctx: &Ctx,
    person: &Person,
    counts: impl Fn(&Membership) -> bool,
) -> Result<bool> {
    let Actor::Member(email) = &ctx.actor else {
        return Ok(true);
    };
    if person.email == *email {
        return Ok(true);
    }
    let catalog = Catalog::load(tx)?;
    for m in tx.memberships_of(person.id)? {
        if !counts(&m) {
            continue;
        }
        let account = tx.account(m.account_id)?;
        if views_users(tx, &catalog, ctx, email, &account)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the member `email` holds `users.view` in `account`.
fn views_users(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    email: &Email,
    account: &Account,
) -> Result<bool> {
    let Some(me) = tx.person_by_email(email.as_str())? else {
        return Ok(false);
    };
    match tx.membership_of(me.id, account.id)? {
        Some(m) => Ok(Access::of(tx, catalog, account, m, ctx.now)?.holds(caps::USERS_VIEW)),
        None => Ok(false),
    }
}

/// Picks the account a command means, where `act` refuses (denied) an
/// account the actor may not do there what the command does: the one
/// named (the caller authorizes it); else, among the actor's accounts
/// (the operator's: every one), only those where `act` lets them count.
/// About the person `subject`, those where the actor sees `subject` count
/// first. None counts: the actor is refused as `act` refuses them in the
/// first (exit 5), since naming an account would not help; one: that
/// one; several: which, naming only those (exit 2). An account they are
/// merely invited to holds nothing, so it is never meant. Every command
/// that picks an account picks it here, so none asks "which account" of
/// someone who may act in none.
pub(crate) fn resolve_account(
    tx: &dyn Tx,
    ctx: &Ctx,
    named: Option<&str>,
    subject: Option<&Email>,
    act: impl Fn(&Account) -> Result<()>,
) -> Result<Account> {
    if let Some(name) = named {
        return find_account(tx, ctx, name);
    }
    let candidates = match &ctx.actor {
        Actor::Member(_) => actor_accounts(tx, ctx)?,
        Actor::Operator(_) => tx.accounts()?,
    };
    let weigh = |accounts: &[Account]| -> Result<(Vec<Account>, Option<Error>)> {
        let mut acting = Vec::new();
        let mut refusal = None;
        for account in accounts {
            match act(account) {
                Ok(()) => acting.push(account.clone()),
                Err(e @ Error::Denied(_)) => {
                    refusal.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        Ok((acting, refusal))
    };
    if let Some(email) = subject {
        let seeing = actor_active_first(tx, ctx, accounts_seeing(tx, ctx, email)?)?;
        let (mut acting, refusal) = weigh(&seeing)?;
        match acting.len() {
            0 => {
                if let Some(refusal) = refusal {
                    return Err(refusal);
                }
            }
            1 => return Ok(acting.remove(0)),
            _ => {
                return Err(Error::invalid(format!(
                    "`{email}` belongs to several accounts; pass --account"
                ))
                .help(format!("their accounts: {}", account_names(&acting))))
            }
        }
    }
    if candidates.is_empty() {
        return Err(match ctx.actor {
            Actor::Member(_) => Error::invalid("you belong to no account, so pass --account"),
            Actor::Operator(_) => Error::not_found("there are no accounts yet")
                .help("create one with `portalctl init` or `portalctl account create`"),
        });
    }
    let (mut acting, refusal) = weigh(&candidates)?;
    match (acting.len(), refusal) {
        (0, Some(refusal)) => Err(refusal),
        (1, _) => Ok(acting.remove(0)),
        // Nobody by that address is in any account where the actor may
        // act and see them: no account to pass would find them.
        (_, _) if subject.is_some() => {
            let email = subject.map(Email::as_str).unwrap_or_default();
            let whose = match ctx.actor {
                Actor::Member(_) => " whose users you may see",
                Actor::Operator(_) => "",
            };
            Err(
                Error::not_found(format!("`{email}` is not a member of any account{whose}"))
                    .help("check the address: `portalctl user list` lists the members"),
            )
        }
        _ => Err(
            Error::invalid("several accounts could be meant; pass --account")
                .help(format!("accounts include {}", account_names(&acting))),
        ),
    }
}

/// The `act` of [`resolve_account`] for a command that needs `need`: the
/// actor holds it there, or is refused as the command would refuse them.
pub(crate) fn holds_need<'a>(
    tx: &'a dyn Tx,
    catalog: &'a Catalog,
    ctx: &'a Ctx,
    need: impl Into<Need>,
) -> impl Fn(&Account) -> Result<()> + 'a {
    let need = need.into();
    move |account| authorize(tx, catalog, ctx, account, need).map(|_| ())
}

/// What a command about the person `email` needs of the actor: a member
/// acts on themselves while they have access at all; on anyone else, with
/// `other`.
pub(crate) fn need_about(ctx: &Ctx, email: &Email, other: Need) -> Need {
    match &ctx.actor {
        Actor::Member(me) if me == email => caps::PORTAL_ACCESS.into(),
        _ => other,
    }
}

/// What a command names in an account, for [`resolve_account_of`] to say
/// it is nowhere: its noun (`cost centre`), the command group that lists
/// it (`cost-centre`) and the name given.
pub(crate) struct Named<'a> {
    pub noun: &'static str,
    pub group: &'static str,
    pub key: &'a str,
}

/// Picks the account a command about one of an account's objects (a
/// policy, service or cost centre, by name) means: the one named; else,
/// where several accounts could be meant, the only one of them where
/// `find` finds the object and `act` lets the actor do what the command
/// does, which is no longer ambiguous. `find` must refuse (not found, or
/// denied) wherever the actor may not know of the object, so that which
/// account is picked tells nothing they may not see. Where the actor
/// sees it in one account alone and may not act there, that account's
/// refusal (from `act`) is the answer, as with `--account`; where they
/// see it in none, that is "not found" (`named`), or (`None`) the refusal
/// [`resolve_account`] gives. The accounts weighed are those it weighs: a
/// member's own, or the operator's every one. A command about no object
/// (`object` is `None`) uses it to count only the accounts it can act in.
pub(crate) fn resolve_account_of<T>(
    tx: &dyn Tx,
    ctx: &Ctx,
    named: Option<&str>,
    object: Option<Named<'_>>,
    find: impl Fn(&Account) -> Result<T>,
    act: impl Fn(&Account) -> Result<()>,
) -> Result<Account> {
    if named.is_none() {
        let accounts = match &ctx.actor {
            Actor::Member(_) => actor_accounts(tx, ctx)?,
            Actor::Operator(_) => tx.accounts()?,
        };
        if accounts.len() > 1 {
            let mut having = Vec::new();
            let mut refused = Vec::new();
            // Where a command about no object finds no account of the
            // kind it acts in, the refusals of the others, and whether it
            // may act in any of them.
            let mut refused_elsewhere = Vec::new();
            let mut acts_elsewhere = false;
            for account in accounts {
                match find(&account) {
                    Ok(_) => match act(&account) {
                        Ok(()) => having.push(account),
                        Err(e @ Error::Denied(_)) => refused.push(e),
                        Err(e) => return Err(e),
                    },
                    // Not there, or not there for the actor to know of.
                    Err(Error::NotFound(_) | Error::Denied(_)) => {
                        if object.is_none() {
                            match act(&account) {
                                Ok(()) => acts_elsewhere = true,
                                Err(e @ Error::Denied(_)) => refused_elsewhere.push(e),
                                Err(e) => return Err(e),
                            }
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            // An actor who may act in none of the accounts that could be
            // meant is refused as without the capability, wherever they
            // are a member: naming an account would not help them.
            match (having.as_slice(), object) {
                ([only], _) => return Ok(only.clone()),
                // Those to choose from are those that have it.
                ([_, _, ..], Some(Named { noun, key, .. })) => {
                    return Err(
                        Error::invalid("several accounts could be meant; pass --account").help(
                            format!(
                                "the accounts with the {noun} `{}`: {}",
                                key.trim(),
                                account_names(&having)
                            ),
                        ),
                    )
                }
                ([], _) if !refused.is_empty() => return Err(refused.remove(0)),
                ([], None) if !acts_elsewhere && !refused_elsewhere.is_empty() => {
                    return Err(refused_elsewhere.remove(0))
                }
                ([], Some(Named { noun, group, key })) if refused.is_empty() => {
                    let whose = match ctx.actor {
                        Actor::Member(_) => " you may see it in",
                        Actor::Operator(_) => "",
                    };
                    return Err(Error::not_found(format!(
                        "no {noun} `{}` in any account{whose}",
                        key.trim()
                    ))
                    .help(format!(
                        "check the name: `{}` lists them",
                        Paste::new(group).words("list")
                    )));
                }
                _ => {}
            }
        }
    }
    resolve_account(tx, ctx, named, None, act)
}

/// The accounts a command about the person `email` spans: the one named
/// (`--account`), else every account of theirs the actor may see them in,
/// by name; where there is none, the one `resolve_account` finds where
/// `act` lets the actor do what the command does, which refuses as a
/// single-account command does.
pub(crate) fn subject_accounts(
    tx: &dyn Tx,
    ctx: &Ctx,
    named: Option<&str>,
    email: &Email,
    act: impl Fn(&Account) -> Result<()>,
) -> Result<Vec<Account>> {
    if named.is_some() {
        return Ok(vec![resolve_account(tx, ctx, named, Some(email), act)?]);
    }
    let mut accounts = accounts_seeing(tx, ctx, email)?;
    if accounts.is_empty() {
        return Ok(vec![resolve_account(tx, ctx, None, Some(email), act)?]);
    }
    accounts.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(accounts)
}

/// The accounts of the person `email` that the actor may see them in.
fn accounts_seeing(tx: &dyn Tx, ctx: &Ctx, email: &Email) -> Result<Vec<Account>> {
    let Some(person) = tx.person_by_email(email.as_str())? else {
        return Ok(Vec::new());
    };
    if let Some(kept) = person.merged_into {
        // An account that invited the address knows someone by it until
        // they accept (see `member_in`).
        let mut invited = Vec::new();
        for m in tx.memberships_invited_as(email.as_str())? {
            let account = tx.account(m.account_id)?;
            let seen = match &ctx.actor {
                Actor::Member(me) => views_users(tx, &*Catalog::load(tx)?, ctx, me, &account)?,
                Actor::Operator(_) => true,
            };
            if seen {
                invited.push(account);
            }
        }
        if !invited.is_empty() {
            return Ok(invited);
        }
        // Whom they were merged into helps whoever may see that person; to
        // anyone else the address is unknown.
        let kept = tx.person(kept)?;
        return match merged(tx, ctx, (email, &person), &kept)? {
            Some(refusal) => Err(refusal),
            None => Ok(Vec::new()),
        };
    }
    let mut accounts = Vec::new();
    let catalog = match &ctx.actor {
        Actor::Member(me) if *me != person.email => Some((me, Catalog::load(tx)?)),
        _ => None,
    };
    for m in tx.memberships_of(person.id)? {
        let account = tx.account(m.account_id)?;
        let seen = match &catalog {
            Some((me, catalog)) => views_users(tx, catalog, ctx, me, &account)?,
            None => true,
        };
        if seen && known_address(tx, ctx, &person, &m)? == person.email.as_str() {
            accounts.push(account);
        }
    }
    Ok(accounts)
}

/// The accounts a list reads without `--account`, or with it, each with
/// what the actor sees there (`sight`): the one named (refused as
/// `--account` always is); else every account where `sight` lets the
/// actor see some, by name, which for a member are only their own
/// accounts. A member who sees nothing in any of them is refused as in
/// the first of them, or else with `none`, naming what they lack.
/// `order list`, `policy list` and `service list` list through it, so
/// they agree on which accounts a list spans.
pub(crate) fn listed_accounts<S>(
    tx: &dyn Tx,
    ctx: &Ctx,
    named: Option<&str>,
    sight: impl Fn(&Account) -> Result<S>,
    none: &str,
) -> Result<Vec<(Account, S)>> {
    let each = |accounts: &[Account]| {
        let mut seen = Vec::with_capacity(accounts.len());
        for account in accounts {
            seen.push(match sight(account) {
                Ok(s) => Some(s),
                Err(Error::Denied(_)) => None,
                Err(e) => return Err(e),
            });
        }
        Ok(seen)
    };
    listed_accounts_by(tx, ctx, named, each, &sight, none)
}

/// [`listed_accounts`], the candidates judged together by `sees` (one
/// answer for each, `None` where the actor sees nothing), which need not
/// say why: only the refusal (`sight`) does, built once, since explaining
/// a refusal in each of thousands of accounts costs a search of who could
/// help in each. Judged together, so that `sees` may read what it needs
/// of every account at once rather than a query per account.
pub(crate) fn listed_accounts_by<S>(
    tx: &dyn Tx,
    ctx: &Ctx,
    named: Option<&str>,
    sees: impl Fn(&[Account]) -> Result<Vec<Option<S>>>,
    sight: impl Fn(&Account) -> Result<S>,
    none: &str,
) -> Result<Vec<(Account, S)>> {
    if let Some(name) = named {
        let account = find_account(tx, ctx, name)?;
        let seen = sight(&account)?;
        return Ok(vec![(account, seen)]);
    }
    let candidates = match &ctx.actor {
        Actor::Operator(_) => tx.accounts()?,
        Actor::Member(_) => actor_accounts(tx, ctx)?,
    };
    let mut seen: Vec<(Account, S)> = candidates
        .iter()
        .cloned()
        .zip(sees(&candidates)?)
        .filter_map(|(account, s)| Some((account, s?)))
        .collect();
    if seen.is_empty() {
        // No account at all reads as it always did ("there are no
        // accounts yet", "you belong to no account").
        let own = match candidates.into_iter().next() {
            Some(own) => own,
            // No account: the refusal does not depend on what is needed.
            None => resolve_account(tx, ctx, None, None, |_| Ok(()))?,
        };
        sight(&own)?;
        return Err(Error::denied(none.to_string()));
    }
    seen.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    Ok(seen)
}

/// The accounts the acting member belongs to, in any state (none for the
/// operator).
pub(crate) fn actor_accounts(tx: &dyn Tx, ctx: &Ctx) -> Result<Vec<Account>> {
    let Actor::Member(email) = &ctx.actor else {
        return Ok(Vec::new());
    };
    let Some(me) = tx.person_by_email(email.as_str())? else {
        return Ok(Vec::new());
    };
    let mut memberships = tx.memberships_of(me.id)?;
    // Those where they are active first: a command they may do in none of
    // their accounts is refused as the first refuses it, and the refusal
    // of one where they are only invited, or no longer active, would tell
    // them of access they do not use rather than what they lack.
    memberships.sort_by_key(|m| m.status != MemberStatus::Active);
    // One statement for all of them: a list across accounts does not
    // grow by a query per account (issue 11).
    let ids: Vec<i64> = memberships.iter().map(|m| m.account_id).collect();
    let mut found: HashMap<i64, Account> = tx
        .accounts_by_id(&ids)?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    ids.iter()
        .map(|id| {
            found
                .remove(id)
                .ok_or_else(|| Error::not_found(format!("no account with id {id}")))
        })
        .collect()
}

/// `accounts` with those where the acting member is active first, in
/// their order otherwise (see [`actor_accounts`]); as they are for the
/// operator.
fn actor_active_first(tx: &dyn Tx, ctx: &Ctx, accounts: Vec<Account>) -> Result<Vec<Account>> {
    let Actor::Member(email) = &ctx.actor else {
        return Ok(accounts);
    };
    let Some(me) = tx.person_by_email(email.as_str())? else {
        return Ok(accounts);
    };
    let mut weighed = Vec::with_capacity(accounts.len());
    for account in accounts {
        // Acting through a partner, with no membership here, counts as
        // active: they are, in the partner.
        let inactive = tx
            .membership_of(me.id, account.id)?
            .is_some_and(|m| m.status != MemberStatus::Active);
        weighed.push((inactive, account));
    }
    weighed.sort_by_key(|(inactive, _)| *inactive);
    Ok(weighed.into_iter().map(|(_, a)| a).collect())
}

fn account_names(accounts: &[Account]) -> String {
    let mut names: Vec<String> = accounts
        .iter()
        .take(ACCOUNTS_NAMED)
        .map(|a| format!("`{}`", a.name))
        .collect();
    if accounts.len() > ACCOUNTS_NAMED {
        names.push(format!("and {} more", accounts.len() - ACCOUNTS_NAMED));
    }
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{add_account, email, policy_over, seeded};
    use super::super::{InviteRequest, NewPolicy};
    use crate::model::{AccountKind, Money, Text};

    /// A member who manages users without `users.view` learns of no
    /// merge through an answer naming the duplicate's address: `user
    /// set-role DUP` reads "not a member" (not "was merged into KEEP"),
    /// and `user invite DUP`, the one person holding one membership,
    /// points to no command naming DUP.
    #[test]
    fn one_who_may_not_view_users_reads_no_merge() {
        use super::super::testing::join;
        use super::super::Actor;
        use crate::model::Capability;
        let mut p = seeded("portal");
        let caps: Vec<Capability> = ["portal.access", "users.manage"]
            .iter()
            .map(|c| c.parse().expect("capability"))
            .collect();
        p.role_create("clerk", &caps, &Text::default(), Some("Acme"))
            .expect("role");
        for (who, role) in [
            ("clara@acme.test", "clerk"),
            ("una@acme.test", "user"),
            ("olive@acme.test", "user"),
        ] {
            join(&mut p, who, role);
        }
        p.merge(&email("una@acme.test"), &email("olive@acme.test"))
            .expect("merge");
        p.ctx.actor = Actor::Member(email("clara@acme.test"));
        let told = p
            .set_role(&email("una@acme.test"), "user", None, None)
            .expect_err("merged away")
            .to_string();
        assert!(told.contains("not a member"), "{told}");
        assert!(!told.contains("olive"), "{told}");
        let told = p
            .invite(&InviteRequest {
                email: Some(email("una@acme.test")),
                role: Some("user".into()),
                ..InviteRequest::default()
            })
            .expect_err("the person is a member");
        assert!(!told.to_string().contains("olive"), "{told}");
        assert!(
            !told
                .help_text()
                .unwrap_or_default()
                .contains("una@acme.test"),
            "{told:?}"
        );
    }

    /// A policy, service or cost centre by a name only one of several
    /// accounts has names that account; a name two have is still
    /// ambiguous, and one none has is still "pass --account".
    #[test]
    fn an_object_only_one_account_has_names_the_account() {
        let mut p = seeded("portal");
        add_account(&mut p, "Contoso", AccountKind::Customer, None);
        // Contoso's admin approves its orders.
        crate::domain::testing::join_in(&mut p, "cara@contoso.test", "admin", Some("Contoso"));
        let text = |s: &str| s.parse::<Text>().expect("text");
        let policy = |name: &str, account: &str| NewPolicy {
            name: text(name),
            threshold: Money::from_minor(50_000),
            account: Some(account.into()),
            ..NewPolicy::default()
        };
        p.policy_create(&policy("Big", "Acme")).expect("policy");
        p.policy_create(&policy("Both", "Acme")).expect("policy");
        p.policy_create(&policy("Both", "Contoso")).expect("policy");
        p.service_add("Line 1", None, Some("Contoso"))
            .expect("service");
        p.cost_centre_create("CC1", &text("Ops"), Some("Contoso"))
            .expect("cost centre");

        assert_eq!(p.policy_show("Big", None).expect("show").account, "Acme");
        p.policy_set_enabled("Big", false, None).expect("disable");
        assert_eq!(
            p.service_show("Line 1", None).expect("show").account,
            "Contoso"
        );
        let archived = p.cost_centre_change("CC1", None, None).expect("archive");
        assert_eq!(archived.account, "Contoso");

        let err = p.policy_show("Both", None).expect_err("two have it");
        assert_eq!(err.exit_code(), 2, "{err}");
        assert!(err.to_string().contains("pass --account"), "{err}");
        let err = p.policy_show("None", None).expect_err("none has it");
        assert_eq!(err.exit_code(), 3, "{err}");
        assert_eq!(err.to_string(), "no policy `None` in any account");

        // Cara, Contoso's admin, is a manager in Acme, where she may see its
        // policies but not edit them: Acme's `Big` is refused as it is
        // with `--account Acme`, and a name no account has is nowhere.
        let invited = p
            .invite(&InviteRequest {
                email: Some(email("cara@contoso.test")),
                role: Some("manager".into()),
                account: Some("Acme".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
        p.accept(&invited.token, None).expect("accept");
        p.ctx.actor = crate::domain::Actor::Member(email("cara@contoso.test"));
        let err = p
            .policy_set_enabled("Big", true, None)
            .expect_err("not hers to edit");
        assert_eq!(err.exit_code(), 5, "{err}");
        let named = p
            .policy_set_enabled("Big", true, Some("Acme"))
            .expect_err("not hers to edit");
        assert_eq!(err.to_string(), named.to_string());
        let err = p
            .policy_set_enabled("Nowhere", true, None)
            .expect_err("nowhere");
        assert_eq!(err.exit_code(), 3, "{err}");
        assert_eq!(
            err.to_string(),
            "no policy `Nowhere` in any account you may see it in"
        );
        // Given the blocking role in Acme she sees none of its policies:
        // `Big` is as unknown to her as a name no account has.
        p.ctx.actor = crate::domain::Actor::Operator("root".into());
        p.set_role(&email("cara@contoso.test"), "no-access", Some("Acme"), None)
            .expect("blocked");
        p.ctx.actor = crate::domain::Actor::Member(email("cara@contoso.test"));
        let err = p
            .policy_set_enabled("Big", true, None)
            .expect_err("nowhere she may see");
        assert_eq!(err.exit_code(), 3, "{err}");
        assert_eq!(
            err.to_string(),
            "no policy `Big` in any account you may see it in"
        );
        // Contoso's `Both` is the only one she may edit.
        let both = p.policy_set_enabled("Both", false, None).expect("hers");
        assert_eq!(both.policy.account, "Contoso");
    }

    /// Which account `resolve_account` picks for Una, a user of Acme, a
    /// manager of Contoso and merely invited as admin to Globex, for a
    /// command that needs `need` (about the person `subject`): its name,
    /// or the refusal's exit code and text.
    fn meant(
        p: &mut crate::domain::Portal,
        need: crate::model::Capability,
        subject: Option<&str>,
    ) -> Result<String, (u8, String)> {
        let ctx = p.ctx.clone();
        let tx = p.gate.read(ctx.now).expect("read");
        let catalog = super::Catalog::load(&*tx).expect("catalog");
        let subject = subject.map(email);
        super::resolve_account(
            &*tx,
            &ctx,
            None,
            subject.as_ref(),
            super::holds_need(&*tx, &catalog, &ctx, need),
        )
        .map(|a| a.name)
        .map_err(|e| {
            let help = e.help_text().unwrap_or_default().to_string();
            (e.exit_code(), format!("{e}\n{help}"))
        })
    }

    fn una_in_three() -> crate::domain::Portal {
        use crate::domain::testing::join_in;
        let mut p = seeded("portal");
        add_account(&mut p, "Contoso", AccountKind::Customer, None);
        add_account(&mut p, "Globex", AccountKind::Customer, None);
        join_in(&mut p, "una@acme.test", "user", Some("Acme"));
        join_in(&mut p, "una@acme.test", "manager", Some("Contoso"));
        p.invite(&InviteRequest {
            email: Some(email("una@acme.test")),
            role: Some("admin".into()),
            account: Some("Globex".into()),
            ..InviteRequest::default()
        })
        .expect("invited");
        p.ctx.actor = crate::domain::Actor::Member(email("una@acme.test"));
        p
    }

    /// Only the accounts where the actor holds what the command needs
    /// count: none is a refusal naming the capability (exit 5), however
    /// many accounts they belong to; one is that account; several are
    /// asked for, naming only them. An invitation not accepted counts
    /// for nothing, though its role holds everything asked.
    #[test]
    fn only_the_accounts_where_the_actor_may_act_are_meant() {
        use crate::model::caps;
        let mut p = una_in_three();
        let (code, said) = meant(&mut p, caps::USERS_MANAGE, None).expect_err("nowhere");
        assert_eq!(code, 5, "{said}");
        assert!(said.contains("`users.manage`"), "{said}");
        assert!(!said.contains("Globex"), "{said}");
        assert_eq!(
            meant(&mut p, caps::ORDERS_PLACE, None),
            Ok("Contoso".into())
        );
        let (code, said) = meant(&mut p, caps::ACCOUNT_VIEW, None).expect_err("two");
        assert_eq!(code, 2, "{said}");
        assert!(said.contains("several accounts could be meant"), "{said}");
        assert!(said.contains("`Acme`, `Contoso`"), "{said}");
        assert!(!said.contains("Globex"), "{said}");
    }

    /// About a person, the same rule holds: Una about herself is meant
    /// where she may act; about someone in none of those accounts, she is
    /// refused as lacking what it needs rather than told they are unknown.
    #[test]
    fn a_command_about_a_person_is_meant_where_the_actor_may_act() {
        use crate::model::caps;
        let mut p = una_in_three();
        let una = Some("una@acme.test");
        assert_eq!(meant(&mut p, caps::ORDERS_PLACE, una), Ok("Contoso".into()));
        let (code, said) = meant(&mut p, caps::USERS_MANAGE, una).expect_err("nowhere");
        assert_eq!(code, 5, "{said}");
        let (code, said) =
            meant(&mut p, caps::USERS_MANAGE, Some("owner@acme.test")).expect_err("nowhere");
        assert_eq!(code, 5, "{said}");
        assert!(said.contains("`users.manage`"), "{said}");
    }

    /// The operator may act anywhere: with several accounts, they are
    /// asked to pass --account, naming them.
    #[test]
    fn the_operator_is_asked_which_of_several_accounts() {
        use crate::model::caps;
        let mut p = una_in_three();
        p.ctx.actor = crate::domain::Actor::Operator("root".into());
        let (code, said) = meant(&mut p, caps::USERS_MANAGE, None).expect_err("three");
        assert_eq!(code, 2, "{said}");
        assert!(said.contains("pass --account"), "{said}");
        assert!(said.contains("`Globex`"), "{said}");
    }

    /// Until someone invited accepts, the account that invited them knows
    /// them by its invitation's name: its members read that name in every
    /// view of them (list, show, history, the log, an export), edit it
    /// without touching the person's own, and read the person's own once
    /// they accept. The operator, and the log, keep the person's own.
    #[test]
    fn an_account_knows_someone_it_invited_by_its_invitation_until_they_accept() {
        use super::super::{Actor, AuditFilter, MemberFilter, PersonEdit, Portal};
        let mut p = seeded("portal");
        add_account(&mut p, "Beta", AccountKind::Customer, None);
        crate::domain::testing::join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
        // Bob belongs to Acme under his own name.
        let joined = p
            .invite(&InviteRequest {
                email: Some(email("bob@x.test")),
                name: Some("Bob Real".into()),
                role: Some("user".into()),
                account: Some("Acme".into()),
                ..InviteRequest::default()
            })
            .expect("invite into Acme");
        p.accept(&joined.token, None).expect("accept");
        let bea = || Actor::Member(email("bea@beta.test"));
        let operator = || Actor::Operator("root".into());
        p.ctx.actor = bea();
        let invited = p
            .invite(&InviteRequest {
                email: Some(email("bob@x.test")),
                name: Some("Robert".into()),
                role: Some("user".into()),
                account: Some("Beta".into()),
                ..InviteRequest::default()
            })
            .expect("Bea invites Bob");
        assert_eq!(invited.member.name.as_deref(), Some("Robert"));

        // Everything Bea reads of Bob in Beta, as text.
        let read = |p: &mut Portal| -> String {
            let bob = email("bob@x.test");
            let list = p
                .member_list(&MemberFilter {
                    account: Some("Beta".into()),
                    ..MemberFilter::default()
                })
                .expect("list");
            let show = p.member_show(&bob, Some("Beta")).expect("show");
            let history = p.member_history(&bob, Some("Beta")).expect("history");
            let log = p
                .audit_events(&AuditFilter {
                    account: Some("Beta".into()),
                    ..AuditFilter::default()
                })
                .expect("audit");
            let export = p.export(Some("Beta")).expect("export");
            format!(
                "{}\n{}\n{}\n{}\n{}",
                serde_json::to_string(&list).expect("json"),
                serde_json::to_string(&show).expect("json"),
                serde_json::to_string(&history).expect("json"),
                serde_json::to_string(&log).expect("json"),
                serde_json::to_string(&export).expect("json"),
            )
        };
        let seen = read(&mut p);
        assert!(!seen.contains("Bob Real"), "{seen}");
        assert!(seen.contains("Robert"), "{seen}");

        // The operator reads the truth, and so does the log underneath.
        p.ctx.actor = operator();
        let shown = p
            .member_show(&email("bob@x.test"), Some("Beta"))
            .expect("show");
        assert_eq!(shown.name.as_deref(), Some("Bob Real"));
        let log = p
            .audit_events(&AuditFilter {
                account: Some("Beta".into()),
                ..AuditFilter::default()
            })
            .expect("audit");
        let invite = log
            .iter()
            .rfind(|e| e.action == "user.invite")
            .and_then(|e| e.after.clone())
            .expect("the invitation is logged");
        assert_eq!(invite["name"], "Bob Real");
        assert_eq!(invite["invited_name"], "Robert");

        // Bea renames the invitation, not Bob, and is not refused.
        p.ctx.actor = bea();
        let edit = PersonEdit {
            name: Some("Rob".parse().expect("text")),
            ..PersonEdit::default()
        };
        let edited = p
            .edit_person(&email("bob@x.test"), Some("Beta"), &edit)
            .expect("Bea names her invitation");
        assert!(edited.changed);
        assert_eq!(edited.member.name.as_deref(), Some("Rob"));
        let seen = read(&mut p);
        assert!(!seen.contains("Bob Real"), "{seen}");
        assert!(seen.contains("Rob"), "{seen}");
        p.ctx.actor = operator();
        for account in ["Acme", "Beta"] {
            let shown = p
                .member_show(&email("bob@x.test"), Some(account))
                .expect("show");
            assert_eq!(shown.name.as_deref(), Some("Bob Real"), "{account}");
        }

        // Once Bob accepts, Beta reads the name he gave himself.
        p.accept(&invited.token, None).expect("Bob joins Beta");
        p.ctx.actor = bea();
        let shown = p
            .member_show(&email("bob@x.test"), Some("Beta"))
            .expect("show");
        assert_eq!(shown.name.as_deref(), Some("Bob Real"));
    }

    /// Someone new is made with the invitation's name, which everyone
    /// reads alike, as before.
    #[test]
    fn someone_new_is_named_by_the_invitation_that_made_them() {
        use super::super::{Actor, PersonEdit};
        let mut p = seeded("portal");
        crate::domain::testing::join(&mut p, "ann@acme.test", "admin");
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        p.invite(&InviteRequest {
            email: Some(email("new@x.test")),
            name: Some("Nora".into()),
            role: Some("user".into()),
            ..InviteRequest::default()
        })
        .expect("invite");
        let edit = PersonEdit {
            name: Some("Nora N".parse().expect("text")),
            ..PersonEdit::default()
        };
        p.edit_person(&email("new@x.test"), None, &edit)
            .expect("rename");
        for actor in [
            Actor::Member(email("ann@acme.test")),
            Actor::Operator("root".into()),
        ] {
            p.ctx.actor = actor;
            let shown = p.member_show(&email("new@x.test"), None).expect("show");
            assert_eq!(shown.name.as_deref(), Some("Nora N"));
        }
    }

    /// An invitation's name is the inviting account's alone: someone new
    /// has no name of their own until they accept, so another account
    /// that invites them too reads its own invitation's name before and
    /// after they accept it, and they may give their own then. Whoever
    /// accepts first names the person; the others keep their invitation's
    /// name until the person joins them.
    #[test]
    fn an_invitations_name_never_becomes_the_persons_for_another_account() {
        use super::super::{Actor, PersonEdit, Portal};
        let mut p = seeded("portal");
        crate::domain::testing::join(&mut p, "adam@acme.test", "admin");
        add_account(&mut p, "Beta", AccountKind::Customer, None);
        crate::domain::testing::join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
        let invite = |p: &mut Portal, who: &str, account: &str, name: Option<&str>| {
            p.ctx.actor = Actor::Member(email(who));
            let invited = p
                .invite(&InviteRequest {
                    email: Some(email("x@person.test")),
                    name: name.map(Into::into),
                    role: Some("user".into()),
                    account: Some(account.into()),
                    ..InviteRequest::default()
                })
                .expect("invite");
            p.ctx.actor = Actor::Operator("root".into());
            invited
        };
        let name_in = |p: &mut Portal, who: Option<&str>, account: &str| {
            p.ctx.actor = match who {
                Some(who) => Actor::Member(email(who)),
                None => Actor::Operator("root".into()),
            };
            let shown = p.member_show(&email("x@person.test"), Some(account));
            p.ctx.actor = Actor::Operator("root".into());
            shown.expect("show").name
        };
        let acme = invite(&mut p, "adam@acme.test", "Acme", Some("Bad Hire"));
        let beta = invite(&mut p, "bea@beta.test", "Beta", Some("Xavier"));
        let person = |p: &mut Portal| {
            let tx = p.gate.read(p.ctx.now).expect("read");
            tx.person_by_email("x@person.test")
                .expect("read")
                .expect("x")
        };
        assert_eq!(
            person(&mut p).known_name(),
            None,
            "no name of their own yet"
        );
        // Adam renames Acme's invitation: still not the person's.
        p.ctx.actor = Actor::Member(email("adam@acme.test"));
        let edit = PersonEdit {
            name: Some("Worse Hire".parse().expect("text")),
            ..PersonEdit::default()
        };
        p.edit_person(&email("x@person.test"), Some("Acme"), &edit)
            .expect("Adam names Acme's invitation");
        p.ctx.actor = Actor::Operator("root".into());
        assert_eq!(person(&mut p).known_name(), None);
        for who in [Some("bea@beta.test"), None] {
            assert_eq!(name_in(&mut p, who, "Beta").as_deref(), Some("Xavier"));
        }

        // Accepting Beta's invitation, with no name given, takes its name.
        p.accept(&beta.token, None).expect("x joins Beta");
        assert_eq!(person(&mut p).known_name(), Some("Xavier"));
        for who in [Some("bea@beta.test"), None] {
            assert_eq!(name_in(&mut p, who, "Beta").as_deref(), Some("Xavier"));
        }
        // Acme still knows them by its invitation alone.
        assert_eq!(
            name_in(&mut p, Some("adam@acme.test"), "Acme").as_deref(),
            Some("Worse Hire")
        );

        // Their name is theirs now: accepting Acme's with another goes
        // through, keeps it, and says so without quoting it.
        p.take_warnings();
        p.accept(&acme.token, Some(&"Someone Else".parse().expect("text")))
            .expect("x joins Acme");
        let warned = p.take_warnings().join("\n");
        assert!(warned.contains("--name was not used"), "{warned}");
        assert!(!warned.contains("Xavier"), "{warned}");
        assert_eq!(person(&mut p).known_name(), Some("Xavier"));
        assert_eq!(
            name_in(&mut p, Some("adam@acme.test"), "Acme").as_deref(),
            Some("Xavier")
        );
    }

    /// The name given on accepting is the person's own, over the one the
    /// invitation gave.
    #[test]
    fn a_name_given_on_accepting_is_the_persons_own() {
        let mut p = seeded("portal");
        let invited = p
            .invite(&InviteRequest {
                email: Some(email("x@person.test")),
                name: Some("Label".into()),
                role: Some("user".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
        let joined = p
            .accept(&invited.token, Some(&"Xavier".parse().expect("text")))
            .expect("accept");
        assert_eq!(joined.name.as_deref(), Some("Xavier"));
        assert!(p.take_warnings().is_empty());
    }

    /// A member refused in every account they belong to hears the refusal
    /// of one where they are active, not of one they are only invited to
    /// (which came first), whichever command it is.
    #[test]
    fn a_refusal_everywhere_is_the_one_where_they_are_active() {
        let mut p = seeded("portal");
        add_account(&mut p, "Beta", AccountKind::Customer, None);
        let invite = |account: &str| InviteRequest {
            email: Some(email("ann@x.test")),
            role: Some("user".into()),
            account: Some(account.into()),
            ..InviteRequest::default()
        };
        p.invite(&invite("Acme")).expect("invited to Acme");
        let beta = p.invite(&invite("Beta")).expect("invited to Beta");
        p.accept(&beta.token, None).expect("accept");
        p.ctx.actor = crate::domain::Actor::Member(email("ann@x.test"));
        let err = p
            .policy_create(&policy_over("Big", "50.00"))
            .expect_err("refused");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(err.to_string().contains("in `Beta`"), "{err}");
        let err = p
            .member_list(&super::super::MemberFilter::default())
            .expect_err("refused");
        assert!(err.to_string().contains("in `Beta`"), "{err}");
    }
}
