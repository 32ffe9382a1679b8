//! Refusals tell a member nothing about what they cannot see: every
//! command that names an account or a person answers a member the same,
//! word for word, whether the account or person exists outside their
//! sight, was merged away, or never existed. A new command that looks
//! something up before checking the actor's right shows up here.

use crate::support::{Portal, ACCOUNT, SUCCESS};

const PLAIN: &str = "ann@acme.test";
const ADMIN: &str = "adam@acme.test";

/// Acme Ltd with a plain member and an admin; a partner `Other` they are
/// not members of, with an admin, a member and a duplicate merged into
/// that member.
fn portal() -> Portal {
    Portal::cached("leaks", || {
        let p = Portal::init("portal");
        p.member(PLAIN, "user");
        p.member(ADMIN, "admin");
        p.ok(&["account", "create", "Other", "--kind", "partner"]);
        for (email, role) in [
            ("bob@other.test", "admin"),
            ("dave@other.test", "user"),
            ("carol@other.test", "user"),
        ] {
            p.member_in(email, role, "Other");
        }
        p.ok(&[
            "user", "flag-duplicate", "carol@other.test", "--of", "dave@other.test",
        ]);
        p.ok(&[
            "user", "merge", "carol@other.test", "--into", "dave@other.test", "--yes",
        ]);
        p.ok(&["service", "add", "--name", "Line 1", "--account", ACCOUNT]);
        p
    })
}

/// Runs `template` with `{}` replaced by each of `names` as `actor`, and
/// asserts one answer for all: the same exit code, and the same message
/// once the name asked for is blanked out. Returns that code.
#[track_caller]
fn one_answer(p: &Portal, actor: &str, template: &[&str], names: &[&str]) -> i32 {
    let answers: Vec<(i32, String)> = names
        .iter()
        .map(|name| {
            let args: Vec<String> = template.iter().map(|a| a.replace("{}", name)).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, said) = p.answer_in_process(Some(actor), &args);
            (code, said.replace(name, "{}"))
        })
        .collect();
    for (answer, name) in answers.iter().zip(names) {
        assert_eq!(
            *answer,
            answers[0],
            "`{}` as {actor} tells `{name}` from `{}` apart",
            template.join(" "),
            names[0]
        );
    }
    answers[0].0
}

/// Every command that names an account, with `{}` for its name.
const ACCOUNT_COMMANDS: &[&[&str]] = &[
    &["account", "show", "{}"],
    &["account", "set", "{}", "--phone", "1"],
    &["account", "address", "list", "--account", "{}"],
    &["user", "list", "--account", "{}"],
    &["user", "show", "bob@other.test", "--account", "{}"],
    &[
        "user", "invite", "--email", "z@z.test", "--name", "Z", "--role", "user", "--account", "{}",
    ],
    &["can", ADMIN, "portal.access", "--account", "{}"],
    &["service", "list", "--account", "{}"],
    &["service", "add", "--name", "S", "--account", "{}"],
    &["order", "list", "--account", "{}"],
    &[
        "order", "place", "--description", "X", "--amount", "1", "--account", "{}",
    ],
    &["policy", "list", "--account", "{}"],
    &["cost-centre", "list", "--account", "{}"],
    &["audit", "list", "--account", "{}"],
    &[
        "role", "create", "r9", "--capabilities", "portal.access", "--account", "{}",
    ],
    &["role", "delete", "--yes", "user", "--account", "{}"],
    &[
        "account", "create", "Sub", "--kind", "customer", "--parent", "{}",
    ],
    &["external-admin", "list", "--customer", "{}"],
    // A customer's own members may add external admins too (002).
    &[
        "external-admin", "add", "--customer", "{}", "--email", ADMIN, "--role", "user",
    ],
    // A parent partner's `customers.manage` reaches customers' addresses.
    &[
        "account", "address", "add", "{}", "--label", "L", "--line1", "1 A St", "--city", "York",
        "--postcode", "YO1 1AA", "--country", "GB",
    ],
    &[
        "license", "allocate", "--product", "P", "--customer", "{}", "--seats", "1", "--ship-to",
        "HQ",
    ],
    &["license", "list", "--account", "{}"],
    &["license", "price", "list", "--account", "{}"],
    &[
        "license", "price", "set", "--product", "P", "--price", "1", "--account", "{}",
    ],
    &[
        "license", "price", "remove", "--product", "P", "--account", "{}",
    ],
    &["account", "rfi", "--customer", "{}"],
    &["account", "set", "{}", "--billing-contact", "b@other.test"],
    &[
        "course", "progress", ADMIN, "Onboarding", "--percent", "10", "--account", "{}",
    ],
];

/// Refuses every account command, and filters alike, as one answer for
/// each of `names`.
#[track_caller]
fn accounts_unknown(p: &Portal, actor: &str, names: &[&str]) {
    for template in ACCOUNT_COMMANDS {
        let code = one_answer(p, actor, template, names);
        assert_ne!(code, SUCCESS, "`{}` as {actor}", template.join(" "));
    }
    // A member's `--customer` filters the licences they see.
    one_answer(p, actor, &["license", "list", "--customer", "{}"], names);
}

#[test]
fn a_member_learns_nothing_about_accounts_they_are_not_in() {
    let p = portal();
    for actor in [PLAIN, ADMIN] {
        accounts_unknown(&p, actor, &["Other", "Nope", "other"]);
    }
}

/// An order's number, a file or a command naming an account tells a
/// member of a partner nothing about the partner's customers unless they
/// manage them (`customers.manage`, as `account list` shows them): order
/// N of such a customer reads as no order at all, and the customer as no
/// account.
#[test]
fn a_partner_member_learns_nothing_of_customers_they_do_not_manage() {
    let p = Portal::init("portal");
    p.ok(&["account", "create", "Part", "--kind", "partner"]);
    p.member_in(PLAIN, "user", "Part");
    p.ok(&[
        "account", "create", "Zeta", "--kind", "customer", "--parent", "Part",
    ]);
    p.member_in("cara@zeta.test", "admin", "Zeta");
    let order = p.json_as(
        Some("cara@zeta.test"),
        &[
            "order", "place", "--description", "Chair", "--amount", "5.00",
        ],
    );
    let theirs = order["id"].as_i64().unwrap().to_string();
    let commands: &[&[&str]] = &[
        &["order", "show", "{}"],
        &["order", "approve", "{}"],
        &["order", "reject", "{}", "--reason", "no"],
        &["order", "cancel", "{}", "--reason", "no"],
    ];
    for template in commands {
        one_answer(&p, PLAIN, template, &[&theirs, "999"]);
    }
    let dir = tempfile::tempdir().unwrap();
    for parent in ["", r#", "parent": "Part""#] {
        for name in ["Zeta", "Nope", "zeta"] {
            let file = dir.path().join(format!("{name}.json"));
            std::fs::write(
                &file,
                format!(r#"{{"accounts": [{{"name": "{name}"{parent}}}]}}"#),
            )
            .unwrap();
        }
        let template = dir.path().join("{}.json");
        let code = one_answer(
            &p,
            PLAIN,
            &["apply", template.to_str().unwrap()],
            &["Zeta", "Nope", "zeta"],
        );
        assert_ne!(code, SUCCESS);
    }
    // Nor does naming the customer in any command, whatever their
    // standing in the partner short of managing its customers.
    p.member_in("max@acme.test", "manager", "Part");
    p.member_in("nora@acme.test", "no-access", "Part");
    for actor in [PLAIN, "max@acme.test", "nora@acme.test"] {
        accounts_unknown(&p, actor, &["Zeta", "Nope", "zeta"]);
    }
}

#[test]
fn a_member_learns_nothing_about_people_outside_their_sight() {
    let p = portal();
    // Someone in another account, a duplicate merged into them, and an
    // address nobody has.
    let people = ["bob@other.test", "carol@other.test", "nobody@other.test"];
    let commands: &[&[&str]] = &[
        &["user", "show", "{}"],
        &["user", "courses", "{}"],
        &["course", "progress", "{}", "Onboarding", "--percent", "10"],
        &["course", "progress", "{}", "Onboarding", "--completed"],
        &["can", "{}", "portal.access"],
        &["user", "set-role", "{}", "user"],
        &["user", "grant", "{}", "billing.view"],
        &["user", "deactivate", "--yes", "{}"],
        // Without --yes, the rehearsal before the prompt answers alike.
        &["user", "deactivate", "{}"],
        &["user", "left-company", "{}"],
        &["user", "revoke-invite", "{}"],
        &["user", "activate", "{}"],
        &["user", "left-company", "{}", "--yes"],
        &["user", "edit", "{}", "--name", "X"],
        &["user", "edit", "{}", "--new-email", "x@acme.test"],
        &["user", "resend-invite", "{}"],
        &["user", "revoke-invite", "--yes", "{}"],
        &["user", "flag-duplicate", "{}", "--of", PLAIN],
        &["user", "flag-duplicate", PLAIN, "--of", "{}"],
        &["user", "merge", "{}", "--into", PLAIN, "--yes"],
        &["user", "merge", PLAIN, "--into", "{}", "--yes"],
        &["user", "transfer-ownership", "--to", "{}"],
        &["service", "assign", "Line 1", "--to", "{}"],
        &[
            "policy", "create", "--name", "P", "--threshold", "10", "--approvers", "{}",
        ],
        &["order", "list", "--created-by", "{}"],
    ];
    for actor in [PLAIN, ADMIN] {
        for template in commands {
            let code = one_answer(&p, actor, template, &people);
            assert_ne!(code, SUCCESS, "`{}` as {actor}", template.join(" "));
        }
    }
}

#[test]
fn the_operator_is_told_what_a_merged_address_became() {
    let p = portal();
    let err = p.refused(&["user", "show", "carol@other.test"], 4);
    assert!(err.contains("merged into `dave@other.test`"), "{err}");
    // A member who can see the kept person is told too.
    let err = p.refused_as(
        Some("bob@other.test"),
        &["user", "show", "carol@other.test"],
        4,
    );
    assert!(err.contains("merged into `dave@other.test`"), "{err}");
}

#[test]
fn a_new_email_that_is_taken_reads_the_same_whoever_has_it() {
    // Someone in an account the admin cannot see, and a duplicate merged
    // away: both addresses are taken, and the refusal says no more.
    let p = portal();
    let code = one_answer(
        &p,
        ADMIN,
        &["user", "edit", PLAIN, "--new-email", "{}"],
        &["bob@other.test", "carol@other.test"],
    );
    assert_eq!(code, crate::support::CONFLICT);
    // A member who may not change the email learns nothing of the address.
    let code = one_answer(
        &p,
        PLAIN,
        &["user", "edit", ADMIN, "--new-email", "{}"],
        &["bob@other.test", "carol@other.test", "nobody@other.test"],
    );
    assert_ne!(code, SUCCESS);
}

/// A member who sees only the services assigned to them learns nothing of
/// the others: by name or by number, one assigned to nobody else reads as
/// one that is not there.
#[test]
fn a_member_learns_nothing_of_services_not_assigned_to_them() {
    let p = portal();
    let id = p.json(&["service", "show", "Line 1", "--account", ACCOUNT])["id"].to_string();
    one_answer(&p, PLAIN, &["service", "show", "{}"], &["Line 1", "Nope"]);
    let code = one_answer(&p, PLAIN, &["service", "show", "{}"], &[&id, "999"]);
    assert_eq!(code, crate::support::NOT_FOUND);
    // Nor may one who assigns services but sees only their own take one
    // over, or take it back from someone.
    p.ok(&[
        "role",
        "create",
        "assigner",
        "--account",
        ACCOUNT,
        "--capabilities",
        "portal.access,account.view,services.view_assigned,services.assign",
    ]);
    p.member("asa@acme.test", "assigner");
    for template in [
        &[
            "service", "assign", "{}", "--to", "asa@acme.test", "--account", ACCOUNT,
        ][..],
        &["service", "unassign", "{}", "--account", ACCOUNT],
    ] {
        for names in [["Line 1", "Nope"], [id.as_str(), "999"]] {
            let code = one_answer(&p, "asa@acme.test", template, &names);
            assert_eq!(code, crate::support::NOT_FOUND, "{}", template.join(" "));
        }
    }
}

/// Order numbers of their own account tell a member nothing of orders
/// they may not see: someone else's order, to one who sees only their
/// own, reads as a number nobody has; one who sees none is refused alike
/// for any number.
#[test]
fn a_member_learns_nothing_of_orders_they_may_not_see() {
    let p = Portal::init("portal");
    p.ok(&[
        "role",
        "create",
        "placer",
        "--capabilities",
        "portal.access,account.view,orders.place",
    ]);
    p.member("pat@acme.test", "placer");
    p.member(PLAIN, "user");
    p.member("max@acme.test", "manager");
    p.ok(&["policy", "create", "--name", "All", "--threshold", "0"]);
    let order = p.json_as(
        Some("max@acme.test"),
        &["order", "place", "--description", "Desk", "--amount", "5"],
    );
    let theirs = order["id"].to_string();
    let commands: &[&[&str]] = &[
        &["order", "show", "{}"],
        &["order", "approve", "{}"],
        &["order", "reject", "{}", "--reason", "no"],
        &["order", "cancel", "{}", "--reason", "no"],
    ];
    p.member("nob@acme.test", "no-access");
    for (actor, code) in [
        ("pat@acme.test", crate::support::NOT_FOUND),
        (PLAIN, crate::support::DENIED),
        ("nob@acme.test", crate::support::DENIED),
    ] {
        for template in commands {
            let answer = one_answer(&p, actor, template, &[&theirs, "999"]);
            assert_eq!(answer, code, "`{}` as {actor}", template.join(" "));
        }
    }
    // Their own order they see, and are told why they may not decide it.
    let mine = p.json_as(
        Some("pat@acme.test"),
        &["order", "place", "--description", "Pen", "--amount", "1"],
    );
    let (code, said) = p.answer_in_process(
        Some("pat@acme.test"),
        &["order", "approve", &mine["id"].to_string()],
    );
    assert_eq!(code, crate::support::DENIED, "{said}");
    // Named to decide the order, they see it, and may cancel it.
    p.ok(&[
        "policy", "edit", "All", "--approvers", "pat@acme.test,ann@acme.test",
    ]);
    for who in ["pat@acme.test", PLAIN] {
        let shown = p.json_as(Some(who), &["order", "show", &theirs]);
        assert_eq!(shown["status"], "pending", "{who}: {shown}");
    }
    p.json_as(
        Some(PLAIN),
        &["order", "cancel", &theirs, "--reason", "dup"],
    );
}

/// A duplicate flag the operator set across accounts says, to a member
/// who cannot see the other person, only that there is one: in `user
/// show` and `user list` (table and JSON alike), their export and the
/// audit log, whose JSON keeps `duplicate_of` a string.
#[test]
fn a_duplicate_flag_does_not_name_a_person_outside_the_viewers_sight() {
    let p = portal();
    p.ok(&["user", "flag-duplicate", PLAIN, "--of", "bob@other.test"]);
    let hidden = "another person you cannot see";
    let show = p.run_as(Some(ADMIN), &["user", "show", PLAIN]);
    assert_eq!(show.code, SUCCESS, "{}", show.stderr);
    assert!(show.stdout.contains(hidden), "{}", show.stdout);
    let json = p.json_as(Some(ADMIN), &["user", "show", PLAIN]);
    assert_eq!(json["duplicate_of"], hidden);
    let list = p.run_as(Some(ADMIN), &["user", "list"]);
    assert!(list.stdout.contains(hidden), "{}", list.stdout);
    for args in [
        &["user", "show", PLAIN][..],
        &["user", "list"],
        &["--json", "user", "list"],
        &["export"],
        &["--json", "audit", "list", "--all"],
        &["audit", "list", "--all"],
    ] {
        let run = p.run_as(Some(ADMIN), args);
        assert_eq!(run.code, SUCCESS, "{args:?}: {}", run.stderr);
        assert!(
            !run.stdout.contains("bob@other.test"),
            "{args:?} names bob: {}",
            run.stdout
        );
    }
    // The operator, who sees everyone, reads whom.
    let json = p.json(&["user", "show", PLAIN]);
    assert_eq!(json["duplicate_of"], "bob@other.test");
    // What the admin was shown in bob's place is not what the log keeps:
    // a change the admin makes is recorded with whom the flag names.
    let run = p.run_as(Some(ADMIN), &["user", "set-role", PLAIN, "manager"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    let event = p.last_event();
    assert_eq!(event["action"], "user.set_role", "{event}");
    assert_eq!(event["before"]["duplicate_of"], "bob@other.test", "{event}");
    assert_eq!(event["after"]["duplicate_of"], "bob@other.test", "{event}");
    let stored = "SELECT COUNT(*) FROM audit_events WHERE before || after LIKE '%you cannot see%'";
    assert_eq!(p.text(stored), "0");
}
