//! The escalations an attacker found, through the binary: each is refused
//! by the write gate and leaves the database as it was.

use crate::support::*;

const AD2: &str = "ad2@acme.test";

#[test]
fn an_admin_cannot_take_the_account_by_merging_the_owner_into_themselves() {
    let p = Portal::new();
    p.member(AD2, "admin");
    let err = p.refused_as(
        Some(AD2),
        &["-y", "user", "merge", OWNER, "--into", AD2],
        DENIED,
    );
    says(&err, "only the owner of `Acme Ltd` can change who owns it");
    let owner = p.json(&["user", "show", OWNER]);
    assert_eq!(owner["owner"], true);
}

#[test]
fn a_member_cannot_gain_an_area_by_merging_its_holder_into_themselves() {
    let p = Portal::with_preset("customer-area");
    p.member("ann@acme.test", "member");
    p.member("bob@acme.test", "member");
    p.ok(&["user", "grant", "ann@acme.test", "account-admin"]);
    p.ok(&["user", "grant", "bob@acme.test", "billing"]);
    // The direct way is refused, and so is the way round.
    p.refused_as(
        Some("ann@acme.test"),
        &["user", "grant", "ann@acme.test", "billing"],
        DENIED,
    );
    let err = p.refused_as(
        Some("ann@acme.test"),
        &[
            "-y", "user", "merge", "bob@acme.test", "--into", "ann@acme.test",
        ],
        DENIED,
    );
    says(&err, "billing.payment");
}

#[test]
fn a_member_cannot_reopen_an_invitation_to_access_they_could_not_give() {
    let p = Portal::with_preset("customer-area");
    p.member("ann@acme.test", "member");
    p.ok(&["user", "grant", "ann@acme.test", "account-admin"]);
    p.ok(&[
        "user", "invite", "--email", "pend@acme.test", "--grant", "billing",
    ]);
    p.ok(&["-y", "user", "revoke-invite", "--yes", "pend@acme.test"]);
    let err = p.refused_as(
        Some("ann@acme.test"),
        &["user", "resend-invite", "pend@acme.test"],
        DENIED,
    );
    says(&err, "billing.payment");
    // The operator may: and accepting adds nothing beyond what was given.
    let token = p.json(&["user", "resend-invite", "pend@acme.test"])["token"]
        .as_str()
        .unwrap()
        .to_string();
    let v = p.json(&["user", "accept", &token]);
    assert_eq!(
        (
            v["role"].as_str(),
            v["grants"].clone(),
            v["status"].as_str()
        ),
        (
            Some("member"),
            serde_json::json!(["billing"]),
            Some("active")
        )
    );
}

#[test]
fn nobody_approves_an_order_that_became_their_own_by_a_merge() {
    let p = Portal::new();
    p.member("cat@acme.test", "manager");
    p.member("adm@acme.test", "admin");
    p.ok(&["policy", "create", "--name", "Over 50", "--threshold", "50"]);
    let order = p.json_as(
        Some("cat@acme.test"),
        &[
            "order", "place", "--description", "Router", "--amount", "60.00",
        ],
    );
    let id = order["id"].to_string();
    p.ok(&[
        "-y", "user", "merge", "cat@acme.test", "--into", "adm@acme.test",
    ]);
    let err = p.refused_as(Some("adm@acme.test"), &["order", "approve", &id], CONFLICT);
    says(&err, "nobody approves their own order");
}

#[test]
fn a_merge_gives_no_external_access_to_someone_who_left_the_partner() {
    let p = Portal::with_preset("msp");
    p.customer("Client Co");
    p.member("dup@acme.test", "msp-user");
    p.member("gone@acme.test", "msp-user");
    p.ok(&[
        "external-admin", "add", "--customer", "Client Co", "--email", "dup@acme.test", "--role",
        "msp-administrator",
    ]);
    p.ok(&["-y", "user", "left-company", "--yes", "gone@acme.test"]);
    let err = p.refused(
        &[
            "-y", "user", "merge", "dup@acme.test", "--into", "gone@acme.test",
        ],
        CONFLICT,
    );
    says(&err, "`gone@acme.test` would keep access to `Client Co`");
}
