//! What a merge does to the duplicate's services (findings E8, E7), what
//! its answer always lists (B8), and the owner given the role they hold
//! (B6).

use serde_json::{json, Value};

use crate::support::{says, Portal, ACCOUNT, OWNER, SUCCESS};

/// Acme Ltd with max (a manager) holding the service `Mobile`, and leo,
/// a user there too: two logins of one person.
fn max_holds_mobile() -> Portal {
    let p = Portal::new();
    p.member("max@acme.test", "manager");
    p.member("leo@acme.test", "user");
    p.ok(&["service", "add", "--name", "Mobile"]);
    p.ok(&["service", "assign", "Mobile", "--to", "max@acme.test"]);
    p
}

/// The newest `action` event about `Mobile`.
#[track_caller]
fn last_of_mobile(p: &Portal, action: &str) -> Value {
    let events = p.json(&["audit", "list", "--all", "--action", action]);
    events
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["target"] == "Mobile")
        .unwrap_or_else(|| panic!("no {action} of Mobile: {events}"))
        .clone()
}

/// E8: a merge into someone who left, is deactivated or blocked there
/// hands them no service: the service is left unassigned, with a
/// warning, its own event, and the answer saying so.
#[test]
fn a_merge_into_someone_offboarded_leaves_the_services_unassigned() {
    for offboard in [
        &["user", "left-company", "leo@acme.test", "--yes"][..],
        &["user", "deactivate", "leo@acme.test", "--yes"],
        &["user", "set-role", "leo@acme.test", "no-access", "--yes"],
    ] {
        let p = max_holds_mobile();
        p.ok(offboard);
        let run = p.run(&[
            "--json", "user", "merge", "max@acme.test", "--into", "leo@acme.test", "--yes",
        ]);
        assert_eq!(run.code, SUCCESS, "{offboard:?}: {}", run.stderr);
        let answer: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            answer["services"],
            json!([{"account": ACCOUNT, "service": "Mobile", "to": null}]),
            "{offboard:?}"
        );
        says(&run.stderr, "left unassigned: `Mobile`");
        let shown = p.json(&["service", "show", "Mobile"]);
        assert_eq!(shown["assigned_to"], Value::Null, "{offboard:?}");
        let event = last_of_mobile(&p, "service.unassign");
        assert_eq!(event["before"]["assigned_to"], "max@acme.test");
        assert_eq!(
            p.text("SELECT COUNT(*) FROM services WHERE assigned_to IS NOT NULL"),
            "0"
        );
    }
}

/// E7: a service the merge hands to the person kept is in the services'
/// log, as `service assign` writes it, and in the answer, text and JSON.
#[test]
fn a_service_a_merge_hands_on_is_logged_and_answered() {
    let p = max_holds_mobile();
    let text = p.ok(&[
        "user", "merge", "max@acme.test", "--into", "leo@acme.test", "--yes",
    ]);
    says(&text, "Mobile (Acme Ltd) to leo@acme.test");
    let event = last_of_mobile(&p, "service.assign");
    assert_eq!(event["before"]["assigned_to"], "max@acme.test");
    assert_eq!(event["after"]["assigned_to"], "leo@acme.test");
    let shown = p.json(&["service", "show", "Mobile"]);
    assert_eq!(shown["assigned_to"], "leo@acme.test");
}

/// B8: every list of the merge's answer is there, `[]` when empty.
#[test]
fn a_merge_that_passes_nothing_on_still_lists_every_field() {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    p.member("max@acme.test", "manager");
    let answer = p.json(&[
        "user", "merge", "una@acme.test", "--into", "max@acme.test", "--yes",
    ]);
    for key in [
        "moved", "owner_of", "policies", "orders", "delegations", "services",
    ] {
        assert_eq!(answer[key], json!([]), "{key}: {answer}");
    }
    assert_eq!(answer["ended"], json!([ACCOUNT]), "{answer}");
}

/// B6: the owner given the role they hold is a no-op, as for any member:
/// exit 0, no event; another role is still refused.
#[test]
fn the_owner_given_the_role_they_hold_changes_nothing() {
    let p = Portal::new();
    let before = p.events();
    let shown = p.json(&["user", "set-role", OWNER, "admin"]);
    assert_eq!(shown["role"], "admin");
    assert_eq!(p.events(), before);
    p.refused(
        &["user", "set-role", OWNER, "user"],
        crate::support::CONFLICT,
    );
    assert_eq!(p.events(), before);
}
