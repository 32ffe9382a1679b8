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
use super::held_names::name_problems;
use super::{Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{Capability, MemberStatus};
use crate::store::{known_version, Damaged, StatusCounts, Tx};
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
            // They work, but stop the copy a backup is made by.
            problems.extend(name_problems(&*tx)?);
        }
        Ok(StatusView {
            database: database.display().to_string(),
            schema_version: Some(tx.schema_version()?),
            schema_current: known_version(),
            preset: tx.setting("preset")?,
            scope,
            accounts: Some(counts.accounts),
            members: counts.members,
            pending_invitations: counts.pending_invitations,
            pending_orders: counts.pending_orders,
            mail_pending: mail.map(|m| m.pending),
            mail_failed: mail.map(|m| m.failed),
            integrity_ok,
            audit_chain_ok: Some(audit_chain_ok),
            problems,
        })
    }
}

impl Portal {
    /// Every stored text holding a backquote, which only an older version
    /// let in: the values messages write out (see `output::write_out`),
    /// as the catalog the command read holds them.
    pub(crate) fn backquoted_texts() -> Vec<String> {
        super::Catalog::backquoted_read()
    }
}

/// What `status` reports on a file too damaged to open (`error` says so,
/// see [`Damaged`]): the file and the damage as the integrity check's
/// finding, nothing it would have to read. `None` for any other error.
/// What SQLite says of the damage names no account's data, so a member
/// is shown it too.
pub(crate) fn damaged_status(database: &Path, error: &Error) -> Option<StatusView> {
    let damage = Damaged::in_error(error)?;
    Some(StatusView {
        database: database.display().to_string(),
        schema_version: None,
        schema_current: known_version(),
        preset: None,
        scope: "nothing: the file cannot be read".to_string(),
        accounts: None,
        members: None,
        pending_invitations: None,
        pending_orders: None,
        mail_pending: None,
        mail_failed: None,
        integrity_ok: false,
        audit_chain_ok: None,
        problems: vec![format!("integrity: {}", damage.0)],
    })
}

/// The refusal `status` ends with (exit 4, after the whole report) when
/// the file fails its integrity check or its audit chain is broken, so a
/// health check can rely on the exit code; `None` when both pass.
pub(crate) fn verdict(view: &StatusView) -> Option<Error> {
    let chain_broken = view.audit_chain_ok == Some(false);
    let what = match (view.integrity_ok, chain_broken) {
        (true, false) => return None,
        (false, false) => "fails its integrity check",
        (true, true) => "has a broken audit chain",
        (false, true) => "fails its integrity check and has a broken audit chain",
    };
    Some(
        Error::conflict(format!("`{}` {what}", view.database))
            .help("see the problems `portalctl status` lists; restore the file from a backup"),
    )
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
        assert_eq!(una.accounts, Some(1));
        assert_eq!(
            (una.members, una.pending_invitations, una.pending_orders),
            (None, None, None),
            "{una:?}"
        );
    }

    /// A file too damaged to open is reported, failing its integrity
    /// check with SQLite's words; any other error is not a report.
    #[test]
    fn only_damage_is_reported_as_a_failed_integrity_check() {
        let db = Path::new("half.db");
        let damaged = Error::Internal(anyhow::Error::new(Damaged(
            "disk image is malformed".into(),
        )));
        let view = damaged_status(db, &damaged).expect("a report");
        assert!(!view.integrity_ok);
        assert_eq!(view.audit_chain_ok, None);
        assert_eq!(view.problems, ["integrity: disk image is malformed"]);
        let refusal = verdict(&view).expect("it fails");
        assert_eq!(refusal.exit_code(), 4);
        assert_eq!(refusal.to_string(), "`half.db` fails its integrity check");
        assert!(damaged_status(db, &Error::not_found("no database")).is_none());
        assert!(damaged_status(db, &Error::Internal(anyhow::anyhow!("io"))).is_none());
    }

    /// Sound, `status` ends well; a broken chain alone fails it too.
    #[test]
    fn the_verdict_is_the_checks() {
        let mut p = seeded("portal");
        let mut view = p.status(Path::new("portal.db")).expect("a report");
        assert!(verdict(&view).is_none(), "{view:?}");
        view.audit_chain_ok = Some(false);
        let refusal = verdict(&view).expect("it fails");
        assert_eq!(refusal.to_string(), "`portal.db` has a broken audit chain");
    }
}
