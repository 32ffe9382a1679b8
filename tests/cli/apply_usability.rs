//! What someone new to `apply` meets first: an editor's `$schema`, and
//! a missing file.

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
