//! Tests of the storage seam, written against [`Store`] and [`Tx`] alone so
//! that they hold any implementation to the same contract: each table
//! group's rows read back as written, the journal, commit and rollback.
//! [`store`] picks the implementation: the in-memory SQLite store.

mod commerce;
mod identity;
mod transactions;

use super::{AuditQuery, AuditRecord, NewEvent, SqliteStore, Store, Tx};
use crate::error::Result;
use crate::model::{
    Account, AccountKind, Address, Allocation, AuditEvent, ContractPrice, CostCentre, Course,
    CourseProgress, Grant, GrantBundle, Invitation, InvitationState, IpDirection, License,
    MatchedPolicy, MemberQuery, MemberStatus, Membership, Money, Order, OrderDecision, OrderStatus,
    OutboxMessage, OutboxState, PartnerConfig, PartnerIp, PaymentDetails, PaymentMethod, Person,
    Policy, Profile, Role, Service, ShippingAddress, Smarthost, Timestamp,
};

/// A new, empty store of the implementation under test.
pub(super) fn store() -> Box<dyn Store> {
    Box::new(SqliteStore::in_memory().expect("an in-memory store"))
}

/// Runs `f` in a write transaction and commits it.
pub(super) fn committed<T>(store: &mut dyn Store, f: impl FnOnce(&dyn Tx) -> Result<T>) -> T {
    let tx = store.write().expect("a write transaction");
    let value = f(&*tx).expect("the writes succeed");
    tx.commit().expect("the commit succeeds");
    value
}

/// Runs `f` in a read transaction.
pub(super) fn read<T>(store: &mut dyn Store, f: impl FnOnce(&dyn Tx) -> Result<T>) -> T {
    let tx = store.read().expect("a read transaction");
    f(&*tx).expect("the reads succeed")
}

/// A fixed time, `minute` minutes into the test day.
pub(super) fn t(minute: u32) -> Timestamp {
    format!("2026-11-25T09:{minute:02}:00Z")
        .parse()
        .expect("a time")
}

pub(super) fn person(email: &str) -> Person {
    Person {
        id: 0,
        email: email.parse().expect("an email"),
        name: "Ann".into(),
        duplicate_of: None,
        merged_into: None,
        created_at: t(0),
    }
}

pub(super) fn account(name: &str, kind: AccountKind, owner_id: Option<i64>) -> Account {
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

pub(super) fn role(name: &str) -> Role {
    Role {
        id: 0,
        name: name.into(),
        description: format!("The {name} role"),
        all_capabilities: false,
        blocking: false,
        builtin: true,
        capabilities: vec!["orders.view".into(), "users.view".into()],
        deleted_at: None,
        account_id: None,
    }
}

pub(super) fn membership(person_id: i64, account_id: i64, role_id: i64) -> Membership {
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
        role_until: None,
        role_after: None,
        external_until: None,
        invited_at: Some(t(1)),
        accepted_at: Some(t(2)),
        created_at: t(1),
        updated_at: t(2),
        invited_name: None,
        invited_email: None,
    }
}

pub(super) fn grant(name: &str) -> Grant {
    Grant {
        name: name.into(),
        granted_at: t(3),
        expires_at: Some(t(59)),
    }
}

pub(super) fn policy(account_id: i64, approvers: Vec<i64>) -> Policy {
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
pub(super) struct Base {
    person: i64,
    account: i64,
    role: i64,
    membership: i64,
}

pub(super) fn base(tx: &dyn Tx) -> Result<Base> {
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
pub(super) fn store_with_base() -> (Box<dyn Store>, Base) {
    let mut store = store();
    let base = committed(&mut *store, base);
    (store, base)
}
