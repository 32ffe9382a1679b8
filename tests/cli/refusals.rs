//! Refusals: every bad or forbidden request exits with its documented code,
//! prints one `error:` line naming what was wrong, nothing on stdout, and
//! leaves the database exactly as it was.
//!
//! Most of them are rows of one table: a set-up, who acts, the command line,
//! the exit code and what the error line must name. All their error lines
//! are one snapshot, so a change to any message shows up in review.

use std::collections::HashMap;
use std::fmt;

use crate::support::{
    error_line, says, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, OWNER, SUCCESS, UNAVAILABLE,
    USAGE,
};

const ANN: &str = "ann@acme.test";

/// In a row's command line, the token `user invite` printed for Ann's
/// first invitation.
const TOKEN: &str = "{token}";

/// The arguments of a command line: words split at spaces, and `'...'` one
/// word with the spaces inside (`''` is an empty one).
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            ' ' if !quoted => words.extend(word.take()),
            _ => word.get_or_insert_with(String::new).push(c),
        }
    }
    assert!(!quoted, "unbalanced quote in {line:?}");
    words.extend(word);
    words
}

/// `words` as the `&str`s the helpers take.
fn strs(words: &[String]) -> Vec<&str> {
    words.iter().map(String::as_str).collect()
}

// ---------------------------------------------------------------- set-ups

/// A database the rows start from, and its name in the snapshot. Refusals
/// change nothing, so the rows of one set-up share one copy of it.
#[derive(Clone, Copy)]
struct Setup(&'static str, fn() -> Portal);

const ACME: Setup = Setup("acme", Portal::new);
const NO_FILE: Setup = Setup("no database file", Portal::empty);
const NOTES: Setup = Setup("a file of notes", notes);
const NEWER: Setup = Setup("acme at schema version 99", newer);
const ANN_USER: Setup = Setup("ann a user", || with_ann("user", &[]));
const ANN_ADMIN: Setup = Setup("ann an admin", || with_ann("admin", &[]));
const ANN_NO_ACCESS: Setup = Setup("ann blocked", || with_ann("no-access", &[]));
const ANN_DEACTIVATED: Setup = Setup("ann a deactivated user", || {
    with_ann("user", &["deactivate"])
});
const ANN_LEFT: Setup = Setup("ann a user who left", || {
    with_ann("user", &["left-company"])
});
const ADMIN_DEACTIVATED: Setup = Setup("ann a deactivated admin", || {
    with_ann("admin", &["deactivate"])
});
const ADMIN_LEFT: Setup = Setup("ann an admin who left", || {
    with_ann("admin", &["left-company"])
});
const ANN_INVITED: Setup = Setup("ann invited as a user", || invited("user", &[]));
const ADMIN_INVITED: Setup = Setup("ann invited as an admin", || invited("admin", &[]));
const ANN_RESENT: Setup = Setup("ann invited, the invitation resent", || {
    invited("user", &["resend-invite"])
});
const ANN_REVOKED: Setup = Setup("ann invited, the invitation revoked", || {
    invited("user", &["revoke-invite"])
});
const BOB_INVITED: Setup = Setup("ann a user, bob invited", || {
    let p = with_ann("user", &[]);
    p.invite("bob@acme.test", "user", ACCOUNT);
    p
});
const TWO_ANNS: Setup = Setup("ann an admin, ann.b a user", || {
    let p = with_ann("admin", &[]);
    p.member("ann.b@acme.test", "user");
    p
});
const OTHER: Setup = Setup("olga an admin of Other Ltd", other_account);
const SOLO: Setup = Setup("sam the only admin of Solo Ltd", solo);
const SOLO_DEMOTED: Setup = Setup("Solo Ltd, tia an admin, sam demoted", || {
    let p = solo_with_tia();
    p.ok(&strs(&words(
        "user set-role sam@solo.test user --account 'Solo Ltd'",
    )));
    p
});
const MAX_ADMIN: Setup = Setup(
    "customer-area, max an account-admin member",
    customer_area_with_account_admin,
);
const MSP_ANN: Setup = Setup("msp, ann an msp-user", || {
    let p = Portal::with_preset("msp");
    p.member(ANN, "msp-user");
    p
});
const MAX_AND_MIA: Setup = Setup(
    "customer-area, max an account-admin member, mia a member",
    || {
        let p = customer_area_with_account_admin();
        p.member("mia@acme.test", "member");
        p
    },
);

fn notes() -> Portal {
    let p = Portal::empty();
    let text = "these are my shopping notes, not a database\n".repeat(100);
    std::fs::write(&p.db, text).unwrap();
    p
}

fn newer() -> Portal {
    let p = Portal::new();
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    p
}

/// Acme with Ann as an active `role`, after the operator's `user COMMAND
/// ann` for each of `then`.
fn with_ann(role: &str, then: &[&str]) -> Portal {
    let p = Portal::new();
    let token = invite_ann(&p, role);
    p.ok(&["user", "accept", &token]);
    for command in then {
        p.ok(&["user", command, "--yes", ANN]);
    }
    p
}

/// Acme with Ann invited as `role` (the first invitation email), after the
/// operator's `user COMMAND ann` for each of `then`.
fn invited(role: &str, then: &[&str]) -> Portal {
    let p = Portal::new();
    invite_ann(&p, role);
    for command in then {
        p.ok(&["user", command, "--yes", ANN]);
    }
    p
}

fn other_account() -> Portal {
    Portal::cached("refusals: other account", || {
        let p = Portal::new();
        p.ok(&["account", "create", "Other Ltd", "--kind", "customer"]);
        p.member_in("olga@other.test", "admin", "Other Ltd");
        p
    })
}

fn solo() -> Portal {
    Portal::cached("refusals: solo", || {
        let p = Portal::new();
        p.ok(&["account", "create", "Solo Ltd", "--kind", "partner"]);
        p.member_in("sam@solo.test", "admin", "Solo Ltd");
        p
    })
}

fn solo_with_tia() -> Portal {
    Portal::cached("refusals: solo with tia", || {
        let p = solo();
        p.member_in("tia@solo.test", "admin", "Solo Ltd");
        p
    })
}

fn customer_area_with_account_admin() -> Portal {
    Portal::cached("refusals: customer-area account admin", || {
        let p = Portal::with_preset("customer-area");
        p.member("max@acme.test", "member");
        p.ok(&["user", "grant", "max@acme.test", "account-admin"]);
        p
    })
}

// ---------------------------------------------------------------- the table

/// One refusal: `line` run on `setup` by `actor` (or the operator) at `now`
/// (or the set-up's clock) exits with `code`; the error line names each of
/// `names`, and stderr says each of `hints`.
struct Row {
    setup: Setup,
    actor: Option<&'static str>,
    now: Option<&'static str>,
    line: &'static str,
    code: i32,
    names: Vec<&'static str>,
    hints: Vec<&'static str>,
}

fn row(setup: Setup, line: &'static str, code: i32, names: &[&'static str]) -> Row {
    Row {
        setup,
        actor: None,
        now: None,
        line,
        code,
        names: names.to_vec(),
        hints: Vec::new(),
    }
}

impl Row {
    /// Run as `actor` instead of the operator.
    fn by(mut self, actor: &'static str) -> Row {
        self.actor = Some(actor);
        self
    }

    /// Run with `PORTALCTL_NOW` set to `now`.
    fn at(mut self, now: &'static str) -> Row {
        self.now = Some(now);
        self
    }

    /// Stderr, beyond the error line, says each of `hints`.
    fn hint(mut self, hints: &[&'static str]) -> Row {
        self.hints = hints.to_vec();
        self
    }
}

impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = match self.code {
            USAGE => "USAGE",
            NOT_FOUND => "NOT_FOUND",
            CONFLICT => "CONFLICT",
            DENIED => "DENIED",
            UNAVAILABLE => "UNAVAILABLE",
            _ => "?",
        };
        write!(f, "{code} ({}", self.setup.0)?;
        if let Some(actor) = self.actor {
            write!(f, ", as {actor}")?;
        }
        if let Some(now) = self.now {
            write!(f, ", at {now}")?;
        }
        write!(f, "): portalctl")?;
        for arg in words(self.line) {
            if arg.is_empty() || arg.contains(' ') {
                write!(f, " {arg:?}")?;
            } else {
                write!(f, " {arg}")?;
            }
        }
        Ok(())
    }
}

/// The rows, one command line each. `{token}` stands for the token of
/// Ann's first invitation.
#[rustfmt::skip]
fn rows() -> Vec<Row> {
    const INIT_NOPE: &str = "init --preset nope --account 'Acme Ltd' --owner-email owner@acme.test";
    const INVITE_NEWBIE: &str = "user invite --email newbie@acme.test --name Newbie --role user --account 'Acme Ltd'";
    const LIST_ACME: &str = "user list --account 'Acme Ltd'";
    let mut rows = vec![
        // ------------------------------------------------------ bad values
        row(ACME, "user invite --email not-an-email --name Nobody --role user --account 'Acme Ltd'",
            USAGE, &["not-an-email", "not a valid email"]),
        // A new user needs a non-blank name.
        row(ACME, "user invite --email ann@acme.test --name '' --role user --account 'Acme Ltd'",
            USAGE, &["name"]),
        row(ACME, "user invite --email ann@acme.test --name '   ' --role user --account 'Acme Ltd'",
            USAGE, &["name", "empty"]),
        // An unknown role is named.
        row(ACME, "user invite --email ann@acme.test --name Ann --role wizard --account 'Acme Ltd'",
            USAGE, &["unknown role", "wizard"]),
        row(ANN_USER, "user set-role ann@acme.test wizard", USAGE, &["wizard"]),
        // An unknown account or user is not found.
        row(ACME, "user invite --email ann@acme.test --name Ann --role user --account 'Nope Ltd'",
            NOT_FOUND, &["Nope Ltd"]),
        row(ACME, "user list --account 'Nope Ltd'", NOT_FOUND, &["Nope Ltd"]),
        row(ACME, "user show owner@acme.test --account 'Nope Ltd'", NOT_FOUND, &["Nope Ltd"]),
        row(ACME, "user show ghost@acme.test", NOT_FOUND, &["ghost@acme.test"]),
        row(ACME, "user set-role ghost@acme.test user", NOT_FOUND, &["ghost@acme.test"]),
        row(ACME, "user deactivate ghost@acme.test", NOT_FOUND, &["ghost@acme.test"]),
        // Malformed expiries, timezones, countries, currencies and clocks.
        row(ACME, "user invite --email ann@acme.test --name Ann --role user --account 'Acme Ltd' --expires-in soon",
            USAGE, &["soon", "duration"]),
        row(ACME, "user invite --email ann@acme.test --name Ann --role user --account 'Acme Ltd' --expires-in 0s",
            USAGE, &["expire"]),
        row(ACME, "user invite --email ann@acme.test --name Ann --role user --account 'Acme Ltd' --timezone Mars/Olympus_Mons",
            USAGE, &["Mars/Olympus_Mons", "timezone"]),
        row(ACME, "user invite --email ann@acme.test --name Ann --role user --account 'Acme Ltd' --city London --country GBR",
            USAGE, &["GBR", "country"]),
        row(ACME, "account create 'Other Ltd' --kind customer --currency POUNDS",
            USAGE, &["POUNDS", "currency"]),
        row(ACME, "account create 'Other Ltd' --kind customer --currency XYZ",
            USAGE, &["XYZ", "currency"]),
        row(ACME, "user list", USAGE, &["PORTALCTL_NOW", "yesterday"]).at("yesterday"),
        row(ACME, "user invite --email ann@acme.test --name Ann --role user --account 'Acme Ltd'",
            USAGE, &["PORTALCTL_NOW"]).at("yesterday"),
        // Unknown capabilities, grants and presets; a refused init leaves no
        // file behind.
        row(ACME, "can owner@acme.test users.fly", USAGE, &["users.fly"]),
        row(ANN_USER, "user grant ann@acme.test superpowers", USAGE, &["superpowers"]),
        row(ANN_USER, INIT_NOPE, USAGE, &["nope"]),
        row(NO_FILE, INIT_NOPE, USAGE, &["unknown preset"]),
        // Usage errors of the parser itself.
        row(ACME, "user invite --email ann@acme.test --name Ann", USAGE, &[]).hint(&["--role"]),
        row(ACME, "user frobnicate", USAGE, &[]),
        row(ACME, "account create 'X Ltd' --kind vendor", USAGE, &["vendor"]),
        // ------------------------------------------------------- conflicts
        row(ANN_USER, "user invite --email ann@acme.test --name Ann --role manager --account 'Acme Ltd'",
            CONFLICT, &[ANN, "already a member"]),
        row(BOB_INVITED, "user invite --email bob@acme.test --name Bob --role user --account 'Acme Ltd'",
            CONFLICT, &["already a member"]),
        row(BOB_INVITED, "user invite --email owner@acme.test --name Olive --role user --account 'Acme Ltd'",
            CONFLICT, &[OWNER]),
        // ---------------------------------------------------------- tokens
        row(ACME, "user accept pinv_0000000000000000000000000000000000000000000000000000000000000000",
            NOT_FOUND, &["invitation"]),
        row(ACME, "user accept garbage", NOT_FOUND, &[]),
        row(ANN_USER, "user accept {token}", CONFLICT, &["already accepted"]),
        row(ANN_INVITED, "user accept {token}", CONFLICT, &["expired"]).at("2026-12-03T10:00:00Z"),
        row(ANN_RESENT, "user accept {token}", CONFLICT, &["replaced"]),
        row(ANN_REVOKED, "user accept {token}", CONFLICT, &["revoked"]),
        // -------------------------------------------------- the last admin
        row(SOLO, "user set-role sam@solo.test user --account 'Solo Ltd'",
            CONFLICT, &["Solo Ltd", "users.manage"]),
        row(SOLO, "user set-role sam@solo.test no-access", CONFLICT, &["Solo Ltd", "users.manage"]),
        row(SOLO, "user deactivate sam@solo.test --account 'Solo Ltd'",
            CONFLICT, &["Solo Ltd", "users.manage"]),
        row(SOLO, "user left-company sam@solo.test --account 'Solo Ltd'",
            CONFLICT, &["Solo Ltd", "users.manage"]),
        // Once a second admin took over, they are the last one.
        row(SOLO_DEMOTED, "user deactivate tia@solo.test", CONFLICT, &["users.manage"]),
        // ------------------------------------------------------- the owner
        // Another admin exists, so only the owner rule can refuse; not even
        // that admin may.
        row(ANN_ADMIN, "user deactivate owner@acme.test", CONFLICT, &[OWNER, "owns"]),
        row(ANN_ADMIN, "user left-company owner@acme.test", CONFLICT, &[OWNER, "owns"]),
        row(ANN_ADMIN, "user set-role owner@acme.test user", CONFLICT, &[OWNER, "owns"]),
        row(ANN_ADMIN, "user deactivate owner@acme.test", CONFLICT, &["owns"]).by(ANN),
        // ------------------------------------------------------- acting as
        row(ANN_NO_ACCESS, "user show owner@acme.test", DENIED, &["users.view"]).by(ANN),
        // A refusal says what was refused, not only the capability.
        row(ANN_USER, "service add --name Line", DENIED, &["may not add services", "services.assign"]).by(ANN),
        row(ANN_USER, "user set-role ann@acme.test admin", DENIED, &["may not change users' roles"]).by(ANN),
        row(ANN_USER, "policy create --name P --threshold 5", DENIED, &["may not create approval policies"]).by(ANN),
        row(ANN_USER, "cost-centre create FIN --name Finance", DENIED, &["may not create cost centres"]).by(ANN),
        row(ANN_USER, "role create r --capabilities account.view", DENIED, &["may not create roles"]).by(ANN),
        // 001's levels are roles: nothing is granted on top of one.
        row(ANN_USER, "user grant ann@acme.test billing.view", CONFLICT, &["one role per user", "billing.view"]),
        // Account names are one namespace: a name an account holds is
        // refused, to who cannot see it only as not available.
        row(SOLO, "account create 'Acme Ltd' --kind customer --parent 'Solo Ltd'", CONFLICT, &["the account name `Acme Ltd` is not available"]).by("sam@solo.test"),
        row(ANN_NO_ACCESS, "account create 'Acme Ltd' --kind customer --parent 'Acme Ltd'", DENIED, &["customers.manage"]).by(ANN),
        // Who has left or is blocked reads nothing, not even themselves.
        row(ADMIN_LEFT, "user show ann@acme.test", DENIED, &[ANN, "left"]).by(ANN),
        row(ADMIN_LEFT, "can ann@acme.test users.view", DENIED, &[ANN, "left"]).by(ANN),
        row(ANN_NO_ACCESS, "user show ann@acme.test", DENIED, &[ANN, "no-access"]).by(ANN),
        // Times the text form cannot hold are refused, not stored.
        row(ACME, "audit list --since 400000000d", USAGE, &["0000 to 9999"]),
        row(ACME, "audit list --since 2y", USAGE, &["no fixed length"]),
        row(ACME, INVITE_NEWBIE, USAGE, &["0000 to 9999"]).at("9999-12-31T00:00:00Z"),
        // Only leaving --as out means the operator; an --as that names
        // nobody is refused alike by every command, before any rule.
        row(ACME, "user list", USAGE, &["empty"]).by(""),
        row(ACME, "--as '  ' user list", USAGE, &["empty"]),
        row(ACME, "user list", NOT_FOUND, &["no member", "ghost@acme.test"]).by("ghost@acme.test"),
        row(ACME, INVITE_NEWBIE, NOT_FOUND, &["ghost@acme.test"]).by("ghost@acme.test"),
        row(ACME, "order place --description X --amount 1", NOT_FOUND, &["ghost@acme.test"])
            .by("ghost@acme.test"),
        row(OTHER, "user deactivate owner@acme.test --account 'Acme Ltd'", DENIED, &["Acme Ltd"])
            .by("olga@other.test"),
        // ------------------------------------------------------ escalation
        // Nobody but the owner holds the customer area's owner role (004:
        // "Account owners always have full access"), whoever asks; an
        // account-admin member may not grant billing (to others, themselves
        // or by inviting), nor create a role beyond their capabilities.
        row(MAX_ADMIN, "user invite --email mia@acme.test --name Mia --role owner --account 'Acme Ltd'",
            CONFLICT, &["mia@acme.test", "`owner` role is the owner's alone"]).by("max@acme.test"),
        row(MAX_AND_MIA, "user set-role mia@acme.test owner", CONFLICT, &["`owner` role is the owner's alone"]),
        row(MAX_AND_MIA, "user grant mia@acme.test billing", DENIED, &["billing"]).by("max@acme.test"),
        row(MAX_AND_MIA, "user grant max@acme.test billing", DENIED, &["billing"]).by("max@acme.test"),
        row(MAX_AND_MIA, "user invite --email zoe@acme.test --name Zoe --role member --account 'Acme Ltd' --grant billing",
            DENIED, &["billing"]).by("max@acme.test"),
        row(MAX_ADMIN, "role create biller --capabilities account.view,billing.view",
            DENIED, &["billing.view"]).by("max@acme.test"),
        // ----------------------------------------------------- wrong state
        row(ANN_DEACTIVATED, "user deactivate ann@acme.test", CONFLICT, &["already deactivated"]),
        row(ANN_USER, "user activate ann@acme.test", CONFLICT, &["already active"]),
        row(ANN_INVITED, "user activate ann@acme.test", CONFLICT, &[ANN, "accepted"]),
        // A revoked invitation leaves them deactivated but never accepted.
        row(ANN_REVOKED, "user activate ann@acme.test", CONFLICT, &["never accepted"]),
        row(ANN_LEFT, "user left-company ann@acme.test", CONFLICT, &["already left"]),
        row(ANN_USER, "user revoke-invite ann@acme.test", CONFLICT, &["no pending invitation"]),
        row(ANN_USER, "user resend-invite ann@acme.test", CONFLICT, &["no invitation to resend"]),
        row(ADMIN_INVITED, "user transfer-ownership --to ann@acme.test --yes", CONFLICT, &[ANN, "invited"]),
        // Merge and transfer need --yes without a terminal.
        row(TWO_ANNS, "user merge ann.b@acme.test --into ann@acme.test", USAGE, &[]).hint(&["--yes"]),
        row(TWO_ANNS, "user transfer-ownership --to ann@acme.test", USAGE, &[]).hint(&["--yes"]),
        // -------------------------------------------------------- the file
        row(NEWER, "user list", UNAVAILABLE, &["99"]),
        row(NEWER, "user invite --email ann@acme.test --name Ann --role user --account 'Acme Ltd'",
            UNAVAILABLE, &["newer"]),
        row(NO_FILE, "user list", NOT_FOUND, &["no database"]),
        row(NOTES, "user list", USAGE, &["not a portalctl database"]),
        // --------------------------------------------------------- courses
        row(MSP_ANN, "course progress owner@acme.test 'University Onboarding' --percent 10",
            DENIED, &[ANN, "users.manage"]).by(ANN),
        row(MSP_ANN, "course progress ann@acme.test 'University Onboarding' --completed",
            CONFLICT, &[ANN, "not enrolled"]).by(ANN),
        row(MSP_ANN, "course progress owner@acme.test 'University Onboarding' --percent 101",
            USAGE, &["101", "percentage"]),
        row(MSP_ANN, "course progress owner@acme.test 'Basket Weaving' --percent 10",
            NOT_FOUND, &["Basket Weaving"]),
        // ------------------------------------------------ delegation, inbox
        row(ANN_ADMIN, "order delegate --to ann@acme.test --until 2026-12-01T00:00:00Z",
            CONFLICT, &[ANN, "themselves"]).by(ANN),
        row(ANN_USER, "order delegate --to owner@acme.test --until 2026-12-01T00:00:00Z",
            DENIED, &[ANN, "decides no orders"]).by(ANN),
        row(ANN_ADMIN, "order delegate --to owner@acme.test --until 2026-11-25T09:00:00Z",
            USAGE, &["has passed"]).by(ANN),
        row(ANN_ADMIN, "order delegate --to owner@acme.test --from 2026-12-02T00:00:00Z --until 2026-12-01T00:00:00Z",
            USAGE, &["is not after"]).by(ANN),
        row(ACME, "order delegate --to owner@acme.test --until 2026-12-01T00:00:00Z", USAGE, &["--for"]),
        row(ANN_USER, "order delegate --for owner@acme.test --to ann@acme.test --until 2026-12-01T00:00:00Z",
            DENIED, &["users.manage"]).by(ANN),
        row(ANN_DEACTIVATED, "order delegate --to ann@acme.test --until 2026-12-01T00:00:00Z",
            CONFLICT, &[ANN, "not an active member"]).by(OWNER),
        row(ACME, "order delegate --to ghost@acme.test --until 2026-12-01T00:00:00Z --for owner@acme.test",
            NOT_FOUND, &["ghost@acme.test"]),
        row(ACME, "order delegate --end --for owner@acme.test", NOT_FOUND, &["no delegation from", OWNER]),
        // The gate: lending the owner's deciding gives what orders.approve
        // gives, and an account-admin member does not hold it.
        row(MAX_AND_MIA, "order delegate --for owner@acme.test --to mia@acme.test --until 2026-12-01T00:00:00Z",
            DENIED, &["max@acme.test", "mia@acme.test", "orders.approve"]).by("max@acme.test"),
        row(ACME, "order inbox", USAGE, &["--for"]),
        row(ANN_USER, "order inbox --for owner@acme.test", DENIED, &[ANN, "another member's inbox"]).by(ANN),
        // ------------------------------------------------------------ init
        row(ACME, "init --preset lmp --account 'Acme Ltd' --owner-email owner@acme.test",
            CONFLICT, &["already initialised", "portal"]),
    ];
    // Members who may not act, and strangers: both a write and a read in
    // Acme are denied, naming them and why.
    for (setup, who, why) in [
        (ADMIN_DEACTIVATED, ANN, "deactivated"),
        (ADMIN_LEFT, ANN, "left"),
        (ADMIN_INVITED, ANN, "invited"),
        (ANN_NO_ACCESS, ANN, "no-access"),
        (OTHER, "olga@other.test", "not a member of `Acme Ltd`"),
    ] {
        rows.push(row(setup, INVITE_NEWBIE, DENIED, &[who, why]).by(who));
        rows.push(row(setup, LIST_ACME, DENIED, &[who, why]).by(who));
    }
    rows
}

/// Where a set-up keeps the token `user invite` printed for Ann: the
/// database holds no token to read back.
fn token_file(p: &Portal) -> std::path::PathBuf {
    p.db.with_file_name("ann.token")
}

/// Invites Ann as `role` and keeps the printed token for `{token}`.
#[track_caller]
fn invite_ann(p: &Portal, role: &str) -> String {
    let token = p.invite(ANN, role, ACCOUNT);
    std::fs::write(token_file(p), &token).unwrap();
    token
}

/// The token `user invite` printed for Ann's first invitation.
#[track_caller]
fn first_token(p: &Portal) -> String {
    std::fs::read_to_string(token_file(p))
        .unwrap_or_else(|e| panic!("this set-up kept no invitation token: {e}"))
}

/// The schema version of this portalctl: schema.sql and each migration.
fn schema_version() -> usize {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count()
        + 1
}

#[test]
fn every_refusal_exits_with_its_code_names_the_problem_and_changes_nothing() {
    // Each refusal is checked to leave the database as it was, so the rows
    // of one set-up can share one copy of it.
    let mut portals: HashMap<&str, Portal> = HashMap::new();
    let mut lines = Vec::new();
    for row in rows() {
        // Shown with the panic message when the row fails.
        eprintln!("row: {row}");
        let p = portals.entry(row.setup.0).or_insert_with(row.setup.1);
        let args: Vec<String> = words(row.line)
            .into_iter()
            .map(|w| if w == TOKEN { first_token(p) } else { w })
            .collect();
        let env: Vec<(&str, &str)> = [
            row.actor.map(|who| ("PORTALCTL_AS", who)),
            row.now.map(|now| ("PORTALCTL_NOW", now)),
        ]
        .into_iter()
        .flatten()
        .collect();
        let err = p.refused_with(&strs(&args), &env, row.code);
        let line = error_line(&err);
        for name in &row.names {
            assert!(line.contains(name), "{row}: {name:?} not in: {err}");
        }
        for hint in &row.hints {
            assert!(err.contains(hint), "{row}: {hint:?} not in: {err}");
        }
        let db = p.db.display().to_string();
        // The schema version grows with every migration; the snapshot
        // keeps the message, not the number.
        let latest = format!("knows ({})", schema_version());
        let line = line
            .replace(&db, "[db]")
            .replace(&latest, "knows ([latest])");
        lines.push(format!("{row}\n    {line}"));
    }
    insta::assert_snapshot!(lines.join("\n"));
}

// ------------------------------------------- what surrounds some refusals

#[test]
fn with_a_second_admin_the_demotion_works() {
    let p = solo_with_tia();
    let v = p.json(&strs(&words(
        "user set-role sam@solo.test user --account 'Solo Ltd'",
    )));
    assert_eq!(v["role"], "user");
}

#[test]
fn a_member_of_another_account_acts_on_their_own() {
    let p = other_account();
    let v = p.json_as(
        Some("olga@other.test"),
        &["user", "list", "--account", "Other Ltd"],
    );
    assert_eq!(v.as_array().unwrap().len(), 1);
}

#[test]
fn an_account_admin_member_may_invite_members() {
    let p = customer_area_with_account_admin();
    let invite =
        words("user invite --email mia@acme.test --name Mia --role member --account 'Acme Ltd'");
    let v = p.json_as(Some("max@acme.test"), &strs(&invite));
    assert_eq!(v["role"], "member");
}

#[test]
fn a_locked_database_is_unavailable_after_the_busy_timeout() {
    let p = Portal::new();
    let invite =
        words("user invite --email ann@acme.test --name Ann --role user --account 'Acme Ltd'");
    let before = p.dump();
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let err = p.refused_with(
        &strs(&invite),
        &[("PORTALCTL_BUSY_TIMEOUT", "200")],
        UNAVAILABLE,
    );
    conn.execute_batch("ROLLBACK").unwrap();
    drop(conn);
    says(error_line(&err), "locked");
    assert_eq!(before, p.dump(), "a busy write changed the database");
    // Once the lock is gone the same command works.
    p.ok(&strs(&invite));
}

#[test]
fn the_same_init_again_changes_nothing() {
    let p = Portal::new();
    let before = p.dump();
    let run = p.run(&strs(&words(
        "init --preset portal --account 'Acme Ltd' --owner-email owner@acme.test --owner-name 'Olive Owner'",
    )));
    assert_eq!(run.code, SUCCESS, "{run:?}");
    assert_eq!(before, p.dump(), "a repeated init changed the database");
    // Piped, not only on a terminal, the result says nothing changed; in
    // JSON, `created` is false.
    says(
        &run.stdout,
        "nothing: already initialised with these settings",
    );
    let json = p.json(&strs(&words(
        "init --preset portal --account 'Acme Ltd' --owner-email owner@acme.test --owner-name 'Olive Owner'",
    )));
    assert_eq!(json["created"], false);
}
