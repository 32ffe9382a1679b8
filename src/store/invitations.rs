//! SQL for invitations and the outbox.

use rusqlite::{params, Row};

use super::{keyword_col, SqliteTx};
use crate::error::Result;
use crate::model::{Invitation, InvitationState, OutboxMessage, OutboxState, Timestamp};

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

/// The outbox's columns, as [`message_from_row`] reads them.
const MESSAGE_COLUMNS: &str = "id, kind, recipient, subject, body, created_at, sent_at, state, \
     invitation_id, attempts, last_error, last_attempt_at, next_attempt_at, ended_at, inviter";

fn message_from_row(row: &Row<'_>) -> rusqlite::Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: row.get("id")?,
        kind: row.get("kind")?,
        recipient: row.get("recipient")?,
        subject: row.get("subject")?,
        body: row.get("body")?,
        created_at: row.get("created_at")?,
        sent_at: row.get("sent_at")?,
        state: keyword_col(row, "state")?,
        invitation_id: row.get("invitation_id")?,
        attempts: row.get("attempts")?,
        last_error: row.get("last_error")?,
        last_attempt_at: row.get("last_attempt_at")?,
        next_attempt_at: row.get("next_attempt_at")?,
        ended_at: row.get("ended_at")?,
        inviter: row.get("inviter")?,
    })
}

impl SqliteTx<'_> {
    pub(super) fn insert_invitation(&self, i: &Invitation) -> Result<i64> {
        self.note_token(i.membership_id);
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
        // The token `user invite` printed, or one minted into an email.
        self.row(
            &format!(
                "SELECT {COLUMNS} FROM invitations WHERE token_hash = ?1
                 UNION ALL
                 SELECT {COLUMNS} FROM invitations WHERE id =
                     (SELECT invitation_id FROM invitation_tokens WHERE token_hash = ?1)"
            ),
            [token_hash],
            from_row,
        )
    }

    pub(super) fn invitation(&self, id: i64) -> Result<Option<Invitation>> {
        self.row(
            &format!("SELECT {COLUMNS} FROM invitations WHERE id = ?1"),
            [id],
            from_row,
        )
    }

    pub(super) fn add_invitation_token(
        &self,
        invitation_id: i64,
        token_hash: &str,
        at: Timestamp,
    ) -> Result<()> {
        if let Some(invitation) = self.invitation(invitation_id)? {
            self.note_token(invitation.membership_id);
        }
        self.exec(
            "INSERT INTO invitation_tokens (token_hash, invitation_id, created_at) VALUES (?1, ?2, ?3)",
            params![token_hash, invitation_id, at],
        )?;
        Ok(())
    }

    pub(super) fn remove_invitation_token(&self, token_hash: &str) -> Result<()> {
        self.exec(
            "DELETE FROM invitation_tokens WHERE token_hash = ?1",
            [token_hash],
        )?;
        Ok(())
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

    pub(super) fn last_invitation(&self, membership_id: i64) -> Result<Option<Invitation>> {
        self.row(
            &format!(
                "SELECT {COLUMNS} FROM invitations WHERE membership_id = ?1 ORDER BY id DESC LIMIT 1"
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

    pub(super) fn set_invitation_expiry(&self, id: i64, expires_at: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE invitations SET expires_at = ?2 WHERE id = ?1 AND state = 'pending'",
            params![id, expires_at],
        )?;
        Ok(())
    }

    pub(super) fn enqueue(&self, m: &OutboxMessage) -> Result<i64> {
        self.insert(
            "INSERT INTO outbox (kind, recipient, subject, body, created_at, sent_at, state,
                                 invitation_id, attempts, last_error, last_attempt_at,
                                 next_attempt_at, ended_at, inviter)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                m.kind,
                m.recipient,
                m.subject,
                m.body,
                m.created_at,
                m.sent_at,
                m.state.as_str(),
                m.invitation_id,
                m.attempts,
                m.last_error,
                m.last_attempt_at,
                m.next_attempt_at,
                m.ended_at,
                m.inviter,
            ],
        )
    }

    pub(super) fn messages(
        &self,
        state: Option<OutboxState>,
        limit: Option<u32>,
    ) -> Result<Vec<OutboxMessage>> {
        // SQLite reads a negative limit as none.
        let limit = limit.map_or(-1, i64::from);
        self.rows(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE ?1 IS NULL OR state = ?1 ORDER BY id LIMIT ?2"
            ),
            rusqlite::params![state.map(|s| s.as_str()), limit],
            message_from_row,
        )
    }

    pub(super) fn message(&self, id: i64) -> Result<Option<OutboxMessage>> {
        self.row(
            &format!("SELECT {MESSAGE_COLUMNS} FROM outbox WHERE id = ?1"),
            [id],
            message_from_row,
        )
    }

    pub(super) fn next_due_message(&self, now: Timestamp) -> Result<Option<OutboxMessage>> {
        // Times are RFC 3339 UTC text, so they compare as text.
        self.row(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM outbox
                 WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)
                 ORDER BY id LIMIT 1"
            ),
            [now],
            message_from_row,
        )
    }

    pub(super) fn update_message(&self, m: &OutboxMessage) -> Result<()> {
        self.exec(
            "UPDATE outbox SET sent_at = ?2, state = ?3, attempts = ?4, last_error = ?5,
                               last_attempt_at = ?6, next_attempt_at = ?7, ended_at = ?8,
                               subject = ?9, body = ?10
             WHERE id = ?1",
            params![
                m.id,
                m.sent_at,
                m.state.as_str(),
                m.attempts,
                m.last_error,
                m.last_attempt_at,
                m.next_attempt_at,
                m.ended_at,
                m.subject,
                m.body,
            ],
        )?;
        Ok(())
    }

    pub(super) fn invitation_mailed(&self, invitation_id: i64) -> Result<bool> {
        // By `outbox_by_invitation`.
        Ok(self
            .row(
                "SELECT 1 FROM outbox WHERE invitation_id = ?1 LIMIT 1",
                params![invitation_id],
                |_| Ok(()),
            )?
            .is_some())
    }

    pub(super) fn cancel_invitation_messages(
        &self,
        invitation_id: i64,
        reason: &str,
        at: Timestamp,
    ) -> Result<usize> {
        self.exec(
            "UPDATE outbox SET state = 'cancelled', ended_at = ?3, last_error = ?2,
                               next_attempt_at = NULL
             WHERE invitation_id = ?1 AND state IN ('pending', 'failed')",
            params![invitation_id, reason, at],
        )
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    /// A database as the version before delivery left it: one invitation
    /// email still pending, one whose invitation was accepted, each with
    /// its token in the body.
    fn before_delivery() -> Connection {
        let conn = Connection::open_in_memory().expect("memory");
        for sql in [
            include_str!("../../schema.sql"),
            include_str!("../../migrations/0002_audit_insert_guard.sql"),
            include_str!("../../migrations/0003_role_account.sql"),
        ] {
            conn.execute_batch(sql).expect("older schema");
        }
        let body = |token: &str| {
            format!("Hello Ann,\n\nAccept with:\n\n    portalctl user accept pinv_{token}\n\nThis invitation expires at 2026-12-02T10:00:00Z.\n")
        };
        conn.execute_batch(
            "INSERT INTO roles (id, name, created_at) VALUES (1, 'user', '2026-11-25T10:00:00Z');
             INSERT INTO people (id, email, name, created_at) VALUES
                 (1, 'ann@acme.test', 'Ann', '2026-11-25T10:00:00Z'),
                 (2, 'bob@acme.test', 'Bob', '2026-11-25T10:00:00Z');
             INSERT INTO accounts (id, name, kind, currency, created_at)
                 VALUES (1, 'Acme', 'partner', 'GBP', '2026-11-25T10:00:00Z');
             INSERT INTO memberships (id, person_id, account_id, role_id, status, created_at, updated_at) VALUES
                 (1, 1, 1, 1, 'invited', '2026-11-25T10:00:00Z', '2026-11-25T10:00:00Z'),
                 (2, 2, 1, 1, 'active', '2026-11-25T10:00:00Z', '2026-11-25T10:00:00Z');
             INSERT INTO invitations (id, membership_id, token_hash, created_at, expires_at, state) VALUES
                 (1, 1, 'h1', '2026-11-25T10:00:00Z', '2026-12-02T10:00:00Z', 'pending'),
                 (2, 2, 'h2', '2026-11-25T10:00:00Z', '2026-12-02T10:00:00Z', 'accepted');",
        )
        .expect("rows");
        for (who, token) in [
            ("ann@acme.test", "a".repeat(64)),
            ("bob@acme.test", "b".repeat(64)),
        ] {
            conn.execute(
                "INSERT INTO outbox (kind, recipient, subject, body, created_at)
                 VALUES ('invitation', ?1, 'Invited', ?2, '2026-11-25T10:00:00Z')",
                [who, &body(&token)],
            )
            .expect("email");
        }
        conn
    }

    #[test]
    fn the_migration_takes_the_tokens_out_of_queued_emails() {
        let conn = before_delivery();
        conn.execute_batch(include_str!("../../migrations/0005_outbox_delivery.sql"))
            .expect("migration");
        let rows: Vec<(String, Option<i64>, String, String)> = conn
            .prepare("SELECT recipient, invitation_id, state, body FROM outbox ORDER BY id")
            .expect("select")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        for (who, _, _, body) in &rows {
            assert!(!body.contains("pinv_"), "{who}: {body}");
            assert!(
                body.lines().any(
                    |l| l == "    portalctl user accept <token minted when this email is sent>"
                ),
                "{who}: {body}"
            );
            assert!(
                body.ends_with("expires at 2026-12-02T10:00:00Z.\n"),
                "{body}"
            );
        }
        assert_eq!((rows[0].1, rows[0].2.as_str()), (Some(1), "pending"));
        assert_eq!((rows[1].1, rows[1].2.as_str()), (Some(2), "cancelled"));
    }
}
