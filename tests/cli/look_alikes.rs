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
