//! The `moodle` preset (seed 003): courses that follow the role, one role
//! per user, changes only by an officer, and the city, country and timezone
//! of every user. The `msp` preset's university courses (seed 002) and
//! `course progress`, which both catalogs' courses take.

use serde_json::{json, Value};

use crate::support::{strings, Portal, CONFLICT, DENIED, NOT_FOUND, OWNER, SUCCESS, USAGE};

const MAIN: [&str; 6] = [
    "Partner Community",
    "Moodle Products",
    "Marketing Support",
    "Branded Moodle App (BMA)",
    "Moodle Workplace",
    "Moodle Partner Salesforce Training",
];
const CLIENTS: &str = "Clients and Invoices";
const ROLES: [&str; 5] = ["principal", "financial", "marketing", "staff", "no-access"];

/// The courses a moodle role enrols in, from the seed.
fn expected(role: &str) -> Vec<String> {
    let mut courses: Vec<String> = match role {
        "no-access" => vec![],
        _ => MAIN.iter().map(|c| c.to_string()).collect(),
    };
    if ["principal", "financial", "marketing"].contains(&role) {
        courses.push(CLIENTS.to_string());
    }
    courses
}

/// The `course` of every enrolment `user courses --json` prints.
fn enrolled(p: &Portal, email: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["user", "courses", email];
    args.extend_from_slice(extra);
    p.json(&args)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["course"].as_str().unwrap().to_string())
        .collect()
}

/// `course name|enrolled_at|ended_at` for every enrolment row of `email`,
/// oldest first.
fn rows(p: &Portal, email: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT e.id, c.name, e.enrolled_at, e.ended_at FROM enrolments e
             JOIN courses c ON c.id = e.course_id
             JOIN memberships m ON m.id = e.membership_id
             JOIN people p ON p.id = m.person_id
             WHERE p.email = ?1 ORDER BY e.id",
        )
        .unwrap();
    stmt.query_map([email], |r| {
        Ok(format!(
            "{}|{}|{}|{}",
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?.unwrap_or_default()
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn audit_count(p: &Portal) -> i64 {
    p.text("SELECT COUNT(*) FROM audit_events").parse().unwrap()
}

#[test]
fn course_list_shows_the_catalog_of_the_seed() {
    let p = Portal::with_preset("moodle");
    let list = p.json(&["course", "list"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let mut all = MAIN.to_vec();
    all.push(CLIENTS);
    assert_eq!(names, all);
    for course in &list.as_array().unwrap()[..6] {
        assert_eq!(course["all_roles"], true);
        assert_eq!(
            course["roles"],
            json!(["principal", "financial", "marketing", "staff"])
        );
    }
    let clients = &list[6];
    assert_eq!(clients["all_roles"], false);
    assert_eq!(
        clients["roles"],
        json!(["principal", "financial", "marketing"])
    );
    let area = strings(&clients["area_capabilities"]);
    assert!(area.contains(&"invoices.manage".to_string()), "{area:?}");
    let table = p.ok(&["course", "list"]);
    assert!(table.starts_with("COURSE"), "{table}");
    assert!(
        table.contains("Clients and Invoices") && table.contains("principal, financial, marketing"),
        "{table}"
    );
    // The preset shows the same, and other presets have no courses.
    let shown = p.json(&["preset", "show", "moodle"]);
    assert_eq!(shown["courses"].as_array().unwrap().len(), 7);
    assert_eq!(shown["require_location"], true);
    let portal = Portal::new();
    assert_eq!(portal.json(&["course", "list"]), json!([]));
    assert!(portal
        .json(&["user", "show", OWNER])
        .get("courses")
        .is_none());
}

#[test]
fn init_and_invite_enrol_by_role() {
    let p = Portal::with_preset("moodle");
    let owner = p.json(&["user", "show", OWNER]);
    assert_eq!(strings(&owner["courses"]), expected("principal"));
    for role in ROLES {
        let email = format!("{role}@acme.test");
        let invited = p.json(&[
            "user", "invite", "--email", &email, "--name", role, "--role", role, "--city",
            "London", "--country", "GB",
        ]);
        assert_eq!(strings(&invited["courses"]), expected(role), "{role}");
        assert_eq!(enrolled(&p, &email, &[]), expected(role), "{role}");
        let shown = p.json(&["role", "show", role]);
        assert_eq!(strings(&shown["courses"]), expected(role), "{role}");
    }
    let table = p.ok(&["user", "show", "staff@acme.test"]);
    assert!(table.contains("Moodle Workplace"), "{table}");
    assert!(!table.contains(CLIENTS), "{table}");
}

#[test]
fn every_role_change_moves_the_enrolments_in_the_same_transaction() {
    let mut p = Portal::with_preset("moodle");
    p.member("ann@acme.test", "staff");
    let mut current = "staff".to_string();
    let mut minute = 0;
    let mut checked = 0;
    for from in ROLES {
        for to in ROLES {
            if from == to {
                continue;
            }
            minute += 1;
            if current != from {
                p.now = format!("2026-11-25T11:{minute:02}:00Z");
                p.ok(&["user", "set-role", "ann@acme.test", from]);
            }
            minute += 1;
            p.now = format!("2026-11-25T11:{minute:02}:00Z");
            let before = rows(&p, "ann@acme.test");
            let events = audit_count(&p);
            let v = p.json(&["user", "set-role", "ann@acme.test", to]);
            current = to.to_string();
            let context = format!("{from} -> {to}");

            // The member, `user show` and `user courses` agree with the seed.
            assert_eq!(strings(&v["courses"]), expected(to), "{context}");
            let shown = p.json(&["user", "show", "ann@acme.test"]);
            assert_eq!(strings(&shown["courses"]), expected(to), "{context}");
            assert_eq!(
                enrolled(&p, "ann@acme.test", &[]),
                expected(to),
                "{context}"
            );

            // Kept courses keep their enrolment; dropped ones end now; added
            // ones start now. Nothing is deleted.
            let after = rows(&p, "ann@acme.test");
            assert!(after.len() >= before.len(), "{context}: rows were deleted");
            for (old, new) in before.iter().zip(&after) {
                let course = old.split('|').nth(1).unwrap();
                let ended_before = !old.ends_with('|');
                let wanted = expected(to).iter().any(|c| c == course);
                if ended_before || wanted {
                    assert_eq!(old, new, "{context}: {course} should be untouched");
                } else {
                    assert_eq!(
                        new,
                        &format!("{}{}", old, p.now),
                        "{context}: {course} should end now"
                    );
                }
            }
            for new in &after[before.len()..] {
                let course = new.split('|').nth(1).unwrap();
                assert!(
                    expected(to).iter().any(|c| c == course)
                        && !expected(from).iter().any(|c| c == course),
                    "{context}: {course} enrolled needlessly"
                );
                assert!(new.ends_with(&format!("|{}|", p.now)), "{context}: {new}");
            }
            let added = expected(to)
                .iter()
                .filter(|c| !expected(from).contains(c))
                .count();
            assert_eq!(after.len() - before.len(), added, "{context}");

            // One audit event, with the courses before and after.
            assert_eq!(audit_count(&p), events + 1, "{context}: one audit event");
            let event = &p.json(&["audit", "list", "--limit", "1"])[0];
            assert_eq!(event["action"], "user.set_role", "{context}");
            assert_eq!(
                strings(&event["before"]["courses"]),
                expected(from),
                "{context}"
            );
            assert_eq!(
                strings(&event["after"]["courses"]),
                expected(to),
                "{context}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 20, "every ordered pair of the five roles");
}

#[test]
fn a_refused_role_change_changes_no_enrolment() {
    let p = Portal::with_preset("moodle");
    p.member("ann@acme.test", "staff");
    p.member("fin@acme.test", "financial");
    // refused_as checks that the database, enrolments included, is unchanged.
    let err = p.refused_as(
        Some("fin@acme.test"),
        &["user", "set-role", "ann@acme.test", "marketing"],
        DENIED,
    );
    assert!(err.contains("users.manage"), "{err}");
    p.refused(&["user", "set-role", "ann@acme.test", "wizard"], USAGE);
    assert_eq!(enrolled(&p, "ann@acme.test", &[]), expected("staff"));
}

#[test]
fn leaving_ends_the_courses_and_coming_back_enrols_again() {
    let mut p = Portal::with_preset("moodle");
    p.member("ann@acme.test", "financial");
    p.now = "2026-11-26T10:00:00Z".into();
    let v = p.json(&["user", "left-company", "--yes", "ann@acme.test"]);
    assert_eq!(v["courses"], json!([]));
    assert_eq!(enrolled(&p, "ann@acme.test", &[]), Vec::<String>::new());
    p.now = "2026-11-27T10:00:00Z".into();
    let v = p.json(&["user", "activate", "ann@acme.test"]);
    assert_eq!(strings(&v["courses"]), expected("financial"));
    let history = p.json(&["user", "courses", "ann@acme.test", "--history"]);
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 14, "seven ended and seven current");
    for course in expected("financial") {
        let of: Vec<&Value> = history.iter().filter(|e| e["course"] == course).collect();
        assert_eq!(of.len(), 2, "{course}");
        assert_eq!(of[0]["ended_at"], "2026-11-26T10:00:00Z");
        assert_eq!(of[0]["current"], false);
        assert_eq!(of[1]["enrolled_at"], "2026-11-27T10:00:00Z");
        assert_eq!(of[1]["ended_at"], Value::Null);
    }
    // Deactivating keeps the enrolments: only the role decides them.
    let v = p.json(&["user", "deactivate", "--yes", "ann@acme.test"]);
    assert_eq!(strings(&v["courses"]), expected("financial"));
}

#[test]
fn marketing_has_the_limited_view_of_clients_and_invoices() {
    let p = Portal::with_preset("moodle");
    p.member("mia@acme.test", "marketing");
    p.member("fay@acme.test", "financial");
    p.member("sam@acme.test", "staff");
    let can = |who: &str, cap: &str| p.can(&[who, cap])["allowed"].clone();
    // "can edit partner details ... can view the my clicks tab ...
    // does not have access to financial (royalty invoices) information".
    assert_eq!(can("mia@acme.test", "account.edit"), true);
    assert_eq!(can("mia@acme.test", "clicks.view"), true);
    for cap in [
        "invoices.manage", "billing.view", "clients.manage", "notifications.financial",
    ] {
        assert_eq!(can("mia@acme.test", cap), false, "{cap}");
        assert_eq!(can("fay@acme.test", cap), true, "{cap}");
    }
    let v = p.json_as(
        Some("mia@acme.test"),
        &["account", "set", "--marketing", "Moodle experts"],
    );
    assert_eq!(v["marketing"], "Moodle experts");

    let clients = |who: &str| -> Value {
        p.json(&["user", "courses", who])
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["course"] == CLIENTS)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        clients("mia@acme.test")["area_access"],
        json!(["account.edit", "clicks.view"])
    );
    assert_eq!(
        clients("fay@acme.test")["area_access"],
        json!(["billing.view", "invoices.manage", "clients.manage", "notifications.financial"])
    );
    assert_eq!(
        strings(&clients(OWNER)["area_access"]).len(),
        6,
        "the principal holds the whole area"
    );
    assert_eq!(clients("sam@acme.test"), Value::Null, "staff: no access");
    let table = p.ok(&["user", "courses", "mia@acme.test"]);
    assert!(table.contains("account.edit, clicks.view"), "{table}");
}

#[test]
fn members_see_their_own_courses_and_others_need_users_view() {
    let p = Portal::with_preset("moodle");
    p.member("sam@acme.test", "staff");
    p.member("mia@acme.test", "marketing");
    let own = p.json_as(Some("sam@acme.test"), &["user", "courses", "sam@acme.test"]);
    assert_eq!(own.as_array().unwrap().len(), 6);
    let err = p.refused_as(
        Some("sam@acme.test"),
        &["user", "courses", "mia@acme.test"],
        DENIED,
    );
    assert!(err.contains("users.view"), "{err}");
    p.refused(&["user", "courses", "ghost@acme.test"], NOT_FOUND);
}

#[test]
fn only_an_officer_may_add_delete_or_modify_users() {
    let p = Portal::with_preset("moodle");
    p.member("ann@acme.test", "staff");
    for role in ["financial", "marketing", "staff"] {
        let who = format!("{role}-actor@acme.test");
        p.member(&who, role);
        for args in [
            vec![
                "user", "invite", "--email", "new@acme.test", "--name", "New", "--role", "staff",
                "--city", "London", "--country", "GB",
            ],
            vec!["user", "deactivate", "--yes", "ann@acme.test"],
            vec!["user", "set-role", "ann@acme.test", "no-access"],
        ] {
            let err = p.refused_as(Some(&who), &args, DENIED);
            assert!(
                err.contains("users.manage") && err.contains("role `principal`"),
                "{role}: {err}"
            );
        }
    }
    p.member("pia@acme.test", "principal");
    let v = p.json_as(
        Some("pia@acme.test"),
        &["user", "set-role", "ann@acme.test", "marketing"],
    );
    assert_eq!(strings(&v["courses"]), expected("marketing"));
}

// ---------------------------------------------------------------- location

/// `user invite --json` of a new person with `role` at `location`.
fn invite_at(p: &Portal, email: &str, role: &str, location: &[&str]) -> crate::support::Run {
    let mut args = vec![
        "--json", "user", "invite", "--email", email, "--name", "Someone", "--role", role,
    ];
    args.extend_from_slice(location);
    p.run(&args)
}

#[test]
fn moodle_needs_the_city_and_country_of_every_user() {
    let p = Portal::with_preset("moodle");
    for (location, missing) in [
        (vec![], "the city and the country are missing"),
        (vec!["--country", "GB"], "the city is missing"),
        (vec!["--city", "London"], "the country is missing"),
        (
            vec!["--timezone", "Europe/London"],
            "the city and the country are missing",
        ),
    ] {
        let mut args = vec![
            "user", "invite", "--email", "ann@acme.test", "--name", "Ann", "--role", "staff",
        ];
        args.extend_from_slice(&location);
        let err = p.refused(&args, USAGE);
        assert!(err.contains(missing), "{location:?}: {err}");
        assert!(err.contains("--city"), "{err}");
    }
    // Other presets leave the location optional.
    let portal = Portal::new();
    let run = invite_at(&portal, "ann@acme.test", "user", &[]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
}

#[test]
fn the_timezone_is_derived_from_the_city_and_country() {
    let p = Portal::with_preset("moodle");
    // (city, country, the timezone, or the exit code and part of the error)
    let cases: [(&str, &str, Result<&str, &str>); 16] = [
        ("London", "GB", Ok("Europe/London")),
        ("london", "gb", Ok("Europe/London")),
        ("LONDON", " Gb ", Ok("Europe/London")),
        ("New York", "US", Ok("America/New_York")),
        ("new york", "us", Ok("America/New_York")),
        ("Los_Angeles", "US", Ok("America/Los_Angeles")),
        ("Buenos Aires", "AR", Ok("America/Argentina/Buenos_Aires")),
        ("São Paulo", "BR", Ok("America/Sao_Paulo")),
        ("Perth", "AU", Ok("Australia/Perth")),
        // A country with one timezone needs no matching city.
        ("Manchester", "GB", Ok("Europe/London")),
        // The gazetteer knows cities, not just zone names: London, Ontario;
        // Munich; and the most populous of several Springfields.
        ("London", "CA", Ok("America/Toronto")),
        ("Munich", "DE", Ok("Europe/Berlin")),
        ("Springfield", "US", Ok("America/Chicago")),
        // A city it does not know, in a country of several timezones.
        ("Nowhereville", "US", Err("not among its cities")),
        // Unknown or malformed countries.
        ("London", "XX", Err("unknown country `XX`")),
        ("London", "GBR", Err("not an ISO 3166 alpha-2")),
    ];
    for (i, (city, country, want)) in cases.iter().enumerate() {
        let email = format!("u{i}@acme.test");
        let location = ["--city", city, "--country", country];
        match want {
            Ok(zone) => {
                let run = invite_at(&p, &email, "staff", &location);
                assert_eq!(run.code, SUCCESS, "{city}, {country}: {}", run.stderr);
                let v: Value = serde_json::from_str(&run.stdout).unwrap();
                assert_eq!(v["timezone"], *zone, "{city}, {country}");
                assert_eq!(v["city"], city.trim(), "the city is kept as typed");
                assert_eq!(v["country"], country.trim().to_uppercase());
            }
            Err(text) => {
                let mut args = vec![
                    "user",
                    "invite",
                    "--email",
                    email.as_str(),
                    "--name",
                    "Someone",
                    "--role",
                    "staff",
                ];
                args.extend_from_slice(&location);
                let err = p.refused(&args, USAGE);
                let line = err.lines().next().unwrap();
                assert!(line.contains(text), "{city}, {country}: {err}");
                if !text.contains("country") && !text.contains("ISO") {
                    assert!(line.contains("pass --timezone"), "{city}, {country}: {err}");
                    assert!(err.contains("help: timezones"), "{city}, {country}: {err}");
                }
            }
        }
    }
}

#[test]
fn a_given_timezone_is_checked_and_wins_over_the_city() {
    let p = Portal::with_preset("moodle");
    let v = p.json(&[
        "user", "invite", "--email", "ann@acme.test", "--name", "Ann", "--role", "staff", "--city",
        "Springfield", "--country", "US", "--timezone", " America/Chicago ",
    ]);
    assert_eq!(v["timezone"], "America/Chicago");
    let err = p.refused(
        &[
            "user", "invite", "--email", "bob@acme.test", "--name", "Bob", "--role", "staff",
            "--city", "London", "--country", "GB", "--timezone", "Europe/Londres",
        ],
        USAGE,
    );
    assert!(err.contains("Europe/Londres"), "{err}");
    // Without `require_location`, a city and country still give a timezone.
    let portal = Portal::new();
    let run = invite_at(
        &portal,
        "cat@acme.test",
        "user",
        &["--city", "Paris", "--country", "fr"],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["timezone"], "Europe/Paris");
}

// Seed 002, "Mimecast University": "Registered users can single sign-on to
// the Mimecast University. This provides access to a wide range of training
// materials, including a summary of any assigned courses and the progress
// to date. This functionality is only available to Managed Service
// Providers administrators."

const UNIVERSITY: [&str; 2] = ["University Onboarding", "MSP Administrator Essentials"];
const ADA: &str = "ada@acme.test";
const UMA: &str = "uma@acme.test";

/// The msp portal with an administrator (Ada) and a plain user (Uma).
fn msp() -> Portal {
    Portal::cached("courses msp", || {
        let p = Portal::init("msp");
        p.member(ADA, "msp-administrator");
        p.member(UMA, "msp-user");
        p
    })
}

/// `course: progress` of each of the member's enrolments, from the table.
fn progress_cells(p: &Portal, email: &str) -> Vec<String> {
    p.json(&["user", "courses", email])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}: {}|{}",
                e["course"].as_str().unwrap(),
                e["progress"],
                e["completed_at"]
            )
        })
        .collect()
}

/// "This functionality is only available to Managed Service Providers
/// administrators."
#[test]
fn only_msp_administrators_are_enrolled_in_the_university_courses() {
    let p = msp();
    let list = p.json(&["course", "list"]);
    for (course, name) in list.as_array().unwrap().iter().zip(UNIVERSITY) {
        assert_eq!(course["name"], name);
        assert_eq!(course["roles"], json!(["msp-administrator"]));
        assert!(
            course["description"]
                .as_str()
                .unwrap()
                .contains("MSP University's assigned courses"),
            "{course}"
        );
    }
    assert_eq!(list.as_array().unwrap().len(), UNIVERSITY.len());
    for admin in [OWNER, ADA] {
        assert_eq!(enrolled(&p, admin, &[]), UNIVERSITY, "{admin}");
    }
    assert_eq!(enrolled(&p, UMA, &[]), Vec::<String>::new());
    p.ok(&[
        "user", "invite", "--email", "nora@acme.test", "--name", "Nora", "--role", "no-access",
    ]);
    assert_eq!(enrolled(&p, "nora@acme.test", &[]), Vec::<String>::new());
    assert_eq!(
        strings(&p.json(&["role", "show", "msp-user"])["courses"]),
        Vec::<String>::new()
    );
}

/// The MSP University is the MSP's: a customer's own console login, an
/// administrator of the customer, is enrolled in none of it and records
/// no progress.
#[test]
fn a_customers_console_login_is_enrolled_in_no_university_course() {
    let p = msp();
    p.customer("Client Co");
    p.member_in("con@client.test", "msp-administrator", "Client Co");
    assert_eq!(
        enrolled(&p, "con@client.test", &["--account", "Client Co"]),
        Vec::<String>::new()
    );
    p.refused_as(
        Some("con@client.test"),
        &[
            "course", "progress", "con@client.test", UNIVERSITY[0], "--percent", "50",
        ],
        CONFLICT,
    );
    assert_eq!(enrolled(&p, ADA, &[]), UNIVERSITY);
}

/// "This functionality is only available to Managed Service Providers
/// administrators": a role change starts and ends the enrolments, and the
/// progress to date waits for the member to come back.
#[test]
fn a_role_change_starts_and_ends_the_university_courses() {
    let p = msp();
    p.ok(&["user", "set-role", UMA, "msp-administrator"]);
    assert_eq!(enrolled(&p, UMA, &[]), UNIVERSITY);
    p.ok(&["course", "progress", UMA, UNIVERSITY[0], "--percent", "30"]);
    p.ok(&["user", "set-role", UMA, "msp-user"]);
    assert_eq!(enrolled(&p, UMA, &[]), Vec::<String>::new());
    let history = p.json(&["user", "courses", UMA, "--history"]);
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[0]["current"], false);
    assert_eq!(history[0]["progress"], 30, "{history}");
    // Not enrolled now: no progress can be recorded.
    p.refused(
        &["course", "progress", UMA, UNIVERSITY[0], "--percent", "40"],
        CONFLICT,
    );
    p.ok(&["user", "set-role", UMA, "msp-administrator"]);
    assert_eq!(
        progress_cells(&p, UMA),
        [
            "University Onboarding: 30|null",
            "MSP Administrator Essentials: null|null"
        ]
    );
}

/// "... a summary of any assigned courses and the progress to date": the
/// member records their own progress and an admin anyone's, and `user
/// courses` shows it.
#[test]
fn the_progress_to_date_is_recorded_by_the_member_or_an_admin() {
    let p = msp();
    let own = p.change(
        Some(ADA),
        &[
            "course", "progress", ADA, "university onboarding", "--percent", "40",
        ],
        "course.progress",
    );
    assert_eq!(own["course"], "University Onboarding");
    assert_eq!(
        (own["progress"].clone(), own["completed_at"].clone()),
        (json!(40), json!(null))
    );
    assert_eq!(p.last_event()["target"], ADA);
    let table = p.ok(&["user", "courses", ADA]);
    assert!(
        table.contains("PROGRESS") && table.contains("40%"),
        "{table}"
    );

    // The owner, an admin, completes a course for Ada a day later.
    let later = "2026-11-26T09:00:00Z";
    let before = p.events();
    let done = p.json_with(
        &["course", "progress", ADA, UNIVERSITY[1], "--completed"],
        &[("PORTALCTL_AS", OWNER), ("PORTALCTL_NOW", later)],
    );
    assert_eq!(p.events(), before + 1);
    assert_eq!(
        (done["progress"].clone(), done["completed_at"].clone()),
        (json!(100), json!(later))
    );
    assert_eq!(
        progress_cells(&p, ADA),
        [
            "University Onboarding: 40|null",
            "MSP Administrator Essentials: 100|\"2026-11-26T09:00:00Z\""
        ]
    );
    let table = p.ok(&["user", "courses", ADA]);
    assert!(table.contains("completed 2026-11-26"), "{table}");
    // Where nothing was recorded, the table reads `-`.
    let owner = p.ok(&["user", "courses", OWNER]);
    let column = owner.find("PROGRESS").unwrap();
    for line in owner.lines().skip(1) {
        assert!(line[column..].starts_with("- "), "{owner}");
    }

    // The same value again is no change: no event, the completion keeps
    // its time.
    let before = p.events();
    p.json_as(
        Some(ADA),
        &["course", "progress", ADA, UNIVERSITY[0], "--percent", "40"],
    );
    let again = p.json_as(
        Some(ADA),
        &["course", "progress", ADA, UNIVERSITY[1], "--percent", "100"],
    );
    assert_eq!(again["completed_at"], later);
    assert_eq!(p.events(), before);
}

/// "This functionality is only available to Managed Service Providers
/// administrators": a plain member records nobody's progress, and
/// refusals change nothing.
#[test]
fn course_progress_refusals_change_nothing() {
    let p = msp();
    let err = p.refused_as(
        Some(UMA),
        &["course", "progress", ADA, UNIVERSITY[0], "--percent", "10"],
        DENIED,
    );
    assert!(err.contains("users.manage"), "{err}");
    let err = p.refused(
        &["course", "progress", UMA, UNIVERSITY[0], "--percent", "10"],
        CONFLICT,
    );
    assert!(
        err.contains("not enrolled in `University Onboarding`"),
        "{err}"
    );
    let err = p.refused_as(
        Some(UMA),
        &["course", "progress", UMA, UNIVERSITY[0], "--completed"],
        CONFLICT,
    );
    assert!(err.contains("not enrolled"), "{err}");
    for bad in ["101", "-1", "forty", "4.5"] {
        let err = p.refused(
            &["course", "progress", ADA, UNIVERSITY[0], "--percent", bad],
            USAGE,
        );
        assert!(err.contains("not a percentage from 0 to 100"), "{err}");
    }
    let err = p.refused(
        &[
            "course", "progress", ADA, "Basket Weaving", "--percent", "10",
        ],
        NOT_FOUND,
    );
    assert!(err.contains("no course `Basket Weaving`"), "{err}");
    p.refused(
        &[
            "course", "progress", "ghost@acme.test", UNIVERSITY[0], "--completed",
        ],
        NOT_FOUND,
    );
    p.refused(&["course", "progress", ADA, UNIVERSITY[0]], USAGE);
    p.refused(
        &[
            "course", "progress", ADA, UNIVERSITY[0], "--percent", "5", "--completed",
        ],
        USAGE,
    );
    p.refused(&["course", "progress", ADA, " ", "--percent", "5"], USAGE);
}

/// Seed 003, "All users are enrolled in the following courses": moodle's
/// courses take progress too.
#[test]
fn moodle_courses_get_progress_too() {
    let p = Portal::with_preset("moodle");
    p.member("stan@acme.test", "staff");
    p.json_as(
        Some("stan@acme.test"),
        &[
            "course", "progress", "stan@acme.test", "Moodle Workplace", "--percent", "75",
        ],
    );
    let courses = p.json(&["user", "courses", "stan@acme.test"]);
    let workplace = courses
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["course"] == "Moodle Workplace")
        .unwrap();
    assert_eq!(workplace["progress"], 75);
    // "Only users with a Principal, Financial or Marketing role are
    // enrolled in Clients and Invoices."
    p.refused_as(
        Some("stan@acme.test"),
        &[
            "course", "progress", "stan@acme.test", CLIENTS, "--percent", "5",
        ],
        CONFLICT,
    );
}

/// A time-bound role's courses lapse with it, to the second: until T the
/// role's, from T the courses of the role held before (003: "courses
/// follow the role"), with no command run at T. A change before T plans
/// again.
#[test]
fn courses_lapse_with_a_time_bound_role() {
    let mut p = Portal::with_preset("moodle");
    p.member("ann@acme.test", "staff");
    p.ok(&[
        "user", "set-role", "ann@acme.test", "financial", "--until", "2026-12-01T00:00:00Z",
    ]);
    let at = |p: &mut Portal, now: &str| {
        p.now = now.to_string();
        let shown = p.json(&["user", "show", "ann@acme.test"]);
        (
            enrolled(p, "ann@acme.test", &[]),
            strings(&shown["courses"]),
        )
    };
    let financial = expected("financial");
    let staff = expected("staff");
    assert_eq!(
        at(&mut p, "2026-11-30T23:59:59Z"),
        (financial.clone(), financial.clone())
    );
    assert_eq!(
        at(&mut p, "2026-12-01T00:00:00Z"),
        (staff.clone(), staff.clone())
    );
    assert_eq!(
        at(&mut p, "2026-12-01T00:00:01Z"),
        (staff.clone(), staff.clone())
    );
    // Made lasting before it lapses: Clients and Invoices no longer ends.
    p.now = "2026-11-26T10:00:00Z".into();
    p.ok(&["user", "set-role", "ann@acme.test", "financial"]);
    assert_eq!(
        at(&mut p, "2026-12-02T00:00:00Z"),
        (financial.clone(), financial)
    );
    // Given back to staff for good: the course ends now.
    p.now = "2026-12-03T00:00:00Z".into();
    p.ok(&["user", "set-role", "ann@acme.test", "staff"]);
    assert_eq!(at(&mut p, "2026-12-03T00:00:00Z"), (staff.clone(), staff));
}

/// The course a time-bound role does not give comes back when it lapses.
#[test]
fn a_course_comes_back_when_a_time_bound_role_lapses() {
    let mut p = Portal::with_preset("moodle");
    p.member("ann@acme.test", "financial");
    p.ok(&[
        "user", "set-role", "ann@acme.test", "staff", "--until", "2026-12-01T00:00:00Z",
    ]);
    for (now, role) in [
        ("2026-11-30T23:59:59Z", "staff"),
        ("2026-12-01T00:00:00Z", "financial"),
        ("2026-12-01T00:00:01Z", "financial"),
    ] {
        p.now = now.to_string();
        assert_eq!(enrolled(&p, "ann@acme.test", &[]), expected(role), "{now}");
    }
}

/// 002: the University is for MSP administrators, who are also external
/// admins of the customers: a course command about one of them needs no
/// `--account` where only one account enrols them in courses.
#[test]
fn course_commands_need_no_account_when_only_one_enrols() {
    let p = Portal::with_preset("msp");
    p.member("ad@acme.test", "msp-administrator");
    p.ok(&[
        "account",
        "create",
        "Client Co",
        "--kind",
        "customer",
        "--parent",
        crate::support::ACCOUNT,
    ]);
    p.ok(&[
        "external-admin", "add", "--customer", "Client Co", "--email", "ad@acme.test", "--role",
        "msp-administrator",
    ]);
    let v = p.json_as(
        Some("ad@acme.test"),
        &[
            "course", "progress", "ad@acme.test", "University Onboarding", "--percent", "40",
        ],
    );
    assert_eq!(v["account"], crate::support::ACCOUNT, "{v}");
    let courses = p.json_as(Some("ad@acme.test"), &["user", "courses", "ad@acme.test"]);
    let listed: Vec<(&str, &str)> = courses
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["account"].as_str().unwrap(),
                c["course"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        listed.contains(&(crate::support::ACCOUNT, "University Onboarding")),
        "{courses}"
    );
    assert_eq!(
        p.json(&["user", "courses", "ad@acme.test", "--account", "Client Co"])
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}
