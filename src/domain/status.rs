//! `status`: which database this is and how it stands, read-only.
//!
//! The operator sees the whole database. A member sees the counts of the
//! accounts they are an active member of, each as far as they may see
//! what it counts, and nothing of the outbox (it
//! holds every account's mail); whether the file and the audit chain pass
//! is shown to them as yes or no, without the details, which may name
//! events of other accounts.

use std::path::Path;

use super::access::{authority, caps};
use super::audit::verify_chain;
use super::{Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{Capability, MemberStatus};
use crate::store::{known_version, StatusCounts, Tx};
use crate::view::StatusView;

impl Portal {
    /// The database at `database`: its schema, preset, counts and health.
    pub(crate) fn status(&mut self, database: &Path) -> Result<StatusView> {
        let tx = self.gate.read(self.ctx.now)?;
        let (counts, scope) = match &self.ctx.actor {
            Actor::Operator(_) => (tx.status_counts(None)?, "all accounts".to_string()),
            Actor::Member(email) => (
                member_counts(&*tx, &self.ctx)?,
                format!("the accounts of {email}"),
            ),
        };
        let operator = matches!(self.ctx.actor, Actor::Operator(_));
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

/// What a member is shown: each count over the accounts where they are an
/// active member who may see what it counts (portal access for the
/// accounts, the account's users for its members and invitations, every
/// order for the pending ones), so that `status` tells nobody more than
/// the commands would.
fn member_counts(tx: &dyn Tx, ctx: &Ctx) -> Result<StatusCounts> {
    let Actor::Member(email) = &ctx.actor else {
        return tx.status_counts(None);
    };
    // `Portal::open` has made sure the member exists.
    let person = tx
        .person_by_email(email.as_str())?
        .ok_or_else(|| Error::not_found(format!("no member `{email}`")))?;
    let catalog = Catalog::load(tx)?;
    let (mut accounts, mut users, mut orders) = (Vec::new(), Vec::new(), Vec::new());
    for m in tx.memberships_of(person.id)? {
        if m.status != MemberStatus::Active {
            continue;
        }
        let account = tx.account(m.account_id)?;
        let who = authority(tx, &catalog, ctx, &account)?;
        let holds = |caps: &[Capability]| caps.iter().any(|c| who.holds(*c));
        if holds(&[caps::PORTAL_ACCESS]) {
            accounts.push(account.id);
        }
        if holds(&[caps::USERS_VIEW, caps::USERS_MANAGE]) {
            users.push(account.id);
        }
        if holds(&[caps::ORDERS_APPROVE, caps::BILLING_VIEW]) {
            orders.push(account.id);
        }
    }
    let people = tx.status_counts(Some(&users))?;
    Ok(StatusCounts {
        accounts: tx.status_counts(Some(&accounts))?.accounts,
        members: people.members,
        pending_invitations: people.pending_invitations,
        pending_orders: tx.status_counts(Some(&orders))?.pending_orders,
    })
}
