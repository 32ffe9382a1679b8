//! Duplicates and ownership: flagging a person as another's duplicate,
//! merging them, and moving an account's ownership.

use super::access::{authority, caps};
use super::audit::Change;
use super::courses::follow_role;
use super::delegations::delegation_view;
use super::gate::Write;
use super::people::manages_them_once_joined;
use super::policies::policy_view;
use super::services::{cannot_hold_services, hand_service, service_view};
use super::visibility::{invitee_known_as, merged};
use super::{find_person, member_in, member_view, resolve_account, snapshot, Actor, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{
    reveal, Account, Delegation, Email, Grant, InvitationState, MatchedPolicy, MemberStatus,
    Membership, Order, OutboxMessage, OutboxState, Paste, Person, Role, Timestamp,
};
use crate::store::Tx;
use crate::view::{
    DelegationPassedOn, MemberView, MergeView, OrderPassedOn, PolicyPassedOn, ServicePassedOn,
};

/// The email telling support that `dup` duplicates `original` in an
/// account; `owned` are the accounts `dup` owns, which the merge hands to
/// `original`.
fn duplicate_notice(
    support: &Email,
    ctx: &Ctx,
    account: &str,
    dup: &Person,
    original: &Person,
    owned: &[String],
) -> OutboxMessage {
    // Every value here was chosen by a member (a name, an account's
    // name, an address), so each is between backquotes, as messages put
    // names: text a member wrote cannot read as the notice's own request
    // to support.
    let quoted = |text: &str| format!("`{}`", reveal(text));
    let mailbox = |p: &Person| match p.known_name() {
        Some(name) => format!("{} <{}>", quoted(name), quoted(p.email.as_str())),
        None => quoted(p.email.as_str()),
    };
    let (dup_mailbox, original_mailbox) = (mailbox(dup), mailbox(original));
    let (dup, original) = (&dup.email, &original.email);
    // Support pastes what it is asked: an ownership the merge moves is
    // said before the command, not found out after it (findings A14).
    let ownership = match owned {
        [] => String::new(),
        accounts => format!(
            "{} owns {}: this merge makes {} the owner.\n\n",
            quoted(dup.as_str()),
            accounts
                .iter()
                .map(|a| quoted(a))
                .collect::<Vec<_>>()
                .join(", "),
            quoted(original.as_str()),
        ),
    };
    OutboxMessage {
        id: 0,
        kind: "duplicate-notice".into(),
        recipient: support.to_string(),
        subject: format!(
            "Duplicate contact in {}: {}",
            quoted(account),
            quoted(dup.as_str())
        ),
        body: format!(
            "Hello,\n\n\
             {} flagged the contact {dup_mailbox} in {} as a duplicate of \
             {original_mailbox}.\n\n\
             {ownership}\
             Please merge them:\n\n    {}\n",
            quoted(&ctx.actor.audit_name()),
            quoted(account),
            Paste::new("user merge").arg(dup).opt("--into", original),
        ),
        created_at: ctx.now,
        sent_at: None,
        state: OutboxState::Pending,
        invitation_id: None,
        attempts: 0,
        last_error: None,
        last_attempt_at: None,
        next_attempt_at: None,
        ended_at: None,
        inviter: None,
    }
}

impl Portal {
    /// Flags a person as a duplicate of another, for a later merge, and
    /// tells support by email when `support-email` is set.
    pub(crate) fn flag_duplicate(
        &mut self,
        email: &Email,
        of: &Email,
        account: Option<&str>,
    ) -> Result<MemberView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            if email == of {
                return Err(Error::invalid(
                    "a person cannot be a duplicate of themselves",
                ));
            }
            let need = caps::USERS_MANAGE.to("flag duplicates");
            let account = resolve_account(tx, &w.ctx, account, Some(email), |a| {
                w.authorize(a, need).map(|_| ())
            })?;
            w.authorize(&account, need)?;
            let (mut person, membership) = member_in(tx, &w.ctx, email, &account)?;
            // The flag is the person's, shown in every account of theirs
            // and asking support to hand all of their access to `of`.
            let what = "duplicate flag";
            manages_them_once_joined(tx, catalog, &w.ctx, email, person.id, what)?;
            // An address the account invited is found as the account
            // knows it, merged elsewhere or not, as `user list` shows it.
            let original = match find_person(tx, &w.ctx, of) {
                Err(Error::NotFound(unknown)) => {
                    invitee_known_as(tx, &w.ctx, of)?.ok_or(Error::NotFound(unknown))?
                }
                found => found?,
            };
            if original.id == person.id {
                // An address merged into `of` finds them through an
                // invitation bound to them: the merge is done already.
                let itself = || Error::invalid("a person cannot be a duplicate of themselves");
                return Err(match tx.person_by_email(email.as_str())? {
                    Some(dup) if dup.merged_into == Some(original.id) => {
                        merged(tx, &w.ctx, (email, &dup), &original)?.unwrap_or_else(itself)
                    }
                    _ => itself(),
                });
            }
            // The merge asked hands the duplicate's accounts to `of`, and
            // only an owner moves an account's ownership: a flag of an
            // owner by anyone else is refused, so that no admin makes
            // herself owner through support (findings A14).
            let mut owned = Vec::new();
            for m in tx.memberships_of(person.id)? {
                let place = tx.account(m.account_id)?;
                if place.owner_id != Some(person.id) {
                    continue;
                }
                match authority(tx, catalog, &w.ctx, &place) {
                    Ok(who) if who.is_owner_or_operator() => owned.push(place.name),
                    seen => {
                        let named = match seen {
                            Ok(_) => format!("`{}`", place.name),
                            Err(_) => "an account you cannot see".into(),
                        };
                        return Err(Error::denied(format!(
                            "`{email}` owns {named}, and merging them into `{of}` would make `{of}` its owner: only its owner moves its ownership"
                        ))
                        .help(format!(
                            "ask its owner to run `{}`, or the operator (without --as)",
                            Paste::new("user flag-duplicate").arg(email).opt("--of", of)
                        )));
                    }
                }
            }
            let mut before = Vec::new();
            for m in tx.memberships_of(person.id)? {
                let view = member_view(tx, &w.ctx, catalog, &m)?;
                before.push((tx.account(m.account_id)?, m, view));
            }
            // Their own row: one found by an address merged into them
            // reads as that address (`member_in`).
            person = tx.person(person.id)?;
            person.duplicate_of = Some(original.id);
            tx.update_person(&person)?;
            // "Clicking Duplicate will inform our support team", through
            // the outbox like every email, when a support address is set;
            // without one nobody hears of it, which the user is told.
            match super::settings::support_email(tx)? {
                Some(support) => {
                    tx.enqueue(&duplicate_notice(
                        &support, &w.ctx, &account.name, &person, &original, &owned,
                    ))?;
                    w.note(format!(
                        "a notice to support (`{support}`) to merge `{email}` into `{of}` is queued in the outbox; `portalctl outbox send` sends it"
                    ));
                }
                None => w.warn(format!(
                    "`support-email` is not set, so nobody was told that `{email}` duplicates `{of}`; set it with `portalctl settings set support-email ADDRESS` for support to hear of duplicates"
                )),
            }
            for place in &owned {
                w.warn(format!(
                    "`{email}` owns `{place}`: merging them into `{of}` makes `{of}` its owner"
                ));
            }
            // One event in each of their accounts, whose admins read the
            // log by account and all see the flag.
            for (place, m, was) in &before {
                let now = member_view(tx, &w.ctx, catalog, m)?;
                w.member_changed("user.flag_duplicate", place, Some(was), &now)?;
            }
            member_view(tx, &w.ctx, catalog, &membership)
        })
    }

    /// Merges a duplicate person into the one kept. Memberships move to the
    /// kept person; where both were members, the kept membership stays, the
    /// duplicate's ends (status `left`) and its grants and services join the
    /// kept one. Every right to act that names the duplicate passes to the
    /// kept person too: their place as a named approver of policies and of
    /// the pending orders those hold, and their delegations of deciding
    /// orders (one that would have the kept person delegate to themselves
    /// ends). The duplicate is retired, never deleted. Only the operator
    /// (support) merges: members flag duplicates. The write gate refuses a
    /// merge that would move an account's ownership without its owner,
    /// and warns of any policy or pending order it leaves short of
    /// approvers.
    pub(crate) fn merge(&mut self, email: &Email, into: &Email) -> Result<MergeView> {
        self.write(|w| merge_in(w, email, into))
    }

    /// Restores a person merged into `into` before, whom no account lists
    /// any more (the merge moved every membership of theirs to the person
    /// kept): what the operator's apply of an export brings back, so that
    /// the orders and decisions that name them do again, as the kept
    /// person's own. No command makes such a person, so only the operator
    /// may; the person kept must be there, merged since or not.
    pub(crate) fn restore_merged(&mut self, email: &Email, name: &str, into: &Email) -> Result<()> {
        self.write(|w| {
            let tx = w.tx;
            if let Actor::Member(me) = &w.ctx.actor {
                return Err(Error::denied(format!(
                    "`{me}` may not restore `{email}` as merged: no command makes a person merged away"
                ))
                .help("only the operator's apply restores a person merged before; a member flags a duplicate with `portalctl user flag-duplicate`, and support merges it"));
            }
            if tx.person_by_email(email.as_str())?.is_some() {
                return Err(Error::conflict(format!("`{email}` is already a person here")));
            }
            let kept = tx
                .person_by_email(into.as_str())?
                .ok_or_else(|| Error::not_found(format!("no user `{into}`")))?;
            if kept.email == *email {
                return Err(Error::invalid("a person cannot be merged into themselves"));
            }
            tx.insert_person(&Person {
                id: 0,
                email: email.clone(),
                name: name.to_string(),
                // As a merge leaves them: flagged and merged alike.
                duplicate_of: Some(kept.id),
                merged_into: Some(kept.id),
                created_at: w.ctx.now,
            })?;
            w.record(Change {
                action: "user.merge",
                account: None,
                target: Some(email.to_string()),
                before: None,
                after: Some(serde_json::json!({ "email": email.as_str(), "merged_into": into.as_str() }).into()),
            });
            Ok(())
        })
    }

    /// Makes `to` the owner of an account, holding the catalog's owner
    /// role. The former owner is left with `former_owner_role`, else what
    /// the catalog says a former owner becomes, else the role they have
    /// (where the owner role is the catalog's admin role). Only the owner
    /// or the operator may.
    pub(crate) fn transfer_ownership(
        &mut self,
        handover: &OwnershipTransfer<'_>,
    ) -> Result<MemberView> {
        self.write(|w| transfer_in(w, handover))
    }
}

/// What `user transfer-ownership` is asked to do.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OwnershipTransfer<'a> {
    /// The new owner.
    pub to: &'a Email,
    /// The role the former owner is left with, instead of the catalog's.
    pub former_owner_role: Option<&'a str>,
    /// Which account; resolved when `None`.
    pub account: Option<&'a str>,
}

/// The ownership transfer itself, inside a write: see
/// [`Portal::transfer_ownership`].
fn transfer_in(w: &Write<'_>, h: &OwnershipTransfer<'_>) -> Result<MemberView> {
    let tx = w.tx;
    let catalog = w.catalog()?;
    let to = h.to;
    let owns = |account: &Account| {
        if authority(tx, catalog, &w.ctx, account)?.is_owner_or_operator() {
            return Ok(());
        }
        let paste = Paste::new("user transfer-ownership")
            .opt("--to", to)
            .opt("--account", &account.name);
        Err(match account.owner_id {
            Some(id) => Error::denied(format!(
                "only the owner of `{}` can transfer its ownership",
                account.name
            ))
            .help(format!(
                "ask its owner `{}` or the operator (without --as) to run `{paste}`",
                tx.person(id)?.email
            )),
            // `account create` makes an account without one: nobody holds
            // the ownership to hand over.
            None => Error::denied(format!(
                "`{}` has no owner yet: only the operator can give it one",
                account.name
            ))
            .help(format!("ask the operator to run (without --as) `{paste}`")),
        })
    };
    let mut account = resolve_account(tx, &w.ctx, h.account, Some(to), owns)?;
    owns(&account)?;
    let (person, membership) = member_in(tx, &w.ctx, to, &account)?;
    if account.owner_id == Some(person.id) {
        return Err(Error::conflict(format!(
            "`{to}` already owns `{}`",
            account.name
        )));
    }
    let role = catalog.role(tx, membership.role_id)?;
    let standing = if membership.status != MemberStatus::Active {
        Some(format!("is {}", membership.status))
    } else if role.blocking {
        Some(format!("has the blocking role `{}`", role.name))
    } else {
        None
    };
    if let Some(standing) = standing {
        return Err(Error::conflict(format!(
            "`{to}` {standing} in `{}`; only an active member with access can own it",
            account.name
        )));
    }
    // What the former owner is left with: a role, and grants on top.
    let left_with = match (h.former_owner_role, catalog.former_owner()) {
        (Some(name), Some(f))
            if catalog.role_in(tx, name, account.id)?.id == catalog.owner_role()?.id =>
        {
            // Asked before the gate, whose refusal would speak of the
            // former owner as not owning the account they still own.
            return Err(Error::invalid(format!(
                "the former owner cannot be left with `{name}`: that role is the owner's alone, and `{to}` would own `{}`",
                account.name
            ))
            .help(format!(
                "leave out --former-owner-role for `{}`, what a former owner becomes here, or name another role",
                f.role
            )));
        }
        (Some(name), _) => Some((catalog.role_in(tx, name, account.id)?, Vec::new())),
        (None, Some(f)) => Some((catalog.role_in(tx, &f.role, account.id)?, f.grants.clone())),
        (None, None) => None,
    };
    // Each member as they were before the handover: their events record
    // the owner flag moving, so that their state at any moment (`user
    // show --at`, `can --at`) is read from their own events.
    let former = match account.owner_id {
        Some(id) => tx.membership_of(id, account.id)?,
        None => None,
    };
    let new_before = member_view(tx, &w.ctx, catalog, &membership)?;
    let former_before = former
        .as_ref()
        .map(|m| member_view(tx, &w.ctx, catalog, m))
        .transpose()?;
    account.owner_id = Some(person.id);
    tx.update_account(&account)?;
    // The owner holds the owner role: "account owners always have full
    // access" (004), and courses follow it (003).
    let owner_role = catalog.owner_role()?;
    if let (Some(until), Some(after)) = (membership.role_until, membership.role_after) {
        // Whoever gave the access an end meant it to end: that it no
        // longer does must not pass unseen.
        w.warn(format!(
            "`{}` held `{}` in `{}` until {until} (then `{}`); as its owner they hold `{}` for good, with no end",
            person.email,
            catalog.role(tx, membership.role_id)?.name,
            account.name,
            catalog.role(tx, after)?.name,
            owner_role.name,
        ));
    }
    let new_owner = change_role(w, &account, membership, (owner_role, &[]), &new_before)?;
    if let (Some(m), Some(before)) = (former, former_before) {
        match left_with {
            Some((role, grants)) => {
                change_role(w, &account, m, (role, &grants), &before)?;
            }
            None => {
                let after = member_view(tx, &w.ctx, catalog, &m)?;
                w.member_changed("user.transfer_ownership", &account, Some(&before), &after)?;
            }
        }
    }
    Ok(new_owner)
}

/// Gives a member `role` and grants on top of what they hold, with their
/// courses, as part of an ownership transfer; one event from `before`,
/// the member as they were before the handover.
fn change_role(
    w: &Write<'_>,
    account: &Account,
    mut membership: Membership,
    (role, grants): (&Role, &[String]),
    before: &MemberView,
) -> Result<MemberView> {
    let tx = w.tx;
    let catalog = w.catalog()?;
    let held = tx.grants(membership.id)?;
    for name in grants {
        if !held.iter().any(|g| g.name == *name) {
            tx.put_grant(membership.id, &Grant::lasting(name, w.ctx.now))?;
        }
    }
    // A role given with ownership is given for good: nothing time-bound
    // about the old one lingers to lapse into later.
    if membership.role_id != role.id || membership.role_until.is_some() {
        membership.role_id = role.id;
        membership.role_until = None;
        membership.role_after = None;
        membership.updated_at = w.ctx.now;
        tx.update_membership(&membership)?;
        follow_role(tx, catalog, &membership, w.ctx.now)?;
    }
    let after = member_view(tx, &w.ctx, catalog, &membership)?;
    w.member_changed("user.transfer_ownership", account, Some(before), &after)?;
    Ok(after)
}

/// How many merges a flag is followed through: each merge retires its
/// duplicate, so a chain is as long as the merges made one after another
/// into the next; the bound only keeps a damaged file from looping.
const MERGE_CHAIN_LIMIT: usize = 64;

/// The merge itself, inside a write: see [`Portal::merge`].
fn merge_in(w: &Write<'_>, email: &Email, into: &Email) -> Result<MergeView> {
    // "Clicking Duplicate will inform our support team that you have
    // created a duplicate contact, and we will merge them" (000): members
    // flag, support merges. Refused before either person is looked up, so
    // the refusal says nothing of them.
    if let Actor::Member(me) = &w.ctx.actor {
        return Err(Error::denied(format!(
            "`{me}` may not merge people: support merges duplicates"
        ))
        .help(format!(
            "flag it with `{}`, and support (the operator) merges them",
            Paste::new("user flag-duplicate")
                .arg(email)
                .opt("--of", into)
        )));
    }
    let tx = w.tx;
    let catalog = w.catalog()?;
    let mut dup = find_person(tx, &w.ctx, email)?;
    let kept = find_person(tx, &w.ctx, into)?;
    if dup.id == kept.id {
        return Err(Error::invalid("a person cannot be merged into themselves"));
    }
    // A merge cannot be undone, and a notice to support names the person
    // a flag named when it was sent: one sent before the flag was changed
    // would merge into the wrong person. The flag as it stands decides.
    // A flag naming someone since merged names whom they were merged
    // into.
    let mut flagged = dup.duplicate_of.map(|f| tx.person(f)).transpose()?;
    for _ in 0..MERGE_CHAIN_LIMIT {
        match flagged.as_ref().and_then(|f| f.merged_into) {
            Some(next) => flagged = Some(tx.person(next)?),
            None => break,
        }
    }
    if let Some(flagged) = flagged.filter(|f| f.id != kept.id).map(|f| f.email) {
        return Err(Error::conflict(format!(
            "`{email}` is flagged a duplicate of `{flagged}`, not of `{into}`"
        ))
        .help(format!(
            "merge it into `{flagged}`, or first flag it again with `{}`",
            Paste::new("user flag-duplicate")
                .arg(email)
                .opt("--of", into)
        )));
    }
    let mut view = MergeView {
        merged: email.to_string(),
        into: into.to_string(),
        moved: vec![],
        ended: vec![],
        owner_of: vec![],
        policies: vec![],
        orders: vec![],
        delegations: vec![],
        services: vec![],
    };
    let memberships = tx.memberships_of(dup.id)?;
    // Ownership moves with the merge, as `user transfer-ownership` moves
    // it: said in the answer, so that nobody is handed an account unseen
    // (findings A14).
    for m in &memberships {
        let account = tx.account(m.account_id)?;
        if account.owner_id == Some(dup.id) {
            w.warn(format!(
                "`{email}` owned `{}`: `{into}` is its owner now",
                account.name
            ));
            view.owner_of.push(account.name);
        }
    }
    // Who could decide what in each account before anything moves: the
    // gate warns of what the merge leaves short against this, since its
    // own "before" would read the policies and orders as the merge leaves
    // them.
    let mut accounts = Vec::new();
    for m in &memberships {
        let account = tx.account(m.account_id)?;
        w.baseline(&account)?;
        accounts.push(account);
    }
    for mut m in memberships {
        let mut account = tx.account(m.account_id)?;
        let dup_before = member_view(tx, &w.ctx, catalog, &m)?;
        match tx.membership_of(kept.id, account.id)? {
            None => {
                m.person_id = kept.id;
                // Until they accept, the account knows them by the address
                // it invited, as it knows one invited after the merge
                // (`invited_email`), and the invitation stays there: whom
                // it was merged into is not the inviting account's to learn.
                let action = match m.accepted_at {
                    None => {
                        m.invited_email.get_or_insert_with(|| dup.email.to_string());
                        "user.merge.invitation"
                    }
                    Some(_) => "user.merge",
                };
                // The services move with the membership: the same row,
                // but a contact of another address, which the services'
                // log says as `service assign` would (findings E7).
                let services = tx.services_assigned_to(m.id)?;
                let mut held = Vec::with_capacity(services.len());
                for service in services {
                    held.push((service_view(tx, &account, &service)?, service));
                }
                m.updated_at = w.ctx.now;
                tx.update_membership(&m)?;
                let after = member_view(tx, &w.ctx, catalog, &m)?;
                w.member_changed(action, &account, Some(&dup_before), &after)?;
                for (before, service) in held {
                    let now = service_view(tx, &account, &service)?;
                    w.changed(
                        "service.assign",
                        &account,
                        service.name.clone(),
                        Some(&before),
                        &now,
                    )?;
                    view.services.push(ServicePassedOn {
                        account: account.name.clone(),
                        service: service.name,
                        to: now.assigned_to,
                    });
                }
                view.moved.push(account.name.clone());
            }
            Some(mut kept_m) => {
                if account.owner_id == Some(dup.id) && kept_m.status != MemberStatus::Active {
                    return Err(Error::conflict(format!(
                        "`{email}` owns `{}` and `{into}` is not active there",
                        account.name
                    ))
                    .help(format!("activate `{into}` in `{}` first", account.name)));
                }
                let kept_before = member_view(tx, &w.ctx, catalog, &kept_m)?;
                let held = tx.grants(kept_m.id)?;
                for g in tx.grants(m.id)? {
                    if !held.iter().any(|k| k.name == g.name) {
                        tx.put_grant(kept_m.id, &g)?;
                    }
                }
                if m.status != MemberStatus::Left {
                    m.previous_role_id = Some(m.role_id);
                    m.role_id = catalog.blocking_role()?.id;
                    m.status = MemberStatus::Left;
                    m.updated_at = w.ctx.now;
                    tx.update_membership(&m)?;
                    follow_role(tx, catalog, &m, w.ctx.now)?;
                }
                if let Some(pending) = tx.pending_invitation(m.id)? {
                    super::invitations::end_invitation(
                        tx,
                        pending.id,
                        InvitationState::Revoked,
                        w.ctx.now,
                    )?;
                }
                // The ownership moves to the person kept with the owner
                // role, as `user transfer-ownership` moves it: an owner
                // holds it, and is never given another.
                if account.owner_id == Some(dup.id) {
                    account.owner_id = Some(kept.id);
                    tx.update_account(&account)?;
                    let owner_role = catalog.owner_role()?;
                    if kept_m.role_id != owner_role.id || kept_m.role_until.is_some() {
                        kept_m.role_id = owner_role.id;
                        (kept_m.role_until, kept_m.role_after) = (None, None);
                        kept_m.updated_at = w.ctx.now;
                        tx.update_membership(&kept_m)?;
                        follow_role(tx, catalog, &kept_m, w.ctx.now)?;
                    }
                }
                // DUP's services go to KEEP where KEEP may hold them
                // there, as it is left (the owner now, say); else to
                // nobody, with a warning: a merge gives none to someone
                // who left, is deactivated or blocked (findings E8).
                hand_on_services(w, &account, &m, &kept_m, email, into, &mut view)?;
                for (before, m) in [(dup_before, &m), (kept_before, &kept_m)] {
                    let after = member_view(tx, &w.ctx, catalog, m)?;
                    w.member_changed("user.merge", &account, Some(&before), &after)?;
                }
                view.ended.push(account.name.clone());
            }
        }
        if account.owner_id == Some(dup.id) {
            account.owner_id = Some(kept.id);
            tx.update_account(&account)?;
        }
    }
    // A merged person no longer acts, so whatever lets the duplicate act
    // would be left to nobody: a policy naming only them would hold its
    // orders for the account's approvers alone, or for nobody where those
    // are few. The accounts are those the duplicate belonged to: nothing
    // names anyone in an account they never joined.
    for account in &accounts {
        pass_on_approvals(w, account, &dup, &kept, &mut view)?;
        pass_on_delegations(w, account, &dup, &kept, &mut view)?;
    }
    let before = serde_json::json!({ "email": email.as_str(), "merged_into": null });
    dup.merged_into = Some(kept.id);
    dup.duplicate_of = Some(kept.id);
    tx.update_person(&dup)?;
    let mut after = serde_json::json!({ "email": email.as_str(), "merged_into": into.as_str() });
    // The merge's own event says what it passed on, beside the events of
    // each policy, order and delegation it changed.
    let passed = snapshot(&PassedOn {
        policies: &view.policies,
        orders: &view.orders,
        delegations: &view.delegations,
    })?;
    if passed.as_object().is_some_and(|o| !o.is_empty()) {
        if let Some(fields) = after.as_object_mut() {
            fields.insert("passed_on".into(), passed);
        }
    }
    w.record(Change {
        action: "user.merge",
        account: None,
        target: Some(email.to_string()),
        before: Some(before.into()),
        after: Some(after.into()),
    });
    Ok(view)
}

/// Hands the services of the duplicate's membership `dup` in `account`
/// to the kept person's membership `kept` there, or, where `kept` may not
/// hold services, unassigns them and warns: each with its
/// `service.assign` or `service.unassign` event, and named in `view`.
fn hand_on_services(
    w: &Write<'_>,
    account: &Account,
    dup: &Membership,
    kept: &Membership,
    email: &Email,
    into: &Email,
    view: &mut MergeView,
) -> Result<()> {
    let services = w.tx.services_assigned_to(dup.id)?;
    if services.is_empty() {
        return Ok(());
    }
    let refusal =
        cannot_hold_services(w.tx, w.catalog()?, account, into.as_str(), kept, w.ctx.now)?;
    let heir = refusal.is_none().then_some(kept);
    let mut unassigned = Vec::new();
    for service in services {
        let after = hand_service(w, account, &service, heir, service.assigned_until)?;
        if heir.is_none() {
            unassigned.push(format!("`{}`", service.name));
        }
        view.services.push(ServicePassedOn {
            account: account.name.clone(),
            service: service.name,
            to: after.assigned_to,
        });
    }
    if let Some(refusal) = refusal {
        w.warn(format!(
            "{refusal}: the services `{email}` held there are left unassigned: {}; `portalctl service assign` gives them to someone",
            unassigned.join(", ")
        ));
    }
    Ok(())
}

/// What a merge passed on from the duplicate to the person kept, as its
/// audit event records it.
#[derive(serde::Serialize)]
struct PassedOn<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    policies: &'a [PolicyPassedOn],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    orders: &'a [OrderPassedOn],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    delegations: &'a [DelegationPassedOn],
}

/// `people` with `dup` replaced by `kept`, once, in id order (as the
/// store keeps them): where both were named, the kept person is named
/// once, and the policy has one approver fewer.
fn in_place_of(people: &[i64], dup: i64, kept: i64) -> Vec<i64> {
    let mut now: Vec<i64> = people
        .iter()
        .map(|p| if *p == dup { kept } else { *p })
        .collect();
    now.sort_unstable();
    now.dedup();
    now
}

/// Makes the kept person a named approver wherever the duplicate was one
/// in `account`: in its policies, and in the pending orders they hold
/// (each order keeps its policies' approvers as they were when placed or
/// last re-evaluated, so the orders are changed too). A policy's decided
/// orders are history and stay as they were.
///
/// A named approver decides without `orders.approve`, but only while an
/// active member with access (see `deciders`); so where the kept person
/// is not one, the policy is left short as when a named approver is
/// deactivated: its orders fall back to the account's approvers, and the
/// gate warns. Where both were named, the kept person counts once, which
/// may leave the policy short in the same way.
fn pass_on_approvals(
    w: &Write<'_>,
    account: &Account,
    dup: &Person,
    kept: &Person,
    view: &mut MergeView,
) -> Result<()> {
    let tx = w.tx;
    for mut policy in tx.policies_in(account.id)? {
        if !policy.approvers.contains(&dup.id) {
            continue;
        }
        let before = policy_view(tx, account, &policy)?;
        policy.approvers = in_place_of(&policy.approvers, dup.id, kept.id);
        tx.update_policy(&policy)?;
        let after = policy_view(tx, account, &policy)?;
        // Its own kind: the policy is read only by who may list policies.
        w.changed(
            "user.merge.policy",
            account,
            policy.name.clone(),
            Some(&before),
            &after,
        )?;
        view.policies.push(PolicyPassedOn {
            account: account.name.clone(),
            policy: policy.name,
        });
    }
    for order in tx.pending_orders_naming(account.id, dup.id)? {
        // A policy that released the order holds it no more: as decided.
        let holding: Vec<MatchedPolicy> = tx
            .matched_policies(order.id)?
            .into_iter()
            .filter(|m| m.released_at.is_none() && m.approvers.contains(&dup.id))
            .collect();
        if holding.is_empty() {
            continue;
        }
        let before = named_on(tx, &order, &holding)?;
        let mut moved = Vec::new();
        for m in holding {
            let m = MatchedPolicy {
                approvers: in_place_of(&m.approvers, dup.id, kept.id),
                ..m
            };
            tx.update_matched_policy(order.id, &m)?;
            moved.push(m);
        }
        let after = named_on(tx, &order, &moved)?;
        w.changed(
            "user.merge.order",
            account,
            format!("order {}", order.number),
            Some(&before),
            &after,
        )?;
        view.orders.push(OrderPassedOn {
            account: account.name.clone(),
            order: order.number,
        });
    }
    Ok(())
}

/// Who the policies `holding` an order name as its approvers, for the
/// audit log: an order's view does not show them.
fn named_on(tx: &dyn Tx, order: &Order, holding: &[MatchedPolicy]) -> Result<serde_json::Value> {
    let mut policies = Vec::new();
    for m in holding {
        let mut approvers = Vec::new();
        for id in &m.approvers {
            approvers.push(tx.person(*id)?.email.to_string());
        }
        policies.push(serde_json::json!({ "policy": m.name, "approvers": approvers }));
    }
    Ok(serde_json::json!({ "id": order.number, "policies": policies }))
}

/// Passes the duplicate's delegations in `account` that hold or are to
/// come on to the kept person: each is ended now (a delegation keeps the
/// period it held, as `order delegate --end` leaves it) and set again
/// with the kept person in the duplicate's place, from now or its start,
/// until its end. One that would have the kept person delegate to
/// themselves just ends. Where the kept person already has a delegation
/// with the same other party, only the part of the period it does not
/// cover is set, since `order delegate` refuses two that overlap.
///
/// Who may decide through a delegation is judged when deciding, from the
/// delegator's standing then, so a delegation the kept person cannot use
/// (they decide nothing there) lends nothing, as any other would.
fn pass_on_delegations(
    w: &Write<'_>,
    account: &Account,
    dup: &Person,
    kept: &Person,
    view: &mut MergeView,
) -> Result<()> {
    let tx = w.tx;
    let now = w.ctx.now;
    let by = w.ctx.actor.audit_name();
    let naming: Vec<Delegation> = tx
        .delegations_in(account.id, now)?
        .into_iter()
        // One ended before it began keeps a period of no length: it
        // holds nothing to pass on, and who ended it stays said.
        .filter(|d| d.ended_by.is_none() && d.starts_at < d.ends_at)
        .filter(|d| d.delegator_id == dup.id || d.delegate_id == dup.id)
        .collect();
    for d in naming {
        let before = delegation_view(tx, account, &d, now)?;
        tx.end_delegation(d.id, now, &by)?;
        let ended = delegation_view(tx, account, &tx.delegation(d.id)?, now)?;
        let target = format!("{} to {}", before.delegator, before.delegate);
        w.changed("user.merge", account, target, Some(&before), &ended)?;
        let swap = |p: i64| if p == dup.id { kept.id } else { p };
        let (delegator, delegate) = (swap(d.delegator_id), swap(d.delegate_id));
        let mut outcome = "ended";
        if delegator != delegate {
            let from = d.starts_at.max(now);
            for (starts_at, ends_at) in
                uncovered(tx, account, (delegator, delegate), from, d.ends_at)?
            {
                let mut moved = Delegation {
                    id: 0,
                    account_id: account.id,
                    delegator_id: delegator,
                    delegate_id: delegate,
                    starts_at,
                    ends_at,
                    // Passed on, it is still the one its setter set: it
                    // lends what they chose to lend, stays out of their
                    // orders as before, and lists them as who set it (the
                    // merge's events say who passed it on).
                    created_by: d.created_by.clone(),
                    setter_id: d.setter_id,
                    created_at: now,
                    ended_by: None,
                };
                moved.id = tx.insert_delegation(&moved)?;
                let set = delegation_view(tx, account, &moved, now)?;
                let target = format!("{} to {}", set.delegator, set.delegate);
                w.changed("user.merge", account, target, None, &set)?;
                outcome = "moved";
            }
        }
        view.delegations.push(DelegationPassedOn {
            account: account.name.clone(),
            delegator: before.delegator,
            delegate: before.delegate,
            outcome,
        });
    }
    Ok(())
}

/// The parts of `[from, until)`, in order, that no delegation in
/// `account` from `delegator` to `delegate` holding or to come covers.
fn uncovered(
    tx: &dyn Tx,
    account: &Account,
    (delegator, delegate): (i64, i64),
    from: Timestamp,
    until: Timestamp,
) -> Result<Vec<(Timestamp, Timestamp)>> {
    let mut parts = vec![(from, until)];
    for held in tx.delegations_from(account.id, delegator, from)? {
        // One of no length covers nothing, and would split the period.
        if held.delegate_id != delegate || held.starts_at >= held.ends_at {
            continue;
        }
        parts = parts
            .into_iter()
            .flat_map(|(start, end)| {
                [
                    (start, end.min(held.starts_at)),
                    (start.max(held.ends_at), end),
                ]
            })
            .filter(|(start, end)| start < end)
            .collect();
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{email, join, seeded};

    /// Findings B11: an account `account create` made has no owner; its
    /// admin asking for the ownership is told only the operator gives one,
    /// not to ask an owner who does not exist.
    #[test]
    fn an_ownerless_account_sends_its_admin_to_the_operator() {
        use crate::domain::testing::{add_account, join_in};
        let mut p = seeded("portal");
        add_account(&mut p, "Zeta", crate::model::AccountKind::Customer, None);
        join_in(&mut p, "z@zeta.test", "admin", Some("Zeta"));
        let z = email("z@zeta.test");
        let ask = OwnershipTransfer {
            to: &z,
            former_owner_role: None,
            account: Some("Zeta"),
        };
        p.ctx.actor = Actor::Member(z.clone());
        let err = p.transfer_ownership(&ask).expect_err("not the owner");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(err.to_string().contains("`Zeta` has no owner yet"), "{err}");
        let help = err.help_text().unwrap_or_default().to_string();
        assert!(!help.contains("ask its owner"), "{help}");
        assert!(
            help.contains("`portalctl user transfer-ownership --to z@zeta.test --account Zeta`"),
            "{help}"
        );
        p.ctx.actor = Actor::Operator("root".into());
        p.transfer_ownership(&ask).expect("the operator gives it");
    }
    use crate::domain::{AuditFilter, DelegateRequest, Handover, NewOrder, NewPolicy};
    use crate::model::{Money, OrderStatus};
    use crate::view::OrderView;

    fn money(text: &str) -> Money {
        text.parse().expect("an amount")
    }

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a time")
    }

    /// Only the owner moves ownership, a merge too (findings A14): an
    /// admin's flag of the owner is refused and changes nothing; the
    /// owner's own flag is allowed, and the merge answers which accounts
    /// changed owner.
    #[test]
    fn a_flag_of_the_owner_is_the_owners_or_the_operators() {
        let mut p = seeded("portal");
        join(&mut p, "ada@acme.test", "admin");
        let (owner, ada) = (email("owner@acme.test"), email("ada@acme.test"));
        as_member(&mut p, "ada@acme.test");
        let err = p
            .flag_duplicate(&owner, &ada, None)
            .expect_err("an admin makes herself owner");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(
            err.to_string()
                .contains("only its owner moves its ownership"),
            "{err}"
        );
        operator(&mut p);
        let shown = p.member_show(&owner, None).expect("show");
        assert_eq!(shown.duplicate_of, None, "a refusal flags nobody");
        as_member(&mut p, "owner@acme.test");
        p.flag_duplicate(&owner, &ada, None)
            .expect("the owner's own flag");
        assert!(
            p.warnings
                .iter()
                .any(|w| w.contains("makes `ada@acme.test` its owner")),
            "{:?}",
            p.warnings
        );
        operator(&mut p);
        let merged = p.merge(&owner, &ada).expect("merge");
        assert_eq!(merged.owner_of, ["Acme"]);
        // A merge of someone who owns nothing says nothing of owners.
        join(&mut p, "vo@acme.test", "user");
        join(&mut p, "vo2@acme.test", "user");
        let merged = p
            .merge(&email("vo2@acme.test"), &email("vo@acme.test"))
            .expect("merge");
        assert!(merged.owner_of.is_empty(), "{merged:?}");
    }

    fn as_member(p: &mut Portal, who: &str) {
        p.ctx.actor = Actor::Member(email(who));
    }

    fn operator(p: &mut Portal) {
        p.ctx.actor = Actor::Operator("root".into());
    }

    /// Acme (portal preset) with the users fin and fin2 (one person, two
    /// logins) and the manager max, and the policy "Finance" over 50
    /// naming `approvers`, needing `required` approvals.
    fn acme(approvers: &[&str], required: i64) -> Portal {
        let mut p = seeded("portal");
        join(&mut p, "fin@acme.test", "user");
        join(&mut p, "fin2@acme.test", "user");
        join(&mut p, "max@acme.test", "manager");
        p.policy_create(&NewPolicy {
            name: "Finance".into(),
            threshold: money("50.00"),
            approvers: approvers.iter().map(|a| email(a)).collect(),
            required_approvals: Some(required),
            ..NewPolicy::default()
        })
        .expect("policy");
        p
    }

    /// `who` places an order of 60.00; its id.
    fn place(p: &mut Portal, who: &str) -> i64 {
        as_member(p, who);
        let id = p
            .order_place(&NewOrder {
                description: "Laptop".into(),
                amount: money("60.00"),
                ..NewOrder::default()
            })
            .expect("order")
            .id;
        operator(p);
        id
    }

    fn decide(p: &mut Portal, who: &str, id: i64) -> Result<OrderView> {
        as_member(p, who);
        let out = p.order_decide(id, None);
        operator(p);
        out
    }

    fn merge(p: &mut Portal, dup: &str, kept: &str) -> Result<MergeView> {
        p.take_warnings();
        p.merge(&email(dup), &email(kept))
    }

    /// Who may decide a pending order now: never nobody, whatever a merge
    /// did (product: "orders that can never get stuck").
    #[track_caller]
    fn deciders(p: &mut Portal, id: i64) -> Vec<String> {
        let order = p.order_show(id).expect("order");
        assert_eq!(order.status, OrderStatus::Pending);
        let deciders = order.deciders.expect("a pending order lists its deciders");
        assert!(!deciders.is_empty(), "order {id} is stuck");
        deciders
    }

    fn approvers(p: &mut Portal) -> Vec<String> {
        p.policy_show("Finance", None).expect("policy").approvers
    }

    /// The defect: the owner's order waits on the policy naming fin2 alone,
    /// and the owner, the only account approver, cannot decide their own.
    /// Merged without passing fin2's place on, the order would be stuck;
    /// passed on, fin decides it.
    #[test]
    fn a_named_approvers_place_passes_to_the_kept_person_and_the_order_stays_decidable() {
        let mut p = acme(&["fin2@acme.test"], 1);
        let id = place(&mut p, "owner@acme.test");
        assert_eq!(deciders(&mut p, id), ["fin2@acme.test"]);
        let view = merge(&mut p, "fin2@acme.test", "fin@acme.test").expect("merge");
        assert_eq!(
            view.policies,
            [PolicyPassedOn {
                account: "Acme".into(),
                policy: "Finance".into()
            }]
        );
        assert_eq!(
            view.orders,
            [OrderPassedOn {
                account: "Acme".into(),
                order: id
            }]
        );
        assert!(p.take_warnings().is_empty(), "nothing is left short");
        assert_eq!(approvers(&mut p), ["fin@acme.test"]);
        assert_eq!(deciders(&mut p, id), ["fin@acme.test"]);
        let done = decide(&mut p, "fin@acme.test", id).expect("fin decides");
        assert_eq!(done.status, OrderStatus::Approved);
    }

    /// One transaction, and its events say what moved: the policy, the
    /// order's approvers, and the merge itself.
    #[test]
    fn the_merge_event_says_what_passed_on() {
        let mut p = acme(&["fin2@acme.test"], 1);
        let id = place(&mut p, "max@acme.test");
        merge(&mut p, "fin2@acme.test", "fin@acme.test").expect("merge");
        let events = p
            .audit_events(&AuditFilter {
                actions: vec!["user.merge".into()],
                ..AuditFilter::default()
            })
            .expect("audit");
        let of = |target: &str| {
            events
                .iter()
                .find(|e| e.target.as_deref() == Some(target))
                .unwrap_or_else(|| panic!("no event about {target}: {events:?}"))
        };
        let policy = of("Finance");
        assert_eq!(
            policy.before.as_ref().map(|b| b["approvers"].clone()),
            Some(serde_json::json!(["fin2@acme.test"]))
        );
        assert_eq!(
            policy.after.as_ref().map(|a| a["approvers"].clone()),
            Some(serde_json::json!(["fin@acme.test"]))
        );
        let order = of(&format!("order {id}"));
        assert_eq!(
            order
                .after
                .as_ref()
                .map(|a| a["policies"][0]["approvers"].clone()),
            Some(serde_json::json!(["fin@acme.test"]))
        );
        // The person's own event, beside their membership's.
        let merged = events
            .iter()
            .find(|e| e.target.as_deref() == Some("fin2@acme.test") && e.account.is_none())
            .expect("the merge's event");
        let passed = merged
            .after
            .as_ref()
            .map(|a| a["passed_on"].clone())
            .expect("after");
        assert_eq!(
            passed,
            serde_json::json!({
                "policies": [{"account": "Acme", "policy": "Finance"}],
                "orders": [{"account": "Acme", "order": id}],
            })
        );
    }

    /// Both named: the kept person is named once, so the policy falls
    /// short by one, warns, and its order falls back to the account's
    /// approvers for the second approval, as when a named approver is
    /// deactivated. Still decidable.
    #[test]
    fn both_named_leaves_one_place_and_the_order_falls_back() {
        let mut p = acme(&["fin@acme.test", "fin2@acme.test"], 2);
        let id = place(&mut p, "max@acme.test");
        merge(&mut p, "fin2@acme.test", "fin@acme.test").expect("merge");
        let warnings = p.take_warnings();
        assert!(
            warnings.iter().any(|w| w.contains(
                "policy `Finance` in `Acme` now has 1 eligible approver for 2 required approvals"
            )),
            "{warnings:?}"
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(&format!("order {id} in `Acme` now falls back"))),
            "{warnings:?}"
        );
        assert_eq!(approvers(&mut p), ["fin@acme.test"]);
        decide(&mut p, "fin@acme.test", id).expect("fin approves once");
        let err = decide(&mut p, "fin@acme.test", id).expect_err("not twice");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert_eq!(deciders(&mut p, id), ["owner@acme.test"]);
        let done = decide(&mut p, "owner@acme.test", id).expect("the owner");
        assert_eq!(done.status, OrderStatus::Approved);
    }

    /// The kept person cannot decide in the account (deactivated there):
    /// named in the duplicate's place all the same, as a deactivated named
    /// approver stays named, and the gate warns, as it does for that
    /// deactivation. An order the account's approvers can still decide
    /// falls back to them; one nobody is left to decide is said to be so,
    /// with what to do.
    #[test]
    fn a_kept_person_without_access_there_leaves_the_policy_short_with_a_warning() {
        let mut p = acme(&["fin2@acme.test"], 1);
        let theirs = place(&mut p, "max@acme.test");
        let own = place(&mut p, "owner@acme.test");
        p.deactivate(&email("fin@acme.test"), None, &Handover::Refuse)
            .expect("deactivate");
        merge(&mut p, "fin2@acme.test", "fin@acme.test").expect("merge");
        let warnings = p.take_warnings();
        assert!(
            warnings.iter().any(|w| w.contains(
                "policy `Finance` in `Acme` now has 0 eligible approvers for 1 required approval"
            )),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().any(|w| w.contains(&format!(
                "order {own} in `Acme` cannot get enough approvals (policy `Finance` needs 1 approval and nobody may give it)"
            ))),
            "{warnings:?}"
        );
        assert_eq!(approvers(&mut p), ["fin@acme.test"]);
        assert_eq!(deciders(&mut p, theirs), ["owner@acme.test"]);
        // Active again, fin decides both: the place was passed on.
        p.activate(&email("fin@acme.test"), None).expect("activate");
        assert_eq!(deciders(&mut p, own), ["fin@acme.test"]);
        decide(&mut p, "fin@acme.test", own).expect("fin decides");
    }

    /// An order the duplicate placed becomes the kept person's own: the
    /// kept person, its only named approver, may not decide it, and the
    /// account's approvers do.
    #[test]
    fn an_order_the_duplicate_placed_falls_to_the_account_approvers_when_the_kept_person_was_its_approver(
    ) {
        let mut p = acme(&["fin@acme.test"], 1);
        let caps: Vec<crate::model::Capability> = ["portal.access", "orders.place"]
            .iter()
            .map(|c| c.parse().expect("capability"))
            .collect();
        p.role_create("buyer", &caps, &"places orders".into(), Some("Acme"))
            .expect("role");
        join(&mut p, "fin3@acme.test", "buyer");
        let id = place(&mut p, "fin3@acme.test");
        merge(&mut p, "fin3@acme.test", "fin@acme.test").expect("merge");
        let warnings = p.take_warnings();
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(&format!("order {id} in `Acme` now falls back"))),
            "{warnings:?}"
        );
        assert_eq!(deciders(&mut p, id), ["owner@acme.test"]);
        let err = decide(&mut p, "fin@acme.test", id).expect_err("their own now");
        assert!(err.to_string().contains("nobody approves their own order"));
        decide(&mut p, "owner@acme.test", id).expect("the owner decides");
    }

    /// Flagging a duplicate tells support through the outbox when
    /// `support-email` is set, and says so; without it nobody is told, and
    /// a warning says how to set it.
    #[test]
    fn flagging_a_duplicate_says_whether_support_was_told() {
        let mut p = seeded("portal");
        for who in ["vo@acme.test", "vo2@acme.test", "vo3@acme.test"] {
            join(&mut p, who, "user");
        }
        let flag = |p: &mut Portal, dup: &str| {
            p.flag_duplicate(&email(dup), &email("vo@acme.test"), None)
                .expect("flagged");
            let queued = p.outbox_list(None, None).expect("outbox").len();
            (p.take_notes(), p.take_warnings(), queued)
        };
        assert_eq!(
            flag(&mut p, "vo2@acme.test"),
            (
                vec![],
                vec!["`support-email` is not set, so nobody was told that `vo2@acme.test` duplicates `vo@acme.test`; set it with `portalctl settings set support-email ADDRESS` for support to hear of duplicates".to_string()],
                0
            )
        );
        p.settings_set("support-email", "support@acme.test")
            .expect("set");
        p.take_warnings();
        assert_eq!(
            flag(&mut p, "vo3@acme.test"),
            (
                vec!["a notice to support (`support@acme.test`) to merge `vo3@acme.test` into `vo@acme.test` is queued in the outbox; `portalctl outbox send` sends it".to_string()],
                vec![],
                1
            )
        );
    }

    /// Ownership is held for good: a new owner whose role was to lapse
    /// holds the owner role with no end, and a warning says so.
    #[test]
    fn a_transfer_warns_that_the_new_owners_end_is_gone() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "user");
        let ann = email("ann@acme.test");
        let until = p.now().plus(chrono::Duration::days(1)).expect("a time");
        p.set_role(&ann, "admin", None, Some(until))
            .expect("for a while");
        p.take_warnings();
        let owner = p
            .transfer_ownership(&OwnershipTransfer {
                to: &ann,
                former_owner_role: None,
                account: None,
            })
            .expect("transfer");
        assert_eq!(owner.role_until, None);
        assert_eq!(
            p.take_warnings(),
            [format!("`ann@acme.test` held `admin` in `Acme` until {until} (then `user`); as its owner they hold `admin` for good, with no end")]
        );
    }

    /// A duplicate flag the operator set between accounts tells a member
    /// who may not know the other person only that it exists, wherever a
    /// view of the flagged member reaches them: `user show`, `user list`,
    /// a write's answer, their export and the audit log.
    #[test]
    fn a_duplicate_flag_names_nobody_the_viewer_cannot_see() {
        let mut p = seeded("portal");
        crate::domain::testing::add_account(
            &mut p,
            "Beta",
            crate::model::AccountKind::Customer,
            None,
        );
        crate::domain::testing::join_in(&mut p, "ann@acme.test", "user", Some("Acme"));
        crate::domain::testing::join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
        p.flag_duplicate(&email("ann@acme.test"), &email("bea@beta.test"), None)
            .expect("the operator flags across accounts");
        let hidden = Some(crate::domain::visibility::UNSEEN_PERSON.to_string());
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let ann = email("ann@acme.test");
        let shown = p.member_show(&ann, None).expect("show");
        assert_eq!(shown.duplicate_of, hidden);
        let listed = p
            .member_list(&crate::domain::MemberFilter::default())
            .expect("list");
        let listed = listed
            .iter()
            .find(|m| m.email == ann.as_str())
            .expect("ann");
        assert_eq!(listed.duplicate_of, hidden);
        let changed = p.set_role(&ann, "manager", None, None).expect("set-role");
        assert_eq!(changed.duplicate_of, hidden);
        let copy = p.export(None).expect("export");
        let text = serde_json::to_string(&copy).expect("json");
        assert!(!text.contains("bea@beta.test"), "{text}");
        let log = p.audit_events(&AuditFilter::default()).expect("log");
        let text = serde_json::to_string(&log).expect("json");
        assert!(!text.contains("bea@beta.test"), "{text}");
        assert!(
            text.contains(crate::domain::visibility::UNSEEN_PERSON),
            "{text}"
        );
        // Whoever may know her reads her address.
        p.ctx.actor = Actor::Operator("root".into());
        let shown = p.member_show(&ann, None).expect("show");
        assert_eq!(shown.duplicate_of.as_deref(), Some("bea@beta.test"));
        // The log keeps who she is: what the owner was shown in place of
        // her is not what happened. The owner then flags ann a duplicate
        // of himself, and the event says whom the flag named before.
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        p.flag_duplicate(&ann, &email("owner@acme.test"), None)
            .expect("the owner flags again");
        p.ctx.actor = Actor::Operator("root".into());
        let log = p.audit_events(&AuditFilter::default()).expect("log");
        let flags = |action: &str| -> Vec<(Option<String>, Option<String>)> {
            log.iter()
                .filter(|e| e.action == action && e.target.as_deref() == Some(ann.as_str()))
                .map(|e| {
                    let of = |v: &Option<serde_json::Value>| {
                        v.as_ref()
                            .and_then(|v| v.get("duplicate_of"))
                            .and_then(|v| v.as_str())
                            .map(str::to_string)
                    };
                    (of(&e.before), of(&e.after))
                })
                .collect()
        };
        let bea = Some("bea@beta.test".to_string());
        assert_eq!(flags("user.set_role"), vec![(bea.clone(), bea.clone())]);
        assert_eq!(
            flags("user.flag_duplicate"),
            vec![(None, bea.clone()), (bea, Some("owner@acme.test".into()))]
        );
        let text = serde_json::to_string(&log).expect("json");
        assert!(
            !text.contains(crate::domain::visibility::UNSEEN_PERSON),
            "{text}"
        );
    }

    /// Members flag duplicates and support merges them (000): a member
    /// who manages users, and the owner too, is refused before anyone is
    /// looked up, and nothing changes; the operator merges, passing the
    /// duplicate's approver place on.
    #[test]
    fn members_flag_duplicates_and_only_support_merges_them() {
        let mut p = crate::domain::testing::ann_administers_the_customer_area();
        join(&mut p, "fin@acme.test", "member");
        join(&mut p, "fin2@acme.test", "member");
        p.policy_create(&NewPolicy {
            name: "Finance".into(),
            threshold: money("50.00"),
            approvers: vec![email("fin2@acme.test")],
            ..NewPolicy::default()
        })
        .expect("policy");
        let head = p.audit_head().expect("head");
        for who in ["ann@acme.test", "owner@acme.test"] {
            as_member(&mut p, who);
            for dup in ["fin2@acme.test", "nobody@acme.test"] {
                let err = merge(&mut p, dup, "fin@acme.test").expect_err("refused");
                assert_eq!(err.exit_code(), 5, "{err}");
                assert_eq!(
                    err.to_string(),
                    format!("`{who}` may not merge people: support merges duplicates")
                );
            }
            operator(&mut p);
            assert_eq!(p.audit_head().expect("head"), head);
        }
        assert_eq!(approvers(&mut p), ["fin2@acme.test"]);
        merge(&mut p, "fin2@acme.test", "fin@acme.test").expect("support merges");
        assert_eq!(approvers(&mut p), ["fin@acme.test"]);
    }

    /// A merge cannot be undone: one into someone other than the person
    /// the flag names now (a notice to support sent before the flag was
    /// changed) is refused, and goes through once the flag names them.
    #[test]
    fn a_merge_follows_the_duplicate_flag_as_it_stands() {
        let mut p = crate::domain::testing::ann_administers_the_customer_area();
        for who in ["vi@acme.test", "bo@acme.test", "al@acme.test"] {
            join(&mut p, who, "member");
        }
        let flag = |p: &mut Portal, of: &str| {
            p.flag_duplicate(&email("vi@acme.test"), &email(of), None)
                .expect("flag");
        };
        flag(&mut p, "bo@acme.test");
        flag(&mut p, "al@acme.test");
        let head = p.audit_head().expect("head");
        let err = merge(&mut p, "vi@acme.test", "bo@acme.test").expect_err("stale");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert_eq!(
            err.to_string(),
            "`vi@acme.test` is flagged a duplicate of `al@acme.test`, not of `bo@acme.test`"
        );
        assert_eq!(p.audit_head().expect("head"), head);
        flag(&mut p, "bo@acme.test");
        merge(&mut p, "vi@acme.test", "bo@acme.test").expect("as flagged now");
        // Someone never flagged is merged wherever support says; a flag
        // naming them then names whom they were merged into.
        join(&mut p, "cy@acme.test", "member");
        p.flag_duplicate(&email("cy@acme.test"), &email("al@acme.test"), None)
            .expect("flag");
        merge(&mut p, "al@acme.test", "bo@acme.test").expect("unflagged");
        merge(&mut p, "cy@acme.test", "bo@acme.test").expect("al is bo now");
    }

    const T1: &str = "2026-11-26T09:00:00Z";
    const T2: &str = "2026-11-27T17:00:00Z";
    const T3: &str = "2026-11-30T17:00:00Z";

    fn delegate(p: &mut Portal, from: &str, to: &str, start: Option<&str>, until: &str) {
        operator(p);
        p.order_delegate(&DelegateRequest {
            to: email(to),
            from: start.map(at),
            until: at(until),
            delegator: Some(email(from)),
            account: None,
        })
        .expect("delegate");
    }

    /// `(delegator, delegate, from, until)` of every delegation holding or
    /// to come, by start.
    fn delegations(p: &mut Portal) -> Vec<(String, String, String, String)> {
        p.order_delegations(None)
            .expect("delegations")
            .into_iter()
            .filter(|d| d.from < d.until)
            .map(|d| {
                (
                    d.delegator,
                    d.delegate,
                    d.from.to_string(),
                    d.until.to_string(),
                )
            })
            .collect()
    }

    /// The duplicate's delegations are the kept person's: one they gave is
    /// set again from the kept person, one they held is held by the kept
    /// person, and each old one ends now.
    #[test]
    fn delegations_pass_to_the_kept_person() {
        let mut p = acme(&[], 1);
        join(&mut p, "adm2@acme.test", "admin");
        join(&mut p, "adm@acme.test", "admin");
        join(&mut p, "eve@acme.test", "user");
        delegate(&mut p, "adm2@acme.test", "eve@acme.test", Some(T1), T2);
        delegate(&mut p, "owner@acme.test", "adm2@acme.test", None, T2);
        let id = place(&mut p, "max@acme.test");
        let view = merge(&mut p, "adm2@acme.test", "adm@acme.test").expect("merge");
        assert_eq!(view.delegations.len(), 2, "{:?}", view.delegations);
        assert!(view.delegations.iter().all(|d| d.outcome == "moved"));
        let now = p.ctx.now.to_string();
        assert_eq!(
            delegations(&mut p),
            [
                (
                    "owner@acme.test".to_string(),
                    "adm@acme.test".to_string(),
                    now.clone(),
                    T2.to_string()
                ),
                (
                    "adm@acme.test".to_string(),
                    "eve@acme.test".to_string(),
                    T1.to_string(),
                    T2.to_string()
                ),
            ]
        );
        // eve decides for the kept person once the delegation holds.
        p.ctx.now = at(T1);
        as_member(&mut p, "eve@acme.test");
        let inbox = p.order_inbox(None, None).expect("inbox");
        operator(&mut p);
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].id, id);
        assert_eq!(inbox[0].on_behalf_of.as_deref(), Some("adm@acme.test"));
        let done = decide(&mut p, "eve@acme.test", id).expect("eve decides");
        assert_eq!(done.status, OrderStatus::Approved);
    }

    /// A delegation keeps out its setter's orders through merges: one set
    /// by a duplicate since merged keeps out the kept person's, and one
    /// passed on to a kept delegate keeps its setter.
    #[test]
    fn a_delegation_keeps_out_its_setter_s_orders_through_merges() {
        let mut p = acme(&[], 1);
        join(&mut p, "adm2@acme.test", "admin");
        join(&mut p, "adm@acme.test", "admin");
        as_member(&mut p, "adm2@acme.test");
        p.order_delegate(&DelegateRequest {
            to: email("fin2@acme.test"),
            from: None,
            until: at(T2),
            delegator: Some(email("owner@acme.test")),
            account: None,
        })
        .expect("adm2 lends the owner's deciding");
        operator(&mut p);
        merge(&mut p, "adm2@acme.test", "adm@acme.test").expect("setter merged");
        merge(&mut p, "fin2@acme.test", "fin@acme.test").expect("delegate merged");
        // Passed on to fin, it still lists who set it, not the merge's actor.
        let set_by: Vec<String> = (p.order_delegations(None).expect("delegations").into_iter())
            .filter(|d| d.delegate == "fin@acme.test")
            .map(|d| d.created_by)
            .collect();
        assert_eq!(set_by, vec!["adm2@acme.test".to_string()]);
        let adms = place(&mut p, "adm@acme.test");
        let maxs = place(&mut p, "max@acme.test");
        let err = decide(&mut p, "fin@acme.test", adms).expect_err("adm's own order");
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(
            err.to_string()
                .contains("`adm@acme.test` set that delegation and placed the order"),
            "{err}"
        );
        assert!(!deciders(&mut p, adms).contains(&"fin@acme.test".to_string()));
        let done = decide(&mut p, "fin@acme.test", maxs).expect("max's, for the owner");
        assert_eq!(done.status, OrderStatus::Approved);
    }

    /// A delegation between the two would have the kept person delegate
    /// to themselves: it ends, whichever way it ran.
    #[test]
    fn a_delegation_between_the_duplicate_and_the_kept_person_ends() {
        for (from, to) in [
            ("adm@acme.test", "adm2@acme.test"),
            ("adm2@acme.test", "adm@acme.test"),
        ] {
            let mut p = acme(&[], 1);
            join(&mut p, "adm@acme.test", "admin");
            join(&mut p, "adm2@acme.test", "admin");
            delegate(&mut p, from, to, None, T2);
            let view = merge(&mut p, "adm2@acme.test", "adm@acme.test").expect("merge");
            assert_eq!(view.delegations.len(), 1);
            assert_eq!(view.delegations[0].outcome, "ended");
            assert!(delegations(&mut p).is_empty(), "{from} to {to}");
        }
    }

    /// Where the kept person already delegates to the same delegate, only
    /// the part of the duplicate's period theirs does not cover is set:
    /// `order delegate` (and so `apply`) refuses two that overlap.
    #[test]
    fn a_delegation_the_kept_person_already_holds_is_not_set_twice() {
        let mut p = acme(&[], 1);
        join(&mut p, "adm@acme.test", "admin");
        join(&mut p, "adm2@acme.test", "admin");
        join(&mut p, "eve@acme.test", "user");
        delegate(&mut p, "adm@acme.test", "eve@acme.test", Some(T1), T2);
        delegate(&mut p, "adm2@acme.test", "eve@acme.test", None, T3);
        merge(&mut p, "adm2@acme.test", "adm@acme.test").expect("merge");
        let now = p.ctx.now.to_string();
        let pair = |from: &str, until: &str| {
            (
                "adm@acme.test".to_string(),
                "eve@acme.test".to_string(),
                from.to_string(),
                until.to_string(),
            )
        };
        assert_eq!(
            delegations(&mut p),
            [pair(&now, T1), pair(T1, T2), pair(T2, T3)]
        );
        // Covered whole by the kept person's own: ended, nothing set.
        let mut p = acme(&[], 1);
        join(&mut p, "adm@acme.test", "admin");
        join(&mut p, "adm2@acme.test", "admin");
        join(&mut p, "eve@acme.test", "user");
        delegate(&mut p, "adm@acme.test", "eve@acme.test", None, T3);
        delegate(&mut p, "adm2@acme.test", "eve@acme.test", Some(T1), T2);
        let view = merge(&mut p, "adm2@acme.test", "adm@acme.test").expect("merge");
        assert_eq!(view.delegations[0].outcome, "ended");
        assert_eq!(delegations(&mut p), [pair(&now, T3)]);
    }

    /// Acme with fin2 merged into fin, and Beta, whose admin bo sees
    /// nothing of Acme: to bo the two addresses are two people.
    fn merged_and_beta() -> Portal {
        let mut p = seeded("portal");
        crate::domain::testing::add_account(
            &mut p,
            "Beta",
            crate::model::AccountKind::Customer,
            None,
        );
        crate::domain::testing::join_in(&mut p, "bo@beta.test", "admin", Some("Beta"));
        crate::domain::testing::join_in(&mut p, "fin@acme.test", "user", Some("Acme"));
        crate::domain::testing::join_in(&mut p, "fin2@acme.test", "user", Some("Acme"));
        p.flag_duplicate(&email("fin2@acme.test"), &email("fin@acme.test"), None)
            .expect("flag");
        merge(&mut p, "fin2@acme.test", "fin@acme.test").expect("merge");
        p
    }

    fn invite_to_beta(p: &mut Portal, who: &str, role: &str) -> Result<crate::view::InvitedView> {
        p.invite(&crate::domain::InviteRequest {
            email: Some(email(who)),
            role: Some(role.into()),
            account: Some("Beta".into()),
            ..Default::default()
        })
    }

    /// Inviting the kept address where the merged one was invited takes
    /// the one membership over: the log says so, with the invitation it
    /// replaced (its address and role) as `before`, not as a first
    /// invitation of someone new.
    #[test]
    fn a_takeover_is_logged_with_the_invitation_it_replaced() {
        let mut p = merged_and_beta();
        as_member(&mut p, "bo@beta.test");
        invite_to_beta(&mut p, "fin2@acme.test", "user").expect("invite the merged address");
        invite_to_beta(&mut p, "fin@acme.test", "manager").expect("takes it over");
        operator(&mut p);
        let events = p
            .audit_events(&AuditFilter {
                actions: vec!["user.invite".into()],
                account: Some("Beta".into()),
                ..AuditFilter::default()
            })
            .expect("audit");
        let last = events.last().expect("events");
        assert_eq!(last.action, "user.invite.takeover");
        let before = last.before.as_ref().expect("the replaced invitation");
        assert_eq!(
            (&before["email"], &before["role"]),
            (
                &serde_json::json!("fin2@acme.test"),
                &serde_json::json!("user")
            )
        );
        assert_eq!(last.after.as_ref().expect("after")["role"], "manager");
    }

    /// An address merged into someone that another account's invitation
    /// still binds to them finds the kept person: flagging it a duplicate
    /// of them is the merge already done (exit 4), as without the
    /// invitation, never a flag of the kept person as their own
    /// duplicate.
    #[test]
    fn flagging_a_merged_address_of_the_person_it_was_merged_into_is_refused() {
        let mut p = merged_and_beta();
        as_member(&mut p, "bo@beta.test");
        invite_to_beta(&mut p, "fin2@acme.test", "user").expect("invite the merged address");
        operator(&mut p);
        let head = p.audit_head().expect("head");
        for account in [None, Some("Beta")] {
            let err = p
                .flag_duplicate(&email("fin2@acme.test"), &email("fin@acme.test"), account)
                .expect_err("merged already");
            assert_eq!(err.exit_code(), 4, "{err}");
            assert_eq!(
                err.to_string(),
                "`fin2@acme.test` was merged into `fin@acme.test`"
            );
        }
        assert_eq!(p.audit_head().expect("head"), head);
        let fin = p
            .member_show(&email("fin@acme.test"), Some("Acme"))
            .expect("fin");
        assert_eq!(fin.duplicate_of, None);
    }

    /// Acme with max (a manager) holding the service `Line`, and leo, a
    /// user of Acme as well: two logins of one person.
    fn max_holds_a_line() -> Portal {
        let mut p = seeded("portal");
        join(&mut p, "max@acme.test", "manager");
        join(&mut p, "leo@acme.test", "user");
        p.service_add("Line", None, None).expect("service");
        p.service_assign(&["Line".into()], Some(&email("max@acme.test")), None, None)
            .expect("assigned");
        p
    }

    /// The `service.*` events about `Line`, each its action and the
    /// holder it leaves.
    fn line_events(p: &mut Portal) -> Vec<(String, serde_json::Value)> {
        p.audit_events(&AuditFilter::default())
            .expect("audit")
            .into_iter()
            .filter(|e| e.action.starts_with("service.") && e.target.as_deref() == Some("Line"))
            .map(|e| {
                let to = e
                    .after
                    .map_or(serde_json::Value::Null, |a| a["assigned_to"].clone());
                (e.action, to)
            })
            .collect()
    }

    /// Findings E8: a merge gives the duplicate's services to the person
    /// kept only where they may hold services: one who left, is
    /// deactivated or blocked there gets none; the services are left
    /// unassigned, with a warning, each with its event (E7).
    #[test]
    fn a_merge_gives_no_service_to_a_kept_person_who_may_not_hold_one() {
        let leo = email("leo@acme.test");
        type Offboard = fn(&mut Portal, &Email) -> Result<MemberView>;
        let ways: [(&str, Offboard); 3] = [
            ("left", |p, e| p.left_company(e, None, &Handover::Refuse)),
            ("deactivated", |p, e| {
                p.deactivate(e, None, &Handover::Refuse)
            }),
            ("blocked", |p, e| {
                p.set_role_handing_over(e, "no-access", None, None, &Handover::Refuse)
            }),
        ];
        for (how, offboard) in ways {
            let mut p = max_holds_a_line();
            offboard(&mut p, &leo).expect(how);
            p.take_warnings();
            let view = merge(&mut p, "max@acme.test", "leo@acme.test").expect(how);
            let line = p.service_show("Line", None).expect("service");
            assert_eq!(line.assigned_to, None, "{how}: {line:?}");
            assert_eq!(
                view.services,
                [crate::view::ServicePassedOn {
                    account: "Acme".into(),
                    service: "Line".into(),
                    to: None,
                }],
                "{how}"
            );
            let warnings = p.take_warnings();
            assert!(
                warnings
                    .iter()
                    .any(|w| w.contains("left unassigned: `Line`")),
                "{how}: {warnings:?}"
            );
            assert_eq!(
                line_events(&mut p).last(),
                Some(&("service.unassign".to_string(), serde_json::Value::Null)),
                "{how}"
            );
        }
    }

    /// Findings E7: a service the merge hands to the person kept has its
    /// own event, as `service assign` writes it, and the answer names it;
    /// a merge that moves no service says so with `[]`, as it says every
    /// list (findings B8).
    #[test]
    fn a_service_a_merge_hands_on_is_logged_and_answered() {
        let mut p = max_holds_a_line();
        let view = merge(&mut p, "max@acme.test", "leo@acme.test").expect("merge");
        assert_eq!(
            view.services,
            [crate::view::ServicePassedOn {
                account: "Acme".into(),
                service: "Line".into(),
                to: Some("leo@acme.test".into()),
            }]
        );
        assert_eq!(
            line_events(&mut p).last(),
            Some(&(
                "service.assign".to_string(),
                serde_json::json!("leo@acme.test")
            ))
        );
        let answer = serde_json::to_value(&view).expect("json");
        for key in ["owner_of", "policies", "orders", "delegations", "moved"] {
            assert_eq!(answer[key], serde_json::json!([]), "{key}: {answer}");
        }
        // Where the kept person was no member, the membership moves with
        // its services: the same row, but another contact, logged too.
        join(&mut p, "uma@acme.test", "user");
        p.service_assign(&["Line".into()], Some(&email("uma@acme.test")), None, None)
            .expect("to uma");
        p.account_create(&crate::domain::NewAccount {
            name: "Beta".into(),
            kind: crate::model::AccountKind::Customer,
            parent: None,
            currency: None,
        })
        .expect("Beta");
        crate::domain::testing::join_in(&mut p, "kim@acme.test", "user", Some("Beta"));
        let view = merge(&mut p, "uma@acme.test", "kim@acme.test").expect("merge");
        assert_eq!(view.moved, ["Acme"]);
        assert_eq!(view.services.len(), 1, "{view:?}");
        assert_eq!(
            line_events(&mut p).last(),
            Some(&(
                "service.assign".to_string(),
                serde_json::json!("kim@acme.test")
            ))
        );
    }
}
