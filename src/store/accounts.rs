//! SQL for accounts.

use rusqlite::{params, OptionalExtension, Row};

use super::{keyword_col, SqliteTx};
use crate::error::{Error, Result};
use crate::model::{Account, Profile};

const COLUMNS: &str =
    "id, name, kind, parent_id, currency, owner_id, phone, website, marketing, sectors, created_at";

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
        },
        created_at: row.get("created_at")?,
    })
}

impl SqliteTx<'_> {
    pub(super) fn accounts(&self) -> Result<Vec<Account>> {
        let accounts = self
            .tx
            .prepare_cached(&format!("SELECT {COLUMNS} FROM accounts ORDER BY name"))?
            .query_map([], from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(accounts)
    }

    pub(super) fn account(&self, id: i64) -> Result<Account> {
        self.tx
            .prepare_cached(&format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"))?
            .query_row([id], from_row)
            .optional()?
            .ok_or_else(|| Error::not_found(format!("no account with id {id}")))
    }

    pub(super) fn account_named(&self, name: &str) -> Result<Option<Account>> {
        let account = self
            .tx
            .prepare_cached(&format!("SELECT {COLUMNS} FROM accounts WHERE name = ?1"))?
            .query_row([name], from_row)
            .optional()?;
        Ok(account)
    }

    pub(super) fn insert_account(&self, a: &Account) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO accounts (name, kind, parent_id, currency, owner_id, phone, website, marketing, sectors, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                a.name,
                a.kind.as_str(),
                a.parent_id,
                a.currency,
                a.owner_id,
                a.profile.phone,
                a.profile.website,
                a.profile.marketing,
                a.profile.sectors,
                a.created_at
            ])?;
        let id = self.tx.last_insert_rowid();
        self.note(|j| &mut j.accounts, id, None)?;
        Ok(id)
    }

    pub(super) fn update_account(&self, a: &Account) -> Result<()> {
        self.note(|j| &mut j.accounts, a.id, Some(&|| self.account(a.id)))?;
        self.tx
            .prepare_cached(
                "UPDATE accounts SET name = ?2, kind = ?3, parent_id = ?4, currency = ?5, owner_id = ?6,
                 phone = ?7, website = ?8, marketing = ?9, sectors = ?10 WHERE id = ?1",
            )?
            .execute(params![
                a.id,
                a.name,
                a.kind.as_str(),
                a.parent_id,
                a.currency,
                a.owner_id,
                a.profile.phone,
                a.profile.website,
                a.profile.marketing,
                a.profile.sectors
            ])?;
        Ok(())
    }
}
