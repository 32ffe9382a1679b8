//! SQL for invitations and the outbox.

use rusqlite::{params, Row};

use super::{keyword_col, SqliteTx};
use crate::error::Result;
use crate::model::{Invitation, InvitationState, OutboxMessage, Timestamp};

const COLUMNS: &str =
    "id, membership_id, token_hash, created_at, expires_at, state, ended_at, resend_count";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Invitation> {
    Ok(Invitation {
        id: row.get("id")?,
        membership_id: row.get("membership_id")?,
        token_hash: row.get("token_hash")?,
        created_at: row.get("created_at")?,
        expires_at: row.get("expires_at")?,
        state: keyword_col(row, "state")?,
        ended_at: row.get("ended_at")?,
        resend_count: row.get("resend_count")?,
    })
}

fn message_from_row(row: &Row<'_>) -> rusqlite::Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: row.get("id")?,
        kind: row.get("kind")?,
        recipient: row.get("recipient")?,
        subject: row.get("subject")?,
        body: row.get("body")?,
        created_at: row.get("created_at")?,
        sent_at: row.get("sent_at")?,
    })
}

impl SqliteTx<'_> {
    pub(super) fn insert_invitation(&self, i: &Invitation) -> Result<i64> {
        self.insert(
            "INSERT INTO invitations (membership_id, token_hash, created_at, expires_at, state, ended_at, resend_count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                i.membership_id,
                i.token_hash,
                i.created_at,
                i.expires_at,
                i.state.as_str(),
                i.ended_at,
                i.resend_count,
            ],
        )
    }

    pub(super) fn invitation_by_hash(&self, token_hash: &str) -> Result<Option<Invitation>> {
        self.row(
            &format!("SELECT {COLUMNS} FROM invitations WHERE token_hash = ?1"),
            [token_hash],
            from_row,
        )
    }

    pub(super) fn pending_invitation(&self, membership_id: i64) -> Result<Option<Invitation>> {
        self.row(
            &format!(
                "SELECT {COLUMNS} FROM invitations WHERE membership_id = ?1 AND state = 'pending'"
            ),
            [membership_id],
            from_row,
        )
    }

    pub(super) fn end_invitation(
        &self,
        id: i64,
        state: InvitationState,
        at: Timestamp,
    ) -> Result<()> {
        self.exec(
            "UPDATE invitations SET state = ?2, ended_at = ?3 WHERE id = ?1 AND state = 'pending'",
            params![id, state.as_str(), at],
        )?;
        Ok(())
    }

    pub(super) fn enqueue(&self, m: &OutboxMessage) -> Result<i64> {
        self.insert(
            "INSERT INTO outbox (kind, recipient, subject, body, created_at, sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![m.kind, m.recipient, m.subject, m.body, m.created_at, m.sent_at],
        )
    }

    pub(super) fn messages(&self, unsent_only: bool) -> Result<Vec<OutboxMessage>> {
        let sql = if unsent_only {
            "SELECT id, kind, recipient, subject, body, created_at, sent_at FROM outbox WHERE sent_at IS NULL ORDER BY id"
        } else {
            "SELECT id, kind, recipient, subject, body, created_at, sent_at FROM outbox ORDER BY id"
        };
        self.rows(sql, [], message_from_row)
    }
}
