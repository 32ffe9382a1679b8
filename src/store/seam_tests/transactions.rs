//! The journal, commits and rollbacks.

use std::collections::BTreeMap;

use super::*;

#[test]
fn the_journal_keeps_each_row_as_it_was_before_the_first_write() {
    let mut s = store();
    let (b, policy_id, admin) = committed(&mut *s, |tx| {
        let b = base(tx)?;
        tx.put_grant(b.membership, &grant("billing"))?;
        let policy_id = tx.insert_policy(&policy(b.account, vec![b.person]))?;
        Ok((b, policy_id, tx.insert_role(&role("admin"), t(0))?))
    });
    let tx = s.write().expect("a write transaction");
    let (m, grants, a, p, pol) = (
        tx.membership(b.membership).expect("reads"),
        tx.grants(b.membership).expect("reads"),
        tx.account(b.account).expect("reads"),
        tx.person(b.person).expect("reads"),
        tx.policy_named(b.account, "Large")
            .expect("reads")
            .expect("a policy"),
    );

    // The first write to the membership is a grant: the image is from before it.
    tx.put_grant(b.membership, &grant("orders.approve"))
        .expect("writes");
    tx.update_membership(&Membership {
        role_id: admin,
        ..m.clone()
    })
    .expect("writes");
    tx.delete_grant(b.membership, "billing").expect("writes");
    for name in ["Acme Group", "Acme Holdings"] {
        tx.update_account(&Account {
            name: name.into(),
            ..a.clone()
        })
        .expect("writes");
    }
    for name in ["Annie", "Anne"] {
        tx.update_person(&Person {
            name: name.into(),
            ..p.clone()
        })
        .expect("writes");
    }
    for approvers in [vec![], vec![b.person]] {
        tx.update_policy(&Policy {
            approvers,
            ..pol.clone()
        })
        .expect("writes");
    }

    let journal = tx.journal();
    assert_eq!(
        journal.memberships,
        BTreeMap::from([(b.membership, Some((m, grants)))])
    );
    assert_eq!(journal.accounts, BTreeMap::from([(b.account, Some(a))]));
    assert_eq!(journal.people, BTreeMap::from([(b.person, Some(p))]));
    assert_eq!(journal.policies, BTreeMap::from([(policy_id, Some(pol))]));
}

#[test]
fn the_journal_notes_rows_the_transaction_created_as_none() {
    let mut s = store();
    let tx = s.write().expect("a write transaction");
    let b = base(&*tx).expect("writes");
    let policy_id = tx
        .insert_policy(&policy(b.account, vec![b.person]))
        .expect("writes");
    // Later writes to a created row leave it created.
    tx.put_grant(b.membership, &grant("billing"))
        .expect("writes");
    tx.update_membership(&Membership {
        id: b.membership,
        status: MemberStatus::Deactivated,
        ..membership(b.person, b.account, b.role)
    })
    .expect("writes");

    let journal = tx.journal();
    assert_eq!(journal.memberships, BTreeMap::from([(b.membership, None)]));
    assert_eq!(journal.accounts, BTreeMap::from([(b.account, None)]));
    assert_eq!(journal.people, BTreeMap::from([(b.person, None)]));
    assert_eq!(journal.policies, BTreeMap::from([(policy_id, None)]));
}

#[test]
fn reads_and_other_tables_leave_the_journal_empty() {
    let (mut s, b) = store_with_base();
    let tx = s.write().expect("a write transaction");
    tx.membership(b.membership).expect("reads");
    tx.memberships_in(b.account).expect("reads");
    tx.grants(b.membership).expect("reads");
    tx.account(b.account).expect("reads");
    tx.person(b.person).expect("reads");
    tx.policies_in(b.account).expect("reads");
    tx.put_setting("preset", "portal").expect("writes");
    tx.insert_role(&role("admin"), t(0)).expect("writes");
    let journal = tx.journal();
    assert!(journal.memberships.is_empty() && journal.accounts.is_empty());
    assert!(journal.people.is_empty() && journal.policies.is_empty());
}

#[test]
fn every_change_to_the_catalog_is_journaled_and_nothing_else_is() {
    let (mut s, b) = store_with_base();
    // Each catalog write, in a transaction of its own.
    type Write = Box<dyn Fn(&dyn Tx) -> Result<()>>;
    let writes: Vec<(&str, Write)> = vec![
        (
            "put_setting",
            Box::new(|tx| tx.put_setting("preset", "portal")),
        ),
        (
            "delete_setting",
            Box::new(|tx| tx.delete_setting("support-email")),
        ),
        (
            "insert_role",
            Box::new(|tx| tx.insert_role(&role("auditor"), t(0)).map(|_| ())),
        ),
        (
            "delete_role",
            Box::new(move |tx| tx.delete_role(b.role, t(1))),
        ),
        (
            "insert_bundle",
            Box::new(|tx| {
                tx.insert_bundle(&GrantBundle {
                    name: "billing".into(),
                    description: String::new(),
                    capabilities: vec!["billing.view".into()],
                })
            }),
        ),
        (
            "insert_course",
            Box::new(|tx| {
                tx.insert_course(
                    &Course {
                        id: 0,
                        name: "Basics".into(),
                        description: String::new(),
                        all_roles: true,
                        role_ids: Vec::new(),
                        area_capabilities: Vec::new(),
                    },
                    t(0),
                )
                .map(|_| ())
            }),
        ),
    ];
    for (name, write) in &writes {
        let tx = s.write().expect("a write transaction");
        assert!(!tx.journal().catalog, "{name}: starts clean");
        write(&*tx).expect(name);
        assert!(tx.journal().catalog, "{name} changes the catalog");
    }
    // Reads of the catalog and writes of members change none of it.
    let tx = s.write().expect("a write transaction");
    tx.roles().expect("reads");
    tx.setting("preset").expect("reads");
    tx.put_grant(b.membership, &grant("billing"))
        .expect("writes");
    assert!(!tx.journal().catalog);
}

#[test]
fn each_transaction_keeps_a_journal_of_its_own() {
    let (mut s, b) = store_with_base();
    let renamed = committed(&mut *s, |tx| {
        let renamed = Account {
            name: "Acme Group".into(),
            ..tx.account(b.account)?
        };
        tx.update_account(&renamed)?;
        Ok(renamed)
    });
    assert!(read(&mut *s, |tx| Ok(tx.journal().accounts.is_empty())));
    let tx = s.write().expect("a write transaction");
    assert!(tx.journal().accounts.is_empty(), "starts empty");
    tx.update_account(&Account {
        name: "Acme Holdings".into(),
        ..renamed.clone()
    })
    .expect("writes");
    assert_eq!(
        tx.journal().accounts,
        BTreeMap::from([(b.account, Some(renamed))]),
        "the image is what the last commit left"
    );
}

#[test]
fn a_read_transaction_sees_what_was_committed() {
    let mut s = store();
    let id = committed(&mut *s, |tx| tx.insert_person(&person("ann@acme.test")));
    read(&mut *s, |tx| {
        assert_eq!(
            tx.person_by_email("ann@acme.test")?,
            Some(Person {
                id,
                ..person("ann@acme.test")
            })
        );
        Ok(())
    });
}

#[test]
fn dropping_a_write_transaction_rolls_it_back() {
    let mut s = store();
    {
        let tx = s.write().expect("a write transaction");
        tx.insert_person(&person("ann@acme.test")).expect("writes");
        tx.put_setting("preset", "portal").expect("writes");
    }
    read(&mut *s, |tx| {
        assert_eq!(tx.person_by_email("ann@acme.test")?, None);
        assert_eq!(tx.setting("preset")?, None);
        Ok(())
    });
    // The store goes on working after a rollback.
    committed(&mut *s, |tx| tx.put_setting("preset", "portal"));
    assert_eq!(
        read(&mut *s, |tx| tx.setting("preset")).as_deref(),
        Some("portal")
    );
}
