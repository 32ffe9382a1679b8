//! Names an older version let into the database that today's rules would
//! refuse: two that now read as one (`Ærø Shop` and `ærø shop`, `Ärø`
//! composed and decomposed, `Acme Ltd` with a no-break space), or one
//! holding a character a name may no longer hold (`H\u{34f}Q`). They stay
//! and work, each named by its exact spelling, but a copy of the database
//! (`export`, then `apply` into a new file) reads them as new names and is
//! refused; `status` names each with the command that renames it. So with
//! two order references equal but for case (`RÉF-1` and `réf-1`), and
//! with two names that look alike in other letters (`Соре` written all
//! in Cyrillic beside `Cope`), which a new name is refused for
//! ([`not_look_alike`]).

use std::collections::HashMap;

use super::catalog::check_role_name;
use super::cost_centres::check_code;
use crate::error::{Error, Result};
use crate::model::{
    composed, letters_problem, name_key, name_readings, one_script_per_word, refused, reveal,
    same_name, Email, Mailbox, Paste,
};
use crate::store::{HeldName, Tx};
use unicode_normalization::UnicodeNormalization;

/// One line per name a copy of the database would refuse: what it is,
/// where, its spelling with every unseen character written out, what is
/// wrong with it, and the command that renames it.
pub(crate) fn name_problems(tx: &dyn Tx) -> Result<Vec<String>> {
    let held = tx.held_names()?;
    // Names of one kind in one scope (the whole database for accounts,
    // one account for the rest) are one list; people's names are not.
    let mut keyed: HashMap<(&str, Option<&str>, String), Vec<&HeldName>> = HashMap::new();
    for name in held.iter().filter(|n| compared(n.kind)) {
        keyed
            .entry((name.kind, scope(name), key(name)))
            .or_default()
            .push(name);
    }
    // And by their skeleton: two of one skeleton but different keys look
    // alike without being one name.
    let mut skeletons: HashMap<(&str, Option<&str>, String), Vec<&HeldName>> = HashMap::new();
    for name in held.iter().filter(|n| letter_rule(n.kind)) {
        for reading in name_readings(&name.name) {
            skeletons
                .entry((name.kind, scope(name), reading))
                .or_default()
                .push(name);
        }
    }
    // A custom role is refused a name that looks like one its account
    // sees (`role_not_look_alike`), in a copy too: the catalog's roles
    // (for every account) and the account's own.
    let mut roles: HashMap<(Option<&str>, String), Vec<&str>> = HashMap::new();
    let catalog = tx.roles_made_for(None)?;
    for role in catalog.iter().filter(|r| r.deleted_at.is_none()) {
        for reading in name_readings(&role.name) {
            roles.entry((None, reading)).or_default().push(&role.name);
        }
    }
    for name in held.iter().filter(|n| n.kind == "role") {
        if let Some(account) = name.account.as_deref() {
            for reading in name_readings(&name.name) {
                roles
                    .entry((Some(account), reading))
                    .or_default()
                    .push(&name.name);
            }
        }
    }
    let mut problems = Vec::new();
    for name in &held {
        // A reference is held to no character rule a name is, only to
        // being one of its account's.
        let bad = match name.kind {
            "reference" => None,
            _ => refused(&composed(&name.name)),
        };
        let letters = letter_rule(name.kind)
            .then(|| letters_problem(&name.name))
            .flatten();
        let wrong = match bad {
            Some((c, kind)) => format!("holds U+{:04X}, {kind}", u32::from(c)),
            // Read by the rule every address is taken by (an address in
            // other letters that reads as an ASCII one is refused), as a
            // copy reads it.
            None if matches!(name.kind, "email" | "billing contact" | "setting") => {
                match match name.kind {
                    "setting" => name.name.parse::<Mailbox>().map(|_| ()),
                    _ => name.name.parse::<Email>().map(|_| ()),
                } {
                    Ok(()) => continue,
                    Err(e) => e
                        .to_string()
                        .split_once("is not a valid email address: ")
                        .map_or("is not a valid email address".to_string(), |(_, why)| {
                            format!("is not a valid email address: {why}")
                        }),
                }
            }
            None if name.kind == "cost centre code" => match check_code(&name.name) {
                Ok(_) => continue,
                Err(_) => "is not a cost centre code".to_string(),
            },
            None if name.kind == "role" => match check_role_name(&name.name) {
                Ok(()) => {
                    let readings = name_readings(&name.name);
                    let scopes = [None, name.account.as_deref()];
                    let other = scopes
                        .iter()
                        .flat_map(|&a| readings.iter().map(move |r| (a, r.clone())))
                        .filter_map(|at| roles.get(&at))
                        .flatten()
                        .find(|other| !same_name(other, &name.name));
                    match other {
                        Some(other) => format!("looks like the role `{}`", reveal(other)),
                        None => continue,
                    }
                }
                Err(_) => "is not a valid role name".to_string(),
            },
            // A new account, policy, label, product, cost centre or
            // service is refused a word mixing scripts or a letter no
            // name is written with, in a copy too.
            None if letters.is_some() => letters.unwrap_or_default(),
            // A cost centre or service is one of its account's list by
            // its look alone (no key keeps two apart): `FINANCE` beside
            // `Finance` as `Ѕales` with a Cyrillic `Ѕ` beside `Sales`.
            None if matches!(name.kind, "cost centre" | "service") => {
                match name_readings(&name.name)
                    .into_iter()
                    .filter_map(|r| skeletons.get(&(name.kind, scope(name), r)))
                    .flatten()
                    .find(|o| o.id != name.id)
                {
                    Some(other) if same_name(&other.name, &name.name) => {
                        format!("reads as `{}` too", reveal(&other.name))
                    }
                    Some(other) => format!(
                        "looks like `{}`, written in other letters",
                        reveal(&other.name)
                    ),
                    None => continue,
                }
            }
            None if !compared(name.kind) => continue,
            None => {
                let alike = &keyed[&(name.kind, scope(name), key(name))];
                if let Some(other) = alike.iter().find(|o| o.name != name.name) {
                    format!("reads as `{}` too", reveal(&other.name))
                } else if let Some(other) = name_readings(&name.name)
                    .into_iter()
                    .filter_map(|r| skeletons.get(&(name.kind, scope(name), r)))
                    .flatten()
                    .find(|o| key(o) != key(name))
                {
                    format!(
                        "looks like `{}`, written in other letters",
                        reveal(&other.name)
                    )
                } else {
                    continue;
                }
            }
        };
        problems.push(format!(
            "{}: {} `{}`{} {wrong}, so a copy of this database (`export`, then `apply`) is refused; {}",
            if names(name.kind) { "name" } else { "text" },
            what(name.kind),
            reveal(&name.name),
            match (name.kind, name.account.as_deref()) {
                ("role description", None) => {
                    format!(" of `{}`", reveal(name.email.as_deref().unwrap_or_default()))
                }
                ("setting", _) => {
                    format!(" of setting `{}`", name.email.as_deref().unwrap_or_default())
                }
                ("person" | "email", _) | (_, None) => String::new(),
                ("order" | "reference", Some(a)) => {
                    format!(" of order #{} in `{}`", name.id, reveal(a))
                }
                ("line1" | "line2" | "city" | "postcode", Some(a)) => format!(
                    " of address `{}` in `{}`",
                    reveal(name.email.as_deref().unwrap_or_default()),
                    reveal(a)
                ),
                ("phone" | "website" | "marketing" | "sectors" | "billing contact", Some(a)) => {
                    format!(" of `{}`", reveal(a))
                }
                ("role description" | "service kind", Some(a)) => format!(
                    " of `{}` in `{}`",
                    reveal(name.email.as_deref().unwrap_or_default()),
                    reveal(a)
                ),
                (_, Some(a)) => format!(" in `{}`", reveal(a)),
            },
            fix(name)
        ));
    }
    Ok(problems)
}

/// Refuses (exit 2) `typed`, which found the name `found` of `kind`
/// (`account`, `policy`, `address`, `licence`, `price`) in `account_id` by its key alone,
/// when another name of that key is held too: of two an older database
/// holds, a third spelling (`Beta  Co` beside `Beta Co` and `Beta` no-break
/// space `Co`) names neither rather than the one the bytes favour.
pub(crate) fn one_spelling(
    tx: &dyn Tx,
    kind: &'static str,
    account_id: i64,
    typed: &str,
    found: &str,
) -> Result<()> {
    // Exactly as held: `Beta  Co` is `Beta Co` only where no other
    // name reads as it, as the store finds it.
    if found == typed {
        return Ok(());
    }
    let spellings = tx.spellings_of_key(kind, account_id, typed)?;
    if spellings.len() < 2 {
        return Ok(());
    }
    let named: Vec<String> = spellings
        .iter()
        .map(|n| format!("`{}`", reveal(n)))
        .collect();
    Err(Error::invalid(format!(
        "`{}` names more than one {}: {}",
        reveal(typed),
        what(kind),
        named.join(" and ")
    ))
    .help("type the name exactly as one of them is spelled; `portalctl status` names each with what renames it"))
}

/// Refuses (exit 4) `name` for a new or renamed `kind` (`account`,
/// `policy`, `address`) in `account_id` (ignored for an account) when it
/// looks like another name held there, the row `except` left out:
/// `Соре` written all in Cyrillic beside `Cope`, which an operator
/// picking from a list or a completion cannot tell apart. A name of
/// another script that looks like nothing held (a Russian company's)
/// stays allowed. `shown` says whether the one refused for may name what
/// it imitates; else, as for a name taken, it is only not available.
///
/// Every way a name is given (create, rename, a fixture's `apply`) calls
/// this where it checks the name is not held by its key, so both refusals
/// read alike.
pub(crate) fn not_look_alike(
    tx: &dyn Tx,
    kind: &'static str,
    account_id: i64,
    name: &str,
    except: Option<i64>,
    shown: impl FnOnce(&str) -> Result<bool>,
) -> Result<()> {
    let Some(held) = look_alike_of(tx, kind, account_id, name, except)? else {
        return Ok(());
    };
    // Not even that a look-alike is held, to whom may not see it: only
    // what a name taken tells them.
    if !shown(&held)? {
        return Err(Error::conflict(format!(
            "the {} name `{}` is not available",
            what(kind),
            reveal(name)
        ))
        .help(format!(
            "{} names are one list for the whole portal; choose another",
            what(kind)
        )));
    }
    Err(looks_like(kind, name, &held))
}

/// Refuses a new or renamed cost centre or service (`kind`: `cost
/// centre`, `service`) named `name` in `account`, the row `except` left
/// out: exit 2 for a word mixing scripts or a letter no name is written
/// with (as every name picked from a list), exit 4 for a name that reads
/// as one the account holds (`Ѕales` with a Cyrillic `Ѕ`, `FINANCE`,
/// full-width `Ｓales` beside `Sales`). `shown` says whether the actor may
/// see the account's list, and so be told which name it reads as.
///
/// Create, rename and a fixture's `apply` all call this, so a cost
/// centre or service reads as no other of its account however it is
/// named.
pub(crate) fn not_read_as_another(
    tx: &dyn Tx,
    kind: &'static str,
    account: &crate::model::Account,
    name: &str,
    except: Option<i64>,
    shown: bool,
) -> Result<()> {
    one_script_per_word(&format!("the {}", what(kind)), name)?;
    let Some(held) = look_alike_of(tx, kind, account.id, name, except)? else {
        return Ok(());
    };
    if !shown {
        return Err(Error::conflict(format!(
            "the {} `{}` is not available in `{}`",
            what(kind),
            reveal(name),
            reveal(&account.name)
        ))
        .help("choose a name that reads differently"));
    }
    if same_name(&held, name) {
        return Err(Error::conflict(format!(
            "`{}` already has a {kind} named `{}`",
            reveal(&account.name),
            reveal(&held)
        ))
        .help("a name that differs only in case reads as the same one; choose another"));
    }
    Err(looks_like(kind, name, &held))
}

/// The refusal (exit 4) of `name`, a new name of `kind`, that looks like
/// `held`, a name of that kind its maker may see.
pub(crate) fn looks_like(kind: &'static str, name: &str, held: &str) -> Error {
    let help = "it is written in other letters that look the same, so one could be picked for the other in a list; choose a name that reads differently";
    // A partner's licences and prices are one list of products.
    let what = match kind {
        "licence" | "price" => "product",
        "cost centre" | "service" => kind,
        kind => what(kind),
    };
    Error::conflict(format!(
        "{what} `{}` looks like the existing {what} `{}`",
        reveal(name),
        reveal(held)
    ))
    .help(help)
}

/// The name of `kind` held in `account_id` (but the row `except`) that
/// `name` looks like, as [`not_look_alike`] finds it.
pub(crate) fn look_alike_of(
    tx: &dyn Tx,
    kind: &'static str,
    account_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<Option<String>> {
    let except = except.unwrap_or(0);
    if let Some(held) = tx.look_alike(kind, account_id, name, except)? {
        return Ok(Some(held));
    }
    // A name in compatibility letters (fullwidth `ＦＡＢＲＩＫＡＭ`,
    // mathematical `𝐅abrikam`) looks like its plain form in any case; the
    // skeleton alone tells a capital `I` from a small `i`.
    let plain: String = name.nfkc().collect::<String>().to_lowercase();
    tx.look_alike(kind, account_id, &plain, except)
}

/// Where a name is one of a list: the whole database for an account's,
/// its account for the rest.
fn scope(name: &HeldName) -> Option<&str> {
    match name.kind {
        "account" => None,
        _ => name.account.as_deref(),
    }
}

/// The key two names of one kind and scope are one by: [`name_key`]'s,
/// products' too (migration 29).
fn key(name: &HeldName) -> String {
    name_key(&name.name)
}

/// Whether names of `kind` are a list whose names must read apart (see
/// [`key`]); the other texts are only held to what a text may hold.
fn compared(kind: &str) -> bool {
    matches!(
        kind,
        "account" | "policy" | "address" | "licence" | "price" | "reference"
    )
}

/// Whether names of `kind` are held to [`one_script_per_word`] and told
/// from their look-alikes by skeleton: the names picked from a list.
///
/// [`one_script_per_word`]: crate::model::one_script_per_word
fn letter_rule(kind: &str) -> bool {
    matches!(
        kind,
        "account" | "policy" | "address" | "licence" | "price" | "cost centre" | "service"
    )
}

/// Whether `kind` is a name (a problem says `name:`) rather than other
/// text (`text:`).
fn names(kind: &str) -> bool {
    compared(kind) || matches!(kind, "person" | "cost centre" | "service" | "role")
}

/// How a problem names a kind of name.
fn what(kind: &str) -> &'static str {
    match kind {
        "email" => "email address",
        "cost centre" => "cost centre name",
        "cost centre code" => "cost centre code",
        "service" => "service name",
        "service kind" => "service kind",
        "role" => "role",
        "role description" => "description",
        "line1" => "first line",
        "line2" => "second line",
        "city" => "city",
        "postcode" => "postcode",
        "phone" => "phone",
        "website" => "website",
        "marketing" => "marketing message",
        "sectors" => "sectors",
        "billing contact" => "billing contact",
        "setting" => "address",
        "account" => "account",
        "policy" => "policy",
        "address" => "address label",
        "licence" => "licence product",
        "price" => "contracted price's product",
        "order" => "description",
        "reference" => "reference",
        _ => "user name",
    }
}

/// What renames `name`, naming it by its exact spelling.
fn fix(name: &HeldName) -> String {
    let account = name.account.as_deref().unwrap_or_default();
    let rename = match name.kind {
        "account" => Paste::new("account set")
            .arg(&name.name)
            .words("--name NEW"),
        "policy" => Paste::new("policy edit")
            .arg(&name.name)
            .opt("--account", account)
            .words("--name NEW"),
        "cost centre" => Paste::new("cost-centre rename")
            .arg(name.email.as_deref().unwrap_or_default())
            .opt("--account", account)
            .words("--name NEW"),
        "setting" => {
            let set = Paste::new("settings set")
                .arg(name.email.as_deref().unwrap_or_default())
                .words("NEW");
            return format!("change it: `{set}`");
        }
        "phone" | "website" | "marketing" | "sectors" | "billing contact" => {
            let flag = match name.kind {
                "phone" => "--phone NEW",
                "website" => "--website NEW",
                "marketing" => "--marketing NEW",
                "billing contact" => "--billing-contact NEW",
                _ => "--sectors NEW",
            };
            let set = Paste::new("account set").arg(account).words(flag);
            return format!("change it: `{set}`");
        }
        "line1" | "line2" | "city" | "postcode" => {
            let label = name.email.as_deref().unwrap_or_default();
            let remove = Paste::new("account address remove")
                .arg(label)
                .opt("--account", account);
            let add = Paste::new("account address add")
                .opt("--account", account)
                .words("--label LABEL ...");
            return format!("remove the address (`{remove}`) and add it again (`{add}`)");
        }
        // A label is not edited: the address is removed (orders keep
        // their copy) and added again, as its lines `address list` shows.
        "address" => {
            let remove = Paste::new("account address remove")
                .arg(&name.name)
                .opt("--account", account);
            let add = Paste::new("account address add")
                .opt("--account", account)
                .words("--label NEW ...");
            return format!("remove it (`{remove}`) and add it again under a new label (`{add}`)");
        }
        // No command renames a product (its prices and allocations are
        // keyed by it) or edits an order: the copy is made from an
        // export edited by hand.
        // Nor can an address refused as typed be named to change it.
        "licence" | "price" | "order" | "reference" | "email" | "cost centre code" | "service"
        | "service kind" | "role" | "role description" => {
            return format!(
                "no command changes {}: write it anew in the exported file before `apply`",
                match name.kind {
                    "order" => "an order's description",
                    "reference" => "an order's reference",
                    "email" => "an email address refused as typed",
                    "cost centre code" => "a cost centre's code",
                    "service" | "service kind" => "a service's name or kind",
                    "role" | "role description" => "a role's name or description",
                    _ => "a product's name",
                }
            )
        }
        _ => Paste::new("user edit")
            .arg(name.email.as_deref().unwrap_or_default())
            .opt_some("--account", name.account.as_deref())
            .words("--name NEW"),
    };
    format!("rename it: `{rename}`")
}

#[cfg(test)]
mod tests {
    use crate::domain::testing::{email, policy_over, seeded};
    use crate::domain::Portal;
    use crate::domain::{
        parse_fixture, ApplyOptions, InviteRequest, NewAccount, NewAddress, NewPolicy, PolicyEdit,
        ProfileChange,
    };
    use crate::error::Result;
    use crate::model::AccountKind;

    /// `Соре` written all in Cyrillic.
    const COPE: &str = "\u{421}\u{43e}\u{440}\u{435}";

    /// The exit code and message of a refusal, or what was made.
    fn refusal<T: std::fmt::Debug>(made: Result<T>) -> (u8, String) {
        let err = made.expect_err("refused");
        (err.exit_code(), err.to_string())
    }

    /// A whole word in another script that looks like a name held (an
    /// attacker's partner account imitating a customer) is refused, naming
    /// what it imitates, on every path a name is given: account create,
    /// rename and `apply`, policy create and rename, address add. A name
    /// of its own in Cyrillic or Greek stays a name, and another account's
    /// policies and labels are no look-alikes.
    #[test]
    fn a_name_that_looks_like_one_held_in_other_letters_is_refused_on_every_path() {
        let mut p = seeded("portal");
        let account = |name: &str| NewAccount {
            name: name.into(),
            kind: AccountKind::Partner,
            parent: None,
            currency: None,
        };
        let address = |label: &str| NewAddress {
            label: label.into(),
            line1: "1 Road".into(),
            line2: None,
            city: "Leeds".into(),
            postcode: "LS1".into(),
            country: "GB".into(),
        };
        p.account_create(&account("Cope")).expect("Cope");
        let imitates = |(code, message): (u8, String), held: &str| {
            assert_eq!(code, 4, "{message}");
            assert!(message.contains("looks like the existing"), "{message}");
            assert!(message.ends_with(&format!("`{held}`")), "{message}");
        };
        imitates(refusal(p.account_create(&account(COPE))), "Cope");
        // In capitals, and by a Russian company's own name renamed.
        let upper = COPE.to_uppercase();
        imitates(refusal(p.account_create(&account(&upper))), "Cope");
        // In fullwidth capitals (finding A2), and in mathematical letters.
        p.account_create(&account("Fabrikam")).expect("Fabrikam");
        imitates(
            refusal(p.account_create(&account("ＦＡＢＲＩＫＡＭ"))),
            "Fabrikam",
        );
        imitates(refusal(p.account_create(&account("𝐅abrikam"))), "Fabrikam");
        p.account_create(&account(
            "\u{420}\u{43e}\u{43c}\u{430}\u{448}\u{43a}\u{430}",
        ))
        .expect("a name of its own in Cyrillic");
        p.account_create(&account("\u{391}\u{3b8}\u{3ae}\u{3bd}\u{3b1}"))
            .expect("a name of its own in Greek");
        let rename = ProfileChange {
            name: Some(COPE.into()),
            ..ProfileChange::default()
        };
        imitates(
            refusal(p.account_set(
                Some("\u{420}\u{43e}\u{43c}\u{430}\u{448}\u{43a}\u{430}"),
                &rename,
            )),
            "Cope",
        );
        let file = serde_json::json!({"accounts": [{"name": COPE, "kind": "partner"}]});
        let fixture = parse_fixture(&file.to_string(), "f.json").expect("parses");
        let (code, message) = refusal(p.apply(&fixture, ApplyOptions::default()));
        assert_eq!(code, 4, "{message}");
        assert!(message.contains("`Cope`"), "{message}");

        let in_acme = |name: &str, threshold: &str| NewPolicy {
            account: Some("Acme".into()),
            ..policy_over(name, threshold)
        };
        p.policy_create(&in_acme("TOP", "5.00")).expect("TOP");
        p.policy_create(&in_acme("Other", "6.00")).expect("Other");
        let top = "\u{422}\u{41e}\u{420}";
        imitates(refusal(p.policy_create(&in_acme(top, "7.00"))), "TOP");
        imitates(
            refusal(p.policy_edit(&PolicyEdit {
                name: "Other".into(),
                new_name: Some(top.into()),
                account: Some("Acme".into()),
                ..PolicyEdit::default()
            })),
            "TOP",
        );

        p.address_add(Some("Acme"), &address("PAN")).expect("PAN");
        let pan = "\u{3a1}\u{391}\u{39d}";
        imitates(refusal(p.address_add(Some("Acme"), &address(pan))), "PAN");
        p.address_add(Some("Cope"), &address(pan))
            .expect("another account's labels are another list");

        let names: Vec<String> = p
            .account_list(None)
            .expect("list")
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert!(!names.iter().any(|n| n == COPE || *n == upper), "{names:?}");
    }

    /// Each kind of name a list is picked from, with the names refused
    /// beside the ones held (exit 2 for the letters alone, 4 for a
    /// look-alike) and the ones that stay names (finding A2, A5, A9):
    /// every path a name of that kind is given goes through one check,
    /// so a new kind of name is one more row here.
    #[test]
    fn names_that_read_as_another_are_refused_for_every_kind() {
        use crate::domain::licenses::Purchase;
        use crate::model::Text;
        let mut p = seeded("portal");
        let account = |name: &str| NewAccount {
            name: name.into(),
            kind: AccountKind::Partner,
            parent: None,
            currency: None,
        };
        let address = |label: &str| NewAddress {
            label: label.into(),
            line1: "1 Road".into(),
            line2: None,
            city: "Leeds".into(),
            postcode: "LS1".into(),
            country: "GB".into(),
        };
        let purchase = |product: &str| Purchase {
            product: Text::from(product),
            seats: 1,
            account: Some("Fabrikam".into()),
        };
        p.account_create(&account("Fabrikam")).expect("Fabrikam");
        let policy = |name: &str, threshold: &str| NewPolicy {
            account: Some("Acme".into()),
            ..policy_over(name, threshold)
        };
        p.policy_create(&policy("Fabrikam", "5.00"))
            .expect("policy");
        p.address_add(Some("Acme"), &address("Fabrikam"))
            .expect("label");
        p.license_purchase(&purchase("Fabrikam")).expect("product");
        p.price_set(
            Some("Fabrikam"),
            &Text::from("Caf\u{e9} Suite"),
            "5.00".parse().expect("price"),
        )
        .expect("price");
        p.cost_centre_create("FAB", &Text::from("Fabrikam"), Some("Acme"))
            .expect("cost centre");
        p.service_add("Fabrikam", None, Some("Acme"))
            .expect("service");

        // Refused for every kind: letters no name is written with, a
        // word of two scripts, and a look-alike of what is held.
        let refused: &[(&str, u8)] = &[
            ("Fa\u{299}rikam", 2),
            ("Fabrika\u{1d0d}", 2),
            ("Fabri\u{138}am", 2),
            ("Fa\u{185}rikam", 2),
            ("\u{13a0}abrikam", 2),
            ("Fabr\u{456}kam", 2),
            (
                "\u{ff26}\u{ff21}\u{ff22}\u{ff32}\u{ff29}\u{ff2b}\u{ff21}\u{ff2d}",
                4,
            ),
            ("Fabrikarn", 4),
            // All in Lisu capitals, `ꓲ` for `I` (finding B11).
            (
                "\u{a4dd}\u{a4ee}\u{a4d0}\u{a4e3}\u{a4f2}\u{a4d7}\u{a4ee}\u{a4df}",
                4,
            ),
        ];
        let accepted = [
            "Fabr1kam Two",
            "\u{13e3}\u{13b3}\u{13a9}",
            "\u{259}li",
            "Nguy\u{1ec5}n",
            // Lisu `LISU`, which looks like no name held.
            "\u{a4e1}\u{a4f2}\u{a4e2}\u{a4f4}",
        ];
        let mut n = 0;
        let mut kinds = |p: &mut Portal, name: &str| -> Vec<(&'static str, Option<u8>)> {
            n += 1;
            let code = |r: Result<()>| r.err().map(|e| e.exit_code());
            vec![
                (
                    "account",
                    code(p.account_create(&account(name)).map(|_| ())),
                ),
                (
                    "policy",
                    code(
                        p.policy_create(&policy(name, &format!("{n}.00")))
                            .map(|_| ()),
                    ),
                ),
                (
                    "address",
                    code(p.address_add(Some("Acme"), &address(name)).map(|_| ())),
                ),
                (
                    "licence",
                    code(p.license_purchase(&purchase(name)).map(|_| ())),
                ),
                // Cost centres and services too (findings B3, F3).
                (
                    "cost centre",
                    code(
                        p.cost_centre_create(&format!("CC{n}"), &Text::from(name), Some("Acme"))
                            .map(|_| ()),
                    ),
                ),
                (
                    "service",
                    code(p.service_add(name, None, Some("Acme")).map(|_| ())),
                ),
            ]
        };
        for (name, want) in refused {
            for (kind, got) in kinds(&mut p, name) {
                assert_eq!(got, Some(*want), "{kind} {name:?}");
            }
        }
        for name in accepted {
            for (kind, got) in kinds(&mut p, name) {
                assert_eq!(got, None, "{kind} {name:?}");
            }
        }
        // A product in compatibility letters beside the priced one, and
        // a price of it.
        let (code, message) =
            refusal(p.license_purchase(&purchase("\u{ff23}\u{ff21}\u{ff26}\u{ff25}\u{301} SUITE")));
        assert_eq!(code, 4, "{message}");
        assert!(
            message.ends_with("looks like the existing product `Caf\u{e9} Suite`"),
            "{message}"
        );
        let (code, _) = refusal(p.price_set(
            Some("Fabrikam"),
            &Text::from("C\u{430}f\u{e9} Suite"),
            "5.00".parse().expect("price"),
        ));
        assert_eq!(code, 2);
        // The same product in another case is the product.
        p.license_purchase(&purchase("CAF\u{c9} SUITE"))
            .expect("same product");

        // Custom roles: ASCII only, so only look-alikes of a role the
        // account sees, the catalog's or its own.
        let caps = [crate::domain::access::caps::ACCOUNT_VIEW];
        for (name, account, want) in [
            ("adrnin", None, Some(4)),
            ("rnanager", Some("Acme"), Some(4)),
            ("helper", Some("Acme"), None),
            ("he1per", Some("Acme"), Some(4)),
            ("he1per", Some("Fabrikam"), None),
            ("buyer", None, None),
        ] {
            let got = p
                .role_create(name, &caps, &Text::default(), account)
                .err()
                .map(|e| e.exit_code());
            assert_eq!(got, want, "{name} {account:?}");
        }
    }

    /// A capital that looks like `I` reads as `l` (`PayPaI` beside
    /// `PayPal`) and, in a name in capitals, as `i` (Lisu `ꓝꓮꓐꓣꓲꓗꓮꓟ`
    /// beside `Fabrikam`, finding B11): refused whichever came first.
    #[test]
    fn a_capital_i_reads_as_both_i_and_l_in_either_order() {
        let mut p = seeded("portal");
        let account = |name: &str| NewAccount {
            name: name.into(),
            kind: AccountKind::Partner,
            parent: None,
            currency: None,
        };
        let lisu = "\u{a4dd}\u{a4ee}\u{a4d0}\u{a4e3}\u{a4f2}\u{a4d7}\u{a4ee}\u{a4df}";
        for (first, second) in [
            ("Fabrikam", lisu.to_string()),
            (&format!("{lisu} Two"), "Fabrikam Two".to_string()),
            ("PayPal", "PayPaI".to_string()),
            ("PayPaI Two", "PayPal Two".to_string()),
        ] {
            p.account_create(&account(first)).expect(first);
            let (code, message) = refusal(p.account_create(&account(&second)));
            assert_eq!(code, 4, "{message}");
            assert!(
                message.ends_with(&format!("looks like the existing account `{first}`")),
                "{message}"
            );
        }
        p.account_create(&account("Mail")).expect("Mail");
        p.account_create(&account("Mall"))
            .expect("an `l` is no capital `I`");
    }

    /// A cost centre or service reads as no other of its account: not in
    /// another case (`FINANCE` beside `Finance`), not in other letters,
    /// not when renamed (findings B3, F3); another account's are another
    /// list, and renaming one to its own name is no change of look.
    #[test]
    fn cost_centres_and_services_read_as_no_other_of_their_account() {
        use crate::model::Text;
        let mut p = seeded("portal");
        p.account_create(&NewAccount {
            name: "Beta".into(),
            kind: AccountKind::Customer,
            parent: None,
            currency: None,
        })
        .expect("Beta");
        p.cost_centre_create("FIN", &Text::from("Finance"), Some("Acme"))
            .expect("Finance");
        p.cost_centre_create("OPS", &Text::from("Operations"), Some("Acme"))
            .expect("Operations");
        for (name, want, says) in [
            (
                "FINANCE",
                4,
                "`Acme` already has a cost centre named `Finance`",
            ),
            (
                "\u{ff26}inance",
                4,
                "cost centre `\u{ff26}inance` looks like the existing cost centre `Finance`",
            ),
            (
                "F\u{456}nance",
                2,
                "mixes Latin and Cyrillic letters in `F\u{456}nance`",
            ),
            ("Fa\u{299}rik", 2, "holds `\u{299}` (U+0299)"),
        ] {
            let (code, message) =
                refusal(p.cost_centre_create("NEW", &Text::from(name), Some("Acme")));
            assert_eq!((code, message.contains(says)), (want, true), "{message}");
            let (code, message) =
                refusal(p.cost_centre_change("OPS", Some(&Text::from(name)), Some("Acme")));
            assert_eq!((code, message.contains(says)), (want, true), "{message}");
        }
        p.cost_centre_change("FIN", Some(&Text::from("FINANCE")), Some("Acme"))
            .expect("its own name in another case");
        p.cost_centre_create("FIN", &Text::from("Finance"), Some("Beta"))
            .expect("another account's list");
        p.service_add("Broadband HQ", None, Some("Acme"))
            .expect("service");
        let (code, message) =
            refusal(p.service_add("Broadband \u{ff28}\u{ff31}", None, Some("Acme")));
        assert_eq!(code, 4, "{message}");
        assert!(
            message.ends_with("looks like the existing service `Broadband HQ`"),
            "{message}"
        );
        let (code, _) = refusal(p.service_add("\u{412}roadband HQ", None, Some("Acme")));
        assert_eq!(code, 2);
        p.service_add("Broadband HQ", None, Some("Beta"))
            .expect("another account's list");

        // One who manages cost centres but may not list them is told
        // only that the name is not available, not which it reads as.
        let manage = [crate::domain::access::caps::COST_CENTRES_MANAGE];
        p.role_create("clerk", &manage, &"cost centres".into(), Some("Acme"))
            .expect("role");
        crate::domain::testing::join_in(&mut p, "cc@acme.test", "clerk", Some("Acme"));
        p.ctx.actor = crate::domain::Actor::Member(email("cc@acme.test"));
        let (code, message) =
            refusal(p.cost_centre_create("NEW", &Text::from("FINANCE"), Some("Acme")));
        assert_eq!(code, 4, "{message}");
        assert!(message.contains("is not available"), "{message}");
        assert!(!message.contains("`Finance`"), "{message}");
    }

    /// Every kind of space, and a run of them, reads as one plain space in
    /// every name: a decoy of an account, policy, label or person written
    /// with another is the name itself, so refused beside it (exit 4), or
    /// stored with the plain space.
    #[test]
    fn a_name_with_other_spaces_is_the_name_with_one_plain_space() {
        let mut p = seeded("portal");
        p.policy_create(&policy_over("Big one", "5.00"))
            .expect("policy");
        let address = |label: &str| NewAddress {
            label: label.into(),
            line1: "1 Road".into(),
            line2: None,
            city: "Leeds".into(),
            postcode: "LS1".into(),
            country: "GB".into(),
        };
        p.address_add(None, &address("Head office"))
            .expect("address");
        for (n, space) in ["\u{A0}", "\u{2002}", "\u{202F}", "\u{3000}", "  "]
            .into_iter()
            .enumerate()
        {
            let account = p.account_create(&NewAccount {
                name: format!("Acme{space}").as_str().into(),
                kind: AccountKind::Partner,
                parent: None,
                currency: None,
            });
            assert_eq!(
                account.map_err(|e| e.exit_code()).err(),
                Some(4),
                "{space:?}"
            );
            let made = p.account_create(&NewAccount {
                name: format!("Acme{space}Two").as_str().into(),
                kind: AccountKind::Partner,
                parent: None,
                currency: None,
            });
            match n {
                0 => assert_eq!(made.expect("made").name, "Acme Two"),
                _ => assert_eq!(made.map_err(|e| e.exit_code()).err(), Some(4)),
            }
            let policy = p.policy_create(&NewPolicy {
                account: Some("Acme".into()),
                ..policy_over(&format!("Big{space}one"), "6.00")
            });
            assert_eq!(
                policy.map_err(|e| e.exit_code()).err(),
                Some(4),
                "{space:?}"
            );
            let label = p.address_add(Some("Acme"), &address(&format!("Head{space}office")));
            assert_eq!(label.map_err(|e| e.exit_code()).err(), Some(4), "{space:?}");
            let who = format!("ann{n}@acme.test");
            p.invite(&InviteRequest {
                email: Some(email(&who)),
                name: Some(format!("Ann{space}Smith").as_str().into()),
                role: Some("user".into()),
                account: Some("Acme".into()),
                ..InviteRequest::default()
            })
            .expect("invite");
            let ann = p.member_show(&email(&who), Some("Acme")).expect("show");
            assert_eq!(ann.name.as_deref(), Some("Ann Smith"), "{space:?}");
        }
    }
}
