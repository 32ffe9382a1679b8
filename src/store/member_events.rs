//! SQL for one member's audit events: `user history` and point-in-time
//! answers. Every statement finds them by the `audit_by_target` index
//! (target, account, seq), never by reading the whole log.

use rusqlite::params;

use super::audit::{from_row, readable, EVENT_COLUMNS};
use super::SqliteTx;
use crate::error::{Error, Result};
use crate::model::{AuditEvent, Timestamp};

impl SqliteTx<'_> {
    pub(super) fn target_events(
        &self,
        target: &str,
        account_id: i64,
        below_seq: i64,
    ) -> Result<Vec<AuditEvent>> {
        readable(self.rows(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events INDEXED BY audit_by_target
                 WHERE target = ?1 AND account_id = ?2 AND seq < ?3
                 ORDER BY seq"
            ),
            params![target, account_id, below_seq],
            from_row,
        )?)
    }

    pub(super) fn person_events(&self, target: &str) -> Result<Vec<AuditEvent>> {
        readable(self.rows(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events INDEXED BY audit_by_target
                 WHERE target = ?1 AND account_id IS NULL
                 ORDER BY seq"
            ),
            params![target],
            from_row,
        )?)
    }

    pub(super) fn member_state_at(
        &self,
        target: &str,
        account_id: i64,
        at: Timestamp,
    ) -> Result<Option<AuditEvent>> {
        // The newest of the member's events up to `at` whose `after` is a
        // member as `user show` prints one (it has a role and a status),
        // or the `init` that made the account with them as its owner.
        self.row(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events INDEXED BY audit_by_target
                 WHERE target = ?1 AND account_id = ?2 AND at <= ?3
                   AND (json_extract(after, '$.role') IS NOT NULL
                        AND json_extract(after, '$.status') IS NOT NULL
                        OR action = 'init')
                 ORDER BY seq DESC LIMIT 1"
            ),
            params![target, account_id, at],
            from_row,
        )?
        .transpose()
        .map_err(Error::from)
    }

    pub(super) fn target_events_between(
        &self,
        target: &str,
        account_id: i64,
        after_seq: i64,
        at: Timestamp,
    ) -> Result<Vec<AuditEvent>> {
        readable(self.rows(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events INDEXED BY audit_by_target
                 WHERE target = ?1 AND account_id = ?2 AND seq > ?3 AND at <= ?4
                 ORDER BY seq"
            ),
            params![target, account_id, after_seq, at],
            from_row,
        )?)
    }
}
