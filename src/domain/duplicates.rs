//! Duplicates and ownership: flagging a person as another's duplicate,
//! merging them, and moving an account's ownership.

use super::access::{authority, caps};
use super::audit::Change;
use super::courses::follow_role;
use super::gate::Write;
use super::{
    find_account, find_person, member_in, member_view, resolve_account, Actor, Ctx, Portal,
};
use crate::error::{Error, Result};
use crate::model::{
    Account, Email, Grant, InvitationState, MemberStatus, Membership, OutboxMessage, OutboxState,
    Person, Role,
};
use crate::view::{MemberView, MergeView};

/// The email telling support that `dup` duplicates `original` in an account.
fn duplicate_notice(
    support: &Email,
    ctx: &Ctx,
    account: &str,
    dup: &Person,
    original: &Person,
) -> OutboxMessage {
    let (dup_mailbox, original_mailbox) = (dup.mailbox(), original.mailbox());
    let (dup, original) = (&dup.email, &original.email);
    OutboxMessage {
        id: 0,
        kind: "duplicate-notice".into(),
        recipient: support.to_string(),
        subject: format!("Duplicate contact in {account}: {dup}"),
        body: format!(
            "Hello,\n\n\
             {} flagged the contact {dup_mailbox} in {account} as a duplicate of \
             {original_mailbox}.\n\n\
             Please merge them:\n\n    portalctl user merge {dup} --into {original}\n",
            ctx.actor.audit_name(),
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
            let account = resolve_account(tx, &w.ctx, account, Some(email))?;
            w.authorize(&account, caps::USERS_MANAGE.to("flag duplicates"))?;
            let (mut person, membership) = member_in(tx, email, &account)?;
            let original = find_person(tx, &w.ctx, of)?;
            let before = member_view(tx, catalog, &membership)?;
            person.duplicate_of = Some(original.id);
            tx.update_person(&person)?;
            // "Clicking Duplicate will inform our support team", through
            // the outbox like every email, when a support address is set.
            if let Some(support) = super::settings::support_email(tx)? {
                tx.enqueue(&duplicate_notice(
                    &support, &w.ctx, &account.name, &person, &original,
                ))?;
            }
            let after = member_view(tx, catalog, &membership)?;
            w.member_changed("user.flag_duplicate", &account, Some(&before), &after)?;
            Ok(after)
        })
    }

    /// Merges a duplicate person into the one kept. Memberships move to the
    /// kept person; where both were members, the kept membership stays, the
    /// duplicate's ends (status `left`) and its grants and services join the
    /// kept one. The duplicate is retired, never deleted. Needs
    /// `users.manage` in every account involved; the write gate refuses a
    /// merge that would give anyone more than the actor holds, or move an
    /// account's ownership without its owner.
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
                .help("only the operator's apply restores a person merged before; members merge people with `portalctl user merge`"));
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
                after: Some(serde_json::json!({ "email": email.as_str(), "merged_into": into.as_str() })),
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
    let mut account = resolve_account(tx, &w.ctx, h.account, Some(to))?;
    let who = authority(tx, catalog, &w.ctx, &account)?;
    if !who.is_owner_or_operator() {
        return Err(Error::denied(format!(
            "only the owner of `{}` can transfer its ownership",
            account.name
        )));
    }
    let (person, membership) = member_in(tx, to, &account)?;
    if account.owner_id == Some(person.id) {
        return Err(Error::conflict(format!(
            "`{to}` already owns `{}`",
            account.name
        )));
    }
    let role = catalog.role(membership.role_id)?;
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
        (Some(name), _) => Some((catalog.role_named(name)?, Vec::new())),
        (None, Some(f)) => Some((catalog.role_named(&f.role)?, f.grants.clone())),
        (None, None) => None,
    };
    // Each member as they were before the handover: their events record
    // the owner flag moving, so that their state at any moment (`user
    // show --at`, `can --at`) is read from their own events.
    let former = match account.owner_id {
        Some(id) => tx.membership_of(id, account.id)?,
        None => None,
    };
    let new_before = member_view(tx, catalog, &membership)?;
    let former_before = former
        .as_ref()
        .map(|m| member_view(tx, catalog, m))
        .transpose()?;
    account.owner_id = Some(person.id);
    tx.update_account(&account)?;
    // The owner holds the owner role: "account owners always have full
    // access" (004), and courses follow it (003).
    let owner_role = catalog.owner_role()?;
    let new_owner = change_role(w, &account, membership, (owner_role, &[]), &new_before)?;
    if let (Some(m), Some(before)) = (former, former_before) {
        match left_with {
            Some((role, grants)) => {
                change_role(w, &account, m, (role, &grants), &before)?;
            }
            None => {
                let after = member_view(tx, catalog, &m)?;
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
    let after = member_view(tx, catalog, &membership)?;
    w.member_changed("user.transfer_ownership", account, Some(before), &after)?;
    Ok(after)
}

/// The merge itself, inside a write: see [`Portal::merge`].
fn merge_in(w: &Write<'_>, email: &Email, into: &Email) -> Result<MergeView> {
    let tx = w.tx;
    let catalog = w.catalog()?;
    let mut dup = find_person(tx, &w.ctx, email)?;
    let kept = find_person(tx, &w.ctx, into)?;
    if dup.id == kept.id {
        return Err(Error::invalid("a person cannot be merged into themselves"));
    }
    let mut view = MergeView {
        merged: email.to_string(),
        into: into.to_string(),
        moved: vec![],
        ended: vec![],
    };
    for mut m in tx.memberships_of(dup.id)? {
        let mut account = tx.account(m.account_id)?;
        // An account the actor cannot see stays unnamed.
        if find_account(tx, &w.ctx, &account.name).is_err() {
            return Err(Error::denied(format!(
                "`{email}` also belongs to an account you are not a member of, so you cannot merge them"
            ))
            .help("the operator, or an admin of every account they belong to, can"));
        }
        w.authorize(&account, caps::USERS_MANAGE.to("merge people"))?;
        let dup_before = member_view(tx, catalog, &m)?;
        match tx.membership_of(kept.id, account.id)? {
            None => {
                m.person_id = kept.id;
                m.updated_at = w.ctx.now;
                tx.update_membership(&m)?;
                let after = member_view(tx, catalog, &m)?;
                w.member_changed("user.merge", &account, Some(&dup_before), &after)?;
                view.moved.push(account.name.clone());
            }
            Some(kept_m) => {
                if account.owner_id == Some(dup.id) && kept_m.status != MemberStatus::Active {
                    return Err(Error::conflict(format!(
                        "`{email}` owns `{}` and `{into}` is not active there",
                        account.name
                    ))
                    .help(format!("activate `{into}` in `{}` first", account.name)));
                }
                let kept_before = member_view(tx, catalog, &kept_m)?;
                for mut service in tx.services_assigned_to(m.id)? {
                    service.assigned_to = Some(kept_m.id);
                    tx.update_service(&service)?;
                }
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
                for (before, m) in [(dup_before, &m), (kept_before, &kept_m)] {
                    let after = member_view(tx, catalog, m)?;
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
    let before = serde_json::json!({ "email": email.as_str(), "merged_into": null });
    dup.merged_into = Some(kept.id);
    dup.duplicate_of = Some(kept.id);
    tx.update_person(&dup)?;
    w.record(Change {
        action: "user.merge",
        account: None,
        target: Some(email.to_string()),
        before: Some(before),
        after: Some(serde_json::json!({ "email": email.as_str(), "merged_into": into.as_str() })),
    });
    Ok(view)
}
