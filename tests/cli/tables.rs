//! Table output for people: every user command prints its result as
//! aligned `field  value` rows (or a list with a header), never JSON.

use crate::support::{Portal, ACCOUNT, OWNER};

/// The value printed beside `field` in a field table.
#[track_caller]
fn field<'a>(out: &'a str, field: &str) -> &'a str {
    out.lines()
        .find_map(|l| {
            l.strip_prefix(field)
                .filter(|rest| rest.starts_with("  "))
                .map(str::trim)
        })
        .unwrap_or_else(|| panic!("no `{field}` row in:\n{out}"))
}

#[test]
fn user_commands_print_field_tables() {
    let p = Portal::new();
    let out = p.ok(&[
        "user", "invite", "--email", "ann@acme.test", "--name", "Ann", "--role", "user",
    ]);
    assert_eq!(field(&out, "status"), "invited");
    assert!(
        field(&out, "token").starts_with("pinv_")
            && field(&out, "token").ends_with("(shown only this once)")
    );
    let token = field(&out, "token").split(' ').next().unwrap().to_string();
    assert_eq!(
        field(&p.ok(&["user", "accept", &token]), "status"),
        "active"
    );
    assert_eq!(
        field(
            &p.ok(&["user", "set-role", "ann@acme.test", "manager"]),
            "role"
        ),
        "manager"
    );
    // Grants go on top of a role in the catalog that has areas.
    let areas = Portal::with_preset("customer-area");
    areas.member("ann@acme.test", "member");
    assert_eq!(
        field(
            &areas.ok(&["user", "grant", "ann@acme.test", "billing"]),
            "grants"
        ),
        "billing"
    );
    assert_eq!(
        field(
            &areas.ok(&["user", "revoke", "ann@acme.test", "billing"]),
            "grants"
        ),
        "-"
    );
    assert_eq!(
        field(
            &p.ok(&["user", "deactivate", "--yes", "ann@acme.test"]),
            "status"
        ),
        "deactivated"
    );
    assert_eq!(
        field(&p.ok(&["user", "activate", "ann@acme.test"]), "status"),
        "active"
    );
    let left = p.ok(&["user", "left-company", "--yes", "ann@acme.test"]);
    assert_eq!(
        (field(&left, "status"), field(&left, "role")),
        ("left", "no-access")
    );
    let show = p.ok(&["user", "show", OWNER]);
    assert_eq!(field(&show, "owner"), "yes");
    assert!(field(&show, "capabilities").contains("users.manage"));
    let can = p.ok(&["can", OWNER, "users.manage"]);
    assert_eq!(field(&can, "allowed"), "yes");
    assert_eq!(
        field(&can, "reason"),
        "account owner: holds every capability"
    );
    let out = p.ok(&[
        "user", "invite", "--email", "bob@acme.test", "--name", "Bob", "--role", "user",
        "--no-send",
    ]);
    assert_eq!(field(&out, "invitation email"), "not sent (--no-send)");
    assert!(
        field(&p.ok(&["user", "resend-invite", "bob@acme.test"]), "token").starts_with("pinv_")
    );
    assert_eq!(
        // "A revoked invitation shows as `revoked`, not `deactivated`".
        field(
            &p.ok(&["user", "revoke-invite", "--yes", "bob@acme.test"]),
            "status"
        ),
        "revoked"
    );
}

#[test]
fn lists_have_a_header_and_one_row_each() {
    let p = Portal::new();
    p.member("ann@acme.test", "manager");
    let list = p.ok(&["user", "list"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "{list}");
    assert!(lines[0].starts_with("EMAIL") && lines[0].contains("STATUS"));
    assert!(
        lines[2].starts_with(OWNER) && lines[2].contains("admin (owner)"),
        "{list}"
    );
    let audit = p.ok(&["audit", "list"]);
    assert!(audit.lines().next().unwrap().starts_with("SEQ"));
    assert!(audit
        .lines()
        .any(|l| l.contains("user.accept") && l.contains("ann@acme.test")));
    let outbox = p.ok(&["outbox", "list"]);
    assert!(
        outbox
            .lines()
            .any(|l| l.contains("ann@acme.test") && l.contains(ACCOUNT)),
        "{outbox}"
    );
    let accounts = p.ok(&["account", "list"]);
    assert!(
        accounts.lines().nth(1).unwrap().starts_with(ACCOUNT),
        "{accounts}"
    );
    // An empty list prints its header alone.
    assert_eq!(
        p.ok(&["user", "list", "--status", "left"]),
        "EMAIL  NAME  ACCOUNT  ROLE  STATUS  GRANTS\n"
    );
}

/// Every list, empty, prints its table's header line alone, and `[]` in
/// JSON: a script finds the columns, and a person sees the list ran.
#[test]
fn an_empty_list_prints_its_header_or_an_empty_array() {
    let p = Portal::new();
    for args in [
        &["user", "list", "--status", "left"][..],
        &["order", "list"],
        &["policy", "list"],
        &["service", "list"],
        &["cost-centre", "list"],
        &["outbox", "list"],
        &["course", "list"],
        &["license", "list"],
        &["account", "address", "list"],
        &["audit", "list", "--action", "order.approve"],
    ] {
        let table = p.ok(args);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: {table:?}");
        assert!(
            !lines[0].chars().any(|c| c.is_lowercase()),
            "a header: {args:?}: {table:?}"
        );
        let mut json = vec!["--json"];
        json.extend(args);
        assert_eq!(p.ok(&json), "[]\n", "{args:?}");
    }
}

#[test]
fn merge_flag_and_transfer_print_their_outcome() {
    let p = Portal::new();
    p.member("ann@acme.test", "admin");
    p.member("a.smith@acme.test", "user");
    let flag = p.ok(&[
        "user", "flag-duplicate", "a.smith@acme.test", "--of", "ann@acme.test",
    ]);
    assert_eq!(field(&flag, "duplicate of"), "ann@acme.test");
    // 000: "Duplicate will inform our support team": until support merges
    // them, the list shows who was flagged.
    let list = p.ok(&["user", "list"]);
    let flagged = list.lines().find(|l| l.starts_with("a.smith@")).unwrap();
    assert!(
        flagged.contains("active, duplicate of ann@acme.test"),
        "{list}"
    );
    let ann = list.lines().find(|l| l.starts_with("ann@")).unwrap();
    assert!(!ann.contains("duplicate"), "{list}");
    let merged = p.ok(&[
        "user", "merge", "a.smith@acme.test", "--into", "ann@acme.test", "--yes",
    ]);
    assert_eq!(
        (field(&merged, "merged"), field(&merged, "ended")),
        ("a.smith@acme.test", ACCOUNT)
    );
    let moved = p.ok(&[
        "user", "transfer-ownership", "--to", "ann@acme.test", "--yes",
    ]);
    assert_eq!(field(&moved, "owner"), "yes");
    let set = p.ok(&["account", "set", ACCOUNT, "--website", "https://acme.test"]);
    assert_eq!(field(&set, "website"), "https://acme.test");
}

#[test]
fn user_list_limit_takes_the_first_members_by_email() {
    let p = Portal::new();
    for who in ["dan", "bea", "cal"] {
        p.member(&format!("{who}@acme.test"), "user");
    }
    let listed = p.json(&["user", "list", "--limit", "2"]);
    let emails: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["bea@acme.test", "cal@acme.test"]);
    let table = p.ok(&["user", "list", "--limit", "2"]);
    let rows: Vec<&str> = table
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(rows, ["bea@acme.test", "cal@acme.test"], "{table}");
    assert_eq!(
        p.json(&["user", "list", "--limit", "0"]),
        serde_json::json!([])
    );
    let everyone = p.ok(&["user", "list"]);
    assert_eq!(everyone.lines().count(), 1 + 4, "{everyone}");
    assert!(everyone.contains(OWNER), "{everyone}");
}

/// A list across accounts comes a page per account, the first often the
/// narrowest: its columns are still sized to every row, so each column
/// starts at the same place on every line.
#[test]
fn a_list_across_accounts_keeps_its_columns_aligned() {
    let p = Portal::new();
    p.ok(&[
        "account", "create", "Harbour Managed Services Ltd", "--kind", "partner",
    ]);
    p.member_in("hana@harbour.test", "user", "Harbour Managed Services Ltd");
    for (account, description) in [(ACCOUNT, "Desk"), ("Harbour Managed Services Ltd", "Rack")] {
        p.ok(&[
            "order", "place", "--account", account, "--description", description, "--amount",
            "5.00",
        ]);
    }
    for args in [&["order", "list"][..], &["user", "list"][..]] {
        let list = p.ok(args);
        let lines: Vec<&str> = list.lines().collect();
        assert!(lines.len() > 2, "{list}");
        let status = lines[0].find("STATUS").unwrap_or_else(|| panic!("{list}"));
        for line in &lines[1..] {
            let cell = line.get(status..).unwrap_or_default();
            assert!(
                ["active", "approved", "pending"]
                    .iter()
                    .any(|s| cell.starts_with(s)),
                "STATUS starts at {status} on every line:\n{list}"
            );
        }
    }
}
