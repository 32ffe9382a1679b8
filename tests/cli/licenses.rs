//! `license`: buying, allocating, moving and listing seats; every refusal
//! changes nothing.

use serde_json::{json, Value};

use crate::support::{error_line, says, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, USAGE};

const PRODUCT: &str = "MDR Complete";

/// `Acme Ltd` (lmp) with customers Beta Corp and Gamma Ltd, 100 seats of
/// MDR Complete, 30 of them with Beta Corp; and a second partner, Zeta MSP,
/// with its customer Omega Inc.
fn partner() -> Portal {
    Portal::cached("licenses: partner", build_partner)
}

fn build_partner() -> Portal {
    let p = Portal::with_preset("lmp");
    for customer in ["Beta Corp", "Gamma Ltd"] {
        p.customer(customer);
    }
    p.ok(&["account", "create", "Zeta MSP", "--kind", "partner"]);
    p.ok(&[
        "account", "create", "Omega Inc", "--kind", "customer", "--parent", "Zeta MSP",
    ]);
    p.ok(&[
        "license", "purchase", "--product", PRODUCT, "--seats", "100", "--account", ACCOUNT,
    ]);
    p.ok(&[
        "license", "allocate", "--product", PRODUCT, "--customer", "Beta Corp", "--seats", "30",
    ]);
    p
}

fn events(p: &Portal, action: &str) -> String {
    p.text(&format!(
        "SELECT COUNT(*) FROM audit_events WHERE action = '{action}'"
    ))
}

#[test]
fn purchases_add_up_per_product_and_keep_the_first_spelling() {
    let p = partner();
    let v = p.json(&[
        "license", "purchase", "--product", "mdr complete", "--seats", "20", "--account", ACCOUNT,
    ]);
    assert_eq!(
        (
            v["product"].as_str(),
            v["seats"].as_i64(),
            v["available"].as_i64()
        ),
        (Some(PRODUCT), Some(120), Some(90))
    );
    let v = p.json(&[
        "license", "purchase", "--product", "MDR Core", "--seats", "5", "--account", ACCOUNT,
    ]);
    assert_eq!(v["allocations"], json!([]));
    assert_eq!(events(&p, "license.purchase"), "3");
    let audit = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(audit[0]["target"], "MDR Core");
    assert_eq!(audit[0]["before"], serde_json::Value::Null);
    assert_eq!(audit[0]["after"]["seats"], 5);
}

#[test]
fn allocate_sets_what_a_customer_holds() {
    let p = partner();
    let v = p.json(&[
        "license", "allocate", "--product", PRODUCT, "--customer", "Gamma Ltd", "--seats", "70",
    ]);
    assert_eq!(
        (v["allocated"].as_i64(), v["available"].as_i64()),
        (Some(100), Some(0))
    );
    // Setting the same number again changes nothing and records nothing.
    let before = events(&p, "license.allocate");
    p.ok(&[
        "license", "allocate", "--product", PRODUCT, "--customer", "Gamma Ltd", "--seats", "70",
    ]);
    assert_eq!(events(&p, "license.allocate"), before);
    // 0 hands the seats back to the partner.
    let v = p.json(&[
        "license", "allocate", "--product", PRODUCT, "--customer", "Beta Corp", "--seats", "0",
    ]);
    assert_eq!(
        v["allocations"],
        json!([{"customer": "Gamma Ltd", "seats": 70}])
    );
    assert_eq!(v["available"], 30);
    let audit = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(audit[0]["action"], "license.allocate");
    assert_eq!(audit[0]["target"], "MDR Complete for Beta Corp");
    assert_eq!(audit[0]["before"]["allocated"], 100);
    assert_eq!(audit[0]["after"]["allocated"], 70);
}

#[test]
fn a_move_is_one_transaction_and_one_audit_event() {
    let p = partner();
    let before = p.text("SELECT COUNT(*) FROM audit_events");
    let v = p.json(&[
        "license", "move", "--product", PRODUCT, "--from", "Beta Corp", "--to", "Gamma Ltd",
        "--seats", "30",
    ]);
    assert_eq!(
        v["allocations"],
        json!([{"customer": "Gamma Ltd", "seats": 30}]),
        "a customer left with no seats is not listed"
    );
    assert_eq!(
        (v["seats"].as_i64(), v["allocated"].as_i64()),
        (Some(100), Some(30))
    );
    let after: i64 = p.text("SELECT COUNT(*) FROM audit_events").parse().unwrap();
    assert_eq!(after, before.parse::<i64>().unwrap() + 1);
    let audit = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(audit[0]["action"], "license.move");
    assert_eq!(audit[0]["account"], ACCOUNT);
    assert_eq!(
        audit[0]["before"]["allocations"],
        json!([{"customer": "Beta Corp", "seats": 30}])
    );
    // The emptied allocation is kept at 0, not deleted.
    assert_eq!(
        p.text("SELECT seats FROM license_allocations JOIN accounts ON accounts.id = customer_id WHERE accounts.name = 'Beta Corp'"),
        "0"
    );
}

#[test]
fn list_shows_a_partner_or_one_customer() {
    let p = partner();
    p.ok(&[
        "license", "allocate", "--product", PRODUCT, "--customer", "Gamma Ltd", "--seats", "5",
    ]);
    let all = p.json(&["license", "list", "--account", ACCOUNT]);
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(all[0]["allocated"], 35);
    let gamma = p.json(&["license", "list", "--customer", "Gamma Ltd"]);
    assert_eq!(
        gamma[0]["allocations"],
        json!([{"customer": "Gamma Ltd", "seats": 5}])
    );
    // Without --account the operator sees every partner's licences.
    p.ok(&[
        "license", "purchase", "--product", "MDR Core", "--seats", "3", "--account", "Zeta MSP",
    ]);
    let everyone = p.json(&["license", "list"]);
    let partners: Vec<&str> = everyone
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["account"].as_str().unwrap())
        .collect();
    assert_eq!(partners, [ACCOUNT, "Zeta MSP"]);
    let table = p.ok(&["license", "list", "--account", ACCOUNT]);
    assert!(table.contains("Beta Corp 30, Gamma Ltd 5"), "{table}");
    // A customer holds seats; `account show` says so, and from whom.
    let shown = p.json(&["account", "show", "Gamma Ltd"]);
    assert_eq!(
        shown["products"],
        json!([{"product": PRODUCT, "seats": 5, "allocated": null, "available": null, "supplier": ACCOUNT}])
    );
}

// ------------------------------------------------------------- bad input

#[test]
fn negative_or_zero_seats_are_invalid() {
    let p = partner();
    for args in [
        vec![
            "license", "purchase", "--product", PRODUCT, "--seats", "-5", "--account", ACCOUNT,
        ],
        vec![
            "license", "purchase", "--product", PRODUCT, "--seats", "0", "--account", ACCOUNT,
        ],
        vec![
            "license", "allocate", "--product", PRODUCT, "--customer", "Beta Corp", "--seats", "-1",
        ],
        vec![
            "license", "move", "--product", PRODUCT, "--from", "Beta Corp", "--to", "Gamma Ltd",
            "--seats", "-10",
        ],
        vec![
            "license", "move", "--product", PRODUCT, "--from", "Beta Corp", "--to", "Gamma Ltd",
            "--seats", "0",
        ],
        vec![
            "license", "purchase", "--product", PRODUCT, "--seats", "ten", "--account", ACCOUNT,
        ],
        vec![
            "license", "purchase", "--product", PRODUCT, "--seats", "2000000", "--account", ACCOUNT,
        ],
        vec![
            "license", "purchase", "--product", " ", "--seats", "1", "--account", ACCOUNT,
        ],
    ] {
        p.refused(&args, USAGE);
    }
    let err = p.refused(
        &[
            "license", "allocate", "--product", PRODUCT, "--customer", "Beta Corp", "--seats", "-1",
        ],
        USAGE,
    );
    assert!(err.contains("negative"), "{err}");
}

#[test]
fn seats_never_exceed_what_the_partner_bought() {
    let p = partner();
    let err = p.refused(
        &[
            "license", "allocate", "--product", PRODUCT, "--customer", "Gamma Ltd", "--seats", "71",
        ],
        CONFLICT,
    );
    assert!(err.contains("at most 70"), "{err}");
    let err = p.refused(
        &[
            "license", "move", "--product", PRODUCT, "--from", "Beta Corp", "--to", "Gamma Ltd",
            "--seats", "31",
        ],
        CONFLICT,
    );
    assert!(err.contains("holds 30 seats"), "{err}");
    let err = p.refused(
        &[
            "license", "move", "--product", PRODUCT, "--from", "Gamma Ltd", "--to", "Beta Corp",
            "--seats", "1",
        ],
        CONFLICT,
    );
    assert!(err.contains("holds 0 seats"), "{err}");
}

#[test]
fn the_database_refuses_over_allocation_even_behind_the_domain() {
    let p = partner();
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    let err = conn
        .execute("UPDATE license_allocations SET seats = 101", [])
        .unwrap_err();
    assert!(err.to_string().contains("exceed"), "{err}");
    let err = conn
        .execute("UPDATE license_allocations SET seats = -1", [])
        .unwrap_err();
    assert!(err.to_string().contains("CHECK"), "{err}");
}

#[test]
fn unknown_customers_products_and_partners_are_not_found() {
    let p = partner();
    let err = p.refused(
        &[
            "license", "allocate", "--product", PRODUCT, "--customer", "Nobody Ltd", "--seats", "1",
        ],
        NOT_FOUND,
    );
    assert!(err.contains("no account `Nobody Ltd`"), "{err}");
    let err = p.refused(
        &[
            "license", "allocate", "--product", "MDR Cloud", "--customer", "Beta Corp", "--seats",
            "1",
        ],
        NOT_FOUND,
    );
    assert!(err.contains("has bought no `MDR Cloud` licences"), "{err}");
    p.refused(
        &[
            "license", "purchase", "--product", PRODUCT, "--seats", "1", "--account", "Nobody",
        ],
        NOT_FOUND,
    );
    p.refused(&["license", "list", "--customer", "Nobody Ltd"], NOT_FOUND);
}

#[test]
fn a_customer_of_another_partner_is_refused() {
    let p = partner();
    p.ok(&[
        "license", "purchase", "--product", PRODUCT, "--seats", "10", "--account", "Zeta MSP",
    ]);
    // Named with the partner: a conflict that says whose customer it is.
    let err = p.refused(
        &[
            "license", "allocate", "--product", PRODUCT, "--customer", "Omega Inc", "--seats", "1",
            "--account", ACCOUNT,
        ],
        CONFLICT,
    );
    assert!(
        err.contains("`Omega Inc` is a customer of `Zeta MSP`, not of `Acme Ltd`"),
        "{err}"
    );
    // Seats cannot cross from one partner's customers to another's.
    let err = p.refused(
        &[
            "license", "move", "--product", PRODUCT, "--from", "Beta Corp", "--to", "Omega Inc",
            "--seats", "1",
        ],
        CONFLICT,
    );
    assert!(err.contains("Zeta MSP"), "{err}");
    p.refused(
        &[
            "license", "list", "--customer", "Omega Inc", "--account", ACCOUNT,
        ],
        CONFLICT,
    );
    // A member of Acme has no say over Zeta's customers at all.
    p.member("al@acme.test", "partner-allocator");
    let err = p.refused_as(
        Some("al@acme.test"),
        &[
            "license", "allocate", "--product", PRODUCT, "--customer", "Omega Inc", "--seats", "1",
        ],
        DENIED,
    );
    assert!(err.contains("not a member of `Omega Inc`"), "{err}");
}

#[test]
fn licences_belong_to_partners_and_customers() {
    let p = partner();
    // Seats are bought by a partner, not a customer.
    let err = p.refused(
        &[
            "license", "purchase", "--product", PRODUCT, "--seats", "1", "--account", "Beta Corp",
        ],
        USAGE,
    );
    assert!(err.contains("is a customer"), "{err}");
    // Seats go to a customer, not a partner.
    let err = p.refused(
        &[
            "license", "allocate", "--product", PRODUCT, "--customer", "Zeta MSP", "--seats", "1",
        ],
        USAGE,
    );
    assert!(err.contains("not a customer"), "{err}");
    let err = p.refused(
        &[
            "license", "move", "--product", PRODUCT, "--from", "Beta Corp", "--to", "Beta Corp",
            "--seats", "1",
        ],
        USAGE,
    );
    assert!(err.contains("both --from and --to"), "{err}");
    // A customer without a partner holds no licences.
    p.ok(&["account", "create", "Loner Ltd", "--kind", "customer"]);
    p.refused(
        &[
            "license", "allocate", "--product", PRODUCT, "--customer", "Loner Ltd", "--seats", "1",
        ],
        CONFLICT,
    );
}

/// `license allocate` of `seats` MDR Complete to Beta Corp, shipped to the
/// partner's address `label` when given.
fn allocate_to_beta<'a>(seats: &'a str, ship_to: Option<&'a str>) -> Vec<&'a str> {
    let mut args = vec![
        "license", "allocate", "--product", PRODUCT, "--customer", "Beta Corp", "--seats", seats,
    ];
    args.extend(
        ship_to
            .map(|label| ["--ship-to", label])
            .into_iter()
            .flatten(),
    );
    args
}

/// Seed 000, Partner Allocator: "Can use, but not edit, shipping
/// addresses." The addresses are the partner's (the Partner tab, beside
/// its profile); an allocation ships what it allocates to one of them and
/// keeps its own copy.
#[test]
fn an_allocator_ships_allocated_seats_to_a_partner_shipping_address() {
    let p = partner();
    p.ok(&[
        "account", "address", "add", ACCOUNT, "--label", "HQ", "--line1", "1 High Street",
        "--city", "London", "--postcode", "EC1A 1BB", "--country", "GB",
    ]);
    p.member("al@acme.test", "partner-allocator");
    let v = p.json_as(Some("al@acme.test"), &allocate_to_beta("40", Some("hq")));
    assert_eq!(
        v["allocations"],
        json!([{"customer": "Beta Corp", "seats": 40, "ship_to": {
            "label": "HQ", "line1": "1 High Street", "line2": null, "city": "London",
            "postcode": "EC1A 1BB", "country": "GB"}}])
    );
    assert_eq!(p.last_event()["action"], "license.allocate");
    // Allocating again without --ship-to keeps where the seats go.
    let v = p.json(&allocate_to_beta("40", None));
    assert_eq!(v["allocations"][0]["ship_to"]["label"], "HQ");
    let table = p.ok(&["license", "list", "--account", ACCOUNT]);
    assert!(table.contains("Beta Corp 40 (ship to HQ)"), "{table}");
    // The address is not removed while seats ship there (finding N13);
    // a move keeps where they ship.
    p.refused(&["account", "address", "remove", ACCOUNT, "HQ"], CONFLICT);
    let v = p.json(&[
        "license", "move", "--product", PRODUCT, "--from", "Beta Corp", "--to", "Gamma Ltd",
        "--seats", "5",
    ]);
    assert_eq!(v["allocations"][0]["ship_to"]["line1"], "1 High Street");
    assert!(v["allocations"][1].get("ship_to").is_none(), "{v}");
    // An unknown label is not found, and nothing changes.
    let err = p.refused(&allocate_to_beta("10", Some("Depot")), NOT_FOUND);
    assert!(
        err.contains("no shipping address labelled `Depot`"),
        "{err}"
    );
}

#[test]
fn shipping_needs_addresses_use_on_the_partner() {
    // "Can use shipping addresses" is the allocator's; view-only members
    // neither allocate nor use them, and a customer's own address is not
    // the partner's to ship to.
    let p = partner();
    p.ok(&[
        "account", "address", "add", "Beta Corp", "--label", "Site", "--line1", "3 Mill Lane",
        "--city", "York", "--postcode", "YO1 7HH", "--country", "GB",
    ]);
    p.member("vo@acme.test", "partner-view-only");
    p.refused_as(
        Some("vo@acme.test"),
        &allocate_to_beta("40", Some("Site")),
        DENIED,
    );
    let err = p.refused(&allocate_to_beta("40", Some("Site")), NOT_FOUND);
    assert!(err.contains("`Acme Ltd` has no shipping address"), "{err}");
}

/// In a customer, `account show` shows its seats as `license list` would
/// read them: not to a `user`, who sees only her assigned services
/// (`hidden`, `null`), as in a partner; and a customer, which has no
/// contracted prices, shows none (`[]`) to anyone rather than `hidden`
/// to some (findings A11, N13).
#[test]
fn a_customer_user_reads_no_seats_and_no_hidden_prices_in_account_show() {
    let p = Portal::empty();
    p.ok(&[
        "apply",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json"),
    ]);
    p.ok(&[
        "license", "purchase", "--account", "Acme Ltd", "--product", "Office E3", "--seats", "50",
    ]);
    p.ok(&[
        "license", "allocate", "--account", "Acme Ltd", "--product", "Office E3", "--customer",
        "Contoso", "--seats", "10",
    ]);
    let (cleo, carl) = (Some("cleo@contoso.test"), Some("carl@contoso.test"));
    p.refused_as(cleo, &["license", "list"], DENIED);
    let hers = p.json_as(cleo, &["account", "show"]);
    assert_eq!(
        (&hers["products"], &hers["prices"]),
        (&json!(null), &json!([])),
        "{hers}"
    );
    let text = p.run_as(cleo, &["account", "show"]).stdout;
    assert!(text.contains("licences         hidden"), "{text}");
    assert!(!text.contains("prices           hidden"), "{text}");
    let his = p.json_as(carl, &["account", "show"]);
    assert_eq!(his["products"][0]["seats"], 10, "{his}");
    assert_eq!(his["prices"], json!([]), "{his}");
}

/// A product is one seat pool and one price in every script's case, its
/// composition and its spaces, as names are (finding N14): `CAFÉ SUITE`
/// adds to `Café Suite`, and an `apply` that writes it so changes nothing.
#[test]
fn a_product_in_another_case_of_any_script_is_the_same_product() {
    let p = build_partner();
    let buy = |product: &str, seats: &str| {
        p.json(&[
            "license", "purchase", "--product", product, "--seats", seats, "--account", ACCOUNT,
        ])
    };
    buy("Café Suite", "50");
    let again = buy("CAFÉ SUITE", "1");
    assert_eq!(
        (again["product"].as_str(), again["seats"].as_i64()),
        (Some("Café Suite"), Some(51))
    );
    p.ok(&[
        "license", "allocate", "--product", "CAFE\u{301}  SUITE", "--customer", "Beta Corp",
        "--seats", "1", "--account", ACCOUNT,
    ]);
    for (product, price) in [("Cafe\u{301} suite", "5"), ("CAFÉ SUITE", "6")] {
        p.ok(&[
            "license", "price", "set", "--account", ACCOUNT, "--product", product, "--price", price,
        ]);
    }
    assert_eq!(
        p.text("SELECT group_concat(product || ' ' || seats, ', ') FROM licenses"),
        "MDR Complete 100, Café Suite 51"
    );
    assert_eq!(
        p.text("SELECT group_concat(product || ' ' || price_minor, ', ') FROM partner_prices"),
        "Café suite 600"
    );
    let exported = p.ok(&["export"]);
    let shouted = exported.replace("\"Café Suite\"", "\"CAFÉ SUITE\"");
    assert_ne!(shouted, exported);
    let run = p.apply_stdin(&["--json"], &[], &shouted);
    let counts: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (counts["created"].as_u64(), counts["updated"].as_u64()),
        (Some(0), Some(0)),
        "{}",
        run.stderr
    );
    // A file listing both spellings lists one product twice.
    let mut doc: serde_json::Value = serde_json::from_str(&exported).unwrap();
    let licences = doc["accounts"][0]["licenses"].as_array_mut().unwrap();
    let mut twin = licences[0].clone();
    twin["product"] = json!("CAFÉ SUITE");
    twin["allocations"] = json!([]);
    licences.push(twin);
    let before = p.dump();
    let run = p.apply_stdin(&[], &[], &doc.to_string());
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    crate::support::says(&run.stderr, "CAFÉ SUITE");
    assert_eq!(p.dump(), before);
}

/// Two products an older database holds that now read as one both stay
/// (migration 29 keys them): each is named by its exact spelling, a
/// third spelling names neither, and `status` names both.
#[test]
fn products_an_older_database_holds_in_two_cases_stay_and_status_names_them() {
    let p = build_partner();
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        crate::support::rewind(
            &conn,
            crate::support::version_before("0029_product_keys.sql"),
        );
        conn.execute_batch(
            "INSERT INTO licenses (account_id, product, seats, created_at, updated_at)
             SELECT account_id, 'CAFÉ SUITE', 3, created_at, updated_at FROM licenses;
             INSERT INTO licenses (account_id, product, seats, created_at, updated_at)
             SELECT account_id, 'Café Suite', 4, created_at, updated_at
               FROM licenses WHERE product = 'MDR Complete';",
        )
        .unwrap();
    }
    for (exact, seats) in [("CAFÉ SUITE", 4), ("Café Suite", 5)] {
        let v = p.json(&[
            "license", "purchase", "--product", exact, "--seats", "1", "--account", ACCOUNT,
        ]);
        assert_eq!(
            (v["product"].as_str(), v["seats"].as_i64()),
            (Some(exact), Some(seats))
        );
    }
    assert_eq!(
        p.text("SELECT COUNT(*) FROM licenses WHERE product_key IS NULL"),
        "0",
        "the migration keyed every licence"
    );
    let before = p.dump();
    let err = p.refused(
        &[
            "license", "purchase", "--product", "café suite", "--seats", "1", "--account", ACCOUNT,
        ],
        USAGE,
    );
    crate::support::says(&err, "`CAFÉ SUITE` and `Café Suite`");
    assert_eq!(p.dump(), before, "nothing bought");
    let status = p.ok(&["status"]);
    crate::support::says(
        &status,
        &format!("licence product `CAFÉ SUITE` in `{ACCOUNT}` reads as `Café Suite` too"),
    );
    crate::support::says(
        &status,
        &format!("licence product `Café Suite` in `{ACCOUNT}` reads as `CAFÉ SUITE` too"),
    );
}

/// The lmp example: `MDR Complete` seats of Contoso ship to the
/// partner's `Warehouse`.
fn demo_lmp() -> Portal {
    Portal::cached("licenses: demo-lmp", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-lmp.json"),
        ]);
        p
    })
}

/// Where Contoso's `MDR Complete` seats ship, as `license list` says.
fn contoso_ship_to(p: &Portal) -> Value {
    let list = p.json(&["license", "list", "--account", "Northwind Partners"]);
    let mdr = list
        .as_array()
        .and_then(|l| l.iter().find(|l| l["product"] == PRODUCT))
        .expect("MDR Complete");
    mdr["allocations"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["customer"] == "Contoso"))
        .map_or(Value::Null, |a| a["ship_to"]["label"].clone())
}

/// Finding N13: an address seats ship to is not removed from under them
/// (the list would ship there, the export not); the refusal names the
/// seats and the command that ships them elsewhere, after which the
/// address goes.
#[test]
fn an_address_seats_ship_to_is_removed_only_once_they_ship_elsewhere() {
    let p = demo_lmp();
    let pat = Some("pat@northwind.test");
    let err = p.refused_as(
        pat,
        &["account", "address", "remove", "Warehouse"],
        CONFLICT,
    );
    assert_eq!(
        error_line(&err),
        "error: licence seats ship to `Warehouse` of `Northwind Partners`: 5 of `MDR Complete` for `Contoso`"
    );
    let help = "help: ship them to another address first: `portalctl license allocate --product 'MDR Complete' --customer Contoso --seats 5 --ship-to LABEL --account 'Northwind Partners'`";
    says(&err, help);
    p.ok(&[
        "license", "allocate", "--product", PRODUCT, "--customer", "Contoso", "--seats", "5",
        "--ship-to", "HQ", "--account", "Northwind Partners",
    ]);
    p.ok(&[
        "--as", "pat@northwind.test", "account", "address", "remove", "Warehouse",
    ]);
    assert_eq!(contoso_ship_to(&p), json!("HQ"));
    let export: Value = serde_json::from_str(&p.ok(&["export"])).expect("export");
    let shipped = &export["accounts"][0]["licenses"];
    says(
        &shipped.to_string(),
        r#"{"customer":"Contoso","seats":5,"ship_to":"HQ"}"#,
    );
}

/// Finding N13: seats allocated again after a move took them all ship
/// where the new allocation says, not to the address of the seats that
/// went.
#[test]
fn seats_allocated_after_a_move_took_them_all_ship_nowhere_unless_named() {
    let p = demo_lmp();
    p.ok(&[
        "license", "move", "--product", PRODUCT, "--from", "Contoso", "--to", "Fabrikam",
        "--seats", "5",
    ]);
    p.ok(&[
        "license", "allocate", "--product", PRODUCT, "--customer", "Contoso", "--seats", "2",
    ]);
    assert_eq!(contoso_ship_to(&p), Value::Null);
    // With no seats shipping there any more, the address may go.
    p.ok(&[
        "account", "address", "remove", "Warehouse", "--account", "Northwind Partners",
    ]);
}

/// Finding N13: an address `apply` describes otherwise (removed and added
/// again) keeps the seats that ship to it, so the list and the export
/// still name it.
#[test]
fn an_address_changed_by_apply_keeps_the_seats_shipped_to_it() {
    let p = demo_lmp();
    let mut file: Value = serde_json::from_str(&p.ok(&["export"])).expect("export");
    let addresses = file["accounts"][0]["addresses"]
        .as_array_mut()
        .expect("addresses");
    let warehouse = addresses
        .iter_mut()
        .find(|a| a["label"] == "Warehouse")
        .expect("Warehouse");
    warehouse["line1"] = json!("Unit 5");
    let changed = p.apply_stdin(&[], &[], &file.to_string());
    assert_eq!(changed.code, 0, "{}", changed.stderr);
    assert_eq!(contoso_ship_to(&p), json!("Warehouse"));
    let list = p.json(&["license", "list", "--account", "Northwind Partners"]);
    says(&list.to_string(), r#""line1":"Unit 5""#);
    let again = p.apply_stdin(&["--json", "--dry-run"], &[], &p.ok(&["export"]));
    let plan: Value = serde_json::from_str(&again.stdout).expect(&again.stderr);
    assert_eq!(
        (plan["created"].as_u64(), plan["updated"].as_u64()),
        (Some(0), Some(0))
    );
}

/// Finding N9: a `user` of one partner who lists licences without
/// `--account` is told the reason `--account` gives, not that she lacks
/// `account.view`, which she holds.
#[test]
fn a_user_listing_licences_is_told_the_real_reason() {
    let p = Portal::cached("apply examples/demo.json", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json"),
        ]);
        p
    });
    let una = Some("una@acme.test");
    let without = p.refused_as(una, &["license", "list"], DENIED);
    let with = p.refused_as(una, &["license", "list", "--account", "Acme Ltd"], DENIED);
    assert_eq!(error_line(&without), error_line(&with));
    says(
        error_line(&without),
        "role `user` sees the services assigned to them",
    );
}
