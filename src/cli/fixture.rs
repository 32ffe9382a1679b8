//! `apply`, `export` and `schema`: a portal's state as a JSON document.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::{named_account, Session};
use crate::domain::{fixture_schema, parse_fixture, ApplyOptions, NewFile, Portal};
use crate::error::{Error, Result};
use crate::view::{released_orders, Pruned};

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
    /// Also end or remove what the file's accounts no longer list:
    /// deactivate members, disable policies, end delegations and external
    /// admins' access, remove addresses, IP addresses and prices (history
    /// stays). Asks first, saying how many, when it would remove anything;
    /// without a terminal that needs --yes.
    #[arg(long)]
    prune: bool,
    /// Email nobody: queue no invitation for the users the file invites
    /// (`user resend-invite` sends one later), as a CI seed wants.
    #[arg(long)]
    no_send: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Only this account (a member's export is of one account).
    #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
    account: Option<String>,
}

/// `apply FILE`: creates the database if there is none.
pub(crate) fn apply(s: &Session, args: ApplyArgs) -> Result<()> {
    let source = args.file.display().to_string();
    let fixture = parse_fixture(&super::read_capped(&args.file, MAX_FIXTURE_MIB)?, &source)?;
    // A bar for people at a terminal, for files large enough to wait on;
    // scripts and pipes get the counts alone.
    let bar = (s.out.notes && !args.dry_run).then(|| {
        let style = ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} users, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        ProgressBar::new(0)
            .with_style(style)
            .with_message(format!("applying {source}"))
    });
    let tell = |done: usize, total: usize| {
        if let Some(bar) = &bar {
            if bar.length() != Some(total as u64) {
                bar.set_length(total as u64);
            }
            bar.set_position(done as u64);
        }
    };
    let opts = ApplyOptions {
        dry_run: args.dry_run,
        prune: args.prune,
        progress: Some(&tell),
        no_send: args.no_send,
    };
    let run = |p: &mut Portal| {
        if opts.prune && !opts.dry_run && !s.yes {
            // Asked only when the prune would remove something, saying
            // what; a refusal comes before anyone is asked.
            let rehearsed = p.prune_rehearsal(&fixture)?;
            if let Some(question) = prune_question(&source, &rehearsed.pruned, &rehearsed.released)
            {
                s.confirm(&question)?;
            }
        }
        let view = p.apply(&fixture, opts)?;
        Ok((view, p.take_warnings()))
    };
    // A dry run onto a database that does not exist yet leaves none.
    let new_file = if opts.dry_run {
        NewFile::Discard
    } else {
        NewFile::Keep
    };
    let view = s.init_portal(new_file, run);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (mut view, warnings) = view.map_err(in_apply_terms)?;
    for warning in &warnings {
        s.out.warn(warning);
    }
    view.warnings = warnings;
    if view.dry_run && !s.out.json {
        s.out.list(&view.plan, "objects in the file")?;
    }
    s.out.item(&view)
}

/// A refusal from one of the commands an apply runs keeps its help only
/// when that names no flag `apply` lacks: `pass --role` or `pass the right
/// --account` would send someone running `apply` looking for a flag it
/// does not take. The apply words the help of each such refusal it can
/// meet in the file's terms ("set `kind` to `customer`"); this is the
/// net for any it did not foresee. A whole command in backticks (`portalctl
/// account list --account A`) is one to run, and stays.
fn in_apply_terms(e: Error) -> Error {
    let command = <super::Cli as clap::CommandFactory>::command();
    let apply = command.find_subcommand("apply");
    let takes = |flag: &str| {
        command
            .get_arguments()
            .chain(apply.into_iter().flat_map(|a| a.get_arguments()))
            .any(|arg| arg.get_long() == Some(flag))
    };
    let foreign = e.help_flags().into_iter().any(|flag| !takes(flag));
    if foreign {
        e.without_help()
    } else {
        e
    }
}

/// The question `--prune` asks before it ends or removes what the file no
/// longer lists, saying how much, and which pending orders the apply
/// would approve by releasing them (a disabled policy holds none); none
/// when it would remove nothing.
fn prune_question(
    source: &str,
    pruned: &BTreeMap<Pruned, usize>,
    released: &[i64],
) -> Option<String> {
    let phrases: Vec<String> = pruned
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(kind, n)| kind.phrase(*n))
        .collect();
    let (last, rest) = phrases.split_last()?;
    let all = match rest {
        [] => last.clone(),
        _ => format!("{} and {last}", rest.join(", ")),
    };
    let approve = match released {
        [] => String::new(),
        _ => format!(
            ", and approve pending {} that no policy would hold then",
            released_orders(released)
        ),
    };
    Some(format!(
        "apply `{source}` with --prune? it would {all} that the file no longer lists{approve}"
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_a_help_names_are_read_outside_backticks() {
        let e = Error::invalid("x")
            .help("pass --role; roles are: a, or --as EMAIL (--yes). `portalctl x --account A`");
        assert_eq!(e.help_flags(), ["role", "as", "yes"]);
    }

    #[test]
    fn a_help_naming_a_flag_apply_lacks_is_dropped_and_others_stay() {
        let lacking = in_apply_terms(Error::invalid("x").help("pass the right --account"));
        assert_eq!(lacking.help_text(), None);
        for kept in [
            "leave --as out to act as the operator",
            "`portalctl user list --account A` shows them",
            "check `accounts[0].name`",
        ] {
            let e = in_apply_terms(Error::invalid("x").help(kept));
            assert_eq!(e.help_text(), Some(kept));
        }
    }

    #[test]
    fn prune_asks_only_about_something_and_says_how_much() {
        assert_eq!(prune_question("f.json", &BTreeMap::new(), &[]), None);
        let one = BTreeMap::from([(Pruned::Policies, 1)]);
        assert_eq!(
            prune_question("f.json", &one, &[]).as_deref(),
            Some("apply `f.json` with --prune? it would disable 1 policy that the file no longer lists")
        );
        // Disabling a policy approves the pending orders nothing else
        // holds: the question says which (findings N#20).
        let two = BTreeMap::from([(Pruned::Policies, 2)]);
        assert_eq!(
            prune_question("f.json", &two, &[1, 3]).as_deref(),
            Some("apply `f.json` with --prune? it would disable 2 policies that the file no longer lists, and approve pending orders 1, 3 that no policy would hold then")
        );
        let many = BTreeMap::from([
            (Pruned::Members, 2),
            (Pruned::Prices, 1),
            (Pruned::ExternalAdmins, 3),
        ]);
        assert_eq!(
            prune_question("f.json", &many, &[]).as_deref(),
            Some("apply `f.json` with --prune? it would deactivate 2 members, end the access of 3 external admins and remove 1 price that the file no longer lists")
        );
    }
}
