//! Inviting, accepting, resending and revoking.

use crate::support::{says, shell_words, Portal, ACCOUNT, CONFLICT, DENIED, SUCCESS, USAGE};

/// The tables of `dump` with a row that contains `text`.
fn tables_holding<'a>(dump: &'a str, text: &str) -> Vec<&'a str> {
    let mut table = "";
    let mut found = Vec::new();
    for line in dump.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            table = name;
        } else if line.contains(text) && found.last() != Some(&table) {
            found.push(table);
        }
    }
    found
}

#[test]
fn invite_queues_an_email_and_stores_only_the_token_hash() {
    let p = Portal::new();
    let v = p.json(&[
        "user", "invite", "--email", " Ann@Acme.TEST", "--name", " Ann Smith ", "--role", "manager",
    ]);
    assert_eq!(v["email"], "ann@acme.test");
    assert_eq!(v["name"], "Ann Smith");
    assert_eq!(v["account"], ACCOUNT);
    assert_eq!(v["role"], "manager");
    assert_eq!(v["status"], "invited");
    assert_eq!(v["invited_at"], "2026-11-25T10:00:00Z");
    assert_eq!(v["accepted_at"], serde_json::Value::Null);
    assert_eq!(
        v["expires_at"], "2026-12-02T10:00:00Z",
        "seven days by default"
    );
    let token = v["token"].as_str().unwrap();
    assert!(
        token.starts_with("pinv_") && token.len() == 5 + 64,
        "{token}"
    );
    // The token is in no table: not in the invitations, which keep only
    // its hash, nor in the queued email, which gets a token of its own
    // when it is sent, nor in the audit log.
    let secret = &token[5..];
    assert_eq!(
        tables_holding(&p.dump(), secret),
        Vec::<&str>::new(),
        "the token is stored"
    );
    assert_ne!(p.text("SELECT token_hash FROM invitations"), "NULL");
    let outbox = p.json(&["outbox", "list", "--pending"]);
    let mail = &outbox.as_array().unwrap()[0];
    assert_eq!(mail["recipient"], "ann@acme.test");
    assert_eq!(mail["state"], "pending");
    let body = mail["body"].as_str().unwrap();
    assert!(!body.contains("pinv_"), "{body}");
    assert!(
        body.contains("portalctl user accept <token minted when this email is sent>"),
        "{body}"
    );
    assert_eq!(
        p.query("SELECT COUNT(*) FROM audit_events WHERE action = 'user.invite'"),
        "Integer(1)"
    );
    assert!(!p
        .query("SELECT after FROM audit_events WHERE action = 'user.invite'")
        .contains(token));
}

#[test]
fn invite_without_sending_writes_no_email() {
    let p = Portal::new();
    let v = p.json(&[
        "user", "invite", "--email", "ann@acme.test", "--name", "Ann", "--role", "user",
        "--no-send",
    ]);
    assert_eq!(v["email_queued"], false);
    assert_eq!(p.json(&["outbox", "list"]), serde_json::json!([]));
    // "invite later": the resend sends the email.
    p.ok(&["user", "resend-invite", "ann@acme.test"]);
    assert_eq!(p.json(&["outbox", "list"]).as_array().unwrap().len(), 1);
}

#[test]
fn resend_without_sending_prints_a_new_token_and_writes_no_email() {
    let p = Portal::new();
    let first = p.json(&[
        "user", "invite", "--email", "ann@acme.test", "--role", "user", "--no-send",
    ]);
    let outbox = || p.query("SELECT COUNT(*) FROM outbox");
    let before = outbox();
    let v = p.json(&["user", "resend-invite", "ann@acme.test", "--no-send"]);
    assert_eq!(v["email_queued"], false, "{v}");
    let token = v["token"].as_str().unwrap();
    assert_ne!(Some(token), first["token"].as_str());
    assert_eq!(outbox(), before, "no email queued");
    // The table prints the token as `invite --no-send` does.
    let run = p.run(&["user", "resend-invite", "ann@acme.test", "--no-send"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "(shown only this once)");
    assert_eq!(outbox(), before, "no email queued");
    assert!(p
        .refused(&["user", "accept", token], CONFLICT)
        .contains("replaced"));
}

#[test]
fn accepting_activates_the_membership_and_is_audited_as_the_invitee() {
    let mut p = Portal::new();
    let token = p.invite("ann@acme.test", "manager", ACCOUNT);
    p.now = "2026-11-26T09:00:00Z".into();
    let v = p.json(&["user", "accept", &token]);
    assert_eq!(v["status"], "active");
    assert_eq!(v["accepted_at"], "2026-11-26T09:00:00Z");
    let audit = p.json(&["audit", "list", "--actor", "ann@acme.test"]);
    assert_eq!(audit.as_array().unwrap().len(), 1);
    assert_eq!(audit[0]["action"], "user.accept");
    let table = p.ok(&["user", "list"]);
    assert!(
        table
            .lines()
            .any(|l| l.contains("ann@acme.test") && l.contains("active")),
        "{table}"
    );
}

#[test]
fn an_invitation_accepted_just_before_expiry_works() {
    let mut p = Portal::new();
    let v = p.json(&[
        "user", "invite", "--email", "ann@acme.test", "--name", "Ann", "--role", "user",
        "--expires-in", "2h",
    ]);
    assert_eq!(v["expires_at"], "2026-11-25T12:00:00Z");
    p.now = "2026-11-25T11:59:59Z".into();
    p.ok(&["user", "accept", v["token"].as_str().unwrap()]);
}

#[test]
fn resend_replaces_the_token() {
    let mut p = Portal::new();
    let old = p.invite("ann@acme.test", "user", ACCOUNT);
    p.now = "2026-11-30T10:00:00Z".into();
    let v = p.json(&["user", "resend-invite", "ann@acme.test"]);
    assert_eq!(v["expires_at"], "2026-12-07T10:00:00Z", "a new expiry");
    let new = v["token"].as_str().unwrap();
    assert_ne!(new, old);
    assert!(p
        .refused(&["user", "accept", &old], CONFLICT)
        .contains("replaced"));
    assert_eq!(p.json(&["user", "accept", new])["status"], "active");
    assert_eq!(
        p.query("SELECT resend_count FROM invitations WHERE state = 'accepted'"),
        "Integer(1)"
    );
    assert_eq!(p.json(&["outbox", "list"]).as_array().unwrap().len(), 2);
}

#[test]
fn a_resend_is_audited_even_when_the_member_reads_the_same() {
    // Two resends in one second: the same expiry, the same member, but a
    // new token each time, which the log must show.
    let p = Portal::new();
    p.invite("ann@acme.test", "user", ACCOUNT);
    for resends in [1, 2] {
        let events = p.events();
        p.ok(&["user", "resend-invite", "ann@acme.test"]);
        assert_eq!(p.events(), events + 1);
        let event = p.last_event();
        assert_eq!(event["action"], "user.resend_invite");
        assert_eq!(event["target"], "ann@acme.test");
        assert_eq!(event["after"]["resends"], resends, "{event}");
        assert_eq!(event["before"]["resends"], resends - 1, "{event}");
        assert_eq!(
            event["after"]["invitation_expires_at"],
            "2026-12-02T10:00:00Z"
        );
    }
}

#[test]
fn revoking_an_invitation_shows_revoked_until_resent() {
    // Issue 10: "A revoked invitation shows as `revoked`, not `deactivated`".
    let p = Portal::new();
    let token = p.invite("ann@acme.test", "user", ACCOUNT);
    let v = p.json(&["user", "revoke-invite", "--yes", "ann@acme.test"]);
    assert_eq!(v["status"], "revoked");
    assert_eq!(
        p.json(&["user", "show", "ann@acme.test"])["status"],
        "revoked"
    );
    // `can` tells the same standing, and so does a refusal of her acting.
    let can = p.run(&["can", "ann@acme.test", "portal.access"]);
    assert_eq!(can.code, DENIED, "{}", can.stderr);
    says(&can.stdout, "the invitation was revoked");
    let acting = p.run(&["--as", "ann@acme.test", "user", "list"]);
    assert_eq!(acting.code, DENIED, "{}", acting.stderr);
    says(&acting.stderr, "(the invitation was revoked;");
    let listed = p.json(&["user", "list", "--status", "revoked"]);
    let emails: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ann@acme.test"]);
    assert_eq!(
        p.json(&["user", "list", "--status", "deactivated"]),
        serde_json::json!([])
    );
    assert!(p.ok(&["user", "list"]).contains("revoked"));
    assert!(p
        .refused(&["user", "accept", &token], CONFLICT)
        .contains("revoked"));
    let v = p.json(&["user", "resend-invite", "ann@acme.test"]);
    assert_eq!(v["status"], "invited");
    p.ok(&["user", "accept", v["token"].as_str().unwrap()]);
}

#[test]
fn inviting_a_known_person_into_another_account_reuses_the_identity() {
    let p = Portal::with_preset("customer-area");
    p.ok(&["account", "create", "Second Ltd", "--kind", "customer"]);
    p.member("ann@acme.test", "member");
    // No --name needed: "they can gain access using their existing login".
    let v = p.json(&[
        "user", "invite", "--email", "ANN@acme.test", "--role", "member", "--account", "Second Ltd",
    ]);
    assert_eq!(v["name"], "ann");
    assert_eq!(
        p.query("SELECT COUNT(*) FROM people WHERE email = 'ann@acme.test'"),
        "Integer(1)"
    );
    assert_eq!(p.query("SELECT COUNT(*) FROM memberships"), "Integer(3)");
    // Ann now belongs to two accounts, so commands about her need --account.
    let err = p.refused(&["user", "show", "ann@acme.test"], USAGE);
    assert!(err.contains("several accounts"), "{err}");
    let shown = p.json(&["user", "show", "ann@acme.test", "--account", "Second Ltd"]);
    assert_eq!(shown["status"], "invited");
    let all = p.json(&["user", "list"]);
    assert_eq!(all.as_array().unwrap().len(), 3);
}

#[test]
fn invite_records_grants_city_country_and_timezone() {
    let p = Portal::with_preset("customer-area");
    let v = p.json(&[
        "user", "invite", "--email", "ann@acme.test", "--name", "Ann", "--role", "member",
        "--grant", "billing, support", "--city", "London", "--country", "gb", "--timezone",
        "Europe/London",
    ]);
    assert_eq!(v["grants"], serde_json::json!(["billing", "support"]));
    assert_eq!(v["country"], "GB");
    assert_eq!(v["timezone"], "Europe/London");
}

/// A revoked invitation shows as `revoked` wherever a refusal names where
/// the member stands, not as the `deactivated` it is stored as.
#[test]
fn refusals_name_a_revoked_invitation_as_revoked() {
    let p = Portal::with_preset("customer-area");
    p.ok(&[
        "user", "invite", "--email", "bea@acme.test", "--grant", "billing",
    ]);
    p.ok(&["-y", "user", "revoke-invite", "--yes", "bea@acme.test"]);
    p.ok(&["service", "add", "--name", "Hosting"]);
    for (args, says_what) in [
        (
            &["user", "invite", "--email", "bea@acme.test"][..],
            "`bea@acme.test` is already a member of `Acme Ltd` (revoked)",
        ),
        (
            &["-y", "user", "revoke-invite", "--yes", "bea@acme.test"][..],
            "has no pending invitation in `Acme Ltd` (they are revoked)",
        ),
        (
            &["-y", "user", "deactivate", "--yes", "bea@acme.test"][..],
            "`bea@acme.test` has only a revoked invitation in `Acme Ltd`",
        ),
        (
            &["service", "assign", "Hosting", "--to", "bea@acme.test"][..],
            "`bea@acme.test` is revoked in `Acme Ltd`",
        ),
    ] {
        let err = p.refused(args, CONFLICT);
        assert!(err.contains(says_what), "{args:?}: {err}");
        assert!(!err.contains("deactivated"), "{args:?}: {err}");
    }
    // The invitation's help says how to reopen it.
    let err = p.refused(&["user", "invite", "--email", "bea@acme.test"], CONFLICT);
    assert!(
        err.contains("portalctl user resend-invite bea@acme.test"),
        "{err}"
    );
}

/// The token is its invitee's: a member acting (`--as`) would accept as
/// someone else and be recorded as them.
#[test]
fn a_member_cannot_accept_someone_elses_invitation() {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    let token = p.invite("new@acme.test", "admin", ACCOUNT);
    let before = p.dump();
    let err = p.refused_as(
        Some("una@acme.test"),
        &["user", "accept", &token, "--name", "Set by Una"],
        DENIED,
    );
    says(&err, "not addressed to `una@acme.test`");
    assert_eq!(p.dump(), before, "a refusal changes nothing");
    // The invitee accepts it, with or without naming themself.
    let v = p.json_as(Some("new@acme.test"), &["user", "accept", &token]);
    assert_eq!(v["status"], "active", "{v}");
}

/// `user show` of someone invited says when the invitation expires, and
/// whether it has: an expired one still reads `invited` otherwise.
#[test]
fn user_show_says_when_an_invitation_expires() {
    let mut p = Portal::new();
    p.ok(&[
        "user", "invite", "ann@acme.test", "--role", "user", "--expires-in", "1h", "--no-send",
    ]);
    let v = p.json(&["user", "show", "ann@acme.test"]);
    assert_eq!(v["invitation_expires_at"], "2026-11-25T11:00:00Z", "{v}");
    assert_eq!(v["invitation_expired"], false, "{v}");
    p.now = "2026-11-25T12:00:00Z".into();
    let v = p.json(&["user", "show", "ann@acme.test"]);
    assert_eq!(v["invitation_expired"], true, "{v}");
    says(
        &p.ok(&["user", "show", "ann@acme.test"]),
        "invitation expires  2026-11-25T11:00:00Z (expired: resend it)",
    );
    // Nothing of it once there is no invitation pending.
    let v = p.json(&["user", "show", crate::support::OWNER]);
    assert!(v.get("invitation_expires_at").is_none(), "{v}");
}

/// `user list` says of each invitee what `user show` says, marks an
/// expired invitation in its STATUS column, and `--expired` lists only
/// those to resend; resending takes them off it.
#[test]
fn user_list_marks_expired_invitations_and_lists_those_to_resend() {
    let mut p = Portal::new();
    for (who, expires) in [("ann", "1h"), ("bob", "7d")] {
        p.ok(&[
            "user",
            "invite",
            &format!("{who}@acme.test"),
            "--role",
            "user",
            "--expires-in",
            expires,
            "--no-send",
        ]);
    }
    p.now = "2026-11-25T12:00:00Z".into();
    let listed = p.json(&["user", "list"]);
    for member in listed.as_array().unwrap() {
        let shown = p.json(&["user", "show", member["email"].as_str().unwrap()]);
        for field in ["status", "invitation_expires_at", "invitation_expired"] {
            assert_eq!(member.get(field), shown.get(field), "{field}: {member}");
        }
    }
    assert_eq!(listed[0]["invitation_expires_at"], "2026-11-25T11:00:00Z");
    assert_eq!(listed[0]["invitation_expired"], true);
    assert_eq!(listed[1]["invitation_expired"], false);
    let table = p.ok(&["user", "list"]);
    let row = |who: &str| {
        table
            .lines()
            .find(|l| l.starts_with(who))
            .unwrap()
            .to_string()
    };
    says(&row("ann@acme.test"), "invited (expired)");
    assert!(!row("bob@acme.test").contains("expired"), "{table}");
    let expired = p.json(&["user", "list", "--expired"]);
    assert_eq!(expired.as_array().unwrap().len(), 1, "{expired}");
    assert_eq!(expired[0]["email"], "ann@acme.test");
    assert_eq!(
        p.json(&["user", "list", "--status", "invited", "--expired"]),
        expired
    );
    let err = p.refused(&["user", "list", "--status", "active", "--expired"], USAGE);
    says(&err, "`--expired` lists invited members");
    p.ok(&["user", "resend-invite", "ann@acme.test", "--no-send"]);
    assert_eq!(
        p.json(&["user", "list", "--expired"]),
        serde_json::json!([])
    );
}

/// `--expired` lists the links to resend: a contractor invited until a
/// date that has passed has an invitation cut to that date, but what ran
/// out is their access, which `resend-invite` refuses to renew; they are
/// not listed, while a link that expired before its access did still is.
#[test]
fn expired_lists_expired_links_not_lapsed_contractors() {
    let mut p = Portal::new();
    p.ok(&[
        "user", "invite", "cory@acme.test", "--role", "user", "--until", "2026-11-25T11:00:00Z",
        "--no-send",
    ]);
    p.ok(&[
        "user", "invite", "ann@acme.test", "--role", "user", "--expires-in", "1h", "--until",
        "2026-12-30T00:00:00Z", "--no-send",
    ]);
    p.now = "2026-11-25T12:00:00Z".into();
    let expired = p.json(&["user", "list", "--expired"]);
    let emails: Vec<&str> = expired
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ann@acme.test"], "{expired}");
    // What `--expired` leaves out is what resend-invite refuses.
    let err = p.refused(
        &["user", "resend-invite", "cory@acme.test", "--no-send"],
        CONFLICT,
    );
    says(&err, "an invitation now would give nothing");
    p.ok(&["user", "resend-invite", "ann@acme.test", "--no-send"]);
}

/// The first command a refusal's `help:` line quotes, as words, with
/// `ROLE` filled in.
fn helped_command(stderr: &str) -> Vec<String> {
    let help = stderr
        .lines()
        .find_map(|l| l.strip_prefix("help: "))
        .unwrap_or_else(|| panic!("no help in: {stderr}"));
    let quoted = help
        .split('`')
        .nth(1)
        .and_then(|c| c.strip_prefix("portalctl "))
        .unwrap_or_else(|| panic!("no command in: {help}"));
    shell_words(quoted)
        .into_iter()
        .map(|w| if w == "ROLE" { "manager".into() } else { w })
        .collect()
}

/// Inviting someone already in the account is refused with the command
/// that works for where they stand, and it does when pasted.
#[test]
fn inviting_a_member_again_points_to_the_command_that_works_for_their_status() {
    for (standing, to_get_there) in [
        ("active", &[][..]),
        (
            "deactivated",
            &["user", "deactivate", "ann@acme.test", "--yes"][..],
        ),
        (
            "left",
            &["user", "left-company", "ann@acme.test", "--yes"][..],
        ),
    ] {
        let p = Portal::new();
        p.member("ann@acme.test", "user");
        if !to_get_there.is_empty() {
            p.ok(to_get_there);
        }
        let err = p.refused(
            &["user", "invite", "ann@acme.test", "--role", "user"],
            CONFLICT,
        );
        says(
            &err,
            &format!("already a member of `{ACCOUNT}` ({standing})"),
        );
        let command = helped_command(&err);
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        p.ok(&args);
        assert_eq!(
            p.json(&["user", "show", "ann@acme.test"])["status"],
            "active",
            "{standing}: {args:?}"
        );
    }
    for (standing, to_get_there) in [
        ("invited", &[][..]),
        (
            "revoked",
            &["user", "revoke-invite", "bea@acme.test", "--yes"][..],
        ),
        // Marked as left before accepting: nothing to activate.
        (
            "left",
            &["user", "left-company", "bea@acme.test", "--yes"][..],
        ),
    ] {
        let p = Portal::new();
        p.ok(&["user", "invite", "bea@acme.test", "--role", "user"]);
        if !to_get_there.is_empty() {
            p.ok(to_get_there);
        }
        let err = p.refused(
            &["user", "invite", "bea@acme.test", "--role", "user"],
            CONFLICT,
        );
        says(&err, &format!("({standing})"));
        let command = helped_command(&err);
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        p.ok(&args);
        assert_eq!(
            p.json(&["user", "show", "bea@acme.test"])["status"],
            "invited",
            "{standing}: {args:?}"
        );
        assert_eq!(
            p.json(&["user", "show", "bea@acme.test"])["role"],
            "user",
            "{standing}: {args:?}"
        );
    }
}

/// `resend-invite` of someone who joined names the command that works
/// for where they stand, as `user invite` of them does: `activate` for
/// one who left or was deactivated after accepting, `set-role` for one
/// active. It used to say only that they had no invitation.
#[test]
fn resend_invite_of_a_member_who_joined_names_the_command_that_works() {
    let p = Portal::new();
    for (who, then) in [
        ("lea@acme.test", Some("left-company")),
        ("dee@acme.test", Some("deactivate")),
        ("ava@acme.test", None),
    ] {
        p.member(who, "user");
        if let Some(then) = then {
            p.ok(&["--yes", "user", then, who]);
        }
        let err = p.refused(&["user", "resend-invite", who], CONFLICT);
        says(&err, "has no invitation to resend");
        let command = helped_command(&err);
        let words: Vec<&str> = command.iter().map(String::as_str).collect();
        p.ok(&words);
        assert_eq!(
            p.json(&["user", "show", who])["status"],
            "active",
            "{who}: {words:?}"
        );
    }
}

/// Without --account, a member of two accounts who may manage users in
/// neither is refused as without the capability (exit 5), as every
/// command acting in one account is, not asked which account they mean
/// (exit 2): naming one would not help.
#[test]
fn a_member_who_may_act_in_none_of_their_accounts_is_refused_without_account() {
    let p = Portal::new();
    p.ok(&["account", "create", "Other", "--kind", "customer"]);
    p.member_in("uma@other.test", "user", "Other");
    p.member_in("uma@other.test", "user", ACCOUNT);
    for args in [
        &[
            "user", "invite", "--email", "new@acme.test", "--role", "user",
        ][..],
        &["cost-centre", "create", "OPS", "--name", "Operations"],
        &["account", "set", "--phone", "+44 20 7946 0000"],
    ] {
        let err = p.refused_as(Some("uma@other.test"), args, DENIED);
        assert!(!err.contains("several accounts"), "{args:?}: {err}");
    }
}

/// A member inviting the address of a person of another account, whom
/// they may not see, reads the answer a new address gets: no reused
/// login, no name but the one they gave. The operator is told.
#[test]
fn inviting_someone_a_member_may_not_see_tells_nothing_of_them() {
    let p = Portal::new();
    p.ok(&["account", "create", "Other", "--kind", "customer"]);
    p.member_in("zed@other.test", "admin", "Other");
    p.member("ann@acme.test", "admin");
    let invite = |email: &str| {
        p.json_as(
            Some("ann@acme.test"),
            &["user", "invite", "--email", email, "--role", "user"],
        )
    };
    let fresh = invite("new@else.test");
    let unseen = invite("zed@other.test");
    for field in ["existing_login", "name", "duplicate_of"] {
        assert_eq!(unseen[field], fresh[field], "{field}: {unseen}");
    }
    p.ok(&["account", "create", "Third", "--kind", "customer"]);
    let told = p.json(&[
        "user", "invite", "--email", "zed@other.test", "--role", "user", "--account", "Third",
    ]);
    assert_eq!(
        (&told["existing_login"], &told["name"]),
        (&true.into(), &"zed".into())
    );
}
