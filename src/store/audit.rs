//! SQL for the audit log.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension, Row};

use super::{json_col, AuditQuery, SqliteTx};
use crate::error::Result;
use crate::model::AuditEvent;

fn from_row(row: &Row<'_>) -> rusqlite::Result<AuditEvent> {
    Ok(AuditEvent {
        seq: row.get("seq")?,
        at: row.get("at")?,
        actor: row.get("actor")?,
        action: row.get("action")?,
        account: row.get("account")?,
        target: row.get("target")?,
        before: json_col(row, "before")?,
        after: json_col(row, "after")?,
        prev_hash: row.get("prev_hash")?,
        hash: row.get("hash")?,
    })
}

impl SqliteTx<'_> {
    pub(super) fn audit_head(&self) -> Result<Option<(i64, String)>> {
        let head = self
            .tx
            .prepare_cached("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get("seq")?, r.get("hash")?)))
            .optional()?;
        Ok(head)
    }

    pub(super) fn append_audit(&self, e: &AuditEvent, account_id: Option<i64>) -> Result<()> {
        self.exec(
            "INSERT INTO audit_events (seq, at, actor, action, account_id, account, target, before, after, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                e.seq,
                e.at,
                e.actor,
                e.action,
                account_id,
                e.account,
                e.target,
                e.before.as_ref().map(|v| v.to_string()),
                e.after.as_ref().map(|v| v.to_string()),
                e.prev_hash,
                e.hash,
            ],
        )?;
        Ok(())
    }

    pub(super) fn audit_events(&self, q: &AuditQuery) -> Result<Vec<AuditEvent>> {
        let mut sql = String::from(
            "SELECT seq, at, actor, action, account, target, before, after, prev_hash, hash FROM audit_events WHERE 1 = 1",
        );
        let mut args: Vec<Value> = Vec::new();
        if let Some(actor) = &q.actor {
            sql.push_str(" AND actor = ?");
            args.push(Value::Text(actor.clone()));
        }
        if let Some(accounts) = &q.accounts {
            let marks = vec!["?"; accounts.len()].join(", ");
            sql.push_str(&format!(" AND account_id IN ({marks})"));
            args.extend(accounts.iter().map(|a| Value::Integer(*a)));
        }
        if let Some(since) = q.since {
            sql.push_str(" AND at >= ?");
            args.push(Value::Text(since.to_string()));
        }
        sql.push_str(" ORDER BY seq DESC");
        if let Some(limit) = q.limit {
            sql.push_str(" LIMIT ?");
            args.push(Value::Integer(i64::from(limit)));
        }
        let mut events: Vec<AuditEvent> = self
            .tx
            .prepare(&sql)?
            .query_map(params_from_iter(args), from_row)?
            .collect::<rusqlite::Result<_>>()?;
        events.reverse();
        Ok(events)
    }
}
