//! Services through the binary: adding and assigning them, who sees which
//! (`services.view_all` against `services.view_assigned`, in `service list`
//! and `user show` alike), and what happens to a leaver's services.

use serde_json::Value;

use crate::support::{
    error_line, says, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, SUCCESS, USAGE,
};

/// Admin: holds services.assign and sees everything.
const ADA: &str = "ada@acme.test";
/// Manager: sees every service, assigns none.
const MAX: &str = "max@acme.test";
/// User-level members: see only what is assigned to them.
const UMA: &str = "uma@acme.test";
const NED: &str = "ned@acme.test";
/// Blocking role.
const NORA: &str = "nora@acme.test";

/// Service names in a JSON list of services, in list order.
fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
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

fn sorted_names(list: &Value) -> Vec<String> {
    let mut n = names(list);
    n.sort();
    n
}

/// Acme with an admin, a manager, two users and a blocked member, and three
/// services: two assigned to Uma, one to Ned.
fn acme() -> Portal {
    Portal::cached("services: acme", || {
        let p = Portal::new();
        p.member(ADA, "admin");
        p.member(MAX, "manager");
        p.member(UMA, "user");
        p.member(NED, "user");
        p.member(NORA, "no-access");
        for (name, kind) in [
            ("Broadband London", "broadband"),
            ("Mobile 0789", "mobile"),
            ("acme.test", "domain"),
        ] {
            p.ok(&["service", "add", "--name", name, "--kind", kind]);
        }
        p.ok(&["service", "assign", "Broadband London", "--to", UMA]);
        p.ok(&["service", "assign", "Mobile 0789", "--to", UMA]);
        p.ok(&["service", "assign", "acme.test", "--to", NED]);
        p
    })
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// ------------------------------------------------------------ the seed (001)

/// "Use the User permission level and assign them specific services.
/// They'll only see what you've explicitly assigned."
#[test]
fn seed_a_user_level_member_sees_only_assigned_services() {
    let p = acme();
    let all = strings(&["Broadband London", "Mobile 0789", "acme.test"]);
    // Admins and managers see the full account.
    assert_eq!(
        sorted_names(&p.json_as(Some(ADA), &["service", "list"])),
        all
    );
    assert_eq!(
        sorted_names(&p.json_as(Some(MAX), &["service", "list"])),
        all
    );
    assert_eq!(sorted_names(&p.json(&["service", "list"])), all);
    // Users see exactly what is assigned to them.
    let mine = p.json_as(Some(UMA), &["service", "list"]);
    assert_eq!(
        sorted_names(&mine),
        strings(&["Broadband London", "Mobile 0789"])
    );
    for s in mine.as_array().unwrap() {
        assert_eq!(s["assigned_to"], UMA);
    }
    assert_eq!(
        names(&p.json_as(Some(NED), &["service", "list"])),
        strings(&["acme.test"])
    );
    // Their own services by name or id; not anyone else's.
    let b = p.json_as(Some(UMA), &["service", "show", "Broadband London"]);
    assert_eq!(b["assigned_to"], UMA);
    let id = b["id"].as_i64().unwrap().to_string();
    assert_eq!(p.json_as(Some(UMA), &["service", "show", &id]), b);
    // Another's reads as one that is not there.
    let err = p.refused_as(Some(UMA), &["service", "show", "acme.test"], NOT_FOUND);
    says(error_line(&err), "no service `acme.test`");
    let other_id = p.json(&["service", "show", "acme.test"])["id"]
        .as_i64()
        .unwrap()
        .to_string();
    p.refused_as(Some(UMA), &["service", "show", &other_id], NOT_FOUND);
    // In `user show`, alike: their own services only.
    let me = p.json_as(Some(UMA), &["user", "show", UMA]);
    assert_eq!(
        sorted(&me["services"]),
        strings(&["Broadband London", "Mobile 0789"])
    );

    // Assigning another service makes it appear; unassigning removes it.
    p.ok(&["service", "assign", "acme.test", "--to", UMA]);
    assert_eq!(
        sorted_names(&p.json_as(Some(UMA), &["service", "list"])),
        all
    );
    assert_eq!(
        p.json_as(Some(NED), &["service", "list"]),
        serde_json::json!([])
    );
    p.ok(&["service", "unassign", "Broadband London"]);
    assert_eq!(
        sorted_names(&p.json_as(Some(UMA), &["service", "list"])),
        strings(&["Mobile 0789", "acme.test"])
    );
    p.refused_as(
        Some(UMA),
        &["service", "show", "Broadband London"],
        NOT_FOUND,
    );
}

/// "If they had access to services, re-assign those services to another
/// person": a leaver's services go to the member named.
#[test]
fn seed_a_leaver_whose_services_are_reassigned() {
    let p = acme();
    // Refused while Uma holds services and nothing says where they go.
    let err = p.refused(&["user", "left-company", "--yes", UMA], CONFLICT);
    says(error_line(&err), "Broadband London");
    says(error_line(&err), "Mobile 0789");
    let before = p.events();
    let v = p.json(&["user", "left-company", "--yes", UMA, "--reassign-to", NED]);
    assert_eq!(v["status"], "left");
    assert!(
        v.get("services").is_none(),
        "changes print no services: {v}"
    );
    assert_eq!(
        p.events(),
        before + 3,
        "one event for the change, and one for each service it hands over (findings E7)"
    );
    let e = p.last_event();
    assert_eq!(e["action"], "user.left_company");
    assert_eq!(e["target"], UMA);
    assert_eq!(
        sorted(&e["after"]["services_handed_over"]),
        strings(&["Broadband London", "Mobile 0789"])
    );
    assert_eq!(e["after"]["services_reassigned_to"], NED, "{e}");

    // Ned now holds them and sees them.
    assert_eq!(
        sorted_names(&p.json_as(Some(NED), &["service", "list"])),
        strings(&["Broadband London", "Mobile 0789", "acme.test"])
    );
    let ned = p.json(&["user", "show", NED]);
    assert_eq!(
        sorted(&ned["services"]),
        strings(&["Broadband London", "Mobile 0789", "acme.test"])
    );
    assert_eq!(
        p.json(&["service", "show", "Mobile 0789"])["assigned_to"],
        NED
    );
}

#[test]
fn deactivating_a_member_who_holds_services_needs_a_handover() {
    let p = acme();
    let err = p.refused(&["user", "deactivate", "--yes", UMA], CONFLICT);
    says(error_line(&err), UMA);
    says(error_line(&err), "Broadband London");
    says(error_line(&err), "Mobile 0789");
    // An admin acting as themselves gets the same answer.
    p.refused_as(Some(ADA), &["user", "deactivate", "--yes", UMA], CONFLICT);

    let v = p.json_as(
        Some(ADA),
        &["user", "deactivate", "--yes", UMA, "--reassign-to", ADA],
    );
    assert_eq!(v["status"], "deactivated");
    let e = p.last_event();
    assert_eq!(e["action"], "user.deactivate");
    assert_eq!(e["actor"], ADA);
    assert_eq!(e["after"]["services_reassigned_to"], ADA);
    assert_eq!(
        p.json(&["service", "show", "Broadband London"])["assigned_to"],
        ADA
    );
    // A member without services needs no handover.
    p.member("zed@acme.test", "user");
    p.ok(&["user", "deactivate", "--yes", "zed@acme.test"]);
}

#[test]
fn a_leaver_with_unassign_leaves_their_services_unassigned() {
    let p = acme();
    let before = p.events();
    let v = p.json(&["user", "left-company", "--yes", UMA, "--unassign"]);
    assert_eq!(v["status"], "left");
    // The member's event, and each service's `service.unassign` (findings E7).
    assert_eq!(p.events(), before + 3);
    let e = p.last_event();
    assert_eq!(e["action"], "user.left_company");
    assert_eq!(
        sorted(&e["after"]["services_handed_over"]),
        strings(&["Broadband London", "Mobile 0789"])
    );
    assert!(
        e["after"]
            .as_object()
            .unwrap()
            .contains_key("services_reassigned_to"),
        "the handover is recorded: {e}"
    );
    assert_eq!(e["after"]["services_reassigned_to"], Value::Null);
    for name in ["Broadband London", "Mobile 0789"] {
        assert_eq!(
            p.json(&["service", "show", name])["assigned_to"],
            Value::Null,
            "{name}"
        );
    }
    // Ned's service is untouched.
    assert_eq!(
        p.json(&["service", "show", "acme.test"])["assigned_to"],
        NED
    );

    // Deactivation with --unassign, likewise.
    p.ok(&["service", "assign", "Mobile 0789", "--to", ADA]);
    let v = p.json(&["user", "deactivate", "--yes", ADA, "--unassign"]);
    assert_eq!(v["status"], "deactivated");
    assert_eq!(
        p.json(&["service", "show", "Mobile 0789"])["assigned_to"],
        Value::Null
    );
}

#[test]
fn a_handover_goes_only_to_another_active_member() {
    let p = acme();
    p.json(&[
        "user", "invite", "--email", "ivy@acme.test", "--name", "Ivy", "--role", "user",
    ]);
    p.member("dan@acme.test", "user");
    p.ok(&["user", "deactivate", "--yes", "dan@acme.test"]);
    p.ok(&["account", "create", "Other Ltd", "--kind", "customer"]);
    p.member_in("olga@other.test", "admin", "Other Ltd");
    for heir in [UMA, "ivy@acme.test", "dan@acme.test"] {
        p.refused(
            &["user", "left-company", "--yes", UMA, "--reassign-to", heir],
            CONFLICT,
        );
        p.refused(
            &["user", "deactivate", "--yes", UMA, "--reassign-to", heir],
            CONFLICT,
        );
    }
    // Someone of another account is not a member here (not found), as for
    // `service assign`.
    let err = p.refused(
        &[
            "user", "left-company", "--yes", UMA, "--reassign-to", "olga@other.test",
        ],
        NOT_FOUND,
    );
    says(error_line(&err), "olga@other.test");
    p.refused(
        &[
            "user", "left-company", "--yes", UMA, "--reassign-to", "nobody@acme.test",
        ],
        NOT_FOUND,
    );
    p.refused(
        &[
            "user", "left-company", "--yes", UMA, "--reassign-to", "not-an-email",
        ],
        USAGE,
    );
    p.refused(
        &[
            "user", "left-company", "--yes", UMA, "--reassign-to", NED, "--unassign",
        ],
        USAGE,
    );
    // Without users.manage the handover is never reached.
    p.refused_as(
        Some(MAX),
        &["user", "deactivate", "--yes", UMA, "--reassign-to", NED],
        DENIED,
    );
}

/// A script that names a wrong heir is refused whether or not the leaver
/// holds services today, so that it cannot pass by luck and fail tomorrow.
#[test]
fn a_wrong_heir_is_refused_even_when_nothing_moves() {
    let p = acme();
    // Max holds no service.
    p.member("dan@acme.test", "user");
    p.ok(&["user", "deactivate", "--yes", "dan@acme.test"]);
    p.ok(&["account", "create", "Other Ltd", "--kind", "customer"]);
    p.member_in("olga@other.test", "admin", "Other Ltd");
    let before = p.events();
    for command in ["left-company", "deactivate"] {
        for heir in [MAX, "dan@acme.test"] {
            p.refused(
                &["user", command, "--yes", MAX, "--reassign-to", heir],
                CONFLICT,
            );
        }
        for heir in ["olga@other.test", "nobody@acme.test"] {
            p.refused(
                &["user", command, "--yes", MAX, "--reassign-to", heir],
                NOT_FOUND,
            );
        }
    }
    assert_eq!(p.events(), before, "refusals change nothing");
    assert_eq!(p.json(&["user", "show", MAX])["status"], "active");
    // A right heir still answers that nothing went to them.
    let v = p.json(&["user", "left-company", "--yes", MAX, "--reassign-to", NED]);
    assert_eq!(v["status"], "left");
    assert_eq!(p.last_event()["after"]["services_reassigned_to"], NED);
}

// ---------------------------------------------------------------- services

#[test]
fn service_add_prints_the_service_and_is_audited() {
    let p = Portal::new();
    p.member(ADA, "admin");
    let v = p.change(
        Some(ADA),
        &[
            "service", "add", "--name", "Broadband London", "--kind", "broadband",
        ],
        "service.add",
    );
    assert!(v["id"].is_i64(), "{v}");
    assert_eq!(v["name"], "Broadband London");
    assert_eq!(v["kind"], "broadband");
    assert_eq!(v["account"], ACCOUNT);
    assert_eq!(v["assigned_to"], Value::Null);
    let e = p.last_event();
    assert_eq!(e["target"], "Broadband London");
    assert_eq!(e["after"]["name"], "Broadband London");

    let plain = p.change(None, &["service", "add", "--name", "Line 2"], "service.add");
    assert_eq!(plain["kind"], Value::Null);

    // Table output.
    let table = p.ok(&["service", "list"]);
    assert!(serde_json::from_str::<Value>(&table).is_err(), "{table}");
    says(&table, "Broadband London");
    says(&table, "broadband");
    says(&table, "Line 2");
    let one = p.ok(&["service", "show", "Line 2"]);
    says(&one, "Line 2");
    says(&one, ACCOUNT);
}

#[test]
fn service_add_refusals() {
    let p = acme();
    let err = p.refused(&["service", "add", "--name", "acme.test"], CONFLICT);
    says(error_line(&err), "acme.test");
    p.refused(&["service", "add", "--name", "  "], USAGE);
    let err = p.refused_as(Some(MAX), &["service", "add", "--name", "New"], DENIED);
    says(error_line(&err), "services.assign");
    p.refused_as(Some(UMA), &["service", "add", "--name", "New"], DENIED);
    p.refused(
        &["service", "add", "--name", "New", "--account", "Nope Ltd"],
        NOT_FOUND,
    );
}

#[test]
fn assign_and_unassign_are_audited_once_per_change() {
    let p = acme();
    let v = p.change(
        Some(ADA),
        &["service", "assign", "acme.test", "--to", UMA],
        "service.assign",
    );
    assert_eq!(v["assigned_to"], UMA);
    let e = p.last_event();
    assert_eq!(e["target"], "acme.test");
    assert_eq!(e["before"]["assigned_to"], NED);
    assert_eq!(e["after"]["assigned_to"], UMA);

    // The same assignment again changes nothing and records nothing.
    let before = p.events();
    p.ok(&["service", "assign", "acme.test", "--to", UMA]);
    assert_eq!(p.events(), before);

    let v = p.change(
        None,
        &["service", "unassign", "acme.test"],
        "service.unassign",
    );
    assert_eq!(v["assigned_to"], Value::Null);
    let e = p.last_event();
    assert_eq!(e["before"]["assigned_to"], UMA);
    assert_eq!(e["after"]["assigned_to"], Value::Null);
    let before = p.events();
    p.ok(&["service", "unassign", "acme.test"]);
    assert_eq!(p.events(), before);

    // By id as well as by name.
    let id = p.json(&["service", "show", "acme.test"])["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let v = p.json(&["service", "assign", &id, "--to", MAX]);
    assert_eq!(v["name"], "acme.test");
    assert_eq!(v["assigned_to"], MAX);
}

#[test]
fn service_assign_refusals() {
    let p = acme();
    p.json(&[
        "user", "invite", "--email", "ivy@acme.test", "--name", "Ivy", "--role", "user",
    ]);
    p.member("dan@acme.test", "user");
    p.ok(&["user", "deactivate", "--yes", "dan@acme.test"]);
    p.member("lee@acme.test", "user");
    p.ok(&["user", "left-company", "--yes", "lee@acme.test"]);

    // Only active members take services.
    for who in ["ivy@acme.test", "dan@acme.test", "lee@acme.test"] {
        let err = p.refused(&["service", "assign", "acme.test", "--to", who], CONFLICT);
        says(error_line(&err), who);
    }
    // Not found: the person, or the service.
    p.refused(
        &["service", "assign", "acme.test", "--to", "nobody@acme.test"],
        NOT_FOUND,
    );
    let err = p.refused(&["service", "assign", "Nope", "--to", UMA], NOT_FOUND);
    says(error_line(&err), "Nope");
    p.refused(&["service", "assign", "999", "--to", UMA], NOT_FOUND);
    p.refused(&["service", "unassign", "Nope"], NOT_FOUND);
    p.refused(
        &["service", "assign", "acme.test", "--to", "not-an-email"],
        USAGE,
    );
    // Someone of another account is no assignee.
    p.ok(&["account", "create", "Other Ltd", "--kind", "customer"]);
    p.member_in("olga@other.test", "admin", "Other Ltd");
    let err = p.refused(
        &[
            "service", "assign", "acme.test", "--to", "olga@other.test", "--account", ACCOUNT,
        ],
        NOT_FOUND,
    );
    says(error_line(&err), "olga@other.test");
    // Assigning needs services.assign: managers and users may not.
    for who in [MAX, UMA, NORA] {
        let err = p.refused_as(
            Some(who),
            &["service", "assign", "acme.test", "--to", UMA],
            DENIED,
        );
        says(error_line(&err), "services.assign");
        p.refused_as(Some(who), &["service", "unassign", "acme.test"], DENIED);
    }
}

#[test]
fn who_may_see_services() {
    let p = acme();
    // Without either view capability: denied.
    let err = p.refused_as(Some(NORA), &["service", "list"], DENIED);
    says(error_line(&err), NORA);
    p.refused_as(Some(NORA), &["service", "show", "acme.test"], DENIED);
    // Unknown services are not found, for anyone who may look.
    p.refused(&["service", "show", "Nope"], NOT_FOUND);
    p.refused_as(Some(MAX), &["service", "show", "Nope"], NOT_FOUND);
    // A user with nothing assigned sees an empty list.
    p.member("zed@acme.test", "user");
    assert_eq!(
        p.json_as(Some("zed@acme.test"), &["service", "list"]),
        serde_json::json!([])
    );
    // A role with services.view_all widens a user's view (001: "Admins
    // and managers see the full customer account — all services").
    p.ok(&["user", "set-role", "zed@acme.test", "manager"]);
    assert_eq!(
        p.json_as(Some("zed@acme.test"), &["service", "list"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn customer_area_services_area_sees_and_assigns_every_service() {
    let p = Portal::with_preset("customer-area");
    p.member("sam@acme.test", "member");
    p.member("bea@acme.test", "member");
    p.ok(&["service", "add", "--name", "Hosting"]);
    // A member without the `services` area sees only what is assigned to
    // them (004: "a member always sees the services assigned to them").
    assert_eq!(
        p.json_as(Some("sam@acme.test"), &["service", "list"]),
        serde_json::json!([])
    );
    p.ok(&["user", "grant", "sam@acme.test", "services"]);
    assert_eq!(
        names(&p.json_as(Some("sam@acme.test"), &["service", "list"])),
        strings(&["Hosting"])
    );
    let v = p.json_as(
        Some("sam@acme.test"),
        &["service", "assign", "Hosting", "--to", "bea@acme.test"],
    );
    assert_eq!(v["assigned_to"], "bea@acme.test");
}

// ------------------------------------------------------- user show / list

/// Gives `who` a role that sees the account's users and only the services
/// assigned to them: in the portal catalog access comes from the role
/// alone, so a custom role stands in for a grant on top of `user`.
fn assigned_viewer(p: &Portal, who: &str) {
    p.ok(&[
        "role",
        "create",
        "assigned-viewer",
        "--capabilities",
        "account.view,services.view_assigned,users.view",
    ]);
    p.ok(&["user", "set-role", who, "assigned-viewer"]);
}

/// "`user show` of a member lists their services only as far as the actor
/// may see them."
#[test]
fn user_show_lists_services_only_as_far_as_the_actor_sees_them() {
    let p = acme();
    // Ned may view users, but sees only his own services.
    assigned_viewer(&p, NED);
    // Vic may view users and nothing of services.
    p.ok(&[
        "role", "create", "people-viewer", "--capabilities", "account.view,users.view",
    ]);
    p.member("vic@acme.test", "people-viewer");

    let uma_services = strings(&["Broadband London", "Mobile 0789"]);
    // The operator and an admin see them all.
    assert_eq!(
        sorted(&p.json(&["user", "show", UMA])["services"]),
        uma_services
    );
    assert_eq!(
        sorted(&p.json_as(Some(ADA), &["user", "show", UMA])["services"]),
        uma_services
    );
    // Ned (view_assigned) sees none of Uma's, and his own.
    assert_eq!(
        p.json_as(Some(NED), &["user", "show", UMA])["services"],
        serde_json::json!([])
    );
    assert_eq!(
        p.json_as(Some(NED), &["user", "show", NED])["services"],
        serde_json::json!(["acme.test"])
    );
    // Vic (no services view) sees none.
    assert_eq!(
        p.json_as(Some("vic@acme.test"), &["user", "show", UMA])["services"],
        serde_json::json!([])
    );
    assert_eq!(
        p.json_as(Some("vic@acme.test"), &["user", "show", NED])["services"],
        serde_json::json!([])
    );
    // The table says the same.
    let table = p.run_as(Some(NED), &["user", "show", UMA]);
    assert_eq!(table.code, SUCCESS, "{}", table.stderr);
    assert!(
        !table.stdout.contains("Broadband London"),
        "{}",
        table.stdout
    );
    assert!(!table.stdout.contains("Mobile 0789"), "{}", table.stdout);
}

/// A `services.view_assigned` member who may view users lists every member,
/// but learns of no service assigned to another: not from `user list`, nor
/// from `user show` of anyone listed. An admin shown the same members sees
/// their services, so the services are there to be hidden.
#[test]
fn user_list_lists_services_only_as_far_as_the_actor_sees_them() {
    let p = acme();
    assigned_viewer(&p, NED);
    let hidden = strings(&["Broadband London", "Mobile 0789"]);
    let list = p.json_as(Some(NED), &["user", "list"]);
    let emails: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert!(emails.contains(&UMA) && emails.contains(&NED), "{list}");
    let table = p.run_as(Some(NED), &["user", "list"]);
    assert_eq!(table.code, SUCCESS, "{}", table.stderr);
    for name in &hidden {
        assert!(!list.to_string().contains(name.as_str()), "{name}: {list}");
        assert!(
            !table.stdout.contains(name.as_str()),
            "{name}: {}",
            table.stdout
        );
    }
    for email in emails {
        let all = sorted(&p.json_as(Some(ADA), &["user", "show", email])["services"]);
        let own: Vec<String> = all.iter().filter(|s| *s == "acme.test").cloned().collect();
        assert_eq!(
            sorted(&p.json_as(Some(NED), &["user", "show", email])["services"]),
            own,
            "`user show {email}` as {NED}"
        );
        if email == UMA {
            assert_eq!(all, hidden, "`user show {UMA}` as {ADA}");
        }
    }
}

// ------------------------------------------------------- bulk assignment

/// 001: "Users see only services assigned to them (assigned by an admin via
/// the asset detail page or bulk assignment)": `service assign S1 S2 ...
/// --to EMAIL` assigns them all in one transaction, one audit event each.
#[test]
fn bulk_assignment_assigns_every_service_named_with_one_event_each() {
    let p = acme();
    let before = p.events();
    let v = p.json_as(
        Some(ADA),
        &[
            "service", "assign", "Broadband London", "acme.test", "Mobile 0789", "--to", NED,
        ],
    );
    assert_eq!(
        names(&v),
        strings(&["Broadband London", "acme.test", "Mobile 0789"])
    );
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["assigned_to"] == NED));
    assert_eq!(p.events(), before + 2, "acme.test was Ned's already");
    let events = p.json(&["audit", "list", "--limit", "2"]);
    for e in events.as_array().unwrap() {
        assert_eq!(e["action"], "service.assign", "{e}");
        assert_eq!(e["actor"], ADA, "{e}");
    }
    assert_eq!(
        sorted_names(&p.json_as(Some(NED), &["service", "list"])),
        strings(&["Broadband London", "Mobile 0789", "acme.test"])
    );
    // A table lists them; a service named twice is assigned once.
    let table = p.ok(&[
        "service", "unassign", "acme.test", "Mobile 0789", "acme.test",
    ]);
    says(&table, "Mobile 0789");
    assert_eq!(p.events(), before + 4);
    assert_eq!(
        names(&p.json_as(Some(NED), &["service", "list"])),
        strings(&["Broadband London"])
    );
}

/// Bulk assignment is all or nothing: one service that cannot be found, or
/// a member who cannot take services, refuses every one of them and
/// changes nothing.
#[test]
fn bulk_assignment_is_all_or_nothing() {
    let p = acme();
    let err = p.refused(
        &["service", "assign", "Broadband London", "Nope", "--to", NED],
        NOT_FOUND,
    );
    says(error_line(&err), "no service `Nope`");
    p.ok(&["user", "deactivate", "--yes", NED, "--unassign"]);
    p.refused(
        &[
            "service", "assign", "Broadband London", "Mobile 0789", "--to", NED,
        ],
        CONFLICT,
    );
    let err = p.refused_as(
        Some(MAX),
        &[
            "service", "assign", "Broadband London", "Mobile 0789", "--to", UMA,
        ],
        DENIED,
    );
    says(error_line(&err), "may not assign services");
    p.refused(&["service", "assign", "--to", UMA], USAGE);
    assert_eq!(
        sorted_names(&p.json_as(Some(UMA), &["service", "list"])),
        strings(&["Broadband London", "Mobile 0789"])
    );
}

/// 004 customer area, issue 10: "A member always sees the services assigned
/// to them", though the `member` role holds neither `services.view_all` nor
/// `services.view_assigned`; services that are not theirs stay out of sight.
#[test]
fn customer_area_a_member_always_sees_the_services_assigned_to_them() {
    let p = Portal::with_preset("customer-area");
    p.member(UMA, "member");
    p.ok(&[
        "service", "add", "--name", "Broadband London", "--kind", "broadband",
    ]);
    p.ok(&["service", "add", "--name", "acme.test", "--kind", "domain"]);
    p.ok(&["service", "assign", "Broadband London", "--to", UMA]);
    let seen = p.json_as(Some(UMA), &["service", "list"]);
    assert_eq!(names(&seen), ["Broadband London"]);
    let one = p.json_as(Some(UMA), &["service", "show", "Broadband London"]);
    assert_eq!(one["name"], "Broadband London");
    p.refused_as(Some(UMA), &["service", "show", "acme.test"], NOT_FOUND);
    let me = p.json_as(Some(UMA), &["user", "show", UMA]);
    assert_eq!(me["services"], serde_json::json!(["Broadband London"]));
}

/// Each listed item's account and name, in list order.
fn accounts_and_names(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|s| {
            let s = |k: &str| s[k].as_str().unwrap().to_string();
            (s("account"), s("name"))
        })
        .collect()
}

/// On a database of several accounts, `service list` and `policy list`
/// without --account list every account the actor may see them in, by
/// account name, with an ACCOUNT column, as `order list` does; a member
/// sees in each only what they may (assigned services alone with
/// `services.view_assigned`), and --account keeps to one.
#[test]
fn service_and_policy_list_span_every_account_the_actor_may_see() {
    let p = Portal::new();
    p.ok(&["account", "create", "Beta Co", "--kind", "customer"]);
    p.member(UMA, "user");
    p.member_in(UMA, "manager", "Beta Co");
    p.member_in(NED, "user", "Beta Co");
    for (name, account) in [
        ("Line A", ACCOUNT),
        ("Line B", ACCOUNT),
        ("Beta line", "Beta Co"),
        ("Beta mobile", "Beta Co"),
    ] {
        p.ok(&["service", "add", "--name", name, "--account", account]);
    }
    p.ok(&[
        "service", "assign", "Line B", "--to", UMA, "--account", ACCOUNT,
    ]);
    p.ok(&[
        "service", "assign", "Beta mobile", "--to", NED, "--account", "Beta Co",
    ]);
    // Beta Co has no approver of its own: its policy names Uma.
    for (name, account) in [("Acme over 50", ACCOUNT), ("Beta over 10", "Beta Co")] {
        p.ok(&[
            "policy", "create", "--name", name, "--threshold", "50.00", "--account", account,
            "--approvers", UMA,
        ]);
    }
    let pair = |a: &str, n: &str| (a.to_string(), n.to_string());
    assert_eq!(
        accounts_and_names(&p.json(&["service", "list"])),
        vec![
            pair(ACCOUNT, "Line A"),
            pair(ACCOUNT, "Line B"),
            pair("Beta Co", "Beta line"),
            pair("Beta Co", "Beta mobile"),
        ]
    );
    let table = p.ok(&["service", "list"]);
    says(table.lines().next().unwrap(), "ACCOUNT");
    assert!(
        table
            .lines()
            .any(|l| l.contains("Beta line") && l.contains("Beta Co")),
        "{table}"
    );
    assert_eq!(
        accounts_and_names(&p.json(&["policy", "list"])),
        vec![
            pair(ACCOUNT, "Acme over 50"),
            pair("Beta Co", "Beta over 10")
        ]
    );
    let table = p.ok(&["policy", "list"]);
    says(table.lines().next().unwrap(), "ACCOUNT");
    says(&table, "Beta Co");
    // Uma: only what is assigned to her in Acme (a user), every service
    // in Beta (a manager); Ned, a user in Beta alone, only his.
    assert_eq!(
        accounts_and_names(&p.json_as(Some(UMA), &["service", "list"])),
        vec![
            pair(ACCOUNT, "Line B"),
            pair("Beta Co", "Beta line"),
            pair("Beta Co", "Beta mobile"),
        ]
    );
    assert_eq!(
        accounts_and_names(&p.json_as(Some(NED), &["service", "list"])),
        vec![pair("Beta Co", "Beta mobile")]
    );
    // Policies are beyond a user's basic account info (001): Uma reads
    // Beta's alone.
    assert_eq!(
        accounts_and_names(&p.json_as(Some(UMA), &["policy", "list"])),
        vec![pair("Beta Co", "Beta over 10")]
    );
    // --account keeps to one, as before.
    assert_eq!(
        accounts_and_names(&p.json(&["service", "list", "--account", "Beta Co"])),
        vec![pair("Beta Co", "Beta line"), pair("Beta Co", "Beta mobile")]
    );
    assert_eq!(
        accounts_and_names(&p.json(&["policy", "list", "--account", ACCOUNT])),
        vec![pair(ACCOUNT, "Acme over 50")]
    );
}

/// A service or policy by a name only one of the actor's accounts has
/// needs no `--account`; a name in several, or in one where the actor may
/// not know it, still does, and names no account it is hidden in.
#[test]
fn a_name_only_one_account_has_needs_no_account() {
    let p = Portal::new();
    p.ok(&["account", "create", "Beta Co", "--kind", "customer"]);
    p.member_in(UMA, "manager", "Beta Co");
    p.member_in(NED, "user", ACCOUNT);
    p.member_in(NED, "user", "Beta Co");
    for (name, account) in [
        ("Line A", ACCOUNT),
        ("Beta line", "Beta Co"),
        ("Shared", ACCOUNT),
        ("Shared", "Beta Co"),
    ] {
        p.ok(&["service", "add", "--name", name, "--account", account]);
    }
    p.ok(&[
        "policy", "create", "--name", "Beta over 10", "--threshold", "10.00", "--account",
        "Beta Co", "--approvers", UMA,
    ]);
    // The operator, with two accounts in the database.
    let line = p.json(&["service", "show", "Beta line"]);
    assert_eq!(line["account"], "Beta Co", "{line}");
    let assigned = p.json(&["service", "assign", "Line A", "--to", NED]);
    assert_eq!(
        (&assigned["account"], &assigned["assigned_to"]),
        (&ACCOUNT.into(), &NED.into()),
        "{assigned}"
    );
    let policy = p.json(&["policy", "show", "Beta over 10"]);
    assert_eq!(policy["account"], "Beta Co", "{policy}");
    p.ok(&["policy", "disable", "Beta over 10"]);
    says(
        &p.refused(&["service", "show", "Shared"], USAGE),
        "several accounts could be meant; pass --account",
    );
    // Ned, a user in both accounts, sees only what is assigned to him:
    // `Line A` in Acme Ltd is his; `Beta line` is nowhere his to know of.
    let mine = p.json_as(Some(NED), &["service", "show", "Line A"]);
    assert_eq!(mine["account"], ACCOUNT, "{mine}");
    // Nowhere his to know of, as a name no account has: nothing says
    // where it is.
    for name in ["Beta line", "No such line"] {
        let hidden = p.refused_as(Some(NED), &["service", "show", name], NOT_FOUND);
        assert_eq!(
            error_line(&hidden),
            format!("error: no service `{name}` in any account you may see it in")
        );
    }
}

/// A departure with `--reassign-to` or `--unassign` says what it moved,
/// in the table and in JSON, not only in its audit event.
#[test]
fn a_handover_lists_the_services_it_moved() {
    let p = acme();
    let v = p.json(&["user", "deactivate", "--yes", UMA, "--reassign-to", NED]);
    assert_eq!(
        sorted(&v["services_handed_over"]),
        strings(&["Broadband London", "Mobile 0789"])
    );
    assert_eq!(v["services_reassigned_to"], NED, "{v}");
    p.ok(&["user", "activate", UMA]);
    p.ok(&["service", "assign", "Mobile 0789", "--to", UMA]);
    let table = p.ok(&["user", "left-company", "--yes", UMA, "--unassign"]);
    assert!(table.contains("Mobile 0789 (unassigned)"), "{table}");
}

/// A service named with digits alone would take the commands meant for
/// the service its name numbers: a new one is refused, and one stored
/// before (another version, a hand edit) makes the key ambiguous, so
/// `service assign 1` reaches neither rather than the wrong one.
#[test]
fn a_name_that_reads_as_an_id_never_reaches_another_service() {
    let p = Portal::new();
    p.ok(&["service", "add", "--name", "Line One", "--kind", "line"]);
    for name in ["1", "#1"] {
        let err = p.refused(&["service", "add", "--name", name], USAGE);
        assert_eq!(
            error_line(&err),
            format!("error: the service name `{name}` reads as a service's id")
        );
    }
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.execute(
        "INSERT INTO services (account_id, name, kind, created_at, number) SELECT account_id, '1', kind, created_at, 2 FROM services WHERE id = 1",
        [],
    )
    .unwrap();
    drop(conn);
    let err = p.refused(
        &["service", "assign", "1", "--to", "owner@acme.test"],
        USAGE,
    );
    assert_eq!(
        error_line(&err),
        "error: `1` is the name of service #2 and the id of `Line One` in `Acme Ltd`"
    );
    says(
        &err,
        "name them apart: `Line One` by its name, the one named `1` by its id `2`",
    );
    assert_eq!(p.json(&["service", "show", "Line One"])["id"], 1);
    assert_eq!(p.json(&["service", "show", "2"])["name"], "1");
}

/// Asked where a leaver's services go when nothing is assigned to them,
/// the answer says that nothing needed moving: the JSON has the fields
/// (an empty list) and the table a line.
#[test]
fn a_handover_with_nothing_to_move_says_so() {
    let p = acme();
    let v = p.json(&["user", "deactivate", "--yes", NORA, "--reassign-to", NED]);
    assert_eq!(v["services_handed_over"], serde_json::json!([]), "{v}");
    assert_eq!(v["services_reassigned_to"], NED, "{v}");
    p.ok(&["user", "activate", NORA]);
    let table = p.ok(&["user", "left-company", "--yes", NORA, "--reassign-to", NED]);
    assert!(
        table.lines().any(|l| l.starts_with("services moved")
            && l.ends_with("none; nothing was assigned to them")),
        "{table}"
    );
    // Without a handover flag, nothing is said.
    p.ok(&["user", "activate", NORA]);
    let v = p.json(&["user", "deactivate", "--yes", NORA]);
    assert!(v.get("services_handed_over").is_none(), "{v}");
}

/// A service name is stored composed, with one plain space (as every
/// name is): typed again as it was added (decomposed, with a no-break or
/// a double space), it names that service in every command and file.
#[test]
fn a_service_is_found_by_its_name_however_it_was_spelled() {
    let p = Portal::new();
    p.member(UMA, "user");
    for (typed, stored) in [
        ("Fibre\u{a0}Leeds", "Fibre Leeds"),
        ("Cafe\u{301}  line", "Caf\u{e9} line"),
    ] {
        let v = p.json(&["service", "add", "--name", typed]);
        assert_eq!(v["name"], stored);
        assert_eq!(p.json(&["service", "show", typed])["name"], stored);
        let v = p.json(&["service", "assign", typed, "--to", UMA]);
        assert_eq!(v["assigned_to"], UMA);
        let v = p.json(&["service", "unassign", typed]);
        assert_eq!(v["assigned_to"], Value::Null);
    }
    // A file names the service it made, and its second apply changes
    // nothing.
    let dir = crate::support::scratch_dir();
    let file = dir.path().join("f.json");
    let fixture = serde_json::json!({"accounts": [{"name": ACCOUNT,
    "users": [{"email": UMA, "role": "user", "status": "active"}],
    "services": [
        {"name": "Broadband\u{a0}Cafe\u{301}", "assigned_to": UMA},
        {"name": "Fibre\u{a0}Leeds", "assigned_to": UMA}
    ]}]});
    std::fs::write(&file, fixture.to_string()).unwrap();
    p.ok(&["apply", file.to_str().unwrap()]);
    let again = p.json(&["apply", file.to_str().unwrap()]);
    assert_eq!(
        (&again["created"], &again["updated"]),
        (&0.into(), &0.into()),
        "{again}"
    );
    let v = p.json(&["service", "show", "Broadband Caf\u{e9}"]);
    assert_eq!(v["assigned_to"], UMA);
}

// ------------------------------------------------ blocking is offboarding (N10)

/// Findings N10: a role that blocks all access takes the member's access
/// as deactivation does, so it asks where their services go the same
/// way (article 001: "If they had access to services, re-assign those
/// services to another person"), with or without an end.
#[test]
fn blocking_a_member_asks_where_their_services_go_as_deactivating_does() {
    let p = acme();
    let deactivating = p.refused(&["user", "deactivate", "--yes", UMA], CONFLICT);
    for until in [&[][..], &["--until", "7d"]] {
        let mut args = vec!["user", "set-role", UMA, "no-access"];
        args.extend_from_slice(until);
        let before = p.events();
        let err = p.refused(&args, CONFLICT);
        assert_eq!(err, deactivating);
        says(&err, "--reassign-to EMAIL");
        assert_eq!(p.events(), before);
    }
    // Not to a member who is blocked too.
    let err = p.refused(
        &["user", "set-role", UMA, "no-access", "--reassign-to", NORA],
        CONFLICT,
    );
    says(error_line(&err), "blocked");
    let v = p.json(&["user", "set-role", UMA, "no-access", "--reassign-to", NED]);
    assert_eq!(
        sorted(&v["services_handed_over"]),
        strings(&["Broadband London", "Mobile 0789"])
    );
    assert_eq!(v["services_reassigned_to"], NED);
    let held = p.json(&["service", "list"]);
    for s in held.as_array().unwrap() {
        assert_eq!(s["assigned_to"], NED, "{s}");
    }
    // Where services go is said only of a role that blocks.
    p.refused(&["user", "set-role", NED, "manager", "--unassign"], USAGE);
}

/// Findings N10: services go to members with access; a blocked one is
/// refused as an invited or departed one is.
#[test]
fn a_service_is_not_assigned_to_a_blocked_member() {
    let p = acme();
    let before = p.events();
    let err = p.refused_as(
        Some(ADA),
        &["service", "assign", "Broadband London", "--to", NORA],
        CONFLICT,
    );
    says(error_line(&err), NORA);
    says(error_line(&err), "blocked");
    assert_eq!(p.events(), before);
    let shown = p.json(&["service", "show", "Broadband London"]);
    assert_eq!(shown["assigned_to"], UMA);
}

/// examples/demo.json, where cleo holds Contoso's `Broadband Contoso HQ`.
fn demo() -> Portal {
    Portal::cached("services: demo", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json"),
        ]);
        p
    })
}

/// Findings N10: an external admin cut off by their partner keeps no
/// service of the customer. The partner may not say where they go (its
/// members may not see them) nor be kept from cutting off its own staff,
/// so they are unassigned in the same change, in the customer's log; the
/// warning counts them and names none.
#[test]
fn an_external_admin_cut_off_by_their_partner_keeps_no_service_of_the_customer() {
    let p = demo();
    let carl = Some("carl@contoso.test");
    p.json_as(
        carl,
        &[
            "external-admin", "add", "fiona@acme.test", "--customer", "Contoso", "--role", "admin",
        ],
    );
    p.json_as(
        carl,
        &[
            "service", "assign", "Broadband Contoso HQ", "--to", "fiona@acme.test",
        ],
    );
    let run = p.run_as(
        Some("olive@acme.test"),
        &[
            "user", "deactivate", "fiona@acme.test", "--account", ACCOUNT, "--yes",
        ],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stderr, "1 service(s) of `Contoso`");
    assert!(
        !run.stderr.contains("Broadband Contoso HQ"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stdout.contains("Broadband Contoso HQ"),
        "{}",
        run.stdout
    );
    let shown = p.json(&[
        "service", "show", "Broadband Contoso HQ", "--account", "Contoso",
    ]);
    assert_eq!(shown["assigned_to"], Value::Null);
    let log = p.json_as(
        carl,
        &["audit", "list", "--account", "Contoso", "--limit", "5"],
    );
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "service.unassign" && e["target"] == "Broadband Contoso HQ"),
        "{log}"
    );
}

/// examples/demo.json with una (who holds `Broadband London`) given
/// `change` in the file, and that service assigned to `holder`.
fn demo_with_una(change: (&str, &str), holder: Value) -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json"))
        .unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let acme = &mut doc["accounts"][0];
    for user in acme["users"].as_array_mut().unwrap() {
        if user["email"] == "una@acme.test" {
            user[change.0] = change.1.into();
        }
    }
    acme["services"][0]["assigned_to"] = holder;
    doc.to_string()
}

/// Findings N10: a file that blocks a member is read as one that
/// deactivates them: the services it still gives them are refused at
/// the entry that gives them, and a file that gives them to nobody
/// unassigns them.
#[test]
fn a_file_blocking_a_member_who_holds_services_is_refused_as_deactivating_them_is() {
    let p = demo();
    let una = Value::from("una@acme.test");
    let deactivating = p.apply_stdin(
        &[],
        &[],
        &demo_with_una(("status", "deactivated"), una.clone()),
    );
    assert_eq!(deactivating.code, CONFLICT, "{}", deactivating.stderr);
    says(&deactivating.stderr, "accounts[0].services[0].assigned_to");
    let before = p.events();
    let blocking = p.apply_stdin(&[], &[], &demo_with_una(("role", "no-access"), una));
    assert_eq!(blocking.code, CONFLICT, "{}", blocking.stderr);
    says(&blocking.stderr, "accounts[0].services[0].assigned_to");
    says(&blocking.stderr, "blocked");
    assert_eq!(p.events(), before);
    let freed = p.apply_stdin(&[], &[], &demo_with_una(("role", "no-access"), Value::Null));
    assert_eq!(freed.code, SUCCESS, "{}", freed.stderr);
    let shown = p.json(&["service", "show", "Broadband London"]);
    assert_eq!(shown["assigned_to"], Value::Null);
}

/// Findings B3: a member who sees only the services assigned to them
/// lists those, and `--limit N` lists the first N by name, whatever
/// else the account holds (read by index, see `query_plans`).
#[test]
fn service_list_serves_own_services_and_stops_at_its_limit() {
    let p = acme();
    assert_eq!(
        names(&p.json_as(Some(NED), &["service", "list"])),
        strings(&["acme.test"])
    );
    assert_eq!(
        names(&p.json_as(Some(UMA), &["service", "list", "--limit", "1"])),
        strings(&["Broadband London"])
    );
    assert_eq!(
        names(&p.json(&["service", "list", "--limit", "2"])),
        strings(&["Broadband London", "Mobile 0789"])
    );
    let run = p.run_as(Some(ADA), &["service", "list", "--limit", "1"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert!(run.stdout.contains("Broadband London"), "{}", run.stdout);
    assert!(!run.stdout.contains("Mobile 0789"), "{}", run.stdout);
}

/// Findings B10: `service assign S1 S2 ...` without `--account`, where
/// several accounts could be meant, names only the services found
/// nowhere (exit 3), and says which account holds each when they are in
/// different accounts (exit 2, naming `--account`); nothing changes.
#[test]
fn bulk_assignment_without_account_names_only_what_is_missing() {
    let p = Portal::new();
    p.member(UMA, "user");
    p.ok(&["account", "create", "Contoso", "--kind", "customer"]);
    p.ok(&[
        "service", "add", "--name", "Leased line Leeds", "--account", ACCOUNT,
    ]);
    p.ok(&[
        "service", "add", "--name", "Contoso HQ", "--account", "Contoso",
    ]);
    let events = p.events();
    const LEEDS: &str = "Leased line Leeds";
    let err = p.refused(
        &["service", "assign", LEEDS, "Nope", "--to", UMA],
        NOT_FOUND,
    );
    says(error_line(&err), "error: no service `Nope` in any account");
    let err = p.refused(
        &["service", "assign", LEEDS, "Contoso HQ", "--to", UMA],
        USAGE,
    );
    says(
        error_line(&err),
        "error: the services named are in different accounts: `Leased line Leeds` in `Acme Ltd`, `Contoso HQ` in `Contoso`",
    );
    says(
        &err,
        "help: assign them one account at a time, naming it with --account",
    );
    let err = p.refused(&["service", "unassign", LEEDS, "Contoso HQ"], USAGE);
    says(&err, "help: unassign them one account at a time");
    assert_eq!(p.events(), events);
    // The named account reads as before.
    let err = p.refused(
        &[
            "service", "assign", LEEDS, "Nope", "--to", UMA, "--account", ACCOUNT,
        ],
        NOT_FOUND,
    );
    says(error_line(&err), "no service `Nope` in `Acme Ltd`");
}
