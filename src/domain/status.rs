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
            Actor::Operator(_) => (
                Seen::all(tx.status_counts(None)?),
                "all accounts".to_string(),
            ),
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

/// The counts an actor is shown: `None` for one they may see in none of
/// their accounts, which a 0 would misstate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    accounts: i64,
    members: Option<i64>,
    pending_invitations: Option<i64>,
    pending_orders: Option<i64>,
}

impl Seen {
    /// Every count, as the operator sees them.
    fn all(counts: StatusCounts) -> Self {
        Self {
            accounts: counts.accounts,
            members: Some(counts.members),
            pending_invitations: Some(counts.pending_invitations),
            pending_orders: Some(counts.pending_orders),
        }
    }
}

/// What a member is shown: each count over the accounts where they are an
/// active member who may see what it counts (portal access for the
/// accounts, the account's users for its members and invitations, every
/// order for the pending ones), so that `status` tells nobody more than
/// the commands would; a count they may see in none of them is withheld,
/// as the outbox's are.
fn member_counts(tx: &dyn Tx, ctx: &Ctx) -> Result<Seen> {
    let Actor::Member(email) = &ctx.actor else {
        return Ok(Seen::all(tx.status_counts(None)?));
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
    let people = if users.is_empty() {
        None
    } else {
        Some(tx.status_counts(Some(&users))?)
    };
    let pending_orders = if orders.is_empty() {
        None
    } else {
        Some(tx.status_counts(Some(&orders))?.pending_orders)
    };
    Ok(Seen {
        accounts: tx.status_counts(Some(&accounts))?.accounts,
        members: people.map(|c| c.members),
        pending_invitations: people.map(|c| c.pending_invitations),
        pending_orders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{email, join, seeded};

    /// A count the member may not see anywhere is withheld, not 0: a 0
    /// would say the account has no members.
    #[test]
    fn a_member_is_not_shown_counts_they_may_not_see() {
        let mut p = seeded("portal");
        join(&mut p, "una@acme.test", "user");
        join(&mut p, "fay@acme.test", "admin");
        let db = Path::new("portal.db");
        let all = p.status(db).expect("the operator's");
        assert!(all.members.is_some_and(|n| n >= 3), "{all:?}");
        p.ctx.actor = Actor::Member(email("fay@acme.test"));
        let fay = p.status(db).expect("fay's");
        assert_eq!(fay.members, all.members);
        assert_eq!(fay.pending_invitations, Some(0));
        p.ctx.actor = Actor::Member(email("una@acme.test"));
        let una = p.status(db).expect("una's");
        assert_eq!(una.accounts, 1);
        assert_eq!(
            (una.members, una.pending_invitations, una.pending_orders),
            (None, None, None),
            "{una:?}"
        );
    }
}
