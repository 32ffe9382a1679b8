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
    says(&err, "support merges duplicates");
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
    says(&err, "support merges duplicates");
    let ann = p.json(&["user", "show", "ann@acme.test"]);
    assert!(!ann["grants"].to_string().contains("billing"), "{ann}");
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
    p.member("dup@acme.test", "msp-administrator");
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

/// The demo (`examples/demo.json`): olive owns `Acme Ltd`, where fiona is
/// an admin and una a user.
fn demo() -> Portal {
    Portal::cached("attacks: apply examples/demo.json", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json"),
        ]);
        p
    })
}

/// `user edit FROM --new-email TO` as `who`, refused as a denial in one
/// `error:` line that leaves the database (`refused_as` compares it) and
/// the audit chain's head as they were; what the error said.
#[track_caller]
fn email_change_refused(p: &Portal, who: &str, from: &str, to: &str) -> String {
    let head = p.json(&["audit", "head"]);
    let err = p.refused_as(
        Some(who),
        &["user", "edit", from, "--new-email", to],
        DENIED,
    );
    assert_eq!(p.json(&["audit", "head"]), head);
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
    err
}

#[test]
fn an_admin_cannot_take_the_account_by_rewriting_the_owners_email() {
    let p = demo();
    let err = email_change_refused(
        &p, "fiona@acme.test", "olive@acme.test", "fiona.alt@acme.test",
    );
    says(
        &err,
        "`fiona@acme.test` may not change `olive@acme.test`'s email",
    );
    says(
        &err,
        "they own `Acme Ltd`, and only the owner or the operator changes the owner",
    );
    let owner = p.json(&["user", "show", "olive@acme.test", "--account", "Acme Ltd"]);
    assert_eq!(owner["owner"], true);
    // So the new address the attacker meant to use is nobody's.
    p.refused_as(
        Some("fiona.alt@acme.test"),
        &[
            "user", "transfer-ownership", "--to", "fiona@acme.test", "--account", "Acme Ltd",
            "--yes",
        ],
        NOT_FOUND,
    );
}

/// `examples/demo-customer-area.json` applied.
fn customer_area_demo() -> Portal {
    Portal::cached("attacks: apply examples/demo-customer-area.json", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/examples/demo-customer-area.json"
            ),
        ]);
        p
    })
}

#[test]
fn the_customer_areas_account_admin_cannot_take_the_owners_email() {
    let p = customer_area_demo();
    let err = email_change_refused(&p, "ada@fjord.test", "owen@fjord.test", "me@fjord.test");
    says(&err, "they own `Fjord Web AS`");
    // Nor the login of a member holding an area she lacks.
    let err = email_change_refused(&p, "ada@fjord.test", "bill@fjord.test", "me@fjord.test");
    says(
        &err,
        "capabilities `ada@fjord.test` does not hold (billing.view",
    );
}

#[test]
fn managing_users_alone_cannot_repoint_an_admins_email() {
    let p = demo();
    p.ok(&[
        "role", "create", "people-desk", "--capabilities", "users.manage", "--account", "Acme Ltd",
    ]);
    p.member("desk@acme.test", "people-desk");
    let err = email_change_refused(&p, "desk@acme.test", "fiona@acme.test", "desk2@acme.test");
    says(
        &err,
        "whoever uses the new address holds their access in `Acme Ltd`, which includes capabilities `desk@acme.test` does not hold",
    );
    says(
        &err,
        "help: only someone who holds everything `fiona@acme.test` holds there",
    );
}

#[test]
fn owners_the_operator_and_admins_still_change_the_emails_they_may() {
    let p = demo();
    // The owner their own: still the owner, under the new address.
    let v = p.json_as(
        Some("olive@acme.test"),
        &[
            "user", "edit", "olive@acme.test", "--new-email", "olive.b@acme.test",
        ],
    );
    assert_eq!(
        (v["email"].as_str(), v["owner"].as_bool()),
        (Some("olive.b@acme.test"), Some(true))
    );
    // The operator the owner's.
    let v = p.json(&[
        "user", "edit", "olive.b@acme.test", "--new-email", "olive@acme.test",
    ]);
    assert_eq!(
        (v["email"].as_str(), v["owner"].as_bool()),
        (Some("olive@acme.test"), Some(true))
    );
    // An admin a plain user's.
    let v = p.json_as(
        Some("fiona@acme.test"),
        &[
            "user", "edit", "una@acme.test", "--new-email", "una.b@acme.test",
        ],
    );
    assert_eq!(v["email"], "una.b@acme.test");
    let event = p.last_event();
    assert_eq!(
        (
            event["before"]["email"].as_str(),
            event["after"]["email"].as_str()
        ),
        (Some("una@acme.test"), Some("una.b@acme.test"))
    );
}

/// An hour after the clock the tests run at.
const HOUR_LATER: &str = "2026-11-25T11:00:00Z";
/// Two hours after it.
const TWO_HOURS_LATER: &str = "2026-11-25T12:00:00Z";

/// What a refused resend must leave as it was, counted from the tables:
/// tokens (the invitations' and those minted into emails), queued emails
/// and audit events.
fn tokens_mail_and_events(p: &Portal) -> [String; 4] {
    [
        p.text("SELECT group_concat(token_hash || state || expires_at) FROM invitations"),
        p.text("SELECT COUNT(*) FROM invitation_tokens"),
        p.text("SELECT COUNT(*) FROM outbox"),
        p.events().to_string(),
    ]
}

/// Customer area: Amy manages users through the `account-admin` area but
/// holds no billing or services; the owner invited Bea with both, her
/// invitation lasting an hour.
fn amy_and_bea() -> Portal {
    let p = Portal::with_preset("customer-area");
    p.member("amy@acme.test", "member");
    p.ok(&["user", "grant", "amy@acme.test", "account-admin"]);
    let err = p.refused_as(
        Some("amy@acme.test"),
        &[
            "user", "invite", "--email", "cy@acme.test", "--grant", "billing",
        ],
        DENIED,
    );
    says(&err, "billing.payment");
    p.ok(&[
        "user", "invite", "--email", "bea@acme.test", "--grant", "billing,services",
        "--expires-in", "1h",
    ]);
    p
}

/// `--as amy resend-invite bea` at `now`, refused and changing nothing:
/// no new token, no queued email, no audit event.
#[track_caller]
fn amy_resending_is_refused(p: &Portal, now: &str, extra: &[&str]) -> String {
    let before = tokens_mail_and_events(p);
    let mut args = vec!["user", "resend-invite", "bea@acme.test"];
    args.extend_from_slice(extra);
    let err = p.refused_with(
        &args,
        &[("PORTALCTL_AS", "amy@acme.test"), ("PORTALCTL_NOW", now)],
        DENIED,
    );
    assert_eq!(tokens_mail_and_events(p), before, "{err}");
    assert!(!err.contains("pinv_"), "{err}");
    err
}

#[test]
fn a_member_cannot_revive_an_expired_invitation_to_access_they_do_not_hold() {
    let p = amy_and_bea();
    for extra in [&[][..], &["--no-send"], &["--expires-in", "7d"]] {
        let err = amy_resending_is_refused(&p, TWO_HOURS_LATER, extra);
        says(
            &err,
            "error: `amy@acme.test` cannot give `bea@acme.test` a new invitation token for role `member` and `billing` and `services` in `Acme Ltd`: it includes capabilities they do not hold (billing.view, billing.payment",
        );
        says(&err, "help: only someone who holds `billing.view` there, such as the account's owner, can give it");
    }
    let bea = p.can(&["bea@acme.test", "billing.payment"]);
    assert_eq!(bea["allowed"], false, "{bea}");
    // The owner holds it all, and revives it.
    let token = p.json_with(
        &["user", "resend-invite", "bea@acme.test"],
        &[("PORTALCTL_AS", OWNER), ("PORTALCTL_NOW", TWO_HOURS_LATER)],
    )["token"]
        .as_str()
        .unwrap()
        .to_string();
    p.json_with(
        &["user", "accept", &token],
        &[("PORTALCTL_NOW", TWO_HOURS_LATER)],
    );
}

#[test]
fn a_member_is_not_shown_a_live_token_to_access_they_do_not_hold() {
    let p = amy_and_bea();
    // Pending, not expired: a resend would print a working token.
    for extra in [&[][..], &["--no-send"]] {
        let err = amy_resending_is_refused(&p, NOW, extra);
        says(&err, "a new invitation token for role `member`");
    }
    // The invitation still works as it was, until it expires.
    assert_eq!(
        p.text("SELECT COUNT(*) FROM invitations WHERE state = 'pending'"),
        "1"
    );
}

#[test]
fn managing_users_alone_cannot_revive_an_expired_admin_invitation() {
    let p = Portal::new();
    p.ok(&[
        "role", "create", "people-desk", "--capabilities", "users.manage", "--account", ACCOUNT,
    ]);
    p.member("desk@acme.test", "people-desk");
    p.ok(&[
        "user", "invite", "--email", "ada@acme.test", "--role", "admin", "--expires-in", "30m",
    ]);
    for now in [NOW, HOUR_LATER] {
        let before = tokens_mail_and_events(&p);
        let err = p.refused_with(
            &["user", "resend-invite", "ada@acme.test", "--no-send"],
            &[("PORTALCTL_AS", "desk@acme.test"), ("PORTALCTL_NOW", now)],
            DENIED,
        );
        says(
            &err,
            "`desk@acme.test` cannot give `ada@acme.test` a new invitation token for role `admin` in `Acme Ltd`",
        );
        assert_eq!(tokens_mail_and_events(&p), before, "{err}");
    }
}

/// The demo, where fiona (an admin of the partner `Acme Ltd`) was made
/// Contoso's external admin and then its owner, by the operator (the
/// customer's own members may not hand her the ownership).
fn fiona_owns_contoso() -> Portal {
    Portal::cached("attacks: fiona owns Contoso as external admin", || {
        let p = demo();
        p.ok(&[
            "--as", "fiona@acme.test", "external-admin", "add", "--customer", "Contoso", "--email",
            "fiona@acme.test", "--role", "admin",
        ]);
        p.ok(&[
            "user", "transfer-ownership", "--to", "fiona@acme.test", "--account", "Contoso",
            "--yes",
        ]);
        p
    })
}

/// The owner cannot be deactivated by the end of her external access,
/// whichever command would end it: each is refused as a conflict that
/// names the account she owns and says to move its ownership first, and
/// changes nothing.
#[test]
fn no_command_ends_the_access_of_a_customer_owner_who_is_there_as_external_admin() {
    let p = fiona_owns_contoso();
    let file = p.db.with_file_name("pruned.json");
    let mut doc = p.json(&["export"]);
    for account in doc["accounts"].as_array_mut().unwrap() {
        account.as_object_mut().unwrap().remove("external_admins");
    }
    std::fs::write(&file, doc.to_string()).unwrap();
    let attempts: [(&str, Vec<&str>); 6] = [
        (
            "carl@contoso.test",
            vec![
                "external-admin", "remove", "--customer", "Contoso", "--email", "fiona@acme.test",
                "--yes",
            ],
        ),
        (
            "fiona@acme.test",
            vec![
                "user", "set-role", "fiona@acme.test", "manager", "--account", "Acme Ltd",
            ],
        ),
        (
            "olive@acme.test",
            vec![
                "user", "set-role", "fiona@acme.test", "user", "--account", "Acme Ltd",
            ],
        ),
        (
            "olive@acme.test",
            vec![
                "user", "deactivate", "fiona@acme.test", "--account", "Acme Ltd", "--yes",
            ],
        ),
        (
            "olive@acme.test",
            vec![
                "user", "left-company", "fiona@acme.test", "--account", "Acme Ltd", "--yes",
            ],
        ),
        (
            "fiona@acme.test",
            vec![
                "external-admin", "add", "--customer", "Contoso", "--email", "fiona@acme.test",
                "--role", "admin", "--until", "2026-12-01T00:00:00Z",
            ],
        ),
    ];
    for (who, args) in &attempts {
        let err = p.refused_as(Some(who), args, CONFLICT);
        says(&err, "`fiona@acme.test` owns `Contoso`");
        says(&err, "transfer-ownership");
    }
    let err = p.refused(
        &["apply", file.to_str().unwrap(), "--prune", "--yes"],
        CONFLICT,
    );
    says(&err, "`fiona@acme.test` owns `Contoso`");
    let fiona = p.json(&["user", "show", "fiona@acme.test", "--account", "Contoso"]);
    assert_eq!(
        (fiona["owner"].as_bool(), fiona["status"].as_str()),
        (Some(true), Some("active"))
    );
}

/// Nobody gives the owner another role in what she owns, not even by
/// adding her again as an external admin with a lesser role: refused as
/// `set-role` is, and she keeps hers.
#[test]
fn re_adding_a_customer_owner_as_external_admin_gives_her_no_other_role() {
    let p = fiona_owns_contoso();
    let args = [
        "external-admin", "add", "--customer", "Contoso", "--email", "fiona@acme.test", "--role",
        "user",
    ];
    for who in [Some("olive@acme.test"), None] {
        let err = p.refused_as(who, &args, CONFLICT);
        says(
            &err,
            "`fiona@acme.test` owns `Contoso` and cannot be given another role",
        );
    }
    let fiona = p.json(&["user", "show", "fiona@acme.test", "--account", "Contoso"]);
    assert_eq!(
        (fiona["owner"].as_bool(), fiona["role"].as_str()),
        (Some(true), Some("admin"))
    );
}

/// A policy named without `--account` that the actor sees in one account
/// alone, where they may not change it, is refused as with `--account`
/// (exit 5), not reported missing; one in no account they see is missing.
#[test]
fn a_policy_seen_but_not_manageable_is_refused_not_missing_without_account() {
    let p = Portal::cached(
        "attacks: demo with una an admin of Fabrikam, a manager of Acme",
        || {
            let p = demo();
            let token = p.invite("una@acme.test", "admin", "Fabrikam");
            p.ok(&["--as", "una@acme.test", "user", "accept", &token]);
            // A manager sees Acme's policies (a user sees none) but may not
            // change them.
            p.ok(&[
                "user", "set-role", "una@acme.test", "manager", "--account", "Acme Ltd",
            ]);
            p
        },
    );
    let una = Some("una@acme.test");
    let policy = "Finance approval over 50";
    p.ok(&["--as", "una@acme.test", "policy", "show", policy]);
    let err = p.refused_as(una, &["policy", "disable", policy], DENIED);
    let named = p.refused_as(
        una,
        &["policy", "disable", policy, "--account", "Acme Ltd"],
        DENIED,
    );
    assert_eq!(error_line(&err), error_line(&named));
    let err = p.refused_as(una, &["policy", "disable", "No such policy"], NOT_FOUND);
    says(
        &err,
        "no policy `No such policy` in any account you may see it in",
    );
}

/// A delegation fiona set, lending olive's deciding to max, never lends
/// deciding on fiona's own order. An export names her as its `set_by`, so
/// that neither a copy made by `export | apply` nor the operator's
/// re-apply of the export with another `until` hands max her order.
#[test]
fn export_and_apply_keep_who_set_a_delegation() {
    let p = demo();
    let fiona = Some("fiona@acme.test");
    let placed = p.json_as(
        fiona,
        &["order", "place", "--description", "F", "--amount", "100"],
    );
    let id = format!("#{}", placed["id"]);
    p.json_as(
        fiona,
        &[
            "order", "delegate", "--for", "olive@acme.test", "--to", "max@acme.test", "--until",
            "7d",
        ],
    );
    let exported = p.ok(&["export"]);
    let copy = Portal::empty();
    let path = copy.db.with_file_name("e.json");
    std::fs::write(&path, &exported).unwrap();
    let file = path.to_str().unwrap();
    copy.ok(&["apply", file]);
    let approve = ["order", "approve", id.as_str()];
    let err = copy.refused_as(Some("max@acme.test"), &approve, DENIED);
    says(
        &err,
        "`fiona@acme.test` set that delegation and placed the order",
    );
    let again = copy.json(&["apply", file]);
    assert_eq!(
        (&again["created"], &again["updated"]),
        (&0.into(), &0.into()),
        "{again}"
    );
    assert_eq!(copy.ok(&["export"]), exported);
    // The operator moves its end: the delegation made again is still
    // fiona's.
    let mut longer: serde_json::Value = serde_json::from_str(&exported).unwrap();
    let delegations = longer["accounts"][0]["delegations"].as_array_mut().unwrap();
    let olive_s = delegations
        .iter_mut()
        .find(|d| d["for"] == "olive@acme.test")
        .unwrap();
    assert_eq!(olive_s["set_by"], "fiona@acme.test");
    olive_s["until"] = "2027-01-01T00:00:00Z".into();
    std::fs::write(&path, longer.to_string()).unwrap();
    let moved = copy.json(&["apply", file]);
    assert_eq!(moved["updated"], 1, "{moved}");
    copy.refused_as(Some("max@acme.test"), &approve, DENIED);
}

/// A member's file names no one else as a delegation's setter: that would
/// pin on them a delegation they never set, and keep their orders out of
/// its reach.
#[test]
fn a_member_s_apply_sets_no_delegation_as_someone_else_s() {
    let p = demo();
    let fiona = Some("fiona@acme.test");
    let mut doc: serde_json::Value =
        serde_json::from_str(&p.run_as(fiona, &["export"]).stdout).unwrap();
    let delegations = doc["accounts"][0]["delegations"].as_array_mut().unwrap();
    delegations.push(serde_json::json!({
        "for": "olive@acme.test", "to": "max@acme.test",
        "from": "2026-12-01T00:00:00Z", "until": "2026-12-08T00:00:00Z",
        "set_by": "olive@acme.test",
    }));
    let at = delegations.len() - 1;
    let path = p.db.with_file_name("olive-set.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let file = path.to_str().unwrap();
    let err = p.refused_as(fiona, &["apply", file], DENIED);
    says(
        &err,
        &format!("error: accounts[0].delegations[{at}].set_by: `fiona@acme.test` may set a delegation only as themselves, not as `olive@acme.test`"),
    );
    // Someone of another account and no one at all are refused alike:
    // the answer tells her nothing of who exists elsewhere.
    for other in ["cleo@contoso.test", "nobody@nowhere.test"] {
        doc["accounts"][0]["delegations"][at]["set_by"] = other.into();
        std::fs::write(&path, doc.to_string()).unwrap();
        let err = p.refused_as(fiona, &["apply", file], DENIED);
        says(
            &err,
            &format!("error: accounts[0].delegations[{at}].set_by: `fiona@acme.test` may set a delegation only as themselves, not as `{other}`"),
        );
    }
    // Naming herself is what leaving it out means: hers.
    doc["accounts"][0]["delegations"][at]["set_by"] = "fiona@acme.test".into();
    std::fs::write(&path, doc.to_string()).unwrap();
    let done = p.json_with(&["apply", file], &[("PORTALCTL_AS", "fiona@acme.test")]);
    assert_eq!(done["created"], 1, "{done}");
    let exported: serde_json::Value = serde_json::from_str(&p.ok(&["export"])).unwrap();
    let made = exported["accounts"][0]["delegations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["for"] == "olive@acme.test")
        .cloned()
        .unwrap();
    assert_eq!(made["set_by"], "fiona@acme.test", "{made}");
}

/// A member's file naming a newcomer as owner is refused with help that
/// leads somewhere: invite them, and name them owner once they accepted
/// (an invited owner is refused too: an owner must be active).
#[test]
fn a_member_s_file_making_a_newcomer_owner_is_told_the_way_there() {
    let p = demo();
    let olive = Some("olive@acme.test");
    let mut doc: serde_json::Value =
        serde_json::from_str(&p.run_as(olive, &["export"]).stdout).unwrap();
    doc["accounts"][0]["owner"] = "newbie@acme.test".into();
    let path = p.db.with_file_name("newbie-owner.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let err = p.refused_as(olive, &["apply", path.to_str().unwrap()], DENIED);
    assert_eq!(
        error_line(&err),
        "error: accounts[0].owner: `olive@acme.test` may not make `newbie@acme.test` the owner of `Acme Ltd`: they have not joined it, and a member joins by accepting an invitation"
    );
    says(&err, "once they have accepted, name them as `owner`");
    // Following it: invited, the owner left as it is.
    doc["accounts"][0]["owner"] = "olive@acme.test".into();
    doc["accounts"][0]["users"].as_array_mut().unwrap().push(
        serde_json::json!({"email": "newbie@acme.test", "role": "admin", "status": "invited"}),
    );
    std::fs::write(&path, doc.to_string()).unwrap();
    let done = p.json_with(
        &["apply", path.to_str().unwrap()],
        &[("PORTALCTL_AS", "olive@acme.test")],
    );
    assert_eq!(done["created"], 1, "{done}");
}

/// Activating someone gives back their areas with their role: a refusal
/// names both, not the role alone for capabilities that come from areas.
#[test]
fn an_activation_refused_names_the_areas_it_would_give_back() {
    let p = customer_area_demo();
    let ada = Some("ada@fjord.test");
    p.json_as(ada, &["user", "deactivate", "--yes", "bill@fjord.test"]);
    let err = p.refused_as(ada, &["user", "activate", "bill@fjord.test"], DENIED);
    says(
        error_line(&err),
        "`ada@fjord.test` cannot give `bill@fjord.test` role `member` and `billing` and `support` in `Fjord Web AS`",
    );
}

/// Account names are one namespace for the whole database, so a partner's
/// admin cannot take a name another partner's customer holds; the refusal
/// says only that the name is not available, by hand and in a file, and
/// nothing of the account: not that it exists, nor its kind or partner.
#[test]
fn a_name_another_partners_customer_holds_is_only_not_available() {
    let p = demo();
    p.ok(&["account", "create", "Globex", "--kind", "partner"]);
    p.ok(&[
        "account", "create", "Initech", "--kind", "customer", "--parent", "Globex",
    ]);
    let fiona = Some("fiona@acme.test");
    for name in ["Initech", "INITECH"] {
        let err = p.refused_as(
            fiona,
            &[
                "account", "create", name, "--kind", "customer", "--parent", "Acme Ltd",
            ],
            CONFLICT,
        );
        assert_eq!(
            error_line(&err),
            format!("error: the account name `{name}` is not available")
        );
        assert!(!err.contains("exist") && !err.contains("Globex"), "{err}");
    }
    let dir = scratch_dir();
    let file = dir.path().join("f.json");
    let fixture = serde_json::json!({"accounts": [
        {"name": "Initech", "kind": "customer", "parent": "Acme Ltd"}
    ]});
    std::fs::write(&file, fixture.to_string()).unwrap();
    let err = p.refused_as(
        fiona,
        &["apply", "--dry-run", file.to_str().unwrap()],
        CONFLICT,
    );
    says(
        error_line(&err),
        "the account name `Initech` is not available",
    );
    assert!(!err.contains("exist") && !err.contains("Globex"), "{err}");
    // Who sees the account is told it exists, as before.
    let err = p.refused(
        &[
            "account", "create", "initech", "--kind", "customer", "--parent", "Acme Ltd",
        ],
        CONFLICT,
    );
    says(error_line(&err), "account `initech` already exists");
}

/// Adding a service needs sight of all the account's services (a new
/// name must differ from each): a member who sees only those assigned to
/// them is refused alike for a hidden service's name and a free one. A
/// member who sees only their own orders is told a reference another
/// order holds is taken, nothing of the order.
#[test]
fn hidden_services_and_orders_are_not_confirmed_by_their_names() {
    let p = demo();
    let fiona = Some("fiona@acme.test");
    let una = Some("una@acme.test");
    p.json_as(
        fiona,
        &[
            "role",
            "create",
            "svc",
            "--capabilities",
            "portal.access,account.view,services.view_assigned,services.assign",
        ],
    );
    p.json_as(fiona, &["user", "set-role", "una@acme.test", "svc"]);
    let mut said = Vec::new();
    for name in ["Leased line Leeds", "Unused name"] {
        let err = p.refused_as(una, &["service", "add", "--name", name], DENIED);
        said.push(err.replace(name, "N"));
    }
    assert_eq!(said[0], said[1]);
    says(&said[0], "services.view_all");

    p.json_as(
        fiona,
        &[
            "role",
            "create",
            "buyer",
            "--capabilities",
            "portal.access,account.view,orders.place",
        ],
    );
    p.json_as(fiona, &["user", "set-role", "una@acme.test", "buyer"]);
    p.refused_as(una, &["order", "show", "PO-1001"], NOT_FOUND);
    let err = p.refused_as(
        una,
        &[
            "order", "place", "--description", "x", "--amount", "5.00", "--ref", "po-1001",
        ],
        CONFLICT,
    );
    assert_eq!(
        error_line(&err),
        "error: the order reference `po-1001` is taken in `Acme Ltd`"
    );
    assert!(!err.contains("already has an order"), "{err}");
    // Who sees the order is told it is one, as before.
    let err = p.refused_as(
        fiona,
        &[
            "order", "place", "--description", "x", "--amount", "5.00", "--ref", "po-1001",
        ],
        CONFLICT,
    );
    says(
        error_line(&err),
        "`Acme Ltd` already has an order `po-1001`",
    );
}
