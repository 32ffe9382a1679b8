//! Irreversible or access-removing commands ask on a terminal unless
//! `--yes`; without one (or with `--no-input`) they need `--yes`.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::support::*;

/// The commands that ask, each on a member set up for it.
fn asking(p: &Portal) -> Vec<Vec<String>> {
    p.member("dee@acme.test", "user");
    p.member("lee@acme.test", "user");
    p.invite("ivy@acme.test", "user", ACCOUNT);
    p.ok(&["role", "create", "spare", "--capabilities", "account.view"]);
    p.member("dup@acme.test", "user");
    p.member("kept@acme.test", "user");
    p.ok(&[
        "user", "flag-duplicate", "dup@acme.test", "--of", "kept@acme.test",
    ]);
    [
        &["user", "deactivate", "dee@acme.test"][..],
        &["user", "left-company", "lee@acme.test"],
        &["user", "revoke-invite", "ivy@acme.test"],
        &["role", "delete", "spare"],
        &["user", "merge", "dup@acme.test", "--into", "kept@acme.test"],
        &["user", "transfer-ownership", "--to", "kept@acme.test"],
    ]
    .iter()
    .map(|args| args.iter().map(|a| a.to_string()).collect())
    .collect()
}

#[test]
fn without_a_terminal_each_needs_yes_and_changes_nothing() {
    let p = Portal::new();
    for args in asking(&p) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let before = p.dump();
        for extra in [&[][..], &["--no-input"]] {
            let err = p.refused(&[&args[..], extra].concat(), USAGE);
            says(&err, "pass --yes");
            assert_eq!(before, p.dump(), "{args:?} changed the database");
        }
    }
    // With --yes (or -y) each goes through.
    p.ok(&["user", "deactivate", "-y", "dee@acme.test"]);
    p.ok(&["user", "left-company", "--yes", "lee@acme.test"]);
    p.ok(&["user", "revoke-invite", "--yes", "ivy@acme.test"]);
    p.ok(&["role", "delete", "--yes", "spare"]);
}

#[test]
fn a_request_that_would_be_refused_is_refused_before_anyone_confirms() {
    let p = Portal::new();
    // Without --yes, the refusal is the rule's own, not a call for --yes.
    let err = p.refused(&["user", "deactivate", OWNER], CONFLICT);
    assert!(!err.contains("--yes"), "{err}");
    let err = p.refused(&["role", "delete", "admin"], CONFLICT);
    assert!(!err.contains("--yes"), "{err}");
    p.refused(&["user", "revoke-invite", "nobody@acme.test"], NOT_FOUND);
    p.member("una@acme.test", "user");
    p.refused(
        &["user", "left-company", "--as", "una@acme.test", OWNER],
        DENIED,
    );
}

/// Runs `args` on a pseudo-terminal (util-linux `script`) answering
/// `answer`; `None` where there is no `script`.
fn on_a_terminal(p: &Portal, args: &[&str], answer: &str) -> Option<(i32, String)> {
    on_a_terminal_of("dumb", p, args, answer)
}

/// [`on_a_terminal`], on a terminal of kind `term` (`TERM`).
fn on_a_terminal_of(term: &str, p: &Portal, args: &[&str], answer: &str) -> Option<(i32, String)> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|s| std::path::Path::new(s).exists())?;
    let line = std::iter::once(env!("CARGO_BIN_EXE_portalctl"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let plain = p.command(&[], &[]);
    let mut cmd = Command::new(script);
    cmd.args(["-qec", &line, "/dev/null"])
        .env_clear()
        .envs(plain.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", term)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().ok()?;
    let mut stdin = child.stdin.take().unwrap();
    // Give the prompt time to appear before answering it.
    std::thread::sleep(std::time::Duration::from_millis(700));
    stdin.write_all(answer.as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    Some((out.status.code().unwrap_or(-1), text))
}

#[test]
fn on_a_terminal_it_asks_and_a_no_changes_nothing() {
    let p = Portal::new();
    p.member("dee@acme.test", "user");
    let before = p.dump();
    let Some((code, text)) = on_a_terminal(&p, &["user", "deactivate", "dee@acme.test"], "n\n")
    else {
        return;
    };
    says(&text, "deactivate `dee@acme.test`? they lose access");
    says(&text, "cancelled; nothing changed");
    assert_eq!(code, USAGE, "{text}");
    assert_eq!(before, p.dump());
    let (code, text) = on_a_terminal(&p, &["user", "deactivate", "dee@acme.test"], "y\n").unwrap();
    assert_eq!(code, SUCCESS, "{text}");
    assert_eq!(
        p.json(&["user", "show", "dee@acme.test"])["status"],
        "deactivated"
    );
}

/// A pseudo-terminal nobody sized reports 0 columns: a table is then
/// printed as it is, not squeezed to one character a line.
#[test]
fn on_an_unsized_terminal_a_table_keeps_its_rows() {
    let p = Portal::new();
    p.member("dee@acme.test", "user");
    let Some((code, text)) = on_a_terminal(&p, &["user", "list"], "") else {
        return;
    };
    assert_eq!(code, SUCCESS, "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("dee@acme.test") && l.contains("user") && l.contains("active")),
        "{text}"
    );
}

#[test]
fn on_a_terminal_an_empty_list_says_what_it_lacks() {
    let p = Portal::new();
    let Some((code, text)) = on_a_terminal(&p, &["order", "list", "--status", "pending"], "")
    else {
        return;
    };
    assert_eq!(code, SUCCESS, "{text}");
    says(&text, "no orders match");
    let (_, text) = on_a_terminal(&p, &["policy", "list"], "").unwrap();
    says(&text, "no policies");
}

#[test]
fn on_a_terminal_invite_asks_for_a_role_the_catalog_does_not_give() {
    let p = Portal::new();
    // The least access first: Enter alone invites a user, not an admin.
    let args = ["user", "invite", "una@acme.test", "--no-send"];
    let Some((code, text)) = on_a_terminal(&p, &args, "\r") else {
        return;
    };
    assert_eq!(code, SUCCESS, "{text}");
    assert_eq!(p.json(&["user", "show", "una@acme.test"])["role"], "user");
    // Down once from `user`, then Enter.
    let args = ["user", "invite", "ann@acme.test", "--no-send"];
    let (code, text) = on_a_terminal(&p, &args, "\u{1b}[B\r").unwrap();
    assert_eq!(code, SUCCESS, "{text}");
    says(&text, "role for `ann@acme.test`");
    assert_eq!(
        p.json(&["user", "show", "ann@acme.test"])["role"],
        "manager"
    );
    // Without a terminal it never asks: --role is needed.
    let stderr = p.refused(&["user", "invite", "bob@acme.test"], USAGE);
    says(&stderr, "gives no role by default");
    // A catalog with a default role takes it, unasked.
    let areas = Portal::with_preset("customer-area");
    let (code, text) = on_a_terminal(&areas, &args, "").unwrap();
    assert_eq!(code, SUCCESS, "{text}");
    assert!(!text.contains("role for"), "{text}");
    assert_eq!(
        areas.json(&["user", "show", "ann@acme.test"])["role"],
        "member"
    );
}

#[test]
fn on_a_terminal_invite_asks_for_a_missing_email_until_it_reads_as_one() {
    let p = Portal::new();
    let args = ["user", "invite", "--role", "user", "--no-send"];
    let Some((code, text)) = on_a_terminal(&p, &args, "not-an-email\rann@acme.test\r") else {
        return;
    };
    assert_eq!(code, SUCCESS, "{text}");
    says(&text, "email of the person to invite");
    // The first answer was refused as the argument would be, then asked again.
    says(&text, "not-an-email");
    assert_eq!(p.json(&["user", "show", "ann@acme.test"])["role"], "user");
    // Without a terminal, or with --no-input, it never asks: the argument
    // is named, exit 2.
    let stderr = p.refused(&["user", "invite", "--role", "user"], USAGE);
    says(&stderr, "EMAIL (or --email EMAIL)");
    let before = p.dump();
    let (code, text) =
        on_a_terminal(&p, &["--no-input", "user", "invite", "--role", "user"], "").unwrap();
    assert_eq!(code, USAGE, "{text}");
    says(&text, "EMAIL (or --email EMAIL)");
    assert!(!text.contains("person to invite:"), "{text}");
    assert_eq!(before, p.dump());
}

/// A catalog that needs every member's city and country (`moodle`) has a
/// terminal ask for those left out, each read as its flag would be.
#[test]
fn on_a_terminal_invite_asks_for_the_city_and_country_the_catalog_needs() {
    let p = Portal::with_preset("moodle");
    let args = [
        "user", "invite", "bob@acme.test", "--role", "staff", "--no-send",
    ];
    let Some((code, text)) = on_a_terminal(&p, &args, "Leeds\rXX\rgb\r") else {
        return;
    };
    assert_eq!(code, SUCCESS, "{text}");
    says(&text, "city of `bob@acme.test`");
    says(&text, "country of `bob@acme.test`");
    says(&text, "unknown country `XX`");
    let bob = p.json(&["user", "show", "bob@acme.test"]);
    assert_eq!(
        (&bob["city"], &bob["country"]),
        (&"Leeds".into(), &"GB".into()),
        "{bob}"
    );
    // The default catalog needs no location and asks for none.
    let portal = Portal::new();
    let (code, text) = on_a_terminal(
        &portal,
        &[
            "user", "invite", "cy@acme.test", "--role", "user", "--no-send",
        ],
        "",
    )
    .unwrap();
    assert_eq!(code, SUCCESS, "{text}");
    assert!(!text.contains("city of"), "{text}");
    // Without a terminal the catalog's own refusal names the flags.
    let stderr = p.refused(
        &["user", "invite", "dee@acme.test", "--role", "staff"],
        USAGE,
    );
    says(&stderr, "--city");
}

#[test]
fn on_a_terminal_apply_shows_its_progress_and_in_a_pipe_only_its_counts() {
    let p = Portal::empty();
    let file = p.db.with_file_name("users.json");
    let users: Vec<_> =
        std::iter::once(serde_json::json!({"email": "olive@acme.test", "role": "admin"}))
            .chain(
                (0..50).map(
                    |i| serde_json::json!({"email": format!("u{i}@acme.test"), "role": "user"}),
                ),
            )
            .collect();
    let doc = serde_json::json!({"preset": "portal",
        "accounts": [{"name": "Acme Ltd", "owner": "olive@acme.test", "users": users}]});
    std::fs::write(&file, doc.to_string()).unwrap();
    let path = file.to_str().unwrap();
    let Some((code, text)) = on_a_terminal_of("xterm", &p, &["apply", path], "") else {
        return;
    };
    assert_eq!(code, SUCCESS, "{text}");
    says(&text, "/51 users");
    says(&text, "created    53");
    // Piped, or on a terminal that cannot redraw a line, no bar.
    let again = p.run(&["apply", path]);
    assert_eq!((again.code, again.stderr.as_str()), (SUCCESS, ""));
    let (_, text) = on_a_terminal(&p, &["apply", path], "").unwrap();
    assert!(!text.contains("users,"), "{text}");
}

/// `apply --prune` asks on a terminal only when it would remove something,
/// saying how much; a no changes nothing.
#[test]
fn on_a_terminal_prune_asks_what_it_would_remove_and_a_no_changes_nothing() {
    let p = Portal::new();
    p.member("dee@acme.test", "user");
    let file = p.db.with_file_name("owner-only.json");
    let doc = serde_json::json!({"accounts": [{"name": ACCOUNT, "users": [{"email": OWNER}]}]});
    std::fs::write(&file, doc.to_string()).unwrap();
    let path = file.to_str().unwrap();
    let before = p.dump();
    let Some((code, text)) = on_a_terminal(&p, &["apply", "--prune", path], "n\n") else {
        return;
    };
    says(
        &text,
        "with --prune? it would deactivate 1 member that the file no longer lists",
    );
    says(&text, "cancelled; nothing changed");
    assert_eq!(code, USAGE, "{text}");
    assert_eq!(before, p.dump());
    let (code, text) = on_a_terminal(&p, &["apply", "--prune", path], "y\n").unwrap();
    assert_eq!(code, SUCCESS, "{text}");
    assert_eq!(
        p.json(&["user", "show", "dee@acme.test"])["status"],
        "deactivated"
    );
    // Now nothing is left to remove: no question.
    let (code, text) = on_a_terminal(&p, &["apply", "--prune", path], "").unwrap();
    assert_eq!(code, SUCCESS, "{text}");
    assert!(!text.contains("--prune?"), "{text}");
}

/// Findings N#20: disabling the policies a file no longer lists approves
/// the pending orders they alone hold, as `policy disable` does. The
/// question says which, and the apply's answer names them (`released`,
/// JSON `released`), as `policy disable`'s does.
#[test]
fn prune_says_which_pending_orders_disabling_policies_approves() {
    let p = Portal::new();
    p.member("max@acme.test", "manager");
    p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
    let placed = p.json_as(
        Some("max@acme.test"),
        &["order", "place", "--description", "Rack", "--amount", "60"],
    );
    assert_eq!(placed["status"], "pending");
    let mut doc = p.json(&["export"]);
    doc["accounts"][0]["policies"] = serde_json::json!([]);
    let file = p.db.with_file_name("no-policies.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let path = file.to_str().unwrap();
    let planned = p.ok(&["apply", "--prune", "--dry-run", path]);
    says(
        &planned,
        "order 1, would be approved: no policy holds them now",
    );
    if let Some((code, text)) = on_a_terminal(&p, &["apply", "--prune", path], "n\n") {
        says(
            &text,
            "it would disable 1 policy that the file no longer lists, and approve pending order 1 that no policy would hold then",
        );
        assert_eq!(code, USAGE, "{text}");
    }
    let applied = p.json(&["apply", "--prune", "--yes", path]);
    assert_eq!(applied["released"], serde_json::json!([1]), "{applied}");
    assert_eq!(p.json(&["order", "show", "1"])["status"], "approved");
    // Nothing left to release: the key is left out, as before.
    let again = p.json(&["apply", "--prune", "--yes", path]);
    assert!(again.get("released").is_none(), "{again}");
}
