//! A member reads their accounts' events without the places the log
//! gives them: the log's `SEQ` is one sequence over every account, so its
//! gaps would count the events of accounts the member may not see
//! (findings D4). The operator keeps it, and the chain's anchors.

use serde_json::Value;

use crate::support::{Portal, ACCOUNT, DENIED, OWNER};

/// What a member's event holds, and all it holds.
const MEMBER_FIELDS: [&str; 7] = [
    "account", "action", "actor", "after", "at", "before", "target",
];

/// Acme Ltd with ann, then three members joining another account, Beta,
/// then ann's role changed: two of Acme's events with Beta's in between.
fn acme_with_beta_between() -> Portal {
    Portal::cached("log places: acme with beta between", || {
        let p = Portal::new();
        p.member("ann@acme.test", "user");
        p.ok(&["account", "create", "Beta", "--kind", "customer"]);
        for who in ["b1@beta.test", "b2@beta.test", "b3@beta.test"] {
            p.member_in(who, "user", "Beta");
        }
        p.ok(&[
            "user", "set-role", "ann@acme.test", "manager", "--account", ACCOUNT,
        ]);
        p
    })
}

/// The sorted keys of the objects of a JSON array.
fn keys(items: &Value) -> Vec<String> {
    let mut keys: Vec<String> = items
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o.as_object().unwrap().keys().cloned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

#[test]
fn a_members_log_counts_no_other_accounts_events() {
    let p = acme_with_beta_between();
    // The operator's log numbers them all: Beta's events sit between ann's.
    let all = p.json(&["audit", "list", "--all"]);
    let seq_of = |action: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|e| e["action"] == action && e["target"] == "ann@acme.test")
            .map(|e| e["seq"].as_i64().unwrap())
            .unwrap()
    };
    assert!(seq_of("user.set_role") - seq_of("user.accept") > 3);

    let me = Some(OWNER);
    let listed = p.json_as(me, &["audit", "list", "--all"]);
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "user.set_role"));
    assert_eq!(keys(&listed), MEMBER_FIELDS);

    let table = p.run_as(me, &["audit", "list", "--all"]).stdout;
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["AT", "ACTOR", "ACTION", "ACCOUNT", "TARGET"]);

    let lines = p
        .run_as(me, &["audit", "list", "--all", "--format", "ndjson"])
        .stdout;
    let events: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(keys(&Value::from(events)), MEMBER_FIELDS);

    let csv = p
        .run_as(me, &["audit", "list", "--all", "--format", "csv"])
        .stdout;
    assert_eq!(
        csv.lines().next().unwrap(),
        "at,actor,action,account,target,before,after"
    );

    let history = p.json_as(me, &["user", "history", "ann@acme.test"]);
    assert!(!keys(&history).iter().any(|k| k == "seq"), "{history}");
    // The operator's timeline keeps each event's place.
    let history = p.json(&["user", "history", "ann@acme.test"]);
    assert!(history
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["seq"].is_i64()));
}

/// The chain's `SEQ:HASH` anchors stay the operator's: they name a place
/// in the whole log.
#[test]
fn a_member_reads_no_anchor() {
    let p = acme_with_beta_between();
    for args in [
        &["audit", "head"][..],
        &["audit", "head", "--anchor"],
        &["audit", "verify"],
    ] {
        let err = p.refused_as(Some(OWNER), args, DENIED);
        assert!(err.contains("only the operator"), "{err}");
    }
}
