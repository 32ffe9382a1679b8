//! Tests of the storage seam, written against [`Store`] and [`Tx`] alone so
//! that they hold any implementation to the same contract: each table
//! group's rows read back as written, the journal, commit and rollback.
//! [`store`] picks the implementation: the in-memory SQLite store.

use std::collections::BTreeMap;

use super::{AuditQuery, SqliteStore, Store, Tx};
use crate::error::Result;
use crate::model::{
    parse_time, Account, AccountKind, Address, Allocation, AuditEvent, CostCentre, Course, Grant,
    GrantBundle, Invitation, InvitationState, IpDirection, License, MatchedPolicy, MemberStatus,
    Membership, Money, Order, OrderDecision, OrderStatus, OutboxMessage, PartnerConfig, PartnerIp,
    PaymentDetails, PaymentMethod, Person, Policy, Profile, Role, Service, ShippingAddress,
    Smarthost, Timestamp,
};

/// A new, empty store of the implementation under test.
fn store() -> Box<dyn Store> {
    Box::new(SqliteStore::in_memory().expect("an in-memory store"))
}

/// Runs `f` in a write transaction and commits it.
fn committed<T>(store: &mut dyn Store, f: impl FnOnce(&dyn Tx) -> Result<T>) -> T {
    let tx = store.write().expect("a write transaction");
    let value = f(&*tx).expect("the writes succeed");
    tx.commit().expect("the commit succeeds");
    value
}

/// Runs `f` in a read transaction.
fn read<T>(store: &mut dyn Store, f: impl FnOnce(&dyn Tx) -> Result<T>) -> T {
    let tx = store.read().expect("a read transaction");
    f(&*tx).expect("the reads succeed")
}

/// A fixed time, `minute` minutes into the test day.
fn t(minute: u32) -> Timestamp {
    parse_time(&format!("2026-11-25T09:{minute:02}:00Z")).expect("a time")
}

fn person(email: &str) -> Person {
    Person {
        id: 0,
        email: email.parse().expect("an email"),
        name: "Ann".into(),
        duplicate_of: None,
        merged_into: None,
        created_at: t(0),
    }
}

fn account(name: &str, kind: AccountKind, owner_id: Option<i64>) -> Account {
    Account {
        id: 0,
        name: name.into(),
        kind,
        parent_id: None,
        currency: "GBP".into(),
        owner_id,
        profile: Profile::default(),
        created_at: t(0),
    }
}

fn role(name: &str) -> Role {
    Role {
        id: 0,
        name: name.into(),
        description: format!("The {name} role"),
        all_capabilities: false,
        blocking: false,
        builtin: true,
        capabilities: vec!["orders.view".into(), "users.view".into()],
        deleted_at: None,
    }
}

fn membership(person_id: i64, account_id: i64, role_id: i64) -> Membership {
    Membership {
        id: 0,
        person_id,
        account_id,
        role_id,
        previous_role_id: None,
        status: MemberStatus::Active,
        city: Some("Leeds".into()),
        country: Some("GB".into()),
        timezone: Some("Europe/London".into()),
        external_from: None,
        invited_at: Some(t(1)),
        accepted_at: Some(t(2)),
        created_at: t(1),
        updated_at: t(2),
    }
}

fn grant(name: &str) -> Grant {
    Grant {
        name: name.into(),
        granted_at: t(3),
        expires_at: Some(t(59)),
    }
}

fn policy(account_id: i64, approvers: Vec<i64>) -> Policy {
    Policy {
        id: 0,
        account_id,
        name: "Large".into(),
        threshold: Money::from_minor(100_000),
        order_type: Some("hardware".into()),
        approvers,
        required_approvals: 1,
        enabled: true,
        created_at: t(4),
    }
}

/// An owner, their partner account, a role and the owner's membership:
/// what most rows belong to.
struct Base {
    person: i64,
    account: i64,
    role: i64,
    membership: i64,
}

fn base(tx: &dyn Tx) -> Result<Base> {
    let person = tx.insert_person(&person("ann@acme.test"))?;
    let account = tx.insert_account(&account("Acme Ltd", AccountKind::Partner, Some(person)))?;
    let role = tx.insert_role(&role("user"), t(0))?;
    let membership = tx.insert_membership(&membership(person, account, role))?;
    Ok(Base {
        person,
        account,
        role,
        membership,
    })
}

/// A new store holding a committed [`Base`].
fn store_with_base() -> (Box<dyn Store>, Base) {
    let mut store = store();
    let base = committed(&mut *store, base);
    (store, base)
}

// ------------------------------------------------------------ round trips

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
        assert_eq!(tx.role_named("admin")?, Some(admin.clone()));
        assert_eq!(tx.role_named("Admin")?, None, "names match exactly");
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
    read(&mut *s, |tx| {
        assert_eq!(tx.person(bob.id)?, merged);
        assert_eq!(tx.membership(b.membership)?, left);
        assert_eq!(
            tx.grants(b.membership)?,
            vec![
                grant("billing"),
                Grant {
                    expires_at: None,
                    ..grant("orders.approve")
                },
            ]
        );
        Ok(())
    });
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
    let message = |recipient: &str, sent_at| OutboxMessage {
        id: 0,
        kind: "invitation".into(),
        recipient: recipient.into(),
        subject: "Welcome".into(),
        body: "Accept with the token".into(),
        created_at: t(1),
        sent_at,
    };
    let mut sent = message("ann@acme.test", Some(t(2)));
    let mut unsent = message("bob@acme.test", None);
    committed(&mut *s, |tx| {
        invitation.id = tx.insert_invitation(&invitation)?;
        sent.id = tx.enqueue(&sent)?;
        unsent.id = tx.enqueue(&unsent)?;
        Ok(())
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.invitation_by_hash("ab12")?, Some(invitation.clone()));
        assert_eq!(tx.invitation_by_hash("cd34")?, None);
        assert_eq!(
            tx.pending_invitation(b.membership)?,
            Some(invitation.clone())
        );
        assert_eq!(tx.messages(false)?, vec![sent.clone(), unsent.clone()]);
        assert_eq!(tx.messages(true)?, vec![unsent.clone()]);
        Ok(())
    });
    committed(&mut *s, |tx| {
        tx.end_invitation(invitation.id, InvitationState::Accepted, t(7))
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
    assert_eq!(read(&mut *s, |tx| tx.audit_head()), None);
    committed(&mut *s, |tx| {
        tx.append_audit(&first, Some(b.account))?;
        tx.append_audit(&second, None)
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.audit_head()?, Some((2, "hash2".into())));
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
        let newest = AuditQuery {
            limit: Some(1),
            ..all
        };
        assert_eq!(tx.audit_events(&newest)?, vec![second.clone()]);
        Ok(())
    });
}

#[test]
fn services_and_cost_centres_read_back_and_update() {
    let (mut s, b) = store_with_base();
    let mut line = Service {
        id: 0,
        account_id: b.account,
        name: "Line 1".into(),
        kind: Some("broadband".into()),
        assigned_to: Some(b.membership),
        created_at: t(1),
    };
    let mut centre = CostCentre {
        id: 0,
        account_id: b.account,
        code: "FIN".into(),
        name: "Finance".into(),
        archived_at: None,
        created_at: t(1),
    };
    committed(&mut *s, |tx| {
        line.id = tx.insert_service(&line)?;
        centre.id = tx.insert_cost_centre(&centre)?;
        Ok(())
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.services_in(b.account)?, vec![line.clone()]);
        assert_eq!(tx.services_assigned_to(b.membership)?, vec![line.clone()]);
        assert_eq!(tx.service_by_id(line.id)?, Some(line.clone()));
        assert_eq!(tx.service_named(b.account, "Line 1")?, Some(line.clone()));
        assert_eq!(tx.service_named(b.account, "Line 2")?, None);
        assert_eq!(tx.cost_centres_in(b.account)?, vec![centre.clone()]);
        assert_eq!(tx.cost_centre(centre.id)?, Some(centre.clone()));
        assert_eq!(
            tx.cost_centre_by_code(b.account, "fin")?,
            Some(centre.clone())
        );
        Ok(())
    });
    let line = Service {
        name: "Line one".into(),
        kind: None,
        assigned_to: None,
        ..line
    };
    let centre = CostCentre {
        code: "FN".into(),
        name: "Finance team".into(),
        archived_at: Some(t(9)),
        ..centre
    };
    committed(&mut *s, |tx| {
        tx.update_service(&line)?;
        tx.update_cost_centre(&centre)
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.service_by_id(line.id)?, Some(line.clone()));
        assert_eq!(tx.services_assigned_to(b.membership)?, vec![]);
        assert_eq!(tx.cost_centre(centre.id)?, Some(centre.clone()));
        Ok(())
    });
}

#[test]
fn policies_orders_and_decisions_read_back_and_update() {
    let (mut s, b) = store_with_base();
    let mut large = policy(b.account, vec![b.person]);
    let mut order = Order {
        id: 0,
        account_id: b.account,
        reference: Some("PO-1".into()),
        creator_id: Some(b.person),
        creator: "ann@acme.test".into(),
        description: "Laptops".into(),
        order_type: Some("hardware".into()),
        amount: Money::from_minor(250_000),
        currency: "GBP".into(),
        cost_centre_id: None,
        ship_to: Some(ShippingAddress {
            label: "HQ".into(),
            line1: "1 Main Street".into(),
            line2: None,
            city: "Leeds".into(),
            postcode: "LS1 1AA".into(),
            country: "GB".into(),
        }),
        status: OrderStatus::Pending,
        rejected_reason: None,
        decided_at: None,
        created_at: t(5),
    };
    committed(&mut *s, |tx| {
        large.id = tx.insert_policy(&large)?;
        order.id = tx.insert_order(&order)?;
        Ok(())
    });
    let matched = MatchedPolicy {
        policy_id: large.id,
        name: "Large".into(),
        approvers: vec![b.person],
        required_approvals: 1,
    };
    let decision = OrderDecision {
        person_id: b.person,
        approved: false,
        reason: Some("too dear".into()),
        at: t(6),
    };
    let rejected = Order {
        status: OrderStatus::Rejected,
        rejected_reason: Some("too dear".into()),
        decided_at: Some(t(6)),
        ..order.clone()
    };
    let relaxed = Policy {
        approvers: vec![],
        enabled: false,
        required_approvals: 2,
        ..large.clone()
    };
    read(&mut *s, |tx| {
        assert_eq!(tx.policies_in(b.account)?, vec![large.clone()]);
        assert_eq!(tx.policy_named(b.account, "LARGE")?, Some(large.clone()));
        assert_eq!(tx.order(order.id)?, Some(order.clone()));
        assert_eq!(tx.orders_in(b.account)?, vec![order.clone()]);
        assert_eq!(tx.matched_policies(order.id)?, vec![]);
        assert_eq!(tx.decisions(order.id)?, vec![]);
        Ok(())
    });
    committed(&mut *s, |tx| {
        tx.insert_matched_policy(order.id, &matched)?;
        tx.insert_decision(order.id, &decision)?;
        tx.update_order(&rejected)?;
        tx.update_policy(&relaxed)
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.matched_policies(order.id)?, vec![matched.clone()]);
        assert_eq!(tx.decisions(order.id)?, vec![decision.clone()]);
        assert_eq!(tx.order(order.id)?, Some(rejected.clone()));
        assert_eq!(tx.policy_named(b.account, "Large")?, Some(relaxed.clone()));
        Ok(())
    });
}

#[test]
fn courses_and_enrolments_read_back_and_end() {
    let (mut s, b) = store_with_base();
    let mut course = Course {
        id: 0,
        name: "Partner Community".into(),
        description: "Forums".into(),
        all_roles: false,
        role_ids: vec![b.role],
        area_capabilities: vec!["community.post".into(), "community.read".into()],
    };
    let enrolment = committed(&mut *s, |tx| {
        course.id = tx.insert_course(&course, t(0))?;
        tx.enrol(b.membership, course.id, t(2))
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.courses()?, vec![course.clone()]);
        let current = tx.enrolments(b.membership, true)?;
        assert_eq!(current.len(), 1);
        assert_eq!(
            (current[0].id, current[0].course_id, current[0].enrolled_at),
            (enrolment, course.id, t(2))
        );
        assert_eq!(current[0].ended_at, None);
        Ok(())
    });
    committed(&mut *s, |tx| tx.end_enrolment(enrolment, t(8)));
    read(&mut *s, |tx| {
        assert_eq!(tx.enrolments(b.membership, true)?, vec![]);
        let all = tx.enrolments(b.membership, false)?;
        assert_eq!(all.len(), 1, "an ended enrolment stays as history");
        assert_eq!(all[0].ended_at, Some(t(8)));
        Ok(())
    });
}

#[test]
fn licences_and_allocations_read_back_and_update() {
    let (mut s, b) = store_with_base();
    let mut licence = License {
        id: 0,
        account_id: b.account,
        product: "MDR Complete".into(),
        seats: 10,
        created_at: t(1),
        updated_at: t(1),
    };
    let customer = committed(&mut *s, |tx| {
        licence.id = tx.insert_license(&licence)?;
        tx.insert_account(&Account {
            parent_id: Some(b.account),
            ..account("Bolt plc", AccountKind::Customer, None)
        })
    });
    let allocation = Allocation {
        license_id: licence.id,
        customer_id: customer,
        seats: 4,
        updated_at: t(2),
    };
    let bought_more = License {
        seats: 20,
        updated_at: t(3),
        ..licence.clone()
    };
    committed(&mut *s, |tx| {
        tx.put_allocation(&Allocation {
            seats: 1,
            ..allocation.clone()
        })?;
        // Replaces the first.
        tx.put_allocation(&allocation)?;
        tx.update_license(&bought_more)
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.licenses_of(b.account)?, vec![bought_more.clone()]);
        assert_eq!(
            tx.license_for(b.account, "mdr complete")?,
            Some(bought_more.clone())
        );
        assert_eq!(tx.license_for(b.account, "EDR")?, None);
        assert_eq!(tx.allocations(licence.id)?, vec![allocation.clone()]);
        assert_eq!(
            tx.allocations_of_customer(customer)?,
            vec![allocation.clone()]
        );
        Ok(())
    });
}

#[test]
fn addresses_read_back_until_removed() {
    let (mut s, b) = store_with_base();
    let fields = ShippingAddress {
        label: "HQ".into(),
        line1: "1 Main Street".into(),
        line2: Some("Floor 2".into()),
        city: "Leeds".into(),
        postcode: "LS1 1AA".into(),
        country: "GB".into(),
    };
    let id = committed(&mut *s, |tx| tx.insert_address(b.account, &fields, t(1)));
    let address = Address {
        id,
        account_id: b.account,
        fields,
        created_at: t(1),
        removed_at: None,
    };
    read(&mut *s, |tx| {
        assert_eq!(tx.addresses(b.account)?, vec![address.clone()]);
        assert_eq!(tx.address_labelled(b.account, "hq")?, Some(address.clone()));
        Ok(())
    });
    committed(&mut *s, |tx| tx.mark_address_removed(id, t(9)));
    read(&mut *s, |tx| {
        assert_eq!(tx.addresses(b.account)?, vec![]);
        assert_eq!(tx.address_labelled(b.account, "HQ")?, None);
        Ok(())
    });
}

#[test]
fn payment_details_and_partner_settings_read_back() {
    let (mut s, b) = store_with_base();
    read(&mut *s, |tx| {
        assert_eq!(tx.payment_details(b.account)?, None);
        assert_eq!(tx.partner_config(b.account)?, PartnerConfig::default());
        assert_eq!(tx.partner_ips(b.account)?, vec![]);
        Ok(())
    });
    let details = PaymentDetails {
        account_id: b.account,
        method: PaymentMethod::DirectDebit,
        iban: Some("GB82 WEST 1234 5698 7654 32".parse().expect("an IBAN")),
        updated_at: t(2),
    };
    let config = PartnerConfig {
        partner_status: Some("Technical".into()),
        smarthost: Some(Smarthost {
            host: "mail.acme.test".into(),
            port: Some(587),
        }),
    };
    let ip = |network: &str, direction| PartnerIp {
        account_id: b.account,
        direction,
        network: network.parse().expect("an address"),
        added_at: t(3),
    };
    let (ten, nine, out) = (
        ip("10.0.0.1", IpDirection::Inbound),
        ip("9.0.0.1", IpDirection::Inbound),
        ip("192.0.2.0/24", IpDirection::Outbound),
    );
    committed(&mut *s, |tx| {
        tx.put_payment_details(&PaymentDetails {
            method: PaymentMethod::Card,
            iban: None,
            ..details.clone()
        })?;
        // Replaces the first.
        tx.put_payment_details(&details)?;
        tx.put_partner_config(b.account, &config, t(2))?;
        for ip in [&ten, &out, &nine] {
            assert!(tx.insert_partner_ip(ip)?, "{ip:?} is new");
        }
        assert!(!tx.insert_partner_ip(&ten)?, "already there");
        Ok(())
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.payment_details(b.account)?, Some(details.clone()));
        assert_eq!(tx.partner_config(b.account)?, config.clone());
        assert_eq!(
            tx.partner_ips(b.account)?,
            vec![nine.clone(), ten.clone(), out.clone()]
        );
        Ok(())
    });
    committed(&mut *s, |tx| {
        assert!(tx.delete_partner_ip(b.account, ten.direction, &ten.network)?);
        assert!(!tx.delete_partner_ip(b.account, ten.direction, &ten.network)?);
        Ok(())
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.partner_ips(b.account)?, vec![nine.clone(), out.clone()]);
        Ok(())
    });
}

// ----------------------------------------------------------------- journal

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

// --------------------------------------------------------------- commits

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
