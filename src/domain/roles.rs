//! The roles of a database: listing them, creating custom ones and
//! deleting unused ones.

use crate::domain::visibility::holds_need;
use std::collections::HashMap;

use super::access::{authorize, caps, ensure_portal_user};
use super::audit::Change;
use super::catalog::{check_role_name, role_view};
use super::held_names::looks_like;
use super::{resolve_account, snapshot, Actor, Catalog, Portal, Reach};
use crate::error::{Error, Result};
use crate::model::{
    look_alike, same_name, Account, Capability, MemberStatus, Membership, Paste, Role, Text,
};
use crate::store::Tx;
use crate::view::RoleView;

/// How many holders a refused `role delete` names.
const HOLDERS_NAMED: usize = 5;

// What a role gives by itself is a rule of access, so it lives in the
// domain rather than beside the plain `Role` record.
impl Role {
    /// Whether the role itself (not grants) gives `cap`. Every role but the
    /// blocking one holds `portal.access`.
    pub(crate) fn holds(&self, cap: Capability) -> bool {
        !self.blocking
            && (self.all_capabilities
                || cap == caps::PORTAL_ACCESS
                || self.capabilities.iter().any(|c| c == cap.as_str()))
    }

    /// Whether a member of `account` may hold the role: the catalog's
    /// roles serve every account, a custom role only the account it was
    /// made for.
    pub(crate) fn serves(&self, account: i64) -> bool {
        self.account_id.is_none_or(|a| a == account)
    }

    /// The capabilities the role gives, in catalog order.
    pub(crate) fn capability_list(&self) -> Vec<Capability> {
        Capability::all().filter(|c| self.holds(*c)).collect()
    }

    /// The names of [`Role::capability_list`].
    pub(crate) fn capability_names(&self) -> Vec<String> {
        self.capability_list()
            .iter()
            .map(|c| c.to_string())
            .collect()
    }
}

impl Portal {
    /// Every role with how many memberships hold it.
    /// Member counts span every account, so only the operator sees them.
    pub(crate) fn role_list(&mut self) -> Result<Vec<RoleView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let operator = ensure_portal_user(&*tx, &catalog, &self.ctx)?;
        let sees = role_sight(&*tx, &catalog, &self.ctx)?;
        let mut counts: HashMap<i64, usize> = HashMap::new();
        if operator {
            for account in tx.accounts()? {
                for m in tx.memberships_in(account.id)? {
                    let mut held: Vec<i64> = held_roles(&m).collect();
                    held.dedup();
                    for role in held {
                        *counts.entry(role).or_default() += 1;
                    }
                }
            }
        }
        tx.roles()?
            .iter()
            .filter(|r| r.deleted_at.is_none() && sees.sees(r))
            .map(|r| {
                owned_view(
                    &*tx,
                    r,
                    operator.then(|| counts.get(&r.id).copied().unwrap_or(0)),
                )
            })
            .collect()
    }

    /// The roles `user invite` offers to pick from on a terminal when
    /// `--role` is left out: none when the catalog gives a role by default
    /// (the invitation takes that one), else every live role but the
    /// blocking one, the fewest capabilities first.
    pub(crate) fn invite_role_choices(&mut self) -> Result<Vec<String>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        ensure_portal_user(&*tx, &catalog, &self.ctx)?;
        if catalog.default_role().is_ok() {
            return Ok(Vec::new());
        }
        let sees = role_sight(&*tx, &catalog, &self.ctx)?;
        let mut roles: Vec<_> = catalog
            .live_roles(&*tx, sees.reach())?
            .into_iter()
            .filter(|r| !r.blocking && sees.sees(r))
            .collect();
        // The least access first, where a picker starts: pressing Enter
        // must not invite an administrator (004: "Only grant access to
        // users who need access"). The catalog's roles come before custom
        // ones: a custom role with few capabilities may still show every
        // user of the account, which the catalog's least role does not.
        roles.sort_by_key(|r| (!r.builtin, r.all_capabilities, r.capabilities.len()));
        Ok(roles.into_iter().map(|r| r.name.clone()).collect())
    }

    /// Whether `user invite` needs a city and a country in this catalog
    /// (`moodle`), so that a terminal asks for those left out.
    pub(crate) fn invite_needs_location(&mut self) -> Result<bool> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        ensure_portal_user(&*tx, &catalog, &self.ctx)?;
        Ok(catalog.require_location)
    }

    /// One role: of those the actor sees, the one with this name that
    /// serves `account` when one is named; else the only one so named.
    pub(crate) fn role_show(&mut self, name: &str, account: Option<&str>) -> Result<RoleView> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let operator = ensure_portal_user(&*tx, &catalog, &self.ctx)?;
        let sees = role_sight(&*tx, &catalog, &self.ctx)?;
        let role = match account {
            Some(named) => {
                // Looking at a role needs no capability in the account,
                // only that the actor may know of it.
                let account = resolve_account(&*tx, &self.ctx, Some(named), None, |_| Ok(()))?;
                let reach = Reach::Accounts(&[account.id]);
                catalog.role_among(&*tx, name, reach, |r| sees.sees(r))?
            }
            None => only_role_named(&*tx, &catalog, name, sees.reach(), |r| sees.sees(r))?,
        };
        let members = if operator {
            let mut count = 0;
            for account in tx.accounts()? {
                count += tx
                    .memberships_in(account.id)?
                    .iter()
                    .filter(|m| held_roles(m).any(|r| r == role.id))
                    .count();
            }
            Some(count)
        } else {
            None
        };
        let mut view = owned_view(&*tx, role, members)?;
        if !catalog.courses().is_empty() {
            view.courses = Some(
                catalog
                    .courses_for(role)
                    .iter()
                    .map(|c| c.name.clone())
                    .collect(),
            );
        }
        Ok(view)
    }

    /// Adds a custom role. Roles serve every account of the database, so a
    /// member needs `users.manage` and may only bundle capabilities they
    /// hold themselves. The role belongs to the account it was made for
    /// (the operator's to no account unless `account` names one), whose
    /// admins may retire it while no other account uses it.
    pub(crate) fn role_create(
        &mut self,
        name: &str,
        capabilities: &[Capability],
        description: &Text,
        account: Option<&str>,
    ) -> Result<RoleView> {
        self.make_role(name, capabilities, description, account, false)
    }

    /// Makes a role that is deleted at once, so that its name is taken as
    /// it is in the database a file was exported from (`apply` of a
    /// deleted role's entry). Checked as `role create` followed by `role
    /// delete` would be: whoever may make the role for the account may
    /// retire it there while nobody holds it, and nobody holds a new role.
    /// One event, `role.create`, whose `after` says it is deleted.
    pub(crate) fn role_create_deleted(
        &mut self,
        name: &str,
        capabilities: &[Capability],
        description: &Text,
        account: Option<&str>,
    ) -> Result<RoleView> {
        self.make_role(name, capabilities, description, account, true)
    }

    fn make_role(
        &mut self,
        name: &str,
        capabilities: &[Capability],
        description: &Text,
        account: Option<&str>,
        deleted: bool,
    ) -> Result<RoleView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let name = name.trim();
            check_role_name(name).map_err(Error::invalid)?;
            let mut caps_given: Vec<Capability> = Vec::new();
            for &cap in capabilities {
                if !caps_given.contains(&cap) {
                    caps_given.push(cap);
                }
            }
            // A member's role belongs to the account they made it for,
            // whose admins alone may retire it; the operator's serves every
            // account unless they name one.
            let made_for: Option<Account> = match (&w.ctx.actor, account) {
                (Actor::Operator(_), None) => None,
                _ => {
                    let need = caps::USERS_MANAGE.to("create roles");
                    let manages = holds_need(tx, catalog, &w.ctx, need);
                    let account = resolve_account(tx, &w.ctx, account, None, manages)?;
                    let who = authorize(
                        tx,
                        catalog,
                        &w.ctx,
                        &account,
                        caps::USERS_MANAGE.to("create roles"),
                    )?;
                    who.ensure_may_give(&format!("role `{name}`"), &caps_given)?;
                    Some(account)
                }
            };
            // Custom roles' names are unique per account, and never a
            // catalog role's: another account's role neither blocks the
            // name nor is told of. A catalog role (the operator's, for no
            // account) serves every account, so its name is nobody's yet.
            match tx.role_named(name, made_for.as_ref().map(|a| a.id))? {
                Some(Role {
                    deleted_at: Some(at),
                    ..
                }) => {
                    return Err(Error::conflict(format!(
                        "role `{name}` was deleted at {}; a deleted role's name is not reused",
                        at
                    ))
                    .help("choose another name, so that the audit log names one role per name"))
                }
                Some(_) => {
                    return Err(Error::conflict(format!("role `{name}` already exists"))
                        .help("`portalctl role list` shows the roles"))
                }
                None => {}
            }
            // A deleted role is in no list, so reads as no other.
            if !deleted {
                role_not_look_alike(tx, name, made_for.as_ref().map(|a| a.id))?;
            }
            let role = Role {
                id: 0,
                name: name.to_string(),
                description: description.to_string(),
                all_capabilities: false,
                blocking: false,
                builtin: false,
                capabilities: caps_given
                    .iter()
                    .filter(|c| **c != caps::PORTAL_ACCESS)
                    .map(|c| c.to_string())
                    .collect(),
                deleted_at: None,
                account_id: made_for.as_ref().map(|a| a.id),
            };
            let id = tx.insert_role(&role, w.ctx.now)?;
            let view = role_view(&tx.role(id)?, Some(0));
            let mut after = snapshot(&view)?;
            if deleted {
                tx.delete_role(id, w.ctx.now)?;
                if let serde_json::Value::Object(fields) = &mut after {
                    fields.insert("deleted".into(), true.into());
                }
            }
            let view = RoleView {
                account: made_for.as_ref().map(|a| a.name.clone()),
                ..view
            };
            // In the account's log, for its admins to read.
            w.record(Change {
                action: "role.create",
                account: made_for,
                target: Some(name.to_string()),
                before: None,
                after: Some(after.into()),
            });
            Ok(view)
        })
    }
}

/// Refuses (exit 4) a new custom role's name that looks like the name of
/// a live role the account it is made for sees (the catalog's and its
/// own; for the operator's role for no account, the catalog's): `adrnin`
/// beside `admin`, `rnanager` beside `manager`, which read as the
/// built-in role in every list of members and roles. Another account's
/// roles are no look-alikes, as they are no name taken.
fn role_not_look_alike(tx: &dyn Tx, name: &str, account: Option<i64>) -> Result<()> {
    let mut seen = tx.roles_made_for(None)?;
    if let Some(account) = account {
        seen.extend(tx.roles_made_for(Some(&[account]))?);
    }
    match seen
        .iter()
        .find(|r| r.deleted_at.is_none() && !same_name(&r.name, name) && look_alike(&r.name, name))
    {
        Some(held) => Err(looks_like("role", name, &held.name)),
        None => Ok(()),
    }
}

impl Portal {
    /// Deletes a role nobody holds. The role is retired rather than removed
    /// (audit events name it) and is no longer offered. The owner role and
    /// the blocking role stay. Roles serve the whole database, so a member
    /// needs `users.manage` in the account a custom role was made for and
    /// may retire only such a role that no other account uses; the operator
    /// retires any other role.
    pub(crate) fn role_delete(&mut self, name: &str, account: Option<&str>) -> Result<RoleView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let account = match (&w.ctx.actor, account) {
                (Actor::Operator(_), None) => None,
                (_, named) => Some(resolve_account(
                    tx,
                    &w.ctx,
                    named,
                    None,
                    holds_need(tx, catalog, &w.ctx, caps::USERS_MANAGE.to("delete roles")),
                )?),
            };
            let role = match &account {
                Some(account) => catalog.role_in(tx, name, account.id)?,
                None => only_role_named(tx, catalog, name, Reach::Every, |_| true)?,
            };
            let mut holders = tx.role_holders(role.id)?;
            if let (Actor::Member(email), Some(account)) = (&w.ctx.actor, &account) {
                authorize(
                    tx,
                    catalog,
                    &w.ctx,
                    account,
                    caps::USERS_MANAGE.to("delete roles"),
                )?;
                // Nothing here names another account or its members.
                let serves_others = if role.builtin {
                    Some("it comes with the preset and serves every account")
                } else if role.account_id != Some(account.id) {
                    Some("it was not made for this account")
                } else if holders.iter().any(|(_, a)| *a != account.id) {
                    Some("other accounts use it too")
                } else {
                    None
                };
                if let Some(why) = serves_others {
                    return Err(Error::denied(format!(
                        "`{email}` may not delete role `{}` from `{}`: {why}",
                        role.name, account.name
                    ))
                    .help("only the operator retires a role other accounts may use"));
                }
                holders.retain(|(_, a)| *a == account.id);
            }
            if role.blocking {
                return Err(Error::conflict(format!(
                    "role `{}` is the blocking role; the catalog must keep it",
                    role.name
                ))
                .help("`user left-company` and merges give it to members who lose their access"));
            }
            if tx.setting("owner_role")?.as_deref() == Some(role.name.as_str()) {
                return Err(Error::conflict(format!(
                    "role `{}` is the owner role of the catalog and cannot be deleted",
                    role.name
                )));
            }
            if !holders.is_empty() {
                return Err(Error::conflict(format!(
                    "role `{}` is held by {} membership(s): {}",
                    role.name,
                    holders.len(),
                    holder_names(tx, &holders)?
                ))
                .help(give_another_role(tx, &holders)?));
            }
            let before = role_view(role, Some(0));
            tx.delete_role(role.id, w.ctx.now)?;
            w.record(Change {
                action: "role.delete",
                account: role.account_id.map(|id| tx.account(id)).transpose()?,
                target: Some(role.name.clone()),
                before: Some(snapshot(&before)?.into()),
                after: None,
            });
            owned_view(tx, role, Some(0))
        })
    }
}

/// Which roles the actor may see: the operator every one, a member the
/// catalog's and those made for an account they joined.
#[derive(Debug, Clone)]
pub(super) enum RoleSight {
    Operator,
    Member(Vec<i64>),
}

impl RoleSight {
    /// The accounts whose custom roles the actor may see.
    pub(super) fn reach(&self) -> Reach<'_> {
        match self {
            RoleSight::Operator => Reach::Every,
            RoleSight::Member(accounts) => Reach::Accounts(accounts),
        }
    }

    /// Whether the actor may see `role`.
    pub(super) fn sees(&self, role: &Role) -> bool {
        match (self, role.account_id) {
            (RoleSight::Operator, _) | (_, None) => true,
            (RoleSight::Member(accounts), Some(a)) => accounts.contains(&a),
        }
    }
}

/// The roles `ctx`'s actor may see: the catalog's, and those of the
/// accounts where they have access now (see
/// [`super::access::accounts_with_access`]). An account they were only
/// invited to gives them nothing yet, its roles neither: they learn the
/// role they are offered from the invitation. One they were deactivated
/// in, left, are blocked in or whose external access ended gives
/// nothing any more, as it refuses them everything else.
pub(super) fn role_sight(tx: &dyn Tx, catalog: &Catalog, ctx: &super::Ctx) -> Result<RoleSight> {
    let Actor::Member(email) = &ctx.actor else {
        return Ok(RoleSight::Operator);
    };
    let accounts = match tx.person_by_email(email.as_str())? {
        Some(person) => super::access::accounts_with_access(tx, catalog, person.id, ctx.now)?,
        None => Vec::new(),
    };
    Ok(RoleSight::Member(accounts))
}

/// `role` as a list or `role show` prints it: with the account a custom
/// role was made for, which the actor sees (see [`role_sight`]).
fn owned_view(tx: &dyn Tx, role: &Role, members: Option<usize>) -> Result<RoleView> {
    Ok(RoleView {
        account: role
            .account_id
            .map(|id| tx.account(id))
            .transpose()?
            .map(|a| a.name),
        ..role_view(role, members)
    })
}

/// The live role called `name` among those `seen` lets through, where no
/// account is named: custom roles' names are unique per account only,
/// so where several such accounts have one, the actor names which.
fn only_role_named<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    name: &str,
    reach: Reach<'_>,
    seen: impl Fn(&Role) -> bool,
) -> Result<&'c Role> {
    let role = catalog.role_among(tx, name, reach, &seen)?;
    let mut owners = Vec::new();
    for other in catalog.live_roles(tx, reach)? {
        if other.name == role.name && seen(other) {
            if let Some(id) = other.account_id {
                owners.push(format!("`{}`", tx.account(id)?.name));
            }
        }
    }
    if owners.len() > 1 {
        owners.sort();
        return Err(Error::invalid(format!(
            "several accounts have a custom role `{}`",
            role.name
        ))
        .help(format!(
            "name the account with --account: {}",
            owners.join(", ")
        )));
    }
    Ok(role)
}

/// `email in Account` for the first few holders of a role; a member who
/// left and would get the role back on `activate` counts as a holder.
/// The help of a refusal to delete a role still held: the command that
/// gives the first holder another role, with `--account` as a member of
/// several accounts needs it.
fn give_another_role(tx: &dyn Tx, holders: &[(i64, i64)]) -> Result<String> {
    let Some((person_id, account_id)) = holders.first() else {
        return Ok(String::new());
    };
    let person = tx.person(*person_id)?;
    let mut paste = Paste::new("user set-role").arg(&person.email).words("ROLE");
    if tx.memberships_of(*person_id)?.len() > 1 {
        paste = paste.opt("--account", &tx.account(*account_id)?.name);
    }
    Ok(format!("give them another role first with `{paste}`"))
}

/// The roles a membership counts as holding for `role list` and `role
/// delete` alike: the one it holds now, and, unless it has ended (left,
/// merged away), the one a time-bound role lapses to and the one
/// `activate` would give back. An ended membership's history still names
/// the role, which is retired rather than erased.
fn held_roles(m: &Membership) -> impl Iterator<Item = i64> + '_ {
    let later = match m.status {
        MemberStatus::Left => [None, None],
        _ => [m.role_after, m.previous_role_id],
    };
    std::iter::once(m.role_id).chain(later.into_iter().flatten().filter(move |r| *r != m.role_id))
}

fn holder_names(tx: &dyn Tx, holders: &[(i64, i64)]) -> Result<String> {
    let mut names = Vec::new();
    for (person_id, account_id) in holders.iter().take(HOLDERS_NAMED) {
        names.push(format!(
            "`{}` in `{}`",
            tx.person(*person_id)?.email,
            tx.account(*account_id)?.name
        ));
    }
    if holders.len() > HOLDERS_NAMED {
        names.push(format!("and {} more", holders.len() - HOLDERS_NAMED));
    }
    Ok(names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{email, join, seeded};
    use super::super::InviteRequest;
    use super::*;
    use crate::model::{caps, AccountKind, Text};

    /// A picker starts on the first choice: the least access.
    #[test]
    fn invite_offers_the_least_access_first() {
        for (preset, first, last) in [
            ("portal", "user", "admin"),
            ("msp", "msp-user", "msp-administrator"),
        ] {
            let mut p = seeded(preset);
            let roles = p.invite_role_choices().expect("choices");
            assert_eq!(roles.first().map(String::as_str), Some(first), "{preset}");
            assert_eq!(roles.last().map(String::as_str), Some(last), "{preset}");
        }
    }

    /// A role held only by a member who left can be deleted: the count
    /// says 0 and the deletion agrees; the member's history keeps it, and
    /// bringing them back gives the catalog's least role.
    #[test]
    fn a_role_only_a_leaver_held_is_retired() {
        use super::super::members::Handover;
        let mut p = seeded("portal");
        p.role_create("clerk", &[caps::USERS_VIEW], &Text::default(), None)
            .expect("role");
        join(&mut p, "una@acme.test", "clerk");
        join(&mut p, "max@acme.test", "clerk");
        let count = |p: &mut Portal| {
            p.role_list()
                .expect("list")
                .into_iter()
                .find(|r| r.name == "clerk")
                .and_then(|r| r.members)
        };
        assert_eq!(count(&mut p), Some(2));
        p.left_company(&email("una@acme.test"), None, &Handover::Refuse)
            .expect("left");
        assert_eq!(count(&mut p), Some(1));
        let err = p.role_delete("clerk", None).expect_err("max holds it");
        assert_eq!(err.exit_code(), 4, "{err}");
        let text = format!("{err}");
        assert!(
            text.contains("1 membership(s): `max@acme.test` in `Acme`"),
            "{text}"
        );
        assert!(!text.contains("una@"), "{text}");
        p.set_role(&email("max@acme.test"), "user", None, None)
            .expect("another role");
        assert_eq!(count(&mut p), Some(0));
        p.role_delete("clerk", None).expect("nobody holds it");
        let back = p.activate(&email("una@acme.test"), None).expect("back");
        assert_eq!(back.role, "user");
    }

    /// A role a time-bound role lapses to is still held: the count and the
    /// refusal say so alike.
    #[test]
    fn a_role_held_after_a_time_bound_one_is_counted_and_kept() {
        let mut p = seeded("portal");
        p.role_create("clerk", &[caps::USERS_VIEW], &Text::default(), None)
            .expect("role");
        join(&mut p, "una@acme.test", "clerk");
        let until = p.ctx.now.plus(chrono::Duration::days(3)).expect("later");
        p.set_role(&email("una@acme.test"), "manager", None, Some(until))
            .expect("manager for a while");
        let clerk = p
            .role_list()
            .expect("list")
            .into_iter()
            .find(|r| r.name == "clerk");
        assert_eq!(clerk.and_then(|r| r.members), Some(1));
        let err = p.role_delete("clerk", None).expect_err("una gets it back");
        assert!(
            format!("{err}").contains("`una@acme.test` in `Acme`"),
            "{err}"
        );
    }

    /// A custom role with fewer capabilities than the catalog's least role
    /// is offered after the catalog's roles, never pre-selected.
    #[test]
    fn invite_offers_custom_roles_after_the_catalogs() {
        let mut p = seeded("portal");
        p.role_create("auditor", &[caps::USERS_VIEW], &Text::default(), None)
            .expect("a custom role");
        let roles = p.invite_role_choices().expect("choices");
        assert_eq!(roles, ["user", "manager", "admin", "auditor"]);
    }

    #[test]
    fn an_accounts_admin_retires_only_its_own_roles() {
        let mut p = seeded("portal");
        join(&mut p, "adam@acme.test", "admin");
        crate::domain::testing::add_account(&mut p, "Beta", AccountKind::Customer, None);
        let operator = p.ctx.actor.clone();
        p.role_create("everyone", &[caps::ACCOUNT_VIEW], &Text::default(), None)
            .expect("the operator's role");
        let adam = Actor::Member(email("adam@acme.test"));
        p.ctx.actor = adam.clone();
        p.role_create("acme-only", &[caps::ACCOUNT_VIEW], &Text::default(), None)
            .expect("Acme's role");
        let refused = p
            .role_delete("everyone", None)
            .expect_err("serves every account");
        assert_eq!(refused.exit_code(), 5, "{refused}");
        // Acme's role is held in Acme alone: not even the operator gives
        // it in Beta.
        p.ctx.actor = operator;
        let refused = p
            .invite(&InviteRequest {
                email: Some(email("bo@beta.test")),
                name: Some("Bo".into()),
                role: Some("acme-only".into()),
                account: Some("Beta".into()),
                ..InviteRequest::default()
            })
            .expect_err("Acme's role in Beta");
        assert_eq!(refused.exit_code(), 2, "{refused}");
        p.ctx.actor = adam;
        // A role of Acme's that nobody else uses is Acme's to retire.
        p.role_create("acme-tmp", &[caps::ACCOUNT_VIEW], &Text::default(), None)
            .expect("Acme's role");
        p.role_delete("acme-tmp", None)
            .expect("Acme's admin retires it");
    }

    /// A role made for one account is unknown in another: not listed,
    /// shown, given nor deleted there, and its name is free there
    /// (custom roles' names are unique per account), so making one of
    /// that name tells nothing of it.
    #[test]
    fn an_accounts_role_is_unknown_to_another_account() {
        let mut p = seeded("portal");
        join(&mut p, "adam@acme.test", "admin");
        crate::domain::testing::add_account(&mut p, "Beta", AccountKind::Customer, None);
        crate::domain::testing::join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
        p.ctx.actor = Actor::Member(email("adam@acme.test"));
        p.role_create("helper", &[caps::ACCOUNT_VIEW], &Text::default(), None)
            .expect("Acme's role");
        p.ctx.actor = Actor::Member(email("bea@beta.test"));
        let listed = p.role_list().expect("list");
        assert!(listed.iter().all(|r| r.name != "helper"));
        assert_eq!(
            p.role_show("helper", None).expect_err("show").exit_code(),
            2
        );
        let refused = p
            .set_role(&email("bea@beta.test"), "helper", None, None)
            .expect_err("Acme's role in Beta");
        assert_eq!(refused.exit_code(), 2, "{refused}");
        assert_eq!(
            p.role_delete("helper", None)
                .expect_err("delete")
                .exit_code(),
            2
        );
        let hers = p
            .role_create("helper", &[caps::USERS_VIEW], &Text::default(), None)
            .expect("Beta's own helper");
        assert_eq!(hers.capabilities, ["portal.access", "users.view"]);
        let shown = p.role_show("helper", None).expect("Beta's helper");
        assert_eq!(shown.capabilities, ["portal.access", "users.view"]);
        p.ctx.actor = Actor::Operator("root".into());
        let helpers = p
            .role_list()
            .expect("list")
            .iter()
            .filter(|r| r.name == "helper")
            .count();
        assert_eq!(helpers, 2);
        // A catalog role of that name would be two roles in each account.
        let err = p
            .role_create("helper", &[caps::ACCOUNT_VIEW], &Text::default(), None)
            .expect_err("a catalog role");
        assert_eq!(err.exit_code(), 4, "{err}");
    }

    /// Each custom role says whose it is, and where two accounts have a
    /// role of one name, `role show` asks which as `role delete` does; a
    /// member reads only their own accounts' roles.
    #[test]
    fn a_custom_role_names_its_account_and_show_asks_which_of_two() {
        let mut p = seeded("portal");
        join(&mut p, "adam@acme.test", "admin");
        crate::domain::testing::add_account(&mut p, "Beta", AccountKind::Customer, None);
        crate::domain::testing::join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
        for (who, caps) in [
            ("adam@acme.test", caps::ACCOUNT_VIEW),
            ("bea@beta.test", caps::USERS_VIEW),
        ] {
            p.ctx.actor = Actor::Member(email(who));
            let made = p
                .role_create("ops", &[caps], &Text::default(), None)
                .expect("made");
            assert!(made.account.is_some(), "{made:?}");
        }
        p.ctx.actor = Actor::Operator("root".into());
        let mut owners: Vec<Option<String>> = p
            .role_list()
            .expect("list")
            .into_iter()
            .filter(|r| r.name == "ops")
            .map(|r| r.account)
            .collect();
        owners.sort();
        assert_eq!(owners, [Some("Acme".to_string()), Some("Beta".to_string())]);
        let admin = p.role_show("admin", None).expect("the catalog's");
        assert_eq!(admin.account, None);
        let err = p.role_show("ops", None).expect_err("which one");
        assert_eq!(err.exit_code(), 2, "{err}");
        assert_eq!(err.to_string(), "several accounts have a custom role `ops`");
        for (account, cap) in [("Acme", "account.view"), ("Beta", "users.view")] {
            let shown = p.role_show("ops", Some(account)).expect("named");
            assert_eq!(shown.account.as_deref(), Some(account));
            assert!(shown.capabilities.iter().any(|c| c == cap), "{shown:?}");
        }
        // Bea sees Beta's alone, and needs no --account for it.
        p.ctx.actor = Actor::Member(email("bea@beta.test"));
        let hers = p.role_show("ops", None).expect("hers");
        assert_eq!(hers.account.as_deref(), Some("Beta"));
        let listed = p.role_list().expect("list");
        assert!(listed.iter().all(|r| r.account.as_deref() != Some("Acme")));
        // Another account is refused as any account she may not know
        // of is, taken or not.
        for other in ["Acme", "Nowhere"] {
            let err = p.role_show("ops", Some(other)).expect_err("not hers");
            assert_eq!(err.exit_code(), 5, "{err}");
        }
    }

    /// An account someone is only invited to gives them nothing yet: its
    /// custom roles are not listed, shown nor offered to them while the
    /// invitation is pending or once it is revoked, only once they join.
    #[test]
    fn an_invitation_shows_none_of_the_accounts_roles() {
        let mut p = seeded("portal");
        join(&mut p, "adam@acme.test", "admin");
        crate::domain::testing::add_account(&mut p, "Beta", AccountKind::Customer, None);
        crate::domain::testing::join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
        let adam = Actor::Member(email("adam@acme.test"));
        let bea = Actor::Member(email("bea@beta.test"));
        p.ctx.actor = adam.clone();
        p.role_create("acme-ops", &[caps::USERS_VIEW], &Text::default(), None)
            .expect("Acme's role");
        let unseen = |p: &mut Portal, when: &str| {
            let listed = p.role_list().expect("list");
            assert!(listed.iter().all(|r| r.name != "acme-ops"), "{when}");
            let err = p.role_show("acme-ops", None).expect_err(when);
            assert_eq!(err.exit_code(), 2, "{when}: {err}");
            assert!(!err.to_string().contains("acme-ops`?"), "{when}: {err}");
            let offered = p.invite_role_choices().expect("choices");
            assert!(offered.iter().all(|r| r != "acme-ops"), "{when}");
        };
        p.invite(&InviteRequest {
            email: Some(email("bea@beta.test")),
            role: Some("acme-ops".into()),
            ..InviteRequest::default()
        })
        .expect("invited");
        p.ctx.actor = bea.clone();
        unseen(&mut p, "pending");
        p.ctx.actor = adam.clone();
        p.revoke_invite(&email("bea@beta.test"), None)
            .expect("revoked");
        p.ctx.actor = bea.clone();
        unseen(&mut p, "revoked");
        p.ctx.actor = adam;
        let token = p
            .resend_invite(&email("bea@beta.test"), None, None, false)
            .expect("invited again")
            .token;
        p.ctx.actor = bea;
        p.accept(&token, None).expect("joined");
        let shown = p.role_show("acme-ops", None).expect("joined, she sees it");
        assert_eq!(shown.account.as_deref(), Some("Acme"));
    }
}

/// Finding A3: custom roles are seen only where the member has access now.
#[cfg(test)]
mod sight {
    use super::super::members::Handover;
    use super::super::testing::{email, join_in, seeded};
    use super::super::{preset_names, InviteRequest, Portal};
    use super::*;
    use crate::model::{caps, AccountKind, Text};

    /// The custom roles of `Other` that `who` lists.
    fn others_listed(p: &mut Portal, who: &str) -> Vec<String> {
        let operator = std::mem::replace(&mut p.ctx.actor, Actor::Member(email(who)));
        let listed = p.role_list().expect("list: they have access to Acme");
        p.ctx.actor = operator;
        let mut others: Vec<String> = listed
            .into_iter()
            .filter(|r| r.account.as_deref() == Some("Other"))
            .map(|r| r.name)
            .collect();
        others.sort();
        others
    }

    fn shows(p: &mut Portal, who: &str, role: &str) -> bool {
        let operator = std::mem::replace(&mut p.ctx.actor, Actor::Member(email(who)));
        let shown = p.role_show(role, None);
        p.ctx.actor = operator;
        shown.is_ok()
    }

    /// In every preset, whatever role they held in `Other`: a member who
    /// was deactivated or left there, or is given the blocking role, or
    /// only invited, reads none of its custom roles, before or since.
    #[test]
    fn only_a_member_with_access_now_sees_an_accounts_roles() {
        for preset in preset_names() {
            let mut p = seeded(preset);
            add_account(&mut p, "Other");
            let views = p.role_list().expect("operator's list");
            let reserved = {
                let tx = p.gate.read(p.ctx.now).expect("read");
                let catalog = Catalog::load(&*tx).expect("catalog");
                catalog.reserved_owner_role().map(str::to_string)
            };
            let given: Vec<String> = views
                .iter()
                .filter(|r| r.account.is_none() && !r.blocking)
                .filter(|r| Some(&r.name) != reserved.as_ref())
                .map(|r| r.name.clone())
                .collect();
            // Other keeps a member managing its users whoever goes.
            let keeper = "keeper@x.test";
            let admin = views
                .iter()
                .find(|r| r.all_capabilities && Some(&r.name) != reserved.as_ref());
            match admin {
                Some(admin) => join_in(&mut p, keeper, &admin.name, Some("Other")),
                None => {
                    join_in(&mut p, keeper, &given[0], Some("Other"));
                    p.grant(
                        &email(keeper),
                        &["account-admin".into()],
                        Some("Other"),
                        None,
                    )
                    .expect("account administration");
                }
            }
            let blocking = views
                .iter()
                .find(|r| r.blocking)
                .map(|r| r.name.clone())
                .expect("a blocking role");
            p.role_create(
                "before",
                &[caps::PORTAL_ACCESS],
                &Text::default(),
                Some("Other"),
            )
            .expect("Other's role");
            let mut cut_off = Vec::new();
            for (i, role) in given.iter().enumerate() {
                let (gone, left) = (format!("gone{i}@x.test"), format!("left{i}@x.test"));
                for who in [&gone, &left] {
                    join_in(&mut p, who, &given[0], Some("Acme"));
                    join_in(&mut p, who, role, Some("Other"));
                    assert_eq!(others_listed(&mut p, who), ["before"], "{preset} {role}");
                }
                p.deactivate(&email(&gone), Some("Other"), &Handover::Unassign)
                    .expect("deactivate");
                p.left_company(&email(&left), Some("Other"), &Handover::Unassign)
                    .expect("left");
                cut_off.extend([gone, left]);
            }
            let blocked = "blocked@x.test".to_string();
            join_in(&mut p, &blocked, &given[0], Some("Acme"));
            join_in(&mut p, &blocked, &blocking, Some("Other"));
            let invited = "invited@x.test".to_string();
            join_in(&mut p, &invited, &given[0], Some("Acme"));
            invite(&mut p, &invited, &given[0]);
            cut_off.extend([blocked, invited]);
            let stays = "stays@x.test";
            join_in(&mut p, stays, &given[0], Some("Other"));
            p.role_create(
                "after",
                &[caps::PORTAL_ACCESS],
                &Text::default(),
                Some("Other"),
            )
            .expect("Other's later role");
            for who in &cut_off {
                assert!(others_listed(&mut p, who).is_empty(), "{preset}: {who}");
                assert!(!shows(&mut p, who, "before"), "{preset}: {who}");
                assert!(!shows(&mut p, who, "after"), "{preset}: {who}");
            }
            assert_eq!(
                others_listed(&mut p, stays),
                ["after", "before"],
                "{preset}"
            );
            assert!(shows(&mut p, stays, "after"), "{preset}");
        }
    }

    /// A partner member whose external access to a customer was removed
    /// reads none of the customer's custom roles any more.
    #[test]
    fn external_access_removed_ends_sight_of_the_customers_roles() {
        let mut p = seeded("msp");
        join_in(&mut p, "una@acme.test", "msp-user", None);
        crate::domain::testing::add_account(&mut p, "Client", AccountKind::Customer, Some("Acme"));
        p.role_create(
            "client-only",
            &[caps::PORTAL_ACCESS],
            &Text::default(),
            Some("Client"),
        )
        .expect("Client's role");
        let una = email("una@acme.test");
        p.external_admin_add("Client", &una, "msp-user", None)
            .expect("external admin");
        let seen = |p: &mut Portal| {
            let operator = std::mem::replace(&mut p.ctx.actor, Actor::Member(una.clone()));
            let listed = p.role_list().expect("list");
            p.ctx.actor = operator;
            listed.iter().any(|r| r.name == "client-only")
        };
        assert!(seen(&mut p));
        p.external_admin_remove("Client", &una).expect("removed");
        assert!(!seen(&mut p));
    }

    fn add_account(p: &mut Portal, name: &str) {
        let kind = {
            let tx = p.gate.read(p.ctx.now).expect("read");
            tx.account_named("Acme").expect("read").expect("Acme").kind
        };
        crate::domain::testing::add_account(p, name, kind, None);
    }

    /// Invites `who` to `Other` without their accepting.
    fn invite(p: &mut Portal, who: &str, role: &str) {
        let located = {
            let tx = p.gate.read(p.ctx.now).expect("read");
            Catalog::load(&*tx).expect("catalog").require_location
        };
        p.invite(&InviteRequest {
            email: Some(email(who)),
            name: Some("Someone".into()),
            role: Some(role.into()),
            account: Some("Other".into()),
            city: located.then(|| "London".into()),
            country: located.then(|| "GB".into()),
            ..InviteRequest::default()
        })
        .expect("invite");
    }
}
