//! Round trips of settings, roles, accounts, people, invitations and the
//! audit log.

use super::*;

#[test]
fn settings_read_back_and_replace() {
    let mut s = store();
    committed(&mut *s, |tx| {
        tx.put_setting("preset", "portal")?;
        tx.put_setting("preset", "moodle")
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.setting("preset")?.as_deref(), Some("moodle"));
        assert_eq!(tx.setting("owner_role")?, None);
        Ok(())
    });
}

#[test]
fn roles_and_bundles_read_back() {
    let (mut s, b) = store_with_base();
    let bundle = GrantBundle {
        name: "billing".into(),
        description: "Bills and payments".into(),
        capabilities: vec!["billing.pay".into(), "billing.view".into()],
    };
    let admin = committed(&mut *s, |tx| {
        tx.insert_bundle(&bundle)?;
        tx.insert_role(&role("admin"), t(0))
    });
    let user = Role {
        id: b.role,
        ..role("user")
    };
    let admin = Role {
        id: admin,
        ..role("admin")
    };
    read(&mut *s, |tx| {
        assert_eq!(tx.role(b.role)?, user);
        assert_eq!(tx.role_named("admin", None)?, Some(admin.clone()));
        assert_eq!(
            tx.role_named("admin", Some(b.account))?,
            Some(admin.clone())
        );
        assert_eq!(tx.role_named("Admin", None)?, None, "names match exactly");
        assert_eq!(tx.roles()?, vec![user.clone(), admin.clone()]);
        assert_eq!(tx.role_holders(b.role)?, vec![(b.person, b.account)]);
        assert_eq!(tx.role_holders(admin.id)?, vec![]);
        assert_eq!(tx.bundles()?, vec![bundle.clone()]);
        Ok(())
    });
    committed(&mut *s, |tx| tx.delete_role(admin.id, t(9)));
    read(&mut *s, |tx| {
        assert_eq!(tx.role(admin.id)?.deleted_at, Some(t(9)), "kept, marked");
        Ok(())
    });
}

#[test]
fn accounts_read_back_and_update() {
    let (mut s, b) = store_with_base();
    let mut customer = Account {
        parent_id: Some(b.account),
        ..account("Bolt plc", AccountKind::Customer, None)
    };
    customer.id = committed(&mut *s, |tx| tx.insert_account(&customer));
    let acme = Account {
        id: b.account,
        ..account("Acme Ltd", AccountKind::Partner, Some(b.person))
    };
    read(&mut *s, |tx| {
        assert_eq!(tx.account(b.account)?, acme);
        assert_eq!(tx.account_named("ACME LTD")?, Some(acme.clone()));
        assert_eq!(tx.account_named("Nobody")?, None);
        assert_eq!(tx.accounts()?, vec![acme.clone(), customer.clone()]);
        Ok(())
    });
    let changed = Account {
        name: "Acme Group".into(),
        owner_id: None,
        profile: Profile {
            phone: Some("+44 113 496 0000".into()),
            website: Some("acme.test".into()),
            marketing: Some("We fix things".into()),
            sectors: Some("Retail".into()),
            billing_contact: Some("billing@acme.test".into()),
        },
        ..acme
    };
    committed(&mut *s, |tx| tx.update_account(&changed));
    read(&mut *s, |tx| {
        assert_eq!(tx.account(b.account)?, changed);
        Ok(())
    });
}

#[test]
fn people_memberships_and_grants_read_back_and_update() {
    let (mut s, b) = store_with_base();
    let mut bob = person("bob@acme.test");
    bob.id = committed(&mut *s, |tx| tx.insert_person(&bob));
    let ann = Person {
        id: b.person,
        ..person("ann@acme.test")
    };
    let owner = Membership {
        id: b.membership,
        ..membership(b.person, b.account, b.role)
    };
    read(&mut *s, |tx| {
        assert_eq!(tx.person(b.person)?, ann);
        assert_eq!(tx.person_by_email("bob@acme.test")?, Some(bob.clone()));
        assert_eq!(tx.person_by_email("eve@acme.test")?, None);
        assert_eq!(tx.membership(b.membership)?, owner);
        assert_eq!(tx.membership_of(b.person, b.account)?, Some(owner.clone()));
        assert_eq!(tx.membership_of(bob.id, b.account)?, None);
        assert_eq!(tx.memberships_in(b.account)?, vec![owner.clone()]);
        assert_eq!(tx.memberships_of(b.person)?, vec![owner.clone()]);
        assert_eq!(tx.grants(b.membership)?, vec![]);
        Ok(())
    });
    let merged = Person {
        name: "Robert".into(),
        merged_into: Some(ann.id),
        ..bob.clone()
    };
    let left = Membership {
        status: MemberStatus::Left,
        previous_role_id: Some(b.role),
        external_from: Some(b.account),
        updated_at: t(8),
        ..owner.clone()
    };
    committed(&mut *s, |tx| {
        tx.update_person(&merged)?;
        tx.update_membership(&left)?;
        tx.put_grant(b.membership, &grant("orders.approve"))?;
        tx.put_grant(b.membership, &grant("billing"))?;
        // Replaces the first.
        tx.put_grant(
            b.membership,
            &Grant {
                expires_at: None,
                ..grant("orders.approve")
            },
        )?;
        tx.put_grant(b.membership, &grant("users.invite"))?;
        tx.delete_grant(b.membership, "users.invite")
    });
    let bob_in = committed(&mut *s, |tx| {
        tx.insert_membership(&membership(bob.id, b.account, b.role))
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.person(bob.id)?, merged);
        assert_eq!(tx.membership(b.membership)?, left);
        // A list's read: ids by email, then each with their person and
        // grants, in the order asked.
        let ids = tx.member_ids(b.account, &MemberQuery::default())?;
        assert_eq!(ids, vec![b.membership, bob_in]);
        let members = tx.members_by_id(&[bob_in, b.membership])?;
        let listed: Vec<(i64, &str, usize)> = members
            .iter()
            .map(|m| (m.membership.id, m.person.email.as_str(), m.grants.len()))
            .collect();
        assert_eq!(
            listed,
            vec![
                (bob_in, "bob@acme.test", 0),
                (b.membership, "ann@acme.test", 2)
            ]
        );
        assert_eq!(members[1].membership, left);
        assert_eq!(members[1].person, ann);
        assert_eq!(members[0].person, merged);
        let first = MemberQuery {
            limit: Some(1),
            ..MemberQuery::default()
        };
        assert_eq!(tx.member_ids(b.account, &first)?, vec![b.membership]);
        let held = vec![
            grant("billing"),
            Grant {
                expires_at: None,
                ..grant("orders.approve")
            },
        ];
        assert_eq!(tx.grants(b.membership)?, held);
        // What a write's review reads back: each membership with its
        // grants, in any order; an id that is none is an error.
        let mut seats = tx.memberships_with_grants(&[bob_in, b.membership])?;
        seats.sort_by_key(|(m, _)| m.id);
        let bob_membership = tx.membership(bob_in)?;
        assert_eq!(seats, vec![(left.clone(), held), (bob_membership, vec![])]);
        assert!(tx.memberships_with_grants(&[bob_in, 9999]).is_err());
        Ok(())
    });
}

/// The count of active members is kept beside the memberships: a
/// transaction reads its own moves of it, and a rolled-back one moves it
/// not at all.
#[test]
fn the_kept_count_of_active_members_moves_with_its_transaction() {
    let (mut s, b) = store_with_base();
    let count = |s: &mut dyn Store| read(s, |tx| tx.active_member_count(b.account));
    let before = count(&mut *s);
    let join = |tx: &dyn Tx, email: &str| -> Result<i64> {
        let id = tx.insert_person(&person(email))?;
        tx.insert_membership(&membership(id, b.account, b.role))
    };
    committed(&mut *s, |tx| {
        join(tx, "bob@acme.test")?;
        let cy = join(tx, "cy@acme.test")?;
        assert_eq!(tx.active_member_count(b.account)?, before + 2);
        tx.update_membership(&Membership {
            id: cy,
            status: MemberStatus::Deactivated,
            ..tx.membership(cy)?
        })?;
        assert_eq!(tx.active_member_count(b.account)?, before + 1);
        join(tx, "di@acme.test")
    });
    assert_eq!(count(&mut *s), before + 2);
    {
        let tx = s.write().expect("a write transaction");
        join(&*tx, "eve@acme.test").expect("the writes succeed");
        // Dropped without a commit: rolled back.
    }
    assert_eq!(count(&mut *s), before + 2);
}

#[test]
fn invitations_and_the_outbox_read_back() {
    let (mut s, b) = store_with_base();
    let mut invitation = Invitation {
        id: 0,
        membership_id: b.membership,
        token_hash: "ab12".into(),
        created_at: t(1),
        expires_at: t(50),
        state: InvitationState::Pending,
        ended_at: None,
        resend_count: 2,
    };
    let message = |recipient: &str, sent_at: Option<Timestamp>| OutboxMessage {
        id: 0,
        kind: "invitation".into(),
        recipient: recipient.into(),
        subject: "Welcome".into(),
        body: "Accept with the token".into(),
        created_at: t(1),
        sent_at,
        state: if sent_at.is_some() {
            OutboxState::Sent
        } else {
            OutboxState::Pending
        },
        invitation_id: None,
        attempts: 0,
        last_error: None,
        last_attempt_at: None,
        next_attempt_at: None,
        ended_at: None,
        inviter: None,
    };
    let mut sent = message("ann@acme.test", Some(t(2)));
    let mut unsent = message("bob@acme.test", None);
    committed(&mut *s, |tx| {
        invitation.id = tx.insert_invitation(&invitation)?;
        sent.id = tx.enqueue(&sent)?;
        unsent.invitation_id = Some(invitation.id);
        unsent.id = tx.enqueue(&unsent)?;
        tx.add_invitation_token(invitation.id, "ef56", t(3))?;
        Ok(())
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.invitation_by_hash("ab12")?, Some(invitation.clone()));
        assert_eq!(tx.invitation_by_hash("cd34")?, None);
        assert_eq!(
            tx.pending_invitation(b.membership)?,
            Some(invitation.clone())
        );
        assert_eq!(tx.invitation_by_hash("ef56")?, Some(invitation.clone()));
        assert_eq!(tx.invitation(invitation.id)?, Some(invitation.clone()));
        assert_eq!(tx.messages(None, None)?, vec![sent.clone(), unsent.clone()]);
        assert_eq!(
            tx.messages(Some(OutboxState::Pending), None)?,
            vec![unsent.clone()]
        );
        assert_eq!(tx.message(unsent.id)?, Some(unsent.clone()));
        assert_eq!(tx.next_due_message(t(1))?, Some(unsent.clone()));
        Ok(())
    });
    // A refused attempt: the message waits, the further token goes.
    let mut waiting = OutboxMessage {
        attempts: 1,
        last_error: Some("451 try later".into()),
        last_attempt_at: Some(t(4)),
        next_attempt_at: Some(t(9)),
        ..unsent.clone()
    };
    committed(&mut *s, |tx| {
        tx.update_message(&waiting)?;
        tx.remove_invitation_token("ef56")
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.message(unsent.id)?, Some(waiting.clone()));
        assert_eq!(tx.next_due_message(t(8))?, None, "not due before its time");
        assert_eq!(tx.next_due_message(t(9))?, Some(waiting.clone()));
        assert_eq!(tx.invitation_by_hash("ef56")?, None);
        Ok(())
    });
    committed(&mut *s, |tx| {
        tx.end_invitation(invitation.id, InvitationState::Accepted, t(7))?;
        assert_eq!(
            tx.cancel_invitation_messages(invitation.id, "accepted", t(7))?,
            1
        );
        Ok(())
    });
    waiting.state = OutboxState::Cancelled;
    waiting.ended_at = Some(t(7));
    waiting.next_attempt_at = None;
    waiting.last_error = Some("accepted".into());
    read(&mut *s, |tx| {
        assert_eq!(tx.message(unsent.id)?, Some(waiting.clone()));
        assert_eq!(tx.next_due_message(t(59))?, None);
        Ok(())
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.pending_invitation(b.membership)?, None);
        assert_eq!(
            tx.invitation_by_hash("ab12")?,
            Some(Invitation {
                state: InvitationState::Accepted,
                ended_at: Some(t(7)),
                ..invitation
            })
        );
        Ok(())
    });
}

#[test]
fn the_audit_log_reads_back_by_query() {
    let (mut s, b) = store_with_base();
    let event = |seq: i64, actor: &str, at| AuditEvent {
        seq,
        at,
        actor: actor.into(),
        action: "user.invite".into(),
        account: Some("Acme Ltd".into()),
        target: Some("bob@acme.test".into()),
        before: None,
        after: Some(serde_json::json!({ "role": "user" })),
        prev_hash: format!("hash{}", seq - 1),
        hash: format!("hash{seq}"),
    };
    let first = event(1, "operator:root", t(1));
    let second = AuditEvent {
        account: None,
        before: Some(serde_json::json!(["a", 1])),
        ..event(2, "ann@acme.test", t(5))
    };
    // The second as a version-1 event, as a database migrated from before
    // hash versions holds.
    let records = [
        AuditRecord {
            event: first.clone(),
            account_id: Some(b.account),
            hash_version: 2,
        },
        AuditRecord {
            event: second.clone(),
            account_id: None,
            hash_version: 1,
        },
    ];
    assert_eq!(read(&mut *s, |tx| tx.audit_head()), None);
    committed(&mut *s, |tx| {
        let events: Vec<NewEvent> = records.iter().map(NewEvent::from).collect();
        tx.append_audit(&events[..1])?;
        tx.append_audit(&events[1..])
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.audit_head()?, Some((2, "hash2".into())));
        let chain: Vec<AuditRecord> = crate::store::whole_chain(tx)?
            .into_iter()
            .map(|row| row.map(|(record, _)| record))
            .collect::<std::result::Result<_, _>>()
            .expect("every event reads");
        assert_eq!(chain, records.to_vec());
        let all = AuditQuery::default();
        assert_eq!(tx.audit_events(&all)?, vec![first.clone(), second.clone()]);
        let by_actor = AuditQuery {
            actor: Some("ann@acme.test".into()),
            ..all.clone()
        };
        assert_eq!(tx.audit_events(&by_actor)?, vec![second.clone()]);
        let by_account = AuditQuery {
            accounts: Some(vec![b.account]),
            ..all.clone()
        };
        assert_eq!(tx.audit_events(&by_account)?, vec![first.clone()]);
        let since = AuditQuery {
            since: Some(t(5)),
            ..all.clone()
        };
        assert_eq!(tx.audit_events(&since)?, vec![second.clone()]);
        // A reader is shown only the actions listed for each account, and
        // nothing of an account not listed.
        let shown = |actions: Vec<&'static str>| AuditQuery {
            shown: Some(vec![(b.account, actions)]),
            ..all.clone()
        };
        assert_eq!(
            tx.audit_events(&shown(vec!["user.accept", "user.invite"]))?,
            vec![first.clone()]
        );
        assert_eq!(tx.audit_events(&shown(vec!["user.accept"]))?, vec![]);
        assert_eq!(tx.audit_events(&shown(vec![]))?, vec![]);
        let newest = AuditQuery {
            limit: Some(1),
            ..all
        };
        assert_eq!(tx.audit_events(&newest)?, vec![second.clone()]);
        Ok(())
    });
}
