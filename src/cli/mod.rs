//! The command line: clap definitions, the run context, and dispatch. Each
//! command group parses, calls the domain, and hands the result to output.

mod account;
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
mod settings;
mod status;
mod user;

use std::ffi::OsString;
use std::io::{IsTerminal, Read as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::domain::{Actor, Ctx, Portal};
use crate::error::{Error, Outcome, Result};
use crate::model::{escape, unsafe_to_print, Email, Text, Timestamp};
use crate::output::Output;
pub use complete::complete_from_env;

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
    /// The database file.
    #[arg(long, global = true, env = "PORTALCTL_DB", value_name = "PATH", help_heading = GLOBAL)]
    db: Option<PathBuf>,

    /// Act as this member, held to the portal's rules.
    #[arg(long = "as", global = true, env = "PORTALCTL_AS", value_name = "EMAIL", help_heading = GLOBAL)]
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

    /// Print nothing on success: the exit code says how it went.
    #[arg(long, short = 'q', global = true, help_heading = GLOBAL)]
    quiet: bool,

    /// Fix the clock (RFC 3339), for tests and reproducible fixtures.
    #[arg(long, global = true, env = "PORTALCTL_NOW", hide = true, help_heading = GLOBAL)]
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
    /// whether its integrity check and audit chain pass. Read-only; a member
    /// (--as) sees the counts of their own accounts only.
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
    /// Make the database match a fixture (JSON): accounts, users, roles,
    /// services, cost centres, policies. One transaction; a second apply
    /// of the same file changes nothing.
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

/// An open portal that, once the command is done with it, prints the
/// warnings its writes left (`warning: ...` on stderr): a change that went
/// through but needs the user's attention, such as orders left without
/// approvers.
pub(crate) struct Opened {
    portal: Portal,
    out: Output,
}

impl std::ops::Deref for Opened {
    type Target = Portal;
    fn deref(&self) -> &Portal {
        &self.portal
    }
}

impl std::ops::DerefMut for Opened {
    fn deref_mut(&mut self) -> &mut Portal {
        &mut self.portal
    }
}

impl Drop for Opened {
    fn drop(&mut self) {
        for warning in self.portal.take_warnings() {
            self.out.warn(&warning);
        }
    }
}

/// What a command needs besides its own arguments.
pub(crate) struct Session {
    cli_db: Option<PathBuf>,
    act_as: Option<String>,
    now: Option<String>,
    yes: bool,
    interactive: bool,
    pub out: Output,
}

impl Session {
    /// Opens the portal; `init` uses [`Session::init_portal`] instead.
    pub(crate) fn portal(&self) -> Result<Opened> {
        Ok(Opened {
            portal: Portal::open(&self.db_path()?, busy_timeout()?, self.ctx()?)?,
            out: self.out,
        })
    }

    /// Runs `init` on the portal, creating the database file if there is
    /// none; a file created here is removed again if `init` fails (see
    /// [`Portal::create`]).
    pub(crate) fn init_portal<T>(&self, init: impl FnOnce(&mut Portal) -> Result<T>) -> Result<T> {
        Portal::create(&self.db_path()?, busy_timeout()?, self.ctx()?, init)
    }

    /// The database file: --db / PORTALCTL_DB, else the default.
    pub(crate) fn db_path(&self) -> Result<PathBuf> {
        match &self.cli_db {
            Some(p) => Ok(p.clone()),
            None => crate::domain::default_db_path(),
        }
    }

    fn ctx(&self) -> Result<Ctx> {
        let now = match self.now.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(text) => text.parse().map_err(|_| {
                Error::invalid(format!("PORTALCTL_NOW `{text}` is not an RFC 3339 time"))
            })?,
            None => Utc::now().into(),
        };
        // Only leaving --as out means the operator: a blank one is a
        // mistake (an unset variable in a script), not a way to gain rights.
        let actor = match self.act_as.as_deref().map(str::trim) {
            Some("") => {
                return Err(Error::invalid("--as (or PORTALCTL_AS) is empty")
                    .help("name a member with --as EMAIL, or leave it out to act as the operator"))
            }
            Some(email) => Actor::Member(email.parse::<Email>()?),
            None => Actor::Operator(os_user()),
        };
        Ok(Ctx { now, actor })
    }

    /// Asks before an irreversible or access-removing change. `--yes`
    /// answers for the user; a run that cannot prompt (no terminal, or
    /// `--no-input`) must say `--yes` rather than go ahead unasked (exit
    /// 2), and a declined prompt changes nothing (exit 2).
    pub(crate) fn confirm(&self, question: &str) -> Result<()> {
        if self.yes {
            return Ok(());
        }
        if !self.interactive {
            return Err(
                Error::invalid(format!("{question}: needs confirmation, pass --yes")).help(
                    "without a terminal, or with --no-input, portalctl never asks: --yes (-y) confirms",
                ),
            );
        }
        match crate::prompt::confirm(&escape(question)) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Error::invalid("cancelled; nothing changed")),
            Err(e) => Err(e),
        }
    }

    /// Confirms `question` once `check` (the command itself, rehearsed by
    /// [`Portal::check`]) shows it would go through: nobody is asked to
    /// confirm what is then refused. With `--yes` nobody is asked, and the
    /// command checks itself as it runs.
    pub(crate) fn confirm_checked(
        &self,
        portal: &mut Portal,
        check: impl FnOnce(&mut Portal) -> Result<()>,
        question: &str,
    ) -> Result<()> {
        if self.yes {
            return Ok(());
        }
        check(portal)?;
        self.confirm(question)
    }
}

/// `PORTALCTL_BUSY_TIMEOUT` in milliseconds, else the store's default.
fn busy_timeout() -> Result<Option<Duration>> {
    match std::env::var("PORTALCTL_BUSY_TIMEOUT") {
        // SQLite counts the wait in a signed 32-bit number of milliseconds.
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|ms| i32::try_from(*ms).is_ok())
            .map(|ms| Some(Duration::from_millis(u64::from(ms))))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "PORTALCTL_BUSY_TIMEOUT `{text}` is not a number of milliseconds up to {}",
                    i32::MAX
                ))
            }),
        _ => Ok(None),
    }
}

/// The name of the OS user running portalctl, for the audit log.
fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(user_of_this_process)
}

/// The login name of this process's user from `/etc/passwd`, else its uid,
/// for when no USER variable is set (cron, CI containers).
fn user_of_this_process() -> String {
    use std::os::unix::fs::MetadataExt;
    let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return "unknown".into();
    };
    let passwd = read_text_file(Path::new("/etc/passwd")).unwrap_or_default();
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.get(2) == Some(&uid.to_string().as_str()))
        .and_then(|fields| fields.first().map(|name| name.to_string()))
        .unwrap_or_else(|| format!("uid{uid}"))
}

/// The most, in MiB, of any file portalctl reads besides its database (a
/// preset file, `/etc/passwd`): hundreds of times the largest shipped
/// preset, and still a small allocation.
const MAX_FILE_MIB: u64 = 1;

/// Reads the UTF-8 text file at `path`, refusing it (exit 2) once it holds
/// more than [`MAX_FILE_MIB`]: a huge file, or one that never ends such as
/// `/dev/zero`, is refused after that much rather than read into memory.
/// Pipes are read too (`--preset-file <(...)`), under the same cap.
pub(crate) fn read_text_file(path: &Path) -> Result<String> {
    read_capped(path, MAX_FILE_MIB)
}

/// Reads the UTF-8 text at `path` (`-`: stdin), refusing it (exit 2) once
/// it holds more than `cap_mib` MiB.
pub(crate) fn read_capped(path: &Path, cap_mib: u64) -> Result<String> {
    let cap = cap_mib << 20;
    let cannot_read =
        |e: std::io::Error| Error::invalid(format!("cannot read `{}`: {e}", path.display()));
    let mut bytes = Vec::new();
    // One byte past the cap tells a file of exactly the cap from a larger one.
    if path == Path::new("-") {
        std::io::stdin()
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot_read)?;
    } else {
        std::fs::File::open(path)
            .map_err(cannot_read)?
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot_read)?;
    }
    if bytes.len() as u64 > cap {
        return Err(Error::invalid(format!(
            "`{}` is larger than {cap_mib} MiB, the most portalctl reads from it",
            path.display()
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| Error::invalid(format!("`{}` is not UTF-8 text", path.display())))
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    let session = Session {
        cli_db: cli.db,
        act_as: cli.act_as,
        now: cli.now,
        yes: cli.yes,
        interactive: !cli.no_input && std::io::stdin().is_terminal(),
        out: Output {
            json: cli.json,
            quiet: cli.quiet,
            notes: !cli.json && !cli.quiet && std::io::stderr().is_terminal(),
        },
    };
    let done = match cli.command {
        Command::Can(args) => return role::can(&session, args),
        Command::Init(args) => init::init(&session, args),
        Command::Status => status::status(&session),
        Command::Preset(group) => init::preset(&session, group.command),
        Command::Role(group) => role::run(&session, group.command),
        Command::Account(group) => account::run(&session, group.command),
        Command::User(group) => user::run(&session, group.command),
        Command::Service(group) => service::service(&session, group.command),
        Command::CostCentre(group) => service::cost_centre(&session, group.command),
        Command::Policy(group) => order::policy(&session, group.command),
        Command::Order(group) => order::order(&session, group.command),
        Command::Course(group) => course::run(&session, group.command),
        Command::ExternalAdmin(group) => external_admin::run(&session, group.command),
        Command::License(group) => license::run(&session, group.command),
        Command::Audit(group) => audit::audit(&session, group.command),
        Command::Outbox(group) => outbox::run(&session, group.command),
        Command::Settings(group) => settings::run(&session, group.command),
        Command::Apply(args) => fixture::apply(&session, args),
        Command::Export(args) => fixture::export(&session, args),
        Command::Schema => fixture::schema(&session),
        Command::Completions { shell } => session.out.raw(&complete::script(shell)?),
        Command::Man(args) => man::man(&session, args),
        Command::HelpTopic { topic } => help_topic(&session, &topic),
    };
    done.map(|()| Outcome::Done)
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
/// naming the topic meant; `None` when the word is like no topic, for
/// clap to refuse as the unknown command it is.
pub fn help_topic_typo(args: &[OsString], e: &clap::Error) -> Option<Error> {
    if e.kind() != clap::error::ErrorKind::InvalidSubcommand {
        return None;
    }
    let at = args.iter().position(|a| a == "help")?;
    let word = args.get(at + 1)?.to_str()?;
    let topics: Vec<&str> = TOPICS.iter().map(|(name, _)| *name).collect();
    let plain = format!(
        "help topics are: {}; `portalctl help` lists the commands",
        topics.join(", ")
    );
    let help = crate::model::did_you_mean(word, topics.iter().copied(), plain.clone());
    (help != plain)
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

// `--account`: the account a command acts in. Left out, the domain picks
// the only account of the member concerned, of the acting member, or of
// the database.
// (Not a doc comment: clap would show it as the about of every command
// that flattens these arguments, over the command's own.)
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct AccountArg {
    /// The account to act in (may be left out when it is clear).
    #[arg(long, value_name = "ACCOUNT")]
    account: Option<String>,
}

impl AccountArg {
    /// The account named, if any.
    pub(crate) fn name(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The account named, if any, for a request that owns it.
    pub(crate) fn into_name(self) -> Option<String> {
        self.account
    }

    /// The account named by `--account` or by the positional shorthand
    /// `account ... ACCOUNT`; naming two different ones is a usage error.
    pub(crate) fn or_positional(self, positional: Option<String>) -> Result<AccountArg> {
        match (self.account, positional) {
            (Some(flag), Some(pos)) if flag.trim() != pos.trim() => Err(Error::invalid(format!(
                "two accounts given: `{}` and --account `{}`",
                pos.trim(),
                flag.trim()
            ))
            .help("name the account once, with --account")),
            (flag, pos) => Ok(AccountArg {
                account: flag.or(pos),
            }),
        }
    }
}

// `--limit COUNT` of a list: at most this many items, the first in the
// list's order.
// (Not a doc comment: clap would show it as the about of every command
// that flattens these arguments, over the command's own.)
#[derive(Debug, Clone, Copy, Default, Args)]
pub(crate) struct LimitArg {
    /// List at most this many, the first in the list's order.
    #[arg(long, value_name = "COUNT")]
    pub(crate) limit: Option<u32>,
}

/// The value parser of every stored free-text argument: reads it into a
/// [`Text`], and a refusal names the flag (`--description ... contains a
/// control character`) and reads as the domain's own (see [`value_error`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextArg;

impl clap::builder::TypedValueParser for TextArg {
    type Value = Text;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<Text, clap::Error> {
        let what = match arg {
            Some(a) => match a.get_long() {
                Some(long) => format!("--{long}"),
                None => format!("the {}", a.get_id()),
            },
            None => "the text".to_string(),
        };
        // A function parser makes clap keep our error as the source, which
        // `value_error` finds again.
        let parse = move |s: &str| Text::parse(&what, s);
        parse.parse_ref(cmd, arg, value)
    }
}

/// Reads `7d`, `48h`, `30m` into a duration.
pub(crate) fn duration(text: &str) -> Result<chrono::Duration> {
    let std = humantime::parse_duration(text.trim()).map_err(|_| {
        Error::invalid(format!("`{text}` is not a duration")).help("write it like 7d, 48h or 30m")
    })?;
    chrono::Duration::from_std(std).map_err(|_| Error::invalid(format!("`{text}` is too long")))
}

/// A point in time given either as such or as how long ago it was.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Since {
    /// An RFC 3339 time.
    At(Timestamp),
    /// This long before now.
    Ago(chrono::Duration),
    /// A whole day (UTC): from its start, or up to its end.
    Day(chrono::NaiveDate),
}

impl Since {
    /// The time meant as a start, counting back from `now`: a day means
    /// its first second.
    pub(crate) fn at(self, now: Timestamp) -> Result<Timestamp> {
        match self {
            Since::At(t) => Ok(t),
            Since::Ago(d) => now.minus(d),
            Since::Day(day) => Ok(day.and_time(chrono::NaiveTime::MIN).and_utc().into()),
        }
    }

    /// The time meant as an end (inclusive): a day means its last second.
    pub(crate) fn until(self, now: Timestamp) -> Result<Timestamp> {
        match self {
            Since::Day(_) => self
                .at(now)?
                .plus(chrono::Duration::days(1) - chrono::Duration::seconds(1)),
            other => other.at(now),
        }
    }
}

/// Reads `--since` and `--until`: a date (`2026-11-25`, a whole day in
/// UTC), an RFC 3339 time, or a duration ago such as `2h` or `7d`.
pub(crate) fn since(text: &str) -> Result<Since> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        return Ok(Since::Day(day));
    }
    if text.contains('T') || text.contains('-') {
        text.parse().map(Since::At)
    } else {
        duration(text).map(Since::Ago)
    }
}

/// A moment ahead, for `--until`: an RFC 3339 time, a date (its first
/// second, UTC), or how long from now (`7d`, `36h`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Until {
    /// An RFC 3339 time.
    At(Timestamp),
    /// This long after now.
    In(chrono::Duration),
    /// The start of a day (UTC).
    Day(chrono::NaiveDate),
}

impl Until {
    /// The moment meant, counting on from `now`.
    pub(crate) fn at(self, now: Timestamp) -> Result<Timestamp> {
        match self {
            Until::At(t) => Ok(t),
            Until::In(d) => now.plus(d),
            Until::Day(day) => Ok(day.and_time(chrono::NaiveTime::MIN).and_utc().into()),
        }
    }
}

/// Reads `--until`: what `--since` reads, with a duration counted forward.
pub(crate) fn until(text: &str) -> Result<Until> {
    Ok(match since(text)? {
        Since::At(t) => Until::At(t),
        Since::Ago(d) => Until::In(d),
        Since::Day(day) => Until::Day(day),
    })
}

/// Reads an audit actor: an email, or the operator as `operator:USER` or
/// just the login name `USER` (a login name never holds an `@`).
pub(crate) fn audit_actor(text: &str) -> Result<Actor> {
    let text = text.trim();
    match text.strip_prefix("operator:") {
        Some(user) => Ok(Actor::Operator(user.to_string())),
        None if !text.is_empty() && !text.contains('@') => Ok(Actor::Operator(text.to_string())),
        None => Ok(Actor::Member(text.parse()?)),
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
/// `--json`: its first line, which names what was wrong. `None` for help
/// and version, which are not errors.
pub fn usage_error(e: &clap::Error) -> Option<Error> {
    if !e.use_stderr() {
        return None;
    }
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    Some(
        Error::invalid(first.strip_prefix("error: ").unwrap_or(first))
            .help("`portalctl help` and `--help` show the arguments"),
    )
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

    let hostile = e.context().any(|(_, value)| match value {
        ContextValue::String(s) => s.chars().any(unsafe_to_print),
        ContextValue::Strings(v) => v.iter().any(|s| s.chars().any(unsafe_to_print)),
        _ => false,
    });
    if !hostile {
        return e;
    }
    // Plain text, styling dropped: a styled value (a tip that repeats the
    // argument) may hold the user's own escape sequences among clap's.
    let plain = |s: &StyledStr| StyledStr::from(escape(&s.to_string()).into_owned());
    let mut safe = clap::Error::new(e.kind()).with_cmd(&Cli::command());
    for (kind, value) in e.context() {
        let value = match value {
            ContextValue::String(s) => ContextValue::String(escape(s).into_owned()),
            ContextValue::Strings(v) => {
                ContextValue::Strings(v.iter().map(|s| escape(s).into_owned()).collect())
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
    safe
}
