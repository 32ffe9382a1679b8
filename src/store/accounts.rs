//! SQL for accounts.

use rusqlite::{params, Row};

use super::{keyword_col, SqliteTx};
use crate::error::{Error, Result};
use crate::model::{loose_skeleton, name_key, name_skeleton, Account, Profile};

const COLUMNS: &str = "id, name, kind, parent_id, currency, owner_id, phone, website, marketing, \
     sectors, billing_contact, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: row.get("id")?,
        name: row.get("name")?,
        kind: keyword_col(row, "kind")?,
        parent_id: row.get("parent_id")?,
        currency: row.get("currency")?,
        owner_id: row.get("owner_id")?,
        profile: Profile {
            phone: row.get("phone")?,
            website: row.get("website")?,
            marketing: row.get("marketing")?,
            sectors: row.get("sectors")?,
            billing_contact: row.get("billing_contact")?,
        },
        created_at: row.get("created_at")?,
    })
}

impl SqliteTx<'_> {
    pub(super) fn accounts(&self) -> Result<Vec<Account>> {
        self.rows(
            &format!("SELECT {COLUMNS} FROM accounts ORDER BY name"),
            [],
            from_row,
        )
    }

    pub(super) fn accounts_by_id(&self, ids: &[i64]) -> Result<Vec<Account>> {
        let ids = serde_json::to_string(ids).map_err(anyhow::Error::from)?;
        self.rows(
            &format!(
                "SELECT {} FROM json_each(?1) k CROSS JOIN accounts a ON a.id = k.value",
                super::qualified(COLUMNS, "a")
            ),
            [ids],
            from_row,
        )
    }

    pub(super) fn account(&self, id: i64) -> Result<Account> {
        self.row(
            &format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"),
            [id],
            from_row,
        )?
        .ok_or_else(|| Error::not_found(format!("no account with id {id}")))
    }

    pub(super) fn account_named(&self, name: &str) -> Result<Option<Account>> {
        self.row(
            // By its key (migration 24), preferring the exact spelling
            // where an older database holds two names of one key; by the
            // name itself for a row a key was never written for.
            &format!(
                "SELECT {COLUMNS} FROM accounts WHERE name_key = ?1 OR name = ?2
                 ORDER BY name = ?2 DESC, id LIMIT 1"
            ),
            params![name_key(name), name],
            from_row,
        )
    }

    pub(super) fn account_named_except(&self, name: &str, except: i64) -> Result<Option<Account>> {
        self.row(
            &format!(
                "SELECT {COLUMNS} FROM accounts WHERE (name_key = ?1 OR name = ?2) AND id != ?3
                 ORDER BY name = ?2 DESC, id LIMIT 1"
            ),
            params![name_key(name), name, except],
            from_row,
        )
    }

    pub(super) fn insert_account(&self, a: &Account) -> Result<i64> {
        let id = self.insert(
            "INSERT INTO accounts (name, kind, parent_id, currency, owner_id, phone, website, marketing, sectors,
                 billing_contact, created_at, name_key, name_skeleton, name_loose)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                a.name,
                a.kind.as_str(),
                a.parent_id,
                a.currency,
                a.owner_id,
                a.profile.phone,
                a.profile.website,
                a.profile.marketing,
                a.profile.sectors,
                a.profile.billing_contact,
                a.created_at,
                name_key(&a.name),
                name_skeleton(&a.name),
                loose_skeleton(&a.name),
            ],
        )?;
        self.note(|j| &mut j.accounts, id, None)?;
        Ok(id)
    }

    pub(super) fn update_account(&self, a: &Account) -> Result<()> {
        self.note(|j| &mut j.accounts, a.id, Some(&|| self.account(a.id)))?;
        self.exec(
            "UPDATE accounts SET name = ?2, kind = ?3, parent_id = ?4, currency = ?5, owner_id = ?6,
                 phone = ?7, website = ?8, marketing = ?9, sectors = ?10, billing_contact = ?11,
                 name_key = ?12, name_skeleton = ?13, name_loose = ?14
                 WHERE id = ?1",
            params![
                a.id,
                a.name,
                a.kind.as_str(),
                a.parent_id,
                a.currency,
                a.owner_id,
                a.profile.phone,
                a.profile.website,
                a.profile.marketing,
                a.profile.sectors,
                a.profile.billing_contact,
                name_key(&a.name),
                name_skeleton(&a.name),
                loose_skeleton(&a.name),
            ],
        )?;
        Ok(())
    }
}
