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

/// Finding A3: an account where a member no longer has access (deactivated,
/// left, given the blocking role) shows them none of its custom roles, in
/// `role list`, `role show` or completion, not even one made since; nor
/// does a customer whose external access for them was removed.
#[test]
fn an_account_that_cut_a_member_off_shows_them_none_of_its_roles() {
    let p = Portal::init("portal");
    p.member(ADMIN, "admin");
    p.member(BEA, "user");
    p.member(ANN, "user");
    p.ok(&["account", "create", "Other", "--kind", "customer"]);
    let oa = "oa@other.test";
    p.member_in(oa, "admin", "Other");
    let as_oa = |args: &[&str]| {
        let run = p.run_as(Some(oa), args);
        assert_eq!(run.code, SUCCESS, "{}: {}", args.join(" "), run.stderr);
    };
    as_oa(&[
        "role", "create", "other-hidden-ops", "--capabilities", "portal.access",
    ]);
    p.member_in(ADMIN, "user", "Other");
    p.member_in(BEA, "no-access", "Other");
    p.member_in(ANN, "user", "Other");
    let stays = "stays@acme.test";
    p.member(stays, "user");
    p.member_in(stays, "user", "Other");
    as_oa(&["user", "deactivate", ADMIN, "--yes"]);
    as_oa(&["user", "left-company", ANN, "--yes"]);
    as_oa(&[
        "role", "create", "layoffs-2027-team", "--capabilities", "portal.access",
    ]);
    let others = |who: &str| -> Vec<String> {
        let roles = p.json_as(Some(who), &["role", "list"]);
        roles
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["account"] == "Other")
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    for who in [ADMIN, BEA, ANN] {
        assert_eq!(others(who), Vec::<String>::new(), "{who}");
        for role in ["other-hidden-ops", "layoffs-2027-team"] {
            p.refused_as(Some(who), &["role", "show", role], USAGE);
        }
        let offered = completes(&p, &["portalctl", "--as", who, "role", "show", ""]);
        assert!(
            !offered
                .iter()
                .any(|r| r.contains("hidden") || r.contains("layoffs")),
            "{who}: {offered:?}"
        );
    }
    assert_eq!(others(stays), ["layoffs-2027-team", "other-hidden-ops"]);
    let offered = completes(&p, &["portalctl", "--as", stays, "role", "show", ""]);
    assert!(
        offered.iter().any(|r| r == "layoffs-2027-team"),
        "{offered:?}"
    );
}

/// Finding A3: a partner member whose external access to a customer was
/// removed reads none of the customer's custom roles any more.
#[test]
fn removed_external_access_shows_none_of_the_customers_roles() {
    let p = Portal::init("msp");
    let una = "una@acme.test";
    p.member(una, "msp-user");
    p.customer("Client Co");
    p.ok(&[
        "role", "create", "client-only", "--capabilities", "portal.access", "--account",
        "Client Co",
    ]);
    p.ok(&[
        "external-admin", "add", una, "--customer", "Client Co", "--role", "msp-user",
    ]);
    let listed = |p: &Portal| p.json_as(Some(una), &["role", "list"]).to_string();
    assert!(listed(&p).contains("client-only"));
    p.ok(&[
        "external-admin", "remove", una, "--customer", "Client Co", "--yes",
    ]);
    assert!(!listed(&p).contains("client-only"), "{}", listed(&p));
    p.refused_as(Some(una), &["role", "show", "client-only"], USAGE);
}

/// What bash's completer offers for the last of `words`.
fn completes(p: &Portal, words: &[&str]) -> Vec<String> {
    let index = (words.len() - 1).to_string();
    let mut args = vec!["--"];
    args.extend_from_slice(words);
    let run = p.run_with(
        &args,
        &[
            ("PORTALCTL_COMPLETE", "bash"),
            ("_CLAP_IFS", "\n"),
            ("_CLAP_COMPLETE_INDEX", &index),
            ("_CLAP_COMPLETE_COMP_TYPE", "9"),
            ("_CLAP_COMPLETE_SPACE", "true"),
        ],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    run.stdout.lines().map(|l| l.trim().to_string()).collect()
}
