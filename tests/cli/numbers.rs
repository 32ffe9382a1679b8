//! Order and service numbers are each account's own (findings D4): the
//! number a member's order or service gets tells nothing of what other
//! accounts did, and a number several accounts have is picked with
//! `--account`, as a reference is.

use serde_json::{json, Value};

use crate::support::*;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json");
const CARL: &str = "carl@contoso.test";
const FAY: &str = "fay@fabrikam.test";

fn demo() -> Portal {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    p
}

/// The number `order place` (JSON) gives an order of 10.00 placed by
/// `who`.
fn placed(p: &Portal, who: &str, description: &str) -> i64 {
    p.json_as(
        Some(who),
        &[
            "order", "place", "--amount", "10", "--description", description,
        ],
    )["id"]
        .as_i64()
        .unwrap()
}

/// The finding's reproduction: Contoso's admin places an order, Fabrikam
/// (another customer of the same partner) places seven, Contoso's admin
/// places another. Before, Carl saw 4 then 12: the partner's three orders
/// and Fabrikam's seven, counted. Now his are 1 and 2, his list and log
/// show those numbers, and Fabrikam's order 3 is no order to him.
#[test]
fn a_members_orders_are_numbered_whatever_another_account_places() {
    let p = demo();
    assert_eq!(placed(&p, CARL, "a"), 1);
    let fabrikam: Vec<i64> = (0..7).map(|_| placed(&p, FAY, "secret")).collect();
    assert_eq!(fabrikam, [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(placed(&p, CARL, "b"), 2);
    let listed: Vec<i64> = p
        .json_as(Some(CARL), &["order", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [1, 2]);
    let table = p.run_as(
        Some(CARL),
        &["order", "place", "--amount", "10", "--description", "c"],
    );
    assert_eq!(table.code, SUCCESS, "{}", table.stderr);
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["id", "3"]),
        "{}",
        table.stdout
    );
    // The log names each by the number its account gave it.
    let event = p.last_event();
    assert_eq!(
        (&event["action"], &event["target"]),
        (&json!("order.place"), &json!("order 3"))
    );
    let log = p.run_as(Some(CARL), &["audit", "list", "--action", "order.place"]);
    assert_eq!(log.code, SUCCESS, "{}", log.stderr);
    says(&log.stdout, "order 2");
    // Fabrikam's order 4 is no order to Carl, as one nobody placed.
    let hidden = p.refused_as(Some(CARL), &["order", "show", "4"], NOT_FOUND);
    let nowhere = p.refused_as(Some(CARL), &["order", "show", "99"], NOT_FOUND);
    assert_eq!(hidden.replace('4', "N"), nowhere.replace("99", "N"));
    // Fay's own order 2 is hers.
    let hers = p.json_as(Some(FAY), &["order", "show", "2"]);
    assert_eq!(
        (&hers["account"], &hers["description"]),
        (&json!("Fabrikam"), &json!("secret"))
    );
}

/// The operator sees every account: order 1 of Acme and of Contoso is
/// refused as ambiguous (exit 2), naming each, until `--account` picks
/// one; a number only one account has needs none.
#[test]
fn the_operator_picks_an_account_for_a_number_two_accounts_have() {
    let p = demo();
    placed(&p, CARL, "Chair");
    let err = p.refused(&["order", "show", "1"], USAGE);
    assert_eq!(
        error_line(&err),
        "error: order 1 names orders in several accounts"
    );
    says(
        &err,
        "help: it names order 1 in `Acme Ltd` and order 1 in `Contoso`: pass --account",
    );
    assert_eq!(p.refused(&["order", "show", "#1"], USAGE), err);
    let chair = p.json(&["order", "show", "1", "--account", "Contoso"]);
    assert_eq!(chair["description"], "Chair");
    let router = p.json(&["order", "show", "#1", "--account", ACCOUNT]);
    assert_eq!(router["ref"], "PO-1001");
    // Only Acme has an order 3.
    assert_eq!(p.json(&["order", "show", "3"])["account"], ACCOUNT);
    // A refusal changes nothing: cancelling `1` without an account is
    // refused the same way.
    let before = p.dump();
    p.refused(&["order", "cancel", "1"], USAGE);
    assert_eq!(before, p.dump());
    // Carl sees Contoso's orders only: his `1` is his.
    assert_eq!(
        p.json_as(Some(CARL), &["order", "show", "1"])["description"],
        "Chair"
    );
}

/// Services too: each account numbers its own, and `export | apply`
/// keeps the numbers of orders and services of every account.
#[test]
fn export_then_apply_keeps_each_accounts_numbers() {
    let p = demo();
    let line = p.json_as(
        Some(CARL),
        &["service", "add", "--name", "Line 2", "--kind", "line"],
    );
    // Contoso held one service; Acme's three are not counted.
    assert_eq!(
        (&line["id"], &line["account"]),
        (&json!(2), &json!("Contoso"))
    );
    let fab = p.json(&[
        "service", "add", "--name", "Line 1", "--kind", "line", "--account", "Fabrikam",
    ]);
    assert_eq!(fab["id"], json!(1));
    placed(&p, CARL, "Chair");
    placed(&p, FAY, "Desk");
    placed(&p, FAY, "Lamp");
    let exported = p.ok(&["export"]);
    let copy = Portal::empty();
    let run = copy.apply_stdin(&[], &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), exported);
    for account in [ACCOUNT, "Contoso", "Fabrikam"] {
        for list in ["order", "service"] {
            let of = |portal: &Portal| -> Vec<(Value, Value)> {
                portal
                    .json(&[list, "list", "--account", account])
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| {
                        let what = x.get("name").or_else(|| x.get("description"));
                        (x["id"].clone(), what.cloned().unwrap_or(Value::Null))
                    })
                    .collect()
            };
            assert_eq!(of(&copy), of(&p), "{list} list --account {account}");
        }
    }
    let desk = copy.json(&["order", "show", "1", "--account", "Fabrikam"]);
    assert_eq!(desk["description"], "Desk");
    let line = copy.json(&["service", "show", "2", "--account", "Contoso"]);
    assert_eq!(line["name"], "Line 2");
}

/// A database numbered before (one sequence for every account) keeps each
/// order's and service's number, so nothing written down changes, and
/// the audit chain recorded under them still verifies; a new order takes
/// the next after its own account's highest.
#[test]
fn a_database_from_before_keeps_its_numbers_and_numbers_on_per_account() {
    let p = demo();
    placed(&p, CARL, "Chair");
    placed(&p, FAY, "Desk");
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    rewind(&conn, version_before("0039_account_numbers.sql"));
    // As the old binary numbered them: Acme 1-3, Contoso 4, Fabrikam 5.
    drop(conn);
    // The next command migrates; the chain verifies as it was.
    p.ok(&["audit", "verify"]);
    assert_eq!(
        p.text("SELECT group_concat(a.name || ' ' || o.number, ', ') FROM orders o JOIN accounts a ON a.id = o.account_id"),
        "Acme Ltd 1, Acme Ltd 2, Acme Ltd 3, Contoso 4, Fabrikam 5"
    );
    assert_eq!(
        p.json_as(Some(CARL), &["order", "show", "4"])["description"],
        "Chair"
    );
    // The next of each account follows its own highest.
    assert_eq!(placed(&p, CARL, "Lamp"), 5);
    assert_eq!(placed(&p, FAY, "Pen"), 6);
    assert_eq!(placed(&p, "max@acme.test", "Rack"), 4);
    let services = p.text("SELECT group_concat(number = id) FROM services");
    assert!(!services.contains('0'), "{services}");
}
