//! SQL for licences and their allocations to customers.

use rusqlite::{params, Row};

use super::{json_col, SqliteTx};
use crate::error::Result;
use crate::model::{name_key, Allocation, License};

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
        ship_to: json_col(row, "ship_to")?,
        updated_at: row.get("updated_at")?,
    })
}

impl SqliteTx<'_> {
    pub(super) fn licenses_of(&self, account_id: i64) -> Result<Vec<License>> {
        self.rows(
            &format!("SELECT {COLUMNS} FROM licenses WHERE account_id = ?1 ORDER BY product"),
            [account_id],
            from_row,
        )
    }

    pub(super) fn license_for(&self, account_id: i64, product: &str) -> Result<Option<License>> {
        self.row(
            // By its key (migration 29), preferring the exact spelling
            // where an older database holds two products of one key.
            &format!(
                "SELECT {COLUMNS} FROM licenses
                 WHERE account_id = ?1 AND (product_key = ?3 OR product = ?2)
                 ORDER BY product = ?2 DESC, id LIMIT 1"
            ),
            params![account_id, product, name_key(product)],
            from_row,
        )
    }

    pub(super) fn insert_license(&self, l: &License) -> Result<i64> {
        self.insert(
            "INSERT INTO licenses (account_id, product, seats, created_at, updated_at, product_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                l.account_id,
                l.product,
                l.seats,
                l.created_at,
                l.updated_at,
                name_key(&l.product)
            ],
        )
    }

    pub(super) fn update_license(&self, l: &License) -> Result<()> {
        self.exec(
            "UPDATE licenses SET seats = ?2, updated_at = ?3 WHERE id = ?1",
            params![l.id, l.seats, l.updated_at],
        )?;
        Ok(())
    }

    pub(super) fn allocations(&self, license_id: i64) -> Result<Vec<Allocation>> {
        self.rows(
            "SELECT license_id, customer_id, seats, ship_to, updated_at FROM license_allocations
                 WHERE license_id = ?1 ORDER BY customer_id",
            [license_id],
            allocation_from_row,
        )
    }

    pub(super) fn allocations_of_customer(&self, customer_id: i64) -> Result<Vec<Allocation>> {
        self.rows(
            "SELECT license_id, customer_id, seats, ship_to, updated_at FROM license_allocations
                 WHERE customer_id = ?1 ORDER BY license_id",
            [customer_id],
            allocation_from_row,
        )
    }

    pub(super) fn put_allocation(&self, a: &Allocation) -> Result<()> {
        let ship_to = a
            .ship_to
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| anyhow::Error::new(e).context("cannot store the shipping address"))?;
        self.exec(
            "INSERT INTO license_allocations (license_id, customer_id, seats, ship_to, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (license_id, customer_id) DO UPDATE SET seats = excluded.seats,
                 ship_to = excluded.ship_to, updated_at = excluded.updated_at",
            params![a.license_id, a.customer_id, a.seats, ship_to, a.updated_at],
        )?;
        Ok(())
    }
}
