//! `audit` and `outbox`.

use clap::Subcommand;

use super::{parse_duration, Session};
use crate::domain::AuditFilter;
use crate::error::Result;
use crate::model::parse_time;
use crate::store::OpenMode;

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// List audit events, oldest first.
    List {
        /// Only events by this actor (an email or `operator:USER`).
        #[arg(long)]
        actor: Option<String>,
        /// Only events about this account.
        #[arg(long)]
        account: Option<String>,
        /// Only events since this time (RFC 3339) or this long ago (`2h`, `7d`).
        #[arg(long)]
        since: Option<String>,
        /// At most this many, the newest.
        #[arg(long)]
        limit: Option<u32>,
    },
}

pub(crate) fn audit(s: &Session, cmd: AuditCommand) -> Result<()> {
    let AuditCommand::List {
        actor,
        account,
        since,
        limit,
    } = cmd;
    let mut portal = s.portal(OpenMode::Existing)?;
    let since = match since {
        Some(text) if text.contains('T') || text.contains('-') => Some(parse_time(&text)?),
        Some(text) => Some(portal.now() - parse_duration(&text)?),
        None => None,
    };
    s.out.list(&portal.audit_list(&AuditFilter {
        actor,
        account,
        since,
        limit,
    })?)
}

#[derive(Debug, Subcommand)]
pub(crate) enum OutboxCommand {
    /// List queued emails.
    List {
        /// Only emails not delivered yet.
        #[arg(long)]
        pending: bool,
    },
}

pub(crate) fn outbox(s: &Session, cmd: OutboxCommand) -> Result<()> {
    let OutboxCommand::List { pending } = cmd;
    s.out
        .list(&s.portal(OpenMode::Existing)?.outbox_list(pending)?)
}
