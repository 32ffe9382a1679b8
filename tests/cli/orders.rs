//! Approval policies, cost centres and orders, through the binary: the
//! seed's approval scenarios end to end, exact money, who may decide what,
//! what the creator can read, and what the audit log says of it.

use proptest::prelude::*;
use serde_json::Value;

use crate::support::{
    error_line, says, scratch_dir, shell_words, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND,
    OWNER, SUCCESS, USAGE,
};

/// Admin: approves orders (default approver).
const FIN: &str = "fin@acme.test";
/// Second admin: the second pair of eyes.
const FAY: &str = "fay@acme.test";
/// Manager: places orders, sees billing, approves nothing.
const MAX: &str = "max@acme.test";
/// User: neither places nor approves.
const UMA: &str = "uma@acme.test";
/// Custom role holding only `orders.place` (and portal.access).
const BUYER: &str = "buyer@acme.test";

/// The portal preset with two admins, a manager, a user and a buyer.
fn acme() -> Portal {
    Portal::cached("orders: acme", || {
        let p = Portal::new();
        p.member(FIN, "admin");
        p.member(FAY, "admin");
        p.member(MAX, "manager");
        p.member(UMA, "user");
        p.ok(&[
            "role", "create", "buyer", "--capabilities", "orders.place", "--description",
            "places orders, nothing else",
        ]);
        p.member(BUYER, "buyer");
        p
    })
}

/// Places an order as `who` and returns it.
#[track_caller]
fn place(p: &Portal, who: Option<&str>, description: &str, amount: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "order", "place", "--description", description, "--amount", amount,
    ];
    args.extend_from_slice(extra);
    p.change(who, &args, "order.place")
}

fn id_of(order: &Value) -> String {
    order["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no numeric id: {order}"))
        .to_string()
}

/// Approves as `who`, expecting success and one audit event.
#[track_caller]
fn approve(p: &Portal, who: &str, id: &str) -> Value {
    p.change(Some(who), &["order", "approve", id], "order.approve")
}

/// A JSON array of strings, sorted.
fn sorted(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

/// The ids of a JSON list of orders.
fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

fn num(id: &str) -> i64 {
    id.parse().unwrap()
}

// ------------------------------------------------------------ the seed (001)

/// "Requiring finance approval on orders over a certain value": orders over
/// £50 wait in Pending Approvals until an approver signs them off.
#[test]
fn seed_finance_approval_for_orders_over_50() {
    let p = acme();
    let policy = p.change(
        None,
        &[
            "policy",
            "create",
            "--name",
            "Finance approval for orders over £50",
            "--threshold",
            "50",
        ],
        "policy.create",
    );
    assert_eq!(policy["name"], "Finance approval for orders over £50");
    assert_eq!(policy["threshold"], "50.00");
    assert_eq!(policy["order_type"], Value::Null);
    // Approvers default to every holder of orders.approve: none named.
    assert_eq!(policy["approvers"], serde_json::json!([]));
    assert_eq!(policy["required_approvals"], 1);
    assert_eq!(policy["enabled"], true);

    // At or under the threshold: approved at once.
    let cheap = place(&p, Some(MAX), "Cables", "50.00", &[]);
    assert_eq!(cheap["status"], "approved");
    assert_eq!(cheap["approvals"], serde_json::json!([]));
    assert_eq!(cheap["decided_at"], p.now.as_str());

    // A penny over: pending.
    let router = place(&p, Some(MAX), "Router", "50.01", &[]);
    assert_eq!(router["status"], "pending");
    assert_eq!(router["amount"], "50.01");
    assert_eq!(router["created_by"], MAX);
    assert_eq!(router["decided_at"], Value::Null);
    let id = id_of(&router);

    // The Pending Approvals view shows it to an approver, and only it.
    let pending = p.json_as(Some(FIN), &["order", "list", "--status", "pending"]);
    assert_eq!(ids(&pending), vec![num(&id)]);

    let done = approve(&p, FIN, &id);
    assert_eq!(done["status"], "approved");
    assert_eq!(done["approvals"], serde_json::json!([FIN]));
    assert_eq!(done["decided_at"], p.now.as_str());
    let e = p.last_event();
    assert_eq!(e["target"], format!("order {id}").as_str());
    assert_eq!(e["before"]["status"], "pending");
    assert_eq!(e["after"]["status"], "approved");

    // Nothing waits any more; `order show` lists who approved.
    let pending = p.json_as(Some(FIN), &["order", "list", "--status", "pending"]);
    assert_eq!(pending, serde_json::json!([]));
    let shown = p.json_as(Some(MAX), &["order", "show", &id]);
    assert_eq!(shown["status"], "approved");
    assert_eq!(shown["approvals"], serde_json::json!([FIN]));
}

/// "I need a second approval for expensive orders": with
/// `--required-approvals 2` an expensive order waits for two distinct
/// approvers; the same approver twice does not count.
#[test]
fn seed_second_approval_for_expensive_orders() {
    let p = acme();
    p.ok(&[
        "policy", "create", "--name", "Finance over 50", "--threshold", "50",
    ]);
    let expensive = p.change(
        None,
        &[
            "policy", "create", "--name", "Expensive orders", "--threshold", "100.00",
            "--required-approvals", "2",
        ],
        "policy.create",
    );
    assert_eq!(expensive["threshold"], "100.00");
    assert_eq!(expensive["required_approvals"], 2);

    // 80 matches only the finance policy: one approval is enough.
    let mid = place(&p, Some(MAX), "Switch", "80", &[]);
    assert_eq!(mid["status"], "pending");
    let done = approve(&p, FIN, &id_of(&mid));
    assert_eq!(done["status"], "approved");

    // 150 matches both: every matching policy must be satisfied.
    let big = place(&p, Some(MAX), "Firewall", "150", &[]);
    assert_eq!(big["status"], "pending");
    let id = id_of(&big);
    let names: Vec<String> = big["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        names.contains(&"Expensive orders".to_string())
            && names.contains(&"Finance over 50".to_string()),
        "{big}"
    );

    let first = approve(&p, FIN, &id);
    assert_eq!(first["status"], "pending", "one of two approvals: {first}");
    assert_eq!(first["approvals"], serde_json::json!([FIN]));

    // The same approver again: a conflict, and nothing changes.
    let err = p.refused_as(Some(FIN), &["order", "approve", &id], CONFLICT);
    says(error_line(&err), "already approved");
    let still = p.json(&["order", "show", &id]);
    assert_eq!(still["status"], "pending");

    let second = approve(&p, FAY, &id);
    assert_eq!(second["status"], "approved");
    assert_eq!(sorted(&second["approvals"]), vec![FAY, FIN]);

    // A decided order takes no more decisions.
    let err = p.refused_as(Some(OWNER), &["order", "approve", &id], CONFLICT);
    says(error_line(&err), "approved");
    p.refused_as(
        Some(OWNER),
        &["order", "reject", &id, "--reason", "too late"],
        CONFLICT,
    );
}

// ------------------------------------------------------------------ output

#[test]
fn order_json_has_the_design_fields() {
    let p = acme();
    p.ok(&["cost-centre", "create", "FIN", "--name", "Finance"]);
    p.ok(&[
        "policy", "create", "--name", "Over 100", "--threshold", "100",
    ]);
    let o = place(
        &p,
        Some(MAX),
        "Laptop",
        "120",
        &[
            "--type", "hardware", "--cost-centre", "FIN", "--ref", "PO-7",
        ],
    );
    for field in [
        "id", "account", "created_by", "description", "type", "amount", "currency", "status",
        "approvals", "rejected_reason",
    ] {
        assert!(o.get(field).is_some(), "order JSON lacks `{field}`: {o}");
    }
    assert!(o["id"].is_i64(), "{o}");
    assert_eq!(o["account"], ACCOUNT);
    assert_eq!(o["created_by"], MAX);
    assert_eq!(o["description"], "Laptop");
    assert_eq!(o["type"], "hardware");
    assert_eq!(o["amount"], "120.00", "a decimal string: {o}");
    assert_eq!(o["currency"], "GBP");
    assert_eq!(o["status"], "pending");
    assert_eq!(o["approvals"], serde_json::json!([]));
    assert_eq!(o["rejected_reason"], Value::Null);
    assert_eq!(o["cost_centre"], "FIN");
    assert_eq!(o["ref"], "PO-7");
    // `place`, `show` and `list` print the same object, the change with
    // the warnings it gave; `place` and `show` of a pending order also say
    // who may decide it now.
    let mut o = o;
    assert_eq!(o["warnings"], serde_json::json!([]));
    o.as_object_mut().unwrap().remove("warnings");
    let id = id_of(&o);
    let mut shown = p.json(&["order", "show", &id]);
    assert_eq!(shown, o);
    assert_eq!(shown["deciders"], serde_json::json!([OWNER, FIN, FAY]));
    assert_eq!(shown["more_deciders"], false);
    assert_eq!(shown["delegates"], serde_json::json!([]));
    // Every list is there, empty or not.
    assert_eq!(o["decisions"], serde_json::json!([]));
    // And whether each policy can still get its approvals.
    assert_eq!(shown["policies"][0]["stuck"], false);
    if let Some(fields) = shown.as_object_mut() {
        fields.remove("deciders");
        fields.remove("more_deciders");
        fields.remove("delegates");
    }
    if let Some(policies) = shown["policies"].as_array_mut() {
        for policy in policies.iter_mut().filter_map(Value::as_object_mut) {
            policy.remove("stuck");
        }
    }
    assert_eq!(p.json(&["order", "list"]), serde_json::json!([shown]));
}

#[test]
fn orders_and_policies_print_tables_without_json() {
    let p = acme();
    p.ok(&[
        "policy", "create", "--name", "Over 100", "--threshold", "100",
    ]);
    let o = place(&p, Some(MAX), "Laptop", "120.5", &[]);
    let id = id_of(&o);

    let list = p.ok(&["order", "list"]);
    assert!(serde_json::from_str::<Value>(&list).is_err(), "{list}");
    let header = list.lines().next().unwrap_or("");
    says(header, "STATUS");
    says(header, "AMOUNT");
    says(&list, "Laptop");
    says(&list, "120.50");
    says(&list, "pending");
    says(&list, MAX);

    let show = p.ok(&["order", "show", &id]);
    assert!(serde_json::from_str::<Value>(&show).is_err(), "{show}");
    says(&show, "Laptop");
    says(&show, "120.50 GBP");
    says(&show, "pending");

    let policies = p.ok(&["policy", "list"]);
    assert!(
        serde_json::from_str::<Value>(&policies).is_err(),
        "{policies}"
    );
    says(&policies, "Over 100");
    says(&policies, "100.00");
    let one = p.ok(&["policy", "show", "Over 100"]);
    says(&one, "Over 100");
    says(&one, "100.00");

    // `order place` says what happened on stderr; stdout is the order.
    let run = p.run_as(
        Some(MAX),
        &["order", "place", "--description", "Mouse", "--amount", "5"],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "Mouse");
    says(&run.stdout, "approved");
}

#[test]
fn policy_json_has_the_design_fields() {
    let p = acme();
    let v = p.change(
        None,
        &[
            "policy",
            "create",
            "--name",
            "Hardware over 500",
            "--threshold",
            "500.5",
            "--order-type",
            "hardware",
            "--approvers",
            &format!("{FIN},{FAY}"),
            "--required-approvals",
            "2",
        ],
        "policy.create",
    );
    for field in [
        "name", "threshold", "order_type", "approvers", "required_approvals", "enabled",
    ] {
        assert!(v.get(field).is_some(), "policy JSON lacks `{field}`: {v}");
    }
    assert_eq!(v["name"], "Hardware over 500");
    assert_eq!(v["threshold"], "500.50");
    assert_eq!(v["order_type"], "hardware");
    assert_eq!(sorted(&v["approvers"]), vec![FAY, FIN]);
    assert_eq!(v["required_approvals"], 2);
    assert_eq!(v["enabled"], true);
    let e = p.last_event();
    assert_eq!(e["target"], "Hardware over 500");
    assert_eq!(e["before"], Value::Null);
    assert_eq!(e["after"]["name"], "Hardware over 500");

    // The change's answer is the policy with the warnings it gave.
    let mut v = v;
    assert_eq!(v["warnings"], serde_json::json!([]));
    v.as_object_mut().unwrap().remove("warnings");
    assert_eq!(p.json(&["policy", "show", "Hardware over 500"]), v);
    assert_eq!(p.json(&["policy", "list"]), serde_json::json!([v]));
    // A member who sees the whole account (a manager) reads the
    // policies; who of the approvers can decide only one who may list its
    // users. A user (001: "basic account info") reads none.
    let mut plain = v.clone();
    for field in ["deciders", "cannot_decide"] {
        plain.as_object_mut().unwrap().remove(field);
    }
    assert_eq!(
        p.json_as(Some(MAX), &["policy", "list"]),
        serde_json::json!([plain])
    );
    p.refused_as(Some(UMA), &["policy", "list"], crate::support::DENIED);
}

#[test]
fn orders_are_in_the_accounts_currency() {
    let p = acme();
    p.ok(&[
        "account", "create", "Euro GmbH", "--kind", "customer", "--currency", "EUR",
    ]);
    let o = p.json(&[
        "order", "place", "--description", "Licence", "--amount", "99.9", "--account", "Euro GmbH",
    ]);
    assert_eq!(o["currency"], "EUR");
    assert_eq!(o["amount"], "99.90");
    assert_eq!(o["account"], "Euro GmbH");
    let gbp = p.json(&[
        "order", "place", "--description", "Licence", "--amount", "99.9", "--account", ACCOUNT,
    ]);
    assert_eq!(gbp["currency"], "GBP");
}

// ------------------------------------------------------------------- money

/// Amounts as typed, and what they become: `Some(text)` is the decimal
/// string printed back, `None` a usage error (exit 2). The whole table of
/// amounts runs in process (`model::money`); these few check that the
/// command line reaches it, and what a refused amount prints.
const AMOUNTS: &[(&str, Option<&str>)] = &[
    ("50.5", Some("50.50")),
    (" 7 ", Some("7.00")),
    ("999999999999.99", Some("999999999999.99")),
    ("50.001", None),
    ("-1", None),
    ("1e3", None),
    ("£50", None),
    ("", None),
    ("1000000000000", None),
];

/// Inputs the issue names: the error must say what to write instead.
const NEEDS_HINT: &[&str] = &["50.001", "-1", "1e3", "£50", ""];

#[track_caller]
fn check_amount_refusal(err: &str, input: &str) {
    let line = error_line(err);
    says(line, &format!("`{}`", input.trim()));
    if NEEDS_HINT.contains(&input) {
        assert!(
            err.lines().any(|l| l.starts_with("help:")),
            "`{input}` should be refused with a hint: {err}"
        );
    }
}

#[test]
fn order_amounts_parse_exactly_or_are_refused_with_a_hint() {
    let p = acme();
    for (input, expected) in AMOUNTS {
        let arg = format!("--amount={input}");
        let args = ["order", "place", "--description", "Thing", &arg];
        match expected {
            Some(text) => {
                let v = p.json(&args);
                assert_eq!(v["amount"], *text, "--amount {input:?}");
            }
            None => {
                let err = p.refused(&args, USAGE);
                check_amount_refusal(&err, input);
            }
        }
    }
    // An order of nothing is no order.
    let err = p.refused(
        &["order", "place", "--description", "Thing", "--amount", "0"],
        USAGE,
    );
    says(error_line(&err), "amount");
}

#[test]
fn policy_thresholds_parse_exactly_or_are_refused_with_a_hint() {
    let p = acme();
    for (n, (input, expected)) in AMOUNTS.iter().enumerate() {
        let name = format!("Policy {n}");
        let arg = format!("--threshold={input}");
        let args = ["policy", "create", "--name", &name, &arg];
        match expected {
            Some(text) => {
                let v = p.json(&args);
                assert_eq!(v["threshold"], *text, "--threshold {input:?}");
            }
            None => {
                let err = p.refused(&args, USAGE);
                check_amount_refusal(&err, input);
            }
        }
    }
}

/// `--amount -1` as people type it (no `=`) is refused as an amount, with
/// the same hint, not as an unknown option.
#[test]
fn a_negative_amount_typed_plainly_gets_the_amount_hint() {
    let p = acme();
    for (plain, joined) in [
        (
            ["order", "place", "--description", "Thing", "--amount", "-1"],
            ["order", "place", "--description", "Thing", "--amount=-1"],
        ),
        (
            ["policy", "create", "--name", "Neg", "--threshold", "-1"],
            ["policy", "create", "--name", "Neg", "--threshold=-1"],
        ),
    ] {
        let err = p.refused(&plain, USAGE);
        check_amount_refusal(&err, "-1");
        assert_eq!(
            err,
            p.refused(&joined, USAGE),
            "`{}` should be refused like `{}`",
            plain.join(" "),
            joined.join(" ")
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any amount formatted with two decimals comes back unchanged through
    /// `order place --amount` and `policy create --threshold`.
    #[test]
    fn formatted_amounts_come_back_unchanged(minor in 1i64..=99_999_999_999_999, short in any::<bool>()) {
        let p = Portal::new();
        let full = format!("{}.{:02}", minor / 100, minor % 100);
        // Also the shortest spelling: no decimals when there are no pence.
        let typed = if short && minor % 100 == 0 { (minor / 100).to_string() } else { full.clone() };
        let arg = format!("--amount={typed}");
        let o = p.json(&["order", "place", "--description", "Thing", &arg]);
        prop_assert_eq!(o["amount"].as_str(), Some(full.as_str()));
        let arg = format!("--threshold={typed}");
        let v = p.json(&["policy", "create", "--name", "P", &arg]);
        prop_assert_eq!(v["threshold"].as_str(), Some(full.as_str()));
    }
}

// ---------------------------------------------------------------- policies

#[test]
fn policies_match_by_amount_and_order_type() {
    let p = acme();
    p.ok(&[
        "policy", "create", "--name", "Hardware", "--threshold", "50", "--order-type", "hardware",
    ]);
    let hw = place(&p, Some(MAX), "Server", "60", &["--type", "hardware"]);
    assert_eq!(hw["status"], "pending");
    assert_eq!(hw["type"], "hardware");
    let sw = place(&p, Some(MAX), "Licence", "60", &["--type", "software"]);
    assert_eq!(sw["status"], "approved");
    let untyped = place(&p, Some(MAX), "Misc", "60", &[]);
    assert_eq!(untyped["status"], "approved");
    let small = place(&p, Some(MAX), "Cable", "50", &["--type", "hardware"]);
    assert_eq!(small["status"], "approved");
}

#[test]
fn disable_and_enable_are_audited_and_steer_new_orders() {
    let p = acme();
    p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
    let v = p.change(None, &["policy", "disable", "Over 50"], "policy.disable");
    assert_eq!(v["enabled"], false);
    let e = p.last_event();
    assert_eq!(e["before"]["enabled"], true);
    assert_eq!(e["after"]["enabled"], false);
    assert_eq!(place(&p, Some(MAX), "A", "60", &[])["status"], "approved");

    let v = p.change(None, &["policy", "enable", "Over 50"], "policy.enable");
    assert_eq!(v["enabled"], true);
    assert_eq!(place(&p, Some(MAX), "B", "60", &[])["status"], "pending");

    // Enabling an enabled policy changes nothing and records nothing.
    let before = p.events();
    p.ok(&["policy", "enable", "Over 50"]);
    assert_eq!(p.events(), before);
}

/// No order is ever stuck (001): "`policy disable` releases the orders it
/// holds". An order waiting on a disabled policy no longer needs its
/// approvals; one with nothing else to wait for is approved at once, and
/// each is audited as `order.release`.
#[test]
fn disabling_a_policy_releases_the_orders_it_holds() {
    let p = acme();
    p.ok(&[
        "policy", "create", "--name", "Two admins", "--threshold", "50", "--required-approvals",
        "2",
    ]);
    p.ok(&[
        "policy", "create", "--name", "Fin only", "--threshold", "1000", "--approvers", FIN,
    ]);
    let small = id_of(&place(&p, Some(MAX), "Switch", "60", &[]));
    let big = id_of(&place(&p, Some(MAX), "Rack", "2000", &[]));
    approve(&p, FAY, &small);

    let before = p.events();
    let v = p.json(&["policy", "disable", "Two admins"]);
    assert_eq!(v["enabled"], false);
    // It says which orders it approved: a script sees what was decided.
    assert_eq!(
        v["released"],
        serde_json::json!([small.parse::<i64>().unwrap()])
    );
    // The policy's event and one per order it held.
    assert_eq!(p.events(), before + 3);
    let small_now = p.json(&["order", "show", &small]);
    assert_eq!(small_now["status"], "approved", "{small_now}");
    assert_eq!(small_now["policies"][0]["released"], true);
    assert_eq!(
        p.text(&format!(
            "SELECT action FROM audit_events WHERE target = 'order {small}' ORDER BY seq DESC LIMIT 1"
        )),
        "order.release"
    );
    // The big order still waits for `Fin only`; `Two admins` lets it go.
    let big_now = p.json(&["order", "show", &big]);
    assert_eq!(big_now["status"], "pending", "{big_now}");
    assert_eq!(big_now["deciders"], serde_json::json!([FIN]));
    assert_eq!(
        p.text(&format!(
            "SELECT action FROM audit_events WHERE target = 'order {big}' ORDER BY seq DESC LIMIT 1"
        )),
        "order.reevaluate"
    );

    // New orders no longer match it.
    assert_eq!(
        place(&p, Some(MAX), "Other", "60", &[])["status"],
        "approved"
    );

    // Disabling the last policy that holds it approves it, as its table
    // says.
    let table = p.ok(&["policy", "disable", "Fin only"]);
    says(
        &table,
        &format!("released            order {big}, approved: it no longer holds them"),
    );
    assert_eq!(p.json(&["order", "show", &big])["status"], "approved");
    // Enabling again holds new orders only: a released order stays approved.
    let again = p.json(&["policy", "enable", "Fin only"]);
    assert_eq!(again["released"], serde_json::json!([]));
    assert_eq!(p.json(&["order", "show", &big])["status"], "approved");
}

#[test]
fn named_approvers_alone_decide_their_policy() {
    let p = acme();
    p.ok(&[
        "policy", "create", "--name", "Fin signs", "--threshold", "50", "--approvers", FIN,
    ]);
    let o = place(&p, Some(MAX), "Switch", "60", &[]);
    let id = id_of(&o);
    // Fay holds orders.approve but is not named: denied.
    let err = p.refused_as(Some(FAY), &["order", "approve", &id], DENIED);
    says(error_line(&err), FAY);
    p.refused_as(
        Some(FAY),
        &["order", "reject", &id, "--reason", "no"],
        DENIED,
    );
    assert_eq!(approve(&p, FIN, &id)["status"], "approved");
}

#[test]
fn default_approvers_are_whoever_holds_orders_approve_when_deciding() {
    let p = acme();
    p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
    let o = place(&p, Some(BUYER), "Switch", "60", &[]);
    let id = id_of(&o);
    // Fin stops being an approver after the order was placed.
    p.ok(&["user", "set-role", FIN, "user"]);
    p.refused_as(Some(FIN), &["order", "approve", &id], DENIED);
    // Max becomes one after it was placed: 001 gives approving to admins,
    // and access comes from the role alone (no grant on top of it).
    p.ok(&["user", "set-role", MAX, "admin"]);
    assert_eq!(approve(&p, MAX, &id)["status"], "approved");
}

#[test]
fn policy_creation_refusals() {
    let p = acme();
    p.json(&[
        "user", "invite", "--email", "ivy@acme.test", "--name", "Ivy", "--role", "admin",
    ]);
    p.member("nora@acme.test", "no-access");
    p.member("dee@acme.test", "admin");
    p.ok(&["user", "deactivate", "dee@acme.test", "--yes"]);

    // "Approvers: all admins by default, or specific users (e.g. a finance
    // lead)": a named approver is any active member with portal access; an
    // invited, blocked or deactivated one is refused.
    for who in ["ivy@acme.test", "nora@acme.test", "dee@acme.test"] {
        let err = p.refused(
            &[
                "policy",
                "create",
                "--name",
                "P",
                "--threshold",
                "50",
                "--approvers",
                &format!("{FIN},{who}"),
            ],
            CONFLICT,
        );
        says(error_line(&err), who);
    }
    // An unknown approver is not found.
    p.refused(
        &[
            "policy", "create", "--name", "P", "--threshold", "50", "--approvers",
            "nobody@acme.test",
        ],
        NOT_FOUND,
    );
    // A malformed approver email is a usage error.
    p.refused(
        &[
            "policy", "create", "--name", "P", "--threshold", "50", "--approvers", "not-an-email",
        ],
        USAGE,
    );
    // More approvals than named approvers can never be met.
    let err = p.refused(
        &[
            "policy",
            "create",
            "--name",
            "P",
            "--threshold",
            "50",
            "--approvers",
            &format!("{FIN},{FAY}"),
            "--required-approvals",
            "3",
        ],
        CONFLICT,
    );
    says(
        error_line(&err),
        "needs 3 approvals but `Acme Ltd` has only 2 eligible approvers",
    );
    // With every holder of orders.approve as approvers, they are counted.
    let err = p.refused(
        &[
            "policy", "create", "--name", "P", "--threshold", "50", "--required-approvals", "9",
        ],
        CONFLICT,
    );
    says(
        error_line(&err),
        "needs 9 approvals but `Acme Ltd` has only",
    );
    p.refused(
        &[
            "policy", "create", "--name", "P", "--threshold", "50", "--required-approvals", "0",
        ],
        USAGE,
    );
    p.refused(
        &["policy", "create", "--name", "", "--threshold", "50"],
        USAGE,
    );
    // Only policies.manage may create, disable or enable.
    let err = p.refused_as(
        Some(MAX),
        &["policy", "create", "--name", "P", "--threshold", "50"],
        DENIED,
    );
    says(error_line(&err), "policies.manage");
    // A second policy of the same name is a conflict.
    p.ok(&["policy", "create", "--name", "P", "--threshold", "50"]);
    let err = p.refused(
        &["policy", "create", "--name", "P", "--threshold", "60"],
        CONFLICT,
    );
    says(error_line(&err), "P");
    p.refused_as(Some(MAX), &["policy", "disable", "P"], DENIED);
    p.refused_as(Some(FIN), &["policy", "show", "Nope"], NOT_FOUND);
    p.refused(&["policy", "disable", "Nope"], NOT_FOUND);
    p.refused(&["policy", "enable", "Nope"], NOT_FOUND);
    // A member of the blocking role cannot even read them.
    p.refused_as(Some("nora@acme.test"), &["policy", "list"], DENIED);
}

// ------------------------------------------------------------ cost centres

#[test]
fn cost_centres_are_created_renamed_archived_and_audited() {
    let p = acme();
    let fin = p.change(
        None,
        &["cost-centre", "create", "FIN", "--name", "Finance"],
        "cost_centre.create",
    );
    assert_eq!(fin["code"], "FIN");
    assert_eq!(fin["name"], "Finance");
    assert_eq!(fin["archived"], false);
    p.change(
        Some(FIN),
        &["cost-centre", "create", "OPS", "--name", "Operations"],
        "cost_centre.create",
    );
    let renamed = p.change(
        None,
        &["cost-centre", "rename", "FIN", "--name", "Finance Dept"],
        "cost_centre.rename",
    );
    assert_eq!(renamed["name"], "Finance Dept");
    let e = p.last_event();
    assert_eq!(e["before"]["name"], "Finance");
    assert_eq!(e["after"]["name"], "Finance Dept");

    let on_ops = place(&p, Some(MAX), "Desk", "30", &["--cost-centre", "OPS"]);
    let archived = p.change(
        None,
        &["cost-centre", "archive", "OPS"],
        "cost_centre.archive",
    );
    assert_eq!(archived["archived"], true);

    let list = p.json_as(Some(UMA), &["cost-centre", "list"]);
    let codes: Vec<(&str, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap(),
                c["archived"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(codes, vec![("FIN", false), ("OPS", true)]);
    let table = p.ok(&["cost-centre", "list"]);
    says(&table, "Finance Dept");
    says(&table, "OPS");

    // Archived: no new orders (4); old ones stay on it.
    let err = p.refused_as(
        Some(MAX),
        &[
            "order", "place", "--description", "Chair", "--amount", "30", "--cost-centre", "OPS",
        ],
        CONFLICT,
    );
    says(error_line(&err), "OPS");
    says(error_line(&err), "archived");
    let listed = p.json(&["order", "list", "--cost-centre", "OPS"]);
    assert_eq!(ids(&listed), vec![on_ops["id"].as_i64().unwrap()]);
    p.refused(&["cost-centre", "archive", "OPS"], CONFLICT);
}

#[test]
fn cost_centre_refusals() {
    let p = acme();
    p.ok(&["cost-centre", "create", "FIN", "--name", "Finance"]);
    p.refused(
        &["cost-centre", "create", "FIN", "--name", "Again"],
        CONFLICT,
    );
    p.refused(&["cost-centre", "create", "bad code", "--name", "X"], USAGE);
    p.refused(&["cost-centre", "create", "NEW", "--name", ""], USAGE);
    p.refused(&["cost-centre", "rename", "NOPE", "--name", "X"], NOT_FOUND);
    p.refused(&["cost-centre", "archive", "NOPE"], NOT_FOUND);
    let err = p.refused_as(
        Some(MAX),
        &["cost-centre", "create", "OPS", "--name", "Ops"],
        DENIED,
    );
    says(error_line(&err), "cost_centres.manage");
    p.refused_as(Some(MAX), &["cost-centre", "archive", "FIN"], DENIED);
    p.refused_as(
        Some(MAX),
        &["cost-centre", "rename", "FIN", "--name", "X"],
        DENIED,
    );
    // An unknown cost centre on an order is not found.
    let err = p.refused_as(
        Some(MAX),
        &[
            "order", "place", "--description", "Desk", "--amount", "30", "--cost-centre", "NOPE",
        ],
        NOT_FOUND,
    );
    says(error_line(&err), "NOPE");
    p.refused(&["order", "list", "--cost-centre", "NOPE"], NOT_FOUND);
}

// ------------------------------------------------------------------ orders

#[test]
fn order_place_refusals() {
    let p = acme();
    p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
    // A member without orders.place.
    let err = p.refused_as(
        Some(UMA),
        &["order", "place", "--description", "Desk", "--amount", "30"],
        DENIED,
    );
    says(error_line(&err), "orders.place");
    // A blank description.
    p.refused(
        &["order", "place", "--description", " ", "--amount", "30"],
        USAGE,
    );
    // A duplicate external reference.
    place(&p, Some(MAX), "Desk", "30", &["--ref", "PO-1"]);
    let err = p.refused_as(
        Some(BUYER),
        &[
            "order", "place", "--description", "Chair", "--amount", "30", "--ref", "PO-1",
        ],
        CONFLICT,
    );
    says(error_line(&err), "PO-1");
    // An unknown order type is just a type; an unknown account is not found.
    p.refused(
        &[
            "order", "place", "--description", "Chair", "--amount", "30", "--account", "Nope Ltd",
        ],
        NOT_FOUND,
    );
}

#[test]
fn order_decision_refusals() {
    let p = acme();
    p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
    let o = place(&p, Some(FIN), "Switch", "60", &[]);
    let id = id_of(&o);

    // Orders are decided by members: --as is required.
    let err = p.refused(&["order", "approve", &id], USAGE);
    says(error_line(&err), "--as");
    p.refused(&["order", "reject", &id, "--reason", "no"], USAGE);
    // Nobody approves (or rejects) their own order.
    let err = p.refused_as(Some(FIN), &["order", "approve", &id], CONFLICT);
    says(error_line(&err), "own");
    p.refused_as(
        Some(FIN),
        &["order", "reject", &id, "--reason", "no"],
        CONFLICT,
    );
    // A member without orders.approve is denied.
    let err = p.refused_as(Some(MAX), &["order", "approve", &id], DENIED);
    says(error_line(&err), "orders.approve");
    p.refused_as(Some(UMA), &["order", "approve", &id], DENIED);
    p.refused_as(
        Some(MAX),
        &["order", "reject", &id, "--reason", "no"],
        DENIED,
    );
    // A rejection needs a reason.
    p.refused_as(Some(FAY), &["order", "reject", &id], USAGE);
    p.refused_as(
        Some(FAY),
        &["order", "reject", &id, "--reason", "  "],
        USAGE,
    );
    // Unknown orders are not found.
    for args in [
        vec!["order", "approve", "999"],
        vec!["order", "reject", "999", "--reason", "no"],
        vec!["order", "show", "999"],
    ] {
        let err = p.refused_as(Some(FAY), &args, NOT_FOUND);
        says(error_line(&err), "999");
    }
    p.refused(&["order", "show", "999"], NOT_FOUND);
    // Still pending after all that.
    assert_eq!(p.json(&["order", "show", &id])["status"], "pending");

    // An order approved at once takes no decisions.
    let cheap = place(&p, Some(MAX), "Cable", "10", &[]);
    p.refused_as(Some(FIN), &["order", "approve", &id_of(&cheap)], CONFLICT);
}

#[test]
fn one_rejection_rejects_and_the_creator_reads_the_reason() {
    let p = acme();
    p.ok(&[
        "policy", "create", "--name", "Two admins", "--threshold", "50", "--required-approvals",
        "2",
    ]);
    let o = place(&p, Some(BUYER), "Monitor", "300", &[]);
    let id = id_of(&o);
    approve(&p, FIN, &id);
    let v = p.change(
        Some(FAY),
        &[
            "order", "reject", &id, "--reason", "Over budget this quarter",
        ],
        "order.reject",
    );
    assert_eq!(v["status"], "rejected");
    assert_eq!(v["rejected_reason"], "Over budget this quarter");
    let e = p.last_event();
    assert_eq!(e["before"]["status"], "pending");
    assert_eq!(e["after"]["status"], "rejected");
    assert_eq!(e["after"]["rejected_reason"], "Over budget this quarter");

    // The creator, who may only place orders, reads it.
    let seen = p.json_as(Some(BUYER), &["order", "show", &id]);
    assert_eq!(seen["status"], "rejected");
    assert_eq!(seen["rejected_reason"], "Over budget this quarter");
    assert_eq!(seen["created_by"], BUYER);
    let table = p.run_as(Some(BUYER), &["order", "show", &id]);
    assert_eq!(table.code, SUCCESS, "{}", table.stderr);
    says(&table.stdout, "Over budget this quarter");
    says(&table.stdout, "rejected");

    // Decided: no more approvals or rejections.
    p.refused_as(Some(OWNER), &["order", "approve", &id], CONFLICT);
    p.refused_as(
        Some(OWNER),
        &["order", "reject", &id, "--reason", "again"],
        CONFLICT,
    );
    assert_eq!(
        p.json(&["order", "list", "--status", "rejected"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn order_list_filters_and_who_sees_what() {
    let p = acme();
    p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
    p.ok(&["cost-centre", "create", "FIN", "--name", "Finance"]);
    p.ok(&["cost-centre", "create", "OPS", "--name", "Operations"]);
    let a = num(&id_of(&place(
        &p,
        Some(MAX),
        "A",
        "60",
        &["--cost-centre", "FIN"],
    )));
    let b = num(&id_of(&place(
        &p,
        Some(BUYER),
        "B",
        "10",
        &["--cost-centre", "OPS"],
    )));
    let c = num(&id_of(&place(
        &p,
        Some(BUYER),
        "C",
        "70",
        &["--cost-centre", "FIN"],
    )));
    let d = num(&id_of(&place(&p, Some(MAX), "D", "80", &[])));
    approve(&p, FIN, &d.to_string());
    p.change(
        Some(FIN),
        &["order", "reject", &c.to_string(), "--reason", "no"],
        "order.reject",
    );

    // Approvers, billing viewers and the operator see every order.
    for who in [Some(FIN), Some(MAX), None] {
        assert_eq!(
            ids(&p.json_as(who, &["order", "list"])),
            vec![a, b, c, d],
            "{who:?}"
        );
    }
    let by = |args: &[&str]| {
        let mut all = vec!["order", "list"];
        all.extend_from_slice(args);
        ids(&p.json_as(Some(FIN), &all))
    };
    assert_eq!(by(&["--status", "pending"]), vec![a]);
    assert_eq!(by(&["--status", "approved"]), vec![b, d]);
    assert_eq!(by(&["--status", "rejected"]), vec![c]);
    assert_eq!(by(&["--created-by", BUYER]), vec![b, c]);
    assert_eq!(by(&["--created-by", MAX]), vec![a, d]);
    assert_eq!(by(&["--cost-centre", "FIN"]), vec![a, c]);
    assert_eq!(by(&["--cost-centre", "OPS"]), vec![b]);
    assert_eq!(
        by(&["--cost-centre", "FIN", "--created-by", BUYER]),
        vec![c]
    );
    assert_eq!(
        by(&["--status", "pending", "--created-by", BUYER]),
        Vec::<i64>::new()
    );
    p.refused(&["order", "list", "--status", "bogus"], USAGE);

    // A member who may only place orders sees only their own.
    assert_eq!(ids(&p.json_as(Some(BUYER), &["order", "list"])), vec![b, c]);
    assert_eq!(
        ids(&p.json_as(Some(BUYER), &["order", "list", "--created-by", MAX])),
        Vec::<i64>::new()
    );
    p.json_as(Some(BUYER), &["order", "show", &b.to_string()]);
    // Someone else's reads as a number nobody has.
    let err = p.refused_as(Some(BUYER), &["order", "show", &a.to_string()], NOT_FOUND);
    says(error_line(&err), &format!("no order {a}"));
    // A member with none of orders.place, orders.approve, billing.view.
    p.refused_as(Some(UMA), &["order", "list"], DENIED);
    p.refused_as(Some(UMA), &["order", "show", &a.to_string()], DENIED);
}

/// A second account beside Acme.
const BETA: &str = "Beta Ltd";

/// Acme and Beta, each with a policy over 50: FIN administers both, MAX
/// manages Acme and is a plain user of Beta, UMA a plain user of both.
/// Orders: Acme's pending one by MAX, then Beta's pending one and Beta's
/// approved one, both placed by the operator; their ids.
fn acme_and_beta() -> (Portal, [i64; 3]) {
    let p = acme();
    p.ok(&["account", "create", BETA, "--kind", "partner"]);
    p.member_in(FIN, "admin", BETA);
    p.member_in(MAX, "user", BETA);
    p.member_in(UMA, "user", BETA);
    for account in [ACCOUNT, BETA] {
        p.ok(&[
            "policy", "create", "--name", "Over 50", "--threshold", "50", "--account", account,
        ]);
    }
    let acme = num(&id_of(&place(
        &p,
        Some(MAX),
        "Router",
        "60",
        &["--account", ACCOUNT],
    )));
    let in_beta = |description: &str, amount: &str| {
        num(&id_of(&p.json(&[
            "order", "place", "--description", description, "--amount", amount, "--account", BETA,
        ])))
    };
    let beta_pending = in_beta("Switch", "70");
    let beta_approved = in_beta("Cable", "10");
    (p, [acme, beta_pending, beta_approved])
}

/// The id and account of each order of a JSON list.
fn ids_and_accounts(list: &Value) -> Vec<(i64, String)> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|o| {
            (
                o["id"].as_i64().unwrap(),
                o["account"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn order_list_without_an_account_lists_every_account_the_actor_reads_orders_in() {
    let (p, [acme, beta_pending, beta_approved]) = acme_and_beta();
    let pending = ["order", "list", "--status", "pending"];
    let both_pending = vec![
        (acme, ACCOUNT.to_string()),
        (beta_pending, BETA.to_string()),
    ];
    // The operator and an admin of both see the pending orders of both.
    assert_eq!(ids_and_accounts(&p.json(&pending)), both_pending);
    assert_eq!(
        ids_and_accounts(&p.json_as(Some(FIN), &pending)),
        both_pending
    );
    assert_eq!(
        ids(&p.json(&["order", "list"])),
        vec![acme, beta_pending, beta_approved]
    );
    assert_eq!(
        ids(&p.json(&["order", "list", "--limit", "2"])),
        vec![acme, beta_pending]
    );
    // The table says whose each order is.
    let table = p.ok(&pending);
    let header = table.lines().next().unwrap_or("");
    says(header, "ACCOUNT");
    // Each account numbers its own orders: Acme's and Beta's first are
    // both 1, told apart by the ACCOUNT column.
    assert_eq!((acme, beta_pending), (1, 1));
    let row = |id: i64, account: &str| {
        table
            .lines()
            .find(|l| {
                l.split_whitespace().next() == Some(id.to_string().as_str()) && l.contains(account)
            })
            .unwrap_or_else(|| panic!("no row of order {id} in {account}:\n{table}"))
            .to_string()
    };
    says(&row(acme, ACCOUNT), "Router");
    says(&row(beta_pending, BETA), "pending");
    assert!(!table.contains("Cable"), "{table}");
    // --account still reads that account alone.
    assert_eq!(
        ids(&p.json(&["order", "list", "--account", BETA])),
        vec![beta_pending, beta_approved]
    );
}

#[test]
fn order_list_without_an_account_shows_a_member_nothing_of_an_account_they_read_no_orders_in() {
    let (p, [acme, ..]) = acme_and_beta();
    // MAX reads Acme's orders; in Beta he is a plain user.
    let listed = p.json_as(Some(MAX), &["order", "list"]);
    assert_eq!(ids_and_accounts(&listed), vec![(acme, ACCOUNT.to_string())]);
    let table = p.run_as(Some(MAX), &["order", "list"]);
    assert_eq!(table.code, SUCCESS, "{}", table.stderr);
    assert!(!table.stdout.contains(BETA), "{}", table.stdout);
    assert!(!table.stdout.contains("Switch"), "{}", table.stdout);
    p.refused_as(Some(MAX), &["order", "list", "--account", BETA], DENIED);
    // UMA reads orders in neither: refused for her own account, naming
    // what she lacks, as with one account.
    let err = p.refused_as(Some(UMA), &["order", "list"], DENIED);
    says(error_line(&err), ACCOUNT);
    says(error_line(&err), "orders.place");
    assert!(!err.contains(BETA), "{err}");
}

#[test]
fn the_operator_places_orders_but_decides_none() {
    let p = acme();
    p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
    let o = place(&p, None, "Switch", "60", &[]);
    assert_eq!(o["created_by"], "operator:tester");
    assert_eq!(o["status"], "pending");
    let id = id_of(&o);
    p.refused(&["order", "approve", &id], USAGE);
    // Any holder of orders.approve may decide an operator's order.
    assert_eq!(approve(&p, OWNER, &id)["status"], "approved");
}

#[test]
fn refused_changes_write_no_audit_event() {
    let p = acme();
    p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
    let o = place(&p, Some(MAX), "Switch", "60", &[]);
    let id = id_of(&o);
    let before = p.events();
    p.refused_as(Some(MAX), &["order", "approve", &id], DENIED);
    p.refused_as(
        Some(MAX),
        &["order", "place", "--description", "X", "--amount", "1e3"],
        USAGE,
    );
    p.refused_as(
        Some(UMA),
        &["order", "place", "--description", "X", "--amount", "1"],
        DENIED,
    );
    p.refused(
        &["policy", "create", "--name", "Over 50", "--threshold", "5"],
        CONFLICT,
    );
    p.refused(&["cost-centre", "archive", "NOPE"], NOT_FOUND);
    assert_eq!(p.events(), before);
    assert_eq!(
        p.text("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'order.%'"),
        "1"
    );
}

// ------------------------------------------- no order is ever stuck (001)

/// The `warning:` lines of a run.
fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect()
}

/// The action of the newest audit event about order `id`.
fn last_action_on(p: &Portal, id: &str) -> String {
    p.text(&format!(
        "SELECT action FROM audit_events WHERE target = 'order {id}' ORDER BY seq DESC LIMIT 1"
    ))
}

/// 001: "Approvers: all admins by default, or specific users (e.g. a finance
/// lead)". A named approver is any active member of the account: being
/// named is what lets a manager decide the policy's orders, without
/// `orders.approve`; admins who are not named do not decide them.
#[test]
fn a_named_finance_lead_decides_without_orders_approve() {
    let p = acme();
    let v = p.change(
        None,
        &[
            "policy", "create", "--name", "Finance lead signs", "--threshold", "50", "--approvers",
            MAX,
        ],
        "policy.create",
    );
    assert_eq!(v["approvers"], serde_json::json!([MAX]));
    let id = id_of(&place(&p, Some(BUYER), "Switch", "60", &[]));
    assert_eq!(
        p.json(&["order", "show", &id])["deciders"],
        serde_json::json!([MAX])
    );
    p.refused_as(Some(FIN), &["order", "approve", &id], DENIED);
    assert_eq!(approve(&p, MAX, &id)["status"], "approved");
}

/// No order is ever stuck: "a change that leaves a policy or a pending
/// order short of eligible approvers (set-role, deactivate, left-company)
/// still goes through, prints a `warning:` naming what is affected, and the
/// affected orders fall back to the account's approvers".
#[test]
fn losing_named_approvers_warns_and_their_orders_fall_back_to_the_admins() {
    let p = acme();
    p.member("lead@acme.test", "manager");
    p.ok(&[
        "policy",
        "create",
        "--name",
        "Leads sign",
        "--threshold",
        "50",
        "--approvers",
        &format!("{MAX},lead@acme.test"),
    ]);
    let id = id_of(&place(&p, Some(BUYER), "Switch", "60", &[]));

    // One named approver left: still enough for one approval, no warning.
    let run = p.run(&["user", "deactivate", "lead@acme.test", "--yes"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(warnings(&run.stderr), Vec::<&str>::new());

    // The last one blocked: the change goes through, and says so.
    let run = p.run(&["user", "set-role", MAX, "no-access"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let said = warnings(&run.stderr);
    assert_eq!(said.len(), 2, "{}", run.stderr);
    says(said[0], "policy `Leads sign`");
    says(said[0], "0 eligible approvers for 1 required approval");
    says(said[0], "fall back to the account's approvers");
    says(said[1], &format!("order {id}"));
    says(said[1], "falls back to the account's approvers");
    assert_eq!(p.json(&["user", "show", MAX])["role"], "no-access");

    // The admins may decide it now, and `order show` says so.
    assert_eq!(
        p.json(&["order", "show", &id])["deciders"],
        serde_json::json!([OWNER, FIN, FAY])
    );
    assert_eq!(approve(&p, FIN, &id)["status"], "approved");
}

/// A change's JSON answer carries the warnings it printed on stderr, in
/// `warnings` (`[]` for none), so a script need not read stderr: a write's
/// own (a policy left short) as much as a command's (a mistyped order type).
#[test]
fn change_answers_carry_their_warnings_in_json() {
    let p = acme();
    p.member("lead@acme.test", "manager");
    p.ok(&[
        "policy", "create", "--name", "Leads sign", "--threshold", "50", "--approvers",
        "lead@acme.test",
    ]);
    p.ok(&[
        "policy", "create", "--name", "Hardware", "--threshold", "500", "--order-type", "hardware",
    ]);
    let json_warnings = |run: &crate::support::Run| -> Vec<String> {
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        v["warnings"]
            .as_array()
            .unwrap_or_else(|| panic!("no `warnings` array: {v}"))
            .iter()
            .map(|w| format!("warning: {}", w.as_str().unwrap()))
            .collect()
    };
    let id = id_of(&place(&p, Some(BUYER), "Switch", "60", &[]));
    let run = p.run(&["--json", "user", "set-role", "lead@acme.test", "no-access"]);
    let said = json_warnings(&run);
    assert_eq!(said.len(), 2, "{}", run.stderr);
    assert_eq!(said, warnings(&run.stderr));
    says(&said[0], "policy `Leads sign`");
    says(&said[1], &format!("order {id}"));

    let run = p.run_as(
        Some(BUYER),
        &[
            "--json", "order", "place", "--description", "Cable", "--amount", "70", "--order-type",
            "cabling",
        ],
    );
    let said = json_warnings(&run);
    assert_eq!(said, warnings(&run.stderr));
    says(&said[0], "orders of type `cabling`");

    let run = p.run(&["--json", "user", "set-role", "lead@acme.test", "manager"]);
    assert_eq!(json_warnings(&run), Vec::<String>::new());
    // A read is no change: it carries no `warnings`.
    assert!(p.json(&["order", "show", &id]).get("warnings").is_none());
}

/// "A change that leaves a policy short of eligible approvers" where the
/// policy names nobody: its approvers are the holders of `orders.approve`,
/// and an order nobody eligible is left to decide says how to move it on.
#[test]
fn losing_admins_warns_about_a_default_policy_and_orders_nobody_can_finish() {
    let p = acme();
    p.ok(&[
        "policy", "create", "--name", "Two admins", "--threshold", "50", "--required-approvals",
        "2",
    ]);
    let id = id_of(&place(&p, Some(FIN), "Rack", "300", &[]));
    // Fin placed it: the owner and Fay are the two who can approve it.
    let run = p.run(&["user", "left-company", FAY, "--yes"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let said = warnings(&run.stderr).join("\n");
    // Owner and Fin remain for the policy, so it is not short...
    assert!(!said.contains("policy `Two admins` in"), "{said}");
    // ...but this order cannot get its two approvals from anyone but Fin.
    says(&said, &format!("order {id}"));
    says(
        &said,
        "cannot get enough approvals (policy `Two admins` needs 2 approvals and only 1 person may give them)",
    );
    says(&said, &format!("portalctl order cancel {id}"));

    // One admin fewer: the policy itself is short now.
    let run = p.run(&["user", "set-role", FIN, "user"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(
        &warnings(&run.stderr).join("\n"),
        "policy `Two admins` in `Acme Ltd` now has 1 approver for 2 required approvals",
    );
}

/// Findings A#17: an HR admin who may see no orders deactivates a named
/// approver; the warnings named the pending order, its policy and its
/// progress. They say the policy and how many orders they cannot see;
/// the owner, who sees the orders, is told each.
#[test]
fn shortfall_warnings_name_orders_only_to_who_may_see_them() {
    let p = acme();
    const ADA: &str = "ada@acme.test";
    p.ok(&[
        "role",
        "create",
        "hr",
        "--capabilities",
        "portal.access,account.view,users.view,users.manage",
    ]);
    p.member(ADA, "hr");
    p.ok(&[
        "policy", "create", "--name", "Fay signs", "--threshold", "50", "--approvers", FAY,
    ]);
    let id = id_of(&place(&p, Some(BUYER), "Switch", "60", &[]));
    p.refused_as(Some(ADA), &["order", "show", &id], DENIED);
    let run = p.run_as(Some(ADA), &["user", "deactivate", FAY, "--yes"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let said = warnings(&run.stderr).join("\n");
    says(
        &said,
        "policy `Fay signs` in `Acme Ltd` now has 0 eligible approvers",
    );
    says(
        &said,
        "1 pending order in `Acme Ltd` that you cannot see is left short of eligible approvers",
    );
    assert!(!said.contains(&format!("order {id}")), "{said}");
    p.ok(&["user", "activate", FAY]);
    let run = p.run_as(Some(OWNER), &["user", "deactivate", FAY, "--yes"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let said = warnings(&run.stderr).join("\n");
    says(&said, &format!("order {id} in `Acme Ltd` now falls back"));
    assert!(!said.contains("cannot see"), "{said}");
}

/// A role that sees its assigned services only reads no approval policy
/// (001): the warnings of its change count the policies left short
/// without naming them.
#[test]
fn shortfall_warnings_name_policies_only_to_who_may_see_them() {
    let p = acme();
    const ADA: &str = "ada@acme.test";
    p.ok(&[
        "role",
        "create",
        "hr2",
        "--capabilities",
        "portal.access,account.view,services.view_assigned,users.view,users.manage",
    ]);
    p.member(ADA, "hr2");
    p.ok(&[
        "policy", "create", "--name", "Fay signs", "--threshold", "50", "--approvers", FAY,
    ]);
    p.refused_as(Some(ADA), &["policy", "list"], DENIED);
    let run = p.run_as(Some(ADA), &["user", "deactivate", FAY, "--yes"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let said = warnings(&run.stderr).join("\n");
    assert!(!said.contains("Fay signs"), "{said}");
    says(
        &said,
        "1 approval policy in `Acme Ltd` that you cannot see is left short of eligible approvers",
    );
}

/// Findings N#4: the warnings of a change say what is true of each order.
/// An order holding an approval already is not said to be left only to
/// cancelling, and an order nobody is left to decide is not also said to
/// fall back to the account's approvers.
#[test]
fn shortfall_warnings_say_what_is_true_of_each_order() {
    let p = acme();
    p.ok(&["user", "set-role", FAY, "user"]);
    p.ok(&[
        "policy", "create", "--name", "Two admins", "--threshold", "50", "--required-approvals",
        "2",
    ]);
    let id = id_of(&place(&p, Some(MAX), "Rack", "60", &[]));
    approve(&p, FIN, &id);
    let run = p.run(&["user", "deactivate", FIN, "--yes"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let said = warnings(&run.stderr).join("\n");
    says(
        &said,
        "now has 1 approver for 2 required approvals; its orders that still need more approvals than that can only be cancelled",
    );
    assert!(!said.contains(&format!("order {id}")), "{said}");
    assert_eq!(approve(&p, OWNER, &id)["status"], "approved");

    // Named Fay and Uma, two approvals, placed by the owner, the only
    // admin: once Fay goes, nobody is left to give the second.
    p.ok(&["user", "activate", FIN]);
    p.ok(&["user", "set-role", FIN, "user"]);
    p.ok(&[
        "policy",
        "create",
        "--name",
        "Fay and Uma",
        "--threshold",
        "1000",
        "--approvers",
        &format!("{FAY},{UMA}"),
        "--required-approvals",
        "2",
    ]);
    let id = id_of(&place(&p, Some(OWNER), "Server", "2000", &[]));
    let run = p.run(&["user", "deactivate", FAY, "--yes"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let said: Vec<&str> = warnings(&run.stderr)
        .into_iter()
        .filter(|w| w.contains(&format!("order {id} ")))
        .collect();
    assert_eq!(said.len(), 1, "{said:?}");
    says(
        said[0],
        "cannot get enough approvals (policy `Fay and Uma` needs",
    );
}

/// A change that leaves an order nobody eligible can finish warns once
/// for the order, however many policies hold it: the cause once, three
/// policies and their commands, "and 5 others", as `order place` says it
/// (not eight lines, one per policy).
#[test]
fn a_change_that_leaves_an_order_stuck_on_many_policies_warns_once() {
    let p = acme();
    for i in 1..=8 {
        p.ok(&[
            "policy",
            "create",
            "--name",
            &format!("Rack {i}"),
            "--threshold",
            "50",
            "--required-approvals",
            "2",
        ]);
    }
    // Fin placed it: the owner and Fay are the two who can approve it.
    let id = id_of(&place(&p, Some(FIN), "Rack", "300", &[]));
    let run = p.run(&["user", "left-company", FAY, "--yes"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let said = warnings(&run.stderr);
    let about: Vec<&&str> = said
        .iter()
        .filter(|w| w.contains(&format!("order {id} ")))
        .collect();
    assert_eq!(about.len(), 1, "{said:?}");
    let edit = |n: u32| {
        format!("`portalctl policy edit 'Rack {n}' --account 'Acme Ltd' --required-approvals 1`, or name more approvers")
    };
    assert_eq!(
        *about[0],
        format!(
            "warning: order {id} in `Acme Ltd` cannot get enough approvals (policies `Rack 1`, `Rack 2`, `Rack 3`, and 5 others each need 2 approvals and only 1 person may give them); cancel it (`portalctl order cancel {id} --account 'Acme Ltd'`), or ease its policies ({}, and 5 others)",
            [edit(1), edit(2), edit(3)].join(", ")
        )
    );
}

/// The account's approvers are counted from the holding side (findings
/// A#5, N#15: a change to one plain user walked every member): still, a
/// change warns exactly when it leaves a policy of the account's approvers
/// short, counting the one it took away among those there were, and says
/// nothing when it gives one back or touches someone who approves nothing.
#[test]
fn the_account_s_approvers_are_counted_before_and_after_a_change() {
    let p = acme();
    p.ok(&[
        "policy", "create", "--name", "Three admins", "--threshold", "50", "--required-approvals",
        "3",
    ]);
    for (args, warned) in [
        (vec!["user", "deactivate", UMA, "--yes"], false),
        (vec!["user", "activate", UMA], false),
        (vec!["user", "set-role", MAX, "no-access"], false),
        (vec!["user", "deactivate", FAY, "--yes"], true),
        (vec!["user", "activate", FAY], false),
        // Uma approves until then: three are left when Fin goes.
        (
            vec!["user", "set-role", UMA, "admin", "--until", "2099-01-01"],
            false,
        ),
        (vec!["user", "set-role", FIN, "user"], false),
        (vec!["user", "set-role", FAY, "user"], true),
        (vec!["user", "set-role", FIN, "admin"], false),
    ] {
        let run = p.run(&args);
        assert_eq!(run.code, SUCCESS, "{args:?}: {}", run.stderr);
        let said = warnings(&run.stderr).join("\n");
        assert_eq!(
            said.contains(
                "policy `Three admins` in `Acme Ltd` now has 2 approvers for 3 required approvals"
            ),
            warned,
            "{args:?}: {said}"
        );
    }
}

/// `order show` says who can decide a pending order right now, and when
/// nobody can, says so and how to move it on: Fin's own order needing
/// three approvals waits on the three other admins, and once one of them
/// is gone it cannot get them, so nobody is said to decide it.
#[test]
fn order_show_names_who_can_decide_or_says_nobody_can() {
    let p = acme();
    let ann = "ann@acme.test";
    p.member(ann, "admin");
    p.ok(&[
        "policy", "create", "--name", "Three admins", "--threshold", "50", "--required-approvals",
        "3",
    ]);
    let id = id_of(&place(&p, Some(FIN), "Rack", "300", &[]));
    assert_eq!(
        p.json(&["order", "show", &id])["deciders"],
        serde_json::json!([OWNER, FAY, ann])
    );
    approve(&p, OWNER, &id);
    approve(&p, FAY, &id);
    assert_eq!(
        p.json(&["order", "show", &id])["deciders"],
        serde_json::json!([ann])
    );
    p.ok(&["user", "deactivate", ann, "--yes"]);
    let v = p.json(&["order", "show", &id]);
    assert_eq!(v["status"], "pending");
    assert_eq!(v["deciders"], serde_json::json!([]));
    assert_eq!(v["more_deciders"], false);
    let table = p.ok(&["order", "show", &id]);
    says(&table, "can decide");
    says(&table, "nobody");
    says(&table, &format!("portalctl order cancel {id}"));
    // A decided order names no deciders.
    let cheap = id_of(&place(&p, Some(MAX), "Cable", "5", &[]));
    let v = p.json(&["order", "show", &cheap]);
    assert!(v.get("deciders").is_none(), "{v}");
}

/// The list of deciders is bounded: ten names, then "and others".
#[test]
fn order_show_names_ten_deciders_and_others() {
    let p = acme();
    for n in 0..10 {
        p.member(&format!("admin{n}@acme.test"), "admin");
    }
    p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
    let id = id_of(&place(&p, Some(MAX), "Rack", "300", &[]));
    let v = p.json(&["order", "show", &id]);
    assert_eq!(v["deciders"].as_array().map(Vec::len), Some(10), "{v}");
    assert_eq!(v["more_deciders"], true);
    says(&p.ok(&["order", "show", &id]), "and others");
}

/// "`order show` can print `2 of 1`": an approval counts toward the
/// policies its giver may decide and that still need it, so no policy ever
/// shows more approvals than it requires.
#[test]
fn order_show_never_prints_more_approvals_than_required() {
    let p = acme();
    p.ok(&["policy", "create", "--name", "One", "--threshold", "50"]);
    p.ok(&[
        "policy", "create", "--name", "Two", "--threshold", "50", "--required-approvals", "2",
    ]);
    let id = id_of(&place(&p, Some(MAX), "Rack", "300", &[]));
    approve(&p, FIN, &id);
    let done = approve(&p, FAY, &id);
    assert_eq!(done["status"], "approved");
    let progress: Vec<(i64, i64)> = done["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["approvals"].as_i64().unwrap(),
                m["required_approvals"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(progress, vec![(1, 1), (2, 2)]);
    let table = p.ok(&["order", "show", &id]);
    assert!(!table.contains("2 of 1"), "{table}");
}

/// "`--required-approvals 3` is accepted with two eligible approvers":
/// create and edit refuse more required approvals than eligible approvers
/// (exit 4, saying how many), and change nothing.
#[test]
fn more_required_approvals_than_eligible_approvers_is_refused() {
    let p = acme();
    let err = p.refused(
        &[
            "policy",
            "create",
            "--name",
            "P",
            "--threshold",
            "50",
            "--approvers",
            &format!("{MAX},{UMA}"),
            "--required-approvals",
            "3",
        ],
        CONFLICT,
    );
    says(
        error_line(&err),
        "needs 3 approvals but `Acme Ltd` has only 2 eligible approvers",
    );
    p.ok(&[
        "policy",
        "create",
        "--name",
        "P",
        "--threshold",
        "50",
        "--approvers",
        &format!("{MAX},{UMA}"),
    ]);
    let err = p.refused(
        &["policy", "edit", "P", "--required-approvals", "3"],
        CONFLICT,
    );
    says(error_line(&err), "only 2 eligible approvers");
    // Named nobody: the holders of orders.approve (owner, Fin, Fay) count.
    let err = p.refused(
        &[
            "policy", "edit", "P", "--default-approvers", "--required-approvals", "4",
        ],
        CONFLICT,
    );
    says(error_line(&err), "only 3 eligible approvers");
    p.refused(&["policy", "edit", "P", "--required-approvals", "0"], USAGE);
    p.refused(&["policy", "edit", "Nope", "--threshold", "5"], NOT_FOUND);
    p.refused(
        &["policy", "edit", "P", "--approvers", "nobody@acme.test"],
        NOT_FOUND,
    );
    let err = p.refused_as(
        Some(MAX),
        &["policy", "edit", "P", "--threshold", "5"],
        DENIED,
    );
    says(error_line(&err), "policies.manage");
    p.ok(&["policy", "create", "--name", "Q", "--threshold", "50"]);
    p.refused(&["policy", "edit", "P", "--name", "q"], CONFLICT);
}

/// "`policy edit NAME` (threshold, order type, approvers, required
/// approvals); editing a policy re-evaluates the orders it holds (those now
/// satisfied become approved, audited as such)".
#[test]
fn editing_a_policy_reevaluates_the_orders_it_holds() {
    let p = acme();
    p.ok(&[
        "policy", "create", "--name", "Two admins", "--threshold", "50", "--required-approvals",
        "2",
    ]);
    let a = id_of(&place(&p, Some(MAX), "Switch", "60", &[]));
    let b = id_of(&place(&p, Some(MAX), "Rack", "300", &[]));
    approve(&p, FIN, &a);

    // One approval is now enough: order a has it, b still waits.
    let before = p.events();
    let v = p.json(&["policy", "edit", "Two admins", "--required-approvals", "1"]);
    assert_eq!(v["required_approvals"], 1);
    assert_eq!(p.events(), before + 3, "the policy and its two orders");
    let edit = p.text("SELECT action || ' ' || actor FROM audit_events WHERE target = 'Two admins' ORDER BY seq DESC LIMIT 1");
    assert_eq!(edit, "policy.edit operator:tester");
    let shown = p.json(&["order", "show", &a]);
    assert_eq!(shown["status"], "approved", "{shown}");
    assert_eq!(shown["approvals"], serde_json::json!([FIN]));
    assert_eq!(last_action_on(&p, &a), "order.release");
    let shown = p.json(&["order", "show", &b]);
    assert_eq!(shown["status"], "pending");
    assert_eq!(shown["policies"][0]["required_approvals"], 1);
    assert_eq!(last_action_on(&p, &b), "order.reevaluate");

    // A threshold above the order lets it go; so does another order type.
    p.ok(&["policy", "edit", "Two admins", "--threshold", "500"]);
    let shown = p.json(&["order", "show", &b]);
    assert_eq!(shown["status"], "approved");
    assert_eq!(shown["policies"][0]["released"], true);
    assert_eq!(last_action_on(&p, &b), "order.release");

    // Named approvers and an order type apply to the orders it holds.
    let c = id_of(&place(
        &p,
        Some(BUYER),
        "Server",
        "600",
        &["--type", "hardware"],
    ));
    let v = p.json(&[
        "policy", "edit", "Two admins", "--name", "Hardware", "--order-type", "hardware",
        "--approvers", MAX,
    ]);
    assert_eq!(v["name"], "Hardware");
    assert_eq!(v["order_type"], "hardware");
    assert_eq!(v["approvers"], serde_json::json!([MAX]));
    let shown = p.json(&["order", "show", &c]);
    assert_eq!(shown["policies"][0]["name"], "Hardware");
    assert_eq!(shown["deciders"], serde_json::json!([MAX]));
    assert_eq!(approve(&p, MAX, &c)["status"], "approved");

    // An edit that changes nothing writes nothing.
    let before = p.events();
    p.ok(&["policy", "edit", "Hardware", "--threshold", "500"]);
    assert_eq!(p.events(), before);
}

/// "`order cancel ID [--reason]` by its creator or an approver": pending
/// only, audited; others are refused and nothing changes.
#[test]
fn order_cancel_by_its_creator_or_an_approver() {
    let p = acme();
    p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
    let mine = id_of(&place(&p, Some(BUYER), "Switch", "60", &[]));
    let v = p.change(
        Some(BUYER),
        &["order", "cancel", &mine, "--reason", "bought elsewhere"],
        "order.cancel",
    );
    assert_eq!(v["status"], "cancelled");
    assert_eq!(v["cancelled_by"], BUYER);
    assert_eq!(v["cancelled_reason"], "bought elsewhere");
    assert_eq!(v["decided_at"], p.now.as_str());
    let e = p.last_event();
    assert_eq!(e["before"]["status"], "pending");
    assert_eq!(e["after"]["status"], "cancelled");
    // Cancelled: no more decisions, no second cancel.
    let err = p.refused_as(Some(BUYER), &["order", "cancel", &mine], CONFLICT);
    says(error_line(&err), "already cancelled");
    p.refused_as(Some(FIN), &["order", "approve", &mine], CONFLICT);
    let listed = p.json(&["order", "list", "--status", "cancelled"]);
    assert_eq!(ids(&listed), vec![num(&mine)]);

    // An approver cancels someone else's order; a manager who may neither
    // decide it nor placed it may not.
    let other = id_of(&place(&p, Some(BUYER), "Rack", "300", &[]));
    let err = p.refused_as(Some(MAX), &["order", "cancel", &other], DENIED);
    says(
        error_line(&err),
        "only its creator or someone who may decide it",
    );
    p.refused_as(Some(UMA), &["order", "cancel", &other], DENIED);
    let v = p.change(Some(FIN), &["order", "cancel", &other], "order.cancel");
    assert_eq!(v["cancelled_by"], FIN);
    assert_eq!(v["cancelled_reason"], Value::Null);

    // An approved order cannot be cancelled; an unknown one is not found.
    let cheap = id_of(&place(&p, Some(BUYER), "Cable", "5", &[]));
    p.refused_as(Some(BUYER), &["order", "cancel", &cheap], CONFLICT);
    p.refused(&["order", "cancel", "999"], NOT_FOUND);
    p.refused(&["order", "cancel", &cheap, "--reason", " "], USAGE);
}

/// Databases made before orders could be cancelled migrate in place: the
/// orders table is rebuilt with its rows, decisions and matched policies
/// kept, foreign keys and integrity clean, and old approvals count as they
/// did.
#[test]
fn a_database_from_before_cancellation_migrates_with_its_orders() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut earlier = vec![std::fs::read_to_string(root.join("schema.sql")).unwrap()];
    let mut files: Vec<_> = std::fs::read_dir(root.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let all = files.len() + 1;
    // The database as it was before the migration under test: every
    // migration before it; opening runs it and any after it.
    for f in files {
        if f.to_string_lossy().contains("orders_never_stuck") {
            break;
        }
        earlier.push(std::fs::read_to_string(f).unwrap());
    }
    assert!(earlier.len() < all, "the migration under test is missing");

    let p = Portal::empty();
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    for sql in &earlier {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", earlier.len() as i64)
        .unwrap();
    conn.execute_batch(
        "INSERT INTO people (id, email, name, created_at) VALUES
             (1, 'ann@acme.test', 'Ann', '2026-01-01T00:00:00Z'),
             (2, 'bob@acme.test', 'Bob', '2026-01-01T00:00:00Z');
         INSERT INTO accounts (id, name, kind, currency, owner_id, created_at)
             VALUES (1, 'Acme Ltd', 'partner', 'GBP', 1, '2026-01-01T00:00:00Z');
         INSERT INTO policies (id, account_id, name, threshold, required_approvals, created_at) VALUES
             (1, 1, 'Anyone', 5000, 1, '2026-01-01T00:00:00Z'),
             (2, 1, 'Bob signs', 5000, 1, '2026-01-01T00:00:00Z');
         INSERT INTO policy_approvers (policy_id, person_id) VALUES (2, 2);
         INSERT INTO orders (id, account_id, creator_id, creator, description, amount, currency, status, created_at) VALUES
             (1, 1, NULL, 'operator:root', 'Rack', 9000, 'GBP', 'pending', '2026-01-02T00:00:00Z'),
             (2, 1, NULL, 'operator:root', 'Desk', 100, 'GBP', 'approved', '2026-01-02T00:00:00Z');
         INSERT INTO order_policies (order_id, policy_id, name, required_approvals) VALUES
             (1, 1, 'Anyone', 1), (1, 2, 'Bob signs', 1);
         INSERT INTO order_policy_approvers (order_id, policy_id, person_id) VALUES (1, 2, 2);
         INSERT INTO order_decisions (order_id, person_id, approved, at)
             VALUES (1, 1, 1, '2026-01-03T00:00:00Z');",
    )
    .unwrap();
    drop(conn);

    // Any command opens, and so migrates, the database.
    p.run(&["order", "list"]);
    let version: usize = p.text("PRAGMA user_version").parse().unwrap();
    assert_eq!(version, all);
    assert_eq!(p.text("PRAGMA integrity_check"), "ok");
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    let orphans: Vec<String> = conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(orphans, Vec::<String>::new());
    assert_eq!(
        p.text(
            "SELECT group_concat(id || ':' || status, ' ') FROM (SELECT * FROM orders ORDER BY id)"
        ),
        "1:pending 2:approved"
    );
    assert_eq!(p.text("SELECT COUNT(*) FROM order_decisions"), "1");
    // Ann's approval counted toward the policy naming nobody, not toward
    // the one naming Bob.
    assert_eq!(
        p.text("SELECT group_concat(policy_id || '/' || person_id) FROM order_approval_policies"),
        "1/1"
    );
    let indexes = p.text(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'orders_by_account'",
    );
    assert_eq!(indexes, "1");
    // The rebuilt table takes the new status.
    conn.execute(
        "UPDATE orders SET status = 'cancelled', cancelled_by = 'operator:root' WHERE id = 1",
        [],
    )
    .unwrap();
}

// ------------------------------------------- deciding by changing policies

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json");
const FIONA: &str = "fiona@acme.test";
const OLIVE: &str = "olive@acme.test";
const FINANCE: &str = "Finance approval over 50";

/// `examples/demo.json` applied: Acme Ltd with its owner Olive and Fiona,
/// both admins; "Finance approval over 50" (Fiona named) and "Hardware
/// over 500" (two approvals); orders 1 (60.00 hardware, pending), 2
/// (approved at once) and 3 (899.00 hardware, pending under both).
fn demo() -> Portal {
    Portal::cached("orders: apply examples/demo.json", || {
        let p = Portal::empty();
        p.ok(&["apply", DEMO]);
        p
    })
}

fn audit_head(p: &Portal) -> String {
    p.ok(&["audit", "head"])
}

/// How the order `shown` is held by the policy `name`.
fn held_by<'v>(shown: &'v Value, name: &str) -> &'v Value {
    shown["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("not held by {name}: {shown}"))
}

/// Disables `Finance approval over 50` as `who` (the operator for `None`):
/// its event and one for each order it held.
#[track_caller]
fn disable_finance(p: &Portal, who: Option<&str>) {
    let before = p.events();
    let v = p.json_as(who, &["policy", "disable", FINANCE, "--account", ACCOUNT]);
    assert_eq!(v["enabled"], false);
    assert!(p.events() > before);
}

/// The attacker's way round "nobody approves their own order": Fiona
/// places an order, may not approve it, and may not release it either by
/// disabling or easing the policy that holds it. Another approver may.
#[test]
fn a_member_cannot_release_their_own_order_by_disabling_or_editing_its_policy() {
    let p = demo();
    let order = place(&p, Some(FIONA), "Laptop", "80.00", &["--account", ACCOUNT]);
    assert_eq!(order["status"], "pending");
    let id = id_of(&order);
    let err = p.refused_as(Some(FIONA), &["order", "approve", &id], CONFLICT);
    says(&err, "nobody approves their own order");

    let head = audit_head(&p);
    for attack in [
        vec!["policy", "disable", FINANCE, "--account", ACCOUNT],
        vec![
            "policy", "edit", FINANCE, "--threshold", "100.00", "--account", ACCOUNT,
        ],
    ] {
        let err = p.refused_as(Some(FIONA), &attack, DENIED);
        says(
            error_line(&err),
            &format!("would release (approve) order {id}, which they placed; nobody decides their own order"),
        );
        let shown = p.json(&["order", "show", &id]);
        assert_eq!(shown["status"], "pending", "{shown}");
        assert_eq!(held_by(&shown, FINANCE)["released"], false);
        assert_eq!(audit_head(&p), head);
    }
    assert_eq!(
        p.json(&["policy", "show", FINANCE, "--account", ACCOUNT])["enabled"],
        true
    );

    // Olive approves orders and did not place it: her disabling releases it.
    disable_finance(&p, Some(OLIVE));
    let shown = p.json(&["order", "show", &id]);
    assert_eq!(shown["status"], "approved", "{shown}");
    assert_eq!(held_by(&shown, FINANCE)["released"], true);
    assert_eq!(last_action_on(&p, &id), "order.release");
}

/// A member who manages policies but approves nothing cannot approve
/// orders by easing their policies; the operator can always.
#[test]
fn managing_policies_without_orders_approve_releases_no_order() {
    let p = demo();
    p.ok(&[
        "role",
        "create",
        "keeper",
        "--capabilities",
        "policies.manage,orders.place,account.view",
    ]);
    p.member("keeper@acme.test", "keeper");
    let head = audit_head(&p);
    // Order 1 (60.00) would go; order 3 still waits for `Hardware over 500`.
    let err = p.refused_as(
        Some("keeper@acme.test"),
        &[
            "policy", "edit", FINANCE, "--threshold", "100.00", "--account", ACCOUNT,
        ],
        DENIED,
    );
    // They see only their own orders: the order is neither named nor
    // counted.
    says(
        error_line(&err),
        "would release (approve) pending orders they cannot see; deciding orders needs `orders.approve`",
    );
    p.refused_as(
        Some("keeper@acme.test"),
        &["policy", "disable", FINANCE, "--account", ACCOUNT],
        DENIED,
    );
    assert_eq!(p.json(&["order", "show", "1"])["status"], "pending");
    assert_eq!(audit_head(&p), head);

    // The operator is not bound: no order is ever stuck.
    disable_finance(&p, None);
    assert_eq!(p.json(&["order", "show", "1"])["status"], "approved");
    assert_eq!(p.json(&["order", "show", "3"])["status"], "pending");
}

/// A file is no way round: `apply --as` that disables the policy holding
/// the actor's own order is refused like `policy disable`.
#[test]
fn an_apply_that_would_release_the_actors_own_order_is_refused() {
    let p = demo();
    let id = id_of(&place(
        &p,
        Some(FIONA),
        "Laptop",
        "80.00",
        &["--account", ACCOUNT],
    ));
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(DEMO).unwrap()).unwrap();
    doc["accounts"][0]["policies"][0]["enabled"] = Value::Bool(false);
    // Acme alone: policies go once every account's users are there, and
    // Fiona may apply no other account.
    doc["accounts"] = Value::Array(vec![doc["accounts"][0].clone()]);
    let file = p.db.with_file_name("disabled.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let err = p.refused_as(Some(FIONA), &["apply", file], DENIED);
    says(error_line(&err), "nobody decides their own order");
    assert_eq!(p.json(&["order", "show", &id])["status"], "pending");
    // The operator's apply goes through.
    p.ok(&["apply", file]);
    assert_eq!(p.json(&["order", "show", &id])["status"], "approved");
}

/// "Every matching policy must be satisfied by distinct eligible
/// approvers", and a merged duplicate's actions are the kept person's
/// own: Fiona's approval, once she is merged into Olive, is Olive's.
#[test]
fn one_person_gives_no_two_approvals_by_a_merge() {
    let p = demo();
    disable_finance(&p, None);
    let v = approve(&p, FIONA, "3");
    assert_eq!(v["status"], "pending");
    p.ok(&["-y", "user", "merge", FIONA, "--into", OLIVE]);
    let head = audit_head(&p);
    let err = p.refused_as(Some(OLIVE), &["order", "approve", "3"], CONFLICT);
    says(
        error_line(&err),
        "`olive@acme.test` already approved order 3 as `fiona@acme.test`",
    );
    assert_eq!(audit_head(&p), head);
    let shown = p.json(&["order", "show", "3"]);
    assert_eq!(shown["status"], "pending", "{shown}");
    let hardware = held_by(&shown, "Hardware over 500");
    assert_eq!(hardware["approvals"], 1, "{shown}");
    assert_eq!(hardware["satisfied"], false);
    // Someone else gives the second.
    p.member("fin@acme.test", "admin");
    assert_eq!(approve(&p, "fin@acme.test", "3")["status"], "approved");
}

/// A merge of people who each approved counts them once; a merge of
/// someone who decided nothing leaves distinct approvals counting.
#[test]
fn approvals_count_distinct_people_as_merges_leave_them() {
    let p = demo();
    disable_finance(&p, None);
    p.member("fin@acme.test", "admin");
    p.ok(&[
        "policy", "edit", "Hardware over 500", "--required-approvals", "3", "--account", ACCOUNT,
    ]);
    approve(&p, FIONA, "3");
    approve(&p, OLIVE, "3");
    let shown = p.json(&["order", "show", "3"]);
    assert_eq!(held_by(&shown, "Hardware over 500")["approvals"], 2);
    p.ok(&["-y", "user", "merge", FIONA, "--into", OLIVE]);
    let shown = p.json(&["order", "show", "3"]);
    assert_eq!(
        held_by(&shown, "Hardware over 500")["approvals"],
        1,
        "{shown}"
    );
    // Fin alone is left for the two still needed: nobody decides it.
    assert_eq!(shown["deciders"], serde_json::json!([]), "{shown}");
    says(
        &p.refused_as(Some("fin@acme.test"), &["order", "approve", "3"], CONFLICT),
        "needs 2 more approvals and only 1 person may give them",
    );

    // Genuinely different people: Una decided nothing.
    let p = demo();
    disable_finance(&p, None);
    approve(&p, FIONA, "3");
    p.ok(&["-y", "user", "merge", "una@acme.test", "--into", OLIVE]);
    assert_eq!(approve(&p, OLIVE, "3")["status"], "approved");
    let text = p.ok(&["order", "show", "3"]);
    says(&text, "satisfied (2 of 2 approvals)");
}

/// "An order placed by a merged duplicate is the kept person's own": one
/// who sees only their own orders sees, and may cancel, those their
/// duplicate placed once it is merged into them.
#[test]
fn a_placer_sees_the_orders_of_a_duplicate_merged_into_them() {
    let p = Portal::new();
    p.ok(&[
        "role",
        "create",
        "placer",
        "--capabilities",
        "portal.access,account.view,orders.place",
    ]);
    p.member("pat@acme.test", "placer");
    p.member("pat2@acme.test", "placer");
    p.ok(&["policy", "create", "--name", "All", "--threshold", "0"]);
    let order = p.json_as(
        Some("pat2@acme.test"),
        &["order", "place", "--description", "Chair", "--amount", "5"],
    );
    let id = order["id"].to_string();
    let listed = |p: &Portal| p.json_as(Some("pat@acme.test"), &["order", "list"]);
    assert_eq!(listed(&p), serde_json::json!([]));
    p.refused_as(Some("pat@acme.test"), &["order", "show", &id], NOT_FOUND);
    p.ok(&[
        "user", "merge", "pat2@acme.test", "--into", "pat@acme.test", "--yes",
    ]);
    assert_eq!(listed(&p)[0]["id"].to_string(), id);
    let by = p.json(&["order", "list", "--created-by", "pat@acme.test"]);
    assert_eq!(by[0]["id"].to_string(), id);
    let done = p.json_as(Some("pat@acme.test"), &["order", "cancel", &id]);
    assert_eq!(done["status"], "cancelled");
}

/// An order of a type no policy names, where policies name types, is
/// placed (exit 0) with a warning naming the types: a typo would
/// otherwise slip past the policy kept for its type without a word.
#[test]
fn an_order_type_no_policy_names_warns_with_the_types_named() {
    let p = Portal::new();
    p.member(MAX, "manager");
    p.ok(&[
        "policy", "create", "--name", "Hardware", "--threshold", "500", "--order-type", "hardware",
    ]);
    let run = p.run_as(
        Some(MAX),
        &[
            "order", "place", "--description", "Server", "--amount", "900.00", "--order-type",
            "hardwre",
        ],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim_end(),
        format!("warning: no policy of `{ACCOUNT}` is for orders of type `hardwre`, so only its policies for every type hold this one; its policies name the types `hardware`")
    );
    let run = p.run_as(
        Some(MAX),
        &[
            "order", "place", "--description", "Server", "--amount", "900.00", "--order-type",
            "hardware",
        ],
    );
    assert_eq!((run.code, run.stderr.as_str()), (SUCCESS, ""));
}

/// An order nobody may decide (its placer is the only approver) is placed
/// with a warning in `order show`'s words, whose command to ease the
/// policy works as pasted: naming an approver where nobody else may
/// decide, requiring fewer approvals where fewer may give them. Raising
/// the threshold, suggested before, was refused while the policy was
/// short of approvers, and passed other orders too.
#[test]
fn an_order_nobody_can_decide_is_placed_with_a_warning_whose_commands_work_pasted() {
    let p = Portal::new();
    p.ok(&["policy", "create", "--name", "Big", "--threshold", "10"]);
    let placed = p.run_as(
        Some(OWNER),
        &["order", "place", "--description", "X", "--amount", "60"],
    );
    assert_eq!(placed.code, SUCCESS, "{}", placed.stderr);
    let edit = format!("portalctl policy edit Big --account '{ACCOUNT}'");
    let nobody = format!(
        "nobody: cancel it (`portalctl order cancel 1 --account '{ACCOUNT}'`), or ease its policy (name an approver who may decide it: `{edit} --approvers EMAIL`)"
    );
    assert_eq!(
        warnings(&placed.stderr),
        [format!(
            "warning: order 1 in `{ACCOUNT}` cannot get enough approvals (policy `Big` needs 1 approval and nobody may give it), so it can be decided by {nobody}"
        )]
    );
    says(&p.ok(&["order", "show", "1"]), &nobody);
    p.member(MAX, "manager");
    p.ok(&[
        "policy", "edit", "Big", "--account", ACCOUNT, "--approvers", MAX,
    ]);
    p.json_as(Some(MAX), &["order", "approve", "1"]);
    assert_eq!(p.json(&["order", "show", "1"])["status"], "approved");

    // Two approvals, of which only Max may give one to the owner's order.
    p.ok(&[
        "policy",
        "edit",
        "Big",
        "--account",
        ACCOUNT,
        "--approvers",
        &format!("{MAX},{OWNER}"),
        "--required-approvals",
        "2",
    ]);
    let placed = p.run_as(
        Some(OWNER),
        &["order", "place", "--description", "Y", "--amount", "70"],
    );
    says(
        &placed.stderr,
        &format!("or ease its policy (`{edit} --required-approvals 1`, or name more approvers)"),
    );
    p.ok(&[
        "policy", "edit", "Big", "--account", ACCOUNT, "--required-approvals", "1",
    ]);
    p.json_as(Some(MAX), &["order", "approve", "2"]);
    assert_eq!(p.json(&["order", "show", "2"])["status"], "approved");
}

/// Findings C3: an order type that reads as `hardware` is `hardware`, so
/// "Hardware over 500" (two approvals) holds it however it is typed:
/// full-width or in capitals it is kept, and shown, as `hardware`; typed
/// with a Cyrillic `а` it would read as `hardware` to its approver and
/// escape the policy, so it is refused (exit 2), by `order place`,
/// `policy create` and `apply` alike, and nothing changes.
#[test]
fn an_order_type_that_reads_as_hardware_is_held_as_hardware_or_refused() {
    let p = demo();
    for typed in ["ｈａｒｄｗａｒｅ", "HARDWARE"] {
        let order = place(
            &p,
            Some("max@acme.test"),
            "t",
            "600",
            &["--order-type", typed],
        );
        assert_eq!(order["type"], "hardware", "{order}");
        assert_eq!(order["status"], "pending", "{order}");
        let hardware = held_by(&order, "Hardware over 500");
        assert_eq!(hardware["required_approvals"], 2, "{order}");
    }
    let head = audit_head(&p);
    for typed in ["hardw\u{430}re", "ｈａｒｄｗ\u{430}ｒｅ"] {
        let err = p.refused_as(
            Some("max@acme.test"),
            &[
                "order", "place", "--description", "t", "--amount", "600", "--order-type", typed,
            ],
            USAGE,
        );
        says(error_line(&err), "mixes Latin and Cyrillic letters");
        let err = p.refused(
            &[
                "policy", "create", "--name", "Lookalike", "--threshold", "1", "--order-type",
                typed, "--account", ACCOUNT,
            ],
            USAGE,
        );
        says(error_line(&err), "the order type");
    }
    assert_eq!(audit_head(&p), head, "a refusal changes nothing");
    let file = serde_json::json!({"accounts": [{"name": ACCOUNT, "orders": [{
        "ref": "PO-C3", "created_by": "max@acme.test", "description": "t",
        "amount": "600.00", "type": "hardw\u{430}re"
    }]}]});
    let dir = scratch_dir();
    let path = dir.path().join("c3.json");
    std::fs::write(&path, file.to_string()).unwrap();
    let err = p.refused(&["apply", path.to_str().unwrap()], USAGE);
    says(&err, "accounts[0].orders[0].type");
    assert_eq!(audit_head(&p), head, "a refused file changes nothing");
}

/// The policy edits to paste that `text` gives: each `portalctl policy
/// edit ...` between backquotes, `portalctl` left off, with `EMAIL`
/// filled in from `emails` one after another.
fn pasted_commands(text: &str, emails: &[&str]) -> Vec<Vec<String>> {
    let mut emails = emails.iter().cycle();
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| c.starts_with("portalctl policy edit "))
        .filter_map(|c| c.strip_prefix("portalctl "))
        .map(|c| {
            let mut filled = c.to_string();
            while filled.contains("EMAIL") {
                filled = filled.replacen("EMAIL", emails.next().unwrap(), 1);
            }
            shell_words(&filled)
        })
        .collect()
}

/// Findings C8: the demo's order 3, "Hardware over 500" (two approvals)
/// with Olive's one given, and Fiona, the only other approver,
/// deactivated: nobody may decide it. Each command `order show` gives
/// to ease its policies passes pasted (requiring the one approval given
/// rather than naming one approver for a policy requiring two, which
/// `policy edit` refuses), and with them the order moves on.
#[test]
fn the_advice_for_a_stuck_order_requiring_two_approvals_passes_pasted() {
    let p = demo();
    approve(&p, OLIVE, "3");
    p.ok(&["user", "deactivate", FIONA, "--account", ACCOUNT, "--yes"]);
    let shown = p.ok(&["order", "show", "3"]);
    let advice = shown
        .lines()
        .find(|l| l.starts_with("can decide"))
        .unwrap_or_else(|| panic!("no deciders line: {shown}"));
    says(advice, "nobody");
    says(
        advice,
        "`portalctl policy edit 'Hardware over 500' --account 'Acme Ltd' --required-approvals 1`",
    );
    let commands = pasted_commands(advice, &["una@acme.test"]);
    assert_eq!(commands.len(), 2, "{advice}");
    for command in &commands {
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        p.ok(&args);
    }
    let shown = p.json(&["order", "show", "3"]);
    assert_eq!(shown["stuck"], false, "{shown}");
    assert_eq!(shown["deciders"], serde_json::json!(["una@acme.test"]));
    approve(&p, "una@acme.test", "3");
    assert_eq!(p.json(&["order", "show", "3"])["status"], "approved");
}

/// Where nobody may give a policy requiring two approvals any, the
/// advice names two approvers (naming one is refused), and that passes
/// pasted too.
#[test]
fn the_advice_names_as_many_approvers_as_the_policy_requires() {
    let p = Portal::new();
    p.member(MAX, "manager");
    p.member(UMA, "user");
    p.member(FIN, "user");
    p.ok(&[
        "policy",
        "create",
        "--name",
        "Two",
        "--threshold",
        "10",
        "--approvers",
        &format!("{UMA},{FIN}"),
        "--required-approvals",
        "2",
    ]);
    let order = id_of(&place(&p, Some(MAX), "X", "60", &[]));
    for who in [UMA, FIN] {
        p.ok(&["user", "deactivate", who, "--yes"]);
    }
    let shown = p.ok(&["order", "show", &order]);
    let edit = format!("portalctl policy edit Two --account '{ACCOUNT}'");
    says(
        &shown,
        &format!("name 2 approvers who may decide it: `{edit} --approvers EMAIL,EMAIL`"),
    );
    // Naming one, as the advice said before, is refused.
    p.refused(&["policy", "edit", "Two", "--approvers", OWNER], CONFLICT);
    p.member(FAY, "user");
    let commands = pasted_commands(&shown, &[OWNER, FAY]);
    assert_eq!(commands.len(), 1, "{shown}");
    let args: Vec<&str> = commands[0].iter().map(String::as_str).collect();
    p.ok(&args);
    assert_eq!(p.json(&["order", "show", &order])["stuck"], false);
    approve(&p, OWNER, &order);
    approve(&p, FAY, &order);
    assert_eq!(p.json(&["order", "show", &order])["status"], "approved");
}

/// `order show --json` says of the order itself whether nobody may ever
/// decide it, as its policies' `stuck` do one by one, so that a script
/// need not read each policy.
#[test]
fn order_show_json_says_whether_the_order_is_stuck() {
    let p = Portal::new();
    p.ok(&["order", "place", "--description", "Small", "--amount", "5"]);
    p.ok(&["policy", "create", "--name", "Big", "--threshold", "10"]);
    let placed = p.json_as(
        Some(OWNER),
        &["order", "place", "--description", "X", "--amount", "60"],
    );
    assert_eq!(placed["stuck"], true, "{placed}");
    assert_eq!(p.json(&["order", "show", "1"])["stuck"], false);
    assert_eq!(p.json(&["order", "show", "2"])["stuck"], true);
    p.member(MAX, "manager");
    p.ok(&[
        "policy", "edit", "Big", "--account", ACCOUNT, "--approvers", MAX,
    ]);
    assert_eq!(p.json(&["order", "show", "2"])["stuck"], false);
}

/// `order list --json` says of each order whether it is stuck, as `order
/// show` does, so that a script finds the orders nobody may decide
/// without showing each; the table marks them in STATUS.
#[test]
fn order_list_flags_a_stuck_order_and_no_other() {
    let p = Portal::new();
    p.ok(&["order", "place", "--description", "Small", "--amount", "5"]);
    p.ok(&["policy", "create", "--name", "Big", "--threshold", "10"]);
    // The owner, the only approver, placed it: nobody may decide it.
    p.json_as(
        Some(OWNER),
        &["order", "place", "--description", "Stuck", "--amount", "60"],
    );
    // The owner may decide this one.
    p.ok(&["order", "place", "--description", "Open", "--amount", "70"]);
    let listed: Vec<(String, String, Value)> = p
        .json(&["order", "list"])
        .as_array()
        .expect("a list")
        .iter()
        .map(|o| {
            (
                o["description"].as_str().unwrap_or_default().to_string(),
                o["status"].as_str().unwrap_or_default().to_string(),
                o["stuck"].clone(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                "Small".to_string(),
                "approved".to_string(),
                Value::Bool(false)
            ),
            (
                "Stuck".to_string(),
                "pending".to_string(),
                Value::Bool(true)
            ),
            (
                "Open".to_string(),
                "pending".to_string(),
                Value::Bool(false)
            ),
        ]
    );
    for id in ["1", "2", "3"] {
        let listed = &p.json(&["order", "list"])[id.parse::<usize>().unwrap() - 1]["stuck"];
        assert_eq!(
            &p.json(&["order", "show", id])["stuck"],
            listed,
            "order {id}"
        );
    }
    let table = p.ok(&["order", "list"]);
    let marked: Vec<&str> = table.lines().filter(|l| l.contains("(stuck)")).collect();
    assert_eq!(marked.len(), 1, "{table}");
    says(marked[0], "Stuck");
    says(marked[0], "pending (stuck)");
}

/// Attack: fiona's own hardware order needed 2 approvals of which only
/// olive could give one: placed with no warning, `order show` named olive,
/// and after her approval it waited for ever. Nobody approves their own
/// order, so fiona does not count: it is placed with a warning, nobody is
/// said to decide it, nor may, and its approvers may still cancel it.
#[test]
fn an_order_its_creator_leaves_short_of_approvals_warns_and_names_no_decider() {
    let p = demo();
    let olive = OLIVE;
    let run = p.run_as(
        Some(FIONA),
        &[
            "order", "place", "--description", "Server", "--amount", "900.00", "--order-type",
            "hardware", "--ref", "ST1",
        ],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let said = warnings(&run.stderr).join("\n");
    says(&said, "order 4 in `Acme Ltd` cannot get enough approvals");
    says(
        &said,
        "policy `Hardware over 500` needs 2 approvals and only 1 person may give them",
    );
    says(&said, "portalctl order cancel 4");

    let shown = p.json(&["order", "show", "ST1"]);
    assert_eq!(shown["deciders"], serde_json::json!([]), "{shown}");
    assert_eq!(shown["policies"][1]["stuck"], true, "{shown}");
    says(
        &p.ok(&["order", "show", "ST1"]),
        "can decide   nobody: cancel it",
    );
    assert!(
        !ids(&p.json_as(Some(olive), &["order", "inbox"])).contains(&4),
        "the inbox lists what `order show` says she decides"
    );
    let err = p.refused_as(Some(olive), &["order", "approve", "ST1"], CONFLICT);
    says(&err, "order 4 cannot get enough approvals");
    says(&err, "portalctl policy edit 'Hardware over 500'");
    let cancelled = p.change(Some(olive), &["order", "cancel", "ST1"], "order.cancel");
    assert_eq!(cancelled["status"], "cancelled");
}

/// Attack: a policy naming fiona, olive and max, needing all three, held
/// max's own order for ever: at most 2 of 3 possible. The account's other
/// approvers are those two already, so it is placed with a warning and
/// nobody is said to decide it; easing the policy lets them.
#[test]
fn an_order_whose_creator_is_a_named_approver_falls_back_or_warns() {
    let p = demo();
    p.ok(&[
        "policy",
        "edit",
        "Hardware over 500",
        "--approvers",
        "fiona@acme.test,olive@acme.test,max@acme.test",
        "--required-approvals",
        "3",
        "--account",
        "Acme Ltd",
    ]);
    let run = p.run_as(
        Some(MAX),
        &[
            "order", "place", "--description", "z", "--amount", "600.00", "--order-type",
            "hardware", "--ref", "PA1",
        ],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(
        &warnings(&run.stderr).join("\n"),
        "policy `Hardware over 500` needs 3 approvals and only 2 people may give them",
    );
    assert_eq!(
        p.json(&["order", "show", "PA1"])["deciders"],
        serde_json::json!([])
    );
    // Two approvals are enough now: fiona and olive, both named, decide.
    p.ok(&[
        "policy", "edit", "Hardware over 500", "--required-approvals", "2", "--account", "Acme Ltd",
    ]);
    assert_eq!(
        p.json(&["order", "show", "PA1"])["deciders"],
        serde_json::json!(["fiona@acme.test", "olive@acme.test"])
    );
}

/// Who of a policy's approvers can no longer decide, and why, is their
/// status: a manager, refused `user list`, reads the policy without the
/// marks or `deciders`/`cannot_decide`, as before they existed.
#[test]
fn policy_approvers_status_is_shown_only_to_who_may_list_users() {
    let p = Portal::new();
    p.member("ann@acme.test", "manager");
    p.member("bob@acme.test", "user");
    p.ok(&[
        "policy", "create", "--name", "Big", "--threshold", "50", "--approvers",
        "bob@acme.test,owner@acme.test",
    ]);
    p.ok(&["user", "deactivate", "bob@acme.test", "--yes"]);
    let ann = Some("ann@acme.test");
    p.refused_as(ann, &["user", "list"], crate::support::DENIED);
    for args in [&["policy", "list"][..], &["policy", "show", "Big"]] {
        let run = p.run_as(ann, args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        says(&run.stdout, "bob@acme.test");
        assert!(!run.stdout.contains("deactivated"), "{}", run.stdout);
        // The owner, who lists users, sees the mark.
        says(
            &p.run_as(Some(OWNER), args).stdout,
            "bob@acme.test (deactivated)",
        );
    }
    let v = p.json_as(ann, &["policy", "show", "Big"]);
    assert!(v.get("deciders").is_none(), "{v}");
    assert!(v.get("cannot_decide").is_none(), "{v}");
    assert_eq!(v["approvers"].as_array().map(Vec::len), Some(2), "{v}");
    let v = &p.json_as(ann, &["policy", "list"])[0];
    assert!(v.get("deciders").is_none(), "{v}");
    assert!(v.get("cannot_decide").is_none(), "{v}");
    let v = p.json_as(Some(OWNER), &["policy", "show", "Big"]);
    assert_eq!(
        v["cannot_decide"],
        serde_json::json!([{"email": "bob@acme.test", "status": "deactivated"}]),
        "{v}"
    );
}

/// A policy keeps the approvers it names when one is deactivated or
/// leaves; its list marks who can no longer decide, and says so in JSON
/// as `order show` names who may decide (`deciders`).
#[test]
fn policy_list_marks_named_approvers_who_can_no_longer_decide() {
    let p = Portal::new();
    p.member("fin@acme.test", "user");
    p.member("mel@acme.test", "user");
    p.ok(&[
        "policy",
        "create",
        "--name",
        "Big",
        "--threshold",
        "50",
        "--approvers",
        "fin@acme.test,mel@acme.test,owner@acme.test",
    ]);
    p.ok(&["user", "deactivate", "fin@acme.test", "--yes"]);
    p.ok(&["user", "left-company", "mel@acme.test", "--yes"]);
    let table = p.ok(&["policy", "list"]);
    says(&table, "fin@acme.test (deactivated)");
    says(&table, "mel@acme.test (left)");
    assert!(!table.contains("owner@acme.test ("), "{table}");
    says(
        &p.ok(&["policy", "show", "Big"]),
        "fin@acme.test (deactivated)",
    );
    let v = &p.json(&["policy", "list"])[0];
    assert_eq!(v["deciders"], serde_json::json!(["owner@acme.test"]), "{v}");
    assert_eq!(
        v["cannot_decide"],
        serde_json::json!([
            {"email": "fin@acme.test", "status": "deactivated"},
            {"email": "mel@acme.test", "status": "left"},
        ]),
        "{v}"
    );
    // The approvers it names are listed as before.
    assert_eq!(v["approvers"].as_array().map(Vec::len), Some(3), "{v}");
    // Brought back, they decide again and are no longer marked.
    p.ok(&["user", "activate", "fin@acme.test"]);
    let v = &p.json(&["policy", "show", "Big"]);
    assert_eq!(
        v["deciders"],
        serde_json::json!(["owner@acme.test", "fin@acme.test"]),
        "{v}"
    );
}

/// "Who can approve orders here?" (001: "Finance approval for orders over
/// £50", its approver named): `can` answers no for a named approver who
/// does not hold `orders.approve`, and says which policies they decide.
#[test]
fn can_names_the_policies_a_named_approver_decides() {
    let p = Portal::new();
    p.member(MAX, "manager");
    p.ok(&[
        "policy", "create", "--name", "Finance over 50", "--threshold", "50", "--approvers", MAX,
    ]);
    let run = p.run(&["can", MAX, "orders.approve"]);
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    says(
        &run.stdout,
        "decides the orders of policy `Finance over 50` as a named approver",
    );
    let run = p.run(&["--json", "can", MAX, "orders.approve"]);
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v["approver_of"],
        serde_json::json!(["Finance over 50"]),
        "{v}"
    );
}

/// `order place`, and `order approve` of an order still waiting, say who
/// decides next, as `order show` does: the new user found only `show`
/// said it.
#[test]
fn place_and_an_approval_that_leaves_it_pending_say_who_decides_next() {
    let p = acme();
    p.ok(&[
        "policy", "create", "--name", "Two", "--threshold", "100", "--required-approvals", "2",
    ]);
    let placed = p.run_as(
        Some(MAX),
        &["order", "place", "--description", "Desk", "--amount", "150"],
    );
    assert_eq!(placed.code, SUCCESS, "{}", placed.stderr);
    says(
        &placed.stdout,
        &format!("can decide   {OWNER}, {FIN}, {FAY}"),
    );
    let approved = p.json_as(Some(FIN), &["order", "approve", "1"]);
    assert_eq!(approved["status"], "pending");
    assert_eq!(approved["deciders"], serde_json::json!([OWNER, FAY]));
    let last = p.json_as(Some(FAY), &["order", "approve", "1"]);
    assert_eq!(last["status"], "approved");
    assert!(last.get("deciders").is_none(), "{last}");
}

/// Amounts in a currency without a minor unit (ISO 4217: JPY) are whole:
/// an order, a policy's threshold or a fixture's amount with decimals is
/// refused (exit 2) and nothing changes; whole amounts are taken.
#[test]
fn amounts_in_yen_have_no_decimals() {
    let p = Portal::new();
    p.ok(&[
        "account", "create", "Nippon", "--kind", "customer", "--currency", "JPY",
    ]);
    let before = p.dump();
    for args in [
        &[
            "order", "place", "--description", "Router", "--amount", "12.50", "--account", "Nippon",
        ][..],
        &[
            "policy", "create", "--name", "Big", "--threshold", "1000.5", "--account", "Nippon",
        ],
    ] {
        let err = p.refused(args, USAGE);
        says(
            error_line(&err),
            "is not an amount in JPY: JPY amounts have no decimals",
        );
    }
    assert_eq!(p.dump(), before);
    let placed = p.json(&[
        "order", "place", "--description", "Router", "--amount", "1200", "--account", "Nippon",
    ]);
    assert_eq!(placed["currency"], "JPY", "{placed}");
    // GBP keeps its pence.
    p.json(&[
        "order", "place", "--description", "Cable", "--amount", "12.50", "--account", ACCOUNT,
    ]);
}

/// An amount prints with its currency's decimals, in tables, JSON and
/// exports: `1200` yen, not `1200.00`; an export applied to a new
/// database reads back the same, and a fixture's `"1000"` yen is 1000.
/// A third decimal, which a currency such as KWD has, is refused saying
/// that portalctl keeps two.
#[test]
fn amounts_print_with_their_currencys_decimals() {
    let p = Portal::empty();
    p.ok(&[
        "init", "--account", "Nippon", "--owner-email", OWNER, "--currency", "JPY",
    ]);
    for (name, currency) in [("Kuwait", "KWD"), (ACCOUNT, "GBP")] {
        p.ok(&[
            "account", "create", name, "--kind", "customer", "--currency", currency,
        ]);
    }
    let nippon = ["--account", "Nippon"];
    p.ok(&[
        &["policy", "create", "--name", "Big", "--threshold", "5000"][..],
        &nippon,
    ]
    .concat());
    let placed = p.json(
        &[
            &[
                "order", "place", "--description", "Router", "--amount", "1200",
            ][..],
            &nippon,
        ]
        .concat(),
    );
    assert_eq!(placed["amount"], "1200", "{placed}");
    let shown = p.ok(&["order", "show", "1"]);
    says(&shown, "1200 JPY");
    assert!(!shown.contains("1200.00"), "{shown}");
    let policy = p.json(&[&["policy", "show", "Big"][..], &nippon].concat());
    assert_eq!(policy["threshold"], "5000", "{policy}");
    let listed = p.ok(&[&["order", "list"][..], &nippon].concat());
    says(&listed, "1200 JPY");
    let kd = p.json(&[
        "order", "place", "--description", "Cable", "--amount", "1.5", "--account", "Kuwait",
    ]);
    assert_eq!(kd["amount"], "1.50", "{kd}");
    let gbp = p.json(&[
        "order", "place", "--description", "Cable", "--amount", "12.5", "--account", ACCOUNT,
    ]);
    assert_eq!(gbp["amount"], "12.50", "{gbp}");
    let err = p.refused(
        &[
            "order", "place", "--description", "X", "--amount", "1.125", "--account", "Kuwait",
        ],
        USAGE,
    );
    says(
        error_line(&err),
        "portalctl keeps: it keeps two decimals, for currencies of three (KWD, BHD, ...) too",
    );
    // Exported as printed, and read back the same.
    let exported = p.ok(&["export"]);
    let doc: serde_json::Value = serde_json::from_str(&exported).unwrap();
    let nippon_doc = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Nippon")
        .unwrap();
    assert_eq!(nippon_doc["orders"][0]["amount"], "1200", "{nippon_doc}");
    assert_eq!(
        nippon_doc["policies"][0]["threshold"], "5000",
        "{nippon_doc}"
    );
    let copy = Portal::empty();
    let dir = scratch_dir();
    let file = dir.path().join("export.json");
    std::fs::write(&file, &exported).unwrap();
    copy.ok(&["apply", file.to_str().unwrap()]);
    assert_eq!(copy.ok(&["export"]), exported);
    // A file's whole yen read as yen.
    let more = r#"{"accounts": [{"name": "Nippon", "orders": [
        {"ref": "PO-9", "created_by": "owner@acme.test", "description": "Desk", "amount": "1000"}]}]}"#;
    std::fs::write(&file, more).unwrap();
    copy.ok(&["apply", file.to_str().unwrap()]);
    let desk = copy.json(&["order", "show", "PO-9", "--account", "Nippon"]);
    assert_eq!(desk["amount"], "1000", "{desk}");
}

/// Findings N6: a named approver cut off from the account (deactivated,
/// blocked, left, or an external admin whose access ended) keeps her place
/// in the policy but reads and decides none of its orders, placed before or
/// after: every order command refuses her alike (exit 5, as `order list`),
/// and her inbox is empty. Before, `order show` printed them and `order
/// approve` then said "no order".
#[test]
fn a_named_approver_cut_off_from_the_account_reaches_no_order_by_any_command() {
    let portal = || {
        let p = Portal::cached("orders: named user approver", || {
            let p = Portal::new();
            p.member(UMA, "user");
            p.ok(&[
                "policy", "create", "--name", "Finance over 50", "--threshold", "50",
                "--approvers", UMA,
            ]);
            p
        });
        (p, ACCOUNT, UMA)
    };
    let msp = || {
        let p = Portal::cached("orders: named external approver", || {
            let p = Portal::with_preset("msp");
            p.member("ada@acme.test", "msp-administrator");
            p.customer("Client Co");
            p.ok(&[
                "external-admin", "add", "--customer", "Client Co", "--email", "ada@acme.test",
                "--role", "msp-user",
            ]);
            p.ok(&[
                "policy", "create", "--account", "Client Co", "--name", "Finance over 50",
                "--threshold", "50", "--approvers", "ada@acme.test",
            ]);
            p
        });
        (p, "Client Co", "ada@acme.test")
    };
    type Setup = fn() -> (Portal, &'static str, &'static str);
    let ways: [(Setup, &[&str]); 4] = [
        (portal, &["user", "deactivate", UMA, "--yes"]),
        (portal, &["user", "set-role", UMA, "no-access"]),
        (portal, &["user", "left-company", UMA, "--yes"]),
        (
            msp,
            &[
                "user", "deactivate", "ada@acme.test", "--account", ACCOUNT, "--yes",
            ],
        ),
    ];
    for (setup, cut_off) in ways {
        let (p, account, who) = setup();
        let place = |reference: &str| {
            p.json(&[
                "order", "place", "--account", account, "--description", "Legal fees", "--amount",
                "75", "--ref", reference,
            ])["id"]
                .to_string()
        };
        let before = place("PO-1");
        let shown = p.json_as(Some(who), &["order", "show", &before]);
        assert_eq!(shown["ref"], "PO-1", "named, she reads it: {shown}");
        p.ok(cut_off);
        let after = place("PO-2");
        for order in [&before, &after, &"PO-2".to_string()] {
            for command in [
                vec!["order", "show", order],
                vec!["order", "approve", order],
                vec!["order", "reject", order, "--reason", "no"],
                vec!["order", "cancel", order],
            ] {
                p.refused_as(Some(who), &command, DENIED);
            }
        }
        p.refused_as(Some(who), &["order", "list"], DENIED);
        assert_eq!(
            p.json_as(Some(who), &["order", "inbox"]),
            serde_json::json!([]),
            "{cut_off:?}"
        );
        assert_eq!(p.json(&["order", "show", &before])["status"], "pending");
    }
}

/// Findings N11: `can` names the policies a named approver decides only to
/// whoever may read the account's policies; a portal user, refused `policy
/// list`, reads no policy names through `can`, not even of those that name
/// her.
#[test]
fn can_names_policies_only_to_whoever_may_list_them() {
    let p = Portal::new();
    p.member(UMA, "user");
    p.ok(&[
        "policy", "create", "--name", "Secret board approval", "--threshold", "1000",
        "--approvers", UMA,
    ]);
    p.refused_as(Some(UMA), &["policy", "list"], DENIED);
    let run = p.run_as(Some(UMA), &["--json", "can", UMA, "orders.approve"]);
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    assert!(!run.stdout.contains("Secret board"), "{}", run.stdout);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["approver_of"], Value::Null, "{v}");
    let run = p.run_as(Some(UMA), &["can", UMA, "orders.approve"]);
    assert!(!run.stdout.contains("Secret board"), "{}", run.stdout);
    // The operator, who reads the policies, is told.
    let v = p.can(&[UMA, "orders.approve"]);
    assert_eq!(
        v["approver_of"],
        serde_json::json!(["Secret board approval"]),
        "{v}"
    );
}

/// Findings A10: the warning of an order stuck on twenty policies says
/// their shared cause once and names three of them with a command each,
/// "and 17 others", as `order show` does; not 3 KB on one line.
#[test]
fn an_order_stuck_on_many_policies_is_warned_of_in_a_few_lines() {
    let p = Portal::new();
    for i in 0..20 {
        p.ok(&[
            "policy",
            "create",
            "--name",
            &format!("P{i:02}"),
            "--threshold",
            "10",
        ]);
    }
    let run = p.run_as(
        Some(OWNER),
        &["order", "place", "--description", "Desk", "--amount", "20"],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert!(run.stderr.len() < 600, "{}", run.stderr);
    says(
        &run.stderr,
        "policies `P00`, `P01`, `P02`, and 17 others each need 1 approval and nobody may give it",
    );
    says(&run.stderr, "name an approver who may decide each: ");
    says(
        &run.stderr,
        "`portalctl policy edit P02 --account 'Acme Ltd' --approvers EMAIL`, and 17 others)",
    );
    let shown = p.ok(&["order", "show", "1"]);
    says(&shown, "and 17 others)");
}

// ------------------------------------------------------ a creator's own orders

/// examples/demo.json, where max placed PO-1001 (order 1, rejected here
/// by fiona "too dear"), PO-1002 (2, approved) and PO-1003 (3, pending),
/// and the operator placed order 4; then max given `role`, which places
/// no orders.
fn demo_creator_made(role: &str) -> Portal {
    let p = Portal::empty();
    p.ok(&[
        "apply",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json"),
    ]);
    p.json_as(
        Some("fiona@acme.test"),
        &["order", "reject", "1", "--reason", "too dear"],
    );
    place(&p, None, "Desk", "10", &["--account", ACCOUNT]);
    p.ok(&[
        "user", "set-role", "max@acme.test", role, "--account", ACCOUNT,
    ]);
    p
}

/// Findings N5: the creator reads their orders, whatever their role now
/// (article 001: "If rejecting, add a reason (the order creator will see
/// this)"), in every order command that reads orders, and cancels one
/// while pending ("`order cancel`: by its creator").
#[test]
fn a_creator_whose_role_places_no_orders_reads_and_cancels_their_own_in_every_command() {
    const CREATOR: &str = "max@acme.test";
    let p = demo_creator_made("auditor");
    let me = Some(CREATOR);
    let ids = |v: &Value| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&p.json_as(me, &["order", "list"])), [1, 2, 3]);
    assert_eq!(
        ids(&p.json_as(me, &["order", "list", "--account", ACCOUNT])),
        [1, 2, 3]
    );
    let table = p.run_as(me, &["order", "list"]);
    assert_eq!(table.code, SUCCESS, "{}", table.stderr);
    assert!(table.stdout.contains("PO-1001"), "{}", table.stdout);
    let rejected = p.json_as(me, &["order", "show", "1"]);
    assert_eq!(rejected["rejected_reason"], "too dear");
    assert_eq!(p.json_as(me, &["order", "show", "PO-1002"])["id"], 2);
    let shown = p.run_as(me, &["order", "show", "PO-1001"]);
    assert!(shown.stdout.contains("too dear"), "{}", shown.stdout);
    // Their export carries them, as it carries what `order list` shows.
    let export = p.json_as(me, &["export", "--account", ACCOUNT]);
    let refs: Vec<&str> = export["accounts"][0]["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["PO-1001", "PO-1002", "PO-1003"]);
    // Only their own: the operator's order is no order to them.
    let err = p.refused_as(me, &["order", "show", "4"], NOT_FOUND);
    says(error_line(&err), "no order 4");
    // Nobody decides their own order, whatever they read.
    p.refused_as(me, &["order", "approve", "3"], DENIED);
    let cancelled = p.json_as(
        me,
        &["order", "cancel", "PO-1003", "--reason", "not needed"],
    );
    assert_eq!(cancelled["status"], "cancelled");
    let event = p.last_event();
    assert_eq!(event["action"], "order.cancel");
    assert_eq!(event["actor"], CREATOR);
    // A plain user, in the same way.
    let p = demo_creator_made("user");
    assert_eq!(ids(&p.json_as(me, &["order", "list"])), [1, 2, 3]);
    assert_eq!(
        p.json_as(me, &["order", "show", "1"])["rejected_reason"],
        "too dear"
    );
    p.json_as(me, &["order", "cancel", "3"]);
    // One who placed nothing is refused as before, told what they lack.
    let err = p.refused_as(Some("una@acme.test"), &["order", "list"], DENIED);
    says(error_line(&err), "orders.place");
}

/// Findings N5: a creator cut off from the account (deactivated,
/// blocked, left) reads and cancels none of their orders, as before.
#[test]
fn a_creator_cut_off_reads_and_cancels_none_of_their_orders() {
    const CREATOR: &str = "max@acme.test";
    for cut in [
        &["user", "deactivate", CREATOR, "--yes", "--unassign"][..],
        &["user", "left-company", CREATOR, "--yes", "--unassign"],
        &["user", "set-role", CREATOR, "no-access", "--unassign"],
    ] {
        let p = demo_creator_made("user");
        p.ok(cut);
        let me = Some(CREATOR);
        p.refused_as(me, &["order", "list"], DENIED);
        p.refused_as(me, &["order", "show", "1"], DENIED);
        p.refused_as(me, &["order", "show", "PO-1001"], DENIED);
        let before = p.events();
        p.refused_as(me, &["order", "cancel", "3"], DENIED);
        assert_eq!(p.events(), before);
        assert_eq!(p.text("SELECT status FROM orders WHERE id = 3"), "pending");
    }
}

/// Findings C6: `order inbox --limit N` of an approver gives the first N
/// orders they may decide, oldest first, across as many pages of the
/// account's pending orders as that takes: the approver's own orders,
/// which they may not decide, are passed over, not counted.
#[test]
fn an_approver_s_inbox_with_a_limit_gives_the_first_they_may_decide() {
    let p = acme();
    p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
    let mut placed = Vec::new();
    for who in [FIN, FIN, FIN, MAX, FIN, MAX, MAX] {
        placed.push(num(&id_of(&place(&p, Some(who), "Router", "60", &[]))));
    }
    let by_max: Vec<i64> = vec![placed[3], placed[5], placed[6]];
    let inbox = |limit: &str| ids(&p.json_as(Some(FIN), &["order", "inbox", "--limit", limit]));
    assert_eq!(inbox("1"), by_max[..1]);
    assert_eq!(inbox("2"), by_max[..2]);
    assert_eq!(inbox("10"), by_max);
    assert_eq!(ids(&p.json_as(Some(FIN), &["order", "inbox"])), by_max);
    // Fay may decide them all.
    assert_eq!(
        ids(&p.json_as(Some(FAY), &["order", "inbox", "--limit", "3"])),
        placed[..3]
    );
}

/// Findings C6: deactivating a plain member, whom no policy names, still
/// warns of nothing and changes no order; deactivating a named approver
/// still warns of the orders that fall back, as before the change read
/// only the orders naming the member.
#[test]
fn deactivating_a_member_warns_of_the_orders_naming_them_only() {
    let p = acme();
    p.ok(&[
        "policy", "create", "--name", "Named", "--threshold", "50", "--approvers", UMA,
    ]);
    let id = id_of(&place(&p, Some(MAX), "Router", "60", &[]));
    let plain = p.run(&["user", "deactivate", BUYER, "--yes"]);
    assert_eq!((plain.code, plain.stderr.as_str()), (SUCCESS, ""));
    let named = p.run(&["user", "deactivate", UMA, "--yes"]);
    assert_eq!(named.code, SUCCESS, "{}", named.stderr);
    says(
        &named.stderr,
        &format!("warning: order {id} in `{ACCOUNT}` now falls back to the account's approvers: policy `Named` has too few eligible approvers left"),
    );
}

/// Findings A8: deactivating Fiona in the demo leaves each pending
/// hardware order (two approvals, one admin left) unable to be approved:
/// one warning per order, that it cannot get enough approvals, not also
/// that it falls back to the account's approvers; order 1, which only
/// Fiona's policy holds, falls back. The README: "once for the order
/// however many policies hold it".
#[test]
fn a_change_leaving_orders_stuck_warns_once_per_order() {
    let p = demo();
    let mut placed = Vec::new();
    for i in 0..4 {
        let order = place(
            &p,
            Some(MAX),
            &format!("Server {i}"),
            "600",
            &["--order-type", "hardware", "--account", ACCOUNT],
        );
        placed.push(id_of(&order));
    }
    let run = p.run_as(Some(OLIVE), &["user", "deactivate", FIONA, "--yes"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let about: Vec<&str> = warnings(&run.stderr)
        .into_iter()
        .filter(|w| w.starts_with("warning: order "))
        .collect();
    let stuck: Vec<String> = std::iter::once("3".to_string()).chain(placed).collect();
    assert_eq!(about.len(), 1 + stuck.len(), "{}", run.stderr);
    says(about[0], "order 1 in `Acme Ltd` now falls back");
    for (line, id) in about[1..].iter().zip(&stuck) {
        says(
            line,
            &format!("warning: order {id} in `Acme Ltd` cannot get enough approvals (policy `Hardware over 500` needs 2 approvals and only 1 person may give them)"),
        );
    }
    assert!(
        !run.stderr.contains("order 3 in `Acme Ltd` now falls back"),
        "{}",
        run.stderr
    );
    let refused = p.refused_as(Some(OLIVE), &["order", "approve", "3"], CONFLICT);
    says(&refused, "cannot get enough approvals");
}

/// Issue 11: a change of who holds `orders.approve` reads only the orders
/// of the policies it leaves with too few approvers to spare, and warns
/// as before: one line per order it leaves stuck, naming the cause once,
/// none for the orders others may still finish.
#[test]
fn losing_approvers_warns_once_per_stuck_order_and_only_for_those() {
    let p = acme();
    for admin in ["a1@acme.test", "a2@acme.test", "a3@acme.test"] {
        p.member(admin, "admin");
    }
    p.ok(&[
        "policy", "create", "--name", "Two admins", "--threshold", "50", "--required-approvals",
        "2",
    ]);
    let by_fin: Vec<String> = (0..3)
        .map(|_| id_of(&place(&p, Some(FIN), "Rack", "300", &[])))
        .collect();
    let by_max: Vec<String> = (0..2)
        .map(|_| id_of(&place(&p, Some(MAX), "Rack", "300", &[])))
        .collect();
    // Approvers to spare: nothing is short, nothing is said.
    for admin in ["a1@acme.test", "a2@acme.test", "a3@acme.test"] {
        let run = p.run(&["user", "set-role", admin, "user"]);
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        assert_eq!(warnings(&run.stderr), Vec::<&str>::new(), "{admin}");
    }
    // The owner and Fin are left: Fin's orders have only the owner.
    let run = p.run(&["user", "left-company", FAY, "--yes"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let said = warnings(&run.stderr);
    assert_eq!(said.len(), by_fin.len(), "{said:?}");
    for (line, id) in said.iter().zip(&by_fin) {
        assert_eq!(
            *line,
            format!(
                "warning: order {id} in `Acme Ltd` cannot get enough approvals (policy `Two admins` needs 2 approvals and only 1 person may give them); cancel it (`portalctl order cancel {id} --account 'Acme Ltd'`), or ease its policy (`portalctl policy edit 'Two admins' --account 'Acme Ltd' --required-approvals 1`, or name more approvers)"
            )
            .as_str()
        );
    }
    for id in &by_max {
        assert!(
            !said.iter().any(|l| l.contains(&format!("order {id} "))),
            "{said:?}"
        );
    }
}

/// att14: every command that answers with orders answers as `order show`
/// does to a reader whose role does not read the account's approval
/// policies (a placer holding only `orders.place`, a named approver who
/// is a portal `user`, their delegate): each policy's progress without
/// its name, and not who may decide. The next command that answers with
/// an order and skips the rule fails here.
#[test]
fn no_command_names_a_policy_to_a_reader_who_may_not_see_policies() {
    let p = Portal::new();
    p.ok(&[
        "role", "create", "buyer", "--capabilities", "portal.access,orders.place",
    ]);
    p.member("buy@acme.test", "buyer");
    p.member("ann@acme.test", "user");
    p.member("cy@acme.test", "user");
    p.ok(&[
        "policy", "create", "--name", "Secret Fin", "--threshold", "5", "--approvers",
        "ann@acme.test",
    ]);
    let lent = p.run_as(
        Some("ann@acme.test"),
        &["order", "delegate", "--to", "cy@acme.test", "--until", "1d"],
    );
    assert_eq!(lent.code, SUCCESS, "{}", lent.stderr);
    let buy = Some("buy@acme.test");
    let mut answers = Vec::new();
    for args in [
        &["order", "place", "--description", "Desk", "--amount", "70"][..],
        &[
            "--json", "order", "place", "--description", "Desk", "--amount", "80",
        ],
        &[
            "--json", "order", "place", "--description", "Desk", "--amount", "90",
        ],
        &["order", "list"],
        &["--json", "order", "list"],
        &["order", "show", "1"],
        &["--json", "order", "show", "1"],
        &["--json", "order", "cancel", "3", "--reason", "no"],
    ] {
        answers.push(p.run_as(buy, args));
    }
    for who in ["ann@acme.test", "cy@acme.test"] {
        for args in [
            &["order", "inbox"][..],
            &["--json", "order", "inbox"],
            &["--json", "order", "list"],
            &["--json", "order", "show", "1"],
        ] {
            answers.push(p.run_as(Some(who), args));
        }
    }
    answers.push(p.run_as(Some("ann@acme.test"), &["--json", "order", "approve", "2"]));
    for run in &answers {
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        assert!(
            !run.stdout.contains("Secret Fin") && !run.stderr.contains("Secret Fin"),
            "{}\n{}",
            run.stdout,
            run.stderr
        );
    }
    // The operator reads them.
    says(&p.ok(&["order", "show", "1"]), "Secret Fin");
}
