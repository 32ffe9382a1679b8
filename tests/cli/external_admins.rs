//! Seed 002 (MSP portal): external administrators. An MSP administrator
//! gives a member of the partner a role on a customer's account; that
//! access ends when the person is deactivated in, or leaves, the partner.

use serde_json::json;

use crate::support::{
    error_line, says, scratch_dir, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, OWNER, SUCCESS,
    USAGE,
};

const CUSTOMER: &str = "Client Co";
const ADA: &str = "ada@acme.test";
const BEN: &str = "ben@acme.test";
const UMA: &str = "uma@acme.test";

/// `Acme Ltd` (msp) with two MSP administrators, an MSP user and a
/// customer `Client Co` that has no members of its own.
fn msp() -> Portal {
    Portal::cached("external_admins: msp", build_msp)
}

fn build_msp() -> Portal {
    let p = Portal::with_preset("msp");
    p.member(ADA, "msp-administrator");
    p.member(BEN, "msp-administrator");
    p.member(UMA, "msp-user");
    p.customer(CUSTOMER);
    p
}

fn add<'a>(email: &'a str, role: &'a str) -> Vec<&'a str> {
    vec![
        "external-admin", "add", "--customer", CUSTOMER, "--email", email, "--role", role,
    ]
}

fn remove(email: &str) -> Vec<&str> {
    vec![
        "external-admin", "remove", "--yes", "--customer", CUSTOMER, "--email", email,
    ]
}

fn status_in_customer(p: &Portal, email: &str) -> String {
    p.text(&format!(
        "SELECT status FROM memberships WHERE person_id = (SELECT id FROM people WHERE email = '{email}') \
         AND account_id = (SELECT id FROM accounts WHERE name = '{CUSTOMER}')"
    ))
}

#[test]
fn an_msp_administrator_adds_an_external_admin_who_uses_their_existing_login() {
    let p = msp();
    let v = p.json_as(Some(ADA), &add(BEN, "msp-administrator"));
    assert_eq!(
        (
            v["account"].as_str(),
            v["role"].as_str(),
            v["status"].as_str(),
            v["external_from"].as_str()
        ),
        (
            Some(CUSTOMER),
            Some("msp-administrator"),
            Some("active"),
            Some(ACCOUNT)
        )
    );
    // No invitation: the same person, active at once.
    assert_eq!(
        p.text("SELECT COUNT(*) FROM people WHERE email = 'ben@acme.test'"),
        "1"
    );
    assert_eq!(p.text("SELECT COUNT(*) FROM invitations"), "3");
    assert_eq!(
        p.text(&format!(
            "SELECT external_from = (SELECT id FROM accounts WHERE name = '{ACCOUNT}') FROM memberships \
             WHERE account_id = (SELECT id FROM accounts WHERE name = '{CUSTOMER}')"
        )),
        "1"
    );
    let audit = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(
        (
            audit[0]["action"].as_str(),
            audit[0]["actor"].as_str(),
            audit[0]["account"].as_str()
        ),
        (Some("external_admin.add"), Some(ADA), Some(CUSTOMER))
    );
    // Ben now administers the customer's console: he can add a further
    // partner administrator ("add further partner administrators").
    p.json_as(Some(BEN), &add(UMA, "msp-user"));
    p.json_as(
        Some(BEN),
        &[
            "user", "invite", "--email", "it@client.test", "--name", "Client IT", "--role",
            "msp-user", "--account", CUSTOMER,
        ],
    );
    let list = p.json_as(
        Some(ADA),
        &["external-admin", "list", "--customer", CUSTOMER],
    );
    let who: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(who, [(BEN, "msp-administrator"), (UMA, "msp-user")]);
    let shown = p.ok(&["user", "show", BEN, "--account", CUSTOMER]);
    assert!(shown.contains("external from  Acme Ltd"), "{shown}");
}

#[test]
fn adding_again_with_another_role_changes_the_role() {
    let p = msp();
    p.ok(&add(BEN, "msp-user"));
    let v = p.json(&add(BEN, "msp-administrator"));
    assert_eq!(v["role"], "msp-administrator");
    let err = p.refused(&add(BEN, "msp-administrator"), CONFLICT);
    assert!(err.contains("already an external admin"), "{err}");
}

/// 002: "add further partner administrators": an external admin is one of
/// the partner's administrators, holding no more on a customer than in
/// the partner. An MSP user is not made a customer's administrator, by
/// `external-admin add` or by a role given on the customer, and a partner
/// administrator made a user keeps no administrator's access to the
/// partner's customers.
#[test]
fn an_external_admin_holds_no_more_on_a_customer_than_in_the_partner() {
    let p = msp();
    let before = p.dump();
    let err = p.refused(&add(UMA, "msp-administrator"), CONFLICT);
    says(&err, "`uma@acme.test`'s role `msp-administrator` on `Client Co` would give capabilities they do not hold in `Acme Ltd` (");
    says(&err, "give them that role in `Acme Ltd` first");
    assert_eq!(p.dump(), before, "a refusal changes nothing");
    p.ok(&add(UMA, "msp-user"));
    p.ok(&add(BEN, "msp-administrator"));
    p.refused_as(
        Some(BEN),
        &[
            "user", "set-role", UMA, "msp-administrator", "--account", CUSTOMER,
        ],
        CONFLICT,
    );
    assert_eq!(
        p.json(&["user", "show", UMA, "--account", CUSTOMER])["role"],
        "msp-user"
    );
    // Promoted in the partner first, then on the customer: allowed.
    p.ok(&[
        "user", "set-role", UMA, "msp-administrator", "--account", ACCOUNT,
    ]);
    p.ok(&add(UMA, "msp-administrator"));
    // Made a user again in the partner: the administrator's access to the
    // customer ends with it, in the same change, and the customer's log
    // says so.
    let v = p.json_as(
        Some(ADA),
        &["user", "set-role", UMA, "msp-user", "--account", ACCOUNT],
    );
    assert_eq!(v["external_ended"][0]["customer"], CUSTOMER, "{v}");
    assert_eq!(status_in_customer(&p, UMA), "deactivated");
    let theirs = p.json(&["audit", "list", "--account", CUSTOMER, "--limit", "1"]);
    assert_eq!(theirs[0]["action"], "external_admin.remove", "{theirs}");
    assert_eq!(
        p.can(&[UMA, "users.manage", "--account", CUSTOMER])["allowed"],
        false
    );
}

#[test]
fn only_holders_of_external_admins_manage_add_external_admins() {
    let p = msp();
    let err = p.refused_as(Some(UMA), &add(UMA, "msp-user"), DENIED);
    assert!(err.contains("external_admins.manage"), "{err}");
    p.ok(&add(BEN, "msp-administrator"));
    p.refused_as(Some(UMA), &remove(BEN), DENIED);
    p.refused_as(
        Some(UMA),
        &["external-admin", "list", "--customer", CUSTOMER],
        DENIED,
    );
    p.refused_as(Some(UMA), &["external-admin", "list"], DENIED);
    // A member of the customer without `external_admins.manage` there is
    // refused in the customer's words.
    p.member_in("carl@client.test", "msp-user", CUSTOMER);
    let err = p.refused_as(Some("carl@client.test"), &add(UMA, "msp-user"), DENIED);
    assert!(
        err.contains("may not add external admins in `Client Co`"),
        "{err}"
    );
}

/// 002, "Add External Admin" step 1: "Log in to the customer's
/// Administration Console using the account details provided when the
/// account was created", then steps 4-6 add the external admin.
#[test]
fn the_customers_console_login_adds_external_admins_from_the_partner() {
    let p = msp();
    p.member_in("cara@client.test", "msp-administrator", CUSTOMER);
    let v = p.json_as(Some("cara@client.test"), &add(UMA, "msp-user"));
    assert_eq!(
        (v["role"].as_str(), v["external_from"].as_str()),
        (Some("msp-user"), Some(ACCOUNT))
    );
    assert_eq!(p.last_event()["actor"], "cara@client.test");
    // "Repeat Steps 4 to 6 if additional administrators are required".
    p.json_as(Some("cara@client.test"), &add(BEN, "msp-administrator"));
    // They see who the external admins of their account are, and may end
    // an external admin's access as they gave it.
    let list = p.json_as(
        Some("cara@client.test"),
        &["external-admin", "list", "--customer", CUSTOMER],
    );
    assert_eq!(strings_of(&list, "email"), [BEN, UMA]);
    p.json_as(Some("cara@client.test"), &remove(UMA));
    assert_eq!(status_in_customer(&p, UMA), "deactivated");
    // Only members of the partner can be added: the customer's own people
    // are its members already.
    let err = p.refused_as(
        Some("cara@client.test"),
        &add("cara@client.test", "msp-user"),
        NOT_FOUND,
    );
    assert!(err.contains("Acme Ltd"), "{err}");
    // Nor do they learn how the partner's people stand: invited, gone and
    // never there read alike.
    p.invite("ivy@acme.test", "msp-user", ACCOUNT);
    p.member("leo@acme.test", "msp-user");
    p.ok(&["user", "deactivate", "leo@acme.test", "--yes"]);
    let answers: Vec<String> = ["ivy@acme.test", "leo@acme.test", "nobody@acme.test"]
        .iter()
        .map(|who| {
            p.refused_as(Some("cara@client.test"), &add(who, "msp-user"), NOT_FOUND)
                .replace(who, "E")
        })
        .collect();
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[1], answers[2]);
    // The partner's own administrator is told.
    let err = p.refused_as(Some(ADA), &add("leo@acme.test", "msp-user"), CONFLICT);
    assert!(err.contains("deactivated"), "{err}");
}

/// 002: "Existing partner administrators can single sign-on (SSO) to the
/// customer's Administration Console and add further partner administrators
/// using the Manage External Admin functionality".
#[test]
fn an_external_admin_with_the_right_on_the_customer_adds_further_ones() {
    let p = msp();
    p.member("vic@acme.test", "msp-user");
    p.ok(&add(BEN, "msp-administrator"));
    let v = p.json_as(Some(BEN), &add("vic@acme.test", "msp-user"));
    assert_eq!(v["account"], CUSTOMER);
    assert_eq!(
        p.can(&[BEN, "external_admins.manage", "--account", CUSTOMER, "--as", BEN])["allowed"],
        true
    );
}

/// 002 "Manage External Administrators ... A list of existing external
/// administrators is displayed": for a partner with no customers yet it is
/// an empty list, not a refusal.
#[test]
fn an_msp_administrator_of_a_partner_without_customers_lists_none() {
    let p = Portal::cached("external_admins: msp without customers", || {
        let p = Portal::with_preset("msp");
        p.member(ADA, "msp-administrator");
        p.member(UMA, "msp-user");
        p
    });
    assert_eq!(p.json_as(Some(ADA), &["external-admin", "list"]), json!([]));
    // Someone who could never see any is still refused.
    p.refused_as(Some(UMA), &["external-admin", "list"], DENIED);
}

fn strings_of<'v>(list: &'v serde_json::Value, field: &str) -> Vec<&'v str> {
    list.as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m[field].as_str())
        .collect()
}

#[test]
fn a_member_cannot_give_a_role_beyond_their_own_capabilities() {
    let p = msp();
    p.ok(&[
        "role",
        "create",
        "delegator",
        "--capabilities",
        "external_admins.manage,account.view",
    ]);
    p.ok(&["role", "create", "viewer", "--capabilities", "account.view"]);
    p.member("dee@acme.test", "delegator");
    let err = p.refused_as(
        Some("dee@acme.test"),
        &add(UMA, "msp-administrator"),
        DENIED,
    );
    assert!(
        err.contains("cannot give `uma@acme.test` role `msp-administrator`"),
        "{err}"
    );
    p.refused_as(Some("dee@acme.test"), &add(UMA, "msp-user"), DENIED);
    let v = p.json_as(Some("dee@acme.test"), &add(UMA, "viewer"));
    assert_eq!(v["role"], "viewer");
}

#[test]
fn bad_external_admin_requests_are_refused() {
    let p = msp();
    p.ok(&["account", "create", "Zeta MSP", "--kind", "partner"]);
    p.member_in("zed@zeta.test", "msp-administrator", "Zeta MSP");
    p.ok(&["account", "create", "Loner Ltd", "--kind", "customer"]);
    p.invite("ivy@acme.test", "msp-user", ACCOUNT);
    p.member("dan@acme.test", "msp-user");
    p.ok(&["user", "deactivate", "--yes", "dan@acme.test"]);
    p.member("nora@acme.test", "no-access");
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (add(BEN, "superuser"), USAGE, "unknown role `superuser`"),
        (add(BEN, "no-access"), USAGE, "blocks all access"),
        (
            add("ghost@acme.test", "msp-user"),
            NOT_FOUND,
            "`ghost@acme.test` is not a member of `Acme Ltd`",
        ),
        (
            add("zed@zeta.test", "msp-user"),
            NOT_FOUND,
            "is not a member of `Acme Ltd`",
        ),
        (
            add("ivy@acme.test", "msp-user"),
            CONFLICT,
            "is invited in `Acme Ltd`",
        ),
        (
            add("dan@acme.test", "msp-user"),
            CONFLICT,
            "is deactivated in `Acme Ltd`",
        ),
        (
            add("nora@acme.test", "msp-user"),
            CONFLICT,
            "has no access in `Acme Ltd`",
        ),
        (
            vec![
                "external-admin", "add", "--customer", "Nobody", "--email", BEN, "--role",
                "msp-user",
            ],
            NOT_FOUND,
            "no account `Nobody`",
        ),
        (
            vec![
                "external-admin", "add", "--customer", ACCOUNT, "--email", BEN, "--role",
                "msp-user",
            ],
            USAGE,
            "is a partner",
        ),
        (
            vec![
                "external-admin", "add", "--customer", "Loner Ltd", "--email", BEN, "--role",
                "msp-user",
            ],
            USAGE,
            "has no parent partner",
        ),
        (
            vec![
                "external-admin", "add", "--customer", CUSTOMER, "--email", "not-an-email",
                "--role", "msp-user",
            ],
            USAGE,
            "not a valid email",
        ),
        (remove(BEN), NOT_FOUND, "is not a member of `Client Co`"),
    ];
    for (args, code, says) in cases {
        let err = p.refused(&args, code);
        assert!(
            err.contains(says),
            "`{}`: expected {says:?} in {err}",
            args.join(" ")
        );
    }
    // A member of another partner cannot reach Acme's customers.
    p.refused_as(
        Some("zed@zeta.test"),
        &add("zed@zeta.test", "msp-user"),
        DENIED,
    );
    // A member of the customer in their own right is not an external admin.
    p.invite("own@client.test", "msp-user", CUSTOMER);
    p.member_in(BEN, "msp-user", CUSTOMER);
    let err = p.refused(&add(BEN, "msp-administrator"), CONFLICT);
    assert!(err.contains("in their own right"), "{err}");
    let err = p.refused(&remove(BEN), CONFLICT);
    assert!(err.contains("not an external admin"), "{err}");
}

#[test]
fn remove_ends_access_but_never_the_customers_last_admin() {
    let p = msp();
    p.ok(&add(ADA, "msp-administrator"));
    p.ok(&add(UMA, "msp-user"));
    // Uma holds no users.manage: she can go.
    let v = p.json(&remove(UMA));
    assert_eq!(v["status"], "deactivated");
    p.refused_as(Some(UMA), &["account", "show", CUSTOMER], DENIED);
    let err = p.refused(&remove(UMA), CONFLICT);
    assert!(err.contains("no longer an external admin"), "{err}");
    // Ada is the customer's only admin: add another first.
    let err = p.refused(&remove(ADA), CONFLICT);
    assert!(
        err.contains("last active member") && err.contains("users.manage"),
        "{err}"
    );
    p.ok(&add(BEN, "msp-administrator"));
    p.json(&remove(ADA));
    // Adding someone whose access ended brings it back.
    let v = p.json(&add(UMA, "msp-user"));
    assert_eq!(v["status"], "active");
    let audit = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(audit[0]["before"]["status"], "deactivated");
}

#[test]
fn deactivation_in_the_partner_ends_external_access_in_the_same_transaction() {
    let p = msp();
    p.ok(&add(BEN, "msp-administrator"));
    p.ok(&add(UMA, "msp-user"));
    p.customer("Other Co");
    p.ok(&[
        "external-admin", "add", "--customer", "Other Co", "--email", UMA, "--role", "msp-user",
    ]);
    let events: i64 = p.text("SELECT COUNT(*) FROM audit_events").parse().unwrap();
    let v = p.json(&["user", "deactivate", "--yes", UMA, "--account", ACCOUNT]);
    assert_eq!(v["status"], "deactivated");
    assert_eq!(
        v["external_ended"],
        json!([
            {"customer": CUSTOMER, "role": "msp-user", "left_without_admin": false},
            {"customer": "Other Co", "role": "msp-user", "left_without_admin": false},
        ])
    );
    assert_eq!(status_in_customer(&p, UMA), "deactivated");
    // One command: its event names what ended, and each customer's log
    // has an event of its own, as `external-admin remove` writes.
    let now: i64 = p.text("SELECT COUNT(*) FROM audit_events").parse().unwrap();
    assert_eq!(now, events + 3);
    let audit = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(audit[0]["after"]["external_ended"][0]["customer"], CUSTOMER);
    for customer in [CUSTOMER, "Other Co"] {
        let theirs = p.json(&["audit", "list", "--account", customer, "--limit", "1"]);
        assert_eq!(theirs[0]["action"], "external_admin.remove", "{theirs}");
        assert_eq!(theirs[0]["target"], UMA);
        assert_eq!(theirs[0]["before"]["status"], "active");
        assert_eq!(theirs[0]["after"]["status"], "deactivated");
    }
    p.refused_as(Some(UMA), &["account", "show", CUSTOMER], DENIED);
    // Reactivating in the partner does not bring external access back...
    p.ok(&["user", "activate", UMA, "--account", ACCOUNT]);
    assert_eq!(status_in_customer(&p, UMA), "deactivated");
    // ...an MSP administrator adds it again.
    p.ok(&add(UMA, "msp-user"));
    assert_eq!(status_in_customer(&p, UMA), "active");
}

#[test]
fn the_blocking_role_in_the_partner_ends_external_access_too() {
    let p = msp();
    p.ok(&add(BEN, "msp-administrator"));
    p.ok(&add(UMA, "msp-user"));
    let v = p.json(&["user", "set-role", UMA, "no-access", "--account", ACCOUNT]);
    assert_eq!(v["external_ended"][0]["customer"], CUSTOMER);
    assert_eq!(status_in_customer(&p, UMA), "deactivated");
    let err = p.refused_as(
        Some(BEN),
        &["user", "activate", UMA, "--account", CUSTOMER],
        CONFLICT,
    );
    says(
        error_line(&err),
        &format!("is an external admin of `{CUSTOMER}` from `{ACCOUNT}`, and no longer active in `{ACCOUNT}`"),
    );
    // They themselves are told where access comes back from: the partner,
    // not the customer's admins, who cannot give it.
    let err = p.refused_as(Some(UMA), &["user", "list", "--account", CUSTOMER], DENIED);
    says(
        &err,
        &format!("access to `{CUSTOMER}` came from `{ACCOUNT}`: once they are active there again, `portalctl external-admin add "),
    );
    // A change that leaves them all their external role gives leaves
    // their external access alone.
    p.member("vic@acme.test", "msp-user");
    p.ok(&add("vic@acme.test", "msp-user"));
    p.ok(&[
        "user", "set-role", "vic@acme.test", "msp-administrator", "--account", ACCOUNT,
    ]);
    assert_eq!(status_in_customer(&p, "vic@acme.test"), "active");
}

#[test]
fn external_access_cannot_be_reactivated_while_inactive_in_the_partner() {
    let p = msp();
    p.ok(&add(BEN, "msp-administrator"));
    p.ok(&add(UMA, "msp-user"));
    p.ok(&["user", "deactivate", "--yes", UMA, "--account", ACCOUNT]);
    let err = p.refused_as(
        Some(BEN),
        &["user", "activate", UMA, "--account", CUSTOMER],
        CONFLICT,
    );
    says(
        error_line(&err),
        &format!("no longer active in `{ACCOUNT}`"),
    );
    let err = p.refused(&add(UMA, "msp-user"), CONFLICT);
    assert!(err.contains("is deactivated in `Acme Ltd`"), "{err}");
}

#[test]
fn leaving_the_partner_ends_external_access_and_says_when_no_admin_is_left() {
    // Decision: ending external access is never refused (a leaver must lose
    // every access at once), even when it takes a customer's last member
    // holding users.manage. It is not silent: the result flags the customer,
    // stderr warns, the audit event records it, and the partner's MSP
    // administrators can still add an admin, a right that comes from the
    // partner.
    let p = msp();
    p.ok(&add(BEN, "msp-administrator"));
    let run = p.run(&["user", "left-company", "--yes", BEN, "--account", ACCOUNT]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: `Client Co` has no active member holding `users.manage` now"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains(
            "external access ended  Client Co as msp-administrator (it has no active admin now)"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(status_in_customer(&p, BEN), "deactivated");
    let audit = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(audit[0]["action"], "user.left_company");
    assert_eq!(
        audit[0]["after"]["external_ended"],
        json!([{"customer": CUSTOMER, "role": "msp-administrator", "left_without_admin": true}])
    );
    p.refused_as(Some(BEN), &["user", "list", "--account", CUSTOMER], DENIED);
    // The partner restores an admin.
    let v = p.json_as(Some(ADA), &add(ADA, "msp-administrator"));
    assert_eq!(v["status"], "active");
    // With the JSON output, the flag is in the document and stderr is quiet.
    p.ok(&[
        "user", "set-role", UMA, "msp-administrator", "--account", ACCOUNT,
    ]);
    p.ok(&add(UMA, "msp-administrator"));
    let run = p.run(&[
        "--json", "user", "deactivate", "--yes", ADA, "--account", ACCOUNT,
    ]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v["external_ended"][0]["left_without_admin"], false,
        "Uma is still an admin"
    );
}

#[test]
fn list_shows_every_customer_the_actor_may_see() {
    let p = msp();
    p.customer("Other Co");
    p.ok(&add(BEN, "msp-administrator"));
    p.ok(&[
        "external-admin", "add", "--customer", "Other Co", "--email", UMA, "--role", "msp-user",
    ]);
    p.ok(&["user", "deactivate", "--yes", UMA, "--account", ACCOUNT]);
    let all = p.json_as(Some(ADA), &["external-admin", "list"]);
    let rows: Vec<(&str, &str, &str)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["account"].as_str().unwrap(),
                m["email"].as_str().unwrap(),
                m["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [(CUSTOMER, BEN, "active"), ("Other Co", UMA, "deactivated")]
    );
    let table = p.ok(&["external-admin", "list", "--customer", CUSTOMER]);
    assert!(table.contains(BEN) && !table.contains(UMA), "{table}");
}

/// A member's history names the customers whose external access a change
/// ended only to someone who may know those customers: a partner's MSP
/// user sees its users, not its customers.
#[test]
fn history_names_ended_external_access_only_to_who_may_know_the_customer() {
    let p = msp();
    p.ok(&add(BEN, "msp-user"));
    p.member("vic@acme.test", "msp-user");
    p.ok(&["user", "deactivate", "--yes", BEN, "--account", ACCOUNT]);
    let history = |who: Option<&str>| {
        p.json_as(who, &["user", "history", BEN, "--account", ACCOUNT])
            .to_string()
    };
    assert!(history(None).contains(CUSTOMER), "the operator knows it");
    assert!(
        history(Some(ADA)).contains(CUSTOMER),
        "an MSP administrator too"
    );
    let vics = history(Some("vic@acme.test"));
    assert!(!vics.contains(CUSTOMER), "{vics}");
    assert!(
        vics.contains("deactivated"),
        "the change itself is shown: {vics}"
    );
}

/// A deactivation answers as `user history` reads: the customers whose
/// external access it ended are named to someone who may know them, and
/// always in the audit event.
#[test]
fn a_deactivation_names_ended_external_access_only_to_who_may_know_the_customer() {
    let p = msp();
    p.ok(&[
        "role",
        "create",
        "helpdesk",
        "--capabilities",
        "portal.access,account.view,users.view,users.manage",
    ]);
    p.member("vic@acme.test", "helpdesk");
    p.ok(&add(BEN, "msp-user"));
    p.ok(&add(UMA, "msp-user"));
    fn deactivate(who: &str) -> [&str; 6] {
        ["user", "deactivate", "--yes", who, "--account", ACCOUNT]
    }
    let v = p.json_as(Some("vic@acme.test"), &deactivate(BEN));
    assert_eq!(v["status"], "deactivated", "{v}");
    assert!(v.get("external_ended").is_none(), "{v}");
    assert_eq!(
        status_in_customer(&p, BEN),
        "deactivated",
        "it ended all the same"
    );
    let audit = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(audit[0]["after"]["external_ended"][0]["customer"], CUSTOMER);
    let run = p.run_as(Some("vic@acme.test"), &deactivate(UMA));
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert!(
        !format!("{}{}", run.stdout, run.stderr).contains(CUSTOMER),
        "{} {}",
        run.stdout,
        run.stderr
    );
    // Ada manages the customers: she is told.
    p.ok(&["user", "activate", BEN, "--account", ACCOUNT]);
    p.ok(&add(BEN, "msp-user"));
    let v = p.json_as(Some(ADA), &deactivate(BEN));
    assert_eq!(v["external_ended"][0]["customer"], CUSTOMER, "{v}");
}

#[test]
fn external_admin_add_and_remove_take_the_member_as_email_like_every_user_command() {
    let p = msp();
    let added = p.json_as(
        Some(ADA),
        &[
            "external-admin", "add", BEN, "--customer", CUSTOMER, "--role", "msp-administrator",
        ],
    );
    assert_eq!(added["email"].as_str(), Some(BEN));
    p.json_as(
        Some(ADA),
        &[
            "external-admin", "add", UMA, "--customer", CUSTOMER, "--role", "msp-user",
        ],
    );
    assert_eq!(status_in_customer(&p, UMA), "active");
    let removed = p.json_as(
        Some(ADA),
        &[
            "external-admin", "remove", "--yes", UMA, "--customer", CUSTOMER,
        ],
    );
    assert_eq!(removed["email"].as_str(), Some(UMA));
    // `--email` works too (see `add`), but not both at once, nor neither.
    p.refused_as(
        Some(ADA),
        &[
            "external-admin", "remove", UMA, "--email", UMA, "--customer", CUSTOMER,
        ],
        USAGE,
    );
    let missing = p.refused_as(
        Some(ADA),
        &["external-admin", "remove", "--customer", CUSTOMER],
        USAGE,
    );
    says(&missing, "<EMAIL|--email <EMAIL>>");
}

/// A partner administrator until T is one on the partner's customers only
/// until T: access there for good, or past T, is refused, by command and
/// through the gate every write passes, and access ending by T is allowed.
#[test]
fn external_access_lasts_no_longer_than_the_partner_role_behind_it() {
    let p = msp();
    const T: &str = "2026-11-28T00:00:00Z";
    p.ok(&[
        "user", "set-role", UMA, "msp-administrator", "--account", ACCOUNT, "--until", T,
    ]);
    let before = p.dump();
    let err = p.refused_as(Some(ADA), &add(UMA, "msp-administrator"), CONFLICT);
    says(
        &err,
        &format!("would from {T} give capabilities they do not hold in `Acme Ltd` then"),
    );
    says(&err, &format!("let it end by {T} (`--until`)"));
    assert_eq!(p.dump(), before, "a refusal changes nothing");
    let mut past_t = add(UMA, "msp-administrator");
    past_t.extend(["--until", "2026-12-28T00:00:00Z"]);
    p.refused(&past_t, CONFLICT);
    let mut by_t = add(UMA, "msp-administrator");
    by_t.extend(["--until", T]);
    let v = p.json_as(Some(ADA), &by_t);
    assert_eq!(v["external_until"], T, "{v}");
}

/// A partner administrator's role made to end sooner cuts their access
/// to a customer to that end, as a demotion ends it now, by the
/// partner's owner or the operator alike: it is not refused.
#[test]
fn a_shorter_partner_role_cuts_the_external_access_to_its_end() {
    let p = msp();
    const T: &str = "2026-12-01T00:00:00Z";
    const SOONER: &str = "2026-11-29T00:00:00Z";
    p.ok(&[
        "user", "set-role", UMA, "msp-administrator", "--account", ACCOUNT, "--until", T,
    ]);
    let mut by_t = add(UMA, "msp-administrator");
    by_t.extend(["--until", T]);
    p.ok(&by_t);
    let run = p.run_as(
        Some(OWNER),
        &[
            "user", "set-role", UMA, "msp-administrator", "--account", ACCOUNT, "--until", SOONER,
        ],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let there = p.json(&["user", "show", UMA, "--account", CUSTOMER]);
    assert_eq!(there["external_until"], SOONER, "{there}");
    assert_eq!(there["status"], "active", "{there}");
    let events = p.json(&["audit", "list", "--limit", "2"]);
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "external_admin.add" && e["after"]["external_until"] == SOONER),
        "{events}"
    );
}

/// A lesser role in the partner that ends someone's access to a customer
/// says so as a deactivation does, warning of a customer left with no
/// admin.
#[test]
fn a_demotion_that_leaves_a_customer_without_an_admin_warns() {
    let p = msp();
    p.ok(&add(BEN, "msp-administrator"));
    let run = p.run(&["user", "set-role", BEN, "msp-user", "--account", ACCOUNT]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(
        &run.stderr,
        "warning: `Client Co` has no active member holding `users.manage` now",
    );
    says(
        &run.stdout,
        "external access ended  Client Co as msp-administrator",
    );
}

/// Ending someone's access to a customer asks first, as `user
/// deactivate` does: without a terminal it needs --yes.
#[test]
fn remove_needs_yes_without_a_terminal() {
    let p = msp();
    p.ok(&add(BEN, "msp-administrator"));
    p.ok(&add(UMA, "msp-user"));
    let before = p.dump();
    let err = p.refused(
        &["external-admin", "remove", UMA, "--customer", CUSTOMER],
        USAGE,
    );
    says(&err, "needs confirmation, pass --yes");
    assert_eq!(p.dump(), before, "nothing changed");
    p.ok(&remove(UMA));
}

/// `ada`, an external admin of `Client Co`, owns it; `ben` is one too.
fn owned_by_an_external_admin() -> Portal {
    let p = build_msp();
    p.ok(&add(ADA, "msp-administrator"));
    p.ok(&add(BEN, "msp-administrator"));
    p.ok(&[
        "user", "transfer-ownership", "--to", ADA, "--account", CUSTOMER, "--yes",
    ]);
    p
}

#[test]
fn an_account_its_external_admin_owns_is_restored_by_its_export() {
    let p = owned_by_an_external_admin();
    let exported = p.ok(&["export"]);
    let dir = crate::support::scratch_dir();
    let file = dir.path().join("x.json");
    std::fs::write(&file, &exported).unwrap();
    let file = file.to_str().unwrap();
    let copy = Portal::empty();
    copy.ok(&["apply", file]);
    assert_eq!(copy.ok(&["export"]), exported);
    let again = copy.json(&["apply", file]);
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
    let ada = copy.json(&["user", "show", ADA, "--account", CUSTOMER]);
    assert_eq!(
        (&ada["owner"], &ada["external_from"]),
        (&json!(true), &json!("Acme Ltd")),
        "{ada}"
    );
}

#[test]
fn no_command_leaves_an_external_admin_with_the_blocking_role() {
    let p = owned_by_an_external_admin();
    let before = p.dump();
    let err = p.refused(
        &[
            "user", "transfer-ownership", "--to", BEN, "--account", CUSTOMER,
            "--former-owner-role", "no-access", "--yes",
        ],
        CONFLICT,
    );
    says(&err, "`ada@acme.test` is an external admin of `Client Co`");
    says(&err, "an external admin needs a role with access");
    says(
        &err,
        "portalctl external-admin remove ada@acme.test --customer 'Client Co'",
    );
    let err = p.refused(
        &["user", "set-role", BEN, "no-access", "--account", CUSTOMER],
        CONFLICT,
    );
    says(&err, "`ben@acme.test` is an external admin of `Client Co`");
    assert_eq!(p.dump(), before);
    // With a role with access the transfer goes through, and the former
    // owner's access then ends as the help says.
    p.ok(&[
        "user", "transfer-ownership", "--to", BEN, "--account", CUSTOMER, "--former-owner-role",
        "msp-user", "--yes",
    ]);
    p.ok(&remove(ADA));
    assert_eq!(status_in_customer(&p, ADA), "deactivated");
}

/// The partner's owner cannot offboard a member of theirs who owns a
/// customer as its external admin: whichever command would end or lessen
/// her access, the refusal names the account, says its ownership moves
/// first, that only its owner or the operator can move it, and with which
/// command; the same words for each, since they come from the write gate.
#[test]
fn offboarding_a_customer_owner_says_who_moves_the_ownership_first_and_how() {
    let p = owned_by_an_external_admin();
    let before = p.dump();
    let help = format!(
        "the ownership of `{CUSTOMER}` must move first, and only its owner `{ADA}` or the operator (without --as) can move it: ask them to run `portalctl user transfer-ownership --to EMAIL --account '{CUSTOMER}'`"
    );
    for args in [
        vec!["user", "deactivate", ADA, "--account", ACCOUNT, "--yes"],
        vec!["user", "left-company", ADA, "--account", ACCOUNT, "--yes"],
        vec!["user", "set-role", ADA, "msp-user", "--account", ACCOUNT],
        remove(ADA),
    ] {
        let err = p.refused_as(Some(OWNER), &args, CONFLICT);
        says(&err, &format!("`{ADA}` owns `{CUSTOMER}`"));
        says(&err, &help);
    }
    // The operator, who may move it, is given the command itself.
    let err = p.refused(
        &["user", "deactivate", ADA, "--account", ACCOUNT, "--yes"],
        CONFLICT,
    );
    says(
        &err,
        &format!(
            "move the ownership of `{CUSTOMER}` to someone else first with `portalctl user transfer-ownership --to EMAIL --account '{CUSTOMER}'`"
        ),
    );
    assert_eq!(p.dump(), before, "nothing changed");
    // Done as the help says, the offboarding goes through.
    p.ok(&[
        "user", "transfer-ownership", "--to", BEN, "--account", CUSTOMER, "--yes",
    ]);
    let done = p.run_as(
        Some(OWNER),
        &["user", "deactivate", ADA, "--account", ACCOUNT, "--yes"],
    );
    assert_eq!(done.code, SUCCESS, "{}", done.stderr);
    assert_eq!(status_in_customer(&p, ADA), "deactivated");
}

/// A file that would end the access of an external admin who owns the
/// customer points to the file's field that moves the ownership, and
/// doing as it says goes through.
#[test]
fn an_apply_refused_for_an_external_owner_points_to_the_owner_field() {
    let p = Portal::empty();
    p.ok(&[
        "apply",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-msp.json"),
    ]);
    p.ok(&[
        "user", "transfer-ownership", "--to", "max@harbour.test", "--account", "Client Co", "--yes",
    ]);
    let exported: serde_json::Value = serde_json::from_str(&p.ok(&["export"])).unwrap();
    let mut doc = exported.clone();
    for u in doc["accounts"][0]["users"].as_array_mut().unwrap() {
        if u["email"] == "max@harbour.test" {
            u["status"] = "deactivated".into();
        }
    }
    let dir = scratch_dir();
    let leaves = dir.path().join("leaves.json");
    std::fs::write(&leaves, doc.to_string()).unwrap();
    let leaves = leaves.to_str().unwrap();
    let before = p.dump();
    let err = p.refused(&["apply", leaves], CONFLICT);
    says(
        error_line(&err),
        "`max@harbour.test` owns `Client Co` and cannot lose access to it",
    );
    says(&err, "help: move the ownership of `Client Co` to someone else first: name them in `accounts[1].owner` and apply that, then this change");
    assert!(!err.contains("portalctl user"), "{err}");
    assert_eq!(p.dump(), before, "a refusal changes nothing");
    // As it says: the owner named first, then the change.
    let mut moved = exported;
    moved["accounts"][1]["owner"] = "msp_clientco@client.test".into();
    let first = dir.path().join("moved.json");
    std::fs::write(&first, moved.to_string()).unwrap();
    p.ok(&["apply", first.to_str().unwrap()]);
    let mut both = doc;
    both["accounts"][1]["owner"] = "msp_clientco@client.test".into();
    // Deactivated in the partner, he is no external admin any more.
    both["accounts"][1]["external_admins"] = json!([]);
    std::fs::write(dir.path().join("leaves.json"), both.to_string()).unwrap();
    p.ok(&["apply", leaves]);
    let max = p.json(&[
        "user", "show", "max@harbour.test", "--account", "Harbour MSP",
    ]);
    assert_eq!(max["status"], "deactivated", "{max}");
}

/// A customer's own admin may not see the partner's users, so a refusal
/// to them reads as for anyone who is no active member of the partner
/// (what someone lacks there would tell their role); the operator's says
/// what they lack.
#[test]
fn a_customer_admin_is_not_told_what_a_partner_member_lacks() {
    let p = Portal::cached("external admins: demo-lmp", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-lmp.json"),
        ]);
        p
    });
    let add = [
        "external-admin", "add", "--customer", "Fabrikam", "--email", "al@northwind.test",
        "--role", "partner-administrator",
    ];
    let said = "`al@northwind.test`'s role `partner-administrator` on `Fabrikam` would give capabilities they do not hold in `Northwind Partners`";
    let err = p.refused_as(Some("fe@fabrikam.test"), &add, NOT_FOUND);
    assert_eq!(
        error_line(&err),
        "error: `al@northwind.test` is not an active member of `Northwind Partners`; only an active member of the partner can be an external admin"
    );
    let err = p.refused(&add, CONFLICT);
    says(error_line(&err), &format!("{said} (account.edit, "));
}

/// 002: the MSP's administrator adds a customer and its console login.
/// Creating the customer, they are told the way that works for them:
/// become its external admin, then invite.
#[test]
fn a_new_customers_hint_leads_a_partner_admin_to_inviting_its_first_admin() {
    let p = Portal::init("msp");
    p.member("al@acme.test", "msp-administrator");
    let run = p.run_as(
        Some("al@acme.test"),
        &[
            "account", "create", "Fabrikam", "--kind", "customer", "--parent", ACCOUNT,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("only the operator"), "{}", run.stderr);
    let hint = run
        .stderr
        .lines()
        .find(|l| l.contains("give yourself access"))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    // The commands it names work, in order, as the member.
    let commands: Vec<&str> = (hint.split('`').skip(1).step_by(2))
        .filter(|c| c.starts_with("portalctl "))
        .collect();
    assert_eq!(commands.len(), 2, "{hint}");
    let add = crate::support::shell_words(commands[0]);
    assert_eq!(add[0], "portalctl");
    let args: Vec<&str> = add[1..].iter().map(String::as_str).collect();
    let run = p.run_as(Some("al@acme.test"), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = p.run_as(
        Some("al@acme.test"),
        &[
            "user", "invite", "admin@fabrikam.test", "--account", "Fabrikam", "--role",
            "msp-administrator",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// The demo database (`examples/demo.json`): partner `Acme Ltd`, its
/// customer `Contoso` whose owner is `carl@contoso.test`.
fn demo() -> Portal {
    Portal::cached("external admins: demo", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json"),
        ]);
        p
    })
}

/// A customer may not pin a partner's employee (findings B5): its owner
/// makes a partner member an external admin, but cannot hand them the
/// ownership, which would leave the partner unable to offboard its own
/// staff. The partner's deactivation then goes through as article 001
/// says it does.
#[test]
fn a_customer_cannot_make_a_partners_member_its_owner() {
    let p = demo();
    let carl = Some("carl@contoso.test");
    p.run_as(
        carl,
        &[
            "external-admin", "add", "fiona@acme.test", "--customer", "Contoso", "--role", "admin",
        ],
    );
    let before = p.dump();
    let err = p.refused_as(
        carl,
        &[
            "user", "transfer-ownership", "--to", "fiona@acme.test", "--yes",
        ],
        CONFLICT,
    );
    says(
        error_line(&err),
        "`fiona@acme.test` is an external admin of `Contoso`, not one of its own members",
    );
    assert_eq!(p.dump(), before, "a refusal changes nothing");
    let done = p.run_as(
        Some("olive@acme.test"),
        &[
            "user", "deactivate", "fiona@acme.test", "--account", "Acme Ltd", "--yes",
        ],
    );
    assert_eq!(done.code, SUCCESS, "{}", done.stderr);
    let fiona = p.json(&["user", "show", "fiona@acme.test", "--account", "Contoso"]);
    assert_eq!(fiona["status"], "deactivated", "{fiona}");
}

/// A customer's own admin, who may not see the partner's users, gets one
/// answer for every address they cannot add (findings B6): an active
/// partner member whose partner role holds less than the role asked
/// (`max`, a manager, asked to be an admin) reads as someone who is not
/// there at all.
#[test]
fn a_customer_admin_cannot_tell_a_partner_member_from_anyone_else() {
    let p = demo();
    let carl = Some("carl@contoso.test");
    let before = p.dump();
    let answer = |email: &str| {
        let err = p.refused_as(
            carl,
            &[
                "external-admin", "add", email, "--customer", "Contoso", "--role", "admin",
            ],
            NOT_FOUND,
        );
        err.replace(email, "EMAIL")
    };
    let member = answer("max@acme.test");
    assert_eq!(member, answer("nobody@acme.test"));
    assert_eq!(member, answer("leo@acme.test"));
    says(error_line(&member), "is not an active member of `Acme Ltd`");
    assert_eq!(p.dump(), before, "refusals change nothing");
    // The partner's own admin, who sees its users, is told why.
    let err = p.refused_as(
        Some("olive@acme.test"),
        &[
            "external-admin", "add", "max@acme.test", "--customer", "Contoso", "--role", "admin",
        ],
        CONFLICT,
    );
    says(
        error_line(&err),
        "would give capabilities they do not hold in `Acme Ltd`",
    );
}

/// A partner member who may not know of a customer is not told of it by
/// the warnings of a change to someone who acts there (findings B8): the
/// customer reads as "an account you cannot see", as `account show`
/// answers them "not a member"; the operator's warning names it.
#[test]
fn warnings_do_not_name_a_customer_the_reader_may_not_know_of() {
    let p = demo();
    p.run_as(
        Some("carl@contoso.test"),
        &[
            "external-admin", "add", "fiona@acme.test", "--customer", "Contoso", "--role", "admin",
        ],
    );
    p.ok(&[
        "policy", "create", "--account", "Contoso", "--name", "Contoso merger policy",
        "--threshold", "10", "--approvers", "fiona@acme.test",
    ]);
    let olive = Some("olive@acme.test");
    p.run_as(
        olive,
        &[
            "role", "create", "inviter", "--capabilities", "portal.access,users.manage",
        ],
    );
    p.run_as(
        olive,
        &["user", "set-role", "max@acme.test", "inviter", "--yes"],
    );
    p.refused_as(
        Some("max@acme.test"),
        &["account", "show", "Contoso"],
        DENIED,
    );
    let run = p.run_as(
        Some("max@acme.test"),
        &["user", "set-role", "fiona@acme.test", "inviter", "--yes"],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert!(!run.stderr.contains("Contoso"), "{}", run.stderr);
    says(
        &run.stderr,
        "1 approval policy in an account you cannot see is left short",
    );
}

/// Finding N6: an allocator who creates a customer is told who of the
/// partner may give themselves access to it and invite its admin, not
/// that only the operator can; `account create` without `--parent` asks
/// only for what was not typed.
#[test]
fn an_allocator_creating_a_customer_is_told_who_may_invite_its_admin() {
    let p = Portal::cached("external admins: demo-lmp", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-lmp.json"),
        ]);
        p
    });
    let al = Some("al@northwind.test");
    let create = [
        "account", "create", "NewCust3", "--kind", "customer", "--parent", "Northwind Partners",
    ];
    let run = p.run_as(al, &create);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(
        &run.stderr,
        "warning: `NewCust3` has no member who manages its users yet; `pat@northwind.test` (the owner), holding `external_admins.manage` in `Northwind Partners`, can give themselves access to it and invite one, as can the operator who owns the database, without --as: `portalctl user invite EMAIL --account NewCust3 --role partner-administrator`",
    );
    let err = p.refused_as(
        al,
        &["account", "create", "Solo", "--kind", "customer"],
        DENIED,
    );
    says(
        &err,
        "help: members of a partner create its customers: add --parent PARTNER",
    );
    let err = p.refused_as(
        al,
        &["account", "create", "Solo", "--kind", "partner"],
        DENIED,
    );
    says(
        &err,
        "help: members of a partner create customers with --kind customer --parent PARTNER",
    );
}

/// A partner's manager sees every service, so holds all a customer's
/// `user` sees (findings A6): a manager may be a customer's `user`, and
/// promoting a partner `user` to manager keeps their `user` access to
/// the customer; only a lesser partner role ends it.
#[test]
fn a_partner_manager_backs_a_customers_user_role() {
    let p = demo();
    let olive = Some("olive@acme.test");
    let add = |email: &str| {
        p.run_as(
            olive,
            &[
                "external-admin", "add", email, "--customer", "Contoso", "--role", "user",
            ],
        )
    };
    let added = add("max@acme.test");
    assert_eq!(added.code, SUCCESS, "{}", added.stderr);
    let added = add("una@acme.test");
    assert_eq!(added.code, SUCCESS, "{}", added.stderr);
    let promoted = p.run_as(
        olive,
        &[
            "user", "set-role", "una@acme.test", "manager", "--account", "Acme Ltd", "--yes",
        ],
    );
    assert_eq!(promoted.code, SUCCESS, "{}", promoted.stderr);
    assert!(
        !promoted.stdout.contains("external access ended"),
        "{}",
        promoted.stdout
    );
    for who in ["max@acme.test", "una@acme.test"] {
        let there = p.json(&["user", "show", who, "--account", "Contoso"]);
        assert_eq!(
            (there["role"].as_str(), there["status"].as_str()),
            (Some("user"), Some("active")),
            "{there}"
        );
    }
    // A demotion to the blocking role still ends it.
    let blocked = p.run_as(
        olive,
        &[
            "user", "set-role", "una@acme.test", "no-access", "--account", "Acme Ltd",
            "--unassign", "--yes",
        ],
    );
    assert_eq!(blocked.code, SUCCESS, "{}", blocked.stderr);
    let una = p.json(&["user", "show", "una@acme.test", "--account", "Contoso"]);
    assert_eq!(una["status"], "deactivated", "{una}");
}
