//! SQL for services and cost centres.

use rusqlite::{params, Row};

use super::SqliteTx;
use crate::error::Result;
use crate::model::{loose_skeleton, CostCentre, Service};

const SERVICE_COLUMNS: &str =
    "id, account_id, name, kind, assigned_to, assigned_until, created_at, number";

fn service_from_row(row: &Row<'_>) -> rusqlite::Result<Service> {
    Ok(Service {
        id: row.get("id")?,
        number: row.get("number")?,
        account_id: row.get("account_id")?,
        name: row.get("name")?,
        kind: row.get("kind")?,
        assigned_to: row.get("assigned_to")?,
        assigned_until: row.get("assigned_until")?,
        created_at: row.get("created_at")?,
    })
}

const CENTRE_COLUMNS: &str = "id, account_id, code, name, archived_at, created_at";

fn centre_from_row(row: &Row<'_>) -> rusqlite::Result<CostCentre> {
    Ok(CostCentre {
        id: row.get("id")?,
        account_id: row.get("account_id")?,
        code: row.get("code")?,
        name: row.get("name")?,
        archived_at: row.get("archived_at")?,
        created_at: row.get("created_at")?,
    })
}

impl SqliteTx<'_> {
    pub(super) fn services_in(&self, account_id: i64) -> Result<Vec<Service>> {
        self.rows(
            &format!("SELECT {SERVICE_COLUMNS} FROM services WHERE account_id = ?1 ORDER BY name"),
            [account_id],
            service_from_row,
        )
        .map(|rows| rows.into_iter().map(|s| self.service_in_force(s)).collect())
    }

    pub(super) fn services_assigned_to(&self, membership_id: i64) -> Result<Vec<Service>> {
        self.rows(
            &format!("SELECT {SERVICE_COLUMNS} FROM services WHERE assigned_to = ?1 ORDER BY name"),
            [membership_id],
            service_from_row,
        )
        .map(|rows| {
            rows.into_iter()
                .map(|s| self.service_in_force(s))
                .filter(|s| s.assigned_to == Some(membership_id))
                .collect()
        })
    }

    pub(super) fn services_page(
        &self,
        account_id: i64,
        limit: Option<u32>,
    ) -> Result<Vec<Service>> {
        self.rows(
            &format!(
                "SELECT {SERVICE_COLUMNS} FROM services WHERE account_id = ?1
                     ORDER BY name LIMIT ?2"
            ),
            params![account_id, limit.map_or(-1, i64::from)],
            service_from_row,
        )
        .map(|rows| rows.into_iter().map(|s| self.service_in_force(s)).collect())
    }

    pub(super) fn services_assigned_page(
        &self,
        membership_id: i64,
        limit: Option<u32>,
    ) -> Result<Vec<Service>> {
        // One whose assignment has lapsed is no longer theirs, and must
        // not take a place of the page.
        self.rows(
            &format!(
                "SELECT {SERVICE_COLUMNS} FROM services WHERE assigned_to = ?1
                     AND (assigned_until IS NULL OR assigned_until > ?2)
                     ORDER BY name LIMIT ?3"
            ),
            params![
                membership_id,
                self.moment_or_never(),
                limit.map_or(-1, i64::from)
            ],
            service_from_row,
        )
        .map(|rows| rows.into_iter().map(|s| self.service_in_force(s)).collect())
    }

    pub(super) fn service_by_id(&self, id: i64) -> Result<Option<Service>> {
        self.row(
            &format!("SELECT {SERVICE_COLUMNS} FROM services WHERE id = ?1"),
            [id],
            service_from_row,
        )
        .map(|s| s.map(|s| self.service_in_force(s)))
    }

    pub(super) fn service_named(&self, account_id: i64, name: &str) -> Result<Option<Service>> {
        self.row(
            &format!("SELECT {SERVICE_COLUMNS} FROM services WHERE account_id = ?1 AND name = ?2"),
            params![account_id, name],
            service_from_row,
        )
        .map(|s| s.map(|s| self.service_in_force(s)))
    }

    pub(super) fn service_numbered(&self, account_id: i64, number: i64) -> Result<Option<Service>> {
        self.row(
            &format!(
                "SELECT {SERVICE_COLUMNS} FROM services WHERE account_id = ?1 AND number = ?2"
            ),
            [account_id, number],
            service_from_row,
        )
        .map(|s| s.map(|s| self.service_in_force(s)))
    }

    pub(super) fn insert_service(&self, s: &Service) -> Result<i64> {
        let id = self.insert(
            "INSERT INTO services (account_id, name, kind, assigned_to, assigned_until,
                 created_at, name_loose, number)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                s.account_id,
                s.name,
                s.kind,
                s.assigned_to,
                s.assigned_until,
                s.created_at,
                loose_skeleton(&s.name),
                s.number,
            ],
        )?;
        self.note(|j| &mut j.services, id, None)?;
        Ok(id)
    }

    pub(super) fn last_service_number(&self, account_id: i64) -> Result<i64> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT COALESCE(MAX(number), 0) AS last FROM services WHERE account_id = ?1",
            )?
            .query_row([account_id], |r| r.get("last"))?)
    }

    pub(super) fn update_service(&self, s: &Service) -> Result<()> {
        let before = || -> Result<Service> {
            Ok(self
                .service_by_id(s.id)?
                .ok_or_else(|| anyhow::anyhow!("no service {} to update", s.id))?)
        };
        self.note(|j| &mut j.services, s.id, Some(&before))?;
        self.exec(
            "UPDATE services SET name = ?2, kind = ?3, assigned_to = ?4, assigned_until = ?5,
                 name_loose = ?6 WHERE id = ?1",
            params![
                s.id,
                s.name,
                s.kind,
                s.assigned_to,
                s.assigned_until,
                loose_skeleton(&s.name)
            ],
        )?;
        Ok(())
    }

    pub(super) fn cost_centres_in(&self, account_id: i64) -> Result<Vec<CostCentre>> {
        self.rows(
            &format!(
                "SELECT {CENTRE_COLUMNS} FROM cost_centres WHERE account_id = ?1 ORDER BY code"
            ),
            [account_id],
            centre_from_row,
        )
    }

    pub(super) fn cost_centre(&self, id: i64) -> Result<Option<CostCentre>> {
        self.row(
            &format!("SELECT {CENTRE_COLUMNS} FROM cost_centres WHERE id = ?1"),
            [id],
            centre_from_row,
        )
    }

    pub(super) fn cost_centre_by_code(
        &self,
        account_id: i64,
        code: &str,
    ) -> Result<Option<CostCentre>> {
        self.row(&format!(
                "SELECT {CENTRE_COLUMNS} FROM cost_centres WHERE account_id = ?1 AND code = ?2 COLLATE NOCASE"
            ), params![account_id, code], centre_from_row)
    }

    pub(super) fn cost_centres_by_code(
        &self,
        account_ids: &[i64],
        code: &str,
    ) -> Result<Vec<CostCentre>> {
        let ids = serde_json::to_string(account_ids).map_err(anyhow::Error::from)?;
        self.rows(
            &format!(
                "SELECT {CENTRE_COLUMNS} FROM cost_centres
                     WHERE account_id IN (SELECT value FROM json_each(?1))
                       AND code = ?2 COLLATE NOCASE"
            ),
            params![ids, code],
            centre_from_row,
        )
    }

    pub(super) fn insert_cost_centre(&self, c: &CostCentre) -> Result<i64> {
        self.insert(
            "INSERT INTO cost_centres (account_id, code, name, archived_at, created_at, name_loose)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                c.account_id,
                c.code,
                c.name,
                c.archived_at,
                c.created_at,
                loose_skeleton(&c.name)
            ],
        )
    }

    pub(super) fn update_cost_centre(&self, c: &CostCentre) -> Result<()> {
        self.exec(
            "UPDATE cost_centres SET code = ?2, name = ?3, archived_at = ?4, name_loose = ?5
                 WHERE id = ?1",
            params![c.id, c.code, c.name, c.archived_at, loose_skeleton(&c.name)],
        )?;
        Ok(())
    }
}
