//! A member's `apply` tells them no more than they could see by hand: a
//! file that matches a value hidden from them is answered as one that
//! does not, word for word, dry run or not, and changes nothing; and what
//! their own export writes applies back as a no-op.

use crate::support::{Portal, SUCCESS};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json");
const LMP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-lmp.json");

fn applied(key: &str, file: &'static str) -> Portal {
    Portal::cached(key, || {
        let p = Portal::empty();
        p.ok(&["apply", file]);
        p
    })
}

/// Applies `template` with `{}` replaced by each guess as `actor`, dry and
/// not, and asserts one answer for all (the same exit code, the same
/// stdout and stderr once the guess is blanked out), none changing the
/// database. Returns that exit code and stderr.
#[track_caller]
fn one_answer(p: &Portal, actor: &str, template: &str, guesses: &[&str]) -> (i32, String) {
    let file = p.db.with_file_name("guess.json");
    let path = file.to_str().unwrap();
    let before = p.dump();
    let mut answers = Vec::new();
    for dry in [true, false] {
        for guess in guesses {
            std::fs::write(&file, template.replace("{}", guess)).unwrap();
            let args: &[&str] = if dry {
                &["apply", "--dry-run", path]
            } else {
                &["apply", path]
            };
            let run = p.run_as(Some(actor), args);
            assert_eq!(p.dump(), before, "`{guess}` changed the database");
            let blank = |s: &str| s.replace(guess, "GUESS");
            answers.push((dry, run.code, blank(&run.stdout), blank(&run.stderr)));
        }
    }
    for pair in answers.chunks(guesses.len()) {
        for (i, a) in pair.iter().enumerate().skip(1) {
            assert_eq!(
                a, &pair[0],
                "`{}` and `{}` answer apart",
                guesses[i], guesses[0]
            );
        }
    }
    (answers[0].1, answers[0].3.clone())
}

/// A#10: whom a member's duplicate is flagged as, when the member may not
/// see that person, is not confirmed by a file naming them.
#[test]
fn a_duplicate_flag_to_someone_unseen_is_not_confirmed_by_a_file() {
    let p = applied("apply examples/demo.json", DEMO);
    p.ok(&[
        "user", "flag-duplicate", "una@acme.test", "--of", "carl@contoso.test",
    ]);
    let template = r#"{"people":[{"email":"una@acme.test","duplicate_of":"{}"}]}"#;
    let (code, stderr) = one_answer(
        &p,
        "fiona@acme.test",
        template,
        &[
            "carl@contoso.test", "cleo@contoso.test", "nobody@contoso.test",
        ],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.starts_with("error: people[0].duplicate_of: no user `GUESS`"),
        "{stderr}"
    );
}

/// A#19: a member reads an IBAN only masked, so a file of theirs giving
/// the whole IBAN is never found to match it: one who may not set it is
/// refused alike, one who may is planned an update alike.
#[test]
fn a_guessed_iban_is_not_confirmed_to_a_member_who_sees_it_masked() {
    let p = applied("apply examples/demo-lmp.json", LMP);
    let template = r#"{"accounts":[{"name":"Northwind Partners","payment":{"method":"direct-debit","iban":"{}"}}]}"#;
    let guesses = ["GB82WEST12345698765432", "GB12WEST12345698765431"];
    let (code, stderr) = one_answer(&p, "vi@northwind.test", template, &guesses);
    assert_eq!(code, 5, "{stderr}");
    assert!(stderr.contains("needs `billing.payment`"), "{stderr}");
    let file = p.db.with_file_name("iban.json");
    for guess in guesses {
        std::fs::write(&file, template.replace("{}", guess)).unwrap();
        let plan = p.json_as(
            Some("bo@northwind.test"),
            &["apply", "--dry-run", file.to_str().unwrap()],
        );
        let line = plan["plan"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kind"] == "payment")
            .cloned()
            .unwrap();
        assert_eq!(line["action"], "update", "{guess}: {line}");
    }
    // The operator, who sees it whole, is told it matches.
    std::fs::write(&file, template.replace("{}", guesses[0])).unwrap();
    let plan = p.json(&["apply", "--dry-run", file.to_str().unwrap()]);
    assert_eq!(plan["updated"], 0, "{plan}");
}

/// A#20: a member who may not see the account's users (nor manage its
/// external admins) is refused any external admin but themselves, alike.
#[test]
fn external_admins_are_not_confirmed_to_a_member_who_may_not_see_them() {
    let p = applied("apply examples/demo.json", DEMO);
    p.ok(&[
        "external-admin", "add", "una@acme.test", "--customer", "Contoso", "--role", "user",
    ]);
    let template =
        r#"{"accounts":[{"name":"Contoso","external_admins":[{"email":"{}","role":"user"}]}]}"#;
    let (code, stderr) = one_answer(
        &p,
        "cleo@contoso.test",
        template,
        &["una@acme.test", "max@acme.test", "nobody@acme.test"],
    );
    assert_eq!(code, 5, "{stderr}");
    assert!(
        stderr.starts_with("error: accounts[0].external_admins[0]: a member lists the external admins only of accounts where they may see them"),
        "{stderr}"
    );
    let template = r#"{"accounts":[{"name":"Contoso","external_admins":[{"email":"una@acme.test","role":"{}"}]}]}"#;
    one_answer(&p, "cleo@contoso.test", template, &["user", "manager"]);
}

/// A#11 (apply): a member who sees only the services assigned to them
/// lists no other: a name taken by a service they may not see reads as a
/// free one.
#[test]
fn a_service_name_the_member_may_not_see_reads_as_a_free_one() {
    let p = applied("apply examples/demo.json", DEMO);
    p.ok(&[
        "role",
        "create",
        "svc",
        "--account",
        "Acme Ltd",
        "--capabilities",
        "portal.access,account.view,services.view_assigned,services.assign",
    ]);
    p.ok(&[
        "user", "set-role", "una@acme.test", "svc", "--account", "Acme Ltd",
    ]);
    let template =
        r#"{"accounts":[{"name":"Acme Ltd","services":[{"name":"{}","kind":"mobile"}]}]}"#;
    let (code, stderr) = one_answer(
        &p,
        "una@acme.test",
        template,
        &["Mobile 07700 900123", "Unused name"],
    );
    assert_eq!(code, 5, "{stderr}");
    assert!(
        stderr.contains("lists only the services assigned to them"),
        "{stderr}"
    );
}

/// What a member's own export writes (with a flag naming someone they may
/// not see, and external admins) applies back as them, changing nothing.
#[test]
fn a_members_own_export_applies_back_as_a_no_op() {
    let p = applied("apply examples/demo.json", DEMO);
    p.ok(&[
        "user", "flag-duplicate", "una@acme.test", "--of", "carl@contoso.test",
    ]);
    p.ok(&[
        "external-admin", "add", "una@acme.test", "--customer", "Contoso", "--role", "user",
    ]);
    let file = p.db.with_file_name("mine.json");
    for (actor, account) in [
        ("fiona@acme.test", "Acme Ltd"),
        ("carl@contoso.test", "Contoso"),
    ] {
        let run = p.run_as(Some(actor), &["export", "--account", account]);
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        std::fs::write(&file, &run.stdout).unwrap();
        let before = p.dump();
        let plan = p.json_as(Some(actor), &["apply", "--dry-run", file.to_str().unwrap()]);
        assert_eq!(
            (&plan["created"], &plan["updated"], &plan["removed"]),
            (&0.into(), &0.into(), &0.into()),
            "{actor}: {plan}"
        );
        let done = p.json_as(Some(actor), &["apply", file.to_str().unwrap()]);
        assert_eq!(done["updated"], 0, "{actor}: {done}");
        assert_eq!(p.dump(), before, "{actor}");
    }
}
