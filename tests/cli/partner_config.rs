//! Seed 002 (MSP portal): partner details and partner config. "Access to
//! this functionality is only available to MSP Administrators."

use serde_json::json;

use crate::support::{Portal, ACCOUNT, DENIED, NOT_FOUND, SUCCESS, USAGE};

const MSP_ADMIN: &str = "ada@acme.test";
const MSP_USER: &str = "uma@acme.test";
const BLOCKED: &str = "nob@acme.test";

/// `Acme Ltd` (msp) with one member per role and a customer.
fn msp() -> Portal {
    Portal::cached("partner_config: msp", build_msp)
}

fn build_msp() -> Portal {
    let p = Portal::with_preset("msp");
    p.member(MSP_ADMIN, "msp-administrator");
    p.member(MSP_USER, "msp-user");
    p.member(BLOCKED, "no-access");
    p.customer("Client Co");
    p
}

fn ip(p: &Portal, verb: &str, direction: &str, address: &str) -> serde_json::Value {
    p.json(&["account", "ip", verb, ACCOUNT, direction, address])
}

#[test]
fn ip_addresses_are_validated_normalised_and_de_duplicated() {
    let p = msp();
    let v = ip(&p, "add", "--inbound", "198.51.100.77/24");
    assert_eq!(v["inbound"], json!(["198.51.100.0/24"]));
    ip(&p, "add", "--inbound", "192.0.2.10/32");
    ip(&p, "add", "--inbound", "9.9.9.9");
    let v = ip(&p, "add", "--outbound", "2001:DB8:0:0::25");
    assert_eq!(v["outbound"], json!(["2001:db8::25"]));
    let v = ip(&p, "add", "--outbound", "2001:db8:abcd:12::1/48");
    assert_eq!(v["outbound"], json!(["2001:db8::25", "2001:db8:abcd::/48"]));
    // Address order, not text order.
    assert_eq!(
        v["inbound"],
        json!(["9.9.9.9", "192.0.2.10", "198.51.100.0/24"])
    );
    // The same address in another spelling is the one entry: nothing changes.
    let events = p.text("SELECT COUNT(*) FROM audit_events");
    ip(&p, "add", "--inbound", "198.51.100.200/24");
    ip(&p, "add", "--outbound", "2001:0db8::0025");
    assert_eq!(p.text("SELECT COUNT(*) FROM audit_events"), events);
    assert_eq!(p.text("SELECT COUNT(*) FROM partner_ips"), "5");
    // An address may be both inbound and outbound.
    ip(&p, "add", "--outbound", "192.0.2.10");
    let list = p.json(&["account", "ip", "list", ACCOUNT]);
    assert_eq!(list.as_array().unwrap().len(), 6);
    assert_eq!(
        list[0],
        json!({"account": ACCOUNT, "direction": "inbound", "address": "9.9.9.9"})
    );
    let table = p.ok(&["account", "ip", "list", ACCOUNT]);
    assert!(
        table.contains("DIRECTION") && table.contains("outbound   2001:db8::25"),
        "{table}"
    );
    // Removal matches the normal form too.
    let v = ip(&p, "remove", "--inbound", "198.51.100.1/24");
    assert_eq!(v["inbound"], json!(["9.9.9.9", "192.0.2.10"]));
    let audit = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(audit[0]["action"], "account.ip_remove");
    assert_eq!(audit[0]["target"], "inbound 198.51.100.0/24");
}

#[test]
fn malformed_ip_addresses_are_refused() {
    let p = msp();
    ip(&p, "add", "--inbound", "192.0.2.10");
    for bad in [
        "300.1.1.1", "192.0.2", "192.0.2.010", "192.0.2.10/33", "192.0.2.0/", "2001:db8::/129",
        "2001:db8:::1", "fe80::1%eth0", "mail.acme.test", "0.0.0.0/0", "127.0.0.1", "224.0.0.5",
    ] {
        let err = p.refused(&["account", "ip", "add", ACCOUNT, "--inbound", bad], USAGE);
        assert!(err.contains(bad), "the error names `{bad}`: {err}");
    }
    // Exactly one of --inbound and --outbound.
    p.refused(&["account", "ip", "add", ACCOUNT, "192.0.2.11"], USAGE);
    p.refused(
        &[
            "account", "ip", "add", ACCOUNT, "--inbound", "192.0.2.11", "--outbound", "192.0.2.12",
        ],
        USAGE,
    );
    // Not there: not found. A customer has no partner config.
    p.refused(
        &[
            "account", "ip", "remove", ACCOUNT, "--outbound", "192.0.2.10",
        ],
        NOT_FOUND,
    );
    p.refused(
        &["account", "ip", "add", "Nobody", "--inbound", "192.0.2.11"],
        NOT_FOUND,
    );
    let err = p.refused(
        &[
            "account", "ip", "add", "Client Co", "--inbound", "192.0.2.11",
        ],
        USAGE,
    );
    assert!(err.contains("partner config"), "{err}");
}

#[test]
fn the_smarthost_is_set_and_changed() {
    let p = msp();
    let v = p.json(&["account", "smarthost", "set", ACCOUNT, "Mail.Acme.Test"]);
    assert_eq!(v["smarthost"], "mail.acme.test");
    let v = p.json(&["account", "smarthost", "set", ACCOUNT, "mail.acme.test:587"]);
    assert_eq!(v["smarthost"], "mail.acme.test:587");
    let v = p.json(&[
        "account", "smarthost", "set", ACCOUNT, "[2001:DB8::25]:2525",
    ]);
    assert_eq!(v["smarthost"], "[2001:db8::25]:2525");
    let events = p.text("SELECT COUNT(*) FROM audit_events WHERE action = 'account.smarthost_set'");
    assert_eq!(events, "3");
    p.ok(&[
        "account", "smarthost", "set", ACCOUNT, "[2001:db8::25]:2525",
    ]);
    assert_eq!(
        p.text("SELECT COUNT(*) FROM audit_events WHERE action = 'account.smarthost_set'"),
        events
    );
    assert_eq!(p.text("SELECT smarthost_port FROM partner_config"), "2525");
}

#[test]
fn a_bad_smarthost_is_refused() {
    let p = msp();
    p.ok(&["account", "smarthost", "set", ACCOUNT, "mail.acme.test:25"]);
    for bad in [
        "mail.acme.test:0", "mail.acme.test:65536", "mail.acme.test:smtp", "mail.acme.test:",
        "mail_relay.acme.test", "[2001:db8::25", "192.0.2.300",
    ] {
        p.refused(&["account", "smarthost", "set", ACCOUNT, bad], USAGE);
    }
    let err = p.refused(
        &[
            "account", "smarthost", "set", ACCOUNT, "mail.acme.test:99999",
        ],
        USAGE,
    );
    assert!(err.contains("`99999` is not a port"), "{err}");
    p.refused(
        &["account", "smarthost", "set", "Client Co", "mail.acme.test"],
        USAGE,
    );
}

#[test]
fn the_partner_status_is_set_with_account_set() {
    let p = msp();
    let v = p.json(&["account", "set", ACCOUNT, "--status", "Technical"]);
    assert_eq!(v["partner_status"], "Technical");
    let v = p.json(&[
        "account", "set", ACCOUNT, "--status", "Sales", "--phone", "0123",
    ]);
    assert_eq!(
        (v["partner_status"].as_str(), v["phone"].as_str()),
        (Some("Sales"), Some("0123"))
    );
    let audit = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(audit[0]["before"]["partner_status"], "Technical");
    assert_eq!(audit[0]["after"]["partner_status"], "Sales");
    let v = p.json(&["account", "set", ACCOUNT, "--status", ""]);
    assert_eq!(v["partner_status"], serde_json::Value::Null);
    let err = p.refused(&["account", "set", "Client Co", "--status", "Sales"], USAGE);
    assert!(err.contains("only a partner account"), "{err}");
}

#[test]
fn account_show_prints_the_partner_details_sections() {
    // "Details, Status, Address, Products and Prices."
    let p = msp();
    p.ok(&[
        "account", "set", ACCOUNT, "--status", "Technical", "--phone", "+44 20 7946 0000",
    ]);
    p.ok(&[
        "account", "address", "add", ACCOUNT, "--label", "HQ", "--line1", "1 High Street",
        "--city", "London", "--postcode", "EC1A 1BB", "--country", "GB",
    ]);
    p.ok(&[
        "license", "purchase", "--product", "Email Security", "--seats", "50", "--account", ACCOUNT,
    ]);
    p.ok(&[
        "license", "allocate", "--product", "Email Security", "--customer", "Client Co", "--seats",
        "20",
    ]);
    p.ok(&["account", "ip", "add", ACCOUNT, "--inbound", "192.0.2.10"]);
    p.ok(&["account", "smarthost", "set", ACCOUNT, "mail.acme.test"]);
    let text = p.ok(&["account", "show", ACCOUNT]);
    let titles: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        titles,
        ["Details", "Status", "Address", "Products and prices", "Config"]
    );
    for expected in [
        "  phone            +44 20 7946 0000",
        "  partner status   Technical",
        "  HQ               1 High Street, London, EC1A 1BB, GB",
        "  Email Security   50 seats bought, 20 allocated, 30 available",
        "  inbound IPs      192.0.2.10",
        "  smarthost        mail.acme.test",
    ] {
        assert!(
            text.lines().any(|l| l == expected),
            "missing {expected:?} in:\n{text}"
        );
    }
    let v = p.json(&["account", "show", ACCOUNT]);
    assert_eq!(v["partner_status"], "Technical");
    assert_eq!(
        v["products"],
        json!([{"product": "Email Security", "seats": 50, "allocated": 20, "available": 30, "supplier": null}])
    );
    assert_eq!(
        v["config"],
        json!({"account": ACCOUNT, "inbound": ["192.0.2.10"], "outbound": [], "smarthost": "mail.acme.test"})
    );
    // A customer shows no partner status or config.
    let customer = p.ok(&["account", "show", "Client Co"]);
    assert!(
        !customer.contains("Status") && !customer.contains("Config"),
        "{customer}"
    );
    assert_eq!(
        p.json(&["account", "show", "Client Co"])["config"],
        serde_json::Value::Null
    );
}

#[test]
fn only_msp_administrators_configure_the_partner_account() {
    let p = msp();
    let changes: [&[&str]; 4] = [
        &["account", "ip", "add", ACCOUNT, "--inbound", "192.0.2.10"],
        &[
            "account", "ip", "add", ACCOUNT, "--outbound", "2001:db8::25",
        ],
        &["account", "smarthost", "set", ACCOUNT, "mail.acme.test"],
        &["account", "set", ACCOUNT, "--website", "https://acme.test"],
    ];
    for args in changes {
        p.refused_as(Some(MSP_USER), args, DENIED);
        p.refused_as(Some(BLOCKED), args, DENIED);
    }
    for args in changes {
        let run = p.run_as(Some(MSP_ADMIN), args);
        assert_eq!(run.code, SUCCESS, "{}: {}", args.join(" "), run.stderr);
    }
    // The partner status is the vendor's classification, which 002 only
    // displays: refused to the administrator too, as contracted prices
    // are, and set by the operator (findings C10).
    let status = ["account", "set", ACCOUNT, "--status", "Platinum Elite"];
    let before = p.dump();
    for who in [MSP_ADMIN, MSP_USER] {
        let err = p.refused_as(Some(who), &status, DENIED);
        assert!(
            err.starts_with("error: the partner status is the vendor's classification; a partner's members cannot set it"),
            "{err}"
        );
    }
    assert_eq!(p.dump(), before, "refusals change nothing");
    assert_eq!(p.json(&status)["partner_status"], "Platinum Elite");
    p.refused_as(
        Some(MSP_USER),
        &[
            "account", "ip", "remove", ACCOUNT, "--inbound", "192.0.2.10",
        ],
        DENIED,
    );
    // "Displaying your account details" is open to MSP users; not to
    // no-access. The config is not among those details: findings A12 / N4,
    // "Access to this functionality is only available to MSP
    // Administrators".
    let v = p.json_as(Some(MSP_USER), &["account", "show", ACCOUNT]);
    assert_eq!(v["name"], ACCOUNT, "{v}");
    assert_eq!(v["config"], serde_json::Value::Null, "{v}");
    let shown = p.run_as(Some(MSP_USER), &["account", "show", ACCOUNT]);
    assert!(
        shown.code == SUCCESS && !shown.stdout.contains("mail.acme.test"),
        "{}",
        shown.stdout
    );
    let err = p.refused_as(Some(MSP_USER), &["account", "ip", "list", ACCOUNT], DENIED);
    assert!(err.contains("account.config"), "{err}");
    let exported = p.json_as(Some(MSP_USER), &["export"]);
    assert!(
        !exported.to_string().contains("mail.acme.test"),
        "{exported}"
    );
    let v = p.json_as(Some(MSP_ADMIN), &["account", "show", ACCOUNT]);
    assert_eq!(v["config"]["smarthost"], "mail.acme.test");
    p.json_as(Some(MSP_ADMIN), &["account", "ip", "list", ACCOUNT]);
    p.refused_as(Some(BLOCKED), &["account", "show", ACCOUNT], DENIED);
    p.refused_as(Some(BLOCKED), &["account", "ip", "list", ACCOUNT], DENIED);
}

/// The msp demo: max, an MSP administrator of `Harbour MSP`, is also an
/// external admin of its customer `Client Co`, which has no partner
/// config: without `--account`, his partner is the one meant.
#[test]
fn an_msp_administrator_who_is_also_an_external_admin_configures_without_account() {
    let p = Portal::cached("partner_config: apply examples/demo-msp.json", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-msp.json"),
        ]);
        p
    });
    let max = Some("max@harbour.test");
    let v = p.json_as(max, &["account", "ip", "add", "--inbound", "203.0.113.10"]);
    assert_eq!(v["account"], "Harbour MSP", "{v}");
    let v = p.json_as(
        max,
        &["account", "smarthost", "set", "mail.harbour.test:25"],
    );
    assert_eq!(v["smarthost"], "mail.harbour.test:25", "{v}");
    let v = p.json_as(max, &["account", "ip", "list"]);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|ip| ip["address"] == "203.0.113.10"),
        "{v}"
    );
}

/// Without --account, a member of two partners who may configure, or buy
/// licences for, neither is refused as without the capability (exit 5),
/// not asked to pick an account (exit 2).
#[test]
fn a_member_who_may_act_in_no_partner_is_refused_without_account() {
    let p = msp();
    p.ok(&["account", "create", "Other", "--kind", "partner"]);
    p.member_in("uma@other.test", "msp-user", "Other");
    p.member_in("uma@other.test", "msp-user", ACCOUNT);
    for args in [
        &["account", "ip", "add", "--inbound", "203.0.113.7"][..],
        &["account", "ip", "remove", "--inbound", "203.0.113.7"],
        &["account", "smarthost", "set", "mail.other.test"],
        &["license", "purchase", "--product", "MDR", "--seats", "1"],
    ] {
        let err = p.refused_as(Some("uma@other.test"), args, DENIED);
        assert!(!err.contains("several accounts"), "{args:?}: {err}");
    }
}
