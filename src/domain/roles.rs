//! The roles of a database: listing them and creating custom ones.

use std::collections::HashMap;

use super::access::{authorize, caps};
use super::audit::{record, Change};
use super::catalog::{check_role_name, role_view};
use super::{resolve_account, snapshot, Actor, Catalog, Portal};
use crate::error::{Error, Result};
use crate::model::{Capability, Role};
use crate::view::RoleView;

impl Portal {
    /// Every role with how many memberships hold it.
    pub fn role_list(&mut self) -> Result<Vec<RoleView>> {
        let tx = self.store.read()?;
        Catalog::load(&*tx)?;
        let mut counts: HashMap<i64, usize> = HashMap::new();
        for account in tx.accounts()? {
            for m in tx.memberships_in(account.id)? {
                *counts.entry(m.role_id).or_default() += 1;
            }
        }
        Ok(tx
            .roles()?
            .iter()
            .map(|r| role_view(r, Some(counts.get(&r.id).copied().unwrap_or(0))))
            .collect())
    }

    /// One role.
    pub fn role_show(&mut self, name: &str) -> Result<RoleView> {
        let tx = self.store.read()?;
        let catalog = Catalog::load(&*tx)?;
        let role = catalog.role_named(name)?;
        let members = tx
            .accounts()?
            .iter()
            .map(|a| {
                Ok(tx
                    .memberships_in(a.id)?
                    .iter()
                    .filter(|m| m.role_id == role.id)
                    .count())
            })
            .sum::<Result<usize>>()?;
        Ok(role_view(role, Some(members)))
    }

    /// Adds a custom role. Roles serve every account of the database, so a
    /// member needs `users.manage` and may only bundle capabilities they
    /// hold themselves.
    pub fn role_create(
        &mut self,
        name: &str,
        capabilities: &[String],
        description: &str,
        account: Option<&str>,
    ) -> Result<RoleView> {
        let tx = self.store.write()?;
        let catalog = Catalog::load(&*tx)?;
        let name = name.trim();
        check_role_name(name).map_err(Error::invalid)?;
        let mut caps_given: Vec<Capability> = Vec::new();
        for cap in capabilities {
            let cap: Capability = cap.parse()?;
            if !caps_given.contains(&cap) {
                caps_given.push(cap);
            }
        }
        if tx.role_named(name)?.is_some() {
            return Err(Error::conflict(format!("role `{name}` already exists"))
                .help("`portalctl role list` shows the roles"));
        }
        if matches!(self.ctx.actor, Actor::Member(_)) {
            let account = resolve_account(&*tx, &self.ctx, account, None)?;
            let who = authorize(&*tx, &catalog, &self.ctx, &account, caps::USERS_MANAGE)?;
            who.ensure_may_give(&format!("role `{name}`"), &caps_given)?;
        }
        let role = Role {
            id: 0,
            name: name.to_string(),
            description: description.trim().to_string(),
            all_capabilities: false,
            blocking: false,
            builtin: false,
            capabilities: caps_given
                .iter()
                .filter(|c| **c != caps::PORTAL_ACCESS)
                .map(|c| c.to_string())
                .collect(),
        };
        let id = tx.insert_role(&role, self.ctx.now)?;
        let view = role_view(&tx.role(id)?, Some(0));
        record(
            &*tx,
            &self.ctx,
            Change {
                action: "role.create",
                account: None,
                target: Some(name.to_string()),
                before: None,
                after: Some(snapshot(&view)?),
            },
        )?;
        tx.commit()?;
        Ok(view)
    }
}
