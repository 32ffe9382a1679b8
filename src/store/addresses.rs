//! SQL for shipping addresses.

use rusqlite::{params, Row};

use super::SqliteTx;
use crate::error::Result;
use crate::model::{loose_skeleton, name_key, name_skeleton, Address, ShippingAddress, Timestamp};

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
        self.rows(
            &format!(
                "SELECT {COLUMNS} FROM addresses WHERE account_id = ?1 AND removed_at IS NULL
                 ORDER BY label"
            ),
            [account_id],
            from_row,
        )
    }

    pub(super) fn address_labelled(&self, account_id: i64, label: &str) -> Result<Option<Address>> {
        self.row(
            &format!(
                "SELECT {COLUMNS} FROM addresses
                 WHERE account_id = ?1 AND (label_key = ?3 OR label = ?2) AND removed_at IS NULL
                 ORDER BY label = ?2 DESC, id LIMIT 1"
            ),
            params![account_id, label, name_key(label)],
            from_row,
        )
    }

    pub(super) fn insert_address(
        &self,
        account_id: i64,
        f: &ShippingAddress,
        at: Timestamp,
    ) -> Result<i64> {
        self.insert(
            "INSERT INTO addresses (account_id, label, line1, line2, city, postcode, country, created_at,
                 label_key, label_skeleton, label_loose)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                account_id,
                f.label,
                f.line1,
                f.line2,
                f.city,
                f.postcode,
                f.country,
                at,
                name_key(&f.label),
                name_skeleton(&f.label),
                loose_skeleton(&f.label),
            ],
        )
    }

    pub(super) fn mark_address_removed(&self, id: i64, at: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE addresses SET removed_at = ?2 WHERE id = ?1 AND removed_at IS NULL",
            params![id, at],
        )?;
        Ok(())
    }
}
