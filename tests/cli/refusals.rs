//! Refusals: every bad or forbidden request exits with its documented code,
//! prints one `error:` line naming what was wrong, nothing on stdout, and
//! leaves the database exactly as it was.
//!
//! Most of them are rows of one table: a set-up, who acts, the command, the
//! exit code and what the error line must name. All their error lines are
//! one snapshot, so a change to any message shows up in review.

use std::collections::HashMap;
use std::fmt;

use crate::support::{
    error_line, says, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, OWNER, SUCCESS, UNAVAILABLE,
    USAGE,
};

const ANN: &str = "ann@acme.test";

/// Stands for the token of the first invitation email in the outbox.
const TOKEN: &str = "<token of the first invitation>";

/// `user invite` arguments for a new person in Acme.
fn invite_args(email: &'static str, name: &'static str, role: &'static str) -> Vec<&'static str> {
    vec![
        "user",
        "invite",
        "--email",
        email,
        "--name",
        name,
        "--role",
        role,
        "--account",
        ACCOUNT,
    ]
}

/// `invite_args` and more.
fn invite_with(email: &'static str, extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = invite_args(email, "Ann", "user");
    args.extend_from_slice(extra);
    args
}

// ---------------------------------------------------------------- set-ups

/// A database the rows start from. Refusals change nothing, so the rows of
/// one set-up share one copy of it.
#[derive(Clone, Copy)]
struct Setup {
    name: &'static str,
    make: fn() -> Portal,
}

const ACME: Setup = Setup {
    name: "acme",
    make: Portal::new,
};
const NO_FILE: Setup = Setup {
    name: "no database file",
    make: Portal::empty,
};
const NOTES: Setup = Setup {
    name: "a file of notes",
    make: || {
        let p = Portal::empty();
        let text = "these are my shopping notes, not a database\n".repeat(100);
        std::fs::write(&p.db, text).unwrap();
        p
    },
};
const NEWER: Setup = Setup {
    name: "acme at schema version 99",
    make: || {
        let p = Portal::new();
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        p
    },
};
const ANN_USER: Setup = Setup {
    name: "ann a user",
    make: || with_ann("user", &[]),
};
const ANN_ADMIN: Setup = Setup {
    name: "ann an admin",
    make: || with_ann("admin", &[]),
};
const ANN_NO_ACCESS: Setup = Setup {
    name: "ann blocked",
    make: || with_ann("no-access", &[]),
};
const ANN_DEACTIVATED: Setup = Setup {
    name: "ann a deactivated user",
    make: || with_ann("user", &["deactivate"]),
};
const ANN_LEFT: Setup = Setup {
    name: "ann a user who left",
    make: || with_ann("user", &["left-company"]),
};
const ADMIN_DEACTIVATED: Setup = Setup {
    name: "ann a deactivated admin",
    make: || with_ann("admin", &["deactivate"]),
};
const ADMIN_LEFT: Setup = Setup {
    name: "ann an admin who left",
    make: || with_ann("admin", &["left-company"]),
};
const ANN_INVITED: Setup = Setup {
    name: "ann invited as a user",
    make: || invited("user", &[]),
};
const ADMIN_INVITED: Setup = Setup {
    name: "ann invited as an admin",
    make: || invited("admin", &[]),
};
const ANN_RESENT: Setup = Setup {
    name: "ann invited, the invitation resent",
    make: || invited("user", &["resend-invite"]),
};
const ANN_REVOKED: Setup = Setup {
    name: "ann invited, the invitation revoked",
    make: || invited("user", &["revoke-invite"]),
};
const BOB_INVITED: Setup = Setup {
    name: "ann a user, bob invited",
    make: || {
        let p = with_ann("user", &[]);
        p.invite("bob@acme.test", "user", ACCOUNT);
        p
    },
};
const TWO_ANNS: Setup = Setup {
    name: "ann an admin, ann.b a user",
    make: || {
        let p = with_ann("admin", &[]);
        p.member("ann.b@acme.test", "user");
        p
    },
};
const OTHER: Setup = Setup {
    name: "olga an admin of Other Ltd",
    make: other_account,
};
const SOLO: Setup = Setup {
    name: "sam the only admin of Solo Ltd",
    make: solo,
};
const SOLO_DEMOTED: Setup = Setup {
    name: "Solo Ltd, tia an admin, sam demoted",
    make: || {
        let p = solo_with_tia();
        p.ok(&[
            "user",
            "set-role",
            "sam@solo.test",
            "user",
            "--account",
            "Solo Ltd",
        ]);
        p
    },
};
const MAX_ADMIN: Setup = Setup {
    name: "customer-area, max an account-admin member",
    make: customer_area_with_account_admin,
};
const MAX_AND_MIA: Setup = Setup {
    name: "customer-area, max an account-admin member, mia a member",
    make: || {
        let p = customer_area_with_account_admin();
        p.member("mia@acme.test", "member");
        p
    },
};

/// Acme with Ann as an active `role`, after the operator's `user COMMAND
/// ann` for each of `then`.
fn with_ann(role: &str, then: &[&str]) -> Portal {
    let p = Portal::new();
    p.member(ANN, role);
    for command in then {
        p.ok(&["user", command, ANN]);
    }
    p
}

/// Acme with Ann invited as `role` (the first invitation email), after the
/// operator's `user COMMAND ann` for each of `then`.
fn invited(role: &str, then: &[&str]) -> Portal {
    let p = Portal::new();
    p.invite(ANN, role, ACCOUNT);
    for command in then {
        p.ok(&["user", command, ANN]);
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

/// One refusal: `args` run on `setup` by `actor` (or the operator) at `now`
/// (or the set-up's clock) exit with `code`; the error line names each of
/// `names`, and stderr says each of `hints`.
struct Row {
    setup: Setup,
    actor: Option<&'static str>,
    now: Option<&'static str>,
    args: Vec<&'static str>,
    code: i32,
    names: Vec<&'static str>,
    hints: Vec<&'static str>,
}

fn row(setup: Setup, args: &[&'static str], code: i32, names: &[&'static str]) -> Row {
    Row {
        setup,
        actor: None,
        now: None,
        args: args.to_vec(),
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
        write!(f, "{code} ({}", self.setup.name)?;
        if let Some(actor) = self.actor {
            write!(f, ", as {actor}")?;
        }
        if let Some(now) = self.now {
            write!(f, ", at {now}")?;
        }
        write!(f, "): portalctl")?;
        for arg in &self.args {
            if arg.is_empty() || arg.contains(' ') {
                write!(f, " {arg:?}")?;
            } else {
                write!(f, " {arg}")?;
            }
        }
        Ok(())
    }
}

/// Both a write and a read in Acme, as `who`, are denied, naming them and
/// `why`.
fn denied_in_acme(setup: Setup, who: &'static str, why: &'static str) -> Vec<Row> {
    vec![
        row(
            setup,
            &invite_args("newbie@acme.test", "Newbie", "user"),
            DENIED,
            &[who, why],
        )
        .by(who),
        row(
            setup,
            &["user", "list", "--account", ACCOUNT],
            DENIED,
            &[who, why],
        )
        .by(who),
    ]
}

fn rows() -> Vec<Row> {
    let mut rows = vec![
        // ------------------------------------------------------ bad values
        row(
            ACME,
            &invite_args("not-an-email", "Nobody", "user"),
            USAGE,
            &["not-an-email", "not a valid email"],
        ),
        // A new user needs a non-blank name.
        row(ACME, &invite_args(ANN, "", "user"), USAGE, &["name"]),
        row(
            ACME,
            &invite_args(ANN, "   ", "user"),
            USAGE,
            &["name", "empty"],
        ),
        // An unknown role is named.
        row(
            ACME,
            &invite_args(ANN, "Ann", "wizard"),
            USAGE,
            &["unknown role", "wizard"],
        ),
        row(
            ANN_USER,
            &["user", "set-role", ANN, "wizard"],
            USAGE,
            &["wizard"],
        ),
        // An unknown account is not found.
        row(
            ACME,
            &[
                "user",
                "invite",
                "--email",
                ANN,
                "--name",
                "Ann",
                "--role",
                "user",
                "--account",
                "Nope Ltd",
            ],
            NOT_FOUND,
            &["Nope Ltd"],
        ),
        row(
            ACME,
            &["user", "list", "--account", "Nope Ltd"],
            NOT_FOUND,
            &["Nope Ltd"],
        ),
        row(
            ACME,
            &["user", "show", OWNER, "--account", "Nope Ltd"],
            NOT_FOUND,
            &["Nope Ltd"],
        ),
        // An unknown user is not found.
        row(
            ACME,
            &["user", "show", "ghost@acme.test"],
            NOT_FOUND,
            &["ghost@acme.test"],
        ),
        row(
            ACME,
            &["user", "set-role", "ghost@acme.test", "user"],
            NOT_FOUND,
            &["ghost@acme.test"],
        ),
        row(
            ACME,
            &["user", "deactivate", "ghost@acme.test"],
            NOT_FOUND,
            &["ghost@acme.test"],
        ),
        // Malformed expiries, timezones, countries and currencies.
        row(
            ACME,
            &invite_with(ANN, &["--expires-in", "soon"]),
            USAGE,
            &["soon", "duration"],
        ),
        row(
            ACME,
            &invite_with(ANN, &["--expires-in", "0s"]),
            USAGE,
            &["expire"],
        ),
        row(
            ACME,
            &invite_with(ANN, &["--timezone", "Mars/Olympus_Mons"]),
            USAGE,
            &["Mars/Olympus_Mons", "timezone"],
        ),
        row(
            ACME,
            &invite_with(ANN, &["--city", "London", "--country", "GBR"]),
            USAGE,
            &["GBR", "country"],
        ),
        row(
            ACME,
            &[
                "account",
                "create",
                "Other Ltd",
                "--kind",
                "customer",
                "--currency",
                "POUNDS",
            ],
            USAGE,
            &["POUNDS", "currency"],
        ),
        // A malformed clock.
        row(
            ACME,
            &["user", "list"],
            USAGE,
            &["PORTALCTL_NOW", "yesterday"],
        )
        .at("yesterday"),
        row(
            ACME,
            &invite_args(ANN, "Ann", "user"),
            USAGE,
            &["PORTALCTL_NOW"],
        )
        .at("yesterday"),
        // Unknown capabilities, grants and presets.
        row(ACME, &["can", OWNER, "users.fly"], USAGE, &["users.fly"]),
        row(
            ANN_USER,
            &["user", "grant", ANN, "superpowers"],
            USAGE,
            &["superpowers"],
        ),
        row(
            ANN_USER,
            &[
                "init",
                "--preset",
                "nope",
                "--account",
                ACCOUNT,
                "--owner-email",
                OWNER,
            ],
            USAGE,
            &["nope"],
        ),
        // A refused init leaves no file behind.
        row(
            NO_FILE,
            &[
                "init",
                "--preset",
                "nope",
                "--account",
                ACCOUNT,
                "--owner-email",
                OWNER,
            ],
            USAGE,
            &["unknown preset"],
        ),
        // Usage errors of the parser itself.
        row(
            ACME,
            &["user", "invite", "--email", ANN, "--name", "Ann"],
            USAGE,
            &[],
        )
        .hint(&["--role"]),
        row(ACME, &["user", "frobnicate"], USAGE, &[]),
        row(
            ACME,
            &["account", "create", "X Ltd", "--kind", "vendor"],
            USAGE,
            &["vendor"],
        ),
        // ------------------------------------------------------- conflicts
        // Inviting a member again.
        row(
            ANN_USER,
            &invite_args(ANN, "Ann", "manager"),
            CONFLICT,
            &[ANN, "already a member"],
        ),
        row(
            BOB_INVITED,
            &invite_args("bob@acme.test", "Bob", "user"),
            CONFLICT,
            &["already a member"],
        ),
        row(
            BOB_INVITED,
            &invite_args(OWNER, "Olive", "user"),
            CONFLICT,
            &[OWNER],
        ),
        // ---------------------------------------------------------- tokens
        row(
            ACME,
            &[
                "user",
                "accept",
                "pinv_0000000000000000000000000000000000000000000000000000000000000000",
            ],
            NOT_FOUND,
            &["invitation"],
        ),
        row(ACME, &["user", "accept", "garbage"], NOT_FOUND, &[]),
        row(
            ANN_USER,
            &["user", "accept", TOKEN],
            CONFLICT,
            &["already accepted"],
        ),
        row(
            ANN_INVITED,
            &["user", "accept", TOKEN],
            CONFLICT,
            &["expired"],
        )
        .at("2026-12-03T10:00:00Z"),
        row(
            ANN_RESENT,
            &["user", "accept", TOKEN],
            CONFLICT,
            &["replaced"],
        ),
        row(
            ANN_REVOKED,
            &["user", "accept", TOKEN],
            CONFLICT,
            &["revoked"],
        ),
    ];
    // ------------------------------------------------------- the last admin
    for args in [
        &[
            "user",
            "set-role",
            "sam@solo.test",
            "user",
            "--account",
            "Solo Ltd",
        ][..],
        &["user", "set-role", "sam@solo.test", "no-access"],
        &[
            "user",
            "deactivate",
            "sam@solo.test",
            "--account",
            "Solo Ltd",
        ],
        &[
            "user",
            "left-company",
            "sam@solo.test",
            "--account",
            "Solo Ltd",
        ],
    ] {
        rows.push(row(SOLO, args, CONFLICT, &["Solo Ltd", "users.manage"]));
    }
    // Once a second admin took over, they are the last one.
    rows.push(row(
        SOLO_DEMOTED,
        &["user", "deactivate", "tia@solo.test"],
        CONFLICT,
        &["users.manage"],
    ));
    // ------------------------------------------------------------ the owner
    // Another admin exists, so only the owner rule can refuse.
    for args in [
        &["user", "deactivate", OWNER][..],
        &["user", "left-company", OWNER],
        &["user", "set-role", OWNER, "user"],
    ] {
        rows.push(row(ANN_ADMIN, args, CONFLICT, &[OWNER, "owns"]));
    }
    // Not even by another admin.
    rows.push(
        row(
            ANN_ADMIN,
            &["user", "deactivate", OWNER],
            CONFLICT,
            &["owns"],
        )
        .by(ANN),
    );
    // ------------------------------------------------------------ acting as
    rows.extend(denied_in_acme(ADMIN_DEACTIVATED, ANN, "deactivated"));
    rows.extend(denied_in_acme(ADMIN_LEFT, ANN, "left"));
    rows.extend(denied_in_acme(ADMIN_INVITED, ANN, "invited"));
    rows.extend(denied_in_acme(ANN_NO_ACCESS, ANN, "no-access"));
    rows.push(
        row(
            ANN_NO_ACCESS,
            &["user", "show", OWNER],
            DENIED,
            &["users.view"],
        )
        .by(ANN),
    );
    rows.extend(denied_in_acme(ACME, "ghost@acme.test", "not a known user"));
    rows.push(row(ACME, &["user", "list"], DENIED, &["users.view"]).by("ghost@acme.test"));
    rows.extend(denied_in_acme(
        OTHER,
        "olga@other.test",
        "not a member of `Acme Ltd`",
    ));
    rows.push(
        row(
            OTHER,
            &["user", "deactivate", OWNER, "--account", ACCOUNT],
            DENIED,
            &["Acme Ltd"],
        )
        .by("olga@other.test"),
    );
    rows.extend([
        // ------------------------------------------------------ escalation
        // An account-admin member may not invite an owner...
        row(
            MAX_ADMIN,
            &invite_args("mia@acme.test", "Mia", "owner"),
            DENIED,
            &["max@acme.test", "owner"],
        )
        .by("max@acme.test"),
        // ... nor grant billing, to others or themselves, or by inviting...
        row(
            MAX_AND_MIA,
            &["user", "grant", "mia@acme.test", "billing"],
            DENIED,
            &["billing"],
        )
        .by("max@acme.test"),
        row(
            MAX_AND_MIA,
            &["user", "grant", "max@acme.test", "billing"],
            DENIED,
            &["billing"],
        )
        .by("max@acme.test"),
        row(
            MAX_AND_MIA,
            &[
                "user",
                "invite",
                "--email",
                "zoe@acme.test",
                "--name",
                "Zoe",
                "--role",
                "member",
                "--account",
                ACCOUNT,
                "--grant",
                "billing",
            ],
            DENIED,
            &["billing"],
        )
        .by("max@acme.test"),
        // ... nor create a role beyond their capabilities.
        row(
            MAX_ADMIN,
            &[
                "role",
                "create",
                "biller",
                "--capabilities",
                "account.view,billing.view",
            ],
            DENIED,
            &["billing.view"],
        )
        .by("max@acme.test"),
        // ----------------------------------------------------- wrong state
        row(
            ANN_DEACTIVATED,
            &["user", "deactivate", ANN],
            CONFLICT,
            &["already deactivated"],
        ),
        row(
            ANN_USER,
            &["user", "activate", ANN],
            CONFLICT,
            &["already active"],
        ),
        row(
            ANN_INVITED,
            &["user", "activate", ANN],
            CONFLICT,
            &[ANN, "accepted"],
        ),
        // A revoked invitation leaves them deactivated but never accepted.
        row(
            ANN_REVOKED,
            &["user", "activate", ANN],
            CONFLICT,
            &["never accepted"],
        ),
        row(
            ANN_LEFT,
            &["user", "left-company", ANN],
            CONFLICT,
            &["already left"],
        ),
        row(
            ANN_USER,
            &["user", "revoke-invite", ANN],
            CONFLICT,
            &["no pending invitation"],
        ),
        row(
            ANN_USER,
            &["user", "resend-invite", ANN],
            CONFLICT,
            &["no invitation to resend"],
        ),
        row(
            ADMIN_INVITED,
            &["user", "transfer-ownership", "--to", ANN, "--yes"],
            CONFLICT,
            &[ANN, "invited"],
        ),
        // Merge and transfer need --yes without a terminal.
        row(
            TWO_ANNS,
            &["user", "merge", "ann.b@acme.test", "--into", ANN],
            USAGE,
            &[],
        )
        .hint(&["--yes"]),
        row(
            TWO_ANNS,
            &["user", "transfer-ownership", "--to", ANN],
            USAGE,
            &[],
        )
        .hint(&["--yes"]),
        // --------------------------------------------------------- the file
        row(NEWER, &["user", "list"], UNAVAILABLE, &["99"]),
        row(
            NEWER,
            &invite_args(ANN, "Ann", "user"),
            UNAVAILABLE,
            &["newer"],
        ),
        row(NO_FILE, &["user", "list"], NOT_FOUND, &["no database"]),
        row(
            NOTES,
            &["user", "list"],
            USAGE,
            &["not a portalctl database"],
        ),
        // ------------------------------------------------------------- init
        row(
            ACME,
            &[
                "init",
                "--preset",
                "lmp",
                "--account",
                ACCOUNT,
                "--owner-email",
                OWNER,
            ],
            CONFLICT,
            &["already initialised", "portal"],
        ),
    ]);
    rows
}

/// The token in the first invitation email of the outbox.
#[track_caller]
fn first_token(p: &Portal) -> String {
    let body = p.text("SELECT body FROM outbox ORDER BY id LIMIT 1");
    body.split_whitespace()
        .find(|w| w.starts_with("pinv_"))
        .unwrap_or_else(|| panic!("no token in the first invitation email: {body}"))
        .to_string()
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
        let p = portals.entry(row.setup.name).or_insert_with(row.setup.make);
        let token = row.args.contains(&TOKEN).then(|| first_token(p));
        let args: Vec<&str> = row
            .args
            .iter()
            .map(|&a| match &token {
                Some(token) if a == TOKEN => token.as_str(),
                _ => a,
            })
            .collect();
        let env: Vec<(&str, &str)> = [
            row.actor.map(|who| ("PORTALCTL_AS", who)),
            row.now.map(|now| ("PORTALCTL_NOW", now)),
        ]
        .into_iter()
        .flatten()
        .collect();
        let err = p.refused_with(&args, &env, row.code);
        let line = error_line(&err);
        for name in &row.names {
            assert!(line.contains(name), "{row}: {name:?} not in: {err}");
        }
        for hint in &row.hints {
            assert!(err.contains(hint), "{row}: {hint:?} not in: {err}");
        }
        let db = p.db.display().to_string();
        lines.push(format!("{row}\n    {}", line.replace(&db, "[db]")));
    }
    insta::assert_snapshot!(lines.join("\n"));
}

// ------------------------------------------- what surrounds some refusals

#[test]
fn with_a_second_admin_the_demotion_works() {
    let p = solo_with_tia();
    let v = p.json(&[
        "user",
        "set-role",
        "sam@solo.test",
        "user",
        "--account",
        "Solo Ltd",
    ]);
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
    let v = p.json_as(
        Some("max@acme.test"),
        &invite_args("mia@acme.test", "Mia", "member"),
    );
    assert_eq!(v["role"], "member");
}

#[test]
fn a_locked_database_is_unavailable_after_the_busy_timeout() {
    let p = Portal::new();
    let before = p.dump();
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let err = p.refused_with(
        &invite_args(ANN, "Ann", "user"),
        &[("PORTALCTL_BUSY_TIMEOUT", "200")],
        UNAVAILABLE,
    );
    conn.execute_batch("ROLLBACK").unwrap();
    drop(conn);
    says(error_line(&err), "locked");
    assert_eq!(before, p.dump(), "a busy write changed the database");
    // Once the lock is gone the same command works.
    p.ok(&invite_args(ANN, "Ann", "user"));
}

#[test]
fn the_same_init_again_changes_nothing() {
    let p = Portal::new();
    let before = p.dump();
    let run = p.run(&[
        "init",
        "--preset",
        "portal",
        "--account",
        ACCOUNT,
        "--owner-email",
        OWNER,
        "--owner-name",
        "Olive Owner",
    ]);
    assert_eq!(run.code, SUCCESS, "{run:?}");
    assert_eq!(before, p.dump(), "a repeated init changed the database");
}
