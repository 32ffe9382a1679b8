//! The write gate under attack, in process: the escalations found by
//! trying the portal as an attacker would, and a sweep of every member
//! write over every shipped preset and role that checks, from the whole
//! database rather than the gate's journal, that nobody ends up holding a
//! capability the actor lacked.

use std::collections::{BTreeMap, BTreeSet};

use super::access::{caps, Access};
use super::audit::Change;
use super::testing::{ann_administers_the_customer_area, email, join, london, portal, seeded};
use super::*;
use crate::model::{AccountKind, MemberStatus};
use serde_json::json;

/// Everything a test compares before and after a refusal: each member's
/// view and the audit log's length.
fn state(p: &mut Portal) -> (Vec<MemberView>, usize) {
    let actor = std::mem::replace(&mut p.ctx.actor, Actor::Operator("root".into()));
    let members = p
        .member_list(&MemberFilter::default())
        .expect("member list");
    let events = p
        .audit_events(&AuditFilter::default())
        .expect("audit list")
        .len();
    p.ctx.actor = actor;
    (members, events)
}

/// Runs `attack` as `who`: it must be refused with `code` and change
/// nothing.
#[track_caller]
fn refused<T: std::fmt::Debug>(
    p: &mut Portal,
    who: &str,
    code: u8,
    attack: impl FnOnce(&mut Portal) -> Result<T>,
) -> Error {
    let before = state(p);
    p.ctx.actor = Actor::Member(email(who));
    let err = attack(p).expect_err("the attack must be refused");
    p.ctx.actor = Actor::Operator("root".into());
    assert_eq!(err.exit_code(), code, "{err}");
    assert_eq!(state(p), before, "a refusal changed the database");
    err
}

fn as_member(p: &mut Portal, who: &str) {
    p.ctx.actor = Actor::Member(email(who));
}

#[test]
fn an_admin_cannot_take_the_owners_account_by_merging_the_owner_into_themselves() {
    let mut p = seeded("portal");
    join(&mut p, "ad2@acme.test", "admin");
    let err = refused(&mut p, "ad2@acme.test", 5, |p| {
        p.merge(&email("owner@acme.test"), &email("ad2@acme.test"))
    });
    assert!(
        err.to_string().contains("support merges duplicates"),
        "{err}"
    );
}

#[test]
fn a_member_cannot_gain_an_area_by_merging_its_holder_into_themselves() {
    let mut p = ann_administers_the_customer_area();
    join(&mut p, "bob@acme.test", "member");
    p.grant(&email("bob@acme.test"), &["billing".into()], None, None)
        .expect("grant");
    let err = refused(&mut p, "ann@acme.test", 5, |p| {
        p.merge(&email("bob@acme.test"), &email("ann@acme.test"))
    });
    assert!(
        err.to_string().contains("support merges duplicates"),
        "{err}"
    );
}

#[test]
fn a_member_cannot_reopen_an_invitation_to_access_they_could_not_give() {
    let mut p = ann_administers_the_customer_area();
    p.invite(&InviteRequest {
        email: Some(email("pend@acme.test")),
        name: Some("Pend".into()),
        role: Some("member".into()),
        grants: vec!["billing".into()],
        ..InviteRequest::default()
    })
    .expect("invite");
    p.revoke_invite(&email("pend@acme.test"), None)
        .expect("revoke");
    let err = refused(&mut p, "ann@acme.test", 5, |p| {
        p.resend_invite(&email("pend@acme.test"), None, None, true)
    });
    assert!(err.to_string().contains("billing.payment"), "{err}");
    // Activation is no way round: only accepted memberships come back.
    refused(&mut p, "ann@acme.test", 4, |p| {
        p.activate(&email("pend@acme.test"), None)
    });
}

#[test]
fn a_merged_duplicates_pending_order_is_the_kept_persons_own() {
    let mut p = seeded("portal");
    join(&mut p, "cat@acme.test", "manager");
    join(&mut p, "adm@acme.test", "admin");
    p.policy_create(&NewPolicy {
        name: "Over 50".into(),
        threshold: money("50.00"),
        ..NewPolicy::default()
    })
    .expect("policy");
    as_member(&mut p, "cat@acme.test");
    let order = p
        .order_place(&NewOrder {
            description: "Router".into(),
            amount: money("60.00"),
            ..NewOrder::default()
        })
        .expect("order");
    p.ctx.actor = Actor::Operator("root".into());
    p.merge(&email("cat@acme.test"), &email("adm@acme.test"))
        .expect("merge");
    let err = refused(&mut p, "adm@acme.test", 4, |p| {
        p.order_decide(order.id, None)
    });
    assert!(err.to_string().contains("own order"), "{err}");
}

#[test]
fn a_change_of_access_that_records_no_event_is_refused_and_rolled_back() {
    let mut p = seeded("portal");
    join(&mut p, "ann@acme.test", "user");
    let before = state(&mut p);
    let err = p
        .write(|w| {
            let admin = w.catalog()?.role_named("admin")?.id;
            let mut ann = w.tx.memberships_in(1)?.pop().expect("ann");
            ann.role_id = admin;
            w.tx.update_membership(&ann)
        })
        .expect_err("an unaudited change");
    assert_eq!(err.exit_code(), 1, "{err}");
    assert_eq!(state(&mut p), before);
    // Writing a row back as it was changes nothing and needs no event.
    p.write(|w| {
        let ann = w.tx.memberships_in(1)?.pop().expect("ann");
        w.tx.update_membership(&ann)
    })
    .expect("a write that changes nothing");
    assert_eq!(state(&mut p), before);
}

/// A write that gives someone a new email, other than `user edit`, is
/// held by the gate to the same rule: whoever reads the new address gets
/// all the person holds, so a member may not do it for the owner, nor for
/// anyone holding what they lack; their own address is theirs.
#[test]
fn a_new_email_by_any_write_is_reviewed_as_the_access_it_hands_over() {
    let mut p = seeded("portal");
    join(&mut p, "ada@acme.test", "admin");
    join(&mut p, "una@acme.test", "user");
    let rename = |from: &'static str, to: &'static str| {
        move |p: &mut Portal| {
            p.write(|w| {
                let mut person = w.tx.person_by_email(from)?.expect("person");
                let before = json!({"email": from});
                person.email = email(to);
                w.tx.update_person(&person)?;
                w.record(Change {
                    action: "user.edit",
                    account: None,
                    target: Some(to.into()),
                    before: Some(before.into()),
                    after: Some(json!({"email": to}).into()),
                });
                Ok(())
            })
        }
    };
    let err = refused(
        &mut p,
        "ada@acme.test",
        5,
        rename("owner@acme.test", "ada2@acme.test"),
    );
    assert!(err.to_string().contains("owner's email"), "{err}");
    refused(
        &mut p,
        "una@acme.test",
        5,
        rename("ada@acme.test", "una2@acme.test"),
    );
    // Deactivated, she still holds what `user activate` gives back.
    p.ctx.actor = Actor::Operator("root".into());
    p.deactivate(&email("ada@acme.test"), None, &Handover::Refuse)
        .expect("deactivate");
    refused(
        &mut p,
        "una@acme.test",
        5,
        rename("ada@acme.test", "una2@acme.test"),
    );
    p.ctx.actor = Actor::Operator("root".into());
    p.activate(&email("ada@acme.test"), None).expect("activate");
    p.ctx.actor = Actor::Member(email("una@acme.test"));
    rename("una@acme.test", "una3@acme.test")(&mut p).expect("her own");
    p.ctx.actor = Actor::Member(email("ada@acme.test"));
    rename("una3@acme.test", "una4@acme.test")(&mut p).expect("an admin, a user's");
}

/// Adds `Client Co`, a customer of the partner `Acme`.
fn add_client_co(p: &mut Portal) {
    p.account_create(&NewAccount {
        name: "Client Co".into(),
        kind: AccountKind::Customer,
        parent: Some("Acme".into()),
        currency: None,
    })
    .expect("customer");
}

/// An MSP partner `Acme` with a customer `Client Co`, where `dup` is an
/// external admin, and `gone`, who has left the partner.
fn msp_with_customer() -> Portal {
    let mut p = seeded("msp");
    add_client_co(&mut p);
    invite_located(&mut p, "dup@acme.test", "msp-administrator");
    invite_located(&mut p, "gone@acme.test", "msp-user");
    p.external_admin_add(
        "Client Co",
        &email("dup@acme.test"),
        "msp-administrator",
        None,
    )
    .expect("external admin");
    p.left_company(&email("gone@acme.test"), Some("Acme"), &Handover::default())
        .expect("left");
    p
}

#[test]
fn merging_an_external_admin_into_someone_who_left_the_partner_is_refused() {
    let mut p = msp_with_customer();
    let before = state(&mut p);
    let err = p
        .merge(&email("dup@acme.test"), &email("gone@acme.test"))
        .expect_err("gone has left the partner");
    assert_eq!(err.exit_code(), 4, "{err}");
    assert!(err.to_string().contains("Client Co"), "{err}");
    assert_eq!(state(&mut p), before);
}

/// What every member holds or will hold on accepting, by (email, account),
/// and each account's owner and parent: read from the whole database, not
/// from the gate's journal.
fn holdings(p: &mut Portal) -> (Holdings, Accounts) {
    let tx = p.gate.read(p.ctx.now).expect("read");
    let catalog = Catalog::load(&*tx).expect("catalog");
    let mut held = BTreeMap::new();
    let mut accounts = BTreeMap::new();
    for account in tx.accounts().expect("accounts") {
        let parent = account
            .parent_id
            .map(|id| tx.account(id).expect("parent").name);
        // The owner by their login: whoever controls it holds the account.
        let owner = account
            .owner_id
            .map(|id| tx.person(id).expect("owner").email.to_string());
        accounts.insert(account.name.clone(), (owner, parent));
        for mut m in tx.memberships_in(account.id).expect("memberships") {
            let who = tx.person(m.person_id).expect("person").email.to_string();
            let actual = Access::of(&*tx, &catalog, &account, m.clone(), p.ctx.now)
                .expect("access")
                .capabilities();
            if m.status == MemberStatus::Invited {
                m.status = MemberStatus::Active;
            }
            let potential = Access::of(&*tx, &catalog, &account, m, p.ctx.now)
                .expect("access")
                .capabilities();
            held.insert(
                (who, account.name.clone()),
                Held {
                    actual: actual.into_iter().collect(),
                    potential: potential.into_iter().collect(),
                },
            );
        }
    }
    (held, accounts)
}

/// A member's capabilities now, and once an invitation is accepted.
struct Held {
    actual: BTreeSet<Capability>,
    potential: BTreeSet<Capability>,
}

type Holdings = BTreeMap<(String, String), Held>;
/// Each account's owner (their email) and parent partner, by name.
type Accounts = BTreeMap<String, (Option<String>, Option<String>)>;

/// What the actor could give in `account` before the write: their own
/// capabilities there, and those of the partner above it when they manage
/// its customers.
fn may_give(
    (held, accounts): &(Holdings, Accounts),
    actor: &str,
    account: &str,
) -> BTreeSet<Capability> {
    let mine = |acc: &str| {
        held.get(&(actor.to_string(), acc.to_string()))
            .map(|h| h.actual.clone())
            .unwrap_or_default()
    };
    let mut give = mine(account);
    if let Some((_, Some(parent))) = accounts.get(account) {
        let there = mine(parent);
        if there.contains(&caps::EXTERNAL_ADMINS_MANAGE) || there.contains(&caps::CUSTOMERS_MANAGE)
        {
            give.extend(there);
        }
    }
    give
}

/// One write a member tries.
type Attempt = Box<dyn Fn(&mut Portal) -> Result<()>>;

/// Every write a member might try on a world of `people`: each role and
/// grant to each person, invitations, reactivation, merges, ownership,
/// external access, and last a new email for each (the owner too), which
/// hands all they hold to whoever uses it.
fn attempts(roles: &[String], grants: &[String], people: &[String]) -> Vec<Attempt> {
    let mut all: Vec<Attempt> = Vec::new();
    for who in people {
        let e = email(who);
        for role in roles {
            let (e, role) = (e.clone(), role.clone());
            all.push(Box::new(move |p| {
                p.set_role(&e, &role, Some("Acme"), None).map(drop)
            }));
        }
        for role in roles {
            let (e, role) = (e.clone(), role.clone());
            all.push(Box::new(move |p| {
                p.external_admin_add("Client Co", &e, &role, None).map(drop)
            }));
        }
        for g in grants {
            let (e, g) = (e.clone(), g.clone());
            all.push(Box::new(move |p| {
                p.grant(&e, std::slice::from_ref(&g), Some("Acme"), None)
                    .map(drop)
            }));
        }
        let e2 = e.clone();
        all.push(Box::new(move |p| p.activate(&e2, Some("Acme")).map(drop)));
        let e2 = e.clone();
        all.push(Box::new(move |p| {
            p.resend_invite(&e2, Some("Acme"), None, true).map(drop)
        }));
        let e2 = e.clone();
        all.push(Box::new(move |p| {
            p.transfer_ownership(&OwnershipTransfer {
                to: &e2,
                former_owner_role: None,
                account: Some("Acme"),
            })
            .map(drop)
        }));
        for other in people.iter().chain(["owner@acme.test".to_string()].iter()) {
            if other != who {
                let (a, b) = (email(other), e.clone());
                all.push(Box::new(move |p| p.merge(&a, &b).map(drop)));
            }
        }
    }
    for (i, role) in roles.iter().enumerate() {
        let role = role.clone();
        all.push(Box::new(move |p| {
            p.invite(&InviteRequest {
                email: Some(email(&format!("new{i}@acme.test"))),
                name: Some("New".into()),
                role: Some(role.clone()),
                account: Some("Acme".into()),
                city: Some("London".into()),
                country: Some("GB".into()),
                grants: Vec::new(),
                ..InviteRequest::default()
            })
            .map(drop)
        }));
    }
    for who in people.iter().map(String::as_str).chain(["owner@acme.test"]) {
        let (from, to) = (email(who), email(&format!("new.{who}")));
        all.push(Box::new(move |p| {
            let edit = PersonEdit {
                new_email: Some(to.clone()),
                ..PersonEdit::default()
            };
            p.edit_person(&from, Some("Acme"), &edit).map(drop)
        }));
    }
    all
}

/// One world per preset and acting role: a member of every role, an
/// invitation revoked for the owner role, a customer account, and every
/// attempt made in turn as that member. After each write that goes
/// through, nobody may hold (or be about to hold) anything the actor could
/// not give, and no account may have changed owner unless its owner acted.
#[test]
fn no_member_write_gives_anyone_more_than_the_actor_holds() {
    let mut checked = 0;
    let mut allowed = 0;
    for preset in preset_names() {
        let shipped = Preset::shipped(preset).expect("preset");
        let view = shipped.view();
        let roles: Vec<String> = view.roles.iter().map(|r| r.name.clone()).collect();
        let grants: Vec<String> = view.grant_bundles.iter().map(|b| b.name.clone()).collect();
        let usable = view.roles.iter().filter(|r| !r.blocking);
        // A delegate manages users without holding everything: the role
        // whose writes the gate has most to refuse.
        let actor_roles = usable.map(|r| r.name.clone()).chain([DELEGATE.to_string()]);
        for actor_role in actor_roles {
            let mut p = portal(Actor::Operator("root".into()));
            p.init(InitRequest {
                preset: Preset::shipped(preset).expect("preset"),
                account: "Acme".into(),
                kind: Some(AccountKind::Partner),
                currency: None,
                owner_email: email("owner@acme.test"),
                owner_name: crate::domain::OwnerName::FromEmail,
                owner_location: london(),
            })
            .expect("init");
            add_client_co(&mut p);
            p.role_create(
                DELEGATE,
                &DELEGATE_CAPABILITIES.map(|c| c.parse::<Capability>().expect("capability")),
                &"manages users".into(),
                Some("Acme"),
            )
            .expect("delegate role");
            let actor = "actor@acme.test".to_string();
            let mut people = vec![];
            // Where the owner role is the owner's alone, nobody else holds
            // it; the strongest other role stands in for it.
            let strongest = match &view.former_owner {
                Some(former) => &former.role,
                None => &view.owner_role,
            };
            for (i, role) in roles.iter().enumerate() {
                let who = format!("m{i}@acme.test");
                let role = if *role == view.owner_role {
                    strongest
                } else {
                    role
                };
                invite_located(&mut p, &who, role);
                people.push(who);
            }
            let actor_role = if actor_role == view.owner_role {
                strongest.clone()
            } else {
                actor_role
            };
            invite_located(&mut p, &actor, &actor_role);
            invite(&mut p, "pend@acme.test", strongest);
            p.revoke_invite(&email("pend@acme.test"), Some("Acme"))
                .expect("revoke");
            people.push("pend@acme.test".into());
            // A refused attempt changes nothing, so the holdings carry over.
            let mut before = holdings(&mut p);
            for attempt in attempts(&roles, &grants, &people) {
                p.ctx.actor = Actor::Member(email(&actor));
                let outcome = attempt(&mut p);
                p.ctx.actor = Actor::Operator("root".into());
                checked += 1;
                if outcome.is_err() {
                    continue;
                }
                allowed += 1;
                let after = holdings(&mut p);
                for ((who, account), held) in &after.0 {
                    let had = before
                        .0
                        .get(&(who.clone(), account.clone()))
                        .map(|h| h.potential.clone())
                        .unwrap_or_default();
                    let give = may_give(&before, &actor, account);
                    let beyond: Vec<_> = held
                        .potential
                        .iter()
                        .filter(|c| !had.contains(c) && !give.contains(c))
                        .collect();
                    assert!(
                        beyond.is_empty(),
                        "{preset}: `{actor_role}` gave {who} in {account}: {beyond:?}"
                    );
                }
                assert_eq!(
                    before.1, after.1,
                    "{preset}: `{actor_role}` changed an owner"
                );
                before = after;
            }
        }
    }
    assert!(checked > 1000, "only {checked} attempts");
    assert!(
        allowed > 50,
        "only {allowed} attempts went through: the sweep proves little"
    );
}

/// An amount written as in a fixture.
fn money(text: &str) -> crate::model::Money {
    text.parse().expect("valid amount")
}

/// The custom role of the sweep's partial administrator.
const DELEGATE: &str = "delegate";
const DELEGATE_CAPABILITIES: [&str; 5] = [
    "account.view", "users.view", "users.manage", "external_admins.manage", "tickets.view",
];

/// Invites and accepts `who` into `Acme`.
fn invite_located(p: &mut Portal, who: &str, role: &str) {
    let token = invite(p, who, role);
    p.accept(&token, None).expect("accept");
}

/// Invites `who` into `Acme`, with a location for presets that need one;
/// returns the token.
fn invite(p: &mut Portal, who: &str, role: &str) -> String {
    p.invite(&InviteRequest {
        email: Some(email(who)),
        name: Some("Someone".into()),
        role: Some(role.into()),
        account: Some("Acme".into()),
        city: Some("London".into()),
        country: Some("GB".into()),
        ..InviteRequest::default()
    })
    .expect("invite")
    .token
}

/// 004: "Account owners always have full access to the client account":
/// in the customer area that access is the owner's alone. Every way of
/// giving a role meets the same gate rule, the operator's included.
#[test]
fn nobody_but_the_owner_holds_a_reserved_owner_role() {
    let mut p = ann_administers_the_customer_area();
    let before = state(&mut p);
    let conflict = |r: Result<MemberView>| {
        let err = r.expect_err("the owner role must stay the owner's");
        assert_eq!(err.exit_code(), 4, "{err}");
        assert!(
            err.to_string()
                .contains("`owner` role is the owner's alone"),
            "{err}"
        );
    };
    conflict(p.set_role(&email("ann@acme.test"), "owner", None, None));
    conflict(
        p.invite(&InviteRequest {
            email: Some(email("eve@acme.test")),
            role: Some("owner".into()),
            ..InviteRequest::default()
        })
        .map(|v| v.member),
    );
    // Asked of a handover, it is refused before the gate, as a request
    // that cannot be (exit 2).
    let err = p
        .transfer_ownership(&OwnershipTransfer {
            to: &email("ann@acme.test"),
            former_owner_role: Some("owner"),
            account: None,
        })
        .expect_err("the owner role must stay the owner's");
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(
        err.to_string().contains("that role is the owner's alone"),
        "{err}"
    );
    assert_eq!(state(&mut p), before, "a refusal changed the database");
    // The handover itself keeps the rule: the owner role moves with the
    // ownership.
    p.transfer_ownership(&OwnershipTransfer {
        to: &email("ann@acme.test"),
        former_owner_role: None,
        account: None,
    })
    .expect("transfer");
    let tx = p.gate.read(p.ctx.now).expect("read");
    let catalog = Catalog::load(&*tx).expect("catalog");
    let role_of = |who: &str| {
        let person = tx.person_by_email(who).expect("read").expect("person");
        let m = tx
            .membership_of(person.id, 1)
            .expect("read")
            .expect("member");
        catalog.role(&*tx, m.role_id).expect("role").name.clone()
    };
    assert_eq!(role_of("ann@acme.test"), "owner");
    assert_eq!(role_of("owner@acme.test"), "member");
}

/// `Beta`, a second account whose admin `bea@beta.test` has invited
/// Acme's owner into Beta: a person in two accounts, only one of which
/// Bea manages.
fn owner_shared_with_beta() -> Portal {
    let mut p = seeded("portal");
    super::testing::add_account(&mut p, "Beta", AccountKind::Customer, None);
    super::testing::join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
    as_member(&mut p, "bea@beta.test");
    p.invite(&InviteRequest {
        email: Some(email("owner@acme.test")),
        role: Some("user".into()),
        account: Some("Beta".into()),
        ..InviteRequest::default()
    })
    .expect("Bea invites Acme's owner into Beta");
    p.ctx.actor = Actor::Operator("root".into());
    p
}

/// Every command that writes a person's own row (shown in all their
/// accounts), each refused to a member who manages only one of the
/// person's accounts: a new person-level command belongs on this list.
#[test]
fn person_level_commands_need_users_manage_in_every_account_of_the_person() {
    type Attack = fn(&mut Portal) -> Result<()>;
    // `edit --name` or `--new-email` of someone Beta has only invited
    // names or re-addresses Beta's invitation, not the person (see
    // `invited_names`, `readdress_invitation`): it is no attack.
    let attacks: [(&str, Attack); 2] = [
        ("flag-duplicate", |p| {
            p.flag_duplicate(
                &email("owner@acme.test"),
                &email("bea@beta.test"),
                Some("Beta"),
            )
            .map(drop)
        }),
        ("edit --new-email", |p| {
            let edit = PersonEdit {
                new_email: Some(email("owner2@beta.test")),
                ..PersonEdit::default()
            };
            p.edit_person(&email("owner@acme.test"), Some("Beta"), &edit)
                .map(drop)
        }),
    ];
    let mut p = owner_shared_with_beta();
    // Until then, `edit --new-email` re-addresses Beta's invitation alone
    // (see `readdress_invitation`): once they joined Beta, it is their login.
    let token = p
        .resend_invite(&email("owner@acme.test"), Some("Beta"), None, false)
        .expect("resend")
        .token;
    p.accept(&token, None).expect("the owner joins Beta");
    for (command, attack) in attacks {
        let err = refused(&mut p, "bea@beta.test", 5, attack);
        assert!(
            err.to_string().contains("in every account they belong to"),
            "{command}: {err}"
        );
        assert!(!err.to_string().contains("Acme"), "{command}: {err}");
    }
}

/// The gate holds any write of a person's row to the same rule, whatever
/// command makes it; the person's own name and email are theirs, their
/// own duplicate flag is not.
#[test]
fn any_write_of_a_persons_row_needs_users_manage_in_all_their_accounts() {
    let change = |who: &'static str, f: fn(&mut crate::model::Person, i64)| {
        move |p: &mut Portal| {
            p.write(|w| {
                let mut person = w.tx.person_by_email(who)?.expect("person");
                let bea = w.tx.person_by_email("bea@beta.test")?.expect("Bea");
                f(&mut person, bea.id);
                w.tx.update_person(&person)?;
                w.record(Change {
                    action: "user.edit",
                    account: None,
                    target: Some(who.into()),
                    before: None,
                    after: Some(json!({"email": who}).into()),
                });
                Ok(())
            })
        }
    };
    let mut p = owner_shared_with_beta();
    let una = p
        .invite(&InviteRequest {
            email: Some(email("una@acme.test")),
            name: Some("Someone".into()),
            role: Some("user".into()),
            account: Some("Acme".into()),
            ..InviteRequest::default()
        })
        .expect("invite Una");
    p.accept(&una.token, None).expect("accept");
    let err = refused(
        &mut p,
        "bea@beta.test",
        5,
        change("owner@acme.test", |person, bea| {
            person.duplicate_of = Some(bea)
        }),
    );
    assert!(err.to_string().contains("duplicate flag"), "{err}");
    let err = refused(
        &mut p,
        "bea@beta.test",
        5,
        change("owner@acme.test", |person, _| {
            person.name = "Mallory".into()
        }),
    );
    assert!(err.to_string().contains("name"), "{err}");
    refused(
        &mut p,
        "una@acme.test",
        5,
        change("una@acme.test", |person, bea| {
            person.duplicate_of = Some(bea)
        }),
    );
    as_member(&mut p, "una@acme.test");
    change("una@acme.test", |person, _| person.name = "Una".into())(&mut p).expect("her own");
    as_member(&mut p, "owner@acme.test");
    change("una@acme.test", |person, bea| {
        person.duplicate_of = Some(bea)
    })(&mut p)
    .expect("the owner of her only account");
}

/// The gate counts the accounts a person has joined: one that has only
/// invited them neither stops an admin of the one they joined from
/// renaming them, nor, by its own invitation, lets its admin name or flag
/// someone who has joined none (their name is theirs to give on
/// accepting).
#[test]
fn the_gate_counts_only_the_accounts_a_person_joined() {
    let write = |who: &'static str, f: fn(&mut crate::model::Person, i64)| {
        move |p: &mut Portal| {
            p.write(|w| {
                let mut person = w.tx.person_by_email(who)?.expect("person");
                let bea = w.tx.person_by_email("bea@beta.test")?.expect("Bea");
                f(&mut person, bea.id);
                w.tx.update_person(&person)?;
                w.record(Change {
                    action: "user.edit",
                    account: None,
                    target: Some(who.into()),
                    before: None,
                    after: Some(json!({"email": who}).into()),
                });
                Ok(())
            })
        }
    };
    let mut p = seeded("portal");
    join(&mut p, "adam@acme.test", "admin");
    join(&mut p, "ann@acme.test", "user");
    super::testing::add_account(&mut p, "Beta", AccountKind::Customer, None);
    super::testing::join_in(&mut p, "bea@beta.test", "admin", Some("Beta"));
    for who in ["ann@acme.test", "new@x.test"] {
        p.invite(&InviteRequest {
            email: Some(email(who)),
            role: Some("user".into()),
            account: Some("Beta".into()),
            ..InviteRequest::default()
        })
        .expect("Beta invites");
    }
    as_member(&mut p, "adam@acme.test");
    write("ann@acme.test", |person, _| person.name = "Ann Lee".into())(&mut p)
        .expect("Beta only invited Ann");
    p.ctx.actor = Actor::Operator("root".into());
    for change in [
        write("new@x.test", |person, _| person.name = "Mallory".into()),
        write("new@x.test", |person, bea| person.duplicate_of = Some(bea)),
    ] {
        let err = refused(&mut p, "bea@beta.test", 5, change);
        assert!(
            err.to_string().contains("every account they belong to"),
            "{err}"
        );
    }
}

/// The gate refuses any write that leaves a person flagged a
/// duplicate of, or merged into, themselves, the operator's too.
#[test]
fn no_write_makes_anyone_their_own_duplicate() {
    let mut p = seeded("portal");
    join(&mut p, "fin@acme.test", "user");
    let head = p.audit_head().expect("head");
    for merged in [false, true] {
        let err = p
            .write(|w| {
                let mut fin = w.tx.person_by_email("fin@acme.test")?.expect("fin");
                match merged {
                    false => fin.duplicate_of = Some(fin.id),
                    true => fin.merged_into = Some(fin.id),
                }
                w.tx.update_person(&fin)?;
                w.record(Change {
                    action: "user.flag_duplicate",
                    account: None,
                    target: Some("fin@acme.test".into()),
                    before: None,
                    after: None,
                });
                Ok(())
            })
            .expect_err("refused");
        assert_eq!(err.exit_code(), 2, "{err}");
        assert_eq!(
            err.to_string(),
            "`fin@acme.test` cannot be a duplicate of themselves"
        );
    }
    assert_eq!(p.audit_head().expect("head"), head);
}

/// The writes of a person's row in the domain, by file: each is a
/// person-level command held to the rule above. A new one belongs in
/// `person_level_commands_need_users_manage_in_every_account_of_the_person`
/// as well as here.
#[test]
fn the_person_level_writes_are_the_ones_listed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.clone()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).expect("read src/domain") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read a source file");
                let n = text.matches(".update_person(").count();
                if n > 0 {
                    let name = path.with_extension("");
                    let name = name.strip_prefix(&dir).expect("under src/domain");
                    found.insert(name.display().to_string(), n);
                }
            }
        }
    }
    let listed: BTreeMap<String, usize> = [
        // The writes of a person row above, and this test's own pattern.
        ("attacks", 5),
        // `user flag-duplicate`, `user merge`.
        ("duplicates", 2),
        // `user accept --name`: the invitee's own name.
        ("invitations", 1),
        // `user edit --name/--new-email`.
        ("people", 1),
    ]
    .into_iter()
    .map(|(f, n)| (f.to_string(), n))
    .collect();
    assert_eq!(found, listed);
}
