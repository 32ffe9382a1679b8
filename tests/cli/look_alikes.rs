//! Names that read as another name: a word mixing scripts, a letter no
//! name is written with, a look-alike of a name held. Refused on every
//! path a name of a list is given, products and custom roles included
//! (findings A2, A5, A9, N5).

use crate::support::{self, Portal, ACCOUNT, CONFLICT, USAGE};

/// `Acme Ltd` a partner (lmp), as licences and prices need.
fn partner() -> Portal {
    Portal::with_preset("lmp")
}

/// A customer's admin cannot rename its account to read as its partner's
/// or a sibling's, whatever letters it borrows; a name of its own in any
/// script, or with a digit, stays a name.
#[test]
fn account_set_name_refuses_names_that_read_as_another() {
    let p = partner();
    p.customer("Fabrikam");
    p.customer("Contoso");
    let before = p.dump();
    for (name, code, says) in [
        (
            "\u{13a0}cme Ltd",
            USAGE,
            "mixes Cherokee and Latin letters in `\u{13a0}cme`",
        ),
        ("Fa\u{299}rikam", USAGE, "holds `\u{299}` (U+0299)"),
        ("Fabrika\u{1d0d}", USAGE, "holds `\u{1d0d}` (U+1D0D)"),
        ("Fabri\u{138}am", USAGE, "an obsolete letter"),
        ("Fa\u{185}rikam", USAGE, "a letter out of common use"),
        (
            "Fabrikarn",
            CONFLICT,
            "looks like the existing account `Fabrikam`",
        ),
    ] {
        let stderr = p.refused(&["account", "set", "Contoso", "--name", name], code);
        support::says(&stderr, says);
        assert_eq!(p.dump(), before, "{name} wrote nothing");
    }
    // A digit is a digit: `1` and `i` read apart (Unicode's confusables
    // do not make them one), and real names hold digits.
    p.ok(&["account", "set", "Contoso", "--name", "Fabr1kam"]);
    p.ok(&[
        "account", "set", "Fabr1kam", "--name", "\u{13e3}\u{13b3}\u{13a9}",
    ]);
}

/// `license purchase` of one seat of `product` for Acme Ltd.
fn buy(product: &str) -> [&str; 9] {
    [
        "license", "purchase", "--product", product, "--seats", "1", "--account", ACCOUNT, "--yes",
    ]
}

/// A partner cannot buy seats of, nor the operator price, a product that
/// reads as one already priced: mixed scripts (exit 2), compatibility
/// letters beside it (exit 4). The product in another case is the one.
#[test]
fn license_products_that_read_as_another_are_refused() {
    let p = partner();
    p.ok(&[
        "license", "price", "set", "--account", ACCOUNT, "--product", "Caf\u{e9} Suite", "--price",
        "5.00",
    ]);
    p.ok(&buy("Caf\u{e9} Suite"));
    let before = p.dump();
    let stderr = p.refused(&buy("\u{421}af\u{e9} Suite"), USAGE);
    support::says(&stderr, "mixes Cyrillic and Latin letters");
    let wide = "\u{ff23}\u{ff21}\u{ff26}\u{ff25}\u{301} SUITE";
    let stderr = p.refused(&buy(wide), CONFLICT);
    support::says(&stderr, "looks like the existing product `Caf\u{e9} Suite`");
    let stderr = p.refused(
        &[
            "license", "price", "set", "--account", ACCOUNT, "--product", wide, "--price", "1.00",
        ],
        CONFLICT,
    );
    support::says(&stderr, "looks like the existing product `Caf\u{e9} Suite`");
    assert_eq!(p.dump(), before);
    p.ok(&buy("CAF\u{c9} SUITE"));
    assert_eq!(
        p.text("SELECT group_concat(product || ' ' || seats) FROM licenses"),
        "Caf\u{e9} Suite 2"
    );
}

/// A custom role cannot read as a role its account sees (`rn` as `m`),
/// live or in `apply`; another name stays a name.
#[test]
fn role_create_refuses_a_look_alike_of_a_role_seen() {
    let p = Portal::new();
    let before = p.dump();
    let stderr = p.refused(
        &[
            "role", "create", "adrnin", "--capabilities", "portal.access",
        ],
        CONFLICT,
    );
    support::says(
        &stderr,
        "error: role `adrnin` looks like the existing role `admin`",
    );
    p.refused(
        &[
            "role", "create", "rnanager", "--capabilities", "portal.access", "--account", ACCOUNT,
        ],
        CONFLICT,
    );
    let file = r#"{"roles":[{"name":"rnanager","capabilities":["portal.access"]}]}"#;
    let run = p.apply_stdin(&["--no-send"], &[], file);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    support::says(
        &run.stderr,
        "roles[0]: role `rnanager` looks like the existing role `manager`",
    );
    assert_eq!(p.dump(), before);
    p.ok(&["role", "create", "buyer", "--capabilities", "portal.access"]);
}

/// `apply` names the field refused and where the other name is: a
/// look-alike of an account listed earlier in the same file is that
/// entry's, not an `existing` one's, and no `parent` the entry lacks.
#[test]
fn apply_names_the_look_alike_name_and_where_the_other_is() {
    let p = partner();
    let before = p.dump();
    let file = r#"{"accounts":[{"name":"Cope Ltd","kind":"partner","currency":"GBP"},{"name":"\u0421\u043e\u0440\u0435 Ltd","kind":"partner","currency":"GBP"}]}"#;
    let run = p.apply_stdin(&["--no-send"], &[], file);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    assert_eq!(
        support::error_line(&run.stderr),
        "error: accounts[1].name: account `\u{421}\u{43e}\u{440}\u{435} Ltd` looks like the existing account `Cope Ltd` (listed at `accounts[0]` of this file)"
    );
    assert_eq!(p.dump(), before);
    // One the database holds is named as held, at the name.
    p.ok(&["account", "create", "Cope Ltd", "--kind", "partner"]);
    let file = r#"{"accounts":[{"name":"\u0421\u043e\u0440\u0435 Ltd","kind":"partner"}]}"#;
    let run = p.apply_stdin(&["--no-send"], &[], file);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    support::says(
        &run.stderr,
        "error: accounts[0].name: account `\u{421}\u{43e}\u{440}\u{435} Ltd` looks like the existing account `Cope Ltd`\n",
    );
    // A product is refused at its name.
    let file = r#"{"accounts":[{"name":"Acme Ltd","licenses":[{"product":"\u0421afe Suite","seats":1}],"prices":[]}]}"#;
    let run = p.apply_stdin(&["--no-send"], &[], file);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    support::says(
        &run.stderr,
        "error: accounts[0].licenses[0].product: the product",
    );
}

/// A product an older version let in that reads as another is named by
/// `status`, as other names are.
#[test]
fn status_names_products_that_read_as_another() {
    let p = partner();
    p.ok(&[
        "license", "purchase", "--product", "Tea Suite", "--seats", "1", "--account", ACCOUNT,
        "--yes",
    ]);
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.execute(
        "UPDATE licenses SET product = 'T\u{435}a Suite' WHERE product = 'Tea Suite'",
        [],
    )
    .unwrap();
    support::says(
        &p.ok(&["status"]),
        "name: licence product `T\u{435}a Suite` in `Acme Ltd` mixes Latin and Cyrillic letters in a word",
    );
}

/// A custom role an older version let in beside the role it reads as
/// is named by `status`, as its copy would refuse it.
#[test]
fn status_names_a_custom_role_that_reads_as_a_role_seen() {
    let p = Portal::new();
    p.ok(&[
        "role", "create", "buyer", "--capabilities", "portal.access", "--account", ACCOUNT,
    ]);
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.execute("UPDATE roles SET name = 'adrnin' WHERE name = 'buyer'", [])
        .unwrap();
    support::says(
        &p.ok(&["status"]),
        "name: role `adrnin` in `Acme Ltd` looks like the role `admin`, so a copy",
    );
}

/// A name all in Lisu capitals reads as the capitals of a Latin name:
/// `ꓲ`, which Unicode's confusables read as `l`, reads as the `I` of
/// `FABRIKAM` too (finding B11). Refused as an account's new name and as
/// a product, and named by `status` where an older version let it in.
#[test]
fn a_name_in_capitals_whose_i_reads_as_l_is_a_look_alike() {
    let p = partner();
    p.customer("Fabrikam");
    p.customer("Contoso");
    let lisu = "\u{a4dd}\u{a4ee}\u{a4d0}\u{a4e3}\u{a4f2}\u{a4d7}\u{a4ee}\u{a4df}";
    p.ok(&[
        "license", "price", "set", "--account", ACCOUNT, "--product", "Office Suite", "--price",
        "5.00",
    ]);
    let before = p.dump();
    let stderr = p.refused(&["account", "set", "Contoso", "--name", lisu], CONFLICT);
    support::says(&stderr, "looks like the existing account `Fabrikam`");
    let office =
        "\u{a4f3}\u{a4dd}\u{a4dd}\u{a4f2}\u{a4da}\u{a4f0} \u{a4e2}\u{a4f4}\u{a4f2}\u{a4d4}\u{a4f0}";
    let stderr = p.refused(&buy(office), CONFLICT);
    support::says(&stderr, "looks like the existing product `Office Suite`");
    assert_eq!(p.dump(), before);
    // A name of its own in Lisu (`LISU`) stays a name.
    p.ok(&[
        "account",
        "set",
        "Contoso",
        "--name",
        "\u{a4e1}\u{a4f2}\u{a4e2}\u{a4f4}",
    ]);
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.execute(
        "UPDATE accounts SET name = ?1 WHERE name = ?2",
        [lisu, "\u{a4e1}\u{a4f2}\u{a4e2}\u{a4f4}"],
    )
    .unwrap();
    support::says(
        &p.ok(&["status"]),
        &format!("name: account `{lisu}` looks like `Fabrikam`, written in other letters"),
    );
}

/// Cost centres and services are names picked from their account's
/// lists (`order place --cost-centre`, `service list`): a word mixing
/// scripts or a letter no name is written with is refused (exit 2), and
/// one that reads as another of the account (exit 4), on create, rename
/// and `apply` (findings B3, F3). Nothing is written.
#[test]
fn cost_centre_and_service_names_that_read_as_another_are_refused() {
    let p = Portal::new();
    p.ok(&["cost-centre", "create", "SALES", "--name", "Sales"]);
    p.ok(&["cost-centre", "create", "OPS", "--name", "Operations"]);
    p.ok(&[
        "service", "add", "--name", "Broadband HQ", "--kind", "broadband",
    ]);
    let before = p.dump();
    for (args, code, says) in [
        (
            vec!["cost-centre", "create", "S5", "--name", "\u{405}ales"],
            USAGE,
            "error: the cost centre name `\u{405}ales` mixes Cyrillic and Latin letters",
        ),
        (
            vec!["cost-centre", "create", "S6", "--name", "Fa\u{299}rik"],
            USAGE,
            "holds `\u{299}` (U+0299)",
        ),
        (
            vec!["cost-centre", "rename", "OPS", "--name", "\u{13da}ales"],
            USAGE,
            "mixes Cherokee and Latin letters in `\u{13da}ales`",
        ),
        (
            vec!["cost-centre", "create", "S7", "--name", "SALES"],
            CONFLICT,
            "error: `Acme Ltd` already has a cost centre named `Sales`",
        ),
        (
            vec!["cost-centre", "rename", "OPS", "--name", "\u{ff33}ales"],
            CONFLICT,
            "error: cost centre `\u{ff33}ales` looks like the existing cost centre `Sales`",
        ),
        (
            vec!["service", "add", "--name", "\u{412}roadband HQ"],
            USAGE,
            "error: the service name `\u{412}roadband HQ` mixes Cyrillic and Latin letters",
        ),
        (
            vec!["service", "add", "--name", "Broadband \u{ff28}\u{ff31}"],
            CONFLICT,
            "error: service `Broadband \u{ff28}\u{ff31}` looks like the existing service `Broadband HQ`",
        ),
    ] {
        let stderr = p.refused(&args, code);
        support::says(&stderr, says);
        assert_eq!(p.dump(), before, "{args:?} wrote nothing");
    }
    let file =
        r#"{"accounts":[{"name":"Acme Ltd","cost_centres":[{"code":"S8","name":"SALES"}]}]}"#;
    let run = p.apply_stdin(&["--no-send"], &[], file);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    support::says(
        &run.stderr,
        "error: accounts[0].cost_centres[0]: `Acme Ltd` already has a cost centre named `Sales`",
    );
    assert_eq!(p.dump(), before);
    // A name of its own stays a name, in any script, and renaming one to
    // its own name in another case is no second name.
    p.ok(&[
        "cost-centre", "create", "CH", "--name", "\u{13e3}\u{13b3}\u{13a9}",
    ]);
    p.ok(&["cost-centre", "rename", "SALES", "--name", "SALES"]);
}

/// Cost centres and services an older version let in that read as
/// another of their account are named by `status`, as a copy of the
/// database would refuse them.
#[test]
fn status_names_cost_centres_and_services_that_read_as_another() {
    let p = Portal::new();
    p.ok(&["cost-centre", "create", "FIN", "--name", "Finance"]);
    p.ok(&["cost-centre", "create", "FIN2", "--name", "Funds"]);
    p.ok(&["cost-centre", "create", "FIN3", "--name", "Fees"]);
    p.ok(&["service", "add", "--name", "Broadband HQ"]);
    p.ok(&["service", "add", "--name", "Line"]);
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.execute_batch(
        "UPDATE cost_centres SET name = 'FINANCE' WHERE code = 'FIN2';
         UPDATE cost_centres SET name = 'F\u{456}nance' WHERE code = 'FIN3';
         UPDATE services SET name = 'Broadband \u{ff28}\u{ff31}' WHERE name = 'Line';",
    )
    .unwrap();
    let status = p.ok(&["status"]);
    for says in [
        "name: cost centre name `FINANCE` in `Acme Ltd` reads as `Finance` too, so a copy",
        "name: cost centre name `F\u{456}nance` in `Acme Ltd` mixes Latin and Cyrillic letters in a word",
        "name: service name `Broadband \u{ff28}\u{ff31}` in `Acme Ltd` looks like `Broadband HQ`, written in other letters",
    ] {
        support::says(&status, says);
    }
}

/// A refused address quotes the word as it was typed: Cherokee small
/// `ꭺ`, which the domain's IDNA form keeps as its capital `Ꭺ`, is quoted
/// small (finding F8).
#[test]
fn a_refused_address_quotes_the_word_as_typed() {
    let p = Portal::new();
    let stderr = p.refused(
        &[
            "user", "invite", "x@\u{ab7a}cme.test", "--role", "user", "--no-send",
        ],
        USAGE,
    );
    support::says(&stderr, "letters in `\u{ab7a}cme`, and so reads");
    assert!(!stderr.contains('\u{13aa}'), "{stderr}");
}

/// The loose skeletons migration 33 adds are written for the names an
/// older version holds: an account made before it is found as a
/// look-alike after (finding B11).
#[test]
fn names_held_before_migration_33_are_found_as_look_alikes() {
    let p = partner();
    p.customer("Fabrikam");
    p.customer("Contoso");
    p.ok(&[
        "cost-centre", "create", "FIN", "--name", "Finance", "--account", ACCOUNT,
    ]);
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        support::rewind(&conn, support::version_before("0033_loose_skeletons.sql"));
    }
    // Any command migrates.
    p.ok(&["status"]);
    let lisu = "\u{a4dd}\u{a4ee}\u{a4d0}\u{a4e3}\u{a4f2}\u{a4d7}\u{a4ee}\u{a4df}";
    let stderr = p.refused(&["account", "set", "Contoso", "--name", lisu], CONFLICT);
    support::says(&stderr, "looks like the existing account `Fabrikam`");
    let stderr = p.refused(
        &[
            "cost-centre", "create", "F2", "--name", "FINANCE", "--account", ACCOUNT,
        ],
        CONFLICT,
    );
    support::says(&stderr, "already has a cost centre named `Finance`");
}

/// D6: a cost-centre code is typed by admins and shown in order lists,
/// so one that reads as a code the account holds (`0PS` beside `OPS`,
/// zero for O) is refused (exit 4, naming it, nothing changed), as a
/// look-alike name is; a code of its own is taken.
#[test]
fn a_cost_centre_code_that_reads_as_another_is_refused() {
    let p = Portal::new();
    p.ok(&["cost-centre", "create", "OPS", "--name", "Operations"]);
    let err = p.refused(
        &["cost-centre", "create", "0PS", "--name", "Other ops"],
        CONFLICT,
    );
    support::says(
        support::error_line(&err),
        &format!("cost centre code `0PS` looks like the existing cost centre `OPS` of `{ACCOUNT}`"),
    );
    p.ok(&["cost-centre", "create", "OPS-2", "--name", "Other ops"]);
}
