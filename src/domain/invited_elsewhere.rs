//! Someone an account invited whose address reaches a person of another
//! account, in process: the inviting admin's answers, refusals and log
//! read the same as for an address nobody else has, and the other
//! account's data stays as it was. Each test builds the same world twice,
//! once with the address known elsewhere and once without, runs the same
//! commands as the admin in both and compares what the admin is told.

use super::testing::{add_account, email, join_in, seeded};
use super::*;
use crate::mail::{Mail, Mailer, NotReady, Undelivered};
use crate::model::{AccountKind, Person};
use crate::view::InvitedView;

/// A mailer that keeps what it is handed.
#[derive(Default)]
struct Kept(Vec<Mail>);

impl Mailer for Kept {
    fn destination(&self) -> String {
        "kept".into()
    }
    fn ready(&mut self, _from: &crate::model::Mailbox) -> std::result::Result<(), NotReady> {
        Ok(())
    }
    fn deliver(&mut self, mail: &Mail) -> std::result::Result<(), Undelivered> {
        self.0.push(mail.clone());
        Ok(())
    }
}

/// Sends the outbox as the operator; the tokens sent, by recipient.
fn send(p: &mut Portal) -> Vec<(String, String)> {
    let actor = std::mem::replace(&mut p.ctx.actor, Actor::Operator("root".into()));
    p.settings_set("mail-from", "Acme Portal <portal@acme.test>")
        .expect("mail-from");
    let mut kept = Kept::default();
    p.outbox_send(&mut kept, None).expect("send");
    p.ctx.actor = actor;
    kept.0
        .iter()
        .map(|m| {
            let token = m
                .text
                .split_whitespace()
                .find(|w| w.starts_with("pinv_"))
                .expect("a token in the body");
            (m.to.clone(), token.to_string())
        })
        .collect()
}

/// Acme, whose admin Ann invited `zed@contoso.test` (as "Zed") into
/// Acme, and Contoso, administered by Yan. With `known`, Zed belongs to
/// Contoso already (as "Zed Own"); without, nobody has the address.
fn ann_invited_zed(known: bool) -> (Portal, InvitedView) {
    let mut p = seeded("portal");
    add_account(&mut p, "Contoso", AccountKind::Customer, None);
    join_in(&mut p, "yan@contoso.test", "admin", Some("Contoso"));
    join_in(&mut p, "ann@acme.test", "admin", Some("Acme"));
    if known {
        join_in(&mut p, "zed@contoso.test", "user", Some("Contoso"));
    }
    p.ctx.actor = Actor::Member(email("ann@acme.test"));
    let invited = p
        .invite(&InviteRequest {
            email: Some(email("zed@contoso.test")),
            name: Some("Zed".into()),
            role: Some("user".into()),
            account: Some("Acme".into()),
            send: true,
            ..InviteRequest::default()
        })
        .expect("Ann invites");
    (p, invited)
}

/// What Ann reads of Acme: its members and its log, without the hashes
/// and times that chain in the other account's events.
fn anns_reading(p: &mut Portal) -> (Vec<MemberView>, Vec<serde_json::Value>) {
    let members = p.member_list(&MemberFilter::default()).expect("list");
    let events = p
        .audit_events(&AuditFilter::default())
        .expect("audit")
        .into_iter()
        .map(|e| serde_json::json!([e.actor, e.action, e.account, e.target, e.before, e.after]))
        .collect();
    (members, events)
}

/// Contoso as its admin reads it, and what the operator reads of the
/// person at `zed@contoso.test`.
fn contoso(p: &mut Portal) -> (Vec<MemberView>, Option<Person>) {
    let actor = std::mem::replace(&mut p.ctx.actor, Actor::Member(email("yan@contoso.test")));
    let members = p.member_list(&MemberFilter::default()).expect("list");
    p.ctx.actor = actor;
    let tx = p.gate.read(p.ctx.now).expect("read");
    let zed = tx.person_by_email("zed@contoso.test").expect("read");
    (members, zed)
}

fn edit_email(p: &mut Portal, from: &str, to: &str) -> Result<people::Edited> {
    p.edit_person(
        &email(from),
        None,
        &PersonEdit {
            new_email: Some(email(to)),
            ..PersonEdit::default()
        },
    )
}

/// Ann re-addresses the invitation: the same answer, warning, list and
/// log whether the address had a login in Contoso or not. Zed's place
/// in Contoso is untouched; the person the invitation alone made is gone.
/// The old token is refused as replaced and the one mailed to the new
/// address accepts, into Acme alone.
#[test]
fn a_new_email_of_an_invitee_reads_alike_whether_they_have_a_login_elsewhere() {
    let mut told = Vec::new();
    for known in [false, true] {
        let (mut p, invited) = ann_invited_zed(known);
        let contoso_before = contoso(&mut p);
        let refused = edit_email(&mut p, "zed@contoso.test", "ann@acme.test")
            .expect_err("Ann is a member of Acme already");
        let edited = edit_email(&mut p, "zed@contoso.test", "zed@acme.test").expect("re-addressed");
        let reading = anns_reading(&mut p);
        let shown = p.member_show(&email("zed@acme.test"), None).expect("show");
        let gone = p
            .member_show(&email("zed@contoso.test"), Some("Acme"))
            .expect_err("no longer Acme's");
        told.push(format!(
            "{}|{}|{:?}|{:?}|{}|{:?}|{:?}|{}",
            refused.exit_code(),
            refused,
            refused.help_text(),
            (&edited.member, edited.changed, &edited.warnings),
            gone,
            reading,
            shown,
            invited.existing_login,
        ));
        assert_eq!(refused.exit_code(), 4, "{refused}");
        assert_eq!(edited.member.email, "zed@acme.test");
        assert_eq!(edited.member.name.as_deref(), Some("Zed"));
        assert_eq!(edited.warnings.len(), 1, "{:?}", edited.warnings);

        let contoso_after = contoso(&mut p);
        if known {
            assert_eq!(contoso_after, contoso_before, "Contoso changed");
        } else {
            assert_eq!(
                contoso_after.1, None,
                "a person made by the invitation alone stays"
            );
        }
        p.ctx.actor = Actor::Operator("root".into());
        let old = p.accept(&invited.token, None).expect_err("the old token");
        assert_eq!(old.exit_code(), 4, "{old}");
        assert!(old.to_string().contains("replaced"), "{old}");
        let mailed = send(&mut p);
        let to_new: Vec<&String> = mailed
            .iter()
            .filter(|(to, _)| to.contains("zed@acme.test"))
            .map(|(_, token)| token)
            .collect();
        assert_eq!(to_new.len(), 1, "{mailed:?}");
        let joined = p.accept(to_new[0], None).expect("the new token");
        assert_eq!(
            (joined.email.as_str(), joined.account.as_str()),
            ("zed@acme.test", "Acme")
        );
        assert_eq!(contoso(&mut p).0, contoso_before.0, "Contoso changed");
    }
    assert_eq!(
        told[0], told[1],
        "Ann learns whether the address has a login elsewhere"
    );
}

/// Acme, whose admin Ann invited `dee@contoso.test` (as "Dee") into
/// Acme, and Contoso, administered by Yan, where Kim works. With
/// `merged`, that address was Kim's duplicate in Contoso, merged into
/// her by the operator; without, nobody has the address.
fn ann_invited_dee(merged: bool) -> (Portal, InvitedView) {
    let mut p = seeded("portal");
    add_account(&mut p, "Contoso", AccountKind::Customer, None);
    join_in(&mut p, "yan@contoso.test", "admin", Some("Contoso"));
    join_in(&mut p, "kim@contoso.test", "user", Some("Contoso"));
    join_in(&mut p, "ann@acme.test", "admin", Some("Acme"));
    if merged {
        join_in(&mut p, "dee@contoso.test", "user", Some("Contoso"));
        p.merge(&email("dee@contoso.test"), &email("kim@contoso.test"))
            .expect("merge");
    }
    p.ctx.actor = Actor::Member(email("ann@acme.test"));
    let invited = p
        .invite(&InviteRequest {
            email: Some(email("dee@contoso.test")),
            name: Some("Dee".into()),
            role: Some("user".into()),
            account: Some("Acme".into()),
            send: true,
            ..InviteRequest::default()
        })
        .expect("Ann invites");
    (p, invited)
}

/// What Ann is told when she invites, reads and changes the invitation
/// of an address merged away in Contoso is what she is told of an
/// address nobody has; Contoso is untouched. The invitation binds to the
/// person kept, its email goes to the address Ann typed, and accepting
/// it makes her Acme's member; a token replaced by a resend no longer
/// works.
#[test]
fn inviting_an_address_merged_elsewhere_reads_as_inviting_a_new_one() {
    let dee = email("dee@contoso.test");
    let mut told = Vec::new();
    for merged in [false, true] {
        let (mut p, invited) = ann_invited_dee(merged);
        let contoso_before = contoso_read(&mut p);
        let renamed = p
            .edit_person(
                &dee,
                None,
                &PersonEdit {
                    name: Some("Dee D".parse().expect("a name")),
                    ..PersonEdit::default()
                },
            )
            .expect("names the invitation");
        let role = p.set_role(&dee, "manager", None, None).expect("set-role");
        let resent = p
            .resend_invite(&dee, None, None, true)
            .expect("resend-invite");
        let shown = p.member_show(&dee, None).expect("show");
        let history: Vec<String> = p
            .member_history(&dee, None)
            .expect("history")
            .iter()
            .map(|h| {
                // Its place in the whole log, which every account's
                // events shift, is no news of Contoso.
                let mut h = serde_json::to_value(h).expect("json");
                h.as_object_mut().map(|o| o.remove("seq"));
                h.to_string()
            })
            .collect();
        let twice = p
            .invite(&InviteRequest {
                email: Some(dee.clone()),
                role: Some("user".into()),
                ..InviteRequest::default()
            })
            .expect_err("a member already");
        let reading = anns_reading(&mut p);
        let exported =
            serde_json::to_string(&p.export(Some("Acme")).expect("export")).expect("json");
        told.push(format!(
            "{}|{}|{}|{:?}|{}|{}|{}|{:?}|{}|{twice}|{}|{exported}",
            json(&invited.member),
            json(&(invited.existing_login, invited.expires_at)),
            json(&renamed.member),
            (renamed.changed, &renamed.warnings),
            json(&role),
            json(&(&resent.member, resent.existing_login, resent.email_queued)),
            json(&shown),
            history,
            twice.exit_code(),
            json(&reading.0),
        ));
        // The log as Ann reads it.
        told.push(format!("{:?}", reading.1));
        assert_eq!(shown.email, "dee@contoso.test");
        assert_eq!(shown.name.as_deref(), Some("Dee D"));
        // Without the merge, the address is a person the invitation
        // made, which Ann names.
        let contoso_after = contoso_read(&mut p);
        assert_eq!(contoso_after.0, contoso_before.0, "Contoso changed");
        assert_eq!(contoso_after.1[0], contoso_before.1[0], "Kim changed");
        if merged {
            assert_eq!(
                contoso_after.1, contoso_before.1,
                "Contoso's people changed"
            );
        }

        p.ctx.actor = Actor::Operator("root".into());
        let seen = p.member_show(&dee, Some("Acme"));
        if merged {
            // The operator reads who it is, and the address it went to.
            let seen = p
                .member_show(&email("kim@contoso.test"), Some("Acme"))
                .expect("the operator reads Kim");
            assert_eq!(seen.invited_email.as_deref(), Some("dee@contoso.test"));
        } else {
            assert!(seen.expect("dee").invited_email.is_none());
        }
        let old = p.accept(&invited.token, None).expect_err("replaced");
        assert_eq!(old.exit_code(), 4, "{old}");
        let mailed = send(&mut p);
        let to_dee: Vec<&String> = mailed
            .iter()
            .filter(|(to, _)| to.contains("dee@contoso.test"))
            .map(|(_, token)| token)
            .collect();
        assert_eq!(
            to_dee.len(),
            1,
            "the email goes to the typed address: {mailed:?}"
        );
        let joined = p.accept(to_dee[0], None).expect("accept");
        let who = if merged {
            "kim@contoso.test"
        } else {
            "dee@contoso.test"
        };
        assert_eq!(
            (joined.email.as_str(), joined.account.as_str()),
            (who, "Acme")
        );
        assert_eq!(joined.role, "manager");
        assert_eq!(contoso_read(&mut p).0, contoso_before.0, "Contoso changed");
    }
    assert_eq!(
        told[0], told[2],
        "Ann learns that the address was merged in Contoso"
    );
    assert_eq!(
        told[1], told[3],
        "Ann's log says that the address was merged"
    );
}

/// What a command prints of `value` as JSON.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("json")
}

/// Contoso as its admin reads it, and the people at its addresses.
fn contoso_read(p: &mut Portal) -> (Vec<MemberView>, Vec<Option<Person>>) {
    let actor = std::mem::replace(&mut p.ctx.actor, Actor::Member(email("yan@contoso.test")));
    let members = p.member_list(&MemberFilter::default()).expect("list");
    p.ctx.actor = actor;
    let tx = p.gate.read(p.ctx.now).expect("read");
    let people = ["kim@contoso.test", "dee@contoso.test"]
        .iter()
        .map(|e| tx.person_by_email(e).expect("read"))
        .collect();
    (members, people)
}

/// Whoever may see the merge is told of it, as before: Contoso's admin
/// inviting the address into Contoso, and the operator anywhere.
#[test]
fn who_sees_a_merge_is_told_to_invite_the_address_kept() {
    let (mut p, _) = ann_invited_dee(true);
    let invite = |p: &mut Portal, account: &str| {
        p.invite(&InviteRequest {
            email: Some(email("dee@contoso.test")),
            role: Some("user".into()),
            account: Some(account.into()),
            ..InviteRequest::default()
        })
    };
    p.ctx.actor = Actor::Member(email("yan@contoso.test"));
    let err = invite(&mut p, "Contoso").expect_err("Yan sees the merge");
    assert_eq!(err.exit_code(), 4, "{err}");
    assert!(
        err.to_string().contains("merged into `kim@contoso.test`"),
        "{err}"
    );
    p.ctx.actor = Actor::Operator("root".into());
    add_account(&mut p, "Beta", AccountKind::Customer, None);
    let err = invite(&mut p, "Beta").expect_err("the operator sees it");
    assert_eq!(err.exit_code(), 4, "{err}");
    assert!(err.to_string().contains("retired duplicate"), "{err}");
}

/// What the operator records of the member, under the person's own
/// address, Ann reads by the address her account invited: the log names
/// nobody she may not see.
#[test]
fn the_operators_changes_read_to_the_inviter_by_the_address_invited() {
    let (mut p, _) = ann_invited_dee(true);
    p.ctx.actor = Actor::Operator("root".into());
    p.set_role(&email("kim@contoso.test"), "manager", Some("Acme"), None)
        .expect("the operator changes Kim's invitation");
    p.ctx.actor = Actor::Member(email("ann@acme.test"));
    let log = anns_reading(&mut p).1;
    let read = format!("{log:?}");
    assert!(!read.contains("kim@contoso.test"), "{read}");
    let last = log.last().expect("an event");
    assert_eq!(last[1], "user.set_role", "{last}");
    assert_eq!(last[3], "dee@contoso.test", "{last}");
    assert_eq!(last[5]["email"], "dee@contoso.test", "{last}");
}
