//! `account`.

use crate::support::{
    error_line, says, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, OWNER, SUCCESS, USAGE,
};

#[test]
fn account_show_prints_the_details() {
    let p = Portal::new();
    let v = p.json(&["account", "show"]);
    assert_eq!(v["name"], ACCOUNT);
    assert_eq!(v["kind"], "customer");
    assert_eq!(v["parent"], serde_json::Value::Null);
    assert_eq!(v["currency"], "GBP");
    assert_eq!(v["owner"], OWNER);
    assert_eq!(v["active_members"], 1);
    let table = p.ok(&["account", "show", "acme ltd"]);
    assert!(
        table.contains("owner@acme.test") && table.contains("currency"),
        "{table}"
    );
}

#[test]
fn account_set_changes_and_clears_profile_fields_with_an_audit_event() {
    let p = Portal::with_preset("moodle");
    let v = p.json(&[
        "account", "set", ACCOUNT, "--phone", "+44 20 7946 0000", "--sectors", "Education",
    ]);
    assert_eq!(v["phone"], "+44 20 7946 0000");
    assert_eq!(v["sectors"], "Education");
    let v = p.json(&["account", "set", ACCOUNT, "--phone", ""]);
    assert_eq!(v["phone"], serde_json::Value::Null);
    assert_eq!(v["sectors"], "Education");
    assert_eq!(
        p.query("SELECT COUNT(*) FROM audit_events WHERE action = 'account.set'"),
        "Integer(2)"
    );
    // The same values again change nothing and record nothing.
    p.ok(&["account", "set", ACCOUNT, "--sectors", "Education"]);
    assert_eq!(
        p.query("SELECT COUNT(*) FROM audit_events WHERE action = 'account.set'"),
        "Integer(2)"
    );
    // Marketing "can edit partner details (contact info, marketing messages, sectors served)".
    p.member("mia@acme.test", "marketing");
    let v = p.json_as(
        Some("mia@acme.test"),
        &["account", "set", "--marketing", "Moodle experts"],
    );
    assert_eq!(v["marketing"], "Moodle experts");
    p.member("sam@acme.test", "staff");
    p.refused_as(
        Some("sam@acme.test"),
        &["account", "set", "--marketing", "x"],
        DENIED,
    );
    p.refused(&["account", "set", ACCOUNT], USAGE);
}

#[test]
fn account_list_shows_partners_then_their_customers() {
    let p = Portal::with_preset("msp");
    p.ok(&[
        "account", "create", "Zeta MSP", "--kind", "partner", "--currency", "eur",
    ]);
    let v = p.json(&[
        "account", "create", "Beta Corp", "--kind", "customer", "--parent", "Zeta MSP",
    ]);
    assert_eq!(v["parent"], "Zeta MSP");
    assert_eq!(
        v["currency"], "EUR",
        "a customer takes its partner's currency"
    );
    p.customer("Alpha Corp");
    let list = p.json(&["account", "list"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [ACCOUNT, "Alpha Corp", "Zeta MSP", "Beta Corp"]);
    let table = p.ok(&["account", "list"]);
    assert!(
        table.contains("  Alpha Corp"),
        "customers are indented under their partner:\n{table}"
    );
    // A member sees only their own account.
    p.member("ann@acme.test", "msp-user");
    let mine = p.json_as(Some("ann@acme.test"), &["account", "list"]);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    // So does a member of a customer whose partner they do not see: once.
    p.member_in("cat@beta.test", "msp-user", "Beta Corp");
    let theirs = p.json_as(Some("cat@beta.test"), &["account", "list"]);
    let names: Vec<&str> = theirs
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Beta Corp"]);
}

#[test]
fn account_create_refuses_bad_shapes() {
    let p = Portal::with_preset("lmp");
    assert!(p
        .refused(
            &["account", "create", ACCOUNT, "--kind", "partner"],
            CONFLICT
        )
        .contains("already exists"));
    assert!(p
        .refused(
            &["account", "create", "X", "--kind", "partner", "--parent", ACCOUNT],
            USAGE
        )
        .contains("only a customer"));
    assert!(p
        .refused(
            &["account", "create", "X", "--kind", "customer", "--parent", "Nope"],
            NOT_FOUND
        )
        .contains("no account `Nope`"));
    assert!(p
        .refused(&["account", "create", "  ", "--kind", "partner"], USAGE)
        .contains("must not be empty"));
    p.member("al@acme.test", "partner-allocator");
    // "Partner Allocator: can add and manage customers".
    p.json_as(
        Some("al@acme.test"),
        &[
            "account", "create", "Cust", "--kind", "customer", "--parent", ACCOUNT,
        ],
    );
    let err = p.refused_as(
        Some("al@acme.test"),
        &["account", "create", "Top", "--kind", "partner"],
        DENIED,
    );
    assert!(err.contains("only the operator"), "{err}");
}

/// The warning names a new account as it is stored: typed with a
/// no-break space, it is stored with a plain one (every space of a name
/// reads as one), and the warning and its command say so, not what was
/// typed.
#[test]
fn the_admin_warning_names_the_account_as_stored() {
    let p = Portal::new();
    let created = p.run(&["account", "create", "Beta\u{a0}Co", "--kind", "customer"]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let stored = p.text("SELECT name FROM accounts WHERE name_key = 'beta co'");
    assert_eq!(stored, "Beta Co");
    crate::support::says(
        &created.stderr,
        "warning: `Beta Co` has no member who manages its users yet; invite one: `portalctl user invite EMAIL --account 'Beta Co' --role admin`",
    );
    assert!(!created.stderr.contains('\u{a0}'), "{}", created.stderr);
}

/// A new account has no member who manages its users: `account create`
/// says so with the invitation that gives it one, which works as pasted
/// (but for the email).
#[test]
fn account_create_says_how_to_give_the_new_account_an_admin() {
    let p = Portal::new();
    let created = p.run(&["account", "create", "Fabrikam", "--kind", "customer"]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let step = "portalctl user invite EMAIL --account Fabrikam --role admin";
    assert_eq!(
        created.stderr.trim_end(),
        format!(
            "warning: `Fabrikam` has no member who manages its users yet; invite one: `{step}`"
        )
    );
    p.ok(&[
        "user", "invite", "fay@fabrikam.test", "--account", "Fabrikam", "--role", "admin",
        "--no-send",
    ]);
}

/// A partner's member who creates a customer is no member of it and may
/// not invite into it: the warning names who may (the partner's holders
/// of `external_admins.manage`, once they give themselves access, or the
/// operator), and the command works as the operator runs it.
#[test]
fn account_create_by_a_partner_member_names_the_operator_as_who_invites() {
    let p = Portal::with_preset("lmp");
    p.member("al@acme.test", "partner-allocator");
    let created = p.run_as(
        Some("al@acme.test"),
        &[
            "account", "create", "Contoso", "--kind", "customer", "--parent", ACCOUNT,
        ],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let step = "portalctl user invite EMAIL --account Contoso --role partner-administrator";
    assert_eq!(
        created.stderr.trim_end(),
        format!(
            "warning: `Contoso` has no member who manages its users yet; `owner@acme.test` (the owner), holding `external_admins.manage` in `Acme Ltd`, can give themselves access to it and invite one, as can the operator who owns the database, without --as: `{step}`"
        )
    );
    let invite = [
        "user", "invite", "fay@contoso.test", "--account", "Contoso", "--role",
        "partner-administrator", "--no-send",
    ];
    p.refused_as(Some("al@acme.test"), &invite, DENIED);
    p.ok(&invite);
}

/// Finding A11: Moodle's marketing edits the partner's details but neither
/// makes herself its billing contact (003: "Does not have access to
/// financial (royalty invoices) information") nor renames it; a
/// customer-area member with account administration alone sets no billing
/// contact either (004 lists Billing apart).
#[test]
fn the_billing_contact_and_the_name_need_more_than_editing_details() {
    let p = Portal::with_preset("moodle");
    let mia = "mia@acme.test";
    p.member(mia, "marketing");
    let before = p.dump();
    let err = p.refused_as(
        Some(mia),
        &["account", "set", "--billing-contact", mia],
        DENIED,
    );
    assert!(err.contains("billing.payment"), "{err}");
    let err = p.refused_as(
        Some(mia),
        &["account", "set", "--name", "Evil GmbH"],
        DENIED,
    );
    assert!(err.contains("account.config"), "{err}");
    // One field she may not change refuses the whole change.
    p.refused_as(
        Some(mia),
        &[
            "account", "set", "--sectors", "Education", "--billing-contact", mia,
        ],
        DENIED,
    );
    assert_eq!(p.dump(), before);
    let v = p.json_as(Some(mia), &["account", "set", "--sectors", "Education"]);
    assert_eq!(v["sectors"], "Education");
    // The principal holds every right, financial elements included.
    p.member("pia@acme.test", "principal");
    let v = p.json_as(
        Some("pia@acme.test"),
        &[
            "account", "set", "--billing-contact", "pia@acme.test", "--name", "Acme Two",
        ],
    );
    assert_eq!(v["billing_contact"], "pia@acme.test");
    assert_eq!(v["name"], "Acme Two");

    let p = Portal::with_preset("customer-area");
    let ada = "ada@acme.test";
    p.member(ada, "member");
    p.ok(&["user", "grant", ada, "account-admin"]);
    p.refused_as(
        Some(ada),
        &["account", "set", "--billing-contact", ada],
        DENIED,
    );
    let v = p.json_as(Some(ada), &["account", "set", "--phone", "0113 496 0000"]);
    assert_eq!(v["phone"], "0113 496 0000");
    p.ok(&["user", "grant", ada, "billing"]);
    let v = p.json_as(Some(ada), &["account", "set", "--billing-contact", ada]);
    assert_eq!(v["billing_contact"], ada);
}

/// Findings A13 / N4 and A3: Moodle's marketing edits the partner's
/// details (003: "contact info, marketing messages, sectors served") but
/// not its partner status, the vendor's classification of the partner
/// (002 only displays it), which no member sets, the principal neither
/// (findings C10);
/// and a customer-area member with the billing area alone (no account
/// administration) sets no billing contact, which is part of the profile
/// as well as a financial element. In `account set` and `apply` alike.
#[test]
fn the_partner_status_and_the_billing_contact_need_their_own_rights() {
    let p = Portal::with_preset("moodle");
    let mia = "mia@acme.test";
    p.member(mia, "marketing");
    p.member("pia@acme.test", "principal");
    let before = p.dump();
    let err = p.refused_as(Some(mia), &["account", "set", "--status", "Sales"], DENIED);
    says(
        error_line(&err),
        "the partner status is the vendor's classification; a partner's members cannot set it",
    );
    p.refused_as(
        Some(mia),
        &["account", "set", "--phone", "0", "--status", "Sales"],
        DENIED,
    );
    let file = r#"{"accounts": [{"name": "Acme Ltd", "profile": {"status": "Sales"}}]}"#;
    for who in [mia, "pia@acme.test"] {
        let run = p.apply_stdin(&[], &[("PORTALCTL_AS", who)], file);
        assert_eq!(run.code, DENIED, "{}", run.stderr);
        says(error_line(&run.stderr), "accounts[0].profile.status");
        says(error_line(&run.stderr), "a partner's members cannot set it");
    }
    assert_eq!(p.dump(), before, "refusals change nothing");
    let run = p.apply_stdin(&[], &[], file);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert_eq!(p.json(&["account", "show"])["partner_status"], "Sales");

    let p = Portal::with_preset("customer-area");
    let bea = "bea@acme.test";
    p.member(bea, "member");
    p.ok(&["user", "grant", bea, "billing"]);
    let err = p.refused_as(
        Some(bea),
        &["account", "set", "--billing-contact", bea],
        DENIED,
    );
    says(error_line(&err), "needs `account.edit`");
    p.ok(&["user", "grant", bea, "account-admin"]);
    let v = p.json_as(Some(bea), &["account", "set", "--billing-contact", bea]);
    assert_eq!(v["billing_contact"], bea);
}
