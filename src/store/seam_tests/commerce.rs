//! Round trips of services, cost centres, policies, orders, courses,
//! licences, addresses, payment details and partner settings.

use super::*;

#[test]
fn services_and_cost_centres_read_back_and_update() {
    let (mut s, b) = store_with_base();
    let mut line = Service {
        id: 0,
        number: 1,
        account_id: b.account,
        name: "Line 1".into(),
        kind: Some("broadband".into()),
        assigned_to: Some(b.membership),
        assigned_until: None,
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
        assert_eq!(tx.service_numbered(b.account, 1)?, Some(line.clone()));
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
        assert_eq!(tx.service_numbered(b.account, 1)?, Some(line.clone()));
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
        number: 1,
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
        cancelled_by: None,
        cancelled_reason: None,
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
        released_at: None,
    };
    let decision = OrderDecision {
        person_id: b.person,
        on_behalf_of: None,
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
fn held_orders_approvals_counted_and_cancellation_read_back() {
    let (mut s, b) = store_with_base();
    let mut rule = policy(b.account, vec![b.person]);
    let mut order = Order {
        id: 0,
        number: 1,
        account_id: b.account,
        reference: None,
        creator_id: None,
        creator: "operator:root".into(),
        description: "Desk".into(),
        order_type: None,
        amount: Money::from_minor(9_000),
        currency: "GBP".into(),
        cost_centre_id: None,
        ship_to: None,
        status: OrderStatus::Pending,
        rejected_reason: None,
        cancelled_by: None,
        cancelled_reason: None,
        decided_at: None,
        created_at: t(5),
    };
    let mut matched = committed(&mut *s, |tx| {
        rule.id = tx.insert_policy(&rule)?;
        order.id = tx.insert_order(&order)?;
        let matched = MatchedPolicy {
            policy_id: rule.id,
            name: rule.name.clone(),
            approvers: vec![b.person],
            required_approvals: 2,
            released_at: None,
        };
        tx.insert_matched_policy(order.id, &matched)?;
        tx.insert_decision(
            order.id,
            &OrderDecision {
                person_id: b.person,
                on_behalf_of: None,
                approved: true,
                reason: None,
                at: t(6),
            },
        )?;
        tx.count_approval(order.id, b.person, rule.id)?;
        Ok(matched)
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.orders_held_by(rule.id)?, vec![order.clone()]);
        assert_eq!(tx.pending_orders_in(b.account)?, vec![order.clone()]);
        assert_eq!(tx.approval_counts(order.id)?, vec![(rule.id, b.person)]);
        Ok(())
    });
    matched.approvers = vec![];
    matched.required_approvals = 1;
    matched.released_at = Some(t(7));
    let cancelled = Order {
        status: OrderStatus::Cancelled,
        cancelled_by: Some("ann@acme.test".into()),
        cancelled_reason: Some("bought elsewhere".into()),
        decided_at: Some(t(8)),
        ..order.clone()
    };
    committed(&mut *s, |tx| {
        tx.update_matched_policy(order.id, &matched)?;
        tx.update_order(&cancelled)
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.matched_policies(order.id)?, vec![matched.clone()]);
        assert_eq!(tx.order(order.id)?, Some(cancelled.clone()));
        // Released, and no longer pending: held by nothing.
        assert_eq!(tx.orders_held_by(rule.id)?, vec![]);
        assert_eq!(tx.pending_orders_in(b.account)?, vec![]);
        Ok(())
    });
}

/// An approved order of 90.00 for a desk, placed by the operator at
/// `t(5)` in `account_id`, with `reference` if any.
fn desk(account_id: i64, reference: Option<&str>) -> Order {
    Order {
        id: 0,
        number: 1,
        account_id,
        reference: reference.map(str::to_string),
        creator_id: None,
        creator: "operator:root".into(),
        description: "Desk".into(),
        order_type: None,
        amount: Money::from_minor(9_000),
        currency: "GBP".into(),
        cost_centre_id: None,
        ship_to: None,
        status: OrderStatus::Approved,
        rejected_reason: None,
        cancelled_by: None,
        cancelled_reason: None,
        decided_at: None,
        created_at: t(5),
    }
}

/// Adds `order` under the next number of its account.
fn add_next(tx: &dyn Tx, order: &Order) -> Result<i64> {
    let number = tx.last_order_number(order.account_id)? + 1;
    tx.insert_order(&Order {
        number,
        ..order.clone()
    })
}

#[test]
fn orders_are_numbered_per_account_and_found_by_number_by_index() {
    let (mut s, b) = store_with_base();
    let (other, ids) = committed(&mut *s, |tx| {
        let other = tx.insert_account(&account("Beta Ltd", AccountKind::Customer, None))?;
        assert_eq!(tx.last_order_number(b.account)?, 0);
        let seventh = tx.insert_order(&Order {
            number: 7,
            ..desk(b.account, None)
        })?;
        let third = tx.insert_order(&Order {
            number: 3,
            ..desk(b.account, None)
        })?;
        let first_elsewhere = add_next(tx, &desk(other, None))?;
        Ok((other, [seventh, third, first_elsewhere]))
    });
    read(&mut *s, |tx| {
        // The highest of the account, whatever another account holds.
        assert_eq!(tx.last_order_number(b.account)?, 7);
        assert_eq!(tx.last_order_number(other)?, 1);
        assert_eq!(
            tx.orders_numbered(&[b.account, other], 3)?,
            vec![Order {
                id: ids[1],
                number: 3,
                ..desk(b.account, None)
            }]
        );
        let both: Vec<i64> = tx
            .orders_numbered(&[b.account, other], 1)?
            .iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(both, vec![ids[2]]);
        assert_eq!(tx.orders_numbered(&[other], 7)?, vec![]);
        Ok(())
    });
    // One number twice in an account is refused by the store too.
    let tx = s.write().expect("a write transaction");
    assert!(tx
        .insert_order(&Order {
            number: 7,
            ..desk(b.account, None)
        })
        .is_err());
}

#[test]
fn orders_are_found_by_reference_in_the_accounts_asked_for() {
    let (mut s, b) = store_with_base();
    let order = desk;
    let (other, ids) = committed(&mut *s, |tx| {
        let other = tx.insert_account(&account("Beta Ltd", AccountKind::Customer, None))?;
        let ids = [
            add_next(tx, &order(b.account, Some("PO-1")))?,
            add_next(tx, &order(b.account, None))?,
            add_next(tx, &order(other, Some("PO-1")))?,
            add_next(tx, &order(other, Some("PO-2")))?,
            // Two references that differ only in case, as a database from
            // before migration 18 may hold.
            add_next(tx, &order(other, Some("po-3")))?,
            add_next(tx, &order(other, Some("PO-3")))?,
            // And in the case of a letter past ASCII, as one from before
            // migration 26 may.
            add_next(tx, &order(other, Some("RÉF-1")))?,
            add_next(tx, &order(other, Some("réf-1")))?,
            add_next(tx, &order(other, Some("ÆØ-9")))?,
        ];
        Ok((other, ids))
    });
    read(&mut *s, |tx| {
        let found = |accounts: &[i64], reference: &str| -> Result<Vec<i64>> {
            Ok(tx
                .orders_with_reference(accounts, reference)?
                .iter()
                .map(|o| o.id)
                .collect())
        };
        assert_eq!(found(&[other, b.account], "PO-1")?, vec![ids[0], ids[2]]);
        assert_eq!(found(&[b.account], "PO-1")?, vec![ids[0]]);
        assert_eq!(found(&[b.account], "PO-2")?, Vec::<i64>::new());
        // Case aside, one order per account: the exact spelling, else
        // every one with the key, for the caller to refuse as ambiguous.
        assert_eq!(found(&[other], "po-2")?, vec![ids[3]]);
        assert_eq!(found(&[other, b.account], "pO-1")?, vec![ids[0], ids[2]]);
        assert_eq!(found(&[other], "PO-3")?, vec![ids[5]]);
        assert_eq!(found(&[other], "po-3")?, vec![ids[4]]);
        assert_eq!(found(&[other], "Po-3")?, vec![ids[4], ids[5]]);
        // Case aside in every script, composed or not.
        assert_eq!(found(&[other], "RÉF-1")?, vec![ids[6]]);
        assert_eq!(found(&[other], "réf-1")?, vec![ids[7]]);
        assert_eq!(found(&[other], "rÉf-1")?, vec![ids[6], ids[7]]);
        assert_eq!(found(&[other], "æø-9")?, vec![ids[8]]);
        assert_eq!(found(&[other], "R\u{301}EF-1")?, Vec::<i64>::new());
        assert_eq!(found(&[other], "RE\u{301}F-1")?, vec![ids[6], ids[7]]);
        assert_eq!(
            tx.order_by_reference(other, "PO-3")?.map(|o| o.id),
            Some(ids[5])
        );
        assert_eq!(
            tx.order_by_reference(b.account, "po-1")?.map(|o| o.id),
            Some(ids[0])
        );
        assert_eq!(found(&[], "PO-1")?, Vec::<i64>::new());
        assert_eq!(
            tx.orders_with_reference(&[other], "PO-2")?,
            vec![Order {
                id: ids[3],
                number: 2,
                ..order(other, Some("PO-2"))
            }]
        );
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
    committed(&mut *s, |tx| tx.end_enrolment(enrolment, Some(t(8))));
    read(&mut *s, |tx| {
        assert_eq!(tx.enrolments(b.membership, true)?, vec![]);
        let all = tx.enrolments(b.membership, false)?;
        assert_eq!(all.len(), 1, "an ended enrolment stays as history");
        assert_eq!(all[0].ended_at, Some(t(8)));
        Ok(())
    });
}

#[test]
fn course_progress_reads_back_replaces_and_outlives_the_enrolment() {
    let (mut s, b) = store_with_base();
    let course = Course {
        id: 0,
        name: "University Onboarding".into(),
        description: String::new(),
        all_roles: true,
        role_ids: vec![],
        area_capabilities: vec![],
    };
    let (course_id, enrolment) = committed(&mut *s, |tx| {
        let id = tx.insert_course(&course, t(0))?;
        Ok((id, tx.enrol(b.membership, id, t(1))?))
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.course_progress(b.membership)?, vec![]);
        Ok(())
    });
    let mut progress = CourseProgress {
        membership_id: b.membership,
        course_id,
        percent: 40,
        completed_at: None,
        updated_at: t(2),
    };
    committed(&mut *s, |tx| tx.put_course_progress(&progress));
    read(&mut *s, |tx| {
        assert_eq!(tx.course_progress(b.membership)?, vec![progress.clone()]);
        Ok(())
    });
    progress.percent = 100;
    progress.completed_at = Some(t(3));
    progress.updated_at = t(3);
    committed(&mut *s, |tx| {
        tx.put_course_progress(&progress)?;
        tx.end_enrolment(enrolment, Some(t(4)))
    });
    read(&mut *s, |tx| {
        assert_eq!(
            tx.course_progress(b.membership)?,
            vec![progress.clone()],
            "one row per membership and course, kept when the enrolment ends"
        );
        Ok(())
    });
    // Completion and 100 percent go together.
    let tx = s.write().expect("a write transaction");
    let half_done = CourseProgress {
        completed_at: Some(t(5)),
        percent: 50,
        ..progress.clone()
    };
    assert!(tx.put_course_progress(&half_done).is_err());
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
        ship_to: None,
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

#[test]
fn contracted_prices_read_back_replace_and_delete() {
    let (mut s, b) = store_with_base();
    read(&mut *s, |tx| {
        assert_eq!(tx.partner_prices(b.account)?, vec![]);
        assert_eq!(tx.partner_price(b.account, "Email Security")?, None);
        Ok(())
    });
    let price = |product: &str, minor: i64, at: u32| ContractPrice {
        account_id: b.account,
        product: product.into(),
        price: Money::from_minor(minor),
        currency: "GBP".into(),
        updated_at: t(at),
    };
    let (mail, archive) = (price("Email Security", 1250, 1), price("Archive", 99, 2));
    committed(&mut *s, |tx| {
        tx.put_partner_price(&mail)?;
        tx.put_partner_price(&archive)?;
        Ok(())
    });
    read(&mut *s, |tx| {
        assert_eq!(
            tx.partner_prices(b.account)?,
            vec![archive.clone(), mail.clone()]
        );
        assert_eq!(
            tx.partner_price(b.account, "EMAIL SECURITY")?,
            Some(mail.clone())
        );
        Ok(())
    });
    // The same product in another case replaces the price, not adds one.
    let changed = price("email security", 1300, 3);
    committed(&mut *s, |tx| tx.put_partner_price(&changed));
    read(&mut *s, |tx| {
        assert_eq!(
            tx.partner_prices(b.account)?,
            vec![archive.clone(), changed.clone()]
        );
        Ok(())
    });
    committed(&mut *s, |tx| {
        assert!(tx.delete_partner_price(b.account, "ARCHIVE")?);
        assert!(!tx.delete_partner_price(b.account, "Archive")?);
        Ok(())
    });
    read(&mut *s, |tx| {
        assert_eq!(tx.partner_prices(b.account)?, vec![changed.clone()]);
        Ok(())
    });
}
