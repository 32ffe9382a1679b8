//! SQL for settings, roles and grant bundles.

use rusqlite::{params, OptionalExtension, Row};

use super::SqliteTx;
use crate::error::{Error, Result};
use crate::model::{GrantBundle, Role, Timestamp};

impl SqliteTx<'_> {
    pub(super) fn setting(&self, key: &str) -> Result<Option<String>> {
        let value = self
            .tx
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |r| r.get("value"))
            .optional()?;
        Ok(value)
    }

    pub(super) fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        self.note_catalog();
        self.exec(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    pub(super) fn delete_setting(&self, key: &str) -> Result<()> {
        self.note_catalog();
        self.exec("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }
}

impl SqliteTx<'_> {
    /// A row of [`ROLE_COLUMNS`], read by position: the catalog reads
    /// every account's custom roles, and finding each column by its name
    /// was a third of that.
    fn role_from_row(&self, row: &Row<'_>) -> rusqlite::Result<Role> {
        Ok(Role {
            id: row.get(0)?,
            name: row.get(1)?,
            description: row.get(2)?,
            all_capabilities: row.get(3)?,
            blocking: row.get(4)?,
            builtin: row.get(5)?,
            capabilities: Vec::new(),
            deleted_at: row.get(6)?,
            account_id: row.get(7)?,
        })
    }

    fn with_capabilities(&self, mut role: Role) -> Result<Role> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT capability FROM role_capabilities WHERE role_id = ?1 ORDER BY capability",
        )?;
        role.capabilities = stmt
            .query_map([role.id], |r| r.get("capability"))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(role)
    }
}

/// The columns of a role, in the order [`SqliteTx::role_from_row`] reads them.
const ROLE_COLUMNS: &str =
    "id, name, description, all_capabilities, blocking, builtin, deleted_at, account_id";

impl SqliteTx<'_> {
    pub(super) fn roles(&self) -> Result<Vec<Role>> {
        self.roles_where("", [])
    }

    pub(super) fn roles_made_for(&self, accounts: Option<&[i64]>) -> Result<Vec<Role>> {
        match accounts {
            Some(accounts) => self.roles_where(
                "WHERE account_id IS NOT NULL AND account_id IN (SELECT value FROM json_each(?1))",
                [serde_json::to_string(accounts).map_err(anyhow::Error::from)?],
            ),
            None => self.roles_where("WHERE account_id IS NULL", []),
        }
    }

    /// The roles `filter` (a `WHERE` clause on `roles`) lets through, by
    /// id, with their capabilities read in one statement, not one per
    /// role.
    fn roles_where<P: rusqlite::Params + Clone>(
        &self,
        filter: &str,
        params: P,
    ) -> Result<Vec<Role>> {
        let mut roles: Vec<Role> = self
            .tx
            .prepare_cached(&format!(
                "SELECT {ROLE_COLUMNS} FROM roles {filter} ORDER BY id"
            ))?
            .query_map(params.clone(), |r| self.role_from_row(r))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT role_id, capability FROM role_capabilities
             WHERE role_id IN (SELECT id FROM roles {filter})
             ORDER BY role_id, capability"
        ))?;
        let mut rows = stmt.query(params)?;
        let mut at = 0;
        while let Some(row) = rows.next()? {
            let role_id: i64 = row.get("role_id")?;
            // Both in the order of the roles' ids.
            while roles.get(at).is_some_and(|r| r.id < role_id) {
                at += 1;
            }
            if let Some(role) = roles.get_mut(at).filter(|r| r.id == role_id) {
                role.capabilities.push(row.get("capability")?);
            }
        }
        Ok(roles)
    }

    pub(super) fn role(&self, id: i64) -> Result<Role> {
        let role = self
            .tx
            .prepare_cached(&format!("SELECT {ROLE_COLUMNS} FROM roles WHERE id = ?1"))?
            .query_row([id], |r| self.role_from_row(r))
            .optional()?
            .ok_or_else(|| Error::not_found(format!("no role with id {id}")))?;
        self.with_capabilities(role)
    }

    pub(super) fn role_named(&self, name: &str, account: Option<i64>) -> Result<Option<Role>> {
        let role = self
            .tx
            .prepare_cached(&format!(
                "SELECT {ROLE_COLUMNS} FROM roles
                 WHERE name = ?1 AND (account_id IS NULL OR ?2 IS NULL OR account_id = ?2)
                 ORDER BY account_id IS NOT NULL, id LIMIT 1"
            ))?
            .query_row(rusqlite::params![name, account], |r| self.role_from_row(r))
            .optional()?;
        role.map(|r| self.with_capabilities(r)).transpose()
    }

    pub(super) fn insert_role(&self, role: &Role, at: Timestamp) -> Result<i64> {
        self.note_catalog();
        let id = self.insert(
            "INSERT INTO roles (name, description, all_capabilities, blocking, builtin, created_at, account_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                role.name,
                role.description,
                role.all_capabilities,
                role.blocking,
                role.builtin,
                at,
                role.account_id
            ],
        )?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO role_capabilities (role_id, capability) VALUES (?1, ?2)",
        )?;
        for cap in &role.capabilities {
            stmt.execute(params![id, cap])?;
        }
        Ok(id)
    }

    pub(super) fn delete_role(&self, id: i64, at: Timestamp) -> Result<()> {
        self.note_catalog();
        self.exec(
            "UPDATE roles SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
            params![id, at],
        )?;
        Ok(())
    }

    pub(super) fn role_holders(&self, id: i64) -> Result<Vec<(i64, i64)>> {
        let rows = self
            .tx
            .prepare_cached(
                "SELECT person_id, account_id FROM memberships
                 WHERE role_id = ?1
                    OR (status <> 'left' AND (previous_role_id = ?1 OR role_after = ?1))
                 ORDER BY id",
            )?
            .query_map([id], |r| Ok((r.get("person_id")?, r.get("account_id")?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub(super) fn bundles(&self) -> Result<Vec<GrantBundle>> {
        let mut bundles: Vec<GrantBundle> = self
            .tx
            .prepare_cached("SELECT name, description FROM grant_bundles ORDER BY name")?
            .query_map([], |r| {
                Ok(GrantBundle {
                    name: r.get("name")?,
                    description: r.get("description")?,
                    capabilities: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        // Every command reads the catalog, and a statement costs about as
        // much to prepare as to run: none for a catalog without bundles.
        if bundles.is_empty() {
            return Ok(bundles);
        }
        let mut stmt = self
            .tx
            .prepare_cached("SELECT capability FROM grant_bundle_capabilities WHERE bundle = ?1 ORDER BY capability")?;
        for bundle in &mut bundles {
            bundle.capabilities = stmt
                .query_map([&bundle.name], |r| r.get("capability"))?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(bundles)
    }

    pub(super) fn insert_bundle(&self, bundle: &GrantBundle) -> Result<()> {
        self.note_catalog();
        self.exec(
            "INSERT INTO grant_bundles (name, description) VALUES (?1, ?2)",
            params![bundle.name, bundle.description],
        )?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO grant_bundle_capabilities (bundle, capability) VALUES (?1, ?2)",
        )?;
        for cap in &bundle.capabilities {
            stmt.execute(params![bundle.name, cap])?;
        }
        Ok(())
    }
}
