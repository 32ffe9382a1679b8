//! People's details (seeds 000 and 003): `user edit` and the timezone a
//! city and country give, from the GeoNames gazetteer.

use serde_json::Value;

use crate::support::{
    error_line, says, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, OWNER, OWNER_LOCATION, SUCCESS,
    USAGE,
};

const ANN: &str = "ann@acme.test";
const ADMIN: &str = "adam@acme.test";
const CLERK: &str = "cleo@acme.test";

/// The moodle portal (003) with an admin (principal) and two staff members.
fn moodle() -> Portal {
    Portal::cached("people: moodle", || {
        let p = Portal::init("moodle");
        p.member(ADMIN, "principal");
        p.member(ANN, "staff");
        p.member(CLERK, "staff");
        p
    })
}

/// `moodle()` with Ann also a member of a second account, `Other`, where
/// the admin is not.
fn two_accounts() -> Portal {
    Portal::cached("people: two accounts", || {
        let p = moodle();
        p.ok(&["account", "create", "Other", "--kind", "partner"]);
        p.member_in(ANN, "staff", "Other");
        p
    })
}

/// `user invite --json` of `email` as staff at `city, country`, as the
/// operator; the run itself, for its stderr.
fn invite_at(p: &Portal, email: &str, city: &str, country: &str) -> crate::support::Run {
    p.run(&[
        "--json", "user", "invite", "--email", email, "--name", "Someone", "--role", "staff",
        "--city", city, "--country", country,
    ])
}

#[test]
fn manage_permission_level_also_edits_their_other_details() {
    // 000: "Clicking Manage Permission Level will open a new window where
    // you can choose a new permission level for the contact, as well as
    // edit their other details."
    let p = moodle();
    let v = p.change(
        Some(ADMIN),
        &[
            "user", "edit", ANN, "--name", "Ann Smith", "--city", "Frankfurt", "--country", "de",
        ],
        "user.edit",
    );
    assert_eq!(v["name"], "Ann Smith");
    assert_eq!(v["city"], "Frankfurt");
    assert_eq!(v["country"], "DE");
    assert_eq!(v["timezone"], "Europe/Berlin");
    let event = p.last_event();
    assert_eq!(event["target"], ANN);
    assert_eq!(event["before"]["name"], "ann");
    assert_eq!(event["after"]["timezone"], "Europe/Berlin");
    let shown = p.json(&["user", "show", ANN]);
    assert_eq!(shown["name"], "Ann Smith");
    assert_eq!(shown["timezone"], "Europe/Berlin");

    // A timezone on its own is checked against the country they have.
    let v = p.json(&["user", "edit", ANN, "--timezone", "Europe/Busingen"]);
    assert_eq!(v["timezone"], "Europe/Busingen");
    assert_eq!(v["city"], "Frankfurt", "the city stays");

    // Asking for what is already so changes nothing and writes no event.
    let events = p.events();
    p.json(&["user", "edit", ANN, "--name", "Ann Smith"]);
    assert_eq!(p.events(), events);
}

#[test]
fn each_user_must_have_their_own_account_so_only_user_managers_edit_them() {
    // 003: "each user must have their own account with an appropriate
    // role" and "Requests for changes should come from an officer of the
    // company": a staff member cannot edit someone else.
    let p = moodle();
    let err = p.refused_as(Some(CLERK), &["user", "edit", ANN, "--name", "X"], DENIED);
    says(&err, "users.manage");
    // Nor a blank edit, nor half a location.
    p.refused(&["user", "edit", ANN], USAGE);
    p.refused(&["user", "edit", ANN, "--city", "Paris"], USAGE);
    p.refused(&["user", "edit", ANN, "--name", " "], USAGE);
}

#[test]
fn the_city_and_country_set_the_timezone_correctly_from_a_gazetteer() {
    // 003: "user's city and country (to ensure timezone is set correctly)".
    // Cities whose zone is named after another city, alternate names
    // (München is Munich, Kiev is Kyiv) and names in several countries.
    let p = moodle();
    let cases = [
        ("Frankfurt", "DE", "Europe/Berlin"),
        ("Munich", "DE", "Europe/Berlin"),
        ("München", "DE", "Europe/Berlin"),
        ("Ottawa", "CA", "America/Toronto"),
        ("Canberra", "AU", "Australia/Sydney"),
        ("Wellington", "NZ", "Pacific/Auckland"),
        ("San Francisco", "US", "America/Los_Angeles"),
        ("Dallas", "US", "America/Chicago"),
        ("Barcelona", "ES", "Europe/Madrid"),
        ("Rio de Janeiro", "BR", "America/Sao_Paulo"),
        ("Kyiv", "UA", "Europe/Kyiv"),
        ("Kiev", "UA", "Europe/Kyiv"),
        ("rio-de-janeiro", "br", "America/Sao_Paulo"),
    ];
    for (i, (city, country, zone)) in cases.iter().enumerate() {
        let run = invite_at(&p, &format!("u{i}@acme.test"), city, country);
        assert_eq!(run.code, SUCCESS, "{city}, {country}: {}", run.stderr);
        let v: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(v["timezone"], *zone, "{city}, {country}");
        assert_eq!(v["city"], *city, "the city is kept as typed");
    }
    // `user edit` derives it the same way.
    let v = p.json(&["user", "edit", ANN, "--city", "Kiev", "--country", "UA"]);
    assert_eq!(v["timezone"], "Europe/Kyiv");
}

#[test]
fn an_ambiguous_city_takes_the_most_populous_and_says_so() {
    // 003: "to ensure timezone is set correctly": Dallas, Texas is not
    // Dallas, Oregon; the guess is the larger and a warning says so.
    let p = moodle();
    let run = invite_at(&p, "dan@acme.test", "Dallas", "US");
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["timezone"], "America/Chicago");
    let warning = run
        .stderr
        .lines()
        .find(|l| l.starts_with("warning:"))
        .unwrap_or_else(|| panic!("no warning: {}", run.stderr));
    says(warning, "several places called `Dallas` in US");
    says(warning, "America/Los_Angeles");
    says(warning, "--timezone");
    // The same from `user edit`; a city of one zone says nothing.
    let run = p.run(&["user", "edit", ANN, "--city", "Dallas", "--country", "US"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(
        &run.stderr,
        "warning: there are several places called `Dallas`",
    );
    let run = p.run(&["user", "edit", ANN, "--city", "Ottawa", "--country", "CA"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn a_given_timezone_must_be_one_of_the_country() {
    // 003: "user's city and country (to ensure timezone is set correctly)":
    // a timezone that contradicts the country is refused, not stored.
    let p = moodle();
    let err = p.refused(
        &[
            "user", "invite", "--email", "pat@acme.test", "--name", "Pat", "--role", "staff",
            "--city", "Perth", "--country", "AU", "--timezone", "Europe/London",
        ],
        USAGE,
    );
    says(&err, "`Europe/London` is not a timezone of AU");
    says(&err, "Australia/Perth");
    let err = p.refused(
        &[
            "user", "edit", ANN, "--city", "Perth", "--country", "AU", "--timezone",
            "Europe/London",
        ],
        USAGE,
    );
    says(&err, "not a timezone of AU");
    // Ann is in London, GB.
    p.refused(
        &["user", "edit", ANN, "--timezone", "Australia/Perth"],
        USAGE,
    );
    // An old name of one of the country's zones is one of its zones.
    let v = p.json(&[
        "user", "edit", ANN, "--city", "Kyiv", "--country", "UA", "--timezone", "Europe/Kiev",
    ]);
    assert_eq!(v["timezone"], "Europe/Kiev");
    // A city the gazetteer does not know, where the country has several
    // zones, asks for one.
    let err = p.refused(
        &[
            "user", "edit", ANN, "--city", "Nowhereville", "--country", "US",
        ],
        USAGE,
    );
    says(&err, "pass --timezone");
}

#[test]
fn moodle_needs_the_owners_city_and_country_too() {
    // 003: "Your request must include: ... user's city and country (to
    // ensure timezone is set correctly)": the owner is a user.
    for (location, missing) in [
        (vec![], "the city and the country are missing"),
        (vec!["--owner-country", "GB"], "the city is missing"),
        (vec!["--owner-city", "London"], "the country is missing"),
    ] {
        let p = Portal::empty();
        let mut args = vec![
            "init", "--preset", "moodle", "--account", ACCOUNT, "--owner-email", OWNER,
        ];
        args.extend(location);
        let err = p.refused(&args, USAGE);
        says(&err, missing);
        says(&err, "--owner-city");
    }
    let p = Portal::empty();
    let mut args = vec![
        "init", "--preset", "moodle", "--account", ACCOUNT, "--owner-email", OWNER,
    ];
    args.extend(["--owner-city", "Canberra", "--owner-country", "AU"]);
    let v = p.json(&args);
    assert_eq!(v["owner"]["timezone"], "Australia/Sydney");
    assert_eq!(v["owner"]["city"], "Canberra");
    // A given timezone is checked against the country.
    let p = Portal::empty();
    let mut args = vec![
        "init", "--preset", "moodle", "--account", ACCOUNT, "--owner-email", OWNER,
    ];
    args.extend(OWNER_LOCATION);
    args.extend(["--owner-timezone", "Australia/Perth"]);
    p.refused(&args, USAGE);
    // Other catalogs take a location without needing one.
    let p = Portal::empty();
    let v = p.json(&[
        "init", "--account", ACCOUNT, "--owner-email", OWNER, "--owner-city", "Wellington",
        "--owner-country", "NZ",
    ]);
    assert_eq!(v["owner"]["timezone"], "Pacific/Auckland");
}

#[test]
fn a_new_email_is_their_login_in_every_account() {
    // 000 "edit their other details"; 003 "user's email address" is part
    // of a modify request. The email is the person's login everywhere, so
    // a member needs `users.manage` in each of their accounts.
    let p = two_accounts();
    let new = "ann.smith@acme.test";
    let err = p.refused_as(
        Some(ADMIN),
        &[
            "user", "edit", ANN, "--new-email", new, "--account", ACCOUNT,
        ],
        DENIED,
    );
    says(&err, "every account they belong to");
    assert!(!err.contains("Other"), "names an account unseen: {err}");
    // The name is theirs too, shown in every account: an admin of one
    // account may not change what the other shows, nor learn of it.
    let before = p.dump();
    let err = p.refused_as(
        Some(ADMIN),
        &[
            "user", "edit", ANN, "--name", "Ann Smith", "--account", ACCOUNT,
        ],
        DENIED,
    );
    says(
        &err,
        "changing `ann@acme.test`'s name needs `users.manage` in every account",
    );
    assert!(!err.contains("Other"), "names an account unseen: {err}");
    assert_eq!(p.dump(), before, "a refusal changes nothing");
    // Her city is her membership's: the admin changes it in theirs.
    p.json_as(
        Some(ADMIN),
        &[
            "user", "edit", ANN, "--city", "Paris", "--country", "FR", "--account", ACCOUNT,
        ],
    );
    // The operator renames her without picking an account: one event in
    // each, so each account's log shows it.
    let before = p.events();
    let v = p.json(&["user", "edit", ANN, "--name", "Ann Smith"]);
    assert_eq!(v["name"], "Ann Smith");
    assert_eq!(p.events(), before + 2);
    let shown = p.json(&["user", "show", ANN, "--account", "Other"]);
    assert_eq!(shown["name"], "Ann Smith");

    // The operator may change the email; every account knows them by it.
    let before = p.events();
    let v = p.json(&[
        "user", "edit", ANN, "--new-email", new, "--account", ACCOUNT,
    ]);
    assert_eq!(v["email"], new);
    assert_eq!(p.events(), before + 2);
    let event = p.last_event();
    assert_eq!(event["action"], "user.edit");
    assert_eq!(event["before"]["email"], ANN);
    assert_eq!(event["after"]["email"], new);
    assert_eq!(
        p.json(&["user", "show", new, "--account", "Other"])["email"],
        new
    );
    p.refused(&["user", "show", ANN, "--account", "Other"], 3);
    // The new address logs in.
    let run = p.run_as(Some(new), &["user", "show", new, "--account", ACCOUNT]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
}

#[test]
fn an_admin_of_every_account_of_the_person_may_change_their_email() {
    let p = two_accounts();
    p.member_in(ADMIN, "principal", "Other");
    let new = "ann.smith@acme.test";
    let v = p.json_as(
        Some(ADMIN),
        &[
            "user", "edit", ANN, "--new-email", " Ann.Smith@ACME.test ", "--account", ACCOUNT,
        ],
    );
    assert_eq!(v["email"], new, "emails are normalised");
}

#[test]
fn a_new_email_someone_else_has_is_refused_without_saying_whose() {
    // 000 "Duplicate Contacts": two logins for one person are merged by
    // support, never made by an edit.
    let p = two_accounts();
    p.ok(&["account", "create", "Third", "--kind", "partner"]);
    p.member_in("zed@third.test", "staff", "Third");
    for taken in [CLERK, "zed@third.test"] {
        let err = p.refused(&["user", "edit", ADMIN, "--new-email", taken], CONFLICT);
        says(&err, "another login already uses it");
        assert!(!err.contains("Third"), "{err}");
        assert!(!err.contains("staff"), "{err}");
    }
    // Their own address is no change.
    let run = p.run(&["user", "edit", ADMIN, "--new-email", ADMIN]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
}

#[test]
fn user_history_follows_a_new_email_and_leaves_the_old_addresss_next_holder_out() {
    // Ann's timeline is hers under every address she had, in each
    // account; whoever takes her old address starts a timeline of their
    // own.
    let p = two_accounts();
    let new = "ann.smith@acme.test";
    p.ok(&["user", "set-role", ANN, "principal", "--account", ACCOUNT]);
    p.ok(&[
        "user", "edit", ANN, "--new-email", new, "--account", ACCOUNT,
    ]);
    p.member(ANN, "staff");
    let actions = |who: &str| -> Vec<(String, String)> {
        let v = p.json(&["user", "history", who]);
        v.as_array()
            .expect("a list")
            .iter()
            .map(|e| (e["account"].to_string(), e["action"].to_string()))
            .collect()
    };
    let hers = actions(new);
    let here = |action: &str| (format!("{ACCOUNT:?}"), format!("{action:?}"));
    let there = |action: &str| ("\"Other\"".to_string(), format!("{action:?}"));
    assert_eq!(
        hers,
        [
            here("user.invite"),
            here("user.accept"),
            there("user.invite"),
            there("user.accept"),
            here("user.set_role"),
            here("user.edit"),
            there("user.edit"),
        ]
    );
    says(
        &p.ok(&["user", "history", new, "--account", ACCOUNT]),
        "email: ann@acme.test -> ann.smith@acme.test",
    );
    assert_eq!(
        actions(ANN),
        [here("user.invite"), here("user.accept")],
        "the newcomer at Ann's old address"
    );
}

/// 000 "Duplicate Contacts": `user merge` passes the duplicate's place as a
/// policy's named approver on to the person kept, so the owner's order,
/// which only that place could decide (the owner decides no order of
/// their own), is the kept person's to approve, not stuck.
#[test]
fn a_merge_passes_a_named_approvers_place_on_and_the_order_stays_decidable() {
    let p = Portal::new();
    let (kept, dup) = ("fin@acme.test", "fin2@acme.test");
    p.member(kept, "user");
    p.member(dup, "user");
    p.ok(&[
        "policy", "create", "--name", "Finance", "--threshold", "50.00", "--approvers", dup,
    ]);
    let placed = p.json_as(
        Some(OWNER),
        &[
            "order", "place", "--description", "Laptop", "--amount", "60.00",
        ],
    );
    let id = placed["id"].as_i64().expect("an id");
    let order = id.to_string();

    let merged = p.json(&["user", "merge", dup, "--into", kept, "--yes"]);
    assert_eq!(
        merged["policies"],
        serde_json::json!([{"account": ACCOUNT, "policy": "Finance"}])
    );
    assert_eq!(
        merged["orders"],
        serde_json::json!([{"account": ACCOUNT, "order": id}])
    );
    assert_eq!(
        p.json(&["policy", "show", "Finance"])["approvers"],
        serde_json::json!([kept])
    );
    let shown = p.json(&["order", "show", &order]);
    assert_eq!(shown["status"], "pending");
    assert_eq!(shown["deciders"], serde_json::json!([kept]));

    let approved = p.json_as(Some(kept), &["order", "approve", &order]);
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approvals"], serde_json::json!([kept]));
    let shown = p.json(&["order", "show", &order]);
    assert_eq!(shown["status"], "approved");

    // The merge's events: the policy and the order, each before and after,
    // and the merge itself saying what it passed on.
    let events = p.json(&["audit", "list", "--action", "user.merge", "--all"]);
    let of = |target: &str, account: Value| -> Value {
        events
            .as_array()
            .expect("a list")
            .iter()
            .find(|e| e["target"] == target && e["account"] == account)
            .unwrap_or_else(|| panic!("no event about {target}: {events}"))
            .clone()
    };
    let policy = of("Finance", ACCOUNT.into());
    assert_eq!(policy["before"]["approvers"], serde_json::json!([dup]));
    assert_eq!(policy["after"]["approvers"], serde_json::json!([kept]));
    let held = of(&format!("order {id}"), ACCOUNT.into());
    assert_eq!(
        held["after"]["policies"][0]["approvers"],
        serde_json::json!([kept])
    );
    let person = of(dup, Value::Null);
    assert_eq!(person["after"]["merged_into"], kept);
    assert_eq!(
        person["after"]["passed_on"],
        serde_json::json!({
            "policies": [{"account": ACCOUNT, "policy": "Finance"}],
            "orders": [{"account": ACCOUNT, "order": id}],
        })
    );
}

/// "Both follow the member back through each change of email (`user
/// edit --new-email`, a merge)": after support merges fin2 into fin, fin's
/// timeline holds what was recorded under fin2 (the invitation, the flag,
/// the merge), each line saying so; a member of Acme alone learns nothing
/// of Zeta, where fin2 was a member too; and the list says fin2 was merged.
#[test]
fn user_history_takes_in_a_duplicate_merged_into_the_member() {
    let p = Portal::new();
    let (kept, dup) = ("fin@acme.test", "fin2@acme.test");
    p.member(kept, "user");
    p.invite(dup, "user", ACCOUNT);
    p.ok(&["account", "create", "Zeta", "--kind", "partner"]);
    p.member_in(dup, "manager", "Zeta");
    p.ok(&[
        "policy", "create", "--name", "Zeta signs", "--threshold", "50.00", "--approvers", dup,
        "--account", "Zeta",
    ]);
    // Support flags fin2: Acme's owner does not manage Zeta.
    p.json(&[
        "user", "flag-duplicate", dup, "--of", kept, "--account", ACCOUNT,
    ]);
    p.json(&["user", "merge", dup, "--into", kept, "--yes"]);

    let lines = |act_as: Option<&str>| -> Vec<String> {
        p.json_as(act_as, &["user", "history", kept])
            .as_array()
            .expect("a list")
            .iter()
            .map(|e| {
                format!(
                    "{} {} {}",
                    e["account"]
                        .as_str()
                        .map_or("-", |a| if a == ACCOUNT { "Acme" } else { a }),
                    e["action"].as_str().unwrap_or("?"),
                    e["recorded_as"].as_str().unwrap_or("-"),
                )
            })
            .collect()
    };
    assert_eq!(
        lines(None),
        [
            "Acme user.invite -",
            "Acme user.accept -",
            "Acme user.invite fin2@acme.test",
            "Zeta user.invite fin2@acme.test",
            "Zeta user.accept fin2@acme.test",
            "Acme user.flag_duplicate fin2@acme.test",
            "Zeta user.flag_duplicate fin2@acme.test",
            "Acme user.merge fin2@acme.test",
            "Zeta user.merge -",
            "- user.merge fin2@acme.test",
        ]
    );
    let table = p.ok(&["user", "history", kept]);
    says(
        &table,
        "(as fin2@acme.test) duplicate_of: - -> fin@acme.test",
    );
    says(&table, "(as fin2@acme.test) role: user -> ");
    says(
        &table,
        "(as fin2@acme.test) merged_into: - -> fin@acme.test",
    );
    says(&table, "Zeta signs");

    // Acme's owner sees fin in Acme alone: fin2's invitation and the
    // merge, and nothing of Zeta; not the operator's flag of fin2, whom
    // Acme had only invited (its invitation showed no flag).
    assert_eq!(
        lines(Some(OWNER)),
        [
            "Acme user.invite -",
            "Acme user.accept -",
            "Acme user.invite fin2@acme.test",
            "Acme user.merge fin2@acme.test",
            "- user.merge fin2@acme.test",
        ]
    );
    for args in [
        &["user", "history", kept][..],
        &["user", "history", kept, "--json"][..],
    ] {
        let seen = p.run_as(Some(OWNER), args);
        assert!(!seen.stdout.contains("Zeta"), "{}", seen.stdout);
    }
    // Fin herself sees her own timeline as Acme's owner does, and more
    // only where she is a member: Zeta is hers now. The operator's flag
    // in Acme, where fin2 was only invited, is the operator's alone.
    let mut hers = lines(None);
    hers.retain(|line| line != "Acme user.flag_duplicate fin2@acme.test");
    assert_eq!(lines(Some(kept)), hers);
    // Another user may not read it, merged duplicate or not.
    p.member("una@acme.test", "user");
    p.refused_as(Some("una@acme.test"), &["user", "history", kept], DENIED);

    // The list says whom fin2 was merged into, in JSON beside the flag.
    says(
        &p.ok(&["user", "list", "--account", ACCOUNT]),
        "left, merged into fin@acme.test",
    );
    let listed = p.json(&["user", "list", "--account", ACCOUNT]);
    let row = listed
        .as_array()
        .expect("a list")
        .iter()
        .find(|m| m["email"] == dup)
        .expect("fin2 is listed")
        .clone();
    assert_eq!(
        (&row["merged_into"], &row["duplicate_of"], &row["status"]),
        (&Value::from(kept), &Value::from(kept), &Value::from("left"))
    );
}

/// "Clicking Duplicate will inform our support team that you have
/// created a duplicate contact, and we will merge them" (000): a member,
/// the owner included, flags a duplicate and the operator merges it. The
/// refusal comes before either person is looked up, so it reads the same
/// for people of other accounts and for nobody, and changes nothing.
#[test]
fn members_flag_duplicates_and_support_merges_them() {
    let p = Portal::new();
    p.member("fin@acme.test", "user");
    p.member("fin2@acme.test", "user");
    p.ok(&["account", "create", "Zeta", "--kind", "partner"]);
    p.member_in("zed@zeta.test", "user", "Zeta");
    let before = p.dump();
    for who in [OWNER, "fin@acme.test"] {
        for dup in ["fin2@acme.test", "zed@zeta.test", "nobody@acme.test"] {
            let err = p.refused_as(
                Some(who),
                &["user", "merge", dup, "--into", "fin@acme.test", "--yes"],
                DENIED,
            );
            assert_eq!(
                err,
                format!(
                    "error: `{who}` may not merge people: support merges duplicates\n\
                     help: flag it with `portalctl user flag-duplicate {dup} --of fin@acme.test`, and support (the operator) merges them\n"
                )
            );
        }
    }
    assert_eq!(p.dump(), before, "nothing changed");
    p.change(
        Some(OWNER),
        &[
            "user", "flag-duplicate", "fin2@acme.test", "--of", "fin@acme.test",
        ],
        "user.flag_duplicate",
    );
    let merged = p.json(&[
        "user", "merge", "fin2@acme.test", "--into", "fin@acme.test", "--yes",
    ]);
    assert_eq!(merged["into"], "fin@acme.test", "{merged}");
}

/// A mistyped address on a database of several accounts is "not found"
/// (exit 3), not a usage error asking for an account that would not find
/// it either: a script's `if portalctl can ...` tells the two apart.
#[test]
fn an_address_in_no_account_is_not_found_whatever_the_accounts() {
    let p = Portal::new();
    p.ok(&["account", "create", "Zeta", "--kind", "partner"]);
    for args in [
        &["user", "show", "nobody@acme.test"][..],
        &["can", "nobody@acme.test", "orders.place"][..],
        &["user", "history", "nobody@acme.test"][..],
        &["user", "set-role", "nobody@acme.test", "user"][..],
    ] {
        let err = p.refused(args, NOT_FOUND);
        assert_eq!(
            error_line(&err),
            "error: `nobody@acme.test` is not a member of any account",
            "{args:?}"
        );
    }
}

/// Inviting someone who is a member already says how to change them, in
/// a command that works as copied, even for a person of two accounts.
#[test]
fn inviting_a_member_again_suggests_a_command_that_works() {
    let p = Portal::new();
    p.ok(&["account", "create", "Zeta", "--kind", "partner"]);
    p.member_in("max@acme.test", "user", ACCOUNT);
    p.member_in("max@acme.test", "user", "Zeta");
    let err = p.refused(
        &[
            "user", "invite", "MAX@ACME.TEST", "--role", "user", "--account", ACCOUNT, "--no-send",
        ],
        CONFLICT,
    );
    let help = err
        .lines()
        .find_map(|l| l.strip_prefix("help: change them with `"))
        .and_then(|rest| rest.strip_suffix('`'))
        .unwrap_or_else(|| panic!("{err}"));
    assert_eq!(
        help,
        format!("portalctl user set-role max@acme.test ROLE --account '{ACCOUNT}'")
    );
    let v = p.json(&[
        "user", "set-role", "max@acme.test", "manager", "--account", ACCOUNT,
    ]);
    assert_eq!(
        (&v["role"], &v["account"]),
        (&Value::from("manager"), &Value::from(ACCOUNT))
    );
}

/// The merge's events for the orders it made decidable are order events:
/// a member who manages users but sees no order reads neither them nor
/// the orders a merge passed on, in the log or in a history.
#[test]
fn a_merges_order_events_are_shown_only_to_who_sees_every_order() {
    let p = Portal::new();
    let (kept, dup) = ("fin@acme.test", "fin2@acme.test");
    p.ok(&[
        "role",
        "create",
        "hr",
        "--capabilities",
        "account.view,users.view,users.manage",
    ]);
    p.member("hal@acme.test", "hr");
    p.member(kept, "admin");
    p.member(dup, "admin");
    p.ok(&[
        "policy", "create", "--name", "Finance", "--threshold", "50.00", "--approvers", dup,
    ]);
    p.json_as(
        Some(OWNER),
        &[
            "order", "place", "--description", "Acquire Contoso", "--amount", "900.00",
        ],
    );
    p.ok(&["user", "merge", dup, "--into", kept, "--yes"]);
    let hal = Some("hal@acme.test");
    p.refused_as(hal, &["order", "list"], DENIED);
    for format in ["ndjson", "csv"] {
        let log = p.run_as(hal, &["audit", "list", "--all", "--format", format]);
        assert_eq!(log.code, SUCCESS, "{}", log.stderr);
        assert!(!log.stdout.contains("order 1"), "{}", log.stdout);
        assert!(log.stdout.contains("user.merge"), "{}", log.stdout);
    }
    let history = p.json_as(hal, &["user", "history", kept]).to_string();
    assert!(!history.contains("orders"), "{history}");
    // The owner sees every order: both.
    let log = p.run_as(
        Some(OWNER),
        &[
            "audit", "list", "--action", "user.merge", "--format", "ndjson",
        ],
    );
    assert!(
        log.stdout.contains("\"user.merge.order\""),
        "{}",
        log.stdout
    );
}

/// An invitation that reached someone else's login (a mistyped address)
/// is fixed by a new email, which re-addresses the invitation alone: the
/// login it reached keeps its address and its other account.
#[test]
fn a_new_email_for_someone_invited_here_readdresses_the_invitation() {
    let p = two_accounts();
    p.member_in("bob@other.test", "staff", "Other");
    let invited = p.run_as(
        Some(ADMIN),
        &[
            "user", "invite", "bob@other.test", "--role", "staff", "--account", ACCOUNT, "--city",
            "London", "--country", "GB", "--no-send",
        ],
    );
    assert_eq!(invited.code, SUCCESS, "{}", invited.stderr);
    let other = p.ok(&["user", "list", "--account", "Other", "--json"]);
    let edited = p.json_as(
        Some(ADMIN),
        &[
            "user", "edit", "bob@other.test", "--new-email", "rob@acme.test", "--account", ACCOUNT,
        ],
    );
    assert_eq!(
        (edited["email"].as_str(), edited["status"].as_str()),
        (Some("rob@acme.test"), Some("invited"))
    );
    assert_eq!(
        p.ok(&["user", "list", "--account", "Other", "--json"]),
        other
    );
    p.refused_as(
        Some(ADMIN),
        &["user", "show", "bob@other.test", "--account", ACCOUNT],
        NOT_FOUND,
    );
}

/// A duplicate flag is the person's, shown in every account of theirs: a
/// member of one of them may not set it on someone who belongs to another
/// (here the other account's owner), and one who manages all of them
/// leaves an event in each, read where the person had joined: Fabrikam,
/// which has only invited them, reads none of it (its invitation shows no
/// flag either).
#[test]
fn flag_duplicate_needs_users_manage_in_every_account_of_the_person() {
    let p = Portal::new();
    p.ok(&["account", "create", "Fabrikam", "--kind", "partner"]);
    p.member_in("fay@fabrikam.test", "admin", "Fabrikam");
    p.ok(&[
        "--as", "fay@fabrikam.test", "user", "invite", OWNER, "--role", "user", "--no-send",
        "--account", "Fabrikam",
    ]);
    let refusal = p.refused_as(
        Some("fay@fabrikam.test"),
        &["user", "flag-duplicate", OWNER, "--of", "fay@fabrikam.test"],
        DENIED,
    );
    says(
        error_line(&refusal),
        "needs `users.manage` in every account they belong to",
    );
    assert!(!refusal.contains(ACCOUNT), "{refusal}");
    let shown = p.json(&["user", "show", OWNER, "--account", ACCOUNT]);
    assert!(shown["duplicate_of"].is_null(), "{shown}");

    p.ok(&[
        "user", "flag-duplicate", OWNER, "--of", "fay@fabrikam.test", "--account", ACCOUNT,
    ]);
    for (who, account, read) in [
        (None, ACCOUNT, 1),
        (None, "Fabrikam", 1),
        (Some(OWNER), ACCOUNT, 1),
        (Some("fay@fabrikam.test"), "Fabrikam", 0),
    ] {
        let events = p.json_as(
            who,
            &[
                "audit", "list", "--action", "user.flag_duplicate", "--account", account,
            ],
        );
        assert_eq!(
            events.as_array().map(Vec::len),
            Some(read),
            "{who:?} in {account}: {events}"
        );
    }
}

/// `user show --at T` shows the duplicate flag as it stood at T, as `user
/// show` shows it now: none before the flag, the person flagged after.
#[test]
fn user_show_at_a_time_shows_the_duplicate_flag_then() {
    let p = Portal::new();
    let (kept, dup) = ("fin@acme.test", "fin2@acme.test");
    p.member(kept, "user");
    p.member(dup, "user");
    let run = p.run_with(
        &["user", "flag-duplicate", dup, "--of", kept],
        &[("PORTALCTL_NOW", "2026-11-26T10:00:00Z")],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let later = [("PORTALCTL_NOW", "2026-11-28T10:00:00Z")];
    let now = p.json_with(&["user", "show", dup], &later);
    assert_eq!(now["duplicate_of"], kept, "{now}");
    let after = p.json_with(
        &["user", "show", dup, "--at", "2026-11-27T10:00:00Z"],
        &later,
    );
    assert_eq!(after["duplicate_of"], now["duplicate_of"], "{after}");
    let before = p.json_with(
        &["user", "show", dup, "--at", "2026-11-25T12:00:00Z"],
        &later,
    );
    assert!(before["duplicate_of"].is_null(), "{before}");
}

/// A notice to support names whom the flag named when it was sent; once
/// the flag is changed, the merge it suggests is refused (a merge cannot
/// be undone), and the one the flag names now goes through.
#[test]
fn a_merge_into_someone_the_flag_no_longer_names_is_refused() {
    let p = Portal::new();
    for who in ["vi@acme.test", "bo@acme.test", "al@acme.test"] {
        p.member(who, "user");
    }
    for of in ["bo@acme.test", "al@acme.test"] {
        p.json(&["user", "flag-duplicate", "vi@acme.test", "--of", of]);
    }
    let err = p.refused(
        &[
            "user", "merge", "vi@acme.test", "--into", "bo@acme.test", "--yes",
        ],
        CONFLICT,
    );
    assert_eq!(
        error_line(&err),
        "error: `vi@acme.test` is flagged a duplicate of `al@acme.test`, not of `bo@acme.test`"
    );
    says(
        &err,
        "portalctl user flag-duplicate vi@acme.test --of bo@acme.test",
    );
    let merged = p.json(&[
        "user", "merge", "vi@acme.test", "--into", "al@acme.test", "--yes",
    ]);
    assert_eq!(merged["into"], "al@acme.test", "{merged}");
}
