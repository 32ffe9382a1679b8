//! Approval policies, cost centres and orders, through the binary: the
//! seed's approval scenarios end to end, exact money, who may decide what,
//! what the creator can read, and what the audit log says of it.

use proptest::prelude::*;
use serde_json::Value;

use crate::support::{
    error_line, says, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, OWNER, SUCCESS, USAGE,
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
    // `show` and `list` print the same object; `show` of a pending order
    // also says who may decide it now.
    let id = id_of(&o);
    let mut shown = p.json(&["order", "show", &id]);
    assert_eq!(shown["deciders"], serde_json::json!([OWNER, FIN, FAY]));
    assert_eq!(shown["more_deciders"], false);
    if let Some(fields) = shown.as_object_mut() {
        fields.remove("deciders");
        fields.remove("more_deciders");
    }
    assert_eq!(shown, o);
    assert_eq!(p.json(&["order", "list"]), serde_json::json!([o]));
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

    assert_eq!(p.json(&["policy", "show", "Hardware over 500"]), v);
    assert_eq!(p.json(&["policy", "list"]), serde_json::json!([v]));
    // Any member who can view the account can read the policies.
    assert_eq!(
        p.json_as(Some(UMA), &["policy", "list"]),
        serde_json::json!([v])
    );
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

    // Disabling the last policy that holds it approves it.
    p.ok(&["policy", "disable", "Fin only"]);
    assert_eq!(p.json(&["order", "show", &big])["status"], "approved");
    // Enabling again holds new orders only: a released order stays approved.
    p.ok(&["policy", "enable", "Fin only"]);
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
    // Max becomes one after it was placed.
    p.ok(&["user", "grant", MAX, "orders.approve"]);
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
    let err = p.refused_as(Some(BUYER), &["order", "show", &a.to_string()], DENIED);
    says(error_line(&err), &a.to_string());
    // A member with none of orders.place, orders.approve, billing.view.
    p.refused_as(Some(UMA), &["order", "list"], DENIED);
    p.refused_as(Some(UMA), &["order", "show", &a.to_string()], DENIED);
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
