//! `apply`, `export` and `schema` through the binary: what a CI pipeline
//! seeding test accounts does.

use std::path::Path;

use serde_json::{json, Value};

use crate::support::*;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json");

/// `apply` with `file_text` on stdin (`apply -`).
fn apply_stdin(p: &Portal, args: &[&str], file_text: &str) -> Run {
    p.apply_stdin(args, &[], file_text)
}

/// The entry of `email` among the users of a file's first account.
#[track_caller]
fn first_accounts_user<'d>(doc: &'d Value, email: &str) -> &'d Value {
    let users = doc["accounts"][0]["users"].as_array().unwrap();
    users.iter().find(|u| u["email"] == email).unwrap()
}

/// `exported` (`p`'s export) applied onto an empty database: the copy
/// exports the same file, and the file applied again onto either changes
/// nothing.
#[track_caller]
fn restored(p: &Portal, exported: &str) -> Portal {
    let copy = Portal::empty();
    let run = apply_stdin(&copy, &[], exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), exported);
    for db in [p, &copy] {
        let again = apply_stdin(db, &["--json"], exported);
        assert_eq!(again.code, SUCCESS, "{}", again.stderr);
        let again: Value = serde_json::from_str(&again.stdout).unwrap();
        assert_eq!(
            (again["created"].as_u64(), again["updated"].as_u64()),
            (Some(0), Some(0)),
            "{again}"
        );
    }
    copy
}

/// A portal made by applying the demo fixture.
fn demo() -> Portal {
    Portal::cached("apply examples/demo.json", || {
        let p = Portal::empty();
        p.ok(&["apply", DEMO]);
        p
    })
}

#[test]
fn apply_alone_makes_a_working_portal_and_a_second_apply_changes_nothing() {
    let p = Portal::empty();
    let first = p.json(&["apply", DEMO]);
    assert_eq!(
        (first["created"].as_u64(), first["updated"].as_u64()),
        (Some(27), Some(0))
    );
    let users = p.json(&["user", "list", "--account", ACCOUNT]);
    assert_eq!(users.as_array().unwrap().len(), 7, "{users}");
    let ivan = p.json(&["user", "show", "ivan@acme.test", "--account", ACCOUNT]);
    assert_eq!(ivan["status"], "invited");
    // The invited user's email waits in the outbox; no token is printed.
    let outbox = p.json(&["outbox", "list"]);
    assert!(outbox.to_string().contains("ivan@acme.test"), "{outbox}");
    let events = p.events();
    let again = p.ok(&["apply", DEMO]);
    assert_eq!(
        again.lines().take(2).collect::<Vec<_>>(),
        ["created    0", "updated    0"]
    );
    assert_eq!(p.events(), events, "nothing changed, so nothing is logged");
}

/// A CI seed emails nobody: `--no-send` invites as the file says and
/// queues no invitation; `user resend-invite` sends one later.
#[test]
fn apply_no_send_invites_without_emailing() {
    let p = Portal::empty();
    p.ok(&["apply", "--no-send", DEMO]);
    let ivan = p.json(&["user", "show", "ivan@acme.test", "--account", ACCOUNT]);
    assert_eq!(ivan["status"], "invited");
    let outbox = p.json(&["outbox", "list"]);
    assert_eq!(outbox, serde_json::json!([]), "{outbox}");
    p.ok(&[
        "user", "resend-invite", "ivan@acme.test", "--account", ACCOUNT,
    ]);
    let outbox = p.json(&["outbox", "list"]);
    assert!(outbox.to_string().contains("ivan@acme.test"), "{outbox}");
}

#[test]
fn every_change_of_an_apply_is_audited_with_one_event_for_the_apply() {
    let p = demo();
    let actions = p.text("SELECT group_concat(DISTINCT action) FROM audit_events");
    for action in [
        "init", "user.add", "user.invite", "service.add", "policy.create", "apply",
    ] {
        assert!(actions.contains(action), "{action} missing from {actions}");
    }
    // Leo, listed as gone, is added and marked as left: one event.
    assert_eq!(
        p.text(
            "SELECT group_concat(action || ' ' || json_extract(after, '$.status') || ' ' \
             || json_extract(after, '$.steps'), '; ') FROM audit_events \
             WHERE target = 'leo@acme.test'"
        ),
        r#"user.add left ["user.add","user.left_company"]"#
    );
    assert_eq!(
        p.text("SELECT COUNT(*) FROM audit_events WHERE action = 'apply'"),
        "1"
    );
    p.ok(&["audit", "verify"]);
}

#[test]
fn a_second_apply_records_one_event_for_a_changed_user_and_one_for_itself() {
    let p = demo();
    let seen = p.events();
    let changed = std::fs::read_to_string(DEMO).unwrap().replace(
        r#""Una User", "role": "user""#,
        r#""Una Upgraded", "role": "manager""#,
    );
    // Applied two hours after the demo, to tell the states apart.
    let later = [("PORTALCTL_NOW", "2026-11-25T12:00:00Z")];
    let dir = scratch_dir();
    let file = dir.path().join("changed.json");
    std::fs::write(&file, &changed).unwrap();
    let run = p.run_with(&["apply", file.to_str().unwrap()], &later);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let log = p.json(&["audit", "list", "--all"]);
    let new: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["seq"].as_i64().unwrap() > seen)
        .collect();
    let actions: Vec<(&str, &str)> = new
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["target"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [("user.update", "una@acme.test"), ("apply", "-")],
        "{log}"
    );
    let una = new[0];
    assert_eq!(
        (&una["before"]["name"], &una["before"]["role"]),
        (&Value::from("Una User"), &Value::from("user"))
    );
    assert_eq!(
        (&una["after"]["name"], &una["after"]["role"]),
        (&Value::from("Una Upgraded"), &Value::from("manager"))
    );
    assert_eq!(
        una["after"]["steps"],
        serde_json::json!(["user.edit", "user.set_role"])
    );
    let history = p.ok(&["user", "history", "una@acme.test"]);
    says(&history, "user.update (user.edit, user.set_role)");
    // As of a moment: the merged event replays like any other.
    let show = |at: &str| {
        let una = p.json_with(&["user", "show", "una@acme.test", "--at", at], &later);
        (una["name"].clone(), una["role"].clone())
    };
    assert_eq!(
        show("2026-11-25T11:59:59Z"),
        (Value::from("Una User"), Value::from("user"))
    );
    assert_eq!(
        show("2026-11-25T12:00:00Z"),
        (Value::from("Una Upgraded"), Value::from("manager"))
    );
    p.ok(&["audit", "verify"]);
}

/// A policy raised over a pending order releases it: the plan says so,
/// though the file lists the order as it was.
#[test]
fn a_dry_run_names_the_orders_a_policy_change_would_release() {
    let p = demo();
    let raised = std::fs::read_to_string(DEMO)
        .unwrap()
        .replace(r#""threshold": "50.00""#, r#""threshold": "100.00""#);
    assert_ne!(raised, std::fs::read_to_string(DEMO).unwrap());
    let before = p.dump();
    let run = apply_stdin(&p, &["--dry-run", "--json"], &raised);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let plan: Value = serde_json::from_str(&run.stdout).unwrap();
    let router: Vec<&Value> = plan["plan"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["object"] == "order PO-1001 in Acme Ltd")
        .collect();
    assert_eq!(
        router,
        [
            &serde_json::json!({"object": "order PO-1001 in Acme Ltd", "kind": "order", "key": "PO-1001", "account": "Acme Ltd", "action": "update", "changes": ["status"]})
        ]
    );
    assert_eq!(plan["updated"], 2, "{plan}");
    assert_eq!(before, p.dump());
    let run = apply_stdin(&p, &["--json"], &raised);
    let done: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(done["updated"], 2, "{done}");
    assert_eq!(p.json(&["order", "show", "1"])["status"], "approved");
}

/// A CI gate picks the plan's entries by their fields, not by their
/// text: `Made in Oslo`'s users, and not those of its customer `Oslo`,
/// though splitting `user ... in Made in Oslo` at " in " would say so.
#[test]
fn a_script_picks_one_accounts_users_from_a_dry_runs_plan_by_their_fields() {
    let p = Portal::empty();
    let dir = scratch_dir();
    let file = dir.path().join("oslo.json");
    let seed = serde_json::json!({
        "preset": "portal",
        "accounts": [
            {
                "name": "Made in Oslo", "kind": "partner", "currency": "NOK",
                "owner": "olive@made.test",
                "users": [
                    {"email": "olive@made.test", "name": "Olive Owner", "role": "admin"},
                    {"email": "una@made.test", "name": "Una User", "role": "user"}
                ],
                "services": [{"name": "Broadband in Oslo", "kind": "broadband"}]
            },
            {
                "name": "Oslo", "kind": "customer", "parent": "Made in Oslo",
                "owner": "carl@oslo.test",
                "users": [{"email": "carl@oslo.test", "name": "Carl Customer", "role": "admin"}]
            }
        ]
    });
    std::fs::write(&file, seed.to_string()).unwrap();
    let run = p.run(&["--json", "apply", "--dry-run", file.to_str().unwrap()]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let plan: Value = serde_json::from_str(&run.stdout).unwrap();
    let entries = plan["plan"].as_array().unwrap();
    let users_of = |account: &str| -> Vec<(&str, &str)> {
        entries
            .iter()
            .filter(|l| l["kind"] == "user" && l["account"] == account)
            .map(|l| (l["key"].as_str().unwrap(), l["action"].as_str().unwrap()))
            .collect()
    };
    assert_eq!(
        users_of("Made in Oslo"),
        [("olive@made.test", "create"), ("una@made.test", "create")]
    );
    assert_eq!(users_of("Oslo"), [("carl@oslo.test", "create")]);
    // The text is as the table prints it; the fields say the same.
    let una = entries
        .iter()
        .find(|l| l["key"] == "una@made.test")
        .unwrap();
    assert_eq!(una["object"], "user una@made.test in Made in Oslo");
    let service = entries.iter().find(|l| l["kind"] == "service").unwrap();
    assert_eq!(
        (&service["key"], &service["account"]),
        (
            &Value::from("Broadband in Oslo"),
            &Value::from("Made in Oslo")
        )
    );
    let account = entries
        .iter()
        .find(|l| l["object"] == "account Made in Oslo")
        .unwrap();
    assert_eq!(account["kind"], "account");
    assert_eq!(account["key"], "Made in Oslo");
    assert!(account["account"].is_null(), "{account}");
    assert!(!p.db.exists(), "a dry run makes no database");
}

#[test]
fn a_dry_run_prints_the_plan_and_writes_nothing() {
    let p = demo();
    let changed = std::fs::read_to_string(DEMO).unwrap().replace(
        r#""Max Manager", "role": "manager""#,
        r#""Max Manager", "role": "admin""#,
    );
    let before = p.dump();
    let run = apply_stdin(&p, &["--dry-run"], &changed);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("user max@acme.test"))
        .unwrap();
    assert!(
        line.starts_with("update") && line.ends_with("role"),
        "{line}"
    );
    says(&run.stdout, "updated    would be 1");
    assert_eq!(before, p.dump());
    // Applied for real, the same file changes just that.
    let run = apply_stdin(&p, &["--json"], &changed);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (v["updated"].as_u64(), v["created"].as_u64()),
        (Some(1), Some(0)),
        "{v}"
    );
    assert_eq!(v.get("plan"), None, "the plan is for dry runs");
}

#[test]
fn an_invalid_entry_aborts_the_whole_apply_and_names_its_json_path() {
    let p = demo();
    let before = p.dump();
    let text = std::fs::read_to_string(DEMO).unwrap();
    let typo = text.replace(r#""role": "manager""#, r#""role": "admn""#);
    let run = apply_stdin(&p, &[], &typo);
    assert_eq!(run.code, USAGE);
    assert_eq!(
        error_line(&run.stderr),
        "error: accounts[0].users[2].role: unknown role `admn`"
    );
    says(
        &run.stderr,
        "roles are: admin, auditor, manager, no-access, user",
    );
    let unknown = text.replace(r#""role": "manager""#, r#""rol": "manager""#);
    let run = apply_stdin(&p, &[], &unknown);
    assert_eq!(run.code, USAGE);
    says(&run.stderr, "accounts[0].users[2].rol: unknown field `rol`");
    let run = apply_stdin(&p, &[], "{\"accounts\": [");
    assert_eq!(run.code, USAGE);
    assert_eq!(before, p.dump());
}

#[test]
fn a_failed_apply_leaves_no_database_behind() {
    let p = Portal::empty();
    let text = std::fs::read_to_string(DEMO)
        .unwrap()
        .replace(r#""threshold": "50.00""#, r#""threshold": "fifty""#);
    let run = apply_stdin(&p, &[], &text);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    says(
        &run.stderr,
        "accounts[0].policies[0].threshold: `fifty` is not an amount",
    );
    assert!(!p.db.exists(), "the database made for the apply is removed");
    // A new database needs a preset.
    let run = apply_stdin(&p, &[], r#"{"accounts": []}"#);
    assert_eq!(run.code, USAGE);
    says(&run.stderr, "preset: a new database needs a preset");
}

/// A member's file names no order by number (`order place --as` takes the
/// next one), and is told the same whether another account has order N
/// or nobody has: `#N` is order N of the file's account (findings D4).
#[test]
fn a_member_places_no_order_under_a_number_whoever_has_it() {
    let p = demo();
    let carls = p.json(&[
        "--as", "carl@contoso.test", "order", "place", "--description", "Chair", "--amount", "5.00",
    ]);
    // Contoso's first, whatever Acme's orders.
    assert_eq!(carls["id"], json!(1));
    let before = p.dump();
    // Acme has an order 2, Contoso none; nobody has an order 999.
    for n in [2, 999] {
        let file = format!(
            r##"{{"accounts": [{{"name": "Contoso", "orders": [
                {{"ref": "#{n}", "created_by": "carl@contoso.test", "description": "Desk", "amount": "1.00"}}]}}]}}"##
        );
        let run = apply_stdin(&p, &["--as", "carl@contoso.test"], &file);
        assert_eq!(run.code, CONFLICT, "{}", run.stderr);
        assert_eq!(
            error_line(&run.stderr),
            format!("error: accounts[0].orders[0].ref: order `#{n}` cannot be placed now: `#N` names an order by its number, and an order placed now takes the next one")
        );
        assert_eq!(before, p.dump());
    }
}

#[test]
fn an_apply_as_a_member_may_do_what_their_commands_may() {
    let p = demo();
    let text = std::fs::read_to_string(DEMO).unwrap().replace(
        r#""Una User", "role": "user""#, r#""Una User", "role": "admin""#,
    );
    let before = p.dump();
    // Max, a manager, may neither see nor manage Acme's users: a file
    // listing them is refused at the first who is not himself.
    let run = apply_stdin(&p, &["--as", "max@acme.test"], &text);
    assert_eq!(run.code, DENIED);
    says(
        &run.stderr,
        "accounts[0].users[0]: `max@acme.test` may not list other users in a file in `Acme Ltd`",
    );
    // A file of Una alone: Max may not list her either; Fiona, an admin
    // of Acme, may change her role.
    let acme = r#"{"accounts": [{"name": "Acme Ltd", "users": [
        {"email": "una@acme.test", "name": "Una User", "role": "admin"}]}]}"#;
    let run = apply_stdin(&p, &["--as", "max@acme.test"], acme);
    assert_eq!(run.code, DENIED);
    says(
        &run.stderr,
        "accounts[0].users[0]: `max@acme.test` may not list other users",
    );
    assert_eq!(before, p.dump());
    let run = apply_stdin(&p, &["--as", "fiona@acme.test"], acme);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert!(p.ok(&["user", "show", "una@acme.test"]).contains("admin"));
}

#[test]
fn an_apply_as_a_member_tells_them_nothing_they_could_not_see() {
    let p = demo();
    let before = p.dump();
    // Una, a plain user of Acme, probing Contoso (a customer she does
    // not belong to) and an account that does not exist: one answer.
    let probes = [
        r#"{"accounts": [{"name": "Contoso", "kind": "customer", "users": [{"email": "cleo@contoso.test", "role": "user"}]}]}"#,
        r#"{"accounts": [{"name": "Contoso", "kind": "customer", "users": [{"email": "cleo@contoso.test", "role": "admin"}]}]}"#,
        r#"{"accounts": [{"name": "Contoso", "kind": "partner"}]}"#,
        r#"{"accounts": [{"name": "Contoso", "currency": "EUR"}]}"#,
        r#"{"accounts": [{"name": "Nowhere"}]}"#,
    ];
    let mut answers = Vec::new();
    for probe in probes {
        let run = apply_stdin(&p, &["--as", "una@acme.test"], probe);
        assert_eq!(run.code, DENIED, "{probe}: {}", run.stderr);
        answers.push(error_line(&run.stderr).replace("Nowhere", "Contoso"));
    }
    answers.dedup();
    assert_eq!(
        answers,
        ["error: accounts[0]: `una@acme.test` is not a member of `Contoso`"]
    );
    // In her own account she lists herself, and no one else.
    let herself = r#"{"accounts": [{"name": "Acme Ltd", "users": [
        {"email": "una@acme.test", "name": "Una User", "role": "user"}]}]}"#;
    let run = apply_stdin(&p, &["--as", "una@acme.test"], herself);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "created    0");
    let olive = herself.replace("una@acme.test", "olive@acme.test");
    let run = apply_stdin(&p, &["--as", "una@acme.test"], &olive);
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    says(
        error_line(&run.stderr),
        "error: accounts[0].users[0]: `una@acme.test` may not list other users in a file in `Acme Ltd`: needs `users.view` or `users.manage`",
    );
    // Nobody by that email: not found, as for every other command.
    let run = apply_stdin(&p, &["--as", "ghost@nowhere.test"], "{}");
    assert_eq!(run.code, NOT_FOUND, "{}", run.stderr);
    says(
        error_line(&run.stderr),
        "no member `ghost@nowhere.test` (--as)",
    );
    assert_eq!(before, p.dump());
}

#[test]
fn a_dry_run_leaves_no_database_and_a_file_is_one_json_object() {
    let p = Portal::empty();
    let run = p.run(&["apply", "--dry-run", DEMO]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "created    would be");
    assert!(!p.db.exists(), "a dry run made {}", p.db.display());
    let demo = std::fs::read_to_string(DEMO).unwrap();
    for (text, says_what) in [
        (
            format!("{demo} garbage"),
            "after the document: trailing characters",
        ),
        (
            format!("{demo}\n{demo}"),
            "after the document: trailing characters",
        ),
        ("[]".to_string(), "the file must hold one JSON object"),
        ("{".to_string(), "error: -: EOF while parsing an object"),
        (
            r#"["portal"]"#.to_string(),
            "the file must hold one JSON object",
        ),
    ] {
        let run = apply_stdin(&p, &[], &text);
        assert_eq!(run.code, USAGE, "{text}: {}", run.stderr);
        says(error_line(&run.stderr), says_what);
        assert!(!p.db.exists(), "{text}");
    }
    // A byte-order mark, as some editors write, is read past.
    let run = apply_stdin(&p, &[], &format!("\u{feff}{demo}"));
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
}

#[test]
fn export_then_apply_onto_an_empty_database_reproduces_the_state() {
    let p = demo();
    let exported = p.ok(&["export"]);
    assert!(!exported.contains("pinv_"), "no token in an export");
    let copy = Portal::empty();
    let run = apply_stdin(&copy, &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), exported);
    // One account, as its admin sees it.
    let contoso = p.json_as(
        Some("carl@contoso.test"),
        &["export", "--account", "Contoso"],
    );
    assert_eq!(contoso["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(contoso["accounts"][0]["name"], "Contoso");
    p.refused_as(Some("cleo@contoso.test"), &["export"], DENIED);
}

/// A customer's export whose delegation was set by someone it does not
/// list (the partner's admin, whose external access has ended since)
/// leaves that `set_by` out: it applies onto a database holding only the
/// partner, with the delegation, and onto the original as unchanged.
#[test]
fn a_partial_export_whose_delegation_setter_is_outside_applies_onto_an_empty_database() {
    let p = demo();
    p.ok(&[
        "external-admin", "add", "olive@acme.test", "--customer", "Contoso", "--role", "admin",
    ]);
    let lent = p.run_as(
        Some("olive@acme.test"),
        &[
            "order", "delegate", "--account", "Contoso", "--for", "carl@contoso.test", "--to",
            "cleo@contoso.test", "--until", "7d",
        ],
    );
    assert_eq!(lent.code, SUCCESS, "{}", lent.stderr);
    p.ok(&[
        "external-admin", "remove", "olive@acme.test", "--customer", "Contoso", "--yes",
    ]);
    let exported = p.ok(&["export", "--account", "Contoso"]);
    let doc: Value = serde_json::from_str(&exported).unwrap();
    let lent = &doc["accounts"][0]["delegations"];
    assert_eq!(lent.as_array().map(Vec::len), Some(1), "{lent}");
    assert_eq!(lent[0]["for"], "carl@contoso.test");
    assert!(lent[0].get("set_by").is_none(), "{lent}");
    let copy = Portal::empty();
    copy.ok(&[
        "init", "--account", ACCOUNT, "--kind", "partner", "--owner-email", OWNER,
    ]);
    let run = apply_stdin(&copy, &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let listed = copy.json(&["order", "delegate", "--list", "--account", "Contoso"]);
    assert_eq!(listed[0]["delegate"], "cleo@contoso.test", "{listed}");
    let again = apply_stdin(&p, &["--json"], &exported);
    let again: Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
}

/// Delta invited Una; support merged her into Olive; Delta then invited
/// Olive herself, taking over the invitation the merge moved. Delta's
/// seed file from before the merge, which lists Una's invitation with
/// its `invited_at`, applies as unchanged (not refused as a member's
/// file restoring an invitation, exit 5), twice.
#[test]
fn a_seed_file_from_before_a_merge_applies_unchanged_after_the_accounts_own_takeover() {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    p.member("olive@acme.test", "user");
    p.ok(&["account", "create", "Delta", "--kind", "customer"]);
    p.member_in("dan@delta.test", "admin", "Delta");
    let dan = Some("dan@delta.test");
    let invite = |who: &str| {
        let run = p.run_as(
            dan,
            &[
                "user", "invite", "--email", who, "--role", "user", "--account", "Delta",
                "--no-send",
            ],
        );
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    };
    invite("una@acme.test");
    let seed = p.run_as(dan, &["export"]).stdout;
    assert!(seed.contains("\"invited_at\""), "{seed}");
    p.ok(&[
        "user", "merge", "una@acme.test", "--into", "olive@acme.test", "--yes",
    ]);
    invite("olive@acme.test");
    let before = p.dump();
    for _ in 0..2 {
        let run = p.apply_stdin(&["--json"], &[("PORTALCTL_AS", "dan@delta.test")], &seed);
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        let done: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            (done["created"].as_u64(), done["updated"].as_u64()),
            (Some(0), Some(0)),
            "{done}"
        );
        assert_eq!(p.dump(), before, "nothing written");
    }
}

/// An order stays when its creator goes, and the operator's own orders
/// are orders too: both come back through `export | apply`, which keeps
/// the numbers of orders without a reference.
#[test]
fn export_then_apply_restores_a_leavers_orders_and_the_operators() {
    let p = demo();
    p.ok(&[
        "user", "deactivate", "max@acme.test", "--account", ACCOUNT, "--unassign", "--yes",
    ]);
    let chairs = p.json(&[
        "order", "place", "--description", "Chairs", "--amount", "30.00", "--account", "Contoso",
    ]);
    assert_eq!(chairs["created_by"], "operator:tester");
    let exported = p.ok(&["export"]);
    let file: Value = serde_json::from_str(&exported).unwrap();
    let contoso = &file["accounts"][1]["orders"];
    // Contoso's first order: its number counts Contoso's orders alone.
    assert_eq!(contoso[0]["ref"], "#1", "{contoso}");
    assert_eq!(contoso[0]["created_by"], "operator:tester", "{contoso}");
    assert_eq!(file["accounts"][0]["orders"][0]["type"], "hardware");
    // Onto an empty database, by another operator.
    let copy = Portal::empty();
    let run = copy.apply_stdin(&[], &[("USER", "ci")], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), exported);
    let chairs = copy.json(&["order", "show", "1", "--account", "Contoso"]);
    assert_eq!(
        (&chairs["created_by"], &chairs["description"]),
        (&Value::from("operator:tester"), &Value::from("Chairs"))
    );
    for portal in [&p, &copy] {
        let again = apply_stdin(portal, &["--json"], &exported);
        let counts: Value = serde_json::from_str(&again.stdout).unwrap();
        assert_eq!(
            (counts["created"].as_u64(), counts["updated"].as_u64()),
            (Some(0), Some(0)),
            "{}",
            again.stderr
        );
    }
    // A member places no order in another's name, nor in the operator's.
    let more = exported.replacen(
        r#""orders": ["#,
        r#""orders": [{"ref": "PO-2000", "created_by": "max@acme.test", "description": "Desk", "amount": "40.00"},"#,
        1,
    );
    // Acme alone: orders go once every account's users are there, and
    // Fiona may apply no other account.
    let mut more: Value = serde_json::from_str(&more).unwrap();
    more["accounts"] = Value::Array(vec![more["accounts"][0].clone()]);
    let more = more.to_string();
    let run = apply_stdin(&copy, &["--as", "fiona@acme.test"], &more);
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    says(&run.stderr, "error: accounts[0].orders[0].created_by: `fiona@acme.test` may place orders only as themselves");
    let run = apply_stdin(&copy, &["--as", "max@acme.test"], &more);
    assert_eq!(run.code, DENIED, "a deactivated member places nothing");
    // Carl, Contoso's admin, lists Contoso alone, with the operator's
    // order as one he has not matched.
    let before = copy.dump();
    let mut his: Value =
        serde_json::from_str(&exported.replace(r##""ref": "#1""##, r##""ref": "#2""##)).unwrap();
    his["accounts"] = Value::Array(vec![his["accounts"][1].clone()]);
    let run = apply_stdin(&copy, &["--as", "carl@contoso.test"], &his.to_string());
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    says(&run.stderr, "accounts[0].orders[0].created_by: ");
    assert_eq!(before, copy.dump());
}

/// `#N` is order N of the file's account: found there, placed as its
/// order N where it has none, whatever other accounts' order N (each
/// account numbers its own, findings D4).
#[test]
fn a_numbered_order_is_that_order_or_is_refused_at_its_ref() {
    let p = demo();
    let demo_text = std::fs::read_to_string(DEMO).unwrap();
    let with = |account_orders: &str, order: &str| {
        demo_text.replacen(
            account_orders,
            &format!("{account_orders}\n        {order},"),
            1,
        )
    };
    let desk = r##"{"ref": "#999", "created_by": "max@acme.test", "description": "Desk", "amount": "40.00"}"##;
    let text = with(r#""orders": ["#, desk);
    for created in [1, 0] {
        let run = apply_stdin(&p, &["--json"], &text);
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        let counts: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(counts["created"].as_u64(), Some(created), "{counts}");
    }
    assert_eq!(p.json(&["order", "show", "999"])["description"], "Desk");
    // Contoso's `#1` is Contoso's order 1, though Acme has an order 1.
    let contoso = demo_text.replacen(
        r#""owner": "carl@contoso.test","#,
        r##""owner": "carl@contoso.test", "orders": [{"ref": "#1", "created_by": "carl@contoso.test", "description": "Desk", "amount": "40.00"}],"##,
        1,
    );
    for created in [1, 0] {
        let run = apply_stdin(&p, &["--json"], &contoso);
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        let counts: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(counts["created"].as_u64(), Some(created), "{counts}");
    }
    let desk = p.json(&["order", "show", "#1", "--account", "Contoso"]);
    assert_eq!(
        (&desk["created_by"], &desk["description"]),
        (&json!("carl@contoso.test"), &json!("Desk"))
    );
    let router = p.json(&["order", "show", "1", "--account", ACCOUNT]);
    assert_eq!(router["ref"], "PO-1001");
}

/// Files written before orders' type was `type` still apply.
#[test]
fn an_orders_type_written_order_type_still_applies() {
    let p = demo();
    let old = std::fs::read_to_string(DEMO)
        .unwrap()
        .replace(r#""type": "hardware""#, r#""order_type": "hardware""#);
    assert!(old.contains(r#""amount": "60.00", "order_type""#));
    let run = apply_stdin(&p, &["--json"], &old);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let counts: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (counts["created"].as_u64(), counts["updated"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn prune_deactivates_who_the_file_no_longer_lists() {
    let p = demo();
    let text = std::fs::read_to_string(DEMO).unwrap().replace(
        r#"{"email": "una@acme.test", "name": "Una User", "role": "user"},"#,
        "",
    );
    // Without --prune, Una stays as she is.
    let run = apply_stdin(&p, &[], &text);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(
        p.json(&["user", "show", "una@acme.test"])["status"],
        "active"
    );
    // The file still gives her the broadband: it cannot also have her
    // deactivated.
    let before = p.dump();
    let run = apply_stdin(&p, &["--prune", "--yes"], &text);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    says(
        error_line(&run.stderr),
        "error: accounts[0].services[0].assigned_to: `una@acme.test` is not among the users, so --prune deactivates them",
    );
    assert_eq!(before, p.dump());
    let text = text.replace(
        r#""kind": "broadband", "assigned_to": "una@acme.test""#,
        r#""kind": "broadband""#,
    );
    let run = apply_stdin(&p, &["--prune"], &text);
    assert_eq!(run.code, USAGE, "--prune removes access: it needs --yes");
    says(&run.stderr, "--yes");
    let run = apply_stdin(&p, &["--prune", "--yes"], &text);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "removed    1");
    assert_eq!(
        p.json(&["user", "show", "una@acme.test"])["status"],
        "deactivated"
    );
    // Her service went back to the pool; history keeps who had it.
    let service = p.json(&["service", "show", "Broadband London", "--account", ACCOUNT]);
    assert_eq!(service["assigned_to"], Value::Null);
}

/// `export | apply` carries the settings set (the sender, the support
/// address, the retries): the copy sends mail as the original does, each
/// setting audited as `settings set` is, and a second apply changes
/// nothing. An export of a new database lists none.
#[test]
fn export_and_apply_carry_the_settings_so_that_a_copy_sends_mail() {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    let plain: Value = serde_json::from_str(&p.ok(&["export"])).unwrap();
    assert!(plain.get("settings").is_none(), "{plain}");
    p.ok(&[
        "settings", "set", "mail-from", "Acme Portal <portal@acme.test>",
    ]);
    p.ok(&["settings", "set", "mail-retry-after", "90s"]);
    p.ok(&["settings", "set", "mail-max-attempts", "5"]);
    let exported = p.ok(&["export"]);
    let doc: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(
        doc["settings"],
        json!({"mail-from": "Acme Portal <portal@acme.test>", "mail-retry-after": "90s"})
    );
    // The plan says what the copy's settings become.
    let copy = Portal::empty();
    let dry = apply_stdin(&copy, &["--dry-run", "--json"], &exported);
    assert_eq!(dry.code, SUCCESS, "{}", dry.stderr);
    let dry: Value = serde_json::from_str(&dry.stdout).unwrap();
    let lines: Vec<&Value> = dry["plan"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "setting")
        .collect();
    assert_eq!(lines.len(), 2, "{dry}");
    assert_eq!(lines[0]["object"], "setting mail-from");
    assert_eq!(lines[0]["key"], "mail-from");
    assert_eq!(lines[0]["account"], Value::Null);
    assert_eq!(lines[0]["action"], "create");
    let copy = restored(&p, &exported);
    let set = copy.json(&["audit", "list", "--action", "settings.set"]);
    let targets: Vec<&str> = set
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["mail-from", "mail-retry-after"]);
    // The copy mails a new invitation, as the original would.
    copy.ok(&[
        "user", "invite", "new@acme.test", "--role", "user", "--account", ACCOUNT,
    ]);
    let dir = scratch_dir();
    let sent = copy.json(&["outbox", "send", "--to-dir", dir.path().to_str().unwrap()]);
    assert_eq!(sent["sent"], 1, "{sent}");
    let mail = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<String>();
    says(&mail, "From: \"Acme Portal\" <portal@acme.test>");
    says(&mail, "new@acme.test");
    // A setting the file changes is updated.
    let changed = exported.replace("\"90s\"", "\"2m\"");
    let run = apply_stdin(&copy, &["--json"], &changed);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let run: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (run["created"].as_u64(), run["updated"].as_u64()),
        (Some(0), Some(1))
    );
    let shown = copy.json(&["settings", "show", "mail-retry-after"]);
    assert_eq!(shown[0]["value"], "2m");
}

/// A file unsets a setting by giving it as `null` (as a JSON merge patch
/// does): the plan says so, the apply unsets it as `settings unset`
/// does, audited as such, the export leaves it out, and the export of
/// the result applies onto an empty database as it is.
#[test]
fn a_setting_given_as_null_is_unset_and_the_export_leaves_it_out() {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    p.ok(&[
        "settings", "set", "mail-from", "Acme Portal <portal@acme.test>",
    ]);
    p.ok(&["settings", "set", "support-email", "help@acme.test"]);
    let mut doc: Value = serde_json::from_str(&p.ok(&["export"])).unwrap();
    doc["settings"]["support-email"] = Value::Null;
    let file = doc.to_string();
    let dry = apply_stdin(&p, &["--dry-run"], &file);
    assert_eq!(dry.code, SUCCESS, "{}", dry.stderr);
    let line = dry
        .stdout
        .lines()
        .find(|l| l.contains("setting support-email"))
        .unwrap_or_default();
    assert!(
        line.starts_with("update") && line.trim_end().ends_with("unset"),
        "{}",
        dry.stdout
    );
    let done = apply_stdin(&p, &["--json"], &file);
    assert_eq!(done.code, SUCCESS, "{}", done.stderr);
    let done: Value = serde_json::from_str(&done.stdout).unwrap();
    assert_eq!(
        (done["created"].as_u64(), done["updated"].as_u64()),
        (Some(0), Some(1)),
        "{done}"
    );
    let unset = p.json(&["audit", "list", "--action", "settings.unset"]);
    assert_eq!(unset[0]["target"], "support-email", "{unset}");
    let shown = p.json(&["settings", "show", "support-email"]);
    assert_eq!(shown[0]["value"], Value::Null);
    let exported = p.ok(&["export"]);
    let now: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(
        now["settings"],
        json!({"mail-from": "Acme Portal <portal@acme.test>"})
    );
    // The same file again, and onto a database that never had it.
    let again = apply_stdin(&p, &["--json"], &file);
    let again: Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(again["updated"], 0, "{again}");
    restored(&p, &exported);
    let fresh = Portal::empty();
    assert_eq!(apply_stdin(&fresh, &[], &file).code, SUCCESS);
    assert_eq!(
        fresh.json(&["settings", "show", "support-email"])[0]["value"],
        Value::Null
    );
}

/// Findings A9: `null` for a profile field clears it, as it unsets a
/// setting (it was planned "unchanged" and ignored); for a field no file
/// clears (a user's name) it is refused at its path, exit 2, nothing
/// written; and the schema takes `null` where it clears, not elsewhere.
#[test]
fn null_clears_a_profile_field_and_is_refused_where_nothing_clears() {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    let mut doc: Value = serde_json::from_str(&p.ok(&["export"])).unwrap();
    doc["accounts"][0]["profile"]["phone"] = Value::Null;
    let file = doc.to_string();
    let dry = apply_stdin(&p, &["--dry-run"], &file);
    assert_eq!(dry.code, SUCCESS, "{}", dry.stderr);
    assert!(
        dry.stdout
            .lines()
            .any(|l| l.starts_with("update") && l.trim_end().ends_with("phone")),
        "{}",
        dry.stdout
    );
    assert_eq!(apply_stdin(&p, &[], &file).code, SUCCESS);
    let shown = p.json(&["account", "show", "--account", ACCOUNT]);
    assert_eq!(shown["phone"], Value::Null, "{shown}");
    assert_eq!(shown["website"], "https://acme.test", "{shown}");

    let mut doc: Value = serde_json::from_str(&p.ok(&["export"])).unwrap();
    doc["accounts"][0]["users"][0]["name"] = Value::Null;
    let before = p.dump();
    let refused = apply_stdin(&p, &[], &doc.to_string());
    assert_eq!(refused.code, USAGE, "{}", refused.stderr);
    says(
        &refused.stderr,
        "error: -: accounts[0].users[0].name: `null` cannot clear this field",
    );
    assert_eq!(p.dump(), before);

    let schema: Value = serde_json::from_str(&p.ok(&["schema"])).unwrap();
    let defs = &schema["$defs"];
    assert_eq!(
        defs["FixtureProfile"]["properties"]["phone"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(
        defs["FixtureUser"]["properties"]["name"]["type"],
        json!("string")
    );
}

/// The settings are the operator's: a member's file listing them is
/// refused at `settings` (exit 5) and changes nothing, and a member's
/// export never writes them. A bad key or value is refused at
/// `settings.KEY` in the words of `settings set` (exit 2).
#[test]
fn settings_in_a_file_are_the_operators_alone_and_checked_as_settings_set_checks_them() {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    p.ok(&["settings", "set", "support-email", "help@acme.test"]);
    let olive = [("PORTALCTL_AS", "olive@acme.test")];
    let mine = p.command(&["export"], &olive).output().unwrap();
    assert_eq!(mine.status.code(), Some(SUCCESS));
    let mut doc: Value = serde_json::from_slice(&mine.stdout).unwrap();
    assert!(doc.get("settings").is_none(), "{doc}");
    doc["settings"] = json!({"support-email": "help@acme.test"});
    let before = p.dump();
    let run = p.apply_stdin(&[], &olive, &doc.to_string());
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    assert_eq!(
        error_line(&run.stderr),
        "error: settings: `olive@acme.test` may not change the settings: only the operator who owns the database can"
    );
    says(&run.stderr, "help: leave `settings` out of a member's file");
    assert_eq!(p.dump(), before, "nothing changed");
    for (settings, line) in [
        (
            json!({"colour": "blue"}),
            "error: settings.colour: unknown setting `colour`",
        ),
        (
            json!({"mail-max-attempts": "0"}),
            "error: settings.mail-max-attempts: `0` is not a number of attempts from 1 to 100",
        ),
    ] {
        doc["settings"] = settings;
        let run = apply_stdin(&p, &[], &doc.to_string());
        assert_eq!(run.code, USAGE, "{}", run.stderr);
        assert_eq!(error_line(&run.stderr), line);
        assert_eq!(p.dump(), before, "nothing changed");
    }
    let by_hand = p.refused(&["settings", "set", "colour", "blue"], USAGE);
    says(&by_hand, "error: unknown setting `colour`");
}

#[test]
fn prune_by_the_databases_own_export_removes_nothing() {
    let p = demo();
    // Fiona gone, her delegation to Olive lends nothing: `export` leaves
    // it out, and it lends again should she come back.
    p.ok(&[
        "user", "deactivate", "fiona@acme.test", "--account", ACCOUNT, "--yes",
    ]);
    let own = p.ok(&["export"]);
    let before = p.dump();
    let run = p.apply_stdin(&["--prune", "--yes"], &[], &own);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "removed    0");
    assert_eq!(before, p.dump());
    p.ok(&["user", "activate", "fiona@acme.test", "--account", ACCOUNT]);
    let listed = p.json(&["order", "delegate", "--list", "--account", ACCOUNT]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
}

/// A member's own export applied with `--prune` keys the invitation of an
/// address merged into someone else by that address, as the export lists
/// it: unchanged while listed, revoked once left out, and the person it
/// binds to is never named (the tester's N16), whether the merge came
/// before the invitation (Fi into Fay) or after it (Una into Max).
#[test]
fn prune_by_a_members_own_export_keys_an_invitation_of_a_merged_address_by_it() {
    let p = demo();
    let invited = p.json(&[
        "user", "invite", "fi@fabrikam.test", "--account", "Fabrikam", "--role", "user",
        "--no-send",
    ]);
    p.ok(&[
        "user",
        "accept",
        invited["token"].as_str().unwrap(),
        "--name",
        "Fi",
    ]);
    p.ok(&[
        "--yes", "user", "merge", "fi@fabrikam.test", "--into", "fay@fabrikam.test",
    ]);
    let carl = Some("carl@contoso.test");
    let invite = ["user", "invite", "--role", "user", "--no-send"];
    for who in ["fi@fabrikam.test", "una@acme.test"] {
        let mut args = invite.to_vec();
        args.insert(2, who);
        p.json_as(carl, &args);
    }
    p.ok(&[
        "--yes", "user", "merge", "una@acme.test", "--into", "max@acme.test",
    ]);
    let acting = [("PORTALCTL_AS", "carl@contoso.test")];
    let own = p.run_as(carl, &["export"]).stdout;
    let before = p.dump();
    let run = p.apply_stdin(&["--prune", "--yes", "--no-send"], &acting, &own);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "removed    0");
    assert_eq!(before, p.dump());
    let mut fewer: Value = serde_json::from_str(&own).unwrap();
    fewer["accounts"][0]["users"]
        .as_array_mut()
        .unwrap()
        .retain(|u| u["email"] != "fi@fabrikam.test");
    let run = p.apply_stdin(
        &["--prune", "--yes", "--no-send"],
        &acting,
        &fewer.to_string(),
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "removed    1");
    assert!(
        !run.stdout.contains("fay@") && !run.stdout.contains("max@"),
        "{}",
        run.stdout
    );
    let listed = p.run_as(carl, &["user", "list"]).stdout;
    says(
        &listed,
        "fi@fabrikam.test   -             Contoso  user           revoked",
    );
    says(&listed, "una@acme.test");
    assert_eq!(
        p.text(
            "SELECT group_concat(target) FROM audit_events WHERE action = 'user.deactivate' AND account = 'Contoso'"
        ),
        "fi@fabrikam.test"
    );
}

/// Una, whom Contoso invited, merged into Max: support's flagging Una a
/// duplicate of Max is refused as the merge done already (exit 4), as it
/// is without the invitation, never written as Max flagged a duplicate of
/// himself, and the database still copies (the tester's N2).
#[test]
fn flagging_a_merged_address_invited_elsewhere_a_duplicate_of_its_kept_person_is_refused() {
    let p = demo();
    p.json_as(
        Some("carl@contoso.test"),
        &[
            "user", "invite", "una@acme.test", "--role", "user", "--no-send",
        ],
    );
    p.ok(&[
        "--yes", "user", "merge", "una@acme.test", "--into", "max@acme.test",
    ]);
    let flag = [
        "user", "flag-duplicate", "una@acme.test", "--of", "max@acme.test",
    ];
    let err = p.refused(&flag, CONFLICT);
    assert_eq!(
        error_line(&err),
        "error: `una@acme.test` was merged into `max@acme.test`"
    );
    assert!(!p.ok(&["user", "list"]).contains("duplicate of"));
    let exported = p.ok(&["export"]);
    restored(&p, &exported);
}

#[test]
fn schema_prints_the_json_schema_of_the_fixture_format() {
    let p = Portal::empty();
    let schema: Value = serde_json::from_str(&p.ok(&["schema"])).unwrap();
    assert_eq!(schema["title"], "Fixture");
    let user = &schema["$defs"]["FixtureUser"];
    assert_eq!(user["additionalProperties"], false, "{user}");
    assert!(user["properties"]["email"].is_object(), "{user}");
    assert!(!p.db.exists(), "schema needs no database");
}

/// The fixtures in `examples/`, by path.
fn example_fixtures() -> Vec<std::path::PathBuf> {
    json_files(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples"
    )))
}

/// What `portalctl schema` prints, compiled into a validator.
fn printed_schema(p: &Portal) -> (boon::Schemas, boon::SchemaIndex) {
    let schema: Value = serde_json::from_str(&p.ok(&["schema"])).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    // A name for the printed document; nothing is read from it.
    let url = "file:///portalctl/fixture.schema.json";
    compiler.add_resource(url, schema).unwrap();
    let index = compiler.compile(url, &mut schemas).unwrap();
    (schemas, index)
}

/// Editors and CI check fixtures against the printed schema before
/// `apply` sees them: every example passes it, and it is strict enough to
/// refuse an unknown field or a value of the wrong type.
#[test]
fn every_example_fixture_validates_against_the_printed_schema() {
    let p = Portal::empty();
    let (schemas, schema) = printed_schema(&p);
    let files = example_fixtures();
    assert!(files.len() >= 6, "{files:?}");
    for path in &files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        if let Err(e) = schemas.validate(&doc, schema) {
            panic!("{}: {e:#}", path.display());
        }
    }
    let demo: Value = serde_json::from_str(&std::fs::read_to_string(DEMO).unwrap()).unwrap();
    let refused = |change: fn(&mut Value), what: &str| {
        let mut doc = demo.clone();
        change(&mut doc);
        assert!(schemas.validate(&doc, schema).is_err(), "{what} passed");
    };
    refused(
        |d| d["colour"] = "blue".into(),
        "an unknown top-level field",
    );
    refused(
        |d| d["accounts"][0]["users"][0]["rol"] = "admin".into(),
        "an unknown user field",
    );
    refused(
        |d| d["accounts"][0]["users"][0]["email"] = 42.into(),
        "a number for an email",
    );
    refused(
        |d| d["accounts"][0]["users"] = "everyone".into(),
        "a string for the users",
    );
    refused(
        |d| d["settings"] = json!({"colour": "blue"}),
        "an unknown setting",
    );
    refused(
        |d| d["settings"] = json!({"mail-max-attempts": 9}),
        "a number for a setting",
    );
    let mut configured = demo.clone();
    configured["settings"] = json!({"mail-from": "portal@acme.test", "mail-retry-after": "90s"});
    assert!(schemas.validate(&configured, schema).is_ok());
}

/// `export` writes each service's number (`id`, the ID `service list`
/// shows and commands take), so that a copy keeps it even when its
/// services were added in another order; an `id` another service has,
/// an existing service given another, or a member's file giving one to
/// a new service, is refused (exit 4) and nothing is written.
#[test]
fn a_services_number_survives_export_and_apply_and_is_never_taken_or_changed() {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    // Added last, so numbered after every other; exported first by name.
    p.ok(&[
        "service", "add", "--name", "Aardvark line", "--account", ACCOUNT,
    ]);
    let listed = p.json(&["service", "list", "--account", ACCOUNT]);
    let numbered = |list: &Value, name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .map(|s| s["id"].clone())
            .unwrap()
    };
    let aardvark = numbered(&listed, "Aardvark line");
    let exported = p.ok(&["export"]);
    let doc: Value = serde_json::from_str(&exported).unwrap();
    let first = &doc["accounts"][0]["services"][0];
    assert_eq!(
        (&first["name"], &first["id"]),
        (&json!("Aardvark line"), &aardvark)
    );
    let copy = restored(&p, &exported);
    let again = copy.json(&["service", "list", "--account", ACCOUNT]);
    assert_eq!(again, listed);
    copy.ok(&["service", "show", &aardvark.to_string()]);
    let before = copy.dump();
    let broadband = numbered(&listed, "Broadband London");
    // Another service's number for a new service, and another number
    // for an existing service.
    let mut taken = doc.clone();
    taken["accounts"][0]["services"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": broadband, "name": "Zebra line"}));
    let mut renumbered = doc.clone();
    renumbered["accounts"][0]["services"][0]["id"] = json!(999);
    for (changed, line) in [
        (
            taken,
            format!(
                "error: accounts[0].services[4].id: service {broadband} is another service, so `Zebra line` cannot be added under it"
            ),
        ),
        (
            renumbered,
            format!(
                "error: accounts[0].services[0].id: `Aardvark line` is service {aardvark}, not 999, and no command renumbers a service"
            ),
        ),
    ] {
        let run = apply_stdin(&copy, &[], &changed.to_string());
        assert_eq!(run.code, CONFLICT, "{}", run.stderr);
        assert_eq!(error_line(&run.stderr), line);
        assert_eq!(copy.dump(), before, "nothing written");
    }
    // A member adds a service under the next number, as by hand.
    let olive = [("PORTALCTL_AS", "olive@acme.test")];
    let mut mine: Value =
        serde_json::from_slice(&copy.command(&["export"], &olive).output().unwrap().stdout)
            .unwrap();
    mine["accounts"][0]["services"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": 500, "name": "Zebra line"}));
    let run = copy.apply_stdin(&[], &olive, &mine.to_string());
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    says(&run.stderr, "only under the next number");
    assert_eq!(copy.dump(), before, "nothing written");
}

/// Findings A13: a file gives a service a number from 1 to 2^53 - 1, the
/// largest every JSON reader keeps exactly; one past it (up to SQLite's
/// largest, after which `service add` took random numbers) or past what
/// a whole number holds is refused at the entry's `id` (exit 2), in plain
/// words, and nothing is written. The largest is taken, and `service
/// add` then takes the next number.
#[test]
fn a_file_gives_a_service_a_number_no_larger_than_json_keeps_exactly() {
    let p = demo();
    let before = p.dump();
    let file = |id: &str| {
        format!(
            r#"{{"accounts":[{{"name":"Acme Ltd","services":[{{"id":{id},"name":"Max","kind":"x"}}]}}]}}"#
        )
    };
    for (id, said) in [
        (
            "9007199254740992",
            "error: accounts[0].services[0].id: `9007199254740992` is not a service number",
        ),
        (
            "9223372036854775807",
            "error: accounts[0].services[0].id: `9223372036854775807` is not a service number",
        ),
        (
            "9223372036854775808",
            "accounts[0].services[0].id: 9223372036854775808 is too large a number",
        ),
    ] {
        let run = apply_stdin(&p, &[], &file(id));
        assert_eq!(run.code, USAGE, "{}", run.stderr);
        says(error_line(&run.stderr), said);
        assert!(!run.stderr.contains("i64"), "{}", run.stderr);
        assert_eq!(p.dump(), before, "nothing written");
    }
    let run = apply_stdin(&p, &[], &file("9007199254740992"));
    says(
        &run.stderr,
        "service numbers run from 1 to 9007199254740991",
    );
    let run = apply_stdin(&p, &[], &file("9007199254740991"));
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let added = p.json(&[
        "service", "add", "--account", ACCOUNT, "--name", "After max", "--kind", "x",
    ]);
    assert_eq!(added["id"], json!(9_007_199_254_740_992_i64));
}

/// Findings A12: two look-alike cost centres, or services, in one file
/// onto an empty database: the second is refused naming the first as the
/// entry of the file it is (exit 4), as accounts are, and nothing is made.
#[test]
fn a_look_alike_listed_earlier_in_the_file_is_named_at_its_entry() {
    let account = r#""name":"Acme","kind":"partner","currency":"GBP","owner":"o@pp.test","users":[{"email":"o@pp.test","role":"admin","name":"O"}]"#;
    for (list, said) in [
        (
            r#""cost_centres":[{"code":"A","name":"SaIes"},{"code":"B","name":"Sales"}]"#,
            "error: accounts[0].cost_centres[1]: cost centre `Sales` looks like the existing cost centre `SaIes` (listed at `accounts[0].cost_centres[0]` of this file)",
        ),
        (
            r#""services":[{"name":"Line I","kind":"x"},{"name":"Line l","kind":"x"}]"#,
            "looks like the existing service `Line I` (listed at `accounts[0].services[0]` of this file)",
        ),
    ] {
        let p = Portal::empty();
        let file = format!(r#"{{"preset":"portal","accounts":[{{{account},{list}}}]}}"#);
        let run = apply_stdin(&p, &["--dry-run"], &file);
        assert_eq!(run.code, CONFLICT, "{}", run.stderr);
        says(error_line(&run.stderr), said);
        assert!(!p.db.exists());
    }
}

/// Findings D5: an unknown setting key of 100,000 characters is refused
/// in one short line (exit 2), its path cut as every long value is, not
/// echoed whole.
#[test]
fn a_long_unknown_setting_key_is_refused_in_one_short_line() {
    let p = demo();
    let key = "a".repeat(100_000);
    let run = apply_stdin(
        &p,
        &["--dry-run"],
        &json!({"settings": {&key: "1"}}).to_string(),
    );
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    let line = error_line(&run.stderr);
    assert!(line.len() < 400, "{} bytes: {}", line.len(), &line[..200]);
    says(line, "error: settings.aaaa");
    says(line, "(100009 characters): unknown setting `aaaa");
}

/// Every fixture in `examples/` (one per preset): it makes a database on
/// its own, a second apply changes nothing, and `export | apply` onto an
/// empty database reproduces it.
#[test]
fn every_example_fixture_applies_again_as_a_no_op_and_round_trips() {
    let mut seen = Vec::new();
    for path in example_fixtures() {
        let file = path.to_str().unwrap();
        let p = Portal::empty();
        let first = p.json(&["apply", file]);
        assert!(first["created"].as_u64() > Some(0), "{file}: {first}");
        let again = p.json(&["apply", file]);
        assert_eq!(
            (again["created"].as_u64(), again["updated"].as_u64()),
            (Some(0), Some(0)),
            "{file}: {again}"
        );
        let exported = p.ok(&["export"]);
        let copy = Portal::empty();
        let run = apply_stdin(&copy, &[], &exported);
        assert_eq!(run.code, SUCCESS, "{file}: {}", run.stderr);
        assert_eq!(copy.ok(&["export"]), exported, "{file}");
        // The numbers a user sees and names services by are kept.
        let services = |db: &Portal| db.ok(&["service", "list", "--json"]);
        assert_eq!(services(&copy), services(&p), "{file}");
        let preset: Value = serde_json::from_str(&exported).unwrap();
        seen.push(preset["preset"].as_str().unwrap().to_string());
    }
    seen.sort();
    // Every preset has one; `portal` also the CI example's.
    seen.dedup();
    assert_eq!(seen, ["customer-area", "lmp", "moodle", "msp", "portal"]);
    // And the demo once support merged two people whom another account
    // had only invited: what each account reads comes back alike.
    let p = merged_after_two_invitations();
    let exported = p.ok(&["export"]);
    let copy = restored(&p, &exported);
    let oa = Some("oa@other.test");
    for args in [
        &["user", "list"][..],
        &["user", "show", "una@acme.test"],
        &["user", "show", "olive@acme.test"],
    ] {
        assert_eq!(
            copy.run_as(oa, args).stdout,
            p.run_as(oa, args).stdout,
            "{args:?}"
        );
    }
}

/// The demo with `Other`, whose admin Oa invited Una and Olive of Acme
/// (neither accepts); support then merged Una into Olive, which ended
/// Other's invitation of Una, never taken up (the tester's A4/A5).
fn merged_after_two_invitations() -> Portal {
    let p = demo();
    p.ok(&["account", "create", "Other", "--kind", "customer"]);
    let invited = p.json(&[
        "user", "invite", "oa@other.test", "--account", "Other", "--role", "admin", "--name", "OA",
        "--no-send",
    ]);
    p.ok(&["user", "accept", invited["token"].as_str().unwrap()]);
    for (who, label) in [
        ("una@acme.test", "Una label"),
        ("olive@acme.test", "Olive label"),
    ] {
        p.json_as(
            Some("oa@other.test"),
            &[
                "user", "invite", who, "--role", "user", "--name", label, "--no-send",
            ],
        );
    }
    p.ok(&[
        "user", "flag-duplicate", "una@acme.test", "--of", "olive@acme.test", "--account", ACCOUNT,
    ]);
    p.ok(&[
        "--yes", "user", "merge", "una@acme.test", "--into", "olive@acme.test",
    ]);
    // Other knew two invitations, not one person: the merge is not its
    // to read, and the invitation it ended is gone from its list.
    let listed = p.run_as(Some("oa@other.test"), &["user", "list"]).stdout;
    says(&listed, "Olive label");
    assert!(!listed.contains("Una label"), "{listed}");
    p
}

const LMP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-lmp.json");

/// The lmp example: a partner's addresses, licences and prices.
fn lmp() -> Portal {
    Portal::cached("apply examples/demo-lmp.json", || {
        let p = Portal::empty();
        p.ok(&["apply", LMP]);
        p
    })
}

#[test]
fn a_fixture_buys_and_allocates_licences_and_adds_addresses_as_the_commands_do() {
    let p = lmp();
    let partner = "Northwind Partners";
    let licences = p.json(&["license", "list", "--account", partner]);
    let mdr = &licences[1];
    assert_eq!(
        (&mdr["product"], &mdr["seats"], &mdr["allocated"]),
        (
            &Value::from("MDR Complete"),
            &Value::from(20),
            &Value::from(8)
        ),
        "{licences}"
    );
    assert_eq!(mdr["allocations"][0]["ship_to"]["label"], "Warehouse");
    let addresses = p.json(&["account", "address", "list", "--account", partner]);
    assert_eq!(
        strings(
            &addresses
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["label"].clone())
                .collect()
        ),
        ["HQ", "Warehouse"]
    );
    let prices = p.json(&["license", "price", "list", "--account", partner]);
    assert_eq!(prices[1]["price"], "12.00", "{prices}");
    // Each change is audited as its command's.
    let log = p.ok(&["audit", "list", "--limit", "100"]);
    for action in [
        "license.purchase", "license.allocate", "account.address_add", "license.price_set",
    ] {
        says(&log, action);
    }
}

#[test]
fn a_licence_or_address_refusal_names_its_field_and_changes_nothing() {
    let p = lmp();
    let before = p.dump();
    let text = std::fs::read_to_string(LMP).unwrap();
    let fewer = text.replace(r#""seats": 20"#, r#""seats": 12"#);
    let run = apply_stdin(&p, &[], &fewer);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    assert_eq!(
        error_line(&run.stderr),
        "error: accounts[0].licenses[0].seats: `Northwind Partners` bought 20 seats of `MDR Complete`, and seats bought are not handed back"
    );
    let abroad = text.replace(
        r#""postcode": "M17 1AA", "country": "GB""#,
        r#""postcode": "M17 1AA", "country": "XX""#,
    );
    let run = apply_stdin(&p, &[], &abroad);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    says(
        &run.stderr,
        "error: accounts[0].addresses[1].country: unknown country `XX`",
    );
    assert_eq!(before, p.dump());
}

#[test]
fn a_member_field_refusal_names_the_field_through_the_binary() {
    let p = demo();
    let before = p.dump();
    let text = std::fs::read_to_string(DEMO).unwrap();
    let bound = text.replace(
        r#""role": "manager""#,
        r#""role": "manager", "role_until": "2027-01-01T00:00:00Z""#,
    );
    let run = apply_stdin(&p, &[], &bound);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    says(
        &run.stderr,
        "error: accounts[0].users[2].role_until: role_until needs role_after",
    );
    let malformed = text.replace(
        r#""role": "manager""#,
        r#""role": "user", "role_until": "tomorrow", "role_after": "manager""#,
    );
    let run = apply_stdin(&p, &[], &malformed);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    says(&run.stderr, "error: accounts[0].users[2].role_until: ");
    assert_eq!(before, p.dump());
}

const MSP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-msp.json");
const MOODLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-moodle.json");

/// What the external-admin, IP, smarthost, delegation and course commands
/// made: each is in the export, and `export | apply` onto an empty
/// database makes it again, audited as its command.
#[test]
fn export_then_apply_carries_external_admins_config_delegations_and_progress() {
    let msp = Portal::empty();
    msp.ok(&["apply", MSP]);
    msp.ok(&[
        "external-admin", "add", "--customer", "Client Co", "--email", "una@harbour.test",
        "--role", "msp-user", "--until", "2026-12-31T00:00:00Z",
    ]);
    msp.ok(&[
        "account", "ip", "add", "--account", "Harbour MSP", "--inbound", "192.0.2.7",
    ]);
    let moodle = Portal::empty();
    moodle.ok(&["apply", MOODLE]);
    moodle.ok(&[
        "course", "progress", "mia@partner.test", "Moodle Products", "--percent", "60",
    ]);
    let demo = Portal::empty();
    demo.ok(&["apply", DEMO]);
    let run = demo.run_as(
        Some("olive@acme.test"),
        &[
            "order", "delegate", "--to", "fiona@acme.test", "--from", "2026-11-26T00:00:00Z",
            "--until", "2026-11-28T00:00:00Z",
        ],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    for p in [&msp, &moodle, &demo] {
        let exported = p.ok(&["export"]);
        let copy = Portal::empty();
        let run = apply_stdin(&copy, &[], &exported);
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        assert_eq!(copy.ok(&["export"]), exported);
        let again = apply_stdin(&copy, &["--json"], &exported);
        let counts: Value = serde_json::from_str(&again.stdout).unwrap();
        assert_eq!(
            (&counts["created"], &counts["updated"]),
            (&Value::from(0), &Value::from(0))
        );
    }
    let exported: Value = serde_json::from_str(&msp.ok(&["export"])).unwrap();
    let admins = &exported["accounts"][1]["external_admins"];
    assert_eq!(admins[1]["email"], "una@harbour.test", "{admins}");
    assert_eq!(admins[1]["until"], "2026-12-31T00:00:00Z", "{admins}");
    let config = &exported["accounts"][0]["config"];
    assert_eq!(
        strings(&config["inbound"]),
        ["192.0.2.7", "203.0.113.10"],
        "{config}"
    );
    let exported: Value = serde_json::from_str(&moodle.ok(&["export"])).unwrap();
    let mia = &exported["accounts"][0]["users"][1];
    assert_eq!(mia["email"], "mia@partner.test");
    assert_eq!(mia["courses"][0]["percent"], 60, "{mia}");
    let exported: Value = serde_json::from_str(&demo.ok(&["export"])).unwrap();
    let delegations = exported["accounts"][0]["delegations"].as_array().unwrap();
    assert_eq!(delegations.len(), 2, "{delegations:?}");
    let log = msp.ok(&["audit", "list", "--limit", "100"]);
    for action in [
        "external_admin.add", "account.ip_add", "account.smarthost_set",
    ] {
        says(&log, action);
    }
}

#[test]
fn an_external_admin_refusal_names_its_field_and_a_member_is_checked_like_the_command() {
    let p = Portal::empty();
    p.ok(&["apply", MSP]);
    let before = p.dump();
    let text = std::fs::read_to_string(MSP).unwrap();
    let bad = text.replace(
        r#"{"email": "max@harbour.test", "role": "msp-administrator"}"#,
        r#"{"email": "max@harbour.test", "role": "boss"}"#,
    );
    let run = apply_stdin(&p, &[], &bad);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    assert_eq!(
        error_line(&run.stderr),
        "error: accounts[1].external_admins[0].role: unknown role `boss`"
    );
    let more = text.replace(
        r#"{"email": "max@harbour.test", "role": "msp-administrator"}"#,
        r#"{"email": "max@harbour.test", "role": "msp-administrator"}, {"email": "una@harbour.test", "role": "msp-user"}"#,
    );
    // Una, a user of the partner, does not even see its customer: to her
    // it is an account the file would make, as one that is not there is.
    // (Her file leaves the partner's config out, as her export does: she
    // may not read it.)
    let mut hers: serde_json::Value = serde_json::from_str(&more).unwrap();
    hers["accounts"][0]
        .as_object_mut()
        .unwrap()
        .remove("config");
    let run = p.apply_stdin(
        &[],
        &[("PORTALCTL_AS", "una@harbour.test")],
        &hers.to_string(),
    );
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    says(
        error_line(&run.stderr),
        "error: accounts[1]: `una@harbour.test` may not create customer accounts in `Harbour MSP`",
    );
    assert_eq!(before, p.dump());
}

#[test]
fn prune_ends_external_access_and_removes_ip_addresses_the_file_no_longer_lists() {
    let p = Portal::empty();
    p.ok(&["apply", MSP]);
    let text = std::fs::read_to_string(MSP).unwrap();
    let fewer = text
        .replace(r#""outbound": ["198.51.100.0/24"], "#, "")
        .replace(
            r#"{"email": "max@harbour.test", "role": "msp-administrator"}"#,
            "",
        );
    let run = apply_stdin(&p, &["--prune", "--yes"], &fewer);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "removed    2");
    let ips = p.json(&["account", "ip", "list", "--account", "Harbour MSP"]);
    assert_eq!(ips.as_array().unwrap().len(), 1, "{ips}");
    // Max's access ended; the list keeps him as history.
    let admins = p.json(&["external-admin", "list", "--customer", "Client Co"]);
    assert_eq!(admins[0]["email"], "max@harbour.test", "{admins}");
    assert_eq!(admins[0]["status"], "deactivated", "{admins}");
    let log = p.ok(&["audit", "list", "--limit", "100"]);
    for action in ["external_admin.remove", "account.ip_remove"] {
        says(&log, action);
    }
}

#[test]
fn an_owner_the_file_does_not_list_is_added_as_a_user_and_owns_the_account() {
    let p = Portal::empty();
    let doc = serde_json::json!({
        "preset": "portal",
        "accounts": [
            {"name": "Acme Ltd", "kind": "partner", "owner": "olive@acme.test",
             "users": [{"email": "olive@acme.test", "name": "Olive", "role": "admin"}]},
            {"name": "Cust", "parent": "Acme Ltd", "owner": "zed@cust.test",
             "users": [{"email": "amy@cust.test", "name": "Amy", "role": "admin"}]}
        ]
    })
    .to_string();
    let plan = apply_stdin(&p, &["--dry-run"], &doc);
    assert_eq!(plan.code, SUCCESS, "{}", plan.stderr);
    let line = plan
        .stdout
        .lines()
        .find(|l| l.contains("user zed@cust.test in Cust"))
        .unwrap_or_default();
    assert!(line.starts_with("create "), "{}", plan.stdout);
    let run = apply_stdin(&p, &[], &doc);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let zed = p.json(&["user", "show", "zed@cust.test", "--account", "Cust"]);
    assert_eq!(
        (
            zed["role"].as_str(),
            zed["owner"].as_bool(),
            zed["status"].as_str()
        ),
        (Some("admin"), Some(true), Some("active"))
    );
    let again = apply_stdin(&p, &[], &doc);
    says(&again.stdout, "created    0");
    says(&again.stdout, "updated    0");
}

#[test]
fn a_second_account_whose_owner_holds_the_owners_alone_role_round_trips() {
    // Customer area (004): the `owner` role is the owner's alone, so a
    // new account's owner listed with it joins and takes the account as
    // one change: one event, and `export | apply` reproduces it.
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let text = std::fs::read_to_string(examples.join("demo-customer-area.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["accounts"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "name": "Kunde AS", "kind": "customer", "owner": "kari@kunde.test",
            "users": [
                {"email": "kari@kunde.test", "name": "Kari", "role": "owner"},
                {"email": "ola@kunde.test", "name": "Ola"}
            ]
        }));
    let p = Portal::empty();
    let run = apply_stdin(&p, &[], &doc.to_string());
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let kari = p.json(&["user", "history", "kari@kunde.test"]);
    assert_eq!(kari.as_array().map(Vec::len), Some(1), "{kari}");
    assert_eq!(kari[0]["action"], "user.add");
    assert_eq!(
        kari[0]["steps"],
        serde_json::json!(["user.add", "user.transfer_ownership"])
    );
    let shown = p.json(&["user", "show", "kari@kunde.test"]);
    assert_eq!(
        (shown["role"].as_str(), shown["owner"].as_bool()),
        (Some("owner"), Some(true))
    );
    let exported = p.ok(&["export"]);
    let copy = Portal::empty();
    let run = apply_stdin(&copy, &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), exported);
}

#[test]
fn a_file_hands_an_account_over_and_lists_the_former_owner_as_the_handover_leaves_them() {
    // 004: the ownership moves first, then the users' entries apply, so
    // the former owner may be listed as what they become.
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let text = std::fs::read_to_string(examples.join("demo-customer-area.json")).unwrap();
    let p = Portal::empty();
    let run = apply_stdin(&p, &[], &text);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let fjord = &mut doc["accounts"][0];
    let owner = fjord["owner"].as_str().unwrap().to_string();
    fjord["owner"] = "nora@fjord.test".into();
    let users = fjord["users"].as_array_mut().unwrap();
    for u in users.iter_mut() {
        if u["email"] == owner.as_str() {
            u["role"] = "member".into();
            u["grants"] = serde_json::json!(["account-admin"]);
        }
    }
    users.push(serde_json::json!({"email": "nora@fjord.test", "name": "Nora", "role": "owner"}));
    let events = p.events();
    let run = apply_stdin(&p, &[], &doc.to_string());
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    // Nora joining and taking it, the former owner giving it up, the apply.
    assert_eq!(p.events(), events + 3);
    let nora = p.json(&["user", "show", "nora@fjord.test"]);
    assert_eq!(
        (nora["role"].as_str(), nora["owner"].as_bool()),
        (Some("owner"), Some(true))
    );
    let again = apply_stdin(&p, &[], &doc.to_string());
    says(&again.stdout, "created    0");
    says(&again.stdout, "updated    0");
}

#[test]
fn a_new_owner_listed_with_another_role_than_the_owners_is_refused_at_it() {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    let before = p.dump();
    let handover = std::fs::read_to_string(DEMO).unwrap().replace(
        r#""owner": "carl@contoso.test""#,
        r#""owner": "cleo@contoso.test""#,
    );
    let run = apply_stdin(&p, &[], &handover);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    says(
        error_line(&run.stderr),
        "error: accounts[1].users[1].role: `cleo@contoso.test` is the `owner` of `Contoso`, and the owner's role is the owner role `admin`, which comes with the ownership, not `user`",
    );
    says(
        &run.stderr,
        r#"help: list them with "role": "admin", or leave `role` out"#,
    );
    assert_eq!(p.dump(), before, "a refusal changes nothing");
}

/// The owner's entry with another role than the owner's is refused by the
/// first apply, at that role (exit 2), and nothing is made: in `users`, and
/// in `external_admins` for an owner who holds a customer as its external
/// admin, which the first apply once made with the owner role anyway for
/// the second to refuse.
#[test]
fn an_owners_entry_with_another_role_is_refused_by_the_first_apply() {
    let p = Portal::empty();
    let ann = r#"{"preset": "portal", "accounts": [{"name": "Acme", "owner": "ann@acme.test",
        "users": [{"email": "ann@acme.test", "name": "Ann", "role": "user"}]}]}"#;
    let run = apply_stdin(&p, &[], ann);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    says(
        error_line(&run.stderr),
        "error: accounts[0].users[0].role: `ann@acme.test` is the `owner` of `Acme`, and the owner's role is the owner role `admin`",
    );
    assert!(!p.db.exists(), "no database was made");
    let msp = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-msp.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(msp).unwrap()).unwrap();
    doc["accounts"][1]["owner"] = "max@harbour.test".into();
    doc["accounts"][1]["external_admins"][0]["role"] = "msp-user".into();
    for p in [Portal::empty(), {
        let p = Portal::empty();
        p.ok(&["apply", msp]);
        p
    }] {
        let before = p.dump();
        let run = apply_stdin(&p, &[], &doc.to_string());
        assert_eq!(run.code, USAGE, "{}", run.stderr);
        says(
            error_line(&run.stderr),
            "error: accounts[1].external_admins[0].role: `max@harbour.test` is the `owner` of `Client Co`",
        );
        says(
            &run.stderr,
            r#"help: list them with "role": "msp-administrator""#,
        );
        assert_eq!(p.dump(), before, "nothing changed");
    }
}

#[test]
fn a_member_of_another_account_joins_as_the_file_names_them_and_keeps_one_name() {
    let p = demo();
    let join = r#"{"accounts": [{"name": "Acme Ltd", "users": [
        {"email": "carl@contoso.test", "name": "Carl Contractor", "role": "user"}]}]}"#;
    let run = apply_stdin(&p, &[], join);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "created    1");
    let shown = p.json(&["user", "show", "carl@contoso.test", "--account", "Contoso"]);
    assert_eq!(shown["name"], "Carl Contractor");
    let run = apply_stdin(&p, &[], join);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "updated    0");
    // One file, two names for one person: refused, nothing changed.
    let before = p.dump();
    let two = r#"{"accounts": [
        {"name": "Acme Ltd", "users": [{"email": "carl@contoso.test", "name": "Carl Contractor", "role": "user"}]},
        {"name": "Contoso", "users": [{"email": "carl@contoso.test", "name": "Carl", "role": "admin"}]}]}"#;
    let run = apply_stdin(&p, &[], two);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    says(
        error_line(&run.stderr),
        "error: accounts[1].users[0].name: `carl@contoso.test` is named `Carl` here and `Carl Contractor` at accounts[0].users[0]; a person has one name",
    );
    assert_eq!(before, p.dump());
}

#[test]
fn times_with_a_fraction_of_a_second_are_the_second_they_fall_in() {
    let text = std::fs::read_to_string(DEMO).unwrap();
    let mut fractions = text.clone();
    for (from, to) in [
        (
            r#""Max Manager", "role": "manager""#,
            r#""Max Manager", "role": "admin", "role_until": "2027-01-01T00:00:00.5Z", "role_after": "manager""#,
        ),
        (
            r#""assigned_to": "una@acme.test""#,
            r#""assigned_to": "una@acme.test", "assigned_until": "2027-01-01T00:00:00.5Z""#,
        ),
        (
            r#""from": "2026-12-21T00:00:00Z""#,
            r#""from": "2026-12-01T00:00:00.123456789123Z""#,
        ),
        (
            r#""until": "2027-01-04T00:00:00Z""#,
            r#""until": "2027-01-04T00:00:00.5Z""#,
        ),
    ] {
        assert!(fractions.contains(from), "{from}");
        fractions = fractions.replace(from, to);
    }
    let p = Portal::empty();
    let run = apply_stdin(&p, &[], &fractions);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    // Applied again, nothing changes: what is stored is what the file
    // means.
    let events = p.events();
    let run = apply_stdin(&p, &[], &fractions);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(
        run.stdout.lines().take(2).collect::<Vec<_>>(),
        ["created    0", "updated    0"]
    );
    assert_eq!(p.events(), events);
    let exported = p.ok(&["export"]);
    for stored in [
        r#""role_until": "2027-01-01T00:00:00Z""#,
        r#""assigned_until": "2027-01-01T00:00:00Z""#,
        r#""from": "2026-12-01T00:00:00Z""#,
        r#""until": "2027-01-04T00:00:00Z""#,
    ] {
        says(&exported, stored);
    }
    // `--until` reads a fraction as the file does, and the file naming
    // the second it fell in describes what the command made.
    p.ok(&[
        "user", "set-role", "una@acme.test", "manager", "--until", "2027-02-01T00:00:00.7Z",
        "--account", ACCOUNT,
    ]);
    let una = p.json(&["user", "show", "una@acme.test", "--account", ACCOUNT]);
    assert_eq!(una["role_until"], "2027-02-01T00:00:00Z", "{una}");
    let exported = p.ok(&["export"]);
    let run = apply_stdin(&p, &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(
        run.stdout.lines().take(2).collect::<Vec<_>>(),
        ["created    0", "updated    0"]
    );
}

#[test]
fn a_key_listed_twice_is_refused_before_anything_is_written() {
    // Max listed again, as the store reads his address, with another role.
    let text = std::fs::read_to_string(DEMO).unwrap();
    let leo =
        r#"{"email": "leo@acme.test", "name": "Leo Left", "role": "no-access", "status": "left"}"#;
    let twice = text.replace(
        leo,
        &format!(r#"{leo}, {{"email": " Max@Acme.test", "role": "admin"}}"#),
    );
    assert_ne!(twice, text);
    let says_twice =
        "error: accounts[0].users[7].email: `Max@Acme.test` is listed twice (also at accounts[0].users[2])";
    // A new database is not even made.
    let p = Portal::empty();
    let run = apply_stdin(&p, &[], &twice);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    assert_eq!(error_line(&run.stderr), says_twice);
    assert!(!p.db.exists());
    // One the file made is left as it is.
    let p = demo();
    let before = p.dump();
    let run = apply_stdin(&p, &[], &twice);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    assert_eq!(error_line(&run.stderr), says_twice);
    assert_eq!(before, p.dump());
    // A cost centre's code is compared without case, as the store finds it.
    let codes = text.replace(
        r#"{"code": "OPS", "name": "Operations"}"#,
        r#"{"code": "OPS", "name": "Operations"}, {"code": "ops", "name": "Ops again"}"#,
    );
    let run = apply_stdin(&p, &[], &codes);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    assert_eq!(
        error_line(&run.stderr),
        "error: accounts[0].cost_centres[2].code: `ops` is listed twice (also at accounts[0].cost_centres[1])"
    );
    assert_eq!(before, p.dump());
    // A service and a policy listed twice, each with other fields, are
    // refused whole: neither the first nor the last is applied.
    for (one, again, says) in [
        (
            r#"{"name": "Broadband London", "kind": "broadband", "assigned_to": "una@acme.test"}"#,
            r#"{"name": "Broadband London", "kind": "broadband", "assigned_to": "max@acme.test"}"#,
            "error: accounts[0].services[1].name: `Broadband London` is listed twice (also at accounts[0].services[0])",
        ),
        (
            r#"{"name": "Finance approval over 50", "threshold": "50.00", "approvers": ["fiona@acme.test"]}"#,
            r#"{"name": "finance approval over 50", "threshold": "80.00"}"#,
            "error: accounts[0].policies[1].name: `finance approval over 50` is listed twice (also at accounts[0].policies[0])",
        ),
    ] {
        let doubled = text.replace(one, &format!("{one}, {again}"));
        assert_ne!(doubled, text);
        let run = apply_stdin(&p, &[], &doubled);
        assert_eq!(run.code, USAGE, "{}", run.stderr);
        assert_eq!(error_line(&run.stderr), says);
        assert_eq!(before, p.dump());
    }
}

#[test]
fn a_refusal_names_the_field_to_blame_through_the_binary() {
    let p = demo();
    let before = p.dump();
    let text = std::fs::read_to_string(DEMO).unwrap();
    let fay = r#"{"email": "fay@fabrikam.test", "name": "Fay Fabrikam", "role": "admin"}
      ]
    }"#;
    assert!(text.contains(fay));
    let cases = [
        (
            r#"{"name": "Globex", "kind": "partner", "currency": ""}"#,
            "error: accounts[3].currency: `` is not an ISO 4217 currency code",
        ),
        (
            r#"{"name": "Globex", "parent": "Globex"}"#,
            "error: accounts[3].parent: `Globex` cannot be its own parent",
        ),
    ];
    for (account, says_what) in cases {
        let added = text.replace(fay, &format!("{fay}, {account}"));
        let run = apply_stdin(&p, &[], &added);
        assert_eq!(run.code, USAGE, "{}", run.stderr);
        assert_eq!(error_line(&run.stderr), says_what);
    }
    let demoted = text.replace(
        r#""Carl Contoso", "role": "admin""#,
        r#""Carl Contoso", "role": "user""#,
    );
    let run = apply_stdin(&p, &[], &demoted);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    says(
        &run.stderr,
        "error: accounts[1].users[0].role: `carl@contoso.test` is the `owner` of `Contoso`",
    );
    assert_eq!(before, p.dump());
}

/// A member asking about someone they do not see hears the same whether
/// that person belongs to an account they do not see or to none, from
/// `user history` as from `user show`; `order show` names no account
/// they do not see either.
#[test]
fn what_a_member_does_not_see_reads_alike_whether_it_exists_or_not() {
    let p = demo();
    let answer = |args: &[&str]| {
        let mut all = vec!["--as", "fay@fabrikam.test"];
        all.extend(args);
        let run = p.run(&all);
        (run.code, error_line(&run.stderr).to_string())
    };
    for command in [["user", "history"], ["user", "show"]] {
        let elsewhere = answer(&[command[0], command[1], "carl@contoso.test"]);
        let nowhere = answer(&[command[0], command[1], "nobody@nowhere.test"]);
        assert_eq!(
            elsewhere,
            (
                NOT_FOUND,
                nowhere
                    .1
                    .replace("nobody@nowhere.test", "carl@contoso.test")
            ),
            "{command:?}"
        );
        assert!(!elsewhere.1.contains("Contoso"), "{elsewhere:?}");
    }
    let placed = p.json(&[
        "--as", "carl@contoso.test", "order", "place", "--description", "Desk", "--amount", "5.00",
        "--account", "Contoso",
    ]);
    let id = placed["id"].to_string();
    let theirs = answer(&["order", "show", &id]);
    let none = answer(&["order", "show", "999"]);
    assert_eq!(theirs, (NOT_FOUND, none.1.replace("999", &id)));
    assert!(!theirs.1.contains("Contoso"), "{theirs:?}");
}

/// An archived cost centre is exported as such, so the orders placed on it
/// apply to an empty database; a file that lists it as active is refused,
/// since nothing makes an archived cost centre active again.
#[test]
fn an_archived_cost_centre_and_its_orders_round_trip() {
    let p = demo();
    p.ok(&["cost-centre", "archive", "OPS", "--account", ACCOUNT]);
    let exported = p.ok(&["export"]);
    let file: Value = serde_json::from_str(&exported).unwrap();
    let centres = &file["accounts"][0]["cost_centres"];
    assert_eq!(
        centres[1],
        serde_json::json!({"code": "OPS", "name": "Operations", "archived": true}),
        "{centres}"
    );
    assert_eq!(file["accounts"][0]["orders"][0]["cost_centre"], "OPS");
    let copy = Portal::empty();
    let run = apply_stdin(&copy, &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), exported);
    let listed = copy.json(&["cost-centre", "list", "--account", ACCOUNT]);
    assert_eq!(listed[1]["archived"], true, "{listed}");
    assert_eq!(
        copy.text("SELECT COUNT(*) FROM audit_events WHERE target = 'OPS'"),
        "1",
        "made archived in one event"
    );
    for portal in [&p, &copy] {
        let events = portal.events();
        let again = apply_stdin(portal, &["--json"], &exported);
        let counts: Value = serde_json::from_str(&again.stdout).unwrap();
        assert_eq!(
            (counts["created"].as_u64(), counts["updated"].as_u64()),
            (Some(0), Some(0)),
            "{}",
            again.stderr
        );
        assert_eq!(portal.events(), events);
    }
    // The demo lists OPS as active.
    let before = p.dump();
    let run = p.run(&["apply", DEMO]);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    assert_eq!(
        error_line(&run.stderr),
        "error: accounts[0].cost_centres[1].archived: cost centre `OPS` is archived, and an archived cost centre is not made active again"
    );
    assert_eq!(before, p.dump());
}

/// Older databases let an order's reference start with `#`, which a file
/// reads as an order number: the export writes it with one more `#`, and
/// it comes back as the same reference, not as another order.
#[test]
fn a_reference_starting_with_a_hash_round_trips_as_that_reference() {
    let p = demo();
    // PO-1002 (order 2) under the number of PO-1003, as an old binary
    // could have stored it (in the schema it knew, which the next command
    // migrates).
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    rewind(&conn, version_before("0026_order_ref_keys.sql"));
    conn.execute("UPDATE orders SET ref = '#3' WHERE ref = 'PO-1002'", [])
        .unwrap();
    drop(conn);
    let exported = p.ok(&["export"]);
    let file: Value = serde_json::from_str(&exported).unwrap();
    let refs: Vec<&str> = file["accounts"][0]["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["PO-1001", "##3", "PO-1003"]);
    let copy = Portal::empty();
    let run = apply_stdin(&copy, &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), exported);
    assert_eq!(
        copy.text("SELECT id || ' ' || description FROM orders WHERE ref = '#3'"),
        "2 Cable"
    );
    for portal in [&p, &copy] {
        let again = apply_stdin(portal, &["--json"], &exported);
        let counts: Value = serde_json::from_str(&again.stdout).unwrap();
        assert_eq!(
            (counts["created"].as_u64(), counts["updated"].as_u64()),
            (Some(0), Some(0)),
            "{}",
            again.stderr
        );
    }
}

/// Files written before an order's type was named `type` use
/// `order_type`: apply reads them, and so does the printed schema, which
/// refuses both at once as apply does.
#[test]
fn an_order_type_under_its_old_name_validates_against_the_printed_schema() {
    let p = Portal::empty();
    let (schemas, schema) = printed_schema(&p);
    let old = std::fs::read_to_string(DEMO)
        .unwrap()
        .replace(r#""type": "hardware""#, r#""order_type": "hardware""#);
    let doc: Value = serde_json::from_str(&old).unwrap();
    assert_eq!(doc["accounts"][0]["orders"][0]["order_type"], "hardware");
    if let Err(e) = schemas.validate(&doc, schema) {
        panic!("{e:#}");
    }
    let run = apply_stdin(&p, &[], &old);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(
        p.json(&["order", "show", "1"])["type"],
        "hardware",
        "read as the order's type"
    );
    let mut both = doc.clone();
    both["accounts"][0]["orders"][0]["type"] = "hardware".into();
    assert!(schemas.validate(&both, schema).is_err(), "both passed");
    let before = p.dump();
    let run = apply_stdin(&p, &[], &both.to_string());
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    says(error_line(&run.stderr), "error: -: accounts[0].orders[0]");
    assert_eq!(before, p.dump());
}

/// A key given twice in an object is refused wherever it is, with the
/// object's path and the key, before anything is written.
#[test]
fn a_key_given_twice_in_an_object_is_refused_naming_its_path() {
    let text = std::fs::read_to_string(DEMO).unwrap();
    let una = r#""email": "una@acme.test","#;
    let twice = text.replacen(
        una,
        &format!(
            r#"{una} "grants_until": {{"billing": "2027-01-01T00:00:00Z", "billing": "2026-12-01T00:00:00Z"}},"#
        ),
        1,
    );
    assert_ne!(twice, text);
    let says_twice = "error: -: accounts[0].users[3].grants_until: duplicate key `billing`";
    let p = Portal::empty();
    let run = apply_stdin(&p, &[], &twice);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    assert_eq!(error_line(&run.stderr), says_twice);
    assert!(!p.db.exists(), "no database is made");
    let p = demo();
    let before = p.dump();
    let run = apply_stdin(&p, &[], &twice);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    assert_eq!(error_line(&run.stderr), says_twice);
    // A field of the format, too, in the file's own words.
    let run = apply_stdin(&p, &[], &text.replacen(una, &format!("{una} {una}"), 1));
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    assert_eq!(
        error_line(&run.stderr),
        "error: -: accounts[0].users[3]: duplicate key `email`"
    );
    assert_eq!(before, p.dump());
}

/// What `order show --json` says was decided on order `id`: its status,
/// approvals, decisions, reasons, policies and when it was decided.
fn decided(p: &Portal, id: &str) -> Value {
    let shown = p.json(&["order", "show", id]);
    let fields = [
        "status", "approvals", "rejected_by", "decisions", "rejected_reason", "cancelled_by",
        "cancelled_reason", "policies", "decided_at",
    ];
    fields
        .iter()
        .map(|f| (f.to_string(), shown[f].clone()))
        .collect()
}

/// `export | apply` onto an empty database keeps what was decided
/// (issue 11): an approved order comes back approved by its approver, a
/// rejected one rejected with its reason, a cancelled one cancelled; a
/// second apply changes nothing, and a member restores no decided order.
#[test]
fn export_then_apply_keeps_decided_orders_decided() {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    p.ok(&["order", "approve", "1", "--as", "fiona@acme.test"]);
    p.ok(&[
        "order", "reject", "3", "--reason", "too dear", "--as", "olive@acme.test",
    ]);
    let chair = p.json_as(
        Some("max@acme.test"),
        &[
            "order", "place", "--description", "Chair", "--amount", "70.00",
        ],
    );
    assert_eq!(chair["id"], 4);
    p.ok(&[
        "order", "cancel", "4", "--reason", "not needed", "--as", "max@acme.test",
    ]);
    let exported = p.ok(&["export"]);
    let file: Value = serde_json::from_str(&exported).unwrap();
    let orders = &file["accounts"][0]["orders"];
    assert_eq!(orders[0]["status"], "approved", "{orders}");
    assert_eq!(
        orders[0]["decisions"][0]["by"], "fiona@acme.test",
        "{orders}"
    );
    assert_eq!(orders[2]["rejected_reason"], "too dear", "{orders}");
    assert_eq!(orders[3]["cancelled_reason"], "not needed", "{orders}");
    let copy = Portal::empty();
    let run = apply_stdin(&copy, &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), exported);
    for id in ["1", "2", "3", "4"] {
        assert_eq!(decided(&p, id), decided(&copy, id), "order {id}");
    }
    let rejected = decided(&copy, "3");
    assert_eq!(
        (&rejected["status"], &rejected["rejected_reason"]),
        (&Value::from("rejected"), &Value::from("too dear"))
    );
    assert_eq!(
        decided(&copy, "1")["approvals"],
        serde_json::json!(["fiona@acme.test"])
    );
    for portal in [&p, &copy] {
        let events = portal.events();
        let again = apply_stdin(portal, &["--json"], &exported);
        let counts: Value = serde_json::from_str(&again.stdout).unwrap();
        assert_eq!(
            (counts["created"].as_u64(), counts["updated"].as_u64()),
            (Some(0), Some(0)),
            "{}",
            again.stderr
        );
        assert_eq!(portal.events(), events);
    }
    // Max lists a new order of his as approved by Fiona: refused, as is
    // order 1 listed as rejected; members decide orders by command.
    let mut his = file.clone();
    his["accounts"] = Value::Array(vec![file["accounts"][0].clone()]);
    his["accounts"][0]["users"] =
        serde_json::json!([{"email": "max@acme.test", "name": "Max Manager", "role": "manager"}]);
    his["accounts"][0]["services"] = serde_json::json!([]);
    his["accounts"][0]["delegations"] = serde_json::json!([]);
    let mut desk = orders[0].clone();
    desk["ref"] = "PO-2000".into();
    his["accounts"][0]["orders"]
        .as_array_mut()
        .unwrap()
        .push(desk);
    let before = copy.dump();
    let run = apply_stdin(&copy, &["--as", "max@acme.test"], &his.to_string());
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    says(
        &run.stderr,
        "error: accounts[0].orders[4].status: `max@acme.test` may not restore order `PO-2000` as decided",
    );
    his["accounts"][0]["orders"].as_array_mut().unwrap().pop();
    his["accounts"][0]["orders"][0]["status"] = "rejected".into();
    his["accounts"][0]["orders"][0]["rejected_reason"] = "no".into();
    his["accounts"][0]["orders"][0]["decisions"][0]["approved"] = false.into();
    his["accounts"][0]["orders"][0]["decisions"][0]
        .as_object_mut()
        .unwrap()
        .remove("policies");
    let run = apply_stdin(&copy, &["--as", "max@acme.test"], &his.to_string());
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    says(
        &run.stderr,
        "error: accounts[0].orders[0]: order `PO-1001` is approved here with other decisions than the file says",
    );
    assert_eq!(before, copy.dump());
}

/// A named approver deactivated stays named by the policy, and the
/// policies left short of eligible approvers come back short, with the
/// warning the deactivation gave (issue 11).
#[test]
fn export_then_apply_keeps_a_deactivated_approver_and_a_short_policy() {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    let run = p.run(&["user", "deactivate", "fiona@acme.test", "--yes"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(
        &run.stderr,
        "policy `Hardware over 500` in `Acme Ltd` now has 1 approver for 2 required approvals",
    );
    let exported = p.ok(&["export"]);
    let file: Value = serde_json::from_str(&exported).unwrap();
    let finance = &file["accounts"][0]["policies"][0];
    assert_eq!(
        finance["approvers"],
        serde_json::json!(["fiona@acme.test"]),
        "{finance}"
    );
    let copy = Portal::empty();
    let run = apply_stdin(&copy, &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stderr, "warning: policy `Finance approval over 50` in `Acme Ltd` now has 0 eligible approvers for 1 required approval");
    says(&run.stderr, "warning: policy `Hardware over 500` in `Acme Ltd` now has 1 approver for 2 required approvals");
    assert_eq!(copy.ok(&["export"]), exported);
    for id in ["1", "3"] {
        assert_eq!(decided(&p, id), decided(&copy, id), "order {id}");
    }
    for portal in [&p, &copy] {
        let again = apply_stdin(portal, &["--json"], &exported);
        let counts: Value = serde_json::from_str(&again.stdout).unwrap();
        assert_eq!(
            (counts["created"].as_u64(), counts["updated"].as_u64()),
            (Some(0), Some(0)),
            "{}",
            again.stderr
        );
    }
    copy.ok(&["user", "activate", "fiona@acme.test"]);
    let policy = copy.json(&[
        "policy", "show", "Finance approval over 50", "--account", ACCOUNT,
    ]);
    assert_eq!(
        policy["approvers"],
        serde_json::json!(["fiona@acme.test"]),
        "{policy}"
    );
}

/// Even the operator's apply restores only a history that could have
/// happened: nobody decides their own order, on their own behalf or
/// another's; whoever cancelled is a member; decisions come before the
/// order was decided, and before now.
#[test]
fn an_impossible_history_of_decisions_is_refused_through_the_binary() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/decided-orders.json"
    ))
    .unwrap();
    let cases = [
        (
            r#""by": "ben@northwind.test", "approved": true, "at": "2026-11-20T11:00:00Z""#,
            r#""by": "ben@northwind.test", "on_behalf_of": "bob@northwind.test", "approved": true, "at": "2026-11-20T11:00:00Z""#,
            CONFLICT,
            "`bob@northwind.test` placed order `NW-1`; nobody decides their own order",
        ),
        (
            r#""cancelled_by": "bob@northwind.test""#,
            r#""cancelled_by": "ghost@nowhere.test""#,
            NOT_FOUND,
            "`ghost@nowhere.test` is not a member",
        ),
        (
            r#""at": "2026-11-20T09:30:00Z""#,
            r#""at": "2999-01-01T00:00:00Z""#,
            USAGE,
            "is yet to come",
        ),
    ];
    for (from, to, code, said) in cases {
        assert!(text.contains(from), "{from}");
        let p = Portal::empty();
        let run = apply_stdin(&p, &[], &text.replace(from, to));
        assert_eq!(run.code, code, "{}", run.stderr);
        says(error_line(&run.stderr), said);
        assert!(
            !p.db.exists() || p.dump().contains("[orders]\n\n"),
            "nothing restored"
        );
    }
}

/// A merge survives `export | apply`: Fi, an admin of Contoso alone,
/// placed an order, approved Carl's and was named a policy's approver
/// before she was merged into Fiona, which moved her one membership to
/// Fiona. The copy's export is
/// the original's byte for byte, Fi's order is still Fiona's own, and
/// Fi still reads as merged.
#[test]
fn a_merge_round_trips_and_the_duplicates_order_stays_the_kept_persons_own() {
    let p = Portal::new();
    p.ok(&["account", "create", "Contoso", "--kind", "partner"]);
    p.member("fiona@acme.test", "admin");
    p.member_in("fi@contoso.test", "admin", "Contoso");
    p.member_in("carl@contoso.test", "admin", "Contoso");
    p.ok(&[
        "policy", "create", "--name", "Over 50", "--threshold", "50.00", "--account", "Contoso",
    ]);
    // A merge leaves the policy that names Fi as it was.
    p.ok(&[
        "policy", "create", "--name", "Over 500", "--threshold", "500.00", "--approvers",
        "fi@contoso.test", "--account", "Contoso",
    ]);
    let place = |who: &str, what: &str| {
        let order = p.json_as(
            Some(who),
            &[
                "order", "place", "--description", what, "--amount", "80.00", "--account",
                "Contoso",
            ],
        );
        order["id"].as_i64().unwrap().to_string()
    };
    let fis = place("fi@contoso.test", "Switch");
    let carls = place("carl@contoso.test", "Printer");
    p.json_as(Some("fi@contoso.test"), &["order", "approve", &carls]);
    p.ok(&[
        "user", "merge", "fi@contoso.test", "--into", "fiona@acme.test", "--yes",
    ]);
    p.ok(&[
        "user", "flag-duplicate", "carl@contoso.test", "--of", "fiona@acme.test",
    ]);
    let exported = p.ok(&["export"]);
    let doc: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(
        doc["people"],
        serde_json::json!([
            {"email": "carl@contoso.test", "name": "carl", "duplicate_of": "fiona@acme.test"},
            {"email": "fi@contoso.test", "name": "fi", "merged_into": "fiona@acme.test"}
        ]),
        "{exported}"
    );
    let copy = restored(&p, &exported);
    for db in [&p, &copy] {
        let refusal = db.refused_as(
            Some("fiona@acme.test"),
            &["order", "approve", &fis],
            CONFLICT,
        );
        says(&refusal, "own order");
        let shown = db.refused(&["user", "show", "fi@contoso.test"], CONFLICT);
        says(
            &shown,
            "`fi@contoso.test` was merged into `fiona@acme.test`",
        );
        let carl = db.json(&["user", "show", "carl@contoso.test"]);
        assert_eq!(carl["duplicate_of"], "fiona@acme.test", "{carl}");
    }
}

/// Fi's address, merged into Fay at Fabrikam, invited by Acme and by
/// Contoso without a name: both invitations bind to Fay and are known by
/// the address typed, with no name. The copy reads the same to every
/// member of every account and to the operator (the tester's N14: Contoso's
/// invitation came back named as Fay, whom Carl does not know).
#[test]
fn invitations_of_a_merged_away_address_round_trip_nameless_for_every_account() {
    let p = demo();
    let invited = p.json(&[
        "user", "invite", "fi@fabrikam.test", "--account", "Fabrikam", "--role", "user",
        "--no-send",
    ]);
    let token = invited["token"].as_str().unwrap();
    p.ok(&["user", "accept", token, "--name", "Fi"]);
    p.ok(&[
        "--yes", "user", "merge", "fi@fabrikam.test", "--into", "fay@fabrikam.test",
    ]);
    for admin in ["fiona@acme.test", "carl@contoso.test"] {
        p.json_as(
            Some(admin),
            &[
                "user", "invite", "fi@fabrikam.test", "--role", "user", "--no-send",
            ],
        );
    }
    let exported = p.ok(&["export"]);
    let copy = restored(&p, &exported);
    let accounts = p.json(&["account", "list"]);
    for account in accounts.as_array().unwrap() {
        let name = account["name"].as_str().unwrap();
        let listed = ["user", "list", "--account", name, "--json"];
        assert_eq!(copy.json(&listed), p.json(&listed), "{name}");
        for member in p.json(&listed).as_array().unwrap() {
            if member["status"] != "active" {
                continue;
            }
            let me = member["email"].as_str();
            let mine = ["user", "list", "--json"];
            assert_eq!(
                copy.run_as(me, &mine).stdout,
                p.run_as(me, &mine).stdout,
                "{me:?} in {name}"
            );
        }
    }
    let carls = copy.json_as(
        Some("carl@contoso.test"),
        &["user", "show", "fi@fabrikam.test"],
    );
    assert_eq!(carls["name"], Value::Null, "{carls}");
}

/// The owner merged into a member who holds another role: the member kept
/// owns the account with the owner role, the one merged away is listed
/// with the role `user list` shows, and `export | apply` restores both.
#[test]
fn an_owner_merged_into_a_member_round_trips_as_the_owner_the_merge_made() {
    let p = Portal::new();
    p.member("o.live@acme.test", "user");
    p.ok(&[
        "--yes", "user", "merge", OWNER, "--into", "o.live@acme.test",
    ]);
    let exported = p.ok(&["export"]);
    let doc: Value = serde_json::from_str(&exported).unwrap();
    let listed = |email: &str| {
        let u = first_accounts_user(&doc, email);
        (u["role"].clone(), u["status"].clone())
    };
    assert_eq!(
        doc["accounts"][0]["owner"], "o.live@acme.test",
        "{exported}"
    );
    assert_eq!(
        listed("o.live@acme.test"),
        ("admin".into(), "active".into())
    );
    assert_eq!(listed(OWNER), ("no-access".into(), "left".into()));
    let copy = restored(&p, &exported);
    for db in [&p, &copy] {
        let kept = db.json(&["user", "show", "o.live@acme.test"]);
        assert_eq!(
            (&kept["role"], &kept["owner"]),
            (&"admin".into(), &true.into())
        );
    }
}

/// An invitation that expired comes back expired; one still pending
/// comes back made when it was, with the expiry it had, not 7 days from
/// the apply. Neither is mailed again: the copy says so, and a resend
/// mails the one still wanted.
#[test]
fn export_then_apply_keeps_an_invitations_expiry_and_an_expired_one_dead() {
    let mut p = Portal::new();
    p.ok(&[
        "user", "invite", "temp@acme.test", "--role", "admin", "--expires-in", "1h",
    ]);
    p.ok(&["user", "invite", "kim@acme.test", "--role", "user"]);
    // Two hours on, the first has expired; the second lasts to 2 December.
    p.now = "2026-11-25T12:00:00Z".into();
    let exported = p.ok(&["export"]);
    let doc: Value = serde_json::from_str(&exported).unwrap();
    let expiry = |email: &str| {
        let u = first_accounts_user(&doc, email);
        (u["status"].clone(), u["invitation_expires_at"].clone())
    };
    assert_eq!(
        expiry("temp@acme.test"),
        ("invited".into(), "2026-11-25T11:00:00Z".into())
    );
    assert_eq!(
        expiry("kim@acme.test"),
        ("invited".into(), "2026-12-02T10:00:00Z".into())
    );
    let mut copy = Portal::empty();
    copy.now = p.now.clone();
    let run = apply_stdin(&copy, &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stderr, "2 invitations restored as made before");
    says(
        &run.stderr,
        "mailed to nobody (`kim@acme.test`, `temp@acme.test`)",
    );
    says(&run.stderr, "user resend-invite EMAIL");
    assert_eq!(copy.ok(&["export"]), exported);
    for db in [&p, &copy] {
        let again = apply_stdin(db, &["--json"], &exported);
        assert_eq!(again.code, SUCCESS, "{}", again.stderr);
        let again: Value = serde_json::from_str(&again.stdout).unwrap();
        assert_eq!(
            (again["created"].as_u64(), again["updated"].as_u64()),
            (Some(0), Some(0)),
            "{again}"
        );
    }
    // Nobody is mailed by the copy; Kim's invitation is the one made
    // at 10:00, and expires when it did.
    let mailed = copy.json(&["outbox", "list"]);
    assert_eq!(mailed, serde_json::json!([]), "{mailed}");
    let kim = copy.json(&["user", "show", "kim@acme.test"]);
    assert_eq!(
        (&kim["invited_at"], &kim["invitation_expires_at"]),
        (
            &"2026-11-25T10:00:00Z".into(),
            &"2026-12-02T10:00:00Z".into()
        ),
        "{kim}"
    );
    // A resend mails her a token that works in the copy.
    copy.ok(&["user", "resend-invite", "kim@acme.test"]);
    copy.ok(&["settings", "set", "mail-from", "portal@acme.test"]);
    let dir = scratch_dir();
    copy.ok(&["outbox", "send", "--to-dir", dir.path().to_str().unwrap()]);
    let mail = &crate::smtp_server::decode(&[dir.path().join("outbox-1.eml")])[0];
    let token = crate::smtp_server::token_in(mail);
    copy.ok(&["user", "accept", &token]);
    assert_eq!(
        copy.json(&["user", "show", "kim@acme.test"])["status"],
        "active"
    );
}

/// A withdrawn invitation comes back withdrawn: the copy's invitee never
/// joined, so nobody activates her there either.
#[test]
fn a_revoked_invitation_round_trips_and_stays_unjoined() {
    let p = Portal::new();
    p.ok(&[
        "user", "invite", "ida@acme.test", "--name", "Ida", "--role", "admin",
    ]);
    p.ok(&["--yes", "user", "revoke-invite", "ida@acme.test"]);
    let exported = p.ok(&["export"]);
    let doc: Value = serde_json::from_str(&exported).unwrap();
    let ida = doc["accounts"][0]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "ida@acme.test")
        .unwrap();
    assert_eq!(ida["status"], "revoked");
    let copy = Portal::empty();
    let run = apply_stdin(&copy, &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), exported);
    assert_eq!(
        copy.json(&["user", "show", "ida@acme.test"])["status"],
        "revoked"
    );
    for db in [&p, &copy] {
        let err = db.refused(&["user", "activate", "ida@acme.test"], CONFLICT);
        says(&err, "never accepted");
    }
}

/// Access cut short after the invitation went out (`set-role --until`,
/// by the operator or a member) brings the invitation forward to its
/// end, so that the export applies to an empty database; an export of
/// an older database, whose invitation outlasts the access, is cut to it
/// with a warning.
#[test]
fn an_invitees_access_cut_short_cuts_the_invitation_and_round_trips() {
    let p = Portal::new();
    p.member("max@acme.test", "admin");
    p.ok(&[
        "user", "invite", "bob@acme.test", "--role", "user", "--no-send", "--until", "30d",
    ]);
    p.ok(&[
        "user", "invite", "cy@acme.test", "--role", "user", "--no-send", "--until", "30d",
    ]);
    p.ok(&[
        "user", "set-role", "bob@acme.test", "manager", "--until", "2d",
    ]);
    p.json_as(
        Some("max@acme.test"),
        &[
            "user", "set-role", "cy@acme.test", "manager", "--until", "3d",
        ],
    );
    for (who, ends) in [
        ("bob", "2026-11-27T10:00:00Z"),
        ("cy", "2026-11-28T10:00:00Z"),
    ] {
        let v = p.json(&["user", "show", &format!("{who}@acme.test")]);
        assert_eq!(
            (&v["role_until"], &v["invitation_expires_at"]),
            (&json!(ends), &json!(ends)),
            "{v}"
        );
    }
    let exported = p.ok(&["export"]);
    restored(&p, &exported);
    // As an older database wrote it: the invitation past the access.
    let mut older: Value = serde_json::from_str(&exported).unwrap();
    let users = older["accounts"][0]["users"].as_array_mut().unwrap();
    let bob = users
        .iter_mut()
        .find(|u| u["email"] == "bob@acme.test")
        .unwrap();
    bob["invitation_expires_at"] = json!("2026-12-02T10:00:00Z");
    let copy = Portal::empty();
    let run = apply_stdin(&copy, &[], &older.to_string());
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(
        &run.stderr,
        "warning: accounts[0].users[0]: the invitation would expire at 2026-12-02T10:00:00Z, after the access it gives ends at 2026-11-27T10:00:00Z; it expires at 2026-11-27T10:00:00Z instead",
    );
    assert_eq!(copy.ok(&["export"]), exported);
}

/// A decided order, and one still waiting, under a policy that changes
/// afterwards in any way a policy can: the export holds each order as it
/// was held, and applies to an empty database, which exports it again.
#[test]
fn export_then_apply_holds_decided_orders_whatever_their_policy_became() {
    let base = || {
        Portal::cached("a decided order under `Over 50`", || {
            let p = Portal::new();
            p.member("max@acme.test", "admin");
            p.member("mia@acme.test", "manager");
            p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
            let mia = Some("mia@acme.test");
            p.json_as(
                mia,
                &["order", "place", "--description", "Big", "--amount", "60"],
            );
            p.json_as(Some(OWNER), &["order", "approve", "1"]);
            p.json_as(
                mia,
                &["order", "place", "--description", "Small", "--amount", "70"],
            );
            p
        })
    };
    let changes: [&[&[&str]]; 7] = [
        &[&["policy", "disable", "Over 50"]],
        &[&["policy", "edit", "Over 50", "--threshold", "100"]],
        &[&["policy", "edit", "Over 50", "--order-type", "hw"]],
        &[&["policy", "edit", "Over 50", "--approvers", "max@acme.test"]],
        &[&["policy", "edit", "Over 50", "--required-approvals", "2"]],
        &[&["policy", "edit", "Over 50", "--name", "Over fifty"]],
        &[
            &["policy", "disable", "Over 50"],
            &["policy", "enable", "Over 50"],
        ],
    ];
    for commands in changes {
        let p = base();
        for args in commands {
            p.ok(args);
        }
        let exported = p.ok(&["export"]);
        restored(&p, &exported);
    }
}

/// What `export | apply` must not lose: the copy of the address an order
/// was shipped to (even once the address is edited), where a licence's
/// seats are shipped, and how an account pays, shown alike in the copy.
#[test]
fn export_then_apply_keeps_shipping_addresses_and_payment_details() {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    p.ok(&[
        "account", "address", "add", "--account", ACCOUNT, "--label", "HQ", "--line1", "1 Road",
        "--city", "London", "--postcode", "E1 1AA", "--country", "GB",
    ]);
    p.json_as(
        Some("fiona@acme.test"),
        &[
            "order", "place", "--description", "Laptop", "--amount", "900", "--cost-centre", "FIN",
            "--ref", "PO-1042", "--ship-to", "HQ",
        ],
    );
    let shipped = p.json(&["order", "show", "PO-1042"])["ship_to"].clone();
    assert_eq!(shipped["line1"], "1 Road", "{shipped}");
    // Edited since: the order keeps its copy, and so does the copy's.
    p.ok(&["account", "address", "remove", "HQ", "--account", ACCOUNT]);
    let copy = restored(&p, &p.ok(&["export"]));
    assert_eq!(copy.json(&["order", "show", "PO-1042"])["ship_to"], shipped);

    let p = Portal::empty();
    p.ok(&["apply", LMP]);
    let partner = "Northwind Partners";
    p.ok(&[
        "account", "payment", "set", "--account", partner, "--method", "bank-transfer", "--iban",
        "DE89 3704 0044 0532 0130 00",
    ]);
    let copy = restored(&p, &p.ok(&["export"]));
    let paying = |db: &Portal| {
        let shown = db.json(&["account", "payment", "show", "--account", partner]);
        (shown["method"].clone(), shown["iban_masked"].clone())
    };
    assert_eq!(paying(&copy), paying(&p));
    assert_eq!(paying(&copy).0, "bank-transfer");
    let shipped_to = |db: &Portal| {
        let licences = db.json(&["license", "list", "--account", partner]);
        licences
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|l| l["allocations"].as_array().cloned().unwrap_or_default())
            .map(|a| (a["customer"].clone(), a["ship_to"].clone()))
            .collect::<Vec<_>>()
    };
    let held = shipped_to(&copy);
    assert!(
        held.iter().any(|(_, to)| to["label"] == "Warehouse"),
        "{held:?}"
    );
    assert_eq!(held, shipped_to(&p));
}

/// An amount written as a JSON number is refused (exit 2) at its path,
/// saying amounts are written as strings and which one to write; nothing
/// is applied.
#[test]
fn an_amount_written_as_a_number_says_to_write_a_string() {
    let p = Portal::new();
    let before = p.dump();
    let file = json!({"accounts": [{"name": ACCOUNT, "policies": [
        {"name": "Big", "threshold": 100}
    ]}]});
    let run = apply_stdin(&p, &[], &file.to_string());
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    let line = error_line(&run.stderr);
    says(line, "accounts[0].policies[0].threshold: ");
    says(
        line,
        r#"amounts are written as strings: "100", not the number 100"#,
    );
    assert_eq!(p.dump(), before);
}

/// An owner's file that hands the account over and demotes them goes
/// through as the same steps by hand do (`user transfer-ownership`, then
/// `user set-role`): the rest of the file is applied while they may still
/// do it, then the ownership moves, then their own role changes.
#[test]
fn an_owner_hands_the_account_over_and_demotes_themselves_in_one_file() {
    let p = demo();
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(DEMO).unwrap()).unwrap();
    // The member applies only the account they belong to.
    doc["accounts"].as_array_mut().unwrap().truncate(1);
    let acme = &mut doc["accounts"][0];
    acme["owner"] = "fiona@acme.test".into();
    for u in acme["users"].as_array_mut().unwrap() {
        if u["email"] == "olive@acme.test" {
            u["role"] = "user".into();
        }
    }
    let run = p.apply_stdin(
        &[],
        &[("PORTALCTL_AS", "olive@acme.test")],
        &doc.to_string(),
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "updated    2");
    let olive = p.json(&["user", "show", "olive@acme.test", "--account", "Acme Ltd"]);
    assert_eq!(
        (&olive["role"], &olive["owner"]),
        (&"user".into(), &false.into())
    );
    let fiona = p.json(&["user", "show", "fiona@acme.test", "--account", "Acme Ltd"]);
    assert_eq!(fiona["owner"], true, "{fiona}");
    // Applied again by the new owner, nothing is left to do.
    let again = p.apply_stdin(
        &[],
        &[("PORTALCTL_AS", "fiona@acme.test")],
        &doc.to_string(),
    );
    assert_eq!(again.code, SUCCESS, "{}", again.stderr);
    says(&again.stdout, "updated    0");
}

/// A refusal of such a file rolls it all back: its help names the member
/// the file makes the owner as that, not as the owner they are not.
#[test]
fn a_refused_handover_names_the_owner_to_be_as_such() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let text = std::fs::read_to_string(examples.join("demo-customer-area.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["accounts"].as_array_mut().unwrap().truncate(1);
    let fjord = &mut doc["accounts"][0];
    fjord["addresses"] = serde_json::json!([{"label": "HQ", "line1": "1 Storgata",
        "city": "Oslo", "postcode": "0150", "country": "NO"}]);
    let p = Portal::empty();
    let run = apply_stdin(&p, &[], &doc.to_string());
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    // Owen hands Fjord to Ada, and --prune would remove the address,
    // which the former owner may no longer do.
    let fjord = &mut doc["accounts"][0];
    fjord["owner"] = "ada@fjord.test".into();
    fjord["addresses"] = serde_json::json!([]);
    for u in fjord["users"].as_array_mut().unwrap() {
        if u["email"] == "owen@fjord.test" {
            u["role"] = "member".into();
            u["grants"] = serde_json::json!(["account-admin"]);
        }
        if u["email"] == "ada@fjord.test" {
            u["role"] = "owner".into();
            u["grants"] = serde_json::json!([]);
        }
    }
    let before = p.dump();
    let owen = [("PORTALCTL_AS", "owen@fjord.test")];
    let run = p.apply_stdin(&["--prune", "--yes"], &owen, &doc.to_string());
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    says(
        &run.stderr,
        "help: `ada@fjord.test` (the owner this would make) holds `addresses.edit`",
    );
    assert!(!run.stderr.contains("(the owner) "), "{}", run.stderr);
    assert_eq!(p.dump(), before, "a refusal changes nothing");
    // Without the prune it goes through.
    let run = p.apply_stdin(&[], &owen, &doc.to_string());
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let ada = p.json(&["user", "show", "ada@fjord.test"]);
    assert_eq!(ada["owner"], true, "{ada}");
}

/// A file that respells a label only in case of another script keeps
/// the label held, as it keeps an account's or policy's name: the plan
/// and the apply change nothing, and no address is removed and added
/// again (finding N5).
#[test]
fn a_label_respelled_in_case_is_unchanged_as_names_are() {
    let p = demo();
    p.ok(&[
        "account", "address", "add", "--account", ACCOUNT, "--label", "Straße Émile", "--line1",
        "x", "--city", "London", "--postcode", "E1 1AA", "--country", "GB",
    ]);
    p.ok(&[
        "policy", "create", "--account", ACCOUNT, "--name", "Über Straße", "--threshold", "5",
    ]);
    let exported = p.ok(&["export"]);
    let shouted = exported
        .replace("\"Straße Émile\"", "\"STRASSE ÉMILE\"")
        .replace("\"Über Straße\"", "\"ÜBER STRASSE\"");
    assert_ne!(shouted, exported);
    let before = p.dump();
    for args in [&["--json", "--dry-run"][..], &["--json"]] {
        let run = apply_stdin(&p, args, &shouted);
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        let counts: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            (counts["created"].as_u64(), counts["updated"].as_u64()),
            (Some(0), Some(0)),
            "{}",
            run.stdout
        );
    }
    assert_eq!(p.dump(), before, "nothing written");
    assert_eq!(p.ok(&["export"]), exported);
}

/// A role only a leaver held may be retired (the leaver holds no role);
/// the database's export still applies, to itself as unchanged and to an
/// empty database as a copy whose export is the same. The leaver is
/// written with the role `activate` gives back, the catalog's least once
/// theirs was retired, in the original and the copy alike.
#[test]
fn export_then_apply_keeps_a_leaver_whose_role_was_retired() {
    let p = Portal::new();
    p.ok(&[
        "role", "create", "helper", "--capabilities", "portal.access,account.view",
    ]);
    p.member("h@acme.test", "helper");
    p.ok(&["user", "left-company", "h@acme.test", "--yes"]);
    p.ok(&["role", "delete", "helper", "--yes"]);
    let exported = p.ok(&["export"]);
    let run = apply_stdin(&p, &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "updated    0");
    let copy = Portal::empty();
    let run = apply_stdin(&copy, &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), exported);
    for db in [&p, &copy] {
        db.ok(&["user", "activate", "h@acme.test", "--yes"]);
        let back = db.json(&["user", "show", "h@acme.test"]);
        assert_eq!(back["role"], "user", "{back}");
    }
}
