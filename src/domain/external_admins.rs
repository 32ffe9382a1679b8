//! External administrators: a member of a partner given a role on one of
//! the partner's customer accounts by whoever holds
//! `external_admins.manage` there: an MSP administrator of the partner, or,
//! as seed 002's steps 1-6 do it, someone logged in to the customer's own
//! console (its login, or an external admin already given a role with that
//! capability). They use their existing login: the
//! membership is active at once and records the partner in
//! `external_from`.
//!
//! Their access lasts only while they are an active member of the partner:
//! when they are deactivated in it, leave it, or are given its blocking
//! role, their external memberships end (status `deactivated`) in the same
//! transaction, so that nobody keeps a customer's access after leaving.
//! That is refused only where it would end the access of a customer's
//! owner: the owner's membership stays active, whichever command would
//! end it, and may not end by itself either (`--until`), which the gate's
//! review holds every write to; ownership of the customer moves first. If it
//! leaves a customer with no active member holding `users.manage`, the
//! change says so (`external_ended[].left_without_admin`, in the output and
//! the audit event), and the partner's `external_admins.manage` holders can
//! add another external admin, since that right comes from the partner. An
//! explicit `external-admin remove`, by contrast, keeps the rule and is
//! refused for a customer's last admin.

use super::access::{another_admin, authority, authorize, caps, Access};
use super::gate::Write;
use super::{find_customer_reached, member_in, member_view, standing, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, AccountKind, Email, MemberStatus, Membership, Paste, Timestamp};
use crate::store::Tx;
use crate::view::{ExternalEndedView, MemberView};

/// The customer account named and the partner it belongs to.
fn customer_and_partner(tx: &dyn Tx, ctx: &Ctx, name: &str) -> Result<(Account, Account)> {
    let customer = find_customer_reached(tx, ctx, name, &[caps::EXTERNAL_ADMINS_MANAGE.into()])?;
    match (customer.kind, customer.parent_id) {
        (AccountKind::Customer, Some(parent)) => {
            let partner = tx.account(parent)?;
            Ok((customer, partner))
        }
        (AccountKind::Customer, None) => Err(Error::invalid(format!(
            "`{}` has no parent partner, so it can have no external admins",
            customer.name
        ))),
        (AccountKind::Partner, _) => Err(Error::invalid(format!(
            "`{}` is a partner; external admins are added to customer accounts",
            customer.name
        ))),
    }
}

/// Refuses unless the actor holds `external_admins.manage` in the partner
/// or in the customer. The refusal is the customer's when the actor is a
/// member of it, else the partner's, so it names where they stand.
fn ensure_may_manage(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    customer: &Account,
    partner: &Account,
    action: &'static str,
) -> Result<()> {
    let need = caps::EXTERNAL_ADMINS_MANAGE.to(action);
    let refusal = match authorize(tx, catalog, ctx, partner, need) {
        Ok(_) => return Ok(()),
        Err(e @ Error::Denied(_)) => e,
        Err(e) => return Err(e),
    };
    match authority(tx, catalog, ctx, customer) {
        Ok(_) => authorize(tx, catalog, ctx, customer, need).map(|_| ()),
        Err(Error::Denied(_)) => Err(refusal),
        Err(e) => Err(e),
    }
}

/// Whether the actor may see a customer's external admins: an MSP
/// administrator of its partner, or a member of the customer who manages
/// its external admins or may view its users.
fn may_see(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    customer: &Account,
    partner: &Account,
) -> Result<bool> {
    for (account, cap) in [
        (partner, caps::EXTERNAL_ADMINS_MANAGE),
        (customer, caps::EXTERNAL_ADMINS_MANAGE),
        (customer, caps::USERS_VIEW),
    ] {
        match authority(tx, catalog, ctx, account) {
            Ok(who) if who.holds(cap) => return Ok(true),
            Ok(_) | Err(Error::Denied(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// Whether the actor holds `external_admins.manage` in some partner.
fn manages_a_partner(tx: &dyn Tx, catalog: &Catalog, ctx: &Ctx) -> Result<bool> {
    for account in tx.accounts()? {
        if account.kind != AccountKind::Partner {
            continue;
        }
        match authority(tx, catalog, ctx, &account) {
            Ok(who) if who.holds(caps::EXTERNAL_ADMINS_MANAGE) => return Ok(true),
            Ok(_) | Err(Error::Denied(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// Ends every active external membership that `home`'s holder has from
/// `partner` and that `home` no longer backs: all of them once they are no
/// longer an active member of it with access, else those whose role on the
/// customer gives what `home` no longer holds (a partner administrator
/// made a user; the gate refuses an external admin holding more on a
/// customer than in the partner). Each with its customer, by name. Runs in
/// the caller's transaction: each ended access is an event in its
/// customer's log, beside the caller's own.
pub(super) fn end_external_access(
    w: &Write<'_>,
    partner: &Account,
    home: &Membership,
) -> Result<Vec<(Account, ExternalEndedView)>> {
    let (tx, catalog, now) = (w.tx, w.catalog()?, w.ctx.now);
    let person_id = home.person_id;
    let held = match home.status {
        MemberStatus::Active => Some(Access::of(tx, catalog, partner, home.clone(), now)?),
        _ => None,
    }
    .filter(|h| h.holds(caps::PORTAL_ACCESS));
    let mut ended = Vec::new();
    for mut m in tx.memberships_of(person_id)? {
        if m.external_from != Some(partner.id) || m.status != MemberStatus::Active {
            continue;
        }
        let customer = tx.account(m.account_id)?;
        let there = Access::of(tx, catalog, &customer, m.clone(), now)?;
        if let Some(held) = &held {
            if held.uncovered(&there).is_empty() {
                // Backed now, but perhaps only until a partner role or
                // grant lapses: the access ends then too, as a demotion
                // ends it now, rather than the shorter role be refused.
                if let Some(cut) = first_unbacked(w, partner, home, &customer, &m)? {
                    let before = member_view(tx, &w.ctx, catalog, &m)?;
                    m.external_until = Some(cut);
                    m.updated_at = now;
                    tx.update_membership(&m)?;
                    // As `external-admin add --until` records an end; the
                    // access is not ended now, so not in `external_ended`.
                    w.member_changed(
                        "external_admin.add",
                        &customer,
                        Some(&before),
                        &member_view(tx, &w.ctx, catalog, &m)?,
                    )?;
                }
                continue;
            }
        }
        let held_admin = there.holds(caps::USERS_MANAGE);
        let before = member_view(tx, &w.ctx, catalog, &m)?;
        m.status = MemberStatus::Deactivated;
        m.updated_at = now;
        tx.update_membership(&m)?;
        // The customer's log says so too, as `external-admin remove` does:
        // its auditors read their own account's events.
        w.member_changed(
            "external_admin.remove",
            &customer,
            Some(&before),
            &member_view(tx, &w.ctx, catalog, &m)?,
        )?;
        // Nobody in the partner may say where the customer's services go
        // (its members may not even see them), and refusing would let a
        // customer keep the partner from cutting off its own staff: they
        // are unassigned, in the customer's log, for its admins to give
        // out again.
        let services_unassigned = super::services::unassign_all(w, &customer, &m)?;
        w.may_leave_without_admin(&customer);
        let left_without_admin = held_admin && !another_admin(tx, catalog, &customer, m.id, now)?;
        let view = ExternalEndedView {
            customer: customer.name.clone(),
            role: catalog.role(tx, m.role_id)?.name.clone(),
            left_without_admin,
            services_unassigned,
        };
        ended.push((customer, view));
    }
    ended.sort_by(|a, b| a.1.customer.cmp(&b.1.customer));
    Ok(ended)
}

/// The first moment before the external membership `m` ends at which
/// `home` in `partner` no longer holds all it gives on `customer` (a
/// partner role or grant lapsing sooner); `None` when it backs it
/// throughout.
fn first_unbacked(
    w: &Write<'_>,
    partner: &Account,
    home: &Membership,
    customer: &Account,
    m: &Membership,
) -> Result<Option<Timestamp>> {
    let (tx, catalog, now) = (w.tx, w.catalog()?, w.ctx.now);
    let (home_grants, grants) = (tx.grants(home.id)?, tx.grants(m.id)?);
    let mut moments: Vec<Timestamp> = home
        .lapses(&home_grants)
        .chain(m.lapses(&grants))
        .filter(|at| *at > now && m.external_until.is_none_or(|end| *at < end))
        .collect();
    moments.sort_unstable();
    moments.dedup();
    for at in moments {
        let given = Access::of(tx, catalog, customer, m.clone().in_force(at), at)?;
        let held = Access::of(tx, catalog, partner, home.clone().in_force(at), at)?;
        if !held.uncovered(&given).is_empty() {
            return Ok(Some(at));
        }
    }
    Ok(None)
}

/// Why an external admin may not hold the blocking role `role`.
fn needs_access(role: &str) -> String {
    format!("role `{role}` blocks all access; an external admin needs a role with access")
}

/// An active external admin holds a role with access, whichever write
/// would leave them otherwise (`user set-role`, an ownership transfer's
/// `--former-owner-role`, ...): external access with none is not what
/// `external-admin add` can make, so no file could restore it, and ending
/// it is `external-admin remove`'s, which keeps it as history. Checked by
/// the write gate's review on every membership a write changed.
pub(super) fn ensure_external_admin_keeps_access(
    tx: &dyn Tx,
    catalog: &Catalog,
    m: &Membership,
) -> Result<()> {
    if m.external_from.is_none() || m.status != MemberStatus::Active {
        return Ok(());
    }
    let role = catalog.role(tx, m.role_id)?;
    if !role.blocking {
        return Ok(());
    }
    let (who, customer) = (tx.person(m.person_id)?.email, tx.account(m.account_id)?);
    Err(Error::conflict(format!(
        "`{who}` is an external admin of `{}`: {}",
        customer.name,
        needs_access(&role.name)
    ))
    .help(format!(
        "leave them a role with access; to end their external access instead: `{}`",
        Paste::new("external-admin remove")
            .arg(who)
            .opt("--customer", &customer.name)
    )))
}

/// The one answer to a customer's own admin, who may not see the
/// partner's users, for anyone they cannot make an external admin:
/// invited, gone, never there, or holding less in the partner than the
/// role would give alike, so that trying addresses and roles tells them
/// nothing of who the partner's people are or what each holds.
pub(super) fn not_addable(email: &Email, partner: &str) -> Error {
    Error::not_found(format!(
        "`{email}` is not an active member of `{partner}`; only an active member of the partner can be an external admin"
    ))
}

impl Portal {
    /// Gives an active member of a customer's partner a role on the
    /// customer account. Needs `external_admins.manage` on the partner or
    /// on the customer, and a member may only give a role whose
    /// capabilities they hold there. Adding
    /// someone whose external access ended brings it back; adding them
    /// again with another role changes their role. With `until`, the
    /// access ends by itself at that moment (as `external-admin remove`
    /// would end it); adding again sets or clears that end.
    pub(crate) fn external_admin_add(
        &mut self,
        customer: &str,
        email: &Email,
        role: &str,
        until: Option<Timestamp>,
    ) -> Result<MemberView> {
        if let Some(until) = until {
            super::ensure_future(until, self.now())?;
        }
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let (customer, partner) = customer_and_partner(tx, &w.ctx, customer)?;
            ensure_may_manage(
                tx,
                catalog,
                &w.ctx,
                &customer,
                &partner,
                "add external admins",
            )?;
            let role = catalog.role_in(tx, role, customer.id)?;
            if role.blocking {
                return Err(Error::invalid(needs_access(&role.name))
                    .help("to end someone's external access, use `portalctl external-admin remove`"));
            }
            // A customer's own admin may not see the partner's users: to
            // them anyone who cannot be added is simply not an active
            // member of the partner, whether invited, gone or never there.
            let sees_partners_users = match authority(tx, catalog, &w.ctx, &partner) {
                Ok(who) => who.holds(caps::USERS_VIEW) || who.holds(caps::USERS_MANAGE),
                Err(Error::Denied(_)) => false,
                Err(e) => return Err(e),
            };
            let not_addable = || not_addable(email, &partner.name);
            let found = member_in(tx, &w.ctx, email, &partner);
            let (person, home) = match found {
                Err(Error::NotFound(_) | Error::Conflict(_)) if !sees_partners_users => {
                    return Err(not_addable())
                }
                found => found.map_err(|e| {
                    e.help(format!(
                        "external admins of `{}` come from its partner `{}`",
                        customer.name, partner.name
                    ))
                })?,
            };
            let blocked = catalog.role(tx, home.role_id)?.blocking;
            if (home.status != MemberStatus::Active || blocked) && !sees_partners_users {
                return Err(not_addable());
            }
            if home.status != MemberStatus::Active || blocked {
                let standing = if blocked {
                    "has no access".to_string()
                } else {
                    format!("is {}", home.status)
                };
                return Err(Error::conflict(format!(
                    "`{email}` {standing} in `{}`; only an active member of the partner can be an external admin",
                    partner.name
                )));
            }
            let (membership, before) = match tx.membership_of(person.id, customer.id)? {
                None => {
                    let mut m = Membership {
                        id: 0,
                        person_id: person.id,
                        account_id: customer.id,
                        role_id: role.id,
                        previous_role_id: None,
                        status: MemberStatus::Active,
                        city: home.city.clone(),
                        country: home.country.clone(),
                        timezone: home.timezone.clone(),
                        external_from: Some(partner.id),
                        role_until: None,
                        role_after: None,
                        external_until: until,
                        invited_at: None,
                        accepted_at: Some(w.ctx.now),
                        created_at: w.ctx.now,
                        updated_at: w.ctx.now,
                        invited_name: None,
                        invited_email: None,
                    };
                    m.id = tx.insert_membership(&m)?;
                    (m, None)
                }
                Some(m) if m.external_from != Some(partner.id) => {
                    return Err(Error::conflict(format!(
                        "`{email}` is already a member of `{}` in their own right ({})",
                        customer.name,
                        standing(tx, &m)?
                    ))
                    .help(format!(
                        "change their role with `{}`",
                        Paste::new("user set-role").arg(email).words("ROLE").opt("--account", &customer.name)
                    )));
                }
                Some(m)
                    if m.status == MemberStatus::Active
                        && m.role_id == role.id
                        && m.role_until.is_none()
                        && m.external_until == until =>
                {
                    return Err(Error::conflict(format!(
                        "`{email}` is already an external admin of `{}` with role `{}`",
                        customer.name, role.name
                    )));
                }
                Some(mut m) => {
                    let before_view = member_view(tx, &w.ctx, catalog, &m)?;
                    m.role_id = role.id;
                    m.previous_role_id = None;
                    m.role_until = None;
                    m.role_after = None;
                    m.external_until = until;
                    m.status = MemberStatus::Active;
                    m.updated_at = w.ctx.now;
                    tx.update_membership(&m)?;
                    (m, Some(before_view))
                }
            };
            let after = member_view(tx, &w.ctx, catalog, &membership)?;
            w.member_changed("external_admin.add", &customer, before.as_ref(), &after)?;
            Ok(after)
        })
    }

    /// Ends an external admin's access to a customer (status
    /// `deactivated`); needs `external_admins.manage` on the partner or the
    /// customer. The
    /// customer's last active member holding `users.manage` cannot be
    /// removed this way.
    pub(crate) fn external_admin_remove(
        &mut self,
        customer: &str,
        email: &Email,
    ) -> Result<MemberView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let (customer, partner) = customer_and_partner(tx, &w.ctx, customer)?;
            ensure_may_manage(
                tx, catalog, &w.ctx, &customer, &partner, "remove external admins",
            )?;
            let (_, mut m) = member_in(tx, &w.ctx, email, &customer)?;
            if m.external_from != Some(partner.id) {
                return Err(Error::conflict(format!(
                    "`{email}` is a member of `{}` in their own right, not an external admin",
                    customer.name
                ))
                .help(format!(
                    "an admin of `{}` can use `{}`",
                    customer.name,
                    Paste::new("user deactivate")
                        .arg(email)
                        .opt("--account", &customer.name)
                )));
            }
            if m.status != MemberStatus::Active {
                return Err(Error::conflict(format!(
                    "`{email}` is no longer an external admin of `{}` ({})",
                    customer.name,
                    standing(tx, &m)?
                )));
            }
            let before_view = member_view(tx, &w.ctx, catalog, &m)?;
            m.status = MemberStatus::Deactivated;
            m.updated_at = w.ctx.now;
            tx.update_membership(&m)?;
            let after_view = member_view(tx, &w.ctx, catalog, &m)?;
            w.member_changed(
                "external_admin.remove",
                &customer,
                Some(&before_view),
                &after_view,
            )?;
            // As when their partner cuts them off (`end_external_access`).
            super::services::unassign_all(w, &customer, &m)?;
            Ok(after_view)
        })
    }

    /// External admins, current and ended, of one customer or of every
    /// customer the actor may see: as an MSP administrator of its partner
    /// (`external_admins.manage`) or with `users.view` in the customer.
    pub(crate) fn external_admin_list(
        &mut self,
        customer: Option<&str>,
    ) -> Result<Vec<MemberView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let customers = match customer {
            Some(name) => {
                let (customer, partner) = customer_and_partner(&*tx, &self.ctx, name)?;
                if !may_see(&*tx, &catalog, &self.ctx, &customer, &partner)? {
                    ensure_may_manage(
                        &*tx, &catalog, &self.ctx, &customer, &partner, "list external admins",
                    )?;
                }
                vec![customer]
            }
            None => {
                let mut seen = Vec::new();
                for account in tx.accounts()? {
                    let Some(parent) = account.parent_id else {
                        continue;
                    };
                    let partner = tx.account(parent)?;
                    if may_see(&*tx, &catalog, &self.ctx, &account, &partner)? {
                        seen.push(account);
                    }
                }
                // An MSP administrator of a partner with no customers yet
                // sees an empty list; only someone who could never see any
                // is refused.
                if seen.is_empty()
                    && matches!(self.ctx.actor, super::Actor::Member(_))
                    && !manages_a_partner(&*tx, &catalog, &self.ctx)?
                {
                    return Err(Error::denied(
                        "listing external admins needs `external_admins.manage` in a partner or `users.view` in a customer",
                    ));
                }
                seen
            }
        };
        let mut views = Vec::new();
        for c in customers {
            for m in tx.memberships_in(c.id)? {
                if m.external_from.is_some() {
                    views.push(member_view(&*tx, &self.ctx, &catalog, &m)?);
                }
            }
        }
        views.sort_by(|a, b| (&a.account, &a.email).cmp(&(&b.account, &b.email)));
        Ok(views)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{add_account, email, join, join_in, seeded};
    use super::super::{Actor, Handover, OwnershipTransfer, Portal};
    use crate::error::Result;
    use crate::model::{AccountKind, Email, Timestamp};
    use crate::view::MemberView;

    /// `msp` with an administrator and a user of the partner `Acme`, and
    /// its customer `Client Co`.
    fn msp() -> Portal {
        let mut p = seeded("msp");
        join(&mut p, "ada@acme.test", "msp-administrator");
        join(&mut p, "uma@acme.test", "msp-user");
        add_account(&mut p, "Client Co", AccountKind::Customer, Some("Acme"));
        p
    }

    fn status_in_customer(p: &mut Portal, who: &str) -> String {
        p.member_show(&email(who), Some("Client Co"))
            .expect("member")
            .status
            .to_string()
    }

    #[test]
    fn external_access_gives_no_more_than_the_partner_gives() {
        let mut p = msp();
        let uma = email("uma@acme.test");
        let err = p
            .external_admin_add("Client Co", &uma, "msp-administrator", None)
            .expect_err("more than she holds in Acme");
        assert_eq!(err.exit_code(), 4, "{err}");
        p.external_admin_add("Client Co", &uma, "msp-user", None)
            .expect("as much as she holds");
        // Nor raised on the customer itself.
        let err = p
            .set_role(&uma, "msp-administrator", Some("Client Co"), None)
            .expect_err("refused by the gate");
        assert_eq!(err.exit_code(), 4, "{err}");
    }

    /// Findings E4: an external admin's role ends through the partner's
    /// `external-admin add --until`, which the refusal gives to paste; a
    /// member of several accounts is given `set-role` with `--account`.
    #[test]
    fn a_time_bound_role_refused_gives_a_command_that_works() {
        let mut p = msp();
        let ada = email("ada@acme.test");
        p.external_admin_add("Client Co", &ada, "msp-administrator", None)
            .expect("external");
        let until: Timestamp = "2026-12-01T00:00:00Z".parse().expect("time");
        let err = p
            .set_role(&ada, "msp-administrator", Some("Client Co"), Some(until))
            .expect_err("held for good");
        let help = err.help_text().unwrap_or_default().to_string();
        assert_eq!(
            help,
            "to end it at 2026-12-01T00:00:00Z: `portalctl external-admin add ada@acme.test --customer 'Client Co' --role msp-administrator --until 2026-12-01T00:00:00Z`"
        );
        let err = p
            .set_role(&ada, "msp-administrator", Some("Acme"), Some(until))
            .expect_err("held for good");
        let help = err.help_text().unwrap_or_default().to_string();
        assert_eq!(help.matches("--account Acme").count(), 2, "{help}");
    }

    /// Findings E10: demoted in the partner but active there, an external
    /// admin is told their role there no longer backs the customer's, and
    /// how a lesser one comes back.
    #[test]
    fn a_demoted_external_admin_is_told_the_true_reason() {
        let mut p = msp();
        let ada = email("ada@acme.test");
        p.external_admin_add("Client Co", &ada, "msp-administrator", None)
            .expect("external");
        p.set_role(&ada, "msp-user", Some("Acme"), None)
            .expect("demoted");
        p.ctx.actor = Actor::Member(ada.clone());
        let err = p
            .member_list(&crate::domain::MemberFilter {
                account: Some("Client Co".into()),
                ..Default::default()
            })
            .expect_err("access ended");
        let help = err.help_text().unwrap_or_default().to_string();
        assert!(!help.contains("once they are active there again"), "{help}");
        assert!(
            help.contains(
                "where their role `msp-user` no longer holds all that `msp-administrator` gives"
            ),
            "{help}"
        );
        assert!(
            help.contains(
                "`portalctl external-admin add ada@acme.test --customer 'Client Co' --role ROLE`"
            ),
            "{help}"
        );
    }

    /// Seeing every service covers seeing one's own (findings A6): a
    /// partner `manager` may be a customer's `user`, by `external-admin
    /// add` and by `user set-role` on the customer, and a promotion from
    /// `user` to `manager` in the partner keeps that access.
    #[test]
    fn a_wider_capability_in_the_partner_backs_a_narrower_one_on_the_customer() {
        let mut p = seeded("portal");
        add_account(&mut p, "Partner", AccountKind::Partner, None);
        join_in(&mut p, "max@acme.test", "manager", Some("Partner"));
        join_in(&mut p, "una@acme.test", "user", Some("Partner"));
        add_account(&mut p, "Client Co", AccountKind::Customer, Some("Partner"));
        let (max, una) = (email("max@acme.test"), email("una@acme.test"));
        p.external_admin_add("Client Co", &max, "user", None)
            .expect("a manager sees all a user sees");
        p.external_admin_add("Client Co", &una, "user", None)
            .expect("as much as she holds");
        p.set_role(&una, "manager", Some("Partner"), None)
            .expect("promoted in the partner");
        assert_eq!(status_in_customer(&mut p, "una@acme.test"), "active");
        p.set_role(&una, "manager", Some("Client Co"), None)
            .expect("raised on the customer as far as the partner backs");
        p.set_role(&una, "user", Some("Client Co"), None)
            .expect("and back");
        let err = p
            .external_admin_add("Client Co", &max, "admin", None)
            .expect_err("more than a manager holds");
        assert_eq!(err.exit_code(), 4, "{err}");
        p.set_role(&una, "user", Some("Partner"), None)
            .expect("demoted in the partner");
        assert_eq!(status_in_customer(&mut p, "una@acme.test"), "active");
    }

    /// To a customer's own admin, who may not see the partner's users, a
    /// partner member holding there less than a role asked reads as
    /// anyone they cannot add, "not an active member" (exit 3), alike
    /// before and once they are an external admin at a lesser role, by
    /// `external-admin add` or `user set-role` (findings C4).
    #[test]
    fn a_customers_admin_learns_nothing_of_what_an_external_admin_holds_in_the_partner() {
        let mut p = msp();
        join_in(
            &mut p,
            "cy@client.test",
            "msp-administrator",
            Some("Client Co"),
        );
        p.ctx.actor = Actor::Member(email("cy@client.test"));
        let uma = email("uma@acme.test");
        let said = "`uma@acme.test` is not an active member of `Acme`; only an active member of the partner can be an external admin";
        let check = |r: Result<MemberView>| {
            let e = r.expect_err("refused");
            assert_eq!((e.exit_code(), e.to_string().as_str()), (3, said));
        };
        check(p.external_admin_add("Client Co", &uma, "msp-administrator", None));
        p.external_admin_add("Client Co", &uma, "msp-user", None)
            .expect("as much as she holds");
        check(p.external_admin_add("Client Co", &uma, "msp-administrator", None));
        check(p.set_role(&uma, "msp-administrator", Some("Client Co"), None));
    }

    /// A partner administrator until T backs an administrator's access to
    /// a customer only until T: for longer, or for good, it is refused,
    /// by whoever asks; ending by T it is allowed. Nor is a partner role
    /// made time-bound under external access that lasts past its end.
    #[test]
    fn external_access_lasts_no_longer_than_the_partner_role_behind_it() {
        let mut p = msp();
        let uma = email("uma@acme.test");
        let t = p.ctx.now.plus(chrono::Duration::days(1)).expect("T");
        p.set_role(&uma, "msp-administrator", Some("Acme"), Some(t))
            .expect("admin until T");
        for until in [
            None,
            Some(t.plus(chrono::Duration::days(30)).expect("later")),
        ] {
            let err = p
                .external_admin_add("Client Co", &uma, "msp-administrator", until)
                .expect_err("past T");
            assert_eq!(err.exit_code(), 4, "{err}");
            assert!(err.to_string().contains(&format!("from {t}")), "{err}");
        }
        p.external_admin_add("Client Co", &uma, "msp-administrator", Some(t))
            .expect("ending by T");
        // Ada administers Client Co for good: her partner role made to
        // end at T cuts that access to T, as demoting her ends it now
        // (Client Co keeps its own console login as an admin).
        super::super::testing::join_in(
            &mut p,
            "con@client.test",
            "msp-administrator",
            Some("Client Co"),
        );
        let ada = email("ada@acme.test");
        p.external_admin_add("Client Co", &ada, "msp-administrator", None)
            .expect("add");
        p.set_role_lapsing(
            &ada,
            "msp-administrator",
            Some("Acme"),
            t,
            "msp-user",
            &Handover::Refuse,
        )
        .expect("her access to Client Co is cut to T");
        let there = p.member_show(&ada, Some("Client Co")).expect("member");
        assert_eq!(there.external_until, Some(t));
        assert_eq!(there.status.to_string(), "active");
        // The same role ending sooner cuts it again, by the operator or
        // the partner's administrator alike.
        let sooner = t.minus(chrono::Duration::hours(1)).expect("sooner");
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        p.set_role(&ada, "msp-administrator", Some("Acme"), Some(sooner))
            .expect("shorter");
        p.ctx.actor = Actor::Operator("root".into());
        let there = p.member_show(&ada, Some("Client Co")).expect("member");
        assert_eq!(there.external_until, Some(sooner));
    }

    /// Findings N10: an external admin cut off by their partner keeps no
    /// service of the customer; the partner, who may not see them, is
    /// told how many, not which, and the customer's log says which.
    #[test]
    fn a_customers_services_leave_an_external_admin_cut_off_by_the_partner() {
        let cuts: [fn(&mut Portal, &Email) -> Result<MemberView>; 4] = [
            |p, who| p.deactivate(who, Some("Acme"), &Handover::Refuse),
            |p, who| p.left_company(who, Some("Acme"), &Handover::Refuse),
            |p, who| p.set_role(who, "no-access", Some("Acme"), None),
            |p, who| p.external_admin_remove("Client Co", who),
        ];
        for cut in cuts {
            let mut p = msp();
            let uma = email("uma@acme.test");
            p.external_admin_add("Client Co", &uma, "msp-user", None)
                .expect("add");
            p.service_add("Line", None, Some("Client Co"))
                .expect("service");
            p.service_assign(&["Line".into()], Some(&uma), Some("Client Co"), None)
                .expect("assigned");
            let view = cut(&mut p, &uma).expect("cut off");
            if let [ended] = view.external_ended.as_slice() {
                assert_eq!(ended.services_unassigned, 1);
            }
            assert_eq!(status_in_customer(&mut p, "uma@acme.test"), "deactivated");
            let line = p.service_show("Line", Some("Client Co")).expect("line");
            assert_eq!(line.assigned_to, None);
            let log = p
                .audit_events(&crate::domain::AuditFilter {
                    account: Some("Client Co".into()),
                    ..crate::domain::AuditFilter::default()
                })
                .expect("log");
            assert!(
                log.iter()
                    .any(|e| e.action == "service.unassign" && e.target.as_deref() == Some("Line")),
                "{log:?}"
            );
        }
    }

    /// Issue 11: external access given until T keeps no service of the
    /// customer past T, whether the end comes after the assignment or the
    /// assignment after the end; the customer's log says when it ends.
    #[test]
    fn a_customers_services_end_with_external_access_given_until_t() {
        let mut p = msp();
        let uma = email("uma@acme.test");
        p.external_admin_add("Client Co", &uma, "msp-user", None)
            .expect("add");
        for name in ["Line", "Spare"] {
            p.service_add(name, None, Some("Client Co"))
                .expect("service");
        }
        p.service_assign(&["Line".into()], Some(&uma), Some("Client Co"), None)
            .expect("assigned");
        let t = p.now().plus(chrono::Duration::days(3)).expect("t");
        p.external_admin_add("Client Co", &uma, "msp-user", Some(t))
            .expect("until t");
        p.service_assign(&["Spare".into()], Some(&uma), Some("Client Co"), None)
            .expect("assigned");
        for name in ["Line", "Spare"] {
            let service = p.service_show(name, Some("Client Co")).expect(name);
            assert_eq!(service.assigned_until, Some(t), "{name}");
        }
        let log = p
            .audit_events(&crate::domain::AuditFilter {
                account: Some("Client Co".into()),
                actions: vec!["service.assign".into()],
                ..crate::domain::AuditFilter::default()
            })
            .expect("log");
        assert_eq!(log.len(), 3, "{log:?}");
        p.ctx.now = t;
        for name in ["Line", "Spare"] {
            let service = p.service_show(name, Some("Client Co")).expect(name);
            assert_eq!(service.assigned_to, None, "{name}");
        }
    }

    #[test]
    fn a_partner_administrator_made_a_user_loses_what_more_they_held_on_customers() {
        let mut p = msp();
        let ada = email("ada@acme.test");
        p.external_admin_add("Client Co", &ada, "msp-administrator", None)
            .expect("add");
        let uma = email("uma@acme.test");
        p.external_admin_add("Client Co", &uma, "msp-user", None)
            .expect("add");
        let view = p
            .set_role(&ada, "msp-user", Some("Acme"), None)
            .expect("demoted");
        assert_eq!(view.external_ended.len(), 1);
        assert_eq!(status_in_customer(&mut p, "ada@acme.test"), "deactivated");
        // Promoting keeps what an external role gives: it stays.
        p.set_role(&uma, "msp-administrator", Some("Acme"), None)
            .expect("promoted");
        assert_eq!(status_in_customer(&mut p, "uma@acme.test"), "active");
    }

    /// `msp()` where Ada, an MSP administrator of Acme, administers Client
    /// Co as its external admin and owns it.
    fn ada_owns_the_customer() -> Portal {
        let mut p = msp();
        let ada = email("ada@acme.test");
        p.external_admin_add("Client Co", &ada, "msp-administrator", None)
            .expect("add");
        p.transfer_ownership(&OwnershipTransfer {
            to: &ada,
            former_owner_role: None,
            account: Some("Client Co"),
        })
        .expect("transfer");
        p
    }

    /// An external admin holds a role with access whichever command would
    /// leave them one without: the former owner's role in a transfer, or
    /// `set-role` on the customer. Each is a conflict that changes nothing.
    #[test]
    fn no_write_leaves_an_external_admin_with_the_blocking_role() {
        let mut p = ada_owns_the_customer();
        super::super::testing::join_in(&mut p, "ben@acme.test", "msp-administrator", Some("Acme"));
        let (ada, ben) = (email("ada@acme.test"), email("ben@acme.test"));
        p.external_admin_add("Client Co", &ben, "msp-administrator", None)
            .expect("add");
        let err = p
            .transfer_ownership(&OwnershipTransfer {
                to: &ben,
                former_owner_role: Some("no-access"),
                account: Some("Client Co"),
            })
            .expect_err("Ada would keep external access with no role");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(
            err.to_string()
                .contains("`ada@acme.test` is an external admin of `Client Co`"),
            "{err}"
        );
        let err = p
            .set_role(&ben, "no-access", Some("Client Co"), None)
            .expect_err("blocking role");
        assert_eq!(err.exit_code(), 4, "{err}");
        let ada_now = p.member_show(&ada, Some("Client Co")).expect("show");
        assert!(ada_now.owner, "nothing changed");
        p.transfer_ownership(&OwnershipTransfer {
            to: &ben,
            former_owner_role: Some("msp-user"),
            account: Some("Client Co"),
        })
        .expect("a role with access");
    }

    /// The owner keeps an active membership of what they own, whichever
    /// command would end it: ending their external access, or any change
    /// in the partner that would end it with them, by the operator or a
    /// member, now or at a moment set with `--until`. Each is refused as
    /// a conflict naming the account, or leaves her access as it was.
    #[test]
    fn nothing_ends_the_owners_access_to_a_customer_they_own_as_external_admin() {
        type Ending = fn(&mut Portal, &Email, Timestamp) -> Result<MemberView>;
        let endings: [(&str, Ending); 8] = [
            ("external-admin remove", |p, ada, _| {
                p.external_admin_remove("Client Co", ada)
            }),
            ("external-admin add --until", |p, ada, t| {
                p.external_admin_add("Client Co", ada, "msp-administrator", Some(t))
            }),
            ("set-role in the partner", |p, ada, _| {
                p.set_role(ada, "msp-user", Some("Acme"), None)
            }),
            ("blocking role in the partner", |p, ada, _| {
                p.set_role(ada, "no-access", Some("Acme"), None)
            }),
            ("set-role --until in the partner", |p, ada, t| {
                p.set_role_lapsing(
                    ada,
                    "msp-administrator",
                    Some("Acme"),
                    t,
                    "msp-user",
                    &Handover::Refuse,
                )
            }),
            ("deactivate in the partner", |p, ada, _| {
                p.deactivate(ada, Some("Acme"), &Handover::default())
            }),
            ("left-company in the partner", |p, ada, _| {
                p.left_company(ada, Some("Acme"), &Handover::default())
            }),
            ("deactivate in the customer", |p, ada, _| {
                p.deactivate(ada, Some("Client Co"), &Handover::default())
            }),
        ];
        let actors = [
            Actor::Operator("root".into()),
            Actor::Member(email("owner@acme.test")),
            Actor::Member(email("ada@acme.test")),
        ];
        for (what, end) in endings {
            for actor in &actors {
                let mut p = ada_owns_the_customer();
                p.ctx.actor = actor.clone();
                let ada = email("ada@acme.test");
                let t = p.ctx.now.plus(chrono::Duration::days(1)).expect("T");
                // A member may lack the right to try (exit 5); the
                // operator never does, so the rule is what refuses them.
                if let Err(err) = end(&mut p, &ada, t) {
                    let code = err.exit_code();
                    let operator = matches!(actor, Actor::Operator(_));
                    assert!(
                        code == 4 || (code == 5 && !operator),
                        "{what} by {actor:?}: {err}"
                    );
                    if code == 4 {
                        assert!(err.to_string().contains("Client Co"), "{what}: {err}");
                    }
                }
                p.ctx.actor = Actor::Operator("root".into());
                for at in [p.ctx.now, t] {
                    p.ctx.now = at;
                    let shown = p.member_show(&ada, Some("Client Co")).expect("member");
                    assert_eq!(
                        shown.status.to_string(),
                        "active",
                        "{what} by {actor:?} at {at}"
                    );
                    assert!(shown.owner, "{what} by {actor:?}");
                }
            }
        }
    }

    /// The owner's role in what they own stays as it is, whichever
    /// command would give another: `external-admin add` of the owner
    /// gives a role as `set-role` does, by the operator or a member.
    #[test]
    fn no_command_gives_the_owner_another_role_in_what_they_own() {
        type Giving = fn(&mut Portal, &Email) -> Result<MemberView>;
        let givings: [(&str, Giving); 3] = [
            ("external-admin add, another role", |p, ada| {
                p.external_admin_add("Client Co", ada, "msp-user", None)
            }),
            ("set-role in the customer", |p, ada| {
                p.set_role(ada, "msp-user", Some("Client Co"), None)
            }),
            ("set-role --until in the customer", |p, ada| {
                let t = p.ctx.now.plus(chrono::Duration::days(1)).expect("T");
                p.set_role(ada, "msp-administrator", Some("Client Co"), Some(t))
            }),
        ];
        for (what, give) in givings {
            for actor in [
                Actor::Operator("root".into()),
                Actor::Member(email("owner@acme.test")),
            ] {
                let mut p = ada_owns_the_customer();
                p.ctx.actor = actor.clone();
                let ada = email("ada@acme.test");
                let err = give(&mut p, &ada).expect_err(what);
                let operator = matches!(actor, Actor::Operator(_));
                let code = err.exit_code();
                assert!(
                    code == 4 || (code == 5 && !operator),
                    "{what} by {actor:?}: {err}"
                );
                p.ctx.actor = Actor::Operator("root".into());
                let shown = p.member_show(&ada, Some("Client Co")).expect("member");
                assert_eq!(
                    (shown.role.as_str(), shown.role_until, shown.owner),
                    ("msp-administrator", None, true),
                    "{what} by {actor:?}"
                );
            }
        }
    }

    /// A customer's own members cannot hand its ownership to a partner's
    /// member (findings B5): the partner could then not offboard them.
    /// The operator, or a member of that partner who owns the customer,
    /// still may.
    #[test]
    fn a_customers_owner_cannot_hand_the_ownership_to_a_partners_member() {
        let mut p = msp();
        super::super::testing::join_in(
            &mut p,
            "cc@client.test",
            "msp-administrator",
            Some("Client Co"),
        );
        let (cc, ada) = (email("cc@client.test"), email("ada@acme.test"));
        let to = |who| OwnershipTransfer {
            to: who,
            former_owner_role: None,
            account: Some("Client Co"),
        };
        p.transfer_ownership(&to(&cc))
            .expect("to the customer's own");
        p.external_admin_add("Client Co", &ada, "msp-administrator", None)
            .expect("add");
        p.ctx.actor = Actor::Member(cc.clone());
        let err = p
            .transfer_ownership(&to(&ada))
            .expect_err("a partner's member");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(
            err.to_string().contains("external admin of `Client Co`"),
            "{err}"
        );
        p.ctx.actor = Actor::Operator("root".into());
        assert!(
            !p.member_show(&ada, Some("Client Co")).expect("show").owner,
            "nothing changed"
        );
        p.transfer_ownership(&to(&ada))
            .expect("the operator's choice");
        // Ada, of the partner, may hand it to another of its members.
        super::super::testing::join_in(&mut p, "ben@acme.test", "msp-administrator", Some("Acme"));
        let ben = email("ben@acme.test");
        p.external_admin_add("Client Co", &ben, "msp-administrator", None)
            .expect("add");
        p.ctx.actor = Actor::Member(ada.clone());
        p.transfer_ownership(&to(&ben)).expect("within the partner");
    }

    /// Ownership is not given to access that ends by itself.
    #[test]
    fn ownership_is_not_given_to_time_bound_external_access() {
        let mut p = msp();
        let ada = email("ada@acme.test");
        let t = p.ctx.now.plus(chrono::Duration::days(1)).expect("T");
        p.external_admin_add("Client Co", &ada, "msp-administrator", Some(t))
            .expect("add until T");
        let err = p
            .transfer_ownership(&OwnershipTransfer {
                to: &ada,
                former_owner_role: None,
                account: Some("Client Co"),
            })
            .expect_err("her access ends at T");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(err.to_string().contains("time-bound"), "{err}");
    }
}
