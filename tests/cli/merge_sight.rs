//! What members read of the operator's merges (`user merge`): a merge is
//! read only where the duplicate or the person kept had joined by then,
//! alike in `user list|show|history`, `audit list` and the "was merged
//! into" refusal of every other command.

use serde_json::Value;

use crate::support::{says, Portal, CONFLICT, DENIED, NOT_FOUND, OWNER, SUCCESS};

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

/// Acme Ltd with Una and Olive; Other, whose admin `oa` invites `invited`
/// there; Other's export (its CI seed file) then; then support merges
/// Una into Olive.
fn other_invited_then_merged(invited: &[&str]) -> (Portal, String) {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    p.member("olive@acme.test", "user");
    p.ok(&["account", "create", "Other", "--kind", "customer"]);
    p.member_in(OA, "admin", "Other");
    for who in invited {
        ok_as(
            &p,
            OA,
            &[
                "user", "invite", who, "--role", "user", "--name", "Typed Here", "--no-send",
            ],
        );
    }
    let seed = ok_as(&p, OA, &["export"]);
    p.ok(&[
        "user", "merge", "una@acme.test", "--into", "olive@acme.test", "--yes",
    ]);
    (p, seed)
}

/// A1, N1, N2: an account where neither address had joined reads no
/// merge in its own `export` either: no `people` entry, no name it never
/// typed, and the users `user list` lists; its seed file from before the
/// merge applies with `--prune` as unchanged, twice (never "has joined").
#[test]
fn an_export_by_an_account_that_only_invited_tells_no_merge() {
    for invited in [
        &["una@acme.test", "olive@acme.test"][..],
        &["olive@acme.test"],
        &["una@acme.test"],
    ] {
        let (p, seed) = other_invited_then_merged(invited);
        let exported = p.json_as(Some(OA), &["export"]);
        assert!(
            exported["people"].as_array().is_none_or(Vec::is_empty),
            "{invited:?}: {exported}"
        );
        let text = exported.to_string();
        assert!(
            !text.contains("Una User") && !text.contains("merged_into"),
            "{invited:?}: {text}"
        );
        let listed: Vec<Value> = p
            .json_as(Some(OA), &["user", "list"])
            .as_array()
            .unwrap()
            .clone();
        let users = exported["accounts"][0]["users"].as_array().unwrap();
        let emails = |v: &[Value]| -> Vec<String> {
            v.iter()
                .map(|u| u["email"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(emails(users), emails(&listed), "{invited:?}");
        for _ in 0..2 {
            let run = p.apply_stdin(&["--as", OA, "--prune", "--no-send"], &[], &seed);
            assert_eq!(run.code, SUCCESS, "{invited:?}: {}", run.stderr);
            says(&run.stdout, "updated    0");
            says(&run.stdout, "removed    0");
        }
    }
}

/// A12: a member's file listing the address merged away, whose invitation
/// the account holds, and the kept one, which would take it over, is
/// refused before anything is written (exit 4), naming neither the merge
/// nor the account where it was made; the plan refuses it alike.
#[test]
fn a_file_listing_both_addresses_of_one_invitation_is_refused_whole() {
    let (p, _) = other_invited_then_merged(&["una@acme.test"]);
    let mut file = p.json_as(Some(OA), &["export"]);
    file["accounts"][0]["users"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!(
            {"email": "olive@acme.test", "name": "O", "role": "user", "status": "invited"}
        ));
    let before = p.events();
    for dry in [&["--dry-run"][..], &[]] {
        let mut args = vec!["--as", OA, "--no-send"];
        args.extend(dry);
        let run = p.apply_stdin(&args, &[], &file.to_string());
        assert_eq!(run.code, CONFLICT, "{}", run.stderr);
        says(
            &run.stderr,
            "would take over the invitation this file lists at accounts[0].users[",
        );
        assert!(
            !run.stderr.contains("Acme") && !run.stderr.contains("merged"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(p.events(), before);
    let listed = ok_as(&p, OA, &["user", "list"]);
    says(&listed, "una@acme.test");
}

/// N3: an account that invited the address merged away flags against it
/// as against any address it invited, and reads the flag by it.
#[test]
fn flagging_against_an_invited_address_merged_elsewhere_is_as_against_any() {
    let (p, _) = other_invited_then_merged(&["una@acme.test"]);
    let flagged = p.json_as(
        Some(OA),
        &["user", "flag-duplicate", OA, "--of", "una@acme.test"],
    );
    assert_eq!(flagged["duplicate_of"], "una@acme.test", "{flagged}");
    let history = ok_as(&p, OA, &["user", "history", OA]);
    says(&history, "duplicate_of: - -> una@acme.test");
    let exported = p.json_as(Some(OA), &["export"]);
    assert_eq!(
        exported["people"][0]["duplicate_of"], "una@acme.test",
        "{exported}"
    );
}

/// N8: a member's file that would restore someone merged away is refused
/// with help pointing to what a member may do: flag the duplicate.
#[test]
fn a_members_refused_merge_entry_points_to_flagging() {
    let (p, _) = other_invited_then_merged(&["olive@acme.test"]);
    let file = serde_json::json!({"people": [
        {"email": "zoe@acme.test", "merged_into": "olive@acme.test"}
    ]});
    let run = p.apply_stdin(&["--as", OA], &[], &file.to_string());
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    says(
        &run.stderr,
        "a member flags a duplicate with `portalctl user flag-duplicate`",
    );
    assert!(!run.stderr.contains("user merge`"), "{}", run.stderr);
}

/// Left open before: a member who manages users without `users.view`
/// reads no merge through the duplicate's address.
#[test]
fn one_who_manages_users_without_viewing_them_reads_no_merge() {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    p.member("olive@acme.test", "user");
    p.ok(&[
        "role", "create", "clerk", "--capabilities", "portal.access,users.manage",
    ]);
    p.member("clara@acme.test", "clerk");
    p.ok(&[
        "user", "merge", "una@acme.test", "--into", "olive@acme.test", "--yes",
    ]);
    let err = p.refused_as(
        Some("clara@acme.test"),
        &["user", "set-role", "una@acme.test", "user"],
        NOT_FOUND,
    );
    says(&err, "`una@acme.test` is not a member of");
    let err = p.refused_as(
        Some("clara@acme.test"),
        &[
            "user", "invite", "una@acme.test", "--role", "user", "--no-send",
        ],
        CONFLICT,
    );
    assert!(!err.contains("olive") && !err.contains("set-role"), "{err}");
}

/// Re-addressing another invitation to the address merged away, where
/// the person kept is invited under their own, is refused "already a
/// member" (a re-addressed invitation takes no other over), with help
/// naming no command that would find nobody by that address.
#[test]
fn re_addressing_an_invitation_to_a_merged_address_names_no_dead_end() {
    let (p, _) = other_invited_then_merged(&["olive@acme.test", "x@x.test"]);
    let err = p.refused_as(
        Some(OA),
        &["user", "edit", "x@x.test", "--new-email", "una@acme.test"],
        CONFLICT,
    );
    says(&err, "already a member");
    assert!(
        !err.contains("resend-invite") && !err.contains("olive"),
        "{err}"
    );
}

/// Every command taking an address, as `who` names `dup` and as they
/// name an address nobody has: the same exit code, and the person kept
/// (`kept`) named in neither answer. `user invite` runs last (a new
/// address is invited); where `dup`'s merge is known in the account it is
/// "already a member" (one person holds one membership), else as a new
/// address. The log holds no `user.merge` line for `who`.
#[track_caller]
fn reads_as_never_seen(p: &Portal, who: &str, dup: &str, kept: &str, role: &str) {
    let never = "never.seen@acme.test";
    let walk: &[&[&str]] = &[
        &["user", "show", "X"],
        &["user", "history", "X"],
        &["user", "edit", "X", "--name", "Zed"],
        &["user", "set-role", "X", "user", "--yes"],
        &["user", "resend-invite", "X", "--no-send"],
        &["user", "revoke-invite", "X", "--yes"],
        &["user", "flag-duplicate", who, "--of", "X"],
        &["can", "X", "portal.access"],
        &["user", "deactivate", "X", "--yes"],
        &["user", "invite", "X", "--role", role, "--no-send"],
    ];
    for args in walk {
        let answer = |address: &str| {
            let args: Vec<&str> = args
                .iter()
                .map(|a| if *a == "X" { address } else { a })
                .collect();
            p.run_as(Some(who), &args)
        };
        let run = answer(dup);
        let told = format!("{}{}", run.stdout, run.stderr);
        assert!(!told.contains(kept), "{args:?} by {who}: {told}");
        assert!(!told.contains("merged"), "{args:?} by {who}: {told}");
        if args[1] == "invite" && run.code == CONFLICT {
            says(&run.stderr, "already a member");
            continue;
        }
        let unknown = answer(never);
        assert_eq!(
            run.code, unknown.code,
            "{args:?} by {who}: {} / as never seen: {}",
            run.stderr, unknown.stderr
        );
    }
    let log = ok_as(p, who, &["audit", "list", "--all"]);
    assert!(!log.contains("user.merge"), "{who}: {log}");
}

/// B1, F7, F1, B2: the merge is read by no member who may not read it,
/// in any command taking an address nor in the log, whatever the way in:
/// an account that invited both addresses; one that invited the person
/// kept, who joined after the merge; one that invited the duplicate,
/// whose invitation the person kept took up after it; a member of the
/// account where both had joined who manages users without viewing them.
#[test]
fn every_command_answers_a_merge_one_may_not_read_as_an_address_nobody_has() {
    let (both, _) = other_invited_then_merged(&["una@acme.test", "olive@acme.test"]);
    reads_as_never_seen(&both, OA, "una@acme.test", "olive@acme.test", "user");

    let (kept_joined, _) = other_invited_then_merged(&[]);
    let token = kept_joined.json_as(
        Some(OA),
        &[
            "user", "invite", "olive@acme.test", "--role", "user", "--no-send",
        ],
    )["token"]
        .as_str()
        .unwrap()
        .to_string();
    kept_joined.ok(&["user", "accept", &token]);
    reads_as_never_seen(&kept_joined, OA, "una@acme.test", "olive@acme.test", "user");

    let (dup_taken_up, _) = other_invited_then_merged(&["una@acme.test"]);
    let token = dup_taken_up.json_as(
        Some(OA),
        &["user", "resend-invite", "una@acme.test", "--no-send"],
    )["token"]
        .as_str()
        .unwrap()
        .to_string();
    dup_taken_up.ok(&["user", "accept", &token]);
    reads_as_never_seen(
        &dup_taken_up, OA, "una@acme.test", "olive@acme.test", "user",
    );

    let p = Portal::new();
    p.member("una@acme.test", "user");
    p.member("olive@acme.test", "user");
    p.ok(&[
        "role", "create", "inviter", "--capabilities", "portal.access,users.manage",
    ]);
    p.member("max@acme.test", "inviter");
    p.ok(&[
        "user", "merge", "una@acme.test", "--into", "olive@acme.test", "--yes",
    ]);
    reads_as_never_seen(
        &p, "max@acme.test", "una@acme.test", "olive@acme.test", "inviter",
    );
}

/// B2: one who manages users without viewing them invites a duplicate
/// merged into a person only invited, in the account where the
/// duplicate had joined: "already a member", and the kept person's
/// invitation (role, name, token) stays as it was.
#[test]
fn inviting_a_known_merges_duplicate_takes_over_no_invitation() {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    p.invite("ivan@acme.test", "user", "Acme Ltd");
    p.ok(&[
        "role", "create", "inviter", "--capabilities", "portal.access,users.manage",
    ]);
    p.member("max@acme.test", "inviter");
    p.ok(&[
        "user", "merge", "una@acme.test", "--into", "ivan@acme.test", "--yes",
    ]);
    let before = p.dump();
    for address in ["una@acme.test", "ivan@acme.test"] {
        let err = p.refused_as(
            Some("max@acme.test"),
            &["user", "invite", address, "--role", "inviter", "--no-send"],
            CONFLICT,
        );
        says(
            &err,
            &format!("`{address}` is already a member of `Acme Ltd`"),
        );
        assert!(
            address == "ivan@acme.test" || !err.contains("ivan"),
            "{err}"
        );
    }
    assert_eq!(p.dump(), before);
}

/// F6: a refusal by the gate names an invitation a merge moved to the
/// person kept by the address the account typed, as it reads it, to one
/// who may not read the merge; inviting the kept person's own address
/// there reads as an invitation to a new address.
#[test]
fn a_refused_role_names_the_invitation_by_the_address_the_account_typed() {
    let (p, _) = other_invited_then_merged(&["una@acme.test"]);
    ok_as(
        &p,
        OA,
        &[
            "role", "create", "hr", "--capabilities", "portal.access,users.manage",
        ],
    );
    p.member_in("h@other.test", "hr", "Other");
    for args in [
        &["user", "resend-invite", "una@acme.test", "--no-send"][..],
        &["user", "set-role", "una@acme.test", "admin", "--yes"],
    ] {
        let err = p.refused_as(Some("h@other.test"), args, DENIED);
        says(&err, "cannot give `una@acme.test`");
        assert!(!err.contains("olive"), "{err}");
    }
    let err = p.refused_as(
        Some("h@other.test"),
        &[
            "user", "invite", "olive@acme.test", "--role", "user", "--no-send",
        ],
        DENIED,
    );
    says(&err, "cannot give `olive@acme.test` role `user` in `Other`");
}

/// A10: a seed's entry for a member merged away is judged as the merge
/// left them, its role as for one who left: listed as left with the role
/// they hold or held before it is unchanged; with another role it is
/// refused (exit 4) at `role`, and without a status (active) at the
/// address, a field every entry has, naming whom to use instead. Of one
/// who left by `left-company` an entry without a status still brings
/// them back.
#[test]
fn a_seed_entry_for_a_member_merged_away_is_judged_as_the_merge_left_them() {
    let p = Portal::empty();
    p.ok(&[
        "apply",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json"),
    ]);
    p.ok(&[
        "user", "merge", "una@acme.test", "--into", "max@acme.test", "--yes",
    ]);
    let entry = |user: &str| format!(r#"{{"accounts":[{{"name":"Acme Ltd","users":[{user}]}}]}}"#);
    let una = r#""email":"una@acme.test","name":"Una User""#;
    let said = "`una@acme.test` was merged into `max@acme.test`";
    for (refused, field) in [
        (
            format!(r#"{{{una},"role":"admin","status":"left"}}"#),
            "role",
        ),
        (format!(r#"{{{una},"role":"user"}}"#), "email"),
        (format!(r#"{{{una},"role":"no-access"}}"#), "email"),
    ] {
        let run = p.apply_stdin(&["--dry-run"], &[], &entry(&refused));
        assert_eq!(run.code, CONFLICT, "{refused}: {}", run.stderr);
        says(
            &run.stderr,
            &format!("error: accounts[0].users[0].{field}: {said}"),
        );
    }
    for role in ["no-access", "user"] {
        let held = entry(&format!(r#"{{{una},"role":"{role}","status":"left"}}"#));
        let run = p.apply_stdin(&["--dry-run"], &[], &held);
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        says(&run.stdout, "unchanged  user una@acme.test in Acme Ltd");
    }
    let leo = entry(r#"{"email":"leo@acme.test","name":"Leo Left","role":"no-access"}"#);
    let run = p.apply_stdin(&["--dry-run"], &[], &leo);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(
        &run.stdout,
        "update     user leo@acme.test in Acme Ltd  status",
    );
}
