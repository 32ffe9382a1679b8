//! SQL for delegations of deciding orders, and for who could decide an
//! order as recorded with each decision.

use rusqlite::{params, Row};

use super::SqliteTx;
use crate::error::Result;
use crate::model::{Delegation, RecordedDeciders, Timestamp};

const DELEGATION_COLUMNS: &str = "id, account_id, delegator_id, delegate_id, starts_at, ends_at, \
     created_by, setter_id, created_at, ended_by";

fn delegation_from_row(row: &Row<'_>) -> rusqlite::Result<Delegation> {
    Ok(Delegation {
        id: row.get("id")?,
        account_id: row.get("account_id")?,
        delegator_id: row.get("delegator_id")?,
        delegate_id: row.get("delegate_id")?,
        starts_at: row.get("starts_at")?,
        ends_at: row.get("ends_at")?,
        created_by: row.get("created_by")?,
        setter_id: row.get("setter_id")?,
        created_at: row.get("created_at")?,
        ended_by: row.get("ended_by")?,
    })
}

impl SqliteTx<'_> {
    pub(super) fn delegation(&self, id: i64) -> Result<Delegation> {
        Ok(self
            .tx
            .prepare_cached(&format!(
                "SELECT {DELEGATION_COLUMNS} FROM delegations WHERE id = ?1"
            ))?
            .query_row([id], delegation_from_row)?)
    }

    pub(super) fn insert_delegation(&self, d: &Delegation) -> Result<i64> {
        let id = self.insert(
            "INSERT INTO delegations (account_id, delegator_id, delegate_id, starts_at, ends_at,
                 created_by, setter_id, created_at, ended_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                d.account_id, d.delegator_id, d.delegate_id, d.starts_at, d.ends_at, d.created_by,
                d.setter_id, d.created_at, d.ended_by,
            ],
        )?;
        self.note(|j| &mut j.delegations, id, None)?;
        Ok(id)
    }

    pub(super) fn end_delegation(&self, id: i64, at: Timestamp, by: &str) -> Result<()> {
        self.note(|j| &mut j.delegations, id, Some(&|| self.delegation(id)))?;
        self.exec(
            "UPDATE delegations SET ends_at = max(starts_at, ?2), ended_by = ?3 WHERE id = ?1",
            params![id, at, by],
        )?;
        Ok(())
    }

    pub(super) fn delegations_to(
        &self,
        account_id: i64,
        delegate_id: i64,
        at: Timestamp,
    ) -> Result<Vec<Delegation>> {
        self.rows(
            &format!(
                "SELECT {DELEGATION_COLUMNS} FROM delegations
                     WHERE account_id = ?1 AND delegate_id = ?2 AND ends_at > ?3 AND starts_at <= ?3
                     ORDER BY id"
            ),
            params![account_id, delegate_id, at],
            delegation_from_row,
        )
    }

    pub(super) fn delegations_to_in(
        &self,
        account_ids: &[i64],
        delegate_id: i64,
        at: Timestamp,
    ) -> Result<Vec<Delegation>> {
        let ids = serde_json::to_string(account_ids).map_err(anyhow::Error::from)?;
        self.rows(
            &format!(
                "SELECT {} FROM json_each(?1) a CROSS JOIN delegations d
                     WHERE d.account_id = a.value AND d.delegate_id = ?2
                       AND d.ends_at > ?3 AND d.starts_at <= ?3
                     ORDER BY d.id",
                super::qualified(DELEGATION_COLUMNS, "d")
            ),
            params![ids, delegate_id, at],
            delegation_from_row,
        )
    }

    pub(super) fn delegations_from(
        &self,
        account_id: i64,
        delegator_id: i64,
        after: Timestamp,
    ) -> Result<Vec<Delegation>> {
        self.rows(
            &format!(
                "SELECT {DELEGATION_COLUMNS} FROM delegations
                     WHERE account_id = ?1 AND delegator_id = ?2 AND ends_at > ?3 AND ends_at > starts_at
                     ORDER BY starts_at, id"
            ),
            params![account_id, delegator_id, after],
            delegation_from_row,
        )
    }

    pub(super) fn delegations_in(
        &self,
        account_id: i64,
        after: Timestamp,
    ) -> Result<Vec<Delegation>> {
        self.rows(
            &format!(
                "SELECT {DELEGATION_COLUMNS} FROM delegations
                     WHERE account_id = ?1 AND ends_at > ?2 AND ends_at > starts_at
                     ORDER BY starts_at, id"
            ),
            params![account_id, after],
            delegation_from_row,
        )
    }

    pub(super) fn record_deciders(
        &self,
        order_id: i64,
        person_id: i64,
        recorded: &RecordedDeciders,
    ) -> Result<()> {
        self.exec(
            "UPDATE order_decisions SET more_deciders = ?3 WHERE order_id = ?1 AND person_id = ?2",
            params![order_id, person_id, recorded.more],
        )?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO order_decision_deciders (order_id, person_id, position, decider_id, on_behalf_of)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (position, (decider, on_behalf_of)) in recorded.deciders.iter().enumerate() {
            stmt.execute(params![
                order_id, person_id, position as i64, decider, on_behalf_of
            ])?;
        }
        Ok(())
    }

    pub(super) fn recorded_deciders(
        &self,
        order_id: i64,
        person_id: i64,
    ) -> Result<Option<RecordedDeciders>> {
        let more: Option<Option<bool>> = self.row(
            "SELECT more_deciders FROM order_decisions WHERE order_id = ?1 AND person_id = ?2",
            [order_id, person_id],
            |r| r.get("more_deciders"),
        )?;
        let Some(Some(more)) = more else {
            return Ok(None);
        };
        let deciders = self.rows(
            "SELECT decider_id, on_behalf_of FROM order_decision_deciders
                 WHERE order_id = ?1 AND person_id = ?2 ORDER BY position",
            [order_id, person_id],
            |r| Ok((r.get("decider_id")?, r.get("on_behalf_of")?)),
        )?;
        Ok(Some(RecordedDeciders { deciders, more }))
    }
}
