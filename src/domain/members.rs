//! Members after they are invited: listing, roles, grants, deactivation
//! and leaving.

use super::access::{authorize, caps, Access};
use super::audit::Change;
use super::courses::follow_role;
use super::gate::Write;
use super::{
    knows_account, listed_member_view, member_in, member_view, resolve_account, snapshot, standing,
    Catalog, Ctx, Portal,
};
use crate::domain::visibility::holds_need;
use crate::domain::Actor;
use crate::error::{Error, Result};
use crate::model::Role;
use crate::model::{
    Account, AccountKind, Capability, Email, Grant, Holding, InvitationState, MemberQuery,
    MemberStanding, MemberStatus, Membership, Paste, Person, Timestamp,
};
use crate::store::Tx;
use crate::view::{CanView, GrantView, MemberView};
use std::cell::RefCell;
use std::collections::HashMap;

/// How many members a page of a list reads at once: enough that a query
/// per page costs little beside its rows, few enough that the first rows
/// print at once. Small in tests, so that they cross pages.
pub(crate) const MEMBER_PAGE: usize = if cfg!(test) { 2 } else { 1000 };

/// Filters of `user list`.
#[derive(Debug, Clone, Default)]
pub(crate) struct MemberFilter {
    /// At most this many, the first in the list's order (`--limit`).
    pub limit: Option<u32>,
    /// Only this account.
    pub account: Option<String>,
    /// Only this status, as shown (`revoked` included).
    pub status: Option<MemberStanding>,
    /// Only this role.
    pub role: Option<String>,
    /// Only members some of whose time-bound access lapses within this
    /// long from now (`--expiring 7d`).
    pub expiring: Option<chrono::Duration>,
    /// Only members who hold this capability now, exactly those for whom
    /// `can EMAIL CAPABILITY` says yes (`--can`).
    pub can: Option<Capability>,
    /// Only invited members whose invitation has expired: those to resend
    /// (`--expired`).
    pub expired: bool,
}

/// What happens to the services of a member who is deactivated or leaves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Handover {
    /// Refuse while they hold services.
    #[default]
    Refuse,
    /// Give them to this active member of the same account.
    ReassignTo(Email),
    /// Leave them unassigned.
    Unassign,
}

/// What a membership change may look at while it edits.
pub(super) struct Edit<'a, 'c> {
    pub(super) tx: &'a dyn Tx,
    pub(super) catalog: &'c Catalog,
    pub(super) account: &'a Account,
    pub(super) person: &'a Person,
    pub(super) now: Timestamp,
    /// Who acts, for the help of a refusal that depends on it.
    pub(super) ctx: &'a Ctx,
    /// Side effects worth recording beside the member's before and after,
    /// such as where their services went.
    pub(super) notes: RefCell<serde_json::Map<String, serde_json::Value>>,
    /// The write it runs in, for the changes it records beside the
    /// member's own (a service handed over is one).
    pub(super) write: &'a Write<'a>,
}

/// The role `user activate` gives back to `m`, who left or was
/// deactivated: the one they held, or the catalog's least where that one
/// was retired while they were away (a retired role is offered to
/// nobody); `None` where they held none before. An export writes a
/// leaver with it, and an apply of that file reads it as unchanged.
pub(crate) fn role_given_back<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    m: &Membership,
) -> Result<Option<&'c Role>> {
    let Some(held) = m.previous_role_id else {
        return Ok(None);
    };
    let held = catalog.role(tx, held)?;
    Ok(Some(match held.deleted_at {
        None => held,
        Some(_) => catalog.least_role()?,
    }))
}

impl Edit<'_, '_> {
    /// `command` as help prints it to paste, with `--account` added when
    /// the member is in several accounts: without it the pasted command is
    /// refused as ambiguous. Every command an edit's refusal offers about
    /// its member is finished here.
    pub(super) fn pasted(&self, command: Paste) -> Result<Paste> {
        Ok(if self.tx.memberships_of(self.person.id)?.len() > 1 {
            command.opt("--account", &self.account.name)
        } else {
            command
        })
    }

    /// Refused before anything else the command would ask of the owner
    /// (such as where their services go), in the write gate's words.
    fn refuse_for_owner(&self, what: &str) -> Result<()> {
        if self.account.owner_id == Some(self.person.id) {
            return Err(super::review::owner_cannot_be(
                self.ctx, &self.person.email, &self.account.name, what,
            ));
        }
        Ok(())
    }

    pub(super) fn end_pending_invitation(&self, m: &Membership) -> Result<()> {
        if let Some(pending) = self.tx.pending_invitation(m.id)? {
            super::invitations::end_invitation(
                self.tx,
                pending.id,
                InvitationState::Revoked,
                self.now,
            )?;
        }
        Ok(())
    }

    /// Moves or clears the services assigned to a member who is leaving
    /// or blocked; refuses while they hold services and `handover` says
    /// nothing. Deactivation, leaving and a blocking role all ask it, so
    /// that no way of taking access away leaves services with someone
    /// who holds nothing (findings N10).
    fn hand_over_services(&self, m: &Membership, handover: &Handover) -> Result<()> {
        // The heir is judged before looking at what moves, so that a wrong
        // target is refused the same whether or not the member holds services.
        let to = match handover {
            Handover::ReassignTo(email) => {
                let (_, heir) = member_in(self.tx, self.ctx, email, self.account)?;
                if heir.id == m.id || heir.status != MemberStatus::Active {
                    return Err(Error::conflict(format!(
                        "services can only go to another active member of `{}`",
                        self.account.name
                    )));
                }
                if let Some(refusal) = super::services::cannot_hold_services(
                    self.tx,
                    self.catalog,
                    self.account,
                    email.as_str(),
                    &heir,
                    self.now,
                )? {
                    return Err(refusal);
                }
                Some((heir, email.to_string()))
            }
            _ => None,
        };
        let services = self.tx.services_assigned_to(m.id)?;
        if services.is_empty() {
            // Asked where their services go, the answer says none went.
            if *handover != Handover::Refuse {
                let to = to.map_or(serde_json::Value::Null, |(_, email)| email.into());
                let mut notes = self.notes.borrow_mut();
                notes.insert("services_handed_over".into(), serde_json::json!([]));
                notes.insert("services_reassigned_to".into(), to);
            }
            return Ok(());
        }
        if *handover == Handover::Refuse {
            let names: Vec<String> = services.iter().map(|s| format!("`{}`", s.name)).collect();
            return Err(Error::conflict(format!(
                "`{}` holds services in `{}`: {}",
                self.person.email,
                self.account.name,
                names.join(", ")
            ))
            .help("pass --reassign-to EMAIL to give them to someone, or --unassign"));
        }
        // Each its own event, as `service assign` writes it, so that a
        // service's contacts are read from its log (findings E7).
        for service in &services {
            let heir = to.as_ref().map(|(heir, _)| heir);
            super::services::hand_service(self.write, self.account, service, heir, None)?;
        }
        let to = to.map_or(serde_json::Value::Null, |(_, email)| email.into());
        let mut notes = self.notes.borrow_mut();
        let handed: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
        notes.insert("services_handed_over".into(), handed.into());
        notes.insert("services_reassigned_to".into(), to);
        Ok(())
    }
}

/// What a refusal of a membership change says was refused.
fn refused_action(action: &str) -> &'static str {
    match action {
        "user.set_role" => "change users' roles",
        "user.grant" => "grant users access",
        "user.revoke" => "revoke users' access",
        "user.deactivate" => "deactivate users",
        "user.activate" => "activate users",
        "user.left_company" => "mark users as left",
        "user.revoke_invite" => "revoke invitations",
        _ => "manage users (invite, change or remove them)",
    }
}

impl Portal {
    /// Runs one membership change: finds the member, checks `users.manage`,
    /// lets `change` edit, and records the event. The write gate judges what
    /// the change gives and keeps an admin in the account.
    pub(super) fn edit_member(
        &mut self,
        action: &'static str,
        email: &Email,
        account: Option<&str>,
        change: impl FnOnce(&Edit<'_, '_>, &mut Membership) -> Result<()>,
    ) -> Result<MemberView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let need = caps::USERS_MANAGE.to(refused_action(action));
            let account = resolve_account(tx, &w.ctx, account, Some(email), |a| {
                w.authorize(a, need).map(|_| ())
            })?;
            w.authorize(&account, need)?;
            let (person, mut membership) = member_in(tx, &w.ctx, email, &account)?;
            let before = member_view(tx, &w.ctx, catalog, &membership)?;
            let original = membership.clone();
            let edit = Edit {
                tx,
                catalog,
                account: &account,
                person: &person,
                now: w.ctx.now,
                ctx: &w.ctx,
                notes: RefCell::default(),
                write: w,
            };
            change(&edit, &mut membership)?;
            let notes = edit.notes.take();
            // What moved, for the answer as for the log.
            // Present whenever the command said where services go.
            let handed_over: Option<Vec<String>> = notes
                .get("services_handed_over")
                .and_then(serde_json::Value::as_array)
                .map(|names| {
                    names
                        .iter()
                        .filter_map(|n| n.as_str().map(str::to_string))
                        .collect()
                });
            let reassigned_to = notes
                .get("services_reassigned_to")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string);
            if membership != original {
                membership.updated_at = w.ctx.now;
                tx.update_membership(&membership)?;
                // Courses follow the role, in this same transaction and event.
                follow_role(tx, catalog, &membership, w.ctx.now)?;
            }
            super::invitations::keep_invitation_within_access(tx, catalog, &membership)?;
            let mut after = member_view(tx, &w.ctx, catalog, &membership)?;
            // Someone without access to a partner (deactivated, left, or given
            // the blocking role) keeps no access they were given as its
            // external admin, and someone given less keeps none that gives
            // more than they now hold (see `external_admins`).
            let ended = if account.kind == AccountKind::Partner {
                super::external_admins::end_external_access(w, &account, &membership)?
            } else {
                Vec::new()
            };
            after.external_ended = ended.iter().map(|(_, v)| v.clone()).collect();
            let mut after_json = snapshot(&w.recorded(&after, &after, false)?)?;
            if let Some(fields) = after_json.as_object_mut() {
                fields.extend(notes);
            }
            w.record(Change {
                action,
                account: Some(account.clone()),
                target: Some(email.to_string()),
                before: Some(snapshot(&w.recorded(&before, &after, true)?)?.into()),
                after: Some(after_json.into()),
            });
            // The event keeps every customer; the answer names only those
            // the actor may know of, as `user history` does: a partner's
            // member who manages its users need not manage its customers.
            after.external_ended.clear();
            for (customer, view) in ended {
                if knows_account(tx, catalog, &w.ctx, &customer)? {
                    after.external_ended.push(view);
                }
            }
            // Named to whoever the log names them to.
            if handed_over.is_some()
                && super::log_sight::sees_every_service(tx, catalog, &w.ctx, &account)?
            {
                after.services_handed_over = handed_over;
                after.services_reassigned_to = reassigned_to;
            }
            Ok(after)
        })
    }

    /// Gives a member another role. The owner's role does not change, and a
    /// member may only give a role whose capabilities they hold. With
    /// `until`, the role lapses at that moment back to the role held for
    /// good (the one before, or before an earlier time-bound role).
    #[cfg(test)]
    pub(crate) fn set_role(
        &mut self,
        email: &Email,
        role: &str,
        account: Option<&str>,
        until: Option<Timestamp>,
    ) -> Result<MemberView> {
        self.set_role_handing_over(email, role, account, until, &Handover::Refuse)
    }

    /// [`Portal::set_role`], saying where the member's services go when
    /// `role` blocks all access: blocking a member is offboarding them,
    /// as deactivating is, and is refused alike while they hold services
    /// and `handover` says nothing.
    pub(crate) fn set_role_handing_over(
        &mut self,
        email: &Email,
        role: &str,
        account: Option<&str>,
        until: Option<Timestamp>,
        handover: &Handover,
    ) -> Result<MemberView> {
        self.give_role(email, role, account, until.map(|t| (t, None)), handover)
    }

    /// Gives a member `role` until `until`, and `after` for good from
    /// then: what `set-role AFTER` and then `set-role ROLE --until T`
    /// leave, as a file says it in one entry (`role_until`, `role_after`).
    /// One change, so that the actor is judged by what they hold before
    /// it: run as two, the second would be judged by what the first left
    /// them, and an admin giving themselves their own role until a date
    /// would be refused as lacking what they hold.
    pub(crate) fn set_role_lapsing(
        &mut self,
        email: &Email,
        role: &str,
        account: Option<&str>,
        until: Timestamp,
        after: &str,
        handover: &Handover,
    ) -> Result<MemberView> {
        self.give_role(email, role, account, Some((until, Some(after))), handover)
    }

    /// [`Portal::set_role`] and [`Portal::set_role_lapsing`]: `lapse` is
    /// when the role lapses, and to which role (`None`: the one held for
    /// good now).
    fn give_role(
        &mut self,
        email: &Email,
        role: &str,
        account: Option<&str>,
        lapse: Option<(Timestamp, Option<&str>)>,
        handover: &Handover,
    ) -> Result<MemberView> {
        if let Some((until, _)) = lapse {
            super::ensure_future(until, self.now())?;
        }
        self.edit_member("user.set_role", email, account, |e, m| {
            // Asked the role they hold for good, the owner is left as
            // they are, as any member is: no change, no event (findings
            // B6). A script that states every member's role runs as is.
            if lapse.is_none()
                && *handover == Handover::Refuse
                && m.role_until.is_none()
                && e.account.owner_id == Some(e.person.id)
                && matches!(e.catalog.role_in(e.tx, role, e.account.id), Ok(held) if held.id == m.role_id)
            {
                return Ok(());
            }
            e.refuse_for_owner("given another role")?;
            if m.status == MemberStatus::Left {
                return Err(Error::conflict(format!(
                    "`{}` has left `{}`",
                    e.person.email, e.account.name
                ))
                .help(format!(
                    "bring them back first with `{}`",
                    e.pasted(Paste::new("user activate").arg(&e.person.email))?
                )));
            }
            let new = e.catalog.role_in(e.tx, role, e.account.id)?.id;
            // The role held for good: the one a time-bound role lapses to.
            let lasting = match lapse {
                Some((_, Some(after))) => e.catalog.role_in(e.tx, after, e.account.id)?.id,
                _ => m.role_after.unwrap_or(m.role_id),
            };
            // A time-bound role lapses back to the role held for good, so
            // the role held for good itself has nothing to lapse to: the
            // end would be dropped unseen.
            if let (Some((until, None)), true) = (lapse, new == lasting) {
                let email = &e.person.email;
                let role = &e.catalog.role(e.tx, new)?.name;
                let account = &e.account.name;
                if m.role_id != new {
                    // They hold another role for a while, then this one.
                    let now = &e.catalog.role(e.tx, m.role_id)?.name;
                    return Err(Error::conflict(format!(
                        "`{email}` holds `{now}` in `{account}` for a while and `{role}` for good after it, so `{role}` cannot end at {until}: a role given --until lapses back to the role held for good"
                    ))
                    .help(format!(
                        "`{}` gives it for good now",
                        e.pasted(Paste::new("user set-role").arg(email).arg(role))?
                    )));
                }
                let refusal = Error::conflict(format!(
                    "`{email}` holds `{role}` for good in `{account}`, so it cannot end at {until}: a role given --until lapses back to the role held for good"
                ));
                // An external admin's access ends with the role (nothing to
                // fall back to): the partner's `external-admin add` sets
                // when it ends.
                if m.external_from.is_some() {
                    return Err(refusal.help(format!(
                        "to end it at {until}: `{}`",
                        Paste::new("external-admin add")
                            .arg(email)
                            .opt("--customer", account)
                            .opt("--role", role)
                            .opt("--until", until)
                    )));
                }
                let blocking = &e.catalog.blocking_role()?.name;
                return Err(refusal.help(format!(
                    "to end it at {until}, first give the role to fall back to: `{}`, then `{}`",
                    e.pasted(Paste::new("user set-role").arg(email).arg(blocking))?,
                    e.pasted(
                        Paste::new("user set-role")
                            .arg(email)
                            .arg(role)
                            .opt("--until", until)
                    )?
                )));
            }
            if e.catalog.role(e.tx, new)?.blocking {
                e.hand_over_services(m, handover)?;
            } else if *handover != Handover::Refuse {
                return Err(Error::invalid(format!(
                    "--reassign-to and --unassign say where services go when a role blocks all access; `{role}` does not"
                ))
                .help(format!(
                    "`{}` gives it, and they keep their services",
                    e.pasted(Paste::new("user set-role").arg(&e.person.email).arg(role))?
                )));
            }
            m.role_id = new;
            match lapse.map(|(until, _)| until) {
                Some(until) if new != lasting => {
                    m.role_until = Some(until);
                    m.role_after = Some(lasting);
                }
                _ => {
                    m.role_until = None;
                    m.role_after = None;
                }
            }
            Ok(())
        })
    }

    /// Adds grants (areas, or single capabilities) on top of a member's
    /// role, only what the catalog declares grantable.
    ///
    /// With `until`, each grant lapses at that moment. A grant held for
    /// good stays so (at `until` access is what it was before); a
    /// time-bound one takes the new end, or, without `until`, is held for
    /// good from now.
    pub(crate) fn grant(
        &mut self,
        email: &Email,
        grants: &[String],
        account: Option<&str>,
        until: Option<Timestamp>,
    ) -> Result<MemberView> {
        self.put_grants(email, grants, account, until, true)
    }

    /// Makes each of `grants` lapse at `until`, held or not: what
    /// [`Portal::grant`] does with `until`, except that a grant held for
    /// good becomes time-bound too, as a file listing it in
    /// `grants_until` says. One change, so that the actor is judged by
    /// what they hold before it: taking the grant and giving it back
    /// time-bound would judge the giving by what the taking left, and an
    /// admin putting an end to their own admin grant would be refused as
    /// lacking what that grant gives them.
    pub(crate) fn grant_lapsing(
        &mut self,
        email: &Email,
        grants: &[String],
        account: Option<&str>,
        until: Timestamp,
    ) -> Result<MemberView> {
        self.put_grants(email, grants, account, Some(until), false)
    }

    /// Gives each of `grants` until `until` (`None`: for good), leaving
    /// alone one held until then; one held for good stays so when
    /// `lasting_stays`.
    fn put_grants(
        &mut self,
        email: &Email,
        grants: &[String],
        account: Option<&str>,
        until: Option<Timestamp>,
        lasting_stays: bool,
    ) -> Result<MemberView> {
        if let Some(until) = until {
            super::ensure_future(until, self.now())?;
        }
        self.edit_member("user.grant", email, account, |e, m| {
            let held = e.tx.grants(m.id)?;
            for name in grants {
                let name = name.trim();
                e.catalog.grantable(name)?;
                let current = held.iter().find(|g| g.name == name);
                if current.is_some_and(|g| {
                    g.expires_at == until || (lasting_stays && g.expires_at.is_none())
                }) {
                    continue;
                }
                let mut grant = Grant::lasting(name, e.now);
                grant.expires_at = until;
                e.tx.put_grant(m.id, &grant)?;
            }
            Ok(())
        })
    }

    /// Takes grants away; grants the member does not have are ignored.
    pub(crate) fn revoke(
        &mut self,
        email: &Email,
        grants: &[String],
        account: Option<&str>,
    ) -> Result<MemberView> {
        self.edit_member("user.revoke", email, account, |e, m| {
            for name in grants {
                let name = name.trim();
                e.catalog.grant_capabilities(name)?;
                e.tx.delete_grant(m.id, name)?;
            }
            Ok(())
        })
    }

    /// Disables a member; history stays. An unaccepted invitation dies, and
    /// their services go where `handover` says.
    pub(crate) fn deactivate(
        &mut self,
        email: &Email,
        account: Option<&str>,
        handover: &Handover,
    ) -> Result<MemberView> {
        self.edit_member("user.deactivate", email, account, |e, m| {
            e.refuse_for_owner("deactivated")?;
            e.hand_over_services(m, handover)?;
            match m.status {
                MemberStatus::Deactivated => {
                    return Err(wrong_state(
                        e,
                        match standing(e.tx, m)? {
                            MemberStanding::Revoked => "has only a revoked invitation",
                            _ => "is already deactivated",
                        },
                    ))
                }
                MemberStatus::Left => {
                    return Err(wrong_state(e, "has left; there is nothing to deactivate"))
                }
                MemberStatus::Invited => e.end_pending_invitation(m)?,
                MemberStatus::Active => {}
            }
            m.status = MemberStatus::Deactivated;
            Ok(())
        })
    }

    /// Re-enables a deactivated member, or brings back one who left with the
    /// role they held before.
    pub(crate) fn activate(&mut self, email: &Email, account: Option<&str>) -> Result<MemberView> {
        self.edit_member("user.activate", email, account, |e, m| {
            match m.status {
                MemberStatus::Active => return Err(wrong_state(e, "is already active")),
                MemberStatus::Invited => {
                    return Err(wrong_state(e, "has not accepted the invitation yet"))
                }
                MemberStatus::Deactivated | MemberStatus::Left => {}
            }
            if m.accepted_at.is_none() {
                return Err(wrong_state(e, "never accepted an invitation").help(format!(
                    "send a new one with `{}`",
                    e.pasted(Paste::new("user resend-invite").arg(&e.person.email))?
                )));
            }
            if let Some(partner_id) = m.external_from {
                // External access lasts only while they are active in the
                // partner it comes from.
                let home_active = match e.tx.membership_of(m.person_id, partner_id)? {
                    Some(home) => {
                        home.status == MemberStatus::Active
                            && !e.catalog.role(e.tx, home.role_id)?.blocking
                    }
                    None => false,
                };
                if !home_active {
                    let partner = e.tx.account(partner_id)?;
                    return Err(Error::conflict(format!(
                        "`{}` is an external admin of `{}` from `{}`, and no longer active in `{}`",
                        e.person.email, e.account.name, partner.name, partner.name
                    ))
                    .help(format!(
                        "activate them in `{}` first, then `portalctl external-admin add`",
                        partner.name
                    )));
                }
            }
            if let Some(back) = role_given_back(e.tx, e.catalog, m)? {
                m.role_id = back.id;
            }
            m.previous_role_id = None;
            m.status = MemberStatus::Active;
            Ok(())
        })
    }

    /// Marks a member as having left the company: the blocking role and
    /// status `left`; `activate` restores the role they held.
    pub(crate) fn left_company(
        &mut self,
        email: &Email,
        account: Option<&str>,
        handover: &Handover,
    ) -> Result<MemberView> {
        self.edit_member("user.left_company", email, account, |e, m| {
            e.refuse_for_owner("marked as left")?;
            e.hand_over_services(m, handover)?;
            if m.status == MemberStatus::Left {
                return Err(wrong_state(e, "has already left"));
            }
            e.end_pending_invitation(m)?;
            // A time-bound role ends with leaving: `activate` restores the
            // role held for good.
            m.previous_role_id = Some(m.role_after.take().unwrap_or(m.role_id));
            m.role_until = None;
            m.role_id = e.catalog.blocking_role()?.id;
            m.status = MemberStatus::Left;
            Ok(())
        })
    }

    /// [`Portal::member_pages`], collected.
    #[cfg(test)]
    pub(crate) fn member_list(&mut self, filter: &MemberFilter) -> Result<Vec<MemberView>> {
        let mut views = Vec::new();
        self.member_pages(filter, &mut |page| {
            views.extend_from_slice(page);
            Ok(())
        })?;
        Ok(views)
    }

    /// Members the actor may see (`users.view`), by account then email, at
    /// most `filter.limit` of them, handed to `page` a page at a time as
    /// they are read (at most [`MEMBER_PAGE`] each, none empty): the
    /// order comes from one query of ids per account, and each page from
    /// one query of its rows (with one more for the courses where the
    /// catalog has courses), never from a query per member.
    pub(crate) fn member_pages(
        &mut self,
        filter: &MemberFilter,
        page: &mut dyn FnMut(&[MemberView]) -> Result<()>,
    ) -> Result<()> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let sees = super::roles::role_sight(&*tx, &catalog, &self.ctx)?;
        let role = filter
            .role
            .as_deref()
            .map(|r| catalog.role_among(&*tx, r, sees.reach(), |role| sees.sees(role)))
            .transpose()?;
        let mut accounts = match &filter.account {
            Some(name) => {
                let account = super::find_account(&*tx, &self.ctx, name)?;
                authorize(&*tx, &catalog, &self.ctx, &account, caps::USERS_VIEW)?;
                vec![account]
            }
            None => {
                let visible = super::access::accounts_holding(
                    &*tx,
                    &catalog,
                    &self.ctx,
                    tx.accounts()?,
                    caps::USERS_VIEW,
                )?;
                if visible.is_empty() {
                    // The refusal in the actor's own account says who can help.
                    if let Some(own) = super::visibility::actor_accounts(&*tx, &self.ctx)?.first() {
                        authorize(&*tx, &catalog, &self.ctx, own, caps::USERS_VIEW)?;
                    }
                    return Err(Error::denied(
                        "listing users needs `users.view` in some account",
                    ));
                }
                visible
            }
        };
        accounts.sort_by(|a, b| a.name.cmp(&b.name));
        let horizon = filter.expiring.map(|d| self.ctx.now.plus(d)).transpose()?;
        // Only someone invited has an invitation that expires: `--expired`
        // narrows `invited`, and no other status has any to show.
        let standing = match (filter.expired, filter.status) {
            (false, status) => status,
            (true, None | Some(MemberStanding::Invited)) => Some(MemberStanding::Invited),
            (true, Some(other)) => {
                return Err(Error::invalid(format!(
                    "`--expired` lists invited members whose invitation has expired, never `{other}` ones"
                ))
                .help("leave out --status, or pass --status invited"))
            }
        };
        // The store selects every filter exactly, as the view shows it:
        // the role and the status in force, `revoked` (a deactivated
        // member whose invitation was withdrawn) apart from
        // `deactivated`, access lapsing within `--expiring`, and
        // `--expired` leaving out an invitation whose access ran out (a
        // contractor past their end date: no link to resend, as
        // `resend-invite` refuses it); so the limit is the query's, and
        // no page reads rows it does not list.
        let status = standing.map(|s| match s {
            MemberStanding::Invited => MemberStatus::Invited,
            MemberStanding::Active => MemberStatus::Active,
            MemberStanding::Deactivated | MemberStanding::Revoked => MemberStatus::Deactivated,
            MemberStanding::Left => MemberStatus::Left,
        });
        let revoked = match standing {
            Some(MemberStanding::Revoked) => Some(true),
            Some(MemberStanding::Deactivated) => Some(false),
            _ => None,
        };
        let mut left = filter.limit;
        let query = MemberQuery {
            role_id: role.map(|r| r.id),
            status,
            holding: None,
            invitation_expired: filter.expired,
            revoked,
            lapsing_by: horizon,
            limit: left,
        };
        // Those who hold it are found from the holding side (by role, by a
        // role a lapse gave back, by grant, the owner) and judged in SQL
        // by the rules of `Access::holds`, so the limit stays the query's:
        // one query for every account, so that the list grows with its
        // rows, not with the accounts it spans (issue 11).
        let mut held: Option<HashMap<i64, Vec<i64>>> = match filter.can {
            Some(cap) => {
                let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
                let holdings = super::access::Holdings::new(&*tx, &catalog, cap, &ids)?;
                let each: Vec<(i64, Holding)> =
                    accounts.iter().map(|a| (a.id, holdings.of(a))).collect();
                let mut by_account: HashMap<i64, Vec<i64>> = HashMap::new();
                for (account, id) in tx.holder_ids(&each, &query)? {
                    by_account.entry(account).or_default().push(id);
                }
                Some(by_account)
            }
            None => None,
        };
        for account in &accounts {
            if left == Some(0) {
                break;
            }
            let ids = match &mut held {
                Some(held) => held.remove(&account.id).unwrap_or_default(),
                None => tx.member_ids(
                    account.id,
                    &MemberQuery {
                        limit: left,
                        ..query.clone()
                    },
                )?,
            };
            for chunk in ids.chunks(MEMBER_PAGE) {
                let courses = if catalog.courses().is_empty() {
                    HashMap::new()
                } else {
                    let mut by_member: HashMap<i64, Vec<i64>> = HashMap::new();
                    for (member, course) in tx.current_courses_of(chunk)? {
                        by_member.entry(member).or_default().push(course);
                    }
                    by_member
                };
                let mut views = Vec::with_capacity(chunk.len());
                for listed in tx.members_by_id(chunk)? {
                    if left == Some(0) {
                        break;
                    }
                    // The invitation of someone merged away, ended by a
                    // merge the account does not know of, is no longer
                    // there to it (as `user show` finds it not a member).
                    // The store's limit reaches past every such row, so
                    // skipping it never leaves the list short.
                    if super::visibility::gone_by_unread_merge(
                        &*tx, &self.ctx, &listed.person, account.id,
                    )? {
                        continue;
                    }
                    let enrolled = courses
                        .get(&listed.membership.id)
                        .map_or(&[][..], Vec::as_slice);
                    let enrolled = super::courses::course_names(&catalog, enrolled);
                    let mut view = listed_member_view(
                        &*tx, &self.ctx, &catalog, &account.name, account.owner_id, listed,
                        enrolled,
                    )?;
                    mark_invitation_expiry(&mut view, self.ctx.now);
                    views.push(view);
                    left = left.map(|n| n - 1);
                }
                if !views.is_empty() {
                    page(&views)?;
                }
                if left == Some(0) {
                    break;
                }
            }
        }
        Ok(())
    }

    /// One member with their effective capabilities. Members may see
    /// themselves; others need `users.view`.
    pub(crate) fn member_show(
        &mut self,
        email: &Email,
        account: Option<&str>,
    ) -> Result<MemberView> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let (access, account) = visible_member(&*tx, &catalog, &self.ctx, email, account)?;
        let mut view = member_view(&*tx, &self.ctx, &catalog, &access.membership)?;
        if access.membership.status == MemberStatus::Invited {
            if let Some(pending) = tx.pending_invitation(access.membership.id)? {
                view.invitation_expires_at = Some(pending.expires_at);
                mark_invitation_expiry(&mut view, self.ctx.now);
            }
        }
        // Services show only as far as the actor may see services at all.
        let assigned = tx.services_assigned_to(access.membership.id)?;
        view.services = Some(
            match super::services::visibility(&*tx, &catalog, &self.ctx, &account) {
                Ok(seen) => assigned
                    .iter()
                    .filter(|s| seen.sees(s))
                    .map(|s| s.name.clone())
                    .collect(),
                Err(Error::Denied(_)) => Vec::new(),
                Err(e) => return Err(e),
            },
        );
        view.account = account.name;
        view.capabilities = Some(
            access
                .capabilities()
                .iter()
                .map(|c| c.to_string())
                .collect(),
        );
        let mut details = Vec::new();
        for grant in tx.grants(access.membership.id)? {
            let given = catalog.grant_capabilities(&grant.name).unwrap_or_default();
            details.push(GrantView {
                area: catalog.bundle(&grant.name).is_some(),
                // In catalog order, like `capabilities`.
                capabilities: Capability::all()
                    .filter(|c| given.contains(c))
                    .map(|c| c.to_string())
                    .collect(),
                name: grant.name,
                expires_at: grant.expires_at,
            });
        }
        view.grant_details = Some(details);
        Ok(view)
    }

    /// Whether a member holds a capability, and why.
    pub(crate) fn can(
        &mut self,
        email: &Email,
        cap: Capability,
        account: Option<&str>,
    ) -> Result<CanView> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let (access, account) = visible_member(&*tx, &catalog, &self.ctx, email, account)?;
        let decision = access.decide(cap);
        // "Who can approve orders?" has named approvers among its
        // answers, who need not hold `orders.approve` (001: "Finance
        // approval for orders over £50"): a no says which policies they
        // decide all the same, to whoever may read the policies.
        let mut approver_of = Vec::new();
        if cap == caps::ORDERS_APPROVE
            && !decision.allowed
            && access.holds(caps::PORTAL_ACCESS)
            && super::policies::reads_policies(&*tx, &catalog, &self.ctx, &account).is_ok()
        {
            approver_of = tx
                .policies_in(account.id)?
                .into_iter()
                .filter(|p| p.enabled && p.approvers.contains(&access.membership.person_id))
                .map(|p| p.name)
                .collect();
        }
        Ok(CanView {
            email: email.to_string(),
            account: account.name,
            capability: cap.to_string(),
            allowed: decision.allowed,
            reason: decision.reason,
            until: access.held_until(&*tx, cap, self.ctx.now)?,
            at: None,
            approver_of,
        })
    }
}

/// Says whether the pending invitation a view shows has expired at `now`,
/// for `user show` and `user list` alike: at its very moment it has, as
/// `user accept` refuses it then.
fn mark_invitation_expiry(view: &mut MemberView, now: Timestamp) {
    view.invitation_expired = view.invitation_expires_at.map(|at| at <= now);
}

fn wrong_state(e: &Edit<'_, '_>, what: &str) -> Error {
    Error::conflict(format!(
        "`{}` {what} in `{}`",
        e.person.email, e.account.name
    ))
}

/// The member's access, if the actor may look: themselves, or with
/// `users.view` in the account.
pub(super) fn visible_member<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    ctx: &Ctx,
    email: &Email,
    account: Option<&str>,
) -> Result<(Access<'c>, Account)> {
    // Members may look at themselves while they have access at all: one
    // who has left or is blocked reads nothing, not even that.
    let needs = match &ctx.actor {
        Actor::Member(me) if me == email => caps::PORTAL_ACCESS,
        _ => caps::USERS_VIEW,
    };
    let sees = holds_need(tx, catalog, ctx, needs);
    let account = resolve_account(tx, ctx, account, Some(email), &sees)?;
    sees(&account)?;
    let (_, membership) = member_in(tx, ctx, email, &account)?;
    Ok((
        Access::of(tx, catalog, &account, membership, ctx.now)?,
        account,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{email, join, seeded};
    use super::super::InviteRequest;
    use super::*;

    /// A departure told where services go says what went even when
    /// nothing was assigned: an empty list, and whom they were for.
    #[test]
    fn a_handover_of_no_services_answers_with_none() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "user");
        join(&mut p, "ned@acme.test", "user");
        let ann = email("ann@acme.test");
        let to = Handover::ReassignTo(email("ned@acme.test"));
        let gone = p.deactivate(&ann, None, &to).expect("deactivate");
        assert_eq!(gone.services_handed_over, Some(Vec::new()));
        assert_eq!(
            gone.services_reassigned_to.as_deref(),
            Some("ned@acme.test")
        );
        p.activate(&ann, None).expect("activate");
        let gone = p
            .deactivate(&ann, None, &Handover::Refuse)
            .expect("deactivate");
        assert_eq!(gone.services_handed_over, None);
    }

    /// A time-bound role lapses back to the role held for good, so that
    /// role cannot be given an end: `set-role` to it with `until` is
    /// refused (exit 4) and changes nothing, whether it is held now or
    /// after a time-bound one. Of a role held for a while, it moves the end.
    #[test]
    fn the_role_held_for_good_cannot_be_given_an_end() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "user");
        let ann = email("ann@acme.test");
        let until = p.now().plus(chrono::Duration::days(1)).expect("a time");
        let later = p.now().plus(chrono::Duration::days(2)).expect("a time");
        let err = p
            .set_role(&ann, "user", None, Some(until))
            .expect_err("held for good");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(err.to_string().contains("holds `user` for good"), "{err}");
        let shown = p.member_show(&ann, None).expect("show");
        assert_eq!((shown.role.as_str(), shown.role_until), ("user", None));
        p.set_role(&ann, "manager", None, Some(until))
            .expect("for a while");
        let err = p
            .set_role(&ann, "user", None, Some(later))
            .expect_err("the role after");
        assert_eq!(err.exit_code(), 4, "{err}");
        let moved = p
            .set_role(&ann, "manager", None, Some(later))
            .expect("a new end");
        assert_eq!(moved.role_until, Some(later));
        assert_eq!(moved.role_after.as_deref(), Some("user"));
    }

    /// `can` tells a member whose invitation was revoked as `user show`
    /// shows them, revoked, and so does `can --at` a moment after.
    #[test]
    fn can_tells_a_revoked_invitee_as_revoked() {
        let mut p = seeded("portal");
        p.invite(&InviteRequest {
            email: Some(email("ivy@acme.test")),
            role: Some("user".into()),
            ..InviteRequest::default()
        })
        .expect("invite");
        let pending = p
            .can(&email("ivy@acme.test"), caps::PORTAL_ACCESS, None)
            .expect("can");
        assert!(pending.reason.contains("is invited"), "{}", pending.reason);
        p.revoke_invite(&email("ivy@acme.test"), None)
            .expect("revoke");
        let now = p
            .can(&email("ivy@acme.test"), caps::PORTAL_ACCESS, None)
            .expect("can");
        assert!(!now.allowed);
        assert!(
            now.reason.starts_with("the invitation was revoked"),
            "{}",
            now.reason
        );
        let then = p
            .can_at(
                &email("ivy@acme.test"),
                caps::PORTAL_ACCESS,
                None,
                p.ctx.now,
            )
            .expect("can --at");
        assert_eq!(then.reason, now.reason);
    }

    /// An address in no account is "not found" wherever it is asked of:
    /// with several accounts, no `--account` would find it, so the
    /// refusal does not ask for one. To a member it reads the same for
    /// someone of an account whose users they may not see.
    #[test]
    fn someone_in_no_account_is_not_found_rather_than_asked_for_an_account() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "admin");
        super::super::testing::add_account(
            &mut p,
            "Beta",
            crate::model::AccountKind::Partner,
            None,
        );
        let asked = |p: &mut Portal, who: &str| {
            let err = p
                .can(&email(who), caps::PORTAL_ACCESS, None)
                .expect_err("nobody");
            (err.exit_code(), err.to_string())
        };
        assert_eq!(
            asked(&mut p, "nobody@x.test"),
            (
                3,
                "`nobody@x.test` is not a member of any account".to_string()
            )
        );
        // Ann of Acme alone: the account is hers to assume.
        p.ctx.actor = super::super::Actor::Member(email("ann@acme.test"));
        assert_eq!(
            asked(&mut p, "nobody@x.test"),
            (3, "`nobody@x.test` is not a member of `Acme`".to_string())
        );
        // Invited to Beta too, she holds nothing there yet: Acme is still
        // the account meant, and Beta's owner reads to her as nobody does.
        p.ctx.actor = super::super::Actor::Operator("root".into());
        for (who, account) in [("ann@acme.test", "Beta"), ("bob@beta.test", "Beta")] {
            p.invite(&InviteRequest {
                email: Some(email(who)),
                role: Some("user".into()),
                account: Some(account.into()),
                ..InviteRequest::default()
            })
            .expect("invite");
        }
        p.ctx.actor = super::super::Actor::Member(email("ann@acme.test"));
        for who in ["nobody@x.test", "bob@beta.test"] {
            assert_eq!(
                asked(&mut p, who),
                (3, format!("`{who}` is not a member of `Acme`"))
            );
        }
        // Seeing the users of a second account, she has two to look in.
        p.ctx.actor = super::super::Actor::Operator("root".into());
        super::super::testing::add_account(
            &mut p,
            "Gamma",
            crate::model::AccountKind::Customer,
            None,
        );
        super::super::testing::join_in(&mut p, "ann@acme.test", "admin", Some("Gamma"));
        p.ctx.actor = super::super::Actor::Member(email("ann@acme.test"));
        for who in ["nobody@x.test", "bob@beta.test"] {
            assert_eq!(
                asked(&mut p, who),
                (
                    3,
                    format!("`{who}` is not a member of any account whose users you may see")
                )
            );
        }
    }

    /// `days` after the test clock.
    fn days(p: &Portal, days: i64) -> Timestamp {
        p.ctx
            .now
            .plus(chrono::Duration::days(days))
            .expect("a time")
    }

    fn acting(p: &mut Portal, who: &str) {
        p.ctx.actor = super::super::Actor::Member(email(who));
    }

    /// A member gives only what they hold, for as long as they hold it.
    /// Each of these gives, at a later moment, what the giver does not
    /// hold then, which a check made only now let through: a time-bound
    /// role or grant lengthened or made lasting, a role that lapses to a
    /// higher one, and a lasting role given by someone whose own ends.
    #[test]
    fn a_member_gives_nothing_beyond_what_they_hold_or_for_longer() {
        let mut p = seeded("portal");
        join(&mut p, "max@acme.test", "manager");
        join(&mut p, "bob@acme.test", "user");
        let (soon, later) = (days(&p, 1), days(&p, 30));
        // Max is an admin until tomorrow, then a manager again.
        p.set_role(&email("max@acme.test"), "admin", None, Some(soon))
            .expect("admin until tomorrow");
        acting(&mut p, "max@acme.test");
        let refused = |r: Result<MemberView>| {
            let err = r.expect_err("refused");
            assert_eq!(err.exit_code(), 5, "{err}");
            assert!(
                err.to_string().contains(&format!(
                    "from {soon} it includes capabilities they do not hold then"
                )),
                "{err}"
            );
        };
        // Making his own admin role last, or last longer.
        refused(p.set_role(&email("max@acme.test"), "admin", None, None));
        refused(p.set_role(&email("max@acme.test"), "admin", None, Some(later)));
        // Making Bob an admin for good, or past tomorrow.
        refused(p.set_role(&email("bob@acme.test"), "admin", None, None));
        refused(p.set_role(&email("bob@acme.test"), "admin", None, Some(later)));
        // A role that becomes admin once a lesser one lapses.
        refused(p.set_role_lapsing(
            &email("bob@acme.test"),
            "user",
            None,
            soon,
            "admin",
            &Handover::Refuse,
        ));
        // Until tomorrow, as long as he holds it himself, he may.
        let bob = p
            .set_role(&email("bob@acme.test"), "admin", None, Some(soon))
            .expect("admin until tomorrow");
        assert_eq!(bob.role, "admin");
        // Ending his own admin role sooner gives nothing.
        let hour = p.ctx.now.plus(chrono::Duration::hours(1)).expect("a time");
        p.set_role(&email("max@acme.test"), "admin", None, Some(hour))
            .expect("ended sooner");
    }

    /// A grant lengthened is a grant given for the added time: refused
    /// to a member who holds none of it, as the grant itself is.
    /// A member whose own access is time-bound may take a role away for
    /// a while from someone who holds a higher one for good, and that
    /// the role held for good comes back sooner gives nothing: the same
    /// end state is accepted whichever order its ends were set in.
    #[test]
    fn the_same_time_bound_demotion_is_judged_alike_in_either_order() {
        let (mid, later) = (10, 30);
        let end_state = |steps: &[i64]| {
            let mut p = seeded("portal");
            join(&mut p, "max@acme.test", "manager");
            join(&mut p, "bob@acme.test", "admin");
            // Max is an admin until tomorrow, then a manager again.
            let soon = days(&p, 1);
            p.set_role(&email("max@acme.test"), "admin", None, Some(soon))
                .expect("admin until tomorrow");
            acting(&mut p, "max@acme.test");
            for &d in steps {
                let until = days(&p, d);
                p.set_role(&email("bob@acme.test"), "user", None, Some(until))
                    .unwrap_or_else(|e| panic!("user until day {d} after {steps:?}: {e}"));
            }
            let bob = p.member_show(&email("bob@acme.test"), None).expect("bob");
            (bob.role, bob.role_until, bob.role_after)
        };
        // The shorter end last, as asked at once.
        assert_eq!(end_state(&[later, mid]), end_state(&[mid]));
        // The longer end last, as asked at once.
        assert_eq!(end_state(&[mid, later]), end_state(&[later]));
    }

    #[test]
    fn a_time_bound_grant_lengthened_or_made_lasting_is_given_anew() {
        let mut p = super::super::testing::ann_administers_the_customer_area();
        join(&mut p, "bob@acme.test", "member");
        let (soon, later) = (days(&p, 1), days(&p, 30));
        p.grant(
            &email("bob@acme.test"),
            &["domains".into()],
            None,
            Some(soon),
        )
        .expect("domains until tomorrow");
        acting(&mut p, "ann@acme.test");
        let refused = |r: Result<MemberView>| {
            let err = r.expect_err("refused");
            assert_eq!(err.exit_code(), 5, "{err}");
            assert!(err.to_string().contains(&format!("from {soon}")), "{err}");
        };
        let domains = ["domains".to_string()];
        refused(p.grant(&email("bob@acme.test"), &domains, None, Some(later)));
        refused(p.grant_lapsing(&email("bob@acme.test"), &domains, None, later));
        // Shortening it takes away; that she may.
        let hour = p.ctx.now.plus(chrono::Duration::hours(1)).expect("a time");
        p.grant_lapsing(&email("bob@acme.test"), &["domains".into()], None, hour)
            .expect("shortened");
    }

    /// No role lapses to the owner's: it would hand the ownership's role
    /// to someone who does not own the account, with nobody giving it.
    #[test]
    fn no_role_lapses_to_the_owners_role() {
        let mut p = seeded("customer-area");
        join(&mut p, "bob@acme.test", "member");
        let soon = days(&p, 1);
        let err = p
            .set_role_lapsing(
                &email("bob@acme.test"),
                "member",
                None,
                soon,
                "owner",
                &Handover::Refuse,
            )
            .expect_err("refused");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(err.to_string().contains("no role lapses to it"), "{err}");
    }

    /// The emails of each page `filter` lists, as handed over.
    fn pages(p: &mut Portal, filter: &MemberFilter) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        p.member_pages(filter, &mut |page| {
            pages.push(page.iter().map(|v| v.email.clone()).collect());
            Ok(())
        })
        .expect("list");
        pages
    }

    /// `owner@acme.test` and five users joined out of order.
    fn seven_members() -> Portal {
        let mut p = seeded("portal");
        for who in ["dan", "bea", "eve", "cal", "ann", "fay"] {
            join(&mut p, &format!("{who}@acme.test"), "user");
        }
        p
    }

    const ALL: [&str; 7] = [
        "ann@acme.test", "bea@acme.test", "cal@acme.test", "dan@acme.test", "eve@acme.test",
        "fay@acme.test", "owner@acme.test",
    ];

    #[test]
    fn a_list_of_several_pages_gives_every_member_once_in_order() {
        let mut p = seven_members();
        let pages = pages(&mut p, &MemberFilter::default());
        assert!(pages.len() > 1, "{pages:?} crosses pages");
        assert!(
            pages
                .iter()
                .all(|page| !page.is_empty() && page.len() <= MEMBER_PAGE),
            "{pages:?}"
        );
        assert_eq!(pages.concat(), ALL);
    }

    #[test]
    fn limit_takes_the_first_in_order_across_pages() {
        let mut p = seven_members();
        for n in [0, 1, 2, 3, 5, 7, 9] {
            let listed = pages(
                &mut p,
                &MemberFilter {
                    limit: Some(n),
                    ..MemberFilter::default()
                },
            )
            .concat();
            let n = usize::try_from(n).expect("small").min(ALL.len());
            assert_eq!(listed, ALL[..n], "--limit {n}");
        }
        // `deactivated`, told apart from `revoked` by the query, stops
        // at the limit too.
        for who in ["bea", "cal", "dan", "eve"] {
            p.deactivate(&email(&format!("{who}@acme.test")), None, &Handover::Refuse)
                .expect("deactivate");
        }
        let deactivated = |limit| MemberFilter {
            limit,
            status: Some(MemberStanding::Deactivated),
            ..MemberFilter::default()
        };
        assert_eq!(
            pages(&mut p, &deactivated(Some(3))).concat(),
            ["bea@acme.test", "cal@acme.test", "dan@acme.test"]
        );
        assert_eq!(pages(&mut p, &deactivated(None)).concat().len(), 4);
        let active = pages(
            &mut p,
            &MemberFilter {
                limit: Some(2),
                status: Some(MemberStanding::Active),
                ..MemberFilter::default()
            },
        );
        assert_eq!(active.concat(), ["ann@acme.test", "fay@acme.test"]);
    }

    /// The emails `user list --account ACCOUNT --can CAP` lists.
    fn holders_of(p: &mut Portal, account: &str, cap: Capability) -> Vec<String> {
        p.member_list(&MemberFilter {
            account: Some(account.into()),
            can: Some(cap),
            ..MemberFilter::default()
        })
        .expect("list --can")
        .into_iter()
        .map(|v| v.email)
        .collect()
    }

    /// For every capability of the catalog, `user list --can` lists in
    /// `account` exactly the members for whom `can` says yes, in the
    /// list's order.
    fn the_list_agrees_with_can(p: &mut Portal, account: &str) {
        let everyone: Vec<String> = p
            .member_list(&MemberFilter {
                account: Some(account.into()),
                ..MemberFilter::default()
            })
            .expect("list")
            .into_iter()
            .map(|v| v.email)
            .collect();
        for cap in Capability::all() {
            let mut yes = Vec::new();
            for who in &everyone {
                if p.can(&email(who), cap, Some(account)).expect("can").allowed {
                    yes.push(who.clone());
                }
            }
            assert_eq!(holders_of(p, account, cap), yes, "--can {cap} in {account}");
        }
    }

    /// Roles `approver` (orders.approve) and `user`, the area `finance`
    /// (orders.approve) and single capabilities granted on top.
    const APPROVALS: &str = r#"{"name": "approvals", "title": "t", "owner_role": "admin",
        "grants": "capabilities",
        "roles": [
            {"name": "admin", "description": "d", "all_capabilities": true},
            {"name": "approver", "description": "d", "capabilities": ["account.view", "orders.approve"]},
            {"name": "user", "description": "d", "capabilities": ["account.view", "tickets.raise"]},
            {"name": "no-access", "description": "d", "blocking": true}
        ],
        "grant_bundles": [
            {"name": "finance", "description": "d", "capabilities": ["billing.view", "orders.approve"]}
        ]}"#;

    /// `user list --can` is `can` asked of every member: by role, by
    /// area, by a single grant, by a time-bound role, by the role a
    /// time-bound one lapsed back to, and not by a lapsed grant or role,
    /// nor for anyone blocked, deactivated, invited or gone; checked for
    /// every capability, now and once the time-bound access has lapsed.
    #[test]
    fn a_list_of_who_can_is_exactly_who_can_says_yes_to() {
        let mut p = super::super::testing::portal(super::super::Actor::Operator("root".into()));
        p.init(super::super::InitRequest {
            preset: super::super::Preset::from_json(APPROVALS, "approvals.json").expect("preset"),
            account: "Acme".into(),
            kind: None,
            currency: None,
            owner_email: email("owner@acme.test"),
            owner_name: crate::domain::OwnerName::FromEmail,
            owner_location: super::super::testing::london(),
        })
        .expect("init");
        for (who, role) in [
            ("ada", "approver"),
            ("fin", "user"),
            ("gus", "user"),
            ("tia", "user"),
            ("lou", "approver"),
            ("lap", "user"),
            ("blk", "user"),
            ("dee", "approver"),
            ("lef", "approver"),
            ("una", "user"),
        ] {
            join(&mut p, &format!("{who}@acme.test"), role);
        }
        let at = |who: &str| email(&format!("{who}@acme.test"));
        let grant = |p: &mut Portal, who: &str, what: &str, until| {
            p.grant(&at(who), &[what.into()], None, until)
                .expect("grant");
        };
        let tomorrow = days(&p, 1);
        grant(&mut p, "fin", "finance", None);
        grant(&mut p, "gus", "orders.approve", None);
        grant(&mut p, "lap", "orders.approve", Some(tomorrow));
        grant(&mut p, "blk", "orders.approve", None);
        p.set_role(&at("tia"), "approver", None, Some(tomorrow))
            .expect("approver until tomorrow");
        p.set_role(&at("lou"), "user", None, Some(tomorrow))
            .expect("user until tomorrow");
        p.set_role(&at("blk"), "no-access", None, None)
            .expect("blocked");
        p.deactivate(&at("dee"), None, &Handover::Refuse)
            .expect("deactivate");
        p.left_company(&at("lef"), None, &Handover::Refuse)
            .expect("left");
        p.invite(&InviteRequest {
            email: Some(at("ivy")),
            role: Some("approver".into()),
            ..InviteRequest::default()
        })
        .expect("invite");
        assert_eq!(
            holders_of(&mut p, "Acme", caps::ORDERS_APPROVE),
            ["ada", "fin", "gus", "lap", "owner", "tia"].map(|w| format!("{w}@acme.test")),
        );
        the_list_agrees_with_can(&mut p, "Acme");
        // Tomorrow: tia's role and lap's grant have lapsed, lou's approver
        // role is back.
        p.ctx.now = tomorrow;
        assert_eq!(
            holders_of(&mut p, "Acme", caps::ORDERS_APPROVE),
            ["ada", "fin", "gus", "lou", "owner"].map(|w| format!("{w}@acme.test")),
        );
        the_list_agrees_with_can(&mut p, "Acme");
    }

    /// External admins count in the customer as their role there gives,
    /// while their access lasts.
    #[test]
    fn a_list_of_who_can_counts_external_admins_while_their_access_lasts() {
        let mut p = seeded("msp");
        join(&mut p, "ada@acme.test", "msp-administrator");
        join(&mut p, "uma@acme.test", "msp-administrator");
        super::super::testing::add_account(
            &mut p,
            "Client Co",
            crate::model::AccountKind::Customer,
            Some("Acme"),
        );
        let tomorrow = days(&p, 1);
        p.external_admin_add(
            "Client Co",
            &email("ada@acme.test"),
            "msp-administrator",
            None,
        )
        .expect("ada for good");
        p.external_admin_add(
            "Client Co",
            &email("uma@acme.test"),
            "msp-administrator",
            Some(tomorrow),
        )
        .expect("uma until tomorrow");
        let manage = holders_of(&mut p, "Client Co", caps::USERS_MANAGE);
        assert!(manage.contains(&"ada@acme.test".to_string()), "{manage:?}");
        assert!(manage.contains(&"uma@acme.test".to_string()), "{manage:?}");
        the_list_agrees_with_can(&mut p, "Client Co");
        the_list_agrees_with_can(&mut p, "Acme");
        p.ctx.now = tomorrow;
        let manage = holders_of(&mut p, "Client Co", caps::USERS_MANAGE);
        assert!(!manage.contains(&"uma@acme.test".to_string()), "{manage:?}");
        the_list_agrees_with_can(&mut p, "Client Co");
    }

    /// `--expired` lists those invited whose invitation has expired, each
    /// saying so as `user show` does; another status with it is refused.
    #[test]
    fn expired_lists_the_invitations_to_resend() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "user");
        for (who, hours) in [("bea", 1), ("cal", 48), ("dan", 2)] {
            p.invite(&InviteRequest {
                email: Some(email(&format!("{who}@acme.test"))),
                role: Some("user".into()),
                expires_in: Some(chrono::Duration::hours(hours)),
                ..InviteRequest::default()
            })
            .expect("invite");
        }
        p.ctx.now = p.ctx.now.plus(chrono::Duration::hours(2)).expect("later");
        let expired = |limit| MemberFilter {
            expired: true,
            limit,
            ..MemberFilter::default()
        };
        let listed = p.member_list(&expired(None)).expect("list");
        let seen: Vec<(&str, Option<bool>)> = listed
            .iter()
            .map(|v| (v.email.as_str(), v.invitation_expired))
            .collect();
        // Dan's expires at this very second: expired, as accepting refuses it.
        assert_eq!(
            seen,
            [("bea@acme.test", Some(true)), ("dan@acme.test", Some(true))]
        );
        assert_eq!(pages(&mut p, &expired(Some(1))).concat(), ["bea@acme.test"]);
        // The whole list says it of every invitee, and of nobody else.
        for view in p.member_list(&MemberFilter::default()).expect("list") {
            let shown = p.member_show(&email(&view.email), None).expect("show");
            assert_eq!(
                (view.invitation_expires_at, view.invitation_expired),
                (shown.invitation_expires_at, shown.invitation_expired),
                "{}",
                view.email
            );
        }
        let err = p
            .member_list(&MemberFilter {
                status: Some(MemberStanding::Active),
                ..expired(None)
            })
            .expect_err("refused");
        assert_eq!(err.exit_code(), 2, "{err}");
    }

    /// A named approver is answered no for `orders.approve`, as they do
    /// not hold it, and told which policies they decide all the same;
    /// a disabled policy, and one naming someone else, are not among them.
    #[test]
    fn can_says_which_policies_a_named_approver_decides() {
        use crate::model::{Money, Text};
        let mut p = seeded("portal");
        join(&mut p, "fin@acme.test", "manager");
        let policy = |name: &str, approvers: Vec<Email>| super::super::NewPolicy {
            name: name.parse::<Text>().expect("name"),
            threshold: Money::from_minor(5_000),
            approvers,
            ..super::super::NewPolicy::default()
        };
        p.policy_create(&policy("Finance", vec![email("fin@acme.test")]))
            .expect("policy");
        p.policy_create(&policy("Old", vec![email("fin@acme.test")]))
            .expect("policy");
        p.policy_set_enabled("Old", false, None).expect("disable");
        p.policy_create(&policy("Anyone", Vec::new()))
            .expect("policy");
        let fin = p
            .can(&email("fin@acme.test"), caps::ORDERS_APPROVE, None)
            .expect("can");
        assert!(!fin.allowed);
        assert_eq!(fin.approver_of, ["Finance"]);
        // The owner holds it: nothing more to say.
        let owner = p
            .can(&email("owner@acme.test"), caps::ORDERS_APPROVE, None)
            .expect("can");
        assert!(owner.allowed && owner.approver_of.is_empty(), "{owner:?}");
        // Only to whoever may read the account's policies (`policy
        // list`): a portal user, who sees only the services assigned to
        // her, is told no names, not even of those naming her (findings
        // N11); an admin reads them.
        join(&mut p, "una@acme.test", "user");
        join(&mut p, "ada@acme.test", "admin");
        p.policy_create(&policy("Board", vec![email("una@acme.test")]))
            .expect("policy");
        let una = email("una@acme.test");
        let as_operator = p.can(&una, caps::ORDERS_APPROVE, None).expect("can");
        assert_eq!(as_operator.approver_of, ["Board"]);
        for (reader, sees) in [("una@acme.test", false), ("ada@acme.test", true)] {
            p.ctx.actor = Actor::Member(email(reader));
            assert_eq!(p.policy_list(None, None).is_ok(), sees, "{reader}");
            let answer = p.can(&una, caps::ORDERS_APPROVE, None).expect("can");
            assert_eq!(answer.approver_of.is_empty(), !sees, "{reader}: {answer:?}");
        }
    }

    /// Findings A#17: the warnings of a change that leaves orders short
    /// of approvers named each pending order, its policy and how far it
    /// was from approval, to an HR admin who may see no orders. They get
    /// the policy lines and how many orders; whoever sees the orders gets
    /// each.
    #[test]
    fn shortfall_warnings_name_orders_only_to_who_sees_them() {
        use crate::domain::{NewOrder, NewPolicy};
        let mut p = seeded("portal");
        join(&mut p, "fin@acme.test", "admin");
        join(&mut p, "ann@acme.test", "manager");
        join(&mut p, "ada@acme.test", "admin");
        p.role_create(
            "hr",
            &[
                caps::PORTAL_ACCESS,
                caps::ACCOUNT_VIEW,
                caps::USERS_VIEW,
                caps::USERS_MANAGE,
            ],
            &crate::model::Text::default(),
            Some("Acme"),
        )
        .expect("role");
        p.policy_create(&NewPolicy {
            approvers: vec![email("fin@acme.test")],
            ..super::super::testing::policy_over("Fin signs", "50.00")
        })
        .expect("policy");
        p.ctx.actor = Actor::Member(email("ann@acme.test"));
        let id = p
            .order_place(&NewOrder {
                description: "Router".into(),
                amount: "60.00".parse().expect("amount"),
                ..NewOrder::default()
            })
            .expect("order")
            .id;
        p.ctx.actor = Actor::Operator("root".into());
        p.set_role(&email("ada@acme.test"), "hr", None, None)
            .expect("hr");
        let fin = email("fin@acme.test");
        let deactivate = |p: &mut Portal| {
            p.take_warnings();
            p.deactivate(&fin, None, &Handover::Refuse)
                .expect("deactivate");
            let said = p.take_warnings().join("\n");
            p.ctx.actor = Actor::Operator("root".into());
            p.activate(&fin, None).expect("activate");
            said
        };
        p.ctx.actor = Actor::Member(email("ada@acme.test"));
        let said = deactivate(&mut p);
        assert!(said.contains("policy `Fin signs`"), "{said}");
        assert!(!said.contains(&format!("order {id}")), "{said}");
        assert!(
            said.contains("1 pending order in `Acme` that you cannot see is left short"),
            "{said}"
        );
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let said = deactivate(&mut p);
        assert!(said.contains(&format!("order {id} in `Acme`")), "{said}");
        assert!(!said.contains("cannot see"), "{said}");
    }

    /// Findings B6: the owner asked the role they hold is left as they
    /// are, as any member is (no change, no event); any other role, or
    /// theirs for a while, is still refused.
    #[test]
    fn the_owner_given_the_role_they_hold_is_left_as_they_are() {
        let mut p = seeded("portal");
        let owner = email("owner@acme.test");
        let events = |p: &mut Portal| {
            p.audit_events(&super::super::AuditFilter::default())
                .expect("audit")
                .len()
        };
        let before = events(&mut p);
        let view = p.set_role(&owner, "admin", None, None).expect("a no-op");
        assert_eq!(view.role, "admin");
        assert_eq!(events(&mut p), before);
        let err = p
            .set_role(&owner, "user", None, None)
            .expect_err("another role");
        assert_eq!(err.exit_code(), 4, "{err}");
        let soon = p.now().plus(chrono::Duration::days(2)).expect("soon");
        let err = p
            .set_role(&owner, "admin", None, Some(soon))
            .expect_err("an end");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert_eq!(events(&mut p), before);
    }
}
