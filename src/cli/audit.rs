//! `audit`.

use clap::Subcommand;

use super::{audit_actor, named_account, since, Session, Since};
use crate::domain::{Actor, AuditFilter};
use crate::error::{Error, Result};
use crate::output::Row;
use crate::view::{
    audit_csv_record, member_audit_csv_record, AuditLogView, AUDIT_CSV_HEADERS,
    MEMBER_AUDIT_CSV_HEADERS,
};

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum AuditCommand {
    /// List audit events, oldest first: the newest 50 unless --limit or
    /// --all.
    List {
        /// Only events by this actor: an email, or the operator's login name
        /// (`root` or `operator:root`).
        #[arg(long, value_parser = audit_actor)]
        actor: Option<Actor>,
        /// Only events about this account.
        #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
        account: Option<String>,
        /// Only events of this action, such as `user.invite`, or
        /// `user.update` for a member an `apply` changed by several commands;
        /// with those beneath it (`user.merge` takes in `user.merge.order`,
        /// `order` every `order.*`). Give it more than once for events of
        /// any of them (`--action order.approve --action order.reject`).
        #[arg(long, value_name = "ACTION")]
        action: Vec<String>,
        /// Only events since this time: a date (`2026-11-25`, from its
        /// start, UTC), an RFC 3339 time, or how long ago (`2h`, `7d`).
        #[arg(long, value_name = "WHEN", value_parser = since)]
        since: Option<Since>,
        /// Only events until this time: a date (to its end, UTC), an RFC
        /// 3339 time, or how long ago (`2h`, `7d`).
        #[arg(long, value_name = "WHEN", value_parser = since)]
        until: Option<Since>,
        /// At most this many, the newest (default 50).
        #[arg(long, value_name = "COUNT", conflicts_with = "all")]
        limit: Option<u32>,
        /// Every matching event, not just the newest 50.
        #[arg(long)]
        all: bool,
        /// Print for a log system instead of a table: `ndjson` (one event
        /// per line, every field) or `csv` (a header, then one row per
        /// event, before/after as JSON text). Not with --json. With --as,
        /// without the log's positions and hashes (`seq`, `prev_hash`,
        /// `hash`), which count every account's events.
        #[arg(long, value_name = "FORMAT")]
        format: Option<AuditFormat>,
    },
    /// The newest event's position and hash: keep it elsewhere as an anchor
    /// (`audit head --anchor > audit-anchor.txt`).
    Head {
        /// Print only the anchor, `SEQ:HASH`, as `audit verify --anchor`
        /// takes it (a JSON string with --json).
        #[arg(long)]
        anchor: bool,
    },
    /// Recompute the hash chain; exits 4 naming the first broken event.
    Verify {
        /// Also check that the event at SEQ still has HASH (from `audit head
        /// --anchor` kept elsewhere), which catches truncation and a
        /// rewritten chain.
        #[arg(long, value_name = "SEQ:HASH")]
        anchor: Option<String>,
    },
}

/// The formats `audit list` prints for log systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum AuditFormat {
    /// Newline-delimited JSON: one event per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

/// How many events `audit list` shows without --limit or --all: the newest.
const DEFAULT_AUDIT_LIMIT: u32 = 50;

pub(crate) fn audit(s: &Session, cmd: AuditCommand) -> Result<()> {
    let mut portal = s.portal()?;
    match cmd {
        AuditCommand::List {
            actor,
            account,
            action,
            since,
            until,
            limit,
            all,
            format,
        } => {
            // Two answers to "how to print" would leave one ignored.
            if format.is_some() && s.out.json {
                return Err(
                    Error::invalid("--format and --json cannot be used together").help(
                        "--json prints one JSON array; --format ndjson prints one event per line",
                    ),
                );
            }
            let since = since.map(|s| s.at(portal.now())).transpose()?;
            let until = until.map(|u| u.until(portal.now())).transpose()?;
            let limit = if all {
                None
            } else {
                Some(limit.unwrap_or(DEFAULT_AUDIT_LIMIT))
            };
            let events = portal.audit_list(&AuditFilter {
                actor,
                account,
                since,
                until,
                actions: action.iter().map(|a| a.trim().to_string()).collect(),
                limit,
            })?;
            match events {
                AuditLogView::Chained(events) => {
                    print_log(s, format, &events, AUDIT_CSV_HEADERS, audit_csv_record)
                }
                AuditLogView::Unplaced(events) => print_log(
                    s, format, &events, MEMBER_AUDIT_CSV_HEADERS, member_audit_csv_record,
                ),
            }
        }
        AuditCommand::Head { anchor: false } => s.out.item(&portal.audit_head()?),
        // One line a file or CI variable keeps as it is and hands back to
        // `audit verify --anchor`, rather than the table's three rows.
        AuditCommand::Head { anchor: true } => {
            let anchor = portal.audit_head()?.anchor();
            let line = if s.out.json {
                serde_json::Value::from(anchor).to_string()
            } else {
                anchor
            };
            s.out.raw(&format!("{line}\n"))
        }
        AuditCommand::Verify { anchor } => s.out.item(&portal.audit_verify(anchor.as_deref())?),
    }
}

/// Prints the events of `audit list` as `format` asks: a table (or JSON),
/// NDJSON, or CSV under `headers`, one `record` per event.
fn print_log<T: serde::Serialize + Row>(
    s: &Session,
    format: Option<AuditFormat>,
    events: &[T],
    headers: &[&str],
    record: fn(&T) -> Vec<String>,
) -> Result<()> {
    match format {
        None => s.out.list(events, "audit events match"),
        Some(AuditFormat::Ndjson) => s.out.ndjson(events),
        Some(AuditFormat::Csv) => s
            .out
            .csv(headers, &events.iter().map(record).collect::<Vec<_>>()),
    }
}
