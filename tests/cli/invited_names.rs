//! Someone invited by an account that is not theirs yet is known there by
//! the invitation's name until they accept: an admin who invites an
//! address of another account's person learns nothing of the name that
//! person gave themselves, by any command, and names the invitation
//! without renaming the person.

use serde_json::Value;

use crate::support::{rewind, schema_version, version_before, Portal, Run, ACCOUNT, NOW, SUCCESS};

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
    }
    let shown = p.json_as(Some(ADMIN), &["user", "show", "nora@new.test"]);
    assert_eq!(p.query("PRAGMA user_version"), schema_version());
    assert_eq!(shown["name"], "Nora", "{shown}");
    assert_eq!(
        p.text("SELECT group_concat(ifnull(invited_name, 'NULL'), ',') FROM (SELECT invited_name FROM memberships ORDER BY id)"),
        "NULL,NULL,NULL,NULL,Nora"
    );
}
