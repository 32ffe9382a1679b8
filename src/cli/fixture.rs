//! `apply`, `export` and `schema`: a portal's state as a JSON document.

use std::path::PathBuf;

use clap::Args;

use super::Session;
use crate::domain::{fixture_schema, parse_fixture, ApplyOptions};
use crate::error::{Error, Result};

/// The most a fixture may hold: enough for a million users, and a bound
/// on what a mistaken `apply /dev/zero` reads.
const MAX_FIXTURE_MIB: u64 = 1024;

#[derive(Debug, Args)]
pub(crate) struct ApplyArgs {
    /// The fixture: a JSON file, or `-` for stdin.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Check everything and print the plan, object by object; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Also deactivate members and disable policies of the file's accounts
    /// that it no longer lists (history stays).
    #[arg(long)]
    prune: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Only this account (a member's export is of one account).
    #[arg(long, value_name = "ACCOUNT")]
    account: Option<String>,
}

/// `apply FILE`: creates the database if there is none.
pub(crate) fn apply(s: &Session, args: ApplyArgs) -> Result<()> {
    let source = args.file.display().to_string();
    let fixture = parse_fixture(&super::read_capped(&args.file, MAX_FIXTURE_MIB)?, &source)?;
    let opts = ApplyOptions {
        dry_run: args.dry_run,
        prune: args.prune,
    };
    let (view, warnings) = s.init_portal(|p| {
        if opts.prune && !opts.dry_run {
            s.confirm_checked(
                p,
                |p| p.check(|p| p.apply(&fixture, opts)),
                &format!(
                    "apply `{source}` with --prune? members and policies it does not list are deactivated and disabled"
                ),
            )?;
        }
        let view = p.apply(&fixture, opts)?;
        Ok((view, p.take_warnings()))
    })?;
    for warning in warnings {
        s.out.warn(&warning);
    }
    if view.dry_run && !s.out.json {
        s.out.list(&view.plan, "objects in the file")?;
    }
    s.out.item(&view)
}

/// `export`: the fixture on stdout.
pub(crate) fn export(s: &Session, args: ExportArgs) -> Result<()> {
    let fixture = s.portal()?.export(args.account.as_deref())?;
    s.out.raw(&to_json(&fixture)?)
}

/// `schema`: the JSON Schema of the fixture format.
pub(crate) fn schema(s: &Session) -> Result<()> {
    s.out.raw(&to_json(&fixture_schema())?)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map(|text| text + "\n")
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("cannot render JSON")))
}
