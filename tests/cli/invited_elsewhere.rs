//! An admin who invites an address that reaches a person of another
//! account learns nothing of that account: each test builds the same
//! portal twice, once with the address known in `Other` and once without,
//! runs the same commands as Acme's admin in both, and compares what the
//! admin is told (output, exit code, JSON, the log), then checks that
//! `Other` is untouched and which tokens accept.

use serde_json::Value;

use crate::smtp_server::{decode, token_in};
use crate::support::{Portal, Run, ACCOUNT, CONFLICT, SUCCESS};

const ADMIN: &str = "adam@acme.test";
const ZED: &str = "zed@other.test";
const NEW: &str = "zed@acme.test";

/// Acme Ltd with an admin; a partner `Other` with its admin Yan and, if
/// `known`, Zed, who named himself "Zed Real".
fn portal(known: bool) -> Portal {
    let key = format!("invited elsewhere: known {known}");
    Portal::cached(&key, || {
        let p = Portal::init("portal");
        p.member(ADMIN, "admin");
        p.ok(&["account", "create", "Other", "--kind", "partner"]);
        p.member_in("yan@other.test", "admin", "Other");
        if known {
            let invited = p.json(&[
                "user", "invite", ZED, "--name", "Zed Real", "--role", "user", "--account", "Other",
            ]);
            p.ok(&["user", "accept", invited["token"].as_str().unwrap()]);
        }
        p
    })
}

/// What a run told its actor: exit code, stdout and stderr, with the
/// token an invitation prints (random) left out, and the positions and
/// hashes of log events, which every account's events shift.
fn told(run: &Run) -> String {
    let stdout = match serde_json::from_str::<Value>(&run.stdout) {
        Ok(Value::Object(mut v)) => {
            v.remove("token");
            Value::Object(v).to_string()
        }
        Ok(Value::Array(items)) => {
            let items: Vec<Value> = items
                .into_iter()
                .map(|mut item| {
                    if let Some(fields) = item.as_object_mut() {
                        for chained in ["seq", "prev_hash", "hash"] {
                            fields.remove(chained);
                        }
                    }
                    item
                })
                .collect();
            Value::Array(items).to_string()
        }
        _ => run.stdout.clone(),
    };
    format!("{} | {stdout} | {}", run.code, run.stderr)
}

/// Everything Acme's admin reads of `email` and of Acme: list, show and
/// history (table and JSON), the log (without the positions and hashes
/// that the other account's events shift) and an export.
fn read_by_admin(p: &Portal, email: &str) -> String {
    let me = Some(ADMIN);
    let mut seen: Vec<String> = [
        vec!["user", "list", "--account", ACCOUNT],
        vec!["user", "list", "--account", ACCOUNT, "--json"],
        vec!["user", "show", email, "--account", ACCOUNT],
        vec!["user", "show", email, "--account", ACCOUNT, "--json"],
        vec!["user", "history", email, "--account", ACCOUNT],
        vec!["user", "history", email, "--account", ACCOUNT, "--json"],
        vec!["export", "--account", ACCOUNT],
    ]
    .iter()
    .map(|args| told(&p.run_as(me, args)))
    .collect();
    seen.push(told(
        &p.run_as(me, &["--json", "audit", "list", "--account", ACCOUNT]),
    ));
    seen.join("\n")
}

/// What the operator reads of `Other`: its members, and the people row
/// at Zed's address.
fn other(p: &Portal) -> String {
    let members = p.ok(&["user", "list", "--account", "Other", "--json"]);
    let zed = p.text(&format!(
        "SELECT COALESCE((SELECT id || ' ' || email || ' ' || name FROM people WHERE email = '{ZED}'), 'none')"
    ));
    format!("{members}\n{zed}")
}

/// Sends the outbox to files and returns each email's recipient and
/// token.
fn mailed(p: &Portal) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    p.ok(&[
        "settings", "set", "mail-from", "Acme Portal <portal@acme.test>",
    ]);
    p.ok(&["outbox", "send", "--to-dir", dir.path().to_str().unwrap()]);
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    decode(&files)
        .iter()
        .map(|m| {
            (
                m["to"].as_str().unwrap_or_default().to_string(),
                token_in(m),
            )
        })
        .collect()
}

/// `user edit --new-email` of someone Acme invited re-addresses the
/// invitation: the admin is told the same whether the address had a
/// login in Other or not, Other is untouched, the old token is refused
/// and the one mailed to the new address accepts.
#[test]
fn a_new_email_of_an_invitee_reads_alike_whether_they_have_a_login_elsewhere() {
    let me = Some(ADMIN);
    let mut answers = Vec::new();
    for known in [false, true] {
        let p = portal(known);
        let before = other(&p);
        let invite = p.run_as(
            me,
            &[
                "--json", "user", "invite", ZED, "--name", "Zed", "--role", "user", "--account",
                ACCOUNT,
            ],
        );
        assert_eq!(invite.code, SUCCESS, "{}", invite.stderr);
        let old_token = serde_json::from_str::<Value>(&invite.stdout).unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string();
        let taken = p.run_as(me, &["user", "edit", ZED, "--new-email", ADMIN]);
        assert_eq!(taken.code, CONFLICT, "{}", taken.stderr);
        let edit = p.run_as(me, &["--json", "user", "edit", ZED, "--new-email", NEW]);
        assert_eq!(edit.code, SUCCESS, "{}", edit.stderr);
        let edit_table = p.run_as(me, &["user", "show", NEW]);
        let gone = p.run_as(me, &["user", "show", ZED, "--account", ACCOUNT]);
        answers.push(format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            told(&invite),
            told(&taken),
            told(&edit),
            told(&edit_table),
            told(&gone),
            read_by_admin(&p, NEW)
        ));
        assert_eq!(other(&p), before, "Other changed (known: {known})");
        let shown = p.json_as(me, &["user", "show", NEW, "--account", ACCOUNT]);
        assert_eq!(
            (&shown["name"], &shown["status"]),
            (&Value::from("Zed"), &Value::from("invited"))
        );

        let old = p.run(&["user", "accept", &old_token]);
        assert_eq!(old.code, CONFLICT, "{}", old.stderr);
        assert!(old.stderr.contains("replaced"), "{}", old.stderr);
        let mail = mailed(&p);
        let to_new: Vec<&(String, String)> =
            mail.iter().filter(|(to, _)| to.contains(NEW)).collect();
        assert_eq!(to_new.len(), 1, "{mail:?}");
        p.ok(&["user", "accept", &to_new[0].1]);
        let joined = p.json(&["user", "show", NEW, "--account", ACCOUNT]);
        assert_eq!(joined["status"], "active", "{joined}");
        assert_eq!(other(&p), before, "Other changed (known: {known})");
    }
    assert_eq!(
        answers[0], answers[1],
        "the admin learns whether the address has a login in Other"
    );
}

const DEE: &str = "dee@other.test";
const KIM: &str = "kim@other.test";

/// Acme Ltd with an admin; a partner `Other` with its admin Yan and Kim,
/// and, if `merged`, Dee's address merged into Kim there by the operator.
fn merged_portal(merged: bool) -> Portal {
    let key = format!("invited elsewhere: merged {merged}");
    Portal::cached(&key, || {
        let p = Portal::init("portal");
        p.member(ADMIN, "admin");
        p.ok(&["account", "create", "Other", "--kind", "partner"]);
        p.member_in("yan@other.test", "admin", "Other");
        p.member_in(KIM, "user", "Other");
        if merged {
            p.member_in(DEE, "user", "Other");
            p.ok(&["--yes", "user", "merge", DEE, "--into", KIM]);
        }
        p
    })
}

/// What the operator reads of `Other` and of the people at its
/// addresses, with Dee's left out where the invitation made her.
fn other_people(p: &Portal, merged: bool) -> String {
    let members = p.ok(&["user", "list", "--account", "Other", "--json"]);
    let mut people = p.text(&format!(
        "SELECT id || ' ' || email || ' ' || name || ' ' || COALESCE(merged_into, '-') FROM people WHERE email = '{KIM}'"
    ));
    if merged {
        people.push_str(&p.text(&format!(
            "SELECT id || ' ' || email || ' ' || name || ' ' || COALESCE(merged_into, '-') FROM people WHERE email = '{DEE}'"
        )));
    }
    format!("{members}\n{people}")
}

/// Acme's admin invites, names, changes and reads an address merged
/// away in Other exactly as one nobody has: the same output, exit codes
/// and JSON. Other is untouched; the email goes to the address typed;
/// the token replaced by a resend is refused and the one mailed accepts,
/// making Kim Acme's member. Acme's export applies again as no change,
/// and the operator reads Kim with the address the invitation went to.
#[test]
fn inviting_an_address_merged_elsewhere_reads_as_inviting_a_new_one() {
    let me = Some(ADMIN);
    let mut answers = Vec::new();
    for merged in [false, true] {
        let p = merged_portal(merged);
        let before = other_people(&p, merged);
        let runs = [
            vec![
                "--json", "user", "invite", DEE, "--name", "Dee", "--role", "user", "--account",
                ACCOUNT,
            ],
            vec!["user", "edit", DEE, "--name", "Dee D"],
            vec!["--json", "user", "set-role", DEE, "manager"],
            vec!["--json", "user", "resend-invite", DEE],
            vec!["user", "invite", DEE, "--role", "user"],
            vec!["--json", "user", "invite", DEE, "--role", "user"],
        ];
        let mut tokens = Vec::new();
        let mut said = Vec::new();
        for args in &runs {
            let run = p.run_as(me, args);
            if let Ok(v) = serde_json::from_str::<Value>(&run.stdout) {
                tokens.extend(v["token"].as_str().map(str::to_string));
            }
            said.push(told(&run));
        }
        said.push(read_by_admin(&p, DEE));
        answers.push(said.join("\n"));
        assert_eq!(tokens.len(), 2, "{said:?}");
        assert_eq!(
            other_people(&p, merged),
            before,
            "Other changed (merged: {merged})"
        );

        let exported = p.run_as(me, &["export", "--account", ACCOUNT]).stdout;
        let again = p.apply_stdin(
            &["--json", "--no-send"],
            &[("PORTALCTL_AS", ADMIN)],
            &exported,
        );
        assert_eq!(again.code, SUCCESS, "{}", again.stderr);
        let counts: Value = serde_json::from_str(&again.stdout).unwrap();
        assert_eq!(
            (counts["created"].as_u64(), counts["updated"].as_u64()),
            (Some(0), Some(0))
        );

        if merged {
            let kim = p.json(&["user", "show", KIM, "--account", ACCOUNT]);
            assert_eq!(kim["invited_email"], DEE, "{kim}");
            assert_eq!(kim["status"], "invited", "{kim}");
        }
        let old = p.run(&["user", "accept", &tokens[0]]);
        assert_eq!(old.code, CONFLICT, "{}", old.stderr);
        let mail = mailed(&p);
        let to_dee: Vec<&(String, String)> =
            mail.iter().filter(|(to, _)| to.contains(DEE)).collect();
        assert_eq!(
            to_dee.len(),
            1,
            "the email goes to the address typed: {mail:?}"
        );
        p.ok(&["user", "accept", &to_dee[0].1]);
        let who = if merged { KIM } else { DEE };
        let joined = p.json(&["user", "show", who, "--account", ACCOUNT]);
        assert_eq!(
            (&joined["status"], &joined["role"]),
            (&Value::from("active"), &Value::from("manager"))
        );
        assert_eq!(
            other_people(&p, merged),
            before,
            "Other changed (merged: {merged})"
        );
    }
    assert_eq!(
        answers[0], answers[1],
        "the admin learns that the address was merged in Other"
    );
}

/// Other's admin, who sees the merge, is told to invite the address kept,
/// as before, and so is the operator: exit 4.
#[test]
fn who_sees_a_merge_is_told_of_it() {
    let p = merged_portal(true);
    let said = p.refused_as(
        Some("yan@other.test"),
        &[
            "user", "invite", DEE, "--role", "user", "--account", "Other",
        ],
        CONFLICT,
    );
    assert!(said.contains("merged into `kim@other.test`"), "{said}");
    let said = p.refused(
        &[
            "user", "invite", DEE, "--role", "user", "--account", ACCOUNT,
        ],
        CONFLICT,
    );
    assert!(said.contains("retired duplicate"), "{said}");
}

/// The operator's export keeps the address an invitation went to, and a
/// copy made from it reads as the original, to the operator and to
/// Acme's admin; a member's file may not give one.
#[test]
fn export_and_apply_carry_the_address_an_invitation_went_to() {
    let p = merged_portal(true);
    let me = Some(ADMIN);
    let invited = p.run_as(
        me,
        &[
            "user", "invite", DEE, "--name", "Dee", "--role", "user", "--account", ACCOUNT,
        ],
    );
    assert_eq!(invited.code, SUCCESS, "{}", invited.stderr);
    let whole = p.ok(&["export"]);
    assert!(whole.contains("\"invited_email\""), "{whole}");
    let copy = Portal::empty();
    let run = copy.apply_stdin(&["--json", "--no-send"], &[], &whole);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), whole);
    for args in [
        vec!["user", "list", "--account", ACCOUNT, "--json"],
        vec!["user", "show", DEE, "--account", ACCOUNT, "--json"],
    ] {
        assert_eq!(
            told(&copy.run_as(me, &args)),
            told(&p.run_as(me, &args)),
            "{args:?}"
        );
    }

    let file = format!(
        r#"{{"accounts": [{{"name": "{ACCOUNT}", "users": [
            {{"email": "nia@else.test", "invited_email": "x@evil.test", "role": "user", "status": "invited"}}
        ]}}]}}"#
    );
    let before = p.dump();
    let run = p.apply_stdin(&["--json", "--no-send"], &[("PORTALCTL_AS", ADMIN)], &file);
    assert_eq!(run.code, crate::support::DENIED, "{}", run.stderr);
    assert_eq!(p.dump(), before);
}

/// What another account does to someone Acme has only invited, renaming
/// and flagging them there, is no part of what Acme's admin reads: its
/// list, show, history, log and export read as if the address had no
/// login anywhere (as the tester's #15 found them not to: the events
/// were in Acme's log, by Other's admin, and the flag on the invitation).
#[test]
fn what_another_account_does_to_an_invitee_is_not_read_where_they_are_only_invited() {
    let me = Some(ADMIN);
    let mut answers = Vec::new();
    for known in [false, true] {
        let p = portal(known);
        let invite = p.run_as(
            me,
            &[
                "user", "invite", ZED, "--name", "Zed", "--role", "user", "--account", ACCOUNT,
                "--no-send",
            ],
        );
        assert_eq!(invite.code, SUCCESS, "{}", invite.stderr);
        if known {
            let yan = Some("yan@other.test");
            p.json_as(yan, &["user", "edit", ZED, "--name", "Zed Renamed"]);
            p.json_as(
                yan,
                &["user", "flag-duplicate", ZED, "--of", "yan@other.test"],
            );
            // The operator's log keeps both, in Acme too.
            let acme = p.json(&[
                "audit", "list", "--account", ACCOUNT, "--actor", "yan@other.test",
            ]);
            let actions: Vec<&str> = acme
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["action"].as_str().unwrap())
                .collect();
            assert_eq!(actions, ["user.edit", "user.flag_duplicate"]);
        }
        answers.push(read_by_admin(&p, ZED));
        let listed = p.json_as(me, &["user", "show", ZED, "--account", ACCOUNT]);
        assert_eq!(listed["duplicate_of"], Value::Null, "{listed}");
        let log = p.json_as(me, &["audit", "list", "--actor", "yan@other.test"]);
        assert_eq!(log, Value::Array(Vec::new()));
    }
    assert_eq!(
        answers[0], answers[1],
        "Acme's admin reads what Other did to someone Acme only invited"
    );
}

/// Every command that names a member of Acme, run by Acme's admin on the
/// address Dee was merged into (Kim's) once Acme invited Dee's: what a
/// command finds a member by, `user invite`'s "already a member" and
/// `apply`'s keys and plan. Each reads as if Kim were someone else:
/// "not a member", and invited as a new address would be.
const ABOUT_KIM: &[&[&str]] = &[
    &["user", "show", KIM, "--account", ACCOUNT],
    &["--json", "user", "show", KIM, "--account", ACCOUNT],
    &["user", "show", KIM],
    &["user", "history", KIM, "--account", ACCOUNT],
    &["user", "history", KIM],
    &["user", "edit", KIM, "--name", "Kim K", "--account", ACCOUNT],
    &[
        "user", "edit", KIM, "--city", "Leeds", "--country", "GB", "--account", ACCOUNT,
    ],
    &["user", "set-role", KIM, "manager", "--account", ACCOUNT],
    &["user", "resend-invite", KIM, "--account", ACCOUNT],
    &["--yes", "user", "revoke-invite", KIM, "--account", ACCOUNT],
    &["--yes", "user", "deactivate", KIM, "--account", ACCOUNT],
    &["user", "activate", KIM, "--account", ACCOUNT],
    &["user", "flag-duplicate", KIM, "--of", DEE],
    &["user", "flag-duplicate", DEE, "--of", KIM],
    &["user", "list", "--account", ACCOUNT, "--json"],
];

/// Acme's admin, who invited Dee's address merged into Kim in Other,
/// reads Kim's address as one nobody has in Acme: every command of
/// [`ABOUT_KIM`], an apply naming both addresses before Acme invites
/// either (dry run), and inviting
/// Kim's address (answered as any new invitation, taking the one
/// membership a person may hold in Acme) are told the same as where Dee
/// and Kim are two people. Other is untouched.
#[test]
fn the_address_kept_by_a_merge_reads_as_another_to_whoever_invited_the_merged_one() {
    let me = Some(ADMIN);
    let both = format!(
        r#"{{"accounts": [{{"name": "{ACCOUNT}", "users": [
            {{"email": "{DEE}", "role": "user", "status": "invited"}},
            {{"email": "{KIM}", "role": "user", "status": "invited"}}
        ]}}]}}"#
    );
    let mut answers = Vec::new();
    for merged in [false, true] {
        let p = merged_portal(merged);
        let before = other_people(&p, merged);
        let mut said = Vec::new();
        // Before Acme invites anyone, and after it invites Dee's address.
        let dry = p.apply_stdin(&["--dry-run"], &[("PORTALCTL_AS", ADMIN)], &both);
        said.push(told(&dry));
        let invited = p.run_as(
            me,
            &[
                "--json", "user", "invite", DEE, "--role", "user", "--account", ACCOUNT,
            ],
        );
        assert_eq!(invited.code, SUCCESS, "{}", invited.stderr);
        said.push(told(&invited));
        for args in ABOUT_KIM {
            said.push(format!("{args:?}: {}", told(&p.run_as(me, args))));
        }
        // Naming both once Dee's address is invited: where the two are
        // one person, Kim's entry would take Dee's invitation over, and
        // each apply would re-address it again, so the file is refused
        // before anything is written (A12), saying neither where nor
        // whom the merge joined.
        let dry = p.apply_stdin(&["--dry-run"], &[("PORTALCTL_AS", ADMIN)], &both);
        match merged {
            true => {
                assert_eq!(dry.code, CONFLICT, "{}", dry.stderr);
                assert!(
                    !dry.stderr.contains("Other") && !dry.stderr.contains("merged"),
                    "{}",
                    dry.stderr
                );
            }
            false => assert_eq!(dry.code, SUCCESS, "{}", dry.stderr),
        }
        said.push(told(&p.run_as(
            me,
            &[
                "user", "invite", DEE, "--role", "user", "--account", ACCOUNT,
            ],
        )));
        said.push(told(&p.run_as(
            me,
            &[
                "--json", "user", "invite", KIM, "--role", "manager", "--account", ACCOUNT,
            ],
        )));
        said.push(told(&p.run_as(
            me,
            &["user", "show", KIM, "--account", ACCOUNT, "--json"],
        )));
        // The invitation re-addressed to Kim's address, on a copy: as to
        // any other address.
        let q = merged_portal(merged);
        q.run_as(
            me,
            &[
                "user", "invite", DEE, "--role", "user", "--account", ACCOUNT,
            ],
        );
        said.push(told(&q.run_as(
            me,
            &[
                "user", "edit", DEE, "--new-email", KIM, "--account", ACCOUNT,
            ],
        )));
        answers.push(said.join("\n"));
        assert_eq!(
            other_people(&p, merged),
            before,
            "Other changed (merged: {merged})"
        );
        if merged {
            // One person holds one membership in Acme: the newer
            // invitation took it, and its token makes Kim the member.
            let kim = p.json(&["user", "show", KIM, "--account", ACCOUNT]);
            assert_eq!(
                (&kim["role"], &kim["status"], &kim["invited_email"]),
                (
                    &Value::from("manager"),
                    &Value::from("invited"),
                    &Value::Null
                ),
                "{kim}"
            );
        }
    }
    assert_eq!(
        answers[0], answers[1],
        "Acme's admin learns whom the address they invited was merged into"
    );
}

/// A merge after Acme invited Dee (a member of Other) moves the
/// invitation to Kim, whom Dee was merged into; Acme's admin reads
/// everything as before the merge (list, show, history, log, export), and
/// Kim's address is "not a member" of Acme. The invitation stays at the
/// address invited, whose token makes Kim the member.
#[test]
fn a_merge_after_an_invitation_changes_nothing_the_inviting_account_reads() {
    let me = Some(ADMIN);
    let p = merged_portal(false);
    p.member_in(DEE, "user", "Other");
    let invited = p.json_as(
        me,
        &[
            "user", "invite", DEE, "--role", "user", "--name", "Dee here", "--account", ACCOUNT,
        ],
    );
    let token = invited["token"].as_str().unwrap().to_string();
    let read = |p: &Portal| {
        let mut seen = vec![read_by_admin(p, DEE)];
        for args in ABOUT_KIM.iter().take(5) {
            seen.push(told(&p.run_as(me, args)));
        }
        seen.join("\n")
    };
    let before = read(&p);
    p.ok(&["--yes", "user", "merge", DEE, "--into", KIM]);
    assert_eq!(read(&p), before, "the merge shows in Acme");
    let kim = p.json(&["user", "show", KIM, "--account", ACCOUNT]);
    assert_eq!(kim["invited_email"], DEE, "{kim}");
    let mail = mailed(&p);
    assert!(
        mail.iter().all(|(to, _)| !to.contains(KIM)),
        "the invitation went to the kept address: {mail:?}"
    );
    p.ok(&["user", "accept", &token]);
    let joined = p.json(&["user", "show", KIM, "--account", ACCOUNT]);
    assert_eq!(joined["status"], "active", "{joined}");
}

/// The operator's file gives an invitation already made the address it
/// went to (`invited_email`), as it gives one it makes: the plan says
/// `invited_email`, the member reads as invited there, and the file
/// applies again changing nothing. A member's file may not change it.
#[test]
fn an_operators_file_gives_an_existing_invitation_the_address_it_went_to() {
    let p = merged_portal(true);
    p.ok(&[
        "user", "invite", KIM, "--role", "user", "--account", ACCOUNT, "--no-send",
    ]);
    let file = |typed: &str| {
        format!(
            r#"{{"accounts": [{{"name": "{ACCOUNT}", "users": [
                {{"email": "{KIM}", "invited_email": "{typed}", "role": "user", "status": "invited"}}
            ]}}]}}"#
        )
    };
    let plan = p.apply_stdin(&["--dry-run"], &[], &file(DEE));
    assert!(plan.stdout.contains("invited_email"), "{}", plan.stdout);
    let counts: Value =
        serde_json::from_str(&p.apply_stdin(&["--json"], &[], &file(DEE)).stdout).unwrap();
    assert_eq!(counts["updated"], 1, "{counts}");
    let kim = p.json(&["user", "show", KIM, "--account", ACCOUNT]);
    assert_eq!(kim["invited_email"], DEE, "{kim}");
    let again: Value =
        serde_json::from_str(&p.apply_stdin(&["--json"], &[], &file(DEE)).stdout).unwrap();
    assert_eq!(
        (&again["created"], &again["updated"]),
        (&Value::from(0), &Value::from(0)),
        "{again}"
    );
    let seen = p.json_as(Some(ADMIN), &["user", "show", DEE, "--account", ACCOUNT]);
    assert_eq!(seen["email"], DEE, "{seen}");

    let before = p.dump();
    let run = p.apply_stdin(&["--json"], &[("PORTALCTL_AS", ADMIN)], &file(KIM));
    assert_eq!(run.code, crate::support::DENIED, "{}", run.stderr);
    assert_eq!(p.dump(), before);
}

/// Inviting Kim's address where Acme invited Dee's (merged into Kim) takes
/// the one membership over: the log records it as that, the invitation
/// it replaced as `before`, not as a new person's first invitation. Acme's
/// admin, who made both invitations, reads it in Kim's history; the merge
/// stays the operator's.
#[test]
fn a_takeover_of_an_invitation_is_logged_with_the_invitation_it_replaced() {
    let me = Some(ADMIN);
    let p = merged_portal(true);
    p.json_as(
        me,
        &[
            "user", "invite", DEE, "--role", "user", "--account", ACCOUNT, "--no-send",
        ],
    );
    p.json_as(
        me,
        &[
            "user", "invite", KIM, "--role", "manager", "--account", ACCOUNT, "--no-send",
        ],
    );
    let event = p.last_event();
    assert_eq!(event["action"], "user.invite.takeover", "{event}");
    assert_eq!(event["target"], KIM, "{event}");
    assert_eq!(
        (&event["before"]["email"], &event["before"]["role"]),
        (&Value::from(DEE), &Value::from("user")),
        "{event}"
    );
    assert_eq!(event["after"]["role"], "manager", "{event}");
    let history = p.json_as(me, &["user", "history", KIM, "--account", ACCOUNT]);
    let lines: Vec<(&str, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["action"].as_str().unwrap(), h["changes"].to_string()))
        .collect();
    assert_eq!(lines.len(), 2, "{history}");
    assert_eq!(lines[0].0, "user.invite", "{history}");
    assert_eq!(lines[1].0, "user.invite.takeover", "{history}");
    assert!(
        lines[1].1.contains(&format!("email: {DEE} -> {KIM}"))
            && lines[1].1.contains("role: user -> manager"),
        "{history}"
    );
    let filtered = p.json_as(me, &["audit", "list", "--action", "user.invite.takeover"]);
    assert_eq!(filtered.as_array().map(Vec::len), Some(1), "{filtered}");
}

/// What was done to Zed before he joined Acme, through Other (a new name,
/// a flag) or by the operator (a flag), stays out of Acme's log and his
/// history there once he joins: Acme reads him as he is then (N7).
#[test]
fn what_was_done_elsewhere_before_joining_stays_out_once_joined() {
    let me = Some(ADMIN);
    let p = portal(true);
    let invited = p.json_as(
        me,
        &[
            "user", "invite", ZED, "--role", "user", "--account", ACCOUNT, "--no-send",
        ],
    );
    p.json(&[
        "user", "flag-duplicate", ZED, "--of", ADMIN, "--account", ACCOUNT,
    ]);
    let yan = Some("yan@other.test");
    p.json_as(yan, &["user", "edit", ZED, "--name", "Zed Renamed"]);
    p.json_as(
        yan,
        &["user", "flag-duplicate", ZED, "--of", "yan@other.test"],
    );
    p.ok(&["user", "accept", invited["token"].as_str().unwrap()]);
    let actions = |p: &Portal| -> Vec<String> {
        p.json_as(me, &["user", "history", ZED, "--account", ACCOUNT])
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                format!(
                    "{} {}",
                    h["actor"].as_str().unwrap(),
                    h["action"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        actions(&p),
        [format!("{ADMIN} user.invite"), format!("{ZED} user.accept")]
    );
    let log = p.json_as(me, &["audit", "list", "--action", "user.flag_duplicate"]);
    assert_eq!(log, Value::Array(Vec::new()));
    // The operator's log keeps all of it, in Acme too.
    let acme = p.json(&["audit", "list", "--account", ACCOUNT, "--action", "user"]);
    let kept: Vec<&str> = acme
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == ZED)
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        kept,
        ["user.invite", "user.flag_duplicate", "user.edit", "user.flag_duplicate", "user.accept"]
    );
}

/// N10: the partner's admin renames and flags a member of the partner
/// whom one of its customers has only invited. The customer's admin may
/// read what the partner's admin does in the customer, but this was done
/// to the person through the partner: the customer's log, the invitee's
/// history there and `audit list --actor` show none of it, and a rename
/// of the invitation by the customer's own admin still shows.
#[test]
fn a_partner_admins_change_of_a_person_the_customer_only_invited_stays_out() {
    let p = Portal::empty();
    p.apply_stdin(
        &["--no-send"],
        &[],
        &std::fs::read_to_string("examples/demo.json").unwrap(),
    );
    let carl = Some("carl@contoso.test");
    let fiona = Some("fiona@acme.test");
    p.json_as(
        carl,
        &[
            "user", "invite", "una@acme.test", "--role", "user", "--name", "Una C", "--no-send",
        ],
    );
    p.json_as(
        fiona,
        &["user", "edit", "una@acme.test", "--name", "Una Renamed"],
    );
    p.json_as(
        fiona,
        &[
            "user", "flag-duplicate", "una@acme.test", "--of", "max@acme.test",
        ],
    );
    p.json_as(carl, &["user", "edit", "una@acme.test", "--name", "Una CC"]);
    let actions = |args: &[&str]| -> Vec<String> {
        p.json_as(carl, args)
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["target"].is_null() || e["target"] == "una@acme.test")
            .map(|e| {
                format!(
                    "{} {}",
                    e["actor"].as_str().unwrap(),
                    e["action"].as_str().unwrap()
                )
            })
            .collect()
    };
    let mine = [
        "carl@contoso.test user.invite".to_string(),
        "carl@contoso.test user.edit".to_string(),
    ];
    assert_eq!(actions(&["user", "history", "una@acme.test"]), mine);
    let log = actions(&["audit", "list", "--all", "--action", "user"]);
    assert!(!log.iter().any(|a| a.starts_with("fiona")), "{log:?}");
    assert_eq!(
        p.json_as(
            carl,
            &["audit", "list", "--all", "--actor", "fiona@acme.test"]
        ),
        Value::Array(Vec::new())
    );
}
