//! Which account a command means when `--account` is left out: among the
//! actor's accounts, only those where they may do what it does. A member
//! who may do it in none is refused as lacking the capability (exit 5),
//! however many accounts they belong to; one who may in several is asked
//! which, told only those; an invitation not accepted gives no standing.

use crate::support::{error_line, says, Portal, ACCOUNT, DENIED, USAGE};

const UNA: &str = "una@acme.test";

/// Una, a plain user of `Acme Ltd` and of `Initech`; Max, a manager of
/// `Acme Ltd`.
fn una_in_two() -> Portal {
    Portal::cached("una, a user in two accounts", || {
        let p = Portal::with_preset("portal");
        p.ok(&["account", "create", "Initech", "--kind", "customer"]);
        p.member(UNA, "user");
        p.member_in(UNA, "user", "Initech");
        p.member("max@acme.test", "manager");
        p
    })
}

/// Every command that acts in (or reads) one account picks it without
/// `--account`: run by Una, who may do none of them anywhere, each is
/// refused as lacking its capability, never asked which account. A new
/// command that resolves its account without saying what it needs fails
/// here.
#[test]
fn a_member_who_may_act_nowhere_is_refused_as_lacking_the_capability() {
    let p = una_in_two();
    let rows: &[(&[&str], &str)] = &[
        (
            &["order", "place", "--description", "x", "--amount", "5"],
            "orders.place",
        ),
        (
            &[
                "order", "delegate", "--to", "max@acme.test", "--until", "2d",
            ],
            "orders.approve",
        ),
        (
            &["role", "create", "foo", "--capabilities", "account.view"],
            "users.manage",
        ),
        (&["role", "delete", "user"], "users.manage"),
        (&["account", "payment", "show"], "billing.view"),
        (
            &["account", "payment", "set", "--method", "invoice"],
            "billing.payment",
        ),
        (
            &["user", "set-role", "max@acme.test", "admin"],
            "users.manage",
        ),
        (&["user", "deactivate", "max@acme.test"], "users.manage"),
        (
            &[
                "user", "invite", "zed@acme.test", "--role", "user", "--no-send",
            ],
            "users.manage",
        ),
        (
            &[
                "user", "flag-duplicate", "max@acme.test", "--of", "owner@acme.test",
            ],
            "users.manage",
        ),
        (&["user", "show", "max@acme.test"], "users.view"),
        (
            &["user", "edit", "max@acme.test", "--name", "Max"],
            "users.manage",
        ),
        (&["user", "list"], "users.view"),
        (&["export"], "users.view"),
        (
            &["policy", "create", "--name", "Big", "--threshold", "100"],
            "policies.manage",
        ),
        (&["service", "add", "--name", "Line 1"], "services.assign"),
        (
            &["cost-centre", "create", "CC9", "--name", "Ops"],
            "cost_centres.manage",
        ),
    ];
    for (args, cap) in rows {
        let said = p.refused_as(Some(UNA), args, DENIED);
        let line = said.lines().next().unwrap_or_default();
        assert!(
            line.contains(&format!("`{cap}`")) && line.contains(UNA),
            "`{}`: {said}",
            args.join(" ")
        );
    }
}

/// An invitation not accepted gives no standing: a manager of `Acme Ltd`
/// invited to `Initech` still places her orders in `Acme Ltd`, and Una,
/// invited there too, is still refused.
#[test]
fn an_invitation_not_accepted_makes_no_account_meant() {
    let p = Portal::new();
    p.ok(&["account", "create", "Initech", "--kind", "customer"]);
    p.member("mia@acme.test", "manager");
    p.invite("mia@acme.test", "manager", "Initech");
    p.member(UNA, "user");
    p.invite(UNA, "manager", "Initech");
    let order = p.json_as(
        Some("mia@acme.test"),
        &["order", "place", "--description", "x", "--amount", "5"],
    );
    assert_eq!(order["account"], ACCOUNT, "{order}");
    let said = p.refused_as(
        Some(UNA),
        &["order", "place", "--description", "x", "--amount", "5"],
        DENIED,
    );
    assert!(said.contains("`orders.place`"), "{said}");
}

/// One who may act in two of their three accounts is asked which, told
/// only those two; the operator is asked to pass --account as ever.
#[test]
fn several_accounts_meant_are_asked_for_naming_only_those() {
    let p = Portal::new();
    p.ok(&["account", "create", "Initech", "--kind", "customer"]);
    p.ok(&["account", "create", "Globex", "--kind", "customer"]);
    p.member("mo@acme.test", "manager");
    p.member_in("mo@acme.test", "manager", "Initech");
    p.member_in("mo@acme.test", "user", "Globex");
    let place = ["order", "place", "--description", "x", "--amount", "5"];
    let said = p.refused_as(Some("mo@acme.test"), &place, USAGE);
    assert!(said.contains("several accounts could be meant"), "{said}");
    assert!(
        said.contains("`Acme Ltd`") && said.contains("`Initech`"),
        "{said}"
    );
    assert!(!said.contains("Globex"), "{said}");
    let said = p.refused(&place, USAGE);
    assert!(said.contains("pass --account"), "{said}");
}

/// A member refused in all of their accounts hears the refusal of one
/// where they are active, not of one they are only invited to.
#[test]
fn a_refusal_everywhere_comes_from_where_the_member_is_active() {
    let p = Portal::new();
    p.ok(&["account", "create", "Beta", "--kind", "customer"]);
    p.ok(&[
        "user", "invite", "ann@x.test", "--role", "user", "--account", ACCOUNT, "--no-send",
    ]);
    let invited = p.json(&[
        "user", "invite", "ann@x.test", "--role", "user", "--account", "Beta", "--no-send",
    ]);
    p.ok(&["user", "accept", invited["token"].as_str().unwrap()]);
    let ann = Some("ann@x.test");
    for args in [
        &["policy", "create", "--name", "Big", "--threshold", "50.00"][..],
        &["user", "invite", "zed@x.test", "--no-send"][..],
        &["user", "list"][..],
    ] {
        let err = p.refused_as(ann, args, DENIED);
        says(error_line(&err), "in `Beta`");
        assert!(!err.contains("not accepted"), "{err}");
    }
}

/// A name two accounts have is refused with those two to choose from,
/// not every account of the database.
#[test]
fn several_accounts_could_be_meant_names_only_those_that_have_it() {
    let p = Portal::init("portal");
    p.ok(&["account", "create", "Contoso", "--kind", "partner"]);
    p.ok(&[
        "account", "create", "Fabrikam", "--kind", "customer", "--parent", "Contoso",
    ]);
    for account in [ACCOUNT, "Contoso"] {
        p.ok(&["service", "add", "--name", "Line 1", "--account", account]);
    }
    let err = p.refused(&["service", "show", "Line 1"], USAGE);
    assert!(err.contains("several accounts could be meant"), "{err}");
    assert!(
        err.contains("the accounts with the service `Line 1`: `Acme Ltd`, `Contoso`"),
        "{err}"
    );
    assert!(!err.contains("Fabrikam"), "{err}");
}
