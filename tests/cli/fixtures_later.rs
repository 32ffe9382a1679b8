//! Fixtures kept in git and applied for months: a file's time-bound
//! access, once its moment has passed, applies as the database where it
//! lapsed reads it, to that database and to a new one alike; course
//! progress, paused or completed, comes back through `export | apply`.

use crate::support::*;
use serde_json::Value;

const MOODLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-moodle.json");

/// The customer area with a grant, a role and a service assignment that
/// lapse on 1, 24 and 31 December 2026.
const BOUND: &str = r#"{"preset": "customer-area",
 "accounts": [{"name": "Fjord Web AS", "owner": "owen@fjord.test",
   "users": [
     {"email": "owen@fjord.test", "name": "Owen Owner", "role": "owner"},
     {"email": "ada@fjord.test", "name": "Ada", "grants": ["account-admin"]},
     {"email": "bill@fjord.test", "grants": ["billing", "support"],
      "grants_until": {"billing": "2026-12-01T00:00:00Z"}},
     {"email": "nina@fjord.test", "role": "no-access",
      "role_until": "2026-12-24T00:00:00Z", "role_after": "member"}],
   "services": [{"name": "Web hosting", "assigned_to": "bill@fjord.test",
                 "assigned_until": "2026-12-31T00:00:00Z"}]}]}"#;

/// Writes `text` to a file in `dir`, and returns its path.
fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// A new portal whose clock reads `now`.
fn empty_at(now: &str) -> Portal {
    let mut p = Portal::empty();
    p.now = now.to_string();
    p
}

#[test]
fn a_file_with_time_bound_access_applies_once_its_time_has_passed() {
    let dir = scratch_dir();
    let mut p = empty_at("2026-11-27T01:00:00Z");
    p.ok(&["apply", &file(&dir, "ca1.json", BOUND)]);
    let x = file(&dir, "x.json", &p.ok(&["export"]));
    for now in [
        "2026-12-05T00:00:00Z", "2026-12-24T00:00:00Z", "2027-03-01T00:00:00Z",
    ] {
        // The database where it lapsed: nothing to do.
        p.now = now.to_string();
        let same = p.json(&["apply", &x]);
        assert_eq!(
            (&same["created"], &same["updated"], &same["removed"]),
            (&0.into(), &0.into(), &0.into()),
            "{now}: {same}"
        );
        // A new one: made as the first reads now, and the file applies
        // to it again as a no-op.
        let fresh = empty_at(now);
        fresh.ok(&["apply", &x]);
        assert_eq!(fresh.ok(&["export"]), p.ok(&["export"]), "{now}");
        let again = fresh.json(&["apply", &x]);
        assert_eq!(
            (&again["created"], &again["updated"]),
            (&0.into(), &0.into()),
            "{now}: {again}"
        );
    }
    let bill = p.json(&["user", "show", "bill@fjord.test"]);
    assert_eq!(strings(&bill["grants"]), vec!["support"]);
    let nina = p.json(&["user", "show", "nina@fjord.test"]);
    assert_eq!(nina["role"], "member");
}

#[test]
fn a_file_refuses_a_time_in_its_own_words() {
    let dir = scratch_dir();
    let p = empty_at("2026-11-27T01:00:00Z");
    let bad = BOUND.replace(r#""billing": "2026-12-01T00:00:00Z""#, r#""billing": "7d""#);
    let err = p.refused(&["apply", &file(&dir, "bad.json", &bad)], USAGE);
    says(
        &err,
        "accounts[0].users[2].grants_until.billing: `7d` is not an RFC 3339 time",
    );
    assert!(!err.contains("--until"), "{err}");
}

#[test]
fn progress_on_a_course_a_time_bound_role_paused_survives_export_and_apply() {
    let dir = scratch_dir();
    let mut m1 = Portal::empty();
    m1.ok(&["apply", MOODLE]);
    m1.ok(&[
        "course", "progress", "mia@partner.test", "Clients and Invoices", "--completed",
    ]);
    m1.ok(&[
        "user", "set-role", "mia@partner.test", "staff", "--until", "2026-12-10T00:00:00Z",
    ]);
    let exported = file(&dir, "m.json", &m1.ok(&["export"]));
    let mut m2 = Portal::empty();
    m2.ok(&["apply", &exported]);
    assert_eq!(m2.ok(&["export"]), m1.ok(&["export"]));
    // Once the role lapses, the course and its progress are back in both,
    // and in a database the export makes only then.
    let later = "2026-12-11T10:00:00Z";
    m1.now = later.to_string();
    m2.now = later.to_string();
    let m3 = empty_at(later);
    m3.ok(&["apply", &exported]);
    for p in [&m2, &m3] {
        assert_eq!(p.ok(&["export"]), m1.ok(&["export"]));
        let courses = p.json(&["user", "courses", "mia@partner.test"]);
        let clients = courses
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["course"] == "Clients and Invoices")
            .expect("enrolled again");
        assert_eq!(clients["progress"], 100);
        assert_eq!(clients["completed_at"], "2026-11-25T10:00:00Z");
    }
}

#[test]
fn only_the_operators_apply_restores_an_earlier_completion() {
    let dir = scratch_dir();
    let mut p = Portal::empty();
    p.ok(&["apply", MOODLE]);
    p.now = "2026-11-26T10:00:00Z".to_string();
    let mut doc: serde_json::Value = serde_json::from_str(&p.ok(&["export"])).unwrap();
    let account = doc["accounts"][0]["name"].clone();
    let users = doc["accounts"][0]["users"].as_array_mut().unwrap();
    let fin = users
        .iter_mut()
        .find(|u| u["email"] == "fin@partner.test")
        .unwrap();
    fin["courses"][1] = serde_json::json!({
        "course": "Clients and Invoices", "percent": 100,
        "completed_at": "2026-11-25T12:00:00Z"
    });
    // Her own entry, as a member who sees only herself lists it.
    let hers = serde_json::json!({"accounts": [{
        "name": account,
        "users": [fin.clone()]
    }]});
    let path = file(&dir, "hers.json", &hers.to_string());
    let err = p.refused_as(Some("fin@partner.test"), &["apply", &path], DENIED);
    says(&err, "accounts[0].users[0].courses[1].completed_at: ");
    let path = file(&dir, "done.json", &doc.to_string());
    p.ok(&["apply", &path]);
    let courses = p.json(&["user", "courses", "fin@partner.test"]);
    let clients = courses
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["course"] == "Clients and Invoices")
        .unwrap();
    assert_eq!(clients["completed_at"], "2026-11-25T12:00:00Z");
}

#[test]
fn progress_on_the_course_of_a_role_lapsed_since_waits_as_where_it_lapsed() {
    let dir = scratch_dir();
    let mut r1 = Portal::empty();
    r1.ok(&["apply", MOODLE]);
    r1.ok(&[
        "user", "set-role", "sam@partner.test", "marketing", "--until", "2026-12-10T00:00:00Z",
    ]);
    r1.ok(&[
        "course", "progress", "sam@partner.test", "Clients and Invoices", "--percent", "40",
    ]);
    let exported = file(&dir, "r.json", &r1.ok(&["export"]));
    let later = "2026-12-11T10:00:00Z";
    r1.now = later.to_string();
    let r2 = empty_at(later);
    r2.ok(&["apply", &exported]);
    assert_eq!(r2.ok(&["export"]), r1.ok(&["export"]));
    for p in [&r1, &r2] {
        p.ok(&["user", "set-role", "sam@partner.test", "marketing"]);
        let courses = p.json(&["user", "courses", "sam@partner.test"]);
        let clients = courses
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["course"] == "Clients and Invoices")
            .expect("enrolled again");
        assert_eq!(clients["progress"], 40);
    }
}

/// A file that merges someone away and lists them as an account's active
/// user contradicts itself: refused at the user's status on its first
/// apply, which writes nothing, rather than applied once and refused on
/// every later run. Listed as left, as an export lists them, it holds.
#[test]
fn a_file_listing_someone_it_merges_away_as_active_is_refused_at_once() {
    let dir = scratch_dir();
    let doc = |status: &str| {
        format!(
            r#"{{"preset": "portal",
 "accounts": [{{"name": "Acme Ltd", "owner": "olive@acme.test",
   "users": [
     {{"email": "olive@acme.test", "role": "admin"}},
     {{"email": "una@acme.test", "role": "user"}},
     {{"email": "una.u@acme.test", "role": "user"{status}}}]}}],
 "people": [{{"email": "una.u@acme.test", "merged_into": "una@acme.test"}}]}}"#
        )
    };
    let p = Portal::empty();
    let err = p.refused(&["apply", &file(&dir, "active.json", &doc(""))], 4);
    assert_eq!(
        error_line(&err),
        "error: accounts[0].users[2].status: `una.u@acme.test` was merged into `una@acme.test` (people[0]), and a merge ends every membership of the one merged"
    );
    says(
        &err,
        r#"help: list them here with `"status": "left"`, as an export does"#,
    );
    // Nothing was written: the same portal takes the corrected file.
    let left = file(&dir, "left.json", &doc(r#", "status": "left""#));
    p.ok(&["apply", &left]);
    let again = p.json(&["apply", &left]);
    assert_eq!(
        (&again["created"], &again["updated"]),
        (&0.into(), &0.into()),
        "{again}"
    );
    let users = p.json(&["user", "list", "--account", "Acme Ltd"]);
    let una_u: Vec<_> = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["email"] == "una.u@acme.test")
        .map(|u| u["status"].clone())
        .collect();
    assert_eq!(una_u, [Value::from("left")]);
}

/// To a member, an order they may not see is no order: a file naming it,
/// by ref or as `#N`, is answered as one naming an order nobody has, so
/// that a dry run tells them neither that it exists nor whose it is.
#[test]
fn a_members_file_learns_nothing_of_orders_they_may_not_see() {
    let dir = scratch_dir();
    let p = Portal::empty();
    p.ok(&["apply", &file(&dir, "base.json", r#"{"preset": "portal",
 "roles": [{"name": "buyer", "capabilities": ["portal.access", "account.view", "orders.place"]}],
 "accounts": [{"name": "Acme", "owner": "owner@acme.test", "users": [
   {"email": "owner@acme.test", "role": "admin"},
   {"email": "b1@acme.test", "role": "buyer"}, {"email": "b2@acme.test", "role": "buyer"}],
   "orders": [{"ref": "HIDDEN", "created_by": "b1@acme.test", "description": "d", "amount": "5.00"}]}]}"#)]);
    let answer = |reference: &str, by: &str| {
        let doc = format!(
            r#"{{"accounts": [{{"name": "Acme", "orders": [{{"ref": "{reference}",
               "created_by": "{by}", "description": "d", "amount": "5.00"}}]}}]}}"#
        );
        let path = file(&dir, "probe.json", &doc);
        let run = p.run_as(Some("b2@acme.test"), &["apply", "--dry-run", &path]);
        (run.code, error_line(&run.stderr).to_string())
    };
    // As someone else's: the same refusal, seen or not, there or not.
    for (seen, unseen) in [("HIDDEN", "NOPE"), ("#1", "#99")] {
        assert_eq!(
            answer(seen, "b1@acme.test"),
            answer(unseen, "b1@acme.test"),
            "{seen}"
        );
    }
    // As her own: `#N` is refused alike; a ref taken is refused in
    // `order place`'s words.
    assert_eq!(
        answer("#1", "b2@acme.test").1.replace("#1", "#N"),
        answer("#99", "b2@acme.test").1.replace("#99", "#N")
    );
    let (code, line) = answer("HIDDEN", "b2@acme.test");
    assert_eq!(code, 4);
    assert_eq!(
        line,
        "error: accounts[0].orders[0]: the order reference `HIDDEN` is taken in `Acme`"
    );
    let by_hand = p.refused_as(
        Some("b2@acme.test"),
        &[
            "order", "place", "--account", "Acme", "--description", "d", "--amount", "5.00",
            "--ref", "HIDDEN",
        ],
        4,
    );
    assert_eq!(
        error_line(&by_hand),
        "error: the order reference `HIDDEN` is taken in `Acme`"
    );
}
