//! What someone new to `apply` meets first: a file in any account order,
//! refusals in the file's terms, an editor's `$schema`, and a missing
//! file.

use serde_json::Value;

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
