//! An account someone is only invited to gives them nothing yet (N#16,
//! A#1): it neither keeps an admin of an account they joined from
//! renaming or flagging them, nor shows through any answer. A contact an
//! admin's account has only invited reads alike, whether the address has
//! joined another account or none.

use crate::support::{Portal, ACCOUNT, DENIED, SUCCESS, USAGE};

const ADMIN: &str = "adm@acme.test";
const BEA: &str = "bea@acme.test";
const ANN: &str = "ann@acme.test";

/// Acme Ltd with an admin and two users, and a customer `Other` with an
/// admin of its own, none of whom Acme's admin can see.
fn portal() -> Portal {
    Portal::cached("joined accounts", || {
        let p = Portal::init("portal");
        p.member(ADMIN, "admin");
        p.member(BEA, "user");
        p.member(ANN, "user");
        p.ok(&["account", "create", "Other", "--kind", "customer"]);
        p.member_in("carl@other.test", "admin", "Other");
        p
    })
}

/// Exit code, stdout and stderr of `args` as Acme's admin, with `who`'s
/// address read as `WHO`: two answers about two people compare equal
/// when they tell the admin the same.
fn answer(p: &Portal, who: &str, args: &[&str]) -> String {
    let run = p.run_as(Some(ADMIN), args);
    format!("{} {} {}", run.code, run.stdout, run.stderr).replace(who, "WHO")
}

/// N#16: renaming or flagging an active member of the admin's account is
/// not refused because another account has merely invited them.
#[test]
fn another_accounts_invitation_does_not_stop_an_admin() {
    let p = portal();
    p.ok(&[
        "user", "invite", BEA, "--role", "user", "--account", "Other",
    ]);
    let mut answers = Vec::new();
    for who in [BEA, ANN] {
        let renamed = answer(
            &p,
            who,
            &["user", "edit", who, "--name", "New Name", "--json"],
        );
        let flagged = answer(
            &p,
            who,
            &[
                "user", "flag-duplicate", who, "--of", "owner@acme.test", "--json",
            ],
        );
        assert!(renamed.starts_with("0 "), "{renamed}");
        assert!(flagged.starts_with("0 "), "{flagged}");
        answers.push((renamed, flagged));
    }
    assert_eq!(answers[0], answers[1]);
    // Other still knows Bea by its invitation, which gave no name.
    let shown = p.json_as(
        Some("carl@other.test"),
        &["user", "show", BEA, "--account", "Other"],
    );
    assert_eq!(shown["name"], serde_json::Value::Null, "{shown}");
}

/// Where the rule still refuses (Bea joins Other), it says nothing of
/// Other: the same words as for a member of an account the admin sees
/// but does not manage.
#[test]
fn the_refusal_names_no_account() {
    let p = portal();
    let token = p.json(&[
        "user", "invite", BEA, "--role", "user", "--account", "Other",
    ])["token"]
        .as_str()
        .unwrap()
        .to_string();
    p.ok(&["user", "accept", &token]);
    for args in [
        vec!["user", "edit", BEA, "--name", "New Name"],
        vec!["user", "flag-duplicate", BEA, "--of", ANN],
    ] {
        let said = p.refused_as(Some(ADMIN), &args, DENIED);
        assert!(!said.contains("Other"), "{said}");
        assert!(said.contains("in every account they belong to"), "{said}");
    }
}

/// N#16 (lmp) and A#1: contacts the admin's account has only invited
/// answer alike, whether the address is new, also invited elsewhere, or
/// has joined another account: `flag-duplicate` is refused in the same
/// words, and `edit --name` names the invitation.
#[test]
fn an_invited_contact_answers_alike_whoever_it_is_elsewhere() {
    let p = portal();
    p.ok(&[
        "user", "invite", "bob2@other.test", "--role", "user", "--account", "Other",
    ]);
    let mut answers = Vec::new();
    for who in ["new@other.test", "bob2@other.test", "carl@other.test"] {
        p.json_as(
            Some(ADMIN),
            &["user", "invite", who, "--role", "user", "--no-send"],
        );
        let flagged = answer(&p, who, &["user", "flag-duplicate", who, "--of", ANN]);
        let renamed = answer(&p, who, &["user", "edit", who, "--name", "Label", "--json"]);
        let shown = answer(&p, who, &["user", "show", who, "--json"]);
        assert!(flagged.starts_with(&format!("{DENIED} ")), "{flagged}");
        assert!(renamed.starts_with(&format!("{SUCCESS} ")), "{renamed}");
        answers.push((flagged, renamed, shown));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
    // The operator (support) flags whom they like.
    p.ok(&[
        "user", "flag-duplicate", "new@other.test", "--of", ANN, "--account", ACCOUNT,
    ]);
}

/// A#9: an invitation, pending or revoked, shows none of the inviting
/// account's custom roles: `role list`, `role show` and completion of a
/// role as the invitee name only the roles of accounts they joined.
#[test]
fn an_invitation_shows_none_of_the_accounts_roles() {
    let p = portal();
    let carl = Some("carl@other.test");
    p.json_as(
        carl,
        &[
            "role", "create", "other-hidden-ops", "--capabilities", "users.view",
        ],
    );
    let bea = Some(BEA);
    let unseen = |when: &str| {
        let listed = p.run_as(bea, &["role", "list"]);
        assert_eq!(listed.code, SUCCESS, "{when}: {}", listed.stderr);
        assert!(
            !listed.stdout.contains("other-hidden-ops"),
            "{when}: {}",
            listed.stdout
        );
        let shown = p.refused_as(bea, &["role", "show", "other-hidden-ops"], USAGE);
        assert!(
            shown.contains("unknown role `other-hidden-ops`"),
            "{when}: {shown}"
        );
        let offered = p.run_with(
            &["--", "portalctl", "--as", BEA, "role", "show", ""],
            &[
                ("PORTALCTL_COMPLETE", "bash"),
                ("_CLAP_IFS", "\n"),
                ("_CLAP_COMPLETE_INDEX", "5"),
                ("_CLAP_COMPLETE_COMP_TYPE", "9"),
                ("_CLAP_COMPLETE_SPACE", "true"),
            ],
        );
        assert_eq!(offered.code, SUCCESS, "{when}: {}", offered.stderr);
        assert!(
            offered.stdout.contains("admin"),
            "{when}: {}",
            offered.stdout
        );
        assert!(
            !offered.stdout.contains("other-hidden-ops"),
            "{when}: {}",
            offered.stdout
        );
    };
    p.json_as(
        carl,
        &[
            "user", "invite", BEA, "--role", "other-hidden-ops", "--no-send",
        ],
    );
    unseen("pending");
    p.json_as(carl, &["user", "revoke-invite", BEA, "--yes"]);
    unseen("revoked");
    // Once joined, the account's roles are hers to read.
    let invited = p.json_as(carl, &["user", "resend-invite", BEA, "--no-send"]);
    p.ok(&["user", "accept", invited["token"].as_str().unwrap()]);
    let shown = p.json_as(bea, &["role", "show", "other-hidden-ops"]);
    assert_eq!(shown["account"], "Other", "{shown}");
}
