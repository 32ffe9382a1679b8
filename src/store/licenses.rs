//! SQL for licences and their allocations to customers.

use rusqlite::{params, OptionalExtension, Row};

use super::SqliteTx;
use crate::error::Result;
use crate::model::{Allocation, License};

const COLUMNS: &str = "id, account_id, product, seats, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<License> {
    Ok(License {
        id: row.get("id")?,
        account_id: row.get("account_id")?,
        product: row.get("product")?,
        seats: row.get("seats")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

fn allocation_from_row(row: &Row<'_>) -> rusqlite::Result<Allocation> {
    Ok(Allocation {
        license_id: row.get("license_id")?,
        customer_id: row.get("customer_id")?,
        seats: row.get("seats")?,
        updated_at: row.get("updated_at")?,
    })
}

impl SqliteTx<'_> {
    pub(super) fn licenses_of(&self, account_id: i64) -> Result<Vec<License>> {
        let rows = self
            .tx
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM licenses WHERE account_id = ?1 ORDER BY product"
            ))?
            .query_map([account_id], from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub(super) fn license_for(&self, account_id: i64, product: &str) -> Result<Option<License>> {
        let license = self
            .tx
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM licenses WHERE account_id = ?1 AND product = ?2"
            ))?
            .query_row(params![account_id, product], from_row)
            .optional()?;
        Ok(license)
    }

    pub(super) fn insert_license(&self, l: &License) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO licenses (account_id, product, seats, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                l.account_id, l.product, l.seats, l.created_at, l.updated_at
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    pub(super) fn update_license(&self, l: &License) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE licenses SET seats = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(params![l.id, l.seats, l.updated_at])?;
        Ok(())
    }

    pub(super) fn allocations(&self, license_id: i64) -> Result<Vec<Allocation>> {
        let rows = self
            .tx
            .prepare_cached(
                "SELECT license_id, customer_id, seats, updated_at FROM license_allocations
                 WHERE license_id = ?1 ORDER BY customer_id",
            )?
            .query_map([license_id], allocation_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub(super) fn allocations_of_customer(&self, customer_id: i64) -> Result<Vec<Allocation>> {
        let rows = self
            .tx
            .prepare_cached(
                "SELECT license_id, customer_id, seats, updated_at FROM license_allocations
                 WHERE customer_id = ?1 ORDER BY license_id",
            )?
            .query_map([customer_id], allocation_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub(super) fn put_allocation(&self, a: &Allocation) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO license_allocations (license_id, customer_id, seats, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (license_id, customer_id) DO UPDATE SET seats = excluded.seats,
                 updated_at = excluded.updated_at",
            )?
            .execute(params![a.license_id, a.customer_id, a.seats, a.updated_at])?;
        Ok(())
    }
}
