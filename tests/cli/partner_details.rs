//! Seed 002 (MSP portal), the partner details: the billing contact, the
//! contracted prices and the customer RFI prefilled from the partner's
//! config.

use serde_json::{json, Value};

use crate::support::{error_line, says, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, USAGE};

const MSP_ADMIN: &str = "ada@acme.test";
const MSP_USER: &str = "uma@acme.test";
const BLOCKED: &str = "nob@acme.test";
const OTHER_ADMIN: &str = "oscar@other.test";

/// `Acme Ltd` (msp) with one member per role and a customer, and a second
/// partner `Other MSP` with an administrator and a customer of its own.
fn msp() -> Portal {
    Portal::cached("partner_details: msp", || {
        let p = Portal::with_preset("msp");
        p.member(MSP_ADMIN, "msp-administrator");
        p.member(MSP_USER, "msp-user");
        p.member(BLOCKED, "no-access");
        p.customer("Client Co");
        p.ok(&["account", "create", "Other MSP", "--kind", "partner"]);
        p.ok(&[
            "account", "create", "Other Client", "--kind", "customer", "--parent", "Other MSP",
        ]);
        p.member_in(OTHER_ADMIN, "msp-administrator", "Other MSP");
        p
    })
}

fn line_with<'t>(text: &'t str, words: &[&str]) -> &'t str {
    text.lines()
        .find(|l| words.iter().all(|w| l.contains(w)))
        .unwrap_or_else(|| panic!("no line with {words:?} in:\n{text}"))
}

#[test]
fn the_billing_contact_is_set_shown_and_cleared() {
    // "Details: Displays your account details, including contact
    // information and billing contact."
    let p = msp();
    let set = [
        "account", "set", ACCOUNT, "--billing-contact", " Billing@Acme.Test ",
    ];
    let v = p.change(None, &set, "account.set");
    assert_eq!(v["billing_contact"], "billing@acme.test");
    let e = p.last_event();
    assert_eq!(e["before"]["billing_contact"], Value::Null, "{e}");
    assert_eq!(e["after"]["billing_contact"], "billing@acme.test", "{e}");
    // The same contact again changes nothing and records nothing.
    let events = p.events();
    p.ok(&set);
    assert_eq!(p.events(), events);
    let v = p.json(&["account", "show", ACCOUNT]);
    assert_eq!(v["billing_contact"], "billing@acme.test");
    let text = p.ok(&["account", "show", ACCOUNT]);
    let line = line_with(&text, &["billing contact"]);
    assert!(line.ends_with("billing@acme.test"), "{text}");
    // An MSP administrator holds account.edit; an MSP user does not.
    let v = p.change(
        Some(MSP_ADMIN),
        &["account", "set", "--billing-contact", "accounts@acme.test"],
        "account.set",
    );
    assert_eq!(v["billing_contact"], "accounts@acme.test");
    for who in [MSP_USER, BLOCKED] {
        p.refused_as(
            Some(who),
            &["account", "set", "--billing-contact", "me@acme.test"],
            DENIED,
        );
    }
    // Not an email address: invalid, and nothing changes.
    for bad in ["billing", "billing@", "a b@acme.test", "<x@acme.test>"] {
        let err = p.refused(
            &["account", "set", ACCOUNT, "--billing-contact", bad],
            USAGE,
        );
        assert!(err.contains("not a valid email address"), "{err}");
    }
    // An empty value clears it.
    let v = p.change(
        None,
        &["account", "set", ACCOUNT, "--billing-contact", ""],
        "account.set",
    );
    assert_eq!(v["billing_contact"], Value::Null);
    assert_eq!(
        p.text("SELECT billing_contact FROM accounts WHERE name = 'Acme Ltd'"),
        "NULL"
    );
}

#[test]
fn contracted_prices_are_set_listed_shown_and_removed_by_the_operator() {
    // "Products and Prices: Displays your agreed contracted pricing."
    let p = msp();
    let set = |price: &'static str| {
        vec![
            "license", "price", "set", "--product", "Email Security", "--price", price,
            "--account", ACCOUNT,
        ]
    };
    let v = p.change(None, &set("12.50"), "license.price_set");
    assert_eq!(
        v,
        json!({"account": ACCOUNT, "product": "Email Security", "price": "12.50", "currency": "GBP", "warnings": []})
    );
    assert_eq!(p.last_event()["before"], Value::Null);
    // Minor units, never floating point.
    assert_eq!(
        p.text("SELECT typeof(price_minor) || ' ' || price_minor FROM partner_prices"),
        "integer 1250"
    );
    // The same price, however it is written, is no change and no event.
    let events = p.events();
    p.ok(&set("12.50"));
    p.ok(&set("12.5"));
    let v = p.json(&[
        "license", "price", "set", "--product", "EMAIL SECURITY", "--price", "12.50", "--account",
        ACCOUNT,
    ]);
    assert_eq!(v["product"], "Email Security");
    assert_eq!(p.events(), events);
    // A new price is one audited change.
    p.change(None, &set("13"), "license.price_set");
    let e = p.last_event();
    assert_eq!(
        (e["before"]["price"].as_str(), e["after"]["price"].as_str()),
        (Some("12.50"), Some("13.00")),
        "{e}"
    );
    p.ok(&[
        "license", "price", "set", "--product", "Archive", "--price", "0.99", "--account", ACCOUNT,
    ]);
    let list = p.json(&["license", "price", "list", "--account", ACCOUNT]);
    assert_eq!(
        list,
        json!([
            {"account": ACCOUNT, "product": "Archive", "price": "0.99", "currency": "GBP"},
            {"account": ACCOUNT, "product": "Email Security", "price": "13.00", "currency": "GBP"},
        ])
    );
    let table = p.ok(&["license", "price", "list", "--account", ACCOUNT]);
    line_with(&table, &["PRODUCT", "PRICE", "CURRENCY"]);
    line_with(&table, &["Email Security", "13.00", "GBP"]);
    // `account show` has them in "Products and prices", beside the seats.
    p.ok(&[
        "license", "purchase", "--product", "Email Security", "--seats", "50", "--account", ACCOUNT,
    ]);
    let v = p.json(&["account", "show", ACCOUNT]);
    assert_eq!(
        v["prices"],
        json!([
            {"product": "Archive", "price": "0.99", "currency": "GBP"},
            {"product": "Email Security", "price": "13.00", "currency": "GBP"},
        ])
    );
    let text = p.ok(&["account", "show", ACCOUNT]);
    for expected in [
        "  Email Security   50 seats bought, 0 allocated, 50 available; price 13.00 GBP",
        "  Archive          price 0.99 GBP, no seats bought",
    ] {
        assert!(
            text.lines().any(|l| l == expected),
            "missing {expected:?} in:\n{text}"
        );
    }
    // A customer has no prices of its own, and does not see its partner's.
    assert_eq!(
        p.json(&["account", "show", "Client Co"])["prices"],
        json!([])
    );
    // An MSP user may see them, as they see the partner details.
    let v = p.json_as(Some(MSP_USER), &["license", "price", "list"]);
    assert_eq!(v.as_array().map(Vec::len), Some(2));
    p.refused_as(Some(BLOCKED), &["license", "price", "list"], DENIED);
    // Removing one is one audited change; a price that is not there is not found.
    let v = p.change(
        None,
        &[
            "license", "price", "remove", "--product", "archive", "--account", ACCOUNT,
        ],
        "license.price_remove",
    );
    assert_eq!(v["product"], "Archive");
    let e = p.last_event();
    assert_eq!(
        (e["before"]["price"].as_str(), &e["after"]),
        (Some("0.99"), &Value::Null),
        "{e}"
    );
    p.refused(
        &[
            "license", "price", "remove", "--product", "Archive", "--account", ACCOUNT,
        ],
        NOT_FOUND,
    );
}

#[test]
fn a_partners_own_members_cannot_set_its_contracted_prices() {
    // "Products and Prices: Displays your agreed contracted pricing": agreed
    // with the vendor, so not even an MSP administrator changes them.
    let p = msp();
    p.ok(&[
        "license", "price", "set", "--product", "Email Security", "--price", "12.50", "--account",
        ACCOUNT,
    ]);
    let writes: [&[&str]; 3] = [
        &[
            "license", "price", "set", "--product", "Email Security", "--price", "1.00",
        ],
        &[
            "license", "price", "set", "--product", "Archive", "--price", "1.00",
        ],
        &["license", "price", "remove", "--product", "Email Security"],
    ];
    for args in writes {
        for who in [MSP_ADMIN, MSP_USER, BLOCKED] {
            let err = p.refused_as(Some(who), args, DENIED);
            assert!(err.contains("agreed with the vendor"), "{err}");
        }
    }
}

#[test]
fn prices_are_refused_for_customers_and_when_malformed() {
    // "Products and Prices: Displays your agreed contracted pricing."
    let p = msp();
    let err = p.refused(
        &[
            "license", "price", "set", "--product", "Email Security", "--price", "1", "--account",
            "Client Co",
        ],
        USAGE,
    );
    assert!(
        err.contains("only partner accounts have contracted prices"),
        "{err}"
    );
    p.refused(
        &["license", "price", "list", "--account", "Client Co"],
        USAGE,
    );
    for bad in [
        "12.505", "-1", "1e3", "£5", "12,50", "", "twelve", "1000000000000",
    ] {
        p.refused(
            &[
                "license", "price", "set", "--product", "Email Security", "--price", bad,
                "--account", ACCOUNT,
            ],
            USAGE,
        );
    }
    p.refused(
        &[
            "license", "price", "set", "--product", " ", "--price", "1", "--account", ACCOUNT,
        ],
        USAGE,
    );
    p.refused(
        &[
            "license", "price", "set", "--product", "P", "--price", "1", "--account", "Nobody",
        ],
        NOT_FOUND,
    );
    assert_eq!(p.text("SELECT COUNT(*) FROM partner_prices"), "0");
}

#[test]
fn the_customer_rfi_is_prefilled_from_the_partner_config() {
    // "The information you provide here will pre-populate into all
    // customer RFIs."
    let p = msp();
    let rfi = ["account", "rfi", "--customer", "Client Co"];
    let v = p.json(&rfi);
    assert_eq!(
        v,
        json!({"customer": "Client Co", "partner": ACCOUNT, "inbound": [], "outbound": [],
               "smarthost": null, "billing_contact": null})
    );
    let text = p.ok(&rfi);
    line_with(&text, &["smarthost", "(not set)"]);
    line_with(&text, &["billing contact", "(not set)"]);
    p.ok(&["account", "ip", "add", ACCOUNT, "--inbound", "192.0.2.10"]);
    p.ok(&[
        "account", "ip", "add", ACCOUNT, "--outbound", "198.51.100.0/24",
    ]);
    p.ok(&["account", "smarthost", "set", ACCOUNT, "mail.acme.test:587"]);
    p.ok(&[
        "account", "set", ACCOUNT, "--billing-contact", "billing@acme.test",
    ]);
    // Read-only: no audit event, as an MSP administrator too.
    let events = p.events();
    let v = p.json_as(
        Some(MSP_ADMIN),
        &[
            "account", "rfi", "--customer", "Client Co", "--account", ACCOUNT,
        ],
    );
    assert_eq!(
        v,
        json!({"customer": "Client Co", "partner": ACCOUNT, "inbound": ["192.0.2.10"],
               "outbound": ["198.51.100.0/24"], "smarthost": "mail.acme.test:587",
               "billing_contact": "billing@acme.test"})
    );
    let text = p.ok(&rfi);
    line_with(&text, &["customer", "Client Co"]);
    line_with(&text, &["partner", ACCOUNT]);
    line_with(&text, &["inbound IPs", "192.0.2.10"]);
    line_with(&text, &["outbound IPs", "198.51.100.0/24"]);
    line_with(&text, &["smarthost", "mail.acme.test:587"]);
    line_with(&text, &["billing contact", "billing@acme.test"]);
    assert_eq!(p.events(), events);
}

#[test]
fn only_msp_administrators_prepare_a_customer_rfi() {
    // "Access to this functionality is only available to MSP Administrators."
    let p = msp();
    for who in [MSP_USER, BLOCKED] {
        p.refused_as(
            Some(who),
            &["account", "rfi", "--customer", "Client Co"],
            DENIED,
        );
    }
    let err = p.refused_as(
        Some(MSP_USER),
        &["account", "rfi", "--customer", "Client Co"],
        DENIED,
    );
    assert!(err.contains("account.config"), "{err}");
    // Refused for what they asked, a read: not as if they had tried to
    // change the configuration.
    says(
        error_line(&err),
        &format!("`{MSP_USER}` may not prepare a customer's RFI in `{ACCOUNT}`"),
    );
    // The other partner's administrator cannot reach Acme's customer.
    p.refused_as(
        Some(OTHER_ADMIN),
        &["account", "rfi", "--customer", "Client Co"],
        DENIED,
    );
    p.json_as(
        Some(OTHER_ADMIN),
        &["account", "rfi", "--customer", "Other Client"],
    );
}

#[test]
fn a_customer_of_another_partner_is_refused_without_being_revealed() {
    // "The information you provide here will pre-populate into all
    // customer RFIs": your customers', nobody else's.
    let p = msp();
    let refusal = |customer: &str| {
        let err = p.refused_as(
            Some(MSP_ADMIN),
            &[
                "account", "rfi", "--customer", customer, "--account", ACCOUNT,
            ],
            DENIED,
        );
        err.replace(customer, "{}")
    };
    assert_eq!(refusal("Other Client"), refusal("No Such Client"));
    assert!(!refusal("Other Client").contains("Other MSP"));
    // The operator sees every account, so is told why.
    let err = p.refused(
        &[
            "account", "rfi", "--customer", "Other Client", "--account", ACCOUNT,
        ],
        CONFLICT,
    );
    assert!(err.contains("not of `Acme Ltd`"), "{err}");
    // A partner is not a customer; a customer is not a partner.
    p.refused(&["account", "rfi", "--customer", "Other MSP"], USAGE);
    p.refused(
        &[
            "account", "rfi", "--customer", "Client Co", "--account", "Client Co",
        ],
        USAGE,
    );
    p.refused(
        &["account", "rfi", "--customer", "No Such Client"],
        NOT_FOUND,
    );
}
