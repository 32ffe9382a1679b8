//! `account address` and `account payment`: shipping addresses (never
//! deleted) and payment details (bank details always masked).

use serde_json::json;

use crate::support::{Portal, ACCOUNT, ADD_DEPOT, CONFLICT, DENIED, NOT_FOUND, USAGE};

const IBAN: &str = "GB82 WEST 1234 5698 7654 32";
const IBAN_COMPACT: &str = "GB82WEST12345698765432";

fn add_args<'a>(label: &'a str, country: &'a str) -> Vec<&'a str> {
    vec![
        "account", "address", "add", ACCOUNT, "--label", label, "--line1", "1 High Street",
        "--line2", "Floor 2", "--city", "London", "--postcode", "EC1A 1BB", "--country", country,
    ]
}

#[test]
fn addresses_are_added_listed_and_removed() {
    let p = Portal::with_preset("lmp");
    let v = p.json(&add_args("HQ", "gb"));
    assert_eq!(
        (
            v["account"].as_str(),
            v["label"].as_str(),
            v["country"].as_str()
        ),
        (Some(ACCOUNT), Some("HQ"), Some("GB"))
    );
    assert_eq!(v["line2"], "Floor 2");
    p.ok(ADD_DEPOT);
    let list = p.json(&["account", "address", "list", ACCOUNT]);
    let labels: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Depot", "HQ"]);
    assert_eq!(list[0]["line2"], serde_json::Value::Null);
    let table = p.ok(&["account", "address", "list", ACCOUNT]);
    assert!(
        table.contains("2 Dock Road") && table.contains("LABEL"),
        "{table}"
    );
    let v = p.json(&["account", "address", "remove", ACCOUNT, "hq"]);
    assert_eq!(v["removed_at"], "2026-11-25T10:00:00Z");
    let list = p.json(&["account", "address", "list", ACCOUNT]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    // Removed, not deleted: the row (and any order's copy) stays.
    assert_eq!(p.text("SELECT COUNT(*) FROM addresses"), "2");
    assert_eq!(
        p.text("SELECT line1 FROM addresses WHERE label = 'HQ' AND removed_at IS NOT NULL"),
        "1 High Street"
    );
    // The label can be used again.
    p.ok(&add_args("HQ", "FR"));
    let actions = p.json(&["audit", "list", "--limit", "2"]);
    assert_eq!(actions[0]["action"], "account.address_remove");
    assert_eq!(actions[0]["after"]["removed_at"], "2026-11-25T10:00:00Z");
    assert_eq!(actions[1]["action"], "account.address_add");
}

#[test]
fn account_show_lists_the_addresses() {
    let p = Portal::with_preset("msp");
    p.ok(&add_args("HQ", "GB"));
    let v = p.json(&["account", "show"]);
    assert_eq!(v["addresses"][0]["label"], "HQ");
    let text = p.ok(&["account", "show"]);
    assert!(
        text.contains("Address\n") && text.contains("1 High Street, Floor 2, London, EC1A 1BB, GB"),
        "{text}"
    );
}

#[test]
fn bad_addresses_are_refused() {
    let p = Portal::with_preset("lmp");
    p.ok(&add_args("HQ", "GB"));
    let err = p.refused(&add_args("hq", "GB"), CONFLICT);
    assert!(
        err.contains("already has an address labelled `HQ`"),
        "{err}"
    );
    p.refused(&add_args("Depot", "GBR"), USAGE);
    p.refused(&add_args("Depot", "1X"), USAGE);
    p.refused(&add_args(" ", "GB"), USAGE);
    p.refused(
        &[
            "account", "address", "add", ACCOUNT, "--label", "Depot", "--line1", "", "--city",
            "Leeds", "--postcode", "LS1", "--country", "GB",
        ],
        USAGE,
    );
    p.refused(
        &[
            "account", "address", "add", "Nobody", "--label", "Depot", "--line1", "x", "--city",
            "Leeds", "--postcode", "LS1", "--country", "GB",
        ],
        NOT_FOUND,
    );
    let err = p.refused(
        &["account", "address", "remove", ACCOUNT, "Depot"],
        NOT_FOUND,
    );
    assert!(
        err.contains("no shipping address labelled `Depot`"),
        "{err}"
    );
    p.ok(&["account", "address", "remove", ACCOUNT, "HQ"]);
    p.refused(&["account", "address", "remove", ACCOUNT, "HQ"], NOT_FOUND);
}

#[test]
fn payment_details_are_shown_masked_everywhere() {
    let p = Portal::with_preset("lmp");
    let v = p.json(&[
        "account", "payment", "set", ACCOUNT, "--method", "direct-debit", "--iban", IBAN,
    ]);
    assert_eq!(
        v,
        json!({
            "account": ACCOUNT,
            "method": "direct-debit",
            "iban_masked": "******************5432",
            "updated_at": "2026-11-25T10:00:00Z",
            "warnings": [],
        })
    );
    let table = p.ok(&["account", "payment", "show", ACCOUNT]);
    assert!(table.contains("******************5432"), "{table}");
    // The whole number is stored, but never printed nor put in the audit log.
    assert_eq!(p.text("SELECT iban FROM payment_details"), IBAN_COMPACT);
    let audit = p.ok(&["--json", "audit", "list"]);
    assert!(!audit.contains("WEST") && audit.contains("5432"), "{audit}");
    assert_eq!(
        p.text(
            "SELECT COUNT(*) FROM audit_events WHERE after LIKE '%WEST%' OR before LIKE '%WEST%'"
        ),
        "0"
    );
    // The same details again change nothing.
    p.ok(&[
        "account", "payment", "set", ACCOUNT, "--method", "direct-debit", "--iban", IBAN_COMPACT,
    ]);
    assert_eq!(
        p.text("SELECT COUNT(*) FROM audit_events WHERE action = 'account.payment_set'"),
        "1"
    );
    // Before any details are set, `show` says so.
    p.customer("Beta Corp");
    let v = p.json(&["account", "payment", "show", "Beta Corp"]);
    assert_eq!(v["method"], serde_json::Value::Null);
}

#[test]
fn bad_payment_details_are_refused_without_echoing_them() {
    let p = Portal::with_preset("lmp");
    let err = p.refused(
        &[
            "account", "payment", "set", ACCOUNT, "--method", "direct-debit", "--iban",
            "DE88 3704 0044 0532 0130 00",
        ],
        USAGE,
    );
    assert!(
        err.contains("check digits") && !err.contains("3704"),
        "{err}"
    );
    let err = p.refused(
        &[
            "account", "payment", "set", ACCOUNT, "--method", "direct-debit",
        ],
        USAGE,
    );
    assert!(err.contains("--iban"), "{err}");
    let err = p.refused(
        &[
            "account", "payment", "set", ACCOUNT, "--method", "card", "--iban", IBAN,
        ],
        USAGE,
    );
    assert!(err.contains("takes no bank account"), "{err}");
    let err = p.refused(
        &["account", "payment", "set", ACCOUNT, "--method", "cheque"],
        USAGE,
    );
    assert!(err.contains("unknown payment method `cheque`"), "{err}");
    p.refused(
        &["account", "payment", "set", "Nobody", "--method", "card"],
        NOT_FOUND,
    );
}

#[test]
fn payment_details_need_billing_capabilities() {
    let p = Portal::with_preset("lmp");
    p.member("al@acme.test", "partner-allocator");
    p.member("vo@acme.test", "partner-view-only");
    // Allocators hold neither billing.view nor billing.payment.
    p.refused_as(
        Some("al@acme.test"),
        &["account", "payment", "show", ACCOUNT],
        DENIED,
    );
    p.json_as(
        Some("vo@acme.test"),
        &["account", "payment", "show", ACCOUNT],
    );
    let err = p.refused_as(
        Some("vo@acme.test"),
        &["account", "payment", "set", ACCOUNT, "--method", "invoice"],
        DENIED,
    );
    assert!(err.contains("billing.payment"), "{err}");
}

/// "An order may name a shipping address": the order keeps a copy that
/// outlives the address, and naming one needs `addresses.use`.
#[test]
fn an_order_ships_to_a_copy_of_an_address() {
    let p = Portal::new();
    p.ok(&add_args("HQ", "GB"));
    p.member("ann@acme.test", "admin");
    p.member("max@acme.test", "manager");
    let v = p.json_as(
        Some("ann@acme.test"),
        &[
            "order", "place", "--description", "Router", "--amount", "60", "--ship-to", "hq",
        ],
    );
    assert_eq!(v["ship_to"]["label"], "HQ");
    assert_eq!(v["ship_to"]["postcode"], "EC1A 1BB");
    let id = v["id"].to_string();
    p.ok(&["account", "address", "remove", ACCOUNT, "HQ"]);
    let shown = p.json(&["order", "show", &id]);
    assert_eq!(
        shown["ship_to"]["line1"], "1 High Street",
        "the order's copy stays: {shown}"
    );
    assert!(p
        .ok(&["order", "show", &id])
        .contains("1 High Street, Floor 2, London, EC1A 1BB, GB"));
    // A removed or unknown label is not found; a manager may order but not use addresses.
    let place = [
        "order", "place", "--description", "Cable", "--amount", "5", "--ship-to", "HQ",
    ];
    p.refused_as(Some("ann@acme.test"), &place, NOT_FOUND);
    p.ok(&add_args("Depot", "GB"));
    let place = [
        "order", "place", "--description", "Cable", "--amount", "5", "--ship-to", "Depot",
    ];
    let err = p.refused_as(Some("max@acme.test"), &place, DENIED);
    assert!(err.contains("addresses.use"), "{err}");
}

/// 001: admins and managers see "all sites"; users "see basic account
/// info". A portal `user` is refused the sites, the approval policies and
/// the partner config, and `account show` leaves them out.
#[test]
fn a_portal_user_sees_the_basic_details_not_the_sites_or_policies() {
    let p = Portal::with_preset("portal");
    p.ok(ADD_DEPOT);
    p.ok(&["policy", "create", "--name", "Big", "--threshold", "50"]);
    p.member("una@acme.test", "user");
    p.member("max@acme.test", "manager");
    let una = Some("una@acme.test");
    let said = p.refused_as(una, &["account", "address", "list"], DENIED);
    assert!(said.contains("basic details only"), "{said}");
    p.refused_as(una, &["policy", "list"], DENIED);
    p.refused_as(una, &["policy", "show", "Big"], DENIED);
    let shown = p.json_as(una, &["account", "show"]);
    assert_eq!(shown["name"], ACCOUNT, "{shown}");
    assert!(!shown.to_string().contains("Dock Road"), "{shown}");
    let max = Some("max@acme.test");
    assert!(p
        .json_as(max, &["account", "show"])
        .to_string()
        .contains("Dock Road"));
    assert_eq!(
        p.json_as(max, &["policy", "list"]).as_array().map(Vec::len),
        Some(1)
    );
}

/// 001: users "see basic account info": a portal `user` of a partner
/// reads neither its contracted prices nor its licences; a manager does.
#[test]
fn a_portal_user_reads_no_contracted_prices_or_licences() {
    let p = Portal::init("portal");
    p.ok(&["account", "create", "Zeta", "--kind", "partner"]);
    p.member_in("una@zeta.test", "user", "Zeta");
    p.member_in("max@zeta.test", "manager", "Zeta");
    let una = Some("una@zeta.test");
    let run = p.run_as(una, &["license", "price", "list"]);
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    let run = p.run_as(una, &["license", "list"]);
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    let max = Some("max@zeta.test");
    assert_eq!(p.run_as(max, &["license", "price", "list"]).code, 0);
    assert_eq!(p.run_as(max, &["license", "list"]).code, 0);
}

/// A role that sees its assigned services only, though it may export the
/// account's users, exports the account's basic details: no sites,
/// policies or prices; and its own export applies back as it is.
#[test]
fn an_export_by_a_role_of_basic_details_leaves_out_sites_policies_and_prices() {
    let p = Portal::cached("addresses: the demo, for a role of basic details", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json"),
        ]);
        p
    });
    p.ok(&[
        "account", "address", "add", "--account", ACCOUNT, "--label", "Leeds site", "--line1",
        "1 Secret Site", "--city", "Leeds", "--postcode", "LS1", "--country", "GB",
    ]);
    let olive = Some("olive@acme.test");
    let run = p.run_as(
        olive,
        &[
            "role",
            "create",
            "hr2",
            "--capabilities",
            "portal.access,account.view,services.view_assigned,users.view,users.manage",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        p.run_as(olive, &["user", "set-role", "ada@acme.test", "hr2"])
            .code,
        0
    );
    let ada = Some("ada@acme.test");
    let run = p.run_as(ada, &["export"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let acme = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == ACCOUNT)
        .unwrap();
    for section in ["addresses", "policies", "prices", "licenses"] {
        assert!(
            acme.get(section)
                .is_none_or(|v| v.as_array().is_some_and(Vec::is_empty)),
            "{section}: {acme}"
        );
    }
    let again = p.apply_stdin(&["--as", "ada@acme.test", "--dry-run"], &[], &run.stdout);
    assert_eq!(again.code, 0, "{}", again.stderr);
    // Prices she may not read are none of her file's to prune.
    p.ok(&[
        "license", "price", "set", "--account", ACCOUNT, "--product", "Office E3", "--price",
        "20.00",
    ]);
    let pruned = p.apply_stdin(
        &["--as", "ada@acme.test", "--dry-run", "--prune", "--yes"],
        &[],
        &run.stdout,
    );
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    assert!(!pruned.stdout.contains("Office E3"), "{}", pruned.stdout);
}

/// `account show` shows the sites, licences, prices and config each as
/// the command that lists them shows them to the same member, and a
/// section refused to them reads as hidden (`null`, `hidden`), never as
/// an empty list a script takes for "none".
#[test]
fn account_show_shows_each_section_as_its_list_shows_it() {
    let p = Portal::empty();
    p.ok(&[
        "apply",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json"),
    ]);
    p.ok(&[
        "account", "address", "add", "--account", "Acme Ltd", "--label", "Leeds site", "--line1",
        "1 Secret Site", "--city", "Leeds", "--postcode", "LS1", "--country", "GB",
    ]);
    p.ok(&[
        "license", "purchase", "--product", "Office E3", "--seats", "5", "--account", "Acme Ltd",
    ]);
    let (olive, una) = (Some("olive@acme.test"), Some("una@acme.test"));
    let sections = |who| {
        let v = p.json_as(who, &["account", "show"]);
        json!({"addresses": v["addresses"], "products": v["products"],
               "prices": v["prices"], "config": v["config"]})
    };
    // A plain `user` lists none of them: all hidden.
    for list in [
        &["account", "address", "list"][..],
        &["license", "list"],
        &["license", "price", "list"],
        &["account", "ip", "list"],
    ] {
        p.refused_as(una, list, DENIED);
    }
    assert_eq!(
        sections(una),
        json!({"addresses": null, "products": null, "prices": null, "config": null})
    );
    let text = p.run_as(una, &["account", "show"]).stdout;
    let tail: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "Address")
        .map(str::trim_end)
        .collect();
    assert_eq!(
        tail,
        [
            "Address", "  hidden", "Products and prices", "  licences         hidden",
            "  prices           hidden", "Config", "  hidden"
        ],
        "{text}"
    );
    // Given `addresses.use`, she lists the sites, and is shown them.
    p.json_as(
        olive,
        &[
            "role",
            "create",
            "buyer2",
            "--capabilities",
            "portal.access,account.view,services.view_assigned,orders.place,addresses.use",
        ],
    );
    p.json_as(olive, &["user", "set-role", "una@acme.test", "buyer2"]);
    let listed = p.json_as(una, &["account", "address", "list"]);
    let shown = sections(una);
    assert_eq!(shown["addresses"], listed, "{shown}");
    assert_eq!(shown["prices"], json!(null));
    let text = p.run_as(una, &["account", "show"]).stdout;
    assert!(
        text.lines()
            .any(|l| l.starts_with("  Leeds site") && l.contains("1 Secret Site")),
        "{text}"
    );
    // Olive sees the whole account: none is hidden, an empty one is `[]`.
    let hers = sections(olive);
    assert_eq!(hers["prices"], json!([]), "{hers}");
    assert_eq!(hers["products"][0]["product"], "Office E3", "{hers}");
    assert!(hers["config"].is_object(), "{hers}");
    assert!(!p.ok(&["account", "show", "Acme Ltd"]).contains("hidden"));
}

/// An address a file describes otherwise is planned as an update of the
/// fields that change (`city`, `line2`), as every other plan line names
/// its fields, not as a change of `address`; a dry run writes nothing.
#[test]
fn a_dry_run_names_the_address_fields_that_change() {
    let p = Portal::with_preset("lmp");
    p.ok(&add_args("HQ", "GB"));
    let mut file: serde_json::Value = serde_json::from_str(&p.ok(&["export"])).unwrap();
    let hq = &mut file["accounts"][0]["addresses"][0];
    hq["city"] = json!("Leeds");
    hq["line2"] = serde_json::Value::Null;
    let before = p.dump();
    let run = p.apply_stdin(&["--dry-run", "--json"], &[], &file.to_string());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let lines: Vec<&serde_json::Value> = plan["plan"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "address")
        .collect();
    assert_eq!(lines.len(), 1, "{plan}");
    assert_eq!(lines[0]["action"], "update", "{plan}");
    assert_eq!(lines[0]["changes"], json!(["line2", "city"]), "{plan}");
    assert_eq!(p.dump(), before);
    let table = p.apply_stdin(&["--dry-run"], &[], &file.to_string());
    assert!(table.stdout.contains("line2, city"), "{}", table.stdout);
}
