//! `audit`.

use clap::Subcommand;

use super::{audit_actor, since, Session, Since};
use crate::domain::{Actor, AuditFilter};
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// List audit events, oldest first.
    List {
        /// Only events by this actor: an email, or the operator's login name
        /// (`root` or `operator:root`).
        #[arg(long, value_parser = audit_actor)]
        actor: Option<Actor>,
        /// Only events about this account.
        #[arg(long)]
        account: Option<String>,
        /// Only events since this time (RFC 3339) or this long ago (`2h`, `7d`).
        #[arg(long, value_parser = since)]
        since: Option<Since>,
        /// At most this many, the newest.
        #[arg(long)]
        limit: Option<u32>,
    },
    /// The newest event's position and hash: keep it elsewhere as an anchor.
    Head,
    /// Recompute the hash chain; exits 4 naming the first broken event.
    Verify {
        /// Also check that the event at SEQ still has HASH (from `audit head`
        /// kept elsewhere), which catches truncation and a rewritten chain.
        #[arg(long, value_name = "SEQ:HASH")]
        anchor: Option<String>,
    },
}

pub(crate) fn audit(s: &Session, cmd: AuditCommand) -> Result<()> {
    let mut portal = s.portal()?;
    match cmd {
        AuditCommand::List {
            actor,
            account,
            since,
            limit,
        } => {
            let since = since.map(|s| s.at(portal.now())).transpose()?;
            s.out.list(&portal.audit_list(&AuditFilter {
                actor,
                account,
                since,
                limit,
            })?)
        }
        AuditCommand::Head => s.out.item(&portal.audit_head()?),
        AuditCommand::Verify { anchor } => s.out.item(&portal.audit_verify(anchor.as_deref())?),
    }
}
