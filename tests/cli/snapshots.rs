//! Snapshots of what people and scripts read: tables, JSON documents and
//! error messages, at a fixed clock. A change to any of them shows up here.

use crate::support::{Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, USAGE};

/// Stdout with the one random part, the invitation token, masked.
fn masked(text: &str) -> String {
    text.split_whitespace().fold(text.to_string(), |acc, word| {
        let word = word.trim_matches(|c| c == '"' || c == ',');
        if word.starts_with("pinv_") {
            acc.replace(word, "pinv_[token]")
        } else {
            acc
        }
    })
}

fn seeded() -> Portal {
    Portal::cached("snapshots: seeded", build_seeded)
}

fn build_seeded() -> Portal {
    let p = Portal::new();
    p.member("ann@acme.test", "manager");
    p.member("una@acme.test", "user");
    p.invite("ivy@acme.test", "user", ACCOUNT);
    p.ok(&[
        "policy", "create", "--name", "Finance over 50", "--threshold", "50", "--approvers",
        "owner@acme.test",
    ]);
    p.ok(&[
        "service", "add", "--name", "Broadband London", "--kind", "broadband",
    ]);
    p.ok(&[
        "service", "assign", "Broadband London", "--to", "una@acme.test",
    ]);
    p.json_as(
        Some("ann@acme.test"),
        &[
            "order", "place", "--description", "Router", "--amount", "60", "--type", "hardware",
        ],
    );
    p
}

#[test]
fn user_list_table() {
    insta::assert_snapshot!(seeded().ok(&["user", "list"]));
}

#[test]
fn user_show_table() {
    insta::assert_snapshot!(seeded().ok(&["user", "show", "una@acme.test"]));
}

#[test]
fn invite_json() {
    let p = Portal::new();
    let out = p.ok(&[
        "--json", "user", "invite", "--email", "bob@acme.test", "--name", "Bob", "--role", "user",
    ]);
    insta::assert_snapshot!(masked(&out));
}

#[test]
fn pending_order_json() {
    insta::assert_snapshot!(seeded().ok(&["--json", "order", "show", "1"]));
}

#[test]
fn policy_list_table() {
    insta::assert_snapshot!(seeded().ok(&["policy", "list"]));
}

#[test]
fn refusals_read_clearly() {
    let p = seeded();
    let errors = [
        p.refused_as(Some("una@acme.test"), &["user", "list"], DENIED),
        p.refused_as(Some("ann@acme.test"), &["order", "approve", "1"], DENIED),
        p.refused(
            &["user", "deactivate", "--yes", "owner@acme.test"],
            CONFLICT,
        ),
        p.refused(
            &[
                "user", "invite", "--email", "not-an-email", "--name", "X", "--role", "user",
            ],
            USAGE,
        ),
        p.refused(
            &["order", "place", "--description", "X", "--amount", "12.345"],
            USAGE,
        ),
        p.refused(&["user", "accept", "pinv_0000"], NOT_FOUND),
    ];
    insta::assert_snapshot!(errors.join("\n"));
}
