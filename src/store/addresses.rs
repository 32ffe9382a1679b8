//! SQL for shipping addresses.

use rusqlite::{params, OptionalExtension, Row};

use super::SqliteTx;
use crate::error::Result;
use crate::model::{Address, ShippingAddress, Timestamp};

const COLUMNS: &str =
    "id, account_id, label, line1, line2, city, postcode, country, created_at, removed_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Address> {
    Ok(Address {
        id: row.get("id")?,
        account_id: row.get("account_id")?,
        fields: ShippingAddress {
            label: row.get("label")?,
            line1: row.get("line1")?,
            line2: row.get("line2")?,
            city: row.get("city")?,
            postcode: row.get("postcode")?,
            country: row.get("country")?,
        },
        created_at: row.get("created_at")?,
        removed_at: row.get("removed_at")?,
    })
}

impl SqliteTx<'_> {
    pub(super) fn addresses(&self, account_id: i64) -> Result<Vec<Address>> {
        let rows = self
            .tx
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM addresses WHERE account_id = ?1 AND removed_at IS NULL
                 ORDER BY label"
            ))?
            .query_map([account_id], from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub(super) fn address_labelled(&self, account_id: i64, label: &str) -> Result<Option<Address>> {
        let address = self
            .tx
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM addresses
                 WHERE account_id = ?1 AND label = ?2 AND removed_at IS NULL"
            ))?
            .query_row(params![account_id, label], from_row)
            .optional()?;
        Ok(address)
    }

    pub(super) fn insert_address(
        &self,
        account_id: i64,
        f: &ShippingAddress,
        at: Timestamp,
    ) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO addresses (account_id, label, line1, line2, city, postcode, country, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                account_id,
                f.label,
                f.line1,
                f.line2,
                f.city,
                f.postcode,
                f.country,
                at
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    pub(super) fn mark_address_removed(&self, id: i64, at: Timestamp) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE addresses SET removed_at = ?2 WHERE id = ?1 AND removed_at IS NULL",
            )?
            .execute(params![id, at])?;
        Ok(())
    }
}
