//! The command line: clap definitions, the run context, and dispatch. Each
//! command group parses, calls the domain, and hands the result to output.

mod account;
mod args;
mod audit;
mod complete;
mod course;
mod examples;
mod external_admin;
mod fixture;
mod init;
mod license;
mod man;
mod order;
mod outbox;
mod role;
mod service;
mod session;
mod settings;
mod status;
mod user;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::error::{Error, Outcome, Result};
use crate::model::{escape, unsafe_to_print};
use crate::output::Output;
pub(crate) use args::{
    audit_actor, duration, named_account, since, until, AccountArg, LimitArg, Since, TextArg, Until,
};
pub use complete::complete_from_env;
pub(crate) use session::{read_capped, read_text_file, Session};

/// The heading of the options every command takes.
const GLOBAL: &str = "Global options";

/// Where the database is.
const DATABASE_HELP: &str =
    "  --db PATH, else PORTALCTL_DB, else portal.db in the platform data directory:
  $XDG_DATA_HOME/portalctl/portal.db (~/.local/share/portalctl/portal.db) on
  Linux, ~/Library/Application Support/portalctl/portal.db on macOS.";

/// Every environment variable portalctl reads, and what it sets.
const ENVIRONMENT: &[(&str, &str)] = &[
    ("PORTALCTL_DB", "the database file (--db)"),
    ("PORTALCTL_AS", "act as this member (--as)"),
    (
        "PORTALCTL_NOW",
        "fix the clock, an RFC 3339 time (tests, fixtures)",
    ),
    (
        "PORTALCTL_BUSY_TIMEOUT",
        "how long a writer waits for a lock, in milliseconds (default 5000)",
    ),
    (
        "PORTALCTL_SMTP",
        "the SMTP server of `outbox send` (--smtp)",
    ),
    (
        complete::VAR,
        "set by the script of `portalctl completions` to ask for completions",
    ),
];

/// The topics of `portalctl help TOPIC`, besides the commands.
const TOPICS: &[(&str, &str)] = &[
    (
        "capabilities",
        "which roles and areas give each capability, in this database's preset (or every preset)",
    ),
    ("exit-codes", "what each exit code means"),
    (
        "environment",
        "the PORTALCTL_* variables and where the database is",
    ),
];

/// Where the database is and what the environment sets.
fn environment_help() -> String {
    let mut text = format!("Database:\n{DATABASE_HELP}\n\nEnvironment:");
    for (var, what) in ENVIRONMENT {
        text.push_str(&format!("\n  {var:<23} {what}"));
    }
    text
}

/// What each exit code means, with the `kind` of its `--json` errors when
/// `kinds`.
fn exit_codes_help(kinds: bool) -> String {
    let mut text = String::from("Exit codes:");
    for (code, kind, meaning) in crate::error::EXIT_CODES {
        if kinds && !kind.is_empty() {
            text.push_str(&format!("\n  {code}  {meaning} (--json kind `{kind}`)"));
        } else {
            text.push_str(&format!("\n  {code}  {meaning}"));
        }
    }
    text
}

/// The end of the top-level help: the database, the environment, the exit
/// codes and the help topics.
fn top_help_end() -> String {
    let topics: Vec<&str> = TOPICS.iter().map(|(name, _)| *name).collect();
    format!(
        "{}\n\n{}\n\nHelp topics: portalctl help {}",
        environment_help(),
        exit_codes_help(false),
        topics.join("|")
    )
}

/// Admin tool for the users, roles, invitations and approvals of a B2B
/// partner/customer portal, kept in one SQLite file.
///
/// Without --as, commands run as the operator who owns the database and may
/// do anything an owner may; with --as EMAIL the portal's rules apply to
/// that member.
#[derive(Debug, Parser)]
#[command(
    name = "portalctl",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = top_help_end()
)]
pub struct Cli {
    // PORTALCTL_DB and PORTALCTL_AS are read in `run`, not by clap: clap
    // counts a value from the environment as typed, and so prints the
    // option in an error's usage line as if it were required.
    /// The database file [else PORTALCTL_DB].
    #[arg(long, global = true, value_name = "PATH", help_heading = GLOBAL,
          value_parser = clap::builder::OsStringValueParser::new().try_map(db_file))]
    db: Option<PathBuf>,

    /// Act as this member, held to the portal's rules [else PORTALCTL_AS].
    #[arg(long = "as", global = true, value_name = "EMAIL", help_heading = GLOBAL)]
    act_as: Option<String>,

    /// Print one JSON document instead of tables.
    #[arg(long, global = true, help_heading = GLOBAL)]
    json: bool,

    /// Answer yes to confirmations.
    #[arg(long, short = 'y', global = true, help_heading = GLOBAL)]
    yes: bool,

    /// Never prompt (implied when stdin is not a terminal).
    #[arg(long, global = true, help_heading = GLOBAL)]
    no_input: bool,

    /// Print nothing on stdout on success: the exit code says how it went
    /// (warnings still go to stderr, errors always).
    #[arg(long, short = 'q', global = true, help_heading = GLOBAL)]
    quiet: bool,

    /// Fix the clock (RFC 3339), for tests and reproducible fixtures.
    // PORTALCTL_NOW is read in `run`, so that a value clap cannot read
    // (not UTF-8) is refused as the variable's, not as an argument.
    #[arg(long, global = true, hide = true, help_heading = GLOBAL)]
    now: Option<String>,

    #[command(subcommand)]
    command: Command,
}

// A group of commands (`user`, `order`, ...). A plain
// `#[command(subcommand)]` variant would build every command of every
// group at start-up; as arguments of their own, a group's commands are
// built only when a line names the group (see `parse`). Not a doc
// comment: clap would show it as every group's description.
#[derive(Debug, Args)]
struct Group<T: Subcommand> {
    #[command(subcommand)]
    command: T,
}

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
enum Command {
    /// Create a database: the role catalog, the first account and its owner.
    /// Run again with the same settings it changes nothing; with others it
    /// is refused (exit 4), naming the difference.
    Init(init::InitArgs),
    /// Which database this is, its schema and preset, what it holds, and
    /// whether its integrity check and audit chain pass (exit 4 when either
    /// fails, after the whole report). Read-only; a member (--as) sees the
    /// counts of their own accounts only.
    Status,
    /// The shipped role catalogs.
    Preset(Group<init::PresetCommand>),
    /// The roles of this database.
    Role(Group<role::RoleCommand>),
    /// Whether a member holds a capability, and why: exits 0 for yes and 5
    /// for no, the answer printed either way (`if portalctl can ...`).
    Can(role::CanArgs),
    /// Accounts: partners and their customers.
    Account(Group<account::AccountCommand>),
    /// User management: invitations, roles, grants and each user's whole life.
    User(Group<user::UserCommand>),
    /// Services and who they are assigned to.
    Service(Group<service::ServiceCommand>),
    /// Cost centres orders can carry.
    CostCentre(Group<service::CostCentreCommand>),
    /// Approval policies for orders.
    Policy(Group<order::PolicyCommand>),
    /// Orders and their approvals.
    Order(Group<order::OrderCommand>),
    /// The courses members are enrolled in by their role.
    Course(Group<course::CourseCommand>),
    /// Members of a partner acting on its customers' accounts.
    ExternalAdmin(Group<external_admin::ExternalAdminCommand>),
    /// Licences partners buy and allocate to their customers.
    License(Group<license::LicenseCommand>),
    /// The audit log.
    Audit(Group<audit::AuditCommand>),
    /// Emails queued by changes, and their delivery over SMTP.
    Outbox(Group<outbox::OutboxCommand>),
    /// Database settings: the sender of email, the support address, retries.
    Settings(Group<settings::SettingsCommand>),
    /// Make the database match a fixture (JSON). One transaction; a second
    /// apply of the same file changes nothing.
    ///
    /// The file lists the preset, the settings (the operator's alone),
    /// roles, accounts with their users,
    /// courses, addresses, services, cost centres, policies, orders,
    /// delegations, external admins, config, licences and prices, and
    /// people flagged or merged.
    Apply(fixture::ApplyArgs),
    /// Print the database (or one account) as a fixture `apply` reads.
    Export(fixture::ExportArgs),
    /// Print the JSON Schema of the fixture format.
    Schema,
    /// Print a shell completion script. It completes commands, flags and
    /// values: statuses, kinds, presets, capabilities, and the roles,
    /// accounts and member emails of the database (--db, PORTALCTL_DB),
    /// asking portalctl at each Tab; load it at shell start-up.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one page per command.
    Man(man::ManArgs),
    /// `portalctl help TOPIC`, which clap's own `help` (of commands)
    /// hands over (see [`help_topic_line`]).
    #[command(name = "help-topic", hide = true)]
    HelpTopic {
        /// capabilities, exit-codes or environment.
        #[arg(value_parser = TOPICS.iter().map(|(name, _)| *name).collect::<Vec<_>>())]
        topic: String,
    },
}

/// The whole command line as clap knows it, each command's examples
/// included: what reports a line [`parse`] cannot take (help, mistakes),
/// and what completions and manual pages are made from.
pub fn command() -> clap::Command {
    whole(Cli::command())
}

/// `cmd` built whole, with the examples and completion hints. Subcommands
/// are deferred (see [`parse`]): built here, every one of them is there
/// for the examples to attach to.
pub(crate) fn whole(mut cmd: clap::Command) -> clap::Command {
    cmd.build();
    complete::attach(examples::attach(cmd))
}

/// Parses a command line (`args[0]` being the program's name).
///
/// A small command's start-up was mostly clap building the whole command
/// tree (a few hundred kB of heap, each page of it a fault). So each
/// subcommand is deferred, built only when the line reaches it, and a
/// line is parsed first without the examples (shown only in help) and
/// completion hints (used only when a shell asks): only a line that does
/// not parse (help asked for, or a mistake to report) is parsed again by
/// the whole [`command`], whose report then carries the examples.
pub fn parse(args: &[OsString]) -> std::result::Result<Cli, clap::Error> {
    fn by(mut cmd: clap::Command, args: &[OsString]) -> std::result::Result<Cli, clap::Error> {
        cmd.try_get_matches_from_mut(args)
            .and_then(|mut matches| Cli::from_arg_matches_mut(&mut matches))
    }
    by(Cli::command(), args).or_else(|e| match e.kind() {
        clap::error::ErrorKind::DisplayVersion => Err(e),
        _ => by(command(), args),
    })
}

/// The database PORTALCTL_DB names, if set. An empty one is kept empty:
/// it is a mistake (an unset variable in a script), as an empty --db is,
/// but only for a command that opens the database (see
/// [`Session::db_path`]); the others run whatever it holds. One of
/// blanks alone is as empty: no file is meant by a name of spaces, and a
/// quoted variable that expanded to a blank or a newline is the same
/// mistake.
pub(crate) fn db_from_env() -> Option<PathBuf> {
    std::env::var_os("PORTALCTL_DB").map(|v| {
        if v.to_str().is_some_and(|s| s.trim().is_empty()) {
            PathBuf::new()
        } else {
            PathBuf::from(v)
        }
    })
}

/// Reads `--db`: a name of blanks alone is as empty (see [`db_from_env`]),
/// which clap refuses as a usage error.
fn db_file(text: std::ffi::OsString) -> std::result::Result<PathBuf, String> {
    // Any path the system allows, as PORTALCTL_DB takes it: a file name
    // need not be UTF-8.
    if text.to_string_lossy().trim().is_empty() {
        return Err("a database file is named by more than blanks".into());
    }
    Ok(PathBuf::from(text))
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    let session = Session {
        cli_db: match cli.db {
            Some(db) => Some(db),
            None => db_from_env(),
        },
        // A blank PORTALCTL_AS stays blank, for `Session` to refuse.
        act_as: cli
            .act_as
            .or_else(|| std::env::var_os("PORTALCTL_AS").map(|v| v.to_string_lossy().into_owned())),
        now: cli.now.or_else(|| {
            std::env::var_os("PORTALCTL_NOW").map(|v| v.to_string_lossy().into_owned())
        }),
        yes: cli.yes,
        interactive: !cli.no_input && std::io::stdin().is_terminal(),
        out: Output {
            json: cli.json,
            quiet: cli.quiet,
            notes: !cli.json && !cli.quiet && std::io::stderr().is_terminal(),
        },
    };
    run_command(&session, cli.command)
}

/// Runs one command in `session`.
fn run_command(session: &Session, command: Command) -> Result<Outcome> {
    let done = match command {
        Command::Can(args) => return role::can(session, args),
        Command::Init(args) => init::init(session, args),
        Command::Status => return status::status(session),
        Command::Preset(group) => init::preset(session, group.command),
        Command::Role(group) => role::run(session, group.command),
        Command::Account(group) => account::run(session, group.command),
        Command::User(group) => user::run(session, group.command),
        Command::Service(group) => service::service(session, group.command),
        Command::CostCentre(group) => service::cost_centre(session, group.command),
        Command::Policy(group) => order::policy(session, group.command),
        Command::Order(group) => order::order(session, group.command),
        Command::Course(group) => course::run(session, group.command),
        Command::ExternalAdmin(group) => external_admin::run(session, group.command),
        Command::License(group) => license::run(session, group.command),
        Command::Audit(group) => audit::audit(session, group.command),
        Command::Outbox(group) => outbox::run(session, group.command),
        Command::Settings(group) => settings::run(session, group.command),
        Command::Apply(args) => fixture::apply(session, args),
        Command::Export(args) => fixture::export(session, args),
        Command::Schema => fixture::schema(session),
        Command::Completions { shell } => session.out.raw(&complete::script(shell)?),
        Command::Man(args) => man::man(session, args),
        Command::HelpTopic { topic } => help_topic(session, &topic),
    };
    session.out.finish(done).map(|()| Outcome::Done)
}

/// The command line `args` with `help TOPIC` read as `help-topic TOPIC`,
/// when clap refused it (`e`) because TOPIC is no command: clap's own
/// `help` shows the help of commands (`portalctl help user invite`, and
/// `portalctl user help invite`), and the topics are ours.
pub fn help_topic_line(args: &[OsString], e: &clap::Error) -> Option<Vec<OsString>> {
    if e.kind() != clap::error::ErrorKind::InvalidSubcommand {
        return None;
    }
    let at = args
        .windows(2)
        .position(|w| w[0] == "help" && TOPICS.iter().any(|(topic, _)| w[1] == *topic))?;
    let mut line = args.to_vec();
    line[at] = "help-topic".into();
    Some(line)
}

/// The refusal of `help TOPIC` with a mistyped topic (`help exit-code`),
/// naming the topic meant, or with a word that is neither a topic nor
/// like a command, listing the topics; `None` when clap has a command to
/// suggest (`help usr`), for clap to refuse as the mistyped command it is.
pub fn help_topic_typo(args: &[OsString], e: &clap::Error) -> Option<Error> {
    if e.kind() != clap::error::ErrorKind::InvalidSubcommand {
        return None;
    }
    let at = args.iter().position(|a| a == "help")?;
    let word = args.get(at + 1)?.to_str()?;
    // Only the word after `help` is ours to read: `help user invit` is
    // clap's mistyped command in a group.
    let refused = e.get(clap::error::ContextKind::InvalidSubcommand);
    if refused.is_some_and(|v| v.to_string() != word) {
        return None;
    }
    let topics: Vec<&str> = TOPICS.iter().map(|(name, _)| *name).collect();
    let plain = format!(
        "help topics are: {}; `portalctl help` lists the commands",
        topics.join(", ")
    );
    let help = crate::model::did_you_mean(word, topics.iter().copied(), plain.clone());
    let clap_suggests = e
        .get(clap::error::ContextKind::SuggestedSubcommand)
        .is_some();
    (help != plain || !clap_suggests)
        .then(|| Error::invalid(format!("no command or help topic `{}`", escape(word))).help(help))
}

/// `portalctl help TOPIC`.
fn help_topic(session: &Session, topic: &str) -> Result<()> {
    let out = session.out;
    match topic {
        "capabilities" => {
            let database = session.db_path().ok();
            out.list(
                &crate::domain::capability_catalog(database.as_deref())?,
                "capabilities",
            )
        }
        "exit-codes" => out.raw(&format!("{}\n", exit_codes_help(true))),
        _ => out.raw(&format!("{}\n", environment_help())),
    }
}

/// The domain error behind a clap value-parser refusal, so that a value
/// refused while parsing reads exactly as it would from the domain.
pub fn value_error(e: &clap::Error) -> Option<&Error> {
    use std::error::Error as _;
    if e.kind() != clap::error::ErrorKind::ValueValidation {
        return None;
    }
    e.source()?.downcast_ref::<Error>()
}

/// clap's own refusal `e` as the domain's usage error (exit 2), for
/// `--json`: its first paragraph, which names what was wrong, and its tips
/// (`a similar subcommand exists: 'invite'`) ahead of the help, since the
/// one meant is what a script's author most needs. `None` for help and
/// version, which are not errors.
pub fn usage_error(e: &clap::Error) -> Option<Error> {
    if !e.use_stderr() {
        return None;
    }
    // The message's whole first paragraph: clap puts what is missing
    // (`--reason <REASON>`) on the lines after "not provided:".
    let rendered = e.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    let message = message.join(" ");
    let mut help: Vec<&str> = rendered
        .lines()
        .filter_map(|line| line.trim().strip_prefix("tip: "))
        .collect();
    help.push("`portalctl help` and `--help` show the arguments");
    Some(Error::invalid(message.strip_prefix("error: ").unwrap_or(&message)).help(help.join("; ")))
}

/// clap's own refusal `e`, with the command-line values it echoes escaped
/// (see [`crate::output`]): an unknown subcommand or a bad `--limit` holding
/// an escape sequence or a newline must not act on the terminal or forge an
/// `error:` line. clap echoes them raw, so an error holding such a value is
/// rebuilt from its context with the values escaped; any other error (help
/// and version included) is returned as it is.
pub fn clap_error(e: clap::Error) -> clap::Error {
    use clap::builder::StyledStr;
    use clap::error::{ContextKind, ContextValue};

    // A value too long to echo whole is as much to rewrite as one unsafe
    // to print: one line, whatever was typed.
    let unfit = |s: &str| s.chars().any(unsafe_to_print) || s.len() > 1_000;
    let hostile = e.context().any(|(_, value)| match value {
        ContextValue::String(s) => unfit(s),
        ContextValue::Strings(v) => v.iter().any(|s| unfit(s)),
        ContextValue::StyledStr(s) => s.to_string().len() > 1_000,
        _ => false,
    });
    if !hostile {
        return e;
    }
    let safe_text = |s: &str| crate::error::bounded(escape(s).into_owned());
    // Plain text, styling dropped: a styled value (a tip that repeats the
    // argument) may hold the user's own escape sequences among clap's.
    let plain = |s: &StyledStr| StyledStr::from(safe_text(&s.to_string()));
    let mut safe = clap::Error::new(e.kind()).with_cmd(&Cli::command());
    for (kind, value) in e.context() {
        let value = match value {
            ContextValue::String(s) => ContextValue::String(safe_text(s)),
            ContextValue::Strings(v) => {
                ContextValue::Strings(v.iter().map(|s| safe_text(s)).collect())
            }
            // The usage line comes from the definition, not from the user.
            ContextValue::StyledStr(s) if kind != ContextKind::Usage => {
                ContextValue::StyledStr(plain(s))
            }
            ContextValue::StyledStrs(v) => ContextValue::StyledStrs(v.iter().map(plain).collect()),
            other => other.clone(),
        };
        safe.insert(kind, value);
    }
    with_reason(safe, &e)
}

/// `safe`, the rebuilt refusal of a value, with the reason the value's
/// parser gave (`an account is named by more than blanks`), escaped as
/// the value is. clap prints that reason from the error's source, which
/// only clap itself can set, so the rebuilt error would lose it: it is
/// written into the message instead, after the line naming the value.
fn with_reason(safe: clap::Error, original: &clap::Error) -> clap::Error {
    use std::error::Error as _;
    let Some(reason) = original.source() else {
        return safe;
    };
    let rendered = safe.render().to_string();
    let rendered = rendered.strip_prefix("error: ").unwrap_or(&rendered);
    let (first, rest) = rendered.split_once('\n').unwrap_or((rendered, ""));
    let reason = crate::error::bounded(escape(&reason.to_string()).into_owned());
    let message = format!("{first}: {reason}\n{rest}");
    clap::Error::raw(safe.kind(), message).with_cmd(&Cli::command())
}
