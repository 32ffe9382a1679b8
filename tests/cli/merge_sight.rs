//! What members read of the operator's merges (`user merge`): a merge is
//! read only where the duplicate or the person kept had joined by then,
//! alike in `user list|show|history`, `audit list` and the "was merged
//! into" refusal of every other command.

use serde_json::Value;

use crate::support::{says, Portal, CONFLICT, NOT_FOUND, OWNER, SUCCESS};

const OA: &str = "oa@other.test";

/// Runs as `who`, expects success and returns stdout.
#[track_caller]
fn ok_as(p: &Portal, who: &str, args: &[&str]) -> String {
    let run = p.run_as(Some(who), args);
    assert_eq!(run.code, SUCCESS, "{args:?}: {}", run.stderr);
    run.stdout
}

/// Acme Ltd with Una and Olive, and Other, whose admin `oa` invites both
/// of them there (neither accepts); then support merges Una into Olive.
fn other_invited_both() -> Portal {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    p.member("olive@acme.test", "user");
    p.ok(&["account", "create", "Other", "--kind", "customer"]);
    p.member_in(OA, "admin", "Other");
    for who in ["una@acme.test", "olive@acme.test"] {
        ok_as(
            &p,
            OA,
            &["user", "invite", who, "--role", "user", "--no-send"],
        );
    }
    p.ok(&[
        "user", "merge", "una@acme.test", "--into", "olive@acme.test", "--yes",
    ]);
    p
}

/// A4: an account that only invited both addresses knows two
/// invitations, not one person: it reads nothing of the merge, and the
/// invitation the merge ended is no longer there to it.
#[test]
fn an_account_that_only_invited_both_addresses_reads_nothing_of_their_merge() {
    let p = other_invited_both();
    let listed = p.json_as(Some(OA), &["user", "list"]);
    let emails: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["email"].as_str())
        .collect();
    assert_eq!(emails, [OA, "olive@acme.test"], "{listed}");
    let history = ok_as(&p, OA, &["user", "history", "olive@acme.test"]);
    assert!(!history.contains("user.merge"), "{history}");
    assert!(!history.contains("una@acme.test"), "{history}");
    let log = ok_as(&p, OA, &["audit", "list", "--all"]);
    assert!(!log.contains("user.merge"), "{log}");
    for args in [
        &["user", "history", "una@acme.test"][..],
        &["user", "show", "una@acme.test"],
        &["user", "set-role", "una@acme.test", "admin"],
    ] {
        let err = p.refused_as(Some(OA), args, NOT_FOUND);
        says(&err, "`una@acme.test` is not a member of `Other`");
        assert!(!err.contains("olive"), "{err}");
    }
    // The operator, and Acme where both had joined, read the merge.
    says(
        &p.ok(&["user", "list", "--account", "Other"]),
        "left, merged into olive@acme.test",
    );
    let acme = ok_as(&p, OWNER, &["user", "history", "olive@acme.test"]);
    assert!(acme.contains("user.merge"), "{acme}");
}

/// Issue 11: an invitation hidden by a merge the account does not know
/// of, sorting first, still leaves `--limit 2` two rows that exist.
#[test]
fn a_hidden_invitation_does_not_shorten_a_limited_list() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.member("zed@acme.test", "user");
    p.ok(&["account", "create", "Other", "--kind", "customer"]);
    p.member_in(OA, "admin", "Other");
    for who in ["ann@acme.test", "zed@acme.test"] {
        ok_as(
            &p,
            OA,
            &["user", "invite", who, "--role", "user", "--no-send"],
        );
    }
    p.ok(&[
        "user", "merge", "ann@acme.test", "--into", "zed@acme.test", "--yes",
    ]);
    for account in [&[][..], &["--account", "Other"]] {
        let args = [&["user", "list", "--limit", "2"][..], account].concat();
        let listed = p.json_as(Some(OA), &args);
        let emails: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["email"].as_str())
            .collect();
        assert_eq!(emails, [OA, "zed@acme.test"], "{args:?}: {listed}");
    }
}

/// N3: Contoso invited Una; support merged her into Max; Max then took
/// up Contoso's invitation. The merge was made where neither had joined
/// Contoso, so Contoso never reads it.
#[test]
fn the_merge_stays_unread_where_the_kept_person_joined_only_after_it() {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    p.member("max@acme.test", "user");
    p.ok(&["account", "create", "Contoso", "--kind", "customer"]);
    p.member_in("carl@contoso.test", "admin", "Contoso");
    let token = p.json_as(
        Some("carl@contoso.test"),
        &[
            "user", "invite", "una@acme.test", "--role", "user", "--no-send",
        ],
    )["token"]
        .as_str()
        .unwrap()
        .to_string();
    p.ok(&[
        "user", "merge", "una@acme.test", "--into", "max@acme.test", "--yes",
    ]);
    p.ok(&["user", "accept", &token]);
    let history = ok_as(
        &p,
        "carl@contoso.test",
        &["user", "history", "max@acme.test"],
    );
    assert!(history.contains("user.accept"), "{history}");
    assert!(!history.contains("user.merge"), "{history}");
    let operator = p.ok(&["user", "history", "max@acme.test", "--account", "Contoso"]);
    assert!(operator.contains("user.merge"), "{operator}");
}

/// N11, N13: Ivan, invited to Acme, never accepted, is merged into the
/// owner, who had joined: Acme's admins read the merge in `user list` as
/// `user show` refuses it, and `merged_into` is on every row.
#[test]
fn a_merge_where_the_kept_person_joined_is_listed_as_it_is_shown() {
    let p = Portal::new();
    p.member("adam@acme.test", "admin");
    p.invite("ivan@acme.test", "user", "Acme Ltd");
    p.ok(&["user", "merge", "ivan@acme.test", "--into", OWNER, "--yes"]);
    let listed = p.json_as(Some("adam@acme.test"), &["user", "list"]);
    let rows = listed.as_array().unwrap();
    assert!(
        rows.iter().all(|m| m.get("merged_into").is_some()),
        "{listed}"
    );
    let ivan: &Value = rows
        .iter()
        .find(|m| m["email"] == "ivan@acme.test")
        .unwrap();
    assert_eq!(ivan["merged_into"], OWNER, "{listed}");
    assert!(rows
        .iter()
        .filter(|m| m["email"] != "ivan@acme.test")
        .all(|m| m["merged_into"].is_null()));
    let err = p.refused_as(
        Some("adam@acme.test"),
        &["user", "show", "ivan@acme.test"],
        CONFLICT,
    );
    says(&err, "was merged into `owner@acme.test`");
    let shown = p.json_as(Some("adam@acme.test"), &["user", "show", OWNER]);
    assert!(shown["merged_into"].is_null(), "{shown}");
}

/// N15: after Una into Max and Max into Ada, Una's address points to
/// the person kept now.
#[test]
fn a_chain_of_merges_is_followed_to_the_person_kept_now() {
    let p = Portal::new();
    for who in ["una", "max", "ada"] {
        p.member(&format!("{who}@acme.test"), "user");
    }
    p.ok(&[
        "user", "merge", "una@acme.test", "--into", "max@acme.test", "--yes",
    ]);
    p.ok(&[
        "user", "merge", "max@acme.test", "--into", "ada@acme.test", "--yes",
    ]);
    for who in [None, Some(OWNER)] {
        let err = p.refused_as(who, &["user", "show", "una@acme.test"], CONFLICT);
        says(
            &err,
            "`una@acme.test` was merged into `max@acme.test`, since merged into `ada@acme.test`",
        );
        says(&err, "help: use `ada@acme.test` instead");
    }
}
