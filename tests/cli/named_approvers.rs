//! What a named approver whose role reads no orders lists (findings E3):
//! exactly the orders they are named to decide, as `order show` and
//! `order inbox` read them, and their delegate the same.

use serde_json::Value;

use crate::support::{Portal, DENIED};

/// The order ids of a JSON list.
fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn a_named_approver_and_their_delegate_list_the_orders_they_may_decide() {
    let p = Portal::new();
    for (who, role) in [
        ("una@acme.test", "user"),
        ("fiona@acme.test", "user"),
        ("ada@acme.test", "user"),
        ("max@acme.test", "manager"),
    ] {
        p.member(who, role);
    }
    p.ok(&[
        "policy", "create", "--name", "Big kit", "--threshold", "100", "--approvers",
        "fiona@acme.test,una@acme.test", "--required-approvals", "2",
    ]);
    let max = Some("max@acme.test");
    let place = |amount: &str| {
        p.json_as(
            max,
            &["order", "place", "--amount", amount, "--description", "k"],
        )["id"]
            .as_i64()
            .unwrap()
    };
    let small = place("5");
    let big = place("600");
    let una = Some("una@acme.test");
    assert_eq!(ids(&p.json_as(una, &["order", "list"])), [big]);
    assert_eq!(
        ids(&p.json_as(una, &["order", "list", "--status", "pending"])),
        [big]
    );
    assert_eq!(ids(&p.json_as(una, &["order", "inbox"])), [big]);
    p.json_as(una, &["order", "show", &big.to_string()]);
    p.refused_as(una, &["order", "show", &small.to_string()], 3);
    let ada = Some("ada@acme.test");
    p.refused_as(ada, &["order", "list"], DENIED);
    p.json_as(
        una,
        &[
            "order", "delegate", "--to", "ada@acme.test", "--until", "2d",
        ],
    );
    assert_eq!(ids(&p.json_as(ada, &["order", "list"])), [big]);
    assert_eq!(ids(&p.json_as(max, &["order", "list"])), [small, big]);
}
