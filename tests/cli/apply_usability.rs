//! What someone new to `apply` meets first: its help, `--prune`'s
//! question, a file in any account order, refusals in the file's terms,
//! an editor's `$schema`, a missing file, and warnings under `--json`.

use serde_json::{json, Value};

use crate::support::*;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json");

/// A portal made by applying the demo fixture.
fn demo() -> Portal {
    Portal::cached("apply examples/demo.json", || {
        let p = Portal::empty();
        p.ok(&["apply", DEMO]);
        p
    })
}

/// Writes `doc` beside the portal's database; the file's path.
fn file(p: &Portal, name: &str, doc: &Value) -> String {
    let path = p.db.with_file_name(name);
    std::fs::write(&path, doc.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

/// The demo fixture without Ada and Ivan and its second policy: what
/// `--prune` then removes.
fn demo_with_fewer() -> Value {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(DEMO).unwrap()).unwrap();
    let acme = &mut doc["accounts"][0];
    let gone = ["ada@acme.test", "ivan@acme.test"];
    acme["users"]
        .as_array_mut()
        .unwrap()
        .retain(|u| !gone.contains(&u["email"].as_str().unwrap()));
    acme["policies"].as_array_mut().unwrap().truncate(1);
    doc
}

#[test]
fn apply_help_names_what_a_file_holds_and_what_prune_removes() {
    // Words as they read, whatever the terminal's wrapping.
    let help = Portal::empty().ok(&["apply", "--help"]);
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for held in [
        "roles", "users", "courses", "addresses", "services", "cost centres", "policies", "orders",
        "delegations", "external admins", "config", "licences", "prices", "people",
    ] {
        says(&help, held);
    }
    let prune = help.split("--prune").nth(1).unwrap();
    for removed in [
        "deactivate members",
        "disable policies",
        "end delegations and external admins' access",
        "remove addresses, IP addresses and prices",
        "--yes",
    ] {
        says(prune, removed);
    }
}

#[test]
fn prune_with_nothing_to_remove_asks_nothing() {
    let p = demo();
    let events = p.events();
    // No terminal and no --yes: nothing would be removed, so nothing to ask.
    let run = p.run(&["apply", "--prune", DEMO]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(&run.stdout, "removed    0");
    assert_eq!(p.events(), events);
}

#[test]
fn prune_that_would_remove_says_how_much_and_needs_yes_without_a_terminal() {
    let p = demo();
    let fewer = file(&p, "fewer.json", &demo_with_fewer());
    let before = p.dump();
    let err = p.refused(&["apply", "--prune", &fewer], USAGE);
    says(
        error_line(&err),
        "with --prune? it would deactivate 2 members and disable 1 policy that the file no longer lists: needs confirmation, pass --yes",
    );
    assert_eq!(before, p.dump());
    let done = p.json(&["apply", "--prune", "--yes", &fewer]);
    assert_eq!(done["removed"], 3, "{done}");
}

#[test]
fn a_customer_listed_before_its_partner_is_applied_after_it() {
    let p = Portal::empty();
    let user =
        |email: &str| serde_json::json!({"email": email, "role": "admin", "status": "active"});
    let doc = serde_json::json!({"preset": "portal", "accounts": [
        {"name": "Client Co", "kind": "customer", "parent": "Partner Ltd",
         "owner": "cleo@client.test", "users": [user("cleo@client.test")]},
        {"name": "Partner Ltd", "kind": "partner",
         "owner": "pat@partner.test", "users": [user("pat@partner.test")]},
    ]});
    let path = file(&p, "customer-first.json", &doc);
    // Onto a new database, and onto one that has neither account yet.
    let made = p.json(&["apply", &path]);
    assert_eq!(made["created"], 5, "{made}");
    let again = p.json(&["apply", &path]);
    assert_eq!(
        (&again["created"], &again["updated"]),
        (&0.into(), &0.into())
    );
    let client = p.json(&["account", "show", "Client Co"]);
    assert_eq!(client["parent"], "Partner Ltd", "{client}");
    // Export still writes parents first.
    let exported: Value = serde_json::from_str(&p.ok(&["export"])).unwrap();
    let names: Vec<&str> = exported["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Partner Ltd", "Client Co"]);
    let q = demo();
    let run = q.run(&["apply", &path]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
}

#[test]
fn a_refusal_inside_an_apply_names_no_flag_apply_lacks() {
    let p = demo();
    let elsewhere = serde_json::json!({"accounts": [{"name": "Nowhere"}]});
    let path = file(&p, "elsewhere.json", &elsewhere);
    let err = p.refused_as(Some("una@acme.test"), &["apply", &path], DENIED);
    says(
        &err,
        "error: accounts[0]: `una@acme.test` is not a member of `Nowhere`",
    );
    says(&err, "help: check `accounts[0].name`");
    assert!(!err.contains("--account"), "{err}");
    // A new user with no role, where the catalog gives none by default.
    let roleless = serde_json::json!({"accounts": [{"name": ACCOUNT,
        "users": [{"email": "new@acme.test"}]}]});
    let path = file(&p, "roleless.json", &roleless);
    let err = p.refused(&["apply", &path], USAGE);
    says(
        &err,
        "error: accounts[0].users[0].role: the `portal` catalog gives no role by default",
    );
    says(&err, "help: give the user a `role`; roles are: admin");
    assert!(!err.contains("--role"), "{err}");
}

#[test]
fn a_file_may_name_its_schema_and_export_never_writes_one() {
    let p = demo();
    let mut doc: Value = serde_json::from_str(&p.ok(&["export"])).unwrap();
    doc["$schema"] = "./fixture.schema.json".into();
    let path = file(&p, "with-schema.json", &doc);
    let done = p.json(&["apply", &path]);
    assert_eq!((&done["created"], &done["updated"]), (&0.into(), &0.into()));
    assert!(!p.ok(&["export"]).contains("$schema"));
    let schema = p.json(&["schema"]);
    assert_eq!(
        schema["properties"]["$schema"]["type"][0], "string",
        "{schema}"
    );
    assert_eq!(schema["additionalProperties"], false);
    // Any other unknown key is still refused.
    doc["$schemas"] = "typo".into();
    let path = file(&p, "typo.json", &doc);
    let err = p.refused(&["apply", &path], USAGE);
    says(&err, "unknown field `$schemas`");
}

#[test]
fn a_missing_file_is_not_found_and_a_directory_cannot_be_read() {
    let p = demo();
    let missing = p.db.with_file_name("missing.json");
    let missing = missing.to_str().unwrap();
    let err = p.refused(&["apply", missing], NOT_FOUND);
    assert_eq!(err.trim_end(), format!("error: no file `{missing}`"));
    let folder = p.db.parent().unwrap().to_str().unwrap().to_string();
    let err = p.refused(&["apply", &folder], 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    says(&err, &format!("error: cannot read `{folder}`"));
}

#[test]
fn apply_json_carries_its_warnings() {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    p.ok(&["user", "deactivate", "fiona@acme.test", "--yes"]);
    let exported = p.ok(&["export"]);
    let copy = Portal::empty();
    let path = copy.db.with_file_name("short.json");
    std::fs::write(&path, &exported).unwrap();
    let run = copy.run(&["apply", path.to_str().unwrap(), "--json"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let done: Value = serde_json::from_str(&run.stdout).unwrap();
    let warnings = strings(&done["warnings"]);
    // The copy's restored invitation, mailed to nobody, the short
    // policy's two, and its order that cannot get its approvals.
    assert_eq!(warnings.len(), 4, "{done}");
    says(&warnings[0], "1 invitation restored as made before");
    says(
        &warnings[2],
        "policy `Hardware over 500` in `Acme Ltd` now has 1 approver for 2 required approvals",
    );
    // Its order 3 cannot get them: said as `order place` says it.
    says(
        &warnings[3],
        "order 3 in `Acme Ltd` cannot get enough approvals",
    );
    // On stderr too, as every command prints them; and none, no field.
    says(&run.stderr, "warning: policy `Hardware over 500`");
    let again = copy.json(&["apply", path.to_str().unwrap()]);
    assert!(again.get("warnings").is_none(), "{again}");
}

#[test]
fn a_member_puts_an_end_to_their_own_admin_access_in_a_file() {
    // Ada administers the customer area by her `account-admin` grant,
    // held for good; a file she applies gives it an end. It was refused
    // as though she held no `users.manage` ("no grant gives it").
    let p = Portal::with_preset("customer-area");
    p.member("ada@acme.test", "member");
    p.ok(&["user", "grant", "ada@acme.test", "account-admin"]);
    let ada = serde_json::json!({"email": "ada@acme.test", "grants": ["account-admin"],
        "grants_until": {"account-admin": "2026-12-31T00:00:00Z"}});
    let doc = serde_json::json!({"accounts": [{"name": ACCOUNT, "users": [ada]}]});
    let path = file(&p, "ada-until.json", &doc);
    let done = p.json_as(Some("ada@acme.test"), &["apply", &path]);
    assert_eq!(done["updated"], 1, "{done}");
    let shown = p.json(&["user", "show", "ada@acme.test"]);
    assert_eq!(
        shown["grants_until"],
        serde_json::json!({"account-admin": "2026-12-31T00:00:00Z"}),
        "{shown}"
    );
    let again = p.json_as(Some("ada@acme.test"), &["apply", &path]);
    assert_eq!(again["updated"], 0, "{again}");
    // An admin by role alike, with the role she holds after it.
    let p = Portal::new();
    p.member("fay@acme.test", "admin");
    let fay = serde_json::json!({"email": "fay@acme.test", "role": "admin",
        "role_until": "2026-12-31T00:00:00Z", "role_after": "manager"});
    let doc = serde_json::json!({"accounts": [{"name": ACCOUNT, "users": [fay]}]});
    let path = file(&p, "fay-until.json", &doc);
    let done = p.json_as(Some("fay@acme.test"), &["apply", &path]);
    assert_eq!(done["updated"], 1, "{done}");
    let shown = p.json(&["user", "show", "fay@acme.test"]);
    assert_eq!(
        (&shown["role"], &shown["role_after"]),
        (&"admin".into(), &"manager".into()),
        "{shown}"
    );
}

#[test]
fn an_orders_refusal_names_the_field_at_fault() {
    // Each refused by `order place` or the restore behind the apply,
    // which named only the order's entry.
    let p = demo();
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(DEMO).unwrap()).unwrap();
    doc["accounts"][0]["orders"][1]["amount"] = "0.00".into();
    let path = file(&p, "zero.json", &doc);
    let err = p.refused(&["apply", &path], USAGE);
    assert_eq!(
        err.trim_end(),
        "error: accounts[0].orders[1].amount: an order's amount must be more than 0"
    );
    let decided = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/decided-orders.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(decided).unwrap()).unwrap();
    doc["accounts"][0]["orders"][0]["decisions"][0]["by"] = "nobody@northwind.test".into();
    let q = Portal::empty();
    let path = file(&q, "unknown-decider.json", &doc);
    let err = q.refused(&["apply", &path], NOT_FOUND);
    assert_eq!(
        err.trim_end(),
        "error: accounts[0].orders[0].decisions[0].by: `nobody@northwind.test` is not a member of `Northwind`"
    );
    // A refused apply made no database.
    assert!(!q.db.exists());
}

#[test]
fn a_decision_before_the_order_was_placed_is_refused_at_the_decision() {
    // The file's `placed_at` is right; the decision's moment is the one
    // at fault, and the first listed that comes too early is named.
    let decided = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/decided-orders.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(decided).unwrap()).unwrap();
    doc["accounts"][0]["orders"][0]["decisions"][1]["at"] = "2026-11-19T15:00:00Z".into();
    let p = Portal::empty();
    let path = file(&p, "decided-early.json", &doc);
    let err = p.refused(&["apply", &path], USAGE);
    assert_eq!(
        err.trim_end(),
        "error: accounts[0].orders[0].decisions[1].at: a decision at 2026-11-19T15:00:00Z comes before the order's `placed_at`, 2026-11-19T16:00:00Z"
    );
    assert!(!p.db.exists());
}

#[test]
fn an_owner_listed_as_invited_is_refused_at_their_status() {
    // `init` makes the owner active with the account: a file listing them
    // invited was answered with a resend-invite refusal about an account
    // the apply then never made.
    let doc = serde_json::json!({"preset": "portal", "accounts": [{
        "name": "OI", "kind": "partner", "owner": "o@oi.test",
        "users": [
            {"email": "o@oi.test", "name": "O", "role": "admin", "status": "invited"},
            {"email": "a@oi.test", "name": "A", "role": "admin"},
        ],
    }]});
    let p = Portal::empty();
    let path = file(&p, "owner-invited.json", &doc);
    let err = p.refused(&["apply", &path], CONFLICT);
    assert_eq!(
        err,
        "error: accounts[0].users[0].status: `o@oi.test` owns `OI`, and the owner of an account is active, never invited\n\
         help: leave `status` out for the owner\n"
    );
    assert!(!p.db.exists());
    // Nor on a later apply, once the account and its owner are there; or
    // as revoked. Without `status`, the file applies.
    let mut owned = doc.clone();
    owned["accounts"][0]["users"][0]
        .as_object_mut()
        .unwrap()
        .remove("status");
    let owned = file(&p, "owner-active.json", &owned);
    p.ok(&["apply", &owned]);
    let err = p.refused(&["apply", &path], CONFLICT);
    says(&err, "accounts[0].users[0].status: `o@oi.test` owns `OI`");
    let mut revoked = doc;
    revoked["accounts"][0]["users"][0]["status"] = "revoked".into();
    let revoked = file(&p, "owner-revoked.json", &revoked);
    let err = p.refused(&["apply", &revoked], CONFLICT);
    says(&err, "the owner of an account is active, never revoked");
}

#[test]
fn a_refusals_help_inside_an_apply_says_what_to_write_in_the_file() {
    // Each command's own help names a flag apply does not take (`--kind`,
    // `--to`, `--account`), and was dropped: it now names the file's field.
    let p = demo();
    let demo_doc =
        || -> Value { serde_json::from_str(&std::fs::read_to_string(DEMO).unwrap()).unwrap() };
    let mut partner_with_parent = demo_doc();
    partner_with_parent["accounts"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "Globex", "kind": "partner", "parent": ACCOUNT}));
    let mut to_themselves = demo_doc();
    to_themselves["accounts"][0]["delegations"][0]["to"] = "fiona@acme.test".into();
    let mut customer_prices = demo_doc();
    customer_prices["accounts"][1]["prices"] =
        serde_json::json!([{"product": "MDR Core", "price": "5.00"}]);
    let cases = [
        (
            partner_with_parent,
            USAGE,
            "error: accounts[3].kind: only a customer account can have a parent",
            "help: list it with `\"kind\": \"customer\"`, or leave `parent` out",
        ),
        (
            to_themselves,
            CONFLICT,
            "error: accounts[0].delegations[0].to: `fiona@acme.test` cannot delegate to themselves",
            "help: list another member of the account as `to`",
        ),
        (
            customer_prices,
            USAGE,
            "error: accounts[1].prices[0]: `Contoso` is a customer; only partner accounts have contracted prices",
            "help: list the price under the partner's entry",
        ),
    ];
    for (i, (doc, code, error, help)) in cases.into_iter().enumerate() {
        let path = file(&p, &format!("help-{i}.json"), &doc);
        let err = p.refused(&["apply", &path], code);
        assert_eq!(err.trim_end(), format!("{error}\n{help}"));
    }
}

/// An owner listed without a role takes the owner role in every account
/// of the file, the second as the first.
#[test]
fn every_owner_listed_without_a_role_holds_the_owner_role() {
    let p = Portal::empty();
    let doc = serde_json::json!({"preset": "portal", "accounts": [
        {"name": "A", "owner": "o@a.test", "users": [{"email": "o@a.test", "name": "Oa"}]},
        {"name": "B", "owner": "o@b.test", "users": [{"email": "o@b.test", "name": "Ob"}]}
    ]});
    let path = file(&p, "two-owners.json", &doc);
    p.ok(&["apply", &path]);
    let ob = p.json(&["user", "show", "o@b.test", "--account", "B"]);
    assert_eq!(ob["role"], "admin", "{ob}");
    let again = p.json(&["apply", &path]);
    assert_eq!(
        (&again["created"], &again["updated"]),
        (&serde_json::json!(0), &serde_json::json!(0)),
        "{again}"
    );
}

/// A timezone taken for an ambiguous city is said, as `user invite` says
/// it: a `warning:` line naming the entry, and in the JSON's `warnings`.
#[test]
fn apply_warns_of_a_timezone_taken_for_an_ambiguous_city() {
    let p = Portal::empty();
    let doc = serde_json::json!({"preset": "moodle", "accounts": [{"name": "MP", "owner": "p@mp.test", "users": [
        {"email": "p@mp.test", "name": "P", "city": "Munich", "country": "DE"},
        {"email": "s@mp.test", "name": "S", "role": "staff", "city": "Dallas", "country": "US"}
    ]}]});
    let path = file(&p, "dallas.json", &doc);
    let run = p.run(&["apply", &path, "--json"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(
        &run.stderr,
        "warning: accounts[0].users[1]: there are several places called `Dallas` in US",
    );
    let done: Value = serde_json::from_str(&run.stdout).unwrap();
    let warnings = strings(&done["warnings"]);
    assert_eq!(warnings.len(), 1, "{done}");
    says(&warnings[0], "America/Chicago");
}

/// Re-applying a file that lists as invited a member who has since
/// joined: refused at their `status`, with what to write instead.
#[test]
fn a_member_listed_invited_who_has_joined_is_told_what_to_write() {
    let p = Portal::empty();
    let doc = serde_json::json!({"preset": "portal", "accounts": [{"name": "CI", "owner": "o@ci.test", "users": [
        {"email": "o@ci.test", "name": "O", "role": "admin"},
        {"email": "new@ci.test", "name": "New", "role": "user", "status": "invited"}
    ]}]});
    let path = file(&p, "seed.json", &doc);
    p.ok(&["apply", "--no-send", &path]);
    let resent = p.json(&["user", "resend-invite", "new@ci.test", "--no-send"]);
    p.ok(&["user", "accept", resent["token"].as_str().unwrap()]);
    let err = p.refused(&["apply", &path], CONFLICT);
    assert_eq!(
        err,
        "error: accounts[0].users[1].status: `new@ci.test` is listed as invited, but has joined `CI`: a member who joined is not invited again\n\
         help: write `\"status\": \"active\"` for them, as they are now\n"
    );
}

/// A member's file that leaves them out, applied with `--prune`, would
/// deactivate them first, and the rest was then refused as coming from
/// someone who holds nothing, sending the admin to the wrong fix. It is
/// refused for what it is, at the file's users, and changes nothing.
#[test]
fn a_prune_that_would_deactivate_the_member_applying_it_says_so() {
    let p = demo();
    let path = p.db.with_file_name("policies-only.json");
    std::fs::write(
        &path,
        r#"{"preset":"portal","accounts":[{"name":"Acme Ltd","kind":"partner","policies":[]}]}"#,
    )
    .unwrap();
    let before = p.ok(&["export"]);
    let err = p.refused_as(
        Some("fiona@acme.test"),
        &["--yes", "apply", path.to_str().unwrap(), "--prune"],
        CONFLICT,
    );
    says(
        &err,
        "error: accounts[0].users: `fiona@acme.test` applies this file and is not among its users, so --prune would deactivate them",
    );
    says(&err, "help: list `fiona@acme.test` among the users");
    assert_eq!(p.ok(&["export"]), before);
}

/// An order the file describes otherwise is refused with help that works
/// for where the order stands: a decided one is never offered `order
/// cancel` (which refuses it), a pending one is; the `order show` it names
/// runs.
#[test]
fn a_changed_order_s_help_suggests_only_what_works_for_its_status() {
    let p = demo();
    let orders = p.json(&["order", "list"]);
    let status_of = |reference: &str| {
        orders
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["ref"] == reference)
            .unwrap_or_else(|| panic!("no {reference} in {orders}"))["status"]
            .clone()
    };
    assert_eq!(status_of("PO-1001"), "pending");
    assert_eq!(status_of("PO-1002"), "approved");
    for (index, pending) in [(0, true), (1, false)] {
        let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(DEMO).unwrap()).unwrap();
        doc["accounts"][0]["orders"][index]["amount"] = "61.00".into();
        let stderr = p.refused(&["apply", &file(&p, "changed.json", &doc)], CONFLICT);
        says(
            &stderr,
            &format!("error: accounts[0].orders[{index}].amount: order `"),
        );
        says(&stderr, "` was placed for `");
        let help = stderr.lines().find(|l| l.starts_with("help:")).unwrap();
        assert_eq!(help.contains("order cancel"), pending, "{help}");
        // Each pasted as it is: the order's number in its account.
        let pasted = |command: &str| -> Vec<String> {
            let line = help
                .split('`')
                .find(|c| c.starts_with(&format!("portalctl order {command} ")))
                .unwrap_or_else(|| panic!("no order {command} in {help}"));
            assert!(line.ends_with(" --account 'Acme Ltd'"), "{line}");
            shell_words(line).into_iter().skip(1).collect()
        };
        let show = pasted("show");
        p.ok(&show.iter().map(String::as_str).collect::<Vec<_>>());
        if pending {
            let cancel = pasted("cancel");
            p.ok(&cancel.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }
}

/// A file that names another owner and leaves the former one out moves
/// the ownership and deactivates the former owner in one `apply --prune`:
/// the dry run (and its question) lists both, the apply records both with
/// its own event, and a second apply has nothing left to do.
#[test]
fn prune_with_a_new_owner_deactivates_the_former_one_in_the_same_apply() {
    let p = demo();
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(DEMO).unwrap()).unwrap();
    let acme = &mut doc["accounts"][0];
    acme["owner"] = "fiona@acme.test".into();
    acme["users"]
        .as_array_mut()
        .unwrap()
        .retain(|u| u["email"] != "olive@acme.test");
    let path = file(&p, "new-owner.json", &doc);
    let before = p.dump();
    let plan = p.json(&["apply", "--dry-run", "--prune", &path]);
    let line = |object: &str| {
        plan["plan"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["object"] == object)
            .map(|l| (l["action"].clone(), l["changes"].clone()))
    };
    assert_eq!(
        line("account Acme Ltd"),
        Some(("update".into(), serde_json::json!(["owner"]))),
        "{plan}"
    );
    assert_eq!(
        line("user olive@acme.test in Acme Ltd"),
        Some(("remove".into(), serde_json::json!(["status"]))),
        "{plan}"
    );
    let text = p.ok(&["apply", "--dry-run", "--prune", &path]);
    assert!(
        text.lines()
            .any(|l| l.contains("user olive@acme.test in Acme Ltd") && l.contains("remove")),
        "{text}"
    );
    let err = p.refused(&["apply", "--prune", &path], USAGE);
    says(error_line(&err), "it would deactivate 1 member");
    assert_eq!(p.dump(), before, "a dry run and a refusal change nothing");
    let events = p.events();
    let done = p.json(&["apply", "--prune", "--yes", &path]);
    assert_eq!(done["removed"], 1, "{done}");
    let olive = p.json(&["user", "show", "olive@acme.test", "--account", "Acme Ltd"]);
    assert_eq!(
        (&olive["status"], &olive["owner"]),
        (&"deactivated".into(), &false.into()),
        "{olive}"
    );
    let fiona = p.json(&["user", "show", "fiona@acme.test", "--account", "Acme Ltd"]);
    assert_eq!(fiona["owner"], true, "{fiona}");
    let actions = p.text(&format!(
        "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit_events WHERE seq > {events} ORDER BY seq)"
    ));
    says(&actions, "user.transfer_ownership");
    says(&actions, "user.deactivate");
    assert!(actions.ends_with("apply"), "{actions}");
    let again = p.json(&["apply", "--prune", "--yes", &path]);
    assert_eq!(
        (&again["created"], &again["updated"], &again["removed"]),
        (&0.into(), &0.into(), &0.into()),
        "{again}"
    );
}

/// A file whose accounts name each other as parent is refused at the
/// first, as a customer named as a parent (exit 2), and makes no file.
#[test]
fn accounts_naming_each_other_as_parent_are_refused_as_such() {
    let p = Portal::empty();
    let file = p.db.with_file_name("cycle.json");
    std::fs::write(
        &file,
        r#"{"preset": "portal", "accounts": [
            {"name": "B", "kind": "customer", "parent": "A", "owner": "o@a.test"},
            {"name": "A", "kind": "customer", "parent": "B", "owner": "o@a.test"}]}"#,
    )
    .unwrap();
    let err = p.refused(&["apply", file.to_str().unwrap()], USAGE);
    assert_eq!(
        error_line(&err),
        "error: accounts[0].parent: `A` is a customer (accounts[1]), whose parents lead back here; a parent must be a partner account"
    );
    assert!(!p.db.exists(), "no database is made for a refused file");
}

/// A file that merges an address into someone and names that address as
/// owner applies, and applies again changing nothing: the merged address
/// is the owner it was merged into.
#[test]
fn an_owner_named_by_an_address_the_file_merges_away_applies_twice() {
    let p = Portal::empty();
    let file = p.db.with_file_name("merged-owner.json");
    std::fs::write(
        &file,
        r#"{"preset": "portal",
            "people": [{"email": "a@a.test", "merged_into": "b@a.test"}],
            "accounts": [{"name": "A", "kind": "customer", "owner": "a@a.test",
                          "users": [{"email": "b@a.test", "role": "admin"}]}]}"#,
    )
    .unwrap();
    p.ok(&["apply", file.to_str().unwrap()]);
    let again = p.json(&["apply", file.to_str().unwrap()]);
    assert_eq!(
        (&again["created"], &again["updated"]),
        (&0.into(), &0.into()),
        "{again}"
    );
    assert_eq!(p.json(&["account", "show", "A"])["owner"], "b@a.test");
}

/// A refused billing contact is named at its own field, as a refused
/// phone is (findings F9): an address that is not one, and a member who
/// may set the details but not the billing contact.
#[test]
fn a_refused_billing_contact_is_named_at_its_field() {
    let p = demo();
    let before = p.dump();
    let doc = serde_json::json!({"accounts": [{"name": "Fabrikam",
        "profile": {"phone": "1", "billing_contact": "olıve@acme.test"}}]});
    let err = p.refused(
        &["apply", &file(&p, "contact.json", &doc), "--dry-run"],
        USAGE,
    );
    says(
        error_line(&err),
        "error: accounts[0].profile.billing_contact: `olıve@acme.test` is not a valid email address",
    );
    // Max (manager) may not set Acme's billing contact.
    let doc = serde_json::json!({"accounts": [{"name": "Acme Ltd",
        "profile": {"billing_contact": "olive@acme.test"}}]});
    let run = p.run_as(
        Some("max@acme.test"),
        &["apply", &file(&p, "set.json", &doc)],
    );
    assert_eq!(run.code, DENIED, "{}", run.stderr);
    says(
        error_line(&run.stderr),
        "error: accounts[0].profile.billing_contact: ",
    );
    assert_eq!(p.dump(), before, "refusals change nothing");
}

/// The lmp example applied, and its export.
fn lmp() -> (Portal, Value) {
    let p = Portal::cached("apply examples/demo-lmp.json", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-lmp.json"),
        ]);
        p
    });
    let export = serde_json::from_str(&p.ok(&["export"])).unwrap();
    (p, export)
}

/// Finding N7: a licence's seats as a negative, a fraction or too large a
/// number are refused in the file's words and at its path (exit 2), as
/// an allocation's are; the schema gives counts their minimum.
#[test]
fn seats_in_a_file_are_refused_as_counts() {
    let (p, export) = lmp();
    let cases = [
        (json!(-1), "accounts[0].licenses[0].seats: cannot be negative (got -1)"),
        (json!(1.5), "accounts[0].licenses[0].seats: a whole number is expected, not 1.5"),
        (
            json!(99_999_999_999_i64),
            "accounts[0].licenses[0].seats: 99999999999 seats would buy 99999999989 more, and one command buys at most 1000000",
        ),
    ];
    for (seats, said) in cases {
        let mut doc = export.clone();
        doc["accounts"][0]["licenses"][0]["seats"] = seats;
        let stderr = p.refused(&["apply", &file(&p, "l.json", &doc), "--dry-run"], USAGE);
        says(error_line(&stderr), said);
    }
    let schema: Value = serde_json::from_str(&p.ok(&["schema"])).unwrap();
    assert!(schema.to_string().matches(r#""minimum":0"#).count() >= 3);
}

/// Finding N12: on a portal that derives timezones, an apply whose city
/// gives none asks for the entry's `timezone`, at its path, never for
/// `--timezone`, which apply does not take.
#[test]
fn a_timezone_apply_cannot_derive_is_asked_of_the_file() {
    let p = Portal::cached("apply examples/demo-moodle.json", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-moodle.json"),
        ]);
        p
    });
    let doc = json!({"accounts": [{"name": "Moodle Partner GmbH", "users": [
        {"email": "q@partner.test", "role": "staff", "name": "Q", "city": "Atlantis", "country": "DE"}
    ]}]});
    let stderr = p.refused(&["apply", &file(&p, "mo2.json", &doc), "--dry-run"], USAGE);
    says(
        error_line(&stderr),
        "accounts[0].users[0].timezone: cannot derive a timezone from `Atlantis, DE`",
    );
    says(error_line(&stderr), "; write the entry's `\"timezone\"`");
    assert!(!stderr.contains("--timezone"), "{stderr}");
    let doc = json!({"accounts": [{"name": "Moodle Partner GmbH", "users": [
        {"email": "q@partner.test", "role": "staff", "name": "Q"}
    ]}]});
    let stderr = p.refused(&["apply", &file(&p, "mo3.json", &doc), "--dry-run"], USAGE);
    assert!(!stderr.contains("--"), "{stderr}");
}
