//! Orders named by their reference (`ref`) on the command line, as a
//! fixture file or an export names them: `order show PO-2`, approving,
//! rejecting and cancelling by reference, a reference two accounts use,
//! and a reference the acting member may not see.

use serde_json::Value;

use crate::support::{self, error_line, says, Portal, CONFLICT, NOT_FOUND, USAGE};

const ACME: &str = "Acme Ltd";
const BETA: &str = "Beta Ltd";
/// Acme's admin: approves Acme's orders.
const FIN: &str = "fin@acme.test";
/// Acme's manager: places orders and sees all of Acme's.
const MAX: &str = "max@acme.test";
/// Beta's admin, a member of Beta alone.
const BOB: &str = "bob@beta.test";
/// An admin of both accounts.
const ANN: &str = "ann@acme.test";

/// Acme and Beta seeded from a file, as an admin seeds a portal: Acme's
/// `PO-1` (60.00, pending under "Over 50"), `PO-2` and `PO-3` (pending
/// too), and an order of its own with no reference; Beta's `PO-2`.
const SEED: &str = r#"{
  "preset": "portal",
  "accounts": [
    {
      "name": "Acme Ltd", "kind": "partner", "owner": "olive@acme.test",
      "users": [
        {"email": "olive@acme.test", "name": "Olive", "role": "admin"},
        {"email": "fin@acme.test", "name": "Fin", "role": "admin"},
        {"email": "ann@acme.test", "name": "Ann", "role": "admin"},
        {"email": "max@acme.test", "name": "Max", "role": "manager"}
      ],
      "policies": [{"name": "Over 50", "threshold": "50.00"}],
      "orders": [
        {"ref": "PO-1", "created_by": "max@acme.test", "description": "Router", "amount": "60.00"},
        {"ref": "PO-2", "created_by": "max@acme.test", "description": "Switch", "amount": "70.00"},
        {"ref": "PO-3", "created_by": "max@acme.test", "description": "Rack", "amount": "80.00"}
      ]
    },
    {
      "name": "Beta Ltd", "kind": "partner", "owner": "bob@beta.test",
      "users": [
        {"email": "bob@beta.test", "name": "Bob", "role": "admin"},
        {"email": "ann@acme.test", "name": "Ann", "role": "admin"}
      ],
      "orders": [
        {"ref": "PO-2", "created_by": "bob@beta.test", "description": "Desk", "amount": "10.00"}
      ]
    }
  ]
}"#;

fn seeded() -> Portal {
    Portal::cached("orders by ref: acme and beta", || {
        let p = Portal::empty();
        let file = p.db.with_file_name("seed.json");
        std::fs::write(&file, SEED).unwrap();
        p.ok(&["apply", file.to_str().unwrap()]);
        // An order placed with no reference.
        p.change(
            Some(MAX),
            &["order", "place", "--description", "Cable", "--amount", "5"],
            "order.place",
        );
        p
    })
}

/// The number of the order `reference` of `account`, from `order list`.
#[track_caller]
fn number(p: &Portal, account: &str, reference: &str) -> String {
    let list = p.json(&["order", "list", "--account", account]);
    let found = list
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["ref"] == reference)
        .unwrap_or_else(|| panic!("no `{reference}` in {account}: {list}"));
    found["id"].as_i64().unwrap().to_string()
}

#[test]
fn order_show_finds_an_order_seeded_from_a_file_by_its_ref() {
    let p = seeded();
    let id = number(&p, ACME, "PO-1");
    let by_ref = p.json(&["order", "show", "PO-1"]);
    // Beta has an order of that number too: the operator names Acme.
    assert_eq!(by_ref, p.json(&["order", "show", &id, "--account", ACME]));
    assert_eq!(by_ref["ref"], "PO-1");
    assert_eq!(by_ref["account"], ACME);
    let numbered = format!("#{id}");
    assert_eq!(
        p.json(&["order", "show", &numbered, "--account", ACME]),
        by_ref
    );
    let table = p.ok(&["order", "show", "PO-1"]);
    says(&table, "PO-1");
    says(&table, "Router");
    // A member finds it too, with no account to name.
    assert_eq!(
        p.json_as(Some(MAX), &["order", "show", "PO-1"])["id"],
        by_ref["id"]
    );
}

#[test]
fn order_list_shows_a_ref_column_and_ref_in_json() {
    let p = seeded();
    let table = p.ok(&["order", "list", "--account", ACME]);
    let mut lines = table.lines();
    let header = lines.next().unwrap_or_default();
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(&columns[..2], ["ID", "REF"], "{table}");
    says(&table, "PO-1");
    // The order with no reference has an empty cell, not a made-up one.
    let cable = lines.find(|l| l.contains("Cable")).unwrap_or_default();
    let cells: Vec<&str> = cable.split_whitespace().collect();
    assert_eq!(cells[1], MAX, "{table}");
    // JSON has `ref` on every order, null when there is none.
    let refs: Vec<Value> = p
        .json(&["order", "list", "--account", ACME])
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            o.get("ref")
                .cloned()
                .unwrap_or_else(|| panic!("no `ref`: {o}"))
        })
        .collect();
    assert_eq!(
        refs,
        [
            Value::from("PO-1"),
            Value::from("PO-2"),
            Value::from("PO-3"),
            Value::Null
        ]
    );
}

#[test]
fn orders_are_approved_rejected_and_cancelled_by_ref() {
    let p = seeded();
    let approved = p.change(Some(FIN), &["order", "approve", "PO-1"], "order.approve");
    assert_eq!(approved["ref"], "PO-1");
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approvals"], serde_json::json!([FIN]));
    let again = p.refused_as(Some(FIN), &["order", "approve", "PO-1"], CONFLICT);
    says(
        error_line(&again),
        &format!("order {} is already approved", approved["id"]),
    );
    // PO-2 is Acme's and Beta's, but FIN sees only Acme's.
    let rejected = p.change(
        Some(FIN),
        &["order", "reject", "PO-2", "--reason", "over budget"],
        "order.reject",
    );
    assert_eq!(rejected["account"], ACME);
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["rejected_reason"], "over budget");
    let cancelled = p.change(Some(MAX), &["order", "cancel", "PO-3"], "order.cancel");
    assert_eq!(cancelled["status"], "cancelled");
}

#[test]
fn a_ref_two_accounts_use_is_refused_with_their_orders_until_one_is_picked() {
    let p = seeded();
    let acme = number(&p, ACME, "PO-2");
    let beta = number(&p, BETA, "PO-2");
    for who in [None, Some(ANN)] {
        let err = p.refused_as(who, &["order", "show", "PO-2"], USAGE);
        says(
            error_line(&err),
            "reference `PO-2` names orders in several accounts",
        );
        says(
            &err,
            &format!(
                "help: it names order {acme} in `{ACME}` and order {beta} in `{BETA}`: pass --account"
            ),
        );
        let shown = p.json_as(who, &["order", "show", "PO-2", "--account", BETA]);
        assert_eq!(shown["id"].to_string(), beta);
    }
    // Deciding it is refused alike, and decides nothing.
    p.refused_as(Some(ANN), &["order", "approve", "PO-2"], USAGE);
    let approved = p.change(
        Some(ANN),
        &["order", "approve", "PO-2", "--account", ACME],
        "order.approve",
    );
    assert_eq!(approved["id"].to_string(), acme);
    assert_eq!(approved["status"], "approved");
}

#[test]
fn a_ref_the_member_cannot_see_is_refused_as_a_missing_order_is() {
    let p = seeded();
    // A number Beta's orders do not reach (Beta numbers its own).
    let id = number(&p, ACME, "PO-3");
    // Bob is in Beta alone: Acme's PO-1 reads as no order at all, in the
    // words of a reference nobody has, and as Acme's order 3 reads.
    let hidden = p.refused_as(Some(BOB), &["order", "show", "PO-1"], NOT_FOUND);
    let missing = p.refused_as(Some(BOB), &["order", "show", "PO-404"], NOT_FOUND);
    assert_eq!(hidden.replace("PO-1", "X"), missing.replace("PO-404", "X"));
    assert_eq!(error_line(&hidden), "error: no order `PO-1`");
    let by_number = p.refused_as(Some(BOB), &["order", "show", &id], NOT_FOUND);
    assert_eq!(hidden.replace("`PO-1`", &id), by_number);
    // Deciding it too, though Bob approves Beta's orders.
    let approve = p.refused_as(Some(BOB), &["order", "approve", "PO-1"], NOT_FOUND);
    assert_eq!(approve, hidden);
    // Beta's own PO-2 is the only one he sees by that reference.
    let shown = p.json_as(Some(BOB), &["order", "show", "PO-2"]);
    assert_eq!(shown["account"], BETA);
    // And with --json, the error is the same object either way.
    let run = p.run_as(Some(BOB), &["--json", "order", "show", "PO-1"]);
    let err: Value = serde_json::from_str(&run.stderr).unwrap();
    assert_eq!(err["error"]["code"], NOT_FOUND);
    assert_eq!(err["error"]["kind"], "not_found");
}

#[test]
fn malformed_order_keys_are_usage_errors() {
    let p = seeded();
    for bad in ["#x", "", "#", "#0", "#9007199254740992"] {
        let err = p.refused(&["order", "show", bad], USAGE);
        assert!(err.lines().count() <= 2, "{err}");
    }
}

/// `--account` is read first, as `order list --account` reads it: an
/// account the member is no member of is refused as such, and in one they
/// belong to without seeing its orders they are refused there, not told
/// of another account's rights or of no order.
#[test]
fn account_is_read_before_any_order_as_order_list_reads_it() {
    let p = seeded();
    // Bob, Beta's admin, a member of Beta alone.
    for account in ["Nope", ACME] {
        let list = p.run_as(Some(BOB), &["order", "list", "--account", account]);
        let show = p.run_as(Some(BOB), &["order", "show", "PO-1", "--account", account]);
        assert_eq!(
            (show.code, error_line(&show.stderr)),
            (list.code, error_line(&list.stderr)),
            "{account}"
        );
    }
    // Max, Acme's manager, made a plain user of Beta: he sees Acme's
    // orders and none of Beta's.
    p.member_in(MAX, "user", BETA);
    let list = p.run_as(Some(MAX), &["order", "list", "--account", BETA]);
    assert_eq!(list.code, 5, "{}", list.stderr);
    let show = p.run_as(Some(MAX), &["order", "show", "PO-2", "--account", BETA]);
    assert_eq!(
        (show.code, error_line(&show.stderr)),
        (list.code, error_line(&list.stderr))
    );
}

/// A reference is found whatever its letters' case, on the command line
/// and in a file, so one account never holds `PO-3` and `po-3` as two
/// orders that whoever types one could decide for the other.
#[test]
fn references_compare_ignoring_case_on_the_command_line_and_in_files() {
    let p = seeded();
    let id = number(&p, ACME, "PO-1");
    for typed in ["po-1", "Po-1"] {
        let shown = p.json(&["order", "show", typed, "--account", ACME]);
        assert_eq!(shown["id"].to_string(), id, "{typed}");
        assert_eq!(shown["ref"], "PO-1", "kept as placed");
    }
    let approved = p.change(Some(FIN), &["order", "approve", "po-1"], "order.approve");
    assert_eq!(approved["id"].to_string(), id);
    assert_eq!(approved["status"], "approved");

    // A new order may not take a reference its account has in another case.
    let before = p.dump();
    for who in [None, Some(MAX)] {
        let err = p.refused_as(
            who,
            &[
                "order", "place", "--account", ACME, "--description", "Desk", "--amount", "5.00",
                "--ref", "po-3",
            ],
            CONFLICT,
        );
        assert_eq!(
            error_line(&err),
            "error: `Acme Ltd` already has an order `po-3`"
        );
        says(&err, "help: references are compared ignoring case");
    }
    assert_eq!(p.dump(), before, "nothing placed");

    // A file naming the seeded orders in lower case names the same
    // orders: applying it changes nothing.
    let file = p.db.with_file_name("lower.json");
    std::fs::write(&file, SEED.replace("\"ref\": \"PO-", "\"ref\": \"po-")).unwrap();
    let again = p.json(&["apply", file.to_str().unwrap()]);
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
    assert_eq!(p.dump(), before, "nothing applied");

    // One file listing a reference twice, in two cases, is refused
    // before anything is written.
    std::fs::write(
        &file,
        SEED.replace(
            r#"{"ref": "PO-3","#,
            r#"{"ref": "po-1", "created_by": "max@acme.test", "description": "Desk", "amount": "1.00"},
        {"ref": "PO-3","#,
        ),
    )
    .unwrap();
    let err = p.refused(&["apply", file.to_str().unwrap()], USAGE);
    assert_eq!(
        error_line(&err),
        "error: accounts[0].orders[2].ref: `po-1` is listed twice (also at accounts[0].orders[0])"
    );
    assert_eq!(p.dump(), before);
}

/// A database from before migration 18 may hold two references of one
/// account that differ only in case. Both stay; the exact spelling names
/// each, and any other spelling is refused as naming both (exit 2), not
/// resolved to one an approver did not type.
#[test]
fn references_that_differ_only_in_case_from_an_older_database_stay_apart() {
    let p = seeded();
    let older = number(&p, ACME, "PO-1");
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        support::rewind(
            &conn,
            support::version_before("0018_order_refs_ignore_case.sql"),
        );
        conn.execute_batch(
            "INSERT INTO orders (account_id, ref, creator_id, creator, description, order_type,
                 amount, currency, cost_centre_id, ship_to, status, created_at)
             SELECT account_id, 'po-1', creator_id, creator, 'Lower', order_type, amount,
                 currency, cost_centre_id, ship_to, status, created_at
               FROM orders WHERE ref = 'PO-1'",
        )
        .unwrap();
    }
    let lower = p.json(&["order", "show", "po-1", "--account", ACME]);
    assert_eq!(lower["ref"], "po-1");
    assert_eq!(lower["description"], "Lower");
    assert_ne!(lower["id"].to_string(), older);
    let upper = p.json(&["order", "show", "PO-1", "--account", ACME]);
    assert_eq!(upper["id"].to_string(), older);
    let err = p.refused(&["order", "show", "pO-1", "--account", ACME], USAGE);
    assert_eq!(
        error_line(&err),
        format!(
            "error: reference `pO-1` names more than one order in `{ACME}`: `PO-1` (order {older}), `po-1` (order {})",
            lower["id"]
        )
    );
    // Opening it migrated it: the references are found by the new index.
    assert_eq!(
        p.text("SELECT COUNT(*) FROM sqlite_master WHERE name = 'orders_by_ref_key'"),
        "1"
    );
}

/// References compare as names do, case aside in every script: `æø-9`
/// is `ÆØ-9`'s and `réf-1` `RÉF-1`'s, on the command line and in a file.
#[test]
fn references_compare_ignoring_the_case_of_letters_past_ascii() {
    let p = Portal::with_preset("portal");
    let place = |reference: &str| {
        p.ok(&[
            "order", "place", "--account", ACME, "--description", "Desk", "--amount", "5.00",
            "--ref", reference,
        ])
    };
    for (held, others) in [
        ("ÆØ-9", &["æø-9", "Æø-9"][..]),
        ("RÉF-1", &["réf-1", "re\u{301}f-1", "rÉf-1"][..]),
    ] {
        place(held);
        let id = p.json(&["order", "show", held])["id"].clone();
        let before = p.dump();
        for &again in others {
            let err = p.refused(
                &[
                    "order", "place", "--account", ACME, "--description", "Desk", "--amount",
                    "5.00", "--ref", again,
                ],
                CONFLICT,
            );
            says(&err, "already has an order");
            assert_eq!(p.json(&["order", "show", again])["id"], id, "{again}");
        }
        assert_eq!(p.dump(), before, "nothing placed");
    }
    // Opening a database an older portalctl left, where the two were two
    // orders: both stay, the exact spelling names each, any other is
    // refused as naming both, a new order may take neither, and `status`
    // names each with the way to a copy (findings A10, N1).
    let older = p.json(&["order", "show", "RÉF-1"])["id"].clone();
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        support::rewind(&conn, support::version_before("0026_order_ref_keys.sql"));
        conn.execute_batch(
            "INSERT INTO orders (account_id, ref, creator_id, creator, description, order_type,
                 amount, currency, cost_centre_id, ship_to, status, created_at)
             SELECT account_id, 'réf-1', creator_id, creator, 'Lower', order_type, amount,
                 currency, cost_centre_id, ship_to, status, created_at
               FROM orders WHERE ref = 'RÉF-1'",
        )
        .unwrap();
    }
    let lower = p.json(&["order", "show", "réf-1"]);
    assert_eq!(
        (lower["ref"].as_str(), lower["description"].as_str()),
        (Some("réf-1"), Some("Lower"))
    );
    assert_ne!(lower["id"], older);
    assert_eq!(p.json(&["order", "show", "RÉF-1"])["id"], older);
    for neither in ["rÉf-1", "Réf-1", "Re\u{301}f-1"] {
        let err = p.refused(&["order", "show", neither], USAGE);
        says(
            &err,
            &format!("`RÉF-1` (order {older}), `réf-1` (order {})", lower["id"]),
        );
        p.refused(&["order", "approve", neither], USAGE);
    }
    let status = p.ok(&["status"]);
    for (held, other, id) in [("RÉF-1", "réf-1", &older), ("réf-1", "RÉF-1", &lower["id"])] {
        says(
            &status,
            &format!("name: reference `{held}` of order #{id} in `{ACME}` reads as `{other}` too"),
        );
    }
    says(
        &status,
        "no command changes an order's reference: write it anew in the exported file",
    );
    let before = p.dump();
    for again in ["RÉF-1", "réf-1", "Réf-1"] {
        p.refused(
            &[
                "order", "place", "--account", ACME, "--description", "Desk", "--amount", "5.00",
                "--ref", again,
            ],
            CONFLICT,
        );
    }
    assert_eq!(p.dump(), before, "nothing placed");
}

/// A reference that reads as another is refused before any order is
/// placed, by hand and in a member's file: an approver copying `PO-1`
/// from a list must not land on an order whose reference only looks so.
#[test]
fn a_reference_with_a_character_that_shows_as_nothing_is_refused() {
    let p = seeded();
    let before = p.dump();
    let hidden = "PO-1\u{200B}";
    for who in [None, Some(MAX)] {
        let err = p.refused_as(
            who,
            &[
                "order", "place", "--account", ACME, "--description", "Desk", "--amount", "5.00",
                "--ref", hidden,
            ],
            USAGE,
        );
        says(
            error_line(&err),
            "error: --ref `PO-1\\u{200b}` contains a character that shows as nothing (U+200B)",
        );
    }
    let file = p.db.with_file_name("hidden.json");
    std::fs::write(
        &file,
        format!(
            r#"{{"accounts": [{{"name": "{ACME}", "orders": [
                {{"ref": "PO-1\u200b", "created_by": "{MAX}", "description": "Desk", "amount": "5.00"}}]}}]}}"#
        ),
    )
    .unwrap();
    let err = p.refused_as(Some(MAX), &["apply", file.to_str().unwrap()], USAGE);
    says(error_line(&err), "accounts[0].orders[0]");
    says(error_line(&err), "shows as nothing (U+200B)");
    assert_eq!(p.dump(), before, "nothing placed");
}

/// E1: a reference that reads as one the account holds (`P0-1`, a zero;
/// `ＰＯ-1`, full-width; `РО-1`, all Cyrillic; `PO‐1`, a Unicode hyphen)
/// is refused (exit 4) by hand and in a member's file, naming the order
/// it looks like; a word mixing scripts (`PО-1`) is refused (exit 2). A
/// reference only another account holds, or one that reads differently,
/// is placed.
#[test]
fn a_reference_that_looks_like_one_the_account_holds_is_refused() {
    let p = seeded();
    let before = p.dump();
    let place = |who: Option<&str>, reference: &str, code: i32| {
        p.refused_as(
            who,
            &[
                "order", "place", "--account", ACME, "--description", "Desk", "--amount", "5.00",
                "--ref", reference,
            ],
            code,
        )
    };
    let po1 = number(&p, ACME, "PO-1");
    for decoy in ["P0-1", "ＰＯ-1", "РО-1", "PO‐1", "PO−1", "Po-l"] {
        for who in [None, Some(MAX)] {
            let err = place(who, decoy, CONFLICT);
            assert_eq!(
                error_line(&err),
                format!(
                    "error: the order reference `{decoy}` looks like `PO-1`, order {po1} of `{ACME}`"
                ),
            );
        }
    }
    let err = place(Some(MAX), "PО-1", USAGE);
    says(error_line(&err), "mixes Latin and Cyrillic letters");
    // Named by its number in its account: Beta's `PO-2` is Beta's
    // order 1, whatever Acme placed before it.
    let err = p.refused_as(
        Some(BOB),
        &[
            "order", "place", "--account", BETA, "--description", "Desk", "--amount", "5.00",
            "--ref", "P0-2",
        ],
        CONFLICT,
    );
    assert_eq!(
        error_line(&err),
        format!("error: the order reference `P0-2` looks like `PO-2`, order 1 of `{BETA}`"),
    );
    // Bob is no member of Acme: a look-alike of Acme's reference is
    // nothing to him in Beta.
    let file = p.db.with_file_name("decoy.json");
    std::fs::write(
        &file,
        format!(
            r#"{{"accounts": [{{"name": "{ACME}", "orders": [
                {{"ref": "P0-1", "created_by": "{MAX}", "description": "Desk", "amount": "5.00"}}]}}]}}"#
        ),
    )
    .unwrap();
    let err = p.refused_as(Some(MAX), &["apply", file.to_str().unwrap()], CONFLICT);
    says(error_line(&err), "accounts[0].orders[0]");
    says(error_line(&err), "looks like `PO-1`");
    assert_eq!(p.dump(), before, "nothing placed");
    p.json_as(
        Some(BOB),
        &[
            "order", "place", "--account", BETA, "--description", "Desk", "--amount", "5.00",
            "--ref", "P0-1",
        ],
    );
    p.json_as(
        Some(MAX),
        &[
            "order", "place", "--account", ACME, "--description", "Desk", "--amount", "5.00",
            "--ref", "PO-11",
        ],
    );
}

/// The loose skeletons migration 35 adds are written for the references
/// an older version holds: an order placed before it is found as a
/// look-alike after.
#[test]
fn references_held_before_migration_35_are_found_as_look_alikes() {
    let p = seeded();
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        support::rewind(&conn, support::version_before("0035_order_ref_loose.sql"));
    }
    // Any command migrates.
    p.ok(&["status"]);
    let err = p.refused(
        &[
            "order", "place", "--account", ACME, "--description", "Desk", "--amount", "5.00",
            "--ref", "P0-3",
        ],
        CONFLICT,
    );
    says(error_line(&err), "looks like `PO-3`");
}

/// att14: two orders of one file whose references read alike are refused
/// (exit 4, naming both entries, nothing written), decided or pending, as
/// one placed beside an order the account holds is.
#[test]
fn a_file_holding_two_look_alike_references_is_refused() {
    let p = Portal::empty();
    let file = p.db.with_file_name("decoys.json");
    std::fs::write(
        &file,
        r#"{"preset": "portal", "accounts": [{"name": "Acme Ltd", "kind": "customer",
            "owner": "olive@acme.test",
            "users": [{"email": "olive@acme.test", "name": "Olive", "role": "admin"}],
            "orders": [
              {"ref": "PO-1001", "created_by": "olive@acme.test", "description": "A", "amount": "1.00",
               "placed_at": "2026-11-20T10:00:00Z", "status": "approved", "decided_at": "2026-11-20T10:00:00Z"},
              {"ref": "P0-1001", "created_by": "olive@acme.test", "description": "B", "amount": "2.00"}]}]}"#,
    )
    .unwrap();
    let err = p.refused(&["apply", file.to_str().unwrap()], CONFLICT);
    assert_eq!(
        error_line(&err),
        "error: accounts[0].orders[1].ref: the order reference `P0-1001` looks like `PO-1001` (listed at `accounts[0].orders[0]` of this file)"
    );
}
