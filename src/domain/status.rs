//! `status`: which database this is and how it stands, read-only.
//!
//! The operator sees the whole database. A member sees the counts of the
//! accounts they are an active member of, and nothing of the outbox (it
//! holds every account's mail); whether the file and the audit chain pass
//! is shown to them as yes or no, without the details, which may name
//! events of other accounts.

use std::path::Path;

use super::audit::verify_chain;
use super::{Actor, Portal};
use crate::error::Result;
use crate::model::MemberStatus;
use crate::store::known_version;
use crate::view::StatusView;

impl Portal {
    /// The database at `database`: its schema, preset, counts and health.
    pub(crate) fn status(&mut self, database: &Path) -> Result<StatusView> {
        let tx = self.gate.read(self.ctx.now)?;
        let (accounts, scope) = match &self.ctx.actor {
            Actor::Operator(_) => (None, "all accounts".to_string()),
            Actor::Member(email) => {
                // `Portal::open` has made sure the member exists.
                let person = tx.person_by_email(email.as_str())?.ok_or_else(|| {
                    crate::error::Error::not_found(format!("no member `{email}`"))
                })?;
                let ids: Vec<i64> = tx
                    .memberships_of(person.id)?
                    .into_iter()
                    .filter(|m| m.status == MemberStatus::Active)
                    .map(|m| m.account_id)
                    .collect();
                (Some(ids), format!("the accounts of {email}"))
            }
        };
        let operator = accounts.is_none();
        let counts = tx.status_counts(accounts.as_deref())?;
        let mail = if operator {
            Some(tx.mail_counts()?)
        } else {
            None
        };
        let mut problems = Vec::new();
        let integrity = tx.integrity_problems()?;
        let integrity_ok = integrity.is_empty();
        let chain = verify_chain(&*tx, None);
        let audit_chain_ok = chain.is_ok();
        if operator {
            problems.extend(integrity.into_iter().map(|p| format!("integrity: {p}")));
            if let Err(e) = chain {
                problems.push(format!("audit: {e}"));
            }
        }
        Ok(StatusView {
            database: database.display().to_string(),
            schema_version: tx.schema_version()?,
            schema_current: known_version(),
            preset: tx.setting("preset")?,
            scope,
            accounts: counts.accounts,
            members: counts.members,
            pending_invitations: counts.pending_invitations,
            pending_orders: counts.pending_orders,
            mail_pending: mail.map(|m| m.pending),
            mail_failed: mail.map(|m| m.failed),
            integrity_ok,
            audit_chain_ok,
            problems,
        })
    }
}
