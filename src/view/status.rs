//! How `status` prints.

use serde::Serialize;

use super::account::HIDDEN;
use crate::output::Fields;

/// Which database this is and how it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct StatusView {
    /// The database file.
    pub database: String,
    /// Its schema version (`PRAGMA user_version`); `null` when the file
    /// is too damaged to read it.
    pub schema_version: Option<i64>,
    /// The newest schema version this binary knows.
    pub schema_current: i64,
    /// The role catalog chosen at `init`.
    pub preset: Option<String>,
    /// What the counts cover: `all accounts` for the operator, else the
    /// accounts the acting member belongs to.
    pub scope: String,
    /// Accounts; `null` when the file is too damaged to count them.
    pub accounts: Option<i64>,
    /// Active members; `null` for a member who may see the users of none
    /// of their accounts.
    pub members: Option<i64>,
    /// Invitations still open; `null` where `members` is.
    pub pending_invitations: Option<i64>,
    /// Orders awaiting a decision; `null` for a member who may see the
    /// orders of none of their accounts.
    pub pending_orders: Option<i64>,
    /// Outbox emails waiting to be sent; operator only (`null` for a member).
    pub mail_pending: Option<i64>,
    /// Outbox emails given up on; operator only (`null` for a member).
    pub mail_failed: Option<i64>,
    /// Whether `PRAGMA integrity_check` and `PRAGMA foreign_key_check`
    /// pass.
    pub integrity_ok: bool,
    /// Whether the audit chain verifies (as `audit verify` does); `null`
    /// when the file is too damaged to read it.
    pub audit_chain_ok: Option<bool>,
    /// What is wrong, when something is; the operator only sees details.
    pub problems: Vec<String>,
}

impl Fields for StatusView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let pass = |ok: bool| if ok { "ok" } else { "FAILED" }.to_string();
        let count = |n: Option<i64>| n.map_or_else(|| "-".into(), |n| n.to_string());
        // A count left out of a file that could be read is one the reader
        // may not see, said as `account show` says it; in a file too
        // damaged to read, nothing was counted.
        let seen = |n: Option<i64>| match n {
            None if self.schema_version.is_some() => HIDDEN.into(),
            n => count(n),
        };
        let mut fields = vec![
            ("database", self.database.clone()),
            (
                "schema",
                format!(
                    "{} (this binary: {})",
                    count(self.schema_version),
                    self.schema_current
                ),
            ),
            ("preset", self.preset.clone().unwrap_or_else(|| "-".into())),
            ("counts for", self.scope.clone()),
            ("accounts", count(self.accounts)),
            ("members", seen(self.members)),
            ("pending invitations", seen(self.pending_invitations)),
            ("pending orders", seen(self.pending_orders)),
            ("mail pending", seen(self.mail_pending)),
            ("mail failed", seen(self.mail_failed)),
            ("integrity check", pass(self.integrity_ok)),
            (
                "audit chain",
                self.audit_chain_ok
                    .map_or_else(|| "not checked".into(), pass),
            ),
        ];
        fields.extend(self.problems.iter().map(|p| ("problem", p.clone())));
        fields
    }
}
