//! Someone invited by an account that is not theirs yet is known there by
//! the invitation's name until they accept: an admin who invites an
//! address of another account's person learns nothing of the name that
//! person gave themselves, by any command, and names the invitation
//! without renaming the person.

use serde_json::Value;

use crate::support::{
    rewind, schema_version, version_before, Portal, Run, ACCOUNT, NOW, OWNER, SUCCESS,
};

const ADMIN: &str = "adam@acme.test";
const BOB: &str = "bob@other.test";
const DAVE: &str = "dave@other.test";

/// Acme Ltd with an admin; a partner `Other` whose members Bob and Dave
/// gave themselves names Acme's admin has no way to know.
fn portal() -> Portal {
    Portal::cached("invited names", || {
        let p = Portal::init("portal");
        p.member(ADMIN, "admin");
        p.ok(&["account", "create", "Other", "--kind", "partner"]);
        for (email, role, name) in [(BOB, "admin", "Bob Real"), (DAVE, "user", "Dave Real")] {
            let invited = p.json(&[
                "user", "invite", email, "--name", name, "--role", role, "--account", "Other",
            ]);
            p.ok(&["user", "accept", invited["token"].as_str().unwrap()]);
        }
        p
    })
}

/// Asserts that an apply succeeded changing nothing.
#[track_caller]
fn changes_nothing(run: &Run) {
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let counts: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (counts["created"].as_u64(), counts["updated"].as_u64()),
        (Some(0), Some(0)),
        "{counts}"
    );
}

/// `apply -` of `file_text` as `who` (`None`: the operator).
fn apply_as(p: &Portal, who: Option<&str>, file_text: &str) -> Run {
    let env: Vec<(&str, &str)> = who.map(|w| ("PORTALCTL_AS", w)).into_iter().collect();
    p.apply_stdin(&["--json", "--no-send"], &env, file_text)
}

/// Everything Acme's admin may read about `email` in Acme, as text: the
/// list (table and JSON), show, history (table and JSON), the log and an
/// export.
fn read_by_admin(p: &Portal, email: &str) -> String {
    let me = Some(ADMIN);
    let runs: Vec<String> = [
        vec!["user", "list", "--account", ACCOUNT],
        vec!["user", "list", "--account", ACCOUNT, "--json"],
        vec!["user", "show", email, "--account", ACCOUNT],
        vec!["user", "show", email, "--account", ACCOUNT, "--json"],
        vec!["user", "show", email, "--account", ACCOUNT, "--at", NOW],
        vec!["user", "history", email, "--account", ACCOUNT],
        vec!["user", "history", email, "--account", ACCOUNT, "--json"],
        vec!["audit", "list", "--account", ACCOUNT, "--format", "ndjson"],
        vec!["export", "--account", ACCOUNT],
    ]
    .iter()
    .map(|args| {
        let run = p.run_as(me, args);
        assert_eq!(run.code, SUCCESS, "{args:?}: {}", run.stderr);
        run.stdout
    })
    .collect();
    runs.join("\n")
}

#[test]
fn an_admin_who_invites_another_accounts_person_learns_only_their_own_invitations_name() {
    let p = portal();
    let me = Some(ADMIN);
    let invited = p.json_as(
        me,
        &[
            "user", "invite", BOB, "--name", "Robert", "--role", "user", "--account", ACCOUNT,
            "--no-send",
        ],
    );
    assert_eq!(invited["name"], "Robert", "{invited}");
    let token = invited["token"].as_str().unwrap().to_string();

    let seen = read_by_admin(&p, BOB);
    assert!(!seen.contains("Bob Real"), "{seen}");
    assert!(seen.contains("Robert"), "{seen}");
    // The answer of a change to the membership reads alike.
    let changed = p.json_as(
        me,
        &["user", "set-role", BOB, "manager", "--account", ACCOUNT],
    );
    assert_eq!(changed["name"], "Robert", "{changed}");

    // Naming the invitation is Acme's to do, and renames nobody.
    let edited = p.json_as(
        me,
        &[
            "user", "edit", BOB, "--name", "Rob", "--account", ACCOUNT, "--json",
        ],
    );
    assert_eq!(edited["name"], "Rob", "{edited}");
    assert_eq!(p.last_event()["action"], "user.edit");
    let seen = read_by_admin(&p, BOB);
    assert!(!seen.contains("Bob Real"), "{seen}");
    assert!(seen.contains("Rob"), "{seen}");
    for account in ["Other", ACCOUNT] {
        let shown = p.json(&["user", "show", BOB, "--account", account]);
        assert_eq!(
            shown["name"], "Bob Real",
            "the operator reads the truth in {account}"
        );
    }
    // The log keeps Bob's own name, and the invitation's beside it.
    let logged = p.last_event();
    assert_eq!(logged["after"]["name"], "Bob Real", "{logged}");
    assert_eq!(logged["after"]["invited_name"], "Rob", "{logged}");
    assert_eq!(p.json(&["audit", "verify"])["intact"], true);

    // Acme's export applied again by its admin changes nothing.
    let exported = p.run_as(me, &["export", "--account", ACCOUNT]).stdout;
    changes_nothing(&apply_as(&p, me, &exported));

    // The operator's export keeps both names, so a copy made from it
    // knows Bob in Acme by the invitation's as this database does.
    let whole = p.ok(&["export"]);
    let copy = Portal::empty();
    let run = apply_as(&copy, None, &whole);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), whole);
    let seen = read_by_admin(&copy, BOB);
    assert!(!seen.contains("Bob Real"), "{seen}");
    assert!(seen.contains("Rob"), "{seen}");
    for db in [&p, &copy] {
        changes_nothing(&apply_as(db, None, &whole));
    }

    // A file that names the invitation otherwise renames the invitation.
    let mut renamed: Value = serde_json::from_str(&whole).unwrap();
    for account in renamed["accounts"].as_array_mut().unwrap() {
        for user in account["users"].as_array_mut().unwrap() {
            if user["email"] == BOB && user["status"] == "invited" {
                user["invited_name"] = "Bobby".into();
            }
        }
    }
    let run = apply_as(&p, None, &renamed.to_string());
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let shown = p.json_as(me, &["user", "show", BOB, "--account", ACCOUNT]);
    assert_eq!(shown["name"], "Bobby", "{shown}");
    let shown = p.json(&["user", "show", BOB, "--account", "Other"]);
    assert_eq!(shown["name"], "Bob Real", "{shown}");

    // Once Bob accepts, Acme reads the name he gave himself.
    p.ok(&["user", "accept", &token]);
    let shown = p.json_as(me, &["user", "show", BOB, "--account", ACCOUNT]);
    assert_eq!(shown["name"], "Bob Real", "{shown}");
}

#[test]
fn a_file_that_invites_another_accounts_person_names_the_invitation_only() {
    let p = portal();
    let me = Some(ADMIN);
    let file = format!(
        r#"{{"accounts": [{{"name": "{ACCOUNT}", "users": [
            {{"email": "{DAVE}", "name": "David", "role": "user", "status": "invited"}}
        ]}}]}}"#
    );
    let run = apply_as(&p, me, &file);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let seen = read_by_admin(&p, DAVE);
    assert!(!seen.contains("Dave Real"), "{seen}");
    assert!(seen.contains("David"), "{seen}");
    let shown = p.json(&["user", "show", DAVE, "--account", "Other"]);
    assert_eq!(shown["name"], "Dave Real", "Dave is not renamed");
    changes_nothing(&apply_as(&p, me, &file));
}

/// An address nobody has is a new person named by the invitation, which
/// everyone reads alike.
#[test]
fn a_new_address_is_named_by_its_invitation_for_everyone() {
    let p = portal();
    let me = Some(ADMIN);
    p.json_as(
        me,
        &[
            "user", "invite", "nora@new.test", "--name", "Nora", "--role", "user", "--no-send",
        ],
    );
    p.json_as(me, &["user", "edit", "nora@new.test", "--name", "Nora N"]);
    for who in [me, None] {
        let shown = p.json_as(who, &["user", "show", "nora@new.test"]);
        assert_eq!(shown["name"], "Nora N", "{who:?}");
    }
}

/// A database from before invitations kept their names: those not yet
/// accepted keep showing the name they showed.
#[test]
fn a_database_from_before_keeps_the_names_its_invitations_showed() {
    let p = portal();
    p.json(&[
        "user", "invite", "nora@new.test", "--name", "Nora", "--role", "user", "--no-send",
        "--account", ACCOUNT,
    ]);
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        rewind(&conn, version_before("0020_invited_name.sql"));
        // An invitation made a new address's person with its name then.
        conn.execute(
            "UPDATE people SET name = 'Nora' WHERE email = 'nora@new.test'",
            [],
        )
        .unwrap();
    }
    let shown = p.json_as(Some(ADMIN), &["user", "show", "nora@new.test"]);
    assert_eq!(p.query("PRAGMA user_version"), schema_version());
    assert_eq!(shown["name"], "Nora", "{shown}");
    assert_eq!(
        p.text("SELECT group_concat(ifnull(invited_name, 'NULL'), ',') FROM (SELECT invited_name FROM memberships ORDER BY id)"),
        "NULL,NULL,NULL,NULL,Nora"
    );
}

const ADAM: &str = ADMIN;
const OA: &str = "oa@other.test";
const X: &str = "x@person.test";

/// Acme Ltd with its admin Adam, and a customer `Other` with its admin.
fn two_accounts() -> Portal {
    Portal::cached("invited names: two accounts", || {
        let p = Portal::init("portal");
        p.member(ADAM, "admin");
        p.ok(&["account", "create", "Other", "--kind", "customer"]);
        p.member_in(OA, "admin", "Other");
        p
    })
}

/// `who` invites X into `account` (`--name` if given) and returns the token.
fn invite_x(p: &Portal, who: &str, account: &str, name: Option<&str>) -> String {
    let mut args = vec!["user", "invite", X, "--role", "user", "--account", account];
    if let Some(name) = name {
        args.extend(["--name", name]);
    }
    p.json_as(Some(who), &args)["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// What Other's admin reads of X, through list, show and export, before
/// and after X accepts Other's invitation (`--name` if given), and what
/// the accept answered: with or without another account's invitation
/// named `elsewhere` before.
fn others_reads(elsewhere: Option<&str>, accept_name: Option<&str>) -> Vec<String> {
    let p = two_accounts();
    if let Some(label) = elsewhere {
        invite_x(&p, ADAM, ACCOUNT, Some(label));
    }
    let token = invite_x(&p, OA, "Other", Some("Xavier"));
    let reads = |p: &Portal| -> Vec<String> {
        [
            vec!["user", "list", "--account", "Other"],
            vec!["user", "list", "--account", "Other", "--json"],
            vec!["user", "show", X, "--account", "Other", "--json"],
            vec!["export", "--account", "Other"],
        ]
        .iter()
        .map(|args| {
            let run = p.run_as(Some(OA), args);
            assert_eq!(run.code, SUCCESS, "{args:?}: {}", run.stderr);
            run.stdout
        })
        .collect()
    };
    let mut seen = reads(&p);
    let mut accept = vec!["user", "accept", token.as_str()];
    if let Some(name) = accept_name {
        accept.extend(["--name", name]);
    }
    let run = p.run(&accept);
    seen.push(format!("{} {} {}", run.code, run.stdout, run.stderr));
    seen.extend(reads(&p));
    // The log and history carry sequence numbers that differ: read for
    // what they name.
    for args in [
        vec!["user", "history", X, "--account", "Other", "--json"],
        vec!["audit", "list", "--account", "Other", "--format", "ndjson"],
    ] {
        let out = p.run_as(Some(OA), &args).stdout;
        if let Some(label) = elsewhere {
            assert!(!out.contains(label), "{args:?}: {out}");
        }
        assert!(out.contains("Xavier"), "{args:?}: {out}");
    }
    seen
}

/// N#13: the name one account's invitation gave never becomes what
/// another account that invited the same address reads, before or after
/// the person accepts that other account's invitation; they may give
/// their own name on accepting. Other's admin reads exactly what it
/// would had nobody else invited them.
#[test]
fn another_accounts_invitation_name_never_reaches_an_account_they_join() {
    for accept_name in [Some("Xavier"), None] {
        let alone = others_reads(None, accept_name);
        let after_acme = others_reads(Some("Acme calls him Bob the Bad Hire"), accept_name);
        assert_eq!(alone, after_acme, "--name {accept_name:?}");
        assert!(alone.iter().all(|s| s.contains("Xavier")), "{alone:?}");
        assert!(alone[4].starts_with("0 "), "{}", alone[4]);
    }
}

/// N#13's mirror: whoever invited first names nobody; the account whose
/// invitation X accepts reads its own (edited) invitation name, and the
/// other keeps its own until X joins it.
#[test]
fn the_invitation_accepted_names_the_person_not_the_first_one() {
    let p = two_accounts();
    invite_x(&p, OA, "Other", Some("Xavier"));
    let token = invite_x(&p, ADAM, ACCOUNT, Some("Acme label"));
    p.json_as(
        Some(ADAM),
        &[
            "user", "edit", X, "--name", "Edited by Acme", "--account", ACCOUNT,
        ],
    );
    p.ok(&["user", "accept", &token]);
    let shown = p.json_as(Some(ADAM), &["user", "show", X, "--account", ACCOUNT]);
    assert_eq!(shown["name"], "Edited by Acme", "{shown}");
    let shown = p.json_as(Some(OA), &["user", "show", X, "--account", "Other"]);
    assert_eq!(shown["name"], "Xavier", "{shown}");
}

/// N#13 in the customer area (004: invite by email and areas, no name):
/// an invitation with no name leaves the person nameless for the account
/// whose invitation they accept, whatever another account called them.
#[test]
fn an_invitation_without_a_name_reads_no_other_accounts_name() {
    let p = Portal::with_preset("customer-area");
    p.ok(&["account", "create", "Other", "--kind", "customer"]);
    let token = p.json(&[
        "user", "invite", OA, "--grant", "account-admin", "--account", "Other",
    ])["token"]
        .as_str()
        .unwrap()
        .to_string();
    p.ok(&["user", "accept", &token]);
    p.json_as(
        Some(OWNER),
        &[
            "user",
            "invite",
            X,
            "--grant",
            "billing",
            "--name",
            "Fjord internal note: slow payer",
        ],
    );
    let token = p.json_as(Some(OA), &["user", "invite", X, "--grant", "account-admin"])["token"]
        .as_str()
        .unwrap()
        .to_string();
    p.ok(&["user", "accept", &token]);
    let list = p.run_as(Some(OA), &["user", "list"]);
    assert_eq!(list.code, SUCCESS, "{}", list.stderr);
    assert!(!list.stdout.contains("slow payer"), "{}", list.stdout);
    let shown = p.json_as(Some(OA), &["user", "show", X]);
    assert_eq!(shown["name"], Value::Null, "{shown}");
}

/// N#13's email: the invitation greets the invitee by the name the
/// inviting account's invitation gave, not another account's.
#[test]
fn the_invitation_email_greets_by_the_inviting_accounts_name() {
    let p = two_accounts();
    p.ok(&["settings", "set", "mail-from", "portal@acme.test"]);
    invite_x(&p, ADAM, ACCOUNT, Some("Acme label"));
    invite_x(&p, OA, "Other", Some("Xavier"));
    let dir = tempfile::tempdir().unwrap();
    p.ok(&["outbox", "send", "--to-dir", dir.path().to_str().unwrap()]);
    let mut greeted = Vec::new();
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        for (account, name) in [("Other", "Xavier"), (ACCOUNT, "Acme label")] {
            if text.contains(&format!("Subject: Invitation to join {account} as user")) {
                assert!(text.contains(&format!("Hello {name},")), "{text}");
                greeted.push(account);
            }
        }
    }
    greeted.sort_unstable();
    assert_eq!(greeted, [ACCOUNT, "Other"]);
}

/// A#16: `user accept --name` by whoever holds the token reads alike
/// whether the address has a login elsewhere or not: it joins, and where
/// the person has a name of their own, keeps it, saying so without
/// quoting it. Nothing is learnt without the acceptance on record.
#[test]
fn accepting_with_a_name_never_quotes_another_accounts_name() {
    let p = two_accounts();
    let known = p.json(&[
        "user", "invite", "carl@other.test", "--name", "Carl Real", "--role", "user", "--account",
        "Other",
    ]);
    p.ok(&["user", "accept", known["token"].as_str().unwrap()]);
    let mut answers = Vec::new();
    for who in ["carl@other.test", "newbie@other.test"] {
        let token = p.json_as(
            Some(ADAM),
            &["user", "invite", who, "--role", "user", "--no-send"],
        )["token"]
            .as_str()
            .unwrap()
            .to_string();
        let run = p.run(&["user", "accept", &token, "--name", "Whoever"]);
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        assert!(!run.stderr.contains("Carl Real"), "{}", run.stderr);
        assert_eq!(p.last_event()["action"], "user.accept");
        answers.push(run);
    }
    assert!(
        answers[0].stderr.contains("--name was not used"),
        "{}",
        answers[0].stderr
    );
    let shown = p.json(&["user", "show", "carl@other.test", "--account", ACCOUNT]);
    assert_eq!(shown["name"], "Carl Real", "the name stays theirs");
    let shown = p.json(&["user", "show", "newbie@other.test"]);
    assert_eq!(shown["name"], "Whoever");
}

/// A database from before this rule: a person an invitation made, who
/// never accepted, had the invitation's name as their own. The migration
/// clears it, so another account's later invitation, once accepted,
/// names them by its own; those who joined keep theirs.
#[test]
fn a_database_from_before_forgets_names_only_invitations_gave() {
    let p = two_accounts();
    invite_x(&p, ADAM, ACCOUNT, Some("Bad Hire"));
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        rewind(&conn, version_before("0023_invitees_unnamed.sql"));
        conn.execute("UPDATE people SET name = 'Bad Hire' WHERE email = ?1", [X])
            .unwrap();
    }
    let token = invite_x(&p, OA, "Other", Some("Xavier"));
    assert_eq!(p.query("PRAGMA user_version"), schema_version());
    let shown = p.json_as(Some(ADAM), &["user", "show", X, "--account", ACCOUNT]);
    assert_eq!(
        shown["name"], "Bad Hire",
        "Acme reads its invitation's name"
    );
    p.ok(&["user", "accept", &token]);
    let shown = p.json_as(Some(OA), &["user", "show", X, "--account", "Other"]);
    assert_eq!(shown["name"], "Xavier", "{shown}");
    let shown = p.json(&["user", "show", ADAM]);
    assert_eq!(shown["name"], "adam", "a member keeps their name");
}

/// Someone two accounts invited under two names, who has joined neither,
/// has no name of their own: the operator's export gives each invitation
/// its name, and a copy made from it is the same.
#[test]
fn an_export_keeps_each_invitations_name_of_someone_nameless() {
    let p = two_accounts();
    invite_x(&p, ADAM, ACCOUNT, Some("Acme label"));
    invite_x(&p, OA, "Other", Some("Xavier"));
    let whole = p.ok(&["export"]);
    let copy = Portal::empty();
    let run = apply_as(&copy, None, &whole);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), whole);
    changes_nothing(&apply_as(&copy, None, &whole));
    for (who, account, name) in [(ADAM, ACCOUNT, "Acme label"), (OA, "Other", "Xavier")] {
        let shown = copy.json_as(Some(who), &["user", "show", X, "--account", account]);
        assert_eq!(shown["name"], name, "{shown}");
    }
}

/// Issue 11: once the person joins, the account's own `user.invite`
/// still reads the name it invited them under, in `audit list` and in
/// `user history`; the accepting event and later read their own.
#[test]
fn the_invitation_in_the_log_keeps_the_name_the_account_typed_after_joining() {
    let p = portal();
    let me = Some(ADMIN);
    let invited = p.json_as(
        me,
        &[
            "user", "invite", DAVE, "--name", "B label", "--role", "user", "--account", ACCOUNT,
            "--no-send",
        ],
    );
    p.ok(&["user", "accept", invited["token"].as_str().unwrap()]);
    for args in [
        &["audit", "list", "--account", ACCOUNT, "--format", "ndjson"][..],
        &["user", "history", DAVE, "--account", ACCOUNT, "--json"],
    ] {
        let run = p.run_as(me, args);
        assert_eq!(run.code, SUCCESS, "{args:?}: {}", run.stderr);
        // History prints one array, the log one event a line.
        let events: Vec<Value> = match serde_json::from_str(&run.stdout) {
            Ok(Value::Array(events)) => events,
            _ => (run.stdout.lines())
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
        };
        let invite = events
            .into_iter()
            .find(|e| e["action"] == "user.invite" && e["target"] != ADMIN)
            .unwrap_or_else(|| panic!("{args:?}: no invite in {}", run.stdout));
        // The log records states, the history the changes of each.
        let text = invite.to_string();
        assert!(
            invite["after"]["name"] == "B label" || text.contains("name: B label"),
            "{args:?}: {invite}"
        );
        assert!(!text.contains("Dave Real"), "{args:?}: {invite}");
    }
    let shown = p.json_as(me, &["user", "show", DAVE, "--account", ACCOUNT]);
    assert_eq!(shown["name"], "Dave Real", "{shown}");
}
