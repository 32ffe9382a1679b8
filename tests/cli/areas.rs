//! The `customer-area` preset (seed 004): per-area grants, the owner's full
//! access, reused logins, and the answers to the seed's troubleshooting.

use std::collections::BTreeSet;

use serde_json::json;

use crate::support::{says, strings, Portal, ACCOUNT, CONFLICT, DENIED, OWNER, SUCCESS};

const AREAS: [&str; 5] = ["services", "domains", "billing", "support", "account-admin"];

/// The customer-area catalog as a file of one's own that opts in to
/// granting single capabilities as well as areas (`"grants":
/// "capabilities"`).
fn with_capabilities() -> Portal {
    let shipped = include_str!("../../src/presets/customer-area.json");
    let text = shipped
        .replace(
            r#""name": "customer-area""#,
            r#""name": "customer-area-plus""#,
        )
        .replace(r#""grants": "areas""#, r#""grants": "capabilities""#);
    assert_ne!(text, shipped);
    Portal::with_catalog("customer-area-plus", &text)
}

/// The capabilities of the role `member` and of each area, from `preset
/// show`.
fn preset_data(p: &Portal) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let v = p.json(&["preset", "show", "customer-area"]);
    let member = v["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "member")
        .unwrap();
    let areas = v["grant_bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap().to_string(),
                strings(&b["capabilities"]),
            )
        })
        .collect();
    (strings(&member["capabilities"]), areas)
}

fn capabilities(p: &Portal, email: &str) -> BTreeSet<String> {
    strings(&p.json(&["user", "show", email])["capabilities"])
        .into_iter()
        .collect()
}

#[test]
fn a_members_capabilities_are_the_union_of_role_and_areas() {
    let p = Portal::with_preset("customer-area");
    let (role, areas) = preset_data(&p);
    assert_eq!(
        areas.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        AREAS
    );
    // Each area alone, then all of them together.
    for (i, (area, caps)) in areas.iter().enumerate() {
        let email = format!("m{i}@acme.test");
        p.member(&email, "member");
        p.ok(&["user", "grant", &email, area]);
        let want: BTreeSet<String> = role.iter().chain(caps).cloned().collect();
        assert_eq!(capabilities(&p, &email), want, "area `{area}`");
        for cap in caps {
            let can = p.can(&[&email, cap]);
            assert_eq!(can["allowed"], true, "{area}: {cap}");
            assert_eq!(can["reason"], format!("granted by area `{area}`"));
        }
    }
    p.member("all@acme.test", "member");
    p.ok(&["user", "grant", "all@acme.test", &AREAS.join(",")]);
    let mut want: BTreeSet<String> = role.iter().cloned().collect();
    for (_, caps) in &areas {
        want.extend(caps.iter().cloned());
    }
    assert_eq!(capabilities(&p, "all@acme.test"), want);
    // What neither the role nor a grant gives stays refused.
    let can = p.can(&["all@acme.test", "orders.approve"]);
    assert_eq!(can["allowed"], false);
    // Revoking an area takes exactly its capabilities away.
    p.ok(&["user", "revoke", "all@acme.test", "billing"]);
    assert!(!capabilities(&p, "all@acme.test").contains("billing.payment"));
    assert!(capabilities(&p, "all@acme.test").contains("domains.manage"));
}

/// 004: "Permissions can include access to, among other things: Services,
/// Domains, Billing, Support requests, Account administration": the
/// catalog grants its areas, not single capabilities (exit 4, naming the
/// rule and the area that gives it), in `user grant` as in `user invite`.
#[test]
fn customer_area_grants_its_areas_not_single_capabilities() {
    let p = Portal::with_preset("customer-area");
    p.member("ann@acme.test", "member");
    let err = p.refused(
        &["user", "grant", "ann@acme.test", "billing.view"],
        CONFLICT,
    );
    says(
        &err,
        "the `customer-area` catalog grants areas, not single capabilities: `billing.view` cannot be granted on top of a role",
    );
    says(&err, "help: grant an area that includes it: billing");
    // One refused grant in a list refuses the others too.
    p.refused(
        &["user", "grant", "ann@acme.test", "billing,alerts.manage"],
        CONFLICT,
    );
    let err = p.refused(
        &[
            "user", "invite", "--email", "bo@acme.test", "--name", "Bo", "--role", "member",
            "--grant", "support,tickets.view",
        ],
        CONFLICT,
    );
    says(&err, "`tickets.view` cannot be granted on top of a role");
    assert_eq!(
        p.json(&["user", "show", "ann@acme.test"])["grants"],
        json!([])
    );
}

/// A catalog of one's own that opts in (`"grants": "capabilities"`) grants
/// single capabilities beside its areas.
#[test]
fn a_catalog_that_opts_in_grants_single_capabilities_too() {
    let p = with_capabilities();
    p.member("all@acme.test", "member");
    p.ok(&["user", "grant", "all@acme.test", "billing,alerts.manage"]);
    assert_eq!(
        p.can(&["all@acme.test", "alerts.manage"])["reason"],
        "granted directly"
    );
    assert_eq!(
        p.can(&["all@acme.test", "billing.view"])["reason"],
        "granted by area `billing`"
    );
    assert_eq!(
        p.json(&["preset", "show", "customer-area"])["grants"],
        "areas"
    );
}

#[test]
fn user_show_says_which_area_granted_what() {
    let p = with_capabilities();
    p.member("ann@acme.test", "member");
    p.ok(&["user", "grant", "ann@acme.test", "billing,domains.manage"]);
    let v = p.json(&["user", "show", "ann@acme.test"]);
    assert_eq!(v["grants"], json!(["billing", "domains.manage"]));
    assert_eq!(
        v["grant_details"],
        json!([
            {"name": "billing", "area": true,
             "capabilities": ["billing.view", "billing.payment"], "expires_at": null},
            {"name": "domains.manage", "area": false,
             "capabilities": ["domains.manage"], "expires_at": null}
        ])
    );
    let table = p.ok(&["user", "show", "ann@acme.test"]);
    assert!(
        table.contains("area billing: billing.view, billing.payment"),
        "{table}"
    );
    // Lists stay short: only `user show` carries the details.
    let list = p.json(&["user", "list"]);
    let ann = list
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "ann@acme.test")
        .unwrap_or_else(|| panic!("ann is not listed: {list}"));
    assert_eq!(ann["grants"], json!(["billing", "domains.manage"]));
    assert!(ann.get("grant_details").is_none(), "{ann}");
}

#[test]
fn grants_count_for_nothing_in_the_blocking_role_or_while_not_active() {
    let p = Portal::with_preset("customer-area");
    let nothing = BTreeSet::new();
    // Invited with areas, not accepted yet.
    let v = p.json(&[
        "user", "invite", "--email", "ivy@acme.test", "--name", "Ivy", "--role", "member",
        "--grant", "billing,support",
    ]);
    assert_eq!(v["grants"], json!(["billing", "support"]));
    assert_eq!(capabilities(&p, "ivy@acme.test"), nothing);
    let can = p.can(&["ivy@acme.test", "billing.view"]);
    assert_eq!(can["allowed"], false);
    assert!(can["reason"].as_str().unwrap().contains("invited"), "{can}");
    // Active with the blocking role.
    p.member("bo@acme.test", "member");
    p.ok(&["user", "grant", "bo@acme.test", "account-admin"]);
    p.ok(&["user", "set-role", "bo@acme.test", "no-access"]);
    assert_eq!(capabilities(&p, "bo@acme.test"), nothing);
    assert_eq!(
        p.can(&["bo@acme.test", "users.manage"])["reason"],
        "role `no-access` blocks all access"
    );
    let err = p.refused_as(
        Some("bo@acme.test"),
        &[
            "user", "invite", "--email", "x@acme.test", "--name", "X", "--role", "member",
        ],
        DENIED,
    );
    assert!(err.contains("no-access"), "{err}");
    // Deactivated, and left.
    for (email, command, why) in [
        ("dee@acme.test", "deactivate", "deactivated"),
        ("lee@acme.test", "left-company", "left"),
    ] {
        p.member(email, "member");
        p.ok(&["user", "grant", email, "billing"]);
        p.ok(&["user", command, "--yes", email]);
        assert_eq!(capabilities(&p, email), nothing, "{email}");
        let can = p.can(&[email, "billing.view"]);
        assert_eq!(can["allowed"], false);
        assert!(can["reason"].as_str().unwrap().contains(why), "{can}");
        // The grants are kept for when they come back.
        assert_eq!(
            p.json(&["user", "show", email])["grants"],
            json!(["billing"])
        );
        p.ok(&["user", "activate", email]);
        assert!(
            capabilities(&p, email).contains("billing.payment"),
            "{email}"
        );
    }
}

#[test]
fn the_account_owner_always_has_full_access() {
    let p = Portal::with_preset("customer-area");
    // Grants given to and taken from the owner change nothing.
    p.ok(&["user", "grant", OWNER, "billing"]);
    p.ok(&["user", "revoke", OWNER, "billing"]);
    assert_eq!(capabilities(&p, OWNER).len(), 37);
    // A `member` with no grant at all, made the owner, holds the owner
    // role and so everything.
    p.member("ann@acme.test", "member");
    p.ok(&[
        "user", "transfer-ownership", "--to", "ann@acme.test", "--yes",
    ]);
    let v = p.json(&["user", "show", "ann@acme.test"]);
    assert_eq!(v["role"], "owner");
    assert_eq!(v["grants"], json!([]));
    assert_eq!(v["capabilities"].as_array().unwrap().len(), 37);
    for cap in ["billing.payment", "users.manage", "domains.manage"] {
        let can = p.can(&["ann@acme.test", cap]);
        assert_eq!(
            (can["allowed"].as_bool(), can["reason"].as_str()),
            (Some(true), Some("account owner: holds every capability")),
            "{cap}"
        );
    }
    let v = p.json_as(
        Some("ann@acme.test"),
        &[
            "user", "invite", "--email", "bob@acme.test", "--name", "Bob", "--role", "member",
            "--grant", "billing",
        ],
    );
    assert_eq!(v["grants"], json!(["billing"]));
}

#[test]
fn inviting_someone_with_a_login_elsewhere_reuses_it() {
    let p = Portal::with_preset("customer-area");
    p.ok(&["account", "create", "Second Ltd", "--kind", "customer"]);
    p.member("ann@acme.test", "member");
    let people = p.query("SELECT COUNT(*) FROM people");
    let v = p.json(&[
        "user", "invite", "--email", " Ann@ACME.test ", "--role", "member", "--grant", "support",
        "--account", "Second Ltd",
    ]);
    assert_eq!(v["existing_login"], true);
    assert_eq!(v["name"], "ann", "the identity is reused, name and all");
    assert_eq!(
        p.query("SELECT COUNT(*) FROM people"),
        people,
        "no second identity"
    );
    // A new membership (and an invitation to accept it), nothing else.
    assert_eq!(
        p.text("SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.email = 'ann@acme.test'"),
        "2"
    );
    let body = p.text("SELECT body FROM outbox ORDER BY id DESC LIMIT 1");
    assert!(body.contains("existing login"), "{body}");
    // Accepting the new membership leaves the first one as it was.
    let first = p.json(&["user", "show", "ann@acme.test", "--account", ACCOUNT]);
    p.ok(&["user", "accept", v["token"].as_str().unwrap()]);
    assert_eq!(
        p.json(&["user", "show", "ann@acme.test", "--account", ACCOUNT]),
        first
    );
    let second = p.json(&["user", "show", "ann@acme.test", "--account", "Second Ltd"]);
    assert_eq!(second["status"], "active");
    assert_eq!(second["grants"], json!(["support"]));
    // Someone new is no existing login.
    let v = p.json(&[
        "user", "invite", "--email", "new@acme.test", "--name", "New", "--role", "member",
        "--account", ACCOUNT,
    ]);
    assert_eq!(v["existing_login"], false);
}

// ---------------------------------------------------------------- troubleshooting

fn with_admins() -> Portal {
    Portal::cached("areas: with_admins", build_with_admins)
}

fn build_with_admins() -> Portal {
    let p = Portal::with_preset("customer-area");
    p.member("max@acme.test", "member");
    p.ok(&["user", "grant", "max@acme.test", "account-admin"]);
    p.member("bob@acme.test", "member");
    p
}

#[test]
fn i_cannot_invite_new_users_says_who_can_and_what_is_missing() {
    let p = with_admins();
    let err = p.refused_as(
        Some("bob@acme.test"),
        &[
            "user", "invite", "--email", "zoe@acme.test", "--name", "Zoe", "--role", "member",
        ],
        DENIED,
    );
    let (line, help) = (
        err.lines().next().unwrap(),
        err.lines().nth(1).unwrap_or(""),
    );
    for part in [
        "`bob@acme.test` may not manage users (invite",
        "`Acme Ltd`",
        "needs `users.manage`",
        "role `member` does not include it",
    ] {
        assert!(line.contains(part), "{part:?} in {err}");
    }
    for part in [
        "`owner@acme.test` (the owner) and `max@acme.test` hold `users.manage`",
        "area `account-admin`",
    ] {
        assert!(
            help.starts_with("help: ") && help.contains(part),
            "{part:?} in {err}"
        );
    }
    // Once given the area, bob can.
    p.ok(&["user", "grant", "bob@acme.test", "account-admin"]);
    p.json_as(
        Some("bob@acme.test"),
        &[
            "user", "invite", "--email", "zoe@acme.test", "--name", "Zoe", "--role", "member",
        ],
    );
}

#[test]
fn i_cannot_find_user_management_says_who_can_and_what_is_missing() {
    let p = with_admins();
    let err = p.refused_as(Some("bob@acme.test"), &["user", "list"], DENIED);
    assert!(
        err.contains("may not see the account's users") && err.contains("needs `users.view`"),
        "{err}"
    );
    assert!(
        err.contains("`owner@acme.test` (the owner)") && err.contains("area `account-admin`"),
        "{err}"
    );
    let help = p.ok(&["--help"]);
    assert!(help.contains("User management"), "{help}");
}

#[test]
fn the_user_is_not_receiving_the_invitation_points_at_spam_and_resend() {
    let p = Portal::with_preset("customer-area");
    let run = p.run(&[
        "user", "invite", "--email", "ann@acme.test", "--name", "Ann", "--role", "member",
    ]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    // Notes go to a terminal only; the command's help carries the answer.
    let help = p.ok(&["user", "resend-invite", "--help"]);
    assert!(help.contains("junk mail or spam"), "{help}");
    let v = p.json(&["user", "resend-invite", "ann@acme.test"]);
    assert_eq!(v["email_queued"], true);
    assert_eq!(p.query("SELECT COUNT(*) FROM outbox"), "Integer(2)");
}

#[test]
fn handing_out_an_area_one_does_not_hold_names_what_is_missing() {
    let p = with_admins();
    let err = p.refused_as(
        Some("max@acme.test"),
        &["user", "grant", "bob@acme.test", "billing"],
        DENIED,
    );
    assert!(
        err.contains("billing.view") && err.contains("billing.payment"),
        "{err}"
    );
    assert!(err.contains("owner"), "{err}");
}

/// 004: account administration is an area of its own, apart from billing
/// and services. A member given only it manages users and reads their
/// log, but the log does not show them the orders, payment details and
/// services they are refused directly, in `audit list` or `user history`.
#[test]
fn account_administration_reads_no_billing_orders_or_services_in_the_log() {
    let p = Portal::with_preset("customer-area");
    const ADA: &str = "ada@acme.test";
    const BILL: &str = "bill@acme.test";
    p.member(ADA, "member");
    p.ok(&["user", "grant", ADA, "account-admin"]);
    p.member(BILL, "member");
    p.ok(&[
        "account", "payment", "set", "--method", "direct-debit", "--iban", "GB82WEST12345698765432",
    ]);
    p.ok(&[
        "order", "place", "--description", "Confidential", "--amount", "9999.00",
    ]);
    p.ok(&["service", "add", "--name", "Web hosting"]);
    p.ok(&["service", "assign", "Web hosting", "--to", BILL]);
    p.ok(&["user", "deactivate", "--yes", BILL, "--unassign"]);
    // Refused directly...
    p.refused_as(Some(ADA), &["order", "list"], DENIED);
    p.refused_as(Some(ADA), &["account", "payment", "show"], DENIED);
    // ...and not in the log either.
    let log = p.run_as(Some(ADA), &["audit", "list", "--format", "ndjson"]);
    assert_eq!(log.code, SUCCESS, "{}", log.stderr);
    for secret in [
        "Confidential", "9999.00", "5432", "direct-debit", "Web hosting",
    ] {
        assert!(!log.stdout.contains(secret), "{secret} in: {}", log.stdout);
    }
    assert!(log.stdout.contains("user.deactivate"), "{}", log.stdout);
    let history = p.json_as(Some(ADA), &["user", "history", BILL]).to_string();
    assert!(!history.contains("Web hosting"), "{history}");
    // The owner reads all of it.
    let log = p.run_as(Some(OWNER), &["audit", "list", "--format", "ndjson"]);
    for secret in ["Confidential", "5432", "Web hosting"] {
        assert!(log.stdout.contains(secret), "{secret} in: {}", log.stdout);
    }
    let history = p
        .json_as(Some(OWNER), &["user", "history", BILL])
        .to_string();
    assert!(history.contains("Web hosting"), "{history}");
}

/// Only the owner's role carries `policies.manage` here, and nobody can be
/// given it: the refusal's help says who can do it, and offers no giving.
#[test]
fn a_refusal_offers_no_giving_of_what_only_the_owners_role_carries() {
    let p = Portal::with_preset("customer-area");
    p.member("ann@acme.test", "member");
    p.ok(&["user", "grant", "ann@acme.test", "account-admin"]);
    let err = p.refused_as(
        Some("ann@acme.test"),
        &["policy", "create", "--name", "Big", "--threshold", "50"],
        DENIED,
    );
    let help = err.lines().nth(1).unwrap_or("");
    assert!(!help.contains("give it to you"), "{err}");
    says(
        help,
        &format!("`{OWNER}` (the owner) holds `policies.manage` in `{ACCOUNT}` and can do it, but nobody can be given it: it comes only with role `owner`, which is the owner's alone"),
    );
}
