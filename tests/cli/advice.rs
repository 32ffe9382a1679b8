//! Refusals whose help gives a command that works for the member it is
//! about (issue 11): an external admin's own way, `--account` for a member
//! of several accounts, an ownerless account's real way to an owner; and
//! what a role's deletion keeps once its last holder left.

use super::support::*;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json");

/// The demo database (`apply examples/demo.json`).
fn demo() -> Portal {
    Portal::cached("apply examples/demo.json", || {
        let p = Portal::empty();
        p.ok(&["apply", DEMO]);
        p
    })
}

/// The demo with fiona@acme.test (of Acme Ltd) an external `admin` of
/// Contoso.
fn fiona_external() -> Portal {
    let p = demo();
    p.run_as(
        Some("olive@acme.test"),
        &[
            "external-admin", "add", "fiona@acme.test", "--customer", "Contoso", "--role", "admin",
        ],
    );
    p
}

/// Findings E4: an external admin's role ends through `external-admin
/// add --until`, the command the help gives; set-role's two steps would be
/// refused for them.
#[test]
fn an_external_admins_end_is_set_where_the_help_says() {
    let p = fiona_external();
    let carl = Some("carl@contoso.test");
    let err = p.refused_as(
        carl,
        &[
            "user", "set-role", "fiona@acme.test", "admin", "--until", "2d", "--yes",
        ],
        4,
    );
    says(
        &err,
        "`portalctl external-admin add fiona@acme.test --customer Contoso --role admin --until ",
    );
    assert!(
        !err.contains("user set-role fiona@acme.test no-access"),
        "{err}"
    );
    let line = err
        .split('`')
        .find(|w| w.starts_with("portalctl external-admin"))
        .unwrap();
    let words = shell_words(line);
    let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
    assert_eq!(p.run_as(carl, &args).code, 0, "{line}");
    let shown = p.ok(&["user", "show", "fiona@acme.test", "--account", "Contoso"]);
    says(&shown, "external until");
}

/// Findings E4: set-role's own advice, for a member of several accounts,
/// names the account, so that pasting it is not refused as ambiguous.
#[test]
fn set_role_advice_names_the_account_of_a_member_of_several() {
    let p = demo();
    p.member_in("fiona@acme.test", "user", "Contoso");
    let err = p.refused(
        &[
            "user", "set-role", "fiona@acme.test", "admin", "--until", "2d", "--account",
            "Acme Ltd", "--yes",
        ],
        4,
    );
    for pasted in err.split('`').filter(|w| w.starts_with("portalctl ")) {
        assert!(pasted.contains("--account 'Acme Ltd'"), "{pasted}\n{err}");
    }
}

/// Findings E10: demoted in the partner but active there, an external
/// admin is told why their access ended and the lesser role that comes
/// back.
#[test]
fn an_external_admin_demoted_in_the_partner_is_told_the_true_way_back() {
    let p = fiona_external();
    p.run_as(
        Some("olive@acme.test"),
        &[
            "user", "set-role", "fiona@acme.test", "manager", "--account", "Acme Ltd", "--yes",
        ],
    );
    let err = p.refused_as(
        Some("fiona@acme.test"),
        &["user", "list", "--account", "Contoso"],
        5,
    );
    assert!(!err.contains("once they are active there again"), "{err}");
    says(
        &err,
        "where their role `manager` no longer holds all that `admin` gives",
    );
    says(
        &err,
        "`portalctl external-admin add fiona@acme.test --customer Contoso --role ROLE`",
    );
    p.ok(&[
        "external-admin", "add", "fiona@acme.test", "--customer", "Contoso", "--role", "user",
    ]);
}

/// Findings B11: an account `account create` made has no owner; its admin
/// asking for the ownership is told that only the operator gives one, and
/// the command.
#[test]
fn an_ownerless_account_says_who_gives_it_an_owner() {
    let p = demo();
    p.run_as(
        Some("olive@acme.test"),
        &[
            "account", "create", "Zeta", "--kind", "customer", "--parent", "Acme Ltd",
        ],
    );
    p.member_in("z@zeta.test", "admin", "Zeta");
    let args = [
        "user", "transfer-ownership", "--to", "z@zeta.test", "--account", "Zeta", "--yes",
    ];
    let err = p.refused_as(Some("z@zeta.test"), &args, 5);
    says(
        &err,
        "`Zeta` has no owner yet: only the operator can give it one",
    );
    says(
        &err,
        "`portalctl user transfer-ownership --to z@zeta.test --account Zeta`",
    );
    assert!(!err.contains("ask its owner"), "{err}");
    p.ok(&args);
}

/// Findings E12: a role last held by a member who left, or was merged
/// away, is deleted; `role list` counted 0 and the deletion agrees; the
/// leaver's history still names it.
#[test]
fn a_role_whose_holders_left_or_were_merged_is_deleted() {
    for gone in ["left", "merged"] {
        let p = demo();
        let olive = Some("olive@acme.test");
        p.run_as(
            olive,
            &["role", "create", "clerk", "--capabilities", "tickets.view"],
        );
        p.run_as(
            olive,
            &["user", "set-role", "una@acme.test", "clerk", "--yes"],
        );
        p.run_as(
            olive,
            &["user", "set-role", "max@acme.test", "clerk", "--yes"],
        );
        let count = || {
            let roles = p.json(&["role", "list", "--json"]);
            roles
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["name"] == "clerk")
                .unwrap()["members"]
                .as_i64()
                .unwrap()
        };
        match gone {
            "left" => p.ok(&[
                "user", "left-company", "una@acme.test", "--unassign", "--yes",
            ]),
            _ => p.ok(&[
                "user", "merge", "una@acme.test", "--into", "ada@acme.test", "--yes",
            ]),
        };
        assert_eq!(count(), 1, "{gone}");
        let err = p.refused(
            &["role", "delete", "clerk", "--account", "Acme Ltd", "--yes"],
            4,
        );
        says(
            &err,
            "held by 1 membership(s): `max@acme.test` in `Acme Ltd`",
        );
        assert!(!err.contains("una@"), "{gone}: {err}");
        p.ok(&["user", "set-role", "max@acme.test", "user", "--yes"]);
        assert_eq!(count(), 0, "{gone}");
        p.ok(&["role", "delete", "clerk", "--account", "Acme Ltd", "--yes"]);
        if gone == "left" {
            says(&p.ok(&["user", "history", "una@acme.test"]), "clerk");
        }
    }
}

/// Findings E9: a creator made `user` reads their own order's progress
/// but not the approval policies' names nor who may decide it.
#[test]
fn a_creator_made_user_reads_counts_not_policies_or_approvers() {
    let p = demo();
    p.run_as(
        Some("olive@acme.test"),
        &["user", "set-role", "max@acme.test", "user", "--yes"],
    );
    let max = Some("max@acme.test");
    p.refused_as(max, &["policy", "show", "Hardware over 500"], 5);
    let run = p.run_as(max, &["order", "show", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let shown = run.stdout;
    says(&shown, "an approval policy: 0 of 1 approvals");
    assert!(!shown.contains("Finance approval"), "{shown}");
    assert!(
        !shown.contains("fiona@") && !shown.contains("olive@"),
        "{shown}"
    );
    says(&shown, "an approver of `Acme Ltd`");
    let json = p.json_as(max, &["order", "show", "1", "--json"]);
    assert_eq!(json["policies"][0]["name"], "");
    assert!(json.get("deciders").is_none(), "{json}");
}
