//! The roles of a database: listing them, creating custom ones and
//! deleting unused ones.

use std::collections::HashMap;

use super::access::{authorize, caps, ensure_portal_user};
use super::audit::Change;
use super::catalog::{check_role_name, role_view};
use super::{resolve_account, snapshot, Actor, Catalog, Portal};
use crate::error::{Error, Result};
use crate::model::{Capability, Role, Text};
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

    /// The capabilities the role gives, in catalog order.
    pub(crate) fn capability_list(&self) -> Vec<Capability> {
        Capability::all().filter(|c| self.holds(*c)).collect()
    }
}

impl Portal {
    /// Every role with how many memberships hold it.
    /// Member counts span every account, so only the operator sees them.
    pub(crate) fn role_list(&mut self) -> Result<Vec<RoleView>> {
        let tx = self.gate.read()?;
        let catalog = Catalog::load(&*tx)?;
        let operator = ensure_portal_user(&*tx, &catalog, &self.ctx)?;
        let mut counts: HashMap<i64, usize> = HashMap::new();
        if operator {
            for account in tx.accounts()? {
                for m in tx.memberships_in(account.id)? {
                    *counts.entry(m.role_id).or_default() += 1;
                }
            }
        }
        Ok(tx
            .roles()?
            .iter()
            .filter(|r| r.deleted_at.is_none())
            .map(|r| role_view(r, operator.then(|| counts.get(&r.id).copied().unwrap_or(0))))
            .collect())
    }

    /// One role.
    pub(crate) fn role_show(&mut self, name: &str) -> Result<RoleView> {
        let tx = self.gate.read()?;
        let catalog = Catalog::load(&*tx)?;
        let operator = ensure_portal_user(&*tx, &catalog, &self.ctx)?;
        let role = catalog.role_named(name)?;
        let members = if operator {
            let mut count = 0;
            for account in tx.accounts()? {
                count += tx
                    .memberships_in(account.id)?
                    .iter()
                    .filter(|m| m.role_id == role.id)
                    .count();
            }
            Some(count)
        } else {
            None
        };
        let mut view = role_view(role, members);
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
    /// hold themselves.
    pub(crate) fn role_create(
        &mut self,
        name: &str,
        capabilities: &[Capability],
        description: &Text,
        account: Option<&str>,
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
            match tx.role_named(name)? {
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
            if matches!(w.ctx.actor, Actor::Member(_)) {
                let account = resolve_account(tx, &w.ctx, account, None)?;
                let who = authorize(tx, catalog, &w.ctx, &account, caps::USERS_MANAGE)?;
                who.ensure_may_give(&format!("role `{name}`"), &caps_given)?;
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
            };
            let id = tx.insert_role(&role, w.ctx.now)?;
            let view = role_view(&tx.role(id)?, Some(0));
            w.record(Change {
                action: "role.create",
                account: None,
                target: Some(name.to_string()),
                before: None,
                after: Some(snapshot(&view)?),
            });
            Ok(view)
        })
    }
}

impl Portal {
    /// Deletes a role nobody holds. The role is retired rather than removed
    /// (audit events name it) and is no longer offered. The owner role and
    /// the blocking role stay; a member needs `users.manage` and may delete
    /// only custom roles, the operator any other role.
    pub(crate) fn role_delete(&mut self, name: &str, account: Option<&str>) -> Result<RoleView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let role = catalog.role_named(name)?;
            if matches!(w.ctx.actor, Actor::Member(_)) {
                let account = resolve_account(tx, &w.ctx, account, None)?;
                let who = authorize(tx, catalog, &w.ctx, &account, caps::USERS_MANAGE)?;
                if role.builtin {
                    let email = who
                        .person()
                        .map(|p| p.email.to_string())
                        .unwrap_or_default();
                    return Err(Error::denied(format!(
                        "`{email}` may not delete role `{}`: it comes with the preset, and only the operator deletes those",
                        role.name
                    ))
                    .help("run the command without --as / PORTALCTL_AS"));
                }
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
            let holders = tx.role_holders(role.id)?;
            if !holders.is_empty() {
                return Err(Error::conflict(format!(
                    "role `{}` is held by {} membership(s): {}",
                    role.name,
                    holders.len(),
                    holder_names(tx, &holders)?
                ))
                .help("give them another role first with `portalctl user set-role EMAIL ROLE`"));
            }
            let before = role_view(role, Some(0));
            tx.delete_role(role.id, w.ctx.now)?;
            w.record(Change {
                    action: "role.delete",
                    account: None,
                    target: Some(role.name.clone()),
                    before: Some(snapshot(&before)?),
                    after: None,
                });
            Ok(before)
        })
    }
}

/// `email in Account` for the first few holders of a role; a member who
/// left and would get the role back on `activate` counts as a holder.
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
