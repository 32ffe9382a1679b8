//! `outbox`: the emails queued by changes, and their delivery.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{LimitArg, Session};
use crate::error::{Error, Result};
use crate::mail::{DirMailer, Mailer, SmtpMailer, SmtpUrl};
use crate::model::OutboxState;

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum OutboxCommand {
    /// List queued emails, oldest first: recipient, kind, state, attempts
    /// and the last error.
    List {
        /// Only emails waiting to be sent.
        #[arg(long, conflicts_with = "failed")]
        pending: bool,
        /// Only emails refused on every attempt allowed.
        #[arg(long)]
        failed: bool,
        #[command(flatten)]
        limit: LimitArg,
    },
    /// Deliver the pending emails that are due, oldest first.
    ///
    /// An email is marked sent only once the server has accepted it. A
    /// refusal is recorded with the server's answer and retried after a
    /// back-off that doubles each time (`settings set mail-retry-after`);
    /// after `mail-max-attempts` it is marked failed. A server that cannot
    /// be reached changes nothing (exit 6). Needs `settings set mail-from`.
    Send(SendArgs),
    /// Make a failed or waiting email due again now (a failed one gets its
    /// attempts afresh).
    Retry {
        /// The email's id, from `outbox list`.
        id: i64,
    },
    /// Withdraw an email that is not sent yet. An invitation stays valid:
    /// end it with `user revoke-invite`.
    Cancel {
        /// The email's id, from `outbox list`.
        id: i64,
    },
}

// Where `outbox send` delivers.
// (Not a doc comment: clap would show it as the about of every command
// that flattens these arguments, over the command's own.)
#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// The SMTP server: smtp://[user:password@]host[:port] uses STARTTLS
    /// when the server offers it (add ?tls=required to insist, ?tls=none
    /// for a local relay); smtps://host[:port] speaks TLS from the start.
    /// Default ports 25 and 465. The password is never printed.
    #[arg(
        long,
        env = "PORTALCTL_SMTP",
        hide_env_values = true,
        value_name = "URL"
    )]
    smtp: Option<String>,
    /// Write each email as DIR/outbox-ID.eml (RFC 5322) instead of sending
    /// it, for CI jobs or another system to pick up.
    #[arg(long, value_name = "DIR", conflicts_with = "smtp")]
    to_dir: Option<PathBuf>,
    /// Send at most this many emails.
    #[arg(long, value_name = "COUNT", value_parser = clap::value_parser!(u32).range(1..))]
    limit: Option<u32>,
}

pub(crate) fn run(s: &Session, cmd: OutboxCommand) -> Result<()> {
    match cmd {
        OutboxCommand::List {
            pending,
            failed,
            limit,
        } => {
            let state = if pending {
                Some(OutboxState::Pending)
            } else if failed {
                Some(OutboxState::Failed)
            } else {
                None
            };
            s.out.list(
                &s.portal()?.outbox_list(state, limit.limit)?,
                "emails match",
            )
        }
        OutboxCommand::Send(args) => send(s, args),
        OutboxCommand::Retry { id } => s.out.list(&[s.portal()?.outbox_retry(id)?], "emails"),
        OutboxCommand::Cancel { id } => s.out.list(&[s.portal()?.outbox_cancel(id)?], "emails"),
    }
}

fn send(s: &Session, args: SendArgs) -> Result<()> {
    let mut mailer: Box<dyn Mailer> = match (&args.to_dir, &args.smtp) {
        (Some(dir), _) => Box::new(DirMailer::new(dir)),
        (None, Some(url)) => Box::new(SmtpMailer::new(&url.parse::<SmtpUrl>()?)?),
        (None, None) => {
            return Err(Error::invalid("say where the emails go")
                .help("pass --smtp smtp://host:port (or set PORTALCTL_SMTP), or --to-dir DIR"))
        }
    };
    let report = s.portal()?.outbox_send(&mut *mailer, args.limit)?;
    let refused = report.retry_later + report.failed;
    if refused > 0 {
        s.out.warn(&format!(
            "{refused} email(s) refused ({} to retry later, {} failed): see `portalctl outbox list`",
            report.retry_later, report.failed
        ));
    }
    s.out.change(&report)
}
