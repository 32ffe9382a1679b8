//! Issue 14: time-bound access (`--until`), point-in-time answers (`can
//! --at`, `user show --at`) and `user history`, with a fixed clock.

use serde_json::{json, Value};

use crate::support::{
    rewind, says, version_before, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, OWNER, USAGE,
};

/// The moment time-bound access given at `NOW` (10:00) lapses.
const T: &str = "2026-11-25T12:00:00Z";
const BEFORE_T: &str = "2026-11-25T11:59:59Z";
const AFTER_T: &str = "2026-11-25T12:00:01Z";

fn at(t: &str) -> [(&'static str, &str); 1] {
    [("PORTALCTL_NOW", t)]
}

/// The environment of a command run at `t` as `who`.
fn as_at<'a>(t: &'a str, who: &'a str) -> [(&'static str, &'a str); 2] {
    [("PORTALCTL_NOW", t), ("PORTALCTL_AS", who)]
}

/// `args` with `--json`, at `t`, as the operator.
#[track_caller]
fn json_at(p: &Portal, t: &str, args: &[&str]) -> Value {
    p.json_with(args, &at(t))
}

/// `can` at `t`: (allowed, exit code).
#[track_caller]
fn can_at(p: &Portal, t: &str, email: &str, cap: &str) -> (bool, i32) {
    let run = p.run_with(&["--json", "can", email, cap], &at(t));
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    (v["allowed"].as_bool().unwrap(), run.code)
}

#[test]
fn a_role_set_until_t_is_held_to_the_second_before_and_reverts_at_t() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    let v = p.json(&["user", "set-role", "ann@acme.test", "manager", "--until", T]);
    assert_eq!(
        (&v["role"], &v["role_until"], &v["role_after"], &v["access_ends"]),
        (&json!("manager"), &json!(T), &json!("user"), &json!(T))
    );
    let can = p.can(&["ann@acme.test", "orders.place"]);
    assert_eq!((&can["allowed"], &can["until"]), (&json!(true), &json!(T)));
    assert_eq!(
        can_at(&p, BEFORE_T, "ann@acme.test", "orders.place"),
        (true, 0)
    );
    assert_eq!(can_at(&p, T, "ann@acme.test", "orders.place"), (false, 5));
    assert_eq!(
        can_at(&p, AFTER_T, "ann@acme.test", "orders.place"),
        (false, 5)
    );
    // What she held before is back, and nothing says it ends.
    let show = json_at(&p, T, &["user", "show", "ann@acme.test"]);
    assert_eq!(show["role"], "user");
    assert!(
        show.get("role_until").is_none() && show.get("access_ends").is_none(),
        "{show}"
    );
    assert_eq!(can_at(&p, T, "ann@acme.test", "tickets.raise"), (true, 0));
    // The table says when the role ends too.
    says(&p.ok(&["user", "show", "ann@acme.test"]), "then `user`");
}

#[test]
fn a_second_time_bound_role_still_lapses_to_the_role_held_for_good() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.ok(&["user", "set-role", "ann@acme.test", "manager", "--until", T]);
    let v = p.json(&[
        "user", "set-role", "ann@acme.test", "admin", "--until", "1d",
    ]);
    assert_eq!(
        (&v["role"], &v["role_until"], &v["role_after"]),
        (
            &json!("admin"),
            &json!("2026-11-26T10:00:00Z"),
            &json!("user")
        )
    );
    // Set for good, nothing lapses any more.
    let v = p.json(&["user", "set-role", "ann@acme.test", "manager"]);
    assert!(v.get("role_until").is_none(), "{v}");
    assert_eq!(
        json_at(
            &p,
            "2027-01-01T00:00:00Z",
            &["user", "show", "ann@acme.test"]
        )["role"],
        "manager"
    );
}

#[test]
fn a_grant_until_t_disappears_at_t_and_a_lasting_grant_stays_lasting() {
    let p = Portal::with_preset("customer-area");
    p.member("ann@acme.test", "member");
    let v = p.json(&["user", "grant", "ann@acme.test", "billing", "--until", T]);
    assert_eq!(v["grants_until"], json!({"billing": T}));
    assert_eq!(
        can_at(&p, BEFORE_T, "ann@acme.test", "billing.payment"),
        (true, 0)
    );
    assert_eq!(
        can_at(&p, T, "ann@acme.test", "billing.payment"),
        (false, 5)
    );
    assert_eq!(
        can_at(&p, AFTER_T, "ann@acme.test", "billing.payment"),
        (false, 5)
    );
    assert_eq!(
        json_at(&p, T, &["user", "show", "ann@acme.test"])["grants"],
        json!([])
    );
    // A grant held for good is not made time-bound: at T she keeps it.
    p.ok(&["user", "grant", "ann@acme.test", "support"]);
    let v = p.json(&["user", "grant", "ann@acme.test", "support", "--until", T]);
    assert_eq!(v["grants_until"], json!({"billing": T}));
    assert_eq!(
        can_at(&p, T, "ann@acme.test", "support.requests"),
        (true, 0)
    );
}

#[test]
fn until_must_be_in_the_future() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    for when in ["2026-11-25T10:00:00Z", "2026-11-24T10:00:00Z", "2026-11-01"] {
        let err = p.refused(
            &[
                "user", "set-role", "ann@acme.test", "manager", "--until", when,
            ],
            USAGE,
        );
        says(&err, "not in the future");
    }
    p.refused(
        &[
            "user", "set-role", "ann@acme.test", "manager", "--until", "soon",
        ],
        USAGE,
    );
    p.refused(
        &[
            "service", "assign", "Line", "--to", "ann@acme.test", "--until", "2020-01-01",
        ],
        USAGE,
    );
    assert_eq!(p.json(&["user", "show", "ann@acme.test"])["role"], "user");
}

#[test]
fn a_member_gives_time_bound_only_what_they_could_give_for_good() {
    let p = Portal::new();
    p.member("ann@acme.test", "admin");
    p.member("max@acme.test", "manager");
    p.member("bob@acme.test", "user");
    // A manager holds no users.manage: no role at all, time-bound or not.
    p.refused_as(
        Some("max@acme.test"),
        &["user", "set-role", "bob@acme.test", "manager", "--until", T],
        DENIED,
    );
    let v = p.json_as(
        Some("ann@acme.test"),
        &["user", "set-role", "bob@acme.test", "manager", "--until", T],
    );
    assert_eq!(v["role_until"], T);
}

#[test]
fn the_last_admin_cannot_be_made_time_bound() {
    let p = Portal::with_preset("msp");
    p.member("ada@acme.test", "msp-administrator");
    p.customer("Client Co");
    let add = |until: Option<&str>| {
        let mut args = vec![
            "external-admin", "add", "--customer", "Client Co", "--email", "ada@acme.test",
            "--role", "msp-administrator",
        ];
        args.extend(until.map(|u| ["--until", u]).into_iter().flatten());
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let args = add(None);
    p.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    // Ada is Client Co's only admin: her access may not lapse.
    let args = add(Some(T));
    let err = p.refused(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        CONFLICT,
    );
    says(&err, "would lapse at 2026-11-25T12:00:00Z");
}

/// The msp preset: ada (administrator, an external admin of the customer
/// Client Co for good) and uma (user).
fn msp_with_a_customer() -> Portal {
    let p = Portal::with_preset("msp");
    p.member("ada@acme.test", "msp-administrator");
    p.member("uma@acme.test", "msp-user");
    p.customer("Client Co");
    p.ok(&[
        "external-admin", "add", "--customer", "Client Co", "--email", "ada@acme.test", "--role",
        "msp-administrator",
    ]);
    p
}

#[test]
fn external_access_until_t_ends_at_t() {
    let p = msp_with_a_customer();
    let v = p.json(&[
        "external-admin", "add", "--customer", "Client Co", "--email", "uma@acme.test", "--role",
        "msp-user", "--until", T,
    ]);
    assert_eq!(v["external_until"], T);
    let args = [
        "--json", "can", "uma@acme.test", "account.view", "--account", "Client Co",
    ];
    assert_eq!(p.run_with(&args, &at(BEFORE_T)).code, 0);
    assert_eq!(p.run_with(&args, &at(T)).code, 5);
    let show = p.json_with(
        &["user", "show", "uma@acme.test", "--account", "Client Co"],
        &at(AFTER_T),
    );
    assert_eq!(show["status"], "deactivated");
    p.refused_with(
        &["account", "show", "Client Co"],
        &[("PORTALCTL_NOW", T), ("PORTALCTL_AS", "uma@acme.test")],
        DENIED,
    );
}

#[test]
fn a_service_assigned_until_t_is_unassigned_at_t() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.ok(&["service", "add", "--name", "Line"]);
    let v = p.json(&[
        "service", "assign", "Line", "--to", "ann@acme.test", "--until", T,
    ]);
    assert_eq!(
        (&v["assigned_to"], &v["assigned_until"]),
        (&json!("ann@acme.test"), &json!(T))
    );
    let mine = |t: &str| {
        p.json_with(
            &["service", "list"],
            &[("PORTALCTL_NOW", t), ("PORTALCTL_AS", "ann@acme.test")],
        )
        .as_array()
        .unwrap()
        .len()
    };
    assert_eq!((mine(BEFORE_T), mine(T), mine(AFTER_T)), (1, 0, 0));
    assert_eq!(
        json_at(&p, T, &["service", "show", "Line"])["assigned_to"],
        Value::Null
    );
}

/// After expiry, no command sees the lapsed access as held.
#[test]
fn no_command_sees_lapsed_access_after_t() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.member("bob@acme.test", "manager");
    p.ok(&["policy", "create", "--name", "Big", "--threshold", "50.00"]);
    p.ok(&["user", "set-role", "ann@acme.test", "admin", "--until", T]);
    let order = p.json_as(
        Some("bob@acme.test"),
        &[
            "order", "place", "--description", "Router", "--amount", "120.00",
        ],
    );
    let id = order["id"].to_string();
    let as_ann = |t| as_at(t, "ann@acme.test");
    // Before T she is an admin.
    assert_eq!(p.run_with(&["user", "list"], &as_ann(BEFORE_T)).code, 0);
    for t in [T, AFTER_T, "2027-06-01T00:00:00Z"] {
        // Her own checks: listing users, inviting, setting roles, approving.
        p.refused_with(&["user", "list"], &as_ann(t), DENIED);
        p.refused_with(&["user", "invite", "cy@acme.test"], &as_ann(t), DENIED);
        p.refused_with(
            &["user", "set-role", "bob@acme.test", "user"],
            &as_ann(t),
            DENIED,
        );
        p.refused_with(&["order", "approve", &id], &as_ann(t), DENIED);
        // What others see of her.
        assert_eq!(can_at(&p, t, "ann@acme.test", "users.manage"), (false, 5));
        let listed = json_at(&p, t, &["user", "list", "--role", "admin"]);
        assert!(!listed.to_string().contains("ann@acme.test"), "{listed}");
        assert_eq!(
            json_at(&p, t, &["user", "show", "ann@acme.test"])["role"],
            "user"
        );
        assert_eq!(
            json_at(&p, t, &["user", "list", "--expiring", "30d"]),
            json!([])
        );
        // A refusal names nobody who no longer holds it.
        let err = p.refused_with(
            &["user", "list"],
            &[("PORTALCTL_NOW", t), ("PORTALCTL_AS", "bob@acme.test")],
            DENIED,
        );
        assert!(!err.contains("ann@acme.test"), "{err}");
    }
    // A write after T starts from her role as it lapsed, and says so.
    p.json_with(
        &["user", "set-role", "ann@acme.test", "manager"],
        &at(AFTER_T),
    );
    let event = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(
        (&event[0]["before"]["role"], &event[0]["after"]["role"]),
        (&json!("user"), &json!("manager"))
    );
}

#[test]
fn user_list_expiring_lists_what_lapses_within_the_window() {
    let p = Portal::with_preset("customer-area");
    p.member("ann@acme.test", "member");
    p.member("bob@acme.test", "member");
    p.member("cy@acme.test", "member");
    p.ok(&["user", "grant", "ann@acme.test", "billing", "--until", "3d"]);
    p.ok(&[
        "user", "grant", "bob@acme.test", "billing", "--until", "10d",
    ]);
    let emails = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|m| m["email"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        emails(p.json(&["user", "list", "--expiring", "7d"])),
        ["ann@acme.test"]
    );
    assert_eq!(
        emails(p.json(&["user", "list", "--expiring", "30d"])),
        ["ann@acme.test", "bob@acme.test"]
    );
    assert_eq!(
        emails(p.json(&["user", "list", "--expiring", "1d"])),
        Vec::<String>::new()
    );
}

/// `user list --can` lists exactly whom `can` says yes to: a time-bound
/// admin until the second before T, then no longer; by table and JSON;
/// an unknown capability is refused as `can` refuses it, and whoever may
/// not list users may not list these either.
#[test]
fn user_list_can_lists_whom_can_says_yes_to() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.member("bob@acme.test", "admin");
    p.member("cy@acme.test", "manager");
    p.ok(&["user", "set-role", "ann@acme.test", "admin", "--until", T]);
    let emails = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|m| m["email"].as_str().unwrap().to_string())
            .collect()
    };
    let everyone = emails(p.json(&["user", "list"]));
    for (t, approvers) in [
        (BEFORE_T, &["ann@acme.test", "bob@acme.test", OWNER][..]),
        (T, &["bob@acme.test", OWNER][..]),
    ] {
        let listed = emails(json_at(&p, t, &["user", "list", "--can", "orders.approve"]));
        assert_eq!(listed, approvers, "at {t}");
        for who in &everyone {
            let (yes, _) = can_at(&p, t, who, "orders.approve");
            assert_eq!(yes, listed.contains(who), "{who} at {t}");
        }
    }
    let table = p.run_with(
        &[
            "user", "list", "--account", ACCOUNT, "--can", "users.manage",
        ],
        &at(T),
    );
    assert_eq!(table.code, 0, "{}", table.stderr);
    let rows: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{}", table.stdout);
    assert!(rows[0].starts_with("EMAIL"), "{}", table.stdout);
    assert!(rows[1].starts_with("bob@acme.test"), "{}", table.stdout);
    assert!(rows[2].starts_with(OWNER), "{}", table.stdout);
    let err = p.refused(&["user", "list", "--can", "orders.aprove"], USAGE);
    says(&err, "unknown capability `orders.aprove`");
    says(&err, "did you mean `orders.approve`?");
    p.refused_as(
        Some("cy@acme.test"),
        &["user", "list", "--can", "orders.approve"],
        DENIED,
    );
}

/// Ann invited at 09:00 as `user`, accepted 09:30, `manager` at 11:00,
/// `admin` until 15:00 at 13:00, deactivated at 14:00.
fn a_recorded_life() -> Portal {
    let p = Portal::new();
    let when = at;
    let v = p.json_with(
        &["user", "invite", "ann@acme.test", "--role", "user"],
        &when("2026-11-25T09:00:00Z"),
    );
    let token = v["token"].as_str().unwrap().to_string();
    p.json_with(
        &["user", "accept", &token, "--name", "Ann"],
        &when("2026-11-25T09:30:00Z"),
    );
    p.json_with(
        &["user", "set-role", "ann@acme.test", "manager"],
        &when("2026-11-25T11:00:00Z"),
    );
    p.json_with(
        &[
            "user", "set-role", "ann@acme.test", "admin", "--until", "2026-11-25T15:00:00Z",
        ],
        &when("2026-11-25T13:00:00Z"),
    );
    p.json_with(
        &["user", "deactivate", "--yes", "ann@acme.test"],
        &when("2026-11-25T14:00:00Z"),
    );
    p
}

#[test]
fn can_at_answers_as_of_moments_between_recorded_changes() {
    let p = a_recorded_life();
    let now = [("PORTALCTL_NOW", "2026-11-26T10:00:00Z")];
    let ask = |cap: &str, t: &str| {
        let run = p.run_with(&["--json", "can", "ann@acme.test", cap, "--at", t], &now);
        let v: Value = serde_json::from_str(&run.stdout).unwrap();
        if t.contains('T') {
            assert_eq!(v["at"], t);
        }
        (
            v["allowed"].as_bool().unwrap(),
            run.code,
            v["reason"].as_str().unwrap().to_string(),
        )
    };
    // Before she was invited: no member then.
    let (yes, code, why) = ask("account.view", "2026-11-25T08:59:59Z");
    assert_eq!((yes, code), (false, 5));
    says(&why, "was not a member");
    // Invited, not accepted: no access.
    assert!(!ask("account.view", "2026-11-25T09:00:00Z").0);
    // A user from 09:30.
    assert!(ask("account.view", "2026-11-25T09:30:00Z").0);
    assert!(!ask("orders.place", "2026-11-25T10:59:59Z").0);
    // A manager from 11:00.
    assert!(ask("orders.place", "2026-11-25T11:00:00Z").0);
    assert!(!ask("users.manage", "2026-11-25T12:59:59Z").0);
    // An admin from 13:00, deactivated at 14:00.
    let (yes, _, why) = ask("users.manage", "2026-11-25T13:00:00Z");
    assert!(yes, "{why}");
    assert!(ask("users.manage", "2026-11-25T13:59:59Z").0);
    let (yes, _, why) = ask("users.manage", "2026-11-25T14:00:00Z");
    assert!(!yes);
    says(&why, "deactivated");
    // The date form means the day's first second; a duration, that long ago.
    assert!(!ask("account.view", "2026-11-25").0);
    let run = p.run_with(
        &[
            "--json", "can", "ann@acme.test", "account.view", "--at", "1d",
        ],
        &now,
    );
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap()["at"],
        "2026-11-25T10:00:00Z"
    );
    assert_eq!(run.code, 0);
}

#[test]
fn can_at_applies_the_lapse_at_that_moment() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.ok(&["user", "set-role", "ann@acme.test", "admin", "--until", T]);
    let later = [("PORTALCTL_NOW", "2026-12-01T00:00:00Z")];
    let ask = |t: &str| {
        let run = p.run_with(
            &["--json", "can", "ann@acme.test", "users.manage", "--at", t],
            &later,
        );
        (
            serde_json::from_str::<Value>(&run.stdout).unwrap(),
            run.code,
        )
    };
    let (v, code) = ask(BEFORE_T);
    assert_eq!((code, &v["until"]), (0, &json!(T)));
    assert_eq!(ask(T).1, 5);
    assert_eq!(ask(AFTER_T).1, 5);
    let show = p.json_with(&["user", "show", "ann@acme.test", "--at", BEFORE_T], &later);
    assert_eq!(
        (&show["role"], &show["as_of"], &show["role_until"]),
        (&json!("admin"), &json!(BEFORE_T), &json!(T))
    );
    let show = p.json_with(&["user", "show", "ann@acme.test", "--at", T], &later);
    assert_eq!(show["role"], "user");
}

#[test]
fn user_show_at_reconstructs_role_status_and_capabilities() {
    let p = a_recorded_life();
    let now = [("PORTALCTL_NOW", "2026-11-26T10:00:00Z")];
    let show = |t: &str| p.json_with(&["user", "show", "ann@acme.test", "--at", t], &now);
    let v = show("2026-11-25T09:15:00Z");
    assert_eq!(
        (&v["role"], &v["status"]),
        (&json!("user"), &json!("invited"))
    );
    assert_eq!(v["capabilities"], json!([]));
    let v = show("2026-11-25T12:00:00Z");
    assert_eq!(
        (&v["role"], &v["status"], &v["name"]),
        (&json!("manager"), &json!("active"), &json!("Ann"))
    );
    assert!(strings_contain(&v["capabilities"], "orders.place"), "{v}");
    let v = show("2026-11-25T14:30:00Z");
    assert_eq!(
        (&v["role"], &v["status"]),
        (&json!("admin"), &json!("deactivated"))
    );
    let v = show("2026-11-25T15:00:00Z");
    assert_eq!(v["role"], "manager");
    let err = p.refused_with(
        &["user", "show", "ann@acme.test", "--at", "2026-11-24"],
        &now,
        NOT_FOUND,
    );
    says(&err, "was not a member of `Acme Ltd`");
}

fn strings_contain(v: &Value, s: &str) -> bool {
    v.as_array().is_some_and(|a| a.iter().any(|x| x == s))
}

#[test]
fn user_history_is_the_members_timeline_with_who_and_what_changed() {
    let p = a_recorded_life();
    let v = p.json(&["user", "history", "ann@acme.test"]);
    let actions: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["user.invite", "user.accept", "user.set_role", "user.set_role", "user.deactivate"]
    );
    assert_eq!(v[0]["at"], "2026-11-25T09:00:00Z");
    assert_eq!(v[0]["actor"], "operator:tester");
    assert_eq!(v[0]["account"], ACCOUNT);
    let changes = |i: usize| v[i]["changes"].to_string();
    says(&changes(0), "role: user");
    says(&changes(2), "role: user -> manager");
    says(&changes(3), "role: manager -> admin");
    says(&changes(3), "role_until: - -> 2026-11-25T15:00:00Z");
    says(&changes(4), "status: active -> deactivated");
    says(
        &p.ok(&["user", "history", "ann@acme.test"]),
        "user.set_role",
    );
}

#[test]
fn user_history_follows_user_shows_rule() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.member("bob@acme.test", "user");
    p.member("max@acme.test", "manager");
    // Herself: yes. Another user, or a manager without users.view: no.
    assert_eq!(
        p.json_as(Some("ann@acme.test"), &["user", "history", "ann@acme.test"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    p.refused_as(
        Some("bob@acme.test"),
        &["user", "history", "ann@acme.test"],
        DENIED,
    );
    p.refused_as(
        Some("max@acme.test"),
        &["user", "history", "ann@acme.test", "--account", ACCOUNT],
        DENIED,
    );
    p.refused_as(
        Some("bob@acme.test"),
        &["can", "ann@acme.test", "account.view", "--at", "1h"],
        DENIED,
    );
    p.refused_as(
        Some("bob@acme.test"),
        &["user", "show", "ann@acme.test", "--at", "1h"],
        DENIED,
    );
    p.refused(&["user", "history", "nobody@acme.test"], NOT_FOUND);
    // The owner's history starts with `init`.
    let v = p.json(&["user", "history", OWNER]);
    assert_eq!(v[0]["action"], "init");
}

#[test]
fn a_database_from_before_time_bound_access_migrates_and_answers() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        rewind(&conn, 10);
        let has: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info('memberships') WHERE name = 'role_until'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(has, 0);
    }
    let v = p.json(&["user", "set-role", "ann@acme.test", "manager", "--until", T]);
    assert_eq!(v["role_until"], T);
    assert_eq!(
        p.query("PRAGMA user_version"),
        crate::support::schema_version()
    );
    // Her events from before the migration answer `--at`.
    let v = p.json(&[
        "can", "ann@acme.test", "account.view", "--at", "2026-11-25T10:00:00Z",
    ]);
    assert_eq!(v["allowed"], true);
    assert_eq!(
        p.json(&["user", "history", "ann@acme.test"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn can_at_sees_external_access_end_with_the_partner_membership() {
    let p = msp_with_a_customer();
    p.ok(&[
        "external-admin", "add", "--customer", "Client Co", "--email", "uma@acme.test", "--role",
        "msp-user",
    ]);
    // Uma leaves the partner at 11:00: her access to the customer ends
    // with the partner's one event.
    p.json_with(
        &[
            "user", "left-company", "--yes", "uma@acme.test", "--account", ACCOUNT,
        ],
        &at("2026-11-25T11:00:00Z"),
    );
    let later = at("2026-11-26T00:00:00Z");
    let ask = |t: &str| {
        p.run_with(
            &[
                "can", "uma@acme.test", "account.view", "--account", "Client Co", "--at", t,
            ],
            &later,
        )
        .code
    };
    assert_eq!(
        (ask("2026-11-25T10:59:59Z"), ask("2026-11-25T11:00:00Z")),
        (0, 5)
    );
}

/// A member gives only what they hold, for as long as they hold it: a
/// role that lapses to admin, a time-bound admin role made lasting, and a
/// lasting admin role given by someone whose own ends at T are refused,
/// by hand and through a file, and change nothing; until T, it is given.
#[test]
fn a_member_gives_nothing_that_outlasts_what_they_hold() {
    let p = Portal::new();
    p.member("max@acme.test", "manager");
    p.member("bob@acme.test", "user");
    p.ok(&["user", "set-role", "max@acme.test", "admin", "--until", T]);
    let max = Some("max@acme.test");
    let from_t = format!("from {T} it includes capabilities they do not hold then");
    for args in [
        vec!["user", "set-role", "max@acme.test", "admin"],
        vec!["user", "set-role", "bob@acme.test", "admin"],
        vec![
            "user", "set-role", "bob@acme.test", "admin", "--until", "2026-12-24T00:00:00Z",
        ],
    ] {
        let before = p.dump();
        let err = p.refused_as(max, &args, DENIED);
        says(&err, &from_t);
        assert_eq!(p.dump(), before, "{args:?}");
    }
    // Through a file: Bob a user until T, then an admin for good.
    let dir = crate::support::scratch_dir();
    let file = dir.path().join("lapse.json");
    std::fs::write(
        &file,
        format!(
            r#"{{"accounts": [{{"name": "{ACCOUNT}", "users": [
                {{"email": "bob@acme.test", "role": "user",
                  "role_until": "{T}", "role_after": "admin"}}]}}]}}"#
        ),
    )
    .unwrap();
    let before = p.dump();
    let err = p.refused_as(max, &["apply", file.to_str().unwrap()], DENIED);
    says(&err, &from_t);
    assert_eq!(p.dump(), before);
    // Until T, while Max holds it himself, he may.
    let v = p.json_as(
        max,
        &["user", "set-role", "bob@acme.test", "admin", "--until", T],
    );
    assert_eq!((&v["role"], &v["role_until"]), (&json!("admin"), &json!(T)));
}

/// The right to decide orders is given only for as long as the giver
/// holds it too: an admin until T may not name anyone a policy's approver
/// (a place with no end) or lend the owner's deciding past T, by hand or
/// through a file.
/// Nothing changes; lent until T, it is given.
#[test]
fn deciding_is_given_only_for_as_long_as_the_giver_decides() {
    let p = Portal::new();
    for who in ["ted@acme.test", "una@acme.test", "vic@acme.test"] {
        p.member(who, "user");
    }
    p.ok(&["user", "set-role", "ted@acme.test", "admin", "--until", T]);
    p.ok(&[
        "policy", "create", "--name", "Una's", "--threshold", "5.00", "--approvers",
        "una@acme.test",
    ]);
    let ted = Some("ted@acme.test");
    let from_t = format!("which they do not hold from {T}");
    let lasting =
        format!("from {T} it includes capabilities they do not hold then (orders.approve)");
    let dir = crate::support::scratch_dir();
    let file = dir.path().join("approvers.json");
    std::fs::write(
        &file,
        format!(
            r#"{{"accounts": [{{"name": "{ACCOUNT}", "policies": [
                {{"name": "Vic's", "threshold": "5.00", "approvers": ["vic@acme.test"]}}]}}]}}"#
        ),
    )
    .unwrap();
    for (args, says_what) in [
        (
            vec![
                "policy", "create", "--name", "Self", "--threshold", "5.00", "--approvers",
                "ted@acme.test",
            ],
            &lasting,
        ),
        (
            vec![
                "policy", "edit", "Una's", "--approvers", "una@acme.test,vic@acme.test",
            ],
            &lasting,
        ),
        (
            vec![
                "order", "delegate", "--for", OWNER, "--to", "una@acme.test", "--until",
                "2027-03-01T00:00:00Z",
            ],
            &from_t,
        ),
        (vec!["apply", file.to_str().unwrap()], &lasting),
    ] {
        let before = p.dump();
        let err = p.refused_as(ted, &args, DENIED);
        says(&err, says_what);
        assert_eq!(p.dump(), before, "{args:?}");
    }
    let v = p.json_as(
        ted,
        &[
            "order", "delegate", "--for", OWNER, "--to", "una@acme.test", "--until", T,
        ],
    );
    assert_eq!(v["until"], T, "{v}");
}

/// `user invite --until T`, as for a temporary contractor: the role and
/// grants hold to the second before T, then the blocking role and
/// nothing, shown as `user show` shows any time-bound role; one event.
#[test]
fn an_invitation_until_t_gives_access_until_t_then_nothing() {
    let p = Portal::with_preset("customer-area");
    let v = p.change(
        None,
        &[
            "user", "invite", "cam@acme.test", "--role", "member", "--grant", "billing", "--until",
            T, "--expires-in", "1h",
        ],
        "user.invite",
    );
    assert_eq!(
        (&v["role"], &v["status"], &v["role_until"], &v["role_after"]),
        (
            &json!("member"),
            &json!("invited"),
            &json!(T),
            &json!("no-access")
        )
    );
    assert_eq!(
        (&v["grants_until"], &v["access_ends"], &v["expires_at"]),
        (
            &json!({"billing": T}),
            &json!(T),
            &json!("2026-11-25T11:00:00Z")
        )
    );
    let event = p.last_event();
    assert_eq!(event["after"]["role_until"], T, "{event}");
    // The table says it too.
    let show = p.ok(&["user", "show", "cam@acme.test"]);
    says(&show, "then `no-access`");
    p.ok(&["user", "accept", v["token"].as_str().unwrap()]);
    for cap in ["account.view", "billing.payment"] {
        assert_eq!(can_at(&p, BEFORE_T, "cam@acme.test", cap), (true, 0));
        assert_eq!(can_at(&p, T, "cam@acme.test", cap), (false, 5));
    }
    let after = json_at(&p, T, &["user", "show", "cam@acme.test"]);
    assert_eq!(
        (&after["role"], &after["grants"]),
        (&json!("no-access"), &json!([]))
    );
}

/// An invitation never works once the access it gives has ended: with
/// no `--expires-in` it expires by then; one asked for past it is refused
/// (exit 2), saying so, and changes nothing, as is a `--until` that has
/// passed. `resend-invite` keeps the end and is held to it alike.
#[test]
fn an_invitation_never_outlasts_the_access_it_gives() {
    let p = Portal::new();
    let invite = |extra: &[&'static str]| {
        let mut args = vec!["user", "invite", "ivy@acme.test", "--role", "user"];
        args.extend_from_slice(extra);
        args
    };
    // An expiry asked for past T is a mistake in the one or the other.
    let before = p.dump();
    let err = p.refused(&invite(&["--until", T, "--expires-in", "3h"]), USAGE);
    says(
        &err,
        "after the access it gives ends at 2026-11-25T12:00:00Z",
    );
    says(&err, "--expires-in");
    for when in ["2026-11-25T10:00:00Z", "2026-11-01", "soon"] {
        p.refused(&invite(&["--until", when, "--expires-in", "1h"]), USAGE);
    }
    assert_eq!(p.dump(), before, "nothing invited");
    // Asked for none, the default 7 days is cut to T.
    let v = p.json(&invite(&["--until", T]));
    assert_eq!((&v["expires_at"], &v["role_until"]), (&json!(T), &json!(T)));
    let err = p.refused(
        &[
            "user", "resend-invite", "ivy@acme.test", "--expires-in", "3h",
        ],
        USAGE,
    );
    says(&err, "after the access it gives ends");
    // The commands it gives to paste name the account, as every
    // command help prints does.
    says(
        &err,
        "`portalctl user set-role ivy@acme.test ROLE --until T --account 'Acme Ltd'`",
    );
    let v = p.json(&["user", "resend-invite", "ivy@acme.test"]);
    assert_eq!(v["expires_at"], T, "{v}");
    let v = p.json(&[
        "user", "resend-invite", "ivy@acme.test", "--expires-in", "1h",
    ]);
    assert_eq!(
        (&v["role"], &v["role_until"], &v["role_after"]),
        (&json!("user"), &json!(T), &json!("no-access"))
    );
}

/// A member who is an admin until T may invite an admin until T, and
/// neither for longer nor for good (exit 5, nothing changed): the gate
/// weighs the invitee's access at T as it weighs `set-role --until`.
#[test]
fn a_time_bound_admin_invites_an_admin_only_until_their_own_end() {
    let p = Portal::new();
    p.member("max@acme.test", "manager");
    p.ok(&["user", "set-role", "max@acme.test", "admin", "--until", T]);
    let max = Some("max@acme.test");
    let from_t = format!("from {T} it includes capabilities they do not hold then");
    let invite = |extra: &[&'static str]| {
        let mut args = vec![
            "user", "invite", "bob@acme.test", "--role", "admin", "--expires-in", "1h",
        ];
        args.extend_from_slice(extra);
        args
    };
    for extra in [&[][..], &["--until", "2026-12-24T00:00:00Z"][..]] {
        let before = p.dump();
        let err = p.refused_as(max, &invite(extra), DENIED);
        says(&err, &from_t);
        assert_eq!(p.dump(), before, "{extra:?}");
    }
    let v = p.json_as(max, &invite(&["--until", T]));
    assert_eq!(
        (&v["role"], &v["role_until"], &v["role_after"]),
        (&json!("admin"), &json!(T), &json!("no-access"))
    );
}

/// An invitee given access until T is exported as a file says it (status
/// `invited`, `role_until`, `role_after`, `grants_until`), and that file
/// applied onto an empty database gives the same back.
#[test]
fn an_invitee_until_t_round_trips_through_export_and_apply() {
    let p = Portal::with_preset("customer-area");
    p.ok(&[
        "user", "invite", "cam@acme.test", "--role", "member", "--grant", "billing", "--until", T,
        "--expires-in", "1h",
    ]);
    let exported = p.ok(&["export"]);
    let file: Value = serde_json::from_str(&exported).unwrap();
    let users = file["accounts"][0]["users"].as_array().unwrap();
    let cam = users
        .iter()
        .find(|u| u["email"] == "cam@acme.test")
        .unwrap();
    assert_eq!(
        (&cam["status"], &cam["role_until"], &cam["role_after"], &cam["grants_until"]),
        (
            &json!("invited"),
            &json!(T),
            &json!("no-access"),
            &json!({"billing": T})
        ),
        "{cam}"
    );
    let dir = crate::support::scratch_dir();
    let path = dir.path().join("export.json");
    std::fs::write(&path, &exported).unwrap();
    let copy = Portal::empty();
    copy.ok(&["apply", path.to_str().unwrap()]);
    assert_eq!(copy.ok(&["export"]), exported);
    let v = copy.json(&["user", "show", "cam@acme.test"]);
    assert_eq!(
        (&v["status"], &v["access_ends"]),
        (&json!("invited"), &json!(T))
    );
    // Applied again, it changes nothing.
    let before = p.dump();
    p.ok(&["apply", path.to_str().unwrap()]);
    assert_eq!(p.dump(), before);
}

/// A file says the same as `user invite --until T` with an invited entry
/// whose role lapses at T to the blocking role (and its grants at T),
/// and is judged alike: a member who is an admin until T may apply it,
/// and not one whose admin role ends later than theirs (exit 5,
/// nothing changed).
#[test]
fn a_time_bound_admin_applies_an_invitee_until_their_own_end() {
    let p = Portal::new();
    p.member("max@acme.test", "manager");
    p.ok(&["user", "set-role", "max@acme.test", "admin", "--until", T]);
    let max = Some("max@acme.test");
    let dir = crate::support::scratch_dir();
    let file = |until: &str| {
        let path = dir
            .path()
            .join(format!("invite-{}.json", until.replace(':', "")));
        std::fs::write(
            &path,
            format!(
                r#"{{"accounts": [{{"name": "{ACCOUNT}", "users": [
                    {{"email": "bob@acme.test", "role": "admin", "status": "invited",
                      "role_until": "{until}", "role_after": "no-access"}}]}}]}}"#
            ),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    let later = file("2026-12-24T00:00:00Z");
    let before = p.dump();
    let err = p.refused_as(max, &["apply", &later], DENIED);
    says(&err, &format!("from {T} it includes capabilities"));
    assert_eq!(p.dump(), before);
    let until_t = file(T);
    p.json_as(max, &["apply", &until_t]);
    let v = p.json(&["user", "show", "bob@acme.test"]);
    assert_eq!(
        (&v["status"], &v["role"], &v["role_until"], &v["role_after"]),
        (
            &json!("invited"),
            &json!("admin"),
            &json!(T),
            &json!("no-access")
        )
    );
    // Its token expires by T, as the command's must.
    let expires = p.text("SELECT expires_at FROM invitations ORDER BY id DESC LIMIT 1");
    assert!(expires.as_str() <= T, "{expires}");
}

/// A role held for good has nothing to lapse back to: `set-role` to it
/// with --until is refused (exit 4), saying why and how to end it, and
/// changes nothing. Of one held for a while, --until moves its end.
#[test]
fn set_role_until_to_the_role_held_for_good_is_refused_with_the_way_to_end_it() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    let err = p.refused(
        &["user", "set-role", "ann@acme.test", "user", "--until", T],
        CONFLICT,
    );
    says(&err, "holds `user` for good");
    says(&err, "set-role ann@acme.test no-access");
    p.ok(&["user", "set-role", "ann@acme.test", "manager", "--until", T]);
    let err = p.refused(
        &["user", "set-role", "ann@acme.test", "user", "--until", "2d"],
        CONFLICT,
    );
    says(&err, "`user` for good after it");
    let v = p.json(&[
        "user", "set-role", "ann@acme.test", "manager", "--until", "2d",
    ]);
    assert_eq!(
        (&v["role_until"], &v["role_after"]),
        (&json!("2026-11-27T10:00:00Z"), &json!("user"))
    );
}

/// Ownership is held for good: a new owner whose role was to end at T
/// keeps the owner role with no end, and a warning says the end is gone.
#[test]
fn transferring_ownership_says_the_new_owners_end_is_gone() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.ok(&["user", "set-role", "ann@acme.test", "admin", "--until", T]);
    let run = p.run(&[
        "user", "transfer-ownership", "--to", "ann@acme.test", "--yes",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(
        &run.stderr,
        &format!("warning: `ann@acme.test` held `admin` in `{ACCOUNT}` until {T}"),
    );
    says(&run.stderr, "for good, with no end");
}

/// A member whose own admin role ends at T may make an admin a user for
/// a while, past T: the admin role they hold for good coming back sooner
/// gives nothing. The same end is accepted whichever order its ends were
/// set in (a longer one, then a shorter; or the reverse), and is what
/// asking it at once leaves.
#[test]
fn a_time_bound_demotion_is_judged_by_its_end_not_the_order_of_its_steps() {
    let (mid, later) = ("2026-12-10T00:00:00Z", "2026-12-24T00:00:00Z");
    let after = |steps: &[&str]| {
        let p = Portal::new();
        p.member("max@acme.test", "manager");
        p.member("bob@acme.test", "admin");
        p.ok(&["user", "set-role", "max@acme.test", "admin", "--until", T]);
        for until in steps {
            let run = p.run_as(
                Some("max@acme.test"),
                &[
                    "user", "set-role", "bob@acme.test", "user", "--until", until,
                ],
            );
            assert_eq!(run.code, 0, "until {until} after {steps:?}: {}", run.stderr);
        }
        let bob = p.json(&["user", "show", "bob@acme.test"]);
        (
            bob["role"].clone(),
            bob["role_until"].clone(),
            bob["role_after"].clone(),
        )
    };
    let shorter_last = after(&[later, mid]);
    assert_eq!(shorter_last, (json!("user"), json!(mid), json!("admin")));
    assert_eq!(shorter_last, after(&[mid]));
    assert_eq!(after(&[mid, later]), after(&[later]));
}

/// A member blocked until T gets access back at T: `user show` calls the
/// moment the first lapse, not the end of their access.
#[test]
fn a_time_bound_block_shows_when_it_lapses_not_an_end_of_access() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.ok(&[
        "user", "set-role", "ann@acme.test", "no-access", "--until", T,
    ]);
    let shown = p.ok(&["user", "show", "ann@acme.test"]);
    says(&shown, &format!("role until    {T}, then `user`"));
    says(&shown, &format!("first lapse   {T}"));
    assert!(!shown.contains("access ends"), "{shown}");
}

/// A contractor whose access ended before they accepted gets no fresh
/// token "as no-access": resend is refused (exit 4) saying how to give the
/// access again, and goes through once it is given.
#[test]
fn resending_after_the_access_ended_is_refused() {
    let p = Portal::new();
    p.ok(&[
        "user", "invite", "dd@acme.test", "--role", "user", "--until", "3d", "--expires-in", "2d",
        "--no-send",
    ]);
    let later = at("2026-12-03T10:00:00Z");
    let run = p.run_with(&["user", "resend-invite", "dd@acme.test"], &later);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    says(
        &run.stderr,
        "access to `Acme Ltd` ended at 2026-11-28T10:00:00Z",
    );
    says(
        &run.stderr,
        "portalctl user set-role dd@acme.test ROLE --until T",
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let outbox = p.text("SELECT COUNT(*) FROM outbox");
    assert_eq!(outbox, "0");
    let run = p.run_with(
        &[
            "user", "set-role", "dd@acme.test", "user", "--until", "2026-12-06T00:00:00Z",
        ],
        &later,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let resent = p.run_with(&["user", "resend-invite", "dd@acme.test", "--json"], &later);
    assert_eq!(resent.code, 0, "{}", resent.stderr);
    let v: Value = serde_json::from_str(&resent.stdout).unwrap();
    assert_eq!(v["expires_at"], "2026-12-06T00:00:00Z");
}

/// As of a moment before the acceptance, `user show --at` shows no
/// acceptance time; a second 60 is refused (exit 2) where a time is read.
#[test]
fn a_past_view_has_no_later_acceptance_and_second_60_is_refused() {
    let p = Portal::new();
    let token = p.invite("zed@acme.test", "user", ACCOUNT);
    let run = p.run_with(&["user", "accept", &token], &at(T));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let then = json_at(
        &p,
        AFTER_T,
        &["user", "show", "zed@acme.test", "--at", BEFORE_T],
    );
    assert_eq!(then["status"], "invited", "{then}");
    assert!(then["accepted_at"].is_null(), "{then}");
    let now = json_at(
        &p,
        AFTER_T,
        &["user", "show", "zed@acme.test", "--at", AFTER_T],
    );
    assert_eq!(now["accepted_at"], T, "{now}");
    let err = p.refused(
        &[
            "user", "set-role", "zed@acme.test", "manager", "--until", "2026-12-01T00:00:60Z",
        ],
        USAGE,
    );
    says(&err, "second 60");
    assert_eq!(
        p.text("SELECT role_until IS NULL FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.email = 'zed@acme.test'"),
        "1"
    );
}

/// An older version stored a second 60 as written. Such a row still
/// reads, as the instant it always compared as, so that it can be set
/// right.
#[test]
fn a_second_60_an_older_version_stored_reads_as_the_next_minute() {
    let p = Portal::init("portal");
    p.member("una@acme.test", "user");
    p.ok(&[
        "user", "set-role", "una@acme.test", "manager", "--until", "2030-12-01T00:01:00Z",
    ]);
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.execute(
        "UPDATE memberships SET role_until = '2030-12-01T00:00:60Z' WHERE role_until IS NOT NULL",
        [],
    )
    .unwrap();
    let shown = p.json(&["user", "show", "una@acme.test"]);
    assert_eq!(shown["role_until"], "2030-12-01T00:01:00Z", "{shown}");
    p.ok(&[
        "user", "set-role", "una@acme.test", "manager", "--until", "2030-12-02",
    ]);
    assert_eq!(
        p.text("SELECT role_until FROM memberships WHERE role_until IS NOT NULL"),
        "2030-12-02T00:00:00Z"
    );
}

/// `--status deactivated|revoked` and `--expiring` are judged by the
/// list's query, so `--limit` takes the first that match, exactly: a
/// revoked invitee is not `deactivated`, nor a plain deactivated member
/// `revoked`, and access lapsing later than the window is not listed.
#[test]
fn user_list_filters_by_revoked_deactivated_and_expiring_up_to_the_limit() {
    let p = Portal::with_preset("customer-area");
    for who in ["ann", "bob", "cy", "dee"] {
        p.member(&format!("{who}@acme.test"), "member");
    }
    for who in ["ann", "cy"] {
        p.ok(&[
            "user",
            "deactivate",
            &format!("{who}@acme.test"),
            "--account",
            ACCOUNT,
            "--yes",
        ]);
    }
    for who in ["aly", "eve"] {
        p.invite(&format!("{who}@acme.test"), "member", ACCOUNT);
        p.ok(&[
            "user",
            "revoke-invite",
            &format!("{who}@acme.test"),
            "--account",
            ACCOUNT,
            "--yes",
        ]);
    }
    p.ok(&[
        "user", "grant", "bob@acme.test", "billing", "--until", "10d",
    ]);
    p.ok(&["user", "grant", "dee@acme.test", "billing", "--until", "3d"]);
    let emails = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["user", "list"];
        all.extend_from_slice(args);
        p.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["email"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        emails(&["--status", "deactivated"]),
        ["ann@acme.test", "cy@acme.test"]
    );
    assert_eq!(
        emails(&["--status", "deactivated", "--limit", "1"]),
        ["ann@acme.test"]
    );
    assert_eq!(
        emails(&["--status", "revoked"]),
        ["aly@acme.test", "eve@acme.test"]
    );
    assert_eq!(
        emails(&["--status", "revoked", "--limit", "1"]),
        ["aly@acme.test"]
    );
    assert_eq!(
        emails(&["--expiring", "30d", "--limit", "1"]),
        ["bob@acme.test"]
    );
    assert_eq!(emails(&["--expiring", "7d"]), ["dee@acme.test"]);
    assert_eq!(
        emails(&["--expiring", "30d", "--status", "active"]),
        ["bob@acme.test", "dee@acme.test"]
    );
}

/// Issue 11: a member whose role lapses to the blocking role at T holds
/// no service from T, as one blocked by hand holds none: a service given
/// them ends at T (the answer says so), and no list, show or export reads
/// it held at T. An external admin whose access is made to end at T
/// keeps the customer's services only until T, and is told so.
#[test]
fn services_end_when_access_lapses_to_nothing() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.ok(&["user", "set-role", "ann@acme.test", "no-access"]);
    p.ok(&["user", "set-role", "ann@acme.test", "user", "--until", T]);
    p.ok(&["service", "add", "--name", "Line"]);
    let v = p.json(&["service", "assign", "Line", "--to", "ann@acme.test"]);
    assert_eq!(
        (&v["assigned_to"], &v["assigned_until"]),
        (&json!("ann@acme.test"), &json!(T))
    );
    assert_eq!(
        json_at(&p, BEFORE_T, &["service", "show", "Line"])["assigned_to"],
        "ann@acme.test"
    );
    for t in [T, AFTER_T] {
        assert_eq!(
            json_at(&p, t, &["service", "show", "Line"])["assigned_to"],
            Value::Null
        );
        let list = json_at(&p, t, &["service", "list"]);
        assert_eq!(list[0]["assigned_to"], Value::Null, "{list}");
        let export = p.run_with(&["export"], &at(t));
        assert_eq!(export.code, 0, "{}", export.stderr);
        assert!(
            !export.stdout.contains("\"assigned_to\""),
            "{}",
            export.stdout
        );
    }

    let p = msp_with_a_customer();
    let add = |until: &[&str]| {
        let mut args = vec![
            "external-admin", "add", "--customer", "Client Co", "--email", "uma@acme.test",
            "--role", "msp-user",
        ];
        args.extend_from_slice(until);
        p.run(&args)
    };
    assert_eq!(add(&[]).code, 0);
    p.ok(&["service", "add", "--name", "Line", "--account", "Client Co"]);
    p.ok(&[
        "service", "assign", "Line", "--to", "uma@acme.test", "--account", "Client Co",
    ]);
    let run = add(&["--until", T]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(
        &run.stderr,
        &format!("warning: 1 service assigned to `uma@acme.test` in `Client Co` is unassigned at {T}, when their access ends"),
    );
    let event = p.last_event();
    assert_eq!(
        (
            &event["action"],
            &event["target"],
            &event["after"]["assigned_until"]
        ),
        (&json!("service.assign"), &json!("Line"), &json!(T)),
        "{event}"
    );
    let show = |t: &str| {
        json_at(
            &p,
            t,
            &["service", "show", "Line", "--account", "Client Co"],
        )["assigned_to"]
            .clone()
    };
    assert_eq!(
        (show(BEFORE_T), show(T)),
        (json!("uma@acme.test"), Value::Null)
    );
}

/// Issue 11: services assigned before the rule to a member whose role
/// lapses to the blocking role are brought under it when the database is
/// migrated: none reads as held at T, though the lapse had set no end
/// on them; the owner's, who holds everything, are left as they were.
#[test]
fn services_assigned_before_the_rule_end_with_the_access_too() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.ok(&["user", "set-role", "ann@acme.test", "no-access"]);
    p.ok(&["user", "set-role", "ann@acme.test", "user", "--until", T]);
    for name in ["Line", "Desk"] {
        p.ok(&["service", "add", "--name", name]);
    }
    p.ok(&["service", "assign", "Line", "--to", "ann@acme.test"]);
    p.ok(&["service", "assign", "Desk", "--to", OWNER]);
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    rewind(&conn, version_before("0037_services_end_with_access.sql"));
    conn.execute("UPDATE services SET assigned_until = NULL", [])
        .unwrap();
    drop(conn);
    let show = |t: &str, name: &str| json_at(&p, t, &["service", "show", name]);
    let line = show(BEFORE_T, "Line");
    assert_eq!(
        (&line["assigned_to"], &line["assigned_until"]),
        (&json!("ann@acme.test"), &json!(T))
    );
    assert_eq!(show(T, "Line")["assigned_to"], Value::Null);
    let desk = show(AFTER_T, "Desk");
    assert_eq!(
        (&desk["assigned_to"], &desk["assigned_until"]),
        (&json!(OWNER), &Value::Null)
    );
}
