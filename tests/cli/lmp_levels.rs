//! Seed 000 (License Management Portal): each sentence about the permission
//! levels, as commands run through the binary by a member of that level.

use crate::support::{error_line, says, Portal, ACCOUNT, ADD_DEPOT, DENIED, SUCCESS};

const ADMIN: &str = "admin@acme.test";
const ALLOCATOR: &str = "al@acme.test";
const VIEW_ONLY: &str = "vo@acme.test";
const BANK: &str = "bank@acme.test";
const BLOCKED: &str = "no@acme.test";

/// The partner `Acme Ltd` with two customers, 100 seats of MDR Complete
/// (30 with Beta Corp), a shipping address, and one member per level.
fn lmp() -> Portal {
    Portal::cached("lmp_levels: lmp", build_lmp)
}

fn build_lmp() -> Portal {
    let p = Portal::with_preset("lmp");
    for customer in ["Beta Corp", "Gamma Ltd"] {
        p.customer(customer);
    }
    p.ok(&[
        "license", "purchase", "--product", "MDR Complete", "--seats", "100", "--account", ACCOUNT,
    ]);
    p.ok(&[
        "license", "allocate", "--product", "MDR Complete", "--customer", "Beta Corp", "--seats",
        "30",
    ]);
    p.ok(&[
        "account", "address", "add", ACCOUNT, "--label", "HQ", "--line1", "1 High Street",
        "--city", "London", "--postcode", "EC1A 1BB", "--country", "GB",
    ]);
    for (who, role) in [
        (ADMIN, "partner-administrator"),
        (ALLOCATOR, "partner-allocator"),
        (VIEW_ONLY, "partner-view-only"),
        (BANK, "bank-details-only"),
        (BLOCKED, "no-lmp-access"),
    ] {
        p.member(who, role);
    }
    p
}

/// Every command that changes something in the partner's part of the LMP.
fn writes() -> Vec<Vec<&'static str>> {
    vec![
        vec!["account", "set", ACCOUNT, "--phone", "+44 20 7946 0000"],
        // Whom invoices go to is part of the partner profile, not a
        // payment method: the administrator's (findings A3).
        vec![
            "account", "set", ACCOUNT, "--billing-contact", "bank@acme.test",
        ],
        vec![
            "account", "create", "Delta Ltd", "--kind", "customer", "--parent", ACCOUNT,
        ],
        ADD_DEPOT.to_vec(),
        vec!["account", "address", "remove", ACCOUNT, "HQ"],
        vec!["account", "ip", "add", ACCOUNT, "--inbound", "192.0.2.10"],
        vec!["account", "smarthost", "set", ACCOUNT, "mail.acme.test"],
        vec![
            "license", "purchase", "--product", "MDR Core", "--seats", "5", "--account", ACCOUNT,
        ],
        vec![
            "license", "allocate", "--product", "MDR Complete", "--customer", "Gamma Ltd",
            "--seats", "5",
        ],
        vec![
            "license", "move", "--product", "MDR Complete", "--from", "Beta Corp", "--to",
            "Gamma Ltd", "--seats", "5",
        ],
        vec![
            "user", "invite", "--email", "new@acme.test", "--name", "New", "--role",
            "no-lmp-access",
        ],
    ]
}

/// The payment change only Bank Details Only (and administrators) may make.
const PAYMENT_SET: [&str; 7] = [
    "account",
    "payment",
    "set",
    ACCOUNT,
    "--method",
    "bank-transfer",
    "--iban=GB82 WEST 1234 5698 7654 32",
];

/// The partner's config (IP addresses, smarthost): 000 describes no such
/// page of the LMP; 002, the one article that does, gives it to the
/// administrators alone ("Access to this functionality is only available
/// to MSP Administrators"), so reading it needs `account.config`
/// (findings A12 / N4).
const CONFIG_READ: [&str; 4] = ["account", "ip", "list", ACCOUNT];

/// Pages of the LMP: reading them changes nothing.
fn reads() -> Vec<Vec<&'static str>> {
    vec![
        vec!["account", "show", ACCOUNT],
        vec!["account", "address", "list", ACCOUNT],
        vec!["account", "payment", "show", ACCOUNT],
        vec!["license", "list", "--account", ACCOUNT],
        vec!["user", "list", "--account", ACCOUNT],
    ]
}

#[track_caller]
fn allowed(p: &Portal, who: &str, args: &[&str]) {
    let run = p.run_as(Some(who), args);
    assert_eq!(
        run.code,
        SUCCESS,
        "`{who}` should be allowed `portalctl {}`: {}",
        args.join(" "),
        run.stderr
    );
}

#[test]
fn a_partner_administrator_modifies_the_profile_edits_addresses_and_buys_licences() {
    // "Has all the privileges of a Partner Manager, along with the ability to
    // modify the partner profile, edit shipping addresses, and purchase
    // additional MDR Core, Cloud, or Complete licenses."
    let p = lmp();
    let v = p.json_as(
        Some(ADMIN),
        &["account", "set", ACCOUNT, "--website", "https://acme.test"],
    );
    assert_eq!(v["website"], "https://acme.test");
    allowed(&p, ADMIN, ADD_DEPOT);
    allowed(&p, ADMIN, &["account", "address", "remove", ACCOUNT, "HQ"]);
    for product in ["MDR Core", "MDR Cloud", "MDR Complete"] {
        allowed(
            &p,
            ADMIN,
            &["license", "purchase", "--product", product, "--seats", "10"],
        );
    }
    let list = p.json_as(Some(ADMIN), &["license", "list"]);
    let seats: Vec<(&str, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["product"].as_str().unwrap(), l["seats"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        seats,
        [("MDR Cloud", 10), ("MDR Complete", 110), ("MDR Core", 10)]
    );
    // Every write of the LMP is open to an administrator.
    let p = lmp();
    for args in writes() {
        allowed(&p, ADMIN, &args);
    }
    allowed(&p, ADMIN, &PAYMENT_SET);
}

#[test]
fn a_partner_allocator_adds_customers_and_moves_licences_but_cannot_buy() {
    // "Can add and manage customers; create, move from license to license,
    // and edit."
    let p = lmp();
    let v = p.json_as(
        Some(ALLOCATOR),
        &[
            "account", "create", "Delta Ltd", "--kind", "customer", "--parent", ACCOUNT,
        ],
    );
    assert_eq!(v["parent"], ACCOUNT);
    let v = p.json_as(
        Some(ALLOCATOR),
        &[
            "license", "allocate", "--product", "MDR Complete", "--customer", "Delta Ltd",
            "--seats", "20",
        ],
    );
    assert_eq!(v["allocated"], 50);
    let v = p.json_as(
        Some(ALLOCATOR),
        &[
            "license", "move", "--product", "MDR Complete", "--from", "Beta Corp", "--to",
            "Gamma Ltd", "--seats", "10",
        ],
    );
    assert_eq!(
        v["allocations"],
        serde_json::json!([
            {"customer": "Beta Corp", "seats": 20},
            {"customer": "Delta Ltd", "seats": 20},
            {"customer": "Gamma Ltd", "seats": 10},
        ])
    );
    allowed(
        &p,
        ALLOCATOR,
        &["license", "list", "--customer", "Gamma Ltd"],
    );
    // Buying more is the administrator's ("purchase additional licenses").
    let err = p.refused_as(
        Some(ALLOCATOR),
        &[
            "license", "purchase", "--product", "MDR Core", "--seats", "5",
        ],
        DENIED,
    );
    assert!(err.contains("licenses.purchase"), "{err}");
}

#[test]
fn a_partner_allocator_manages_the_customers_profile_and_addresses() {
    // "Can add and manage customers": managing a customer the partner
    // created covers its profile and its addresses, not being a member.
    let p = lmp();
    let v = p.json_as(
        Some(ALLOCATOR),
        &["account", "set", "Beta Corp", "--phone", "0113 496 0000"],
    );
    assert_eq!(v["phone"], "0113 496 0000");
    assert_eq!(
        (
            p.last_event()["actor"].as_str(),
            p.last_event()["account"].as_str()
        ),
        (Some(ALLOCATOR), Some("Beta Corp"))
    );
    let site = [
        "account", "address", "add", "Beta Corp", "--label", "Site", "--line1", "3 Mill Lane",
        "--city", "York", "--postcode", "YO1 7HH", "--country", "GB",
    ];
    p.json_as(Some(ALLOCATOR), &site);
    let list = p.json_as(
        Some(ALLOCATOR),
        &["account", "address", "list", "Beta Corp"],
    );
    assert_eq!(list[0]["label"], "Site");
    allowed(
        &p,
        ALLOCATOR,
        &["account", "address", "remove", "Beta Corp", "Site"],
    );
    // Nothing about the customer's people comes with it.
    let err = p.refused_as(
        Some(ALLOCATOR),
        &["user", "list", "--account", "Beta Corp"],
        DENIED,
    );
    assert!(err.contains("not a member of `Beta Corp`"), "{err}");
    // Without `customers.manage` in the partner, the customer is not theirs
    // to edit (one who views it is told what editing needs), and a
    // customer account has no partner status.
    let err = p.refused_as(
        Some(VIEW_ONLY),
        &["account", "set", "Beta Corp", "--phone", "0"],
        DENIED,
    );
    says(error_line(&err), "needs `account.edit`");
    let err = p.refused_as(Some(VIEW_ONLY), &site, DENIED);
    says(error_line(&err), "needs `addresses.edit`");
    // Nor does any member set a partner status (findings C10).
    p.refused_as(
        Some(ALLOCATOR),
        &["account", "set", "Beta Corp", "--status", "Sales"],
        DENIED,
    );
}

#[test]
fn a_partner_allocator_views_but_does_not_edit_the_partner_profile() {
    // "Can view, but not edit, the partner profile."
    let p = lmp();
    let v = p.json_as(Some(ALLOCATOR), &["account", "show", ACCOUNT]);
    assert_eq!(v["name"], ACCOUNT);
    for args in [
        vec!["account", "set", ACCOUNT, "--phone", "0123"],
        vec!["account", "set", ACCOUNT, "--status", "Sales"],
        vec!["account", "ip", "add", ACCOUNT, "--outbound", "192.0.2.10"],
        vec!["account", "smarthost", "set", ACCOUNT, "mail.acme.test"],
    ] {
        p.refused_as(Some(ALLOCATOR), &args, DENIED);
    }
}

#[test]
fn a_partner_allocator_uses_but_does_not_edit_shipping_addresses() {
    // "Can use, but not edit, shipping addresses."
    let p = lmp();
    let list = p.json_as(Some(ALLOCATOR), &["account", "address", "list", ACCOUNT]);
    assert_eq!(list[0]["label"], "HQ");
    let can = p.can(&[ALLOCATOR, "addresses.use"]);
    assert_eq!(can["allowed"], true);
    let err = p.refused_as(Some(ALLOCATOR), ADD_DEPOT, DENIED);
    assert!(err.contains("addresses.edit"), "{err}");
    p.refused_as(
        Some(ALLOCATOR),
        &["account", "address", "remove", ACCOUNT, "HQ"],
        DENIED,
    );
}

#[test]
fn partner_view_only_can_only_view_pages() {
    // "Can only view pages within the LMP."
    let p = lmp();
    for args in reads() {
        allowed(&p, VIEW_ONLY, &args);
    }
    let shown = p.json_as(Some(VIEW_ONLY), &["account", "show", ACCOUNT]);
    assert_eq!(shown["products"][0]["product"], "MDR Complete");
    for args in writes() {
        p.refused_as(Some(VIEW_ONLY), &args, DENIED);
    }
    p.refused_as(Some(VIEW_ONLY), &PAYMENT_SET, DENIED);
    let err = p.refused_as(Some(VIEW_ONLY), &CONFIG_READ, DENIED);
    assert!(err.contains("account.config"), "{err}");
    assert_eq!(shown["config"], serde_json::Value::Null, "{shown}");
}

#[test]
fn bank_details_only_changes_the_payment_method_and_nothing_else() {
    // "Can view pages and change payment method provided in the LMP."
    let p = lmp();
    for args in reads() {
        allowed(&p, BANK, &args);
    }
    let v = p.json_as(Some(BANK), &PAYMENT_SET);
    assert_eq!(v["method"], "bank-transfer");
    assert_eq!(v["iban_masked"], "******************5432");
    let v = p.json_as(
        Some(BANK),
        &["account", "payment", "set", ACCOUNT, "--method", "card"],
    );
    assert_eq!(v["method"], "card");
    assert_eq!(v["iban_masked"], serde_json::Value::Null);
    for args in writes() {
        p.refused_as(Some(BANK), &args, DENIED);
    }
    p.refused_as(Some(BANK), &CONFIG_READ, DENIED);
    allowed(&p, ADMIN, &CONFIG_READ);
}

#[test]
fn no_lmp_access_can_do_nothing() {
    // "The user will be explicitly blocked from accessing the LMP."
    let p = lmp();
    for args in reads().into_iter().chain(writes()) {
        let err = p.refused_as(Some(BLOCKED), &args, DENIED);
        assert!(err.contains("blocks all access"), "{err}");
    }
    p.refused_as(Some(BLOCKED), &PAYMENT_SET, DENIED);
}

#[test]
fn a_member_who_left_the_company_has_no_lmp_access() {
    // "Setting a user to Left the Company will set that users account's
    // permission level to No LMP access."
    let p = lmp();
    let v = p.json(&["user", "left-company", "--yes", ALLOCATOR]);
    assert_eq!(v["role"], "no-lmp-access");
    p.refused_as(
        Some(ALLOCATOR),
        &[
            "license", "move", "--product", "MDR Complete", "--from", "Beta Corp", "--to",
            "Gamma Ltd", "--seats", "1",
        ],
        DENIED,
    );
}

/// Findings A4: the allocator edits a customer's profile through the
/// partner (`customers.manage`); a field he lacks the right for there is
/// refused naming the capability it needs, not as if he were no member
/// of an account he has just changed.
#[test]
fn a_partner_member_refused_a_field_of_a_customer_is_told_what_it_needs() {
    let p = lmp();
    p.json_as(
        Some(ALLOCATOR),
        &["account", "set", "Beta Corp", "--marketing", "hi"],
    );
    let err = p.refused_as(
        Some(ALLOCATOR),
        &[
            "account", "set", "Beta Corp", "--billing-contact", ALLOCATOR,
        ],
        DENIED,
    );
    says(
        error_line(&err),
        "may not set the billing contact in `Beta Corp`: needs `billing.payment`",
    );
    assert!(!err.contains("not a member"), "{err}");
    // The same through a file.
    let run = p.apply_stdin(
        &[],
        &[("PORTALCTL_AS", ALLOCATOR)],
        &format!(
            r#"{{"accounts": [{{"name": "Beta Corp", "profile": {{"billing_contact": "{ALLOCATOR}"}}}}]}}"#
        ),
    );
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    says(error_line(&run.stderr), "needs `billing.payment`");
    // One who only sees the partner's customers edits none of it, and is
    // told so as one who knows the account (findings B9).
    let err = p.refused_as(
        Some(VIEW_ONLY),
        &[
            "account", "set", "Beta Corp", "--billing-contact", VIEW_ONLY,
        ],
        DENIED,
    );
    says(
        error_line(&err),
        "needs `account.edit` (a member of its partner `Acme Ltd` holds only `account.view` there)",
    );
    // One blocked in the partner is no party to it.
    let err = p.refused_as(
        Some(BLOCKED),
        &["account", "set", "Beta Corp", "--phone", "0"],
        DENIED,
    );
    assert!(err.contains("not a member of `Beta Corp`"), "{err}");
}

/// Findings B9: `partner-view-only` ("Can only view pages within the
/// LMP") and `bank-details-only` ("Can view pages ...") view the LMP's
/// customers as the allocator does (`customers.view`): `license list`
/// names who holds the seats, `account list` lists the customers and
/// `account show` shows one; nothing of it changes, and nothing inside a
/// customer (its people, services, orders, policies) opens up.
#[test]
fn the_view_levels_view_the_customers_pages() {
    let p = lmp();
    for who in [VIEW_ONLY, BANK, ALLOCATOR, ADMIN] {
        let list = p.json_as(Some(who), &["license", "list"]);
        assert_eq!(list[0]["allocated"], 30, "{list}");
        assert_eq!(
            list[0]["allocations"][0]["customer"], "Beta Corp",
            "{who}: {list}"
        );
        let run = p.run_as(Some(who), &["license", "list"]);
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        says(&run.stdout, "Beta Corp 30");
        let names: Vec<String> = p
            .json_as(Some(who), &["account", "list"])
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(names, [ACCOUNT, "Beta Corp", "Gamma Ltd"], "{who}");
        let shown = p.json_as(Some(who), &["account", "show", "Beta Corp"]);
        assert_eq!(shown["parent"], ACCOUNT, "{who}: {shown}");
        assert_eq!(p.can(&[who, "customers.view"])["allowed"], true, "{who}");
    }
    for who in [VIEW_ONLY, BANK] {
        for args in [
            vec!["user", "list", "--account", "Beta Corp"],
            vec!["service", "list", "--account", "Beta Corp"],
            vec!["order", "list", "--account", "Beta Corp"],
            vec!["policy", "list", "--account", "Beta Corp"],
            vec!["cost-centre", "list", "--account", "Beta Corp"],
            vec!["export", "--account", "Beta Corp"],
        ] {
            let err = p.refused_as(Some(who), &args, DENIED);
            says(error_line(&err), "is not a member of `Beta Corp`");
        }
        for args in [
            vec!["account", "set", "Beta Corp", "--phone", "0"],
            vec![
                "license", "allocate", "--product", "MDR Complete", "--customer", "Beta Corp",
                "--seats", "1",
            ],
        ] {
            p.refused_as(Some(who), &args, DENIED);
        }
    }
    // The blocked level sees nothing of them.
    let err = p.refused_as(Some(BLOCKED), &["account", "show", "Beta Corp"], DENIED);
    assert!(!err.contains("customers.view"), "{err}");
}

/// A database made from the `lmp` preset before `customers.view` gives it
/// to the levels that view pages as the preset now does (migration 38).
#[test]
fn an_older_lmp_database_gives_its_view_levels_the_customers() {
    let p = Portal::with_preset("lmp");
    p.customer("Beta Corp");
    p.member(VIEW_ONLY, "partner-view-only");
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        crate::support::rewind(
            &conn,
            crate::support::version_before("0038_customers_view.sql"),
        );
    }
    assert_eq!(
        p.text("SELECT count(*) FROM role_capabilities WHERE capability = 'customers.view'"),
        "0"
    );
    let shown = p.json_as(Some(VIEW_ONLY), &["account", "show", "Beta Corp"]);
    assert_eq!(shown["name"], "Beta Corp");
    assert_eq!(
        p.text("SELECT group_concat(name, ',') FROM (SELECT r.name FROM roles r JOIN role_capabilities c ON c.role_id = r.id WHERE c.capability = 'customers.view' ORDER BY r.name)"),
        "bank-details-only,partner-allocator,partner-view-only"
    );
}
