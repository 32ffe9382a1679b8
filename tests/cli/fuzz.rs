//! Hostile arguments for every subcommand: each argument of each command
//! the parser knows gets empty, huge, control, bidirectional, SQL-looking,
//! out-of-range and malformed values, as the operator and as a member. No
//! input may panic, exit with anything but a documented code for a
//! refusal, change the database when refused, or store a character that
//! would take over a terminal when accepted. The commands come from
//! the parser itself, so a new subcommand is driven without listing it.

use std::panic::{catch_unwind, AssertUnwindSafe};

use clap::ArgAction;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::support::{Portal, ACCOUNT, OWNER, SUCCESS};

/// Values no command should choke on.
const HOSTILE: &[&str] = &[
    "", "   ", "\u{1b}[2J\u{1b}]0;owned\u{7}", "line\nerror: forged", "\u{202e}gnp.exe",
    "\u{2066}x\u{2069}", "'; DROP TABLE accounts; --", "\" OR 1=1 --", "%s%n%x", "-1", "0",
    "99999999999999999999999", "1e309", "NaN", "-0.001", "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z", "1000000y", "18446744073709551616s", "../../../../etc/passwd",
    "\u{feff}\u{200b}", "😀@😀.test", "a@b", "ANN@ACME.TEST", "1:", ":0",
];

/// Characters that must never be stored: they would colour, clear or
/// retitle a terminal, or reorder what it shows.
const UNPRINTABLE: &[char] = &['\u{1b}', '\u{7}', '\u{202e}', '\u{2066}', '\u{2069}'];

/// Arguments every command shares, set by the harness itself.
const GLOBAL: &[&str] = &[
    "db", "as", "json", "yes", "no_input", "quiet", "now", "help", "version",
];

/// Commands that print whatever they are given, only describe the parser,
/// or write files where told (`man --dir`); they touch no database.
const SKIPPED: &[&str] = &["completions", "help", "help-topic", "man"];

/// A value that gets an argument past parsing, so that the hostile value
/// in another argument is what the command has to deal with.
fn plausible(id: &str) -> &'static str {
    match id {
        "email" | "to" | "into" | "of" | "created_by" | "reassign_to" | "owner_email" => {
            "ann@acme.test"
        }
        "approvers" => OWNER,
        "account" | "customer" | "from" => ACCOUNT,
        "parent" => "Beta Co",
        "capability" => "users.view",
        "capabilities" | "grants" => "users.view",
        "role" => "user",
        "amount" | "threshold" => "10",
        "seats" | "required_approvals" | "limit" => "1",
        "kind" => "customer",
        "preset" => "portal",
        "since" => "1d",
        "expires_in" => "7d",
        "country" => "GB",
        "currency" => "GBP",
        "status" => "pending",
        "anchor" => "1:0000000000000000000000000000000000000000000000000000000000000000",
        _ => "x",
    }
}

/// One leaf subcommand: its path and the arguments that take values.
struct Leaf {
    path: Vec<String>,
    args: Vec<Slot>,
}

struct Slot {
    id: String,
    /// `--long`, or `None` for a positional.
    long: Option<String>,
    required: bool,
}

fn leaves(cmd: &clap::Command, path: &[String], out: &mut Vec<Leaf>) {
    // The `help` subcommands clap adds take no arguments worth a fuzz.
    let subs: Vec<&clap::Command> = cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .collect();
    if subs.is_empty() {
        let args = cmd
            .get_arguments()
            .filter(|a| !GLOBAL.contains(&a.get_id().as_str()))
            .filter(|a| matches!(a.get_action(), ArgAction::Set | ArgAction::Append))
            .map(|a| Slot {
                id: a.get_id().to_string(),
                long: a.get_long().map(|l| format!("--{l}")),
                required: a.is_required_set(),
            })
            .collect();
        out.push(Leaf {
            path: path.to_vec(),
            args,
        });
        return;
    }
    for sub in subs {
        if SKIPPED.contains(&sub.get_name()) {
            continue;
        }
        let mut deeper = path.to_vec();
        deeper.push(sub.get_name().to_string());
        leaves(sub, &deeper, out);
    }
}

/// The command line of `leaf` with `hostile` in slot `target` and a
/// plausible value in every other required slot.
fn command_line(leaf: &Leaf, target: usize, hostile: &str) -> Vec<String> {
    let mut options = Vec::new();
    let mut positionals = Vec::new();
    for (i, slot) in leaf.args.iter().enumerate() {
        let value = if i == target {
            hostile
        } else if slot.required {
            plausible(&slot.id)
        } else {
            continue;
        };
        match &slot.long {
            // `--name=value`, so that a value starting with `-` stays a value.
            Some(long) => options.push(format!("{long}={value}")),
            None => positionals.push(value.to_string()),
        }
    }
    let mut line = leaf.path.clone();
    line.extend(options);
    if !positionals.is_empty() {
        line.push("--".into());
        line.extend(positionals);
    }
    line
}

#[test]
fn no_hostile_argument_panics_or_changes_the_database_when_refused() {
    // Each run starts from the same database, so that one run's success
    // (a member deactivated, an account created) shapes no other run.
    let fresh = || {
        Portal::cached("fuzz", || {
            let p = Portal::init("portal");
            p.member("ann@acme.test", "admin");
            p.ok(&["account", "create", "Beta Co", "--kind", "partner"]);
            p
        })
    };
    let mut all = Vec::new();
    leaves(&portalctl::command(), &[], &mut all);
    assert!(all.len() > 50, "only {} subcommands found", all.len());
    // Every slot of every command gets a few hostile values, drawn from a
    // fixed seed so that the suite is the same on every run. Longer hunts
    // set PORTALCTL_FUZZ_SEED and PORTALCTL_FUZZ_ROUNDS.
    let setting = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let seed = setting("PORTALCTL_FUZZ_SEED", 9);
    let rounds = setting("PORTALCTL_FUZZ_ROUNDS", 4);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut failures = Vec::new();
    let mut runs = 0;
    for leaf in &all {
        for target in 0..leaf.args.len() {
            for _ in 0..rounds {
                let hostile = HOSTILE[rng.random_range(0..HOSTILE.len())];
                let actor = rng.random_bool(0.5).then_some("ann@acme.test");
                let line = command_line(leaf, target, hostile);
                let args: Vec<&str> = line.iter().map(String::as_str).collect();
                runs += 1;
                let p = fresh();
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    p.answer_unchanged_on_refusal(actor, &args)
                }));
                let shown = format!("{line:?} as {}", actor.unwrap_or("the operator"));
                match outcome {
                    Err(_) => failures.push(format!("{shown}: panicked")),
                    Ok((code, said)) if ![SUCCESS, 2, 3, 4, 5].contains(&code) => {
                        failures.push(format!("{shown}: exit {code}: {said}"))
                    }
                    Ok((SUCCESS, _)) => {
                        let stored = p.dump();
                        if let Some(c) = stored.chars().find(|c| UNPRINTABLE.contains(c)) {
                            failures.push(format!("{shown}: stored {c:?}"));
                        }
                        if stored.contains("line\nerror") {
                            failures.push(format!("{shown}: stored a line break"));
                        }
                    }
                    Ok(_) => {}
                }
            }
        }
    }
    assert!(runs > 500, "only {runs} runs");
    assert!(
        failures.is_empty(),
        "seed {seed} (PORTALCTL_FUZZ_SEED): {} of {runs} runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
