//! What a script relies on: `can`'s exit code, and errors it can parse.

use serde_json::Value;

use crate::support::*;

/// The one JSON error object on stderr, after asserting that stdout is
/// empty and the exit code matches it.
#[track_caller]
fn json_error(run: &Run, code: i32) -> Value {
    assert_eq!(run.code, code, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "", "nothing on stdout on an error");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr: {}", run.stderr);
    let v: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["error"]["code"], code, "{v}");
    v["error"].clone()
}

#[test]
fn can_exits_0_for_yes_and_5_for_no_with_the_answer_either_way() {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    let yes = p.run(&["can", "una@acme.test", "portal.access"]);
    assert_eq!(yes.code, SUCCESS, "{}", yes.stderr);
    says(&yes.stdout, "allowed     yes");
    let no = p.run(&["can", "una@acme.test", "users.manage"]);
    assert_eq!(no.code, DENIED, "{}", no.stderr);
    says(&no.stdout, "allowed     no");
    says(&no.stdout, "role `user` does not include it");
    assert_eq!(no.stderr, "", "a no is an answer, not an error");
    // --json: the same answer as a document, the same exit code.
    let no = p.run(&["--json", "can", "una@acme.test", "users.manage"]);
    assert_eq!(no.code, DENIED);
    let v: Value = serde_json::from_str(&no.stdout).unwrap();
    assert_eq!(v["allowed"], false);
    // A refusal to answer is still an error, on stderr.
    let refused = p.run(&["--as", "una@acme.test", "can", OWNER, "users.manage"]);
    assert_eq!(refused.code, DENIED);
    assert_eq!(refused.stdout, "");
    says(&refused.stderr, "error: ");
}

#[test]
fn with_json_every_error_is_one_json_object_on_stderr() {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    let denied = json_error(
        &p.run(&["--json", "--as", "una@acme.test", "user", "list"]),
        DENIED,
    );
    assert_eq!(denied["kind"], "permission_denied");
    says(denied["message"].as_str().unwrap(), "needs `users.view`");
    says(denied["help"].as_str().unwrap(), "owner@acme.test");
    let missing = json_error(
        &p.run(&["--json", "user", "show", "nobody@acme.test"]),
        NOT_FOUND,
    );
    assert_eq!(missing["kind"], "not_found");
    assert_eq!(missing["help"], Value::Null);
    let conflict = json_error(
        &p.run(&["--json", "-y", "user", "deactivate", "--yes", OWNER]),
        CONFLICT,
    );
    assert_eq!(conflict["kind"], "conflict");
    // Values refused while parsing, and clap's own usage errors.
    let bad = json_error(&p.run(&["--json", "user", "show", "not-an-email"]), USAGE);
    assert_eq!(bad["kind"], "invalid");
    let unknown = json_error(&p.run(&["--json", "user", "frobnicate"]), USAGE);
    says(unknown["message"].as_str().unwrap(), "frobnicate");
    // A missing argument is named, as the text form names it on the next
    // line.
    let missing = json_error(&p.run(&["--json", "order", "reject", "3"]), USAGE);
    assert_eq!(
        missing["message"],
        "the following required arguments were not provided: --reason <REASON>"
    );
    // Hostile text in a message stays inert, as in the text form.
    let hostile = json_error(
        &p.run(&["--json", "user", "show", "a\u{202e}b@acme.test"]),
        USAGE,
    );
    assert!(!hostile.to_string().contains('\u{202e}'), "{hostile}");
    // Help is no error, and stays text.
    let help = p.run(&["--json", "--help"]);
    assert_eq!(help.code, SUCCESS);
    says(&help.stdout, "Usage:");
}

#[test]
fn without_json_errors_stay_text() {
    let p = Portal::new();
    let run = p.run(&["user", "show", "nobody@acme.test"]);
    assert_eq!(run.code, NOT_FOUND);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
}

#[test]
fn lists_take_a_limit_and_an_empty_list_is_an_empty_array() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.member("bob@acme.test", "user");
    let all = p.json(&["user", "list"]);
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    let one = p.json(&["user", "list", "--limit", "1"]);
    assert_eq!(one.as_array().unwrap().len(), 1, "{one}");
    assert_eq!(one[0], all[0], "the first in the list's order");
    for list in [
        &["order", "list"][..],
        &["policy", "list"],
        &["service", "list"],
        &["outbox", "list", "--failed"],
        &["user", "list", "--status", "left"],
    ] {
        let v = p.json(list);
        assert_eq!(v, serde_json::json!([]), "{list:?}");
        // The table's header line alone.
        let text = p.run(list);
        assert_eq!(text.code, SUCCESS, "{list:?}");
        assert_eq!(text.stdout.lines().count(), 1, "{list:?}: {}", text.stdout);
        assert!(
            !text.stdout.chars().any(char::is_lowercase),
            "a header: {list:?}: {}",
            text.stdout
        );
    }
    let mail = p.json(&["outbox", "list", "--limit", "1"]);
    assert_eq!(mail.as_array().unwrap().len(), 1, "{mail}");
    let accounts = p.json(&["account", "list", "--limit", "0"]);
    assert_eq!(accounts, serde_json::json!([]));
    for help in [["user", "list"], ["order", "list"], ["outbox", "list"]] {
        says(&p.ok(&[help[0], help[1], "--help"]), "--limit <COUNT>");
    }
}

#[test]
fn audit_list_shows_the_newest_50_and_filters_by_action_and_time() {
    let p = Portal::new();
    for i in 0..55 {
        p.ok(&[
            "settings",
            "set",
            "support-email",
            &format!("help{i}@acme.test"),
        ]);
    }
    let events = p.json(&["audit", "list"]);
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 50);
    assert_eq!(events[49]["seq"], 56, "the newest, oldest first");
    assert_eq!(
        p.json(&["audit", "list", "--all"])
            .as_array()
            .unwrap()
            .len(),
        56
    );
    assert_eq!(
        p.json(&["audit", "list", "--limit", "3"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
    p.refused(&["audit", "list", "--limit", "3", "--all"], USAGE);
    let init = p.json(&["audit", "list", "--action", "init"]);
    assert_eq!(init.as_array().unwrap().len(), 1, "{init}");
    // The clock is fixed at NOW (2026-11-25T10:00:00Z): a date is a whole day.
    let today = [
        "audit", "list", "--all", "--since", "2026-11-25", "--until", "2026-11-25",
    ];
    assert_eq!(p.json(&today).as_array().unwrap().len(), 56);
    let before = p.json(&["audit", "list", "--until", "2026-11-24"]);
    assert_eq!(before, serde_json::json!([]));
    let after = p.json(&["audit", "list", "--since", "2026-11-26T00:00:00Z"]);
    assert_eq!(after, serde_json::json!([]));
    let recent = p.json(&["audit", "list", "--since", "1h", "--action", "init"]);
    assert_eq!(recent.as_array().unwrap().len(), 1);
    let old = p.json(&["audit", "list", "--until", "1h"]);
    assert_eq!(old, serde_json::json!([]));
}

/// clap's own suggestion for a typo is kept in the JSON error's help,
/// as the text form prints it as a tip.
#[test]
fn with_json_a_usage_error_keeps_clap_s_suggestion() {
    let p = Portal::new();
    let text = p.run(&["user", "invte", "x@acme.test"]);
    says(&text.stderr, "tip: a similar subcommand exists: 'invite'");
    let typo = json_error(&p.run(&["--json", "user", "invte", "x@acme.test"]), USAGE);
    assert_eq!(typo["message"], "unrecognized subcommand 'invte'");
    assert_eq!(
        typo["help"],
        "a similar subcommand exists: 'invite'; `portalctl help` and `--help` show the arguments"
    );
    let flag = json_error(&p.run(&["--json", "user", "list", "--limt", "3"]), USAGE);
    says(
        flag["help"].as_str().unwrap(),
        "a similar argument exists: '--limit'",
    );
    // Nothing like it: the help alone.
    let nothing = json_error(&p.run(&["--json", "user", "zzzzzz"]), USAGE);
    assert_eq!(
        nothing["help"],
        "`portalctl help` and `--help` show the arguments"
    );
}

/// `audit head --json` carries the anchor its table shows, so a script
/// keeps it and passes it back to `audit verify --anchor` as it is.
#[test]
fn the_audit_head_anchor_in_json_is_what_verify_takes() {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    let head = p.json(&["audit", "head"]);
    let anchor = head["anchor"].as_str().expect("an anchor").to_string();
    assert_eq!(
        anchor,
        format!("{}:{}", head["seq"], head["hash"].as_str().unwrap())
    );
    let table = p.ok(&["audit", "head"]);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("anchor") && l.ends_with(&anchor)),
        "{table}"
    );
    let v = p.json(&["audit", "verify", "--anchor", &anchor]);
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["anchor"], anchor.as_str());
    assert_eq!(v["head"]["anchor"], anchor.as_str());
}
