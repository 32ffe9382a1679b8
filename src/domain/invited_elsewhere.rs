//! Someone an account invited whose address reaches a person of another
//! account, in process: the inviting admin's answers, refusals and log
//! read the same as for an address nobody else has, and the other
//! account's data stays as it was. Each test builds the same world twice,
//! once with the address known elsewhere and once without, runs the same
//! commands as the admin in both and compares what the admin is told.

use super::testing::{add_account, email, join_in, seeded};
use super::*;
use crate::mail::{Mail, Mailer, Undelivered};
use crate::model::{AccountKind, Person};
use crate::view::InvitedView;

/// A mailer that keeps what it is handed.
#[derive(Default)]
struct Kept(Vec<Mail>);

impl Mailer for Kept {
    fn destination(&self) -> String {
        "kept".into()
    }
    fn ready(&mut self) -> std::result::Result<(), String> {
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
        .audit_list(&AuditFilter::default())
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
